//! Batch jobs: a batch received through the API is stored whole and filed later by a worker,
//! with the same rules as any batch (`peticoes::protocolar_job`). A job left `processando` by a
//! crash is taken again after [`ABANDONO`]: its filing was one transaction with its result, so
//! either it is all there or nothing is.

use chrono::{DateTime, Duration, Utc};
use persus_domain::calendar::CalendarioAns;
use persus_domain::deadline::PrazosVigentes;
use persus_store::auditoria::Ator;
use persus_store::{lotes, Db};

use super::peticoes::{protocolar_job, Pedido};
use super::relogio::data_em_brasilia;
use super::ServicoError;

mod leitura_zip;
pub use leitura_zip::{
    copiar_limitado, ler_zip, Excesso, LimitesZip, PdfDoZip, ZipLido, LIMITE_DESCOMPACTADO,
    LIMITE_ZIP, MAXIMO_PDFS_ZIP,
};

pub const ABANDONO: Duration = Duration::minutes(5);

/// Files the oldest pending job, if any; returns its id.
pub async fn processar_um(db: &Db, agora: DateTime<Utc>) -> Result<Option<i64>, ServicoError> {
    let Some(job) = lotes::tomar(db, agora, agora - ABANDONO).await? else {
        return Ok(None);
    };
    let pedidos: Vec<Pedido> = serde_json::from_str(&job.pedidos)
        .map_err(|e| ServicoError::Regra(format!("lote {} ilegível: {e}", job.id)))?;
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
        data_em_brasilia(agora),
        agora,
        &CalendarioAns::padrao(),
        &PrazosVigentes::padrao(),
        &ator,
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
    mut lido: ZipLido,
    por: &str,
    agora: DateTime<Utc>,
) -> Result<i64, ServicoError> {
    // One PDF in memory at a time (at most the per-file limit), read back from its temporary file.
    let mut chaves = Vec::with_capacity(lido.pdfs.len());
    for pdf in &lido.pdfs {
        let chave = pdf
            .ler()
            .and_then(|dados| armazenamento.gravar(&pdf.sha256, &dados))
            .map_err(|e| {
                ServicoError::Regra(format!("não foi possível gravar os documentos: {e}"))
            })?;
        chaves.push(chave);
    }
    let mut tx = db.begin().await?;
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
        ids.push(persus_store::peticoes::inserir_documento(&mut tx, &doc).await?);
    }
    for p in &mut lido.pedidos {
        for d in &mut p.documentos {
            if *d < 0 {
                *d = ids[(-*d - 1) as usize];
            }
        }
    }
    let json = serde_json::to_string(&lido.pedidos)
        .map_err(|e| ServicoError::Regra(format!("lote ilegível: {e}")))?;
    let id = lotes::receber_tx(
        &mut tx,
        aplicacao_id,
        operadora,
        &json,
        lido.pedidos.len() as i32,
        agora,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}
