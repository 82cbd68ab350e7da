//! An operator's filing from the command line: `persus documento enviar` (a PDF of evidence)
//! and `persus peticao lote` (a batch of petitions from a CSV manifest).

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::Subcommand;
use persus_store::auditoria::Ator;

use super::{ler_arquivo, ler_texto, open, parse_data, print_json, relogio_em, GlobalOpts};
use crate::config;
use crate::servicos;
use crate::servicos::regras::RegrasVigentes;

#[derive(Debug, Subcommand)]
pub enum DocumentoCmd {
    /// Envia um PDF (até 10 MB) e mostra o número do documento, para citar nas petições.
    Enviar {
        /// Registro ANS da operadora.
        #[arg(long)]
        operadora: String,
        /// Usuário que envia (fica na trilha de auditoria).
        #[arg(long)]
        por: String,
        arquivo: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum PeticaoCmd {
    /// Protocola um lote a partir de um manifesto CSV (separado por ";"): cada linha é uma
    /// petição; linhas com erro são listadas e não protocoladas, as demais são.
    Lote {
        #[arg(long)]
        operadora: String,
        #[arg(long)]
        por: String,
        /// Data do protocolo (AAAA-MM-DD) em vez de hoje — para homologação e testes.
        #[arg(long, value_parser = parse_data)]
        em: Option<NaiveDate>,
        /// Manifesto com o cabeçalho tipo;processo;atendimentos;motivo;fundamentacao;auditor;documentos
        arquivo: PathBuf,
    },
}

/// `persus documento enviar`: the file is read before the database is opened.
pub(super) async fn documento(global: &GlobalOpts, cmd: DocumentoCmd) -> anyhow::Result<()> {
    let DocumentoCmd::Enviar {
        operadora,
        por,
        arquivo,
    } = cmd;
    let (nome, bytes) = ler_arquivo(&arquivo, servicos::documentos::LIMITE_BYTES)?;
    let raiz = config::prepare_data_dir(&global.data_dir)?;
    let db = open(global).await?;
    let r = servicos::documentos::enviar(
        &db,
        &servicos::documentos::ArmazenamentoLocal { raiz },
        &operadora,
        &nome,
        &bytes,
        &por,
        chrono::Utc::now(),
    )
    .await;
    db.close().await;
    let d = r?;
    print_json(&serde_json::json!({
        "id": d.id, "nome_arquivo": d.nome_arquivo, "sha256": d.sha256, "tamanho": d.tamanho,
    }));
    Ok(())
}

/// `persus peticao lote`: the manifest is read and checked before the database is opened; a
/// manifest with a bad line files nothing.
pub(super) async fn peticao(global: &GlobalOpts, cmd: PeticaoCmd) -> anyhow::Result<()> {
    let PeticaoCmd::Lote {
        operadora,
        por,
        em,
        arquivo,
    } = cmd;
    let texto = ler_texto(&arquivo, crate::api::lotes::LIMITE_CORPO)?;
    let pedidos = match servicos::peticoes::ler_lote_csv(&texto) {
        Ok(p) => p,
        Err(erros) => {
            print_json(&serde_json::json!({ "protocoladas": 0, "erros": erros }));
            anyhow::bail!(
                "manifesto com {} linha(s) inválida(s); nada foi protocolado",
                erros.len()
            );
        }
    };
    let relogio = relogio_em(em);
    let regras = RegrasVigentes::padrao();
    let db = open(global).await?;
    let inicio = std::time::Instant::now();
    let r = servicos::peticoes::protocolar_lote(
        &db,
        &operadora,
        &pedidos,
        &servicos::peticoes::Ocasiao {
            hoje: relogio.hoje(),
            agora: relogio.agora(),
            calendario: &regras.calendario,
            prazos: &regras.prazos,
            ator: &Ator::sistema(&por),
        },
    )
    .await;
    db.close().await;
    let r = r?;
    let atendimentos: usize = r.recibos.iter().map(|x| x.atendimentos.len()).sum();
    tracing::info!(
        peticoes = r.recibos.len(),
        atendimentos,
        recusadas = r.erros.len(),
        segundos = inicio.elapsed().as_secs_f64(),
        "batch filed"
    );
    // Rows of the batch are lines of the file after the header.
    let erros: Vec<_> = r
        .erros
        .iter()
        .map(|e| serde_json::json!({ "linha": e.linha + 1, "erros": e.erros }))
        .collect();
    print_json(&serde_json::json!({
        "protocoladas": r.recibos.len(),
        "atendimentos": atendimentos,
        "primeiro_protocolo": r.recibos.first().map(|x| &x.protocolo),
        "ultimo_protocolo": r.recibos.last().map(|x| &x.protocolo),
        "erros": erros,
    }));
    Ok(())
}
