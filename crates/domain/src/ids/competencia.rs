//! Competência — the billing month of a SUS record (`AAAAMM`), and the quarter ABIs group them
//! by (`1T2024`, ANS's notation). Years 1990–2100.

use chrono::{Datelike, NaiveDate};

use super::IdError;

const KIND: &str = "competência";
const KIND_T: &str = "trimestre";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Competencia {
    ano: u16,
    mes: u8,
}

fn check_ano(kind: &'static str, ano: u16) -> Result<(), IdError> {
    if (1990..=2100).contains(&ano) {
        Ok(())
    } else {
        Err(IdError::Invalid {
            kind,
            reason: format!("ano {ano} fora de 1990 a 2100"),
        })
    }
}

fn date(ano: u16, mes: u8, dia: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(i32::from(ano), u32::from(mes), dia).unwrap_or(NaiveDate::MIN)
}

impl Competencia {
    pub fn new(ano: u16, mes: u8) -> Result<Competencia, IdError> {
        check_ano(KIND, ano)?;
        if !(1..=12).contains(&mes) {
            return Err(IdError::Invalid {
                kind: KIND,
                reason: format!("mês {mes} (use AAAAMM, mês de 01 a 12)"),
            });
        }
        Ok(Competencia { ano, mes })
    }

    /// `AAAAMM` (as DATASUS writes it) or `MM/AAAA` (as people do).
    pub fn parse(input: &str) -> Result<Competencia, IdError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(IdError::Empty { kind: KIND });
        }
        let (ano, mes) = match s.split_once('/') {
            Some((m, a)) => (a, m),
            None if s.len() == 6 => (&s[..4], &s[4..]),
            None => {
                return Err(IdError::Invalid {
                    kind: KIND,
                    reason: format!("\"{s}\" (use AAAAMM ou MM/AAAA)"),
                })
            }
        };
        if let Some((i, ch)) = s
            .chars()
            .enumerate()
            .find(|(_, c)| !(c.is_ascii_digit() || *c == '/'))
        {
            return Err(IdError::Character {
                kind: KIND,
                ch,
                position: i + 1,
            });
        }
        let bad = || IdError::Invalid {
            kind: KIND,
            reason: format!("\"{s}\" (use AAAAMM ou MM/AAAA)"),
        };
        if ano.len() != 4 || mes.is_empty() || mes.len() > 2 {
            return Err(bad());
        }
        Competencia::new(
            ano.parse().map_err(|_| bad())?,
            mes.parse().map_err(|_| bad())?,
        )
    }

    pub fn from_date(d: NaiveDate) -> Competencia {
        Competencia {
            ano: d.year().clamp(0, i32::from(u16::MAX)) as u16,
            mes: d.month() as u8,
        }
    }

    pub fn ano(&self) -> u16 {
        self.ano
    }

    pub fn mes(&self) -> u8 {
        self.mes
    }

    pub fn to_aaaamm(&self) -> String {
        format!("{:04}{:02}", self.ano, self.mes)
    }

    pub fn trimestre(&self) -> Trimestre {
        Trimestre {
            ano: self.ano,
            numero: (self.mes - 1) / 3 + 1,
        }
    }

    pub fn primeiro_dia(&self) -> NaiveDate {
        date(self.ano, self.mes, 1)
    }

    pub fn ultimo_dia(&self) -> NaiveDate {
        self.seguinte()
            .primeiro_dia()
            .pred_opt()
            .unwrap_or(NaiveDate::MIN)
    }

    pub fn seguinte(&self) -> Competencia {
        if self.mes == 12 {
            Competencia {
                ano: self.ano + 1,
                mes: 1,
            }
        } else {
            Competencia {
                ano: self.ano,
                mes: self.mes + 1,
            }
        }
    }

    pub fn anterior(&self) -> Competencia {
        if self.mes == 1 {
            Competencia {
                ano: self.ano - 1,
                mes: 12,
            }
        } else {
            Competencia {
                ano: self.ano,
                mes: self.mes - 1,
            }
        }
    }
}

impl std::fmt::Display for Competencia {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:02}/{:04}", self.mes, self.ano)
    }
}

impl std::str::FromStr for Competencia {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Competencia::parse(s)
    }
}

impl serde::Serialize for Competencia {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_aaaamm())
    }
}

impl<'de> serde::Deserialize<'de> for Competencia {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Competencia::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// A competência quarter, `1T2024`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Trimestre {
    ano: u16,
    numero: u8,
}

impl Trimestre {
    pub fn new(ano: u16, numero: u8) -> Result<Trimestre, IdError> {
        check_ano(KIND_T, ano)?;
        if !(1..=4).contains(&numero) {
            return Err(IdError::Invalid {
                kind: KIND_T,
                reason: format!("trimestre {numero} (de 1 a 4)"),
            });
        }
        Ok(Trimestre { ano, numero })
    }

    /// `1T2024` (ANS), `2024T1` or `2024-T1`.
    pub fn parse(input: &str) -> Result<Trimestre, IdError> {
        let s = input.trim().to_ascii_uppercase().replace('-', "");
        if s.is_empty() {
            return Err(IdError::Empty { kind: KIND_T });
        }
        let bad = || IdError::Invalid {
            kind: KIND_T,
            reason: format!("\"{}\" (use 1T2024)", input.trim()),
        };
        let (ano, numero) = match s.split_once('T') {
            Some((n, a)) if n.len() == 1 && a.len() == 4 => (a, n),
            Some((a, n)) if a.len() == 4 && n.len() == 1 => (a, n),
            _ => return Err(bad()),
        };
        Trimestre::new(
            ano.parse().map_err(|_| bad())?,
            numero.parse().map_err(|_| bad())?,
        )
    }

    pub fn ano(&self) -> u16 {
        self.ano
    }

    pub fn numero(&self) -> u8 {
        self.numero
    }

    pub fn competencias(&self) -> [Competencia; 3] {
        let m = (self.numero - 1) * 3 + 1;
        [0, 1, 2].map(|i| Competencia {
            ano: self.ano,
            mes: m + i,
        })
    }

    pub fn contains(&self, c: Competencia) -> bool {
        c.trimestre() == *self
    }

    pub fn primeiro_dia(&self) -> NaiveDate {
        self.competencias()[0].primeiro_dia()
    }

    pub fn ultimo_dia(&self) -> NaiveDate {
        self.competencias()[2].ultimo_dia()
    }

    /// Quarters since 1T0000 — `b.indice() - a.indice()` is the number of quarters from `a` to `b`.
    pub fn indice(&self) -> i32 {
        i32::from(self.ano) * 4 + i32::from(self.numero) - 1
    }

    /// The quarter `n` quarters after this one (`n` may be negative); `None` outside 1990–2100.
    pub fn somar(&self, n: i32) -> Option<Trimestre> {
        let i = self.indice() + n;
        let ano = u16::try_from(i.div_euclid(4)).ok()?;
        let numero = u8::try_from(i.rem_euclid(4) + 1).ok()?;
        Trimestre::new(ano, numero).ok()
    }

    /// The quarter that contains a date.
    pub fn de_data(d: NaiveDate) -> Option<Trimestre> {
        let ano = u16::try_from(d.year()).ok()?;
        Trimestre::new(ano, u8::try_from((d.month() - 1) / 3 + 1).ok()?).ok()
    }

    pub fn seguinte(&self) -> Trimestre {
        if self.numero == 4 {
            Trimestre {
                ano: self.ano + 1,
                numero: 1,
            }
        } else {
            Trimestre {
                ano: self.ano,
                numero: self.numero + 1,
            }
        }
    }

    pub fn anterior(&self) -> Trimestre {
        if self.numero == 1 {
            Trimestre {
                ano: self.ano - 1,
                numero: 4,
            }
        } else {
            Trimestre {
                ano: self.ano,
                numero: self.numero - 1,
            }
        }
    }
}

impl std::fmt::Display for Trimestre {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}T{:04}", self.numero, self.ano)
    }
}

impl std::str::FromStr for Trimestre {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Trimestre::parse(s)
    }
}

impl serde::Serialize for Trimestre {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> serde::Deserialize<'de> for Trimestre {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Trimestre::parse(&s).map_err(serde::de::Error::custom)
    }
}
