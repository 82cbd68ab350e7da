//! The HTTP application: state, router and handlers.
//!
//! Routes live in [`router`]; each handler extracts, calls one store/domain function and maps
//! the result. Errors leave as [`Problem`] (RFC 9457).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, Request, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use persus_domain::ids::RegistroAns;
use persus_domain::money::Centavos;
use persus_store::{operadoras, stats, Db};
use serde::Serialize;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::trace::TraceLayer;

use crate::api::{self, recursos};
use crate::problem::Problem;

pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    /// Where evidence documents are stored (`<raiz>/documentos/…`).
    pub raiz_documentos: std::path::PathBuf,
    pub api: crate::api::EstadoApi,
    /// Homologação (sandbox) or produção; stamped on every answer.
    pub ambiente: crate::config::Ambiente,
    /// `--webhook-permitir-loopback`: homologação accepts loopback and `http://` webhook
    /// destinations (off by default; ignored in produção).
    pub webhook_permitir_loopback: bool,
    /// Session cookies carry `Secure` (set when served over TLS; also when a proxy says so).
    pub cookie_seguro: bool,
    /// A reverse proxy we trust stands in front: the client's address is the last one it
    /// appended to `X-Forwarded-For` (`PERSUS_PROXY_CONFIAVEL=1`); otherwise the peer's.
    pub proxy_confiavel: bool,
    /// Where the gov.br Design System's files are (`web/node_modules/@govbr-ds/core/dist`).
    pub assets_govbr: std::path::PathBuf,
    /// Slots for ZIP batches being received at once ([`api::lotes::ZIPS_SIMULTANEOS`]).
    pub zips_em_curso: Arc<tokio::sync::Semaphore>,
    /// The clock every handler reads (tests and homologação may stop or move it).
    pub relogio: Arc<dyn crate::servicos::relogio::Relogio>,
    /// Calendar, deadlines and grounds in force, loaded once.
    pub regras: Arc<crate::servicos::regras::RegrasVigentes>,
    /// The home page's aggregates scan every attendance (about 2 s at 1 M rows): computed at
    /// most once per [`RESUMO_TTL`] and shared.
    resumo: Arc<tokio::sync::Mutex<Option<(std::time::Instant, stats::Resumo)>>>,
}

const RESUMO_TTL: std::time::Duration = std::time::Duration::from_secs(60);

impl AppState {
    /// Must be called inside the Tokio runtime (it starts the access-log writer).
    pub fn new(db: Db) -> AppState {
        AppState::com_documentos(db, std::path::PathBuf::from("persus-data"))
    }

    pub fn com_documentos(db: Db, raiz_documentos: std::path::PathBuf) -> AppState {
        AppState {
            api: crate::api::EstadoApi::iniciar(db.clone()),
            ambiente: crate::config::Ambiente::Homologacao,
            webhook_permitir_loopback: false,
            // Off until `persus serve` sets them from the checked environment
            // (`config::Interruptores`).
            cookie_seguro: false,
            proxy_confiavel: false,
            assets_govbr: assets_govbr(),
            db,
            raiz_documentos,
            zips_em_curso: Arc::new(tokio::sync::Semaphore::new(api::lotes::ZIPS_SIMULTANEOS)),
            relogio: Arc::new(crate::servicos::relogio::RelogioSistema),
            regras: Arc::new(crate::servicos::regras::RegrasVigentes::padrao()),
            resumo: Arc::default(),
        }
    }

    async fn resumo(&self) -> Result<stats::Resumo, persus_store::StoreError> {
        let mut cached = self.resumo.lock().await;
        if let Some((at, r)) = cached.as_ref() {
            if at.elapsed() < RESUMO_TTL {
                return Ok(r.clone());
            }
        }
        let r = stats::resumo(&self.db).await?;
        *cached = Some((std::time::Instant::now(), r.clone()));
        Ok(r)
    }
}

/// The gov.br Design System files installed by `npm ci --prefix web`: `PERSUS_WEB_ASSETS`, or
/// `web/node_modules/…` under the working directory, or under the source tree.
pub fn assets_govbr() -> std::path::PathBuf {
    std::env::var_os("PERSUS_WEB_ASSETS")
        .map(Into::into)
        .unwrap_or_else(|| em_node_modules("@govbr-ds/core/dist"))
}

/// Swagger UI, the viewer of `/api/docs` (`swagger-ui-dist`, installed like the Design System):
/// `PERSUS_SWAGGER_UI_ASSETS`, or `web/node_modules/swagger-ui-dist` as for [`assets_govbr`].
pub fn assets_swagger_ui() -> std::path::PathBuf {
    std::env::var_os("PERSUS_SWAGGER_UI_ASSETS")
        .map(Into::into)
        .unwrap_or_else(|| em_node_modules("swagger-ui-dist"))
}

/// Font Awesome's stylesheets and fonts (`@fortawesome/fontawesome-free`, installed like the
/// Design System), served at `/assets/fontawesome/css/` and `/assets/fontawesome/webfonts/`:
/// `PERSUS_FONTAWESOME_ASSETS`, or `web/node_modules/@fortawesome/fontawesome-free`.
pub fn assets_fontawesome() -> std::path::PathBuf {
    std::env::var_os("PERSUS_FONTAWESOME_ASSETS")
        .map(Into::into)
        .unwrap_or_else(|| em_node_modules("@fortawesome/fontawesome-free"))
}

/// `web/node_modules/<rel>` under the working directory if there, else under the source tree.
fn em_node_modules(rel: &str) -> std::path::PathBuf {
    let local = std::path::Path::new("web/node_modules").join(rel);
    if local.exists() {
        return local;
    }
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../web/node_modules")
        .join(rel)
}

pub fn router(state: AppState) -> Router {
    let ambiente = HeaderValue::from_static(state.ambiente.as_str());
    let hsts = state.cookie_seguro;
    let para_erros = state.clone();
    let rotas = Router::new()
        .route("/", get(inicio))
        .merge(crate::web::router())
        .nest_service(
            "/assets/govbr",
            tower_http::services::ServeDir::new(state.assets_govbr.clone()),
        )
        .nest_service(
            "/assets/swagger-ui",
            tower_http::services::ServeDir::new(assets_swagger_ui()),
        )
        .nest_service(
            "/assets/fontawesome/css",
            tower_http::services::ServeDir::new(assets_fontawesome().join("css")),
        )
        .nest_service(
            "/assets/fontawesome/webfonts",
            tower_http::services::ServeDir::new(assets_fontawesome().join("webfonts")),
        )
        .route("/health", get(health))
        .route("/api/v1/operadoras/{registro_ans}", get(operadora))
        .route("/api/openapi.json", get(api::esquemas::openapi_json))
        .route("/api/docs", get(api::esquemas::docs))
        .route("/oauth/token", post(api::oauth::token))
        .route("/oauth/revoke", post(api::oauth::revogar))
        .route("/api/v1/atendimentos", get(recursos::atendimentos))
        .route("/api/v1/atendimentos/{numero}", get(recursos::atendimento))
        .route("/api/v1/notificacoes", get(recursos::notificacoes))
        .route("/api/v1/notificacoes/{id}", get(recursos::notificacao))
        .route("/api/v1/processos", get(recursos::processos_lista))
        .route(
            "/api/v1/documentos",
            post(recursos::documento).layer(DefaultBodyLimit::max(recursos::LIMITE_CORPO)),
        )
        .route("/api/v1/documentos/{id}", get(recursos::documento_pdf))
        .route("/api/v1/peticoes/{protocolo}", get(recursos::recibo))
        .route("/api/v1/impugnacoes", post(recursos::impugnacao))
        .route("/api/v1/recursos", post(recursos::recurso))
        // Its body limits are enforced by the handler (a ZIP is streamed to disk).
        .route("/api/v1/lotes", post(api::lotes::receber))
        .route("/api/v1/lotes/{id}", get(api::lotes::situacao))
        .route("/api/v1/debitos", get(api::cobranca::debitos))
        .route(
            "/api/v1/grus",
            get(api::cobranca::grus).post(api::cobranca::emitir),
        )
        .route("/api/v1/grus/{numero}", get(api::cobranca::gru))
        .route("/api/v1/grus/{numero}/pdf", get(api::cobranca::gru_pdf))
        .route(
            "/api/v1/parcelamentos/simulacao",
            post(api::cobranca::simular),
        )
        .route(
            "/api/v1/retornos",
            post(api::cobranca::retorno).layer(DefaultBodyLimit::max(crate::erros::LIMITE_RETORNO)),
        )
        .route("/api/v1/pagamentos", post(api::cobranca::pagamento))
        .route(
            "/api/v1/parcelamentos",
            get(api::cobranca::parcelamentos).post(api::cobranca::pedir_parcelamento),
        )
        .route(
            "/api/v1/parcelamentos/{id}",
            get(api::cobranca::parcelamento),
        )
        .route(
            "/api/v1/parcelamentos/{id}/parcelas/{numero}/gru",
            post(api::cobranca::gru_da_parcela),
        )
        .route("/api/v1/extrato", get(api::cobranca::extrato))
        .route("/api/v1/creditos", get(api::cobranca::creditos))
        .route(
            "/api/v1/homologacao/grus/{numero}/pagamento",
            post(api::cobranca::pagar_em_homologacao),
        )
        .route("/api/v1/arrecadacao", get(api::cobranca::arrecadacao))
        .route(
            "/api/v1/selic",
            get(api::cobranca::selic).post(api::cobranca::importar_selic),
        )
        .route("/api/v1/abis", get(api::ans::abis))
        .route(
            "/api/v1/abis/{numero}/publicacao",
            post(api::ans::publicar_abi),
        )
        .route("/api/v1/filas/{instancia}", get(api::ans::fila))
        .route(
            "/api/v1/webhooks",
            post(api::webhooks::criar).get(api::webhooks::listar),
        )
        .route(
            "/api/v1/webhooks/{id}",
            get(api::webhooks::uma).delete(api::webhooks::cancelar),
        )
        .route(
            "/api/v1/webhooks/{id}/entregas",
            get(api::webhooks::entregas),
        )
        .route("/api/v1/webhooks/{id}/teste", post(api::webhooks::teste))
        .route("/api/v1/decisoes", post(api::ans::decisao))
        .route("/api/v1/provisoes/peona", get(api::provisoes::peona))
        .route("/api/v1/provisoes/pesl", get(api::provisoes::pesl))
        .route(
            "/api/v1/provisoes/triangulo",
            get(api::provisoes::triangulo),
        )
        .route("/api/v1/provisoes/impacto", get(api::provisoes::impacto))
        .route(
            "/api/v1/provisoes/simulacao",
            get(api::provisoes::simulacao),
        )
        .with_state(state);
    // Unknown routes, wrong methods and axum's rejections: problem+json (or the web's page).
    // Around the whole router, so it sees the 405's `Allow`, which the router sets last.
    Router::new()
        .fallback_service(rotas)
        .layer(axum::middleware::from_fn_with_state(
            para_erros,
            crate::erros::padronizar,
        ))
        .layer(axum::middleware::map_response(move |mut r: Response| {
            let ambiente = ambiente.clone();
            async move {
                r.headers_mut().insert("x-persus-ambiente", ambiente);
                r
            }
        }))
        .layer(axum::middleware::from_fn_with_state(
            hsts,
            crate::web::seguranca::cabecalhos,
        ))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
            let id = req
                .extensions()
                .get::<RequestId>()
                .and_then(|id| id.header_value().to_str().ok())
                .unwrap_or("-")
                .to_owned();
            // Path only: query strings may carry personal data in later endpoints.
            // A calendar feed's path is its secret: logged without it.
            let path = crate::web::caminho_para_log(req.uri().path());
            tracing::info_span!("request", method = %req.method(), path = %path, request_id = %id)
        }))
        .layer(SetRequestIdLayer::x_request_id(SequentialRequestId::default()))
}

/// Request ids unique per process: start instant in base 36 plus a counter.
#[derive(Clone, Default)]
struct SequentialRequestId {
    counter: Arc<AtomicU64>,
}

impl MakeRequestId for SequentialRequestId {
    fn make_request_id<B>(&mut self, _: &Request<B>) -> Option<RequestId> {
        static PREFIX: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let prefix = PREFIX.get_or_init(|| {
            let secs = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_millis())
                .unwrap_or(0);
            format!("{secs:x}")
        });
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        HeaderValue::from_str(&format!("{prefix}-{n}"))
            .ok()
            .map(RequestId::new)
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Health {
    pub status: &'static str,
    pub database: &'static str,
    pub version: &'static str,
}

/// `GET /health`: 200 when the database answers, 503 otherwise (load balancers drain the node).
#[utoipa::path(
    get, path = "/health", tag = "servico",
    summary = "Saúde do serviço: o banco responde?",
    description = "Responde 200 enquanto o banco de dados responde, 503 quando não (balanceadores retiram o nó). Sem token.",
    responses(
        (status = 200, description = "Em serviço", body = Health),
        (status = 503, description = "Banco de dados inacessível (status \"indisponivel\")", body = Health),
    )
)]
pub async fn health(State(app): State<AppState>) -> Response {
    let database = app.db.backend().name();
    match app.db.ping().await {
        Ok(()) => Json(Health {
            status: "ok",
            database,
            version: VERSION,
        })
        .into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "health check: database unreachable");
            let body = Health {
                status: "indisponivel",
                database,
                version: VERSION,
            };
            (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response()
        }
    }
}

/// `GET /api/v1/operadoras/{registro_ans}`: one operator of the public ANS register.
#[utoipa::path(
    get, path = "/api/v1/operadoras/{registro_ans}", tag = "cadastro",
    summary = "Uma operadora do cadastro público da ANS (sem token)",
    description = "Uma operadora do cadastro público da ANS. Sem token.",
    params(("registro_ans" = String, Path, description = "Registro ANS, 6 dígitos com o verificador", pattern = "^[0-9]{6}$", example = "368253")),
    responses(
        (status = 200, body = operadoras::Operadora),
        crate::api::respostas::CaminhoIlegivel, crate::api::respostas::NaoEncontrado,
        crate::api::respostas::Invalido, crate::api::respostas::Interno,
    )
)]
pub async fn operadora(
    State(app): State<AppState>,
    Path(registro): Path<String>,
) -> Result<Json<operadoras::Operadora>, Problem> {
    let registro = RegistroAns::parse(&registro).map_err(|e| Problem::invalid(e.to_string()))?;
    operadoras::find(&app.db, &registro)
        .await?
        .map(Json)
        .ok_or_else(|| Problem::not_found(&format!("Operadora com registro ANS {registro}")))
}

/// `GET /`: what this instance holds, in pt-BR, in the web's gov.br frame.
async fn inicio(State(app): State<AppState>) -> Response {
    match app.resumo().await {
        Ok(r) => Html(render_inicio(&app, &r).into_string()).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "home page aggregates not read");
            crate::web::erro(
                StatusCode::SERVICE_UNAVAILABLE,
                "Indisponível",
                "Não foi possível ler os números desta instância agora; tente de novo em instantes.",
            )
        }
    }
}

fn render_inicio(app: &AppState, r: &stats::Resumo) -> maud::Markup {
    use crate::web::layout;
    let cartoes = [
        ("Operadoras no cadastro", milhar(r.operadoras)),
        (
            "Operadoras com atendimentos",
            milhar(r.operadoras_com_atendimentos),
        ),
        ("Beneficiários", milhar(r.beneficiarios)),
        ("Atendimentos identificados", milhar(r.atendimentos)),
        (
            "Valor a ressarcir (IVR)",
            Centavos::new(r.valor_ressarcimento_centavos).to_string(),
        ),
    ];
    let tabela = maud::html! {
        table.persus {
            caption.sr-only { "Atendimentos identificados e valor a ressarcir, por competência" }
            thead { tr {
                th scope="col" { "Competência" }
                th scope="col" .num { "Atendimentos" }
                th scope="col" .num { "Valor a ressarcir" }
            } }
            tbody {
                @for c in &r.competencias {
                    tr {
                        td { (c.competencia.get(4..).unwrap_or("")) "/" (c.competencia.get(..4).unwrap_or("")) }
                        td.num { (milhar(c.atendimentos)) }
                        td.num { (Centavos::new(c.valor_ressarcimento_centavos)) }
                    }
                }
            }
        }
    };
    let corpo = maud::html! {
        h1 { "persus — Ressarcimento ao SUS" }
        p.persus-chamada { "Protocolo eletrônico do ressarcimento ao SUS (Lei 9.656/1998, art. 32): operadoras de planos de saúde e servidores da ANS." }
        p.persus-acoes {
            a.br-button.primary href="/entrar" { i.fas.fa-sign-in-alt aria-hidden="true" {} " Entrar" }
            " "
            a.br-button.secondary href="/api/docs" { i.fas.fa-code aria-hidden="true" {} " API para integradores" }
        }
        section.cartoes aria-label="Resumo" {
            @for (rotulo, valor) in &cartoes {
                div.cartao { div { (rotulo) } div.valor { (valor) } }
            }
        }
        h2 { "Atendimentos identificados por competência" }
        (layout::rolavel("Atendimentos identificados por competência", tabela))
        p { small {
            "Banco de dados: " (app.db.backend().name()) " · versão " (VERSION) " · "
            a href="/health" { "/health" }
            " · Cadastro de operadoras: Fonte: ANS — dados abertos (CC BY). Beneficiários e atendimentos desta instância são sintéticos."
        } }
    };
    layout::pagina_publica(app, "Ressarcimento ao SUS", corpo)
}

/// `1234567` → `1.234.567` (pt-BR thousands separator).
pub fn milhar(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::milhar;

    #[test]
    fn counts_use_the_brazilian_thousands_separator() {
        assert_eq!(milhar(0), "0");
        assert_eq!(milhar(999), "999");
        assert_eq!(milhar(1_000), "1.000");
        assert_eq!(milhar(1_234_567), "1.234.567");
        assert_eq!(milhar(-20_000), "-20.000");
    }
}
