//! `persus abi`: the schedule of ABIs, their publication and listing.

use chrono::NaiveDate;
use clap::Subcommand;
use persus_domain::ids::Trimestre;
use persus_store::auditoria::{self, Ator};
use persus_store::{abis, processos, Db};

use super::{parse_data, parse_trimestre, print_json, relogio_em};
use crate::servicos::{self, publicacao};

#[derive(Debug, Subcommand)]
pub enum AbiCmd {
    /// Lista os ABIs agendados que ainda não foram publicados.
    Agenda,
    /// Agenda um ABI.
    Agendar {
        /// Número sequencial do ABI (ex.: 101).
        #[arg(long, value_parser = clap::value_parser!(i32).range(1..))]
        numero: i32,
        /// AIH ou APAC.
        #[arg(long, value_parser = ["AIH", "APAC"])]
        tipo: String,
        /// Trimestre de competência (ex.: 1T2025).
        #[arg(long, value_parser = parse_trimestre)]
        trimestre: Trimestre,
        /// Data de lançamento (AAAA-MM-DD).
        #[arg(long, value_parser = parse_data)]
        lancamento: NaiveDate,
    },
    /// Publica um ABI: um processo (NUP) e um Ofício ABI por operadora. Retomável.
    Publicar {
        numero: i32,
        /// Data de publicação (AAAA-MM-DD) em vez de hoje — para homologação e testes.
        #[arg(long, value_parser = parse_data)]
        em: Option<NaiveDate>,
        /// Prefixo da unidade de protocolo do NUP.
        #[arg(long, default_value_t = servicos::publicacao::UNIDADE_PADRAO, value_parser = clap::value_parser!(u32).range(0..100_000))]
        unidade: u32,
    },
    /// Lista todos os ABIs com seus processos.
    Listar,
}

pub(super) async fn executar(db: Db, cmd: AbiCmd) -> anyhow::Result<()> {
    let db = &db;
    match cmd {
        AbiCmd::Agenda => {
            let agenda: Vec<_> = abis::listar(db)
                .await?
                .into_iter()
                .filter(|a| a.estado != persus_store::abis::EstadoAbi::Publicado)
                .collect();
            print_json(&agenda);
        }
        AbiCmd::Agendar {
            numero,
            tipo,
            trimestre,
            lancamento,
        } => {
            let abi = abis::Abi {
                numero,
                tipo,
                trimestre: trimestre.to_string(),
                data_lancamento: lancamento,
                estado: persus_store::abis::EstadoAbi::Agendado,
                publicado_em: None,
            };
            let mut tx = db.begin().await?;
            abis::agendar(&mut tx, &abi).await?;
            auditoria::registrar(
                &mut tx,
                &Ator::sistema("persus abi agendar"),
                auditoria::Mudanca {
                    acao: "abi.agendado",
                    entidade: "abi",
                    entidade_id: &numero.to_string(),
                    antes: None,
                    depois: Some(serde_json::to_value(&abi)?),
                },
                chrono::Utc::now(),
            )
            .await?;
            tx.commit().await?;
            print_json(&abi);
        }
        AbiCmd::Publicar {
            numero,
            em,
            unidade,
        } => {
            let relogio = relogio_em(em);
            let r = servicos::publicacao::publicar(
                db,
                numero,
                unidade,
                relogio.as_ref(),
                &Ator::sistema("persus abi publicar"),
                publicacao::Falha::default(),
            )
            .await?;
            print_json(&r);
        }
        AbiCmd::Listar => {
            let mut out = Vec::new();
            for a in abis::listar(db).await? {
                let ps = processos::do_abi(db, a.numero).await?;
                let atendimentos: i64 = ps.iter().map(|p| i64::from(p.atendimentos)).sum();
                out.push(serde_json::json!({ "abi": a, "processos": ps.len(), "atendimentos": atendimentos }));
            }
            print_json(&out);
        }
    }
    Ok(())
}
