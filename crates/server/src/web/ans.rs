//! Pages of ANS staff: dashboard, analysis queues and decisions (by role), ABI schedule and
//! publication, finance (GRUs, payments, return import, CADIN), productivity, audit trail.

use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use maud::html;
use serde::Deserialize;

use super::layout::{barras, pagina};
use super::{data, erro, indisponivel, proibido, reais, Sessao};
use crate::api::ans::NovaDecisao;
use crate::app::AppState;
use crate::servicos::decisoes::{decidir, fila, Instancia};
use persus_domain::acesso::Papel;

pub fn rotas() -> Router<AppState> {
    Router::new()
        .route("/ans/filas/{instancia}", get(pagina_fila))
        .route("/ans/atribuicoes", post(atribuir))
        .route("/ans/decisoes", post(decidir_web))
        .route("/ans/abis", get(abis))
        .route("/ans/abis/{numero}/publicacao", post(publicar))
        .route("/ans/financeiro", get(financeiro))
        .route(
            "/ans/financeiro/retorno",
            post(importar_retorno).layer(axum::extract::DefaultBodyLimit::max(64 * 1024 * 1024)),
        )
        .route("/ans/produtividade", get(produtividade))
        .route("/ans/auditoria", get(auditoria))
        .route("/ans/operadoras", get(operadoras).post(habilitar))
        .route("/ans/abis/agendar", post(agendar_abi))
}

fn instancia(nome: &str) -> Option<(Instancia, &'static [Papel], &'static str)> {
    match nome {
        "primeira" => Some((
            Instancia::Primeira,
            &[Papel::Analista],
            "1ª instância — impugnações",
        )),
        "admissibilidade" => Some((
            Instancia::Admissibilidade,
            &[Papel::Diretor],
            "Admissibilidade e reconsideração — recursos",
        )),
        "dicol" => Some((Instancia::Dicol, &[Papel::Dicol], "2ª instância — DICOL")),
        _ => None,
    }
}

fn resultados(nome: &str) -> &'static [(&'static str, &'static str)] {
    match nome {
        "primeira" => &[
            ("indeferida", "Indeferida (mantém o valor)"),
            ("deferida", "Deferida (anula)"),
            (
                "parcialmente_deferida",
                "Parcialmente deferida (novo valor)",
            ),
        ],
        "admissibilidade" => &[
            ("encaminhado_dicol", "Mantida — encaminhar à DICOL"),
            ("reconsiderado_total", "Reconsiderada totalmente"),
            (
                "reconsiderado_parcial",
                "Reconsiderada em parte (novo valor)",
            ),
            ("nao_conhecido", "Recurso não conhecido"),
        ],
        _ => &[
            ("nao_provido", "Não provido"),
            ("provido", "Provido"),
            ("parcialmente_provido", "Parcialmente provido (novo valor)"),
        ],
    }
}

pub async fn painel(app: &AppState, s: &Sessao) -> Response {
    let mut cartoes = Vec::new();
    for (nome, rotulo) in [
        ("primeira", "Impugnações a decidir"),
        ("admissibilidade", "Recursos (admissibilidade)"),
        ("dicol", "Na DICOL"),
    ] {
        let Some((i, _, _)) = instancia(nome) else {
            continue;
        };
        let n = fila(&app.db, i, 100_000)
            .await
            .map(|f| f.len())
            .unwrap_or(0);
        cartoes.push((nome, rotulo, n));
    }
    let abis = persus_store::abis::listar(&app.db)
        .await
        .unwrap_or_default();
    let proximos: Vec<_> = abis.iter().filter(|a| a.estado != "publicado").collect();
    let corpo = html! {
        div.cartoes {
            @for (nome, rotulo, n) in &cartoes {
                div.cartao { div { (rotulo) } div.valor { (n) } a href=(format!("/ans/filas/{nome}")) { "Abrir a fila" } }
            }
        }
        h2 { "Próximos ABIs" }
        @if proximos.is_empty() { p { "Nenhum ABI agendado." } }
        ul { @for a in &proximos { li { (a.numero) "º ABI (" (a.tipo) ", " (a.trimestre) ") — " (data(a.data_lancamento)) ", " (a.estado) } } }
    };
    pagina(app, s, "/painel", "Painel da ANS", corpo).into_response()
}

#[derive(Debug, Default, Deserialize)]
pub struct FiltroFila {
    pub operadora: Option<String>,
    pub abi: Option<String>,
}

async fn pagina_fila(
    State(app): State<AppState>,
    s: Sessao,
    Path(nome): Path<String>,
    Query(f): Query<FiltroFila>,
) -> Response {
    let Some((inst, papeis, titulo)) = instancia(&nome) else {
        return super::nao_encontrado("A fila");
    };
    if !s.papel_ans(papeis) {
        return proibido();
    }
    let itens = match fila(&app.db, inst, 2000).await {
        Ok(i) => i,
        Err(e) => return indisponivel(e),
    };
    let op = f
        .operadora
        .as_deref()
        .map(str::trim)
        .filter(|x| !x.is_empty());
    let itens: Vec<_> = itens
        .into_iter()
        .filter(|i| op.is_none_or(|o| i.operadora == o))
        .collect();
    let ids: Vec<i64> = itens.iter().take(300).map(|i| i.id).collect();
    let atribuidos = persus_store::contas::atribuicoes(&app.db, &ids)
        .await
        .unwrap_or_default();
    let corpo = html! {
        nav aria-label="Filas" { p {
            a href="/ans/filas/primeira" aria-current=[(nome == "primeira").then_some("page")] { "1ª instância" } " · "
            a href="/ans/filas/admissibilidade" aria-current=[(nome == "admissibilidade").then_some("page")] { "Admissibilidade" } " · "
            a href="/ans/filas/dicol" aria-current=[(nome == "dicol").then_some("page")] { "DICOL" }
        } }
        form method="get" action=(format!("/ans/filas/{nome}")) {
            div.br-input { label for="operadora" { "Operadora (registro ANS)" } input id="operadora" name="operadora" value=(op.unwrap_or("")) inputmode="numeric"; }
            p.mt-2 { button.br-button.secondary type="submit" { "Filtrar" } }
        }
        p { (itens.len()) " atendimento(s) na fila, mais antigos primeiro. Casos idênticos podem ser decididos juntos; parciais, um a um." }
        form method="post" action="/ans/decisoes" {
            input type="hidden" name="csrf" value=(s.csrf);
            input type="hidden" name="instancia" value=(nome);
            table.persus {
                thead { tr { th scope="col" { "Decidir" } th scope="col" { "Atendimento" } th scope="col" { "Operadora" } th scope="col" .num { "Valor" } th scope="col" { "Com" } } }
                tbody {
                    @for i in itens.iter().take(300) {
                        tr {
                            td { input type="checkbox" name="atendimentos" value=(i.numero) id=(format!("f-{}", i.numero)) aria-label=(format!("Atendimento {}", i.numero)); }
                            td { label for=(format!("f-{}", i.numero)) { (i.numero) } }
                            td { (i.operadora) }
                            td.num { (reais(i.valor_devido_centavos.unwrap_or(i.valor_ressarcimento_centavos))) }
                            td { (atribuidos.iter().find(|(a, _)| *a == i.id).map(|(_, l)| l.as_str()).unwrap_or("—")) }
                        }
                    }
                }
            }
            fieldset.mt-3 {
                legend { "Decisão — " (titulo) }
                @for (valor, rotulo) in resultados(&nome) {
                    div.br-radio { input type="radio" id=(format!("r-{valor}")) name="resultado" value=(valor) required; label for=(format!("r-{valor}")) { (rotulo) } }
                }
            }
            div.br-input.mt-2 { label for="novo_valor" { "Novo valor (R$), para resultados parciais" } input id="novo_valor" name="novo_valor" placeholder="1.234,56"; }
            div.br-input.mt-2 { label for="motivo" { "Motivo do não conhecimento (se for o caso)" } input id="motivo" name="motivo"; }
            div.br-textarea.mt-2 { label for="fundamentacao" { "Fundamentação" } textarea id="fundamentacao" name="fundamentacao" rows="4" required minlength="10" {} }
            p.mt-3 {
                button.br-button.primary type="submit" { "Publicar decisão" }
                " "
                button.br-button.secondary type="submit" formaction="/ans/atribuicoes" formnovalidate { "Atribuir os marcados a mim" }
            }
        }
    };
    pagina(
        &app,
        &s,
        "/ans/filas/primeira",
        &format!("Fila: {titulo}"),
        corpo,
    )
    .into_response()
}

fn pares(body: &Bytes) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes(body).unwrap_or_default()
}

fn campo(p: &[(String, String)], k: &str) -> String {
    p.iter()
        .find(|(c, _)| c == k)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

async fn atribuir(State(app): State<AppState>, s: Sessao, body: Bytes) -> Response {
    if !s.papel_ans(&[Papel::Analista, Papel::Diretor, Papel::Dicol]) {
        return proibido();
    }
    let p = pares(&body);
    if let Err(r) = s.conferir(&campo(&p, "csrf")) {
        return r;
    }
    let numeros: Vec<String> = p
        .iter()
        .filter(|(k, _)| k == "atendimentos")
        .map(|(_, v)| v.clone())
        .collect();
    let ids: Vec<i64> = persus_store::historico::ids_por_numero(&app.db, &numeros)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|(_, id)| id)
        .collect();
    if let Err(e) =
        persus_store::contas::atribuir(&app.db, &ids, &s.usuario.login, chrono::Utc::now()).await
    {
        return indisponivel(e);
    }
    // Back to the queue the form came from, if it names one.
    let nome = campo(&p, "instancia");
    let fila = if instancia(&nome).is_some() {
        nome
    } else {
        "primeira".to_owned()
    };
    Redirect::to(&super::seguranca::destino_seguro(Some(&format!(
        "/ans/filas/{fila}"
    ))))
    .into_response()
}

async fn decidir_web(State(app): State<AppState>, s: Sessao, body: Bytes) -> Response {
    let p = pares(&body);
    let nome = campo(&p, "instancia");
    let Some((inst, papeis, _)) = instancia(&nome) else {
        return super::nao_encontrado("A fila");
    };
    if !s.papel_ans(papeis) {
        return proibido();
    }
    if let Err(r) = s.conferir(&campo(&p, "csrf")) {
        return r;
    }
    let numeros: Vec<String> = p
        .iter()
        .filter(|(k, _)| k == "atendimentos")
        .map(|(_, v)| v.clone())
        .collect();
    let novo = campo(&p, "novo_valor");
    let novo_valor = if novo.trim().is_empty() {
        None
    } else {
        match persus_domain::money::Centavos::parse_brl(&novo) {
            Ok(c) => Some(c.value()),
            Err(e) => {
                return erro(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "Decisão não publicada",
                    &format!("Novo valor: {e}"),
                )
            }
        }
    };
    let d = NovaDecisao {
        instancia: nome.clone(),
        resultado: campo(&p, "resultado"),
        atendimentos: numeros.clone(),
        fundamentacao: campo(&p, "fundamentacao"),
        novo_valor_centavos: novo_valor,
        motivo: Some(campo(&p, "motivo")).filter(|m| !m.trim().is_empty()),
    };
    if numeros.is_empty() {
        return erro(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Decisão não publicada",
            "Marque ao menos um atendimento da fila.",
        );
    }
    let ev = match crate::api::ans::evento(&d) {
        Ok(e) => e,
        Err(m) => {
            return erro(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Decisão não publicada",
                &m,
            )
        }
    };
    let ids: Vec<i64> = match persus_store::historico::ids_por_numero(&app.db, &numeros).await {
        Ok(v) => v.into_iter().map(|(_, id)| id).collect(),
        Err(e) => return indisponivel(e),
    };
    let r = &*app.relogio;
    match decidir(
        &app.db,
        inst,
        &ids,
        &ev,
        &d.fundamentacao,
        r.hoje(),
        r.agora(),
        &app.regras.calendario,
        &app.regras.prazos,
        &s.ator(),
    )
    .await
    {
        Ok(res) => {
            let corpo = html! {
                div.br-message.success role="status" { div.content { span.message-body {
                    "Decisão publicada para " (res.atendimentos) " atendimento(s); " (res.notificacoes.len()) " notificação(ões) às operadoras."
                } } }
                p { a.br-button.secondary href=(format!("/ans/filas/{nome}")) { "Voltar à fila" } }
            };
            pagina(&app, &s, "/ans/filas/primeira", "Decisão publicada", corpo).into_response()
        }
        Err(crate::servicos::ServicoError::Regra(m)) => erro(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Decisão não publicada",
            &m,
        ),
        Err(e) => indisponivel(e),
    }
}

async fn abis(State(app): State<AppState>, s: Sessao) -> Response {
    if !s.papel_ans(&[]) {
        return proibido();
    }
    let lista = persus_store::abis::listar(&app.db)
        .await
        .unwrap_or_default();
    let hoje = app.relogio.hoje();
    let publicando = lista.iter().any(|a| a.estado == "publicando");
    let corpo = html! {
        @if publicando { script src=(super::estatico::url("recarregar.js")) data-recarregar="3000" {} div.br-message.info role="status" aria-live="polite" { div.content { span.message-body { "Publicação em andamento; esta página se atualiza sozinha." } } } }
        table.persus {
            thead { tr { th scope="col" { "ABI" } th scope="col" { "Tipo" } th scope="col" { "Trimestre" } th scope="col" { "Lançamento" } th scope="col" { "Situação" } th scope="col" { "Ação" } } }
            tbody { @for a in &lista { tr {
                td { (a.numero) } td { (a.tipo) } td { (a.trimestre) } td { (data(a.data_lancamento)) } td { (a.estado) }
                td { @if a.estado != "publicado" && a.data_lancamento <= hoje {
                    form.inline method="post" action=(format!("/ans/abis/{}/publicacao", a.numero)) {
                        input type="hidden" name="csrf" value=(s.csrf);
                        button.br-button.primary.small type="submit" { "Publicar" }
                    }
                } }
            } } }
        }
    };
    let corpo = html! {
        (corpo)
        h2 { "Agendar ABI" }
        form method="post" action="/ans/abis/agendar" {
            input type="hidden" name="csrf" value=(s.csrf);
            div.row {
                div."col-sm-3" { div.br-input { label for="a-numero" { "Número" } input id="a-numero" name="numero" required inputmode="numeric"; } }
                div."col-sm-3" { div.br-select { label for="a-tipo" { "Tipo" } select id="a-tipo" name="tipo" { option { "AIH" } option { "APAC" } } } }
                div."col-sm-3" { div.br-input { label for="a-tri" { "Trimestre de atendimento" } input id="a-tri" name="trimestre" required placeholder="1T2026"; } }
                div."col-sm-3" { div.br-input { label for="a-lanc" { "Lançamento (dd/mm/aaaa)" } input id="a-lanc" name="lancamento" required; } }
            }
            p.mt-2 { button.br-button.primary type="submit" { "Agendar" } }
        }
    };
    pagina(&app, &s, "/ans/abis", "ABIs — agenda e publicação", corpo).into_response()
}

async fn publicar(
    State(app): State<AppState>,
    s: Sessao,
    Path(numero): Path<i32>,
    body: Bytes,
) -> Response {
    if !s.papel_ans(&[]) {
        return proibido();
    }
    if let Err(r) = s.conferir(&campo(&pares(&body), "csrf")) {
        return r;
    }
    let ator = s.ator();
    let db = app.db.clone();
    tokio::spawn(async move {
        let r = crate::servicos::publicacao::publicar(
            &db,
            numero,
            crate::servicos::publicacao::UNIDADE_PADRAO,
            &*app.relogio,
            &ator,
            crate::servicos::publicacao::Falha::default(),
        )
        .await;
        if let Err(e) = r {
            tracing::error!(abi = numero, error = %e, "ABI publication stopped; run it again to resume");
        }
    });
    Redirect::to("/ans/abis").into_response()
}

async fn financeiro(State(app): State<AppState>, s: Sessao) -> Response {
    if !s.papel_ans(&[Papel::Financeiro]) {
        return proibido();
    }
    let meses = persus_store::cobranca::arrecadacao_por_mes(&app.db)
        .await
        .unwrap_or_default();
    let grafico: Vec<_> = meses
        .iter()
        .rev()
        .take(12)
        .rev()
        .map(|(m, _, v)| (m.clone(), *v, reais(*v)))
        .collect();
    let abertos = persus_store::cobranca::debitos_abertos(&app.db)
        .await
        .unwrap_or_default();
    let cadin: Vec<_> = abertos
        .iter()
        .filter(|d| d.cadin_incluido_em.is_some() && d.cadin_excluido_em.is_none())
        .collect();
    let grus = persus_store::cobranca::grus_recentes(&app.db, 50)
        .await
        .unwrap_or_default();
    let pagamentos = persus_store::cobranca::pagamentos_recentes(&app.db, 50)
        .await
        .unwrap_or_default();
    let parcelamentos = persus_store::cobranca::parcelamentos_no_estado(
        &app.db,
        persus_domain::cobranca::estados::EstadoParcelamento::Ativo,
        100,
    )
    .await
    .unwrap_or_default();
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
        table.persus {
            thead { tr { th scope="col" { "GRU" } th scope="col" { "Operadora" } th scope="col" { "Vencimento" } th scope="col" .num { "Valor" } th scope="col" { "Situação" } } }
            tbody { @for g in &grus { tr { td { (g.numero) } td { (g.operadora) } td { (data(g.vencimento)) } td.num { (reais(g.valor_centavos)) } td { (g.estado) } } } }
        }
        h2 { "Pagamentos recentes" }
        table.persus {
            thead { tr { th scope="col" { "Nosso número" } th scope="col" { "Pago em" } th scope="col" .num { "Valor" } th scope="col" { "Conciliação" } } }
            tbody { @for p in &pagamentos { tr { td { (p.nosso_numero) } td { (data(p.pago_em)) } td.num { (reais(p.valor_centavos)) } td { (p.situacao) ": " (p.observacao) } } } }
        }
        h2 { "Parcelamentos ativos" }
        table.persus {
            thead { tr { th scope="col" { "Parcelamento" } th scope="col" { "Operadora" } th scope="col" { "Concedido" } th scope="col" .num { "Consolidado" } th scope="col" .num { "Parcelas" } } }
            tbody { @for p in &parcelamentos { tr { td { (p.id) } td { (p.operadora) } td { (data(p.concedido_em)) } td.num { (reais(p.consolidado_centavos)) } td.num { (p.parcelas) } } } }
        }
        h2 { "No CADIN" }
        table.persus {
            thead { tr { th scope="col" { "Operadora" } th scope="col" { "Processo" } th scope="col" .num { "Valor" } th scope="col" { "Aviso" } th scope="col" { "Inclusão" } } }
            tbody { @for d in cadin.iter().take(200) { tr { td { (d.operadora) } td { (d.nup) } td.num { (reais(d.valor_centavos)) } td { (d.cadin_aviso_em.map(data).unwrap_or_default()) } td { (d.cadin_incluido_em.map(data).unwrap_or_default()) } } } }
        }
    };
    pagina(&app, &s, "/ans/financeiro", "Financeiro", corpo).into_response()
}

async fn importar_retorno(State(app): State<AppState>, s: Sessao, mut m: Multipart) -> Response {
    if !s.papel_ans(&[Papel::Financeiro]) {
        return proibido();
    }
    let (mut csrf, mut arquivo) = (String::new(), None);
    while let Ok(Some(c)) = m.next_field().await {
        let nome = c.name().unwrap_or("").to_owned();
        let fname = c.file_name().unwrap_or("retorno.ret").to_owned();
        let Ok(b) = c.bytes().await else { break };
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
    match crate::servicos::cobranca::importar_retorno(
        &app.db,
        &nome,
        &b,
        &s.ator(),
        chrono::Utc::now(),
    )
    .await
    {
        Ok(r) => {
            let corpo = html! {
                div.br-message.success role="status" { div.content { span.message-body {
                    @if r.ja_importado { "Este arquivo já tinha sido importado: nada mudou. " }
                    (r.conciliados) " conciliado(s), " (r.divergentes) " divergente(s), " (r.sem_gru) " sem GRU, " (r.gru_inativa) " com GRU inativa."
                } } }
                table.persus {
                    thead { tr { th scope="col" { "Linha" } th scope="col" { "GRU" } th scope="col" .num { "Pago" } th scope="col" { "Situação" } } }
                    tbody { @for i in &r.itens { tr { td { (i.linha) } td { (i.gru.clone().unwrap_or_default()) } td.num { (reais(i.valor_pago_centavos)) } td { (i.situacao) ": " (i.observacao) } } } }
                }
            };
            pagina(&app, &s, "/ans/financeiro", "Retorno importado", corpo).into_response()
        }
        Err(crate::servicos::ServicoError::Regra(m)) => erro(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Retorno não importado",
            &m,
        ),
        Err(e) => indisponivel(e),
    }
}

async fn produtividade(State(app): State<AppState>, s: Sessao) -> Response {
    if !s.ans() {
        return proibido();
    }
    let linhas = persus_store::historico::decisoes_por_mes(&app.db)
        .await
        .unwrap_or_default();
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
        table.persus {
            thead { tr { th scope="col" { "Mês" } th scope="col" { "Instância" } th scope="col" .num { "Decisões" } } }
            tbody { @for (m, i, n) in linhas.iter().rev().take(60) { tr { td { (m) } td { (i) } td.num { (n) } } } }
        }
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

async fn auditoria(
    State(app): State<AppState>,
    s: Sessao,
    Query(f): Query<FiltroAuditoria>,
) -> Response {
    if !s.papel_ans(&[]) {
        return proibido();
    }
    let filtro = f.filtro.as_deref().map(str::trim).filter(|x| !x.is_empty());
    let eventos = persus_store::auditoria::ultimos(&app.db, filtro, 200)
        .await
        .unwrap_or_default();
    let corpo = html! {
        form method="get" action="/ans/auditoria" {
            div.br-input { label for="filtro" { "Ação ou identificador (prefixo)" } input id="filtro" name="filtro" value=(filtro.unwrap_or("")) placeholder="gru. ou 33910"; }
            p.mt-2 { button.br-button.secondary type="submit" { "Filtrar" } }
        }
        table.persus {
            thead { tr { th scope="col" { "#" } th scope="col" { "Quando (UTC)" } th scope="col" { "Quem" } th scope="col" { "Ação" } th scope="col" { "Entidade" } th scope="col" { "Hash" } } }
            tbody { @for e in &eventos { tr {
                td { (e.seq) } td { (e.instante.format("%d/%m/%Y %H:%M:%S")) } td { (e.ator) " (" (e.organizacao) ")" }
                td { (e.acao) } td { (e.entidade) " " (e.entidade_id) } td { code { (e.hash.get(..12).unwrap_or("")) } }
            } } }
        }
        p { small { "A cadeia inteira é verificada por " code { "persus audit verify" } "." } }
    };
    pagina(&app, &s, "/ans/auditoria", "Trilha de auditoria", corpo).into_response()
}

async fn operadoras(State(app): State<AppState>, s: Sessao) -> Response {
    if !s.papel_ans(&[]) {
        return proibido();
    }
    pagina(
        &app,
        &s,
        "/ans/operadoras",
        "Operadoras — primeiro acesso",
        form_habilitar(&s, None),
    )
    .into_response()
}

fn form_habilitar(s: &Sessao, aviso: Option<maud::Markup>) -> maud::Markup {
    html! {
        @if let Some(a) = aviso { (a) }
        p { "Habilite o primeiro acesso do representante legal de uma operadora do cadastro da ANS, depois de conferir a representação (o equivalente à verificação do e-CNPJ). O código vale 7 dias e é mostrado uma única vez: envie-o por canal oficial." }
        form method="post" action="/ans/operadoras" {
            input type="hidden" name="csrf" value=(s.csrf);
            div.br-input { label for="registro" { "Registro ANS" } input id="registro" name="registro" required inputmode="numeric" maxlength="6"; }
            div.br-input.mt-2 { label for="login" { "Login do representante" } input id="login" name="login" required placeholder="rep.123456"; }
            div.br-input.mt-2 { label for="nome" { "Nome do representante legal" } input id="nome" name="nome" required; }
            p.mt-2 { button.br-button.primary type="submit" { "Habilitar primeiro acesso" } }
        }
    }
}

async fn habilitar(State(app): State<AppState>, s: Sessao, body: Bytes) -> Response {
    if !s.papel_ans(&[]) {
        return proibido();
    }
    let p = pares(&body);
    if let Err(r) = s.conferir(&campo(&p, "csrf")) {
        return r;
    }
    let r = crate::servicos::contas::habilitar_primeiro_acesso(
        &app.db,
        &s.usuario.login,
        &campo(&p, "registro"),
        &campo(&p, "login"),
        &campo(&p, "nome"),
        chrono::Utc::now(),
    )
    .await;
    let aviso = match r {
        Ok(codigo) => html! { div.br-message.warning role="alert" { div.content {
        span.message-title { "Primeiro acesso habilitado para " (campo(&p, "login")) ". " }
        span.message-body { "Código (mostrado uma vez): " code id="codigo" { (codigo) } } } } },
        Err(crate::servicos::ServicoError::Regra(m)) => {
            html! { div.br-message.danger role="alert" { div.content { span.message-body { (m) } } } }
        }
        Err(e) => return indisponivel(e),
    };
    pagina(
        &app,
        &s,
        "/ans/operadoras",
        "Operadoras — primeiro acesso",
        form_habilitar(&s, Some(aviso)),
    )
    .into_response()
}

async fn agendar_abi(State(app): State<AppState>, s: Sessao, body: Bytes) -> Response {
    if !s.papel_ans(&[]) {
        return proibido();
    }
    let p = pares(&body);
    if let Err(r) = s.conferir(&campo(&p, "csrf")) {
        return r;
    }
    let mut erros = Vec::new();
    let numero: Option<i32> = campo(&p, "numero").trim().parse().ok().filter(|n| *n > 0);
    if numero.is_none() {
        erros.push("número do ABI inválido".to_owned());
    }
    let tipo = campo(&p, "tipo");
    if !["AIH", "APAC"].contains(&tipo.as_str()) {
        erros.push("tipo: AIH ou APAC".to_owned());
    }
    let trimestre = campo(&p, "trimestre").trim().to_owned();
    if persus_domain::ids::Trimestre::parse(&trimestre).is_err() {
        erros.push(format!("trimestre \"{trimestre}\" inválido: use 1T2026"));
    }
    let lancamento = chrono::NaiveDate::parse_from_str(campo(&p, "lancamento").trim(), "%d/%m/%Y");
    if lancamento.is_err() {
        erros.push("data de lançamento inválida: use dd/mm/aaaa".to_owned());
    }
    if !erros.is_empty() {
        return erro(
            StatusCode::UNPROCESSABLE_ENTITY,
            "ABI não agendado",
            &erros.join("; "),
        );
    }
    let abi = persus_store::abis::Abi {
        numero: numero.unwrap_or_default(),
        tipo,
        trimestre,
        data_lancamento: lancamento.unwrap_or_default(),
        estado: "agendado".to_owned(),
        publicado_em: None,
    };
    let r = async {
        let mut tx = app.db.begin().await?;
        persus_store::abis::agendar(&mut tx, &abi).await?;
        persus_store::auditoria::registrar(
            &mut tx,
            &s.ator(),
            persus_store::auditoria::Mudanca {
                acao: "abi.agendado",
                entidade: "abi",
                entidade_id: &abi.numero.to_string(),
                antes: None,
                depois: serde_json::to_value(&abi).ok(),
            },
            chrono::Utc::now(),
        )
        .await?;
        tx.commit().await?;
        Ok::<(), persus_store::StoreError>(())
    }
    .await;
    match r {
        Ok(()) => Redirect::to("/ans/abis").into_response(),
        Err(persus_store::StoreError::Conflict(m)) => {
            erro(StatusCode::UNPROCESSABLE_ENTITY, "ABI não agendado", &m)
        }
        Err(e) => indisponivel(e),
    }
}
