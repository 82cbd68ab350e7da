//! A notified history with figures a person can compute by hand, for the provisions tests:
//! three operators whose every quarter since 1T2014 occurs a fixed amount, notified a fixed
//! number of quarters later (a steady runoff). The demo's synthetic history and assets are
//! removed first, and the demo's own attendances are notified only today (ABI 101), after the
//! base dates the tests use: at those dates only this history counts.

use persus_domain::ids::Trimestre;
use persus_store::db::PoolRef;
use persus_store::provisoes::{inserir_historico, LinhaHistorico, OrigemHistorico};
use persus_store::Db;

pub const HAPVIDA: &str = "368253";
pub const AMIL: &str = "326305";
pub const TERCEIRA: &str = "005711";

/// (operator, centavos per quarter, quarters until notification).
pub const PERFIS: [(&str, i64, i32); 3] = [
    (HAPVIDA, 10_000, 2),
    (AMIL, 20_000, 1),
    (TERCEIRA, 10_000, 7),
];

/// Occurrences 1T2014..=4T2026, each notified `atraso` quarters later (up to 4T2026).
pub fn constante(op: &str, valor: i64, atraso: i32) -> Vec<LinhaHistorico> {
    let fim = Trimestre::parse("4T2026").unwrap();
    let mut v = Vec::new();
    let mut o = Trimestre::parse("1T2014").unwrap();
    while let Some(a) = o.somar(atraso).filter(|a| *a <= fim) {
        v.push(LinhaHistorico {
            operadora: op.to_owned(),
            ocorrencia: o,
            aviso: a,
            valor_centavos: valor,
            quantidade: 1,
        });
        o = o.seguinte();
    }
    v
}

pub async fn historico(db: &Db) {
    for sql in ["DELETE FROM peona_historico", "DELETE FROM peona_ativos"] {
        match db.inner() {
            PoolRef::Sqlite(p) => sqlx::query(sql).execute(p).await.unwrap().rows_affected(),
            PoolRef::Postgres(p) => sqlx::query(sql).execute(p).await.unwrap().rows_affected(),
        };
    }
    let mut tx = db.begin().await.unwrap();
    for (op, valor, atraso) in PERFIS {
        inserir_historico(
            &mut tx,
            OrigemHistorico::Migracao,
            &constante(op, valor, atraso),
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
}
