//! persus's own static files (its CSS, two small scripts and the favicon), embedded in the binary and
//! served from `/assets/persus/`: the Content-Security-Policy allows style and script only from
//! this site, so nothing of persus's is inline. Pages link them through [`url`], which adds the
//! content's hash, so a browser may cache them (see `seguranca::cabecalhos`) and still gets a new
//! version the moment it changes.

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

/// (name, content type, content).
const ARQUIVOS: [(&str, &str, &str); 7] = [
    (
        "persus.css",
        "text/css; charset=utf-8",
        include_str!("estatico/persus.css"),
    ),
    (
        "simples.css",
        "text/css; charset=utf-8",
        include_str!("estatico/simples.css"),
    ),
    (
        "recarregar.js",
        "text/javascript; charset=utf-8",
        include_str!("estatico/recarregar.js"),
    ),
    (
        "erros.js",
        "text/javascript; charset=utf-8",
        include_str!("estatico/erros.js"),
    ),
    (
        "favicon.svg",
        "image/svg+xml",
        include_str!("estatico/favicon.svg"),
    ),
    (
        "api-docs.js",
        "text/javascript; charset=utf-8",
        include_str!("estatico/api-docs.js"),
    ),
    (
        "selecionar-todos.js",
        "text/javascript; charset=utf-8",
        include_str!("estatico/selecionar-todos.js"),
    ),
];

/// Each file's URL with its version (the first 12 hex digits of its SHA-256).
static URLS: LazyLock<Vec<(&'static str, String)>> = LazyLock::new(|| {
    ARQUIVOS
        .iter()
        .map(|(nome, _, conteudo)| {
            let hash = crate::auth::sha256_hex(conteudo);
            (*nome, format!("/assets/persus/{nome}?v={}", &hash[..12]))
        })
        .collect()
});

/// The URL of one of [`ARQUIVOS`] (a name not there gives a URL that answers 404).
pub fn url(nome: &str) -> String {
    URLS.iter()
        .find(|(n, _)| *n == nome)
        .map(|(_, u)| u.clone())
        .unwrap_or_else(|| format!("/assets/persus/{nome}"))
}

/// `GET /assets/persus/{arquivo}`.
pub async fn servir(Path(arquivo): Path<String>) -> Response {
    match ARQUIVOS.iter().find(|(n, _, _)| *n == arquivo) {
        Some((_, tipo, conteudo)) => ([(header::CONTENT_TYPE, *tipo)], *conteudo).into_response(),
        None => (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "Arquivo não encontrado.",
        )
            .into_response(),
    }
}
