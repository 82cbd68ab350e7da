//! The attendance lifecycle: one explicit state machine (domain.md §3.2).
//!
//! ```text
//! Identificado ─(notice available)→ AguardandoCiencia ─(ciência: read, or 10 days)→ Notificado
//! Notificado ─(impugnação ≤ deadline)→ Impugnado        Notificado ─(deadline passes)→ Devido
//! Impugnado ─(1st instance)→ Anulado | Retificado (value reduced) | Mantido
//! Retificado/Mantido ─(recurso ≤ deadline after ciência of the decision)→ EmRecurso
//! Retificado/Mantido ─(deadline passes)→ Devido
//! EmRecurso ─(not admitted)→ Devido ; ─(DIDES reconsiders fully)→ Anulado ;
//!            ─(partly / not)→ EmDicol
//! EmDicol ─(provido)→ Anulado ; ─(parcialmente provido)→ Devido (reduced) ; ─(não provido)→ Devido
//! any non-final ─(judicial order)→ Suspenso ─(order lifted)→ the state it had
//! ```
//!
//! [`aplicar`] is a pure function: given an attendance's lifecycle facts and an event, it returns
//! the new facts or the rule the event violates. Nothing else changes an attendance's state;
//! persistence and the scheduler only call it. Deadlines are computed here with the calendar and
//! the periods in force, and stored with the versions used.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::calendar::CalendarioAns;
use crate::deadline::{ciencia_presumida, contar_prazo, Prazo, PrazosVigentes};
use crate::money::Centavos;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Estado {
    Identificado,
    AguardandoCiencia,
    Notificado,
    Impugnado,
    Anulado,
    Retificado,
    Mantido,
    EmRecurso,
    EmDicol,
    Devido,
    Suspenso,
}

impl Estado {
    /// Every state, in lifecycle order.
    pub const TODOS: &'static [Estado] = &ALL;

    pub fn as_str(self) -> &'static str {
        match self {
            Estado::Identificado => "identificado",
            Estado::AguardandoCiencia => "aguardando_ciencia",
            Estado::Notificado => "notificado",
            Estado::Impugnado => "impugnado",
            Estado::Anulado => "anulado",
            Estado::Retificado => "retificado",
            Estado::Mantido => "mantido",
            Estado::EmRecurso => "em_recurso",
            Estado::EmDicol => "em_dicol",
            Estado::Devido => "devido",
            Estado::Suspenso => "suspenso",
        }
    }

    /// Every state, in the order of the lifecycle.
    pub fn todos() -> [Estado; 11] {
        ALL
    }

    pub fn parse(s: &str) -> Option<Estado> {
        ALL.iter().copied().find(|e| e.as_str() == s)
    }

    /// pt-BR label for people.
    pub fn rotulo(self) -> &'static str {
        match self {
            Estado::Identificado => "Identificado",
            Estado::AguardandoCiencia => "Notificado — aguardando ciência",
            Estado::Notificado => "Notificado — prazo de impugnação em curso",
            Estado::Impugnado => "Impugnado — em análise (1ª instância)",
            Estado::Anulado => "Anulado",
            Estado::Retificado => "Retificado (impugnação parcialmente deferida)",
            Estado::Mantido => "Mantido (impugnação indeferida)",
            Estado::EmRecurso => "Em recurso — juízo de admissibilidade",
            Estado::EmDicol => "Em recurso — Diretoria Colegiada",
            Estado::Devido => "Devido",
            Estado::Suspenso => "Suspenso (decisão judicial)",
        }
    }

    /// No event but a judicial one leaves these.
    pub fn is_final(self) -> bool {
        matches!(self, Estado::Anulado | Estado::Devido)
    }
}

impl TryFrom<String> for Estado {
    type Error = crate::rotulado::CodigoDesconhecido;
    /// Decodes a stored state (`#[sqlx(try_from = "String")]`).
    fn try_from(s: String) -> Result<Estado, Self::Error> {
        Estado::parse(&s).ok_or(crate::rotulado::CodigoDesconhecido {
            tipo: "Estado",
            codigo: s,
        })
    }
}

const ALL: [Estado; 11] = [
    Estado::Identificado,
    Estado::AguardandoCiencia,
    Estado::Notificado,
    Estado::Impugnado,
    Estado::Anulado,
    Estado::Retificado,
    Estado::Mantido,
    Estado::EmRecurso,
    Estado::EmDicol,
    Estado::Devido,
    Estado::Suspenso,
];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FormaCiencia {
    /// The operator opened the notice (who and when are recorded by the caller).
    Expressa,
    /// 10 calendar days after availability (RN 377/2015).
    Presumida,
}

impl FormaCiencia {
    /// The code stored in SQL and sent in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            FormaCiencia::Expressa => "expressa",
            FormaCiencia::Presumida => "presumida",
        }
    }

    /// pt-BR label for people.
    pub fn rotulo(self) -> &'static str {
        match self {
            FormaCiencia::Expressa => "expressa",
            FormaCiencia::Presumida => "presumida (10 dias após a disponibilização)",
        }
    }

    pub fn parse(s: &str) -> Option<FormaCiencia> {
        [FormaCiencia::Expressa, FormaCiencia::Presumida]
            .into_iter()
            .find(|f| f.as_str() == s)
    }
}

impl TryFrom<String> for FormaCiencia {
    type Error = crate::rotulado::CodigoDesconhecido;
    /// Decodes a stored form of ciência.
    fn try_from(s: String) -> Result<FormaCiencia, Self::Error> {
        FormaCiencia::parse(&s).ok_or(crate::rotulado::CodigoDesconhecido {
            tipo: "FormaCiencia",
            codigo: s,
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "resultado")]
pub enum DecisaoPrimeiraInstancia {
    Deferida,
    ParcialmenteDeferida { novo_valor: Centavos },
    Indeferida,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "resultado")]
pub enum JuizoRecurso {
    /// Not admitted (intempestive, or missing a requirement): the decision stands.
    NaoConhecido { motivo: String },
    /// The DIDES director reconsiders fully (retratação).
    ReconsideradoTotal,
    /// Reconsidered in part: new value, and the rest goes to DICOL.
    ReconsideradoParcial { novo_valor: Centavos },
    /// Admitted, not reconsidered: to DICOL.
    EncaminhadoDicol,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "resultado")]
pub enum DecisaoDicol {
    Provido,
    ParcialmenteProvido { novo_valor: Centavos },
    NaoProvido,
}

/// What can happen to an attendance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "evento")]
pub enum Evento {
    NotificacaoDisponibilizada { em: NaiveDate },
    Ciencia { em: NaiveDate, forma: FormaCiencia },
    ImpugnacaoProtocolada { em: NaiveDate },
    PrazoImpugnacaoEncerrado { em: NaiveDate },
    DecisaoPrimeiraInstancia { decisao: DecisaoPrimeiraInstancia },
    CienciaDecisao { em: NaiveDate, forma: FormaCiencia },
    RecursoProtocolado { em: NaiveDate },
    PrazoRecursoEncerrado { em: NaiveDate },
    JuizoAdmissibilidade { juizo: JuizoRecurso },
    DecisaoDicol { decisao: DecisaoDicol },
    SuspensaoJudicial,
    FimSuspensaoJudicial,
}

/// Everything the rules need to know about one attendance's lifecycle.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ciclo {
    pub estado: Estado,
    /// Amount to reimburse now (IVR, reduced by rectifications).
    pub valor: Centavos,
    pub disponibilizado_em: Option<NaiveDate>,
    pub ciencia_em: Option<NaiveDate>,
    pub prazo_impugnacao: Option<Prazo>,
    /// Set when the 1st-instance decision is made available to the operator.
    pub decisao_disponibilizada_em: Option<NaiveDate>,
    pub prazo_recurso: Option<Prazo>,
    pub estado_antes_suspensao: Option<Estado>,
}

impl Ciclo {
    pub fn identificado(valor: Centavos) -> Ciclo {
        Ciclo {
            estado: Estado::Identificado,
            valor,
            disponibilizado_em: None,
            ciencia_em: None,
            prazo_impugnacao: None,
            decisao_disponibilizada_em: None,
            prazo_recurso: None,
            estado_antes_suspensao: None,
        }
    }
}

/// An event the rules do not allow, with the rule that says so (pt-BR).
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[error("{motivo} ({regra})")]
pub struct RegraViolada {
    pub regra: &'static str,
    pub motivo: String,
}

fn violada(regra: &'static str, motivo: impl Into<String>) -> RegraViolada {
    RegraViolada {
        regra,
        motivo: motivo.into(),
    }
}

/// The rules a transition is evaluated under.
pub struct Regras<'a> {
    pub calendario: &'a CalendarioAns,
    pub prazos: &'a PrazosVigentes,
}

/// A successful transition: the new facts and the rule that allowed it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transicao {
    pub de: Estado,
    pub para: Estado,
    pub ciclo: Ciclo,
    pub regra: &'static str,
}

const R_NOTIFICACAO: &str = "IN DIDES 26/2022 art. 1; RN 377/2015";
const R_CIENCIA: &str = "RN 377/2015 (ciência presumida em 10 dias corridos)";
const R_IMPUGNACAO: &str = "RN 358/2014 art. 21 (impugnação em 30 dias da ciência)";
const R_NAO_IMPUGNADO: &str = "RN 358/2014 art. 33 (não impugnado: cobrança)";
const R_PRIMEIRA: &str = "RN 253/2011 arts. 10-11 (decisão de 1ª instância)";
const R_RECURSO: &str = "RN 253/2011 art. 12 (recurso em 10 dias da ciência da decisão)";
const R_SEM_RECURSO: &str = "RN 253/2011 art. 12 §2 (sem recurso: cobrança)";
const R_ADMISSIBILIDADE: &str =
    "RN 253/2011 arts. 12 §1, 13 e 14 (admissibilidade e reconsideração)";
const R_DICOL: &str = "RN 253/2011 art. 14 (decisão da Diretoria Colegiada)";
const R_SUSPENSAO: &str = "RN 351/2014 (exigibilidade suspensa por decisão judicial)";
const R_ESTADO: &str = "máquina de estados do ressarcimento (domain.md §3.2)";

fn fmt(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

fn novo_valor_valido(
    atual: Centavos,
    novo: Centavos,
    regra: &'static str,
) -> Result<(), RegraViolada> {
    if novo.value() <= 0 || novo >= atual {
        return Err(violada(
            regra,
            format!("o valor retificado ({novo}) deve ser positivo e menor que o valor atual ({atual}); para anular, use deferimento total"),
        ));
    }
    Ok(())
}

/// Which ciência a notice made available on `disponivel` has, for an event on `em` — the one
/// rule for the Ofício ABI and for the 1st-instance decision (RN 377/2015: the operator is deemed
/// notified 10 calendar days after availability; domain.md §3.2):
///
/// - a reading from availability up to the presumption day is explicit ciência on that day;
/// - a reading after the presumption day is no new ciência: ciência is the presumed one, dated
///   the presumption day, and the periods count from it (the reading is only recorded);
/// - the presumption is applied on or after its day, dated that day;
/// - nothing happens before availability.
pub fn apurar_ciencia(
    disponivel: NaiveDate,
    em: NaiveDate,
    forma: FormaCiencia,
    prazos: &PrazosVigentes,
) -> Result<(NaiveDate, FormaCiencia), RegraViolada> {
    let presumida = ciencia_presumida(disponivel, prazos);
    match forma {
        FormaCiencia::Presumida if em < presumida => Err(violada(
            R_CIENCIA,
            format!(
                "a ciência só se presume em {} (10 dias corridos após a disponibilização em {})",
                fmt(presumida),
                fmt(disponivel)
            ),
        )),
        FormaCiencia::Expressa if em < disponivel => Err(violada(
            R_CIENCIA,
            format!(
                "ciência expressa em {} anterior à disponibilização em {}",
                fmt(em),
                fmt(disponivel)
            ),
        )),
        FormaCiencia::Expressa if em <= presumida => Ok((em, FormaCiencia::Expressa)),
        _ => Ok((presumida, FormaCiencia::Presumida)),
    }
}

/// Applies `evento` to `ciclo` under `regras`.
pub fn aplicar(
    ciclo: &Ciclo,
    evento: &Evento,
    regras: &Regras<'_>,
) -> Result<Transicao, RegraViolada> {
    use Estado::*;
    let de = ciclo.estado;
    let mut c = ciclo.clone();
    let nao_permitido = || {
        violada(
            R_ESTADO,
            format!(
                "o evento não é permitido para um atendimento no estado \"{}\"",
                de.rotulo()
            ),
        )
    };
    let (para, regra) = match (de, evento) {
        (Identificado, Evento::NotificacaoDisponibilizada { em }) => {
            c.disponibilizado_em = Some(*em);
            (AguardandoCiencia, R_NOTIFICACAO)
        }
        (AguardandoCiencia, Evento::Ciencia { em, forma }) => {
            let disponivel = c.disponibilizado_em.ok_or_else(nao_permitido)?;
            let (data, _) = apurar_ciencia(disponivel, *em, *forma, regras.prazos)?;
            c.ciencia_em = Some(data);
            c.prazo_impugnacao = Some(contar_prazo(
                data,
                regras.prazos.impugnacao_dias,
                regras.calendario,
            ));
            (Notificado, R_CIENCIA)
        }
        (Notificado, Evento::ImpugnacaoProtocolada { em }) => {
            let prazo = c.prazo_impugnacao.as_ref().ok_or_else(nao_permitido)?;
            if *em > prazo.vencimento {
                return Err(violada(
                    R_IMPUGNACAO,
                    format!("o prazo de impugnação venceu em {}", fmt(prazo.vencimento)),
                ));
            }
            if *em < prazo.ciencia {
                return Err(violada(R_IMPUGNACAO, "impugnação anterior à ciência"));
            }
            (Impugnado, R_IMPUGNACAO)
        }
        (Notificado, Evento::PrazoImpugnacaoEncerrado { em }) => {
            let prazo = c.prazo_impugnacao.as_ref().ok_or_else(nao_permitido)?;
            if *em <= prazo.vencimento {
                return Err(violada(
                    R_NAO_IMPUGNADO,
                    format!(
                        "o prazo de impugnação só vence em {}",
                        fmt(prazo.vencimento)
                    ),
                ));
            }
            (Devido, R_NAO_IMPUGNADO)
        }
        (Impugnado, Evento::DecisaoPrimeiraInstancia { decisao }) => match decisao {
            DecisaoPrimeiraInstancia::Deferida => (Anulado, R_PRIMEIRA),
            DecisaoPrimeiraInstancia::ParcialmenteDeferida { novo_valor } => {
                novo_valor_valido(c.valor, *novo_valor, R_PRIMEIRA)?;
                c.valor = *novo_valor;
                (Retificado, R_PRIMEIRA)
            }
            DecisaoPrimeiraInstancia::Indeferida => (Mantido, R_PRIMEIRA),
        },
        (Retificado | Mantido, Evento::CienciaDecisao { em, forma }) => {
            if c.prazo_recurso.is_some() {
                return Err(violada(
                    R_RECURSO,
                    "a ciência desta decisão já foi registrada",
                ));
            }
            let data = match c.decisao_disponibilizada_em {
                Some(disponivel) => apurar_ciencia(disponivel, *em, *forma, regras.prazos)?.0,
                None if *forma == FormaCiencia::Presumida => {
                    return Err(violada(
                        R_CIENCIA,
                        "a decisão ainda não foi disponibilizada à operadora",
                    ));
                }
                // No availability date known: the reading is the only fact there is.
                None => *em,
            };
            c.prazo_recurso = Some(contar_prazo(
                data,
                regras.prazos.recurso_dias,
                regras.calendario,
            ));
            (de, R_RECURSO)
        }
        (Retificado | Mantido, Evento::RecursoProtocolado { em }) => {
            let prazo = c.prazo_recurso.as_ref().ok_or_else(|| {
                violada(
                    R_RECURSO,
                    "o prazo de recurso só começa com a ciência da decisão de 1ª instância",
                )
            })?;
            if *em > prazo.vencimento {
                return Err(violada(
                    R_RECURSO,
                    format!("o prazo de recurso venceu em {}", fmt(prazo.vencimento)),
                ));
            }
            (EmRecurso, R_RECURSO)
        }
        (Retificado | Mantido, Evento::PrazoRecursoEncerrado { em }) => {
            let prazo = c.prazo_recurso.as_ref().ok_or_else(nao_permitido)?;
            if *em <= prazo.vencimento {
                return Err(violada(
                    R_SEM_RECURSO,
                    format!("o prazo de recurso só vence em {}", fmt(prazo.vencimento)),
                ));
            }
            (Devido, R_SEM_RECURSO)
        }
        (EmRecurso, Evento::JuizoAdmissibilidade { juizo }) => match juizo {
            JuizoRecurso::NaoConhecido { motivo } => {
                if motivo.trim().is_empty() {
                    return Err(violada(
                        R_ADMISSIBILIDADE,
                        "o não conhecimento do recurso precisa de motivo",
                    ));
                }
                (Devido, R_ADMISSIBILIDADE)
            }
            JuizoRecurso::ReconsideradoTotal => (Anulado, R_ADMISSIBILIDADE),
            JuizoRecurso::ReconsideradoParcial { novo_valor } => {
                novo_valor_valido(c.valor, *novo_valor, R_ADMISSIBILIDADE)?;
                c.valor = *novo_valor;
                (EmDicol, R_ADMISSIBILIDADE)
            }
            JuizoRecurso::EncaminhadoDicol => (EmDicol, R_ADMISSIBILIDADE),
        },
        (EmDicol, Evento::DecisaoDicol { decisao }) => match decisao {
            DecisaoDicol::Provido => (Anulado, R_DICOL),
            DecisaoDicol::ParcialmenteProvido { novo_valor } => {
                novo_valor_valido(c.valor, *novo_valor, R_DICOL)?;
                c.valor = *novo_valor;
                (Devido, R_DICOL)
            }
            DecisaoDicol::NaoProvido => (Devido, R_DICOL),
        },
        (Suspenso, Evento::SuspensaoJudicial) => {
            return Err(violada(R_SUSPENSAO, "o atendimento já está suspenso"));
        }
        (Anulado, Evento::SuspensaoJudicial) => {
            return Err(violada(
                R_SUSPENSAO,
                "um atendimento anulado não tem exigibilidade a suspender",
            ));
        }
        (_, Evento::SuspensaoJudicial) => {
            c.estado_antes_suspensao = Some(de);
            (Suspenso, R_SUSPENSAO)
        }
        (Suspenso, Evento::FimSuspensaoJudicial) => {
            let anterior = c.estado_antes_suspensao.take().ok_or_else(nao_permitido)?;
            (anterior, R_SUSPENSAO)
        }
        _ => return Err(nao_permitido()),
    };
    c.estado = para;
    Ok(Transicao {
        de,
        para,
        ciclo: c,
        regra,
    })
}

/// Records that a 1st-instance decision was made available (its presumed ciência counts from
/// here). Not a state change, so not an [`Evento`].
pub fn decisao_disponibilizada(ciclo: &Ciclo, em: NaiveDate) -> Ciclo {
    let mut c = ciclo.clone();
    c.decisao_disponibilizada_em = Some(em);
    c
}

/// The time-driven event due on `hoje`, if any: what the scheduler applies, idempotently.
pub fn evento_por_decurso(
    ciclo: &Ciclo,
    hoje: NaiveDate,
    prazos: &PrazosVigentes,
) -> Option<Evento> {
    match ciclo.estado {
        Estado::AguardandoCiencia => {
            let presumida = ciencia_presumida(ciclo.disponibilizado_em?, prazos);
            (hoje >= presumida).then_some(Evento::Ciencia {
                em: presumida,
                forma: FormaCiencia::Presumida,
            })
        }
        Estado::Notificado => {
            let v = ciclo.prazo_impugnacao.as_ref()?.vencimento;
            (hoje > v).then_some(Evento::PrazoImpugnacaoEncerrado { em: hoje })
        }
        Estado::Retificado | Estado::Mantido => match &ciclo.prazo_recurso {
            Some(p) => (hoje > p.vencimento).then_some(Evento::PrazoRecursoEncerrado { em: hoje }),
            None => {
                let presumida = ciencia_presumida(ciclo.decisao_disponibilizada_em?, prazos);
                (hoje >= presumida).then_some(Evento::CienciaDecisao {
                    em: presumida,
                    forma: FormaCiencia::Presumida,
                })
            }
        },
        _ => None,
    }
}
