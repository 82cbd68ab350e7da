//! Decisions at both instances, end to end on SQLite and PostgreSQL: from impugnação to
//! annulled, rectified or due, with notices, ciência and the recurso period.

#![allow(clippy::unwrap_used)]

mod common;

use chrono::NaiveDate;
use common::*;
use persus_domain::calendar::CalendarioAns;
use persus_domain::deadline::PrazosVigentes;
use persus_domain::lifecycle::{DecisaoDicol, DecisaoPrimeiraInstancia, Evento, JuizoRecurso};
use persus_domain::money::Centavos;
use persus_server::servicos::decisoes::{
    decidir, decidir_evento, fila, Contexto, Instancia, PedidoDecisao, Resultado, ResultadoDecisao,
};
use persus_server::servicos::documentos::{enviar, ArmazenamentoLocal};
use persus_server::servicos::peticoes::{protocolar, Pedido, TipoPeticao};
use persus_server::servicos::relogio::{Relogio, RelogioFixo};
use persus_server::servicos::ServicoError;
use persus_store::{db_test, Db};

const HAPVIDA: &str = "368253";

/// Hapvida's attendances of ABI 101, with ciência presumed on 20/02/2026 and `n` of them
/// impugned on 02/03/2026. Returns (NUP, numbers, ids) of the impugned ones.
async fn impugnados(db: &Db, n: usize) -> (String, Vec<String>, Vec<i64>) {
    abi_agendado(db, 21).await;
    publicado(db).await;
    tick(db, d(2026, 2, 20)).await;
    let nup = texto(
        db,
        "SELECT nup FROM processos WHERE operadora = $1",
        HAPVIDA,
    )
    .await;
    let numeros: Vec<String> = textos(db, "SELECT numero FROM atendimentos WHERE operadora = $1 AND processo_id IS NOT NULL ORDER BY numero", HAPVIDA).await;
    let numeros: Vec<String> = numeros.into_iter().take(n).collect();
    let doc = documento(db).await;
    let pedido = Pedido {
        tipo: TipoPeticao::Impugnacao,
        processo: nup.clone(),
        atendimentos: numeros.clone(),
        motivo: "ADM05".into(),
        fundamentacao: "Atendimento fora da área de abrangência geográfica contratada.".into(),
        auditor: None,
        documentos: vec![doc],
    };
    peticao(db, &pedido, d(2026, 3, 2)).await.unwrap();
    let mut ids = Vec::new();
    for n in &numeros {
        ids.push(scalar_i64(db, "SELECT id FROM atendimentos WHERE numero = $1", n).await);
    }
    (nup, numeros, ids)
}

/// A PDF filed by Hapvida (its id).
async fn documento(db: &Db) -> i64 {
    let dir = tempfile::tempdir().unwrap();
    let arm = ArmazenamentoLocal {
        raiz: dir.path().to_path_buf(),
    };
    enviar(
        db,
        &arm,
        HAPVIDA,
        "prova.pdf",
        PDF,
        "rep",
        chrono::Utc::now(),
    )
    .await
    .unwrap()
    .id
}

async fn peticao(
    db: &Db,
    p: &Pedido,
    dia: NaiveDate,
) -> Result<persus_server::servicos::peticoes::Recibo, ServicoError> {
    let r = RelogioFixo::em(dia);
    protocolar(
        db,
        HAPVIDA,
        p,
        &persus_server::servicos::peticoes::Ocasiao {
            hoje: r.hoje(),
            agora: r.agora(),
            calendario: &CalendarioAns::padrao(),
            prazos: &PrazosVigentes::padrao(),
            ator: &ator(HAPVIDA),
        },
    )
    .await
}

/// The clock stopped on a day and the rule tables: what a decision's context borrows.
struct Mesa {
    relogio: RelogioFixo,
    calendario: CalendarioAns,
    prazos: PrazosVigentes,
}

impl Mesa {
    fn em(dia: NaiveDate) -> Mesa {
        Mesa {
            relogio: RelogioFixo::em(dia),
            calendario: CalendarioAns::padrao(),
            prazos: PrazosVigentes::padrao(),
        }
    }

    fn contexto<'a>(&'a self, db: &'a Db) -> Contexto<'a> {
        Contexto {
            db,
            relogio: &self.relogio,
            calendario: &self.calendario,
            prazos: &self.prazos,
        }
    }
}

async fn decide(
    db: &Db,
    inst: Instancia,
    ids: &[i64],
    e: Evento,
    dia: NaiveDate,
) -> Result<ResultadoDecisao, ServicoError> {
    let mesa = Mesa::em(dia);
    let ctx = mesa.contexto(db);
    decidir_evento(
        &ctx,
        inst,
        ids,
        &e,
        "Fundamentação da decisão conforme os autos.",
        &ator("ans.analista"),
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

async fn valor(db: &Db, numero: &str) -> i64 {
    scalar_i64(
        db,
        "SELECT valor_devido_centavos FROM atendimentos WHERE numero = $1",
        numero,
    )
    .await
}

fn recurso(nup: &str, numeros: &[String]) -> Pedido {
    Pedido {
        tipo: TipoPeticao::Recurso,
        processo: nup.to_owned(),
        atendimentos: numeros.to_vec(),
        motivo: "ADM05".into(),
        fundamentacao: "A decisão não considerou o contrato com área de abrangência municipal."
            .into(),
        auditor: None,
        documentos: vec![],
    }
}

db_test!(impugnacao_deferida_anula, |db| {
    let (_, numeros, ids) = impugnados(&db, 2).await;
    assert_eq!(fila(&db, Instancia::Primeira, 100).await.unwrap().len(), 2);
    let r = decide(
        &db,
        Instancia::Primeira,
        &ids,
        Evento::DecisaoPrimeiraInstancia {
            decisao: DecisaoPrimeiraInstancia::Deferida,
        },
        d(2026, 4, 6),
    )
    .await
    .unwrap();
    assert_eq!(r.atendimentos, 2);
    assert_eq!(r.notificacoes.len(), 1, "one notice per process");
    for n in &numeros {
        assert_eq!(estado(&db, n).await, "anulado");
    }
    assert!(fila(&db, Instancia::Primeira, 100)
        .await
        .unwrap()
        .is_empty());
});

db_test!(
    parcialmente_deferida_sem_recurso_fica_devida_pelo_valor_retificado,
    |db| {
        let (_, numeros, ids) = impugnados(&db, 1).await;
        let antes = valor(&db, &numeros[0]).await;
        let novo = Centavos::new(antes / 2);
        // A partial decision over two attendances is refused: each has its own value.
        let e = decide(
            &db,
            Instancia::Primeira,
            &[ids[0], ids[0]],
            Evento::DecisaoPrimeiraInstancia {
                decisao: DecisaoPrimeiraInstancia::ParcialmenteDeferida { novo_valor: novo },
            },
            d(2026, 4, 6),
        )
        .await
        .unwrap_err();
        assert!(e.to_string().contains("um atendimento por vez"));
        decide(
            &db,
            Instancia::Primeira,
            &ids,
            Evento::DecisaoPrimeiraInstancia {
                decisao: DecisaoPrimeiraInstancia::ParcialmenteDeferida { novo_valor: novo },
            },
            d(2026, 4, 6),
        )
        .await
        .unwrap();
        assert_eq!(
            (
                estado(&db, &numeros[0]).await.as_str(),
                valor(&db, &numeros[0]).await
            ),
            ("retificado", novo.value())
        );
        // Decision available Mon 06/04/2026 → presumed ciência Thu 16/04 → day 1 Fri 17/04 → day 10
        // Sun 26/04 → Mon 27/04/2026; on 28/04 the scheduler makes it due (RN 253 art. 12 §2).
        tick(&db, d(2026, 4, 16)).await;
        assert_eq!(tick(&db, d(2026, 4, 27)).await.atendimentos_devidos, 0);
        assert_eq!(tick(&db, d(2026, 4, 28)).await.atendimentos_devidos, 1);
        assert_eq!(
            (
                estado(&db, &numeros[0]).await.as_str(),
                valor(&db, &numeros[0]).await
            ),
            ("devido", novo.value())
        );
    }
);

db_test!(
    indeferida_recurso_no_prazo_dicol_parcialmente_provido,
    |db| {
        let (nup, numeros, ids) = impugnados(&db, 2).await;
        decide(
            &db,
            Instancia::Primeira,
            &ids,
            Evento::DecisaoPrimeiraInstancia {
                decisao: DecisaoPrimeiraInstancia::Indeferida,
            },
            d(2026, 4, 6),
        )
        .await
        .unwrap();
        // Before ciência of the decision no recurso period runs.
        let e = peticao(&db, &recurso(&nup, &numeros), d(2026, 4, 8))
            .await
            .unwrap_err()
            .to_string();
        assert!(e.contains("ciência da decisão"), "{e}");
        tick(&db, d(2026, 4, 16)).await;
        peticao(&db, &recurso(&nup, &numeros), d(2026, 4, 27))
            .await
            .unwrap();
        assert_eq!(estado(&db, &numeros[0]).await, "em_recurso");
        decide(
            &db,
            Instancia::Admissibilidade,
            &ids,
            Evento::JuizoAdmissibilidade {
                juizo: JuizoRecurso::EncaminhadoDicol,
            },
            d(2026, 5, 4),
        )
        .await
        .unwrap();
        assert_eq!(fila(&db, Instancia::Dicol, 10).await.unwrap().len(), 2);
        let antes = valor(&db, &numeros[0]).await;
        decide(
            &db,
            Instancia::Dicol,
            &ids[..1],
            Evento::DecisaoDicol {
                decisao: DecisaoDicol::ParcialmenteProvido {
                    novo_valor: Centavos::new(antes - 100),
                },
            },
            d(2026, 6, 1),
        )
        .await
        .unwrap();
        decide(
            &db,
            Instancia::Dicol,
            &ids[1..],
            Evento::DecisaoDicol {
                decisao: DecisaoDicol::NaoProvido,
            },
            d(2026, 6, 1),
        )
        .await
        .unwrap();
        assert_eq!(
            (
                estado(&db, &numeros[0]).await.as_str(),
                valor(&db, &numeros[0]).await
            ),
            ("devido", antes - 100)
        );
        assert_eq!(estado(&db, &numeros[1]).await, "devido");
        // The history: three decisions for the first attendance, values before and after.
        assert_eq!(scalar_i64(&db, "SELECT COUNT(*) FROM decisoes WHERE atendimento_id = (SELECT id FROM atendimentos WHERE numero = $1)", &numeros[0]).await, 3);
    }
);

db_test!(
    recurso_intempestivo_e_recusado_e_nao_conhecido_precisa_de_motivo,
    |db| {
        let (nup, numeros, ids) = impugnados(&db, 1).await;
        decide(
            &db,
            Instancia::Primeira,
            &ids,
            Evento::DecisaoPrimeiraInstancia {
                decisao: DecisaoPrimeiraInstancia::Indeferida,
            },
            d(2026, 4, 6),
        )
        .await
        .unwrap();
        tick(&db, d(2026, 4, 16)).await;
        // Deadline Mon 27/04/2026: a recurso on 28/04 is out of time (RN 253 art. 12).
        let e = peticao(&db, &recurso(&nup, &numeros), d(2026, 4, 28))
            .await
            .unwrap_err()
            .to_string();
        assert!(e.contains("o prazo de recurso venceu em 27/04/2026"), "{e}");
        peticao(&db, &recurso(&nup, &numeros), d(2026, 4, 24))
            .await
            .unwrap();
        let e = decide(
            &db,
            Instancia::Admissibilidade,
            &ids,
            Evento::JuizoAdmissibilidade {
                juizo: JuizoRecurso::NaoConhecido { motivo: "".into() },
            },
            d(2026, 5, 4),
        )
        .await
        .unwrap_err();
        assert!(e.to_string().contains("precisa de motivo"));
        decide(
            &db,
            Instancia::Admissibilidade,
            &ids,
            Evento::JuizoAdmissibilidade {
                juizo: JuizoRecurso::NaoConhecido {
                    motivo: "ausência de assinatura".into(),
                },
            },
            d(2026, 5, 4),
        )
        .await
        .unwrap();
        assert_eq!(estado(&db, &numeros[0]).await, "devido");
    }
);

db_test!(
    decisao_sobre_atendimento_nao_impugnado_recusa_o_lote_inteiro,
    |db| {
        let (_, numeros, ids) = impugnados(&db, 1).await;
        let outro = scalar_i64(&db, "SELECT id FROM atendimentos WHERE operadora = $1 AND estado = 'notificado' ORDER BY id LIMIT 1", HAPVIDA).await;
        let e = decide(
            &db,
            Instancia::Primeira,
            &[ids[0], outro],
            Evento::DecisaoPrimeiraInstancia {
                decisao: DecisaoPrimeiraInstancia::Deferida,
            },
            d(2026, 4, 6),
        )
        .await
        .unwrap_err()
        .to_string();
        assert!(e.contains("não é permitido"), "{e}");
        assert_eq!(
            estado(&db, &numeros[0]).await,
            "impugnado",
            "nothing of the refused decision was written"
        );
        // And the instance must match the event.
        let e = decide(
            &db,
            Instancia::Dicol,
            &ids,
            Evento::DecisaoPrimeiraInstancia {
                decisao: DecisaoPrimeiraInstancia::Deferida,
            },
            d(2026, 4, 6),
        )
        .await
        .unwrap_err();
        assert!(
            e.to_string().contains("não é da 2ª instância (DICOL)"),
            "{e}"
        );
    }
);

db_test!(
    ciencia_expressa_da_decisao_depois_da_presumida_nao_move_o_prazo_de_recurso,
    |db| {
        // RN 377/2015 (ciência presumed 10 calendar days after availability) and RN 253/2011
        // art. 12 (recurso in 10 days of ciência), domain.md §3.2–3.3. The decision is available
        // Sat 14/11/2026 → presumed Tue 24/11 → day 1 Wed 25/11 → day 10 Fri 04/12/2026. The
        // operator reads it on Tue 01/12, before the scheduler ran: the reading is recorded, the
        // ciência is the presumed one and the deadline stays 04/12 (not 11/12).
        let (nup, numeros, ids) = impugnados(&db, 1).await;
        let r = decide(
            &db,
            Instancia::Primeira,
            &ids,
            Evento::DecisaoPrimeiraInstancia {
                decisao: DecisaoPrimeiraInstancia::Indeferida,
            },
            d(2026, 11, 14),
        )
        .await
        .unwrap();
        let n = r.notificacoes[0];
        let leitura = RelogioFixo::em(d(2026, 12, 1));
        let quem = ator(HAPVIDA);
        let l = persus_server::servicos::ciencia::Leitura {
            notificacao_id: n,
            operadora: HAPVIDA,
            quem: "usuario.hapvida",
            ator: &quem,
            hoje: leitura.hoje(),
            agora: leitura.agora(),
        };
        let c = persus_server::servicos::ciencia::registrar_expressa(
            &db,
            &l,
            &CalendarioAns::padrao(),
            &PrazosVigentes::padrao(),
        )
        .await
        .unwrap();
        assert_eq!(
            (c.ciencia_em, c.forma, c.vencimento),
            (d(2026, 11, 24), "presumida", Some(d(2026, 12, 4)))
        );
        let id = n.to_string();
        assert_eq!(
            texto(&db, "SELECT ciencia_forma || ' ' || CAST(ciencia_em AS TEXT) || ' ' || CAST(vencimento AS TEXT) FROM notificacoes WHERE CAST(id AS TEXT) = $1", &id).await,
            "presumida 2026-11-24 2026-12-04"
        );
        assert_eq!(
            scalar_i64(&db, "SELECT COUNT(*) FROM auditoria WHERE acao = 'notificacao.leitura' AND entidade_id = $1", &id).await,
            1,
            "the reading itself is recorded"
        );
        let e = peticao(&db, &recurso(&nup, &numeros), d(2026, 12, 7))
            .await
            .unwrap_err()
            .to_string();
        assert!(e.contains("o prazo de recurso venceu em 04/12/2026"), "{e}");
        peticao(&db, &recurso(&nup, &numeros), d(2026, 12, 4))
            .await
            .unwrap();
    }
);

/// A decision asked by AIH/APAC numbers through the typed request (what the API and the web
/// send), on 06/04/2026.
async fn pede(db: &Db, p: &PedidoDecisao) -> Result<ResultadoDecisao, ServicoError> {
    let mesa = Mesa::em(d(2026, 4, 6));
    let ctx = mesa.contexto(db);
    decidir(&ctx, p, &ator("ans.analista")).await
}

fn deferir(numeros: &[String]) -> PedidoDecisao {
    PedidoDecisao {
        instancia: Instancia::Primeira,
        resultado: Resultado::Deferida,
        atendimentos: numeros.to_vec(),
        fundamentacao: "A prova documental afasta a cobrança.".into(),
        novo_valor: None,
        motivo: None,
    }
}

db_test!(decisao_em_bloco_so_para_casos_identicos, |db| {
    // Two attendances impugned on the same ground (one petition) and a third on another
    // ground: the first two are identical, the third is not.
    let (nup, numeros, _) = impugnados(&db, 2).await;
    let terceiro = textos(&db, "SELECT numero FROM atendimentos WHERE operadora = $1 AND estado = 'notificado' ORDER BY numero", HAPVIDA).await;
    let terceiro = terceiro[0].clone();
    let doc = documento(&db).await;
    let outro_motivo = Pedido {
        tipo: TipoPeticao::Impugnacao,
        processo: nup.clone(),
        atendimentos: vec![terceiro.clone()],
        motivo: "ADM01".into(),
        fundamentacao: "O beneficiário foi excluído do plano antes do atendimento.".into(),
        auditor: None,
        documentos: vec![doc],
    };
    peticao(&db, &outro_motivo, d(2026, 3, 2)).await.unwrap();
    let todos = vec![numeros[0].clone(), numeros[1].clone(), terceiro.clone()];

    let e = pede(&db, &deferir(&todos)).await.unwrap_err();
    assert!(matches!(e, ServicoError::Regra(_)), "{e:?}");
    let m = e.to_string();
    assert!(m.contains("só casos idênticos são decididos juntos"), "{m}");
    assert!(m.contains(&terceiro) && m.contains("ADM01"), "{m}");
    for n in &todos {
        assert_eq!(estado(&db, n).await, "impugnado", "nothing was decided");
    }

    // The identical ones together, the other alone.
    let r = pede(&db, &deferir(&numeros)).await.unwrap();
    assert_eq!(r.atendimentos, 2);
    assert_eq!(
        r.para.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>(),
        numeros
    );
    pede(&db, &deferir(std::slice::from_ref(&terceiro)))
        .await
        .unwrap();
    for n in &todos {
        assert_eq!(estado(&db, n).await, "anulado");
    }
});

db_test!(pedido_de_decisao_nomeia_os_campos_em_portugues, |db| {
    let (_, numeros, _) = impugnados(&db, 1).await;
    let mut p = deferir(&numeros);
    p.resultado = Resultado::ParcialmenteDeferida;
    p.fundamentacao = "curta".into();
    let ServicoError::Invalido(campos) = pede(&db, &p).await.unwrap_err() else {
        panic!("expected the fields to correct");
    };
    let nomes: Vec<&str> = campos.iter().map(|c| c.campo.as_str()).collect();
    assert_eq!(nomes, ["novo_valor", "fundamentacao"]);
    for c in &campos {
        assert!(
            !c.mensagem.contains('_') && !c.mensagem.contains("§"),
            "no internal names: {}",
            c.mensagem
        );
    }
    assert!(campos[0].mensagem.contains("Parcialmente deferida"));

    // A result of another instance is refused by name.
    let mut p = deferir(&numeros);
    p.resultado = Resultado::Provido;
    let e = pede(&db, &p).await.unwrap_err().to_string();
    assert!(e.contains("não é uma decisão da 1ª instância"), "{e}");

    // An unknown number is named.
    let e = pede(&db, &deferir(&["9999999999999".to_owned()]))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("atendimentos não encontrados: 9999999999999"),
        "{e}"
    );
    assert_eq!(estado(&db, &numeros[0]).await, "impugnado");
});
