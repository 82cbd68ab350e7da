//! The `persus` command line: `serve`, `demo`, `migrate`.
//!
//! Every option has an environment variable twin (`PERSUS_*`, `DATABASE_URL`) so the same
//! binary is configured the same way on a laptop, in CI and in a container.

use std::net::IpAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use persus_store::{operadoras, Db, DbConfig};

use chrono::NaiveDate;
use persus_domain::calendar::CalendarioAns;
use persus_domain::deadline::PrazosVigentes;
use persus_domain::ids::Trimestre;
use persus_store::auditoria::{self, Ator, Verificacao};
use persus_store::{abis, processos};

use crate::app::{self, AppState};
use crate::config;
use crate::demo;
use crate::servicos::relogio::{Relogio, RelogioFixo, RelogioSistema};
use crate::servicos::{self, agendador, publicacao};
use crate::telemetry::LogFormat;

#[derive(Debug, Parser)]
#[command(
    name = "persus",
    version,
    about = "persus — protocolo eletrônico do Ressarcimento ao SUS",
    long_about = "persus — protocolo eletrônico do Ressarcimento ao SUS.\n\n\
                  Sem DATABASE_URL, usa SQLite no diretório de dados; com \
                  DATABASE_URL=postgres://…, usa PostgreSQL."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalOpts,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalOpts {
    /// Diretório de dados (banco SQLite, documentos).
    #[arg(
        long,
        env = "PERSUS_DATA_DIR",
        default_value = "persus-data",
        global = true
    )]
    pub data_dir: PathBuf,
    /// PostgreSQL (postgres://…). Sem ela, SQLite em <data-dir>/persus.db.
    #[arg(
        long = "database-url",
        env = "DATABASE_URL",
        hide_env_values = true,
        global = true
    )]
    pub database_url: Option<String>,
    /// Ambiente: homologacao (sandbox com dados sintéticos) ou producao. `persus demo` é sempre
    /// homologação; `persus serve` é produção se não for dito.
    #[arg(long, env = "PERSUS_ENVIRONMENT", value_enum, global = true)]
    pub environment: Option<config::Ambiente>,
    /// Formato dos logs.
    #[arg(
        long,
        env = "PERSUS_LOG_FORMAT",
        value_enum,
        default_value = "text",
        global = true
    )]
    pub log_format: LogFormat,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Inicia o servidor HTTP.
    Serve(ServeOpts),
    /// Cria (uma vez) dados sintéticos realistas e inicia o servidor.
    Demo(DemoOpts),
    /// Aplica as migrações pendentes e carrega os dados de referência.
    Migrate,
    /// ABIs: agenda, publicação e consulta.
    #[command(subcommand)]
    Abi(AbiCmd),
    /// Aplica as transições que dependem só do tempo (ciência presumida, prazos vencidos).
    Tick {
        /// Data de referência (AAAA-MM-DD) em vez de hoje — para homologação e testes.
        #[arg(long, value_parser = parse_data)]
        at: Option<NaiveDate>,
    },
    /// Trilha de auditoria.
    #[command(subcommand)]
    Audit(AuditCmd),
    /// Documentos de prova (PDF) de uma operadora.
    #[command(subcommand)]
    Documento(DocumentoCmd),
    /// Petições (impugnação e recurso).
    #[command(subcommand)]
    Peticao(PeticaoCmd),
    /// Aplicações da API (Área do Desenvolvedor), pelo representante legal ou gestor.
    #[command(subcommand)]
    Aplicacao(AplicacaoCmd),
    /// Cobrança (ANS, financeiro): retorno do banco, pagamento manual, taxas SELIC.
    #[command(subcommand)]
    Cobranca(CobrancaCmd),
    /// Homologação: o ambiente de testes das operadoras.
    #[command(subcommand)]
    Homologacao(HomologacaoCmd),
    /// Um atendimento por inteiro: valores, processo, notificações, petições, decisões e a
    /// linha do tempo.
    Atendimento {
        /// Número da AIH ou APAC (13 dígitos).
        numero: String,
        /// Restringe à operadora (registro ANS), como ela veria.
        #[arg(long)]
        operadora: Option<String>,
    },
}

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

#[derive(Debug, Subcommand)]
pub enum AuditCmd {
    /// Recalcula o encadeamento de hashes de toda a trilha.
    Verify,
}

fn parse_data(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| format!("data inválida \"{s}\": use AAAA-MM-DD"))
}

fn parse_trimestre(s: &str) -> Result<Trimestre, String> {
    Trimestre::parse(s).map_err(|e| e.to_string())
}

#[derive(Debug, Args)]
pub struct ServeOpts {
    /// Endereço de escuta.
    #[arg(long, env = "PERSUS_BIND", default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// Porta de escuta.
    #[arg(long, env = "PERSUS_PORT", default_value_t = 8080)]
    pub port: u16,
    /// Intervalo, em segundos, entre as execuções automáticas do agendador (ciência presumida,
    /// prazos vencidos); 0 desliga — então só `persus tick` move o tempo.
    #[arg(long, env = "PERSUS_AGENDADOR_INTERVALO", default_value_t = 3600)]
    pub agendador_intervalo: u64,
    /// Só em homologação: aceita webhooks para endereços de loopback (127.0.0.0/8, ::1) e por
    /// http:// — para receptores locais de teste. Desligada por padrão; recusada em produção.
    #[arg(
        long,
        env = "PERSUS_WEBHOOK_PERMITIR_LOOPBACK",
        value_parser = clap::builder::BoolishValueParser::new(),
        default_value_t = false,
        num_args = 0..=1,
        default_missing_value = "true"
    )]
    pub webhook_permitir_loopback: bool,
}

#[derive(Debug, Args)]
pub struct DemoOpts {
    #[command(flatten)]
    pub serve: ServeOpts,
    /// Semente do gerador: a mesma semente e escala geram exatamente os mesmos dados.
    #[arg(long, default_value_t = demo::DEFAULT_SEED)]
    pub seed: u64,
    /// Escala: 1 = 20.000 atendimentos; 50 = 1.000.000.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=500))]
    pub scale: u32,
    /// Apenas gera os dados e sai, sem iniciar o servidor.
    #[arg(long)]
    pub sem_servidor: bool,
    /// Só os atendimentos identificados: sem ABIs publicados, petições nem decisões.
    #[arg(long)]
    pub sem_cenario: bool,
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Migrate => {
            let db = open(&cli.global).await?;
            tracing::info!(
                migrations = ?db.applied_migrations().await?,
                database = db.backend().name(),
                "schema up to date"
            );
            db.close().await;
            Ok(())
        }
        Command::Serve(opts) => {
            let ambiente = cli.global.environment.unwrap_or(config::Ambiente::Producao);
            let destinos = config::destinos_webhook(ambiente, opts.webhook_permitir_loopback)?;
            config::verificar_assets_web()?;
            let listener = config::bind(opts.bind, opts.port).await?;
            let db = open(&cli.global).await?;
            let raiz = config::prepare_data_dir(&cli.global.data_dir)?;
            serve(listener, db, opts.agendador_intervalo, raiz, destinos).await
        }
        Command::Abi(cmd) => {
            let db = open(&cli.global).await?;
            let r = abi(&db, cmd).await;
            db.close().await;
            r
        }
        Command::Homologacao(HomologacaoCmd::Reiniciar {
            confirmar,
            seed,
            scale,
            sem_cenario,
        }) => {
            let db = open(&cli.global).await?;
            let raiz = config::prepare_data_dir(&cli.global.data_dir)?;
            let r = crate::servicos::homologacao::reiniciar(
                &db,
                cli.global.environment,
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
        Command::Tick { at } => {
            let db = open(&cli.global).await?;
            let relogio: Box<dyn Relogio> = match at {
                Some(d) => Box::new(RelogioFixo::em(d)),
                None => Box::new(RelogioSistema),
            };
            let resumo = agendador::executar(
                &db,
                relogio.hoje(),
                &CalendarioAns::padrao(),
                &PrazosVigentes::padrao(),
                &Ator::sistema("persus tick"),
                relogio.agora(),
            )
            .await?;
            print_json(&resumo);
            db.close().await;
            Ok(())
        }
        Command::Cobranca(cmd) => {
            let db = open(&cli.global).await?;
            let r = cobranca_cmd(&db, cmd).await;
            db.close().await;
            r
        }
        Command::Documento(DocumentoCmd::Enviar {
            operadora,
            por,
            arquivo,
        }) => {
            let (nome, bytes) = ler_arquivo(&arquivo)?;
            let raiz = config::prepare_data_dir(&cli.global.data_dir)?;
            let db = open(&cli.global).await?;
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
        Command::Peticao(PeticaoCmd::Lote {
            operadora,
            por,
            em,
            arquivo,
        }) => {
            let texto = std::fs::read_to_string(&arquivo).with_context(|| {
                format!(
                    "não foi possível ler {} (o manifesto deve ser UTF-8)",
                    arquivo.display()
                )
            })?;
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
            let relogio: Box<dyn Relogio> = match em {
                Some(d) => Box::new(RelogioFixo::em(d)),
                None => Box::new(RelogioSistema),
            };
            let db = open(&cli.global).await?;
            let inicio = std::time::Instant::now();
            let r = servicos::peticoes::protocolar_lote(
                &db,
                &operadora,
                &pedidos,
                &crate::servicos::peticoes::Ocasiao {
                    hoje: relogio.hoje(),
                    agora: relogio.agora(),
                    calendario: &CalendarioAns::padrao(),
                    prazos: &PrazosVigentes::padrao(),
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
        Command::Aplicacao(cmd) => {
            let db = open(&cli.global).await?;
            let agora = chrono::Utc::now();
            let r = match cmd {
                AplicacaoCmd::Registrar {
                    por,
                    nome,
                    ambiente,
                    escopos,
                } => {
                    let escopos: Vec<String> =
                        escopos.split_whitespace().map(str::to_owned).collect();
                    servicos::aplicacoes::registrar(&db, &por, &nome, &ambiente, &escopos, agora)
                        .await
                        .map(|c| serde_json::to_value(c).unwrap_or_default())
                }
                AplicacaoCmd::Rotacionar { por, client_id } => {
                    servicos::aplicacoes::rotacionar_segredo(&db, &por, &client_id, agora)
                        .await
                        .map(|c| serde_json::to_value(c).unwrap_or_default())
                }
                AplicacaoCmd::Revogar { por, client_id } => {
                    servicos::aplicacoes::revogar(&db, &por, &client_id, agora)
                        .await
                        .map(|()| serde_json::json!({ "revogada": client_id }))
                }
            };
            db.close().await;
            print_json(&r?);
            Ok(())
        }
        Command::Atendimento { numero, operadora } => {
            let db = open(&cli.global).await?;
            let h = servicos::historico::consultar(&db, &numero, operadora.as_deref()).await;
            db.close().await;
            match h? {
                Some(h) => {
                    print_json(&h);
                    Ok(())
                }
                None => anyhow::bail!("atendimento {numero} não encontrado"),
            }
        }
        Command::Audit(AuditCmd::Verify) => {
            let db = open(&cli.global).await?;
            let v = auditoria::verificar(&db).await?;
            db.close().await;
            match v {
                Verificacao::Integra { eventos } => {
                    print_line(&format!("trilha de auditoria íntegra: {eventos} eventos"));
                    Ok(())
                }
                Verificacao::Violada { seq, motivo } => {
                    anyhow::bail!("trilha de auditoria violada no evento {seq}: {motivo}")
                }
            }
        }
        Command::Demo(opts) => {
            if cli.global.environment == Some(config::Ambiente::Producao) {
                anyhow::bail!(
                    "persus demo cria dados sintéticos e credenciais de demonstração: só roda em homologação (tire --environment producao)"
                );
            }
            // Bind first: a busy port should fail before minutes of seeding, not after.
            let listener = if opts.sem_servidor {
                None
            } else {
                config::verificar_assets_web()?;
                Some(config::bind(opts.serve.bind, opts.serve.port).await?)
            };
            let db = open(&cli.global).await?;
            let outcome = demo::seed(&db, demo::Params::scale(opts.seed, opts.scale))
                .await
                .context("falha ao gerar os dados de demonstração")?;
            tracing::info!(?outcome, "demo data ready");
            if !opts.sem_cenario {
                let raiz = config::prepare_data_dir(&cli.global.data_dir)?;
                let resumo = demo::cenario::encenar(&db, opts.seed, &raiz)
                    .await
                    .context("falha ao encenar o cenário de demonstração")?;
                if let Some(r) = resumo {
                    tracing::info!(?r, "demo scenario ready");
                }
            }
            demo::credenciais::criar(&db)
                .await
                .context("falha ao criar as credenciais de demonstração")?;
            tracing::info!(
                web = "ans.admin, ans.analista, ans.diretor, ans.dicol, ans.financeiro, rep.<registro> (368253, 326305, 005711, 343889, 323080, 359017, 339679) — senha: demo",
                api = "client_id demo-<registro> / client_secret demo-<registro>-secret; demo-ans / demo-ans-secret",
                "demo credentials (demo and homologação only)"
            );
            match listener {
                Some(listener) => {
                    let raiz = config::prepare_data_dir(&cli.global.data_dir)?;
                    let destinos = config::destinos_webhook(
                        config::Ambiente::Homologacao,
                        opts.serve.webhook_permitir_loopback,
                    )?;
                    serve(listener, db, opts.serve.agendador_intervalo, raiz, destinos).await
                }
                None => {
                    db.close().await;
                    Ok(())
                }
            }
        }
    }
}

/// A file given on the command line: its name (for the record) and bytes, or a pt-BR reason.
fn ler_arquivo(arquivo: &std::path::Path) -> anyhow::Result<(String, Vec<u8>)> {
    let bytes = std::fs::read(arquivo)
        .with_context(|| format!("não foi possível ler {}", arquivo.display()))?;
    let nome = arquivo
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok((nome, bytes))
}

async fn cobranca_cmd(db: &Db, cmd: CobrancaCmd) -> anyhow::Result<()> {
    use crate::servicos::cobranca;
    let ator = |por: &str| Ator {
        ator: por.to_owned(),
        organizacao: "ANS".to_owned(),
        aplicacao: None,
        request_id: None,
    };
    match cmd {
        CobrancaCmd::Retorno { por, arquivo } => {
            let (nome, bytes) = ler_arquivo(&arquivo)?;
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
            let texto = std::fs::read_to_string(&arquivo)
                .with_context(|| format!("não foi possível ler {} (UTF-8)", arquivo.display()))?;
            let n = cobranca::importar_selic(db, &texto, &ator(&por), chrono::Utc::now()).await?;
            print_json(&serde_json::json!({ "meses": n }));
        }
    }
    Ok(())
}

async fn abi(db: &Db, cmd: AbiCmd) -> anyhow::Result<()> {
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
            let relogio: Box<dyn Relogio> = match em {
                Some(d) => Box::new(RelogioFixo::em(d)),
                None => Box::new(RelogioSistema),
            };
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

/// Command results go to stdout as JSON (logs go to stderr), so scripts can read them.
#[allow(clippy::print_stdout)]
fn print_json<T: serde::Serialize>(v: &T) {
    println!("{}", serde_json::to_string_pretty(v).unwrap_or_default());
}

#[allow(clippy::print_stdout)]
fn print_line(s: &str) {
    println!("{s}");
}

/// Data dir, database config, connect, migrate, reference data: the start-up every command shares.
pub async fn open(global: &GlobalOpts) -> anyhow::Result<Db> {
    let data_dir = config::prepare_data_dir(&global.data_dir)?;
    let db_config = config::database(global.database_url.as_deref(), &data_dir)?;
    open_config(&db_config).await
}

pub async fn open_config(db_config: &DbConfig) -> anyhow::Result<Db> {
    tracing::info!(database = %db_config.redacted(), "opening database");
    let db = Db::open(db_config).await?;
    load_reference_data(&db).await?;
    Ok(db)
}

/// Loads the embedded operator register when it changed since the last start.
pub async fn load_reference_data(db: &Db) -> anyhow::Result<()> {
    load_motivos(db).await?;
    load_selic(db).await?;
    const KEY: &str = "referencia.operadoras";
    let fingerprint = format!("{:016x}", fnv1a(operadoras::CADOP_CSV.as_bytes()));
    if persus_store::meta::get(db, KEY).await?.as_deref() == Some(fingerprint.as_str()) {
        return Ok(());
    }
    let mut tx = db.begin().await?;
    let n = operadoras::load_register(&mut tx).await?;
    persus_store::meta::set(&mut tx, KEY, &fingerprint, chrono::Utc::now()).await?;
    tx.commit().await?;
    tracing::info!(operadoras = n, "operator register loaded");
    Ok(())
}

/// Loads the grounds catalogue when it changed since the last start.
async fn load_motivos(db: &Db) -> anyhow::Result<()> {
    const KEY: &str = "referencia.motivos";
    let csv = persus_domain::motivos::CATALOGO_PADRAO_CSV;
    let fingerprint = format!("{:016x}", fnv1a(csv.as_bytes()));
    if persus_store::meta::get(db, KEY).await?.as_deref() == Some(fingerprint.as_str()) {
        return Ok(());
    }
    let motivos = persus_domain::motivos::parse_catalogo(csv).map_err(anyhow::Error::msg)?;
    let mut tx = db.begin().await?;
    persus_store::peticoes::carregar_motivos(&mut tx, &motivos).await?;
    persus_store::meta::set(&mut tx, KEY, &fingerprint, chrono::Utc::now()).await?;
    tx.commit().await?;
    Ok(())
}

/// Seeds the embedded SELIC rates when the embedded file changed since the last start (never
/// overwriting a rate ANS imported).
async fn load_selic(db: &Db) -> anyhow::Result<()> {
    const KEY: &str = "referencia.selic";
    let fingerprint = format!(
        "{:016x}",
        fnv1a(persus_domain::cobranca::SELIC_CSV.as_bytes())
    );
    if persus_store::meta::get(db, KEY).await?.as_deref() == Some(fingerprint.as_str()) {
        return Ok(());
    }
    let n = crate::servicos::cobranca::semear_selic(db, chrono::Utc::now()).await?;
    let mut tx = db.begin().await?;
    persus_store::meta::set(&mut tx, KEY, &fingerprint, chrono::Utc::now()).await?;
    tx.commit().await?;
    tracing::info!(meses = n, "SELIC rates seeded");
    Ok(())
}

/// FNV-1a: a stable fingerprint of embedded data (std's hasher may change between releases).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3)
    })
}

/// Serves until SIGTERM or Ctrl-C, then finishes in-flight requests and closes the pool.
pub async fn serve(
    listener: tokio::net::TcpListener,
    db: Db,
    agendador_intervalo: u64,
    raiz_documentos: PathBuf,
    destinos: servicos::destinos::Politica,
) -> anyhow::Result<()> {
    let ambiente = destinos.ambiente;
    let addr = listener.local_addr()?;
    let agendador = (agendador_intervalo > 0).then(|| {
        tokio::spawn(agendador_periodico(
            db.clone(),
            std::time::Duration::from_secs(agendador_intervalo),
        ))
    });
    let entregador = tokio::spawn(entregador_de_webhooks(db.clone(), destinos));
    let processador = tokio::spawn(processador_de_lotes(db.clone()));
    let mut estado = AppState::com_documentos(db.clone(), raiz_documentos);
    estado.ambiente = ambiente;
    estado.webhook_permitir_loopback = destinos.loopback();
    tracing::info!(
        ambiente = ambiente.as_str(),
        webhook_loopback = destinos.loopback(),
        "environment"
    );
    let escritor_de_acessos = estado.api.escritor_de_acessos();
    let router = app::router(estado);
    tracing::info!(url = %format!("http://{addr}/"), database = db.backend().name(), "persus listening");
    // With the peer's address (sign-in throttling counts attempts per source).
    let router = router.into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .context("o servidor HTTP parou com erro")?;
    if let Some(a) = agendador {
        a.abort();
    }
    // Undelivered messages stay in the outbox/delivery table and go at the next start.
    entregador.abort();
    // A job being filed is one transaction: aborting rolls it back and it is taken again later.
    processador.abort();
    // The router (and every sender of the access log) is gone: let the writer drain.
    if let Some(e) = escritor_de_acessos {
        if tokio::time::timeout(std::time::Duration::from_secs(10), e)
            .await
            .is_err()
        {
            tracing::error!("access log writer did not finish within 10 s");
        }
    }
    db.close().await;
    tracing::info!("persus stopped");
    Ok(())
}

/// Time passes without anyone pressing a button: the scheduler runs at start and then every
/// `intervalo`, on the system clock (America/Sao_Paulo). It is idempotent, so a run that
/// overlaps `persus tick` or another server changes nothing twice; a failed run is logged and
/// retried at the next interval.
async fn agendador_periodico(db: Db, intervalo: std::time::Duration) {
    let calendario = CalendarioAns::padrao();
    let prazos = PrazosVigentes::padrao();
    let ator = Ator::sistema("agendador");
    let mut relogio = tokio::time::interval(intervalo);
    relogio.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        relogio.tick().await;
        let r = RelogioSistema;
        match agendador::executar(&db, r.hoje(), &calendario, &prazos, &ator, r.agora()).await {
            Ok(resumo) => tracing::info!(
                hoje = %r.hoje(),
                ciencias_presumidas = resumo.ciencias_presumidas,
                prazos_encerrados = resumo.prazos_encerrados,
                atendimentos_devidos = resumo.atendimentos_devidos,
                "scheduler run"
            ),
            Err(e) => {
                tracing::warn!(error = %e, "scheduler run failed; retrying at the next interval")
            }
        }
    }
}

/// Files received batch jobs, one after another, polling every second when idle.
async fn processador_de_lotes(db: Db) {
    loop {
        match servicos::lotes::processar_um(&db, chrono::Utc::now()).await {
            Ok(Some(id)) => tracing::info!(lote = id, "batch job filed"),
            Ok(None) => tokio::time::sleep(std::time::Duration::from_secs(1)).await,
            Err(e) => {
                tracing::warn!(error = %e, "batch job failed; retried after the abandon time");
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            }
        }
    }
}

/// Delivers webhooks every 2 s: the outbox is fanned out and due messages are POSTed (with
/// retries on their schedule), only to destinations `destinos` allows. Idempotent per message,
/// so several nodes may run it.
async fn entregador_de_webhooks(db: Db, destinos: servicos::destinos::Politica) {
    let mut relogio = tokio::time::interval(std::time::Duration::from_secs(2));
    relogio.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        relogio.tick().await;
        match servicos::webhooks::despachar(&db, chrono::Utc::now(), destinos).await {
            Ok(r) if r.entregues + r.reagendadas + r.falhas > 0 => {
                tracing::info!(
                    entregues = r.entregues,
                    reagendadas = r.reagendadas,
                    falhas = r.falhas,
                    "webhooks"
                )
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "webhook round failed"),
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutdown signal received; finishing in-flight requests");
}
