//! Reading a ZIP batch with bounded memory: the manifest is read and checked first; only the
//! PDFs it cites are decompressed, one at a time, each streamed to an anonymous temporary file
//! (never held whole in memory) under a per-file limit and a limit on everything decompressed
//! from the request — counted while decompressing, after a first refusal on the sizes the
//! archive declares (which are never trusted alone).

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::servicos::documentos::{validar_pdf, LIMITE_BYTES};
use crate::servicos::peticoes::{ler_lote_csv_com, Pedido, CABECALHO_LOTE};

/// The most a ZIP batch may weigh, compressed (the request body).
pub const LIMITE_ZIP: usize = 200 * 1024 * 1024;
/// The most PDFs a ZIP batch may carry, besides its manifest.
pub const MAXIMO_PDFS_ZIP: usize = 2_000;
/// The most a ZIP batch may expand to, manifest and PDFs together.
pub const LIMITE_DESCOMPACTADO: u64 = 512 * 1024 * 1024;
/// The most problems one refusal lists (the rest are counted).
const MAXIMO_ERROS: usize = 20;

/// The limits of one ZIP batch; [`LimitesZip::PADRAO`] everywhere but in tests.
#[derive(Clone, Copy, Debug)]
pub struct LimitesZip {
    pub pdfs: usize,
    /// The manifest, decompressed.
    pub manifesto: u64,
    /// Each PDF, decompressed: the limit of a single upload.
    pub por_pdf: u64,
    /// Everything decompressed from one request.
    pub total: u64,
}

impl LimitesZip {
    pub const PADRAO: LimitesZip = LimitesZip {
        pdfs: MAXIMO_PDFS_ZIP,
        manifesto: LIMITE_BYTES as u64,
        por_pdf: LIMITE_BYTES as u64,
        total: LIMITE_DESCOMPACTADO,
    };
}

/// A PDF of the batch, checked, in an anonymous temporary file that disappears with it.
pub struct PdfDoZip {
    /// As the ZIP names it (and the manifest cites it).
    pub nome: String,
    pub tamanho: u64,
    pub sha256: String,
    arquivo: std::fs::File,
}

impl PdfDoZip {
    /// Its bytes again (at most the per-PDF limit), to store it.
    pub fn ler(&self) -> std::io::Result<Vec<u8>> {
        let mut f = &self.arquivo;
        f.seek(SeekFrom::Start(0))?;
        let mut v = Vec::with_capacity(usize::try_from(self.tamanho).unwrap_or(0));
        f.read_to_end(&mut v)?;
        Ok(v)
    }
}

/// A ZIP batch read and checked: the manifest's petitions, whose `documentos` cite the PDFs by
/// negative ids (−1 for the first in [`ZipLido::pdfs`]), and those PDFs in that order.
pub struct ZipLido {
    pub pedidos: Vec<Pedido>,
    pub pdfs: Vec<PdfDoZip>,
}

/// Why [`copiar_limitado`] stopped.
#[derive(Debug)]
pub enum Excesso {
    /// Past the per-file limit.
    Arquivo,
    /// Past what was left of the request's total.
    Total,
    Io(std::io::Error),
}

/// Copies `origem` into `destino` in 64 KB steps, hashing it, and stops as soon as it passes
/// `limite` bytes or `restante` (the request's total not yet used) — so a stream of any length
/// is never read more than one step past a limit. Returns the size and the SHA-256.
pub fn copiar_limitado(
    origem: &mut impl Read,
    destino: &mut impl Write,
    limite: u64,
    restante: u64,
) -> Result<(u64, String), Excesso> {
    let mut bloco = vec![0u8; 64 * 1024];
    let mut hash = Sha256::new();
    let mut n: u64 = 0;
    loop {
        let lidos = match origem.read(&mut bloco) {
            Ok(0) => break,
            Ok(k) => k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Excesso::Io(e)),
        };
        n += lidos as u64;
        if n > restante {
            return Err(Excesso::Total);
        }
        if n > limite {
            return Err(Excesso::Arquivo);
        }
        hash.update(&bloco[..lidos]);
        destino.write_all(&bloco[..lidos]).map_err(Excesso::Io)?;
    }
    Ok((n, format!("{:x}", hash.finalize())))
}

fn erro_zip(e: zip::result::ZipError) -> Excesso {
    Excesso::Io(std::io::Error::other(e))
}

fn mb(bytes: u64) -> u64 {
    bytes / (1024 * 1024)
}

fn excesso_total(limites: &LimitesZip) -> String {
    format!(
        "o conteúdo descompactado passaria de {} MB, o limite por lote; divida o lote em ZIPs menores",
        mb(limites.total)
    )
}

fn excesso_arquivo(nome: &str, limites: &LimitesZip) -> String {
    format!(
        "{nome}: passa de {} MB descompactado; o limite é {} MB por arquivo",
        mb(limites.por_pdf),
        mb(limites.por_pdf)
    )
}

/// At most [`MAXIMO_ERROS`] problems, and how many more there were.
fn resumir(mut erros: Vec<String>) -> Vec<String> {
    if erros.len() > MAXIMO_ERROS {
        let mais = erros.len() - MAXIMO_ERROS;
        erros.truncate(MAXIMO_ERROS);
        erros.push(format!("… e mais {mais} problemas"));
    }
    erros
}

/// Reads a ZIP batch: `manifesto.csv` at the root (the CSV manifest, whose `documentos` column
/// may cite the ZIP's PDFs by name, `|`-separated, besides ids of documents already sent) and
/// the PDFs. Refused at once, before any PDF is decompressed: an unreadable archive, too many
/// entries, no manifest, a PDF no row cites, declared sizes past the limits. Then the cited
/// PDFs are decompressed to files in `temporarios` and checked like a single upload; every
/// problem is reported (up to [`MAXIMO_ERROS`]): invalid PDF, a cited file that is not there,
/// each malformed manifest line. Stops at once when the total limit is passed.
pub fn ler_zip<R: Read + Seek>(
    mut fonte: R,
    temporarios: &Path,
    limites: &LimitesZip,
) -> Result<ZipLido, Vec<String>> {
    let demais = |n: u64| {
        vec![format!(
            "o ZIP tem {n} arquivos; o limite é {} PDFs e o manifesto",
            limites.pdfs
        )]
    };
    // The directory's parser allocates per entry: its count is checked before it runs.
    match entradas_declaradas(&mut fonte) {
        Ok(Some(n)) if n > limites.pdfs as u64 + 1 => return Err(demais(n)),
        Ok(_) => {}
        Err(e) => return Err(vec![format!("o arquivo não é um ZIP legível: {e}")]),
    }
    let mut arquivo = zip::ZipArchive::new(fonte)
        .map_err(|e| vec![format!("o arquivo não é um ZIP legível: {e}")])?;
    if arquivo.len() > limites.pdfs + 1 {
        return Err(demais(arquivo.len() as u64));
    }
    // The listing (central directory): names and declared sizes, nothing decompressed.
    let mut erros = Vec::new();
    let mut entradas: Vec<(usize, String, u64)> = Vec::new();
    let mut manifesto = None;
    for i in 0..arquivo.len() {
        match arquivo.by_index_raw(i) {
            Ok(f) if f.is_dir() => {}
            Ok(f) => match f.name() {
                Ok(n) if n.eq_ignore_ascii_case("manifesto.csv") => manifesto = Some(i),
                Ok(n) => entradas.push((i, n.into_owned(), f.size())),
                Err(e) => erros.push(format!("entrada {} do ZIP com nome ilegível: {e}", i + 1)),
            },
            Err(e) => erros.push(format!("entrada {} do ZIP ilegível: {e}", i + 1)),
        }
    }
    let Some(i_manifesto) = manifesto else {
        erros.push(format!(
            "o ZIP não tem manifesto.csv na raiz (cabeçalho: {CABECALHO_LOTE})"
        ));
        return Err(resumir(erros));
    };

    // The manifest first, then which entries it cites (by name, in the listing).
    let mut total: u64 = 0;
    let mut texto = Vec::new();
    let lido = arquivo
        .by_index(i_manifesto)
        .map_err(erro_zip)
        .and_then(|mut f| copiar_limitado(&mut f, &mut texto, limites.manifesto, limites.total));
    match lido {
        Ok((n, _)) => total += n,
        Err(Excesso::Io(e)) => return Err(vec![format!("manifesto.csv ilegível: {e}")]),
        Err(_) => {
            return Err(vec![format!(
                "manifesto.csv passa de {} MB; divida o lote",
                mb(limites.manifesto)
            )])
        }
    }
    // UTF-8, or Windows-1252 as spreadsheet programs save it.
    let (texto, _) = super::decodificar_planilha(&texto);
    let mut citados: Vec<usize> = Vec::new();
    let pedidos = ler_lote_csv_com(&texto, |nome| {
        let Some(e) = entradas.iter().position(|(_, n, _)| n == nome) else {
            return Err(format!("o arquivo \"{nome}\" não está no ZIP"));
        };
        let k = citados.iter().position(|c| *c == e).unwrap_or_else(|| {
            citados.push(e);
            citados.len() - 1
        });
        Ok(-(k as i64) - 1)
    })
    .unwrap_or_else(|linhas| {
        erros.extend(
            linhas
                .into_iter()
                .map(|l| format!("manifesto, linha {}: {}", l.linha, l.erros.join("; "))),
        );
        Vec::new()
    });
    for (e, (_, nome, _)) in entradas.iter().enumerate() {
        if !citados.contains(&e) {
            erros.push(format!(
                "{nome} não é citado por nenhuma linha do manifesto (coluna documentos)"
            ));
        }
    }

    // The declared sizes: a first refusal, before anything else is decompressed.
    let mut declarado = total;
    let mut grandes = false;
    for &e in &citados {
        let (_, nome, tamanho) = &entradas[e];
        declarado = declarado.saturating_add(*tamanho);
        if *tamanho > limites.por_pdf {
            erros.push(excesso_arquivo(nome, limites));
            grandes = true;
        }
    }
    if declarado > limites.total {
        erros.insert(0, excesso_total(limites));
        grandes = true;
    }
    if grandes || citados.len() < entradas.len() {
        return Err(resumir(erros));
    }

    // Each cited PDF, streamed to its temporary file under both limits, then checked.
    let mut pdfs = Vec::with_capacity(citados.len());
    for &e in &citados {
        let (i, nome, _) = &entradas[e];
        let mut tmp = match tempfile::tempfile_in(temporarios) {
            Ok(t) => t,
            Err(e) => {
                return Err(vec![format!(
                    "não foi possível preparar a leitura do ZIP ({e}); tente novamente"
                )])
            }
        };
        let copia = arquivo.by_index(*i).map_err(erro_zip).and_then(|mut f| {
            copiar_limitado(&mut f, &mut tmp, limites.por_pdf, limites.total - total)
        });
        let (tamanho, sha256) = match copia {
            Ok(c) => c,
            Err(Excesso::Total) => {
                erros.insert(0, excesso_total(limites));
                return Err(resumir(erros));
            }
            Err(Excesso::Arquivo) => {
                erros.push(excesso_arquivo(nome, limites));
                continue;
            }
            Err(Excesso::Io(e)) => {
                erros.push(format!("{nome}: não foi possível descompactar ({e})"));
                continue;
            }
        };
        total += tamanho;
        let pdf = PdfDoZip {
            nome: nome.clone(),
            tamanho,
            sha256,
            arquivo: tmp,
        };
        match pdf.ler() {
            Ok(bytes) => match validar_pdf(nome, &bytes) {
                Ok(()) => pdfs.push(pdf),
                Err(m) => erros.push(format!("{nome}: {m}")),
            },
            Err(e) => erros.push(format!("{nome}: não foi possível descompactar ({e})")),
        }
    }
    if erros.is_empty() {
        Ok(ZipLido { pedidos, pdfs })
    } else {
        Err(resumir(erros))
    }
}

/// The most entries any end-of-central-directory record in the archive's tail declares (the
/// ZIP64 one included, read where its locator points), so that an archive declaring millions of
/// entries is refused before its directory is parsed. `None` when there is no such record (the
/// ZIP reader then says what is wrong); an error when a ZIP64 locator points at no ZIP64 record.
fn entradas_declaradas<R: Read + Seek>(fonte: &mut R) -> std::io::Result<Option<u64>> {
    const FIM: [u8; 4] = [0x50, 0x4b, 0x05, 0x06];
    const LOCALIZADOR64: [u8; 4] = [0x50, 0x4b, 0x06, 0x07];
    const FIM64: [u8; 4] = [0x50, 0x4b, 0x06, 0x06];
    let u64_em = |b: &[u8], i: usize| {
        let mut x = [0u8; 8];
        x.copy_from_slice(&b[i..i + 8]);
        u64::from_le_bytes(x)
    };
    let tamanho = fonte.seek(SeekFrom::End(0))?;
    // The end record (22 bytes), its comment (up to 64 KB) and the ZIP64 locator before it.
    let n_cauda = tamanho.min(22 + 65_535 + 20);
    fonte.seek(SeekFrom::Start(tamanho - n_cauda))?;
    let mut cauda = vec![0u8; n_cauda as usize];
    fonte.read_exact(&mut cauda)?;
    let mut maior = None;
    for p in (0..cauda.len().saturating_sub(21)).rev() {
        if cauda[p..p + 4] != FIM {
            continue;
        }
        let mut n = u64::from(u16::from_le_bytes([cauda[p + 10], cauda[p + 11]]));
        if p >= 20 && cauda[p - 20..p - 16] == LOCALIZADOR64 {
            let posicao = u64_em(&cauda, p - 12);
            let mut registro = [0u8; 40];
            let lido = posicao.checked_add(40).filter(|f| *f <= tamanho).map(|_| {
                fonte
                    .seek(SeekFrom::Start(posicao))
                    .and_then(|_| fonte.read_exact(&mut registro))
            });
            match lido {
                Some(Ok(())) if registro[..4] == FIM64 => n = n.max(u64_em(&registro, 32)),
                _ => {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        "registro ZIP64 ausente",
                    ))
                }
            }
        }
        maior = Some(maior.map_or(n, |m: u64| m.max(n)));
    }
    fonte.seek(SeekFrom::Start(0))?;
    Ok(maior)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Counts what is read through it.
    struct Contado<R> {
        dentro: R,
        lidos: u64,
    }

    impl<R: Read> Read for Contado<R> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.dentro.read(buf)?;
            self.lidos += n as u64;
            Ok(n)
        }
    }

    #[test]
    fn copying_stops_one_step_past_a_limit_even_from_an_endless_stream() {
        for (limite, restante) in [(1_000_000, u64::MAX), (u64::MAX, 1_000_000)] {
            let mut sem_fim = Contado {
                dentro: std::io::repeat(0),
                lidos: 0,
            };
            let mut destino = Vec::new();
            let r = copiar_limitado(&mut sem_fim, &mut destino, limite, restante);
            assert!(matches!(
                (r, limite < restante),
                (Err(Excesso::Arquivo), true) | (Err(Excesso::Total), false)
            ));
            assert!(sem_fim.lidos <= 1_000_000 + 64 * 1024, "{}", sem_fim.lidos);
            assert!(destino.len() <= 1_000_000);
        }
    }

    #[test]
    fn a_zip64_locator_pointing_nowhere_is_refused_before_the_directory_is_parsed() {
        let mut z = Vec::new();
        z.extend_from_slice(&[0x50, 0x4b, 0x06, 0x07, 0, 0, 0, 0]);
        z.extend_from_slice(&(1u64 << 40).to_le_bytes());
        z.extend_from_slice(&1u32.to_le_bytes());
        z.extend_from_slice(&[0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0]);
        z.extend_from_slice(&[0xff; 12]);
        z.extend_from_slice(&[0, 0]);
        let dir = tempfile::tempdir().unwrap();
        let e = ler_zip(std::io::Cursor::new(z), dir.path(), &LimitesZip::PADRAO)
            .err()
            .unwrap();
        assert_eq!(
            e,
            ["o arquivo não é um ZIP legível: registro ZIP64 ausente"]
        );
    }
}
