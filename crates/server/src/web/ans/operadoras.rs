//! Operators' first access: ANS's admin enables the legal representative of an operator of
//! the register. The code is shown once — on the page the POST redirects to (303), never
//! again on F5 or Back; a refused form is shown again as typed.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};

use super::super::flash::{self, Aviso};
use super::super::layout::pagina;
use super::super::{falha, proibido, Sessao};
use super::{campo, pares};
use crate::app::AppState;
use crate::servicos::ServicoError;

const CAMINHO: &str = "/ans/operadoras";
const TITULO: &str = "Operadoras — primeiro acesso";

/// What was typed in the form.
#[derive(Default)]
struct Entrada {
    registro: String,
    login: String,
    nome: String,
}

pub async fn operadoras(State(app): State<AppState>, s: Sessao, headers: HeaderMap) -> Response {
    if !s.papel_ans(&[]) {
        return proibido();
    }
    let aviso = flash::ler(&headers);
    let corpo = html! {
        @if let Some(a) = &aviso { (flash::caixa(a)) }
        (form_habilitar(&s, &Entrada::default()))
    };
    let r = pagina(&app, &s, CAMINHO, TITULO, corpo).into_response();
    match aviso {
        Some(_) => flash::consumido(CAMINHO, r),
        None => r,
    }
}

fn form_habilitar(s: &Sessao, e: &Entrada) -> Markup {
    html! {
        p { "Habilite o primeiro acesso do representante legal de uma operadora do cadastro da ANS, depois de conferir a representação (o equivalente à verificação do e-CNPJ). O código vale 7 dias e é mostrado uma única vez: envie-o por canal oficial." }
        form method="post" action=(CAMINHO) {
            input type="hidden" name="csrf" value=(s.csrf);
            div.br-input { label for="registro" { "Registro ANS" } input id="registro" name="registro" required inputmode="numeric" maxlength="6" value=(e.registro); }
            div.br-input.mt-2 { label for="login" { "Login do representante" } input id="login" name="login" required placeholder="rep.123456" value=(e.login); }
            div.br-input.mt-2 { label for="nome" { "Nome do representante legal" } input id="nome" name="nome" required value=(e.nome); }
            p.mt-2 { button.br-button.primary type="submit" { "Habilitar primeiro acesso" } }
        }
    }
}

pub async fn habilitar(State(app): State<AppState>, s: Sessao, body: Bytes) -> Response {
    if !s.papel_ans(&[]) {
        return proibido();
    }
    let p = pares(&body);
    if let Err(r) = s.conferir(&campo(&p, "csrf")) {
        return r;
    }
    let e = Entrada {
        registro: campo(&p, "registro"),
        login: campo(&p, "login"),
        nome: campo(&p, "nome"),
    };
    let r = crate::servicos::contas::habilitar_primeiro_acesso(
        &app.db,
        &s.usuario.login,
        &e.registro,
        &e.login,
        &e.nome,
        app.relogio.agora(),
    )
    .await;
    match r {
        Ok(codigo) => flash::redirecionar(
            CAMINHO,
            &Aviso {
                titulo: format!("Primeiro acesso habilitado para {}.", e.login.trim()),
                texto: "Código (mostrado uma única vez):".to_owned(),
                codigo: Some(codigo),
            },
        ),
        Err(ServicoError::Regra(m)) => {
            let corpo = html! {
                div.br-message.danger role="alert" { div.content {
                    span.message-title { "Primeiro acesso não habilitado." } " " span.message-body { (m) }
                } }
                (form_habilitar(&s, &e))
            };
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                pagina(&app, &s, CAMINHO, TITULO, corpo),
            )
                .into_response()
        }
        Err(e) => falha(e),
    }
}
