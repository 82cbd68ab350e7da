//! `Centavos`: exact, checked, pt-BR.

#![allow(clippy::unwrap_used)]

use persus_domain::money::{Centavos, MoneyError, Rounding};
use proptest::prelude::*;

#[test]
fn valores_digitados_em_portugues() {
    let c = |s| Centavos::parse_brl(s).unwrap().value();
    assert_eq!(c("1.234,56"), 123_456);
    assert_eq!(c("R$ 1.234,56"), 123_456);
    assert_eq!(c("1234,56"), 123_456);
    assert_eq!(c("-10,00"), -1_000);
    assert_eq!(c("1234"), 123_400);
    assert_eq!(c("0,5"), 50);
    assert_eq!(c("1234.56"), 123_456, "machine form: one dot, two decimals");
    assert_eq!(
        c("1.234"),
        123_400,
        "dot + three digits is a thousands separator"
    );
    assert_eq!(c("1.234.567,8"), 123_456_780);
}

#[test]
fn valores_invalidos_sao_recusados_sem_arredondar() {
    let e = |s| Centavos::parse_brl(s).unwrap_err().to_string();
    assert_eq!(
        e("12,345"),
        "valor inválido \"12,345\": no máximo 2 casas decimais"
    );
    assert!(e("12,3a").contains("apenas dígitos"));
    assert!(e("").contains("informe um valor"));
    assert!(e("1.23.456").contains("grupos de 3"));
    assert!(e("99999999999999999999").contains("grande demais"));
}

#[test]
fn ivr_de_1_5_sobre_o_valor_sus() {
    // RN 504/2022 art. 1: AIH with SUS total R$ 1.000,00 → R$ 1.500,00.
    assert_eq!(
        Centavos::new(100_000)
            .mul_ratio(3, 2, Rounding::HalfUp)
            .unwrap(),
        Centavos::new(150_000)
    );
    // R$ 0,01 × 1.5 = 1.5 centavos → 2 (half up), 2 (half even), 1 (down).
    let one = Centavos::new(1);
    assert_eq!(one.mul_ratio(3, 2, Rounding::HalfUp).unwrap().value(), 2);
    assert_eq!(one.mul_ratio(3, 2, Rounding::HalfEven).unwrap().value(), 2);
    assert_eq!(one.mul_ratio(3, 2, Rounding::Down).unwrap().value(), 1);
    // 2.5 → 3 (half up), 2 (half even); −2.5 → −3 (half away from zero), −2 (half even).
    assert_eq!(
        Centavos::new(5)
            .mul_ratio(1, 2, Rounding::HalfUp)
            .unwrap()
            .value(),
        3
    );
    assert_eq!(
        Centavos::new(5)
            .mul_ratio(1, 2, Rounding::HalfEven)
            .unwrap()
            .value(),
        2
    );
    assert_eq!(
        Centavos::new(-5)
            .mul_ratio(1, 2, Rounding::HalfUp)
            .unwrap()
            .value(),
        -3
    );
    assert_eq!(
        Centavos::new(-5)
            .mul_ratio(1, 2, Rounding::HalfEven)
            .unwrap()
            .value(),
        -2
    );
    assert_eq!(
        Centavos::new(-5)
            .mul_ratio(1, 2, Rounding::Down)
            .unwrap()
            .value(),
        -2
    );
    assert_eq!(
        Centavos::new(5).mul_ratio(1, 0, Rounding::HalfUp),
        Err(MoneyError::DivisionByZero)
    );
}

#[test]
fn estouro_e_erro_nunca_volta_ao_inicio() {
    assert_eq!(
        Centavos::new(i64::MAX).checked_add(Centavos::new(1)),
        Err(MoneyError::Overflow)
    );
    assert_eq!(
        Centavos::new(i64::MIN).checked_sub(Centavos::new(1)),
        Err(MoneyError::Overflow)
    );
    assert_eq!(
        Centavos::sum([Centavos::new(i64::MAX), Centavos::new(1)]),
        Err(MoneyError::Overflow)
    );
    assert_eq!(
        Centavos::new(i64::MAX).mul_ratio(3, 2, Rounding::HalfUp),
        Err(MoneyError::Overflow)
    );
}

#[test]
fn forma_decimal_para_csv_e_api() {
    assert_eq!(Centavos::new(123_456).to_decimal_string(), "1234.56");
    assert_eq!(Centavos::new(-5).to_decimal_string(), "-0.05");
    assert_eq!(serde_json::to_string(&Centavos::new(150)).unwrap(), "150");
}

proptest! {
    #[test]
    fn exibir_e_ler_de_volta(v in -1_000_000_000_000_000i64..1_000_000_000_000_000) {
        let c = Centavos::new(v);
        prop_assert_eq!(Centavos::parse_brl(&c.to_string()).unwrap(), c);
        prop_assert_eq!(Centavos::parse_brl(&c.to_decimal_string().replace('.', ",")).unwrap(), c);
    }

    #[test]
    fn mul_ratio_confere_com_referencia(v in -1_000_000_000_000i64..1_000_000_000_000, num in -1000i64..1000, den in 1i64..1000) {
        // Reference: floor/ceil in i128 and compare distances by hand.
        let exact_num = i128::from(v) * i128::from(num);
        let d = i128::from(den);
        let floor = exact_num.div_euclid(d);
        let rem = exact_num.rem_euclid(d); // 0 <= rem < d
        let half_up = if rem * 2 > d || (rem * 2 == d && exact_num >= 0) { floor + 1 } else { floor };
        let down = if exact_num < 0 && rem != 0 { floor + 1 } else { floor };
        prop_assert_eq!(i128::from(Centavos::new(v).mul_ratio(num, den, Rounding::HalfUp).unwrap().value()), half_up);
        prop_assert_eq!(i128::from(Centavos::new(v).mul_ratio(num, den, Rounding::Down).unwrap().value()), down);
    }

    #[test]
    fn soma_detecta_estouro_em_qualquer_ordem(a in any::<i64>(), b in any::<i64>(), c in any::<i64>()) {
        let exact = i128::from(a) + i128::from(b) + i128::from(c);
        let fits = i64::try_from(exact).is_ok();
        let r = Centavos::sum([Centavos::new(a), Centavos::new(b), Centavos::new(c)]);
        // Left-to-right may overflow in the middle even when the total fits: then it is an
        // error, never a wrong number.
        match r {
            Ok(total) => prop_assert_eq!(i128::from(total.value()), exact),
            Err(e) => { prop_assert_eq!(e, MoneyError::Overflow); let _ = fits; }
        }
    }
}
