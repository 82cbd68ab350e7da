//! The provisions API (issue #14) end to end through the router, on SQLite and PostgreSQL: an
//! operator reads its own PEONA SUS with every figure (and never another's), PESL SUS, its
//! triangle and the what-if; ANS reads every operator, the sector's triangle and the impact
//! (403 for an operator); bad input is a pt-BR problem. The expected numbers are computed by
//! hand from the steady history of `common::provisoes` (see each comment).

#![allow(clippy::unwrap_used)]

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use base64::Engine;
use common::provisoes::{historico, AMIL, HAPVIDA, TERCEIRA};
use http_body_util::BodyExt;
use persus_server::app::{router, AppState};
use persus_store::db_test;
use serde_json::Value;
use tower::ServiceExt;

struct Resposta {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    json: Value,
    texto: String,
}

async fn chamar(app: &Router, uri: &str, token: &str) -> Resposta {
    let req = Request::get(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let r = app.clone().oneshot(req).await.unwrap();
    let status = r.status();
    let headers = r.headers().clone();
    let b = r.into_body().collect().await.unwrap().to_bytes();
    Resposta {
        status,
        headers,
        json: serde_json::from_slice(&b).unwrap_or(Value::Null),
        texto: String::from_utf8_lossy(&b).into_owned(),
    }
}

async fn token(app: &Router, client: &str) -> String {
    let basic =
        base64::engine::general_purpose::STANDARD.encode(format!("{client}:{client}-secret"));
    let req = Request::post("/oauth/token")
        .header(header::AUTHORIZATION, format!("Basic {basic}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("grant_type=client_credentials"))
        .unwrap();
    let r = app.clone().oneshot(req).await.unwrap();
    let b = r.into_body().collect().await.unwrap().to_bytes();
    let v: Value = serde_json::from_slice(&b).unwrap();
    v["access_token"].as_str().unwrap().to_owned()
}

async fn preparado(db: &persus_store::Db, dir: &std::path::Path) -> Router {
    common::publicado_hoje(db, 21).await;
    historico(db).await;
    router(AppState::com_documentos(db.clone(), dir.to_path_buf()))
}

const BASE: &str = "data_base=2025-06-30";

db_test!(
    an_operator_reads_its_own_peona_sus_with_every_figure,
    |db| {
        let dir = tempfile::tempdir().unwrap();
        let app = preparado(&db, dir.path()).await;
        let hap = token(&app, &format!("demo-{HAPVIDA}")).await;

        // HAPVIDA: R$ 100,00 a quarter, notified 2 quarters later. Base 30/06/2025 → 2T2025, rule
        // in force rn574-66 (66 %, window 4T2018–1T2020). At any window quarter t: E24_t = 8 × 10.000
        // = 80.000 (notified in the 8 quarters to t), EONA_t = what occurred in t−1 and t = 20.000;
        // ratio 0,25 in each of the 6 quarters → FI = 0,25. E24 at 2T2025 = 80.000; teto 66 % =
        // 52.800; FI × E24 = 20.000 → PEONA SUS = 20.000, the individual factor bound.
        let r = chamar(&app, &format!("/api/v1/provisoes/peona?{BASE}"), &hap).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.texto);
        let itens = r.json["itens"].as_array().unwrap();
        assert_eq!(itens.len(), 1, "only its own: {}", r.json);
        let p = &itens[0];
        assert_eq!(p["operadora"], HAPVIDA);
        assert_eq!(p["trimestre_base"], "2T2025");
        assert_eq!(p["parametros"]["versao"], "rn574-66");
        assert_eq!(p["parametros"]["teto_pb"], 6600);
        assert_eq!(
            (p["janela_inicio"].as_str(), p["janela_fim"].as_str()),
            (Some("4T2018"), Some("1T2020"))
        );
        let trimestres = p["trimestres"].as_array().unwrap();
        assert_eq!(trimestres.len(), 6);
        for t in trimestres {
            assert_eq!(
                (t["eona_centavos"].as_i64(), t["e24_centavos"].as_i64()),
                (Some(20_000), Some(80_000)),
                "{t}"
            );
        }
        assert!((p["fator_individual"].as_f64().unwrap() - 0.25).abs() < 1e-12);
        assert_eq!(p["e24_centavos"], 80_000);
        assert_eq!(p["teto_centavos"], 52_800);
        assert_eq!(p["fator_centavos"], 20_000);
        assert_eq!(p["peona_centavos"], 20_000);
        assert_eq!(p["limitante"], "fator_individual");

        // Another operator's figures do not exist for it.
        let r = chamar(
            &app,
            &format!("/api/v1/provisoes/peona?{BASE}&operadora={AMIL}"),
            &hap,
        )
        .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.texto);
        assert_eq!(r.headers[header::CONTENT_TYPE], "application/problem+json");
        let r = chamar(
            &app,
            &format!("/api/v1/provisoes/triangulo?{BASE}&operadora={AMIL}"),
            &hap,
        )
        .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);

        // Its own triangle: 1T2016's R$ 100,00 all notified at delay 2.
        let r = chamar(&app, &format!("/api/v1/provisoes/triangulo?{BASE}"), &hap).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.texto);
        assert_eq!(r.json["operadora"], HAPVIDA);
        let l = &r.json["linhas"][0];
        assert_eq!(l["ocorrencia"], "1T2016");
        assert_eq!(l["valores_centavos"][2], 10_000);
        assert_eq!(l["acumulado_pct"][1], Value::Null);
        assert_eq!(l["acumulado_pct"][2], 100.0);
        // 1T2025 is the last occurrence notified by 2T2025 (at delay 2 it would be 3T2025): its
        // row is empty; 4T2024's holds its R$ 100,00.
        let linhas = r.json["linhas"].as_array().unwrap();
        let de = |o: &str| {
            linhas.iter().find(|l| l["ocorrencia"] == o).unwrap()["total_centavos"].as_i64()
        };
        assert_eq!((de("4T2024"), de("1T2025")), (Some(10_000), Some(0)));

        // What-if: 1 quarter sooner → delay 1: EONA_t = 10.000, ratio 0,125, PEONA = 10.000;
        // 2 quarters sooner → notified in the quarter of care: nothing pending, 0.
        let r = chamar(
            &app,
            &format!("/api/v1/provisoes/simulacao?{BASE}&trimestres=1"),
            &hap,
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.texto);
        assert_eq!(
            (
                r.json["atual_centavos"].as_i64(),
                r.json["simulada_centavos"].as_i64()
            ),
            (Some(20_000), Some(10_000))
        );
        assert_eq!(r.json["variacao_centavos"], -10_000);
        let r = chamar(
            &app,
            &format!("/api/v1/provisoes/simulacao?{BASE}&trimestres=2"),
            &hap,
        )
        .await;
        assert_eq!(r.json["simulada_centavos"], 0);

        // The impact is ANS's: 403 problem+json.
        let r = chamar(&app, &format!("/api/v1/provisoes/impacto?{BASE}"), &hap).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.texto);
        assert_eq!(r.headers[header::CONTENT_TYPE], "application/problem+json");
        assert!(
            r.json["detail"].as_str().unwrap().contains("só pela ANS"),
            "{}",
            r.json
        );

        // The CSV of the same computation, in reais with a decimal comma (20.000 centavos → 200,00).
        let r = chamar(
            &app,
            &format!("/api/v1/provisoes/peona?{BASE}&formato=csv"),
            &hap,
        )
        .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/csv"));
        let linhas: Vec<&str> = r.texto.lines().collect();
        assert_eq!(linhas.len(), 2, "{}", r.texto);
        assert!(
            linhas[1].starts_with(&format!("{HAPVIDA};30/06/2025;2T2025;rn574-66;66,00;")),
            "{}",
            linhas[1]
        );
        assert!(
            linhas[1].contains(";800,00;528,00;0,250000;200,00;200,00;"),
            "{}",
            linhas[1]
        );
    }
);

db_test!(
    ans_reads_every_operator_the_sector_triangle_and_the_impact,
    |db| {
        let dir = tempfile::tempdir().unwrap();
        let app = preparado(&db, dir.path()).await;
        let ans = token(&app, "demo-ans").await;

        let r = chamar(&app, &format!("/api/v1/provisoes/peona?{BASE}"), &ans).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.texto);
        let peona = |op: &str| {
            r.json["itens"]
                .as_array()
                .unwrap()
                .iter()
                .find(|i| i["operadora"] == op)
                .unwrap()["peona_centavos"]
                .as_i64()
                .unwrap()
        };
        // AMIL: R$ 200,00 a quarter, notified 1 quarter later: EONA_t = 20.000, E24_t = 160.000,
        // ratio 0,125 → FI × E24 = 20.000 < 66 % × 160.000 = 105.600.
        // TERCEIRA: R$ 100,00, notified 7 quarters later: EONA_t = 70.000, E24_t = 80.000, ratio
        // 0,875 → FI × E24 = 70.000 > 66 % × 80.000 = 52.800: the cap binds.
        assert_eq!(
            (peona(HAPVIDA), peona(AMIL), peona(TERCEIRA)),
            (20_000, 20_000, 52_800)
        );
        let r1 = chamar(
            &app,
            &format!("/api/v1/provisoes/peona?{BASE}&operadora={TERCEIRA}"),
            &ans,
        )
        .await;
        assert_eq!(r1.json["itens"].as_array().unwrap().len(), 1);
        assert_eq!(r1.json["itens"][0]["limitante"], "teto");

        // The sector's triangle: 1T2016 holds 10.000 (delay 2) + 20.000 (delay 1) + 10.000 (delay 7)
        // = 40.000: cumulative 50 % at delay 1, 75 % at 2, 100 % at 7.
        let r = chamar(
            &app,
            &format!("/api/v1/provisoes/triangulo?{BASE}&desde=1T2016"),
            &ans,
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.texto);
        assert_eq!(r.json["operadora"], Value::Null);
        let l = &r.json["linhas"][0];
        assert_eq!(l["total_centavos"], 40_000);
        let p = |d: usize| l["acumulado_pct"][d].as_f64();
        assert_eq!(
            (p(0), p(1), p(2), p(6), p(7)),
            (None, Some(50.0), Some(75.0), Some(75.0), Some(100.0))
        );

        // Impact rn574-66 → rn640-65 (65 %, window 3T2021–4T2022): HAPVIDA and AMIL keep their
        // ratios (steady) → unchanged; TERCEIRA's cap falls to 65 % × 80.000 = 52.000 (−800).
        let r = chamar(&app, &format!("/api/v1/provisoes/impacto?{BASE}"), &ans).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.texto);
        assert_eq!(
            (
                r.json["de"]["versao"].as_str(),
                r.json["para"]["versao"].as_str()
            ),
            (Some("rn574-66"), Some("rn640-65"))
        );
        let linha = |s: &str| {
            r.json["linhas"]
                .as_array()
                .unwrap()
                .iter()
                .find(|l| l["sentido"] == s)
                .unwrap()
                .clone()
        };
        assert_eq!(linha("aumento")["operadoras"], 0);
        assert_eq!(linha("reducao")["operadoras"], 1);
        assert_eq!(linha("reducao")["variacao_centavos"], -800);
        assert_eq!(linha("sem_alteracao")["operadoras"], 2);
        assert!((linha("reducao")["pct_operadoras"].as_f64().unwrap() - 100.0 / 3.0).abs() < 1e-9);
        assert_eq!(r.json["total"]["operadoras"], 3);
        assert_eq!(r.json["total"]["variacao_centavos"], -800);
        let terceira = r.json["operadoras"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["operadora"] == TERCEIRA)
            .unwrap()
            .clone();
        assert_eq!(
            (
                terceira["antes_centavos"].as_i64(),
                terceira["depois_centavos"].as_i64()
            ),
            (Some(52_800), Some(52_000))
        );
        let csv = chamar(
            &app,
            &format!("/api/v1/provisoes/impacto?{BASE}&formato=csv"),
            &ans,
        )
        .await;
        assert!(
            csv.texto
                .contains("Redução de PEONA SUS;1;33,33;0,00;-8,00"),
            "{}",
            csv.texto
        );
        assert!(
            csv.texto.contains(
                "registro_ans;peona_antes;peona_depois;variacao;metodologia_propria;suficiencia\n"
            ),
            "{}",
            csv.texto
        );
    }
);

db_test!(pesl_sus_is_what_was_notified_and_not_paid_own_only, |db| {
    let dir = tempfile::tempdir().unwrap();
    let app = preparado(&db, dir.path()).await;
    let hap = token(&app, &format!("demo-{HAPVIDA}")).await;
    let ans = token(&app, "demo-ans").await;
    // ABI 101 was published today: HAPVIDA's notified attendances are all in their impugnação
    // period. Independent count and sum, straight from the tables.
    let n = common::scalar_i64(&db, "SELECT COUNT(*) FROM atendimentos WHERE operadora = $1 AND notificacao_id IS NOT NULL AND estado <> 'anulado'", HAPVIDA).await;
    let v = common::scalar_i64(&db, "SELECT CAST(COALESCE(SUM(COALESCE(valor_devido_centavos, valor_ressarcimento_centavos)), 0) AS BIGINT) FROM atendimentos WHERE operadora = $1 AND notificacao_id IS NOT NULL AND estado <> 'anulado'", HAPVIDA).await;
    assert!(n > 0, "the demo notified HAPVIDA today");
    let r = chamar(&app, "/api/v1/provisoes/pesl", &hap).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.texto);
    let itens = r.json["itens"].as_array().unwrap();
    assert!(
        itens.iter().all(|i| i["operadora"] == HAPVIDA),
        "{}",
        r.json
    );
    let soma: i64 = itens
        .iter()
        .map(|i| i["valor_centavos"].as_i64().unwrap())
        .sum();
    let qtd: i64 = itens
        .iter()
        .map(|i| i["quantidade"].as_i64().unwrap())
        .sum();
    assert_eq!((qtd, soma), (n, v));
    assert!(
        itens
            .iter()
            .all(|i| i["situacao"] == "prazo_impugnacao" && i["exige_lastro"] == true),
        "{}",
        r.json
    );
    // At a base date before the ABI, nothing was notified yet.
    let r = chamar(&app, &format!("/api/v1/provisoes/pesl?{BASE}"), &hap).await;
    assert_eq!(r.json["itens"].as_array().unwrap().len(), 0);
    // ANS sees more than one operator.
    let r = chamar(&app, "/api/v1/provisoes/pesl", &ans).await;
    let ops: std::collections::BTreeSet<&str> = r.json["itens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["operadora"].as_str().unwrap())
        .collect();
    assert!(ops.len() > 1 && ops.contains(HAPVIDA), "{ops:?}");
});

db_test!(bad_input_is_a_pt_br_problem, |db| {
    let dir = tempfile::tempdir().unwrap();
    let app = preparado(&db, dir.path()).await;
    let ans = token(&app, "demo-ans").await;
    for (uri, campo, trecho) in [
        (
            "/api/v1/provisoes/peona?data_base=31/02/2025",
            "data_base",
            "data-base \"31/02/2025\" inválida",
        ),
        (
            "/api/v1/provisoes/peona?data_base=2025-06-30&versao=rn999",
            "versao",
            "versão de parâmetros \"rn999\" não existe",
        ),
        (
            "/api/v1/provisoes/peona?data_base=2018-06-30",
            "data_base",
            "não há fórmula padrão da PEONA SUS em vigor em 30/06/2018",
        ),
        (
            "/api/v1/provisoes/peona?operadora=12",
            "operadora",
            "registro ANS \"12\" inválido",
        ),
        (
            "/api/v1/provisoes/triangulo?desde=5T2016",
            "desde",
            "trimestre \"5T2016\" inválido",
        ),
        (
            "/api/v1/provisoes/simulacao?trimestres=9",
            "trimestres",
            "de 1 a 8 trimestres",
        ),
        (
            "/api/v1/provisoes/impacto?para=nada",
            "versao",
            "\"nada\" não existe",
        ),
        (
            "/api/v1/provisoes/pesl?formato=xls",
            "formato",
            "formato \"xls\" inválido",
        ),
    ] {
        let r = chamar(&app, uri, &ans).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{uri}: {}",
            r.texto
        );
        assert_eq!(
            r.headers[header::CONTENT_TYPE],
            "application/problem+json",
            "{uri}"
        );
        let detalhe = r.json["detail"].as_str().unwrap();
        assert!(detalhe.contains(trecho), "{uri}: {detalhe}");
        assert!(
            r.texto.contains(&format!("\"campo\":\"{campo}\"")),
            "{uri}: {}",
            r.texto
        );
    }
    // An unknown parameter is refused too, naming it.
    let r = chamar(&app, "/api/v1/provisoes/peona?base=2025-06-30", &ans).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.texto.contains("base"), "{}", r.texto);
});
