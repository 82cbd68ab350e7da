//! Webhooks end to end, on SQLite and PostgreSQL: a subscription through the API, events from
//! the transactional outbox (a published Ofício, a test event), Standard Webhooks signatures
//! checked independently, another operator's events never delivered, retries with backoff and
//! the delivery log; a cancelled subscription receives nothing more; internal destinations are
//! refused at registration. The receiver is on loopback, so the delivery tests run homologação
//! with `--webhook-permitir-loopback` said explicitly.

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
use persus_server::config::Ambiente;
use persus_server::demo::{self, credenciais, Params};
use persus_server::servicos::destinos::Politica;
use persus_server::servicos::publicacao::{publicar, Falha, UNIDADE_PADRAO};
use persus_server::servicos::relogio::{Relogio, RelogioFixo, RelogioSistema};
use persus_server::servicos::webhooks;
use persus_store::auditoria::Ator;
use persus_store::db::PoolRef;
use persus_store::{abis, db_test, Db};
use serde_json::Value;
use tower::ServiceExt;

type Recebidos = Arc<Mutex<Vec<(HeaderMap, String)>>>;

/// Homologação with loopback destinations allowed (the receiver is local).
const LOOPBACK: Politica = Politica {
    ambiente: Ambiente::Homologacao,
    permitir_loopback: true,
};

async fn despachar(
    db: &Db,
    agora: chrono::DateTime<chrono::Utc>,
) -> Result<webhooks::ResumoDespacho, persus_server::servicos::ServicoError> {
    webhooks::despachar(db, agora, LOOPBACK).await
}

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
            estado: persus_store::abis::EstadoAbi::Agendado,
            publicado_em: None,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    credenciais::criar(db).await.unwrap();
    let mut estado = AppState::new(db.clone());
    estado.webhook_permitir_loopback = true;
    router(estado)
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
        // A list is `{"itens": [...]}` like every other; `eventos` a list, as it was sent.
        let (_, lista) = chamar(&app, get("/api/v1/webhooks", &hap)).await;
        assert_eq!(lista["itens"].as_array().unwrap().len(), 1, "{lista}");
        assert!(lista["itens"][0].get("segredo").is_none());
        assert_eq!(
            lista["itens"][0]["eventos"],
            serde_json::json!(["notificacao.disponibilizada", "teste"]),
            "{lista}"
        );
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
        // Every message names its event type first, then when it happened, then its data
        // (docs/API-DESIGN.md, Webhooks; the OpenAPI `webhooks` section).
        for (_, c) in &msgs {
            assert!(c.starts_with("{\"tipo\":\""), "{c}");
            let m: Value = serde_json::from_str(c).unwrap();
            let chaves: Vec<&String> = m.as_object().unwrap().keys().collect();
            assert_eq!(chaves.len(), 3, "{c}");
            assert!(chrono::DateTime::parse_from_rfc3339(m["em"].as_str().unwrap()).is_ok());
            assert!(m["dados"].is_object(), "{c}");
        }
        let corpos: Vec<Value> = hap_msgs
            .iter()
            .map(|(_, c)| serde_json::from_str(c).unwrap())
            .collect();
        let teste = corpos.iter().find(|m| m["tipo"] == "teste").unwrap();
        assert_eq!(teste["dados"], serde_json::json!({ "webhook": id }));
        let oficio = corpos
            .iter()
            .find(|m| m["tipo"] == "notificacao.disponibilizada")
            .unwrap();
        assert_eq!(oficio["dados"]["abi"], 101);
        assert_eq!(oficio["dados"]["tipo"], "oficio_abi");
        // `em` is when the event happened: the outbox row's instant, not the delivery's.
        let sql = "SELECT criado_em FROM eventos_saida
                   WHERE tipo = 'notificacao.disponibilizada' AND operadora = '368253'";
        let criado: chrono::DateTime<chrono::Utc> = match db.inner() {
            PoolRef::Sqlite(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
            PoolRef::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
        };
        let em = chrono::DateTime::parse_from_rfc3339(oficio["em"].as_str().unwrap()).unwrap();
        assert_eq!(em, criado);
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
        let log = &log["itens"];
        assert_eq!(log[0]["estado"], "falhou", "{log}");
        assert_eq!(log[0]["tentativas"], 7);
        assert_eq!(log[0]["ultimo_status"], 500);
        assert_eq!(log[0]["ultimo_erro"], "resposta HTTP 500");
        let (_, ok_log) = chamar(&app, get(&format!("/api/v1/webhooks/{id}/entregas"), &hap)).await;
        assert!(ok_log["itens"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["estado"] == "entregue" && e["tentativas"] == 1));
    }
);

fn delete(uri: &str, token: &str) -> Request<Body> {
    Request::delete(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap()
}

db_test!(
    assinatura_cancelada_nao_recebe_pendentes_e_seu_registro_continua_legivel,
    |db| {
        let app = preparado(&db).await;
        let (base, recebidos) = receptor().await;
        let hap = token(&app, "368253").await;
        let (s, w) = chamar(
            &app,
            post(
                "/api/v1/webhooks",
                &hap,
                serde_json::json!({ "url": format!("{base}/ok"), "eventos": ["teste"] }),
            ),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{w}");
        let id = w["id"].as_i64().unwrap();
        let (s, t) = chamar(
            &app,
            post(&format!("/api/v1/webhooks/{id}/teste"), &hap, Value::Null),
        )
        .await;
        assert_eq!(s, StatusCode::ACCEPTED);
        let mensagem = t["mensagem_id"].as_str().unwrap().to_owned();

        // Cancelled before the dispatcher runs: the receiver gets nothing, now or on retries.
        let (s, _) = chamar(&app, delete(&format!("/api/v1/webhooks/{id}"), &hap)).await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        let mut agora = chrono::Utc::now();
        for _ in 0..3 {
            let r = despachar(&db, agora).await.unwrap();
            assert_eq!(r.entregues + r.reagendadas + r.falhas, 0, "{r:?}");
            agora += chrono::Duration::hours(11);
        }
        assert!(recebidos.lock().unwrap().is_empty());

        // The owner still reads the log: the pending message is cancelled, with the reason.
        let (s, log) = chamar(&app, get(&format!("/api/v1/webhooks/{id}/entregas"), &hap)).await;
        assert_eq!(s, StatusCode::OK, "{log}");
        let log = &log["itens"];
        assert_eq!(log[0]["mensagem_id"], mensagem.as_str());
        assert_eq!(log[0]["estado"], "cancelada", "{log}");
        assert_eq!(log[0]["tentativas"], 0);
        let motivo = log[0]["ultimo_erro"].as_str().unwrap_or_default();
        assert!(motivo.contains("assinatura cancelada"), "{motivo}");
        // The subscription itself shows as cancelled; it is gone from the active list.
        let (s, assinatura) = chamar(&app, get(&format!("/api/v1/webhooks/{id}"), &hap)).await;
        assert_eq!(s, StatusCode::OK, "{assinatura}");
        assert_eq!(assinatura["ativo"], false);
        assert!(assinatura["cancelado_em"].is_string(), "{assinatura}");
        assert!(assinatura["eventos"].is_array(), "{assinatura}");
        let (_, lista) = chamar(&app, get("/api/v1/webhooks", &hap)).await;
        assert!(lista["itens"]
            .as_array()
            .unwrap()
            .iter()
            .all(|x| x["id"] != id));
        // Another application still cannot see it; a cancelled one takes no test event.
        let amil = token(&app, "326305").await;
        let (s, _) = chamar(&app, get(&format!("/api/v1/webhooks/{id}/entregas"), &amil)).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, _) = chamar(
            &app,
            post(&format!("/api/v1/webhooks/{id}/teste"), &hap, Value::Null),
        )
        .await;
        assert_eq!(s, StatusCode::NOT_FOUND);

        // A message that slipped in after the cancellation (a retry rescheduled by a dispatcher
        // that was mid-round) is still never sent: the dispatcher takes only active subscriptions.
        persus_store::webhooks::enfileirar(
            &db,
            id,
            "msg_atrasada",
            persus_domain::eventos::TipoEvento::Teste,
            "{}",
            agora,
        )
        .await
        .unwrap();
        let r = despachar(&db, agora).await.unwrap();
        assert_eq!(r.entregues + r.reagendadas + r.falhas, 0, "{r:?}");
        assert!(recebidos.lock().unwrap().is_empty());
    }
);

db_test!(destino_interno_e_recusado_no_registro_com_o_motivo, |db| {
    load_reference_data(&db).await.unwrap();
    credenciais::criar(&db).await.unwrap();
    let app_id = persus_store::contas::aplicacao_por_client_id(&db, "demo-368253")
        .await
        .unwrap()
        .unwrap()
        .id;
    // The API of a homologação server started without --webhook-permitir-loopback.
    let app = router(AppState::new(db.clone()));
    let hap = token(&app, "368253").await;
    let assinar = |url: &str| {
        post(
            "/api/v1/webhooks",
            &hap,
            serde_json::json!({ "url": url, "eventos": ["teste"] }),
        )
    };
    for (url, esperado) in [
        (
            "https://169.254.169.254/latest/meta-data/",
            "o destino é um endereço link-local (169.254.169.254); use um endereço público com HTTPS",
        ),
        ("https://10.0.0.5/ganchos", "endereço privado (10.0.0.5)"),
        ("https://100.64.1.2/ganchos", "endereço privado (100.64.1.2)"),
        ("https://[::ffff:a9fe:a9fe]/", "endereço link-local (::ffff:169.254.169.254)"),
        ("https://2130706433/", "endereço de loopback (127.0.0.1)"),
        ("https://[fd00::1]/", "endereço privado (fd00::1)"),
        ("https://224.0.0.1/", "endereço multicast (224.0.0.1)"),
        ("https://0.0.0.0/", "endereço não especificado (0.0.0.0)"),
        ("https://localhost:9/ok", "o destino resolve para um endereço de loopback"),
        ("http://127.0.0.1:9/ok", "use https://"),
    ] {
        let (s, j) = chamar(&app, assinar(url)).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{url}: {j}");
        let d = j["detail"].as_str().unwrap();
        assert!(d.contains(esperado), "{url}: {d}");
    }
    // A problem+json that says, in homologação, how loopback would be allowed.
    let r = app
        .clone()
        .oneshot(assinar("https://127.0.0.1:9/"))
        .await
        .unwrap();
    assert_eq!(
        r.headers()[header::CONTENT_TYPE],
        "application/problem+json"
    );
    let b = r.into_body().collect().await.unwrap().to_bytes();
    let j: Value = serde_json::from_slice(&b).unwrap();
    let d = j["detail"].as_str().unwrap();
    assert!(d.contains("--webhook-permitir-loopback"), "{d}");
    // Nothing was registered.
    assert!(persus_store::webhooks::da_aplicacao(&db, app_id)
        .await
        .unwrap()
        .is_empty());

    // Produção (the service the API and the web share): https to public addresses only,
    // whatever the loopback setting says.
    let producao = Politica::new(Ambiente::Producao, false);
    let eventos = ["teste".to_owned()];
    let agora = chrono::Utc::now();
    for (url, politica) in [
        ("http://erp.example/ganchos", producao),
        ("https://127.0.0.1:9/", producao),
        ("https://[::1]:9/", producao),
        ("https://192.168.0.10/", producao),
        (
            "http://127.0.0.1:9/",
            Politica::new(Ambiente::Producao, true),
        ),
    ] {
        let e = webhooks::assinar_eventos(&db, app_id, url, &eventos, agora, politica)
            .await
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("use https://") || e.contains("use um endereço público com HTTPS"),
            "{url}: {e}"
        );
        assert!(!e.contains("--webhook-permitir-loopback"), "{url}: {e}");
    }
    // A public name is accepted (one that does not resolve yet too: delivery checks again).
    let publico = "https://erp.example/ganchos";
    assert!(
        webhooks::assinar_eventos(&db, app_id, publico, &eventos, agora, producao)
            .await
            .is_ok()
    );
    // Homologação with the setting: loopback over http, for local receivers; nothing more.
    let local = "http://127.0.0.1:9/";
    assert!(
        webhooks::assinar_eventos(&db, app_id, local, &eventos, agora, LOOPBACK)
            .await
            .is_ok()
    );
    let privado = "http://10.0.0.5/";
    assert!(
        webhooks::assinar_eventos(&db, app_id, privado, &eventos, agora, LOOPBACK)
            .await
            .is_err()
    );
});
