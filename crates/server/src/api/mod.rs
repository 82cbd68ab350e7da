//! The integration API (`/api/v1`, `/oauth/token`): who is calling ([`Cliente`]), what it may
//! do (scopes, its own organization's data only), idempotent POSTs, and the log of reads of
//! personal data. Handlers call the same services as the CLI and, later, the web pages.

pub mod ans;
pub mod cobranca;
pub mod documentacao;
pub mod esquemas;
pub mod lotes;
pub mod oauth;
pub mod provisoes;
pub mod recursos;
pub mod respostas;
pub mod webhooks;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use persus_domain::acesso::TipoOrganizacao;
use persus_store::contas::{self, Acesso, TokenValido};
use persus_store::idempotencia;
use tokio::sync::mpsc;

use crate::app::AppState;
use crate::auth::{self, Limitador};
use crate::problem::Problem;

/// The application behind a valid bearer token.
#[derive(Clone, Debug)]
pub struct Cliente {
    pub aplicacao_id: i64,
    pub organizacao_id: i64,
    /// The operator whose data this client may see; `None` for ANS.
    pub operadora: Option<String>,
    pub escopos: Vec<String>,
    pub request_id: Option<String>,
}

impl Cliente {
    pub fn ans(&self) -> bool {
        self.operadora.is_none()
    }

    /// 403 unless the token carries `escopo`.
    pub fn exigir(&self, escopo: &str) -> Result<(), Problem> {
        if self.escopos.iter().any(|e| e == escopo) {
            Ok(())
        } else {
            Err(Problem::new(
                StatusCode::FORBIDDEN,
                "escopo-insuficiente",
                "Escopo insuficiente",
            )
            .detail(format!(
                "Este token não tem o escopo \"{escopo}\"; peça um token com ele em /oauth/token."
            )))
        }
    }

    /// Who acts, for the audit trail: the application, on behalf of its organization.
    pub fn ator(&self) -> persus_store::auditoria::Ator {
        persus_store::auditoria::Ator {
            ator: format!("aplicacao:{}", self.aplicacao_id),
            organizacao: self.operadora.clone().unwrap_or_else(|| "ANS".to_owned()),
            aplicacao: Some(self.aplicacao_id.to_string()),
            request_id: self.request_id.clone(),
        }
    }

    /// The operator this client acts for; 403 for ANS on operator-only operations.
    pub fn operadora(&self) -> Result<&str, Problem> {
        self.operadora.as_deref().ok_or_else(|| {
            Problem::new(
                StatusCode::FORBIDDEN,
                "somente-operadora",
                "Operação de operadora",
            )
            .detail("Esta operação é feita pela operadora, não pela ANS.")
        })
    }
}

/// Valid tokens seen recently, so a busy client costs one hash and one map lookup. An entry
/// lives at most [`CACHE_TOKEN`]; revoking through this node evicts it at once (another node
/// stops accepting it within that time).
#[derive(Default)]
pub struct CacheTokens {
    tokens: Mutex<HashMap<String, (TokenValido, Instant)>>,
}

pub const CACHE_TOKEN: Duration = Duration::from_secs(10);

impl CacheTokens {
    fn buscar(&self, sha: &str) -> Option<TokenValido> {
        let mut m = self.tokens.lock().unwrap_or_else(|e| e.into_inner());
        match m.get(sha) {
            Some((t, em)) if em.elapsed() < CACHE_TOKEN && t.expira_em > Utc::now() => {
                Some(t.clone())
            }
            Some(_) => {
                m.remove(sha);
                None
            }
            None => None,
        }
    }

    fn guardar(&self, sha: &str, t: &TokenValido) {
        let mut m = self.tokens.lock().unwrap_or_else(|e| e.into_inner());
        if m.len() > 100_000 {
            m.clear();
        }
        m.insert(sha.to_owned(), (t.clone(), Instant::now()));
    }

    pub fn esquecer(&self, sha: &str) {
        self.tokens
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(sha);
    }

    pub fn esquecer_aplicacao(&self, aplicacao_id: i64) {
        self.tokens
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|_, (t, _)| t.aplicacao_id != aplicacao_id);
    }
}

/// What the API keeps beside the database.
#[derive(Clone)]
pub struct EstadoApi {
    pub limitador: Arc<Limitador>,
    pub tokens: Arc<CacheTokens>,
    pub acessos: mpsc::Sender<Acesso>,
    /// The access-log writer; it ends after the last sender is dropped and the rest is written.
    escritor: Arc<Mutex<Option<tokio::task::JoinHandle<()>>>>,
}

impl EstadoApi {
    /// Starts the writer of the personal-data access log: reads are appended in batches (at most
    /// every 200 ms or 500 reads), off the request path.
    pub fn iniciar(db: persus_store::Db) -> EstadoApi {
        let (tx, mut rx) = mpsc::channel::<Acesso>(50_000);
        let escritor = tokio::spawn(async move {
            let mut lote = Vec::with_capacity(500);
            loop {
                let primeiro = rx.recv().await;
                let Some(a) = primeiro else { break };
                lote.push(a);
                let prazo = tokio::time::sleep(Duration::from_millis(200));
                tokio::pin!(prazo);
                while lote.len() < 500 {
                    tokio::select! {
                        a = rx.recv() => match a { Some(a) => lote.push(a), None => break },
                        () = &mut prazo => break,
                    }
                }
                if let Err(e) = contas::registrar_acessos(&db, &lote).await {
                    tracing::error!(error = %e, perdidos = lote.len(), "access log write failed");
                }
                lote.clear();
            }
        });
        EstadoApi {
            limitador: Arc::default(),
            tokens: Arc::default(),
            acessos: tx,
            escritor: Arc::new(Mutex::new(Some(escritor))),
        }
    }

    /// The writer's handle, for a graceful shutdown: once every clone of the state is dropped,
    /// awaiting it waits until the buffered reads are written.
    pub fn escritor_de_acessos(&self) -> Option<tokio::task::JoinHandle<()>> {
        self.escritor
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
    }

    /// Records a read of personal data; if the log cannot keep up the read is refused rather
    /// than left unrecorded.
    pub fn registrar_acesso(
        &self,
        c: &Cliente,
        recurso: &'static str,
        chave: &str,
    ) -> Result<(), Problem> {
        self.acessos
            .try_send(Acesso {
                instante: Utc::now(),
                organizacao_id: c.organizacao_id,
                aplicacao_id: Some(c.aplicacao_id),
                usuario: None,
                recurso,
                chave: chave.to_owned(),
                request_id: c.request_id.clone(),
            })
            .map_err(|_| {
                Problem::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "sobrecarga",
                    "Serviço sobrecarregado",
                )
                .detail("Tente novamente em alguns segundos.")
            })
    }
}

impl EstadoApi {
    /// Records a person's read of personal data through the web; false if the log cannot keep
    /// up (the page then refuses to show it).
    pub fn registrar_acesso_web(
        &self,
        organizacao_id: i64,
        usuario: &str,
        recurso: &'static str,
        chave: &str,
    ) -> bool {
        self.acessos
            .try_send(Acesso {
                instante: Utc::now(),
                organizacao_id,
                aplicacao_id: None,
                usuario: Some(usuario.to_owned()),
                recurso,
                chave: chave.to_owned(),
                request_id: None,
            })
            .is_ok()
    }
}

/// A page size: 1 to 1000, 100 when not given.
pub(crate) fn limite_de_pagina(l: Option<i64>) -> Result<i64, Problem> {
    match l.unwrap_or(100) {
        n @ 1..=1000 => Ok(n),
        n => Err(Problem::invalid(format!(
            "limite {n} inválido: use de 1 a 1000"
        ))),
    }
}

fn nao_autenticado(detalhe: &str) -> Response {
    let mut r = Problem::new(
        StatusCode::UNAUTHORIZED,
        "nao-autenticado",
        "Não autenticado",
    )
    .detail(detalhe)
    .into_response();
    r.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer realm=\"persus\", error=\"invalid_token\""),
    );
    r
}

impl FromRequestParts<AppState> for Cliente {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Cliente, Response> {
        let Some(token) = bearer(&parts.headers) else {
            return Err(nao_autenticado(
                "Envie o cabeçalho Authorization: Bearer <token>, obtido em POST /oauth/token.",
            ));
        };
        let sha = auth::sha256_hex(token);
        let t =
            match app.api.tokens.buscar(&sha) {
                Some(t) => t,
                None => match contas::token(&app.db, &sha, Utc::now()).await {
                    Ok(Some(t)) => {
                        app.api.tokens.guardar(&sha, &t);
                        t
                    }
                    Ok(None) => return Err(nao_autenticado(
                        "Token inválido, expirado ou revogado; obtenha outro em POST /oauth/token.",
                    )),
                    Err(e) => return Err(Problem::from(e).into_response()),
                },
            };
        if let Err(espera) = app.api.limitador.tomar(t.aplicacao_id, t.limite_por_minuto) {
            let mut r = Problem::new(
                StatusCode::TOO_MANY_REQUESTS,
                "limite-de-requisicoes",
                "Limite de requisições excedido",
            )
            .detail(format!(
                "Esta aplicação pode fazer {} requisições por minuto; tente de novo em {espera} s.",
                t.limite_por_minuto
            ))
            .into_response();
            if let Ok(v) = HeaderValue::from_str(&espera.to_string()) {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
            return Err(r);
        }
        Ok(Cliente {
            aplicacao_id: t.aplicacao_id,
            organizacao_id: t.organizacao_id,
            operadora: t
                .operadora
                .filter(|_| t.organizacao_tipo == TipoOrganizacao::Operadora),
            escopos: t.escopos.split_whitespace().map(str::to_owned).collect(),
            request_id: parts
                .headers
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
        })
    }
}

fn bearer(h: &HeaderMap) -> Option<&str> {
    let v = h.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (esquema, token) = v.split_once(' ')?;
    esquema
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
        .filter(|t| !t.is_empty())
}

/// The `Idempotency-Key` of a POST, with the request it belongs to (method, path and query).
///
/// [`Idempotencia::executar`] runs the request once per (application, key): the change and its
/// answer are committed in one transaction ([`persus_store::idempotencia`]), so a retry — after
/// a timeout, a dropped connection or a crash of the server — replays the original answer, and
/// two concurrent first requests produce one change. The same key with another request is 422.
pub struct Idempotencia {
    chave: Option<String>,
    rota: String,
}

impl<S: Send + Sync> FromRequestParts<S> for Idempotencia {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Problem> {
        let rota = format!(
            "{} {}",
            parts.method,
            parts
                .uri
                .path_and_query()
                .map_or_else(|| parts.uri.path(), |p| p.as_str())
        );
        let Some(v) = parts.headers.get("idempotency-key") else {
            return Ok(Idempotencia { chave: None, rota });
        };
        let chave = v
            .to_str()
            .ok()
            .map(str::trim)
            .filter(|k| !k.is_empty() && k.len() <= 255 && k.bytes().all(|b| b.is_ascii_graphic()))
            .ok_or_else(|| {
                Problem::invalid(
                    "Idempotency-Key inválida: use de 1 a 255 caracteres ASCII visíveis (por exemplo, um UUID)",
                )
            })?;
        Ok(Idempotencia {
            chave: Some(chave.to_owned()),
            rota,
        })
    }
}

fn responder(status: StatusCode, corpo: String) -> Response {
    let tipo = if status.is_success() {
        "application/json"
    } else {
        "application/problem+json"
    };
    (status, [(header::CONTENT_TYPE, tipo)], corpo).into_response()
}

impl Idempotencia {
    /// Runs `executar` unless an answer is stored for the key; see the type's documentation.
    pub async fn executar<F, Fut>(
        self,
        app: &AppState,
        cliente: &Cliente,
        corpo: &[u8],
        executar: F,
    ) -> Response
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = (StatusCode, serde_json::Value)>,
    {
        let Some(chave) = self.chave else {
            let (status, v) = executar().await;
            return responder(status, v.to_string());
        };
        let impressao = {
            use sha2::Digest;
            let mut h = sha2::Sha256::new();
            h.update(self.rota.as_bytes());
            h.update(b"\n");
            h.update(corpo);
            format!("{:x}", h.finalize())
        };
        let app_id = cliente.aplicacao_id;
        let agora = app.relogio.agora();
        match idempotencia::buscar(&app.db, app_id, &chave, agora).await {
            Ok(Some(r)) => return repetir(&chave, &impressao, r),
            Ok(None) => {}
            Err(e) => return Problem::from(e).into_response(),
        }
        let ((status, v), tx) = idempotencia::escopo(executar()).await;
        queda_injetada();
        let r = idempotencia::Resposta {
            impressao,
            status: status.as_u16(),
            corpo: v.to_string(),
        };
        if status.is_server_error() {
            // Not stored, so the client may retry; a change already made stays made.
            if let Some(tx) = tx {
                if let Err(e) = tx.confirmar().await {
                    return Problem::from(e).into_response();
                }
            }
            return responder(status, r.corpo);
        }
        let gravada = match tx {
            Some(mut tx) => {
                match idempotencia::gravar_na_transacao(&mut tx, app_id, &chave, &r, agora).await {
                    Ok(true) => tx.confirmar().await.map(|()| true),
                    // Dropping the transaction rolls the change back.
                    other => other,
                }
            }
            None => idempotencia::gravar(&app.db, app_id, &chave, &r, agora).await,
        };
        match gravada {
            Ok(true) => responder(status, r.corpo),
            // Another request with this key finished first: its answer is the answer.
            Ok(false) => match idempotencia::buscar(&app.db, app_id, &chave, agora).await {
                Ok(Some(primeira)) => repetir(&chave, &r.impressao, primeira),
                Ok(None) => Problem::internal(&"idempotency record vanished").into_response(),
                Err(e) => Problem::from(e).into_response(),
            },
            Err(e) => Problem::from(e).into_response(),
        }
    }
}

impl Idempotencia {
    /// [`Idempotencia::executar`] for a handler written as `Result<Response, Problem>` whose
    /// answers are JSON.
    pub async fn sobre<Fut>(
        self,
        app: &AppState,
        cliente: &Cliente,
        corpo: &[u8],
        resposta: Fut,
    ) -> Response
    where
        Fut: std::future::Future<Output = Result<Response, Problem>>,
    {
        self.executar(app, cliente, corpo, || async move {
            match resposta.await {
                Ok(r) => em_par(r).await,
                Err(p) => p.em_par(),
            }
        })
        .await
    }
}

/// A JSON answer as (status, body), the shape stored for a key.
async fn em_par(r: Response) -> (StatusCode, serde_json::Value) {
    let status = r.status();
    match axum::body::to_bytes(r.into_body(), usize::MAX).await {
        Ok(b) if b.is_empty() => (status, serde_json::Value::Null),
        Ok(b) => match serde_json::from_slice(&b) {
            Ok(v) => (status, v),
            Err(_) => (status, String::from_utf8_lossy(&b).into_owned().into()),
        },
        Err(e) => Problem::internal(&e).em_par(),
    }
}

/// Crash tests only: with `PERSUS_FALHA_INJETADA=apos-mudanca` the process aborts (as kill -9
/// would) once a keyed request has made its change and before its answer is stored — the
/// window a crash hits. Nothing else reads this variable.
fn queda_injetada() {
    static ATIVA: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    if *ATIVA
        .get_or_init(|| std::env::var("PERSUS_FALHA_INJETADA").is_ok_and(|v| v == "apos-mudanca"))
    {
        tracing::error!("PERSUS_FALHA_INJETADA=apos-mudanca: aborting to test crash recovery");
        std::process::abort();
    }
}

/// The stored answer, marked as a replay; 422 if the key was used for another request.
fn repetir(chave: &str, impressao: &str, r: idempotencia::Resposta) -> Response {
    if r.impressao != impressao {
        return Problem::invalid(format!(
            "a Idempotency-Key \"{chave}\" já foi usada em outra requisição (outro endereço ou outro conteúdo); use uma chave nova para uma nova requisição"
        ))
        .into_response();
    }
    let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::OK);
    let mut resposta = responder(status, r.corpo);
    resposta
        .headers_mut()
        .insert("idempotent-replayed", HeaderValue::from_static("true"));
    resposta
}

/// `Query<T>` whose rejection is a pt-BR problem+json (422) naming the parameter, instead of
/// axum's plain-text 400.
pub struct Consulta<T>(pub T);

impl<T, S> FromRequestParts<S> for Consulta<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Problem> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(Consulta(v)),
            Err(e) => Err(Problem::invalid(format!(
                "parâmetros da consulta inválidos: {}",
                crate::erros::traduzir_serde(
                    e.body_text()
                        .trim_start_matches("Failed to deserialize query string: ")
                )
                .replace("campo", "parâmetro")
            ))),
        }
    }
}
