//! A form sent after its session ended is not lost. Its non-file fields are kept server-side
//! (`formularios_pendentes`, one hour) under the SHA-256 of a random token; the token goes to
//! the browser that sent the form in an `HttpOnly`, `SameSite=Lax` cookie and in the address
//! the sign-in page returns to. After signing in, the form page gets the fields back once,
//! only in that browser (cookie and address must agree), only for the person of the expired
//! session when it is still known, and only into the same form — and says so, asking for the
//! files again (they are never kept).
//!
//! Nothing is done on the person's behalf: the kept fields only fill the form again, which is
//! sent with a fresh session and CSRF token like any other. A POST from another site was
//! already refused before this ([`super::TalvezSessao`]).

use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use chrono::{Duration, Utc};
use persus_store::formularios::{self, Pendente};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::{indisponivel, para_entrar, token_da_sessao, Sessao};
use crate::app::AppState;
use crate::auth;

pub const COOKIE: &str = "persus_retomar";
/// How long a kept form waits for the person to sign in again.
pub const VALIDADE: Duration = Duration::hours(1);

/// Keeps `campos` of `formulario` and sends the person to sign in, coming back to `volta` (the
/// form's GET address) with the token added as `retomar`.
pub async fn guardar_e_entrar(
    app: &AppState,
    headers: &HeaderMap,
    formulario: &str,
    campos: &impl Serialize,
    volta: &str,
) -> Response {
    let agora = Utc::now();
    let usuario_id = match token_da_sessao(headers) {
        Some(t) => match formularios::usuario_da_sessao(&app.db, &auth::sha256_hex(&t)).await {
            Ok(u) => u,
            Err(e) => return indisponivel(e),
        },
        None => None,
    };
    let campos = match serde_json::to_string(campos) {
        Ok(c) => c,
        Err(e) => return indisponivel(e),
    };
    let token = auth::aleatorio("ret_");
    let pendente = Pendente {
        usuario_id,
        formulario: formulario.to_owned(),
        campos,
    };
    if let Err(e) = formularios::guardar(
        &app.db,
        &auth::sha256_hex(&token),
        &pendente,
        agora,
        agora + VALIDADE,
    )
    .await
    {
        return indisponivel(e);
    }
    let separador = if volta.contains('?') { '&' } else { '?' };
    let cookie = format!(
        "{COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
        VALIDADE.num_seconds(),
        if app.cookie_seguro { "; Secure" } else { "" }
    );
    (
        [(header::SET_COOKIE, cookie)],
        para_entrar(&format!("{volta}{separador}retomar={token}")),
    )
        .into_response()
}

/// The fields kept under `token` for `formulario`, taken once: `None` when there is nothing
/// (expired, already taken, another browser, another person, another form).
pub async fn retomar<T: DeserializeOwned>(
    app: &AppState,
    s: &Sessao,
    headers: &HeaderMap,
    formulario: &str,
    token: &str,
) -> Result<Option<T>, Response> {
    let do_navegador = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .any(|(k, v)| k == COOKIE && auth::iguais(v, token));
    if !do_navegador {
        return Ok(None);
    }
    let Some(p) = formularios::retomar(&app.db, &auth::sha256_hex(token), Utc::now())
        .await
        .map_err(indisponivel)?
    else {
        return Ok(None);
    };
    if p.formulario != formulario || p.usuario_id.is_some_and(|u| u != s.usuario.id) {
        return Ok(None);
    }
    Ok(serde_json::from_str(&p.campos).ok())
}

/// The `Set-Cookie` that drops the token from the browser once the form is back.
pub fn esquecer() -> (header::HeaderName, String) {
    (
        header::SET_COOKIE,
        format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"),
    )
}
