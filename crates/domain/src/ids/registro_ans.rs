//! Registro ANS — 6 digits, the last a check digit. **[INF]** rule inferred from ANS's register
//! (domain.md §7.4; 1,106 of 1,106 active operators pass, tested): S = Σ of the first five digits
//! with weights 2..6 from the right; DV = (11 − S mod 11) mod 10. Leading zeros are significant.

use super::digits::{self, impl_text_id};
use super::IdError;

const KIND: &str = "Registro ANS";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RegistroAns([u8; 6]);

fn dv(base: &[u8]) -> u8 {
    let v: Vec<u32> = base.iter().map(|b| digits::val(*b)).collect();
    let s = digits::weighted_sum_from_right(&v, 6);
    ((11 - s % 11) % 10) as u8
}

impl RegistroAns {
    pub fn parse(input: &str) -> Result<RegistroAns, IdError> {
        let d: [u8; 6] = digits::digits(KIND, input)?;
        digits::check(KIND, dv(&d[..5]), d[5])?;
        Ok(RegistroAns(d))
    }

    /// The registro whose first five digits are `base` (zero-padded).
    pub fn from_base(base: u32) -> Result<RegistroAns, IdError> {
        if base >= 100_000 {
            return Err(IdError::Invalid {
                kind: KIND,
                reason: format!("base {base} tem mais de 5 dígitos"),
            });
        }
        let mut d = [b'0'; 6];
        d[..5].copy_from_slice(format!("{base:05}").as_bytes());
        d[5] = b'0' + dv(&d[..5]);
        Ok(RegistroAns(d))
    }

    pub fn as_str(&self) -> &str {
        digits::ascii(&self.0)
    }
}

impl std::fmt::Display for RegistroAns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl_text_id!(RegistroAns);
