//! Sign-in attempts per key (a source address, or a source and a login), for throttling. The
//! policy — how many attempts, how long to wait — is the caller's; this module only keeps the
//! counts, and [`travar`] hands them over locked so that concurrent attempts under one key are
//! counted one after the other, on every node.

use chrono::{DateTime, Utc};

use crate::{Backend, Db, StoreError, Tx};

/// The attempts under one key.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Tentativas {
    pub chave: String,
    /// Attempts since the last success (or since the row was created).
    pub tentativas: i32,
    pub ultima_em: DateTime<Utc>,
    /// The next attempt under this key is accepted from this instant on.
    pub liberada_em: DateTime<Utc>,
}

/// The rows of `chaves` (created empty when missing), locked until the transaction ends, in the
/// order of `chaves` sorted (one order for everyone, so two attempts never deadlock).
pub async fn travar(
    tx: &mut Tx,
    chaves: &[&str],
    agora: DateTime<Utc>,
) -> Result<Vec<Tentativas>, StoreError> {
    let mut chaves = chaves.to_vec();
    chaves.sort_unstable();
    chaves.dedup();
    let criar = "INSERT INTO tentativas_entrada (chave, tentativas, ultima_em, liberada_em)
                 VALUES ($1, 0, $2, $2) ON CONFLICT (chave) DO NOTHING";
    // SQLite has a single writer (`Db::begin` takes the write lock); PostgreSQL locks the rows.
    let ler = match tx.backend() {
        Backend::Sqlite => {
            "SELECT chave, tentativas, ultima_em, liberada_em
                            FROM tentativas_entrada WHERE chave = $1"
        }
        Backend::Postgres => {
            "SELECT chave, tentativas, ultima_em, liberada_em
                              FROM tentativas_entrada WHERE chave = $1 FOR UPDATE"
        }
    };
    let mut out = Vec::with_capacity(chaves.len());
    for chave in chaves {
        on_tx!(tx, conn => sqlx::query(criar).bind(chave).bind(agora)
            .execute(conn).await?.rows_affected());
        let t: Tentativas =
            on_tx!(tx, conn => sqlx::query_as(ler).bind(chave).fetch_one(conn).await?);
        out.push(t);
    }
    Ok(out)
}

/// Writes back a row read with [`travar`].
pub async fn gravar(tx: &mut Tx, t: &Tentativas) -> Result<(), StoreError> {
    let sql = "UPDATE tentativas_entrada SET tentativas = $2, ultima_em = $3, liberada_em = $4
               WHERE chave = $1";
    on_tx!(tx, conn => sqlx::query(sql).bind(&t.chave).bind(t.tentativas).bind(t.ultima_em)
        .bind(t.liberada_em).execute(conn).await?.rows_affected());
    Ok(())
}

/// Forgets a key (a success under it).
pub async fn esquecer(tx: &mut Tx, chave: &str) -> Result<(), StoreError> {
    on_tx!(tx, conn => sqlx::query("DELETE FROM tentativas_entrada WHERE chave = $1")
        .bind(chave).execute(conn).await?.rows_affected());
    Ok(())
}

/// Deletes up to 1,000 keys without an attempt since `antes` (they no longer throttle anything);
/// on PostgreSQL, rows another attempt holds are skipped, never waited for. Returns how many.
pub async fn limpar(db: &Db, antes: DateTime<Utc>) -> Result<u64, StoreError> {
    let sql = match db.backend() {
        Backend::Sqlite => {
            "DELETE FROM tentativas_entrada WHERE chave IN (SELECT chave FROM tentativas_entrada
             WHERE ultima_em < $1 AND liberada_em < $1 LIMIT 1000)"
        }
        Backend::Postgres => {
            "DELETE FROM tentativas_entrada WHERE chave IN (SELECT chave FROM tentativas_entrada
             WHERE ultima_em < $1 AND liberada_em < $1 LIMIT 1000 FOR UPDATE SKIP LOCKED)"
        }
    };
    Ok(on_db!(db, pool => sqlx::query(sql).bind(antes).execute(pool).await?.rows_affected()))
}
