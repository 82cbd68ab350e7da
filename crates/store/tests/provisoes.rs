//! Provisions storage on both databases: the notified history as runoff cells, parameter
//! versions (proposal → one decision, audited), guarantee assets by base date. Live attendances
//! and the PESL SUS go through the services: crates/server/tests/provisoes_dados.rs.

#![allow(clippy::unwrap_used)]

use chrono::{NaiveDate, TimeZone, Utc};
use persus_domain::ids::Trimestre;
use persus_domain::provisoes::parametros::{ParametrosPeona, TabelaParametros};
use persus_store::auditoria::{self, Ator};
use persus_store::provisoes::{
    self, AtivosOperadora, EstadoParametros, LinhaHistorico, NovoAtivos, OrigemHistorico,
    ResultadoDecisao,
};
use persus_store::{db_test, operadoras, Db};

fn t(s: &str) -> Trimestre {
    Trimestre::parse(s).unwrap()
}

fn d(y: i32, m: u32, dia: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, dia).unwrap()
}

async fn com_registro(db: &Db) {
    let mut tx = db.begin().await.unwrap();
    operadoras::load_register(&mut tx).await.unwrap();
    tx.commit().await.unwrap();
}

fn h(op: &str, o: &str, a: &str, v: i64, n: i64) -> LinhaHistorico {
    LinhaHistorico {
        operadora: op.into(),
        ocorrencia: t(o),
        aviso: t(a),
        valor_centavos: v,
        quantidade: n,
    }
}

db_test!(historico_vira_celulas_somadas_por_origem, |db| {
    com_registro(&db).await;
    let mut tx = db.begin().await.unwrap();
    provisoes::inserir_historico(
        &mut tx,
        OrigemHistorico::DemoSintetico,
        &[
            h("368253", "1T2016", "4T2017", 7_080, 7),
            h("368253", "1T2016", "1T2018", 2_920, 3),
            h("326305", "2T2016", "1T2018", 500, 1),
        ],
    )
    .await
    .unwrap();
    // A migration row for the same cell adds to it; re-inserting the same key replaces.
    provisoes::inserir_historico(
        &mut tx,
        OrigemHistorico::Migracao,
        &[h("368253", "1T2016", "1T2018", 80, 1)],
    )
    .await
    .unwrap();
    provisoes::inserir_historico(
        &mut tx,
        OrigemHistorico::Migracao,
        &[h("368253", "1T2016", "1T2018", 100, 2)],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let todas = provisoes::celulas(&db, None).await.unwrap();
    assert_eq!(todas.len(), 3);
    let hap = provisoes::celulas(&db, Some("368253")).await.unwrap();
    assert_eq!(hap.len(), 2);
    assert_eq!(hap[0].celula.ocorrencia, t("1T2016"));
    assert_eq!(hap[0].celula.aviso, t("4T2017"));
    assert_eq!(hap[0].celula.defasagem(), 7);
    // 2,920 (demo) + 100 (migration, replaced 80): 3,020 centavos, 3 + 2 attendances.
    assert_eq!(hap[1].celula.valor_centavos, 3_020);
    assert_eq!(hap[1].celula.quantidade, 5);
    assert!(hap.iter().all(|c| c.operadora == "368253"));
});

fn versao(nome: &str, teto_pb: u32) -> ParametrosPeona {
    ParametrosPeona {
        versao: nome.into(),
        teto_pb,
        janela_inicio: t("3T2022"),
        janela_fim: Some(t("4T2023")),
        vigencia_inicio: d(2026, 8, 1),
        vigencia_fim: None,
        atualizacao_anual: true,
        certeza: "V".into(),
        fonte: "Estudo anual de PEONA SUS de 2026".into(),
    }
}

db_test!(
    parametros_propostos_sao_decididos_uma_vez_com_auditoria,
    |db| {
        let ans = Ator::sistema("diope");
        let em = Utc.with_ymd_and_hms(2026, 7, 1, 12, 0, 0).unwrap();
        let estudo = serde_json::json!({ "ano": 2026, "linhas": 33 });
        provisoes::propor(&db, &versao("estudo-2026", 6400), &estudo, &ans, em)
            .await
            .unwrap();
        provisoes::propor(&db, &versao("estudo-2026b", 6300), &estudo, &ans, em)
            .await
            .unwrap();
        // The same name twice is refused.
        let e = provisoes::propor(&db, &versao("estudo-2026", 6000), &estudo, &ans, em)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("já existe"), "{e}");
        // Nothing takes effect before approval.
        assert!(provisoes::parametros_aprovados(&db)
            .await
            .unwrap()
            .is_empty());

        let r = provisoes::decidir(&db, "estudo-2026", true, &ans, em)
            .await
            .unwrap();
        let ResultadoDecisao::Decidida(reg) = r else {
            panic!("{r:?}")
        };
        assert_eq!(reg.estado, EstadoParametros::Aprovada);
        assert_eq!(reg.estudo, estudo);
        // A second decision, either way, changes nothing.
        assert_eq!(
            provisoes::decidir(&db, "estudo-2026", false, &ans, em)
                .await
                .unwrap(),
            ResultadoDecisao::JaDecidida(EstadoParametros::Aprovada)
        );
        assert_eq!(
            provisoes::decidir(&db, "nao-existe", true, &ans, em)
                .await
                .unwrap(),
            ResultadoDecisao::Inexistente
        );
        provisoes::decidir(&db, "estudo-2026b", false, &ans, em)
            .await
            .unwrap();

        let aprovados = provisoes::parametros_aprovados(&db).await.unwrap();
        assert_eq!(aprovados.len(), 1);
        assert_eq!(aprovados[0], versao("estudo-2026", 6400));
        // It joins the built-in table and is in force from its first day.
        let tabela = TabelaParametros::padrao()
            .com(aprovados[0].clone())
            .unwrap();
        assert_eq!(
            tabela.vigente_em(d(2026, 8, 1)).unwrap().versao,
            "estudo-2026"
        );
        let lista = provisoes::listar(&db).await.unwrap();
        assert_eq!(lista.len(), 2);
        assert_eq!(lista[1].estado, EstadoParametros::Rejeitada);

        // Audit: 2 proposals + 1 approval + 1 rejection, the chain intact.
        let eventos = auditoria::ultimos(&db, Some("peona."), 10).await.unwrap();
        let acoes: Vec<&str> = eventos.iter().map(|e| e.acao.as_str()).collect();
        assert_eq!(
            acoes,
            [
                "peona.parametros_rejeitados",
                "peona.parametros_aprovados",
                "peona.parametros_propostos",
                "peona.parametros_propostos"
            ]
        );
        assert_eq!(
            auditoria::verificar(&db).await.unwrap(),
            auditoria::Verificacao::Integra { eventos: 4 }
        );
    }
);

fn ativos(op: &str, base: NaiveDate, ag: i64) -> NovoAtivos {
    NovoAtivos {
        operadora: op.into(),
        dados: AtivosOperadora {
            beneficiarios_mh: 1_000,
            ativos_garantidores_centavos: ag,
            outras_provisoes_centavos: 50,
            data_base: base,
            sintetico: false,
            // Stored and read back, not defaulted: one operator of the test has its own.
            metodologia_propria: op == "326305",
        },
    }
}

db_test!(ativos_mais_recentes_ate_a_data, |db| {
    com_registro(&db).await;
    let em = Utc.with_ymd_and_hms(2026, 7, 1, 12, 0, 0).unwrap();
    let mut tx = db.begin().await.unwrap();
    provisoes::gravar_ativos(
        &mut tx,
        &[
            ativos("368253", d(2025, 12, 31), 100),
            ativos("368253", d(2026, 3, 31), 200),
            ativos("326305", d(2026, 6, 30), 300),
        ],
        em,
    )
    .await
    .unwrap();
    // Re-importing a (operator, date) replaces it.
    provisoes::gravar_ativos(&mut tx, &[ativos("368253", d(2026, 3, 31), 250)], em)
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let em_marco = provisoes::ativos_na_data(&db, d(2026, 3, 31))
        .await
        .unwrap();
    assert_eq!(em_marco.len(), 1, "Amil's first row is from June");
    assert_eq!(em_marco["368253"].ativos_garantidores_centavos, 250);
    assert_eq!(em_marco["368253"].data_base, d(2026, 3, 31));
    let em_fev = provisoes::ativos_na_data(&db, d(2026, 2, 28))
        .await
        .unwrap();
    assert_eq!(em_fev["368253"].ativos_garantidores_centavos, 100);
    let em_julho = provisoes::ativos_na_data(&db, d(2026, 7, 1)).await.unwrap();
    assert_eq!(em_julho.len(), 2);
    assert!(em_julho["326305"].metodologia_propria);
    assert!(!em_julho["368253"].metodologia_propria);
    assert!(em_julho["326305"].ativos().suficiente_com(250));
    assert!(!em_julho["326305"].ativos().suficiente_com(251));
});
