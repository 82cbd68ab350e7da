//! The provisions' data from the system itself, on both databases (issue #14): runoff cells of
//! the live attendances (notification quarter in Brasília's calendar) plus the demo's history,
//! the PESL SUS situations built through the lifecycle and charging services, and the import of
//! guarantee assets.

#![allow(clippy::unwrap_used)]

mod common;

use chrono::{DateTime, NaiveDate, Utc};
use common::d;
use persus_domain::calendar::CalendarioAns;
use persus_domain::ids::Trimestre;
use persus_domain::money::Centavos;
use persus_server::servicos::cobranca::{self, Contexto};
use persus_server::servicos::provisoes::ativos;
use persus_server::servicos::publicacao::{publicar, Falha, UNIDADE_PADRAO};
use persus_server::servicos::relogio::{Relogio, RelogioFixo};
use persus_server::servicos::ServicoError;
use persus_store::provisoes::{self, SituacaoPesl};
use persus_store::{db_test, Db};

fn t(s: &str) -> Trimestre {
    Trimestre::parse(s).unwrap()
}

fn instante(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// 02:30 UTC on 1 April is 23:30 on 31 March in Brasília (UTC−3): the ABI is published on
/// the last day of 1T2026.
const PUBLICACAO: &str = "2026-04-01T02:30:00Z";

async fn publicado_no_ultimo_dia_do_trimestre(db: &Db) {
    common::abi_agendado(db, 14).await;
    let r = RelogioFixo(instante(PUBLICACAO));
    assert_eq!(r.hoje(), d(2026, 3, 31));
    publicar(
        db,
        101,
        UNIDADE_PADRAO,
        &r,
        &common::ator("t"),
        Falha::default(),
    )
    .await
    .unwrap();
}

async fn soma(db: &Db, sql: &str, bind: &str) -> i64 {
    common::scalar_i64(db, sql, bind).await
}

const NOTIFICADOS: &str =
    "SELECT CAST(COALESCE(SUM(valor_devido_centavos), 0) AS BIGINT) FROM atendimentos
     WHERE notificacao_id IS NOT NULL AND estado <> 'anulado' AND ($1 = '' OR operadora = $1)";

db_test!(celulas_vivas_no_calendario_de_brasilia_e_historico, |db| {
    publicado_no_ultimo_dia_do_trimestre(&db).await;
    let cel = provisoes::celulas(&db, None).await.unwrap();
    let vivas: Vec<_> = cel
        .iter()
        .filter(|c| c.celula.ocorrencia == t("1T2025"))
        .collect();
    assert!(!vivas.is_empty());
    // Notified on 31/03/2026 in Brasília (1 April in UTC): 1T2026, five quarters after 1T2025.
    assert!(vivas.iter().all(|c| c.celula.aviso == t("1T2026")));
    assert!(vivas.iter().all(|c| c.celula.defasagem() == 4));
    let total: i64 = vivas.iter().map(|c| c.celula.valor_centavos).sum();
    assert_eq!(total, soma(&db, NOTIFICADOS, "").await);
    let n: i64 = vivas.iter().map(|c| c.celula.quantidade).sum();
    assert_eq!(
        n,
        soma(
            &db,
            "SELECT COUNT(*) FROM atendimentos WHERE notificacao_id IS NOT NULL AND $1 = ''",
            ""
        )
        .await
    );
    // Attendances not yet notified (the other quarters of the demo) are not cells.
    assert!(cel
        .iter()
        .all(|c| c.celula.ocorrencia <= t("1T2024") || c.celula.ocorrencia == t("1T2025")));
    // The demo's history: 1T2016 notified 7 to 10 quarters later, as in ANS's table.
    let h16: Vec<_> = cel
        .iter()
        .filter(|c| c.celula.ocorrencia == t("1T2016"))
        .collect();
    assert!(!h16.is_empty());
    assert!(h16.iter().all(|c| (7..=10).contains(&c.celula.defasagem())));

    // One operator only.
    let hap = provisoes::celulas(&db, Some("368253")).await.unwrap();
    assert!(hap.iter().all(|c| c.operadora == "368253"));
    let hap_vivo: i64 = hap
        .iter()
        .filter(|c| c.celula.ocorrencia == t("1T2025"))
        .map(|c| c.celula.valor_centavos)
        .sum();
    assert_eq!(hap_vivo, soma(&db, NOTIFICADOS, "368253").await);
    assert!(hap_vivo > 0);

    // An annulled attendance (impugnação granted) is not chargeable: it leaves the cells.
    // (Set directly: the decision flow that leads here is tested in decisoes.rs.)
    let (id, valor) = {
        let id = soma(
            &db,
            "SELECT CAST(MIN(id) AS BIGINT) FROM atendimentos WHERE notificacao_id IS NOT NULL AND operadora = $1",
            "368253",
        )
        .await;
        let v = soma(
            &db,
            "SELECT valor_devido_centavos FROM atendimentos WHERE CAST(id AS TEXT) = $1",
            &id.to_string(),
        )
        .await;
        (id, v)
    };
    soma(
        &db,
        "UPDATE atendimentos SET estado = 'anulado', valor_devido_centavos = 0
         WHERE CAST(id AS TEXT) = $1 RETURNING CAST(id AS BIGINT)",
        &id.to_string(),
    )
    .await;
    let depois: i64 = provisoes::celulas(&db, Some("368253"))
        .await
        .unwrap()
        .iter()
        .filter(|c| c.celula.ocorrencia == t("1T2025"))
        .map(|c| c.celula.valor_centavos)
        .sum();
    assert_eq!(depois, hap_vivo - valor);
});

fn situacoes(linhas: &[provisoes::LinhaPesl], op: &str) -> Vec<(SituacaoPesl, i64)> {
    linhas
        .iter()
        .filter(|l| l.operadora == op)
        .map(|l| (l.situacao, l.valor_centavos))
        .collect()
}

db_test!(pesl_por_situacao_pelos_servicos, |db| {
    publicado_no_ultimo_dia_do_trimestre(&db).await;
    let (hap, amil, brad) = ("368253", "326305", "005711");
    let v_hap = soma(&db, NOTIFICADOS, hap).await;
    let v_amil = soma(&db, NOTIFICADOS, amil).await;
    let v_brad = soma(&db, NOTIFICADOS, brad).await;
    assert!(v_hap > 0 && v_amil > 0 && v_brad > 0);

    // Before the notice nothing; on its day, all within the impugnação period.
    assert!(provisoes::pesl(&db, None, d(2026, 3, 30))
        .await
        .unwrap()
        .is_empty());
    let p = provisoes::pesl(&db, None, d(2026, 3, 31)).await.unwrap();
    assert_eq!(situacoes(&p, hap), [(SituacaoPesl::PrazoImpugnacao, v_hap)]);
    let total: i64 = p.iter().map(|l| l.valor_centavos).sum();
    assert_eq!(total, soma(&db, NOTIFICADOS, "").await);

    // The periods end without petition: the scheduler makes them due and constitutes debts.
    let dia = d(2026, 6, 15);
    common::tick(&db, dia).await;
    let p = provisoes::pesl(&db, Some(hap), dia).await.unwrap();
    assert_eq!(situacoes(&p, hap), [(SituacaoPesl::Devido, v_hap)]);

    let r = RelogioFixo::em(dia);
    // The instalments' interest needs SELIC rates of 2026, after the embedded table: a test
    // rate of 1 % a month.
    cobranca::semear_selic(&db, r.agora()).await.unwrap();
    let mut tx = db.begin().await.unwrap();
    for mes in 1..=12 {
        persus_store::cobranca::gravar_selic(
            &mut tx,
            &persus_store::cobranca::TaxaSelic {
                ano: 2026,
                mes,
                taxa_centesimos: 100,
                fonte: "teste",
                por: "t",
                em: r.agora(),
            },
            false,
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let selic = cobranca::tabela_selic(&db).await.unwrap();
    let cal = CalendarioAns::padrao();
    let ator = common::ator("op");
    let ctx = Contexto {
        hoje: r.hoje(),
        agora: r.agora(),
        calendario: &cal,
        selic: &selic,
        ator: &ator,
    };
    let debito = |op: &'static str| {
        let db = db.clone();
        async move {
            persus_store::cobranca::debitos_da_operadora(&db, op)
                .await
                .unwrap()
                .into_iter()
                .map(|d| d.id)
                .collect::<Vec<_>>()
        }
    };
    // Hapvida issues a GRU: in a GRU until paid.
    let gru = cobranca::emitir_gru(&db, hap, &debito(hap).await, &[], &ctx)
        .await
        .unwrap();
    // Amil parcels its debt in 6 and pays the first 3 instalments on 16, 17 and 18 June.
    let parc = cobranca::solicitar_parcelamento(&db, amil, &debito(amil).await, 6, true, &ctx)
        .await
        .unwrap();
    let p = provisoes::pesl(&db, None, dia).await.unwrap();
    assert_eq!(situacoes(&p, hap), [(SituacaoPesl::EmGru, v_hap)]);
    assert_eq!(situacoes(&p, amil), [(SituacaoPesl::Parcelado, v_amil)]);
    assert_eq!(situacoes(&p, brad), [(SituacaoPesl::Devido, v_brad)]);
    let depois = instante("2026-06-20T15:00:00Z");
    for (n, pago) in [
        (1, d(2026, 6, 16)),
        (2, d(2026, 6, 17)),
        (3, d(2026, 6, 18)),
    ] {
        let g = cobranca::emitir_gru_parcela(&db, amil, parc.id, n, &ctx)
            .await
            .unwrap();
        cobranca::pagamento_manual(
            &db,
            &g.numero,
            Centavos::new(g.valor_centavos),
            pago,
            &ator,
            depois,
        )
        .await
        .unwrap();
    }
    // RN 329/2013 art. 2 §3: from the third paid instalment no asset backing is needed. The
    // base date counts only instalments paid by then.
    let hoje = d(2026, 6, 20);
    let p = provisoes::pesl(&db, Some(amil), hoje).await.unwrap();
    assert_eq!(
        situacoes(&p, amil),
        [(SituacaoPesl::ParceladoLastroDispensado, v_amil)]
    );
    let p = provisoes::pesl(&db, Some(amil), d(2026, 6, 17))
        .await
        .unwrap();
    assert_eq!(situacoes(&p, amil), [(SituacaoPesl::Parcelado, v_amil)]);

    // Hapvida pays its GRU on the 19th: out of the PESL from that day, still in it the day before.
    cobranca::pagamento_manual(
        &db,
        &gru.numero,
        Centavos::new(gru.valor_centavos),
        d(2026, 6, 19),
        &ator,
        depois,
    )
    .await
    .unwrap();
    assert!(situacoes(&provisoes::pesl(&db, Some(hap), hoje).await.unwrap(), hap).is_empty());
    assert_eq!(
        situacoes(
            &provisoes::pesl(&db, Some(hap), d(2026, 6, 18))
                .await
                .unwrap(),
            hap
        ),
        [(SituacaoPesl::Devido, v_hap)]
    );
});

async fn importar(db: &Db, bytes: &[u8]) -> Result<ativos::ResumoAtivos, ServicoError> {
    let ator = persus_store::auditoria::Ator::sistema("ans.atuaria");
    ativos::importar(
        db,
        "ativos.csv",
        bytes,
        &ator,
        instante("2026-07-01T12:00:00Z"),
    )
    .await
}

/// The audit events of asset imports, oldest first.
async fn importacoes_auditadas(db: &Db) -> Vec<persus_store::auditoria::Evento> {
    let mut v = persus_store::auditoria::ultimos(db, Some("peona.ativos"), 100)
        .await
        .unwrap();
    v.sort_by_key(|e| e.seq);
    v
}

db_test!(importacao_de_ativos, |db| {
    persus_server::cli::load_reference_data(&db).await.unwrap();
    // The template itself imports.
    let r = importar(&db, ativos::MODELO_CSV.as_bytes()).await.unwrap();
    assert_eq!(r.linhas, 1);
    let a = provisoes::ativos_na_data(&db, d(2024, 6, 30))
        .await
        .unwrap();
    assert_eq!(a["368253"].ativos_garantidores_centavos, 123_456_789);
    assert_eq!(a["368253"].outras_provisoes_centavos, 98_765_432);
    assert_eq!(a["368253"].beneficiarios_mh, 4_512_345);
    assert!(!a["368253"].sintetico);
    // Audited with who imported which file (its SHA-256), in the import's transaction.
    let auditadas = importacoes_auditadas(&db).await;
    assert_eq!(auditadas.len(), 1);
    assert_eq!(auditadas[0].ator, "ans.atuaria");
    assert_eq!(
        auditadas[0].entidade_id,
        persus_server::servicos::documentos::sha256_hex(ativos::MODELO_CSV.as_bytes())
    );
    assert!(auditadas[0]
        .depois
        .as_deref()
        .unwrap()
        .contains("\"datas_base\":[\"2024-06-30\"]"));

    // Too large: refused before it is parsed, nothing written or audited.
    let grande = vec![b'x'; ativos::LIMITE_BYTES + 1];
    let e = importar(&db, &grande).await.unwrap_err();
    assert!(e.to_string().contains("8 MB"), "{e}");

    // Windows-1252 with an accented header value is not needed; a 1252 byte in a value is:
    // "R$ 1.000,00" with a non-breaking space (0xA0) is refused, with line and field.
    let mut ruim =
        b"registro_ans;data_base;beneficiarios_mh;ativos_garantidores;outras_provisoes\n\
                     326305;31/12/2025;1.000;2.000,00;1.000,00\n\
                     999999;31/12/2025;10;1,00;1,00\n\
                     326305;31/13/2025;10;1,00;1,00\n\
                     005711;31/12/2025;dez;1,00;1,00\n\
                     005711;2025-12-31;10;"
            .to_vec();
    ruim.extend_from_slice(b"1\xa0000,00;-5,00\n");
    let e = importar(&db, &ruim).await.unwrap_err();
    let ServicoError::Invalido(campos) = e else {
        panic!("{e:?}")
    };
    let msgs: Vec<&str> = campos.iter().map(|c| c.mensagem.as_str()).collect();
    assert_eq!(msgs.len(), 5, "{msgs:#?}");
    assert!(
        msgs[0]
            .starts_with("ativos.csv, linha 3, campo registro_ans: a operadora 999999 não consta"),
        "{}",
        msgs[0]
    );
    assert!(
        msgs[1].starts_with("ativos.csv, linha 4, campo data_base:"),
        "{}",
        msgs[1]
    );
    assert!(
        msgs[2].starts_with("ativos.csv, linha 5, campo beneficiarios_mh:"),
        "{}",
        msgs[2]
    );
    assert!(
        msgs[3].starts_with("ativos.csv, linha 6, campo ativos_garantidores:"),
        "{}",
        msgs[3]
    );
    assert!(
        msgs[4].starts_with("ativos.csv, linha 6, campo outras_provisoes:"),
        "{}",
        msgs[4]
    );
    // Nothing of the file was written, not even its good line 2, and no import was audited.
    assert_eq!(importacoes_auditadas(&db).await.len(), 1);
    assert!(!provisoes::ativos_na_data(&db, d(2026, 1, 1))
        .await
        .unwrap()
        .contains_key("326305"));

    // A Windows-1252 file (as Excel saves it) with a header in capitals and pt-BR money.
    let w1252 = b"REGISTRO_ANS;DATA_BASE;BENEFICIARIOS_MH;ATIVOS_GARANTIDORES;OUTRAS_PROVISOES\r\n\
                  326305;31/12/2025;3.100.000;R$ 2.000.000,50;1.500.000,00\r\n\
                  005711;31/12/2025;12;1.234,56;0,99\r\n\xff\r\n";
    let e = importar(&db, w1252).await.unwrap_err();
    assert!(e.to_string().contains("linha 4"), "{e}");
    let ok = &w1252[..w1252.len() - 3];
    let r = importar(&db, ok).await.unwrap();
    assert_eq!(r.linhas, 2);
    let a = provisoes::ativos_na_data(&db, d(2026, 1, 1)).await.unwrap();
    assert_eq!(a["326305"].ativos_garantidores_centavos, 200_000_050);
    assert_eq!(a["005711"].outras_provisoes_centavos, 99);
    assert_eq!(a["326305"].beneficiarios_mh, 3_100_000);

    // The layout with the own-methodology column: `sim`/`não`, anything else named.
    let seis = "registro_ans;data_base;beneficiarios_mh;ativos_garantidores;outras_provisoes;metodologia_propria\n\
                326305;31/03/2026;10;1,00;1,00;Sim\n\
                005711;31/03/2026;10;1,00;1,00;\n";
    importar(&db, seis.as_bytes()).await.unwrap();
    let a = provisoes::ativos_na_data(&db, d(2026, 3, 31))
        .await
        .unwrap();
    assert!(a["326305"].metodologia_propria);
    assert!(!a["005711"].metodologia_propria);
    let e = importar(&db, seis.replace("Sim", "talvez").as_bytes())
        .await
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("linha 2, campo metodologia_propria: \"talvez\" não é sim nem não"),
        "{e}"
    );

    // No header: refused at line 1.
    let e = importar(&db, b"326305;31/12/2025;1;1,00;1,00\n")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("linha 1, campo cabeçalho"), "{e}");
});

db_test!(demo_gera_historico_e_ativos_sinteticos, |db| {
    common::abi_agendado(&db, 14).await;
    let cel = provisoes::celulas(&db, None).await.unwrap();
    let ops: std::collections::HashSet<&str> = cel.iter().map(|c| c.operadora.as_str()).collect();
    let com_atendimentos = soma(
        &db,
        "SELECT COUNT(DISTINCT operadora) FROM atendimentos WHERE $1 = ''",
        "",
    )
    .await;
    assert_eq!(ops.len() as i64, com_atendimentos);
    let a = provisoes::ativos_na_data(&db, d(2024, 6, 30))
        .await
        .unwrap();
    assert_eq!(a.len() as i64, com_atendimentos);
    assert!(a.values().all(|x| x.sintetico));
    let _: NaiveDate = a["368253"].data_base;
    // The seed's shape (seeds/004): operators go up, down, and — those with their own actuarial
    // methodology, the larger ones — stay; the unchanged hold a larger share of beneficiaries than
    // of operators (seed: 12,4 % of operators, 21,4 % of beneficiaries).
    use persus_domain::provisoes::impacto::Sentido;
    use persus_server::servicos::provisoes::calculo;
    let base = calculo::DataBase::new(d(2024, 6, 30)).unwrap();
    let i = calculo::impacto(&db, base, "rn574-66", "rn640-65")
        .await
        .unwrap();
    let linha = |s: Sentido| {
        i.tabela
            .linhas
            .iter()
            .find(|l| l.sentido == Some(s))
            .unwrap()
    };
    let sem = linha(Sentido::SemAlteracao);
    assert!(linha(Sentido::Aumento).operadoras > 0);
    assert!(linha(Sentido::Reducao).operadoras > 0);
    assert!(sem.operadoras > 0, "{:?}", i.tabela);
    assert_eq!(sem.variacao_centavos, 0);
    assert!(sem.pct_beneficiarios_mh > sem.pct_operadoras, "{sem:?}");
    assert!(i
        .operadoras
        .iter()
        .filter(|o| o.metodologia_propria)
        .all(|o| o.sentido() == Sentido::SemAlteracao));
    // Seeding again changes nothing (the demo is idempotent).
    persus_server::demo::seed(
        &db,
        persus_server::demo::Params {
            seed: 14,
            atendimentos: 3_000,
        },
    )
    .await
    .unwrap();
    assert_eq!(provisoes::celulas(&db, None).await.unwrap(), cel);
});
