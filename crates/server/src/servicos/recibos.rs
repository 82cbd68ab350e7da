//! The protocol receipt of a petition, read back (API, web page, printable PDF — one reading):
//! number and instant, kind, process, attendances, grounds, fundamentação, auditor, and every
//! filed document with its SHA-256.

use chrono::{DateTime, Utc};
use persus_domain::ids::Nup;
use persus_store::peticoes::{self as store, Documento};
use persus_store::Db;

use super::pdf_texto::{Documento as Pdf, Fonte};
use super::peticoes::{catalogo, EstadoPeticao, Recibo, ReciboDocumento, TipoPeticao};
use super::relogio::texto_em_brasilia;
use super::ServicoError;

/// Everything a receipt shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comprovante {
    pub protocolo: String,
    pub protocolada_em: DateTime<Utc>,
    pub tipo: TipoPeticao,
    pub operadora: String,
    /// The NUP as stored (digits).
    pub processo: String,
    pub atendimentos: Vec<String>,
    pub motivo: String,
    /// The ground's name in the catalogue ("" when the catalogue no longer has the code).
    pub motivo_nome: String,
    pub fundamentacao: String,
    pub auditor: Option<String>,
    pub documentos: Vec<Documento>,
}

impl Comprovante {
    /// The NUP as people read it (`33910.000365/2025-97`).
    pub fn nup(&self) -> String {
        Nup::parse(&self.processo)
            .map(|n| n.to_string())
            .unwrap_or_else(|_| self.processo.clone())
    }

    /// The API's receipt.
    pub fn recibo(&self) -> Recibo {
        Recibo {
            protocolo: self.protocolo.clone(),
            protocolada_em: self.protocolada_em,
            tipo: self.tipo,
            processo: self.processo.clone(),
            atendimentos: self.atendimentos.clone(),
            documentos: self
                .documentos
                .iter()
                .map(|d| ReciboDocumento {
                    nome_arquivo: d.nome_arquivo.clone(),
                    sha256: d.sha256.clone(),
                    tamanho: d.tamanho,
                })
                .collect(),
        }
    }
}

/// A protocolled petition by its number, if it is `operadora`'s (`None`: ANS, any operator's).
/// A draft has no receipt: not found.
pub async fn comprovante(
    db: &Db,
    operadora: Option<&str>,
    protocolo: &str,
) -> Result<Comprovante, ServicoError> {
    let nao = || ServicoError::NaoEncontrado(format!("A petição {protocolo}"));
    let p = store::por_protocolo(db, protocolo, operadora)
        .await?
        .filter(|p| p.estado == EstadoPeticao::Protocolada)
        .ok_or_else(nao)?;
    let protocolada_em = p.protocolada_em.ok_or_else(|| {
        ServicoError::Interno(format!("petição {protocolo} protocolada sem instante"))
    })?;
    let processo = store::nup(db, p.processo_id)
        .await?
        .ok_or_else(|| ServicoError::Interno(format!("petição {protocolo} sem processo")))?;
    Ok(Comprovante {
        protocolo: protocolo.to_owned(),
        protocolada_em,
        tipo: p.tipo,
        operadora: p.operadora,
        processo,
        atendimentos: store::numeros_da_peticao(db, p.id).await?,
        motivo_nome: catalogo()
            .get(&p.motivo)
            .map(|m| m.nome.clone())
            .unwrap_or_default(),
        motivo: p.motivo,
        fundamentacao: p.fundamentacao,
        auditor: p.auditor,
        documentos: store::documentos_de(db, p.id).await?,
    })
}

/// The printable receipt: an A4 PDF (more pages when the fundamentação or the attendances do
/// not fit one). `homologacao` stamps every page.
pub fn pdf(c: &Comprovante, homologacao: bool) -> Vec<u8> {
    let mut d = Pdf::novo(homologacao.then_some("HOMOLOGAÇÃO — SEM VALOR"));
    d.texto(
        Fonte::Negrito,
        15.0,
        "Recibo de protocolo — Ressarcimento ao SUS",
    );
    d.texto(
        Fonte::Normal,
        9.0,
        "Agência Nacional de Saúde Suplementar — ANS · Lei 9.656/1998, art. 32",
    );
    d.espaco(12.0);
    d.campo("Protocolo", &c.protocolo);
    d.campo("Tipo", c.tipo.rotulo());
    d.campo("Protocolada em", &texto_em_brasilia(c.protocolada_em));
    d.campo("Operadora", &format!("registro ANS {}", c.operadora));
    d.campo("Processo (NUP)", &c.nup());
    let motivo = if c.motivo_nome.is_empty() {
        c.motivo.clone()
    } else {
        format!("{} — {}", c.motivo, c.motivo_nome)
    };
    d.campo("Motivo", &motivo);
    if let Some(a) = &c.auditor {
        d.campo("Auditor", a);
    }
    d.campo(
        &format!("Atendimentos ({})", c.atendimentos.len()),
        &c.atendimentos.join(", "),
    );
    d.espaco(8.0);
    d.texto(Fonte::Negrito, 10.0, "Fundamentação");
    d.texto(Fonte::Normal, 10.0, &c.fundamentacao);
    d.espaco(8.0);
    d.texto(
        Fonte::Negrito,
        10.0,
        &format!("Documentos de prova ({})", c.documentos.len()),
    );
    for doc in &c.documentos {
        d.texto(
            Fonte::Normal,
            10.0,
            &format!(
                "nº {} — {} — {} KB",
                doc.id,
                doc.nome_arquivo,
                (doc.tamanho + 1023) / 1024
            ),
        );
        d.texto(Fonte::Fixa, 8.0, &format!("SHA-256 {}", doc.sha256));
    }
    d.espaco(12.0);
    d.texto(
        Fonte::Normal,
        8.0,
        "Depois do protocolo nada da petição pode ser alterado. O SHA-256 identifica cada arquivo: \
         calcule-o no arquivo guardado para conferir que é o mesmo que foi protocolado.",
    );
    d.pdf()
}
