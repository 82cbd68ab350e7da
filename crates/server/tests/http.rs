//! The HTTP surface in-process (`oneshot`), on SQLite and on PostgreSQL.

#![allow(clippy::unwrap_used)]

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use persus_server::app::{router, AppState};
use persus_server::cli::load_reference_data;
use persus_store::db_test;
use tower::ServiceExt;

async fn get(db: &persus_store::Db, uri: &str) -> (StatusCode, String, String) {
    let response = router(AppState::new(db.clone()))
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        content_type,
        String::from_utf8(body.to_vec()).unwrap(),
    )
}

db_test!(health_reports_ok_the_backend_and_the_version, |db| {
    let (status, ctype, body) = get(&db, "/health").await;
    assert_eq!(status, StatusCode::OK);
    assert!(ctype.starts_with("application/json"), "{ctype}");
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["status"], "ok");
    assert_eq!(json["database"], db.backend().name());
    assert_eq!(json["version"], env!("CARGO_PKG_VERSION"));
});

db_test!(health_is_503_when_the_database_is_gone, |db| {
    db.close().await;
    let (status, _, body) = get(&db, "/health").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["status"], "indisponivel");
});

db_test!(an_operator_of_the_register_is_served_by_registro, |db| {
    load_reference_data(&db).await.unwrap();
    let (status, _, body) = get(&db, "/api/v1/operadoras/368253").await;
    assert_eq!(status, StatusCode::OK);
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["registro_ans"], "368253");
    assert_eq!(json["uf"], "CE");
});

db_test!(
    a_malformed_registro_is_a_problem_with_the_reason_in_portuguese,
    |db| {
        load_reference_data(&db).await.unwrap();
        // 326306: Amil's registro with the wrong check digit (the right one is 5).
        let (status, ctype, body) = get(&db, "/api/v1/operadoras/326306").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(ctype, "application/problem+json");
        let json: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(json["status"], 422);
        let detail = json["detail"].as_str().unwrap();
        assert!(detail.contains("dígito verificador"), "{detail}");

        let (status, _, body) = get(&db, "/api/v1/operadoras/12A").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            body.contains("Registro ANS") || body.contains("registro ANS"),
            "{body}"
        );
    }
);

db_test!(a_valid_registro_not_in_the_register_is_404, |db| {
    load_reference_data(&db).await.unwrap();
    // 000019: base 00001 → S = 1·2 = 2, r = 2, DV = 11 − 2 = 9. Valid, but no such operator.
    let (status, ctype, _) = get(&db, "/api/v1/operadoras/000019").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(ctype, "application/problem+json");
});

db_test!(the_home_page_is_portuguese_and_counts_the_register, |db| {
    load_reference_data(&db).await.unwrap();
    let (status, ctype, body) = get(&db, "/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(ctype.starts_with("text/html"), "{ctype}");
    assert!(body.contains(r#"<html lang="pt-BR">"#));
    assert!(body.contains("1.106"), "operators formatted pt-BR");
    assert!(body.contains("Fonte: ANS — dados abertos"));
});

db_test!(every_response_carries_a_request_id, |db| {
    let response = router(AppState::new(db.clone()))
        .oneshot(Request::get("/health").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert!(response.headers().contains_key("x-request-id"));
});

db_test!(openapi_json_e_pagina_de_documentacao_sao_servidos, |db| {
    let (status, ctype, body) = get(&db, "/api/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert!(ctype.starts_with("application/json"));
    let doc: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let (status, ctype, html) = get(&db, "/api/docs").await;
    assert_eq!(status, StatusCode::OK);
    assert!(ctype.starts_with("text/html"));
    assert!(html.contains("lang=\"pt-BR\""));
    // Swagger UI (swagger-ui-dist from npm) renders the document; started from a file, since
    // the CSP allows no inline script.
    assert!(
        html.contains("/assets/swagger-ui/swagger-ui-bundle.js"),
        "{html}"
    );
    assert!(html.contains("/assets/persus/api-docs.js"), "{html}");
    assert!(!html.contains("<script>"), "inline script: {html}");
    // In homologação the page offers "try it out" (the script reads data-ambiente).
    assert!(html.contains("data-ambiente=\"homologacao\""), "{html}");
    let (status, ctype, js) = get(&db, "/assets/swagger-ui/swagger-ui-bundle.js").await;
    assert_eq!(
        status,
        StatusCode::OK,
        "npm ci --prefix web installs swagger-ui-dist"
    );
    assert!(ctype.contains("javascript"), "{ctype}");
    assert!(js.contains("SwaggerUIBundle"));
    let (status, _, init) = get(&db, "/assets/persus/api-docs.js").await;
    assert_eq!(status, StatusCode::OK);
    assert!(init.contains("/api/openapi.json"), "{init}");
});
