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

/// The most any one stream of an uploaded PDF may decompress to while it is parsed (object and
/// cross-reference streams are decoded at load; page contents are not). Real ones are a few KB.
pub const LIMITE_DESCOMPRESSAO_PDF: usize = 16 * 1024 * 1024;

/// Checks that `bytes` are a complete, readable, unencrypted PDF of at least one page: the
/// file is parsed (cross-reference, objects, page tree) by a PDF library, with every stream's
/// decompression bounded. CPU-bound for up to [`LIMITE_BYTES`]: async callers use
/// [`validar_pdf_em_segundo_plano`]. The message says what to fix, in pt-BR.
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
    let criptografado = || {
        format!("o PDF \"{nome}\" está protegido por senha ou criptografado; envie uma versão sem proteção")
    };
    let opcoes = lopdf::LoadOptions {
        max_decompressed_size: Some(LIMITE_DESCOMPRESSAO_PDF),
        ..lopdf::LoadOptions::default()
    };
    let doc = match lopdf::Document::load_mem_with_options(bytes, opcoes) {
        Ok(doc) => doc,
        Err(lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded { .. })) => {
            return Err(format!(
                "o PDF \"{nome}\" tem um conteúdo compactado que se expande além de {} MB; gere-o novamente a partir do original",
                LIMITE_DESCOMPRESSAO_PDF / 1_048_576
            ))
        }
        Err(
            lopdf::Error::Decryption(_)
            | lopdf::Error::InvalidPassword
            | lopdf::Error::UnsupportedSecurityHandler(_),
        ) => return Err(criptografado()),
        Err(e) => {
            tracing::debug!(error = %e, "uploaded PDF does not parse");
            return Err(format!(
                "o arquivo \"{nome}\" não pôde ser lido como PDF (estrutura interna inválida ou danificada); gere-o novamente a partir do original, por exemplo com \"Salvar como PDF\""
            ));
        }
    };
    if doc.was_encrypted() || doc.is_encrypted() {
        return Err(criptografado());
    }
    let tem_pagina = doc.page_iter().any(|id| {
        doc.get_dictionary(id)
            .and_then(lopdf::Dictionary::get_type)
            .is_ok_and(|t| t == b"Page")
    });
    if !tem_pagina {
        return Err(format!(
            "o PDF \"{nome}\" não tem nenhuma página legível; envie o documento completo"
        ));
    }
    Ok(())
}

/// [`validar_pdf`] on the blocking pool, so parsing never stalls the async workers.
pub async fn validar_pdf_em_segundo_plano(nome: &str, bytes: &[u8]) -> Result<(), String> {
    let (nome2, dados) = (nome.to_owned(), bytes.to_vec());
    tokio::task::spawn_blocking(move || validar_pdf(&nome2, &dados))
        .await
        .unwrap_or_else(|e| {
            Err(format!(
                "não foi possível verificar o PDF \"{nome}\" ({e}); tente novamente"
            ))
        })
}

/// The longest document name kept, in characters.
pub const MAXIMO_NOME: usize = 120;

/// The name a document is stored under, whatever was sent (API query, form, ZIP entry, CLI):
/// only the last path component (`../../etc/passwd` → `passwd`), without control or invisible
/// formatting characters (CR/LF, bidi overrides), whitespace collapsed, leading dots dropped,
/// at most [`MAXIMO_NOME`] characters with the extension kept; `documento.pdf` when nothing
/// readable is left.
pub fn nome_seguro(nome: &str) -> String {
    let invisivel = |c: char| matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{206f}' | '\u{feff}');
    let base = nome
        .split(['/', '\\'])
        .map(str::trim)
        .rfind(|p| !p.is_empty() && *p != "." && *p != "..")
        .unwrap_or("");
    let limpo: String = base
        .chars()
        .filter(|c| !invisivel(*c))
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let limpo = limpo.split_whitespace().collect::<Vec<_>>().join(" ");
    let limpo = limpo.trim_start_matches(['.', ' ']);
    if limpo.is_empty() {
        return "documento.pdf".to_owned();
    }
    if limpo.chars().count() <= MAXIMO_NOME {
        return limpo.to_owned();
    }
    let extensao = limpo
        .rfind('.')
        .map(|i| &limpo[i..])
        .filter(|e| e.chars().count() <= 10)
        .unwrap_or("");
    let corpo: String = limpo
        .chars()
        .take(MAXIMO_NOME - extensao.chars().count())
        .collect();
    format!("{}{extensao}", corpo.trim_end())
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
    let nome = nome_seguro(nome);
    validar_pdf_em_segundo_plano(&nome, bytes)
        .await
        .map_err(|m| ServicoError::campo("documento", m))?;
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
        .map_err(|e| ServicoError::Interno(format!("não foi possível gravar o documento: {e}")))?;
    let mut doc = Documento {
        id: 0,
        operadora: operadora.to_owned(),
        sha256: sha,
        nome_arquivo: nome,
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

/// Who reads a filed document: an operator reads only its own; ANS reads any.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Leitor<'a> {
    Operadora(&'a str),
    Ans,
}

/// A filed document and its bytes, as sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentoLido {
    pub documento: Documento,
    pub bytes: Vec<u8>,
}

impl DocumentoLido {
    /// The name to download it under: in homologação it says where it came from (the bytes,
    /// and so the SHA-256 that is the evidence, stay as they are).
    pub fn nome_para_baixar(&self, homologacao: bool) -> String {
        if homologacao {
            format!("HOMOLOGACAO-{}", self.documento.nome_arquivo)
        } else {
            self.documento.nome_arquivo.clone()
        }
    }
}

/// Document `id` for `quem` (the API's `GET /documentos/{id}`, the operator's and the analyst's
/// pages): another operator's document does not exist for an operator.
pub async fn para_leitura(
    db: &Db,
    armazenamento: &dyn Armazenamento,
    quem: Leitor<'_>,
    id: i64,
) -> Result<DocumentoLido, ServicoError> {
    let operadora = match quem {
        Leitor::Operadora(op) => Some(op),
        Leitor::Ans => None,
    };
    let documento = peticoes::documento(db, id, operadora)
        .await?
        .ok_or_else(|| ServicoError::NaoEncontrado(format!("O documento {id}")))?;
    let bytes = armazenamento.ler(&documento.chave).map_err(|e| {
        ServicoError::Interno(format!("documento {id} ilegível no armazenamento: {e}"))
    })?;
    Ok(DocumentoLido { documento, bytes })
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::{dictionary, Document, Object};

    /// A document with `paginas` empty pages, built by the PDF library itself.
    fn documento(paginas: usize) -> Document {
        let mut doc = Document::with_version("1.5");
        let raiz_paginas = doc.new_object_id();
        let kids: Vec<Object> = (0..paginas)
            .map(|_| {
                doc.add_object(dictionary! {
                    "Type" => "Page",
                    "Parent" => raiz_paginas,
                    "MediaBox" => vec![0.into(), 0.into(), 200.into(), 200.into()],
                })
                .into()
            })
            .collect();
        doc.objects.insert(
            raiz_paginas,
            Object::Dictionary(dictionary! {
                "Type" => "Pages", "Kids" => kids, "Count" => paginas as i64,
            }),
        );
        let catalogo = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => raiz_paginas });
        doc.trailer.set("Root", catalogo);
        doc
    }

    fn salvar(mut doc: Document) -> Vec<u8> {
        let mut v = Vec::new();
        doc.save_to(&mut v).unwrap();
        v
    }

    fn criptografado(senha_de_abertura: &str) -> Vec<u8> {
        let mut doc = documento(1);
        doc.trailer.set(
            "ID",
            vec![
                Object::string_literal(b"0123456789abcdef".to_vec()),
                Object::string_literal(b"0123456789abcdef".to_vec()),
            ],
        );
        let estado = lopdf::EncryptionState::try_from(lopdf::EncryptionVersion::V2 {
            document: &doc,
            owner_password: "dono",
            user_password: senha_de_abertura,
            key_length: 128,
            permissions: lopdf::Permissions::all(),
        })
        .unwrap();
        doc.encrypt(&estado).unwrap();
        salvar(doc)
    }

    const PDF: &[u8] = include_bytes!("../../tests/common/minimo.pdf");

    #[test]
    fn a_valid_one_page_pdf_is_accepted() {
        assert_eq!(validar_pdf("a.pdf", PDF), Ok(()));
        assert_eq!(validar_pdf("b.pdf", &salvar(documento(3))), Ok(()));
    }

    #[test]
    fn random_bytes_between_header_and_end_marker_are_refused() {
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let ruido: Vec<u8> = (0..4096)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 24) as u8
            })
            .collect();
        let falso = [b"%PDF-1.7\n".as_slice(), &ruido, b"\n%%EOF\n"].concat();
        let e = validar_pdf("falso.pdf", &falso).unwrap_err();
        assert!(e.contains("não pôde ser lido como PDF"), "{e}");
        // The old fixture: header, one object, no cross-reference table, no page.
        let raso = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<<>>\n%%EOF\n";
        assert!(validar_pdf("raso.pdf", raso).is_err());
    }

    #[test]
    fn a_pdf_without_pages_is_refused() {
        let e = validar_pdf("vazio.pdf", &salvar(documento(0))).unwrap_err();
        assert!(e.contains("não tem nenhuma página"), "{e}");
    }

    #[test]
    fn encrypted_pdfs_are_refused_with_or_without_an_opening_password() {
        for senha in ["", "segredo"] {
            let e = validar_pdf("cripto.pdf", &criptografado(senha)).unwrap_err();
            assert!(e.contains("criptografado"), "{senha:?}: {e}");
        }
    }

    #[test]
    fn an_object_stream_that_inflates_past_the_bound_is_refused() {
        let mut bomba =
            lopdf::Stream::new(dictionary! {}, vec![b' '; 4 * LIMITE_DESCOMPRESSAO_PDF]);
        bomba.compress().unwrap();
        assert!(bomba.content.len() < LIMITE_BYTES / 10);
        let objetos = |fluxo: &[u8]| {
            crate::demo::cenario::pdf_de_objetos(&[
                b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
                b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>".to_vec(),
                [
                    format!(
                        "<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length {} >>\nstream\n",
                        fluxo.len()
                    )
                    .as_bytes(),
                    fluxo,
                    b"\nendstream",
                ]
                .concat(),
            ])
        };
        let e = validar_pdf("bomba.pdf", &objetos(&bomba.content)).unwrap_err();
        assert!(e.contains("se expande além de 16 MB"), "{e}");
        // The same file with a small object stream is a valid PDF: the bound is what refused it.
        let mut pequeno = lopdf::Stream::new(dictionary! {}, b"5 0 << /A 1 >>".to_vec());
        pequeno.compress().unwrap();
        assert_eq!(validar_pdf("ok.pdf", &objetos(&pequeno.content)), Ok(()));
    }

    #[test]
    fn only_complete_pdfs_within_the_limit_are_accepted() {
        assert!(validar_pdf("a.docx", b"PK\x03\x04...")
            .unwrap_err()
            .contains("não é um PDF"));
        assert!(validar_pdf("a.pdf", b"%PDF-1.4\n1 0 obj")
            .unwrap_err()
            .contains("incompleto"));
        assert!(validar_pdf("a.pdf", b"").unwrap_err().contains("vazio"));
        let big = [PDF, &vec![b' '; LIMITE_BYTES]].concat();
        assert!(validar_pdf("a.pdf", &big)
            .unwrap_err()
            .contains("o limite é 10 MB"));
    }
}
