//! Batch jobs: a batch received through the API is stored whole and filed later by a worker,
//! with the same rules as any batch (`peticoes::protocolar_job`). A job left `processando` by a
//! crash is taken again after [`ABANDONO`]: its filing was one transaction with its result, so
//! either it is all there or nothing is.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use persus_domain::lifecycle::Regras;
use persus_store::auditoria::Ator;
use persus_store::{lotes, Db};

use super::peticoes::{protocolar_job, validar_lote, ErroLinha, Ocasiao, Pedido};
use super::regras::RegrasVigentes;
use super::relogio::data_em_brasilia;
use super::ServicoError;

mod leitura_zip;
pub use leitura_zip::{
    copiar_limitado, ler_zip, Excesso, LimitesZip, PdfDoZip, ZipLido, LIMITE_DESCOMPACTADO,
    LIMITE_ZIP, MAXIMO_PDFS_ZIP,
};

pub const ABANDONO: Duration = Duration::minutes(5);

/// How a batch spreadsheet was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Codificacao {
    Utf8,
    /// Windows-1252, what spreadsheet programs save as "CSV" in Portuguese Windows.
    Windows1252,
}

impl Codificacao {
    pub fn rotulo(self) -> &'static str {
        match self {
            Codificacao::Utf8 => "UTF-8",
            Codificacao::Windows1252 => "Windows-1252 (padrão do Excel)",
        }
    }
}

/// A batch spreadsheet's text: UTF-8 (a BOM dropped) when the bytes are valid UTF-8, else read
/// as Windows-1252 — every byte sequence is valid 1252, so nothing is refused here; the
/// manifest's own checks then say what is wrong. Which one was used is returned, to be said.
pub fn decodificar_planilha(bytes: &[u8]) -> (String, Codificacao) {
    let sem_bom = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    match std::str::from_utf8(sem_bom) {
        Ok(t) => (t.to_owned(), Codificacao::Utf8),
        Err(_) => {
            let (t, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
            (t.into_owned(), Codificacao::Windows1252)
        }
    }
}

/// Files the oldest pending job, if any, with the rule tables in force (`AppState.regras`,
/// loaded once); returns its id.
pub async fn processar_um(
    db: &Db,
    regras: &RegrasVigentes,
    agora: DateTime<Utc>,
) -> Result<Option<i64>, ServicoError> {
    let Some(job) = lotes::tomar(db, agora, agora - ABANDONO).await? else {
        return Ok(None);
    };
    let pedidos: Vec<Pedido> = serde_json::from_str(&job.pedidos)
        .map_err(|e| ServicoError::Interno(format!("lote {} ilegível: {e}", job.id)))?;
    let ator = Ator {
        ator: format!("aplicacao:{}", job.aplicacao_id),
        organizacao: job.operadora.clone(),
        aplicacao: Some(job.aplicacao_id.to_string()),
        request_id: Some(format!("lote-{}", job.id)),
    };
    protocolar_job(
        db,
        &job.operadora,
        &pedidos,
        job.id,
        &Ocasiao {
            hoje: data_em_brasilia(agora),
            agora,
            calendario: &regras.calendario,
            prazos: &regras.prazos,
            ator: &ator,
        },
    )
    .await?;
    Ok(Some(job.id))
}

/// Stores a read ZIP batch's PDFs, records them as the operator's documents, points the
/// petitions at them and queues the batch — the records in one transaction. Returns the job id.
pub async fn gravar_zip(
    db: &Db,
    armazenamento: &dyn super::documentos::Armazenamento,
    aplicacao_id: i64,
    operadora: &str,
    lido: ZipLido,
    por: &str,
    agora: DateTime<Utc>,
) -> Result<i64, ServicoError> {
    let chaves = armazenar_pdfs(armazenamento, &lido)?;
    let mut tx = db.begin().await?;
    let pedidos = registrar_documentos(&mut tx, operadora, lido, chaves, por, agora).await?;
    let json = serde_json::to_string(&pedidos)
        .map_err(|e| ServicoError::Interno(format!("lote ilegível: {e}")))?;
    let id = lotes::receber_tx(
        &mut tx,
        aplicacao_id,
        operadora,
        &json,
        pedidos.len() as i32,
        agora,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Stores a read ZIP batch's PDFs as the operator's documents and returns its petitions citing
/// them by id — for the web, which shows the batch checked before it is sent (the documents
/// stay among the operator's whether or not the batch is sent).
pub async fn documentos_do_zip(
    db: &Db,
    armazenamento: &dyn super::documentos::Armazenamento,
    operadora: &str,
    lido: ZipLido,
    por: &str,
    agora: DateTime<Utc>,
) -> Result<Vec<Pedido>, ServicoError> {
    let chaves = armazenar_pdfs(armazenamento, &lido)?;
    let mut tx = db.begin().await?;
    let pedidos = registrar_documentos(&mut tx, operadora, lido, chaves, por, agora).await?;
    tx.commit().await?;
    Ok(pedidos)
}

/// Each PDF to storage, one in memory at a time (at most the per-file limit), read back from
/// its temporary file. Returns the storage keys in order.
fn armazenar_pdfs(
    armazenamento: &dyn super::documentos::Armazenamento,
    lido: &ZipLido,
) -> Result<Vec<String>, ServicoError> {
    lido.pdfs
        .iter()
        .map(|pdf| {
            pdf.ler()
                .and_then(|dados| armazenamento.gravar(&pdf.sha256, &dados))
                .map_err(|e| {
                    ServicoError::Interno(format!("não foi possível gravar os documentos: {e}"))
                })
        })
        .collect()
}

async fn registrar_documentos(
    tx: &mut persus_store::Tx,
    operadora: &str,
    mut lido: ZipLido,
    chaves: Vec<String>,
    por: &str,
    agora: DateTime<Utc>,
) -> Result<Vec<Pedido>, ServicoError> {
    let mut ids = Vec::with_capacity(lido.pdfs.len());
    for (pdf, chave) in lido.pdfs.iter().zip(chaves) {
        let doc = persus_store::peticoes::Documento {
            id: 0,
            operadora: operadora.to_owned(),
            sha256: pdf.sha256.clone(),
            nome_arquivo: super::documentos::nome_seguro(&pdf.nome),
            tamanho: pdf.tamanho as i64,
            chave,
            enviado_em: agora,
            enviado_por: por.to_owned(),
        };
        ids.push(persus_store::peticoes::inserir_documento(tx, &doc).await?);
    }
    for p in &mut lido.pedidos {
        for d in &mut p.documentos {
            if *d < 0 {
                *d = ids[(-*d - 1) as usize];
            }
        }
    }
    Ok(lido.pedidos)
}

/// A batch sent from the web by a person.
#[derive(Clone, Copy, Debug)]
pub struct EnvioWeb<'a> {
    pub operadora: &'a str,
    pub login: &'a str,
    /// The one-time key of the page the batch was checked on: the same key never queues twice.
    pub chave: &'a str,
}

/// What became of a web batch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EnvioLote {
    /// Queued (or queued already under the same key): the job's id.
    Recebido(i64),
    /// Nothing was queued: the rows to fix (1-based).
    Recusado(Vec<ErroLinha>),
}

/// Checks a web batch against every rule again (time passed since the check the person saw)
/// and, with no error, queues it for the worker — once per page key.
pub async fn enviar_pela_web(
    db: &Db,
    envio: EnvioWeb<'_>,
    pedidos: &[Pedido],
    hoje: NaiveDate,
    agora: DateTime<Utc>,
    regras: &Regras<'_>,
) -> Result<EnvioLote, ServicoError> {
    if let Some(id) = lotes::pelo_envio(db, envio.operadora, envio.chave).await? {
        return Ok(EnvioLote::Recebido(id));
    }
    if pedidos.is_empty() {
        return Err(ServicoError::campo(
            "planilha",
            "o lote não tem nenhuma petição",
        ));
    }
    let erros = validar_lote(
        db,
        envio.operadora,
        pedidos,
        hoje,
        regras.calendario,
        regras.prazos,
    )
    .await?;
    if !erros.is_empty() {
        return Ok(EnvioLote::Recusado(erros));
    }
    let json = serde_json::to_string(pedidos)
        .map_err(|e| ServicoError::Interno(format!("lote ilegível: {e}")))?;
    // Web batches are recorded under the organization's internal web application.
    let segredo = crate::auth::sha256_hex(&crate::auth::aleatorio("psus_web_"));
    let id = lotes::receber_web(
        db,
        &lotes::EnvioWeb {
            operadora: envio.operadora,
            por: envio.login,
            segredo_sha256: &segredo,
            chave_envio: envio.chave,
        },
        &json,
        pedidos.len() as i32,
        agora,
    )
    .await?;
    Ok(EnvioLote::Recebido(id))
}
