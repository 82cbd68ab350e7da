//! The ANS calendar: which days are business days of ANS.
//!
//! A day is **not** a business day when it is a Saturday, a Sunday, a national holiday, an ANS
//! ponto facultativo, or a holiday of Rio de Janeiro, where ANS has its headquarters (design.md
//! "Decisions we made"; RN 253/2011 art. 24 as amended by RN 327/2013: periods start and end only
//! on days of normal working hours at ANS; state and municipal holidays elsewhere must be proven
//! by the operator and are not in this calendar).
//!
//! National holidays are law and are computed here:
//! - fixed: 01/01, 21/04, 01/05, 07/09, 02/11, 15/11, 25/12 (Lei 662/1949 as amended by
//!   Lei 10.607/2002), 12/10 (Lei 6.802/1980), 20/11 from 2024 (Lei 14.759/2023);
//! - Good Friday, Easter − 2 days (religious holiday kept nationwide, Lei 9.093/1995 [S]).
//!
//! ANS pontos facultativos and Rio de Janeiro holidays are **data** (`data/calendario_ans.csv`,
//! embedded; the same format loads through [`CalendarioAns::from_csv`]): the recurring ones
//! (Carnaval, Ash Wednesday, Corpus Christi) by rule, and each year's other pontos facultativos
//! of the federal portaria (MGI) as single dates, so next year's portaria is a data change. A day
//! of shortened hours (Ash Wednesday until 14h, the afternoons of 24/12 and 31/12) is not a day
//! of normal hours, and RN 253/2011 art. 24 as amended by RN 327/2013 lets a period start or end
//! only on one: it is a non-business day here like any other ponto facultativo. Every line is
//! checked at load (pt-BR error with line, field and reason). Every calendar has a version that
//! deadlines record.

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use thiserror::Error;

/// The embedded calendar data and its version label.
pub const CALENDARIO_PADRAO_CSV: &str = include_str!("../data/calendario_ans.csv");
pub const VERSAO_PADRAO: &str = "calendario-ans-2026.1";

/// Years precomputed for fast lookups; other years are computed on demand.
const ANOS: std::ops::RangeInclusive<i32> = 1990..=2100;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TipoFeriado {
    Nacional,
    PontoFacultativoAns,
    RioDeJaneiro,
}

impl TipoFeriado {
    fn rotulo(self) -> &'static str {
        match self {
            TipoFeriado::Nacional => "feriado nacional",
            TipoFeriado::PontoFacultativoAns => "ponto facultativo ANS",
            TipoFeriado::RioDeJaneiro => "feriado no Rio de Janeiro",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Feriado {
    pub data: NaiveDate,
    pub nome: String,
    pub tipo: TipoFeriado,
}

#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[error("calendário, linha {linha}, campo {campo}: {motivo}")]
pub struct CalendarError {
    pub linha: usize,
    pub campo: &'static str,
    pub motivo: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Quando {
    Fixo {
        dia: u32,
        mes: u32,
    },
    Pascoa(i64),
    /// One day only (a portaria's ponto facultativo of that year).
    Data(NaiveDate),
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Regra {
    tipo: TipoFeriado,
    quando: Quando,
    nome: String,
    de: Option<i32>,
    ate: Option<i32>,
}

impl Regra {
    fn vale(&self, ano: i32) -> bool {
        self.de.is_none_or(|d| ano >= d) && self.ate.is_none_or(|a| ano <= a)
    }

    fn data(&self, ano: i32) -> Option<NaiveDate> {
        match self.quando {
            Quando::Fixo { dia, mes } => NaiveDate::from_ymd_opt(ano, mes, dia),
            Quando::Pascoa(offset) => pascoa(ano).map(|p| p + Duration::days(offset)),
            Quando::Data(d) => (d.year() == ano).then_some(d),
        }
    }
}

/// Easter Sunday (Gregorian), by the anonymous Meeus/Jones/Butcher algorithm.
pub fn pascoa(ano: i32) -> Option<NaiveDate> {
    let a = ano % 19;
    let b = ano / 100;
    let c = ano % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let mes = (h + l - 7 * m + 114) / 31;
    let dia = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(ano, mes as u32, dia as u32)
}

fn nacionais() -> Vec<Regra> {
    let fixo = |dia, mes, nome: &str, de: Option<i32>| Regra {
        tipo: TipoFeriado::Nacional,
        quando: Quando::Fixo { dia, mes },
        nome: nome.to_owned(),
        de,
        ate: None,
    };
    vec![
        fixo(1, 1, "Confraternização Universal", None),
        fixo(21, 4, "Tiradentes", None),
        fixo(1, 5, "Dia do Trabalho", None),
        fixo(7, 9, "Independência do Brasil", None),
        fixo(12, 10, "Nossa Senhora Aparecida", Some(1980)),
        fixo(2, 11, "Finados", None),
        fixo(15, 11, "Proclamação da República", None),
        fixo(
            20,
            11,
            "Dia Nacional de Zumbi e da Consciência Negra",
            Some(2024),
        ),
        fixo(25, 12, "Natal", None),
        Regra {
            tipo: TipoFeriado::Nacional,
            quando: Quando::Pascoa(-2),
            nome: "Sexta-feira da Paixão".to_owned(),
            de: None,
            ate: None,
        },
    ]
}

/// The calendar of one version of the rules.
#[derive(Clone, Debug)]
pub struct CalendarioAns {
    versao: String,
    regras: Vec<Regra>,
    /// Non-business days (other than weekends) of [`ANOS`], with their reasons.
    dias: BTreeMap<NaiveDate, Vec<Feriado>>,
}

impl CalendarioAns {
    /// National holidays plus the embedded ANS/Rio de Janeiro data.
    pub fn padrao() -> CalendarioAns {
        // The embedded file is covered by tests: failing here is a broken build, not bad input.
        CalendarioAns::from_csv(VERSAO_PADRAO, CALENDARIO_PADRAO_CSV)
            .expect("the embedded calendario_ans.csv is valid")
    }

    /// National holidays plus the pontos facultativos and Rio de Janeiro holidays of `csv`.
    pub fn from_csv(versao: &str, csv: &str) -> Result<CalendarioAns, CalendarError> {
        let mut regras = nacionais();
        let mut header_seen = false;
        // Single dates already seen, with their line: a date listed twice is a mistake.
        let mut datas: BTreeMap<NaiveDate, usize> = BTreeMap::new();
        for (i, raw) in csv.lines().enumerate() {
            let linha = i + 1;
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if !header_seen {
                header_seen = true;
                if line.starts_with("escopo;") {
                    continue;
                }
            }
            let regra = parse_regra(linha, line)?;
            if let Quando::Data(d) = regra.quando {
                if let Some(antes) = datas.insert(d, linha) {
                    return Err(CalendarError {
                        linha,
                        campo: "dia",
                        motivo: format!("{} repete a linha {antes}", d.format("%d/%m/%Y")),
                    });
                }
            }
            regras.push(regra);
        }
        Ok(CalendarioAns::build(versao.to_owned(), regras))
    }

    fn build(versao: String, regras: Vec<Regra>) -> CalendarioAns {
        let mut dias: BTreeMap<NaiveDate, Vec<Feriado>> = BTreeMap::new();
        for ano in ANOS {
            for f in feriados_de(&regras, ano) {
                dias.entry(f.data).or_default().push(f);
            }
        }
        CalendarioAns {
            versao,
            regras,
            dias,
        }
    }

    pub fn versao(&self) -> &str {
        &self.versao
    }

    /// Holidays and pontos facultativos of a year, by date (a date may appear twice, e.g.
    /// 20/11 is national and a Rio de Janeiro holiday).
    pub fn feriados(&self, ano: i32) -> Vec<Feriado> {
        feriados_de(&self.regras, ano)
    }

    fn feriados_em(&self, d: NaiveDate) -> Vec<Feriado> {
        if ANOS.contains(&d.year()) {
            self.dias.get(&d).cloned().unwrap_or_default()
        } else {
            self.feriados(d.year())
                .into_iter()
                .filter(|f| f.data == d)
                .collect()
        }
    }

    pub fn is_dia_util(&self, d: NaiveDate) -> bool {
        if matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
            return false;
        }
        if ANOS.contains(&d.year()) {
            !self.dias.contains_key(&d)
        } else {
            self.feriados_em(d).is_empty()
        }
    }

    /// Why `d` is not a business day, in pt-BR; `None` when it is one.
    pub fn motivo_nao_util(&self, d: NaiveDate) -> Option<String> {
        match d.weekday() {
            Weekday::Sat => return Some("sábado".to_owned()),
            Weekday::Sun => return Some("domingo".to_owned()),
            _ => {}
        }
        let f = self.feriados_em(d);
        (!f.is_empty()).then(|| {
            f.iter()
                .map(|f| format!("{}: {}", f.tipo.rotulo(), f.nome))
                .collect::<Vec<_>>()
                .join("; ")
        })
    }

    /// The first business day strictly after `d`.
    pub fn proximo_dia_util(&self, d: NaiveDate) -> NaiveDate {
        let mut x = d + Duration::days(1);
        while !self.is_dia_util(x) {
            x += Duration::days(1);
        }
        x
    }

    /// `d` itself when it is a business day, else the next one.
    pub fn dia_util_ou_proximo(&self, d: NaiveDate) -> NaiveDate {
        if self.is_dia_util(d) {
            d
        } else {
            self.proximo_dia_util(d)
        }
    }

    /// The last business day of a month (GRU due dates of overdue debts, IN 37/2009 art. 27).
    pub fn ultimo_dia_util_do_mes(&self, ano: i32, mes: u32) -> Option<NaiveDate> {
        let primeiro = NaiveDate::from_ymd_opt(ano, mes, 1)?;
        let mut d = primeiro
            .checked_add_months(chrono::Months::new(1))?
            .pred_opt()?;
        while !self.is_dia_util(d) {
            d = d.pred_opt()?;
            if d < primeiro {
                return None;
            }
        }
        Some(d)
    }
}

fn feriados_de(regras: &[Regra], ano: i32) -> Vec<Feriado> {
    let mut out: Vec<Feriado> = regras
        .iter()
        .filter(|r| r.vale(ano))
        .filter_map(|r| {
            r.data(ano).map(|data| Feriado {
                data,
                nome: r.nome.clone(),
                tipo: r.tipo,
            })
        })
        .collect();
    out.sort();
    out
}

fn parse_regra(linha: usize, line: &str) -> Result<Regra, CalendarError> {
    let err = |campo, motivo: String| CalendarError {
        linha,
        campo,
        motivo,
    };
    // The source is the last field and may itself contain ';'.
    let campos: Vec<&str> = line.splitn(7, ';').map(str::trim).collect();
    if campos.len() != 7 {
        return Err(err(
            "(linha)",
            format!(
                "esperados 7 campos separados por ';', encontrados {}",
                campos.len()
            ),
        ));
    }
    let tipo = match campos[0] {
        "ponto_facultativo_ans" => TipoFeriado::PontoFacultativoAns,
        "feriado_rio_de_janeiro" => TipoFeriado::RioDeJaneiro,
        outro => {
            return Err(err(
                "escopo",
                format!("\"{outro}\" (use ponto_facultativo_ans ou feriado_rio_de_janeiro)"),
            ))
        }
    };
    let quando = match campos[1] {
        "fixo" => {
            let (d, m) = campos[2]
                .split_once('/')
                .and_then(|(d, m)| Some((d.parse::<u32>().ok()?, m.parse::<u32>().ok()?)))
                .filter(|(d, m)| NaiveDate::from_ymd_opt(2000, *m, *d).is_some())
                .ok_or_else(|| err("dia", format!("\"{}\" não é uma data DD/MM", campos[2])))?;
            Quando::Fixo { dia: d, mes: m }
        }
        "data" => {
            let d = NaiveDate::parse_from_str(campos[2], "%d/%m/%Y")
                .ok()
                .filter(|_| campos[2].len() == 10)
                .ok_or_else(|| {
                    err(
                        "dia",
                        format!("\"{}\" não é uma data DD/MM/AAAA", campos[2]),
                    )
                })?;
            if let Some(fim) = match d.weekday() {
                Weekday::Sat => Some("sábado"),
                Weekday::Sun => Some("domingo"),
                _ => None,
            } {
                return Err(err(
                    "dia",
                    format!(
                        "{} cai num {fim}: confira a data (um ponto facultativo só muda prazos em dia de semana)",
                        d.format("%d/%m/%Y")
                    ),
                ));
            }
            for (campo, valor) in [("vigente_de", campos[4]), ("vigente_ate", campos[5])] {
                if !valor.is_empty() {
                    return Err(err(
                        campo,
                        "deixe vazio numa linha de data única (o ano já está no dia)".to_owned(),
                    ));
                }
            }
            Quando::Data(d)
        }
        "pascoa" => Quando::Pascoa(
            campos[2]
                .parse::<i64>()
                .ok()
                .filter(|o| o.abs() <= 120)
                .ok_or_else(|| {
                    err(
                        "dia",
                        format!(
                            "\"{}\" não é um deslocamento em dias (-120 a 120)",
                            campos[2]
                        ),
                    )
                })?,
        ),
        outro => {
            return Err(err(
                "regra",
                format!("\"{outro}\" (use fixo, pascoa ou data)"),
            ))
        }
    };
    if campos[3].is_empty() {
        return Err(err("nome", "vazio".to_owned()));
    }
    if campos[6].is_empty() {
        return Err(err(
            "fonte",
            "vazia — cite o ato (número, data e DOU) ou diga que não foi confirmado".to_owned(),
        ));
    }
    let ano = |campo: &'static str, s: &str| -> Result<Option<i32>, CalendarError> {
        if s.is_empty() {
            return Ok(None);
        }
        s.parse::<i32>()
            .ok()
            .filter(|a| (1900..=2200).contains(a))
            .map(Some)
            .ok_or_else(|| err(campo, format!("\"{s}\" não é um ano")))
    };
    let de = ano("vigente_de", campos[4])?;
    let ate = ano("vigente_ate", campos[5])?;
    if let (Some(d), Some(a)) = (de, ate) {
        if a < d {
            return Err(err(
                "vigente_ate",
                format!("{a} é anterior a vigente_de {d}"),
            ));
        }
    }
    Ok(Regra {
        tipo,
        quando,
        nome: campos[3].to_owned(),
        de,
        ate,
    })
}
