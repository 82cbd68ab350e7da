//! Counts for the landing page and the demo summary.

use serde::Serialize;

use crate::{Db, StoreError};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Resumo {
    pub operadoras: i64,
    pub operadoras_com_atendimentos: i64,
    pub beneficiarios: i64,
    pub atendimentos: i64,
    pub valor_ressarcimento_centavos: i64,
    pub competencias: Vec<CompetenciaResumo>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct CompetenciaResumo {
    pub competencia: String,
    pub atendimentos: i64,
    pub valor_ressarcimento_centavos: i64,
}

pub async fn resumo(db: &Db) -> Result<Resumo, StoreError> {
    let (operadoras, beneficiarios): (i64, i64) = on_db!(db, pool => sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM operadoras), (SELECT COUNT(*) FROM beneficiarios)")
        .fetch_one(pool).await?);
    let (atendimentos, valor, com_atendimentos): (i64, Option<i64>, i64) = on_db!(db, pool =>
        sqlx::query_as(
            "SELECT COUNT(*), CAST(SUM(valor_ressarcimento_centavos) AS BIGINT),
                    COUNT(DISTINCT operadora)
             FROM atendimentos")
        .fetch_one(pool).await?);
    let competencias = on_db!(db, pool => sqlx::query_as(
        "SELECT competencia, COUNT(*) AS atendimentos,
                CAST(SUM(valor_ressarcimento_centavos) AS BIGINT) AS valor_ressarcimento_centavos
         FROM atendimentos GROUP BY competencia ORDER BY competencia")
        .fetch_all(pool).await?);
    Ok(Resumo {
        operadoras,
        operadoras_com_atendimentos: com_atendimentos,
        beneficiarios,
        atendimentos,
        valor_ressarcimento_centavos: valor.unwrap_or(0),
        competencias,
    })
}

/// Attendances in the database, inside a transaction (the demo's "is it empty?" check).
pub async fn count_atendimentos_tx(tx: &mut crate::Tx) -> Result<i64, StoreError> {
    let sql = "SELECT COUNT(*) FROM atendimentos";
    Ok(on_tx!(tx, conn => sqlx::query_scalar(sql).fetch_one(conn).await?))
}

/// Refreshes the query planner's statistics. Bulk loads (identification, the demo) change the
/// tables' shape at once; without fresh statistics PostgreSQL plans the per-operator updates of
/// a publication badly (measured: 2.6 ms instead of 0.5 ms per process at 100 k attendances).
pub async fn analisar(db: &Db) -> Result<(), StoreError> {
    on_db!(db, pool => sqlx::query("ANALYZE").execute(pool).await?.rows_affected());
    Ok(())
}

/// [`analisar`] for the attendances only: what a publication reads and updates. Sampled, so
/// it costs about the same at 20 k and at 1 M rows: on PostgreSQL a statistics target of 10
/// (3,000 rows); on SQLite `analysis_limit` bounds the rows read per index.
pub async fn analisar_atendimentos(db: &Db) -> Result<(), StoreError> {
    match db.inner() {
        crate::db::PoolRef::Sqlite(pool) => {
            let mut conn = pool.acquire().await?;
            sqlx::query("PRAGMA analysis_limit = 2000")
                .execute(&mut *conn)
                .await?;
            sqlx::query("ANALYZE atendimentos")
                .execute(&mut *conn)
                .await?;
            sqlx::query("PRAGMA analysis_limit = 0")
                .execute(&mut *conn)
                .await?;
        }
        crate::db::PoolRef::Postgres(pool) => {
            // 3,000 sampled rows instead of 30,000: 10× faster at 1 M rows, and the columns the
            // publication and scheduler plan on have few distinct values.
            let mut conn = pool.acquire().await?;
            sqlx::query("SET default_statistics_target = 10")
                .execute(&mut *conn)
                .await?;
            sqlx::query("ANALYZE atendimentos")
                .execute(&mut *conn)
                .await?;
            sqlx::query("RESET default_statistics_target")
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok(())
}
