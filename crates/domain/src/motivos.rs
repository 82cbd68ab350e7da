//! The catalogue of grounds (motivos) for impugnação and recurso, as data.
//!
//! Two natures (RN 253/2011 art. 12 §3 [V]; gov.br PERSUS page [V]): **técnica** grounds need the
//! operator's auditor (a laudo from an assistential audit, signed by its health professional);
//! **administrativa** grounds are contractual or registry matters. The seed list
//! (`data/motivos.csv`) follows domain.md §5 and is marked [GUESS] until ANS's *Guia do
//! Ressarcimento* catalogue is available; ANS edits it as data.

use serde::Serialize;

pub const CATALOGO_PADRAO_CSV: &str = include_str!("../data/motivos.csv");

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Natureza {
    Tecnica,
    Administrativa,
}

impl Natureza {
    pub fn as_str(self) -> &'static str {
        match self {
            Natureza::Tecnica => "tecnica",
            Natureza::Administrativa => "administrativa",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Motivo {
    pub codigo: String,
    pub nome: String,
    pub natureza: Natureza,
    pub documentos: Vec<String>,
}

impl Motivo {
    /// Technical grounds must be signed by the operator's auditor (RN 253/2011 art. 12 §3).
    pub fn exige_auditor(&self) -> bool {
        self.natureza == Natureza::Tecnica
    }
}

/// Parses the catalogue; a bad line is named with its number and field (pt-BR).
pub fn parse_catalogo(csv: &str) -> Result<Vec<Motivo>, String> {
    let mut out = Vec::new();
    let mut header = false;
    for (i, raw) in csv.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if !header {
            header = true;
            if line.starts_with("codigo;") {
                continue;
            }
        }
        let c: Vec<&str> = line.splitn(4, ';').map(str::trim).collect();
        let erro = |campo: &str, motivo: &str| {
            format!("motivos, linha {}, campo {campo}: {motivo}", i + 1)
        };
        if c.len() != 4 {
            return Err(erro("(linha)", "esperados 4 campos separados por ';'"));
        }
        if c[0].is_empty() || c[1].is_empty() {
            return Err(erro("codigo/nome", "vazio"));
        }
        let natureza = match c[2] {
            "tecnica" => Natureza::Tecnica,
            "administrativa" => Natureza::Administrativa,
            _ => return Err(erro("natureza", "use tecnica ou administrativa")),
        };
        let documentos: Vec<String> = c[3]
            .split('|')
            .map(|d| d.trim().to_owned())
            .filter(|d| !d.is_empty())
            .collect();
        if documentos.is_empty() {
            return Err(erro("documentos", "informe ao menos um documento exigido"));
        }
        out.push(Motivo {
            codigo: c[0].to_owned(),
            nome: c[1].to_owned(),
            natureza,
            documentos,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn o_catalogo_semente_e_valido_e_tem_as_duas_naturezas() {
        let m = parse_catalogo(CATALOGO_PADRAO_CSV).unwrap();
        assert!(m.len() >= 10);
        assert!(m.iter().any(|m| m.exige_auditor()));
        assert!(m.iter().any(|m| !m.exige_auditor()));
        let tecnicos_sem_laudo = m
            .iter()
            .filter(|m| m.exige_auditor() && !m.documentos.iter().any(|d| d.contains("laudo")))
            .count();
        assert_eq!(
            tecnicos_sem_laudo, 0,
            "technical grounds require the auditor's laudo"
        );
    }

    #[test]
    fn linha_invalida_e_apontada() {
        let e = parse_catalogo("X1;Nome;juridica;doc\n").unwrap_err();
        assert_eq!(
            e,
            "motivos, linha 1, campo natureza: use tecnica ou administrativa"
        );
    }
}
