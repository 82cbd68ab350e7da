//! Provisions for the Ressarcimento ao SUS (issue #14): PEONA SUS, PESL SUS, the runoff triangle,
//! the impact of a parameter change, the yearly study — use cases over `persus_store::provisoes`
//! and `persus_domain::provisoes`.

pub mod calculo;
pub mod exportar;
