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
use persus_server::servicos::agendador;
use persus_server::servicos::cobranca::cnab240_de;
use persus_server::servicos::relogio::{Relogio, RelogioFixo, RelogioSistema};
use persus_store::auditoria::Ator;
use persus_store::{db_test, Db};
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

/// Every GRU the tests generate is checked by an independent bank-slip parser from crates.io
/// (`boleto-utils`): general and field check digits, amount and due date.
fn validar_com_terceiros(g: &Value) {
    let codigo = g["codigo_de_barras"].as_str().unwrap();
    let linha: String = g["linha_digitavel"]
        .as_str()
        .unwrap()
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    for entrada in [codigo.to_owned(), linha] {
        let boleto_utils::Boleto::Cobranca(c) = boleto_utils::Boleto::new(entrada.as_bytes())
            .unwrap_or_else(|e| panic!("{entrada}: {e}"))
        else {
            panic!("não é boleto de cobrança")
        };
        assert_eq!(
            c.data_vencimento.map(|d| d.to_string()).as_deref(),
            g["vencimento"].as_str()
        );
        assert_eq!(
            c.valor.map(|v| (v * 100.0).round() as i64),
            g["valor_centavos"].as_i64()
        );
    }
}

/// A token of `client_id` with exactly `escopo` (every scope of the application when empty).
async fn token_com_escopo(app: &Router, id: &str, escopo: &str) -> String {
    let r = chamar(
        app,
        Request::post("/oauth/token")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!(
                "grant_type=client_credentials&client_id={id}&client_secret={id}-secret&scope={escopo}"
            )))
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{id} {escopo}: {}", r.json);
    r.json["access_token"].as_str().unwrap().to_owned()
}

async fn token(app: &Router, id: &str) -> String {
    token_com_escopo(app, id, "").await
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
    common::publicado_hoje(db, 21).await;
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
    validar_com_terceiros(&g.json);
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

    // A malformed return file is refused with the line and changes nothing. The payment is made
    // today (the due date is still ahead: a return cannot carry a payment dated in the future).
    let hoje = RelogioSistema.hoje();
    let ret = cnab240_de(&[(nosso.clone(), Centavos::new(principal), hoje)], hoje);
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

    // The bank's return: paid before the due date, exact amount → reconciled; GRU and debt paid.
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
    let manual = serde_json::json!({ "gru": numero, "valor_centavos": principal, "pago_em": hoje });
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

async fn tick(db: &Db, dia: chrono::NaiveDate) -> agendador::ResumoTick {
    let r = RelogioFixo::em(dia);
    agendador::executar(
        db,
        r.hoje(),
        &CalendarioAns::padrao(),
        &PrazosVigentes::padrao(),
        &Ator::sistema("tick"),
        r.agora(),
    )
    .await
    .unwrap()
}

/// Hapvida lets its period pass; returns (app, hap token, debt id, principal, debt due date).
async fn divida_da_hapvida(
    db: &Db,
    dir: &std::path::Path,
) -> (Router, String, i64, i64, chrono::NaiveDate) {
    let app = preparado(db, dir).await;
    let hap = token(&app, "demo-368253").await;
    let feed = chamar(&app, get("/api/v1/notificacoes", &hap)).await;
    let id = feed.json["itens"][0]["id"].as_i64().unwrap();
    let n = chamar(&app, get(&format!("/api/v1/notificacoes/{id}"), &hap)).await;
    let venc: chrono::NaiveDate =
        serde_json::from_value(n.json["ciencia"]["vencimento"].clone()).unwrap();
    assert_eq!(
        tick(db, venc + chrono::Duration::days(1))
            .await
            .debitos_constituidos,
        1
    );
    let d = chamar(&app, get("/api/v1/debitos", &hap)).await;
    let item = &d.json["itens"][0];
    let due: chrono::NaiveDate = serde_json::from_value(item["vencimento"].clone()).unwrap();
    (
        app,
        hap,
        item["id"].as_i64().unwrap(),
        item["valor_centavos"].as_i64().unwrap(),
        due,
    )
}

db_test!(
    divida_vencida_vai_ao_cadin_e_a_divida_ativa_e_sai_ao_ser_paga_com_encargos,
    |db| {
        let dir = tempfile::tempdir().unwrap();
        let (app, hap, debito, principal, due) = divida_da_hapvida(&db, dir.path()).await;
        let ans = token(&app, "demo-ans").await;
        let dia = |n: i64| due + chrono::Duration::days(n);

        // On the due date nothing; the day after, the prior notice; 30 days later, CADIN; 90
        // days after that, dívida ativa — each once (versioned waits, PrazosCobranca).
        assert_eq!(tick(&db, due).await.cobranca.avisos_cadin, 0);
        assert_eq!(tick(&db, dia(1)).await.cobranca.avisos_cadin, 1);
        assert_eq!(tick(&db, dia(1)).await.cobranca.avisos_cadin, 0);
        assert_eq!(tick(&db, dia(30)).await.cobranca.inclusoes_cadin, 0);
        assert_eq!(tick(&db, dia(31)).await.cobranca.inclusoes_cadin, 1);
        assert_eq!(
            tick(&db, dia(121)).await.cobranca.encaminhados_divida_ativa,
            1
        );
        let d = chamar(&app, get("/api/v1/debitos", &hap)).await;
        assert_eq!(d.json["itens"][0]["cadin_aviso_em"], dia(1).to_string());
        assert_eq!(d.json["itens"][0]["cadin_incluido_em"], dia(31).to_string());
        assert_eq!(d.json["itens"][0]["divida_ativa_em"], dia(121).to_string());
        for tipo in ["cadin.aviso", "cadin.incluido", "divida_ativa.encaminhado"] {
            assert_eq!(
                common::scalar_i64(
                    &db,
                    "SELECT COUNT(*) FROM eventos_saida WHERE operadora = '368253' AND tipo = $1",
                    tipo
                )
                .await,
                1,
                "{tipo}"
            );
        }

        // Overdue charges need the SELIC of the months in between: without them the GRU is
        // refused naming them; ANS imports them (a bad file changes nothing).
        let hoje = dia(125);
        let selic = persus_server::servicos::cobranca::tabela_selic(&db)
            .await
            .unwrap();
        let emitir = |selic: persus_domain::cobranca::TabelaSelic| {
            let db = db.clone();
            async move {
                persus_server::servicos::cobranca::emitir_gru(
                    &db,
                    "368253",
                    &[debito],
                    &[],
                    &persus_server::servicos::cobranca::Contexto {
                        hoje,
                        agora: RelogioFixo::em(hoje).agora(),
                        calendario: &CalendarioAns::padrao(),
                        selic: &selic,
                        ator: &Ator::sistema("rep.368253"),
                    },
                )
                .await
            }
        };
        let e = emitir(selic).await.unwrap_err().to_string();
        assert!(e.contains("taxa SELIC não carregada"), "{e}");
        let ruim = "competencia;taxa_percentual;fonte\n2026-01;abc;x\n";
        let r = chamar(
            &app,
            post("/api/v1/selic", &ans, "text/csv", ruim.as_bytes().to_vec()),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.json["detail"].as_str().unwrap().contains("linha 2"));
        let mut csv = String::from("competencia;taxa_percentual;fonte\n");
        for a in [2026, 2027, 2028] {
            for m in 1..=12 {
                csv.push_str(&format!("{a}-{m:02};1.00;teste\n"));
            }
        }
        let r = chamar(
            &app,
            post("/api/v1/selic", &hap, "text/csv", csv.clone().into_bytes()),
        )
        .await;
        assert_eq!(
            r.status,
            StatusCode::NOT_FOUND,
            "operators cannot import rates"
        );
        let r = chamar(
            &app,
            post("/api/v1/selic", &ans, "text/csv", csv.into_bytes()),
        )
        .await;
        assert_eq!(r.json["meses"], 36, "{}", r.json);
        let selic = persus_server::servicos::cobranca::tabela_selic(&db)
            .await
            .unwrap();
        let g = emitir(selic).await.unwrap();
        validar_com_terceiros(&serde_json::json!({
            "codigo_de_barras": g.codigo_barras, "linha_digitavel": g.linha_digitavel,
            "vencimento": g.vencimento, "valor_centavos": g.valor_centavos,
        }));

        // The GRU falls on the last business day of the month; by hand: fine 0,33% × days,
        // capped at 20%; interest = 1,00% for each month strictly between the due month and
        // the payment month, + 1% in the payment month.
        let venc_gru = CalendarioAns::padrao()
            .ultimo_dia_util_do_mes(
                chrono::Datelike::year(&hoje),
                chrono::Datelike::month(&hoje),
            )
            .unwrap();
        assert_eq!(g.vencimento, venc_gru);
        let meses = (chrono::Datelike::year(&venc_gru) - chrono::Datelike::year(&due)) * 12
            + chrono::Datelike::month(&venc_gru) as i32
            - chrono::Datelike::month(&due) as i32
            - 1;
        let juros_pct = i64::from(meses) * 100 + 100;
        let multa = (principal * 2000 + 5_000) / 10_000;
        let juros = (principal * juros_pct + 5_000) / 10_000;
        assert_eq!(g.valor_centavos, principal + multa + juros, "{}", g.memoria);

        // Paid: the debt is settled and leaves CADIN on the payment date. This part of the story
        // is months ahead of the API's clock, and a return cannot carry a payment dated in the
        // future: ANS finance imports it through the service on the simulated day.
        let ret = cnab240_de(
            &[(
                g.nosso_numero.clone(),
                Centavos::new(g.valor_centavos),
                venc_gru,
            )],
            venc_gru,
        );
        let r = persus_server::servicos::cobranca::importar_retorno(
            &db,
            "retorno.ret",
            ret.as_bytes(),
            &Ator::sistema("ans.financeiro"),
            RelogioFixo::em(venc_gru).agora(),
        )
        .await
        .unwrap();
        assert_eq!(r.conciliados, 1, "{r:?}");
        let d = chamar(&app, get("/api/v1/debitos", &hap)).await;
        assert_eq!(d.json["itens"][0]["estado"], "pago");
        assert_eq!(
            d.json["itens"][0]["cadin_excluido_em"],
            venc_gru.to_string()
        );
        // The statement, as a spreadsheet; ANS's collection per month.
        let r = chamar(&app, get("/api/v1/extrato?formato=csv", &hap)).await;
        let texto = String::from_utf8(r.bytes).unwrap();
        assert!(texto.starts_with("tipo;identificador;processo;data;valor_reais;situacao;detalhe"));
        assert!(texto.contains(&format!("gru;{};", g.numero)) && texto.contains("pagamento;"));
        let r = chamar(&app, get("/api/v1/arrecadacao", &ans)).await;
        assert_eq!(r.json["total_centavos"], g.valor_centavos, "{}", r.json);
        assert_eq!(
            chamar(&app, get("/api/v1/arrecadacao", &hap)).await.status,
            StatusCode::NOT_FOUND
        );
    }
);

db_test!(
    parcelamento_com_confissao_gru_por_parcela_e_rescisao_por_inadimplencia,
    |db| {
        let dir = tempfile::tempdir().unwrap();
        let (app, hap, debito, principal, _) = divida_da_hapvida(&db, dir.path()).await;
        let ans = token(&app, "demo-ans").await;
        let amil = token(&app, "demo-326305").await;

        // Simulation changes nothing; the request needs the confession.
        let s = serde_json::json!({ "debitos": [debito], "parcelas": 4 });
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
        assert_eq!(r.status, StatusCode::OK, "{}", r.json);
        assert_eq!(r.json["consolidado_centavos"], principal);
        assert_eq!(r.json["parcelas"].as_array().unwrap().len(), 4);
        let sem = serde_json::json!({ "debitos": [debito], "parcelas": 4, "confissao": false });
        let r = chamar(
            &app,
            post(
                "/api/v1/parcelamentos",
                &hap,
                "application/json",
                serde_json::to_vec(&sem).unwrap(),
            ),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.json["detail"].as_str().unwrap().contains("confissão"));
        let demais = serde_json::json!({ "debitos": [debito], "parcelas": 60, "confissao": true });
        let r = chamar(
            &app,
            post(
                "/api/v1/parcelamentos",
                &hap,
                "application/json",
                serde_json::to_vec(&demais).unwrap(),
            ),
        )
        .await;
        assert!(
            r.json["detail"].as_str().unwrap().contains("no máximo"),
            "{}",
            r.json
        );

        let ok = serde_json::json!({ "debitos": [debito], "parcelas": 4, "confissao": true });
        let r = chamar(
            &app,
            post(
                "/api/v1/parcelamentos",
                &hap,
                "application/json",
                serde_json::to_vec(&ok).unwrap(),
            ),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
        let id = r.json["id"].as_i64().unwrap();
        assert!(r.json["confissao"]
            .as_str()
            .unwrap()
            .contains("irrevogável"));
        let bases: Vec<i64> = r.json["parcelas"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["base"].as_i64().unwrap())
            .collect();
        assert_eq!(bases.iter().sum::<i64>(), principal);
        let d = chamar(&app, get("/api/v1/debitos", &hap)).await;
        assert_eq!(d.json["itens"][0]["estado"], "parcelado");
        // Not another operator's.
        assert_eq!(
            chamar(&app, get(&format!("/api/v1/parcelamentos/{id}"), &amil))
                .await
                .status,
            StatusCode::NOT_FOUND
        );

        // The first instalment's GRU, paid in the grant month: the base alone.
        let g = chamar(
            &app,
            post(
                &format!("/api/v1/parcelamentos/{id}/parcelas/1/gru"),
                &hap,
                "application/json",
                vec![],
            ),
        )
        .await;
        assert_eq!(g.status, StatusCode::CREATED, "{}", g.json);
        validar_com_terceiros(&g.json);
        assert_eq!(g.json["valor_centavos"], bases[0]);
        // Paid (in homologação, the sandbox generates the bank's return) with R$ 50,00 too much:
        // reconciled, and the excess becomes a credit.
        let numero1 = g.json["numero"].as_str().unwrap().to_owned();
        let pago = serde_json::json!({ "valor_centavos": bases[0] + 5_000 });
        let r = chamar(
            &app,
            post(
                &format!("/api/v1/homologacao/grus/{numero1}/pagamento"),
                &hap,
                "application/json",
                serde_json::to_vec(&pago).unwrap(),
            ),
        )
        .await;
        assert_eq!(r.json["conciliados"], 1, "{}", r.json);
        assert!(r.json["itens"][0]["observacao"]
            .as_str()
            .unwrap()
            .contains("R$ 50,00"));
        let c = chamar(&app, get("/api/v1/creditos", &hap)).await;
        assert_eq!(c.json["itens"][0]["valor_centavos"], 5_000, "{}", c.json);
        let credito = c.json["itens"][0]["id"].as_i64().unwrap();
        // Another operator cannot pay (or see) it in the sandbox; ANS's bank return is the way in
        // production.
        assert_eq!(
            chamar(
                &app,
                post(
                    &format!("/api/v1/homologacao/grus/{numero1}/pagamento"),
                    &amil,
                    "application/json",
                    vec![]
                )
            )
            .await
            .status,
            StatusCode::NOT_FOUND
        );
        let _ = &ans;
        let p = chamar(&app, get(&format!("/api/v1/parcelamentos/{id}"), &hap)).await;
        assert_eq!(p.json["parcelas"][0]["estado"], "paga", "{}", p.json);
        assert_eq!(p.json["parcelamento"]["estado"], "ativo");

        // Three instalments unpaid past their dates: rescinded (Lei 10.522 art. 14-B); the balance
        // becomes a debt due at once.
        let ultima: chrono::NaiveDate =
            serde_json::from_value(p.json["parcelas"][3]["vencimento"].clone()).unwrap();
        let dia = ultima + chrono::Duration::days(1);
        assert_eq!(tick(&db, dia).await.cobranca.parcelamentos_rescindidos, 1);
        let p = chamar(&app, get(&format!("/api/v1/parcelamentos/{id}"), &hap)).await;
        assert_eq!(p.json["parcelamento"]["estado"], "rescindido");
        assert_eq!(
            p.json["parcelamento"]["saldo_rescisao_centavos"],
            principal - bases[0]
        );
        let d = chamar(&app, get("/api/v1/debitos", &hap)).await;
        let itens = d.json["itens"].as_array().unwrap();
        assert!(itens.iter().any(|i| i["estado"] == "rescindido"));
        assert!(itens.iter().any(|i| i["estado"] == "aberto"
            && i["valor_centavos"] == principal - bases[0]
            && i["vencimento"] == dia.to_string()));
        assert_eq!(
            common::scalar_i64(
                &db,
                "SELECT COUNT(*) FROM eventos_saida WHERE tipo = $1",
                "parcelamento.rescindido"
            )
            .await,
            1
        );

        // The balance's GRU offsets the credit; an unknown credit is refused.
        let saldo = itens.iter().find(|i| i["estado"] == "aberto").unwrap()["id"]
            .as_i64()
            .unwrap();
        let ruim = serde_json::json!({ "debitos": [saldo], "creditos": [999] });
        let r = chamar(
            &app,
            post(
                "/api/v1/grus",
                &hap,
                "application/json",
                serde_json::to_vec(&ruim).unwrap(),
            ),
        )
        .await;
        assert!(
            r.json["detail"].as_str().unwrap().contains("crédito 999"),
            "{}",
            r.json
        );
        let com = serde_json::json!({ "debitos": [saldo], "creditos": [credito] });
        let g = chamar(
            &app,
            post(
                "/api/v1/grus",
                &hap,
                "application/json",
                serde_json::to_vec(&com).unwrap(),
            ),
        )
        .await;
        assert_eq!(g.status, StatusCode::CREATED, "{}", g.json);
        validar_com_terceiros(&g.json);
        assert_eq!(g.json["valor_centavos"], principal - bases[0] - 5_000);
        let c = chamar(&app, get("/api/v1/creditos", &hap)).await;
        assert!(c.json["itens"][0]["gru_id"].is_i64(), "{}", c.json);
    }
);

// ---- Bank returns with impossible values (issue #11, fault 8): the whole file is refused with
// the line and the reason, and nothing is booked — not even its good lines.

/// Hapvida's debt in a GRU issued today; returns (app, ANS token, GRU nosso número, GRU amount).
async fn gru_de_hoje(db: &Db, dir: &std::path::Path) -> (Router, String, String, i64) {
    let (app, hap, debito, _, _) = divida_da_hapvida(db, dir).await;
    let corpo = serde_json::to_vec(&serde_json::json!({ "debitos": [debito] })).unwrap();
    let g = chamar(&app, post("/api/v1/grus", &hap, "application/json", corpo)).await;
    assert_eq!(g.status, StatusCode::CREATED, "{}", g.json);
    let ans = token(&app, "demo-ans").await;
    (
        app,
        ans,
        g.json["nosso_numero"].as_str().unwrap().to_owned(),
        g.json["valor_centavos"].as_i64().unwrap(),
    )
}

/// Imports a return whose first payment is exact and on time and whose second is `ruim`
/// (lines 5–6); asserts it is refused naming `linha` and `motivo`, and that nothing was booked.
async fn retorno_recusado(
    db: &Db,
    app: &Router,
    ans: &str,
    arquivo: String,
    linha: &str,
    motivo: &str,
) {
    let r = chamar(
        app,
        post("/api/v1/retornos", ans, "text/plain", arquivo.into_bytes()),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.json);
    let detail = r.json["detail"].as_str().unwrap();
    assert!(detail.contains("nada foi importado"), "{detail}");
    assert!(detail.contains(linha), "{detail}");
    assert!(detail.contains(motivo), "{detail}");
    for (sql, esperado) in [
        ("SELECT COUNT(*) FROM pagamentos WHERE $1 = $1", 0),
        ("SELECT COUNT(*) FROM creditos WHERE $1 = $1", 0),
        ("SELECT COUNT(*) FROM grus WHERE estado = $1", 0),
        ("SELECT COUNT(*) FROM retornos_bancarios WHERE $1 = $1", 0),
    ] {
        assert_eq!(common::scalar_i64(db, sql, "paga").await, esperado, "{sql}");
    }
}

fn retorno_com(nosso: &str, valor: i64, ruim: (i64, chrono::NaiveDate)) -> String {
    let hoje = RelogioSistema.hoje();
    cnab240_de(
        &[
            (nosso.to_owned(), Centavos::new(valor), hoje),
            (nosso.to_owned(), Centavos::new(ruim.0), ruim.1),
        ],
        hoje,
    )
}

/// `arquivo` with `campo` written at `faixa` of line 6 (the bad payment's U segment).
fn com_campo(arquivo: &str, faixa: std::ops::Range<usize>, campo: &str) -> String {
    let mut linhas: Vec<String> = arquivo.lines().map(str::to_owned).collect();
    linhas[5].replace_range(faixa, campo);
    linhas.join("\r\n") + "\r\n"
}

/// A GRU issued today, then each file `casos` builds from its nosso número and amount is
/// refused naming line 6 and its reason, and nothing is booked.
async fn recusados(db: &Db, casos: impl FnOnce(&str, i64) -> Vec<(String, &'static str)>) {
    let dir = tempfile::tempdir().unwrap();
    let (app, ans, nosso, valor) = gru_de_hoje(db, dir.path()).await;
    for (arquivo, motivo) in casos(&nosso, valor) {
        retorno_recusado(db, &app, &ans, arquivo, "linha 6", motivo).await;
    }
}

db_test!(retorno_com_valor_pago_negativo_e_recusado_inteiro, |db| {
    recusados(&db, |nosso, valor| {
        let arquivo = retorno_com(nosso, valor, (-10_000, RelogioSistema.hoje()));
        assert!(arquivo.contains("-00000000010000"));
        vec![(arquivo, "valor pago")]
    })
    .await;
});

db_test!(retorno_com_valor_pago_zero_e_recusado_inteiro, |db| {
    recusados(&db, |nosso, valor| {
        let arquivo = retorno_com(nosso, valor, (0, RelogioSistema.hoje()));
        vec![(arquivo, "maior que zero")]
    })
    .await;
});

db_test!(
    retorno_com_valor_acima_do_dobro_da_gru_e_recusado_inteiro,
    |db| {
        // 999999999999999 centavos (R$ 9,9 trillion) against a GRU of a few thousand reais.
        recusados(&db, |nosso, valor| {
            let hoje = RelogioSistema.hoje();
            let arquivo = retorno_com(nosso, valor, (999_999_999_999_999, hoje));
            vec![(arquivo, "dobro")]
        })
        .await;
    }
);

db_test!(
    retorno_com_pagamento_datado_no_futuro_e_recusado_inteiro,
    |db| {
        recusados(&db, |nosso, valor| {
            let arquivo = retorno_com(nosso, valor, (valor, common::d(2099, 12, 31)));
            vec![(arquivo, "31/12/2099")]
        })
        .await;
    }
);

db_test!(
    retorno_com_pagamento_anterior_a_emissao_da_gru_e_recusado_inteiro,
    |db| {
        recusados(&db, |nosso, valor| {
            let ontem = RelogioSistema.hoje() - chrono::Duration::days(1);
            let arquivo = retorno_com(nosso, valor, (valor, ontem));
            vec![(arquivo, "anterior à emissão")]
        })
        .await;
    }
);

db_test!(
    retorno_com_data_de_pagamento_impossivel_e_recusado_inteiro,
    |db| {
        // 31/02 does not exist; year 0000 parses as a date but no bank slip was paid then.
        recusados(&db, |nosso, valor| {
            let arquivo = retorno_com(nosso, valor, (valor, RelogioSistema.hoje()));
            vec![
                (com_campo(&arquivo, 137..145, "31022026"), "não existe"),
                (com_campo(&arquivo, 137..145, "01010000"), "01/01/0000"),
            ]
        })
        .await;
    }
);

db_test!(
    retorno_com_data_de_credito_no_futuro_e_recusado_inteiro,
    |db| {
        // Segment U, positions 146–153: the date the bank credited ANS.
        recusados(&db, |nosso, valor| {
            let arquivo = retorno_com(nosso, valor, (valor, RelogioSistema.hoje()));
            vec![(com_campo(&arquivo, 145..153, "31122099"), "crédito")]
        })
        .await;
    }
);

db_test!(pagamento_manual_datado_no_futuro_e_recusado, |db| {
    // ANS finance typing a payment goes through the same checks as the bank's file.
    let dir = tempfile::tempdir().unwrap();
    let (app, ans, nosso, valor) = gru_de_hoje(&db, dir.path()).await;
    let numero = common::texto(
        &db,
        "SELECT numero FROM grus WHERE nosso_numero = $1",
        &nosso,
    )
    .await;
    let manual =
        serde_json::json!({ "gru": numero, "valor_centavos": valor, "pago_em": "2099-12-31" });
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
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.json);
    assert!(
        r.json["detail"]
            .as_str()
            .unwrap()
            .contains("31/12/2099 no futuro"),
        "{}",
        r.json
    );
    assert_eq!(
        common::scalar_i64(
            &db,
            "SELECT COUNT(*) FROM pagamentos WHERE nosso_numero = $1",
            &nosso
        )
        .await,
        0
    );
});

db_test!(
    pagamento_simulado_em_homologacao_pela_operadora_dona_ou_pelo_financeiro_da_ans_com_o_escopo_documentado,
    |db| {
        let dir = tempfile::tempdir().unwrap();
        let (app, hap, debito, _, _) = divida_da_hapvida(&db, dir.path()).await;
        let corpo = serde_json::to_vec(&serde_json::json!({ "debitos": [debito] })).unwrap();
        let g = chamar(&app, post("/api/v1/grus", &hap, "application/json", corpo)).await;
        assert_eq!(g.status, StatusCode::CREATED, "{}", g.json);
        let uri = format!(
            "/api/v1/homologacao/grus/{}/pagamento",
            g.json["numero"].as_str().unwrap()
        );
        // The scopes the OpenAPI document gives the operation; each side uses the one it holds.
        let doc = serde_json::to_value(persus_server::api::esquemas::documento()).unwrap();
        let documentados: Vec<String> = doc["paths"]["/api/v1/homologacao/grus/{numero}/pagamento"]
            ["post"]["security"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|s| s["oauth2"].as_array())
            .flatten()
            .map(|e| e.as_str().unwrap().to_owned())
            .collect();
        let do_lado = |tem: &[&str]| {
            documentados
                .iter()
                .find(|e| tem.contains(&e.as_str()))
                .cloned()
                .unwrap_or_else(|| panic!("no documented scope among {tem:?}: {documentados:?}"))
        };
        let escopo_ans = do_lado(&persus_server::auth::escopos_do_papel_ans(
            persus_domain::acesso::Papel::Admin,
        ));
        let escopo_operadora = do_lado(&["consulta", "peticionar", "financeiro"]);

        // Without the documented scope, neither side.
        let ans_sem = token_com_escopo(&app, "demo-ans", "consulta").await;
        let r = chamar(&app, post(&uri, &ans_sem, "application/json", vec![])).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.json);
        let hap_sem = token_com_escopo(&app, "demo-368253", "consulta").await;
        let r = chamar(&app, post(&uri, &hap_sem, "application/json", vec![])).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.json);
        // Another operator, even with the scope: the GRU does not exist for it.
        let amil = token_com_escopo(&app, "demo-326305", &escopo_operadora).await;
        let r = chamar(&app, post(&uri, &amil, "application/json", vec![])).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.json);
        // ANS finance pays any operator's GRU …
        let ans = token_com_escopo(&app, "demo-ans", &escopo_ans).await;
        let r = chamar(&app, post(&uri, &ans, "application/json", vec![])).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.json);
        assert_eq!(r.json["conciliados"], 1, "{}", r.json);
        // … and the operator its own.
        let dona = token_com_escopo(&app, "demo-368253", &escopo_operadora).await;
        let r = chamar(&app, post(&uri, &dona, "application/json", vec![])).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    }
);
