//! `persus aplicacao`: API applications registered, rotated and revoked by an operator's
//! legal representative or account manager.

use clap::Subcommand;
use persus_store::Db;

use super::print_json;
use crate::servicos;

#[derive(Debug, Subcommand)]
pub enum AplicacaoCmd {
    /// Registra uma aplicação; o segredo aparece só agora.
    Registrar {
        /// Login do representante legal ou gestor da operadora.
        #[arg(long)]
        por: String,
        #[arg(long)]
        nome: String,
        #[arg(long, value_parser = ["homologacao", "producao"])]
        ambiente: String,
        /// Escopos separados por espaço (consulta peticionar financeiro).
        #[arg(long)]
        escopos: String,
    },
    /// Gera um novo segredo (o anterior deixa de valer).
    Rotacionar {
        #[arg(long)]
        por: String,
        client_id: String,
    },
    /// Revoga a aplicação e todos os seus tokens.
    Revogar {
        #[arg(long)]
        por: String,
        client_id: String,
    },
}

pub(super) async fn executar(db: Db, cmd: AplicacaoCmd) -> anyhow::Result<()> {
    let db = &db;
    let agora = chrono::Utc::now();
    let r = match cmd {
        AplicacaoCmd::Registrar {
            por,
            nome,
            ambiente,
            escopos,
        } => {
            let escopos: Vec<String> = escopos.split_whitespace().map(str::to_owned).collect();
            servicos::aplicacoes::registrar(db, &por, &nome, &ambiente, &escopos, agora)
                .await
                .map(|c| serde_json::to_value(c).unwrap_or_default())
        }
        AplicacaoCmd::Rotacionar { por, client_id } => {
            servicos::aplicacoes::rotacionar_segredo(db, &por, &client_id, agora)
                .await
                .map(|c| serde_json::to_value(c).unwrap_or_default())
        }
        AplicacaoCmd::Revogar { por, client_id } => {
            servicos::aplicacoes::revogar(db, &por, &client_id, agora)
                .await
                .map(|()| serde_json::json!({ "revogada": client_id }))
        }
    };
    print_json(&r?);
    Ok(())
}
