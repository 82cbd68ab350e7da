//! Publishing ABIs and letting time pass, on SQLite and PostgreSQL: processes with valid NUPs,
//! resumable publication, presumed ciência, expired deadlines, and the audit chain.

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::HashSet;

use chrono::NaiveDate;
use common::{abi_agendado, d};
use persus_domain::calendar::CalendarioAns;
use persus_domain::deadline::PrazosVigentes;
use persus_domain::ids::Nup;
use persus_server::servicos::publicacao::{publicar, Falha, UNIDADE_PADRAO};
use persus_server::servicos::relogio::{Relogio, RelogioFixo};
use persus_server::servicos::{agendador, ServicoError};
use persus_store::auditoria::{self, Ator, Verificacao};
use persus_store::db::PoolRef;
use persus_store::{abis, db_test, processos, Db};

/// Demo data and the 101st ABI (AIH, 1T2025) scheduled for Tue 10/02/2026.
async fn preparado(db: &Db) {
    abi_agendado(db, 11).await;
}

async fn contagem(db: &Db, estado: &str) -> i64 {
    processos::contagem_por_estado(db)
        .await
        .unwrap()
        .into_iter()
        .find(|(e, _)| e == estado)
        .map_or(0, |(_, n)| n)
}

async fn esperado_no_abi(db: &Db) -> i64 {
    let sql = "SELECT COUNT(*) FROM atendimentos WHERE tipo = 'AIH' AND competencia IN ('202501','202502','202503')";
    match db.inner() {
        PoolRef::Sqlite(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
        PoolRef::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
    }
}

fn ator() -> Ator {
    Ator::sistema("teste")
}

db_test!(
    publicar_abi_instaura_um_processo_por_operadora_com_nup_valido,
    |db| {
        preparado(&db).await;
        let esperado = esperado_no_abi(&db).await;
        let r = publicar(
            &db,
            101,
            UNIDADE_PADRAO,
            &RelogioFixo::em(d(2026, 2, 10)),
            &ator(),
            Falha::default(),
        )
        .await
        .unwrap();
        assert_eq!(r.atendimentos_notificados as i64, esperado);
        let ps = processos::do_abi(&db, 101).await.unwrap();
        assert_eq!(ps.len(), r.processos_instaurados);
        assert!(ps.len() > 50, "many operators: {}", ps.len());
        let mut vistos = HashSet::new();
        for p in &ps {
            let nup = Nup::parse(&p.nup).unwrap();
            assert_eq!((nup.unidade(), nup.ano()), (33_910, 2026));
            assert!(vistos.insert(nup.sequencia()), "duplicate NUP {}", p.nup);
        }
        assert_eq!(vistos.len(), ps.len());
        assert_eq!(
            *vistos.iter().max().unwrap() as usize,
            ps.len(),
            "sequence 1..n without gaps"
        );
        assert_eq!(contagem(&db, "aguardando_ciencia").await, esperado);
        assert_eq!(
            abis::buscar(&db, 101).await.unwrap().unwrap().estado,
            abis::EstadoAbi::Publicado
        );
        // Publishing twice is refused, and changes nothing.
        let e = publicar(
            &db,
            101,
            UNIDADE_PADRAO,
            &RelogioFixo::em(d(2026, 2, 11)),
            &ator(),
            Falha::default(),
        )
        .await
        .unwrap_err();
        assert_eq!(e.to_string(), "o 101º ABI já foi publicado");
        assert_eq!(
            auditoria::verificar(&db).await.unwrap(),
            Verificacao::Integra {
                eventos: ps.len() as i64 + 1
            }
        );
    }
);

db_test!(abi_nao_e_publicado_antes_da_data_de_lancamento, |db| {
    preparado(&db).await;
    let e = publicar(
        &db,
        101,
        UNIDADE_PADRAO,
        &RelogioFixo::em(d(2026, 2, 9)),
        &ator(),
        Falha::default(),
    )
    .await
    .unwrap_err();
    assert!(matches!(e, ServicoError::Regra(_)));
    assert_eq!(
        e.to_string(),
        "o 101º ABI está agendado para 10/02/2026; hoje é 09/02/2026"
    );
    assert_eq!(contagem(&db, "aguardando_ciencia").await, 0);
});

db_test!(
    queda_no_meio_da_publicacao_nao_deixa_processo_pela_metade_e_a_retomada_termina,
    |db| {
        preparado(&db).await;
        let esperado = esperado_no_abi(&db).await;
        let relogio = RelogioFixo::em(d(2026, 2, 10));
        let abi = abis::buscar(&db, 101).await.unwrap().unwrap();
        let quarto = persus_store::processos::a_publicar(&db, &abi)
            .await
            .unwrap()[3]
            .operadora
            .clone();
        // Crash inside the 4th process's transaction, after its rows were written.
        let e = publicar(
            &db,
            101,
            UNIDADE_PADRAO,
            &relogio,
            &ator(),
            Falha {
                no_processo: Some(3),
            },
        )
        .await;
        assert!(e.is_err());
        let parciais = processos::do_abi(&db, 101).await.unwrap();
        // On SQLite one worker: exactly the three before it. On PostgreSQL two workers run at
        // once, so which others committed depends on timing — but never the 4th, and every
        // committed process carries its real NUP.
        assert!(
            !parciais.iter().any(|p| p.operadora == quarto),
            "{parciais:?}"
        );
        if db.backend() == persus_store::Backend::Sqlite {
            assert_eq!(
                parciais.len(),
                3,
                "three whole processes, the fourth rolled back"
            );
        }
        assert!(parciais
            .iter()
            .all(|p| p.nup.len() == 17 && !p.nup.starts_with('X')));
        let cobertos: i64 = parciais.iter().map(|p| i64::from(p.atendimentos)).sum();
        assert_eq!(
            contagem(&db, "aguardando_ciencia").await,
            cobertos,
            "no attendance of the failed process moved"
        );
        assert_eq!(
            abis::buscar(&db, 101).await.unwrap().unwrap().estado,
            abis::EstadoAbi::Publicando
        );

        let r = publicar(
            &db,
            101,
            UNIDADE_PADRAO,
            &relogio,
            &ator(),
            Falha::default(),
        )
        .await
        .unwrap();
        assert_eq!(r.processos_existentes, parciais.len());
        let todos = processos::do_abi(&db, 101).await.unwrap();
        assert_eq!(todos.len(), parciais.len() + r.processos_instaurados);
        assert_eq!(contagem(&db, "aguardando_ciencia").await, esperado);
        let nups: HashSet<_> = todos.iter().map(|p| p.nup.clone()).collect();
        assert_eq!(nups.len(), todos.len());
        // The rolled-back NUP was reused: the sequence has no gaps.
        let max = todos
            .iter()
            .map(|p| Nup::parse(&p.nup).unwrap().sequencia())
            .max()
            .unwrap();
        assert_eq!(max as usize, todos.len());
        assert!(matches!(
            auditoria::verificar(&db).await.unwrap(),
            Verificacao::Integra { .. }
        ));
    }
);

db_test!(
    o_tempo_passa_ciencia_presumida_e_prazo_vencido_sem_ninguem_apertar_botao,
    |db| {
        preparado(&db).await;
        let esperado = esperado_no_abi(&db).await;
        publicar(
            &db,
            101,
            UNIDADE_PADRAO,
            &RelogioFixo::em(d(2026, 2, 10)),
            &ator(),
            Falha::default(),
        )
        .await
        .unwrap();
        let (cal, prazos) = (CalendarioAns::padrao(), PrazosVigentes::padrao());
        let tick = |dia: NaiveDate| {
            let db = db.clone();
            let (cal, prazos) = (cal.clone(), prazos.clone());
            async move {
                let r = RelogioFixo::em(dia);
                agendador::executar(&db, r.hoje(), &cal, &prazos, &ator(), r.agora())
                    .await
                    .unwrap()
            }
        };
        // Available Tue 10/02/2026 → presumed ciência Fri 20/02/2026 (RN 377/2015).
        assert_eq!(tick(d(2026, 2, 19)).await.ciencias_presumidas, 0);
        let r = tick(d(2026, 2, 20)).await;
        assert!(r.ciencias_presumidas > 0);
        assert_eq!(r.atendimentos_notificados as i64, esperado);
        assert_eq!(
            tick(d(2026, 2, 20)).await,
            agendador::ResumoTick::default(),
            "idempotent"
        );
        // Ciência Fri 20/02 → day 1 Mon 23/02 → day 30 Tue 24/03/2026 (business day).
        let n = processos::prazo_vencido_antes(&db, d(2026, 3, 25))
            .await
            .unwrap();
        assert!(!n.is_empty());
        assert!(n.iter().all(|n| n.vencimento == Some(d(2026, 3, 24))
            && n.ciencia_forma.as_deref() == Some("presumida")));
        assert_eq!(
            tick(d(2026, 3, 24)).await.prazos_encerrados,
            0,
            "the last day is the operator's"
        );
        let r = tick(d(2026, 3, 25)).await;
        assert_eq!(r.atendimentos_devidos as i64, esperado);
        assert_eq!(contagem(&db, "devido").await, esperado);
        assert_eq!(tick(d(2026, 3, 26)).await, agendador::ResumoTick::default());
        assert!(matches!(
            auditoria::verificar(&db).await.unwrap(),
            Verificacao::Integra { .. }
        ));
    }
);

db_test!(adulterar_a_trilha_de_auditoria_e_detectado, |db| {
    preparado(&db).await;
    publicar(
        &db,
        101,
        UNIDADE_PADRAO,
        &RelogioFixo::em(d(2026, 2, 10)),
        &ator(),
        Falha::default(),
    )
    .await
    .unwrap();
    let sql = "UPDATE auditoria SET depois = '{\"atendimentos\":1}' WHERE seq = 2";
    match db.inner() {
        PoolRef::Sqlite(p) => sqlx::query(sql).execute(p).await.unwrap().rows_affected(),
        PoolRef::Postgres(p) => sqlx::query(sql).execute(p).await.unwrap().rows_affected(),
    };
    match auditoria::verificar(&db).await.unwrap() {
        Verificacao::Violada { seq, motivo } => {
            assert_eq!(seq, 2);
            assert!(motivo.contains("hash"), "{motivo}");
        }
        other => panic!("tampering not detected: {other:?}"),
    }
});

// A deadline that ends on Carnaval (RN 253/2011 art. 24 as amended by RN 327/2013; Carnaval
// and Ash Wednesday are ANS non-business days): published Tue 06/01/2026, ciência presumed Fri
// 16/01 (RN 377/2015), counting starts Mon 19/01, day 30 is Tue 17/02 (Carnaval), Wed 18/02 is
// Ash Wednesday — the period ends Thu 19/02/2026. An impugnação that day is on time; the next
// day the rest becomes due.
db_test!(prazo_que_vence_no_carnaval_termina_na_quinta_feira, |db| {
    preparado(&db).await;
    let mut tx = db.begin().await.unwrap();
    abis::agendar(
        &mut tx,
        &abis::Abi {
            numero: 102,
            tipo: "APAC".into(),
            trimestre: "1T2025".into(),
            data_lancamento: d(2026, 1, 6),
            estado: persus_store::abis::EstadoAbi::Agendado,
            publicado_em: None,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    publicar(
        &db,
        102,
        UNIDADE_PADRAO,
        &RelogioFixo::em(d(2026, 1, 6)),
        &ator(),
        Falha::default(),
    )
    .await
    .unwrap();
    common::tick(&db, d(2026, 1, 16)).await;
    let p = processos::do_abi(&db, 102)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.operadora == "368253")
        .unwrap();
    let oficio = processos::notificacoes_do_processo(&db, p.id)
        .await
        .unwrap()
        .remove(0);
    assert_eq!(oficio.ciencia_em, Some(d(2026, 1, 16)));
    assert_eq!(oficio.vencimento, Some(d(2026, 2, 19)));

    // The operator's systems are warned once when 5 business days or fewer are left: on Fri
    // 06/02 six remain (09–13/02 and 19/02 — Carnaval and Ash Wednesday do not count); on
    // Mon 09/02, five.
    assert_eq!(common::tick(&db, d(2026, 2, 6)).await.prazos_avisados, 0);
    let avisados = common::tick(&db, d(2026, 2, 9)).await.prazos_avisados;
    assert_eq!(
        avisados as i64,
        common::scalar_i64(
            &db,
            "SELECT COUNT(*) FROM processos WHERE abi_numero = CAST($1 AS INTEGER)",
            "102"
        )
        .await
    );
    assert_eq!(common::tick(&db, d(2026, 2, 9)).await.prazos_avisados, 0);
    let aviso: serde_json::Value = serde_json::from_str(
        &common::texto(
            &db,
            "SELECT corpo FROM eventos_saida WHERE tipo = 'prazo.proximo' AND operadora = $1",
            "368253",
        )
        .await,
    )
    .unwrap();
    assert_eq!(aviso["processo"], p.nup.as_str());
    assert_eq!(aviso["prazo_de"], "impugnacao");
    assert_eq!(aviso["vencimento"], "2026-02-19");
    assert_eq!(aviso["dias_uteis_restantes"], 5);

    let numeros = common::textos(&db, "SELECT numero FROM atendimentos WHERE processo_id = (SELECT id FROM processos WHERE nup = $1) ORDER BY numero", &p.nup).await;
    let dir = tempfile::tempdir().unwrap();
    let arm = persus_server::servicos::documentos::ArmazenamentoLocal {
        raiz: dir.path().to_path_buf(),
    };
    let doc = persus_server::servicos::documentos::enviar(
        &db,
        &arm,
        "368253",
        "prova.pdf",
        common::PDF,
        "rep",
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    let pedido = persus_server::servicos::peticoes::Pedido {
        tipo: persus_server::servicos::peticoes::TipoPeticao::Impugnacao,
        processo: p.nup.clone(),
        atendimentos: vec![numeros[0].clone()],
        motivo: "ADM03".into(),
        fundamentacao: "Atendimento em período de carência contratual.".into(),
        auditor: None,
        documentos: vec![doc.id],
    };
    let quinta = RelogioFixo::em(d(2026, 2, 19));
    persus_server::servicos::peticoes::protocolar(
        &db,
        "368253",
        &pedido,
        &persus_server::servicos::peticoes::Ocasiao {
            hoje: quinta.hoje(),
            agora: quinta.agora(),
            calendario: &CalendarioAns::padrao(),
            prazos: &PrazosVigentes::padrao(),
            ator: &ator(),
        },
    )
    .await
    .unwrap();
    // Still within the period on Thursday: nothing becomes due.
    common::tick(&db, d(2026, 2, 19)).await;
    assert_eq!(
        common::texto(
            &db,
            "SELECT estado FROM atendimentos WHERE numero = $1",
            &numeros[1]
        )
        .await,
        "notificado"
    );
    common::tick(&db, d(2026, 2, 20)).await;
    assert_eq!(
        common::texto(
            &db,
            "SELECT estado FROM atendimentos WHERE numero = $1",
            &numeros[0]
        )
        .await,
        "impugnado"
    );
    assert_eq!(
        common::texto(
            &db,
            "SELECT estado FROM atendimentos WHERE numero = $1",
            &numeros[1]
        )
        .await,
        "devido"
    );
});
