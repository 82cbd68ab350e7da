//! RFC 9457 problem details (`application/problem+json`), the one error shape of the API.
//! `title` and `detail` are pt-BR, written for the person who will fix the request; internal
//! causes go to the log, never to the client.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// For invalid input: each field to correct and why.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub erros: Vec<crate::servicos::CampoInvalido>,
}

impl Problem {
    pub fn new(status: StatusCode, slug: &str, title: &str) -> Problem {
        Problem {
            type_: format!("https://persus.ans.gov.br/problemas/{slug}"),
            title: title.to_owned(),
            status: status.as_u16(),
            detail: None,
            erros: Vec::new(),
        }
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Problem {
        self.detail = Some(detail.into());
        self
    }

    pub fn not_found(what: &str) -> Problem {
        Problem::new(
            StatusCode::NOT_FOUND,
            "nao-encontrado",
            "Recurso não encontrado",
        )
        .detail(format!("{what} não encontrado(a)."))
    }

    pub fn invalid(detail: impl Into<String>) -> Problem {
        Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "dados-invalidos",
            "Dados inválidos",
        )
        .detail(detail)
    }

    /// For failures that are ours, not the client's: the cause is logged, not sent.
    pub fn internal(cause: &dyn std::fmt::Display) -> Problem {
        tracing::error!(error = %cause, "internal error");
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "erro-interno",
            "Erro interno",
        )
        .detail("Ocorreu um erro inesperado. Tente novamente; se persistir, contate o suporte.")
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&self).unwrap_or_default();
        (
            status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            body,
        )
            .into_response()
    }
}

impl Problem {
    /// (status, body) — the shape `api::idempotente` stores and replays.
    pub fn em_par(self) -> (StatusCode, serde_json::Value) {
        (
            StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            serde_json::to_value(&self).unwrap_or_default(),
        )
    }
}

/// The one mapping of a service's error to the API: not found 404, forbidden 403, invalid
/// input 422 with the fields, a rule's refusal 422, a store failure 500 (logged, not told).
impl From<crate::servicos::ServicoError> for Problem {
    fn from(e: crate::servicos::ServicoError) -> Problem {
        use crate::servicos::ServicoError as E;
        match e {
            E::NaoEncontrado(o_que) => Problem::new(
                StatusCode::NOT_FOUND,
                "nao-encontrado",
                "Recurso não encontrado",
            )
            .detail(format!(
                "{o_que} não existe ou não está disponível para você."
            )),
            E::Proibido(m) => {
                Problem::new(StatusCode::FORBIDDEN, "proibido", "Sem permissão").detail(m)
            }
            E::Invalido(campos) => {
                let detalhe: Vec<&str> = campos.iter().map(|c| c.mensagem.as_str()).collect();
                let mut p = Problem::invalid(detalhe.join("; "));
                p.erros = campos;
                p
            }
            E::Regra(m) => Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "regra",
                "Pedido recusado pela regra",
            )
            .detail(m),
            E::Interno(m) => Problem::internal(&m),
            E::Store(e) => Problem::from(e),
        }
    }
}

impl From<persus_store::StoreError> for Problem {
    fn from(e: persus_store::StoreError) -> Problem {
        Problem::internal(&e)
    }
}
