//! `persus cobranca` (ANS finance): the bank's return file, a manual payment, SELIC rates.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::Subcommand;
use persus_store::auditoria::Ator;
use persus_store::Db;

use super::{ler_arquivo, ler_texto, parse_data, print_json};

#[derive(Debug, Subcommand)]
pub enum CobrancaCmd {
    /// Importa o arquivo retorno CNAB 240 do banco: tudo ou nada; o mesmo arquivo duas vezes
    /// não muda nada. Mostra o relatório (conciliados, divergentes, sem GRU, GRU inativa).
    Retorno {
        /// Usuário da ANS que importa (fica na trilha de auditoria).
        #[arg(long)]
        por: String,
        arquivo: PathBuf,
    },
    /// Registra um pagamento manual de uma GRU (conciliado com as mesmas regras do retorno).
    Pagamento {
        #[arg(long)]
        por: String,
        /// Número da GRU (ex.: 00.000.001-95).
        #[arg(long)]
        gru: String,
        /// Valor pago, como se escreve: 1.234,56.
        #[arg(long)]
        valor: String,
        /// Data do pagamento (AAAA-MM-DD).
        #[arg(long, value_parser = parse_data)]
        em: NaiveDate,
    },
    /// Importa taxas SELIC mensais publicadas (CSV competencia;taxa_percentual;fonte).
    Selic {
        #[arg(long)]
        por: String,
        arquivo: PathBuf,
    },
}

pub(super) async fn executar(db: Db, cmd: CobrancaCmd) -> anyhow::Result<()> {
    use crate::servicos::cobranca;
    let db = &db;
    let ator = |por: &str| Ator {
        ator: por.to_owned(),
        organizacao: "ANS".to_owned(),
        aplicacao: None,
        request_id: None,
    };
    match cmd {
        CobrancaCmd::Retorno { por, arquivo } => {
            let (nome, bytes) = ler_arquivo(&arquivo, crate::erros::LIMITE_RETORNO)?;
            let r = cobranca::importar_retorno(db, &nome, &bytes, &ator(&por), chrono::Utc::now())
                .await?;
            print_json(&r);
        }
        CobrancaCmd::Pagamento {
            por,
            gru,
            valor,
            em,
        } => {
            let v = persus_domain::money::Centavos::parse_brl(&valor)
                .map_err(|e| anyhow::anyhow!("--valor: {e}"))?;
            let r = cobranca::pagamento_manual(db, &gru, v, em, &ator(&por), chrono::Utc::now())
                .await?;
            print_json(&r);
        }
        CobrancaCmd::Selic { por, arquivo } => {
            let texto = ler_texto(&arquivo, crate::erros::LIMITE_PADRAO)?;
            let n = cobranca::importar_selic(db, &texto, &ator(&por), chrono::Utc::now()).await?;
            print_json(&serde_json::json!({ "meses": n }));
        }
    }
    Ok(())
}
