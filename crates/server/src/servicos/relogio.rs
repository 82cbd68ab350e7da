//! The injected clock. Legal dates are civil dates in America/Sao_Paulo; instants are UTC.
//! Tests and the homologação environment use a fixed clock to move time.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::America::Sao_Paulo;

pub trait Relogio: Send + Sync {
    fn agora(&self) -> DateTime<Utc>;

    /// Today in Brasília (America/Sao_Paulo).
    fn hoje(&self) -> NaiveDate {
        data_em_brasilia(self.agora())
    }
}

pub fn data_em_brasilia(instante: DateTime<Utc>) -> NaiveDate {
    instante.with_timezone(&Sao_Paulo).date_naive()
}

/// An instant as people read it, with the zone said: "01/12/2026 09:30 (horário de Brasília)".
pub fn instante_em_brasilia(instante: DateTime<Utc>) -> String {
    format!(
        "{} (horário de Brasília)",
        instante.with_timezone(&Sao_Paulo).format("%d/%m/%Y %H:%M")
    )
}

/// The last instant of a civil day in Brasília (23:59:59), as UTC — "valid until dd/mm".
pub fn fim_do_dia_em_brasilia(d: NaiveDate) -> DateTime<Utc> {
    use chrono::TimeZone;
    let fim = d.and_hms_opt(23, 59, 59).unwrap_or_default();
    Sao_Paulo
        .from_local_datetime(&fim)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&fim))
}

pub struct RelogioSistema;

impl Relogio for RelogioSistema {
    fn agora(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock stopped at one instant.
pub struct RelogioFixo(pub DateTime<Utc>);

impl RelogioFixo {
    /// Noon in Brasília on `d`.
    pub fn em(d: NaiveDate) -> RelogioFixo {
        let noon = d.and_hms_opt(15, 0, 0).unwrap_or_default().and_utc();
        RelogioFixo(noon)
    }
}

impl Relogio for RelogioFixo {
    fn agora(&self) -> DateTime<Utc> {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn late_evening_in_brasilia_is_still_the_same_civil_day() {
        // 02:30 UTC on 1 March is 23:30 on 28 February in Brasília (UTC−3).
        let t = DateTime::parse_from_rfc3339("2025-03-01T02:30:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            data_em_brasilia(t),
            NaiveDate::from_ymd_opt(2025, 2, 28).unwrap()
        );
    }
}
