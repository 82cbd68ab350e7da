//! Charging: debts, GRUs, payments and imported bank return files.

use chrono::{DateTime, NaiveDate, Utc};
use persus_domain::cobranca::estados::{
    EstadoDebito, EstadoGru, EstadoParcela, EstadoParcelamento, SituacaoPagamento,
};
use serde::Serialize;

use crate::{Db, StoreError, Tx};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Debito {
    pub id: i64,
    pub operadora: String,
    pub processo_id: i64,
    pub nup: String,
    pub atendimentos: i32,
    pub valor_centavos: i64,
    pub vencimento: NaiveDate,
    /// aberto, pago, parcelado, rescindido (its balance moved to a new debt).
    #[sqlx(try_from = "String")]
    #[schema(value_type = String)]
    pub estado: EstadoDebito,
    pub pago_em: Option<NaiveDate>,
    pub parcelamento_id: Option<i64>,
    pub cadin_aviso_em: Option<NaiveDate>,
    pub cadin_incluido_em: Option<NaiveDate>,
    pub cadin_excluido_em: Option<NaiveDate>,
    pub divida_ativa_em: Option<NaiveDate>,
}

const DEBITO: &str = "d.id, d.operadora, d.processo_id, p.nup, d.atendimentos, d.valor_centavos,
                      d.vencimento, d.estado, d.pago_em, d.parcelamento_id, d.cadin_aviso_em,
                      d.cadin_incluido_em, d.cadin_excluido_em, d.divida_ativa_em";

/// Processes with due attendances not yet in a debt.
pub async fn processos_com_devidos(db: &Db) -> Result<Vec<i64>, StoreError> {
    let sql = "SELECT DISTINCT processo_id FROM atendimentos
               WHERE estado = 'devido' AND debito_id IS NULL AND processo_id IS NOT NULL
               ORDER BY processo_id";
    Ok(on_db!(db, pool => sqlx::query_scalar(sql).fetch_all(pool).await?))
}

/// Creates the debt of a process's due attendances not yet charged and ties them to it.
/// `None` if another run took them first.
pub async fn criar_debito(
    tx: &mut Tx,
    processo_id: i64,
    vencimento: NaiveDate,
    agora: DateTime<Utc>,
) -> Result<Option<Debito>, StoreError> {
    let (n, soma, operadora): (i64, Option<i64>, Option<String>) = on_tx!(tx, conn => sqlx::query_as(
        "SELECT COUNT(*), CAST(SUM(valor_devido_centavos) AS BIGINT), MIN(operadora) FROM atendimentos
         WHERE processo_id = $1 AND estado = 'devido' AND debito_id IS NULL")
        .bind(processo_id).fetch_one(conn).await?);
    let (Some(soma), Some(operadora)) = (soma, operadora) else {
        return Ok(None);
    };
    if n == 0 || soma <= 0 {
        return Ok(None);
    }
    let id: i64 = on_tx!(tx, conn => sqlx::query_scalar(
        "INSERT INTO debitos (operadora, processo_id, atendimentos, valor_centavos, vencimento, criado_em)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
        .bind(&operadora).bind(processo_id).bind(n as i32).bind(soma).bind(vencimento).bind(agora)
        .fetch_one(conn).await?);
    on_tx!(tx, conn => sqlx::query(
        "UPDATE atendimentos SET debito_id = $1
         WHERE processo_id = $2 AND estado = 'devido' AND debito_id IS NULL")
        .bind(id).bind(processo_id).execute(conn).await?.rows_affected());
    let sql = format!(
        "SELECT {DEBITO} FROM debitos d JOIN processos p ON p.id = d.processo_id WHERE d.id = $1"
    );
    Ok(Some(
        on_tx!(tx, conn => sqlx::query_as(&sql).bind(id).fetch_one(conn).await?),
    ))
}

/// Every open debt, oldest due first.
pub async fn debitos_abertos(db: &Db) -> Result<Vec<Debito>, StoreError> {
    let sql = format!(
        "SELECT {DEBITO} FROM debitos d JOIN processos p ON p.id = d.processo_id
         WHERE d.estado = 'aberto' ORDER BY d.vencimento, d.id"
    );
    Ok(on_db!(db, pool => sqlx::query_as(&sql).fetch_all(pool).await?))
}

pub async fn debitos_da_operadora(db: &Db, operadora: &str) -> Result<Vec<Debito>, StoreError> {
    let sql = format!(
        "SELECT {DEBITO} FROM debitos d JOIN processos p ON p.id = d.processo_id
         WHERE d.operadora = $1 ORDER BY d.vencimento, d.id"
    );
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(operadora).fetch_all(pool).await?))
}

/// The operator's debts among `ids` (others' do not exist for it).
pub async fn debitos(tx: &mut Tx, operadora: &str, ids: &[i64]) -> Result<Vec<Debito>, StoreError> {
    let mut out = Vec::with_capacity(ids.len());
    let sql = format!(
        "SELECT {DEBITO} FROM debitos d JOIN processos p ON p.id = d.processo_id
         WHERE d.id = $1 AND d.operadora = $2"
    );
    for id in ids {
        let d: Option<Debito> = on_tx!(tx, conn => sqlx::query_as(&sql).bind(id).bind(operadora).fetch_optional(conn).await?);
        out.extend(d);
    }
    Ok(out)
}

/// The GRU still payable (issued, not past its due date on `hoje`) that already charges a
/// debt, if any. A GRU past its due date cannot be paid: its debts may go into a new one.
pub async fn gru_aberta_do_debito(
    tx: &mut Tx,
    debito_id: i64,
    hoje: NaiveDate,
) -> Result<Option<String>, StoreError> {
    Ok(on_tx!(tx, conn => sqlx::query_scalar(
        "SELECT g.numero FROM gru_debitos gd JOIN grus g ON g.id = gd.gru_id
         WHERE gd.debito_id = $1 AND g.estado = 'emitida' AND g.vencimento >= $2")
        .bind(debito_id).bind(hoje).fetch_optional(conn).await?))
}

/// The composition of a GRU: (NUP, principal, fine, interest).
pub async fn linhas_da_gru(
    db: &Db,
    gru_id: i64,
) -> Result<Vec<(String, i64, i64, i64)>, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_as(
        "SELECT p.nup, gd.principal_centavos, gd.multa_centavos, gd.juros_centavos
         FROM gru_debitos gd JOIN debitos d ON d.id = gd.debito_id JOIN processos p ON p.id = d.processo_id
         WHERE gd.gru_id = $1 ORDER BY p.nup")
        .bind(gru_id).fetch_all(pool).await?))
}

/// Next value of a named counter (GRU numbers), gapless within committed transactions.
pub async fn proxima_sequencia(tx: &mut Tx, nome: &str) -> Result<i64, StoreError> {
    Ok(on_tx!(tx, conn => sqlx::query_scalar(
        "INSERT INTO sequencias (nome, ultimo) VALUES ($1, 1)
         ON CONFLICT (nome) DO UPDATE SET ultimo = sequencias.ultimo + 1 RETURNING ultimo")
        .bind(nome).fetch_one(conn).await?))
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Gru {
    pub id: i64,
    pub numero: String,
    pub nosso_numero: String,
    pub operadora: String,
    pub vencimento: NaiveDate,
    pub valor_centavos: i64,
    pub codigo_barras: String,
    pub linha_digitavel: String,
    #[sqlx(try_from = "String")]
    pub estado: EstadoGru,
    pub memoria: String,
    pub emitida_em: DateTime<Utc>,
    pub emitida_por: String,
    pub paga_em: Option<NaiveDate>,
    pub valor_pago_centavos: Option<i64>,
}

const GRU: &str = "id, numero, nosso_numero, operadora, vencimento, valor_centavos, codigo_barras,
                   linha_digitavel, estado, memoria, emitida_em, emitida_por, paga_em, valor_pago_centavos";

pub async fn inserir_gru(tx: &mut Tx, g: &Gru) -> Result<i64, StoreError> {
    Ok(on_tx!(tx, conn => sqlx::query_scalar(
        "INSERT INTO grus (numero, nosso_numero, operadora, vencimento, valor_centavos, codigo_barras,
                           linha_digitavel, estado, memoria, emitida_em, emitida_por)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'emitida', $8, $9, $10) RETURNING id")
        .bind(&g.numero).bind(&g.nosso_numero).bind(&g.operadora).bind(g.vencimento)
        .bind(g.valor_centavos).bind(&g.codigo_barras).bind(&g.linha_digitavel).bind(&g.memoria)
        .bind(g.emitida_em).bind(&g.emitida_por).fetch_one(conn).await?))
}

pub async fn ligar_debito(
    tx: &mut Tx,
    gru_id: i64,
    debito_id: i64,
    principal: i64,
    multa: i64,
    juros: i64,
) -> Result<(), StoreError> {
    on_tx!(tx, conn => sqlx::query(
        "INSERT INTO gru_debitos (gru_id, debito_id, principal_centavos, multa_centavos, juros_centavos)
         VALUES ($1, $2, $3, $4, $5)")
        .bind(gru_id).bind(debito_id).bind(principal).bind(multa).bind(juros)
        .execute(conn).await?.rows_affected());
    Ok(())
}

/// A GRU by number; with `operadora`, only if it is that operator's.
pub async fn gru(
    db: &Db,
    numero: &str,
    operadora: Option<&str>,
) -> Result<Option<Gru>, StoreError> {
    let sql =
        format!("SELECT {GRU} FROM grus WHERE numero = $1 AND ($2 IS NULL OR operadora = $2)");
    Ok(
        on_db!(db, pool => sqlx::query_as(&sql).bind(numero).bind(operadora).fetch_optional(pool).await?),
    )
}

pub async fn grus_da_operadora(db: &Db, operadora: &str) -> Result<Vec<Gru>, StoreError> {
    let sql = format!("SELECT {GRU} FROM grus WHERE operadora = $1 ORDER BY id DESC");
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(operadora).fetch_all(pool).await?))
}

pub async fn gru_por_nosso_numero(
    tx: &mut Tx,
    nosso_numero: &str,
) -> Result<Option<Gru>, StoreError> {
    let sql = format!("SELECT {GRU} FROM grus WHERE nosso_numero = $1");
    Ok(on_tx!(tx, conn => sqlx::query_as(&sql).bind(nosso_numero).fetch_optional(conn).await?))
}

/// Marks a GRU paid and what it charged settled: its debts (leaving CADIN the same day) or its
/// instalment (and the parcelamento, with its debts, when it was the last).
pub async fn quitar_gru(
    tx: &mut Tx,
    gru_id: i64,
    pago_em: NaiveDate,
    valor: i64,
) -> Result<(), StoreError> {
    on_tx!(tx, conn => sqlx::query(
        "UPDATE grus SET estado = 'paga', paga_em = $2, valor_pago_centavos = $3 WHERE id = $1")
        .bind(gru_id).bind(pago_em).bind(valor).execute(conn).await?.rows_affected());
    on_tx!(tx, conn => sqlx::query(
        "UPDATE debitos SET estado = 'pago', pago_em = $2,
                cadin_excluido_em = CASE WHEN cadin_incluido_em IS NOT NULL AND cadin_excluido_em IS NULL
                                         THEN $2 ELSE cadin_excluido_em END
         WHERE id IN (SELECT debito_id FROM gru_debitos WHERE gru_id = $1)")
        .bind(gru_id).bind(pago_em).execute(conn).await?.rows_affected());
    let parcela: Option<(Option<i64>, Option<i32>)> = on_tx!(tx, conn => sqlx::query_as(
        "SELECT parcelamento_id, parcela FROM grus WHERE id = $1")
        .bind(gru_id).fetch_optional(conn).await?);
    if let Some((Some(p), Some(n))) = parcela {
        on_tx!(tx, conn => sqlx::query(
            "UPDATE parcelas SET estado = 'paga', paga_em = $3 WHERE parcelamento_id = $1 AND numero = $2")
            .bind(p).bind(n).bind(pago_em).execute(conn).await?.rows_affected());
        on_tx!(tx, conn => sqlx::query(
            "UPDATE parcelamentos SET estado = 'quitado'
             WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM parcelas WHERE parcelamento_id = $1 AND estado <> 'paga')")
            .bind(p).execute(conn).await?.rows_affected());
        on_tx!(tx, conn => sqlx::query(
            "UPDATE debitos SET estado = 'pago', pago_em = $2
             WHERE parcelamento_id = $1 AND estado = 'parcelado'
               AND EXISTS (SELECT 1 FROM parcelamentos WHERE id = $1 AND estado = 'quitado')")
            .bind(p).bind(pago_em).execute(conn).await?.rows_affected());
    }
    Ok(())
}

/// Cancels an open GRU (its debts can be charged again by a new one).
pub async fn cancelar_gru(tx: &mut Tx, gru_id: i64) -> Result<bool, StoreError> {
    let n = on_tx!(tx, conn => sqlx::query(
        "UPDATE grus SET estado = 'cancelada' WHERE id = $1 AND estado = 'emitida'")
        .bind(gru_id).execute(conn).await?.rows_affected());
    Ok(n == 1)
}

/// Records an imported return file; false if that very file (same SHA-256) was imported before.
pub async fn registrar_retorno(
    tx: &mut Tx,
    sha256: &str,
    nome: &str,
    por: &str,
    relatorio: &str,
    em: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let n = on_tx!(tx, conn => sqlx::query(
        "INSERT INTO retornos_bancarios (sha256, nome_arquivo, importado_em, importado_por, relatorio)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (sha256) DO NOTHING")
        .bind(sha256).bind(nome).bind(em).bind(por).bind(relatorio).execute(conn).await?.rows_affected());
    Ok(n == 1)
}

pub async fn registrar_relatorio(
    tx: &mut Tx,
    sha256: &str,
    relatorio: &str,
) -> Result<(), StoreError> {
    on_tx!(tx, conn => sqlx::query("UPDATE retornos_bancarios SET relatorio = $2 WHERE sha256 = $1")
        .bind(sha256).bind(relatorio).execute(conn).await?.rows_affected());
    Ok(())
}

pub async fn relatorio_do_retorno(db: &Db, sha256: &str) -> Result<Option<String>, StoreError> {
    Ok(
        on_db!(db, pool => sqlx::query_scalar("SELECT relatorio FROM retornos_bancarios WHERE sha256 = $1")
        .bind(sha256).fetch_optional(pool).await?),
    )
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Pagamento {
    pub id: i64,
    pub nosso_numero: String,
    pub gru_id: Option<i64>,
    pub valor_centavos: i64,
    pub pago_em: NaiveDate,
    pub origem: String,
    pub retorno_sha256: Option<String>,
    #[sqlx(try_from = "String")]
    #[schema(value_type = String)]
    pub situacao: SituacaoPagamento,
    pub observacao: String,
    pub registrado_em: DateTime<Utc>,
    pub registrado_por: String,
}

pub async fn inserir_pagamento(tx: &mut Tx, p: &Pagamento) -> Result<i64, StoreError> {
    Ok(on_tx!(tx, conn => sqlx::query_scalar(
        "INSERT INTO pagamentos (nosso_numero, gru_id, valor_centavos, pago_em, origem, retorno_sha256,
                                 situacao, observacao, registrado_em, registrado_por)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id")
        .bind(&p.nosso_numero).bind(p.gru_id).bind(p.valor_centavos).bind(p.pago_em).bind(&p.origem)
        .bind(&p.retorno_sha256).bind(p.situacao.as_str()).bind(&p.observacao).bind(p.registrado_em)
        .bind(&p.registrado_por).fetch_one(conn).await?))
}

pub async fn pagamentos_da_operadora(
    db: &Db,
    operadora: &str,
) -> Result<Vec<Pagamento>, StoreError> {
    let sql = "SELECT p.id, p.nosso_numero, p.gru_id, p.valor_centavos, p.pago_em, p.origem,
                      p.retorno_sha256, p.situacao, p.observacao, p.registrado_em, p.registrado_por
               FROM pagamentos p JOIN grus g ON g.id = p.gru_id
               WHERE g.operadora = $1 ORDER BY p.id";
    Ok(on_db!(db, pool => sqlx::query_as(sql).bind(operadora).fetch_all(pool).await?))
}

// ---- SELIC rates ----

/// Every stored rate `(ano, mes, centésimos)` and the instant of the last import (the version).
pub async fn selic(db: &Db) -> Result<(Vec<(i32, i32, i64)>, Option<DateTime<Utc>>), StoreError> {
    let linhas: Vec<(i32, i32, i64)> = on_db!(db, pool => sqlx::query_as(
        "SELECT ano, mes, taxa_centesimos FROM selic_taxas ORDER BY ano, mes").fetch_all(pool).await?);
    let ultima: Option<DateTime<Utc>> = on_db!(db, pool => sqlx::query_scalar(
        "SELECT MAX(importado_em) FROM selic_taxas").fetch_one(pool).await?);
    Ok((linhas, ultima))
}

/// A month's SELIC rate as [`gravar_selic`] stores it, with where it came from.
#[derive(Clone, Copy, Debug)]
pub struct TaxaSelic<'a> {
    pub ano: i32,
    pub mes: i32,
    /// Hundredths of a percentage point.
    pub taxa_centesimos: i64,
    pub fonte: &'a str,
    pub por: &'a str,
    pub em: DateTime<Utc>,
}

/// Stores a month's rate; `substituir` false keeps a rate already there (seeding), true replaces
/// it (an import). Returns whether a row was written.
pub async fn gravar_selic(
    tx: &mut Tx,
    t: &TaxaSelic<'_>,
    substituir: bool,
) -> Result<bool, StoreError> {
    let TaxaSelic {
        ano,
        mes,
        taxa_centesimos: taxa,
        fonte,
        por,
        em,
    } = *t;
    let sql = if substituir {
        "INSERT INTO selic_taxas (ano, mes, taxa_centesimos, fonte, importado_em, importado_por)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (ano, mes) DO UPDATE SET taxa_centesimos = excluded.taxa_centesimos,
             fonte = excluded.fonte, importado_em = excluded.importado_em, importado_por = excluded.importado_por"
    } else {
        "INSERT INTO selic_taxas (ano, mes, taxa_centesimos, fonte, importado_em, importado_por)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (ano, mes) DO NOTHING"
    };
    let n = on_tx!(tx, conn => sqlx::query(sql).bind(ano).bind(mes).bind(taxa).bind(fonte).bind(em).bind(por)
        .execute(conn).await?.rows_affected());
    Ok(n == 1)
}

// ---- Parcelamentos ----

#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Parcelamento {
    pub id: i64,
    pub operadora: String,
    pub consolidado_centavos: i64,
    pub parcelas: i32,
    pub concedido_em: NaiveDate,
    #[sqlx(try_from = "String")]
    #[schema(value_type = String)]
    pub estado: EstadoParcelamento,
    pub confissao: String,
    pub memoria: String,
    pub solicitado_por: String,
    pub solicitado_em: DateTime<Utc>,
    pub rescindido_em: Option<NaiveDate>,
    pub saldo_rescisao_centavos: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
#[schema(as = ParcelaDoParcelamento)]
pub struct ParcelaRow {
    pub parcelamento_id: i64,
    pub numero: i32,
    pub vencimento: NaiveDate,
    pub base_centavos: i64,
    #[sqlx(try_from = "String")]
    #[schema(value_type = String)]
    pub estado: EstadoParcela,
    pub paga_em: Option<NaiveDate>,
}

const PARCELAMENTO: &str = "id, operadora, consolidado_centavos, parcelas, concedido_em, estado, confissao,
                            memoria, solicitado_por, solicitado_em, rescindido_em, saldo_rescisao_centavos";

pub async fn criar_parcelamento(tx: &mut Tx, p: &Parcelamento) -> Result<i64, StoreError> {
    Ok(on_tx!(tx, conn => sqlx::query_scalar(
        "INSERT INTO parcelamentos (operadora, consolidado_centavos, parcelas, concedido_em, estado,
                                    confissao, memoria, solicitado_por, solicitado_em)
         VALUES ($1, $2, $3, $4, 'ativo', $5, $6, $7, $8) RETURNING id")
        .bind(&p.operadora).bind(p.consolidado_centavos).bind(p.parcelas).bind(p.concedido_em)
        .bind(&p.confissao).bind(&p.memoria).bind(&p.solicitado_por).bind(p.solicitado_em)
        .fetch_one(conn).await?))
}

pub async fn criar_parcela(
    tx: &mut Tx,
    parcelamento_id: i64,
    numero: i32,
    vencimento: NaiveDate,
    base: i64,
) -> Result<(), StoreError> {
    on_tx!(tx, conn => sqlx::query(
        "INSERT INTO parcelas (parcelamento_id, numero, vencimento, base_centavos) VALUES ($1, $2, $3, $4)")
        .bind(parcelamento_id).bind(numero).bind(vencimento).bind(base).execute(conn).await?.rows_affected());
    Ok(())
}

/// Puts debts into a parcelamento (they leave CADIN: the registration is suspended).
pub async fn parcelar_debitos(
    tx: &mut Tx,
    parcelamento_id: i64,
    ids: &[i64],
    em: NaiveDate,
) -> Result<(), StoreError> {
    for id in ids {
        on_tx!(tx, conn => sqlx::query(
            "UPDATE debitos SET estado = 'parcelado', parcelamento_id = $1,
                    cadin_excluido_em = CASE WHEN cadin_incluido_em IS NOT NULL AND cadin_excluido_em IS NULL
                                             THEN $3 ELSE cadin_excluido_em END
             WHERE id = $2 AND estado = 'aberto'")
            .bind(parcelamento_id).bind(id).bind(em).execute(conn).await?.rows_affected());
    }
    Ok(())
}

pub async fn parcelamento(
    db: &Db,
    id: i64,
    operadora: Option<&str>,
) -> Result<Option<(Parcelamento, Vec<ParcelaRow>)>, StoreError> {
    let sql = format!(
        "SELECT {PARCELAMENTO} FROM parcelamentos WHERE id = $1 AND ($2 IS NULL OR operadora = $2)"
    );
    let p: Option<Parcelamento> = on_db!(db, pool => sqlx::query_as(&sql).bind(id).bind(operadora).fetch_optional(pool).await?);
    let Some(p) = p else { return Ok(None) };
    let parcelas: Vec<ParcelaRow> = on_db!(db, pool => sqlx::query_as(
        "SELECT parcelamento_id, numero, vencimento, base_centavos, estado, paga_em
         FROM parcelas WHERE parcelamento_id = $1 ORDER BY numero")
        .bind(id).fetch_all(pool).await?);
    Ok(Some((p, parcelas)))
}

pub async fn parcelamentos_da_operadora(
    db: &Db,
    operadora: &str,
) -> Result<Vec<Parcelamento>, StoreError> {
    let sql =
        format!("SELECT {PARCELAMENTO} FROM parcelamentos WHERE operadora = $1 ORDER BY id DESC");
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(operadora).fetch_all(pool).await?))
}

pub async fn parcelamentos_ativos(db: &Db) -> Result<Vec<i64>, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_scalar(
        "SELECT id FROM parcelamentos WHERE estado = 'ativo' ORDER BY id").fetch_all(pool).await?))
}

/// The GRU still payable of an instalment, if any.
pub async fn gru_aberta_da_parcela(
    tx: &mut Tx,
    parcelamento_id: i64,
    numero: i32,
    hoje: NaiveDate,
) -> Result<Option<String>, StoreError> {
    Ok(on_tx!(tx, conn => sqlx::query_scalar(
        "SELECT numero FROM grus WHERE parcelamento_id = $1 AND parcela = $2 AND estado = 'emitida'
           AND vencimento >= $3")
        .bind(parcelamento_id).bind(numero).bind(hoje).fetch_optional(conn).await?))
}

pub async fn ligar_parcela(
    tx: &mut Tx,
    gru_id: i64,
    parcelamento_id: i64,
    numero: i32,
) -> Result<(), StoreError> {
    on_tx!(tx, conn => sqlx::query("UPDATE grus SET parcelamento_id = $2, parcela = $3 WHERE id = $1")
        .bind(gru_id).bind(parcelamento_id).bind(numero).execute(conn).await?.rows_affected());
    Ok(())
}

/// Rescinds a parcelamento: the unpaid balance becomes a new debt, due at once, on the process
/// of its first debt; its debts are marked `rescindido`. Returns the new debt's id.
pub async fn rescindir(
    tx: &mut Tx,
    parcelamento_id: i64,
    em: NaiveDate,
    agora: DateTime<Utc>,
) -> Result<Option<i64>, StoreError> {
    let n = on_tx!(tx, conn => sqlx::query(
        "UPDATE parcelamentos SET estado = 'rescindido', rescindido_em = $2,
                saldo_rescisao_centavos = (SELECT COALESCE(SUM(base_centavos), 0) FROM parcelas
                                           WHERE parcelamento_id = $1 AND estado <> 'paga')
         WHERE id = $1 AND estado = 'ativo'")
        .bind(parcelamento_id).bind(em).execute(conn).await?.rows_affected());
    if n == 0 {
        return Ok(None);
    }
    let (saldo, operadora): (Option<i64>, String) = on_tx!(tx, conn => sqlx::query_as(
        "SELECT saldo_rescisao_centavos, operadora FROM parcelamentos WHERE id = $1")
        .bind(parcelamento_id).fetch_one(conn).await?);
    let (processo, atendimentos): (Option<i64>, Option<i64>) = on_tx!(tx, conn => sqlx::query_as(
        "SELECT MIN(processo_id), CAST(SUM(atendimentos) AS BIGINT) FROM debitos WHERE parcelamento_id = $1")
        .bind(parcelamento_id).fetch_one(conn).await?);
    on_tx!(tx, conn => sqlx::query(
        "UPDATE debitos SET estado = 'rescindido' WHERE parcelamento_id = $1 AND estado = 'parcelado'")
        .bind(parcelamento_id).execute(conn).await?.rows_affected());
    let (Some(saldo), Some(processo)) = (saldo.filter(|s| *s > 0), processo) else {
        return Ok(None);
    };
    Ok(Some(on_tx!(tx, conn => sqlx::query_scalar(
        "INSERT INTO debitos (operadora, processo_id, atendimentos, valor_centavos, vencimento, criado_em)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
        .bind(&operadora).bind(processo).bind(atendimentos.unwrap_or(1).max(1) as i32).bind(saldo).bind(em).bind(agora)
        .fetch_one(conn).await?)))
}

// ---- CADIN and dívida ativa ----

/// Open debts whose due date is on or before `ate` and that have no CADIN notice yet.
pub async fn sem_aviso_cadin(db: &Db, ate: NaiveDate) -> Result<Vec<Debito>, StoreError> {
    let sql = format!(
        "SELECT {DEBITO} FROM debitos d JOIN processos p ON p.id = d.processo_id
         WHERE d.estado = 'aberto' AND d.vencimento <= $1 AND d.cadin_aviso_em IS NULL ORDER BY d.id"
    );
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(ate).fetch_all(pool).await?))
}

/// Open debts noticed on or before `ate` and not yet in CADIN.
pub async fn a_incluir_no_cadin(db: &Db, ate: NaiveDate) -> Result<Vec<Debito>, StoreError> {
    let sql = format!(
        "SELECT {DEBITO} FROM debitos d JOIN processos p ON p.id = d.processo_id
         WHERE d.estado = 'aberto' AND d.cadin_aviso_em <= $1 AND d.cadin_incluido_em IS NULL ORDER BY d.id"
    );
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(ate).fetch_all(pool).await?))
}

/// Open debts in CADIN since on or before `ate` and not yet referred to dívida ativa.
pub async fn a_encaminhar_a_divida_ativa(
    db: &Db,
    ate: NaiveDate,
) -> Result<Vec<Debito>, StoreError> {
    let sql = format!(
        "SELECT {DEBITO} FROM debitos d JOIN processos p ON p.id = d.processo_id
         WHERE d.estado = 'aberto' AND d.cadin_incluido_em <= $1 AND d.cadin_excluido_em IS NULL
           AND d.divida_ativa_em IS NULL ORDER BY d.id"
    );
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(ate).fetch_all(pool).await?))
}

/// A dated step of the collection path of an open debt, each kept in a column of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MarcoCobranca {
    /// Prior notice of inclusion in CADIN.
    AvisoCadin,
    /// Inclusion in CADIN.
    InclusaoCadin,
    /// Referral to the Procuradoria for dívida ativa.
    DividaAtiva,
}

impl MarcoCobranca {
    /// The column of `debitos` holding the step's date.
    pub fn coluna(self) -> &'static str {
        match self {
            MarcoCobranca::AvisoCadin => "cadin_aviso_em",
            MarcoCobranca::InclusaoCadin => "cadin_incluido_em",
            MarcoCobranca::DividaAtiva => "divida_ativa_em",
        }
    }
}

/// Sets the date of one step of the collection path once; false if it was already set or the
/// debt is no longer open.
pub async fn marcar_cobranca(
    tx: &mut Tx,
    debito_id: i64,
    marco: MarcoCobranca,
    em: NaiveDate,
) -> Result<bool, StoreError> {
    let coluna = marco.coluna();
    let sql = format!(
        "UPDATE debitos SET {coluna} = $2 WHERE id = $1 AND {coluna} IS NULL AND estado = 'aberto'"
    );
    let n = on_tx!(tx, conn => sqlx::query(&sql).bind(debito_id).bind(em).execute(conn).await?.rows_affected());
    Ok(n == 1)
}

// ---- Statements ----

/// Collected per month (reconciled payments): `(AAAA-MM, count, centavos)`.
pub async fn arrecadacao_por_mes(db: &Db) -> Result<Vec<(String, i64, i64)>, StoreError> {
    let linhas: Vec<(NaiveDate, i64)> = on_db!(db, pool => sqlx::query_as(
        "SELECT pago_em, valor_centavos FROM pagamentos WHERE situacao = 'conciliado' ORDER BY pago_em")
        .fetch_all(pool).await?);
    let mut out: Vec<(String, i64, i64)> = Vec::new();
    for (d, v) in linhas {
        let m = d.format("%Y-%m").to_string();
        match out.last_mut() {
            Some(x) if x.0 == m => {
                x.1 += 1;
                x.2 += v;
            }
            _ => out.push((m, 1, v)),
        }
    }
    Ok(out)
}

// ---- Credits ----

#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Credito {
    pub id: i64,
    pub operadora: String,
    pub valor_centavos: i64,
    pub origem: String,
    pub criado_em: DateTime<Utc>,
    pub gru_id: Option<i64>,
}

pub async fn criar_credito(
    tx: &mut Tx,
    operadora: &str,
    valor: i64,
    origem: &str,
    em: DateTime<Utc>,
) -> Result<i64, StoreError> {
    Ok(on_tx!(tx, conn => sqlx::query_scalar(
        "INSERT INTO creditos (operadora, valor_centavos, origem, criado_em) VALUES ($1, $2, $3, $4) RETURNING id")
        .bind(operadora).bind(valor).bind(origem).bind(em).fetch_one(conn).await?))
}

/// The operator's credits still available on `hoje`: not taken, or taken by a GRU that was
/// cancelled or expired unpaid.
pub async fn creditos_disponiveis(
    tx: &mut Tx,
    operadora: &str,
    hoje: NaiveDate,
) -> Result<Vec<Credito>, StoreError> {
    Ok(on_tx!(tx, conn => sqlx::query_as(
        "SELECT c.id, c.operadora, c.valor_centavos, c.origem, c.criado_em, c.gru_id
         FROM creditos c LEFT JOIN grus g ON g.id = c.gru_id
         WHERE c.operadora = $1
           AND (c.gru_id IS NULL OR g.estado = 'cancelada' OR (g.estado = 'emitida' AND g.vencimento < $2))
         ORDER BY c.id")
        .bind(operadora).bind(hoje).fetch_all(conn).await?))
}

pub async fn creditos_da_operadora(db: &Db, operadora: &str) -> Result<Vec<Credito>, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_as(
        "SELECT id, operadora, valor_centavos, origem, criado_em, gru_id FROM creditos WHERE operadora = $1 ORDER BY id")
        .bind(operadora).fetch_all(pool).await?))
}

pub async fn usar_credito(tx: &mut Tx, credito_id: i64, gru_id: i64) -> Result<(), StoreError> {
    on_tx!(tx, conn => sqlx::query("UPDATE creditos SET gru_id = $2 WHERE id = $1")
        .bind(credito_id).bind(gru_id).execute(conn).await?.rows_affected());
    Ok(())
}

/// The operator's debts already in a GRU still payable on `hoje`: (debt id, GRU number).
pub async fn debitos_em_gru_pagavel(
    db: &Db,
    operadora: &str,
    hoje: NaiveDate,
) -> Result<Vec<(i64, String)>, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_as(
        "SELECT gd.debito_id, g.numero FROM gru_debitos gd JOIN grus g ON g.id = gd.gru_id
         WHERE g.operadora = $1 AND g.estado = 'emitida' AND g.vencimento >= $2")
        .bind(operadora).bind(hoje).fetch_all(pool).await?))
}

pub async fn grus_recentes(db: &Db, limite: i64) -> Result<Vec<Gru>, StoreError> {
    let sql = format!("SELECT {GRU} FROM grus ORDER BY id DESC LIMIT $1");
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(limite).fetch_all(pool).await?))
}

pub async fn pagamentos_recentes(db: &Db, limite: i64) -> Result<Vec<Pagamento>, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_as(
        "SELECT id, nosso_numero, gru_id, valor_centavos, pago_em, origem, retorno_sha256, situacao,
                observacao, registrado_em, registrado_por FROM pagamentos ORDER BY id DESC LIMIT $1")
        .bind(limite).fetch_all(pool).await?))
}

pub async fn parcelamentos_no_estado(
    db: &Db,
    estado: EstadoParcelamento,
    limite: i64,
) -> Result<Vec<Parcelamento>, StoreError> {
    let sql = format!(
        "SELECT {PARCELAMENTO} FROM parcelamentos WHERE estado = $1 ORDER BY id DESC LIMIT $2"
    );
    Ok(
        on_db!(db, pool => sqlx::query_as(&sql).bind(estado.as_str()).bind(limite).fetch_all(pool).await?),
    )
}
