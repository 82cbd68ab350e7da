//! The GRU Cobrança as a FEBRABAN bank slip (design.md "Decisions": bank 001, 44-digit barcode,
//! 47-digit linha digitável; domain.md §7.10).
//!
//! - Barcode (44): bank (3) · currency 9 (1) · general DV (1) · fator de vencimento (4) ·
//!   amount in centavos (10) · campo livre (25).
//! - General DV: modulo 11 over the other 43 digits, weights 2..9 from the right;
//!   d = 11 − (S mod 11), and 0, 1, 10, 11 become 1.
//! - Linha digitável (47): three fields carrying bank, currency and the campo livre, each with a
//!   modulo-10 DV (weights 2,1 from the right, digits of each product summed), then the
//!   general DV, then fator and amount. One derives the other ([`Boleto::de_linha`],
//!   [`Boleto::de_codigo`]).
//! - Fator de vencimento: days since 07/10/1997 — it reached 9999 on 21/02/2025 and restarted at
//!   1000 on 22/02/2025 (FEBRABAN).
//! - Campo livre of Banco do Brasil with a 7-digit convênio: `000000` · nosso número (17 =
//!   convênio 7 + sequence 10) · carteira (2). The nosso número identifies the GRU when the bank
//!   returns the payment.

use chrono::NaiveDate;
use serde::Serialize;

use crate::money::Centavos;

pub const BANCO_DO_BRASIL: &str = "001";
pub const MOEDA_REAL: u8 = 9;

fn base_1997() -> NaiveDate {
    NaiveDate::from_ymd_opt(1997, 10, 7).unwrap_or_default()
}

fn reinicio_2025() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 2, 22).unwrap_or_default()
}

/// The fator de vencimento of a due date: 1000..=9999.
pub fn fator_vencimento(d: NaiveDate) -> Result<u16, String> {
    let f = if d >= reinicio_2025() {
        1000 + (d - reinicio_2025()).num_days()
    } else {
        (d - base_1997()).num_days()
    };
    if (1000..=9999).contains(&f) {
        Ok(f as u16)
    } else {
        Err(format!(
            "vencimento {} fora da faixa do fator de vencimento",
            d.format("%d/%m/%Y")
        ))
    }
}

/// The due date of a fator: of the two cycles (before and after 22/02/2025), the one nearer
/// `referencia` (banks accept 3,000 factors back and 5,500 ahead of today).
pub fn data_do_fator(fator: u16, referencia: NaiveDate) -> Option<NaiveDate> {
    if !(1000..=9999).contains(&fator) {
        return None;
    }
    let antiga = base_1997() + chrono::Duration::days(i64::from(fator));
    let nova = reinicio_2025() + chrono::Duration::days(i64::from(fator) - 1000);
    let dist = |d: NaiveDate| (d - referencia).num_days().abs();
    Some(if dist(nova) <= dist(antiga) {
        nova
    } else {
        antiga
    })
}

fn digitos(s: &str) -> impl DoubleEndedIterator<Item = u32> + '_ {
    s.bytes().map(|b| u32::from(b - b'0'))
}

/// Modulo-11 general check digit over the 43 digits (barcode without position 5).
pub fn dv_geral(sem_dv: &str) -> u8 {
    let soma: u32 = digitos(sem_dv)
        .rev()
        .enumerate()
        .map(|(i, d)| d * (2 + (i as u32 % 8)))
        .sum();
    match 11 - (soma % 11) {
        0 | 1 | 10 | 11 => 1,
        d => d as u8,
    }
}

/// Modulo-10 check digit of a field of the linha digitável.
pub fn dv_campo(campo: &str) -> u8 {
    let soma: u32 = digitos(campo)
        .rev()
        .enumerate()
        .map(|(i, d)| {
            let p = d * if i % 2 == 0 { 2 } else { 1 };
            p / 10 + p % 10
        })
        .sum();
    ((10 - soma % 10) % 10) as u8
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Boleto {
    pub banco: String,
    pub vencimento: NaiveDate,
    pub fator: u16,
    pub valor: Centavos,
    /// 25 digits.
    pub campo_livre: String,
}

/// The 17-digit nosso número: convênio (7) + sequence (10).
pub fn nosso_numero(convenio: u32, sequencia: u64) -> Result<String, String> {
    if convenio > 9_999_999 || sequencia > 9_999_999_999 {
        return Err("convênio ou sequência fora da faixa do nosso número".to_owned());
    }
    Ok(format!("{convenio:07}{sequencia:010}"))
}

/// Banco do Brasil's campo livre for a 7-digit convênio: `000000` + nosso número + carteira.
pub fn campo_livre_bb(nosso_numero: &str, carteira: u8) -> Result<String, String> {
    if nosso_numero.len() != 17 || !nosso_numero.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "nosso número \"{nosso_numero}\" deve ter 17 dígitos"
        ));
    }
    Ok(format!("000000{nosso_numero}{carteira:02}"))
}

fn so_digitos(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

impl Boleto {
    pub fn novo(
        banco: &str,
        vencimento: NaiveDate,
        valor: Centavos,
        campo_livre: &str,
    ) -> Result<Boleto, String> {
        if banco.len() != 3 || !banco.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("banco \"{banco}\" deve ter 3 dígitos"));
        }
        if campo_livre.len() != 25 || !campo_livre.bytes().all(|b| b.is_ascii_digit()) {
            return Err("o campo livre deve ter 25 dígitos".to_owned());
        }
        if valor.value() <= 0 || valor.value() > 9_999_999_999 {
            return Err(format!(
                "valor {valor} fora do que um boleto representa (R$ 0,01 a R$ 99.999.999,99)"
            ));
        }
        Ok(Boleto {
            banco: banco.to_owned(),
            vencimento,
            fator: fator_vencimento(vencimento)?,
            valor,
            campo_livre: campo_livre.to_owned(),
        })
    }

    /// The 44-digit barcode.
    pub fn codigo_de_barras(&self) -> String {
        let sem_dv = format!(
            "{}{}{:04}{:010}{}",
            self.banco,
            MOEDA_REAL,
            self.fator,
            self.valor.value(),
            self.campo_livre
        );
        let dv = dv_geral(&sem_dv);
        format!("{}{}{}", &sem_dv[..4], dv, &sem_dv[4..])
    }

    /// The 47-digit linha digitável, formatted `AAAAA.AAAAA BBBBB.BBBBBB CCCCC.CCCCCC D EEEEEEEEEEEEEE`.
    pub fn linha_digitavel(&self) -> String {
        let c = self.codigo_de_barras();
        let (cl, dv, fv) = (&c[19..44], &c[4..5], &c[5..19]);
        let campo = |s: &str| format!("{s}{}", dv_campo(s));
        let c1 = campo(&format!("{}{}", &c[0..4], &cl[0..5]));
        let c2 = campo(&cl[5..15]);
        let c3 = campo(&cl[15..25]);
        format!(
            "{}.{} {}.{} {}.{} {dv} {fv}",
            &c1[..5],
            &c1[5..],
            &c2[..5],
            &c2[5..],
            &c3[..5],
            &c3[5..]
        )
    }

    /// Reads a barcode (44 digits), checking the general DV.
    pub fn de_codigo(codigo: &str, referencia: NaiveDate) -> Result<Boleto, String> {
        let c = so_digitos(codigo);
        if c.len() != 44 {
            return Err(format!(
                "o código de barras tem {} dígitos; são 44",
                c.len()
            ));
        }
        if &c[3..4] != "9" {
            return Err("moeda diferente de real (9)".to_owned());
        }
        let sem_dv = format!("{}{}", &c[..4], &c[5..]);
        if c[4..5] != dv_geral(&sem_dv).to_string() {
            return Err("dígito verificador geral inválido".to_owned());
        }
        let fator: u16 = c[5..9].parse().map_err(|_| "fator inválido".to_owned())?;
        let valor: i64 = c[9..19].parse().map_err(|_| "valor inválido".to_owned())?;
        Ok(Boleto {
            banco: c[..3].to_owned(),
            vencimento: data_do_fator(fator, referencia)
                .ok_or_else(|| format!("fator de vencimento {fator} inválido"))?,
            fator,
            valor: Centavos::new(valor),
            campo_livre: c[19..].to_owned(),
        })
    }

    /// Reads a linha digitável (47 digits, with or without punctuation), checking every DV,
    /// and rebuilds the barcode from it.
    pub fn de_linha(linha: &str, referencia: NaiveDate) -> Result<Boleto, String> {
        let l = so_digitos(linha);
        if l.len() != 47 {
            return Err(format!("a linha digitável tem {} dígitos; são 47", l.len()));
        }
        for (i, (ini, fim)) in [(0, 9), (10, 20), (21, 31)].into_iter().enumerate() {
            if l[fim..fim + 1] != dv_campo(&l[ini..fim]).to_string() {
                return Err(format!("dígito verificador do campo {} inválido", i + 1));
            }
        }
        let codigo = format!(
            "{}{}{}{}{}{}",
            &l[0..4],
            &l[32..33],
            &l[33..47],
            &l[4..9],
            &l[10..20],
            &l[21..31]
        );
        Boleto::de_codigo(&codigo, referencia)
    }
}

/// The bars of an Interleaved 2 of 5 symbol (FEBRABAN: start `nnnn`, digits in pairs — the first
/// in the bars, the second in the spaces —, stop `Wnn`): `(is_bar, is_wide)` from left to right.
pub fn itf(digitos: &str) -> Result<Vec<(bool, bool)>, String> {
    const PADROES: [&[u8; 5]; 10] = [
        b"nnwwn", b"wnnnw", b"nwnnw", b"wwnnn", b"nnwnw", b"wnwnn", b"nwwnn", b"nnnww", b"wnnwn",
        b"nwnwn",
    ];
    if digitos.is_empty()
        || !digitos.len().is_multiple_of(2)
        || !digitos.bytes().all(|b| b.is_ascii_digit())
    {
        return Err("ITF codifica um número par de dígitos".to_owned());
    }
    let mut out = vec![(true, false), (false, false), (true, false), (false, false)];
    let b = digitos.as_bytes();
    for par in b.chunks(2) {
        let (barras, espacos) = (
            PADROES[usize::from(par[0] - b'0')],
            PADROES[usize::from(par[1] - b'0')],
        );
        for k in 0..5 {
            out.push((true, barras[k] == b'w'));
            out.push((false, espacos[k] == b'w'));
        }
    }
    out.extend([(true, true), (false, false), (true, false)]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, dd).unwrap()
    }

    // domain.md §7.10: the fator counts days from 07/10/1997 (16/12/2012 → 5549), reached 9999
    // on 21/02/2025 and restarted at 1000 on 22/02/2025 (FEBRABAN).
    #[test]
    fn fator_de_vencimento_e_o_reinicio_de_2025() {
        assert_eq!(fator_vencimento(d(2000, 7, 3)), Ok(1000));
        assert_eq!(fator_vencimento(d(2012, 12, 16)), Ok(5549));
        assert_eq!(fator_vencimento(d(2025, 2, 21)), Ok(9999));
        assert_eq!(fator_vencimento(d(2025, 2, 22)), Ok(1000));
        assert_eq!(fator_vencimento(d(2026, 11, 30)), Ok(1646));
        assert!(fator_vencimento(d(1999, 1, 1)).is_err());
        let hoje = d(2026, 11, 27);
        assert_eq!(data_do_fator(1646, hoje), Some(d(2026, 11, 30)));
        assert_eq!(data_do_fator(9999, d(2025, 1, 1)), Some(d(2025, 2, 21)));
    }

    // domain.md §7.10, worked example: linha `10490.05539 03698.700006 00091.449587 5
    // 55490000028531` ↔ barcode `10495554900000285310055303698700000009144958`.
    #[test]
    fn exemplo_resolvido_ida_e_volta() {
        let ref_ = d(2012, 12, 1);
        let b = Boleto::de_linha(
            "10490.05539 03698.700006 00091.449587 5 55490000028531",
            ref_,
        )
        .unwrap();
        assert_eq!(
            b.codigo_de_barras(),
            "10495554900000285310055303698700000009144958"
        );
        assert_eq!(b.valor, Centavos::new(28_531));
        assert_eq!(b.vencimento, d(2012, 12, 16));
        assert_eq!(
            b.linha_digitavel(),
            "10490.05539 03698.700006 00091.449587 5 55490000028531"
        );
        let errado = "10490.05538 03698.700006 00091.449587 5 55490000028531";
        assert!(Boleto::de_linha(errado, ref_)
            .unwrap_err()
            .contains("campo 1"));
        assert!(
            Boleto::de_codigo("10496554900000285310055303698700000009144958", ref_)
                .unwrap_err()
                .contains("geral")
        );
    }

    #[test]
    fn campo_livre_do_banco_do_brasil() {
        let nn = nosso_numero(1_234_567, 42).unwrap();
        assert_eq!(nn, "12345670000000042");
        assert_eq!(
            campo_livre_bb(&nn, 17).unwrap(),
            "0000001234567000000004217"
        );
        assert!(campo_livre_bb("123", 17).is_err());
    }

    #[test]
    fn itf_tem_inicio_pares_e_fim() {
        let b = itf("00").unwrap();
        // start (4) + one pair (10) + stop (3)
        assert_eq!(b.len(), 17);
        assert_eq!(
            &b[..4],
            &[(true, false), (false, false), (true, false), (false, false)]
        );
        // "0" = nnwwn in the bars and in the spaces
        let barras: Vec<bool> = b[4..14].iter().step_by(2).map(|x| x.1).collect();
        assert_eq!(barras, [false, false, true, true, false]);
        assert_eq!(&b[14..], &[(true, true), (false, false), (true, false)]);
        assert!(itf("123").is_err());
        // 44 digits: every digit has exactly two wide elements.
        let b = itf(&"7".repeat(44)).unwrap();
        assert_eq!(b[4..b.len() - 3].iter().filter(|x| x.1).count(), 44 * 2);
    }

    proptest! {
        // Barcode and linha digitável round-trip: one derives the other, for any valid slip.
        #[test]
        fn codigo_e_linha_se_derivam(
            dias in 0i64..3000, valor in 1i64..9_999_999_999, seq in 0u64..9_999_999_999, cart in 0u8..100
        ) {
            let venc = d(2025, 3, 1) + chrono::Duration::days(dias);
            let cl = campo_livre_bb(&nosso_numero(2_950_123, seq).unwrap(), cart).unwrap();
            let b = Boleto::novo("001", venc, Centavos::new(valor), &cl).unwrap();
            let cod = b.codigo_de_barras();
            prop_assert_eq!(cod.len(), 44);
            let linha = b.linha_digitavel();
            prop_assert_eq!(linha.chars().filter(char::is_ascii_digit).count(), 47);
            let ref_ = venc - chrono::Duration::days(10);
            prop_assert_eq!(&Boleto::de_linha(&linha, ref_).unwrap(), &b);
            prop_assert_eq!(&Boleto::de_codigo(&cod, ref_).unwrap(), &b);
        }

        // Changing any one digit of the barcode is caught by the general DV (or makes the
        // currency invalid) — except a change at the DV itself to the same value.
        #[test]
        fn um_digito_trocado_e_detectado(pos in 0usize..44, delta in 1u8..10, seq in 0u64..1_000_000) {
            let cl = campo_livre_bb(&nosso_numero(2_950_123, seq).unwrap(), 17).unwrap();
            let b = Boleto::novo("001", d(2026, 12, 30), Centavos::new(150_000), &cl).unwrap();
            let mut cod: Vec<u8> = b.codigo_de_barras().into_bytes();
            cod[pos] = b'0' + (cod[pos] - b'0' + delta) % 10;
            let s = String::from_utf8(cod).unwrap();
            // Mod 11 misses some single-digit changes only when the DV folds to 1; count both.
            if let Ok(outro) = Boleto::de_codigo(&s, d(2026, 12, 1)) {
                prop_assert_eq!(outro.codigo_de_barras(), s);
                prop_assert_ne!(&outro, &b);
                prop_assert_eq!(outro.codigo_de_barras()[4..5].to_owned(), "1");
            }
        }
    }

    // Independent check: a third-party bank-slip parser from crates.io (`boleto-utils`) accepts
    // what we generate and reads the same amount and due date, across the 2025 restart.
    #[test]
    fn validador_de_terceiros_aceita_os_nossos_boletos() {
        for (i, venc) in [
            d(2024, 12, 31),
            d(2025, 2, 21),
            d(2025, 2, 22),
            d(2026, 11, 30),
            d(2030, 6, 28),
        ]
        .into_iter()
        .enumerate()
        {
            let cl =
                campo_livre_bb(&nosso_numero(2_950_123, 1000 + i as u64).unwrap(), 17).unwrap();
            let b = Boleto::novo("001", venc, Centavos::new(12_345_678 + i as i64), &cl).unwrap();
            let cod = b.codigo_de_barras();
            let parsed = boleto_utils::Boleto::new(cod.as_bytes()).expect("aceito");
            let boleto_utils::Boleto::Cobranca(c) = parsed else {
                panic!("não é cobrança")
            };
            assert_eq!(c.data_vencimento, Some(venc), "{cod}");
            assert_eq!(
                c.valor.map(|v| (v * 100.0).round() as i64),
                Some(b.valor.value())
            );
            let linha: String = b
                .linha_digitavel()
                .chars()
                .filter(char::is_ascii_digit)
                .collect();
            assert!(
                boleto_utils::Boleto::new(linha.as_bytes()).is_ok(),
                "{linha}"
            );
        }
    }
}
