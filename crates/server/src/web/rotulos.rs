//! Small formatting helpers for what people read: labels of codes, instants in Brasília.

use chrono::{DateTime, Utc};
use persus_domain::acesso::Escopo;

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

/// A process number as people write it, `33910.000365/2025-97` (what does not read as a NUP,
/// as is).
pub fn nup(texto: &str) -> String {
    persus_domain::ids::Nup::parse(texto).map_or_else(|_| texto.to_owned(), |n| n.to_string())
}

/// "01/12/2026 09:30 (horário de Brasília)".
pub fn instante(i: DateTime<Utc>) -> String {
    crate::servicos::relogio::texto_em_brasilia(i)
}

#[cfg(test)]
mod tests {
    use super::*;

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
