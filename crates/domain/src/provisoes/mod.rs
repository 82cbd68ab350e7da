//! Provisions for the Ressarcimento ao SUS (issue #14; domain.md §10): the runoff triangle of
//! occurrence × notification, PEONA SUS by RN 574/2023 Annex VIII's standard formula, its
//! parameters as versioned data, the impact of a parameter change, and the chain-ladder used to
//! check the triangle. Pure: callers bring the cells (aggregated events) and the dates.

pub mod chain_ladder;
pub mod impacto;
pub mod parametros;
pub mod peona;
pub mod triangulo;

use serde::{Deserialize, Serialize};

use crate::ids::Trimestre;

/// Events of one operator that occurred in one quarter and were notified (Ofício ABI made
/// available) in another: amount in centavos and number of attendances. Only what is due or
/// chargeable (domain.md §10.1) belongs in a cell; the caller filters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Celula {
    pub ocorrencia: Trimestre,
    pub aviso: Trimestre,
    pub valor_centavos: i64,
    pub quantidade: i64,
}

impl Celula {
    /// Quarters from occurrence to notification (0 = notified in the quarter it happened).
    pub fn defasagem(&self) -> i32 {
        self.aviso.indice() - self.ocorrencia.indice()
    }
}

/// The last quarter closed on a day: the quarter itself when the day is its last day, else the
/// one before. The computation works in whole quarters (the Annex's A, B and "fim do trimestre").
pub fn trimestre_base(dia: chrono::NaiveDate) -> Option<Trimestre> {
    let t = Trimestre::de_data(dia)?;
    if t.ultimo_dia() == dia {
        Some(t)
    } else {
        t.somar(-1)
    }
}

/// Test helpers shared by the modules' tests.
#[cfg(test)]
pub(crate) mod teste {
    use super::Celula;
    use crate::ids::Trimestre;

    pub fn t(s: &str) -> Trimestre {
        Trimestre::parse(s).unwrap()
    }

    /// R$ `v` centavos of one attendance occurred in `o`, notified in `a`.
    pub fn c(o: &str, a: &str, v: i64) -> Celula {
        Celula {
            ocorrencia: t(o),
            aviso: t(a),
            valor_centavos: v,
            quantidade: 1,
        }
    }
}
