//! Charging: debts, GRUs, instalments. Every POST answers 303 to a GET page that says what
//! happened (Post/Redirect/Get); the simulation is a GET without any token.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use maud::{html, Markup};
use persus_domain::cobranca::estados::{EstadoParcela, EstadoParcelamento};
use persus_domain::cobranca::Encargos;

use super::*;
use crate::app::AppState;
use crate::servicos::cobranca as servico;
use crate::servicos::cobranca::posicao::{self, DebitoNaPosicao};
use crate::servicos::ServicoError;
use crate::web::layout::pagina;
use crate::web::{data, falha, mensagens, reais, rotulos, Sessao};

/// `1234` hundredths of a percent → "12,34%".
fn percentual(centesimos: i64) -> String {
    format!("{},{:02}%", centesimos / 100, (centesimos % 100).abs())
}

/// The computation of a charge, readable without a mouse: principal, multa, SELIC and the
/// step-by-step record, in a disclosure.
fn calculo(e: &Encargos, resumo: Markup) -> Markup {
    html! {
        details.calculo {
            summary { (resumo) }
            dl {
                dt { "Principal" } dd { (e.principal.to_string()) }
                dt { "Multa (" (percentual(e.multa_percentual)) ")" } dd { (e.multa.to_string()) }
                dt { "Juros pela SELIC (" (percentual(e.juros_percentual)) ")" } dd { (e.juros.to_string()) }
                dt { "Total" } dd { strong { (e.total.to_string()) } }
            }
            ol { @for linha in &e.memoria { li { (linha) } } }
        }
    }
}

fn situacao_de_cobranca(d: &DebitoNaPosicao) -> &'static str {
    let d = &d.debito;
    if d.divida_ativa_em.is_some() {
        "encaminhado à dívida ativa"
    } else if d.cadin_incluido_em.is_some() && d.cadin_excluido_em.is_none() {
        "no CADIN"
    } else if d.cadin_aviso_em.is_some() {
        "aviso de inclusão no CADIN enviado"
    } else {
        "—"
    }
}

fn mensagem(classe: &str, texto: &str) -> Markup {
    let papel = if classe == "success" {
        "status"
    } else {
        "alert"
    };
    html! { div class=(format!("br-message {classe}")) role=(papel) { div.content { span.message-body { (texto) } } } }
}

pub(super) async fn cobranca(State(app): State<AppState>, s: Sessao) -> Response {
    pagina_cobranca(&app, &s, StatusCode::OK, None, &[]).await
}

/// The charging page; `aviso` on top (a refused GRU), `marcados` kept checked.
async fn pagina_cobranca(
    app: &AppState,
    s: &Sessao,
    status: StatusCode,
    aviso: Option<Markup>,
    marcados: &[i64],
) -> Response {
    let op = match exigir(s, Escopo::Financeiro) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let hoje = app.relogio.hoje();
    let dados = async {
        let selic = servico::tabela_selic(&app.db).await?;
        let p = posicao::posicao(&app.db, &op, hoje, &selic).await?;
        let grus = persus_store::cobranca::grus_da_operadora(&app.db, &op).await?;
        let pagamentos = persus_store::cobranca::pagamentos_da_operadora(&app.db, &op).await?;
        let parcelamentos =
            persus_store::cobranca::parcelamentos_da_operadora(&app.db, &op).await?;
        Ok::<_, ServicoError>((p, grus, pagamentos, parcelamentos))
    };
    let (p, grus, pagamentos, parcelamentos) = match dados.await {
        Ok(x) => x,
        Err(e) => return falha(e),
    };
    let avisos = mensagens::tomar(s);
    let corpo = html! {
        @for a in &avisos { (a) }
        @if let Some(a) = aviso { (a) }
        h2 { "Débitos em aberto" }
        p { "Total em aberto: " strong { (p.total_aberto.to_string()) } " de principal; "
            strong { (p.total_atualizado.to_string()) } " com multa e juros até hoje (" (data(hoje)) "). "
            "Abra o valor atualizado de um débito para ver o cálculo." }
        form method="post" action="/cobranca/grus" {
            input type="hidden" name="csrf" value=(s.csrf);
                table.persus {
                caption.sr-only { "Débitos em aberto" }
                thead { tr { th scope="col" { "Emitir" } th scope="col" { "Processo" } th scope="col" { "Vencimento" } th scope="col" .num { "Principal" } th scope="col" .num { "Atualizado hoje" } th scope="col" { "Cobrança" } } }
                tbody {
                    @for d in p.abertos() {
                        @let id = d.debito.id;
                        tr {
                            td { @if let Some(g) = &d.gru {
                                a href=(format!("/cobranca/grus/{g}")) { "na GRU " (g) }
                            } @else {
                                input type="checkbox" name="debitos" value=(id) id=(format!("deb-{id}")) checked[marcados.contains(&id)] aria-label=(format!("Débito do processo {}", rotulos::nup(&d.debito.nup)));
                            } }
                            td { label for=(format!("deb-{id}")) { (rotulos::nup(&d.debito.nup)) } }
                            td { (data(d.debito.vencimento)) }
                            td.num { (reais(d.debito.valor_centavos)) }
                            td.num { @match &d.encargos {
                                Some(Ok(e)) => (calculo(e, html! { (e.total.to_string()) })),
                                Some(Err(m)) => { "não calculado: " (m) },
                                None => "—",
                            } }
                            td { (situacao_de_cobranca(d)) }
                        }
                    }
                }
            }
            p.mt-3 {
                button.br-button.primary type="submit" { "Emitir GRU dos débitos marcados" }
                " "
                button.br-button.secondary type="submit" formaction="/cobranca/parcelamento" { "Simular parcelamento dos marcados" }
            }
        }
        h2 { "GRUs" }
        table.persus {
            caption.sr-only { "GRUs emitidas" }
            thead { tr { th scope="col" { "GRU" } th scope="col" { "Vencimento" } th scope="col" .num { "Valor" } th scope="col" { "Situação" } th scope="col" { "Linha digitável" } } }
            tbody { @for g in &grus { tr {
                td { a href=(format!("/cobranca/grus/{}", g.numero)) { (g.numero) } " · " a href=(format!("/cobranca/grus/{}/pdf", g.numero)) { "PDF" } }
                td { (data(g.vencimento)) } td.num { (reais(g.valor_centavos)) }
                td { (g.estado.rotulo_em(g.vencimento, hoje)) }
                td { code { (g.linha_digitavel) } }
            } } }
        }
        h2 { "Pagamentos" }
        table.persus {
            caption.sr-only { "Pagamentos" }
            thead { tr { th scope="col" { "Nosso número" } th scope="col" { "Pago em" } th scope="col" .num { "Valor" } th scope="col" { "Situação" } } }
            tbody { @for p in &pagamentos { tr { td { (p.nosso_numero) } td { (data(p.pago_em)) } td.num { (reais(p.valor_centavos)) } td { (p.situacao.rotulo()) ": " (p.observacao) } } } }
        }
        h2 { "Parcelamentos" }
        ul { @for p in &parcelamentos { li { a href=(format!("/cobranca/parcelamentos/{}", p.id)) { "Parcelamento " (p.id) } " — " (reais(p.consolidado_centavos)) " em " (p.parcelas) " parcelas, " (p.estado.rotulo()) } } }
        p { a href="/api/v1/extrato?formato=csv" { "Extrato em CSV pela API" } }
    };
    (status, pagina(app, s, "/cobranca", "Cobrança", corpo)).into_response()
}

/// What issuing a GRU or granting a parcelamento needs besides the request, the same for every
/// such form: the SELIC table in force and who acts (the day, instant and calendar come from the
/// application state).
struct Emissao {
    selic: persus_domain::cobranca::TabelaSelic,
    ator: persus_store::auditoria::Ator,
}

impl Emissao {
    async fn preparar(app: &AppState, s: &Sessao) -> Result<Emissao, ServicoError> {
        Ok(Emissao {
            selic: servico::tabela_selic(&app.db).await?,
            ator: s.ator(),
        })
    }

    fn contexto<'a>(&'a self, app: &'a AppState) -> servico::Contexto<'a> {
        servico::Contexto {
            hoje: app.relogio.hoje(),
            agora: app.relogio.agora(),
            calendario: &app.regras.calendario,
            selic: &self.selic,
            ator: &self.ator,
        }
    }
}

/// A charge form POSTed by someone with the finance permission, with its CSRF token checked:
/// the operator and the form's fields.
fn formulario_financeiro(
    s: &Sessao,
    body: &Bytes,
) -> Result<(String, Vec<(String, String)>), Response> {
    let op = exigir(s, Escopo::Financeiro)?;
    let p = campos(body);
    s.conferir(&um(&p, "csrf"))?;
    Ok((op, p))
}

/// The debts checked in a form.
fn ids_marcados(p: &[(String, String)]) -> Vec<i64> {
    varios(p, "debitos")
        .iter()
        .filter_map(|v| v.parse().ok())
        .collect()
}

pub(super) async fn emitir_gru(State(app): State<AppState>, s: Sessao, body: Bytes) -> Response {
    let (op, p) = match formulario_financeiro(&s, &body) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let ids = ids_marcados(&p);
    let emitida = async {
        let emissao = Emissao::preparar(&app, &s).await?;
        servico::emitir_gru(&app.db, &op, &ids, &[], &emissao.contexto(&app)).await
    };
    match emitida.await {
        Ok(g) => gru_emitida(&s, &g),
        Err(e @ (ServicoError::Regra(_) | ServicoError::Invalido(_))) => {
            let aviso = mensagem("danger", &format!("GRU não emitida: {e}."));
            pagina_cobranca(
                &app,
                &s,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(aviso),
                &ids,
            )
            .await
        }
        Err(e) => falha(e),
    }
}

/// After a GRU is issued: the outcome kept for the GRU's page, 303 to it.
fn gru_emitida(s: &Sessao, g: &persus_store::cobranca::Gru) -> Response {
    let texto = format!(
        "GRU {} emitida: {}, vencimento {}.",
        g.numero,
        reais(g.valor_centavos),
        data(g.vencimento)
    );
    mensagens::redirecionar(
        s,
        &format!("/cobranca/grus/{}", g.numero),
        mensagem("success", &texto),
    )
}

async fn gru_da_operadora(
    app: &AppState,
    op: &str,
    numero: &str,
) -> Result<persus_store::cobranca::Gru, ServicoError> {
    persus_store::cobranca::gru(&app.db, numero, Some(op))
        .await?
        .ok_or_else(|| ServicoError::NaoEncontrado(format!("A GRU {numero}")))
}

/// A GRU's page: amount, due date, state, linha digitável, the composition with its
/// computation, and the PDF.
pub(super) async fn gru(
    State(app): State<AppState>,
    s: Sessao,
    Path(numero): Path<String>,
) -> Response {
    let op = match exigir(&s, Escopo::Financeiro) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let (g, linhas) = match async {
        let g = gru_da_operadora(&app, &op, &numero).await?;
        let linhas = servico::composicao(&g)?;
        Ok::<_, ServicoError>((g, linhas))
    }
    .await
    {
        Ok(x) => x,
        Err(e) => return falha(e),
    };
    let hoje = app.relogio.hoje();
    let avisos = mensagens::tomar(&s);
    let corpo = html! {
        @for a in &avisos { (a) }
        dl {
            dt { "Valor" } dd { strong { (reais(g.valor_centavos)) } }
            dt { "Vencimento" } dd { (data(g.vencimento)) }
            dt { "Situação" } dd { (g.estado.rotulo_em(g.vencimento, hoje)) }
            dt { "Emitida em" } dd { (crate::web::rotulos::instante(g.emitida_em)) }
        }
        p { "Linha digitável: " code { (g.linha_digitavel) } }
        p { a.br-button.primary href=(format!("/cobranca/grus/{}/pdf", g.numero)) download { "Baixar a GRU (PDF)" } }
        h2 { "Composição do valor" }
        table.persus {
            caption.sr-only { "Composição do valor da GRU" }
            thead { tr { th scope="col" { "Processo" } th scope="col" .num { "Principal" } th scope="col" .num { "Multa" } th scope="col" .num { "Juros" } th scope="col" .num { "Total" } } }
            tbody { @for l in &linhas { tr {
                td { (rotulos::nup(&l.processo))
                    @if !l.memoria.is_empty() {
                        details.calculo { summary { "Como foi calculado" } ol { @for m in &l.memoria { li { (m) } } } }
                    }
                }
                td.num { (reais(l.principal)) } td.num { (reais(l.multa)) } td.num { (reais(l.juros)) } td.num { (reais(l.total)) }
            } } }
        }
        p { a href="/cobranca" { "Voltar à cobrança" } }
    };
    pagina(&app, &s, "/cobranca", &format!("GRU {}", g.numero), corpo).into_response()
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
    let homolog = app.ambiente == crate::config::Ambiente::Homologacao;
    let r = async {
        let g = gru_da_operadora(&app, &op, &numero).await?;
        crate::servicos::gru_pdf::documento(&app.db, &g, homolog).await
    };
    match r.await {
        Ok((nome, pdf)) => crate::anexo::resposta("application/pdf", &nome, pdf),
        Err(e) => falha(e),
    }
}

/// The simulation's address: the debts and the number of instalments, no token.
fn endereco_da_simulacao(ids: &[i64], parcelas: &str) -> String {
    let mut q: Vec<(&str, String)> = ids.iter().map(|i| ("debitos", i.to_string())).collect();
    if !parcelas.trim().is_empty() {
        q.push(("parcelas", parcelas.trim().to_owned()));
    }
    match serde_urlencoded::to_string(&q) {
        Ok(q) if !q.is_empty() => format!("/cobranca/parcelamento?{q}"),
        _ => "/cobranca/parcelamento".to_owned(),
    }
}

/// The charging page's "simulate" button posts its form (which carries the CSRF token for the
/// GRU); this answers 303 to the simulation's GET address, without the token.
pub(super) async fn ir_para_simulacao(s: Sessao, body: Bytes) -> Response {
    if let Err(r) = exigir(&s, Escopo::Financeiro) {
        return r;
    }
    let p = campos(&body);
    if let Err(r) = s.conferir(&um(&p, "csrf")) {
        return r;
    }
    Redirect::to(&endereco_da_simulacao(
        &ids_marcados(&p),
        &um(&p, "parcelas"),
    ))
    .into_response()
}

/// `GET /cobranca/parcelamento?debitos=…&parcelas=…`: simulates a plan. Changes nothing.
pub(super) async fn simular_parcelamento(
    State(app): State<AppState>,
    s: Sessao,
    RawQuery(q): RawQuery,
) -> Response {
    let op = match exigir(&s, Escopo::Financeiro) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let p = campos(&Bytes::from(q.unwrap_or_default()));
    let ids = ids_marcados(&p);
    // 12 instalments proposed when none asked; a number that does not read is said so.
    let pedido = um(&p, "parcelas").trim().to_owned();
    let n: Result<u32, String> = if pedido.is_empty() {
        Ok(12)
    } else {
        pedido
            .parse()
            .map_err(|_| format!("número de parcelas \"{pedido}\" inválido: informe de 1 a 60"))
    };
    let hoje = app.relogio.hoje();
    let simulacao = match &n {
        Err(m) => Err(ServicoError::campo("parcelas", m.clone())),
        Ok(n) => match servico::tabela_selic(&app.db).await {
            Ok(selic) => {
                posicao::simular(&app.db, &op, &ids, *n, hoje, &app.regras.calendario, &selic).await
            }
            Err(e) => Err(e),
        },
    };
    let simulacao = match simulacao {
        Err(ServicoError::Invalido(c)) => Err(c),
        Err(ServicoError::Regra(m)) => {
            Err(vec![crate::servicos::CampoInvalido::new("parcelas", m)])
        }
        Err(e) => return falha(e),
        Ok(x) => Ok(x),
    };
    let erros = simulacao.as_ref().err().cloned().unwrap_or_default();
    let valor_parcelas = if pedido.is_empty() {
        "12".to_owned()
    } else {
        pedido.clone()
    };
    let erro_parcelas: Vec<&str> = erros
        .iter()
        .filter(|c| c.campo == "parcelas")
        .map(|c| c.mensagem.as_str())
        .collect();
    let avisos = mensagens::tomar(&s);
    let corpo = html! {
        @for a in &avisos { (a) }
        @if !erros.is_empty() {
            div.br-message.danger role="alert" { div.content { span.message-body {
                "Simulação não feita: " (erros.iter().map(|c| c.mensagem.as_str()).collect::<Vec<_>>().join("; ")) "."
            } } }
        }
        form method="get" action="/cobranca/parcelamento" {
            @for id in &ids { input type="hidden" name="debitos" value=(id); }
            div.br-input {
                label for="parcelas" { "Número de parcelas (1 a 60, cada uma de no mínimo R$ 1.000,00)" }
                input id="parcelas" name="parcelas" type="text" inputmode="numeric" value=(valor_parcelas)
                    aria-invalid=[(!erro_parcelas.is_empty()).then_some("true")]
                    aria-describedby=[(!erro_parcelas.is_empty()).then_some("erro-parcelas")];
                @if !erro_parcelas.is_empty() {
                    span.feedback.danger id="erro-parcelas" role="alert" { (erro_parcelas.join("; ")) }
                }
            }
            p.mt-3 { button.br-button.secondary type="submit" { "Simular" } }
        }
        @if let Ok(sim) = &simulacao {
            @let n = sim.parcelas.len();
            p { "Débito consolidado hoje: " strong { (sim.consolidacao.total.to_string()) } }
            ul { @for (d, e) in &sim.consolidacao.itens {
                li { "Processo " (rotulos::nup(&d.nup)) ": " (calculo(e, html! { (e.total.to_string()) " — ver o cálculo" })) }
            } }
                table.persus {
                caption.sr-only { "Parcelas simuladas" }
                thead { tr { th scope="col" { "Parcela" } th scope="col" { "Vencimento" } th scope="col" .num { "Valor-base" } } }
                tbody { @for x in &sim.parcelas { tr { td { (x.numero) } td { (data(x.vencimento)) } td.num { (x.base.to_string()) } } } }
            }
            p { small { "Cada parcela é acrescida da SELIC acumulada do mês seguinte à concessão até o mês anterior ao pagamento e de 1% no mês do pagamento (RN 4/2002, RN 248/2010)." } }
            h2 { "Pedir o parcelamento" }
            form method="post" action="/cobranca/parcelamentos" {
                input type="hidden" name="csrf" value=(s.csrf);
                input type="hidden" name="parcelas" value=(n);
                @for id in &ids { input type="hidden" name="debitos" value=(id); }
                div.br-checkbox {
                    input type="checkbox" id="confissao" name="confissao" value="sim" required;
                    label for="confissao" { "Declaro que o pedido é confissão irrevogável e irretratável do débito consolidado de " (sim.consolidacao.total.to_string()) ", e que o inadimplemento de três parcelas, ou de uma estando pagas as demais, implica a rescisão." }
                }
                p.mt-3 { button.br-button.primary type="submit" { "Pedir parcelamento em " (n) " parcelas" } }
            }
        }
        p { a href="/cobranca" { "Voltar à cobrança" } }
    };
    let status = if erros.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    (
        status,
        pagina(&app, &s, "/cobranca", "Simulação de parcelamento", corpo),
    )
        .into_response()
}

pub(super) async fn pedir_parcelamento(
    State(app): State<AppState>,
    s: Sessao,
    body: Bytes,
) -> Response {
    let (op, p) = match formulario_financeiro(&s, &body) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let ids = ids_marcados(&p);
    let n: u32 = um(&p, "parcelas").parse().unwrap_or(0);
    let pedido = async {
        let emissao = Emissao::preparar(&app, &s).await?;
        servico::solicitar_parcelamento(
            &app.db,
            &op,
            &ids,
            n,
            um(&p, "confissao") == "sim",
            &emissao.contexto(&app),
        )
        .await
    };
    match pedido.await {
        Ok(c) => mensagens::redirecionar(
            &s,
            &format!("/cobranca/parcelamentos/{}", c.id),
            mensagem(
                "success",
                &format!(
                    "Parcelamento {} concedido: {} em {} parcelas. Emita a GRU de cada parcela abaixo.",
                    c.id,
                    c.consolidado,
                    c.parcelas.len()
                ),
            ),
        ),
        Err(e @ (ServicoError::Regra(_) | ServicoError::Invalido(_))) => {
            // Back to the simulation with why, the choice kept.
            let aviso = mensagem("danger", &format!("Parcelamento não concedido: {e}"));
            mensagens::redirecionar(
                &s,
                &endereco_da_simulacao(&ids, &um(&p, "parcelas")),
                aviso,
            )
        }
        Err(e) => falha(e),
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
        Ok(None) => return falha(ServicoError::NaoEncontrado(format!("O parcelamento {id}"))),
        Err(e) => return falha(e.into()),
    };
    let hoje = app.relogio.hoje();
    let mut grus = Vec::new();
    for x in &parcelas {
        let mut tx = match app.db.begin().await {
            Ok(t) => t,
            Err(e) => return falha(e.into()),
        };
        match persus_store::cobranca::gru_aberta_da_parcela(&mut tx, id, x.numero, hoje).await {
            Ok(g) => grus.push(g),
            Err(e) => return falha(e.into()),
        }
    }
    let avisos = mensagens::tomar(&s);
    let corpo = html! {
        @for a in &avisos { (a) }
        p { "Concedido em " (data(p.concedido_em)) " · consolidado " strong { (reais(p.consolidado_centavos)) } " · " (p.parcelas) " parcelas · " (p.estado.rotulo()) }
        details { summary { "Confissão de dívida registrada" } p { (p.confissao) } }
        table.persus {
            caption.sr-only { "Parcelas" }
            thead { tr { th scope="col" { "Parcela" } th scope="col" { "Vencimento" } th scope="col" .num { "Valor-base" } th scope="col" { "Situação" } th scope="col" { "GRU" } } }
            tbody { @for (x, g) in parcelas.iter().zip(&grus) { tr {
                td { (x.numero) } td { (data(x.vencimento)) } td.num { (reais(x.base_centavos)) } td { (x.estado.rotulo()) }
                td { @if let Some(g) = g {
                    a href=(format!("/cobranca/grus/{g}")) { "GRU " (g) }
                } @else if x.estado == EstadoParcela::Aberta && p.estado == EstadoParcelamento::Ativo {
                    form.inline method="post" action=(format!("/cobranca/parcelamentos/{id}/parcelas/{}/gru", x.numero)) {
                        input type="hidden" name="csrf" value=(s.csrf);
                        button.br-button.secondary.small type="submit" { "Emitir GRU da parcela " (x.numero) }
                    }
                } }
            } } }
        }
        p { a href="/cobranca" { "Voltar à cobrança" } }
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
    let emitida = async {
        let emissao = Emissao::preparar(&app, &s).await?;
        servico::emitir_gru_parcela(&app.db, &op, id, n, &emissao.contexto(&app)).await
    };
    match emitida.await {
        Ok(g) => gru_emitida(&s, &g),
        Err(e @ (ServicoError::Regra(_) | ServicoError::Invalido(_))) => mensagens::redirecionar(
            &s,
            &format!("/cobranca/parcelamentos/{id}"),
            mensagem("danger", &format!("GRU da parcela {n} não emitida: {e}.")),
        ),
        Err(e) => falha(e),
    }
}
