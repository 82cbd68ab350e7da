//! The ANS calendar: national holidays (law), ANS pontos facultativos and Rio de Janeiro
//! holidays (data). Expected dates written by hand.

#![allow(clippy::unwrap_used)]

use chrono::{Datelike, Duration, NaiveDate};
use persus_domain::calendar::{pascoa, CalendarioAns, TipoFeriado};
use proptest::prelude::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

#[test]
fn pascoa_em_anos_conhecidos() {
    // Published Easter Sundays.
    for (y, m, day) in [
        (2000, 4, 23),
        (2008, 3, 23),
        (2019, 4, 21),
        (2024, 3, 31),
        (2025, 4, 20),
        (2026, 4, 5),
        (2038, 4, 25),
        (2100, 3, 28),
        (1990, 4, 15),
    ] {
        assert_eq!(pascoa(y), Some(d(y, m, day)), "{y}");
    }
}

fn nao_uteis_de_semana(cal: &CalendarioAns, ano: i32) -> Vec<NaiveDate> {
    let mut v: Vec<NaiveDate> = cal.feriados(ano).into_iter().map(|f| f.data).collect();
    v.dedup();
    v
}

#[test]
fn feriados_e_pontos_facultativos_de_2025() {
    // Easter 20/04/2025: Carnaval 03–04/03, Cinzas 05/03, Paixão 18/04, Corpus Christi 19/06.
    // Portaria MGI 9.783/2024 and amendments: 02/05 (where the state or city also declared it,
    // as Rio de Janeiro did), 20/06, 27/10 (Dia do Servidor), 24/12 and 31/12 after 13h; the
    // federal offices in the city of Rio: 07/07 (BRICS summit).
    let cal = CalendarioAns::padrao();
    let esperado = [
        d(2025, 1, 1),
        d(2025, 1, 20),
        d(2025, 3, 3),
        d(2025, 3, 4),
        d(2025, 3, 5),
        d(2025, 4, 18),
        d(2025, 4, 21),
        d(2025, 4, 23),
        d(2025, 5, 1),
        d(2025, 5, 2),
        d(2025, 6, 19),
        d(2025, 6, 20),
        d(2025, 7, 7),
        d(2025, 9, 7),
        d(2025, 10, 12),
        d(2025, 10, 27),
        d(2025, 11, 2),
        d(2025, 11, 15),
        d(2025, 11, 20),
        d(2025, 12, 24),
        d(2025, 12, 25),
        d(2025, 12, 31),
    ];
    assert_eq!(nao_uteis_de_semana(&cal, 2025), esperado);
}

#[test]
fn feriados_e_pontos_facultativos_de_2024() {
    // Easter 31/03/2024: Carnaval 12–13/02, Cinzas 14/02, Paixão 29/03, Corpus Christi 30/05.
    // Portaria MGI 8.617/2023: 31/05, 28/10, 24/12 and 31/12 after 14h; federal offices in Rio:
    // 22/03 (no expediente, rain) and 18–19/11 (G20 summit).
    let cal = CalendarioAns::padrao();
    let esperado = [
        d(2024, 1, 1),
        d(2024, 1, 20),
        d(2024, 2, 12),
        d(2024, 2, 13),
        d(2024, 2, 14),
        d(2024, 3, 22),
        d(2024, 3, 29),
        d(2024, 4, 21),
        d(2024, 4, 23),
        d(2024, 5, 1),
        d(2024, 5, 30),
        d(2024, 5, 31),
        d(2024, 9, 7),
        d(2024, 10, 12),
        d(2024, 10, 28),
        d(2024, 11, 2),
        d(2024, 11, 15),
        d(2024, 11, 18),
        d(2024, 11, 19),
        d(2024, 11, 20),
        d(2024, 12, 24),
        d(2024, 12, 25),
        d(2024, 12, 31),
    ];
    assert_eq!(nao_uteis_de_semana(&cal, 2024), esperado);
}

#[test]
fn feriados_e_pontos_facultativos_de_2026() {
    // Easter 05/04/2026: Carnaval 16–17/02, Cinzas 18/02, Paixão 03/04, Corpus Christi 04/06.
    // Portaria MGI 11.460/2025: 20/04, 05/06, 28/10, 24/12 and 31/12 after 13h.
    let cal = CalendarioAns::padrao();
    let esperado = [
        d(2026, 1, 1),
        d(2026, 1, 20),
        d(2026, 2, 16),
        d(2026, 2, 17),
        d(2026, 2, 18),
        d(2026, 4, 3),
        d(2026, 4, 20),
        d(2026, 4, 21),
        d(2026, 4, 23),
        d(2026, 5, 1),
        d(2026, 6, 4),
        d(2026, 6, 5),
        d(2026, 9, 7),
        d(2026, 10, 12),
        d(2026, 10, 28),
        d(2026, 11, 2),
        d(2026, 11, 15),
        d(2026, 11, 20),
        d(2026, 12, 24),
        d(2026, 12, 25),
        d(2026, 12, 31),
    ];
    assert_eq!(nao_uteis_de_semana(&cal, 2026), esperado);
}

#[test]
fn vinte_de_novembro_e_nacional_desde_2024_e_estadual_no_rj_antes() {
    // Lei 14.759/2023 (national from 2024); Lei estadual RJ 4.007/2002 before.
    let cal = CalendarioAns::padrao();
    let tipos = |y| -> Vec<TipoFeriado> {
        cal.feriados(y)
            .into_iter()
            .filter(|f| f.data == d(y, 11, 20))
            .map(|f| f.tipo)
            .collect()
    };
    assert_eq!(tipos(2023), [TipoFeriado::RioDeJaneiro]);
    assert_eq!(
        tipos(2024),
        [TipoFeriado::Nacional, TipoFeriado::RioDeJaneiro]
    );
    assert!(!cal.is_dia_util(d(2023, 11, 20))); // Monday, but a holiday at ANS's seat
    assert_eq!(tipos(2001), Vec::<TipoFeriado>::new());
}

#[test]
fn motivo_do_dia_nao_util_em_portugues() {
    let cal = CalendarioAns::padrao();
    assert_eq!(
        cal.motivo_nao_util(d(2025, 3, 4)).as_deref(),
        Some("ponto facultativo ANS: Carnaval (terça-feira)")
    );
    assert_eq!(
        cal.motivo_nao_util(d(2025, 4, 21)).as_deref(),
        Some("feriado nacional: Tiradentes")
    );
    assert_eq!(
        cal.motivo_nao_util(d(2025, 3, 8)).as_deref(),
        Some("sábado")
    );
    assert_eq!(cal.motivo_nao_util(d(2025, 3, 6)), None);
}

#[test]
fn ultimo_dia_util_do_mes() {
    let cal = CalendarioAns::padrao();
    // 31/05/2025 is a Saturday → Friday 30/05.
    assert_eq!(cal.ultimo_dia_util_do_mes(2025, 5), Some(d(2025, 5, 30)));
    // 31/12/2025 is a Wednesday with expediente only until 13h (Portaria MGI 9.783/2024): not a
    // day of normal hours (RN 327/2013) → Tuesday 30/12.
    assert_eq!(cal.ultimo_dia_util_do_mes(2025, 12), Some(d(2025, 12, 30)));
    // 28/02/2026 is a Saturday → 27/02.
    assert_eq!(cal.ultimo_dia_util_do_mes(2026, 2), Some(d(2026, 2, 27)));
}

#[test]
fn anos_fora_da_faixa_pre_calculada_tambem_funcionam() {
    let cal = CalendarioAns::padrao();
    assert!(!cal.is_dia_util(d(2150, 12, 25)));
    assert!(!cal.is_dia_util(pascoa(2150).unwrap() - Duration::days(2)));
}

#[test]
fn dados_do_calendario_invalidos_sao_recusados_com_linha_e_campo() {
    let csv = "escopo;regra;dia;nome;vigente_de;vigente_ate;fonte\n\
               ponto_facultativo_ans;fixo;31/02;Inexistente;;;x\n";
    let e = CalendarioAns::from_csv("t", csv).unwrap_err().to_string();
    assert_eq!(
        e,
        "calendário, linha 2, campo dia: \"31/02\" não é uma data DD/MM"
    );
    let csv = "feriado_sp;fixo;25/01;São Paulo;;;x\n";
    let e = CalendarioAns::from_csv("t", csv).unwrap_err().to_string();
    assert!(e.contains("linha 1, campo escopo"), "{e}");
    let csv = "ponto_facultativo_ans;fixo;24/12;Véspera;2025;2024;x\n";
    assert!(CalendarioAns::from_csv("t", csv)
        .unwrap_err()
        .to_string()
        .contains("vigente_ate"));
}

#[test]
fn ponto_facultativo_de_um_ano_so_vale_naquele_ano() {
    // How ANS adds a one-off day without a release: a line with vigente_de = vigente_ate.
    let csv = "ponto_facultativo_ans;fixo;24/12;Véspera de Natal;2025;2025;Portaria 2025\n";
    let cal = CalendarioAns::from_csv("teste-1", csv).unwrap();
    assert!(!cal.is_dia_util(d(2025, 12, 24)));
    assert!(cal.is_dia_util(d(2026, 12, 24)));
    assert_eq!(cal.versao(), "teste-1");
}

proptest! {
    #[test]
    fn proximo_dia_util_e_o_primeiro_dia_util_depois(offset in 0i64..40_000) {
        let cal = CalendarioAns::padrao();
        let start = d(1990, 1, 1) + Duration::days(offset);
        let next = cal.proximo_dia_util(start);
        prop_assert!(next > start);
        prop_assert!(cal.is_dia_util(next));
        let mut x = start + Duration::days(1);
        while x < next {
            prop_assert!(!cal.is_dia_util(x));
            x += Duration::days(1);
        }
        // The longest run is 6 days: 15–20/11/2024 (Proclamação, weekend, G20 summit in Rio,
        // Zumbi) — see `g20_no_rio_fecha_seis_dias_seguidos`.
        prop_assert!(next - start <= Duration::days(7), "no run of 7 non-business days");
        prop_assert!(next.year() >= 1990);
    }
}

#[test]
fn g20_no_rio_fecha_seis_dias_seguidos() {
    // Fri 15/11/2024 national holiday, weekend, Mon–Tue 18–19/11 ponto facultativo of the federal
    // offices in Rio (G20 summit, Portaria MGI 6.571/2024), Wed 20/11 national holiday.
    let cal = CalendarioAns::padrao();
    assert_eq!(cal.proximo_dia_util(d(2024, 11, 14)), d(2024, 11, 21));
}

#[test]
fn meio_expediente_conta_como_dia_sem_expediente_normal() {
    // RN 253/2011 art. 24 as amended by RN 327/2013: periods start and end only on days of
    // normal working hours; Ash Wednesday (from 14h) and the afternoons of 24/12 and 31/12 are not.
    let cal = CalendarioAns::padrao();
    for dia in [
        d(2025, 3, 5),
        d(2025, 12, 24),
        d(2025, 12, 31),
        d(2024, 12, 24),
    ] {
        assert!(!cal.is_dia_util(dia), "{dia}");
    }
    assert_eq!(
        cal.motivo_nao_util(d(2024, 12, 31)).as_deref(),
        Some("ponto facultativo ANS: Véspera do Ano Novo (ponto facultativo após as 14h)")
    );
}

/// The embedded data plus `linhas`, as ANS would append next year's portaria.
fn com_linhas(linhas: &str) -> Result<CalendarioAns, String> {
    let csv = format!("{}{linhas}", persus_domain::calendar::CALENDARIO_PADRAO_CSV);
    CalendarioAns::from_csv("teste", &csv).map_err(|e| e.to_string())
}

#[test]
fn portaria_de_um_novo_ano_e_so_uma_linha_de_dados_e_move_o_prazo() {
    // Recurso: ciência Mon 18/10/2027 → day 1 Tue 19/10 → day 10 Thu 28/10/2027. Without 2027's
    // portaria in the data that is the deadline; with one line for the Dia do Servidor it moves
    // to Fri 29/10/2027 — no code changes.
    use persus_domain::deadline::contar_prazo;
    let dez = std::num::NonZeroU32::new(10).unwrap();
    let hoje = contar_prazo(d(2027, 10, 18), dez, &CalendarioAns::padrao());
    assert_eq!(hoje.vencimento, d(2027, 10, 28));
    let cal = com_linhas(
        "ponto_facultativo_ans;data;28/10/2027;Dia do Servidor Público federal;;;Portaria MGI de 2027 (teste)\n",
    )
    .unwrap();
    let depois = contar_prazo(d(2027, 10, 18), dez, &cal);
    assert_eq!(depois.vencimento, d(2027, 10, 29));
    assert_eq!(depois.versao_calendario, "teste");
}

#[test]
fn linha_de_data_unica_e_validada_com_linha_e_motivo() {
    let csv = persus_domain::calendar::CALENDARIO_PADRAO_CSV;
    let n = csv.lines().count() + 1;
    let natal = 1 + csv
        .lines()
        .position(|l| l.contains(";data;24/12/2025;"))
        .unwrap();
    let casos = [
        (
            "ponto_facultativo_ans;data;29/02/2027;Inexistente;;;Portaria X\n",
            format!("calendário, linha {n}, campo dia: \"29/02/2027\" não é uma data DD/MM/AAAA"),
        ),
        (
            "ponto_facultativo_ans;data;30/10/2027;Sábado;;;Portaria X\n",
            format!("calendário, linha {n}, campo dia: 30/10/2027 cai num sábado: confira a data (um ponto facultativo só muda prazos em dia de semana)"),
        ),
        (
            "ponto_facultativo_ans;data;28/10/2027;Dia do Servidor;2027;2027;Portaria X\n",
            format!("calendário, linha {n}, campo vigente_de: deixe vazio numa linha de data única (o ano já está no dia)"),
        ),
        (
            "ponto_facultativo_ans;data;28/10/2027;Dia do Servidor;;;\n",
            format!("calendário, linha {n}, campo fonte: vazia — cite o ato (número, data e DOU) ou diga que não foi confirmado"),
        ),
        (
            "ponto_facultativo_ans;data;24/12/2025;Véspera de novo;;;Portaria X\n",
            format!("calendário, linha {n}, campo dia: 24/12/2025 repete a linha {natal}"),
        ),
    ];
    for (linha, erro) in casos {
        assert_eq!(com_linhas(linha).unwrap_err(), erro, "{linha}");
    }
}
