//! `/api/v1/webhooks`: an application subscribes URLs to event types, reads the delivery log
//! and asks for a test event. Each application sees only its own subscriptions.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Utc;
use persus_domain::eventos::TipoEvento;
use persus_store::webhooks::{self as store, Entrega, Webhook};
use serde::{Deserialize, Serialize};

use super::{Cliente, Idempotencia};
use crate::app::AppState;
use crate::problem::Problem;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NovoWebhook {
    /// `https://…` to a public address (in homologação, `http://` and loopback only when the
    /// server allows them with `--webhook-permitir-loopback`).
    pub url: String,
    /// Event type codes (the `webhooks` section lists them); kept as text here so an unknown
    /// one is refused with the list of valid ones.
    pub eventos: Vec<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WebhookCriado {
    pub id: i64,
    pub url: String,
    #[schema(value_type = Vec<String>)]
    pub eventos: Vec<TipoEvento>,
    /// The signing secret (`whsec_…`), shown only now: keep it to verify `webhook-signature`.
    pub segredo: String,
}

/// A subscription as the API shows it: the event types as a list (stored space-separated).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Assinatura {
    pub id: i64,
    pub url: String,
    #[schema(value_type = Vec<String>)]
    pub eventos: Vec<TipoEvento>,
    /// False once cancelled: nothing more is sent; the delivery log stays readable.
    pub ativo: bool,
    pub criado_em: chrono::DateTime<Utc>,
    pub cancelado_em: Option<chrono::DateTime<Utc>>,
}

impl From<Webhook> for Assinatura {
    fn from(w: Webhook) -> Assinatura {
        Assinatura {
            id: w.id,
            eventos: w.eventos.0,
            url: w.url,
            ativo: w.ativo,
            criado_em: w.criado_em,
            cancelado_em: w.cancelado_em,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TesteEnfileirado {
    pub mensagem_id: String,
}

#[utoipa::path(
    post, path = "/api/v1/webhooks", tag = "webhooks",
    summary = "Assina eventos numa URL (Standard Webhooks, HMAC-SHA256)",
    description = "Assina eventos num endereço https:// público. A resposta traz o segredo de assinatura (whsec_…), mostrado só uma vez. Os eventos, os corpos e como verificar a assinatura estão na seção webhooks deste documento.",
    params(("Idempotency-Key" = Option<String>, Header)),
    request_body(content = NovoWebhook),
    responses(
        (status = 201, body = WebhookCriado),
        super::respostas::Invalido, super::respostas::CorpoGrande, super::respostas::ComToken,
    ),
    security(("bearer" = ["consulta"]), ("oauth2" = ["consulta"]))
)]
pub async fn criar(
    State(app): State<AppState>,
    cliente: Cliente,
    idem: Idempotencia,
    corpo: Bytes,
) -> Response {
    if let Err(p) = cliente.exigir("consulta") {
        return p.into_response();
    }
    let (app2, c2, bytes) = (app.clone(), cliente.clone(), corpo.clone());
    idem.executar(&app, &cliente, &corpo, || async move {
        let w: NovoWebhook = match crate::erros::ler_json(&bytes) {
            Ok(w) => w,
            Err(p) => return p.em_par(),
        };
        match crate::servicos::webhooks::assinar_eventos(
            &app2.db,
            c2.aplicacao_id,
            &w.url,
            &w.eventos,
            Utc::now(),
            crate::servicos::destinos::Politica::new(app2.ambiente, app2.webhook_permitir_loopback),
        )
        .await
        {
            Ok(a) => (
                StatusCode::CREATED,
                serde_json::to_value(WebhookCriado {
                    id: a.id,
                    url: w.url.trim().to_owned(),
                    eventos: a.eventos,
                    segredo: a.segredo,
                })
                .unwrap_or_default(),
            ),
            Err(e) => (Problem::from(e)).em_par(),
        }
    })
    .await
}

#[utoipa::path(
    get, path = "/api/v1/webhooks", tag = "webhooks",
    summary = "Assinaturas ativas desta aplicação",
    description = "As assinaturas ativas desta aplicação, da mais antiga à mais nova. O segredo não é mostrado.",
    responses(
        (status = 200, body = super::esquemas::Lista<Assinatura>),
        super::respostas::ComToken,
    ),
    security(("bearer" = ["consulta"]), ("oauth2" = ["consulta"]))
)]
pub async fn listar(State(app): State<AppState>, cliente: Cliente) -> Result<Response, Problem> {
    cliente.exigir("consulta")?;
    let itens = store::da_aplicacao(&app.db, cliente.aplicacao_id)
        .await?
        .into_iter()
        .map(Assinatura::from)
        .collect();
    Ok(Json(super::esquemas::Lista { itens }).into_response())
}

/// A subscription of this application; cancelled ones only when `cancelada_serve`.
async fn da_aplicacao(
    app: &AppState,
    c: &Cliente,
    id: &str,
    cancelada_serve: bool,
) -> Result<Webhook, Problem> {
    c.exigir("consulta")?;
    let nao = || Problem::not_found(&format!("Webhook {id}"));
    let n: i64 = id.parse().map_err(|_| nao())?;
    store::webhook(&app.db, n, c.aplicacao_id)
        .await?
        .filter(|w| w.ativo || cancelada_serve)
        .ok_or_else(nao)
}

#[utoipa::path(
    get, path = "/api/v1/webhooks/{id}", tag = "webhooks",
    summary = "Uma assinatura, ativa ou cancelada (`ativo`, `cancelado_em`)",
    description = "Uma assinatura desta aplicação, ativa ou cancelada (ativo, cancelado_em).",
    params(("id" = i64, Path, description = "Número da assinatura", example = 3)),
    responses(
        (status = 200, body = Assinatura),
        super::respostas::CaminhoIlegivel, super::respostas::NaoEncontrado, super::respostas::ComToken,
    ),
    security(("bearer" = ["consulta"]), ("oauth2" = ["consulta"]))
)]
pub async fn uma(
    State(app): State<AppState>,
    cliente: Cliente,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let w = da_aplicacao(&app, &cliente, &id, true).await?;
    Ok(Json(Assinatura::from(w)).into_response())
}

#[utoipa::path(
    get, path = "/api/v1/webhooks/{id}/entregas", tag = "webhooks",
    summary = "Registro de entregas (tentativas, status, erro, próxima tentativa), também de assinatura cancelada",
    description = "O registro de entregas de uma assinatura (também de uma cancelada), da mensagem mais nova à mais antiga, até 200: tentativas, último status, erro e próxima tentativa.",
    params(("id" = i64, Path, description = "Número da assinatura", example = 3)),
    responses(
        (status = 200, body = super::esquemas::Lista<Entrega>),
        super::respostas::CaminhoIlegivel, super::respostas::NaoEncontrado, super::respostas::ComToken,
    ),
    security(("bearer" = ["consulta"]), ("oauth2" = ["consulta"]))
)]
pub async fn entregas(
    State(app): State<AppState>,
    cliente: Cliente,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let w = da_aplicacao(&app, &cliente, &id, true).await?;
    let itens = store::entregas(&app.db, w.id, 200).await?;
    Ok(Json(super::esquemas::Lista { itens }).into_response())
}

#[utoipa::path(
    post, path = "/api/v1/webhooks/{id}/teste", tag = "webhooks",
    summary = "Enfileira um evento de teste para esta assinatura",
    description = "Enfileira um evento teste para a assinatura, para conferir o recebimento e a verificação da assinatura. Acompanhe no registro de entregas.",
    params(("Idempotency-Key" = Option<String>, Header), ("id" = i64, Path, description = "Número da assinatura", example = 3)),
    responses(
        (status = 202, body = TesteEnfileirado),
        super::respostas::CaminhoIlegivel, super::respostas::NaoEncontrado, super::respostas::Invalido,
        super::respostas::ComToken,
    ),
    security(("bearer" = ["consulta"]), ("oauth2" = ["consulta"]))
)]
pub async fn teste(
    State(app): State<AppState>,
    cliente: Cliente,
    idem: Idempotencia,
    Path(id): Path<String>,
) -> Response {
    idem.sobre(&app, &cliente, &[], async {
        let w = da_aplicacao(&app, &cliente, &id, false).await?;
        let mensagem_id =
            crate::servicos::webhooks::enviar_teste(&app.db, w.id, Utc::now()).await?;
        Ok::<Response, Problem>(
            (StatusCode::ACCEPTED, Json(TesteEnfileirado { mensagem_id })).into_response(),
        )
    })
    .await
}

#[utoipa::path(
    delete, path = "/api/v1/webhooks/{id}", tag = "webhooks",
    summary = "Cancela uma assinatura: nada mais é enviado; as mensagens pendentes ficam canceladas no registro de entregas",
    description = "Cancela a assinatura: nada mais é enviado e as mensagens pendentes ficam canceladas no registro de entregas, que continua legível.",
    params(("id" = i64, Path, description = "Número da assinatura", example = 3)),
    responses(
        (status = 204, description = "Cancelada"),
        super::respostas::CaminhoIlegivel, super::respostas::NaoEncontrado, super::respostas::ComToken,
    ),
    security(("bearer" = ["consulta"]), ("oauth2" = ["consulta"]))
)]
pub async fn cancelar(
    State(app): State<AppState>,
    cliente: Cliente,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let w = da_aplicacao(&app, &cliente, &id, false).await?;
    if !crate::servicos::webhooks::cancelar(&app.db, w.id, cliente.aplicacao_id, Utc::now()).await?
    {
        return Err(Problem::not_found(&format!("Webhook {id}")));
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}
