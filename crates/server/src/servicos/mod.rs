//! Services: the use cases, composed from store functions and domain rules. Handlers and CLI
//! commands call these; these call the state machine for every change of state.

pub mod agendador;
pub mod aplicacoes;
pub mod ciencia;
pub mod cobranca;
pub mod contas;
pub mod decisoes;
pub mod destinos;
pub mod documentos;
pub mod entrada;
pub mod gru_pdf;
pub mod historico;
pub mod homologacao;
pub mod lotes;
pub mod peticoes;
pub mod publicacao;
pub mod rascunhos;
pub mod relogio;
pub mod webhooks;

use thiserror::Error;

#[derive(Debug, Error)]
pub enum ServicoError {
    /// A rule or a precondition refused the request; the text is for the user (pt-BR).
    #[error("{0}")]
    Regra(String),
    #[error(transparent)]
    Store(#[from] persus_store::StoreError),
}
