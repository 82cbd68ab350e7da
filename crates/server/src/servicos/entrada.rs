//! Signing in with login and password (Argon2id), throttled by where the attempts come from.
//! The web pages put a session cookie on top of this.
//!
//! - The answer never tells whether the login exists: unknown login, inactive account and wrong
//!   password read the same, and each costs one Argon2id verification (an unknown login is
//!   checked against [`HASH_FICTICIO`]).
//! - Attempts are counted per source address and login and per source address, in the database
//!   (every node sees them; `persus_store::tentativas`). From the [`LIMITE_PAR`]-th attempt
//!   without success for one login from one source, or the [`LIMITE_ORIGEM`]-th from one source
//!   for any login, the next attempt from there waits 8 s, then 16 s, 32 s… up to
//!   [`ESPERA_MAXIMA`]; a success from that source clears its count for that login. A count
//!   with no attempt for [`JANELA`] starts over.
//! - Nobody can lock a person out: an account is never locked, so the right password from a
//!   source that has not failed signs in whatever happens elsewhere.
//! - Every refused or throttled attempt is an audit event (`entrada.recusada`,
//!   `entrada.adiada`) with the source address — never the password, and the login only when it
//!   exists (what someone typed in the login field may be a password). The process log records
//!   neither login nor address.

use std::net::IpAddr;

use chrono::{DateTime, Duration, Utc};
use persus_store::auditoria::{self, Ator, Mudanca};
use persus_store::contas::{self, Usuario};
use persus_store::tentativas;
use persus_store::Db;
use serde_json::json;

use super::ServicoError;
use crate::auth;

/// Attempts without success for one login from one source before the waits begin.
pub const LIMITE_PAR: i32 = 3;
/// Attempts without success from one source, whatever the login, before the waits begin.
pub const LIMITE_ORIGEM: i32 = 20;
/// The longest wait.
pub const ESPERA_MAXIMA: Duration = Duration::minutes(15);
/// A count without an attempt for this long starts over.
pub const JANELA: Duration = Duration::hours(1);

/// An Argon2id PHC string in the parameters of [`auth::hash_senha`], with an arbitrary salt and
/// output that no known password produces: verified when the login does not exist, so that
/// answer costs what a wrong password costs.
pub const HASH_FICTICIO: &str = "$argon2id$v=19$m=19456,t=2,p=1$IMW1hZ7Lqv2b7q1D0sA9kQ$Mmx0aE0wTqzDKmVf3N6kqvtH1ZrD5cJq8s8OgJY7c3M";

/// Where an attempt comes from: the client's IP address (an IPv6 address by its /64 network,
/// what one subscriber usually holds), or `desconhecida` when the server was not told.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origem(String);

impl Origem {
    pub fn de(ip: Option<IpAddr>) -> Origem {
        let texto = match ip.map(|ip| ip.to_canonical()) {
            None => "desconhecida".to_owned(),
            Some(IpAddr::V4(v4)) => v4.to_string(),
            Some(IpAddr::V6(v6)) => {
                let s = v6.segments();
                let rede = std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0);
                format!("{rede}/64")
            }
        };
        Origem(texto)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One attempt to sign in.
#[derive(Clone, Copy, Debug)]
pub struct Tentativa<'a> {
    pub login: &'a str,
    pub senha: &'a str,
    pub origem: &'a Origem,
    /// The request's id, for the audit trail.
    pub request_id: Option<&'a str>,
}

#[derive(Debug)]
pub enum Entrada {
    Aceita(Box<Usuario>),
    Recusada {
        mensagem: String,
    },
    /// Too many attempts from this source: try again after `espera`.
    Adiada {
        espera: Duration,
        mensagem: String,
    },
}

pub async fn entrar(
    db: &Db,
    t: &Tentativa<'_>,
    agora: DateTime<Utc>,
) -> Result<Entrada, ServicoError> {
    let login = t.login.trim();
    let chaves = Chaves::de(t.origem, login);
    let usuario = contas::usuario(db, login).await?;
    if let Some(segundos) = reservar(db, &chaves, agora).await? {
        let depois = json!({ "origem": t.origem.as_str(), "espera_segundos": segundos });
        auditar(db, t, usuario.as_ref(), "entrada.adiada", depois, agora).await?;
        tracing::info!(espera_s = segundos, "sign-in throttled");
        return Ok(adiada(segundos));
    }
    let aceito = match &usuario {
        Some(u) => auth::verificar_senha(&u.senha_hash, t.senha) && u.ativo,
        None => {
            let _ = auth::verificar_senha(HASH_FICTICIO, t.senha);
            false
        }
    };
    match usuario {
        Some(u) if aceito => {
            sucesso(db, &chaves, agora).await?;
            Ok(Entrada::Aceita(Box::new(u)))
        }
        usuario => {
            let depois = json!({ "origem": t.origem.as_str() });
            auditar(db, t, usuario.as_ref(), "entrada.recusada", depois, agora).await?;
            tracing::info!("sign-in refused");
            Ok(Entrada::Recusada {
                mensagem: "login ou senha inválidos".to_owned(),
            })
        }
    }
}

fn adiada(segundos: i64) -> Entrada {
    let quanto = if segundos == 1 {
        "1 segundo".to_owned()
    } else if segundos < 120 {
        format!("{segundos} segundos")
    } else {
        format!("{} minutos", (segundos + 59) / 60)
    };
    Entrada::Adiada {
        espera: Duration::seconds(segundos),
        mensagem: format!(
            "muitas tentativas sem sucesso a partir deste endereço: aguarde {quanto} e tente de novo. \
             Esqueceu a senha? Peça ao gestor da conta da sua organização."
        ),
    }
}

/// The throttling keys of an attempt: the source, and the source with the login (only a hash
/// of the login is kept; upper and lower case count as the same login).
struct Chaves {
    origem: String,
    par: String,
}

impl Chaves {
    fn de(origem: &Origem, login: &str) -> Chaves {
        let hash = auth::sha256_hex(&login.to_lowercase());
        Chaves {
            origem: format!("o:{}", origem.as_str()),
            par: format!("p:{}:{}", origem.as_str(), &hash[..32]),
        }
    }

    fn limite(&self, chave: &str) -> i32 {
        if chave == self.par {
            LIMITE_PAR
        } else {
            LIMITE_ORIGEM
        }
    }
}

/// How long the next attempt waits after `n` attempts without success under a key whose
/// waits begin at `limite`: nothing below it, then 8 s doubling up to [`ESPERA_MAXIMA`].
pub fn espera_apos(n: i32, limite: i32) -> Duration {
    if n < limite {
        return Duration::zero();
    }
    let expoente = u32::try_from(n - limite + 3).unwrap_or(u32::MAX).min(30);
    Duration::seconds(1_i64 << expoente).min(ESPERA_MAXIMA)
}

/// Counts this attempt under both keys, atomically, unless one of them must still wait: then
/// returns how many seconds (rounded up, so that waiting them is enough) and counts nothing.
async fn reservar(
    db: &Db,
    chaves: &Chaves,
    agora: DateTime<Utc>,
) -> Result<Option<i64>, ServicoError> {
    let mut tx = db.begin().await?;
    let mut linhas = tentativas::travar(&mut tx, &[&chaves.origem, &chaves.par], agora).await?;
    for t in &mut linhas {
        if t.ultima_em + JANELA < agora {
            t.tentativas = 0;
            t.liberada_em = agora;
        }
    }
    // Only a key at its limit waits (a clock a little behind another node's never does).
    let espera = linhas
        .iter()
        .filter(|t| t.tentativas >= chaves.limite(&t.chave))
        .map(|t| t.liberada_em - agora)
        .max()
        .filter(|e| *e > Duration::zero());
    if let Some(e) = espera {
        drop(tx); // rolled back: a throttled attempt counts for nothing
        return Ok(Some(((e.num_milliseconds() + 999) / 1000).max(1)));
    }
    for t in &mut linhas {
        t.tentativas += 1;
        t.ultima_em = agora;
        t.liberada_em = agora + espera_apos(t.tentativas, chaves.limite(&t.chave));
        tentativas::gravar(&mut tx, t).await?;
    }
    tx.commit().await?;
    Ok(None)
}

/// A success: this login from this source starts over, and this attempt no longer counts
/// against the source. Keys long unused are swept.
async fn sucesso(db: &Db, chaves: &Chaves, agora: DateTime<Utc>) -> Result<(), ServicoError> {
    let mut tx = db.begin().await?;
    tentativas::esquecer(&mut tx, &chaves.par).await?;
    for mut t in tentativas::travar(&mut tx, &[&chaves.origem], agora).await? {
        t.tentativas = (t.tentativas - 1).max(0);
        t.liberada_em = t.ultima_em + espera_apos(t.tentativas, LIMITE_ORIGEM);
        tentativas::gravar(&mut tx, &t).await?;
    }
    tx.commit().await?;
    tentativas::limpar(db, agora - JANELA).await?;
    Ok(())
}

async fn auditar(
    db: &Db,
    t: &Tentativa<'_>,
    usuario: Option<&Usuario>,
    acao: &str,
    depois: serde_json::Value,
    agora: DateTime<Utc>,
) -> Result<(), ServicoError> {
    let ator = Ator {
        ator: "anonimo".to_owned(),
        organizacao: "-".to_owned(),
        aplicacao: None,
        request_id: t.request_id.map(str::to_owned),
    };
    let mut tx = db.begin().await?;
    auditoria::registrar(
        &mut tx,
        &ator,
        Mudanca {
            acao,
            entidade: "usuario",
            entidade_id: usuario.map_or("desconhecido", |u| u.login.as_str()),
            antes: None,
            depois: Some(depois),
        },
        agora,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn espera_cresce_a_partir_do_limite_ate_o_teto() {
        assert_eq!(espera_apos(2, 3), Duration::zero());
        assert_eq!(espera_apos(3, 3), Duration::seconds(8));
        assert_eq!(espera_apos(4, 3), Duration::seconds(16));
        assert_eq!(espera_apos(9, 3), Duration::seconds(512));
        assert_eq!(espera_apos(10, 3), ESPERA_MAXIMA);
        assert_eq!(espera_apos(i32::MAX, 3), ESPERA_MAXIMA);
        assert_eq!(espera_apos(20, LIMITE_ORIGEM), Duration::seconds(8));
    }

    #[test]
    fn hash_ficticio_tem_os_parametros_das_senhas_de_verdade() {
        let real = auth::hash_senha("qualquer").unwrap();
        let params = |h: &str| h.rsplitn(3, '$').nth(2).map(str::to_owned);
        assert_eq!(params(HASH_FICTICIO), params(&real));
        // It parses, so verifying against it runs Argon2id in full (and fails).
        assert!(argon2::password_hash::PasswordHash::new(HASH_FICTICIO).is_ok());
        assert!(!auth::verificar_senha(HASH_FICTICIO, "demo"));
    }

    #[test]
    fn origem_ipv6_pela_rede_64_e_ipv4_mapeado_como_ipv4() {
        let o = |s: &str| Origem::de(Some(s.parse().unwrap())).as_str().to_owned();
        assert_eq!(o("203.0.113.7"), "203.0.113.7");
        assert_eq!(o("::ffff:203.0.113.7"), "203.0.113.7");
        assert_eq!(o("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(o("2001:db8:1:2:bbbb::9"), "2001:db8:1:2::/64");
        assert_eq!(Origem::de(None).as_str(), "desconhecida");
    }
}
