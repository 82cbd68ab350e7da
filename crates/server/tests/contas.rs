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
