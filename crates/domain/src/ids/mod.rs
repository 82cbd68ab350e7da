//! Identifiers as parse-don't-validate newtypes (domain.md §7).
//!
//! Each type's only constructors check length, characters and check digits, so a value of the
//! type is valid by construction and code past the boundary never re-validates. `parse`
//! accepts the bare form and the usual mask; `as_str` is the bare canonical form (what is
//! stored and serialized); `Display` is the masked form people read. Errors are [`IdError`],
//! whose messages are pt-BR.

mod autorizacao;
mod cnes;
mod cnpj;
mod cns;
mod competencia;
mod cpf;
mod digits;
mod error;
mod nup;
mod registro_ans;
mod sigtap;

pub use autorizacao::{Aih, Apac, TipoAih, TipoApac};
pub use cnes::Cnes;
pub use cnpj::Cnpj;
pub use cns::{Cns, TipoCns};
pub use competencia::{Competencia, Trimestre};
pub use cpf::Cpf;
pub use error::IdError;
pub use nup::Nup;
pub use registro_ans::RegistroAns;
pub use sigtap::ProcedimentoSigtap;
