//! What the OpenAPI document says beyond the annotations utoipa reads: the pt-BR descriptions of
//! schemas, properties and shared parameters, the examples (captured from the demo), the enums
//! of grounds, states and event types (from the code that defines them), `servers`, the rate
//! limit, and the OpenAPI 3.1 `webhooks` section (utoipa 5 has no builder for it).
//!
//! The texts an integrator reads are data in `documentacao.json` and `exemplos.json`, next to
//! this file; `tests/openapi.rs` fails when an operation, parameter or property is left without
//! a description or an example, and when an entry there names something the document lacks.

use std::sync::LazyLock;

use persus_domain::cobranca::estados::{
    EstadoDebito, EstadoGru, EstadoParcela, EstadoParcelamento, SituacaoPagamento,
};
use persus_domain::eventos::TipoEvento;
use serde_json::{json, Map, Value};

/// `documentacao.json`: `esquemas` (per schema: `descricao` and `propriedades`), `parametros`
/// (per name: `descricao`, `exemplo`; used where the annotation says nothing), `operacoes`
/// (per `"<method> <path>"`: `descricao`) and `eventos` (per webhook event type).
pub static TEXTOS: LazyLock<Value> = LazyLock::new(|| {
    serde_json::from_str(include_str!("documentacao.json")).unwrap_or_else(|e| {
        tracing::error!(error = %e, "api/documentacao.json is not valid JSON");
        Value::Null
    })
});

/// `exemplos.json`: per `"<method> <path>"`, per status (or `requisicao`), an example body.
pub static EXEMPLOS: LazyLock<Value> = LazyLock::new(|| {
    serde_json::from_str(include_str!("exemplos.json")).unwrap_or_else(|e| {
        tracing::error!(error = %e, "api/exemplos.json is not valid JSON");
        Value::Null
    })
});

/// Completes the generated document (see the module documentation).
pub fn completar(doc: &mut Value) {
    doc["servers"] = json!([{
        "url": "/",
        "description": "O servidor que publica este documento. Em homologação (sandbox, cabeçalho x-persus-ambiente: homologacao) os dados são fictícios e o pagamento de GRU pode ser simulado; em produção, dados reais."
    }]);
    let descricao = doc["info"]["description"].as_str().unwrap_or("").to_owned();
    doc["info"]["description"] = Value::String(format!("{descricao}\n\n{}", convencoes()));
    referenciar_itens(doc);
    esquemas(doc);
    parametros(doc);
    operacoes(doc);
    enums(doc);
    doc["components"]["schemas"]["TipoEvento"] = tipo_de_evento();
    doc["webhooks"] = webhooks();
}

/// The rules every operation shares, in `info.description` (Markdown).
fn convencoes() -> String {
    format!(
        "## Convenções\n\
         - **Autenticação:** `POST /oauth/token` (client credentials) devolve um token `Bearer` de 1 hora; cada operação diz o escopo que exige.\n\
         - **Limite de requisições:** cada aplicação tem um limite por minuto (padrão: {limite} requisições por minuto; a ANS pode definir outro ao cadastrar a aplicação). O limite é um balde que se recompõe continuamente: rajadas de até {limite} requisições passam, depois uma a cada {intervalo} ms. Acima dele a resposta é `429` com `Retry-After` (segundos). `/oauth/token`, `/health` e o cadastro de operadoras não contam.\n\
         - **Listas:** toda lista vem como `{{\"itens\": [...]}}`; as paginadas trazem também `proximo` — passe-o em `apos` para a página seguinte (`null` na última). `limite` vai de 1 a 1000 (padrão 100).\n\
         - **Ordem:** as listas com cursor (`apos`/`proximo`: atendimentos, notificações, processos) vêm do mais antigo ao mais novo, por número crescente: o que surge depois entra sempre no fim, e guardar o último `proximo` basta para, na consulta seguinte, receber só o que é novo. As filas de análise também vêm do mais antigo ao mais novo (a ordem de análise). As demais listas, curtas e sem cursor, dizem a sua ordem na descrição da operação.\n\
         - **Valores** em centavos (inteiros); **datas** `AAAA-MM-DD`; **instantes** RFC 3339 em UTC.\n\
         - **Idempotência:** todo POST aceita `Idempotency-Key`; repetir a chave com a mesma requisição devolve a mesma resposta (com `idempotent-replayed: true`), sem repetir a mudança.\n\
         - **Erros** em `application/problem+json` (RFC 9457), em português; `detail` diz o que corrigir.\n\
         - **Corpo:** até 2 MB, salvo documentos (10 MB), lotes (200 MB) e retornos bancários (64 MB).\n\
         - **Webhooks:** os eventos, os corpos e a verificação da assinatura estão na seção `webhooks` deste documento.",
        limite = crate::servicos::aplicacoes::LIMITE_PADRAO,
        intervalo = 60_000 / crate::servicos::aplicacoes::LIMITE_PADRAO,
    )
}

/// utoipa inlines the item type of a generic list (`Pagina<T>`, `Lista<T>`, named `Pagina_T`,
/// `Lista_T`); where `T` is a schema of its own, the items refer to it instead, so it is
/// described once and shown by name.
fn referenciar_itens(doc: &mut Value) {
    let Some(esquemas) = doc["components"]["schemas"].as_object_mut() else {
        return;
    };
    let nomes: Vec<String> = esquemas.keys().cloned().collect();
    for (nome, e) in esquemas.iter_mut() {
        let Some((_, item)) = nome.split_once('_') else {
            continue;
        };
        if nomes.iter().any(|n| n == item) && e["properties"]["itens"]["type"] == "array" {
            e["properties"]["itens"]["items"] =
                json!({ "$ref": format!("#/components/schemas/{item}") });
        }
    }
}

/// Schema and property descriptions from `documentacao.json` (they replace the code's
/// English doc comments, which are for developers).
fn esquemas(doc: &mut Value) {
    let Some(textos) = TEXTOS["esquemas"].as_object() else {
        return;
    };
    let Some(esquemas) = doc["components"]["schemas"].as_object_mut() else {
        return;
    };
    for (nome, t) in textos {
        let Some(e) = esquemas.get_mut(nome) else {
            continue;
        };
        if let Some(d) = t["descricao"].as_str() {
            e["description"] = d.into();
        }
        for (p, d) in t["propriedades"].as_object().into_iter().flatten() {
            if let Some(prop) = propriedade(e, p) {
                prop["description"] = d.clone();
                // A nullable reference is `oneOf: [null, {$ref, description}]`: one text only.
                let nulo = prop.get_mut("oneOf").and_then(Value::as_array_mut);
                for x in nulo.into_iter().flatten() {
                    if let Some(x) = x.as_object_mut() {
                        x.remove("description");
                    }
                }
            }
        }
    }
}

/// A property of a schema, if it has it (indexing a `Value` mutably would insert `null`). A
/// struct with a flattened field is `allOf: [{$ref}, {properties}]`: its own properties are
/// in the `allOf` members.
fn propriedade<'a>(esquema: &'a mut Value, nome: &str) -> Option<&'a mut Value> {
    if esquema["properties"].get(nome).is_some() {
        return esquema.get_mut("properties")?.get_mut(nome);
    }
    esquema
        .get_mut("allOf")?
        .as_array_mut()?
        .iter_mut()
        .find_map(|x| x.get_mut("properties")?.get_mut(nome))
}

/// Every operation, as (`"<method> <path>"`, operation).
fn cada_operacao(doc: &mut Value) -> Vec<(String, &mut Value)> {
    let mut v = Vec::new();
    for (caminho, item) in doc["paths"].as_object_mut().into_iter().flatten() {
        for (metodo, op) in item.as_object_mut().into_iter().flatten() {
            v.push((format!("{metodo} {caminho}"), op));
        }
    }
    v
}

/// The shared parameters' pt-BR description (it replaces the English doc comment of an
/// `IntoParams` field) and, where the annotation gave none, their example.
fn parametros(doc: &mut Value) {
    for (_, op) in cada_operacao(doc) {
        let parametros = op.get_mut("parameters").and_then(Value::as_array_mut);
        for p in parametros.into_iter().flatten() {
            let t = &TEXTOS["parametros"][p["name"].as_str().unwrap_or("")];
            if let Some(d) = t.get("descricao") {
                p["description"] = d.clone();
            }
            if p.get("example").is_none() {
                if let Some(x) = t.get("exemplo") {
                    p["example"] = x.clone();
                }
            }
        }
    }
}

/// Each operation's examples from `exemplos.json`: the key is `requisicao` (the body) or a
/// status, optionally followed by a content type (`"200 text/csv"`); without one, the example
/// goes to the JSON content — or, where there is none, to every content.
fn operacoes(doc: &mut Value) {
    for (chave, op) in cada_operacao(doc) {
        let Some(exemplos) = EXEMPLOS[&chave].as_object() else {
            continue;
        };
        for (onde, exemplo) in exemplos {
            let (onde, tipo) = onde
                .split_once(' ')
                .map_or((onde.as_str(), None), |(o, t)| (o, Some(t)));
            let alvo = if onde == "requisicao" {
                op.get_mut("requestBody")
            } else {
                op["responses"].get_mut(onde)
            };
            let Some(conteudos) = alvo
                .and_then(|a| a.get_mut("content"))
                .and_then(Value::as_object_mut)
            else {
                continue;
            };
            let algum_json = conteudos.keys().any(|t| t.contains("json"));
            for (t, c) in conteudos.iter_mut() {
                let cabe = match tipo {
                    Some(tipo) => t == tipo,
                    None => !algum_json || t.contains("json"),
                };
                if cabe {
                    c["example"] = exemplo.clone();
                }
            }
        }
    }
}

/// The webhook event types (`persus_domain::eventos::TipoEvento`).
fn tipos_de_evento() -> Vec<Value> {
    TipoEvento::TODOS
        .iter()
        .map(|t| Value::from(t.as_str()))
        .collect()
}

/// The schema `TipoEvento`: every event type's code, with its label.
fn tipo_de_evento() -> Value {
    let lista: Vec<String> = TipoEvento::TODOS
        .iter()
        .map(|t| format!("- `{}`: {}", t.as_str(), t.rotulo()))
        .collect();
    json!({
        "type": "string",
        "enum": tipos_de_evento(),
        "description": format!(
            "Tipo de um evento de webhook: vem em `tipo` de cada mensagem entregue e é o que uma assinatura pede em `eventos`.\n\n{}",
            lista.join("\n")
        ),
        "example": TipoEvento::GruEmitida.as_str(),
    })
}

/// The grounds of the default catalogue (`persus_domain::motivos`).
fn motivos() -> Vec<Value> {
    persus_domain::motivos::parse_catalogo(persus_domain::motivos::CATALOGO_PADRAO_CSV)
        .unwrap_or_default()
        .into_iter()
        .map(|m| Value::from(m.codigo))
        .collect()
}

fn estados() -> Vec<Value> {
    persus_domain::lifecycle::Estado::todos()
        .iter()
        .map(|e| Value::from(e.as_str()))
        .collect()
}

fn lista(v: &[&str]) -> Vec<Value> {
    v.iter().map(|s| Value::from(*s)).collect()
}

/// The codes of a domain enum (`rotulado!`), as `T::TODOS.iter().map(|e| e.as_str())` gives them.
fn codigos(c: impl Iterator<Item = &'static str>) -> Vec<Value> {
    c.map(Value::from).collect()
}

const TIPOS_DE_NOTIFICACAO: [&str; 3] = [
    "oficio_abi",
    "decisao_primeira_instancia",
    "decisao_recurso",
];
const INSTANCIAS: [&str; 3] = ["primeira", "admissibilidade", "dicol"];
const RESULTADOS: [&str; 10] = [
    "deferida",
    "parcialmente_deferida",
    "indeferida",
    "nao_conhecido",
    "reconsiderado_total",
    "reconsiderado_parcial",
    "encaminhado_dicol",
    "provido",
    "parcialmente_provido",
    "nao_provido",
];

/// (schema, property, allowed values): a property whose values are a closed list.
fn enumeracoes() -> Vec<(&'static str, &'static str, Vec<Value>)> {
    let formas = lista(&["expressa", "presumida"]);
    let situacoes = codigos(SituacaoPagamento::TODOS.iter().map(|e| e.as_str()));
    vec![
        ("Resumo", "estado", estados()),
        ("Ficha", "estado", estados()),
        ("ItemFila", "estado", estados()),
        ("AtendimentoDecidido", "estado", estados()),
        ("Resumo", "tipo", lista(&["AIH", "APAC"])),
        ("Ficha", "tipo", lista(&["AIH", "APAC"])),
        ("LinhaOficio", "tipo", lista(&["AIH", "APAC"])),
        ("AbiSituacao", "tipo", lista(&["AIH", "APAC"])),
        ("NovaPeticao", "motivo", motivos()),
        ("PeticaoDoAtendimento", "motivo", motivos()),
        (
            "PeticaoDoAtendimento",
            "tipo",
            lista(&["impugnacao", "recurso"]),
        ),
        ("ItemFila", "tipo", lista(&["AIH", "APAC"])),
        ("ItemFeed", "tipo", lista(&TIPOS_DE_NOTIFICACAO)),
        ("NotificacaoLida", "tipo", lista(&TIPOS_DE_NOTIFICACAO)),
        (
            "NotificacaoDoAtendimento",
            "tipo",
            lista(&TIPOS_DE_NOTIFICACAO),
        ),
        ("ItemFeed", "ciencia_forma", formas.clone()),
        ("NotificacaoDoAtendimento", "ciencia_forma", formas.clone()),
        ("Ciencia", "forma", formas),
        ("NovaDecisao", "instancia", lista(&INSTANCIAS)),
        ("Fila", "instancia", lista(&INSTANCIAS)),
        ("DecisaoDoAtendimento", "instancia", lista(&INSTANCIAS)),
        ("NovaDecisao", "resultado", lista(&RESULTADOS)),
        ("DecisaoDoAtendimento", "resultado", lista(&RESULTADOS)),
        ("NovoWebhook", "eventos", tipos_de_evento()),
        ("WebhookCriado", "eventos", tipos_de_evento()),
        ("Assinatura", "eventos", tipos_de_evento()),
        ("Entrega", "tipo", tipos_de_evento()),
        (
            "Entrega",
            "estado",
            lista(&["pendente", "entregue", "falhou", "cancelada"]),
        ),
        (
            "AbiSituacao",
            "estado",
            lista(&["agendado", "publicando", "publicado"]),
        ),
        (
            "SituacaoLote",
            "estado",
            lista(&["recebido", "processando", "concluido"]),
        ),
        (
            "LoteRecebido",
            "estado",
            lista(&["recebido", "processando", "concluido"]),
        ),
        (
            "Gru",
            "estado",
            codigos(EstadoGru::TODOS.iter().map(|e| e.as_str())),
        ),
        (
            "Debito",
            "estado",
            codigos(EstadoDebito::TODOS.iter().map(|e| e.as_str())),
        ),
        (
            "Parcelamento",
            "estado",
            codigos(EstadoParcelamento::TODOS.iter().map(|e| e.as_str())),
        ),
        (
            "ParcelaDoParcelamento",
            "estado",
            codigos(EstadoParcela::TODOS.iter().map(|e| e.as_str())),
        ),
        ("Pagamento", "situacao", situacoes.clone()),
        ("ItemRelatorio", "situacao", situacoes),
        ("Pagamento", "origem", lista(&["retorno", "manual"])),
        ("TokenEmitido", "token_type", lista(&["Bearer"])),
        (
            "ErroOAuth",
            "error",
            lista(&[
                "invalid_request",
                "invalid_client",
                "invalid_scope",
                "unsupported_grant_type",
            ]),
        ),
        ("Health", "status", lista(&["ok", "indisponivel"])),
    ]
}

/// Puts the closed lists on their properties (on the items of an array; `null` added when the
/// property may be null), and on the query and path parameters that take them.
fn enums(doc: &mut Value) {
    for (esquema, prop, valores) in enumeracoes() {
        let p = doc
            .pointer_mut(&format!("/components/schemas/{esquema}"))
            .and_then(|e| propriedade(e, prop));
        if let Some(p) = p {
            fixar_enum(p, valores);
        }
    }
    for (_, op) in cada_operacao(doc) {
        let parametros = op.get_mut("parameters").and_then(Value::as_array_mut);
        for p in parametros.into_iter().flatten() {
            let valores = match (p["in"].as_str(), p["name"].as_str()) {
                (Some("query"), Some("estado")) => estados(),
                (Some("query"), Some("formato")) => lista(&["json", "csv"]),
                (Some("path"), Some("instancia")) => lista(&INSTANCIAS),
                _ => continue,
            };
            if let Some(s) = p["schema"].as_object_mut() {
                s.remove("pattern");
            }
            fixar_enum(&mut p["schema"], valores);
        }
    }
}

fn fixar_enum(p: &mut Value, mut valores: Vec<Value>) {
    if p["type"] == "array" {
        return fixar_enum(&mut p["items"], valores);
    }
    let anulavel = p["type"]
        .as_array()
        .is_some_and(|t| t.iter().any(|x| x == "null"));
    if anulavel {
        valores.push(Value::Null);
    }
    p["enum"] = Value::Array(valores);
}

/// The OpenAPI 3.1 `webhooks`: one entry per event type, the POST persus makes to a subscribed
/// URL — its headers, its body (`tipo`, `em`, `dados`: the store's `webhooks::mensagem`) and
/// what the receiver answers.
fn webhooks() -> Value {
    let mut saida = Map::new();
    let cabecalhos = json!([
        {"name": "webhook-id", "in": "header", "required": true,
         "description": "Identificador da mensagem (`msg_…`), o mesmo em cada nova tentativa: use-o para descartar repetições.",
         "schema": {"type": "string"}, "example": "msg_118_3"},
        {"name": "webhook-timestamp", "in": "header", "required": true,
         "description": "Instante do envio, em segundos desde 1970-01-01 UTC (Unix). Recuse mensagens com mais de 5 minutos de diferença do seu relógio.",
         "schema": {"type": "integer"}, "example": 1767225600},
        {"name": "webhook-signature", "in": "header", "required": true,
         "description": "`v1,` seguido do HMAC-SHA256, em base64, de `{webhook-id}.{webhook-timestamp}.{corpo}` com a chave do segredo (veja a descrição do evento). Pode trazer várias assinaturas separadas por espaço (troca de segredo): aceite se alguma conferir.",
         "schema": {"type": "string"}, "example": "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4="},
    ]);
    for tipo in TipoEvento::TODOS {
        let codigo = tipo.as_str();
        let t = &TEXTOS["eventos"][codigo];
        let esquema = json!({
            "type": "object",
            "required": ["tipo", "em", "dados"],
            "properties": {
                "tipo": {
                    "type": "string", "const": codigo,
                    "description": format!("O tipo do evento (um dos de TipoEvento): nesta entrega, sempre `{codigo}` ({}).", tipo.rotulo()),
                },
                "em": {
                    "type": "string", "format": "date-time",
                    "description": "Quando o evento aconteceu (RFC 3339, UTC): o mesmo em cada nova tentativa.",
                },
                "dados": t["dados"],
            }
        });
        saida.insert(
            codigo.to_owned(),
            json!({"post": {
                "tags": ["webhooks"],
                "operationId": format!("evento_{}", codigo.replace('.', "_")),
                "summary": tipo.rotulo(),
                "description": format!("{}\n\n{}", t["descricao"].as_str().unwrap_or(""), VERIFICACAO),
                "parameters": cabecalhos,
                "requestBody": {
                    "required": true,
                    "description": "O evento, em JSON (Content-Type: application/json): `tipo`, `em` e, em `dados`, o que ele diz.",
                    "content": {"application/json": {"schema": esquema, "example": t["exemplo"]}}
                },
                "responses": {
                    "2XX": {"description": "Recebido: qualquer status 2xx em até 10 segundos encerra as tentativas."},
                    "default": {"description": "Outro status, erro de conexão ou demora: nova tentativa após 5 s, 5 min, 30 min, 2 h, 5 h e 10 h; depois a entrega fica como falhou no registro de entregas."}
                }
            }}),
        );
    }
    Value::Object(saida)
}

/// How a receiver checks a delivery (Standard Webhooks), said once for every event.
const VERIFICACAO: &str = "**Como verificar a assinatura** (Standard Webhooks):\n\
1. Tome a chave: o segredo recebido ao assinar (`whsec_…`), sem o prefixo `whsec_`, decodificado de base64.\n\
2. Monte o conteúdo assinado: `{webhook-id}.{webhook-timestamp}.{corpo}`, com o corpo exatamente como chegou (os bytes, antes de interpretar o JSON).\n\
3. Calcule HMAC-SHA256 desse conteúdo com a chave e codifique em base64.\n\
4. Compare, em tempo constante, com a parte após `v1,` de cada assinatura em `webhook-signature`; aceite se alguma for igual.\n\
5. Recuse se `webhook-timestamp` diferir do seu relógio em mais de 5 minutos, e descarte um `webhook-id` já processado.\n\n\
Bibliotecas prontas: as do Standard Webhooks (<https://www.standardwebhooks.com>) verificam exatamente isto.";
