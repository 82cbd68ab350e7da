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

/// The stored answer for (application, key), if any.
pub async fn buscar(
    db: &Db,
    aplicacao_id: i64,
    chave: &str,
) -> Result<Option<Resposta>, StoreError> {
    let sql = "SELECT corpo_sha256, status, resposta FROM idempotencia WHERE aplicacao_id = $1 AND chave = $2";
    let linha: Option<(String, i32, String)> = on_db!(db, pool => sqlx::query_as(sql).bind(aplicacao_id).bind(chave).fetch_optional(pool).await?);
    Ok(linha.map(|(impressao, status, corpo)| Resposta {
        impressao,
        status: u16::try_from(status).unwrap_or(500),
        corpo,
    }))
}

/// Stores the answer inside the change's own transaction. `Ok(false)`: another request stored
/// an answer for this key first — the transaction is then unusable and must be dropped.
pub async fn gravar_na_transacao(
    tx: &mut Tx,
    aplicacao_id: i64,
    chave: &str,
    r: &Resposta,
    em: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let sql =
        "INSERT INTO idempotencia (aplicacao_id, chave, corpo_sha256, status, resposta, criada_em)
               VALUES ($1, $2, $3, $4, $5, $6)";
    let feito = on_tx!(tx, conn => sqlx::query(sql)
        .bind(aplicacao_id).bind(chave).bind(&r.impressao).bind(i32::from(r.status))
        .bind(&r.corpo).bind(em).execute(conn).await.map(|_| ()));
    match feito {
        Ok(()) => Ok(true),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Stores an answer that changed nothing (a refusal), in a write of its own. `Ok(false)`:
/// another request stored one first.
pub async fn gravar(
    db: &Db,
    aplicacao_id: i64,
    chave: &str,
    r: &Resposta,
    em: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let n = on_db!(db, pool => sqlx::query(
        "INSERT INTO idempotencia (aplicacao_id, chave, corpo_sha256, status, resposta, criada_em)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (aplicacao_id, chave) DO NOTHING")
        .bind(aplicacao_id).bind(chave).bind(&r.impressao).bind(i32::from(r.status))
        .bind(&r.corpo).bind(em)
        .execute(pool).await?.rows_affected());
    Ok(n == 1)
}
