//! Pages of ANS staff, by area: the analysis queues and decisions ([`filas`]), a case in full
//! with its filed PDFs ([`caso`]), the ABI schedule and publication ([`abis`]), finance
//! ([`financeiro`]), operators' first access ([`operadoras`]), productivity and the audit trail
//! ([`auditoria`]).

mod abis;
mod auditoria;
mod caso;
mod filas;
mod financeiro;
mod operadoras;
pub mod provisoes;

use axum::body::Bytes;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use maud::html;

use super::layout::pagina;
use super::{data, falha, Sessao};
use crate::app::AppState;
use crate::servicos::decisoes::Instancia;

pub fn rotas() -> Router<AppState> {
    Router::new()
        .route("/ans/filas", get(filas::minha_fila))
        .route("/ans/filas/{instancia}", get(filas::pagina_fila))
        .route("/ans/atribuicoes", post(filas::atribuir))
        .route("/ans/decisoes", post(filas::decidir_web))
        .route(
            "/ans/decisoes/{notificacoes}",
            get(filas::decisao_publicada),
        )
        .route("/ans/casos/{numero}", get(caso::pagina_caso))
        .route(
            "/documentos/{id}/visualizar",
            get(caso::visualizar_documento),
        )
        .route("/ans/abis", get(abis::abis))
        .route("/ans/abis/{numero}/publicacao", post(abis::publicar))
        .route("/ans/abis/agendar", post(abis::agendar_abi))
        .route("/ans/financeiro", get(financeiro::financeiro))
        .route(
            "/ans/financeiro/retorno",
            post(financeiro::importar_retorno).layer(axum::extract::DefaultBodyLimit::max(
                crate::erros::LIMITE_RETORNO,
            )),
        )
        .route(
            "/ans/financeiro/retornos/{sha256}",
            get(financeiro::retorno_importado_pagina),
        )
        .route("/ans/produtividade", get(auditoria::produtividade))
        .route("/ans/auditoria", get(auditoria::auditoria))
        .route(
            "/ans/operadoras",
            get(operadoras::operadoras).post(operadoras::habilitar),
        )
        .route("/ans/provisoes", get(provisoes::provisoes))
        .route("/ans/provisoes/{arquivo}", get(provisoes::provisoes_csv))
        .route(
            "/ans/provisoes/operadoras/{registro}",
            get(provisoes::operadora),
        )
        .route(
            "/ans/provisoes/parametros/{versao}/{acao}",
            get(provisoes::confirmar).post(provisoes::decidir),
        )
}

/// The queue page of an instance, by its code in the path.
fn caminho_da_fila(i: Instancia) -> String {
    format!("/ans/filas/{}", i.as_str())
}

pub async fn painel(app: &AppState, s: &Sessao) -> Response {
    let mut cartoes = Vec::new();
    for (i, rotulo) in [
        (Instancia::Primeira, "Impugnações a decidir"),
        (Instancia::Admissibilidade, "Recursos (admissibilidade)"),
        (Instancia::Dicol, "Na DICOL"),
    ] {
        let n = match crate::servicos::analise::tamanho(&app.db, &*app.relogio, i).await {
            Ok(n) => n,
            Err(e) => return falha(e),
        };
        cartoes.push((i, rotulo, n, s.papel_ans(i.papeis())));
    }
    let abis = match persus_store::abis::listar(&app.db).await {
        Ok(a) => a,
        Err(e) => return super::indisponivel(e),
    };
    let proximos: Vec<_> = abis
        .iter()
        .filter(|a| a.estado != persus_store::abis::EstadoAbi::Publicado)
        .collect();
    let corpo = html! {
        div.cartoes {
            @for (i, rotulo, n, pode) in &cartoes {
                div.cartao {
                    div { (rotulo) } div.valor { (n) }
                    @if *pode { a href=(caminho_da_fila(*i)) { "Abrir a fila" } }
                }
            }
        }
        h2 { "Próximos ABIs" }
        @if proximos.is_empty() { p { "Nenhum ABI agendado." } }
        ul { @for a in &proximos { li { (a.numero) "º ABI (" (a.tipo) ", " (a.trimestre) ") — " (data(a.data_lancamento)) ", " (a.estado.rotulo()) } } }
    };
    pagina(app, s, "/painel", "Painel da ANS", corpo).into_response()
}

/// The pairs of a URL-encoded form (repeated names kept, in order).
fn pares(body: &Bytes) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes(body).unwrap_or_default()
}

fn campo(p: &[(String, String)], k: &str) -> String {
    p.iter()
        .find(|(c, _)| c == k)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

fn todos(p: &[(String, String)], k: &str) -> Vec<String> {
    p.iter()
        .filter(|(c, _)| c == k)
        .map(|(_, v)| v.clone())
        .collect()
}
