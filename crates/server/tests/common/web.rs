//! The web application through its router: calling it, signing in, forms (shared by the web
//! test files).

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use persus_server::app::{router, AppState};
use persus_server::servicos::relogio::Relogio;
use persus_store::Db;
use tower::ServiceExt;

pub struct R {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub texto: String,
}

pub async fn chamar(app: &Router, req: Request<Body>) -> R {
    let r = app.clone().oneshot(req).await.unwrap();
    let status = r.status();
    let headers = r.headers().clone();
    let b = r.into_body().collect().await.unwrap().to_bytes();
    R {
        status,
        headers,
        texto: String::from_utf8_lossy(&b).into_owned(),
    }
}

pub async fn preparado(db: &Db, dir: &std::path::Path) -> Router {
    super::publicado_hoje(db, 21).await;
    router(AppState::com_documentos(db.clone(), dir.to_path_buf()))
}

/// Signs in; returns the cookie header value and the CSRF token read from a page.
pub async fn entrar(app: &Router, login: &str) -> (String, String) {
    let r = chamar(
        app,
        Request::post("/entrar")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!(
                "login={login}&senha=demo&volta=/painel"
            )))
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.texto);
    let set = r.headers[header::SET_COOKIE].to_str().unwrap().to_owned();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Lax"),
        "{set}"
    );
    let cookie = set.split(';').next().unwrap().to_owned();
    let painel = chamar(app, get("/painel", &cookie)).await;
    assert_eq!(painel.status, StatusCode::OK, "{}", painel.texto);
    let csrf = valor_depois(&painel.texto, "name=\"csrf\" value=\"");
    (cookie, csrf)
}

/// The quoted value that follows the first `marca` in `texto` (an attribute's value).
pub fn valor_depois(texto: &str, marca: &str) -> String {
    texto
        .split(marca)
        .nth(1)
        .unwrap_or_else(|| panic!("{marca} not in the page"))
        .split('"')
        .next()
        .unwrap()
        .to_owned()
}

pub fn get(uri: &str, cookie: &str) -> Request<Body> {
    Request::get(uri)
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .unwrap()
}

pub fn form(uri: &str, cookie: &str, corpo: String) -> Request<Body> {
    Request::post(uri)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(corpo))
        .unwrap()
}

/// Post/Redirect/Get, as a browser follows it: `r` must be a 303 to a page of this site; that
/// page, fetched with the session `cookie` and the one-time message cookie the 303 set, if any.
pub async fn redirecionado(app: &Router, r: &R, cookie: &str) -> R {
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.texto);
    let para = r.headers[header::LOCATION].to_str().unwrap().to_owned();
    assert!(para.starts_with('/'), "{para}");
    let aviso = r
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter(|v| v.starts_with("persus_aviso="))
        .map(|v| v.split(';').next().unwrap().to_owned())
        .next();
    let cookies = match aviso {
        Some(a) => format!("{cookie}; {a}"),
        None => cookie.to_owned(),
    };
    chamar(app, get(&para, &cookies)).await
}

/// The text of `texto` between the first `antes` and the next `depois`.
pub fn entre(texto: &str, antes: &str, depois: &str) -> String {
    texto
        .split(antes)
        .nth(1)
        .unwrap_or_else(|| panic!("{antes:?} not in {texto}"))
        .split(depois)
        .next()
        .unwrap()
        .to_owned()
}

/// The operator opens the notice listed on its dashboard (which records its ciência) and
/// gets the page of the notice.
pub async fn abrir_notificacao(app: &Router, cookie: &str) -> R {
    let painel = chamar(app, get("/painel", cookie)).await;
    let id = valor_depois(&painel.texto, "/notificacoes/");
    chamar(app, get(&format!("/notificacoes/{id}"), cookie)).await
}

/// The web app with a debt of demo-368253: its first notice read, then the period ends without
/// impugnação and the scheduler constitutes the debt. Returns (app, cookie, csrf, debt id).
pub async fn com_debito(db: &Db, dir: &std::path::Path) -> (Router, String, String, String) {
    let app = preparado(db, dir).await;
    let (hap, csrf) = entrar(&app, "rep.368253").await;
    let painel = chamar(&app, get("/painel", &hap)).await;
    let id = entre(&painel.texto, "/notificacoes/", "\"");
    chamar(&app, get(&format!("/notificacoes/{id}"), &hap)).await;
    let n = persus_store::processos::notificacao(db, id.parse().unwrap())
        .await
        .unwrap();
    let r = persus_server::servicos::relogio::RelogioFixo::em(
        n.vencimento.unwrap() + chrono::Duration::days(1),
    );
    persus_server::servicos::agendador::executar(
        db,
        r.hoje(),
        &persus_domain::calendar::CalendarioAns::padrao(),
        &persus_domain::deadline::PrazosVigentes::padrao(),
        &persus_store::auditoria::Ator::sistema("tick"),
        r.agora(),
    )
    .await
    .unwrap();
    let cobranca = chamar(&app, get("/cobranca", &hap)).await;
    assert_eq!(cobranca.status, StatusCode::OK, "{}", cobranca.texto);
    let debito = entre(&cobranca.texto, "name=\"debitos\" value=\"", "\"");
    (app, hap, csrf, debito)
}

/// A multipart form: fields, then files `(field, file name, bytes)`.
pub fn multipart(
    uri: &str,
    cookie: &str,
    campos: &[(&str, &str)],
    arquivos: &[(&str, &str, &[u8])],
) -> Request<Body> {
    let fronteira = "----persusfronteira";
    let mut b: Vec<u8> = Vec::new();
    for (k, v) in campos {
        b.extend(
            format!("--{fronteira}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    for (k, nome, dados) in arquivos {
        b.extend(format!("--{fronteira}\r\nContent-Disposition: form-data; name=\"{k}\"; filename=\"{nome}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
        b.extend(*dados);
        b.extend(b"\r\n");
    }
    b.extend(format!("--{fronteira}--\r\n").as_bytes());
    Request::post(uri)
        .header(header::COOKIE, cookie)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={fronteira}"),
        )
        .body(Body::from(b))
        .unwrap()
}

/// The hidden fields (`csrf`, one-time keys) of the page's form posting to `acao`, as a
/// urlencoded body, as the browser would send them.
pub fn campos_ocultos(pagina: &str, acao: &str) -> String {
    let formulario = pagina
        .split(&format!("action=\"{acao}\""))
        .nth(1)
        .unwrap_or_else(|| panic!("no form to {acao}"))
        .split("</form>")
        .next()
        .unwrap();
    let mut pares = Vec::new();
    for pedaco in formulario.split("<input type=\"hidden\" name=\"").skip(1) {
        let nome = pedaco.split('"').next().unwrap();
        let valor = pedaco
            .split("value=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        let valor = valor
            .replace("&quot;", "\"")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&#39;", "'")
            .replace("&amp;", "&");
        pares.push((nome.to_owned(), valor));
    }
    serde_urlencoded::to_string(&pares).unwrap()
}
