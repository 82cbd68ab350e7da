//! `persus-store`: every byte persus keeps goes through here.
//!
//! One repository API over two backends: SQLite (the embedded default, a file in the data
//! directory) and PostgreSQL (production, selected by `DATABASE_URL=postgres://…`). SQL lives
//! only in this crate, in small functions named for what they do that take a pool or a
//! transaction ([`Db`], [`Tx`]). The same SQL text runs on both backends wherever the dialects
//! agree (`$1` placeholders work on both); where they differ the function matches on
//! [`Backend`].
//!
//! Modules:
//! - [`db`]: connecting, migrating, transactions, the dispatch macros.
//! - [`meta`]: key/value facts about the database itself (demo seed, reference-data version).
//! - [`operadoras`]: the ANS register of operators, loaded from the embedded open-data CSV.
//! - [`demo`]: bulk writers for the synthetic demo data set.
//! - [`stats`]: counts shown on the landing page.
//! - [`analise`]: the analysis queues with their petitions, what makes cases identical, case facts.
//! - [`abis`], [`processos`]: the ABI schedule, processes with their NUPs, notices and ciência.
//! - [`auditoria`]: the append-only, hash-chained audit trail.
//! - [`idempotencia`]: stored answers of keyed requests, committed with the change itself.
//! - [`tentativas`]: sign-in attempts per source address and login, for throttling.
//! - [`formularios`]: forms kept across an expired session until the person signs in again.
//! - [`calendario`]: the secret deadline-feed URLs (token hashes) and the running deadlines
//!   they serve (issue #15 §4).
//! - [`provisoes`]: runoff cells, notified history, PESL SUS, PEONA SUS parameter versions and
//!   guarantee assets (issue #14).

#[macro_use]
pub mod db;
pub mod abis;
pub mod analise;
pub mod auditoria;
pub mod calendario;
pub mod cobranca;
pub mod contas;
pub mod demo;
pub mod error;
pub mod formularios;
pub mod historico;
pub mod idempotencia;
pub mod lotes;
pub mod meta;
pub mod operadoras;
pub mod peticoes;
pub mod processos;
pub mod provisoes;
pub mod stats;
pub mod tentativas;
#[cfg(feature = "testing")]
pub mod testing;
pub mod webhooks;

pub use db::{Backend, Db, DbConfig, Tx};
pub use error::StoreError;
