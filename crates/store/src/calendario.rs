//! Deadline calendar feeds (issue #15 §4): the secret feed URLs (only the SHA-256 of each token)
//! and the operator's running deadlines a feed serves.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use persus_domain::acesso::TipoNotificacao;

use crate::{Db, StoreError, Tx};

/// A new feed: who asked, for which operator, under which name.
pub struct NovoCalendario<'a> {
    pub token_sha256: &'a str,
    pub operadora: &'a str,
    pub usuario_id: i64,
    pub nome: &'a str,
    pub em: DateTime<Utc>,
}

/// Creates a feed; returns its id.
pub async fn criar(tx: &mut Tx, c: &NovoCalendario<'_>) -> Result<i64, StoreError> {
    Ok(on_tx!(tx, conn => sqlx::query_scalar(
        "INSERT INTO calendarios (token_sha256, operadora, usuario_id, nome, criado_em)
         VALUES ($1, $2, $3, $4, $5) RETURNING id")
        .bind(c.token_sha256).bind(c.operadora).bind(c.usuario_id).bind(c.nome).bind(c.em)
        .fetch_one(conn).await?))
}

/// A feed with the login of the person who created it (whose permissions it serves).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Calendario {
    pub id: i64,
    pub operadora: String,
    pub usuario_id: i64,
    pub login: String,
    pub nome: String,
    pub criado_em: DateTime<Utc>,
    pub ultimo_uso_em: Option<DateTime<Utc>>,
    pub revogado_em: Option<DateTime<Utc>>,
}

const CALENDARIO: &str = "SELECT c.id, c.operadora, c.usuario_id, u.login, c.nome, c.criado_em,
        c.ultimo_uso_em, c.revogado_em
    FROM calendarios c JOIN usuarios u ON u.id = c.usuario_id";

/// The active (not revoked) feed whose token hashes to `token_sha256`. The lookup is by the
/// hash's unique index, so the time taken does not depend on how much of a guess matches.
pub async fn ativo_por_hash(db: &Db, token_sha256: &str) -> Result<Option<Calendario>, StoreError> {
    let sql = format!("{CALENDARIO} WHERE c.token_sha256 = $1 AND c.revogado_em IS NULL");
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(token_sha256).fetch_optional(pool).await?))
}

/// One feed of `operadora` (others' feeds do not exist).
pub async fn da_operadora(
    db: &Db,
    id: i64,
    operadora: &str,
) -> Result<Option<Calendario>, StoreError> {
    let sql = format!("{CALENDARIO} WHERE c.id = $1 AND c.operadora = $2");
    Ok(
        on_db!(db, pool => sqlx::query_as(&sql).bind(id).bind(operadora).fetch_optional(pool).await?),
    )
}

/// Every feed of an operator, active and revoked, newest first.
pub async fn da_operadora_todos(db: &Db, operadora: &str) -> Result<Vec<Calendario>, StoreError> {
    let sql = format!("{CALENDARIO} WHERE c.operadora = $1 ORDER BY c.id DESC");
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(operadora).fetch_all(pool).await?))
}

/// Revokes a feed (once): false if it was already revoked.
pub async fn revogar(tx: &mut Tx, id: i64, em: DateTime<Utc>) -> Result<bool, StoreError> {
    let n = on_tx!(tx, conn => sqlx::query(
        "UPDATE calendarios SET revogado_em = $2 WHERE id = $1 AND revogado_em IS NULL")
        .bind(id).bind(em).execute(conn).await?.rows_affected());
    Ok(n == 1)
}

/// Records that a calendar application read the feed.
pub async fn registrar_uso(db: &Db, id: i64, em: DateTime<Utc>) -> Result<(), StoreError> {
    on_db!(db, pool => sqlx::query("UPDATE calendarios SET ultimo_uso_em = $2 WHERE id = $1")
        .bind(id).bind(em).execute(pool).await?.rows_affected());
    Ok(())
}

/// A notice whose period runs on or after a day: the deadline the lifecycle recorded at ciência
/// (`notificacoes.vencimento`), with the process it belongs to.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct PrazoDeNotificacao {
    pub notificacao_id: i64,
    #[sqlx(try_from = "String")]
    pub tipo: TipoNotificacao,
    pub nup: String,
    pub abi_numero: i32,
    pub ciencia_em: NaiveDate,
    pub vencimento: NaiveDate,
}

/// The open periods of `operadora`'s notices that end on or after `hoje`.
pub async fn prazos_de_notificacoes(
    db: &Db,
    operadora: &str,
    hoje: NaiveDate,
) -> Result<Vec<PrazoDeNotificacao>, StoreError> {
    let sql =
        "SELECT n.id AS notificacao_id, n.tipo, p.nup, p.abi_numero, n.ciencia_em, n.vencimento
               FROM notificacoes n JOIN processos p ON p.id = n.processo_id
               WHERE p.operadora = $1 AND n.ciencia_em IS NOT NULL AND n.vencimento >= $2
                 AND n.prazo_encerrado_em IS NULL
               ORDER BY n.vencimento, n.id";
    Ok(on_db!(db, pool => sqlx::query_as(sql).bind(operadora).bind(hoje).fetch_all(pool).await?))
}

/// A GRU still payable (issued, not paid nor cancelled) that is not an instalment's.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct GruAPagar {
    pub numero: String,
    pub vencimento: NaiveDate,
    pub valor_centavos: i64,
}

/// `operadora`'s GRUs to pay that fall due on or after `hoje` (instalment GRUs are left out:
/// the instalment's own due date is in the feed).
pub async fn grus_a_pagar(
    db: &Db,
    operadora: &str,
    hoje: NaiveDate,
) -> Result<Vec<GruAPagar>, StoreError> {
    let sql = "SELECT numero, vencimento, valor_centavos FROM grus
               WHERE operadora = $1 AND estado = 'emitida' AND parcelamento_id IS NULL
                 AND vencimento >= $2
               ORDER BY vencimento, id";
    Ok(on_db!(db, pool => sqlx::query_as(sql).bind(operadora).bind(hoje).fetch_all(pool).await?))
}

/// An unpaid instalment of an active parcelamento.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct ParcelaAPagar {
    pub parcelamento_id: i64,
    pub numero: i32,
    pub parcelas: i32,
    pub vencimento: NaiveDate,
    pub base_centavos: i64,
}

/// `operadora`'s unpaid instalments of active parcelamentos due on or after `hoje`.
pub async fn parcelas_a_pagar(
    db: &Db,
    operadora: &str,
    hoje: NaiveDate,
) -> Result<Vec<ParcelaAPagar>, StoreError> {
    let sql = "SELECT pa.parcelamento_id, pa.numero, p.parcelas, pa.vencimento, pa.base_centavos
               FROM parcelas pa JOIN parcelamentos p ON p.id = pa.parcelamento_id
               WHERE p.operadora = $1 AND p.estado = 'ativo' AND pa.estado = 'aberta'
                 AND pa.vencimento >= $2
               ORDER BY pa.vencimento, pa.parcelamento_id, pa.numero";
    Ok(on_db!(db, pool => sqlx::query_as(sql).bind(operadora).bind(hoje).fetch_all(pool).await?))
}
