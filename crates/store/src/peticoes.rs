//! Petitions (impugnação, recurso), their documents and protocol numbers; decisions and the
//! notices they produce; and the per-attendance facts the lifecycle rules need.

use chrono::{DateTime, NaiveDate, Utc};
use persus_domain::peticoes::{EstadoPeticao, TipoPeticao};
use serde::Serialize;

use crate::{Db, StoreError, Tx};

/// Loads (or refreshes) the grounds catalogue.
pub async fn carregar_motivos(
    tx: &mut Tx,
    motivos: &[persus_domain::motivos::Motivo],
) -> Result<usize, StoreError> {
    let sql = "INSERT INTO motivos (codigo, nome, natureza, documentos) VALUES ($1, $2, $3, $4)
               ON CONFLICT (codigo) DO UPDATE SET nome = excluded.nome, natureza = excluded.natureza,
                                                  documentos = excluded.documentos";
    for m in motivos {
        let docs = serde_json::to_string(&m.documentos).unwrap_or_else(|_| "[]".to_owned());
        on_tx!(tx, conn => sqlx::query(sql).bind(&m.codigo).bind(&m.nome).bind(m.natureza.as_str())
            .bind(docs).execute(conn).await?.rows_affected());
    }
    Ok(motivos.len())
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct MotivoRow {
    pub codigo: String,
    pub nome: String,
    pub natureza: String,
    pub documentos: String,
}

pub async fn motivos(db: &Db) -> Result<Vec<MotivoRow>, StoreError> {
    let sql = "SELECT codigo, nome, natureza, documentos FROM motivos WHERE ativo ORDER BY codigo";
    Ok(on_db!(db, pool => sqlx::query_as(sql).fetch_all(pool).await?))
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Documento {
    pub id: i64,
    pub operadora: String,
    pub sha256: String,
    pub nome_arquivo: String,
    pub tamanho: i64,
    pub chave: String,
    pub enviado_em: DateTime<Utc>,
    pub enviado_por: String,
}

pub async fn inserir_documento(tx: &mut Tx, d: &Documento) -> Result<i64, StoreError> {
    Ok(on_tx!(tx, conn => sqlx::query_scalar(
        "INSERT INTO documentos (operadora, sha256, nome_arquivo, tamanho, chave, enviado_em, enviado_por)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id")
        .bind(&d.operadora).bind(&d.sha256).bind(&d.nome_arquivo).bind(d.tamanho).bind(&d.chave)
        .bind(d.enviado_em).bind(&d.enviado_por).fetch_one(conn).await?))
}

/// The operator's documents among `ids` (others' documents are simply not found).
pub async fn documentos_da_operadora(
    db: &Db,
    operadora: &str,
) -> Result<Vec<Documento>, StoreError> {
    let sql = "SELECT id, operadora, sha256, nome_arquivo, tamanho, chave, enviado_em, enviado_por
               FROM documentos WHERE operadora = $1 ORDER BY id";
    Ok(on_db!(db, pool => sqlx::query_as(sql).bind(operadora).fetch_all(pool).await?))
}

/// What the lifecycle rules need to know about one attendance, with its two governing notices.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Situacao {
    pub id: i64,
    pub numero: String,
    pub tipo: String,
    pub operadora: String,
    pub processo_id: Option<i64>,
    pub estado: String,
    pub valor_devido_centavos: Option<i64>,
    pub valor_ressarcimento_centavos: i64,
    pub abi_disponibilizada_em: Option<NaiveDate>,
    pub abi_ciencia_em: Option<NaiveDate>,
    pub abi_prazo: Option<String>,
    pub decisao_disponibilizada_em: Option<NaiveDate>,
    pub decisao_prazo: Option<String>,
}

const SITUACAO: &str = "SELECT a.id, a.numero, a.tipo, a.operadora, a.processo_id, a.estado,
        a.valor_devido_centavos, a.valor_ressarcimento_centavos,
        n.disponibilizada_em AS abi_disponibilizada_em, n.ciencia_em AS abi_ciencia_em,
        n.prazo AS abi_prazo, d.disponibilizada_em AS decisao_disponibilizada_em,
        d.prazo AS decisao_prazo
    FROM atendimentos a
    LEFT JOIN notificacoes n ON n.id = a.notificacao_id
    LEFT JOIN notificacoes d ON d.id = a.notificacao_decisao_id";

/// Every notified attendance of an operator (the working set of a batch).
pub async fn situacoes_da_operadora(db: &Db, operadora: &str) -> Result<Vec<Situacao>, StoreError> {
    let sql = format!("{SITUACAO} WHERE a.operadora = $1 AND a.processo_id IS NOT NULL");
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(operadora).fetch_all(pool).await?))
}

/// The attendances of one process of an operator, by number.
pub async fn situacoes_do_processo(
    db: &Db,
    operadora: &str,
    processo_id: i64,
) -> Result<Vec<Situacao>, StoreError> {
    let sql = format!("{SITUACAO} WHERE a.operadora = $1 AND a.processo_id = $2 ORDER BY a.numero");
    Ok(
        on_db!(db, pool => sqlx::query_as(&sql).bind(operadora).bind(processo_id).fetch_all(pool).await?),
    )
}

/// Attendances in one state, oldest first (the analysis queues).
pub async fn situacoes_no_estado(
    db: &Db,
    estado: &str,
    limite: i64,
) -> Result<Vec<Situacao>, StoreError> {
    let sql = format!("{SITUACAO} WHERE a.estado = $1 ORDER BY a.id LIMIT $2");
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(estado).bind(limite).fetch_all(pool).await?))
}

pub async fn situacao(tx: &mut Tx, atendimento_id: i64) -> Result<Option<Situacao>, StoreError> {
    let sql = format!("{SITUACAO} WHERE a.id = $1");
    Ok(on_tx!(tx, conn => sqlx::query_as(&sql).bind(atendimento_id).fetch_optional(conn).await?))
}

/// The next protocol number of a year (in the caller's transaction: no gaps, no duplicates).
pub async fn proximo_protocolo(tx: &mut Tx, ano: i32) -> Result<i64, StoreError> {
    on_tx!(tx, conn => sqlx::query(
        "INSERT INTO protocolo_sequencias (ano, ultimo) VALUES ($1, 0) ON CONFLICT (ano) DO NOTHING")
        .bind(ano).execute(conn).await?.rows_affected());
    Ok(on_tx!(tx, conn => sqlx::query_scalar(
        "UPDATE protocolo_sequencias SET ultimo = ultimo + 1 WHERE ano = $1 RETURNING ultimo")
        .bind(ano).fetch_one(conn).await?))
}

#[derive(Clone, Debug)]
pub struct NovaPeticao<'a> {
    pub tipo: TipoPeticao,
    pub processo_id: i64,
    pub operadora: &'a str,
    pub motivo: &'a str,
    pub fundamentacao: &'a str,
    pub auditor: Option<&'a str>,
    pub protocolo: Option<&'a str>,
    pub em: DateTime<Utc>,
    pub por: &'a str,
    pub atendimentos: &'a [i64],
    pub documentos: &'a [i64],
}

/// Inserts a petition (draft when `protocolo` is `None`) with its attendances and documents.
pub async fn inserir_peticao(tx: &mut Tx, p: &NovaPeticao<'_>) -> Result<i64, StoreError> {
    let estado = if p.protocolo.is_some() {
        EstadoPeticao::Protocolada
    } else {
        EstadoPeticao::Rascunho
    };
    let protocolada_em = p.protocolo.map(|_| p.em);
    let id: i64 = on_tx!(tx, conn => sqlx::query_scalar(
        "INSERT INTO peticoes (tipo, processo_id, operadora, motivo, fundamentacao, auditor, estado,
                               protocolo, protocolada_em, criada_em, criada_por)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id")
        .bind(p.tipo.as_str()).bind(p.processo_id).bind(p.operadora).bind(p.motivo).bind(p.fundamentacao)
        .bind(p.auditor).bind(estado.as_str()).bind(p.protocolo).bind(protocolada_em).bind(p.em).bind(p.por)
        .fetch_one(conn).await?);
    for chunk in p.atendimentos.chunks(5_000) {
        on_tx!(tx, conn => {
            let mut qb = sqlx::QueryBuilder::new(
                "INSERT INTO peticao_atendimentos (peticao_id, atendimento_id, tipo, protocolada) ");
            qb.push_values(chunk, |mut b, a| {
                b.push_bind(id).push_bind(*a).push_bind(p.tipo.as_str()).push_bind(p.protocolo.is_some());
            });
            qb.build().execute(conn).await?.rows_affected()
        });
    }
    for d in p.documentos {
        on_tx!(tx, conn => sqlx::query(
            "INSERT INTO peticao_documentos (peticao_id, documento_id) VALUES ($1, $2)")
            .bind(id).bind(*d).execute(conn).await?.rows_affected());
    }
    Ok(id)
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Peticao {
    pub id: i64,
    #[sqlx(try_from = "String")]
    pub tipo: TipoPeticao,
    pub processo_id: i64,
    pub operadora: String,
    pub motivo: String,
    pub fundamentacao: String,
    pub auditor: Option<String>,
    #[sqlx(try_from = "String")]
    pub estado: EstadoPeticao,
    pub protocolo: Option<String>,
    pub protocolada_em: Option<DateTime<Utc>>,
}

pub async fn peticao(db: &Db, id: i64) -> Result<Option<Peticao>, StoreError> {
    let sql = "SELECT id, tipo, processo_id, operadora, motivo, fundamentacao, auditor, estado,
                      protocolo, protocolada_em FROM peticoes WHERE id = $1";
    Ok(on_db!(db, pool => sqlx::query_as(sql).bind(id).fetch_optional(pool).await?))
}

pub async fn atendimentos_da_peticao(db: &Db, id: i64) -> Result<Vec<i64>, StoreError> {
    let sql = "SELECT atendimento_id FROM peticao_atendimentos WHERE peticao_id = $1 ORDER BY atendimento_id";
    Ok(on_db!(db, pool => sqlx::query_scalar(sql).bind(id).fetch_all(pool).await?))
}

pub async fn documentos_da_peticao(db: &Db, id: i64) -> Result<Vec<i64>, StoreError> {
    let sql =
        "SELECT documento_id FROM peticao_documentos WHERE peticao_id = $1 ORDER BY documento_id";
    Ok(on_db!(db, pool => sqlx::query_scalar(sql).bind(id).fetch_all(pool).await?))
}

/// Protocols a draft: from now on nothing of it can change. Returns false if it was not a draft.
pub async fn protocolar_rascunho(
    tx: &mut Tx,
    id: i64,
    protocolo: &str,
    em: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let n = on_tx!(tx, conn => sqlx::query(
        "UPDATE peticoes SET estado = 'protocolada', protocolo = $2, protocolada_em = $3
         WHERE id = $1 AND estado = 'rascunho'")
        .bind(id).bind(protocolo).bind(em).execute(conn).await?.rows_affected());
    on_tx!(tx, conn => sqlx::query("UPDATE peticao_atendimentos SET protocolada = TRUE WHERE peticao_id = $1")
        .bind(id).execute(conn).await?.rows_affected());
    Ok(n == 1)
}

/// Sets state and current value of attendances (transitions decided by the domain).
pub async fn atualizar_atendimentos(
    tx: &mut Tx,
    mudancas: &[(i64, &str, i64)],
) -> Result<(), StoreError> {
    for (id, estado, valor) in mudancas {
        on_tx!(tx, conn => sqlx::query(
            "UPDATE atendimentos SET estado = $2, valor_devido_centavos = $3 WHERE id = $1")
            .bind(*id).bind(*estado).bind(*valor).execute(conn).await?.rows_affected());
    }
    Ok(())
}

/// Moves many attendances to one state in one statement per chunk (batches of petitions).
pub async fn mover_atendimentos(
    tx: &mut Tx,
    ids: &[i64],
    de: &str,
    para: &str,
) -> Result<u64, StoreError> {
    let mut n = 0;
    for chunk in ids.chunks(5_000) {
        n += on_tx!(tx, conn => {
            let mut qb = sqlx::QueryBuilder::new("UPDATE atendimentos SET estado = ");
            qb.push_bind(para).push(" WHERE estado = ").push_bind(de).push(" AND id IN (");
            let mut sep = qb.separated(", ");
            for id in chunk {
                sep.push_bind(*id);
            }
            qb.push(")");
            qb.build().execute(conn).await?.rows_affected()
        });
    }
    Ok(n)
}

#[derive(Clone, Debug)]
pub struct NovaDecisao<'a> {
    pub atendimento_id: i64,
    pub instancia: &'a str,
    pub resultado: &'a str,
    pub valor_anterior: i64,
    pub valor_novo: i64,
    pub fundamentacao: &'a str,
    pub por: &'a str,
    pub em: DateTime<Utc>,
    pub notificacao_id: i64,
}

pub async fn inserir_decisao(tx: &mut Tx, d: &NovaDecisao<'_>) -> Result<(), StoreError> {
    on_tx!(tx, conn => sqlx::query(
        "INSERT INTO decisoes (atendimento_id, instancia, resultado, valor_anterior, valor_novo,
                               fundamentacao, decidido_por, decidido_em, notificacao_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
        .bind(d.atendimento_id).bind(d.instancia).bind(d.resultado).bind(d.valor_anterior)
        .bind(d.valor_novo).bind(d.fundamentacao).bind(d.por).bind(d.em).bind(d.notificacao_id)
        .execute(conn).await?.rows_affected());
    Ok(())
}

/// A decision notice for a process, made available on `em`.
pub async fn inserir_notificacao(
    tx: &mut Tx,
    processo_id: i64,
    tipo: &str,
    em: NaiveDate,
    conteudo: &serde_json::Value,
) -> Result<i64, StoreError> {
    Ok(on_tx!(tx, conn => sqlx::query_scalar(
        "INSERT INTO notificacoes (processo_id, tipo, disponibilizada_em, conteudo) VALUES ($1, $2, $3, $4) RETURNING id")
        .bind(processo_id).bind(tipo).bind(em).bind(conteudo.to_string()).fetch_one(conn).await?))
}

pub async fn definir_notificacao_decisao(
    tx: &mut Tx,
    atendimento_id: i64,
    notificacao_id: i64,
) -> Result<(), StoreError> {
    on_tx!(tx, conn => sqlx::query("UPDATE atendimentos SET notificacao_decisao_id = $2 WHERE id = $1")
        .bind(atendimento_id).bind(notificacao_id).execute(conn).await?.rows_affected());
    Ok(())
}

/// Decision notices whose recurso period ended before `hoje` and were not closed yet.
pub async fn prazo_recurso_vencido_antes(
    db: &Db,
    hoje: NaiveDate,
) -> Result<Vec<(i64, NaiveDate)>, StoreError> {
    let sql = "SELECT n.id, n.vencimento FROM notificacoes n
               WHERE n.tipo = 'decisao_primeira_instancia' AND n.vencimento < $1
                 AND n.prazo_encerrado_em IS NULL
               ORDER BY n.id";
    Ok(on_db!(db, pool => sqlx::query_as(sql).bind(hoje).fetch_all(pool).await?))
}

/// Attendances governed by a decision notice, in a state (for the scheduler).
pub async fn ids_pela_notificacao_decisao(
    db: &Db,
    notificacao_id: i64,
    estados: &[&str],
) -> Result<Vec<i64>, StoreError> {
    let sql = "SELECT id FROM atendimentos
               WHERE processo_id = (SELECT processo_id FROM notificacoes WHERE id = $1)
                 AND (estado = $2 OR estado = $3) AND notificacao_decisao_id = $1 ORDER BY id";
    let e1 = estados.first().copied().unwrap_or("");
    let e2 = estados.get(1).copied().unwrap_or(e1);
    Ok(
        on_db!(db, pool => sqlx::query_scalar(sql).bind(notificacao_id).bind(e1).bind(e2).fetch_all(pool).await?),
    )
}

/// A protocolled petition of a batch (one row).
#[derive(Clone, Debug)]
pub struct PeticaoLote {
    pub tipo: TipoPeticao,
    pub processo_id: i64,
    pub motivo: String,
    pub fundamentacao: String,
    pub auditor: Option<String>,
    pub protocolo: String,
    pub atendimentos: Vec<i64>,
    pub documentos: Vec<i64>,
}

/// Reserves `n` consecutive protocol numbers of a year; returns the first.
pub async fn reservar_protocolos(tx: &mut Tx, ano: i32, n: i64) -> Result<i64, StoreError> {
    on_tx!(tx, conn => sqlx::query(
        "INSERT INTO protocolo_sequencias (ano, ultimo) VALUES ($1, 0) ON CONFLICT (ano) DO NOTHING")
        .bind(ano).execute(conn).await?.rows_affected());
    let ultimo: i64 = on_tx!(tx, conn => sqlx::query_scalar(
        "UPDATE protocolo_sequencias SET ultimo = ultimo + $2 WHERE ano = $1 RETURNING ultimo")
        .bind(ano).bind(n).fetch_one(conn).await?);
    Ok(ultimo - n + 1)
}

/// Writes protocolled petitions in multi-row statements (a 50,000-row batch is ~60 statements,
/// not 150,000). Returns the ids in the order of `peticoes`.
pub async fn inserir_lote(
    tx: &mut Tx,
    operadora: &str,
    peticoes: &[PeticaoLote],
    em: DateTime<Utc>,
    por: &str,
) -> Result<Vec<i64>, StoreError> {
    let mut ids = Vec::with_capacity(peticoes.len());
    for chunk in peticoes.chunks(2_000) {
        let linhas: Vec<(i64, String)> = on_tx!(tx, conn => {
            let mut qb = sqlx::QueryBuilder::new(
                "INSERT INTO peticoes (tipo, processo_id, operadora, motivo, fundamentacao, auditor,
                                       estado, protocolo, protocolada_em, criada_em, criada_por) ");
            qb.push_values(chunk, |mut b, p| {
                b.push_bind(p.tipo.as_str()).push_bind(p.processo_id).push_bind(operadora).push_bind(&p.motivo)
                    .push_bind(&p.fundamentacao).push_bind(&p.auditor).push_bind(EstadoPeticao::Protocolada.as_str())
                    .push_bind(&p.protocolo).push_bind(em).push_bind(em).push_bind(por);
            });
            qb.push(" RETURNING id, protocolo");
            qb.build_query_as().fetch_all(&mut *conn).await?
        });
        // RETURNING order is not promised by SQL: map back by the unique protocol number.
        let por_protocolo: std::collections::HashMap<String, i64> =
            linhas.into_iter().map(|(id, p)| (p, id)).collect();
        for p in chunk {
            let id = *por_protocolo.get(&p.protocolo).ok_or_else(|| {
                StoreError::Reference(format!("protocolo {} não retornado", p.protocolo))
            })?;
            ids.push(id);
        }
    }
    let links: Vec<(i64, i64, &str)> = peticoes
        .iter()
        .zip(&ids)
        .flat_map(|(p, id)| {
            p.atendimentos
                .iter()
                .map(move |a| (*id, *a, p.tipo.as_str()))
        })
        .collect();
    for chunk in links.chunks(5_000) {
        on_tx!(tx, conn => {
            let mut qb = sqlx::QueryBuilder::new(
                "INSERT INTO peticao_atendimentos (peticao_id, atendimento_id, tipo, protocolada) ");
            qb.push_values(chunk, |mut b, (p, a, t)| {
                b.push_bind(*p).push_bind(*a).push_bind(*t).push_bind(true);
            });
            qb.build().execute(&mut *conn).await?.rows_affected()
        });
    }
    let docs: Vec<(i64, i64)> = peticoes
        .iter()
        .zip(&ids)
        .flat_map(|(p, id)| p.documentos.iter().map(move |d| (*id, *d)))
        .collect();
    for chunk in docs.chunks(10_000) {
        on_tx!(tx, conn => {
            let mut qb = sqlx::QueryBuilder::new("INSERT INTO peticao_documentos (peticao_id, documento_id) ");
            qb.push_values(chunk, |mut b, (p, d)| {
                b.push_bind(*p).push_bind(*d);
            });
            qb.build().execute(&mut *conn).await?.rows_affected()
        });
    }
    Ok(ids)
}

/// NUP of each process of an operator.
pub async fn nups_da_operadora(db: &Db, operadora: &str) -> Result<Vec<(i64, String)>, StoreError> {
    let sql = "SELECT id, nup FROM processos WHERE operadora = $1";
    Ok(on_db!(db, pool => sqlx::query_as(sql).bind(operadora).fetch_all(pool).await?))
}

/// Replaces the content of a draft (grounds, reasoning, auditor, attendances, documents).
/// Returns false when `id` is not a draft of `operadora` — protocolled petitions never change.
pub async fn substituir_rascunho(
    tx: &mut Tx,
    id: i64,
    p: &NovaPeticao<'_>,
) -> Result<bool, StoreError> {
    let n = on_tx!(tx, conn => sqlx::query(
        "UPDATE peticoes SET tipo = $3, processo_id = $4, motivo = $5, fundamentacao = $6,
                             auditor = $7
         WHERE id = $1 AND operadora = $2 AND estado = 'rascunho'")
        .bind(id).bind(p.operadora).bind(p.tipo.as_str()).bind(p.processo_id).bind(p.motivo)
        .bind(p.fundamentacao).bind(p.auditor)
        .execute(conn).await?.rows_affected());
    if n != 1 {
        return Ok(false);
    }
    apagar_vinculos(tx, id).await?;
    for a in p.atendimentos {
        on_tx!(tx, conn => sqlx::query(
            "INSERT INTO peticao_atendimentos (peticao_id, atendimento_id, tipo, protocolada)
             VALUES ($1, $2, $3, FALSE)")
            .bind(id).bind(*a).bind(p.tipo.as_str()).execute(conn).await?.rows_affected());
    }
    for d in p.documentos {
        on_tx!(tx, conn => sqlx::query(
            "INSERT INTO peticao_documentos (peticao_id, documento_id) VALUES ($1, $2)")
            .bind(id).bind(*d).execute(conn).await?.rows_affected());
    }
    Ok(true)
}

async fn apagar_vinculos(tx: &mut Tx, id: i64) -> Result<(), StoreError> {
    on_tx!(tx, conn => sqlx::query("DELETE FROM peticao_atendimentos WHERE peticao_id = $1")
        .bind(id).execute(conn).await?.rows_affected());
    on_tx!(tx, conn => sqlx::query("DELETE FROM peticao_documentos WHERE peticao_id = $1")
        .bind(id).execute(conn).await?.rows_affected());
    Ok(())
}

/// Deletes a draft of `operadora`; false when there is no such draft.
pub async fn descartar_rascunho(tx: &mut Tx, id: i64, operadora: &str) -> Result<bool, StoreError> {
    let e_rascunho: Option<i64> = on_tx!(tx, conn => sqlx::query_scalar(
        "SELECT id FROM peticoes WHERE id = $1 AND operadora = $2 AND estado = 'rascunho'")
        .bind(id).bind(operadora).fetch_optional(conn).await?);
    if e_rascunho.is_none() {
        return Ok(false);
    }
    apagar_vinculos(tx, id).await?;
    on_tx!(tx, conn => sqlx::query("DELETE FROM peticoes WHERE id = $1 AND estado = 'rascunho'")
        .bind(id).execute(conn).await?.rows_affected());
    Ok(true)
}

/// AIH/APAC numbers of a petition's attendances.
pub async fn numeros_da_peticao(db: &Db, id: i64) -> Result<Vec<String>, StoreError> {
    let sql = "SELECT a.numero FROM peticao_atendimentos pa JOIN atendimentos a ON a.id = pa.atendimento_id
               WHERE pa.peticao_id = $1 ORDER BY a.numero";
    Ok(on_db!(db, pool => sqlx::query_scalar(sql).bind(id).fetch_all(pool).await?))
}

/// NUP of a process.
pub async fn nup(db: &Db, processo_id: i64) -> Result<Option<String>, StoreError> {
    let sql = "SELECT nup FROM processos WHERE id = $1";
    Ok(on_db!(db, pool => sqlx::query_scalar(sql).bind(processo_id).fetch_optional(pool).await?))
}

/// A document, only if it belongs to `operadora` (when given).
pub async fn documento(
    db: &Db,
    id: i64,
    operadora: Option<&str>,
) -> Result<Option<Documento>, StoreError> {
    let sql = "SELECT id, operadora, sha256, nome_arquivo, tamanho, chave, enviado_em, enviado_por
               FROM documentos WHERE id = $1 AND ($2 IS NULL OR operadora = $2)";
    Ok(on_db!(db, pool => sqlx::query_as(sql).bind(id).bind(operadora).fetch_optional(pool).await?))
}

/// A protocolled petition by its protocol number, only if it is `operadora`'s (when given).
pub async fn por_protocolo(
    db: &Db,
    protocolo: &str,
    operadora: Option<&str>,
) -> Result<Option<Peticao>, StoreError> {
    let sql = "SELECT id, tipo, processo_id, operadora, motivo, fundamentacao, auditor, estado,
                      protocolo, protocolada_em FROM peticoes
               WHERE protocolo = $1 AND ($2 IS NULL OR operadora = $2)";
    Ok(
        on_db!(db, pool => sqlx::query_as(sql).bind(protocolo).bind(operadora).fetch_optional(pool).await?),
    )
}

/// The documents of a petition, in id order.
pub async fn documentos_de(db: &Db, peticao_id: i64) -> Result<Vec<Documento>, StoreError> {
    let sql = "SELECT d.id, d.operadora, d.sha256, d.nome_arquivo, d.tamanho, d.chave, d.enviado_em, d.enviado_por
               FROM documentos d JOIN peticao_documentos pd ON pd.documento_id = d.id
               WHERE pd.peticao_id = $1 ORDER BY d.id";
    Ok(on_db!(db, pool => sqlx::query_as(sql).bind(peticao_id).fetch_all(pool).await?))
}

/// One of an operator's drafts, as its dashboard lists them.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct RascunhoListado {
    pub id: i64,
    #[sqlx(try_from = "String")]
    pub tipo: TipoPeticao,
    pub nup: String,
    pub criada_em: DateTime<Utc>,
}

/// The operator's drafts, newest first.
pub async fn rascunhos_da_operadora(
    db: &Db,
    operadora: &str,
) -> Result<Vec<RascunhoListado>, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_as(
        "SELECT p.id, p.tipo, pr.nup, p.criada_em FROM peticoes p JOIN processos pr ON pr.id = p.processo_id
         WHERE p.operadora = $1 AND p.estado = 'rascunho' ORDER BY p.id DESC")
        .bind(operadora).fetch_all(pool).await?))
}

/// Whether draft `id` was discarded by `organizacao` (its audit event: the row itself is gone).
pub async fn rascunho_descartado(db: &Db, id: i64, organizacao: &str) -> Result<bool, StoreError> {
    let sql = "SELECT COUNT(*) FROM auditoria WHERE acao = 'peticao.rascunho_descartado'
               AND entidade = 'peticao' AND entidade_id = $1 AND organizacao = $2";
    let n: i64 = on_db!(db, pool => sqlx::query_scalar(sql).bind(id.to_string()).bind(organizacao)
        .fetch_one(pool).await?);
    Ok(n > 0)
}
