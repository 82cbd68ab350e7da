//! One-time messages bound to the session, for what must never be written down (a new
//! `client_secret`, a webhook's signing secret) and for the charging and account pages.
//! Plain outcome notes of other pages travel in a cookie ([`super::flash`]).
//!
//! A POST that did something keeps a message for the session and answers 303 to a GET page,
//! which takes it (once) and shows it. F5 or Back on that page repeat nothing and show the
//! message no more.
//!
//! Kept in this process's memory, bound to the session (by its CSRF token, which only that
//! session has), for at most [`VALIDADE`]: a secret shown once (a new `client_secret`, a
//! webhook's signing secret) travels this way and is never written to the database. A restart
//! between the POST and its GET loses the message; the action itself is done (a lost secret
//! is replaced by rotating it).

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};

use axum::response::{IntoResponse, Redirect, Response};
use maud::Markup;

use super::Sessao;

/// How long a message waits for the page that shows it.
pub const VALIDADE: Duration = Duration::from_secs(10 * 60);

type Caixa = HashMap<String, Vec<(Instant, Markup)>>;

static MENSAGENS: LazyLock<Mutex<Caixa>> = LazyLock::new(|| Mutex::new(HashMap::new()));

fn caixa() -> std::sync::MutexGuard<'static, Caixa> {
    // A panic elsewhere while holding the lock leaves a usable map: take it back.
    MENSAGENS.lock().unwrap_or_else(|e| e.into_inner())
}

/// Keeps a message for the session's next page.
pub fn guardar(s: &Sessao, mensagem: Markup) {
    let mut c = caixa();
    let agora = Instant::now();
    c.retain(|_, v| {
        v.retain(|(t, _)| agora.duration_since(*t) < VALIDADE);
        !v.is_empty()
    });
    c.entry(s.csrf.clone()).or_default().push((agora, mensagem));
}

/// Takes the session's messages: shown once, then gone.
pub fn tomar(s: &Sessao) -> Vec<Markup> {
    let agora = Instant::now();
    caixa()
        .remove(&s.csrf)
        .unwrap_or_default()
        .into_iter()
        .filter(|(t, _)| agora.duration_since(*t) < VALIDADE)
        .map(|(_, m)| m)
        .collect()
}

/// Keeps the message and answers 303 See Other to `para` (a path of this site).
pub fn redirecionar(s: &Sessao, para: &str, mensagem: Markup) -> Response {
    guardar(s, mensagem);
    Redirect::to(para).into_response()
}
