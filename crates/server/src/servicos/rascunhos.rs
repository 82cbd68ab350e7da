//! Drafts: an operator prepares a petition over days (grounds, reasoning, attendances,
//! documents), saves it as often as it likes, and protocols it when ready. Protocol applies
//! every rule of [`super::peticoes`] on that day — the deadline counts at protocol, not at the
//! draft — and from then on nothing of the petition can change or be discarded.

use std::collections::HashSet;

use chrono::{DateTime, Datelike, Utc};
use persus_store::auditoria::{self, Ator, Mudanca};
use persus_store::peticoes::{self as store, NovaPeticao};
use persus_store::Db;
use serde::Serialize;
use serde_json::json;

pub use super::peticoes::Recibo;
use super::peticoes::{contexto, mover, numero_protocolo, validar, EstadoPeticao, Ocasiao, Pedido};
use super::{CampoInvalido, ServicoError};

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
        erros.push(CampoInvalido::new(
            "processo",
            format!(
                "processo {} não encontrado para esta operadora",
                pedido.processo
            ),
        ));
    }
    if !super::peticoes::catalogo().contains_key(pedido.motivo.trim()) {
        erros.push(CampoInvalido::new(
            "motivo",
            format!("motivo \"{}\" não existe no catálogo", pedido.motivo),
        ));
    }
    let mut atendimentos = Vec::new();
    let mut vistos = HashSet::new();
    for numero in &pedido.atendimentos {
        let numero = numero.trim();
        let problema = match ctx.atendimento(numero) {
            Some(s) if s.processo_id == processo_id => {
                if vistos.insert(s.id) {
                    atendimentos.push(s.id);
                }
                continue;
            }
            Some(_) => format!(
                "atendimento {numero} não pertence ao processo {}",
                pedido.processo
            ),
            None => format!(
                "atendimento {numero} não encontrado entre os atendimentos notificados à operadora"
            ),
        };
        erros.push(CampoInvalido::new("atendimentos", problema));
    }
    if let Some(falta) = pedido
        .documentos
        .iter()
        .find(|d| ctx.recibo_documentos(&[**d]).is_empty())
    {
        erros.push(CampoInvalido::new(
            "documentos",
            format!("documento {falta} não encontrado entre os documentos da operadora"),
        ));
    }
    if !erros.is_empty() {
        return Err(ServicoError::Invalido(erros));
    }
    let nova = NovaPeticao {
        tipo: pedido.tipo,
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
    Ok(match situacao(db, operadora, id).await? {
        SituacaoRascunho::Protocolada(protocolo) => ServicoError::Regra(format!(
            "a petição {id} foi protocolada sob o nº {protocolo}; depois do protocolo nada pode ser alterado"
        )),
        SituacaoRascunho::Rascunho
        | SituacaoRascunho::Descartado
        | SituacaoRascunho::Inexistente => {
            ServicoError::NaoEncontrado(format!("O rascunho {id}"))
        }
    })
}

/// Where a petition id of an operator stands (another operator's does not exist for it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SituacaoRascunho {
    Rascunho,
    /// Protocolled under this number: the receipt is what is left to see.
    Protocolada(String),
    /// Discarded by the operator (the audit trail says so).
    Descartado,
    /// Never existed, or another operator's.
    Inexistente,
}

pub async fn situacao(db: &Db, operadora: &str, id: i64) -> Result<SituacaoRascunho, ServicoError> {
    Ok(match store::peticao(db, id).await? {
        Some(p) if p.operadora == operadora => match (p.estado, p.protocolo) {
            (EstadoPeticao::Protocolada, Some(n)) => SituacaoRascunho::Protocolada(n),
            (EstadoPeticao::Protocolada, None) => {
                return Err(ServicoError::Interno(format!(
                    "petição {id} protocolada sem número"
                )))
            }
            (EstadoPeticao::Rascunho, _) => SituacaoRascunho::Rascunho,
        },
        Some(_) => SituacaoRascunho::Inexistente,
        None if store::rascunho_descartado(db, id, operadora).await? => {
            SituacaoRascunho::Descartado
        }
        None => SituacaoRascunho::Inexistente,
    })
}

/// A draft of the operator as a [`Pedido`].
pub async fn carregar(db: &Db, operadora: &str, id: i64) -> Result<Rascunho, ServicoError> {
    let p = store::peticao(db, id)
        .await?
        .filter(|p| p.operadora == operadora && p.estado == EstadoPeticao::Rascunho);
    let Some(p) = p else {
        return Err(nao_editavel(db, operadora, id).await?);
    };
    let processo = store::nup(db, p.processo_id)
        .await?
        .ok_or_else(|| ServicoError::Interno(format!("rascunho {id} sem processo")))?;
    Ok(Rascunho {
        id,
        pedido: Pedido {
            tipo: p.tipo,
            processo,
            atendimentos: store::numeros_da_peticao(db, id).await?,
            motivo: p.motivo,
            fundamentacao: p.fundamentacao,
            auditor: p.auditor,
            documentos: store::documentos_da_peticao(db, id).await?,
        },
    })
}

/// The documents attached to a draft of the operator.
pub async fn documentos(
    db: &Db,
    operadora: &str,
    id: i64,
) -> Result<Vec<store::Documento>, ServicoError> {
    carregar(db, operadora, id).await?;
    Ok(store::documentos_de(db, id).await?)
}

/// Protocols a draft under every rule of a petition, judged on `o.hoje`.
pub async fn protocolar(
    db: &Db,
    operadora: &str,
    id: i64,
    o: &Ocasiao<'_>,
) -> Result<Recibo, ServicoError> {
    let (hoje, agora, ator) = (o.hoje, o.agora, o.ator);
    let rascunho = carregar(db, operadora, id).await?;
    let pedido = &rascunho.pedido;
    let ctx = contexto(db, operadora).await?;
    let regras = o.regras();
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
            antes: Some(json!({ "estado": EstadoPeticao::Rascunho })),
            depois: Some(
                json!({ "estado": EstadoPeticao::Protocolada, "protocolo": protocolo, "atendimentos": movidos }),
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
            antes: Some(json!({ "estado": EstadoPeticao::Rascunho })),
            depois: None,
        },
        agora,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
