//! Explicit ciência: the operator opens a notice. Recorded once, with who and when; the first
//! reading wins over the later presumption (RN 377/2015), and the period counts from it.

use chrono::{DateTime, NaiveDate, Utc};
use persus_domain::calendar::CalendarioAns;
use persus_domain::deadline::PrazosVigentes;
use persus_domain::lifecycle::{aplicar, Ciclo, Estado, Evento, FormaCiencia, Regras};
use persus_domain::money::Centavos;
use persus_store::auditoria::{self, Ator, Mudanca};
use persus_store::{processos, Db};
use serde::Serialize;
use serde_json::json;

use super::ServicoError;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Ciencia {
    pub notificacao: i64,
    pub ciencia_em: NaiveDate,
    pub forma: &'static str,
    pub vencimento: Option<NaiveDate>,
    /// False when ciência had already been recorded (reading again changes nothing).
    pub registrada_agora: bool,
}

#[allow(clippy::too_many_arguments)]
pub async fn registrar_expressa(
    db: &Db,
    notificacao_id: i64,
    operadora: &str,
    quem: &str,
    hoje: NaiveDate,
    agora: DateTime<Utc>,
    calendario: &CalendarioAns,
    prazos: &PrazosVigentes,
    ator: &Ator,
) -> Result<Ciencia, ServicoError> {
    let n = processos::notificacao_da_operadora(db, notificacao_id, operadora)
        .await?
        .ok_or_else(|| {
            ServicoError::Regra(format!("notificação {notificacao_id} não encontrada"))
        })?;
    if let Some(em) = n.ciencia_em {
        return Ok(Ciencia {
            notificacao: n.id,
            ciencia_em: em,
            forma: if n.ciencia_forma.as_deref() == Some("presumida") {
                "presumida"
            } else {
                "expressa"
            },
            vencimento: n.vencimento,
            registrada_agora: false,
        });
    }
    let regras = Regras { calendario, prazos };
    let mut ciclo = Ciclo::identificado(Centavos::new(1));
    let (evento, abi) = match n.tipo.as_str() {
        "oficio_abi" => {
            ciclo.estado = Estado::AguardandoCiencia;
            ciclo.disponibilizado_em = Some(n.disponibilizada_em);
            (
                Evento::Ciencia {
                    em: hoje,
                    forma: FormaCiencia::Expressa,
                },
                true,
            )
        }
        "decisao_primeira_instancia" => {
            ciclo.estado = Estado::Mantido;
            ciclo.decisao_disponibilizada_em = Some(n.disponibilizada_em);
            (
                Evento::CienciaDecisao {
                    em: hoje,
                    forma: FormaCiencia::Expressa,
                },
                false,
            )
        }
        _ => {
            let mut tx = db.begin().await?;
            processos::registrar_ciencia(&mut tx, n.id, hoje, "expressa", Some(quem), None, None)
                .await?;
            tx.commit().await?;
            return Ok(Ciencia {
                notificacao: n.id,
                ciencia_em: hoje,
                forma: "expressa",
                vencimento: None,
                registrada_agora: true,
            });
        }
    };
    let t = aplicar(&ciclo, &evento, &regras).map_err(|v| ServicoError::Regra(v.to_string()))?;
    let prazo = if abi {
        t.ciclo.prazo_impugnacao.clone()
    } else {
        t.ciclo.prazo_recurso.clone()
    };
    let prazo_json = prazo.as_ref().and_then(|p| serde_json::to_string(p).ok());
    let mut tx = db.begin().await?;
    let gravou = processos::registrar_ciencia(
        &mut tx,
        n.id,
        hoje,
        "expressa",
        Some(quem),
        prazo_json.as_deref(),
        prazo.as_ref().map(|p| p.vencimento),
    )
    .await?;
    let movidos = if abi && gravou {
        processos::transicionar(&mut tx, n.id, t.de.as_str(), t.para.as_str()).await?
    } else {
        0
    };
    auditoria::registrar(
        &mut tx,
        ator,
        Mudanca {
            acao: "notificacao.ciencia_expressa",
            entidade: "notificacao",
            entidade_id: &n.id.to_string(),
            antes: None,
            depois: Some(json!({ "por": quem, "ciencia_em": hoje, "prazo": prazo, "atendimentos": movidos, "regra": t.regra })),
        },
        agora,
    )
    .await?;
    tx.commit().await?;
    Ok(Ciencia {
        notificacao: n.id,
        ciencia_em: hoje,
        forma: "expressa",
        vencimento: prazo.map(|p| p.vencimento),
        registrada_agora: gravou,
    })
}
