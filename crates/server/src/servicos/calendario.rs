//! The deadline calendar feed (issue #15 §4): a person of an operator creates a secret URL that
//! serves, as iCalendar (RFC 5545, [`ics`]), the operator's running deadlines — impugnação and
//! recurso periods as the lifecycle recorded them at ciência (`notificacoes.vencimento`, never
//! recounted here), due dates of GRUs to pay and of open instalments. What a feed shows follows
//! its creator's permissions *at each read*: deadlines of notices with `consulta`, charges with
//! `financeiro`; a person who lost both (or was deactivated) gets no feed, as if revoked.
//! Only the SHA-256 of the URL's token is kept; creating and revoking are audited. No personal
//! data of beneficiaries is ever in a feed: processes, ABIs, GRUs and parcelamentos only.

pub mod ics;

use chrono::{DateTime, Utc};
use persus_domain::acesso::{Escopo, TipoNotificacao};
use persus_domain::ids::Nup;
use persus_domain::money::Centavos;
use persus_store::auditoria::{self, Ator, Mudanca};
use persus_store::calendario::{self as store, Calendario, NovoCalendario};
use persus_store::{contas, Db};
use serde_json::json;

use super::relogio::data_em_brasilia;
use super::ServicoError;
use crate::auth;

/// Days before a deadline the calendar warns.
pub const ALARME_DIAS: u32 = 3;

/// A feed just created: its token is shown now and never again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Criado {
    pub id: i64,
    pub token: String,
}

/// What a person may see in a feed over `operadora`: (deadlines of notices, charges).
async fn alcance(
    db: &Db,
    login: &str,
    operadora: &str,
    agora: DateTime<Utc>,
) -> Result<(bool, bool), ServicoError> {
    let p = super::contas::permissoes(db, login, operadora, None, agora).await?;
    Ok((
        p.contains(&Escopo::Consulta),
        p.contains(&Escopo::Financeiro),
    ))
}

fn ator(login: &str, operadora: &str) -> Ator {
    Ator {
        ator: login.to_owned(),
        organizacao: operadora.to_owned(),
        aplicacao: None,
        request_id: None,
    }
}

/// Creates a feed of `operadora`'s deadlines for `por`, who must see deadlines or charges.
pub async fn criar(
    db: &Db,
    por: &str,
    operadora: &str,
    nome: &str,
    agora: DateTime<Utc>,
) -> Result<Criado, ServicoError> {
    let nome = nome.trim();
    if nome.chars().count() < 3 || nome.chars().count() > 80 {
        return Err(ServicoError::campo(
            "nome",
            "dê um nome ao link (de 3 a 80 caracteres), por exemplo \"Agenda do jurídico\"",
        ));
    }
    if alcance(db, por, operadora, agora).await? == (false, false) {
        return Err(ServicoError::Proibido(format!(
            "{por} não pode ver prazos da operadora {operadora}: é preciso a permissão de consulta ou a financeira"
        )));
    }
    let u = contas::usuario(db, por)
        .await?
        .ok_or_else(|| ServicoError::NaoEncontrado(format!("Usuário {por}")))?;
    let token = auth::aleatorio("psus_cal_");
    let mut tx = db.begin().await?;
    let id = store::criar(
        &mut tx,
        &NovoCalendario {
            token_sha256: &auth::sha256_hex(&token),
            operadora,
            usuario_id: u.id,
            nome,
            em: agora,
        },
    )
    .await?;
    auditoria::registrar(
        &mut tx,
        &ator(por, operadora),
        Mudanca {
            acao: "calendario.criado",
            entidade: "calendario",
            entidade_id: &id.to_string(),
            antes: None,
            depois: Some(json!({ "nome": nome, "operadora": operadora, "por": por })),
        },
        agora,
    )
    .await?;
    tx.commit().await?;
    Ok(Criado { id, token })
}

/// Revokes a feed of `operadora`: its creator may, and so may the operator's managers.
pub async fn revogar(
    db: &Db,
    por: &str,
    operadora: &str,
    id: i64,
    agora: DateTime<Utc>,
) -> Result<Calendario, ServicoError> {
    let c = revogavel(db, por, operadora, id).await?;
    let mut tx = db.begin().await?;
    if !store::revogar(&mut tx, id, agora).await? {
        return Err(ServicoError::Regra(format!(
            "O link de calendário {id} já estava revogado"
        )));
    }
    auditoria::registrar(
        &mut tx,
        &ator(por, operadora),
        Mudanca {
            acao: "calendario.revogado",
            entidade: "calendario",
            entidade_id: &id.to_string(),
            antes: Some(json!({ "nome": c.nome, "criado_por": c.login })),
            depois: Some(json!({ "revogado_em": agora })),
        },
        agora,
    )
    .await?;
    tx.commit().await?;
    Ok(c)
}

/// The active feed `por` may revoke, or why not.
pub async fn revogavel(
    db: &Db,
    por: &str,
    operadora: &str,
    id: i64,
) -> Result<Calendario, ServicoError> {
    let c = store::da_operadora(db, id, operadora)
        .await?
        .filter(|c| c.revogado_em.is_none())
        .ok_or_else(|| ServicoError::NaoEncontrado(format!("O link de calendário ativo {id}")))?;
    let gestor = contas::usuario(db, por)
        .await?
        .is_some_and(|u| u.ativo && u.papel.gestor());
    if c.login != por && !gestor {
        return Err(ServicoError::Proibido(format!(
            "Só quem criou o link de calendário {id} ({}) ou o gestor da conta pode revogá-lo",
            c.login
        )));
    }
    Ok(c)
}

/// The feed behind a token: the iCalendar text of the operator's running deadlines now, or
/// `NaoEncontrado` for an unknown or revoked token (or a creator who may no longer see them).
pub async fn feed(
    db: &Db,
    token: &str,
    agora: DateTime<Utc>,
) -> Result<(Calendario, String), ServicoError> {
    let nao = || ServicoError::NaoEncontrado("O calendário".to_owned());
    let c = store::ativo_por_hash(db, &auth::sha256_hex(token))
        .await?
        .ok_or_else(nao)?;
    let (prazos, cobranca) = alcance(db, &c.login, &c.operadora, agora).await?;
    if !prazos && !cobranca {
        return Err(nao());
    }
    let hoje = data_em_brasilia(agora);
    let mut eventos = Vec::new();
    if prazos {
        for p in store::prazos_de_notificacoes(db, &c.operadora, hoje).await? {
            eventos.push(evento_de_prazo(&p));
        }
    }
    if cobranca {
        for g in store::grus_a_pagar(db, &c.operadora, hoje).await? {
            eventos.push(ics::Evento {
                uid: format!("vencimento-gru-{}@persus", g.numero),
                dia: g.vencimento,
                resumo: format!("Vencimento da GRU {}", g.numero),
                descricao: format!(
                    "Pagar a GRU {} ({}) até esta data. Detalhes: /cobranca/grus/{}",
                    g.numero,
                    Centavos::new(g.valor_centavos),
                    g.numero
                ),
                alarme_dias: Some(ALARME_DIAS),
            });
        }
        for p in store::parcelas_a_pagar(db, &c.operadora, hoje).await? {
            eventos.push(ics::Evento {
                uid: format!(
                    "vencimento-parcela-{}-{}@persus",
                    p.parcelamento_id, p.numero
                ),
                dia: p.vencimento,
                resumo: format!(
                    "Vencimento da parcela {}/{} — parcelamento {}",
                    p.numero, p.parcelas, p.parcelamento_id
                ),
                descricao: format!(
                    "Pagar a parcela {} de {} do parcelamento {} (base {}) até esta data; emita a GRU da parcela em /cobranca/parcelamentos/{}",
                    p.numero,
                    p.parcelas,
                    p.parcelamento_id,
                    Centavos::new(p.base_centavos),
                    p.parcelamento_id
                ),
                alarme_dias: Some(ALARME_DIAS),
            });
        }
    }
    eventos.sort_by(|a, b| (a.dia, &a.uid).cmp(&(b.dia, &b.uid)));
    let nome = format!("Prazos persus — operadora {}", c.operadora);
    Ok((c, ics::calendario(&nome, agora, &eventos)))
}

/// The event of a notice's running period: impugnação for the Ofício ABI, recurso for a
/// 1st-instance decision.
fn evento_de_prazo(p: &store::PrazoDeNotificacao) -> ics::Evento {
    let nup = Nup::parse(&p.nup).map_or_else(|_| p.nup.clone(), |n| n.to_string());
    let digitos: String = p.nup.chars().filter(char::is_ascii_digit).collect();
    let (titulo, uid) = match p.tipo {
        TipoNotificacao::OficioAbi => (
            "Prazo de impugnação".to_owned(),
            format!("prazo-impugnacao-{digitos}@persus"),
        ),
        TipoNotificacao::DecisaoPrimeiraInstancia => (
            "Prazo de recurso".to_owned(),
            format!("prazo-recurso-{digitos}-{}@persus", p.notificacao_id),
        ),
        TipoNotificacao::DecisaoRecurso => (
            format!("Prazo ({})", p.tipo.rotulo()),
            format!("prazo-notificacao-{digitos}-{}@persus", p.notificacao_id),
        ),
    };
    ics::Evento {
        uid,
        dia: p.vencimento,
        resumo: format!("{titulo} — ABI {}, processo {nup}", p.abi_numero),
        descricao: format!(
            "Último dia: {} ({}), contado da ciência em {}. Processo: /processos/{}; notificação: /notificacoes/{}",
            titulo.to_lowercase(),
            p.tipo.rotulo(),
            p.ciencia_em.format("%d/%m/%Y"),
            p.nup,
            p.notificacao_id
        ),
        alarme_dias: Some(ALARME_DIAS),
    }
}
