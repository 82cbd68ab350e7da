//! OAuth2 client credentials (RFC 6749 §4.4) at `POST /oauth/token` and token revocation
//! (RFC 7009) at `POST /oauth/revoke`. Client authentication by HTTP Basic or by
//! `client_id`/`client_secret` in the form; errors in the RFC's JSON shape, in pt-BR.

use std::collections::HashMap;

use axum::extract::{FromRequest, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use base64::Engine;
use chrono::Utc;
use persus_store::contas;
use serde_json::json;

use crate::app::AppState;
use crate::auth::{self, PREFIXO_TOKEN, VALIDADE_TOKEN};

fn erro(status: StatusCode, codigo: &str, descricao: &str) -> Response {
    let mut r = (
        status,
        Json(json!({ "error": codigo, "error_description": descricao })),
    )
        .into_response();
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    if status == StatusCode::UNAUTHORIZED {
        r.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Basic realm=\"persus\""),
        );
    }
    r
}

/// The form body of `/oauth/*`. A body that is not `application/x-www-form-urlencoded`, or does
/// not parse, is `invalid_request` (RFC 6749 §5.2, RFC 7009 §2.2.1), not axum's plain text; a body
/// over the limit stays a 413 problem+json.
pub struct Formulario(pub HashMap<String, String>);

impl<S: Send + Sync> FromRequest<S> for Formulario {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Formulario, Response> {
        match Form::<HashMap<String, String>>::from_request(req, state).await {
            Ok(Form(f)) => Ok(Formulario(f)),
            Err(r) if r.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(r.into_response()),
            Err(r) => Err(erro(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                &if r.status() == StatusCode::UNSUPPORTED_MEDIA_TYPE {
                    "envie o corpo como application/x-www-form-urlencoded (RFC 6749 §4.4.2)"
                        .to_owned()
                } else {
                    format!(
                        "formulário ilegível: {}",
                        crate::erros::traduzir_serde(
                            r.body_text().split_once(": ").map_or("", |(_, m)| m)
                        )
                    )
                },
            )),
        }
    }
}

/// (client_id, client_secret) from HTTP Basic (preferred by RFC 6749 §2.3.1) or the form.
fn credenciais(headers: &HeaderMap, form: &HashMap<String, String>) -> Option<(String, String)> {
    if let Some(v) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        let (esquema, b64) = v.split_once(' ')?;
        if esquema.eq_ignore_ascii_case("basic") {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(b64.trim())
                .ok()?;
            let texto = String::from_utf8(bytes).ok()?;
            let (id, segredo) = texto.split_once(':')?;
            return Some((id.to_owned(), segredo.to_owned()));
        }
    }
    Some((
        form.get("client_id")?.clone(),
        form.get("client_secret")?.clone(),
    ))
}

/// The application whose credentials the request carries, if they are right.
async fn autenticar(
    app: &AppState,
    headers: &HeaderMap,
    form: &HashMap<String, String>,
) -> Result<contas::Aplicacao, Response> {
    let Some((client_id, segredo)) = credenciais(headers, form) else {
        return Err(erro(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "informe client_id e client_secret (HTTP Basic ou no formulário)",
        ));
    };
    let a = contas::aplicacao_por_client_id(&app.db, &client_id)
        .await
        .map_err(|e| crate::problem::Problem::from(e).into_response())?;
    // Same answer for unknown id, wrong secret and revoked application.
    a.filter(|a| {
        a.revogada_em.is_none() && auth::iguais(&a.segredo_sha256, &auth::sha256_hex(&segredo))
    })
    .ok_or_else(|| {
        erro(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "client_id ou client_secret inválido, ou aplicação revogada",
        )
    })
}

/// `POST /oauth/token` (application/x-www-form-urlencoded).
#[utoipa::path(
    post, path = "/oauth/token", tag = "autenticacao",
    summary = "Emite um token (OAuth2 client credentials, RFC 6749 §4.4)",
    description = "Emite um token de acesso para a aplicação (OAuth2 client credentials, RFC 6749 §4.4). Autentique a aplicação por HTTP Basic (client id e secret) ou no formulário. O token vale uma hora; peça outro quando expirar.",
    request_body(content = super::esquemas::PedidoToken, content_type = "application/x-www-form-urlencoded",
        description = "grant_type=client_credentials&scope=… ; credenciais por HTTP Basic ou client_id/client_secret no formulário"),
    responses(
        (status = 200, description = "Token emitido", body = super::esquemas::TokenEmitido),
        (status = 400, description = "invalid_request (corpo que não é formulário), unsupported_grant_type ou invalid_scope (RFC 6749 §5.2)", body = super::esquemas::ErroOAuth),
        (status = 401, description = "invalid_client: credenciais inválidas, aplicação revogada ou de outro ambiente", body = super::esquemas::ErroOAuth),
        super::respostas::CorpoGrande, super::respostas::Interno,
    )
)]
pub async fn token(
    State(app): State<AppState>,
    headers: HeaderMap,
    Formulario(form): Formulario,
) -> Response {
    if form.get("grant_type").map(String::as_str) != Some("client_credentials") {
        return erro(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "use grant_type=client_credentials",
        );
    }
    let a = match autenticar(&app, &headers, &form).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    if a.ambiente != app.ambiente.as_str() {
        return erro(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            &format!(
                "esta aplicação está registrada para {}; este é o ambiente de {}",
                a.ambiente,
                app.ambiente.as_str()
            ),
        );
    }
    let escopos = match auth::escopos_concedidos(form.get("scope").map(String::as_str), &a.escopos)
    {
        Ok(e) => e,
        Err(m) => return erro(StatusCode::BAD_REQUEST, "invalid_scope", &m),
    };
    let token = auth::aleatorio(PREFIXO_TOKEN);
    let agora = Utc::now();
    let expira = agora + chrono::Duration::seconds(VALIDADE_TOKEN.as_secs() as i64);
    if let Err(e) = contas::emitir_token(
        &app.db,
        &auth::sha256_hex(&token),
        a.id,
        &escopos,
        agora,
        expira,
    )
    .await
    {
        return crate::problem::Problem::from(e).into_response();
    }
    let mut r = Json(super::esquemas::TokenEmitido {
        access_token: token,
        token_type: "Bearer".to_owned(),
        expires_in: VALIDADE_TOKEN.as_secs(),
        scope: escopos,
    })
    .into_response();
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    r
}

#[utoipa::path(
    post, path = "/oauth/revoke", tag = "autenticacao",
    summary = "Revoga um token da própria aplicação (RFC 7009)",
    description = "Revoga um token da própria aplicação (RFC 7009). Responde 200 também para um token desconhecido ou já revogado.",
    request_body(content = super::esquemas::PedidoRevogacao, content_type = "application/x-www-form-urlencoded", description = "token=… ; credenciais como em /oauth/token"),
    responses(
        (status = 200, description = "Revogado (ou já não valia)"),
        (status = 400, description = "invalid_request: corpo que não é formulário (RFC 7009 §2.2.1)", body = super::esquemas::ErroOAuth),
        (status = 401, description = "invalid_client: credenciais inválidas", body = super::esquemas::ErroOAuth),
        super::respostas::CorpoGrande, super::respostas::Interno,
    )
)]
/// `POST /oauth/revoke` (RFC 7009): the client revokes one of its tokens. Always 200 for an
/// authenticated client, whether or not the token existed (the RFC's rule).
pub async fn revogar(
    State(app): State<AppState>,
    headers: HeaderMap,
    Formulario(form): Formulario,
) -> Response {
    let a = match autenticar(&app, &headers, &form).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    if let Some(t) = form.get("token") {
        let sha = auth::sha256_hex(t);
        // Only the application's own tokens.
        if let Ok(Some(v)) = contas::token(&app.db, &sha, Utc::now()).await {
            if v.aplicacao_id == a.id {
                if let Err(e) = contas::revogar_token(&app.db, &sha, Utc::now()).await {
                    return crate::problem::Problem::from(e).into_response();
                }
                app.api.tokens.esquecer(&sha);
            }
        }
    }
    StatusCode::OK.into_response()
}
