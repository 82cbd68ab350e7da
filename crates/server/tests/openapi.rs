//! The OpenAPI document is locked: any change to a route, parameter, schema or answer shows up
//! here as a diff to review. To accept an intended change:
//! `PERSUS_ATUALIZAR_SNAPSHOT=1 cargo test -p persus-server --test openapi`.

#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use persus_domain::eventos::TipoEvento;
use persus_server::api::esquemas::documento;
use serde_json::Value;

fn caminho() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/openapi.json")
}

#[test]
fn o_documento_openapi_e_o_do_snapshot() {
    let atual = serde_json::to_string_pretty(&documento()).unwrap() + "\n";
    if std::env::var("PERSUS_ATUALIZAR_SNAPSHOT").is_ok_and(|v| v == "1") {
        std::fs::write(caminho(), &atual).unwrap();
    }
    let esperado = std::fs::read_to_string(caminho())
        .expect("tests/snapshots/openapi.json missing: run with PERSUS_ATUALIZAR_SNAPSHOT=1 once");
    assert!(
        atual == esperado,
        "the OpenAPI document changed; review the diff and, if intended, run with PERSUS_ATUALIZAR_SNAPSHOT=1"
    );
}

#[test]
fn o_documento_e_openapi_3_1_e_cobre_cada_rota_da_api() {
    let doc = serde_json::to_value(documento()).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let paths = doc["paths"].as_object().unwrap();
    for (rota, metodo) in [
        ("/oauth/token", "post"),
        ("/oauth/revoke", "post"),
        ("/api/v1/atendimentos", "get"),
        ("/api/v1/atendimentos/{numero}", "get"),
        ("/api/v1/notificacoes", "get"),
        ("/api/v1/notificacoes/{id}", "get"),
        ("/api/v1/processos", "get"),
        ("/api/v1/documentos", "post"),
        ("/api/v1/documentos/{id}", "get"),
        ("/api/v1/peticoes/{protocolo}", "get"),
        ("/api/v1/impugnacoes", "post"),
        ("/api/v1/recursos", "post"),
        ("/api/v1/filas/{instancia}", "get"),
        ("/api/v1/decisoes", "post"),
        ("/api/v1/abis", "get"),
        ("/api/v1/abis/{numero}/publicacao", "post"),
        ("/api/v1/lotes", "post"),
        ("/api/v1/lotes/{id}", "get"),
        ("/api/v1/webhooks", "post"),
        ("/api/v1/webhooks", "get"),
        ("/api/v1/webhooks/{id}", "delete"),
        ("/api/v1/webhooks/{id}/entregas", "get"),
        ("/api/v1/webhooks/{id}/teste", "post"),
        ("/api/v1/debitos", "get"),
        ("/api/v1/grus", "get"),
        ("/api/v1/grus", "post"),
        ("/api/v1/grus/{numero}", "get"),
        ("/api/v1/grus/{numero}/pdf", "get"),
        ("/api/v1/parcelamentos/simulacao", "post"),
        ("/api/v1/parcelamentos", "get"),
        ("/api/v1/parcelamentos", "post"),
        ("/api/v1/parcelamentos/{id}", "get"),
        ("/api/v1/parcelamentos/{id}/parcelas/{numero}/gru", "post"),
        ("/api/v1/retornos", "post"),
        ("/api/v1/pagamentos", "post"),
        ("/api/v1/extrato", "get"),
        ("/api/v1/creditos", "get"),
        ("/api/v1/arrecadacao", "get"),
        ("/api/v1/selic", "get"),
        ("/api/v1/selic", "post"),
        ("/api/v1/homologacao/grus/{numero}/pagamento", "post"),
        ("/api/v1/operadoras/{registro_ans}", "get"),
        ("/health", "get"),
    ] {
        let op = &paths[rota][metodo];
        assert!(op.is_object(), "{metodo} {rota} missing");
        if rota.starts_with("/api/v1") && !rota.starts_with("/api/v1/operadoras") {
            assert!(op["security"].is_array(), "{rota} without security");
            for status in ["401", "403", "429"] {
                assert!(
                    op["responses"][status].is_object(),
                    "{rota} without {status}"
                );
            }
        }
    }
    // Every schema a route references exists (a client generator would fail otherwise).
    let texto = doc.to_string();
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for r in texto.split("\"#/components/schemas/").skip(1) {
        let nome = &r[..r.find('"').unwrap()];
        assert!(schemas.contains_key(nome), "dangling reference to {nome}");
    }
    assert!(
        doc["components"]["securitySchemes"]["oauth2"]["flows"]["clientCredentials"]["tokenUrl"]
            == "/oauth/token"
    );
}

fn operacoes(doc: &Value) -> Vec<(String, String, Value)> {
    let mut v = Vec::new();
    for (rota, item) in doc["paths"].as_object().unwrap() {
        for (metodo, op) in item.as_object().unwrap() {
            v.push((rota.clone(), metodo.clone(), op.clone()));
        }
    }
    v
}

/// Errors are declared as RFC 9457 problem+json with the `Problem` schema — never as
/// `application/json` — except the RFC 6749 errors of `/oauth/*` (400 and 401), declared in
/// their own JSON shape.
#[test]
fn todo_erro_declarado_e_problem_json_salvo_os_da_rfc_6749() {
    let doc = serde_json::to_value(documento()).unwrap();
    for (rota, metodo, op) in operacoes(&doc) {
        for (status, r) in op["responses"].as_object().unwrap() {
            let n: u16 = status.parse().unwrap();
            if n < 400 || (rota == "/health" && n == 503) {
                continue;
            }
            let oauth = rota.starts_with("/oauth/") && (n == 400 || n == 401);
            let (tipo, esquema) = if oauth {
                ("application/json", "#/components/schemas/ErroOAuth")
            } else {
                ("application/problem+json", "#/components/schemas/Problem")
            };
            let tipos: Vec<&String> = r["content"].as_object().unwrap().keys().collect();
            assert_eq!(tipos, [tipo], "{metodo} {rota} {status}");
            assert_eq!(
                r["content"][tipo]["schema"]["$ref"], esquema,
                "{metodo} {rota} {status}"
            );
        }
    }
}

/// What every operation can answer is declared: 500 everywhere (but /health); 401, 403 and 429 where a token
/// is required; 413 where a body is read; 400 where the path has parameters (an unparsable
/// value: bytes that are not UTF-8, a number out of range); 422 on every POST (its
/// Idempotency-Key); 404 on what is ANS's alone.
#[test]
fn cada_operacao_declara_os_status_que_pode_responder() {
    let doc = serde_json::to_value(documento()).unwrap();
    let mut faltam = Vec::new();
    for (rota, metodo, op) in operacoes(&doc) {
        // /health answers 503 with its own body, never 500.
        let mut exigidos = if rota == "/health" {
            vec!["200", "503"]
        } else {
            vec!["500"]
        };
        if op["security"].is_array() {
            exigidos.extend(["401", "403", "429"]);
        }
        if op["requestBody"].is_object() {
            exigidos.push("413");
        }
        if rota.contains('{') {
            exigidos.push("400");
        }
        // Every POST of the API takes an Idempotency-Key: a malformed or reused one is 422.
        if metodo == "post" && rota.starts_with("/api/v1/") {
            exigidos.push("422");
        }
        let so_ans = op["security"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s["bearer"].as_array())
            .flatten()
            .all(|e| e.as_str().unwrap().starts_with("ans."));
        if op["security"].is_array() && so_ans {
            exigidos.push("404");
        }
        for s in exigidos {
            if !op["responses"][s].is_object() {
                faltam.push(format!("{metodo} {rota} {s}"));
            }
        }
    }
    assert!(faltam.is_empty(), "undeclared: {faltam:#?}");
}

/// The documented scopes of the sandbox payment are the ones the code accepts: the operator's
/// `financeiro` (its own GRUs) or ANS finance's `ans.financeiro` (any operator's).
#[test]
fn pagamento_simulado_em_homologacao_documenta_o_escopo_de_cada_lado() {
    let doc = serde_json::to_value(documento()).unwrap();
    let op = &doc["paths"]["/api/v1/homologacao/grus/{numero}/pagamento"]["post"];
    let mut escopos: Vec<&str> = op["security"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["oauth2"].as_array())
        .flatten()
        .map(|e| e.as_str().unwrap())
        .collect();
    escopos.sort_unstable();
    assert_eq!(
        escopos,
        ["ans.financeiro", "financeiro"],
        "{}",
        op["security"]
    );
}

/// The operations of `paths` and of the OpenAPI 3.1 `webhooks` (what persus sends).
fn operacoes_e_webhooks(doc: &Value) -> Vec<(String, String, Value)> {
    let mut v = operacoes(doc);
    for (evento, item) in doc["webhooks"].as_object().unwrap() {
        for (metodo, op) in item.as_object().unwrap() {
            v.push((format!("webhook {evento}"), metodo.clone(), op.clone()));
        }
    }
    v
}

fn descrito(v: &Value) -> bool {
    v["description"]
        .as_str()
        .is_some_and(|d| !d.trim().is_empty())
}

/// A file travels as bytes: there is nothing to show as an example.
fn binario(conteudo: &Value) -> bool {
    conteudo["schema"]["format"] == "binary"
}

/// An integrator can use the API from the document alone: every operation (webhooks included)
/// is described and has an example — of each body it takes and each success body it answers
/// (files excepted), or, with no body either way, of its parameters; every parameter is
/// described with an example; every schema and every property (at any depth, in the webhook
/// bodies too) is described.
#[test]
fn cada_operacao_parametro_e_propriedade_tem_descricao_e_exemplo() {
    let doc = documento();
    let mut faltam = Vec::new();
    for (rota, metodo, op) in operacoes_e_webhooks(&doc) {
        let nome = format!("{metodo} {rota}");
        if !descrito(&op) {
            faltam.push(format!("{nome}: description"));
        }
        let mut exemplos = 0;
        for p in op["parameters"].as_array().into_iter().flatten() {
            let n = p["name"].as_str().unwrap();
            if !descrito(p) {
                faltam.push(format!("{nome}: parameter {n} description"));
            }
            if p.get("example").is_none() {
                faltam.push(format!("{nome}: parameter {n} example"));
            }
            exemplos += 1;
        }
        let mut corpos: Vec<(String, &Value)> = op["requestBody"]["content"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(t, c)| (format!("request {t}"), c))
            .collect();
        for (status, r) in op["responses"].as_object().unwrap() {
            if status.starts_with('2') {
                for (t, c) in r["content"].as_object().into_iter().flatten() {
                    corpos.push((format!("{status} {t}"), c));
                }
            }
        }
        for (onde, c) in corpos {
            if binario(c) {
                continue;
            }
            if c.get("example").is_some() {
                exemplos += 1;
            } else {
                faltam.push(format!("{nome}: example of {onde}"));
            }
        }
        if exemplos == 0 {
            faltam.push(format!("{nome}: no example at all"));
        }
    }
    let mut esquemas: Vec<(String, Value)> = doc["components"]["schemas"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(n, s)| (n.clone(), s.clone()))
        .collect();
    for (rota, _, op) in operacoes_e_webhooks(&doc) {
        if rota.starts_with("webhook ") {
            let s = op["requestBody"]["content"]["application/json"]["schema"].clone();
            esquemas.push((rota, s));
        }
    }
    for (nome, s) in &esquemas {
        if !descrito(s) && !nome.starts_with("webhook ") {
            faltam.push(format!("schema {nome}: description"));
        }
        propriedades_descritas(nome, s, &mut faltam);
    }
    assert!(faltam.is_empty(), "{} missing: {faltam:#?}", faltam.len());
}

fn propriedades_descritas(caminho: &str, s: &Value, faltam: &mut Vec<String>) {
    for (p, v) in s["properties"].as_object().into_iter().flatten() {
        if !descrito(v) {
            faltam.push(format!("{caminho}.{p}: description"));
        }
        propriedades_descritas(&format!("{caminho}.{p}"), v, faltam);
    }
    propriedades_descritas_em(caminho, &s["items"], faltam);
    for chave in ["allOf", "oneOf", "anyOf"] {
        for x in s[chave].as_array().into_iter().flatten() {
            propriedades_descritas_em(caminho, x, faltam);
        }
    }
}

fn propriedades_descritas_em(caminho: &str, s: &Value, faltam: &mut Vec<String>) {
    if s.is_object() {
        propriedades_descritas(caminho, s, faltam);
    }
}

/// The texts and examples kept as data (`api/documentacao.json`, `api/exemplos.json`) name only
/// what exists: a renamed schema, property, operation or status fails here instead of leaving
/// a text that nothing uses.
#[test]
fn textos_e_exemplos_so_citam_o_que_existe() {
    use persus_server::api::documentacao::{EXEMPLOS, TEXTOS};
    let doc = documento();
    let mut sobram = Vec::new();
    for (nome, t) in TEXTOS["esquemas"].as_object().unwrap() {
        let s = &doc["components"]["schemas"][nome];
        if !s.is_object() {
            sobram.push(format!("schema {nome}"));
        }
        for p in t["propriedades"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|x| x.0)
        {
            // A struct with a flattened field has its own properties in an `allOf` member.
            let em_all_of = s["allOf"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|x| x["properties"][p].is_object());
            if !s["properties"][p].is_object() && !em_all_of {
                sobram.push(format!("{nome}.{p}"));
            }
        }
    }
    let todos: Vec<(String, String, Value)> = operacoes(&doc);
    for p in TEXTOS["parametros"].as_object().unwrap().keys() {
        let usado = todos.iter().any(|(_, _, op)| {
            op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|x| x["name"] == p.as_str())
        });
        if !usado {
            sobram.push(format!("parameter {p}"));
        }
    }
    for (chave, por_status) in EXEMPLOS.as_object().unwrap() {
        let (metodo, rota) = chave.split_once(' ').unwrap();
        let op = &doc["paths"][rota][metodo];
        if !op.is_object() {
            sobram.push(format!("examples of {chave}"));
            continue;
        }
        for onde in por_status.as_object().unwrap().keys() {
            let (onde, tipo) = onde
                .split_once(' ')
                .map_or((onde.as_str(), None), |(o, t)| (o, Some(t)));
            let alvo = if onde == "requisicao" {
                &op["requestBody"]
            } else {
                &op["responses"][onde]
            };
            let existe = match tipo {
                Some(t) => alvo["content"][t].is_object(),
                None => alvo["content"].is_object(),
            };
            if !existe {
                sobram.push(format!("example {chave} {onde} {tipo:?}"));
            }
        }
    }
    let eventos: Vec<&String> = TEXTOS["eventos"].as_object().unwrap().keys().collect();
    let mut tipos: Vec<&str> = TipoEvento::TODOS.iter().map(|t| t.as_str()).collect();
    tipos.sort_unstable();
    assert_eq!(eventos, tipos, "one text per webhook event type");
    assert!(sobram.is_empty(), "stale entries: {sobram:#?}");
}

/// Closed lists are enums in the document, taken from the code that defines them: the grounds
/// of the catalogue, the states of the lifecycle, the webhook event types; files are binary;
/// `servers` is set; the rate limit is stated with its value.
#[test]
fn enums_binarios_servers_e_limite_estao_no_documento() {
    let doc = documento();
    let s = &doc["components"]["schemas"];
    let motivos: Vec<String> =
        persus_domain::motivos::parse_catalogo(persus_domain::motivos::CATALOGO_PADRAO_CSV)
            .unwrap()
            .into_iter()
            .map(|m| m.codigo)
            .collect();
    assert!(!motivos.is_empty());
    assert_eq!(
        s["NovaPeticao"]["properties"]["motivo"]["enum"],
        serde_json::json!(motivos)
    );
    let estados: Vec<&str> = persus_domain::lifecycle::Estado::todos()
        .iter()
        .map(|e| e.as_str())
        .collect();
    assert_eq!(
        s["Resumo"]["properties"]["estado"]["enum"],
        serde_json::json!(estados)
    );
    let tipos: Vec<&str> = TipoEvento::TODOS.iter().map(|t| t.as_str()).collect();
    let tipos = serde_json::json!(tipos);
    assert_eq!(s["TipoEvento"]["enum"], tipos);
    assert_eq!(
        s["NovoWebhook"]["properties"]["eventos"]["items"]["enum"],
        tipos
    );
    assert_eq!(
        s["Assinatura"]["properties"]["eventos"]["items"]["enum"],
        tipos
    );
    // A nullable property's enum admits null, or a valid answer would fail validation.
    let formas = &s["ItemFeed"]["properties"]["ciencia_forma"]["enum"];
    assert!(
        formas.as_array().unwrap().contains(&Value::Null),
        "{formas}"
    );
    let busca = doc["paths"]["/api/v1/atendimentos"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "estado")
        .unwrap()
        .clone();
    assert_eq!(
        busca["schema"]["enum"],
        serde_json::json!(estados),
        "{busca}"
    );
    for (rota, metodo, onde, tipo) in [
        (
            "/api/v1/documentos",
            "post",
            "requestBody",
            "application/pdf",
        ),
        ("/api/v1/lotes", "post", "requestBody", "application/zip"),
        (
            "/api/v1/retornos",
            "post",
            "requestBody",
            "application/octet-stream",
        ),
        ("/api/v1/grus/{numero}/pdf", "get", "200", "application/pdf"),
        ("/api/v1/documentos/{id}", "get", "200", "application/pdf"),
    ] {
        let op = &doc["paths"][rota][metodo];
        let c = if onde == "requestBody" {
            &op["requestBody"]["content"][tipo]
        } else {
            &op["responses"][onde]["content"][tipo]
        };
        assert_eq!(
            c["schema"]["format"], "binary",
            "{metodo} {rota} {tipo}: {c}"
        );
    }
    assert!(doc["servers"][0]["url"].is_string());
    let limite = persus_server::servicos::aplicacoes::LIMITE_PADRAO.to_string();
    let info = doc["info"]["description"].as_str().unwrap();
    assert!(info.contains(&limite) && info.contains("429"), "{info}");
    for t in TipoEvento::TODOS {
        let op = &doc["webhooks"][t.as_str()]["post"];
        assert!(
            op["description"].as_str().unwrap().contains("HMAC-SHA256"),
            "webhook {t:?}: the signature check is explained"
        );
    }
}

/// Each webhook's body is the delivered message — `tipo` (that event's code, said in pt-BR in
/// the summary), `em` and `dados` — and its example is one such message, of that type, whose
/// `dados` carries every field the schema requires (what `webhooks::mensagem` sends).
#[test]
fn cada_webhook_documenta_tipo_em_e_dados_com_exemplo_do_proprio_tipo() {
    let doc = documento();
    for t in TipoEvento::TODOS {
        let op = &doc["webhooks"][t.as_str()]["post"];
        assert_eq!(op["summary"], t.rotulo(), "{t:?}");
        let corpo = &op["requestBody"]["content"]["application/json"];
        let esquema = &corpo["schema"];
        assert_eq!(
            esquema["required"],
            serde_json::json!(["tipo", "em", "dados"])
        );
        assert_eq!(esquema["properties"]["tipo"]["const"], t.as_str());
        assert_eq!(esquema["properties"]["em"]["format"], "date-time");
        let exemplo = &corpo["example"];
        assert_eq!(exemplo["tipo"], t.as_str(), "{t:?}");
        assert!(
            chrono::DateTime::parse_from_rfc3339(exemplo["em"].as_str().unwrap()).is_ok(),
            "{t:?}: em {}",
            exemplo["em"]
        );
        let exigidos = esquema["properties"]["dados"]["required"]
            .as_array()
            .unwrap();
        for campo in exigidos {
            let campo = campo.as_str().unwrap();
            assert!(
                exemplo["dados"].get(campo).is_some(),
                "{t:?}: dados.{campo} missing from the example"
            );
        }
        // Nothing in the example that the schema does not describe.
        let descritos = esquema["properties"]["dados"]["properties"]
            .as_object()
            .unwrap();
        for campo in exemplo["dados"].as_object().unwrap().keys() {
            assert!(descritos.contains_key(campo), "{t:?}: dados.{campo}");
        }
    }
}

/// Every list is `{"itens": [...]}`: no operation answers a bare array.
#[test]
fn nenhuma_lista_e_um_array_solto() {
    let doc = documento();
    for (rota, metodo, op) in operacoes(&doc) {
        for (status, r) in op["responses"].as_object().unwrap() {
            let esquema = &r["content"]["application/json"]["schema"];
            assert_ne!(esquema["type"], "array", "{metodo} {rota} {status}");
        }
    }
}

/// The completion of the document never leaves a `null` where a keyword's value belongs (an
/// empty `parameters` or `properties` breaks viewers and client generators).
#[test]
fn nenhuma_palavra_chave_do_documento_e_nula() {
    let texto = serde_json::to_string(&documento()).unwrap();
    for chave in [
        "parameters",
        "properties",
        "oneOf",
        "items",
        "schema",
        "content",
    ] {
        assert!(
            !texto.contains(&format!("\"{chave}\":null")),
            "{chave}: null"
        );
    }
}

/// The JSON content of an operation's request body (`requisicao`) and of its answers (2xx only
/// when `so_sucesso`), as (where, content); `null` where there is none.
fn conteudos_json(op: &Value, so_sucesso: bool) -> Vec<(String, &Value)> {
    let mut v = vec![(
        "requisicao".to_owned(),
        &op["requestBody"]["content"]["application/json"],
    )];
    for (status, r) in op["responses"].as_object().into_iter().flatten() {
        if !so_sucesso || status.starts_with('2') {
            v.push((status.clone(), &r["content"]["application/json"]));
        }
    }
    v
}

/// Every JSON body an operation takes or answers on success is a named schema (a `$ref`), never
/// an untyped `{}` whose properties the document cannot describe.
#[test]
fn todo_corpo_json_e_um_esquema_nomeado() {
    let doc = documento();
    let mut soltos = Vec::new();
    for (rota, metodo, op) in operacoes(&doc) {
        for (onde, c) in conteudos_json(&op, true) {
            let esquema = &c["schema"];
            if esquema.is_object() && !esquema["$ref"].is_string() {
                soltos.push(format!("{metodo} {rota} {onde}: {esquema}"));
            }
        }
    }
    assert!(soltos.is_empty(), "untyped JSON bodies: {soltos:#?}");
}

/// The schema a `$ref` names (or the schema itself).
fn resolver<'a>(doc: &'a Value, s: &'a Value) -> &'a Value {
    match s["$ref"].as_str() {
        Some(r) => doc
            .pointer(&r.replacen('#', "", 1))
            .unwrap_or_else(|| panic!("{r}")),
        None => s,
    }
}

/// Whether `exemplo` fits `esquema` by name: each key of each object is a property of its
/// schema (of an `allOf` member; of some `oneOf` alternative), at any depth. Says where not.
fn nomes_conferem(
    doc: &Value,
    esquema: &Value,
    exemplo: &Value,
    onde: &str,
    erros: &mut Vec<String>,
) {
    let s = resolver(doc, esquema);
    if let Some(alternativas) = s["oneOf"].as_array().or(s["anyOf"].as_array()) {
        let cabe = alternativas.iter().any(|a| {
            let mut e = Vec::new();
            nomes_conferem(doc, a, exemplo, onde, &mut e);
            e.is_empty() && (exemplo.is_null() || resolver(doc, a)["type"] != "null")
        });
        if !cabe {
            erros.push(format!("{onde}: {exemplo} fits no alternative"));
        }
        return;
    }
    match exemplo {
        Value::Object(campos) => {
            let mut props = serde_json::Map::new();
            for parte in std::iter::once(s).chain(s["allOf"].as_array().into_iter().flatten()) {
                let parte = resolver(doc, parte);
                for (k, v) in parte["properties"].as_object().into_iter().flatten() {
                    props.insert(k.clone(), v.clone());
                }
            }
            if props.is_empty() {
                return; // a free-form object
            }
            for (k, v) in campos {
                match props.get(k) {
                    Some(p) => nomes_conferem(doc, p, v, &format!("{onde}.{k}"), erros),
                    None => erros.push(format!("{onde}.{k}: not in the schema")),
                }
            }
        }
        Value::Array(itens) if s["items"].is_object() => {
            for (i, v) in itens.iter().enumerate() {
                nomes_conferem(doc, &s["items"], v, &format!("{onde}[{i}]"), erros);
            }
        }
        _ => {}
    }
}

/// The examples (captured from the demo: what the server really answers) name only properties
/// their schemas declare: a schema whose field names drifted from the JSON fails here.
#[test]
fn os_exemplos_so_usam_propriedades_do_esquema() {
    let doc = documento();
    let mut erros = Vec::new();
    for (rota, metodo, op) in operacoes(&doc) {
        for (onde, c) in conteudos_json(&op, false) {
            if c["example"].is_null() || !c["schema"].is_object() {
                continue;
            }
            let nome = format!("{metodo} {rota} {onde}");
            nomes_conferem(&doc, &c["schema"], &c["example"], &nome, &mut erros);
        }
    }
    assert!(erros.is_empty(), "{erros:#?}");
}
