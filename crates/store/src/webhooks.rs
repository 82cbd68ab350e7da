//! Webhook subscriptions, the outbox of events, and deliveries with their attempts.

use chrono::{DateTime, Utc};
use persus_domain::cobranca::estados::EstadoEntrega;
use persus_domain::eventos::TipoEvento;
use serde::Serialize;

use crate::{Db, StoreError, Tx};

/// An event type read back from the outbox: an unknown code is an error, never a default.
fn tipo_lido(codigo: &str) -> Result<TipoEvento, StoreError> {
    codigo
        .parse()
        .map_err(|e: persus_domain::rotulado::CodigoDesconhecido| {
            StoreError::Reference(e.to_string())
        })
}

/// Appends an event to the outbox, in the caller's transaction (so it exists iff the change
/// it announces was committed). `operadora`: whose applications may receive it; `dados`: what
/// the event says (the `dados` of the delivered message, [`mensagem`]).
pub async fn registrar_evento(
    tx: &mut Tx,
    operadora: Option<&str>,
    tipo: TipoEvento,
    dados: &serde_json::Value,
    em: DateTime<Utc>,
) -> Result<(), StoreError> {
    on_tx!(tx, conn => sqlx::query(
        "INSERT INTO eventos_saida (operadora, tipo, corpo, criado_em) VALUES ($1, $2, $3, $4)")
        .bind(operadora).bind(tipo.as_str()).bind(dados.to_string()).bind(em)
        .execute(conn).await?.rows_affected());
    Ok(())
}

/// The body of a delivered message: the event type, the instant the event happened (RFC 3339,
/// UTC) and what it says, in that order.
#[derive(Serialize)]
struct Mensagem<'a> {
    tipo: &'a str,
    em: DateTime<Utc>,
    dados: &'a serde_json::Value,
}

/// The JSON a subscriber receives for an event: `{"tipo": …, "em": …, "dados": {…}}`. Built
/// once, when the message is queued: every retry sends (and signs) the same bytes.
pub fn mensagem(tipo: TipoEvento, em: DateTime<Utc>, dados: &serde_json::Value) -> String {
    serde_json::to_string(&Mensagem {
        tipo: tipo.as_str(),
        em,
        dados,
    })
    .unwrap_or_default()
}

/// A subscription's event types: stored as their codes separated by spaces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Eventos(pub Vec<TipoEvento>);

impl TryFrom<String> for Eventos {
    type Error = persus_domain::rotulado::CodigoDesconhecido;
    fn try_from(s: String) -> Result<Eventos, Self::Error> {
        TipoEvento::lista(&s).map(Eventos)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Webhook {
    pub id: i64,
    pub aplicacao_id: i64,
    pub url: String,
    pub segredo: String,
    #[sqlx(try_from = "String")]
    pub eventos: Eventos,
    /// False once cancelled: nothing more is sent; the delivery log stays readable.
    pub ativo: bool,
    pub criado_em: DateTime<Utc>,
    pub cancelado_em: Option<DateTime<Utc>>,
}

const WEBHOOK: &str =
    "SELECT id, aplicacao_id, url, segredo, eventos, ativo, criado_em, cancelado_em FROM webhooks";

pub async fn criar(
    db: &Db,
    aplicacao_id: i64,
    url: &str,
    segredo: &str,
    eventos: &[TipoEvento],
    em: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let eventos = TipoEvento::codigos(eventos);
    // In a transaction, so an idempotent request commits it with its answer.
    let mut tx = db.begin().await?;
    let id = on_tx!(&mut tx, conn => sqlx::query_scalar(
        "INSERT INTO webhooks (aplicacao_id, url, segredo, eventos, criado_em)
         VALUES ($1, $2, $3, $4, $5) RETURNING id")
        .bind(aplicacao_id).bind(url).bind(segredo).bind(eventos).bind(em)
        .fetch_one(conn).await?);
    tx.commit().await?;
    Ok(id)
}

pub async fn da_aplicacao(db: &Db, aplicacao_id: i64) -> Result<Vec<Webhook>, StoreError> {
    let sql = format!("{WEBHOOK} WHERE aplicacao_id = $1 AND ativo ORDER BY id");
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(aplicacao_id).fetch_all(pool).await?))
}

/// One subscription of an application, active or cancelled.
pub async fn webhook(db: &Db, id: i64, aplicacao_id: i64) -> Result<Option<Webhook>, StoreError> {
    let sql = format!("{WEBHOOK} WHERE id = $1 AND aplicacao_id = $2");
    Ok(
        on_db!(db, pool => sqlx::query_as(&sql).bind(id).bind(aplicacao_id).fetch_optional(pool).await?),
    )
}

/// Cancels an active subscription and, in the same transaction, every message still pending
/// for it (state `cancelada`, `motivo` as its last error). Returns how many messages were
/// cancelled, or `None` when there was no such active subscription.
pub async fn cancelar(
    db: &Db,
    id: i64,
    aplicacao_id: i64,
    motivo: &str,
    agora: DateTime<Utc>,
) -> Result<Option<u64>, StoreError> {
    let mut tx = db.begin().await?;
    let n = on_tx!(&mut tx, conn => sqlx::query(
        "UPDATE webhooks SET ativo = FALSE, cancelado_em = $3 WHERE id = $1 AND aplicacao_id = $2 AND ativo")
        .bind(id).bind(aplicacao_id).bind(agora).execute(conn).await?.rows_affected());
    if n != 1 {
        return Ok(None);
    }
    let pendentes = on_tx!(&mut tx, conn => sqlx::query(
        "UPDATE webhook_entregas SET estado = 'cancelada', ultimo_erro = $2, proxima_em = $3
         WHERE webhook_id = $1 AND estado = 'pendente'")
        .bind(id).bind(motivo).bind(agora).execute(conn).await?.rows_affected());
    tx.commit().await?;
    Ok(Some(pendentes))
}

/// Queues one message for one subscription; `corpo` is what is sent ([`mensagem`]).
pub async fn enfileirar(
    db: &Db,
    webhook_id: i64,
    mensagem_id: &str,
    tipo: TipoEvento,
    corpo: &str,
    em: DateTime<Utc>,
) -> Result<(), StoreError> {
    // In a transaction, so an idempotent request commits it with its answer.
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, conn => sqlx::query(
        "INSERT INTO webhook_entregas (webhook_id, mensagem_id, tipo, corpo, estado, proxima_em, criada_em)
         VALUES ($1, $2, $3, $4, 'pendente', $5, $5) ON CONFLICT (mensagem_id) DO NOTHING")
        .bind(webhook_id).bind(mensagem_id).bind(tipo.as_str()).bind(corpo).bind(em)
        .execute(conn).await?.rows_affected());
    tx.commit().await?;
    Ok(())
}

/// Fans out the outbox: each undistributed event becomes one delivery per active subscription
/// of the operator's applications that asked for its type (message id `msg_<event>_<hook>`,
/// so running this twice queues nothing twice), its body the [`mensagem`] of the event.
/// Returns how many events were distributed.
pub async fn distribuir(db: &Db, agora: DateTime<Utc>) -> Result<usize, StoreError> {
    type Linha = (i64, Option<String>, String, String, DateTime<Utc>);
    let eventos: Vec<Linha> = on_db!(db, pool => sqlx::query_as(
        "SELECT id, operadora, tipo, corpo, criado_em FROM eventos_saida WHERE NOT distribuido ORDER BY id LIMIT 1000")
        .fetch_all(pool).await?);
    for (id, operadora, tipo, dados, em) in &eventos {
        let tipo = tipo_lido(tipo)?;
        let dados: serde_json::Value = serde_json::from_str(dados)
            .map_err(|e| StoreError::Reference(format!("evento {id} com corpo ilegível: {e}")))?;
        let corpo = mensagem(tipo, *em, &dados);
        let alvos: Vec<(i64, String)> = on_db!(db, pool => sqlx::query_as(
            "SELECT w.id, w.eventos FROM webhooks w JOIN aplicacoes a ON a.id = w.aplicacao_id
                  JOIN organizacoes o ON o.id = a.organizacao_id
             WHERE w.ativo AND a.revogada_em IS NULL
               AND ((o.tipo = 'operadora' AND o.operadora = $1) OR ($1 IS NULL AND o.tipo = 'ans'))")
            .bind(operadora.as_deref()).fetch_all(pool).await?);
        for (w, tipos) in alvos {
            if tipos.split_whitespace().any(|t| t == tipo.as_str()) {
                enfileirar(db, w, &format!("msg_{id}_{w}"), tipo, &corpo, agora).await?;
            }
        }
        on_db!(db, pool => sqlx::query("UPDATE eventos_saida SET distribuido = TRUE WHERE id = $1")
            .bind(*id).execute(pool).await?.rows_affected());
    }
    Ok(eventos.len())
}

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Pendente {
    pub id: i64,
    pub mensagem_id: String,
    #[sqlx(try_from = "String")]
    pub tipo: TipoEvento,
    pub corpo: String,
    pub tentativas: i32,
    pub url: String,
    pub segredo: String,
}

/// Deliveries due now, of active subscriptions of applications not revoked (a message that
/// became pending after its subscription was cancelled is never sent).
pub async fn pendentes(
    db: &Db,
    agora: DateTime<Utc>,
    limite: i64,
) -> Result<Vec<Pendente>, StoreError> {
    let sql = "SELECT e.id, e.mensagem_id, e.tipo, e.corpo, e.tentativas, w.url, w.segredo
               FROM webhook_entregas e JOIN webhooks w ON w.id = e.webhook_id
                    JOIN aplicacoes a ON a.id = w.aplicacao_id
               WHERE e.estado = 'pendente' AND e.proxima_em <= $1 AND w.ativo
                 AND a.revogada_em IS NULL
               ORDER BY e.proxima_em, e.id LIMIT $2";
    Ok(on_db!(db, pool => sqlx::query_as(sql).bind(agora).bind(limite).fetch_all(pool).await?))
}

/// Records an attempt: delivered, retry at `proxima_em`, or failed for good — unless the
/// message was cancelled meanwhile (its subscription cancelled during the attempt).
pub async fn registrar_tentativa(
    db: &Db,
    id: i64,
    estado: EstadoEntrega,
    status: Option<i32>,
    erro: Option<&str>,
    proxima_em: DateTime<Utc>,
    agora: DateTime<Utc>,
) -> Result<(), StoreError> {
    let entregue = (estado == EstadoEntrega::Entregue).then_some(agora);
    on_db!(db, pool => sqlx::query(
        "UPDATE webhook_entregas SET estado = $2, tentativas = tentativas + 1, ultimo_status = $3,
                ultimo_erro = $4, proxima_em = $5, entregue_em = $6 WHERE id = $1 AND estado = 'pendente'")
        .bind(id).bind(estado.as_str()).bind(status).bind(erro).bind(proxima_em).bind(entregue)
        .execute(pool).await?.rows_affected());
    Ok(())
}

/// The delivery log of a subscription, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Entrega {
    pub mensagem_id: String,
    #[sqlx(try_from = "String")]
    #[schema(value_type = String)]
    pub tipo: TipoEvento,
    /// `pendente`, `entregue`, `falhou` (attempts ran out) or `cancelada` (its subscription was
    /// cancelled first; never sent).
    #[sqlx(try_from = "String")]
    #[schema(value_type = String)]
    pub estado: EstadoEntrega,
    pub tentativas: i32,
    pub proxima_em: DateTime<Utc>,
    pub ultimo_status: Option<i32>,
    pub ultimo_erro: Option<String>,
    pub criada_em: DateTime<Utc>,
    pub entregue_em: Option<DateTime<Utc>>,
}

pub async fn entregas(db: &Db, webhook_id: i64, limite: i64) -> Result<Vec<Entrega>, StoreError> {
    let sql =
        "SELECT mensagem_id, tipo, estado, tentativas, proxima_em, ultimo_status, ultimo_erro,
                      criada_em, entregue_em
               FROM webhook_entregas WHERE webhook_id = $1 ORDER BY id DESC LIMIT $2";
    Ok(on_db!(db, pool => sqlx::query_as(sql).bind(webhook_id).bind(limite).fetch_all(pool).await?))
}

/// The operator a notice was addressed to (for its events).
pub async fn operadora_da_notificacao(
    tx: &mut Tx,
    notificacao_id: i64,
) -> Result<Option<String>, StoreError> {
    Ok(on_tx!(tx, conn => sqlx::query_scalar(
        "SELECT p.operadora FROM notificacoes n JOIN processos p ON p.id = n.processo_id WHERE n.id = $1")
        .bind(notificacao_id).fetch_optional(conn).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_names_its_type_then_its_instant_then_its_data() {
        let em = DateTime::parse_from_rfc3339("2026-12-15T12:30:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let corpo = mensagem(
            TipoEvento::GruEmitida,
            em,
            &serde_json::json!({ "gru": "00.000.001-95", "valor_centavos": 1534210 }),
        );
        assert_eq!(
            corpo,
            r#"{"tipo":"gru.emitida","em":"2026-12-15T12:30:00Z","dados":{"gru":"00.000.001-95","valor_centavos":1534210}}"#
        );
    }

    #[test]
    fn a_stored_event_code_must_be_a_known_one() {
        assert!(matches!(
            tipo_lido("pagamento.confirmado"),
            Ok(TipoEvento::PagamentoConfirmado)
        ));
        assert!(matches!(
            tipo_lido("pagamento.recusado"),
            Err(StoreError::Reference(m)) if m.contains("pagamento.recusado")
        ));
    }
}
