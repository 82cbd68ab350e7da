//! The GRU as a one-page PDF: who pays whom, what and until when, the composition of the amount
//! with its computation, the linha digitável, and the Interleaved 2 of 5 barcode drawn to the
//! FEBRABAN proportions (narrow bar 0,254 mm, wide 3× narrow, height 13 mm — about 103 mm for 44
//! digits). Written directly (PDF 1.4, standard Helvetica in WinAnsi): no dependency for a page
//! of text and rectangles. In homologação the page says so across it.

use persus_domain::cobranca::boleto::itf;
use persus_domain::money::Centavos;
use persus_store::cobranca::Gru;

/// One text line: (x, y, size, bold, text).
type Texto = (f32, f32, f32, bool, String);

/// Text for a PDF string in WinAnsi: Latin-1 bytes, dashes as `-`, parentheses and backslash escaped.
pub(crate) fn latin1(s: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    for c in s.chars() {
        let b = match c {
            '(' | ')' | '\\' => {
                out.push(b'\\');
                c as u8
            }
            '—' | '–' => b'-',
            c if (c as u32) < 256 => c as u32 as u8,
            _ => b'?',
        };
        out.push(b);
    }
    out
}

fn data(d: chrono::NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// Renders the GRU. `linhas` are the composition lines (process, principal, fine, interest,
/// total) and `razao_social` the operator's name.
pub fn renderizar(
    g: &Gru,
    razao_social: &str,
    linhas: &[(String, Centavos, Centavos, Centavos, Centavos)],
    homologacao: bool,
) -> Vec<u8> {
    let mut textos: Vec<Texto> = Vec::new();
    let mut y = 800.0;
    let mut t = |x: f32, y: f32, tam: f32, negrito: bool, s: String| {
        textos.push((x, y, tam, negrito, s));
    };
    t(
        40.0,
        y,
        15.0,
        true,
        "GRU Cobrança — Ressarcimento ao SUS".to_owned(),
    );
    y -= 18.0;
    t(
        40.0,
        y,
        9.0,
        false,
        "Lei 9.656/1998, art. 32 · Banco do Brasil (001)".to_owned(),
    );
    y -= 28.0;
    for (rotulo, valor) in [
        (
            "Beneficiário",
            "Agência Nacional de Saúde Suplementar — ANS".to_owned(),
        ),
        (
            "Pagador",
            format!("{} — registro ANS {}", razao_social, g.operadora),
        ),
        ("Número da GRU", g.numero.clone()),
        ("Nosso número", g.nosso_numero.clone()),
        ("Vencimento", data(g.vencimento)),
        (
            "Valor do documento",
            Centavos::new(g.valor_centavos).to_string(),
        ),
        (
            "Emitida em",
            super::relogio::texto_em_brasilia(g.emitida_em),
        ),
    ] {
        t(40.0, y, 9.0, true, rotulo.to_owned());
        t(170.0, y, 10.0, false, valor);
        y -= 16.0;
    }
    y -= 10.0;
    t(40.0, y, 10.0, true, "Composição do valor".to_owned());
    y -= 15.0;
    for (x, cab) in [
        (40.0, "Processo (NUP)"),
        (200.0, "Principal"),
        (290.0, "Multa"),
        (370.0, "Juros"),
        (450.0, "Total"),
    ] {
        t(x, y, 8.5, true, cab.to_owned());
    }
    y -= 13.0;
    for (nup, p, m, j, tot) in linhas.iter().take(28) {
        t(40.0, y, 8.5, false, nup.clone());
        t(200.0, y, 8.5, false, p.to_string());
        t(290.0, y, 8.5, false, m.to_string());
        t(370.0, y, 8.5, false, j.to_string());
        t(450.0, y, 8.5, false, tot.to_string());
        y -= 12.0;
    }
    if linhas.len() > 28 {
        t(
            40.0,
            y,
            8.5,
            false,
            format!("… e mais {} débito(s): veja o extrato", linhas.len() - 28),
        );
    }
    t(
        40.0,
        190.0,
        8.0,
        false,
        "Não receber após o vencimento. Vencida, emita nova GRU com os encargos atualizados."
            .to_owned(),
    );
    t(40.0, 160.0, 9.0, true, "Linha digitável".to_owned());
    t(40.0, 143.0, 13.0, true, g.linha_digitavel.clone());
    if homologacao {
        t(
            60.0,
            430.0,
            34.0,
            true,
            "HOMOLOGAÇÃO — SEM VALOR".to_owned(),
        );
    }

    let mut conteudo: Vec<u8> = Vec::new();
    for (x, y, tam, negrito, s) in &textos {
        let fonte = if *negrito { "F2" } else { "F1" };
        conteudo.extend_from_slice(format!("BT /{fonte} {tam} Tf {x} {y} Td (").as_bytes());
        conteudo.extend_from_slice(&latin1(s));
        conteudo.extend_from_slice(b") Tj ET\n");
    }
    // The barcode: 0,254 mm narrow = 0,72 pt; wide = 2,16 pt; 13 mm = 36,85 pt high.
    let (estreita, larga, altura) = (0.72_f32, 2.16_f32, 36.85_f32);
    let mut x = 40.0_f32;
    let mut barras = String::from("0 g\n");
    for (barra, larga_) in itf(&g.codigo_barras).unwrap_or_default() {
        let w = if larga_ { larga } else { estreita };
        if barra {
            barras.push_str(&format!("{x:.3} 70 {w:.3} {altura:.2} re f\n"));
        }
        x += w;
    }
    conteudo.extend_from_slice(barras.as_bytes());

    let objetos: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R /F2 5 0 R >> >> /Contents 6 0 R >>".to_vec(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_vec(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>".to_vec(),
        super::pdf_texto::fluxo(conteudo),
    ];
    super::pdf_texto::pdf_de_objetos(&objetos)
}

/// The PDF of a GRU as served by the API and the web: its composition read from the store, the
/// operator's name, and the file name (`HOMOLOGACAO-` first in homologação).
pub async fn documento(
    db: &persus_store::Db,
    g: &Gru,
    homologacao: bool,
) -> Result<(String, Vec<u8>), super::ServicoError> {
    let linhas: Vec<_> = persus_store::cobranca::linhas_da_gru(db, g.id)
        .await?
        .into_iter()
        .map(|(nup, p, m, j)| {
            (
                nup,
                Centavos::new(p),
                Centavos::new(m),
                Centavos::new(j),
                Centavos::new(p + m + j),
            )
        })
        .collect();
    let razao = match persus_domain::ids::RegistroAns::parse(&g.operadora) {
        Ok(r) => persus_store::operadoras::find(db, &r)
            .await?
            .map(|o| o.razao_social)
            .unwrap_or_default(),
        Err(_) => String::new(),
    };
    let pdf = renderizar(g, &razao, &linhas, homologacao);
    let nome = format!(
        "{}GRU-{}.pdf",
        if homologacao { "HOMOLOGACAO-" } else { "" },
        g.numero.replace(['.', '-'], "")
    );
    Ok((nome, pdf))
}
