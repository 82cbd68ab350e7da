//! `persus-domain`: the rules of the Ressarcimento ao SUS as pure functions and types.
//!
//! Nothing here does I/O or knows about databases, HTTP or the clock: every rule takes its
//! inputs (dates, amounts, rule versions) as arguments so it can be tested against the norm.
//!
//! - [`ids`]: identifiers (CNPJ, CPF, CNS, Registro ANS, AIH, APAC, SIGTAP, NUP, CNES,
//!   competência) as parse-don't-validate newtypes with their check digits.
//! - [`money`]: [`money::Centavos`], integer amounts with checked arithmetic.
//! - [`calendar`]: the ANS calendar (national holidays, ANS points facultatifs, Rio de Janeiro
//!   holidays) and business days.
//! - [`deadline`]: the deadline-counting rule of RN 253 art. 24 as amended by RN 327/2013.
//! - [`lifecycle`]: the attendance state machine (identified → notified → … → annulled/due).
//! - [`acesso`]: roles, permissions/scopes and notice kinds, stored as codes, shown as labels
//!   ([`rotulado!`]).
//! - [`eventos`]: the webhook event types, stored as codes, shown as labels.
//! - [`peticoes`]: petition kinds and states, and the minimum fundamentação.

pub mod acesso;
pub mod calendar;
pub mod cobranca;
pub mod deadline;
pub mod eventos;
pub mod ids;
pub mod lifecycle;
pub mod money;
pub mod motivos;
pub mod peticoes;
pub mod provisoes;
pub mod rotulado;
pub mod valoracao;
