//! Administrative processes, their notices, and the attendances they cover.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use persus_domain::acesso::TipoNotificacao;
use persus_domain::lifecycle::{Estado, FormaCiencia};

use crate::abis::Abi;
use crate::{Db, StoreError, Tx};

/// An operator with identified attendances not yet in a process of this ABI.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct APublicar {
    pub operadora: String,
    pub razao_social: String,
    pub cnpj: String,
    pub atendimentos: i64,
    pub valor_centavos: i64,
}

/// The competências (AAAAMM) of a quarter like `1T2025`.
fn competencias(trimestre: &str) -> Result<[String; 3], StoreError> {
    let t = persus_domain::ids::Trimestre::parse(trimestre)
        .map_err(|e| StoreError::Reference(format!("trimestre do ABI: {e}")))?;
    Ok(t.competencias().map(|c| c.to_aaaamm()))
}

/// Operators to notify in this ABI, in registro order.
pub async fn a_publicar(db: &Db, abi: &Abi) -> Result<Vec<APublicar>, StoreError> {
    let [c1, c2, c3] = competencias(&abi.trimestre)?;
    let sql = "SELECT a.operadora, o.razao_social, o.cnpj, COUNT(*) AS atendimentos,
                      CAST(SUM(a.valor_ressarcimento_centavos) AS BIGINT) AS valor_centavos
               FROM atendimentos a JOIN operadoras o ON o.registro_ans = a.operadora
               WHERE a.tipo = $1 AND a.competencia IN ($2, $3, $4)
                 AND a.estado = $5 AND a.processo_id IS NULL
               GROUP BY a.operadora, o.razao_social, o.cnpj
               ORDER BY a.operadora";
    Ok(
        on_db!(db, pool => sqlx::query_as(sql).bind(&abi.tipo).bind(&c1).bind(&c2).bind(&c3)
        .bind(Estado::Identificado.as_str()).fetch_all(pool).await?),
    )
}

/// The next NUP sequence of a protocol unit in a year, inside the caller's transaction: a
/// rollback returns the number, and concurrent callers serialize on the row.
pub async fn proximo_nup(tx: &mut Tx, unidade: i32, ano: i32) -> Result<i32, StoreError> {
    let seq: i32 = on_tx!(tx, conn => sqlx::query_scalar(
        "INSERT INTO nup_sequencias (unidade, ano, ultimo) VALUES ($1, $2, 1)
         ON CONFLICT (unidade, ano) DO UPDATE SET ultimo = nup_sequencias.ultimo + 1
         RETURNING ultimo")
        .bind(unidade).bind(ano).fetch_one(conn).await?);
    Ok(seq)
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Instaurado {
    pub processo_id: i64,
    pub notificacao_id: i64,
    pub atendimentos: u64,
}

/// On PostgreSQL, lets this transaction commit without waiting for the WAL flush. Safe for
/// publication: a server crash may lose the last few milliseconds of *committed* processes, but
/// never part of one (each is still atomic) and the publication is resumable, so re-running it
/// recreates exactly what was lost. Without this, every process costs one fsync (~4 ms here).
pub async fn commit_assincrono(tx: &mut Tx) -> Result<(), StoreError> {
    if tx.backend() == crate::Backend::Postgres {
        on_tx!(tx, conn => sqlx::query("SET LOCAL synchronous_commit = off")
            .execute(conn).await?.rows_affected());
    }
    Ok(())
}

/// What opening one operator's process in an ABI needs ([`instaurar`]).
#[derive(Clone, Copy, Debug)]
pub struct NovoProcesso<'a> {
    pub abi: &'a Abi,
    pub alvo: &'a APublicar,
    pub nup: &'a str,
    pub instaurado_em: DateTime<Utc>,
    /// The day the Ofício ABI is made available.
    pub disponibilizada_em: NaiveDate,
    pub conteudo: &'a serde_json::Value,
}

/// Opens the process of `operadora` in `abi`, makes its Ofício ABI available and moves its
/// identified attendances of the ABI's quarter to "awaiting ciência" — in the caller's
/// transaction.
pub async fn instaurar(tx: &mut Tx, p: &NovoProcesso<'_>) -> Result<Instaurado, StoreError> {
    let NovoProcesso {
        abi,
        alvo,
        nup,
        instaurado_em,
        disponibilizada_em,
        conteudo,
    } = *p;
    let processo_id: i64 = on_tx!(tx, conn => sqlx::query_scalar(
        "INSERT INTO processos (nup, abi_numero, operadora, instaurado_em, atendimentos, valor_centavos)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
        .bind(nup).bind(abi.numero).bind(&alvo.operadora).bind(instaurado_em)
        .bind(alvo.atendimentos as i32).bind(alvo.valor_centavos)
        .fetch_one(conn).await?);
    let notificacao_id: i64 = on_tx!(tx, conn => sqlx::query_scalar(
        "INSERT INTO notificacoes (processo_id, tipo, disponibilizada_em, conteudo)
         VALUES ($1, $4, $2, $3) RETURNING id")
        .bind(processo_id).bind(disponibilizada_em).bind(conteudo.to_string())
        .bind(TipoNotificacao::OficioAbi.as_str())
        .fetch_one(conn).await?);
    let [c1, c2, c3] = competencias(&abi.trimestre)?;
    let n = on_tx!(tx, conn => sqlx::query(
        "UPDATE atendimentos SET processo_id = $1, notificacao_id = $2, estado = $8,
                                 valor_devido_centavos = valor_ressarcimento_centavos
         WHERE operadora = $3 AND tipo = $4 AND competencia IN ($5, $6, $7)
           AND estado = $9 AND processo_id IS NULL")
        .bind(processo_id).bind(notificacao_id).bind(&alvo.operadora).bind(&abi.tipo)
        .bind(&c1).bind(&c2).bind(&c3)
        .bind(Estado::AguardandoCiencia.as_str()).bind(Estado::Identificado.as_str())
        .execute(conn).await?.rows_affected());
    if n != alvo.atendimentos as u64 {
        // Someone changed the attendances between planning and writing: refuse, roll back.
        return Err(StoreError::Conflict(format!(
            "a operadora {} tinha {} atendimentos a notificar e {} foram encontrados; o processo não foi instaurado",
            alvo.operadora, alvo.atendimentos, n
        )));
    }
    Ok(Instaurado {
        processo_id,
        notificacao_id,
        atendimentos: n,
    })
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Processo {
    pub id: i64,
    pub nup: String,
    pub abi_numero: i32,
    pub operadora: String,
    pub instaurado_em: DateTime<Utc>,
    pub atendimentos: i32,
    pub valor_centavos: i64,
}

/// A process by NUP; with `operadora`, only if it is that operator's.
pub async fn por_nup(
    db: &Db,
    nup: &str,
    operadora: Option<&str>,
) -> Result<Option<Processo>, StoreError> {
    let sql = "SELECT id, nup, abi_numero, operadora, instaurado_em, atendimentos, valor_centavos
               FROM processos WHERE nup = $1 AND ($2 IS NULL OR operadora = $2)";
    Ok(
        on_db!(db, pool => sqlx::query_as(sql).bind(nup).bind(operadora).fetch_optional(pool).await?),
    )
}

pub async fn do_abi(db: &Db, abi_numero: i32) -> Result<Vec<Processo>, StoreError> {
    let sql = "SELECT id, nup, abi_numero, operadora, instaurado_em, atendimentos, valor_centavos
               FROM processos WHERE abi_numero = $1 ORDER BY operadora";
    Ok(on_db!(db, pool => sqlx::query_as(sql).bind(abi_numero).fetch_all(pool).await?))
}

/// A notice and its ciência.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Notificacao {
    pub id: i64,
    pub processo_id: i64,
    #[sqlx(try_from = "String")]
    pub tipo: TipoNotificacao,
    pub disponibilizada_em: NaiveDate,
    pub ciencia_em: Option<NaiveDate>,
    pub ciencia_forma: Option<String>,
    pub prazo: Option<String>,
    pub vencimento: Option<NaiveDate>,
}

impl Notificacao {
    /// The recorded form of ciência (`None` before ciência); an unknown code is an error.
    pub fn forma_ciencia(&self) -> Result<Option<FormaCiencia>, StoreError> {
        self.ciencia_forma
            .clone()
            .map(FormaCiencia::try_from)
            .transpose()
            .map_err(|e| StoreError::Reference(e.to_string()))
    }
}

const NOTIF: &str =
    "id, processo_id, tipo, disponibilizada_em, ciencia_em, ciencia_forma, prazo, vencimento";

pub async fn notificacao(db: &Db, id: i64) -> Result<Notificacao, StoreError> {
    let sql = format!("SELECT {NOTIF} FROM notificacoes WHERE id = $1");
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(id).fetch_one(pool).await?))
}

/// A notice, only if it belongs to a process of `operadora` (others' notices do not exist).
pub async fn notificacao_da_operadora(
    db: &Db,
    id: i64,
    operadora: &str,
) -> Result<Option<Notificacao>, StoreError> {
    let sql = "SELECT n.id, n.processo_id, n.tipo, n.disponibilizada_em, n.ciencia_em, n.ciencia_forma, n.prazo, n.vencimento
               FROM notificacoes n JOIN processos p ON p.id = n.processo_id
               WHERE n.id = $1 AND p.operadora = $2";
    Ok(on_db!(db, pool => sqlx::query_as(sql).bind(id).bind(operadora).fetch_optional(pool).await?))
}

/// A notice of `operadora`'s processes when given (others' notices do not exist), of any
/// process when not (ANS).
pub async fn notificacao_visivel(
    db: &Db,
    id: i64,
    operadora: Option<&str>,
) -> Result<Option<Notificacao>, StoreError> {
    let sql = "SELECT n.id, n.processo_id, n.tipo, n.disponibilizada_em, n.ciencia_em, n.ciencia_forma, n.prazo, n.vencimento
               FROM notificacoes n JOIN processos p ON p.id = n.processo_id
               WHERE n.id = $1 AND ($2 IS NULL OR p.operadora = $2)";
    Ok(on_db!(db, pool => sqlx::query_as(sql).bind(id).bind(operadora).fetch_optional(pool).await?))
}

/// Amount due per process of an operator (attendances in state `devido`), for charging.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ValorDevido {
    pub nup: String,
    pub atendimentos: i64,
    pub valor_centavos: i64,
}

pub async fn valores_devidos(db: &Db, operadora: &str) -> Result<Vec<ValorDevido>, StoreError> {
    let sql = "SELECT p.nup, COUNT(*) AS atendimentos, CAST(SUM(a.valor_devido_centavos) AS BIGINT) AS valor_centavos
               FROM atendimentos a JOIN processos p ON p.id = a.processo_id
               WHERE a.operadora = $1 AND a.estado = $2
               GROUP BY p.nup ORDER BY p.nup";
    Ok(
        on_db!(db, pool => sqlx::query_as(sql).bind(operadora).bind(Estado::Devido.as_str())
        .fetch_all(pool).await?),
    )
}

/// Notices still without ciência made available on or before `ate`.
pub async fn sem_ciencia_ate(db: &Db, ate: NaiveDate) -> Result<Vec<Notificacao>, StoreError> {
    let sql = format!("SELECT {NOTIF} FROM notificacoes WHERE ciencia_em IS NULL AND disponibilizada_em <= $1 ORDER BY id");
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(ate).fetch_all(pool).await?))
}

/// ABI notices whose impugnação deadline ended before `hoje` and were not closed yet.
pub async fn prazo_vencido_antes(db: &Db, hoje: NaiveDate) -> Result<Vec<Notificacao>, StoreError> {
    let sql = format!(
        "SELECT {NOTIF} FROM notificacoes
         WHERE tipo = $2 AND vencimento < $1 AND prazo_encerrado_em IS NULL
         ORDER BY id"
    );
    Ok(
        on_db!(db, pool => sqlx::query_as(&sql).bind(hoje).bind(TipoNotificacao::OficioAbi.as_str())
        .fetch_all(pool).await?),
    )
}

/// Open periods (ciência given, not closed, not yet warned) ending on or before `ate`, with the
/// NUP of their process.
pub async fn prazos_a_avisar(
    db: &Db,
    ate: NaiveDate,
) -> Result<Vec<(Notificacao, Option<String>)>, StoreError> {
    let sql =
        "SELECT n.id, n.processo_id, n.tipo, n.disponibilizada_em, n.ciencia_em, n.ciencia_forma,
                      n.prazo, n.vencimento, p.nup
               FROM notificacoes n JOIN processos p ON p.id = n.processo_id
               WHERE n.vencimento IS NOT NULL AND n.vencimento <= $1
                 AND n.prazo_encerrado_em IS NULL AND n.prazo_aviso_em IS NULL
               ORDER BY n.id";
    let linhas: Vec<AvisoRow> =
        on_db!(db, pool => sqlx::query_as(sql).bind(ate).fetch_all(pool).await?);
    Ok(linhas
        .into_iter()
        .map(|r| {
            (
                Notificacao {
                    id: r.id,
                    processo_id: r.processo_id,
                    tipo: r.tipo,
                    disponibilizada_em: r.disponibilizada_em,
                    ciencia_em: r.ciencia_em,
                    ciencia_forma: r.ciencia_forma,
                    prazo: r.prazo,
                    vencimento: r.vencimento,
                },
                r.nup,
            )
        })
        .collect())
}

#[derive(sqlx::FromRow)]
struct AvisoRow {
    id: i64,
    processo_id: i64,
    #[sqlx(try_from = "String")]
    tipo: TipoNotificacao,
    disponibilizada_em: NaiveDate,
    ciencia_em: Option<NaiveDate>,
    ciencia_forma: Option<String>,
    prazo: Option<String>,
    vencimento: Option<NaiveDate>,
    nup: Option<String>,
}

/// Records that a notice's approaching deadline was announced (once): false if already done.
pub async fn marcar_aviso_de_prazo(
    tx: &mut Tx,
    notificacao_id: i64,
    em: NaiveDate,
) -> Result<bool, StoreError> {
    let n = on_tx!(tx, conn => sqlx::query(
        "UPDATE notificacoes SET prazo_aviso_em = $2 WHERE id = $1 AND prazo_aviso_em IS NULL")
        .bind(notificacao_id).bind(em).execute(conn).await?.rows_affected());
    Ok(n == 1)
}

/// Marks a notice's period as closed (once): false if another run closed it first.
pub async fn encerrar_prazo(
    tx: &mut Tx,
    notificacao_id: i64,
    em: NaiveDate,
) -> Result<bool, StoreError> {
    let n = on_tx!(tx, conn => sqlx::query(
        "UPDATE notificacoes SET prazo_encerrado_em = $2 WHERE id = $1 AND prazo_encerrado_em IS NULL")
        .bind(notificacao_id).bind(em).execute(conn).await?.rows_affected());
    Ok(n == 1)
}

/// Records ciência and the deadline it opens on the notice (only once).
pub async fn registrar_ciencia(
    tx: &mut Tx,
    notificacao_id: i64,
    em: NaiveDate,
    forma: FormaCiencia,
    por: Option<&str>,
    prazo_json: Option<&str>,
    vencimento: Option<NaiveDate>,
) -> Result<bool, StoreError> {
    let n = on_tx!(tx, conn => sqlx::query(
        "UPDATE notificacoes SET ciencia_em = $2, ciencia_forma = $3, ciencia_por = $4, prazo = $5,
                                 vencimento = $6
         WHERE id = $1 AND ciencia_em IS NULL")
        .bind(notificacao_id).bind(em).bind(forma.as_str()).bind(por).bind(prazo_json).bind(vencimento)
        .execute(conn).await?.rows_affected());
    Ok(n == 1)
}

/// Moves the attendances of a notice from one state to another (the transition was decided by
/// the domain's state machine); returns how many moved.
pub async fn transicionar(
    tx: &mut Tx,
    notificacao_id: i64,
    de: Estado,
    para: Estado,
) -> Result<u64, StoreError> {
    Ok(on_tx!(tx, conn => sqlx::query(
        "UPDATE atendimentos SET estado = $3
         WHERE processo_id = (SELECT processo_id FROM notificacoes WHERE id = $1)
           AND estado = $2 AND notificacao_id = $1")
        .bind(notificacao_id).bind(de.as_str()).bind(para.as_str()).execute(conn).await?.rows_affected()))
}

/// [`transicionar`] for the attendances governed by a decision notice.
pub async fn transicionar_por_decisao(
    tx: &mut Tx,
    notificacao_id: i64,
    de: Estado,
    para: Estado,
) -> Result<u64, StoreError> {
    Ok(on_tx!(tx, conn => sqlx::query(
        "UPDATE atendimentos SET estado = $3
         WHERE processo_id = (SELECT processo_id FROM notificacoes WHERE id = $1)
           AND estado = $2 AND notificacao_decisao_id = $1")
        .bind(notificacao_id).bind(de.as_str()).bind(para.as_str()).execute(conn).await?.rows_affected()))
}

/// Attendances per state (for summaries and tests).
pub async fn contagem_por_estado(db: &Db) -> Result<Vec<(String, i64)>, StoreError> {
    let sql = "SELECT estado, COUNT(*) FROM atendimentos GROUP BY estado ORDER BY estado";
    Ok(on_db!(db, pool => sqlx::query_as(sql).fetch_all(pool).await?))
}

/// Attendances of one process per state.
pub async fn contagem_do_processo(
    db: &Db,
    processo_id: i64,
) -> Result<Vec<(Estado, i64)>, StoreError> {
    let sql = "SELECT estado, COUNT(*) FROM atendimentos WHERE processo_id = $1 GROUP BY estado";
    let linhas: Vec<(String, i64)> =
        on_db!(db, pool => sqlx::query_as(sql).bind(processo_id).fetch_all(pool).await?);
    linhas
        .into_iter()
        .map(|(e, n)| {
            Estado::try_from(e)
                .map(|e| (e, n))
                .map_err(|e| StoreError::Reference(e.to_string()))
        })
        .collect()
}

/// One attendance of a process as the demo scenario and the queues see it.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct AtendimentoDoProcesso {
    pub id: i64,
    pub numero: String,
    #[sqlx(try_from = "String")]
    pub estado: Estado,
    pub valor_devido_centavos: Option<i64>,
}

pub async fn atendimentos_do_processo(
    db: &Db,
    processo_id: i64,
) -> Result<Vec<AtendimentoDoProcesso>, StoreError> {
    let sql = "SELECT id, numero, estado, valor_devido_centavos FROM atendimentos
               WHERE processo_id = $1 ORDER BY id";
    Ok(on_db!(db, pool => sqlx::query_as(sql).bind(processo_id).fetch_all(pool).await?))
}

/// The notices of a process, oldest first.
pub async fn notificacoes_do_processo(
    db: &Db,
    processo_id: i64,
) -> Result<Vec<Notificacao>, StoreError> {
    let sql = format!("SELECT {NOTIF} FROM notificacoes WHERE processo_id = $1 ORDER BY id");
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(processo_id).fetch_all(pool).await?))
}

/// A placeholder for the NUP while the heavy part of a process's transaction runs: unique per
/// (ABI, operator) like the process itself, 17 characters like a NUP, never committed (the NUP
/// replaces it before commit, see [`definir_nup`]).
pub fn nup_provisorio(abi: i32, operadora: &str) -> String {
    format!("X{abi:06}{operadora:0>10}")
}

/// Gives the process its NUP and the notice the final content, at the end of the transaction
/// (so the NUP registry row is locked only for the last statements).
pub async fn definir_nup(
    tx: &mut Tx,
    processo_id: i64,
    notificacao_id: i64,
    nup: &str,
    conteudo: &serde_json::Value,
) -> Result<(), StoreError> {
    on_tx!(tx, conn => sqlx::query("UPDATE processos SET nup = $2 WHERE id = $1")
        .bind(processo_id).bind(nup).execute(conn).await?.rows_affected());
    on_tx!(tx, conn => sqlx::query("UPDATE notificacoes SET conteudo = $2 WHERE id = $1")
        .bind(notificacao_id).bind(conteudo.to_string()).execute(conn).await?.rows_affected());
    Ok(())
}

/// One entry of the notification feed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct ItemFeed {
    pub id: i64,
    #[sqlx(try_from = "String")]
    #[schema(value_type = String)]
    pub tipo: TipoNotificacao,
    pub processo: String,
    pub operadora: String,
    pub disponibilizada_em: NaiveDate,
    pub ciencia_em: Option<NaiveDate>,
    pub ciencia_forma: Option<String>,
    pub vencimento: Option<NaiveDate>,
}

/// Notices after `apos` (id order, the feed's cursor), of one operator or of all (ANS).
pub async fn feed(
    db: &Db,
    operadora: Option<&str>,
    apos: i64,
    limite: i64,
) -> Result<Vec<ItemFeed>, StoreError> {
    let sql =
        "SELECT n.id, n.tipo, p.nup AS processo, p.operadora, n.disponibilizada_em, n.ciencia_em,
                      n.ciencia_forma, n.vencimento
               FROM notificacoes n JOIN processos p ON p.id = n.processo_id
               WHERE n.id > $1 AND ($2 IS NULL OR p.operadora = $2)
               ORDER BY n.id LIMIT $3";
    Ok(
        on_db!(db, pool => sqlx::query_as(sql).bind(apos).bind(operadora).bind(limite).fetch_all(pool).await?),
    )
}

/// What an operator must act on: notices without ciência and notices whose period runs on
/// or after `hoje` (the dashboard; not the whole feed).
pub async fn pendencias(
    db: &Db,
    operadora: &str,
    hoje: NaiveDate,
) -> Result<Vec<ItemFeed>, StoreError> {
    let sql =
        "SELECT n.id, n.tipo, p.nup AS processo, p.operadora, n.disponibilizada_em, n.ciencia_em,
                      n.ciencia_forma, n.vencimento
               FROM notificacoes n JOIN processos p ON p.id = n.processo_id
               WHERE p.operadora = $1 AND (n.ciencia_em IS NULL OR n.vencimento >= $2)
               ORDER BY n.id";
    Ok(on_db!(db, pool => sqlx::query_as(sql).bind(operadora).bind(hoje).fetch_all(pool).await?))
}

/// The content (JSON text) of a notice.
pub async fn conteudo_notificacao(db: &Db, id: i64) -> Result<Option<String>, StoreError> {
    let sql = "SELECT conteudo FROM notificacoes WHERE id = $1";
    Ok(on_db!(db, pool => sqlx::query_scalar(sql).bind(id).fetch_optional(pool).await?))
}

/// Processes of one operator or of all (ANS), newest first, after the cursor `antes` (id).
pub async fn processos(
    db: &Db,
    operadora: Option<&str>,
    antes: i64,
    limite: i64,
) -> Result<Vec<Processo>, StoreError> {
    let sql = "SELECT id, nup, abi_numero, operadora, instaurado_em, atendimentos, valor_centavos
               FROM processos WHERE id < $1 AND ($2 IS NULL OR operadora = $2)
               ORDER BY id DESC LIMIT $3";
    Ok(
        on_db!(db, pool => sqlx::query_as(sql).bind(antes).bind(operadora).bind(limite).fetch_all(pool).await?),
    )
}

/// Processes of one operator or of all (ANS), oldest first, after the cursor `apos` (id): the
/// API's order for cursor lists, so a client that keeps the last `proximo` gets only newer ones.
pub async fn processos_desde(
    db: &Db,
    operadora: Option<&str>,
    apos: i64,
    limite: i64,
) -> Result<Vec<Processo>, StoreError> {
    let sql = "SELECT id, nup, abi_numero, operadora, instaurado_em, atendimentos, valor_centavos
               FROM processos WHERE id > $1 AND ($2 IS NULL OR operadora = $2)
               ORDER BY id LIMIT $3";
    Ok(
        on_db!(db, pool => sqlx::query_as(sql).bind(apos).bind(operadora).bind(limite).fetch_all(pool).await?),
    )
}

/// One attendance as the Ofício ABI lists it (IN DIDES 47/2011 art. 2 sole paragraph, items
/// III–IX). Holds personal data (beneficiary CNS and birth date).
#[derive(Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct LinhaOficio {
    pub numero: String,
    pub tipo: String,
    pub competencia: String,
    pub cnes: String,
    pub estabelecimento: String,
    pub natureza_estabelecimento: String,
    pub municipio_estabelecimento: String,
    pub uf_estabelecimento: String,
    pub beneficiario_codigo: String,
    pub beneficiario_cns: String,
    pub beneficiario_nascimento: NaiveDate,
    pub data_inicio: NaiveDate,
    pub data_fim: NaiveDate,
    pub carater: String,
    pub valor_sus_centavos: i64,
    pub valor_ressarcimento_centavos: i64,
    #[sqlx(skip)]
    pub procedimentos: Vec<ProcedimentoOficio>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct ProcedimentoOficio {
    #[serde(skip)]
    pub numero: String,
    pub codigo: String,
    pub descricao: String,
    pub quantidade: i32,
    pub valor_centavos: i64,
}

/// The machine-readable list of an Ofício ABI: every attendance of the process with provider,
/// beneficiary, dates, character and each procedure (code, description, quantity, value).
pub async fn lista_do_oficio(db: &Db, processo_id: i64) -> Result<Vec<LinhaOficio>, StoreError> {
    let sql = "SELECT a.numero, a.tipo, a.competencia, a.cnes, e.nome AS estabelecimento,
                      e.natureza AS natureza_estabelecimento,
                      e.municipio_ibge AS municipio_estabelecimento, e.uf AS uf_estabelecimento,
                      b.codigo AS beneficiario_codigo, b.cns AS beneficiario_cns,
                      b.data_nascimento AS beneficiario_nascimento, a.data_inicio, a.data_fim,
                      a.carater, a.valor_sus_centavos, a.valor_ressarcimento_centavos
               FROM atendimentos a JOIN estabelecimentos e ON e.cnes = a.cnes
                    JOIN beneficiarios b ON b.id = a.beneficiario_id
               WHERE a.processo_id = $1 ORDER BY a.numero";
    let mut linhas: Vec<LinhaOficio> =
        on_db!(db, pool => sqlx::query_as(sql).bind(processo_id).fetch_all(pool).await?);
    let sql = "SELECT a.numero, p.codigo, s.nome AS descricao, p.quantidade, p.valor_centavos
               FROM atendimento_procedimentos p JOIN atendimentos a ON a.id = p.atendimento_id
                    JOIN procedimentos_sigtap s ON s.codigo = p.codigo
               WHERE a.processo_id = $1 ORDER BY a.numero, p.seq";
    let itens: Vec<ProcedimentoOficio> =
        on_db!(db, pool => sqlx::query_as(sql).bind(processo_id).fetch_all(pool).await?);
    let mut por_numero: std::collections::HashMap<String, Vec<ProcedimentoOficio>> =
        std::collections::HashMap::new();
    for i in itens {
        por_numero.entry(i.numero.clone()).or_default().push(i);
    }
    for l in &mut linhas {
        l.procedimentos = por_numero.remove(&l.numero).unwrap_or_default();
    }
    Ok(linhas)
}
