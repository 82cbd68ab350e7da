//! The web's frame through its router, on both databases: every link of the menu of every demo
//! role (and of an operator's clerk with one permission) opens; error pages — unknown page,
//! wrong method, a page that refuses — are the application's own, with the homologação banner
//! and, when signed in, the menu; form errors are a summary linked to the fields.

#![allow(clippy::unwrap_used)]

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::web::{chamar, entrar, form, get, preparado, valor_depois, R};
use persus_domain::acesso::{Escopo, Papel};
use persus_server::demo::credenciais;
use persus_store::contas::{self, NovoUsuario};
use persus_store::db_test;

const FAIXA: &str = "Ambiente de homologação";
const MENU: &str = "aria-label=\"Menu principal\"";

/// The links of the page's main navigation.
fn links_do_menu(pagina: &str) -> Vec<String> {
    let Some((_, resto)) = pagina.split_once(MENU) else {
        return Vec::new();
    };
    let nav = resto.split("</nav>").next().unwrap();
    nav.split("href=\"")
        .skip(1)
        .map(|r| r.split('"').next().unwrap().to_owned())
        .collect()
}

/// As a browser asks for a page.
fn pagina(metodo: &str, uri: &str, cookie: &str) -> Request<Body> {
    let mut r = Request::builder()
        .method(metodo)
        .uri(uri)
        .header(header::ACCEPT, "text/html,application/xhtml+xml");
    if !cookie.is_empty() {
        r = r.header(header::COOKIE, cookie);
    }
    r.body(Body::empty()).unwrap()
}

db_test!(every_menu_link_of_every_role_opens, |db| {
    let dir = tempfile::tempdir().unwrap();
    let app = preparado(&db, dir.path()).await;
    // A clerk of an operator with the finance permission only.
    let mut tx = db.begin().await.unwrap();
    let org = contas::organizacao(&mut tx, Some("368253")).await.unwrap();
    let senha = persus_server::auth::hash_senha(credenciais::SENHA).unwrap();
    contas::criar_usuario(
        &mut tx,
        &NovoUsuario {
            login: "caixa.368253",
            nome: "Caixa",
            organizacao_id: org.id,
            papel: Papel::Usuario,
            permissoes: &[Escopo::Financeiro],
            senha_hash: &senha,
            em: chrono::Utc::now(),
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let mut logins: Vec<String> = credenciais::ANS
        .iter()
        .map(|(l, _)| l.to_string())
        .collect();
    logins.extend(credenciais::OPERADORAS.iter().map(|r| format!("rep.{r}")));
    logins.push("caixa.368253".into());
    let mut menus = std::collections::BTreeMap::new();
    for login in &logins {
        let (cookie, _) = entrar(&app, login).await;
        let painel = chamar(&app, get("/painel", &cookie)).await;
        let links = links_do_menu(&painel.texto);
        assert!(links.len() >= 2, "{login}: menu {links:?}");
        for link in &links {
            let r = chamar(&app, get(link, &cookie)).await;
            assert_eq!(r.status, StatusCode::OK, "{login} → {link}: {}", r.texto);
            // The page marks itself as the current one in the same menu.
            assert!(
                r.texto
                    .contains(&format!("href=\"{link}\" aria-current=\"page\"")),
                "{login} → {link}: not marked current"
            );
        }
        menus.insert(login.clone(), links);
    }
    // Each ANS queue only to the roles that decide it (`Instancia::papeis`: the DIDES director
    // also decides the 1st instance, as the `ans.decisao` scope of that role says; admin sees
    // all three).
    let filas = |login: &str| -> Vec<String> {
        menus[login]
            .iter()
            .filter(|l| l.starts_with("/ans/filas/"))
            .cloned()
            .collect()
    };
    assert_eq!(filas("ans.analista"), ["/ans/filas/primeira"]);
    assert_eq!(
        filas("ans.diretor"),
        ["/ans/filas/primeira", "/ans/filas/admissibilidade"]
    );
    assert_eq!(filas("ans.dicol"), ["/ans/filas/dicol"]);
    assert!(filas("ans.financeiro").is_empty());
    assert_eq!(filas("ans.admin").len(), 3);
    assert!(menus["ans.financeiro"].contains(&"/ans/financeiro".to_owned()));
    assert!(!menus["ans.analista"].contains(&"/ans/financeiro".to_owned()));
    // The clerk sees the charges and their due dates in a calendar, not the processes nor the
    // account's management.
    assert_eq!(
        menus["caixa.368253"],
        ["/painel", "/cobranca", "/conta/calendario"]
    );
    let (caixa, _) = entrar(&app, "caixa.368253").await;
    assert_eq!(
        chamar(&app, get("/processos", &caixa)).await.status,
        StatusCode::FORBIDDEN
    );
});

db_test!(error_pages_are_the_applications_own, |db| {
    let dir = tempfile::tempdir().unwrap();
    let app = preparado(&db, dir.path()).await;
    let (rep, _) = entrar(&app, "rep.368253").await;

    // An unknown page, signed in: 404 with banner and menu, in pt-BR, no framework text.
    let r = chamar(&app, pagina("GET", "/nao-existe", &rep)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(r.texto.contains("Página não encontrada"), "{}", r.texto);
    assert!(r.texto.contains(FAIXA));
    assert!(links_do_menu(&r.texto).contains(&"/processos".to_owned()));
    assert!(r.texto.contains("Voltar ao painel"));
    // The same, signed out: banner, no menu, a way to sign in.
    let r = chamar(&app, pagina("GET", "/nao-existe", "")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.texto.contains(FAIXA));
    assert!(links_do_menu(&r.texto).is_empty());
    assert!(r.texto.contains("href=\"/entrar\""));

    // A wrong method: 405 with `Allow` kept, the app's page, no method names for people.
    let r = chamar(&app, pagina("GET", "/sair", &rep)).await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(r.headers[header::ALLOW], "POST");
    assert!(
        r.texto.contains("Esta página não abre assim"),
        "{}",
        r.texto
    );
    assert!(r.texto.contains(FAIXA));
    assert!(!links_do_menu(&r.texto).is_empty());
    assert!(!r.texto.contains("use POST"));
    let r = chamar(&app, pagina("DELETE", "/painel", &rep)).await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(r.texto.contains("Ação não aceita aqui"), "{}", r.texto);

    // A page's own refusal (another operator's process, a page of ANS) gets the frame too.
    let r = chamar(&app, pagina("GET", "/processos/00000.000000-2025-00", &rep)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.texto.contains("não existe ou não está disponível"));
    assert!(r.texto.contains(FAIXA));
    assert!(!links_do_menu(&r.texto).is_empty());
    let r = chamar(&app, get("/ans/auditoria", &rep)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.texto.contains("Sem permissão"));
    assert!(links_do_menu(&r.texto).contains(&"/processos".to_owned()));

    // The API keeps problem+json, even for a browser.
    let r = chamar(&app, pagina("GET", "/api/v1/nada", &rep)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.headers[header::CONTENT_TYPE], "application/problem+json");
});

/// The first-access form with the password `umasenhalonga` and its repetition `confirmacao`.
async fn primeiro_acesso(app: &axum::Router, codigo: &str, confirmacao: &str) -> R {
    let corpo =
        format!("login=rep.368253&codigo={codigo}&senha=umasenhalonga&confirmacao={confirmacao}");
    chamar(app, form("/primeiro-acesso", "", corpo)).await
}

db_test!(
    form_errors_are_summarised_and_linked_to_their_fields,
    |db| {
        let dir = tempfile::tempdir().unwrap();
        let app = preparado(&db, dir.path()).await;
        let r = chamar(
            &app,
            form("/entrar", "", "login=rep.368253&senha=errada".into()),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert!(r.texto.contains("id=\"resumo-erros\" role=\"alert\""));
        assert!(r.texto.contains("href=\"#login\""), "{}", r.texto);
        assert!(r
            .texto
            .contains("aria-describedby=\"login-erro\" aria-invalid=\"true\""));
        assert!(r.texto.contains("id=\"login-erro\""));
        assert!(r.texto.contains("/assets/persus/erros.js?v="));
        // Without an error there is no summary.
        let r = chamar(&app, get("/entrar", "")).await;
        assert!(!r.texto.contains("resumo-erros\""));

        let r = primeiro_acesso(&app, "x", "outrasenhalonga").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.texto.contains("href=\"#confirmacao\""), "{}", r.texto);
        assert!(r.texto.contains("id=\"confirmacao-erro\""));
        let r = primeiro_acesso(&app, "errado", "umasenhalonga").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.texto.contains("href=\"#codigo\""), "{}", r.texto);
    }
);

db_test!(
    the_frame_links_icons_favicon_and_its_files_are_served,
    |db| {
        let dir = tempfile::tempdir().unwrap();
        let app = preparado(&db, dir.path()).await;
        let r = chamar(&app, get("/", "")).await;
        assert_eq!(r.status, StatusCode::OK);
        for parte in [
            "class=\"br-header",
            "class=\"br-footer",
            "rel=\"icon\" type=\"image/svg+xml\"",
            "/assets/fontawesome/css/all.min.css",
            "class=\"tabela-rolavel\"",
        ] {
            assert!(r.texto.contains(parte), "{parte}");
        }
        let favicon = valor_depois(&r.texto, "rel=\"icon\" type=\"image/svg+xml\" href=\"");
        let f = chamar(&app, get(&favicon, "")).await;
        assert_eq!(f.status, StatusCode::OK);
        assert_eq!(f.headers[header::CONTENT_TYPE], "image/svg+xml");
        assert!(f.texto.starts_with("<svg"));
        let ico = chamar(&app, get("/favicon.ico", "")).await;
        assert_eq!(ico.status, StatusCode::PERMANENT_REDIRECT);
        assert_eq!(ico.headers[header::LOCATION], favicon.as_str());
        let css = chamar(&app, get("/assets/fontawesome/css/all.min.css", "")).await;
        assert_eq!(css.status, StatusCode::OK, "npm ci --prefix web");
        assert!(css.texto.contains("../webfonts/fa-solid-900.woff2"));
        let fonte = chamar(
            &app,
            get("/assets/fontawesome/webfonts/fa-solid-900.woff2", ""),
        )
        .await;
        assert_eq!(fonte.status, StatusCode::OK);
        // Only the stylesheets and fonts of the package are served.
        assert_eq!(
            chamar(&app, get("/assets/fontawesome/package.json", ""))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
    }
);
