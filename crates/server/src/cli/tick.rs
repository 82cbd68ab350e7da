//! `persus tick`: the time-driven transitions on a date (homologação moves time with `--at`;
//! the server runs the same scheduler on its own).

use chrono::NaiveDate;
use persus_store::auditoria::Ator;
use persus_store::Db;

use super::{print_json, relogio_em};
use crate::servicos::agendador;
use crate::servicos::regras::RegrasVigentes;

pub(super) async fn executar(db: Db, at: Option<NaiveDate>) -> anyhow::Result<()> {
    let relogio = relogio_em(at);
    let regras = RegrasVigentes::padrao();
    let resumo = agendador::executar(
        &db,
        relogio.hoje(),
        &regras.calendario,
        &regras.prazos,
        &Ator::sistema("persus tick"),
        relogio.agora(),
    )
    .await?;
    print_json(&resumo);
    Ok(())
}
