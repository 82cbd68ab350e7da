//! A ZIP batch is read with bounded memory, whatever its entries expand to. The bomb —
//! 120 PDFs padded with about 10 MB of zeros each: about 1.2 MB compressed, 1.2 GB expanded — is
//! refused, a batch of 40 such PDFs of 9 MB (360 MB expanded, within every limit) is read, and in
//! both the process's peak resident memory grows by far less than the batch expands to; an
//! archive declaring a million entries is refused before its directory is parsed. Alone in its
//! test binary, one test, so nothing else moves the peak.

#![allow(clippy::unwrap_used)]

mod common;

use std::io::Write;

use common::pdf_acolchoado;

use persus_server::servicos::lotes::{ler_zip, LimitesZip, ZipLido};

/// Peak resident memory of this process since the last [`zerar_pico`], in MB.
fn pico_mb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let linha = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    let kb: u64 = linha.split_whitespace().nth(1).unwrap().parse().unwrap();
    kb / 1024
}

/// Resets the peak to the current resident size (Linux `clear_refs`, value 5).
fn zerar_pico() {
    std::fs::write("/proc/self/clear_refs", "5").unwrap();
}

/// A ZIP of `entradas` copies of `pdf` named `pN.pdf`, and a manifest (one row) citing them all.
fn bomba(entradas: usize, pdf: &[u8]) -> Vec<u8> {
    let opcoes = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let nomes: Vec<String> = (1..=entradas).map(|i| format!("p{i}.pdf")).collect();
    let manifesto = format!(
        "{}\nimpugnacao;33910.000001/2026-00;1234567890123;ADM01;Fundamentação qualquer.;;{}\n",
        persus_server::servicos::peticoes::CABECALHO_LOTE,
        nomes.join("|")
    );
    z.start_file("manifesto.csv", opcoes).unwrap();
    z.write_all(manifesto.as_bytes()).unwrap();
    for nome in &nomes {
        z.start_file(nome.as_str(), opcoes).unwrap();
        z.write_all(pdf).unwrap();
    }
    z.finish().unwrap().into_inner()
}

/// [`ler_zip`] with the default limits, and how much the peak resident memory grew, in MB.
fn ler_medindo(zip: &[u8], temporarios: &std::path::Path) -> (Result<ZipLido, Vec<String>>, u64) {
    zerar_pico();
    let base = pico_mb();
    let r = ler_zip(std::io::Cursor::new(zip), temporarios, &LimitesZip::PADRAO);
    (r, pico_mb() - base)
}

#[test]
fn zip_bombs_are_refused_and_peak_memory_stays_far_below_what_they_expand_to() {
    let temporarios = tempfile::tempdir().unwrap();
    // 120 valid PDFs of 9.9 MB: 1.2 GB in all, past the total limit; then 40 of 9 MB: 360 MB,
    // within every limit, so each one is decompressed, checked and kept (on disk).
    for (entradas, tamanho, aceito) in [(120, 9_900_000, false), (40, 9_000_000, true)] {
        let pdf = pdf_acolchoado(tamanho);
        persus_server::servicos::documentos::validar_pdf("p.pdf", &pdf).unwrap();
        let zip = bomba(entradas, &pdf);
        drop(pdf);
        assert!(zip.len() < 2 * 1024 * 1024, "{} bytes", zip.len());
        let expande_mb = (entradas * tamanho) >> 20;
        let (r, cresceu) = ler_medindo(&zip, temporarios.path());
        assert!(
            cresceu < 120,
            "peak memory grew {cresceu} MB reading a ZIP that expands to {expande_mb} MB"
        );
        match r {
            Ok(lido) => {
                assert!(aceito);
                assert_eq!(lido.pdfs.len(), entradas);
            }
            Err(erros) => {
                let erros = erros.join(" | ");
                assert!(!aceito, "{erros}");
                assert!(
                    erros.contains("descompactado passaria de 512 MB"),
                    "{erros}"
                );
            }
        }
        // Nothing is left behind in the temporary directory.
        assert_eq!(std::fs::read_dir(temporarios.path()).unwrap().count(), 0);
    }

    // A million empty entries (81 MB): refused on the count its end record declares, before
    // the directory is parsed (parsing it grows the peak by about 180 MB).
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let vazio =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for i in 0..1_000_000u32 {
        z.start_file(format!("{i:x}"), vazio).unwrap();
    }
    let zip = z.finish().unwrap().into_inner();
    let (r, cresceu) = ler_medindo(&zip, temporarios.path());
    assert!(cresceu < 60, "peak memory grew {cresceu} MB");
    let erros = r.err().unwrap().join(" | ");
    assert!(erros.contains("o ZIP tem 1000000 arquivos"), "{erros}");
}
