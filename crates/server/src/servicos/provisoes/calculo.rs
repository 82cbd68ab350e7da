//! PEONA SUS, the runoff triangle, the impact of a parameter change and the what-if, from the
//! system's own data (issue #14): the store gives the cells (occurrence × notification quarter,
//! history and live attendances), the domain computes (`persus_domain::provisoes`). One use case
//! each, under the CLI, the API and the web.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use persus_domain::ids::Trimestre;
use persus_domain::provisoes::impacto::{self, Ativos, EntradaImpacto, Impacto};
use persus_domain::provisoes::parametros::{ParametrosPeona, TabelaParametros};
use persus_domain::provisoes::peona::{self, CalculoPeona};
use persus_domain::provisoes::triangulo::Triangulo;
use persus_domain::provisoes::{trimestre_base, Celula};
use persus_store::provisoes as store;
use persus_store::Db;
use serde::Serialize;

use crate::servicos::ServicoError;

/// The first occurrence quarter a sector triangle shows by default (the seed's table starts here).
pub const INICIO_TRIANGULO: &str = "1T2016";

/// A base date as given and the quarter the computation uses (the last closed one).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct DataBase {
    pub dia: NaiveDate,
    pub trimestre: Trimestre,
}

impl DataBase {
    pub fn new(dia: NaiveDate) -> Result<DataBase, ServicoError> {
        let trimestre = trimestre_base(dia).ok_or_else(|| {
            ServicoError::campo(
                "data_base",
                format!(
                    "data-base {} fora do intervalo aceito",
                    dia.format("%d/%m/%Y")
                ),
            )
        })?;
        Ok(DataBase { dia, trimestre })
    }

    /// `AAAA-MM-DD` or `DD/MM/AAAA`.
    pub fn ler(texto: &str) -> Result<DataBase, ServicoError> {
        let t = texto.trim();
        let dia = NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .or_else(|_| NaiveDate::parse_from_str(t, "%d/%m/%Y"))
            .map_err(|_| {
                ServicoError::campo(
                    "data_base",
                    format!("data-base \"{t}\" inválida: use DD/MM/AAAA ou AAAA-MM-DD"),
                )
            })?;
        DataBase::new(dia)
    }

    /// The base date asked for, or today (the computation then uses the last closed quarter).
    pub fn ou_hoje(texto: Option<&str>, hoje: NaiveDate) -> Result<DataBase, ServicoError> {
        match texto.map(str::trim).filter(|t| !t.is_empty()) {
            Some(t) => DataBase::ler(t),
            None => DataBase::new(hoje),
        }
    }
}

/// A first occurrence quarter as typed (`1T2016`).
pub fn ler_trimestre(campo: &str, texto: &str) -> Result<Trimestre, ServicoError> {
    Trimestre::parse(texto.trim()).map_err(|e| {
        ServicoError::campo(
            campo,
            format!(
                "trimestre \"{}\" inválido ({e}): use o formato 1T2016",
                texto.trim()
            ),
        )
    })
}

pub use persus_store::provisoes::{LinhaPesl, SituacaoPesl};

/// The PESL SUS position at a base date, per operator and situation (one operator or all).
pub async fn pesl(
    db: &Db,
    operadora: Option<&str>,
    base: DataBase,
) -> Result<Vec<LinhaPesl>, ServicoError> {
    Ok(store::pesl(db, operadora, base.dia).await?)
}

/// Whether a PESL SUS situation needs guarantee assets: a parcelled debt with 3 or more paid
/// instalments does not (RN 329/2013 art. 2 §3, domain.md §10.2 [S]).
pub fn exige_lastro(s: SituacaoPesl) -> bool {
    s != SituacaoPesl::ParceladoLastroDispensado
}

/// The built-in parameter versions plus every version ANS approved after a yearly study.
pub async fn tabela(db: &Db) -> Result<TabelaParametros, ServicoError> {
    let mut t = TabelaParametros::padrao();
    for v in store::parametros_aprovados(db).await? {
        t = t.com(v).map_err(|e| ServicoError::Interno(e.to_string()))?;
    }
    Ok(t)
}

/// The version asked for by name, or the one in force at the base date.
pub fn escolher<'a>(
    tabela: &'a TabelaParametros,
    base: DataBase,
    versao: Option<&str>,
) -> Result<&'a ParametrosPeona, ServicoError> {
    match versao {
        Some(v) => tabela.versao(v).ok_or_else(|| {
            let nomes: Vec<&str> = tabela.versoes().iter().map(|p| p.versao.as_str()).collect();
            ServicoError::campo(
                "versao",
                format!("versão de parâmetros \"{v}\" não existe; use uma de: {}", nomes.join(", ")),
            )
        }),
        None => tabela.vigente_em(base.dia).ok_or_else(|| {
            ServicoError::campo(
                "data_base",
                format!(
                    "não há fórmula padrão da PEONA SUS em vigor em {} (a primeira vigora desde {})",
                    base.dia.format("%d/%m/%Y"),
                    tabela.versoes()[0].vigencia_inicio.format("%d/%m/%Y")
                ),
            )
        }),
    }
}

/// One operator's PEONA SUS with its parameters.
#[derive(Clone, Debug, Serialize)]
pub struct PeonaOperadora {
    pub operadora: String,
    pub data_base: DataBase,
    pub parametros: ParametrosPeona,
    pub calculo: CalculoPeona,
}

/// Every operator's cells, grouped.
async fn celulas_por_operadora(
    db: &Db,
    operadora: Option<&str>,
) -> Result<BTreeMap<String, Vec<Celula>>, ServicoError> {
    let mut por: BTreeMap<String, Vec<Celula>> = BTreeMap::new();
    for c in store::celulas(db, operadora).await? {
        por.entry(c.operadora).or_default().push(c.celula);
    }
    Ok(por)
}

/// One operator's PEONA SUS at a base date (an operator without any notified event gets 0).
pub async fn peona_operadora(
    db: &Db,
    operadora: &str,
    base: DataBase,
    versao: Option<&str>,
) -> Result<PeonaOperadora, ServicoError> {
    let tabela = tabela(db).await?;
    let p = escolher(&tabela, base, versao)?;
    let celulas = celulas_por_operadora(db, Some(operadora))
        .await?
        .remove(operadora)
        .unwrap_or_default();
    Ok(PeonaOperadora {
        operadora: operadora.to_owned(),
        data_base: base,
        parametros: p.clone(),
        calculo: peona::calcular(&celulas, base.trimestre, p),
    })
}

/// Every operator with notified events, at one base date, under one version.
pub async fn peona_todas(
    db: &Db,
    base: DataBase,
    versao: Option<&str>,
) -> Result<Vec<PeonaOperadora>, ServicoError> {
    let tabela = tabela(db).await?;
    let p = escolher(&tabela, base, versao)?;
    Ok(celulas_por_operadora(db, None)
        .await?
        .into_iter()
        .map(|(operadora, celulas)| PeonaOperadora {
            calculo: peona::calcular(&celulas, base.trimestre, p),
            operadora,
            data_base: base,
            parametros: p.clone(),
        })
        .collect())
}

/// What one operator had notified in each of the 8 quarters (24 months) ending at the base
/// quarter — the quarters that make up its E24 — oldest first.
pub async fn e24_por_trimestre(
    db: &Db,
    operadora: &str,
    base: DataBase,
) -> Result<Vec<(Trimestre, i64)>, ServicoError> {
    let quartos: Vec<Trimestre> = (1 - peona::TRIMESTRES_24_MESES..=0)
        .filter_map(|i| base.trimestre.somar(i))
        .collect();
    let mut soma: BTreeMap<Trimestre, i64> = quartos.iter().map(|t| (*t, 0)).collect();
    for c in store::celulas(db, Some(operadora)).await? {
        if let Some(v) = soma.get_mut(&c.celula.aviso) {
            *v += c.celula.valor_centavos;
        }
    }
    Ok(soma.into_iter().collect())
}

/// The runoff triangle of one operator or of the sector, up to a base date.
pub async fn triangulo(
    db: &Db,
    operadora: Option<&str>,
    ate: DataBase,
    desde: Option<Trimestre>,
) -> Result<Triangulo, ServicoError> {
    let celulas: Vec<Celula> = store::celulas(db, operadora)
        .await?
        .into_iter()
        .map(|c| c.celula)
        .collect();
    let inicio = desde.unwrap_or_else(|| Trimestre::parse(INICIO_TRIANGULO).expect("literal"));
    if inicio > ate.trimestre {
        return Err(ServicoError::campo(
            "desde",
            format!(
                "o trimestre inicial {inicio} vem depois da data-base ({})",
                ate.trimestre
            ),
        ));
    }
    Ok(Triangulo::montar(&celulas, inicio, ate.trimestre))
}

/// The seed's impact table for a change from one version to another, with every operator's line.
#[derive(Clone, Debug, Serialize)]
pub struct ImpactoMudanca {
    pub data_base: DataBase,
    pub de: ParametrosPeona,
    pub para: ParametrosPeona,
    pub tabela: Impacto,
    pub operadoras: Vec<EntradaImpacto>,
}

pub async fn impacto(
    db: &Db,
    base: DataBase,
    de: &str,
    para: &str,
) -> Result<ImpactoMudanca, ServicoError> {
    let tabela = tabela(db).await?;
    let p_de = escolher(&tabela, base, Some(de))?.clone();
    let p_para = escolher(&tabela, base, Some(para))?.clone();
    let ativos = store::ativos_na_data(db, base.dia).await?;
    let entradas: Vec<EntradaImpacto> = celulas_por_operadora(db, None)
        .await?
        .into_iter()
        .map(|(operadora, celulas)| entrada(operadora, &celulas, base, (&p_de, &p_para), &ativos))
        .collect();
    Ok(ImpactoMudanca {
        data_base: base,
        tabela: impacto::calcular(&entradas),
        de: p_de,
        para: p_para,
        operadoras: entradas,
    })
}

/// One operator's line of the impact table: its PEONA SUS under both versions and its assets.
fn entrada(
    operadora: String,
    celulas: &[Celula],
    base: DataBase,
    (de, para): (&ParametrosPeona, &ParametrosPeona),
    ativos: &std::collections::HashMap<String, store::AtivosOperadora>,
) -> EntradaImpacto {
    let a = ativos.get(&operadora);
    EntradaImpacto {
        beneficiarios_mh: a.map_or(0, |a| a.beneficiarios_mh),
        antes_centavos: peona::calcular(celulas, base.trimestre, de).peona_centavos,
        depois_centavos: peona::calcular(celulas, base.trimestre, para).peona_centavos,
        ativos: a.map(|a| Ativos {
            ativos_garantidores_centavos: a.ativos_garantidores_centavos,
            outras_provisoes_centavos: a.outras_provisoes_centavos,
        }),
        metodologia_propria: a.is_some_and(|a| a.metodologia_propria),
        operadora,
    }
}

/// The sector's view for ANS's page: the triangle, the impact of a change and every operator's
/// PEONA SUS in force, from one read of the cells and of the parameter table (the three use
/// cases above each read them again). `peona` is empty before the first version in force.
pub struct Setor {
    pub tabela: TabelaParametros,
    pub triangulo: Triangulo,
    pub impacto: ImpactoMudanca,
    pub peona: Vec<PeonaOperadora>,
}

pub async fn setor(db: &Db, base: DataBase, de: &str, para: &str) -> Result<Setor, ServicoError> {
    let tabela = tabela(db).await?;
    let p_de = escolher(&tabela, base, Some(de))?.clone();
    let p_para = escolher(&tabela, base, Some(para))?.clone();
    let ativos = store::ativos_na_data(db, base.dia).await?;
    let por = celulas_por_operadora(db, None).await?;
    let todas: Vec<Celula> = por.values().flatten().copied().collect();
    let inicio = Trimestre::parse(INICIO_TRIANGULO).expect("literal");
    let triangulo = Triangulo::montar(&todas, inicio.min(base.trimestre), base.trimestre);
    let vigente = tabela.vigente_em(base.dia).cloned();
    let mut entradas = Vec::with_capacity(por.len());
    let mut peona_vigente = Vec::new();
    for (operadora, celulas) in por {
        entradas.push(entrada(
            operadora.clone(),
            &celulas,
            base,
            (&p_de, &p_para),
            &ativos,
        ));
        if let Some(p) = &vigente {
            peona_vigente.push(PeonaOperadora {
                calculo: peona::calcular(&celulas, base.trimestre, p),
                operadora,
                data_base: base,
                parametros: p.clone(),
            });
        }
    }
    Ok(Setor {
        impacto: ImpactoMudanca {
            data_base: base,
            tabela: impacto::calcular(&entradas),
            de: p_de,
            para: p_para,
            operadoras: entradas,
        },
        tabela,
        triangulo,
        peona: peona_vigente,
    })
}

/// The what-if: PEONA SUS today and if every ABI had gone out `trimestres` quarters sooner.
#[derive(Clone, Debug, Serialize)]
pub struct Simulacao {
    pub trimestres: u32,
    pub atual_centavos: i64,
    pub simulada_centavos: i64,
}

pub async fn simular_antecipacao(
    db: &Db,
    operadora: Option<&str>,
    base: DataBase,
    trimestres: u32,
) -> Result<Simulacao, ServicoError> {
    if !(1..=8).contains(&trimestres) {
        return Err(ServicoError::campo(
            "trimestres",
            "informe de 1 a 8 trimestres de antecipação",
        ));
    }
    let tabela = tabela(db).await?;
    let p = escolher(&tabela, base, None)?;
    let (mut atual, mut simulada) = (0, 0);
    for celulas in celulas_por_operadora(db, operadora).await?.values() {
        atual += peona::calcular(celulas, base.trimestre, p).peona_centavos;
        simulada += peona::calcular(&peona::antecipar(celulas, trimestres), base.trimestre, p)
            .peona_centavos;
    }
    Ok(Simulacao {
        trimestres,
        atual_centavos: atual,
        simulada_centavos: simulada,
    })
}

/// The yearly study (seeds/004: "atualizados automaticamente após estudo anual – publicado até 30
/// de junho de cada ano"): the sector triangle to 30 June, its development, and the parameters it
/// proposes — the window of the 6 most recent quarters fully developed by then (B = 6 quarters
/// before 2T, as the 2024 study's 3T2021–4T2022 is to 2T2024) and, as the cap, the sector's own
/// Fator Individual over that window rounded up to the whole percent [GUESS: the seed does not say
/// how 65 % was chosen]. Recorded as a proposal; nothing changes until ANS approves it.
#[derive(Clone, Debug, Serialize)]
pub struct Estudo {
    pub ano: u16,
    pub data_base: DataBase,
    pub triangulo: Triangulo,
    /// Cumulative % notified by each delay (volume-weighted over complete rows).
    pub desenvolvimento_pct: Vec<Option<f64>>,
    /// The sector's Fator Individual over the proposed window.
    pub fator_setor: Option<f64>,
    pub proposta: ParametrosPeona,
}

/// Quarters in the proposed window (the 2024 proposal's 3T2021–4T2022).
pub const TRIMESTRES_NA_JANELA: i32 = 6;

/// `hoje` bounds the proposal's start: 1 August of the study's year (a study published by 30 June,
/// in force from the first day of the month after publication — as RN 640/2025 art. 3 did for the
/// 2024 study), or the first day of the month after `hoje` when that is later, so that an approval
/// never changes provisions already computed [GUESS].
pub async fn estudo(db: &Db, ano: u16, hoje: NaiveDate) -> Result<Estudo, ServicoError> {
    let dia = NaiveDate::from_ymd_opt(i32::from(ano), 6, 30)
        .filter(|_| (2017..=2100).contains(&ano))
        .ok_or_else(|| ServicoError::campo("ano", format!("ano {ano} fora de 2017 a 2100")))?;
    let base = DataBase::new(dia)?;
    let celulas: Vec<Celula> = store::celulas(db, None)
        .await?
        .into_iter()
        .map(|c| c.celula)
        .collect();
    let inicio = Trimestre::parse(INICIO_TRIANGULO).expect("literal");
    let triangulo = Triangulo::montar(&celulas, inicio, base.trimestre);
    let fim = base
        .trimestre
        .somar(-persus_domain::provisoes::parametros::DEFASAGEM_B_MOVEL)
        .ok_or_else(|| ServicoError::campo("ano", "ano sem trimestres suficientes"))?;
    let inicio_janela = fim
        .somar(1 - TRIMESTRES_NA_JANELA)
        .ok_or_else(|| ServicoError::campo("ano", "ano sem trimestres suficientes"))?;
    let tabela = tabela(db).await?;
    let vigente = escolher(&tabela, base, None)?;
    let mut proposta = ParametrosPeona {
        versao: format!("estudo-{ano}"),
        teto_pb: vigente.teto_pb,
        janela_inicio: inicio_janela,
        janela_fim: Some(fim),
        vigencia_inicio: inicio_da_vigencia(ano, hoje),
        vigencia_fim: None,
        atualizacao_anual: true,
        certeza: "GUESS".to_owned(),
        fonte: format!(
            "Estudo anual persus de {ano} (triângulo até 30/06/{ano}); aguarda aprovação da ANS"
        ),
    };
    let fator_setor = peona::calcular(&celulas, base.trimestre, &proposta).fator_individual;
    if let Some(f) = fator_setor.filter(|f| *f > 0.0) {
        // Round up to the whole percent, in basis points.
        proposta.teto_pb = ((f * 100.0).ceil() as u32).clamp(1, 200) * 100;
    }
    Ok(Estudo {
        ano,
        data_base: base,
        desenvolvimento_pct: triangulo.desenvolvimento_pct(),
        triangulo,
        fator_setor,
        proposta,
    })
}

/// The later of 1 August of `ano` and the first day of the month after `hoje`.
pub fn inicio_da_vigencia(ano: u16, hoje: NaiveDate) -> NaiveDate {
    use chrono::Datelike;
    let agosto = NaiveDate::from_ymd_opt(i32::from(ano), 8, 1).expect("1º de agosto");
    let proximo_mes = if hoje.month() == 12 {
        NaiveDate::from_ymd_opt(hoje.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(hoje.year(), hoje.month() + 1, 1)
    }
    .expect("primeiro dia do mês");
    agosto.max(proximo_mes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dia(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// A study of 2025 run in July 2025 starts on 01/08/2025 (RN 640/2025's pattern); run on
    /// 01/12/2026 it can only start on 01/01/2027.
    #[test]
    fn a_proposal_never_starts_in_the_past() {
        assert_eq!(
            inicio_da_vigencia(2025, dia("2025-07-10")),
            dia("2025-08-01")
        );
        assert_eq!(
            inicio_da_vigencia(2025, dia("2026-12-01")),
            dia("2027-01-01")
        );
        assert_eq!(
            inicio_da_vigencia(2026, dia("2026-09-30")),
            dia("2026-10-01")
        );
    }
}
