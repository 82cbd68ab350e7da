//! Money: integer centavos, never floating point.
//!
//! [`Centavos`] has no operators that could overflow silently: every arithmetic operation is
//! checked and returns [`MoneyError`]. Multiplying by a ratio (IVR = 1.5 ×, fines, shares) says
//! its rounding explicitly ([`Rounding`]) and is computed exactly in `i128`.

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// An amount in centavos of real (R$ 1,00 = 100).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Centavos(i64);

#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum MoneyError {
    #[error("valor fora do limite representável")]
    Overflow,
    #[error("divisão por zero")]
    DivisionByZero,
    #[error("valor inválido \"{input}\": {reason}")]
    Invalid { input: String, reason: &'static str },
}

/// How a division that does not fall on a whole centavo is rounded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rounding {
    /// Half away from zero (0,5 → 1; −0,5 → −1): the usual commercial rounding.
    HalfUp,
    /// Half to even (banker's rounding).
    HalfEven,
    /// Toward zero (truncation).
    Down,
}

impl Centavos {
    pub const ZERO: Centavos = Centavos(0);

    pub const fn new(centavos: i64) -> Centavos {
        Centavos(centavos)
    }

    pub fn from_reais(reais: i64) -> Result<Centavos, MoneyError> {
        reais
            .checked_mul(100)
            .map(Centavos)
            .ok_or(MoneyError::Overflow)
    }

    pub const fn value(self) -> i64 {
        self.0
    }

    pub fn checked_add(self, other: Centavos) -> Result<Centavos, MoneyError> {
        self.0
            .checked_add(other.0)
            .map(Centavos)
            .ok_or(MoneyError::Overflow)
    }

    pub fn checked_sub(self, other: Centavos) -> Result<Centavos, MoneyError> {
        self.0
            .checked_sub(other.0)
            .map(Centavos)
            .ok_or(MoneyError::Overflow)
    }

    pub fn checked_mul(self, factor: i64) -> Result<Centavos, MoneyError> {
        self.0
            .checked_mul(factor)
            .map(Centavos)
            .ok_or(MoneyError::Overflow)
    }

    /// Σ of the amounts, or `Overflow`.
    pub fn sum<I: IntoIterator<Item = Centavos>>(items: I) -> Result<Centavos, MoneyError> {
        items
            .into_iter()
            .try_fold(Centavos::ZERO, Centavos::checked_add)
    }

    /// `self × num / den`, rounded as stated, exact in `i128`.
    pub fn mul_ratio(self, num: i64, den: i64, rounding: Rounding) -> Result<Centavos, MoneyError> {
        if den == 0 {
            return Err(MoneyError::DivisionByZero);
        }
        let n = i128::from(self.0) * i128::from(num);
        let d = i128::from(den);
        let (mut q, r) = (n / d, n % d);
        if r != 0 {
            // Sign of the exact quotient; q was truncated toward zero.
            let negative = (n < 0) != (d < 0);
            let twice = (r.abs()) * 2;
            let away = match rounding {
                Rounding::Down => false,
                Rounding::HalfUp => twice >= d.abs(),
                Rounding::HalfEven => twice > d.abs() || (twice == d.abs() && q % 2 != 0),
            };
            if away {
                q += if negative { -1 } else { 1 };
            }
        }
        i64::try_from(q)
            .map(Centavos)
            .map_err(|_| MoneyError::Overflow)
    }

    /// What people type: `1.234,56`, `R$ 1.234,56`, `1234,56`, `-10,00`, `1234` (reais), `0,5`
    /// (50 centavos); and the machine form `1234.56` — a single dot followed by one or two
    /// digits and no comma. A dot followed by exactly three digits is a thousands separator
    /// (`1.234` = R$ 1.234,00). More than two decimals is refused, never rounded.
    pub fn parse_brl(input: &str) -> Result<Centavos, MoneyError> {
        let invalid = |reason| MoneyError::Invalid {
            input: input.to_owned(),
            reason,
        };
        let mut s = input.trim();
        let negative = s.starts_with('-');
        if negative {
            s = s[1..].trim_start();
        }
        s = s.strip_prefix("R$").unwrap_or(s).trim();
        if s.is_empty() {
            return Err(invalid("informe um valor, por exemplo 1.234,56"));
        }
        if s.chars()
            .any(|c| !(c.is_ascii_digit() || c == '.' || c == ','))
        {
            return Err(invalid(
                "use apenas dígitos, pontos de milhar e vírgula decimal",
            ));
        }
        let (inteira, decimal) = match s.rsplit_once(',') {
            Some((i, d)) => (i.to_owned(), d.to_owned()),
            None => match s.rsplit_once('.') {
                Some((i, d)) if s.matches('.').count() == 1 && (1..=2).contains(&d.len()) => {
                    (i.to_owned(), d.to_owned())
                }
                _ => (s.to_owned(), String::new()),
            },
        };
        if decimal.contains('.') || decimal.contains(',') {
            return Err(invalid("separadores fora de lugar"));
        }
        if decimal.len() > 2 {
            return Err(invalid("no máximo 2 casas decimais"));
        }
        // Thousands separators: groups of exactly three digits after the first.
        let grupos: Vec<&str> = inteira.split('.').collect();
        if grupos.len() > 1
            && (grupos[0].is_empty()
                || grupos[0].len() > 3
                || grupos[1..].iter().any(|g| g.len() != 3))
        {
            return Err(invalid(
                "pontos de milhar devem separar grupos de 3 dígitos",
            ));
        }
        let digitos: String = grupos.concat();
        if digitos.is_empty() && decimal.is_empty() {
            return Err(invalid("informe um valor, por exemplo 1.234,56"));
        }
        let reais: i64 = if digitos.is_empty() {
            0
        } else {
            digitos
                .parse()
                .map_err(|_| invalid("valor grande demais"))?
        };
        let cent: i64 = match decimal.len() {
            0 => 0,
            1 => {
                decimal
                    .parse::<i64>()
                    .map_err(|_| invalid("decimais inválidos"))?
                    * 10
            }
            _ => decimal.parse().map_err(|_| invalid("decimais inválidos"))?,
        };
        let total = reais
            .checked_mul(100)
            .and_then(|r| r.checked_add(cent))
            .ok_or_else(|| invalid("valor grande demais"))?;
        Ok(Centavos(if negative { -total } else { total }))
    }

    /// `1234.56`, for CSV and APIs.
    pub fn to_decimal_string(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        format!("{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

/// `R$ 1.234,56`, `-R$ 10,00`.
impl std::fmt::Display for Centavos {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let abs = self.0.unsigned_abs();
        let reais = (abs / 100).to_string();
        let mut grouped = String::with_capacity(reais.len() + reais.len() / 3);
        for (i, c) in reais.chars().enumerate() {
            if i > 0 && (reais.len() - i).is_multiple_of(3) {
                grouped.push('.');
            }
            grouped.push(c);
        }
        let sign = if self.0 < 0 { "-" } else { "" };
        write!(f, "{sign}R$ {grouped},{:02}", abs % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_brazilian() {
        assert_eq!(Centavos::new(123_456).to_string(), "R$ 1.234,56");
        assert_eq!(Centavos::new(-1_000).to_string(), "-R$ 10,00");
        assert_eq!(Centavos::new(5).to_string(), "R$ 0,05");
        assert_eq!(Centavos::new(100_000_000).to_string(), "R$ 1.000.000,00");
        assert_eq!(
            Centavos::new(i64::MIN).to_string(),
            "-R$ 92.233.720.368.547.758,08"
        );
    }
}
