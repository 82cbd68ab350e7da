//! ANS finance: collection by month, open debts, CADIN, recent GRUs, payments and instalments,
//! and the import of a bank return file (CNAB 240), which answers 303 to the page of that
//! file's report — F5 shows the report again, never imports twice.

use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::html;
use persus_domain::acesso::Papel;

use super::super::flash::{self, Aviso};
use super::super::layout::{barras, pagina};
use super::super::{data, erro, falha, indisponivel, proibido, reais, Sessao};
use crate::app::AppState;
use crate::servicos::cobranca::{importar_retorno as importar, retorno_importado};

/// Reads a store list for a page, or answers the error page.
macro_rules! ou_indisponivel {
    ($e:expr) => {
        match $e.await {
            Ok(v) => v,
            Err(e) => return indisponivel(e),
        }
    };
}

pub async fn financeiro(State(app): State<AppState>, s: Sessao) -> Response {
    if !s.papel_ans(&[Papel::Financeiro]) {
        return proibido();
    }
    use persus_store::cobranca as c;
    let meses = ou_indisponivel!(c::arrecadacao_por_mes(&app.db));
    let abertos = ou_indisponivel!(c::debitos_abertos(&app.db));
    let grus = ou_indisponivel!(c::grus_recentes(&app.db, 50));
    let pagamentos = ou_indisponivel!(c::pagamentos_recentes(&app.db, 50));
    let parcelamentos = ou_indisponivel!(c::parcelamentos_no_estado(
        &app.db,
        persus_domain::cobranca::estados::EstadoParcelamento::Ativo,
        100
    ));
    let grafico: Vec<_> = meses
        .iter()
        .rev()
        .take(12)
        .rev()
        .map(|(m, _, v)| (m.clone(), *v, reais(*v)))
        .collect();
    let cadin: Vec<_> = abertos
        .iter()
        .filter(|d| d.cadin_incluido_em.is_some() && d.cadin_excluido_em.is_none())
        .collect();
    let corpo = html! {
        div.cartoes {
            div.cartao { div { "Débitos em aberto" } div.valor { (abertos.len()) } small { (reais(abertos.iter().map(|d| d.valor_centavos).sum())) } }
            div.cartao { div { "No CADIN" } div.valor { (cadin.len()) } }
            div.cartao { div { "Em dívida ativa" } div.valor { (abertos.iter().filter(|d| d.divida_ativa_em.is_some()).count()) } }
        }
        h2 { "Arrecadação por mês (últimos 12)" }
        (barras("Arrecadação por mês", &grafico))
        h2 { "Importar retorno do banco (CNAB 240)" }
        form method="post" action="/ans/financeiro/retorno" enctype="multipart/form-data" {
            input type="hidden" name="csrf" value=(s.csrf);
            div.persus-upload { label for="retorno" { "Arquivo retorno (.ret)" } input id="retorno" name="retorno" type="file" required; }
            p.mt-2 { button.br-button.primary type="submit" { "Importar" } }
        }
        h2 { "GRUs recentes" }
        div.persus-tabela { table.persus {
            thead { tr { th scope="col" { "GRU" } th scope="col" { "Operadora" } th scope="col" { "Vencimento" } th scope="col" .num { "Valor" } th scope="col" { "Situação" } } }
            tbody { @for g in &grus { tr { td { (g.numero) } td { (g.operadora) } td { (data(g.vencimento)) } td.num { (reais(g.valor_centavos)) } td { (g.estado) } } } }
        } }
        h2 { "Pagamentos recentes" }
        div.persus-tabela { table.persus {
            thead { tr { th scope="col" { "Nosso número" } th scope="col" { "Pago em" } th scope="col" .num { "Valor" } th scope="col" { "Conciliação" } } }
            tbody { @for p in &pagamentos { tr { td { (p.nosso_numero) } td { (data(p.pago_em)) } td.num { (reais(p.valor_centavos)) } td { (p.situacao) ": " (p.observacao) } } } }
        } }
        h2 { "Parcelamentos ativos" }
        div.persus-tabela { table.persus {
            thead { tr { th scope="col" { "Parcelamento" } th scope="col" { "Operadora" } th scope="col" { "Concedido" } th scope="col" .num { "Consolidado" } th scope="col" .num { "Parcelas" } } }
            tbody { @for p in &parcelamentos { tr { td { (p.id) } td { (p.operadora) } td { (data(p.concedido_em)) } td.num { (reais(p.consolidado_centavos)) } td.num { (p.parcelas) } } } }
        } }
        h2 { "No CADIN" }
        div.persus-tabela { table.persus {
            thead { tr { th scope="col" { "Operadora" } th scope="col" { "Processo" } th scope="col" .num { "Valor" } th scope="col" { "Aviso" } th scope="col" { "Inclusão" } } }
            tbody { @for d in cadin.iter().take(200) { tr { td { (d.operadora) } td { (super::super::rotulos::nup(&d.nup)) } td.num { (reais(d.valor_centavos)) } td { (d.cadin_aviso_em.map(data).unwrap_or_default()) } td { (d.cadin_incluido_em.map(data).unwrap_or_default()) } } } }
        } }
    };
    pagina(&app, &s, "/ans/financeiro", "Financeiro", corpo).into_response()
}

pub async fn importar_retorno(
    State(app): State<AppState>,
    s: Sessao,
    mut m: Multipart,
) -> Response {
    if !s.papel_ans(&[Papel::Financeiro]) {
        return proibido();
    }
    let (mut csrf, mut arquivo) = (String::new(), None);
    loop {
        let c = match m.next_field().await {
            Ok(Some(c)) => c,
            Ok(None) => break,
            Err(_) => {
                return erro(
                    StatusCode::BAD_REQUEST,
                    "Retorno não importado",
                    "O envio do arquivo foi interrompido; escolha o arquivo e envie de novo.",
                )
            }
        };
        let nome = c.name().unwrap_or("").to_owned();
        let fname = c.file_name().unwrap_or("retorno.ret").to_owned();
        let Ok(b) = c.bytes().await else {
            return erro(
                StatusCode::BAD_REQUEST,
                "Retorno não importado",
                "O envio do arquivo foi interrompido; escolha o arquivo e envie de novo.",
            );
        };
        match nome.as_str() {
            "csrf" => csrf = String::from_utf8_lossy(&b).into_owned(),
            "retorno" => arquivo = Some((fname, b)),
            _ => {}
        }
    }
    if let Err(r) = s.conferir(&csrf) {
        return r;
    }
    let Some((nome, b)) = arquivo else {
        return erro(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Retorno não importado",
            "Escolha o arquivo.",
        );
    };
    match importar(&app.db, &nome, &b, &s.ator(), app.relogio.agora()).await {
        Ok(r) => flash::redirecionar(
            &format!("/ans/financeiro/retornos/{}", r.arquivo_sha256),
            &Aviso {
                titulo: if r.ja_importado {
                    "Este arquivo já tinha sido importado: nada mudou.".to_owned()
                } else {
                    format!("Retorno {nome} importado.")
                },
                texto: String::new(),
                codigo: None,
            },
        ),
        Err(e) => falha(e),
    }
}

/// `/ans/financeiro/retornos/{sha256}`: the report of an imported return file.
pub async fn retorno_importado_pagina(
    State(app): State<AppState>,
    s: Sessao,
    headers: HeaderMap,
    Path(sha): Path<String>,
) -> Response {
    if !s.papel_ans(&[Papel::Financeiro]) {
        return proibido();
    }
    let r = match retorno_importado(&app.db, &sha).await {
        Ok(r) => r,
        Err(e) => return falha(e),
    };
    let aviso = flash::ler(&headers);
    let corpo = html! {
        @if let Some(a) = &aviso { (flash::caixa(a)) }
        p { (r.conciliados) " conciliado(s), " (r.divergentes) " divergente(s), " (r.sem_gru) " sem GRU, " (r.gru_inativa) " com GRU inativa." }
        p { small { "Arquivo SHA-256 " code { (r.arquivo_sha256) } } }
        div.persus-tabela { table.persus {
            thead { tr { th scope="col" { "Linha" } th scope="col" { "GRU" } th scope="col" .num { "Pago" } th scope="col" { "Situação" } } }
            tbody { @for i in &r.itens { tr { td { (i.linha) } td { (i.gru.clone().unwrap_or_default()) } td.num { (reais(i.valor_pago_centavos)) } td { (i.situacao) ": " (i.observacao) } } } }
        } }
        p.mt-3 { a.br-button.secondary href="/ans/financeiro" { "Voltar ao financeiro" } }
    };
    let pagina = pagina(&app, &s, "/ans/financeiro", "Retorno importado", corpo).into_response();
    match aviso {
        Some(_) => flash::consumido(&format!("/ans/financeiro/retornos/{sha}"), pagina),
        None => pagina,
    }
}
