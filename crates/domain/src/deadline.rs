//! Deadlines: how ANS counts a period, and the periods in force.
//!
//! **Counting** (RN 253/2011 art. 24 as amended by RN 327/2013 [V]; design.md "Decisions we
//! made"): a period runs from ciência (the official notice); the day of ciência is excluded and
//! the last day included; days are calendar days, counted continuously; a period may only
//! **start** and **end** on a business day of ANS ([`CalendarioAns`]). So:
//!
//! 1. day 1 is the first business day after the ciência date (ciência on a Friday → day 1 is
//!    Monday, as in Súmula 310 STF [S]);
//! 2. the last day is day 1 + (n − 1) calendar days;
//! 3. if that day is not a business day, the deadline moves to the next business day (as in
//!    Lei 9.784/1999 art. 66 §1 [S]).
//!
//! Every [`Prazo`] records the rule and calendar versions it was computed with, and why its end
//! moved, so a deadline shown to an operator can be explained and recomputed.

use std::num::NonZeroU32;

use chrono::{Duration, NaiveDate};

use crate::calendar::CalendarioAns;

/// Version label of the counting rule implemented by [`contar_prazo`].
pub const REGRA_CONTAGEM: &str = "RN253-art24-RN327-2013";

/// A computed deadline and how it was reached.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Prazo {
    pub ciencia: NaiveDate,
    /// Day 1 of the count.
    pub inicio: NaiveDate,
    /// The last day to act (inclusive).
    pub vencimento: NaiveDate,
    pub dias: u32,
    pub versao_regra: String,
    pub versao_calendario: String,
    /// pt-BR explanation when the end moved, e.g. "vencimento em 04/03/2025 (ponto facultativo
    /// ANS: Carnaval (terça-feira)) prorrogado para 06/03/2025".
    pub prorrogado_por: Option<String>,
}

/// The deadline of an `dias`-day period counted from `ciencia` (see the module docs).
pub fn contar_prazo(ciencia: NaiveDate, dias: NonZeroU32, cal: &CalendarioAns) -> Prazo {
    let inicio = cal.proximo_dia_util(ciencia);
    let ultimo = inicio + Duration::days(i64::from(dias.get()) - 1);
    let vencimento = cal.dia_util_ou_proximo(ultimo);
    let prorrogado_por = (vencimento != ultimo).then(|| {
        format!(
            "vencimento em {} ({}) prorrogado para {}",
            ultimo.format("%d/%m/%Y"),
            cal.motivo_nao_util(ultimo).unwrap_or_default(),
            vencimento.format("%d/%m/%Y")
        )
    });
    Prazo {
        ciencia,
        inicio,
        vencimento,
        dias: dias.get(),
        versao_regra: REGRA_CONTAGEM.to_owned(),
        versao_calendario: cal.versao().to_owned(),
        prorrogado_por,
    }
}

/// Presumed ciência: the operator is deemed notified 10 calendar days after the notice was made
/// available (RN 377/2015 [S]: "após o decurso de 10 (dez) dias corridos da disponibilização").
/// Our reading: this is a presumption of a fact, not a period for the operator to act, so it
/// does not move to a business day; the periods that follow it do.
pub fn ciencia_presumida(disponibilizacao: NaiveDate, prazos: &PrazosVigentes) -> NaiveDate {
    disponibilizacao + Duration::days(i64::from(prazos.ciencia_presumida_dias.get()))
}

/// The periods in force, as versioned data: every computed deadline records `versao`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrazosVigentes {
    pub versao: String,
    pub vigente_de: NaiveDate,
    /// Impugnação: 30 days from ciência (gov.br débitos page [V]; RN 358 art. 21 [S]).
    pub impugnacao_dias: NonZeroU32,
    /// Recurso: 10 days from ciência of the 1st-instance decision (RN 253 art. 12 [V];
    /// RN 358 art. 28 [S]; RN 502/2022 unverified — design.md "Decisions we made").
    pub recurso_dias: NonZeroU32,
    /// Payment: 15 days after the end of the impugnação period (RN 358 art. 33 [S]; gov.br [V]).
    pub pagamento_dias: NonZeroU32,
    /// Presumed ciência: 10 calendar days after availability (RN 377/2015 [S]).
    pub ciencia_presumida_dias: NonZeroU32,
    pub fonte: String,
}

fn dias(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN)
}

impl PrazosVigentes {
    /// The periods found in the current norms (domain.md §4), in force since RN 502/2022.
    pub fn padrao() -> PrazosVigentes {
        PrazosVigentes {
            versao: "prazos-2022.1".to_owned(),
            vigente_de: NaiveDate::from_ymd_opt(2022, 3, 30).unwrap_or(NaiveDate::MIN),
            impugnacao_dias: dias(30),
            recurso_dias: dias(10),
            pagamento_dias: dias(15),
            ciencia_presumida_dias: dias(10),
            fonte: "RN 502/2022 (prazos confirmados na página gov.br do ressarcimento); \
                    RN 253/2011 art. 12 e 24; RN 327/2013; RN 358/2014 arts. 21, 28 e 33; RN 377/2015"
                .to_owned(),
        }
    }
}
