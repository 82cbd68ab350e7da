//! The demo's notified history (issue #14): the attendances of the demo cover 2024–2025, but
//! the PEONA SUS windows start in 2018. For every operator with attendances in the demo this
//! generates, deterministically from the seed, aggregated cells of occurrence quarter 1T2016 …
//! 1T2024 × notification quarter — what a migration of ANS's past data would also yield — and
//! one synthetic guarantee-assets row.
//!
//! - Volume: the operator's share of the demo plan (`plano_operadoras`: its attendances per
//!   quarter in the demo), 6 % less per year going back from 2024, a COVID dip in 2T/3T2020, and
//!   ±10 % noise per quarter. Amount: the operator's own mean ressarcimento value in the demo.
//! - Delays: the seed's runoff table (`runoff_2024.csv`, ANS's own June 2024 study). Each
//!   quarter's amount is split over the quarters elapsed exactly in the table's increments
//!   (centavos by largest remainder), so the sector's triangle reproduces the table's cumulative
//!   percentages. Occurrence quarters after 1T2023 (not in the table, or only partially
//!   observed there) reuse the row of the same quarter of 2022, the last complete year.
//!   Counts are split the same way; a cell with an amount has at least one attendance.
//! - Assets (sintético), base date 30/06/2024 (the study's date): other provisions 50–150 × the
//!   operator's PEONA SUS under the rule then in force, and assets that cover them with a margin
//!   — about 1 operator in 20 within ±10 % of its PEONA SUS of sufficiency (so a parameter change
//!   can flip it), 1 in 33 already insufficient.

use chrono::NaiveDate;
use persus_domain::ids::Trimestre;
use persus_domain::provisoes::parametros::TabelaParametros;
use persus_domain::provisoes::{peona, trimestre_base, Celula};
use persus_store::provisoes::{AtivosOperadora, LinhaHistorico, NovoAtivos};

use super::gerador::repartir;
use super::rng::Rng;

/// ANS's runoff table of the June 2024 study (seeds/004), one line per published cell.
pub const RUNOFF_2024_CSV: &str = include_str!("runoff_2024.csv");

/// 100 % in hundredths of a percent (the table's precision).
const CEM_POR_CENTO: u32 = 10_000;

/// One occurrence quarter of the published table: cumulative share (hundredths of a percent)
/// by quarters elapsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinhaRunoff {
    pub ocorrencia: Trimestre,
    pub acumulado: Vec<(i32, u32)>,
}

impl LinhaRunoff {
    /// The share notified at each delay (hundredths of a percent), summing to 100 %.
    pub fn incrementos(&self) -> Vec<(i32, u32)> {
        let mut anterior = 0;
        self.acumulado
            .iter()
            .map(|(d, a)| {
                let inc = a.saturating_sub(anterior);
                anterior = *a;
                (*d, inc)
            })
            .filter(|(_, inc)| *inc > 0)
            .collect()
    }
}

/// Parses [`RUNOFF_2024_CSV`] (`#` comments, a header, `1T2016;7;70,80`).
pub fn tabela_runoff(csv: &str) -> Result<Vec<LinhaRunoff>, String> {
    let mut linhas: Vec<LinhaRunoff> = Vec::new();
    let mut cabecalho = false;
    for (i, l) in csv.lines().enumerate() {
        let l = l.trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        if !cabecalho {
            cabecalho = true;
            continue;
        }
        let erro = |m: String| format!("runoff_2024.csv, linha {}: {m}", i + 1);
        let c: Vec<&str> = l.split(';').collect();
        let [t, d, pct] = c[..] else {
            return Err(erro(format!("{} colunas; esperadas 3", c.len())));
        };
        let t = Trimestre::parse(t).map_err(|e| erro(e.to_string()))?;
        let d: i32 = d.parse().map_err(|_| erro(format!("defasagem \"{d}\"")))?;
        let (inteiro, dec) = pct
            .split_once(',')
            .ok_or_else(|| erro(format!("percentual \"{pct}\"")))?;
        let centesimos: u32 = format!("{inteiro}{dec:0<2}")
            .parse()
            .map_err(|_| erro(format!("percentual \"{pct}\"")))?;
        if centesimos > CEM_POR_CENTO {
            return Err(erro(format!("percentual {pct} acima de 100")));
        }
        match linhas.last_mut() {
            Some(u) if u.ocorrencia == t => {
                if u.acumulado
                    .last()
                    .is_some_and(|(ud, ua)| *ud >= d || *ua > centesimos)
                {
                    return Err(erro("percentuais acumulados devem crescer".into()));
                }
                u.acumulado.push((d, centesimos));
            }
            _ => linhas.push(LinhaRunoff {
                ocorrencia: t,
                acumulado: vec![(d, centesimos)],
            }),
        }
    }
    if let Some(l) = linhas
        .iter()
        .find(|l| l.acumulado.last().map(|(_, a)| *a) != Some(CEM_POR_CENTO))
    {
        return Err(format!("a linha {} não chega a 100%", l.ocorrencia));
    }
    Ok(linhas)
}

/// The first and last occurrence quarters of the generated history.
pub fn periodo() -> (Trimestre, Trimestre) {
    (
        Trimestre::new(2014, 1).expect("literal"),
        Trimestre::new(2024, 1).expect("literal"),
    )
}

/// The published row of a quarter; quarters after 1T2023 reuse the same quarter of 2022, and
/// 2014–2015 (before the table, generated so that the 24 months of notices behind the 2018
/// window are complete) reuse the same quarter of 2016.
pub fn padrao_de(tabela: &[LinhaRunoff], o: Trimestre) -> Option<&LinhaRunoff> {
    let ultimo_completo = Trimestre::new(2023, 1).expect("literal");
    let primeiro = Trimestre::new(2016, 1).expect("literal");
    let alvo = if o > ultimo_completo {
        Trimestre::new(2022, o.numero()).ok()?
    } else if o < primeiro {
        Trimestre::new(2016, o.numero()).ok()?
    } else {
        o
    };
    tabela.iter().find(|l| l.ocorrencia == alvo)
}

/// One operator of the demo, as the history needs it.
#[derive(Clone, Debug)]
pub struct Perfil {
    pub operadora: String,
    /// Its attendances in the demo per competência quarter.
    pub por_trimestre: f64,
    /// Its mean ressarcimento value per attendance in the demo.
    pub ticket_centavos: i64,
}

/// The profile of one operator of the plan from the attendances just generated for it.
pub fn perfil(
    op: &persus_store::operadoras::Operadora,
    alvo: u64,
    atendimentos: &[persus_store::demo::NovoAtendimento],
) -> Perfil {
    let soma: i64 = atendimentos
        .iter()
        .map(|a| a.valor_ressarcimento_centavos)
        .sum();
    let n = i64::try_from(atendimentos.len()).unwrap_or(i64::MAX).max(1);
    Perfil {
        operadora: op.registro_ans.clone(),
        por_trimestre: alvo as f64 / super::trimestres().len() as f64,
        ticket_centavos: (soma / n).max(1),
    }
}

/// Growth back from 2024: −6 % a year, and the 2020 dip in elective care.
fn fator_volume(o: Trimestre) -> f64 {
    let anos = f64::from(periodo().1.indice() - o.indice()) / 4.0;
    let covid = match (o.ano(), o.numero()) {
        (2020, 2) => 0.70,
        (2020, 3) => 0.85,
        _ => 1.0,
    };
    0.94f64.powf(anos) * covid
}

/// Each operator's own yearly growth from 2020 on [GUESS]. Operators grew and
/// shrank at their own pace after the pandemic (−20 % to +50 % a year here); an operator that grew fast has more pending at
/// the end of each 2021–2022 quarter relative to its 24 months of notices, so the 2024 proposal
/// (whose window is 3T2021–4T2022) raises its PEONA SUS — as it did for 230 of the 655 operators
/// in the seed's impact table. Volume only: every row keeps the seed's delays, so the sector
/// triangle's percentages are untouched.
/// Before 2020 each operator has its own pace too (−55 % to +5 % a year up to 1T2020): one
/// that was shrinking then had little pending relative to its notices, a Fator Individual under
/// the 66 % cap in the 4T2018–1T2020 window — the operators the proposal can raise.
fn crescimento_recente(seed: u64, operadora: &str) -> (f64, f64) {
    let mut rng = Rng::new(seed).fork(salt(operadora) ^ 0x0C20_2020);
    let recente = f64::from(rng.range(0, 700)) / 1000.0 - 0.20;
    let antigo = f64::from(rng.range(0, 600)) / 1000.0 - 0.55;
    (recente, antigo)
}

/// `(1 + recente)` per year from 1T2020 up to 1T2024 (the plan's level), and `(1 + antigo)` per
/// year before 1T2020.
fn fator_recente(o: Trimestre, (recente, antigo): (f64, f64)) -> f64 {
    let inicio = Trimestre::parse("1T2020").expect("literal").indice();
    let anos = f64::from(o.indice() - inicio) / 4.0;
    (1.0 + recente).powf(anos.clamp(0.0, 4.0) - 4.0) * (1.0 + antigo).powf(anos.min(0.0))
}

fn salt(operadora: &str) -> u64 {
    operadora.bytes().fold(0x4849_5354u64, |h, b| {
        h.wrapping_mul(31).wrapping_add(u64::from(b))
    })
}

/// The cells of one operator (see the module docs).
pub fn celulas_da_operadora(seed: u64, tabela: &[LinhaRunoff], p: &Perfil) -> Vec<Celula> {
    let mut rng = Rng::new(seed).fork(salt(&p.operadora));
    let recente = crescimento_recente(seed, &p.operadora);
    let (desde, ate) = periodo();
    let mut out = Vec::new();
    let mut o = desde;
    while o <= ate {
        let Some(padrao) = padrao_de(tabela, o) else {
            o = o.seguinte();
            continue;
        };
        let ruido = f64::from(rng.range(90, 110)) / 100.0;
        let n = (p.por_trimestre * fator_volume(o) * fator_recente(o, recente) * ruido)
            .round()
            .max(1.0) as u64;
        let ticket = p.ticket_centavos * i64::from(rng.range(95, 105)) / 100;
        let valor = n * ticket.max(1) as u64;
        let inc = padrao.incrementos();
        let pesos: Vec<f64> = inc.iter().map(|(_, s)| f64::from(*s)).collect();
        let valores = repartir(valor, &pesos);
        let quantidades = repartir(n, &pesos);
        for (((d, _), v), q) in inc.iter().zip(valores).zip(quantidades) {
            if v == 0 {
                continue;
            }
            let Some(aviso) = o.somar(*d) else { continue };
            out.push(Celula {
                ocorrencia: o,
                aviso,
                valor_centavos: v as i64,
                quantidade: q.max(1) as i64,
            });
        }
        o = o.seguinte();
    }
    out
}

/// The date of the synthetic assets: the June 2024 study's.
pub fn data_base_ativos() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 6, 30).expect("literal date")
}

/// Medical-hospital beneficiaries in Brazil (domain.md §11: 51.08 M in May/2024).
const BENEFICIARIOS_MH: f64 = 51_081_551.0;

/// The history rows and the synthetic assets of every operator.
pub fn gerar(seed: u64, perfis: &[Perfil]) -> (Vec<LinhaHistorico>, Vec<NovoAtivos>) {
    let tabela = tabela_runoff(RUNOFF_2024_CSV).expect("runoff_2024.csv é válido (testado)");
    let parametros = TabelaParametros::padrao();
    let dia = data_base_ativos();
    let regra = parametros
        .vigente_em(dia)
        .expect("regra vigente em 30/06/2024");
    let base = trimestre_base(dia).expect("trimestre da data-base");
    let total: f64 = perfis.iter().map(|p| p.por_trimestre).sum::<f64>().max(1.0);
    // The largest tenth of operators (by volume) — own actuarial methodologies are the large
    // operators' ([GUESS]; the seed's 81 "sem alteração" hold 21,4 % of beneficiaries with
    // 12,4 % of operators).
    let mut tamanhos: Vec<f64> = perfis.iter().map(|p| p.por_trimestre).collect();
    tamanhos.sort_by(f64::total_cmp);
    let grande = tamanhos
        .get(tamanhos.len() * 9 / 10)
        .copied()
        .unwrap_or(f64::INFINITY);
    let mut historico = Vec::new();
    let mut ativos = Vec::new();
    for p in perfis {
        let cel = celulas_da_operadora(seed, &tabela, p);
        let conhecidas: Vec<Celula> = cel.iter().copied().filter(|c| c.aviso <= base).collect();
        let peona = peona::calcular(&conhecidas, base, regra)
            .peona_centavos
            .max(p.ticket_centavos);
        let mut rng = Rng::new(seed).fork(salt(&p.operadora) ^ 0xA71F);
        let outras = peona * i64::from(rng.range(50, 150));
        // Margin over sufficiency in hundredths of the PEONA SUS.
        let margem = match rng.below(100) {
            0..=4 => i64::from(rng.range(0, 20)) - 10,
            5..=7 => -i64::from(rng.range(50, 300)),
            _ => i64::from(rng.range(50, 2_000)),
        };
        let ag = (outras + peona + peona * margem / 100).max(0);
        let chance_propria = if p.por_trimestre >= grande { 35 } else { 9 };
        ativos.push(NovoAtivos {
            operadora: p.operadora.clone(),
            dados: AtivosOperadora {
                beneficiarios_mh: (BENEFICIARIOS_MH * p.por_trimestre / total)
                    .round()
                    .max(1.0) as i64,
                ativos_garantidores_centavos: ag,
                outras_provisoes_centavos: outras,
                data_base: dia,
                sintetico: true,
                metodologia_propria: rng.below(100) < chance_propria,
            },
        });
        historico.extend(cel.into_iter().map(|c| LinhaHistorico {
            operadora: p.operadora.clone(),
            ocorrencia: c.ocorrencia,
            aviso: c.aviso,
            valor_centavos: c.valor_centavos,
            quantidade: c.quantidade,
        }));
    }
    (historico, ativos)
}

#[cfg(test)]
mod tests {
    use super::*;
    use persus_domain::provisoes::triangulo::Triangulo;

    fn t(s: &str) -> Trimestre {
        Trimestre::parse(s).unwrap()
    }

    /// The reading of the seed's table, checked on the two rows the brief spells out.
    #[test]
    fn the_table_reads_as_published() {
        let tab = tabela_runoff(RUNOFF_2024_CSV).unwrap();
        assert_eq!(tab.len(), 29, "1T2016 … 1T2023");
        let r16 = &tab[0];
        assert_eq!(r16.ocorrencia, t("1T2016"));
        assert_eq!(
            r16.acumulado,
            [(7, 7_080), (8, 9_945), (9, 9_999), (10, 10_000)]
        );
        let r19 = tab.iter().find(|l| l.ocorrencia == t("4T2019")).unwrap();
        assert_eq!(r19.acumulado[0], (4, 7_441));
        // 70.80 %, then 99.45 − 70.80 = 28.65 %, 0.54 %, 0.01 %.
        assert_eq!(
            r16.incrementos(),
            [(7, 7_080), (8, 2_865), (9, 54), (10, 1)]
        );
        assert_eq!(
            padrao_de(&tab, t("3T2023")).unwrap().ocorrencia,
            t("3T2022")
        );
        assert_eq!(
            padrao_de(&tab, t("1T2023")).unwrap().ocorrencia,
            t("1T2023")
        );
    }

    #[test]
    fn bad_tables_are_refused_with_the_line() {
        let e = tabela_runoff("cab\n1T2016;7;70,80\n1T2016;8;60,00\n").unwrap_err();
        assert!(e.contains("linha 3"), "{e}");
        let e = tabela_runoff("cab\n1T2016;7;70,80\n").unwrap_err();
        assert!(e.contains("100%"), "{e}");
    }

    fn perfis() -> Vec<Perfil> {
        // A large, a middle and a tiny operator (one attendance a quarter).
        [
            ("368253", 700.0, 250_000),
            ("326305", 55.0, 180_000),
            ("005711", 1.0, 90_000),
        ]
        .into_iter()
        .map(|(o, n, tk)| Perfil {
            operadora: o.into(),
            por_trimestre: n,
            ticket_centavos: tk,
        })
        .collect()
    }

    /// Independent check of the generator: the sector triangle built by the domain from the
    /// generated cells reproduces every published cumulative percentage to its two decimals.
    #[test]
    fn the_sector_triangle_reproduces_the_seed() {
        let (hist, _) = gerar(2018, &perfis());
        let cel: Vec<Celula> = hist
            .iter()
            .map(|h| Celula {
                ocorrencia: h.ocorrencia,
                aviso: h.aviso,
                valor_centavos: h.valor_centavos,
                quantidade: h.quantidade,
            })
            .collect();
        let tri = Triangulo::montar(&cel, t("1T2016"), t("4T2026"));
        let tab = tabela_runoff(RUNOFF_2024_CSV).unwrap();
        for linha in &tab {
            let l = tri
                .linhas
                .iter()
                .find(|l| l.ocorrencia == linha.ocorrencia)
                .unwrap();
            let pct = l.acumulado_pct();
            // Before the row's first value nothing is notified.
            let primeiro = linha.acumulado[0].0 as usize;
            assert!(
                pct[..primeiro].iter().all(Option::is_none),
                "{}",
                linha.ocorrencia
            );
            for (d, esperado) in &linha.acumulado {
                let obtido = pct[*d as usize].unwrap();
                assert!(
                    (obtido - f64::from(*esperado) / 100.0).abs() < 0.005,
                    "{} após {d}: {obtido:.4} ≠ {}",
                    linha.ocorrencia,
                    f64::from(*esperado) / 100.0
                );
            }
        }
        // Deterministic: the same seed gives the same rows; another seed, other amounts.
        assert_eq!(gerar(2018, &perfis()).0, hist);
        assert_ne!(gerar(7, &perfis()).0, hist);
    }

    #[test]
    fn volume_follows_the_plan_and_grows() {
        let (hist, ativos) = gerar(2018, &perfis());
        let soma = |op: &str, ano: u16| -> i64 {
            hist.iter()
                .filter(|h| h.operadora == op && h.ocorrencia.ano() == ano)
                .map(|h| h.quantidade)
                .sum()
        };
        // 700 a quarter in 2024 terms; each 2023 quarter ≈ 700 × 0.94^(years to 1T2024) × the
        // operator's own growth factor — within ±10 % (the noise) of that.
        let r = crescimento_recente(2018, "368253");
        let esperado: f64 = (1..=4)
            .map(|n| {
                let q = Trimestre::new(2023, n).unwrap();
                700.0 * fator_volume(q) * fator_recente(q, r)
            })
            .sum();
        let n23 = soma("368253", 2023) as f64;
        assert!(
            (n23 / esperado - 1.0).abs() <= 0.11,
            "{n23} vs {esperado:.0}"
        );
        // Every year has volume; the operators' paces differ (the impact table needs it).
        assert!(soma("368253", 2017) > 0 && soma("368253", 2019) > 0);
        assert!(soma("368253", 2019) > 10 * soma("326305", 2019));
        // The tiny operator still has a history, one attendance a quarter at least.
        assert!(soma("005711", 2019) >= 4);
        assert_eq!(ativos.len(), 3);
        assert!(ativos.iter().all(|a| a.dados.sintetico
            && a.dados.outras_provisoes_centavos > 0
            && a.dados.data_base == data_base_ativos()));
        assert!(ativos[0].dados.beneficiarios_mh > ativos[1].dados.beneficiarios_mh);
    }
}
