//! Provisions for the Ressarcimento ao SUS (issue #14): PEONA SUS, PESL SUS, the runoff triangle,
//! the impact of a parameter change, the yearly study, the guarantee assets — use cases over
//! `persus_store::provisoes` and `persus_domain::provisoes`.

pub mod ativos;
pub mod calculo;
pub mod exportar;
pub mod parametros;
