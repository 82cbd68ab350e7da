//! Every error of the API is RFC 9457 `application/problem+json` in pt-BR — also the ones no
//! handler writes: unknown routes, a method a route does not have, and axum's own rejections
//! (path, query, JSON, form, body limit). The web pages keep their HTML error page for browsers.
//! On SQLite and PostgreSQL, through the router.

#![allow(clippy::unwrap_used)]

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use persus_server::app::{router, AppState};
use persus_server::cli::load_reference_data;
use persus_store::{db_test, Db};
use serde_json::Value;
use tower::ServiceExt;

struct Resposta {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    texto: String,
    json: Value,
}

impl Resposta {
    fn tipo(&self) -> &str {
        self.headers
            .get(header::CONTENT_TYPE)
            .map(|v| v.to_str().unwrap())
            .unwrap_or("")
    }

    /// problem+json with the status in the body too, a pt-BR title and detail, no English.
    fn e_problema_em_portugues(&self, status: StatusCode) {
        assert_eq!(self.status, status, "{}", self.texto);
        assert_eq!(self.tipo(), "application/problem+json", "{}", self.texto);
        assert_eq!(self.json["status"], status.as_u16(), "{}", self.texto);
        assert!(
            self.json["type"]
                .as_str()
                .unwrap()
                .starts_with("https://persus.ans.gov.br/problemas/"),
            "{}",
            self.texto
        );
        let detail = self.json["detail"].as_str().unwrap_or_default();
        assert!(!detail.is_empty(), "{}", self.texto);
        let tudo = format!("{} {detail}", self.json["title"].as_str().unwrap());
        for ingles in [
            "Failed",
            "Invalid",
            "Cannot",
            "expected",
            "length limit",
            "Content-Type`",
            "missing field",
            "unknown field",
            " at line ",
        ] {
            assert!(!tudo.contains(ingles), "English in «{tudo}»");
        }
    }
}

async fn chamar(app: &Router, req: Request<Body>) -> Resposta {
    let r = app.clone().oneshot(req).await.unwrap();
    let status = r.status();
    let headers = r.headers().clone();
    let bytes = r.into_body().collect().await.unwrap().to_bytes();
    Resposta {
        status,
        headers,
        texto: String::from_utf8_lossy(&bytes).into_owned(),
        json: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    }
}

/// The register and the demo credentials: enough for a bearer token.
async fn preparado(db: &Db) -> Router {
    load_reference_data(db).await.unwrap();
    persus_server::demo::credenciais::criar(db).await.unwrap();
    router(AppState::new(db.clone()))
}

async fn token(app: &Router, client_id: &str) -> String {
    let r = chamar(
        app,
        Request::post("/oauth/token")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!(
                "grant_type=client_credentials&client_id={client_id}&client_secret={client_id}-secret"
            )))
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.texto);
    r.json["access_token"].as_str().unwrap().to_owned()
}

fn com_token(metodo: &str, uri: &str, token: &str, corpo: impl Into<Body>) -> Request<Body> {
    Request::builder()
        .method(metodo)
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(corpo.into())
        .unwrap()
}

db_test!(
    rota_desconhecida_e_problem_json_404_e_html_so_para_navegador_fora_da_api,
    |db| {
        let app = preparado(&db).await;
        for uri in [
            "/api/v1/nada-aqui",
            "/oauth/nada",
            "/api/v1/atendimentos/",
            "/xyz",
        ] {
            let r = chamar(&app, Request::get(uri).body(Body::empty()).unwrap()).await;
            r.e_problema_em_portugues(StatusCode::NOT_FOUND);
        }
        // A browser on an API path still gets problem+json …
        let r = chamar(
            &app,
            Request::get("/api/v1/nada-aqui")
                .header(header::ACCEPT, "text/html,application/xhtml+xml,*/*;q=0.8")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        r.e_problema_em_portugues(StatusCode::NOT_FOUND);
        // … and the web's own error page elsewhere.
        let r = chamar(
            &app,
            Request::get("/pagina-que-nao-existe")
                .header(header::ACCEPT, "text/html,application/xhtml+xml,*/*;q=0.8")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert!(r.tipo().starts_with("text/html"), "{}", r.tipo());
        assert!(r.texto.contains("lang=\"pt-BR\""), "{}", r.texto);
        assert!(r.texto.contains("Página não encontrada"), "{}", r.texto);
    }
);

db_test!(metodo_nao_permitido_e_problem_json_405_com_allow, |db| {
    let app = preparado(&db).await;
    for (metodo, uri, permitido) in [
        ("DELETE", "/api/v1/atendimentos", "GET"),
        ("PUT", "/api/v1/grus", "POST"),
        ("GET", "/oauth/token", "POST"),
        ("POST", "/health", "GET"),
    ] {
        let r = chamar(
            &app,
            Request::builder()
                .method(metodo)
                .uri(uri)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        r.e_problema_em_portugues(StatusCode::METHOD_NOT_ALLOWED);
        let allow = r.headers[header::ALLOW].to_str().unwrap();
        assert!(allow.contains(permitido), "{uri}: Allow {allow}");
        assert!(
            r.json["detail"].as_str().unwrap().contains(permitido),
            "{}",
            r.texto
        );
    }
});

db_test!(
    numero_do_caminho_que_transborda_ou_utf8_invalido_e_problem_json_400,
    |db| {
        let app = preparado(&db).await;
        let hap = token(&app, "demo-368253").await;
        let r = chamar(
            &app,
            com_token(
                "GET",
                "/api/v1/parcelamentos/9223372036854775808",
                &hap,
                Body::empty(),
            ),
        )
        .await;
        r.e_problema_em_portugues(StatusCode::BAD_REQUEST);
        assert!(
            r.json["detail"]
                .as_str()
                .unwrap()
                .contains("9223372036854775808"),
            "{}",
            r.texto
        );
        for uri in [
            "/api/v1/atendimentos/%FF%FE",
            "/api/v1/grus/%C3%28/pdf",
            "/api/v1/webhooks/%80/entregas",
        ] {
            let r = chamar(&app, com_token("GET", uri, &hap, Body::empty())).await;
            r.e_problema_em_portugues(StatusCode::BAD_REQUEST);
            assert!(
                r.json["detail"].as_str().unwrap().contains("UTF-8"),
                "{}",
                r.texto
            );
        }
    }
);

db_test!(
    corpo_acima_do_limite_e_problem_json_413_que_diz_o_limite,
    |db| {
        let app = preparado(&db).await;
        let hap = token(&app, "demo-368253").await;
        let grande = vec![b' '; 3 * 1024 * 1024];
        let r = chamar(&app, com_token("POST", "/api/v1/impugnacoes", &hap, grande)).await;
        r.e_problema_em_portugues(StatusCode::PAYLOAD_TOO_LARGE);
        assert!(
            r.json["detail"].as_str().unwrap().contains("MB"),
            "{}",
            r.texto
        );
    }
);

db_test!(
    json_malformado_ou_fora_do_esquema_e_explicado_em_portugues,
    |db| {
        let app = preparado(&db).await;
        let hap = token(&app, "demo-368253").await;
        let ans = token(&app, "demo-ans").await;
        for (uri, t, corpo, esperado) in [
            ("/api/v1/impugnacoes", &hap, "{\"processo\": ", "linha 1"),
            ("/api/v1/impugnacoes", &hap, "", "vazio"),
            ("/api/v1/grus", &hap, "{\"debitos\":[]} x", "depois"),
            (
                "/api/v1/impugnacoes",
                &hap,
                "{\"processo\":\"1\",\"atendimentos\":[],\"motivo\":\"m\",\"fundamentacao\":\"f\",\"operadora\":\"x\"}",
                "campo desconhecido \"operadora\"",
            ),
            (
                "/api/v1/grus",
                &hap,
                "{\"debitos\":[\"um\"]}",
                "debitos[0]",
            ),
            (
                "/api/v1/parcelamentos/simulacao",
                &hap,
                "{\"debitos\":[1]}",
                "parcelas",
            ),
            ("/api/v1/webhooks", &hap, "[]", "objeto"),
            // serde would build the struct from an array; the API's bodies are objects.
            (
                "/api/v1/parcelamentos/simulacao",
                &hap,
                "[[1], 2]",
                "objeto JSON",
            ),
            (
                "/api/v1/decisoes",
                &ans,
                "{\"instancia\":\"primeira\"}",
                "resultado",
            ),
            (
                "/api/v1/pagamentos",
                &ans,
                "{\"gru\":\"1\",\"valor_centavos\":1,\"pago_em\":\"31/12/2026\"}",
                "pago_em",
            ),
        ] {
            let r = chamar(&app, com_token("POST", uri, t, corpo)).await;
            r.e_problema_em_portugues(StatusCode::UNPROCESSABLE_ENTITY);
            let detail = r.json["detail"].as_str().unwrap();
            assert!(detail.contains(esperado), "{uri} {corpo}: {detail}");
        }
    }
);

db_test!(parametro_de_consulta_ilegivel_e_problem_json_422, |db| {
    let app = preparado(&db).await;
    let hap = token(&app, "demo-368253").await;
    for uri in [
        "/api/v1/debitos?em=2026-01-01&em=2026-01-02",
        "/api/v1/extrato?formato=csv&formato=json",
        "/api/v1/atendimentos?abi=cento",
        // A format the document does not list, a parameter it does not have: refused, not
        // ignored.
        "/api/v1/extrato?formato=xlsx",
        "/api/v1/debitos?operadora=326305",
        "/api/v1/extrato?operadora=326305",
        // limite is 1 to 1000 also when the CSV ignores it.
        "/api/v1/atendimentos?formato=csv&limite=5000",
    ] {
        let r = chamar(&app, com_token("GET", uri, &hap, Body::empty())).await;
        r.e_problema_em_portugues(StatusCode::UNPROCESSABLE_ENTITY);
    }
});

db_test!(
    token_com_corpo_que_nao_e_formulario_e_invalid_request_da_rfc_6749,
    |db| {
        let app = preparado(&db).await;
        for tipo in [Some("application/json"), None] {
            let mut b = Request::post("/oauth/token");
            if let Some(t) = tipo {
                b = b.header(header::CONTENT_TYPE, t);
            }
            let r = chamar(
                &app,
                b.body(Body::from("{\"grant_type\":\"client_credentials\"}"))
                    .unwrap(),
            )
            .await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.texto);
            assert_eq!(r.tipo(), "application/json");
            assert_eq!(r.headers[header::CACHE_CONTROL], "no-store");
            assert_eq!(r.json["error"], "invalid_request", "{}", r.texto);
            assert!(
                r.json["error_description"]
                    .as_str()
                    .unwrap()
                    .contains("application/x-www-form-urlencoded"),
                "{}",
                r.texto
            );
        }
        let r = chamar(
            &app,
            Request::post("/oauth/revoke")
                .header(header::CONTENT_TYPE, "text/plain")
                .body(Body::from("token=x"))
                .unwrap(),
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.texto);
        assert_eq!(r.json["error"], "invalid_request", "{}", r.texto);
    }
);

db_test!(
    formulario_ilegivel_numa_pagina_web_e_a_pagina_de_erro_em_portugues,
    |db| {
        let app = preparado(&db).await;
        let r = chamar(
            &app,
            Request::post("/entrar")
                .header(header::ACCEPT, "text/html")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from("login=rep.368253"))
                .unwrap(),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.texto);
        assert!(r.tipo().starts_with("text/html"), "{}", r.tipo());
        assert!(r.texto.contains("lang=\"pt-BR\""), "{}", r.texto);
        assert!(!r.texto.contains("Failed"), "{}", r.texto);
        // The same without asking for HTML (a script): problem+json.
        let r = chamar(
            &app,
            Request::post("/entrar")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from("login=rep.368253"))
                .unwrap(),
        )
        .await;
        r.e_problema_em_portugues(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.json["detail"].as_str().unwrap().contains("senha"),
            "{}",
            r.texto
        );
    }
);
