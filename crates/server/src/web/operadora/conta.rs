//! The account: people, delegations, API applications and webhooks.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use maud::{html, Markup};

use super::*;
use crate::app::AppState;
use crate::web::layout::pagina;
use crate::web::{data, indisponivel, nao_encontrado, proibido, Sessao};

pub(super) async fn conta(State(app): State<AppState>, s: Sessao) -> Response {
    pagina_conta(&app, &s, None).await
}

/// Applications active for the organization, with their ids (for webhooks).
pub(super) async fn apps_ativas(app: &AppState, s: &Sessao) -> Vec<(i64, String, String)> {
    let mut out = Vec::new();
    for a in persus_store::contas::aplicacoes_da_organizacao(&app.db, s.usuario.organizacao_id)
        .await
        .unwrap_or_default()
    {
        if a.revogada_em.is_some() {
            continue;
        }
        if let Ok(Some(x)) =
            persus_store::contas::aplicacao_por_client_id(&app.db, &a.client_id).await
        {
            out.push((x.id, a.client_id, a.nome));
        }
    }
    out
}

pub(super) async fn pagina_conta(app: &AppState, s: &Sessao, aviso: Option<Markup>) -> Response {
    if !s.gestor() || s.operadora.is_none() {
        return proibido();
    }
    let op = s.operadora.clone().unwrap_or_default();
    let apps = persus_store::contas::aplicacoes_da_organizacao(&app.db, s.usuario.organizacao_id)
        .await
        .unwrap_or_default();
    let pessoas = persus_store::contas::usuarios_da_organizacao(&app.db, s.usuario.organizacao_id)
        .await
        .unwrap_or_default();
    let delegacoes = persus_store::contas::delegacoes_da_operadora(&app.db, &op)
        .await
        .unwrap_or_default();
    let ativas = apps_ativas(app, s).await;
    let mut ganchos = Vec::new();
    for (id, client_id, _) in &ativas {
        for w in persus_store::webhooks::da_aplicacao(&app.db, *id)
            .await
            .unwrap_or_default()
        {
            ganchos.push((client_id.clone(), w));
        }
    }
    let agora = Utc::now();
    let corpo = html! {
        @if let Some(a) = aviso { (a) }
        h2 { "Pessoas" }
        table.persus {
            thead { tr { th scope="col" { "Login" } th scope="col" { "Nome" } th scope="col" { "Papel" } th scope="col" { "Permissões" } } }
            tbody { @for p in &pessoas { tr { td { (p.login) } td { (p.nome) } td { (p.papel.rotulo()) } td { (p.permissoes) } } } }
        }
        details.mt-2 { summary { "Cadastrar pessoa" }
            form method="post" action="/conta/usuarios" {
                input type="hidden" name="csrf" value=(s.csrf);
                div.br-input { label for="u-login" { "Login" } input id="u-login" name="login" required minlength="3"; }
                div.br-input.mt-2 { label for="u-nome" { "Nome" } input id="u-nome" name="nome" required; }
                div.br-select.mt-2 { label for="u-papel" { "Papel" } select id="u-papel" name="papel" {
                    option value="usuario" { "usuário" } option value="auditor" { "auditor (assina petições técnicas)" }
                    @if s.usuario.papel == persus_domain::acesso::Papel::RepresentanteLegal { option value="gestor" { "gestor da conta" } }
                } }
                fieldset.mt-2 { legend { "Permissões" }
                    @for e in ["consulta", "peticionar", "financeiro"] { div.br-checkbox { input type="checkbox" id=(format!("u-{e}")) name="permissoes" value=(e); label for=(format!("u-{e}")) { (e) } } }
                }
                div.br-input.mt-2 { label for="u-senha" { "Senha inicial (a pessoa a troca no primeiro acesso)" } input id="u-senha" name="senha" type="password" autocomplete="new-password" required minlength="10"; }
                p.mt-2 { button.br-button.primary type="submit" { "Cadastrar" } }
            }
        }
        h2 { "Delegações" }
        table.persus {
            thead { tr { th scope="col" { "Para" } th scope="col" { "Abrangência" } th scope="col" { "Permissões" } th scope="col" { "Até" } th scope="col" { "Situação" } } }
            tbody { @for d in &delegacoes { tr {
                td { (d.login) } td { (d.processo.clone().map(|p| format!("processo {p}")).unwrap_or_else(|| "toda a operadora".into())) } td { (d.permissoes) }
                td { (data(d.expira_em.date_naive())) }
                td { @if d.revogada_em.is_some() { "revogada" } @else if d.expira_em <= agora { "expirada" } @else {
                    form.inline method="post" action=(format!("/conta/delegacoes/{}/revogar", d.id)) { input type="hidden" name="csrf" value=(s.csrf); button.br-button.secondary.small type="submit" { "Revogar" } }
                } }
            } } }
        }
        details.mt-2 { summary { "Delegar" }
            form method="post" action="/conta/delegacoes" {
                input type="hidden" name="csrf" value=(s.csrf);
                div.br-input { label for="d-para" { "Login de quem recebe" } input id="d-para" name="para" required; }
                div.br-input.mt-2 { label for="d-processo" { "Processo (NUP; vazio = toda a operadora)" } input id="d-processo" name="processo"; }
                fieldset.mt-2 { legend { "Permissões" }
                    @for e in ["consulta", "peticionar", "financeiro"] { div.br-checkbox { input type="checkbox" id=(format!("d-{e}")) name="permissoes" value=(e); label for=(format!("d-{e}")) { (e) } } }
                }
                div.br-input.mt-2 { label for="d-ate" { "Válida até (dd/mm/aaaa)" } input id="d-ate" name="ate" required placeholder="31/12/2026"; }
                p.mt-2 { button.br-button.primary type="submit" { "Delegar" } }
            }
        }
        h2 { "Aplicações da API (Área do Desenvolvedor)" }
        table.persus {
            thead { tr { th scope="col" { "client_id" } th scope="col" { "Nome" } th scope="col" { "Ambiente" } th scope="col" { "Escopos" } th scope="col" { "Ações" } } }
            tbody { @for a in &apps { tr {
                td { code { (a.client_id) } } td { (a.nome) } td { (a.ambiente) } td { (a.escopos) }
                td { @if a.revogada_em.is_some() { "revogada" } @else {
                    form.inline method="post" action=(format!("/conta/aplicacoes/{}/rotacionar", a.client_id)) { input type="hidden" name="csrf" value=(s.csrf); button.br-button.secondary.small type="submit" { "Novo segredo" } }
                    " "
                    form.inline method="post" action=(format!("/conta/aplicacoes/{}/revogar", a.client_id)) { input type="hidden" name="csrf" value=(s.csrf); button.br-button.secondary.small type="submit" { "Revogar" } }
                } }
            } } }
        }
        details.mt-2 { summary { "Registrar aplicação" }
            form method="post" action="/conta/aplicacoes" {
                input type="hidden" name="csrf" value=(s.csrf);
                div.br-input { label for="nome" { "Nome" } input id="nome" name="nome" required minlength="3"; }
                div.br-select.mt-2 { label for="ambiente" { "Ambiente" } select id="ambiente" name="ambiente" { option value="homologacao" { "homologação" } option value="producao" { "produção" } } }
                fieldset.mt-2 { legend { "Escopos" }
                    @for e in ["consulta", "peticionar", "financeiro"] {
                        div.br-checkbox { input type="checkbox" id=(format!("esc-{e}")) name="escopos" value=(e) checked[e == "consulta"]; label for=(format!("esc-{e}")) { (e) } }
                    }
                }
                p.mt-2 { button.br-button.primary type="submit" { "Registrar" } }
            }
        }
        h2 { "Webhooks" }
        table.persus {
            thead { tr { th scope="col" { "Aplicação" } th scope="col" { "URL" } th scope="col" { "Eventos" } th scope="col" { "Ações" } } }
            tbody { @for (c, w) in &ganchos { tr {
                td { code { (c) } } td { (w.url) } td { (w.eventos) }
                td {
                    a href=(format!("/conta/webhooks/{}", w.id)) { "Entregas" } " "
                    form.inline method="post" action=(format!("/conta/webhooks/{}/teste", w.id)) { input type="hidden" name="csrf" value=(s.csrf); button.br-button.secondary.small type="submit" { "Enviar evento de teste" } }
                    " "
                    form.inline method="post" action=(format!("/conta/webhooks/{}/cancelar", w.id)) { input type="hidden" name="csrf" value=(s.csrf); button.br-button.secondary.small type="submit" { "Cancelar assinatura" } }
                }
            } } }
        }
        @if !ativas.is_empty() {
            details.mt-2 { summary { "Assinar eventos" }
                form method="post" action="/conta/webhooks" {
                    input type="hidden" name="csrf" value=(s.csrf);
                    div.br-select { label for="w-app" { "Aplicação" } select id="w-app" name="aplicacao" { @for (_, c, n) in &ativas { option value=(c) { (n) " (" (c) ")" } } } }
                    div.br-input.mt-2 { label for="w-url" { "URL (https://…, endereço público)" } input id="w-url" name="url" type="url" required; }
                    fieldset.mt-2 { legend { "Eventos" }
                        @for e in crate::servicos::webhooks::TIPOS { div.br-checkbox { input type="checkbox" id=(format!("w-{e}")) name="eventos" value=(e); label for=(format!("w-{e}")) { (e) } } }
                    }
                    p.mt-2 { button.br-button.primary type="submit" { "Assinar" } }
                }
            }
        }
    };
    pagina(app, s, "/conta", "Usuários e aplicações", corpo).into_response()
}

/// Runs a manager's action and shows the account page with its outcome.
pub(super) async fn depois(
    app: &AppState,
    s: &Sessao,
    r: Result<Markup, crate::servicos::ServicoError>,
) -> Response {
    match r {
        Ok(aviso) => pagina_conta(app, s, Some(aviso)).await,
        Err(crate::servicos::ServicoError::Regra(m)) => {
            let aviso = html! { div.br-message.danger role="alert" { div.content { span.message-body { (m) } } } };
            let mut resp = pagina_conta(app, s, Some(aviso)).await;
            *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            resp
        }
        Err(e) => indisponivel(e),
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
        Utc::now(),
    )
    .await
    .map(|c| {
        aviso_segredo(
            &format!("Aplicação registrada: client_id {}.", c.client_id),
            "client_secret",
            &c.client_secret,
        )
    });
    depois(&app, &s, r).await
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
    let r = match acao.as_str() {
        "rotacionar" => crate::servicos::aplicacoes::rotacionar_segredo(
            &app.db,
            &s.usuario.login,
            &client_id,
            Utc::now(),
        )
        .await
        .map(|c| {
            aviso_segredo(
                "Novo segredo gerado; o anterior deixou de valer.",
                "client_secret",
                &c.client_secret,
            )
        }),
        "revogar" => {
            crate::servicos::aplicacoes::revogar(&app.db, &s.usuario.login, &client_id, Utc::now())
                .await
                .map(|_| aviso_ok("Aplicação revogada; seus tokens deixaram de valer."))
        }
        _ => return nao_encontrado("A ação"),
    };
    depois(&app, &s, r).await
}

/// The manager's application with this client id, or a refusal.
pub(super) async fn app_da_organizacao(
    app: &AppState,
    s: &Sessao,
    client_id: &str,
) -> Result<i64, crate::servicos::ServicoError> {
    match persus_store::contas::aplicacao_por_client_id(&app.db, client_id).await? {
        Some(a) if a.organizacao_id == s.usuario.organizacao_id && a.revogada_em.is_none() => {
            Ok(a.id)
        }
        _ => Err(crate::servicos::ServicoError::Regra(format!(
            "aplicação {client_id} não encontrada"
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
        let (_, segredo) = crate::servicos::webhooks::assinar_eventos(
            &app.db,
            id,
            &um(&p, "url"),
            &varios(&p, "eventos"),
            Utc::now(),
            crate::servicos::destinos::Politica::new(app.ambiente, app.webhook_permitir_loopback),
        )
        .await?;
        Ok(aviso_segredo(
            "Assinatura criada.",
            "segredo de assinatura (whsec)",
            &segredo,
        ))
    }
    .await;
    depois(&app, &s, r).await
}

/// A subscription of the manager's organization, active or cancelled.
pub(super) async fn webhook_da_organizacao(
    app: &AppState,
    s: &Sessao,
    id: i64,
) -> Option<persus_store::webhooks::Webhook> {
    for (app_id, _, _) in apps_ativas(app, s).await {
        if let Ok(Some(w)) = persus_store::webhooks::webhook(&app.db, id, app_id).await {
            return Some(w);
        }
    }
    None
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
    webhook_da_organizacao(app, s, id)
        .await
        .filter(|w| w.ativo)
        .ok_or_else(|| nao_encontrado(&format!("O webhook {id}")))
}

pub(super) async fn teste_webhook(
    State(app): State<AppState>,
    s: Sessao,
    Path(id): Path<i64>,
    body: Bytes,
) -> Response {
    let w = match webhook_do_formulario(&app, &s, id, &body).await {
        Ok(w) => w,
        Err(r) => return r,
    };
    let r = crate::servicos::webhooks::enviar_teste(&app.db, w.id, Utc::now())
        .await
        .map(|m| {
            aviso_ok(&format!(
                "Evento de teste {m} na fila de entrega; acompanhe em Entregas."
            ))
        });
    depois(&app, &s, r).await
}

pub(super) async fn cancelar_webhook(
    State(app): State<AppState>,
    s: Sessao,
    Path(id): Path<i64>,
    body: Bytes,
) -> Response {
    let w = match webhook_do_formulario(&app, &s, id, &body).await {
        Ok(w) => w,
        Err(r) => return r,
    };
    let r = crate::servicos::webhooks::cancelar(&app.db, w.id, w.aplicacao_id, Utc::now())
        .await
        .map(|_| {
            aviso_ok(&format!(
                "Assinatura {id} cancelada: nada mais será enviado a {}; o registro de entregas continua em /conta/webhooks/{id}.",
                w.url
            ))
        });
    depois(&app, &s, r).await
}

pub(super) async fn entregas_webhook(
    State(app): State<AppState>,
    s: Sessao,
    Path(id): Path<i64>,
) -> Response {
    if !s.gestor() {
        return proibido();
    }
    let Some(w) = webhook_da_organizacao(&app, &s, id).await else {
        return nao_encontrado(&format!("O webhook {id}"));
    };
    let entregas = persus_store::webhooks::entregas(&app.db, w.id, 200)
        .await
        .unwrap_or_default();
    let corpo = html! {
        p { "URL " code { (w.url) } " · eventos " (w.eventos) }
        @if let Some(em) = w.cancelado_em.filter(|_| !w.ativo) {
            p { strong { "Assinatura cancelada em " (em.with_timezone(&chrono_tz::America::Sao_Paulo).format("%d/%m/%Y %H:%M")) " (Brasília)." } " Mensagens pendentes naquele momento não foram enviadas." }
        }
        table.persus {
            thead { tr { th scope="col" { "Mensagem" } th scope="col" { "Evento" } th scope="col" { "Situação" } th scope="col" .num { "Tentativas" } th scope="col" { "Última resposta" } th scope="col" { "Próxima tentativa" } } }
            tbody { @for e in &entregas { tr {
                td { code { (e.mensagem_id) } } td { (e.tipo) } td { (e.estado) } td.num { (e.tentativas) }
                td { (e.ultimo_status.map(|x| x.to_string()).unwrap_or_default()) " " (e.ultimo_erro.clone().unwrap_or_default()) }
                td { @if e.estado == "pendente" { (e.proxima_em.format("%d/%m/%Y %H:%M")) } @else { "—" } }
            } } }
        }
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

pub(super) async fn criar_usuario(State(app): State<AppState>, s: Sessao, body: Bytes) -> Response {
    let p = campos(&body);
    if let Err(r) = s.conferir(&um(&p, "csrf")) {
        return r;
    }
    let r = crate::servicos::contas::criar_usuario(
        &app.db,
        &s.usuario.login,
        &um(&p, "login"),
        &um(&p, "nome"),
        &um(&p, "papel"),
        &varios(&p, "permissoes"),
        &um(&p, "senha"),
        Utc::now(),
    )
    .await
    .map(|()| aviso_ok(&format!("{} cadastrado(a).", um(&p, "login"))));
    depois(&app, &s, r).await
}

pub(super) async fn delegar(State(app): State<AppState>, s: Sessao, body: Bytes) -> Response {
    let p = campos(&body);
    if let Err(r) = s.conferir(&um(&p, "csrf")) {
        return r;
    }
    let ate = match chrono::NaiveDate::parse_from_str(um(&p, "ate").trim(), "%d/%m/%Y") {
        Ok(d) => d,
        Err(_) => {
            return depois(
                &app,
                &s,
                Err(crate::servicos::ServicoError::Regra(format!(
                    "data \"{}\" inválida: use dd/mm/aaaa",
                    um(&p, "ate")
                ))),
            )
            .await
        }
    };
    // Valid through the end of that day in Brasília.
    let expira = crate::servicos::relogio::fim_do_dia_em_brasilia(ate);
    let processo = Some(um(&p, "processo")).filter(|x| !x.trim().is_empty());
    let r = crate::servicos::contas::delegar(
        &app.db,
        &s.usuario.login,
        &um(&p, "para"),
        processo.as_deref(),
        &varios(&p, "permissoes"),
        expira,
        Utc::now(),
    )
    .await
    .map(|id| aviso_ok(&format!("Delegação {id} concedida.")));
    depois(&app, &s, r).await
}

pub(super) async fn revogar_delegacao(
    State(app): State<AppState>,
    s: Sessao,
    Path(id): Path<i64>,
    body: Bytes,
) -> Response {
    if let Err(r) = s.conferir(&um(&campos(&body), "csrf")) {
        return r;
    }
    let r = crate::servicos::contas::revogar_delegacao(&app.db, &s.usuario.login, id, Utc::now())
        .await
        .map(|()| aviso_ok(&format!("Delegação {id} revogada.")));
    depois(&app, &s, r).await
}
