//! The account: people, delegations, API applications and webhooks. Every POST that does
//! something answers 303 to a GET page that says what happened (a secret shown once travels in
//! the session's one-time message, [`crate::web::mensagens`]); a form with errors comes back (422)
//! with what was typed and the errors linked to their fields; revoking an application, rotating
//! its secret and cancelling a webhook are confirmed first.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};
use persus_domain::acesso::Papel;
use persus_domain::cobranca::estados::EstadoEntrega;
use persus_domain::eventos::TipoEvento;
use persus_store::webhooks::{Entrega, Webhook};

use super::*;
use crate::app::AppState;
use crate::servicos::aplicacoes::{AmbienteAplicacao, EstadoAplicacao};
use crate::servicos::contas::PERMISSOES;
use crate::servicos::{CampoInvalido, ServicoError};
use crate::web::layout::pagina;
use crate::web::{data, falha, mensagens, nao_encontrado, proibido, rotulos, Sessao};

/// A form sent back with errors: which form (`u` person, `d` delegation, `a` application,
/// `w` webhook), what was typed, and what is wrong, field by field.
pub(super) struct Reenvio {
    formulario: &'static str,
    campos: Vec<(String, String)>,
    erros: Vec<CampoInvalido>,
}

impl Reenvio {
    fn de(&self, formulario: &str) -> Option<&Reenvio> {
        (self.formulario == formulario).then_some(self)
    }
}

/// What a form shows: the typed value of a field, whether a box is checked, and its errors.
struct Campos<'a>(Option<&'a Reenvio>);

impl Campos<'_> {
    fn valor(&self, k: &str) -> String {
        self.0.map(|r| um(&r.campos, k)).unwrap_or_default()
    }

    fn marcado(&self, k: &str, v: &str, padrao: bool) -> bool {
        match self.0 {
            Some(r) => varios(&r.campos, k).iter().any(|x| x == v),
            None => padrao,
        }
    }

    fn aberto(&self) -> bool {
        self.0.is_some()
    }

    /// The errors on top of the form, each a link to its field (`{prefixo}-{campo}`).
    fn erros(&self, prefixo: &str) -> Markup {
        html! {
            @if let Some(r) = self.0 {
                div.br-message.danger role="alert" id=(format!("{prefixo}-erros")) { div.content {
                    span.message-title { "Corrija para continuar:" }
                    ul { @for e in &r.erros {
                        li { a href=(format!("#{prefixo}-{}", e.campo)) { (e.mensagem) } }
                    } }
                } }
            }
        }
    }

    /// `aria-invalid` for a field with an error.
    fn invalido(&self, campo: &str) -> Option<&'static str> {
        self.0
            .filter(|r| r.erros.iter().any(|e| e.campo == campo))
            .map(|_| "true")
    }
}

pub(super) async fn conta(State(app): State<AppState>, s: Sessao) -> Response {
    pagina_conta(&app, &s, None).await
}

/// Applications active for the organization: (id, client_id, name).
pub(super) async fn apps_ativas(
    app: &AppState,
    s: &Sessao,
) -> Result<Vec<(i64, String, String)>, ServicoError> {
    let mut out = Vec::new();
    for a in
        persus_store::contas::aplicacoes_da_organizacao(&app.db, s.usuario.organizacao_id).await?
    {
        if a.revogada_em.is_some() {
            continue;
        }
        if let Some(x) =
            persus_store::contas::aplicacao_por_client_id(&app.db, &a.client_id).await?
        {
            out.push((x.id, a.client_id, a.nome));
        }
    }
    Ok(out)
}

pub(super) async fn pagina_conta(
    app: &AppState,
    s: &Sessao,
    reenvio: Option<&Reenvio>,
) -> Response {
    if !s.gestor() {
        return proibido();
    }
    let Some(op) = s.operadora.clone() else {
        return proibido();
    };
    let dados = async {
        let org = s.usuario.organizacao_id;
        let apps = persus_store::contas::aplicacoes_da_organizacao(&app.db, org).await?;
        let pessoas = persus_store::contas::usuarios_da_organizacao(&app.db, org).await?;
        let delegacoes = persus_store::contas::delegacoes_da_operadora(&app.db, &op).await?;
        let ativas = apps_ativas(app, s).await?;
        let mut ganchos = Vec::new();
        for (id, client_id, _) in &ativas {
            for w in persus_store::webhooks::da_aplicacao(&app.db, *id).await? {
                ganchos.push((client_id.clone(), w));
            }
        }
        Ok::<_, ServicoError>((apps, pessoas, delegacoes, ativas, ganchos))
    };
    let (apps, pessoas, delegacoes, ativas, ganchos) = match dados.await {
        Ok(x) => x,
        Err(e) => return falha(e),
    };
    let avisos = mensagens::tomar(s);
    let agora = app.relogio.agora();
    let politica =
        crate::servicos::destinos::Politica::new(app.ambiente, app.webhook_permitir_loopback);
    let (fu, fd, fa, fw) = (
        Campos(reenvio.and_then(|r| r.de("u"))),
        Campos(reenvio.and_then(|r| r.de("d"))),
        Campos(reenvio.and_then(|r| r.de("a"))),
        Campos(reenvio.and_then(|r| r.de("w"))),
    );
    let corpo = html! {
        @for a in &avisos { (a) }
        h2 { "Pessoas" }
        table.persus {
            caption.sr-only { "Pessoas da operadora" }
            thead { tr { th scope="col" { "Login" } th scope="col" { "Nome" } th scope="col" { "Papel" } th scope="col" { "Permissões" } } }
            tbody { @for p in &pessoas { tr { td { (p.login) } td { (p.nome) } td { (p.papel.rotulo()) } td { (rotulos::permissoes_gravadas(&p.permissoes)) } } } }
        }
        details.mt-2 open[fu.aberto()] { summary { "Cadastrar pessoa" }
            form method="post" action="/conta/usuarios" {
                input type="hidden" name="csrf" value=(s.csrf);
                (fu.erros("u"))
                div.br-input { label for="u-login" { "Login" } input id="u-login" name="login" required minlength="3" value=(fu.valor("login")) aria-invalid=[fu.invalido("login")]; }
                div.br-input.mt-2 { label for="u-nome" { "Nome" } input id="u-nome" name="nome" required value=(fu.valor("nome")); }
                div.br-select.mt-2 { label for="u-papel" { "Papel" } select id="u-papel" name="papel" aria-invalid=[fu.invalido("papel")] {
                    @for p in [Papel::Usuario, Papel::Auditor, Papel::Gestor] {
                        @if p != Papel::Gestor || s.usuario.papel == Papel::RepresentanteLegal {
                            option value=(p.as_str()) selected[fu.valor("papel") == p.as_str()] { (p.rotulo()) }
                        }
                    }
                } }
                fieldset.mt-2 id="u-permissoes" { legend { "Permissões" }
                    @for e in PERMISSOES { div.br-checkbox { input type="checkbox" id=(format!("u-{}", e.as_str())) name="permissoes" value=(e.as_str()) checked[fu.marcado("permissoes", e.as_str(), false)]; label for=(format!("u-{}", e.as_str())) { (e.rotulo()) } } }
                }
                div.br-input.mt-2 { label for="u-senha" { "Senha inicial (a pessoa a troca no primeiro acesso)" } input id="u-senha" name="senha" type="password" autocomplete="new-password" required minlength="10" aria-invalid=[fu.invalido("senha")]; }
                p.mt-2 { button.br-button.primary type="submit" { "Cadastrar" } }
            }
        }
        h2 { "Delegações" }
        table.persus {
            caption.sr-only { "Delegações" }
            thead { tr { th scope="col" { "Para" } th scope="col" { "Abrangência" } th scope="col" { "Permissões" } th scope="col" { "Até" } th scope="col" { "Situação" } } }
            tbody { @for d in &delegacoes { tr {
                td { (d.login) } td { (d.processo.clone().map(|p| format!("processo {p}")).unwrap_or_else(|| "toda a operadora".into())) } td { (rotulos::permissoes_gravadas(&d.permissoes)) }
                td { (data(crate::servicos::relogio::data_em_brasilia(d.expira_em))) }
                td { @if d.revogada_em.is_some() { "revogada" } @else if d.expira_em <= agora { "expirada" } @else {
                    form.inline method="post" action=(format!("/conta/delegacoes/{}/revogar", d.id)) { input type="hidden" name="csrf" value=(s.csrf); button.br-button.secondary.small type="submit" { "Revogar a delegação a " (d.login) } }
                } }
            } } }
        }
        details.mt-2 open[fd.aberto()] { summary { "Delegar" }
            form method="post" action="/conta/delegacoes" {
                input type="hidden" name="csrf" value=(s.csrf);
                (fd.erros("d"))
                div.br-input { label for="d-para" { "Login de quem recebe" } input id="d-para" name="para" required value=(fd.valor("para")) aria-invalid=[fd.invalido("para")]; }
                div.br-input.mt-2 { label for="d-processo" { "Processo (NUP; vazio = toda a operadora)" } input id="d-processo" name="processo" value=(fd.valor("processo")) aria-invalid=[fd.invalido("processo")]; }
                fieldset.mt-2 id="d-permissoes" { legend { "Permissões" }
                    @for e in PERMISSOES { div.br-checkbox { input type="checkbox" id=(format!("d-{}", e.as_str())) name="permissoes" value=(e.as_str()) checked[fd.marcado("permissoes", e.as_str(), false)]; label for=(format!("d-{}", e.as_str())) { (e.rotulo()) } } }
                }
                div.br-input.mt-2 { label for="d-ate" { "Válida até (dd/mm/aaaa)" } input id="d-ate" name="ate" required placeholder="31/12/2026" value=(fd.valor("ate")) aria-invalid=[fd.invalido("ate")]; }
                p.mt-2 { button.br-button.primary type="submit" { "Delegar" } }
            }
        }
        h2 { "Calendário de prazos" }
        p { "Links secretos que levam os prazos da operadora ao Google Agenda, ao Outlook ou à agenda do celular: "
            a href="/conta/calendario" { "criar, ver e revogar links de calendário" } "." }
        h2 { "Aplicações da API (Área do Desenvolvedor)" }
        table.persus {
            caption.sr-only { "Aplicações da API" }
            thead { tr { th scope="col" { "client_id" } th scope="col" { "Nome" } th scope="col" { "Ambiente" } th scope="col" { "Escopos" } th scope="col" { "Situação" } th scope="col" { "Ações" } } }
            tbody { @for a in &apps {
                @let estado = EstadoAplicacao::de(a.revogada_em);
                tr {
                    td { code { (a.client_id) } } td { (a.nome) }
                    td { (AmbienteAplicacao::parse(&a.ambiente).map_or(a.ambiente.as_str(), |x| x.rotulo())) }
                    td { (rotulos::escopos(a.escopos.split(' '))) }
                    td { (estado.rotulo()) }
                    td { @if estado == EstadoAplicacao::Ativa {
                        a href=(format!("/conta/aplicacoes/{}/rotacionar", a.client_id)) { "Gerar novo segredo" } " · "
                        a href=(format!("/conta/aplicacoes/{}/revogar", a.client_id)) { "Revogar" }
                    } @else { "—" } }
                }
            } }
        }
        details.mt-2 open[fa.aberto()] { summary { "Registrar aplicação" }
            form method="post" action="/conta/aplicacoes" {
                input type="hidden" name="csrf" value=(s.csrf);
                (fa.erros("a"))
                div.br-input { label for="a-nome" { "Nome" } input id="a-nome" name="nome" required minlength="3" value=(fa.valor("nome")) aria-invalid=[fa.invalido("nome")]; }
                div.br-select.mt-2 { label for="a-ambiente" { "Ambiente" } select id="a-ambiente" name="ambiente" aria-invalid=[fa.invalido("ambiente")] {
                    @for e in AmbienteAplicacao::TODOS { option value=(e.as_str()) selected[fa.valor("ambiente") == e.as_str()] { (e.rotulo()) } }
                } }
                fieldset.mt-2 id="a-escopos" { legend { "Escopos" }
                    @for e in PERMISSOES {
                        div.br-checkbox { input type="checkbox" id=(format!("a-{}", e.as_str())) name="escopos" value=(e.as_str()) checked[fa.marcado("escopos", e.as_str(), e == persus_domain::acesso::Escopo::Consulta)]; label for=(format!("a-{}", e.as_str())) { (e.rotulo()) " (" code { (e.as_str()) } ")" } }
                    }
                }
                p.mt-2 { button.br-button.primary type="submit" { "Registrar" } }
            }
        }
        h2 { "Webhooks" }
        table.persus {
            caption.sr-only { "Assinaturas de webhooks" }
            thead { tr { th scope="col" { "Aplicação" } th scope="col" { "URL" } th scope="col" { "Eventos" } th scope="col" { "Ações" } } }
            tbody { @for (c, w) in &ganchos { tr {
                td { code { (c) } } td { (w.url) } td { (eventos(&w.eventos.0)) }
                td {
                    a href=(format!("/conta/webhooks/{}", w.id)) { "Entregas" } " · "
                    form.inline method="post" action=(format!("/conta/webhooks/{}/teste", w.id)) { input type="hidden" name="csrf" value=(s.csrf); button.br-button.secondary.small type="submit" { "Enviar evento de teste" } }
                    " · "
                    a href=(format!("/conta/webhooks/{}/cancelar", w.id)) { "Cancelar assinatura" }
                }
            } } }
        }
        @if !ativas.is_empty() {
            details.mt-2 open[fw.aberto()] { summary { "Assinar eventos" }
                form method="post" action="/conta/webhooks" {
                    input type="hidden" name="csrf" value=(s.csrf);
                    (fw.erros("w"))
                    div.br-select { label for="w-aplicacao" { "Aplicação" } select id="w-aplicacao" name="aplicacao" { @for (_, c, n) in &ativas { option value=(c) selected[fw.valor("aplicacao") == *c] { (n) " (" (c) ")" } } } }
                    @if politica.loopback() {
                        div.br-input.mt-2 { label for="w-url" { "URL (https://…; neste servidor de homologação, também http:// e loopback)" } input id="w-url" name="url" type="url" required value=(fw.valor("url")) aria-invalid=[fw.invalido("url")]; }
                    } @else {
                        div.br-input.mt-2 { label for="w-url" { "URL (https://…, endereço público)" } input id="w-url" name="url" type="url" required pattern="https://.+" title="Comece com https://" value=(fw.valor("url")) aria-invalid=[fw.invalido("url")]; }
                    }
                    fieldset.mt-2 id="w-eventos" { legend { "Eventos" }
                        @for e in TipoEvento::TODOS {
                            @let id = format!("w-{}", e.as_str().replace('.', "-"));
                            div.br-checkbox { input type="checkbox" id=(id) name="eventos" value=(e.as_str()) checked[fw.marcado("eventos", e.as_str(), false)]; label for=(id) { (e.rotulo()) } }
                        }
                    }
                    p.mt-2 { button.br-button.primary type="submit" { "Assinar" } }
                }
            }
        }
    };
    let status = if reenvio.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    (
        status,
        pagina(app, s, "/conta", "Usuários e aplicações", corpo),
    )
        .into_response()
}

/// After a manager's form: done → the message for the next page and 303 to it; invalid input
/// → the account page again with what was typed; anything else → the error page.
async fn depois(
    app: &AppState,
    s: &Sessao,
    formulario: &'static str,
    campos: Vec<(String, String)>,
    r: Result<(String, Markup), ServicoError>,
) -> Response {
    match r {
        Ok((para, aviso)) => mensagens::redirecionar(s, &para, aviso),
        Err(ServicoError::Invalido(erros)) => {
            let campos = campos.into_iter().filter(|(k, _)| k != "senha").collect();
            let reenvio = Reenvio {
                formulario,
                campos,
                erros,
            };
            pagina_conta(app, s, Some(&reenvio)).await
        }
        Err(e) => falha(e),
    }
}

pub(super) async fn registrar_aplicacao(
    State(app): State<AppState>,
    s: Sessao,
    body: Bytes,
) -> Response {
    let p = campos(&body);
    if let Err(r) = s.conferir(&um(&p, "csrf")) {
        return r;
    }
    let r = crate::servicos::aplicacoes::registrar(
        &app.db,
        &s.usuario.login,
        &um(&p, "nome"),
        &um(&p, "ambiente"),
        &varios(&p, "escopos"),
        app.relogio.agora(),
    )
    .await
    .map(|c| {
        (
            "/conta".to_owned(),
            aviso_segredo(
                &format!("Aplicação registrada: client_id {}.", c.client_id),
                "client_secret",
                &c.client_secret,
            ),
        )
    });
    depois(&app, &s, "a", p, r).await
}

/// What an action on an application does, for its confirmation page and its button.
fn acao_de_aplicacao(acao: &str) -> Option<(&'static str, &'static str)> {
    match acao {
        "rotacionar" => Some((
            "Gerar novo segredo",
            "Um novo client_secret será gerado e mostrado uma única vez; o atual deixa de valer imediatamente (os tokens já emitidos valem até expirar).",
        )),
        "revogar" => Some((
            "Revogar a aplicação",
            "A aplicação deixa de obter tokens e todos os seus tokens deixam de valer imediatamente. Não há como desfazer: para voltar, registre outra aplicação.",
        )),
        _ => None,
    }
}

/// A dangerous action, said plainly, with one button that does it and a way back.
pub(super) fn confirmacao(
    app: &AppState,
    s: &Sessao,
    titulo: &str,
    explicacao: &str,
    acao: &str,
    botao: &str,
) -> Response {
    let corpo = html! {
        div.br-message.warning role="status" { div.content { span.message-body { (explicacao) } } }
        form method="post" action=(acao) {
            input type="hidden" name="csrf" value=(s.csrf);
            p.mt-3 {
                button.br-button.primary type="submit" { (botao) }
                " "
                a.br-button.secondary href="/conta" { "Voltar sem fazer nada" }
            }
        }
    };
    pagina(app, s, "/conta", titulo, corpo).into_response()
}

pub(super) async fn confirmar_acao_aplicacao(
    State(app): State<AppState>,
    s: Sessao,
    Path((client_id, acao)): Path<(String, String)>,
) -> Response {
    if !s.gestor() {
        return proibido();
    }
    let Some((botao, explicacao)) = acao_de_aplicacao(&acao) else {
        return nao_encontrado("A ação");
    };
    match app_da_organizacao(&app, &s, &client_id).await {
        Ok(_) => confirmacao(
            &app,
            &s,
            &format!("{botao}: {client_id}"),
            explicacao,
            &format!("/conta/aplicacoes/{client_id}/{acao}"),
            botao,
        ),
        Err(e) => falha(e),
    }
}

pub(super) async fn acao_aplicacao(
    State(app): State<AppState>,
    s: Sessao,
    Path((client_id, acao)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let p = campos(&body);
    if let Err(r) = s.conferir(&um(&p, "csrf")) {
        return r;
    }
    let agora = app.relogio.agora();
    let r = match acao.as_str() {
        "rotacionar" => crate::servicos::aplicacoes::rotacionar_segredo(
            &app.db,
            &s.usuario.login,
            &client_id,
            agora,
        )
        .await
        .map(|c| {
            aviso_segredo(
                &format!(
                    "Novo segredo da aplicação {}; o anterior deixou de valer.",
                    c.client_id
                ),
                "client_secret",
                &c.client_secret,
            )
        }),
        "revogar" => {
            crate::servicos::aplicacoes::revogar(&app.db, &s.usuario.login, &client_id, agora)
                .await
                .map(|_| {
                    aviso_ok(&format!(
                        "Aplicação {client_id} revogada; seus tokens deixaram de valer."
                    ))
                })
        }
        _ => return nao_encontrado("A ação"),
    };
    depois(&app, &s, "a", p, r.map(|m| ("/conta".to_owned(), m))).await
}

/// The manager's active application with this client id.
pub(super) async fn app_da_organizacao(
    app: &AppState,
    s: &Sessao,
    client_id: &str,
) -> Result<i64, ServicoError> {
    match persus_store::contas::aplicacao_por_client_id(&app.db, client_id).await? {
        Some(a) if a.organizacao_id == s.usuario.organizacao_id && a.revogada_em.is_none() => {
            Ok(a.id)
        }
        _ => Err(ServicoError::NaoEncontrado(format!(
            "A aplicação {client_id}"
        ))),
    }
}

pub(super) async fn criar_webhook(State(app): State<AppState>, s: Sessao, body: Bytes) -> Response {
    if !s.gestor() {
        return proibido();
    }
    let p = campos(&body);
    if let Err(r) = s.conferir(&um(&p, "csrf")) {
        return r;
    }
    let r = async {
        let id = app_da_organizacao(&app, &s, &um(&p, "aplicacao")).await?;
        let a = crate::servicos::webhooks::assinar_eventos(
            &app.db,
            id,
            &um(&p, "url"),
            &varios(&p, "eventos"),
            app.relogio.agora(),
            crate::servicos::destinos::Politica::new(app.ambiente, app.webhook_permitir_loopback),
        )
        .await?;
        Ok((
            format!("/conta/webhooks/{}", a.id),
            aviso_segredo(
                &format!("Assinatura {} criada.", a.id),
                "segredo de assinatura (whsec)",
                &a.segredo,
            ),
        ))
    }
    .await;
    depois(&app, &s, "w", p, r).await
}

/// A subscription of the manager's organization, active or cancelled.
pub(super) async fn webhook_da_organizacao(
    app: &AppState,
    s: &Sessao,
    id: i64,
) -> Result<persus_store::webhooks::Webhook, ServicoError> {
    for (app_id, _, _) in apps_ativas(app, s).await? {
        if let Some(w) = persus_store::webhooks::webhook(&app.db, id, app_id).await? {
            return Ok(w);
        }
    }
    Err(ServicoError::NaoEncontrado(format!("O webhook {id}")))
}

/// The active subscription a manager's form (with its CSRF token) acts on, or the answer.
pub(super) async fn webhook_do_formulario(
    app: &AppState,
    s: &Sessao,
    id: i64,
    body: &Bytes,
) -> Result<persus_store::webhooks::Webhook, Response> {
    if !s.gestor() {
        return Err(proibido());
    }
    s.conferir(&um(&campos(body), "csrf"))?;
    match webhook_da_organizacao(app, s, id).await {
        Ok(w) if w.ativo => Ok(w),
        Ok(_) => Err(nao_encontrado(&format!("O webhook ativo {id}"))),
        Err(e) => Err(falha(e)),
    }
}

/// A manager's action on an active subscription, posted with the form's CSRF token: done →
/// 303 to its delivery page with what `acao` says happened; anything else → the error page.
async fn agir_no_webhook<F, Fut>(
    app: &AppState,
    s: &Sessao,
    id: i64,
    body: &Bytes,
    acao: F,
) -> Response
where
    F: FnOnce(Webhook) -> Fut,
    Fut: std::future::Future<Output = Result<String, ServicoError>>,
{
    let w = match webhook_do_formulario(app, s, id, body).await {
        Ok(w) => w,
        Err(r) => return r,
    };
    match acao(w).await {
        Ok(aviso) => mensagens::redirecionar(s, &format!("/conta/webhooks/{id}"), aviso_ok(&aviso)),
        Err(e) => falha(e),
    }
}

pub(super) async fn teste_webhook(
    State(app): State<AppState>,
    s: Sessao,
    Path(id): Path<i64>,
    body: Bytes,
) -> Response {
    let (db, agora) = (&app.db, app.relogio.agora());
    agir_no_webhook(&app, &s, id, &body, |w| async move {
        let m = crate::servicos::webhooks::enviar_teste(db, w.id, agora).await?;
        Ok(format!(
            "Evento de teste {m} na fila de entrega; acompanhe abaixo."
        ))
    })
    .await
}

pub(super) async fn confirmar_cancelamento(
    State(app): State<AppState>,
    s: Sessao,
    Path(id): Path<i64>,
) -> Response {
    if !s.gestor() {
        return proibido();
    }
    match webhook_da_organizacao(&app, &s, id).await {
        Ok(w) if w.ativo => confirmacao(
            &app,
            &s,
            &format!("Cancelar a assinatura {id}"),
            &format!(
                "Nada mais será enviado a {}; mensagens ainda não entregues são canceladas. O registro de entregas continua disponível.",
                w.url
            ),
            &format!("/conta/webhooks/{id}/cancelar"),
            "Cancelar a assinatura",
        ),
        Ok(_) => nao_encontrado(&format!("O webhook ativo {id}")),
        Err(e) => falha(e),
    }
}

pub(super) async fn cancelar_webhook(
    State(app): State<AppState>,
    s: Sessao,
    Path(id): Path<i64>,
    body: Bytes,
) -> Response {
    let (db, agora) = (&app.db, app.relogio.agora());
    agir_no_webhook(&app, &s, id, &body, |w| async move {
        crate::servicos::webhooks::cancelar(db, w.id, w.aplicacao_id, agora).await?;
        Ok(format!(
            "Assinatura {id} cancelada: nada mais será enviado a {}.",
            w.url
        ))
    })
    .await
}

pub(super) async fn entregas_webhook(
    State(app): State<AppState>,
    s: Sessao,
    Path(id): Path<i64>,
) -> Response {
    if !s.gestor() {
        return proibido();
    }
    let r = async {
        let w = webhook_da_organizacao(&app, &s, id).await?;
        let entregas = persus_store::webhooks::entregas(&app.db, w.id, 200).await?;
        Ok::<_, ServicoError>((w, entregas))
    };
    let (w, entregas) = match r.await {
        Ok(x) => x,
        Err(e) => return falha(e),
    };
    let avisos = mensagens::tomar(&s);
    let corpo = html! {
        @for a in &avisos { (a) }
        p { "URL " code { (w.url) } }
        p { "Eventos: " (eventos(&w.eventos.0)) }
        @if let Some(em) = w.cancelado_em.filter(|_| !w.ativo) {
            p { strong { "Assinatura cancelada em " (rotulos::instante(em)) "." } " Mensagens pendentes naquele momento não foram enviadas." }
        } @else {
            p { a href=(format!("/conta/webhooks/{id}/cancelar")) { "Cancelar esta assinatura" } }
        }
        table.persus {
            caption.sr-only { "Entregas" }
            thead { tr { th scope="col" { "Mensagem" } th scope="col" { "Evento" } th scope="col" { "Situação" } th scope="col" .num { "Tentativas" } th scope="col" { "Última resposta" } th scope="col" { "Próxima tentativa" } } }
            tbody { @for e in &entregas { tr {
                td { code { (e.mensagem_id) } } td { (e.tipo.rotulo()) } td { (e.estado.rotulo()) } td.num { (e.tentativas) }
                td { (ultima_resposta(e)) }
                td { @if e.estado == EstadoEntrega::Pendente { (rotulos::instante(e.proxima_em)) } @else { "—" } }
            } } }
        }
        p { a href="/conta" { "Voltar à conta" } }
    };
    pagina(
        &app,
        &s,
        "/conta",
        &format!("Entregas do webhook {id}"),
        corpo,
    )
    .into_response()
}

/// A subscription's event types, by their labels.
fn eventos(tipos: &[TipoEvento]) -> String {
    tipos
        .iter()
        .map(|t| t.rotulo())
        .collect::<Vec<_>>()
        .join("; ")
}

/// What the last attempt of a delivery got, in words: the reason it failed (already pt-BR,
/// [`crate::servicos::webhooks`]), or the receiver's answer, or that none was made yet.
fn ultima_resposta(e: &Entrega) -> String {
    match (&e.ultimo_erro, e.ultimo_status) {
        (Some(erro), _) => erro.clone(),
        (None, Some(status)) => format!("recebida (HTTP {status})"),
        (None, None) => "nenhuma tentativa ainda".to_owned(),
    }
}

pub(super) async fn criar_usuario(State(app): State<AppState>, s: Sessao, body: Bytes) -> Response {
    let p = campos(&body);
    if let Err(r) = s.conferir(&um(&p, "csrf")) {
        return r;
    }
    let login = um(&p, "login");
    let r = crate::servicos::contas::criar_usuario(
        &app.db,
        &s.usuario.login,
        &crate::servicos::contas::NovaPessoa {
            login: &login,
            nome: &um(&p, "nome"),
            papel: &um(&p, "papel"),
            permissoes: &varios(&p, "permissoes"),
            senha: &um(&p, "senha"),
        },
        app.relogio.agora(),
    )
    .await
    .map(|()| {
        (
            "/conta".to_owned(),
            aviso_ok(&format!("{} cadastrado(a).", login.trim())),
        )
    });
    depois(&app, &s, "u", p, r).await
}

pub(super) async fn delegar(State(app): State<AppState>, s: Sessao, body: Bytes) -> Response {
    let p = campos(&body);
    if let Err(r) = s.conferir(&um(&p, "csrf")) {
        return r;
    }
    let para = um(&p, "para");
    let r = match chrono::NaiveDate::parse_from_str(um(&p, "ate").trim(), "%d/%m/%Y") {
        Err(_) => Err(ServicoError::campo(
            "ate",
            format!("data \"{}\" inválida: use dd/mm/aaaa", um(&p, "ate")),
        )),
        Ok(ate) => {
            // Valid through the end of that day in Brasília.
            let expira = crate::servicos::relogio::fim_do_dia_em_brasilia(ate);
            let processo = Some(um(&p, "processo")).filter(|x| !x.trim().is_empty());
            crate::servicos::contas::delegar(
                &app.db,
                &s.usuario.login,
                &para,
                processo.as_deref(),
                &varios(&p, "permissoes"),
                expira,
                app.relogio.agora(),
            )
            .await
            .map(|id| {
                (
                    "/conta".to_owned(),
                    aviso_ok(&format!("Delegação {id} concedida a {para}.")),
                )
            })
        }
    };
    depois(&app, &s, "d", p, r).await
}

pub(super) async fn revogar_delegacao(
    State(app): State<AppState>,
    s: Sessao,
    Path(id): Path<i64>,
    body: Bytes,
) -> Response {
    let p = campos(&body);
    if let Err(r) = s.conferir(&um(&p, "csrf")) {
        return r;
    }
    let r = crate::servicos::contas::revogar_delegacao(
        &app.db,
        &s.usuario.login,
        id,
        app.relogio.agora(),
    )
    .await
    .map(|()| {
        (
            "/conta".to_owned(),
            aviso_ok(&format!(
                "Delegação {id} revogada: as permissões que ela dava acabaram agora."
            )),
        )
    });
    depois(&app, &s, "d", p, r).await
}
