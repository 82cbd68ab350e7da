//! The integration API end to end (in-process router), on SQLite and PostgreSQL: OAuth2 client
//! credentials, bearer tokens with scopes, an operator reaching only its own data, the notice
//! feed where reading records ciência, petitions with Idempotency-Key, revocation, rate limits,
//! and the personal-data access log.

#![allow(clippy::unwrap_used)]

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use base64::Engine;
use http_body_util::BodyExt;
use persus_server::app::{router, AppState};
use persus_server::servicos::relogio::{Relogio, RelogioSistema};
use persus_store::db::PoolRef;
use persus_store::{abis, contas, db_test, Db};
use serde_json::Value;
use tower::ServiceExt;

const HAPVIDA: &str = "368253";
const AMIL: &str = "326305";
use common::PDF;

struct Resposta {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    json: Value,
    bytes: Vec<u8>,
}

async fn chamar(app: &Router, req: Request<Body>) -> Resposta {
    let r = app.clone().oneshot(req).await.unwrap();
    let status = r.status();
    let headers = r.headers().clone();
    let bytes = r.into_body().collect().await.unwrap().to_bytes();
    let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Resposta {
        status,
        headers,
        json,
        bytes: bytes.to_vec(),
    }
}

fn get(uri: &str, token: &str) -> Request<Body> {
    Request::get(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap()
}

fn post_json(uri: &str, token: &str, chave: Option<&str>, corpo: &Value) -> Request<Body> {
    let mut b = Request::post(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(k) = chave {
        b = b.header("idempotency-key", k);
    }
    b.body(Body::from(corpo.to_string())).unwrap()
}

fn pedido_token(client_id: &str, segredo: &str, escopo: Option<&str>) -> Request<Body> {
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{client_id}:{segredo}"));
    let corpo = match escopo {
        Some(s) => format!(
            "grant_type=client_credentials&scope={}",
            s.replace(' ', "+")
        ),
        None => "grant_type=client_credentials".to_owned(),
    };
    Request::post("/oauth/token")
        .header(header::AUTHORIZATION, format!("Basic {basic}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(corpo))
        .unwrap()
}

async fn token(app: &Router, registro: &str, escopo: Option<&str>) -> String {
    let r = chamar(
        app,
        pedido_token(
            &format!("demo-{registro}"),
            &format!("demo-{registro}-secret"),
            escopo,
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    r.json["access_token"].as_str().unwrap().to_owned()
}

async fn numeros(db: &Db, operadora: &str) -> Vec<String> {
    let sql = "SELECT numero FROM atendimentos WHERE operadora = $1 AND processo_id IS NOT NULL ORDER BY numero";
    match db.inner() {
        PoolRef::Sqlite(p) => sqlx::query_scalar(sql)
            .bind(operadora)
            .fetch_all(p)
            .await
            .unwrap(),
        PoolRef::Postgres(p) => sqlx::query_scalar(sql)
            .bind(operadora)
            .fetch_all(p)
            .await
            .unwrap(),
    }
}

/// Demo data, ABI 101 (AIH 1T2025) published today (the real clock: the API uses it), the demo
/// credentials.
async fn preparado(db: &Db, dir: &std::path::Path) -> Router {
    common::publicado_hoje(db, 21).await;
    router(AppState::com_documentos(db.clone(), dir.to_path_buf()))
}

db_test!(
    client_credentials_emite_token_e_recusa_credencial_errada,
    |db| {
        let dir = tempfile::tempdir().unwrap();
        let app = preparado(&db, dir.path()).await;

        let r = chamar(
            &app,
            pedido_token("demo-368253", "demo-368253-secret", None),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.json["access_token"]
            .as_str()
            .unwrap()
            .starts_with("psus_at_"));
        assert_eq!(r.json["token_type"], "Bearer");
        assert_eq!(r.json["expires_in"], 3600);
        assert_eq!(r.json["scope"], "consulta peticionar financeiro");
        assert_eq!(r.headers[header::CACHE_CONTROL], "no-store");

        // Credentials in the form body work too (RFC 6749 §2.3.1).
        let form = Request::post("/oauth/token")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("grant_type=client_credentials&client_id=demo-326305&client_secret=demo-326305-secret&scope=consulta"))
        .unwrap();
        let r = chamar(&app, form).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.json);
        assert_eq!(r.json["scope"], "consulta");

        let r = chamar(&app, pedido_token("demo-368253", "errado", None)).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert_eq!(r.json["error"], "invalid_client");
        let r = chamar(&app, pedido_token("nao-existe", "x", None)).await;
        assert_eq!(r.json["error"], "invalid_client");
        let r = chamar(
            &app,
            pedido_token("demo-368253", "demo-368253-secret", Some("ans.decisao")),
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(r.json["error"], "invalid_scope");
        let sem_grant = Request::post("/oauth/token")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from("grant_type=password"))
            .unwrap();
        assert_eq!(
            chamar(&app, sem_grant).await.json["error"],
            "unsupported_grant_type"
        );
    }
);

db_test!(
    operadora_so_alcanca_os_proprios_dados_e_cada_leitura_fica_registrada,
    |db| {
        let dir = tempfile::tempdir().unwrap();
        let app = preparado(&db, dir.path()).await;
        let hap = token(&app, HAPVIDA, None).await;
        let amil = token(&app, AMIL, None).await;
        let ans = {
            let r = chamar(&app, pedido_token("demo-ans", "demo-ans-secret", None)).await;
            r.json["access_token"].as_str().unwrap().to_owned()
        };
        let meu = numeros(&db, HAPVIDA).await.remove(0);

        // No token, a made-up token: 401 with the challenge.
        let r = chamar(
            &app,
            Request::get(format!("/api/v1/atendimentos/{meu}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert!(r.headers[header::WWW_AUTHENTICATE]
            .to_str()
            .unwrap()
            .starts_with("Bearer"));
        assert_eq!(
            chamar(
                &app,
                get(&format!("/api/v1/atendimentos/{meu}"), "psus_at_inventado")
            )
            .await
            .status,
            StatusCode::UNAUTHORIZED
        );

        let r = chamar(&app, get(&format!("/api/v1/atendimentos/{meu}"), &hap)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.json);
        assert_eq!(r.json["atendimento"]["numero"], meu.as_str());
        assert_eq!(r.json["atendimento"]["operadora"], HAPVIDA);
        assert!(r.json["linha_do_tempo"].as_array().unwrap().len() >= 2);
        // Another operator: it does not exist (404, not 403). ANS sees it.
        let r = chamar(&app, get(&format!("/api/v1/atendimentos/{meu}"), &amil)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(r.headers[header::CONTENT_TYPE], "application/problem+json");
        assert_eq!(
            chamar(&app, get(&format!("/api/v1/atendimentos/{meu}"), &ans))
                .await
                .status,
            StatusCode::OK
        );
        // A malformed number is a 422 that says what to send.
        let r = chamar(&app, get("/api/v1/atendimentos/12AB", &hap)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.json["detail"].as_str().unwrap().contains("13 dígitos"));

        // The feed: only the operator's own notices.
        let r = chamar(&app, get("/api/v1/notificacoes", &hap)).await;
        assert_eq!(r.status, StatusCode::OK);
        let itens = r.json["itens"].as_array().unwrap();
        assert_eq!(itens.len(), 1);
        assert!(itens.iter().all(|i| i["operadora"] == HAPVIDA));
        let id = itens[0]["id"].as_i64().unwrap();
        assert_eq!(
            chamar(&app, get(&format!("/api/v1/notificacoes/{id}"), &amil))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        let todos = chamar(&app, get("/api/v1/notificacoes?limite=1000", &ans)).await;
        assert!(todos.json["itens"].as_array().unwrap().len() > 1);
        let r = chamar(&app, get("/api/v1/processos", &hap)).await;
        let processos = r.json["itens"].as_array().unwrap();
        assert!(processos.iter().all(|p| p["operadora"] == HAPVIDA));
        // A cursor list: oldest first, so the next page (and the next poll) only has newer ones
        // (ANS sees every operator's processes: more than one).
        let todos = chamar(&app, get("/api/v1/processos", &ans)).await;
        let ids: Vec<i64> = todos.json["itens"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_i64().unwrap())
            .collect();
        assert!(
            ids.len() > 1 && ids.windows(2).all(|w| w[0] < w[1]),
            "{ids:?}"
        );
        let depois = chamar(
            &app,
            get(&format!("/api/v1/processos?apos={}", ids[0]), &ans),
        )
        .await;
        assert_eq!(depois.json["itens"][0]["id"], ids[1], "{}", depois.json);

        // Every successful read of an attendance is in the access log (written off the request path).
        let mut registros = Vec::new();
        for _ in 0..50 {
            registros = contas::acessos_a(&db, "atendimento", &meu).await.unwrap();
            if registros.len() >= 2 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert_eq!(
            registros.len(),
            2,
            "Hapvida's and ANS's reads, not Amil's refused one"
        );
    }
);

db_test!(
    ler_a_notificacao_registra_ciencia_e_a_impugnacao_e_idempotente,
    |db| {
        let dir = tempfile::tempdir().unwrap();
        let app = preparado(&db, dir.path()).await;
        let hap = token(&app, HAPVIDA, None).await;
        let r = chamar(&app, get("/api/v1/notificacoes", &hap)).await;
        let n = &r.json["itens"][0];
        assert!(n["ciencia_em"].is_null());
        let id = n["id"].as_i64().unwrap();
        let nup = n["processo"].as_str().unwrap().to_owned();

        let r = chamar(&app, get(&format!("/api/v1/notificacoes/{id}"), &hap)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.json);
        let hoje = RelogioSistema.hoje().to_string();
        assert_eq!(r.json["ciencia"]["ciencia_em"], hoje.as_str());
        assert_eq!(r.json["ciencia"]["forma"], "expressa");
        assert!(r.json["ciencia"]["vencimento"].is_string());
        assert_eq!(r.json["conteudo"]["documento"], "Ofício ABI");
        // The machine-readable list: every attendance of the process with provider, beneficiary,
        // dates and each procedure (IN DIDES 47/2011 art. 2).
        let lista = r.json["atendimentos"].as_array().unwrap();
        assert_eq!(
            lista.len() as i64,
            r.json["conteudo"]["atendimentos"].as_i64().unwrap()
        );
        let a = &lista[0];
        for campo in [
            "numero",
            "competencia",
            "cnes",
            "estabelecimento",
            "beneficiario_cns",
            "beneficiario_nascimento",
            "data_inicio",
            "carater",
            "valor_ressarcimento_centavos",
        ] {
            assert!(!a[campo].is_null(), "{campo} missing: {a}");
        }
        let procs = a["procedimentos"].as_array().unwrap();
        assert!(!procs.is_empty());
        let soma: i64 = procs
            .iter()
            .map(|p| p["valor_centavos"].as_i64().unwrap())
            .sum();
        assert_eq!(
            soma,
            a["valor_sus_centavos"].as_i64().unwrap(),
            "the SUS value is the sum of the procedures"
        );
        // Reading again changes nothing.
        let r2 = chamar(&app, get(&format!("/api/v1/notificacoes/{id}"), &hap)).await;
        assert_eq!(r2.json["ciencia"]["registrada_agora"], false);

        // Upload the evidence, then impugn.
        let up = Request::post("/api/v1/documentos?nome=exclusao.pdf")
            .header(header::AUTHORIZATION, format!("Bearer {hap}"))
            .header(header::CONTENT_TYPE, "application/pdf")
            .body(Body::from(PDF))
            .unwrap();
        let d = chamar(&app, up).await;
        assert_eq!(d.status, StatusCode::CREATED, "{}", d.json);
        assert_eq!(d.json["sha256"].as_str().unwrap().len(), 64);
        let nao_pdf = Request::post("/api/v1/documentos?nome=x.docx")
            .header(header::AUTHORIZATION, format!("Bearer {hap}"))
            .body(Body::from("PK\u{3}\u{4} not a pdf"))
            .unwrap();
        let r = chamar(&app, nao_pdf).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.json["detail"].as_str().unwrap().contains("não é um PDF"));

        let meus = numeros(&db, HAPVIDA).await;
        let corpo = serde_json::json!({
            "processo": nup,
            "atendimentos": [meus[0]],
            "motivo": "ADM01",
            "fundamentacao": "Beneficiário excluído do plano antes do atendimento.",
            "documentos": [d.json["id"]],
        });
        let r = chamar(
            &app,
            post_json("/api/v1/impugnacoes", &hap, Some("k-1"), &corpo),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
        let protocolo = r.json["protocolo"].as_str().unwrap().to_owned();
        // The same key and body: the same answer, nothing filed twice.
        let r = chamar(
            &app,
            post_json("/api/v1/impugnacoes", &hap, Some("k-1"), &corpo),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED);
        assert_eq!(r.json["protocolo"], protocolo.as_str());
        assert_eq!(r.headers["idempotent-replayed"], "true");
        // The same key, another body: refused.
        let mut outro = corpo.clone();
        outro["atendimentos"] = serde_json::json!([meus[1]]);
        let r = chamar(
            &app,
            post_json("/api/v1/impugnacoes", &hap, Some("k-1"), &outro),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.json["detail"]
            .as_str()
            .unwrap()
            .contains("Idempotency-Key"));
        // Without a key, a second impugnação of the same attendance is refused by the rules.
        let r = chamar(&app, post_json("/api/v1/impugnacoes", &hap, None, &corpo)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.json);
        // Unknown fields are refused, not ignored.
        let mut estranho = corpo.clone();
        estranho["valor"] = serde_json::json!(1);
        let r = chamar(
            &app,
            post_json("/api/v1/impugnacoes", &hap, None, &estranho),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.json["detail"].as_str().unwrap().contains("valor"),
            "{}",
            r.json
        );

        // The receipt and the document can be fetched again — by their owner (and ANS) only.
        let r = chamar(&app, get(&format!("/api/v1/peticoes/{protocolo}"), &hap)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.json);
        assert_eq!(r.json["atendimentos"], serde_json::json!([meus[0]]));
        assert_eq!(r.json["documentos"][0]["sha256"], d.json["sha256"]);
        let amil = token(&app, AMIL, None).await;
        assert_eq!(
            chamar(&app, get(&format!("/api/v1/peticoes/{protocolo}"), &amil))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        let doc_id = d.json["id"].as_i64().unwrap();
        let resp = app
            .clone()
            .oneshot(get(&format!("/api/v1/documentos/{doc_id}"), &hap))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(resp.headers()[header::CONTENT_TYPE], "application/pdf");
        assert_eq!(
            resp.headers()[header::ETAG],
            format!("\"{}\"", d.json["sha256"].as_str().unwrap()).as_str()
        );
        assert_eq!(
            resp.into_body()
                .collect()
                .await
                .unwrap()
                .to_bytes()
                .as_ref(),
            PDF
        );
        assert_eq!(
            chamar(&app, get(&format!("/api/v1/documentos/{doc_id}"), &amil))
                .await
                .status,
            StatusCode::NOT_FOUND
        );

        // A token without `peticionar` cannot file; ANS cannot file for an operator.
        let so_consulta = token(&app, HAPVIDA, Some("consulta")).await;
        let r = chamar(
            &app,
            post_json("/api/v1/impugnacoes", &so_consulta, None, &outro),
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
);

db_test!(token_revogado_nao_vale_e_limite_responde_429, |db| {
    let dir = tempfile::tempdir().unwrap();
    let app = preparado(&db, dir.path()).await;
    let hap = token(&app, HAPVIDA, None).await;
    assert_eq!(
        chamar(&app, get("/api/v1/processos", &hap)).await.status,
        StatusCode::OK
    );
    let basic = base64::engine::general_purpose::STANDARD.encode("demo-368253:demo-368253-secret");
    let rev = Request::post("/oauth/revoke")
        .header(header::AUTHORIZATION, format!("Basic {basic}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!("token={hap}")))
        .unwrap();
    assert_eq!(chamar(&app, rev).await.status, StatusCode::OK);
    assert_eq!(
        chamar(&app, get("/api/v1/processos", &hap)).await.status,
        StatusCode::UNAUTHORIZED
    );

    // An application limited to 2 requests per minute.
    let mut tx = db.begin().await.unwrap();
    let org = contas::organizacao(&mut tx, Some(AMIL)).await.unwrap();
    contas::criar_aplicacao(
        &mut tx,
        &contas::NovaAplicacao {
            organizacao_id: org.id,
            nome: "lenta",
            ambiente: "homologacao",
            client_id: "lenta",
            segredo_sha256: &persus_server::auth::sha256_hex("s3cr3t"),
            escopos: "consulta",
            limite_por_minuto: 2,
            criada_por: "t",
            em: chrono::Utc::now(),
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let t = chamar(&app, pedido_token("lenta", "s3cr3t", None))
        .await
        .json["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    for _ in 0..2 {
        assert_eq!(
            chamar(&app, get("/api/v1/processos", &t)).await.status,
            StatusCode::OK
        );
    }
    let r = chamar(&app, get("/api/v1/processos", &t)).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    let espera: u64 = r.headers[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=30).contains(&espera), "{espera}");
});

db_test!(busca_de_atendimentos_com_filtros_cursor_e_csv, |db| {
    let dir = tempfile::tempdir().unwrap();
    let app = preparado(&db, dir.path()).await;
    let hap = token(&app, HAPVIDA, None).await;
    let meus = numeros(&db, HAPVIDA).await;

    // Pages of 2 with the cursor cover exactly the operator's notified attendances.
    let mut vistos = Vec::new();
    let mut uri = "/api/v1/atendimentos?abi=101&estado=aguardando_ciencia&limite=2".to_owned();
    loop {
        let r = chamar(&app, get(&uri, &hap)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.json);
        for i in r.json["itens"].as_array().unwrap() {
            assert_eq!(i["operadora"], HAPVIDA);
            assert_eq!(i["abi"], 101);
            vistos.push(i["numero"].as_str().unwrap().to_owned());
        }
        match r.json["proximo"].as_i64() {
            Some(p) => {
                uri = format!(
                    "/api/v1/atendimentos?abi=101&estado=aguardando_ciencia&limite=2&apos={p}"
                )
            }
            None => break,
        }
    }
    vistos.sort();
    assert_eq!(vistos, meus);
    // A filter that matches nothing, and bad filters with every reason at once.
    let r = chamar(&app, get("/api/v1/atendimentos?estado=devido", &hap)).await;
    assert!(r.json["itens"].as_array().unwrap().is_empty());
    let r = chamar(
        &app,
        get(
            "/api/v1/atendimentos?estado=pago&competencia=13/2025&prazo_ate=31-12-2026",
            &hap,
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let d = r.json["detail"].as_str().unwrap();
    assert!(
        d.contains("estado \"pago\"") && d.contains("competência") && d.contains("prazo_ate"),
        "{d}"
    );
    // An operator cannot ask for another's: there is no such parameter, and it says so.
    let r = chamar(&app, get("/api/v1/atendimentos?operadora=326305", &hap)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.headers[header::CONTENT_TYPE], "application/problem+json");
    assert!(
        r.json["detail"].as_str().unwrap().contains("operadora"),
        "{}",
        r.json
    );
    let r = chamar(&app, get("/api/v1/notificacoes/abc", &hap)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    // CSV: a header and one line per attendance, pt-BR decimals.
    let resp = app
        .clone()
        .oneshot(get("/api/v1/atendimentos?formato=csv", &hap))
        .await
        .unwrap();
    assert_eq!(
        resp.headers()[header::CONTENT_TYPE],
        "text/csv; charset=utf-8"
    );
    let texto = String::from_utf8(
        resp.into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec(),
    )
    .unwrap();
    let linhas: Vec<&str> = texto.lines().collect();
    assert!(linhas[0]
        .starts_with("numero;tipo;competencia;operadora;abi;processo;estado;valor_ressarcimento"));
    assert!(
        linhas.len() > meus.len(),
        "every Hapvida attendance, published or not"
    );
    let l = linhas.iter().find(|l| l.starts_with(&meus[0])).unwrap();
    let valor = l.split(';').nth(7).unwrap();
    assert!(
        valor.contains(',') && !valor.contains('.') && !valor.contains("R$"),
        "{valor}"
    );
});

db_test!(ans_decide_pela_api_e_a_operadora_ve_a_decisao, |db| {
    let dir = tempfile::tempdir().unwrap();
    let app = preparado(&db, dir.path()).await;
    let hap = token(&app, HAPVIDA, None).await;
    let ans = chamar(&app, pedido_token("demo-ans", "demo-ans-secret", None))
        .await
        .json["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    // Hapvida reads the Ofício (ciência) and impugns two attendances.
    let feed = chamar(&app, get("/api/v1/notificacoes", &hap)).await;
    let id = feed.json["itens"][0]["id"].as_i64().unwrap();
    let nup = feed.json["itens"][0]["processo"]
        .as_str()
        .unwrap()
        .to_owned();
    chamar(&app, get(&format!("/api/v1/notificacoes/{id}"), &hap)).await;
    let up = Request::post("/api/v1/documentos?nome=prova.pdf")
        .header(header::AUTHORIZATION, format!("Bearer {hap}"))
        .body(Body::from(PDF))
        .unwrap();
    let doc = chamar(&app, up).await.json["id"].clone();
    let meus = numeros(&db, HAPVIDA).await;
    let corpo = serde_json::json!({
        "processo": nup, "atendimentos": [meus[0], meus[1]], "motivo": "ADM01",
        "fundamentacao": "Beneficiário excluído do plano antes do atendimento.", "documentos": [doc],
    });
    assert_eq!(
        chamar(&app, post_json("/api/v1/impugnacoes", &hap, None, &corpo))
            .await
            .status,
        StatusCode::CREATED
    );

    // The queue is ANS's: for an operator it does not exist.
    assert_eq!(
        chamar(&app, get("/api/v1/filas/primeira", &hap))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let fila = chamar(&app, get("/api/v1/filas/primeira", &ans)).await;
    assert_eq!(fila.status, StatusCode::OK, "{}", fila.json);
    let na_fila: Vec<&str> = fila.json["itens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["numero"].as_str().unwrap())
        .collect();
    assert!(na_fila.contains(&meus[0].as_str()) && na_fila.contains(&meus[1].as_str()));
    assert_eq!(
        chamar(&app, get("/api/v1/filas/terceira", &ans))
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    // Role checks: a token with the analyst's scope works the 1st instance only; the director's
    // and DICOL's queues and decisions need theirs.
    let analista = chamar(
        &app,
        pedido_token("demo-ans", "demo-ans-secret", Some("consulta ans.decisao")),
    )
    .await
    .json["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        chamar(&app, get("/api/v1/filas/primeira", &analista))
            .await
            .status,
        StatusCode::OK
    );
    for fila in ["admissibilidade", "dicol"] {
        let r = chamar(&app, get(&format!("/api/v1/filas/{fila}"), &analista)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{fila}");
    }
    let dicol = serde_json::json!({
        "instancia": "dicol", "resultado": "provido", "atendimentos": [meus[0]],
        "fundamentacao": "Tentativa do analista de decidir pela DICOL.",
    });
    let r = chamar(&app, post_json("/api/v1/decisoes", &analista, None, &dicol)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.json);
    assert!(r.json["detail"].as_str().unwrap().contains("ans.dicol"));

    // An operator cannot decide; a partial decision needs the new value; over two it is refused.
    let parcial = serde_json::json!({
        "instancia": "primeira", "resultado": "parcialmente_deferida", "atendimentos": [meus[0]],
        "fundamentacao": "Procedimento secundário sem cobertura comprovada.",
    });
    assert_eq!(
        chamar(&app, post_json("/api/v1/decisoes", &hap, None, &parcial))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let r = chamar(&app, post_json("/api/v1/decisoes", &ans, None, &parcial)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The field is named by the API's property; the text is for people (no internal names).
    assert_eq!(
        r.json["erros"][0]["campo"], "novo_valor_centavos",
        "{}",
        r.json
    );
    let detalhe = r.json["detail"].as_str().unwrap();
    assert!(
        detalhe.contains("informe o novo valor") && !detalhe.contains('_'),
        "{detalhe}"
    );
    let antes = chamar(
        &app,
        get(&format!("/api/v1/atendimentos/{}", meus[0]), &ans),
    )
    .await
    .json["atendimento"]["valor_devido_centavos"]
        .as_i64()
        .unwrap();
    let mut com_valor = parcial.clone();
    com_valor["novo_valor_centavos"] = serde_json::json!(antes / 2);
    let r = chamar(
        &app,
        post_json("/api/v1/decisoes", &ans, Some("d-1"), &com_valor),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    assert_eq!(r.json["resultado"][0]["estado"], "retificado");
    let indeferida = serde_json::json!({
        "instancia": "primeira", "resultado": "indeferida", "atendimentos": [meus[1]],
        "fundamentacao": "Os documentos não comprovam a exclusão.",
    });
    assert_eq!(
        chamar(&app, post_json("/api/v1/decisoes", &ans, None, &indeferida))
            .await
            .status,
        StatusCode::CREATED
    );

    // The operator sees the decisions: new value, the decision, its notice in the feed.
    let a = chamar(
        &app,
        get(&format!("/api/v1/atendimentos/{}", meus[0]), &hap),
    )
    .await;
    assert_eq!(a.json["atendimento"]["estado"], "retificado");
    assert_eq!(a.json["atendimento"]["valor_devido_centavos"], antes / 2);
    assert_eq!(a.json["decisoes"][0]["resultado"], "parcialmente_deferida");
    let feed = chamar(&app, get(&format!("/api/v1/notificacoes?apos={id}"), &hap)).await;
    let tipos: Vec<&str> = feed.json["itens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["tipo"].as_str().unwrap())
        .collect();
    assert_eq!(
        tipos,
        ["decisao_primeira_instancia", "decisao_primeira_instancia"]
    );
    // Deciding again what was decided is refused by the state machine, naming the attendance.
    let r = chamar(&app, post_json("/api/v1/decisoes", &ans, None, &indeferida)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.json["detail"].as_str().unwrap().contains(&meus[1]),
        "{}",
        r.json
    );
});

// The authorization matrix: every endpoint × who calls it. Own operator: allowed; another
// operator: its data does not exist (404) or an ANS-only route does not exist (404); ANS: reads
// everything, cannot file for an operator (403); no token, an unknown, expired or revoked token:
// 401 everywhere; a token without the scope: 403.
db_test!(matriz_de_autorizacao_endpoint_por_chamador, |db| {
    let dir = tempfile::tempdir().unwrap();
    let app = preparado(&db, dir.path()).await;
    let hap = token(&app, HAPVIDA, None).await;
    let amil = token(&app, AMIL, None).await;
    let ans = chamar(&app, pedido_token("demo-ans", "demo-ans-secret", None))
        .await
        .json["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let so_consulta = token(&app, HAPVIDA, Some("consulta")).await;
    let so_peticionar = token(&app, HAPVIDA, Some("peticionar")).await;
    let revogado = token(&app, HAPVIDA, None).await;
    let basic = base64::engine::general_purpose::STANDARD.encode("demo-368253:demo-368253-secret");
    chamar(
        &app,
        Request::post("/oauth/revoke")
            .header(header::AUTHORIZATION, format!("Basic {basic}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!("token={revogado}")))
            .unwrap(),
    )
    .await;
    // A token that expired a minute ago.
    let expirado = "psus_at_expirado_para_o_teste";
    let app_id = contas::aplicacao_por_client_id(&db, "demo-368253")
        .await
        .unwrap()
        .unwrap()
        .id;
    let agora = chrono::Utc::now();
    contas::emitir_token(
        &db,
        &persus_server::auth::sha256_hex(expirado),
        app_id,
        "consulta peticionar",
        agora - chrono::Duration::hours(2),
        agora - chrono::Duration::minutes(1),
    )
    .await
    .unwrap();

    let numero = numeros(&db, HAPVIDA).await.remove(0);
    let notificacao = chamar(&app, get("/api/v1/notificacoes", &hap)).await.json["itens"][0]["id"]
        .as_i64()
        .unwrap();
    let leituras = [
        format!("/api/v1/atendimentos/{numero}"),
        format!("/api/v1/notificacoes/{notificacao}"),
        "/api/v1/notificacoes".to_owned(),
        "/api/v1/processos".to_owned(),
        "/api/v1/atendimentos".to_owned(),
        "/api/v1/filas/primeira".to_owned(),
    ];
    use StatusCode as S;
    // (caller, token, expected status per read route, in the order above)
    let casos: [(&str, &str, [S; 6]); 8] = [
        (
            "own operator",
            &hap,
            [S::OK, S::OK, S::OK, S::OK, S::OK, S::NOT_FOUND],
        ),
        (
            "other operator",
            &amil,
            [
                S::NOT_FOUND,
                S::NOT_FOUND,
                S::OK,
                S::OK,
                S::OK,
                S::NOT_FOUND,
            ],
        ),
        ("ANS", &ans, [S::OK, S::OK, S::OK, S::OK, S::OK, S::OK]),
        (
            "without scope consulta",
            &so_peticionar,
            [
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::NOT_FOUND,
            ],
        ),
        (
            "consulta only",
            &so_consulta,
            [S::OK, S::OK, S::OK, S::OK, S::OK, S::NOT_FOUND],
        ),
        ("revoked", &revogado, [S::UNAUTHORIZED; 6]),
        ("expired", expirado, [S::UNAUTHORIZED; 6]),
        ("unknown", "psus_at_nao_existe", [S::UNAUTHORIZED; 6]),
    ];
    for (quem, tok, esperado) in &casos {
        for (rota, status) in leituras.iter().zip(esperado) {
            let r = chamar(&app, get(rota, tok)).await;
            assert_eq!(r.status, *status, "{quem} GET {rota}: {}", r.json);
        }
    }
    // What another operator lists is only its own.
    for rota in [
        "/api/v1/notificacoes",
        "/api/v1/processos",
        "/api/v1/atendimentos",
    ] {
        let r = chamar(&app, get(rota, &amil)).await;
        assert!(
            r.json["itens"]
                .as_array()
                .unwrap()
                .iter()
                .all(|i| i["operadora"] == AMIL),
            "{rota}"
        );
    }
    // No token at all.
    for rota in &leituras {
        let r = chamar(
            &app,
            Request::get(rota.as_str()).body(Body::empty()).unwrap(),
        )
        .await;
        assert_eq!(r.status, S::UNAUTHORIZED, "anonymous GET {rota}");
    }

    // Writes.
    let corpo = serde_json::json!({
        "processo": "33910000001202600", "atendimentos": [numero], "motivo": "ADM01",
        "fundamentacao": "Beneficiário excluído do plano antes do atendimento.", "documentos": [],
    });
    let decisao = serde_json::json!({
        "instancia": "primeira", "resultado": "deferida", "atendimentos": [numero],
        "fundamentacao": "Prova suficiente da exclusão.",
    });
    let escritas: [(&str, &str, &Value, S); 10] = [
        ("ANS files an impugnação", &ans, &corpo, S::FORBIDDEN),
        ("consulta-only files", &so_consulta, &corpo, S::FORBIDDEN),
        ("revoked files", &revogado, &corpo, S::UNAUTHORIZED),
        ("expired files", expirado, &corpo, S::UNAUTHORIZED),
        // Another operator naming Hapvida's attendance: the rules find nothing of its own.
        (
            "other operator files",
            &amil,
            &corpo,
            S::UNPROCESSABLE_ENTITY,
        ),
        ("operator decides", &hap, &decisao, S::NOT_FOUND),
        ("other operator decides", &amil, &decisao, S::NOT_FOUND),
        ("revoked decides", &revogado, &decisao, S::UNAUTHORIZED),
        (
            "consulta-only decides",
            &so_consulta,
            &decisao,
            S::NOT_FOUND,
        ),
        // ANS deciding an attendance that was never impugned: the state machine refuses.
        (
            "ANS decides a notified attendance",
            &ans,
            &decisao,
            S::UNPROCESSABLE_ENTITY,
        ),
    ];
    for (quem, tok, corpo, status) in escritas {
        let rota = if corpo.get("instancia").is_some() {
            "/api/v1/decisoes"
        } else {
            "/api/v1/impugnacoes"
        };
        let r = chamar(&app, post_json(rota, tok, None, corpo)).await;
        assert_eq!(r.status, status, "{quem}: {}", r.json);
    }
    // Nothing of the above changed the attendance: only Hapvida's own reading of the Ofício did
    // (ciência), not ANS's reading of it.
    let r = chamar(&app, get(&format!("/api/v1/atendimentos/{numero}"), &hap)).await;
    assert_eq!(r.json["atendimento"]["estado"], "notificado");
    assert_eq!(r.json["notificacoes"][0]["ciencia_forma"], "expressa");
    assert!(r.json["peticoes"].as_array().unwrap().is_empty());
});

db_test!(homologacao_e_producao_nao_se_misturam, |db| {
    let dir = tempfile::tempdir().unwrap();
    let homolog = preparado(&db, dir.path()).await;
    // Every answer says which environment it came from.
    let r = chamar(
        &homolog,
        pedido_token("demo-368253", "demo-368253-secret", None),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers["x-persus-ambiente"], "homologacao");
    // The same database served as production: the demo applications (homologação) get no token.
    let mut estado = AppState::com_documentos(db.clone(), dir.path().to_path_buf());
    estado.ambiente = persus_server::config::Ambiente::Producao;
    let producao = router(estado);
    let r = chamar(
        &producao,
        pedido_token("demo-368253", "demo-368253-secret", None),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json["error"], "invalid_client");
    assert!(r.json["error_description"]
        .as_str()
        .unwrap()
        .contains("homologacao"));
    assert_eq!(r.headers["x-persus-ambiente"], "producao");
});

db_test!(
    lote_assincrono_por_csv_protocola_as_validas_e_lista_as_recusadas,
    |db| {
        let dir = tempfile::tempdir().unwrap();
        let app = preparado(&db, dir.path()).await;
        let hap = token(&app, HAPVIDA, None).await;
        let feed = chamar(&app, get("/api/v1/notificacoes", &hap)).await;
        let id = feed.json["itens"][0]["id"].as_i64().unwrap();
        let nup = feed.json["itens"][0]["processo"]
            .as_str()
            .unwrap()
            .to_owned();
        chamar(&app, get(&format!("/api/v1/notificacoes/{id}"), &hap)).await;
        let up = Request::post("/api/v1/documentos?nome=prova.pdf")
            .header(header::AUTHORIZATION, format!("Bearer {hap}"))
            .body(Body::from(PDF))
            .unwrap();
        let doc = chamar(&app, up).await.json["id"].as_i64().unwrap();
        let meus = numeros(&db, HAPVIDA).await;
        let csv_post = |corpo: String| {
            Request::post("/api/v1/lotes")
                .header(header::AUTHORIZATION, format!("Bearer {hap}"))
                .header(header::CONTENT_TYPE, "text/csv; charset=utf-8")
                .body(Body::from(corpo))
                .unwrap()
        };

        // A malformed manifest is refused at once, naming the line; nothing is queued.
        let r = chamar(
            &app,
            csv_post(format!(
                "{}\nimpugnacao;{nup};{};ADM01\n",
                persus_server::servicos::peticoes::CABECALHO_LOTE,
                meus[0]
            )),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.json["detail"].as_str().unwrap().contains("linha 2"),
            "{}",
            r.json
        );
        assert!(common::processar_lote(&db).await.is_none());

        let manifesto = format!(
        "{}\nimpugnacao;{nup};{};ADM01;Beneficiário excluído antes do atendimento.;;{doc}\nimpugnacao;{nup};{};XYZ99;Motivo inexistente no catálogo.;;{doc}\nimpugnacao;{nup};{};ADM03;Atendimento em período de carência.;;{doc}\n",
        persus_server::servicos::peticoes::CABECALHO_LOTE, meus[0], meus[1], meus[2]
    );
        let r = chamar(&app, csv_post(manifesto)).await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.json);
        assert_eq!(r.json["total"], 3);
        let lote = r.json["id"].as_i64().unwrap();
        let r = chamar(&app, get(&format!("/api/v1/lotes/{lote}"), &hap)).await;
        assert_eq!(r.json["estado"], "recebido");
        // Another operator: the job does not exist.
        let amil = token(&app, AMIL, None).await;
        assert_eq!(
            chamar(&app, get(&format!("/api/v1/lotes/{lote}"), &amil))
                .await
                .status,
            StatusCode::NOT_FOUND
        );

        // The worker files it: two petitions protocolled, row 2 refused with its reason.
        assert_eq!(common::processar_lote(&db).await, Some(lote));
        let r = chamar(&app, get(&format!("/api/v1/lotes/{lote}"), &hap)).await;
        assert_eq!(r.json["estado"], "concluido", "{}", r.json);
        assert_eq!(r.json["protocoladas"], 2);
        assert_eq!(r.json["recusadas"], 1);
        assert_eq!(r.json["resultado"]["erros"][0]["linha"], 2);
        assert!(r.json["resultado"]["erros"][0]["erros"][0]
            .as_str()
            .unwrap()
            .contains("XYZ99"));
        assert_eq!(r.json["resultado"]["recibos"].as_array().unwrap().len(), 2);
        for n in [&meus[0], &meus[2]] {
            let a = chamar(&app, get(&format!("/api/v1/atendimentos/{n}"), &hap)).await;
            assert_eq!(a.json["atendimento"]["estado"], "impugnado");
        }
        // Nothing left to do.
        assert!(common::processar_lote(&db).await.is_none());
    }
);

fn zip_de(arquivos: &[(&str, &[u8])]) -> Vec<u8> {
    use std::io::Write;
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (nome, dados) in arquivos {
        z.start_file(*nome, zip::write::SimpleFileOptions::default())
            .unwrap();
        z.write_all(dados).unwrap();
    }
    z.finish().unwrap().into_inner()
}

#[test]
fn limites_do_zip_sao_conferidos_nos_tamanhos_declarados_antes_de_descompactar_pdfs() {
    use persus_server::servicos::lotes::{ler_zip, LimitesZip};
    use persus_server::servicos::peticoes::CABECALHO_LOTE;
    let dir = tempfile::tempdir().unwrap();
    let manifesto = format!(
        "{CABECALHO_LOTE}\nimpugnacao;33910.000001/2026-00;1;ADM01;Fundamentação.;;a.pdf|b.pdf|c.pdf\n"
    );
    let pdf = [b'x'; 500];
    let zip = zip_de(&[
        ("manifesto.csv", manifesto.as_bytes()),
        ("a.pdf", &pdf),
        ("b.pdf", &pdf),
        ("c.pdf", &pdf),
    ]);
    let limites = LimitesZip {
        pdfs: 10,
        manifesto: 10_000,
        por_pdf: 600,
        total: 1_200,
    };
    let ler = |l: &LimitesZip| {
        ler_zip(std::io::Cursor::new(&zip), dir.path(), l)
            .err()
            .unwrap()
            .join(" | ")
    };
    // Past the total: refused on the sizes declared, without a PDF check (they are not PDFs).
    let e = ler(&limites);
    assert!(
        e.starts_with("o conteúdo descompactado passaria de 0 MB"),
        "{e}"
    );
    assert!(!e.contains("não é um PDF"), "{e}");
    // Past the per-file limit: each one named.
    let e = ler(&LimitesZip {
        por_pdf: 400,
        total: 1_000_000,
        ..limites
    });
    assert!(
        e.contains("a.pdf: passa de 0 MB") && e.contains("c.pdf: passa"),
        "{e}"
    );
    // Within both, the PDFs are decompressed and checked.
    let e = ler(&LimitesZip {
        total: 1_000_000,
        ..limites
    });
    assert!(e.contains("a.pdf: o arquivo \"a.pdf\" não é um PDF"), "{e}");
    // A file the manifest does not cite: refused, nothing decompressed.
    let zip = zip_de(&[("manifesto.csv", manifesto.as_bytes()), ("d.pdf", &pdf)]);
    let e = ler_zip(std::io::Cursor::new(&zip), dir.path(), &LimitesZip::PADRAO)
        .err()
        .unwrap()
        .join(" | ");
    assert!(e.contains("d.pdf não é citado"), "{e}");
    assert!(!e.contains("não é um PDF"), "{e}");
}

/// `POST /api/v1/lotes` with a ZIP body.
fn post_zip(token: &str, corpo: Vec<u8>) -> Request<Body> {
    Request::post("/api/v1/lotes")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/zip")
        .body(Body::from(corpo))
        .unwrap()
}

db_test!(lote_zip_com_manifesto_e_pdfs_grava_tudo_ou_nada, |db| {
    let dir = tempfile::tempdir().unwrap();
    let app = preparado(&db, dir.path()).await;
    let hap = token(&app, HAPVIDA, None).await;
    let feed = chamar(&app, get("/api/v1/notificacoes", &hap)).await;
    let id = feed.json["itens"][0]["id"].as_i64().unwrap();
    let nup = feed.json["itens"][0]["processo"]
        .as_str()
        .unwrap()
        .to_owned();
    chamar(&app, get(&format!("/api/v1/notificacoes/{id}"), &hap)).await;
    let meus = numeros(&db, HAPVIDA).await;
    let cab = persus_server::servicos::peticoes::CABECALHO_LOTE;
    let zip_post = |corpo: Vec<u8>| post_zip(&hap, corpo);
    let docs_antes = persus_store::peticoes::documentos_da_operadora(&db, HAPVIDA)
        .await
        .unwrap()
        .len();

    // Every problem at once — a file that is not a PDF, a cited file missing — and nothing
    // recorded: no document, no job.
    let manifesto = format!(
            "{cab}\nimpugnacao;{nup};{};ADM01;Beneficiário excluído antes do atendimento.;;falta.pdf\nimpugnacao;{nup};{};ADM03;Carência.;;ruim.pdf\n",
            meus[0], meus[1]
        );
    let r = chamar(
        &app,
        zip_post(zip_de(&[
            ("manifesto.csv", manifesto.as_bytes()),
            ("ruim.pdf", b"PK nada de PDF"),
        ])),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.json);
    let detalhe = r.json["detail"].as_str().unwrap();
    assert!(
        detalhe.contains("ruim.pdf: ") && detalhe.contains("\"falta.pdf\" não está no ZIP"),
        "{detalhe}"
    );
    // Not a ZIP at all; a ZIP without the manifest.
    let r = chamar(&app, zip_post(b"isto nao e zip".to_vec())).await;
    assert!(r.json["detail"].as_str().unwrap().contains("não é um ZIP"));
    let r = chamar(&app, zip_post(zip_de(&[("a.pdf", PDF)]))).await;
    assert!(r.json["detail"].as_str().unwrap().contains("manifesto.csv"));
    assert_eq!(
        persus_store::peticoes::documentos_da_operadora(&db, HAPVIDA)
            .await
            .unwrap()
            .len(),
        docs_antes
    );
    assert!(common::processar_lote(&db).await.is_none());

    // A good one: two petitions citing the ZIP's PDFs by name (one shared).
    let outro_pdf =
        persus_server::demo::cenario::pdf_de_prova("Contrato", &["Clausula 1".to_owned()]);
    let manifesto = format!(
            "{cab}\nimpugnacao;{nup};{};ADM01;Beneficiário excluído antes do atendimento.;;exclusao.pdf\nimpugnacao;{nup};{};ADM03;Atendimento em período de carência.;;exclusao.pdf|contrato.pdf\n",
            meus[0], meus[1]
        );
    let r = chamar(
        &app,
        zip_post(zip_de(&[
            ("manifesto.csv", manifesto.as_bytes()),
            ("exclusao.pdf", PDF),
            ("contrato.pdf", &outro_pdf),
        ])),
    )
    .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.json);
    assert_eq!(r.json["total"], 2);
    let lote = r.json["id"].as_i64().unwrap();
    let docs = persus_store::peticoes::documentos_da_operadora(&db, HAPVIDA)
        .await
        .unwrap();
    assert_eq!(docs.len(), docs_antes + 2);
    assert_eq!(common::processar_lote(&db).await, Some(lote));
    let r = chamar(&app, get(&format!("/api/v1/lotes/{lote}"), &hap)).await;
    assert_eq!(r.json["protocoladas"], 2, "{}", r.json);
    let recibos = r.json["resultado"]["recibos"].as_array().unwrap();
    let nomes: Vec<&str> = recibos[1]["documentos"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["nome_arquivo"].as_str().unwrap())
        .collect();
    assert_eq!(nomes, ["exclusao.pdf", "contrato.pdf"]);
    // The stored PDF downloads back byte for byte.
    let contrato = docs
        .iter()
        .find(|d| d.nome_arquivo == "contrato.pdf")
        .unwrap();
    let r = chamar(
        &app,
        get(&format!("/api/v1/documentos/{}", contrato.id), &hap),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.bytes, outro_pdf);
});

db_test!(ans_publica_abi_pela_api_em_segundo_plano, |db| {
    let dir = tempfile::tempdir().unwrap();
    let app = preparado(&db, dir.path()).await;
    let hoje = RelogioSistema.hoje();
    let mut tx = db.begin().await.unwrap();
    for (n, tipo, tri, quando) in [
        (102, "APAC", "1T2025", hoje),
        (103, "AIH", "2T2025", hoje + chrono::Duration::days(30)),
    ] {
        abis::agendar(
            &mut tx,
            &abis::Abi {
                numero: n,
                tipo: tipo.into(),
                trimestre: tri.into(),
                data_lancamento: quando,
                estado: persus_store::abis::EstadoAbi::Agendado,
                publicado_em: None,
            },
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let hap = token(&app, HAPVIDA, None).await;
    let ans = chamar(&app, pedido_token("demo-ans", "demo-ans-secret", None))
        .await
        .json["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let vazio = serde_json::json!({});
    assert_eq!(
        chamar(
            &app,
            post_json("/api/v1/abis/102/publicacao", &hap, None, &vazio)
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    let r = chamar(
        &app,
        post_json("/api/v1/abis/103/publicacao", &ans, None, &vazio),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json["detail"].as_str().unwrap().contains("agendado para"));
    let r = chamar(
        &app,
        post_json("/api/v1/abis/102/publicacao", &ans, None, &vazio),
    )
    .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.json);
    // Progress is visible in the list until it is published.
    let mut estado = String::new();
    for _ in 0..100 {
        let l = chamar(&app, get("/api/v1/abis", &hap)).await;
        let a = l.json["itens"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["numero"] == 102)
            .unwrap()
            .clone();
        estado = a["estado"].as_str().unwrap().to_owned();
        if estado == "publicado" {
            assert!(a["processos"].as_u64().unwrap() > 0);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(estado, "publicado");
    let r = chamar(
        &app,
        post_json("/api/v1/abis/102/publicacao", &ans, None, &vazio),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json["detail"]
        .as_str()
        .unwrap()
        .contains("já foi publicado"));
});

/// The `filename*` of a `Content-Disposition` header, percent-decoded (RFC 5987).
fn nome_estendido(cd: &str) -> String {
    let codificado = cd.split("filename*=UTF-8''").nth(1).unwrap();
    let b = codificado.as_bytes();
    let mut bytes = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            bytes.push(u8::from_str_radix(&codificado[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            bytes.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(bytes).unwrap()
}

db_test!(
    nomes_de_documento_sao_saneados_na_entrada_e_o_download_tem_content_disposition_valido,
    |db| {
        let dir = tempfile::tempdir().unwrap();
        let app = preparado(&db, dir.path()).await;
        let hap = token(&app, HAPVIDA, None).await;
        let enviar = |nome: &str| {
            let q = serde_urlencoded::to_string([("nome", nome)]).unwrap();
            Request::post(format!("/api/v1/documentos?{q}"))
                .header(header::AUTHORIZATION, format!("Bearer {hap}"))
                .header(header::CONTENT_TYPE, "application/pdf")
                .body(Body::from(PDF))
                .unwrap()
        };
        for (enviado, guardado) in [
            (
                "relatorio\r\nSet-Cookie: x=1.pdf",
                "relatorio Set-Cookie: x=1.pdf",
            ),
            ("../../etc/passwd", "passwd"),
            ("..\\..\\windows\\prova.pdf", "prova.pdf"),
            ("\u{202e}fdp.exe\u{1}\u{7f}", "fdp.exe"),
            ("../..", "documento.pdf"),
            (
                "Relatório de exclusão — ação.pdf",
                "Relatório de exclusão — ação.pdf",
            ),
        ] {
            let r = chamar(&app, enviar(enviado)).await;
            assert_eq!(r.status, StatusCode::CREATED, "{enviado:?}: {}", r.json);
            assert_eq!(r.json["nome_arquivo"], guardado, "{enviado:?}");
            let id = r.json["id"].as_i64().unwrap();
            let d = chamar(&app, get(&format!("/api/v1/documentos/{id}"), &hap)).await;
            assert_eq!(d.status, StatusCode::OK, "{enviado:?}");
            assert_eq!(d.bytes, PDF);
            let cd = d.headers[header::CONTENT_DISPOSITION].to_str().unwrap();
            assert!(cd.starts_with("attachment; filename=\""), "{cd}");
            assert!(cd.is_ascii(), "{cd}");
            // The UTF-8 name round-trips through filename*; homologação marks where it came from.
            assert_eq!(
                nome_estendido(cd),
                format!("HOMOLOGACAO-{guardado}"),
                "{cd}"
            );
        }
        // An over-long name keeps its extension and a readable start.
        let longo = format!("{}.pdf", "a".repeat(500));
        let r = chamar(&app, enviar(&longo)).await;
        let nome = r.json["nome_arquivo"].as_str().unwrap();
        assert!(
            nome.chars().count() <= 120 && nome.ends_with("aaa.pdf"),
            "{nome}"
        );

        // A name stored before names were sanitized still downloads, with a valid header.
        let sha = persus_server::servicos::documentos::sha256_hex(PDF);
        let chave = {
            use persus_server::servicos::documentos::{Armazenamento, ArmazenamentoLocal};
            ArmazenamentoLocal {
                raiz: dir.path().to_path_buf(),
            }
            .gravar(&sha, PDF)
            .unwrap()
        };
        let mut tx = db.begin().await.unwrap();
        let antigo = persus_store::peticoes::inserir_documento(
            &mut tx,
            &persus_store::peticoes::Documento {
                id: 0,
                operadora: HAPVIDA.to_owned(),
                sha256: sha,
                nome_arquivo: "antigo\u{1}\"\r\n;.pdf".to_owned(),
                tamanho: PDF.len() as i64,
                chave,
                enviado_em: chrono::Utc::now(),
                enviado_por: "teste".to_owned(),
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let d = chamar(&app, get(&format!("/api/v1/documentos/{antigo}"), &hap)).await;
        assert_eq!(d.status, StatusCode::OK);
        let cd = d.headers[header::CONTENT_DISPOSITION].to_str().unwrap();
        assert!(
            cd.starts_with("attachment; filename=\"HOMOLOGACAO-antigo"),
            "{cd}"
        );
        assert_eq!(cd.matches('"').count(), 2, "{cd}");
    }
);

db_test!(
    lote_zip_alem_dos_limites_e_recusado_em_problem_json_sem_gravar_nada,
    |db| {
        let dir = tempfile::tempdir().unwrap();
        common::publicado_hoje(&db, 21).await;
        let estado = AppState::com_documentos(db.clone(), dir.path().to_path_buf());
        let app = router(estado.clone());
        let hap = token(&app, HAPVIDA, None).await;
        let zip_post = |corpo: Vec<u8>| post_zip(&hap, corpo);
        let docs = || async {
            persus_store::peticoes::documentos_da_operadora(&db, HAPVIDA)
                .await
                .unwrap()
                .len()
        };
        let docs_antes = docs().await;
        // 60 valid PDFs of 9.9 MB, each within the per-file limit, cited by the manifest: 594 MB
        // expanded, past the 512 MB a batch may expand to (about 0.6 MB compressed).
        let pdf = common::pdf_acolchoado(9_900_000);
        let nomes: Vec<String> = (1..=60).map(|i| format!("p{i}.pdf")).collect();
        let manifesto = format!(
            "{}\nimpugnacao;33910.000001/2026-00;1234567890123;ADM01;Fundamentação qualquer.;;{}\n",
            persus_server::servicos::peticoes::CABECALHO_LOTE,
            nomes.join("|")
        );
        let mut arquivos: Vec<(&str, &[u8])> = vec![("manifesto.csv", manifesto.as_bytes())];
        arquivos.extend(nomes.iter().map(|n| (n.as_str(), pdf.as_slice())));
        let bomba = zip_de(&arquivos);
        drop(pdf);
        assert!(bomba.len() < 2 * 1024 * 1024);

        // Every slot taken: 503 with Retry-After, in problem+json, before the body is read.
        let vagas = estado
            .zips_em_curso
            .clone()
            .acquire_many_owned(persus_server::api::lotes::ZIPS_SIMULTANEOS as u32)
            .await
            .unwrap();
        let r = chamar(&app, zip_post(bomba.clone())).await;
        assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.json);
        assert_eq!(r.headers[header::RETRY_AFTER], "30");
        assert_eq!(r.headers[header::CONTENT_TYPE], "application/problem+json");
        assert!(
            r.json["detail"]
                .as_str()
                .unwrap()
                .contains("envie de novo em 30 segundos"),
            "{}",
            r.json
        );
        drop(vagas);

        // A slot free: refused for what it expands to, nothing recorded, nothing left on disk.
        let r = chamar(&app, zip_post(bomba)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.json);
        assert_eq!(r.headers[header::CONTENT_TYPE], "application/problem+json");
        let detalhe = r.json["detail"].as_str().unwrap();
        assert!(
            detalhe.contains("o conteúdo descompactado passaria de 512 MB"),
            "{detalhe}"
        );
        assert_eq!(docs().await, docs_antes);
        assert!(common::processar_lote(&db).await.is_none());
        assert_eq!(
            std::fs::read_dir(dir.path().join("tmp")).unwrap().count(),
            0
        );
        assert_eq!(estado.zips_em_curso.available_permits(), 2);
    }
);
