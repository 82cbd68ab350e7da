//! Pages of text as a PDF (PDF 1.4, the standard Helvetica and Courier fonts in WinAnsi):
//! enough for receipts, with no dependency — the approach of [`super::gru_pdf`], for any number
//! of A4 pages with lines wrapped to the width.

use super::gru_pdf::latin1;

/// A4 in points, and the margins.
const LARGURA: f32 = 595.0;
const ALTURA: f32 = 842.0;
const MARGEM: f32 = 50.0;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fonte {
    Normal,
    Negrito,
    /// Fixed width, for hashes and numbers to compare character by character.
    Fixa,
}

impl Fonte {
    fn nome(self) -> &'static str {
        match self {
            Fonte::Normal => "F1",
            Fonte::Negrito => "F2",
            Fonte::Fixa => "F3",
        }
    }

    /// Characters that fit the text width at `tamanho` (Helvetica's average glyph is about
    /// half the size, a little more for capitals; Courier's is 0.6).
    fn por_linha(self, tamanho: f32) -> usize {
        let largura_media = match self {
            Fonte::Fixa => 0.6,
            _ => 0.55,
        };
        ((LARGURA - 2.0 * MARGEM) / (tamanho * largura_media)) as usize
    }
}

/// A document being written top to bottom; a new page begins when one is full.
pub struct Documento {
    paginas: Vec<Vec<u8>>,
    y: f32,
    /// Stamped across every page (homologação).
    marca: Option<String>,
}

impl Documento {
    pub fn novo(marca: Option<&str>) -> Documento {
        Documento {
            paginas: vec![Vec::new()],
            y: ALTURA - MARGEM,
            marca: marca.map(str::to_owned),
        }
    }

    /// One paragraph, wrapped at word boundaries (a word longer than a line is cut).
    pub fn texto(&mut self, fonte: Fonte, tamanho: f32, texto: &str) {
        for linha in quebrar(texto, fonte.por_linha(tamanho)) {
            self.linha(fonte, tamanho, MARGEM, &linha);
        }
    }

    /// A label and its value on the same line (the value wrapped under itself).
    pub fn campo(&mut self, rotulo: &str, valor: &str) {
        let recuo = 150.0;
        let cabe = ((LARGURA - MARGEM - recuo) / (10.0 * 0.55)) as usize;
        let linhas = quebrar(valor, cabe);
        self.garantir(12.0 * linhas.len().max(1) as f32);
        let y = self.y;
        self.escrever(Fonte::Negrito, 9.0, MARGEM, y, rotulo);
        for l in &linhas {
            let y = self.y;
            self.escrever(Fonte::Normal, 10.0, recuo, y, l);
            self.y -= 13.0;
        }
        if linhas.is_empty() {
            self.y -= 13.0;
        }
    }

    pub fn espaco(&mut self, pontos: f32) {
        self.y -= pontos;
    }

    fn linha(&mut self, fonte: Fonte, tamanho: f32, x: f32, texto: &str) {
        self.garantir(tamanho + 3.0);
        let y = self.y;
        self.escrever(fonte, tamanho, x, y, texto);
        self.y -= tamanho + 3.0;
    }

    /// A new page when `altura` does not fit above the bottom margin.
    fn garantir(&mut self, altura: f32) {
        if self.y - altura < MARGEM {
            self.paginas.push(Vec::new());
            self.y = ALTURA - MARGEM;
        }
    }

    fn escrever(&mut self, fonte: Fonte, tamanho: f32, x: f32, y: f32, texto: &str) {
        if let Some(pagina) = self.paginas.last_mut() {
            pagina.extend_from_slice(
                format!("BT /{} {tamanho} Tf {x} {y} Td (", fonte.nome()).as_bytes(),
            );
            pagina.extend_from_slice(&latin1(texto));
            pagina.extend_from_slice(b") Tj ET\n");
        }
    }

    /// The PDF: catalog, page tree, fonts, then each page and its content; pages numbered at
    /// the foot ("Página 1 de 2").
    pub fn pdf(mut self) -> Vec<u8> {
        let total = self.paginas.len();
        let marca = self.marca.take();
        for (i, pagina) in self.paginas.iter_mut().enumerate() {
            if let Some(m) = &marca {
                pagina.extend_from_slice(b"BT /F2 30 Tf 0.8 g 70 420 Td (");
                pagina.extend_from_slice(&latin1(m));
                pagina.extend_from_slice(b") Tj ET 0 g\n");
            }
            pagina.extend_from_slice(
                format!("BT /F1 8 Tf {} 30 Td (", LARGURA - MARGEM - 60.0).as_bytes(),
            );
            pagina.extend_from_slice(&latin1(&format!("Página {} de {total}", i + 1)));
            pagina.extend_from_slice(b") Tj ET\n");
        }
        // Objects: 1 catalog, 2 pages, 3-5 fonts, then (page, content) pairs.
        let kids: Vec<String> = (0..total).map(|i| format!("{} 0 R", 6 + 2 * i)).collect();
        let mut objetos: Vec<Vec<u8>> = vec![
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            format!("<< /Type /Pages /Kids [{}] /Count {total} >>", kids.join(" ")).into_bytes(),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_vec(),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>".to_vec(),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding >>".to_vec(),
        ];
        for (i, conteudo) in self.paginas.into_iter().enumerate() {
            objetos.push(
                format!(
                    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {LARGURA} {ALTURA}] /Resources << /Font << /F1 3 0 R /F2 4 0 R /F3 5 0 R >> >> /Contents {} 0 R >>",
                    7 + 2 * i
                )
                .into_bytes(),
            );
            objetos.push(fluxo(conteudo));
        }
        pdf_de_objetos(&objetos)
    }
}

/// A stream object holding `conteudo` (a page's content), with its length.
pub fn fluxo(conteudo: Vec<u8>) -> Vec<u8> {
    [
        format!("<< /Length {} >>\nstream\n", conteudo.len()).into_bytes(),
        conteudo,
        b"\nendstream".to_vec(),
    ]
    .concat()
}

/// A classic PDF 1.4 of `objetos` (numbered from 1; the first is the catalog), with its
/// cross-reference table and trailer.
pub fn pdf_de_objetos(objetos: &[Vec<u8>]) -> Vec<u8> {
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objetos.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        pdf.extend_from_slice(o);
        pdf.extend_from_slice(b"\nendobj\n");
    }
    let xref = pdf.len();
    pdf.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objetos.len() + 1).as_bytes(),
    );
    for o in offsets {
        pdf.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objetos.len() + 1
        )
        .as_bytes(),
    );
    pdf
}

/// Words into lines of at most `largura` characters; explicit line breaks are kept.
fn quebrar(texto: &str, largura: usize) -> Vec<String> {
    let largura = largura.max(10);
    let mut linhas = Vec::new();
    for paragrafo in texto.lines() {
        let mut atual = String::new();
        for palavra in paragrafo.split_whitespace() {
            let mut palavra: Vec<char> = palavra.chars().collect();
            while palavra.len() > largura {
                if !atual.is_empty() {
                    linhas.push(std::mem::take(&mut atual));
                }
                linhas.push(palavra.drain(..largura).collect());
            }
            let palavra: String = palavra.into_iter().collect();
            if !atual.is_empty() && atual.chars().count() + 1 + palavra.chars().count() > largura {
                linhas.push(std::mem::take(&mut atual));
            }
            if !atual.is_empty() {
                atual.push(' ');
            }
            atual.push_str(&palavra);
        }
        if !atual.is_empty() {
            linhas.push(atual);
        }
    }
    linhas
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_wrap_within_the_width_and_long_words_are_cut() {
        let l = quebrar("um dois três quatro cinco\nseis", 10);
        assert_eq!(l, ["um dois", "três", "quatro", "cinco", "seis"]);
        assert_eq!(
            quebrar(&"a".repeat(25), 10),
            ["a".repeat(10), "a".repeat(10), "a".repeat(5)]
        );
    }

    #[test]
    fn a_long_text_takes_more_pages_and_the_pdf_parses() {
        let mut d = Documento::novo(Some("HOMOLOGAÇÃO"));
        for i in 0..200 {
            d.texto(
                Fonte::Normal,
                10.0,
                &format!("linha {i} (com parênteses) e acentuação"),
            );
        }
        let pdf = d.pdf();
        let doc = lopdf::Document::load_mem(&pdf).unwrap();
        assert!(doc.get_pages().len() >= 3, "{}", doc.get_pages().len());
        assert!(crate::servicos::documentos::validar_pdf("r.pdf", &pdf).is_ok());
    }
}
