//! Reading commands: `persus atendimento` (one attendance in full) and `persus audit verify`.

use clap::Subcommand;
use persus_store::auditoria::{self, Verificacao};
use persus_store::Db;

use super::{print_json, print_line};
use crate::servicos;

#[derive(Debug, Subcommand)]
pub enum AuditCmd {
    /// Recalcula o encadeamento de hashes de toda a trilha.
    Verify,
}

/// `persus atendimento N [--operadora R]`: the attendance's history as JSON.
pub(super) async fn atendimento(
    db: Db,
    numero: String,
    operadora: Option<String>,
) -> anyhow::Result<()> {
    match servicos::historico::consultar(&db, &numero, operadora.as_deref()).await? {
        Some(h) => {
            print_json(&h);
            Ok(())
        }
        None => anyhow::bail!("atendimento {numero} não encontrado"),
    }
}

/// `persus audit verify`: the hash chain recomputed; the first broken event named.
pub(super) async fn auditoria(db: Db, cmd: AuditCmd) -> anyhow::Result<()> {
    let AuditCmd::Verify = cmd;
    match auditoria::verificar(&db).await? {
        Verificacao::Integra { eventos } => {
            print_line(&format!("trilha de auditoria íntegra: {eventos} eventos"));
            Ok(())
        }
        Verificacao::Violada { seq, motivo } => {
            anyhow::bail!("trilha de auditoria violada no evento {seq}: {motivo}")
        }
    }
}
