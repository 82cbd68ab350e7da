//! "Calendário de prazos" (issue #15 §4): a person who sees the operator's deadlines or charges
//! creates a secret feed link (shown once, with how to subscribe in Google Agenda and Outlook),
//! lists the operator's links (who created each, when, last read) and revokes one after
//! confirming. The feed itself, `GET /calendario/{token}.ics`, needs no session: the token is
//! the credential. The same PRG pattern and CSRF checks as the rest of the account area.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};
use persus_domain::acesso::Escopo;

use super::*;
use crate::app::AppState;
use crate::servicos::calendario as servico;
use crate::web::layout::pagina;
use crate::web::{falha, mensagens, rotulos, Sessao};

/// The operator of a person who may see deadlines or charges (what a feed serves).
fn quem_ve_prazos(s: &Sessao) -> Result<String, Response> {
    if s.pode(Escopo::Consulta) || s.pode(Escopo::Financeiro) {
        operadora(s)
    } else {
        Err(proibido())
    }
}

pub(super) async fn calendarios(State(app): State<AppState>, s: Sessao) -> Response {
    let op = match quem_ve_prazos(&s) {
        Ok(op) => op,
        Err(r) => return r,
    };
    let lista = match persus_store::calendario::da_operadora_todos(&app.db, &op).await {
        Ok(l) => l,
        Err(e) => return falha(e.into()),
    };
    let avisos = mensagens::tomar(&s);
    let corpo = html! {
        @for a in &avisos { (a) }
        p { "Os prazos em curso da operadora — impugnação e recurso (com a ciência já registrada), e, para quem tem a permissão financeira, vencimentos de GRUs a pagar e de parcelas — num calendário que o Google Agenda, o Outlook ou o aplicativo de agenda do celular assinam por um link secreto. O calendário se atualiza sozinho e avisa 3 dias antes de cada prazo." }
        p { "Quem tiver o link vê os prazos (nunca dados de beneficiários): guarde-o como uma senha e revogue-o se vazar." }
        h2 { "Links de calendário" }
        @if lista.is_empty() {
            p { "Nenhum link criado." }
        } @else {
            table.persus {
                caption.sr-only { "Links de calendário da operadora" }
                thead { tr { th scope="col" { "Nome" } th scope="col" { "Criado por" } th scope="col" { "Criado em" } th scope="col" { "Última leitura" } th scope="col" { "Situação" } } }
                tbody { @for c in &lista { tr {
                    td { (c.nome) } td { (c.login) } td { (rotulos::instante(c.criado_em)) }
                    td { (c.ultimo_uso_em.map(rotulos::instante).unwrap_or_else(|| "nunca".to_owned())) }
                    td { @if let Some(em) = c.revogado_em { "revogado em " (rotulos::instante(em)) } @else if c.login == s.usuario.login || s.gestor() {
                        a href=(format!("/conta/calendario/{}/revogar", c.id)) { "Revogar " (c.nome) }
                    } @else { "ativo" } }
                } } }
            }
        }
        h2 { "Criar um link" }
        form method="post" action="/conta/calendario" {
            input type="hidden" name="csrf" value=(s.csrf);
            div.br-input { label for="c-nome" { "Nome do link (para reconhecê-lo depois)" } input id="c-nome" name="nome" required minlength="3" maxlength="80" placeholder="Agenda do jurídico"; }
            p.mt-2 { button.br-button.primary type="submit" { "Criar link de calendário" } }
        }
        p { a href="/conta" { "Voltar à conta" } }
    };
    pagina(&app, &s, "/conta/calendario", "Calendário de prazos", corpo).into_response()
}

/// The feed's address as this request reached us (scheme from the cookie policy).
fn endereco(app: &AppState, headers: &HeaderMap, token: &str) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("localhost");
    let esquema = if app.cookie_seguro { "https" } else { "http" };
    format!("{esquema}://{host}/calendario/{token}.ics")
}

/// The new link, shown once, with how to subscribe to it.
fn aviso_link(url: &str) -> Markup {
    html! {
        (aviso_segredo("Link de calendário criado.", "Endereço:", url))
        div.br-message.info role="status" { div.content { span.message-body {
            strong { "Como assinar" }
            ul {
                li { "Google Agenda (no computador): em “Outras agendas”, clique em “+” e depois em “Do URL”; cole o endereço e clique em “Adicionar agenda”." }
                li { "Outlook: em “Calendário”, escolha “Adicionar calendário” e depois “Assinar da Web” (ou “Da Internet”); cole o endereço e confirme." }
                li { "Celular (iPhone, Android): assine pelo Google Agenda ou pelo Outlook na web; o aplicativo da agenda mostra o calendário assinado." }
            }
            "O calendário é só de leitura e se atualiza sozinho (cada aplicativo decide de quanto em quanto tempo, em geral algumas horas)."
        } } }
    }
}

pub(super) async fn criar_calendario(
    State(app): State<AppState>,
    s: Sessao,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let op = match quem_ve_prazos(&s) {
        Ok(op) => op,
        Err(r) => return r,
    };
    let p = campos(&body);
    if let Err(r) = s.conferir(&um(&p, "csrf")) {
        return r;
    }
    match servico::criar(
        &app.db,
        &s.usuario.login,
        &op,
        &um(&p, "nome"),
        app.relogio.agora(),
    )
    .await
    {
        Ok(c) => mensagens::redirecionar(
            &s,
            "/conta/calendario",
            aviso_link(&endereco(&app, &headers, &c.token)),
        ),
        Err(e) => falha(e),
    }
}

pub(super) async fn confirmar_revogacao(
    State(app): State<AppState>,
    s: Sessao,
    Path(id): Path<i64>,
) -> Response {
    let op = match quem_ve_prazos(&s) {
        Ok(op) => op,
        Err(r) => return r,
    };
    match servico::revogavel(&app.db, &s.usuario.login, &op, id).await {
        Ok(c) => super::conta::confirmacao(
            &app,
            &s,
            &format!("Revogar o link de calendário {}", c.nome),
            "O endereço deixa de funcionar imediatamente: as agendas que o assinaram não recebem mais os prazos. Não há como desfazer; para voltar, crie outro link.",
            &format!("/conta/calendario/{id}/revogar"),
            "Revogar o link",
        ),
        Err(e) => falha(e),
    }
}

pub(super) async fn revogar_calendario(
    State(app): State<AppState>,
    s: Sessao,
    Path(id): Path<i64>,
    body: Bytes,
) -> Response {
    let op = match quem_ve_prazos(&s) {
        Ok(op) => op,
        Err(r) => return r,
    };
    if let Err(r) = s.conferir(&um(&campos(&body), "csrf")) {
        return r;
    }
    match servico::revogar(&app.db, &s.usuario.login, &op, id, app.relogio.agora()).await {
        Ok(c) => mensagens::redirecionar(
            &s,
            "/conta/calendario",
            aviso_ok(&format!(
                "Link de calendário \"{}\" revogado: o endereço deixou de funcionar.",
                c.nome
            )),
        ),
        Err(e) => falha(e),
    }
}

/// `GET /calendario/{token}.ics`: the feed, for calendar applications (no session).
pub(super) async fn feed(State(app): State<AppState>, Path(arquivo): Path<String>) -> Response {
    let Some(token) = arquivo.strip_suffix(".ics") else {
        return falha(crate::servicos::ServicoError::NaoEncontrado(
            "O calendário".to_owned(),
        ));
    };
    let agora = app.relogio.agora();
    match servico::feed(&app.db, token, agora).await {
        Ok((c, texto)) => {
            // Never the token: the feed's id says which one was read.
            tracing::info!(calendario = c.id, operadora = %c.operadora, "calendar feed read");
            if let Err(e) = persus_store::calendario::registrar_uso(&app.db, c.id, agora).await {
                tracing::warn!(calendario = c.id, error = %e, "calendar feed use not recorded");
            }
            (
                StatusCode::OK,
                [
                    (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
                    (header::CACHE_CONTROL, "no-store"),
                ],
                texto,
            )
                .into_response()
        }
        Err(e) => {
            tracing::info!("calendar feed refused: unknown or revoked token");
            falha(e)
        }
    }
}
