//! Protocol receipts (page and printable PDF) and the operator's filed documents.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use maud::html;

use super::*;
use crate::app::AppState;
use crate::config::Ambiente;
use crate::servicos::documentos::{para_leitura, ArmazenamentoLocal, Leitor};
use crate::servicos::recibos::{comprovante, pdf, Comprovante};
use crate::servicos::relogio::texto_em_brasilia;
use crate::web::layout::pagina;
use crate::web::{falha, Sessao};

/// The receipt `protocolo` of the person's operator (else the page that says why not).
async fn da_operadora(
    app: &AppState,
    s: &Sessao,
    protocolo: &str,
) -> Result<Comprovante, Response> {
    let op = exigir(s, Escopo::Consulta)?;
    comprovante(&app.db, Some(&op), protocolo)
        .await
        .map_err(falha)
}

pub(super) async fn recibo(
    State(app): State<AppState>,
    s: Sessao,
    Path(protocolo): Path<String>,
) -> Response {
    let c = match da_operadora(&app, &s, &protocolo).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let corpo = html! {
        div.br-message.success role="status" {
            div.content { span.message-title { "Petição protocolada. " } span.message-body { (c.tipo.rotulo()) " nº " (c.protocolo) ": guarde o número do protocolo e o recibo em PDF." } }
        }
        p { a.br-button.primary id="recibo-pdf" href=(format!("/peticoes/{protocolo}/recibo.pdf")) download { "Baixar o recibo (PDF)" } }
        dl id="recibo" {
            dt { "Protocolo" } dd { strong { (c.protocolo) } }
            dt { "Tipo" } dd { (c.tipo.rotulo()) }
            dt { "Protocolada em" } dd { (texto_em_brasilia(c.protocolada_em)) }
            dt { "Processo" } dd { a href=(format!("/processos/{}", c.processo)) { (c.nup()) } }
            dt { "Atendimentos (" (c.atendimentos.len()) ")" } dd { (c.atendimentos.join(", ")) }
            dt { "Motivo" } dd { (c.motivo) @if !c.motivo_nome.is_empty() { " — " (c.motivo_nome) } }
            dt { "Fundamentação" } dd { (c.fundamentacao) }
            @if let Some(a) = &c.auditor { dt { "Auditor" } dd { (a) } }
            dt { "Documentos" } dd { ul { @for d in &c.documentos {
                li { a href=(format!("/documentos/{}", d.id)) { "nº " span.doc-id { (d.id) } " — " (d.nome_arquivo) } " — SHA-256 " code { (d.sha256) } }
            } } }
        }
    };
    pagina(&app, &s, "/processos", "Recibo de protocolo", corpo).into_response()
}

/// `GET /peticoes/{protocolo}/recibo.pdf`: the printable receipt.
pub(super) async fn recibo_pdf(
    State(app): State<AppState>,
    s: Sessao,
    Path(protocolo): Path<String>,
) -> Response {
    match da_operadora(&app, &s, &protocolo).await {
        Ok(c) => crate::anexo::resposta(
            "application/pdf",
            &format!("recibo-{protocolo}.pdf"),
            pdf(&c, app.ambiente == Ambiente::Homologacao),
        ),
        Err(r) => r,
    }
}

/// `GET /documentos/{id}`: a PDF the operator filed, as it was sent.
pub(super) async fn baixar_documento(
    State(app): State<AppState>,
    s: Sessao,
    Path(id): Path<i64>,
) -> Response {
    let op = match exigir(&s, Escopo::Consulta) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let arm = ArmazenamentoLocal {
        raiz: app.raiz_documentos.clone(),
    };
    match para_leitura(&app.db, &arm, Leitor::Operadora(&op), id).await {
        Ok(d) => {
            let nome = d.nome_para_baixar(app.ambiente == Ambiente::Homologacao);
            crate::anexo::resposta("application/pdf", &nome, d.bytes)
        }
        Err(e) => falha(e),
    }
}
