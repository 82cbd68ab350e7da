//! ANS decisions: 1st instance, recurso admissibility and reconsideration (DIDES director),
//! and DICOL. Each decision goes through the state machine, is recorded with the value before
//! and after, and is made available to the operator in a notice per process — the 1st-instance
//! notice's ciência opens the recurso period (RN 253/2011 art. 12).
//!
//! Identical cases can be decided together (one decision over many attendances); a partial
//! decision carries a value and is therefore taken one attendance at a time. A batch of
//! decisions is all-or-nothing: one attendance that the rules refuse refuses the whole decision,
//! naming it.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use persus_domain::calendar::CalendarioAns;
use persus_domain::deadline::PrazosVigentes;
use persus_domain::lifecycle::{
    aplicar, DecisaoDicol, DecisaoPrimeiraInstancia, Estado, Evento, JuizoRecurso, Regras,
};
use persus_store::auditoria::{self, Ator, Mudanca};
use persus_store::peticoes::{self, NovaDecisao, Situacao};
use persus_store::Db;
use serde::Serialize;
use serde_json::json;

use super::peticoes::ciclo_de;
use super::ServicoError;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Instancia {
    Primeira,
    Admissibilidade,
    Dicol,
}

impl Instancia {
    pub fn as_str(self) -> &'static str {
        match self {
            Instancia::Primeira => "primeira",
            Instancia::Admissibilidade => "admissibilidade",
            Instancia::Dicol => "dicol",
        }
    }

    /// The state of the attendances waiting in this queue.
    pub fn estado_da_fila(self) -> Estado {
        match self {
            Instancia::Primeira => Estado::Impugnado,
            Instancia::Admissibilidade => Estado::EmRecurso,
            Instancia::Dicol => Estado::EmDicol,
        }
    }
}

/// The analysis queue of an instance, oldest first.
pub async fn fila(
    db: &Db,
    instancia: Instancia,
    limite: i64,
) -> Result<Vec<Situacao>, ServicoError> {
    Ok(peticoes::situacoes_no_estado(db, instancia.estado_da_fila().as_str(), limite).await?)
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ResultadoDecisao {
    pub atendimentos: usize,
    pub notificacoes: Vec<i64>,
    pub para: Vec<(i64, Estado)>,
}

fn resultado(evento: &Evento) -> &'static str {
    match evento {
        Evento::DecisaoPrimeiraInstancia { decisao } => match decisao {
            DecisaoPrimeiraInstancia::Deferida => "deferida",
            DecisaoPrimeiraInstancia::ParcialmenteDeferida { .. } => "parcialmente_deferida",
            DecisaoPrimeiraInstancia::Indeferida => "indeferida",
        },
        Evento::JuizoAdmissibilidade { juizo } => match juizo {
            JuizoRecurso::NaoConhecido { .. } => "nao_conhecido",
            JuizoRecurso::ReconsideradoTotal => "reconsiderado_total",
            JuizoRecurso::ReconsideradoParcial { .. } => "reconsiderado_parcial",
            JuizoRecurso::EncaminhadoDicol => "encaminhado_dicol",
        },
        Evento::DecisaoDicol { decisao } => match decisao {
            DecisaoDicol::Provido => "provido",
            DecisaoDicol::ParcialmenteProvido { .. } => "parcialmente_provido",
            DecisaoDicol::NaoProvido => "nao_provido",
        },
        _ => "outro",
    }
}

/// A decision that changes the value (taken one attendance at a time).
pub fn parcial(evento: &Evento) -> bool {
    matches!(
        evento,
        Evento::DecisaoPrimeiraInstancia {
            decisao: DecisaoPrimeiraInstancia::ParcialmenteDeferida { .. }
        } | Evento::JuizoAdmissibilidade {
            juizo: JuizoRecurso::ReconsideradoParcial { .. }
        } | Evento::DecisaoDicol {
            decisao: DecisaoDicol::ParcialmenteProvido { .. }
        }
    )
}

/// Decides `atendimentos` with one `evento` of `instancia`.
#[allow(clippy::too_many_arguments)]
pub async fn decidir(
    db: &Db,
    instancia: Instancia,
    atendimentos: &[i64],
    evento: &Evento,
    fundamentacao: &str,
    hoje: NaiveDate,
    agora: DateTime<Utc>,
    calendario: &CalendarioAns,
    prazos: &PrazosVigentes,
    ator: &Ator,
) -> Result<ResultadoDecisao, ServicoError> {
    if fundamentacao.trim().chars().count() < 10 {
        return Err(ServicoError::campo(
            "fundamentacao",
            "informe a fundamentação da decisão (ao menos 10 caracteres)",
        ));
    }
    if atendimentos.is_empty() {
        return Err(ServicoError::campo(
            "atendimentos",
            "informe ao menos um atendimento",
        ));
    }
    if parcial(evento) && atendimentos.len() > 1 {
        return Err(ServicoError::campo(
            "atendimentos",
            "decisão parcial altera o valor: decida um atendimento por vez",
        ));
    }
    let evento_da_instancia = matches!(
        (instancia, evento),
        (Instancia::Primeira, Evento::DecisaoPrimeiraInstancia { .. })
            | (
                Instancia::Admissibilidade,
                Evento::JuizoAdmissibilidade { .. }
            )
            | (Instancia::Dicol, Evento::DecisaoDicol { .. })
    );
    if !evento_da_instancia {
        return Err(ServicoError::Regra(format!(
            "esta decisão não é da instância {}",
            instancia.as_str()
        )));
    }
    let regras = Regras { calendario, prazos };
    let mut tx = db.begin().await?;
    let mut planos = Vec::with_capacity(atendimentos.len());
    let mut erros = Vec::new();
    for id in atendimentos {
        let Some(s) = peticoes::situacao(&mut tx, *id).await? else {
            erros.push(format!("atendimento {id} não existe"));
            continue;
        };
        let ciclo = ciclo_de(&s).map_err(ServicoError::Regra)?;
        match aplicar(&ciclo, evento, &regras) {
            Ok(t) => planos.push((s, ciclo.valor, t)),
            Err(v) => erros.push(format!("atendimento {}: {v}", s.numero)),
        }
    }
    if !erros.is_empty() {
        return Err(ServicoError::Regra(erros.join("; ")));
    }
    let tipo_notificacao = match instancia {
        Instancia::Primeira => "decisao_primeira_instancia",
        _ => "decisao_recurso",
    };
    let mut por_processo: BTreeMap<i64, Vec<usize>> = BTreeMap::new();
    for (i, (s, _, _)) in planos.iter().enumerate() {
        por_processo
            .entry(s.processo_id.unwrap_or_default())
            .or_default()
            .push(i);
    }
    let mut notificacoes = Vec::new();
    for (processo_id, idx) in &por_processo {
        let conteudo = json!({
            "documento": "Decisão",
            "instancia": instancia.as_str(),
            "resultado": resultado(evento),
            "fundamentacao": fundamentacao,
            "atendimentos": idx.iter().map(|i| &planos[*i].0.numero).collect::<Vec<_>>(),
        });
        let notificacao =
            peticoes::inserir_notificacao(&mut tx, *processo_id, tipo_notificacao, hoje, &conteudo)
                .await?;
        notificacoes.push(notificacao);
        for i in idx {
            let (s, antes, t) = &planos[*i];
            peticoes::atualizar_atendimentos(
                &mut tx,
                &[(s.id, t.para.as_str(), t.ciclo.valor.value())],
            )
            .await?;
            peticoes::inserir_decisao(
                &mut tx,
                &NovaDecisao {
                    atendimento_id: s.id,
                    instancia: instancia.as_str(),
                    resultado: resultado(evento),
                    valor_anterior: antes.value(),
                    valor_novo: t.ciclo.valor.value(),
                    fundamentacao,
                    por: &ator.ator,
                    em: agora,
                    notificacao_id: notificacao,
                },
            )
            .await?;
            if matches!(t.para, Estado::Retificado | Estado::Mantido) {
                peticoes::definir_notificacao_decisao(&mut tx, s.id, notificacao).await?;
            }
        }
        let numeros: Vec<&str> = idx.iter().map(|i| planos[*i].0.numero.as_str()).collect();
        persus_store::webhooks::registrar_evento(
            &mut tx,
            idx.first().map(|i| planos[*i].0.operadora.as_str()),
            "decisao.publicada",
            &json!({
                "notificacao": notificacao, "tipo": tipo_notificacao, "instancia": instancia.as_str(),
                "resultado": resultado(evento), "atendimentos": numeros, "disponibilizada_em": hoje,
            }),
            agora,
        )
        .await?;
        auditoria::registrar(
            &mut tx,
            ator,
            Mudanca {
                acao: "decisao.publicada",
                entidade: "notificacao",
                entidade_id: &notificacao.to_string(),
                antes: None,
                depois: Some(json!({
                    "instancia": instancia.as_str(), "resultado": resultado(evento),
                    "atendimentos": idx.iter().map(|i| planos[*i].0.id).collect::<Vec<_>>(),
                    "para": idx.iter().map(|i| planos[*i].2.para.as_str()).collect::<Vec<_>>(),
                })),
            },
            agora,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(ResultadoDecisao {
        atendimentos: planos.len(),
        notificacoes,
        para: planos.iter().map(|(s, _, t)| (s.id, t.para)).collect(),
    })
}
