//! Where webhooks may be delivered (issue #11): a subscription's URL is checked when it is
//! registered and again at every delivery, after resolving its name, so a receiver cannot point
//! the server at itself, at the cloud's metadata address or at the internal network — not even
//! by answering DNS differently later (rebinding): delivery connects only to the addresses that
//! were checked.
//!
//! Refused everywhere: loopback, link-local, private (RFC 1918, CGNAT 100.64.0.0/10, fc00::/7),
//! multicast, unspecified, broadcast, documentation, benchmark and other reserved ranges, and
//! those embedded in IPv6 (IPv4-mapped, IPv4-compatible, NAT64, 6to4); `http://`. Homologação
//! accepts loopback and `http://` only when the operator of the server says so explicitly
//! ([`Politica::permitir_loopback`]) — that is how tests reach a local receiver.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use crate::config::Ambiente;

/// The rules of this server for webhook destinations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Politica {
    pub ambiente: Ambiente,
    /// `--webhook-permitir-loopback`: in homologação, accept loopback addresses and `http://`.
    /// Ignored in produção.
    pub permitir_loopback: bool,
}

impl Politica {
    pub fn new(ambiente: Ambiente, permitir_loopback: bool) -> Politica {
        Politica {
            ambiente,
            permitir_loopback,
        }
    }

    /// Loopback (and plain HTTP) accepted: homologação with the explicit setting only.
    pub fn loopback(self) -> bool {
        self.ambiente == Ambiente::Homologacao && self.permitir_loopback
    }

    /// Why `ip` may not receive deliveries, if it may not.
    pub fn recusa(self, ip: IpAddr) -> Option<Classe> {
        match classificar(ip) {
            Some(Classe::Loopback) if self.loopback() => None,
            outra => outra,
        }
    }

    fn dica(self, classe: Option<Classe>) -> &'static str {
        match (classe, self.ambiente) {
            (Some(Classe::Loopback) | None, Ambiente::Homologacao) => {
                " (em homologação, endereços de loopback e http:// só são aceitos se o servidor \
                 for iniciado com --webhook-permitir-loopback)"
            }
            _ => "",
        }
    }
}

/// Address classes a webhook may not be delivered to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Classe {
    Loopback,
    LinkLocal,
    Privado,
    Multicast,
    NaoEspecificado,
    Broadcast,
    Documentacao,
    Benchmark,
    Reservado,
}

impl std::fmt::Display for Classe {
    /// Completes "um endereço …".
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Classe::Loopback => "de loopback",
            Classe::LinkLocal => "link-local",
            Classe::Privado => "privado",
            Classe::Multicast => "multicast",
            Classe::NaoEspecificado => "não especificado",
            Classe::Broadcast => "de broadcast",
            Classe::Documentacao => "reservado para documentação",
            Classe::Benchmark => "reservado para testes de desempenho",
            Classe::Reservado => "reservado",
        })
    }
}

/// The class of `ip` when it is not a public unicast address.
pub fn classificar(ip: IpAddr) -> Option<Classe> {
    match ip {
        IpAddr::V4(v4) => classificar_v4(v4),
        IpAddr::V6(v6) => classificar_v6(v6),
    }
}

fn classificar_v4(ip: Ipv4Addr) -> Option<Classe> {
    Some(match ip.octets() {
        [0, ..] => Classe::NaoEspecificado,
        [127, ..] => Classe::Loopback,
        [10, ..] | [192, 168, ..] => Classe::Privado,
        [172, b, ..] if (16..=31).contains(&b) => Classe::Privado,
        [100, b, ..] if (64..=127).contains(&b) => Classe::Privado,
        [169, 254, ..] => Classe::LinkLocal,
        [192, 0, 2, _] | [198, 51, 100, _] | [203, 0, 113, _] => Classe::Documentacao,
        [198, 18 | 19, ..] => Classe::Benchmark,
        [192, 0, 0, _] | [192, 88, 99, _] => Classe::Reservado,
        [255, 255, 255, 255] => Classe::Broadcast,
        [224..=239, ..] => Classe::Multicast,
        [240..=254, ..] => Classe::Reservado,
        [255, ..] => Classe::Reservado,
        _ => return None,
    })
}

fn classificar_v6(ip: Ipv6Addr) -> Option<Classe> {
    let s = ip.segments();
    let v4 = |a: u16, b: u16| Ipv4Addr::from((u32::from(a) << 16) | u32::from(b));
    if ip.is_unspecified() {
        return Some(Classe::NaoEspecificado);
    }
    if ip.is_loopback() {
        return Some(Classe::Loopback);
    }
    if let Some(mapeado) = ip.to_ipv4_mapped() {
        return classificar_v4(mapeado);
    }
    Some(match s {
        // IPv4-compatible (deprecated): never a real destination, whatever it embeds.
        [0, 0, 0, 0, 0, 0, a, b] => classificar_v4(v4(a, b)).unwrap_or(Classe::Reservado),
        // NAT64 (well-known prefix): the embedded IPv4 address decides.
        [0x64, 0xff9b, 0, 0, 0, 0, a, b] => return classificar_v4(v4(a, b)),
        [0x64, 0xff9b, 1, ..] => Classe::Privado,
        // 6to4: the embedded IPv4 address decides.
        [0x2002, a, b, ..] => return classificar_v4(v4(a, b)),
        [0x2001, 0x0db8, ..] => Classe::Documentacao,
        [0x3fff, b, ..] if b < 0x1000 => Classe::Documentacao,
        [0x2001, 0x0002, 0, ..] => Classe::Benchmark,
        // 2001::/23, IETF protocol assignments (Teredo, ORCHID, …).
        [0x2001, b, ..] if b < 0x0200 => Classe::Reservado,
        [a, ..] if a & 0xff00 == 0xff00 => Classe::Multicast,
        [a, ..] if a & 0xffc0 == 0xfe80 => Classe::LinkLocal,
        // Unique local (fc00::/7) and the deprecated site-local (fec0::/10).
        [a, ..] if a & 0xfe00 == 0xfc00 || a & 0xffc0 == 0xfec0 => Classe::Privado,
        // Only 2000::/3 is global unicast.
        [a, ..] if a & 0xe000 != 0x2000 => Classe::Reservado,
        _ => return None,
    })
}

/// Why a destination is refused, in pt-BR.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Recusa {
    #[error("url \"{0}\" inválida: use https://…")]
    Invalida(String),
    #[error("url \"{url}\": {motivo}")]
    Esquema { url: String, motivo: String },
    #[error("o destino {verbo} um endereço {classe} ({ip}); use um endereço público com HTTPS{dica}", verbo = if *.resolvido { "resolve para" } else { "é" })]
    Endereco {
        ip: IpAddr,
        classe: Classe,
        resolvido: bool,
        dica: &'static str,
    },
    #[error("o nome {nome} não pôde ser resolvido: {causa}")]
    Resolucao { nome: String, causa: String },
}

/// A parsed destination: how to connect, what to say in `Host` and to TLS (SNI), what to ask.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Destino {
    pub https: bool,
    pub host: url::Host<String>,
    pub porta: u16,
    /// The `Host` header: the URL's host, and its port when not the scheme's default.
    pub autoridade: String,
    /// Path and query (origin form).
    pub caminho: String,
}

/// Parses and checks a URL's form: scheme allowed here, a host, a literal IP address allowed
/// here. IPv4 addresses written in decimal, octal or hexadecimal are read as the URL standard
/// reads them (`http://2130706433/` is 127.0.0.1).
pub fn analisar(url: &str, politica: Politica) -> Result<Destino, Recusa> {
    let invalida = || Recusa::Invalida(url.to_owned());
    if url.len() > 2_000 {
        return Err(invalida());
    }
    let u = url::Url::parse(url).map_err(|_| invalida())?;
    let https = match u.scheme() {
        "https" => true,
        "http" if politica.loopback() => false,
        "http" => {
            return Err(Recusa::Esquema {
                url: url.to_owned(),
                motivo: format!("use https:// — http:// não é aceito{}", politica.dica(None)),
            })
        }
        _ => return Err(invalida()),
    };
    let host = u.host().map(|h| h.to_owned()).ok_or_else(invalida)?;
    let porta = u.port_or_known_default().ok_or_else(invalida)?;
    let ip = match &host {
        url::Host::Ipv4(ip) => Some(IpAddr::V4(*ip)),
        url::Host::Ipv6(ip) => Some(IpAddr::V6(*ip)),
        url::Host::Domain(_) => None,
    };
    if let Some(ip) = ip {
        conferir(ip, false, politica)?;
    }
    let nome = u.host_str().ok_or_else(invalida)?;
    let autoridade = match u.port() {
        Some(p) => format!("{nome}:{p}"),
        None => nome.to_owned(),
    };
    let caminho = match u.query() {
        Some(q) => format!("{}?{q}", u.path()),
        None => u.path().to_owned(),
    };
    Ok(Destino {
        https,
        host,
        porta,
        autoridade,
        caminho,
    })
}

fn conferir(ip: IpAddr, resolvido: bool, politica: Politica) -> Result<(), Recusa> {
    match politica.recusa(ip) {
        None => Ok(()),
        Some(classe) => Err(Recusa::Endereco {
            ip,
            classe,
            resolvido,
            dica: politica.dica(Some(classe)),
        }),
    }
}

/// The addresses to connect to: the literal one, or every address the name resolves to — all of
/// them checked (one refused address refuses the destination).
pub async fn enderecos(
    destino: &Destino,
    politica: Politica,
    limite: Duration,
) -> Result<Vec<SocketAddr>, Recusa> {
    let nome = match &destino.host {
        url::Host::Ipv4(ip) => return Ok(vec![SocketAddr::new((*ip).into(), destino.porta)]),
        url::Host::Ipv6(ip) => return Ok(vec![SocketAddr::new((*ip).into(), destino.porta)]),
        url::Host::Domain(d) => d.as_str(),
    };
    let falha = |causa: String| Recusa::Resolucao {
        nome: nome.to_owned(),
        causa,
    };
    let achados: Vec<SocketAddr> =
        match tokio::time::timeout(limite, tokio::net::lookup_host((nome, destino.porta))).await {
            Err(_) => return Err(falha(format!("sem resposta em {} s", limite.as_secs()))),
            Ok(Err(e)) => return Err(falha(e.to_string())),
            Ok(Ok(a)) => a.collect(),
        };
    if achados.is_empty() {
        return Err(falha("nenhum endereço".to_owned()));
    }
    for a in &achados {
        conferir(a.ip(), true, politica)?;
    }
    Ok(achados)
}

/// The registration check: the URL's form, and the addresses its name resolves to now. A name
/// that does not resolve yet is accepted — every delivery checks again.
pub async fn conferir_registro(url: &str, politica: Politica) -> Result<(), Recusa> {
    let destino = analisar(url, politica)?;
    match enderecos(&destino, politica, Duration::from_secs(5)).await {
        Err(Recusa::Resolucao { .. }) | Ok(_) => Ok(()),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const PRODUCAO: Politica = Politica {
        ambiente: Ambiente::Producao,
        permitir_loopback: false,
    };
    const HOMOLOGACAO: Politica = Politica {
        ambiente: Ambiente::Homologacao,
        permitir_loopback: false,
    };
    const HOMOLOGACAO_LOOPBACK: Politica = Politica {
        ambiente: Ambiente::Homologacao,
        permitir_loopback: true,
    };

    fn classe(ip: &str) -> Option<Classe> {
        classificar(ip.parse().unwrap())
    }

    #[test]
    fn every_non_public_ipv4_range_is_classified() {
        for (ip, c) in [
            ("127.0.0.1", Classe::Loopback),
            ("127.255.255.254", Classe::Loopback),
            ("169.254.169.254", Classe::LinkLocal),
            ("10.0.0.5", Classe::Privado),
            ("172.16.0.1", Classe::Privado),
            ("172.31.255.255", Classe::Privado),
            ("192.168.1.1", Classe::Privado),
            ("100.64.0.1", Classe::Privado),
            ("100.127.255.255", Classe::Privado),
            ("224.0.0.1", Classe::Multicast),
            ("239.255.255.250", Classe::Multicast),
            ("0.0.0.0", Classe::NaoEspecificado),
            ("0.1.2.3", Classe::NaoEspecificado),
            ("255.255.255.255", Classe::Broadcast),
            ("192.0.2.10", Classe::Documentacao),
            ("198.51.100.7", Classe::Documentacao),
            ("203.0.113.9", Classe::Documentacao),
            ("198.18.0.1", Classe::Benchmark),
            ("198.19.255.1", Classe::Benchmark),
            ("192.0.0.8", Classe::Reservado),
            ("240.0.0.1", Classe::Reservado),
        ] {
            assert_eq!(classe(ip), Some(c), "{ip}");
        }
    }

    #[test]
    fn public_addresses_and_range_neighbours_are_not_refused() {
        for ip in [
            "8.8.8.8",
            "172.15.255.255",
            "172.32.0.1",
            "100.63.255.255",
            "100.128.0.1",
            "169.253.1.1",
            "223.255.255.255",
            "2606:4700:4700::1111",
            "2a00:1450:4001::200e",
            "64:ff9b::808:808",
            "2002:808:808::1",
        ] {
            assert_eq!(classe(ip), None, "{ip}");
        }
    }

    #[test]
    fn ipv6_ranges_and_embedded_ipv4_are_classified() {
        for (ip, c) in [
            ("::1", Classe::Loopback),
            ("::", Classe::NaoEspecificado),
            ("fe80::1", Classe::LinkLocal),
            ("fc00::1", Classe::Privado),
            ("fd12:3456::1", Classe::Privado),
            ("fec0::1", Classe::Privado),
            ("ff02::1", Classe::Multicast),
            ("2001:db8::1", Classe::Documentacao),
            ("3fff::1", Classe::Documentacao),
            ("2001:2::1", Classe::Benchmark),
            ("2001::1", Classe::Reservado),
            ("100::1", Classe::Reservado),
            // IPv4-mapped forms of the refused IPv4 ranges.
            ("::ffff:127.0.0.1", Classe::Loopback),
            ("::ffff:169.254.169.254", Classe::LinkLocal),
            ("::ffff:a9fe:a9fe", Classe::LinkLocal),
            ("::ffff:10.0.0.5", Classe::Privado),
            ("::ffff:0.0.0.0", Classe::NaoEspecificado),
            // IPv4-compatible, NAT64 and 6to4 carrying them.
            ("::127.0.0.1", Classe::Loopback),
            ("::8.8.8.8", Classe::Reservado),
            ("64:ff9b::a9fe:a9fe", Classe::LinkLocal),
            ("64:ff9b:1::1", Classe::Privado),
            ("2002:7f00:1::", Classe::Loopback),
            ("2002:c0a8:101::1", Classe::Privado),
        ] {
            assert_eq!(classe(ip), Some(c), "{ip}");
        }
    }

    #[test]
    fn loopback_is_allowed_only_in_homologacao_with_the_setting() {
        let lo: IpAddr = "127.0.0.1".parse().unwrap();
        assert_eq!(PRODUCAO.recusa(lo), Some(Classe::Loopback));
        assert_eq!(HOMOLOGACAO.recusa(lo), Some(Classe::Loopback));
        assert_eq!(HOMOLOGACAO_LOOPBACK.recusa(lo), None);
        assert_eq!(HOMOLOGACAO_LOOPBACK.recusa("::1".parse().unwrap()), None);
        // The setting means nothing in produção.
        let producao_com = Politica::new(Ambiente::Producao, true);
        assert_eq!(producao_com.recusa(lo), Some(Classe::Loopback));
        assert!(analisar("http://127.0.0.1:8080/x", producao_com).is_err());
        // It opens loopback only, not the rest.
        for ip in [
            "10.0.0.5",
            "169.254.169.254",
            "::ffff:192.168.0.1",
            "fe80::1",
        ] {
            assert!(
                HOMOLOGACAO_LOOPBACK.recusa(ip.parse().unwrap()).is_some(),
                "{ip}"
            );
        }
    }

    #[test]
    fn plain_http_is_refused_unless_loopback_is_allowed_in_homologacao() {
        for p in [PRODUCAO, HOMOLOGACAO] {
            let e = analisar("http://erp.example/ganchos", p).unwrap_err();
            assert!(matches!(e, Recusa::Esquema { .. }), "{e}");
            assert!(e.to_string().contains("use https://"), "{e}");
        }
        assert!(analisar("http://erp.example/ganchos", HOMOLOGACAO_LOOPBACK).is_ok());
        assert!(matches!(
            analisar("ftp://erp.example/", HOMOLOGACAO_LOOPBACK),
            Err(Recusa::Invalida(_))
        ));
    }

    #[test]
    fn literal_addresses_in_any_spelling_are_refused() {
        for (url, ip, c) in [
            ("https://127.0.0.1/", "127.0.0.1", Classe::Loopback),
            ("https://2130706433/", "127.0.0.1", Classe::Loopback),
            ("https://017700000001/", "127.0.0.1", Classe::Loopback),
            ("https://0x7f.1/", "127.0.0.1", Classe::Loopback),
            (
                "https://0251.0376.0251.0376/",
                "169.254.169.254",
                Classe::LinkLocal,
            ),
            (
                "https://169.254.169.254/latest/meta-data/",
                "169.254.169.254",
                Classe::LinkLocal,
            ),
            (
                "https://[::ffff:169.254.169.254]/",
                "::ffff:a9fe:a9fe",
                Classe::LinkLocal,
            ),
            ("https://[::1]:8443/", "::1", Classe::Loopback),
            ("https://[fd00::5]/", "fd00::5", Classe::Privado),
            ("https://0.0.0.0:443/", "0.0.0.0", Classe::NaoEspecificado),
            ("https://10.0.0.5/x", "10.0.0.5", Classe::Privado),
        ] {
            match analisar(url, PRODUCAO) {
                Err(Recusa::Endereco {
                    ip: i,
                    classe,
                    resolvido: false,
                    ..
                }) => {
                    assert_eq!(i, ip.parse::<IpAddr>().unwrap(), "{url}");
                    assert_eq!(classe, c, "{url}");
                }
                outro => panic!("{url}: {outro:?}"),
            }
        }
        let e = analisar("https://10.0.0.5/x", PRODUCAO).unwrap_err();
        assert_eq!(
            e.to_string(),
            "o destino é um endereço privado (10.0.0.5); use um endereço público com HTTPS"
        );
    }

    #[test]
    fn a_destination_keeps_host_port_and_path_for_the_request() {
        let d = analisar("https://Erp.Example:8443/ganchos/v1?x=1#f", PRODUCAO).unwrap();
        assert!(d.https);
        assert_eq!(d.porta, 8443);
        assert_eq!(d.autoridade, "erp.example:8443");
        assert_eq!(d.caminho, "/ganchos/v1?x=1");
        let d = analisar("https://erp.example", PRODUCAO).unwrap();
        assert_eq!(
            (d.porta, d.autoridade.as_str(), d.caminho.as_str()),
            (443, "erp.example", "/")
        );
    }

    #[tokio::test]
    async fn a_name_that_resolves_to_loopback_is_refused_after_resolution() {
        let d = analisar("https://localhost:9/x", HOMOLOGACAO).unwrap();
        let e = enderecos(&d, HOMOLOGACAO, Duration::from_secs(5))
            .await
            .unwrap_err();
        match &e {
            Recusa::Endereco {
                classe: Classe::Loopback,
                resolvido: true,
                ..
            } => {}
            outro => panic!("{outro:?}"),
        }
        assert!(
            e.to_string()
                .starts_with("o destino resolve para um endereço de loopback"),
            "{e}"
        );
        assert!(e.to_string().contains("--webhook-permitir-loopback"), "{e}");
        assert!(conferir_registro("https://localhost/", PRODUCAO)
            .await
            .is_err());
        let ok = enderecos(&d, HOMOLOGACAO_LOOPBACK, Duration::from_secs(5))
            .await
            .unwrap();
        assert!(ok.iter().all(|a| a.ip().is_loopback() && a.port() == 9));
    }
}
