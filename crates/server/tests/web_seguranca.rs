//! Web security through the router, on both databases (issue #11): redirects after sign-in stay
//! on this site, every answer carries the security headers, and sign-in is throttled by source
//! address and login without letting anyone lock a person out.

#![allow(clippy::unwrap_used)]

mod common;

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use common::web::{chamar, entrar, form, get, preparado, R};
use persus_server::app::{router, AppState};
use persus_server::web::urlencode;
use persus_store::db_test;

/// `POST /entrar` from `origem` (the peer address, as `axum::serve` gives it).
fn entrada(login: &str, senha: &str, volta: &str, origem: &str) -> Request<Body> {
    let mut r = Request::post("/entrar")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!(
            "login={}&senha={}&volta={}",
            urlencode(login),
            urlencode(senha),
            urlencode(volta)
        )))
        .unwrap();
    r.extensions_mut()
        .insert(ConnectInfo(origem.parse::<SocketAddr>().unwrap()));
    r
}

/// Where browsers would go: each is refused and replaced by the dashboard.
const HOSTIS: &[&str] = &[
    "//evil.example/x",
    "/\\evil.example/x",
    "\\/evil.example/x",
    "\\\\evil.example",
    "/%5Cevil.example/x",
    "/%5cevil.example/x",
    "%2F%2Fevil.example",
    "/%2F%2Fevil.example",
    "/%2f/evil.example",
    "https://evil.example/x",
    "HTTPS://evil.example",
    "javascript:alert(1)",
    "/\t/evil.example",
    "/\n/evil.example",
    "/painel\r\nSet-Cookie: x=1",
    "/painel%0d%0aSet-Cookie:%20x=1",
    "/%09/evil.example",
    " //evil.example",
    "evil.example",
    "/painel\u{7f}",
    "/pa\u{e7}o",
    "",
];

/// Same-origin paths are kept as they are.
const BONS: &[&str] = &[
    "/painel",
    "/processos?pagina=2&ordem=prazo",
    "/atendimentos?nome=Jo%C3%A3o%20Silva",
    "/cobranca",
];

db_test!(volta_depois_de_entrar_so_aceita_caminhos_deste_site, |db| {
    let dir = tempfile::tempdir().unwrap();
    let app = preparado(&db, dir.path()).await;
    for (i, volta) in HOSTIS.iter().chain(BONS).enumerate() {
        let esperado = if BONS.contains(volta) {
            volta
        } else {
            "/painel"
        };
        // Each from its own address: these are successes, but keep the throttle out of the way.
        let origem = format!("192.0.2.{}:4000", i + 1);
        let r = chamar(&app, entrada("rep.368253", "demo", volta, &origem)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{volta:?}: {}", r.texto);
        assert_eq!(r.headers[header::LOCATION], esperado, "{volta:?}");
        // The sign-in page carries only a safe destination in its form.
        let r = chamar(
            &app,
            get(&format!("/entrar?volta={}", urlencode(volta)), ""),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{volta:?}");
        let campo = format!(
            "name=\"volta\" value=\"{}\"",
            esperado.replace('&', "&amp;")
        );
        assert!(r.texto.contains(&campo), "{volta:?}: {}", r.texto);
    }
    // The analyst's queue redirect takes only a known queue.
    let (analista, csrf) = entrar(&app, "ans.analista").await;
    for instancia in [
        "/\\evil.example",
        "%0d%0aSet-Cookie:%20x=1",
        "//evil.example",
    ] {
        let r = chamar(
            &app,
            form(
                "/ans/atribuicoes",
                &analista,
                format!("csrf={csrf}&instancia={instancia}"),
            ),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{instancia}: {}", r.texto);
        assert_eq!(
            r.headers[header::LOCATION],
            "/ans/filas/primeira",
            "{instancia}"
        );
    }
});

/// The headers every answer carries; `estatico` answers may be cached, the others never.
fn confere_cabecalhos(uri: &str, r: &R, estatico: bool) {
    let h = |k: &str| {
        r.headers
            .get(k)
            .unwrap_or_else(|| panic!("{uri}: no {k} header"))
            .to_str()
            .unwrap()
            .to_owned()
    };
    let csp = h("content-security-policy");
    for diretiva in [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'none'",
        "object-src 'none'",
    ] {
        assert!(csp.contains(diretiva), "{uri}: {csp}");
    }
    assert!(!csp.contains("unsafe"), "{uri}: {csp}");
    // `data:` images only where Swagger UI draws its icons with them.
    assert_eq!(csp.contains("data:"), uri == "/api/docs", "{uri}: {csp}");
    assert_eq!(h("x-content-type-options"), "nosniff", "{uri}");
    assert_eq!(h("x-frame-options"), "DENY", "{uri}");
    assert_eq!(h("referrer-policy"), "same-origin", "{uri}");
    assert_eq!(h("cross-origin-opener-policy"), "same-origin", "{uri}");
    assert!(h("permissions-policy").contains("camera=()"), "{uri}");
    let cache = h("cache-control");
    if estatico {
        assert!(cache.contains("max-age="), "{uri}: {cache}");
        assert!(!cache.contains("no-store"), "{uri}: {cache}");
    } else {
        assert_eq!(cache, "no-store", "{uri}");
    }
    // Plain HTTP here: no HSTS (a browser would ignore it anyway).
    assert!(
        r.headers.get("strict-transport-security").is_none(),
        "{uri}"
    );
}

/// HTML with no inline script or style: what the CSP allows runs, nothing else is there.
fn sem_inline(uri: &str, html: &str) {
    assert!(!html.contains("<style"), "{uri}: inline <style>");
    assert!(!html.contains(" style="), "{uri}: style attribute");
    for (i, _) in html.match_indices("<script") {
        let tag = &html[i..i + html[i..].find('>').unwrap()];
        assert!(tag.contains(" src="), "{uri}: inline script {tag}");
    }
    assert!(!html.contains(" onclick="), "{uri}: inline handler");
}

db_test!(
    toda_resposta_tem_cabecalhos_de_seguranca_e_so_arquivos_estaticos_vao_para_o_cache,
    |db| {
        let dir = tempfile::tempdir().unwrap();
        let app = preparado(&db, dir.path()).await;
        let (hap, _) = entrar(&app, "rep.368253").await;
        let inexistente = persus_domain::ids::RegistroAns::from_base(99_999).unwrap();
        let casos: Vec<(String, &str, StatusCode)> = vec![
            ("/".into(), "", StatusCode::OK),
            ("/entrar".into(), "", StatusCode::OK),
            ("/api/docs".into(), "", StatusCode::OK),
            ("/painel".into(), &hap, StatusCode::OK),
            // Back after signing out must not show the charging page from the cache.
            ("/cobranca".into(), &hap, StatusCode::OK),
            ("/health".into(), "", StatusCode::OK),
            ("/api/v1/operadoras/326305".into(), "", StatusCode::OK),
            (
                format!("/api/v1/operadoras/{inexistente}"),
                "",
                StatusCode::NOT_FOUND,
            ),
            ("/api/v1/processos".into(), "", StatusCode::UNAUTHORIZED),
            ("/nao-existe".into(), "", StatusCode::NOT_FOUND),
            ("/processos".into(), "", StatusCode::SEE_OTHER),
        ];
        for (uri, cookie, status) in &casos {
            let r = chamar(&app, get(uri, cookie)).await;
            assert_eq!(r.status, *status, "{uri}: {}", r.texto);
            confere_cabecalhos(uri, &r, false);
            let html = r
                .headers
                .get(header::CONTENT_TYPE)
                .is_some_and(|t| t.to_str().unwrap().starts_with("text/html"));
            if html {
                sem_inline(uri, &r.texto);
                // What the page loads from this site is served, and may be cached.
                for (i, _) in r.texto.match_indices("/assets/persus/") {
                    let fim = r.texto[i..].find('"').unwrap();
                    let asset = r.texto[i..i + fim].replace("&amp;", "&");
                    let a = chamar(&app, get(&asset, "")).await;
                    assert_eq!(a.status, StatusCode::OK, "{uri} loads {asset}");
                    confere_cabecalhos(&asset, &a, true);
                }
            }
        }
        let problema = chamar(&app, get(&casos[7].0, "")).await;
        assert_eq!(
            problema.headers[header::CONTENT_TYPE],
            "application/problem+json"
        );
        let css = chamar(&app, get("/assets/persus/persus.css", "")).await;
        assert_eq!(css.status, StatusCode::OK);
        assert!(css.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/css"));
        confere_cabecalhos("/assets/persus/persus.css", &css, true);
        // A missing file is not cached.
        let r = chamar(&app, get("/assets/persus/nao-existe.css", "")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        confere_cabecalhos("/assets/persus/nao-existe.css", &r, false);

        // Behind TLS (the `Secure` cookie setting), browsers are told to stay on HTTPS.
        let mut estado = AppState::com_documentos(db.clone(), dir.path().to_path_buf());
        estado.cookie_seguro = true;
        let tls = router(estado);
        for uri in ["/entrar", "/assets/persus/persus.css", "/nao-existe"] {
            let r = chamar(&tls, get(uri, "")).await;
            let hsts = r.headers["strict-transport-security"].to_str().unwrap();
            assert!(hsts.starts_with("max-age=31536000"), "{uri}: {hsts}");
        }
    }
);

/// The answer's bytes with the login it echoes in the form masked (the rest must be identical).
fn sem_login(r: &R, login: &str) -> (StatusCode, String, Vec<(String, String)>) {
    let mut headers: Vec<(String, String)> = r
        .headers
        .iter()
        .filter(|(k, _)| k.as_str() != "x-request-id")
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap().to_owned()))
        .collect();
    headers.sort();
    (
        r.status,
        r.texto
            .replace(&format!("value=\"{login}\""), "value=\"LOGIN\""),
        headers,
    )
}

async fn eventos(db: &persus_store::Db, acao: &str) -> Vec<persus_store::auditoria::Evento> {
    persus_store::auditoria::ultimos(db, Some(acao), 1000)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.acao == acao)
        .collect()
}

db_test!(
    entrada_limitada_por_origem_e_login_sem_que_outro_bloqueie_a_pessoa,
    |db| {
        let dir = tempfile::tempdir().unwrap();
        let app = preparado(&db, dir.path()).await;
        let a = "203.0.113.7:50000";
        let b = "198.51.100.9:50001";

        // An unknown login and a wrong password read the same, byte for byte.
        let desconhecido = chamar(&app, entrada("nao.existe", "errada", "/painel", a)).await;
        let errada = chamar(&app, entrada("rep.368253", "errada", "/painel", a)).await;
        assert_eq!(desconhecido.status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            sem_login(&desconhecido, "nao.existe"),
            sem_login(&errada, "rep.368253")
        );
        assert!(errada.texto.contains("login ou senha inválidos"));

        // From A, more wrong passwords for the same person: then A must wait, even with the
        // right password, and is told how long (for any login, known or not: no oracle).
        for _ in 0..2 {
            let r = chamar(&app, entrada("rep.368253", "errada", "/painel", a)).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.texto);
        }
        let r = chamar(&app, entrada("rep.368253", "demo", "/painel", a)).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.texto);
        let espera: u64 = r.headers[header::RETRY_AFTER]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=900).contains(&espera), "{espera}");
        assert!(r.texto.contains("aguarde"), "{}", r.texto);
        assert!(!r.texto.contains("bloqueada"), "{}", r.texto);
        for _ in 0..2 {
            chamar(&app, entrada("nao.existe", "errada", "/painel", a)).await;
        }
        let d = chamar(&app, entrada("nao.existe", "errada", "/painel", a)).await;
        assert_eq!(d.status, StatusCode::TOO_MANY_REQUESTS, "{}", d.texto);
        // A forwarded header does not change the source unless a proxy is trusted.
        let mut r = entrada("rep.368253", "demo", "/painel", a);
        r.headers_mut()
            .insert("x-forwarded-for", "192.0.2.200".parse().unwrap());
        assert_eq!(chamar(&app, r).await.status, StatusCode::TOO_MANY_REQUESTS);

        // The person, from another address, signs in at once: nobody can lock them out.
        let r = chamar(&app, entrada("rep.368253", "demo", "/painel", b)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.texto);
        // ANS staff too.
        for _ in 0..10 {
            chamar(&app, entrada("ans.admin", "errada", "/painel", a)).await;
        }
        let r = chamar(&app, entrada("ans.admin", "demo", "/painel", b)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.texto);

        // Behind a trusted proxy, the client is the last address the proxy appended.
        let mut estado = AppState::com_documentos(db.clone(), dir.path().to_path_buf());
        estado.proxy_confiavel = true;
        let atras = router(estado);
        let mut r = entrada("rep.368253", "demo", "/painel", a);
        r.headers_mut().insert(
            "x-forwarded-for",
            "203.0.113.7, 192.0.2.201".parse().unwrap(),
        );
        let r = chamar(&atras, r).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.texto);

        // Every failed or throttled attempt is in the audit trail, without the password.
        let recusadas = eventos(&db, "entrada.recusada").await;
        let adiadas = eventos(&db, "entrada.adiada").await;
        assert!(recusadas.len() >= 5, "{recusadas:?}");
        assert!(adiadas.len() >= 2, "{adiadas:?}");
        for e in recusadas.iter().chain(&adiadas) {
            let tudo = format!("{e:?}");
            assert!(!tudo.contains("errada") && !tudo.contains("demo"), "{tudo}");
            assert!(tudo.contains("203.0.113.7"), "{tudo}");
        }
        assert!(recusadas.iter().any(|e| e.entidade_id == "rep.368253"));
        // A login that does not exist is not recorded as typed (it may be a mistyped password),
        // and the throttle keeps only a hash of logins.
        assert!(recusadas.iter().all(|e| e.entidade_id != "nao.existe"));
        let chaves = common::textos(
            &db,
            "SELECT chave FROM tentativas_entrada WHERE chave <> $1",
            "",
        )
        .await;
        assert!(
            chaves.iter().any(|c| c.starts_with("p:203.0.113.7:")),
            "{chaves:?}"
        );
        assert!(
            chaves
                .iter()
                .all(|c| !c.contains("rep.") && !c.contains("nao.existe")),
            "{chaves:?}"
        );
    }
);
