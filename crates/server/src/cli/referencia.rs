//! `persus migrate`, and the embedded reference data every start-up loads when it changed: the
//! ANS operator register, the grounds catalogue, the SELIC rates.

use persus_store::{operadoras, Db};

use super::{open, GlobalOpts};

/// `persus migrate`: the schema up to date and the reference data loaded (by [`open`]).
pub(super) async fn migrate(global: &GlobalOpts) -> anyhow::Result<()> {
    let db = open(global).await?;
    tracing::info!(
        migrations = ?db.applied_migrations().await?,
        database = db.backend().name(),
        "schema up to date"
    );
    db.close().await;
    Ok(())
}

/// Loads the embedded operator register when it changed since the last start.
pub async fn load_reference_data(db: &Db) -> anyhow::Result<()> {
    load_motivos(db).await?;
    load_selic(db).await?;
    const KEY: &str = "referencia.operadoras";
    let fingerprint = format!("{:016x}", fnv1a(operadoras::CADOP_CSV.as_bytes()));
    if persus_store::meta::get(db, KEY).await?.as_deref() == Some(fingerprint.as_str()) {
        return Ok(());
    }
    let mut tx = db.begin().await?;
    let n = operadoras::load_register(&mut tx).await?;
    persus_store::meta::set(&mut tx, KEY, &fingerprint, chrono::Utc::now()).await?;
    tx.commit().await?;
    tracing::info!(operadoras = n, "operator register loaded");
    Ok(())
}

/// Loads the grounds catalogue when it changed since the last start.
async fn load_motivos(db: &Db) -> anyhow::Result<()> {
    const KEY: &str = "referencia.motivos";
    let csv = persus_domain::motivos::CATALOGO_PADRAO_CSV;
    let fingerprint = format!("{:016x}", fnv1a(csv.as_bytes()));
    if persus_store::meta::get(db, KEY).await?.as_deref() == Some(fingerprint.as_str()) {
        return Ok(());
    }
    let motivos = persus_domain::motivos::parse_catalogo(csv).map_err(anyhow::Error::msg)?;
    let mut tx = db.begin().await?;
    persus_store::peticoes::carregar_motivos(&mut tx, &motivos).await?;
    persus_store::meta::set(&mut tx, KEY, &fingerprint, chrono::Utc::now()).await?;
    tx.commit().await?;
    Ok(())
}

/// Seeds the embedded SELIC rates when the embedded file changed since the last start (never
/// overwriting a rate ANS imported).
async fn load_selic(db: &Db) -> anyhow::Result<()> {
    const KEY: &str = "referencia.selic";
    let fingerprint = format!(
        "{:016x}",
        fnv1a(persus_domain::cobranca::SELIC_CSV.as_bytes())
    );
    if persus_store::meta::get(db, KEY).await?.as_deref() == Some(fingerprint.as_str()) {
        return Ok(());
    }
    let n = crate::servicos::cobranca::semear_selic(db, chrono::Utc::now()).await?;
    let mut tx = db.begin().await?;
    persus_store::meta::set(&mut tx, KEY, &fingerprint, chrono::Utc::now()).await?;
    tx.commit().await?;
    tracing::info!(meses = n, "SELIC rates seeded");
    Ok(())
}

/// FNV-1a: a stable fingerprint of embedded data (std's hasher may change between releases).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3)
    })
}
