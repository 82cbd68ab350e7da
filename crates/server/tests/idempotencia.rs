//! `Idempotency-Key` through the router, on SQLite and PostgreSQL: concurrent first requests
//! with one key make one change; a key is bound to one request (method, path, query, body); the
//! key's limits hold on every POST. The crash cases are in `idempotencia_queda.rs`.

#![allow(clippy::unwrap_used)]

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use base64::Engine;
use http_body_util::BodyExt;
use persus_server::app::{router, AppState};
use persus_store::db::PoolRef;
use persus_store::{db_test, Db};
use tower::ServiceExt;

const HAPVIDA: &str = "368253";

/// A one-page PDF, as the demo's evidence.
fn pdf() -> Vec<u8> {
    persus_server::demo::cenario::pdf_de_prova("Prova", &[])
}

async fn chamar(app: &Router, req: Request<Body>) -> (StatusCode, String, bool) {
    let r = app.clone().oneshot(req).await.unwrap();
    let status = r.status();
    let repetida = r.headers().contains_key("idempotent-replayed");
    let corpo = r.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        String::from_utf8_lossy(&corpo).into_owned(),
        repetida,
    )
}

async fn preparado(db: &Db, dir: &std::path::Path) -> (Router, String) {
    persus_server::cli::load_reference_data(db).await.unwrap();
    persus_server::demo::credenciais::criar(db).await.unwrap();
    let app = router(AppState::com_documentos(db.clone(), dir.to_path_buf()));
    let basic = base64::engine::general_purpose::STANDARD
        .encode(format!("demo-{HAPVIDA}:demo-{HAPVIDA}-secret"));
    let (status, corpo, _) = chamar(
        &app,
        Request::post("/oauth/token")
            .header(header::AUTHORIZATION, format!("Basic {basic}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from("grant_type=client_credentials"))
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{corpo}");
    let v: serde_json::Value = serde_json::from_str(&corpo).unwrap();
    (app, v["access_token"].as_str().unwrap().to_owned())
}

fn upload(token: &str, chave: &str, nome: &str) -> Request<Body> {
    Request::post(format!("/api/v1/documentos?nome={nome}"))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/pdf")
        .header("idempotency-key", chave)
        .body(Body::from(pdf()))
        .unwrap()
}

async fn documentos(db: &Db) -> i64 {
    let sql = "SELECT COUNT(*) FROM documentos";
    match db.inner() {
        PoolRef::Sqlite(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
        PoolRef::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
    }
}

db_test!(
    concurrent_first_requests_with_one_key_make_one_change,
    |db| {
        let dir = tempfile::tempdir().unwrap();
        let (app, tk) = preparado(&db, dir.path()).await;
        let tarefas: Vec<_> = (0..8)
            .map(|_| {
                let (app, tk) = (app.clone(), tk.clone());
                tokio::spawn(
                    async move { chamar(&app, upload(&tk, "k-corrida", "prova.pdf")).await },
                )
            })
            .collect();
        let mut respostas = Vec::new();
        for t in tarefas {
            respostas.push(t.await.unwrap());
        }
        for (status, corpo, _) in &respostas {
            assert_eq!(*status, StatusCode::CREATED, "{corpo}");
            assert_eq!(corpo, &respostas[0].1, "every caller gets the one answer");
        }
        assert_eq!(
            documentos(&db).await,
            1,
            "eight racing requests, one document"
        );
        assert!(
            respostas.iter().filter(|r| !r.2).count() >= 1,
            "one of them is the original"
        );
    }
);

db_test!(a_key_belongs_to_one_request_path_query_and_body, |db| {
    let dir = tempfile::tempdir().unwrap();
    let (app, tk) = preparado(&db, dir.path()).await;
    let (status, primeira, repetida) = chamar(&app, upload(&tk, "k-1", "a.pdf")).await;
    assert_eq!(status, StatusCode::CREATED, "{primeira}");
    assert!(!repetida);
    let (status, segunda, repetida) = chamar(&app, upload(&tk, "k-1", "a.pdf")).await;
    assert_eq!(
        (status, &segunda, repetida),
        (StatusCode::CREATED, &primeira, true)
    );
    // Same key and body, another query (file name): another request.
    let (status, corpo, _) = chamar(&app, upload(&tk, "k-1", "b.pdf")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{corpo}");
    assert!(corpo.contains("Idempotency-Key"), "{corpo}");
    // Same key, another endpoint.
    let outra = Request::post("/api/v1/parcelamentos/simulacao")
        .header(header::AUTHORIZATION, format!("Bearer {tk}"))
        .header(header::CONTENT_TYPE, "application/json")
        .header("idempotency-key", "k-1")
        .body(Body::from(pdf()))
        .unwrap();
    let (status, corpo, _) = chamar(&app, outra).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{corpo}");
    assert!(corpo.contains("outra requisição"), "{corpo}");
    assert_eq!(documentos(&db).await, 1);
});

db_test!(
    an_overlong_or_unprintable_key_is_refused_on_every_post,
    |db| {
        let dir = tempfile::tempdir().unwrap();
        let (app, tk) = preparado(&db, dir.path()).await;
        let longa = "k".repeat(256);
        for caminho in [
            "/api/v1/documentos?nome=a.pdf",
            "/api/v1/impugnacoes",
            "/api/v1/recursos",
            "/api/v1/lotes",
            "/api/v1/webhooks",
            "/api/v1/grus",
            "/api/v1/parcelamentos",
            "/api/v1/parcelamentos/simulacao",
            "/api/v1/parcelamentos/1/parcelas/1/gru",
            "/api/v1/homologacao/grus/1/pagamento",
        ] {
            for chave in [longa.as_bytes(), b"com espaco", "ç".as_bytes()] {
                let req = Request::post(caminho)
                    .header(header::AUTHORIZATION, format!("Bearer {tk}"))
                    .header(header::CONTENT_TYPE, "application/json")
                    .header(
                        "idempotency-key",
                        axum::http::HeaderValue::from_bytes(chave).unwrap(),
                    )
                    .body(Body::from("{}"))
                    .unwrap();
                let (status, corpo, _) = chamar(&app, req).await;
                assert_eq!(
                    status,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "{caminho}: {corpo}"
                );
                assert!(
                    corpo.contains("Idempotency-Key inválida"),
                    "{caminho}: {corpo}"
                );
            }
        }
        // The key at its limit is accepted.
        let (status, corpo, _) = chamar(&app, upload(&tk, &"k".repeat(255), "a.pdf")).await;
        assert_eq!(status, StatusCode::CREATED, "{corpo}");
    }
);

/// A clock the test moves by hand (`AppState.relogio`).
struct RelogioMovel(std::sync::Mutex<chrono::DateTime<chrono::Utc>>);

impl RelogioMovel {
    fn mover(&self, para: chrono::DateTime<chrono::Utc>) {
        *self.0.lock().unwrap() = para;
    }
}

impl persus_server::servicos::relogio::Relogio for RelogioMovel {
    fn agora(&self) -> chrono::DateTime<chrono::Utc> {
        *self.0.lock().unwrap()
    }
}

async fn registros(db: &Db) -> i64 {
    let sql = "SELECT COUNT(*) FROM idempotencia";
    match db.inner() {
        PoolRef::Sqlite(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
        PoolRef::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
    }
}

/// The scheduler run at `agora`, with the rule tables every release ships.
async fn agendador_em(db: &Db, agora: chrono::DateTime<chrono::Utc>) -> u64 {
    use persus_server::servicos::{agendador, regras::RegrasVigentes, relogio};
    let regras = RegrasVigentes::padrao();
    agendador::executar(
        db,
        relogio::data_em_brasilia(agora),
        &regras.calendario,
        &regras.prazos,
        &persus_store::auditoria::Ator::sistema("teste"),
        agora,
    )
    .await
    .unwrap()
    .idempotencias_expiradas
}

// docs/API-DESIGN.md, "Idempotency": an answer is replayed for 24 hours after the first
// request; from then on the key is new, and the scheduler deletes the expired records.
db_test!(
    an_answer_is_replayed_for_24_hours_then_the_key_is_new,
    |db| {
        use chrono::{TimeDelta, TimeZone, Utc};
        let dir = tempfile::tempdir().unwrap();
        let (_, tk) = preparado(&db, dir.path()).await;
        let t0 = Utc.with_ymd_and_hms(2026, 12, 1, 12, 0, 0).unwrap();
        let relogio = std::sync::Arc::new(RelogioMovel(std::sync::Mutex::new(t0)));
        let mut estado = AppState::com_documentos(db.clone(), dir.path().to_path_buf());
        estado.relogio = relogio.clone();
        let app = router(estado);

        let (status, primeira, repetida) = chamar(&app, upload(&tk, "k-janela", "a.pdf")).await;
        assert_eq!(
            (status, repetida),
            (StatusCode::CREATED, false),
            "{primeira}"
        );
        // 23:59:59 later, one second inside the window: the first answer, nothing new.
        relogio.mover(t0 + TimeDelta::hours(24) - TimeDelta::seconds(1));
        let (status, corpo, repetida) = chamar(&app, upload(&tk, "k-janela", "a.pdf")).await;
        assert_eq!(
            (status, &corpo, repetida),
            (StatusCode::CREATED, &primeira, true)
        );
        assert_eq!(documentos(&db).await, 1);
        // Exactly 24 h later the window is over (t0 + 24 h is excluded): the key is new, the
        // request runs again and its answer replaces the old one.
        relogio.mover(t0 + TimeDelta::hours(24));
        let (status, segunda, repetida) = chamar(&app, upload(&tk, "k-janela", "a.pdf")).await;
        assert_eq!(
            (status, repetida),
            (StatusCode::CREATED, false),
            "{segunda}"
        );
        assert_ne!(segunda, primeira, "another document, another id");
        assert_eq!(documentos(&db).await, 2);
        relogio.mover(t0 + TimeDelta::hours(25));
        let (_, corpo, repetida) = chamar(&app, upload(&tk, "k-janela", "a.pdf")).await;
        assert_eq!(
            (&corpo, repetida),
            (&segunda, true),
            "the new answer is the one kept"
        );

        // Another key at t0 + 30 h. At t0 + 48 h + 1 s the record of t0 + 24 h has expired
        // (written at or before agora − 24 h = t0 + 24 h + 1 s) and the one of t0 + 30 h has not.
        relogio.mover(t0 + TimeDelta::hours(30));
        let (status, _, _) = chamar(&app, upload(&tk, "k-outra", "b.pdf")).await;
        assert_eq!(status, StatusCode::CREATED);
        assert_eq!(registros(&db).await, 2);
        let purga = t0 + TimeDelta::hours(48) + TimeDelta::seconds(1);
        assert_eq!(agendador_em(&db, purga).await, 1);
        assert_eq!(registros(&db).await, 1);
        assert_eq!(agendador_em(&db, purga).await, 0, "nothing left to purge");
        // The surviving key still replays until its own window ends.
        relogio.mover(t0 + TimeDelta::hours(53));
        let (_, _, repetida) = chamar(&app, upload(&tk, "k-outra", "b.pdf")).await;
        assert!(repetida);
    }
);

db_test!(expired_records_are_purged_in_batches, |db| {
    use chrono::{TimeDelta, TimeZone, Utc};
    use persus_store::idempotencia::{gravar, purgar, Resposta};
    let dir = tempfile::tempdir().unwrap();
    let (_app, _token) = preparado(&db, dir.path()).await;
    let sql = "SELECT MIN(id) FROM aplicacoes";
    let app_id: i64 = match db.inner() {
        PoolRef::Sqlite(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
        PoolRef::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
    };
    let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let resposta = Resposta {
        impressao: "x".to_owned(),
        status: 201,
        corpo: "{}".to_owned(),
    };
    // Seven records at t0, t0+1h, …, t0+6h.
    for h in 0..7 {
        let chave = format!("k{h}");
        let em = t0 + TimeDelta::hours(h);
        assert!(gravar(&db, app_id, &chave, &resposta, em).await.unwrap());
    }
    // At t0 + 28 h, those written at or before t0 + 4 h have expired: k0..k4, five records,
    // taken two per statement (2 + 2 + 1).
    assert_eq!(purgar(&db, t0 + TimeDelta::hours(28), 2).await.unwrap(), 5);
    assert_eq!(registros(&db).await, 2);
    // A live record is never replaced by a second write of its key; an expired one is.
    assert!(
        !gravar(&db, app_id, "k6", &resposta, t0 + TimeDelta::hours(29))
            .await
            .unwrap()
    );
    assert!(
        gravar(&db, app_id, "k5", &resposta, t0 + TimeDelta::hours(29))
            .await
            .unwrap()
    );
});
