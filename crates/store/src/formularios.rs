//! Forms kept server-side for a short time (`formularios_pendentes`): a form whose POST arrived
//! without a live session, taken back once after the person signs in again; a batch checked
//! on the web, shown again by its check page until it is sent.

use chrono::{DateTime, Utc};

use crate::{Db, StoreError};

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Pendente {
    /// The person of the expired session, when it was still known.
    pub usuario_id: Option<i64>,
    /// Which form (`peticao`, …): a form is only ever restored into the same form.
    pub formulario: String,
    /// The fields, as JSON.
    pub campos: String,
}

/// The person of a session by its token's hash, even if it has expired (not if it was ended).
pub async fn usuario_da_sessao(db: &Db, token_sha256: &str) -> Result<Option<i64>, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_scalar(
        "SELECT usuario_id FROM sessoes WHERE token_sha256 = $1")
        .bind(token_sha256).fetch_optional(pool).await?))
}

/// Keeps a form until `expira_em`; expired ones are dropped on the way.
pub async fn guardar(
    db: &Db,
    token_sha256: &str,
    p: &Pendente,
    agora: DateTime<Utc>,
    expira_em: DateTime<Utc>,
) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, conn => sqlx::query("DELETE FROM formularios_pendentes WHERE expira_em <= $1")
        .bind(agora).execute(conn).await?.rows_affected());
    on_tx!(&mut tx, conn => sqlx::query(
        "INSERT INTO formularios_pendentes (token_sha256, usuario_id, formulario, campos, criado_em, expira_em)
         VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(token_sha256).bind(p.usuario_id).bind(&p.formulario).bind(&p.campos).bind(agora)
        .bind(expira_em).execute(conn).await?.rows_affected());
    tx.commit().await?;
    Ok(())
}

/// Takes a kept form back (once: it is deleted), if it has not expired.
pub async fn retomar(
    db: &Db,
    token_sha256: &str,
    agora: DateTime<Utc>,
) -> Result<Option<Pendente>, StoreError> {
    let mut tx = db.begin().await?;
    let p: Option<Pendente> = on_tx!(&mut tx, conn => sqlx::query_as(
        "SELECT usuario_id, formulario, campos FROM formularios_pendentes
         WHERE token_sha256 = $1 AND expira_em > $2")
        .bind(token_sha256).bind(agora).fetch_optional(conn).await?);
    on_tx!(&mut tx, conn => sqlx::query("DELETE FROM formularios_pendentes WHERE token_sha256 = $1")
        .bind(token_sha256).execute(conn).await?.rows_affected());
    tx.commit().await?;
    Ok(p)
}

/// Reads a kept form without taking it (a page shown again), if it has not expired.
pub async fn ler(
    db: &Db,
    token_sha256: &str,
    agora: DateTime<Utc>,
) -> Result<Option<Pendente>, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_as(
        "SELECT usuario_id, formulario, campos FROM formularios_pendentes
         WHERE token_sha256 = $1 AND expira_em > $2")
        .bind(token_sha256).bind(agora).fetch_optional(pool).await?))
}
