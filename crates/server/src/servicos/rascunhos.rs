//! Drafts: an operator prepares a petition over days (grounds, reasoning, attendances,
//! documents), saves it as often as it likes, and protocols it when ready. Protocol applies
//! every rule of [`super::peticoes`] on that day — the deadline counts at protocol, not at the
//! draft — and from then on nothing of the petition can change or be discarded.

use std::collections::HashSet;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use persus_domain::calendar::CalendarioAns;
use persus_domain::deadline::PrazosVigentes;
use persus_domain::lifecycle::Regras;
use persus_store::auditoria::{self, Ator, Mudanca};
use persus_store::peticoes::{self as store, NovaPeticao};
use persus_store::Db;
use serde::Serialize;
use serde_json::json;

pub use super::peticoes::Recibo;
use super::peticoes::{contexto, mover, numero_protocolo, validar, Pedido, TipoPeticao};
use super::ServicoError;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Rascunho {
    pub id: i64,
    pub pedido: Pedido,
}

/// Creates (`id` = None) or replaces a draft. Only what identifies the petition is checked
/// now — the process, the attendances and the documents must be the operator's, the grounds
/// must exist; deadlines and completeness are judged at protocol.
pub async fn salvar(
    db: &Db,
    operadora: &str,
    id: Option<i64>,
    pedido: &Pedido,
    agora: DateTime<Utc>,
    ator: &Ator,
) -> Result<Rascunho, ServicoError> {
    let ctx = contexto(db, operadora).await?;
    let mut erros = Vec::new();
    let processo_id = ctx.processo(&pedido.processo);
    if processo_id.is_none() {
        erros.push(format!(
            "processo {} não encontrado para esta operadora",
            pedido.processo
        ));
    }
    if !super::peticoes::catalogo().contains_key(pedido.motivo.trim()) {
        erros.push(format!(
            "motivo \"{}\" não existe no catálogo",
            pedido.motivo
        ));
    }
    let mut atendimentos = Vec::new();
    let mut vistos = HashSet::new();
    for numero in &pedido.atendimentos {
        let numero = numero.trim();
        match ctx.atendimento(numero) {
            Some(s) if s.processo_id == processo_id => {
                if vistos.insert(s.id) {
                    atendimentos.push(s.id);
                }
            }
            Some(_) => erros.push(format!(
                "atendimento {numero} não pertence ao processo {}",
                pedido.processo
            )),
            None => erros.push(format!(
                "atendimento {numero} não encontrado entre os atendimentos notificados à operadora"
            )),
        }
    }
    if let Some(falta) = pedido
        .documentos
        .iter()
        .find(|d| ctx.recibo_documentos(&[**d]).is_empty())
    {
        erros.push(format!(
            "documento {falta} não encontrado entre os documentos da operadora"
        ));
    }
    if !erros.is_empty() {
        return Err(ServicoError::Regra(erros.join("; ")));
    }
    let nova = NovaPeticao {
        tipo: pedido.tipo.as_str(),
        processo_id: processo_id.unwrap_or_default(),
        operadora,
        motivo: pedido.motivo.trim(),
        fundamentacao: pedido.fundamentacao.trim(),
        auditor: pedido.auditor.as_deref().filter(|a| !a.trim().is_empty()),
        protocolo: None,
        em: agora,
        por: &ator.ator,
        atendimentos: &atendimentos,
        documentos: &pedido.documentos,
    };
    let mut tx = db.begin().await?;
    let id = match id {
        None => store::inserir_peticao(&mut tx, &nova).await?,
        Some(id) => {
            if !store::substituir_rascunho(&mut tx, id, &nova).await? {
                return Err(nao_editavel(db, operadora, id).await?);
            }
            id
        }
    };
    auditoria::registrar(
        &mut tx,
        ator,
        Mudanca {
            acao: "peticao.rascunho_salvo",
            entidade: "peticao",
            entidade_id: &id.to_string(),
            antes: None,
            depois: Some(json!({
                "tipo": pedido.tipo.as_str(), "processo": pedido.processo, "motivo": pedido.motivo,
                "atendimentos": atendimentos.len(), "documentos": pedido.documentos,
            })),
        },
        agora,
    )
    .await?;
    tx.commit().await?;
    Ok(Rascunho {
        id,
        pedido: pedido.clone(),
    })
}

/// The reason a petition cannot be edited: it does not exist for the operator, or it was
/// protocolled.
async fn nao_editavel(db: &Db, operadora: &str, id: i64) -> Result<ServicoError, ServicoError> {
    Ok(match store::peticao(db, id).await? {
        Some(p) if p.operadora == operadora && p.estado == "protocolada" => {
            ServicoError::Regra(format!(
                "a petição {id} foi protocolada sob o nº {}; depois do protocolo nada pode ser alterado",
                p.protocolo.unwrap_or_default()
            ))
        }
        _ => ServicoError::NaoEncontrado(format!("Rascunho {id}")),
    })
}

/// A draft of the operator as a [`Pedido`].
pub async fn carregar(db: &Db, operadora: &str, id: i64) -> Result<Rascunho, ServicoError> {
    let p = store::peticao(db, id)
        .await?
        .filter(|p| p.operadora == operadora && p.estado == "rascunho");
    let Some(p) = p else {
        return Err(nao_editavel(db, operadora, id).await?);
    };
    Ok(Rascunho {
        id,
        pedido: Pedido {
            tipo: if p.tipo == "recurso" {
                TipoPeticao::Recurso
            } else {
                TipoPeticao::Impugnacao
            },
            processo: store::nup(db, p.processo_id).await?.unwrap_or_default(),
            atendimentos: store::numeros_da_peticao(db, id).await?,
            motivo: p.motivo,
            fundamentacao: p.fundamentacao,
            auditor: p.auditor,
            documentos: store::documentos_da_peticao(db, id).await?,
        },
    })
}

/// Protocols a draft under every rule of a petition, judged on `hoje`.
#[allow(clippy::too_many_arguments)]
pub async fn protocolar(
    db: &Db,
    operadora: &str,
    id: i64,
    hoje: NaiveDate,
    agora: DateTime<Utc>,
    calendario: &CalendarioAns,
    prazos: &PrazosVigentes,
    ator: &Ator,
) -> Result<Recibo, ServicoError> {
    let rascunho = carregar(db, operadora, id).await?;
    let pedido = &rascunho.pedido;
    let ctx = contexto(db, operadora).await?;
    let regras = Regras { calendario, prazos };
    let validado = validar(pedido, &ctx, &HashSet::new(), hoje, &regras)
        .map_err(|e| ServicoError::Regra(e.join("; ")))?;

    let mut tx = db.begin().await?;
    let seq = store::reservar_protocolos(&mut tx, hoje.year(), 1).await?;
    let protocolo = numero_protocolo(hoje.year(), seq);
    if !store::protocolar_rascunho(&mut tx, id, &protocolo, agora).await? {
        return Err(nao_editavel(db, operadora, id).await?);
    }
    let movidos = mover(&mut tx, &[&validado]).await?;
    auditoria::registrar(
        &mut tx,
        ator,
        Mudanca {
            acao: "peticao.protocolada",
            entidade: "peticao",
            entidade_id: &id.to_string(),
            antes: Some(json!({ "estado": "rascunho" })),
            depois: Some(
                json!({ "estado": "protocolada", "protocolo": protocolo, "atendimentos": movidos }),
            ),
        },
        agora,
    )
    .await?;
    tx.commit().await?;
    Ok(Recibo {
        protocolo,
        protocolada_em: agora,
        tipo: pedido.tipo,
        processo: pedido.processo.clone(),
        atendimentos: pedido.atendimentos.clone(),
        documentos: ctx.recibo_documentos(&pedido.documentos),
    })
}

/// Discards a draft (a protocolled petition cannot be discarded).
pub async fn descartar(
    db: &Db,
    operadora: &str,
    id: i64,
    agora: DateTime<Utc>,
    ator: &Ator,
) -> Result<(), ServicoError> {
    let mut tx = db.begin().await?;
    if !store::descartar_rascunho(&mut tx, id, operadora).await? {
        return Err(nao_editavel(db, operadora, id).await?);
    }
    auditoria::registrar(
        &mut tx,
        ator,
        Mudanca {
            acao: "peticao.rascunho_descartado",
            entidade: "peticao",
            entidade_id: &id.to_string(),
            antes: Some(json!({ "estado": "rascunho" })),
            depois: None,
        },
        agora,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
