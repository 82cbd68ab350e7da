//! Bulk writers for the synthetic demo data set (`persus demo`).
//!
//! The generator (in the server crate) produces plain rows; these functions write them in
//! multi-row `INSERT`s inside the caller's transaction, so a seed either lands whole or not at
//! all. Chunk sizes keep every statement under SQLite's 32,766 bound parameters.

use chrono::{DateTime, NaiveDate, Utc};

use crate::{StoreError, Tx};

#[derive(Clone, Debug)]
pub struct NovoProcedimento {
    pub codigo: String,
    pub nome: String,
    pub grupo: i16,
    pub instrumento: &'static str,
    pub valor_referencia_centavos: i64,
}

#[derive(Clone, Debug)]
pub struct NovoEstabelecimento {
    pub cnes: String,
    pub nome: String,
    pub natureza: &'static str,
    pub municipio_ibge: String,
    pub uf: String,
}

#[derive(Clone, Debug)]
pub struct NovoBeneficiario {
    pub id: i64,
    pub operadora: String,
    pub codigo: String,
    pub cpf: Option<String>,
    pub cns: String,
    pub nome: String,
    pub data_nascimento: NaiveDate,
    pub sexo: &'static str,
    pub municipio_ibge: String,
}

#[derive(Clone, Debug)]
pub struct NovoVinculo {
    pub id: i64,
    pub beneficiario_id: i64,
    pub operadora: String,
    pub registro_produto: String,
    pub tipo_contratacao: &'static str,
    pub segmentacao: &'static str,
    pub abrangencia: &'static str,
    pub abrangencia_uf: Option<String>,
    pub regulamentado: bool,
    pub data_adesao: NaiveDate,
    pub data_cancelamento: Option<NaiveDate>,
    pub fim_carencia: NaiveDate,
}

#[derive(Clone, Debug)]
pub struct NovoAtendimento {
    pub id: i64,
    pub tipo: &'static str,
    pub numero: String,
    pub competencia: String,
    pub operadora: String,
    pub beneficiario_id: i64,
    pub vinculo_id: i64,
    pub cnes: String,
    pub municipio_ibge: String,
    pub data_inicio: NaiveDate,
    pub data_fim: NaiveDate,
    pub carater: &'static str,
    pub cid: String,
    pub procedimento_principal: String,
    pub valor_sus_centavos: i64,
    pub valor_ressarcimento_centavos: i64,
    pub regra_valoracao: &'static str,
    pub identificado_em: DateTime<Utc>,
}

#[derive(Clone, Debug)]
pub struct NovoItemProcedimento {
    pub atendimento_id: i64,
    pub seq: i16,
    pub codigo: String,
    pub quantidade: i32,
    pub valor_centavos: i64,
}

/// Rows per statement for a table of `columns` columns.
fn chunk_rows(columns: usize) -> usize {
    (30_000 / columns).min(1_000)
}

/// Writes `rows` into `table` with one multi-row INSERT per chunk; `$bind` pushes the values
/// of one row onto the separated builder.
macro_rules! bulk_insert {
    ($tx:expr, $table_and_columns:expr, $columns:expr, $rows:expr, |$b:ident, $r:ident| $bind:block) => {{
        for chunk in $rows.chunks(chunk_rows($columns)) {
            on_tx!($tx, conn => {
                let mut qb = sqlx::QueryBuilder::new(concat!("INSERT INTO ", $table_and_columns, " "));
                qb.push_values(chunk, |mut $b, $r| $bind);
                qb.build().execute(conn).await?.rows_affected();
            });
        }
        Ok::<usize, StoreError>($rows.len())
    }};
}

pub async fn insert_procedimentos(
    tx: &mut Tx,
    rows: &[NovoProcedimento],
) -> Result<usize, StoreError> {
    bulk_insert!(
        tx,
        "procedimentos_sigtap (codigo, nome, grupo, instrumento, valor_referencia_centavos)",
        5,
        rows,
        |b, r| {
            b.push_bind(&r.codigo)
                .push_bind(&r.nome)
                .push_bind(r.grupo)
                .push_bind(r.instrumento)
                .push_bind(r.valor_referencia_centavos);
        }
    )
}

pub async fn insert_estabelecimentos(
    tx: &mut Tx,
    rows: &[NovoEstabelecimento],
) -> Result<usize, StoreError> {
    bulk_insert!(
        tx,
        "estabelecimentos (cnes, nome, natureza, municipio_ibge, uf)",
        5,
        rows,
        |b, r| {
            b.push_bind(&r.cnes)
                .push_bind(&r.nome)
                .push_bind(r.natureza)
                .push_bind(&r.municipio_ibge)
                .push_bind(&r.uf);
        }
    )
}

pub async fn insert_beneficiarios(
    tx: &mut Tx,
    rows: &[NovoBeneficiario],
) -> Result<usize, StoreError> {
    bulk_insert!(tx,
        "beneficiarios (id, operadora, codigo, cpf, cns, nome, data_nascimento, sexo, municipio_ibge)",
        9, rows, |b, r| {
            b.push_bind(r.id).push_bind(&r.operadora).push_bind(&r.codigo).push_bind(&r.cpf)
                .push_bind(&r.cns).push_bind(&r.nome).push_bind(r.data_nascimento)
                .push_bind(r.sexo).push_bind(&r.municipio_ibge);
        })
}

pub async fn insert_vinculos(tx: &mut Tx, rows: &[NovoVinculo]) -> Result<usize, StoreError> {
    bulk_insert!(
        tx,
        "vinculos (id, beneficiario_id, operadora, registro_produto, tipo_contratacao, segmentacao,
                   abrangencia, abrangencia_uf, regulamentado, data_adesao, data_cancelamento,
                   fim_carencia)",
        12,
        rows,
        |b, r| {
            b.push_bind(r.id)
                .push_bind(r.beneficiario_id)
                .push_bind(&r.operadora)
                .push_bind(&r.registro_produto)
                .push_bind(r.tipo_contratacao)
                .push_bind(r.segmentacao)
                .push_bind(r.abrangencia)
                .push_bind(&r.abrangencia_uf)
                .push_bind(r.regulamentado)
                .push_bind(r.data_adesao)
                .push_bind(r.data_cancelamento)
                .push_bind(r.fim_carencia);
        }
    )
}

pub async fn insert_atendimentos(
    tx: &mut Tx,
    rows: &[NovoAtendimento],
) -> Result<usize, StoreError> {
    bulk_insert!(
        tx,
        "atendimentos (id, tipo, numero, competencia, operadora, beneficiario_id, vinculo_id, cnes,
                       municipio_ibge, data_inicio, data_fim, carater, cid, procedimento_principal,
                       valor_sus_centavos, valor_ressarcimento_centavos, regra_valoracao,
                       identificado_em)",
        18,
        rows,
        |b, r| {
            b.push_bind(r.id)
                .push_bind(r.tipo)
                .push_bind(&r.numero)
                .push_bind(&r.competencia)
                .push_bind(&r.operadora)
                .push_bind(r.beneficiario_id)
                .push_bind(r.vinculo_id)
                .push_bind(&r.cnes)
                .push_bind(&r.municipio_ibge)
                .push_bind(r.data_inicio)
                .push_bind(r.data_fim)
                .push_bind(r.carater)
                .push_bind(&r.cid)
                .push_bind(&r.procedimento_principal)
                .push_bind(r.valor_sus_centavos)
                .push_bind(r.valor_ressarcimento_centavos)
                .push_bind(r.regra_valoracao)
                .push_bind(r.identificado_em);
        }
    )
}

pub async fn insert_itens_procedimento(
    tx: &mut Tx,
    rows: &[NovoItemProcedimento],
) -> Result<usize, StoreError> {
    bulk_insert!(
        tx,
        "atendimento_procedimentos (atendimento_id, seq, codigo, quantidade, valor_centavos)",
        5,
        rows,
        |b, r| {
            b.push_bind(r.atendimento_id)
                .push_bind(r.seq)
                .push_bind(&r.codigo)
                .push_bind(r.quantidade)
                .push_bind(r.valor_centavos);
        }
    )
}

/// Tables a homologação reset empties, children first: everything synthetic (the demo's
/// attendances, processes, petitions, decisions, documents, events, the audit chain) — not the
/// reference data (register, grounds), nor accounts, applications and webhook subscriptions,
/// which the people testing against homologação keep across resets.
pub const TABELAS_DE_HOMOLOGACAO: [&str; 33] = [
    "atribuicoes",
    "creditos",
    "pagamentos",
    "retornos_bancarios",
    "gru_debitos",
    "grus",
    "parcelas",
    "parcelamentos",
    "sequencias",
    "webhook_entregas",
    "eventos_saida",
    "lotes",
    "delegacoes",
    "idempotencia",
    "acessos",
    "decisoes",
    "peticao_documentos",
    "peticao_atendimentos",
    "peticoes",
    "protocolo_sequencias",
    "documentos",
    "notificacoes",
    "atendimento_procedimentos",
    "atendimentos",
    "debitos",
    "processos",
    "nup_sequencias",
    "abis",
    "vinculos",
    "beneficiarios",
    "estabelecimentos",
    "procedimentos_sigtap",
    "auditoria",
];

/// Empties [`TABELAS_DE_HOMOLOGACAO`] and forgets that the demo was generated, in the caller's
/// transaction (all or nothing). Returns the rows removed.
pub async fn apagar_homologacao(tx: &mut Tx) -> Result<u64, StoreError> {
    let mut n = 0;
    for t in TABELAS_DE_HOMOLOGACAO {
        let sql = format!("DELETE FROM {t}");
        n += on_tx!(tx, conn => sqlx::query(&sql).execute(conn).await?.rows_affected());
    }
    on_tx!(tx, conn => sqlx::query("DELETE FROM persus_meta WHERE chave IN ('demo', 'demo_cenario')")
        .execute(conn).await?.rows_affected());
    Ok(n)
}
