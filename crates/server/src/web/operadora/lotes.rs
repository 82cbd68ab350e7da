//! Batches of petitions from a spreadsheet (CSV in UTF-8 or Windows-1252) or a ZIP (manifest
//! and PDFs): check every row against the rules, send once, follow.

use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::Utc;
use maud::{html, Markup};
use persus_domain::lifecycle::Regras;
use persus_domain::peticoes::EstadoLote;
use persus_store::formularios;
use serde::{Deserialize, Serialize};

use super::*;
use crate::app::AppState;
use crate::servicos::documentos::ArmazenamentoLocal;
use crate::servicos::lotes::{
    decodificar_planilha, documentos_do_zip, enviar_pela_web, ler_zip, Codificacao, EnvioLote,
    EnvioWeb, LimitesZip,
};
use crate::servicos::peticoes::{ler_lote_csv, validar_lote, ErroLinha, Pedido, CABECALHO_LOTE};
use crate::web::layout::pagina;
use crate::web::{falha, indisponivel, nao_encontrado, proibido, Sessao};

/// The largest spreadsheet or ZIP sent through the web form.
pub(super) const LIMITE_LOTE_WEB: usize = 64 * 1024 * 1024;

pub(super) async fn novo_lote(State(app): State<AppState>, s: Sessao) -> Response {
    if let Err(r) = exigir(&s, Escopo::Peticionar) {
        return r;
    }
    pagina(
        &app,
        &s,
        "/lotes/novo",
        "Lote de petições",
        form_lote(&s, None),
    )
    .into_response()
}

pub(super) fn form_lote(s: &Sessao, erro: Option<&str>) -> Markup {
    html! {
        p { "Envie uma planilha CSV com uma petição por linha, ou um ZIP com a planilha (" code { "manifesto.csv" } ") e os PDFs de prova. As linhas são conferidas antes do protocolo: nada é protocolado enquanto houver erro." }
        p { a.br-button.secondary href="/lotes/modelo.csv" download { "Baixar o modelo (CSV)" } }
        ul {
            li { "Colunas, separadas por ponto e vírgula: " code { (CABECALHO_LOTE) } "." }
            li { "Atendimentos e documentos separados por " code { "|" } "; na planilha CSV, documentos pelo número do documento já enviado; no ZIP, também pelo nome do PDF." }
            li { "A planilha pode ser salva pelo Excel ou LibreOffice como \"CSV\" (Windows-1252) ou \"CSV UTF-8\": as duas são aceitas." }
        }
        @if let Some(e) = erro { div.br-message.danger role="alert" id="erro-lote" { div.content { span.message-body { (e) } } } }
        form method="post" action="/lotes/validar" enctype="multipart/form-data" {
            input type="hidden" name="csrf" value=(s.csrf);
            div.persus-upload {
                label for="planilha" { "Planilha CSV ou ZIP (até " (LIMITE_LOTE_WEB / (1024 * 1024)) " MB)" }
                input id="planilha" name="planilha" type="file" accept=".csv,text/csv,.zip,application/zip" required
                    aria-describedby=[erro.map(|_| "erro-lote")];
            }
            p.mt-3 { button.br-button.primary type="submit" { "Conferir" } }
        }
    }
}

/// The template: UTF-8 with a BOM and `;`, CRLF line ends — what a spreadsheet program in
/// Portuguese opens in columns, accents intact.
pub(super) async fn modelo_csv(s: Sessao) -> Response {
    if s.operadora.is_none() {
        return proibido();
    }
    crate::anexo::resposta(
        "text/csv; charset=utf-8",
        "modelo-lote.csv",
        format!("\u{feff}{CABECALHO_LOTE}\r\nimpugnacao;33910.000001/2026-00;1234567890123|1234567890124;ADM01;Beneficiário excluído do plano antes do atendimento.;;12\r\n").into_bytes(),
    )
}

/// What the form sent: a ZIP or a spreadsheet.
enum Arquivo {
    Zip(std::fs::File),
    Planilha(Vec<u8>),
}

pub(super) async fn validar_lote_web(
    State(app): State<AppState>,
    s: Sessao,
    mut m: Multipart,
) -> Response {
    let op = match exigir(&s, Escopo::Peticionar) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let mut csrf = String::new();
    let mut arquivo = None;
    while let Ok(Some(campo)) = m.next_field().await {
        let nome = campo.name().unwrap_or("").to_owned();
        let arquivo_nome = campo.file_name().unwrap_or("").to_lowercase();
        let Ok(b) = campo.bytes().await else { break };
        match nome.as_str() {
            "csrf" => csrf = String::from_utf8_lossy(&b).into_owned(),
            "planilha" if b.starts_with(b"PK\x03\x04") || arquivo_nome.ends_with(".zip") => {
                arquivo = Some(para_arquivo(&app, &b).map(Arquivo::Zip));
            }
            "planilha" if !b.is_empty() => arquivo = Some(Ok(Arquivo::Planilha(b.to_vec()))),
            _ => {}
        }
    }
    if let Err(r) = s.conferir(&csrf) {
        return r;
    }
    let refazer = |msg: &str| {
        pagina(
            &app,
            &s,
            "/lotes/novo",
            "Lote de petições",
            form_lote(&s, Some(msg)),
        )
        .into_response()
    };
    let conferencia = match arquivo {
        None => return refazer("Escolha a planilha CSV ou o ZIP."),
        Some(Err(e)) => return indisponivel(e),
        Some(Ok(Arquivo::Planilha(bytes))) => {
            let (texto, codificacao) = decodificar_planilha(&bytes);
            let origem = Origem::Planilha(codificacao);
            match ler_lote_csv(&texto) {
                Ok(pedidos) => conferir_lote(&app, &op, pedidos, origem).await,
                Err(erros) => Ok(Conferencia {
                    pedidos: Vec::new(),
                    erros,
                    origem,
                }),
            }
        }
        Some(Ok(Arquivo::Zip(f))) => {
            let temporarios = app.raiz_documentos.join("tmp");
            let lido = tokio::task::spawn_blocking(move || {
                ler_zip(
                    std::io::BufReader::new(f),
                    &temporarios,
                    &LimitesZip::PADRAO,
                )
            })
            .await;
            match lido {
                Ok(Ok(lido)) => {
                    let n_pdfs = lido.pdfs.len();
                    let arm = ArmazenamentoLocal {
                        raiz: app.raiz_documentos.clone(),
                    };
                    match documentos_do_zip(&app.db, &arm, &op, lido, &s.usuario.login, Utc::now())
                        .await
                    {
                        Ok(pedidos) => conferir_lote(&app, &op, pedidos, Origem::Zip(n_pdfs)).await,
                        Err(e) => Err(falha(e)),
                    }
                }
                Ok(Err(erros)) => Ok(Conferencia {
                    pedidos: Vec::new(),
                    erros: vec![ErroLinha { linha: 0, erros }],
                    origem: Origem::Zip(0),
                }),
                Err(e) => return indisponivel(e),
            }
        }
    };
    let conferencia = match conferencia {
        Ok(c) => c,
        Err(r) => return r,
    };
    // Post/Redirect/Get: the check is kept (one hour) and shown by its own address, so Back and
    // F5 show it again; its token is also the batch's one-time sending key.
    let token = crate::auth::aleatorio("lote_");
    let campos = match serde_json::to_string(&conferencia) {
        Ok(c) => c,
        Err(e) => return indisponivel(e),
    };
    let agora = Utc::now();
    let guardado = formularios::Pendente {
        usuario_id: Some(s.usuario.id),
        formulario: FORMULARIO_LOTE.to_owned(),
        campos,
    };
    match formularios::guardar(
        &app.db,
        &crate::auth::sha256_hex(&token),
        &guardado,
        agora,
        agora + VALIDADE_CONFERENCIA,
    )
    .await
    {
        Ok(()) => Redirect::to(&format!("/lotes/conferencias/{token}")).into_response(),
        Err(e) => indisponivel(e),
    }
}

/// How long a checked batch waits to be sent.
const VALIDADE_CONFERENCIA: chrono::Duration = chrono::Duration::hours(1);
const FORMULARIO_LOTE: &str = "lote";

/// A batch as checked: its rows, what is wrong with them, where it came from.
#[derive(Serialize, Deserialize)]
struct Conferencia {
    pedidos: Vec<Pedido>,
    erros: Vec<ErroLinha>,
    origem: Origem,
}

/// The person's checked batch `token`, if it is still kept.
async fn conferencia_guardada(
    app: &AppState,
    s: &Sessao,
    token: &str,
) -> Result<Option<Conferencia>, Response> {
    let p = formularios::ler(&app.db, &crate::auth::sha256_hex(token), Utc::now())
        .await
        .map_err(indisponivel)?;
    Ok(
        p.filter(|p| p.formulario == FORMULARIO_LOTE && p.usuario_id == Some(s.usuario.id))
            .and_then(|p| serde_json::from_str(&p.campos).ok()),
    )
}

/// `GET /lotes/conferencias/{token}`: the check of a batch; once sent, the batch itself.
pub(super) async fn conferencia(
    State(app): State<AppState>,
    s: Sessao,
    Path(token): Path<String>,
) -> Response {
    let op = match exigir(&s, Escopo::Peticionar) {
        Ok(o) => o,
        Err(r) => return r,
    };
    match persus_store::lotes::pelo_envio(&app.db, &op, &token).await {
        Ok(Some(id)) => return Redirect::to(&format!("/lotes/{id}")).into_response(),
        Ok(None) => {}
        Err(e) => return indisponivel(e),
    }
    match conferencia_guardada(&app, &s, &token).await {
        Ok(Some(c)) => pagina_conferencia(&app, &s, &token, &c),
        Ok(None) => expirada(&app, &s),
        Err(r) => r,
    }
}

fn expirada(app: &AppState, s: &Sessao) -> Response {
    (
        axum::http::StatusCode::NOT_FOUND,
        pagina(app, s, "/lotes/novo", "Lote de petições", form_lote(s, Some("Esta conferência não está mais disponível (passou de uma hora): envie a planilha de novo."))),
    )
        .into_response()
}

/// A ZIP upload, to an anonymous temporary file (the reader seeks in it).
fn para_arquivo(app: &AppState, bytes: &[u8]) -> std::io::Result<std::fs::File> {
    use std::io::{Seek, Write};
    let dir = app.raiz_documentos.join("tmp");
    std::fs::create_dir_all(&dir)?;
    let mut f = tempfile::tempfile_in(dir)?;
    f.write_all(bytes)?;
    f.rewind()?;
    Ok(f)
}

/// Where the batch came from, said on the check page.
#[derive(Clone, Copy, Serialize, Deserialize)]
enum Origem {
    Planilha(Codificacao),
    /// A ZIP and how many PDFs it brought.
    Zip(usize),
    /// Sent, refused on the second check.
    Envio,
}

/// Checks the rows against every rule (nothing filed).
async fn conferir_lote(
    app: &AppState,
    op: &str,
    pedidos: Vec<Pedido>,
    origem: Origem,
) -> Result<Conferencia, Response> {
    let r = &*app.relogio;
    let erros = validar_lote(
        &app.db,
        op,
        &pedidos,
        r.hoje(),
        &app.regras.calendario,
        &app.regras.prazos,
    )
    .await
    .map_err(falha)?;
    Ok(Conferencia {
        pedidos,
        erros,
        origem,
    })
}

/// `erros` are 1-based rows of the batch (in a sheet, the header is line 1: row + 1); row 0
/// is the file as a whole.
fn pagina_conferencia(app: &AppState, s: &Sessao, token: &str, c: &Conferencia) -> Response {
    let (pedidos, erros, origem) = (&c.pedidos[..], &c.erros[..], c.origem);
    let lida = match origem {
        Origem::Planilha(c) => format!("Planilha lida como {}.", c.rotulo()),
        Origem::Zip(n) => {
            format!("ZIP lido: manifesto e {n} PDF(s), guardados entre os documentos da operadora.")
        }
        Origem::Envio => "O lote foi conferido de novo no envio.".to_owned(),
    };
    let linha_da_planilha = |e: &ErroLinha| match (origem, e.linha) {
        (_, 0) => "arquivo".to_owned(),
        (_, n) if pedidos.is_empty() => n.to_string(),
        (_, n) => (n + 1).to_string(),
    };
    let corpo = html! {
        p id="codificacao" { (lida) }
        @if erros.is_empty() && !pedidos.is_empty() {
            div.br-message.success role="status" {
                div.content { span.message-body { "Todas as " (pedidos.len()) " linhas estão corretas. Confira e protocole." } }
            }
            form method="post" action="/lotes" {
                input type="hidden" name="csrf" value=(s.csrf);
                input type="hidden" name="envio" value=(token);
                div.persus-tabela {
                    table.persus {
                        caption { "Petições do lote" }
                        thead { tr { th scope="col" { "Linha" } th scope="col" { "Tipo" } th scope="col" { "Processo" } th scope="col" { "Atendimentos" } th scope="col" { "Motivo" } th scope="col" { "Fundamentação" } th scope="col" { "Documentos" } } }
                        tbody { @for (i, p) in pedidos.iter().enumerate() { tr {
                            td { (i + 2) } td { (p.tipo.rotulo()) } td { (super::peticoes::nup_legivel(&p.processo)) }
                            td { (p.atendimentos.join(", ")) } td { (p.motivo) } td { (p.fundamentacao) }
                            td { (p.documentos.iter().map(|d| format!("nº {d}")).collect::<Vec<_>>().join(", ")) }
                        } } }
                    }
                }
                p.mt-3 { button.br-button.primary type="submit" { "Protocolar " (pedidos.len()) " petição(ões)" } }
            }
        } @else {
            div.br-message.danger role="alert" {
                div.content { span.message-title { "Nada foi protocolado. " } span.message-body {
                    @if erros.is_empty() { "O lote não tem nenhuma petição." }
                    @else { (erros.len()) " linha(s) com erro: corrija e envie de novo." } } }
            }
            @if !erros.is_empty() {
                table.persus id="erros-lote" {
                    thead { tr { th scope="col" { "Linha da planilha" } th scope="col" { "O que corrigir" } } }
                    tbody { @for e in erros { tr { td { (linha_da_planilha(e)) } td { (e.erros.join("; ")) } } } }
                }
            }
            (form_lote(s, None))
        }
    };
    pagina(app, s, "/lotes/novo", "Conferência do lote", corpo).into_response()
}

#[derive(Deserialize)]
pub struct EnvioLoteForm {
    csrf: String,
    /// The check page's token: where the checked batch is kept, and the one-time sending key.
    envio: String,
}

/// `POST /lotes`: the kept batch checked again and queued once (the page's key), then 303 to
/// the batch page.
pub(super) async fn enviar_lote(
    State(app): State<AppState>,
    s: Sessao,
    Form(f): Form<EnvioLoteForm>,
) -> Response {
    let op = match exigir(&s, Escopo::Peticionar) {
        Ok(o) => o,
        Err(r) => return r,
    };
    if let Err(r) = s.conferir(&f.csrf) {
        return r;
    }
    match persus_store::lotes::pelo_envio(&app.db, &op, &f.envio).await {
        Ok(Some(id)) => return Redirect::to(&format!("/lotes/{id}")).into_response(),
        Ok(None) => {}
        Err(e) => return indisponivel(e),
    }
    let c = match conferencia_guardada(&app, &s, &f.envio).await {
        Ok(Some(c)) => c,
        Ok(None) => return expirada(&app, &s),
        Err(r) => return r,
    };
    let r = &*app.relogio;
    let regras = Regras {
        calendario: &app.regras.calendario,
        prazos: &app.regras.prazos,
    };
    let envio = EnvioWeb {
        operadora: &op,
        login: &s.usuario.login,
        chave: &f.envio,
    };
    match enviar_pela_web(&app.db, envio, &c.pedidos, r.hoje(), r.agora(), &regras).await {
        Ok(EnvioLote::Recebido(id)) => Redirect::to(&format!("/lotes/{id}")).into_response(),
        Ok(EnvioLote::Recusado(erros)) => {
            let c = Conferencia {
                erros,
                origem: Origem::Envio,
                ..c
            };
            pagina_conferencia(&app, &s, &f.envio, &c)
        }
        Err(e) => falha(e),
    }
}

/// The stored result of a batch: receipts and refused rows.
#[derive(Deserialize, Default)]
struct Resultado {
    #[serde(default)]
    recibos: Vec<ReciboDoLote>,
    #[serde(default)]
    erros: Vec<ErroLinha>,
}

#[derive(Deserialize)]
struct ReciboDoLote {
    protocolo: String,
    processo: String,
    atendimentos: Vec<String>,
}

pub(super) async fn lote(State(app): State<AppState>, s: Sessao, Path(id): Path<i64>) -> Response {
    let op = match exigir(&s, Escopo::Consulta) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let l = match persus_store::lotes::lote(&app.db, id, &op).await {
        Ok(Some(l)) => l,
        Ok(None) => return nao_encontrado(&format!("O lote {id}")),
        Err(e) => return indisponivel(e),
    };
    let resultado: Resultado = match l.resultado.as_deref().map(serde_json::from_str) {
        None => Resultado::default(),
        Some(Ok(r)) => r,
        Some(Err(e)) => return indisponivel(e),
    };
    let corpo = html! {
        @if l.estado != EstadoLote::Concluido {
            // Progressive enhancement: with JavaScript the page refreshes itself while the batch
            // runs; without, the link does it.
            script src=(crate::web::estatico::url("recarregar.js")) data-recarregar="2000" {}
            div.br-message.info role="status" aria-live="polite" {
                div.content { span.message-body { "Lote " (l.estado.rotulo().to_lowercase()) ": " (l.total) " petição(ões). Esta página se atualiza sozinha." } }
            }
            p { a href=(format!("/lotes/{id}")) { "Atualizar agora" } }
            progress max="1" aria-label="Progresso do lote" {}
        } @else {
            div.br-message.success role="status" {
                div.content { span.message-body { "Lote concluído: " (l.protocoladas.unwrap_or(0)) " protocolada(s), " (l.recusadas.unwrap_or(0)) " recusada(s)." } }
            }
            @if !resultado.recibos.is_empty() {
                table.persus id="recibos-lote" {
                    caption { "Protocoladas" }
                    thead { tr { th scope="col" { "Protocolo" } th scope="col" { "Processo" } th scope="col" { "Atendimentos" } } }
                    tbody { @for r in &resultado.recibos { tr {
                        td { a href=(format!("/peticoes/{}", r.protocolo)) { (r.protocolo) } }
                        td { (super::peticoes::nup_legivel(&r.processo)) }
                        td { (r.atendimentos.join(", ")) }
                    } } }
                }
            }
            @if !resultado.erros.is_empty() {
                table.persus id="recusadas-lote" {
                    caption { "Recusadas (nada foi protocolado nestas linhas)" }
                    thead { tr { th scope="col" { "Petição nº" } th scope="col" { "Motivo da recusa" } } }
                    tbody { @for e in &resultado.erros { tr { td { (e.linha) } td { (e.erros.join("; ")) } } } }
                }
            }
        }
    };
    pagina(&app, &s, "/lotes/novo", &format!("Lote {id}"), corpo).into_response()
}
