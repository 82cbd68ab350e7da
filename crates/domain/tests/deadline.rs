//! Deadline counting, RN 253/2011 art. 24 as amended by RN 327/2013 (design.md "Decisions we
//! made"). Each expected date is worked out by hand in the comment.

#![allow(clippy::unwrap_used)]

use std::num::NonZeroU32;

use chrono::{Duration, NaiveDate};
use persus_domain::calendar::CalendarioAns;
use persus_domain::deadline::{ciencia_presumida, contar_prazo, PrazosVigentes, REGRA_CONTAGEM};
use proptest::prelude::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn n(x: u32) -> NonZeroU32 {
    NonZeroU32::new(x).unwrap()
}

#[test]
fn impugnacao_de_30_dias_sem_feriados() {
    // Ciência Mon 04/08/2025 → day 1 Tue 05/08 → day 30 = 05/08 + 29 = Wed 03/09/2025.
    let p = contar_prazo(d(2025, 8, 4), n(30), &CalendarioAns::padrao());
    assert_eq!(p.inicio, d(2025, 8, 5));
    assert_eq!(p.vencimento, d(2025, 9, 3));
    assert_eq!(p.prorrogado_por, None);
    assert_eq!(p.versao_regra, REGRA_CONTAGEM);
    assert_eq!(p.versao_calendario, "calendario-ans-2026.1");
}

#[test]
fn ciencia_na_sexta_comeca_a_contar_na_segunda() {
    // Ciência Fri 08/08/2025: the period may only start on a business day → day 1 Mon 11/08;
    // day 30 = 11/08 + 29 = Tue 09/09/2025 (not 07/09, which a naive +30 would give).
    let p = contar_prazo(d(2025, 8, 8), n(30), &CalendarioAns::padrao());
    assert_eq!(p.inicio, d(2025, 8, 11));
    assert_eq!(p.vencimento, d(2025, 9, 9));
}

#[test]
fn prazo_que_vence_no_carnaval_de_2025_vai_para_quinta() {
    // Ciência Fri 31/01/2025 → day 1 Mon 03/02 → day 30 = Tue 04/03/2025 (Carnaval); Wed 05/03
    // is Ash Wednesday (ponto facultativo, half day) → Thu 06/03/2025.
    let p = contar_prazo(d(2025, 1, 31), n(30), &CalendarioAns::padrao());
    assert_eq!(p.inicio, d(2025, 2, 3));
    assert_eq!(p.vencimento, d(2025, 3, 6));
    assert_eq!(
        p.prorrogado_por.as_deref(),
        Some("vencimento em 04/03/2025 (ponto facultativo ANS: Carnaval (terça-feira)) prorrogado para 06/03/2025")
    );
}

#[test]
fn prazo_que_vence_no_carnaval_de_2026_vai_para_quinta() {
    // Ciência Fri 16/01/2026 → day 1 Mon 19/01 → day 30 = 19/01 + 29 = Tue 17/02/2026 (Carnaval);
    // Wed 18/02 Ash Wednesday → Thu 19/02/2026.
    let p = contar_prazo(d(2026, 1, 16), n(30), &CalendarioAns::padrao());
    assert_eq!(p.vencimento, d(2026, 2, 19));
}

#[test]
fn prazo_que_vence_no_domingo_de_pascoa_pula_tiradentes() {
    // Recurso: ciência Thu 10/04/2025 → day 1 Fri 11/04 → day 10 = Sun 20/04 (Easter) → Mon 21/04
    // Tiradentes → Tue 22/04/2025.
    let p = contar_prazo(d(2025, 4, 10), n(10), &CalendarioAns::padrao());
    assert_eq!(p.vencimento, d(2025, 4, 22));
}

#[test]
fn prazo_que_vence_no_sabado_antes_de_feriado_na_segunda() {
    // Ciência Wed 09/04/2025 → day 1 Thu 10/04 → day 10 = Sat 19/04 → Sun 20 → Mon 21 (Tiradentes)
    // → Tue 22/04/2025. (Good Friday 18/04 is inside the period and does not count.)
    let p = contar_prazo(d(2025, 4, 9), n(10), &CalendarioAns::padrao());
    assert_eq!(p.inicio, d(2025, 4, 10));
    assert_eq!(p.vencimento, d(2025, 4, 22));
    assert!(p
        .prorrogado_por
        .unwrap()
        .starts_with("vencimento em 19/04/2025 (sábado)"));
}

#[test]
fn vinte_de_novembro_prorroga_em_2024_feriado_nacional() {
    // Ciência Fri 08/11/2024 → day 1 Mon 11/11 → day 10 = Wed 20/11/2024 (national holiday from
    // 2024, Lei 14.759/2023) → Thu 21/11/2024.
    let p = contar_prazo(d(2024, 11, 8), n(10), &CalendarioAns::padrao());
    assert_eq!(p.vencimento, d(2024, 11, 21));
}

#[test]
fn vinte_de_novembro_prorroga_em_2023_feriado_no_rio() {
    // Ciência Thu 09/11/2023 → day 1 Fri 10/11 → day 10 = Sun 19/11 → Mon 20/11 is Zumbi, a Rio de
    // Janeiro state holiday (ANS's seat) → Tue 21/11/2023.
    let p = contar_prazo(d(2023, 11, 9), n(10), &CalendarioAns::padrao());
    assert_eq!(p.vencimento, d(2023, 11, 21));
}

#[test]
fn ciencia_presumida_dez_dias_corridos_sem_prorrogacao() {
    // RN 377/2015: notice available Mon 24/02/2025 → presumed ciência 06/03/2025 even though
    // Carnaval is in between (a presumption, not a period to act).
    let prazos = PrazosVigentes::padrao();
    assert_eq!(ciencia_presumida(d(2025, 2, 24), &prazos), d(2025, 3, 6));
    // Available Wed 22/10/2025 → 01/11/2025, a Saturday: still the presumed date.
    assert_eq!(ciencia_presumida(d(2025, 10, 22), &prazos), d(2025, 11, 1));
}

#[test]
fn prazos_vigentes_sao_os_do_regulamento() {
    let p = PrazosVigentes::padrao();
    assert_eq!(
        (
            p.impugnacao_dias.get(),
            p.recurso_dias.get(),
            p.pagamento_dias.get(),
            p.ciencia_presumida_dias.get()
        ),
        (30, 10, 15, 10)
    );
}

proptest! {
    #[test]
    fn vencimento_e_dia_util_e_nunca_antes_de_ciencia_mais_dias(offset in 0i64..12_000, dias in 1u32..90) {
        let cal = CalendarioAns::padrao();
        let ciencia = d(1995, 1, 1) + Duration::days(offset);
        let p = contar_prazo(ciencia, n(dias), &cal);
        prop_assert!(cal.is_dia_util(p.vencimento));
        prop_assert!(cal.is_dia_util(p.inicio));
        prop_assert!(p.vencimento >= ciencia + Duration::days(i64::from(dias)));
        // Monotonic: a later ciência never gives an earlier deadline.
        let q = contar_prazo(ciencia + Duration::days(1), n(dias), &cal);
        prop_assert!(q.vencimento >= p.vencimento);
    }
}

// ---- Deadlines ending on the 2025 pontos facultativos of the federal portarias (RN 253/2011
// art. 24 as amended by RN 327/2013: a period ends only on a day of normal working hours at ANS;
// Portaria MGI 9.783/2024 and its amendments, docs/RULES.md "Calendar and deadlines").

fn vence(ciencia: NaiveDate, dias: u32) -> NaiveDate {
    contar_prazo(ciencia, n(dias), &CalendarioAns::padrao()).vencimento
}

#[test]
fn prazo_que_vence_na_segunda_de_carnaval_de_2025_vai_para_quinta() {
    // 5 days (RN 253 art. 9 §3): ciência Wed 26/02/2025 → day 1 Thu 27/02 → day 5 Mon 03/03
    // (Carnaval) → 04/03 Carnaval → 05/03 Ash Wednesday (until 14h) → Thu 06/03/2025.
    assert_eq!(vence(d(2025, 2, 26), 5), d(2025, 3, 6));
}

#[test]
fn prazo_que_vence_na_quarta_de_cinzas_de_2025_vai_para_quinta() {
    // Recurso: ciência Fri 21/02/2025 → day 1 Mon 24/02 → day 10 Wed 05/03 (ponto facultativo
    // until 14h: a day closed part of the time extends the period) → Thu 06/03/2025.
    assert_eq!(vence(d(2025, 2, 21), 10), d(2025, 3, 6));
}

#[test]
fn prazo_que_vence_no_ponto_facultativo_de_2_de_maio_de_2025_vai_para_segunda() {
    // Impugnação: ciência Wed 02/04/2025 → day 1 Thu 03/04 → day 30 Fri 02/05 (ponto facultativo
    // where the state or city also declared it — Rio de Janeiro did) → Sat, Sun → Mon 05/05/2025.
    assert_eq!(vence(d(2025, 4, 2), 30), d(2025, 5, 5));
}

#[test]
fn prazo_que_vence_em_corpus_christi_de_2025_pula_tambem_a_sexta() {
    // Recurso: ciência Mon 09/06/2025 → day 1 Tue 10/06 → day 10 Thu 19/06 (Corpus Christi) →
    // Fri 20/06 (ponto facultativo) → Sat, Sun → Mon 23/06/2025.
    assert_eq!(vence(d(2025, 6, 9), 10), d(2025, 6, 23));
}

#[test]
fn prazo_que_vence_em_20_de_junho_de_2025_vai_para_segunda() {
    // Recurso: ciência Tue 10/06/2025 → day 1 Wed 11/06 → day 10 Fri 20/06 (ponto facultativo)
    // → Mon 23/06/2025.
    assert_eq!(vence(d(2025, 6, 10), 10), d(2025, 6, 23));
}

#[test]
fn prazo_que_vence_no_ponto_facultativo_do_brics_no_rio_vai_para_terca() {
    // 5 days: ciência Wed 02/07/2025 → day 1 Thu 03/07 → day 5 Mon 07/07 (ponto facultativo of
    // the federal offices in the city of Rio de Janeiro, BRICS summit) → Tue 08/07/2025.
    assert_eq!(vence(d(2025, 7, 2), 5), d(2025, 7, 8));
}

#[test]
fn prazo_que_vence_no_dia_do_servidor_de_2025_vai_para_terca() {
    // 5 days: ciência Wed 22/10/2025 → day 1 Thu 23/10 → day 5 Mon 27/10 (Dia do Servidor
    // Público, 28/10 kept on 27/10 in 2025) → Tue 28/10/2025, a normal day that year.
    let p = contar_prazo(d(2025, 10, 22), n(5), &CalendarioAns::padrao());
    assert_eq!(p.vencimento, d(2025, 10, 28));
    assert!(p.prorrogado_por.unwrap().contains("Dia do Servidor"));
}

#[test]
fn prazo_que_vence_na_vespera_de_natal_de_2025_vai_para_o_dia_26() {
    // Recurso: ciência Fri 12/12/2025 → day 1 Mon 15/12 → day 10 Wed 24/12 (ponto facultativo
    // after 13h: expediente closed before the normal hour) → 25/12 Natal → Fri 26/12/2025.
    let p = contar_prazo(d(2025, 12, 12), n(10), &CalendarioAns::padrao());
    assert_eq!((p.inicio, p.vencimento), (d(2025, 12, 15), d(2025, 12, 26)));
    assert_eq!(
        p.prorrogado_por.as_deref(),
        Some("vencimento em 24/12/2025 (ponto facultativo ANS: Véspera do Natal (ponto facultativo após as 13h)) prorrogado para 26/12/2025")
    );
}

#[test]
fn prazo_que_vence_na_vespera_de_ano_novo_de_2025_vai_para_2_de_janeiro() {
    // Recurso: ciência Fri 19/12/2025 → day 1 Mon 22/12 → day 10 Wed 31/12 (ponto facultativo
    // after 13h) → 01/01 holiday → Fri 02/01/2026.
    assert_eq!(vence(d(2025, 12, 19), 10), d(2026, 1, 2));
}

#[test]
fn periodo_nao_comeca_na_vespera_de_natal() {
    // A period starts only on a day of normal hours either: ciência Tue 23/12/2025 → not 24/12
    // (until 13h), not 25/12 → day 1 Fri 26/12/2025.
    let p = contar_prazo(d(2025, 12, 23), n(10), &CalendarioAns::padrao());
    assert_eq!(p.inicio, d(2025, 12, 26));
}
