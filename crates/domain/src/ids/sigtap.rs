//! SIGTAP procedure code — 10 digits `GG.SS.FF.PPP-D` (grupo, subgrupo, forma de organização,
//! sequence, DV "calculado pelo Módulo 11" [V] wiki SIGTAP). **[INF]** exact rule: weights 2..10
//! from the right over the nine digits, r < 2 → 0 else 11 − r (13 of 13 published codes agree;
//! domain.md §7.7). Groups 01–09.

use super::digits::{self, impl_text_id};
use super::IdError;

const KIND: &str = "código de procedimento SIGTAP";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProcedimentoSigtap([u8; 10]);

fn dv(base: &[u8]) -> u8 {
    let v: Vec<u32> = base.iter().map(|b| digits::val(*b)).collect();
    digits::dv_mod11(digits::weighted_sum_from_right(&v, 10))
}

impl ProcedimentoSigtap {
    pub fn parse(input: &str) -> Result<ProcedimentoSigtap, IdError> {
        let d: [u8; 10] = digits::digits(KIND, input)?;
        let grupo = digits::val(d[0]) * 10 + digits::val(d[1]);
        if !(1..=9).contains(&grupo) {
            return Err(IdError::Invalid {
                kind: KIND,
                reason: format!("grupo {grupo:02} não existe (grupos de 01 a 09)"),
            });
        }
        digits::check(KIND, dv(&d[..9]), d[9])?;
        Ok(ProcedimentoSigtap(d))
    }

    /// The code whose first nine digits are `base` (zero-padded), with its check digit.
    pub fn from_base(base: u32) -> Result<ProcedimentoSigtap, IdError> {
        if base >= 1_000_000_000 {
            return Err(IdError::Invalid {
                kind: KIND,
                reason: format!("base {base} tem mais de 9 dígitos"),
            });
        }
        let b = format!("{base:09}");
        let d = dv(b.as_bytes());
        ProcedimentoSigtap::parse(&format!("{b}{d}"))
    }

    pub fn grupo(&self) -> u8 {
        (digits::val(self.0[0]) * 10 + digits::val(self.0[1])) as u8
    }

    pub fn as_str(&self) -> &str {
        digits::ascii(&self.0)
    }
}

impl std::fmt::Display for ProcedimentoSigtap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = self.as_str();
        write!(
            f,
            "{}.{}.{}.{}-{}",
            &s[..2],
            &s[2..4],
            &s[4..6],
            &s[6..9],
            &s[9..]
        )
    }
}

impl_text_id!(ProcedimentoSigtap);
