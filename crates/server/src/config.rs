//! Typed configuration, checked before anything starts.
//!
//! Every problem a person can fix (an unwritable data directory, a malformed `DATABASE_URL`,
//! a port already in use) stops start-up with a pt-BR message saying what to change, instead
//! of a panic or a half-started server.

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};

use persus_store::DbConfig;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error(
        "o diretório de dados {dir} não pode ser usado: {causa}. \
         Escolha outro com --data-dir ou PERSUS_DATA_DIR"
    )]
    DataDir { dir: String, causa: String },
    #[error(
        "DATABASE_URL inválida: {0}. Use postgres://usuario@servidor:5432/banco, \
         ou deixe DATABASE_URL vazia para usar o SQLite do diretório de dados"
    )]
    DatabaseUrl(String),
    #[error(
        "não foi possível escutar em {addr}: {causa}. \
         Escolha outra porta com --port ou outro endereço com --bind"
    )]
    Bind { addr: SocketAddr, causa: String },
    #[error(
        "--webhook-permitir-loopback (PERSUS_WEBHOOK_PERMITIR_LOOPBACK) só vale em homologação: \
         em produção, webhooks vão apenas a endereços públicos por HTTPS. Remova a opção ou use \
         --environment homologacao"
    )]
    LoopbackEmProducao,
    #[error(
        "faltam os arquivos do gov.br Design System e dos ícones (Font Awesome): {faltam}; \
         sem eles as páginas sairiam sem estilo. Rode `npm ci --prefix web` na raiz do \
         repositório, ou aponte PERSUS_WEB_ASSETS para o diretório @govbr-ds/core/dist e \
         PERSUS_FONTAWESOME_ASSETS para o diretório @fortawesome/fontawesome-free instalados"
    )]
    AssetsWeb { faltam: String },
    #[error(
        "{variavel}={valor:?} não é um valor aceito: use 1 ou true para ligar, 0 ou false (ou \
         deixe vazia) para desligar"
    )]
    Interruptor {
        variavel: &'static str,
        valor: String,
    },
}

/// The on/off settings read from the environment, checked at start-up.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Interruptores {
    /// `PERSUS_COOKIE_SEGURO`: the site is served over TLS (`Secure` cookies, HSTS).
    pub cookie_seguro: bool,
    /// `PERSUS_PROXY_CONFIAVEL`: a reverse proxy we trust stands in front.
    pub proxy_confiavel: bool,
}

impl Interruptores {
    /// Reads both variables; a value that is not a switch stops start-up (a typo such as
    /// `PERSUS_COOKIE_SEGURO=sim` must not leave a TLS site without `Secure` cookies).
    pub fn do_ambiente() -> Result<Interruptores, ConfigError> {
        let ler = |variavel: &'static str| {
            let valor = std::env::var_os(variavel).map(|v| v.to_string_lossy().into_owned());
            interruptor(variavel, valor.as_deref())
        };
        Ok(Interruptores {
            cookie_seguro: ler("PERSUS_COOKIE_SEGURO")?,
            proxy_confiavel: ler("PERSUS_PROXY_CONFIAVEL")?,
        })
    }
}

/// An on/off variable: unset, empty, `0` or `false` is off; `1` or `true` is on (case and
/// surrounding spaces ignored); anything else is refused, naming the variable.
pub fn interruptor(variavel: &'static str, valor: Option<&str>) -> Result<bool, ConfigError> {
    let v = valor.unwrap_or("").trim();
    if v.is_empty() || v == "0" || v.eq_ignore_ascii_case("false") {
        Ok(false)
    } else if v == "1" || v.eq_ignore_ascii_case("true") {
        Ok(true)
    } else {
        Err(ConfigError::Interruptor {
            variavel,
            valor: v.to_owned(),
        })
    }
}

/// The front-end files the pages link (`core.min.css`, Font Awesome's `all.min.css`) are
/// installed: a server without them would serve unstyled pages while `/health` says ok.
pub fn verificar_assets_web() -> Result<(), ConfigError> {
    let necessarios = [
        crate::app::assets_govbr().join("core.min.css"),
        crate::app::assets_fontawesome().join("css/all.min.css"),
    ];
    let faltam: Vec<String> = necessarios
        .iter()
        .filter(|f| !f.is_file())
        .map(|f| f.display().to_string())
        .collect();
    if faltam.is_empty() {
        Ok(())
    } else {
        Err(ConfigError::AssetsWeb {
            faltam: faltam.join(", "),
        })
    }
}

/// The webhook destination rules of this server; the loopback setting is refused in produção
/// rather than ignored, so a production server never starts believing it is on.
pub fn destinos_webhook(
    ambiente: Ambiente,
    permitir_loopback: bool,
) -> Result<crate::servicos::destinos::Politica, ConfigError> {
    if permitir_loopback && ambiente == Ambiente::Producao {
        return Err(ConfigError::LoopbackEmProducao);
    }
    Ok(crate::servicos::destinos::Politica::new(
        ambiente,
        permitir_loopback,
    ))
}

/// Creates the data directory if needed and proves it is writable.
pub fn prepare_data_dir(dir: &Path) -> Result<PathBuf, ConfigError> {
    let fail = |causa: String| ConfigError::DataDir {
        dir: dir.display().to_string(),
        causa,
    };
    if dir.exists() && !dir.is_dir() {
        return Err(fail("o caminho existe e não é um diretório".to_owned()));
    }
    std::fs::create_dir_all(dir).map_err(|e| fail(io_reason(&e)))?;
    let probe = dir.join(".persus-escrita");
    std::fs::write(&probe, b"ok").map_err(|e| fail(io_reason(&e)))?;
    let _ = std::fs::remove_file(&probe);
    Ok(dir.to_path_buf())
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::PermissionDenied => "permissão negada para escrever".to_owned(),
        std::io::ErrorKind::ReadOnlyFilesystem => "sistema de arquivos somente leitura".to_owned(),
        std::io::ErrorKind::StorageFull => "disco cheio".to_owned(),
        _ => e.to_string(),
    }
}

/// SQLite in the data directory unless `DATABASE_URL` names a PostgreSQL server.
pub fn database(database_url: Option<&str>, data_dir: &Path) -> Result<DbConfig, ConfigError> {
    match database_url.map(str::trim).filter(|u| !u.is_empty()) {
        None => Ok(DbConfig::sqlite_in(data_dir)),
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            Ok(DbConfig::Postgres {
                url: url.to_owned(),
                schema: None,
            })
        }
        Some(url) => {
            let scheme = url
                .split_once("://")
                .map(|(s, _)| s)
                .unwrap_or("(sem esquema)");
            Err(ConfigError::DatabaseUrl(format!(
                "o esquema \"{scheme}\" não é suportado (apenas postgres:// ou postgresql://)"
            )))
        }
    }
}

/// Binds the listening socket now, so a busy port fails before any slow work starts.
pub async fn bind(ip: IpAddr, port: u16) -> Result<tokio::net::TcpListener, ConfigError> {
    let addr = SocketAddr::new(ip, port);
    tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| ConfigError::Bind {
            addr,
            causa: match e.kind() {
                std::io::ErrorKind::AddrInUse => {
                    "a porta já está em uso por outro processo".to_owned()
                }
                std::io::ErrorKind::AddrNotAvailable => {
                    "o endereço não pertence a esta máquina".to_owned()
                }
                std::io::ErrorKind::PermissionDenied => {
                    "permissão negada (portas abaixo de 1024 exigem privilégios)".to_owned()
                }
                _ => e.to_string(),
            },
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_url_of_another_engine_is_refused_with_a_hint() {
        let err = database(Some("mysql://root@localhost/db"), Path::new("/tmp")).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("\"mysql\" não é suportado"), "{msg}");
        assert!(msg.contains("postgres://"), "{msg}");
    }

    #[test]
    fn empty_database_url_means_sqlite_in_the_data_dir() {
        match database(Some("  "), Path::new("/srv/persus")).unwrap() {
            DbConfig::Sqlite { path } => assert_eq!(path, Path::new("/srv/persus/persus.db")),
            other => panic!("expected SQLite, got {other:?}"),
        }
    }

    #[test]
    fn webhook_loopback_setting_is_refused_in_producao_and_off_by_default() {
        let err = destinos_webhook(Ambiente::Producao, true).unwrap_err();
        assert!(err.to_string().contains("só vale em homologação"), "{err}");
        assert!(!destinos_webhook(Ambiente::Producao, false)
            .unwrap()
            .loopback());
        assert!(!destinos_webhook(Ambiente::Homologacao, false)
            .unwrap()
            .loopback());
        assert!(destinos_webhook(Ambiente::Homologacao, true)
            .unwrap()
            .loopback());
    }

    #[test]
    fn an_on_off_variable_takes_only_the_documented_values() {
        for (valor, ligado) in [
            (None, false),
            (Some(""), false),
            (Some("0"), false),
            (Some("false"), false),
            (Some(" FALSE "), false),
            (Some("1"), true),
            (Some("true"), true),
            (Some("True"), true),
        ] {
            assert_eq!(
                interruptor("PERSUS_COOKIE_SEGURO", valor).unwrap(),
                ligado,
                "{valor:?}"
            );
        }
        for valor in ["sim", "yes", "on", "2", "verdadeiro"] {
            let err = interruptor("PERSUS_PROXY_CONFIAVEL", Some(valor))
                .unwrap_err()
                .to_string();
            assert!(
                err.contains("PERSUS_PROXY_CONFIAVEL")
                    && err.contains(valor)
                    && err.contains("1 ou true")
                    && err.contains("0 ou false"),
                "{err}"
            );
        }
    }

    #[test]
    fn a_file_is_not_a_data_dir() {
        let f = tempfile::NamedTempFile::new().unwrap();
        let err = prepare_data_dir(f.path()).unwrap_err().to_string();
        assert!(err.contains("não é um diretório"), "{err}");
    }
}

/// Which environment this instance is (issue #4): homologação is the operators' sandbox —
/// synthetic data, demo credentials, applications registered for it — and says so on every
/// answer and page; produção accepts only applications registered for production.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Ambiente {
    Homologacao,
    Producao,
}

impl Ambiente {
    pub fn as_str(self) -> &'static str {
        match self {
            Ambiente::Homologacao => "homologacao",
            Ambiente::Producao => "producao",
        }
    }
}
