//! The one error of identifier parsing, with pt-BR messages a person can act on.

use thiserror::Error;

/// Why a text is not a valid identifier. `Display` is pt-BR, for the person who typed it.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum IdError {
    #[error("{kind} não informado")]
    Empty { kind: &'static str },
    #[error("{kind} deve ter {expected} {unit}; foram informados {found}")]
    Length {
        kind: &'static str,
        expected: usize,
        found: usize,
        unit: &'static str,
    },
    #[error("caractere não permitido '{ch}' na posição {position} do {kind}")]
    Character {
        kind: &'static str,
        ch: char,
        position: usize,
    },
    #[error("dígito verificador inválido no {kind}: esperado {expected}, informado {found}")]
    CheckDigit {
        kind: &'static str,
        expected: String,
        found: String,
    },
    #[error("{kind} com todos os dígitos iguais não é válido")]
    AllEqual { kind: &'static str },
    #[error("{kind} inválido: {reason}")]
    Invalid { kind: &'static str, reason: String },
}
