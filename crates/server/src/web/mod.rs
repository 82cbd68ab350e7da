//! The web application for operators and ANS staff: server-rendered pt-BR pages in the visual
//! language of the gov.br Design System (its CSS, from the npm package `@govbr-ds/core`, served
//! from `web/node_modules`), working without JavaScript. Same services and rules as the API.
//!
//! Sessions: a random token in an `HttpOnly`, `SameSite=Lax` cookie (`Secure` behind TLS), only
//! its SHA-256 stored, 8 hours. Every state-changing form carries the session's CSRF token and
//! is refused without it; a POST whose `Origin` is another site is refused too.

// Handlers answer a page either way; an error is a whole `Response` (a pt-BR page), and boxing
// it would buy nothing on this path.
#![allow(clippy::result_large_err)]

pub mod ans;
pub mod estatico;
pub mod flash;
pub mod layout;
pub mod mensagens;
pub mod operadora;
pub mod retomar;
pub mod rotulos;
pub mod seguranca;

use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::{Duration, NaiveDate, Utc};
use maud::{html, Markup};
use persus_domain::acesso::{Escopo, Papel};
use persus_domain::money::Centavos;
use persus_store::contas::{self, Usuario};
use serde::Deserialize;

use crate::app::AppState;
use crate::auth;
use crate::servicos::entrada::{entrar, Entrada, Tentativa};
use seguranca::{destino_seguro, DeOnde};

pub const COOKIE: &str = "persus_sessao";
pub const DURACAO_SESSAO: Duration = Duration::hours(8);

/// Who is signed in.
#[derive(Clone, Debug)]
pub struct Sessao {
    pub usuario: Usuario,
    pub csrf: String,
    /// The operator the person belongs to; `None` for ANS staff.
    pub operadora: Option<String>,
    /// Effective permissions on the own operator (consulta, peticionar, financeiro).
    pub permissoes: Vec<Escopo>,
}

impl Sessao {
    pub fn ans(&self) -> bool {
        self.operadora.is_none()
    }

    pub fn pode(&self, permissao: Escopo) -> bool {
        self.permissoes.contains(&permissao)
    }

    /// ANS roles: admin may do everything of ANS.
    pub fn papel_ans(&self, papeis: &[Papel]) -> bool {
        self.ans() && (self.usuario.papel == Papel::Admin || papeis.contains(&self.usuario.papel))
    }

    pub fn gestor(&self) -> bool {
        self.usuario.papel.gestor()
    }

    /// The audit actor: the person, on behalf of the organization.
    pub fn ator(&self) -> persus_store::auditoria::Ator {
        persus_store::auditoria::Ator {
            ator: self.usuario.login.clone(),
            organizacao: self.operadora.clone().unwrap_or_else(|| "ANS".to_owned()),
            aplicacao: None,
            request_id: None,
        }
    }

    /// Refuses a form without this session's CSRF token.
    pub fn conferir(&self, csrf: &str) -> Result<(), Response> {
        if auth::iguais(csrf, &self.csrf) {
            Ok(())
        } else {
            Err(erro(
                StatusCode::FORBIDDEN,
                "Formulário expirado",
                "O formulário não pôde ser conferido (sessão renovada ou página antiga). Volte, recarregue a página e envie de novo.",
            ))
        }
    }
}

fn token_do_cookie(headers: &HeaderMap) -> Option<String> {
    cookie(headers, COOKIE)
}

/// The value of the request's cookie `nome`.
pub fn cookie(headers: &HeaderMap, nome: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == nome)
        .map(|(_, v)| v.to_owned())
}

impl Sessao {
    /// The session of the cookie in `headers`, if it is valid: `Ok(None)` without one.
    pub async fn do_cookie(
        app: &AppState,
        headers: &HeaderMap,
    ) -> Result<Option<Sessao>, Response> {
        let Some(token) = token_do_cookie(headers) else {
            return Ok(None);
        };
        let agora = Utc::now();
        let Some((usuario, csrf)) = contas::sessao(&app.db, &auth::sha256_hex(&token), agora)
            .await
            .map_err(indisponivel)?
        else {
            return Ok(None);
        };
        let operadora = contas::operadora_da_organizacao(&app.db, usuario.organizacao_id)
            .await
            .map_err(indisponivel)?;
        let permissoes = match &operadora {
            Some(op) => {
                crate::servicos::contas::permissoes_de(&app.db, &usuario, Some(op), op, None, agora)
                    .await
                    .map_err(falha)?
            }
            None => Vec::new(),
        };
        Ok(Some(Sessao {
            usuario,
            csrf,
            operadora,
            permissoes,
        }))
    }
}

/// The redirect to sign in, coming back to `volta` (a path of this site) afterwards.
pub fn para_entrar(volta: &str) -> Response {
    Redirect::to(&format!("/entrar?volta={}", urlencode(volta))).into_response()
}

/// The session cookie's token, if the request carries one (live or not).
pub(crate) fn token_da_sessao(headers: &HeaderMap) -> Option<String> {
    token_do_cookie(headers)
}

/// The live session of a request, or `None` when the person must sign in (no cookie, an ended
/// or expired session) — for the handlers that keep what was sent before sending the person to
/// sign in ([`retomar`]). A POST from another site and a store failure are refused as for
/// [`Sessao`].
pub struct TalvezSessao(pub Option<Sessao>);

impl FromRequestParts<AppState> for TalvezSessao {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &AppState,
    ) -> Result<Self, Self::Rejection> {
        // A POST from another site is refused before anything (CSRF defence in depth).
        if parts.method == axum::http::Method::POST && !mesma_origem(&parts.headers) {
            return Err(erro(
                StatusCode::FORBIDDEN,
                "Origem recusada",
                "Este formulário veio de outro site e não foi aceito.",
            ));
        }
        Ok(TalvezSessao(Sessao::do_cookie(app, &parts.headers).await?))
    }
}

impl FromRequestParts<AppState> for Sessao {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let TalvezSessao(s) = TalvezSessao::from_request_parts(parts, app).await?;
        s.ok_or_else(|| {
            para_entrar(
                parts
                    .uri
                    .path_and_query()
                    .map(|p| p.as_str())
                    .unwrap_or("/painel"),
            )
        })
    }
}

fn mesma_origem(headers: &HeaderMap) -> bool {
    let Some(origem) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true; // same-origin form posts from old browsers, curl: the CSRF token decides
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    origem
        .split_once("://")
        .map(|(_, resto)| resto.trim_end_matches('/') == host)
        .unwrap_or(false)
}

/// A request path as logs may hold it: a calendar feed's token (its credential) is cut out.
pub fn caminho_para_log(path: &str) -> &str {
    if path.starts_with("/calendario/") {
        "/calendario/…"
    } else {
        path
    }
}

pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// What an error page says. [`erro`] leaves it in the response's extensions, and the error
/// middleware (`erros::padronizar`) draws the page with the whole frame ([`pagina_de_erro`]):
/// handlers need neither the state nor the session to answer an error.
#[derive(Clone, Debug)]
pub struct PaginaDeErro {
    pub titulo: String,
    pub mensagem: String,
}

/// A page for an error, in pt-BR.
pub fn erro(status: StatusCode, titulo: &str, mensagem: &str) -> Response {
    let pagina = PaginaDeErro {
        titulo: titulo.to_owned(),
        mensagem: mensagem.to_owned(),
    };
    let mut r = (
        status,
        layout::pagina_simples(titulo, corpo_do_erro(&pagina, None, None)),
    )
        .into_response();
    r.extensions_mut().insert(pagina);
    r
}

fn corpo_do_erro(p: &PaginaDeErro, s: Option<&Sessao>, pedido: Option<&str>) -> Markup {
    html! {
        div.br-message.danger role="alert" {
            div.icon { i.fas.fa-times-circle.fa-lg aria-hidden="true" {} }
            div.content { span.message-body { (p.mensagem) } }
        }
        @if let Some(id) = pedido {
            p { small { "Código do pedido, para o suporte: " code { (id) } } }
        }
        p.mt-3 {
            @if s.is_some() {
                a.br-button.secondary href="/painel" { i.fas.fa-home aria-hidden="true" {} " Voltar ao painel" }
            } @else {
                a.br-button.secondary href="/" { i.fas.fa-home aria-hidden="true" {} " Página inicial" }
                " "
                a.br-button.primary href="/entrar" { i.fas.fa-sign-in-alt aria-hidden="true" {} " Entrar" }
            }
        }
    }
}

/// The error page with the whole frame: the homologação banner always, the menu of the person
/// signed in (by the request's cookie), the message, a way back; for a server error the
/// request id (`x-request-id`) to quote to support.
pub async fn pagina_de_erro(
    app: &AppState,
    pedido: &HeaderMap,
    status: StatusCode,
    p: &PaginaDeErro,
) -> Markup {
    // The error page must not fail in turn: without the session it is drawn without the menu.
    let s = Sessao::do_cookie(app, pedido).await.unwrap_or(None);
    let id = status
        .is_server_error()
        .then(|| pedido.get("x-request-id").and_then(|v| v.to_str().ok()))
        .flatten();
    layout::pagina_erro(app, s.as_ref(), &p.titulo, corpo_do_erro(p, s.as_ref(), id))
}

pub fn nao_encontrado(o_que: &str) -> Response {
    erro(
        StatusCode::NOT_FOUND,
        "Não encontrado",
        &format!("{o_que} não existe ou não está disponível para você."),
    )
}

pub fn proibido() -> Response {
    erro(
        StatusCode::FORBIDDEN,
        "Sem permissão",
        "Seu perfil não tem permissão para esta página. Peça ao gestor da conta.",
    )
}

/// The one mapping of a service's error to the web: the application's error page with the
/// status the API would answer. A store or internal failure is logged and told as
/// "indisponível" — never shown as an empty table.
pub fn falha(e: crate::servicos::ServicoError) -> Response {
    use crate::servicos::ServicoError as E;
    match e {
        E::NaoEncontrado(o_que) => nao_encontrado(&o_que),
        E::Proibido(m) => erro(StatusCode::FORBIDDEN, "Sem permissão", &m),
        E::Invalido(campos) => {
            let texto: Vec<&str> = campos.iter().map(|c| c.mensagem.as_str()).collect();
            erro(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Dados a corrigir",
                &texto.join("; "),
            )
        }
        E::Regra(m) => erro(StatusCode::UNPROCESSABLE_ENTITY, "Pedido recusado", &m),
        e @ (E::Store(_) | E::Interno(_)) => indisponivel(e),
    }
}

/// A failure that is ours (database, disk): logged; the person is asked to retry.
pub fn indisponivel(e: impl std::fmt::Display) -> Response {
    tracing::error!(error = %e, "web page failed");
    erro(
        StatusCode::SERVICE_UNAVAILABLE,
        "Indisponível",
        "Não foi possível concluir agora; tente de novo em instantes.",
    )
}

/// dd/mm/aaaa.
pub fn data(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// R$ 1.234,56.
pub fn reais(c: i64) -> String {
    Centavos::new(c).to_string()
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/entrar", get(pagina_entrar).post(fazer_entrar))
        .route("/sair", post(sair))
        .route(
            "/primeiro-acesso",
            get(pagina_primeiro_acesso).post(primeiro_acesso),
        )
        .route("/painel", get(painel))
        .route("/assets/persus/{arquivo}", get(estatico::servir))
        .route(
            "/favicon.ico",
            get(|| async { Redirect::permanent(&estatico::url("favicon.svg")) }),
        )
        .merge(operadora::rotas())
        .merge(ans::rotas())
}

#[derive(Deserialize)]
pub struct Volta {
    pub volta: Option<String>,
}

async fn pagina_entrar(State(app): State<AppState>, Query(v): Query<Volta>) -> Markup {
    form_entrar(&app, v.volta.as_deref(), None, "")
}

fn form_entrar(app: &AppState, volta: Option<&str>, erro: Option<&str>, login: &str) -> Markup {
    // A refused sign-in does not say which of the two was wrong: the message goes to the login.
    let erros: Vec<(&str, &str)> = erro.map(|e| ("login", e)).into_iter().collect();
    let (descrito, invalido) = layout::campo_invalido(&erros, "login");
    layout::pagina_publica(
        app,
        "Entrar",
        html! {
            div.row { div."col-md-6" {
                h1 { "Entrar no persus" }
                p { "Ressarcimento ao SUS — operadoras de planos de saúde e servidores da ANS." }
                (layout::resumo_erros(&erros))
                form method="post" action="/entrar" {
                    input type="hidden" name="volta" value=(destino_seguro(volta));
                    div.br-input.mb-3 {
                        label for="login" { "Usuário" }
                        input id="login" name="login" type="text" autocomplete="username" required value=(login)
                            aria-describedby=[descrito] aria-invalid=[invalido];
                        (layout::erro_do_campo(&erros, "login"))
                    }
                    div.br-input.mb-3 {
                        label for="senha" { "Senha" }
                        input id="senha" name="senha" type="password" autocomplete="current-password" required;
                    }
                    button.br-button.primary type="submit" { i.fas.fa-sign-in-alt aria-hidden="true" {} " Entrar" }
                }
                p.mt-3 { a href="/primeiro-acesso" { "Primeiro acesso do representante legal (código enviado pela ANS)" } }
                @if app.ambiente == crate::config::Ambiente::Homologacao {
                    p.mt-3 { small { "Homologação: usuários de demonstração no README (senha demo)." } }
                }
            } }
        },
    )
}

#[derive(Deserialize)]
pub struct FormEntrar {
    login: String,
    senha: String,
    volta: Option<String>,
}

async fn fazer_entrar(
    State(app): State<AppState>,
    DeOnde(origem): DeOnde,
    headers: HeaderMap,
    Form(f): Form<FormEntrar>,
) -> Response {
    if !mesma_origem(&headers) {
        return erro(
            StatusCode::FORBIDDEN,
            "Origem recusada",
            "Este formulário veio de outro site e não foi aceito.",
        );
    }
    let agora = Utc::now();
    let tentativa = Tentativa {
        login: &f.login,
        senha: &f.senha,
        origem: &origem,
        request_id: headers.get("x-request-id").and_then(|v| v.to_str().ok()),
    };
    match entrar(&app.db, &tentativa, agora).await {
        Ok(Entrada::Aceita(u)) => {
            let token = auth::aleatorio("psus_web_");
            let csrf = auth::aleatorio("csrf_");
            if let Err(e) = contas::criar_sessao(
                &app.db,
                &auth::sha256_hex(&token),
                u.id,
                &csrf,
                agora,
                agora + DURACAO_SESSAO,
            )
            .await
            {
                tracing::error!(error = %e, "session not created");
                return erro(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Indisponível",
                    "Não foi possível entrar agora; tente de novo.",
                );
            }
            let seguro = headers
                .get("x-forwarded-proto")
                .and_then(|v| v.to_str().ok())
                == Some("https")
                || app.cookie_seguro;
            let cookie = format!(
                "{COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
                DURACAO_SESSAO.num_seconds(),
                if seguro { "; Secure" } else { "" }
            );
            (
                [(header::SET_COOKIE, cookie)],
                Redirect::to(&destino_seguro(f.volta.as_deref())),
            )
                .into_response()
        }
        Ok(Entrada::Recusada { mensagem }) => (
            StatusCode::UNAUTHORIZED,
            form_entrar(&app, f.volta.as_deref(), Some(&mensagem), &f.login),
        )
            .into_response(),
        Ok(Entrada::Adiada { espera, mensagem }) => (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, espera.num_seconds().to_string())],
            form_entrar(&app, f.volta.as_deref(), Some(&mensagem), &f.login),
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "sign-in failed");
            erro(
                StatusCode::SERVICE_UNAVAILABLE,
                "Indisponível",
                "Não foi possível entrar agora; tente de novo.",
            )
        }
    }
}

#[derive(Deserialize)]
pub struct SoCsrf {
    pub csrf: String,
}

async fn sair(
    State(app): State<AppState>,
    s: Sessao,
    headers: HeaderMap,
    Form(f): Form<SoCsrf>,
) -> Response {
    if let Err(r) = s.conferir(&f.csrf) {
        return r;
    }
    if let Some(t) = token_do_cookie(&headers) {
        let _ = contas::encerrar_sessao(&app.db, &auth::sha256_hex(&t)).await;
    }
    (
        [(
            header::SET_COOKIE,
            format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"),
        )],
        Redirect::to("/entrar"),
    )
        .into_response()
}

async fn painel(State(app): State<AppState>, s: Sessao) -> Response {
    if s.ans() {
        ans::painel(&app, &s).await
    } else {
        operadora::painel(&app, &s).await
    }
}

async fn pagina_primeiro_acesso(State(app): State<AppState>) -> Markup {
    form_primeiro_acesso(&app, &[], "")
}

/// One field of the first-access form: label, input, its error.
fn campo_pa(
    erros: &[(&str, &str)],
    id: &str,
    rotulo: &str,
    tipo: &str,
    autocomplete: &str,
    valor: &str,
) -> Markup {
    let (descrito, invalido) = layout::campo_invalido(erros, id);
    let senha = tipo == "password";
    html! {
        div.br-input.mb-3 {
            label for=(id) { (rotulo) }
            input id=(id) name=(id) type=(tipo) required autocomplete=(autocomplete)
                value=[(!senha).then_some(valor)] minlength=[senha.then_some("10")]
                aria-describedby=[descrito] aria-invalid=[invalido];
            (layout::erro_do_campo(erros, id))
        }
    }
}

fn form_primeiro_acesso(app: &AppState, erros: &[(&str, &str)], login: &str) -> Markup {
    layout::pagina_publica(
        app,
        "Primeiro acesso",
        html! {
            div.row { div."col-md-6" {
                h1 { "Primeiro acesso" }
                p { "O representante legal da operadora recebe da ANS um código de primeiro acesso, válido por 7 dias, e com ele define a sua senha." }
                (layout::resumo_erros(erros))
                form method="post" action="/primeiro-acesso" {
                    (campo_pa(erros, "login", "Usuário", "text", "username", login))
                    (campo_pa(erros, "codigo", "Código de primeiro acesso", "text", "one-time-code", ""))
                    (campo_pa(erros, "senha", "Nova senha (ao menos 10 caracteres)", "password", "new-password", ""))
                    (campo_pa(erros, "confirmacao", "Repita a nova senha", "password", "new-password", ""))
                    button.br-button.primary type="submit" { "Definir senha" }
                }
            } }
        },
    )
}

#[derive(Deserialize)]
pub struct FormPrimeiroAcesso {
    login: String,
    codigo: String,
    senha: String,
    confirmacao: String,
}

async fn primeiro_acesso(
    State(app): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<FormPrimeiroAcesso>,
) -> Response {
    if !mesma_origem(&headers) {
        return erro(
            StatusCode::FORBIDDEN,
            "Origem recusada",
            "Este formulário veio de outro site e não foi aceito.",
        );
    }
    if f.senha != f.confirmacao {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            form_primeiro_acesso(
                &app,
                &[(
                    "confirmacao",
                    "As duas senhas não são iguais: digite a mesma senha duas vezes.",
                )],
                &f.login,
            ),
        )
            .into_response();
    }
    match crate::servicos::contas::concluir_primeiro_acesso(
        &app.db,
        &f.login,
        &f.codigo,
        &f.senha,
        Utc::now(),
    )
    .await
    {
        Ok(()) => Redirect::to("/entrar?volta=/painel").into_response(),
        // The refusals are about the code (login, code unknown, used or expired) or, from
        // clients that skip `minlength`, the password's length.
        Err(crate::servicos::ServicoError::Regra(m)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            form_primeiro_acesso(
                &app,
                &[(
                    if f.senha.chars().count() < 10 {
                        "senha"
                    } else {
                        "codigo"
                    },
                    &m,
                )],
                &f.login,
            ),
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "first access failed");
            erro(
                StatusCode::SERVICE_UNAVAILABLE,
                "Indisponível",
                "Tente de novo em instantes.",
            )
        }
    }
}
