//! `Idempotency-Key` against a power cut: the real `persus serve` is killed (abort at the worst
//! moment, or kill -9 in the middle of a burst of keyed POSTs), started again on the same
//! database, and every request is replayed with its key. Each key must have made exactly one
//! change, and each replay must answer the original answer. On SQLite and on PostgreSQL.

#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use persus_store::db::PoolRef;
use persus_store::testing::{postgres_url, TestDb};
use persus_store::{Backend, Db, DbConfig};

const HAPVIDA: &str = "368253";

/// A one-page PDF, as the demo's evidence.
fn pdf(marca: &str) -> Vec<u8> {
    persus_server::demo::cenario::pdf_de_prova(marca, &[])
}

/// A server on a database prepared by the test.
struct Servidor {
    filho: Child,
    porta: u16,
}

struct Base {
    t: TestDb,
    dados: PathBuf,
    _pg_dados: Option<tempfile::TempDir>,
    url: Option<String>,
}

async fn base(backend: Backend) -> Base {
    let t = TestDb::new(backend).await;
    persus_server::cli::load_reference_data(&t.db)
        .await
        .unwrap();
    persus_server::demo::credenciais::criar(&t.db)
        .await
        .unwrap();
    match &t.config {
        DbConfig::Sqlite { path } => {
            let dados = path.parent().unwrap().to_path_buf();
            Base {
                t,
                dados,
                _pg_dados: None,
                url: None,
            }
        }
        DbConfig::Postgres { schema, .. } => {
            let schema = schema.clone().unwrap();
            let dir = tempfile::tempdir().unwrap();
            Base {
                t,
                dados: dir.path().to_path_buf(),
                _pg_dados: Some(dir),
                url: Some(format!(
                    "{}?options=-c%20search_path%3D{schema}",
                    postgres_url()
                )),
            }
        }
    }
}

fn porta_livre() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn iniciar(b: &Base, falha: Option<&str>) -> Servidor {
    let porta = porta_livre();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_persus"));
    cmd.env_remove("DATABASE_URL")
        .env_remove("PERSUS_FALHA_INJETADA")
        .env("RUST_LOG", "warn")
        .env("PERSUS_ENVIRONMENT", "homologacao")
        .env("PERSUS_WEBHOOK_PERMITIR_LOOPBACK", "1")
        .args([
            "serve",
            "--agendador-intervalo",
            "0",
            "--port",
            &porta.to_string(),
            "--data-dir",
        ])
        .arg(&b.dados);
    if let Some(url) = &b.url {
        cmd.env("DATABASE_URL", url);
    }
    if let Some(f) = falha {
        cmd.env("PERSUS_FALHA_INJETADA", f);
    }
    let filho = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut s = Servidor { filho, porta };
    let prazo = Instant::now() + Duration::from_secs(60);
    while Instant::now() < prazo {
        if let Some(st) = s.filho.try_wait().unwrap() {
            panic!("persus exited early with {st}");
        }
        if let Some((200, _)) = http(porta, "GET", "/health", &[], b"") {
            return s;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    s.matar();
    panic!("persus did not answer /health within 60 s");
}

impl Servidor {
    fn matar(&mut self) {
        let _ = self.filho.kill(); // SIGKILL
        let _ = self.filho.wait();
    }
}

impl Drop for Servidor {
    fn drop(&mut self) {
        self.matar();
    }
}

/// One HTTP/1.1 request; `None` when the connection fails or is cut (the server died).
fn http(
    porta: u16,
    metodo: &str,
    caminho: &str,
    cabecalhos: &[(&str, String)],
    corpo: &[u8],
) -> Option<(u16, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", porta)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(30))).ok()?;
    let mut req = format!(
        "{metodo} {caminho} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: {}\r\n",
        corpo.len()
    );
    for (k, v) in cabecalhos {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).ok()?;
    s.write_all(corpo).ok()?;
    let mut resposta = Vec::new();
    s.read_to_end(&mut resposta).ok()?;
    let texto = String::from_utf8_lossy(&resposta).into_owned();
    let status = texto.split(' ').nth(1)?.parse().ok()?;
    let (_, corpo) = texto.split_once("\r\n\r\n")?;
    Some((status, corpo.to_owned()))
}

fn token(porta: u16) -> String {
    let basic = base64::engine::general_purpose::STANDARD
        .encode(format!("demo-{HAPVIDA}:demo-{HAPVIDA}-secret"));
    let (status, corpo) = http(
        porta,
        "POST",
        "/oauth/token",
        &[
            ("Authorization", format!("Basic {basic}")),
            ("Content-Type", "application/x-www-form-urlencoded".into()),
        ],
        b"grant_type=client_credentials",
    )
    .unwrap();
    assert_eq!(status, 200, "{corpo}");
    let v: serde_json::Value = serde_json::from_str(&corpo).unwrap();
    v["access_token"].as_str().unwrap().to_owned()
}

/// A keyed request of the burst: a webhook subscription or a document upload.
#[derive(Clone)]
struct Pedido {
    chave: String,
    caminho: String,
    tipo: &'static str,
    corpo: Vec<u8>,
}

fn pedidos(n: usize) -> Vec<Pedido> {
    (0..n)
        .map(|i| {
            if i % 2 == 0 {
                Pedido {
                    chave: format!("webhook-{i}"),
                    caminho: "/api/v1/webhooks".into(),
                    tipo: "application/json",
                    corpo: serde_json::json!({
                        "url": format!("http://127.0.0.1:9/receptor/{i}"),
                        "eventos": ["teste"],
                    })
                    .to_string()
                    .into_bytes(),
                }
            } else {
                Pedido {
                    chave: format!("documento-{i}"),
                    caminho: format!("/api/v1/documentos?nome=prova-{i}.pdf"),
                    tipo: "application/pdf",
                    corpo: pdf(&format!("prova {i}")),
                }
            }
        })
        .collect()
}

fn enviar(porta: u16, token: &str, p: &Pedido) -> Option<(u16, String)> {
    http(
        porta,
        "POST",
        &p.caminho,
        &[
            ("Authorization", format!("Bearer {token}")),
            ("Content-Type", p.tipo.into()),
            ("Idempotency-Key", p.chave.clone()),
        ],
        &p.corpo,
    )
}

async fn contar(db: &Db, sql: &str) -> i64 {
    match db.inner() {
        PoolRef::Sqlite(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
        PoolRef::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
    }
}

async fn mudancas(db: &Db) -> (i64, i64) {
    (
        contar(db, "SELECT COUNT(*) FROM webhooks").await,
        contar(db, "SELECT COUNT(*) FROM documentos").await,
    )
}

/// Replays every request on a fresh server; every answer must be a success, the same as any
/// answer the client saw before the crash.
fn repetir_todos(b: &Base, lista: &[Pedido], vistos: &HashMap<String, (u16, String)>) {
    let s = iniciar(b, None);
    let tk = token(s.porta);
    for p in lista {
        let (status, corpo) = enviar(s.porta, &tk, p).unwrap();
        assert_eq!(
            status, 201,
            "{}: replay after the crash answered {status}: {corpo}",
            p.chave
        );
        if let Some((st0, corpo0)) = vistos.get(&p.chave) {
            assert_eq!(
                (status, &corpo),
                (*st0, corpo0),
                "{}: the replay is the original answer",
                p.chave
            );
        }
    }
}

async fn queda_no_pior_momento(backend: Backend) {
    let b = base(backend).await;
    let lista = pedidos(2);
    for p in &lista {
        // The server aborts after the change and before answering: the client sees nothing.
        let s = iniciar(&b, Some("apos-mudanca"));
        let tk = token(s.porta);
        assert_eq!(
            enviar(s.porta, &tk, p),
            None,
            "{}: the server died mid-request",
            p.chave
        );
        drop(s);
    }
    repetir_todos(&b, &lista, &HashMap::new());
    repetir_todos(&b, &lista, &HashMap::new());
    assert_eq!(
        mudancas(&b.t.db).await,
        (1, 1),
        "one subscription and one document: the crashed attempt, the replay and a second replay made one change each"
    );
    b.t.cleanup().await;
}

async fn kill_9_no_meio_da_rajada(backend: Backend) {
    let b = base(backend).await;
    let lista = pedidos(120);
    let vistos: Arc<Mutex<HashMap<String, (u16, String)>>> = Arc::default();
    {
        let mut s = iniciar(&b, None);
        let tk = token(s.porta);
        let porta = s.porta;
        let fila = Arc::new(Mutex::new(lista.clone()));
        let fios: Vec<_> = (0..12)
            .map(|_| {
                let (fila, vistos, tk) = (fila.clone(), vistos.clone(), tk.clone());
                std::thread::spawn(move || loop {
                    let Some(p) = fila.lock().unwrap().pop() else {
                        break;
                    };
                    if let Some(r) = enviar(porta, &tk, &p) {
                        vistos.lock().unwrap().insert(p.chave.clone(), r);
                    }
                })
            })
            .collect();
        // Kill once a third has been answered: many requests are in flight at that moment.
        let prazo = Instant::now() + Duration::from_secs(120);
        while vistos.lock().unwrap().len() < lista.len() / 3 && Instant::now() < prazo {
            std::thread::sleep(Duration::from_millis(2));
        }
        s.matar();
        for f in fios {
            f.join().unwrap();
        }
    }
    let vistos = vistos.lock().unwrap().clone();
    assert!(
        !vistos.is_empty() && vistos.len() < lista.len(),
        "the kill landed mid-burst ({} of {} answered)",
        vistos.len(),
        lista.len()
    );
    for (chave, (status, corpo)) in &vistos {
        assert_eq!(*status, 201, "{chave}: {corpo}");
    }
    repetir_todos(&b, &lista, &vistos);
    assert_eq!(
        mudancas(&b.t.db).await,
        (60, 60),
        "each key made exactly one change"
    );
    b.t.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_between_change_and_answer_is_replayed_as_one_change_sqlite() {
    queda_no_pior_momento(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_between_change_and_answer_is_replayed_as_one_change_postgres() {
    queda_no_pior_momento(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_during_a_burst_of_keyed_posts_leaves_one_change_per_key_sqlite() {
    kill_9_no_meio_da_rajada(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_during_a_burst_of_keyed_posts_leaves_one_change_per_key_postgres() {
    kill_9_no_meio_da_rajada(Backend::Postgres).await;
}
