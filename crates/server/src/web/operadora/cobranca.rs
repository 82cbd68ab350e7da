//! Charging: debts, GRUs, instalments.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use maud::html;
use persus_domain::money::Centavos;

use super::*;
use crate::app::AppState;
use crate::web::layout::pagina;
use crate::web::{data, erro, indisponivel, nao_encontrado, reais, Sessao};

pub(super) async fn cobranca(State(app): State<AppState>, s: Sessao) -> Response {
    let op = match exigir(&s, Escopo::Financeiro) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let hoje = app.relogio.hoje();
    let selic = crate::servicos::cobranca::tabela_selic(&app.db).await.ok();
    let debitos = persus_store::cobranca::debitos_da_operadora(&app.db, &op)
        .await
        .unwrap_or_default();
    let em_gru = persus_store::cobranca::debitos_em_gru_pagavel(&app.db, &op, hoje)
        .await
        .unwrap_or_default();
    let grus = persus_store::cobranca::grus_da_operadora(&app.db, &op)
        .await
        .unwrap_or_default();
    let pagamentos = persus_store::cobranca::pagamentos_da_operadora(&app.db, &op)
        .await
        .unwrap_or_default();
    let parcelamentos = persus_store::cobranca::parcelamentos_da_operadora(&app.db, &op)
        .await
        .unwrap_or_default();
    let corpo = html! {
        h2 { "Débitos em aberto" }
        form method="post" action="/cobranca/grus" {
            input type="hidden" name="csrf" value=(s.csrf);
            table.persus {
                thead { tr { th scope="col" { "Emitir" } th scope="col" { "Processo" } th scope="col" { "Vencimento" } th scope="col" .num { "Principal" } th scope="col" .num { "Atualizado hoje" } th scope="col" { "Cobrança" } } }
                tbody {
                    @for d in debitos.iter().filter(|d| d.estado == "aberto") {
                        @let atual = selic.as_ref().and_then(|t| persus_domain::cobranca::encargos(Centavos::new(d.valor_centavos), d.vencimento, hoje.max(d.vencimento), t).ok());
                        tr {
                            td { @if let Some((_, g)) = em_gru.iter().find(|(id, _)| *id == d.id) {
                                a href=(format!("/cobranca/grus/{g}")) { "na GRU " (g) }
                            } @else {
                                input type="checkbox" name="debitos" value=(d.id) id=(format!("deb-{}", d.id)) aria-label=(format!("Débito do processo {}", d.nup));
                            } }
                            td { label for=(format!("deb-{}", d.id)) { (d.nup) } }
                            td { (data(d.vencimento)) }
                            td.num { (reais(d.valor_centavos)) }
                            td.num title=(atual.as_ref().map(|e| e.memoria.join("\n")).unwrap_or_default()) { (atual.as_ref().map(|e| e.total.to_string()).unwrap_or_else(|| "—".into())) }
                            td { @if d.divida_ativa_em.is_some() { "dívida ativa" } @else if d.cadin_incluido_em.is_some() && d.cadin_excluido_em.is_none() { "no CADIN" } @else if d.cadin_aviso_em.is_some() { "aviso de CADIN" } @else { "—" } }
                        }
                    }
                }
            }
            p.mt-3 {
                button.br-button.primary type="submit" { "Emitir GRU dos débitos marcados" }
                " "
                button.br-button.secondary type="submit" formmethod="get" formaction="/cobranca/parcelamento" { "Simular parcelamento dos marcados" }
            }
        }
        h2 { "GRUs" }
        table.persus {
            thead { tr { th scope="col" { "GRU" } th scope="col" { "Vencimento" } th scope="col" .num { "Valor" } th scope="col" { "Situação" } th scope="col" { "Linha digitável" } } }
            tbody { @for g in &grus { tr {
                td { a href=(format!("/cobranca/grus/{}", g.numero)) { (g.numero) " (PDF)" } }
                td { (data(g.vencimento)) } td.num { (reais(g.valor_centavos)) }
                td { (if g.estado == "emitida" && g.vencimento < hoje { "vencida" } else { g.estado.as_str() }) }
                td { code { (g.linha_digitavel) } }
            } } }
        }
        h2 { "Pagamentos" }
        table.persus {
            thead { tr { th scope="col" { "Nosso número" } th scope="col" { "Pago em" } th scope="col" .num { "Valor" } th scope="col" { "Situação" } } }
            tbody { @for p in &pagamentos { tr { td { (p.nosso_numero) } td { (data(p.pago_em)) } td.num { (reais(p.valor_centavos)) } td { (p.situacao) ": " (p.observacao) } } } }
        }
        h2 { "Parcelamentos" }
        ul { @for p in &parcelamentos { li { a href=(format!("/cobranca/parcelamentos/{}", p.id)) { "Parcelamento " (p.id) } " — " (reais(p.consolidado_centavos)) " em " (p.parcelas) " parcelas, " (p.estado) } } }
        p { a href="/api/v1/extrato?formato=csv" { "Extrato em CSV pela API" } }
    };
    pagina(&app, &s, "/cobranca", "Cobrança", corpo).into_response()
}

pub(super) async fn emitir_gru(State(app): State<AppState>, s: Sessao, body: Bytes) -> Response {
    let op = match exigir(&s, Escopo::Financeiro) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let pares: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let csrf = pares
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    if let Err(r) = s.conferir(&csrf) {
        return r;
    }
    let ids: Vec<i64> = pares
        .iter()
        .filter(|(k, _)| k == "debitos")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    let r = &*app.relogio;
    let selic = match crate::servicos::cobranca::tabela_selic(&app.db).await {
        Ok(t) => t,
        Err(e) => return indisponivel(e),
    };
    let r = crate::servicos::cobranca::emitir_gru(
        &app.db,
        &op,
        &ids,
        &[],
        r.hoje(),
        &app.regras.calendario,
        &selic,
        &s.ator(),
        r.agora(),
    )
    .await;
    pagina_da_gru(&app, &s, "GRU emitida", r)
}

pub(super) async fn gru_pdf(
    State(app): State<AppState>,
    s: Sessao,
    Path(numero): Path<String>,
) -> Response {
    let op = match exigir(&s, Escopo::Financeiro) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let g = match persus_store::cobranca::gru(&app.db, &numero, Some(&op)).await {
        Ok(Some(g)) => g,
        Ok(None) => return nao_encontrado(&format!("A GRU {numero}")),
        Err(e) => return indisponivel(e),
    };
    let linhas: Vec<_> = persus_store::cobranca::linhas_da_gru(&app.db, g.id)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|(n, p, m, j)| {
            (
                n,
                Centavos::new(p),
                Centavos::new(m),
                Centavos::new(j),
                Centavos::new(p + m + j),
            )
        })
        .collect();
    let razao = match persus_domain::ids::RegistroAns::parse(&op) {
        Ok(r) => persus_store::operadoras::find(&app.db, &r)
            .await
            .ok()
            .flatten()
            .map(|o| o.razao_social)
            .unwrap_or_default(),
        Err(_) => String::new(),
    };
    let homolog = app.ambiente == crate::config::Ambiente::Homologacao;
    let pdf = crate::servicos::gru_pdf::renderizar(&g, &razao, &linhas, homolog);
    let nome = format!(
        "{}GRU-{}.pdf",
        if homolog { "HOMOLOGACAO-" } else { "" },
        g.numero.replace(['.', '-'], "")
    );
    crate::anexo::resposta("application/pdf", &nome, pdf)
}

pub(super) async fn simular_parcelamento(
    State(app): State<AppState>,
    s: Sessao,
    body: axum::extract::RawQuery,
) -> Response {
    let op = match exigir(&s, Escopo::Financeiro) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let pares: Vec<(String, String)> = body
        .0
        .as_deref()
        .map(|q| serde_urlencoded::from_str(q).unwrap_or_default())
        .unwrap_or_default();
    let ids: Vec<i64> = pares
        .iter()
        .filter(|(k, _)| k == "debitos")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    // 12 instalments proposed when none asked; a number that does not read is said so.
    let pedido = pares
        .iter()
        .find(|(k, _)| k == "parcelas")
        .map(|(_, v)| v.trim().to_owned());
    let n: u32 = match pedido.as_deref() {
        None | Some("") => 12,
        Some(t) => t.parse().unwrap_or(0),
    };
    let hoje = app.relogio.hoje();
    let selic = match crate::servicos::cobranca::tabela_selic(&app.db).await {
        Ok(t) => t,
        Err(e) => return indisponivel(e),
    };
    let mut tx = match app.db.begin().await {
        Ok(t) => t,
        Err(e) => return indisponivel(e),
    };
    let ds = persus_store::cobranca::debitos(&mut tx, &op, &ids)
        .await
        .unwrap_or_default();
    drop(tx);
    let mut consolidado = 0i64;
    let mut erro_calc = None;
    for d in ds.iter().filter(|d| d.estado == "aberto") {
        match persus_domain::cobranca::encargos(
            Centavos::new(d.valor_centavos),
            d.vencimento,
            hoje.max(d.vencimento),
            &selic,
        ) {
            Ok(e) => consolidado += e.total.value(),
            Err(m) => erro_calc = Some(m),
        }
    }
    let ilegivel = pedido.filter(|t| !t.is_empty() && t.parse::<u32>().is_err());
    let plano = if let Some(t) = ilegivel {
        Err(format!(
            "número de parcelas \"{t}\" inválido: informe de 1 a 60"
        ))
    } else if consolidado > 0 {
        persus_domain::cobranca::simular_parcelamento(
            Centavos::new(consolidado),
            n,
            hoje,
            &app.regras.calendario,
        )
    } else {
        Err("marque ao menos um débito em aberto".to_owned())
    };
    let corpo = html! {
        form method="get" action="/cobranca/parcelamento" {
            @for id in &ids { input type="hidden" name="debitos" value=(id); }
            div.br-input {
                label for="parcelas" { "Número de parcelas (1 a 60, cada uma de no mínimo R$ 1.000,00)" }
                input id="parcelas" name="parcelas" type="number" min="1" max="60" value=(n);
            }
            p.mt-3 { button.br-button.secondary type="submit" { "Simular" } }
        }
        @if let Some(m) = erro_calc { div.br-message.danger role="alert" { div.content { span.message-body { (m) } } } }
        p { "Débito consolidado hoje: " strong { (reais(consolidado)) } }
        @match &plano {
            Ok(p) => {
                table.persus {
                    thead { tr { th scope="col" { "Parcela" } th scope="col" { "Vencimento" } th scope="col" .num { "Valor-base" } } }
                    tbody { @for x in p { tr { td { (x.numero) } td { (data(x.vencimento)) } td.num { (x.base.to_string()) } } } }
                }
                p { small { "Cada parcela é acrescida da SELIC acumulada do mês seguinte à concessão até o mês anterior ao pagamento e de 1% no mês do pagamento (RN 4/2002, RN 248/2010)." } }
                h2 { "Pedir o parcelamento" }
                form method="post" action="/cobranca/parcelamentos" {
                    input type="hidden" name="csrf" value=(s.csrf);
                    input type="hidden" name="parcelas" value=(n);
                    @for id in &ids { input type="hidden" name="debitos" value=(id); }
                    div.br-checkbox {
                        input type="checkbox" id="confissao" name="confissao" value="sim" required;
                        label for="confissao" { "Declaro que o pedido é confissão irrevogável e irretratável do débito consolidado de " (reais(consolidado)) ", e que o inadimplemento de três parcelas, ou de uma estando pagas as demais, implica a rescisão." }
                    }
                    p.mt-3 { button.br-button.primary type="submit" { "Pedir parcelamento em " (n) " parcelas" } }
                }
            }
            Err(m) => { div.br-message.warning role="alert" { div.content { span.message-body { (m) } } } }
        }
    };
    pagina(&app, &s, "/cobranca", "Simulação de parcelamento", corpo).into_response()
}

pub(super) async fn pedir_parcelamento(
    State(app): State<AppState>,
    s: Sessao,
    body: Bytes,
) -> Response {
    let op = match exigir(&s, Escopo::Financeiro) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let pares: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let campo = |k: &str| {
        pares
            .iter()
            .find(|(c, _)| c == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    if let Err(r) = s.conferir(&campo("csrf")) {
        return r;
    }
    let ids: Vec<i64> = pares
        .iter()
        .filter(|(k, _)| k == "debitos")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    let n: u32 = campo("parcelas").parse().unwrap_or(0);
    let r = &*app.relogio;
    let selic = match crate::servicos::cobranca::tabela_selic(&app.db).await {
        Ok(t) => t,
        Err(e) => return indisponivel(e),
    };
    match crate::servicos::cobranca::solicitar_parcelamento(
        &app.db,
        &op,
        &ids,
        n,
        campo("confissao") == "sim",
        r.hoje(),
        &app.regras.calendario,
        &selic,
        &s.ator(),
        r.agora(),
    )
    .await
    {
        Ok(c) => Redirect::to(&format!("/cobranca/parcelamentos/{}", c.id)).into_response(),
        Err(crate::servicos::ServicoError::Regra(m)) => erro(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Parcelamento não concedido",
            &m,
        ),
        Err(e) => indisponivel(e),
    }
}

pub(super) async fn parcelamento(
    State(app): State<AppState>,
    s: Sessao,
    Path(id): Path<i64>,
) -> Response {
    let op = match exigir(&s, Escopo::Financeiro) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let (p, parcelas) = match persus_store::cobranca::parcelamento(&app.db, id, Some(&op)).await {
        Ok(Some(x)) => x,
        Ok(None) => return nao_encontrado(&format!("O parcelamento {id}")),
        Err(e) => return indisponivel(e),
    };
    let corpo = html! {
        p { "Concedido em " (data(p.concedido_em)) " · consolidado " strong { (reais(p.consolidado_centavos)) } " · " (p.parcelas) " parcelas · " (p.estado) }
        details { summary { "Confissão de dívida registrada" } p { (p.confissao) } }
        table.persus {
            thead { tr { th scope="col" { "Parcela" } th scope="col" { "Vencimento" } th scope="col" .num { "Valor-base" } th scope="col" { "Situação" } th scope="col" { "GRU" } } }
            tbody { @for x in &parcelas { tr {
                td { (x.numero) } td { (data(x.vencimento)) } td.num { (reais(x.base_centavos)) } td { (x.estado) }
                td { @if x.estado == "aberta" && p.estado == "ativo" {
                    form.inline method="post" action=(format!("/cobranca/parcelamentos/{id}/parcelas/{}/gru", x.numero)) {
                        input type="hidden" name="csrf" value=(s.csrf);
                        button.br-button.secondary.small type="submit" { "Emitir GRU da parcela " (x.numero) }
                    }
                } }
            } } }
        }
    };
    pagina(&app, &s, "/cobranca", &format!("Parcelamento {id}"), corpo).into_response()
}

pub(super) async fn gru_da_parcela(
    State(app): State<AppState>,
    s: Sessao,
    Path((id, n)): Path<(i64, i32)>,
    Form(f): Form<crate::web::SoCsrf>,
) -> Response {
    let op = match exigir(&s, Escopo::Financeiro) {
        Ok(o) => o,
        Err(r) => return r,
    };
    if let Err(r) = s.conferir(&f.csrf) {
        return r;
    }
    let r = &*app.relogio;
    let selic = match crate::servicos::cobranca::tabela_selic(&app.db).await {
        Ok(t) => t,
        Err(e) => return indisponivel(e),
    };
    let r = crate::servicos::cobranca::emitir_gru_parcela(
        &app.db,
        &op,
        id,
        n,
        r.hoje(),
        &app.regras.calendario,
        &selic,
        &s.ator(),
        r.agora(),
    )
    .await;
    pagina_da_gru(&app, &s, "GRU da parcela", r)
}

/// The page after a GRU is issued (of debts or of an instalment), or why it was not.
pub(super) fn pagina_da_gru(
    app: &AppState,
    s: &Sessao,
    titulo: &str,
    r: Result<persus_store::cobranca::Gru, crate::servicos::ServicoError>,
) -> Response {
    match r {
        Ok(g) => {
            let corpo = html! {
                div.br-message.success role="status" { div.content { span.message-body { "GRU " (g.numero) " emitida: " (reais(g.valor_centavos)) ", vencimento " (data(g.vencimento)) "." } } }
                p { "Linha digitável: " code { (g.linha_digitavel) } }
                p { a.br-button.primary href=(format!("/cobranca/grus/{}", g.numero)) download { "Baixar a GRU (PDF)" } }
            };
            pagina(app, s, "/cobranca", titulo, corpo).into_response()
        }
        Err(crate::servicos::ServicoError::Regra(m)) => {
            erro(StatusCode::UNPROCESSABLE_ENTITY, "GRU não emitida", &m)
        }
        Err(e) => indisponivel(e),
    }
}
