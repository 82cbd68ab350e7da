//! How values read to people on the pages: NUPs with their punctuation, competências as
//! `MM/AAAA`, instants in Brasília with the zone said, personal identifiers masked, and codes
//! (permissions, scopes) as their labels.

use chrono::{DateTime, Utc};
use chrono_tz::America::Sao_Paulo;
use persus_domain::acesso::Escopo;
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

/// A CPF as gov.br shows it to others (`***.456.789-**`): the domain's one masking rule.
pub fn cpf_mascarado(cpf: &str) -> String {
    persus_domain::ids::Cpf::parse(cpf).map_or_else(|_| "***".to_owned(), |c| c.masked())
}

/// A CNS masked by the domain's one rule (`170 **** **** 0018`).
pub fn cns_mascarado(cns: &str) -> String {
    persus_domain::ids::Cns::parse(cns).map_or_else(|_| "***".to_owned(), |c| c.masked())
}

/// Permission or scope codes as their pt-BR labels, joined by "; " (an unknown code as is).
pub fn escopos<'a>(codigos: impl IntoIterator<Item = &'a str>) -> String {
    codigos
        .into_iter()
        .filter(|c| !c.is_empty())
        .map(|c| Escopo::parse(c).map_or(c, |e| e.rotulo()))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Permissions stored as a JSON array of codes, as labels.
pub fn permissoes_gravadas(json: &str) -> String {
    match serde_json::from_str::<Vec<String>>(json) {
        Ok(codigos) => escopos(codigos.iter().map(String::as_str)),
        Err(_) => json.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people_read_formatted_and_masked_values() {
        assert_eq!(competencia("202509"), "09/2025");
        assert_eq!(nup("33910000365202597"), "33910.000365/2025-97");
        assert_eq!(cpf_mascarado("12345678909"), "***.456.789-**");
        assert_eq!(cpf_mascarado("123"), "***");
        let t = DateTime::parse_from_rfc3339("2026-12-01T12:30:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(instante(t), "01/12/2026 09:30 (horário de Brasília)");
    }

    #[test]
    fn codes_read_as_labels() {
        assert_eq!(
            escopos("consulta financeiro".split(' ')),
            "Consultar processos e atendimentos; Emitir GRUs e pedir parcelamentos"
        );
        assert_eq!(
            permissoes_gravadas(r#"["peticionar"]"#),
            "Protocolar impugnações e recursos"
        );
    }
}
