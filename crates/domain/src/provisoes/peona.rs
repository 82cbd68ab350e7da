//! PEONA SUS by the standard formula of RN 574/2023 Annex VIII (domain.md §10.1):
//! `PEONA SUS = min(Teto × E24, FI × E24)`, where E24 = SUS events notified in the 24 months up to
//! the base date and FI = the geometric mean, over the quarters t = A..B, of EONA SUS_t / E24_t.
//!
//! Reading of the seed's formula (seeds/004 writes `√(∏_A^B EONA/E24)` with the root's index lost):
//! the root is of index n = B − A + 1, i.e. a geometric mean — as ANS's October 2024 presentation
//! states it. Every figure of the computation is kept in [`CalculoPeona`] to be shown.

use serde::Serialize;

use super::parametros::ParametrosPeona;
use super::Celula;
use crate::ids::Trimestre;

/// Quarters in 24 months.
pub const TRIMESTRES_24_MESES: i32 = 8;

crate::rotulado! {
    /// Which term of the minimum gave the provision.
    pub enum Limitante {
        Teto = ("teto", "Fator teto × eventos de 24 meses"),
        FatorIndividual = ("fator_individual", "Fator individual × eventos de 24 meses"),
        SemHistorico = ("sem_historico", "Fator teto (sem eventos avisados na janela do fator individual)"),
    }
}

/// One quarter of the Fator Individual's window.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TrimestreJanela {
    pub trimestre: Trimestre,
    /// EONA SUS_t: occurred by the end of t, notified only after t (and by the base date).
    pub eona_centavos: i64,
    /// E24_t: notified in the 8 quarters ending at t.
    pub e24_centavos: i64,
    /// EONA_t / E24_t; `None` when E24_t = 0 (the quarter is left out of the mean [GUESS]).
    pub razao: Option<f64>,
}

/// The whole computation, every figure shown.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CalculoPeona {
    pub base: Trimestre,
    pub versao: String,
    pub teto_pb: u32,
    /// A..B as applied (B resolved when rolling); `None` when the window is empty at this base.
    pub janela: Option<(Trimestre, Trimestre)>,
    pub trimestres: Vec<TrimestreJanela>,
    /// Quarters of the window that entered the mean.
    pub trimestres_na_media: usize,
    /// The geometric mean; `None` when no quarter of the window has E24_t > 0.
    pub fator_individual: Option<f64>,
    pub e24_centavos: i64,
    /// Teto × E24, rounded half up to the centavo (exact integer arithmetic).
    pub teto_centavos: i64,
    /// FI × E24, rounded half up to the centavo.
    pub fator_centavos: Option<i64>,
    pub peona_centavos: i64,
    pub limitante: Limitante,
}

/// Amount notified in the 8 quarters ending at `t` (and not after `conhecido_ate`).
pub fn e24(celulas: &[Celula], t: Trimestre) -> i64 {
    let de = t.indice() - TRIMESTRES_24_MESES + 1;
    celulas
        .iter()
        .filter(|c| (de..=t.indice()).contains(&c.aviso.indice()))
        .map(|c| c.valor_centavos)
        .sum()
}

/// EONA SUS_t: occurred by the end of `t`, notified after `t` but by `conhecido_ate`.
pub fn eona(celulas: &[Celula], t: Trimestre, conhecido_ate: Trimestre) -> i64 {
    celulas
        .iter()
        .filter(|c| c.ocorrencia <= t && c.aviso > t && c.aviso <= conhecido_ate)
        .map(|c| c.valor_centavos)
        .sum()
}

/// PEONA SUS of one operator (or of any set of cells) at a base quarter, with the parameters given.
/// Cells notified after the base are not known at the base and are ignored.
pub fn calcular(celulas: &[Celula], base: Trimestre, p: &ParametrosPeona) -> CalculoPeona {
    let conhecidas: Vec<Celula> = celulas
        .iter()
        .filter(|c| c.aviso <= base)
        .copied()
        .collect();
    let janela = p.janela(base).filter(|(_, b)| *b <= base);
    let trimestres: Vec<TrimestreJanela> = janela
        .map(|(a, b)| {
            (0..=(b.indice() - a.indice()))
                .filter_map(|i| a.somar(i))
                .map(|t| {
                    let eona_centavos = eona(&conhecidas, t, base);
                    let e24_centavos = e24(&conhecidas, t);
                    TrimestreJanela {
                        trimestre: t,
                        eona_centavos,
                        e24_centavos,
                        razao: (e24_centavos > 0)
                            .then(|| eona_centavos as f64 / e24_centavos as f64),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let razoes: Vec<f64> = trimestres.iter().filter_map(|t| t.razao).collect();
    let fator_individual = media_geometrica(&razoes);
    let e24_centavos = e24(&conhecidas, base);
    let teto_centavos = arredondar(i128::from(e24_centavos) * i128::from(p.teto_pb), 10_000);
    let fator_centavos = fator_individual.map(|fi| (fi * e24_centavos as f64).round() as i64);
    let (peona_centavos, limitante) = match fator_centavos {
        Some(f) if f < teto_centavos => (f, Limitante::FatorIndividual),
        Some(_) => (teto_centavos, Limitante::Teto),
        None => (teto_centavos, Limitante::SemHistorico),
    };
    CalculoPeona {
        base,
        versao: p.versao.clone(),
        teto_pb: p.teto_pb,
        janela,
        trimestres_na_media: razoes.len(),
        trimestres,
        fator_individual,
        e24_centavos,
        teto_centavos,
        fator_centavos,
        peona_centavos,
        limitante,
    }
}

/// The what-if of issue #14 §8: every notification `n` quarters sooner, never before the quarter
/// the attendance happened in.
pub fn antecipar(celulas: &[Celula], n: u32) -> Vec<Celula> {
    let n = i32::try_from(n).unwrap_or(i32::MAX);
    celulas
        .iter()
        .map(|c| Celula {
            aviso: c
                .aviso
                .somar(-n)
                .map_or(c.ocorrencia, |a| a.max(c.ocorrencia)),
            ..*c
        })
        .collect()
}

/// Geometric mean through logarithms; 0 when any term is 0; `None` for no terms.
fn media_geometrica(termos: &[f64]) -> Option<f64> {
    if termos.is_empty() {
        return None;
    }
    if termos.iter().any(|r| *r <= 0.0) {
        return Some(0.0);
    }
    let soma_ln: f64 = termos.iter().map(|r| r.ln()).sum();
    Some((soma_ln / termos.len() as f64).exp())
}

/// `num / den` rounded half up (non-negative inputs).
fn arredondar(num: i128, den: i128) -> i64 {
    i64::try_from((num * 2 + den) / (den * 2)).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::super::parametros::TabelaParametros;
    use super::super::teste::{c, t};
    use super::*;

    fn params(teto_pb: u32, a: &str, b: &str) -> ParametrosPeona {
        let mut p = TabelaParametros::padrao()
            .versao("rn574-66")
            .unwrap()
            .clone();
        p.teto_pb = teto_pb;
        p.janela_inicio = t(a);
        p.janela_fim = Some(t(b));
        p
    }

    /// A steady operator: R$ 100,00 occurs every quarter and is notified exactly 2 quarters later.
    fn constante(de: &str, ate_aviso: &str) -> Vec<Celula> {
        let mut v = Vec::new();
        let mut o = t(de);
        while o.somar(2).unwrap() <= t(ate_aviso) {
            v.push(c(&o.to_string(), &o.somar(2).unwrap().to_string(), 10_000));
            o = o.seguinte();
        }
        v
    }

    /// By hand: at any quarter t (far from the start) E24_t = 8 × 10.000 = 80.000 and
    /// EONA_t = the amounts of t and t−1 (not yet notified at t) = 20.000 → ratio 0,25 every
    /// quarter; FI = 0,25. At base 4T2024: E24 = 80.000; teto 66 % → 52.800; FI × E24 = 20.000.
    /// PEONA = min = 20.000 (the individual factor binds).
    #[test]
    fn minimum_of_the_two_terms_individual_factor_binds() {
        let cel = constante("1T2016", "4T2026");
        let r = calcular(&cel, t("4T2024"), &params(6600, "4T2018", "1T2020"));
        assert_eq!(r.e24_centavos, 80_000);
        assert_eq!(r.teto_centavos, 52_800);
        assert_eq!(r.trimestres.len(), 6);
        for q in &r.trimestres {
            assert_eq!(
                (q.eona_centavos, q.e24_centavos),
                (20_000, 80_000),
                "{}",
                q.trimestre
            );
        }
        assert!((r.fator_individual.unwrap() - 0.25).abs() < 1e-12);
        assert_eq!(r.fator_centavos, Some(20_000));
        assert_eq!(
            (r.peona_centavos, r.limitante),
            (20_000, Limitante::FatorIndividual)
        );
    }

    /// Same operator, teto 20 %: 0,20 × 80.000 = 16.000 < 20.000, so the cap binds.
    #[test]
    fn minimum_of_the_two_terms_cap_binds() {
        let cel = constante("1T2016", "4T2026");
        let r = calcular(&cel, t("4T2024"), &params(2000, "4T2018", "1T2020"));
        assert_eq!((r.peona_centavos, r.limitante), (16_000, Limitante::Teto));
    }

    /// A window quarter with EONA = 0 (everything notified within the quarter it happened) makes
    /// the geometric mean 0 — the formula read literally — so PEONA SUS is 0.
    #[test]
    fn a_window_with_a_zero_quarter_gives_zero() {
        let mut cel = constante("1T2016", "4T2026");
        // 2T2019: nothing pending at its end — move the two pending amounts to be notified in it.
        for x in &mut cel {
            if x.ocorrencia == t("1T2019") || x.ocorrencia == t("2T2019") {
                x.aviso = t("2T2019");
            }
        }
        let r = calcular(&cel, t("4T2024"), &params(6600, "4T2018", "1T2020"));
        let q = r
            .trimestres
            .iter()
            .find(|q| q.trimestre == t("2T2019"))
            .unwrap();
        assert_eq!(q.eona_centavos, 0);
        assert_eq!(r.fator_individual, Some(0.0));
        assert_eq!(
            (r.peona_centavos, r.limitante),
            (0, Limitante::FatorIndividual)
        );
    }

    /// An operator with no history in the window (it started in 2023): FI cannot be computed; the
    /// cap applies [GUESS, docs/RULES.md]. One with no events at all provisions nothing.
    #[test]
    fn an_operator_without_history() {
        let cel = constante("1T2023", "4T2026");
        let r = calcular(&cel, t("4T2024"), &params(6600, "4T2018", "1T2020"));
        assert_eq!(r.trimestres_na_media, 0);
        assert_eq!(r.fator_individual, None);
        // Notified 3T2023..4T2024 = 6 quarters × 10.000 = 60.000; 66 % = 39.600.
        assert_eq!(r.e24_centavos, 60_000);
        assert_eq!(
            (r.peona_centavos, r.limitante),
            (39_600, Limitante::SemHistorico)
        );
        let vazio = calcular(&[], t("4T2024"), &params(6600, "4T2018", "1T2020"));
        assert_eq!(vazio.peona_centavos, 0);
    }

    /// The regime in force on a date decides the parameters: at 2T2021 (115 %, A = 3T2014, B
    /// rolling = 4T2019) and at 2T2025 under 66 % the same data gives different caps.
    #[test]
    fn the_regime_in_force_on_the_base_date() {
        let tab = TabelaParametros::padrao();
        let cel = constante("1T2010", "4T2026");
        let dia = |s| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let p = tab.vigente_em(dia("2021-06-30")).unwrap();
        let r = calcular(&cel, t("2T2021"), p);
        assert_eq!(r.janela, Some((t("3T2014"), t("4T2019"))));
        assert_eq!(r.teto_centavos, 92_000, "115 % of 80.000");
        assert_eq!(r.peona_centavos, 20_000);
        let p = tab.vigente_em(dia("2025-06-30")).unwrap();
        assert_eq!(calcular(&cel, t("2T2025"), p).teto_centavos, 52_800);
    }

    /// Notifications after the base are not known at the base; E24 rounds half up.
    #[test]
    fn only_what_was_known_at_the_base_counts() {
        let cel = [c("1T2024", "2T2024", 1_001), c("1T2024", "1T2025", 5_000)];
        let r = calcular(&cel, t("4T2024"), &params(6650, "1T2024", "1T2024"));
        assert_eq!(r.e24_centavos, 1_001);
        // 1.001 × 0,665 = 665,665 → 666.
        assert_eq!(r.teto_centavos, 666);
        // EONA 1T2024 = 1.001 (the later 5.000 is unknown at 4T2024); E24_1T2024 = 0 → no ratio.
        assert_eq!(r.trimestres[0].eona_centavos, 1_001);
        assert_eq!(r.trimestres[0].razao, None);
    }

    /// What-if: notifying 2 quarters sooner removes the steady operator's pending amounts.
    #[test]
    fn notifying_sooner_lowers_the_provision() {
        let cel = constante("1T2016", "4T2026");
        let p = params(6600, "4T2018", "1T2020");
        let antes = calcular(&cel, t("4T2024"), &p).peona_centavos;
        let depois = calcular(&antecipar(&cel, 1), t("4T2024"), &p).peona_centavos;
        assert!(depois < antes, "{depois} < {antes}");
        let zero = calcular(&antecipar(&cel, 2), t("4T2024"), &p);
        assert_eq!(
            zero.peona_centavos, 0,
            "notified in the quarter of care: nothing pending"
        );
    }
}
