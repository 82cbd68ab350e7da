//! Key/value facts about the database itself (which demo data set it holds, which version of
//! the reference data was loaded).

use chrono::{DateTime, Utc};

use crate::{Db, StoreError, Tx};

pub async fn get(db: &Db, chave: &str) -> Result<Option<String>, StoreError> {
    let sql = "SELECT valor FROM persus_meta WHERE chave = $1";
    Ok(on_db!(db, pool => sqlx::query_scalar(sql).bind(chave).fetch_optional(pool).await?))
}

pub async fn get_tx(tx: &mut Tx, chave: &str) -> Result<Option<String>, StoreError> {
    let sql = "SELECT valor FROM persus_meta WHERE chave = $1";
    Ok(on_tx!(tx, conn => sqlx::query_scalar(sql).bind(chave).fetch_optional(conn).await?))
}

pub async fn set(
    tx: &mut Tx,
    chave: &str,
    valor: &str,
    agora: DateTime<Utc>,
) -> Result<(), StoreError> {
    let sql = "INSERT INTO persus_meta (chave, valor, atualizado_em) VALUES ($1, $2, $3)
               ON CONFLICT (chave) DO UPDATE SET valor = excluded.valor,
                                                  atualizado_em = excluded.atualizado_em";
    on_tx!(tx, conn => sqlx::query(sql).bind(chave).bind(valor).bind(agora).execute(conn).await?.rows_affected());
    Ok(())
}
