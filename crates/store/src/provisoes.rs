//! Provisions (issue #14; domain.md §10): the runoff cells of occurrence × notification read
//! from the system's own attendances and from the notified history of earlier quarters, the PESL
//! SUS position, the parameter versions proposed by the yearly PEONA SUS study and decided by
//! ANS, and the guarantee assets ANS imports per operator.
//!
//! The pure computation lives in `persus_domain::provisoes`; this module only reads and writes.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use persus_domain::ids::{Competencia, Trimestre};
use persus_domain::lifecycle::Estado;
use persus_domain::provisoes::impacto::Ativos;
use persus_domain::provisoes::parametros::ParametrosPeona;
use persus_domain::provisoes::Celula;
use serde::Serialize;
use serde_json::json;

use crate::auditoria::{self, Ator, Mudanca};
use crate::{Db, StoreError, Tx};

// ---- Runoff cells ----

/// One cell of one operator's runoff: what occurred in a quarter and was notified in another.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CelulaRunoff {
    pub operadora: String,
    pub celula: Celula,
}

type Chave = (String, Trimestre, Trimestre);

/// A history aggregate as read: operator, quarters (text), amount and count.
type LinhaAgregada = (String, String, String, Option<i64>, Option<i64>);

fn trimestre(texto: &str, campo: &str) -> Result<Trimestre, StoreError> {
    Trimestre::parse(texto)
        .map_err(|e| StoreError::Reference(format!("{campo} \"{texto}\" inválido no banco: {e}")))
}

/// Every runoff cell of one operator (or of all), oldest first: the union of
/// - the notified history (`peona_historico`: the demo's synthetic past or a migration), and
/// - the live attendances already notified: occurrence = the quarter of the attendance's
///   competência; notification = the quarter of the day its Ofício ABI was made available (a civil
///   date in America/Sao_Paulo, as the publication stores it); amount = the amount due when set,
///   else the ressarcimento value.
///
/// Only what is due or chargeable counts (domain.md §10.1): attendances annulled (impugnação or
/// recurso granted) are left out; every other notified attendance is chargeable.
///
/// The attendances are aggregated in SQL per (operator, notice, competência) — a few thousand
/// groups for a million attendances, read from the covering index `atendimentos_provisoes` —
/// and mapped to quarters here.
pub async fn celulas(db: &Db, operadora: Option<&str>) -> Result<Vec<CelulaRunoff>, StoreError> {
    let mut soma: BTreeMap<Chave, (i64, i64)> = BTreeMap::new();

    let filtro = if operadora.is_some() {
        "a.operadora = $3"
    } else {
        "$3 IS NULL"
    };
    // Grouped by notice first, in the covering index's order (a streaming aggregate, no
    // per-attendance join); the notice's day is joined to the few thousand groups.
    let sql = format!(
        "SELECT x.operadora, x.competencia, n.disponibilizada_em, x.quantidade, x.valor
         FROM (SELECT a.operadora, a.notificacao_id, a.competencia, COUNT(*) AS quantidade,
                      CAST(SUM(COALESCE(a.valor_devido_centavos, a.valor_ressarcimento_centavos)) AS BIGINT) AS valor
               FROM atendimentos a
               WHERE a.notificacao_id IS NOT NULL AND a.estado <> $2 AND {filtro}
               GROUP BY a.operadora, a.notificacao_id, a.competencia) x
         JOIN notificacoes n ON n.id = x.notificacao_id
         WHERE n.tipo = $1"
    );
    let vivas: Vec<(String, String, NaiveDate, i64, Option<i64>)> = on_db!(db, pool =>
        sqlx::query_as(&sql).bind("oficio_abi").bind(Estado::Anulado.as_str()).bind(operadora)
            .fetch_all(pool).await?);
    for (op, competencia, disponibilizada, n, v) in vivas {
        let ocorrencia = Competencia::parse(&competencia)
            .map_err(|e| {
                StoreError::Reference(format!(
                    "competência \"{competencia}\" inválida no banco: {e}"
                ))
            })?
            .trimestre();
        let aviso = Trimestre::de_data(disponibilizada).ok_or_else(|| {
            StoreError::Reference(format!(
                "data de disponibilização {disponibilizada} fora do intervalo"
            ))
        })?;
        let e = soma.entry((op, ocorrencia, aviso)).or_default();
        e.0 += v.unwrap_or(0);
        e.1 += n;
    }

    let historico: Vec<LinhaAgregada> = on_db!(db, pool =>
        sqlx::query_as(
            "SELECT operadora, trimestre_ocorrencia, trimestre_aviso,
                    CAST(SUM(valor_centavos) AS BIGINT), CAST(SUM(quantidade) AS BIGINT)
             FROM peona_historico WHERE ($1 IS NULL OR operadora = $1)
             GROUP BY operadora, trimestre_ocorrencia, trimestre_aviso")
            .bind(operadora).fetch_all(pool).await?);
    for (op, oc, av, v, n) in historico {
        let chave = (
            op,
            trimestre(&oc, "trimestre de ocorrência")?,
            trimestre(&av, "trimestre de aviso")?,
        );
        let e = soma.entry(chave).or_default();
        e.0 += v.unwrap_or(0);
        e.1 += n.unwrap_or(0);
    }

    Ok(soma
        .into_iter()
        .map(
            |((operadora, ocorrencia, aviso), (valor_centavos, quantidade))| CelulaRunoff {
                operadora,
                celula: Celula {
                    ocorrencia,
                    aviso,
                    valor_centavos,
                    quantidade,
                },
            },
        )
        .collect())
}

// ---- Notified history ----

persus_domain::rotulado! {
    /// Where a history row came from.
    pub enum OrigemHistorico {
        DemoSintetico = ("demo_sintetico", "dados sintéticos de demonstração"),
        Migracao = ("migracao", "migração do PERSUS 1.0"),
    }
}

/// One aggregated history row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinhaHistorico {
    pub operadora: String,
    pub ocorrencia: Trimestre,
    pub aviso: Trimestre,
    pub valor_centavos: i64,
    pub quantidade: i64,
}

/// Writes history rows in the caller's transaction. A row of the same (operator, occurrence,
/// notification, origin) is replaced, so re-running a migration converges.
pub async fn inserir_historico(
    tx: &mut Tx,
    origem: OrigemHistorico,
    linhas: &[LinhaHistorico],
) -> Result<usize, StoreError> {
    for lote in linhas.chunks(1_000) {
        on_tx!(tx, conn => {
            let mut qb = sqlx::QueryBuilder::new(
                "INSERT INTO peona_historico (operadora, trimestre_ocorrencia, trimestre_aviso,
                                              valor_centavos, quantidade, origem) ");
            qb.push_values(lote, |mut b, l| {
                b.push_bind(&l.operadora)
                    .push_bind(l.ocorrencia.to_string())
                    .push_bind(l.aviso.to_string())
                    .push_bind(l.valor_centavos)
                    .push_bind(l.quantidade)
                    .push_bind(origem.as_str());
            });
            qb.push(" ON CONFLICT (operadora, trimestre_ocorrencia, trimestre_aviso, origem)
                      DO UPDATE SET valor_centavos = excluded.valor_centavos,
                                    quantidade = excluded.quantidade");
            qb.build().execute(conn).await?.rows_affected();
        });
    }
    Ok(linhas.len())
}

// ---- PESL SUS ----

persus_domain::rotulado! {
    /// Where a notified, unpaid amount stands (PESL SUS; domain.md §10.2).
    pub enum SituacaoPesl {
        PrazoImpugnacao = ("prazo_impugnacao", "Em prazo de impugnação ou recurso"),
        EmAnalise = ("em_analise", "Em análise (impugnação ou recurso pendente)"),
        Devido = ("devido", "Devido, sem GRU pagável"),
        EmGru = ("em_gru", "Em GRU emitida, dentro do vencimento e não paga"),
        Parcelado = ("parcelado", "Parcelado (menos de 3 parcelas pagas)"),
        ParceladoLastroDispensado = (
            "parcelado_lastro_dispensado",
            "Parcelado com 3 ou mais parcelas pagas (dispensa lastro, RN 329/2013 art. 2º §3º)"
        ),
    }
}

/// Paid instalments from which a parcelled debt needs no asset backing (RN 329/2013 art. 2 §3,
/// via domain.md §10.2, certainty [S]).
pub const PARCELAS_PAGAS_DISPENSA_LASTRO: i64 = 3;

/// Amount and count of one operator in one situation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LinhaPesl {
    pub operadora: String,
    pub situacao: SituacaoPesl,
    pub quantidade: i64,
    pub valor_centavos: i64,
}

/// One group of attendances read for the PESL SUS: same operator, state and debt.
#[derive(sqlx::FromRow)]
struct GrupoPesl {
    operadora: String,
    estado: String,
    debito_estado: Option<String>,
    debito_pago_em: Option<NaiveDate>,
    em_gru: i64,
    parcelas: i64,
    parcelas_pagas: i64,
    quantidade: i64,
    valor: Option<i64>,
}

/// The situation of a group, or `None` when it was paid by `base` (no PESL).
fn situacao(g: &GrupoPesl, base: NaiveDate) -> Result<Option<SituacaoPesl>, StoreError> {
    let estado = Estado::parse(&g.estado)
        .ok_or_else(|| StoreError::Reference(format!("estado \"{}\" desconhecido", g.estado)))?;
    Ok(match estado {
        // Annulled: nothing owed. Identified: not notified (filtered out by the query anyway).
        Estado::Anulado | Estado::Identificado => None,
        // The impugnação period, or the recurso period after a 1st-instance decision, running
        // without a petition.
        Estado::AguardandoCiencia | Estado::Notificado | Estado::Retificado | Estado::Mantido => {
            Some(SituacaoPesl::PrazoImpugnacao)
        }
        // A petition pending at either instance; a judicial suspension also awaits an outcome
        // [GUESS: counted here, its amount is still a liability].
        Estado::Impugnado | Estado::EmRecurso | Estado::EmDicol | Estado::Suspenso => {
            Some(SituacaoPesl::EmAnalise)
        }
        Estado::Devido => match g.debito_estado.as_deref() {
            // Due, debt not constituted yet, or a rescinded parcelamento's balance due again.
            None | Some("rescindido") => Some(SituacaoPesl::Devido),
            Some("pago") if g.debito_pago_em.is_some_and(|d| d <= base) => None,
            Some("parcelado") | Some("pago") if g.parcelas > 0 => {
                if g.parcelas_pagas >= g.parcelas {
                    None
                } else if g.parcelas_pagas >= PARCELAS_PAGAS_DISPENSA_LASTRO {
                    Some(SituacaoPesl::ParceladoLastroDispensado)
                } else {
                    Some(SituacaoPesl::Parcelado)
                }
            }
            // Paid after the base date: unpaid at the base, due then.
            Some("pago") => Some(SituacaoPesl::Devido),
            _ if g.em_gru > 0 => Some(SituacaoPesl::EmGru),
            _ => Some(SituacaoPesl::Devido),
        },
    })
}

/// The PESL SUS position: what was notified to each operator up to `base` (its Ofício ABI made
/// available on or before that day) and is not paid, per (operator, situation), with amount (the
/// amount due, principal without interest or fine) and count of attendances.
///
/// The situation is **today's** state of each attendance and its debt; `base` filters only by
/// notification date and by payment date (a debt paid after `base`, or an instalment paid after
/// it, counts as unpaid at `base`). A past base date therefore does not replay the lifecycle.
pub async fn pesl(
    db: &Db,
    operadora: Option<&str>,
    base: NaiveDate,
) -> Result<Vec<LinhaPesl>, StoreError> {
    let filtro = if operadora.is_some() {
        "a.operadora = $4"
    } else {
        "$4 IS NULL"
    };
    let sql = format!(
        "SELECT x.operadora, x.estado, d.estado AS debito_estado, d.pago_em AS debito_pago_em,
                (SELECT COUNT(*) FROM gru_debitos gd JOIN grus g ON g.id = gd.gru_id
                  WHERE gd.debito_id = d.id AND g.estado = 'emitida' AND g.vencimento >= $3) AS em_gru,
                (SELECT COUNT(*) FROM parcelas pa WHERE pa.parcelamento_id = d.parcelamento_id) AS parcelas,
                (SELECT COUNT(*) FROM parcelas pa WHERE pa.parcelamento_id = d.parcelamento_id
                    AND pa.estado = 'paga' AND pa.paga_em <= $3) AS parcelas_pagas,
                x.quantidade, x.valor
         FROM (SELECT a.operadora, a.notificacao_id, a.estado, a.debito_id, COUNT(*) AS quantidade,
                      CAST(SUM(COALESCE(a.valor_devido_centavos, a.valor_ressarcimento_centavos)) AS BIGINT) AS valor
               FROM atendimentos a
               WHERE a.notificacao_id IS NOT NULL AND a.estado <> $2 AND {filtro}
               GROUP BY a.operadora, a.notificacao_id, a.estado, a.debito_id) x
         JOIN notificacoes n ON n.id = x.notificacao_id AND n.tipo = $1 AND n.disponibilizada_em <= $3
         LEFT JOIN debitos d ON d.id = x.debito_id"
    );
    let grupos: Vec<GrupoPesl> = on_db!(db, pool => sqlx::query_as(&sql)
        .bind("oficio_abi").bind(Estado::Anulado.as_str()).bind(base).bind(operadora)
        .fetch_all(pool).await?);
    let mut soma: BTreeMap<(String, SituacaoPesl), (i64, i64)> = BTreeMap::new();
    for g in &grupos {
        if let Some(s) = situacao(g, base)? {
            let e = soma.entry((g.operadora.clone(), s)).or_default();
            e.0 += g.quantidade;
            e.1 += g.valor.unwrap_or(0);
        }
    }
    Ok(soma
        .into_iter()
        .map(
            |((operadora, situacao), (quantidade, valor_centavos))| LinhaPesl {
                operadora,
                situacao,
                quantidade,
                valor_centavos,
            },
        )
        .collect())
}

// ---- Parameter versions ----

persus_domain::rotulado! {
    /// Where a proposed parameter version stands.
    pub enum EstadoParametros {
        Proposta = ("proposta", "proposta, aguardando decisão da ANS"),
        Aprovada = ("aprovada", "aprovada"),
        Rejeitada = ("rejeitada", "rejeitada"),
    }
}

/// One stored version with its study and decision.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RegistroParametros {
    pub parametros: ParametrosPeona,
    pub estado: EstadoParametros,
    /// The study that proposed it (triangle, development, stability), as the service wrote it.
    pub estudo: serde_json::Value,
    pub proposta_em: DateTime<Utc>,
    pub proposta_por: String,
    pub decidida_em: Option<DateTime<Utc>>,
    pub decidida_por: Option<String>,
}

#[derive(sqlx::FromRow)]
struct LinhaParametros {
    versao: String,
    teto_pb: i32,
    janela_inicio: String,
    janela_fim: Option<String>,
    vigencia_inicio: NaiveDate,
    atualizacao_anual: bool,
    fonte: String,
    estado: String,
    estudo: String,
    proposta_em: DateTime<Utc>,
    proposta_por: String,
    decidida_em: Option<DateTime<Utc>>,
    decidida_por: Option<String>,
}

const PARAMETROS: &str = "versao, teto_pb, janela_inicio, janela_fim, vigencia_inicio, \
     atualizacao_anual, fonte, estado, estudo, proposta_em, proposta_por, decidida_em, decidida_por";

impl LinhaParametros {
    fn registro(self) -> Result<RegistroParametros, StoreError> {
        let estado = EstadoParametros::parse(&self.estado).ok_or_else(|| {
            StoreError::Reference(format!(
                "estado de parâmetros \"{}\" desconhecido",
                self.estado
            ))
        })?;
        Ok(RegistroParametros {
            parametros: ParametrosPeona {
                teto_pb: u32::try_from(self.teto_pb).map_err(|_| {
                    StoreError::Reference(format!("teto {} inválido no banco", self.teto_pb))
                })?,
                janela_inicio: trimestre(&self.janela_inicio, "trimestre A")?,
                janela_fim: self
                    .janela_fim
                    .as_deref()
                    .map(|b| trimestre(b, "trimestre B"))
                    .transpose()?,
                vigencia_inicio: self.vigencia_inicio,
                // The end of validity follows from the next version (TabelaParametros::com).
                vigencia_fim: None,
                atualizacao_anual: self.atualizacao_anual,
                // Decided by ANS in this very system: a verified fact of the regulation.
                certeza: "V".to_owned(),
                fonte: self.fonte,
                versao: self.versao,
            },
            estado,
            estudo: serde_json::from_str(&self.estudo).unwrap_or(serde_json::Value::Null),
            proposta_em: self.proposta_em,
            proposta_por: self.proposta_por,
            decidida_em: self.decidida_em,
            decidida_por: self.decidida_por,
        })
    }
}

/// Records a version proposed by a study, with an audit event, in one transaction. A version
/// name already stored is refused (nothing written).
pub async fn propor(
    db: &Db,
    p: &ParametrosPeona,
    estudo: &serde_json::Value,
    ator: &Ator,
    em: DateTime<Utc>,
) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    let existe: Option<String> = on_tx!(&mut tx, conn => sqlx::query_scalar(
        "SELECT estado FROM peona_parametros WHERE versao = $1")
        .bind(&p.versao).fetch_optional(conn).await?);
    if let Some(estado) = existe {
        return Err(StoreError::Conflict(format!(
            "a versão de parâmetros {} já existe (estado: {estado}); nada foi gravado",
            p.versao
        )));
    }
    let sql = format!(
        "INSERT INTO peona_parametros ({PARAMETROS})
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, NULL, NULL)"
    );
    on_tx!(&mut tx, conn => sqlx::query(&sql)
        .bind(&p.versao).bind(p.teto_pb as i32).bind(p.janela_inicio.to_string())
        .bind(p.janela_fim.map(|b| b.to_string())).bind(p.vigencia_inicio)
        .bind(p.atualizacao_anual).bind(&p.fonte).bind(EstadoParametros::Proposta.as_str())
        .bind(estudo.to_string()).bind(em).bind(&ator.ator)
        .execute(conn).await?.rows_affected());
    auditoria::registrar(
        &mut tx,
        ator,
        Mudanca {
            acao: "peona.parametros_propostos",
            entidade: "peona_parametros",
            entidade_id: &p.versao,
            antes: None,
            depois: Some(json!({
                "estado": EstadoParametros::Proposta.as_str(),
                "teto_pb": p.teto_pb,
                "janela_inicio": p.janela_inicio,
                "janela_fim": p.janela_fim,
                "vigencia_inicio": p.vigencia_inicio,
                "atualizacao_anual": p.atualizacao_anual,
            })),
        },
        em,
    )
    .await?;
    tx.commit().await
}

/// What a decision did.
#[derive(Clone, Debug, PartialEq)]
pub enum ResultadoDecisao {
    Decidida(Box<RegistroParametros>),
    Inexistente,
    /// Already approved or rejected: a version is decided once.
    JaDecidida(EstadoParametros),
}

/// Approves or rejects a proposed version — only from `proposta` — and appends the audit event
/// in the same transaction.
pub async fn decidir(
    db: &Db,
    versao: &str,
    aprovar: bool,
    ator: &Ator,
    em: DateTime<Utc>,
) -> Result<ResultadoDecisao, StoreError> {
    let novo = if aprovar {
        EstadoParametros::Aprovada
    } else {
        EstadoParametros::Rejeitada
    };
    let mut tx = db.begin().await?;
    let n = on_tx!(&mut tx, conn => sqlx::query(
        "UPDATE peona_parametros SET estado = $2, decidida_em = $3, decidida_por = $4
         WHERE versao = $1 AND estado = $5")
        .bind(versao).bind(novo.as_str()).bind(em).bind(&ator.ator)
        .bind(EstadoParametros::Proposta.as_str())
        .execute(conn).await?.rows_affected());
    let sql = format!("SELECT {PARAMETROS} FROM peona_parametros WHERE versao = $1");
    let linha: Option<LinhaParametros> =
        on_tx!(&mut tx, conn => sqlx::query_as(&sql).bind(versao).fetch_optional(conn).await?);
    let Some(linha) = linha else {
        return Ok(ResultadoDecisao::Inexistente);
    };
    let registro = linha.registro()?;
    if n == 0 {
        return Ok(ResultadoDecisao::JaDecidida(registro.estado));
    }
    auditoria::registrar(
        &mut tx,
        ator,
        Mudanca {
            acao: if aprovar {
                "peona.parametros_aprovados"
            } else {
                "peona.parametros_rejeitados"
            },
            entidade: "peona_parametros",
            entidade_id: versao,
            antes: Some(json!({ "estado": EstadoParametros::Proposta.as_str() })),
            depois: Some(json!({ "estado": novo.as_str() })),
        },
        em,
    )
    .await?;
    tx.commit().await?;
    Ok(ResultadoDecisao::Decidida(Box::new(registro)))
}

/// Every stored version, by start of validity.
pub async fn listar(db: &Db) -> Result<Vec<RegistroParametros>, StoreError> {
    let sql = format!("SELECT {PARAMETROS} FROM peona_parametros ORDER BY vigencia_inicio, versao");
    let linhas: Vec<LinhaParametros> =
        on_db!(db, pool => sqlx::query_as(&sql).fetch_all(pool).await?);
    linhas.into_iter().map(LinhaParametros::registro).collect()
}

/// The approved versions only (what `TabelaParametros::com` adds to the built-in table).
pub async fn parametros_aprovados(db: &Db) -> Result<Vec<ParametrosPeona>, StoreError> {
    Ok(listar(db)
        .await?
        .into_iter()
        .filter(|r| r.estado == EstadoParametros::Aprovada)
        .map(|r| r.parametros)
        .collect())
}

// ---- Guarantee assets ----

/// One operator's guarantee assets at a base date, and its medical-hospital beneficiaries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AtivosOperadora {
    pub beneficiarios_mh: i64,
    pub ativos_garantidores_centavos: i64,
    pub outras_provisoes_centavos: i64,
    pub data_base: NaiveDate,
    /// Generated by the demo, not imported from ANS.
    pub sintetico: bool,
    /// Its PEONA SUS follows its own actuarial methodology approved by ANS, not the standard
    /// formula of RN 574 Annex VIII (so a change of the formula's parameters does not move it).
    pub metodologia_propria: bool,
}

impl AtivosOperadora {
    pub fn ativos(&self) -> Ativos {
        Ativos {
            ativos_garantidores_centavos: self.ativos_garantidores_centavos,
            outras_provisoes_centavos: self.outras_provisoes_centavos,
        }
    }
}

/// One row to store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NovoAtivos {
    pub operadora: String,
    pub dados: AtivosOperadora,
}

/// Stores assets rows in the caller's transaction; a row of the same (operator, base date)
/// is replaced (a corrected file re-imported).
pub async fn gravar_ativos(
    tx: &mut Tx,
    linhas: &[NovoAtivos],
    importado_em: DateTime<Utc>,
) -> Result<usize, StoreError> {
    for lote in linhas.chunks(1_000) {
        on_tx!(tx, conn => {
            let mut qb = sqlx::QueryBuilder::new(
                "INSERT INTO peona_ativos (operadora, data_base, beneficiarios_mh,
                     ativos_garantidores_centavos, outras_provisoes_centavos, sintetico,
                     metodologia_propria, importado_em) ");
            qb.push_values(lote, |mut b, l| {
                b.push_bind(&l.operadora)
                    .push_bind(l.dados.data_base)
                    .push_bind(l.dados.beneficiarios_mh)
                    .push_bind(l.dados.ativos_garantidores_centavos)
                    .push_bind(l.dados.outras_provisoes_centavos)
                    .push_bind(l.dados.sintetico)
                    .push_bind(l.dados.metodologia_propria)
                    .push_bind(importado_em);
            });
            qb.push(" ON CONFLICT (operadora, data_base) DO UPDATE SET
                        beneficiarios_mh = excluded.beneficiarios_mh,
                        ativos_garantidores_centavos = excluded.ativos_garantidores_centavos,
                        outras_provisoes_centavos = excluded.outras_provisoes_centavos,
                        sintetico = excluded.sintetico,
                        metodologia_propria = excluded.metodologia_propria,
                        importado_em = excluded.importado_em");
            qb.build().execute(conn).await?.rows_affected();
        });
    }
    Ok(linhas.len())
}

/// Per operator, its most recent assets row with `data_base` on or before `dia`.
pub async fn ativos_na_data(
    db: &Db,
    dia: NaiveDate,
) -> Result<HashMap<String, AtivosOperadora>, StoreError> {
    type Linha = (String, i64, i64, i64, NaiveDate, bool, bool);
    let linhas: Vec<Linha> = on_db!(db, pool => sqlx::query_as(
        "SELECT a.operadora, a.beneficiarios_mh, a.ativos_garantidores_centavos,
                a.outras_provisoes_centavos, a.data_base, a.sintetico, a.metodologia_propria
         FROM peona_ativos a
         WHERE a.data_base = (SELECT MAX(b.data_base) FROM peona_ativos b
                              WHERE b.operadora = a.operadora AND b.data_base <= $1)")
        .bind(dia).fetch_all(pool).await?);
    Ok(linhas
        .into_iter()
        .map(
            |(op, beneficiarios_mh, ag, outras, data_base, sintetico, propria)| {
                (
                    op,
                    AtivosOperadora {
                        beneficiarios_mh,
                        ativos_garantidores_centavos: ag,
                        outras_provisoes_centavos: outras,
                        data_base,
                        sintetico,
                        metodologia_propria: propria,
                    },
                )
            },
        )
        .collect())
}

/// The registro ANS of every operator of the register (to refuse unknown ones on import).
pub async fn operadoras_registradas(
    db: &Db,
) -> Result<std::collections::HashSet<String>, StoreError> {
    let v: Vec<String> = on_db!(db, pool => sqlx::query_scalar(
        "SELECT registro_ans FROM operadoras").fetch_all(pool).await?);
    Ok(v.into_iter().collect())
}
