//! NUP — the 17-digit federal process number `OOOOO.SSSSSS/AAAA-DD` used by SEI: protocol unit,
//! yearly sequence, year, two check digits (Portaria SLTI/MP 3/2003 lineage, kept by Portaria
//! Interministerial 11/2019 [V]). DVs [S]: each = 11 − (Σ with weights 2.. from the right mod 11),
//! keeping the last digit (10 → 0, 11 → 1). Verified on 33910.018565/2019-58 and
//! 33902.436622/2011-29 (ANS) and 23037.001462/2021-65 (domain.md §7.9).

use super::digits::{self, impl_text_id};
use super::IdError;

const KIND: &str = "NUP";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Nup([u8; 17]);

fn dv(values: &[u32]) -> u32 {
    let s: u32 = values
        .iter()
        .rev()
        .enumerate()
        .map(|(i, v)| v * (i as u32 + 2))
        .sum();
    (11 - s % 11) % 10
}

fn dvs(first15: &[u8]) -> (u8, u8) {
    let mut v: Vec<u32> = first15.iter().map(|b| digits::val(*b)).collect();
    let d1 = dv(&v);
    v.push(d1);
    let d2 = dv(&v);
    (d1 as u8, d2 as u8)
}

impl Nup {
    pub fn parse(input: &str) -> Result<Nup, IdError> {
        let d: [u8; 17] = digits::digits(KIND, input)?;
        let (d1, d2) = dvs(&d[..15]);
        digits::check(KIND, d1, d[15])?;
        digits::check(KIND, d2, d[16])?;
        Ok(Nup(d))
    }

    pub fn new(unidade: u32, sequencia: u32, ano: u16) -> Result<Nup, IdError> {
        if unidade >= 100_000
            || !(1..=999_999).contains(&sequencia)
            || !(1900..=2999).contains(&ano)
        {
            return Err(IdError::Invalid {
                kind: KIND,
                reason: format!(
                    "unidade {unidade} (até 5 dígitos), sequência {sequencia} (1 a 999999) ou ano {ano} fora da faixa"
                ),
            });
        }
        let body = format!("{unidade:05}{sequencia:06}{ano:04}");
        let (d1, d2) = dvs(body.as_bytes());
        Nup::parse(&format!("{body}{d1}{d2}"))
    }

    pub fn unidade(&self) -> u32 {
        digits::ascii(&self.0[..5]).parse().unwrap_or(0)
    }

    pub fn sequencia(&self) -> u32 {
        digits::ascii(&self.0[5..11]).parse().unwrap_or(0)
    }

    pub fn ano(&self) -> u16 {
        digits::ascii(&self.0[11..15]).parse().unwrap_or(0)
    }

    pub fn as_str(&self) -> &str {
        digits::ascii(&self.0)
    }
}

impl std::fmt::Display for Nup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = self.as_str();
        write!(f, "{}.{}/{}-{}", &s[..5], &s[5..11], &s[11..15], &s[15..])
    }
}

impl_text_id!(Nup);
