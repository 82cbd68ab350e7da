//! What ANS's analysts read to decide: the analysis queues with the petition that put each
//! attendance there (filters by operator, ground, value and age), what makes two cases
//! "identical" for a decision taken over many, and the facts of a case page that the
//! attendance's history does not carry (procedures, operator and establishment names).

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::historico::DecisaoDoAtendimento;
use crate::{Db, StoreError, Tx};

/// Filters of a queue; `estado` (the queue's state) and `tipo_peticao` (the petition that
/// brought the attendance there) are the queue itself, the rest are optional.
#[derive(Clone, Debug)]
pub struct FiltroFila<'a> {
    pub estado: &'a str,
    pub tipo_peticao: &'a str,
    pub operadora: Option<&'a str>,
    pub motivo: Option<&'a str>,
    pub valor_min: Option<i64>,
    pub valor_max: Option<i64>,
    /// Only petitions protocolled at or before this instant (the age filter).
    pub protocolada_ate: Option<DateTime<Utc>>,
    pub limite: i64,
}

/// One attendance waiting in a queue, with its petition.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ItemFila {
    pub id: i64,
    pub numero: String,
    pub tipo: String,
    pub operadora: String,
    pub razao_social: String,
    /// The value due now (the value to reimburse until a decision changed it).
    pub valor_centavos: i64,
    pub peticao_id: Option<i64>,
    pub protocolo: Option<String>,
    pub protocolada_em: Option<DateTime<Utc>>,
    pub motivo: Option<String>,
    pub fundamentacao: Option<String>,
    pub auditor: Option<String>,
}

const FILA_DE: &str = "FROM atendimentos a
    JOIN operadoras o ON o.registro_ans = a.operadora
    LEFT JOIN peticao_atendimentos pa
        ON pa.atendimento_id = a.id AND pa.tipo = $2 AND pa.protocolada
    LEFT JOIN peticoes p ON p.id = pa.peticao_id
    WHERE a.estado = $1
      AND ($3 IS NULL OR a.operadora = $3)
      AND ($4 IS NULL OR p.motivo = $4)
      AND ($5 IS NULL OR COALESCE(a.valor_devido_centavos, a.valor_ressarcimento_centavos) >= $5)
      AND ($6 IS NULL OR COALESCE(a.valor_devido_centavos, a.valor_ressarcimento_centavos) <= $6)
      AND ($7 IS NULL OR p.protocolada_em <= $7)";

/// The queue, oldest petition first, at most `limite` items.
pub async fn fila(db: &Db, f: &FiltroFila<'_>) -> Result<Vec<ItemFila>, StoreError> {
    let sql = format!(
        "SELECT a.id, a.numero, a.tipo, a.operadora, o.razao_social,
                COALESCE(a.valor_devido_centavos, a.valor_ressarcimento_centavos) AS valor_centavos,
                p.id AS peticao_id, p.protocolo, p.protocolada_em, p.motivo,
                p.fundamentacao, p.auditor
         {FILA_DE} ORDER BY p.protocolada_em, a.id LIMIT $8"
    );
    Ok(on_db!(db, pool => sqlx::query_as(&sql)
        .bind(f.estado).bind(f.tipo_peticao).bind(f.operadora).bind(f.motivo)
        .bind(f.valor_min).bind(f.valor_max).bind(f.protocolada_ate).bind(f.limite)
        .fetch_all(pool).await?))
}

/// How many attendances the filters select (the queue may be longer than what is listed).
pub async fn contar_fila(db: &Db, f: &FiltroFila<'_>) -> Result<i64, StoreError> {
    let sql = format!("SELECT COUNT(*) {FILA_DE}");
    Ok(on_db!(db, pool => sqlx::query_scalar(&sql)
        .bind(f.estado).bind(f.tipo_peticao).bind(f.operadora).bind(f.motivo)
        .bind(f.valor_min).bind(f.valor_max).bind(f.protocolada_ate)
        .fetch_one(pool).await?))
}

/// What two cases must share to be decided together: the kind of attendance and the ground
/// of the protocolled petition of `tipo_peticao` (`None` when there is none).
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Identidade {
    pub id: i64,
    pub numero: String,
    pub tipo: String,
    pub motivo: Option<String>,
}

/// The [`Identidade`] of each of `ids` that exists, in the caller's transaction.
pub async fn identidades(
    tx: &mut Tx,
    ids: &[i64],
    tipo_peticao: &str,
) -> Result<Vec<Identidade>, StoreError> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(1_000) {
        let linhas: Vec<Identidade> = on_tx!(tx, conn => {
            let mut qb = sqlx::QueryBuilder::new(
                "SELECT a.id, a.numero, a.tipo, p.motivo FROM atendimentos a
                 LEFT JOIN peticao_atendimentos pa
                     ON pa.atendimento_id = a.id AND pa.protocolada AND pa.tipo = ");
            qb.push_bind(tipo_peticao);
            qb.push(" LEFT JOIN peticoes p ON p.id = pa.peticao_id WHERE a.id IN (");
            let mut sep = qb.separated(", ");
            for id in chunk {
                sep.push_bind(*id);
            }
            qb.push(") ORDER BY a.id");
            qb.build_query_as().fetch_all(&mut *conn).await?
        });
        out.extend(linhas);
    }
    Ok(out)
}

/// One procedure of an attendance, with its SIGTAP name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ProcedimentoDoCaso {
    pub codigo: String,
    pub nome: String,
    pub quantidade: i32,
    pub valor_centavos: i64,
}

pub async fn procedimentos(
    db: &Db,
    atendimento_id: i64,
) -> Result<Vec<ProcedimentoDoCaso>, StoreError> {
    let sql = "SELECT p.codigo, s.nome, p.quantidade, p.valor_centavos
               FROM atendimento_procedimentos p JOIN procedimentos_sigtap s ON s.codigo = p.codigo
               WHERE p.atendimento_id = $1 ORDER BY p.seq";
    Ok(on_db!(db, pool => sqlx::query_as(sql).bind(atendimento_id).fetch_all(pool).await?))
}

/// Names a case page shows next to the codes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct NomesDoCaso {
    pub razao_social: String,
    pub estabelecimento: String,
}

pub async fn nomes(db: &Db, atendimento_id: i64) -> Result<Option<NomesDoCaso>, StoreError> {
    let sql = "SELECT o.razao_social, e.nome AS estabelecimento
               FROM atendimentos a JOIN operadoras o ON o.registro_ans = a.operadora
                    JOIN estabelecimentos e ON e.cnes = a.cnes
               WHERE a.id = $1";
    Ok(on_db!(db, pool => sqlx::query_as(sql).bind(atendimento_id).fetch_optional(pool).await?))
}

/// A decision with what the page of a published decision shows next to it: the attendance,
/// its operator, process and state now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct DecisaoPublicada {
    pub numero: String,
    pub operadora: String,
    pub nup: Option<String>,
    pub estado: String,
    #[sqlx(flatten)]
    pub decisao: DecisaoDoAtendimento,
}

/// The decisions of the notices `notificacoes` (one decision may produce one notice per process).
pub async fn decisoes_das_notificacoes(
    db: &Db,
    notificacoes: &[i64],
) -> Result<Vec<DecisaoPublicada>, StoreError> {
    let mut out = Vec::new();
    for n in notificacoes {
        let sql = "SELECT a.numero, a.operadora, pr.nup, a.estado, d.instancia, d.resultado,
                          d.valor_anterior, d.valor_novo, d.fundamentacao, d.decidido_por,
                          d.decidido_em, d.notificacao_id
                   FROM decisoes d JOIN atendimentos a ON a.id = d.atendimento_id
                        LEFT JOIN processos pr ON pr.id = a.processo_id
                   WHERE d.notificacao_id = $1 ORDER BY a.numero";
        let linhas: Vec<DecisaoPublicada> =
            on_db!(db, pool => sqlx::query_as(sql).bind(*n).fetch_all(pool).await?);
        out.extend(linhas);
    }
    Ok(out)
}
