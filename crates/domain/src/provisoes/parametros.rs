//! The PEONA SUS standard formula's parameters as versioned data (RN 574/2023 Annex VIII and its
//! amendments): the cap factor (fator teto) and the window A..B of the Fator Individual, each with
//! its validity. The default table is `data/peona_parametros.csv`; versions proposed by the yearly
//! study and approved by ANS are added to it at run time (see `TabelaParametros::com`).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::ids::Trimestre;

/// The default table, compiled in.
pub const PARAMETROS_PADRAO_CSV: &str = include_str!("../../data/peona_parametros.csv");

/// When a version leaves B open, B is this many quarters before the base quarter [GUESS]: the
/// seed's runoff shows every attendance notified within 4–6 quarters, so a quarter 6 behind the
/// base is the most recent one whose EONA SUS is fully known at the base date.
pub const DEFASAGEM_B_MOVEL: i32 = 6;

/// One version of the parameters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParametrosPeona {
    pub versao: String,
    /// The cap in basis points of E24 (6600 = 66 %).
    pub teto_pb: u32,
    /// A: the first quarter of the Fator Individual's window.
    pub janela_inicio: Trimestre,
    /// B: the last quarter; `None` = rolling, [`DEFASAGEM_B_MOVEL`] quarters before the base.
    pub janela_fim: Option<Trimestre>,
    pub vigencia_inicio: NaiveDate,
    /// Last day in force; `None` = still in force.
    pub vigencia_fim: Option<NaiveDate>,
    /// Whether ANS updates the parameters every year after its study (the 2024 proposal).
    pub atualizacao_anual: bool,
    /// Certainty of the source: V (verified), S (secondary), INF (inferred), GUESS.
    pub certeza: String,
    pub fonte: String,
}

impl ParametrosPeona {
    /// The window A..B for a base quarter (B resolved when rolling). `None` when B < A.
    pub fn janela(&self, base: Trimestre) -> Option<(Trimestre, Trimestre)> {
        let fim = match self.janela_fim {
            Some(b) => b,
            None => base.somar(-DEFASAGEM_B_MOVEL)?,
        };
        (self.janela_inicio <= fim).then_some((self.janela_inicio, fim))
    }

    pub fn vigente_em(&self, dia: NaiveDate) -> bool {
        self.vigencia_inicio <= dia && self.vigencia_fim.is_none_or(|f| dia <= f)
    }

    /// `66%`, `65,5%`.
    pub fn teto_rotulo(&self) -> String {
        let inteiro = self.teto_pb / 100;
        match self.teto_pb % 100 {
            0 => format!("{inteiro}%"),
            r if r % 10 == 0 => format!("{inteiro},{}%", r / 10),
            r => format!("{inteiro},{r:02}%"),
        }
    }
}

/// Why a parameter table was refused (pt-BR, with the line).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("parâmetros da PEONA SUS, linha {linha}: {mensagem}")]
pub struct ErroParametros {
    pub linha: usize,
    pub mensagem: String,
}

/// Every version, ordered by start of validity, validated: no gaps are required, but no overlap.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TabelaParametros {
    versoes: Vec<ParametrosPeona>,
}

impl TabelaParametros {
    /// The compiled-in table; it is validated by a test, so this cannot fail at run time.
    pub fn padrao() -> TabelaParametros {
        TabelaParametros::parse(PARAMETROS_PADRAO_CSV).expect("data/peona_parametros.csv é válido")
    }

    pub fn parse(csv: &str) -> Result<TabelaParametros, ErroParametros> {
        let mut versoes = Vec::new();
        let mut cabecalho = false;
        for (i, linha) in csv.lines().enumerate() {
            let n = i + 1;
            let linha = linha.trim();
            if linha.is_empty() || linha.starts_with('#') {
                continue;
            }
            if !cabecalho {
                cabecalho = true;
                continue;
            }
            versoes.push(parse_linha(n, linha)?);
        }
        TabelaParametros::nova(versoes)
    }

    /// Validates and orders a set of versions.
    pub fn nova(mut versoes: Vec<ParametrosPeona>) -> Result<TabelaParametros, ErroParametros> {
        versoes.sort_by_key(|v| v.vigencia_inicio);
        for (i, v) in versoes.iter().enumerate() {
            let erro = |mensagem: String| ErroParametros {
                linha: i + 1,
                mensagem,
            };
            if v.teto_pb == 0 || v.teto_pb > 20_000 {
                return Err(erro(format!(
                    "versão {}: teto de {} pontos-base fora de 1 a 20.000",
                    v.versao, v.teto_pb
                )));
            }
            if v.janela_fim.is_some_and(|b| b < v.janela_inicio) {
                return Err(erro(format!(
                    "versão {}: o trimestre B vem antes do A",
                    v.versao
                )));
            }
            if v.vigencia_fim.is_some_and(|f| f < v.vigencia_inicio) {
                return Err(erro(format!(
                    "versão {}: a vigência termina antes de começar",
                    v.versao
                )));
            }
            if let Some(ant) = i.checked_sub(1).map(|j| &versoes[j]) {
                if ant.vigencia_fim.is_none_or(|f| f >= v.vigencia_inicio) {
                    return Err(erro(format!(
                        "as vigências de {} e {} se sobrepõem",
                        ant.versao, v.versao
                    )));
                }
            }
            if versoes[..i].iter().any(|o| o.versao == v.versao) {
                return Err(erro(format!("versão {} repetida", v.versao)));
            }
        }
        Ok(TabelaParametros { versoes })
    }

    /// The table with an approved version added: the version in force on the new one's first day
    /// (if open-ended) ends the day before.
    pub fn com(&self, nova: ParametrosPeona) -> Result<TabelaParametros, ErroParametros> {
        let mut versoes = self.versoes.clone();
        let vespera = nova.vigencia_inicio.pred_opt();
        for v in &mut versoes {
            if v.vigencia_inicio < nova.vigencia_inicio && v.vigencia_fim.is_none() {
                v.vigencia_fim = vespera;
            }
        }
        versoes.push(nova);
        TabelaParametros::nova(versoes)
    }

    pub fn versoes(&self) -> &[ParametrosPeona] {
        &self.versoes
    }

    /// The version in force on a day, if any.
    pub fn vigente_em(&self, dia: NaiveDate) -> Option<&ParametrosPeona> {
        self.versoes.iter().find(|v| v.vigente_em(dia))
    }

    pub fn versao(&self, nome: &str) -> Option<&ParametrosPeona> {
        self.versoes.iter().find(|v| v.versao == nome)
    }
}

fn opcional(s: &str) -> Option<&str> {
    (!s.is_empty()).then_some(s)
}

fn parse_linha(n: usize, linha: &str) -> Result<ParametrosPeona, ErroParametros> {
    let erro = |mensagem: String| ErroParametros { linha: n, mensagem };
    let c: Vec<&str> = linha.split(';').map(str::trim).collect();
    if c.len() != 9 {
        return Err(erro(format!("{} colunas; esperadas 9", c.len())));
    }
    let tri = |s: &str, nome: &str| {
        Trimestre::parse(s).map_err(|e| erro(format!("{nome} \"{s}\" inválido: {e}")))
    };
    let dia = |s: &str, nome: &str| {
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map_err(|_| erro(format!("{nome} \"{s}\" inválida (use AAAA-MM-DD)")))
    };
    Ok(ParametrosPeona {
        versao: c[0].to_owned(),
        teto_pb: c[1]
            .parse()
            .map_err(|_| erro(format!("teto \"{}\" não é um número de pontos-base", c[1])))?,
        janela_inicio: tri(c[2], "trimestre A")?,
        janela_fim: opcional(c[3]).map(|s| tri(s, "trimestre B")).transpose()?,
        vigencia_inicio: dia(c[4], "início da vigência")?,
        vigencia_fim: opcional(c[5])
            .map(|s| dia(s, "fim da vigência"))
            .transpose()?,
        atualizacao_anual: match c[6] {
            "sim" => true,
            "nao" | "não" => false,
            o => return Err(erro(format!("atualização anual \"{o}\": use sim ou nao"))),
        },
        certeza: match c[7] {
            "V" | "S" | "INF" | "GUESS" => c[7].to_owned(),
            o => return Err(erro(format!("certeza \"{o}\": use V, S, INF ou GUESS"))),
        },
        fonte: c[8].to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dia(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// ANS's PEONA SUS page: 115% until 11/2021, 80% from 12/2021, 66% from 02/2024 (A = 3T2014,
    /// 1T2018, 4T2018); seeds/004: B = 1T2020; RN 640/2025 from 01/08/2025 with the 2024 proposal.
    #[test]
    fn regime_in_force_on_each_date() {
        let t = TabelaParametros::padrao();
        let em = |d: &str| {
            t.vigente_em(dia(d))
                .map(|v| (v.teto_pb, v.janela_inicio.to_string()))
        };
        assert_eq!(em("2021-11-30"), Some((11500, "3T2014".into())));
        assert_eq!(em("2021-12-01"), Some((8000, "1T2018".into())));
        assert_eq!(em("2024-01-31"), Some((8000, "1T2018".into())));
        assert_eq!(em("2024-02-01"), Some((6600, "4T2018".into())));
        assert_eq!(em("2025-07-31"), Some((6600, "4T2018".into())));
        assert_eq!(em("2025-08-01"), Some((6500, "3T2021".into())));
        assert_eq!(em("2018-06-30"), None, "before PEONA SUS existed");
        let v66 = t.versao("rn574-66").unwrap();
        let base = Trimestre::parse("2T2025").unwrap();
        assert_eq!(
            v66.janela(base)
                .map(|(a, b)| (a.to_string(), b.to_string())),
            Some(("4T2018".into(), "1T2020".into()))
        );
    }

    #[test]
    fn rolling_b_is_six_quarters_behind_the_base() {
        let t = TabelaParametros::padrao();
        let v80 = t.versao("rn574-80").unwrap();
        let (a, b) = v80.janela(Trimestre::parse("4T2022").unwrap()).unwrap();
        assert_eq!(
            (a.to_string(), b.to_string()),
            ("1T2018".into(), "2T2021".into())
        );
        // A base so early that B would fall before A: no window.
        assert_eq!(v80.janela(Trimestre::parse("2T2019").unwrap()), None);
    }

    #[test]
    fn bad_tables_are_refused_with_the_line() {
        let cab = "versao;teto_pb;janela_inicio;janela_fim;vigencia_inicio;vigencia_fim;atualizacao_anual;certeza;fonte\n";
        let e = TabelaParametros::parse(&format!("{cab}x;66%;4T2018;;2024-02-01;;nao;V;f\n"))
            .unwrap_err();
        assert_eq!(e.linha, 2);
        assert!(e.mensagem.contains("66%"), "{e}");
        let e = TabelaParametros::parse(&format!(
            "{cab}a;6600;4T2018;;2024-02-01;;nao;V;f\nb;6500;3T2021;;2025-01-01;;nao;V;f\n"
        ))
        .unwrap_err();
        assert!(e.mensagem.contains("sobrepõem"), "{e}");
        let e =
            TabelaParametros::parse(&format!("{cab}a;6600;2T2020;1T2020;2024-02-01;;nao;V;f\n"))
                .unwrap_err();
        assert!(e.mensagem.contains("B vem antes do A"), "{e}");
    }

    #[test]
    fn an_approved_version_closes_the_open_one() {
        let t = TabelaParametros::padrao();
        let mut nova = t.versao("rn640-65").unwrap().clone();
        nova.versao = "estudo-2026".into();
        nova.teto_pb = 6400;
        nova.vigencia_inicio = dia("2026-08-01");
        let t2 = t.com(nova).unwrap();
        assert_eq!(t2.vigente_em(dia("2026-07-31")).unwrap().versao, "rn640-65");
        assert_eq!(
            t2.vigente_em(dia("2026-08-01")).unwrap().versao,
            "estudo-2026"
        );
        assert_eq!(t2.versao("rn640-65").unwrap().teto_rotulo(), "65%");
    }
}
