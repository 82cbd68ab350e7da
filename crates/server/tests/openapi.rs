//! The OpenAPI document is locked: any change to a route, parameter, schema or answer shows up
//! here as a diff to review. To accept an intended change:
//! `PERSUS_ATUALIZAR_SNAPSHOT=1 cargo test -p persus-server --test openapi`.

#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use persus_server::api::esquemas::documento;
use serde_json::Value;

fn caminho() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/openapi.json")
}

#[test]
fn o_documento_openapi_e_o_do_snapshot() {
    let atual = serde_json::to_string_pretty(&documento()).unwrap() + "\n";
    if std::env::var("PERSUS_ATUALIZAR_SNAPSHOT").is_ok_and(|v| v == "1") {
        std::fs::write(caminho(), &atual).unwrap();
    }
    let esperado = std::fs::read_to_string(caminho())
        .expect("tests/snapshots/openapi.json missing: run with PERSUS_ATUALIZAR_SNAPSHOT=1 once");
    assert!(
        atual == esperado,
        "the OpenAPI document changed; review the diff and, if intended, run with PERSUS_ATUALIZAR_SNAPSHOT=1"
    );
}

#[test]
fn o_documento_e_openapi_3_1_e_cobre_cada_rota_da_api() {
    let doc = serde_json::to_value(documento()).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let paths = doc["paths"].as_object().unwrap();
    for (rota, metodo) in [
        ("/oauth/token", "post"),
        ("/oauth/revoke", "post"),
        ("/api/v1/atendimentos", "get"),
        ("/api/v1/atendimentos/{numero}", "get"),
        ("/api/v1/notificacoes", "get"),
        ("/api/v1/notificacoes/{id}", "get"),
        ("/api/v1/processos", "get"),
        ("/api/v1/documentos", "post"),
        ("/api/v1/documentos/{id}", "get"),
        ("/api/v1/peticoes/{protocolo}", "get"),
        ("/api/v1/impugnacoes", "post"),
        ("/api/v1/recursos", "post"),
        ("/api/v1/filas/{instancia}", "get"),
        ("/api/v1/decisoes", "post"),
        ("/api/v1/abis", "get"),
        ("/api/v1/abis/{numero}/publicacao", "post"),
        ("/api/v1/lotes", "post"),
        ("/api/v1/lotes/{id}", "get"),
        ("/api/v1/webhooks", "post"),
        ("/api/v1/webhooks", "get"),
        ("/api/v1/webhooks/{id}", "delete"),
        ("/api/v1/webhooks/{id}/entregas", "get"),
        ("/api/v1/webhooks/{id}/teste", "post"),
        ("/api/v1/debitos", "get"),
        ("/api/v1/grus", "get"),
        ("/api/v1/grus", "post"),
        ("/api/v1/grus/{numero}", "get"),
        ("/api/v1/grus/{numero}/pdf", "get"),
        ("/api/v1/parcelamentos/simulacao", "post"),
        ("/api/v1/parcelamentos", "get"),
        ("/api/v1/parcelamentos", "post"),
        ("/api/v1/parcelamentos/{id}", "get"),
        ("/api/v1/parcelamentos/{id}/parcelas/{numero}/gru", "post"),
        ("/api/v1/retornos", "post"),
        ("/api/v1/pagamentos", "post"),
        ("/api/v1/extrato", "get"),
        ("/api/v1/creditos", "get"),
        ("/api/v1/arrecadacao", "get"),
        ("/api/v1/selic", "get"),
        ("/api/v1/selic", "post"),
        ("/api/v1/homologacao/grus/{numero}/pagamento", "post"),
        ("/api/v1/operadoras/{registro_ans}", "get"),
        ("/health", "get"),
    ] {
        let op = &paths[rota][metodo];
        assert!(op.is_object(), "{metodo} {rota} missing");
        if rota.starts_with("/api/v1") && !rota.starts_with("/api/v1/operadoras") {
            assert!(op["security"].is_array(), "{rota} without security");
            for status in ["401", "403", "429"] {
                assert!(
                    op["responses"][status].is_object(),
                    "{rota} without {status}"
                );
            }
        }
    }
    // Every schema a route references exists (a client generator would fail otherwise).
    let texto = doc.to_string();
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for r in texto.split("\"#/components/schemas/").skip(1) {
        let nome = &r[..r.find('"').unwrap()];
        assert!(schemas.contains_key(nome), "dangling reference to {nome}");
    }
    assert!(
        doc["components"]["securitySchemes"]["oauth2"]["flows"]["clientCredentials"]["tokenUrl"]
            == "/oauth/token"
    );
}

fn operacoes(doc: &Value) -> Vec<(String, String, Value)> {
    let mut v = Vec::new();
    for (rota, item) in doc["paths"].as_object().unwrap() {
        for (metodo, op) in item.as_object().unwrap() {
            v.push((rota.clone(), metodo.clone(), op.clone()));
        }
    }
    v
}

/// Errors are declared as RFC 9457 problem+json with the `Problem` schema — never as
/// `application/json` — except the RFC 6749 errors of `/oauth/*` (400 and 401), declared in
/// their own JSON shape.
#[test]
fn todo_erro_declarado_e_problem_json_salvo_os_da_rfc_6749() {
    let doc = serde_json::to_value(documento()).unwrap();
    for (rota, metodo, op) in operacoes(&doc) {
        for (status, r) in op["responses"].as_object().unwrap() {
            let n: u16 = status.parse().unwrap();
            if n < 400 || (rota == "/health" && n == 503) {
                continue;
            }
            let oauth = rota.starts_with("/oauth/") && (n == 400 || n == 401);
            let (tipo, esquema) = if oauth {
                ("application/json", "#/components/schemas/ErroOAuth")
            } else {
                ("application/problem+json", "#/components/schemas/Problem")
            };
            let tipos: Vec<&String> = r["content"].as_object().unwrap().keys().collect();
            assert_eq!(tipos, [tipo], "{metodo} {rota} {status}");
            assert_eq!(
                r["content"][tipo]["schema"]["$ref"], esquema,
                "{metodo} {rota} {status}"
            );
        }
    }
}

/// What every operation can answer is declared: 500 everywhere (but /health); 401, 403 and 429 where a token
/// is required; 413 where a body is read; 400 where the path has parameters (an unparsable
/// value: bytes that are not UTF-8, a number out of range); 422 on every POST (its
/// Idempotency-Key); 404 on what is ANS's alone.
#[test]
fn cada_operacao_declara_os_status_que_pode_responder() {
    let doc = serde_json::to_value(documento()).unwrap();
    let mut faltam = Vec::new();
    for (rota, metodo, op) in operacoes(&doc) {
        // /health answers 503 with its own body, never 500.
        let mut exigidos = if rota == "/health" {
            vec!["200", "503"]
        } else {
            vec!["500"]
        };
        if op["security"].is_array() {
            exigidos.extend(["401", "403", "429"]);
        }
        if op["requestBody"].is_object() {
            exigidos.push("413");
        }
        if rota.contains('{') {
            exigidos.push("400");
        }
        // Every POST of the API takes an Idempotency-Key: a malformed or reused one is 422.
        if metodo == "post" && rota.starts_with("/api/v1/") {
            exigidos.push("422");
        }
        let so_ans = op["security"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s["bearer"].as_array())
            .flatten()
            .all(|e| e.as_str().unwrap().starts_with("ans."));
        if op["security"].is_array() && so_ans {
            exigidos.push("404");
        }
        for s in exigidos {
            if !op["responses"][s].is_object() {
                faltam.push(format!("{metodo} {rota} {s}"));
            }
        }
    }
    assert!(faltam.is_empty(), "undeclared: {faltam:#?}");
}

/// The documented scopes of the sandbox payment are the ones the code accepts: the operator's
/// `financeiro` (its own GRUs) or ANS finance's `ans.financeiro` (any operator's).
#[test]
fn pagamento_simulado_em_homologacao_documenta_o_escopo_de_cada_lado() {
    let doc = serde_json::to_value(documento()).unwrap();
    let op = &doc["paths"]["/api/v1/homologacao/grus/{numero}/pagamento"]["post"];
    let mut escopos: Vec<&str> = op["security"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["oauth2"].as_array())
        .flatten()
        .map(|e| e.as_str().unwrap())
        .collect();
    escopos.sort_unstable();
    assert_eq!(
        escopos,
        ["ans.financeiro", "financeiro"],
        "{}",
        op["security"]
    );
}
