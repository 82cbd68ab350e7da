//! The bank's return file (FEBRABAN CNAB 240, cobrança, bank 001) and the checks every payment
//! in it must pass before anything is booked.
//!
//! Reading ([`ler_cnab240`]) refuses what is not a well-formed file: the file header (record 0,
//! bank 001, code 2 = retorno), T/U segment pairs, trailers; amounts of exactly 15 digits
//! (no sign) and greater than zero; dates of 8 digits that exist in the calendar and are not
//! before the FEBRABAN base date 07/10/1997. Checking ([`conferir_pagamento`]) refuses what
//! cannot have happened, given the GRU and today (America/Sao_Paulo): a payment or credit date
//! in the future, a payment before the GRU was issued, an amount above [`TETO_PAGAMENTO`] or
//! more than [`MULTIPLO_MAXIMO_DA_GRU`] times the GRU. A file with any such line is refused
//! whole, each line named with its reason (docs/RULES.md, "Charging").

use chrono::NaiveDate;
use serde::Serialize;

use crate::money::Centavos;

/// No single payment can reach this: R$ 1 billion, less than the whole of ANS's record yearly
/// collection (R$ 1,15 bi transferred in 2019, domain.md §11).
pub const TETO_PAGAMENTO: Centavos = Centavos::new(100_000_000_000);

/// A payment may exceed its GRU (the excess becomes the operator's credit), but not by more than
/// this factor: paying the same slip twice in one transfer is the largest honest mistake; a
/// larger amount is a keying or file error for ANS finance to clear with the bank.
pub const MULTIPLO_MAXIMO_DA_GRU: i64 = 2;

/// One payment read from a return file (or typed by ANS finance).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PagamentoLido {
    /// Line of the T segment in the file (1-based); 0 for a manual entry.
    pub linha: usize,
    /// Line of the U segment (amount and dates); 0 for a manual entry.
    pub linha_valor: usize,
    pub nosso_numero: String,
    pub valor: Centavos,
    pub pago_em: NaiveDate,
    /// Date the bank credited ANS (U segment 146–153), when informed.
    pub creditado_em: Option<NaiveDate>,
}

/// What the checks need to know of the GRU a payment names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GruConferida {
    /// The GRU's amount: principal plus the late charges up to its due date.
    pub valor: Centavos,
    /// The civil day (America/Sao_Paulo) the GRU was issued.
    pub emitida_em: NaiveDate,
}

fn br(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// The earliest date a FEBRABAN bank slip can carry (base of the fator de vencimento).
fn data_base_febraban() -> NaiveDate {
    NaiveDate::from_ymd_opt(1997, 10, 7).unwrap_or(NaiveDate::MIN)
}

/// A date field `DDMMAAAA`: 8 digits, a day that exists, not before 07/10/1997.
fn data_do_campo(nome: &str, s: &str, posicoes: &str) -> Result<NaiveDate, String> {
    if s.len() != 8 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "{nome} \"{s}\" inválida: use DDMMAAAA nas posições {posicoes}"
        ));
    }
    let n = |a: usize, b: usize| s[a..b].parse::<u32>().unwrap_or(0);
    let data = i32::try_from(n(4, 8))
        .ok()
        .and_then(|ano| NaiveDate::from_ymd_opt(ano, n(2, 4), n(0, 2)))
        .ok_or_else(|| {
            format!(
                "{nome} {}/{}/{} não existe no calendário (posições {posicoes})",
                &s[0..2],
                &s[2..4],
                &s[4..8]
            )
        })?;
    if data < data_base_febraban() {
        return Err(format!(
            "{nome} {} é anterior a 07/10/1997, data-base dos boletos FEBRABAN (posições {posicoes})",
            br(data)
        ));
    }
    Ok(data)
}

/// The amount paid (U segment 78–92): exactly 15 digits, in centavos, greater than zero.
fn valor_do_campo(s: &str) -> Result<Centavos, String> {
    if s.len() != 15 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "valor pago \"{s}\" inválido: são 15 dígitos, em centavos e sem sinal (posições 78–92)"
        ));
    }
    match s.parse::<i64>() {
        Ok(v) if v > 0 => Ok(Centavos::new(v)),
        _ => Err(
            "valor pago zero: um pagamento precisa de valor maior que zero (posições 78–92)"
                .to_owned(),
        ),
    }
}

/// The U segment of a payment: amount, payment date, credit date (blank or zeros = not
/// informed); every problem of the line, each with the line number.
fn ler_segmento_u(
    n: usize,
    l: &str,
    linha_t: usize,
    nn: String,
) -> Result<PagamentoLido, Vec<String>> {
    let valor = valor_do_campo(&l[77..92]);
    let pago = data_do_campo("data do pagamento", &l[137..145], "138–145");
    let credito = match l[145..153].trim() {
        "" | "00000000" => Ok(None),
        s => data_do_campo("data do crédito", s, "146–153").map(Some),
    };
    match (valor, pago, credito) {
        (Ok(valor), Ok(pago_em), Ok(creditado_em)) => {
            if let Some(c) = creditado_em.filter(|c| *c < pago_em) {
                return Err(vec![format!(
                    "linha {n}: data do crédito {} anterior à data do pagamento {}",
                    br(c),
                    br(pago_em)
                )]);
            }
            Ok(PagamentoLido {
                linha: linha_t,
                linha_valor: n,
                nosso_numero: nn,
                valor,
                pago_em,
                creditado_em,
            })
        }
        (v, p, c) => Err([v.err(), p.err(), c.err()]
            .into_iter()
            .flatten()
            .map(|e| format!("linha {n}: {e}"))
            .collect()),
    }
}

/// Reads a CNAB 240 cobrança return file: header of file (record 0) from bank 001, segments T
/// (nosso número 38–57) and U (amount paid 78–92, payment date 138–145, credit date 146–153) in
/// pairs, trailers. Any malformed line refuses the whole file, naming the line and the reason.
pub fn ler_cnab240(texto: &str) -> Result<Vec<PagamentoLido>, Vec<String>> {
    let mut erros = Vec::new();
    let mut out = Vec::new();
    let linhas: Vec<&str> = texto.lines().map(|l| l.trim_end_matches('\r')).collect();
    if linhas.is_empty() {
        return Err(vec!["arquivo vazio".to_owned()]);
    }
    let mut pendente: Option<(usize, String, bool)> = None;
    let mut viu_trailer = false;
    for (i, l) in linhas.iter().enumerate() {
        let n = i + 1;
        if l.is_empty() && i == linhas.len() - 1 {
            continue;
        }
        if l.len() != 240 || !l.is_ascii() {
            erros.push(format!(
                "linha {n}: tem {} caracteres; um arquivo CNAB 240 tem linhas de 240",
                l.chars().count()
            ));
            continue;
        }
        if &l[0..3] != "001" {
            erros.push(format!(
                "linha {n}: banco {} — este retorno não é do Banco do Brasil (001)",
                &l[0..3]
            ));
            continue;
        }
        match &l[7..8] {
            "0" if n == 1 => {
                if &l[142..143] != "2" {
                    erros.push(format!(
                        "linha {n}: o arquivo não é de retorno (código {} na posição 143; retorno é 2)",
                        &l[142..143]
                    ));
                }
            }
            "0" => erros.push(format!(
                "linha {n}: header de arquivo fora da primeira linha"
            )),
            _ if n == 1 => erros.push("linha 1: falta o header de arquivo (registro 0)".to_owned()),
            "1" | "5" => {}
            "9" => viu_trailer = true,
            "3" => match &l[13..14] {
                "T" => {
                    if let Some((ln, _, _)) = pendente.take() {
                        erros.push(format!("linha {ln}: segmento T sem o segmento U"));
                    }
                    let mov = &l[15..17];
                    let nn = l[37..57].trim().to_owned();
                    if nn.len() < 17 || !nn[..17].bytes().all(|b| b.is_ascii_digit()) {
                        erros.push(format!(
                            "linha {n}: nosso número \"{nn}\" inválido (17 dígitos nas posições 38–57)"
                        ));
                        continue;
                    }
                    // 06 = liquidação, 17 = liquidação após baixa: payments; others are
                    // entries (02), write-offs (09)… and are not payments.
                    pendente = Some((n, nn[..17].to_owned(), mov == "06" || mov == "17"));
                }
                "U" => {
                    let Some((ln, nn, pago)) = pendente.take() else {
                        erros.push(format!("linha {n}: segmento U sem o segmento T antes"));
                        continue;
                    };
                    if pago {
                        match ler_segmento_u(n, l, ln, nn) {
                            Ok(p) => out.push(p),
                            Err(e) => erros.extend(e),
                        }
                    }
                }
                outro => erros.push(format!(
                    "linha {n}: segmento \"{outro}\" inesperado num retorno de cobrança (T ou U)"
                )),
            },
            outro => erros.push(format!(
                "linha {n}: tipo de registro \"{outro}\" desconhecido"
            )),
        }
    }
    if let Some((ln, _, _)) = pendente {
        erros.push(format!("linha {ln}: segmento T sem o segmento U"));
    }
    if !viu_trailer && erros.is_empty() {
        erros.push("falta o trailer de arquivo (registro 9): o arquivo está incompleto".to_owned());
    }
    if erros.is_empty() {
        Ok(out)
    } else {
        Err(erros)
    }
}

/// Whether a payment could have happened, given its GRU (when the nosso número names one) and
/// `hoje` (the service's civil date in America/Sao_Paulo); every reason it could not, in pt-BR.
pub fn conferir_pagamento(
    p: &PagamentoLido,
    gru: Option<&GruConferida>,
    hoje: NaiveDate,
) -> Vec<String> {
    let mut erros = Vec::new();
    if p.valor.value() <= 0 {
        erros.push(format!(
            "valor pago {}: um pagamento precisa de valor maior que zero",
            p.valor
        ));
    } else if p.valor > TETO_PAGAMENTO {
        erros.push(format!(
            "valor pago {} acima do teto de {TETO_PAGAMENTO} para um único pagamento",
            p.valor
        ));
    }
    if p.pago_em > hoje {
        erros.push(format!(
            "data do pagamento {} no futuro (hoje é {})",
            br(p.pago_em),
            br(hoje)
        ));
    }
    if let Some(c) = p.creditado_em.filter(|c| *c > hoje) {
        erros.push(format!(
            "data do crédito {} no futuro (hoje é {})",
            br(c),
            br(hoje)
        ));
    }
    if let Some(g) = gru {
        let limite = g.valor.value().saturating_mul(MULTIPLO_MAXIMO_DA_GRU);
        if p.valor.value() > limite {
            erros.push(format!(
                "valor pago {} é mais que o dobro do valor da GRU ({}): confira o arquivo com o banco",
                p.valor, g.valor
            ));
        }
        if p.pago_em < g.emitida_em {
            erros.push(format!(
                "pagamento em {} anterior à emissão da GRU em {}",
                br(p.pago_em),
                br(g.emitida_em)
            ));
        }
    }
    erros
}

/// A CNAB 240 return for the given payments (the bank's side, for tests, the demo and
/// homologação): file header, lot header, T/U pairs, lot and file trailers; the credit date is
/// the payment date.
pub fn cnab240_de(pagamentos: &[(String, Centavos, NaiveDate)], gerado: NaiveDate) -> String {
    let linha = |conteudo: String| format!("{conteudo:<240}")[..240].to_owned();
    let mut out = Vec::new();
    let mut h = format!("00100000{:<134}2{}", "", gerado.format("%d%m%Y"));
    h = linha(h);
    out.push(h);
    out.push(linha("00100011T".to_owned()));
    for (i, (nn, valor, data)) in pagamentos.iter().enumerate() {
        // 1–3 bank, 4–7 lot, 8 record type, 9–13 sequence, 14 segment, 16–17 movement (06 =
        // liquidação), 38–57 nosso número; U: 78–92 amount paid, 138–145 date of payment,
        // 146–153 date of credit.
        let t = format!("00100013{:05}T 06{:<20}{nn:<20}", 2 * i + 1, "");
        let u = format!(
            "00100013{:05}U 06{:<60}{:015}{:<45}{}{}",
            2 * i + 2,
            "",
            valor.value(),
            "",
            data.format("%d%m%Y"),
            data.format("%d%m%Y")
        );
        out.push(linha(t));
        out.push(linha(u));
    }
    out.push(linha("00100015".to_owned()));
    out.push(linha("00199999".to_owned()));
    out.join("\r\n") + "\r\n"
}
