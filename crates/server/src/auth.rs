//! Credentials: Argon2id password hashes, random secrets and opaque tokens (stored as SHA-256),
//! scopes, and the per-application rate limiter.

use persus_domain::acesso::{Escopo, Papel};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use sha2::{Digest, Sha256};

/// Scopes an application can hold (space-separated in OAuth2 requests and answers).
pub const ESCOPOS: [&str; 8] = [
    "consulta",
    "peticionar",
    "financeiro",
    "ans.decisao",
    "ans.diretoria",
    "ans.dicol",
    "ans.publicacao",
    "ans.financeiro",
];

/// What each ANS role may do through an application, as scope codes (the role checks of the
/// ANS endpoints): [`Escopo::do_papel_ans`].
pub fn escopos_do_papel_ans(papel: Papel) -> Vec<&'static str> {
    Escopo::do_papel_ans(papel)
        .iter()
        .map(|e| e.as_str())
        .collect()
}

/// Token lifetime (`expires_in`).
pub const VALIDADE_TOKEN: Duration = Duration::from_secs(3600);

/// Prefix of access tokens: recognisable by secret scanners and in support tickets.
pub const PREFIXO_TOKEN: &str = "psus_at_";

pub fn sha256_hex(s: &str) -> String {
    format!("{:x}", Sha256::digest(s.as_bytes()))
}

/// Compares two strings in time independent of where they differ.
pub fn iguais(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// 32 random bytes, hex, after `prefixo`.
pub fn aleatorio(prefixo: &str) -> String {
    let mut b = [0u8; 32];
    // The OS generator does not fail on Linux once booted; if it ever did, refusing to issue
    // a predictable secret is the only safe answer.
    if getrandom::getrandom(&mut b).is_err() {
        panic!("gerador aleatório do sistema indisponível");
    }
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("{prefixo}{hex}")
}

/// Argon2id PHC string of a password (default parameters: 19 MiB, 2 passes).
pub fn hash_senha(senha: &str) -> Result<String, String> {
    let mut sal = [0u8; 16];
    getrandom::getrandom(&mut sal).map_err(|e| e.to_string())?;
    let sal = SaltString::encode_b64(&sal).map_err(|e| e.to_string())?;
    Argon2::default()
        .hash_password(senha.as_bytes(), &sal)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

pub fn verificar_senha(hash: &str, senha: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(senha.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// The requested scopes, checked against what the application holds: `None` = all it holds.
pub fn escopos_concedidos(pedidos: Option<&str>, da_aplicacao: &str) -> Result<String, String> {
    let tem: Vec<&str> = da_aplicacao.split_whitespace().collect();
    let Some(pedidos) = pedidos.filter(|p| !p.trim().is_empty()) else {
        return Ok(tem.join(" "));
    };
    let mut out = Vec::new();
    for e in pedidos.split_whitespace() {
        if !tem.contains(&e) {
            return Err(format!("escopo \"{e}\" não concedido a esta aplicação"));
        }
        if !out.contains(&e) {
            out.push(e);
        }
    }
    Ok(out.join(" "))
}

/// Token buckets per application: capacity = the per-minute limit, refilled continuously.
#[derive(Default)]
pub struct Limitador {
    baldes: Mutex<HashMap<i64, (f64, Instant)>>,
}

impl Limitador {
    /// Takes one request from the application's bucket; `Err(seconds)` = wait that long.
    pub fn tomar(&self, aplicacao: i64, por_minuto: i32) -> Result<(), u64> {
        let capacidade = f64::from(por_minuto.max(1));
        let taxa = capacidade / 60.0;
        let agora = Instant::now();
        let mut baldes = self.baldes.lock().unwrap_or_else(|e| e.into_inner());
        let (fichas, quando) = baldes.entry(aplicacao).or_insert((capacidade, agora));
        *fichas = (*fichas + agora.duration_since(*quando).as_secs_f64() * taxa).min(capacidade);
        *quando = agora;
        if *fichas >= 1.0 {
            *fichas -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - *fichas) / taxa).ceil().max(1.0) as u64)
        }
    }
}
