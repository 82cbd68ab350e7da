//! Área do Desenvolvedor: the operator's legal representative or account manager registers API
//! applications per environment, rotates their secret and revokes them. The secret is shown
//! once (only its SHA-256 is kept); revoking an application revokes all its tokens at once.

use chrono::{DateTime, Utc};
use persus_store::auditoria::{self, Ator, Mudanca};
use persus_store::contas::{self, NovaAplicacao};
use persus_store::Db;
use serde::Serialize;
use serde_json::json;

use super::{CampoInvalido, ServicoError};
use crate::auth::{self, ESCOPOS};

/// Roles that may manage an operator's applications.
pub const PAPEIS_GESTORES: [&str; 2] = ["representante_legal", "gestor"];

persus_domain::rotulado! {
    /// Where an application's tokens are accepted.
    pub enum AmbienteAplicacao {
        Homologacao = ("homologacao", "homologação"),
        Producao = ("producao", "produção"),
    }
}

persus_domain::rotulado! {
    /// An application: active until revoked (its tokens then stop working at once).
    pub enum EstadoAplicacao {
        Ativa = ("ativa", "ativa"),
        Revogada = ("revogada", "revogada"),
    }
}

impl EstadoAplicacao {
    pub fn de(revogada_em: Option<DateTime<Utc>>) -> EstadoAplicacao {
        if revogada_em.is_some() {
            EstadoAplicacao::Revogada
        } else {
            EstadoAplicacao::Ativa
        }
    }
}

/// Default per-minute limit of a new application.
pub const LIMITE_PADRAO: i32 = 600;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Credenciais {
    pub client_id: String,
    /// Shown only now.
    pub client_secret: String,
    pub ambiente: String,
    pub escopos: String,
}

/// The organization whose applications `login` manages (an operator's legal representative or
/// manager, or ANS's admin), or why not.
async fn gestor(db: &Db, login: &str) -> Result<(contas::Usuario, String), ServicoError> {
    if let Some(u) = contas::usuario(db, login).await?.filter(|u| u.ativo) {
        let ans = contas::operadora_da_organizacao(db, u.organizacao_id)
            .await?
            .is_none();
        if ans {
            if u.papel != persus_domain::acesso::Papel::Admin {
                return Err(ServicoError::Proibido(format!(
                    "{login} não pode gerir aplicações: na ANS, só o administrador"
                )));
            }
            return Ok((u, "ANS".to_owned()));
        }
    }
    super::contas::gestor_da_operadora(db, login, "aplicações").await
}

/// Scopes an organization's applications may hold: an operator's are not ANS's, and ANS's
/// are the admin's (`auth::escopos_do_papel_ans`).
fn escopos_permitidos(organizacao: &str) -> Vec<&'static str> {
    if organizacao == "ANS" {
        auth::escopos_do_papel_ans(persus_domain::acesso::Papel::Admin).to_vec()
    } else {
        ESCOPOS
            .iter()
            .copied()
            .filter(|e| !e.starts_with("ans."))
            .collect()
    }
}

pub async fn registrar(
    db: &Db,
    por: &str,
    nome: &str,
    ambiente: &str,
    escopos: &[String],
    agora: DateTime<Utc>,
) -> Result<Credenciais, ServicoError> {
    let (u, operadora) = gestor(db, por).await?;
    let mut erros = Vec::new();
    if nome.trim().chars().count() < 3 {
        erros.push(CampoInvalido::new(
            "nome",
            "informe um nome para a aplicação (ao menos 3 caracteres)",
        ));
    }
    if AmbienteAplicacao::parse(ambiente).is_none() {
        erros.push(CampoInvalido::new(
            "ambiente",
            format!("ambiente \"{ambiente}\" inválido: use homologacao ou producao"),
        ));
    }
    let permitidos = escopos_permitidos(&operadora);
    if escopos.is_empty() {
        erros.push(CampoInvalido::new(
            "escopos",
            format!("informe os escopos: {}", permitidos.join(", ")),
        ));
    }
    for e in escopos {
        if !permitidos.contains(&e.as_str()) {
            erros.push(CampoInvalido::new(
                "escopos",
                format!(
                    "escopo \"{e}\" não disponível para {}: use {}",
                    if operadora == "ANS" {
                        "a ANS"
                    } else {
                        "operadoras"
                    },
                    permitidos.join(", ")
                ),
            ));
        }
    }
    if !erros.is_empty() {
        return Err(ServicoError::Invalido(erros));
    }
    let client_id = auth::aleatorio("psus_app_")[..25].to_owned();
    let segredo = auth::aleatorio("psus_sk_");
    let escopos = escopos.join(" ");
    let mut tx = db.begin().await?;
    contas::criar_aplicacao(
        &mut tx,
        &NovaAplicacao {
            organizacao_id: u.organizacao_id,
            nome: nome.trim(),
            ambiente,
            client_id: &client_id,
            segredo_sha256: &auth::sha256_hex(&segredo),
            escopos: &escopos,
            limite_por_minuto: LIMITE_PADRAO,
            criada_por: por,
            em: agora,
        },
    )
    .await?;
    auditoria::registrar(
        &mut tx,
        &Ator {
            ator: por.to_owned(),
            organizacao: operadora.clone(),
            aplicacao: None,
            request_id: None,
        },
        Mudanca {
            acao: "aplicacao.registrada",
            entidade: "aplicacao",
            entidade_id: &client_id,
            antes: None,
            depois: Some(json!({ "nome": nome.trim(), "ambiente": ambiente, "escopos": escopos })),
        },
        agora,
    )
    .await?;
    tx.commit().await?;
    Ok(Credenciais {
        client_id,
        client_secret: segredo,
        ambiente: ambiente.to_owned(),
        escopos,
    })
}

/// The application `client_id` of the operator `por` manages (others' do not exist for it).
async fn da_operadora(
    db: &Db,
    por: &str,
    client_id: &str,
) -> Result<(contas::Aplicacao, String), ServicoError> {
    let (u, operadora) = gestor(db, por).await?;
    let a = contas::aplicacao_por_client_id(db, client_id)
        .await?
        .filter(|a| a.organizacao_id == u.organizacao_id && a.revogada_em.is_none())
        .ok_or_else(|| ServicoError::NaoEncontrado(format!("Aplicação {client_id}")))?;
    Ok((a, operadora))
}

/// A new secret; the old one stops working at once (tokens already issued keep their expiry).
pub async fn rotacionar_segredo(
    db: &Db,
    por: &str,
    client_id: &str,
    agora: DateTime<Utc>,
) -> Result<Credenciais, ServicoError> {
    let (a, operadora) = da_operadora(db, por, client_id).await?;
    let segredo = auth::aleatorio("psus_sk_");
    let mut tx = db.begin().await?;
    contas::trocar_segredo(&mut tx, a.id, &auth::sha256_hex(&segredo)).await?;
    auditoria::registrar(
        &mut tx,
        &Ator {
            ator: por.to_owned(),
            organizacao: operadora,
            aplicacao: None,
            request_id: None,
        },
        Mudanca {
            acao: "aplicacao.segredo_rotacionado",
            entidade: "aplicacao",
            entidade_id: client_id,
            antes: None,
            depois: None,
        },
        agora,
    )
    .await?;
    tx.commit().await?;
    Ok(Credenciais {
        client_id: a.client_id,
        client_secret: segredo,
        ambiente: a.ambiente,
        escopos: a.escopos,
    })
}

/// Revokes the application and, with it, every token it holds.
pub async fn revogar(
    db: &Db,
    por: &str,
    client_id: &str,
    agora: DateTime<Utc>,
) -> Result<(), ServicoError> {
    let (a, operadora) = da_operadora(db, por, client_id).await?;
    let mut tx = db.begin().await?;
    contas::revogar_aplicacao(&mut tx, a.id, agora).await?;
    auditoria::registrar(
        &mut tx,
        &Ator {
            ator: por.to_owned(),
            organizacao: operadora,
            aplicacao: None,
            request_id: None,
        },
        Mudanca {
            acao: "aplicacao.revogada",
            entidade: "aplicacao",
            entidade_id: client_id,
            antes: None,
            depois: None,
        },
        agora,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
