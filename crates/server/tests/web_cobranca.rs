//! Charging and the account through the web, on both databases: the debt position is the one
//! the API answers; a GRU, an application, a webhook are created once — F5 on the page a POST
//! redirected to repeats nothing; a secret is shown once; the CSRF token is never in a URL.

#![allow(clippy::unwrap_used)]

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use common::web::{chamar, com_debito, entrar, form, get, preparado, redirecionado};
use persus_server::servicos::cobranca::{posicao, tabela_selic};
use persus_server::servicos::relogio::{Relogio, RelogioSistema};
use persus_store::{db_test, Db};

async fn api(app: &Router, uri: &str) -> serde_json::Value {
    let t = chamar(
        app,
        Request::post("/oauth/token")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(
                "grant_type=client_credentials&client_id=demo-368253&client_secret=demo-368253-secret",
            ))
            .unwrap(),
    )
    .await;
    let token: serde_json::Value = serde_json::from_str(&t.texto).unwrap();
    let r = chamar(
        app,
        Request::get(uri)
            .header(
                header::AUTHORIZATION,
                format!("Bearer {}", token["access_token"].as_str().unwrap()),
            )
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.texto);
    serde_json::from_str(&r.texto).unwrap()
}

/// Registers an application from the account page: the page after the redirect, and its
/// client id.
async fn registrar_erp(app: &Router, hap: &str, csrf: &str) -> (common::web::R, String) {
    let r = chamar(
        app,
        form(
            "/conta/aplicacoes",
            hap,
            format!("csrf={csrf}&nome=ERP&ambiente=homologacao&escopos=consulta"),
        ),
    )
    .await;
    assert_eq!(r.headers[header::LOCATION], "/conta");
    let pagina = redirecionado(app, &r, hap).await;
    let client_id = common::web::entre(&pagina.texto, "client_id ", ".");
    (pagina, client_id)
}

async fn grus(db: &Db) -> usize {
    persus_store::cobranca::grus_da_operadora(db, "368253")
        .await
        .unwrap()
        .len()
}

db_test!(posicao_de_debitos_e_a_mesma_na_api_e_na_web, |db| {
    let dir = tempfile::tempdir().unwrap();
    let (app, hap, _, _) = com_debito(&db, dir.path()).await;
    let selic = tabela_selic(&db).await.unwrap();
    // Far enough for late charges (multa and SELIC) on every open debt.
    let depois = RelogioSistema.hoje() + chrono::Duration::days(200);
    for em in [RelogioSistema.hoje(), depois] {
        let p = posicao::posicao(&db, "368253", em, &selic).await.unwrap();
        assert!(p.abertos().count() >= 1);
        let j = api(&app, &format!("/api/v1/debitos?em={em}")).await;
        assert_eq!(
            j["total_atualizado_centavos"].as_i64(),
            Some(p.total_atualizado.value())
        );
        assert_eq!(
            j["total_aberto_centavos"].as_i64(),
            Some(p.total_aberto.value())
        );
        let itens = j["itens"].as_array().unwrap();
        assert_eq!(itens.len(), p.itens.len());
        for (x, d) in itens.iter().zip(&p.itens) {
            assert_eq!(x["id"].as_i64(), Some(d.debito.id));
            assert_eq!(
                x["encargos"]["total"].as_i64(),
                d.atualizado().map(|e| e.total.value())
            );
            if let Some(Err(m)) = &d.encargos {
                assert_eq!(x["encargos"]["erro"].as_str(), Some(m.as_str()));
            }
        }
    }
    // Later on, each open debt accrues charges, or says why they cannot be computed yet (a
    // SELIC month not published) — the API says the same (checked above).
    let late = posicao::posicao(&db, "368253", depois, &selic)
        .await
        .unwrap();
    assert!(late.abertos().all(|d| match &d.encargos {
        Some(Ok(e)) => e.total > e.principal,
        Some(Err(m)) => m.contains("SELIC"),
        None => false,
    }));
    // The web page shows today's position: its total and each debt's computation.
    let p = posicao::posicao(&db, "368253", RelogioSistema.hoje(), &selic)
        .await
        .unwrap();
    let pagina = chamar(&app, get("/cobranca", &hap)).await;
    assert!(
        pagina.texto.contains(&p.total_atualizado.to_string()),
        "{}",
        pagina.texto
    );
    for d in p.abertos() {
        let e = d.atualizado().unwrap();
        assert!(pagina
            .texto
            .contains(&format!("<summary>{}</summary>", e.total)));
        assert!(pagina.texto.contains("Juros pela SELIC"));
    }
});

db_test!(gru_pela_web_uma_so_mesmo_com_f5_e_voltar, |db| {
    let dir = tempfile::tempdir().unwrap();
    let (app, hap, csrf, debito) = com_debito(&db, dir.path()).await;
    let antes = grus(&db).await;
    let r = chamar(
        &app,
        form(
            "/cobranca/grus",
            &hap,
            format!("csrf={csrf}&debitos={debito}"),
        ),
    )
    .await;
    let para = r.headers[header::LOCATION].to_str().unwrap().to_owned();
    assert!(para.starts_with("/cobranca/grus/"), "{para}");
    let pagina = redirecionado(&app, &r, &hap).await;
    assert_eq!(pagina.status, StatusCode::OK);
    assert!(
        pagina.texto.contains("emitida:") && pagina.texto.contains("Baixar a GRU"),
        "{}",
        pagina.texto
    );
    assert!(pagina.texto.contains("Composição do valor"));
    assert_eq!(grus(&db).await, antes + 1);
    // F5: the same page, no second GRU, the message not repeated.
    let f5 = chamar(&app, get(&para, &hap)).await;
    assert_eq!(f5.status, StatusCode::OK);
    assert!(!f5.texto.contains("emitida:"), "{}", f5.texto);
    assert!(f5.texto.contains("Linha digitável"));
    assert_eq!(grus(&db).await, antes + 1);
    // Back: the charging page no longer offers the debt, it links its GRU.
    let c = chamar(&app, get("/cobranca", &hap)).await;
    assert!(!c.texto.contains(&format!("value=\"{debito}\"")));
    assert!(c.texto.contains(&format!("href=\"{para}\"")));
    // Sending the old form again is refused with the reason, the choice kept; nothing issued.
    let de_novo = chamar(
        &app,
        form(
            "/cobranca/grus",
            &hap,
            format!("csrf={csrf}&debitos={debito}"),
        ),
    )
    .await;
    assert_eq!(de_novo.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        de_novo.texto.contains("já está na GRU"),
        "{}",
        de_novo.texto
    );
    assert_eq!(grus(&db).await, antes + 1);
    // The PDF says the time in Brasília.
    let pdf = chamar(&app, get(&format!("{para}/pdf"), &hap)).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert!(pdf.texto.starts_with("%PDF-"));
    assert!(pdf.texto.contains("(hor") && pdf.texto.contains("de Bras"));
    assert!(!pdf.texto.contains(" UTC"));
});

db_test!(
    aplicacao_registrada_uma_vez_e_segredo_mostrado_uma_vez,
    |db| {
        let dir = tempfile::tempdir().unwrap();
        let app = preparado(&db, dir.path()).await;
        let (hap, csrf) = entrar(&app, "rep.368253").await;
        let org = persus_store::contas::usuario(&db, "rep.368253")
            .await
            .unwrap()
            .unwrap()
            .organizacao_id;
        let quantas = || async {
            persus_store::contas::aplicacoes_da_organizacao(&db, org)
                .await
                .unwrap()
                .len()
        };
        let antes = quantas().await;
        let (pagina, client_id) = registrar_erp(&app, &hap, &csrf).await;
        assert!(pagina.texto.contains("psus_sk_"), "{}", pagina.texto);
        assert_eq!(quantas().await, antes + 1);
        // F5: one application, and the secret is not shown again.
        let f5 = chamar(&app, get("/conta", &hap)).await;
        assert!(!f5.texto.contains("psus_sk_"));
        assert_eq!(quantas().await, antes + 1);
        // Revoking is confirmed first: the GET asks, changes nothing.
        let pergunta = chamar(
            &app,
            get(&format!("/conta/aplicacoes/{client_id}/revogar"), &hap),
        )
        .await;
        assert_eq!(pergunta.status, StatusCode::OK);
        assert!(pergunta.texto.contains("Não há como desfazer"));
        let ainda = persus_store::contas::aplicacao_por_client_id(&db, &client_id)
            .await
            .unwrap()
            .unwrap();
        assert!(ainda.revogada_em.is_none());
        // A form with errors comes back with what was typed and the errors linked to the fields.
        let r = chamar(
            &app,
            form(
                "/conta/aplicacoes",
                &hap,
                format!("csrf={csrf}&nome=Meu+ERP&ambiente=lua"),
            ),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.texto.contains("href=\"#a-ambiente\""), "{}", r.texto);
        assert!(r.texto.contains("value=\"Meu ERP\""));
        assert_eq!(quantas().await, antes + 1);
    }
);

db_test!(webhook_exige_https_e_cancela_com_confirmacao, |db| {
    let dir = tempfile::tempdir().unwrap();
    let app = preparado(&db, dir.path()).await;
    let (hap, csrf) = entrar(&app, "rep.368253").await;
    let (_, client_id) = registrar_erp(&app, &hap, &csrf).await;
    // Plain http is refused (this server does not allow loopback/http), the URL kept.
    let r = chamar(
        &app,
        form(
            "/conta/webhooks",
            &hap,
            format!(
                "csrf={csrf}&aplicacao={client_id}&url=http%3A%2F%2Ferp.example%2Fg&eventos=teste"
            ),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.texto.contains("https://"), "{}", r.texto);
    assert!(r.texto.contains("value=\"http://erp.example/g\""));
    let r = chamar(
        &app,
        form(
            "/conta/webhooks",
            &hap,
            format!(
                "csrf={csrf}&aplicacao={client_id}&url=https%3A%2F%2Ferp.example%2Fg&eventos=teste"
            ),
        ),
    )
    .await;
    let entregas = r.headers[header::LOCATION].to_str().unwrap().to_owned();
    let p = redirecionado(&app, &r, &hap).await;
    assert!(p.texto.contains("whsec_"));
    assert!(!chamar(&app, get(&entregas, &hap))
        .await
        .texto
        .contains("whsec_"));
    // Cancel: asked first, then done, then said; F5 shows it cancelled, no live action.
    let pergunta = chamar(&app, get(&format!("{entregas}/cancelar"), &hap)).await;
    assert!(pergunta.texto.contains("Nada mais será enviado"));
    let r = chamar(
        &app,
        form(
            &format!("{entregas}/cancelar"),
            &hap,
            format!("csrf={csrf}"),
        ),
    )
    .await;
    let depois = redirecionado(&app, &r, &hap).await;
    assert!(
        depois.texto.contains("cancelada: nada mais"),
        "{}",
        depois.texto
    );
    let f5 = chamar(&app, get(&entregas, &hap)).await;
    assert!(f5.texto.contains("Assinatura cancelada em"));
    assert!(f5.texto.contains("horário de Brasília"));
    assert!(!f5.texto.contains("/cancelar\""));
});

db_test!(csrf_nunca_numa_url_da_cobranca, |db| {
    let dir = tempfile::tempdir().unwrap();
    let (app, hap, csrf, debito) = com_debito(&db, dir.path()).await;
    // The charging page's "simulate" button posts; the answer is a GET address without it.
    let r = chamar(
        &app,
        form(
            "/cobranca/parcelamento",
            &hap,
            format!("csrf={csrf}&debitos={debito}"),
        ),
    )
    .await;
    let para = r.headers[header::LOCATION].to_str().unwrap().to_owned();
    assert_eq!(para, format!("/cobranca/parcelamento?debitos={debito}"));
    let sim = redirecionado(&app, &r, &hap).await;
    assert!(
        sim.texto.contains("Débito consolidado hoje"),
        "{}",
        sim.texto
    );
    for pagina in ["/cobranca", para.as_str(), "/conta"] {
        let t = chamar(&app, get(pagina, &hap)).await.texto;
        assert!(!t.contains("csrf="), "{pagina}");
        for f in t.split("<form").skip(1) {
            let f = f.split("</form>").next().unwrap();
            if f.contains("method=\"get\"") {
                assert!(!f.contains("name=\"csrf\""), "{pagina}: {f}");
            }
        }
    }
});
