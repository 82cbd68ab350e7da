//! ABIs: the schedule and the publication state.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::{Db, StoreError, Tx};

persus_domain::rotulado! {
    /// Where an ABI stands: scheduled, being published (processes are being opened; a
    /// publication that stopped resumes from here), published.
    pub enum EstadoAbi {
        Agendado = ("agendado", "Agendado"),
        Publicando = ("publicando", "Em publicação"),
        Publicado = ("publicado", "Publicado"),
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Abi {
    pub numero: i32,
    pub tipo: String,
    pub trimestre: String,
    pub data_lancamento: NaiveDate,
    #[sqlx(try_from = "String")]
    pub estado: EstadoAbi,
    pub publicado_em: Option<DateTime<Utc>>,
}

const COLUNAS: &str = "numero, tipo, trimestre, data_lancamento, estado, publicado_em";

/// Schedules an ABI; a number or (type, quarter) already used is a conflict with a message.
pub async fn agendar(tx: &mut Tx, abi: &Abi) -> Result<(), StoreError> {
    let existe: Option<i32> = on_tx!(tx, conn => sqlx::query_scalar(
        "SELECT numero FROM abis WHERE numero = $1 OR (tipo = $2 AND trimestre = $3)")
        .bind(abi.numero).bind(&abi.tipo).bind(&abi.trimestre).fetch_optional(conn).await?);
    if let Some(n) = existe {
        return Err(StoreError::Conflict(format!(
            "já existe o {n}º ABI com esse número ou para {} {}; nada foi alterado",
            abi.tipo, abi.trimestre
        )));
    }
    let sql = "INSERT INTO abis (numero, tipo, trimestre, data_lancamento, estado, publicado_em)
               VALUES ($1, $2, $3, $4, $5, $6)";
    on_tx!(tx, conn => sqlx::query(sql)
        .bind(abi.numero).bind(&abi.tipo).bind(&abi.trimestre).bind(abi.data_lancamento)
        .bind(abi.estado.as_str()).bind(abi.publicado_em)
        .execute(conn).await?.rows_affected());
    Ok(())
}

pub async fn listar(db: &Db) -> Result<Vec<Abi>, StoreError> {
    let sql = format!("SELECT {COLUNAS} FROM abis ORDER BY numero");
    Ok(on_db!(db, pool => sqlx::query_as(&sql).fetch_all(pool).await?))
}

pub async fn buscar(db: &Db, numero: i32) -> Result<Option<Abi>, StoreError> {
    let sql = format!("SELECT {COLUNAS} FROM abis WHERE numero = $1");
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(numero).fetch_optional(pool).await?))
}

pub async fn marcar(
    tx: &mut Tx,
    numero: i32,
    estado: EstadoAbi,
    publicado_em: Option<DateTime<Utc>>,
) -> Result<(), StoreError> {
    let sql = "UPDATE abis SET estado = $2, publicado_em = $3 WHERE numero = $1";
    on_tx!(tx, conn => sqlx::query(sql).bind(numero).bind(estado.as_str()).bind(publicado_em)
        .execute(conn).await?.rows_affected());
    Ok(())
}
