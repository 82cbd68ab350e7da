//! How values read to people on the pages: NUPs with their punctuation, competências as
//! `MM/AAAA`, instants in Brasília with the zone said, and personal identifiers masked.

use chrono::{DateTime, Utc};
use chrono_tz::America::Sao_Paulo;
use persus_domain::ids::{Competencia, Nup};

/// `33910.000365/2025-97` (what is stored is the 17 digits); anything else as it is.
pub fn nup(codigo: &str) -> String {
    Nup::parse(codigo).map_or_else(|_| codigo.to_owned(), |n| n.to_string())
}

/// `09/2025` for a stored `202509`; anything else as it is.
pub fn competencia(aaaamm: &str) -> String {
    Competencia::parse(aaaamm).map_or_else(
        |_| aaaamm.to_owned(),
        |c| format!("{:02}/{}", c.mes(), c.ano()),
    )
}

/// `01/12/2026 09:30 (horário de Brasília)`.
pub fn instante(t: DateTime<Utc>) -> String {
    format!(
        "{} (horário de Brasília)",
        t.with_timezone(&Sao_Paulo).format("%d/%m/%Y %H:%M")
    )
}

/// A CPF as gov.br shows it to others: `***.456.789-**`.
pub fn cpf_mascarado(cpf: &str) -> String {
    match cpf.get(3..9) {
        Some(meio) if cpf.len() == 11 => format!("***.{}.{}-**", &meio[..3], &meio[3..]),
        _ => "***".to_owned(),
    }
}

/// A CNS with only its last four digits: `*** **** **** 1234`.
pub fn cns_mascarado(cns: &str) -> String {
    let fim = cns.get(cns.len().saturating_sub(4)..).unwrap_or("");
    format!("*** **** **** {fim}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people_read_formatted_and_masked_values() {
        assert_eq!(competencia("202509"), "09/2025");
        assert_eq!(cpf_mascarado("12345678909"), "***.456.789-**");
        assert_eq!(cns_mascarado("700000000001234"), "*** **** **** 1234");
        let t = DateTime::parse_from_rfc3339("2026-12-01T12:30:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(instante(t), "01/12/2026 09:30 (horário de Brasília)");
    }
}
