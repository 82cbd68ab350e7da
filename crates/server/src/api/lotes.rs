//! `/api/v1/lotes`: a batch of impugnações and recursos, as JSON or as the CSV manifest, filed
//! asynchronously. Receiving checks the shape (a malformed manifest is refused at once with
//! each line's reasons, and nothing is queued); the rules are applied when the job runs, row by
//! row: valid rows are filed, the others come back with their reasons.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Cliente, Idempotencia};
use crate::app::AppState;
use crate::problem::Problem;
use crate::servicos::documentos::ArmazenamentoLocal;
use crate::servicos::lotes::{gravar_zip, ler_zip};
use crate::servicos::peticoes::{ler_lote_csv, Pedido, CABECALHO_LOTE};
use crate::servicos::ServicoError;

/// The most petitions one batch may carry.
pub const MAXIMO: usize = 100_000;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoteJson {
    /// Each: `tipo` (impugnacao | recurso), `processo`, `atendimentos`, `motivo`,
    /// `fundamentacao`, `auditor`, `documentos` (ids of uploaded PDFs).
    #[schema(value_type = Vec<Object>)]
    pub peticoes: Vec<Pedido>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LoteRecebido {
    pub id: i64,
    pub estado: String,
    pub total: usize,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SituacaoLote {
    pub id: i64,
    /// recebido, processando, concluido.
    pub estado: String,
    pub total: i32,
    pub protocoladas: Option<i32>,
    pub recusadas: Option<i32>,
    pub recebido_em: DateTime<Utc>,
    pub concluido_em: Option<DateTime<Utc>>,
    /// Receipts of the filed petitions and, per refused row (`linha` = position in the batch,
    /// 1-based; in a CSV, the n-th line after the header), its reasons.
    #[schema(value_type = Object)]
    pub resultado: Option<serde_json::Value>,
}

#[utoipa::path(
    post, path = "/api/v1/lotes", tag = "peticoes",
    summary = "Recebe um lote de petições (JSON, manifesto CSV ou ZIP com manifesto e PDFs) para protocolo assíncrono",
    params(("Idempotency-Key" = Option<String>, Header, description = "Mesma chave e corpo, mesma resposta; outro corpo, 422")),
    request_body(content(
        (LoteJson = "application/json"),
        (String = "text/csv", example = "tipo;processo;atendimentos;motivo;fundamentacao;auditor;documentos"),
        (inline(super::esquemas::Arquivo) = "application/zip"),
    ), description = "JSON; o manifesto CSV (documentos por número); ou um ZIP com manifesto.csv na raiz e os PDFs, citados pelo nome na coluna documentos (até 200 MB, 2.000 PDFs de até 10 MB)"),
    responses(
        (status = 202, description = "Recebido; acompanhe em GET /api/v1/lotes/{id}", body = LoteRecebido),
        (status = 422, description = "Lote malformado (nada foi recebido), com cada motivo", body = Problem, content_type = "application/problem+json"),
        super::respostas::CorpoGrande, super::respostas::ComToken,
    ),
    security(("bearer" = ["peticionar"]), ("oauth2" = ["peticionar"]))
)]
pub async fn receber(
    State(app): State<AppState>,
    cliente: Cliente,
    idem: Idempotencia,
    headers: HeaderMap,
    corpo: Bytes,
) -> Response {
    if let Err(p) = cliente
        .exigir("peticionar")
        .and_then(|()| cliente.operadora().map(|_| ()))
    {
        return p.into_response();
    }
    let tipo = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let csv = tipo.starts_with("text/csv");
    let (app2, c2, bytes) = (app.clone(), cliente.clone(), corpo.clone());
    idem.executar(&app, &cliente, &corpo, || async move {
        if tipo.starts_with("application/zip") {
            return receber_zip(&app2, &c2, &bytes).await;
        }
        let pedidos: Vec<Pedido> = if csv {
            let Ok(texto) = std::str::from_utf8(&bytes) else {
                return (Problem::invalid("o manifesto deve estar em UTF-8")).em_par();
            };
            match ler_lote_csv(texto) {
                Ok(p) => p,
                Err(erros) => {
                    let detalhe = erros
                        .iter()
                        .map(|e| format!("linha {}: {}", e.linha, e.erros.join("; ")))
                        .collect::<Vec<_>>()
                        .join(" | ");
                    return (Problem::invalid(format!(
                        "manifesto inválido, nada foi recebido (cabeçalho: {CABECALHO_LOTE}) — {detalhe}"
                    ))).em_par();
                }
            }
        } else {
            match crate::erros::ler_json::<LoteJson>(&bytes) {
                Ok(l) => l.peticoes,
                Err(p) => return p.em_par(),
            }
        };
        if pedidos.is_empty() || pedidos.len() > MAXIMO {
            return (Problem::invalid(format!(
                "o lote tem {} petições; envie de 1 a {MAXIMO}",
                pedidos.len()
            ))).em_par();
        }
        let json = serde_json::to_string(&pedidos).unwrap_or_default();
        let op = c2.operadora.clone().unwrap_or_default();
        match persus_store::lotes::receber(&app2.db, c2.aplicacao_id, &op, &json, pedidos.len() as i32, Utc::now()).await {
            Ok(id) => (
                StatusCode::ACCEPTED,
                serde_json::to_value(LoteRecebido {
                    id,
                    estado: "recebido".to_owned(),
                    total: pedidos.len(),
                })
                .unwrap_or_default(),
            ),
            Err(e) => (Problem::from(e)).em_par(),
        }
    })
    .await
}

/// A ZIP batch: read and checked whole (every problem reported at once), then its PDFs and the
/// job recorded together.
async fn receber_zip(app: &AppState, c: &Cliente, bytes: &[u8]) -> (StatusCode, serde_json::Value) {
    let lido = {
        let b = bytes.to_vec();
        match tokio::task::spawn_blocking(move || ler_zip(&b)).await {
            Ok(Ok(l)) => l,
            Ok(Err(erros)) => {
                return Problem::invalid(format!(
                    "lote ZIP inválido, nada foi recebido — {}",
                    erros.join(" | ")
                ))
                .em_par()
            }
            Err(e) => return Problem::from(ServicoError::Regra(e.to_string())).em_par(),
        }
    };
    if lido.pedidos.len() > MAXIMO {
        return Problem::invalid(format!(
            "o lote tem {} petições; envie de 1 a {MAXIMO}",
            lido.pedidos.len()
        ))
        .em_par();
    }
    let total = lido.pedidos.len();
    let arm = ArmazenamentoLocal {
        raiz: app.raiz_documentos.clone(),
    };
    let op = c.operadora.clone().unwrap_or_default();
    match gravar_zip(
        &app.db,
        &arm,
        c.aplicacao_id,
        &op,
        lido,
        &c.ator().ator,
        Utc::now(),
    )
    .await
    {
        Ok(id) => (
            StatusCode::ACCEPTED,
            serde_json::to_value(LoteRecebido {
                id,
                estado: "recebido".to_owned(),
                total,
            })
            .unwrap_or_default(),
        ),
        Err(e) => Problem::from(e).em_par(),
    }
}

#[utoipa::path(
    get, path = "/api/v1/lotes/{id}", tag = "peticoes",
    summary = "Situação e resultado de um lote (recibos e erros por linha)",
    params(("id" = i64, Path)),
    responses(
        (status = 200, body = SituacaoLote),
        super::respostas::CaminhoIlegivel, super::respostas::NaoEncontrado, super::respostas::ComToken,
    ),
    security(("bearer" = ["consulta"]), ("oauth2" = ["consulta"]))
)]
pub async fn situacao(
    State(app): State<AppState>,
    cliente: Cliente,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    cliente.exigir("consulta")?;
    let nao = || Problem::not_found(&format!("Lote {id}"));
    let n: i64 = id.parse().map_err(|_| nao())?;
    let op = cliente.operadora.as_deref().ok_or_else(nao)?;
    let l = persus_store::lotes::lote(&app.db, n, op)
        .await?
        .ok_or_else(nao)?;
    Ok(Json(SituacaoLote {
        id: l.id,
        estado: l.estado,
        total: l.total,
        protocoladas: l.protocoladas,
        recusadas: l.recusadas,
        recebido_em: l.recebido_em,
        concluido_em: l.concluido_em,
        resultado: l.resultado.and_then(|r| serde_json::from_str(&r).ok()),
    })
    .into_response())
}
