//! What keeps the web application's answers safe in a browser: redirects built from user input
//! stay on this site ([`destino_seguro`]).

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
