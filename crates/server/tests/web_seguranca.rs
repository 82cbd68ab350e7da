//! Web security through the router, on both databases (issue #11): redirects after sign-in stay
//! on this site.

#![allow(clippy::unwrap_used)]

mod common;

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use common::web::{chamar, entrar, form, get, preparado};
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
