//! The OpenAPI document is locked: any change to a route, parameter, schema or answer shows up
//! here as a diff to review. To accept an intended change:
//! `PERSUS_ATUALIZAR_SNAPSHOT=1 cargo test -p persus-server --test openapi`.

#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use persus_server::api::esquemas::documento;

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
    ] {
        let op = &paths[rota][metodo];
        assert!(op.is_object(), "{metodo} {rota} missing");
        if rota.starts_with("/api/v1") {
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
