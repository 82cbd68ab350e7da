//! The operator's dashboard and its lists of ABIs and decisions.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use maud::html;

use super::*;
use crate::app::AppState;
use crate::web::layout::{barras, pagina};
use crate::web::rotulos::{instante, nup};
use crate::web::{data, indisponivel, proibido, reais, Sessao};
use persus_domain::acesso::TipoNotificacao;

pub async fn painel(app: &AppState, s: &Sessao) -> Response {
    let Some(op) = s.operadora.clone() else {
        return proibido();
    };
    let hoje = app.relogio.hoje();
    let feed = match persus_store::processos::pendencias(&app.db, &op, hoje).await {
        Ok(f) => f,
        Err(e) => return indisponivel(e),
    };
    let pendentes: Vec<_> = feed.iter().filter(|n| n.ciencia_em.is_none()).collect();
    let rascunhos = match persus_store::peticoes::rascunhos_da_operadora(&app.db, &op).await {
        Ok(r) => r,
        Err(e) => return indisponivel(e),
    };
    let mut prazos: Vec<_> = feed
        .iter()
        .filter_map(|n| n.vencimento.filter(|v| *v >= hoje).map(|v| (v, n)))
        .collect();
    prazos.sort_by_key(|(v, n)| (*v, n.id));
    let mut semanas: std::collections::BTreeMap<i64, i64> = Default::default();
    for (v, _) in &prazos {
        *semanas.entry((*v - hoje).num_days() / 7).or_default() += 1;
    }
    let por_semana: Vec<_> = semanas
        .into_iter()
        .take(8)
        .map(|(w, n)| {
            let rotulo = if w == 0 {
                "esta semana".to_owned()
            } else {
                format!("em {w} semana(s)")
            };
            (rotulo, n, format!("{n} prazo(s)"))
        })
        .collect();
    let debitos = match persus_store::cobranca::debitos_da_operadora(&app.db, &op).await {
        Ok(d) => d,
        Err(e) => return indisponivel(e),
    };
    let aberto: i64 = debitos
        .iter()
        .filter(|d| d.estado == persus_domain::cobranca::estados::EstadoDebito::Aberto)
        .map(|d| d.valor_centavos)
        .sum();
    let mut por_mes: std::collections::BTreeMap<String, i64> = Default::default();
    for d in debitos
        .iter()
        .filter(|d| d.estado == persus_domain::cobranca::estados::EstadoDebito::Aberto)
    {
        *por_mes
            .entry(d.vencimento.format("%m/%Y").to_string())
            .or_default() += d.valor_centavos;
    }
    let grafico: Vec<_> = por_mes.into_iter().map(|(m, v)| (m, v, reais(v))).collect();
    let corpo = html! {
        div.cartoes {
            div.cartao { div { "Ciências pendentes" } div.valor { (pendentes.len()) } }
            div.cartao { div { "Prazos em curso" } div.valor { (prazos.len()) } }
            div.cartao { div { "Débitos em aberto" } div.valor { (reais(aberto)) } }
        }
                h2 { "Prazos, do mais urgente" }
        @if !por_semana.is_empty() {
            (barras("Prazos que vencem, por semana", &por_semana))
        }
        @if prazos.is_empty() {
            p { "Nenhum prazo em curso." }
        } @else {
            table.persus {
                caption.sr-only { "Prazos em curso" }
                thead { tr { th scope="col" { "Processo" } th scope="col" { "Prazo de" } th scope="col" { "Vence em" } th scope="col" .num { "Dias restantes" } } }
                tbody {
                    @for (v, n) in prazos.iter().take(50) {
                        @let dias = (*v - hoje).num_days();
                        tr {
                            td { a href=(format!("/processos/{}", n.processo)) { (nup(&n.processo)) } }
                            td { a href=(format!("/notificacoes/{}", n.id)) { (n.tipo.rotulo()) } }
                            td { (data(*v)) }
                            td.num.urgente[dias <= 5] { (dias) }
                        }
                    }
                }
            }
        }
                @if !rascunhos.is_empty() {
            h2 { "Rascunhos de petição" }
            ul { @for r in &rascunhos { li {
                a href=(format!("/rascunhos/{}", r.id)) { (r.tipo.rotulo()) " — processo " (nup(&r.nup)) }
                " (salvo em " (instante(r.criada_em)) ")"
            } } }
        }
        h2 { "Notificações sem ciência" }
        @if pendentes.is_empty() {
            p { "Nenhuma notificação pendente." }
        } @else {
            ul {
                @for n in pendentes.iter().take(50) {
                    li {
                        a href=(format!("/notificacoes/{}", n.id)) { "Abrir " (n.tipo.rotulo()) " nº " (n.id) " — processo " (nup(&n.processo)) }
                        " (disponibilizada em " (data(n.disponibilizada_em)) "; abrir registra a ciência)"
                    }
                }
            }
        }
        @if !grafico.is_empty() {
            h2 { "Débitos em aberto por mês de vencimento" }
            (barras("Débitos em aberto por mês de vencimento", &grafico))
        }
    };
    pagina(app, s, "/painel", "Painel da operadora", corpo).into_response()
}

pub(super) async fn abis(State(app): State<AppState>, s: Sessao) -> Response {
    let op = match exigir(&s, Escopo::Consulta) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let lista = match persus_store::abis::listar(&app.db).await {
        Ok(l) => l,
        Err(e) => return indisponivel(e),
    };
    let meus = match persus_store::processos::processos(&app.db, Some(&op), i64::MAX, 10_000).await
    {
        Ok(m) => m,
        Err(e) => return indisponivel(e),
    };
    let corpo = html! {
        table.persus {
            thead { tr { th scope="col" { "ABI" } th scope="col" { "Tipo" } th scope="col" { "Trimestre" } th scope="col" { "Lançamento" } th scope="col" { "Situação" } th scope="col" { "Seu processo" } } }
            tbody { @for a in lista.iter().rev() { tr {
                td { (a.numero) } td { (a.tipo) } td { (a.trimestre) } td { (data(a.data_lancamento)) } td { (a.estado) }
                td { @for p in meus.iter().filter(|p| p.abi_numero == a.numero) { a href=(format!("/processos/{}", p.nup)) { (nup(&p.nup)) } " (" (p.atendimentos) " atend., " (reais(p.valor_centavos)) ")" } }
            } } }
        }
    };
    pagina(&app, &s, "/abis", "ABIs", corpo).into_response()
}

pub(super) async fn decisoes(State(app): State<AppState>, s: Sessao) -> Response {
    let op = match exigir(&s, Escopo::Consulta) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let feed = match persus_store::processos::feed(&app.db, Some(&op), 0, 100_000).await {
        Ok(f) => f,
        Err(e) => return indisponivel(e),
    };
    let decisoes: Vec<_> = feed
        .iter()
        .filter(|n| n.tipo != TipoNotificacao::OficioAbi)
        .rev()
        .collect();
    let corpo = html! {
        p { "Notificações de decisão, da mais recente. Abrir registra a ciência e mostra o prazo de recurso quando couber." }
        table.persus {
            thead { tr { th scope="col" { "Notificação" } th scope="col" { "Processo" } th scope="col" { "Tipo" } th scope="col" { "Disponibilizada" } th scope="col" { "Ciência" } th scope="col" { "Prazo de recurso" } } }
            tbody { @for n in decisoes.iter().take(500) { tr {
                td { a href=(format!("/notificacoes/{}", n.id)) { (n.id) } }
                td { a href=(format!("/processos/{}", n.processo)) { (nup(&n.processo)) } }
                td { (n.tipo.rotulo()) }
                td { (data(n.disponibilizada_em)) }
                td { (n.ciencia_em.map(data).unwrap_or_else(|| "pendente".into())) }
                td { (n.vencimento.map(data).unwrap_or_else(|| "—".to_owned())) }
            } } }
        }
    };
    pagina(&app, &s, "/decisoes", "Decisões", corpo).into_response()
}
