//! File names on the way out: every download's `Content-Disposition` is built here, per
//! RFC 6266 with an RFC 5987 `filename*` — an ASCII fallback for old clients and the exact
//! UTF-8 name for the others. Any string is safe to pass (names stored before they were
//! sanitized on the way in included): the header is always valid.

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};

/// A download: `corpo` as `tipo` (a static media type), saved by the browser as `nome`.
pub fn resposta(tipo: &'static str, nome: &str, corpo: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(tipo)),
            (header::CONTENT_DISPOSITION, content_disposition(nome)),
        ],
        corpo,
    )
        .into_response()
}

/// A file shown by the browser itself (a PDF in its viewer), named `nome` if saved.
pub fn em_linha(tipo: &'static str, nome: &str, corpo: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(tipo)),
            (header::CONTENT_DISPOSITION, disposicao("inline", nome)),
        ],
        corpo,
    )
        .into_response()
}

/// `attachment; filename="ascii-fallback.pdf"; filename*=UTF-8''percent-encoded.pdf`.
pub fn content_disposition(nome: &str) -> HeaderValue {
    disposicao("attachment", nome)
}

/// `<modo>; filename="…"; filename*=UTF-8''…` (`modo`: `attachment` or `inline`).
fn disposicao(modo: &'static str, nome: &str) -> HeaderValue {
    let nome: String = nome.chars().filter(|c| !c.is_control()).collect();
    let nome = if nome.trim().is_empty() {
        "arquivo".to_owned()
    } else {
        nome
    };
    let ascii: String = nome.chars().map(ascii).collect();
    let mut valor = format!("{modo}; filename=\"{ascii}\"; filename*=UTF-8''");
    for b in nome.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            valor.push(char::from(b));
        } else {
            valor.push_str(&format!("%{b:02X}"));
        }
    }
    // Only visible ASCII was written, so this cannot fail; the fallback keeps it total.
    HeaderValue::from_str(&valor).unwrap_or_else(|_| HeaderValue::from_static(modo))
}

/// A character of the quoted ASCII fallback: Portuguese letters lose their accents, the
/// quoted-string's specials and anything else outside visible ASCII become `_`.
fn ascii(c: char) -> char {
    const ACENTOS: [(&str, char); 12] = [
        ("áàâãäå", 'a'),
        ("ÁÀÂÃÄÅ", 'A'),
        ("éèêë", 'e'),
        ("ÉÈÊË", 'E'),
        ("íìîï", 'i'),
        ("ÍÌÎÏ", 'I'),
        ("óòôõö", 'o'),
        ("ÓÒÔÕÖ", 'O'),
        ("úùûü", 'u'),
        ("ÚÙÛÜ", 'U'),
        ("ç", 'c'),
        ("Ç", 'C'),
    ];
    match c {
        '"' | '\\' => '_',
        ' '..='~' => c,
        'ñ' => 'n',
        'Ñ' => 'N',
        _ => ACENTOS
            .iter()
            .find(|(de, _)| de.contains(c))
            .map_or('_', |(_, para)| *para),
    }
}

#[cfg(test)]
mod tests {
    use super::content_disposition;

    #[test]
    fn the_header_has_an_ascii_fallback_and_the_exact_utf8_name() {
        let h = content_disposition("Relatório de exclusão \"final\".pdf");
        assert_eq!(
            h.to_str().unwrap(),
            "attachment; filename=\"Relatorio de exclusao _final_.pdf\"; \
             filename*=UTF-8''Relat%C3%B3rio%20de%20exclus%C3%A3o%20%22final%22.pdf"
        );
    }

    #[test]
    fn control_characters_never_reach_the_header() {
        let h = content_disposition("a\r\nSet-Cookie: x=1\u{0}\u{7f}.csv");
        let v = h.to_str().unwrap();
        assert!(
            v.starts_with("attachment; filename=\"aSet-Cookie: x=1.csv\";"),
            "{v}"
        );
        assert!(v.ends_with("''aSet-Cookie%3A%20x%3D1.csv"), "{v}");
        assert_eq!(
            content_disposition("\r\n").to_str().unwrap(),
            "attachment; filename=\"arquivo\"; filename*=UTF-8''arquivo"
        );
    }
}
