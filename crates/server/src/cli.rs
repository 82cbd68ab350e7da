//! The `persus` command line: `serve`, `demo`, `migrate`.
//!
//! Every option has an environment variable twin (`PERSUS_*`, `DATABASE_URL`) so the same
//! binary is configured the same way on a laptop, in CI and in a container.

use std::net::IpAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use persus_store::{operadoras, Db, DbConfig};

use crate::app::{self, AppState};
use crate::config;
use crate::demo;
use crate::telemetry::LogFormat;

#[derive(Debug, Parser)]
#[command(
    name = "persus",
    version,
    about = "persus — protocolo eletrônico do Ressarcimento ao SUS",
    long_about = "persus — protocolo eletrônico do Ressarcimento ao SUS.\n\n\
                  Sem DATABASE_URL, usa SQLite no diretório de dados; com \
                  DATABASE_URL=postgres://…, usa PostgreSQL."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalOpts,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalOpts {
    /// Diretório de dados (banco SQLite, documentos).
    #[arg(
        long,
        env = "PERSUS_DATA_DIR",
        default_value = "persus-data",
        global = true
    )]
    pub data_dir: PathBuf,
    /// PostgreSQL (postgres://…). Sem ela, SQLite em <data-dir>/persus.db.
    #[arg(
        long = "database-url",
        env = "DATABASE_URL",
        hide_env_values = true,
        global = true
    )]
    pub database_url: Option<String>,
    /// Formato dos logs.
    #[arg(
        long,
        env = "PERSUS_LOG_FORMAT",
        value_enum,
        default_value = "text",
        global = true
    )]
    pub log_format: LogFormat,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Inicia o servidor HTTP.
    Serve(ServeOpts),
    /// Cria (uma vez) dados sintéticos realistas e inicia o servidor.
    Demo(DemoOpts),
    /// Aplica as migrações pendentes e carrega os dados de referência.
    Migrate,
}

#[derive(Debug, Args)]
pub struct ServeOpts {
    /// Endereço de escuta.
    #[arg(long, env = "PERSUS_BIND", default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// Porta de escuta.
    #[arg(long, env = "PERSUS_PORT", default_value_t = 8080)]
    pub port: u16,
}

#[derive(Debug, Args)]
pub struct DemoOpts {
    #[command(flatten)]
    pub serve: ServeOpts,
    /// Semente do gerador: a mesma semente e escala geram exatamente os mesmos dados.
    #[arg(long, default_value_t = demo::DEFAULT_SEED)]
    pub seed: u64,
    /// Escala: 1 = 20.000 atendimentos; 50 = 1.000.000.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=500))]
    pub scale: u32,
    /// Apenas gera os dados e sai, sem iniciar o servidor.
    #[arg(long)]
    pub sem_servidor: bool,
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Migrate => {
            let db = open(&cli.global).await?;
            tracing::info!(
                migrations = ?db.applied_migrations().await?,
                database = db.backend().name(),
                "schema up to date"
            );
            db.close().await;
            Ok(())
        }
        Command::Serve(opts) => {
            let listener = config::bind(opts.bind, opts.port).await?;
            let db = open(&cli.global).await?;
            serve(listener, db).await
        }
        Command::Demo(opts) => {
            // Bind first: a busy port should fail before minutes of seeding, not after.
            let listener = if opts.sem_servidor {
                None
            } else {
                Some(config::bind(opts.serve.bind, opts.serve.port).await?)
            };
            let db = open(&cli.global).await?;
            let outcome = demo::seed(&db, demo::Params::scale(opts.seed, opts.scale))
                .await
                .context("falha ao gerar os dados de demonstração")?;
            tracing::info!(?outcome, "demo data ready");
            match listener {
                Some(listener) => serve(listener, db).await,
                None => {
                    db.close().await;
                    Ok(())
                }
            }
        }
    }
}

/// Data dir, database config, connect, migrate, reference data: the start-up every command shares.
pub async fn open(global: &GlobalOpts) -> anyhow::Result<Db> {
    let data_dir = config::prepare_data_dir(&global.data_dir)?;
    let db_config = config::database(global.database_url.as_deref(), &data_dir)?;
    open_config(&db_config).await
}

pub async fn open_config(db_config: &DbConfig) -> anyhow::Result<Db> {
    tracing::info!(database = %db_config.redacted(), "opening database");
    let db = Db::open(db_config).await?;
    load_reference_data(&db).await?;
    Ok(db)
}

/// Loads the embedded operator register when it changed since the last start.
pub async fn load_reference_data(db: &Db) -> anyhow::Result<()> {
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

/// FNV-1a: a stable fingerprint of embedded data (std's hasher may change between releases).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3)
    })
}

/// Serves until SIGTERM or Ctrl-C, then finishes in-flight requests and closes the pool.
pub async fn serve(listener: tokio::net::TcpListener, db: Db) -> anyhow::Result<()> {
    let addr = listener.local_addr()?;
    let router = app::router(AppState::new(db.clone()));
    tracing::info!(url = %format!("http://{addr}/"), database = db.backend().name(), "persus listening");
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .context("o servidor HTTP parou com erro")?;
    db.close().await;
    tracing::info!("persus stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutdown signal received; finishing in-flight requests");
}
