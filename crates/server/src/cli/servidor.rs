//! `persus serve` and `persus demo`: start-up in fail-fast order (configuration → port →
//! database → reference data → (demo: seed) → serve), the HTTP server and the background tasks
//! it runs (scheduler, batch worker, webhook deliveries), and the graceful shutdown.

use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use clap::Args;
use persus_store::auditoria::Ator;
use persus_store::Db;

use super::{open, GlobalOpts};
use crate::app::{self, AppState};
use crate::config::{self, Interruptores};
use crate::demo;
use crate::servicos::regras::RegrasVigentes;
use crate::servicos::relogio::{Relogio, RelogioSistema};
use crate::servicos::{self, agendador};

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

/// `persus serve`: every setting checked, then the port bound, then the database opened.
pub(super) async fn serve_cmd(global: &GlobalOpts, opts: ServeOpts) -> anyhow::Result<()> {
    let interruptores = Interruptores::do_ambiente()?;
    let ambiente = global.environment.unwrap_or(config::Ambiente::Producao);
    let destinos = config::destinos_webhook(ambiente, opts.webhook_permitir_loopback)?;
    config::verificar_assets_web()?;
    let listener = config::bind(opts.bind, opts.port).await?;
    let db = open(global).await?;
    let raiz_documentos = config::prepare_data_dir(&global.data_dir)?;
    serve(Servidor {
        listener,
        db,
        agendador_intervalo: opts.agendador_intervalo,
        raiz_documentos,
        destinos,
        interruptores,
    })
    .await
}

/// `persus demo`: the synthetic data (once), its story and credentials, then the server.
pub(super) async fn demo_cmd(global: &GlobalOpts, opts: DemoOpts) -> anyhow::Result<()> {
    if global.environment == Some(config::Ambiente::Producao) {
        anyhow::bail!(
            "persus demo cria dados sintéticos e credenciais de demonstração: só roda em homologação (tire --environment producao)"
        );
    }
    // Bind first: a busy port should fail before minutes of seeding, not after.
    let servir = if opts.sem_servidor {
        None
    } else {
        let interruptores = Interruptores::do_ambiente()?;
        config::verificar_assets_web()?;
        Some((
            config::bind(opts.serve.bind, opts.serve.port).await?,
            interruptores,
        ))
    };
    let db = open(global).await?;
    let outcome = demo::seed(&db, demo::Params::scale(opts.seed, opts.scale))
        .await
        .context("falha ao gerar os dados de demonstração")?;
    tracing::info!(?outcome, "demo data ready");
    if !opts.sem_cenario {
        let raiz = config::prepare_data_dir(&global.data_dir)?;
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
    match servir {
        Some((listener, interruptores)) => {
            let raiz_documentos = config::prepare_data_dir(&global.data_dir)?;
            let destinos = config::destinos_webhook(
                config::Ambiente::Homologacao,
                opts.serve.webhook_permitir_loopback,
            )?;
            serve(Servidor {
                listener,
                db,
                agendador_intervalo: opts.serve.agendador_intervalo,
                raiz_documentos,
                destinos,
                interruptores,
            })
            .await
        }
        None => {
            db.close().await;
            Ok(())
        }
    }
}

/// What a running server is made of, checked and opened by the command that starts it.
pub struct Servidor {
    pub listener: tokio::net::TcpListener,
    pub db: Db,
    /// Seconds between scheduler runs; 0 turns it off.
    pub agendador_intervalo: u64,
    pub raiz_documentos: PathBuf,
    pub destinos: servicos::destinos::Politica,
    pub interruptores: Interruptores,
}

/// Serves until SIGTERM or Ctrl-C, then finishes in-flight requests and closes the pool.
pub async fn serve(s: Servidor) -> anyhow::Result<()> {
    let Servidor {
        listener,
        db,
        agendador_intervalo,
        raiz_documentos,
        destinos,
        interruptores,
    } = s;
    let ambiente = destinos.ambiente;
    let addr = listener.local_addr()?;
    let mut estado = AppState::com_documentos(db.clone(), raiz_documentos);
    estado.ambiente = ambiente;
    estado.webhook_permitir_loopback = destinos.loopback();
    estado.cookie_seguro = interruptores.cookie_seguro;
    estado.proxy_confiavel = interruptores.proxy_confiavel;
    // The background tasks use the rule tables the requests use, loaded once.
    let agendador = (agendador_intervalo > 0).then(|| {
        tokio::spawn(agendador_periodico(
            db.clone(),
            estado.regras.clone(),
            std::time::Duration::from_secs(agendador_intervalo),
        ))
    });
    let entregador = tokio::spawn(entregador_de_webhooks(db.clone(), destinos));
    let processador = tokio::spawn(processador_de_lotes(db.clone(), estado.regras.clone()));
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
async fn agendador_periodico(db: Db, regras: Arc<RegrasVigentes>, intervalo: std::time::Duration) {
    let ator = Ator::sistema("agendador");
    let mut relogio = tokio::time::interval(intervalo);
    relogio.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        relogio.tick().await;
        let r = RelogioSistema;
        let feito = agendador::executar(
            &db,
            r.hoje(),
            &regras.calendario,
            &regras.prazos,
            &ator,
            r.agora(),
        )
        .await;
        match feito {
            Ok(resumo) => tracing::info!(
                hoje = %r.hoje(),
                ciencias_presumidas = resumo.ciencias_presumidas,
                prazos_encerrados = resumo.prazos_encerrados,
                atendimentos_devidos = resumo.atendimentos_devidos,
                idempotencias_expiradas = resumo.idempotencias_expiradas,
                "scheduler run"
            ),
            Err(e) => {
                tracing::warn!(error = %e, "scheduler run failed; retrying at the next interval")
            }
        }
    }
}

/// Files received batch jobs, one after another, polling every second when idle.
async fn processador_de_lotes(db: Db, regras: Arc<RegrasVigentes>) {
    loop {
        match servicos::lotes::processar_um(&db, &regras, chrono::Utc::now()).await {
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
