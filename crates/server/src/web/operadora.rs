//! Pages of an operator: dashboard, processes, notices (reading = ciência), attendances,
//! petitions (single and batch), charging, people and applications.

use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::Utc;
use maud::{html, Markup};
use persus_domain::calendar::CalendarioAns;
use persus_domain::deadline::PrazosVigentes;
use persus_domain::money::Centavos;
use serde::Deserialize;

use super::layout::{barras, pagina};
use super::{data, erro, nao_encontrado, proibido, reais, Sessao};
use crate::app::AppState;
use crate::servicos::documentos::{enviar, ArmazenamentoLocal, LIMITE_BYTES};
use crate::servicos::peticoes::{catalogo, ler_lote_csv, Pedido, TipoPeticao, CABECALHO_LOTE};
use crate::servicos::relogio::{Relogio, RelogioSistema};

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
            post(protocolar).layer(axum::extract::DefaultBodyLimit::max(6 * LIMITE_BYTES)),
        )
        .route("/peticoes/{protocolo}", get(recibo))
        .route("/rascunhos/{id}", get(rascunho))
        .route("/rascunhos/{id}/protocolar", post(protocolar_rascunho))
        .route("/rascunhos/{id}/editar", get(editar_rascunho))
        .route("/rascunhos/{id}/descartar", post(descartar_rascunho))
        .route("/lotes/novo", get(novo_lote))
        .route("/lotes/modelo.csv", get(modelo_csv))
        .route(
            "/lotes/validar",
            post(validar_lote).layer(axum::extract::DefaultBodyLimit::max(16 * 1024 * 1024)),
        )
        .route(
            "/lotes",
            post(enviar_lote).layer(axum::extract::DefaultBodyLimit::max(16 * 1024 * 1024)),
        )
        .route("/lotes/{id}", get(lote))
        .route("/cobranca", get(cobranca))
        .route("/cobranca/grus", post(emitir_gru))
        .route("/cobranca/grus/{numero}", get(gru_pdf))
        .route("/cobranca/parcelamento", get(simular_parcelamento))
        .route("/cobranca/parcelamentos", post(pedir_parcelamento))
        .route("/cobranca/parcelamentos/{id}", get(parcelamento))
        .route(
            "/cobranca/parcelamentos/{id}/parcelas/{n}/gru",
            post(gru_da_parcela),
        )
        .route("/conta", get(conta))
        .route("/conta/aplicacoes", post(registrar_aplicacao))
        .route("/conta/aplicacoes/{client_id}/{acao}", post(acao_aplicacao))
        .route("/conta/webhooks", post(criar_webhook))
        .route("/conta/webhooks/{id}", get(entregas_webhook))
        .route("/conta/webhooks/{id}/teste", post(teste_webhook))
        .route("/conta/webhooks/{id}/cancelar", post(cancelar_webhook))
        .route("/conta/usuarios", post(criar_usuario))
        .route("/conta/delegacoes", post(delegar))
        .route("/conta/delegacoes/{id}/revogar", post(revogar_delegacao))
}

fn operadora(s: &Sessao) -> Result<String, Response> {
    s.operadora.clone().ok_or_else(proibido)
}

fn exigir(s: &Sessao, permissao: &str) -> Result<String, Response> {
    let op = operadora(s)?;
    if s.pode(permissao) {
        Ok(op)
    } else {
        Err(proibido())
    }
}

fn falha(e: impl std::fmt::Display) -> Response {
    tracing::error!(error = %e, "web page failed");
    erro(
        StatusCode::SERVICE_UNAVAILABLE,
        "Indisponível",
        "Não foi possível concluir agora; tente de novo em instantes.",
    )
}

fn estado_pt(e: &str) -> &str {
    match e {
        "identificado" => "identificado",
        "aguardando_ciencia" => "aguardando ciência",
        "notificado" => "notificado (prazo de impugnação)",
        "impugnado" => "impugnado (em análise)",
        "anulado" => "anulado",
        "retificado" => "retificado (prazo de recurso)",
        "mantido" => "mantido (prazo de recurso)",
        "em_recurso" => "em recurso",
        "em_dicol" => "na DICOL",
        "devido" => "devido",
        "suspenso" => "suspenso",
        outro => outro,
    }
}

pub async fn painel(app: &AppState, s: &Sessao) -> Response {
    let Some(op) = s.operadora.clone() else {
        return proibido();
    };
    let hoje = RelogioSistema.hoje();
    let feed = match persus_store::processos::pendencias(&app.db, &op, hoje).await {
        Ok(f) => f,
        Err(e) => return falha(e),
    };
    let pendentes: Vec<_> = feed.iter().filter(|n| n.ciencia_em.is_none()).collect();
    let rascunhos = persus_store::peticoes::rascunhos_da_operadora(&app.db, &op)
        .await
        .unwrap_or_default();
    let mut prazos: Vec<_> = feed
        .iter()
        .filter_map(|n| n.vencimento.filter(|v| *v >= hoje).map(|v| (v, n)))
        .collect();
    prazos.sort_by_key(|(v, n)| (*v, n.id));
    let mut semanas: std::collections::BTreeMap<i64, i64> = Default::default();
    for (v, _) in &prazos {
        *semanas.entry((*v - hoje).num_days() / 7).or_default() += 1;
    }
    let por_semana: Vec<_> = semanas
        .into_iter()
        .take(8)
        .map(|(w, n)| {
            let rotulo = if w == 0 {
                "esta semana".to_owned()
            } else {
                format!("em {w} semana(s)")
            };
            (rotulo, n, format!("{n} prazo(s)"))
        })
        .collect();
    let debitos = persus_store::cobranca::debitos_da_operadora(&app.db, &op)
        .await
        .unwrap_or_default();
    let aberto: i64 = debitos
        .iter()
        .filter(|d| d.estado == "aberto")
        .map(|d| d.valor_centavos)
        .sum();
    let mut por_mes: std::collections::BTreeMap<String, i64> = Default::default();
    for d in debitos.iter().filter(|d| d.estado == "aberto") {
        *por_mes
            .entry(d.vencimento.format("%m/%Y").to_string())
            .or_default() += d.valor_centavos;
    }
    let grafico: Vec<_> = por_mes.into_iter().map(|(m, v)| (m, v, reais(v))).collect();
    let corpo = html! {
        div.cartoes {
            div.cartao { div { "Ciências pendentes" } div.valor { (pendentes.len()) } }
            div.cartao { div { "Prazos em curso" } div.valor { (prazos.len()) } }
            div.cartao { div { "Débitos em aberto" } div.valor { (reais(aberto)) } }
        }
                h2 { "Prazos, do mais urgente" }
        @if !por_semana.is_empty() {
            (barras("Prazos que vencem, por semana", &por_semana))
        }
        @if prazos.is_empty() {
            p { "Nenhum prazo em curso." }
        } @else {
            table.persus {
                caption.sr-only { "Prazos em curso" }
                thead { tr { th scope="col" { "Processo" } th scope="col" { "Notificação" } th scope="col" { "Vence em" } th scope="col" .num { "Dias restantes" } } }
                tbody {
                    @for (v, n) in prazos.iter().take(50) {
                        @let dias = (*v - hoje).num_days();
                        tr {
                            td { a href=(format!("/processos/{}", n.processo)) { (n.processo) } }
                            td { (if n.tipo == "oficio_abi" { "Ofício ABI — impugnação" } else { "Decisão — recurso" }) }
                            td { (data(*v)) }
                            td.num.urgente[dias <= 5] { (dias) }
                        }
                    }
                }
            }
        }
                @if !rascunhos.is_empty() {
            h2 { "Rascunhos de petição" }
            ul { @for (id, tipo, nup, em) in &rascunhos { li { a href=(format!("/rascunhos/{id}")) { (tipo) " — processo " (nup) } " (salvo em " (data(em.date_naive())) ")" } } }
        }
        h2 { "Notificações sem ciência" }
        @if pendentes.is_empty() {
            p { "Nenhuma notificação pendente." }
        } @else {
            ul {
                @for n in pendentes.iter().take(50) {
                    li {
                        a href=(format!("/notificacoes/{}", n.id)) { "Abrir notificação " (n.id) " — processo " (n.processo) }
                        " (disponibilizada em " (data(n.disponibilizada_em)) "; abrir registra a ciência)"
                    }
                }
            }
        }
        @if !grafico.is_empty() {
            h2 { "Débitos em aberto por mês de vencimento" }
            (barras("Débitos em aberto por mês de vencimento", &grafico))
        }
    };
    pagina(app, s, "/painel", "Painel da operadora", corpo).into_response()
}

async fn processos(State(app): State<AppState>, s: Sessao) -> Response {
    let op = match exigir(&s, "consulta") {
        Ok(o) => o,
        Err(r) => return r,
    };
    let lista = match persus_store::processos::processos(&app.db, Some(&op), i64::MAX, 500).await {
        Ok(l) => l,
        Err(e) => return falha(e),
    };
    let corpo = html! {
        table.persus {
            caption.sr-only { "Processos da operadora" }
            thead { tr { th scope="col" { "NUP" } th scope="col" { "ABI" } th scope="col" { "Instaurado em" } th scope="col" .num { "Atendimentos" } th scope="col" .num { "Valor" } } }
            tbody {
                @for p in &lista {
                    tr {
                        td { a href=(format!("/processos/{}", p.nup)) { (p.nup) } }
                        td { (p.abi_numero) }
                        td { (data(p.instaurado_em.date_naive())) }
                        td.num { (p.atendimentos) }
                        td.num { (reais(p.valor_centavos)) }
                    }
                }
            }
        }
    };
    pagina(&app, &s, "/processos", "Processos", corpo).into_response()
}

async fn processo(State(app): State<AppState>, s: Sessao, Path(nup): Path<String>) -> Response {
    let op = match exigir(&s, "consulta") {
        Ok(o) => o,
        Err(r) => return r,
    };
    let p = match persus_store::processos::por_nup(&app.db, &nup, Some(&op)).await {
        Ok(Some(p)) => p,
        Ok(None) => return nao_encontrado(&format!("O processo {nup}")),
        Err(e) => return falha(e),
    };
    let notificacoes = persus_store::processos::notificacoes_do_processo(&app.db, p.id)
        .await
        .unwrap_or_default();
    let atendimentos = persus_store::historico::buscar(
        &app.db,
        &persus_store::historico::Filtro {
            operadora: Some(op.clone()),
            processo: Some(p.nup.clone()),
            limite: 1000,
            ..Default::default()
        },
    )
    .await
    .unwrap_or_default();
    let pode_impugnar = atendimentos.iter().any(|a| a.estado == "notificado");
    let pode_recorrer = atendimentos
        .iter()
        .any(|a| a.estado == "mantido" || a.estado == "retificado");
    let corpo = html! {
        p { "ABI " (p.abi_numero) " · instaurado em " (data(p.instaurado_em.date_naive())) " · " (p.atendimentos) " atendimentos · " (reais(p.valor_centavos)) }
        @if s.pode("peticionar") {
            p {
                @if pode_impugnar { a.br-button.primary href=(format!("/peticoes/nova?processo={}&tipo=impugnacao", p.nup)) { "Impugnar atendimentos" } " " }
                @if pode_recorrer { a.br-button.primary href=(format!("/peticoes/nova?processo={}&tipo=recurso", p.nup)) { "Recorrer" } }
            }
        }
        h2 { "Notificações" }
        table.persus {
            thead { tr { th scope="col" { "Notificação" } th scope="col" { "Tipo" } th scope="col" { "Disponibilizada" } th scope="col" { "Ciência" } th scope="col" { "Prazo até" } } }
            tbody {
                @for n in &notificacoes {
                    tr {
                        td { a href=(format!("/notificacoes/{}", n.id)) { (n.id) } }
                        td { (n.tipo.replace('_', " ")) }
                        td { (data(n.disponibilizada_em)) }
                        td { (n.ciencia_em.map(data).unwrap_or_else(|| "pendente".to_owned())) " " (n.ciencia_forma.clone().unwrap_or_default()) }
                        td { (n.vencimento.map(data).unwrap_or_default()) }
                    }
                }
            }
        }
        h2 { "Atendimentos" }
        (tabela_atendimentos(&atendimentos))
    };
    pagina(
        &app,
        &s,
        "/processos",
        &format!("Processo {}", p.nup),
        corpo,
    )
    .into_response()
}

fn tabela_atendimentos(lista: &[persus_store::historico::Resumo]) -> Markup {
    html! {
        table.persus {
            thead { tr { th scope="col" { "Número" } th scope="col" { "Tipo" } th scope="col" { "Competência" } th scope="col" { "Situação" } th scope="col" .num { "Valor" } th scope="col" { "Prazo do Ofício" } } }
            tbody {
                @for a in lista {
                    tr {
                        td { a href=(format!("/atendimentos/{}", a.numero)) { (a.numero) } }
                        td { (a.tipo) }
                        td { (format!("{}/{}", a.competencia.get(4..).unwrap_or(""), a.competencia.get(..4).unwrap_or(""))) }
                        td { (estado_pt(&a.estado)) }
                        td.num { (reais(a.valor_devido_centavos.unwrap_or(a.valor_ressarcimento_centavos))) }
                        td { (a.prazo_impugnacao.map(data).unwrap_or_default()) }
                    }
                }
            }
        }
    }
}

async fn notificacao(State(app): State<AppState>, s: Sessao, Path(id): Path<i64>) -> Response {
    let op = match exigir(&s, "consulta") {
        Ok(o) => o,
        Err(r) => return r,
    };
    let r = RelogioSistema;
    let c = match crate::servicos::ciencia::registrar_expressa(
        &app.db,
        id,
        &op,
        &s.usuario.login,
        r.hoje(),
        r.agora(),
        &CalendarioAns::padrao(),
        &PrazosVigentes::padrao(),
        &s.ator(),
    )
    .await
    {
        Ok(c) => c,
        Err(crate::servicos::ServicoError::Regra(_)) => {
            return nao_encontrado(&format!("A notificação {id}"))
        }
        Err(e) => return falha(e),
    };
    let n = match persus_store::processos::notificacao(&app.db, id).await {
        Ok(n) => n,
        Err(e) => return falha(e),
    };
    let nup = persus_store::peticoes::nup(&app.db, n.processo_id)
        .await
        .ok()
        .flatten()
        .unwrap_or_default();
    let conteudo: serde_json::Value = persus_store::processos::conteudo_notificacao(&app.db, id)
        .await
        .ok()
        .flatten()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
    let corpo = html! {
        div.br-message.success role="status" {
            div.content { span.message-body {
                @if c.registrada_agora { "Ciência registrada agora (" (data(c.ciencia_em)) ")." } @else { "Ciência já registrada em " (data(c.ciencia_em)) " (" (c.forma) ")." }
                @if let Some(v) = c.vencimento { " Prazo até " strong { (data(v)) } "." }
            } }
        }
        p { "Processo " a href=(format!("/processos/{nup}")) { (nup) } " · disponibilizada em " (data(n.disponibilizada_em)) }
        @if let Some(v) = conteudo.get("valor_total_centavos").and_then(|v| v.as_i64()) {
            p { "Valor total do Ofício: " strong { (reais(v)) } " · " (conteudo["atendimentos"]) " atendimento(s)" }
        }
        @if let Some(r) = conteudo.get("resultado").and_then(|r| r.as_str()) {
            p { "Resultado: " strong { (r.replace('_', " ")) } }
        }
        @if let Some(f) = conteudo.get("fundamentacao").and_then(|r| r.as_str()) {
            p { "Fundamentação: " (f) }
        }
        p { a.br-button.secondary href=(format!("/processos/{nup}")) { "Ver o processo e seus atendimentos" } }
    };
    pagina(&app, &s, "/painel", &format!("Notificação {id}"), corpo).into_response()
}

#[derive(Debug, Default, Deserialize)]
pub struct FiltroWeb {
    pub abi: Option<String>,
    pub processo: Option<String>,
    pub estado: Option<String>,
    pub competencia: Option<String>,
    pub formato: Option<String>,
}

async fn atendimentos(
    State(app): State<AppState>,
    s: Sessao,
    Query(f): Query<FiltroWeb>,
) -> Response {
    let op = match exigir(&s, "consulta") {
        Ok(o) => o,
        Err(r) => return r,
    };
    let limpo = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|x| !x.is_empty())
            .map(str::to_owned)
    };
    let mut erros = Vec::new();
    let abi = match limpo(&f.abi) {
        Some(a) => match a.parse::<i32>() {
            Ok(n) => Some(n),
            Err(_) => {
                erros.push((
                    "abi",
                    format!("ABI \"{a}\" inválido: informe o número (ex.: 101)"),
                ));
                None
            }
        },
        None => None,
    };
    let competencia = limpo(&f.competencia);
    if let Some(c) = &competencia {
        if persus_domain::ids::Competencia::parse(c).is_err() {
            erros.push((
                "competencia",
                format!("competência \"{c}\" inválida: use AAAAMM (ex.: 202501)"),
            ));
        }
    }
    let filtro = persus_store::historico::Filtro {
        operadora: Some(op.clone()),
        abi,
        processo: limpo(&f.processo),
        estado: limpo(&f.estado),
        competencia,
        limite: if f.formato.as_deref() == Some("csv") {
            200_000
        } else {
            500
        },
        ..Default::default()
    };
    let lista = if erros.is_empty() {
        match persus_store::historico::buscar(&app.db, &filtro).await {
            Ok(l) => l,
            Err(e) => return falha(e),
        }
    } else {
        Vec::new()
    };
    if f.formato.as_deref() == Some("csv") && erros.is_empty() {
        let mut w = csv::WriterBuilder::new()
            .delimiter(b';')
            .from_writer(Vec::new());
        let _ = w.write_record([
            "numero",
            "tipo",
            "competencia",
            "abi",
            "processo",
            "situacao",
            "valor_reais",
            "prazo_oficio",
        ]);
        for a in &lista {
            let _ = w.write_record([
                a.numero.as_str(),
                &a.tipo,
                &a.competencia,
                &a.abi.map(|x| x.to_string()).unwrap_or_default(),
                &a.processo.clone().unwrap_or_default(),
                &a.estado,
                &Centavos::new(
                    a.valor_devido_centavos
                        .unwrap_or(a.valor_ressarcimento_centavos),
                )
                .to_decimal_string()
                .replace('.', ","),
                &a.prazo_impugnacao.map(data).unwrap_or_default(),
            ]);
        }
        return crate::anexo::resposta(
            "text/csv; charset=utf-8",
            &format!("atendimentos-{op}.csv"),
            w.into_inner().unwrap_or_default(),
        );
    }
    let erro_de = |campo: &str| {
        erros
            .iter()
            .find(|(c, _)| *c == campo)
            .map(|(_, m)| m.clone())
    };
    let estados = [
        "",
        "aguardando_ciencia",
        "notificado",
        "impugnado",
        "anulado",
        "retificado",
        "mantido",
        "em_recurso",
        "em_dicol",
        "devido",
    ];
    let consulta = format!(
        "abi={}&processo={}&estado={}&competencia={}",
        super::urlencode(f.abi.as_deref().unwrap_or("")),
        super::urlencode(f.processo.as_deref().unwrap_or("")),
        super::urlencode(f.estado.as_deref().unwrap_or("")),
        super::urlencode(f.competencia.as_deref().unwrap_or("")),
    );
    let corpo = html! {
        form method="get" action="/atendimentos" {
            div.row {
                div."col-sm-3" { div.br-input {
                    label for="abi" { "ABI" }
                    input id="abi" name="abi" value=(f.abi.clone().unwrap_or_default()) inputmode="numeric" aria-describedby=[erro_de("abi").map(|_| "erro-abi")];
                    @if let Some(m) = erro_de("abi") { span.campo-erro id="erro-abi" role="alert" { (m) } }
                } }
                div."col-sm-3" { div.br-input {
                    label for="processo" { "Processo (NUP)" }
                    input id="processo" name="processo" value=(f.processo.clone().unwrap_or_default());
                } }
                div."col-sm-3" { div.br-input {
                    label for="estado" { "Situação" }
                    select id="estado" name="estado" {
                        @for e in estados {
                            option value=(e) selected[f.estado.as_deref() == Some(e)] { (if e.is_empty() { "todas" } else { estado_pt(e) }) }
                        }
                    }
                } }
                div."col-sm-3" { div.br-input {
                    label for="competencia" { "Competência (AAAAMM)" }
                    input id="competencia" name="competencia" value=(f.competencia.clone().unwrap_or_default()) aria-describedby=[erro_de("competencia").map(|_| "erro-competencia")];
                    @if let Some(m) = erro_de("competencia") { span.campo-erro id="erro-competencia" role="alert" { (m) } }
                } }
            }
            p.mt-3 {
                button.br-button.primary type="submit" { "Buscar" }
                " "
                a.br-button.secondary href=(format!("/atendimentos?{consulta}&formato=csv")) { "Exportar CSV" }
            }
        }
        p { (lista.len()) " atendimento(s)" @if lista.len() == 500 { " — mostrando os 500 primeiros; refine os filtros ou exporte o CSV" } }
        (tabela_atendimentos(&lista))
    };
    pagina(&app, &s, "/atendimentos", "Atendimentos", corpo).into_response()
}

async fn atendimento(
    State(app): State<AppState>,
    s: Sessao,
    Path(numero): Path<String>,
) -> Response {
    let op = match exigir(&s, "consulta") {
        Ok(o) => o,
        Err(r) => return r,
    };
    let h = match crate::servicos::historico::consultar(&app.db, &numero, Some(&op)).await {
        Ok(Some(h)) => h,
        Ok(None) => return nao_encontrado(&format!("O atendimento {numero}")),
        Err(e) => return falha(e),
    };
    if !app.api.registrar_acesso_web(
        s.usuario.organizacao_id,
        &s.usuario.login,
        "atendimento",
        &numero,
    ) {
        return erro(
            StatusCode::SERVICE_UNAVAILABLE,
            "Sobrecarga",
            "Tente de novo em alguns segundos.",
        );
    }
    let a = &h.atendimento;
    let corpo = html! {
        p { strong { (estado_pt(&a.estado)) } " · " (h.situacao) }
        div.cartoes {
            div.cartao { div { "Valor SUS" } div.valor { (reais(a.valor_sus_centavos)) } }
            div.cartao { div { "Valor de ressarcimento" } div.valor { (reais(a.valor_ressarcimento_centavos)) } small { (a.regra_valoracao) } }
            @if let Some(v) = a.valor_devido_centavos { div.cartao { div { "Valor devido" } div.valor { (reais(v)) } } }
        }
        dl {
            dt { "Processo" } dd { @if let Some(n) = &a.nup { a href=(format!("/processos/{n}")) { (n) } } @else { "—" } }
            dt { "Competência" } dd { (a.competencia) }
            dt { "Internação/atendimento" } dd { (data(a.data_inicio)) " a " (data(a.data_fim)) " (" (a.carater) ")" }
            dt { "Estabelecimento (CNES)" } dd { (a.cnes) }
            dt { "Beneficiário" } dd { (a.beneficiario_nome) " — CNS " (a.beneficiario_cns) ", nascido(a) em " (data(a.beneficiario_nascimento)) }
        }
        h2 { "Linha do tempo" }
        ol.linha-tempo {
            @for e in &h.linha_do_tempo {
                li { strong { (data(e.data)) } " — " (e.descricao) }
            }
        }
        @if !h.documentos.is_empty() {
            h2 { "Documentos" }
            ul { @for d in &h.documentos { li { (d.nome_arquivo) " (" (d.tamanho / 1024) " KB, SHA-256 " code { (d.sha256.get(..16).unwrap_or("")) "…" } ")" } } }
        }
        @if !h.decisoes.is_empty() {
            h2 { "Decisões" }
            table.persus {
                thead { tr { th scope="col" { "Instância" } th scope="col" { "Resultado" } th scope="col" { "Em" } th scope="col" { "Fundamentação" } } }
                tbody { @for d in &h.decisoes { tr { td { (d.instancia) } td { (d.resultado) } td { (data(d.decidido_em.date_naive())) } td { (d.fundamentacao) } } } }
            }
        }
    };
    pagina(
        &app,
        &s,
        "/atendimentos",
        &format!("Atendimento {numero}"),
        corpo,
    )
    .into_response()
}

#[derive(Deserialize)]
pub struct NovaPeticaoQ {
    pub processo: String,
    pub tipo: Option<String>,
}

async fn nova_peticao(
    State(app): State<AppState>,
    s: Sessao,
    Query(q): Query<NovaPeticaoQ>,
) -> Response {
    let op = match exigir(&s, "peticionar") {
        Ok(o) => o,
        Err(r) => return r,
    };
    form_peticao(
        &app,
        &s,
        &op,
        &q.processo,
        q.tipo.as_deref().unwrap_or("impugnacao"),
        &FormPeticao::default(),
        &[],
    )
    .await
}

#[derive(Debug, Default)]
struct FormPeticao {
    atendimentos: Vec<String>,
    motivo: String,
    fundamentacao: String,
    auditor: String,
    /// Editing a saved draft: its id and the documents it already has (kept).
    rascunho: Option<i64>,
    documentos: Vec<i64>,
}

async fn form_peticao(
    app: &AppState,
    s: &Sessao,
    op: &str,
    nup: &str,
    tipo: &str,
    valores: &FormPeticao,
    erros: &[(String, String)],
) -> Response {
    let p = match persus_store::processos::por_nup(&app.db, nup, Some(op)).await {
        Ok(Some(p)) => p,
        Ok(None) => return nao_encontrado(&format!("O processo {nup}")),
        Err(e) => return falha(e),
    };
    let estados: &[&str] = if tipo == "recurso" {
        &["mantido", "retificado"]
    } else {
        &["notificado"]
    };
    let elegiveis: Vec<_> = persus_store::historico::buscar(
        &app.db,
        &persus_store::historico::Filtro {
            operadora: Some(op.to_owned()),
            processo: Some(p.nup.clone()),
            limite: 1000,
            ..Default::default()
        },
    )
    .await
    .unwrap_or_default()
    .into_iter()
    .filter(|a| estados.contains(&a.estado.as_str()))
    .collect();
    let anexados: Vec<String> = if valores.documentos.is_empty() {
        Vec::new()
    } else {
        persus_store::peticoes::documentos_da_operadora(&app.db, op)
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|d| valores.documentos.contains(&d.id))
            .map(|d| format!("nº {} {}", d.id, d.nome_arquivo))
            .collect()
    };
    let mut motivos: Vec<_> = catalogo().into_values().collect();
    motivos.sort_by(|a, b| a.codigo.cmp(&b.codigo));
    let erro_de = |campo: &str| {
        erros
            .iter()
            .find(|(c, _)| c == campo)
            .map(|(_, m)| m.clone())
    };
    let titulo = if tipo == "recurso" {
        "Recurso"
    } else {
        "Impugnação"
    };
    let corpo = html! {
        p { "Processo " a href=(format!("/processos/{nup}")) { (nup) } }
        @if !erros.is_empty() {
            div.br-message.danger role="alert" id="erros" {
                div.content { span.message-title { "A petição não foi protocolada. " } span.message-body { "Corrija os campos indicados abaixo." } }
            }
        }
        form method="post" action="/peticoes" enctype="multipart/form-data" {
            input type="hidden" name="csrf" value=(s.csrf);
            input type="hidden" name="processo" value=(nup);
                        input type="hidden" name="tipo" value=(tipo);
            @if let Some(r) = valores.rascunho { input type="hidden" name="rascunho" value=(r); }
            fieldset {
                legend { "Atendimentos" }
                @if elegiveis.is_empty() { p { "Nenhum atendimento deste processo está no prazo para esta petição." } }
                @for a in &elegiveis {
                    div.br-checkbox {
                        input type="checkbox" id=(format!("at-{}", a.numero)) name="atendimentos" value=(a.numero) checked[valores.atendimentos.contains(&a.numero)];
                        label for=(format!("at-{}", a.numero)) { (a.numero) " — " (reais(a.valor_devido_centavos.unwrap_or(a.valor_ressarcimento_centavos))) }
                    }
                }
                @if let Some(m) = erro_de("atendimentos") { span.campo-erro role="alert" { (m) } }
            }
            div.br-select.mt-3 {
                label for="motivo" { "Motivo" }
                select id="motivo" name="motivo" required aria-describedby="motivos-ajuda" {
                    option value="" { "Escolha o motivo" }
                    @for m in &motivos {
                        option value=(m.codigo) selected[valores.motivo == m.codigo] { (m.codigo) " — " (m.nome) }
                    }
                }
                @if let Some(m) = erro_de("motivo") { span.campo-erro role="alert" { (m) } }
            }
            details id="motivos-ajuda" {
                summary { "Documentos exigidos por motivo" }
                ul { @for m in &motivos { li { strong { (m.codigo) } " " (m.nome) ": " (m.documentos.join("; ")) @if m.exige_auditor() { " — técnico: assinatura do auditor" } } } }
            }
            div.br-textarea.mt-3 {
                label for="fundamentacao" { "Fundamentação" }
                textarea id="fundamentacao" name="fundamentacao" rows="5" required minlength="20" { (valores.fundamentacao) }
                @if let Some(m) = erro_de("fundamentacao") { span.campo-erro role="alert" { (m) } }
            }
            div.br-input.mt-3 {
                label for="auditor" { "Auditor (motivos técnicos: nome e registro do profissional)" }
                input id="auditor" name="auditor" value=(valores.auditor);
            }
            div.persus-upload.mt-3 {
                label for="documentos" { "Documentos de prova (PDF, até 10 MB cada, até 5 arquivos)" }
                                @if !valores.documentos.is_empty() {
                    p { "Já anexados a este rascunho (mantidos): " (anexados.join(", ")) ". Anexe outros se precisar." }
                }
                input id="documentos" name="documentos" type="file" accept="application/pdf,.pdf" multiple required[valores.documentos.is_empty()] aria-describedby="documentos-ajuda";
                p id="documentos-ajuda" { small { "Somente PDF completo e sem senha. O limite é verificado antes de gravar." } }
                @if let Some(m) = erro_de("documentos") { span.campo-erro role="alert" { (m) } }
            }
            p.mt-3 { button.br-button.primary type="submit" { "Salvar e revisar" } }
        }
    };
    pagina(
        app,
        s,
        "/processos",
        &format!("{titulo} — processo {nup}"),
        corpo,
    )
    .into_response()
}

async fn protocolar(State(app): State<AppState>, s: Sessao, mut m: Multipart) -> Response {
    let op = match exigir(&s, "peticionar") {
        Ok(o) => o,
        Err(r) => return r,
    };
    let mut csrf = String::new();
    let mut nup = String::new();
    let mut tipo = "impugnacao".to_owned();
    let mut v = FormPeticao::default();
    let mut arquivos: Vec<(String, Bytes)> = Vec::new();
    let mut erros: Vec<(String, String)> = Vec::new();
    while let Ok(Some(campo)) = m.next_field().await {
        let nome = campo.name().unwrap_or("").to_owned();
        let arquivo = campo.file_name().map(str::to_owned);
        let Ok(bytes) = campo.bytes().await else {
            erros.push((
                "documentos".into(),
                "envio interrompido ou acima do limite; envie de novo".into(),
            ));
            break;
        };
        let texto = || String::from_utf8_lossy(&bytes).into_owned();
        match nome.as_str() {
            "csrf" => csrf = texto(),
            "processo" => nup = texto(),
            "tipo" => tipo = texto(),
            "atendimentos" => v.atendimentos.push(texto()),
            "motivo" => v.motivo = texto(),
            "fundamentacao" => v.fundamentacao = texto(),
            "auditor" => v.auditor = texto(),
            "rascunho" => v.rascunho = texto().parse().ok(),
            "documentos" => {
                if let Some(a) = arquivo.filter(|a| !a.is_empty()) {
                    arquivos.push((a, bytes));
                }
            }
            _ => {}
        }
    }
    if let Err(r) = s.conferir(&csrf) {
        return r;
    }
    // Editing a draft: it must be this operator's, still a draft; its documents are kept.
    if let Some(id) = v.rascunho {
        match crate::servicos::rascunhos::carregar(&app.db, &op, id).await {
            Ok(r) => v.documentos = r.pedido.documentos,
            Err(crate::servicos::ServicoError::Regra(_)) => {
                return nao_encontrado(&format!("O rascunho {id}"))
            }
            Err(e) => return falha(e),
        }
    }
    if v.atendimentos.is_empty() {
        erros.push((
            "atendimentos".into(),
            "marque ao menos um atendimento".into(),
        ));
    }
    if v.motivo.is_empty() {
        erros.push(("motivo".into(), "escolha o motivo".into()));
    }
    if v.fundamentacao.trim().chars().count() < 20 {
        erros.push((
            "fundamentacao".into(),
            "escreva a fundamentação (ao menos 20 caracteres)".into(),
        ));
    }
    if arquivos.is_empty() && v.documentos.is_empty() {
        erros.push(("documentos".into(), "anexe ao menos um PDF".into()));
    }
    if arquivos.len() > 5 {
        erros.push((
            "documentos".into(),
            format!("{} arquivos: envie até 5", arquivos.len()),
        ));
    }
    for (a, b) in &arquivos {
        if let Err(msg) = crate::servicos::documentos::validar_pdf_em_segundo_plano(a, b).await {
            erros.push(("documentos".into(), format!("{a}: {msg}")));
        }
    }
    if !erros.is_empty() {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            form_peticao(&app, &s, &op, &nup, &tipo, &v, &erros).await,
        )
            .into_response();
    }
    let arm = ArmazenamentoLocal {
        raiz: app.raiz_documentos.clone(),
    };
    let mut ids = v.documentos.clone();
    for (a, b) in &arquivos {
        match enviar(&app.db, &arm, &op, a, b, &s.usuario.login, Utc::now()).await {
            Ok(d) => ids.push(d.id),
            Err(e) => return falha(e),
        }
    }
    let pedido = Pedido {
        tipo: if tipo == "recurso" {
            TipoPeticao::Recurso
        } else {
            TipoPeticao::Impugnacao
        },
        processo: nup.clone(),
        atendimentos: v.atendimentos.clone(),
        motivo: v.motivo.clone(),
        fundamentacao: v.fundamentacao.clone(),
        auditor: Some(v.auditor.clone()).filter(|a| !a.trim().is_empty()),
        documentos: ids,
    };
    // Saved as a draft first: the person reviews it, then protocols (or comes back later).
    match crate::servicos::rascunhos::salvar(
        &app.db,
        &op,
        v.rascunho,
        &pedido,
        Utc::now(),
        &s.ator(),
    )
    .await
    {
        Ok(r) => Redirect::to(&format!("/rascunhos/{}", r.id)).into_response(),
        Err(crate::servicos::ServicoError::Regra(m)) => {
            let erros = vec![("motivo".to_owned(), m)];
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                form_peticao(&app, &s, &op, &nup, &tipo, &v, &erros).await,
            )
                .into_response()
        }
        Err(e) => falha(e),
    }
}

async fn rascunho(State(app): State<AppState>, s: Sessao, Path(id): Path<i64>) -> Response {
    let op = match exigir(&s, "peticionar") {
        Ok(o) => o,
        Err(r) => return r,
    };
    let r = match crate::servicos::rascunhos::carregar(&app.db, &op, id).await {
        Ok(r) => r,
        Err(crate::servicos::ServicoError::Regra(_)) => {
            return nao_encontrado(&format!("O rascunho {id}"))
        }
        Err(e) => return falha(e),
    };
    let docs = persus_store::peticoes::documentos_da_operadora(&app.db, &op)
        .await
        .unwrap_or_default();
    let motivo = catalogo()
        .get(&r.pedido.motivo)
        .map(|m| m.nome.clone())
        .unwrap_or_default();
    let p = &r.pedido;
    let corpo = html! {
        div.br-message.info role="status" {
            div.content { span.message-body { "Rascunho salvo. Confira e protocole: o prazo é verificado no momento do protocolo. Você pode sair e voltar a este rascunho pelo painel." } }
        }
        dl id="revisao" {
            dt { "Tipo" } dd { (p.tipo.as_str()) }
            dt { "Processo" } dd { a href=(format!("/processos/{}", p.processo)) { (p.processo) } }
            dt { "Atendimentos" } dd { (p.atendimentos.join(", ")) }
            dt { "Motivo" } dd { (p.motivo) " — " (motivo) }
            dt { "Fundamentação" } dd { (p.fundamentacao) }
            @if let Some(a) = &p.auditor { dt { "Auditor" } dd { (a) } }
            dt { "Documentos" } dd { ul { @for d in docs.iter().filter(|d| p.documentos.contains(&d.id)) { li { "nº " (d.id) " — " (d.nome_arquivo) " (" (d.tamanho / 1024) " KB)" } } } }
        }
        form.inline method="post" action=(format!("/rascunhos/{id}/protocolar")) {
            input type="hidden" name="csrf" value=(s.csrf);
            button.br-button.primary type="submit" { "Protocolar" }
        }
        " "
                a.br-button.secondary href=(format!("/rascunhos/{id}/editar")) { "Editar" }
        " "
        form.inline method="post" action=(format!("/rascunhos/{id}/descartar")) {
            input type="hidden" name="csrf" value=(s.csrf);
            button.br-button.secondary type="submit" { "Descartar rascunho" }
        }
    };
    pagina(
        &app,
        &s,
        "/processos",
        &format!(
            "Revisão — {}",
            if p.tipo == TipoPeticao::Recurso {
                "recurso"
            } else {
                "impugnação"
            }
        ),
        corpo,
    )
    .into_response()
}

async fn protocolar_rascunho(
    State(app): State<AppState>,
    s: Sessao,
    Path(id): Path<i64>,
    Form(f): Form<super::SoCsrf>,
) -> Response {
    let op = match exigir(&s, "peticionar") {
        Ok(o) => o,
        Err(r) => return r,
    };
    if let Err(r) = s.conferir(&f.csrf) {
        return r;
    }
    let r = RelogioSistema;
    match crate::servicos::rascunhos::protocolar(
        &app.db,
        &op,
        id,
        r.hoje(),
        r.agora(),
        &CalendarioAns::padrao(),
        &PrazosVigentes::padrao(),
        &s.ator(),
    )
    .await
    {
        Ok(recibo) => Redirect::to(&format!("/peticoes/{}", recibo.protocolo)).into_response(),
        Err(crate::servicos::ServicoError::Regra(m)) => erro(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Petição não protocolada",
            &m,
        ),
        Err(e) => falha(e),
    }
}

async fn descartar_rascunho(
    State(app): State<AppState>,
    s: Sessao,
    Path(id): Path<i64>,
    Form(f): Form<super::SoCsrf>,
) -> Response {
    let op = match exigir(&s, "peticionar") {
        Ok(o) => o,
        Err(r) => return r,
    };
    if let Err(r) = s.conferir(&f.csrf) {
        return r;
    }
    match crate::servicos::rascunhos::descartar(&app.db, &op, id, Utc::now(), &s.ator()).await {
        Ok(()) => Redirect::to("/painel").into_response(),
        Err(crate::servicos::ServicoError::Regra(m)) => erro(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Rascunho não descartado",
            &m,
        ),
        Err(e) => falha(e),
    }
}

async fn recibo(State(app): State<AppState>, s: Sessao, Path(protocolo): Path<String>) -> Response {
    let op = match exigir(&s, "consulta") {
        Ok(o) => o,
        Err(r) => return r,
    };
    let p = match persus_store::peticoes::por_protocolo(&app.db, &protocolo, Some(&op)).await {
        Ok(Some(p)) if p.estado == "protocolada" => p,
        Ok(_) => return nao_encontrado(&format!("A petição {protocolo}")),
        Err(e) => return falha(e),
    };
    let nup = persus_store::peticoes::nup(&app.db, p.processo_id)
        .await
        .ok()
        .flatten()
        .unwrap_or_default();
    let numeros = persus_store::peticoes::numeros_da_peticao(&app.db, p.id)
        .await
        .unwrap_or_default();
    let docs = persus_store::peticoes::documentos_de(&app.db, p.id)
        .await
        .unwrap_or_default();
    let corpo = html! {
        div.br-message.success role="status" {
            div.content { span.message-title { "Petição protocolada. " } span.message-body { "Guarde o número do protocolo." } }
        }
        dl id="recibo" {
            dt { "Protocolo" } dd { strong { (protocolo) } }
            dt { "Tipo" } dd { (p.tipo) }
            dt { "Protocolada em" } dd { (p.protocolada_em.map(|t| t.with_timezone(&chrono_tz::America::Sao_Paulo).format("%d/%m/%Y %H:%M").to_string()).unwrap_or_default()) " (Brasília)" }
            dt { "Processo" } dd { a href=(format!("/processos/{nup}")) { (nup) } }
            dt { "Atendimentos" } dd { (numeros.join(", ")) }
            dt { "Documentos" } dd { ul { @for d in &docs { li { "nº " span.doc-id { (d.id) } " — " (d.nome_arquivo) " — SHA-256 " code { (d.sha256) } } } } }
        }
    };
    pagina(&app, &s, "/processos", "Recibo de protocolo", corpo).into_response()
}

async fn novo_lote(State(app): State<AppState>, s: Sessao) -> Response {
    if let Err(r) = exigir(&s, "peticionar") {
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

fn form_lote(s: &Sessao, erro: Option<&str>) -> Markup {
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

async fn modelo_csv(s: Sessao) -> Response {
    if s.operadora.is_none() {
        return proibido();
    }
    crate::anexo::resposta(
        "text/csv; charset=utf-8",
        "modelo-lote.csv",
        format!("{CABECALHO_LOTE}\nimpugnacao;33910.000001/2026-00;1234567890123|1234567890124;ADM01;Beneficiário excluído do plano antes do atendimento.;;12\n").into_bytes(),
    )
}

async fn validar_lote(State(app): State<AppState>, s: Sessao, mut m: Multipart) -> Response {
    let op = match exigir(&s, "peticionar") {
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

async fn conferir_lote(app: &AppState, s: &Sessao, op: &str, texto: &str) -> Response {
    let (pedidos, mut erros) = match ler_lote_csv(texto) {
        Ok(p) => (p, Vec::new()),
        Err(e) => (Vec::new(), e),
    };
    if erros.is_empty() {
        let r = RelogioSistema;
        match crate::servicos::peticoes::validar_lote(
            &app.db,
            op,
            &pedidos,
            r.hoje(),
            &CalendarioAns::padrao(),
            &PrazosVigentes::padrao(),
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
            Err(e) => return falha(e),
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

async fn enviar_lote(State(app): State<AppState>, s: Sessao, Form(f): Form<EnvioLote>) -> Response {
    let op = match exigir(&s, "peticionar") {
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
    let r = RelogioSistema;
    // Checked again now (time passes): with any error, nothing is queued.
    match crate::servicos::peticoes::validar_lote(
        &app.db,
        &op,
        &pedidos,
        r.hoje(),
        &CalendarioAns::padrao(),
        &PrazosVigentes::padrao(),
    )
    .await
    {
        Ok(e) if e.is_empty() => {}
        Ok(_) => return conferir_lote(&app, &s, &op, &f.planilha).await,
        Err(e) => return falha(e),
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
        Err(e) => falha(e),
    }
}

async fn lote(State(app): State<AppState>, s: Sessao, Path(id): Path<i64>) -> Response {
    let op = match exigir(&s, "consulta") {
        Ok(o) => o,
        Err(r) => return r,
    };
    let l = match persus_store::lotes::lote(&app.db, id, &op).await {
        Ok(Some(l)) => l,
        Ok(None) => return nao_encontrado(&format!("O lote {id}")),
        Err(e) => return falha(e),
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
            script src=(super::estatico::url("recarregar.js")) data-recarregar="2000" {}
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

async fn cobranca(State(app): State<AppState>, s: Sessao) -> Response {
    let op = match exigir(&s, "financeiro") {
        Ok(o) => o,
        Err(r) => return r,
    };
    let hoje = RelogioSistema.hoje();
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

async fn emitir_gru(State(app): State<AppState>, s: Sessao, body: Bytes) -> Response {
    let op = match exigir(&s, "financeiro") {
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
    let r = RelogioSistema;
    let selic = match crate::servicos::cobranca::tabela_selic(&app.db).await {
        Ok(t) => t,
        Err(e) => return falha(e),
    };
    let r = crate::servicos::cobranca::emitir_gru(
        &app.db,
        &op,
        &ids,
        &[],
        r.hoje(),
        &CalendarioAns::padrao(),
        &selic,
        &s.ator(),
        r.agora(),
    )
    .await;
    pagina_da_gru(&app, &s, "GRU emitida", r)
}

async fn gru_pdf(State(app): State<AppState>, s: Sessao, Path(numero): Path<String>) -> Response {
    let op = match exigir(&s, "financeiro") {
        Ok(o) => o,
        Err(r) => return r,
    };
    let g = match persus_store::cobranca::gru(&app.db, &numero, Some(&op)).await {
        Ok(Some(g)) => g,
        Ok(None) => return nao_encontrado(&format!("A GRU {numero}")),
        Err(e) => return falha(e),
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

async fn simular_parcelamento(
    State(app): State<AppState>,
    s: Sessao,
    body: axum::extract::RawQuery,
) -> Response {
    let op = match exigir(&s, "financeiro") {
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
    let hoje = RelogioSistema.hoje();
    let selic = match crate::servicos::cobranca::tabela_selic(&app.db).await {
        Ok(t) => t,
        Err(e) => return falha(e),
    };
    let mut tx = match app.db.begin().await {
        Ok(t) => t,
        Err(e) => return falha(e),
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
            &CalendarioAns::padrao(),
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

async fn conta(State(app): State<AppState>, s: Sessao) -> Response {
    pagina_conta(&app, &s, None).await
}

/// Applications active for the organization, with their ids (for webhooks).
async fn apps_ativas(app: &AppState, s: &Sessao) -> Vec<(i64, String, String)> {
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

async fn pagina_conta(app: &AppState, s: &Sessao, aviso: Option<Markup>) -> Response {
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
            tbody { @for p in &pessoas { tr { td { (p.login) } td { (p.nome) } td { (p.papel.replace('_', " ")) } td { (p.permissoes) } } } }
        }
        details.mt-2 { summary { "Cadastrar pessoa" }
            form method="post" action="/conta/usuarios" {
                input type="hidden" name="csrf" value=(s.csrf);
                div.br-input { label for="u-login" { "Login" } input id="u-login" name="login" required minlength="3"; }
                div.br-input.mt-2 { label for="u-nome" { "Nome" } input id="u-nome" name="nome" required; }
                div.br-select.mt-2 { label for="u-papel" { "Papel" } select id="u-papel" name="papel" {
                    option value="usuario" { "usuário" } option value="auditor" { "auditor (assina petições técnicas)" }
                    @if s.usuario.papel == "representante_legal" { option value="gestor" { "gestor da conta" } }
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

fn aviso_ok(texto: &str) -> Markup {
    html! { div.br-message.success role="status" { div.content { span.message-body { (texto) } } } }
}

fn aviso_segredo(titulo: &str, nome: &str, valor: &str) -> Markup {
    html! {
        div.br-message.warning role="alert" {
            div.content { span.message-title { (titulo) " Guarde agora: não será mostrado de novo. " }
                span.message-body { (nome) " " code id="segredo" { (valor) } } }
        }
    }
}

fn campos(body: &Bytes) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes(body).unwrap_or_default()
}

fn um(p: &[(String, String)], k: &str) -> String {
    p.iter()
        .find(|(c, _)| c == k)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

fn varios(p: &[(String, String)], k: &str) -> Vec<String> {
    p.iter()
        .filter(|(c, _)| c == k)
        .map(|(_, v)| v.clone())
        .collect()
}

/// Runs a manager's action and shows the account page with its outcome.
async fn depois(
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
        Err(e) => falha(e),
    }
}

async fn registrar_aplicacao(State(app): State<AppState>, s: Sessao, body: Bytes) -> Response {
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

async fn acao_aplicacao(
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
async fn app_da_organizacao(
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

async fn criar_webhook(State(app): State<AppState>, s: Sessao, body: Bytes) -> Response {
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
async fn webhook_da_organizacao(
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
async fn webhook_do_formulario(
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

async fn teste_webhook(
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

async fn cancelar_webhook(
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

async fn entregas_webhook(State(app): State<AppState>, s: Sessao, Path(id): Path<i64>) -> Response {
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

async fn criar_usuario(State(app): State<AppState>, s: Sessao, body: Bytes) -> Response {
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

async fn delegar(State(app): State<AppState>, s: Sessao, body: Bytes) -> Response {
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

async fn revogar_delegacao(
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

async fn pedir_parcelamento(State(app): State<AppState>, s: Sessao, body: Bytes) -> Response {
    let op = match exigir(&s, "financeiro") {
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
    let r = RelogioSistema;
    let selic = match crate::servicos::cobranca::tabela_selic(&app.db).await {
        Ok(t) => t,
        Err(e) => return falha(e),
    };
    match crate::servicos::cobranca::solicitar_parcelamento(
        &app.db,
        &op,
        &ids,
        n,
        campo("confissao") == "sim",
        r.hoje(),
        &CalendarioAns::padrao(),
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
        Err(e) => falha(e),
    }
}

async fn parcelamento(State(app): State<AppState>, s: Sessao, Path(id): Path<i64>) -> Response {
    let op = match exigir(&s, "financeiro") {
        Ok(o) => o,
        Err(r) => return r,
    };
    let (p, parcelas) = match persus_store::cobranca::parcelamento(&app.db, id, Some(&op)).await {
        Ok(Some(x)) => x,
        Ok(None) => return nao_encontrado(&format!("O parcelamento {id}")),
        Err(e) => return falha(e),
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

async fn gru_da_parcela(
    State(app): State<AppState>,
    s: Sessao,
    Path((id, n)): Path<(i64, i32)>,
    Form(f): Form<super::SoCsrf>,
) -> Response {
    let op = match exigir(&s, "financeiro") {
        Ok(o) => o,
        Err(r) => return r,
    };
    if let Err(r) = s.conferir(&f.csrf) {
        return r;
    }
    let r = RelogioSistema;
    let selic = match crate::servicos::cobranca::tabela_selic(&app.db).await {
        Ok(t) => t,
        Err(e) => return falha(e),
    };
    let r = crate::servicos::cobranca::emitir_gru_parcela(
        &app.db,
        &op,
        id,
        n,
        r.hoje(),
        &CalendarioAns::padrao(),
        &selic,
        &s.ator(),
        r.agora(),
    )
    .await;
    pagina_da_gru(&app, &s, "GRU da parcela", r)
}

async fn abis(State(app): State<AppState>, s: Sessao) -> Response {
    let op = match exigir(&s, "consulta") {
        Ok(o) => o,
        Err(r) => return r,
    };
    let lista = persus_store::abis::listar(&app.db)
        .await
        .unwrap_or_default();
    let meus = persus_store::processos::processos(&app.db, Some(&op), i64::MAX, 10_000)
        .await
        .unwrap_or_default();
    let corpo = html! {
        table.persus {
            thead { tr { th scope="col" { "ABI" } th scope="col" { "Tipo" } th scope="col" { "Trimestre" } th scope="col" { "Lançamento" } th scope="col" { "Situação" } th scope="col" { "Seu processo" } } }
            tbody { @for a in lista.iter().rev() { tr {
                td { (a.numero) } td { (a.tipo) } td { (a.trimestre) } td { (data(a.data_lancamento)) } td { (a.estado) }
                td { @for p in meus.iter().filter(|p| p.abi_numero == a.numero) { a href=(format!("/processos/{}", p.nup)) { (p.nup) } " (" (p.atendimentos) " atend., " (reais(p.valor_centavos)) ")" } }
            } } }
        }
    };
    pagina(&app, &s, "/abis", "ABIs", corpo).into_response()
}

async fn decisoes(State(app): State<AppState>, s: Sessao) -> Response {
    let op = match exigir(&s, "consulta") {
        Ok(o) => o,
        Err(r) => return r,
    };
    let feed = persus_store::processos::feed(&app.db, Some(&op), 0, 100_000)
        .await
        .unwrap_or_default();
    let decisoes: Vec<_> = feed
        .iter()
        .filter(|n| n.tipo != "oficio_abi")
        .rev()
        .collect();
    let corpo = html! {
        p { "Notificações de decisão, da mais recente. Abrir registra a ciência e mostra o prazo de recurso quando couber." }
        table.persus {
            thead { tr { th scope="col" { "Notificação" } th scope="col" { "Processo" } th scope="col" { "Tipo" } th scope="col" { "Disponibilizada" } th scope="col" { "Ciência" } th scope="col" { "Prazo de recurso" } } }
            tbody { @for n in decisoes.iter().take(500) { tr {
                td { a href=(format!("/notificacoes/{}", n.id)) { (n.id) } }
                td { a href=(format!("/processos/{}", n.processo)) { (n.processo) } }
                td { (if n.tipo == "decisao_primeira_instancia" { "decisão de 1ª instância" } else { "decisão de recurso" }) }
                td { (data(n.disponibilizada_em)) }
                td { (n.ciencia_em.map(data).unwrap_or_else(|| "pendente".into())) }
                td { (n.vencimento.map(data).unwrap_or_default()) }
            } } }
        }
    };
    pagina(&app, &s, "/decisoes", "Decisões", corpo).into_response()
}

async fn editar_rascunho(State(app): State<AppState>, s: Sessao, Path(id): Path<i64>) -> Response {
    let op = match exigir(&s, "peticionar") {
        Ok(o) => o,
        Err(r) => return r,
    };
    let r = match crate::servicos::rascunhos::carregar(&app.db, &op, id).await {
        Ok(r) => r,
        Err(crate::servicos::ServicoError::Regra(_)) => {
            return nao_encontrado(&format!("O rascunho {id}"))
        }
        Err(e) => return falha(e),
    };
    let p = r.pedido;
    let valores = FormPeticao {
        atendimentos: p.atendimentos,
        motivo: p.motivo,
        fundamentacao: p.fundamentacao,
        auditor: p.auditor.unwrap_or_default(),
        rascunho: Some(id),
        documentos: p.documentos,
    };
    form_peticao(
        &app,
        &s,
        &op,
        &p.processo,
        if p.tipo == TipoPeticao::Recurso {
            "recurso"
        } else {
            "impugnacao"
        },
        &valores,
        &[],
    )
    .await
}

/// The page after a GRU is issued (of debts or of an instalment), or why it was not.
fn pagina_da_gru(
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
        Err(e) => falha(e),
    }
}
