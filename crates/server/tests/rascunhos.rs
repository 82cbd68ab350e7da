//! Drafts (saved, edited, discarded, protocolled under the rules of protocol day) and the full
//! history of an attendance, on SQLite and PostgreSQL.

#![allow(clippy::unwrap_used)]

mod common;

use common::{abi_agendado, d, publicado, texto, textos, tick, PDF};
use persus_domain::calendar::CalendarioAns;
use persus_domain::deadline::PrazosVigentes;
use persus_domain::lifecycle::{DecisaoPrimeiraInstancia, Evento};
use persus_server::servicos::decisoes::{decidir_evento, Contexto, Instancia};
use persus_server::servicos::documentos::{enviar, ArmazenamentoLocal};
use persus_server::servicos::historico;
use persus_server::servicos::peticoes::{Pedido, TipoPeticao};
use persus_server::servicos::rascunhos;
use persus_server::servicos::relogio::{Relogio, RelogioFixo};
use persus_server::servicos::ServicoError;
use persus_store::auditoria::Ator;
use persus_store::{db_test, processos, Db};

const HAPVIDA: &str = "368253";
const AMIL: &str = "326305";

/// ABI 101 published Tue 10/02/2026, presumed ciência Fri 20/02 (impugnação until 24/03/2026).
/// Returns Hapvida's NUP, its attendance numbers and one uploaded PDF.
async fn preparado(db: &Db, dir: &std::path::Path) -> (String, Vec<String>, i64) {
    abi_agendado(db, 11).await;
    publicado(db).await;
    tick(db, d(2026, 2, 20)).await;
    let p = processos::do_abi(db, 101)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.operadora == HAPVIDA)
        .unwrap();
    let numeros = textos(
        db,
        "SELECT numero FROM atendimentos WHERE processo_id = (SELECT id FROM processos WHERE nup = $1) ORDER BY numero",
        &p.nup,
    )
    .await;
    let arm = ArmazenamentoLocal {
        raiz: dir.to_path_buf(),
    };
    let doc = enviar(
        db,
        &arm,
        HAPVIDA,
        "exclusao.pdf",
        PDF,
        "rep.368253",
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    (p.nup, numeros, doc.id)
}

fn pedido(nup: &str, numeros: &[String], docs: Vec<i64>) -> Pedido {
    Pedido {
        tipo: TipoPeticao::Impugnacao,
        processo: nup.to_owned(),
        atendimentos: numeros.to_vec(),
        motivo: "ADM01".to_owned(),
        fundamentacao: "rascunho".to_owned(),
        auditor: None,
        documentos: docs,
    }
}

async fn protocola(
    db: &Db,
    op: &str,
    id: i64,
    dia: chrono::NaiveDate,
) -> Result<rascunhos::Recibo, ServicoError> {
    let r = RelogioFixo::em(dia);
    rascunhos::protocolar(
        db,
        op,
        id,
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

/// The refusal's text (a rule, a thing not found for the caller, fields to correct).
fn erro(r: Result<impl std::fmt::Debug, ServicoError>) -> String {
    match r {
        Err(
            e @ (ServicoError::Regra(_)
            | ServicoError::NaoEncontrado(_)
            | ServicoError::Invalido(_)),
        ) => e.to_string(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

db_test!(
    rascunho_e_editado_e_protocolado_no_dia_do_protocolo_e_depois_nada_muda,
    |db| {
        let dir = tempfile::tempdir().unwrap();
        let (nup, numeros, doc) = preparado(&db, dir.path()).await;
        let ator = Ator::sistema("rep.368253");
        let agora = RelogioFixo::em(d(2026, 3, 1)).agora();

        // A draft may be incomplete: short reasoning, no documents yet.
        let r = rascunhos::salvar(
            &db,
            HAPVIDA,
            None,
            &pedido(&nup, &numeros[..1], vec![]),
            agora,
            &ator,
        )
        .await
        .unwrap();
        // Protocol judges completeness (RN 253/2011 art. 12: grounds, reasoning, evidence).
        let e = erro(protocola(&db, HAPVIDA, r.id, d(2026, 3, 2)).await);
        assert!(e.contains("fundamentação"), "{e}");
        assert!(e.contains("documento"), "{e}");
        assert_eq!(
            texto(
                &db,
                "SELECT estado FROM atendimentos WHERE numero = $1",
                &numeros[0]
            )
            .await,
            "notificado"
        );

        // Completed: two attendances, the PDF, real reasoning.
        let mut p = pedido(&nup, &numeros[..2], vec![doc]);
        p.fundamentacao = "Beneficiário excluído do plano antes do atendimento.".to_owned();
        rascunhos::salvar(&db, HAPVIDA, Some(r.id), &p, agora, &ator)
            .await
            .unwrap();
        let lido = rascunhos::carregar(&db, HAPVIDA, r.id).await.unwrap();
        assert_eq!(lido.pedido.atendimentos, numeros[..2].to_vec());
        assert_eq!(lido.pedido.documentos, vec![doc]);
        assert_eq!(lido.pedido.processo, nup);

        // Another operator cannot see, edit, protocol or discard it.
        assert!(erro(rascunhos::carregar(&db, AMIL, r.id).await).contains("não existe"));
        assert!(
            erro(rascunhos::salvar(&db, AMIL, Some(r.id), &p, agora, &ator).await)
                .contains("não encontrado")
        );
        assert!(erro(protocola(&db, AMIL, r.id, d(2026, 3, 2)).await).contains("não existe"));

        let recibo = protocola(&db, HAPVIDA, r.id, d(2026, 3, 2)).await.unwrap();
        assert!(
            recibo.protocolo.starts_with("2026."),
            "{}",
            recibo.protocolo
        );
        assert_eq!(recibo.documentos.len(), 1);
        for n in &numeros[..2] {
            assert_eq!(
                texto(&db, "SELECT estado FROM atendimentos WHERE numero = $1", n).await,
                "impugnado"
            );
        }
        // Nothing is editable after protocol, nor can it be discarded or protocolled again.
        let e = erro(rascunhos::salvar(&db, HAPVIDA, Some(r.id), &p, agora, &ator).await);
        assert!(
            e.contains("protocolada") && e.contains(&recibo.protocolo),
            "{e}"
        );
        assert!(
            erro(rascunhos::descartar(&db, HAPVIDA, r.id, agora, &ator).await)
                .contains("protocolada")
        );
        assert!(erro(protocola(&db, HAPVIDA, r.id, d(2026, 3, 3)).await).contains("protocolada"));

        // A second draft over an impugned attendance is saved, but protocol refuses it
        // (one impugnação per attendance, domain.md §3.2).
        let mut p2 = p.clone();
        p2.atendimentos = numeros[..1].to_vec();
        let r2 = rascunhos::salvar(&db, HAPVIDA, None, &p2, agora, &ator)
            .await
            .unwrap();
        let e = erro(protocola(&db, HAPVIDA, r2.id, d(2026, 3, 4)).await);
        assert!(e.contains(&numeros[0]), "{e}");
        rascunhos::descartar(&db, HAPVIDA, r2.id, agora, &ator)
            .await
            .unwrap();
        assert!(erro(rascunhos::carregar(&db, HAPVIDA, r2.id).await).contains("não existe"));
    }
);

db_test!(rascunho_protocolado_depois_do_prazo_e_recusado, |db| {
    let dir = tempfile::tempdir().unwrap();
    let (nup, numeros, doc) = preparado(&db, dir.path()).await;
    let ator = Ator::sistema("rep.368253");
    let mut p = pedido(&nup, &numeros[..1], vec![doc]);
    p.fundamentacao = "Beneficiário excluído do plano antes do atendimento.".to_owned();
    // Saved within the period; the deadline (Tue 24/03/2026) is judged at protocol
    // (RN 358/2014 art. 21): a draft does not stop the clock.
    let r = rascunhos::salvar(
        &db,
        HAPVIDA,
        None,
        &p,
        RelogioFixo::em(d(2026, 3, 20)).agora(),
        &ator,
    )
    .await
    .unwrap();
    let e = erro(protocola(&db, HAPVIDA, r.id, d(2026, 3, 25)).await);
    assert!(e.contains("prazo") || e.contains("intempestiv"), "{e}");
    assert_eq!(
        texto(
            &db,
            "SELECT estado FROM atendimentos WHERE numero = $1",
            &numeros[0]
        )
        .await,
        "notificado"
    );
    // On the last day it is accepted.
    protocola(&db, HAPVIDA, r.id, d(2026, 3, 24)).await.unwrap();
});

db_test!(
    historico_mostra_cada_fato_em_ordem_e_so_para_a_propria_operadora,
    |db| {
        let dir = tempfile::tempdir().unwrap();
        let (nup, numeros, doc) = preparado(&db, dir.path()).await;
        let ator = Ator::sistema("rep.368253");
        let mut p = pedido(&nup, &numeros[..1], vec![doc]);
        p.fundamentacao = "Beneficiário excluído do plano antes do atendimento.".to_owned();
        let r = rascunhos::salvar(
            &db,
            HAPVIDA,
            None,
            &p,
            RelogioFixo::em(d(2026, 3, 2)).agora(),
            &ator,
        )
        .await
        .unwrap();
        let recibo = protocola(&db, HAPVIDA, r.id, d(2026, 3, 2)).await.unwrap();
        let id: i64 = common::scalar_i64(
            &db,
            "SELECT id FROM atendimentos WHERE numero = $1",
            &numeros[0],
        )
        .await;
        let hoje = RelogioFixo::em(d(2026, 4, 6));
        let (calendario, prazos) = (CalendarioAns::padrao(), PrazosVigentes::padrao());
        decidir_evento(
            &Contexto {
                db: &db,
                relogio: &hoje,
                calendario: &calendario,
                prazos: &prazos,
            },
            Instancia::Primeira,
            &[id],
            &Evento::DecisaoPrimeiraInstancia {
                decisao: DecisaoPrimeiraInstancia::Indeferida,
            },
            "Exclusão posterior ao atendimento, conforme SIB.",
            &Ator::sistema("ans.analista"),
        )
        .await
        .unwrap();
        // The decision's presumed ciência (16/04), then the recurso period ends unused.
        tick(&db, d(2026, 4, 16)).await;
        tick(&db, d(2026, 5, 20)).await;

        let h = historico::consultar(&db, &numeros[0], Some(HAPVIDA))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            h.atendimento.estado,
            persus_domain::lifecycle::Estado::Devido
        );
        assert_eq!(h.atendimento.nup.as_deref(), Some(nup.as_str()));
        assert_eq!(h.peticoes.len(), 1);
        assert_eq!(h.documentos.len(), 1);
        assert_eq!(h.decisoes.len(), 1);
        let tipos: Vec<&str> = h.linha_do_tempo.iter().map(|e| e.tipo).collect();
        assert_eq!(
            tipos,
            [
                "identificacao",
                "notificacao",
                "ciencia",
                "peticao",
                "decisao",
                "notificacao",
                "ciencia",
                "decurso"
            ],
            "{:#?}",
            h.linha_do_tempo
        );
        let datas: Vec<_> = h.linha_do_tempo.iter().map(|e| e.data).collect();
        assert!(datas.windows(2).all(|w| w[0] <= w[1]), "{datas:?}");
        let texto_todo: String = h
            .linha_do_tempo
            .iter()
            .map(|e| e.descricao.clone())
            .collect::<Vec<_>>()
            .join("\n");
        assert!(texto_todo.contains(&recibo.protocolo), "{texto_todo}");
        assert!(texto_todo.contains("Ciência presumida"), "{texto_todo}");
        assert!(texto_todo.contains("prazo até 24/03/2026"), "{texto_todo}");
        assert!(
            texto_todo.contains("Prazo de recurso encerrado sem recurso"),
            "{texto_todo}"
        );
        assert!(texto_todo.contains("R$ "), "{texto_todo}");

        // ANS sees it; another operator does not know it exists.
        assert!(historico::consultar(&db, &numeros[0], None)
            .await
            .unwrap()
            .is_some());
        assert!(historico::consultar(&db, &numeros[0], Some(AMIL))
            .await
            .unwrap()
            .is_none());
    }
);
