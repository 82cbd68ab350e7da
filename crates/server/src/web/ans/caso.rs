//! A case in full for ANS: the petitions (grounds with their labels, fundamentação, auditor,
//! the filed PDFs, viewable in the browser), the attendance (procedures, beneficiary with
//! identifiers masked, dates, values), the previous decisions, and — when the attendance waits
//! in a queue the person works — the decision form for it.

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::html;
use persus_domain::acesso::Escopo;

use super::super::layout::pagina;
use super::super::rotulos::{cns_mascarado, competencia, cpf_mascarado, instante, nup};
use super::super::{data, falha, nao_encontrado, proibido, reais, Sessao};
use super::filas::{campos_decisao, EntradaDecisao, Erros};
use crate::app::AppState;
use crate::servicos::analise::{self, rotulo_instancia, rotulo_resultado, Leitor};
use crate::servicos::documentos::ArmazenamentoLocal;

pub async fn pagina_caso(
    State(app): State<AppState>,
    s: Sessao,
    Path(numero): Path<String>,
) -> Response {
    caso_com(
        &app,
        &s,
        &numero,
        &EntradaDecisao::default(),
        &Erros::nenhum(),
    )
    .await
}

/// The case page, with the decision form as typed and its errors (when shown again).
pub async fn caso_com(
    app: &AppState,
    s: &Sessao,
    numero: &str,
    entrada: &EntradaDecisao,
    erros: &Erros<'_>,
) -> Response {
    if !s.ans() {
        return nao_encontrado("A página");
    }
    let caso = match analise::caso(&app.db, numero).await {
        Ok(c) => c,
        Err(e) => return falha(e),
    };
    let h = &caso.historico;
    let a = &h.atendimento;
    let estado = a.estado.rotulo();
    let protocoladas: Vec<_> = h
        .peticoes
        .iter()
        .filter(|p| p.protocolo.is_some())
        .collect();
    let decide = caso.instancia.filter(|i| s.papel_ans(i.papeis()));
    let corpo = html! {
        p { "Situação: " strong { (estado) }
            @if let Some(i) = caso.instancia { " — aguardando a " (i.rotulo()) } }
        h2 { "Petições" }
        @if protocoladas.is_empty() { p { "Nenhuma petição protocolada para este atendimento." } }
        @for p in &protocoladas {
            section.persus-peticao aria-label=(format!("{} {}", p.tipo.rotulo(), p.protocolo.as_deref().unwrap_or(""))) {
                h3 { (p.tipo.rotulo()) " — protocolo " (p.protocolo.as_deref().unwrap_or("")) }
                dl {
                    dt { "Protocolada em" } dd { (p.protocolada_em.map(instante).unwrap_or_default()) }
                    dt { "Motivo" } dd {
                        @match app.regras.motivos.get(&p.motivo) {
                            Some(m) => { (m.codigo) " — " (m.nome) " (" (if m.exige_auditor() { "técnico" } else { "administrativo" }) ")" }
                            None => { (p.motivo) }
                        }
                    }
                    dt { "Fundamentação" } dd.persus-texto { (p.fundamentacao) }
                    dt { "Auditor" } dd { (p.auditor.as_deref().unwrap_or("— (motivo administrativo)")) }
                }
                @let docs: Vec<_> = h.documentos.iter().filter(|d| d.peticao_id == p.id).collect();
                h4 { "Documentos" }
                @if docs.is_empty() { p { "Nenhum documento anexado." } }
                ul { @for d in &docs { li {
                    a href=(format!("/documentos/{}/visualizar", d.id)) target="_blank" rel="noopener" { "Ver " (d.nome_arquivo) " (PDF)" }
                    " — " (d.tamanho / 1024) " KB, SHA-256 " code { (d.sha256.get(..16).unwrap_or("")) "…" }
                } } }
            }
        }
        h2 { "Atendimento" }
        dl {
            dt { "Operadora" } dd { (a.operadora) " — " (caso.nomes.razao_social) }
            dt { "Processo" } dd { (a.nup.as_deref().map(nup).unwrap_or_else(|| "—".to_owned())) }
            dt { "Competência" } dd { (competencia(&a.competencia)) }
            dt { "Estabelecimento" } dd { (a.cnes) " — " (caso.nomes.estabelecimento) }
            dt { "Período" } dd { (data(a.data_inicio)) " a " (data(a.data_fim)) " (" (a.carater) ")" }
            dt { "Beneficiário" } dd {
                (a.beneficiario_nome) " — CPF " (a.beneficiario_cpf.as_deref().map(cpf_mascarado).unwrap_or_else(|| "não informado".to_owned()))
                ", CNS " (cns_mascarado(&a.beneficiario_cns)) ", nascido(a) em " (a.beneficiario_nascimento.format("%Y"))
            }
            dt { "Valor SUS" } dd.num { (reais(a.valor_sus_centavos)) }
            dt { "Valor a ressarcir (IVR)" } dd.num { (reais(a.valor_ressarcimento_centavos)) }
            dt { "Valor devido agora" } dd.num { (reais(a.valor_devido_centavos.unwrap_or(a.valor_ressarcimento_centavos))) }
        }
        h3 { "Procedimentos" }
        div.persus-tabela { table.persus {
            caption.sr-only { "Procedimentos do atendimento" }
            thead { tr { th scope="col" { "Código SIGTAP" } th scope="col" { "Procedimento" } th scope="col" .num { "Quantidade" } th scope="col" .num { "Valor" } } }
            tbody { @for p in &caso.procedimentos { tr {
                td { (p.codigo) } td { (p.nome) } td.num { (p.quantidade) } td.num { (reais(p.valor_centavos)) }
            } } }
        } }
        h2 { "Decisões anteriores" }
        @if h.decisoes.is_empty() { p { "Nenhuma decisão ainda." } } @else {
            div.persus-tabela { table.persus {
                caption.sr-only { "Decisões anteriores" }
                thead { tr { th scope="col" { "Quando" } th scope="col" { "Instância" } th scope="col" { "Resultado" }
                    th scope="col" .num { "Valor anterior" } th scope="col" .num { "Valor após" } th scope="col" { "Fundamentação" } th scope="col" { "Por" } } }
                tbody { @for d in &h.decisoes { tr {
                    td { (instante(d.decidido_em)) } td { (rotulo_instancia(&d.instancia)) } td { (rotulo_resultado(&d.resultado)) }
                    td.num { (reais(d.valor_anterior)) } td.num { (reais(d.valor_novo)) } td { (d.fundamentacao) } td { (d.decidido_por) }
                } } }
            } }
        }
        @if let Some(i) = decide {
            h2 { "Decidir" }
            form method="post" action="/ans/decisoes" {
                input type="hidden" name="csrf" value=(s.csrf);
                input type="hidden" name="instancia" value=(i.as_str());
                input type="hidden" name="origem" value="caso";
                input type="hidden" name="atendimentos" value=(a.numero);
                (erros.resumo())
                (campos_decisao(i, entrada, erros))
                p.mt-3 { button.br-button.primary type="submit" { "Publicar decisão" } }
            }
        }
        p.mt-3 { @if let Some(i) = caso.instancia { @if decide.is_some() {
            a.br-button.secondary href=(super::caminho_da_fila(i)) { "Voltar à fila" }
        } } }
    };
    let titulo = format!("Caso — {} {}", a.tipo, a.numero);
    let status = if erros.tem() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    (status, pagina(app, s, "/ans/filas", &titulo, corpo)).into_response()
}

/// `/documentos/{id}/visualizar`: a filed PDF shown in the browser (`inline`), to ANS staff
/// and to the operator that filed it (with permission to consult); for anyone else it does
/// not exist.
pub async fn visualizar_documento(
    State(app): State<AppState>,
    s: Sessao,
    Path(id): Path<String>,
) -> Response {
    let leitor = match &s.operadora {
        None => Leitor::Ans,
        Some(o) if s.pode(Escopo::Consulta) => Leitor::Operadora(o),
        Some(_) => return proibido(),
    };
    let Ok(id) = id.parse::<i64>() else {
        return nao_encontrado("O documento");
    };
    let arm = ArmazenamentoLocal {
        raiz: app.raiz_documentos.clone(),
    };
    match analise::documento(&app.db, &arm, leitor, id).await {
        Ok((d, bytes)) => {
            let mut r = crate::anexo::em_linha("application/pdf", &d.nome_arquivo, bytes);
            if let Ok(etag) = HeaderValue::from_str(&format!("\"{}\"", d.sha256)) {
                r.headers_mut().insert(header::ETAG, etag);
            }
            r
        }
        Err(e) => falha(e),
    }
}
