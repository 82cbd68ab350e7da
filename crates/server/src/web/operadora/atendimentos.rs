//! Attendances of an operator: search, CSV and one attendance's history.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::html;
use persus_domain::money::Centavos;
use serde::Deserialize;

use super::*;
use crate::app::AppState;
use crate::web::layout::pagina;
use crate::web::{data, erro, indisponivel, nao_encontrado, reais, Sessao};

#[derive(Debug, Default, Deserialize)]
pub struct FiltroWeb {
    pub abi: Option<String>,
    pub processo: Option<String>,
    pub estado: Option<String>,
    pub competencia: Option<String>,
    pub formato: Option<String>,
}

pub(super) async fn atendimentos(
    State(app): State<AppState>,
    s: Sessao,
    Query(f): Query<FiltroWeb>,
) -> Response {
    let op = match exigir(&s, Escopo::Consulta) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let limpo = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|x| !x.is_empty())
            .map(str::to_owned)
    };
    let mut erros = Vec::new();
    let abi = match limpo(&f.abi) {
        Some(a) => match a.parse::<i32>() {
            Ok(n) => Some(n),
            Err(_) => {
                erros.push((
                    "abi",
                    format!("ABI \"{a}\" inválido: informe o número (ex.: 101)"),
                ));
                None
            }
        },
        None => None,
    };
    let competencia = limpo(&f.competencia);
    if let Some(c) = &competencia {
        if persus_domain::ids::Competencia::parse(c).is_err() {
            erros.push((
                "competencia",
                format!("competência \"{c}\" inválida: use AAAAMM (ex.: 202501)"),
            ));
        }
    }
    let filtro = persus_store::historico::Filtro {
        operadora: Some(op.clone()),
        abi,
        processo: limpo(&f.processo),
        estado: limpo(&f.estado),
        competencia,
        limite: if f.formato.as_deref() == Some("csv") {
            200_000
        } else {
            500
        },
        ..Default::default()
    };
    let lista = if erros.is_empty() {
        match persus_store::historico::buscar(&app.db, &filtro).await {
            Ok(l) => l,
            Err(e) => return indisponivel(e),
        }
    } else {
        Vec::new()
    };
    if f.formato.as_deref() == Some("csv") && erros.is_empty() {
        let mut w = csv::WriterBuilder::new()
            .delimiter(b';')
            .from_writer(Vec::new());
        let _ = w.write_record([
            "numero",
            "tipo",
            "competencia",
            "abi",
            "processo",
            "situacao",
            "valor_reais",
            "prazo_oficio",
        ]);
        for a in &lista {
            let _ = w.write_record([
                a.numero.as_str(),
                &a.tipo,
                &a.competencia,
                &a.abi.map(|x| x.to_string()).unwrap_or_default(),
                &a.processo.clone().unwrap_or_default(),
                &a.estado,
                &Centavos::new(
                    a.valor_devido_centavos
                        .unwrap_or(a.valor_ressarcimento_centavos),
                )
                .to_decimal_string()
                .replace('.', ","),
                &a.prazo_impugnacao.map(data).unwrap_or_default(),
            ]);
        }
        return crate::anexo::resposta(
            "text/csv; charset=utf-8",
            &format!("atendimentos-{op}.csv"),
            w.into_inner().unwrap_or_default(),
        );
    }
    let erro_de = |campo: &str| {
        erros
            .iter()
            .find(|(c, _)| *c == campo)
            .map(|(_, m)| m.clone())
    };
    let estados = [
        "",
        "aguardando_ciencia",
        "notificado",
        "impugnado",
        "anulado",
        "retificado",
        "mantido",
        "em_recurso",
        "em_dicol",
        "devido",
    ];
    let consulta = format!(
        "abi={}&processo={}&estado={}&competencia={}",
        crate::web::urlencode(f.abi.as_deref().unwrap_or("")),
        crate::web::urlencode(f.processo.as_deref().unwrap_or("")),
        crate::web::urlencode(f.estado.as_deref().unwrap_or("")),
        crate::web::urlencode(f.competencia.as_deref().unwrap_or("")),
    );
    let corpo = html! {
        form method="get" action="/atendimentos" {
            div.row {
                div."col-sm-3" { div.br-input {
                    label for="abi" { "ABI" }
                    input id="abi" name="abi" value=(f.abi.clone().unwrap_or_default()) inputmode="numeric" aria-describedby=[erro_de("abi").map(|_| "erro-abi")];
                    @if let Some(m) = erro_de("abi") { span.campo-erro id="erro-abi" role="alert" { (m) } }
                } }
                div."col-sm-3" { div.br-input {
                    label for="processo" { "Processo (NUP)" }
                    input id="processo" name="processo" value=(f.processo.clone().unwrap_or_default());
                } }
                div."col-sm-3" { div.br-input {
                    label for="estado" { "Situação" }
                    select id="estado" name="estado" {
                        @for e in estados {
                            option value=(e) selected[f.estado.as_deref() == Some(e)] { (if e.is_empty() { "todas" } else { estado_pt(e) }) }
                        }
                    }
                } }
                div."col-sm-3" { div.br-input {
                    label for="competencia" { "Competência (AAAAMM)" }
                    input id="competencia" name="competencia" value=(f.competencia.clone().unwrap_or_default()) aria-describedby=[erro_de("competencia").map(|_| "erro-competencia")];
                    @if let Some(m) = erro_de("competencia") { span.campo-erro id="erro-competencia" role="alert" { (m) } }
                } }
            }
            p.mt-3 {
                button.br-button.primary type="submit" { "Buscar" }
                " "
                a.br-button.secondary href=(format!("/atendimentos?{consulta}&formato=csv")) { "Exportar CSV" }
            }
        }
        p { (lista.len()) " atendimento(s)" @if lista.len() == 500 { " — mostrando os 500 primeiros; refine os filtros ou exporte o CSV" } }
        (tabela_atendimentos(&lista))
    };
    pagina(&app, &s, "/atendimentos", "Atendimentos", corpo).into_response()
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
        Ok(None) => return nao_encontrado(&format!("O atendimento {numero}")),
        Err(e) => return indisponivel(e),
    };
    if !app.api.registrar_acesso_web(
        s.usuario.organizacao_id,
        &s.usuario.login,
        "atendimento",
        &numero,
    ) {
        return erro(
            StatusCode::SERVICE_UNAVAILABLE,
            "Sobrecarga",
            "Tente de novo em alguns segundos.",
        );
    }
    let a = &h.atendimento;
    let corpo = html! {
        p { strong { (estado_pt(&a.estado)) } " · " (h.situacao) }
        div.cartoes {
            div.cartao { div { "Valor SUS" } div.valor { (reais(a.valor_sus_centavos)) } }
            div.cartao { div { "Valor de ressarcimento" } div.valor { (reais(a.valor_ressarcimento_centavos)) } small { (a.regra_valoracao) } }
            @if let Some(v) = a.valor_devido_centavos { div.cartao { div { "Valor devido" } div.valor { (reais(v)) } } }
        }
        dl {
            dt { "Processo" } dd { @if let Some(n) = &a.nup { a href=(format!("/processos/{n}")) { (n) } } @else { "—" } }
            dt { "Competência" } dd { (a.competencia) }
            dt { "Internação/atendimento" } dd { (data(a.data_inicio)) " a " (data(a.data_fim)) " (" (a.carater) ")" }
            dt { "Estabelecimento (CNES)" } dd { (a.cnes) }
            dt { "Beneficiário" } dd { (a.beneficiario_nome) " — CNS " (a.beneficiario_cns) ", nascido(a) em " (data(a.beneficiario_nascimento)) }
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
                tbody { @for d in &h.decisoes { tr { td { (d.instancia) } td { (d.resultado) } td { (data(d.decidido_em.date_naive())) } td { (d.fundamentacao) } } } }
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
