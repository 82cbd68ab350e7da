//! Batch jobs: a batch received through the API is stored whole and filed later by a worker,
//! with the same rules as any batch (`peticoes::protocolar_job`). A job left `processando` by a
//! crash is taken again after [`ABANDONO`]: its filing was one transaction with its result, so
//! either it is all there or nothing is.

use chrono::{DateTime, Duration, Utc};
use persus_domain::calendar::CalendarioAns;
use persus_domain::deadline::PrazosVigentes;
use persus_store::auditoria::Ator;
use persus_store::{lotes, Db};

use super::peticoes::{protocolar_job, Pedido};
use super::relogio::data_em_brasilia;
use super::ServicoError;

pub const ABANDONO: Duration = Duration::minutes(5);

/// Files the oldest pending job, if any; returns its id.
pub async fn processar_um(db: &Db, agora: DateTime<Utc>) -> Result<Option<i64>, ServicoError> {
    let Some(job) = lotes::tomar(db, agora, agora - ABANDONO).await? else {
        return Ok(None);
    };
    let pedidos: Vec<Pedido> = serde_json::from_str(&job.pedidos)
        .map_err(|e| ServicoError::Regra(format!("lote {} ilegível: {e}", job.id)))?;
    let ator = Ator {
        ator: format!("aplicacao:{}", job.aplicacao_id),
        organizacao: job.operadora.clone(),
        aplicacao: Some(job.aplicacao_id.to_string()),
        request_id: Some(format!("lote-{}", job.id)),
    };
    protocolar_job(
        db,
        &job.operadora,
        &pedidos,
        job.id,
        data_em_brasilia(agora),
        agora,
        &CalendarioAns::padrao(),
        &PrazosVigentes::padrao(),
        &ator,
    )
    .await?;
    Ok(Some(job.id))
}
