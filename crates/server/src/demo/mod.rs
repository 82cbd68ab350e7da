//! `persus demo`: a deterministic, realistic synthetic data set.
//!
//! Same `--seed` and `--scale`, same rows, on either database. The shape follows what ANS
//! publishes (design.md "Data the project may use", domain.md §11):
//! - the 1,106 real operators of the register; medical operators (not dental-only, not
//!   benefit administrators) receive attendances;
//! - the seven largest of the seeds' ranking (ABIs 56–59: Hapvida, Amil, Bradesco, Unimed-BH,
//!   GEAP, Notre Dame, CNU) get the most, in the ranking's proportions; the others follow a
//!   power-law tail;
//! - six competência quarters (2T2024–3T2025), both AIH and APAC, identified about a year
//!   after the attendance (the current event → notice lag);
//! - beneficiaries with plans (segmentação, abrangência, contract dates, carência) consistent
//!   with what they were treated for; chronic APAC patients (haemodialysis) come back monthly.
//!
//! - a notified history per operator from 1T2016 (aggregated cells whose delays follow ANS's
//!   June 2024 runoff table) and synthetic guarantee assets, for the provisions ([`historico`]).
//!
//! No real personal data: every CPF, CNS, name and birth date is generated.
//!
//! The whole seed is one transaction: a crash leaves the database as it was, and a second
//! `persus demo` on the same data directory finds the marker and changes nothing.

mod catalogo;
pub mod cenario;
pub mod credenciais;
mod gerador;
pub mod historico;
mod rng;

use persus_store::{demo as store, meta, operadoras, provisoes, stats, Db, StoreError};
use serde::{Deserialize, Serialize};

pub use gerador::{plano_operadoras, trimestres, Lote};

/// The seed of the README's demo.
pub const DEFAULT_SEED: u64 = 2018;
/// Attendances per unit of `--scale`.
pub const ATENDIMENTOS_POR_ESCALA: u64 = 20_000;
/// Bumped whenever the generator's output for a given seed changes.
pub const VERSAO_GERADOR: u32 = 5;
const META_KEY: &str = "demo";
/// Attendances generated before the buffered rows are written.
const LOTE: usize = 25_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Params {
    pub seed: u64,
    /// Attendances to generate (`--scale` × [`ATENDIMENTOS_POR_ESCALA`]).
    pub atendimentos: u64,
}

impl Params {
    pub fn scale(seed: u64, scale: u32) -> Params {
        Params {
            seed,
            atendimentos: ATENDIMENTOS_POR_ESCALA * u64::from(scale),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Marker {
    seed: u64,
    atendimentos: u64,
    versao_gerador: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// False when the data directory already held this very data set.
    pub criado: bool,
    pub operadoras_com_atendimentos: i64,
    pub beneficiarios: i64,
    pub atendimentos: i64,
}

/// Seeds the demo data set once; see the module docs.
pub async fn seed(db: &Db, params: Params) -> Result<Outcome, StoreError> {
    let marker = Marker {
        seed: params.seed,
        atendimentos: params.atendimentos,
        versao_gerador: VERSAO_GERADOR,
    };
    let marker_json =
        serde_json::to_string(&marker).map_err(|e| StoreError::Reference(e.to_string()))?;
    let mut tx = db.begin().await?;
    if let Some(existing) = meta::get_tx(&mut tx, META_KEY).await? {
        drop(tx);
        let existing: Option<Marker> = serde_json::from_str(&existing).ok();
        if existing.as_ref() == Some(&marker) {
            tracing::info!(
                seed = params.seed,
                atendimentos = params.atendimentos,
                "demo data already present"
            );
            return outcome(db, false).await;
        }
        let antes = existing.map_or_else(
            || "outra versão do gerador".to_owned(),
            |m| format!("seed {} e {} atendimentos", m.seed, m.atendimentos),
        );
        return Err(StoreError::Conflict(format!(
            "este banco já contém dados de demonstração gerados com {antes}; nada foi alterado. \
             Para gerar com seed {} e {} atendimentos, use outro --data-dir \
             (ou outro banco em DATABASE_URL)",
            params.seed, params.atendimentos
        )));
    }
    if stats::count_atendimentos_tx(&mut tx).await? > 0 {
        return Err(StoreError::Conflict(
            "este banco já contém atendimentos que não são de demonstração; \
             os dados de demonstração só são gerados em um banco vazio. Nada foi alterado"
                .to_owned(),
        ));
    }

    let started = std::time::Instant::now();
    let ops = operadoras::list(db).await?;
    let plano = plano_operadoras(&ops, params);
    let mut gerador = gerador::Gerador::new(params.seed);
    store::insert_procedimentos(&mut tx, &gerador.procedimentos_rows()).await?;
    store::insert_estabelecimentos(&mut tx, &gerador.estabelecimentos_rows()).await?;

    let mut lote = Lote::default();
    let mut perfis = Vec::with_capacity(plano.len());
    for (op, alvo) in &plano {
        let antes = lote.atendimentos.len();
        gerador.operadora(op, *alvo, &mut lote);
        perfis.push(historico::perfil(op, *alvo, &lote.atendimentos[antes..]));
        if lote.atendimentos.len() >= LOTE {
            write(&mut tx, &mut lote).await?;
        }
    }
    write(&mut tx, &mut lote).await?;
    let (linhas, ativos) = historico::gerar(params.seed, &perfis);
    provisoes::inserir_historico(&mut tx, provisoes::OrigemHistorico::DemoSintetico, &linhas)
        .await?;
    provisoes::gravar_ativos(&mut tx, &ativos, chrono::Utc::now()).await?;
    meta::set(&mut tx, META_KEY, &marker_json, chrono::Utc::now()).await?;
    tx.commit().await?;
    stats::analisar(db).await?;
    let outcome = outcome(db, true).await?;
    tracing::info!(
        seed = params.seed,
        atendimentos = outcome.atendimentos,
        beneficiarios = outcome.beneficiarios,
        seconds = started.elapsed().as_secs_f64(),
        "demo data generated"
    );
    Ok(outcome)
}

async fn write(tx: &mut persus_store::Tx, lote: &mut Lote) -> Result<(), StoreError> {
    store::insert_beneficiarios(tx, &lote.beneficiarios).await?;
    store::insert_vinculos(tx, &lote.vinculos).await?;
    store::insert_atendimentos(tx, &lote.atendimentos).await?;
    store::insert_itens_procedimento(tx, &lote.itens).await?;
    tracing::info!(
        atendimentos = lote.atendimentos.len(),
        "demo batch written (uncommitted)"
    );
    *lote = Lote::default();
    Ok(())
}

async fn outcome(db: &Db, criado: bool) -> Result<Outcome, StoreError> {
    let r = stats::resumo(db).await?;
    Ok(Outcome {
        criado,
        operadoras_com_atendimentos: r.operadoras_com_atendimentos,
        beneficiarios: r.beneficiarios,
        atendimentos: r.atendimentos,
    })
}
