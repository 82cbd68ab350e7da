//! Webhook delivery to checked destinations (issue #11): a destination refused at delivery —
//! after resolving its name, as against DNS rebinding — is a failed attempt and never a
//! connection; every delivery is bounded (time to answer, no redirect followed, the body not
//! read, a small head). On both databases. (Refusal at registration: `webhooks.rs`.)

#![allow(clippy::unwrap_used)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use persus_server::cli::load_reference_data;
use persus_server::config::Ambiente;
use persus_server::demo::credenciais;
use persus_server::servicos::destinos::Politica;
use persus_server::servicos::webhooks::{assinar_eventos, cliente, despachar_com, enviar_teste};
use persus_store::{contas, db_test, Db};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const LOOPBACK: Politica = Politica {
    ambiente: Ambiente::Homologacao,
    permitir_loopback: true,
};
const HOMOLOGACAO: Politica = Politica {
    ambiente: Ambiente::Homologacao,
    permitir_loopback: false,
};
const PRODUCAO: Politica = Politica {
    ambiente: Ambiente::Producao,
    permitir_loopback: false,
};

/// Hapvida's demo application id.
async fn preparado(db: &Db) -> i64 {
    load_reference_data(db).await.unwrap();
    credenciais::criar(db).await.unwrap();
    contas::aplicacao_por_client_id(db, "demo-368253")
        .await
        .unwrap()
        .unwrap()
        .id
}

#[derive(Clone)]
enum Comportamento {
    /// Writes these bytes once the request's head arrived, then closes.
    Responde(String),
    /// Never answers.
    Mudo,
    /// 200 with a chunked body that never ends.
    CorpoSemFim,
}

/// A raw HTTP receiver on loopback: its port and how many connections it accepted.
async fn receptor(c: Comportamento) -> (u16, Arc<AtomicUsize>) {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let porta = l.local_addr().unwrap().port();
    let conexoes = Arc::new(AtomicUsize::new(0));
    let n = conexoes.clone();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = l.accept().await {
            n.fetch_add(1, Ordering::SeqCst);
            let c = c.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 16 * 1024];
                let mut lido = Vec::new();
                while !lido.windows(4).any(|w| w == b"\r\n\r\n") {
                    match s.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(k) => lido.extend_from_slice(&buf[..k]),
                    }
                }
                match c {
                    Comportamento::Responde(r) => {
                        let _ = s.write_all(r.as_bytes()).await;
                    }
                    Comportamento::Mudo => tokio::time::sleep(Duration::from_secs(60)).await,
                    Comportamento::CorpoSemFim => {
                        let cabeca = "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n";
                        let pedaco = format!("2000\r\n{}\r\n", "x".repeat(0x2000));
                        if s.write_all(cabeca.as_bytes()).await.is_err() {
                            return;
                        }
                        while s.write_all(pedaco.as_bytes()).await.is_ok() {}
                    }
                }
            });
        }
    });
    (porta, conexoes)
}

fn sem_conteudo() -> Comportamento {
    Comportamento::Responde("HTTP/1.1 204 No Content\r\n\r\n".to_owned())
}

async fn ultimo_erro(db: &Db, webhook: i64) -> (String, Option<i32>, String) {
    let log = persus_store::webhooks::entregas(db, webhook, 10)
        .await
        .unwrap();
    (
        log[0].estado.as_str().to_owned(),
        log[0].ultimo_status,
        log[0].ultimo_erro.clone().unwrap_or_default(),
    )
}

db_test!(
    nome_que_resolve_para_loopback_e_recusado_na_entrega_sem_conexao,
    |db| {
        let app_id = preparado(&db).await;
        let (porta, conexoes) = receptor(sem_conteudo()).await;
        let c = cliente(None).unwrap();
        let eventos = ["teste".to_owned()];
        let agora = chrono::Utc::now();
        // Registered while loopback was allowed; the name now resolves to loopback at delivery
        // on a server that does not allow it (as a rebinding name would).
        let url = format!("https://localhost:{porta}/ok");
        let id = assinar_eventos(&db, app_id, &url, &eventos, agora, LOOPBACK)
            .await
            .unwrap()
            .id;
        enviar_teste(&db, id, agora).await.unwrap();
        let r = despachar_com(&db, agora, &c, HOMOLOGACAO).await.unwrap();
        assert_eq!((r.entregues, r.reagendadas), (0, 1), "{r:?}");
        let (estado, status, erro) = ultimo_erro(&db, id).await;
        assert_eq!((estado.as_str(), status), ("pendente", None));
        assert!(
            erro.starts_with("o destino resolve para um endereço de loopback ("),
            "{erro}"
        );
        assert_eq!(conexoes.load(Ordering::SeqCst), 0, "it must never connect");

        // A literal loopback address, and plain http, on a production server: refused too.
        let lit = assinar_eventos(
            &db,
            app_id,
            &format!("http://127.0.0.1:{porta}/ok"),
            &eventos,
            agora,
            LOOPBACK,
        )
        .await
        .unwrap()
        .id;
        enviar_teste(&db, lit, agora).await.unwrap();
        let r = despachar_com(&db, agora, &c, PRODUCAO).await.unwrap();
        assert_eq!(r.entregues, 0, "{r:?}");
        let (_, _, erro) = ultimo_erro(&db, lit).await;
        assert!(erro.contains("use https://"), "{erro}");
        assert_eq!(conexoes.load(Ordering::SeqCst), 0, "it must never connect");

        // Once loopback is allowed again both connect (the https one then fails its TLS handshake
        // with this plain receiver): the policy was the only obstacle.
        let depois = agora + chrono::Duration::minutes(10);
        let r = despachar_com(&db, depois, &c, LOOPBACK).await.unwrap();
        assert_eq!((r.entregues, r.reagendadas), (1, 1), "{r:?}");
        assert_eq!(conexoes.load(Ordering::SeqCst), 2);
    }
);

db_test!(
    entrega_tem_prazo_nao_segue_redirecionamento_nem_le_o_corpo,
    |db| {
        let app_id = preparado(&db).await;
        let mut c = cliente(None).unwrap();
        c.tempo_resposta = Duration::from_secs(1);
        let eventos = ["teste".to_owned()];
        let agora = chrono::Utc::now();
        let (alvo, chegou_ao_alvo) = receptor(sem_conteudo()).await;
        let redirecao = format!(
            "HTTP/1.1 302 Found\r\nlocation: http://127.0.0.1:{alvo}/ok\r\ncontent-length: 0\r\n\r\n"
        );
        let cabeca_enorme = format!(
            "HTTP/1.1 204 No Content\r\nx-enchimento: {}\r\n\r\n",
            "a".repeat(64 * 1024)
        );
        let mut ganchos = Vec::new();
        for comportamento in [
            Comportamento::Mudo,
            Comportamento::Responde(redirecao),
            Comportamento::CorpoSemFim,
            Comportamento::Responde(cabeca_enorme),
        ] {
            let (porta, _) = receptor(comportamento).await;
            let url = format!("http://127.0.0.1:{porta}/ganchos");
            let id = assinar_eventos(&db, app_id, &url, &eventos, agora, LOOPBACK)
                .await
                .unwrap()
                .id;
            enviar_teste(&db, id, agora).await.unwrap();
            ganchos.push(id);
        }
        let inicio = Instant::now();
        let r = despachar_com(&db, agora, &c, LOOPBACK).await.unwrap();
        assert!(
            inicio.elapsed() < Duration::from_secs(8),
            "{:?}",
            inicio.elapsed()
        );
        assert_eq!((r.entregues, r.reagendadas), (1, 3), "{r:?}");

        // No answer within the limit: a failed attempt, retried later.
        let (estado, _, erro) = ultimo_erro(&db, ganchos[0]).await;
        assert_eq!(
            (estado.as_str(), erro.as_str()),
            ("pendente", "sem resposta em 1 s")
        );
        // A redirect is an answer that is not 2xx; it is not followed.
        let (_, status, erro) = ultimo_erro(&db, ganchos[1]).await;
        assert_eq!((status, erro.as_str()), (Some(302), "resposta HTTP 302"));
        assert_eq!(chegou_ao_alvo.load(Ordering::SeqCst), 0);
        // A 200 whose body never ends is delivered: the body is not read.
        let (estado, status, _) = ultimo_erro(&db, ganchos[2]).await;
        assert_eq!((estado.as_str(), status), ("entregue", Some(200)));
        // A response head larger than the limit is refused, not buffered.
        let (estado, status, erro) = ultimo_erro(&db, ganchos[3]).await;
        assert_eq!((estado.as_str(), status), ("pendente", None));
        assert!(erro.starts_with("falha na resposta"), "{erro}");
    }
);
