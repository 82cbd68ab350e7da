//! CNES — 7-digit establishment code. No check-digit rule was found (domain.md §7.8): format only.

use super::digits::{self, impl_text_id};
use super::IdError;

const KIND: &str = "CNES";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cnes([u8; 7]);

impl Cnes {
    pub fn parse(input: &str) -> Result<Cnes, IdError> {
        let d: [u8; 7] = digits::digits(KIND, input)?;
        if &d == b"0000000" {
            return Err(IdError::Invalid {
                kind: KIND,
                reason: "0000000 não identifica um estabelecimento".to_owned(),
            });
        }
        Ok(Cnes(d))
    }

    pub fn from_u32(n: u32) -> Result<Cnes, IdError> {
        if n >= 10_000_000 {
            return Err(IdError::Length {
                kind: KIND,
                expected: 7,
                found: n.to_string().len(),
                unit: "dígitos",
            });
        }
        Cnes::parse(&format!("{n:07}"))
    }

    pub fn as_str(&self) -> &str {
        digits::ascii(&self.0)
    }
}

impl std::fmt::Display for Cnes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl_text_id!(Cnes);
