//! ANS's provisions page (issue #14): the sector's runoff triangle as a heat map in the seed's
//! layout, the impact of a parameter change (the rule in force against the 2024 proposal by
//! default) with the sufficiency lines and a histogram of each operator's change, every
//! operator's PEONA SUS and PESL SUS, the parameter versions — built in and proposed by the
//! yearly study, which ANS's admin approves or rejects (confirmation, POST, audited through
//! `persus_store::provisoes::decidir`, then 303 back with a one-time message) — and CSV
//! downloads. One operator's computation opens step by step as the operator sees it.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};
use persus_domain::ids::RegistroAns;
use persus_domain::provisoes::impacto::Sentido;
use persus_domain::provisoes::triangulo::Triangulo;
use persus_store::provisoes::{self as store, EstadoParametros};

use crate::servicos::provisoes::parametros;
use serde::Deserialize;

use super::super::flash::{self, Aviso};
use super::super::layout::{barras, pagina, rolavel};
use super::super::operadora::provisoes::{
    explicar, form_data_base, grafico_runoff, pct, tabela_pesl, trimestre_extenso,
};
use super::super::{data, falha, nao_encontrado, proibido, reais, Sessao};
use super::{campo, pares};
use crate::api::provisoes::{IMPACTO_DE, IMPACTO_PARA};
use crate::app::AppState;
use crate::servicos::provisoes::calculo::{self, DataBase, ImpactoMudanca};
use crate::servicos::provisoes::exportar;
use crate::servicos::ServicoError;

const CAMINHO: &str = "/ans/provisoes";
const TITULO: &str = "Provisões do ressarcimento ao SUS — setor";

#[derive(Debug, Default, Deserialize)]
pub struct Filtro {
    pub data_base: Option<String>,
    pub de: Option<String>,
    pub para: Option<String>,
}

impl Filtro {
    fn de(&self) -> &str {
        self.de
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .unwrap_or(IMPACTO_DE)
    }

    fn para(&self) -> &str {
        self.para
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .unwrap_or(IMPACTO_PARA)
    }
}

/// Every ANS person reads the provisions; approving parameters is the admin's.
fn pode_ver(s: &Sessao) -> bool {
    s.ans()
}

/// The heat map's class of a cumulative percentage: `calor-0` … `calor-10` (CSS in
/// persus.css, text colour chosen for contrast on each background).
pub fn classe_calor(p: f64) -> String {
    format!("calor-{}", ((p / 10.0).floor() as i64).clamp(0, 10))
}

/// The sector triangle in the seed's layout: rows "1º trimestre de 2016", columns the quarters
/// elapsed from the first with any notification, each row shown up to its first 100 %.
pub fn mapa_de_calor(t: &Triangulo) -> Markup {
    let pcts: Vec<Vec<Option<f64>>> = t.linhas.iter().map(|l| l.acumulado_pct()).collect();
    let primeira = pcts
        .iter()
        .filter_map(|p| p.iter().position(Option::is_some))
        .min()
        .unwrap_or(0);
    let ultima = t.maior_defasagem().max(primeira);
    let visivel = |p: &[Option<f64>], d: usize| -> Option<f64> {
        let v = p.get(d).copied().flatten()?;
        // Blank after the row first reached 100 % (as the seed's table).
        let antes = d.checked_sub(1).and_then(|a| p.get(a).copied().flatten());
        (antes.is_none_or(|a| a < 99.995)).then_some(v)
    };
    html! {
        (rolavel("Triângulo de runoff do setor", html! {
            table.persus.persus-calor id="triangulo" {
                caption { "Triângulo de runoff — percentual acumulado avisado por trimestres decorridos desde a ocorrência" }
                thead {
                    tr { th scope="col" rowspan="2" { "Trimestre de ocorrência" } th scope="colgroup" colspan=(ultima - primeira + 1) { "Trimestres decorridos" } }
                    tr { @for d in primeira..=ultima { th scope="col" .num { (d) } } }
                }
                tbody {
                    @for (l, p) in t.linhas.iter().zip(&pcts) {
                        @if l.total_centavos > 0 {
                            tr {
                                th scope="row" { (trimestre_extenso(l.ocorrencia)) }
                                @for d in primeira..=ultima {
                                    @match visivel(p, d) {
                                        Some(v) => td class=(format!("num {}", classe_calor(v))) { (pct(v)) },
                                        None => td {},
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }))
    }
}

/// The seed's impact table and the sufficiency lines.
fn tabela_impacto(i: &ImpactoMudanca) -> Markup {
    html! {
        (rolavel("Impacto da mudança de parâmetros", html! {
            table.persus id="impacto" {
                caption { "Impacto de " (i.de.versao) " (teto " (i.de.teto_rotulo()) ") para " (i.para.versao) " (teto " (i.para.teto_rotulo()) ")" }
                thead { tr {
                    th scope="col" {}
                    th scope="col" .num { "OPS" }
                    th scope="col" .num { "% OPS" }
                    th scope="col" .num { "% Beneficiários MH" }
                    th scope="col" .num { "Valor" }
                } }
                tbody {
                    @for l in &i.tabela.linhas {
                        tr {
                            th scope="row" { (l.sentido.map_or("Total", |s| s.rotulo())) }
                            td.num { (l.operadoras) }
                            td.num { (pct(l.pct_operadoras)) }
                            td.num { (pct(l.pct_beneficiarios_mh)) }
                            td.num { @if l.sentido == Some(Sentido::SemAlteracao) { "-" } @else { (reais(l.variacao_centavos)) } }
                        }
                    }
                }
                tfoot { tr {
                    th scope="row" { "Total" }
                    td.num { (i.tabela.total.operadoras) }
                    td.num { (pct(i.tabela.total.pct_operadoras)) }
                    td.num { (pct(i.tabela.total.pct_beneficiarios_mh)) }
                    td.num { (reais(i.tabela.total.variacao_centavos)) }
                } }
            }
            @let proprias = i.operadoras.iter().filter(|o| o.metodologia_propria).count();
            p { (proprias) " operadora(s) com metodologia atuarial própria aprovada pela ANS: a fórmula padrão não se aplica a elas e a mudança de parâmetros não altera sua PEONA SUS (contadas em “Sem alteração”)." }
        }))
        (rolavel("Alteração na suficiência de ativos garantidores", html! {
            table.persus id="suficiencia" {
                caption { "Alteração na suficiência de ativos garantidores por causa da mudança na PEONA SUS" }
                thead { tr { th scope="col" {} th scope="col" .num { "Operadoras" } } }
                tbody {
                    @for (m, n) in &i.tabela.suficiencia {
                        tr { th scope="row" { (m.rotulo()) } td.num { (n) } }
                    }
                }
            }
        }))
    }
}

/// Histogram of each operator's change (after ÷ before − 1), in classes.
fn histograma(i: &ImpactoMudanca) -> Markup {
    const CLASSES: [(&str, f64, f64); 8] = [
        ("Redução acima de 50%", f64::NEG_INFINITY, -50.0),
        ("Redução de 25% a 50%", -50.0, -25.0),
        ("Redução de 10% a 25%", -25.0, -10.0),
        ("Redução de até 10%", -10.0, 0.0),
        ("Aumento de até 10%", 0.0, 10.0),
        ("Aumento de 10% a 25%", 10.0, 25.0),
        ("Aumento de 25% a 50%", 25.0, 50.0),
        ("Aumento acima de 50%", 50.0, f64::INFINITY),
    ];
    let mut n = [0i64; 8];
    let (mut iguais, mut novas) = (0i64, 0i64);
    for o in i
        .operadoras
        .iter()
        .filter(|o| o.antes_centavos > 0 || o.depois_efetivo() > 0)
    {
        if o.antes_centavos == o.depois_efetivo() {
            iguais += 1;
        } else if o.antes_centavos == 0 {
            novas += 1;
        } else {
            let v =
                (o.depois_efetivo() - o.antes_centavos) as f64 * 100.0 / o.antes_centavos as f64;
            // Reductions close on the left (−50 % is "de 25% a 50%"), increases on the right.
            let k = CLASSES
                .iter()
                .position(|(_, de, ate)| {
                    if v < 0.0 {
                        *de <= v && v < *ate
                    } else {
                        *de < v && v <= *ate
                    }
                })
                .unwrap_or(if v < 0.0 { 0 } else { 7 });
            n[k] += 1;
        }
    }
    let mut itens: Vec<(String, i64, String)> = Vec::new();
    for (k, (rotulo, _, _)) in CLASSES.iter().enumerate() {
        if k == 4 {
            itens.push(("Sem alteração".into(), iguais, operadoras(iguais)));
        }
        itens.push(((*rotulo).into(), n[k], operadoras(n[k])));
    }
    itens.push(("Passou a ter exigência".into(), novas, operadoras(novas)));
    barras("Operadoras por variação da PEONA SUS", &itens)
}

fn operadoras(n: i64) -> String {
    if n == 1 {
        "1 operadora".into()
    } else {
        format!("{n} operadoras")
    }
}

/// Parameter versions: the table in force (built in and approved) and the proposals.
fn versoes(
    s: &Sessao,
    tabela: &persus_domain::provisoes::parametros::TabelaParametros,
    propostas: &[store::RegistroParametros],
) -> Markup {
    let admin = s.papel_ans(&[]);
    html! {
        (rolavel("Versões de parâmetros", html! {
            table.persus id="versoes" {
                caption { "Versões dos parâmetros da fórmula padrão em vigor (embutidas e aprovadas)" }
                thead { tr {
                    th scope="col" { "Versão" } th scope="col" { "Fator teto" } th scope="col" { "Janela (A a B)" }
                    th scope="col" { "Vigência" } th scope="col" { "Atualização anual" } th scope="col" { "Fonte" }
                } }
                tbody {
                    @for v in tabela.versoes() {
                        tr {
                            th scope="row" { code { (v.versao) } }
                            td { (v.teto_rotulo()) }
                            td { (v.janela_inicio) " a " @match v.janela_fim { Some(b) => (b), None => "móvel (6 trimestres antes da data-base)" } }
                            td { (data(v.vigencia_inicio)) @match v.vigencia_fim { Some(f) => { " a " (data(f)) }, None => " em diante" } }
                            td { @if v.atualizacao_anual { "Sim" } @else { "Não" } }
                            td { (v.fonte) " [" (v.certeza) "]" }
                        }
                    }
                }
            }
        }))
        h3 { "Propostas dos estudos anuais" }
        @if propostas.is_empty() {
            p { "Nenhuma proposta registrada. O estudo anual (persus peona estudo --ano AAAA) registra uma proposta, que só vale depois de aprovada aqui." }
        } @else {
            (rolavel("Propostas de parâmetros", html! {
                table.persus id="propostas" {
                    caption { "Propostas de parâmetros e decisões da ANS" }
                    thead { tr {
                        th scope="col" { "Versão" } th scope="col" { "Fator teto" } th scope="col" { "Janela" }
                        th scope="col" { "Vigência a partir de" } th scope="col" { "Situação" } th scope="col" { "Ação" }
                    } }
                    tbody {
                        @for r in propostas {
                            @let p = &r.parametros;
                            tr {
                                th scope="row" { code { (p.versao) } }
                                td { (p.teto_rotulo()) }
                                td { (p.janela_inicio) " a " @if let Some(b) = p.janela_fim { (b) } }
                                td { (data(p.vigencia_inicio)) }
                                td {
                                    (r.estado.rotulo())
                                    @if let (Some(em), Some(por)) = (r.decidida_em, &r.decidida_por) {
                                        " por " (por) " em " (data(em.date_naive()))
                                    }
                                }
                                td {
                                    @if admin && r.estado == EstadoParametros::Proposta {
                                        a.br-button.primary.small href=(format!("{CAMINHO}/parametros/{}/aprovar", p.versao)) { "Aprovar" }
                                        " "
                                        a.br-button.secondary.small href=(format!("{CAMINHO}/parametros/{}/rejeitar", p.versao)) { "Rejeitar" }
                                    }
                                }
                            }
                        }
                    }
                }
            }))
        }
    }
}

/// Every operator's PEONA SUS (rule in force) and PESL SUS.
fn lista_operadoras(
    peona: &[calculo::PeonaOperadora],
    pesl: &[calculo::LinhaPesl],
    b: DataBase,
) -> Markup {
    let mut total_pesl: BTreeMap<&str, i64> = BTreeMap::new();
    for l in pesl {
        *total_pesl.entry(l.operadora.as_str()).or_default() += l.valor_centavos;
    }
    let mut ops: BTreeMap<&str, (Option<&calculo::PeonaOperadora>, i64)> = BTreeMap::new();
    for p in peona {
        ops.entry(p.operadora.as_str()).or_default().0 = Some(p);
    }
    for (o, v) in &total_pesl {
        ops.entry(o).or_default().1 = *v;
    }
    html! {
        (rolavel("PEONA SUS e PESL SUS por operadora", html! {
            table.persus id="operadoras" {
                caption { "PEONA SUS (parâmetros vigentes) e PESL SUS por operadora" }
                thead { tr {
                    th scope="col" { "Operadora" } th scope="col" .num { "E24" } th scope="col" .num { "Fator individual" }
                    th scope="col" .num { "PEONA SUS" } th scope="col" { "Limitou" } th scope="col" .num { "PESL SUS" }
                } }
                tbody {
                    @for (o, (p, pesl)) in &ops {
                        tr {
                            th scope="row" { a href=(format!("{CAMINHO}/operadoras/{o}?data_base={}", b.dia)) { (o) } }
                            @if let Some(p) = p {
                                td.num { (reais(p.calculo.e24_centavos)) }
                                td.num { @if let Some(f) = p.calculo.fator_individual { (super::super::operadora::provisoes::fator(f)) } }
                                td.num { (reais(p.calculo.peona_centavos)) }
                                td { (p.calculo.limitante.rotulo()) }
                            } @else {
                                td {} td {} td.num { (reais(0)) } td {}
                            }
                            td.num { (reais(*pesl)) }
                        }
                    }
                }
            }
        }))
    }
}

fn form_impacto(
    b: DataBase,
    f: &Filtro,
    tabela: &persus_domain::provisoes::parametros::TabelaParametros,
) -> Markup {
    let opcoes = |nome: &str, id: &str, rotulo: &str, atual: &str| {
        html! {
            div.br-select.mt-2 {
                label for=(id) { (rotulo) }
                select id=(id) name=(nome) {
                    @for v in tabela.versoes() {
                        option value=(v.versao) selected[v.versao == atual] { (v.versao) " — teto " (v.teto_rotulo()) }
                    }
                }
            }
        }
    };
    html! {
        form.persus-filtro method="get" action=(CAMINHO) {
            input type="hidden" name="data_base" value=(data(b.dia));
            (opcoes("de", "de", "Regra em vigor", f.de()))
            (opcoes("para", "para", "Proposta", f.para()))
            p.mt-2 { button.br-button.secondary type="submit" { "Comparar" } }
        }
    }
}

/// `GET /ans/provisoes?data_base=&de=&para=`.
pub async fn provisoes(
    State(app): State<AppState>,
    s: Sessao,
    headers: HeaderMap,
    Query(f): Query<Filtro>,
) -> Response {
    if !pode_ver(&s) {
        return proibido();
    }
    let aviso = flash::ler(&headers);
    let r = match corpo(&app, &s, &f).await {
        Ok(c) => pagina(
            &app,
            &s,
            CAMINHO,
            TITULO,
            html! { @if let Some(a) = &aviso { (flash::caixa(a)) } div.persus-provisoes { (c) } },
        )
        .into_response(),
        Err(e) => return falha(e),
    };
    match aviso {
        Some(_) => flash::consumido(CAMINHO, r),
        None => r,
    }
}

async fn corpo(app: &AppState, s: &Sessao, f: &Filtro) -> Result<Markup, ServicoError> {
    let b = DataBase::ou_hoje(f.data_base.as_deref(), app.relogio.hoje())?;
    let calculo::Setor {
        tabela,
        triangulo: tri,
        impacto: imp,
        peona,
    } = calculo::setor(&app.db, b, f.de(), f.para()).await?;
    let pesl = calculo::pesl(&app.db, None, b).await?;
    let propostas = store::listar(&app.db).await?;
    let q = format!("?data_base={}&de={}&para={}", b.dia, f.de(), f.para());
    let extras = [("de", f.de()), ("para", f.para())];
    Ok(html! {
        p { "PEONA SUS e PESL SUS de todas as operadoras, calculadas com os dados do ressarcimento: o triângulo de runoff do setor, o impacto de uma mudança de parâmetros e as versões de parâmetros." }
        (form_data_base(CAMINHO, b, &extras))
        section aria-labelledby="triangulo-titulo" {
            h2 id="triangulo-titulo" { "Triângulo de runoff do setor" }
            p { "Cada célula é o percentual acumulado do valor do trimestre de ocorrência avisado até aquele número de trimestres; quanto mais escura, mais perto de 100%." }
            (mapa_de_calor(&tri))
            (grafico_runoff("Desenvolvimento do setor: percentual acumulado avisado por trimestres decorridos", &tri))
        }
        section aria-labelledby="impacto-titulo" {
            h2 id="impacto-titulo" { "Impacto da mudança de parâmetros" }
            (form_impacto(b, f, &tabela))
            (tabela_impacto(&imp))
            (histograma(&imp))
        }
        section aria-labelledby="operadoras-titulo" {
            h2 id="operadoras-titulo" { "Operadoras" }
            (lista_operadoras(&peona, &pesl, b))
            h3 { "PESL SUS do setor por situação" }
            (tabela_pesl(&pesl))
        }
        section aria-labelledby="versoes-titulo" {
            h2 id="versoes-titulo" { "Parâmetros da fórmula padrão" }
            (versoes(s, &tabela, &propostas))
        }
        section aria-labelledby="planilhas-titulo" {
            h2 id="planilhas-titulo" { "Planilhas (CSV)" }
            ul {
                li { a href=(format!("{CAMINHO}/triangulo.csv{q}")) download { "Triângulo de runoff do setor" } }
                li { a href=(format!("{CAMINHO}/impacto.csv{q}")) download { "Impacto da mudança de parâmetros" } }
                li { a href=(format!("{CAMINHO}/peona.csv{q}")) download { "PEONA SUS de todas as operadoras" } }
                li { a href=(format!("{CAMINHO}/pesl.csv{q}")) download { "PESL SUS de todas as operadoras" } }
            }
        }
    })
}

/// `GET /ans/provisoes/{tabela}.csv?data_base=&de=&para=`.
pub async fn provisoes_csv(
    State(app): State<AppState>,
    s: Sessao,
    Path(arquivo): Path<String>,
    Query(f): Query<Filtro>,
) -> Response {
    if !pode_ver(&s) {
        return proibido();
    }
    let r = async {
        let b = DataBase::ou_hoje(f.data_base.as_deref(), app.relogio.hoje())?;
        Ok::<_, ServicoError>(match arquivo.as_str() {
            "triangulo.csv" => Some(exportar::triangulo_pct(
                &calculo::triangulo(&app.db, None, b, None).await?,
            )?),
            "impacto.csv" => Some(exportar::impacto(
                &calculo::impacto(&app.db, b, f.de(), f.para()).await?,
            )?),
            "peona.csv" => Some(exportar::peona(
                &calculo::peona_todas(&app.db, b, None).await?,
            )?),
            "pesl.csv" => Some(exportar::pesl(&calculo::pesl(&app.db, None, b).await?)?),
            _ => None,
        })
    }
    .await;
    match r {
        Ok(Some(corpo)) => crate::anexo::resposta(
            "text/csv; charset=utf-8",
            &format!("setor-{arquivo}"),
            corpo,
        ),
        Ok(None) => nao_encontrado("A planilha"),
        Err(e) => falha(e),
    }
}

/// `GET /ans/provisoes/operadoras/{registro}?data_base=`: one operator's computation.
pub async fn operadora(
    State(app): State<AppState>,
    s: Sessao,
    Path(registro): Path<String>,
    Query(f): Query<Filtro>,
) -> Response {
    if !pode_ver(&s) {
        return proibido();
    }
    let Ok(reg) = RegistroAns::parse(&registro) else {
        return nao_encontrado(&format!("A operadora {registro}"));
    };
    let op = reg.to_string();
    let r = async {
        let b = DataBase::ou_hoje(f.data_base.as_deref(), app.relogio.hoje())?;
        let p = calculo::peona_operadora(&app.db, &op, b, None).await?;
        let e24 = calculo::e24_por_trimestre(&app.db, &op, b).await?;
        let t = calculo::triangulo(&app.db, Some(&op), b, None).await?;
        let pesl = calculo::pesl(&app.db, Some(&op), b).await?;
        Ok::<_, ServicoError>(html! {
            p { a href=(format!("{CAMINHO}?data_base={}", b.dia)) { "← Voltar às provisões do setor" } }
            (form_data_base(&format!("{CAMINHO}/operadoras/{op}"), b, &[]))
            (explicar(&p, &e24))
            h2 { "Runoff da operadora" }
            (grafico_runoff("Percentual acumulado avisado por trimestres decorridos desde o atendimento", &t))
            h2 { "PESL SUS" }
            (tabela_pesl(&pesl))
        })
    }
    .await;
    match r {
        Ok(c) => pagina(
            &app,
            &s,
            CAMINHO,
            &format!("Provisões da operadora {op}"),
            html! { div.persus-provisoes { (c) } },
        )
        .into_response(),
        Err(e) => falha(e),
    }
}

/// `aprovar` / `rejeitar` → (approve?, button, explanation).
fn acao(acao: &str) -> Option<(bool, &'static str, &'static str)> {
    match acao {
        "aprovar" => Some((true, "Aprovar a proposta", "Aprovada, a versão passa a valer na data de início da vigência e encerra a versão vigente na véspera. A decisão fica na trilha de auditoria e não pode ser desfeita.")),
        "rejeitar" => Some((false, "Rejeitar a proposta", "Rejeitada, a versão nunca vale. A decisão fica na trilha de auditoria e não pode ser desfeita.")),
        _ => None,
    }
}

/// `GET /ans/provisoes/parametros/{versao}/{acao}`: the confirmation (admin only).
pub async fn confirmar(
    State(app): State<AppState>,
    s: Sessao,
    Path((versao, nome)): Path<(String, String)>,
) -> Response {
    if !s.papel_ans(&[]) {
        return proibido();
    }
    let Some((_, botao, explicacao)) = acao(&nome) else {
        return nao_encontrado("A ação");
    };
    let proposta = match store::listar(&app.db).await {
        Ok(v) => v.into_iter().find(|r| r.parametros.versao == versao),
        Err(e) => return falha(e.into()),
    };
    let Some(r) = proposta else {
        return nao_encontrado(&format!("A proposta {versao}"));
    };
    let p = &r.parametros;
    let caminho = format!("{CAMINHO}/parametros/{versao}/{nome}");
    let corpo = html! {
        p { "Versão " code { (p.versao) } ": fator teto " (p.teto_rotulo()) ", janela " (p.janela_inicio) " a "
            @if let Some(b) = p.janela_fim { (b) } ", vigência a partir de " (data(p.vigencia_inicio)) ". " (p.fonte) }
        div.br-message.warning role="status" { div.content { span.message-body { (explicacao) } } }
        form method="post" action=(caminho) {
            input type="hidden" name="csrf" value=(s.csrf);
            p.mt-3 {
                button.br-button.primary type="submit" { (botao) }
                " "
                a.br-button.secondary href=(CAMINHO) { "Voltar sem fazer nada" }
            }
        }
    };
    pagina(&app, &s, CAMINHO, &format!("{botao} {versao}"), corpo).into_response()
}

/// `POST /ans/provisoes/parametros/{versao}/{acao}`: decides, audited; 303 back.
pub async fn decidir(
    State(app): State<AppState>,
    s: Sessao,
    Path((versao, nome)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    if !s.papel_ans(&[]) {
        return proibido();
    }
    if let Err(r) = s.conferir(&campo(&pares(&body), "csrf")) {
        return r;
    }
    let Some((aprovar, _, _)) = acao(&nome) else {
        return nao_encontrado("A ação");
    };
    match parametros::decidir(&app.db, &versao, aprovar, &s.ator(), app.relogio.agora()).await {
        Ok(r) => flash::redirecionar(
            CAMINHO,
            &Aviso {
                titulo: format!(
                    "Parâmetros {} {}.",
                    r.parametros.versao,
                    if aprovar { "aprovados" } else { "rejeitados" }
                ),
                texto: if aprovar {
                    format!("Valem a partir de {}.", data(r.parametros.vigencia_inicio))
                } else {
                    "A versão não entra em vigor.".to_owned()
                },
                codigo: None,
            },
        ),
        Err(e) => falha(e),
    }
}
