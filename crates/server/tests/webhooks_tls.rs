//! Webhook delivery over HTTPS (rustls): to a receiver with a certificate the client trusts the
//! message arrives signed; to one it does not trust, delivery fails with the certificate error
//! in the delivery log and is retried later. On both databases; the receiver is on loopback, so
//! homologação with `--webhook-permitir-loopback` said explicitly.

#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};

use http_body_util::BodyExt;
use persus_server::cli::load_reference_data;
use persus_server::config::Ambiente;
use persus_server::demo::credenciais;
use persus_server::servicos::destinos::Politica;
use persus_server::servicos::webhooks::{
    assinar, assinar_eventos, cliente, despachar_com, enviar_teste,
};
use persus_store::{contas, db_test};

type Recebidos = Arc<Mutex<Vec<(String, String, String)>>>;

/// A TLS receiver for `localhost` with a fresh self-signed certificate; returns its URL, the
/// certificate (PEM) and what it received (webhook-id, webhook-signature, body).
async fn receptor_tls() -> (String, String, Recebidos) {
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let pem = cert.cert.pem();
    let chave = rustls::pki_types::PrivateKeyDer::Pkcs8(cert.key_pair.serialize_der().into());
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![cert.cert.der().clone()], chave)
    .unwrap();
    let aceitador = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let porta = l.local_addr().unwrap().port();
    let recebidos: Recebidos = Arc::default();
    let r = recebidos.clone();
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = l.accept().await else {
                break;
            };
            let aceitador = aceitador.clone();
            let r = r.clone();
            tokio::spawn(async move {
                let Ok(tls) = aceitador.accept(tcp).await else {
                    return;
                };
                let servico = hyper::service::service_fn(
                    move |req: hyper::Request<hyper::body::Incoming>| {
                        let r = r.clone();
                        async move {
                            let h = |k: &str| {
                                req.headers()
                                    .get(k)
                                    .and_then(|v| v.to_str().ok())
                                    .unwrap_or("")
                                    .to_owned()
                            };
                            let (id, assinatura) = (h("webhook-id"), h("webhook-signature"));
                            let corpo = req.into_body().collect().await.unwrap().to_bytes();
                            r.lock().unwrap().push((
                                id,
                                assinatura,
                                String::from_utf8_lossy(&corpo).into_owned(),
                            ));
                            Ok::<_, std::convert::Infallible>(
                                hyper::Response::builder()
                                    .status(204)
                                    .body(http_body_util::Empty::<bytes::Bytes>::new())
                                    .unwrap(),
                            )
                        }
                    },
                );
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(tls), servico)
                    .await;
            });
        }
    });
    (format!("https://localhost:{porta}/ganchos"), pem, recebidos)
}

db_test!(
    webhook_entregue_por_https_e_recusado_sem_confianca_no_certificado,
    |db| {
        load_reference_data(&db).await.unwrap();
        credenciais::criar(&db).await.unwrap();
        let app = contas::aplicacao_por_client_id(&db, "demo-368253")
            .await
            .unwrap()
            .unwrap();
        let (url, pem, recebidos) = receptor_tls().await;
        let loopback = Politica::new(Ambiente::Homologacao, true);
        let persus_server::servicos::webhooks::Assinada { id, segredo, .. } = assinar_eventos(
            &db,
            app.id,
            &url,
            &["teste".to_owned()],
            chrono::Utc::now(),
            loopback,
        )
        .await
        .unwrap();

        // A client that does not trust the receiver's certificate: not delivered, retried, and the
        // delivery log says why.
        let msg = enviar_teste(&db, id, chrono::Utc::now()).await.unwrap();
        let sem_confianca = cliente(None).unwrap();
        let r = despachar_com(&db, chrono::Utc::now(), &sem_confianca, loopback)
            .await
            .unwrap();
        assert_eq!((r.entregues, r.reagendadas), (0, 1), "{r:?}");
        let log = persus_store::webhooks::entregas(&db, id, 10).await.unwrap();
        let erro = log[0].ultimo_erro.clone().unwrap_or_default();
        assert!(erro.contains("certificado do destino"), "{erro}");
        assert!(recebidos.lock().unwrap().is_empty());

        // Trusting it (a homologação receiver behind a private CA): delivered over TLS, signed.
        let confia = cliente(Some(pem.as_bytes())).unwrap();
        let msg2 = enviar_teste(&db, id, chrono::Utc::now()).await.unwrap();
        let r = despachar_com(&db, chrono::Utc::now(), &confia, loopback)
            .await
            .unwrap();
        assert_eq!(r.entregues, 1, "{r:?}");
        let chegou = recebidos.lock().unwrap().clone();
        assert_eq!(chegou.len(), 1);
        let (mid, assinatura, corpo) = &chegou[0];
        assert_eq!(mid, &msg2);
        assert_ne!(mid, &msg, "the first message waits for its retry");
        // The signature verifies with the subscription's secret (any timestamp the header carried
        // is re-derived: check the v1 prefix and recompute over the received id and body).
        assert!(assinatura.starts_with("v1,"), "{assinatura}");
        let ok = (chrono::Utc::now().timestamp() - 30..=chrono::Utc::now().timestamp())
            .any(|ts| &assinar(&segredo, mid, ts, corpo) == assinatura);
        assert!(ok, "signature does not verify");
        // A bad PEM is refused with a reason.
        assert!(cliente(Some(
            b"-----BEGIN CERTIFICATE-----\nnao-e-base64\n-----END CERTIFICATE-----\n"
        ))
        .is_err());
    }
);
