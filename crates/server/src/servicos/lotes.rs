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

/// The most a ZIP batch may weigh, compressed, and the most PDFs it may carry.
pub const LIMITE_ZIP: usize = 200 * 1024 * 1024;
pub const MAXIMO_PDFS_ZIP: usize = 2_000;

/// A ZIP batch read and checked: the manifest's petitions, with the PDFs they cite by name
/// stored and recorded as the operator's documents, and the batch queued — in one transaction,
/// after every check passed. A refused ZIP records nothing (the files already stored under
/// their hash are content-addressed and simply reused by a later upload).
pub struct ZipLido {
    pub pedidos: Vec<Pedido>,
    /// (file name, bytes), in the order the manifest first cites them.
    pub pdfs: Vec<(String, Vec<u8>)>,
}

/// Reads a ZIP batch: `manifesto.csv` (the CSV manifest, whose `documentos` column may cite the
/// ZIP's PDFs by name, `|`-separated, besides ids of documents already sent) and the PDFs.
/// Every problem is reported at once: unreadable archive, missing manifest, invalid PDF (with
/// the same checks as a single upload), a cited file that is not there, a PDF no row cites, and
/// each malformed manifest line. Files are placed under negative ids (−1 for the first) that
/// [`gravar_zip`] replaces with the real ones.
pub fn ler_zip(bytes: &[u8]) -> Result<ZipLido, Vec<String>> {
    use std::io::Read;
    if bytes.len() > LIMITE_ZIP {
        return Err(vec![format!(
            "o ZIP tem {} MB; o limite é {} MB",
            bytes.len() / (1024 * 1024),
            LIMITE_ZIP / (1024 * 1024)
        )]);
    }
    let mut arquivo = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| vec![format!("o arquivo não é um ZIP legível: {e}")])?;
    if arquivo.len() > MAXIMO_PDFS_ZIP + 1 {
        return Err(vec![format!(
            "o ZIP tem {} arquivos; o limite é {MAXIMO_PDFS_ZIP} PDFs e o manifesto",
            arquivo.len()
        )]);
    }
    let mut erros = Vec::new();
    let mut manifesto = None;
    let mut arquivos: Vec<(String, Vec<u8>)> = Vec::new();
    for i in 0..arquivo.len() {
        let mut f = match arquivo.by_index(i) {
            Ok(f) => f,
            Err(e) => {
                erros.push(format!("entrada {} do ZIP ilegível: {e}", i + 1));
                continue;
            }
        };
        if f.is_dir() {
            continue;
        }
        let nome = match f.name() {
            Ok(n) => n.into_owned(),
            Err(e) => {
                erros.push(format!("entrada {} do ZIP com nome ilegível: {e}", i + 1));
                continue;
            }
        };
        // Never trust the declared size: read at most one byte past the limit (ZIP bombs).
        let mut dados = Vec::new();
        let limite = super::documentos::LIMITE_BYTES as u64 + 1;
        if let Err(e) = (&mut f).take(limite).read_to_end(&mut dados) {
            erros.push(format!("{nome}: não foi possível descompactar ({e})"));
            continue;
        }
        if nome.eq_ignore_ascii_case("manifesto.csv") {
            match String::from_utf8(dados) {
                Ok(t) => manifesto = Some(t),
                Err(_) => erros.push("manifesto.csv deve estar em UTF-8".to_owned()),
            }
        } else if let Err(m) = super::documentos::validar_pdf(&nome, &dados) {
            erros.push(format!("{nome}: {m}"));
        } else {
            arquivos.push((nome, dados));
        }
    }
    let Some(manifesto) = manifesto else {
        erros.push(format!(
            "o ZIP não tem manifesto.csv na raiz (cabeçalho: {})",
            super::peticoes::CABECALHO_LOTE
        ));
        return Err(erros);
    };
    let mut citados: Vec<usize> = Vec::new();
    let lido = super::peticoes::ler_lote_csv_com(&manifesto, |nome| {
        match arquivos.iter().position(|(n, _)| n == nome) {
            Some(i) => {
                let k = match citados.iter().position(|c| *c == i) {
                    Some(k) => k,
                    None => {
                        citados.push(i);
                        citados.len() - 1
                    }
                };
                Ok(-(k as i64) - 1)
            }
            None => Err(format!("o arquivo \"{nome}\" não está no ZIP")),
        }
    });
    let pedidos = match lido {
        Ok(p) => p,
        Err(linhas) => {
            erros.extend(
                linhas
                    .into_iter()
                    .map(|l| format!("manifesto, linha {}: {}", l.linha, l.erros.join("; "))),
            );
            Vec::new()
        }
    };
    for (i, (nome, _)) in arquivos.iter().enumerate() {
        if !citados.contains(&i) && erros.is_empty() {
            erros.push(format!(
                "{nome} não é citado por nenhuma linha do manifesto (coluna documentos)"
            ));
        }
    }
    if !erros.is_empty() {
        return Err(erros);
    }
    let mut pdfs: Vec<Option<(String, Vec<u8>)>> = arquivos.into_iter().map(Some).collect();
    let pdfs = citados
        .into_iter()
        .filter_map(|i| pdfs.get_mut(i).and_then(Option::take))
        .collect();
    Ok(ZipLido { pedidos, pdfs })
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
    let mut chaves = Vec::with_capacity(lido.pdfs.len());
    for (_, dados) in &lido.pdfs {
        let sha = super::documentos::sha256_hex(dados);
        let chave = armazenamento.gravar(&sha, dados).map_err(|e| {
            ServicoError::Regra(format!("não foi possível gravar os documentos: {e}"))
        })?;
        chaves.push((sha, chave));
    }
    let mut tx = db.begin().await?;
    let mut ids = Vec::with_capacity(lido.pdfs.len());
    for ((nome, dados), (sha, chave)) in lido.pdfs.iter().zip(chaves) {
        let doc = persus_store::peticoes::Documento {
            id: 0,
            operadora: operadora.to_owned(),
            sha256: sha,
            nome_arquivo: nome.clone(),
            tamanho: dados.len() as i64,
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
