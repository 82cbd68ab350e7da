//! The operator's debt position on a date — every debt with, for the open ones, the charges
//! (principal, multa, SELIC) to that date — and the consolidation of chosen open debts for an
//! instalment plan. One computation under the API's `/debitos` and `/parcelamentos/simulacao`,
//! the web's charging page and its simulation, and the grant of a plan.

use chrono::NaiveDate;
use persus_domain::calendar::CalendarioAns;
use persus_domain::cobranca::estados::EstadoDebito;
use persus_domain::cobranca::{encargos, simular_parcelamento, Encargos, Parcela, TabelaSelic};
use persus_domain::money::Centavos;
use persus_store::cobranca::{self as store, Credito, Debito};
use persus_store::Db;
use serde::Serialize;

use crate::servicos::{CampoInvalido, ServicoError};

/// One debt of the position.
#[derive(Clone, Debug)]
pub struct DebitoNaPosicao {
    pub debito: Debito,
    /// Open debts only: the charges to the date of the position, or why they could not be
    /// computed (a SELIC month not yet published).
    pub encargos: Option<Result<Encargos, String>>,
    /// The GRU, still payable on the date, that already charges this debt.
    pub gru: Option<String>,
}

impl DebitoNaPosicao {
    pub fn aberto(&self) -> bool {
        self.debito.estado == EstadoDebito::Aberto
    }

    /// The charges to the date, when they could be computed.
    pub fn atualizado(&self) -> Option<&Encargos> {
        self.encargos.as_ref().and_then(|e| e.as_ref().ok())
    }
}

/// The debts of an operator on a date.
#[derive(Clone, Debug)]
pub struct Posicao {
    pub em: NaiveDate,
    /// Open and closed debts, oldest due first.
    pub itens: Vec<DebitoNaPosicao>,
    /// The principal of the open debts.
    pub total_aberto: Centavos,
    /// The open debts with their charges to the date (those that could be computed).
    pub total_atualizado: Centavos,
    pub creditos: Vec<Credito>,
}

impl Posicao {
    pub fn abertos(&self) -> impl Iterator<Item = &DebitoNaPosicao> {
        self.itens.iter().filter(|d| d.aberto())
    }
}

/// What an open debt costs if paid on `em` (never before its due date).
pub fn encargos_em(d: &Debito, em: NaiveDate, selic: &TabelaSelic) -> Result<Encargos, String> {
    encargos(
        Centavos::new(d.valor_centavos),
        d.vencimento,
        em.max(d.vencimento),
        selic,
    )
}

/// The operator's debt position on `em`.
pub async fn posicao(
    db: &Db,
    operadora: &str,
    em: NaiveDate,
    selic: &TabelaSelic,
) -> Result<Posicao, ServicoError> {
    let debitos = store::debitos_da_operadora(db, operadora).await?;
    let em_gru = store::debitos_em_gru_pagavel(db, operadora, em).await?;
    let creditos = store::creditos_da_operadora(db, operadora).await?;
    let mut total_aberto = 0i64;
    let mut total_atualizado = 0i64;
    let itens = debitos
        .into_iter()
        .map(|d| {
            let encargos = (d.estado == EstadoDebito::Aberto).then(|| encargos_em(&d, em, selic));
            if let Some(e) = &encargos {
                total_aberto += d.valor_centavos;
                if let Ok(e) = e {
                    total_atualizado += e.total.value();
                }
            }
            let gru = em_gru
                .iter()
                .find(|(id, _)| *id == d.id)
                .map(|(_, g)| g.clone());
            DebitoNaPosicao {
                debito: d,
                encargos,
                gru,
            }
        })
        .collect();
    Ok(Posicao {
        em,
        itens,
        total_aberto: Centavos::new(total_aberto),
        total_atualizado: Centavos::new(total_atualizado),
        creditos,
    })
}

/// Open debts consolidated on a date: each with its charges, and the sum.
#[derive(Clone, Debug)]
pub struct Consolidacao {
    pub itens: Vec<(Debito, Encargos)>,
    pub total: Centavos,
}

/// The record of one consolidated debt's computation (kept with a plan, answered by the
/// simulation).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct DebitoConsolidado {
    pub debito: i64,
    pub processo: String,
    pub total_centavos: i64,
    pub memoria: Vec<String>,
}

impl Consolidacao {
    /// The record of each debt's computation (kept with a plan, answered by the simulation).
    pub fn memoria(&self) -> Vec<DebitoConsolidado> {
        self.itens
            .iter()
            .map(|(d, e)| DebitoConsolidado {
                debito: d.id,
                processo: d.nup.clone(),
                total_centavos: e.total.value(),
                memoria: e.memoria.clone(),
            })
            .collect()
    }
}

/// Consolidates the chosen debts (already read, in the caller's transaction or not). Every id
/// must be an open debt of the operator; a field error says which are not.
pub fn consolidar(
    ids: &[i64],
    achados: &[Debito],
    em: NaiveDate,
    selic: &TabelaSelic,
) -> Result<Consolidacao, ServicoError> {
    if ids.is_empty() {
        return Err(ServicoError::campo(
            "debitos",
            "marque ao menos um débito em aberto",
        ));
    }
    let mut erros = Vec::new();
    let mut itens = Vec::new();
    for id in ids {
        match achados.iter().find(|d| d.id == *id) {
            None => erros.push(format!("débito {id} não encontrado")),
            Some(d) if d.estado != EstadoDebito::Aberto => {
                erros.push(format!("débito {id} está {}", d.estado.rotulo()))
            }
            Some(d) => match encargos_em(d, em, selic) {
                Ok(e) => itens.push((d.clone(), e)),
                Err(m) => erros.push(format!("débito {id}: {m}")),
            },
        }
    }
    if !erros.is_empty() {
        return Err(ServicoError::Invalido(
            erros
                .into_iter()
                .map(|m| CampoInvalido::new("debitos", m))
                .collect(),
        ));
    }
    let total = Centavos::new(itens.iter().map(|(_, e)| e.total.value()).sum());
    Ok(Consolidacao { itens, total })
}

/// A simulated instalment plan: the consolidation on `hoje` and the instalments.
#[derive(Clone, Debug)]
pub struct Simulacao {
    pub em: NaiveDate,
    pub consolidacao: Consolidacao,
    pub parcelas: Vec<Parcela>,
}

/// Simulates a plan over the operator's chosen open debts. Changes nothing.
pub async fn simular(
    db: &Db,
    operadora: &str,
    debitos: &[i64],
    parcelas: u32,
    hoje: NaiveDate,
    calendario: &CalendarioAns,
    selic: &TabelaSelic,
) -> Result<Simulacao, ServicoError> {
    let ids = sem_repetir(debitos);
    let mut tx = db.begin().await?;
    let achados = store::debitos(&mut tx, operadora, &ids).await?;
    drop(tx);
    let consolidacao = consolidar(&ids, &achados, hoje, selic)?;
    let parcelas = simular_parcelamento(consolidacao.total, parcelas, hoje, calendario)
        .map_err(|m| ServicoError::campo("parcelas", m))?;
    Ok(Simulacao {
        em: hoje,
        consolidacao,
        parcelas,
    })
}

/// The ids, sorted, each once.
pub fn sem_repetir(ids: &[i64]) -> Vec<i64> {
    let mut v = ids.to_vec();
    v.sort_unstable();
    v.dedup();
    v
}
