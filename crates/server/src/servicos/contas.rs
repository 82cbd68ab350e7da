//! Signing in with login and password (Argon2id), with lockout after repeated failures. The
//! web pages (issue #6) put a session cookie on top of this.
//!
//! - The answer never tells whether the login exists: unknown login and wrong password read the
//!   same, and an unknown login still costs one Argon2id verification.
//! - [`LIMITE_FALHAS`] consecutive failures lock the account for [`BLOQUEIO`]; a success resets
//!   the count. While locked, even the right password is refused.

use chrono::{DateTime, Duration, Utc};
use persus_store::contas::{self, Usuario};
use persus_store::Db;

use super::ServicoError;
use crate::auth;

pub const LIMITE_FALHAS: i32 = 5;
pub const BLOQUEIO: Duration = Duration::minutes(15);

/// An Argon2id hash of a random password, verified when the login does not exist (so that
/// answer takes as long as a wrong password).
fn hash_ficticio() -> &'static str {
    static H: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    H.get_or_init(|| auth::hash_senha(&auth::aleatorio("")).unwrap_or_default())
}

#[derive(Debug)]
pub enum Entrada {
    Aceita(Box<Usuario>),
    Recusada { mensagem: String },
}

pub async fn entrar(
    db: &Db,
    login: &str,
    senha: &str,
    agora: DateTime<Utc>,
) -> Result<Entrada, ServicoError> {
    let invalida = || Entrada::Recusada {
        mensagem: "login ou senha inválidos".to_owned(),
    };
    let Some(u) = contas::usuario(db, login.trim()).await? else {
        let _ = auth::verificar_senha(hash_ficticio(), senha);
        return Ok(invalida());
    };
    if let Some(ate) = u.bloqueado_ate.filter(|ate| *ate > agora) {
        return Ok(Entrada::Recusada {
            mensagem: format!(
                "conta bloqueada por tentativas repetidas até {} (horário de Brasília); tente depois ou peça ao gestor da conta",
                ate.with_timezone(&chrono_tz::America::Sao_Paulo).format("%d/%m/%Y %H:%M")
            ),
        });
    }
    if u.bloqueado_ate.is_some() {
        // The lock expired: a fresh count of attempts.
        contas::zerar_falhas(db, u.id).await?;
    }
    if !u.ativo {
        let _ = auth::verificar_senha(&u.senha_hash, senha);
        return Ok(invalida());
    }
    if auth::verificar_senha(&u.senha_hash, senha) {
        if u.falhas > 0 {
            contas::zerar_falhas(db, u.id).await?;
        }
        return Ok(Entrada::Aceita(Box::new(u)));
    }
    let falhas = contas::registrar_falha(db, u.id, LIMITE_FALHAS, agora + BLOQUEIO).await?;
    if falhas >= LIMITE_FALHAS {
        return Ok(Entrada::Recusada {
            mensagem: format!(
                "login ou senha inválidos; a conta foi bloqueada por {} minutos após {LIMITE_FALHAS} tentativas",
                BLOQUEIO.num_minutes()
            ),
        });
    }
    Ok(invalida())
}
