//! A one-time message carried across a redirect (Post/Redirect/Get): a POST that succeeded
//! answers 303 with the message in a short-lived cookie scoped to the page it redirects to;
//! that page shows it once and clears it, so F5 or Back never shows it again nor repeats the
//! action. The cookie is `HttpOnly`, `SameSite=Strict`, five minutes, for that path only; its
//! text is escaped when shown like any other text.

use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use maud::{html, Markup};
use serde::{Deserialize, Serialize};

const COOKIE: &str = "persus_aviso";

/// What the next page says once.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Aviso {
    pub titulo: String,
    pub texto: String,
    /// A value shown once and meant to be copied (a first-access code).
    #[serde(default)]
    pub codigo: Option<String>,
}

/// 303 to `destino` (a path of this site), carrying `aviso` for that page.
pub fn redirecionar(destino: &str, aviso: &Aviso) -> Response {
    let caminho = destino.split('?').next().unwrap_or("/");
    let valor = URL_SAFE_NO_PAD.encode(serde_json::to_vec(aviso).unwrap_or_default());
    let cookie =
        format!("{COOKIE}={valor}; Path={caminho}; Max-Age=300; HttpOnly; SameSite=Strict");
    let mut r = Redirect::to(destino).into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

/// The message waiting for this page, if any.
pub fn ler(headers: &HeaderMap) -> Option<Aviso> {
    let valor = super::cookie(headers, COOKIE)?;
    let bytes = URL_SAFE_NO_PAD.decode(valor).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// The answer of the page that showed the message clears it (for the path it was set on).
pub fn consumido(caminho: &str, mut resposta: Response) -> Response {
    let limpar = format!("{COOKIE}=; Path={caminho}; Max-Age=0; HttpOnly; SameSite=Strict");
    if let Ok(v) = HeaderValue::from_str(&limpar) {
        resposta.headers_mut().append(header::SET_COOKIE, v);
    }
    resposta
}

/// The message as the gov.br Design System's success box, announced to screen readers.
pub fn caixa(aviso: &Aviso) -> Markup {
    html! {
        div.br-message.success role="status" id="aviso" {
            div.content {
                span.message-title { (aviso.titulo) } " "
                span.message-body {
                    (aviso.texto)
                    @if let Some(c) = &aviso.codigo { " " code id="codigo" { (c) } }
                }
            }
        }
    }
}
