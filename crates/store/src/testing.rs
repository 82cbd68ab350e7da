//! Test support: a fresh database per test, on either backend.
//!
//! SQLite tests get a new file in a temporary directory; PostgreSQL tests get a new schema in
//! the database named by `PERSUS_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`). When PostgreSQL is not reachable the test
//! **fails** with instructions: a suite that silently skips a backend would report green on a
//! backend it never touched.
//!
//! [`db_test!`] writes one test per backend from one body.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::{Backend, Db, DbConfig};

pub const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// A migrated, empty database that cleans itself up with [`TestDb::cleanup`].
pub struct TestDb {
    pub db: Db,
    pub config: DbConfig,
    admin_url: Option<String>,
    schema: Option<String>,
    _dir: Option<tempfile::TempDir>,
}

pub fn postgres_url() -> String {
    std::env::var("PERSUS_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_owned())
}

fn unique_suffix() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        nanos
    )
}

impl TestDb {
    pub async fn new(backend: Backend) -> TestDb {
        match backend {
            Backend::Sqlite => TestDb::sqlite().await,
            Backend::Postgres => TestDb::postgres().await,
        }
    }

    /// An unmigrated configuration for the backend (for tests of start-up and migration).
    pub async fn empty(backend: Backend) -> TestDb {
        Self::create(backend, false).await
    }

    pub async fn sqlite() -> TestDb {
        Self::create(Backend::Sqlite, true).await
    }

    pub async fn postgres() -> TestDb {
        Self::create(Backend::Postgres, true).await
    }

    async fn create(backend: Backend, migrate: bool) -> TestDb {
        let (config, admin_url, schema, dir) = match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temporary directory for a test database");
                (DbConfig::sqlite_in(dir.path()), None, None, Some(dir))
            }
            Backend::Postgres => {
                let url = postgres_url();
                let schema = format!("persus_t_{}", unique_suffix());
                let admin = Db::connect(&DbConfig::Postgres { url: url.clone(), schema: None })
                    .await
                    .unwrap_or_else(|e| {
                        panic!(
                            "PostgreSQL is required by this test and is not reachable ({e}). \
                             Start it (`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`) \
                             or point PERSUS_TEST_POSTGRES_URL at a server."
                        )
                    });
                on_db!(admin, pool => sqlx::query(&format!("CREATE SCHEMA {schema}"))
                    .execute(pool).await.expect("create test schema").rows_affected());
                admin.close().await;
                let config = DbConfig::Postgres {
                    url: url.clone(),
                    schema: Some(schema.clone()),
                };
                (config, Some(url), Some(schema), None)
            }
        };
        let db = if migrate {
            Db::open(&config)
                .await
                .expect("open and migrate the test database")
        } else {
            Db::connect(&config)
                .await
                .expect("connect to the test database")
        };
        TestDb {
            db,
            config,
            admin_url,
            schema,
            _dir: dir,
        }
    }

    /// Closes the pool and drops the PostgreSQL schema (the SQLite directory goes on drop).
    pub async fn cleanup(self) {
        self.db.close().await;
        if let (Some(url), Some(schema)) = (&self.admin_url, &self.schema) {
            if let Ok(admin) = Db::connect(&DbConfig::Postgres {
                url: url.clone(),
                schema: None,
            })
            .await
            {
                let _ = on_db!(admin, pool => sqlx::query(&format!("DROP SCHEMA {schema} CASCADE"))
                    .execute(pool).await.map(|r| r.rows_affected()));
                admin.close().await;
            }
        }
    }
}

/// One test per backend from one body:
///
/// ```text
/// db_test!(carrega_operadoras, |db| {
///     assert_eq!(operadoras::count(&db).await.unwrap(), 0);
/// });
/// ```
/// expands to `carrega_operadoras::sqlite` and `carrega_operadoras::postgres`.
#[macro_export]
macro_rules! db_test {
    ($name:ident, |$db:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let t = $crate::testing::TestDb::new($crate::Backend::Sqlite).await;
                let $db = t.db.clone();
                $body;
                t.cleanup().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let t = $crate::testing::TestDb::new($crate::Backend::Postgres).await;
                let $db = t.db.clone();
                $body;
                t.cleanup().await;
            }
        }
    };
}
