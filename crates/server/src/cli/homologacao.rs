//! `persus homologacao`: the operators' sandbox environment.

use clap::Subcommand;

use super::{open, print_json, GlobalOpts};
use crate::{config, demo};

#[derive(Debug, Subcommand)]
pub enum HomologacaoCmd {
    /// Volta homologação ao ponto de partida: apaga atendimentos, processos, petições,
    /// decisões, documentos e a trilha, e gera a demonstração de novo (contas, aplicações e
    /// webhooks ficam). Exige --environment homologacao e --confirmar.
    Reiniciar {
        /// Confirma que os dados de processo de homologação serão apagados.
        #[arg(long)]
        confirmar: bool,
        /// Semente do gerador.
        #[arg(long, default_value_t = demo::DEFAULT_SEED)]
        seed: u64,
        /// Escala: 1 = 20.000 atendimentos.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=500))]
        scale: u32,
        /// Só os atendimentos identificados, sem a história (ABIs, petições, decisões).
        #[arg(long)]
        sem_cenario: bool,
    },
}

pub(super) async fn executar(global: &GlobalOpts, cmd: HomologacaoCmd) -> anyhow::Result<()> {
    let HomologacaoCmd::Reiniciar {
        confirmar,
        seed,
        scale,
        sem_cenario,
    } = cmd;
    let db = open(global).await?;
    let raiz = config::prepare_data_dir(&global.data_dir)?;
    let r = crate::servicos::homologacao::reiniciar(
        &db,
        global.environment,
        confirmar,
        &raiz,
        demo::Params::scale(seed, scale),
        !sem_cenario,
        "persus homologacao reiniciar",
    )
    .await;
    db.close().await;
    print_json(&r.map_err(|e| anyhow::anyhow!("{e}"))?);
    Ok(())
}
