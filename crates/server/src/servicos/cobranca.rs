//! Charging: debts constituted when attendances become due, GRUs issued over them (one per due
//! date, with the late charges of their regime), payments reconciled from the bank's CNAB 240
//! return file or entered by ANS finance.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use persus_domain::calendar::CalendarioAns;
use persus_domain::cobranca::boleto::{campo_livre_bb, nosso_numero, Boleto, BANCO_DO_BRASIL};
use persus_domain::cobranca::{encargos, vencimento_da_gru, TabelaSelic, PISO_COBRANCA};
use persus_domain::money::Centavos;
use persus_store::auditoria::{self, Ator, Mudanca};
use persus_store::cobranca::{self as store, Gru, Pagamento};
use persus_store::Db;
use serde::Serialize;
use serde_json::json;

use super::ServicoError;

/// ANS's collection agreement with Banco do Brasil and its portfolio. [GUESS] — the real
/// convênio is ANS's; configure it before production.
pub const CONVENIO_ANS: u32 = 2_950_123;
pub const CARTEIRA: u8 = 17;
/// Payment is due 15 days after the amount becomes due (RN 358/2014 art. 33; Lei 9.656 art. 32
/// §3), moved to the next business day.
pub const DIAS_PARA_PAGAR: i64 = 15;

fn regra(m: impl Into<String>) -> ServicoError {
    ServicoError::Regra(m.into())
}

/// Debts for every process with due attendances not yet charged, one per process; due
/// [`DIAS_PARA_PAGAR`] days later. Returns how many were constituted.
pub async fn constituir_debitos(
    db: &Db,
    hoje: NaiveDate,
    calendario: &CalendarioAns,
    ator: &Ator,
    agora: DateTime<Utc>,
) -> Result<usize, ServicoError> {
    let vencimento = calendario.dia_util_ou_proximo(hoje + Duration::days(DIAS_PARA_PAGAR));
    let mut n = 0;
    for processo in store::processos_com_devidos(db).await? {
        let mut tx = db.begin().await?;
        let Some(d) = store::criar_debito(&mut tx, processo, vencimento, agora).await? else {
            continue;
        };
        auditoria::registrar(
            &mut tx,
            ator,
            Mudanca {
                acao: "debito.constituido",
                entidade: "debito",
                entidade_id: &d.id.to_string(),
                antes: None,
                depois: Some(json!({ "processo": d.nup, "operadora": d.operadora,
                    "atendimentos": d.atendimentos, "valor_centavos": d.valor_centavos,
                    "vencimento": d.vencimento })),
            },
            agora,
        )
        .await?;
        tx.commit().await?;
        n += 1;
    }
    Ok(n)
}

/// GRU numbers: 8-digit sequence and two check digits (ISO 7064 mod 97-10), `NN.NNN.NNN-DD`.
pub fn numero_gru(sequencia: i64) -> String {
    let dv = 98 - (sequencia * 100) % 97;
    let s = format!("{sequencia:08}");
    format!("{}.{}.{}-{dv:02}", &s[..2], &s[2..5], &s[5..8])
}

#[derive(Clone, Debug, Serialize)]
pub struct LinhaGru {
    pub debito: i64,
    pub processo: String,
    pub principal: Centavos,
    pub multa: Centavos,
    pub juros: Centavos,
    pub total: Centavos,
    pub memoria: Vec<String>,
}

/// Issues a GRU over the operator's chosen debts.
#[allow(clippy::too_many_arguments)]
pub async fn emitir_gru(
    db: &Db,
    operadora: &str,
    debitos: &[i64],
    hoje: NaiveDate,
    calendario: &CalendarioAns,
    selic: &TabelaSelic,
    ator: &Ator,
    agora: DateTime<Utc>,
) -> Result<Gru, ServicoError> {
    if debitos.is_empty() {
        return Err(regra("selecione ao menos um débito"));
    }
    let mut ids = debitos.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let mut tx = db.begin().await?;
    let achados = store::debitos(&mut tx, operadora, &ids).await?;
    let mut erros = Vec::new();
    for id in &ids {
        if !achados.iter().any(|d| d.id == *id) {
            erros.push(format!("débito {id} não encontrado"));
        }
    }
    let mut vencimentos = std::collections::BTreeSet::new();
    for d in &achados {
        if d.estado != "aberto" {
            erros.push(format!("débito {} está {}", d.id, d.estado));
        }
        if let Some(g) = store::gru_aberta_do_debito(&mut tx, d.id, hoje).await? {
            erros.push(format!(
                "débito {} já está na GRU {g}: pague-a ou aguarde seu vencimento para reemitir",
                d.id
            ));
        }
        vencimentos.insert(vencimento_da_gru(d.vencimento, hoje, calendario));
    }
    if vencimentos.len() > 1 {
        erros.push(format!(
            "uma GRU por vencimento: os débitos escolhidos venceriam em {} — emita uma GRU para cada data",
            vencimentos
                .iter()
                .map(|d| d.format("%d/%m/%Y").to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if !erros.is_empty() {
        return Err(regra(erros.join("; ")));
    }
    let vencimento = vencimentos.into_iter().next().unwrap_or(hoje);
    let mut linhas = Vec::new();
    for d in &achados {
        let e = encargos(
            Centavos::new(d.valor_centavos),
            d.vencimento,
            vencimento,
            selic,
        )
        .map_err(regra)?;
        linhas.push(LinhaGru {
            debito: d.id,
            processo: d.nup.clone(),
            principal: e.principal,
            multa: e.multa,
            juros: e.juros,
            total: e.total,
            memoria: e.memoria,
        });
    }
    let total = Centavos::sum(linhas.iter().map(|l| l.total)).map_err(|e| regra(e.to_string()))?;
    if total < PISO_COBRANCA {
        return Err(regra(format!(
            "o total {total} fica abaixo do mínimo de cobrança de {PISO_COBRANCA} (RN 533/2022): \
             o valor se acumula até ultrapassá-lo"
        )));
    }
    let seq = store::proxima_sequencia(&mut tx, "gru").await?;
    let nn = nosso_numero(CONVENIO_ANS, seq as u64).map_err(regra)?;
    let boleto = Boleto::novo(
        BANCO_DO_BRASIL,
        vencimento,
        total,
        &campo_livre_bb(&nn, CARTEIRA).map_err(regra)?,
    )
    .map_err(regra)?;
    let mut gru = Gru {
        id: 0,
        numero: numero_gru(seq),
        nosso_numero: nn,
        operadora: operadora.to_owned(),
        vencimento,
        valor_centavos: total.value(),
        codigo_barras: boleto.codigo_de_barras(),
        linha_digitavel: boleto.linha_digitavel(),
        estado: "emitida".to_owned(),
        memoria: serde_json::to_string(&json!({ "linhas": linhas, "selic": selic.versao() }))
            .unwrap_or_default(),
        emitida_em: agora,
        emitida_por: ator.ator.clone(),
        paga_em: None,
        valor_pago_centavos: None,
    };
    gru.id = store::inserir_gru(&mut tx, &gru).await?;
    for l in &linhas {
        store::ligar_debito(
            &mut tx,
            gru.id,
            l.debito,
            l.principal.value(),
            l.multa.value(),
            l.juros.value(),
        )
        .await?;
    }
    auditoria::registrar(
        &mut tx,
        ator,
        Mudanca {
            acao: "gru.emitida",
            entidade: "gru",
            entidade_id: &gru.numero,
            antes: None,
            depois: Some(json!({ "operadora": operadora, "vencimento": vencimento,
                "valor_centavos": total.value(), "debitos": ids })),
        },
        agora,
    )
    .await?;
    persus_store::webhooks::registrar_evento(
        &mut tx,
        Some(operadora),
        "gru.emitida",
        &json!({ "gru": gru.numero, "vencimento": vencimento, "valor_centavos": total.value(),
                 "linha_digitavel": gru.linha_digitavel, "debitos": ids }),
        agora,
    )
    .await?;
    tx.commit().await?;
    Ok(gru)
}

/// One payment read from a return file (or typed by ANS finance).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PagamentoLido {
    /// Line of the T segment in the file (1-based); 0 for a manual entry.
    pub linha: usize,
    pub nosso_numero: String,
    pub valor: Centavos,
    pub pago_em: NaiveDate,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Relatorio {
    pub arquivo_sha256: String,
    /// True when this very file had been imported before: nothing was done again.
    pub ja_importado: bool,
    pub conciliados: usize,
    pub divergentes: usize,
    pub sem_gru: usize,
    pub gru_inativa: usize,
    pub itens: Vec<ItemRelatorio>,
}

#[derive(Clone, Debug, Serialize, serde::Deserialize)]
pub struct ItemRelatorio {
    pub linha: usize,
    pub nosso_numero: String,
    pub gru: Option<String>,
    pub valor_pago_centavos: i64,
    pub situacao: String,
    pub observacao: String,
}

fn data_ddmmaaaa(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%d%m%Y").ok()
}

/// Reads a FEBRABAN CNAB 240 cobrança return file: header of file (record 0) from bank 001,
/// segments T (nosso número 38–57) and U (amount paid 78–92, date of payment 138–145) in pairs,
/// trailers. Any malformed line refuses the whole file, naming the line and the reason.
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
                    if !pago {
                        continue;
                    }
                    let valor = l[77..92].parse::<i64>();
                    let data = data_ddmmaaaa(&l[137..145]);
                    match (valor, data) {
                        (Ok(v), Some(d)) => out.push(PagamentoLido {
                            linha: ln,
                            nosso_numero: nn,
                            valor: Centavos::new(v),
                            pago_em: d,
                        }),
                        (Err(_), _) => erros.push(format!(
                            "linha {n}: valor pago \"{}\" não é numérico (posições 78–92)",
                            &l[77..92]
                        )),
                        (_, None) => erros.push(format!(
                            "linha {n}: data do pagamento \"{}\" inválida (DDMMAAAA nas posições 138–145)",
                            &l[137..145]
                        )),
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

async fn conciliar(
    tx: &mut persus_store::Tx,
    p: &PagamentoLido,
    origem: &str,
    retorno: Option<&str>,
    ator: &Ator,
    agora: DateTime<Utc>,
) -> Result<ItemRelatorio, ServicoError> {
    let gru = store::gru_por_nosso_numero(tx, &p.nosso_numero).await?;
    let (situacao, observacao, quitar) = match &gru {
        None => (
            "sem_gru",
            "nosso número sem GRU emitida pela ANS: devolver ou identificar".to_owned(),
            false,
        ),
        Some(g) if g.estado == "cancelada" => (
            "gru_inativa",
            format!(
                "GRU {} estava cancelada: pagamento sinalizado, não baixado",
                g.numero
            ),
            false,
        ),
        Some(g) if g.estado == "paga" => (
            "gru_inativa",
            format!(
                "GRU {} já estava paga: pagamento em duplicidade a devolver",
                g.numero
            ),
            false,
        ),
        Some(g) if p.pago_em > g.vencimento => (
            "gru_inativa",
            format!(
                "GRU {} paga em {} após o vencimento {}: não é aceita; reemitir com encargos",
                g.numero,
                p.pago_em.format("%d/%m/%Y"),
                g.vencimento.format("%d/%m/%Y")
            ),
            false,
        ),
        Some(g) if p.valor.value() < g.valor_centavos => (
            "divergente",
            format!(
                "pagamento parcial: {} de {}; falta {} — a GRU continua em aberto",
                p.valor,
                Centavos::new(g.valor_centavos),
                Centavos::new(g.valor_centavos - p.valor.value())
            ),
            false,
        ),
        Some(g) if p.valor.value() > g.valor_centavos => (
            "conciliado",
            format!(
                "pago a maior: excedente de {} fica como crédito da operadora",
                Centavos::new(p.valor.value() - g.valor_centavos)
            ),
            true,
        ),
        Some(_) => ("conciliado", "valor exato".to_owned(), true),
    };
    store::inserir_pagamento(
        tx,
        &Pagamento {
            id: 0,
            nosso_numero: p.nosso_numero.clone(),
            gru_id: gru.as_ref().map(|g| g.id),
            valor_centavos: p.valor.value(),
            pago_em: p.pago_em,
            origem: origem.to_owned(),
            retorno_sha256: retorno.map(str::to_owned),
            situacao: situacao.to_owned(),
            observacao: observacao.clone(),
            registrado_em: agora,
            registrado_por: ator.ator.clone(),
        },
    )
    .await?;
    if let (true, Some(g)) = (quitar, &gru) {
        store::quitar_gru(tx, g.id, p.pago_em, p.valor.value()).await?;
        auditoria::registrar(
            tx,
            ator,
            Mudanca {
                acao: "gru.paga",
                entidade: "gru",
                entidade_id: &g.numero,
                antes: Some(json!({ "estado": g.estado })),
                depois: Some(json!({ "estado": "paga", "pago_em": p.pago_em,
                    "valor_pago_centavos": p.valor.value(), "origem": origem })),
            },
            agora,
        )
        .await?;
        persus_store::webhooks::registrar_evento(
            tx,
            Some(&g.operadora),
            "pagamento.confirmado",
            &json!({ "gru": g.numero, "pago_em": p.pago_em, "valor_centavos": p.valor.value() }),
            agora,
        )
        .await?;
    }
    Ok(ItemRelatorio {
        linha: p.linha,
        nosso_numero: p.nosso_numero.clone(),
        gru: gru.map(|g| g.numero),
        valor_pago_centavos: p.valor.value(),
        situacao: situacao.to_owned(),
        observacao,
    })
}

fn contar(r: &mut Relatorio) {
    for i in &r.itens {
        match i.situacao.as_str() {
            "conciliado" => r.conciliados += 1,
            "divergente" => r.divergentes += 1,
            "sem_gru" => r.sem_gru += 1,
            _ => r.gru_inativa += 1,
        }
    }
}

/// Imports a return file: all or nothing, and the same file twice changes nothing (the second
/// time answers the first report with `ja_importado`).
pub async fn importar_retorno(
    db: &Db,
    nome: &str,
    bytes: &[u8],
    ator: &Ator,
    agora: DateTime<Utc>,
) -> Result<Relatorio, ServicoError> {
    let sha = super::documentos::sha256_hex(bytes);
    if let Some(anterior) = store::relatorio_do_retorno(db, &sha).await? {
        let mut r: Relatorio = Relatorio {
            itens: serde_json::from_str(&anterior).unwrap_or_default(),
            arquivo_sha256: sha,
            ja_importado: true,
            ..Relatorio::default()
        };
        contar(&mut r);
        return Ok(r);
    }
    let texto = std::str::from_utf8(bytes)
        .map_err(|_| regra("o retorno deve ser texto ASCII (CNAB 240); nada foi importado"))?;
    let pagamentos = ler_cnab240(texto).map_err(|e| {
        regra(format!(
            "retorno recusado, nada foi importado: {}",
            e.join("; ")
        ))
    })?;
    let mut tx = db.begin().await?;
    // Register the file first: a concurrent import of the same file fails here.
    if !store::registrar_retorno(&mut tx, &sha, nome, &ator.ator, "[]", agora).await? {
        return Err(regra("este arquivo está sendo importado agora"));
    }
    let mut r = Relatorio {
        arquivo_sha256: sha.clone(),
        ..Relatorio::default()
    };
    for p in &pagamentos {
        r.itens
            .push(conciliar(&mut tx, p, "retorno", Some(&sha), ator, agora).await?);
    }
    let itens = serde_json::to_string(&r.itens).unwrap_or_default();
    persus_store::cobranca::registrar_relatorio(&mut tx, &sha, &itens).await?;
    tx.commit().await?;
    contar(&mut r);
    Ok(r)
}

/// A payment entered by ANS finance (a bank statement line, a judicial deposit…), reconciled
/// with the same rules as the return file.
pub async fn pagamento_manual(
    db: &Db,
    numero_gru: &str,
    valor: Centavos,
    pago_em: NaiveDate,
    ator: &Ator,
    agora: DateTime<Utc>,
) -> Result<ItemRelatorio, ServicoError> {
    let g = store::gru(db, numero_gru, None)
        .await?
        .ok_or_else(|| regra(format!("GRU {numero_gru} não encontrada")))?;
    if valor.value() <= 0 {
        return Err(regra("informe um valor pago maior que zero"));
    }
    let mut tx = db.begin().await?;
    let item = conciliar(
        &mut tx,
        &PagamentoLido {
            linha: 0,
            nosso_numero: g.nosso_numero,
            valor,
            pago_em,
        },
        "manual",
        None,
        ator,
        agora,
    )
    .await?;
    tx.commit().await?;
    Ok(item)
}

/// A CNAB 240 return for the given payments (the bank's side, for tests, the demo and
/// homologação): file header, lot header, T/U pairs, lot and file trailers.
pub fn cnab240_de(pagamentos: &[(String, Centavos, NaiveDate)], gerado: NaiveDate) -> String {
    let linha = |conteudo: String| format!("{conteudo:<240}")[..240].to_owned();
    let mut out = Vec::new();
    let mut h = format!("00100000{:<134}2{}", "", gerado.format("%d%m%Y"));
    h = linha(h);
    out.push(h);
    out.push(linha("00100011T".to_owned()));
    for (i, (nn, valor, data)) in pagamentos.iter().enumerate() {
        // 1–3 bank, 4–7 lot, 8 record type, 9–13 sequence, 14 segment, 16–17 movement (06 =
        // liquidação), 38–57 nosso número; U: 78–92 amount paid, 138–145 date of payment.
        let t = format!("00100013{:05}T 06{:<20}{nn:<20}", 2 * i + 1, "");
        let u = format!(
            "00100013{:05}U 06{:<60}{:015}{:<45}{}",
            2 * i + 2,
            "",
            valor.value(),
            "",
            data.format("%d%m%Y")
        );
        out.push(linha(t));
        out.push(linha(u));
    }
    out.push(linha("00100015".to_owned()));
    out.push(linha("00199999".to_owned()));
    out.join("\r\n") + "\r\n"
}
