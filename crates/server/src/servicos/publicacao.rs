//! Publishing an ABI: one administrative process per operator, each with its NUP and Ofício ABI.
//!
//! Each process is **one transaction** (NUP allocation, process, notice, the attendances it
//! covers, the audit event): a crash leaves whole processes or none, and running the
//! publication again finishes the job — operators already notified are not touched again.

use chrono::Datelike;
use persus_domain::ids::Nup;
use persus_store::auditoria::{self, Ator, Mudanca};
use persus_store::{abis, processos, Db};
use serde::Serialize;
use serde_json::json;

use super::relogio::Relogio;
use super::ServicoError;

/// ANS's protocol unit prefix for ressarcimento processes (configurable; 33910 seen in 2019).
pub const UNIDADE_PADRAO: u32 = 33_910;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ResultadoPublicacao {
    pub abi: i32,
    pub processos_instaurados: usize,
    pub atendimentos_notificados: u64,
    /// Processes that already existed from an interrupted run.
    pub processos_existentes: usize,
}

/// Fault injection for tests: fail inside the transaction of the `n`-th process (0-based), after
/// its rows were written, as a crash would.
#[derive(Clone, Copy, Debug, Default)]
pub struct Falha {
    pub no_processo: Option<usize>,
}

pub async fn publicar(
    db: &Db,
    numero: i32,
    unidade: u32,
    relogio: &dyn Relogio,
    ator: &Ator,
    falha: Falha,
) -> Result<ResultadoPublicacao, ServicoError> {
    let abi = abis::buscar(db, numero)
        .await?
        .ok_or_else(|| ServicoError::Regra(format!("o {numero}º ABI não está agendado")))?;
    let hoje = relogio.hoje();
    if abi.estado == "publicado" {
        return Err(ServicoError::Regra(format!(
            "o {numero}º ABI já foi publicado"
        )));
    }
    if hoje < abi.data_lancamento {
        return Err(ServicoError::Regra(format!(
            "o {numero}º ABI está agendado para {}; hoje é {}",
            abi.data_lancamento.format("%d/%m/%Y"),
            hoje.format("%d/%m/%Y")
        )));
    }
    let existentes = processos::do_abi(db, numero).await?.len();
    if abi.estado == "agendado" {
        persus_store::stats::analisar_atendimentos(db).await?;
        let mut tx = db.begin().await?;
        abis::marcar(&mut tx, numero, "publicando", None).await?;
        tx.commit().await?;
    }

    let alvos = processos::a_publicar(db, &abi).await?;
    let ano = hoje.year();
    let mut notificados = 0;
    for (i, alvo) in alvos.iter().enumerate() {
        let mut tx = db.begin().await?;
        processos::commit_assincrono(&mut tx).await?;
        let seq = processos::proximo_nup(&mut tx, unidade as i32, ano).await?;
        let nup = Nup::new(unidade, seq as u32, ano as u16)
            .map_err(|e| ServicoError::Regra(format!("NUP: {e}")))?;
        // IN DIDES 47/2011 art. 2: process, operator, and (rendered from the attendances on
        // download) each attendance's provider, number, dates, procedures and values.
        let conteudo = json!({
            "documento": "Ofício ABI",
            "abi": numero,
            "tipo": abi.tipo,
            "trimestre": abi.trimestre,
            "processo": nup.to_string(),
            "operadora": { "registro_ans": alvo.operadora, "razao_social": alvo.razao_social, "cnpj": alvo.cnpj },
            "atendimentos": alvo.atendimentos,
            "valor_total_centavos": alvo.valor_centavos,
        });
        let instaurado = processos::instaurar(
            &mut tx,
            &abi,
            alvo,
            nup.as_str(),
            relogio.agora(),
            hoje,
            &conteudo,
        )
        .await?;
        auditoria::registrar(
            &mut tx,
            ator,
            Mudanca {
                acao: "processo.instaurado",
                entidade: "processo",
                entidade_id: nup.as_str(),
                antes: None,
                depois: Some(json!({
                    "abi": numero, "operadora": alvo.operadora, "atendimentos": instaurado.atendimentos,
                    "valor_centavos": alvo.valor_centavos, "notificacao": instaurado.notificacao_id,
                    "estado_atendimentos": "aguardando_ciencia",
                })),
            },
            relogio.agora(),
        )
        .await?;
        if falha.no_processo == Some(i) {
            return Err(ServicoError::Regra(
                "falha simulada no meio da publicação".to_owned(),
            ));
        }
        tx.commit().await?;
        notificados += instaurado.atendimentos;
    }

    let mut tx = db.begin().await?;
    abis::marcar(&mut tx, numero, "publicado", Some(relogio.agora())).await?;
    auditoria::registrar(
        &mut tx,
        ator,
        Mudanca {
            acao: "abi.publicado",
            entidade: "abi",
            entidade_id: &numero.to_string(),
            antes: Some(json!({ "estado": abi.estado })),
            depois: Some(json!({ "estado": "publicado", "processos": existentes + alvos.len() })),
        },
        relogio.agora(),
    )
    .await?;
    tx.commit().await?;
    Ok(ResultadoPublicacao {
        abi: numero,
        processos_instaurados: alvos.len(),
        atendimentos_notificados: notificados,
        processos_existentes: existentes,
    })
}
