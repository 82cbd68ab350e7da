//! Single petitions: the form, drafts, protocol and receipt.

use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::Utc;
use maud::html;
use serde::Deserialize;

use super::*;
use crate::app::AppState;
use crate::servicos::documentos::{enviar, ArmazenamentoLocal};
use crate::servicos::peticoes::{catalogo, Pedido, TipoPeticao};
use crate::web::layout::pagina;
use crate::web::{erro, indisponivel, nao_encontrado, reais, Sessao};

#[derive(Deserialize)]
pub struct NovaPeticaoQ {
    pub processo: String,
    pub tipo: Option<String>,
}

pub(super) async fn nova_peticao(
    State(app): State<AppState>,
    s: Sessao,
    Query(q): Query<NovaPeticaoQ>,
) -> Response {
    let op = match exigir(&s, Escopo::Peticionar) {
        Ok(o) => o,
        Err(r) => return r,
    };
    form_peticao(
        &app,
        &s,
        &op,
        &q.processo,
        q.tipo.as_deref().unwrap_or("impugnacao"),
        &FormPeticao::default(),
        &[],
    )
    .await
}

#[derive(Debug, Default)]
pub(super) struct FormPeticao {
    atendimentos: Vec<String>,
    motivo: String,
    fundamentacao: String,
    auditor: String,
    /// Editing a saved draft: its id and the documents it already has (kept).
    rascunho: Option<i64>,
    documentos: Vec<i64>,
}

pub(super) async fn form_peticao(
    app: &AppState,
    s: &Sessao,
    op: &str,
    nup: &str,
    tipo: &str,
    valores: &FormPeticao,
    erros: &[(String, String)],
) -> Response {
    let p = match persus_store::processos::por_nup(&app.db, nup, Some(op)).await {
        Ok(Some(p)) => p,
        Ok(None) => return nao_encontrado(&format!("O processo {nup}")),
        Err(e) => return indisponivel(e),
    };
    let estados: &[&str] = if tipo == "recurso" {
        &["mantido", "retificado"]
    } else {
        &["notificado"]
    };
    let elegiveis: Vec<_> = persus_store::historico::buscar(
        &app.db,
        &persus_store::historico::Filtro {
            operadora: Some(op.to_owned()),
            processo: Some(p.nup.clone()),
            limite: 1000,
            ..Default::default()
        },
    )
    .await
    .unwrap_or_default()
    .into_iter()
    .filter(|a| estados.contains(&a.estado.as_str()))
    .collect();
    let anexados: Vec<String> = if valores.documentos.is_empty() {
        Vec::new()
    } else {
        persus_store::peticoes::documentos_da_operadora(&app.db, op)
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|d| valores.documentos.contains(&d.id))
            .map(|d| format!("nº {} {}", d.id, d.nome_arquivo))
            .collect()
    };
    let mut motivos: Vec<_> = catalogo().into_values().collect();
    motivos.sort_by(|a, b| a.codigo.cmp(&b.codigo));
    let erro_de = |campo: &str| {
        erros
            .iter()
            .find(|(c, _)| c == campo)
            .map(|(_, m)| m.clone())
    };
    let titulo = if tipo == "recurso" {
        "Recurso"
    } else {
        "Impugnação"
    };
    let corpo = html! {
        p { "Processo " a href=(format!("/processos/{nup}")) { (nup) } }
        @if !erros.is_empty() {
            div.br-message.danger role="alert" id="erros" {
                div.content { span.message-title { "A petição não foi protocolada. " } span.message-body { "Corrija os campos indicados abaixo." } }
            }
        }
        form method="post" action="/peticoes" enctype="multipart/form-data" {
            input type="hidden" name="csrf" value=(s.csrf);
            input type="hidden" name="processo" value=(nup);
                        input type="hidden" name="tipo" value=(tipo);
            @if let Some(r) = valores.rascunho { input type="hidden" name="rascunho" value=(r); }
            fieldset {
                legend { "Atendimentos" }
                @if elegiveis.is_empty() { p { "Nenhum atendimento deste processo está no prazo para esta petição." } }
                @for a in &elegiveis {
                    div.br-checkbox {
                        input type="checkbox" id=(format!("at-{}", a.numero)) name="atendimentos" value=(a.numero) checked[valores.atendimentos.contains(&a.numero)];
                        label for=(format!("at-{}", a.numero)) { (a.numero) " — " (reais(a.valor_devido_centavos.unwrap_or(a.valor_ressarcimento_centavos))) }
                    }
                }
                @if let Some(m) = erro_de("atendimentos") { span.campo-erro role="alert" { (m) } }
            }
            div.br-select.mt-3 {
                label for="motivo" { "Motivo" }
                select id="motivo" name="motivo" required aria-describedby="motivos-ajuda" {
                    option value="" { "Escolha o motivo" }
                    @for m in &motivos {
                        option value=(m.codigo) selected[valores.motivo == m.codigo] { (m.codigo) " — " (m.nome) }
                    }
                }
                @if let Some(m) = erro_de("motivo") { span.campo-erro role="alert" { (m) } }
            }
            details id="motivos-ajuda" {
                summary { "Documentos exigidos por motivo" }
                ul { @for m in &motivos { li { strong { (m.codigo) } " " (m.nome) ": " (m.documentos.join("; ")) @if m.exige_auditor() { " — técnico: assinatura do auditor" } } } }
            }
            div.br-textarea.mt-3 {
                label for="fundamentacao" { "Fundamentação" }
                textarea id="fundamentacao" name="fundamentacao" rows="5" required minlength="20" { (valores.fundamentacao) }
                @if let Some(m) = erro_de("fundamentacao") { span.campo-erro role="alert" { (m) } }
            }
            div.br-input.mt-3 {
                label for="auditor" { "Auditor (motivos técnicos: nome e registro do profissional)" }
                input id="auditor" name="auditor" value=(valores.auditor);
            }
            div.persus-upload.mt-3 {
                label for="documentos" { "Documentos de prova (PDF, até 10 MB cada, até 5 arquivos)" }
                                @if !valores.documentos.is_empty() {
                    p { "Já anexados a este rascunho (mantidos): " (anexados.join(", ")) ". Anexe outros se precisar." }
                }
                input id="documentos" name="documentos" type="file" accept="application/pdf,.pdf" multiple required[valores.documentos.is_empty()] aria-describedby="documentos-ajuda";
                p id="documentos-ajuda" { small { "Somente PDF completo e sem senha. O limite é verificado antes de gravar." } }
                @if let Some(m) = erro_de("documentos") { span.campo-erro role="alert" { (m) } }
            }
            p.mt-3 { button.br-button.primary type="submit" { "Salvar e revisar" } }
        }
    };
    pagina(
        app,
        s,
        "/processos",
        &format!("{titulo} — processo {nup}"),
        corpo,
    )
    .into_response()
}

pub(super) async fn protocolar(
    State(app): State<AppState>,
    s: Sessao,
    mut m: Multipart,
) -> Response {
    let op = match exigir(&s, Escopo::Peticionar) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let mut csrf = String::new();
    let mut nup = String::new();
    let mut tipo = "impugnacao".to_owned();
    let mut v = FormPeticao::default();
    let mut arquivos: Vec<(String, Bytes)> = Vec::new();
    let mut erros: Vec<(String, String)> = Vec::new();
    while let Ok(Some(campo)) = m.next_field().await {
        let nome = campo.name().unwrap_or("").to_owned();
        let arquivo = campo.file_name().map(str::to_owned);
        let Ok(bytes) = campo.bytes().await else {
            erros.push((
                "documentos".into(),
                "envio interrompido ou acima do limite; envie de novo".into(),
            ));
            break;
        };
        let texto = || String::from_utf8_lossy(&bytes).into_owned();
        match nome.as_str() {
            "csrf" => csrf = texto(),
            "processo" => nup = texto(),
            "tipo" => tipo = texto(),
            "atendimentos" => v.atendimentos.push(texto()),
            "motivo" => v.motivo = texto(),
            "fundamentacao" => v.fundamentacao = texto(),
            "auditor" => v.auditor = texto(),
            "rascunho" => v.rascunho = texto().parse().ok(),
            "documentos" => {
                if let Some(a) = arquivo.filter(|a| !a.is_empty()) {
                    arquivos.push((a, bytes));
                }
            }
            _ => {}
        }
    }
    if let Err(r) = s.conferir(&csrf) {
        return r;
    }
    // Editing a draft: it must be this operator's, still a draft; its documents are kept.
    if let Some(id) = v.rascunho {
        match crate::servicos::rascunhos::carregar(&app.db, &op, id).await {
            Ok(r) => v.documentos = r.pedido.documentos,
            Err(crate::servicos::ServicoError::Regra(_)) => {
                return nao_encontrado(&format!("O rascunho {id}"))
            }
            Err(e) => return indisponivel(e),
        }
    }
    if v.atendimentos.is_empty() {
        erros.push((
            "atendimentos".into(),
            "marque ao menos um atendimento".into(),
        ));
    }
    if v.motivo.is_empty() {
        erros.push(("motivo".into(), "escolha o motivo".into()));
    }
    if v.fundamentacao.trim().chars().count() < 20 {
        erros.push((
            "fundamentacao".into(),
            "escreva a fundamentação (ao menos 20 caracteres)".into(),
        ));
    }
    if arquivos.is_empty() && v.documentos.is_empty() {
        erros.push(("documentos".into(), "anexe ao menos um PDF".into()));
    }
    if arquivos.len() > 5 {
        erros.push((
            "documentos".into(),
            format!("{} arquivos: envie até 5", arquivos.len()),
        ));
    }
    for (a, b) in &arquivos {
        if let Err(msg) = crate::servicos::documentos::validar_pdf_em_segundo_plano(a, b).await {
            erros.push(("documentos".into(), format!("{a}: {msg}")));
        }
    }
    if !erros.is_empty() {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            form_peticao(&app, &s, &op, &nup, &tipo, &v, &erros).await,
        )
            .into_response();
    }
    let arm = ArmazenamentoLocal {
        raiz: app.raiz_documentos.clone(),
    };
    let mut ids = v.documentos.clone();
    for (a, b) in &arquivos {
        match enviar(&app.db, &arm, &op, a, b, &s.usuario.login, Utc::now()).await {
            Ok(d) => ids.push(d.id),
            Err(e) => return indisponivel(e),
        }
    }
    let pedido = Pedido {
        tipo: if tipo == "recurso" {
            TipoPeticao::Recurso
        } else {
            TipoPeticao::Impugnacao
        },
        processo: nup.clone(),
        atendimentos: v.atendimentos.clone(),
        motivo: v.motivo.clone(),
        fundamentacao: v.fundamentacao.clone(),
        auditor: Some(v.auditor.clone()).filter(|a| !a.trim().is_empty()),
        documentos: ids,
    };
    // Saved as a draft first: the person reviews it, then protocols (or comes back later).
    match crate::servicos::rascunhos::salvar(
        &app.db,
        &op,
        v.rascunho,
        &pedido,
        Utc::now(),
        &s.ator(),
    )
    .await
    {
        Ok(r) => Redirect::to(&format!("/rascunhos/{}", r.id)).into_response(),
        Err(crate::servicos::ServicoError::Regra(m)) => {
            let erros = vec![("motivo".to_owned(), m)];
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                form_peticao(&app, &s, &op, &nup, &tipo, &v, &erros).await,
            )
                .into_response()
        }
        Err(e) => indisponivel(e),
    }
}

pub(super) async fn rascunho(
    State(app): State<AppState>,
    s: Sessao,
    Path(id): Path<i64>,
) -> Response {
    let op = match exigir(&s, Escopo::Peticionar) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let r = match crate::servicos::rascunhos::carregar(&app.db, &op, id).await {
        Ok(r) => r,
        Err(crate::servicos::ServicoError::Regra(_)) => {
            return nao_encontrado(&format!("O rascunho {id}"))
        }
        Err(e) => return indisponivel(e),
    };
    let docs = persus_store::peticoes::documentos_da_operadora(&app.db, &op)
        .await
        .unwrap_or_default();
    let motivo = catalogo()
        .get(&r.pedido.motivo)
        .map(|m| m.nome.clone())
        .unwrap_or_default();
    let p = &r.pedido;
    let corpo = html! {
        div.br-message.info role="status" {
            div.content { span.message-body { "Rascunho salvo. Confira e protocole: o prazo é verificado no momento do protocolo. Você pode sair e voltar a este rascunho pelo painel." } }
        }
        dl id="revisao" {
            dt { "Tipo" } dd { (p.tipo.as_str()) }
            dt { "Processo" } dd { a href=(format!("/processos/{}", p.processo)) { (p.processo) } }
            dt { "Atendimentos" } dd { (p.atendimentos.join(", ")) }
            dt { "Motivo" } dd { (p.motivo) " — " (motivo) }
            dt { "Fundamentação" } dd { (p.fundamentacao) }
            @if let Some(a) = &p.auditor { dt { "Auditor" } dd { (a) } }
            dt { "Documentos" } dd { ul { @for d in docs.iter().filter(|d| p.documentos.contains(&d.id)) { li { "nº " (d.id) " — " (d.nome_arquivo) " (" (d.tamanho / 1024) " KB)" } } } }
        }
        form.inline method="post" action=(format!("/rascunhos/{id}/protocolar")) {
            input type="hidden" name="csrf" value=(s.csrf);
            button.br-button.primary type="submit" { "Protocolar" }
        }
        " "
                a.br-button.secondary href=(format!("/rascunhos/{id}/editar")) { "Editar" }
        " "
        form.inline method="post" action=(format!("/rascunhos/{id}/descartar")) {
            input type="hidden" name="csrf" value=(s.csrf);
            button.br-button.secondary type="submit" { "Descartar rascunho" }
        }
    };
    pagina(
        &app,
        &s,
        "/processos",
        &format!(
            "Revisão — {}",
            if p.tipo == TipoPeticao::Recurso {
                "recurso"
            } else {
                "impugnação"
            }
        ),
        corpo,
    )
    .into_response()
}

pub(super) async fn protocolar_rascunho(
    State(app): State<AppState>,
    s: Sessao,
    Path(id): Path<i64>,
    Form(f): Form<crate::web::SoCsrf>,
) -> Response {
    let op = match exigir(&s, Escopo::Peticionar) {
        Ok(o) => o,
        Err(r) => return r,
    };
    if let Err(r) = s.conferir(&f.csrf) {
        return r;
    }
    let r = &*app.relogio;
    match crate::servicos::rascunhos::protocolar(
        &app.db,
        &op,
        id,
        r.hoje(),
        r.agora(),
        &app.regras.calendario,
        &app.regras.prazos,
        &s.ator(),
    )
    .await
    {
        Ok(recibo) => Redirect::to(&format!("/peticoes/{}", recibo.protocolo)).into_response(),
        Err(crate::servicos::ServicoError::Regra(m)) => erro(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Petição não protocolada",
            &m,
        ),
        Err(e) => indisponivel(e),
    }
}

pub(super) async fn descartar_rascunho(
    State(app): State<AppState>,
    s: Sessao,
    Path(id): Path<i64>,
    Form(f): Form<crate::web::SoCsrf>,
) -> Response {
    let op = match exigir(&s, Escopo::Peticionar) {
        Ok(o) => o,
        Err(r) => return r,
    };
    if let Err(r) = s.conferir(&f.csrf) {
        return r;
    }
    match crate::servicos::rascunhos::descartar(&app.db, &op, id, Utc::now(), &s.ator()).await {
        Ok(()) => Redirect::to("/painel").into_response(),
        Err(crate::servicos::ServicoError::Regra(m)) => erro(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Rascunho não descartado",
            &m,
        ),
        Err(e) => indisponivel(e),
    }
}

pub(super) async fn recibo(
    State(app): State<AppState>,
    s: Sessao,
    Path(protocolo): Path<String>,
) -> Response {
    let op = match exigir(&s, Escopo::Consulta) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let p = match persus_store::peticoes::por_protocolo(&app.db, &protocolo, Some(&op)).await {
        Ok(Some(p)) if p.estado == "protocolada" => p,
        Ok(_) => return nao_encontrado(&format!("A petição {protocolo}")),
        Err(e) => return indisponivel(e),
    };
    let nup = persus_store::peticoes::nup(&app.db, p.processo_id)
        .await
        .ok()
        .flatten()
        .unwrap_or_default();
    let numeros = persus_store::peticoes::numeros_da_peticao(&app.db, p.id)
        .await
        .unwrap_or_default();
    let docs = persus_store::peticoes::documentos_de(&app.db, p.id)
        .await
        .unwrap_or_default();
    let corpo = html! {
        div.br-message.success role="status" {
            div.content { span.message-title { "Petição protocolada. " } span.message-body { "Guarde o número do protocolo." } }
        }
        dl id="recibo" {
            dt { "Protocolo" } dd { strong { (protocolo) } }
            dt { "Tipo" } dd { (p.tipo) }
            dt { "Protocolada em" } dd { (p.protocolada_em.map(|t| t.with_timezone(&chrono_tz::America::Sao_Paulo).format("%d/%m/%Y %H:%M").to_string()).unwrap_or_default()) " (Brasília)" }
            dt { "Processo" } dd { a href=(format!("/processos/{nup}")) { (nup) } }
            dt { "Atendimentos" } dd { (numeros.join(", ")) }
            dt { "Documentos" } dd { ul { @for d in &docs { li { "nº " span.doc-id { (d.id) } " — " (d.nome_arquivo) " — SHA-256 " code { (d.sha256) } } } } }
        }
    };
    pagina(&app, &s, "/processos", "Recibo de protocolo", corpo).into_response()
}

pub(super) async fn editar_rascunho(
    State(app): State<AppState>,
    s: Sessao,
    Path(id): Path<i64>,
) -> Response {
    let op = match exigir(&s, Escopo::Peticionar) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let r = match crate::servicos::rascunhos::carregar(&app.db, &op, id).await {
        Ok(r) => r,
        Err(crate::servicos::ServicoError::Regra(_)) => {
            return nao_encontrado(&format!("O rascunho {id}"))
        }
        Err(e) => return indisponivel(e),
    };
    let p = r.pedido;
    let valores = FormPeticao {
        atendimentos: p.atendimentos,
        motivo: p.motivo,
        fundamentacao: p.fundamentacao,
        auditor: p.auditor.unwrap_or_default(),
        rascunho: Some(id),
        documentos: p.documentos,
    };
    form_peticao(
        &app,
        &s,
        &op,
        &p.processo,
        if p.tipo == TipoPeticao::Recurso {
            "recurso"
        } else {
            "impugnacao"
        },
        &valores,
        &[],
    )
    .await
}
