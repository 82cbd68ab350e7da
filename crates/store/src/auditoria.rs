//! The audit trail: append-only and hash-chained.
//!
//! Every state change writes one [`Evento`]; its `hash` is SHA-256 over the previous event's
//! hash and this event's fields, so editing or deleting any past row breaks every hash after it
//! ([`verificar`]). Appends are serialized: SQLite has one writer; on PostgreSQL the append takes
//! a transaction-scoped advisory lock, so two nodes never chain from the same predecessor.

use chrono::{DateTime, SecondsFormat, Utc};
use sha2::{Digest, Sha256};

use crate::{Backend, Db, StoreError, Tx};

/// Hash of the (virtual) event before the first.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who did it and on whose behalf.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ator {
    pub ator: String,
    pub organizacao: String,
    pub aplicacao: Option<String>,
    pub request_id: Option<String>,
}

impl Ator {
    /// The system itself (scheduler, CLI run by ANS operations).
    pub fn sistema(quem: &str) -> Ator {
        Ator {
            ator: quem.to_owned(),
            organizacao: "ANS".to_owned(),
            aplicacao: None,
            request_id: None,
        }
    }
}

/// One audit event as stored.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Evento {
    pub seq: i64,
    pub instante: DateTime<Utc>,
    pub ator: String,
    pub organizacao: String,
    pub aplicacao: Option<String>,
    pub request_id: Option<String>,
    pub acao: String,
    pub entidade: String,
    pub entidade_id: String,
    pub antes: Option<String>,
    pub depois: Option<String>,
    pub hash_anterior: String,
    pub hash: String,
}

impl Evento {
    /// SHA-256 of the previous hash and every field, unambiguously delimited.
    pub fn calcular_hash(&self) -> String {
        let mut h = Sha256::new();
        let campos: [&str; 12] = [
            &self.hash_anterior,
            &self.seq.to_string(),
            &self.instante.to_rfc3339_opts(SecondsFormat::Micros, true),
            &self.ator,
            &self.organizacao,
            self.aplicacao.as_deref().unwrap_or("\u{0}"),
            self.request_id.as_deref().unwrap_or("\u{0}"),
            &self.acao,
            &self.entidade,
            &self.entidade_id,
            self.antes.as_deref().unwrap_or("\u{0}"),
            self.depois.as_deref().unwrap_or("\u{0}"),
        ];
        for c in campos {
            h.update((c.len() as u64).to_be_bytes());
            h.update(c.as_bytes());
        }
        format!("{:x}", h.finalize())
    }
}

/// What changed.
pub struct Mudanca<'a> {
    pub acao: &'a str,
    pub entidade: &'a str,
    pub entidade_id: &'a str,
    pub antes: Option<serde_json::Value>,
    pub depois: Option<serde_json::Value>,
}

/// Appends one event in the caller's transaction (it commits or rolls back with the change).
pub async fn registrar(
    tx: &mut Tx,
    ator: &Ator,
    mudanca: Mudanca<'_>,
    instante: DateTime<Utc>,
) -> Result<Evento, StoreError> {
    if tx.backend() == Backend::Postgres {
        // 0x5045_5253 = "PERS": one lock id for the chain's head.
        on_tx!(tx, conn => sqlx::query("SELECT pg_advisory_xact_lock(1346720339)")
            .execute(conn).await?.rows_affected());
    }
    let ultimo: Option<(i64, String)> = on_tx!(tx, conn => sqlx::query_as(
        "SELECT seq, hash FROM auditoria ORDER BY seq DESC LIMIT 1").fetch_optional(conn).await?);
    let (seq, hash_anterior) = match ultimo {
        Some((s, h)) => (s + 1, h),
        None => (1, GENESIS.to_owned()),
    };
    // Stored with microsecond precision so the hash recomputes from what is read back.
    let instante = DateTime::from_timestamp_micros(instante.timestamp_micros()).unwrap_or(instante);
    let mut e = Evento {
        seq,
        instante,
        ator: ator.ator.clone(),
        organizacao: ator.organizacao.clone(),
        aplicacao: ator.aplicacao.clone(),
        request_id: ator.request_id.clone(),
        acao: mudanca.acao.to_owned(),
        entidade: mudanca.entidade.to_owned(),
        entidade_id: mudanca.entidade_id.to_owned(),
        antes: mudanca.antes.map(|v| v.to_string()),
        depois: mudanca.depois.map(|v| v.to_string()),
        hash_anterior,
        hash: String::new(),
    };
    e.hash = e.calcular_hash();
    let sql =
        "INSERT INTO auditoria (seq, instante, ator, organizacao, aplicacao, request_id, acao,
                                      entidade, entidade_id, antes, depois, hash_anterior, hash)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)";
    on_tx!(tx, conn => sqlx::query(sql)
        .bind(e.seq).bind(e.instante).bind(&e.ator).bind(&e.organizacao).bind(&e.aplicacao)
        .bind(&e.request_id).bind(&e.acao).bind(&e.entidade).bind(&e.entidade_id)
        .bind(&e.antes).bind(&e.depois).bind(&e.hash_anterior).bind(&e.hash)
        .execute(conn).await?.rows_affected());
    Ok(e)
}

/// The result of checking the chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verificacao {
    Integra {
        eventos: i64,
    },
    /// The first event whose stored hash or link does not match.
    Violada {
        seq: i64,
        motivo: String,
    },
}

/// Recomputes every hash, in order, in pages (the trail grows without bound).
pub async fn verificar(db: &Db) -> Result<Verificacao, StoreError> {
    let mut anterior = GENESIS.to_owned();
    let mut esperado_seq = 1;
    let sql = "SELECT seq, instante, ator, organizacao, aplicacao, request_id, acao, entidade,
                      entidade_id, antes, depois, hash_anterior, hash
               FROM auditoria WHERE seq >= $1 ORDER BY seq LIMIT 5000";
    loop {
        let pagina: Vec<Evento> =
            on_db!(db, pool => sqlx::query_as(sql).bind(esperado_seq).fetch_all(pool).await?);
        if pagina.is_empty() {
            return Ok(Verificacao::Integra {
                eventos: esperado_seq - 1,
            });
        }
        for e in pagina {
            if e.seq != esperado_seq {
                return Ok(Verificacao::Violada {
                    seq: esperado_seq,
                    motivo: format!("evento {esperado_seq} ausente"),
                });
            }
            if e.hash_anterior != anterior {
                return Ok(Verificacao::Violada {
                    seq: e.seq,
                    motivo: "encadeamento com o evento anterior quebrado".into(),
                });
            }
            if e.calcular_hash() != e.hash {
                return Ok(Verificacao::Violada {
                    seq: e.seq,
                    motivo: "conteúdo alterado (hash não confere)".into(),
                });
            }
            anterior = e.hash;
            esperado_seq += 1;
        }
    }
}

/// The latest events, newest first; `filtro` matches the action or the entity id (prefix).
pub async fn ultimos(
    db: &Db,
    filtro: Option<&str>,
    limite: i64,
) -> Result<Vec<Evento>, StoreError> {
    let padrao = filtro.map(|f| format!("{f}%"));
    Ok(on_db!(db, pool => sqlx::query_as(
        "SELECT seq, instante, ator, organizacao, aplicacao, request_id, acao, entidade,
                entidade_id, antes, depois, hash_anterior, hash
         FROM auditoria WHERE ($1 IS NULL OR acao LIKE $1 OR entidade_id LIKE $1)
         ORDER BY seq DESC LIMIT $2")
        .bind(padrao).bind(limite).fetch_all(pool).await?))
}
