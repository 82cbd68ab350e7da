//! Pages of an operator: dashboard, processes, notices (reading = ciência), attendances,
//! petitions (single and batch), charging, people and applications, the deadline calendar feed.

use axum::body::Bytes;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use maud::{html, Markup};
use persus_domain::acesso::Escopo;

use super::{proibido, Sessao};
use crate::app::AppState;
use crate::servicos::documentos::LIMITE_BYTES;

mod atendimentos;
mod calendario;
mod cobranca;
mod conta;
mod lotes;
mod painel;
mod peticoes;
mod processos;
pub mod provisoes;
mod rascunhos;
mod recibos;

use atendimentos::*;
use calendario::*;
use cobranca::*;
use conta::*;
use lotes::*;
pub use painel::painel;
use painel::*;
use peticoes::*;
use processos::*;
use rascunhos::*;
use recibos::*;

pub fn rotas() -> Router<AppState> {
    Router::new()
        .route("/processos", get(processos))
        .route("/abis", get(abis))
        .route("/decisoes", get(decisoes))
        .route("/processos/{nup}", get(processo))
        .route("/notificacoes/{id}", get(notificacao))
        .route("/atendimentos", get(atendimentos))
        .route("/atendimentos/{numero}", get(atendimento))
        .route("/peticoes/nova", get(nova_peticao))
        .route(
            "/peticoes",
            post(salvar_peticao).layer(axum::extract::DefaultBodyLimit::max(6 * LIMITE_BYTES)),
        )
        .route("/peticoes/{protocolo}", get(recibo))
        .route("/peticoes/{protocolo}/recibo.pdf", get(recibo_pdf))
        .route("/documentos/{id}", get(baixar_documento))
        .route("/rascunhos/{id}", get(rascunho))
        .route("/rascunhos/{id}/protocolar", post(protocolar_rascunho))
        .route("/rascunhos/{id}/editar", get(editar_rascunho))
        .route(
            "/rascunhos/{id}/descartar",
            get(confirmar_descarte).post(descartar_rascunho),
        )
        .route("/rascunhos/{id}/descartado", get(descartado))
        .route("/lotes/novo", get(novo_lote))
        .route("/lotes/modelo.csv", get(modelo_csv))
        .route(
            "/lotes/validar",
            post(validar_lote_web).layer(axum::extract::DefaultBodyLimit::max(LIMITE_LOTE_WEB)),
        )
        .route(
            "/lotes",
            post(enviar_lote).layer(axum::extract::DefaultBodyLimit::max(LIMITE_LOTE_WEB)),
        )
        .route("/lotes/conferencias/{token}", get(conferencia))
        .route("/lotes/{id}", get(lote))
        .route("/cobranca", get(cobranca))
        .route("/cobranca/grus", post(emitir_gru))
        .route("/cobranca/grus/{numero}", get(gru))
        .route("/cobranca/grus/{numero}/pdf", get(gru_pdf))
        .route(
            "/cobranca/parcelamento",
            get(simular_parcelamento).post(ir_para_simulacao),
        )
        .route("/cobranca/parcelamentos", post(pedir_parcelamento))
        .route("/cobranca/parcelamentos/{id}", get(parcelamento))
        .route(
            "/cobranca/parcelamentos/{id}/parcelas/{n}/gru",
            post(gru_da_parcela),
        )
        .route("/provisoes", get(provisoes::provisoes))
        .route("/provisoes/{arquivo}", get(provisoes::provisoes_csv))
        .route("/conta", get(conta))
        .route("/conta/aplicacoes", post(registrar_aplicacao))
        .route(
            "/conta/aplicacoes/{client_id}/{acao}",
            get(confirmar_acao_aplicacao).post(acao_aplicacao),
        )
        .route("/conta/webhooks", post(criar_webhook))
        .route("/conta/webhooks/{id}", get(entregas_webhook))
        .route("/conta/webhooks/{id}/teste", post(teste_webhook))
        .route(
            "/conta/webhooks/{id}/cancelar",
            get(confirmar_cancelamento).post(cancelar_webhook),
        )
        .route("/conta/calendario", get(calendarios).post(criar_calendario))
        .route(
            "/conta/calendario/{id}/revogar",
            get(confirmar_revogacao).post(revogar_calendario),
        )
        .route("/calendario/{arquivo}", get(feed))
        .route("/conta/usuarios", post(criar_usuario))
        .route("/conta/delegacoes", post(delegar))
        .route("/conta/delegacoes/{id}/revogar", post(revogar_delegacao))
}

pub(super) fn operadora(s: &Sessao) -> Result<String, Response> {
    s.operadora.clone().ok_or_else(proibido)
}

pub(super) fn exigir(s: &Sessao, permissao: Escopo) -> Result<String, Response> {
    let op = operadora(s)?;
    if s.pode(permissao) {
        Ok(op)
    } else {
        Err(proibido())
    }
}

pub(super) fn aviso_ok(texto: &str) -> Markup {
    html! { div.br-message.success role="status" { div.content { span.message-body { (texto) } } } }
}

pub(super) fn aviso_segredo(titulo: &str, nome: &str, valor: &str) -> Markup {
    html! {
        div.br-message.warning role="alert" {
            div.content { span.message-title { (titulo) " Guarde agora: não será mostrado de novo. " }
                span.message-body { (nome) " " code id="segredo" { (valor) } } }
        }
    }
}

pub(super) fn campos(body: &Bytes) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes(body).unwrap_or_default()
}

pub(super) fn um(p: &[(String, String)], k: &str) -> String {
    p.iter()
        .find(|(c, _)| c == k)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

pub(super) fn varios(p: &[(String, String)], k: &str) -> Vec<String> {
    p.iter()
        .filter(|(c, _)| c == k)
        .map(|(_, v)| v.clone())
        .collect()
}
