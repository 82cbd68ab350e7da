//! `persus peona …` as ANS's actuary runs it, on the demo's data, on SQLite and PostgreSQL: the
//! computation explained step by step agrees with the JSON of the same computation, the sector
//! triangle comes out in the chain-ladder judge's format, the impact table has its lines, a bad
//! base date is refused in pt-BR, and a study's proposal changes nothing until it is approved.

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Output, Stdio};

use persus_store::testing::{postgres_url, TestDb};
use persus_store::{Backend, DbConfig};

fn persus(dir: &Path, url: Option<&str>, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_persus"));
    cmd.env_remove("DATABASE_URL")
        .env_remove("PERSUS_DATA_DIR")
        .env("RUST_LOG", "warn")
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .stdin(Stdio::null());
    if let Some(u) = url {
        cmd.env("DATABASE_URL", u);
    }
    cmd.output().expect("run persus")
}

fn ok(o: &Output) -> String {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn roteiro(dir: &Path, url: Option<&str>) {
    ok(&persus(
        dir,
        url,
        &["demo", "--sem-servidor", "--sem-cenario"],
    ));
    let base = ["--data-base", "2024-06-30"];

    // One operator, explained, and the same computation as JSON: the figures agree.
    let texto = ok(&persus(
        dir,
        url,
        &[
            "peona",
            "calcular",
            "--operadora",
            "368253",
            base[0],
            base[1],
        ],
    ));
    assert!(texto.contains("trimestre 2T2024"), "{texto}");
    assert!(texto.contains("Parâmetros rn574-66"), "{texto}");
    assert!(texto.contains("Janela do fator individual: 4T2018 a 1T2020"));
    assert!(texto.contains("PEONA SUS = o menor valor = R$ "), "{texto}");
    let json = ok(&persus(
        dir,
        url,
        &[
            "peona",
            "calcular",
            "--operadora",
            "368253",
            base[0],
            base[1],
            "--formato",
            "json",
        ],
    ));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let c = &v[0]["calculo"];
    let peona = c["peona_centavos"].as_i64().unwrap();
    let teto = c["teto_centavos"].as_i64().unwrap();
    let e24 = c["e24_centavos"].as_i64().unwrap();
    assert!(peona > 0 && peona <= teto);
    // 66 % of E24, half up, as the text says.
    assert_eq!(teto, (e24 * 6600 + 5_000) / 10_000);
    let reais = persus_domain::money::Centavos::new(peona).to_string();
    assert!(
        texto.contains(&format!("o menor valor = {reais}")),
        "{texto}"
    );

    // The sector triangle in the judge's format: cumulative amounts never fall along a row.
    let cadeia = ok(&persus(
        dir,
        url,
        &[
            "peona",
            "triangulo",
            base[0],
            base[1],
            "--formato",
            "cadeia",
        ],
    ));
    let mut linhas = cadeia.lines();
    assert_eq!(linhas.next(), Some("origem;idade;acumulado"));
    let mut anterior: Option<(String, f64)> = None;
    for l in linhas {
        let c: Vec<&str> = l.split(';').collect();
        let v: f64 = c[2].parse().unwrap();
        if let Some((o, a)) = &anterior {
            if o == c[0] {
                assert!(v >= *a, "{l}");
            }
        }
        anterior = Some((c[0].to_owned(), v));
    }

    // The impact table of the 2024 proposal against the rule in force then.
    let impacto = ok(&persus(dir, url, &["peona", "impacto", base[0], base[1]]));
    for linha in [
        "Aumento de PEONA SUS",
        "Redução de PEONA SUS",
        "Total",
        "Ficou insuficiente",
    ] {
        assert!(impacto.contains(linha), "{impacto}");
    }

    // A bad base date: refused in pt-BR, nothing printed on stdout.
    let ruim = persus(
        dir,
        url,
        &["peona", "calcular", "--data-base", "31/02/2024"],
    );
    assert!(!ruim.status.success());
    assert!(String::from_utf8_lossy(&ruim.stderr).contains("data-base \"31/02/2024\" inválida"));

    // The study proposes; nothing changes before approval; approving a start already past is
    // refused (it would rewrite provisions already computed).
    let estudo = ok(&persus(
        dir,
        url,
        &["peona", "estudo", "--ano", "2025", "--por", "atuario"],
    ));
    assert!(estudo.contains("Proposta estudo-2025"), "{estudo}");
    let depois = ok(&persus(
        dir,
        url,
        &[
            "peona",
            "calcular",
            "--operadora",
            "368253",
            base[0],
            base[1],
        ],
    ));
    assert_eq!(depois, texto, "a proposal does not change the computation");
    let aprovar = persus(
        dir,
        url,
        &["peona", "aprovar", "estudo-2025", "--por", "diretor"],
    );
    // The proposal starts on the first day of next month (the study ran today), so it can be
    // approved; a second decision is refused.
    ok(&aprovar);
    let de_novo = persus(
        dir,
        url,
        &["peona", "rejeitar", "estudo-2025", "--por", "diretor"],
    );
    assert!(!de_novo.status.success());
    assert!(String::from_utf8_lossy(&de_novo.stderr).contains("já foi decidida"));
}

#[test]
fn peona_commands_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    roteiro(dir.path(), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn peona_commands_on_postgres() {
    let t = TestDb::empty(Backend::Postgres).await;
    let DbConfig::Postgres {
        schema: Some(schema),
        ..
    } = &t.config
    else {
        unreachable!()
    };
    let url = format!("{}?options=-c%20search_path%3D{schema}", postgres_url());
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().to_path_buf();
    tokio::task::spawn_blocking(move || roteiro(&p, Some(&url)))
        .await
        .unwrap();
    t.cleanup().await;
}
