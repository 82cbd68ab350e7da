//! Shared helpers: stripping masks, checking characters, the mod-11 family of check digits.

use super::IdError;

/// Punctuation people type in masks; removed anywhere.
fn is_mask(c: char) -> bool {
    matches!(c, '.' | '-' | '/' | ' ')
}

/// The input without mask characters, or `Empty` when nothing is left.
pub(crate) fn strip(kind: &'static str, input: &str) -> Result<String, IdError> {
    let s: String = input.trim().chars().filter(|c| !is_mask(*c)).collect();
    if s.is_empty() {
        return Err(IdError::Empty { kind });
    }
    Ok(s)
}

/// `n` ASCII digits, checked for characters first (a letter is a clearer error than a length).
pub(crate) fn digits<const N: usize>(kind: &'static str, input: &str) -> Result<[u8; N], IdError> {
    let s = strip(kind, input)?;
    if let Some((i, ch)) = s.chars().enumerate().find(|(_, c)| !c.is_ascii_digit()) {
        return Err(IdError::Character {
            kind,
            ch,
            position: i + 1,
        });
    }
    if s.len() != N {
        return Err(IdError::Length {
            kind,
            expected: N,
            found: s.len(),
            unit: "dígitos",
        });
    }
    let mut out = [0u8; N];
    out.copy_from_slice(s.as_bytes());
    Ok(out)
}

/// Value of an ASCII digit.
pub(crate) fn val(b: u8) -> u32 {
    u32::from(b - b'0')
}

/// Σ d[i]·w where the weights run `first, first+1, …` from the right, cycling after `max`
/// back to 2 (CPF/CNPJ/SIGTAP/NUP style).
pub(crate) fn weighted_sum_from_right(values: &[u32], max_weight: u32) -> u32 {
    let mut w = 2;
    let mut s = 0;
    for v in values.iter().rev() {
        s += v * w;
        w = if w == max_weight { 2 } else { w + 1 };
    }
    s
}

/// The usual "r < 2 → 0, else 11 − r" mod-11 check digit.
pub(crate) fn dv_mod11(sum: u32) -> u8 {
    let r = sum % 11;
    if r < 2 {
        0
    } else {
        (11 - r) as u8
    }
}

pub(crate) fn all_equal(b: &[u8]) -> bool {
    b.iter().all(|x| *x == b[0])
}

pub(crate) fn check(kind: &'static str, expected: u8, found: u8) -> Result<(), IdError> {
    if b'0' + expected == found {
        Ok(())
    } else {
        Err(IdError::CheckDigit {
            kind,
            expected: (char::from(b'0' + expected)).to_string(),
            found: (char::from(found)).to_string(),
        })
    }
}

/// `as_str` of a fixed ASCII buffer (constructors only ever store ASCII).
pub(crate) fn ascii(b: &[u8]) -> &str {
    std::str::from_utf8(b).unwrap_or_default()
}

/// Serde and `FromStr` for a type with `parse` and `as_str`.
macro_rules! impl_text_id {
    ($t:ty) => {
        impl std::str::FromStr for $t {
            type Err = $crate::ids::IdError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                <$t>::parse(s)
            }
        }
        impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
        impl<'de> serde::Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                <$t>::parse(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}
pub(crate) use impl_text_id;
