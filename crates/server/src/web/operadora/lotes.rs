//! Batches of petitions from a spreadsheet: check, send, follow.

use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::Utc;
use maud::{html, Markup};
use serde::Deserialize;

use super::*;
use crate::app::AppState;
use crate::servicos::peticoes::{ler_lote_csv, CABECALHO_LOTE};
use crate::web::layout::pagina;
use crate::web::{indisponivel, nao_encontrado, proibido, Sessao};

pub(super) async fn novo_lote(State(app): State<AppState>, s: Sessao) -> Response {
    if let Err(r) = exigir(&s, Escopo::Peticionar) {
        return r;
    }
    pagina(
        &app,
        &s,
        "/lotes/novo",
        "Lote de petições",
        form_lote(&s, None),
    )
    .into_response()
}

pub(super) fn form_lote(s: &Sessao, erro: Option<&str>) -> Markup {
    html! {
        p { "Envie uma planilha CSV (separada por ponto e vírgula, UTF-8) com uma petição por linha. As linhas são conferidas antes do protocolo: nada é protocolado enquanto houver erro." }
        p { a.br-button.secondary href="/lotes/modelo.csv" download { "Baixar o modelo (CSV)" } }
        p { "Colunas: " code { (CABECALHO_LOTE) } ". Atendimentos e documentos separados por " code { "|" } "; documentos pelo número do documento já enviado." }
        @if let Some(e) = erro { div.br-message.danger role="alert" { div.content { span.message-body { (e) } } } }
        form method="post" action="/lotes/validar" enctype="multipart/form-data" {
            input type="hidden" name="csrf" value=(s.csrf);
            div.persus-upload {
                label for="planilha" { "Planilha (CSV, até 16 MB)" }
                input id="planilha" name="planilha" type="file" accept=".csv,text/csv" required;
            }
            p.mt-3 { button.br-button.primary type="submit" { "Conferir" } }
        }
    }
}

pub(super) async fn modelo_csv(s: Sessao) -> Response {
    if s.operadora.is_none() {
        return proibido();
    }
    crate::anexo::resposta(
        "text/csv; charset=utf-8",
        "modelo-lote.csv",
        format!("{CABECALHO_LOTE}\nimpugnacao;33910.000001/2026-00;1234567890123|1234567890124;ADM01;Beneficiário excluído do plano antes do atendimento.;;12\n").into_bytes(),
    )
}

pub(super) async fn validar_lote(
    State(app): State<AppState>,
    s: Sessao,
    mut m: Multipart,
) -> Response {
    let op = match exigir(&s, Escopo::Peticionar) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let mut csrf = String::new();
    let mut texto = None;
    while let Ok(Some(campo)) = m.next_field().await {
        let nome = campo.name().unwrap_or("").to_owned();
        let Ok(b) = campo.bytes().await else { break };
        match nome.as_str() {
            "csrf" => csrf = String::from_utf8_lossy(&b).into_owned(),
            "planilha" => texto = Some(String::from_utf8(b.to_vec())),
            _ => {}
        }
    }
    if let Err(r) = s.conferir(&csrf) {
        return r;
    }
    let texto = match texto {
        Some(Ok(t)) => t,
        Some(Err(_)) => {
            return pagina(
                &app,
                &s,
                "/lotes/novo",
                "Lote de petições",
                form_lote(&s, Some("A planilha deve estar em UTF-8.")),
            )
            .into_response()
        }
        None => {
            return pagina(
                &app,
                &s,
                "/lotes/novo",
                "Lote de petições",
                form_lote(&s, Some("Escolha a planilha.")),
            )
            .into_response()
        }
    };
    conferir_lote(&app, &s, &op, &texto).await
}

pub(super) async fn conferir_lote(app: &AppState, s: &Sessao, op: &str, texto: &str) -> Response {
    let (pedidos, mut erros) = match ler_lote_csv(texto) {
        Ok(p) => (p, Vec::new()),
        Err(e) => (Vec::new(), e),
    };
    if erros.is_empty() {
        let r = &*app.relogio;
        match crate::servicos::peticoes::validar_lote(
            &app.db,
            op,
            &pedidos,
            r.hoje(),
            &app.regras.calendario,
            &app.regras.prazos,
        )
        .await
        {
            // Batch rows are 1-based; in the sheet, the header is line 1.
            Ok(e) => {
                erros = e
                    .into_iter()
                    .map(|mut x| {
                        x.linha += 1;
                        x
                    })
                    .collect()
            }
            Err(e) => return indisponivel(e),
        }
    }
    let corpo = html! {
        @if erros.is_empty() {
            div.br-message.success role="status" {
                div.content { span.message-body { "Todas as " (pedidos.len()) " linhas estão corretas. Confira e protocole." } }
            }
            form method="post" action="/lotes" {
                input type="hidden" name="csrf" value=(s.csrf);
                textarea name="planilha" hidden aria-hidden="true" { (texto) }
                table.persus {
                    thead { tr { th scope="col" { "Linha" } th scope="col" { "Tipo" } th scope="col" { "Processo" } th scope="col" { "Atendimentos" } th scope="col" { "Motivo" } } }
                    tbody { @for (i, p) in pedidos.iter().enumerate() { tr { td { (i + 2) } td { (p.tipo.as_str()) } td { (p.processo) } td { (p.atendimentos.join(", ")) } td { (p.motivo) } } } }
                }
                p.mt-3 { button.br-button.primary type="submit" { "Protocolar " (pedidos.len()) " petição(ões)" } }
            }
        } @else {
            div.br-message.danger role="alert" {
                div.content { span.message-title { "Nada foi protocolado. " } span.message-body { (erros.len()) " linha(s) com erro: corrija a planilha e envie de novo." } }
            }
            table.persus id="erros-lote" {
                thead { tr { th scope="col" { "Linha da planilha" } th scope="col" { "O que corrigir" } } }
                tbody { @for e in &erros { tr { td { (e.linha) } td { (e.erros.join("; ")) } } } }
            }
            (form_lote(s, None))
        }
    };
    pagina(app, s, "/lotes/novo", "Conferência do lote", corpo).into_response()
}

#[derive(Deserialize)]
pub struct EnvioLote {
    csrf: String,
    planilha: String,
}

pub(super) async fn enviar_lote(
    State(app): State<AppState>,
    s: Sessao,
    Form(f): Form<EnvioLote>,
) -> Response {
    let op = match exigir(&s, Escopo::Peticionar) {
        Ok(o) => o,
        Err(r) => return r,
    };
    if let Err(r) = s.conferir(&f.csrf) {
        return r;
    }
    let pedidos = match ler_lote_csv(&f.planilha) {
        Ok(p) if !p.is_empty() => p,
        _ => return conferir_lote(&app, &s, &op, &f.planilha).await,
    };
    let r = &*app.relogio;
    // Checked again now (time passes): with any error, nothing is queued.
    match crate::servicos::peticoes::validar_lote(
        &app.db,
        &op,
        &pedidos,
        r.hoje(),
        &app.regras.calendario,
        &app.regras.prazos,
    )
    .await
    {
        Ok(e) if e.is_empty() => {}
        Ok(_) => return conferir_lote(&app, &s, &op, &f.planilha).await,
        Err(e) => return indisponivel(e),
    }
    let json = serde_json::to_string(&pedidos).unwrap_or_default();
    // Web batches are recorded under the person's organization (no API application).
    match persus_store::lotes::receber_web(
        &app.db,
        &op,
        &s.usuario.login,
        &crate::auth::sha256_hex(&crate::auth::aleatorio("psus_web_")),
        &json,
        pedidos.len() as i32,
        Utc::now(),
    )
    .await
    {
        Ok(id) => Redirect::to(&format!("/lotes/{id}")).into_response(),
        Err(e) => indisponivel(e),
    }
}

pub(super) async fn lote(State(app): State<AppState>, s: Sessao, Path(id): Path<i64>) -> Response {
    let op = match exigir(&s, Escopo::Consulta) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let l = match persus_store::lotes::lote(&app.db, id, &op).await {
        Ok(Some(l)) => l,
        Ok(None) => return nao_encontrado(&format!("O lote {id}")),
        Err(e) => return indisponivel(e),
    };
    let resultado: serde_json::Value = l
        .resultado
        .as_deref()
        .and_then(|r| serde_json::from_str(r).ok())
        .unwrap_or_default();
    let concluido = l.estado == "concluido";
    let corpo = html! {
        @if !concluido {
            // Progressive enhancement: with JavaScript the page refreshes itself while the batch
            // runs; without, the link does it.
            script src=(crate::web::estatico::url("recarregar.js")) data-recarregar="2000" {}
            div.br-message.info role="status" aria-live="polite" {
                div.content { span.message-body { "Lote " (l.estado) ": " (l.total) " petição(ões). Esta página se atualiza sozinha." } }
            }
            p { a href=(format!("/lotes/{id}")) { "Atualizar agora" } }
            progress max="1" aria-label="Progresso do lote" {}
        } @else {
            div.br-message.success role="status" {
                div.content { span.message-body { "Lote concluído: " (l.protocoladas.unwrap_or(0)) " protocolada(s), " (l.recusadas.unwrap_or(0)) " recusada(s)." } }
            }
            @if let Some(rs) = resultado["recibos"].as_array() {
                table.persus {
                    thead { tr { th scope="col" { "Protocolo" } th scope="col" { "Processo" } th scope="col" { "Atendimentos" } } }
                    tbody { @for r in rs { tr { td { a href=(format!("/peticoes/{}", r["protocolo"].as_str().unwrap_or(""))) { (r["protocolo"].as_str().unwrap_or("")) } } td { (r["processo"].as_str().unwrap_or("")) } td { (r["atendimentos"].as_array().map(|a| a.iter().filter_map(|x| x.as_str()).collect::<Vec<_>>().join(", ")).unwrap_or_default()) } } } }
                }
            }
        }
    };
    pagina(&app, &s, "/lotes/novo", &format!("Lote {id}"), corpo).into_response()
}
