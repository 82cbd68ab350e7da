//! `persus demo`: deterministic, realistic, idempotent, all-or-nothing — on both databases.

#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use persus_domain::ids::{Aih, Apac, Cnes, Cns, Competencia, Cpf, ProcedimentoSigtap};
use persus_server::cli::load_reference_data;
use persus_server::demo::{self, Params};
use persus_store::db::PoolRef;
use persus_store::testing::TestDb;
use persus_store::{db_test, Backend, Db, StoreError};

const SMALL: Params = Params {
    seed: 7,
    atendimentos: 3_000,
};

async fn seeded(db: &Db, params: Params) -> demo::Outcome {
    load_reference_data(db).await.unwrap();
    demo::seed(db, params).await.unwrap()
}

#[derive(Debug, sqlx::FromRow)]
#[allow(dead_code)] // read through Debug
struct Linha {
    id: i64,
    tipo: String,
    numero: String,
    competencia: String,
    operadora: String,
    cnes: String,
    municipio_ibge: String,
    data_inicio: chrono::NaiveDate,
    data_fim: chrono::NaiveDate,
    procedimento_principal: String,
    valor_sus_centavos: i64,
    valor_ressarcimento_centavos: i64,
    cpf: Option<String>,
    cns: String,
    nome: String,
    data_nascimento: chrono::NaiveDate,
    segmentacao: String,
    data_adesao: chrono::NaiveDate,
}

/// Rows as text, in id order: what "the same data" means.
async fn dump(db: &Db) -> Vec<String> {
    let sql = "SELECT a.id, a.tipo, a.numero, a.competencia, a.operadora, a.cnes, a.municipio_ibge,
                      a.data_inicio, a.data_fim, a.procedimento_principal, a.valor_sus_centavos,
                      a.valor_ressarcimento_centavos, b.cpf, b.cns, b.nome, b.data_nascimento,
                      v.segmentacao, v.data_adesao
               FROM atendimentos a JOIN beneficiarios b ON b.id = a.beneficiario_id
                    JOIN vinculos v ON v.id = a.vinculo_id
               ORDER BY a.id";
    let rows: Vec<Linha> = match db.inner() {
        PoolRef::Sqlite(p) => sqlx::query_as(sql).fetch_all(p).await.unwrap(),
        PoolRef::Postgres(p) => sqlx::query_as(sql).fetch_all(p).await.unwrap(),
    };
    rows.into_iter().map(|r| format!("{r:?}")).collect()
}

async fn scalar(db: &Db, sql: &str) -> i64 {
    match db.inner() {
        PoolRef::Sqlite(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
        PoolRef::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
    }
}

async fn strings(db: &Db, sql: &str) -> Vec<String> {
    match db.inner() {
        PoolRef::Sqlite(p) => sqlx::query_scalar(sql).fetch_all(p).await.unwrap(),
        PoolRef::Postgres(p) => sqlx::query_scalar(sql).fetch_all(p).await.unwrap(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn same_seed_gives_the_same_rows_on_sqlite_and_on_postgres() {
    let a = TestDb::new(Backend::Sqlite).await;
    let b = TestDb::new(Backend::Postgres).await;
    seeded(&a.db, SMALL).await;
    seeded(&b.db, SMALL).await;
    let (rows_a, rows_b) = (dump(&a.db).await, dump(&b.db).await);
    assert_eq!(rows_a.len(), rows_b.len());
    assert_eq!(rows_a, rows_b);
    // And another seed gives other data.
    let c = TestDb::new(Backend::Sqlite).await;
    seeded(&c.db, Params { seed: 8, ..SMALL }).await;
    assert_ne!(dump(&c.db).await, rows_a);
    a.cleanup().await;
    b.cleanup().await;
    c.cleanup().await;
}

db_test!(a_second_demo_changes_nothing, |db| {
    let first = seeded(&db, SMALL).await;
    assert!(first.criado);
    let before = dump(&db).await;
    let second = demo::seed(&db, SMALL).await.unwrap();
    assert!(!second.criado);
    assert_eq!(second.atendimentos, first.atendimentos);
    assert_eq!(dump(&db).await, before);
});

db_test!(
    a_demo_with_another_seed_on_the_same_data_is_refused_and_changes_nothing,
    |db| {
        seeded(&db, SMALL).await;
        let before = dump(&db).await;
        let err = demo::seed(&db, Params { seed: 99, ..SMALL })
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Conflict(_)));
        let msg = err.to_string();
        assert!(msg.contains("seed 7") && msg.contains("seed 99"), "{msg}");
        assert!(msg.contains("--data-dir"), "says what to do: {msg}");
        assert_eq!(dump(&db).await, before);
    }
);

db_test!(the_demo_has_the_shape_of_reality, |db| {
    let outcome = seeded(
        &db,
        Params {
            seed: 2018,
            atendimentos: 6_000,
        },
    )
    .await;
    let total = outcome.atendimentos;
    assert!((5_900..=6_100).contains(&total), "{total}");

    // The seven largest operators of ANS's ranking are the seven largest here, Hapvida first.
    let top = strings(
        &db,
        "SELECT operadora FROM atendimentos GROUP BY operadora
                            ORDER BY COUNT(*) DESC, operadora LIMIT 7",
    )
    .await;
    assert_eq!(top[0], "368253");
    let mut top_sorted = top.clone();
    top_sorted.sort();
    assert_eq!(
        top_sorted,
        ["005711", "323080", "326305", "339679", "343889", "359017", "368253"]
    );
    assert!(
        outcome.operadoras_com_atendimentos > 100,
        "a long tail of operators"
    );

    // Dental-only operators and benefit administrators receive no hospital/outpatient bills.
    let wrong = scalar(
        &db,
        "SELECT COUNT(*) FROM atendimentos a JOIN operadoras o
                             ON o.registro_ans = a.operadora
                             WHERE o.modalidade IN ('Administradora de Benefícios',
                                   'Odontologia de Grupo', 'Cooperativa odontológica')",
    )
    .await;
    assert_eq!(wrong, 0);

    // Both instruments, six quarters 2T2024..3T2025.
    let aih = scalar(&db, "SELECT COUNT(*) FROM atendimentos WHERE tipo = 'AIH'").await;
    assert!(
        aih > total / 3 && aih < total * 3 / 4,
        "AIH {aih} of {total}"
    );
    let comps = strings(
        &db,
        "SELECT DISTINCT competencia FROM atendimentos ORDER BY competencia",
    )
    .await;
    assert_eq!(comps.first().map(String::as_str), Some("202404"));
    assert_eq!(comps.last().map(String::as_str), Some("202509"));
    assert_eq!(comps.len(), 18);

    // IVR: 1.5 × SUS value, to the centavo (RN 504/2022 art. 1), half-up.
    let off = scalar(
        &db,
        "SELECT COUNT(*) FROM atendimentos
                           WHERE valor_ressarcimento_centavos * 2 <> valor_sus_centavos * 3
                             AND valor_ressarcimento_centavos * 2 <> valor_sus_centavos * 3 + 1",
    )
    .await;
    assert_eq!(off, 0);
    // The SUS value is the sum of the procedure items.
    let mismatched = scalar(
        &db,
        "SELECT COUNT(*) FROM atendimentos a WHERE valor_sus_centavos <>
                                  (SELECT SUM(valor_centavos) FROM atendimento_procedimentos i
                                   WHERE i.atendimento_id = a.id)",
    )
    .await;
    assert_eq!(mismatched, 0);

    // Coverage is consistent with what was billed: no AIH on an outpatient-only plan, no APAC
    // on a hospital-only plan, attendance after carência.
    let incoherent = scalar(
        &db,
        "SELECT COUNT(*) FROM atendimentos a JOIN vinculos v ON v.id = a.vinculo_id
                                  WHERE (a.tipo = 'AIH' AND v.segmentacao = 'ambulatorial')
                                     OR (a.tipo = 'APAC' AND v.segmentacao LIKE 'hospitalar%')
                                     OR (a.data_inicio < v.fim_carencia)",
    )
    .await;
    assert_eq!(incoherent, 0);
    // Deliveries only for women on plans with obstetrics.
    let partos = scalar(&db, "SELECT COUNT(*) FROM atendimentos a JOIN beneficiarios b ON b.id = a.beneficiario_id
                              JOIN vinculos v ON v.id = a.vinculo_id
                              JOIN procedimentos_sigtap p ON p.codigo = a.procedimento_principal
                              WHERE p.nome LIKE 'PARTO%' AND (b.sexo <> 'F' OR v.segmentacao NOT IN
                              ('ambulatorial_hospitalar_com_obstetricia','hospitalar_com_obstetricia','referencia'))").await;
    assert_eq!(partos, 0);
});

db_test!(every_generated_identifier_is_valid, |db| {
    seeded(&db, SMALL).await;
    for cpf in strings(&db, "SELECT cpf FROM beneficiarios WHERE cpf IS NOT NULL").await {
        Cpf::parse(&cpf).unwrap_or_else(|e| panic!("{cpf}: {e}"));
    }
    let cns = strings(&db, "SELECT cns FROM beneficiarios").await;
    for c in &cns {
        Cns::parse(c).unwrap_or_else(|e| panic!("{c}: {e}"));
    }
    let distinct: std::collections::HashSet<_> = cns.iter().collect();
    assert_eq!(distinct.len(), cns.len(), "CNS are unique");
    for n in strings(&db, "SELECT numero FROM atendimentos WHERE tipo = 'AIH'").await {
        Aih::parse(&n).unwrap_or_else(|e| panic!("AIH {n}: {e}"));
    }
    for n in strings(&db, "SELECT numero FROM atendimentos WHERE tipo = 'APAC'").await {
        Apac::parse(&n).unwrap_or_else(|e| panic!("APAC {n}: {e}"));
    }
    for c in strings(&db, "SELECT cnes FROM estabelecimentos").await {
        Cnes::parse(&c).unwrap_or_else(|e| panic!("{c}: {e}"));
    }
    for c in strings(&db, "SELECT codigo FROM procedimentos_sigtap").await {
        ProcedimentoSigtap::parse(&c).unwrap_or_else(|e| panic!("{c}: {e}"));
    }
    for c in strings(&db, "SELECT DISTINCT competencia FROM atendimentos").await {
        Competencia::parse(&c).unwrap_or_else(|e| panic!("{c}: {e}"));
    }
});

db_test!(notices_come_about_a_year_after_the_attendance, |db| {
    seeded(&db, SMALL).await;
    let rows: Vec<(chrono::NaiveDate, chrono::DateTime<chrono::Utc>)> = match db.inner() {
        PoolRef::Sqlite(p) => sqlx::query_as("SELECT data_fim, identificado_em FROM atendimentos")
            .fetch_all(p)
            .await
            .unwrap(),
        PoolRef::Postgres(p) => {
            sqlx::query_as("SELECT data_fim, identificado_em FROM atendimentos")
                .fetch_all(p)
                .await
                .unwrap()
        }
    };
    let mut by_lag: HashMap<i64, usize> = HashMap::new();
    for (fim, identificado) in rows {
        let lag = (identificado.date_naive() - fim).num_days();
        assert!((300..=420).contains(&lag), "lag {lag} days");
        *by_lag.entry(lag / 30).or_default() += 1;
    }
    assert!(by_lag.len() > 1);
});

/// A crash in the middle of seeding (SIGKILL after rows were written inside the transaction)
/// leaves no demo data and no marker; the next run starts from scratch and finishes.
#[test]
fn a_crash_in_the_middle_of_the_demo_leaves_nothing_half_written() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_persus"))
        .args(["demo", "--sem-servidor", "--scale", "10", "--data-dir"])
        .arg(dir.path())
        .env_remove("DATABASE_URL")
        .env("RUST_LOG", "info")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut written = false;
    for line in lines.by_ref() {
        if line.unwrap().contains("demo batch written") {
            written = true;
            break;
        }
    }
    assert!(written, "the demo wrote a batch before finishing");
    child.kill().unwrap(); // SIGKILL: no chance to clean up
    child.wait().unwrap();

    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let db = Db::open(&persus_store::DbConfig::sqlite_in(dir.path()))
            .await
            .unwrap();
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM atendimentos").await, 0);
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM beneficiarios").await, 0);
        assert_eq!(persus_store::meta::get(&db, "demo").await.unwrap(), None);
        db.close().await;
    });

    let out = Command::new(env!("CARGO_BIN_EXE_persus"))
        .args([
            "demo",
            "--sem-servidor",
            "--sem-cenario",
            "--scale",
            "1",
            "--data-dir",
        ])
        .arg(dir.path())
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    rt.block_on(async {
        let db = Db::open(&persus_store::DbConfig::sqlite_in(dir.path()))
            .await
            .unwrap();
        let n = scalar(&db, "SELECT COUNT(*) FROM atendimentos").await;
        assert!((19_900..=20_100).contains(&n), "{n}");
        db.close().await;
    });
}

db_test!(
    homologacao_reinicia_do_zero_mas_guarda_contas_e_aplicacoes,
    |db| {
        use persus_server::config::Ambiente;
        use persus_server::servicos::homologacao::reiniciar;
        seeded(&db, SMALL).await;
        demo::credenciais::criar(&db).await.unwrap();
        let app = persus_server::servicos::aplicacoes::registrar(
            &db,
            "rep.368253",
            "ERP da operadora",
            "homologacao",
            &["consulta".to_owned()],
            chrono::Utc::now(),
        )
        .await
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let docs = dir.path().join("documentos/ab");
        std::fs::create_dir_all(&docs).unwrap();
        std::fs::write(docs.join("x.pdf"), b"%PDF").unwrap();
        let antes = dump(&db).await;

        // Refused unless homologação is said explicitly and confirmed; nothing changes.
        let outra = Params {
            seed: 8,
            atendimentos: 1_000,
        };
        for (amb, conf, motivo) in [
            (None, true, "só em homologação"),
            (Some(Ambiente::Producao), true, "só em homologação"),
            (Some(Ambiente::Homologacao), false, "--confirmar"),
        ] {
            let e = reiniciar(&db, amb, conf, dir.path(), outra, false, "teste")
                .await
                .unwrap_err()
                .to_string();
            assert!(e.contains(motivo), "{e}");
        }
        assert_eq!(dump(&db).await, antes);
        assert!(docs.join("x.pdf").exists());

        let r = reiniciar(
            &db,
            Some(Ambiente::Homologacao),
            true,
            dir.path(),
            outra,
            false,
            "teste",
        )
        .await
        .unwrap();
        assert!(r.linhas_apagadas > 3_000);
        assert_eq!(r.atendimentos, 1_000);
        let n: i64 = match db.inner() {
            PoolRef::Sqlite(p) => sqlx::query_scalar("SELECT COUNT(*) FROM atendimentos")
                .fetch_one(p)
                .await
                .unwrap(),
            PoolRef::Postgres(p) => sqlx::query_scalar("SELECT COUNT(*) FROM atendimentos")
                .fetch_one(p)
                .await
                .unwrap(),
        };
        assert_eq!(n, 1_000);
        assert!(!dir.path().join("documentos").exists());
        // Accounts and applications survive; the audit chain restarts, intact, with the reset.
        assert!(
            persus_store::contas::aplicacao_por_client_id(&db, &app.client_id)
                .await
                .unwrap()
                .is_some()
        );
        assert!(persus_store::contas::usuario(&db, "ans.admin")
            .await
            .unwrap()
            .is_some());
        let v = persus_store::auditoria::verificar(&db).await.unwrap();
        assert!(
            matches!(v, persus_store::auditoria::Verificacao::Integra { eventos } if eventos >= 1),
            "{v:?}"
        );
    }
);
