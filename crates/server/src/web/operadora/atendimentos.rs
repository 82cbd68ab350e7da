//! Attendances of an operator: the search (page, CSV) over `servicos::consulta`, the table and
//! pager the process and notice pages share, and one attendance's history.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};
use persus_domain::lifecycle::Estado;
use serde::{Deserialize, Serialize};

use super::*;
use crate::app::AppState;
use crate::servicos::consulta::{self, Filtro, Pagina, Pedido, Resultado, Resumo};
use crate::servicos::historico::{rotulo_instancia, rotulo_resultado};
use crate::servicos::{CampoInvalido, ServicoError};
use crate::web::layout::pagina;
use crate::web::rotulos::{competencia, instante, nup};
use crate::web::{data, erro, falha, reais, Sessao};

/// Lines per page of a search.
pub(super) const POR_PAGINA: i64 = 50;

/// The search form's fields, as typed (also the query string of its pages).
#[derive(Debug, Default, Deserialize, Serialize)]
pub struct FiltroWeb {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub numero: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub beneficiario: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub procedimento: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub competencia: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub estado: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub processo: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub abi: Option<String>,
    #[serde(skip_serializing)]
    pub pagina: Option<String>,
    #[serde(skip_serializing)]
    pub formato: Option<String>,
}

impl FiltroWeb {
    fn pedido(&self) -> Pedido {
        Pedido {
            numero: self.numero.clone(),
            beneficiario: self.beneficiario.clone(),
            procedimento: self.procedimento.clone(),
            competencia: self.competencia.clone(),
            estado: self.estado.clone(),
            processo: self.processo.clone(),
            abi: self.abi.clone(),
            prazo_de: None,
            prazo_ate: None,
        }
    }

    /// The page asked for (1 when absent or not a number).
    pub(super) fn numero_da_pagina(&self) -> i64 {
        self.pagina
            .as_deref()
            .and_then(|p| p.trim().parse().ok())
            .unwrap_or(1)
    }

    /// The filled fields as a query string (for the pager and the CSV link).
    pub(super) fn consulta(&self) -> String {
        serde_urlencoded::to_string(self).unwrap_or_default()
    }
}

/// The search page; `?formato=csv` downloads every match.
pub(super) async fn atendimentos(
    State(app): State<AppState>,
    s: Sessao,
    Query(f): Query<FiltroWeb>,
) -> Response {
    let op = match exigir(&s, Escopo::Consulta) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let filtro = match Filtro::ler(&f.pedido()) {
        Ok(filtro) => filtro,
        Err(ServicoError::Invalido(erros)) => {
            let corpo = formulario(&f, &erros);
            return (
                StatusCode::UNPROCESSABLE_ENTITY,
                pagina(&app, &s, "/atendimentos", "Atendimentos", corpo),
            )
                .into_response();
        }
        Err(e) => return falha(e),
    };
    if let Some(chave) = filtro.dado_pessoal() {
        let registrado = app.api.registrar_acesso_web(
            s.usuario.organizacao_id,
            &s.usuario.login,
            "busca_beneficiario",
            &chave,
        );
        if !registrado {
            return sobrecarga();
        }
    }
    if f.formato.as_deref() == Some("csv") {
        return match consulta::csv(&app.db, Some(&op), &filtro).await {
            Ok(corpo) => crate::anexo::resposta(
                "text/csv; charset=utf-8",
                &format!("atendimentos-{op}.csv"),
                corpo,
            ),
            Err(e) => falha(e),
        };
    }
    let pagina_pedida = Pagina::Numero {
        numero: f.numero_da_pagina(),
        tamanho: POR_PAGINA,
    };
    let r = match consulta::buscar(&app.db, Some(&op), &filtro, pagina_pedida).await {
        Ok(r) => r,
        Err(e) => return falha(e),
    };
    let consulta = f.consulta();
    let corpo = html! {
        (formulario(&f, &[]))
        (resultado(&r, "/atendimentos", &consulta, Some(&consulta), "Atendimentos encontrados"))
    };
    pagina(&app, &s, "/atendimentos", "Atendimentos", corpo).into_response()
}

fn sobrecarga() -> Response {
    erro(
        StatusCode::SERVICE_UNAVAILABLE,
        "Sobrecarga",
        "Tente de novo em alguns segundos.",
    )
}

/// One field of the search form, its hint and its error (linked for screen readers).
fn campo(
    nome: &str,
    rotulo: &str,
    dica: &str,
    valor: Option<&str>,
    erros: &[CampoInvalido],
) -> Markup {
    let erro = erros
        .iter()
        .find(|e| e.campo == nome)
        .map(|e| e.mensagem.as_str());
    let id_dica = format!("dica-{nome}");
    let id_erro = format!("erro-{nome}");
    let descrito = match erro {
        Some(_) => format!("{id_dica} {id_erro}"),
        None => id_dica.clone(),
    };
    html! {
        div.br-input {
            label for=(nome) { (rotulo) }
            input id=(nome) name=(nome) value=(valor.unwrap_or_default()) aria-describedby=(descrito) aria-invalid=[erro.map(|_| "true")];
            small id=(id_dica) { (dica) }
            @if let Some(m) = erro { span.campo-erro id=(id_erro) role="alert" { (m) } }
        }
    }
}

fn formulario(f: &FiltroWeb, erros: &[CampoInvalido]) -> Markup {
    let erro_estado = erros.iter().find(|e| e.campo == "estado");
    html! {
        @if !erros.is_empty() {
            div.br-message.danger role="alert" {
                div.content { span.message-title { "Corrija a busca: " } span.message-body {
                    @for (i, e) in erros.iter().enumerate() {
                        @if i > 0 { "; " }
                        a href=(format!("#{}", e.campo)) { (e.mensagem) }
                    }
                } }
            }
        }
        form method="get" action="/atendimentos" {
            div.row {
                div."col-sm-4" { (campo("numero", "Número da AIH/APAC", "Os 13 dígitos ou os primeiros", f.numero.as_deref(), erros)) }
                div."col-sm-4" { (campo("beneficiario", "Beneficiário", "CNS, CPF ou parte do nome", f.beneficiario.as_deref(), erros)) }
                div."col-sm-4" { (campo("procedimento", "Procedimento (SIGTAP)", "Código de 10 dígitos", f.procedimento.as_deref(), erros)) }
            }
            div.row {
                div."col-sm-3" { (campo("competencia", "Competência", "MM/AAAA ou AAAA-MM", f.competencia.as_deref(), erros)) }
                div."col-sm-3" { div.br-input {
                    label for="estado" { "Situação" }
                    select id="estado" name="estado" aria-describedby=[erro_estado.map(|_| "erro-estado")] {
                        option value="" { "todas" }
                        @for e in Estado::TODOS {
                            option value=(e.as_str()) selected[f.estado.as_deref() == Some(e.as_str())] { (e.rotulo()) }
                        }
                    }
                    @if let Some(e) = erro_estado { span.campo-erro id="erro-estado" role="alert" { (e.mensagem) } }
                } }
                div."col-sm-3" { (campo("processo", "Processo (NUP)", "Ex.: 33910.000365/2025-97", f.processo.as_deref(), erros)) }
                div."col-sm-3" { (campo("abi", "ABI", "Número do ABI (ex.: 101)", f.abi.as_deref(), erros)) }
            }
            p.mt-3 {
                button.br-button.primary type="submit" { "Buscar" }
                " "
                a.br-button.secondary href="/atendimentos" { "Limpar" }
            }
        }
    }
}

/// The count of matches, the page's table, the pager and (when `csv` gives the search's query
/// string) the CSV of the same filter. `consulta` is this page's filter as a query string
/// (without the page number).
pub(super) fn resultado(
    r: &Resultado,
    caminho: &str,
    consulta: &str,
    csv: Option<&str>,
    legenda: &str,
) -> Markup {
    let sep = if consulta.is_empty() { "" } else { "&" };
    let link = |n: i64| format!("{caminho}?{consulta}{sep}pagina={n}");
    html! {
        section id="resultado" aria-label=(legenda) {
        p id="total" role="status" {
            @match r.total {
                0 => { "Nenhum atendimento encontrado." }
                1 => { "1 atendimento encontrado." }
                n => { (n) " atendimentos encontrados · página " (r.pagina) " de " (r.paginas) "." }
            }
            @if let (true, Some(q)) = (r.total > 0, csv) {
                " "
                a href=(format!("/atendimentos?{q}{}formato=csv", if q.is_empty() { "" } else { "&" })) { "Exportar os " (r.total) " em CSV" }
            }
        }
        @if !r.itens.is_empty() {
            (tabela(&r.itens, legenda))
        }
        @if r.paginas > 1 {
            nav.paginacao aria-label="Páginas do resultado" {
                @if r.pagina > 1 {
                    a.br-button.secondary href=(link(r.pagina - 1)) rel="prev" { "Página anterior" }
                    " "
                }
                span { "Página " (r.pagina) " de " (r.paginas) }
                @if r.pagina < r.paginas {
                    " "
                    a.br-button.secondary href=(link(r.pagina + 1)) rel="next" { "Próxima página" }
                }
            }
        }
        }
    }
}

/// Attendances as a table: number, beneficiary (masked), procedure, competência, state,
/// value and the Ofício's deadline.
pub(super) fn tabela(lista: &[Resumo], legenda: &str) -> Markup {
    html! {
        div.tabela-rolavel {
            table.persus {
                caption.sr-only { (legenda) }
                thead { tr {
                    th scope="col" { "Número" } th scope="col" { "Beneficiário" } th scope="col" { "Procedimento" }
                    th scope="col" { "Competência" } th scope="col" { "Situação" } th scope="col" .num { "Valor" }
                    th scope="col" { "Prazo do Ofício" }
                } }
                tbody {
                    @for a in lista {
                        tr {
                            td { a href=(format!("/atendimentos/{}", a.numero)) { (a.numero) } " " small { (a.tipo) } }
                            td { (a.beneficiario.nome) br; small { "CNS " (a.beneficiario.cns) } }
                            td { (a.procedimento) }
                            td { (competencia(&a.competencia)) }
                            td { (a.estado.rotulo()) }
                            td.num { (reais(a.valor_devido_centavos.unwrap_or(a.valor_ressarcimento_centavos))) }
                            td { (a.prazo_impugnacao.map(data).unwrap_or_else(|| "—".to_owned())) }
                        }
                    }
                }
            }
        }
    }
}

pub(super) async fn atendimento(
    State(app): State<AppState>,
    s: Sessao,
    Path(numero): Path<String>,
) -> Response {
    let op = match exigir(&s, Escopo::Consulta) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let h = match crate::servicos::historico::consultar(&app.db, &numero, Some(&op)).await {
        Ok(Some(h)) => h,
        Ok(None) => {
            return falha(ServicoError::NaoEncontrado(format!(
                "O atendimento {numero}"
            )))
        }
        Err(e) => return falha(e),
    };
    if !app.api.registrar_acesso_web(
        s.usuario.organizacao_id,
        &s.usuario.login,
        "atendimento",
        &numero,
    ) {
        return sobrecarga();
    }
    let a = &h.atendimento;
    let cpf = a.beneficiario_cpf.as_deref().map(|c| {
        persus_domain::ids::Cpf::parse(c).map_or_else(|_| c.to_owned(), |c| c.to_string())
    });
    let cns = persus_domain::ids::Cns::parse(&a.beneficiario_cns)
        .map_or_else(|_| a.beneficiario_cns.clone(), |c| c.to_string());
    let corpo = html! {
        p { strong { "Situação: " } (h.situacao) }
        div.cartoes {
            div.cartao { div { "Valor SUS" } div.valor { (reais(a.valor_sus_centavos)) } }
            div.cartao { div { "Valor de ressarcimento" } div.valor { (reais(a.valor_ressarcimento_centavos)) } small { (a.regra_valoracao) } }
            @if let Some(v) = a.valor_devido_centavos { div.cartao { div { "Valor devido" } div.valor { (reais(v)) } } }
        }
        dl {
            dt { "Processo" } dd { @if let Some(n) = &a.nup { a href=(format!("/processos/{n}")) { (nup(n)) } } @else { "—" } }
            dt { "Competência" } dd { (competencia(&a.competencia)) }
            dt { "Procedimento principal (SIGTAP)" } dd { (a.procedimento_principal) }
            dt { "Internação/atendimento" } dd { (data(a.data_inicio)) " a " (data(a.data_fim)) " (" (a.carater) ")" }
            dt { "Estabelecimento (CNES)" } dd { (a.cnes) }
            dt { "Beneficiário" } dd {
                (a.beneficiario_nome) " — CNS " (cns)
                @if let Some(c) = &cpf { ", CPF " (c) }
                ", nascido(a) em " (data(a.beneficiario_nascimento))
            }
        }
        h2 { "Linha do tempo" }
        ol.linha-tempo {
            @for e in &h.linha_do_tempo {
                li { strong { (data(e.data)) } " — " (e.descricao) }
            }
        }
        @if !h.documentos.is_empty() {
            h2 { "Documentos" }
            ul { @for d in &h.documentos { li { (d.nome_arquivo) " (" (d.tamanho / 1024) " KB, SHA-256 " code { (d.sha256.get(..16).unwrap_or("")) "…" } ")" } } }
        }
        @if !h.decisoes.is_empty() {
            h2 { "Decisões" }
            table.persus {
                thead { tr { th scope="col" { "Instância" } th scope="col" { "Resultado" } th scope="col" { "Em" } th scope="col" { "Fundamentação" } } }
                tbody { @for d in &h.decisoes { tr {
                    td { (rotulo_instancia(&d.instancia)) }
                    td { (rotulo_resultado(&d.resultado)) }
                    td { (instante(d.decidido_em)) }
                    td { (d.fundamentacao) }
                } } }
            }
        }
    };
    pagina(
        &app,
        &s,
        "/atendimentos",
        &format!("Atendimento {numero}"),
        corpo,
    )
    .into_response()
}
