//! Filing impugnações on SQLite and PostgreSQL: receipts, deadlines, per-row batch errors.

#![allow(clippy::unwrap_used)]

mod common;

use chrono::NaiveDate;
use common::{abi_agendado, d, publicado, texto, tick, PDF};
use persus_domain::calendar::CalendarioAns;
use persus_domain::deadline::PrazosVigentes;
use persus_server::servicos::documentos::{enviar, sha256_hex, ArmazenamentoLocal};
use persus_server::servicos::peticoes::{protocolar, protocolar_lote, Pedido, TipoPeticao};
use persus_server::servicos::relogio::{Relogio, RelogioFixo};
use persus_server::servicos::ServicoError;
use persus_store::auditoria::Ator;
use persus_store::db::PoolRef;
use persus_store::{db_test, processos, Db};

/// ABI 101 published Tue 10/02/2026; presumed ciência Fri 20/02; impugnação until Tue 24/03/2026.
/// Returns (operator, NUP, its attendance numbers).
async fn notificado(db: &Db) -> (String, String, Vec<String>) {
    abi_agendado(db, 5).await;
    publicado(db).await;
    tick(db, d(2026, 2, 20)).await;
    // Hapvida's process.
    let p = processos::do_abi(db, 101)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.operadora == "368253")
        .unwrap();
    let sql = "SELECT numero FROM atendimentos WHERE processo_id = $1 ORDER BY numero";
    let numeros: Vec<String> = match db.inner() {
        PoolRef::Sqlite(pool) => sqlx::query_scalar(sql)
            .bind(p.id)
            .fetch_all(pool)
            .await
            .unwrap(),
        PoolRef::Postgres(pool) => sqlx::query_scalar(sql)
            .bind(p.id)
            .fetch_all(pool)
            .await
            .unwrap(),
    };
    (p.operadora, p.nup, numeros)
}

fn pedido(nup: &str, numeros: &[&str], motivo: &str, docs: Vec<i64>) -> Pedido {
    Pedido {
        tipo: TipoPeticao::Impugnacao,
        processo: nup.to_owned(),
        atendimentos: numeros.iter().map(|s| s.to_string()).collect(),
        motivo: motivo.to_owned(),
        fundamentacao: "Beneficiário excluído do plano em data anterior ao atendimento.".to_owned(),
        auditor: None,
        documentos: docs,
    }
}

async fn protocola(
    db: &Db,
    op: &str,
    p: &Pedido,
    dia: NaiveDate,
) -> Result<persus_server::servicos::peticoes::Recibo, ServicoError> {
    let r = RelogioFixo::em(dia);
    protocolar(
        db,
        op,
        p,
        &persus_server::servicos::peticoes::Ocasiao {
            hoje: r.hoje(),
            agora: r.agora(),
            calendario: &CalendarioAns::padrao(),
            prazos: &PrazosVigentes::padrao(),
            ator: &Ator::sistema(op),
        },
    )
    .await
}

async fn estado(db: &Db, numero: &str) -> String {
    texto(
        db,
        "SELECT estado FROM atendimentos WHERE numero = $1",
        numero,
    )
    .await
}

db_test!(
    impugnacao_com_pdf_recebe_protocolo_com_hash_e_nao_pode_repetir,
    |db| {
        let (op, nup, numeros) = notificado(&db).await;
        let dir = tempfile::tempdir().unwrap();
        let arm = ArmazenamentoLocal {
            raiz: dir.path().to_path_buf(),
        };
        let doc = enviar(
            &db,
            &arm,
            &op,
            "exclusao.pdf",
            PDF,
            "rep.368253",
            chrono::Utc::now(),
        )
        .await
        .unwrap();
        let p = pedido(&nup, &[&numeros[0]], "ADM01", vec![doc.id]);
        let recibo = protocola(&db, &op, &p, d(2026, 3, 2)).await.unwrap();
        assert!(
            recibo.protocolo.starts_with("2026."),
            "{}",
            recibo.protocolo
        );
        assert_eq!(recibo.documentos[0].sha256, sha256_hex(PDF));
        assert_eq!(estado(&db, &numeros[0]).await, "impugnado");
        let e = protocola(&db, &op, &p, d(2026, 3, 3))
            .await
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("não é permitido") && e.contains("Impugnado"),
            "one impugnação per attendance: {e}"
        );
    }
);

db_test!(impugnacao_no_ultimo_dia_vale_e_no_dia_seguinte_nao, |db| {
    let (op, nup, numeros) = notificado(&db).await;
    let dir = tempfile::tempdir().unwrap();
    let arm = ArmazenamentoLocal {
        raiz: dir.path().to_path_buf(),
    };
    let doc = enviar(&db, &arm, &op, "a.pdf", PDF, "x", chrono::Utc::now())
        .await
        .unwrap();
    // Deadline Tue 24/03/2026 (ciência presumida Fri 20/02 → day 1 Mon 23/02 → +29).
    protocola(
        &db,
        &op,
        &pedido(&nup, &[&numeros[0]], "ADM01", vec![doc.id]),
        d(2026, 3, 24),
    )
    .await
    .unwrap();
    let e = protocola(
        &db,
        &op,
        &pedido(&nup, &[&numeros[1]], "ADM01", vec![doc.id]),
        d(2026, 3, 25),
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("o prazo de impugnação venceu em 24/03/2026"),
        "{e}"
    );
    assert_eq!(estado(&db, &numeros[1]).await, "notificado");
});

db_test!(motivo_tecnico_exige_auditor_e_laudo, |db| {
    let (op, nup, numeros) = notificado(&db).await;
    let e = protocola(
        &db,
        &op,
        &pedido(&nup, &[&numeros[0]], "TEC01", vec![]),
        d(2026, 3, 2),
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(e.contains("informe o auditor"), "{e}");
    assert!(e.contains("laudo"), "{e}");
});

db_test!(atendimento_de_outra_operadora_nao_e_encontrado, |db| {
    let (_, nup, numeros) = notificado(&db).await;
    // Amil tries to impugn Hapvida's attendance.
    let e = protocola(
        &db,
        "326305",
        &pedido(&nup, &[&numeros[0]], "ADM01", vec![]),
        d(2026, 3, 2),
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(e.contains("não encontrado"), "{e}");
    assert_eq!(estado(&db, &numeros[0]).await, "notificado");
});

db_test!(
    lote_com_uma_linha_ruim_protocola_as_outras_e_aponta_a_linha,
    |db| {
        let (op, nup, numeros) = notificado(&db).await;
        let dir = tempfile::tempdir().unwrap();
        let arm = ArmazenamentoLocal {
            raiz: dir.path().to_path_buf(),
        };
        let doc = enviar(&db, &arm, &op, "a.pdf", PDF, "x", chrono::Utc::now())
            .await
            .unwrap();
        let linhas = vec![
            pedido(&nup, &[&numeros[0]], "ADM01", vec![doc.id]),
            pedido(&nup, &[&numeros[1]], "XYZ", vec![doc.id]),
            pedido(&nup, &[&numeros[2], &numeros[3]], "ADM05", vec![doc.id]),
            pedido(&nup, &[&numeros[0]], "ADM02", vec![doc.id]),
        ];
        let r = RelogioFixo::em(d(2026, 3, 2));
        let res = protocolar_lote(
            &db,
            &op,
            &linhas,
            &persus_server::servicos::peticoes::Ocasiao {
                hoje: r.hoje(),
                agora: r.agora(),
                calendario: &CalendarioAns::padrao(),
                prazos: &PrazosVigentes::padrao(),
                ator: &Ator::sistema(&op),
            },
        )
        .await
        .unwrap();
        assert_eq!(res.recibos.len(), 2);
        assert_eq!(res.erros.len(), 2);
        assert_eq!(res.erros[0].linha, 2);
        assert_eq!(
            res.erros[0].erros,
            ["motivo \"XYZ\" não existe no catálogo"]
        );
        assert_eq!(res.erros[1].linha, 4);
        assert!(
            res.erros[1].erros[0].contains("já está em outra linha"),
            "{:?}",
            res.erros[1]
        );
        for n in [&numeros[0], &numeros[2], &numeros[3]] {
            assert_eq!(estado(&db, n).await, "impugnado");
        }
        assert_eq!(
            estado(&db, &numeros[1]).await,
            "notificado",
            "the bad row changed nothing"
        );
        // Protocol numbers are consecutive.
        let a: i64 = res.recibos[0].protocolo[5..].parse().unwrap();
        let b: i64 = res.recibos[1].protocolo[5..].parse().unwrap();
        assert_eq!(b, a + 1);
    }
);

use persus_server::servicos::peticoes::{ler_lote_csv, CABECALHO_LOTE};

#[test]
fn manifesto_csv_vira_pedidos_com_listas_separadas_por_barra() {
    let csv = format!(
        "\u{feff}{CABECALHO_LOTE}\n\
         impugnacao;33910.000001/2026-11;3325100000018 | 3325100000029;ADM01;Excluído antes do atendimento.;;7|8\n\
         recurso;33910000001202611;3325100000030;TEC01;Procedimento fora do Rol.;Dra. Ana - CRM-RJ 52001;9\n"
    );
    let p = ler_lote_csv(&csv).unwrap();
    assert_eq!(p.len(), 2);
    assert_eq!(p[0].tipo, TipoPeticao::Impugnacao);
    assert_eq!(p[0].atendimentos, ["3325100000018", "3325100000029"]);
    assert_eq!(p[0].documentos, [7, 8]);
    assert_eq!(p[0].auditor, None);
    assert_eq!(p[1].tipo, TipoPeticao::Recurso);
    assert_eq!(p[1].auditor.as_deref(), Some("Dra. Ana - CRM-RJ 52001"));
}

#[test]
fn manifesto_com_linha_malformada_aponta_a_linha_do_arquivo_e_nao_gera_nada() {
    let csv = format!(
        "{CABECALHO_LOTE}\n\
         impugnacao;33910000001202611;3325100000018;ADM01;Fundamentação suficiente.;;7\n\
         contestacao;33910000001202611;3325100000018;ADM01;Fundamentação suficiente.;;x\n\
         impugnacao;33910000001202611;3325100000018\n"
    );
    let erros = ler_lote_csv(&csv).unwrap_err();
    assert_eq!(erros.len(), 2);
    assert_eq!(erros[0].linha, 3);
    assert!(
        erros[0]
            .erros
            .iter()
            .any(|e| e.contains("contestacao") && e.contains("impugnacao ou recurso")),
        "{erros:?}"
    );
    assert!(
        erros[0].erros.iter().any(|e| e.contains("documento \"x\"")),
        "{erros:?}"
    );
    assert_eq!(erros[1].linha, 4);
    assert!(erros[1].erros[0].contains("3 colunas"), "{erros:?}");

    let sem_cabecalho = ler_lote_csv("a;b;c\n").unwrap_err();
    assert_eq!(sem_cabecalho[0].linha, 1);
    assert!(sem_cabecalho[0].erros[0].contains(CABECALHO_LOTE));
}

db_test!(
    documento_de_operadora_inexistente_e_recusado_sem_gravar_nada,
    |db| {
        persus_server::cli::load_reference_data(&db).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let arm = ArmazenamentoLocal {
            raiz: dir.path().to_path_buf(),
        };
        for op in ["999999", "12"] {
            let e = enviar(&db, &arm, op, "prova.pdf", PDF, "x", chrono::Utc::now())
                .await
                .unwrap_err();
            assert!(
                matches!(e, ServicoError::Regra(ref m) if m.contains("operadora")),
                "{e:?}"
            );
        }
        assert!(!dir.path().join("documentos").exists(), "no file written");
    }
);
