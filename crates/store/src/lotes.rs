//! Batch jobs of petitions.

use chrono::{DateTime, Utc};
use persus_domain::peticoes::EstadoLote;
use serde::Serialize;

use crate::{Db, StoreError, Tx};

pub async fn receber(
    db: &Db,
    aplicacao_id: i64,
    operadora: &str,
    pedidos_json: &str,
    total: i32,
    em: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let mut tx = db.begin().await?;
    let id = receber_tx(&mut tx, aplicacao_id, operadora, pedidos_json, total, em).await?;
    tx.commit().await?;
    Ok(id)
}

/// A batch sent through the web by a person: recorded under the organization's internal web
/// application (`web-<registro>`, created on first use already revoked and with the hash of a
/// random secret nobody holds, so it can never get a token), then processed by the same worker
/// as the API's.
///
/// `chave_envio` is the one-time key of the page the batch was checked on: when a batch of the
/// operator already has it, nothing new is queued and that batch's id is returned.
pub async fn receber_web(
    db: &Db,
    envio: &EnvioWeb<'_>,
    pedidos_json: &str,
    total: i32,
    em: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let (operadora, por, segredo_sha256) = (envio.operadora, envio.por, envio.segredo_sha256);
    if let Some(id) = pelo_envio(db, operadora, envio.chave_envio).await? {
        return Ok(id);
    }
    let client_id = format!("web-{operadora}");
    let mut tx = db.begin().await?;
    let org: Option<i64> = on_tx!(&mut tx, conn => sqlx::query_scalar(
        "SELECT id FROM organizacoes WHERE operadora = $1").bind(operadora).fetch_optional(conn).await?);
    let Some(org) = org else {
        return Err(StoreError::Conflict(format!(
            "operadora {operadora} sem organização"
        )));
    };
    let criada = crate::contas::criar_aplicacao(
        &mut tx,
        &crate::contas::NovaAplicacao {
            organizacao_id: org,
            nome: "Envios pela web (interna)",
            ambiente: "producao",
            client_id: &client_id,
            segredo_sha256,
            escopos: "",
            limite_por_minuto: 1,
            criada_por: por,
            em,
        },
    )
    .await?;
    let app: i64 = on_tx!(&mut tx, conn => sqlx::query_scalar(
        "SELECT id FROM aplicacoes WHERE client_id = $1").bind(&client_id).fetch_one(conn).await?);
    if criada {
        crate::contas::revogar_aplicacao(&mut tx, app, em).await?;
    }
    let id = receber_tx(&mut tx, app, operadora, pedidos_json, total, em).await?;
    let marcado = on_tx!(&mut tx, conn => sqlx::query("UPDATE lotes SET chave_envio = $2 WHERE id = $1")
        .bind(id).bind(envio.chave_envio).execute(conn).await.map(|r| r.rows_affected()));
    if let Err(e) = marcado {
        // The same page sent twice at once: the other request queued it (unique key).
        drop(tx);
        return match pelo_envio(db, operadora, envio.chave_envio).await? {
            Some(id) => Ok(id),
            None => Err(e.into()),
        };
    }
    tx.commit().await?;
    Ok(id)
}

/// Who sends a web batch, and the one-time key of the page that checked it.
#[derive(Clone, Copy, Debug)]
pub struct EnvioWeb<'a> {
    pub operadora: &'a str,
    pub por: &'a str,
    /// Hash of a random secret for the internal web application, if it must be created.
    pub segredo_sha256: &'a str,
    pub chave_envio: &'a str,
}

/// The operator's batch sent with `chave_envio`, if any.
pub async fn pelo_envio(
    db: &Db,
    operadora: &str,
    chave_envio: &str,
) -> Result<Option<i64>, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_scalar(
        "SELECT id FROM lotes WHERE operadora = $1 AND chave_envio = $2")
        .bind(operadora).bind(chave_envio).fetch_optional(pool).await?))
}

/// As [`receber`], inside the caller's transaction (a ZIP batch records its documents with it).
pub async fn receber_tx(
    tx: &mut Tx,
    aplicacao_id: i64,
    operadora: &str,
    pedidos_json: &str,
    total: i32,
    em: DateTime<Utc>,
) -> Result<i64, StoreError> {
    Ok(on_tx!(tx, conn => sqlx::query_scalar(
        "INSERT INTO lotes (aplicacao_id, operadora, estado, pedidos, total, recebido_em)
         VALUES ($1, $2, 'recebido', $3, $4, $5) RETURNING id")
        .bind(aplicacao_id).bind(operadora).bind(pedidos_json).bind(total).bind(em)
        .fetch_one(conn).await?))
}

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Pendente {
    pub id: i64,
    pub aplicacao_id: i64,
    pub operadora: String,
    pub pedidos: String,
}

/// Takes the oldest job not concluded — received, or left `processando` by a crash more than
/// `abandonado_antes` ago — and marks it started. `None` when there is nothing to do or another
/// worker took it first.
pub async fn tomar(
    db: &Db,
    agora: DateTime<Utc>,
    abandonado_antes: DateTime<Utc>,
) -> Result<Option<Pendente>, StoreError> {
    let candidato: Option<Pendente> = on_db!(db, pool => sqlx::query_as(
        "SELECT id, aplicacao_id, operadora, pedidos FROM lotes
         WHERE estado = 'recebido' OR (estado = 'processando' AND iniciado_em < $1)
         ORDER BY id LIMIT 1")
        .bind(abandonado_antes).fetch_optional(pool).await?);
    let Some(c) = candidato else { return Ok(None) };
    let n = on_db!(db, pool => sqlx::query(
        "UPDATE lotes SET estado = 'processando', iniciado_em = $2
         WHERE id = $1 AND (estado = 'recebido' OR (estado = 'processando' AND iniciado_em < $3))")
        .bind(c.id).bind(agora).bind(abandonado_antes).execute(pool).await?.rows_affected());
    Ok((n == 1).then_some(c))
}

/// Writes the result, in the transaction that filed the petitions.
pub async fn concluir(
    tx: &mut Tx,
    id: i64,
    protocoladas: i32,
    recusadas: i32,
    resultado: &serde_json::Value,
    em: DateTime<Utc>,
) -> Result<(), StoreError> {
    on_tx!(tx, conn => sqlx::query(
        "UPDATE lotes SET estado = 'concluido', protocoladas = $2, recusadas = $3, resultado = $4,
                concluido_em = $5 WHERE id = $1")
        .bind(id).bind(protocoladas).bind(recusadas).bind(resultado.to_string()).bind(em)
        .execute(conn).await?.rows_affected());
    Ok(())
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Lote {
    pub id: i64,
    #[sqlx(try_from = "String")]
    pub estado: EstadoLote,
    pub total: i32,
    pub protocoladas: Option<i32>,
    pub recusadas: Option<i32>,
    #[serde(skip)]
    pub resultado: Option<String>,
    pub recebido_em: DateTime<Utc>,
    pub concluido_em: Option<DateTime<Utc>>,
}

pub async fn lote(db: &Db, id: i64, operadora: &str) -> Result<Option<Lote>, StoreError> {
    let sql =
        "SELECT id, estado, total, protocoladas, recusadas, resultado, recebido_em, concluido_em
               FROM lotes WHERE id = $1 AND operadora = $2";
    Ok(on_db!(db, pool => sqlx::query_as(sql).bind(id).bind(operadora).fetch_optional(pool).await?))
}
