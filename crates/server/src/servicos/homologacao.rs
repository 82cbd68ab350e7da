//! Homologação is a sandbox: synthetic data that can be reset to the demo's starting point at
//! any time. Resetting empties every synthetic table (`persus_store::demo::TABELAS_DE_HOMOLOGACAO`)
//! in one transaction, removes the stored documents and generates the demo again; accounts,
//! applications and webhook subscriptions survive it. It refuses to run anywhere but homologação.

use std::path::Path;

use chrono::Utc;
use persus_store::auditoria::{self, Ator, Mudanca};
use persus_store::Db;
use serde::Serialize;
use serde_json::json;

use super::ServicoError;
use crate::config::Ambiente;
use crate::demo;

#[derive(Clone, Debug, Serialize)]
pub struct Reinicio {
    pub linhas_apagadas: u64,
    pub atendimentos: i64,
    pub com_cenario: bool,
}

/// Resets homologação: only with `ambiente` homologação said explicitly and `confirmado`.
pub async fn reiniciar(
    db: &Db,
    ambiente: Option<Ambiente>,
    confirmado: bool,
    raiz_documentos: &Path,
    params: demo::Params,
    com_cenario: bool,
    por: &str,
) -> Result<Reinicio, ServicoError> {
    if ambiente != Some(Ambiente::Homologacao) {
        return Err(ServicoError::Regra(
            "reiniciar apaga todos os dados de processo: só em homologação, dito explicitamente \
             (--environment homologacao)"
                .to_owned(),
        ));
    }
    if !confirmado {
        return Err(ServicoError::Regra(
            "reiniciar apaga atendimentos, processos, petições, decisões e documentos de \
             homologação (contas e aplicações ficam): confirme com --confirmar"
                .to_owned(),
        ));
    }
    let mut tx = db.begin().await?;
    let linhas = persus_store::demo::apagar_homologacao(&mut tx).await?;
    // The first link of the new audit chain says why it starts here.
    auditoria::registrar(
        &mut tx,
        &Ator::sistema(por),
        Mudanca {
            acao: "homologacao.reiniciada",
            entidade: "ambiente",
            entidade_id: "homologacao",
            antes: Some(json!({ "linhas": linhas })),
            depois: None,
        },
        Utc::now(),
    )
    .await?;
    tx.commit().await?;
    let docs = raiz_documentos.join("documentos");
    if docs.exists() {
        std::fs::remove_dir_all(&docs).map_err(|e| {
            ServicoError::Regra(format!(
                "os dados foram apagados, mas não os documentos em {}: {e}",
                docs.display()
            ))
        })?;
    }
    let gerado = demo::seed(db, params).await?;
    if com_cenario {
        demo::cenario::encenar(db, params.seed, raiz_documentos).await?;
    }
    demo::credenciais::criar(db).await?;
    Ok(Reinicio {
        linhas_apagadas: linhas,
        atendimentos: gerado.atendimentos,
        com_cenario,
    })
}
