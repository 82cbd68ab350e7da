//! What keeps persus's answers safe in a browser: the security headers on every answer
//! ([`cabecalhos`]), redirects built from user input that stay on this site
//! ([`destino_seguro`]), and where a request comes from, for sign-in throttling ([`DeOnde`]).

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;

use crate::app::AppState;
use crate::servicos::entrada::Origem;

/// Only this site's own files run or style a page (nothing inline), no plugin, no `<base>`,
/// forms post only here, and no other site may frame a page (clickjacking).
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
    object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// `/api/docs` only: the same, plus `data:` images — Swagger UI's stylesheet draws its icons
/// (arrows, locks, copy) as `data:` SVGs. Nothing else is loosened: no inline script or style.
pub const CSP_DOCS: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
    img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; \
    frame-ancestors 'none'";

/// Static files (`/assets/…`) may be cached a day; persus's own change URL when they change.
pub const CACHE_ESTATICO: &str = "public, max-age=86400";

/// One year of HTTPS only, when served behind TLS.
pub const HSTS: &str = "max-age=31536000";

const FIXOS: [(HeaderName, &str); 6] = [
    (header::CONTENT_SECURITY_POLICY, CSP),
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::X_FRAME_OPTIONS, "DENY"),
    (header::REFERRER_POLICY, "same-origin"),
    (
        HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    ),
    (
        HeaderName::from_static("permissions-policy"),
        "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    ),
];

/// Middleware for the whole router (pages, API, files, errors): the headers of [`FIXOS`];
/// `Cache-Control: no-store` on everything but a static file found (pages and API answers carry
/// personal data: Back after signing out must not show them from the cache); and, when `hsts`
/// (the app is served over TLS), `Strict-Transport-Security`.
pub async fn cabecalhos(State(hsts): State<bool>, req: Request, next: Next) -> Response {
    let estatico = req.uri().path().starts_with("/assets/");
    let docs = req.uri().path() == "/api/docs";
    let mut r = next.run(req).await;
    let guardavel = estatico && (r.status().is_success() || r.status() == StatusCode::NOT_MODIFIED);
    let h = r.headers_mut();
    for (nome, valor) in FIXOS {
        h.insert(nome, HeaderValue::from_static(valor));
    }
    if docs {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP_DOCS),
        );
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(if guardavel {
            CACHE_ESTATICO
        } else {
            "no-store"
        }),
    );
    if hsts {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
    r
}

/// Where the request comes from: the peer address (`axum::serve` with `ConnectInfo`) — or,
/// only when a trusted proxy stands in front ([`AppState::proxy_confiavel`]), the last address
/// of `X-Forwarded-For` (the one that proxy appended; what came before it, anyone could write).
pub struct DeOnde(pub Origem);

impl FromRequestParts<AppState> for DeOnde {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let par = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        let encaminhado = if app.proxy_confiavel {
            ultimo_encaminhado(&parts.headers)
        } else {
            None
        };
        Ok(DeOnde(Origem::de(encaminhado.or(par))))
    }
}

fn ultimo_encaminhado(headers: &HeaderMap) -> Option<IpAddr> {
    // The last entry of the last header line: what the trusted proxy wrote. Anything unreadable
    // there falls back to the peer address (never to an entry the client wrote).
    let ultimo = headers
        .get_all("x-forwarded-for")
        .iter()
        .next_back()?
        .to_str()
        .ok()?
        .rsplit(',')
        .next()?
        .trim();
    ultimo
        .parse::<IpAddr>()
        .ok()
        .or_else(|| ultimo.parse::<SocketAddr>().ok().map(|s| s.ip()))
}

/// Where a redirect goes when the requested destination is not a path of this site.
pub const DESTINO_PADRAO: &str = "/painel";

/// `v` if it is a path on this site, else [`DESTINO_PADRAO`]. Every redirect the web builds
/// from user input goes through here (`volta` after sign-in, form fields naming a page).
///
/// Accepted: printable ASCII starting with exactly one `/`, with no backslash (browsers read
/// `/\host` as `//host`, another site), no control character or space (browsers drop tabs and
/// newlines, so `/\t/host` is `//host` too) — in the text as given and in every percent-decoded
/// form of it (`/%5Chost`, `/%2F/host`, `%0d%0a`). A scheme (`https:`, `javascript:`) cannot
/// start with `/`, so it is refused as well.
pub fn destino_seguro(v: Option<&str>) -> String {
    match v {
        Some(v) if caminho_deste_site(v) => v.to_owned(),
        _ => DESTINO_PADRAO.to_owned(),
    }
}

fn caminho_deste_site(v: &str) -> bool {
    if v.len() > 2048 || !v.bytes().all(|b| b.is_ascii_graphic()) {
        return false;
    }
    let mut forma = v.as_bytes().to_vec();
    // Decoding twice covers double encoding (`%255C`); what still decodes further is refused.
    for _ in 0..3 {
        let so_um_barra = forma.first() == Some(&b'/') && forma.get(1) != Some(&b'/');
        if !so_um_barra || forma.iter().any(|b| *b == b'\\' || b.is_ascii_control()) {
            return false;
        }
        let decodificada = decodificar(&forma);
        if decodificada == forma {
            return true;
        }
        forma = decodificada;
    }
    false
}

/// Percent-decoding of bytes (`%XX` → the byte; anything else as it is).
fn decodificar(s: &[u8]) -> Vec<u8> {
    let hex = |b: u8| (b as char).to_digit(16);
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        if s[i] == b'%' {
            if let (Some(a), Some(b)) = (
                s.get(i + 1).copied().and_then(hex),
                s.get(i + 2).copied().and_then(hex),
            ) {
                out.push((a * 16 + b) as u8);
                i += 3;
                continue;
            }
        }
        out.push(s[i]);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destino_so_aceita_caminhos_deste_site() {
        let hostis = [
            "//evil.example/x",
            "/\\evil.example/x",
            "\\/evil.example/x",
            "/%5Cevil.example",
            "/%5cevil.example",
            "/%255Cevil.example",
            "%2F%2Fevil.example",
            "/%2F/evil.example",
            "/%2f%2fevil.example",
            "https://evil.example",
            "javascript:alert(1)",
            "/\t/evil.example",
            "/\r\n/evil.example",
            "/painel%0d%0aSet-Cookie:%20x=1",
            "/painel%0aLocation:x",
            "/%09/evil.example",
            " /painel",
            "/painel ",
            "/pa\u{e7}o",
            "/painel\u{7f}",
            "/%25252525",
            "",
        ];
        for h in hostis {
            assert_eq!(destino_seguro(Some(h)), "/painel", "{h:?}");
        }
        assert_eq!(destino_seguro(None), "/painel");
        let bons = [
            "/painel",
            "/processos/2025000000123?aba=atendimentos",
            "/atendimentos?nome=Jo%C3%A3o%20Silva&pagina=2",
            "/cobranca#gru",
            "/entrar?volta=/painel",
        ];
        for b in bons {
            assert_eq!(destino_seguro(Some(b)), b, "{b:?}");
        }
    }
}
