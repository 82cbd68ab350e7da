//! Webhooks end to end, on SQLite and PostgreSQL: a subscription through the API, events from
//! the transactional outbox (a published Ofício, a test event), Standard Webhooks signatures
//! checked independently, another operator's events never delivered, retries with backoff and
//! the delivery log.

#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{header, HeaderMap, Request, StatusCode};
use axum::Router;
use base64::Engine;
use hmac::{Hmac, Mac};
use http_body_util::BodyExt;
use persus_server::app::{router, AppState};
use persus_server::cli::load_reference_data;
use persus_server::demo::{self, credenciais, Params};
use persus_server::servicos::publicacao::{publicar, Falha, UNIDADE_PADRAO};
use persus_server::servicos::relogio::{Relogio, RelogioFixo, RelogioSistema};
use persus_server::servicos::webhooks::despachar;
use persus_store::auditoria::Ator;
use persus_store::{abis, db_test, Db};
use serde_json::Value;
use tower::ServiceExt;

type Recebidos = Arc<Mutex<Vec<(HeaderMap, String)>>>;

/// A receiver on loopback: `/ok` answers 204, `/falha` 500; every request is kept.
async fn receptor() -> (String, Recebidos) {
    let recebidos: Recebidos = Arc::default();
    let r = recebidos.clone();
    let app = Router::new()
        .route(
            "/ok",
            axum::routing::post(move |h: HeaderMap, corpo: String| {
                let r = r.clone();
                async move {
                    r.lock().unwrap().push((h, corpo));
                    StatusCode::NO_CONTENT
                }
            }),
        )
        .route(
            "/falha",
            axum::routing::post(|| async { StatusCode::INTERNAL_SERVER_ERROR }),
        );
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(l, app).await.unwrap() });
    (format!("http://{addr}"), recebidos)
}

async fn chamar(app: &Router, req: Request<Body>) -> (StatusCode, Value) {
    let r = app.clone().oneshot(req).await.unwrap();
    let s = r.status();
    let b = r.into_body().collect().await.unwrap().to_bytes();
    (s, serde_json::from_slice(&b).unwrap_or(Value::Null))
}

async fn token(app: &Router, registro: &str) -> String {
    let basic = base64::engine::general_purpose::STANDARD
        .encode(format!("demo-{registro}:demo-{registro}-secret"));
    let (_, j) = chamar(
        app,
        Request::post("/oauth/token")
            .header(header::AUTHORIZATION, format!("Basic {basic}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from("grant_type=client_credentials"))
            .unwrap(),
    )
    .await;
    j["access_token"].as_str().unwrap().to_owned()
}

fn post(uri: &str, token: &str, corpo: Value) -> Request<Body> {
    Request::post(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(corpo.to_string()))
        .unwrap()
}

fn get(uri: &str, token: &str) -> Request<Body> {
    Request::get(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap()
}

/// Standard Webhooks verification, written from the spec, not with the sender's code.
fn assinatura_valida(segredo: &str, h: &HeaderMap, corpo: &str) -> bool {
    let id = h["webhook-id"].to_str().unwrap();
    let ts = h["webhook-timestamp"].to_str().unwrap();
    let chave = base64::engine::general_purpose::STANDARD
        .decode(segredo.strip_prefix("whsec_").unwrap())
        .unwrap();
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&chave).unwrap();
    mac.update(format!("{id}.{ts}.{corpo}").as_bytes());
    let esperado = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    h["webhook-signature"]
        .to_str()
        .unwrap()
        .split(' ')
        .any(|s| s == format!("v1,{esperado}"))
}

async fn preparado(db: &Db) -> Router {
    load_reference_data(db).await.unwrap();
    demo::seed(
        db,
        Params {
            seed: 31,
            atendimentos: 3_000,
        },
    )
    .await
    .unwrap();
    let mut tx = db.begin().await.unwrap();
    abis::agendar(
        &mut tx,
        &abis::Abi {
            numero: 101,
            tipo: "AIH".into(),
            trimestre: "1T2025".into(),
            data_lancamento: RelogioSistema.hoje(),
            estado: "agendado".into(),
            publicado_em: None,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    credenciais::criar(db).await.unwrap();
    router(AppState::new(db.clone()))
}

db_test!(
    eventos_assinados_chegam_so_a_propria_operadora_com_reenvio,
    |db| {
        let app = preparado(&db).await;
        let (base, recebidos) = receptor().await;
        let hap = token(&app, "368253").await;
        let amil = token(&app, "326305").await;

        // Bad subscriptions are refused with every reason.
        let (s, j) = chamar(
            &app,
            post(
                "/api/v1/webhooks",
                &hap,
                serde_json::json!({ "url": "ftp://x", "eventos": ["evento.inexistente"] }),
            ),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        let d = j["detail"].as_str().unwrap();
        assert!(d.contains("url") && d.contains("evento.inexistente"), "{d}");

        let (s, w) = chamar(
        &app,
        post("/api/v1/webhooks", &hap, serde_json::json!({ "url": format!("{base}/ok"), "eventos": ["notificacao.disponibilizada", "teste"] })),
    )
    .await;
        assert_eq!(s, StatusCode::CREATED, "{w}");
        let segredo = w["segredo"].as_str().unwrap().to_owned();
        assert!(segredo.starts_with("whsec_"));
        let id = w["id"].as_i64().unwrap();
        // Amil also subscribes, to its own events.
        let (_, wa) = chamar(&app, post("/api/v1/webhooks", &amil, serde_json::json!({ "url": format!("{base}/ok"), "eventos": ["notificacao.disponibilizada"] }))).await;
        // The secret is shown once; listing does not show it. Another app cannot see the hook.
        let (_, lista) = chamar(&app, get("/api/v1/webhooks", &hap)).await;
        assert!(lista[0].get("segredo").is_none());
        assert_eq!(
            chamar(&app, get(&format!("/api/v1/webhooks/{id}/entregas"), &amil))
                .await
                .0,
            StatusCode::NOT_FOUND
        );

        let (s, _) = chamar(
            &app,
            post(&format!("/api/v1/webhooks/{id}/teste"), &hap, Value::Null),
        )
        .await;
        assert_eq!(s, StatusCode::ACCEPTED);
        // Publishing writes the events in each process's transaction.
        let hoje = RelogioSistema.hoje();
        publicar(
            &db,
            101,
            UNIDADE_PADRAO,
            &RelogioFixo::em(hoje),
            &Ator::sistema("t"),
            Falha::default(),
        )
        .await
        .unwrap();
        let r = despachar(&db, chrono::Utc::now()).await.unwrap();
        assert!(r.eventos_distribuidos > 2, "{r:?}");
        assert_eq!(r.falhas + r.reagendadas, 0, "{r:?}");

        let msgs = recebidos.lock().unwrap().clone();
        // Exactly two messages for Hapvida's hook (the test and its own Ofício), each correctly
        // signed with its secret; Amil got its own Ofício only.
        let hap_msgs: Vec<&(HeaderMap, String)> = msgs
            .iter()
            .filter(|(h, c)| assinatura_valida(&segredo, h, c))
            .collect();
        assert_eq!(hap_msgs.len(), 2, "{msgs:?}");
        assert!(hap_msgs
            .iter()
            .any(|(_, c)| c.contains("\"tipo\":\"teste\"")));
        let oficio: Value = serde_json::from_str(
            &hap_msgs
                .iter()
                .find(|(_, c)| c.contains("oficio_abi"))
                .unwrap()
                .1,
        )
        .unwrap();
        assert_eq!(oficio["abi"], 101);
        assert_eq!(msgs.len(), 3, "Hapvida's two and Amil's one: {msgs:?}");
        assert!(wa["segredo"].as_str().is_some());
        // A second round delivers nothing again.
        let r = despachar(&db, chrono::Utc::now()).await.unwrap();
        assert_eq!(r.entregues, 0);

        // A receiver that fails: retried on the backoff schedule, then failed; all in the log.
        let (_, wf) = chamar(
            &app,
            post(
                "/api/v1/webhooks",
                &hap,
                serde_json::json!({ "url": format!("{base}/falha"), "eventos": ["teste"] }),
            ),
        )
        .await;
        let fid = wf["id"].as_i64().unwrap();
        chamar(
            &app,
            post(&format!("/api/v1/webhooks/{fid}/teste"), &hap, Value::Null),
        )
        .await;
        let mut agora = chrono::Utc::now();
        let r = despachar(&db, agora).await.unwrap();
        assert_eq!(r.reagendadas, 1);
        // Not due yet 1 s later; due after the 5-s backoff.
        assert_eq!(
            despachar(&db, agora + chrono::Duration::seconds(1))
                .await
                .unwrap()
                .reagendadas,
            0
        );
        for _ in 0..6 {
            agora += chrono::Duration::hours(11);
            despachar(&db, agora).await.unwrap();
        }
        let (_, log) = chamar(&app, get(&format!("/api/v1/webhooks/{fid}/entregas"), &hap)).await;
        assert_eq!(log[0]["estado"], "falhou", "{log}");
        assert_eq!(log[0]["tentativas"], 7);
        assert_eq!(log[0]["ultimo_status"], 500);
        assert_eq!(log[0]["ultimo_erro"], "resposta HTTP 500");
        let (_, ok_log) = chamar(&app, get(&format!("/api/v1/webhooks/{id}/entregas"), &hap)).await;
        assert!(ok_log
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["estado"] == "entregue" && e["tentativas"] == 1));
    }
);
