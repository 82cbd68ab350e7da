//! Signing in: Argon2id passwords and throttling by source address and login (never a lockout),
//! on both databases; people, delegations and applications of an operator.

#![allow(clippy::unwrap_used)]

use chrono::{Duration, SubsecRound, Utc};
use persus_domain::acesso::Escopo;
use persus_server::cli::load_reference_data;
use persus_server::demo::credenciais;
use persus_server::servicos::entrada::{
    entrar, espera_apos, Entrada, Origem, Tentativa, JANELA, LIMITE_ORIGEM, LIMITE_PAR,
};
use persus_store::{contas, db_test, Db};

fn recusada(e: Entrada) -> String {
    match e {
        Entrada::Recusada { mensagem } => mensagem,
        outra => panic!("expected a refusal, got {outra:?}"),
    }
}

fn adiada(e: Entrada) -> Duration {
    match e {
        Entrada::Adiada { espera, mensagem } => {
            assert!(mensagem.contains("aguarde"), "{mensagem}");
            espera
        }
        outra => panic!("expected a wait, got {outra:?}"),
    }
}

fn aceita(e: Entrada) {
    assert!(matches!(e, Entrada::Aceita(_)), "{e:?}");
}

fn origem(ip: &str) -> Origem {
    Origem::de(Some(ip.parse().unwrap()))
}

/// One attempt from `de` at `em`.
async fn tentar(
    db: &Db,
    login: &str,
    senha: &str,
    de: &Origem,
    em: chrono::DateTime<Utc>,
) -> Entrada {
    let t = Tentativa {
        login,
        senha,
        origem: de,
        request_id: None,
    };
    entrar(db, &t, em).await.unwrap()
}

db_test!(
    senha_certa_entra_erros_de_uma_origem_esperam_e_ninguem_bloqueia_a_pessoa,
    |db| {
        load_reference_data(&db).await.unwrap();
        credenciais::criar(&db).await.unwrap();
        // Whole seconds: PostgreSQL keeps microseconds, and the waits are compared exactly.
        let t0 = Utc::now().trunc_subsecs(0);
        let s = Duration::seconds;
        // Stored as Argon2id, never in clear.
        let u = contas::usuario(&db, "rep.368253").await.unwrap().unwrap();
        assert!(u.senha_hash.starts_with("$argon2id$"), "{}", u.senha_hash);
        assert!(!u.senha_hash.contains("demo"));

        let (a, b) = (origem("203.0.113.7"), origem("198.51.100.9"));
        aceita(tentar(&db, "rep.368253", "demo", &a, t0).await);
        // Unknown login and wrong password read the same.
        let x = recusada(tentar(&db, "nao.existe", "demo", &a, t0).await);
        let y = recusada(tentar(&db, "rep.368253", "errada", &a, t0).await);
        assert_eq!(x, y);
        assert_eq!(x, "login ou senha inválidos");
        for _ in 1..LIMITE_PAR {
            recusada(tentar(&db, "rep.368253", "errada", &a, t0).await);
        }
        // From A, this login now waits — even with the right password.
        let primeira = espera_apos(LIMITE_PAR, LIMITE_PAR);
        assert_eq!(primeira, s(8));
        assert_eq!(
            adiada(tentar(&db, "rep.368253", "demo", &a, t0 + s(1)).await),
            primeira - s(1)
        );
        // From B the person signs in at once.
        aceita(tentar(&db, "rep.368253", "demo", &b, t0 + s(1)).await);
        // After the wait A may try again; another failure doubles the wait.
        let t1 = t0 + primeira;
        recusada(tentar(&db, "rep.368253", "errada", &a, t1).await);
        let segunda = espera_apos(LIMITE_PAR + 1, LIMITE_PAR);
        assert_eq!(segunda, s(16));
        assert_eq!(
            adiada(tentar(&db, "rep.368253", "demo", &a, t1 + s(1)).await),
            segunda - s(1)
        );
        // A success from A starts A over for this login: one failure does not make it wait.
        let t2 = t1 + segunda;
        aceita(tentar(&db, "rep.368253", "demo", &a, t2).await);
        recusada(tentar(&db, "rep.368253", "errada", &a, t2).await);
        aceita(tentar(&db, "rep.368253", "demo", &a, t2).await);
        // A login that does not exist is throttled the same way: the wait tells nothing.
        for _ in 1..LIMITE_PAR {
            recusada(tentar(&db, "nao.existe", "errada", &a, t2).await);
        }
        assert_eq!(
            adiada(tentar(&db, "nao.existe", "errada", &a, t2).await),
            primeira
        );

        // One source trying many logins waits for all of them; another source does not.
        let c = origem("192.0.2.50");
        for i in 0..LIMITE_ORIGEM {
            recusada(tentar(&db, &format!("chute.{i}"), "errada", &c, t0).await);
        }
        adiada(tentar(&db, "rep.326305", "demo", &c, t0).await);
        adiada(tentar(&db, "chute.novo", "errada", &c, t0).await);
        aceita(tentar(&db, "rep.326305", "demo", &b, t0).await);
        // An hour without attempts and the source starts over.
        aceita(tentar(&db, "rep.326305", "demo", &c, t0 + JANELA + s(1)).await);

        // No number of failures from elsewhere locks ANS staff out.
        for i in 0..10 {
            let de = origem(&format!("203.0.113.{}", 100 + i));
            for _ in 0..LIMITE_PAR + 2 {
                tentar(&db, "ans.admin", "errada", &de, t0).await;
            }
        }
        aceita(tentar(&db, "ans.admin", "demo", &origem("198.51.100.77"), t0).await);
        // An IPv6 client is counted by its /64: changing the interface id does not help.
        for i in 0..LIMITE_PAR {
            let de = origem(&format!("2001:db8:7:7::{i}"));
            recusada(tentar(&db, "rep.368253", "errada", &de, t0).await);
        }
        adiada(tentar(&db, "rep.368253", "demo", &origem("2001:db8:7:7::99"), t0).await);
    }
);

use persus_server::servicos::aplicacoes;
use persus_server::servicos::ServicoError;

/// The message of a refusal: a rule, invalid input, not found or forbidden.
fn regra<T: std::fmt::Debug>(r: Result<T, ServicoError>) -> String {
    match r {
        Err(
            e @ (ServicoError::Regra(_)
            | ServicoError::Invalido(_)
            | ServicoError::NaoEncontrado(_)
            | ServicoError::Proibido(_)),
        ) => e.to_string(),
        other => panic!("expected a refusal, got {other:?}"),
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
        assert!(e.contains("não existe"), "{e}");

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
                .contains("não existe")
        );
        // Every step is in the audit trail.
        assert!(matches!(
            persus_store::auditoria::verificar(&db).await.unwrap(),
            persus_store::auditoria::Verificacao::Integra { eventos } if eventos >= 3
        ));
    }
);

use persus_server::servicos::contas::{
    criar_usuario, delegar, permissoes, revogar_delegacao, NovaPessoa,
};

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
                    estado: persus_store::abis::EstadoAbi::Agendado,
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
            &NovaPessoa {
                login: "ana.hap",
                nome: "Ana",
                papel: "usuario",
                permissoes: &s(&["consulta"]),
                senha: "senha-longa-123",
            },
            agora,
        )
        .await
        .unwrap();
        assert_eq!(
            permissoes(&db, "ana.hap", "368253", None, agora)
                .await
                .unwrap(),
            [Escopo::Consulta]
        );
        let e = regra(
            criar_usuario(
                &db,
                "ana.hap",
                &NovaPessoa {
                    login: "bob",
                    nome: "Bob",
                    papel: "usuario",
                    permissoes: &s(&["consulta"]),
                    senha: "senha-longa-123",
                },
                agora,
            )
            .await,
        );
        assert!(e.contains("representante legal ou o gestor"), "{e}");
        let e = regra(
            criar_usuario(
                &db,
                "rep.368253",
                &NovaPessoa {
                    login: "x y",
                    nome: "X",
                    papel: "dono",
                    permissoes: &s(&["tudo"]),
                    senha: "curta",
                },
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
                &NovaPessoa {
                    login: "ana.hap",
                    nome: "Ana",
                    papel: "usuario",
                    permissoes: &s(&["consulta"]),
                    senha: "senha-longa-123"
                },
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
            [Escopo::Peticionar]
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
            [Escopo::Consulta, Escopo::Peticionar, Escopo::Financeiro]
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
        assert!(regra(revogar_delegacao(&db, "rep.326305", id, agora).await).contains("não existe"));
        revogar_delegacao(&db, "rep.368253", id, agora)
            .await
            .unwrap();
        assert!(permissoes(&db, "rep.326305", "368253", Some(p1.id), agora)
            .await
            .unwrap()
            .is_empty());
        assert!(regra(revogar_delegacao(&db, "rep.368253", id, agora).await)
            .contains("ativa não existe"));

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
            [Escopo::Consulta, Escopo::Financeiro]
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
