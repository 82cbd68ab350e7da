//! The runoff triangle: occurrence quarter × quarters elapsed until notification, in amounts and
//! counts, with each row's cumulative percentage — the layout of the seed's "Triângulo de runoff –
//! Último estudo anual de PEONA SUS" (seeds/004).

use serde::Serialize;

use super::Celula;
use crate::ids::Trimestre;

/// One occurrence quarter: what was notified after 0, 1, 2 … quarters (incremental).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LinhaTriangulo {
    pub ocorrencia: Trimestre,
    /// Centavos notified with each delay, index = quarters elapsed, up to the last observable.
    pub valores: Vec<i64>,
    pub quantidades: Vec<i64>,
    pub total_centavos: i64,
    pub total_quantidade: i64,
}

impl LinhaTriangulo {
    /// Cumulative share of the row's total notified by each delay, in percent; `None` before the
    /// first notification (the seed leaves those cells blank).
    pub fn acumulado_pct(&self) -> Vec<Option<f64>> {
        let mut soma = 0i64;
        self.valores
            .iter()
            .map(|v| {
                soma += v;
                (soma > 0 && self.total_centavos > 0)
                    .then(|| soma as f64 * 100.0 / self.total_centavos as f64)
            })
            .collect()
    }

    /// Cumulative amounts by delay (the chain-ladder's input).
    pub fn acumulado(&self) -> Vec<i64> {
        self.valores
            .iter()
            .scan(0i64, |s, v| {
                *s += v;
                Some(*s)
            })
            .collect()
    }
}

/// Rows oldest first; every row holds the delays observable by `ate`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Triangulo {
    pub desde: Trimestre,
    pub ate: Trimestre,
    pub linhas: Vec<LinhaTriangulo>,
}

impl Triangulo {
    /// Builds the triangle of the occurrence quarters `desde..=ate` from cells notified by `ate`
    /// (later notifications are not known at that date). Negative delays (notified before the
    /// quarter of care: impossible) are counted at delay 0.
    pub fn montar(celulas: &[Celula], desde: Trimestre, ate: Trimestre) -> Triangulo {
        let n_linhas = usize::try_from(ate.indice() - desde.indice() + 1).unwrap_or(0);
        let mut linhas: Vec<LinhaTriangulo> = (0..n_linhas)
            .filter_map(|i| desde.somar(i32::try_from(i).ok()?))
            .map(|o| {
                let largura = usize::try_from(ate.indice() - o.indice() + 1).unwrap_or(0);
                LinhaTriangulo {
                    ocorrencia: o,
                    valores: vec![0; largura],
                    quantidades: vec![0; largura],
                    total_centavos: 0,
                    total_quantidade: 0,
                }
            })
            .collect();
        for c in celulas {
            if c.aviso > ate || c.ocorrencia < desde || c.ocorrencia > ate {
                continue;
            }
            let linha = &mut linhas[usize::try_from(c.ocorrencia.indice() - desde.indice())
                .expect("ocorrência dentro do intervalo")];
            let d = usize::try_from(c.defasagem().max(0)).unwrap_or(0);
            linha.valores[d] += c.valor_centavos;
            linha.quantidades[d] += c.quantidade;
            linha.total_centavos += c.valor_centavos;
            linha.total_quantidade += c.quantidade;
        }
        Triangulo { desde, ate, linhas }
    }

    /// The occurrence quarters of every cell, or `None` when there is none.
    pub fn extensao(celulas: &[Celula]) -> Option<(Trimestre, Trimestre)> {
        let min = celulas.iter().map(|c| c.ocorrencia).min()?;
        let max = celulas.iter().map(|c| c.aviso.max(c.ocorrencia)).max()?;
        Some((min, max))
    }

    /// The largest delay with any amount: the triangle's useful width.
    pub fn maior_defasagem(&self) -> usize {
        self.linhas
            .iter()
            .filter_map(|l| l.valores.iter().rposition(|v| *v != 0))
            .max()
            .unwrap_or(0)
    }

    /// Development: for each delay, the share of everything notified (over rows observed at least
    /// that long) that was notified by that delay — the volume-weighted cumulative %.
    pub fn desenvolvimento_pct(&self) -> Vec<Option<f64>> {
        let largura = self.maior_defasagem() + 1;
        (0..largura)
            .map(|d| {
                // Rows observed for at least `largura` quarters are complete enough to compare.
                let (mut ate_d, mut total) = (0i64, 0i64);
                for l in self.linhas.iter().filter(|l| l.valores.len() >= largura) {
                    ate_d += l.valores[..=d].iter().sum::<i64>();
                    total += l.total_centavos;
                }
                (total > 0).then(|| ate_d as f64 * 100.0 / total as f64)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::teste::{c, t};
    use super::*;

    /// The seed's layout: 1T2016 had 70.80 % notified after 7 quarters and the rest after 8.
    #[test]
    fn rows_accumulate_by_quarters_elapsed() {
        let cel = [
            c("1T2016", "4T2017", 7_080),
            c("1T2016", "1T2018", 2_920),
            c("2T2016", "1T2018", 500),
            // Notified after the triangle's date: unknown at that date.
            c("2T2016", "3T2018", 500),
        ];
        let tri = Triangulo::montar(&cel, t("1T2016"), t("2T2018"));
        assert_eq!(tri.linhas.len(), 10);
        let l = &tri.linhas[0];
        assert_eq!(l.valores.len(), 10, "1T2016..2T2018 observes delays 0..=9");
        assert_eq!(l.valores[7], 7_080);
        assert_eq!(l.valores[8], 2_920);
        let pct = l.acumulado_pct();
        assert_eq!(pct[6], None);
        assert!((pct[7].unwrap() - 70.80).abs() < 1e-9);
        assert!((pct[8].unwrap() - 100.0).abs() < 1e-9);
        assert_eq!(tri.linhas[1].total_centavos, 500);
        assert_eq!(tri.maior_defasagem(), 8);
        assert_eq!(l.acumulado()[9], 10_000);
    }

    #[test]
    fn development_is_volume_weighted_over_complete_rows() {
        // Two rows observed 3 quarters: (60, 40, 0) and (20, 80, 0) → by delay 0: 80/200 = 40 %.
        let cel = [
            c("1T2020", "1T2020", 60),
            c("1T2020", "2T2020", 40),
            c("2T2020", "2T2020", 20),
            c("2T2020", "3T2020", 80),
        ];
        let tri = Triangulo::montar(&cel, t("1T2020"), t("3T2020"));
        let d = tri.desenvolvimento_pct();
        assert_eq!(d.len(), 2);
        assert!((d[0].unwrap() - 40.0).abs() < 1e-9);
        assert!((d[1].unwrap() - 100.0).abs() < 1e-9);
    }
}
