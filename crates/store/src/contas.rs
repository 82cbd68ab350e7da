//! Organizations, people, API applications, tokens, idempotency records and the log of reads
//! of personal data. Secrets never reach this module in clear: passwords arrive as Argon2id PHC
//! strings, client secrets and tokens as SHA-256 hex.

use chrono::{DateTime, Utc};
use persus_domain::acesso::{Escopo, Papel, TipoOrganizacao};
use serde::Serialize;

use crate::{Db, StoreError, Tx};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Organizacao {
    pub id: i64,
    #[sqlx(try_from = "String")]
    pub tipo: TipoOrganizacao,
    pub operadora: Option<String>,
    pub nome: String,
}

/// The organization of an operator (created on first use) or of ANS (`None`).
pub async fn organizacao(tx: &mut Tx, operadora: Option<&str>) -> Result<Organizacao, StoreError> {
    let existente: Option<Organizacao> = on_tx!(tx, conn => sqlx::query_as(
        "SELECT id, tipo, operadora, nome FROM organizacoes
         WHERE (operadora = $1) OR ($1 IS NULL AND tipo = 'ans')")
        .bind(operadora).fetch_optional(conn).await?);
    if let Some(o) = existente {
        return Ok(o);
    }
    let (tipo, nome) = match operadora {
        Some(r) => {
            let nome: Option<String> = on_tx!(tx, conn => sqlx::query_scalar(
                "SELECT razao_social FROM operadoras WHERE registro_ans = $1")
                .bind(r).fetch_optional(conn).await?);
            let nome = nome.ok_or_else(|| {
                StoreError::Conflict(format!("operadora {r} não consta do cadastro da ANS"))
            })?;
            (TipoOrganizacao::Operadora, nome)
        }
        None => (
            TipoOrganizacao::Ans,
            "Agência Nacional de Saúde Suplementar".to_owned(),
        ),
    };
    Ok(on_tx!(tx, conn => sqlx::query_as(
        "INSERT INTO organizacoes (tipo, operadora, nome) VALUES ($1, $2, $3)
         RETURNING id, tipo, operadora, nome")
        .bind(tipo.as_str()).bind(operadora).bind(nome).fetch_one(conn).await?))
}

#[derive(Clone, Debug)]
pub struct NovoUsuario<'a> {
    pub login: &'a str,
    pub nome: &'a str,
    pub organizacao_id: i64,
    pub papel: Papel,
    pub permissoes: &'a [Escopo],
    pub senha_hash: &'a str,
    pub em: DateTime<Utc>,
}

/// Creates a person, or does nothing if the login exists. Returns whether it was created.
pub async fn criar_usuario(tx: &mut Tx, u: &NovoUsuario<'_>) -> Result<bool, StoreError> {
    let codigos: Vec<&str> = u.permissoes.iter().map(|e| e.as_str()).collect();
    let permissoes = serde_json::to_string(&codigos).unwrap_or_else(|_| "[]".to_owned());
    let n = on_tx!(tx, conn => sqlx::query(
        "INSERT INTO usuarios (login, nome, organizacao_id, papel, permissoes, senha_hash, criado_em)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (login) DO NOTHING")
        .bind(u.login).bind(u.nome).bind(u.organizacao_id).bind(u.papel.as_str()).bind(permissoes)
        .bind(u.senha_hash).bind(u.em).execute(conn).await?.rows_affected());
    Ok(n == 1)
}

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Usuario {
    pub id: i64,
    pub login: String,
    pub nome: String,
    pub organizacao_id: i64,
    #[sqlx(try_from = "String")]
    pub papel: Papel,
    /// The permissions the operator granted (a JSON array of [`Escopo`] codes).
    pub permissoes: String,
    pub senha_hash: String,
    pub ativo: bool,
}

pub async fn usuario(db: &Db, login: &str) -> Result<Option<Usuario>, StoreError> {
    let sql = "SELECT id, login, nome, organizacao_id, papel, permissoes, senha_hash, ativo
               FROM usuarios WHERE login = $1";
    Ok(on_db!(db, pool => sqlx::query_as(sql).bind(login).fetch_optional(pool).await?))
}

#[derive(Clone, Debug)]
pub struct NovaAplicacao<'a> {
    pub organizacao_id: i64,
    pub nome: &'a str,
    pub ambiente: &'a str,
    pub client_id: &'a str,
    pub segredo_sha256: &'a str,
    pub escopos: &'a str,
    pub limite_por_minuto: i32,
    pub criada_por: &'a str,
    pub em: DateTime<Utc>,
}

/// Registers an application, or does nothing if the client id exists. Returns whether created.
pub async fn criar_aplicacao(tx: &mut Tx, a: &NovaAplicacao<'_>) -> Result<bool, StoreError> {
    let n = on_tx!(tx, conn => sqlx::query(
        "INSERT INTO aplicacoes (organizacao_id, nome, ambiente, client_id, segredo_sha256, escopos,
                                 limite_por_minuto, criada_por, criada_em)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (client_id) DO NOTHING")
        .bind(a.organizacao_id).bind(a.nome).bind(a.ambiente).bind(a.client_id)
        .bind(a.segredo_sha256).bind(a.escopos).bind(a.limite_por_minuto).bind(a.criada_por)
        .bind(a.em).execute(conn).await?.rows_affected());
    Ok(n == 1)
}

/// An application with what authorization needs of its organization.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Aplicacao {
    pub id: i64,
    pub organizacao_id: i64,
    #[sqlx(try_from = "String")]
    pub organizacao_tipo: TipoOrganizacao,
    pub operadora: Option<String>,
    pub client_id: String,
    pub segredo_sha256: String,
    pub escopos: String,
    pub ambiente: String,
    pub limite_por_minuto: i32,
    pub revogada_em: Option<DateTime<Utc>>,
}

const APLICACAO: &str = "SELECT a.id, a.organizacao_id, o.tipo AS organizacao_tipo, o.operadora,
        a.client_id, a.segredo_sha256, a.escopos, a.ambiente, a.limite_por_minuto, a.revogada_em
    FROM aplicacoes a JOIN organizacoes o ON o.id = a.organizacao_id";

pub async fn aplicacao_por_client_id(
    db: &Db,
    client_id: &str,
) -> Result<Option<Aplicacao>, StoreError> {
    let sql = format!("{APLICACAO} WHERE a.client_id = $1");
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(client_id).fetch_optional(pool).await?))
}

pub async fn revogar_aplicacao(tx: &mut Tx, id: i64, em: DateTime<Utc>) -> Result<(), StoreError> {
    on_tx!(tx, conn => sqlx::query("UPDATE aplicacoes SET revogada_em = $2 WHERE id = $1 AND revogada_em IS NULL")
        .bind(id).bind(em).execute(conn).await?.rows_affected());
    Ok(())
}

pub async fn trocar_segredo(tx: &mut Tx, id: i64, segredo_sha256: &str) -> Result<(), StoreError> {
    on_tx!(tx, conn => sqlx::query("UPDATE aplicacoes SET segredo_sha256 = $2 WHERE id = $1")
        .bind(id).bind(segredo_sha256).execute(conn).await?.rows_affected());
    Ok(())
}

pub async fn emitir_token(
    db: &Db,
    sha256: &str,
    aplicacao_id: i64,
    escopos: &str,
    em: DateTime<Utc>,
    expira_em: DateTime<Utc>,
) -> Result<(), StoreError> {
    on_db!(db, pool => sqlx::query(
        "INSERT INTO tokens (sha256, aplicacao_id, escopos, emitido_em, expira_em) VALUES ($1, $2, $3, $4, $5)")
        .bind(sha256).bind(aplicacao_id).bind(escopos).bind(em).bind(expira_em)
        .execute(pool).await?.rows_affected());
    Ok(())
}

/// A token with its application and organization.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct TokenValido {
    pub aplicacao_id: i64,
    pub organizacao_id: i64,
    #[sqlx(try_from = "String")]
    pub organizacao_tipo: TipoOrganizacao,
    pub operadora: Option<String>,
    pub escopos: String,
    pub limite_por_minuto: i32,
    pub expira_em: DateTime<Utc>,
}

/// The token if it exists, is not revoked, has not expired and its application is active.
pub async fn token(
    db: &Db,
    sha256: &str,
    agora: DateTime<Utc>,
) -> Result<Option<TokenValido>, StoreError> {
    let sql = "SELECT t.aplicacao_id, a.organizacao_id, o.tipo AS organizacao_tipo, o.operadora,
                      t.escopos, a.limite_por_minuto, t.expira_em
               FROM tokens t JOIN aplicacoes a ON a.id = t.aplicacao_id
                    JOIN organizacoes o ON o.id = a.organizacao_id
               WHERE t.sha256 = $1 AND t.revogado_em IS NULL AND t.expira_em > $2
                 AND a.revogada_em IS NULL";
    Ok(on_db!(db, pool => sqlx::query_as(sql).bind(sha256).bind(agora).fetch_optional(pool).await?))
}

pub async fn revogar_token(db: &Db, sha256: &str, em: DateTime<Utc>) -> Result<bool, StoreError> {
    let n = on_db!(db, pool => sqlx::query("UPDATE tokens SET revogado_em = $2 WHERE sha256 = $1 AND revogado_em IS NULL")
        .bind(sha256).bind(em).execute(pool).await?.rows_affected());
    Ok(n == 1)
}

/// One read of personal data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Acesso {
    pub instante: DateTime<Utc>,
    pub organizacao_id: i64,
    pub aplicacao_id: Option<i64>,
    pub usuario: Option<String>,
    pub recurso: &'static str,
    pub chave: String,
    pub request_id: Option<String>,
}

/// Appends reads in one multi-row statement.
pub async fn registrar_acessos(db: &Db, acessos: &[Acesso]) -> Result<(), StoreError> {
    for chunk in acessos.chunks(1_000) {
        on_db!(db, pool => {
            let mut qb = sqlx::QueryBuilder::new(
                "INSERT INTO acessos (instante, organizacao_id, aplicacao_id, usuario, recurso, chave, request_id) ");
            qb.push_values(chunk, |mut b, a| {
                b.push_bind(a.instante).push_bind(a.organizacao_id).push_bind(a.aplicacao_id)
                    .push_bind(&a.usuario).push_bind(a.recurso).push_bind(&a.chave).push_bind(&a.request_id);
            });
            qb.build().execute(pool).await?.rows_affected()
        });
    }
    Ok(())
}

pub async fn acessos_a(
    db: &Db,
    recurso: &str,
    chave: &str,
) -> Result<Vec<(i64, Option<i64>)>, StoreError> {
    let sql = "SELECT organizacao_id, aplicacao_id FROM acessos WHERE recurso = $1 AND chave = $2 ORDER BY id";
    Ok(on_db!(db, pool => sqlx::query_as(sql).bind(recurso).bind(chave).fetch_all(pool).await?))
}

/// The operator (registro ANS) of an organization; `None` for ANS.
pub async fn operadora_da_organizacao(
    db: &Db,
    organizacao_id: i64,
) -> Result<Option<String>, StoreError> {
    let sql = "SELECT operadora FROM organizacoes WHERE id = $1";
    let r: Option<Option<String>> = on_db!(db, pool => sqlx::query_scalar(sql).bind(organizacao_id).fetch_optional(pool).await?);
    Ok(r.flatten())
}

#[derive(Clone, Debug)]
pub struct NovaDelegacao<'a> {
    pub operadora: &'a str,
    pub processo_id: Option<i64>,
    pub usuario_id: i64,
    pub permissoes: &'a [String],
    pub concedida_por: &'a str,
    pub em: DateTime<Utc>,
    pub expira_em: DateTime<Utc>,
}

pub async fn delegar(tx: &mut Tx, d: &NovaDelegacao<'_>) -> Result<i64, StoreError> {
    let permissoes = serde_json::to_string(d.permissoes).unwrap_or_else(|_| "[]".to_owned());
    Ok(on_tx!(tx, conn => sqlx::query_scalar(
        "INSERT INTO delegacoes (operadora, processo_id, usuario_id, permissoes, concedida_por,
                                 concedida_em, expira_em)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id")
        .bind(d.operadora).bind(d.processo_id).bind(d.usuario_id).bind(permissoes)
        .bind(d.concedida_por).bind(d.em).bind(d.expira_em).fetch_one(conn).await?))
}

/// Revokes a delegation granted over `operadora`; false if there is no such active one.
pub async fn revogar_delegacao(
    tx: &mut Tx,
    id: i64,
    operadora: &str,
    em: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let n = on_tx!(tx, conn => sqlx::query(
        "UPDATE delegacoes SET revogada_em = $3 WHERE id = $1 AND operadora = $2 AND revogada_em IS NULL")
        .bind(id).bind(operadora).bind(em).execute(conn).await?.rows_affected());
    Ok(n == 1)
}

/// Permissions (JSON arrays) of active delegations to `usuario_id` over `operadora`, for the
/// whole operator (`processo_id` NULL) or for `processo` when given.
pub async fn delegacoes_ativas(
    db: &Db,
    usuario_id: i64,
    operadora: &str,
    processo: Option<i64>,
    agora: DateTime<Utc>,
) -> Result<Vec<String>, StoreError> {
    let sql = "SELECT permissoes FROM delegacoes
               WHERE usuario_id = $1 AND operadora = $2 AND revogada_em IS NULL AND expira_em > $3
                 AND (processo_id IS NULL OR processo_id = $4)";
    Ok(
        on_db!(db, pool => sqlx::query_scalar(sql).bind(usuario_id).bind(operadora).bind(agora).bind(processo).fetch_all(pool).await?),
    )
}

// ---- Web sessions ----

pub async fn criar_sessao(
    db: &Db,
    token_sha256: &str,
    usuario_id: i64,
    csrf: &str,
    agora: DateTime<Utc>,
    expira_em: DateTime<Utc>,
) -> Result<(), StoreError> {
    // Expired sessions are swept at each sign-in (they are refused anyway).
    on_db!(db, pool => sqlx::query("DELETE FROM sessoes WHERE expira_em <= $1")
        .bind(agora).execute(pool).await?.rows_affected());
    on_db!(db, pool => sqlx::query(
        "INSERT INTO sessoes (token_sha256, usuario_id, csrf, criada_em, expira_em) VALUES ($1, $2, $3, $4, $5)")
        .bind(token_sha256).bind(usuario_id).bind(csrf).bind(agora).bind(expira_em)
        .execute(pool).await?.rows_affected());
    Ok(())
}

/// The person of a live session and its CSRF token.
pub async fn sessao(
    db: &Db,
    token_sha256: &str,
    agora: DateTime<Utc>,
) -> Result<Option<(Usuario, String)>, StoreError> {
    let r: Option<(i64, String)> = on_db!(db, pool => sqlx::query_as(
        "SELECT usuario_id, csrf FROM sessoes WHERE token_sha256 = $1 AND expira_em > $2")
        .bind(token_sha256).bind(agora).fetch_optional(pool).await?);
    let Some((id, csrf)) = r else { return Ok(None) };
    let u: Option<Usuario> = on_db!(db, pool => sqlx::query_as(
        "SELECT id, login, nome, organizacao_id, papel, permissoes, senha_hash, ativo
         FROM usuarios WHERE id = $1 AND ativo")
        .bind(id).fetch_optional(pool).await?);
    Ok(u.map(|u| (u, csrf)))
}

pub async fn encerrar_sessao(db: &Db, token_sha256: &str) -> Result<(), StoreError> {
    on_db!(db, pool => sqlx::query("DELETE FROM sessoes WHERE token_sha256 = $1")
        .bind(token_sha256).execute(pool).await?.rows_affected());
    Ok(())
}

/// Assigns queue items to an analyst (replacing a previous assignment).
pub async fn atribuir(
    db: &Db,
    atendimentos: &[i64],
    analista: &str,
    agora: DateTime<Utc>,
) -> Result<(), StoreError> {
    for id in atendimentos {
        on_db!(db, pool => sqlx::query(
            "INSERT INTO atribuicoes (atendimento_id, analista, atribuida_em) VALUES ($1, $2, $3)
             ON CONFLICT (atendimento_id) DO UPDATE SET analista = excluded.analista, atribuida_em = excluded.atribuida_em")
            .bind(id).bind(analista).bind(agora).execute(pool).await?.rows_affected());
    }
    Ok(())
}

/// An application as its managers see it (no secret).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct AplicacaoResumo {
    pub client_id: String,
    pub nome: String,
    pub ambiente: String,
    pub escopos: String,
    pub revogada_em: Option<DateTime<Utc>>,
}

pub async fn aplicacoes_da_organizacao(
    db: &Db,
    organizacao_id: i64,
) -> Result<Vec<AplicacaoResumo>, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_as(
        "SELECT client_id, nome, ambiente, escopos, revogada_em FROM aplicacoes
         WHERE organizacao_id = $1 AND client_id NOT LIKE 'web-%' ORDER BY id")
        .bind(organizacao_id).fetch_all(pool).await?))
}

pub async fn usuarios_da_organizacao(
    db: &Db,
    organizacao_id: i64,
) -> Result<Vec<Usuario>, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_as(
        "SELECT id, login, nome, organizacao_id, papel, permissoes, senha_hash, ativo
         FROM usuarios WHERE organizacao_id = $1 ORDER BY login")
        .bind(organizacao_id).fetch_all(pool).await?))
}

/// An operator's delegations (current and past), newest first.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct DelegacaoResumo {
    pub id: i64,
    pub login: String,
    pub processo: Option<String>,
    pub permissoes: String,
    pub expira_em: DateTime<Utc>,
    pub revogada_em: Option<DateTime<Utc>>,
}

pub async fn delegacoes_da_operadora(
    db: &Db,
    operadora: &str,
) -> Result<Vec<DelegacaoResumo>, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_as(
        "SELECT d.id, u.login, p.nup AS processo, d.permissoes, d.expira_em, d.revogada_em
         FROM delegacoes d JOIN usuarios u ON u.id = d.usuario_id LEFT JOIN processos p ON p.id = d.processo_id
         WHERE d.operadora = $1 ORDER BY d.id DESC LIMIT 500")
        .bind(operadora).fetch_all(pool).await?))
}

// ---- First access ----

/// Records (or renews) a person's first-access code.
pub async fn habilitar_primeiro_acesso(
    tx: &mut Tx,
    usuario_id: i64,
    codigo_sha256: &str,
    por: &str,
    expira_em: DateTime<Utc>,
) -> Result<(), StoreError> {
    on_tx!(tx, conn => sqlx::query(
        "INSERT INTO primeiros_acessos (usuario_id, codigo_sha256, habilitado_por, expira_em) VALUES ($1, $2, $3, $4)
         ON CONFLICT (usuario_id) DO UPDATE SET codigo_sha256 = excluded.codigo_sha256,
             habilitado_por = excluded.habilitado_por, expira_em = excluded.expira_em, usado_em = NULL")
        .bind(usuario_id).bind(codigo_sha256).bind(por).bind(expira_em).execute(conn).await?.rows_affected());
    Ok(())
}

/// Uses a first-access code: sets the password once; false if the code is wrong, used or expired.
pub async fn usar_primeiro_acesso(
    tx: &mut Tx,
    usuario_id: i64,
    codigo_sha256: &str,
    senha_hash: &str,
    agora: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let n = on_tx!(tx, conn => sqlx::query(
        "UPDATE primeiros_acessos SET usado_em = $3
         WHERE usuario_id = $1 AND codigo_sha256 = $2 AND usado_em IS NULL AND expira_em > $3")
        .bind(usuario_id).bind(codigo_sha256).bind(agora).execute(conn).await?.rows_affected());
    if n != 1 {
        return Ok(false);
    }
    on_tx!(tx, conn => sqlx::query(
        "UPDATE usuarios SET senha_hash = $2, ativo = TRUE WHERE id = $1")
        .bind(usuario_id).bind(senha_hash).execute(conn).await?.rows_affected());
    Ok(true)
}

/// Who is working each of these attendances (assignment), by attendance id.
pub async fn atribuicoes(db: &Db, ids: &[i64]) -> Result<Vec<(i64, String)>, StoreError> {
    let mut out = Vec::new();
    for chunk in ids.chunks(500) {
        let lista = chunk
            .iter()
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(",");
        let sql = format!(
            "SELECT atendimento_id, analista FROM atribuicoes WHERE atendimento_id IN ({lista})"
        );
        let v: Vec<(i64, String)> = on_db!(db, pool => sqlx::query_as(&sql).fetch_all(pool).await?);
        out.extend(v);
    }
    Ok(out)
}
