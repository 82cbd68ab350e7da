//! Services: the use cases, composed from store functions and domain rules. Handlers and CLI
//! commands call these; these call the state machine for every change of state.

pub mod agendador;
pub mod analise;
pub mod aplicacoes;
pub mod calendario;
pub mod ciencia;
pub mod cobranca;
pub mod consulta;
pub mod contas;
pub mod decisoes;
pub mod destinos;
pub mod documentos;
pub mod entrada;
pub mod gru_pdf;
pub mod historico;
pub mod homologacao;
pub mod lotes;
pub mod pdf_texto;
pub mod peticoes;
pub mod provisoes;
pub mod publicacao;
pub mod rascunhos;
pub mod recibos;
pub mod regras;
pub mod relogio;
pub mod webhooks;

use thiserror::Error;

/// One field a person must correct: `campo` names the input (the API's property, the form's
/// field id), `mensagem` says what is wrong in pt-BR.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct CampoInvalido {
    pub campo: String,
    pub mensagem: String,
}

impl CampoInvalido {
    pub fn new(campo: impl Into<String>, mensagem: impl Into<String>) -> CampoInvalido {
        CampoInvalido {
            campo: campo.into(),
            mensagem: mensagem.into(),
        }
    }
}

/// Why a use case refused or failed. Every front-end maps it once: the API to problem+json
/// ([`crate::problem::Problem`]'s `From`), the web to its error page ([`crate::web::falha`]).
/// Texts are pt-BR, written for the person who will act on them.
#[derive(Debug, Error)]
pub enum ServicoError {
    /// What was asked for does not exist, or is not visible to the caller (an operator never
    /// learns whether another operator's record exists). The text names the thing
    /// ("Notificação 12").
    #[error("{0} não existe ou não está disponível para você")]
    NaoEncontrado(String),
    /// The caller may see the thing but not do this to it (missing permission or role).
    #[error("{0}")]
    Proibido(String),
    /// The input is wrong, field by field.
    #[error("{}", .0.iter().map(|c| c.mensagem.as_str()).collect::<Vec<_>>().join("; "))]
    Invalido(Vec<CampoInvalido>),
    /// A rule or a precondition of the lifecycle refused the request (a deadline passed, the
    /// state does not allow it, a duplicate).
    #[error("{0}")]
    Regra(String),
    /// A failure that is ours, not the caller's (a disk, a renderer): logged, never told in
    /// detail; the person is asked to try again.
    #[error("{0}")]
    Interno(String),
    #[error(transparent)]
    Store(#[from] persus_store::StoreError),
}

impl ServicoError {
    /// One invalid field.
    pub fn campo(campo: impl Into<String>, mensagem: impl Into<String>) -> ServicoError {
        ServicoError::Invalido(vec![CampoInvalido::new(campo, mensagem)])
    }
}
