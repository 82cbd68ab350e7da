//! The `persus` binary as a person runs it: bad configuration fails fast with a message saying
//! what to change; the server starts, answers and stops cleanly on SIGTERM, on both databases.

#![allow(clippy::unwrap_used)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use persus_store::testing::{postgres_url, TestDb};
use persus_store::{Backend, DbConfig};

fn persus() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_persus"));
    cmd.env_remove("DATABASE_URL")
        .env_remove("PERSUS_DATA_DIR")
        .env_remove("PERSUS_PORT")
        .env_remove("PERSUS_BIND")
        .env("RUST_LOG", "info");
    cmd
}

fn run(cmd: &mut Command) -> Output {
    cmd.stdin(Stdio::null()).output().expect("run persus")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn a_port_in_use_is_refused_before_anything_starts() {
    let dir = tempfile::tempdir().unwrap();
    let busy = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port().to_string();
    let out = run(persus()
        .args(["serve", "--port", &port, "--data-dir"])
        .arg(dir.path()));
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("já está em uso"), "{err}");
    assert!(
        err.contains("--port"),
        "the message says what to change: {err}"
    );
    // Nothing was created: the port is checked before the database.
    assert!(!dir.path().join("persus.db").exists());
}

#[test]
fn without_the_design_system_files_the_server_refuses_to_start() {
    let dir = tempfile::tempdir().unwrap();
    let vazio = tempfile::tempdir().unwrap();
    let port = free_port().to_string();
    for comando in ["serve", "demo"] {
        let out = run(persus()
            .args([comando, "--port", &port, "--data-dir"])
            .arg(dir.path())
            .env("PERSUS_WEB_ASSETS", vazio.path()));
        assert!(!out.status.success(), "{comando} started without them");
        let err = stderr(&out);
        assert!(err.contains("gov.br Design System"), "{comando}: {err}");
        assert!(
            err.contains("npm ci --prefix web") && err.contains("PERSUS_WEB_ASSETS"),
            "{comando}: the message says how to fix it: {err}"
        );
        assert!(
            err.contains(&vazio.path().display().to_string()),
            "{comando}: where it looked: {err}"
        );
        // Checked before the database: nothing was created.
        assert!(!dir.path().join("persus.db").exists(), "{comando}");
    }
}

#[test]
fn an_unusable_data_dir_is_refused_with_the_reason() {
    let file = tempfile::NamedTempFile::new().unwrap();
    let out = run(persus().args(["migrate", "--data-dir"]).arg(file.path()));
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("não é um diretório"), "{err}");
    assert!(err.contains("--data-dir"), "{err}");

    // /proc refuses new directories even to root.
    let out = run(persus().args(["migrate", "--data-dir", "/proc/persus-nao-pode"]));
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("não pode ser usado"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn an_unreachable_database_fails_fast_without_showing_the_password() {
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let out = run(persus()
        .args(["migrate", "--data-dir"])
        .arg(dir.path())
        .env(
            "DATABASE_URL",
            "postgres://persus:segredo@127.0.0.1:1/persus",
        ));
    assert!(!out.status.success());
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "must fail fast"
    );
    let err = stderr(&out);
    assert!(err.contains("não foi possível conectar"), "{err}");
    assert!(err.contains("127.0.0.1:1"), "{err}");
    assert!(!err.contains("segredo"), "the password leaked: {err}");
}

#[test]
fn a_database_url_of_another_engine_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(persus()
        .args(["migrate", "--data-dir"])
        .arg(dir.path())
        .env("DATABASE_URL", "mysql://root@127.0.0.1/db"));
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("DATABASE_URL inválida"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_bad_flag_value_is_refused_by_the_parser() {
    let out = run(persus().args(["serve", "--port", "oitenta"]));
    assert!(!out.status.success());
    assert!(stderr(&out).contains("--port"), "{}", stderr(&out));
    let out = run(persus().args(["demo", "--scale", "0"]));
    assert!(!out.status.success());
    assert!(stderr(&out).contains("--scale"), "{}", stderr(&out));
}

#[test]
fn webhook_loopback_setting_is_refused_in_producao_before_anything_starts() {
    let dir = tempfile::tempdir().unwrap();
    for cmd in [
        persus().args(["serve", "--webhook-permitir-loopback", "--data-dir"]),
        persus()
            .args(["serve", "--data-dir"])
            .env("PERSUS_WEBHOOK_PERMITIR_LOOPBACK", "1"),
    ] {
        let out = run(cmd.arg(dir.path()).env_remove("PERSUS_ENVIRONMENT"));
        assert!(!out.status.success());
        let err = stderr(&out);
        assert!(err.contains("só vale em homologação"), "{err}");
        assert!(!dir.path().join("persus.db").exists());
    }
}

#[test]
fn an_on_off_variable_with_another_value_stops_serve_and_demo() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port().to_string();
    for (comando, variavel) in [
        ("serve", "PERSUS_COOKIE_SEGURO"),
        ("demo", "PERSUS_PROXY_CONFIAVEL"),
    ] {
        let out = run(persus()
            .args([comando, "--port", &port, "--data-dir"])
            .arg(dir.path())
            .env_remove("PERSUS_COOKIE_SEGURO")
            .env_remove("PERSUS_PROXY_CONFIAVEL")
            .env(variavel, "sim"));
        assert!(
            !out.status.success(),
            "{comando} started with {variavel}=sim"
        );
        let err = stderr(&out);
        assert!(
            err.contains(&format!("{variavel}=\"sim\""))
                && err.contains("1 ou true")
                && err.contains("0 ou false"),
            "{comando}: names the variable and the accepted values: {err}"
        );
        assert!(!dir.path().join("persus.db").exists(), "{comando}");
    }
}

/// GET over a real socket; `None` while the server is not answering yet.
fn http_get(port: u16, path: &str) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let status = response.split(' ').nth(1)?.parse().ok()?;
    let body = response.split_once("\r\n\r\n")?.1.to_owned();
    Some((status, body))
}

fn wait_for_health(child: &mut Child, port: u16) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("persus exited early with {status}");
        }
        if let Some((200, body)) = http_get(port, "/health") {
            return body;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("persus did not answer /health within 60 s");
}

fn sigterm(child: &Child) {
    let ok = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(ok.success());
}

fn serve_answers_health_and_stops_on_sigterm(
    data_dir: &Path,
    database_url: Option<String>,
    expected: &str,
) {
    let port = free_port();
    let mut cmd = persus();
    cmd.args(["serve", "--port", &port.to_string(), "--data-dir"])
        .arg(data_dir);
    if let Some(url) = database_url {
        cmd.env("DATABASE_URL", url);
    }
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let body = wait_for_health(&mut child, port);
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["status"], "ok");
    assert_eq!(json["database"], expected);
    sigterm(&child);
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "graceful shutdown exits 0: {}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("persus stopped"), "{}", stderr(&out));
}

#[test]
fn serve_on_sqlite_answers_health_and_stops_gracefully() {
    let dir = tempfile::tempdir().unwrap();
    serve_answers_health_and_stops_on_sigterm(dir.path(), None, "sqlite");
    assert!(dir.path().join("persus.db").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_on_postgres_answers_health_and_stops_gracefully() {
    let t = TestDb::empty(Backend::Postgres).await;
    let DbConfig::Postgres {
        schema: Some(schema),
        ..
    } = &t.config
    else {
        unreachable!()
    };
    let url = format!("{}?options=-c%20search_path%3D{schema}", postgres_url());
    let dir = tempfile::tempdir().unwrap();
    let dir_path = dir.path().to_path_buf();
    tokio::task::spawn_blocking(move || {
        serve_answers_health_and_stops_on_sigterm(&dir_path, Some(url), "postgresql")
    })
    .await
    .unwrap();
    // The binary migrated the fresh schema and loaded the register into it.
    assert_eq!(persus_store::operadoras::count(&t.db).await.unwrap(), 1_106);
    t.cleanup().await;
}

/// Time passes without anyone pressing a button: a running server applies presumed ciência
/// and closes expired periods on the system clock; with the scheduler off, nothing moves.
#[test]
fn the_server_runs_the_scheduler_on_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let config = DbConfig::sqlite_in(dir.path());
    let estados = |rt: &tokio::runtime::Runtime| {
        rt.block_on(async {
            let db = persus_store::Db::open(&config).await.unwrap();
            let e = persus_store::processos::contagem_por_estado(&db)
                .await
                .unwrap();
            db.close().await;
            e.into_iter().collect::<std::collections::HashMap<_, _>>()
        })
    };
    rt.block_on(async {
        let db = persus_store::Db::open(&config).await.unwrap();
        persus_server::cli::load_reference_data(&db).await.unwrap();
        persus_server::demo::seed(
            &db,
            persus_server::demo::Params {
                seed: 3,
                atendimentos: 2_000,
            },
        )
        .await
        .unwrap();
        db.close().await;
    });
    // Published on 10/02/2026 (a date long past): presumed ciência 20/02, impugnação until 24/03.
    for args in [
        vec![
            "abi",
            "agendar",
            "--numero",
            "101",
            "--tipo",
            "AIH",
            "--trimestre",
            "1T2025",
            "--lancamento",
            "2026-02-10",
        ],
        vec!["abi", "publicar", "101", "--em", "2026-02-10"],
    ] {
        let out = run(persus().args(&args).arg("--data-dir").arg(dir.path()));
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let antes = estados(&rt);
    assert!(
        antes.get("aguardando_ciencia").copied().unwrap_or(0) > 0,
        "{antes:?}"
    );

    let serve = |intervalo: &str| {
        let port = free_port();
        let mut child = persus()
            .args([
                "serve",
                "--port",
                &port.to_string(),
                "--agendador-intervalo",
                intervalo,
                "--data-dir",
            ])
            .arg(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        wait_for_health(&mut child, port);
        child
    };
    // Scheduler off: nothing moves.
    let child = serve("0");
    std::thread::sleep(Duration::from_millis(500));
    sigterm(&child);
    assert!(child.wait_with_output().unwrap().status.success());
    assert_eq!(estados(&rt), antes);

    // On: the first run happens at start.
    let child = serve("3600");
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut agora = estados(&rt);
    while agora.get("devido") != antes.get("aguardando_ciencia") && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
        agora = estados(&rt);
    }
    sigterm(&child);
    assert!(child.wait_with_output().unwrap().status.success());
    assert!(!agora.contains_key("aguardando_ciencia"), "{agora:?}");
    assert!(!agora.contains_key("notificado"), "{agora:?}");
    assert_eq!(
        agora.get("devido"),
        antes.get("aguardando_ciencia"),
        "{agora:?}"
    );
}

#[test]
fn ans_finance_imports_rates_and_return_files_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("dados");
    let selic = dir.path().join("selic.csv");
    std::fs::write(
        &selic,
        "competencia;taxa_percentual;fonte\n2026-01;1.16;BCB\n2026-02;1,00;BCB\n",
    )
    .unwrap();
    let out = run(persus()
        .args(["cobranca", "selic", "--por", "ans.financeiro", "--data-dir"])
        .arg(&data)
        .arg(&selic));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"meses\": 2"));

    // A malformed rate or return file is refused with the line, and nothing is written.
    std::fs::write(
        &selic,
        "competencia;taxa_percentual;fonte\n2026-03;muito;x\n",
    )
    .unwrap();
    let out = run(persus()
        .args(["cobranca", "selic", "--por", "ans.financeiro", "--data-dir"])
        .arg(&data)
        .arg(&selic));
    assert!(!out.status.success());
    assert!(stderr(&out).contains("linha 2"), "{}", stderr(&out));
    let ret = dir.path().join("retorno.ret");
    std::fs::write(&ret, "00100000 curta demais\r\n").unwrap();
    let out = run(persus()
        .args([
            "cobranca",
            "retorno",
            "--por",
            "ans.financeiro",
            "--data-dir",
        ])
        .arg(&data)
        .arg(&ret));
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("linha 1") && err.contains("240"), "{err}");
    // A bad amount on the command line is refused by name.
    let out = run(persus()
        .args([
            "cobranca",
            "pagamento",
            "--por",
            "x",
            "--gru",
            "1",
            "--valor",
            "dez",
            "--em",
            "2026-11-27",
            "--data-dir",
        ])
        .arg(&data));
    assert!(!out.status.success());
    assert!(stderr(&out).contains("--valor"), "{}", stderr(&out));
}
