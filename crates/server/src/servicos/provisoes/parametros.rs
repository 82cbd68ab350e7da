//! The yearly study's proposal and ANS's decision on it — once, under the CLI and the web
//! (seeds/004: parameters "atualizados automaticamente após estudo anual"; issue #14 §3: nothing
//! changes without an audited approval).

use chrono::{DateTime, Utc};
use persus_store::auditoria::Ator;
use persus_store::provisoes::{
    self as store, EstadoParametros, RegistroParametros, ResultadoDecisao,
};
use persus_store::Db;

use super::calculo::Estudo;
use crate::servicos::ServicoError;

/// Records the study's proposed version (audited). The study travels with it, without the
/// triangle's cells (the development and the window are what a reviewer reads).
pub async fn propor(
    db: &Db,
    estudo: &Estudo,
    ator: &Ator,
    em: DateTime<Utc>,
) -> Result<(), ServicoError> {
    let resumo = serde_json::json!({
        "ano": estudo.ano,
        "data_base": estudo.data_base.dia,
        "trimestres_de_ocorrencia": estudo.triangulo.linhas.len(),
        "desenvolvimento_pct": estudo.desenvolvimento_pct,
        "fator_setor": estudo.fator_setor,
    });
    store::propor(db, &estudo.proposta, &resumo, ator, em)
        .await
        .map_err(|e| match e {
            persus_store::StoreError::Conflict(m) => ServicoError::Regra(m),
            outro => ServicoError::Store(outro),
        })
}

/// Approves or rejects a proposal (audited, once). An approved version takes effect on its own
/// start date; the one in force then ends the day before. Approval never changes the past: a
/// proposal whose validity has already begun, or that would overlap another version's start, is
/// refused (a new study proposes again).
pub async fn decidir(
    db: &Db,
    versao: &str,
    aprovar: bool,
    ator: &Ator,
    em: DateTime<Utc>,
) -> Result<RegistroParametros, ServicoError> {
    if aprovar {
        let proposta = store::listar(db)
            .await?
            .into_iter()
            .find(|r| r.parametros.versao == versao && r.estado == EstadoParametros::Proposta);
        // Absent or already decided: the store's answer below says which.
        if let Some(proposta) = proposta {
            let hoje = crate::servicos::relogio::data_em_brasilia(em);
            if proposta.parametros.vigencia_inicio <= hoje {
                return Err(ServicoError::Regra(format!(
                    "a vigência proposta para {versao} começa em {}, que não é posterior a hoje: \
                 aprovar agora mudaria provisões já calculadas; registre um novo estudo",
                    proposta.parametros.vigencia_inicio.format("%d/%m/%Y")
                )));
            }
            super::calculo::tabela(db)
                .await?
                .com(proposta.parametros)
                .map_err(|e| ServicoError::Regra(e.mensagem))?;
        }
    }
    match store::decidir(db, versao, aprovar, ator, em).await? {
        ResultadoDecisao::Decidida(r) => Ok(*r),
        ResultadoDecisao::Inexistente => Err(ServicoError::NaoEncontrado(format!(
            "A proposta de parâmetros {versao}"
        ))),
        ResultadoDecisao::JaDecidida(e) => Err(ServicoError::Regra(format!(
            "a proposta {versao} já foi decidida ({}); cada proposta é decidida uma vez",
            e.rotulo()
        ))),
    }
}
