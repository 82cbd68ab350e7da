//! Explicit ciência and the amounts due, on SQLite and PostgreSQL.

#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use persus_domain::calendar::CalendarioAns;
use persus_domain::deadline::PrazosVigentes;
use persus_server::servicos::ciencia::{registrar_expressa, Leitura};
use persus_server::servicos::relogio::{Relogio, RelogioFixo};
use persus_server::servicos::ServicoError;
use persus_store::{db_test, processos, Db};

const AMIL: &str = "326305";

async fn ler(
    db: &Db,
    notificacao: i64,
    operadora: &str,
    dia: chrono::NaiveDate,
) -> Result<persus_server::servicos::ciencia::Ciencia, persus_server::servicos::ServicoError> {
    let r = RelogioFixo::em(dia);
    let ator = ator(operadora);
    let leitura = Leitura {
        notificacao_id: notificacao,
        operadora,
        quem: "usuario.amil",
        ator: &ator,
        hoje: r.hoje(),
        agora: r.agora(),
    };
    registrar_expressa(
        db,
        &leitura,
        &CalendarioAns::padrao(),
        &PrazosVigentes::padrao(),
    )
    .await
}

db_test!(
    abrir_a_notificacao_registra_ciencia_e_o_prazo_conta_dela,
    |db| {
        abi_agendado(&db, 31).await;
        publicado(&db).await;
        let n = scalar_i64(&db, "SELECT n.id FROM notificacoes n JOIN processos p ON p.id = n.processo_id WHERE p.operadora = $1", AMIL).await;
        // Read on Thu 12/02/2026 → day 1 Fri 13/02 → day 30 Sat 14/03 → Mon 16/03/2026.
        let c = ler(&db, n, AMIL, d(2026, 2, 12)).await.unwrap();
        assert!(c.registrada_agora);
        assert_eq!(c.vencimento, Some(d(2026, 3, 16)));
        let estados = textos(&db, "SELECT DISTINCT a.estado FROM atendimentos a JOIN processos p ON p.id = a.processo_id WHERE p.operadora = $1", AMIL).await;
        assert_eq!(estados, ["notificado"]);
        // Reading again, or the presumption later, changes nothing.
        let again = ler(&db, n, AMIL, d(2026, 2, 13)).await.unwrap();
        assert!(!again.registrada_agora);
        assert_eq!(again.ciencia_em, d(2026, 2, 12));
        tick(&db, d(2026, 2, 20)).await;
        assert_eq!(
            texto(
                &db,
                "SELECT ciencia_forma FROM notificacoes WHERE CAST(id AS TEXT) = $1",
                &n.to_string()
            )
            .await,
            "expressa"
        );
        // Not impugned: due from Tue 17/03/2026, and the amount due per process is the IVR total.
        tick(&db, d(2026, 3, 17)).await;
        let valores = processos::valores_devidos(&db, AMIL).await.unwrap();
        assert_eq!(valores.len(), 1);
        let total = scalar_i64(&db, "SELECT CAST(SUM(valor_ressarcimento_centavos) AS BIGINT) FROM atendimentos a JOIN processos p ON p.id = a.processo_id WHERE p.operadora = $1", AMIL).await;
        assert_eq!(valores[0].valor_centavos, total);
    }
);

db_test!(outra_operadora_nao_encontra_a_notificacao, |db| {
    abi_agendado(&db, 31).await;
    publicado(&db).await;
    let n = scalar_i64(&db, "SELECT n.id FROM notificacoes n JOIN processos p ON p.id = n.processo_id WHERE p.operadora = $1", AMIL).await;
    let e = ler(&db, n, "368253", d(2026, 2, 12)).await.unwrap_err();
    assert!(
        matches!(&e, ServicoError::NaoEncontrado(o) if *o == format!("Notificação {n}")),
        "{e:?}"
    );
    assert_eq!(
        e.to_string(),
        format!("Notificação {n} não existe ou não está disponível para você")
    );
    assert_eq!(texto(&db, "SELECT COALESCE(ciencia_forma, 'nenhuma') FROM notificacoes WHERE CAST(id AS TEXT) = $1", &n.to_string()).await, "nenhuma");
});

db_test!(
    ler_o_oficio_depois_da_ciencia_presumida_registra_a_leitura_sem_mover_o_prazo,
    |db| {
        // RN 377/2015 and RN 253/2011 art. 24 (domain.md §3.2–3.3): published Tue 10/02/2026 →
        // presumed Fri 20/02 → day 1 Mon 23/02 → day 30 Tue 24/03/2026. Read on Wed 25/02,
        // before the scheduler ran: the same rule as a decision's ciência — presumed, 24/03.
        abi_agendado(&db, 31).await;
        publicado(&db).await;
        let n = scalar_i64(&db, "SELECT n.id FROM notificacoes n JOIN processos p ON p.id = n.processo_id WHERE p.operadora = $1", AMIL).await;
        let c = ler(&db, n, AMIL, d(2026, 2, 25)).await.unwrap();
        assert_eq!(
            (c.ciencia_em, c.forma, c.vencimento, c.registrada_agora),
            (d(2026, 2, 20), "presumida", Some(d(2026, 3, 24)), false)
        );
        let estados = textos(&db, "SELECT DISTINCT a.estado FROM atendimentos a JOIN processos p ON p.id = a.processo_id WHERE p.operadora = $1", AMIL).await;
        assert_eq!(estados, ["notificado"]);
        assert_eq!(
            scalar_i64(&db, "SELECT COUNT(*) FROM auditoria WHERE acao = 'notificacao.leitura' AND entidade_id = $1", &n.to_string()).await,
            1
        );
        // The scheduler later finds nothing left to presume for this notice.
        tick(&db, d(2026, 2, 26)).await;
        assert_eq!(
            texto(&db, "SELECT ciencia_forma || ' ' || CAST(vencimento AS TEXT) FROM notificacoes WHERE CAST(id AS TEXT) = $1", &n.to_string()).await,
            "presumida 2026-03-24"
        );
    }
);
