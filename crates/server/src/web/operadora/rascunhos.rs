//! Drafts: review, protocol, edit, discard. Every POST answers 303 to a page that shows its
//! outcome; F5 or Back after it never repeats it — a draft already protocolled sends to its
//! receipt, one already discarded to the page that says so.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::Utc;
use maud::html;

use super::peticoes::{form_peticao, nup_legivel, FormPeticao, Formulario};
use super::*;
use crate::app::AppState;
use crate::servicos::peticoes::catalogo;
use crate::servicos::rascunhos::{self, Rascunho, SituacaoRascunho};
use crate::servicos::ServicoError;
use crate::web::layout::pagina;
use crate::web::{falha, nao_encontrado, Sessao, SoCsrf};

/// Where a draft id stands now: `Ok(())` while it is a draft; otherwise the answer for it (the
/// receipt, the "discarded" page, not found).
async fn ainda_rascunho(app: &AppState, op: &str, id: i64) -> Result<(), Response> {
    match rascunhos::situacao(&app.db, op, id).await {
        Ok(SituacaoRascunho::Rascunho) => Ok(()),
        Ok(SituacaoRascunho::Protocolada(n)) => {
            Err(Redirect::to(&format!("/peticoes/{n}")).into_response())
        }
        Ok(SituacaoRascunho::Descartado) => {
            Err(Redirect::to(&format!("/rascunhos/{id}/descartado")).into_response())
        }
        Ok(SituacaoRascunho::Inexistente) => Err(nao_encontrado(&format!("O rascunho {id}"))),
        Err(e) => Err(falha(e)),
    }
}

/// The operator of a page on draft `id`, while it is a draft (else the answer for it).
async fn do_rascunho(app: &AppState, s: &Sessao, id: i64) -> Result<String, Response> {
    let op = exigir(s, Escopo::Peticionar)?;
    ainda_rascunho(app, &op, id).await?;
    Ok(op)
}

/// The operator and the petition of draft `id` (else the answer for it).
async fn pedido_do_rascunho(
    app: &AppState,
    s: &Sessao,
    id: i64,
) -> Result<(String, crate::servicos::peticoes::Pedido), Response> {
    let op = do_rascunho(app, s, id).await?;
    let r = rascunhos::carregar(&app.db, &op, id).await.map_err(falha)?;
    Ok((op, r.pedido))
}

/// As [`do_rascunho`] for a POST: its CSRF token checked first.
async fn post_do_rascunho(
    app: &AppState,
    s: &Sessao,
    csrf: &str,
    id: i64,
) -> Result<String, Response> {
    exigir(s, Escopo::Peticionar)?;
    s.conferir(csrf)?;
    do_rascunho(app, s, id).await
}

pub(super) async fn rascunho(
    State(app): State<AppState>,
    s: Sessao,
    Path(id): Path<i64>,
) -> Response {
    match do_rascunho(&app, &s, id).await {
        Ok(op) => revisao(&app, &s, &op, id, None).await,
        Err(r) => r,
    }
}

/// The review page of a draft; `recusa` is why protocol was just refused (then 422).
async fn revisao(app: &AppState, s: &Sessao, op: &str, id: i64, recusa: Option<&str>) -> Response {
    let r: Rascunho = match rascunhos::carregar(&app.db, op, id).await {
        Ok(r) => r,
        Err(e) => return falha(e),
    };
    let docs = match rascunhos::documentos(&app.db, op, id).await {
        Ok(d) => d,
        Err(e) => return falha(e),
    };
    let motivo = catalogo()
        .get(&r.pedido.motivo)
        .map(|m| m.nome.clone())
        .unwrap_or_default();
    let p = &r.pedido;
    let corpo = html! {
        @if let Some(m) = recusa {
            div.br-message.danger role="alert" id="recusa" {
                div.content { span.message-title { "A petição não foi protocolada. " } span.message-body { (m) } }
            }
        } @else {
            div.br-message.info role="status" {
                div.content { span.message-body { "Rascunho salvo. Confira e protocole: o prazo é verificado no momento do protocolo. Você pode sair e voltar a este rascunho pelo painel." } }
            }
        }
        dl id="revisao" {
            dt { "Tipo" } dd { (p.tipo.rotulo()) }
            dt { "Processo" } dd { a href=(format!("/processos/{}", p.processo)) { (nup_legivel(&p.processo)) } }
            dt { "Atendimentos (" (p.atendimentos.len()) ")" } dd { (p.atendimentos.join(", ")) }
            dt { "Motivo" } dd { (p.motivo) " — " (motivo) }
            dt { "Fundamentação" } dd { (p.fundamentacao) }
            @if let Some(a) = &p.auditor { dt { "Auditor" } dd { (a) } }
            dt { "Documentos" } dd { ul { @for d in &docs {
                li { a href=(format!("/documentos/{}", d.id)) { "nº " (d.id) " — " (d.nome_arquivo) } " (" (((d.tamanho + 1023) / 1024)) " KB)" }
            } } }
        }
        form.inline method="post" action=(format!("/rascunhos/{id}/protocolar")) {
            input type="hidden" name="csrf" value=(s.csrf);
            button.br-button.primary type="submit" { "Protocolar" }
        }
        " "
        a.br-button.secondary href=(format!("/rascunhos/{id}/editar")) { "Editar" }
        " "
        a.br-button.secondary href=(format!("/rascunhos/{id}/descartar")) { "Descartar rascunho" }
    };
    let titulo = format!("Revisão — {} nº {id}", p.tipo.rotulo());
    let status = if recusa.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    (status, pagina(app, s, "/processos", &titulo, corpo)).into_response()
}

pub(super) async fn protocolar_rascunho(
    State(app): State<AppState>,
    s: Sessao,
    Path(id): Path<i64>,
    Form(f): Form<SoCsrf>,
) -> Response {
    // Sent again (F5, Back and the button once more): the receipt, never a second protocol.
    let op = match post_do_rascunho(&app, &s, &f.csrf, id).await {
        Ok(o) => o,
        Err(r) => return r,
    };
    let r = &*app.relogio;
    match rascunhos::protocolar(
        &app.db,
        &op,
        id,
        &crate::servicos::peticoes::Ocasiao {
            hoje: r.hoje(),
            agora: r.agora(),
            calendario: &app.regras.calendario,
            prazos: &app.regras.prazos,
            ator: &s.ator(),
        },
    )
    .await
    {
        Ok(recibo) => Redirect::to(&format!("/peticoes/{}", recibo.protocolo)).into_response(),
        Err(ServicoError::Regra(m)) => {
            // Protocolled meanwhile by another request: its receipt.
            if let Err(r) = ainda_rascunho(&app, &op, id).await {
                return r;
            }
            revisao(&app, &s, &op, id, Some(&m)).await
        }
        Err(e) => falha(e),
    }
}

pub(super) async fn editar_rascunho(
    State(app): State<AppState>,
    s: Sessao,
    Path(id): Path<i64>,
) -> Response {
    let (op, p) = match pedido_do_rascunho(&app, &s, id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let valores = FormPeticao {
        atendimentos: p.atendimentos,
        motivo: p.motivo,
        fundamentacao: p.fundamentacao,
        auditor: p.auditor.unwrap_or_default(),
        rascunho: Some(id),
    };
    form_peticao(
        &app,
        &s,
        &op,
        Formulario::com(&p.processo, p.tipo, &valores),
    )
    .await
}

/// `GET /rascunhos/{id}/descartar`: asks before discarding, saying what will be lost.
pub(super) async fn confirmar_descarte(
    State(app): State<AppState>,
    s: Sessao,
    Path(id): Path<i64>,
) -> Response {
    let (_, p) = match pedido_do_rascunho(&app, &s, id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let corpo = html! {
        div.br-message.warning role="alert" {
            div.content {
                span.message-title { "Descartar o rascunho nº " (id) "? " }
                span.message-body {
                    "O rascunho de " (p.tipo.rotulo().to_lowercase()) " do processo " (nup_legivel(&p.processo)) ", com "
                    (p.atendimentos.len()) " atendimento(s) e a fundamentação escrita, será apagado e não poderá ser recuperado. "
                    "Nada foi protocolado; os PDFs já enviados continuam guardados entre os documentos da operadora."
                }
            }
        }
        form.inline method="post" action=(format!("/rascunhos/{id}/descartar")) {
            input type="hidden" name="csrf" value=(s.csrf);
            button.br-button.primary type="submit" { "Descartar definitivamente" }
        }
        " "
        a.br-button.secondary href=(format!("/rascunhos/{id}")) { "Manter o rascunho" }
    };
    pagina(
        &app,
        &s,
        "/processos",
        &format!("Descartar o rascunho nº {id}"),
        corpo,
    )
    .into_response()
}

pub(super) async fn descartar_rascunho(
    State(app): State<AppState>,
    s: Sessao,
    Path(id): Path<i64>,
    Form(f): Form<SoCsrf>,
) -> Response {
    let op = match post_do_rascunho(&app, &s, &f.csrf, id).await {
        Ok(o) => o,
        Err(r) => return r,
    };
    match rascunhos::descartar(&app.db, &op, id, Utc::now(), &s.ator()).await {
        Ok(()) => Redirect::to(&format!("/rascunhos/{id}/descartado")).into_response(),
        Err(e) => falha(e),
    }
}

/// `GET /rascunhos/{id}/descartado`: what happened, as often as it is reloaded.
pub(super) async fn descartado(
    State(app): State<AppState>,
    s: Sessao,
    Path(id): Path<i64>,
) -> Response {
    let op = match exigir(&s, Escopo::Peticionar) {
        Ok(o) => o,
        Err(r) => return r,
    };
    match rascunhos::situacao(&app.db, &op, id).await {
        Ok(SituacaoRascunho::Descartado) => {}
        Ok(SituacaoRascunho::Rascunho) => {
            return Redirect::to(&format!("/rascunhos/{id}")).into_response()
        }
        Ok(SituacaoRascunho::Protocolada(n)) => {
            return Redirect::to(&format!("/peticoes/{n}")).into_response()
        }
        Ok(SituacaoRascunho::Inexistente) => return nao_encontrado(&format!("O rascunho {id}")),
        Err(e) => return falha(e),
    }
    let corpo = html! {
        div.br-message.success role="status" {
            div.content { span.message-body { "O rascunho nº " (id) " foi descartado. Nada foi protocolado." } }
        }
        p { a.br-button.secondary href="/painel" { "Voltar ao painel" } " " a.br-button.secondary href="/processos" { "Processos" } }
    };
    pagina(&app, &s, "/processos", "Rascunho descartado", corpo).into_response()
}
