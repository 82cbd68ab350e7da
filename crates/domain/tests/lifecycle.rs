//! The attendance lifecycle as scenarios that read like the regulation (domain.md §3.2).
//! Dates are worked out by hand in the comments.

#![allow(clippy::unwrap_used)]

use chrono::NaiveDate;
use persus_domain::calendar::CalendarioAns;
use persus_domain::deadline::PrazosVigentes;
use persus_domain::lifecycle::*;
use persus_domain::money::Centavos;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

struct Caso {
    cal: CalendarioAns,
    prazos: PrazosVigentes,
    ciclo: Ciclo,
}

impl Caso {
    fn novo() -> Caso {
        Caso {
            cal: CalendarioAns::padrao(),
            prazos: PrazosVigentes::padrao(),
            ciclo: Ciclo::identificado(Centavos::new(150_000)),
        }
    }

    fn tentar(&self, e: Evento) -> Result<Transicao, RegraViolada> {
        aplicar(
            &self.ciclo,
            &e,
            &Regras {
                calendario: &self.cal,
                prazos: &self.prazos,
            },
        )
    }

    fn tryrf(&self, e: Evento) -> RegraViolada {
        self.tentar(e)
            .expect_err("the rules must refuse this event")
    }

    fn ok(&mut self, e: Evento) -> Estado {
        let t = self.tentar(e).unwrap_or_else(|v| panic!("{v}"));
        self.ciclo = t.ciclo;
        t.para
    }

    /// What the scheduler does on `hoje`.
    fn tick(&mut self, hoje: NaiveDate) -> Option<Estado> {
        let e = evento_por_decurso(&self.ciclo, hoje, &self.prazos)?;
        Some(self.ok(e))
    }

    /// Notified on Mon 06/01/2025, explicit ciência on `ciencia`.
    fn notificado(ciencia: NaiveDate) -> Caso {
        let mut c = Caso::novo();
        c.ok(Evento::NotificacaoDisponibilizada { em: d(2025, 1, 6) });
        c.ok(Evento::Ciencia {
            em: ciencia,
            forma: FormaCiencia::Expressa,
        });
        c
    }

    fn impugnado() -> Caso {
        let mut c = Caso::notificado(d(2025, 1, 8));
        c.ok(Evento::ImpugnacaoProtocolada { em: d(2025, 1, 20) });
        c
    }

    /// Indeferida; decision available Mon 10/03/2025 and read the same day.
    fn mantido_com_ciencia() -> Caso {
        let mut c = Caso::impugnado();
        c.ok(Evento::DecisaoPrimeiraInstancia {
            decisao: DecisaoPrimeiraInstancia::Indeferida,
        });
        c.ciclo = decisao_disponibilizada(&c.ciclo, d(2025, 3, 10));
        c.ok(Evento::CienciaDecisao {
            em: d(2025, 3, 10),
            forma: FormaCiencia::Expressa,
        });
        c
    }
}

#[test]
fn ciencia_presumida_dez_dias_apos_a_disponibilizacao_sem_ninguem_apertar_botao() {
    // RN 377/2015: available Mon 06/01/2025 → presumed ciência Thu 16/01/2025.
    let mut c = Caso::novo();
    c.ok(Evento::NotificacaoDisponibilizada { em: d(2025, 1, 6) });
    assert_eq!(c.tick(d(2025, 1, 15)), None);
    assert_eq!(c.tick(d(2025, 1, 16)), Some(Estado::Notificado));
    assert_eq!(c.ciclo.ciencia_em, Some(d(2025, 1, 16)));
    // Impugnação: day 1 Fri 17/01, day 30 = Sat 15/02 → Mon 17/02/2025 (RN 253 art. 24).
    assert_eq!(
        c.ciclo.prazo_impugnacao.as_ref().unwrap().vencimento,
        d(2025, 2, 17)
    );
}

#[test]
fn ciencia_presumida_e_datada_no_dia_da_presuncao_mesmo_se_o_agendador_atrasar() {
    let mut c = Caso::novo();
    c.ok(Evento::NotificacaoDisponibilizada { em: d(2025, 1, 6) });
    assert_eq!(c.tick(d(2025, 1, 25)), Some(Estado::Notificado));
    assert_eq!(c.ciclo.ciencia_em, Some(d(2025, 1, 16)));
}

#[test]
fn ciencia_presumida_antes_do_decimo_dia_e_recusada() {
    let mut c = Caso::novo();
    c.ok(Evento::NotificacaoDisponibilizada { em: d(2025, 1, 6) });
    let v = c.tryrf(Evento::Ciencia {
        em: d(2025, 1, 15),
        forma: FormaCiencia::Presumida,
    });
    assert!(v.regra.contains("RN 377/2015"), "{v}");
    assert!(v.motivo.contains("16/01/2025"), "{v}");
}

#[test]
fn nao_impugnado_no_prazo_fica_devido_no_dia_seguinte_ao_vencimento() {
    // RN 358/2014 art. 33. Ciência Wed 08/01/2025 → day 1 Thu 09/01 → day 30 Fri 07/02/2025.
    let mut c = Caso::notificado(d(2025, 1, 8));
    assert_eq!(
        c.ciclo.prazo_impugnacao.as_ref().unwrap().vencimento,
        d(2025, 2, 7)
    );
    assert_eq!(
        c.tick(d(2025, 2, 7)),
        None,
        "the last day still belongs to the operator"
    );
    assert_eq!(c.tick(d(2025, 2, 8)), Some(Estado::Devido));
    assert_eq!(
        c.tick(d(2025, 2, 9)),
        None,
        "idempotent: nothing more to apply"
    );
}

#[test]
fn impugnacao_no_ultimo_dia_e_aceita_e_no_dia_seguinte_recusada() {
    let c = Caso::notificado(d(2025, 1, 8));
    assert_eq!(
        c.tentar(Evento::ImpugnacaoProtocolada { em: d(2025, 2, 7) })
            .unwrap()
            .para,
        Estado::Impugnado
    );
    let v = c.tryrf(Evento::ImpugnacaoProtocolada { em: d(2025, 2, 8) });
    assert_eq!(v.to_string(), "o prazo de impugnação venceu em 07/02/2025 (RN 358/2014 art. 21 (impugnação em 30 dias da ciência))");
}

#[test]
fn prazo_de_impugnacao_que_vence_no_carnaval_e_prorrogado_ate_quinta() {
    // Ciência Fri 31/01/2025 → day 1 Mon 03/02 → day 30 Tue 04/03 (Carnaval) → Ash Wednesday →
    // Thu 06/03/2025; an impugnação on Thu 06/03 is on time.
    let mut c = Caso::novo();
    c.ok(Evento::NotificacaoDisponibilizada { em: d(2025, 1, 27) });
    c.ok(Evento::Ciencia {
        em: d(2025, 1, 31),
        forma: FormaCiencia::Expressa,
    });
    assert_eq!(
        c.ciclo.prazo_impugnacao.as_ref().unwrap().vencimento,
        d(2025, 3, 6)
    );
    assert_eq!(
        c.ok(Evento::ImpugnacaoProtocolada { em: d(2025, 3, 6) }),
        Estado::Impugnado
    );
}

#[test]
fn impugnacao_deferida_anula_o_atendimento() {
    let mut c = Caso::impugnado();
    assert_eq!(
        c.ok(Evento::DecisaoPrimeiraInstancia {
            decisao: DecisaoPrimeiraInstancia::Deferida
        }),
        Estado::Anulado
    );
    assert!(Estado::Anulado.is_final());
    assert!(c.tick(d(2030, 1, 1)).is_none());
}

#[test]
fn impugnacao_parcialmente_deferida_retifica_o_valor() {
    let mut c = Caso::impugnado();
    let novo = Centavos::new(90_000);
    assert_eq!(
        c.ok(Evento::DecisaoPrimeiraInstancia {
            decisao: DecisaoPrimeiraInstancia::ParcialmenteDeferida { novo_valor: novo }
        }),
        Estado::Retificado
    );
    assert_eq!(c.ciclo.valor, novo);
}

#[test]
fn retificacao_que_nao_reduz_o_valor_e_recusada() {
    let c = Caso::impugnado();
    let v = c.tryrf(Evento::DecisaoPrimeiraInstancia {
        decisao: DecisaoPrimeiraInstancia::ParcialmenteDeferida {
            novo_valor: Centavos::new(150_000),
        },
    });
    assert!(v.motivo.contains("menor que o valor atual"), "{v}");
}

#[test]
fn recurso_so_corre_da_ciencia_da_decisao() {
    // RN 253 art. 12: 10 days from ciência of the 1st-instance decision.
    let mut c = Caso::impugnado();
    c.ok(Evento::DecisaoPrimeiraInstancia {
        decisao: DecisaoPrimeiraInstancia::Indeferida,
    });
    let v = c.tryrf(Evento::RecursoProtocolado { em: d(2025, 3, 11) });
    assert!(v.motivo.contains("ciência da decisão"), "{v}");
    // Decision available Mon 10/03/2025, nobody reads it: presumed ciência Thu 20/03; day 1 Fri
    // 21/03; day 10 Sun 30/03 → Mon 31/03/2025.
    c.ciclo = decisao_disponibilizada(&c.ciclo, d(2025, 3, 10));
    assert_eq!(c.tick(d(2025, 3, 19)), None);
    assert_eq!(c.tick(d(2025, 3, 20)), Some(Estado::Mantido));
    assert_eq!(
        c.ciclo.prazo_recurso.as_ref().unwrap().vencimento,
        d(2025, 3, 31)
    );
    assert_eq!(c.tick(d(2025, 3, 31)), None);
    assert_eq!(
        c.tick(d(2025, 4, 1)),
        Some(Estado::Devido),
        "RN 253 art. 12 §2: no recurso, charge"
    );
}

#[test]
fn recurso_fora_do_prazo_nao_e_protocolado() {
    // Ciência Mon 10/03/2025 → day 1 Tue 11/03 → day 10 Thu 20/03/2025.
    let c = Caso::mantido_com_ciencia();
    assert_eq!(
        c.ciclo.prazo_recurso.as_ref().unwrap().vencimento,
        d(2025, 3, 20)
    );
    let v = c.tryrf(Evento::RecursoProtocolado { em: d(2025, 3, 21) });
    assert_eq!(v.motivo, "o prazo de recurso venceu em 20/03/2025");
    assert!(v.regra.contains("RN 253/2011 art. 12"));
}

#[test]
fn recurso_nao_conhecido_torna_o_atendimento_devido() {
    let mut c = Caso::mantido_com_ciencia();
    c.ok(Evento::RecursoProtocolado { em: d(2025, 3, 20) });
    let v = c.tryrf(Evento::JuizoAdmissibilidade {
        juizo: JuizoRecurso::NaoConhecido { motivo: " ".into() },
    });
    assert!(v.motivo.contains("precisa de motivo"));
    let para = c.ok(Evento::JuizoAdmissibilidade {
        juizo: JuizoRecurso::NaoConhecido {
            motivo: "intempestivo".into(),
        },
    });
    assert_eq!(para, Estado::Devido);
}

#[test]
fn reconsideracao_total_pelo_diretor_anula() {
    let mut c = Caso::mantido_com_ciencia();
    c.ok(Evento::RecursoProtocolado { em: d(2025, 3, 12) });
    assert_eq!(
        c.ok(Evento::JuizoAdmissibilidade {
            juizo: JuizoRecurso::ReconsideradoTotal
        }),
        Estado::Anulado
    );
}

#[test]
fn reconsideracao_parcial_reduz_e_segue_para_a_dicol_que_decide() {
    let mut c = Caso::mantido_com_ciencia();
    c.ok(Evento::RecursoProtocolado { em: d(2025, 3, 12) });
    assert_eq!(
        c.ok(Evento::JuizoAdmissibilidade {
            juizo: JuizoRecurso::ReconsideradoParcial {
                novo_valor: Centavos::new(120_000)
            }
        }),
        Estado::EmDicol
    );
    assert_eq!(c.ciclo.valor, Centavos::new(120_000));
    let para = c.ok(Evento::DecisaoDicol {
        decisao: DecisaoDicol::ParcialmenteProvido {
            novo_valor: Centavos::new(100_000),
        },
    });
    assert_eq!(
        (para, c.ciclo.valor),
        (Estado::Devido, Centavos::new(100_000))
    );
}

#[test]
fn dicol_provido_anula_e_nao_provido_mantem_devido() {
    for (decisao, esperado) in [
        (DecisaoDicol::Provido, Estado::Anulado),
        (DecisaoDicol::NaoProvido, Estado::Devido),
    ] {
        let mut c = Caso::mantido_com_ciencia();
        c.ok(Evento::RecursoProtocolado { em: d(2025, 3, 12) });
        c.ok(Evento::JuizoAdmissibilidade {
            juizo: JuizoRecurso::EncaminhadoDicol,
        });
        assert_eq!(c.ok(Evento::DecisaoDicol { decisao }), esperado);
    }
}

#[test]
fn retificado_tambem_pode_recorrer() {
    let mut c = Caso::impugnado();
    c.ok(Evento::DecisaoPrimeiraInstancia {
        decisao: DecisaoPrimeiraInstancia::ParcialmenteDeferida {
            novo_valor: Centavos::new(1_000),
        },
    });
    c.ok(Evento::CienciaDecisao {
        em: d(2025, 3, 10),
        forma: FormaCiencia::Expressa,
    });
    assert_eq!(
        c.ok(Evento::RecursoProtocolado { em: d(2025, 3, 11) }),
        Estado::EmRecurso
    );
}

#[test]
fn suspensao_judicial_congela_e_retoma_o_estado() {
    // RN 351/2014: exigibilidade suspensa; the scheduler does nothing while suspended.
    let mut c = Caso::notificado(d(2025, 1, 8));
    assert_eq!(c.ok(Evento::SuspensaoJudicial), Estado::Suspenso);
    assert_eq!(c.tick(d(2025, 6, 1)), None);
    assert!(c
        .tryrf(Evento::SuspensaoJudicial)
        .motivo
        .contains("já está suspenso"));
    assert_eq!(c.ok(Evento::FimSuspensaoJudicial), Estado::Notificado);
    let mut anulado = Caso::impugnado();
    anulado.ok(Evento::DecisaoPrimeiraInstancia {
        decisao: DecisaoPrimeiraInstancia::Deferida,
    });
    assert!(anulado
        .tryrf(Evento::SuspensaoJudicial)
        .motivo
        .contains("anulado"));
}

#[test]
fn eventos_fora_de_ordem_sao_erros_que_nomeiam_o_estado() {
    let c = Caso::novo();
    let v = c.tryrf(Evento::ImpugnacaoProtocolada { em: d(2025, 1, 1) });
    assert_eq!(
        v.motivo,
        "o evento não é permitido para um atendimento no estado \"Identificado\""
    );
    let c = Caso::impugnado();
    assert!(
        c.tentar(Evento::ImpugnacaoProtocolada { em: d(2025, 1, 21) })
            .is_err(),
        "one impugnação per attendance"
    );
    assert!(c
        .tentar(Evento::DecisaoDicol {
            decisao: DecisaoDicol::Provido
        })
        .is_err());
}

#[test]
fn estados_tem_nomes_estaveis_para_o_banco() {
    for e in [
        Estado::Identificado,
        Estado::AguardandoCiencia,
        Estado::EmDicol,
        Estado::Suspenso,
    ] {
        assert_eq!(Estado::parse(e.as_str()), Some(e));
    }
    assert_eq!(
        serde_json::to_string(&Estado::EmRecurso).unwrap(),
        "\"em_recurso\""
    );
}

#[test]
fn ciencia_expressa_da_decisao_depois_da_presumida_nao_move_o_prazo_de_recurso() {
    // RN 377/2015 (ciência presumed 10 calendar days after availability) and RN 253/2011 art. 12
    // (recurso in 10 days of ciência), domain.md §3.2–3.3. Decision available Sat 14/11/2026 →
    // presumed Tue 24/11 → day 1 Wed 25/11 → day 10 Fri 04/12/2026. Reading it on Tue 01/12 comes
    // after the presumption: ciência stays 24/11 and the deadline 04/12 (not 11/12).
    let mut c = Caso::impugnado();
    c.ok(Evento::DecisaoPrimeiraInstancia {
        decisao: DecisaoPrimeiraInstancia::Indeferida,
    });
    c.ciclo = decisao_disponibilizada(&c.ciclo, d(2026, 11, 14));
    c.ok(Evento::CienciaDecisao {
        em: d(2026, 12, 1),
        forma: FormaCiencia::Expressa,
    });
    let p = c.ciclo.prazo_recurso.clone().unwrap();
    assert_eq!((p.ciencia, p.vencimento), (d(2026, 11, 24), d(2026, 12, 4)));
    assert!(c
        .tryrf(Evento::RecursoProtocolado { em: d(2026, 12, 7) })
        .motivo
        .contains("venceu em 04/12/2026"));
}

#[test]
fn ciencia_expressa_do_oficio_depois_da_presumida_vale_como_presumida() {
    // The same rule for the Ofício ABI (RN 377/2015): available Mon 06/01/2025 → presumed Thu
    // 16/01; a reading on Mon 20/01 is not a new ciência — it is the presumed one, and the
    // impugnação period is the presumption's (day 1 Fri 17/01 → day 30 Sat 15/02 → Mon 17/02).
    let mut c = Caso::novo();
    c.ok(Evento::NotificacaoDisponibilizada { em: d(2025, 1, 6) });
    c.ok(Evento::Ciencia {
        em: d(2025, 1, 20),
        forma: FormaCiencia::Expressa,
    });
    assert_eq!(c.ciclo.ciencia_em, Some(d(2025, 1, 16)));
    assert_eq!(
        c.ciclo.prazo_impugnacao.as_ref().unwrap().vencimento,
        d(2025, 2, 17)
    );
    // Both paths decide through one rule, which says which ciência a reading on a day is.
    let prazos = PrazosVigentes::padrao();
    assert_eq!(
        apurar_ciencia(
            d(2025, 1, 6),
            d(2025, 1, 20),
            FormaCiencia::Expressa,
            &prazos
        ),
        Ok((d(2025, 1, 16), FormaCiencia::Presumida))
    );
    assert_eq!(
        apurar_ciencia(
            d(2025, 1, 6),
            d(2025, 1, 16),
            FormaCiencia::Expressa,
            &prazos
        ),
        Ok((d(2025, 1, 16), FormaCiencia::Expressa))
    );
    assert!(apurar_ciencia(
        d(2025, 1, 6),
        d(2025, 1, 5),
        FormaCiencia::Expressa,
        &prazos
    )
    .unwrap_err()
    .motivo
    .contains("anterior à disponibilização"));
}
