//! `persus-server`: the composition root.
//!
//! Start reading at [`cli`] (the subcommands and their configuration), then [`app`] (the HTTP
//! router and its state). [`demo`] builds the synthetic data set of `persus demo`.
//!
//! Rules flow one way: this crate calls `persus-store`, which calls `persus-domain`. Handlers
//! are thin: parse, call one function, map the result.

pub mod anexo;
pub mod api;
pub mod app;
pub mod auth;
pub mod cli;
pub mod config;
pub mod demo;
pub mod erros;
pub mod problem;
pub mod servicos;
pub mod telemetry;
pub mod web;
