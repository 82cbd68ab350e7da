//! The store's error type. Messages are for operators of the system (pt-BR); the source chain
//! is kept for the logs.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    /// The database could not be reached or refused the connection at start-up.
    #[error("não foi possível conectar ao banco de dados {destino}: {causa}")]
    Connect { destino: String, causa: String },
    /// A migration failed: the schema is left as it was before that migration.
    #[error("falha ao aplicar as migrações do banco de dados: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The embedded reference data is inconsistent (a bug in the release, not user input).
    #[error("dados de referência inválidos: {0}")]
    Reference(String),
    /// The demo data directory already holds a different data set.
    #[error("{0}")]
    Conflict(String),
    #[error("erro no banco de dados: {0}")]
    Sqlx(#[from] sqlx::Error),
}
