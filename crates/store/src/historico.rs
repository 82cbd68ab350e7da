//! One attendance in full: what it is, where it stands, and every fact of its history
//! (the notices and their ciência, the petitions, the decisions) — read from the rows each
//! step wrote, so the history can never disagree with the state.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use persus_domain::acesso::TipoNotificacao;
use persus_domain::ids::{Cns, Cpf};
use persus_domain::lifecycle::Estado;
use persus_domain::peticoes::{EstadoPeticao, TipoPeticao};

use crate::{Db, StoreError};

/// Holds personal data: its `Debug` shows only identifiers, so it can never reach a log whole.
#[derive(Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Ficha {
    pub id: i64,
    pub tipo: String,
    pub numero: String,
    pub competencia: String,
    pub operadora: String,
    pub cnes: String,
    pub procedimento_principal: String,
    pub data_inicio: NaiveDate,
    pub data_fim: NaiveDate,
    pub carater: String,
    #[sqlx(try_from = "String")]
    #[schema(value_type = String)]
    pub estado: Estado,
    pub valor_sus_centavos: i64,
    pub valor_ressarcimento_centavos: i64,
    pub valor_devido_centavos: Option<i64>,
    pub regra_valoracao: String,
    pub identificado_em: DateTime<Utc>,
    pub processo_id: Option<i64>,
    pub nup: Option<String>,
    pub abi_numero: Option<i32>,
    /// Personal data: reads of a `Ficha` through the API are recorded in the access log.
    pub beneficiario_nome: String,
    pub beneficiario_cpf: Option<String>,
    pub beneficiario_cns: String,
    pub beneficiario_nascimento: NaiveDate,
    /// The Ofício ABI, read in the same query (see [`Ficha::oficio`]).
    #[serde(skip)]
    pub oficio_id: Option<i64>,
    #[serde(skip)]
    pub oficio_disponibilizada_em: Option<NaiveDate>,
    #[serde(skip)]
    pub oficio_ciencia_em: Option<NaiveDate>,
    #[serde(skip)]
    pub oficio_ciencia_forma: Option<String>,
    #[serde(skip)]
    pub oficio_ciencia_por: Option<String>,
    #[serde(skip)]
    pub oficio_vencimento: Option<NaiveDate>,
    #[serde(skip)]
    pub oficio_prazo: Option<String>,
    /// Whether any petition (draft or protocolled) names the attendance: when not, the history
    /// needs no other query.
    #[serde(skip)]
    pub tem_peticoes: bool,
}

impl Ficha {
    /// The Ofício ABI that notified the attendance, if it was published.
    pub fn oficio(&self) -> Option<NotificacaoDoAtendimento> {
        Some(NotificacaoDoAtendimento {
            id: self.oficio_id?,
            // The attendance's notice is the Ofício ABI that opened its process.
            tipo: TipoNotificacao::OficioAbi,
            disponibilizada_em: self.oficio_disponibilizada_em?,
            ciencia_em: self.oficio_ciencia_em,
            ciencia_forma: self.oficio_ciencia_forma.clone(),
            ciencia_por: self.oficio_ciencia_por.clone(),
            vencimento: self.oficio_vencimento,
            prazo: self.oficio_prazo.clone(),
        })
    }
}

impl std::fmt::Debug for Ficha {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ficha")
            .field("id", &self.id)
            .field("numero", &self.numero)
            .field("operadora", &self.operadora)
            .field("estado", &self.estado)
            .finish_non_exhaustive()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct NotificacaoDoAtendimento {
    pub id: i64,
    #[sqlx(try_from = "String")]
    #[schema(value_type = String)]
    pub tipo: TipoNotificacao,
    pub disponibilizada_em: NaiveDate,
    pub ciencia_em: Option<NaiveDate>,
    pub ciencia_forma: Option<String>,
    pub ciencia_por: Option<String>,
    pub vencimento: Option<NaiveDate>,
    pub prazo: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct PeticaoDoAtendimento {
    pub id: i64,
    #[sqlx(try_from = "String")]
    #[schema(value_type = String)]
    pub tipo: TipoPeticao,
    #[sqlx(try_from = "String")]
    #[schema(value_type = String)]
    pub estado: EstadoPeticao,
    pub protocolo: Option<String>,
    pub protocolada_em: Option<DateTime<Utc>>,
    pub motivo: String,
    pub fundamentacao: String,
    pub auditor: Option<String>,
    pub criada_em: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct DecisaoDoAtendimento {
    pub instancia: String,
    pub resultado: String,
    pub valor_anterior: i64,
    pub valor_novo: i64,
    pub fundamentacao: String,
    pub decidido_por: String,
    pub decidido_em: DateTime<Utc>,
    pub notificacao_id: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct DocumentoDaPeticao {
    pub peticao_id: i64,
    pub id: i64,
    pub nome_arquivo: String,
    pub sha256: String,
    pub tamanho: i64,
}

/// The attendance by AIH/APAC number, only when it belongs to `operadora` (when given):
/// another operator's attendance does not exist for it.
pub async fn ficha(
    db: &Db,
    numero: &str,
    operadora: Option<&str>,
) -> Result<Option<Ficha>, StoreError> {
    let sql = "SELECT a.id, a.tipo, a.numero, a.competencia, a.operadora, a.cnes,
                      a.procedimento_principal, a.data_inicio, a.data_fim, a.carater, a.estado,
                      a.valor_sus_centavos, a.valor_ressarcimento_centavos, a.valor_devido_centavos,
                      a.regra_valoracao, a.identificado_em, a.processo_id, p.nup, p.abi_numero,
                      b.nome AS beneficiario_nome, b.cpf AS beneficiario_cpf,
                      b.cns AS beneficiario_cns, b.data_nascimento AS beneficiario_nascimento,
                      n.id AS oficio_id,
                      n.disponibilizada_em AS oficio_disponibilizada_em,
                      n.ciencia_em AS oficio_ciencia_em, n.ciencia_forma AS oficio_ciencia_forma,
                      n.ciencia_por AS oficio_ciencia_por, n.vencimento AS oficio_vencimento,
                      n.prazo AS oficio_prazo,
                      EXISTS (SELECT 1 FROM peticao_atendimentos pa WHERE pa.atendimento_id = a.id)
                          AS tem_peticoes
               FROM atendimentos a LEFT JOIN processos p ON p.id = a.processo_id
                    JOIN beneficiarios b ON b.id = a.beneficiario_id
                    LEFT JOIN notificacoes n ON n.id = a.notificacao_id
               WHERE a.numero = $1 AND ($2 IS NULL OR a.operadora = $2)";
    Ok(
        on_db!(db, pool => sqlx::query_as(sql).bind(numero).bind(operadora).fetch_optional(pool).await?),
    )
}

/// The decision notices that concerned the attendance, oldest first (the Ofício ABI comes with
/// the [`Ficha`]).
pub async fn notificacoes_de_decisao(
    db: &Db,
    atendimento_id: i64,
) -> Result<Vec<NotificacaoDoAtendimento>, StoreError> {
    let sql =
        "SELECT n.id, n.tipo, n.disponibilizada_em, n.ciencia_em, n.ciencia_forma, n.ciencia_por,
                      n.vencimento, n.prazo
               FROM notificacoes n
               WHERE n.id IN (SELECT notificacao_id FROM decisoes WHERE atendimento_id = $1)
               ORDER BY n.disponibilizada_em, n.id";
    Ok(on_db!(db, pool => sqlx::query_as(sql).bind(atendimento_id).fetch_all(pool).await?))
}

/// Petitions over the attendance (drafts included: the operator's own work in progress).
pub async fn peticoes(
    db: &Db,
    atendimento_id: i64,
) -> Result<Vec<PeticaoDoAtendimento>, StoreError> {
    let sql =
        "SELECT p.id, p.tipo, p.estado, p.protocolo, p.protocolada_em, p.motivo, p.fundamentacao,
                      p.auditor, p.criada_em
               FROM peticoes p JOIN peticao_atendimentos pa ON pa.peticao_id = p.id
               WHERE pa.atendimento_id = $1 ORDER BY p.criada_em, p.id";
    Ok(on_db!(db, pool => sqlx::query_as(sql).bind(atendimento_id).fetch_all(pool).await?))
}

pub async fn decisoes(
    db: &Db,
    atendimento_id: i64,
) -> Result<Vec<DecisaoDoAtendimento>, StoreError> {
    let sql =
        "SELECT instancia, resultado, valor_anterior, valor_novo, fundamentacao, decidido_por,
                      decidido_em, notificacao_id
               FROM decisoes WHERE atendimento_id = $1 ORDER BY decidido_em, id";
    Ok(on_db!(db, pool => sqlx::query_as(sql).bind(atendimento_id).fetch_all(pool).await?))
}

/// Documents attached to the attendance's petitions.
pub async fn documentos(
    db: &Db,
    atendimento_id: i64,
) -> Result<Vec<DocumentoDaPeticao>, StoreError> {
    let sql = "SELECT pd.peticao_id, d.id, d.nome_arquivo, d.sha256, d.tamanho
               FROM peticao_documentos pd JOIN documentos d ON d.id = pd.documento_id
               WHERE pd.peticao_id IN (SELECT peticao_id FROM peticao_atendimentos WHERE atendimento_id = $1)
               ORDER BY pd.peticao_id, d.id";
    Ok(on_db!(db, pool => sqlx::query_as(sql).bind(atendimento_id).fetch_all(pool).await?))
}

/// Who a search looks for: a CNS (15 digits), a CPF (11 digits) or part of a name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BuscaBeneficiario {
    Cns(String),
    Cpf(String),
    /// Part of the name, case-insensitive (ASCII case on SQLite, full Unicode on PostgreSQL).
    Nome(String),
}

/// Filters of the attendance search (all optional; `operadora` is forced for operators).
/// Values are already checked and normalised by the service (`servicos::consulta`).
#[derive(Clone, Debug, Default)]
pub struct Filtro {
    pub operadora: Option<String>,
    pub abi: Option<i32>,
    /// The NUP's 17 digits.
    pub processo: Option<String>,
    pub estado: Option<Estado>,
    /// AAAAMM.
    pub competencia: Option<String>,
    /// AIH/APAC number: the whole number or its first digits.
    pub numero: Option<String>,
    pub beneficiario: Option<BuscaBeneficiario>,
    /// SIGTAP code (10 digits): the main procedure or any procedure of the attendance.
    pub procedimento: Option<String>,
    /// The attendances an Ofício ABI notified (the notice's id).
    pub oficio: Option<i64>,
    /// The attendances a decision notice told (the notice's id).
    pub notificacao_de_decisao: Option<i64>,
    /// Deadline of the Ofício ABI on or after / on or before (the "deadline window").
    pub prazo_de: Option<NaiveDate>,
    pub prazo_ate: Option<NaiveDate>,
    /// Cursor: attendances with id greater than this.
    pub apos: i64,
    /// Lines skipped after the cursor (numbered pages).
    pub pular: i64,
    pub limite: i64,
}

/// The beneficiary of a search line, partially hidden (LGPD): enough to tell people apart,
/// not to identify them. The whole record is one read of the attendance, which is recorded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct BeneficiarioMascarado {
    /// First name and the initials of the others: `MARIA S. O.`
    pub nome: String,
    /// `170 **** **** 0018`
    pub cns: String,
    /// `***.456.789-**`
    pub cpf: Option<String>,
}

impl BeneficiarioMascarado {
    /// The one masking rule of lists (web and API alike).
    pub fn de(nome: &str, cns: &str, cpf: Option<&str>) -> BeneficiarioMascarado {
        let mut partes = nome.split_whitespace();
        let mut curto = partes.next().unwrap_or_default().to_owned();
        for p in partes {
            if let Some(c) = p.chars().next() {
                curto.push(' ');
                curto.push(c);
                curto.push('.');
            }
        }
        let cns = Cns::parse(cns)
            .map(|c| c.masked())
            .unwrap_or_else(|_| "*".repeat(15));
        let cpf = cpf.map(|c| {
            Cpf::parse(c)
                .map(|c| c.masked())
                .unwrap_or_else(|_| "***.***.***-**".to_owned())
        });
        BeneficiarioMascarado {
            nome: curto,
            cns,
            cpf,
        }
    }
}

/// One line of the attendance search; the beneficiary only masked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Resumo {
    pub id: i64,
    pub numero: String,
    pub tipo: String,
    /// AAAAMM.
    pub competencia: String,
    pub operadora: String,
    pub abi: Option<i32>,
    pub processo: Option<String>,
    #[schema(value_type = String)]
    pub estado: Estado,
    pub valor_ressarcimento_centavos: i64,
    pub valor_devido_centavos: Option<i64>,
    pub prazo_impugnacao: Option<NaiveDate>,
    /// SIGTAP code of the main procedure.
    pub procedimento: String,
    pub beneficiario: BeneficiarioMascarado,
}

#[derive(sqlx::FromRow)]
struct LinhaResumo {
    id: i64,
    numero: String,
    tipo: String,
    competencia: String,
    operadora: String,
    abi: Option<i32>,
    processo: Option<String>,
    #[sqlx(try_from = "String")]
    estado: Estado,
    valor_ressarcimento_centavos: i64,
    valor_devido_centavos: Option<i64>,
    prazo_impugnacao: Option<NaiveDate>,
    procedimento: String,
    beneficiario_nome: String,
    beneficiario_cns: String,
    beneficiario_cpf: Option<String>,
}

impl From<LinhaResumo> for Resumo {
    fn from(l: LinhaResumo) -> Resumo {
        let beneficiario = BeneficiarioMascarado::de(
            &l.beneficiario_nome,
            &l.beneficiario_cns,
            l.beneficiario_cpf.as_deref(),
        );
        Resumo {
            id: l.id,
            numero: l.numero,
            tipo: l.tipo,
            competencia: l.competencia,
            operadora: l.operadora,
            abi: l.abi,
            processo: l.processo,
            estado: l.estado,
            valor_ressarcimento_centavos: l.valor_ressarcimento_centavos,
            valor_devido_centavos: l.valor_devido_centavos,
            prazo_impugnacao: l.prazo_impugnacao,
            procedimento: l.procedimento,
            beneficiario,
        }
    }
}

const DE_BUSCA: &str = " FROM atendimentos a LEFT JOIN processos p ON p.id = a.processo_id
                              LEFT JOIN notificacoes n ON n.id = a.notificacao_id
                              JOIN beneficiarios b ON b.id = a.beneficiario_id
                         WHERE a.id > ";

/// Appends the filter's conditions (after `WHERE a.id > `) to a query of either database.
macro_rules! condicoes {
    ($qb:ident, $f:expr) => {{
        let f: &Filtro = $f;
        $qb.push_bind(f.apos);
        if let Some(v) = &f.operadora {
            $qb.push(" AND a.operadora = ").push_bind(v.clone());
        }
        if let Some(v) = f.abi {
            $qb.push(" AND p.abi_numero = ").push_bind(v);
        }
        if let Some(v) = &f.processo {
            $qb.push(" AND p.nup = ").push_bind(v.clone());
        }
        if let Some(v) = f.estado {
            $qb.push(" AND a.estado = ").push_bind(v.as_str());
        }
        if let Some(v) = &f.competencia {
            $qb.push(" AND a.competencia = ").push_bind(v.clone());
        }
        if let Some(v) = &f.numero {
            if v.len() == 13 {
                $qb.push(" AND a.numero = ").push_bind(v.clone());
            } else {
                $qb.push(" AND a.numero LIKE ").push_bind(format!("{v}%"));
            }
        }
        match &f.beneficiario {
            Some(BuscaBeneficiario::Cns(v)) => {
                $qb.push(" AND b.cns = ").push_bind(v.clone());
            }
            Some(BuscaBeneficiario::Cpf(v)) => {
                $qb.push(" AND b.cpf = ").push_bind(v.clone());
            }
            Some(BuscaBeneficiario::Nome(v)) => {
                $qb.push(" AND LOWER(b.nome) LIKE ")
                    .push_bind(format!("%{}%", v.to_lowercase()));
            }
            None => {}
        }
        if let Some(v) = &f.procedimento {
            $qb.push(" AND (a.procedimento_principal = ")
                .push_bind(v.clone());
            $qb.push(
                " OR EXISTS (SELECT 1 FROM atendimento_procedimentos ap
                                  WHERE ap.atendimento_id = a.id AND ap.codigo = ",
            )
            .push_bind(v.clone());
            $qb.push("))");
        }
        if let Some(v) = f.oficio {
            $qb.push(" AND a.notificacao_id = ").push_bind(v);
        }
        if let Some(v) = f.notificacao_de_decisao {
            $qb.push(
                " AND EXISTS (SELECT 1 FROM decisoes d WHERE d.atendimento_id = a.id
                                   AND d.notificacao_id = ",
            )
            .push_bind(v);
            $qb.push(")");
        }
        if let Some(v) = f.prazo_de {
            $qb.push(" AND n.vencimento >= ").push_bind(v);
        }
        if let Some(v) = f.prazo_ate {
            $qb.push(" AND n.vencimento <= ").push_bind(v);
        }
    }};
}

/// A page of the search, in id order.
pub async fn buscar(db: &Db, f: &Filtro) -> Result<Vec<Resumo>, StoreError> {
    let linhas: Vec<LinhaResumo> = on_db!(db, pool => {
        let mut qb = sqlx::QueryBuilder::new(
            "SELECT a.id, a.numero, a.tipo, a.competencia, a.operadora, p.abi_numero AS abi,
                    p.nup AS processo, a.estado, a.valor_ressarcimento_centavos,
                    a.valor_devido_centavos, n.vencimento AS prazo_impugnacao,
                    a.procedimento_principal AS procedimento, b.nome AS beneficiario_nome,
                    b.cns AS beneficiario_cns, b.cpf AS beneficiario_cpf");
        qb.push(DE_BUSCA);
        condicoes!(qb, f);
        qb.push(" ORDER BY a.id LIMIT ").push_bind(f.limite);
        qb.push(" OFFSET ").push_bind(f.pular);
        qb.build_query_as::<LinhaResumo>().fetch_all(pool).await?
    });
    Ok(linhas.into_iter().map(Resumo::from).collect())
}

/// How many attendances the filter matches (the cursor and the page size do not count).
pub async fn contar(db: &Db, f: &Filtro) -> Result<i64, StoreError> {
    let todos = Filtro {
        apos: 0,
        ..f.clone()
    };
    Ok(on_db!(db, pool => {
        let mut qb = sqlx::QueryBuilder::new("SELECT COUNT(*)");
        qb.push(DE_BUSCA);
        condicoes!(qb, &todos);
        qb.build_query_scalar::<i64>().fetch_one(pool).await?
    }))
}

/// Ids of attendances by AIH/APAC number (for decisions, which name attendances by number).
pub async fn ids_por_numero(db: &Db, numeros: &[String]) -> Result<Vec<(String, i64)>, StoreError> {
    let mut out = Vec::with_capacity(numeros.len());
    for chunk in numeros.chunks(1_000) {
        let linhas: Vec<(String, i64)> = on_db!(db, pool => {
            let mut qb = sqlx::QueryBuilder::new("SELECT numero, id FROM atendimentos WHERE numero IN (");
            let mut sep = qb.separated(", ");
            for n in chunk {
                sep.push_bind(n.clone());
            }
            qb.push(")");
            qb.build_query_as().fetch_all(pool).await?
        });
        out.extend(linhas);
    }
    Ok(out)
}

/// Decisions per month and instance: `(AAAA-MM, instancia, count)` — analysis productivity.
pub async fn decisoes_por_mes(db: &Db) -> Result<Vec<(String, String, i64)>, StoreError> {
    let linhas: Vec<(DateTime<Utc>, String)> = on_db!(db, pool => sqlx::query_as(
        "SELECT decidido_em, instancia FROM decisoes ORDER BY decidido_em").fetch_all(pool).await?);
    let mut out: Vec<(String, String, i64)> = Vec::new();
    for (em, inst) in linhas {
        let m = em.format("%Y-%m").to_string();
        match out.iter_mut().find(|x| x.0 == m && x.1 == inst) {
            Some(x) => x.2 += 1,
            None => out.push((m, inst, 1)),
        }
    }
    Ok(out)
}
