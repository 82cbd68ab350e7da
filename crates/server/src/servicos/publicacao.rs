//! Publishing an ABI: one administrative process per operator, each with its NUP and Ofício ABI.
//!
//! Each process is **one transaction** (NUP allocation, process, notice, the attendances it
//! covers, the audit event): a crash leaves whole processes or none, and running the
//! publication again finishes the job — operators already notified are not touched again.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use chrono::{Datelike, NaiveDate};
use persus_domain::ids::Nup;
use persus_store::abis::{Abi, EstadoAbi};
use persus_store::auditoria::{self, Ator, Mudanca};
use persus_store::processos::APublicar;
use persus_store::{abis, processos, Db};
use serde::Serialize;
use serde_json::json;

use super::relogio::Relogio;
use super::{CampoInvalido, ServicoError};

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

/// The ABI `numero` if it may be published on `hoje`: it is scheduled (else not found), not
/// published yet, and its launch date has come.
pub async fn conferir(db: &Db, numero: i32, hoje: NaiveDate) -> Result<Abi, ServicoError> {
    let abi = abis::buscar(db, numero)
        .await?
        .ok_or_else(|| ServicoError::NaoEncontrado(format!("O {numero}º ABI")))?;
    if abi.estado == EstadoAbi::Publicado {
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
    Ok(abi)
}

/// Starts (or resumes) the publication of ABI `numero` in the background, after
/// [`conferir`]; returns the ABI as it was. Follow it in the ABI list; a stop is logged and
/// running it again resumes.
pub async fn iniciar(
    db: &Db,
    numero: i32,
    relogio: std::sync::Arc<dyn Relogio>,
    ator: Ator,
) -> Result<Abi, ServicoError> {
    let abi = conferir(db, numero, relogio.hoje()).await?;
    let db = db.clone();
    tokio::spawn(async move {
        match publicar(
            &db,
            numero,
            UNIDADE_PADRAO,
            &*relogio,
            &ator,
            Falha::default(),
        )
        .await
        {
            Ok(r) => tracing::info!(
                abi = numero,
                processos = r.processos_instaurados,
                "ABI published"
            ),
            Err(e) => {
                tracing::error!(abi = numero, error = %e, "ABI publication stopped; run it again to resume")
            }
        }
    });
    Ok(abi)
}

/// An ABI to schedule, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PedidoAgendamento {
    pub numero: String,
    pub tipo: String,
    pub trimestre: String,
    /// dd/mm/aaaa.
    pub lancamento: String,
}

/// Schedules an ABI; every field that cannot be read is named, a number or quarter already
/// scheduled is refused.
pub async fn agendar(
    db: &Db,
    pedido: &PedidoAgendamento,
    ator: &Ator,
    agora: chrono::DateTime<chrono::Utc>,
) -> Result<Abi, ServicoError> {
    let mut erros = Vec::new();
    let numero: Option<i32> = pedido.numero.trim().parse().ok().filter(|n| *n > 0);
    if numero.is_none() {
        erros.push(CampoInvalido::new(
            "numero",
            "informe o número do ABI (um número inteiro positivo)",
        ));
    }
    let tipo = pedido.tipo.trim();
    if !["AIH", "APAC"].contains(&tipo) {
        erros.push(CampoInvalido::new("tipo", "escolha o tipo: AIH ou APAC"));
    }
    let trimestre = pedido.trimestre.trim();
    if persus_domain::ids::Trimestre::parse(trimestre).is_err() {
        erros.push(CampoInvalido::new(
            "trimestre",
            format!("trimestre \"{trimestre}\" inválido: use 1T2026"),
        ));
    }
    let lancamento = NaiveDate::parse_from_str(pedido.lancamento.trim(), "%d/%m/%Y").ok();
    if lancamento.is_none() {
        erros.push(CampoInvalido::new(
            "lancamento",
            "data de lançamento inválida: use dd/mm/aaaa",
        ));
    }
    let (Some(numero), Some(data_lancamento), true) = (numero, lancamento, erros.is_empty()) else {
        return Err(ServicoError::Invalido(erros));
    };
    let abi = Abi {
        numero,
        tipo: tipo.to_owned(),
        trimestre: trimestre.to_owned(),
        data_lancamento,
        estado: EstadoAbi::Agendado,
        publicado_em: None,
    };
    let mut tx = db.begin().await?;
    match abis::agendar(&mut tx, &abi).await {
        Err(persus_store::StoreError::Conflict(m)) => return Err(ServicoError::Regra(m)),
        r => r?,
    }
    auditoria::registrar(
        &mut tx,
        ator,
        Mudanca {
            acao: "abi.agendado",
            entidade: "abi",
            entidade_id: &abi.numero.to_string(),
            antes: None,
            depois: serde_json::to_value(&abi).ok(),
        },
        agora,
    )
    .await?;
    tx.commit().await?;
    Ok(abi)
}

pub async fn publicar(
    db: &Db,
    numero: i32,
    unidade: u32,
    relogio: &dyn Relogio,
    ator: &Ator,
    falha: Falha,
) -> Result<ResultadoPublicacao, ServicoError> {
    let hoje = relogio.hoje();
    let abi = conferir(db, numero, hoje).await?;
    let existentes = processos::do_abi(db, numero).await?.len();
    if abi.estado == EstadoAbi::Agendado {
        persus_store::stats::analisar_atendimentos(db).await?;
        let mut tx = db.begin().await?;
        abis::marcar(&mut tx, numero, EstadoAbi::Publicando, None).await?;
        tx.commit().await?;
    }

    let alvos = processos::a_publicar(db, &abi).await?;
    let ano = hoje.year();
    // PostgreSQL runs several processes' transactions at once (while one backend waits on
    // WAL or the client, another writes); SQLite has one writer, so one at a time.
    let trabalhadores = match db.backend() {
        persus_store::Backend::Postgres => 3,
        persus_store::Backend::Sqlite => 1,
    };
    let proximo = AtomicUsize::new(0);
    let notificados = AtomicU64::new(0);
    let trabalho = Trabalho {
        db,
        abi: &abi,
        alvos: &alvos,
        unidade,
        ano,
        relogio,
        ator,
        falha,
        proximo: &proximo,
        notificados: &notificados,
    };
    if trabalhadores == 3 {
        tokio::try_join!(
            trabalho.executar(),
            trabalho.executar(),
            trabalho.executar()
        )?;
    } else {
        trabalho.executar().await?;
    }
    let notificados = notificados.into_inner();

    // The attendances just moved into processes: without fresh statistics the planner keeps
    // believing `processo_id` is NULL everywhere and scans the table for every process
    // (measured in the demo: 1.4 ms instead of 0.05 ms per process query).
    persus_store::stats::analisar_atendimentos(db).await?;
    let mut tx = db.begin().await?;
    abis::marcar(&mut tx, numero, EstadoAbi::Publicado, Some(relogio.agora())).await?;
    auditoria::registrar(
        &mut tx,
        ator,
        Mudanca {
            acao: "abi.publicado",
            entidade: "abi",
            entidade_id: &numero.to_string(),
            antes: Some(json!({ "estado": abi.estado.as_str() })),
            depois: Some(json!({ "estado": EstadoAbi::Publicado.as_str(), "processos": existentes + alvos.len() })),
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

/// The processes of one publication, shared by the workers: each takes the next operator.
struct Trabalho<'a> {
    db: &'a Db,
    abi: &'a Abi,
    alvos: &'a [APublicar],
    unidade: u32,
    ano: i32,
    relogio: &'a dyn Relogio,
    ator: &'a Ator,
    falha: Falha,
    proximo: &'a AtomicUsize,
    notificados: &'a AtomicU64,
}

impl Trabalho<'_> {
    async fn executar(&self) -> Result<(), ServicoError> {
        loop {
            let i = self.proximo.fetch_add(1, Ordering::Relaxed);
            let Some(alvo) = self.alvos.get(i) else {
                return Ok(());
            };
            let n = self.instaurar(i, alvo).await?;
            self.notificados.fetch_add(n, Ordering::Relaxed);
        }
    }

    /// One process, one transaction. The heavy part (process, notice, the attendances it
    /// covers) runs under a provisional NUP; the NUP registry row and the audit chain — the two
    /// things every process shares — are taken last, so concurrent workers wait on each other
    /// only for a few statements.
    async fn instaurar(&self, i: usize, alvo: &APublicar) -> Result<u64, ServicoError> {
        let (abi, relogio) = (self.abi, self.relogio);
        let mut tx = self.db.begin().await?;
        processos::commit_assincrono(&mut tx).await?;
        let provisorio = processos::nup_provisorio(abi.numero, &alvo.operadora);
        let instaurado = processos::instaurar(
            &mut tx,
            &processos::NovoProcesso {
                abi,
                alvo,
                nup: &provisorio,
                instaurado_em: relogio.agora(),
                disponibilizada_em: relogio.hoje(),
                conteudo: &serde_json::Value::Null,
            },
        )
        .await?;
        let seq = processos::proximo_nup(&mut tx, self.unidade as i32, self.ano).await?;
        let nup = Nup::new(self.unidade, seq as u32, self.ano as u16)
            .map_err(|e| ServicoError::Regra(format!("NUP: {e}")))?;
        // IN DIDES 47/2011 art. 2: process, operator, and (rendered from the attendances on
        // download) each attendance's provider, number, dates, procedures and values.
        let conteudo = json!({
            "documento": "Ofício ABI",
            "abi": abi.numero,
            "tipo": abi.tipo,
            "trimestre": abi.trimestre,
            "processo": nup.to_string(),
            "operadora": { "registro_ans": alvo.operadora, "razao_social": alvo.razao_social, "cnpj": alvo.cnpj },
            "atendimentos": alvo.atendimentos,
            "valor_total_centavos": alvo.valor_centavos,
        });
        processos::definir_nup(
            &mut tx,
            instaurado.processo_id,
            instaurado.notificacao_id,
            nup.as_str(),
            &conteudo,
        )
        .await?;
        auditoria::registrar(
            &mut tx,
            self.ator,
            Mudanca {
                acao: "processo.instaurado",
                entidade: "processo",
                entidade_id: nup.as_str(),
                antes: None,
                depois: Some(json!({
                    "abi": abi.numero, "operadora": alvo.operadora, "atendimentos": instaurado.atendimentos,
                    "valor_centavos": alvo.valor_centavos, "notificacao": instaurado.notificacao_id,
                    "estado_atendimentos": "aguardando_ciencia",
                })),
            },
            relogio.agora(),
        )
        .await?;
        persus_store::webhooks::registrar_evento(
            &mut tx,
            Some(&alvo.operadora),
            persus_domain::eventos::TipoEvento::NotificacaoDisponibilizada,
            &json!({
                "notificacao": instaurado.notificacao_id, "tipo": "oficio_abi", "processo": nup.as_str(),
                "abi": abi.numero, "disponibilizada_em": relogio.hoje(), "atendimentos": instaurado.atendimentos,
            }),
            relogio.agora(),
        )
        .await?;
        if self.falha.no_processo == Some(i) {
            return Err(ServicoError::Regra(
                "falha simulada no meio da publicação".to_owned(),
            ));
        }
        tx.commit().await?;
        Ok(instaurado.atendimentos)
    }
}
