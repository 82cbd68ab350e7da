//! Processes and notices of an operator (reading a notice is its ciência).

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};

use super::*;
use crate::app::AppState;
use crate::web::layout::pagina;
use crate::web::{data, indisponivel, nao_encontrado, reais, Sessao};

pub(super) async fn processos(State(app): State<AppState>, s: Sessao) -> Response {
    let op = match exigir(&s, Escopo::Consulta) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let lista = match persus_store::processos::processos(&app.db, Some(&op), i64::MAX, 500).await {
        Ok(l) => l,
        Err(e) => return indisponivel(e),
    };
    let corpo = html! {
        table.persus {
            caption.sr-only { "Processos da operadora" }
            thead { tr { th scope="col" { "NUP" } th scope="col" { "ABI" } th scope="col" { "Instaurado em" } th scope="col" .num { "Atendimentos" } th scope="col" .num { "Valor" } } }
            tbody {
                @for p in &lista {
                    tr {
                        td { a href=(format!("/processos/{}", p.nup)) { (p.nup) } }
                        td { (p.abi_numero) }
                        td { (data(p.instaurado_em.date_naive())) }
                        td.num { (p.atendimentos) }
                        td.num { (reais(p.valor_centavos)) }
                    }
                }
            }
        }
    };
    pagina(&app, &s, "/processos", "Processos", corpo).into_response()
}

pub(super) async fn processo(
    State(app): State<AppState>,
    s: Sessao,
    Path(nup): Path<String>,
) -> Response {
    let op = match exigir(&s, Escopo::Consulta) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let p = match persus_store::processos::por_nup(&app.db, &nup, Some(&op)).await {
        Ok(Some(p)) => p,
        Ok(None) => return nao_encontrado(&format!("O processo {nup}")),
        Err(e) => return indisponivel(e),
    };
    let notificacoes = persus_store::processos::notificacoes_do_processo(&app.db, p.id)
        .await
        .unwrap_or_default();
    let atendimentos = persus_store::historico::buscar(
        &app.db,
        &persus_store::historico::Filtro {
            operadora: Some(op.clone()),
            processo: Some(p.nup.clone()),
            limite: 1000,
            ..Default::default()
        },
    )
    .await
    .unwrap_or_default();
    let pode_impugnar = atendimentos.iter().any(|a| a.estado == "notificado");
    let pode_recorrer = atendimentos
        .iter()
        .any(|a| a.estado == "mantido" || a.estado == "retificado");
    let corpo = html! {
        p { "ABI " (p.abi_numero) " · instaurado em " (data(p.instaurado_em.date_naive())) " · " (p.atendimentos) " atendimentos · " (reais(p.valor_centavos)) }
        @if s.pode(persus_domain::acesso::Escopo::Peticionar) {
            p {
                @if pode_impugnar { a.br-button.primary href=(format!("/peticoes/nova?processo={}&tipo=impugnacao", p.nup)) { "Impugnar atendimentos" } " " }
                @if pode_recorrer { a.br-button.primary href=(format!("/peticoes/nova?processo={}&tipo=recurso", p.nup)) { "Recorrer" } }
            }
        }
        h2 { "Notificações" }
        table.persus {
            thead { tr { th scope="col" { "Notificação" } th scope="col" { "Tipo" } th scope="col" { "Disponibilizada" } th scope="col" { "Ciência" } th scope="col" { "Prazo até" } } }
            tbody {
                @for n in &notificacoes {
                    tr {
                        td { a href=(format!("/notificacoes/{}", n.id)) { (n.id) } }
                        td { (n.tipo.replace('_', " ")) }
                        td { (data(n.disponibilizada_em)) }
                        td { (n.ciencia_em.map(data).unwrap_or_else(|| "pendente".to_owned())) " " (n.ciencia_forma.clone().unwrap_or_default()) }
                        td { (n.vencimento.map(data).unwrap_or_default()) }
                    }
                }
            }
        }
        h2 { "Atendimentos" }
        (tabela_atendimentos(&atendimentos))
    };
    pagina(
        &app,
        &s,
        "/processos",
        &format!("Processo {}", p.nup),
        corpo,
    )
    .into_response()
}

pub(super) fn tabela_atendimentos(lista: &[persus_store::historico::Resumo]) -> Markup {
    html! {
        table.persus {
            thead { tr { th scope="col" { "Número" } th scope="col" { "Tipo" } th scope="col" { "Competência" } th scope="col" { "Situação" } th scope="col" .num { "Valor" } th scope="col" { "Prazo do Ofício" } } }
            tbody {
                @for a in lista {
                    tr {
                        td { a href=(format!("/atendimentos/{}", a.numero)) { (a.numero) } }
                        td { (a.tipo) }
                        td { (format!("{}/{}", a.competencia.get(4..).unwrap_or(""), a.competencia.get(..4).unwrap_or(""))) }
                        td { (estado_pt(&a.estado)) }
                        td.num { (reais(a.valor_devido_centavos.unwrap_or(a.valor_ressarcimento_centavos))) }
                        td { (a.prazo_impugnacao.map(data).unwrap_or_default()) }
                    }
                }
            }
        }
    }
}

pub(super) async fn notificacao(
    State(app): State<AppState>,
    s: Sessao,
    Path(id): Path<i64>,
) -> Response {
    let op = match exigir(&s, Escopo::Consulta) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let r = &*app.relogio;
    let c = match crate::servicos::ciencia::registrar_expressa(
        &app.db,
        id,
        &op,
        &s.usuario.login,
        r.hoje(),
        r.agora(),
        &app.regras.calendario,
        &app.regras.prazos,
        &s.ator(),
    )
    .await
    {
        Ok(c) => c,
        Err(crate::servicos::ServicoError::Regra(_)) => {
            return nao_encontrado(&format!("A notificação {id}"))
        }
        Err(e) => return indisponivel(e),
    };
    let n = match persus_store::processos::notificacao(&app.db, id).await {
        Ok(n) => n,
        Err(e) => return indisponivel(e),
    };
    let nup = persus_store::peticoes::nup(&app.db, n.processo_id)
        .await
        .ok()
        .flatten()
        .unwrap_or_default();
    let conteudo: serde_json::Value = persus_store::processos::conteudo_notificacao(&app.db, id)
        .await
        .ok()
        .flatten()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
    let corpo = html! {
        div.br-message.success role="status" {
            div.content { span.message-body {
                @if c.registrada_agora { "Ciência registrada agora (" (data(c.ciencia_em)) ")." } @else { "Ciência já registrada em " (data(c.ciencia_em)) " (" (c.forma) ")." }
                @if let Some(v) = c.vencimento { " Prazo até " strong { (data(v)) } "." }
            } }
        }
        p { "Processo " a href=(format!("/processos/{nup}")) { (nup) } " · disponibilizada em " (data(n.disponibilizada_em)) }
        @if let Some(v) = conteudo.get("valor_total_centavos").and_then(|v| v.as_i64()) {
            p { "Valor total do Ofício: " strong { (reais(v)) } " · " (conteudo["atendimentos"]) " atendimento(s)" }
        }
        @if let Some(r) = conteudo.get("resultado").and_then(|r| r.as_str()) {
            p { "Resultado: " strong { (r.replace('_', " ")) } }
        }
        @if let Some(f) = conteudo.get("fundamentacao").and_then(|r| r.as_str()) {
            p { "Fundamentação: " (f) }
        }
        p { a.br-button.secondary href=(format!("/processos/{nup}")) { "Ver o processo e seus atendimentos" } }
    };
    pagina(&app, &s, "/painel", &format!("Notificação {id}"), corpo).into_response()
}
