//! Provisions (issue #14): PEONA SUS with its whole computation, PESL SUS by situation, the
//! runoff triangle, the impact of a parameter change and the what-if, through
//! `servicos::provisoes`. Scope `consulta`: an operator reads its own figures (another
//! operator's are 404, as everywhere in the API); ANS reads every operator's and the sector's;
//! the impact table is ANS's alone (403 for an operator). `formato=csv` gives the same table as
//! a `;`-separated spreadsheet, as the attendance search does.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::NaiveDate;
use persus_domain::ids::RegistroAns;
use persus_domain::provisoes::impacto::LinhaImpacto;
use persus_domain::provisoes::parametros::ParametrosPeona;
use persus_domain::provisoes::triangulo::Triangulo;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::esquemas::Lista;
use super::{Cliente, Consulta};
use crate::app::AppState;
use crate::problem::Problem;
use crate::servicos::provisoes::calculo::{self, DataBase, PeonaOperadora};
use crate::servicos::provisoes::exportar;
use crate::servicos::ServicoError;

// ---- What the API answers ----

/// One version of the standard formula's parameters.
#[derive(Debug, Serialize, ToSchema)]
pub struct ParametrosPeonaSus {
    pub versao: String,
    /// Basis points of E24 (6600 = 66 %).
    pub teto_pb: u32,
    pub janela_inicio: String,
    /// `None` = rolling (6 quarters before the base).
    pub janela_fim: Option<String>,
    pub vigencia_inicio: NaiveDate,
    pub vigencia_fim: Option<NaiveDate>,
    pub atualizacao_anual: bool,
    pub certeza: String,
    pub fonte: String,
}

impl From<&ParametrosPeona> for ParametrosPeonaSus {
    fn from(p: &ParametrosPeona) -> Self {
        ParametrosPeonaSus {
            versao: p.versao.clone(),
            teto_pb: p.teto_pb,
            janela_inicio: p.janela_inicio.to_string(),
            janela_fim: p.janela_fim.map(|b| b.to_string()),
            vigencia_inicio: p.vigencia_inicio,
            vigencia_fim: p.vigencia_fim,
            atualizacao_anual: p.atualizacao_anual,
            certeza: p.certeza.clone(),
            fonte: p.fonte.clone(),
        }
    }
}

/// One quarter of the Fator Individual's window.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrimestreJanela {
    pub trimestre: String,
    pub eona_centavos: i64,
    pub e24_centavos: i64,
    pub razao: Option<f64>,
}

/// One operator's PEONA SUS with every figure of its computation.
#[derive(Debug, Serialize, ToSchema)]
pub struct PeonaSus {
    pub operadora: String,
    pub data_base: NaiveDate,
    pub trimestre_base: String,
    pub parametros: ParametrosPeonaSus,
    pub janela_inicio: Option<String>,
    pub janela_fim: Option<String>,
    pub trimestres: Vec<TrimestreJanela>,
    pub trimestres_na_media: usize,
    pub fator_individual: Option<f64>,
    pub e24_centavos: i64,
    pub teto_centavos: i64,
    pub fator_centavos: Option<i64>,
    pub peona_centavos: i64,
    pub limitante: String,
    pub limitante_rotulo: String,
}

impl From<&PeonaOperadora> for PeonaSus {
    fn from(p: &PeonaOperadora) -> Self {
        let c = &p.calculo;
        PeonaSus {
            operadora: p.operadora.clone(),
            data_base: p.data_base.dia,
            trimestre_base: c.base.to_string(),
            parametros: (&p.parametros).into(),
            janela_inicio: c.janela.map(|(a, _)| a.to_string()),
            janela_fim: c.janela.map(|(_, b)| b.to_string()),
            trimestres: c
                .trimestres
                .iter()
                .map(|t| TrimestreJanela {
                    trimestre: t.trimestre.to_string(),
                    eona_centavos: t.eona_centavos,
                    e24_centavos: t.e24_centavos,
                    razao: t.razao,
                })
                .collect(),
            trimestres_na_media: c.trimestres_na_media,
            fator_individual: c.fator_individual,
            e24_centavos: c.e24_centavos,
            teto_centavos: c.teto_centavos,
            fator_centavos: c.fator_centavos,
            peona_centavos: c.peona_centavos,
            limitante: c.limitante.as_str().to_owned(),
            limitante_rotulo: c.limitante.rotulo().to_owned(),
        }
    }
}

/// PESL SUS of one operator in one situation.
#[derive(Debug, Serialize, ToSchema)]
pub struct LinhaPeslSus {
    pub operadora: String,
    pub situacao: String,
    pub situacao_rotulo: String,
    pub quantidade: i64,
    pub valor_centavos: i64,
    pub exige_lastro: bool,
}

/// One occurrence quarter of the runoff triangle.
#[derive(Debug, Serialize, ToSchema)]
pub struct LinhaTriangulo {
    pub ocorrencia: String,
    pub valores_centavos: Vec<i64>,
    pub quantidades: Vec<i64>,
    pub acumulado_pct: Vec<Option<f64>>,
    pub total_centavos: i64,
    pub total_quantidade: i64,
}

/// The runoff triangle.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrianguloRunoff {
    pub operadora: Option<String>,
    pub data_base: NaiveDate,
    pub desde: String,
    pub ate: String,
    pub desenvolvimento_pct: Vec<Option<f64>>,
    pub linhas: Vec<LinhaTriangulo>,
}

impl TrianguloRunoff {
    fn de(t: &Triangulo, operadora: Option<String>, base: DataBase) -> TrianguloRunoff {
        TrianguloRunoff {
            operadora,
            data_base: base.dia,
            desde: t.desde.to_string(),
            ate: t.ate.to_string(),
            desenvolvimento_pct: t.desenvolvimento_pct(),
            linhas: t
                .linhas
                .iter()
                .map(|l| LinhaTriangulo {
                    ocorrencia: l.ocorrencia.to_string(),
                    acumulado_pct: l.acumulado_pct(),
                    valores_centavos: l.valores.clone(),
                    quantidades: l.quantidades.clone(),
                    total_centavos: l.total_centavos,
                    total_quantidade: l.total_quantidade,
                })
                .collect(),
        }
    }
}

/// One line of the impact table.
#[derive(Debug, Serialize, ToSchema)]
pub struct LinhaImpactoPeona {
    pub sentido: Option<String>,
    pub rotulo: String,
    pub operadoras: usize,
    pub pct_operadoras: f64,
    pub beneficiarios_mh: i64,
    pub pct_beneficiarios_mh: f64,
    pub variacao_centavos: i64,
}

impl From<&LinhaImpacto> for LinhaImpactoPeona {
    fn from(l: &LinhaImpacto) -> Self {
        LinhaImpactoPeona {
            sentido: l.sentido.map(|s| s.as_str().to_owned()),
            rotulo: l.sentido.map_or("Total", |s| s.rotulo()).to_owned(),
            operadoras: l.operadoras,
            pct_operadoras: l.pct_operadoras,
            beneficiarios_mh: l.beneficiarios_mh,
            pct_beneficiarios_mh: l.pct_beneficiarios_mh,
            variacao_centavos: l.variacao_centavos,
        }
    }
}

/// A line of the change in the sufficiency of guarantee assets.
#[derive(Debug, Serialize, ToSchema)]
pub struct LinhaSuficiencia {
    pub mudanca: String,
    pub rotulo: String,
    pub operadoras: usize,
}

/// One operator under both parameter versions.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImpactoOperadora {
    pub operadora: String,
    pub beneficiarios_mh: i64,
    pub antes_centavos: i64,
    pub depois_centavos: i64,
    pub metodologia_propria: bool,
    pub sentido: String,
    pub suficiencia: String,
}

/// The impact of a parameter change on every operator.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImpactoPeona {
    pub data_base: NaiveDate,
    pub de: ParametrosPeonaSus,
    pub para: ParametrosPeonaSus,
    pub linhas: Vec<LinhaImpactoPeona>,
    pub total: LinhaImpactoPeona,
    pub suficiencia: Vec<LinhaSuficiencia>,
    pub operadoras: Vec<ImpactoOperadora>,
}

/// The what-if.
#[derive(Debug, Serialize, ToSchema)]
pub struct SimulacaoPeona {
    pub operadora: Option<String>,
    pub data_base: NaiveDate,
    pub trimestres: u32,
    pub atual_centavos: i64,
    pub simulada_centavos: i64,
    pub variacao_centavos: i64,
}

// ---- Queries ----

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FiltroPeona {
    pub data_base: Option<String>,
    pub versao: Option<String>,
    pub operadora: Option<String>,
    pub formato: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FiltroPesl {
    pub data_base: Option<String>,
    pub operadora: Option<String>,
    pub formato: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FiltroTriangulo {
    pub data_base: Option<String>,
    pub desde: Option<String>,
    pub operadora: Option<String>,
    pub formato: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FiltroImpacto {
    pub data_base: Option<String>,
    pub de: Option<String>,
    pub para: Option<String>,
    pub formato: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FiltroSimulacao {
    pub trimestres: Option<String>,
    pub data_base: Option<String>,
    pub operadora: Option<String>,
}

/// The version of the rule in force that the impact compares by default (RN 574, 66 %).
pub const IMPACTO_DE: &str = "rn574-66";
/// The proposal it compares with by default (RN 640/2025, the 2024 proposal).
pub const IMPACTO_PARA: &str = "rn640-65";

/// `json` (default) or `csv`.
fn csv(formato: Option<&str>) -> Result<bool, ServicoError> {
    match formato {
        None | Some("json") => Ok(false),
        Some("csv") => Ok(true),
        Some(f) => Err(ServicoError::campo(
            "formato",
            format!("formato \"{f}\" inválido: use json ou csv"),
        )),
    }
}

/// Whose figures: an operator's token its own (another operator's: 404); ANS the one asked
/// for (a valid ANS register) or, without it, every operator / the sector.
fn alvo(c: &Cliente, operadora: Option<&str>) -> Result<Option<String>, Problem> {
    let pedida = operadora.map(str::trim).filter(|o| !o.is_empty());
    match (&c.operadora, pedida) {
        (Some(propria), Some(o)) if o != propria => {
            Err(Problem::not_found(&format!("Operadora {o}")))
        }
        (Some(propria), _) => Ok(Some(propria.clone())),
        (None, Some(o)) => {
            let r = RegistroAns::parse(o).map_err(|e| {
                ServicoError::campo("operadora", format!("registro ANS \"{o}\" inválido: {e}"))
            })?;
            Ok(Some(r.to_string()))
        }
        (None, None) => Ok(None),
    }
}

fn base(app: &AppState, texto: Option<&str>) -> Result<DataBase, ServicoError> {
    DataBase::ou_hoje(texto, app.relogio.hoje())
}

fn planilha(nome: &str, corpo: Vec<u8>) -> Response {
    crate::anexo::resposta("text/csv; charset=utf-8", nome, corpo)
}

// ---- Operations ----

/// `GET /api/v1/provisoes/peona?data_base=&versao=&operadora=&formato=`.
#[utoipa::path(
    get, path = "/api/v1/provisoes/peona", tag = "provisoes",
    summary = "PEONA SUS pela fórmula padrão, com cada número do cálculo (formato=csv para planilha)",
    description = "PEONA SUS pela fórmula padrão da RN 574/2023, Anexo VIII: o menor entre fator teto × eventos avisados em 24 meses (E24) e fator individual × E24, onde o fator individual é a média geométrica de EONA SUS_t / E24_t nos trimestres t da janela A..B. Traz os parâmetros aplicados (com a fonte), cada trimestre da janela, os dois termos e qual deles limitou. A operadora recebe só a sua (uma linha em itens); a ANS recebe a da operadora pedida ou a de todas as operadoras com eventos avisados. Com formato=csv, uma planilha (separador ';', decimais com vírgula).",
    params(
        ("data_base" = Option<String>, Query, description = "Data-base (AAAA-MM-DD ou DD/MM/AAAA); o cálculo usa o último trimestre encerrado nela. Padrão: hoje.", example = "2025-06-30"),
        ("versao" = Option<String>, Query, description = "Versão dos parâmetros (rn574-115, rn574-80, rn574-66, rn640-65 ou uma aprovada pela ANS). Padrão: a vigente na data-base.", example = "rn574-66"),
        ("operadora" = Option<String>, Query, description = "Registro ANS (6 dígitos). A ANS escolhe a operadora; para a operadora, só o seu (outro é 404). Padrão: a própria operadora, ou todas para a ANS.", example = "368253"),
        ("formato" = Option<String>, Query, description = "json (padrão) ou csv: planilha separada por ';', decimais com vírgula.", example = "json"),
    ),
    responses(
        (status = 200, description = "JSON; text/csv com formato=csv", content(
            (Lista<PeonaSus> = "application/json", example = json!({"itens": [exemplo_peona()]})),
            (String = "text/csv", example = json!("registro_ans;data_base;trimestre_base;versao;fator_teto_pct;janela;eventos_24_meses;teto_x_eventos;fator_individual;fator_x_eventos;peona_sus;limitante\n368253;30/06/2025;2T2025;rn574-66;66,00;4T2018–1T2020;1250000,00;825000,00;0,291640;364550,00;364550,00;Fator individual × eventos de 24 meses\n")),
        )),
        super::respostas::NaoEncontrado, super::respostas::Invalido, super::respostas::ComToken,
    ),
    security(("bearer" = ["consulta"]), ("oauth2" = ["consulta"]))
)]
pub async fn peona(
    State(app): State<AppState>,
    cliente: Cliente,
    Consulta(f): Consulta<FiltroPeona>,
) -> Result<Response, Problem> {
    cliente.exigir("consulta")?;
    let quem = alvo(&cliente, f.operadora.as_deref())?;
    let em_csv = csv(f.formato.as_deref())?;
    let b = base(&app, f.data_base.as_deref())?;
    let versao = f.versao.as_deref().map(str::trim).filter(|v| !v.is_empty());
    let linhas = match &quem {
        Some(o) => vec![calculo::peona_operadora(&app.db, o, b, versao).await?],
        None => calculo::peona_todas(&app.db, b, versao).await?,
    };
    if em_csv {
        return Ok(planilha("peona-sus.csv", exportar::peona(&linhas)?));
    }
    Ok(Json(Lista {
        itens: linhas.iter().map(PeonaSus::from).collect::<Vec<_>>(),
    })
    .into_response())
}

/// `GET /api/v1/provisoes/pesl?data_base=&operadora=&formato=`.
#[utoipa::path(
    get, path = "/api/v1/provisoes/pesl", tag = "provisoes",
    summary = "PESL SUS por situação: o avisado e ainda não pago (formato=csv para planilha)",
    description = "PESL SUS: o que foi avisado à operadora (Ofício ABI disponibilizado até a data-base) e não está pago, por operadora e situação — em prazo de impugnação ou recurso, em análise, devido sem GRU, em GRU emitida, parcelado; o parcelado com 3 ou mais parcelas pagas não exige lastro (RN 329/2013, art. 2º, §3º). A situação é a de hoje; a data-base filtra o aviso e os pagamentos. A operadora recebe só a sua; a ANS, a pedida ou todas. Com formato=csv, uma planilha.",
    params(
        ("data_base" = Option<String>, Query, description = "Data-base (AAAA-MM-DD ou DD/MM/AAAA). Padrão: hoje.", example = "2025-06-30"),
        ("operadora" = Option<String>, Query, description = "Registro ANS (6 dígitos). A ANS escolhe a operadora; para a operadora, só o seu (outro é 404). Padrão: a própria operadora, ou todas para a ANS.", example = "368253"),
        ("formato" = Option<String>, Query, description = "json (padrão) ou csv: planilha separada por ';', decimais com vírgula.", example = "json"),
    ),
    responses(
        (status = 200, description = "JSON; text/csv com formato=csv", content(
            (Lista<LinhaPeslSus> = "application/json", example = json!({"itens": [{"operadora": "368253", "situacao": "prazo_impugnacao", "situacao_rotulo": "Em prazo de impugnação ou recurso", "quantidade": 42, "valor_centavos": 8_754_321, "exige_lastro": true}]})),
            (String = "text/csv", example = json!("registro_ans;situacao;atendimentos;valor;exige_lastro\n368253;Em prazo de impugnação ou recurso;42;87543,21;sim\n")),
        )),
        super::respostas::NaoEncontrado, super::respostas::Invalido, super::respostas::ComToken,
    ),
    security(("bearer" = ["consulta"]), ("oauth2" = ["consulta"]))
)]
pub async fn pesl(
    State(app): State<AppState>,
    cliente: Cliente,
    Consulta(f): Consulta<FiltroPesl>,
) -> Result<Response, Problem> {
    cliente.exigir("consulta")?;
    let quem = alvo(&cliente, f.operadora.as_deref())?;
    let em_csv = csv(f.formato.as_deref())?;
    let b = base(&app, f.data_base.as_deref())?;
    let linhas = calculo::pesl(&app.db, quem.as_deref(), b).await?;
    if em_csv {
        return Ok(planilha("pesl-sus.csv", exportar::pesl(&linhas)?));
    }
    Ok(Json(Lista {
        itens: linhas
            .iter()
            .map(|l| LinhaPeslSus {
                operadora: l.operadora.clone(),
                situacao: l.situacao.as_str().to_owned(),
                situacao_rotulo: l.situacao.rotulo().to_owned(),
                quantidade: l.quantidade,
                valor_centavos: l.valor_centavos,
                exige_lastro: calculo::exige_lastro(l.situacao),
            })
            .collect::<Vec<_>>(),
    })
    .into_response())
}

/// `GET /api/v1/provisoes/triangulo?data_base=&desde=&operadora=&formato=`.
#[utoipa::path(
    get, path = "/api/v1/provisoes/triangulo", tag = "provisoes",
    summary = "Triângulo de runoff: trimestre de ocorrência × trimestres até o aviso (formato=csv para planilha)",
    description = "O triângulo de runoff no leiaute do estudo anual da ANS: por trimestre de ocorrência (data do atendimento), o valor e a quantidade avisados após 0, 1, 2… trimestres (disponibilização do Ofício ABI), e o percentual acumulado da linha. Só conta o devido ou cobrável (anulados ficam fora). A operadora recebe o seu; a ANS, o do setor ou o da operadora pedida. Com formato=csv, os percentuais acumulados por linha.",
    params(
        ("data_base" = Option<String>, Query, description = "Data-base (AAAA-MM-DD ou DD/MM/AAAA): o último trimestre encerrado nela é o último do triângulo. Padrão: hoje.", example = "2025-06-30"),
        ("desde" = Option<String>, Query, description = "Primeiro trimestre de ocorrência, no formato 1T2016. Padrão: 1T2016.", example = "1T2016"),
        ("operadora" = Option<String>, Query, description = "Registro ANS (6 dígitos). A ANS escolhe a operadora; para a operadora, só o seu (outro é 404). Padrão: a própria operadora, ou o setor para a ANS.", example = "368253"),
        ("formato" = Option<String>, Query, description = "json (padrão) ou csv: planilha separada por ';', decimais com vírgula.", example = "json"),
    ),
    responses(
        (status = 200, description = "JSON; text/csv com formato=csv", content(
            (TrianguloRunoff = "application/json", example = json!({"operadora": null, "data_base": "2025-06-30", "desde": "2T2024", "ate": "2T2025", "desenvolvimento_pct": [70.8, 100.0], "linhas": [{"ocorrencia": "2T2024", "valores_centavos": [0, 0, 0, 0, 708_000], "quantidades": [0, 0, 0, 0, 12], "acumulado_pct": [null, null, null, null, 100.0], "total_centavos": 708_000, "total_quantidade": 12}]})),
            (String = "text/csv", example = json!("trimestre_ocorrencia;0;1;2;3;4;valor_avisado;atendimentos\n2T2024;;;;;100,00;7080,00;12\n")),
        )),
        super::respostas::NaoEncontrado, super::respostas::Invalido, super::respostas::ComToken,
    ),
    security(("bearer" = ["consulta"]), ("oauth2" = ["consulta"]))
)]
pub async fn triangulo(
    State(app): State<AppState>,
    cliente: Cliente,
    Consulta(f): Consulta<FiltroTriangulo>,
) -> Result<Response, Problem> {
    cliente.exigir("consulta")?;
    let quem = alvo(&cliente, f.operadora.as_deref())?;
    let em_csv = csv(f.formato.as_deref())?;
    let b = base(&app, f.data_base.as_deref())?;
    let desde = f
        .desde
        .as_deref()
        .filter(|d| !d.trim().is_empty())
        .map(|d| calculo::ler_trimestre("desde", d))
        .transpose()?;
    let t = calculo::triangulo(&app.db, quem.as_deref(), b, desde).await?;
    if em_csv {
        return Ok(planilha(
            "triangulo-runoff.csv",
            exportar::triangulo_pct(&t)?,
        ));
    }
    Ok(Json(TrianguloRunoff::de(&t, quem, b)).into_response())
}

/// `GET /api/v1/provisoes/impacto?data_base=&de=&para=&formato=` (ANS only).
#[utoipa::path(
    get, path = "/api/v1/provisoes/impacto", tag = "provisoes",
    summary = "Impacto de uma mudança de parâmetros da PEONA SUS em todas as operadoras (só a ANS)",
    description = "A tabela do estudo da ANS: operadoras com aumento, redução ou sem alteração da PEONA SUS ao passar da versão de parâmetros `de` para `para`, com a parcela das operadoras e dos beneficiários médico-hospitalares e a variação total; a alteração na suficiência dos ativos garantidores; e cada operadora. Só a ANS (a operadora recebe 403). Com formato=csv, uma planilha.",
    params(
        ("data_base" = Option<String>, Query, description = "Data-base (AAAA-MM-DD ou DD/MM/AAAA). Padrão: hoje.", example = "2025-06-30"),
        ("de" = Option<String>, Query, description = "Versão de parâmetros em vigor a comparar. Padrão: rn574-66.", example = "rn574-66"),
        ("para" = Option<String>, Query, description = "Versão proposta. Padrão: rn640-65 (a proposta de 2024).", example = "rn640-65"),
        ("formato" = Option<String>, Query, description = "json (padrão) ou csv: planilha separada por ';', decimais com vírgula.", example = "json"),
    ),
    responses(
        (status = 200, description = "JSON; text/csv com formato=csv", content(
            (ImpactoPeona = "application/json", example = json!(exemplo_impacto())),
            (String = "text/csv", example = json!("linha;operadoras;pct_operadoras;pct_beneficiarios_mh;valor\nAumento de PEONA SUS;1;50,00;60,00;1250,00\n")),
        )),
        super::respostas::Invalido, super::respostas::ComToken,
    ),
    security(("bearer" = ["consulta"]), ("oauth2" = ["consulta"]))
)]
pub async fn impacto(
    State(app): State<AppState>,
    cliente: Cliente,
    Consulta(f): Consulta<FiltroImpacto>,
) -> Result<Response, Problem> {
    cliente.exigir("consulta")?;
    if !cliente.ans() {
        return Err(Problem::new(
            StatusCode::FORBIDDEN,
            "somente-ans",
            "Operação da ANS",
        )
        .detail("O impacto de uma mudança de parâmetros em todas as operadoras é consultado só pela ANS; a operadora consulta a sua PEONA SUS em /api/v1/provisoes/peona."));
    }
    let em_csv = csv(f.formato.as_deref())?;
    let b = base(&app, f.data_base.as_deref())?;
    let nome = |v: &Option<String>, padrao: &'static str| {
        v.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .unwrap_or(padrao)
            .to_owned()
    };
    let i = calculo::impacto(
        &app.db,
        b,
        &nome(&f.de, IMPACTO_DE),
        &nome(&f.para, IMPACTO_PARA),
    )
    .await?;
    if em_csv {
        return Ok(planilha("impacto-peona-sus.csv", exportar::impacto(&i)?));
    }
    Ok(Json(ImpactoPeona {
        data_base: b.dia,
        de: (&i.de).into(),
        para: (&i.para).into(),
        linhas: i.tabela.linhas.iter().map(Into::into).collect(),
        total: (&i.tabela.total).into(),
        suficiencia: i
            .tabela
            .suficiencia
            .iter()
            .map(|(m, n)| LinhaSuficiencia {
                mudanca: m.as_str().to_owned(),
                rotulo: m.rotulo().to_owned(),
                operadoras: *n,
            })
            .collect(),
        operadoras: i
            .operadoras
            .iter()
            .map(|o| ImpactoOperadora {
                operadora: o.operadora.clone(),
                beneficiarios_mh: o.beneficiarios_mh,
                antes_centavos: o.antes_centavos,
                depois_centavos: o.depois_efetivo(),
                metodologia_propria: o.metodologia_propria,
                sentido: o.sentido().as_str().to_owned(),
                suficiencia: o.suficiencia().as_str().to_owned(),
            })
            .collect(),
    })
    .into_response())
}

/// `GET /api/v1/provisoes/simulacao?trimestres=&data_base=&operadora=`.
#[utoipa::path(
    get, path = "/api/v1/provisoes/simulacao", tag = "provisoes",
    summary = "E se os ABIs saíssem antes? PEONA SUS hoje e com o aviso N trimestres mais cedo",
    description = "Simulação: a PEONA SUS na data-base (parâmetros vigentes) e a que resultaria se cada aviso tivesse saído N trimestres antes (nunca antes do trimestre do atendimento). A operadora simula a sua; a ANS, a de uma operadora ou a do setor (soma das operadoras).",
    params(
        ("trimestres" = Option<String>, Query, description = "Trimestres de antecipação do aviso, de 1 a 8. Padrão: 1.", example = "2"),
        ("data_base" = Option<String>, Query, description = "Data-base (AAAA-MM-DD ou DD/MM/AAAA). Padrão: hoje.", example = "2025-06-30"),
        ("operadora" = Option<String>, Query, description = "Registro ANS (6 dígitos). A ANS escolhe a operadora; para a operadora, só o seu (outro é 404). Padrão: a própria operadora, ou o setor para a ANS.", example = "368253"),
    ),
    responses(
        (status = 200, body = SimulacaoPeona, example = json!({"operadora": "368253", "data_base": "2025-06-30", "trimestres": 2, "atual_centavos": 36_455_000, "simulada_centavos": 12_100_000, "variacao_centavos": -24_355_000})),
        super::respostas::NaoEncontrado, super::respostas::Invalido, super::respostas::ComToken,
    ),
    security(("bearer" = ["consulta"]), ("oauth2" = ["consulta"]))
)]
pub async fn simulacao(
    State(app): State<AppState>,
    cliente: Cliente,
    Consulta(f): Consulta<FiltroSimulacao>,
) -> Result<Response, Problem> {
    cliente.exigir("consulta")?;
    let quem = alvo(&cliente, f.operadora.as_deref())?;
    let b = base(&app, f.data_base.as_deref())?;
    let n = trimestres(f.trimestres.as_deref())?;
    let s = calculo::simular_antecipacao(&app.db, quem.as_deref(), b, n).await?;
    Ok(Json(SimulacaoPeona {
        operadora: quem,
        data_base: b.dia,
        trimestres: s.trimestres,
        atual_centavos: s.atual_centavos,
        simulada_centavos: s.simulada_centavos,
        variacao_centavos: s.simulada_centavos - s.atual_centavos,
    })
    .into_response())
}

/// The what-if's quarters as typed (1 when absent); the range is the service's.
pub fn trimestres(texto: Option<&str>) -> Result<u32, ServicoError> {
    match texto.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(1),
        Some(t) => t.parse().map_err(|_| {
            ServicoError::campo(
                "trimestres",
                format!("trimestres \"{t}\" inválido: informe um número de 1 a 8"),
            )
        }),
    }
}

fn exemplo_peona() -> serde_json::Value {
    serde_json::json!({
        "operadora": "368253",
        "data_base": "2025-06-30",
        "trimestre_base": "2T2025",
        "parametros": {
            "versao": "rn574-66", "teto_pb": 6600, "janela_inicio": "4T2018", "janela_fim": "1T2020",
            "vigencia_inicio": "2024-02-01", "vigencia_fim": "2025-07-31", "atualizacao_anual": false,
            "certeza": "V", "fonte": "ANS, página PEONA SUS; RN 574/2023, Anexo VIII"
        },
        "janela_inicio": "4T2018",
        "janela_fim": "1T2020",
        "trimestres": [
            {"trimestre": "4T2018", "eona_centavos": 30_000_000, "e24_centavos": 100_000_000, "razao": 0.3},
            {"trimestre": "1T2019", "eona_centavos": 28_000_000, "e24_centavos": 100_000_000, "razao": 0.28}
        ],
        "trimestres_na_media": 2,
        "fator_individual": 0.289_827,
        "e24_centavos": 125_000_000,
        "teto_centavos": 82_500_000,
        "fator_centavos": 36_228_375,
        "peona_centavos": 36_228_375,
        "limitante": "fator_individual",
        "limitante_rotulo": "Fator individual × eventos de 24 meses"
    })
}

fn exemplo_impacto() -> serde_json::Value {
    let p = |v: &str, teto: u32, a: &str, b: &str| {
        serde_json::json!({"versao": v, "teto_pb": teto, "janela_inicio": a, "janela_fim": b,
            "vigencia_inicio": "2024-02-01", "vigencia_fim": null, "atualizacao_anual": false,
            "certeza": "V", "fonte": "ANS, página PEONA SUS"})
    };
    let linha = |s: Option<&str>, r: &str, n: u32, po: f64, b: i64, pb: f64, v: i64| {
        serde_json::json!({"sentido": s, "rotulo": r, "operadoras": n, "pct_operadoras": po,
            "beneficiarios_mh": b, "pct_beneficiarios_mh": pb, "variacao_centavos": v})
    };
    serde_json::json!({
        "data_base": "2025-06-30",
        "de": p("rn574-66", 6600, "4T2018", "1T2020"),
        "para": p("rn640-65", 6500, "3T2021", "4T2022"),
        "linhas": [
            linha(Some("aumento"), "Aumento de PEONA SUS", 1, 50.0, 60_000, 60.0, 125_000),
            linha(Some("reducao"), "Redução de PEONA SUS", 1, 50.0, 40_000, 40.0, -50_000),
            linha(Some("sem_alteracao"), "Sem alteração de PEONA SUS", 0, 0.0, 0, 0.0, 0)
        ],
        "total": linha(None, "Total", 2, 100.0, 100_000, 100.0, 75_000),
        "suficiencia": [
            {"mudanca": "nao_alterou", "rotulo": "Não alterou", "operadoras": 2},
            {"mudanca": "ficou_suficiente", "rotulo": "Ficou suficiente", "operadoras": 0},
            {"mudanca": "ficou_insuficiente", "rotulo": "Ficou insuficiente", "operadoras": 0},
            {"mudanca": "sem_ativos", "rotulo": "Sem dados de ativos garantidores", "operadoras": 0}
        ],
        "operadoras": [
            {"operadora": "368253", "beneficiarios_mh": 60_000, "antes_centavos": 1_000_000, "depois_centavos": 1_125_000, "metodologia_propria": false, "sentido": "aumento", "suficiencia": "nao_alterou"}
        ]
    })
}
