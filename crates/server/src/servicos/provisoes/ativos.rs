//! Guarantee assets (ativos garantidores) ANS imports per operator: the input of the change in
//! sufficiency in the impact of a PEONA SUS parameter change (issue #14, seeds/004 "LASTRO").
//!
//! The file is a CSV separated by `;`, UTF-8 or Windows-1252 (what spreadsheet programs save;
//! decoded as the batch import does), with a header; money in pt-BR (`1.234,56`), dates
//! `dd/mm/aaaa` (or `aaaa-mm-dd`), the operator by its 6-digit registro ANS. Every bad row is
//! reported with its line and field; nothing is written unless the whole file is valid.

use std::collections::HashSet;

use chrono::{DateTime, NaiveDate, Utc};
use persus_domain::money::Centavos;
use persus_store::auditoria::{self, Ator, Mudanca};
use persus_store::provisoes::{self, AtivosOperadora, NovoAtivos};
use persus_store::Db;

use crate::servicos::lotes::{decodificar_planilha, Codificacao};
use crate::servicos::{CampoInvalido, ServicoError};

/// The largest file accepted (a register of ~700 operators is ~70 KB): bounded before reading.
pub const LIMITE_BYTES: usize = 8 * 1024 * 1024;

/// The columns, in order. The last, `metodologia_propria`, may be left out (files of the first
/// layout): an operator whose PEONA SUS follows its own actuarial methodology approved by ANS is
/// not computed by the standard formula (seeds/004: "Fórmula de cálculo padrão PEONA SUS – OPS
/// sem metodologia própria"), so a change of the formula's parameters leaves it unchanged.
pub const COLUNAS: [&str; 6] = [
    "registro_ans",
    "data_base",
    "beneficiarios_mh",
    "ativos_garantidores",
    "outras_provisoes",
    "metodologia_propria",
];

/// The downloadable template: the header and one example row.
pub const MODELO_CSV: &str =
    "registro_ans;data_base;beneficiarios_mh;ativos_garantidores;outras_provisoes;metodologia_propria\n\
                              368253;30/06/2024;4.512.345;1.234.567,89;987.654,32;não\n";

/// `sim`/`não` as a spreadsheet writes it (also `s`/`n`, `1`/`0`); empty is `não`.
fn sim_ou_nao(s: &str) -> Option<bool> {
    match s.to_lowercase().as_str() {
        "sim" | "s" | "1" | "true" => Some(true),
        "não" | "nao" | "n" | "0" | "false" | "" => Some(false),
        _ => None,
    }
}

/// One problem of the file: the line (1 = header), the column and what is wrong, in pt-BR.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ErroAtivos {
    pub linha: usize,
    pub campo: String,
    pub mensagem: String,
}

impl std::fmt::Display for ErroAtivos {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "linha {}, campo {}: {}",
            self.linha, self.campo, self.mensagem
        )
    }
}

/// A file read whole: its rows, or every error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Leitura {
    pub linhas: Vec<NovoAtivos>,
    pub codificacao: Codificacao,
}

fn data(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%d/%m/%Y")
        .or_else(|_| NaiveDate::parse_from_str(s, "%Y-%m-%d"))
        .ok()
}

/// A whole number of people, with or without thousands dots (`4.512.345`).
fn inteiro(s: &str) -> Option<i64> {
    let grupos: Vec<&str> = s.split('.').collect();
    if grupos
        .iter()
        .any(|g| g.is_empty() || !g.bytes().all(|b| b.is_ascii_digit()))
        || (grupos.len() > 1 && (grupos[0].len() > 3 || grupos[1..].iter().any(|g| g.len() != 3)))
    {
        return None;
    }
    grupos.concat().parse().ok()
}

/// Reads the file; `registradas` are the operators of the register (an unknown one is refused).
pub fn ler(bytes: &[u8], registradas: &HashSet<String>) -> Result<Leitura, Vec<ErroAtivos>> {
    let (texto, codificacao) = decodificar_planilha(bytes);
    let mut erros = Vec::new();
    let mut linhas = Vec::new();
    let mut vistas: HashSet<(String, NaiveDate)> = HashSet::new();
    let mut cabecalho = false;
    let mut colunas = COLUNAS.len();
    for (i, l) in texto.lines().enumerate() {
        let n = i + 1;
        let l = l.trim_end_matches('\r');
        if l.trim().is_empty() {
            continue;
        }
        let c: Vec<&str> = l.split(';').map(str::trim).collect();
        let mut erro = |campo: &str, mensagem: String| {
            erros.push(ErroAtivos {
                linha: n,
                campo: campo.to_owned(),
                mensagem,
            })
        };
        if !cabecalho {
            cabecalho = true;
            let nomes: Vec<String> = c.iter().map(|s| s.to_lowercase()).collect();
            if nomes != COLUNAS && nomes != COLUNAS[..5] {
                erro(
                    "cabeçalho",
                    format!(
                        "o cabeçalho deve ser exatamente \"{}\" (separado por ;; a última coluna \
                         pode faltar); veio \"{l}\"",
                        COLUNAS.join(";")
                    ),
                );
                return Err(erros);
            }
            colunas = nomes.len();
            continue;
        }
        if c.len() != colunas {
            erro(
                "linha",
                format!("{} colunas; esperadas {colunas} separadas por ;", c.len()),
            );
            continue;
        }
        let registro = c[0];
        if registro.len() != 6 || !registro.bytes().all(|b| b.is_ascii_digit()) {
            erro(
                COLUNAS[0],
                format!("\"{registro}\" não é um registro ANS (6 dígitos)"),
            );
        } else if !registradas.contains(registro) {
            erro(
                COLUNAS[0],
                format!("a operadora {registro} não consta do cadastro de operadoras da ANS"),
            );
        }
        let data_base = data(c[1]);
        if data_base.is_none() {
            erro(
                COLUNAS[1],
                format!("data \"{}\" inválida (use dd/mm/aaaa)", c[1]),
            );
        }
        let beneficiarios = inteiro(c[2]);
        if beneficiarios.is_none() {
            erro(
                COLUNAS[2],
                format!(
                    "\"{}\" não é um número inteiro de beneficiários (ex.: 4.512.345)",
                    c[2]
                ),
            );
        }
        let mut dinheiro = |j: usize| match Centavos::parse_brl(c[j]) {
            Ok(v) if v.value() >= 0 => Some(v.value()),
            Ok(_) => {
                erro(COLUNAS[j], format!("valor \"{}\" negativo", c[j]));
                None
            }
            Err(e) => {
                erro(COLUNAS[j], e.to_string());
                None
            }
        };
        let (ag, outras) = (dinheiro(3), dinheiro(4));
        let propria = sim_ou_nao(c.get(5).copied().unwrap_or(""));
        if propria.is_none() {
            erro(COLUNAS[5], format!("\"{}\" não é sim nem não", c[5]));
        }
        let (Some(data_base), Some(beneficiarios_mh), Some(ag), Some(outras), Some(propria)) =
            (data_base, beneficiarios, ag, outras, propria)
        else {
            continue;
        };
        if !vistas.insert((registro.to_owned(), data_base)) {
            erros.push(ErroAtivos {
                linha: n,
                campo: COLUNAS[0].to_owned(),
                mensagem: format!(
                    "a operadora {registro} aparece mais de uma vez com a data-base {}",
                    data_base.format("%d/%m/%Y")
                ),
            });
            continue;
        }
        linhas.push(NovoAtivos {
            operadora: registro.to_owned(),
            dados: AtivosOperadora {
                beneficiarios_mh,
                ativos_garantidores_centavos: ag,
                outras_provisoes_centavos: outras,
                data_base,
                sintetico: false,
                metodologia_propria: propria,
            },
        });
    }
    if !cabecalho {
        erros.push(ErroAtivos {
            linha: 1,
            campo: "cabeçalho".into(),
            mensagem: format!(
                "arquivo vazio; a primeira linha deve ser \"{}\"",
                COLUNAS.join(";")
            ),
        });
    }
    if erros.is_empty() {
        Ok(Leitura {
            linhas,
            codificacao,
        })
    } else {
        Err(erros)
    }
}

/// What an import stored.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ResumoAtivos {
    pub linhas: usize,
    pub codificacao: &'static str,
}

/// Reads and stores a file in one transaction with its audit record (who imported which file —
/// its SHA-256 — with how many rows for which base dates); on any error nothing is written and
/// every error comes back, each naming the file, line and field.
pub async fn importar(
    db: &Db,
    nome_arquivo: &str,
    bytes: &[u8],
    ator: &Ator,
    agora: DateTime<Utc>,
) -> Result<ResumoAtivos, ServicoError> {
    if bytes.len() > LIMITE_BYTES {
        return Err(ServicoError::campo(
            "arquivo",
            format!(
                "{nome_arquivo} tem mais de {} MB, o limite da importação de ativos",
                LIMITE_BYTES / (1024 * 1024)
            ),
        ));
    }
    let registradas = provisoes::operadoras_registradas(db).await?;
    let leitura = ler(bytes, &registradas).map_err(|erros| {
        ServicoError::Invalido(
            erros
                .into_iter()
                .map(|e| CampoInvalido::new(e.campo.clone(), format!("{nome_arquivo}, {e}")))
                .collect(),
        )
    })?;
    if leitura.linhas.is_empty() {
        return Err(ServicoError::campo(
            "arquivo",
            format!("{nome_arquivo}: nenhuma linha de dados após o cabeçalho"),
        ));
    }
    let sha256 = crate::servicos::documentos::sha256_hex(bytes);
    let datas: std::collections::BTreeSet<NaiveDate> =
        leitura.linhas.iter().map(|l| l.dados.data_base).collect();
    let mut tx = db.begin().await?;
    let n = provisoes::gravar_ativos(&mut tx, &leitura.linhas, agora).await?;
    auditoria::registrar(
        &mut tx,
        ator,
        Mudanca {
            acao: "peona.ativos_importados",
            entidade: "peona_ativos",
            entidade_id: &sha256,
            antes: None,
            depois: Some(serde_json::json!({
                "arquivo": nome_arquivo,
                "sha256": sha256,
                "linhas": n,
                "datas_base": datas,
                "codificacao": leitura.codificacao.rotulo(),
            })),
        },
        agora,
    )
    .await?;
    tx.commit().await?;
    Ok(ResumoAtivos {
        linhas: n,
        codificacao: leitura.codificacao.rotulo(),
    })
}
