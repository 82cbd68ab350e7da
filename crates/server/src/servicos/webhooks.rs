//! Webhook delivery (Standard Webhooks): events leave the outbox as one message per
//! subscription, signed with HMAC-SHA256 over `id.timestamp.body`, POSTed with the
//! `webhook-id`, `webhook-timestamp` and `webhook-signature` headers, retried with backoff until
//! a 2xx answer or [`ATRASOS`] run out. Every attempt is in the delivery log.
//!
//! Destinations are checked ([`super::destinos`]) at registration and at every delivery: the
//! name is resolved here, every address checked, and the connection made to a checked address
//! (the URL's host still in `Host` and in TLS's SNI). One connection per message, HTTP/1.1, no
//! redirect followed, only the status line and headers read.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use http_body_util::Full;
use hyper_util::rt::TokioIo;
use persus_domain::cobranca::estados::EstadoEntrega;
use persus_domain::eventos::TipoEvento;
use persus_store::webhooks as store;
use persus_store::Db;
use serde::Serialize;
use sha2::Sha256;

use super::destinos::{self, Politica};
use super::ServicoError;

/// Wait before each retry (after the 1st, 2nd, … failure); then the message is failed.
pub const ATRASOS: [i64; 6] = [5, 300, 1_800, 7_200, 18_000, 36_000];

/// To resolve the name and to connect (TCP and the TLS handshake).
pub const TEMPO_CONEXAO: Duration = Duration::from_secs(5);
/// From the request sent to the response's status line and headers.
pub const TEMPO_RESPOSTA: Duration = Duration::from_secs(10);
/// The most of a response's head (status line and headers) read.
const CABECALHO_MAXIMO: usize = 16 * 1024;

/// `whsec_` + base64 of 32 random bytes.
pub fn novo_segredo() -> String {
    let mut b = [0u8; 32];
    // See auth::aleatorio: without the OS generator no secret can be issued safely.
    if getrandom::getrandom(&mut b).is_err() {
        return String::new();
    }
    format!(
        "whsec_{}",
        base64::engine::general_purpose::STANDARD.encode(b)
    )
}

/// Every event type's code, for a message that lists them.
fn codigos() -> String {
    TipoEvento::TODOS
        .iter()
        .map(|t| t.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A subscription as made: its id, its signing secret (shown once) and its event types.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assinada {
    pub id: i64,
    pub segredo: String,
    pub eventos: Vec<TipoEvento>,
}

/// Subscribes `url` to `eventos` (codes, as a client sends them; repeated ones count once) for
/// an application; every reason at once when refused (the destination checked against
/// `politica`, for the API, the web and any other caller alike).
pub async fn assinar_eventos(
    db: &persus_store::Db,
    aplicacao_id: i64,
    url: &str,
    eventos: &[String],
    agora: DateTime<Utc>,
    politica: Politica,
) -> Result<Assinada, super::ServicoError> {
    let mut erros = Vec::new();
    let url = url.trim();
    if let Err(e) = destinos::conferir_registro(url, politica).await {
        erros.push(super::CampoInvalido::new("url", e.to_string()));
    }
    if eventos.is_empty() {
        erros.push(super::CampoInvalido::new(
            "eventos",
            format!("informe ao menos um evento: {}", codigos()),
        ));
    }
    let mut tipos = Vec::new();
    for e in eventos {
        match TipoEvento::parse(e) {
            Some(t) if !tipos.contains(&t) => tipos.push(t),
            Some(_) => {}
            None => erros.push(super::CampoInvalido::new(
                "eventos",
                format!("evento \"{e}\" não existe: use {}", codigos()),
            )),
        }
    }
    if !erros.is_empty() {
        return Err(super::ServicoError::Invalido(erros));
    }
    let segredo = novo_segredo();
    let id = persus_store::webhooks::criar(db, aplicacao_id, url, &segredo, &tipos, agora).await?;
    Ok(Assinada {
        id,
        segredo,
        eventos: tipos,
    })
}

/// What a message pending at its subscription's cancellation says in the delivery log.
pub const MOTIVO_CANCELAMENTO: &str = "assinatura cancelada antes da entrega; mensagem não enviada";

/// Cancels an application's active subscription: nothing more is sent to it, its pending
/// messages are marked cancelled, its delivery log stays readable. False when there is no such
/// active subscription.
pub async fn cancelar(
    db: &Db,
    webhook_id: i64,
    aplicacao_id: i64,
    agora: DateTime<Utc>,
) -> Result<bool, ServicoError> {
    Ok(
        store::cancelar(db, webhook_id, aplicacao_id, MOTIVO_CANCELAMENTO, agora)
            .await?
            .is_some(),
    )
}

/// Queues a test event to one subscription (its `dados`: the subscription's id); returns the
/// message id.
pub async fn enviar_teste(
    db: &persus_store::Db,
    webhook_id: i64,
    agora: DateTime<Utc>,
) -> Result<String, super::ServicoError> {
    let mensagem_id = crate::auth::aleatorio("msg_teste_");
    let corpo = store::mensagem(
        TipoEvento::Teste,
        agora,
        &serde_json::json!({ "webhook": webhook_id }),
    );
    store::enfileirar(
        db,
        webhook_id,
        &mensagem_id,
        TipoEvento::Teste,
        &corpo,
        agora,
    )
    .await?;
    Ok(mensagem_id)
}

/// `v1,<base64 HMAC-SHA256(key, "{id}.{timestamp}.{body}")>`, the key being the base64 after
/// `whsec_` (Standard Webhooks).
pub fn assinar(segredo: &str, id: &str, timestamp: i64, corpo: &str) -> String {
    let chave = base64::engine::general_purpose::STANDARD
        .decode(segredo.trim_start_matches("whsec_"))
        .unwrap_or_default();
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&chave) else {
        return String::new();
    };
    mac.update(format!("{id}.{timestamp}.{corpo}").as_bytes());
    format!(
        "v1,{}",
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    )
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ResumoDespacho {
    pub eventos_distribuidos: usize,
    pub entregues: usize,
    pub reagendadas: usize,
    pub falhas: usize,
}

/// The delivery client: HTTP/1.1 over plain HTTP or HTTPS (rustls with the `ring` provider,
/// TLS 1.2/1.3, Mozilla's root certificates from `webpki-roots`), with its time limits.
#[derive(Clone)]
pub struct ClienteWebhook {
    tls: tokio_rustls::TlsConnector,
    /// Resolving the name, then TCP and the TLS handshake.
    pub tempo_conexao: Duration,
    /// The request sent and the response's head received.
    pub tempo_resposta: Duration,
}

/// Builds the delivery client; `extra_pem` adds certificates to trust (a homologação receiver
/// behind a private CA: `PERSUS_WEBHOOK_CA` names such a PEM file).
pub fn cliente(extra_pem: Option<&[u8]>) -> Result<ClienteWebhook, String> {
    use rustls::pki_types::pem::PemObject;
    let mut raizes = rustls::RootCertStore::empty();
    raizes.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(pem) = extra_pem {
        for c in rustls::pki_types::CertificateDer::pem_slice_iter(pem) {
            let c = c.map_err(|e| format!("certificado PEM ilegível: {e}"))?;
            raizes
                .add(c)
                .map_err(|e| format!("certificado recusado: {e}"))?;
        }
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| e.to_string())?
    .with_root_certificates(raizes)
    .with_no_client_auth();
    Ok(ClienteWebhook {
        tls: tokio_rustls::TlsConnector::from(Arc::new(config)),
        tempo_conexao: TEMPO_CONEXAO,
        tempo_resposta: TEMPO_RESPOSTA,
    })
}

/// The process's delivery client, built once (with `PERSUS_WEBHOOK_CA` when set).
fn cliente_padrao() -> Result<&'static ClienteWebhook, ServicoError> {
    static CLIENTE: std::sync::OnceLock<Result<ClienteWebhook, String>> =
        std::sync::OnceLock::new();
    CLIENTE
        .get_or_init(|| {
            let extra = std::env::var_os("PERSUS_WEBHOOK_CA")
                .map(std::fs::read)
                .transpose();
            match extra {
                Ok(pem) => cliente(pem.as_deref()),
                Err(e) => Err(format!("PERSUS_WEBHOOK_CA ilegível: {e}")),
            }
        })
        .as_ref()
        .map_err(|e| ServicoError::Regra(e.clone()))
}

/// The first of the (checked) addresses that accepts a connection.
async fn conectar(enderecos: &[SocketAddr]) -> Result<tokio::net::TcpStream, String> {
    let mut ultimo = String::from("nenhum endereço");
    for a in enderecos {
        match tokio::net::TcpStream::connect(a).await {
            Ok(s) => return Ok(s),
            Err(e) => ultimo = format!("{a}: {}", falha_de_rede(&e)),
        }
    }
    Err(format!("falha de conexão: {ultimo}"))
}

/// Sends `pedido` on `io` and returns the status once the response's head arrived; the body
/// is not read and the connection is closed.
async fn enviar<I>(io: I, pedido: hyper::Request<Full<bytes::Bytes>>) -> Result<u16, String>
where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let (mut envio, conexao) = hyper::client::conn::http1::Builder::new()
        .max_buf_size(CABECALHO_MAXIMO)
        .handshake(TokioIo::new(io))
        .await
        .map_err(|e| format!("falha de conexão: {}", falha_http(&e)))?;
    let resposta = envio.send_request(pedido);
    tokio::pin!(resposta, conexao);
    let r = tokio::select! {
        biased;
        r = &mut resposta => r,
        // The connection ended first: the response (or the reason) is in the request's future.
        _ = &mut conexao => resposta.await,
    };
    r.map(|r| r.status().as_u16())
        .map_err(|e| format!("falha na resposta: {}", falha_http(&e)))
}

/// One attempt: check the destination, resolve and check its addresses, connect to one of them,
/// POST. `Ok(status)` when an answer came; `Err(reason)` (pt-BR) otherwise.
async fn tentar(
    cliente: &ClienteWebhook,
    politica: Politica,
    p: &store::Pendente,
    agora: DateTime<Utc>,
) -> Result<u16, String> {
    let destino = destinos::analisar(&p.url, politica).map_err(|e| e.to_string())?;
    let limite = cliente.tempo_conexao;
    let conexao = async {
        let enderecos = destinos::enderecos(&destino, politica, limite)
            .await
            .map_err(|e| e.to_string())?;
        conectar(&enderecos).await
    };
    let tcp = tokio::time::timeout(limite, conexao)
        .await
        .map_err(|_| format!("sem conexão em {} s", limite.as_secs()))??;
    let ts = agora.timestamp();
    let pedido = hyper::Request::post(destino.caminho.as_str())
        .header(hyper::header::HOST, destino.autoridade.as_str())
        .header("content-type", "application/json")
        .header("user-agent", "persus-webhooks")
        .header("webhook-id", &p.mensagem_id)
        .header("webhook-timestamp", ts.to_string())
        .header(
            "webhook-signature",
            assinar(&p.segredo, &p.mensagem_id, ts, &p.corpo),
        )
        .body(Full::new(bytes::Bytes::from(p.corpo.clone())))
        .map_err(|_| "URL inválida".to_owned())?;
    if !destino.https {
        return tokio::time::timeout(cliente.tempo_resposta, enviar(tcp, pedido))
            .await
            .map_err(|_| format!("sem resposta em {} s", cliente.tempo_resposta.as_secs()))?;
    }
    let nome = match &destino.host {
        url::Host::Domain(d) => rustls::pki_types::ServerName::try_from(d.clone())
            .map_err(|_| "nome inválido para TLS".to_owned())?,
        url::Host::Ipv4(ip) => rustls::pki_types::ServerName::IpAddress((*ip).into()),
        url::Host::Ipv6(ip) => rustls::pki_types::ServerName::IpAddress((*ip).into()),
    };
    let tls = tokio::time::timeout(limite, cliente.tls.connect(nome, tcp))
        .await
        .map_err(|_| format!("sem conexão em {} s", limite.as_secs()))?
        .map_err(|e| format!("falha de TLS: {}", falha_de_tls(&e)))?;
    tokio::time::timeout(cliente.tempo_resposta, enviar(tls, pedido))
        .await
        .map_err(|_| format!("sem resposta em {} s", cliente.tempo_resposta.as_secs()))?
}

/// Why a connection failed, in pt-BR (the delivery log is read by people; the library's
/// English text never reaches it).
fn falha_de_rede(e: &std::io::Error) -> &'static str {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::ConnectionRefused => "conexão recusada pelo destino",
        K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe => {
            "conexão interrompida pelo destino"
        }
        K::TimedOut => "tempo de conexão esgotado",
        K::HostUnreachable | K::NetworkUnreachable => "destino inalcançável pela rede",
        K::UnexpectedEof => "o destino fechou a conexão",
        _ => "erro de rede",
    }
}

/// Why the TLS handshake failed, in pt-BR: the certificate's problem when it is one.
fn falha_de_tls(e: &std::io::Error) -> &'static str {
    use rustls::CertificateError as C;
    match e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()) {
        Some(rustls::Error::InvalidCertificate(c)) => match c {
            C::Expired => "certificado do destino expirado",
            C::UnknownIssuer => {
                "certificado do destino não emitido por autoridade confiável (autoassinado ou de AC privada)"
            }
            C::NotValidForName => "certificado do destino não vale para este nome",
            C::Revoked => "certificado do destino revogado",
            _ => "certificado do destino recusado",
        },
        Some(_) => "negociação segura recusada pelo destino",
        None => falha_de_rede(e),
    }
}

/// Why an HTTP exchange failed, in pt-BR.
fn falha_http(e: &hyper::Error) -> &'static str {
    if e.is_parse_too_large() {
        "cabeçalho da resposta grande demais"
    } else if e.is_parse() || e.is_parse_status() {
        "resposta HTTP ilegível"
    } else if e.is_incomplete_message() || e.is_closed() || e.is_canceled() {
        "o destino fechou a conexão sem responder"
    } else if e.is_timeout() {
        "tempo de resposta esgotado"
    } else {
        "erro no protocolo HTTP"
    }
}

/// One round: fan out the outbox, then try every delivery that is due, to destinations
/// `politica` allows.
pub async fn despachar(
    db: &Db,
    agora: DateTime<Utc>,
    politica: Politica,
) -> Result<ResumoDespacho, ServicoError> {
    despachar_com(db, agora, cliente_padrao()?, politica).await
}

/// As [`despachar`], with a given client.
pub async fn despachar_com(
    db: &Db,
    agora: DateTime<Utc>,
    cliente: &ClienteWebhook,
    politica: Politica,
) -> Result<ResumoDespacho, ServicoError> {
    let mut r = ResumoDespacho {
        eventos_distribuidos: store::distribuir(db, agora).await?,
        ..Default::default()
    };
    for p in store::pendentes(db, agora, 200).await? {
        let resultado = tentar(cliente, politica, &p, agora).await;
        match resultado {
            Ok(status) if (200..300).contains(&status) => {
                store::registrar_tentativa(
                    db,
                    p.id,
                    EstadoEntrega::Entregue,
                    Some(i32::from(status)),
                    None,
                    agora,
                    agora,
                )
                .await?;
                r.entregues += 1;
            }
            outro => {
                let (status, erro) = match outro {
                    Ok(s) => (Some(i32::from(s)), format!("resposta HTTP {s}")),
                    Err(e) => (None, e),
                };
                let tentativa = usize::try_from(p.tentativas).unwrap_or(0);
                match ATRASOS.get(tentativa) {
                    Some(segundos) => {
                        let proxima = agora + chrono::Duration::seconds(*segundos);
                        store::registrar_tentativa(
                            db,
                            p.id,
                            EstadoEntrega::Pendente,
                            status,
                            Some(&erro),
                            proxima,
                            agora,
                        )
                        .await?;
                        r.reagendadas += 1;
                    }
                    None => {
                        store::registrar_tentativa(
                            db,
                            p.id,
                            EstadoEntrega::Falhou,
                            status,
                            Some(&erro),
                            agora,
                            agora,
                        )
                        .await?;
                        r.falhas += 1;
                    }
                }
            }
        }
    }
    Ok(r)
}
