//! Answers many operations share, declared once for the OpenAPI document: each handler's
//! annotation lists its own answers and names these sets. Every error is RFC 9457
//! `application/problem+json` ([`Problem`]); what produces them is `api::Cliente` (401, 403,
//! 429), `erros::padronizar` (400 on the path, 413) and the handlers (404, 422, 503).

use utoipa::IntoResponses;

use crate::problem::Problem;

/// What every operation that needs a bearer token can answer, besides its own.
#[derive(IntoResponses)]
#[allow(dead_code)] // only read by utoipa
pub enum ComToken {
    #[response(
        status = 401,
        description = "Token ausente, inválido, expirado ou revogado (com WWW-Authenticate: Bearer)",
        content_type = "application/problem+json",
        headers(("WWW-Authenticate" = String, description = "Bearer realm=\"persus\", error=\"invalid_token\""))
    )]
    NaoAutenticado(Problem),
    #[response(
        status = 403,
        description = "O token não tem o escopo da operação, ou a operação é de operadora e quem chama é a ANS",
        content_type = "application/problem+json"
    )]
    SemPermissao(Problem),
    #[response(
        status = 429,
        description = "Limite de requisições por minuto da aplicação excedido",
        content_type = "application/problem+json",
        headers(("Retry-After" = u64, description = "Segundos até poder tentar de novo"))
    )]
    LimiteDeRequisicoes(Problem),
    #[response(
        status = 500,
        description = "Erro interno: a causa fica no registro do servidor, com o x-request-id",
        content_type = "application/problem+json"
    )]
    Interno(Problem),
}

/// 500 alone, for the operations without a token.
#[derive(IntoResponses)]
#[response(
    status = 500,
    description = "Erro interno: a causa fica no registro do servidor, com o x-request-id",
    content_type = "application/problem+json"
)]
#[allow(dead_code)]
pub struct Interno(Problem);

/// 400: a path parameter that cannot be read.
#[derive(IntoResponses)]
#[response(
    status = 400,
    description = "Parâmetro do caminho ilegível: bytes que não formam UTF-8, ou número fora do intervalo",
    content_type = "application/problem+json"
)]
#[allow(dead_code)]
pub struct CaminhoIlegivel(Problem);

/// 413: the body passes the operation's limit.
#[derive(IntoResponses)]
#[response(
    status = 413,
    description = "Corpo acima do limite da operação: 2 MB, salvo documentos (10 MB), lotes (200 MB) e retornos (64 MB)",
    content_type = "application/problem+json"
)]
#[allow(dead_code)]
pub struct CorpoGrande(Problem);

/// 404 of what belongs to someone: another operator's resource does not exist for a caller.
#[derive(IntoResponses)]
#[response(
    status = 404,
    description = "Não existe, ou não para este chamador (o de outra operadora é 404, nunca 403)",
    content_type = "application/problem+json"
)]
#[allow(dead_code)]
pub struct NaoEncontrado(Problem);

/// 404 of ANS's operations for an operator's token.
#[derive(IntoResponses)]
#[response(
    status = 404,
    description = "Operação da ANS: não existe para o token de uma operadora",
    content_type = "application/problem+json"
)]
#[allow(dead_code)]
pub struct SoDaAns(Problem);

/// 422: the request is readable but invalid, or the rules refuse it.
#[derive(IntoResponses)]
#[response(
    status = 422,
    description = "Dados inválidos ou recusados pelas regras; o detail diz o quê e como corrigir",
    content_type = "application/problem+json"
)]
#[allow(dead_code)]
pub struct Invalido(Problem);

/// 503 of reads of personal data whose access log cannot keep up.
#[derive(IntoResponses)]
#[response(
    status = 503,
    description = "O registro de acessos a dados pessoais não acompanhou; tente de novo em alguns segundos",
    content_type = "application/problem+json"
)]
#[allow(dead_code)]
pub struct Sobrecarga(Problem);
