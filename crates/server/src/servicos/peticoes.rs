//! Filing impugnações and recursos: validation against the lifecycle rules, protocol receipts,
//! and batches where each row is filed whole or refused with its reasons.
//!
//! Rules (domain.md §3–§5; each checked here or by the state machine):
//! - only within the deadline (RN 358/2014 art. 21; RN 253/2011 art. 12) — [`aplicar`] decides;
//! - one impugnação per attendance; a recurso only after a 1st-instance decision that did not
//!   fully grant (the state machine allows `RecursoProtocolado` only from retificado/mantido);
//! - technical grounds need the operator's auditor and the auditor's report (RN 253 art. 12 §3);
//! - an impugnação brings at least one document (PDF, see [`super::documentos`]);
//! - all attendances of a petition belong to the operator and to the process named;
//! - nothing is editable after protocol (protocolled rows are never updated).

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use persus_domain::calendar::CalendarioAns;
use persus_domain::deadline::{Prazo, PrazosVigentes};
use persus_domain::lifecycle::{aplicar, Ciclo, Estado, Evento, Regras};
use persus_domain::money::Centavos;
use persus_domain::motivos::{parse_catalogo, Motivo, CATALOGO_PADRAO_CSV};
use persus_store::auditoria::{self, Ator, Mudanca};
use persus_store::peticoes::{self, Documento, PeticaoLote, Situacao};
use persus_store::Db;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::ServicoError;

pub use persus_domain::peticoes::{EstadoPeticao, TipoPeticao, FUNDAMENTACAO_MINIMA};

/// What is wrong with a fundamentação, if anything: the one rule of its size
/// ([`FUNDAMENTACAO_MINIMA`]) for the web form, the API and batches.
pub fn erro_fundamentacao(texto: &str) -> Option<String> {
    (!persus_domain::peticoes::fundamentacao_suficiente(texto))
        .then(|| format!("escreva a fundamentação (ao menos {FUNDAMENTACAO_MINIMA} caracteres)"))
}

/// When, under which rule tables and by whom petitions are filed: the day judged (in
/// Brasília), the instant recorded, the calendar and deadlines in force, the audit actor.
#[derive(Clone, Copy)]
pub struct Ocasiao<'a> {
    pub hoje: NaiveDate,
    pub agora: DateTime<Utc>,
    pub calendario: &'a CalendarioAns,
    pub prazos: &'a PrazosVigentes,
    pub ator: &'a Ator,
}

impl Ocasiao<'_> {
    pub fn regras(&self) -> Regras<'_> {
        Regras {
            calendario: self.calendario,
            prazos: self.prazos,
        }
    }
}

/// One petition as the operator sends it (one row of a batch).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pedido {
    pub tipo: TipoPeticao,
    /// NUP of the process.
    pub processo: String,
    /// AIH/APAC numbers.
    pub atendimentos: Vec<String>,
    pub motivo: String,
    pub fundamentacao: String,
    pub auditor: Option<String>,
    pub documentos: Vec<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ReciboDocumento {
    pub nome_arquivo: String,
    pub sha256: String,
    pub tamanho: i64,
}

/// The protocol receipt: number, instant, and the hash of every file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Recibo {
    pub protocolo: String,
    pub protocolada_em: DateTime<Utc>,
    pub tipo: TipoPeticao,
    pub processo: String,
    pub atendimentos: Vec<String>,
    pub documentos: Vec<ReciboDocumento>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErroLinha {
    /// 1-based row number of the batch.
    pub linha: usize,
    pub erros: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ResultadoLote {
    pub recibos: Vec<Recibo>,
    pub erros: Vec<ErroLinha>,
}

/// The catalogue in force (embedded seed; the `motivos` table mirrors it for queries).
pub fn catalogo() -> HashMap<String, Motivo> {
    parse_catalogo(CATALOGO_PADRAO_CSV)
        .unwrap_or_default()
        .into_iter()
        .map(|m| (m.codigo.clone(), m))
        .collect()
}

/// Rebuilds the lifecycle facts of an attendance from what is stored.
pub fn ciclo_de(s: &Situacao) -> Result<Ciclo, String> {
    let estado =
        Estado::parse(&s.estado).ok_or_else(|| format!("estado desconhecido \"{}\"", s.estado))?;
    let prazo = |p: &Option<String>| {
        p.as_deref()
            .and_then(|j| serde_json::from_str::<Prazo>(j).ok())
    };
    let mut c = Ciclo::identificado(Centavos::new(
        s.valor_devido_centavos
            .unwrap_or(s.valor_ressarcimento_centavos),
    ));
    c.estado = estado;
    c.disponibilizado_em = s.abi_disponibilizada_em;
    c.ciencia_em = s.abi_ciencia_em;
    c.prazo_impugnacao = prazo(&s.abi_prazo);
    c.decisao_disponibilizada_em = s.decisao_disponibilizada_em;
    c.prazo_recurso = prazo(&s.decisao_prazo);
    Ok(c)
}

pub(crate) struct Contexto {
    situacoes: HashMap<String, Situacao>,
    processos: HashMap<String, i64>,
    motivos: HashMap<String, Motivo>,
    documentos: HashMap<i64, Documento>,
}

pub(crate) struct Validado {
    pub(crate) processo_id: i64,
    pub(crate) ids: Vec<i64>,
    pub(crate) de: Vec<(i64, Estado, Estado)>,
}

/// Everything the rules need to judge petitions of one operator, read once per batch.
pub(crate) async fn contexto(db: &Db, operadora: &str) -> Result<Contexto, ServicoError> {
    Ok(Contexto {
        situacoes: peticoes::situacoes_da_operadora(db, operadora)
            .await?
            .into_iter()
            .map(|s| (s.numero.clone(), s))
            .collect(),
        processos: peticoes::nups_da_operadora(db, operadora)
            .await?
            .into_iter()
            .map(|(id, n)| (n, id))
            .collect(),
        motivos: catalogo(),
        documentos: peticoes::documentos_da_operadora(db, operadora)
            .await?
            .into_iter()
            .map(|d| (d.id, d))
            .collect(),
    })
}

impl Contexto {
    pub(crate) fn processo(&self, nup: &str) -> Option<i64> {
        self.processos
            .get(&nup.replace(['.', '/', '-'], ""))
            .copied()
    }

    pub(crate) fn atendimento(&self, numero: &str) -> Option<&Situacao> {
        self.situacoes.get(numero.trim())
    }

    pub(crate) fn recibo_documentos(&self, ids: &[i64]) -> Vec<ReciboDocumento> {
        ids.iter()
            .filter_map(|d| self.documentos.get(d))
            .map(|d| ReciboDocumento {
                nome_arquivo: d.nome_arquivo.clone(),
                sha256: d.sha256.clone(),
                tamanho: d.tamanho,
            })
            .collect()
    }
}

/// Moves the attendances of validated petitions through the transition the state machine
/// chose, in the caller's transaction; refuses if any moved meanwhile. Returns how many moved.
pub(crate) async fn mover(
    tx: &mut persus_store::Tx,
    validos: &[&Validado],
) -> Result<usize, ServicoError> {
    let mut grupos: HashMap<(Estado, Estado), Vec<i64>> = HashMap::new();
    for v in validos {
        for (id, de, para) in &v.de {
            grupos.entry((*de, *para)).or_default().push(*id);
        }
    }
    for ((de, para), ids) in &grupos {
        let n = peticoes::mover_atendimentos(tx, ids, de.as_str(), para.as_str()).await?;
        if n != ids.len() as u64 {
            return Err(ServicoError::Regra(
                "atendimentos mudaram de situação durante o protocolo; nada foi protocolado, envie novamente".to_owned(),
            ));
        }
    }
    Ok(grupos.values().map(Vec::len).sum())
}

pub(crate) fn validar(
    p: &Pedido,
    ctx: &Contexto,
    usados: &HashSet<String>,
    hoje: NaiveDate,
    regras: &Regras<'_>,
) -> Result<Validado, Vec<String>> {
    let mut erros = Vec::new();
    erros.extend(erro_fundamentacao(&p.fundamentacao));
    let motivo = ctx.motivos.get(p.motivo.trim());
    match motivo {
        None => erros.push(format!("motivo \"{}\" não existe no catálogo", p.motivo)),
        Some(m) if m.exige_auditor() => {
            if p.auditor.as_deref().is_none_or(|a| a.trim().is_empty()) {
                erros.push(format!(
                    "o motivo {} é técnico: informe o auditor da operadora que assina a petição (RN 253/2011 art. 12 §3)",
                    m.codigo
                ));
            }
            if p.documentos.is_empty() {
                erros.push(format!(
                    "o motivo {} exige o laudo de auditoria em PDF",
                    m.codigo
                ));
            }
        }
        Some(_) => {}
    }
    if p.tipo == TipoPeticao::Impugnacao
        && p.documentos.is_empty()
        && motivo.is_some_and(|m| !m.exige_auditor())
    {
        erros.push("anexe ao menos um documento (PDF) que comprove o motivo".to_owned());
    }
    for d in &p.documentos {
        if !ctx.documentos.contains_key(d) {
            erros.push(format!(
                "documento {d} não encontrado entre os documentos da operadora"
            ));
        }
    }
    let processo_id = ctx.processo(&p.processo);
    if processo_id.is_none() {
        erros.push(format!(
            "processo {} não encontrado para esta operadora",
            p.processo
        ));
    }
    if p.atendimentos.is_empty() {
        erros.push("informe ao menos um atendimento (número da AIH ou APAC)".to_owned());
    }
    let evento = match p.tipo {
        TipoPeticao::Impugnacao => Evento::ImpugnacaoProtocolada { em: hoje },
        TipoPeticao::Recurso => Evento::RecursoProtocolado { em: hoje },
    };
    let mut ids = Vec::new();
    let mut de = Vec::new();
    let mut vistos = HashSet::new();
    for numero in &p.atendimentos {
        let numero = numero.trim();
        if !vistos.insert(numero.to_owned()) {
            erros.push(format!("atendimento {numero} repetido na petição"));
            continue;
        }
        let chave = format!("{}:{numero}", p.tipo.as_str());
        if usados.contains(&chave) {
            erros.push(format!(
                "atendimento {numero} já está em outra linha deste lote"
            ));
            continue;
        }
        let Some(s) = ctx.situacoes.get(numero) else {
            erros.push(format!(
                "atendimento {numero} não encontrado entre os atendimentos notificados à operadora"
            ));
            continue;
        };
        if processo_id.is_some() && s.processo_id != processo_id {
            erros.push(format!(
                "atendimento {numero} não pertence ao processo {}",
                p.processo
            ));
            continue;
        }
        let ciclo = match ciclo_de(s) {
            Ok(c) => c,
            Err(e) => {
                erros.push(format!("atendimento {numero}: {e}"));
                continue;
            }
        };
        match aplicar(&ciclo, &evento, regras) {
            Ok(t) => {
                ids.push(s.id);
                de.push((s.id, t.de, t.para));
            }
            Err(v) => erros.push(format!("atendimento {numero}: {v}")),
        }
    }
    if erros.is_empty() {
        Ok(Validado {
            processo_id: processo_id.unwrap_or_default(),
            ids,
            de,
        })
    } else {
        Err(erros)
    }
}

/// Files a batch: every valid row is protocolled (in one transaction, so a crash files none),
/// every invalid row is returned with its reasons and changes nothing.
pub async fn protocolar_lote(
    db: &Db,
    operadora: &str,
    pedidos: &[Pedido],
    o: &Ocasiao<'_>,
) -> Result<ResultadoLote, ServicoError> {
    executar_lote(db, operadora, pedidos, o, None).await
}

/// [`protocolar_lote`] for a batch job (`lotes` row `lote`): the job's result is written, and
/// its `lote.concluido` event queued, in the same transaction that files the petitions — a
/// crash leaves the job to be taken again with nothing filed, never filed but unfinished.
pub async fn protocolar_job(
    db: &Db,
    operadora: &str,
    pedidos: &[Pedido],
    lote: i64,
    o: &Ocasiao<'_>,
) -> Result<ResultadoLote, ServicoError> {
    executar_lote(db, operadora, pedidos, o, Some(lote)).await
}

async fn concluir_job(
    tx: &mut persus_store::Tx,
    operadora: &str,
    lote: i64,
    r: &ResultadoLote,
    agora: DateTime<Utc>,
) -> Result<(), ServicoError> {
    let resultado = json!({ "recibos": r.recibos, "erros": r.erros });
    persus_store::lotes::concluir(
        tx,
        lote,
        r.recibos.len() as i32,
        r.erros.len() as i32,
        &resultado,
        agora,
    )
    .await?;
    persus_store::webhooks::registrar_evento(
        tx,
        Some(operadora),
        persus_domain::eventos::TipoEvento::LoteConcluido,
        &json!({ "lote": lote, "protocoladas": r.recibos.len(), "recusadas": r.erros.len() }),
        agora,
    )
    .await?;
    Ok(())
}

/// Checks a batch against every rule without filing anything: the rows that would be refused,
/// with their reasons (the web shows them before the batch is submitted).
pub async fn validar_lote(
    db: &Db,
    operadora: &str,
    pedidos: &[Pedido],
    hoje: NaiveDate,
    calendario: &CalendarioAns,
    prazos: &PrazosVigentes,
) -> Result<Vec<ErroLinha>, ServicoError> {
    let ctx = contexto(db, operadora).await?;
    let regras = Regras { calendario, prazos };
    let mut usados = HashSet::new();
    let mut erros = Vec::new();
    for (i, p) in pedidos.iter().enumerate() {
        match validar(p, &ctx, &usados, hoje, &regras) {
            Ok(_) => {
                for n in &p.atendimentos {
                    usados.insert(format!("{}:{}", p.tipo.as_str(), n.trim()));
                }
            }
            Err(e) => erros.push(ErroLinha {
                linha: i + 1,
                erros: e,
            }),
        }
    }
    Ok(erros)
}

async fn executar_lote(
    db: &Db,
    operadora: &str,
    pedidos: &[Pedido],
    o: &Ocasiao<'_>,
    job: Option<i64>,
) -> Result<ResultadoLote, ServicoError> {
    let (hoje, agora, ator) = (o.hoje, o.agora, o.ator);
    let ctx = contexto(db, operadora).await?;
    let regras = o.regras();
    let mut usados = HashSet::new();
    let mut validos = Vec::new();
    let mut erros = Vec::new();
    for (i, p) in pedidos.iter().enumerate() {
        match validar(p, &ctx, &usados, hoje, &regras) {
            Ok(v) => {
                for n in &p.atendimentos {
                    usados.insert(format!("{}:{}", p.tipo.as_str(), n.trim()));
                }
                validos.push((p, v));
            }
            Err(e) => erros.push(ErroLinha {
                linha: i + 1,
                erros: e,
            }),
        }
    }
    if validos.is_empty() {
        let r = ResultadoLote {
            recibos: Vec::new(),
            erros,
        };
        if let Some(lote) = job {
            let mut tx = db.begin().await?;
            concluir_job(&mut tx, operadora, lote, &r, agora).await?;
            tx.commit().await?;
        }
        return Ok(r);
    }

    let mut tx = db.begin().await?;
    let primeiro =
        peticoes::reservar_protocolos(&mut tx, hoje.year(), validos.len() as i64).await?;
    let lote: Vec<PeticaoLote> = validos
        .iter()
        .enumerate()
        .map(|(k, (p, v))| PeticaoLote {
            tipo: p.tipo,
            processo_id: v.processo_id,
            motivo: p.motivo.trim().to_owned(),
            fundamentacao: p.fundamentacao.trim().to_owned(),
            auditor: p.auditor.clone().filter(|a| !a.trim().is_empty()),
            protocolo: numero_protocolo(hoje.year(), primeiro + k as i64),
            atendimentos: v.ids.clone(),
            documentos: p.documentos.clone(),
        })
        .collect();
    peticoes::inserir_lote(&mut tx, operadora, &lote, agora, &ator.ator).await?;
    let movidos = mover(&mut tx, &validos.iter().map(|(_, v)| v).collect::<Vec<_>>()).await?;
    auditoria::registrar(
        &mut tx,
        ator,
        Mudanca {
            acao: "peticoes.protocoladas",
            entidade: "operadora",
            entidade_id: operadora,
            antes: None,
            depois: Some(json!({
                "peticoes": lote.len(),
                "protocolos": [lote.first().map(|p| p.protocolo.clone()), lote.last().map(|p| p.protocolo.clone())],
                "atendimentos": movidos,
                "linhas_recusadas": erros.len(),
            })),
        },
        agora,
    )
    .await?;
    let recibos = validos
        .iter()
        .zip(&lote)
        .map(|((p, _), l)| Recibo {
            protocolo: l.protocolo.clone(),
            protocolada_em: agora,
            tipo: p.tipo,
            processo: p.processo.clone(),
            atendimentos: p.atendimentos.iter().map(|a| a.trim().to_owned()).collect(),
            documentos: ctx.recibo_documentos(&p.documentos),
        })
        .collect();
    let r = ResultadoLote { recibos, erros };
    if let Some(lote) = job {
        concluir_job(&mut tx, operadora, lote, &r, agora).await?;
    }
    tx.commit().await?;
    Ok(r)
}

/// Files one petition; refused as a whole with every reason.
pub async fn protocolar(
    db: &Db,
    operadora: &str,
    pedido: &Pedido,
    o: &Ocasiao<'_>,
) -> Result<Recibo, ServicoError> {
    let mut r = protocolar_lote(db, operadora, std::slice::from_ref(pedido), o).await?;
    match (r.recibos.pop(), r.erros.pop()) {
        (Some(recibo), _) => Ok(recibo),
        (None, Some(e)) => Err(ServicoError::Regra(e.erros.join("; "))),
        (None, None) => Err(ServicoError::Regra("petição vazia".to_owned())),
    }
}

/// An attendance a petition may name today.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Elegivel {
    pub numero: String,
    /// What is charged for it now (the value due, else the reimbursement value).
    pub valor_centavos: i64,
}

/// The attendances of process `processo_id` that a petition of `tipo` may name on `hoje`: those
/// for which the state machine accepts it (state and deadline), in number order.
pub async fn elegiveis(
    db: &Db,
    operadora: &str,
    processo_id: i64,
    tipo: TipoPeticao,
    hoje: NaiveDate,
    regras: &Regras<'_>,
) -> Result<Vec<Elegivel>, ServicoError> {
    let evento = match tipo {
        TipoPeticao::Impugnacao => Evento::ImpugnacaoProtocolada { em: hoje },
        TipoPeticao::Recurso => Evento::RecursoProtocolado { em: hoje },
    };
    Ok(peticoes::situacoes_do_processo(db, operadora, processo_id)
        .await?
        .into_iter()
        .filter(|s| ciclo_de(s).is_ok_and(|c| aplicar(&c, &evento, regras).is_ok()))
        .map(|s| Elegivel {
            valor_centavos: s
                .valor_devido_centavos
                .unwrap_or(s.valor_ressarcimento_centavos),
            numero: s.numero,
        })
        .collect())
}

/// `2026.0000123`: year and a yearly sequence.
pub fn numero_protocolo(ano: i32, seq: i64) -> String {
    format!("{ano}.{seq:07}")
}

/// The header of a batch manifest (CSV, `;`-separated, UTF-8), as the template offers it.
pub const CABECALHO_LOTE: &str =
    "tipo;processo;atendimentos;motivo;fundamentacao;auditor;documentos";

/// Reads a batch manifest: one petition per row; `atendimentos` and `documentos` separated by
/// `|`. A malformed row is reported with its line (the header is line 1) and what to fix;
/// nothing is filed unless the whole manifest reads.
pub fn ler_lote_csv(texto: &str) -> Result<Vec<Pedido>, Vec<ErroLinha>> {
    ler_lote_csv_com(texto, |d| {
        Err(format!(
            "documento \"{d}\" inválido: informe o número do documento enviado (ou envie o lote \
             como ZIP com o manifesto e os PDFs, citando-os pelo nome)"
        ))
    })
}

/// As [`ler_lote_csv`], with `por_nome` resolving a `documentos` entry that is not a number (a
/// file name in a ZIP batch) to a document id, or saying why not.
pub fn ler_lote_csv_com(
    texto: &str,
    mut por_nome: impl FnMut(&str) -> Result<i64, String>,
) -> Result<Vec<Pedido>, Vec<ErroLinha>> {
    let mut leitor = csv::ReaderBuilder::new()
        .delimiter(b';')
        .flexible(true)
        .from_reader(texto.trim_start_matches('\u{feff}').as_bytes());
    let esperado: Vec<&str> = CABECALHO_LOTE.split(';').collect();
    match leitor.headers() {
        Ok(h) if h.iter().map(str::trim).eq(esperado.iter().copied()) => {}
        Ok(h) => {
            return Err(vec![ErroLinha {
                linha: 1,
                erros: vec![format!(
                    "cabeçalho \"{}\" inválido: use exatamente \"{CABECALHO_LOTE}\"",
                    h.iter().collect::<Vec<_>>().join(";")
                )],
            }])
        }
        Err(e) => {
            return Err(vec![ErroLinha {
                linha: 1,
                erros: vec![format!("arquivo ilegível: {e}")],
            }])
        }
    }
    let mut pedidos = Vec::new();
    let mut erros = Vec::new();
    for (i, r) in leitor.records().enumerate() {
        let linha = i + 2;
        let r = match r {
            Ok(r) => r,
            Err(e) => {
                erros.push(ErroLinha {
                    linha,
                    erros: vec![format!("linha ilegível: {e}")],
                });
                continue;
            }
        };
        if r.len() != esperado.len() {
            erros.push(ErroLinha {
                linha,
                erros: vec![format!(
                    "a linha tem {} colunas; são {} ({CABECALHO_LOTE})",
                    r.len(),
                    esperado.len()
                )],
            });
            continue;
        }
        let mut problemas = Vec::new();
        let tipo = TipoPeticao::parse(r[0].trim());
        if tipo.is_none() {
            problemas.push(format!(
                "tipo \"{}\" inválido: use impugnacao ou recurso",
                r[0].trim()
            ));
        }
        let lista = |s: &str| -> Vec<String> {
            s.split('|')
                .map(str::trim)
                .filter(|x| !x.is_empty())
                .map(str::to_owned)
                .collect()
        };
        let mut documentos = Vec::new();
        for d in lista(&r[6]) {
            match d.parse::<i64>().or_else(|_| por_nome(&d)) {
                Ok(id) => documentos.push(id),
                Err(m) => problemas.push(m),
            }
        }
        match (tipo, problemas.is_empty()) {
            (Some(tipo), true) => pedidos.push(Pedido {
                tipo,
                processo: r[1].trim().to_owned(),
                atendimentos: lista(&r[2]),
                motivo: r[3].trim().to_owned(),
                fundamentacao: r[4].trim().to_owned(),
                auditor: Some(r[5].trim().to_owned()).filter(|a| !a.is_empty()),
                documentos,
            }),
            _ => erros.push(ErroLinha {
                linha,
                erros: problemas,
            }),
        }
    }
    if erros.is_empty() {
        Ok(pedidos)
    } else {
        Err(erros)
    }
}
