//! The errors no handler writes: an unknown route (404), a method the route does not have (405,
//! with `Allow`), and axum's own extractor rejections — path, query, form, JSON, body limit (413),
//! content type (415) — which leave axum as English plain text. One middleware,
//! [`padronizar`], rewrites every such answer once: RFC 9457 problem+json in pt-BR for the API
//! (`/api`, `/oauth`, `/health`) and for any client that does not ask for HTML; the web's HTML
//! error page for a browser on any other path. Bodies parsed by handlers go through
//! [`ler_json`], whose messages are pt-BR and name the field.

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use crate::app::AppState;
use crate::problem::Problem;
use crate::web::PaginaDeErro;

/// axum's default body limit, for routes without their own.
pub const LIMITE_PADRAO: usize = 2 * 1024 * 1024;

/// The most a CNAB 240 return file may have (`POST /api/v1/retornos`).
pub const LIMITE_RETORNO: usize = 64 * 1024 * 1024;

/// The body limit a route documents (what a 413 says).
fn limite_documentado(caminho: &str) -> usize {
    match caminho {
        "/api/v1/documentos" => crate::servicos::documentos::LIMITE_BYTES,
        "/api/v1/lotes" => crate::servicos::lotes::LIMITE_ZIP,
        "/api/v1/retornos" => LIMITE_RETORNO,
        _ => LIMITE_PADRAO,
    }
}

/// Paths whose errors are always problem+json, whatever the client accepts.
pub fn e_da_api(caminho: &str) -> bool {
    caminho == "/api"
        || caminho.starts_with("/api/")
        || caminho == "/oauth"
        || caminho.starts_with("/oauth/")
        || caminho == "/health"
}

fn quer_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"))
}

/// An error answer nobody wrote for a person: axum's rejections (`text/plain`) and the empty
/// 404/405 of the router.
fn e_cru(r: &Response) -> bool {
    if !(r.status().is_client_error() || r.status().is_server_error()) {
        return false;
    }
    match r.headers().get(header::CONTENT_TYPE) {
        None => true,
        Some(v) => v.as_bytes().starts_with(b"text/plain"),
    }
}

/// The middleware (outermost but for request ids and tracing): see the module's documentation.
/// A web error page ([`crate::web::erro`]) and any raw error a browser gets are drawn with the
/// application's whole frame: banner, and the menu when the request's session is valid.
pub async fn padronizar(State(app): State<AppState>, req: Request, next: Next) -> Response {
    let caminho = req.uri().path().to_owned();
    let metodo = req.method().clone();
    let html = quer_html(req.headers()) && !e_da_api(&caminho);
    // What the error page needs of the request: the session cookie and the request id.
    let pedido = cabecalhos_do_pedido(req.headers());
    let r = next.run(req).await;
    if let Some(p) = r.extensions().get::<PaginaDeErro>().cloned() {
        let (partes, _) = r.into_parts();
        let pagina = crate::web::pagina_de_erro(&app, &pedido, partes.status, &p).await;
        return com_corpo(partes, pagina);
    }
    if !e_cru(&r) {
        return r;
    }
    let (partes, corpo) = r.into_parts();
    let texto = axum::body::to_bytes(corpo, 64 * 1024)
        .await
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    if html {
        let p = para_pessoas(partes.status, &texto, &metodo, &caminho);
        let pagina = crate::web::pagina_de_erro(&app, &pedido, partes.status, &p).await;
        return com_corpo(partes, pagina);
    }
    let problema = traduzir(partes.status, &texto, &metodo, &caminho, &partes.headers);
    let mut nova = problema.into_response();
    *nova.status_mut() = partes.status;
    for (nome, valor) in &partes.headers {
        if nome != header::CONTENT_TYPE && nome != header::CONTENT_LENGTH {
            nova.headers_mut().insert(nome.clone(), valor.clone());
        }
    }
    nova
}

fn cabecalhos_do_pedido(h: &HeaderMap) -> HeaderMap {
    let mut copia = HeaderMap::new();
    for nome in [header::COOKIE, HeaderName::from_static("x-request-id")] {
        for v in h.get_all(&nome) {
            copia.append(nome.clone(), v.clone());
        }
    }
    copia
}

/// The answer of `partes` (status, `Allow`, …) with `pagina` as its HTML body.
fn com_corpo(mut partes: axum::http::response::Parts, pagina: maud::Markup) -> Response {
    partes.headers.remove(header::CONTENT_LENGTH);
    partes.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    Response::from_parts(partes, axum::body::Body::from(pagina.into_string()))
}

/// What a person in a browser reads for a raw error: what happened and what to do, without the
/// API's vocabulary (methods, media types, field names).
fn para_pessoas(status: StatusCode, texto: &str, metodo: &Method, caminho: &str) -> PaginaDeErro {
    let (titulo, mensagem) = match status {
        StatusCode::NOT_FOUND => (
            "Página não encontrada",
            format!("Não há página em {caminho}. Confira o endereço ou use o menu."),
        ),
        StatusCode::METHOD_NOT_ALLOWED if *metodo == Method::GET || *metodo == Method::HEAD => (
            "Esta página não abre assim",
            "Este endereço recebe formulários e não é uma página para abrir. Use o menu ou volte à página anterior.".to_owned(),
        ),
        StatusCode::METHOD_NOT_ALLOWED => (
            "Ação não aceita aqui",
            "Este endereço não recebe formulários. Volte à página anterior, recarregue-a e use os botões dela.".to_owned(),
        ),
        StatusCode::PAYLOAD_TOO_LARGE => (
            "Arquivo grande demais",
            format!(
                "O envio passa do limite de {} MB; envie um arquivo menor ou divida o envio.",
                limite_documentado(caminho) / (1024 * 1024)
            ),
        ),
        s if s.is_server_error() => {
            tracing::error!(status = s.as_u16(), corpo = %texto, "server error shown to a browser");
            (
                "Algo deu errado do nosso lado",
                "Não foi possível concluir agora. Tente de novo em instantes; se persistir, informe ao suporte o código abaixo.".to_owned(),
            )
        }
        _ => (
            "Pedido não entendido",
            "Os dados enviados não puderam ser lidos. Volte à página anterior, confira o formulário e envie de novo.".to_owned(),
        ),
    };
    PaginaDeErro {
        titulo: titulo.to_owned(),
        mensagem,
    }
}

/// The problem for a raw answer of `status` whose body was `texto`.
fn traduzir(
    status: StatusCode,
    texto: &str,
    metodo: &Method,
    caminho: &str,
    headers: &HeaderMap,
) -> Problem {
    let depois = |prefixo: &str| {
        texto
            .strip_prefix(prefixo)
            .map(|r| r.trim_start_matches(':').trim())
    };
    match status {
        StatusCode::NOT_FOUND => Problem::new(status, "nao-encontrado", "Recurso não encontrado")
            .detail(format!(
                "Não há nada em {caminho}. As operações da API estão descritas em /api/docs."
            )),
        StatusCode::METHOD_NOT_ALLOWED => {
            let allow = headers
                .get(header::ALLOW)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .replace(',', ", ");
            Problem::new(status, "metodo-nao-permitido", "Método não permitido").detail(format!(
                "{metodo} não é aceito em {caminho}; use {allow}."
            ))
        }
        StatusCode::PAYLOAD_TOO_LARGE => {
            Problem::new(status, "corpo-grande-demais", "Corpo grande demais").detail(format!(
                "O corpo da requisição passa do limite de {} MB desta operação; envie um arquivo menor ou divida o envio.",
                limite_documentado(caminho) / (1024 * 1024)
            ))
        }
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            let tipo = ["application/json", "application/x-www-form-urlencoded", "multipart/form-data"]
                .into_iter()
                .find(|t| texto.contains(t));
            Problem::new(status, "tipo-de-conteudo", "Tipo de conteúdo não aceito").detail(
                match tipo {
                    Some(t) => format!("Envie o corpo com Content-Type: {t}."),
                    None => "Confira em /api/docs o Content-Type que esta operação aceita."
                        .to_owned(),
                },
            )
        }
        StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY => {
            let detalhe = if texto.starts_with("Invalid URL") {
                return Problem::new(status, "caminho-invalido", "Endereço inválido")
                    .detail(detalhe_do_caminho(texto));
            } else if let Some(r) = depois("Failed to deserialize query string") {
                format!("parâmetros da consulta inválidos: {}", traduzir_serde(r))
            } else if let Some(r) = depois("Failed to deserialize form body")
                .or_else(|| depois("Failed to deserialize form"))
            {
                format!("formulário inválido: {}", traduzir_serde(r))
            } else if let Some(r) = depois("Failed to parse the request body as JSON")
                .or_else(|| depois("Failed to deserialize the JSON body into the target type"))
            {
                format!("corpo JSON inválido: {}", traduzir_serde(r))
            } else if texto.starts_with("Failed to buffer the request body") {
                "não foi possível ler o corpo da requisição; envie-o de novo".to_owned()
            } else {
                "a requisição não pôde ser entendida; confira-a com a descrição em /api/docs"
                    .to_owned()
            };
            if status == StatusCode::BAD_REQUEST {
                Problem::new(status, "requisicao-invalida", "Requisição inválida").detail(detalhe)
            } else {
                Problem::invalid(detalhe)
            }
        }
        s if s.is_server_error() => Problem::internal(&texto),
        s => Problem::new(s, "requisicao-recusada", "Requisição recusada").detail(format!(
            "O servidor recusou a requisição (HTTP {}); confira-a com a descrição em /api/docs.",
            s.as_u16()
        )),
    }
}

/// axum's `Path` rejection, in pt-BR, with the value that did not parse.
fn detalhe_do_caminho(texto: &str) -> String {
    if texto.contains("UTF-8") {
        return "o endereço tem bytes que não formam texto UTF-8; codifique cada parâmetro do caminho em UTF-8 (percent-encoding)".to_owned();
    }
    let crase = |r: &str| r.split_once('`').map(|(v, _)| v.to_owned());
    let valor = texto
        .split_once("with value `")
        .or_else(|| texto.split_once("Cannot parse `"))
        .and_then(|(_, r)| crase(r));
    let tipo = texto.rsplit_once("to a `").and_then(|(_, r)| crase(r));
    let esperado = match tipo.as_deref() {
        Some("i64") => "um número inteiro de no máximo 9223372036854775807",
        Some("i32") => "um número inteiro de no máximo 2147483647",
        Some("u32") => "um número inteiro de 0 a 4294967295",
        _ => "um valor válido para este parâmetro",
    };
    match valor {
        Some(v) => format!("o valor \"{v}\" no caminho deveria ser {esperado}"),
        None => format!("um parâmetro do caminho deveria ser {esperado}"),
    }
}

/// Reads a JSON body — an object, as every body of the API is — into `T`; the refusal (422)
/// names the field and says what is wrong in pt-BR, with line and column for malformed JSON.
pub fn ler_json<T: DeserializeOwned>(corpo: &[u8]) -> Result<T, Problem> {
    match corpo.iter().find(|b| !b.is_ascii_whitespace()) {
        None => {
            return Err(Problem::invalid(
                "o corpo está vazio: envie um objeto JSON (Content-Type: application/json)",
            ))
        }
        // serde would build a struct from an array too (`[1, 2]`): the API takes objects only.
        Some(b'[') => {
            return Err(Problem::invalid(
                "o corpo deve ser um objeto JSON ({…}), não uma lista; veja o esquema em /api/docs",
            ))
        }
        Some(_) => {}
    }
    let mut de = serde_json::Deserializer::from_slice(corpo);
    let valor = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let campo = e.path().to_string();
        json_invalido(&campo, e.inner())
    })?;
    de.end().map_err(|e| json_invalido(".", &e))?;
    Ok(valor)
}

fn json_invalido(campo: &str, e: &serde_json::Error) -> Problem {
    let no_campo = if e.classify() == serde_json::error::Category::Data && campo != "." {
        format!(" no campo {campo}")
    } else {
        String::new()
    };
    Problem::invalid(format!(
        "corpo JSON inválido{no_campo}: {}",
        traduzir_serde(&e.to_string())
    ))
}

/// serde's and serde_json's English messages (and chrono's for dates) in pt-BR. What is not
/// recognised becomes a generic sentence: never English.
pub fn traduzir_serde(mensagem: &str) -> String {
    let (frase, posicao) = match mensagem.rsplit_once(" at line ") {
        Some((f, p)) => match p.split_once(" column ") {
            Some((l, c)) => (f, Some(format!(" (linha {l}, coluna {c})"))),
            None => (mensagem, None),
        },
        None => (mensagem, None),
    };
    // axum's extractors put the field's path first (serde_path_to_error): `abi: invalid digit…`.
    let (campo, frase) = match frase.split_once(": ") {
        Some((c, f))
            if !c.is_empty()
                && c != "."
                && c.chars()
                    .all(|x| x.is_ascii_alphanumeric() || "_.[]".contains(x)) =>
        {
            (Some(c), f)
        }
        _ => (None, frase),
    };
    let frase = frase_em_portugues(frase.trim());
    let campo = match campo {
        Some(c) if !frase.contains(&format!("\"{c}\"")) => format!("{c}: "),
        _ => String::new(),
    };
    format!("{campo}{frase}{}", posicao.unwrap_or_default())
}

/// The names between backticks in `s`, in order.
fn citados(s: &str) -> Vec<&str> {
    s.split('`').skip(1).step_by(2).collect()
}

fn frase_em_portugues(m: &str) -> String {
    let lista = |r: &str| citados(r).get(1..).unwrap_or_default().join(", ");
    let primeiro = |r: &str| citados(r).first().copied().unwrap_or("").to_owned();
    if let Some(r) = m.strip_prefix("unknown field ") {
        let aceitos = lista(r);
        return if aceitos.is_empty() {
            format!(
                "campo desconhecido \"{}\": este objeto não tem campos",
                primeiro(r)
            )
        } else {
            format!(
                "campo desconhecido \"{}\"; os campos aceitos são: {aceitos}",
                primeiro(r)
            )
        };
    }
    if let Some(r) = m.strip_prefix("unknown variant ") {
        return format!(
            "valor \"{}\" não aceito; use um de: {}",
            primeiro(r),
            lista(r)
        );
    }
    if let Some(r) = m.strip_prefix("missing field ") {
        return format!("falta o campo obrigatório \"{}\"", primeiro(r));
    }
    if let Some(r) = m.strip_prefix("duplicate field ") {
        return format!("o campo \"{}\" aparece mais de uma vez", primeiro(r));
    }
    for (prefixo, nome) in [
        ("invalid type: ", "tipo inválido"),
        ("invalid value: ", "valor inválido"),
    ] {
        if let Some(r) = m.strip_prefix(prefixo) {
            let (veio, esperado) = r.split_once(", expected ").unwrap_or((r, ""));
            return format!(
                "{nome}: veio {}, esperava-se {}",
                recebido(veio),
                esperado_em_portugues(esperado)
            );
        }
    }
    if let Some(r) = m.strip_prefix("invalid length ") {
        let (n, esperado) = r.split_once(", expected ").unwrap_or((r, ""));
        return format!(
            "tamanho inválido ({n}); esperava-se {}",
            esperado_em_portugues(esperado)
        );
    }
    let fixa = match m {
        s if s.starts_with("EOF while parsing") => "o JSON termina antes da hora",
        "trailing characters" => "há conteúdo depois do fim do JSON",
        "expected value" => {
            "esperava-se um valor JSON (objeto, lista, texto, número, true, false ou null)"
        }
        "expected `,` or `}`" => "esperava-se \",\" ou \"}\"",
        "expected `,` or `]`" => "esperava-se \",\" ou \"]\"",
        "expected `:`" => "esperava-se \":\"",
        "expected ident" => "palavra inválida: use true, false ou null",
        "key must be a string" => "as chaves de um objeto JSON são textos entre aspas",
        "trailing comma" => "vírgula sobrando",
        "invalid number" | "invalid digit found in string" => "número inválido",
        "number out of range" | "number too large to fit in target type" => "número grande demais",
        "number too small to fit in target type" => "número pequeno demais",
        "cannot parse integer from empty string" => "número vazio",
        "invalid escape"
        | "invalid unicode code point"
        | "lone leading surrogate in hex escape"
        | "unexpected end of hex escape" => "sequência de escape inválida num texto",
        s if s.starts_with("control character") => "caractere de controle dentro de um texto",
        "recursion limit exceeded" => "JSON aninhado demais",
        "input contains invalid characters" | "bad or unsupported format string" => {
            "data inválida: use AAAA-MM-DD"
        }
        "premature end of input" | "input is not enough for unique date and time" => {
            "data incompleta: use AAAA-MM-DD"
        }
        "input is out of range" | "no possible date and time matching input" => {
            "data inexistente no calendário"
        }
        "trailing input" => "sobra texto depois da data: use AAAA-MM-DD",
        _ => "conteúdo fora do formato esperado; confira-o com a descrição em /api/docs",
    };
    fixa.to_owned()
}

/// serde's `Unexpected` (what came), in pt-BR.
fn recebido(veio: &str) -> String {
    let valor = citados(veio).first().map(|v| v.to_string());
    if let Some(t) = veio.strip_prefix("string ") {
        return format!("o texto {t}");
    }
    match veio.split_whitespace().next().unwrap_or("") {
        "integer" | "floating" => format!("o número {}", valor.unwrap_or_default()),
        "boolean" => format!("o valor {}", valor.unwrap_or_default()),
        "null" => "null".to_owned(),
        "sequence" => "uma lista".to_owned(),
        "map" => "um objeto".to_owned(),
        "unit" => "um valor vazio".to_owned(),
        "character" => format!("o caractere {}", valor.unwrap_or_default()),
        _ => "outro tipo".to_owned(),
    }
}

/// serde's `expected` (a Rust type or a visitor's words), in pt-BR.
fn esperado_em_portugues(e: &str) -> String {
    let e = e.trim();
    let texto = match e {
        "i8" | "i16" | "i32" | "i64" | "isize" | "an integer" | "i128" => "um número inteiro",
        "u8" | "u16" | "u32" | "u64" | "usize" | "u128" => "um número inteiro não negativo",
        "f32" | "f64" | "a number" => "um número",
        "a string" | "a borrowed string" | "a character" | "a char" => "um texto",
        "a boolean" | "bool" => "true ou false",
        "a sequence" | "a list" => "uma lista",
        "a map" => "um objeto",
        "unit" => "nada",
        "a formatted date string" => "uma data AAAA-MM-DD",
        "a formatted date and time string"
        | "a formatted date and time string or a unix timestamp" => "um instante RFC 3339",
        s if s.starts_with("struct ") => "um objeto",
        s if s.starts_with("tuple") => "uma lista",
        s if s.starts_with("option") => "um valor ou null",
        _ => "outro formato (veja /api/docs)",
    };
    texto.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mensagens_do_serde_viram_portugues_com_linha_e_coluna() {
        assert_eq!(
            traduzir_serde("unknown field `x`, expected one of `a`, `b` at line 1 column 5"),
            "campo desconhecido \"x\"; os campos aceitos são: a, b (linha 1, coluna 5)"
        );
        assert_eq!(
            traduzir_serde("unknown field `x`, there are no fields"),
            "campo desconhecido \"x\": este objeto não tem campos"
        );
        assert_eq!(
            traduzir_serde("invalid type: string \"um\", expected i64 at line 1 column 16"),
            "tipo inválido: veio o texto \"um\", esperava-se um número inteiro (linha 1, coluna 16)"
        );
        assert_eq!(
            traduzir_serde("invalid value: integer `-1`, expected u32"),
            "valor inválido: veio o número -1, esperava-se um número inteiro não negativo"
        );
        assert_eq!(
            traduzir_serde("missing field `parcelas`"),
            "falta o campo obrigatório \"parcelas\""
        );
        assert_eq!(
            traduzir_serde("abi: invalid digit found in string"),
            "abi: número inválido"
        );
        assert_eq!(
            traduzir_serde("operadora: unknown field `operadora`, expected `abi` or `em`"),
            "campo desconhecido \"operadora\"; os campos aceitos são: abi, em"
        );
        assert_eq!(
            traduzir_serde("something serde may say one day"),
            "conteúdo fora do formato esperado; confira-o com a descrição em /api/docs"
        );
    }

    #[test]
    fn o_valor_do_caminho_que_nao_cabe_e_citado() {
        assert_eq!(
            detalhe_do_caminho("Invalid URL: Cannot parse `9223372036854775808` to a `i64`"),
            "o valor \"9223372036854775808\" no caminho deveria ser um número inteiro de no máximo 9223372036854775807"
        );
        assert!(detalhe_do_caminho("Invalid URL: Invalid UTF-8 in `numero`").contains("UTF-8"));
    }

    #[test]
    fn ler_json_nomeia_o_campo_e_recusa_o_que_sobra() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct X {
            itens: Vec<i64>,
        }
        let e = ler_json::<X>(br#"{"itens":[1,"dois"]}"#).unwrap_err();
        assert_eq!(e.status, 422);
        assert!(
            e.detail
                .as_deref()
                .unwrap_or("")
                .contains("no campo itens[1]"),
            "{e:?}"
        );
        let e = ler_json::<X>(br#"{"itens":[]} {}"#).unwrap_err();
        assert!(
            e.detail.as_deref().unwrap_or("").contains("depois do fim"),
            "{e:?}"
        );
        assert!(ler_json::<X>(br#" {"itens":[]} "#).is_ok());
        // serde alone would take the struct from an array.
        let e = ler_json::<X>(b" [[1]]").unwrap_err();
        assert!(
            e.detail.as_deref().unwrap_or("").contains("objeto JSON"),
            "{e:?}"
        );
    }
}
