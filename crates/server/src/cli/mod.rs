//! The `persus` command line: `serve`, `demo`, `migrate` and the operation commands.
//!
//! Every option has an environment variable twin (`PERSUS_*`, `DATABASE_URL`) so the same
//! binary is configured the same way on a laptop, in CI and in a container.
//!
//! One file per command group, each with its `clap` arguments and one `executar`:
//! `servidor` (serve, demo), `referencia` (migrate and the embedded reference data), `abi`,
//! `tick`, `cobranca`, `peticoes` (documents and batches), `aplicacoes`, `homologacao`,
//! `consulta` (one attendance, the audit trail). A new group is a new file here, a variant of
//! [`Command`] and one line in [`run`].

use std::path::PathBuf;

use anyhow::Context;
use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand};
use persus_domain::ids::Trimestre;
use persus_store::{Db, DbConfig};

use crate::config;
use crate::servicos::relogio::{Relogio, RelogioFixo, RelogioSistema};
use crate::telemetry::LogFormat;

mod abi;
mod aplicacoes;
mod cobranca;
mod consulta;
mod homologacao;
mod peona;
mod peticoes;
mod referencia;
mod servidor;
mod tick;

pub use abi::AbiCmd;
pub use aplicacoes::AplicacaoCmd;
pub use cobranca::CobrancaCmd;
pub use consulta::AuditCmd;
pub use homologacao::HomologacaoCmd;
pub use peticoes::{DocumentoCmd, PeticaoCmd};
pub use referencia::load_reference_data;
pub use servidor::{serve, DemoOpts, ServeOpts, Servidor};

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
    /// Ambiente: homologacao (sandbox com dados sintéticos) ou producao. `persus demo` é sempre
    /// homologação; `persus serve` é produção se não for dito.
    #[arg(long, env = "PERSUS_ENVIRONMENT", value_enum, global = true)]
    pub environment: Option<config::Ambiente>,
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
    /// ABIs: agenda, publicação e consulta.
    #[command(subcommand)]
    Abi(AbiCmd),
    /// Aplica as transições que dependem só do tempo (ciência presumida, prazos vencidos).
    Tick {
        /// Data de referência (AAAA-MM-DD) em vez de hoje — para homologação e testes.
        #[arg(long, value_parser = parse_data)]
        at: Option<NaiveDate>,
    },
    /// Trilha de auditoria.
    #[command(subcommand)]
    Audit(AuditCmd),
    /// Documentos de prova (PDF) de uma operadora.
    #[command(subcommand)]
    Documento(DocumentoCmd),
    /// Petições (impugnação e recurso).
    #[command(subcommand)]
    Peticao(PeticaoCmd),
    /// Aplicações da API (Área do Desenvolvedor), pelo representante legal ou gestor.
    #[command(subcommand)]
    Aplicacao(AplicacaoCmd),
    /// Cobrança (ANS, financeiro): retorno do banco, pagamento manual, taxas SELIC.
    #[command(subcommand)]
    Cobranca(CobrancaCmd),
    /// Homologação: o ambiente de testes das operadoras.
    #[command(subcommand)]
    Homologacao(HomologacaoCmd),
    /// Provisões: PEONA SUS (fórmula padrão da RN 574/2023, Anexo VIII) e PESL SUS, triângulo de
    /// runoff, impacto de parâmetros, estudo anual e sua aprovação.
    #[command(subcommand)]
    Peona(peona::PeonaCmd),
    /// Um atendimento por inteiro: valores, processo, notificações, petições, decisões e a
    /// linha do tempo.
    Atendimento {
        /// Número da AIH ou APAC (13 dígitos).
        numero: String,
        /// Restringe à operadora (registro ANS), como ela veria.
        #[arg(long)]
        operadora: Option<String>,
    },
}

/// Runs one command: each group's `executar` does the work.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let g = &cli.global;
    match cli.command {
        Command::Serve(opts) => servidor::serve_cmd(g, opts).await,
        Command::Demo(opts) => servidor::demo_cmd(g, opts).await,
        Command::Migrate => referencia::migrate(g).await,
        Command::Abi(cmd) => com_banco(g, |db| abi::executar(db, cmd)).await,
        Command::Tick { at } => com_banco(g, |db| tick::executar(db, at)).await,
        Command::Audit(cmd) => com_banco(g, |db| consulta::auditoria(db, cmd)).await,
        Command::Documento(cmd) => peticoes::documento(g, cmd).await,
        Command::Peticao(cmd) => peticoes::peticao(g, cmd).await,
        Command::Aplicacao(cmd) => com_banco(g, |db| aplicacoes::executar(db, cmd)).await,
        Command::Cobranca(cmd) => com_banco(g, |db| cobranca::executar(db, cmd)).await,
        Command::Homologacao(cmd) => homologacao::executar(g, cmd).await,
        Command::Peona(cmd) => com_banco(g, |db| peona::executar(db, cmd)).await,
        Command::Atendimento { numero, operadora } => {
            com_banco(g, |db| consulta::atendimento(db, numero, operadora)).await
        }
    }
}

/// Opens the database, runs `f` on it and closes it, whatever `f` answered.
async fn com_banco<F, Fut>(global: &GlobalOpts, f: F) -> anyhow::Result<()>
where
    F: FnOnce(Db) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    let db = open(global).await?;
    let r = f(db.clone()).await;
    db.close().await;
    r
}

fn parse_data(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| format!("data inválida \"{s}\": use AAAA-MM-DD"))
}

fn parse_trimestre(s: &str) -> Result<Trimestre, String> {
    Trimestre::parse(s).map_err(|e| e.to_string())
}

/// The clock of a command: stopped at noon of `em` (homologação, tests) or the system's.
fn relogio_em(em: Option<NaiveDate>) -> Box<dyn Relogio> {
    match em {
        Some(d) => Box::new(RelogioFixo::em(d)),
        None => Box::new(RelogioSistema),
    }
}

/// A file given on the command line: its name (for the record) and bytes, or a pt-BR reason.
/// The file is bounded before it is read — the same limit its upload has on the web and the API —
/// so a wrong path (a disk image, a log) fails at once instead of filling memory.
fn ler_arquivo(arquivo: &std::path::Path, limite: usize) -> anyhow::Result<(String, Vec<u8>)> {
    use std::io::Read;
    let falha = || format!("não foi possível ler {}", arquivo.display());
    let f = std::fs::File::open(arquivo).with_context(falha)?;
    let mut bytes = Vec::new();
    // One byte past the limit tells "too large" without trusting the file's metadata.
    f.take(limite as u64 + 1)
        .read_to_end(&mut bytes)
        .with_context(falha)?;
    if bytes.len() > limite {
        anyhow::bail!(
            "{} tem mais de {} — o limite deste arquivo; divida-o ou confira o caminho",
            arquivo.display(),
            tamanho_legivel(limite)
        );
    }
    let nome = arquivo
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok((nome, bytes))
}

/// A text file given on the command line (UTF-8), bounded like [`ler_arquivo`].
fn ler_texto(arquivo: &std::path::Path, limite: usize) -> anyhow::Result<String> {
    let (_, bytes) = ler_arquivo(arquivo, limite)?;
    String::from_utf8(bytes).map_err(|_| {
        anyhow::anyhow!(
            "{} não está em UTF-8; salve-o como UTF-8",
            arquivo.display()
        )
    })
}

/// `10 MB`, `64 MB`, `512 KB`: limits as people read them.
fn tamanho_legivel(bytes: usize) -> String {
    if bytes >= 1024 * 1024 {
        format!("{} MB", bytes / (1024 * 1024))
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

/// Command results go to stdout as JSON (logs go to stderr), so scripts can read them.
#[allow(clippy::print_stdout)]
fn print_json<T: serde::Serialize>(v: &T) {
    println!("{}", serde_json::to_string_pretty(v).unwrap_or_default());
}

#[allow(clippy::print_stdout)]
fn print_line(s: &str) {
    println!("{s}");
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arquivos_da_linha_de_comando_sao_limitados_antes_da_leitura() {
        let dir = tempfile::tempdir().unwrap();
        let caminho = dir.path().join("retorno.ret");
        std::fs::write(&caminho, vec![b'1'; 2048]).unwrap();
        let (nome, bytes) = ler_arquivo(&caminho, 2048).unwrap();
        assert_eq!((nome.as_str(), bytes.len()), ("retorno.ret", 2048));
        let e = ler_arquivo(&caminho, 2047).unwrap_err().to_string();
        assert!(
            e.contains("tem mais de 2 KB — o limite deste arquivo"),
            "{e}"
        );
        let e = ler_arquivo(&dir.path().join("nao-existe.csv"), 10)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("não foi possível ler"), "{e}");
        std::fs::write(&caminho, b"\xff\xfe").unwrap();
        let e = ler_texto(&caminho, 10).unwrap_err().to_string();
        assert!(e.contains("não está em UTF-8"), "{e}");
        assert_eq!(tamanho_legivel(64 * 1024 * 1024), "64 MB");
    }
}
