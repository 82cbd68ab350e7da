//! Connecting to SQLite or PostgreSQL, migrating, and running the same SQL on either.
//!
//! [`Db`] owns a connection pool of one backend; [`Tx`] is a transaction on it. The macros
//! [`on_db!`] and [`on_tx!`] expand one block of code once per backend, so a repository
//! function is written once and type-checked against both drivers.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};

use crate::error::StoreError;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// Which database engine a [`Db`] talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The name `/health` reports.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgresql",
        }
    }
}

/// Where the database is.
#[derive(Clone, Debug)]
pub enum DbConfig {
    /// An SQLite file (created if missing), with WAL, foreign keys and a busy timeout.
    Sqlite { path: std::path::PathBuf },
    /// A PostgreSQL URL, optionally pinned to one schema (tests use a fresh schema each).
    Postgres { url: String, schema: Option<String> },
}

impl DbConfig {
    /// The SQLite file `persus.db` inside a data directory.
    pub fn sqlite_in(data_dir: &Path) -> Self {
        DbConfig::Sqlite {
            path: data_dir.join("persus.db"),
        }
    }

    /// A description safe for logs and messages: never the password of a URL.
    pub fn redacted(&self) -> String {
        match self {
            DbConfig::Sqlite { path } => format!("SQLite em {}", path.display()),
            DbConfig::Postgres { url, .. } => format!("PostgreSQL em {}", redact_url(url)),
        }
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return "<URL inválida>".to_owned();
    };
    let (authority, tail) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let authority = match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{user}:***@{host}"),
            None => format!("{userinfo}@{host}"),
        },
        None => authority.to_owned(),
    };
    let tail = tail.split('?').next().unwrap_or_default();
    format!("{scheme}://{authority}{tail}")
}

/// A connection pool on one backend.
#[derive(Clone, Debug)]
pub struct Db {
    inner: Inner,
}

#[derive(Clone, Debug)]
pub(crate) enum Inner {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// A transaction; dropped without [`Tx::commit`] it rolls back.
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// Runs `$body` with `$pool` bound to the concrete pool of whichever backend `$db` uses.
#[macro_export]
macro_rules! on_db {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db.inner() {
            $crate::db::PoolRef::Sqlite($pool) => $body,
            $crate::db::PoolRef::Postgres($pool) => $body,
        }
    };
}

/// Runs `$body` with `$conn` bound to the concrete connection of transaction `$tx`.
#[macro_export]
macro_rules! on_tx {
    ($tx:expr, $conn:ident => $body:expr) => {
        match $tx {
            $crate::db::Tx::Sqlite(t) => {
                let $conn = &mut **t;
                $body
            }
            $crate::db::Tx::Postgres(t) => {
                let $conn = &mut **t;
                $body
            }
        }
    };
}

/// Borrowed view of the pool, for [`on_db!`].
pub enum PoolRef<'a> {
    Sqlite(&'a SqlitePool),
    Postgres(&'a PgPool),
}

const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

impl Db {
    /// Connects (failing fast when the database is unreachable) without migrating.
    pub async fn connect(config: &DbConfig) -> Result<Db, StoreError> {
        let fail = |e: sqlx::Error| StoreError::Connect {
            destino: config.redacted(),
            causa: describe_connect_error(&e),
        };
        let inner = match config {
            DbConfig::Sqlite { path } => {
                let options = SqliteConnectOptions::new()
                    .filename(path)
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(10));
                let pool = SqlitePoolOptions::new()
                    .max_connections(8)
                    .acquire_timeout(CONNECT_TIMEOUT)
                    .connect_with(options)
                    .await
                    .map_err(fail)?;
                Inner::Sqlite(pool)
            }
            DbConfig::Postgres { url, schema } => {
                let mut options = PgConnectOptions::from_str(url).map_err(fail)?;
                if let Some(schema) = schema {
                    options = options.options([("search_path", schema.as_str())]);
                }
                let pool = PgPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(CONNECT_TIMEOUT)
                    .connect_with(options)
                    .await
                    .map_err(fail)?;
                Inner::Postgres(pool)
            }
        };
        Ok(Db { inner })
    }

    /// Connects and brings the schema up to date.
    pub async fn open(config: &DbConfig) -> Result<Db, StoreError> {
        let db = Db::connect(config).await?;
        db.migrate().await?;
        Ok(db)
    }

    pub fn backend(&self) -> Backend {
        match self.inner {
            Inner::Sqlite(_) => Backend::Sqlite,
            Inner::Postgres(_) => Backend::Postgres,
        }
    }

    #[doc(hidden)]
    pub fn inner(&self) -> PoolRef<'_> {
        match &self.inner {
            Inner::Sqlite(p) => PoolRef::Sqlite(p),
            Inner::Postgres(p) => PoolRef::Postgres(p),
        }
    }

    /// Applies the pending migrations of this backend; a no-op when up to date.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match &self.inner {
            Inner::Sqlite(p) => SQLITE_MIGRATIONS.run(p).await?,
            Inner::Postgres(p) => POSTGRES_MIGRATIONS.run(p).await?,
        }
        Ok(())
    }

    /// Versions of the migrations applied, oldest first.
    pub async fn applied_migrations(&self) -> Result<Vec<i64>, StoreError> {
        let sql = "SELECT version FROM _sqlx_migrations WHERE success ORDER BY version";
        Ok(on_db!(self, pool => sqlx::query_scalar(sql).fetch_all(pool).await?))
    }

    /// A round trip to the database, for `/health`.
    pub async fn ping(&self) -> Result<(), StoreError> {
        let _: i32 = on_db!(self, pool => sqlx::query_scalar("SELECT 1").fetch_one(pool).await?);
        Ok(())
    }

    /// A transaction. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`): a deferred
    /// transaction that reads and then writes fails with SQLITE_BUSY_SNAPSHOT when another
    /// connection committed in between, which the busy timeout cannot wait out.
    ///
    /// Inside an idempotent request ([`crate::idempotencia::escopo`]) a transaction deferred by an
    /// earlier [`Tx::commit`] is committed first.
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        if let Some(adiada) = crate::idempotencia::retirar_adiada() {
            adiada.confirmar().await?;
        }
        Ok(match &self.inner {
            Inner::Sqlite(p) => Tx::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
            Inner::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    pub async fn close(&self) {
        match &self.inner {
            Inner::Sqlite(p) => p.close().await,
            Inner::Postgres(p) => p.close().await,
        }
    }
}

impl Tx {
    /// Commits — or, inside an idempotent request ([`crate::idempotencia::escopo`]), hands the
    /// transaction to the request, which commits it together with its stored answer.
    pub async fn commit(self) -> Result<(), StoreError> {
        match crate::idempotencia::adiar(self) {
            Err(tx) => tx.confirmar().await,
            Ok(None) => Ok(()),
            Ok(Some(anterior)) => anterior.confirmar().await,
        }
    }

    /// Commits now, whatever the scope.
    pub async fn confirmar(self) -> Result<(), StoreError> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        match self {
            Tx::Sqlite(_) => Backend::Sqlite,
            Tx::Postgres(_) => Backend::Postgres,
        }
    }
}

/// The part of a connection error a person can act on, without echoing the URL.
fn describe_connect_error(e: &sqlx::Error) -> String {
    match e {
        sqlx::Error::Io(io) => {
            format!("{io} (o servidor está no ar e aceita conexões nesse endereço?)")
        }
        sqlx::Error::PoolTimedOut => {
            "tempo esgotado ao conectar (o servidor está no ar e acessível?)".to_owned()
        }
        sqlx::Error::Configuration(c) => format!("configuração inválida: {c}"),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn url_password_is_never_shown() {
        assert_eq!(
            redact_url("postgres://persus:s3cr3t@db.example:5432/persus?sslmode=require"),
            "postgres://persus:***@db.example:5432/persus"
        );
        assert_eq!(redact_url("postgres://u@h/d"), "postgres://u@h/d");
        assert_eq!(redact_url("nonsense"), "<URL inválida>");
    }
}
