//! Idempotency records, written in the same transaction as the change they answer for.
//!
//! A keyed request (`Idempotency-Key`) runs inside [`escopo`]. While it runs, [`Tx::commit`]
//! does not commit: it hands the transaction to the scope ("deferred commit"). When the request
//! has its answer, the caller writes the answer into that very transaction with
//! [`gravar_na_transacao`] and commits once — so the change and its stored answer become durable
//! together or not at all. A crash before that commit leaves neither (the retry runs afresh); a
//! crash after it leaves both (the retry replays the answer).
//!
//! The primary key `(aplicacao_id, chave)` settles races: of two concurrent first requests with
//! one key, the second's insert fails (on PostgreSQL it waits for the first to commit), its whole
//! transaction — change included — rolls back, and it replays the first's answer.
//!
//! An answer is kept for [`JANELA`] (24 hours, docs/API-DESIGN.md "Idempotency"): a retry
//! inside the window replays it; from the end of the window on the key is new (a stale row is
//! replaced by the new request's answer, atomically, and [`purgar`] removes the old rows in
//! batches from the scheduler).
//!
//! A service that commits more than once inside a scope keeps working: [`Db::begin`] commits a
//! deferred transaction before it opens the next, so only the last one is atomic with the answer.
//! A service must not read its own write through the pool after committing inside a scope (it
//! would not see it); every service used by a keyed POST commits last.

use std::cell::RefCell;
use std::future::Future;

use chrono::{DateTime, Utc};

use crate::{Db, StoreError, Tx};

tokio::task_local! {
    static ESCOPO: RefCell<Option<Tx>>;
}

/// Runs `f` as one keyed request: its last commit is deferred and returned with its output.
pub async fn escopo<F: Future>(f: F) -> (F::Output, Option<Tx>) {
    ESCOPO
        .scope(RefCell::new(None), async {
            let saida = f.await;
            let tx = ESCOPO.with(|e| e.borrow_mut().take());
            (saida, tx)
        })
        .await
}

/// Inside a scope: keeps `tx` for the scope's owner and gives back the one kept before, if
/// any (to be committed now). Outside a scope: `Err(tx)`, to be committed by the caller.
pub(crate) fn adiar(tx: Tx) -> Result<Option<Tx>, Tx> {
    let dentro = ESCOPO.try_with(|_| ()).is_ok();
    if !dentro {
        return Err(tx);
    }
    Ok(ESCOPO.with(|e| e.borrow_mut().replace(tx)))
}

/// Inside a scope: the transaction deferred so far, taken out (to be committed before another
/// one begins — SQLite allows one writer, and the next transaction may need to see it).
pub(crate) fn retirar_adiada() -> Option<Tx> {
    ESCOPO.try_with(|e| e.borrow_mut().take()).ok().flatten()
}

/// An answer stored for a key: the request's fingerprint, the status and the body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resposta {
    pub impressao: String,
    pub status: u16,
    pub corpo: String,
}

/// How long a stored answer is replayed. A record written at `t` answers retries until
/// `t + JANELA` (excluded); from then on the key is free.
pub const JANELA: chrono::TimeDelta = chrono::TimeDelta::hours(24);

/// The oldest instant a record may have been written at and still be replayed at `agora`
/// (exclusive): records written at or before it have expired.
pub fn expiradas_ate(agora: DateTime<Utc>) -> DateTime<Utc> {
    agora - JANELA
}

/// The stored answer for (application, key) still inside its window at `agora`, if any.
pub async fn buscar(
    db: &Db,
    aplicacao_id: i64,
    chave: &str,
    agora: DateTime<Utc>,
) -> Result<Option<Resposta>, StoreError> {
    let sql = "SELECT corpo_sha256, status, resposta FROM idempotencia
               WHERE aplicacao_id = $1 AND chave = $2 AND criada_em > $3";
    let linha: Option<(String, i32, String)> = on_db!(db, pool => sqlx::query_as(sql)
        .bind(aplicacao_id).bind(chave).bind(expiradas_ate(agora)).fetch_optional(pool).await?);
    Ok(linha.map(|(impressao, status, corpo)| Resposta {
        impressao,
        status: u16::try_from(status).unwrap_or(500),
        corpo,
    }))
}

/// Stores the answer inside the change's own transaction (replacing an expired record of the
/// key). `Ok(false)`: another request stored an answer for this key first — the transaction
/// must then be dropped, which rolls the change back.
pub async fn gravar_na_transacao(
    tx: &mut Tx,
    aplicacao_id: i64,
    chave: &str,
    r: &Resposta,
    em: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let n = on_tx!(tx, conn => sqlx::query(GRAVAR)
        .bind(aplicacao_id).bind(chave).bind(&r.impressao).bind(i32::from(r.status))
        .bind(&r.corpo).bind(em).bind(expiradas_ate(em)).execute(conn).await?.rows_affected());
    Ok(n == 1)
}

/// Inserts an answer; over an expired record of the same key, replaces it; over a live one,
/// writes nothing (0 rows: another request answered first). On PostgreSQL a concurrent first
/// request waits here for the other's commit, then sees its live row.
const GRAVAR: &str =
    "INSERT INTO idempotencia (aplicacao_id, chave, corpo_sha256, status, resposta, criada_em)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (aplicacao_id, chave) DO UPDATE SET corpo_sha256 = excluded.corpo_sha256,
         status = excluded.status, resposta = excluded.resposta, criada_em = excluded.criada_em
     WHERE idempotencia.criada_em <= $7";

/// Stores an answer that changed nothing (a refusal), in a write of its own (replacing an
/// expired record of the key). `Ok(false)`: another request stored one first.
pub async fn gravar(
    db: &Db,
    aplicacao_id: i64,
    chave: &str,
    r: &Resposta,
    em: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let n = on_db!(db, pool => sqlx::query(GRAVAR)
        .bind(aplicacao_id).bind(chave).bind(&r.impressao).bind(i32::from(r.status))
        .bind(&r.corpo).bind(em).bind(expiradas_ate(em))
        .execute(pool).await?.rows_affected());
    Ok(n == 1)
}

/// One batch of [`purgar`]: `$1` the expiry instant, `$2` the batch size. It finds the batch
/// through the index on `criada_em` (migration 0019); public so a test can check the plan.
#[doc(hidden)]
pub const PURGAR: &str = "DELETE FROM idempotencia WHERE (aplicacao_id, chave) IN (
                   SELECT aplicacao_id, chave FROM idempotencia WHERE criada_em <= $1 LIMIT $2)";

/// Deletes the records that expired by `agora`, `lote` rows per statement (each its own short
/// write, so API requests are never held up behind one long delete). Returns how many.
pub async fn purgar(db: &Db, agora: DateTime<Utc>, lote: i64) -> Result<u64, StoreError> {
    let limite = expiradas_ate(agora);
    let mut total = 0;
    loop {
        let n = on_db!(db, pool => sqlx::query(PURGAR).bind(limite).bind(lote.max(1))
            .execute(pool).await?.rows_affected());
        total += n;
        if n < lote.max(1) as u64 {
            return Ok(total);
        }
    }
}
