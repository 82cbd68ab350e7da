//! Valuation by the rule of the attendance's competência (rules as data, version recorded).

#![allow(clippy::unwrap_used)]

use persus_domain::ids::Competencia;
use persus_domain::money::Centavos;
use persus_domain::valoracao::{parse_regras, regras_padrao, valorar, ValoracaoError};

fn c(ano: u16, mes: u8) -> Competencia {
    Competencia::new(ano, mes).unwrap()
}

/// RN 504/2022 art. 1 §§1–2: 1.5 × the SUS value for competências from 01/2008.
/// Worked example of domain.md §4: SUS R$ 1.000,00 → R$ 1.500,00.
#[test]
fn ivr_de_1_5_a_partir_de_janeiro_de_2008() {
    let r = regras_padrao();
    let v = valorar(&r, c(2025, 3), Centavos::new(100_000), None).unwrap();
    assert_eq!(v.valor, Centavos::new(150_000));
    assert_eq!(v.versao, "ivr-rn504-2022");
    let v = valorar(&r, c(2008, 1), Centavos::new(100_000), None).unwrap();
    assert_eq!(v.valor, Centavos::new(150_000));
    // Half-up to the centavo: R$ 0,01 × 1,5 = R$ 0,015 → R$ 0,02; R$ 123,45 → R$ 185,175 → R$ 185,18.
    assert_eq!(
        valorar(&r, c(2024, 6), Centavos::new(1), None)
            .unwrap()
            .valor,
        Centavos::new(2)
    );
    assert_eq!(
        valorar(&r, c(2024, 6), Centavos::new(12_345), None)
            .unwrap()
            .valor,
        Centavos::new(18_518)
    );
}

/// RDC 62/2001 art. 2: before 2008 the TUNEP reference value of the procedure applies.
#[test]
fn tunep_antes_de_2008_exige_o_valor_de_referencia() {
    let r = regras_padrao();
    let e = valorar(&r, c(2007, 12), Centavos::new(100_000), None).unwrap_err();
    assert_eq!(e, ValoracaoError::FaltaTunep("12/2007".to_owned()));
    assert!(e.to_string().contains("TUNEP"));
    let v = valorar(
        &r,
        c(2007, 12),
        Centavos::new(100_000),
        Some(Centavos::new(87_654)),
    )
    .unwrap();
    assert_eq!(v.valor, Centavos::new(87_654));
    assert_eq!(v.versao, "tunep-rdc62-2001");
    assert!(matches!(
        valorar(&r, c(1999, 1), Centavos::new(1), None),
        Err(ValoracaoError::SemRegra(_))
    ));
    assert!(matches!(
        valorar(&r, c(2020, 1), Centavos::new(0), None),
        Err(ValoracaoError::ValorInvalido(_))
    ));
}

#[test]
fn tabela_com_periodos_sobrepostos_ou_malformada_e_recusada() {
    let sobreposta = "v1;200801;;ivr;3;2;x\nv2;202001;;ivr;2;1;y\n";
    let e = parse_regras(sobreposta).unwrap_err();
    assert_eq!(
        e.to_string(),
        "tabela de valoração, linha 2: período sobreposto a outra regra"
    );
    assert!(parse_regras("v1;200813;;ivr;3;2;x")
        .unwrap_err()
        .to_string()
        .contains("AAAAMM"));
    assert!(parse_regras("v1;200801;;ivr;3;0;x")
        .unwrap_err()
        .to_string()
        .contains("positivo"));
    assert!(parse_regras("v1;200801;;outro;3;2;x")
        .unwrap_err()
        .to_string()
        .contains("ivr ou tunep"));
    // A new version from a date: the old one must be closed first.
    let nova = "a;200801;202612;ivr;3;2;RN 504\nb;202701;;ivr;8;5;hipotética\n";
    let r = parse_regras(nova).unwrap();
    assert_eq!(
        valorar(&r, c(2027, 1), Centavos::new(1_000), None)
            .unwrap()
            .valor,
        Centavos::new(1_600)
    );
    assert_eq!(
        valorar(&r, c(2026, 12), Centavos::new(1_000), None)
            .unwrap()
            .valor,
        Centavos::new(1_500)
    );
}
