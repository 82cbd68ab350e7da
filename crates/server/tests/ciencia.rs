//! Explicit ciência and the amounts due, on SQLite and PostgreSQL.

#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use persus_domain::calendar::CalendarioAns;
use persus_domain::deadline::PrazosVigentes;
use persus_server::servicos::ciencia::registrar_expressa;
use persus_server::servicos::relogio::{Relogio, RelogioFixo};
use persus_store::{db_test, processos, Db};

const AMIL: &str = "326305";

async fn ler(
    db: &Db,
    notificacao: i64,
    operadora: &str,
    dia: chrono::NaiveDate,
) -> Result<persus_server::servicos::ciencia::Ciencia, persus_server::servicos::ServicoError> {
    let r = RelogioFixo::em(dia);
    registrar_expressa(
        db,
        notificacao,
        operadora,
        "usuario.amil",
        r.hoje(),
        r.agora(),
        &CalendarioAns::padrao(),
        &PrazosVigentes::padrao(),
        &ator(operadora),
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
    let e = ler(&db, n, "368253", d(2026, 2, 12))
        .await
        .unwrap_err()
        .to_string();
    assert_eq!(e, format!("notificação {n} não encontrada"));
    assert_eq!(texto(&db, "SELECT COALESCE(ciencia_forma, 'nenhuma') FROM notificacoes WHERE CAST(id AS TEXT) = $1", &n.to_string()).await, "nenhuma");
});
