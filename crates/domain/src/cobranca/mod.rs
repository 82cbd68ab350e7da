//! Charging: the GRU bank slip ([`boleto`]), SELIC as data ([`TabelaSelic`]), late charges by
//! the regime of the due date ([`encargos`]), parcelamento ([`simular_parcelamento`]) and the
//! GRU due-date rule ([`vencimento_da_gru`]); the bank's return file and its checks ([`retorno`]).
//!
//! Rates are kept in hundredths of a percent (1,01% = 101) so every sum is exact; a charge is
//! `principal × rate / 10 000`, rounded half up to the centavo (`Rounding::HalfUp`) once per
//! figure. Every result carries its computation in pt-BR (`memoria`) for the statement.

pub mod boleto;
pub mod estados;
pub mod retorno;

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::calendar::CalendarioAns;
use crate::money::{Centavos, Rounding};

/// The SELIC rates embedded with the release (`data/selic.csv`).
pub const SELIC_CSV: &str = include_str!("../../data/selic.csv");

/// Minimum amount charged: below it, credits accumulate (RN 533/2022).
pub const PISO_COBRANCA: Centavos = Centavos::new(10_000);
/// Parcelamento: at most 60 instalments, each at least R$ 1.000,00 (RN 4/2002 as amended by RN
/// 248/2010).
pub const MAXIMO_PARCELAS: u32 = 60;
pub const PARCELA_MINIMA: Centavos = Centavos::new(100_000);

fn ym(d: NaiveDate) -> (i32, u32) {
    (d.year(), d.month())
}

fn mes_seguinte((a, m): (i32, u32)) -> (i32, u32) {
    if m == 12 {
        (a + 1, 1)
    } else {
        (a, m + 1)
    }
}

fn pct(centesimos: i64) -> String {
    format!("{},{:02}%", centesimos / 100, centesimos % 100)
}

/// Monthly SELIC rates (hundredths of a percent) with the version they came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TabelaSelic {
    versao: String,
    taxas: BTreeMap<(i32, u32), i64>,
}

impl TabelaSelic {
    pub fn padrao() -> TabelaSelic {
        TabelaSelic::from_csv("selic-embutida", SELIC_CSV).unwrap_or(TabelaSelic {
            versao: "vazia".to_owned(),
            taxas: BTreeMap::new(),
        })
    }

    /// `competencia;taxa_percentual;fonte` (`2025-01;1.01;…`), `#` comments. Every line is
    /// checked; the errors name the line.
    pub fn from_csv(versao: &str, csv: &str) -> Result<TabelaSelic, Vec<String>> {
        let mut taxas = BTreeMap::new();
        let mut erros = Vec::new();
        for (i, l) in csv.lines().enumerate() {
            let l = l.trim();
            if l.is_empty() || l.starts_with('#') || l.starts_with("competencia;") {
                continue;
            }
            let c: Vec<&str> = l.split(';').collect();
            let linha = i + 1;
            if c.len() < 2 {
                erros.push(format!(
                    "linha {linha}: use competencia;taxa_percentual;fonte"
                ));
                continue;
            }
            let comp = c[0].trim();
            let mes = comp
                .split_once('-')
                .and_then(|(a, m)| Some((a.parse::<i32>().ok()?, m.parse::<u32>().ok()?)))
                .filter(|(a, m)| (2000..=2100).contains(a) && (1..=12).contains(m));
            let Some(mes) = mes else {
                erros.push(format!(
                    "linha {linha}: competência \"{comp}\" inválida (use AAAA-MM)"
                ));
                continue;
            };
            let t = c[1].trim().replace(',', ".");
            let centesimos = t.split_once('.').map_or_else(
                || t.parse::<i64>().ok().map(|i| i * 100),
                |(i, f)| {
                    let f = format!("{f:0<2}");
                    if f.len() != 2 {
                        return None;
                    }
                    Some(i.parse::<i64>().ok()? * 100 + f.parse::<i64>().ok()?)
                },
            );
            match centesimos {
                Some(v) if (0..=1000).contains(&v) => {
                    if taxas.insert(mes, v).is_some() {
                        erros.push(format!("linha {linha}: competência {comp} repetida"));
                    }
                }
                _ => erros.push(format!(
                    "linha {linha}: taxa \"{}\" inválida (percentual com até duas casas, de 0 a 10)",
                    c[1].trim()
                )),
            }
        }
        if erros.is_empty() {
            Ok(TabelaSelic {
                versao: versao.to_owned(),
                taxas,
            })
        } else {
            Err(erros)
        }
    }

    /// From stored rows `(ano, mes, centésimos de %)`.
    pub fn from_linhas(
        versao: &str,
        linhas: impl IntoIterator<Item = (i32, u32, i64)>,
    ) -> TabelaSelic {
        TabelaSelic {
            versao: versao.to_owned(),
            taxas: linhas.into_iter().map(|(a, m, t)| ((a, m), t)).collect(),
        }
    }

    pub fn versao(&self) -> &str {
        &self.versao
    }

    /// Hundredths of a percent for the month, if known.
    pub fn taxa(&self, ano: i32, mes: u32) -> Option<i64> {
        self.taxas.get(&(ano, mes)).copied()
    }

    /// Adds (or replaces) months — the import of newly published rates.
    pub fn com(&self, versao: &str, outras: &TabelaSelic) -> TabelaSelic {
        let mut t = self.clone();
        t.taxas.extend(outras.taxas.iter().map(|(k, v)| (*k, *v)));
        t.versao = versao.to_owned();
        t
    }

    pub fn ultimo_mes(&self) -> Option<(i32, u32)> {
        self.taxas.keys().next_back().copied()
    }

    pub fn meses(&self) -> impl Iterator<Item = ((i32, u32), i64)> + '_ {
        self.taxas.iter().map(|(k, v)| (*k, *v))
    }

    /// SELIC accumulated (simple sum, as the RFB does) over the months strictly after `de`'s
    /// month and strictly before `ate`'s month, plus 1% in `ate`'s month — the interest of Lei
    /// 9.430/96 art. 61 §3. Zero when `ate` is in `de`'s month. Err names missing months.
    pub fn acumulada(&self, de: NaiveDate, ate: NaiveDate) -> Result<(i64, Vec<String>), String> {
        if ym(ate) <= ym(de) {
            return Ok((0, vec![]));
        }
        let mut soma = 0;
        let mut linhas = Vec::new();
        let mut faltam = Vec::new();
        let mut m = mes_seguinte(ym(de));
        while m < ym(ate) {
            match self.taxa(m.0, m.1) {
                Some(t) => {
                    soma += t;
                    linhas.push(format!("SELIC {:02}/{}: {}", m.1, m.0, pct(t)));
                }
                None => faltam.push(format!("{:02}/{}", m.1, m.0)),
            }
            m = mes_seguinte(m);
        }
        if !faltam.is_empty() {
            return Err(format!(
                "taxa SELIC não carregada para {}: importe as taxas publicadas antes de calcular",
                faltam.join(", ")
            ));
        }
        soma += 100;
        linhas.push(format!(
            "1,00% no mês do pagamento ({:02}/{})",
            ate.month(),
            ate.year()
        ));
        Ok((soma, linhas))
    }
}

/// Late-charge regime, chosen by the debt's due date (gov.br débitos page; domain.md §3.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Regime {
    /// Due up to 03/12/2008: fine 10%; interest 1% per month or fraction (Lei 9.656 art. 32 §4).
    Ate2008,
    /// Due from 04/12/2008: fine 0,33% a day capped at 20%; SELIC accumulated monthly + 1% in
    /// the payment month (Lei 10.522/2002 art. 37-A → Lei 9.430/96 art. 61).
    Selic,
}

impl Regime {
    pub fn de(vencimento: NaiveDate) -> Regime {
        if vencimento <= NaiveDate::from_ymd_opt(2008, 12, 3).unwrap_or_default() {
            Regime::Ate2008
        } else {
            Regime::Selic
        }
    }

    pub fn regra(self) -> &'static str {
        match self {
            Regime::Ate2008 => "Lei 9.656/1998 art. 32 §4: multa de 10% e juros de 1% ao mês ou fração",
            Regime::Selic => "Lei 10.522/2002 art. 37-A c/c Lei 9.430/1996 art. 61: multa de 0,33% ao dia (máx. 20%) e juros SELIC acumulada + 1% no mês do pagamento",
        }
    }
}

/// A debt's charges on a payment date, with the computation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Encargos {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub principal: Centavos,
    pub vencimento: NaiveDate,
    pub pagamento: NaiveDate,
    pub regime: Regime,
    pub dias_atraso: i64,
    /// Hundredths of a percent.
    pub multa_percentual: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub multa: Centavos,
    pub juros_percentual: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub juros: Centavos,
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub total: Centavos,
    pub selic_versao: String,
    pub memoria: Vec<String>,
}

/// Months or fraction of a month from `de` to `ate` (01/03 → 01/04 is 1; 01/03 → 02/04 is 2).
fn meses_ou_fracao(de: NaiveDate, ate: NaiveDate) -> i64 {
    if ate <= de {
        return 0;
    }
    let mut m =
        i64::from(ate.year() - de.year()) * 12 + i64::from(ate.month()) - i64::from(de.month());
    if ate.day() > de.day() {
        m += 1;
    }
    m.max(1)
}

/// The charges on `principal`, due on `vencimento`, paid on `pagamento`.
pub fn encargos(
    principal: Centavos,
    vencimento: NaiveDate,
    pagamento: NaiveDate,
    selic: &TabelaSelic,
) -> Result<Encargos, String> {
    let regime = Regime::de(vencimento);
    let dias = (pagamento - vencimento).num_days().max(0);
    let mut memoria = vec![format!(
        "Principal {principal}, vencimento {}, pagamento {}: {} dia(s) de atraso",
        vencimento.format("%d/%m/%Y"),
        pagamento.format("%d/%m/%Y"),
        dias
    )];
    let (multa_pct, juros_pct) = if dias == 0 {
        memoria.push("Em dia: sem multa nem juros".to_owned());
        (0, 0)
    } else {
        match regime {
            Regime::Ate2008 => {
                let meses = meses_ou_fracao(vencimento, pagamento);
                memoria.push(format!("Regime até 03/12/2008 ({})", regime.regra()));
                memoria.push(format!(
                    "Multa: 10,00%; juros: {meses} mês(es) ou fração × 1,00%"
                ));
                (1000, meses * 100)
            }
            Regime::Selic => {
                let multa = (33 * dias).min(2000);
                memoria.push(format!(
                    "Regime a partir de 04/12/2008 ({})",
                    regime.regra()
                ));
                memoria.push(format!(
                    "Multa: {dias} dia(s) × 0,33% = {}{}",
                    pct(33 * dias),
                    if 33 * dias > 2000 {
                        ", limitada a 20,00%"
                    } else {
                        ""
                    }
                ));
                let (juros, linhas) = selic.acumulada(vencimento, pagamento)?;
                if juros == 0 {
                    memoria.push("Juros: pagamento no mês do vencimento, sem juros".to_owned());
                } else {
                    memoria.extend(linhas);
                }
                (multa, juros)
            }
        }
    };
    let erro = |e: crate::money::MoneyError| e.to_string();
    let multa = principal
        .mul_ratio(multa_pct, 10_000, Rounding::HalfUp)
        .map_err(erro)?;
    let juros = principal
        .mul_ratio(juros_pct, 10_000, Rounding::HalfUp)
        .map_err(erro)?;
    let total = Centavos::sum([principal, multa, juros]).map_err(erro)?;
    if dias > 0 {
        memoria.push(format!(
            "Multa {} × {principal} = {multa}; juros {} × {principal} = {juros}; total {total}",
            pct(multa_pct),
            pct(juros_pct)
        ));
    }
    Ok(Encargos {
        principal,
        vencimento,
        pagamento,
        regime,
        dias_atraso: dias,
        multa_percentual: multa_pct,
        multa,
        juros_percentual: juros_pct,
        juros,
        total,
        selic_versao: selic.versao().to_owned(),
        memoria,
    })
}

/// The GRU's due date: the debts' own due date while it has not passed, else the last business
/// day of the current month (IN DIDES arts. 26–28; domain.md §3.4).
pub fn vencimento_da_gru(
    vencimento_dos_debitos: NaiveDate,
    hoje: NaiveDate,
    calendario: &CalendarioAns,
) -> NaiveDate {
    if vencimento_dos_debitos >= hoje {
        vencimento_dos_debitos
    } else {
        calendario
            .ultimo_dia_util_do_mes(hoje.year(), hoje.month())
            .filter(|d| *d >= hoje)
            .unwrap_or_else(|| {
                let (a, m) = mes_seguinte(ym(hoje));
                calendario.ultimo_dia_util_do_mes(a, m).unwrap_or(hoje)
            })
    }
}

/// Waits of the collection path after a debt's due date, as versioned data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PrazosCobranca {
    pub versao: &'static str,
    /// The prior notice of CADIN inclusion goes out this many days after an unpaid due date.
    pub aviso_cadin_apos_vencimento_dias: i64,
    /// Inclusion in CADIN this many days after the notice (Lei 10.522/2002 art. 2 §2, current
    /// text "em até 30 dias após a comunicação" [S]).
    pub inclusao_cadin_apos_aviso_dias: i64,
    /// Referral to dívida ativa (Procuradoria Federal junto à ANS) this many days after CADIN
    /// inclusion. [GUESS] — no norm found for the interval.
    pub divida_ativa_apos_cadin_dias: i64,
}

impl PrazosCobranca {
    pub fn padrao() -> PrazosCobranca {
        PrazosCobranca {
            versao: "cobranca-2026.1",
            aviso_cadin_apos_vencimento_dias: 1,
            inclusao_cadin_apos_aviso_dias: 30,
            divida_ativa_apos_cadin_dias: 90,
        }
    }
}

/// Rescission of a parcelamento (Lei 10.522/2002 art. 14-B [S], applied to ANS parcelamentos
/// [GUESS]): three instalments unpaid, consecutive or not, or one unpaid with all the others paid.
/// `vencidas_em_aberto`: instalments past due and unpaid; `pagas`, `total`: counts.
pub fn rescinde(vencidas_em_aberto: u32, pagas: u32, total: u32) -> bool {
    vencidas_em_aberto >= 3 || (vencidas_em_aberto == 1 && pagas + 1 == total)
}

/// One planned instalment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Parcela {
    pub numero: u32,
    pub vencimento: NaiveDate,
    /// Consolidated balance / remaining instalments (the last takes the remainder).
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub base: Centavos,
}

/// Instalments of a parcelamento granted on `concessao`: `n` monthly instalments, the first due
/// on the last business day of the grant month, each ≥ R$ 1.000,00, base = balance / remaining
/// (RN 4/2002 as amended by RN 248/2010). The SELIC part is added when each is paid
/// ([`valor_da_parcela`]).
pub fn simular_parcelamento(
    consolidado: Centavos,
    n: u32,
    concessao: NaiveDate,
    calendario: &CalendarioAns,
) -> Result<Vec<Parcela>, String> {
    if !(1..=MAXIMO_PARCELAS).contains(&n) {
        return Err(format!(
            "número de parcelas {n} inválido: de 1 a {MAXIMO_PARCELAS}"
        ));
    }
    let maximo = (consolidado.value() / PARCELA_MINIMA.value()).min(i64::from(MAXIMO_PARCELAS));
    if consolidado.value() < PARCELA_MINIMA.value() * i64::from(n) {
        return Err(format!(
            "com {n} parcelas cada uma ficaria abaixo de {PARCELA_MINIMA}: para {consolidado}, \
             no máximo {maximo} parcela(s)"
        ));
    }
    let mut saldo = consolidado.value();
    let mut mes = ym(concessao);
    let mut out = Vec::with_capacity(n as usize);
    for k in 1..=n {
        let restantes = i64::from(n - k + 1);
        let base = Centavos::new(saldo)
            .mul_ratio(1, restantes, Rounding::HalfUp)
            .map_err(|e| e.to_string())?;
        saldo -= base.value();
        let vencimento = calendario
            .ultimo_dia_util_do_mes(mes.0, mes.1)
            .ok_or("mês sem dia útil")?;
        out.push(Parcela {
            numero: k,
            vencimento,
            base,
        });
        mes = mes_seguinte(mes);
    }
    Ok(out)
}

/// What an instalment costs when paid: base + SELIC accumulated from the grant to the month
/// before payment + 1% in the payment month (none in the grant month).
pub fn valor_da_parcela(
    base: Centavos,
    concessao: NaiveDate,
    pagamento: NaiveDate,
    selic: &TabelaSelic,
) -> Result<(Centavos, i64, Vec<String>), String> {
    let (pct_juros, mut linhas) = selic.acumulada(concessao, pagamento)?;
    let juros = base
        .mul_ratio(pct_juros, 10_000, Rounding::HalfUp)
        .map_err(|e| e.to_string())?;
    let total = base.checked_add(juros).map_err(|e| e.to_string())?;
    linhas.push(format!(
        "Parcela {base} + juros {} = {total}",
        pct(pct_juros)
    ));
    Ok((total, pct_juros, linhas))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, dd).unwrap()
    }

    #[test]
    fn a_tabela_embutida_cobre_2009_a_2025_e_recusa_linhas_ruins() {
        let t = TabelaSelic::padrao();
        assert_eq!(t.meses().count(), 17 * 12);
        assert_eq!(t.taxa(2025, 1), Some(101));
        assert_eq!(t.taxa(2009, 1), Some(105));
        assert_eq!(t.ultimo_mes(), Some((2025, 12)));
        let e = TabelaSelic::from_csv(
            "x",
            "2025-13;1.0;x\n2025-01;abc;x\n2025-02;0.99;x\n2025-02;0.98;x",
        )
        .unwrap_err();
        assert_eq!(e.len(), 3, "{e:?}");
        assert!(e[0].contains("linha 1") && e[1].contains("linha 2") && e[2].contains("repetida"));
    }

    // Golden example by hand (gov.br débitos page; Lei 9.430/96 art. 61): R$ 10.000,00 due on
    // 15/01/2025, paid on 20/03/2025 — 64 days late: fine 64 × 0,33% = 21,12% → capped at 20%
    // = R$ 2.000,00; interest SELIC of February/2025 (0,99%) + 1% in March = 1,99% = R$ 199,00.
    #[test]
    fn encargos_regime_selic_a_mao() {
        let e = encargos(
            Centavos::new(1_000_000),
            d(2025, 1, 15),
            d(2025, 3, 20),
            &TabelaSelic::padrao(),
        )
        .unwrap();
        assert_eq!(e.regime, Regime::Selic);
        assert_eq!(e.dias_atraso, 64);
        assert_eq!(e.multa_percentual, 2000);
        assert_eq!(e.multa, Centavos::new(200_000));
        assert_eq!(e.juros_percentual, 199);
        assert_eq!(e.juros, Centavos::new(19_900));
        assert_eq!(e.total, Centavos::new(1_219_900));
        assert!(
            e.memoria.iter().any(|l| l.contains("SELIC 02/2025: 0,99%")),
            "{:?}",
            e.memoria
        );
        // 10 days late in the same month: fine 3,30%, no interest.
        let e = encargos(
            Centavos::new(12_345),
            d(2025, 6, 5),
            d(2025, 6, 15),
            &TabelaSelic::padrao(),
        )
        .unwrap();
        assert_eq!((e.multa_percentual, e.juros_percentual), (330, 0));
        // 123,45 × 3,3% = 4,07385 → R$ 4,07
        assert_eq!(e.multa, Centavos::new(407));
        // On time: nothing.
        let e = encargos(
            Centavos::new(50_000),
            d(2025, 6, 5),
            d(2025, 6, 5),
            &TabelaSelic::padrao(),
        )
        .unwrap();
        assert_eq!(e.total, Centavos::new(50_000));
    }

    // Regime up to 03/12/2008 (Lei 9.656 art. 32 §4): R$ 1.000,00 due 10/11/2008, paid
    // 11/01/2009 — 2 months and a fraction = 3 × 1% = 3%; fine 10%. Total R$ 1.130,00.
    #[test]
    fn encargos_regime_ate_2008_a_mao() {
        let e = encargos(
            Centavos::new(100_000),
            d(2008, 11, 10),
            d(2009, 1, 11),
            &TabelaSelic::padrao(),
        )
        .unwrap();
        assert_eq!(e.regime, Regime::Ate2008);
        assert_eq!((e.multa_percentual, e.juros_percentual), (1000, 300));
        assert_eq!(e.total, Centavos::new(113_000));
        // The boundary: 03/12/2008 is the old regime, 04/12/2008 the new.
        assert_eq!(Regime::de(d(2008, 12, 3)), Regime::Ate2008);
        assert_eq!(Regime::de(d(2008, 12, 4)), Regime::Selic);
    }

    #[test]
    fn sem_a_taxa_do_mes_o_calculo_recusa_e_diz_qual_falta() {
        let e = encargos(
            Centavos::new(100_000),
            d(2025, 11, 10),
            d(2026, 3, 31),
            &TabelaSelic::padrao(),
        )
        .unwrap_err();
        assert!(e.contains("01/2026") && e.contains("02/2026"), "{e}");
        let mais = TabelaSelic::from_csv("2026", "2026-01;1.16;x\n2026-02;1.00;x").unwrap();
        let t = TabelaSelic::padrao().com("embutida+2026", &mais);
        // dec/2025 1,22 + jan 1,16 + feb 1,00 + 1 = 4,38%
        let e = encargos(Centavos::new(100_000), d(2025, 11, 10), d(2026, 3, 31), &t).unwrap();
        assert_eq!(e.juros_percentual, 438);
        assert_eq!(e.selic_versao, "embutida+2026");
    }

    // GRU due date (IN DIDES arts. 26–28): the debts' own while not past, else the last business
    // day of the month — November/2026 ends on Monday 30/11.
    #[test]
    fn vencimento_da_gru_pela_regra() {
        let cal = CalendarioAns::padrao();
        assert_eq!(
            vencimento_da_gru(d(2026, 12, 10), d(2026, 11, 27), &cal),
            d(2026, 12, 10)
        );
        assert_eq!(
            vencimento_da_gru(d(2026, 10, 1), d(2026, 11, 27), &cal),
            d(2026, 11, 30)
        );
        // January/2026 ends on Saturday: Friday 30/01.
        assert_eq!(
            vencimento_da_gru(d(2025, 12, 1), d(2026, 1, 12), &cal),
            d(2026, 1, 30)
        );
    }

    // Parcelamento (RN 4/2002 as amended by RN 248/2010): ≤ 60 instalments, each ≥ R$ 1.000,00.
    #[test]
    fn parcelamento_limites_e_parcelas() {
        let cal = CalendarioAns::padrao();
        let p = simular_parcelamento(Centavos::new(1_000_000), 3, d(2025, 3, 10), &cal).unwrap();
        // 10.000,00 / 3 = 3.333,33 (3.333,333…), then 6.666,67 / 2 = 3.333,34 (rounded half up
        // from 3.333,335), then 3.333,33.
        let bases: Vec<i64> = p.iter().map(|x| x.base.value()).collect();
        assert_eq!(bases, [333_333, 333_334, 333_333]);
        assert_eq!(bases.iter().sum::<i64>(), 1_000_000);
        assert_eq!(p[0].vencimento, d(2025, 3, 31));
        assert_eq!(p[1].vencimento, d(2025, 4, 30));
        let e =
            simular_parcelamento(Centavos::new(1_000_000), 11, d(2025, 3, 10), &cal).unwrap_err();
        assert!(e.contains("no máximo 10"), "{e}");
        assert!(
            simular_parcelamento(Centavos::new(100_000_000), 61, d(2025, 3, 10), &cal).is_err()
        );
        // The instalment paid in May carries April's SELIC (1,06%) + 1%: 3.333,34 × 2,06% = 68,67.
        let (v, pctj, _) = valor_da_parcela(
            Centavos::new(333_334),
            d(2025, 3, 10),
            d(2025, 5, 30),
            &TabelaSelic::padrao(),
        )
        .unwrap();
        assert_eq!(pctj, 206);
        assert_eq!(v, Centavos::new(333_334 + 6_867));
        // In the grant month, no interest.
        let (v, _, _) = valor_da_parcela(
            Centavos::new(333_333),
            d(2025, 3, 10),
            d(2025, 3, 31),
            &TabelaSelic::padrao(),
        )
        .unwrap();
        assert_eq!(v, Centavos::new(333_333));
    }

    // Lei 10.522/2002 art. 14-B: three unpaid (consecutive or not), or the only one unpaid.
    #[test]
    fn rescisao_do_parcelamento() {
        assert!(!rescinde(2, 3, 10));
        assert!(rescinde(3, 0, 10));
        assert!(rescinde(1, 9, 10));
        assert!(!rescinde(1, 8, 10));
        assert!(!rescinde(0, 10, 10));
    }

    proptest! {
        // The instalments always add up to the consolidated debt, each ≥ R$ 1.000,00 and the
        // bases differ by at most one centavo.
        #[test]
        fn parcelas_somam_o_consolidado(total in 100_000i64..1_000_000_000, n in 1u32..=60) {
            let cal = CalendarioAns::padrao();
            match simular_parcelamento(Centavos::new(total), n, d(2026, 1, 15), &cal) {
                Ok(p) => {
                    prop_assert_eq!(p.len() as u32, n);
                    prop_assert_eq!(p.iter().map(|x| x.base.value()).sum::<i64>(), total);
                    prop_assert!(p.iter().all(|x| x.base.value() >= 100_000));
                    let max = p.iter().map(|x| x.base.value()).max().unwrap();
                    let min = p.iter().map(|x| x.base.value()).min().unwrap();
                    prop_assert!(max - min <= 1);
                }
                Err(_) => prop_assert!(total < 100_000 * i64::from(n)),
            }
        }

        // Charges never decrease with a later payment date and the fine never passes 20%.
        #[test]
        fn encargos_crescem_com_o_atraso(principal in 1i64..100_000_000, a in 0i64..600, b in 0i64..600) {
            let t = TabelaSelic::padrao();
            let venc = d(2023, 2, 10);
            let (x, y) = (a.min(b), a.max(b));
            let ex = encargos(Centavos::new(principal), venc, venc + chrono::Duration::days(x), &t).unwrap();
            let ey = encargos(Centavos::new(principal), venc, venc + chrono::Duration::days(y), &t).unwrap();
            prop_assert!(ex.total <= ey.total);
            prop_assert!(ey.multa_percentual <= 2000);
            prop_assert_eq!(ey.total.value(), principal + ey.multa.value() + ey.juros.value());
        }
    }
}
