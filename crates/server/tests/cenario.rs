//! The demo's story (`persus demo` after seeding): every state of the lifecycle present,
//! petitions with documents, decisions at every instance, an intact audit trail — the same
//! story on SQLite and PostgreSQL, told once.

#![allow(clippy::unwrap_used)]

use persus_server::cli::load_reference_data;
use persus_server::demo::cenario::{encenar, pdf_de_prova};
use persus_server::demo::{self, Params};
use persus_server::servicos::documentos::validar_pdf;
use persus_store::auditoria::{verificar, Verificacao};
use persus_store::db::PoolRef;
use persus_store::testing::TestDb;
use persus_store::{abis, Backend, Db};

const SMALL: Params = Params {
    seed: 7,
    atendimentos: 3_000,
};

async fn strings(db: &Db, sql: &str) -> Vec<String> {
    match db.inner() {
        PoolRef::Sqlite(p) => sqlx::query_scalar(sql).fetch_all(p).await.unwrap(),
        PoolRef::Postgres(p) => sqlx::query_scalar(sql).fetch_all(p).await.unwrap(),
    }
}

/// What the story produced, as comparable text.
async fn retrato(db: &Db) -> Vec<String> {
    let mut r = strings(
        db,
        "SELECT estado || ':' || CAST(COUNT(*) AS TEXT) || ':' || CAST(SUM(COALESCE(valor_devido_centavos, 0)) AS TEXT)
         FROM atendimentos GROUP BY estado ORDER BY estado",
    )
    .await;
    r.extend(
        strings(
            db,
            "SELECT instancia || ':' || resultado || ':' || CAST(COUNT(*) AS TEXT) FROM decisoes
             GROUP BY instancia, resultado ORDER BY instancia, resultado",
        )
        .await,
    );
    r.extend(
        strings(
            db,
            "SELECT p.tipo || ':' || p.protocolo || ':' || CAST(pr.abi_numero AS TEXT) || ':' || pr.operadora FROM peticoes p JOIN processos pr ON pr.id = p.processo_id
             ORDER BY p.protocolo",
        )
        .await,
    );
    // Charging: debts by state and collection step, GRUs and parcelamentos by state.
    r.extend(
        strings(
            db,
            "SELECT k || ':' || CAST(COUNT(*) AS TEXT) || ':' || CAST(SUM(v) AS TEXT) FROM (
               SELECT 'debito:' || estado || ':' || CASE WHEN divida_ativa_em IS NOT NULL THEN 'divida_ativa'
                      WHEN cadin_incluido_em IS NOT NULL AND cadin_excluido_em IS NULL THEN 'cadin'
                      WHEN cadin_aviso_em IS NOT NULL THEN 'aviso' ELSE '-' END AS k, valor_centavos AS v
               FROM debitos) x GROUP BY k ORDER BY k",
        )
        .await,
    );
    r.extend(
        strings(
            db,
            "SELECT 'gru:' || estado || ':' || CAST(COUNT(*) AS TEXT) || ':' || CAST(SUM(valor_centavos) AS TEXT)
             FROM grus GROUP BY estado ORDER BY estado",
        )
        .await,
    );
    r.extend(
        strings(
            db,
            "SELECT 'parcelamento:' || estado || ':' || CAST(COUNT(*) AS TEXT) FROM parcelamentos GROUP BY estado ORDER BY estado",
        )
        .await,
    );
    // NUPs follow commit order (concurrent on PostgreSQL): compare who got a process.
    r.extend(
        strings(
            db,
            "SELECT CAST(abi_numero AS TEXT) || ':' || operadora FROM processos ORDER BY 1",
        )
        .await,
    );
    r
}

async fn historia(db: &Db, dir: &std::path::Path) -> Vec<String> {
    load_reference_data(db).await.unwrap();
    demo::seed(db, SMALL).await.unwrap();
    let resumo = encenar(db, SMALL.seed, dir).await.unwrap().unwrap();
    assert_eq!(resumo.abis_publicados, 12);
    assert!(resumo.impugnacoes > 0 && resumo.recursos > 0 && resumo.decisoes > 0);
    // Told once: a second run changes nothing.
    let antes = retrato(db).await;
    assert!(encenar(db, SMALL.seed, dir).await.unwrap().is_none());
    assert_eq!(retrato(db).await, antes);
    antes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_story_reaches_every_state_and_is_the_same_on_both_databases() {
    let a = TestDb::new(Backend::Sqlite).await;
    let b = TestDb::new(Backend::Postgres).await;
    let (da, dbb) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let ra = historia(&a.db, da.path()).await;
    let rb = historia(&b.db, dbb.path()).await;
    assert_eq!(ra, rb, "same seed, same story");

    for db in [&a.db, &b.db] {
        let estados = strings(
            db,
            "SELECT DISTINCT estado FROM atendimentos ORDER BY estado",
        )
        .await;
        for e in [
            "aguardando_ciencia",
            "anulado",
            "devido",
            "em_dicol",
            "em_recurso",
            "impugnado",
            "mantido",
            "notificado",
            "retificado",
        ] {
            assert!(
                estados.iter().any(|x| x == e),
                "state {e} missing: {estados:?}"
            );
        }
        // Charging: paid on time, parcelled, left to CADIN and dívida ativa.
        let cobranca = strings(
            db,
            "SELECT DISTINCT 'debito:' || estado FROM debitos
             UNION SELECT DISTINCT 'gru:' || estado FROM grus
             UNION SELECT DISTINCT 'parcelamento:' || estado FROM parcelamentos
             UNION SELECT 'cadin' FROM debitos WHERE cadin_incluido_em IS NOT NULL AND cadin_excluido_em IS NULL
             UNION SELECT 'divida_ativa' FROM debitos WHERE divida_ativa_em IS NOT NULL
             ORDER BY 1",
        )
        .await;
        for c in [
            "debito:aberto",
            "debito:pago",
            "debito:parcelado",
            "gru:paga",
            "parcelamento:ativo",
            "cadin",
            "divida_ativa",
        ] {
            assert!(cobranca.iter().any(|x| x == c), "{c} missing: {cobranca:?}");
        }
        // Every GRU the story issued passes an independent bank-slip parser (crates.io
        // `boleto-utils`): check digits, amount and due date.
        let grus = strings(
            db,
            "SELECT codigo_barras || ';' || linha_digitavel || ';' || CAST(valor_centavos AS TEXT) || ';' || CAST(vencimento AS TEXT) FROM grus",
        )
        .await;
        assert!(grus.len() > 100, "{}", grus.len());
        for g in grus {
            let c: Vec<&str> = g.split(';').collect();
            let linha: String = c[1].chars().filter(char::is_ascii_digit).collect();
            for entrada in [c[0].to_owned(), linha] {
                let Ok(boleto_utils::Boleto::Cobranca(b)) =
                    boleto_utils::Boleto::new(entrada.as_bytes())
                else {
                    panic!("{entrada} recusado")
                };
                assert_eq!(
                    b.valor.map(|v| (v * 100.0).round() as i64),
                    c[2].parse().ok()
                );
                assert_eq!(
                    b.data_vencimento.map(|d| d.to_string()).as_deref(),
                    Some(&c[3][..10])
                );
            }
        }
        let instancias = strings(
            db,
            "SELECT DISTINCT instancia || ':' || resultado FROM decisoes ORDER BY 1",
        )
        .await;
        for r in [
            "primeira:deferida",
            "primeira:parcialmente_deferida",
            "primeira:indeferida",
            "admissibilidade:encaminhado_dicol",
            "admissibilidade:reconsiderado_total",
            "dicol:provido",
            "dicol:nao_provido",
        ] {
            assert!(
                instancias.iter().any(|x| x == r),
                "decision {r} missing: {instancias:?}"
            );
        }
        // Every petition has its evidence; technical grounds carry the auditor.
        assert!(strings(db, "SELECT protocolo FROM peticoes p WHERE NOT EXISTS (SELECT 1 FROM peticao_documentos d WHERE d.peticao_id = p.id)").await.is_empty());
        assert!(strings(
            db,
            "SELECT protocolo FROM peticoes WHERE motivo LIKE 'TEC%' AND auditor IS NULL"
        )
        .await
        .is_empty());
        // Both ways of ciência, and the next ABI still on the schedule.
        let formas = strings(db, "SELECT DISTINCT ciencia_forma FROM notificacoes WHERE ciencia_forma IS NOT NULL ORDER BY 1").await;
        assert_eq!(formas, ["expressa", "presumida"]);
        let agenda: Vec<_> = abis::listar(db)
            .await
            .unwrap()
            .into_iter()
            .filter(|x| x.estado == abis::EstadoAbi::Agendado)
            .map(|x| x.numero)
            .collect();
        assert_eq!(agenda, [113]);
        assert!(matches!(
            verificar(db).await.unwrap(),
            Verificacao::Integra { .. }
        ));
    }
    // The evidence files are on disk, named by their hash.
    let n = walk(da.path().join("documentos"));
    assert!(n > 0, "no documents stored");
    a.cleanup().await;
    b.cleanup().await;
}

fn walk(dir: std::path::PathBuf) -> usize {
    std::fs::read_dir(dir)
        .map(|it| {
            it.flatten()
                .map(|e| if e.path().is_dir() { walk(e.path()) } else { 1 })
                .sum()
        })
        .unwrap_or(0)
}

#[test]
fn the_evidence_pdf_passes_the_same_validation_as_an_upload() {
    let pdf = pdf_de_prova(
        "Documentos de prova (impugnacao)",
        &["Processo 33910.000001/2026-11".to_owned()],
    );
    validar_pdf("prova.pdf", &pdf).unwrap();
    let texto = String::from_utf8_lossy(&pdf);
    // Parentheses in the text are escaped, and the cross-reference table points at each object.
    assert!(texto.contains("\\(impugnacao\\)"), "{texto}");
    for (i, off) in texto
        .lines()
        .skip_while(|l| !l.starts_with("xref"))
        .skip(3)
        .take(5)
        .enumerate()
    {
        let off: usize = off[..10].parse().unwrap();
        assert!(
            texto[off..].starts_with(&format!("{} 0 obj", i + 1)),
            "object {} at {off}",
            i + 1
        );
    }
}
