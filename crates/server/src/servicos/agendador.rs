//! The scheduler: applies the time-driven transitions due on a date, idempotently.
//!
//! It never decides a transition itself: for each notice it builds the lifecycle facts its
//! attendances share, asks the domain's state machine ([`evento_por_decurso`], [`aplicar`])
//! what happens on that date, and writes the result for all of them at once. Running it twice
//! for the same date changes nothing the second time.

use chrono::{Duration, NaiveDate};
use persus_domain::acesso::TipoNotificacao;
use persus_domain::calendar::CalendarioAns;
use persus_domain::deadline::{Prazo, PrazosVigentes};
use persus_domain::lifecycle::{aplicar, evento_por_decurso, Ciclo, Estado, Evento, Regras};
use persus_domain::money::Centavos;
use persus_store::auditoria::{self, Ator, Mudanca};
use persus_store::{peticoes, processos, Db};
use serde::Serialize;
use serde_json::json;

use super::ServicoError;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ResumoTick {
    pub ciencias_presumidas: usize,
    pub atendimentos_notificados: u64,
    pub prazos_encerrados: usize,
    pub atendimentos_devidos: u64,
    /// Periods announced as about to end (`prazo.proximo`).
    pub prazos_avisados: usize,
    /// Debts constituted over attendances that became due.
    pub debitos_constituidos: usize,
    /// Parcelamentos rescinded, CADIN notices and inclusions, referrals to dívida ativa.
    pub cobranca: super::cobranca::ResumoCobranca,
    /// Stored answers of keyed API requests whose replay window ended (deleted).
    pub idempotencias_expiradas: u64,
}

/// How many expired idempotency records one delete statement removes.
pub const LOTE_IDEMPOTENCIA: i64 = 1_000;

/// An open period is announced (`prazo.proximo`, once) when this many business days or fewer
/// are left, counting the last day.
pub const AVISO_DIAS_UTEIS: i64 = 5;

/// Business days from the day after `hoje` to `vencimento`, both counted (0 if it is today or past).
pub fn dias_uteis_restantes(
    calendario: &CalendarioAns,
    hoje: NaiveDate,
    vencimento: NaiveDate,
) -> i64 {
    let mut n = 0;
    let mut d = hoje;
    while d < vencimento {
        d += Duration::days(1);
        if calendario.is_dia_util(d) {
            n += 1;
        }
    }
    n
}

pub async fn executar(
    db: &Db,
    hoje: NaiveDate,
    calendario: &CalendarioAns,
    prazos: &PrazosVigentes,
    ator: &Ator,
    agora: chrono::DateTime<chrono::Utc>,
) -> Result<ResumoTick, ServicoError> {
    let regras = Regras { calendario, prazos };
    let mut resumo = ResumoTick::default();

    // 1. Presumed ciência (RN 377/2015), of Ofícios ABI and of decisions.
    let limite = hoje - Duration::days(i64::from(prazos.ciencia_presumida_dias.get()));
    for n in processos::sem_ciencia_ate(db, limite).await? {
        if let Some(p) =
            super::ciencia::registrar_presumida(db, &n, hoje, &regras, ator, agora).await?
        {
            resumo.ciencias_presumidas += 1;
            resumo.atendimentos_notificados += p.atendimentos;
        }
    }

    // 2. Impugnação period over with nothing filed: due (RN 358/2014 art. 33).
    for n in processos::prazo_vencido_antes(db, hoje).await? {
        let Some(prazo) = n
            .prazo
            .as_deref()
            .and_then(|p| serde_json::from_str::<Prazo>(p).ok())
        else {
            continue;
        };
        let mut ciclo = Ciclo::identificado(Centavos::new(1));
        ciclo.estado = Estado::Notificado;
        ciclo.disponibilizado_em = Some(n.disponibilizada_em);
        ciclo.ciencia_em = n.ciencia_em;
        ciclo.prazo_impugnacao = Some(prazo);
        let Some(evento @ Evento::PrazoImpugnacaoEncerrado { .. }) =
            evento_por_decurso(&ciclo, hoje, prazos)
        else {
            continue;
        };
        let t =
            aplicar(&ciclo, &evento, &regras).map_err(|v| ServicoError::Regra(v.to_string()))?;
        let mut tx = db.begin().await?;
        if !processos::encerrar_prazo(&mut tx, n.id, hoje).await? {
            continue; // another run closed it
        }
        let movidos = processos::transicionar(&mut tx, n.id, t.de, t.para).await?;
        auditoria::registrar(
            &mut tx,
            ator,
            Mudanca {
                acao: "notificacao.prazo_impugnacao_encerrado",
                entidade: "notificacao",
                entidade_id: &n.id.to_string(),
                antes: Some(json!({ "estado_atendimentos": t.de.as_str() })),
                depois: Some(json!({ "estado_atendimentos": t.para.as_str(), "atendimentos": movidos, "regra": t.regra })),
            },
            agora,
        )
        .await?;
        tx.commit().await?;
        resumo.prazos_encerrados += 1;
        resumo.atendimentos_devidos += movidos;
    }

    // 3. Recurso period over with nothing filed: due (RN 253/2011 art. 12 §2).
    for (notificacao_id, _) in peticoes::prazo_recurso_vencido_antes(db, hoje).await? {
        let n = processos::notificacao(db, notificacao_id).await?;
        let Some(prazo) = n
            .prazo
            .as_deref()
            .and_then(|p| serde_json::from_str::<Prazo>(p).ok())
        else {
            continue;
        };
        let mut movidos = 0;
        let mut tx = db.begin().await?;
        if !processos::encerrar_prazo(&mut tx, n.id, hoje).await? {
            continue;
        }
        for estado in [Estado::Retificado, Estado::Mantido] {
            let mut ciclo = Ciclo::identificado(Centavos::new(1));
            ciclo.estado = estado;
            ciclo.decisao_disponibilizada_em = Some(n.disponibilizada_em);
            ciclo.prazo_recurso = Some(prazo.clone());
            let Some(evento @ Evento::PrazoRecursoEncerrado { .. }) =
                evento_por_decurso(&ciclo, hoje, prazos)
            else {
                continue;
            };
            let t = aplicar(&ciclo, &evento, &regras)
                .map_err(|v| ServicoError::Regra(v.to_string()))?;
            movidos += processos::transicionar_por_decisao(&mut tx, n.id, t.de, t.para).await?;
        }
        auditoria::registrar(
            &mut tx,
            ator,
            Mudanca {
                acao: "notificacao.prazo_recurso_encerrado",
                entidade: "notificacao",
                entidade_id: &n.id.to_string(),
                antes: None,
                depois: Some(json!({ "estado_atendimentos": Estado::Devido.as_str(), "atendimentos": movidos, "regra": "RN 253/2011 art. 12 §2" })),
            },
            agora,
        )
        .await?;
        tx.commit().await?;
        resumo.prazos_encerrados += 1;
        resumo.atendimentos_devidos += movidos;
    }

    // 4. Periods about to end: a warning to the operator's systems, once per notice.
    let horizonte = hoje + Duration::days(3 * AVISO_DIAS_UTEIS);
    for (n, nup) in processos::prazos_a_avisar(db, horizonte).await? {
        let Some(vencimento) = n.vencimento.filter(|v| *v >= hoje) else {
            continue; // already over: step 2 or 3 closes it
        };
        let restantes = dias_uteis_restantes(calendario, hoje, vencimento);
        if restantes > AVISO_DIAS_UTEIS {
            continue;
        }
        let mut tx = db.begin().await?;
        if !processos::marcar_aviso_de_prazo(&mut tx, n.id, hoje).await? {
            continue;
        }
        let prazo_de = if n.tipo == TipoNotificacao::OficioAbi {
            "impugnacao"
        } else {
            "recurso"
        };
        let operadora = persus_store::webhooks::operadora_da_notificacao(&mut tx, n.id).await?;
        persus_store::webhooks::registrar_evento(
            &mut tx,
            operadora.as_deref(),
            persus_domain::eventos::TipoEvento::PrazoProximo,
            &json!({
                "notificacao": n.id, "processo": nup, "prazo_de": prazo_de,
                "vencimento": vencimento, "dias_uteis_restantes": restantes,
            }),
            agora,
        )
        .await?;
        tx.commit().await?;
        resumo.prazos_avisados += 1;
    }

    // 5. What became due is charged: one debt per process (RN 358/2014 art. 33).
    resumo.debitos_constituidos =
        super::cobranca::constituir_debitos(db, hoje, calendario, ator, agora).await?;

    // 6. The collection path: rescission of parcelamentos in default, CADIN, dívida ativa.
    resumo.cobranca = super::cobranca::cobrar(
        db,
        hoje,
        &persus_domain::cobranca::PrazosCobranca::padrao(),
        ator,
        agora,
    )
    .await?;

    // 7. Answers of keyed requests past their replay window (docs/API-DESIGN.md) are deleted.
    resumo.idempotencias_expiradas =
        persus_store::idempotencia::purgar(db, agora, LOTE_IDEMPOTENCIA).await?;
    Ok(resumo)
}
