//! Productivity of the analysis (decisions per month and instance) and the audit trail.

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use maud::html;
use serde::Deserialize;

use super::super::layout::{barras, pagina};
use super::super::rotulos::instante;
use super::super::{indisponivel, proibido, Sessao};
use crate::app::AppState;
use crate::servicos::analise::rotulo_instancia;

pub async fn produtividade(State(app): State<AppState>, s: Sessao) -> Response {
    if !s.ans() {
        return proibido();
    }
    let linhas = match persus_store::historico::decisoes_por_mes(&app.db).await {
        Ok(l) => l,
        Err(e) => return indisponivel(e),
    };
    let mut por_mes: std::collections::BTreeMap<String, i64> = Default::default();
    for (m, _, n) in &linhas {
        *por_mes.entry(m.clone()).or_default() += n;
    }
    let grafico: Vec<_> = por_mes
        .iter()
        .rev()
        .take(12)
        .rev()
        .map(|(m, n)| (m.clone(), *n, format!("{n} decisões")))
        .collect();
    let corpo = html! {
        (barras("Decisões por mês (todas as instâncias)", &grafico))
        div.persus-tabela { table.persus {
            thead { tr { th scope="col" { "Mês" } th scope="col" { "Instância" } th scope="col" .num { "Decisões" } } }
            tbody { @for (m, i, n) in linhas.iter().rev().take(60) { tr { td { (m) } td { (rotulo_instancia(i)) } td.num { (n) } } } }
        } }
    };
    pagina(
        &app,
        &s,
        "/ans/produtividade",
        "Produtividade da análise",
        corpo,
    )
    .into_response()
}

#[derive(Debug, Default, Deserialize)]
pub struct FiltroAuditoria {
    pub filtro: Option<String>,
}

pub async fn auditoria(
    State(app): State<AppState>,
    s: Sessao,
    Query(f): Query<FiltroAuditoria>,
) -> Response {
    if !s.papel_ans(&[]) {
        return proibido();
    }
    let filtro = f.filtro.as_deref().map(str::trim).filter(|x| !x.is_empty());
    let eventos = match persus_store::auditoria::ultimos(&app.db, filtro, 200).await {
        Ok(e) => e,
        Err(e) => return indisponivel(e),
    };
    let corpo = html! {
        form method="get" action="/ans/auditoria" {
            div.br-input { label for="filtro" { "Ação ou identificador (prefixo)" } input id="filtro" name="filtro" value=(filtro.unwrap_or("")) placeholder="gru. ou 33910"; }
            p.mt-2 { button.br-button.secondary type="submit" { "Filtrar" } }
        }
        div.persus-tabela { table.persus {
            thead { tr { th scope="col" { "#" } th scope="col" { "Quando" } th scope="col" { "Quem" } th scope="col" { "Ação" } th scope="col" { "Entidade" } th scope="col" { "Hash" } } }
            tbody { @for e in &eventos { tr {
                td { (e.seq) } td { (instante(e.instante)) } td { (e.ator) " (" (e.organizacao) ")" }
                td { (e.acao) } td { (e.entidade) " " (e.entidade_id) } td { code { (e.hash.get(..12).unwrap_or("")) } }
            } } }
        } }
        p { small { "A cadeia inteira é verificada por " code { "persus audit verify" } "." } }
    };
    pagina(&app, &s, "/ans/auditoria", "Trilha de auditoria", corpo).into_response()
}
