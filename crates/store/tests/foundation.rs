//! The store on both backends: migrations, the operator register, meta, transactions.
//! Every `db_test!` runs once on SQLite and once on PostgreSQL.

#![allow(clippy::unwrap_used)]

use persus_domain::ids::RegistroAns;
use persus_store::db::PoolRef;
use persus_store::{db_test, idempotencia, meta, operadoras, Backend, Db};

db_test!(migrations_apply_once_and_are_idempotent, |db| {
    let before = db.applied_migrations().await.unwrap();
    assert_eq!(
        before,
        vec![1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21]
    );
    db.migrate().await.unwrap();
    assert_eq!(db.applied_migrations().await.unwrap(), before);
});

db_test!(
    the_whole_ans_register_loads_and_reloading_changes_nothing,
    |db| {
        let mut tx = db.begin().await.unwrap();
        assert_eq!(operadoras::load_register(&mut tx).await.unwrap(), 1_106);
        tx.commit().await.unwrap();
        assert_eq!(operadoras::count(&db).await.unwrap(), 1_106);

        let mut tx = db.begin().await.unwrap();
        operadoras::load_register(&mut tx).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(operadoras::count(&db).await.unwrap(), 1_106);

        let amil = operadoras::find(&db, &RegistroAns::parse("326305").unwrap())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(amil.cnpj, "29309127000179");
        assert!(
            amil.razao_social.starts_with("AMIL"),
            "{}",
            amil.razao_social
        );
        // Leading zeros are part of the registro (Bradesco Saúde).
        let bradesco = operadoras::find(&db, &RegistroAns::parse("005711").unwrap())
            .await
            .unwrap();
        assert!(bradesco.is_some());
    }
);

db_test!(a_transaction_dropped_without_commit_leaves_nothing, |db| {
    {
        let mut tx = db.begin().await.unwrap();
        operadoras::load_register(&mut tx).await.unwrap();
        meta::set(&mut tx, "x", "y", chrono::Utc::now())
            .await
            .unwrap();
        // dropped: rolled back
    }
    assert_eq!(operadoras::count(&db).await.unwrap(), 0);
    assert_eq!(meta::get(&db, "x").await.unwrap(), None);
});

db_test!(meta_values_are_replaced_not_duplicated, |db| {
    let mut tx = db.begin().await.unwrap();
    meta::set(&mut tx, "demo", "a", chrono::Utc::now())
        .await
        .unwrap();
    meta::set(&mut tx, "demo", "b", chrono::Utc::now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(meta::get(&db, "demo").await.unwrap().as_deref(), Some("b"));
});

db_test!(
    sqlite_has_foreign_keys_and_wal_postgres_reports_its_backend,
    |db| {
        match db.backend() {
            Backend::Sqlite => {
                let (fk, mode) = sqlite_pragmas(&db).await;
                assert_eq!(fk, 1, "foreign keys must be enforced");
                assert_eq!(mode, "wal");
            }
            Backend::Postgres => assert_eq!(db.backend().name(), "postgresql"),
        }
        // Either way a dangling reference is refused.
        let mut tx = db.begin().await.unwrap();
        let err = insert_orphan_vinculo(&mut tx).await;
        assert!(err.is_err(), "an orphan row must violate the foreign key");
    }
);

async fn sqlite_pragmas(db: &Db) -> (i64, String) {
    use persus_store::db::PoolRef;
    let PoolRef::Sqlite(pool) = db.inner() else {
        unreachable!()
    };
    let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
        .fetch_one(pool)
        .await
        .unwrap();
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(pool)
        .await
        .unwrap();
    (fk, mode)
}

async fn insert_orphan_vinculo(tx: &mut persus_store::Tx) -> Result<(), persus_store::StoreError> {
    use persus_store::demo::{insert_vinculos, NovoVinculo};
    let d = chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
    insert_vinculos(
        tx,
        &[NovoVinculo {
            id: 1,
            beneficiario_id: 999,
            operadora: "326305".into(),
            registro_produto: "412345678".into(),
            tipo_contratacao: "coletivo_empresarial",
            segmentacao: "referencia",
            abrangencia: "nacional",
            abrangencia_uf: None,
            regulamentado: true,
            data_adesao: d,
            data_cancelamento: None,
            fim_carencia: d,
        }],
    )
    .await
    .map(|_| ())
}

#[test]
fn a_bad_register_row_names_its_line_and_field() {
    let csv =
        "registro_ans,cnpj,razao_social,nome_fantasia,modalidade,uf,cidade,data_registro_ans\n\
               326305,29309127000179,AMIL,,Medicina de Grupo,SP,São Paulo,1999-01-01\n\
               326306,29309127000179,X,,Medicina de Grupo,SP,São Paulo,1999-01-01\n";
    let err = operadoras::parse_cadop(csv).unwrap_err().to_string();
    assert!(err.contains("linha 3, campo registro_ans"), "{err}");
}

#[tokio::test]
async fn an_unreachable_postgres_is_an_error_naming_the_server() {
    // Fail fast with the address (never the password) so the operator can fix the URL.
    let config = persus_store::DbConfig::Postgres {
        url: "postgres://postgres@127.0.0.1:1/none".into(),
        schema: None,
    };
    let err = Db::connect(&config).await.unwrap_err().to_string();
    assert!(err.contains("não foi possível conectar"), "{err}");
    assert!(err.contains("127.0.0.1:1"), "{err}");
}

// The scheduler's purge of expired idempotency records finds each batch through the index on
// `criada_em` (migration 0019), not by scanning the table. PostgreSQL is told to avoid a
// sequential scan where it can (an empty table would otherwise make any plan the cheapest):
// without the index it has none to use.
db_test!(
    the_idempotency_purge_finds_its_batch_by_the_criada_em_index,
    |db| {
        let agora = chrono::Utc::now();
        let plano = match db.inner() {
            PoolRef::Sqlite(pool) => {
                let sql = format!("EXPLAIN QUERY PLAN {}", idempotencia::PURGAR);
                let linhas: Vec<(i64, i64, i64, String)> = sqlx::query_as(&sql)
                    .bind(agora)
                    .bind(100i64)
                    .fetch_all(pool)
                    .await
                    .unwrap();
                linhas.into_iter().map(|l| l.3).collect::<Vec<_>>()
            }
            PoolRef::Postgres(pool) => {
                let mut tx = pool.begin().await.unwrap();
                sqlx::query("SET LOCAL enable_seqscan = off")
                    .execute(&mut *tx)
                    .await
                    .unwrap();
                let sql = format!("EXPLAIN {}", idempotencia::PURGAR);
                sqlx::query_scalar::<_, String>(&sql)
                    .bind(agora)
                    .bind(100i64)
                    .fetch_all(&mut *tx)
                    .await
                    .unwrap()
            }
        };
        assert!(
            plano.iter().any(|l| l.contains("idempotencia_criada_em")),
            "{}",
            plano.join("\n")
        );
    }
);
