//! The ABI schedule: scheduling one, publishing one (in the background; the page follows it).
//! Both POSTs answer 303 to the list, which says once what happened; a form with errors is
//! shown again as typed.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::html;
use persus_store::abis::EstadoAbi;

use super::super::flash::{self, Aviso};
use super::super::layout::pagina;
use super::super::{data, falha, indisponivel, proibido, Sessao};
use super::filas::Erros;
use super::{campo, pares};
use crate::app::AppState;
use crate::servicos::publicacao::{self, PedidoAgendamento};
use crate::servicos::ServicoError;

const CAMINHO: &str = "/ans/abis";
const NAO_AGENDADO: &str = "ABI não agendado.";

pub async fn abis(State(app): State<AppState>, s: Sessao, headers: HeaderMap) -> Response {
    let aviso = flash::ler(&headers);
    let r = pagina_abis(
        &app,
        &s,
        aviso.as_ref(),
        &PedidoAgendamento::default(),
        &Erros::nenhum(),
    )
    .await;
    match aviso {
        Some(_) => flash::consumido(CAMINHO, r),
        None => r,
    }
}

async fn pagina_abis(
    app: &AppState,
    s: &Sessao,
    aviso: Option<&Aviso>,
    entrada: &PedidoAgendamento,
    erros: &Erros<'_>,
) -> Response {
    if !s.papel_ans(&[]) {
        return proibido();
    }
    let lista = match persus_store::abis::listar(&app.db).await {
        Ok(l) => l,
        Err(e) => return indisponivel(e),
    };
    let hoje = app.relogio.hoje();
    let publicando = lista.iter().any(|a| a.estado == EstadoAbi::Publicando);
    let corpo = html! {
        @if let Some(a) = aviso { (flash::caixa(a)) }
        @if publicando { script src=(super::super::estatico::url("recarregar.js")) data-recarregar="3000" {} div.br-message.info role="status" aria-live="polite" { div.content { span.message-body { "Publicação em andamento; esta página se atualiza sozinha." } } } }
        div.persus-tabela { table.persus {
            caption.sr-only { "ABIs agendados e publicados" }
            thead { tr { th scope="col" { "ABI" } th scope="col" { "Tipo" } th scope="col" { "Trimestre" } th scope="col" { "Lançamento" } th scope="col" { "Situação" } th scope="col" { "Ação" } } }
            tbody { @for a in &lista { tr {
                td { (a.numero) } td { (a.tipo) } td { (a.trimestre) } td { (data(a.data_lancamento)) } td { (a.estado.rotulo()) }
                td { @if a.estado != EstadoAbi::Publicado && a.data_lancamento <= hoje {
                    form.inline method="post" action=(format!("/ans/abis/{}/publicacao", a.numero)) {
                        input type="hidden" name="csrf" value=(s.csrf);
                        button.br-button.primary.small type="submit" {
                            @if a.estado == EstadoAbi::Publicando { "Retomar a publicação" } @else { "Publicar" }
                        }
                    }
                } }
            } } }
        } }
        h2 { "Agendar ABI" }
        form method="post" action="/ans/abis/agendar" {
            input type="hidden" name="csrf" value=(s.csrf);
            (erros.resumo())
            div.row {
                div."col-sm-3" { div.br-input { label for="numero" { "Número" } input id="numero" name="numero" required inputmode="numeric" value=(entrada.numero); (erros.sob("numero")) } }
                div."col-sm-3" { div.br-select { label for="tipo" { "Tipo" } select id="tipo" name="tipo" {
                    @for t in ["AIH", "APAC"] { option selected[entrada.tipo == t] { (t) } }
                } (erros.sob("tipo")) } }
                div."col-sm-3" { div.br-input { label for="trimestre" { "Trimestre de atendimento" } input id="trimestre" name="trimestre" required placeholder="1T2026" value=(entrada.trimestre); (erros.sob("trimestre")) } }
                div."col-sm-3" { div.br-input { label for="lancamento" { "Lançamento (dd/mm/aaaa)" } input id="lancamento" name="lancamento" required value=(entrada.lancamento); (erros.sob("lancamento")) } }
            }
            p.mt-2 { button.br-button.primary type="submit" { "Agendar" } }
        }
    };
    let status = if erros.tem() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    (
        status,
        pagina(app, s, CAMINHO, "ABIs — agenda e publicação", corpo),
    )
        .into_response()
}

pub async fn publicar(
    State(app): State<AppState>,
    s: Sessao,
    Path(numero): Path<String>,
    body: Bytes,
) -> Response {
    if !s.papel_ans(&[]) {
        return proibido();
    }
    if let Err(r) = s.conferir(&campo(&pares(&body), "csrf")) {
        return r;
    }
    let Ok(numero) = numero.parse::<i32>() else {
        return super::super::nao_encontrado("O ABI");
    };
    match publicacao::iniciar(&app.db, numero, app.relogio.clone(), s.ator()).await {
        Ok(abi) => flash::redirecionar(
            CAMINHO,
            &Aviso {
                titulo: format!("Publicação do {}º ABI iniciada.", abi.numero),
                texto: "Os processos são instaurados em segundo plano; acompanhe a situação nesta página.".to_owned(),
                codigo: None,
            },
        ),
        // Already published (F5 or Back after publishing): the list says so.
        Err(ServicoError::Regra(m)) => flash::redirecionar(
            CAMINHO,
            &Aviso {
                titulo: "Nada a publicar.".to_owned(),
                texto: format!("{m}."),
                codigo: None,
            },
        ),
        Err(e) => falha(e),
    }
}

pub async fn agendar_abi(State(app): State<AppState>, s: Sessao, body: Bytes) -> Response {
    if !s.papel_ans(&[]) {
        return proibido();
    }
    let p = pares(&body);
    if let Err(r) = s.conferir(&campo(&p, "csrf")) {
        return r;
    }
    let pedido = PedidoAgendamento {
        numero: campo(&p, "numero"),
        tipo: campo(&p, "tipo"),
        trimestre: campo(&p, "trimestre"),
        lancamento: campo(&p, "lancamento"),
    };
    match publicacao::agendar(&app.db, &pedido, &s.ator(), app.relogio.agora()).await {
        Ok(abi) => flash::redirecionar(
            CAMINHO,
            &Aviso {
                titulo: format!("{}º ABI agendado.", abi.numero),
                texto: format!(
                    "{} do {}, lançamento em {}.",
                    abi.tipo,
                    abi.trimestre,
                    data(abi.data_lancamento)
                ),
                codigo: None,
            },
        ),
        Err(ServicoError::Invalido(c)) => {
            let erros = Erros::de_formulario(NAO_AGENDADO, &c, None);
            pagina_abis(&app, &s, None, &pedido, &erros).await
        }
        Err(ServicoError::Regra(m)) => {
            let erros = Erros::de_formulario(NAO_AGENDADO, &[], Some(&m));
            pagina_abis(&app, &s, None, &pedido, &erros).await
        }
        Err(e) => falha(e),
    }
}
