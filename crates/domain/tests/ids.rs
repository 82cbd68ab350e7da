//! Identifiers: the worked examples of domain.md §7, the real ANS register, property tests and
//! the pt-BR messages people see.

#![allow(clippy::unwrap_used)]

use persus_domain::ids::*;
use proptest::prelude::*;

// ---- CNPJ (domain.md §7.1) ----

#[test]
fn cnpj_alfanumerico_do_exemplo_oficial_da_rfb_e_valido() {
    // Nota Técnica COCAD/SUARA/RFB 49/2024 example: S1=459 → 3; S2=424 → 5.
    let c = Cnpj::parse("12.ABC.345/01DE-35").unwrap();
    assert_eq!(c.as_str(), "12ABC34501DE35");
    assert_eq!(c.to_string(), "12.ABC.345/01DE-35");
    assert_eq!(
        Cnpj::parse("12abc34501de35").unwrap(),
        c,
        "lowercase is accepted"
    );
    assert_eq!(Cnpj::from_base("12ABC34501DE").unwrap(), c);
}

#[test]
fn cnpj_numerico_da_amil_e_valido() {
    // ANS CADOP: 29.309.127/0001-79; S1=202, r=4 → 7; S2=178, r=2 → 9.
    let c = Cnpj::parse("29.309.127/0001-79").unwrap();
    assert_eq!(c.raiz(), "29309127");
    assert!(c.is_matriz());
    assert_eq!(Cnpj::parse("29309127000179").unwrap(), c);
}

#[test]
fn cnpj_com_letra_no_digito_verificador_e_recusado() {
    // The DVs of the alphanumeric CNPJ stay numeric.
    let e = Cnpj::parse("12ABC34501DE3A").unwrap_err();
    assert_eq!(
        e.to_string(),
        "caractere não permitido 'A' na posição 14 do CNPJ"
    );
}

#[test]
fn cnpj_com_digitos_iguais_e_recusado() {
    assert_eq!(
        Cnpj::parse("00000000000000").unwrap_err().to_string(),
        "CNPJ com todos os dígitos iguais não é válido"
    );
}

// ---- CPF (§7.2) ----

#[test]
fn cpf_construido_a_partir_da_base_123456789_termina_em_09() {
    let c = Cpf::from_base(123_456_789).unwrap();
    assert_eq!(c.to_string(), "123.456.789-09");
    assert_eq!(Cpf::parse("123.456.789-09").unwrap(), c);
    assert_eq!(c.masked(), "***.456.789-**");
}

#[test]
fn cpf_com_digitos_iguais_e_recusado() {
    // Constructed by the DV rule these would "pass", but are administratively invalid.
    assert_eq!(
        Cpf::parse("111.111.111-11").unwrap_err().to_string(),
        "CPF com todos os dígitos iguais não é válido"
    );
}

#[test]
fn mensagens_de_erro_em_portugues() {
    assert_eq!(
        Cpf::parse("1234567890").unwrap_err().to_string(),
        "CPF deve ter 11 dígitos; foram informados 10"
    );
    assert_eq!(
        Cpf::parse("123.456.789-08").unwrap_err().to_string(),
        "dígito verificador inválido no CPF: esperado 9, informado 8"
    );
    assert_eq!(
        Cpf::parse("12x45678909").unwrap_err().to_string(),
        "caractere não permitido 'x' na posição 3 do CPF"
    );
    assert_eq!(
        Cns::parse("  ").unwrap_err().to_string(),
        "CNS não informado"
    );
    assert_eq!(
        Competencia::parse("202413").unwrap_err().to_string(),
        "competência inválido: mês 13 (use AAAAMM, mês de 01 a 12)"
    );
}

// ---- CNS (§7.3) ----

#[test]
fn cns_definitivo_pelo_ramo_001_e_valido() {
    // Constructed example of domain.md: 170012345670018 uses the "001" branch.
    let c = Cns::parse("170012345670018").unwrap();
    assert_eq!(c.tipo(), TipoCns::Definitivo);
    assert_eq!(c.to_string(), "170 0123 4567 0018");
    assert_eq!(c.masked(), "170 **** **** 0018");
    assert_eq!(Cns::definitivo_from_pis(17_001_234_567).unwrap(), c);
}

#[test]
fn cns_provisorio_com_soma_multipla_de_11_e_valido() {
    let c = Cns::parse("898 1234 5678 9018").unwrap();
    assert_eq!(c.tipo(), TipoCns::Provisorio);
    assert_eq!(Cns::provisorio_from_body(89_812_345_678_901), Some(c));
}

#[test]
fn cns_que_comeca_com_3_e_recusado() {
    let e = Cns::parse("370012345670018").unwrap_err().to_string();
    assert!(e.contains("não pode começar com 3"), "{e}");
}

// ---- Registro ANS (§7.4) ----

#[test]
fn registro_ans_da_amil_e_os_casos_de_borda_sao_validos() {
    // 326305: S = 0·2+3·3+6·4+2·5+3·6 = 61; 61 mod 11 = 6; 11 − 6 = 5.
    assert_eq!(RegistroAns::from_base(32_630).unwrap().as_str(), "326305");
    // r = 0 → 1 and r = 1 → 0 (domain.md §7.4 edge cases), and leading zeros (Allianz 000515).
    for r in [
        "418901", "420671", "304531", "401081", "422941", "368920", "344800", "413330", "422720",
        "418030", "416070", "000515",
    ] {
        RegistroAns::parse(r).unwrap_or_else(|e| panic!("{r}: {e}"));
    }
    assert!(RegistroAns::parse("326306").is_err());
}

#[test]
fn todas_as_1106_operadoras_do_cadastro_da_ans_sao_validas() {
    // Relatório CADOP (Fonte: ANS — dados abertos): every real registro and CNPJ parses.
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/operadoras_ativas.csv"
    );
    let mut reader = csv::Reader::from_path(path).unwrap();
    let mut n = 0;
    for row in reader.records() {
        let row = row.unwrap();
        RegistroAns::parse(&row[0]).unwrap_or_else(|e| panic!("registro {}: {e}", &row[0]));
        Cnpj::parse(&row[1]).unwrap_or_else(|e| panic!("CNPJ {}: {e}", &row[1]));
        n += 1;
    }
    assert_eq!(n, 1_106);
}

// ---- AIH / APAC (§7.5, §7.6) ----

#[test]
fn aih_real_de_2006_e_valida() {
    // 2406100907199 (RN, 2006): 240610090719 mod 11 = 9.
    let a = Aih::parse("2406100907199").unwrap();
    assert_eq!(a.uf(), 24);
    assert_eq!(a.ano2(), 6);
    assert_eq!(a.tipo(), TipoAih::UsoGeral);
    assert_eq!(a.sequencia(), 90_719);
    assert_eq!(a.to_string(), "24.06.1.0.090.719-9");
    assert_eq!(Aih::new(24, 6, TipoAih::UsoGeral, 90_719).unwrap(), a);
}

#[test]
fn numero_de_apac_nao_e_aceito_como_aih_e_vice_versa() {
    let apac = Apac::new(35, 25, TipoApac::UsoGeral, 1).unwrap();
    let e = Aih::parse(apac.as_str()).unwrap_err().to_string();
    assert!(e.contains("indica um número de APAC"), "{e}");
    let aih = Aih::new(35, 25, TipoAih::Eletiva, 1).unwrap();
    let e = Apac::parse(aih.as_str()).unwrap_err().to_string();
    assert!(e.contains("indica um número de AIH"), "{e}");
}

#[test]
fn aih_de_uf_inexistente_e_recusada() {
    // 20 is not an IBGE UF code.
    let e = Aih::new(20, 25, TipoAih::UsoGeral, 1)
        .unwrap_err()
        .to_string();
    assert!(e.contains("UF 20"), "{e}");
}

// ---- SIGTAP (§7.7) ----

#[test]
fn os_13_codigos_sigtap_publicados_sao_validos() {
    // Portaria GM 24/2008 and Portaria SAS 244 annex; includes r = 0 and r = 1 cases.
    for c in [
        "01.99.99.999-6",
        "02.99.99.999-8",
        "03.99.99.999-0",
        "01.01.01.004-4",
        "01.01.02.006-6",
        "01.01.02.007-4",
        "01.01.02.009-0",
        "02.02.03.002-4",
        "02.02.03.107-1",
        "03.03.09.002-2",
        "03.03.09.019-7",
        "03.07.01.001-5",
        "03.07.01.005-8",
    ] {
        let p = ProcedimentoSigtap::parse(c).unwrap_or_else(|e| panic!("{c}: {e}"));
        assert_eq!(p.to_string(), c);
    }
    assert_eq!(
        ProcedimentoSigtap::from_base(30_309_019).unwrap().as_str(),
        "0303090197"
    );
}

#[test]
fn sigtap_de_grupo_inexistente_e_recusado() {
    let e = ProcedimentoSigtap::from_base(100_000_000)
        .unwrap_err()
        .to_string();
    assert!(e.contains("grupo 10"), "{e}");
}

// ---- NUP (§7.9) ----

#[test]
fn nups_verificados_sao_validos() {
    for n in [
        "23037.001462/2021-65",
        "33910.018565/2019-58",
        "33902.436622/2011-29",
    ] {
        assert_eq!(Nup::parse(n).unwrap().to_string(), n);
    }
    let n = Nup::new(33_910, 18_565, 2019).unwrap();
    assert_eq!(n.to_string(), "33910.018565/2019-58");
    assert_eq!(
        (n.unidade(), n.sequencia(), n.ano()),
        (33_910, 18_565, 2019)
    );
}

// ---- CNES, competência (§7.8, §7.11) ----

#[test]
fn cnes_tem_sete_digitos_sem_dv() {
    assert_eq!(Cnes::parse("2077485").unwrap().as_str(), "2077485");
    assert!(Cnes::parse("0000000").is_err());
    assert_eq!(
        Cnes::parse("123").unwrap_err().to_string(),
        "CNES deve ter 7 dígitos; foram informados 3"
    );
}

#[test]
fn competencia_e_trimestre() {
    let c = Competencia::parse("202402").unwrap();
    assert_eq!(Competencia::parse("02/2024").unwrap(), c);
    assert_eq!(c.to_string(), "02/2024");
    assert_eq!(c.to_aaaamm(), "202402");
    assert_eq!(c.ultimo_dia().to_string(), "2024-02-29", "leap year");
    assert_eq!(c.trimestre().to_string(), "1T2024");
    let t = Trimestre::parse("4T2018").unwrap();
    assert_eq!(Trimestre::parse("2018-T4").unwrap(), t);
    assert_eq!(t.seguinte().to_string(), "1T2019");
    assert_eq!(t.anterior().to_string(), "3T2018");
    assert_eq!(
        t.competencias().map(|c| c.to_aaaamm()),
        ["201810", "201811", "201812"]
    );
    assert_eq!(t.ultimo_dia().to_string(), "2018-12-31");
    assert!(t.contains(Competencia::new(2018, 11).unwrap()));
    assert!(Competencia::parse("198912").is_err());
    assert_eq!(serde_json::to_string(&c).unwrap(), "\"202402\"");
}

#[test]
fn identificadores_serializam_na_forma_canonica_e_recusam_invalidos() {
    let c: Cpf = serde_json::from_str("\"123.456.789-09\"").unwrap();
    assert_eq!(serde_json::to_string(&c).unwrap(), "\"12345678909\"");
    let e = serde_json::from_str::<Cpf>("\"123.456.789-00\"")
        .unwrap_err()
        .to_string();
    assert!(e.contains("dígito verificador"), "{e}");
}

// ---- Properties ----

type Parser = fn(&str) -> Option<IdError>;

/// Every other digit in place of a check digit.
fn other_digits(s: &str, pos: usize) -> Vec<String> {
    let cur = s.as_bytes()[pos];
    (b'0'..=b'9')
        .filter(|d| *d != cur)
        .map(|d| {
            let mut b = s.as_bytes().to_vec();
            b[pos] = d;
            String::from_utf8(b).unwrap()
        })
        .collect()
}

fn is_check_digit_error(e: &IdError) -> bool {
    matches!(e, IdError::CheckDigit { .. } | IdError::AllEqual { .. })
}

proptest! {
    #[test]
    fn cpf_round_trip_and_dv(base in 0u32..1_000_000_000) {
        if let Ok(c) = Cpf::from_base(base) {
            prop_assert_eq!(Cpf::parse(c.as_str()).unwrap(), c);
            prop_assert_eq!(Cpf::parse(&c.to_string()).unwrap(), c);
            for pos in [9, 10] {
                for wrong in other_digits(c.as_str(), pos) {
                    let e = Cpf::parse(&wrong).unwrap_err();
                    prop_assert!(is_check_digit_error(&e), "{}", e);
                }
            }
        }
    }

    #[test]
    fn cnpj_round_trip_and_dv(base in "[0-9A-Z]{8}[0-9]{4}") {
        if let Ok(c) = Cnpj::from_base(&base) {
            prop_assert_eq!(Cnpj::parse(c.as_str()).unwrap(), c);
            prop_assert_eq!(Cnpj::parse(&c.to_string()).unwrap(), c);
            for pos in [12, 13] {
                for wrong in other_digits(c.as_str(), pos) {
                    prop_assert!(is_check_digit_error(&Cnpj::parse(&wrong).unwrap_err()));
                }
            }
        }
    }

    #[test]
    fn cns_round_trip_and_dv(pis in 10_000_000_000u64..30_000_000_000, body in 70_000_000_000_000u64..100_000_000_000_000) {
        let d = Cns::definitivo_from_pis(pis).unwrap();
        prop_assert_eq!(Cns::parse(d.as_str()).unwrap(), d);
        prop_assert_eq!(Cns::parse(&d.to_string()).unwrap(), d);
        for wrong in other_digits(d.as_str(), 14) {
            prop_assert!(is_check_digit_error(&Cns::parse(&wrong).unwrap_err()));
        }
        if let Some(p) = Cns::provisorio_from_body(body) {
            prop_assert_eq!(Cns::parse(p.as_str()).unwrap(), p);
            for wrong in other_digits(p.as_str(), 14) {
                prop_assert!(is_check_digit_error(&Cns::parse(&wrong).unwrap_err()));
            }
        }
    }

    #[test]
    fn registro_ans_round_trip_and_dv(base in 0u32..100_000) {
        let r = RegistroAns::from_base(base).unwrap();
        prop_assert_eq!(RegistroAns::parse(r.as_str()).unwrap(), r);
        for wrong in other_digits(r.as_str(), 5) {
            prop_assert!(is_check_digit_error(&RegistroAns::parse(&wrong).unwrap_err()));
        }
    }

    #[test]
    fn aih_apac_round_trip_and_dv(uf_i in 0usize..27, ano in 0u8..100, seq in 1u32..10_000_000) {
        let ufs = [11, 12, 13, 14, 15, 16, 17, 21, 22, 23, 24, 25, 26, 27, 28, 29, 31, 32, 33, 35, 41, 42, 43, 50, 51, 52, 53];
        let a = Aih::new(ufs[uf_i], ano, TipoAih::UsoGeral, seq).unwrap();
        prop_assert_eq!(Aih::parse(&a.to_string()).unwrap(), a);
        prop_assert_eq!(a.sequencia(), seq);
        for wrong in other_digits(a.as_str(), 12) {
            prop_assert!(is_check_digit_error(&Aih::parse(&wrong).unwrap_err()));
        }
        let p = Apac::new(ufs[uf_i], ano, TipoApac::UsoGeral, seq).unwrap();
        prop_assert_eq!(Apac::parse(p.as_str()).unwrap(), p);
        for wrong in other_digits(p.as_str(), 12) {
            prop_assert!(is_check_digit_error(&Apac::parse(&wrong).unwrap_err()));
        }
    }

    #[test]
    fn sigtap_round_trip_and_dv(base in 10_000_000u32..100_000_000) {
        let p = ProcedimentoSigtap::from_base(base).unwrap();
        prop_assert_eq!(ProcedimentoSigtap::parse(&p.to_string()).unwrap(), p);
        for wrong in other_digits(p.as_str(), 9) {
            prop_assert!(is_check_digit_error(&ProcedimentoSigtap::parse(&wrong).unwrap_err()));
        }
    }

    #[test]
    fn nup_round_trip_and_dv(unidade in 0u32..100_000, seq in 1u32..1_000_000, ano in 1900u16..3000) {
        let n = Nup::new(unidade, seq, ano).unwrap();
        prop_assert_eq!(Nup::parse(&n.to_string()).unwrap(), n);
        for pos in [15, 16] {
            for wrong in other_digits(n.as_str(), pos) {
                prop_assert!(is_check_digit_error(&Nup::parse(&wrong).unwrap_err()));
            }
        }
    }

    #[test]
    fn wrong_lengths_are_length_errors(s in "[0-9]{1,20}") {
        let checks: [(usize, Parser); 6] = [
            (11, |s| Cpf::parse(s).err()),
            (15, |s| Cns::parse(s).err()),
            (6, |s| RegistroAns::parse(s).err()),
            (13, |s| Aih::parse(s).err()),
            (10, |s| ProcedimentoSigtap::parse(s).err()),
            (17, |s| Nup::parse(s).err()),
        ];
        for (len, parse) in checks {
            if s.len() != len {
                let is_length = matches!(parse(&s), Some(IdError::Length { .. }));
                prop_assert!(is_length);
            }
        }
    }

    #[test]
    fn a_forbidden_character_is_named_with_its_position(pos in 0usize..11, ch in "[a-zA-Z#*]") {
        let mut s: Vec<char> = "12345678909".chars().collect();
        let ch = ch.chars().next().unwrap();
        s[pos] = ch;
        let input: String = s.into_iter().collect();
        prop_assert_eq!(Cpf::parse(&input).unwrap_err(), IdError::Character { kind: "CPF", ch, position: pos + 1 });
    }
}
