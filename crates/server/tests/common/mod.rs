//! Shared set-up of the lifecycle scenario tests.

#![allow(dead_code, clippy::unwrap_used)]

pub mod provisoes;
pub mod web;

use chrono::NaiveDate;
use persus_domain::calendar::CalendarioAns;
use persus_domain::deadline::PrazosVigentes;
use persus_server::cli::load_reference_data;
use persus_server::demo::{self, Params};
use persus_server::servicos::agendador;
use persus_server::servicos::publicacao::{publicar, Falha, UNIDADE_PADRAO};
use persus_server::servicos::relogio::{Relogio, RelogioFixo};
use persus_store::auditoria::Ator;
use persus_store::db::PoolRef;
use persus_store::{abis, Db};

/// A tiny but real PDF (catalog, page tree, one page, cross-reference table), unencrypted:
/// what an operator's evidence looks like to the validator.
pub const PDF: &[u8] = include_bytes!("minimo.pdf");

/// A valid one-page PDF of about `tamanho` bytes: an unreferenced stream of zeros pads it, so it
/// compresses to almost nothing.
pub fn pdf_acolchoado(tamanho: usize) -> Vec<u8> {
    let zeros = vec![0u8; tamanho - 400];
    persus_server::demo::cenario::pdf_de_objetos(&[
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>".to_vec(),
        [
            format!("<< /Length {} >>\nstream\n", zeros.len()).as_bytes(),
            &zeros,
            b"\nendstream",
        ]
        .concat(),
    ])
}

pub fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

pub fn ator(quem: &str) -> Ator {
    Ator::sistema(quem)
}

/// Demo data (`seed`, 3,000 attendances) and the 101st ABI (AIH, 1T2025) scheduled for
/// Tue 10/02/2026.
pub async fn abi_agendado(db: &Db, seed: u64) {
    load_reference_data(db).await.unwrap();
    demo::seed(
        db,
        Params {
            seed,
            atendimentos: 3_000,
        },
    )
    .await
    .unwrap();
    let mut tx = db.begin().await.unwrap();
    let abi = abis::Abi {
        numero: 101,
        tipo: "AIH".into(),
        trimestre: "1T2025".into(),
        data_lancamento: d(2026, 2, 10),
        estado: persus_store::abis::EstadoAbi::Agendado,
        publicado_em: None,
    };
    abis::agendar(&mut tx, &abi).await.unwrap();
    tx.commit().await.unwrap();
}

/// Publishes ABI 101 on 10/02/2026.
pub async fn publicado(db: &Db) {
    publicar(
        db,
        101,
        UNIDADE_PADRAO,
        &RelogioFixo::em(d(2026, 2, 10)),
        &ator("t"),
        Falha::default(),
    )
    .await
    .unwrap();
}

/// The scheduler on `dia`.
pub async fn tick(db: &Db, dia: NaiveDate) -> agendador::ResumoTick {
    let r = RelogioFixo::em(dia);
    agendador::executar(
        db,
        r.hoje(),
        &CalendarioAns::padrao(),
        &PrazosVigentes::padrao(),
        &ator("tick"),
        r.agora(),
    )
    .await
    .unwrap()
}

pub async fn scalar_i64(db: &Db, sql: &str, bind: &str) -> i64 {
    match db.inner() {
        PoolRef::Sqlite(p) => sqlx::query_scalar(sql)
            .bind(bind)
            .fetch_one(p)
            .await
            .unwrap(),
        PoolRef::Postgres(p) => sqlx::query_scalar(sql)
            .bind(bind)
            .fetch_one(p)
            .await
            .unwrap(),
    }
}

pub async fn texto(db: &Db, sql: &str, bind: &str) -> String {
    match db.inner() {
        PoolRef::Sqlite(p) => sqlx::query_scalar(sql)
            .bind(bind)
            .fetch_one(p)
            .await
            .unwrap(),
        PoolRef::Postgres(p) => sqlx::query_scalar(sql)
            .bind(bind)
            .fetch_one(p)
            .await
            .unwrap(),
    }
}

pub async fn textos(db: &Db, sql: &str, bind: &str) -> Vec<String> {
    match db.inner() {
        PoolRef::Sqlite(p) => sqlx::query_scalar(sql)
            .bind(bind)
            .fetch_all(p)
            .await
            .unwrap(),
        PoolRef::Postgres(p) => sqlx::query_scalar(sql)
            .bind(bind)
            .fetch_all(p)
            .await
            .unwrap(),
    }
}

/// Demo data (`seed`, 3,000 attendances), the 101st ABI (AIH, 1T2025) published today, and the
/// demo credentials: what the API, charging and web tests start from.
pub async fn publicado_hoje(db: &Db, seed: u64) {
    load_reference_data(db).await.unwrap();
    demo::seed(
        db,
        Params {
            seed,
            atendimentos: 3_000,
        },
    )
    .await
    .unwrap();
    let hoje = persus_server::servicos::relogio::RelogioSistema.hoje();
    let mut tx = db.begin().await.unwrap();
    abis::agendar(
        &mut tx,
        &abis::Abi {
            numero: 101,
            tipo: "AIH".into(),
            trimestre: "1T2025".into(),
            data_lancamento: hoje,
            estado: persus_store::abis::EstadoAbi::Agendado,
            publicado_em: None,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    publicar(
        db,
        101,
        UNIDADE_PADRAO,
        &RelogioFixo::em(hoje),
        &Ator::sistema("t"),
        Falha::default(),
    )
    .await
    .unwrap();
    demo::credenciais::criar(db).await.unwrap();
}

/// The batch worker's next job, filed as the server's worker files it (the release's rule
/// tables, now); its id, or `None` when no job waits.
pub async fn processar_lote(db: &Db) -> Option<i64> {
    persus_server::servicos::lotes::processar_um(
        db,
        &persus_server::servicos::regras::RegrasVigentes::padrao(),
        chrono::Utc::now(),
    )
    .await
    .unwrap()
}
