//! Provisions (issue #14): PEONA SUS and PESL SUS services.

pub mod ativos;
