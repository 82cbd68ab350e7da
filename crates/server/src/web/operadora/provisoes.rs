//! The operator's provisions page (issue #14): its PEONA SUS explained step by step (parameters
//! and source, E24, the window's table, the Fator Individual, both terms and which one bound),
//! a chart of its own runoff with a table alternative, its PESL SUS by situation, the what-if
//! and CSV downloads. Every form is a GET: nothing changes here. The pieces that show a
//! computation are shared with ANS's page (`web::ans::provisoes`).

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};
use persus_domain::acesso::Escopo;
use persus_domain::ids::Trimestre;
use persus_domain::provisoes::triangulo::Triangulo;
use serde::Deserialize;

use super::super::layout::{pagina, rolavel};
use super::super::{data, falha, nao_encontrado, reais, Sessao};
use super::exigir;
use crate::app::AppState;
use crate::servicos::provisoes::calculo::{self, DataBase, LinhaPesl, PeonaOperadora};
use crate::servicos::provisoes::exportar;

const CAMINHO: &str = "/provisoes";
const TITULO: &str = "Provisões do ressarcimento ao SUS";

/// The page's GET forms.
#[derive(Debug, Default, Deserialize)]
pub struct Filtro {
    pub data_base: Option<String>,
    pub trimestres: Option<String>,
}

/// `70,80%`.
pub fn pct(v: f64) -> String {
    format!("{}%", exportar::pct(v))
}

/// A factor with six decimals and a comma: `0,291640`.
pub fn fator(v: f64) -> String {
    format!("{v:.6}").replace('.', ",")
}

/// `1º trimestre de 2016`, as the seed's table writes a quarter.
pub fn trimestre_extenso(t: persus_domain::ids::Trimestre) -> String {
    format!("{}º trimestre de {}", t.numero(), t.ano())
}

/// The base-date form (GET), keeping the other fields of the page.
pub fn form_data_base(acao: &str, base: DataBase, extras: &[(&str, &str)]) -> Markup {
    html! {
        form.persus-filtro method="get" action=(acao) {
            @for (k, v) in extras { input type="hidden" name=(k) value=(v); }
            div.br-input {
                label for="data_base" { "Data-base (DD/MM/AAAA)" }
                input id="data_base" name="data_base" type="text" inputmode="numeric"
                    value=(data(base.dia)) aria-describedby="data_base-ajuda";
                small id="data_base-ajuda" { "O cálculo usa o último trimestre encerrado na data-base." }
            }
            p.mt-2 { button.br-button.secondary type="submit" { "Calcular nesta data-base" } }
        }
    }
}

/// One operator's PEONA SUS, step by step; `e24` = what it had notified in each quarter of
/// the 24 months (`calculo::e24_por_trimestre`).
pub fn explicar(p: &PeonaOperadora, e24: &[(Trimestre, i64)]) -> Markup {
    let c = &p.calculo;
    let par = &p.parametros;
    html! {
        section aria-labelledby="peona-titulo" {
            h2 id="peona-titulo" { "PEONA SUS — fórmula padrão (RN 574/2023, Anexo VIII)" }
            div.cartoes {
                div.cartao { div { "PEONA SUS exigida" } div.valor id="peona-valor" { (reais(c.peona_centavos)) } }
                div.cartao { div { "Data-base" } div.valor { (data(p.data_base.dia)) } div { "trimestre " (c.base) } }
            }
            ol.persus-passos {
                li {
                    strong { "Parâmetros: " } "versão " code { (par.versao) } " — fator teto de " (par.teto_rotulo())
                    @if let Some((a, b)) = c.janela { "; janela do fator individual de " (a) " a " (b) }
                    @else { "; a janela do fator individual ainda não tem trimestres nesta data-base" }
                    ". Vigência desde " (data(par.vigencia_inicio))
                    @if let Some(f) = par.vigencia_fim { " até " (data(f)) }
                    ". Fonte: " (par.fonte) " [" (par.certeza) "]."
                }
                li {
                    strong { "Eventos avisados nos últimos 24 meses (E24): " } (reais(c.e24_centavos))
                    " — o avisado nos 8 trimestres encerrados em " (c.base) ":"
                    (rolavel("Eventos avisados por trimestre", html! {
                        table.persus id="e24" {
                            caption.sr-only { "Eventos avisados em cada trimestre dos 24 meses" }
                            thead { tr { th scope="col" { "Trimestre do aviso" } th scope="col" .num { "Avisado" } } }
                            tbody { @for (t, v) in e24 { tr { th scope="row" { (t) } td.num { (reais(*v)) } } } }
                            tfoot { tr { th scope="row" { "E24" } td.num { (reais(e24.iter().map(|x| x.1).sum::<i64>())) } } }
                        }
                    }))
                }
                li {
                    strong { "Fator individual: " }
                    @match c.fator_individual {
                        Some(f) => { (fator(f)) " — a média geométrica das " (c.trimestres_na_media) " razões EONA SUS ÷ E24 da janela (tabela abaixo)." }
                        None => { "não calculado: não há eventos avisados nos trimestres da janela." }
                    }
                }
                li {
                    strong { "Termo do teto: " } (par.teto_rotulo()) " × " (reais(c.e24_centavos)) " = " (reais(c.teto_centavos)) "."
                }
                li {
                    strong { "Termo do fator individual: " }
                    @match (c.fator_individual, c.fator_centavos) {
                        (Some(f), Some(v)) => { (fator(f)) " × " (reais(c.e24_centavos)) " = " (reais(v)) "." }
                        _ => { "não se aplica (sem fator individual)." }
                    }
                }
                li {
                    strong { "PEONA SUS = o menor dos dois: " } (reais(c.peona_centavos))
                    " — limitou: " em id="limitante" { (c.limitante.rotulo()) } "."
                }
            }
            @if !c.trimestres.is_empty() {
                (rolavel("Janela do fator individual", html! {
                    table.persus id="janela" {
                        caption { "Janela do fator individual: EONA SUS (ocorrido até o fim do trimestre e avisado depois dele) ÷ E24 do trimestre" }
                        thead { tr {
                            th scope="col" { "Trimestre" }
                            th scope="col" .num { "EONA SUS" }
                            th scope="col" .num { "E24" }
                            th scope="col" .num { "Razão" }
                        } }
                        tbody {
                            @for t in &c.trimestres {
                                tr {
                                    th scope="row" { (t.trimestre) }
                                    td.num { (reais(t.eona_centavos)) }
                                    td.num { (reais(t.e24_centavos)) }
                                    td.num { @match t.razao { Some(r) => (fator(r)), None => "fora da média (E24 zero)" } }
                                }
                            }
                        }
                    }
                }))
            }
        }
    }
}

/// The chart of a runoff: cumulative % notified by quarters elapsed, as an SVG line that scales
/// to the width (viewBox), with the same figures in a table for screen readers and for reading.
pub fn grafico_runoff(titulo: &str, t: &Triangulo) -> Markup {
    let pontos: Vec<(usize, f64)> = t
        .desenvolvimento_pct()
        .iter()
        .enumerate()
        .filter_map(|(d, p)| p.map(|p| (d, p)))
        .collect();
    if pontos.is_empty() {
        return html! { p { "Ainda não há histórico avisado suficiente para o gráfico de runoff." } };
    }
    let (l, r, topo, base) = (34.0, 312.0, 12.0, 172.0);
    let n = pontos.last().map_or(1, |p| p.0).max(1) as f64;
    let x = |d: usize| l + (r - l) * d as f64 / n;
    let y = |p: f64| base - (base - topo) * p.clamp(0.0, 100.0) / 100.0;
    let linha: Vec<String> = pontos
        .iter()
        .map(|(d, p)| format!("{:.1},{:.1}", x(*d), y(*p)))
        .collect();
    html! {
        figure.persus-runoff {
            figcaption id="runoff-titulo" { (titulo) }
            svg viewBox="0 0 320 200" width="100%" role="img" aria-labelledby="runoff-titulo" focusable="false" {
                @for g in [0u32, 25, 50, 75, 100] {
                    line x1=(l) x2=(r) y1=(format!("{:.1}", y(f64::from(g)))) y2=(format!("{:.1}", y(f64::from(g)))) stroke="#ccc" stroke-width="0.5" {}
                    text x="30" y=(format!("{:.1}", y(f64::from(g)) + 3.0)) text-anchor="end" font-size="9" fill="#333" { (g) "%" }
                }
                @for (d, _) in &pontos {
                    text x=(format!("{:.1}", x(*d))) y="184" text-anchor="middle" font-size="9" fill="#333" { (d) }
                }
                text x="173" y="197" text-anchor="middle" font-size="9" fill="#333" { "trimestres decorridos até o aviso" }
                polyline points=(linha.join(" ")) fill="none" stroke="#1351b4" stroke-width="2" {}
                @for (d, p) in &pontos {
                    circle cx=(format!("{:.1}", x(*d))) cy=(format!("{:.1}", y(*p))) r="2.5" fill="#1351b4" {}
                }
            }
            details {
                summary { "Ver os números do gráfico" }
                (rolavel("Runoff em tabela", html! {
                    table.persus {
                        caption.sr-only { (titulo) }
                        thead { tr { th scope="col" { "Trimestres decorridos" } th scope="col" .num { "Avisado acumulado" } } }
                        tbody { @for (d, p) in &pontos { tr { td { (d) } td.num { (pct(*p)) } } } }
                    }
                }))
            }
        }
    }
}

/// PESL SUS by situation (one operator, or the sector summed by situation).
pub fn tabela_pesl(linhas: &[LinhaPesl]) -> Markup {
    let mut por: Vec<(calculo::SituacaoPesl, i64, i64)> = Vec::new();
    for s in calculo::SituacaoPesl::TODOS {
        let (n, v) = linhas
            .iter()
            .filter(|l| l.situacao == *s)
            .fold((0, 0), |(n, v), l| (n + l.quantidade, v + l.valor_centavos));
        por.push((*s, n, v));
    }
    let total: i64 = por.iter().map(|p| p.2).sum();
    let lastro: i64 = por
        .iter()
        .filter(|p| calculo::exige_lastro(p.0))
        .map(|p| p.2)
        .sum();
    html! {
        (rolavel("PESL SUS por situação", html! {
            table.persus id="pesl" {
                caption { "PESL SUS: avisado e não pago na data-base, por situação" }
                thead { tr {
                    th scope="col" { "Situação" }
                    th scope="col" .num { "Atendimentos" }
                    th scope="col" .num { "Valor" }
                    th scope="col" { "Exige lastro" }
                } }
                tbody {
                    @for (s, n, v) in &por {
                        tr {
                            th scope="row" { (s.rotulo()) }
                            td.num { (n) }
                            td.num { (reais(*v)) }
                            td { @if calculo::exige_lastro(*s) { "Sim" } @else { "Não" } }
                        }
                    }
                }
                tfoot {
                    tr { th scope="row" { "Total da PESL SUS" } td {} td.num { (reais(total)) } td {} }
                    tr { th scope="row" { "Que exige ativos garantidores" } td {} td.num { (reais(lastro)) } td {} }
                }
            }
        }))
    }
}

/// The what-if's result and its form (GET).
fn simulacao(acao: &str, base: DataBase, n: u32, s: Option<&calculo::Simulacao>) -> Markup {
    html! {
        section aria-labelledby="simulacao-titulo" {
            h2 id="simulacao-titulo" { "E se os ABIs saíssem antes?" }
            p { "A eficiência do processo que vai da identificação dos atendimentos até a notificação interfere diretamente na PEONA SUS. Simule o valor com cada aviso antecipado em alguns trimestres (nunca antes do trimestre do atendimento), com os parâmetros vigentes." }
            form.persus-filtro method="get" action=(acao) {
                input type="hidden" name="data_base" value=(data(base.dia));
                div.br-input {
                    label for="trimestres" { "Trimestres de antecipação (1 a 8)" }
                    input id="trimestres" name="trimestres" type="number" min="1" max="8" value=(n);
                }
                p.mt-2 { button.br-button.secondary type="submit" { "Simular" } }
            }
            @if let Some(s) = s {
                p id="simulacao-resultado" {
                    "PEONA SUS hoje: " strong { (reais(s.atual_centavos)) }
                    "; com os avisos " (s.trimestres) " trimestre(s) antes: " strong { (reais(s.simulada_centavos)) }
                    " (" (reais(s.simulada_centavos - s.atual_centavos)) ")."
                }
            }
        }
    }
}

/// `GET /provisoes?data_base=&trimestres=`.
pub async fn provisoes(
    State(app): State<AppState>,
    s: Sessao,
    Query(f): Query<Filtro>,
) -> Response {
    let op = match exigir(&s, Escopo::Consulta) {
        Ok(o) => o,
        Err(r) => return r,
    };
    match pagina_operadora(&app, &op, &f).await {
        Ok(corpo) => pagina(
            &app,
            &s,
            CAMINHO,
            TITULO,
            html! { div.persus-provisoes { (corpo) } },
        )
        .into_response(),
        Err(e) => falha(e),
    }
}

async fn pagina_operadora(
    app: &AppState,
    op: &str,
    f: &Filtro,
) -> Result<Markup, crate::servicos::ServicoError> {
    let b = DataBase::ou_hoje(f.data_base.as_deref(), app.relogio.hoje())?;
    let n = crate::api::provisoes::trimestres(f.trimestres.as_deref())?;
    let peona = calculo::peona_operadora(&app.db, op, b, None).await?;
    let e24 = calculo::e24_por_trimestre(&app.db, op, b).await?;
    let tri = calculo::triangulo(&app.db, Some(op), b, None).await?;
    let pesl = calculo::pesl(&app.db, Some(op), b).await?;
    let sim = match f.trimestres.as_deref().filter(|t| !t.trim().is_empty()) {
        Some(_) => Some(calculo::simular_antecipacao(&app.db, Some(op), b, n).await?),
        None => None,
    };
    let q = format!("?data_base={}", b.dia);
    Ok(html! {
        p { "A PEONA SUS (eventos ocorridos e não avisados) e a PESL SUS (avisados e não pagos) da operadora " strong { (op) } ", calculadas com os dados deste sistema: quando cada atendimento aconteceu, quando a operadora foi notificada e o que ficou devido." }
        (form_data_base(CAMINHO, b, &[]))
        (explicar(&peona, &e24))
        section aria-labelledby="runoff-secao" {
            h2 id="runoff-secao" { "Runoff da operadora" }
            (grafico_runoff("Percentual acumulado avisado por trimestres decorridos desde o atendimento", &tri))
        }
        section aria-labelledby="pesl-titulo" {
            h2 id="pesl-titulo" { "PESL SUS" }
            p { "O parcelado com 3 ou mais parcelas pagas dispensa ativos garantidores (RN 329/2013, art. 2º, §3º)." }
            (tabela_pesl(&pesl))
        }
        (simulacao(CAMINHO, b, n, sim.as_ref()))
        section aria-labelledby="planilhas-titulo" {
            h2 id="planilhas-titulo" { "Planilhas (CSV)" }
            ul {
                li { a href=(format!("{CAMINHO}/peona.csv{q}")) download { "PEONA SUS com o cálculo" } }
                li { a href=(format!("{CAMINHO}/pesl.csv{q}")) download { "PESL SUS por situação" } }
                li { a href=(format!("{CAMINHO}/triangulo.csv{q}")) download { "Triângulo de runoff (percentuais acumulados)" } }
            }
        }
    })
}

/// `GET /provisoes/{tabela}.csv?data_base=`: the operator's own tables.
pub async fn provisoes_csv(
    State(app): State<AppState>,
    s: Sessao,
    Path(arquivo): Path<String>,
    Query(f): Query<Filtro>,
) -> Response {
    let op = match exigir(&s, Escopo::Consulta) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let r = async {
        let b = DataBase::ou_hoje(f.data_base.as_deref(), app.relogio.hoje())?;
        Ok::<_, crate::servicos::ServicoError>(match arquivo.as_str() {
            "peona.csv" => Some(exportar::peona(&[calculo::peona_operadora(
                &app.db, &op, b, None,
            )
            .await?])?),
            "pesl.csv" => Some(exportar::pesl(
                &calculo::pesl(&app.db, Some(&op), b).await?,
            )?),
            "triangulo.csv" => Some(exportar::triangulo_pct(
                &calculo::triangulo(&app.db, Some(&op), b, None).await?,
            )?),
            _ => None,
        })
    }
    .await;
    match r {
        Ok(Some(corpo)) => {
            crate::anexo::resposta("text/csv; charset=utf-8", &format!("{op}-{arquivo}"), corpo)
        }
        Ok(None) => nao_encontrado("A planilha"),
        Err(e) => falha(e),
    }
}
