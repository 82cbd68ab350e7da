//! Charging endpoints: the operator's debts, GRUs (issue, list, composition, PDF), parcelamento
//! simulation; for ANS finance, the bank's return file and manual payments. Scope `financeiro`
//! (operators) or `ans.financeiro` (ANS).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::NaiveDate;
use persus_domain::cobranca::estados::{EstadoDebito, EstadoGru, SituacaoPagamento};
use persus_domain::cobranca::{Encargos, Parcela};
use persus_domain::money::Centavos;
use persus_store::cobranca::{Credito, Debito, Pagamento, ParcelaRow, Parcelamento};
use serde::{Deserialize, Serialize};

use super::{Cliente, Consulta, Idempotencia};
use crate::app::AppState;
use crate::problem::Problem;
use crate::servicos::cobranca as servico;
use crate::servicos::cobranca::posicao::DebitoConsolidado;
use crate::servicos::cobranca::{ItemRelatorio, ParcelamentoConcedido, Relatorio};

fn operadora(c: &Cliente) -> Result<String, Problem> {
    c.exigir("financeiro")?;
    c.operadora().map(str::to_owned)
}

/// `GET /api/v1/debitos`: the operator's debts (open and paid), oldest due first.
#[utoipa::path(
    get, path = "/api/v1/debitos", tag = "cobranca",
    summary = "Débitos da operadora (abertos e pagos), com os encargos em uma data",
    description = "Os débitos da operadora (abertos e pagos), por vencimento, com os encargos (SELIC e multa) calculados na data em: o valor a pagar se a GRU vencer nessa data. Cada débito traz a memória de cálculo, mês a mês.",
    params(Em),
    responses(
        (status = 200, body = PosicaoDebitos),
        super::respostas::Invalido, super::respostas::ComToken,
    ),
    security(("bearer" = ["financeiro"]), ("oauth2" = ["financeiro"]))
)]
pub async fn debitos(
    State(app): State<AppState>,
    cliente: Cliente,
    Consulta(q): Consulta<Em>,
) -> Result<Response, Problem> {
    let op = operadora(&cliente)?;
    let em = match q.em.as_deref() {
        None => app.relogio.hoje(),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map_err(|_| Problem::invalid(format!("data \"{s}\" inválida: use AAAA-MM-DD")))?,
    };
    let selic = servico::tabela_selic(&app.db).await?;
    let p = servico::posicao::posicao(&app.db, &op, em, &selic).await?;
    let itens = p
        .itens
        .into_iter()
        .map(|x| DebitoAtualizado {
            debito: x.debito,
            encargos: x.encargos.map(|e| match e {
                Ok(e) => EncargosNaData::Calculados(e),
                Err(erro) => EncargosNaData::Indisponiveis(EncargosIndisponiveis { erro }),
            }),
        })
        .collect();
    Ok(Json(PosicaoDebitos {
        itens,
        em: p.em,
        total_aberto_centavos: p.total_aberto.value(),
        total_atualizado_centavos: p.total_atualizado.value(),
        creditos: p.creditos,
    })
    .into_response())
}

/// The operator's debts on a date, with the charges of the open ones to that date.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PosicaoDebitos {
    pub itens: Vec<DebitoAtualizado>,
    pub em: NaiveDate,
    /// The principal of the open debts.
    pub total_aberto_centavos: i64,
    /// The open debts with their charges to `em` (those that could be computed).
    pub total_atualizado_centavos: i64,
    pub creditos: Vec<Credito>,
}

/// A debt with, when open, its charges to the position's date.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DebitoAtualizado {
    #[serde(flatten)]
    pub debito: Debito,
    /// Open debts only (absent on the others).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encargos: Option<EncargosNaData>,
}

/// The charges of an open debt, or why they could not be computed.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum EncargosNaData {
    Calculados(Encargos),
    Indisponiveis(EncargosIndisponiveis),
}

/// Charges that could not be computed (a SELIC month not yet published).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EncargosIndisponiveis {
    pub erro: String,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct Em {
    /// Date (AAAA-MM-DD) to compute the charges of open debts on; today if absent.
    #[param(format = Date)]
    pub em: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NovaGru {
    /// Ids of the debts to charge (all with the same GRU due date).
    pub debitos: Vec<i64>,
    /// Ids of the operator's available credits to offset (optional).
    #[serde(default)]
    pub creditos: Vec<i64>,
}

/// `POST /api/v1/grus`: issues a GRU over the chosen debts, with late charges to its due date.
#[utoipa::path(
    post, path = "/api/v1/grus", tag = "cobranca",
    summary = "Emite uma GRU sobre os débitos escolhidos (uma por vencimento)",
    description = "Emite uma GRU sobre débitos em aberto escolhidos (todos com o mesmo vencimento), com os encargos até o vencimento da GRU, abatendo créditos se pedidos. Devolve a GRU com a linha digitável; o PDF está em GET /api/v1/grus/{numero}/pdf. Publica o evento gru.emitida.",
    params(("Idempotency-Key" = Option<String>, Header)),
    request_body = NovaGru,
    responses(
        (status = 201, body = Gru),
        super::respostas::Invalido, super::respostas::CorpoGrande, super::respostas::ComToken,
    ),
    security(("bearer" = ["financeiro"]), ("oauth2" = ["financeiro"]))
)]
pub async fn emitir(
    State(app): State<AppState>,
    cliente: Cliente,
    idem: Idempotencia,
    corpo: Bytes,
) -> Response {
    let op = match operadora(&cliente) {
        Ok(o) => o,
        Err(p) => return p.into_response(),
    };
    let (app2, c2, bytes) = (app.clone(), cliente.clone(), corpo.clone());
    idem.executar(&app, &cliente, &corpo, || async move {
        let pedido: NovaGru = match crate::erros::ler_json(&bytes) {
            Ok(p) => p,
            Err(p) => return p.em_par(),
        };
        let r = &*app2.relogio;
        let selic = match servico::tabela_selic(&app2.db).await {
            Ok(t) => t,
            Err(e) => return Problem::from(e).em_par(),
        };
        match servico::emitir_gru(
            &app2.db,
            &op,
            &pedido.debitos,
            &pedido.creditos,
            &servico::Contexto {
                hoje: r.hoje(),
                agora: r.agora(),
                calendario: &app2.regras.calendario,
                selic: &selic,
                ator: &c2.ator(),
            },
        )
        .await
        {
            Ok(g) => (StatusCode::CREATED, gru_json(&g)),
            Err(e) => Problem::from(e).em_par(),
        }
    })
    .await
}

/// A GRU as the API shows it: amounts, barcode, state, payment, and its composition as recorded
/// when it was issued.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Gru {
    pub numero: String,
    pub nosso_numero: String,
    pub vencimento: NaiveDate,
    pub valor_centavos: i64,
    /// `valor_centavos` written in reais (`R$ 1.234,56`).
    pub valor: String,
    pub codigo_de_barras: String,
    pub linha_digitavel: String,
    #[schema(value_type = String)]
    pub estado: EstadoGru,
    pub paga_em: Option<NaiveDate>,
    pub valor_pago_centavos: Option<i64>,
    pub composicao: Vec<LinhaDaGru>,
    /// The version of the SELIC table the charges were computed with.
    pub selic: Option<String>,
    /// Where its PDF is.
    pub pdf: String,
}

/// One line of a GRU's composition: a debt with its charges, or the instalment of a plan.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LinhaDaGru {
    /// The debt (a GRU over debts); absent on an instalment's GRU.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub debito: Option<i64>,
    pub processo: String,
    pub principal: i64,
    #[serde(default)]
    pub multa: i64,
    #[serde(default)]
    pub juros: i64,
    pub total: i64,
    /// Interest in hundredths of a percent (an instalment's GRU only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub juros_percentual_centesimos: Option<i64>,
    #[serde(default)]
    pub memoria: Vec<String>,
}

impl From<&persus_store::cobranca::Gru> for Gru {
    fn from(g: &persus_store::cobranca::Gru) -> Gru {
        #[derive(Deserialize, Default)]
        struct Memoria {
            #[serde(default)]
            linhas: Vec<LinhaDaGru>,
            selic: Option<String>,
        }
        // Written by the service when the GRU was issued; unreadable only if the row was
        // tampered with, and then the GRU still shows, without its composition.
        let memoria: Memoria = serde_json::from_str(&g.memoria).unwrap_or_default();
        Gru {
            numero: g.numero.clone(),
            nosso_numero: g.nosso_numero.clone(),
            vencimento: g.vencimento,
            valor_centavos: g.valor_centavos,
            valor: Centavos::new(g.valor_centavos).to_string(),
            codigo_de_barras: g.codigo_barras.clone(),
            linha_digitavel: g.linha_digitavel.clone(),
            estado: g.estado,
            paga_em: g.paga_em,
            valor_pago_centavos: g.valor_pago_centavos,
            composicao: memoria.linhas,
            selic: memoria.selic,
            pdf: format!("/api/v1/grus/{}/pdf", g.numero),
        }
    }
}

fn gru_json(g: &persus_store::cobranca::Gru) -> serde_json::Value {
    serde_json::to_value(Gru::from(g)).unwrap_or_default()
}

/// `GET /api/v1/grus`: the operator's GRUs, newest first.
#[utoipa::path(
    get, path = "/api/v1/grus", tag = "cobranca", summary = "GRUs da operadora",
    description = "As GRUs da operadora, da mais nova à mais antiga.",
    responses(
        (status = 200, body = super::esquemas::Lista<Gru>),
        super::respostas::ComToken,
    ),
    security(("bearer" = ["financeiro"]), ("oauth2" = ["financeiro"]))
)]
pub async fn grus(State(app): State<AppState>, cliente: Cliente) -> Result<Response, Problem> {
    let op = operadora(&cliente)?;
    let g = persus_store::cobranca::grus_da_operadora(&app.db, &op).await?;
    let itens = g.iter().map(Gru::from).collect();
    Ok(Json(super::esquemas::Lista { itens }).into_response())
}

async fn gru_do_cliente(
    app: &AppState,
    c: &Cliente,
    numero: &str,
) -> Result<persus_store::cobranca::Gru, Problem> {
    let op = if c.ans() {
        c.exigir("ans.financeiro")?;
        None
    } else {
        Some(operadora(c)?)
    };
    persus_store::cobranca::gru(&app.db, numero, op.as_deref())
        .await?
        .ok_or_else(|| Problem::not_found(&format!("GRU {numero}")))
}

/// `GET /api/v1/grus/{numero}`: one GRU with its composition and computation.
#[utoipa::path(
    get, path = "/api/v1/grus/{numero}", tag = "cobranca", summary = "Uma GRU, com a composição e o cálculo",
    description = "Uma GRU com a sua composição (débitos e encargos) e a memória de cálculo. A operadora vê as suas; o financeiro da ANS, todas.",
    params(("numero" = String, Path, description = "Número da GRU, como em GET /api/v1/grus", example = "00.000.001-95")),
    responses(
        (status = 200, body = Gru),
        super::respostas::CaminhoIlegivel, super::respostas::NaoEncontrado, super::respostas::ComToken,
    ),
    security(("bearer" = ["financeiro"]), ("oauth2" = ["financeiro"]), ("bearer" = ["ans.financeiro"]), ("oauth2" = ["ans.financeiro"]))
)]
pub async fn gru(
    State(app): State<AppState>,
    cliente: Cliente,
    Path(numero): Path<String>,
) -> Result<Response, Problem> {
    let g = gru_do_cliente(&app, &cliente, &numero).await?;
    Ok(Json(Gru::from(&g)).into_response())
}

/// `GET /api/v1/grus/{numero}/pdf`: the GRU to print or pay (ITF barcode).
#[utoipa::path(
    get, path = "/api/v1/grus/{numero}/pdf", tag = "cobranca", summary = "O PDF da GRU, com código de barras",
    description = "O PDF da GRU para imprimir ou pagar, com o código de barras (ITF). Em homologação, marcado como sem valor.",
    params(("numero" = String, Path, description = "Número da GRU, como em GET /api/v1/grus", example = "00.000.001-95")),
    responses(
        (status = 200, description = "O PDF", content_type = "application/pdf", body = inline(super::esquemas::Arquivo)),
        super::respostas::CaminhoIlegivel, super::respostas::NaoEncontrado, super::respostas::ComToken,
    ),
    security(("bearer" = ["financeiro"]), ("oauth2" = ["financeiro"]), ("bearer" = ["ans.financeiro"]), ("oauth2" = ["ans.financeiro"]))
)]
pub async fn gru_pdf(
    State(app): State<AppState>,
    cliente: Cliente,
    Path(numero): Path<String>,
) -> Result<Response, Problem> {
    let g = gru_do_cliente(&app, &cliente, &numero).await?;
    let (nome, pdf) = crate::servicos::gru_pdf::documento(
        &app.db,
        &g,
        app.ambiente == crate::config::Ambiente::Homologacao,
    )
    .await?;
    Ok(crate::anexo::resposta("application/pdf", &nome, pdf))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Simulacao {
    /// Debts to consolidate (open ones of the operator); charges to today are added.
    pub debitos: Vec<i64>,
    /// Number of monthly instalments (1 to 60, each ≥ R$ 1.000,00).
    pub parcelas: u32,
}

/// `POST /api/v1/parcelamentos/simulacao`: consolidates debts (with charges to today) and plans
/// the instalments. Changes nothing.
#[utoipa::path(
    post, path = "/api/v1/parcelamentos/simulacao", tag = "cobranca",
    summary = "Simula um parcelamento (não altera nada)",
    description = "Simula um parcelamento: consolida os débitos com os encargos até hoje e divide em parcelas mensais. Não altera nada.",
    params(("Idempotency-Key" = Option<String>, Header)),
    request_body = Simulacao,
    responses(
        (status = 200, body = ParcelamentoSimulado),
        super::respostas::Invalido, super::respostas::CorpoGrande, super::respostas::ComToken,
    ),
    security(("bearer" = ["financeiro"]), ("oauth2" = ["financeiro"]))
)]
pub async fn simular(
    State(app): State<AppState>,
    cliente: Cliente,
    idem: Idempotencia,
    corpo: Bytes,
) -> Response {
    idem.sobre(&app, &cliente, &corpo, async {
        let op = operadora(&cliente)?;
        let s: Simulacao = crate::erros::ler_json(&corpo)?;
        let selic = servico::tabela_selic(&app.db).await?;
        let sim = servico::posicao::simular(
            &app.db,
            &op,
            &s.debitos,
            s.parcelas,
            app.relogio.hoje(),
            &app.regras.calendario,
            &selic,
        )
        .await?;
        let consolidado = sim.consolidacao.total;
        Ok::<Response, Problem>(
            Json(ParcelamentoSimulado {
                consolidado_centavos: consolidado.value(),
                consolidado: consolidado.to_string(),
                em: sim.em,
                regra: REGRA_PARCELAMENTO.to_owned(),
                debitos: sim.consolidacao.memoria(),
                parcelas: sim.parcelas,
            })
            .into_response(),
        )
    })
    .await
}

/// The rule a simulated plan follows, said with the simulation.
const REGRA_PARCELAMENTO: &str = "RN 4/2002 com a redação da RN 248/2010: até 60 parcelas mensais de no mínimo R$ 1.000,00; cada parcela = saldo consolidado / parcelas restantes, acrescida da SELIC acumulada do mês seguinte à concessão até o mês anterior ao pagamento e de 1% no mês do pagamento";

/// A simulated plan: the debts consolidated with charges to `em`, and the instalments.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ParcelamentoSimulado {
    pub consolidado_centavos: i64,
    /// `consolidado_centavos` written in reais (`R$ 1.234,56`).
    pub consolidado: String,
    pub em: NaiveDate,
    pub parcelas: Vec<Parcela>,
    pub regra: String,
    pub debitos: Vec<DebitoConsolidado>,
}

/// `POST /api/v1/retornos?nome=`: ANS finance imports the bank's CNAB 240 return (body: the
/// file). All or nothing; the same file twice changes nothing.
#[utoipa::path(
    post, path = "/api/v1/retornos", tag = "cobranca",
    summary = "Importa o arquivo retorno CNAB 240 do banco (ANS, financeiro)",
    description = "Importa o arquivo retorno CNAB 240 do banco (corpo: o arquivo) e concilia cada pagamento com a sua GRU. Tudo ou nada; o mesmo arquivo duas vezes não muda nada. Só o financeiro da ANS.",
    params(("Idempotency-Key" = Option<String>, Header), ("nome" = Option<String>, Query)),
    request_body(content = inline(super::esquemas::Arquivo), content_type = "application/octet-stream", description = "O arquivo retorno CNAB 240, byte a byte como o banco o entregou"),
    responses(
        (status = 200, body = Relatorio),
        super::respostas::SoDaAns, super::respostas::Invalido, super::respostas::CorpoGrande, super::respostas::ComToken,
    ),
    security(("bearer" = ["ans.financeiro"]), ("oauth2" = ["ans.financeiro"]))
)]
pub async fn retorno(
    State(app): State<AppState>,
    cliente: Cliente,
    idem: Idempotencia,
    Consulta(q): Consulta<std::collections::HashMap<String, String>>,
    corpo: Bytes,
) -> Response {
    idem.sobre(&app, &cliente, &corpo, async {
        if !cliente.ans() {
            return Err(Problem::not_found("Recurso"));
        }
        cliente.exigir("ans.financeiro")?;
        let nome = q
            .get("nome")
            .cloned()
            .unwrap_or_else(|| "retorno.ret".to_owned());
        let r =
            servico::importar_retorno(&app.db, &nome, &corpo, &cliente.ator(), chrono::Utc::now())
                .await?;
        Ok::<Response, Problem>(Json(r).into_response())
    })
    .await
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PagamentoManual {
    pub gru: String,
    pub valor_centavos: i64,
    pub pago_em: NaiveDate,
}

/// `POST /api/v1/pagamentos`: a payment entered by ANS finance, reconciled like the return file.
#[utoipa::path(
    post, path = "/api/v1/pagamentos", tag = "cobranca",
    summary = "Registra um pagamento manual (ANS, financeiro)",
    description = "Registra um pagamento informado fora do arquivo retorno, conciliado como os do banco. Só o financeiro da ANS.",
    params(("Idempotency-Key" = Option<String>, Header)),
    request_body = PagamentoManual,
    responses(
        (status = 201, body = ItemRelatorio),
        super::respostas::SoDaAns, super::respostas::Invalido, super::respostas::CorpoGrande, super::respostas::ComToken,
    ),
    security(("bearer" = ["ans.financeiro"]), ("oauth2" = ["ans.financeiro"]))
)]
pub async fn pagamento(
    State(app): State<AppState>,
    cliente: Cliente,
    idem: Idempotencia,
    corpo: Bytes,
) -> Response {
    idem.sobre(&app, &cliente, &corpo, async {
        if !cliente.ans() {
            return Err(Problem::not_found("Recurso"));
        }
        cliente.exigir("ans.financeiro")?;
        let p: PagamentoManual = crate::erros::ler_json(&corpo)?;
        let item = servico::pagamento_manual(
            &app.db,
            &p.gru,
            Centavos::new(p.valor_centavos),
            p.pago_em,
            &cliente.ator(),
            chrono::Utc::now(),
        )
        .await?;
        Ok::<Response, Problem>((StatusCode::CREATED, Json(item)).into_response())
    })
    .await
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PedidoParcelamento {
    pub debitos: Vec<i64>,
    /// 1 to 60, each instalment ≥ R$ 1.000,00.
    pub parcelas: u32,
    /// The request is an irrevocable confession of the debt: must be `true`.
    pub confissao: bool,
}

/// `POST /api/v1/parcelamentos`: requests (and is granted) a parcelamento over open debts.
#[utoipa::path(
    post, path = "/api/v1/parcelamentos", tag = "cobranca",
    summary = "Pede o parcelamento de débitos em aberto (confissão irrevogável do débito)",
    description = "Pede o parcelamento de débitos em aberto: o pedido é confissão irrevogável do débito (confissao: true) e, atendidas as regras, é concedido na hora. Publica o evento parcelamento.concedido.",
    params(("Idempotency-Key" = Option<String>, Header)),
    request_body = PedidoParcelamento,
    responses(
        (status = 201, body = ParcelamentoConcedido),
        super::respostas::Invalido, super::respostas::CorpoGrande, super::respostas::ComToken,
    ),
    security(("bearer" = ["financeiro"]), ("oauth2" = ["financeiro"]))
)]
pub async fn pedir_parcelamento(
    State(app): State<AppState>,
    cliente: Cliente,
    idem: Idempotencia,
    corpo: Bytes,
) -> Response {
    let op = match operadora(&cliente) {
        Ok(o) => o,
        Err(p) => return p.into_response(),
    };
    let (app2, c2, bytes) = (app.clone(), cliente.clone(), corpo.clone());
    idem.executar(&app, &cliente, &corpo, || async move {
        let p: PedidoParcelamento = match crate::erros::ler_json(&bytes) {
            Ok(p) => p,
            Err(p) => return p.em_par(),
        };
        let selic = match servico::tabela_selic(&app2.db).await {
            Ok(t) => t,
            Err(e) => return Problem::from(e).em_par(),
        };
        let r = &*app2.relogio;
        match servico::solicitar_parcelamento(
            &app2.db,
            &op,
            &p.debitos,
            p.parcelas,
            p.confissao,
            &servico::Contexto {
                hoje: r.hoje(),
                agora: r.agora(),
                calendario: &app2.regras.calendario,
                selic: &selic,
                ator: &c2.ator(),
            },
        )
        .await
        {
            Ok(c) => (
                StatusCode::CREATED,
                serde_json::to_value(c).unwrap_or_default(),
            ),
            Err(e) => Problem::from(e).em_par(),
        }
    })
    .await
}

/// `GET /api/v1/parcelamentos`: the operator's parcelamentos.
#[utoipa::path(
    get, path = "/api/v1/parcelamentos", tag = "cobranca", summary = "Parcelamentos da operadora",
    description = "Os parcelamentos da operadora, do mais novo ao mais antigo.",
    responses(
        (status = 200, body = super::esquemas::Lista<Parcelamento>),
        super::respostas::ComToken,
    ),
    security(("bearer" = ["financeiro"]), ("oauth2" = ["financeiro"]))
)]
pub async fn parcelamentos(
    State(app): State<AppState>,
    cliente: Cliente,
) -> Result<Response, Problem> {
    let op = operadora(&cliente)?;
    let itens = persus_store::cobranca::parcelamentos_da_operadora(&app.db, &op).await?;
    Ok(Json(super::esquemas::Lista { itens }).into_response())
}

/// `GET /api/v1/parcelamentos/{id}`: one parcelamento with its instalments.
#[utoipa::path(
    get, path = "/api/v1/parcelamentos/{id}", tag = "cobranca", summary = "Um parcelamento e suas parcelas",
    description = "Um parcelamento e as suas parcelas, por número.",
    params(("id" = i64, Path, description = "Número do parcelamento", example = 2)),
    responses(
        (status = 200, body = ParcelamentoEParcelas),
        super::respostas::CaminhoIlegivel, super::respostas::NaoEncontrado, super::respostas::ComToken,
    ),
    security(("bearer" = ["financeiro"]), ("oauth2" = ["financeiro"]), ("bearer" = ["ans.financeiro"]), ("oauth2" = ["ans.financeiro"]))
)]
pub async fn parcelamento(
    State(app): State<AppState>,
    cliente: Cliente,
    Path(id): Path<i64>,
) -> Result<Response, Problem> {
    let op = if cliente.ans() {
        cliente.exigir("ans.financeiro")?;
        None
    } else {
        Some(operadora(&cliente)?)
    };
    let (parcelamento, parcelas) = persus_store::cobranca::parcelamento(&app.db, id, op.as_deref())
        .await?
        .ok_or_else(|| Problem::not_found(&format!("Parcelamento {id}")))?;
    Ok(Json(ParcelamentoEParcelas {
        parcelamento,
        parcelas,
    })
    .into_response())
}

/// A parcelamento with its instalments, by number.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ParcelamentoEParcelas {
    pub parcelamento: Parcelamento,
    pub parcelas: Vec<ParcelaRow>,
}

/// `POST /api/v1/parcelamentos/{id}/parcelas/{numero}/gru`: the GRU of one instalment.
#[utoipa::path(
    post, path = "/api/v1/parcelamentos/{id}/parcelas/{numero}/gru", tag = "cobranca",
    summary = "Emite a GRU de uma parcela (base + SELIC + 1% no mês do pagamento)",
    description = "Emite a GRU de uma parcela: valor base, mais SELIC acumulada desde a consolidação e 1% no mês do pagamento.",
    params(("Idempotency-Key" = Option<String>, Header), ("id" = i64, Path, description = "Número do parcelamento", example = 2), ("numero" = i32, Path, description = "Número da parcela, de 1 ao total de parcelas", example = 1)),
    responses(
        (status = 201, body = Gru),
        super::respostas::CaminhoIlegivel, super::respostas::Invalido, super::respostas::ComToken,
        super::respostas::NaoEncontrado,
    ),
    security(("bearer" = ["financeiro"]), ("oauth2" = ["financeiro"]))
)]
pub async fn gru_da_parcela(
    State(app): State<AppState>,
    cliente: Cliente,
    idem: Idempotencia,
    Path((id, numero)): Path<(i64, i32)>,
) -> Response {
    idem.sobre(&app, &cliente, &[], async {
        let op = operadora(&cliente)?;
        let selic = servico::tabela_selic(&app.db).await?;
        let r = &*app.relogio;
        let g = servico::emitir_gru_parcela(
            &app.db,
            &op,
            id,
            numero,
            &servico::Contexto {
                hoje: r.hoje(),
                agora: r.agora(),
                calendario: &app.regras.calendario,
                selic: &selic,
                ator: &cliente.ator(),
            },
        )
        .await?;
        Ok::<Response, Problem>((StatusCode::CREATED, Json(Gru::from(&g))).into_response())
    })
    .await
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct Formato {
    /// `csv` for a spreadsheet (`;`, pt-BR decimals).
    #[param(pattern = "^(json|csv)$")]
    pub formato: Option<String>,
}

fn reais(c: i64) -> String {
    Centavos::new(c).to_decimal_string().replace('.', ",")
}

/// `GET /api/v1/extrato`: the operator's statement — debts, GRUs, payments, parcelamentos,
/// with totals; `?formato=csv` as one spreadsheet.
#[utoipa::path(
    get, path = "/api/v1/extrato", tag = "cobranca", summary = "Extrato da operadora (JSON ou CSV)",
    description = "O extrato da operadora — débitos, GRUs, pagamentos e parcelamentos, com os totais. Com formato=csv, tudo numa planilha (separador ';', decimais com vírgula).",
    params(Formato),
    responses(
        (status = 200, description = "JSON; text/csv com formato=csv", content((Extrato = "application/json"), (String = "text/csv"))),
        super::respostas::Invalido, super::respostas::ComToken,
    ),
    security(("bearer" = ["financeiro"]), ("oauth2" = ["financeiro"]))
)]
pub async fn extrato(
    State(app): State<AppState>,
    cliente: Cliente,
    Consulta(f): Consulta<Formato>,
) -> Result<Response, Problem> {
    let op = operadora(&cliente)?;
    let csv = match f.formato.as_deref() {
        None | Some("json") => false,
        Some("csv") => true,
        Some(outro) => {
            return Err(Problem::invalid(format!(
                "formato \"{outro}\" inválido: use json ou csv"
            )))
        }
    };
    let debitos = persus_store::cobranca::debitos_da_operadora(&app.db, &op).await?;
    let grus = persus_store::cobranca::grus_da_operadora(&app.db, &op).await?;
    let pagamentos = persus_store::cobranca::pagamentos_da_operadora(&app.db, &op).await?;
    let parcelamentos = persus_store::cobranca::parcelamentos_da_operadora(&app.db, &op).await?;
    let soma = |e: EstadoDebito| -> i64 {
        debitos
            .iter()
            .filter(|d| d.estado == e)
            .map(|d| d.valor_centavos)
            .sum()
    };
    let totais = TotaisExtrato {
        debitos_abertos_centavos: soma(EstadoDebito::Aberto),
        debitos_pagos_centavos: soma(EstadoDebito::Pago),
        debitos_parcelados_centavos: soma(EstadoDebito::Parcelado),
        pago_centavos: pagamentos
            .iter()
            .filter(|p| p.situacao == SituacaoPagamento::Conciliado)
            .map(|p| p.valor_centavos)
            .sum(),
        em_cadin: debitos
            .iter()
            .filter(|d| d.cadin_incluido_em.is_some() && d.cadin_excluido_em.is_none())
            .count(),
    };
    if csv {
        let mut w = csv::WriterBuilder::new()
            .delimiter(b';')
            .from_writer(Vec::new());
        let _ = w.write_record([
            "tipo",
            "identificador",
            "processo",
            "data",
            "valor_reais",
            "situacao",
            "detalhe",
        ]);
        for d in &debitos {
            let _ = w.write_record([
                "debito",
                &d.id.to_string(),
                &d.nup,
                &d.vencimento.to_string(),
                &reais(d.valor_centavos),
                d.estado.as_str(),
                &d.cadin_incluido_em
                    .map(|c| format!("CADIN desde {c}"))
                    .unwrap_or_default(),
            ]);
        }
        for g in &grus {
            let _ = w.write_record([
                "gru",
                &g.numero,
                "",
                &g.vencimento.to_string(),
                &reais(g.valor_centavos),
                g.estado.as_str(),
                &g.linha_digitavel,
            ]);
        }
        for p in &pagamentos {
            let _ = w.write_record([
                "pagamento",
                &p.nosso_numero,
                "",
                &p.pago_em.to_string(),
                &reais(p.valor_centavos),
                p.situacao.as_str(),
                &p.observacao,
            ]);
        }
        for p in &parcelamentos {
            let _ = w.write_record([
                "parcelamento",
                &p.id.to_string(),
                "",
                &p.concedido_em.to_string(),
                &reais(p.consolidado_centavos),
                p.estado.as_str(),
                &format!("{} parcelas", p.parcelas),
            ]);
        }
        let corpo = w.into_inner().unwrap_or_default();
        return Ok(crate::anexo::resposta(
            "text/csv; charset=utf-8",
            &format!("extrato-{op}.csv"),
            corpo,
        ));
    }
    Ok(Json(Extrato {
        operadora: op,
        totais,
        debitos,
        grus: grus.iter().map(Gru::from).collect(),
        pagamentos,
        parcelamentos,
    })
    .into_response())
}

/// The operator's statement: every debt, GRU, payment and parcelamento, with the totals.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Extrato {
    pub operadora: String,
    pub totais: TotaisExtrato,
    pub debitos: Vec<Debito>,
    pub grus: Vec<Gru>,
    pub pagamentos: Vec<Pagamento>,
    pub parcelamentos: Vec<Parcelamento>,
}

/// The statement's totals.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TotaisExtrato {
    pub debitos_abertos_centavos: i64,
    pub debitos_pagos_centavos: i64,
    pub debitos_parcelados_centavos: i64,
    /// Reconciled payments only.
    pub pago_centavos: i64,
    /// Debts in CADIN now (included, not yet excluded).
    pub em_cadin: usize,
}

/// `GET /api/v1/arrecadacao`: ANS — collected per month (reconciled payments) and the transfer
/// to the FNS of each month (RN 253/2011 art. 23: published by the last business day of the
/// following month [GUESS on the date]).
#[utoipa::path(
    get, path = "/api/v1/arrecadacao", tag = "cobranca", summary = "Arrecadação por mês e repasses ao FNS (ANS)",
    description = "O arrecadado por mês (pagamentos conciliados) e o repasse de cada mês ao Fundo Nacional de Saúde, do mês mais antigo ao mais novo. Só o financeiro da ANS.",
    responses(
        (status = 200, body = Arrecadacao),
        super::respostas::SoDaAns, super::respostas::ComToken,
    ),
    security(("bearer" = ["ans.financeiro"]), ("oauth2" = ["ans.financeiro"]))
)]
pub async fn arrecadacao(
    State(app): State<AppState>,
    cliente: Cliente,
) -> Result<Response, Problem> {
    if !cliente.ans() {
        return Err(Problem::not_found("Recurso"));
    }
    cliente.exigir("ans.financeiro")?;
    let cal = &app.regras.calendario;
    let meses: Vec<MesArrecadado> = persus_store::cobranca::arrecadacao_por_mes(&app.db)
        .await?
        .into_iter()
        .map(|(mes, n, v)| {
            let (a, m) = mes.split_once('-').map_or((0, 0), |(a, m)| {
                (a.parse().unwrap_or(0), m.parse().unwrap_or(0))
            });
            let (a2, m2) = if m == 12 { (a + 1, 1) } else { (a, m + 1) };
            MesArrecadado {
                mes,
                pagamentos: n,
                arrecadado_centavos: v,
                arrecadado: Centavos::new(v).to_string(),
                repasse_fns: RepasseFns {
                    valor_centavos: v,
                    ate: cal.ultimo_dia_util_do_mes(a2, m2),
                },
            }
        })
        .collect();
    let total_centavos = meses.iter().map(|m| m.arrecadado_centavos).sum();
    Ok(Json(Arrecadacao {
        meses,
        total_centavos,
    })
    .into_response())
}

/// What ANS collected, month by month, and what it owes the FNS.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Arrecadacao {
    pub meses: Vec<MesArrecadado>,
    pub total_centavos: i64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MesArrecadado {
    /// `AAAA-MM`.
    pub mes: String,
    pub pagamentos: i64,
    pub arrecadado_centavos: i64,
    pub arrecadado: String,
    pub repasse_fns: RepasseFns,
}

/// The month's transfer to the Fundo Nacional de Saúde.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RepasseFns {
    pub valor_centavos: i64,
    /// Last business day of the following month.
    pub ate: Option<NaiveDate>,
}

/// `GET /api/v1/selic`: the rates in force (version = last import).
#[utoipa::path(
    get, path = "/api/v1/selic", tag = "cobranca", summary = "Taxas SELIC mensais em vigor",
    description = "As taxas SELIC mensais em vigor, usadas nos encargos, do mês mais antigo ao mais novo; versao identifica a última importação.",
    responses(
        (status = 200, body = TabelaSelic),
        super::respostas::ComToken,
    ),
    security(("bearer" = ["consulta"]), ("oauth2" = ["consulta"]), ("bearer" = ["financeiro"]), ("oauth2" = ["financeiro"]), ("bearer" = ["ans.financeiro"]), ("oauth2" = ["ans.financeiro"]))
)]
pub async fn selic(State(app): State<AppState>, cliente: Cliente) -> Result<Response, Problem> {
    cliente
        .exigir("consulta")
        .or_else(|_| cliente.exigir("financeiro"))
        .or_else(|_| cliente.exigir("ans.financeiro"))?;
    let t = servico::tabela_selic(&app.db).await?;
    let meses = t
        .meses()
        .map(|((a, m), v)| MesSelic {
            competencia: format!("{a}-{m:02}"),
            taxa_centesimos_percentual: v,
        })
        .collect();
    Ok(Json(TabelaSelic {
        versao: t.versao().to_string(),
        meses,
    })
    .into_response())
}

/// The monthly SELIC rates in force.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TabelaSelic {
    pub versao: String,
    pub meses: Vec<MesSelic>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MesSelic {
    /// `AAAA-MM`.
    pub competencia: String,
    pub taxa_centesimos_percentual: i64,
}

/// How many months an import added.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SelicImportada {
    pub meses: usize,
}

/// `POST /api/v1/selic`: ANS finance imports published rates (CSV `competencia;taxa_percentual;fonte`).
#[utoipa::path(
    params(("Idempotency-Key" = Option<String>, Header)),
    post, path = "/api/v1/selic", tag = "cobranca", summary = "Importa taxas SELIC publicadas (ANS, financeiro)",
    description = "Importa taxas SELIC publicadas (CSV competencia;taxa_percentual;fonte). Meses já conhecidos com outro valor são recusados. Só o financeiro da ANS.",
    request_body(content = String, content_type = "text/csv"),
    responses(
        (status = 200, body = SelicImportada),
        super::respostas::SoDaAns, super::respostas::Invalido, super::respostas::CorpoGrande, super::respostas::ComToken,
    ),
    security(("bearer" = ["ans.financeiro"]), ("oauth2" = ["ans.financeiro"]))
)]
pub async fn importar_selic(
    State(app): State<AppState>,
    cliente: Cliente,
    idem: Idempotencia,
    corpo: Bytes,
) -> Response {
    idem.sobre(&app, &cliente, &corpo, async {
        if !cliente.ans() {
            return Err(Problem::not_found("Recurso"));
        }
        cliente.exigir("ans.financeiro")?;
        let texto = std::str::from_utf8(&corpo)
            .map_err(|_| Problem::invalid("o arquivo deve estar em UTF-8"))?;
        let n =
            servico::importar_selic(&app.db, texto, &cliente.ator(), chrono::Utc::now()).await?;
        Ok::<Response, Problem>(Json(SelicImportada { meses: n }).into_response())
    })
    .await
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PagamentoSimulado {
    /// Amount paid (default: the GRU's amount).
    pub valor_centavos: Option<i64>,
    /// Date of payment (default: today).
    pub pago_em: Option<NaiveDate>,
}

/// `POST /api/v1/homologacao/grus/{numero}/pagamento`: homologação only — the bank pays the
/// GRU: a CNAB 240 return is generated for it and imported through the real reconciliation, so
/// an integration can be tested end to end. In production the route does not exist.
#[utoipa::path(
    post, path = "/api/v1/homologacao/grus/{numero}/pagamento", tag = "cobranca",
    summary = "Homologação: simula o pagamento de uma GRU pelo banco (retorno CNAB 240 gerado e importado)",
    description = "Só em homologação: simula o banco pagando a GRU. Um retorno CNAB 240 é gerado e importado pela conciliação real, então o evento pagamento.confirmado e o extrato se comportam como em produção. Em produção a rota não existe.",
    params(("Idempotency-Key" = Option<String>, Header), ("numero" = String, Path, description = "Número da GRU a pagar", example = "00.000.001-95")),
    request_body = PagamentoSimulado,
    responses(
        (status = 200, description = "Relatório da conciliação do retorno gerado", body = Relatorio),
        (status = 404, description = "A GRU não existe para este chamador (a de outra operadora é 404); em produção a rota não existe", body = Problem, content_type = "application/problem+json"),
        super::respostas::CaminhoIlegivel, super::respostas::Invalido, super::respostas::CorpoGrande, super::respostas::ComToken,
    ),
    security(("bearer" = ["financeiro"]), ("oauth2" = ["financeiro"]), ("bearer" = ["ans.financeiro"]), ("oauth2" = ["ans.financeiro"]))
)]
pub async fn pagar_em_homologacao(
    State(app): State<AppState>,
    cliente: Cliente,
    idem: Idempotencia,
    Path(numero): Path<String>,
    corpo: Bytes,
) -> Response {
    idem.sobre(&app, &cliente, &corpo, async {
        if app.ambiente != crate::config::Ambiente::Homologacao {
            return Err(Problem::not_found("Recurso"));
        }
        let g = gru_do_cliente(&app, &cliente, &numero).await?;
        let p: PagamentoSimulado = if corpo.is_empty() {
            PagamentoSimulado::default()
        } else {
            crate::erros::ler_json(&corpo)?
        };
        let valor = Centavos::new(p.valor_centavos.unwrap_or(g.valor_centavos));
        let pago_em = p.pago_em.unwrap_or_else(|| app.relogio.hoje());
        let arquivo = servico::cnab240_de(&[(g.nosso_numero.clone(), valor, pago_em)], pago_em);
        let r = servico::importar_retorno(
            &app.db,
            &format!("homologacao-{}.ret", g.nosso_numero),
            arquivo.as_bytes(),
            &cliente.ator(),
            chrono::Utc::now(),
        )
        .await?;
        Ok::<Response, Problem>(Json(r).into_response())
    })
    .await
}

/// `GET /api/v1/creditos`: the operator's credits (excess payments), with the GRU that used each.
#[utoipa::path(
    get, path = "/api/v1/creditos", tag = "cobranca", summary = "Créditos da operadora",
    description = "Os créditos da operadora (pagamentos a maior), por número, com a GRU que usou cada um.",
    responses(
        (status = 200, body = super::esquemas::Lista<Credito>),
        super::respostas::ComToken,
    ),
    security(("bearer" = ["financeiro"]), ("oauth2" = ["financeiro"]))
)]
pub async fn creditos(State(app): State<AppState>, cliente: Cliente) -> Result<Response, Problem> {
    let op = operadora(&cliente)?;
    let itens = persus_store::cobranca::creditos_da_operadora(&app.db, &op).await?;
    Ok(Json(super::esquemas::Lista { itens }).into_response())
}
