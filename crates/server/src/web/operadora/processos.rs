//! Processes and notices of an operator (reading a notice is its ciência). Both list their
//! attendances through the one search (`servicos::consulta`), with its filters, totals and pages.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};
use persus_domain::acesso::TipoNotificacao;
use persus_domain::lifecycle::{Estado, FormaCiencia};

use super::atendimentos::{resultado, FiltroWeb, POR_PAGINA};
use super::*;
use crate::app::AppState;
use crate::servicos::ciencia::{abrir, Leitura};
use crate::servicos::consulta::{self, DaNotificacao, Filtro, Pagina, Pedido};
use crate::servicos::historico::rotulo_resultado;
use crate::servicos::{CampoInvalido, ServicoError};
use crate::web::layout::pagina;
use crate::web::rotulos::{instante, nup};
use crate::web::{data, falha, indisponivel, reais, Sessao};

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
        p { (lista.len()) " processo(s), do mais novo ao mais antigo." }
        div.tabela-rolavel { table.persus {
            caption.sr-only { "Processos da operadora" }
            thead { tr { th scope="col" { "NUP" } th scope="col" { "ABI" } th scope="col" { "Instaurado em" } th scope="col" .num { "Atendimentos" } th scope="col" .num { "Valor" } } }
            tbody {
                @for p in &lista {
                    tr {
                        td { a href=(format!("/processos/{}", p.nup)) { (nup(&p.nup)) } }
                        td { (p.abi_numero) }
                        td { (instante(p.instaurado_em)) }
                        td.num { (p.atendimentos) }
                        td.num { (reais(p.valor_centavos)) }
                    }
                }
            }
        } }
    };
    pagina(&app, &s, "/processos", "Processos", corpo).into_response()
}

/// The filters of a process's attendances (state and competência) and its page.
#[derive(Debug, Default, serde::Deserialize)]
pub struct FiltroDoProcesso {
    pub estado: Option<String>,
    pub competencia: Option<String>,
    pub pagina: Option<String>,
}

pub(super) async fn processo(
    State(app): State<AppState>,
    s: Sessao,
    Path(numero): Path<String>,
    Query(q): Query<FiltroDoProcesso>,
) -> Response {
    let op = match exigir(&s, Escopo::Consulta) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let nao_encontrado = || falha(ServicoError::NaoEncontrado(format!("O processo {numero}")));
    // The NUP with or without its punctuation.
    let Ok(chave) = persus_domain::ids::Nup::parse(&numero) else {
        return nao_encontrado();
    };
    let p = match persus_store::processos::por_nup(&app.db, chave.as_str(), Some(&op)).await {
        Ok(Some(p)) => p,
        Ok(None) => return nao_encontrado(),
        Err(e) => return indisponivel(e),
    };
    let notificacoes = match persus_store::processos::notificacoes_do_processo(&app.db, p.id).await
    {
        Ok(n) => n,
        Err(e) => return indisponivel(e),
    };
    let web = FiltroWeb {
        estado: q.estado.clone(),
        competencia: q.competencia.clone(),
        pagina: q.pagina.clone(),
        ..Default::default()
    };
    let pedido = Pedido {
        estado: q.estado.clone(),
        competencia: q.competencia.clone(),
        ..Default::default()
    };
    let (filtro, erros) = match Filtro::ler(&pedido) {
        Ok(f) => (f, Vec::new()),
        Err(ServicoError::Invalido(e)) => (Filtro::default(), e),
        Err(e) => return falha(e),
    };
    let filtro = Filtro {
        processo: Some(chave),
        ..filtro
    };
    let r = if erros.is_empty() {
        let pg = Pagina::Numero {
            numero: web.numero_da_pagina(),
            tamanho: POR_PAGINA,
        };
        match consulta::buscar(&app.db, Some(&op), &filtro, pg).await {
            Ok(r) => Some(r),
            Err(e) => return falha(e),
        }
    } else {
        None
    };
    // Petitions are offered while some attendance is in a state that admits one.
    let por_estado = match persus_store::processos::contagem_do_processo(&app.db, p.id).await {
        Ok(c) => c,
        Err(e) => return indisponivel(e),
    };
    let algum = |e: Estado| por_estado.iter().any(|(x, n)| *x == e && *n > 0);
    let pode_impugnar = algum(Estado::Notificado);
    let pode_recorrer = algum(Estado::Mantido) || algum(Estado::Retificado);
    let caminho = format!("/processos/{}", p.nup);
    let consulta_qs = serde_urlencoded::to_string([
        ("estado", q.estado.as_deref().unwrap_or_default()),
        ("competencia", q.competencia.as_deref().unwrap_or_default()),
    ])
    .unwrap_or_default();
    let corpo = html! {
        p { "ABI " (p.abi_numero) " · instaurado em " (instante(p.instaurado_em)) " · " (p.atendimentos) " atendimentos · " (reais(p.valor_centavos)) }
        @if s.pode(Escopo::Peticionar) {
            p {
                @if pode_impugnar { a.br-button.primary href=(format!("/peticoes/nova?processo={}&tipo=impugnacao", p.nup)) { "Impugnar atendimentos" } " " }
                @if pode_recorrer { a.br-button.primary href=(format!("/peticoes/nova?processo={}&tipo=recurso", p.nup)) { "Recorrer" } }
            }
        }
        h2 { "Notificações" }
        (tabela_notificacoes(&notificacoes))
        h2 { "Atendimentos" }
        (filtros_do_processo(&caminho, &q, &erros))
        @if let Some(r) = &r {
            (resultado(r, &caminho, &consulta_qs, Some(&format!("processo={}&{consulta_qs}", p.nup)), "Atendimentos do processo"))
        }
    };
    let status = if erros.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    (
        status,
        pagina(
            &app,
            &s,
            "/processos",
            &format!("Processo {}", nup(&p.nup)),
            corpo,
        ),
    )
        .into_response()
}

fn filtros_do_processo(caminho: &str, q: &FiltroDoProcesso, erros: &[CampoInvalido]) -> Markup {
    let erro_de = |c: &str| {
        erros
            .iter()
            .find(|e| e.campo == c)
            .map(|e| e.mensagem.clone())
    };
    html! {
        form method="get" action=(caminho) {
            div.row {
                div."col-sm-4" { div.br-input {
                    label for="estado" { "Situação" }
                    select id="estado" name="estado" {
                        option value="" { "todas" }
                        @for e in Estado::TODOS {
                            option value=(e.as_str()) selected[q.estado.as_deref() == Some(e.as_str())] { (e.rotulo()) }
                        }
                    }
                    @if let Some(m) = erro_de("estado") { span.campo-erro id="erro-estado" role="alert" { (m) } }
                } }
                div."col-sm-4" { div.br-input {
                    label for="competencia" { "Competência" }
                    input id="competencia" name="competencia" value=(q.competencia.clone().unwrap_or_default())
                        aria-describedby=(if erro_de("competencia").is_some() { "dica-competencia erro-competencia" } else { "dica-competencia" })
                        aria-invalid=[erro_de("competencia").map(|_| "true")];
                    small id="dica-competencia" { "MM/AAAA ou AAAA-MM" }
                    @if let Some(m) = erro_de("competencia") { span.campo-erro id="erro-competencia" role="alert" { (m) } }
                } }
                div."col-sm-4" {
                    p.mt-4 { button.br-button.primary type="submit" { "Filtrar" } " " a.br-button.secondary href=(caminho) { "Limpar" } }
                }
            }
        }
    }
}

fn ciencia(n: &persus_store::processos::Notificacao) -> String {
    match (n.ciencia_em, n.forma_ciencia()) {
        (None, _) => "pendente".to_owned(),
        (Some(em), Ok(Some(f))) => format!("{} ({})", data(em), f.rotulo()),
        (Some(em), _) => data(em),
    }
}

fn tabela_notificacoes(lista: &[persus_store::processos::Notificacao]) -> Markup {
    html! {
        div.tabela-rolavel { table.persus id="notificacoes" {
            caption.sr-only { "Notificações do processo" }
            thead { tr { th scope="col" { "Notificação" } th scope="col" { "O que é" } th scope="col" { "Disponibilizada em" } th scope="col" { "Ciência" } th scope="col" { "Prazo até" } } }
            tbody {
                @for n in lista {
                    tr {
                        td { a href=(format!("/notificacoes/{}", n.id)) { "Nº " (n.id) } }
                        td { (n.tipo.rotulo()) }
                        td { (data(n.disponibilizada_em)) }
                        td { (ciencia(n)) }
                        td { (n.vencimento.map(data).unwrap_or_else(|| "—".to_owned())) }
                    }
                }
            }
        } }
    }
}

pub(super) async fn notificacao(
    State(app): State<AppState>,
    s: Sessao,
    Path(id): Path<i64>,
    Query(q): Query<FiltroDoProcesso>,
) -> Response {
    let op = match exigir(&s, Escopo::Consulta) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let r = &*app.relogio;
    let ator = s.ator();
    let leitura = Leitura {
        notificacao_id: id,
        operadora: &op,
        quem: &s.usuario.login,
        ator: &ator,
        hoje: r.hoje(),
        agora: r.agora(),
    };
    let aberta = match abrir(
        &app.db,
        id,
        Some(&leitura),
        &app.regras.calendario,
        &app.regras.prazos,
    )
    .await
    {
        Ok(a) => a,
        Err(e) => return falha(e),
    };
    let n = &aberta.notificacao;
    let filtro = Filtro {
        notificacao: Some(DaNotificacao { id, tipo: n.tipo }),
        ..Default::default()
    };
    let web = FiltroWeb {
        pagina: q.pagina.clone(),
        ..Default::default()
    };
    let pg = Pagina::Numero {
        numero: web.numero_da_pagina(),
        tamanho: POR_PAGINA,
    };
    let lista = match consulta::buscar(&app.db, Some(&op), &filtro, pg).await {
        Ok(l) => l,
        Err(e) => return falha(e),
    };
    let conteudo = &aberta.conteudo;
    let nup_formatado = nup(&aberta.nup);
    let corpo = html! {
        @if let Some(c) = &aberta.ciencia {
            div.br-message.success role="status" {
                div.content { span.message-body {
                    @if c.registrada_agora { "Ciência registrada agora (" (data(c.ciencia_em)) ")." }
                    @else {
                        "Ciência já registrada em " (data(c.ciencia_em)) " ("
                        (FormaCiencia::parse(c.forma).map_or(c.forma, FormaCiencia::rotulo)) ")."
                    }
                    @if let Some(v) = c.vencimento { " Prazo até " strong { (data(v)) } "." }
                } }
            }
        }
        p { strong { (n.tipo.rotulo()) } }
        p { "Processo " a href=(format!("/processos/{}", aberta.nup)) { (nup_formatado) } " · disponibilizada em " (data(n.disponibilizada_em)) }
        @if n.tipo == TipoNotificacao::OficioAbi {
            @if let Some(v) = conteudo.get("valor_total_centavos").and_then(|v| v.as_i64()) {
                p { "Valor total do Ofício: " strong { (reais(v)) } }
            }
            @if let Some(t) = conteudo.get("trimestre").and_then(|t| t.as_str()) {
                p { "Competências do trimestre " (t) }
            }
        }
        @if let Some(r) = conteudo.get("resultado").and_then(|r| r.as_str()) {
            p { "Resultado: " strong { (rotulo_resultado(r)) } }
        }
        @if let Some(f) = conteudo.get("fundamentacao").and_then(|r| r.as_str()) {
            p { "Fundamentação: " (f) }
        }
        h2 { "Atendimentos desta notificação" }
        (resultado(&lista, &format!("/notificacoes/{id}"), "", None, "Atendimentos da notificação"))
        p { a.br-button.secondary href=(format!("/processos/{}", aberta.nup)) { "Ver o processo" } }
    };
    pagina(&app, &s, "/painel", &format!("Notificação {id}"), corpo).into_response()
}
