//! CPF — 11 digits, two mod-11 check digits (domain.md §7.2 [V]).

use super::digits::{self, impl_text_id};
use super::IdError;

const KIND: &str = "CPF";

/// A CPF with valid check digits; stored bare (`12345678909`), shown masked (`123.456.789-09`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cpf([u8; 11]);

fn dvs(base: &[u8]) -> (u8, u8) {
    let v: Vec<u32> = base.iter().map(|b| digits::val(*b)).collect();
    let d1 = digits::dv_mod11(digits::weighted_sum_from_right(&v[..9], 10));
    let mut v2 = v[..9].to_vec();
    v2.push(u32::from(d1));
    let d2 = digits::dv_mod11(digits::weighted_sum_from_right(&v2, 11));
    (d1, d2)
}

impl Cpf {
    pub fn parse(input: &str) -> Result<Cpf, IdError> {
        let d: [u8; 11] = digits::digits(KIND, input)?;
        if digits::all_equal(&d) {
            return Err(IdError::AllEqual { kind: KIND });
        }
        let (d1, d2) = dvs(&d);
        digits::check(KIND, d1, d[9])?;
        digits::check(KIND, d2, d[10])?;
        Ok(Cpf(d))
    }

    /// The CPF whose first nine digits are `base` (zero-padded), with its check digits.
    pub fn from_base(base: u32) -> Result<Cpf, IdError> {
        if base >= 1_000_000_000 {
            return Err(IdError::Invalid {
                kind: KIND,
                reason: format!("base {base} tem mais de 9 dígitos"),
            });
        }
        let mut d = [b'0'; 11];
        d[..9].copy_from_slice(format!("{base:09}").as_bytes());
        let (d1, d2) = dvs(&d);
        d[9] = b'0' + d1;
        d[10] = b'0' + d2;
        if digits::all_equal(&d) {
            return Err(IdError::AllEqual { kind: KIND });
        }
        Ok(Cpf(d))
    }

    pub fn as_str(&self) -> &str {
        digits::ascii(&self.0)
    }

    /// Partially hidden, as shown to people who may see that a CPF exists but not which:
    /// `***.456.789-**`.
    pub fn masked(&self) -> String {
        let s = self.as_str();
        format!("***.{}.{}-**", &s[3..6], &s[6..9])
    }
}

impl std::fmt::Display for Cpf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = self.as_str();
        write!(f, "{}.{}.{}-{}", &s[..3], &s[3..6], &s[6..9], &s[9..])
    }
}

impl_text_id!(Cpf);
