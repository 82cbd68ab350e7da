//! AIH and APAC numbers — 13 digits: UF (IBGE code, 99 = CNRAC), two-digit year, type digit,
//! 7-digit sequence, check digit = (first 12 digits as an integer) mod 11, 10 → 0
//! (Portaria SAS 735/2008 [V] for the structure; the DV text from the SIH manual [S];
//! domain.md §7.5–7.6). AIH types: 1 uso geral, 3 CNRAC, 5 eletivas [V]. APAC type 2 (uso
//! geral) is verified; 4 and 6 are accepted **[INF]** by analogy with the AIH digits. The APAC
//! check digit is assumed equal to the AIH one (design.md "Decisions we made").

use super::digits::{self, impl_text_id};
use super::IdError;

const UFS: &[u8] = &[
    11, 12, 13, 14, 15, 16, 17, 21, 22, 23, 24, 25, 26, 27, 28, 29, 31, 32, 33, 35, 41, 42, 43, 50,
    51, 52, 53, 99,
];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TipoAih {
    UsoGeral,
    Cnrac,
    Eletiva,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TipoApac {
    UsoGeral,
    Cnrac,
    Eletiva,
}

fn dv(first12: &[u8]) -> u8 {
    let n: u64 = digits::ascii(first12).parse().unwrap_or(0);
    ((n % 11) % 10) as u8
}

/// Checks everything but the type digit; returns the digits.
fn parse13(kind: &'static str, input: &str) -> Result<[u8; 13], IdError> {
    let d: [u8; 13] = digits::digits(kind, input)?;
    let uf = (digits::val(d[0]) * 10 + digits::val(d[1])) as u8;
    if !UFS.contains(&uf) {
        return Err(IdError::Invalid {
            kind,
            reason: format!("UF {uf:02} não é um código IBGE de UF (nem 99, CNRAC)"),
        });
    }
    if &d[5..12] == b"0000000" {
        return Err(IdError::Invalid {
            kind,
            reason: "a sequência (dígitos 6 a 12) não pode ser zero".to_owned(),
        });
    }
    digits::check(kind, dv(&d[..12]), d[12])?;
    Ok(d)
}

fn build(
    kind: &'static str,
    uf: u8,
    ano2: u8,
    tipo: u8,
    sequencia: u32,
) -> Result<[u8; 13], IdError> {
    if !(1..=9_999_999).contains(&sequencia) || ano2 > 99 {
        return Err(IdError::Invalid {
            kind,
            reason: format!("ano {ano2} ou sequência {sequencia} fora da faixa"),
        });
    }
    let mut d = [0u8; 13];
    d[..12].copy_from_slice(format!("{uf:02}{ano2:02}{tipo}{sequencia:07}").as_bytes());
    d[12] = b'0' + dv(&d[..12]);
    parse13(kind, digits::ascii(&d))
}

fn fmt13(d: &[u8], f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
    let s = digits::ascii(d);
    write!(
        f,
        "{}.{}.{}.{}.{}.{}-{}",
        &s[..2],
        &s[2..4],
        &s[4..5],
        &s[5..6],
        &s[6..9],
        &s[9..12],
        &s[12..]
    )
}

macro_rules! autorizacao {
    ($t:ident, $kind:literal, $tipo:ident, $outra:literal, $outros:expr, [$(($digit:literal, $variant:ident)),*]) => {
        #[doc = concat!("A valid ", $kind, " number.")]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $t([u8; 13]);

        impl $t {
            pub fn parse(input: &str) -> Result<$t, IdError> {
                let d = parse13($kind, input)?;
                match d[4] {
                    $($digit)|* => Ok($t(d)),
                    other => Err(IdError::Invalid {
                        kind: $kind,
                        reason: if $outros.contains(&other) {
                            format!("o 5º dígito {} indica um número de {}, não de {}", char::from(other), $outra, $kind)
                        } else {
                            format!("o 5º dígito {} não é um tipo de {}", char::from(other), $kind)
                        },
                    }),
                }
            }

            pub fn new(uf: u8, ano2: u8, tipo: $tipo, sequencia: u32) -> Result<$t, IdError> {
                let digit = match tipo { $($tipo::$variant => $digit - b'0'),* };
                build($kind, uf, ano2, digit, sequencia).map($t)
            }

            pub fn tipo(&self) -> $tipo {
                match self.0[4] {
                    $($digit => $tipo::$variant,)*
                    _ => unreachable!("checked by the constructors"),
                }
            }

            pub fn uf(&self) -> u8 {
                (digits::val(self.0[0]) * 10 + digits::val(self.0[1])) as u8
            }

            pub fn ano2(&self) -> u8 {
                (digits::val(self.0[2]) * 10 + digits::val(self.0[3])) as u8
            }

            pub fn sequencia(&self) -> u32 {
                digits::ascii(&self.0[5..12]).parse().unwrap_or(0)
            }

            pub fn as_str(&self) -> &str {
                digits::ascii(&self.0)
            }
        }

        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                fmt13(&self.0, f)
            }
        }

        impl_text_id!($t);
    };
}

autorizacao!(
    Aih,
    "AIH",
    TipoAih,
    "APAC",
    b"246",
    [(b'1', UsoGeral), (b'3', Cnrac), (b'5', Eletiva)]
);
autorizacao!(
    Apac,
    "APAC",
    TipoApac,
    "AIH",
    b"135",
    [(b'2', UsoGeral), (b'4', Cnrac), (b'6', Eletiva)]
);
