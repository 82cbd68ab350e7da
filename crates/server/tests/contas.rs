//! Signing in: Argon2id passwords and lockout after repeated failures, on both databases.

#![allow(clippy::unwrap_used)]

use chrono::{Duration, Utc};
use persus_server::cli::load_reference_data;
use persus_server::demo::credenciais;
use persus_server::servicos::contas::{entrar, Entrada, BLOQUEIO, LIMITE_FALHAS};
use persus_store::{contas, db_test};

fn recusada(e: Entrada) -> String {
    match e {
        Entrada::Recusada { mensagem } => mensagem,
        Entrada::Aceita(u) => panic!("accepted {}", u.login),
    }
}

db_test!(
    senha_certa_entra_erros_repetidos_bloqueiam_e_o_bloqueio_expira,
    |db| {
        load_reference_data(&db).await.unwrap();
        credenciais::criar(&db).await.unwrap();
        let t0 = Utc::now();
        // Stored as Argon2id, never in clear.
        let u = contas::usuario(&db, "rep.368253").await.unwrap().unwrap();
        assert!(u.senha_hash.starts_with("$argon2id$"), "{}", u.senha_hash);
        assert!(!u.senha_hash.contains("demo"));

        assert!(matches!(
            entrar(&db, "rep.368253", "demo", t0).await.unwrap(),
            Entrada::Aceita(_)
        ));
        // Unknown login and wrong password read the same.
        let a = recusada(entrar(&db, "nao.existe", "demo", t0).await.unwrap());
        let b = recusada(entrar(&db, "rep.368253", "errada", t0).await.unwrap());
        assert_eq!(a, b);
        assert_eq!(a, "login ou senha inválidos");
        for _ in 1..LIMITE_FALHAS - 1 {
            recusada(entrar(&db, "rep.368253", "errada", t0).await.unwrap());
        }
        let m = recusada(entrar(&db, "rep.368253", "errada", t0).await.unwrap());
        assert!(m.contains("bloqueada por 15 minutos"), "{m}");
        // Locked: even the right password is refused, saying until when.
        let m = recusada(
            entrar(&db, "rep.368253", "demo", t0 + Duration::minutes(5))
                .await
                .unwrap(),
        );
        assert!(
            m.contains("bloqueada") && m.contains("horário de Brasília"),
            "{m}"
        );
        // After the lock, the right password enters and the count starts over: one more failure
        // does not lock again.
        let depois = t0 + BLOQUEIO + Duration::seconds(1);
        recusada(entrar(&db, "rep.368253", "errada", depois).await.unwrap());
        assert!(matches!(
            entrar(&db, "rep.368253", "demo", depois).await.unwrap(),
            Entrada::Aceita(_)
        ));
        assert_eq!(
            contas::usuario(&db, "rep.368253")
                .await
                .unwrap()
                .unwrap()
                .falhas,
            0
        );
        // Other accounts were never affected.
        assert!(matches!(
            entrar(&db, "ans.analista", "demo", t0).await.unwrap(),
            Entrada::Aceita(_)
        ));
    }
);

use persus_server::servicos::aplicacoes;
use persus_server::servicos::ServicoError;

fn regra<T: std::fmt::Debug>(r: Result<T, ServicoError>) -> String {
    match r {
        Err(ServicoError::Regra(m)) => m,
        other => panic!("expected a rule error, got {other:?}"),
    }
}

db_test!(
    representante_registra_rotaciona_e_revoga_aplicacoes_so_da_propria_operadora,
    |db| {
        load_reference_data(&db).await.unwrap();
        credenciais::criar(&db).await.unwrap();
        let agora = Utc::now();
        let escopos = vec!["consulta".to_owned(), "peticionar".to_owned()];
        let c = aplicacoes::registrar(
            &db,
            "rep.368253",
            "ERP da operadora",
            "producao",
            &escopos,
            agora,
        )
        .await
        .unwrap();
        assert!(c.client_id.starts_with("psus_app_") && c.client_secret.starts_with("psus_sk_"));
        // Only the hash is kept.
        let a = contas::aplicacao_por_client_id(&db, &c.client_id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            a.segredo_sha256,
            persus_server::auth::sha256_hex(&c.client_secret)
        );
        assert_eq!(a.escopos, "consulta peticionar");
        assert_eq!(a.ambiente, "producao");

        // Bad input, every reason at once; ANS scopes are not for operators; ANS staff are not managers.
        let e = regra(
            aplicacoes::registrar(
                &db,
                "rep.368253",
                "x",
                "teste",
                &["ans.decisao".to_owned()],
                agora,
            )
            .await,
        );
        assert!(
            e.contains("nome") && e.contains("ambiente") && e.contains("ans.decisao"),
            "{e}"
        );
        let e = regra(
            aplicacoes::registrar(&db, "ans.analista", "ERP", "producao", &escopos, agora).await,
        );
        assert!(e.contains("só o administrador"), "{e}");
        // ANS's admin registers ANS applications, with ANS scopes only.
        let c_ans = aplicacoes::registrar(
            &db,
            "ans.admin",
            "Robô de triagem",
            "producao",
            &["ans.decisao".to_owned()],
            agora,
        )
        .await
        .unwrap();
        assert_eq!(c_ans.escopos, "ans.decisao");
        let e = regra(
            aplicacoes::registrar(&db, "ans.admin", "ERP", "producao", &escopos, agora).await,
        );
        assert!(e.contains("não disponível para a ANS"), "{e}");
        // Another operator's representative cannot touch it (it does not exist for them).
        let e = regra(aplicacoes::rotacionar_segredo(&db, "rep.326305", &c.client_id, agora).await);
        assert!(e.contains("não encontrada"), "{e}");

        // Rotation: a new secret, the old hash replaced.
        let novo = aplicacoes::rotacionar_segredo(&db, "rep.368253", &c.client_id, agora)
            .await
            .unwrap();
        assert_ne!(novo.client_secret, c.client_secret);
        let a = contas::aplicacao_por_client_id(&db, &c.client_id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            a.segredo_sha256,
            persus_server::auth::sha256_hex(&novo.client_secret)
        );

        // A token of the application dies with it.
        let sha = persus_server::auth::sha256_hex("psus_at_do_erp");
        contas::emitir_token(
            &db,
            &sha,
            a.id,
            "consulta",
            agora,
            agora + Duration::hours(1),
        )
        .await
        .unwrap();
        assert!(contas::token(&db, &sha, agora).await.unwrap().is_some());
        aplicacoes::revogar(&db, "rep.368253", &c.client_id, agora)
            .await
            .unwrap();
        assert!(contas::token(&db, &sha, agora).await.unwrap().is_none());
        assert!(
            regra(aplicacoes::revogar(&db, "rep.368253", &c.client_id, agora).await)
                .contains("não encontrada")
        );
        // Every step is in the audit trail.
        assert!(matches!(
            persus_store::auditoria::verificar(&db).await.unwrap(),
            persus_store::auditoria::Verificacao::Integra { eventos } if eventos >= 3
        ));
    }
);

use persus_server::servicos::contas::{criar_usuario, delegar, permissoes, revogar_delegacao};

db_test!(
    delegado_so_alcanca_o_que_foi_concedido_enquanto_vale,
    |db| {
        load_reference_data(&db).await.unwrap();
        persus_server::demo::seed(
            &db,
            persus_server::demo::Params {
                seed: 41,
                atendimentos: 2_000,
            },
        )
        .await
        .unwrap();
        credenciais::criar(&db).await.unwrap();
        // Two processes of Hapvida.
        let mut tx = db.begin().await.unwrap();
        for (n, tipo) in [(101, "AIH"), (102, "APAC")] {
            persus_store::abis::agendar(
                &mut tx,
                &persus_store::abis::Abi {
                    numero: n,
                    tipo: tipo.into(),
                    trimestre: "1T2025".into(),
                    data_lancamento: chrono::NaiveDate::from_ymd_opt(2026, 2, 10).unwrap(),
                    estado: "agendado".into(),
                    publicado_em: None,
                },
            )
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
        for n in [101, 102] {
            persus_server::servicos::publicacao::publicar(
                &db,
                n,
                persus_server::servicos::publicacao::UNIDADE_PADRAO,
                &persus_server::servicos::relogio::RelogioFixo::em(
                    chrono::NaiveDate::from_ymd_opt(2026, 2, 10).unwrap(),
                ),
                &persus_store::auditoria::Ator::sistema("t"),
                persus_server::servicos::publicacao::Falha::default(),
            )
            .await
            .unwrap();
        }
        let p1 = persus_store::processos::do_abi(&db, 101)
            .await
            .unwrap()
            .into_iter()
            .find(|p| p.operadora == "368253")
            .unwrap();
        let p2 = persus_store::processos::do_abi(&db, 102)
            .await
            .unwrap()
            .into_iter()
            .find(|p| p.operadora == "368253")
            .unwrap();
        let agora = Utc::now();
        let s = |v: &[&str]| v.iter().map(|x| (*x).to_owned()).collect::<Vec<String>>();

        // The representative creates a user with only `consulta`; the manager role is his alone to give.
        criar_usuario(
            &db,
            "rep.368253",
            "ana.hap",
            "Ana",
            "usuario",
            &s(&["consulta"]),
            "senha-longa-123",
            agora,
        )
        .await
        .unwrap();
        assert_eq!(
            permissoes(&db, "ana.hap", "368253", None, agora)
                .await
                .unwrap(),
            ["consulta"]
        );
        let e = regra(
            criar_usuario(
                &db,
                "ana.hap",
                "bob",
                "Bob",
                "usuario",
                &s(&["consulta"]),
                "senha-longa-123",
                agora,
            )
            .await,
        );
        assert!(e.contains("representante legal ou o gestor"), "{e}");
        let e = regra(
            criar_usuario(
                &db,
                "rep.368253",
                "x y",
                "X",
                "dono",
                &s(&["tudo"]),
                "curta",
                agora,
            )
            .await,
        );
        assert!(
            e.contains("papel")
                && e.contains("tudo")
                && e.contains("10 caracteres")
                && e.contains("login"),
            "{e}"
        );
        assert!(regra(
            criar_usuario(
                &db,
                "rep.368253",
                "ana.hap",
                "Ana",
                "usuario",
                &s(&["consulta"]),
                "senha-longa-123",
                agora
            )
            .await
        )
        .contains("já existe"));

        // Amil's representative (another organization) gets `peticionar` on Hapvida's first process only.
        let id = delegar(
            &db,
            "rep.368253",
            "rep.326305",
            Some(&p1.nup),
            &s(&["peticionar"]),
            agora + Duration::days(30),
            agora,
        )
        .await
        .unwrap();
        assert_eq!(
            permissoes(&db, "rep.326305", "368253", Some(p1.id), agora)
                .await
                .unwrap(),
            ["peticionar"]
        );
        assert!(permissoes(&db, "rep.326305", "368253", Some(p2.id), agora)
            .await
            .unwrap()
            .is_empty());
        assert!(permissoes(&db, "rep.326305", "368253", None, agora)
            .await
            .unwrap()
            .is_empty());
        // Its own operator is untouched.
        assert_eq!(
            permissoes(&db, "rep.326305", "326305", None, agora)
                .await
                .unwrap(),
            ["consulta", "financeiro", "peticionar"]
        );
        // After expiry: nothing. Revoked: nothing, and it cannot be revoked twice or by another operator.
        assert!(permissoes(
            &db,
            "rep.326305",
            "368253",
            Some(p1.id),
            agora + Duration::days(31)
        )
        .await
        .unwrap()
        .is_empty());
        assert!(
            regra(revogar_delegacao(&db, "rep.326305", id, agora).await).contains("não encontrada")
        );
        revogar_delegacao(&db, "rep.368253", id, agora)
            .await
            .unwrap();
        assert!(permissoes(&db, "rep.326305", "368253", Some(p1.id), agora)
            .await
            .unwrap()
            .is_empty());
        assert!(
            regra(revogar_delegacao(&db, "rep.368253", id, agora).await).contains("já revogada")
        );

        // An operator-wide delegation covers every process; bad requests are refused with reasons.
        delegar(
            &db,
            "rep.368253",
            "ana.hap",
            None,
            &s(&["financeiro"]),
            agora + Duration::days(1),
            agora,
        )
        .await
        .unwrap();
        assert_eq!(
            permissoes(&db, "ana.hap", "368253", Some(p2.id), agora)
                .await
                .unwrap(),
            ["consulta", "financeiro"]
        );
        let e = regra(
            delegar(
                &db,
                "rep.368253",
                "ninguem",
                Some("99999000001202600"),
                &s(&["x"]),
                agora,
                agora,
            )
            .await,
        );
        assert!(
            e.contains("ninguem")
                && e.contains("processo")
                && e.contains("\"x\"")
                && e.contains("futuro"),
            "{e}"
        );
    }
);
