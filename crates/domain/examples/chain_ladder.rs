//! Chain-ladder over a triangle CSV, printed as JSON (the Rust side of scripts/chainladder.sh).
//!
//! ```text
//! cargo run -p persus-domain --example chain_ladder -- TRIANGULO.csv [--cauda 1.0]
//! ```
//!
//! The CSV format is the one `persus_domain::provisoes::chain_ladder::ler_triangulo_csv`
//! reads (UTF-8, `;`-separated, one cell per line; origins oldest first; ages from 1):
//!
//! ```text
//! origem;idade;acumulado          (or origem;idade;incremental)
//! 1981;1;5012
//! 1981;2;8269
//! 1982;1;106
//! ```
//!
//! Any error names the file, and the line and field where there is one (pt-BR), and exits with
//! status 2 before printing anything on stdout.
//!
//! Output: `{"origens", "idades", "fatores", "cauda", "fatores_acumulados", "projecoes":
//! [{"origem", "idade", "ultimo", "fator_acumulado", "ultimate", "reserva",
//! "percentual_desenvolvido"}], "reserva_total"}`, numbers printed to round-trip exactly.

use std::io::Write;
use std::process::ExitCode;

use persus_domain::provisoes::chain_ladder::{chain_ladder, ler_triangulo_csv, TrianguloCsvError};
use serde_json::json;

fn rodar(args: &[String]) -> Result<serde_json::Value, String> {
    let uso = "uso: chain_ladder TRIANGULO.csv [--cauda FATOR]";
    let (arquivo, cauda) = match args {
        [a] => (a, 1.0),
        [a, opcao, c] if opcao == "--cauda" => match c.replace(',', ".").parse::<f64>() {
            Ok(cauda) => (a, cauda),
            Err(_) => return Err(format!("--cauda: '{c}' não é um número")),
        },
        _ => return Err(uso.to_owned()),
    };
    let texto = std::fs::read_to_string(arquivo)
        .map_err(|e| format!("{arquivo}: não foi possível ler o arquivo ({e})"))?;
    let t = ler_triangulo_csv(&texto).map_err(|e| match e {
        TrianguloCsvError::Linha { .. } => format!("{arquivo}, {e}"),
        _ => format!("{arquivo}: {e}"),
    })?;
    let r = chain_ladder(&t.triangulo, cauda).map_err(|e| format!("{arquivo}: {e}"))?;
    let projecoes: Vec<serde_json::Value> = t
        .origens
        .iter()
        .zip(&r.origens)
        .map(|(origem, p)| {
            json!({
                "origem": origem,
                "idade": p.idade,
                "ultimo": p.ultimo,
                "fator_acumulado": p.fator_acumulado,
                "ultimate": p.ultimate,
                "reserva": p.reserva,
                "percentual_desenvolvido": p.percentual_desenvolvido(),
            })
        })
        .collect();
    Ok(json!({
        "origens": t.origens,
        "idades": t.triangulo.idades(),
        "fatores": r.fatores,
        "cauda": r.cauda,
        "fatores_acumulados": r.fatores_acumulados,
        "projecoes": projecoes,
        "reserva_total": r.reserva_total,
    }))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match rodar(&args) {
        Ok(saida) => {
            let mut out = std::io::stdout().lock();
            match writeln!(out, "{saida:#}") {
                Ok(()) => ExitCode::SUCCESS,
                Err(_) => ExitCode::FAILURE,
            }
        }
        Err(mensagem) => {
            let _ = writeln!(std::io::stderr(), "erro: {mensagem}");
            ExitCode::from(2)
        }
    }
}
