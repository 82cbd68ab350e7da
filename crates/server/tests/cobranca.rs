//! Charging end to end through the API, on both databases: a period ends without impugnação,
//! the scheduler constitutes the debt, the operator issues a GRU (validated independently by
//! the domain's round trip), downloads its PDF, ANS imports the bank's CNAB 240 return — once —
//! and the GRU and the debt are paid. Another operator sees none of it.

#![allow(clippy::unwrap_used)]

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use persus_domain::calendar::CalendarioAns;
use persus_domain::cobranca::boleto::Boleto;
use persus_domain::deadline::PrazosVigentes;
use persus_domain::money::Centavos;
use persus_server::app::{router, AppState};
use persus_server::cli::load_reference_data;
use persus_server::demo::{self, credenciais, Params};
use persus_server::servicos::agendador;
use persus_server::servicos::cobranca::cnab240_de;
use persus_server::servicos::publicacao::{publicar, Falha, UNIDADE_PADRAO};
use persus_server::servicos::relogio::{Relogio, RelogioFixo, RelogioSistema};
use persus_store::auditoria::Ator;
use persus_store::{abis, db_test, Db};
use serde_json::Value;
use tower::ServiceExt;

struct R {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    json: Value,
    bytes: Vec<u8>,
}

async fn chamar(app: &Router, req: Request<Body>) -> R {
    let r = app.clone().oneshot(req).await.unwrap();
    let status = r.status();
    let headers = r.headers().clone();
    let bytes = r.into_body().collect().await.unwrap().to_bytes().to_vec();
    R {
        status,
        headers,
        json: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        bytes,
    }
}

async fn token(app: &Router, id: &str) -> String {
    let r = chamar(
        app,
        Request::post("/oauth/token")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!(
                "grant_type=client_credentials&client_id={id}&client_secret={id}-secret"
            )))
            .unwrap(),
    )
    .await;
    r.json["access_token"].as_str().unwrap().to_owned()
}

fn get(uri: &str, t: &str) -> Request<Body> {
    Request::get(uri)
        .header(header::AUTHORIZATION, format!("Bearer {t}"))
        .body(Body::empty())
        .unwrap()
}

fn post(uri: &str, t: &str, tipo: &str, corpo: Vec<u8>) -> Request<Body> {
    Request::post(uri)
        .header(header::AUTHORIZATION, format!("Bearer {t}"))
        .header(header::CONTENT_TYPE, tipo)
        .body(Body::from(corpo))
        .unwrap()
}

async fn preparado(db: &Db, dir: &std::path::Path) -> Router {
    load_reference_data(db).await.unwrap();
    demo::seed(
        db,
        Params {
            seed: 21,
            atendimentos: 3_000,
        },
    )
    .await
    .unwrap();
    let hoje = RelogioSistema.hoje();
    let mut tx = db.begin().await.unwrap();
    abis::agendar(
        &mut tx,
        &abis::Abi {
            numero: 101,
            tipo: "AIH".into(),
            trimestre: "1T2025".into(),
            data_lancamento: hoje,
            estado: "agendado".into(),
            publicado_em: None,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    publicar(
        db,
        101,
        UNIDADE_PADRAO,
        &RelogioFixo::em(hoje),
        &Ator::sistema("t"),
        Falha::default(),
    )
    .await
    .unwrap();
    credenciais::criar(db).await.unwrap();
    router(AppState::com_documentos(db.clone(), dir.to_path_buf()))
}

db_test!(da_divida_a_gru_paga_pelo_retorno_do_banco, |db| {
    let dir = tempfile::tempdir().unwrap();
    let app = preparado(&db, dir.path()).await;
    let hap = token(&app, "demo-368253").await;
    let amil = token(&app, "demo-326305").await;
    let ans = token(&app, "demo-ans").await;

    // Hapvida reads its Ofício (ciência today) and lets the period pass.
    let feed = chamar(&app, get("/api/v1/notificacoes", &hap)).await;
    let id = feed.json["itens"][0]["id"].as_i64().unwrap();
    let n = chamar(&app, get(&format!("/api/v1/notificacoes/{id}"), &hap)).await;
    let venc: chrono::NaiveDate = serde_json::from_value(n.json["ciencia"]["vencimento"].clone())
        .unwrap_or_else(|_| panic!("{}", n.json));
    let dia = venc + chrono::Duration::days(1);
    let r = RelogioFixo::em(dia);
    let resumo = agendador::executar(
        &db,
        r.hoje(),
        &CalendarioAns::padrao(),
        &PrazosVigentes::padrao(),
        &Ator::sistema("tick"),
        r.agora(),
    )
    .await
    .unwrap();
    assert!(resumo.debitos_constituidos >= 1, "{resumo:?}");

    // The debt: due 15 days later (next business day), the process's due amount.
    let d = chamar(&app, get("/api/v1/debitos", &hap)).await;
    assert_eq!(d.status, StatusCode::OK, "{}", d.json);
    let itens = d.json["itens"].as_array().unwrap();
    assert_eq!(itens.len(), 1, "{}", d.json);
    let debito = itens[0]["id"].as_i64().unwrap();
    let principal = itens[0]["valor_centavos"].as_i64().unwrap();
    let esperado = CalendarioAns::padrao().dia_util_ou_proximo(dia + chrono::Duration::days(15));
    assert_eq!(itens[0]["vencimento"], esperado.to_string());
    // Another operator does not see it, nor can it charge it.
    let outra = chamar(&app, get("/api/v1/debitos", &amil)).await;
    assert!(outra.json["itens"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["id"] != debito));
    let corpo = serde_json::to_vec(&serde_json::json!({ "debitos": [debito] })).unwrap();
    let r = chamar(
        &app,
        post("/api/v1/grus", &amil, "application/json", corpo.clone()),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json["detail"]
        .as_str()
        .unwrap()
        .contains("não encontrado"));

    // The GRU: not yet due, so the principal alone; barcode and line derive each other.
    let g = chamar(
        &app,
        post("/api/v1/grus", &hap, "application/json", corpo.clone()),
    )
    .await;
    assert_eq!(g.status, StatusCode::CREATED, "{}", g.json);
    assert_eq!(g.json["valor_centavos"], principal);
    assert_eq!(g.json["vencimento"], esperado.to_string());
    let linha = g.json["linha_digitavel"].as_str().unwrap();
    let b = Boleto::de_linha(linha, RelogioSistema.hoje()).unwrap();
    assert_eq!(
        b.codigo_de_barras(),
        g.json["codigo_de_barras"].as_str().unwrap()
    );
    assert_eq!(b.valor, Centavos::new(principal));
    assert_eq!(b.vencimento, esperado);
    let numero = g.json["numero"].as_str().unwrap().to_owned();
    let nosso = g.json["nosso_numero"].as_str().unwrap().to_owned();
    // The same debt cannot go into a second GRU while the first can be paid.
    let r = chamar(
        &app,
        post("/api/v1/grus", &hap, "application/json", corpo.clone()),
    )
    .await;
    assert!(
        r.json["detail"].as_str().unwrap().contains(&numero),
        "{}",
        r.json
    );

    // The PDF: a valid PDF, stamped in homologação; not for another operator.
    let pdf = chamar(&app, get(&format!("/api/v1/grus/{numero}/pdf"), &hap)).await;
    assert_eq!(pdf.status, StatusCode::OK);
    persus_server::servicos::documentos::validar_pdf("gru.pdf", &pdf.bytes).unwrap();
    let texto = String::from_utf8_lossy(&pdf.bytes);
    assert!(texto.contains(&numero) && texto.contains("HOMOLOGA"));
    assert!(pdf.headers[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .contains("HOMOLOGACAO-GRU-"));
    assert_eq!(
        chamar(&app, get(&format!("/api/v1/grus/{numero}"), &amil))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // A malformed return file is refused with the line and changes nothing.
    let ret = cnab240_de(
        &[(nosso.clone(), Centavos::new(principal), esperado)],
        esperado,
    );
    let ruim = ret
        .replacen("\r\n", "X\r\n", 2)
        .replacen("X\r\n", "\r\n", 1);
    let r = chamar(
        &app,
        post("/api/v1/retornos", &ans, "text/plain", ruim.into_bytes()),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.json);
    assert!(
        r.json["detail"].as_str().unwrap().contains("linha 2"),
        "{}",
        r.json
    );
    // Operators cannot import returns.
    let r = chamar(
        &app,
        post(
            "/api/v1/retornos",
            &hap,
            "text/plain",
            ret.clone().into_bytes(),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // The bank's return: paid on the due date, exact amount → reconciled; GRU and debt paid.
    let r = chamar(
        &app,
        post(
            "/api/v1/retornos?nome=ret.ret",
            &ans,
            "text/plain",
            ret.clone().into_bytes(),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    assert_eq!(r.json["conciliados"], 1, "{}", r.json);
    assert_eq!(r.json["ja_importado"], false);
    let g = chamar(&app, get(&format!("/api/v1/grus/{numero}"), &hap)).await;
    assert_eq!(g.json["estado"], "paga");
    let d = chamar(&app, get("/api/v1/debitos", &hap)).await;
    assert_eq!(d.json["itens"][0]["estado"], "pago");
    assert_eq!(d.json["total_aberto_centavos"], 0);
    // The same file again changes nothing.
    let r = chamar(
        &app,
        post("/api/v1/retornos", &ans, "text/plain", ret.into_bytes()),
    )
    .await;
    assert_eq!(r.json["ja_importado"], true);
    assert_eq!(
        common::scalar_i64(
            &db,
            "SELECT COUNT(*) FROM pagamentos WHERE nosso_numero = $1",
            &nosso
        )
        .await,
        1
    );
    // A second payment of the same GRU (by hand) is flagged, never booked.
    let manual =
        serde_json::json!({ "gru": numero, "valor_centavos": principal, "pago_em": esperado });
    let r = chamar(
        &app,
        post(
            "/api/v1/pagamentos",
            &ans,
            "application/json",
            serde_json::to_vec(&manual).unwrap(),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    assert_eq!(r.json["situacao"], "gru_inativa");
    // The operator's systems were told.
    for tipo in ["gru.emitida", "pagamento.confirmado"] {
        assert_eq!(
            common::scalar_i64(
                &db,
                "SELECT COUNT(*) FROM eventos_saida WHERE tipo = $1",
                tipo
            )
            .await,
            1,
            "{tipo}"
        );
    }
    // Nothing left to parcel.
    let s = serde_json::json!({ "debitos": [debito], "parcelas": 2 });
    let r = chamar(
        &app,
        post(
            "/api/v1/parcelamentos/simulacao",
            &hap,
            "application/json",
            serde_json::to_vec(&s).unwrap(),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
});
