//! What an ANS analyst reads before deciding: a queue with the petition that brought each
//! attendance there (filtered by operator, ground, value and age), a case in full (the
//! petition's grounds, fundamentação and auditor, the attendance with its procedures and
//! beneficiary, the filed PDFs, the previous decisions), and a filed PDF itself — which only ANS
//! staff and the operator that filed it may read.

use chrono::Duration;
use persus_domain::lifecycle::Estado;
use persus_domain::money::Centavos;
use persus_store::analise::{self, FiltroFila, ItemFila, NomesDoCaso, ProcedimentoDoCaso};
use persus_store::peticoes::Documento;
use persus_store::Db;

use super::decisoes::{Instancia, Resultado};
use super::documentos::Armazenamento;
use super::historico::{self, Historico};
use super::relogio::Relogio;
use super::ServicoError;

/// The optional filters of a queue, typed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filtro {
    pub operadora: Option<String>,
    pub motivo: Option<String>,
    pub valor_min: Option<Centavos>,
    pub valor_max: Option<Centavos>,
    /// Only petitions protocolled at least this many days ago.
    pub idade_min_dias: Option<u32>,
}

/// A queue as listed: at most `limite` items, oldest petition first, and how many there are.
#[derive(Clone, Debug)]
pub struct Fila {
    pub itens: Vec<ItemFila>,
    pub total: i64,
}

pub async fn fila(
    db: &Db,
    relogio: &dyn Relogio,
    instancia: Instancia,
    f: &Filtro,
    limite: i64,
) -> Result<Fila, ServicoError> {
    let filtro = FiltroFila {
        estado: instancia.estado_da_fila().as_str(),
        tipo_peticao: instancia.tipo_peticao().as_str(),
        operadora: f.operadora.as_deref(),
        motivo: f.motivo.as_deref(),
        valor_min: f.valor_min.map(Centavos::value),
        valor_max: f.valor_max.map(Centavos::value),
        protocolada_ate: f
            .idade_min_dias
            .map(|d| relogio.agora() - Duration::days(i64::from(d))),
        limite,
    };
    Ok(Fila {
        itens: analise::fila(db, &filtro).await?,
        total: analise::contar_fila(db, &filtro).await?,
    })
}

/// How many attendances wait in the queue of `instancia` (the dashboard's cards).
pub async fn tamanho(
    db: &Db,
    relogio: &dyn Relogio,
    instancia: Instancia,
) -> Result<i64, ServicoError> {
    Ok(fila(db, relogio, instancia, &Filtro::default(), 0)
        .await?
        .total)
}

/// One case for ANS: the attendance's history (petitions, documents, decisions), its
/// procedures and names, and the queue it waits in, if any.
#[derive(Clone, Debug)]
pub struct Caso {
    pub historico: Historico,
    pub nomes: NomesDoCaso,
    pub procedimentos: Vec<ProcedimentoDoCaso>,
    pub instancia: Option<Instancia>,
}

pub async fn caso(db: &Db, numero: &str) -> Result<Caso, ServicoError> {
    let nao = || ServicoError::NaoEncontrado(format!("O atendimento {}", numero.trim()));
    let historico = historico::consultar(db, numero, None)
        .await?
        .ok_or_else(nao)?;
    let id = historico.atendimento.id;
    let nomes = analise::nomes(db, id).await?.ok_or_else(nao)?;
    let procedimentos = analise::procedimentos(db, id).await?;
    let estado = historico.atendimento.estado;
    let instancia = Instancia::TODOS
        .iter()
        .copied()
        .find(|i| i.estado_da_fila() == estado);
    Ok(Caso {
        historico,
        nomes,
        procedimentos,
        instancia,
    })
}

/// Who reads a filed document: ANS staff read any; an operator only its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Leitor<'a> {
    Ans,
    Operadora(&'a str),
}

/// A filed PDF with its bytes, for `leitor`; another operator's document does not exist for
/// it (the same answer as a document that does not exist).
pub async fn documento(
    db: &Db,
    armazenamento: &dyn Armazenamento,
    leitor: Leitor<'_>,
    id: i64,
) -> Result<(Documento, Vec<u8>), ServicoError> {
    let operadora = match leitor {
        Leitor::Ans => None,
        Leitor::Operadora(o) => Some(o),
    };
    let d = persus_store::peticoes::documento(db, id, operadora)
        .await?
        .ok_or_else(|| ServicoError::NaoEncontrado(format!("O documento {id}")))?;
    let bytes = armazenamento
        .ler(&d.chave)
        .map_err(|e| ServicoError::Interno(format!("documento {id}: {e}")))?;
    Ok((d, bytes))
}

/// The pt-BR label of a stored decision result (the code itself if a newer one is unknown).
pub fn rotulo_resultado(codigo: &str) -> String {
    Resultado::parse(codigo).map_or_else(|| codigo.replace('_', " "), |r| r.rotulo().to_owned())
}

/// The pt-BR label of a stored instance.
pub fn rotulo_instancia(codigo: &str) -> String {
    Instancia::parse(codigo).map_or_else(|| codigo.to_owned(), |i| i.rotulo().to_owned())
}

/// Assigns the attendances `numeros` to `analista` (the queue's "Com" column); returns how
/// many were found and assigned.
pub async fn atribuir(
    db: &Db,
    relogio: &dyn Relogio,
    numeros: &[String],
    analista: &str,
) -> Result<usize, ServicoError> {
    let ids: Vec<i64> = persus_store::historico::ids_por_numero(db, numeros)
        .await?
        .into_iter()
        .map(|(_, id)| id)
        .collect();
    persus_store::contas::atribuir(db, &ids, analista, relogio.agora()).await?;
    Ok(ids.len())
}

/// The pt-BR label of a stored attendance state.
pub fn rotulo_estado(codigo: &str) -> String {
    Estado::parse(codigo).map_or_else(|| codigo.replace('_', " "), |e| e.rotulo().to_owned())
}
