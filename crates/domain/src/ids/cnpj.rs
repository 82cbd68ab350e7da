//! CNPJ — 14 characters: 8 root + 4 order + 2 check digits. From July 2026 the first twelve
//! may be letters A–Z (IN RFB 2.229/2024, Nota Técnica COCAD/SUARA/RFB 49/2024 [S]); each
//! character counts as its ASCII code − 48, the check digits stay numeric (domain.md §7.1).

use super::digits::{self, impl_text_id};
use super::IdError;

const KIND: &str = "CNPJ";

/// A CNPJ with valid check digits, numeric or alphanumeric; stored bare and uppercase.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cnpj([u8; 14]);

fn value(b: u8) -> u32 {
    u32::from(b) - 48
}

fn dvs(first12: &[u8]) -> (u8, u8) {
    let v: Vec<u32> = first12.iter().map(|b| value(*b)).collect();
    let d1 = digits::dv_mod11(digits::weighted_sum_from_right(&v, 9));
    let mut v2 = v;
    v2.push(u32::from(d1));
    let d2 = digits::dv_mod11(digits::weighted_sum_from_right(&v2, 9));
    (d1, d2)
}

impl Cnpj {
    pub fn parse(input: &str) -> Result<Cnpj, IdError> {
        let s = digits::strip(KIND, input)?.to_ascii_uppercase();
        for (i, c) in s.chars().enumerate() {
            let ok = if i < 12 {
                c.is_ascii_digit() || c.is_ascii_uppercase()
            } else {
                c.is_ascii_digit()
            };
            if !ok {
                return Err(IdError::Character {
                    kind: KIND,
                    ch: c,
                    position: i + 1,
                });
            }
        }
        if s.len() != 14 {
            return Err(IdError::Length {
                kind: KIND,
                expected: 14,
                found: s.len(),
                unit: "caracteres",
            });
        }
        let mut d = [0u8; 14];
        d.copy_from_slice(s.as_bytes());
        if digits::all_equal(&d) {
            return Err(IdError::AllEqual { kind: KIND });
        }
        let (d1, d2) = dvs(&d[..12]);
        digits::check(KIND, d1, d[12])?;
        digits::check(KIND, d2, d[13])?;
        Ok(Cnpj(d))
    }

    /// The CNPJ whose first twelve characters are `base12`, with its check digits.
    pub fn from_base(base12: &str) -> Result<Cnpj, IdError> {
        let base = base12.to_ascii_uppercase();
        if base.len() != 12 {
            return Err(IdError::Length {
                kind: KIND,
                expected: 12,
                found: base.len(),
                unit: "caracteres na base",
            });
        }
        if let Some((i, ch)) = base
            .chars()
            .enumerate()
            .find(|(_, c)| !(c.is_ascii_digit() || c.is_ascii_uppercase()))
        {
            return Err(IdError::Character {
                kind: KIND,
                ch,
                position: i + 1,
            });
        }
        let (d1, d2) = dvs(base.as_bytes());
        Cnpj::parse(&format!("{base}{d1}{d2}"))
    }

    pub fn as_str(&self) -> &str {
        digits::ascii(&self.0)
    }

    /// The first eight characters: the company, whatever the establishment.
    pub fn raiz(&self) -> &str {
        &self.as_str()[..8]
    }

    /// Order `0001` is the head office.
    pub fn is_matriz(&self) -> bool {
        &self.as_str()[8..12] == "0001"
    }
}

impl std::fmt::Display for Cnpj {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = self.as_str();
        write!(
            f,
            "{}.{}.{}/{}-{}",
            &s[..2],
            &s[2..5],
            &s[5..8],
            &s[8..12],
            &s[12..]
        )
    }
}

impl_text_id!(Cnpj);
