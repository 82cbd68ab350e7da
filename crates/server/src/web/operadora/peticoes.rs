//! Single petitions: the form and saving it as a draft to review. A form sent after the
//! session ended is kept ([`crate::web::retomar`]) and comes back filled after signing in.

use axum::body::Bytes;
use axum::extract::{Multipart, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use maud::{html, Markup};
use persus_domain::lifecycle::Regras;
use serde::{Deserialize, Serialize};

use super::*;
use crate::app::AppState;
use crate::servicos::documentos::{enviar, ArmazenamentoLocal};
use crate::servicos::peticoes::{
    catalogo, elegiveis, erro_fundamentacao, Pedido, TipoPeticao, FUNDAMENTACAO_MINIMA,
};
use crate::servicos::{rascunhos, CampoInvalido, ServicoError};
use crate::web::layout::pagina;
use crate::web::{falha, indisponivel, nao_encontrado, reais, retomar, urlencode, TalvezSessao};

/// The name under which a petition form is kept across an expired session.
const FORMULARIO: &str = "peticao";
/// The most files one form sends.
const MAXIMO_ARQUIVOS: usize = 5;

#[derive(Deserialize)]
pub struct NovaPeticaoQ {
    pub processo: String,
    pub tipo: Option<String>,
    /// Token of a form kept when the session ended.
    pub retomar: Option<String>,
}

/// What the person typed (files apart).
#[derive(Debug, Default, Serialize, Deserialize)]
pub(super) struct FormPeticao {
    pub(super) atendimentos: Vec<String>,
    pub(super) motivo: String,
    pub(super) fundamentacao: String,
    pub(super) auditor: String,
    /// Editing a saved draft: its id (its documents are kept).
    pub(super) rascunho: Option<i64>,
}

/// A form kept across an expired session.
#[derive(Serialize, Deserialize)]
struct Guardado {
    processo: String,
    tipo: TipoPeticao,
    valores: FormPeticao,
}

fn tipo_de(codigo: Option<&str>) -> TipoPeticao {
    codigo
        .and_then(TipoPeticao::parse)
        .unwrap_or(TipoPeticao::Impugnacao)
}

pub(super) async fn nova_peticao(
    State(app): State<AppState>,
    s: Sessao,
    headers: HeaderMap,
    Query(q): Query<NovaPeticaoQ>,
) -> Response {
    let op = match exigir(&s, Escopo::Peticionar) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let tipo = tipo_de(q.tipo.as_deref());
    let Some(token) = q.retomar else {
        return form_peticao(&app, &s, &op, Formulario::novo(&q.processo, tipo)).await;
    };
    let guardado: Option<Guardado> =
        match retomar::retomar(&app, &s, &headers, FORMULARIO, &token).await {
            Ok(g) => g,
            Err(r) => return r,
        };
    let restaurado = guardado.filter(|g| g.processo == q.processo);
    let aviso = if restaurado.is_some() {
        "Sua sessão expirou antes do envio. O que você escreveu foi mantido: confira e anexe os arquivos de novo (arquivos não são guardados)."
    } else {
        "O formulário guardado quando a sessão expirou não está mais disponível (passou de uma hora ou já foi usado). Preencha de novo."
    };
    let base = match &restaurado {
        Some(g) => Formulario::com(&g.processo, g.tipo, &g.valores),
        None => Formulario::novo(&q.processo, tipo),
    };
    let formulario = Formulario {
        aviso: Some(aviso),
        ..base
    };
    let mut r = form_peticao(&app, &s, &op, formulario).await;
    let (nome, valor) = retomar::esquecer();
    if let Ok(v) = axum::http::HeaderValue::from_str(&valor) {
        r.headers_mut().append(nome, v);
    }
    r
}

/// What the form page shows.
pub(super) struct Formulario<'a> {
    nup: &'a str,
    tipo: TipoPeticao,
    valores: &'a FormPeticao,
    erros: &'a [CampoInvalido],
    aviso: Option<&'a str>,
}

static VAZIO: FormPeticao = FormPeticao {
    atendimentos: Vec::new(),
    motivo: String::new(),
    fundamentacao: String::new(),
    auditor: String::new(),
    rascunho: None,
};

impl<'a> Formulario<'a> {
    fn novo(nup: &'a str, tipo: TipoPeticao) -> Formulario<'a> {
        Formulario::com(nup, tipo, &VAZIO)
    }

    pub(super) fn com(nup: &'a str, tipo: TipoPeticao, valores: &'a FormPeticao) -> Formulario<'a> {
        Formulario {
            nup,
            tipo,
            valores,
            erros: &[],
            aviso: None,
        }
    }
}

pub(super) async fn form_peticao(
    app: &AppState,
    s: &Sessao,
    op: &str,
    f: Formulario<'_>,
) -> Response {
    let nup = f.nup;
    let p = match persus_store::processos::por_nup(&app.db, nup, Some(op)).await {
        Ok(Some(p)) => p,
        Ok(None) => return nao_encontrado(&format!("O processo {nup}")),
        Err(e) => return indisponivel(e),
    };
    let regras = Regras {
        calendario: &app.regras.calendario,
        prazos: &app.regras.prazos,
    };
    let lista = match elegiveis(&app.db, op, p.id, f.tipo, app.relogio.hoje(), &regras).await {
        Ok(l) => l,
        Err(e) => return falha(e),
    };
    // A draft's documents stay with it; they are listed so the person knows.
    let anexados = match f.valores.rascunho {
        Some(id) => match rascunhos::documentos(&app.db, op, id).await {
            Ok(d) => d,
            Err(e) => return falha(e),
        },
        None => Vec::new(),
    };
    let mut motivos: Vec<_> = catalogo().into_values().collect();
    motivos.sort_by(|a, b| a.codigo.cmp(&b.codigo));
    let erro_de = |campo: &str| -> Vec<&str> {
        f.erros
            .iter()
            .filter(|c| c.campo == campo)
            .map(|c| c.mensagem.as_str())
            .collect()
    };
    let v = f.valores;
    let corpo = html! {
        p { "Processo " a href=(format!("/processos/{nup}")) { (nup_legivel(nup)) } }
        @if let Some(a) = f.aviso {
            div.br-message.warning role="status" id="aviso-retomado" { div.content { span.message-body { (a) } } }
        }
        @if !f.erros.is_empty() {
            div.br-message.danger role="alert" id="erros" tabindex="-1" {
                div.content {
                    span.message-title { "A petição não foi salva. " }
                    span.message-body { "Corrija os campos indicados:" }
                    ul { @for e in f.erros { li { a href=(format!("#{}", ancora(&e.campo))) { (e.mensagem) } } } }
                }
            }
        }
        form method="post" action="/peticoes" enctype="multipart/form-data" {
            input type="hidden" name="csrf" value=(s.csrf);
            input type="hidden" name="processo" value=(nup);
            input type="hidden" name="tipo" value=(f.tipo.as_str());
            @if let Some(r) = v.rascunho { input type="hidden" name="rascunho" value=(r); }
            fieldset id="atendimentos" aria-describedby=[(!erro_de("atendimentos").is_empty()).then_some("erro-atendimentos")] {
                legend { "Atendimentos" }
                @if lista.is_empty() { p { "Nenhum atendimento deste processo está no prazo para esta petição." } }
                @if lista.len() > 1 {
                    div.br-checkbox.selecionar-todos hidden {
                        input type="checkbox" id="todos-atendimentos" data-selecionar-todos="atendimentos";
                        label for="todos-atendimentos" { "Selecionar todos os " (lista.len()) " atendimentos" }
                    }
                    script src=(crate::web::estatico::url("selecionar-todos.js")) {}
                }
                @for a in &lista {
                    div.br-checkbox {
                        input type="checkbox" id=(format!("at-{}", a.numero)) name="atendimentos" value=(a.numero) checked[v.atendimentos.contains(&a.numero)];
                        label for=(format!("at-{}", a.numero)) { (a.numero) " — " (reais(a.valor_centavos)) }
                    }
                }
                (erros_do_campo("atendimentos", &erro_de("atendimentos")))
            }
            div.br-select.mt-3 {
                label for="motivo" { "Motivo" }
                select id="motivo" name="motivo" required aria-describedby="motivos-ajuda" aria-invalid=[(!erro_de("motivo").is_empty()).then_some("true")] {
                    option value="" { "Escolha o motivo" }
                    @for m in &motivos {
                        option value=(m.codigo) selected[v.motivo == m.codigo] { (m.codigo) " — " (m.nome) }
                    }
                }
                (erros_do_campo("motivo", &erro_de("motivo")))
            }
            details id="motivos-ajuda" {
                summary { "Documentos exigidos por motivo" }
                ul { @for m in &motivos { li { strong { (m.codigo) } " " (m.nome) ": " (m.documentos.join("; ")) @if m.exige_auditor() { " — técnico: assinatura do auditor" } } } }
            }
            div.br-textarea.mt-3 {
                label for="fundamentacao" { "Fundamentação (ao menos " (FUNDAMENTACAO_MINIMA) " caracteres)" }
                textarea id="fundamentacao" name="fundamentacao" rows="5" required minlength=(FUNDAMENTACAO_MINIMA)
                    aria-invalid=[(!erro_de("fundamentacao").is_empty()).then_some("true")]
                    aria-describedby=[(!erro_de("fundamentacao").is_empty()).then_some("erro-fundamentacao")] { (v.fundamentacao) }
                (erros_do_campo("fundamentacao", &erro_de("fundamentacao")))
            }
            div.br-input.mt-3 {
                label for="auditor" { "Auditor (motivos técnicos: nome e registro do profissional)" }
                input id="auditor" name="auditor" value=(v.auditor);
                (erros_do_campo("auditor", &erro_de("auditor")))
            }
            div.persus-upload.mt-3 {
                label for="documentos" { "Documentos de prova (PDF, até 10 MB cada, até " (MAXIMO_ARQUIVOS) " arquivos)" }
                @if !anexados.is_empty() {
                    p { "Já anexados a este rascunho (mantidos): "
                        @for (i, d) in anexados.iter().enumerate() { @if i > 0 { ", " } "nº " (d.id) " " (d.nome_arquivo) }
                        ". Anexe outros se precisar." }
                }
                input id="documentos" name="documentos" type="file" accept="application/pdf,.pdf" multiple required[anexados.is_empty()]
                    aria-describedby="documentos-ajuda" aria-invalid=[(!erro_de("documentos").is_empty()).then_some("true")];
                p id="documentos-ajuda" { small { "Somente PDF completo e sem senha. O limite é verificado antes de gravar." } }
                (erros_do_campo("documentos", &erro_de("documentos")))
            }
            p.mt-3 { button.br-button.primary type="submit" { "Salvar e revisar" } }
        }
    };
    let titulo = format!("{} — processo {}", f.tipo.rotulo(), nup_legivel(nup));
    let status = if f.erros.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    (status, pagina(app, s, "/processos", &titulo, corpo)).into_response()
}

/// The NUP as people read it (`33910.000365/2025-97`), or as given if it does not parse.
pub(super) fn nup_legivel(nup: &str) -> String {
    persus_domain::ids::Nup::parse(nup)
        .map(|n| n.to_string())
        .unwrap_or_else(|_| nup.to_owned())
}

/// The id of the input a field's error links to.
fn ancora(campo: &str) -> &str {
    match campo {
        "atendimentos" | "motivo" | "fundamentacao" | "auditor" | "documentos" => campo,
        _ => "erros",
    }
}

fn erros_do_campo(campo: &str, erros: &[&str]) -> Markup {
    html! {
        @if !erros.is_empty() {
            span.campo-erro id=(format!("erro-{campo}")) { (erros.join("; ")) }
        }
    }
}

/// A multipart petition form, read.
struct Enviado {
    csrf: String,
    nup: String,
    tipo: TipoPeticao,
    valores: FormPeticao,
    arquivos: Vec<(String, Bytes)>,
    erros: Vec<CampoInvalido>,
}

async fn ler(mut m: Multipart) -> Enviado {
    let mut e = Enviado {
        csrf: String::new(),
        nup: String::new(),
        tipo: TipoPeticao::Impugnacao,
        valores: FormPeticao::default(),
        arquivos: Vec::new(),
        erros: Vec::new(),
    };
    while let Ok(Some(campo)) = m.next_field().await {
        let nome = campo.name().unwrap_or("").to_owned();
        let arquivo = campo.file_name().map(str::to_owned);
        let Ok(bytes) = campo.bytes().await else {
            e.erros.push(CampoInvalido::new(
                "documentos",
                "envio interrompido ou acima do limite; envie de novo",
            ));
            break;
        };
        let texto = || String::from_utf8_lossy(&bytes).into_owned();
        let v = &mut e.valores;
        match nome.as_str() {
            "csrf" => e.csrf = texto(),
            "processo" => e.nup = texto(),
            "tipo" => e.tipo = tipo_de(Some(&texto())),
            "atendimentos" => v.atendimentos.push(texto()),
            "motivo" => v.motivo = texto(),
            "fundamentacao" => v.fundamentacao = texto(),
            "auditor" => v.auditor = texto(),
            "rascunho" => v.rascunho = texto().parse().ok(),
            "documentos" => {
                if let Some(a) = arquivo.filter(|a| !a.is_empty()) {
                    e.arquivos.push((a, bytes));
                }
            }
            _ => {}
        }
    }
    e
}

/// What the form itself requires before a draft is saved (the fundamentação by the one rule
/// of every path, [`erro_fundamentacao`]); the rest is judged by the services.
async fn conferir(e: &Enviado, ja_anexados: usize) -> Vec<CampoInvalido> {
    let v = &e.valores;
    let mut erros = Vec::new();
    if v.atendimentos.is_empty() {
        erros.push(CampoInvalido::new(
            "atendimentos",
            "marque ao menos um atendimento",
        ));
    }
    if v.motivo.is_empty() {
        erros.push(CampoInvalido::new("motivo", "escolha o motivo"));
    }
    if let Some(m) = erro_fundamentacao(&v.fundamentacao) {
        erros.push(CampoInvalido::new("fundamentacao", m));
    }
    if e.arquivos.is_empty() && ja_anexados == 0 {
        erros.push(CampoInvalido::new("documentos", "anexe ao menos um PDF"));
    }
    if e.arquivos.len() > MAXIMO_ARQUIVOS {
        erros.push(CampoInvalido::new(
            "documentos",
            format!("{} arquivos: envie até {MAXIMO_ARQUIVOS}", e.arquivos.len()),
        ));
    }
    for (a, b) in &e.arquivos {
        if let Err(msg) = crate::servicos::documentos::validar_pdf_em_segundo_plano(a, b).await {
            erros.push(CampoInvalido::new("documentos", format!("{a}: {msg}")));
        }
    }
    erros
}

/// `POST /peticoes`: the form saved as a draft, then 303 to its review page. Without a live
/// session the typed fields are kept and the person signs in and comes back to them.
pub(super) async fn salvar_peticao(
    State(app): State<AppState>,
    TalvezSessao(s): TalvezSessao,
    headers: HeaderMap,
    m: Multipart,
) -> Response {
    let mut e = ler(m).await;
    let Some(s) = s else {
        let volta = format!(
            "/peticoes/nova?processo={}&tipo={}",
            urlencode(&e.nup),
            e.tipo.as_str()
        );
        let guardado = Guardado {
            processo: e.nup,
            tipo: e.tipo,
            valores: e.valores,
        };
        return retomar::guardar_e_entrar(&app, &headers, FORMULARIO, &guardado, &volta).await;
    };
    let op = match exigir(&s, Escopo::Peticionar) {
        Ok(o) => o,
        Err(r) => return r,
    };
    if let Err(r) = s.conferir(&e.csrf) {
        return r;
    }
    // Editing a draft: it must be this operator's, still a draft; its documents are kept.
    let mut ids = match e.valores.rascunho {
        Some(id) => match rascunhos::carregar(&app.db, &op, id).await {
            Ok(r) => r.pedido.documentos,
            Err(err) => return falha(err),
        },
        None => Vec::new(),
    };
    let mut erros = std::mem::take(&mut e.erros);
    erros.extend(conferir(&e, ids.len()).await);
    let reexibir = |erros: Vec<CampoInvalido>| {
        let (app, s, op, e) = (&app, &s, &op, &e);
        async move {
            form_peticao(
                app,
                s,
                op,
                Formulario {
                    erros: &erros,
                    ..Formulario::com(&e.nup, e.tipo, &e.valores)
                },
            )
            .await
        }
    };
    if !erros.is_empty() {
        return reexibir(erros).await;
    }
    let arm = ArmazenamentoLocal {
        raiz: app.raiz_documentos.clone(),
    };
    for (a, b) in &e.arquivos {
        match enviar(&app.db, &arm, &op, a, b, &s.usuario.login, Utc::now()).await {
            Ok(d) => ids.push(d.id),
            Err(ServicoError::Invalido(c)) => return reexibir(c).await,
            Err(err) => return falha(err),
        }
    }
    let v = &e.valores;
    let pedido = Pedido {
        tipo: e.tipo,
        processo: e.nup.clone(),
        atendimentos: v.atendimentos.clone(),
        motivo: v.motivo.clone(),
        fundamentacao: v.fundamentacao.clone(),
        auditor: Some(v.auditor.clone()).filter(|a| !a.trim().is_empty()),
        documentos: ids,
    };
    // Saved as a draft first: the person reviews it, then protocols (or comes back later).
    match rascunhos::salvar(&app.db, &op, v.rascunho, &pedido, Utc::now(), &s.ator()).await {
        Ok(r) => Redirect::to(&format!("/rascunhos/{}", r.id)).into_response(),
        Err(ServicoError::Invalido(c)) => reexibir(c).await,
        Err(err) => falha(err),
    }
}
