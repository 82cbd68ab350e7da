//! `/api/v1/lotes`: a batch of impugnações and recursos, as JSON or as the CSV manifest, filed
//! asynchronously. Receiving checks the shape (a malformed manifest is refused at once with
//! each line's reasons, and nothing is queued); the rules are applied when the job runs, row by
//! row: valid rows are filed, the others come back with their reasons.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Cliente, Idempotencia};
use crate::app::AppState;
use crate::problem::Problem;
use crate::servicos::documentos::ArmazenamentoLocal;
use crate::servicos::lotes::{gravar_zip, ler_zip, LimitesZip, LIMITE_ZIP};
use crate::servicos::peticoes::{ler_lote_csv, Pedido, CABECALHO_LOTE};
use crate::servicos::ServicoError;

/// The most petitions one batch may carry.
pub const MAXIMO: usize = 100_000;

/// The largest JSON or CSV batch body.
pub const LIMITE_CORPO: usize = LIMITE_ZIP + 1024 * 1024;

/// How many ZIP batches may be received at once (each spools its body and its PDFs to disk and
/// parses one PDF at a time); one more is answered 503 with `Retry-After`, not queued.
pub const ZIPS_SIMULTANEOS: usize = 2;

/// Seconds a client is asked to wait when every ZIP slot is taken.
const ESPERA_ZIP: u64 = 30;

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
    #[schema(value_type = Option<Object>)]
    pub resultado: Option<serde_json::Value>,
}

#[utoipa::path(
    post, path = "/api/v1/lotes", tag = "peticoes",
    summary = "Recebe um lote de petições (JSON, manifesto CSV ou ZIP com manifesto e PDFs) para protocolo assíncrono",
    description = "Recebe um lote de impugnações e recursos para protocolo em segundo plano: em JSON, como manifesto CSV (documentos citados pelo número) ou como ZIP com manifesto.csv na raiz e os PDFs citados pelo nome. Responde 202 na hora; acompanhe em GET /api/v1/lotes/{id} ou assine o evento lote.concluido. Um lote malformado é recusado inteiro (422) com cada motivo; linhas válidas e recusadas de um lote bem-formado são tratadas uma a uma.",
    params(("Idempotency-Key" = Option<String>, Header)),
    request_body(content(
        (LoteJson = "application/json"),
        (String = "text/csv", example = "tipo;processo;atendimentos;motivo;fundamentacao;auditor;documentos"),
        (inline(super::esquemas::Arquivo) = "application/zip"),
    ), description = "JSON; o manifesto CSV (documentos por número); ou um ZIP com manifesto.csv na raiz e os PDFs, citados pelo nome na coluna documentos (até 200 MB compactado, 2.000 PDFs de até 10 MB, 512 MB descompactado)"),
    responses(
        (status = 202, description = "Recebido; acompanhe em GET /api/v1/lotes/{id}", body = LoteRecebido),
        (status = 422, description = "Lote malformado (nada foi recebido), com cada motivo", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Lotes ZIP simultâneos no máximo; tente após Retry-After", body = Problem, content_type = "application/problem+json"),
        super::respostas::CorpoGrande, super::respostas::ComToken,
    ),
    security(("bearer" = ["peticionar"]), ("oauth2" = ["peticionar"]))
)]
pub async fn receber(
    State(app): State<AppState>,
    cliente: Cliente,
    idem: Idempotencia,
    headers: HeaderMap,
    corpo: Body,
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
    if tipo.starts_with("application/zip") {
        return receber_zip(app, cliente, idem, corpo).await;
    }
    let corpo = match axum::body::to_bytes(corpo, LIMITE_CORPO).await {
        Ok(b) => b,
        Err(_) => return grande_demais("o lote", LIMITE_CORPO).into_response(),
    };
    let csv = tipo.starts_with("text/csv");
    let (app2, c2, bytes) = (app.clone(), cliente.clone(), corpo.clone());
    idem.executar(&app, &cliente, &corpo, || async move {
        let pedidos: Vec<Pedido> = if csv {
            // UTF-8, or Windows-1252 as spreadsheet programs save it.
            let (texto, _) = crate::servicos::lotes::decodificar_planilha(&bytes);
            match ler_lote_csv(&texto) {
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

/// 413 for a body past `limite` bytes (nothing was received).
fn grande_demais(o_que: &str, limite: usize) -> Problem {
    Problem::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "corpo-grande-demais",
        "Corpo da requisição grande demais",
    )
    .detail(format!(
        "{o_que} passa de {} MB; divida-o em envios menores. Nada foi recebido.",
        limite / (1024 * 1024)
    ))
}

/// A ZIP batch: refused with 503 when [`ZIPS_SIMULTANEOS`] are already being received; else its
/// body is spooled to an anonymous temporary file (hashed on the way, for `Idempotency-Key`),
/// read and checked with bounded memory (every problem reported at once), then its PDFs and the
/// job are recorded together.
async fn receber_zip(app: AppState, cliente: Cliente, idem: Idempotencia, corpo: Body) -> Response {
    let Ok(_vaga) = app.zips_em_curso.clone().try_acquire_owned() else {
        let mut r = Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "lotes-zip-ocupados",
            "Muitos lotes ZIP em recebimento",
        )
        .detail(format!(
            "{ZIPS_SIMULTANEOS} lotes ZIP já estão sendo recebidos, o máximo simultâneo; envie de novo em {ESPERA_ZIP} segundos. Nada foi recebido."
        ))
        .into_response();
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(ESPERA_ZIP));
        return r;
    };
    let temporarios = app.raiz_documentos.join("tmp");
    let (arquivo, hash) = match receber_em_arquivo(corpo, &temporarios).await {
        Ok(r) => r,
        Err(p) => return p.into_response(),
    };
    idem.executar(&app, &cliente, &hash, || async {
        let lido = match tokio::task::spawn_blocking(move || {
            ler_zip(
                std::io::BufReader::new(arquivo),
                &temporarios,
                &LimitesZip::PADRAO,
            )
        })
        .await
        {
            Ok(Ok(l)) => l,
            Ok(Err(erros)) => {
                return Problem::invalid(format!(
                    "lote ZIP inválido, nada foi recebido — {}",
                    erros.join(" | ")
                ))
                .em_par()
            }
            Err(e) => return Problem::from(ServicoError::Regra(e.to_string())).em_par(),
        };
        gravar(&app, &cliente, lido).await
    })
    .await
}

/// The body, up to [`LIMITE_ZIP`], into an anonymous file under `dir`; and its SHA-256.
async fn receber_em_arquivo(
    corpo: Body,
    dir: &std::path::Path,
) -> Result<(std::fs::File, [u8; 32]), Problem> {
    use http_body_util::BodyExt;
    use sha2::Digest;
    use tokio::io::AsyncWriteExt;
    let arquivo = std::fs::create_dir_all(dir)
        .and_then(|()| tempfile::tempfile_in(dir))
        .map_err(|e| Problem::internal(&e))?;
    let mut arquivo = tokio::fs::File::from_std(arquivo);
    let mut hash = sha2::Sha256::new();
    let mut corpo = corpo;
    let mut n = 0usize;
    while let Some(quadro) = corpo.frame().await {
        let quadro = quadro.map_err(|e| {
            Problem::new(StatusCode::BAD_REQUEST, "corpo-ilegivel", "Corpo ilegível").detail(
                format!("o envio do ZIP foi interrompido ({e}); envie de novo"),
            )
        })?;
        let Ok(dados) = quadro.into_data() else {
            continue;
        };
        n += dados.len();
        if n > LIMITE_ZIP {
            return Err(grande_demais("o ZIP", LIMITE_ZIP));
        }
        hash.update(&dados);
        arquivo
            .write_all(&dados)
            .await
            .map_err(|e| Problem::internal(&e))?;
    }
    arquivo.flush().await.map_err(|e| Problem::internal(&e))?;
    Ok((arquivo.into_std().await, hash.finalize().into()))
}

/// Records a read ZIP batch: its PDFs and the job, together.
async fn gravar(
    app: &AppState,
    c: &Cliente,
    lido: crate::servicos::lotes::ZipLido,
) -> (StatusCode, serde_json::Value) {
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
    description = "A situação de um lote e, quando concluído, os recibos das petições protocoladas e os motivos de cada linha recusada.",
    params(("id" = i64, Path, description = "Número do lote, devolvido por POST /api/v1/lotes", example = 7)),
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
        estado: l.estado.as_str().to_owned(),
        total: l.total,
        protocoladas: l.protocoladas,
        recusadas: l.recusadas,
        recebido_em: l.recebido_em,
        concluido_em: l.concluido_em,
        resultado: l.resultado.and_then(|r| serde_json::from_str(&r).ok()),
    })
    .into_response())
}
