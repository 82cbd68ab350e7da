//! Valuation of an attendance: what the operator reimburses, by the rule in force for the
//! attendance's competência, as versioned data (`data/valoracao.csv`).
//!
//! - competências from 01/2008: IVR — 1.5 × the value on the SUS authorization (RN 504/2022
//!   art. 1 §§1–2), rounded half-up to the centavo;
//! - 03/2001 to 12/2007: the TUNEP reference value of the procedure (RDC 62/2001 art. 2), which
//!   the caller supplies from the TUNEP table (not embedded: no attendance of that period is
//!   still being notified).
//!
//! Every result names the rule version used, to be stored beside the amount.

use thiserror::Error;

use crate::ids::Competencia;
use crate::money::{Centavos, Rounding};

pub const REGRAS_PADRAO_CSV: &str = include_str!("../data/valoracao.csv");

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Metodo {
    /// Multiplier over the SUS value.
    Ivr,
    /// Reference value of the TUNEP table (times the factor, 1/1).
    Tunep,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Regra {
    pub versao: String,
    /// AAAAMM, inclusive.
    pub inicio: u32,
    /// AAAAMM, inclusive; `None` = in force.
    pub fim: Option<u32>,
    pub metodo: Metodo,
    pub numerador: i64,
    pub denominador: i64,
    pub fonte: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Valoracao {
    pub valor: Centavos,
    pub versao: String,
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum ValoracaoError {
    #[error("nenhuma regra de valoração vale para a competência {0}")]
    SemRegra(String),
    #[error(
        "a competência {0} é valorada pela TUNEP: informe o valor de referência do procedimento"
    )]
    FaltaTunep(String),
    #[error("valor SUS deve ser positivo (recebido {0})")]
    ValorInvalido(Centavos),
    #[error("valor fora do limite ao aplicar a regra {0}")]
    Estouro(String),
    #[error("tabela de valoração, linha {linha}: {motivo}")]
    Tabela { linha: usize, motivo: String },
}

/// Reads the rules table; periods must not overlap.
pub fn parse_regras(csv: &str) -> Result<Vec<Regra>, ValoracaoError> {
    let mut regras: Vec<Regra> = Vec::new();
    for (i, linha) in csv.lines().enumerate() {
        let linha_n = i + 1;
        let l = linha.trim();
        if l.is_empty() || l.starts_with('#') || l.starts_with("versao;") {
            continue;
        }
        let erro = |motivo: &str| ValoracaoError::Tabela {
            linha: linha_n,
            motivo: motivo.to_owned(),
        };
        let c: Vec<&str> = l.split(';').collect();
        if c.len() != 7 {
            return Err(erro("esperadas 7 colunas"));
        }
        let aaaamm = |s: &str| -> Result<u32, ValoracaoError> {
            s.parse::<u32>()
                .ok()
                .filter(|v| (190_001..=299_912).contains(v) && (1..=12).contains(&(v % 100)))
                .ok_or_else(|| erro("competência deve ser AAAAMM"))
        };
        let inicio = aaaamm(c[1])?;
        let fim = if c[2].is_empty() {
            None
        } else {
            Some(aaaamm(c[2])?)
        };
        let metodo = match c[3] {
            "ivr" => Metodo::Ivr,
            "tunep" => Metodo::Tunep,
            _ => return Err(erro("método deve ser ivr ou tunep")),
        };
        let numerador: i64 = c[4].parse().map_err(|_| erro("fator_numerador inválido"))?;
        let denominador: i64 = c[5]
            .parse()
            .ok()
            .filter(|d| *d > 0)
            .ok_or_else(|| erro("fator_denominador deve ser positivo"))?;
        let r = Regra {
            versao: c[0].to_owned(),
            inicio,
            fim,
            metodo,
            numerador,
            denominador,
            fonte: c[6].to_owned(),
        };
        let sobrepoe = regras.iter().any(|o| {
            r.inicio <= o.fim.unwrap_or(u32::MAX) && o.inicio <= r.fim.unwrap_or(u32::MAX)
        });
        if sobrepoe {
            return Err(erro("período sobreposto a outra regra"));
        }
        regras.push(r);
    }
    Ok(regras)
}

/// The rules in force (the embedded table).
pub fn regras_padrao() -> Vec<Regra> {
    parse_regras(REGRAS_PADRAO_CSV).unwrap_or_default()
}

/// The amount to reimburse for an attendance of `competencia` with SUS value `valor_sus`
/// (`tunep`: the procedure's TUNEP reference value, needed only before 2008).
pub fn valorar(
    regras: &[Regra],
    competencia: Competencia,
    valor_sus: Centavos,
    tunep: Option<Centavos>,
) -> Result<Valoracao, ValoracaoError> {
    let aaaamm: u32 = competencia.to_aaaamm().parse().unwrap_or(0);
    let regra = regras
        .iter()
        .find(|r| r.inicio <= aaaamm && r.fim.is_none_or(|f| aaaamm <= f))
        .ok_or_else(|| ValoracaoError::SemRegra(competencia.to_string()))?;
    let base = match regra.metodo {
        Metodo::Ivr => {
            if valor_sus.value() <= 0 {
                return Err(ValoracaoError::ValorInvalido(valor_sus));
            }
            valor_sus
        }
        Metodo::Tunep => {
            tunep.ok_or_else(|| ValoracaoError::FaltaTunep(competencia.to_string()))?
        }
    };
    let valor = base
        .mul_ratio(regra.numerador, regra.denominador, Rounding::HalfUp)
        .map_err(|_| ValoracaoError::Estouro(regra.versao.clone()))?;
    Ok(Valoracao {
        valor,
        versao: regra.versao.clone(),
    })
}
