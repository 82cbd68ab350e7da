//! The ANS register of active operators (Relatório CADOP, "Fonte: ANS — dados abertos",
//! CC BY), embedded from `data/operadoras_ativas.csv` and loaded idempotently at start-up.

use chrono::NaiveDate;
use persus_domain::ids::{Cnpj, RegistroAns};
use serde::Serialize;

use crate::{Db, StoreError, Tx};

/// The CSV shipped with the binary: ANS open data, 1,106 active operators.
pub const CADOP_CSV: &str = include_str!("../../../data/operadoras_ativas.csv");

/// One operator of the register.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Operadora {
    pub registro_ans: String,
    pub cnpj: String,
    pub razao_social: String,
    pub nome_fantasia: Option<String>,
    pub modalidade: String,
    pub uf: String,
    pub cidade: String,
    pub data_registro_ans: NaiveDate,
}

/// Parses the register, checking every identifier; a bad row names its line and field.
pub fn parse_cadop(csv_text: &str) -> Result<Vec<Operadora>, StoreError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(csv_text.as_bytes());
    let mut out = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let bad = |field: &str, why: String| {
            StoreError::Reference(format!(
                "operadoras_ativas.csv linha {line}, campo {field}: {why}"
            ))
        };
        let r = record.map_err(|e| bad("(linha)", e.to_string()))?;
        let field = |n: usize| r.get(n).unwrap_or_default().trim().to_owned();
        let registro =
            RegistroAns::parse(&field(0)).map_err(|e| bad("registro_ans", e.to_string()))?;
        let cnpj = Cnpj::parse(&field(1)).map_err(|e| bad("cnpj", e.to_string()))?;
        let data = NaiveDate::parse_from_str(&field(7), "%Y-%m-%d")
            .map_err(|e| bad("data_registro_ans", e.to_string()))?;
        let nome_fantasia = Some(field(3)).filter(|s| !s.is_empty());
        out.push(Operadora {
            registro_ans: registro.as_str().to_owned(),
            cnpj: cnpj.as_str().to_owned(),
            razao_social: field(2),
            nome_fantasia,
            modalidade: field(4),
            uf: field(5),
            cidade: field(6),
            data_registro_ans: data,
        });
    }
    Ok(out)
}

/// Inserts or refreshes every operator of the embedded register; returns how many there are.
pub async fn load_register(tx: &mut Tx) -> Result<usize, StoreError> {
    let operadoras = parse_cadop(CADOP_CSV)?;
    let sql = "INSERT INTO operadoras (registro_ans, cnpj, razao_social, nome_fantasia, modalidade,
                                       uf, cidade, data_registro_ans)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
               ON CONFLICT (registro_ans) DO UPDATE SET
                   cnpj = excluded.cnpj, razao_social = excluded.razao_social,
                   nome_fantasia = excluded.nome_fantasia, modalidade = excluded.modalidade,
                   uf = excluded.uf, cidade = excluded.cidade,
                   data_registro_ans = excluded.data_registro_ans";
    for o in &operadoras {
        on_tx!(tx, conn => sqlx::query(sql)
            .bind(&o.registro_ans)
            .bind(&o.cnpj)
            .bind(&o.razao_social)
            .bind(&o.nome_fantasia)
            .bind(&o.modalidade)
            .bind(&o.uf)
            .bind(&o.cidade)
            .bind(o.data_registro_ans)
            .execute(conn)
            .await?
            .rows_affected());
    }
    Ok(operadoras.len())
}

pub async fn count(db: &Db) -> Result<i64, StoreError> {
    let sql = "SELECT COUNT(*) FROM operadoras";
    Ok(on_db!(db, pool => sqlx::query_scalar(sql).fetch_one(pool).await?))
}

pub async fn find(db: &Db, registro: &RegistroAns) -> Result<Option<Operadora>, StoreError> {
    let sql = "SELECT registro_ans, cnpj, razao_social, nome_fantasia, modalidade, uf, cidade,
                      data_registro_ans
               FROM operadoras WHERE registro_ans = $1";
    Ok(on_db!(db, pool => sqlx::query_as(sql).bind(registro.as_str()).fetch_optional(pool).await?))
}

/// Every operator, by registro ANS.
pub async fn list(db: &Db) -> Result<Vec<Operadora>, StoreError> {
    let sql = "SELECT registro_ans, cnpj, razao_social, nome_fantasia, modalidade, uf, cidade,
                      data_registro_ans
               FROM operadoras ORDER BY registro_ans";
    Ok(on_db!(db, pool => sqlx::query_as(sql).fetch_all(pool).await?))
}
