//! The bank's return file (CNAB 240) and the checks a payment must pass before it is booked
//! (issue #11, fault 8; docs/RULES.md "Charging"). Amounts and dates are written by hand.

#![allow(clippy::unwrap_used)]

use chrono::NaiveDate;
use persus_domain::cobranca::retorno::{
    cnab240_de, conferir_pagamento, ler_cnab240, GruConferida, PagamentoLido, TETO_PAGAMENTO,
};
use persus_domain::money::Centavos;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

const NN: &str = "29501230000000001";
const HOJE: (i32, u32, u32) = (2026, 3, 10);

fn hoje() -> NaiveDate {
    d(HOJE.0, HOJE.1, HOJE.2)
}

/// A GRU of R$ 1.000,00 issued on 02/03/2026.
fn gru() -> GruConferida {
    GruConferida {
        valor: Centavos::new(100_000),
        emitida_em: d(2026, 3, 2),
    }
}

fn pagamento(valor: i64, pago_em: NaiveDate) -> PagamentoLido {
    PagamentoLido {
        linha: 3,
        linha_valor: 4,
        nosso_numero: NN.to_owned(),
        valor: Centavos::new(valor),
        pago_em,
        creditado_em: None,
    }
}

/// The U line (line 4) of a one-payment file, with `campo` written at `faixa`.
fn arquivo_com(faixa: std::ops::Range<usize>, campo: &str) -> String {
    let ret = cnab240_de(&[(NN.to_owned(), Centavos::new(100_000), hoje())], hoje());
    let mut linhas: Vec<String> = ret.lines().map(str::to_owned).collect();
    linhas[3].replace_range(faixa, campo);
    linhas.join("\r\n") + "\r\n"
}

#[test]
fn o_retorno_gerado_e_lido_de_volta_com_as_datas_de_pagamento_e_credito() {
    let p = ler_cnab240(&arquivo_com(77..92, "000000000100000")).unwrap();
    assert_eq!(
        p,
        [PagamentoLido {
            creditado_em: Some(hoje()),
            ..pagamento(100_000, hoje())
        }]
    );
    assert!(conferir_pagamento(&p[0], Some(&gru()), hoje()).is_empty());
}

#[test]
fn valor_pago_com_sinal_negativo_e_recusado_na_leitura() {
    let e = ler_cnab240(&arquivo_com(77..92, "-00000000010000")).unwrap_err();
    assert_eq!(
        e,
        ["linha 4: valor pago \"-00000000010000\" inválido: são 15 dígitos, em centavos e sem sinal (posições 78–92)"]
    );
}

#[test]
fn valor_pago_zero_e_recusado_na_leitura() {
    let e = ler_cnab240(&arquivo_com(77..92, "000000000000000")).unwrap_err();
    assert_eq!(
        e,
        ["linha 4: valor pago zero: um pagamento precisa de valor maior que zero (posições 78–92)"]
    );
}

#[test]
fn data_de_pagamento_que_nao_existe_e_recusada() {
    let e = ler_cnab240(&arquivo_com(137..145, "31022026")).unwrap_err();
    assert_eq!(
        e,
        ["linha 4: data do pagamento 31/02/2026 não existe no calendário (posições 138–145)"]
    );
}

#[test]
fn data_de_pagamento_anterior_aos_boletos_febraban_e_recusada() {
    // Year 0000 is a date chrono accepts; no bank slip was paid before 07/10/1997.
    let e = ler_cnab240(&arquivo_com(137..145, "01010000")).unwrap_err();
    assert!(
        e[0].starts_with("linha 4: data do pagamento 01/01/0000 é anterior a 07/10/1997"),
        "{e:?}"
    );
}

#[test]
fn data_de_credito_anterior_ao_pagamento_e_recusada() {
    let e = ler_cnab240(&arquivo_com(145..153, "09032026")).unwrap_err();
    assert_eq!(
        e,
        ["linha 4: data do crédito 09/03/2026 anterior à data do pagamento 10/03/2026"]
    );
}

#[test]
fn data_de_credito_em_branco_ou_zerada_nao_foi_informada() {
    for vazio in ["        ", "00000000"] {
        let p = ler_cnab240(&arquivo_com(145..153, vazio)).unwrap();
        assert_eq!(p[0].creditado_em, None);
    }
}

#[test]
fn pagamento_datado_no_futuro_e_recusado() {
    let e = conferir_pagamento(&pagamento(100_000, d(2099, 12, 31)), Some(&gru()), hoje());
    assert_eq!(
        e,
        ["data do pagamento 31/12/2099 no futuro (hoje é 10/03/2026)"]
    );
    // Today itself is not the future.
    assert!(conferir_pagamento(&pagamento(100_000, hoje()), Some(&gru()), hoje()).is_empty());
}

#[test]
fn credito_datado_no_futuro_e_recusado() {
    let p = PagamentoLido {
        creditado_em: Some(d(2026, 3, 11)),
        ..pagamento(100_000, hoje())
    };
    assert_eq!(
        conferir_pagamento(&p, Some(&gru()), hoje()),
        ["data do crédito 11/03/2026 no futuro (hoje é 10/03/2026)"]
    );
}

#[test]
fn pagamento_anterior_a_emissao_da_gru_e_recusado() {
    let e = conferir_pagamento(&pagamento(100_000, d(2026, 3, 1)), Some(&gru()), hoje());
    assert_eq!(
        e,
        ["pagamento em 01/03/2026 anterior à emissão da GRU em 02/03/2026"]
    );
    // Paid the day it was issued: fine.
    assert!(
        conferir_pagamento(&pagamento(100_000, d(2026, 3, 2)), Some(&gru()), hoje()).is_empty()
    );
}

#[test]
fn pagamento_a_maior_ate_o_dobro_da_gru_e_aceito_e_acima_recusado() {
    // R$ 2.000,00 on a R$ 1.000,00 GRU: the slip paid twice, a credit of R$ 1.000,00 — accepted.
    assert!(conferir_pagamento(&pagamento(200_000, hoje()), Some(&gru()), hoje()).is_empty());
    // One centavo more is refused.
    assert_eq!(
        conferir_pagamento(&pagamento(200_001, hoje()), Some(&gru()), hoje()),
        ["valor pago R$ 2.000,01 é mais que o dobro do valor da GRU (R$ 1.000,00): confira o arquivo com o banco"]
    );
}

#[test]
fn valor_acima_do_teto_e_recusado_mesmo_sem_gru() {
    // 999999999999999 centavos (R$ 9,9 trillion) for a nosso número ANS never issued.
    let e = conferir_pagamento(&pagamento(999_999_999_999_999, hoje()), None, hoje());
    assert_eq!(
        e,
        ["valor pago R$ 9.999.999.999.999,99 acima do teto de R$ 1.000.000.000,00 para um único pagamento"]
    );
    assert!(
        conferir_pagamento(&pagamento(TETO_PAGAMENTO.value(), hoje()), None, hoje()).is_empty()
    );
}

#[test]
fn valor_negativo_digitado_e_recusado() {
    // A manual entry does not go through the file reader.
    let e = conferir_pagamento(&pagamento(-10_000, hoje()), Some(&gru()), hoje());
    assert_eq!(
        e,
        ["valor pago -R$ 100,00: um pagamento precisa de valor maior que zero"]
    );
}
