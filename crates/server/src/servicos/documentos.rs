//! Evidence documents: PDF only, size-limited, content-addressed by SHA-256 in a storage
//! abstraction (local filesystem by default; S3-compatible later).

use std::io::Write;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use persus_store::peticoes::{self, Documento};
use persus_store::Db;
use sha2::{Digest, Sha256};

use super::ServicoError;

/// The largest evidence file accepted (stated to users before upload).
pub const LIMITE_BYTES: usize = 10 * 1024 * 1024;

/// Checks that `bytes` look like a complete, unencrypted PDF; the message says what to fix.
pub fn validar_pdf(nome: &str, bytes: &[u8]) -> Result<(), String> {
    if bytes.is_empty() {
        return Err(format!("o arquivo \"{nome}\" está vazio"));
    }
    if bytes.len() > LIMITE_BYTES {
        return Err(format!(
            "o arquivo \"{nome}\" tem {:.1} MB; o limite é {} MB por documento",
            bytes.len() as f64 / 1_048_576.0,
            LIMITE_BYTES / 1_048_576
        ));
    }
    if !bytes.starts_with(b"%PDF-") {
        return Err(format!(
            "o arquivo \"{nome}\" não é um PDF (apenas PDF é aceito como prova)"
        ));
    }
    let cauda = &bytes[bytes.len().saturating_sub(2048)..];
    if !cauda.windows(5).any(|w| w == b"%%EOF") {
        return Err(format!("o PDF \"{nome}\" está incompleto ou corrompido (sem marcador de fim); gere-o novamente"));
    }
    if bytes.windows(8).any(|w| w == b"/Encrypt") {
        return Err(format!("o PDF \"{nome}\" está protegido por senha ou criptografado; envie uma versão sem proteção"));
    }
    Ok(())
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

pub trait Armazenamento: Send + Sync {
    /// Stores the bytes under their hash; returns the key to read them back.
    fn gravar(&self, sha256: &str, bytes: &[u8]) -> std::io::Result<String>;
    fn ler(&self, chave: &str) -> std::io::Result<Vec<u8>>;
}

/// `<raiz>/documentos/ab/abcdef….pdf`, written to a temporary file and renamed, so a crash never
/// leaves a half-written document under its final name.
pub struct ArmazenamentoLocal {
    pub raiz: PathBuf,
}

impl Armazenamento for ArmazenamentoLocal {
    fn gravar(&self, sha256: &str, bytes: &[u8]) -> std::io::Result<String> {
        let chave = format!("documentos/{}/{}.pdf", &sha256[..2], sha256);
        let destino = self.raiz.join(&chave);
        if destino.exists() {
            return Ok(chave);
        }
        let dir = destino
            .parent()
            .map(PathBuf::from)
            .unwrap_or_else(|| self.raiz.clone());
        std::fs::create_dir_all(&dir)?;
        // A name of its own per writer: two uploads of the same file at once must not share
        // (and rename away) one temporary file.
        static SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let tmp = dir.join(format!(".{sha256}.{}.{n}.tmp", std::process::id()));
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, &destino)?;
        Ok(chave)
    }

    fn ler(&self, chave: &str) -> std::io::Result<Vec<u8>> {
        if chave.contains("..") {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "chave inválida",
            ));
        }
        std::fs::read(self.raiz.join(chave))
    }
}

/// Validates, stores and records an operator's document.
pub async fn enviar(
    db: &Db,
    armazenamento: &dyn Armazenamento,
    operadora: &str,
    nome: &str,
    bytes: &[u8],
    por: &str,
    agora: DateTime<Utc>,
) -> Result<Documento, ServicoError> {
    validar_pdf(nome, bytes).map_err(ServicoError::Regra)?;
    let registro = persus_domain::ids::RegistroAns::parse(operadora)
        .map_err(|e| ServicoError::Regra(format!("operadora \"{operadora}\": {e}")))?;
    if persus_store::operadoras::find(db, &registro)
        .await?
        .is_none()
    {
        return Err(ServicoError::Regra(format!(
            "operadora {operadora} não consta do cadastro da ANS; nada foi gravado"
        )));
    }
    let sha = sha256_hex(bytes);
    let chave = armazenamento
        .gravar(&sha, bytes)
        .map_err(|e| ServicoError::Regra(format!("não foi possível gravar o documento: {e}")))?;
    let mut doc = Documento {
        id: 0,
        operadora: operadora.to_owned(),
        sha256: sha,
        nome_arquivo: nome.to_owned(),
        tamanho: bytes.len() as i64,
        chave,
        enviado_em: agora,
        enviado_por: por.to_owned(),
    };
    let mut tx = db.begin().await?;
    doc.id = peticoes::inserir_documento(&mut tx, &doc).await?;
    tx.commit().await?;
    Ok(doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

    #[test]
    fn only_complete_unencrypted_pdfs_are_accepted() {
        assert!(validar_pdf("a.pdf", PDF).is_ok());
        assert!(validar_pdf("a.docx", b"PK\x03\x04...")
            .unwrap_err()
            .contains("não é um PDF"));
        assert!(validar_pdf("a.pdf", b"%PDF-1.4\n1 0 obj")
            .unwrap_err()
            .contains("incompleto"));
        let enc = b"%PDF-1.4\ntrailer<</Encrypt 5 0 R>>\n%%EOF";
        assert!(validar_pdf("a.pdf", enc)
            .unwrap_err()
            .contains("criptografado"));
        assert!(validar_pdf("a.pdf", b"").unwrap_err().contains("vazio"));
        let big = [PDF, &vec![b' '; LIMITE_BYTES]].concat();
        assert!(validar_pdf("a.pdf", &big)
            .unwrap_err()
            .contains("o limite é 10 MB"));
    }
}
