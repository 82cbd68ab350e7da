//! CNS (Cartão Nacional de Saúde) — 15 digits (domain.md §7.3 [V], e-SUS AB LEDI algorithm).
//! Definitive numbers start with 1 or 2 and are built from an 11-digit PIS; provisional ones
//! start with 7, 8 or 9 and have a weighted sum ≡ 0 (mod 11).

use super::digits::{self, impl_text_id};
use super::IdError;

const KIND: &str = "CNS";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cns([u8; 15]);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TipoCns {
    Definitivo,
    Provisorio,
}

/// The definitive CNS built from a PIS, exactly as the LEDI algorithm states.
fn definitivo(pis: &[u8]) -> [u8; 15] {
    let mut s: u32 = pis
        .iter()
        .enumerate()
        .map(|(i, b)| digits::val(*b) * (15 - i as u32))
        .sum();
    let mut dv = 11 - s % 11;
    let mut meio = *b"000";
    if dv == 11 {
        dv = 0;
    } else if dv == 10 {
        s += 2;
        dv = 11 - s % 11;
        meio = *b"001";
    }
    let mut out = [0u8; 15];
    out[..11].copy_from_slice(pis);
    out[11..14].copy_from_slice(&meio);
    out[14] = b'0' + dv as u8;
    out
}

fn soma_provisorio(d: &[u8]) -> u32 {
    d.iter()
        .enumerate()
        .map(|(i, b)| digits::val(*b) * (15 - i as u32))
        .sum()
}

impl Cns {
    pub fn parse(input: &str) -> Result<Cns, IdError> {
        let d: [u8; 15] = digits::digits(KIND, input)?;
        match d[0] {
            b'1' | b'2' => {
                let expected = definitivo(&d[..11]);
                if expected != d {
                    return Err(IdError::CheckDigit {
                        kind: KIND,
                        expected: digits::ascii(&expected[11..]).to_owned(),
                        found: digits::ascii(&d[11..]).to_owned(),
                    });
                }
            }
            b'7' | b'8' | b'9' => {
                if !soma_provisorio(&d).is_multiple_of(11) {
                    let parcial = soma_provisorio(&d[..14]);
                    let esperado = (11 - parcial % 11) % 11;
                    return Err(IdError::CheckDigit {
                        kind: KIND,
                        expected: if esperado == 10 { "nenhum (número impossível)".to_owned() } else { esperado.to_string() },
                        found: char::from(d[14]).to_string(),
                    });
                }
            }
            c => {
                return Err(IdError::Invalid {
                    kind: KIND,
                    reason: format!(
                        "não pode começar com {} (definitivo começa com 1 ou 2; provisório com 7, 8 ou 9)",
                        char::from(c)
                    ),
                })
            }
        }
        Ok(Cns(d))
    }

    /// The definitive CNS of an 11-digit PIS starting with 1 or 2.
    pub fn definitivo_from_pis(pis: u64) -> Result<Cns, IdError> {
        let s = format!("{pis:011}");
        if s.len() != 11 || !(s.starts_with('1') || s.starts_with('2')) {
            return Err(IdError::Invalid {
                kind: KIND,
                reason: format!("PIS {pis} deve ter 11 dígitos e começar com 1 ou 2"),
            });
        }
        Ok(Cns(definitivo(s.as_bytes())))
    }

    /// A provisional CNS from its first 14 digits; `None` when no final digit fits.
    pub fn provisorio_from_body(body: u64) -> Option<Cns> {
        let s = format!("{body:014}");
        if s.len() != 14 || !matches!(s.as_bytes()[0], b'7' | b'8' | b'9') {
            return None;
        }
        let d = (11 - soma_provisorio(s.as_bytes()) % 11) % 11;
        if d == 10 {
            return None;
        }
        let mut out = [0u8; 15];
        out[..14].copy_from_slice(s.as_bytes());
        out[14] = b'0' + d as u8;
        Some(Cns(out))
    }

    pub fn tipo(&self) -> TipoCns {
        if matches!(self.0[0], b'1' | b'2') {
            TipoCns::Definitivo
        } else {
            TipoCns::Provisorio
        }
    }

    pub fn as_str(&self) -> &str {
        digits::ascii(&self.0)
    }

    /// `170 **** **** 0018`: enough to tell cards apart, not to use one.
    pub fn masked(&self) -> String {
        let s = self.as_str();
        format!("{} **** **** {}", &s[..3], &s[11..])
    }
}

impl std::fmt::Display for Cns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = self.as_str();
        write!(f, "{} {} {} {}", &s[..3], &s[3..7], &s[7..11], &s[11..])
    }
}

impl_text_id!(Cns);
