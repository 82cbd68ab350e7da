//! Ciência of a notice: explicit (the operator opens it) or presumed (RN 377/2015, 10 calendar
//! days after availability). Which one a notice has is decided in one place for the Ofício ABI
//! and the decisions alike, [`apurar_ciencia`]: a reading up to the presumption day is explicit
//! ciência (recorded once, with who and when, and the period counts from it); a reading after it
//! is only recorded (`notificacao.leitura`, for the audit and LGPD access log) — the ciência is
//! the presumed one and the period does not move. The scheduler and a late reading record the
//! presumption through the same function, [`registrar_presumida`].

use chrono::{DateTime, NaiveDate, Utc};
use persus_domain::acesso::TipoNotificacao;
use persus_domain::calendar::CalendarioAns;
use persus_domain::deadline::{Prazo, PrazosVigentes};
use persus_domain::lifecycle::{
    aplicar, apurar_ciencia, Ciclo, Estado, Evento, FormaCiencia, Regras, Transicao,
};
use persus_domain::money::Centavos;
use persus_store::auditoria::{self, Ator, Mudanca};
use persus_store::processos::{self, Notificacao};
use persus_store::Db;
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
    // A reading after the presumption day finds ciência presumed (already, in law): false too.
    pub registrada_agora: bool,
}

/// The lifecycle facts a notice's attendances share, and the ciência event on `em`; `None` for
/// notices that open no period (final decisions).
fn ciclo_e_evento(n: &Notificacao, em: NaiveDate, forma: FormaCiencia) -> Option<(Ciclo, Evento)> {
    let mut ciclo = Ciclo::identificado(Centavos::new(1));
    match n.tipo {
        TipoNotificacao::OficioAbi => {
            ciclo.estado = Estado::AguardandoCiencia;
            ciclo.disponibilizado_em = Some(n.disponibilizada_em);
            Some((ciclo, Evento::Ciencia { em, forma }))
        }
        TipoNotificacao::DecisaoPrimeiraInstancia => {
            // Retificado or mantido alike: the decision's ciência opens the recurso period.
            ciclo.estado = Estado::Mantido;
            ciclo.decisao_disponibilizada_em = Some(n.disponibilizada_em);
            Some((ciclo, Evento::CienciaDecisao { em, forma }))
        }
        TipoNotificacao::DecisaoRecurso => None,
    }
}

/// The period a ciência transition opened (impugnação for the Ofício, recurso for a decision).
fn prazo_aberto(n: &Notificacao, t: &Transicao) -> Option<Prazo> {
    if n.tipo == TipoNotificacao::OficioAbi {
        t.ciclo.prazo_impugnacao.clone()
    } else {
        t.ciclo.prazo_recurso.clone()
    }
}

/// A presumed ciência just recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Presumida {
    pub ciencia_em: NaiveDate,
    pub vencimento: Option<NaiveDate>,
    /// Attendances moved (the Ofício's, from awaiting ciência to notified).
    pub atendimentos: u64,
}

/// Records the presumed ciência of `n` if it is due on `hoje` and nothing was recorded yet:
/// dated the presumption day, with its period, the attendances moved, an audit event and the
/// `ciencia.presumida` webhook event, in one transaction. `None` when not due yet or when
/// ciência was recorded meanwhile.
pub async fn registrar_presumida(
    db: &Db,
    n: &Notificacao,
    hoje: NaiveDate,
    regras: &Regras<'_>,
    ator: &Ator,
    agora: DateTime<Utc>,
) -> Result<Option<Presumida>, ServicoError> {
    let (em, forma) = match apurar_ciencia(
        n.disponibilizada_em,
        hoje,
        FormaCiencia::Presumida,
        regras.prazos,
    ) {
        Ok(x) => x,
        Err(_) => return Ok(None), // not due yet
    };
    let Some((ciclo, evento)) = ciclo_e_evento(n, em, forma) else {
        // Final decisions: ciência is recorded, no period follows here (charging does).
        let mut tx = db.begin().await?;
        if !processos::registrar_ciencia(
            &mut tx,
            n.id,
            em,
            FormaCiencia::Presumida,
            None,
            None,
            None,
        )
        .await?
        {
            return Ok(None);
        }
        tx.commit().await?;
        return Ok(Some(Presumida {
            ciencia_em: em,
            vencimento: None,
            atendimentos: 0,
        }));
    };
    let t = aplicar(&ciclo, &evento, regras).map_err(|v| ServicoError::Regra(v.to_string()))?;
    let Some(prazo) = prazo_aberto(n, &t) else {
        return Ok(None);
    };
    let prazo_json =
        serde_json::to_string(&prazo).map_err(|e| ServicoError::Regra(e.to_string()))?;
    let mut tx = db.begin().await?;
    if !processos::registrar_ciencia(
        &mut tx,
        n.id,
        prazo.ciencia,
        FormaCiencia::Presumida,
        None,
        Some(&prazo_json),
        Some(prazo.vencimento),
    )
    .await?
    {
        return Ok(None); // someone recorded ciência meanwhile
    }
    let movidos = if t.de == t.para {
        0
    } else {
        processos::transicionar(&mut tx, n.id, t.de, t.para).await?
    };
    auditoria::registrar(
        &mut tx,
        ator,
        Mudanca {
            acao: "notificacao.ciencia_presumida",
            entidade: "notificacao",
            entidade_id: &n.id.to_string(),
            antes: Some(json!({ "tipo": n.tipo.as_str(), "estado_atendimentos": t.de.as_str() })),
            depois: Some(json!({
                "estado_atendimentos": t.para.as_str(), "atendimentos": movidos,
                "ciencia_em": prazo.ciencia, "prazo": prazo, "regra": t.regra,
            })),
        },
        agora,
    )
    .await?;
    let operadora = persus_store::webhooks::operadora_da_notificacao(&mut tx, n.id).await?;
    persus_store::webhooks::registrar_evento(
        &mut tx,
        operadora.as_deref(),
        persus_domain::eventos::TipoEvento::CienciaPresumida,
        &json!({ "notificacao": n.id, "tipo": n.tipo.as_str(), "ciencia_em": prazo.ciencia, "vencimento": prazo.vencimento }),
        agora,
    )
    .await?;
    tx.commit().await?;
    Ok(Some(Presumida {
        ciencia_em: prazo.ciencia,
        vencimento: Some(prazo.vencimento),
        atendimentos: movidos,
    }))
}

/// Records a reading that is not the ciência (it came after the presumption): who read what and
/// when, and that the period stands.
async fn registrar_leitura(
    db: &Db,
    n: &Notificacao,
    quem: &str,
    hoje: NaiveDate,
    ator: &Ator,
    agora: DateTime<Utc>,
) -> Result<(), ServicoError> {
    let mut tx = db.begin().await?;
    auditoria::registrar(
        &mut tx,
        ator,
        Mudanca {
            acao: "notificacao.leitura",
            entidade: "notificacao",
            entidade_id: &n.id.to_string(),
            antes: None,
            depois: Some(json!({
                "por": quem, "lida_em": hoje, "ciencia_em": n.ciencia_em,
                "ciencia_forma": n.ciencia_forma, "vencimento": n.vencimento,
                "regra": "RN 377/2015: a leitura após a ciência presumida não altera a ciência nem o prazo",
            })),
        },
        agora,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

fn ja_registrada(n: &Notificacao, em: NaiveDate) -> Result<Ciencia, ServicoError> {
    let forma = n.forma_ciencia()?.unwrap_or(FormaCiencia::Expressa);
    Ok(Ciencia {
        notificacao: n.id,
        ciencia_em: em,
        forma: forma.as_str(),
        vencimento: n.vencimento,
        registrada_agora: false,
    })
}

/// Who opens which notice, and when.
#[derive(Clone, Debug)]
pub struct Leitura<'a> {
    pub notificacao_id: i64,
    pub operadora: &'a str,
    /// Who read it (a login, or `aplicacao:<id>`): recorded with the ciência.
    pub quem: &'a str,
    pub ator: &'a Ator,
    pub hoje: NaiveDate,
    pub agora: DateTime<Utc>,
}

/// The operator's person or system `l.quem` opens a notice on `l.hoje`.
pub async fn registrar_expressa(
    db: &Db,
    l: &Leitura<'_>,
    calendario: &CalendarioAns,
    prazos: &PrazosVigentes,
) -> Result<Ciencia, ServicoError> {
    let Leitura {
        notificacao_id,
        operadora,
        quem,
        ator,
        hoje,
        agora,
    } = *l;
    let nao_encontrada = || ServicoError::NaoEncontrado(format!("Notificação {notificacao_id}"));
    let mut n = processos::notificacao_da_operadora(db, notificacao_id, operadora)
        .await?
        .ok_or_else(nao_encontrada)?;
    if let Some(em) = n.ciencia_em {
        if n.forma_ciencia()? == Some(FormaCiencia::Presumida) {
            registrar_leitura(db, &n, quem, hoje, ator, agora).await?;
        }
        return ja_registrada(&n, em);
    }
    let regras = Regras { calendario, prazos };
    let (em, forma) = apurar_ciencia(n.disponibilizada_em, hoje, FormaCiencia::Expressa, prazos)
        .map_err(|v| ServicoError::Regra(v.to_string()))?;
    if forma == FormaCiencia::Presumida {
        // Read after the presumption day, before the scheduler recorded it: record the
        // presumption now (the same function the scheduler uses), then the reading.
        registrar_presumida(db, &n, hoje, &regras, ator, agora).await?;
        n = processos::notificacao_da_operadora(db, notificacao_id, operadora)
            .await?
            .ok_or_else(nao_encontrada)?;
        registrar_leitura(db, &n, quem, hoje, ator, agora).await?;
        return ja_registrada(&n, n.ciencia_em.unwrap_or(em));
    }
    let Some((ciclo, evento)) = ciclo_e_evento(&n, em, forma) else {
        let mut tx = db.begin().await?;
        let gravou = processos::registrar_ciencia(
            &mut tx,
            n.id,
            em,
            FormaCiencia::Expressa,
            Some(quem),
            None,
            None,
        )
        .await?;
        tx.commit().await?;
        return Ok(Ciencia {
            notificacao: n.id,
            ciencia_em: em,
            forma: FormaCiencia::Expressa.as_str(),
            vencimento: None,
            registrada_agora: gravou,
        });
    };
    let t = aplicar(&ciclo, &evento, &regras).map_err(|v| ServicoError::Regra(v.to_string()))?;
    let prazo = prazo_aberto(&n, &t);
    let prazo_json = prazo.as_ref().and_then(|p| serde_json::to_string(p).ok());
    let mut tx = db.begin().await?;
    let gravou = processos::registrar_ciencia(
        &mut tx,
        n.id,
        em,
        FormaCiencia::Expressa,
        Some(quem),
        prazo_json.as_deref(),
        prazo.as_ref().map(|p| p.vencimento),
    )
    .await?;
    let movidos = if gravou && t.de != t.para {
        processos::transicionar(&mut tx, n.id, t.de, t.para).await?
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
            depois: Some(json!({ "por": quem, "ciencia_em": em, "prazo": prazo, "atendimentos": movidos, "regra": t.regra })),
        },
        agora,
    )
    .await?;
    tx.commit().await?;
    Ok(Ciencia {
        notificacao: n.id,
        ciencia_em: em,
        forma: FormaCiencia::Expressa.as_str(),
        vencimento: prazo.map(|p| p.vencimento),
        registrada_agora: gravou,
    })
}

/// A notice as its reader sees it: the notice, its process's NUP, its published content and,
/// for an operator, the ciência this reading recorded (or the earlier one).
#[derive(Clone, Debug)]
pub struct NotificacaoAberta {
    pub notificacao: Notificacao,
    pub nup: String,
    pub conteudo: serde_json::Value,
    pub ciencia: Option<Ciencia>,
}

/// Opens notice `id`: an operator's reading ([`Leitura`]) records ciência first; ANS (no
/// reading) only reads. Another operator's notice does not exist for the reader.
pub async fn abrir(
    db: &Db,
    id: i64,
    leitura: Option<&Leitura<'_>>,
    calendario: &CalendarioAns,
    prazos: &PrazosVigentes,
) -> Result<NotificacaoAberta, ServicoError> {
    let ciencia = match leitura {
        Some(l) => Some(registrar_expressa(db, l, calendario, prazos).await?),
        None => None,
    };
    let notificacao = processos::notificacao_visivel(db, id, leitura.map(|l| l.operadora))
        .await?
        .ok_or_else(|| ServicoError::NaoEncontrado(format!("Notificação {id}")))?;
    let nup = persus_store::peticoes::nup(db, notificacao.processo_id)
        .await?
        .ok_or_else(|| ServicoError::Interno(format!("notificação {id} sem processo")))?;
    let conteudo = match processos::conteudo_notificacao(db, id).await? {
        Some(texto) => serde_json::from_str(&texto).map_err(|e| {
            ServicoError::Interno(format!("conteúdo da notificação {id} ilegível: {e}"))
        })?,
        None => serde_json::Value::Null,
    };
    Ok(NotificacaoAberta {
        notificacao,
        nup,
        conteudo,
        ciencia,
    })
}
