//! People and their permissions: the operator's manager creates people and delegates
//! permissions; ANS enables the first access of an operator's legal representative. Signing in
//! is [`super::entrada`].

use chrono::{DateTime, Utc};
use persus_domain::acesso::{Escopo, Papel};
use persus_store::contas::{self, Usuario};
use persus_store::Db;

use super::{CampoInvalido, ServicoError};
use crate::auth;

/// Permissions an operator's people can hold.
pub const PERMISSOES: [Escopo; 3] = [Escopo::Consulta, Escopo::Peticionar, Escopo::Financeiro];

fn codigos_de_permissoes() -> String {
    PERMISSOES.map(Escopo::as_str).join(", ")
}

/// The permissions named in `p`, or what is wrong with them in `erros`.
fn validar_permissoes(p: &[String], erros: &mut Vec<CampoInvalido>) -> Vec<Escopo> {
    if p.is_empty() {
        erros.push(CampoInvalido::new(
            "permissoes",
            format!(
                "informe ao menos uma permissão: {}",
                codigos_de_permissoes()
            ),
        ));
    }
    let mut out = Vec::new();
    for x in p {
        match Escopo::parse(x).filter(|e| PERMISSOES.contains(e)) {
            Some(e) => out.push(e),
            None => erros.push(CampoInvalido::new(
                "permissoes",
                format!(
                    "permissão \"{x}\" não existe: use {}",
                    codigos_de_permissoes()
                ),
            )),
        }
    }
    out
}

/// Permissions stored as a JSON array of codes.
fn ler_permissoes(json: &str) -> Result<Vec<Escopo>, ServicoError> {
    let codigos: Vec<String> = serde_json::from_str(json)
        .map_err(|e| ServicoError::Interno(format!("permissões gravadas ilegíveis: {e}")))?;
    codigos
        .into_iter()
        .map(|c| Escopo::try_from(c).map_err(|e| ServicoError::Interno(e.to_string())))
        .collect()
}

/// `por`, if it is the legal representative or account manager of an operator: (user, operator).
/// `o_que` names what it wanted to manage, for the refusal.
pub(crate) async fn gestor_da_operadora(
    db: &Db,
    por: &str,
    o_que: &str,
) -> Result<(Usuario, String), ServicoError> {
    let u = contas::usuario(db, por)
        .await?
        .filter(|u| u.ativo)
        .ok_or_else(|| ServicoError::NaoEncontrado(format!("Usuário {por}")))?;
    if !u.papel.gestor() {
        return Err(ServicoError::Proibido(format!(
            "{por} não pode gerir {o_que}: só o representante legal ou o gestor da conta"
        )));
    }
    let op = contas::operadora_da_organizacao(db, u.organizacao_id)
        .await?
        .ok_or_else(|| ServicoError::Proibido(format!("{por} não pertence a uma operadora")))?;
    Ok((u, op))
}

/// A person the manager creates, as typed (codes of the role and permissions).
#[derive(Clone, Copy, Debug)]
pub struct NovaPessoa<'a> {
    pub login: &'a str,
    pub nome: &'a str,
    pub papel: &'a str,
    pub permissoes: &'a [String],
    /// The initial password (changed at the first access).
    pub senha: &'a str,
}

/// The manager creates a person of the operator with a role and permission set.
pub async fn criar_usuario(
    db: &Db,
    por: &str,
    pessoa: &NovaPessoa<'_>,
    agora: DateTime<Utc>,
) -> Result<(), ServicoError> {
    let NovaPessoa {
        login,
        nome,
        papel,
        permissoes,
        senha,
    } = *pessoa;
    let (g, _) = gestor_da_operadora(db, por, "usuários").await?;
    let mut erros = Vec::new();
    let papel = Papel::parse(papel)
        .filter(|p| matches!(p, Papel::Gestor | Papel::Usuario | Papel::Auditor));
    if papel.is_none() {
        erros.push(CampoInvalido::new(
            "papel",
            "papel inválido: use gestor, usuario ou auditor",
        ));
    }
    if papel == Some(Papel::Gestor) && g.papel != Papel::RepresentanteLegal {
        erros.push(CampoInvalido::new(
            "papel",
            "só o representante legal nomeia gestores",
        ));
    }
    let permissoes = validar_permissoes(permissoes, &mut erros);
    if senha.chars().count() < 10 {
        erros.push(CampoInvalido::new(
            "senha",
            "a senha deve ter ao menos 10 caracteres",
        ));
    }
    if login.trim().len() < 3 || login.contains(char::is_whitespace) {
        erros.push(CampoInvalido::new(
            "login",
            "login inválido: ao menos 3 caracteres, sem espaços",
        ));
    }
    let (Some(papel), true) = (papel, erros.is_empty()) else {
        return Err(ServicoError::Invalido(erros));
    };
    let hash = auth::hash_senha(senha).map_err(ServicoError::Interno)?;
    let mut tx = db.begin().await?;
    let criado = contas::criar_usuario(
        &mut tx,
        &contas::NovoUsuario {
            login: login.trim(),
            nome,
            organizacao_id: g.organizacao_id,
            papel,
            permissoes: &permissoes,
            senha_hash: &hash,
            em: agora,
        },
    )
    .await?;
    if !criado {
        return Err(ServicoError::campo(
            "login",
            format!("o login {login} já existe"),
        ));
    }
    tx.commit().await?;
    Ok(())
}

/// Grants `permissoes` over the manager's operator — or one of its processes (`processo` =
/// NUP) — to `para` until `expira_em`. Returns the delegation's id.
pub async fn delegar(
    db: &Db,
    por: &str,
    para: &str,
    processo: Option<&str>,
    permissoes: &[String],
    expira_em: DateTime<Utc>,
    agora: DateTime<Utc>,
) -> Result<i64, ServicoError> {
    let (_, operadora) = gestor_da_operadora(db, por, "delegações").await?;
    let mut erros = Vec::new();
    validar_permissoes(permissoes, &mut erros);
    if expira_em <= agora {
        erros.push(CampoInvalido::new(
            "ate",
            "a delegação deve expirar no futuro",
        ));
    }
    let destinatario = contas::usuario(db, para).await?.filter(|u| u.ativo);
    if destinatario.is_none() {
        erros.push(CampoInvalido::new(
            "para",
            format!("usuário {para} não encontrado"),
        ));
    }
    let processo_id = match processo {
        None => None,
        Some(nup) => {
            let p = persus_store::peticoes::nups_da_operadora(db, &operadora)
                .await?
                .into_iter()
                .find(|(_, n)| *n == nup.replace(['.', '/', '-'], ""))
                .map(|(id, _)| id);
            if p.is_none() {
                erros.push(CampoInvalido::new(
                    "processo",
                    format!("processo {nup} não encontrado para esta operadora"),
                ));
            }
            p
        }
    };
    let (Some(u), true) = (destinatario, erros.is_empty()) else {
        return Err(ServicoError::Invalido(erros));
    };
    let mut tx = db.begin().await?;
    let id = contas::delegar(
        &mut tx,
        &contas::NovaDelegacao {
            operadora: &operadora,
            processo_id,
            usuario_id: u.id,
            permissoes,
            concedida_por: por,
            em: agora,
            expira_em,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn revogar_delegacao(
    db: &Db,
    por: &str,
    id: i64,
    agora: DateTime<Utc>,
) -> Result<(), ServicoError> {
    let (_, operadora) = gestor_da_operadora(db, por, "delegações").await?;
    let mut tx = db.begin().await?;
    if !contas::revogar_delegacao(&mut tx, id, &operadora, agora).await? {
        return Err(ServicoError::NaoEncontrado(format!(
            "A delegação {id} ativa"
        )));
    }
    tx.commit().await?;
    Ok(())
}

/// What `login` may do over `operadora` (and, when given, one of its processes) now: its own
/// permissions if it belongs to the operator (all of them for the legal representative and the
/// manager), plus what active delegations grant.
pub async fn permissoes(
    db: &Db,
    login: &str,
    operadora: &str,
    processo_id: Option<i64>,
    agora: DateTime<Utc>,
) -> Result<Vec<Escopo>, ServicoError> {
    let Some(u) = contas::usuario(db, login).await?.filter(|u| u.ativo) else {
        return Ok(Vec::new());
    };
    let propria = contas::operadora_da_organizacao(db, u.organizacao_id).await?;
    permissoes_de(db, &u, propria.as_deref(), operadora, processo_id, agora).await
}

/// As [`permissoes`], for a person already loaded with their own operator (`propria`; `None`
/// for ANS staff) — the web session has both at hand.
pub async fn permissoes_de(
    db: &Db,
    u: &Usuario,
    propria: Option<&str>,
    operadora: &str,
    processo_id: Option<i64>,
    agora: DateTime<Utc>,
) -> Result<Vec<Escopo>, ServicoError> {
    let mut out: Vec<Escopo> = Vec::new();
    if propria == Some(operadora) {
        if u.papel.gestor() {
            out.extend(PERMISSOES);
        } else {
            out.extend(ler_permissoes(&u.permissoes)?);
        }
    }
    for ps in contas::delegacoes_ativas(db, u.id, operadora, processo_id, agora).await? {
        out.extend(ler_permissoes(&ps)?);
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// How long a first-access code is valid.
pub const VALIDADE_PRIMEIRO_ACESSO: chrono::Duration = chrono::Duration::days(7);

/// ANS's admin enables the first access of an operator's legal representative (the stand-in for
/// the e-CNPJ check): the person is created if missing, with no usable password, and a one-time
/// code (returned once, to be sent through an official channel) lets them set one.
pub async fn habilitar_primeiro_acesso(
    db: &Db,
    por: &str,
    registro: &str,
    login: &str,
    nome: &str,
    agora: DateTime<Utc>,
) -> Result<String, ServicoError> {
    let admin = contas::usuario(db, por)
        .await?
        .filter(|u| u.ativo && u.papel == Papel::Admin);
    let Some(admin) = admin else {
        return Err(ServicoError::Regra(
            "só o administrador da ANS habilita o primeiro acesso".to_owned(),
        ));
    };
    if contas::operadora_da_organizacao(db, admin.organizacao_id)
        .await?
        .is_some()
    {
        return Err(ServicoError::Regra(
            "só o administrador da ANS habilita o primeiro acesso".to_owned(),
        ));
    }
    let mut erros = Vec::new();
    let reg = persus_domain::ids::RegistroAns::parse(registro.trim());
    if let Err(e) = &reg {
        erros.push(format!("registro ANS \"{registro}\": {e}"));
    }
    if login.trim().len() < 3 || login.contains(char::is_whitespace) {
        erros.push("login inválido: ao menos 3 caracteres, sem espaços".to_owned());
    }
    if nome.trim().chars().count() < 3 {
        erros.push("informe o nome do representante legal".to_owned());
    }
    if !erros.is_empty() {
        return Err(ServicoError::Regra(erros.join("; ")));
    }
    let registro = registro.trim();
    let mut tx = db.begin().await?;
    let org = contas::organizacao(&mut tx, Some(registro))
        .await
        .map_err(|e| match e {
            persus_store::StoreError::Conflict(m) => ServicoError::Regra(m),
            outro => ServicoError::Store(outro),
        })?;
    // A password nobody knows until the code is used.
    let inutilizavel =
        auth::hash_senha(&auth::aleatorio("bloqueada_")).map_err(ServicoError::Interno)?;
    contas::criar_usuario(
        &mut tx,
        &contas::NovoUsuario {
            login: login.trim(),
            nome: nome.trim(),
            organizacao_id: org.id,
            papel: Papel::RepresentanteLegal,
            permissoes: &[],
            senha_hash: &inutilizavel,
            em: agora,
        },
    )
    .await?;
    tx.commit().await?;
    let u = contas::usuario(db, login.trim())
        .await?
        .ok_or_else(|| ServicoError::NaoEncontrado(format!("Login {login}")))?;
    if u.organizacao_id != org.id || u.papel != Papel::RepresentanteLegal {
        return Err(ServicoError::Regra(format!(
            "o login {login} já pertence a outra pessoa ou organização"
        )));
    }
    let codigo = auth::aleatorio("pa_")[..19].to_owned();
    let mut tx = db.begin().await?;
    contas::habilitar_primeiro_acesso(
        &mut tx,
        u.id,
        &auth::sha256_hex(&codigo),
        por,
        agora + VALIDADE_PRIMEIRO_ACESSO,
    )
    .await?;
    persus_store::auditoria::registrar(
        &mut tx,
        &persus_store::auditoria::Ator::sistema(por),
        persus_store::auditoria::Mudanca {
            acao: "primeiro_acesso.habilitado",
            entidade: "usuario",
            entidade_id: login.trim(),
            antes: None,
            depois: Some(serde_json::json!({ "operadora": registro, "expira_em": agora + VALIDADE_PRIMEIRO_ACESSO })),
        },
        agora,
    )
    .await?;
    tx.commit().await?;
    Ok(codigo)
}

/// The person uses the code to set a password (once, before it expires).
pub async fn concluir_primeiro_acesso(
    db: &Db,
    login: &str,
    codigo: &str,
    senha: &str,
    agora: DateTime<Utc>,
) -> Result<(), ServicoError> {
    if senha.chars().count() < 10 {
        return Err(ServicoError::Regra(
            "a senha deve ter ao menos 10 caracteres".to_owned(),
        ));
    }
    let recusa = || {
        ServicoError::Regra(
            "login ou código inválido, já usado ou expirado: peça à ANS um novo código".to_owned(),
        )
    };
    let u = contas::usuario(db, login.trim())
        .await?
        .ok_or_else(recusa)?;
    let hash = auth::hash_senha(senha).map_err(ServicoError::Interno)?;
    let mut tx = db.begin().await?;
    if !contas::usar_primeiro_acesso(
        &mut tx,
        u.id,
        &auth::sha256_hex(codigo.trim()),
        &hash,
        agora,
    )
    .await?
    {
        return Err(recusa());
    }
    persus_store::auditoria::registrar(
        &mut tx,
        &persus_store::auditoria::Ator::sistema(login.trim()),
        persus_store::auditoria::Mudanca {
            acao: "primeiro_acesso.concluido",
            entidade: "usuario",
            entidade_id: login.trim(),
            antes: None,
            depois: None,
        },
        agora,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
