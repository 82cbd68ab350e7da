//! The OpenAPI 3.1 document of the API, generated from the handlers' annotations and the types
//! they exchange (utoipa), served at `/api/openapi.json` and rendered for people at `/api/docs`.
//! `tests/openapi.rs` locks it with a snapshot.

use chrono::NaiveDate;
use persus_store::historico::{
    DecisaoDoAtendimento, DocumentoDaPeticao, Ficha, NotificacaoDoAtendimento,
    PeticaoDoAtendimento, Resumo,
};
use persus_store::processos::{ItemFeed, LinhaOficio, ProcedimentoOficio, Processo};
use serde::Serialize;
use utoipa::openapi::security::{
    ClientCredentials, Flow, HttpAuthScheme, HttpBuilder, OAuth2, Scopes, SecurityScheme,
};
use utoipa::{Modify, OpenApi, ToSchema};

use crate::problem::Problem;
use crate::servicos::ciencia::Ciencia;
use crate::servicos::historico::{Evento, Historico};
use crate::servicos::peticoes::{Recibo, ReciboDocumento, TipoPeticao};

/// A page of a list: pass `proximo` as `apos` to get the next; `null` on the last page.
#[derive(Debug, Serialize, ToSchema)]
pub struct Pagina<T: ToSchema> {
    pub itens: Vec<T>,
    pub proximo: Option<i64>,
}

/// A list read whole (no cursor): the same `itens` as a [`Pagina`], without `proximo`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Lista<T: ToSchema> {
    pub itens: Vec<T>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenEmitido {
    /// Opaque, prefixed `psus_at_`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds.
    pub expires_in: u64,
    /// Granted scopes, space-separated.
    pub scope: String,
}

/// A file as it travels, its bytes (a PDF, a ZIP): `string`, `format: binary`.
#[derive(ToSchema)]
#[allow(dead_code)] // read by utoipa only
#[schema(value_type = String, format = Binary)]
pub struct Arquivo(Vec<u8>);

/// The form of `POST /oauth/token` (`application/x-www-form-urlencoded`); the client
/// authenticates by HTTP Basic (preferred) or with `client_id` and `client_secret` here.
#[derive(Debug, ToSchema)]
#[allow(dead_code)] // read by utoipa only: the handler reads the form as a map
pub struct PedidoToken {
    /// Always `client_credentials`.
    #[schema(pattern = "^client_credentials$")]
    pub grant_type: String,
    /// Space-separated, a subset of the application's scopes (all of them when absent).
    pub scope: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
}

/// The form of `POST /oauth/revoke` (RFC 7009); client authentication as for the token.
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct PedidoRevogacao {
    /// The access token to revoke (only the application's own are revoked).
    pub token: Option<String>,
    pub token_type_hint: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
}

/// Error of `/oauth/*` in the shape of RFC 6749 §5.2.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErroOAuth {
    /// `invalid_client`, `invalid_scope`, `unsupported_grant_type`.
    pub error: String,
    pub error_description: String,
}

/// Holds personal data (the Ofício's list): no `Debug`, so it cannot be logged whole.
#[derive(Serialize, ToSchema)]
pub struct NotificacaoLida {
    pub id: i64,
    /// `oficio_abi`, `decisao_primeira_instancia`, `decisao_recurso`.
    pub tipo: String,
    pub disponibilizada_em: NaiveDate,
    /// For an operator: the ciência this reading recorded (or the earlier one).
    pub ciencia: Option<Ciencia>,
    /// The notice as published (Ofício ABI or decision).
    #[schema(value_type = Object)]
    pub conteudo: serde_json::Value,
    /// For an Ofício ABI: every attendance of the process (IN DIDES 47/2011 art. 2).
    pub atendimentos: Option<Vec<LinhaOficio>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentoEnviado {
    pub id: i64,
    pub nome_arquivo: String,
    pub sha256: String,
    pub tamanho: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ItemFila {
    pub numero: String,
    pub tipo: String,
    pub operadora: String,
    pub estado: String,
    pub valor_devido_centavos: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Fila {
    pub instancia: String,
    pub itens: Vec<ItemFila>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AtendimentoDecidido {
    pub numero: String,
    pub estado: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DecisaoPublicada {
    pub atendimentos: usize,
    /// One notice per process.
    pub notificacoes: Vec<i64>,
    pub resultado: Vec<AtendimentoDecidido>,
}

struct Seguranca;

impl Modify for Seguranca {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let c = openapi.components.get_or_insert_with(Default::default);
        c.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("psus_at_…")
                    .build(),
            ),
        );
        c.add_security_scheme(
            "oauth2",
            SecurityScheme::OAuth2(OAuth2::new([Flow::ClientCredentials(
                ClientCredentials::new(
                    "/oauth/token",
                    Scopes::from_iter([
                        ("consulta", "ler atendimentos, notificações e processos"),
                        ("peticionar", "enviar documentos, impugnações e recursos"),
                        ("financeiro", "débitos e GRUs"),
                        (
                            "ans.decisao",
                            "fila e decisões de 1ª instância (ANS, analista)",
                        ),
                        (
                            "ans.diretoria",
                            "admissibilidade e reconsideração de recursos (ANS, diretor da DIDES)",
                        ),
                        ("ans.dicol", "fila e decisões da DICOL (ANS)"),
                        ("ans.publicacao", "publicação de ABIs (ANS, administrador)"),
                        (
                            "ans.financeiro",
                            "cobrança, pagamentos e parcelamentos (ANS, financeiro)",
                        ),
                    ]),
                ),
            )])),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "persus — API de integração do Ressarcimento ao SUS",
        description = "Notificações, consulta de atendimentos, impugnações e recursos sem sair do sistema da operadora; filas e decisões da ANS. Erros em application/problem+json (RFC 9457), em português. Convenções: docs/API-DESIGN.md."
    ),
    paths(
        super::cobranca::debitos,
        super::cobranca::emitir,
        super::cobranca::grus,
        super::cobranca::gru,
        super::cobranca::gru_pdf,
        super::cobranca::simular,
        super::cobranca::retorno,
        super::cobranca::pagamento,
        super::cobranca::pedir_parcelamento,
        super::cobranca::parcelamentos,
        super::cobranca::parcelamento,
        super::cobranca::gru_da_parcela,
        super::cobranca::extrato,
        super::cobranca::arrecadacao,
        super::cobranca::selic,
        super::cobranca::importar_selic,
        super::cobranca::pagar_em_homologacao,
        super::cobranca::creditos,
        super::oauth::token,
        super::oauth::revogar,
        super::recursos::atendimentos,
        super::recursos::atendimento,
        super::recursos::notificacoes,
        super::recursos::notificacao,
        super::recursos::processos_lista,
        super::recursos::documento,
        super::recursos::documento_pdf,
        super::recursos::recibo,
        super::recursos::impugnacao,
        super::recursos::recurso,
        super::lotes::receber,
        super::lotes::situacao,
        super::ans::abis,
        super::ans::publicar_abi,
        super::ans::fila,
        super::ans::decisao,
        super::webhooks::criar,
        super::webhooks::listar,
        super::webhooks::uma,
        super::webhooks::entregas,
        super::webhooks::teste,
        super::webhooks::cancelar,
        super::provisoes::peona,
        super::provisoes::pesl,
        super::provisoes::triangulo,
        super::provisoes::impacto,
        super::provisoes::simulacao,
        crate::app::operadora,
        crate::app::health,
    ),
    components(schemas(
        Problem, Historico, Evento, Ficha, NotificacaoDoAtendimento, PeticaoDoAtendimento,
        DecisaoDoAtendimento, DocumentoDaPeticao, Resumo, Processo, ItemFeed, LinhaOficio,
        ProcedimentoOficio, Recibo, ReciboDocumento, TipoPeticao, Ciencia, TokenEmitido, ErroOAuth,
        PedidoToken, PedidoRevogacao,
        NotificacaoLida, DocumentoEnviado, Fila, ItemFila, DecisaoPublicada, AtendimentoDecidido,
        super::recursos::NovaPeticao, super::ans::NovaDecisao,
        super::ans::AbiSituacao,
        super::lotes::LoteJson, super::lotes::LoteRecebido, super::lotes::SituacaoLote,
        super::webhooks::NovoWebhook, super::webhooks::WebhookCriado, super::webhooks::TesteEnfileirado,
        super::webhooks::Assinatura, persus_store::webhooks::Entrega,
        persus_store::operadoras::Operadora, crate::app::Health,
    )),
    modifiers(&Seguranca),
    tags(
        (name = "autenticacao", description = "OAuth2 client credentials"),
        (name = "atendimentos", description = "Consulta de atendimentos"),
        (name = "notificacoes", description = "Ofícios e decisões; ler é dar ciência"),
        (name = "peticoes", description = "Documentos, impugnações e recursos"),
        (name = "ans", description = "Filas de análise e decisões (somente ANS)"),
        (name = "cobranca", description = "Débitos, GRUs, pagamentos e parcelamento"),
        (name = "webhooks", description = "Eventos assinados (Standard Webhooks), com reenvio e registro de entregas"),
        (name = "provisoes", description = "PEONA SUS e PESL SUS: cálculo, triângulo de runoff, impacto de parâmetros"),
        (name = "cadastro", description = "Cadastro público de operadoras da ANS"),
        (name = "servico", description = "Saúde do serviço"),
    )
)]
pub struct ApiDoc;

/// The document, as served: what utoipa generates from the annotations, completed by
/// [`super::documentacao::completar`] (pt-BR texts, examples, enums, `servers`, `webhooks`).
pub fn documento() -> serde_json::Value {
    let mut doc = match serde_json::to_value(ApiDoc::openapi()) {
        Ok(v) => v,
        Err(e) => {
            tracing::error!(error = %e, "OpenAPI document could not be serialized");
            return serde_json::Value::Null;
        }
    };
    super::documentacao::completar(&mut doc);
    doc
}

/// Built once: the document does not change while the server runs.
static DOCUMENTO: std::sync::LazyLock<serde_json::Value> = std::sync::LazyLock::new(documento);

/// `GET /api/openapi.json`.
pub async fn openapi_json() -> axum::response::Response {
    use axum::response::IntoResponse;
    axum::Json(&*DOCUMENTO).into_response()
}

/// `GET /api/docs`: the document rendered by Swagger UI (`swagger-ui-dist` from npm, served at
/// `/assets/swagger-ui/`): operations, parameters, bodies, schemas and examples; "try it out"
/// only in homologação. Nothing inline: the viewer is started by `/assets/persus/api-docs.js`.
pub async fn docs(
    axum::extract::State(app): axum::extract::State<crate::app::AppState>,
) -> axum::response::Html<String> {
    let homologacao = app.ambiente == crate::config::Ambiente::Homologacao;
    let aviso = if homologacao {
        "Ambiente de homologação: dados fictícios. Para experimentar uma operação, use \u{201c}Authorize\u{201d} com o client id e o secret de uma aplicação de homologação e depois \u{201c}Try it out\u{201d}."
    } else {
        "Ambiente de produção: esta página só descreve a API; experimente as operações no ambiente de homologação."
    };
    axum::response::Html(format!(
        r#"<!doctype html>
<html lang="pt-BR">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>persus — API de integração</title>
<link rel="stylesheet" href="/assets/swagger-ui/swagger-ui.css">
<link rel="stylesheet" href="{css}"></head>
<body><header><h1>persus — API de integração do Ressarcimento ao SUS</h1>
<p>Documento OpenAPI 3.1: <a href="/api/openapi.json">/api/openapi.json</a> · Convenções e limite de requisições na introdução; eventos e verificação da assinatura em Webhooks, ao fim da página.</p>
<p class="faixa">{aviso}</p></header>
<div id="swagger-ui" data-ambiente="{ambiente}"><main><p>Carregando a documentação… Sem JavaScript, leia o documento em <a href="/api/openapi.json">/api/openapi.json</a>.</p></main></div>
<script src="/assets/swagger-ui/swagger-ui-bundle.js"></script>
<script src="{js}"></script></body></html>"#,
        css = crate::web::estatico::url("simples.css"),
        js = crate::web::estatico::url("api-docs.js"),
        ambiente = app.ambiente.as_str(),
    ))
}
