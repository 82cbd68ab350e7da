//! Charging: debts constituted when attendances become due, GRUs issued over them (one per due
//! date, with the late charges of their regime), payments reconciled from the bank's CNAB 240
//! return file or entered by ANS finance.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use persus_domain::calendar::CalendarioAns;
use persus_domain::cobranca::boleto::{campo_livre_bb, nosso_numero, Boleto, BANCO_DO_BRASIL};
use persus_domain::cobranca::estados::{
    EstadoDebito, EstadoGru, EstadoParcela, EstadoParcelamento, SituacaoPagamento,
};
pub use persus_domain::cobranca::retorno::{cnab240_de, ler_cnab240, PagamentoLido};
use persus_domain::cobranca::retorno::{conferir_pagamento, GruConferida};
use persus_domain::cobranca::{encargos, vencimento_da_gru, TabelaSelic, PISO_COBRANCA};
use persus_domain::eventos::TipoEvento;
use persus_domain::money::Centavos;
use persus_store::auditoria::{self, Ator, Mudanca};
use persus_store::cobranca::{self as store, Gru, MarcoCobranca, Pagamento};
use persus_store::Db;
use serde::Serialize;
use serde_json::json;

use super::ServicoError;

pub mod posicao;

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

/// When and by whom a charging action happens, and the tables it computes with.
#[derive(Clone, Copy)]
pub struct Contexto<'a> {
    /// Today in Brasília.
    pub hoje: NaiveDate,
    pub agora: DateTime<Utc>,
    pub calendario: &'a CalendarioAns,
    pub selic: &'a TabelaSelic,
    pub ator: &'a Ator,
}

/// What the operator is told through its webhooks about a change of the collection path.
struct Aviso<'a> {
    operadora: &'a str,
    tipo: TipoEvento,
    dados: serde_json::Value,
}

/// Every change of the collection path leaves two records in its own transaction: the audit
/// event and the outbound event the operator's webhooks receive (so either both exist or the
/// change did not happen).
async fn registrar_e_avisar(
    tx: &mut persus_store::Tx,
    ator: &Ator,
    mudanca: Mudanca<'_>,
    aviso: Aviso<'_>,
    agora: DateTime<Utc>,
) -> Result<(), ServicoError> {
    auditoria::registrar(tx, ator, mudanca, agora).await?;
    persus_store::webhooks::registrar_evento(
        tx,
        Some(aviso.operadora),
        aviso.tipo,
        &aviso.dados,
        agora,
    )
    .await?;
    Ok(())
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

/// A new GRU — next number, nosso número, barcode — with its composition `memoria`, stored.
async fn inserir_gru(
    tx: &mut persus_store::Tx,
    operadora: &str,
    vencimento: NaiveDate,
    valor: Centavos,
    memoria: &serde_json::Value,
    ctx: &Contexto<'_>,
) -> Result<Gru, ServicoError> {
    let seq = store::proxima_sequencia(tx, "gru").await?;
    let nn = nosso_numero(CONVENIO_ANS, seq as u64).map_err(regra)?;
    let boleto = Boleto::novo(
        BANCO_DO_BRASIL,
        vencimento,
        valor,
        &campo_livre_bb(&nn, CARTEIRA).map_err(regra)?,
    )
    .map_err(regra)?;
    let mut gru = Gru {
        id: 0,
        numero: numero_gru(seq),
        nosso_numero: nn,
        operadora: operadora.to_owned(),
        vencimento,
        valor_centavos: valor.value(),
        codigo_barras: boleto.codigo_de_barras(),
        linha_digitavel: boleto.linha_digitavel(),
        estado: EstadoGru::Emitida,
        memoria: memoria.to_string(),
        emitida_em: ctx.agora,
        emitida_por: ctx.ator.ator.clone(),
        paga_em: None,
        valor_pago_centavos: None,
    };
    gru.id = store::inserir_gru(tx, &gru).await?;
    Ok(gru)
}

/// Issues a GRU over the operator's chosen debts, offsetting the chosen credits.
pub async fn emitir_gru(
    db: &Db,
    operadora: &str,
    debitos: &[i64],
    creditos: &[i64],
    ctx: &Contexto<'_>,
) -> Result<Gru, ServicoError> {
    let Contexto {
        hoje,
        agora,
        calendario,
        selic,
        ator,
    } = *ctx;
    if debitos.is_empty() {
        return Err(ServicoError::campo(
            "debitos",
            "selecione ao menos um débito",
        ));
    }
    let ids = posicao::sem_repetir(debitos);
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
        if d.estado != EstadoDebito::Aberto {
            erros.push(format!("débito {} está {}", d.id, d.estado.rotulo()));
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
    let bruto = Centavos::sum(linhas.iter().map(|l| l.total)).map_err(|e| regra(e.to_string()))?;
    let disponiveis = store::creditos_disponiveis(&mut tx, operadora, hoje).await?;
    let mut usados = Vec::new();
    for c in creditos {
        match disponiveis.iter().find(|d| d.id == *c) {
            Some(d) => usados.push(d.clone()),
            None => erros.push(format!("crédito {c} não encontrado ou já usado")),
        }
    }
    if !erros.is_empty() {
        return Err(regra(erros.join("; ")));
    }
    let abatido: i64 = usados.iter().map(|c| c.valor_centavos).sum();
    if abatido >= bruto.value() {
        return Err(regra(format!(
            "os créditos escolhidos ({}) cobrem o total de {bruto}: escolha menos créditos ou mais débitos",
            Centavos::new(abatido)
        )));
    }
    let total = Centavos::new(bruto.value() - abatido);
    if total < PISO_COBRANCA {
        return Err(regra(format!(
            "o total {total} fica abaixo do mínimo de cobrança de {PISO_COBRANCA} (RN 533/2022): \
             o valor se acumula até ultrapassá-lo"
        )));
    }
    let memoria = json!({
        "linhas": linhas, "selic": selic.versao(), "bruto_centavos": bruto.value(),
        "creditos": usados.iter().map(|c| json!({ "credito": c.id, "valor_centavos": c.valor_centavos, "origem": c.origem })).collect::<Vec<_>>(),
    });
    let gru = inserir_gru(&mut tx, operadora, vencimento, total, &memoria, ctx).await?;
    for c in &usados {
        store::usar_credito(&mut tx, c.id, gru.id).await?;
    }
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
    registrar_e_avisar(
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
        Aviso {
            operadora,
            tipo: TipoEvento::GruEmitida,
            dados: json!({ "gru": gru.numero, "vencimento": vencimento, "valor_centavos": total.value(),
                     "linha_digitavel": gru.linha_digitavel, "debitos": ids }),
        },
        agora,
    )
    .await?;
    tx.commit().await?;
    Ok(gru)
}

/// What importing a return file did: counts per outcome and each payment line.
#[derive(Clone, Debug, Default, Serialize, utoipa::ToSchema)]
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

/// One payment as reconciled (a line of the return file, or a manual payment: line 0).
#[derive(Clone, Debug, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ItemRelatorio {
    pub linha: usize,
    pub nosso_numero: String,
    pub gru: Option<String>,
    pub valor_pago_centavos: i64,
    #[schema(value_type = String)]
    pub situacao: SituacaoPagamento,
    pub observacao: String,
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
            SituacaoPagamento::SemGru,
            "nosso número sem GRU emitida pela ANS: devolver ou identificar".to_owned(),
            false,
        ),
        Some(g) if g.estado == EstadoGru::Cancelada => (
            SituacaoPagamento::GruInativa,
            format!(
                "GRU {} estava cancelada: pagamento sinalizado, não baixado",
                g.numero
            ),
            false,
        ),
        Some(g) if g.estado == EstadoGru::Paga => (
            SituacaoPagamento::GruInativa,
            format!(
                "GRU {} já estava paga: pagamento em duplicidade a devolver",
                g.numero
            ),
            false,
        ),
        Some(g) if p.pago_em > g.vencimento => (
            SituacaoPagamento::GruInativa,
            format!(
                "GRU {} paga em {} após o vencimento {}: não é aceita; reemitir com encargos",
                g.numero,
                p.pago_em.format("%d/%m/%Y"),
                g.vencimento.format("%d/%m/%Y")
            ),
            false,
        ),
        Some(g) if p.valor.value() < g.valor_centavos => (
            SituacaoPagamento::Divergente,
            format!(
                "pagamento parcial: {} de {}; falta {} — a GRU continua em aberto",
                p.valor,
                Centavos::new(g.valor_centavos),
                Centavos::new(g.valor_centavos - p.valor.value())
            ),
            false,
        ),
        Some(g) if p.valor.value() > g.valor_centavos => (
            SituacaoPagamento::Conciliado,
            format!(
                "pago a maior: excedente de {} fica como crédito da operadora",
                Centavos::new(p.valor.value() - g.valor_centavos)
            ),
            true,
        ),
        Some(_) => (
            SituacaoPagamento::Conciliado,
            "valor exato".to_owned(),
            true,
        ),
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
            situacao,
            observacao: observacao.clone(),
            registrado_em: agora,
            registrado_por: ator.ator.clone(),
        },
    )
    .await?;
    if let (true, Some(g)) = (quitar, &gru) {
        store::quitar_gru(tx, g.id, p.pago_em, p.valor.value()).await?;
        let excedente = p.valor.value() - g.valor_centavos;
        if excedente > 0 {
            store::criar_credito(
                tx,
                &g.operadora,
                excedente,
                &format!(
                    "pagamento a maior da GRU {} em {}",
                    g.numero,
                    p.pago_em.format("%d/%m/%Y")
                ),
                agora,
            )
            .await?;
        }
        registrar_e_avisar(
            tx,
            ator,
            Mudanca {
                acao: "gru.paga",
                entidade: "gru",
                entidade_id: &g.numero,
                antes: Some(json!({ "estado": g.estado.as_str() })),
                depois: Some(json!({ "estado": "paga", "pago_em": p.pago_em,
                    "valor_pago_centavos": p.valor.value(), "origem": origem })),
            },
            Aviso {
                operadora: &g.operadora,
                tipo: TipoEvento::PagamentoConfirmado,
                dados: json!({ "gru": g.numero, "pago_em": p.pago_em, "valor_centavos": p.valor.value() }),
            },
            agora,
        )
        .await?;
    }
    Ok(ItemRelatorio {
        linha: p.linha,
        nosso_numero: p.nosso_numero.clone(),
        gru: gru.map(|g| g.numero),
        valor_pago_centavos: p.valor.value(),
        situacao,
        observacao,
    })
}

/// The report of a return file already imported, by its SHA-256 (the page an import
/// redirects to).
pub async fn retorno_importado(db: &Db, sha256: &str) -> Result<Relatorio, ServicoError> {
    let gravado = store::relatorio_do_retorno(db, sha256)
        .await?
        .ok_or_else(|| ServicoError::NaoEncontrado("O arquivo de retorno".to_owned()))?;
    let itens = serde_json::from_str(&gravado)
        .map_err(|e| ServicoError::Interno(format!("relatório do retorno {sha256}: {e}")))?;
    let mut r = Relatorio {
        itens,
        arquivo_sha256: sha256.to_owned(),
        ja_importado: true,
        ..Relatorio::default()
    };
    contar(&mut r);
    Ok(r)
}

fn contar(r: &mut Relatorio) {
    for i in &r.itens {
        match i.situacao {
            SituacaoPagamento::Conciliado => r.conciliados += 1,
            SituacaoPagamento::Divergente => r.divergentes += 1,
            SituacaoPagamento::SemGru => r.sem_gru += 1,
            SituacaoPagamento::GruInativa => r.gru_inativa += 1,
        }
    }
}

/// What the payment checks need of a GRU: its amount and the civil day it was issued.
fn gru_conferida(g: &Gru) -> GruConferida {
    GruConferida {
        valor: Centavos::new(g.valor_centavos),
        emitida_em: super::relogio::data_em_brasilia(g.emitida_em),
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
    // Every payment must be possible before any is booked (all or nothing).
    let hoje = super::relogio::data_em_brasilia(agora);
    let mut erros = Vec::new();
    for p in &pagamentos {
        let gru = store::gru_por_nosso_numero(&mut tx, &p.nosso_numero).await?;
        let conferida = gru.as_ref().map(gru_conferida);
        for e in conferir_pagamento(p, conferida.as_ref(), hoje) {
            erros.push(format!("linha {}: {e}", p.linha_valor));
        }
    }
    if !erros.is_empty() {
        return Err(regra(format!(
            "retorno recusado, nada foi importado: {}",
            erros.join("; ")
        )));
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
        .ok_or_else(|| ServicoError::NaoEncontrado(format!("GRU {numero_gru}")))?;
    if valor.value() <= 0 {
        return Err(regra("informe um valor pago maior que zero"));
    }
    let p = PagamentoLido {
        linha: 0,
        linha_valor: 0,
        nosso_numero: g.nosso_numero.clone(),
        valor,
        pago_em,
        creditado_em: None,
    };
    let erros = conferir_pagamento(
        &p,
        Some(&gru_conferida(&g)),
        super::relogio::data_em_brasilia(agora),
    );
    if !erros.is_empty() {
        return Err(regra(format!(
            "pagamento recusado, nada foi registrado: {}",
            erros.join("; ")
        )));
    }
    let mut tx = db.begin().await?;
    let item = conciliar(&mut tx, &p, "manual", None, ator, agora).await?;
    tx.commit().await?;
    Ok(item)
}

/// The SELIC table in force: the stored rates (seeded from the embedded file, extended by ANS's
/// imports), versioned by the instant of the last import.
pub async fn tabela_selic(db: &Db) -> Result<TabelaSelic, ServicoError> {
    let (linhas, ultima) = store::selic(db).await?;
    if linhas.is_empty() {
        return Ok(TabelaSelic::padrao());
    }
    let versao = ultima.map_or_else(
        || "selic".to_owned(),
        |u| format!("selic@{}", u.to_rfc3339()),
    );
    Ok(TabelaSelic::from_linhas(
        &versao,
        linhas.into_iter().map(|(a, m, t)| (a, m as u32, t)),
    ))
}

/// Seeds the embedded rates (never overwriting an imported one). Returns the rows written.
pub async fn semear_selic(db: &Db, agora: DateTime<Utc>) -> Result<usize, ServicoError> {
    let embutida = TabelaSelic::padrao();
    let mut tx = db.begin().await?;
    let mut n = 0;
    for ((a, m), t) in embutida.meses() {
        n += usize::from(
            store::gravar_selic(
                &mut tx,
                &store::TaxaSelic {
                    ano: a,
                    mes: m as i32,
                    taxa_centesimos: t,
                    fonte: "tabela RFB embutida (data/selic.csv)",
                    por: "persus",
                    em: agora,
                },
                false,
            )
            .await?,
        );
    }
    tx.commit().await?;
    Ok(n)
}

/// ANS finance imports published SELIC rates (`competencia;taxa_percentual;fonte`): every line
/// checked first, then all written in one transaction (a month already there is replaced and
/// the replacement audited).
pub async fn importar_selic(
    db: &Db,
    csv: &str,
    ator: &Ator,
    agora: DateTime<Utc>,
) -> Result<usize, ServicoError> {
    let nova = TabelaSelic::from_csv("importacao", csv).map_err(|e| {
        regra(format!(
            "tabela SELIC recusada, nada foi gravado: {}",
            e.join("; ")
        ))
    })?;
    if nova.meses().next().is_none() {
        return Err(regra(
            "o arquivo não tem nenhuma taxa (competencia;taxa_percentual;fonte)",
        ));
    }
    let fontes: std::collections::HashMap<String, String> = csv
        .lines()
        .filter_map(|l| {
            let c: Vec<&str> = l.split(';').collect();
            (c.len() >= 3).then(|| (c[0].trim().to_owned(), c[2].trim().to_owned()))
        })
        .collect();
    let mut tx = db.begin().await?;
    let mut n = 0;
    for ((a, m), t) in nova.meses() {
        let chave = format!("{a}-{m:02}");
        let fonte = fontes
            .get(&chave)
            .cloned()
            .unwrap_or_else(|| "importação".to_owned());
        let taxa = store::TaxaSelic {
            ano: a,
            mes: m as i32,
            taxa_centesimos: t,
            fonte: &fonte,
            por: &ator.ator,
            em: agora,
        };
        store::gravar_selic(&mut tx, &taxa, true).await?;
        n += 1;
    }
    auditoria::registrar(
        &mut tx,
        ator,
        Mudanca {
            acao: "selic.importada",
            entidade: "selic",
            entidade_id: &nova
                .ultimo_mes()
                .map(|(a, m)| format!("{a}-{m:02}"))
                .unwrap_or_default(),
            antes: None,
            depois: Some(json!({ "meses": n })),
        },
        agora,
    )
    .await?;
    tx.commit().await?;
    Ok(n)
}

/// The text the operator confirms when requesting a parcelamento: an irrevocable confession of
/// the consolidated debt (RN 4/2002; gov.br parcelamento service).
pub fn texto_confissao(
    operadora: &str,
    consolidado: Centavos,
    parcelas: u32,
    hoje: NaiveDate,
) -> String {
    format!(
        "A operadora de registro ANS {operadora} confessa, de forma irrevogável e irretratável, \
         o débito consolidado de {consolidado} em {}, relativo ao ressarcimento ao SUS \
         (Lei 9.656/1998, art. 32), e requer seu parcelamento em {parcelas} parcela(s) mensal(is), \
         nos termos da RN 4/2002 com a redação da RN 248/2010. O inadimplemento de três parcelas, \
         consecutivas ou não, ou de uma parcela estando pagas as demais, implica a rescisão e a \
         cobrança imediata do saldo.",
        hoje.format("%d/%m/%Y")
    )
}

/// A granted plan: its number, the consolidated amount, the instalments and the confession.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ParcelamentoConcedido {
    pub id: i64,
    #[schema(value_type = i64)]
    pub consolidado: Centavos,
    pub parcelas: Vec<persus_domain::cobranca::Parcela>,
    pub confissao: String,
}

/// Grants a parcelamento over open debts: consolidated with charges to today, instalments
/// planned, debts `parcelado` (out of CADIN), the confession recorded — all in one transaction.
pub async fn solicitar_parcelamento(
    db: &Db,
    operadora: &str,
    debitos: &[i64],
    n: u32,
    confissao_aceita: bool,
    ctx: &Contexto<'_>,
) -> Result<ParcelamentoConcedido, ServicoError> {
    let Contexto {
        hoje,
        agora,
        calendario,
        selic,
        ator,
    } = *ctx;
    if !confissao_aceita {
        return Err(ServicoError::campo(
            "confissao",
            "o pedido de parcelamento é confissão irrevogável do débito: confirme a confissão (\"confissao\": true na API)",
        ));
    }
    let ids = posicao::sem_repetir(debitos);
    let mut tx = db.begin().await?;
    let achados = store::debitos(&mut tx, operadora, &ids).await?;
    let consolidacao = posicao::consolidar(&ids, &achados, hoje, selic)?;
    let mut erros = Vec::new();
    for id in &ids {
        if let Some(g) = store::gru_aberta_do_debito(&mut tx, *id, hoje).await? {
            erros.push(format!("débito {id} está na GRU {g}, ainda pagável"));
        }
    }
    if !erros.is_empty() {
        return Err(regra(erros.join("; ")));
    }
    let memoria = consolidacao.memoria();
    let consolidado = consolidacao.total;
    let plano = persus_domain::cobranca::simular_parcelamento(consolidado, n, hoje, calendario)
        .map_err(|m| ServicoError::campo("parcelas", m))?;
    let confissao = texto_confissao(operadora, consolidado, n, hoje);
    let id = store::criar_parcelamento(
        &mut tx,
        &store::Parcelamento {
            id: 0,
            operadora: operadora.to_owned(),
            consolidado_centavos: consolidado.value(),
            parcelas: n as i32,
            concedido_em: hoje,
            estado: EstadoParcelamento::Ativo,
            confissao: confissao.clone(),
            memoria: serde_json::to_string(&json!({ "debitos": memoria, "selic": selic.versao() }))
                .unwrap_or_default(),
            solicitado_por: ator.ator.clone(),
            solicitado_em: agora,
            rescindido_em: None,
            saldo_rescisao_centavos: None,
        },
    )
    .await?;
    for p in &plano {
        store::criar_parcela(&mut tx, id, p.numero as i32, p.vencimento, p.base.value()).await?;
    }
    store::parcelar_debitos(&mut tx, id, &ids, hoje).await?;
    registrar_e_avisar(
        &mut tx,
        ator,
        Mudanca {
            acao: "parcelamento.concedido",
            entidade: "parcelamento",
            entidade_id: &id.to_string(),
            antes: None,
            depois: Some(json!({ "operadora": operadora, "debitos": ids, "consolidado_centavos": consolidado.value(),
                                 "parcelas": n, "confissao": confissao })),
        },
        Aviso {
            operadora,
            tipo: TipoEvento::ParcelamentoConcedido,
            dados: json!({ "parcelamento": id, "consolidado_centavos": consolidado.value(), "parcelas": n }),
        },
        agora,
    )
    .await?;
    tx.commit().await?;
    Ok(ParcelamentoConcedido {
        id,
        consolidado,
        parcelas: plano,
        confissao,
    })
}

/// Issues the GRU of one instalment: its base plus SELIC to the month before payment and 1% in
/// the payment month, due on the instalment's date (or, if that passed, the last business day
/// of this month).
pub async fn emitir_gru_parcela(
    db: &Db,
    operadora: &str,
    parcelamento_id: i64,
    numero: i32,
    ctx: &Contexto<'_>,
) -> Result<Gru, ServicoError> {
    let Contexto {
        hoje,
        agora,
        calendario,
        selic,
        ator,
    } = *ctx;
    let (p, parcelas) = store::parcelamento(db, parcelamento_id, Some(operadora))
        .await?
        .ok_or_else(|| ServicoError::NaoEncontrado(format!("Parcelamento {parcelamento_id}")))?;
    if p.estado != EstadoParcelamento::Ativo {
        return Err(regra(format!(
            "o parcelamento {parcelamento_id} está {}",
            p.estado.rotulo()
        )));
    }
    let parcela = parcelas
        .iter()
        .find(|x| x.numero == numero)
        .ok_or_else(|| regra(format!("parcela {numero} não existe (1 a {})", p.parcelas)))?;
    if parcela.estado != EstadoParcela::Aberta {
        return Err(regra(format!(
            "a parcela {numero} já está {}",
            parcela.estado.rotulo()
        )));
    }
    let mut tx = db.begin().await?;
    if let Some(g) = store::gru_aberta_da_parcela(&mut tx, parcelamento_id, numero, hoje).await? {
        return Err(regra(format!(
            "a parcela {numero} já tem a GRU {g}, ainda pagável"
        )));
    }
    let vencimento = vencimento_da_gru(parcela.vencimento, hoje, calendario);
    let (valor, pct, memoria) = persus_domain::cobranca::valor_da_parcela(
        Centavos::new(parcela.base_centavos),
        p.concedido_em,
        vencimento,
        selic,
    )
    .map_err(regra)?;
    let memoria = json!({
        "linhas": [{ "processo": format!("Parcelamento {parcelamento_id}, parcela {numero}/{}", p.parcelas),
                     "principal": parcela.base_centavos, "multa": 0, "juros": valor.value() - parcela.base_centavos,
                     "total": valor.value(), "juros_percentual_centesimos": pct, "memoria": memoria }],
        "selic": selic.versao(),
    });
    let gru = inserir_gru(&mut tx, operadora, vencimento, valor, &memoria, ctx).await?;
    store::ligar_parcela(&mut tx, gru.id, parcelamento_id, numero).await?;
    registrar_e_avisar(
        &mut tx,
        ator,
        Mudanca {
            acao: "gru.emitida",
            entidade: "gru",
            entidade_id: &gru.numero,
            antes: None,
            depois: Some(json!({ "parcelamento": parcelamento_id, "parcela": numero, "vencimento": vencimento,
                                 "valor_centavos": valor.value() })),
        },
        Aviso {
            operadora,
            tipo: TipoEvento::GruEmitida,
            dados: json!({ "gru": gru.numero, "vencimento": vencimento, "valor_centavos": valor.value(),
                     "linha_digitavel": gru.linha_digitavel, "parcelamento": parcelamento_id, "parcela": numero }),
        },
        agora,
    )
    .await?;
    tx.commit().await?;
    Ok(gru)
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ResumoCobranca {
    pub parcelamentos_rescindidos: usize,
    pub avisos_cadin: usize,
    pub inclusoes_cadin: usize,
    pub encaminhados_divida_ativa: usize,
}

/// The collection path, run by the scheduler: parcelamentos in default are rescinded (their
/// balance becomes a debt due at once); unpaid debts get the CADIN prior notice, then inclusion,
/// then referral to dívida ativa — each once, dated, audited and announced.
pub async fn cobrar(
    db: &Db,
    hoje: NaiveDate,
    prazos: &persus_domain::cobranca::PrazosCobranca,
    ator: &Ator,
    agora: DateTime<Utc>,
) -> Result<ResumoCobranca, ServicoError> {
    let mut r = ResumoCobranca::default();
    for id in store::parcelamentos_ativos(db).await? {
        let Some((p, parcelas)) = store::parcelamento(db, id, None).await? else {
            continue;
        };
        let vencidas = parcelas
            .iter()
            .filter(|x| x.estado == EstadoParcela::Aberta && x.vencimento < hoje)
            .count() as u32;
        let pagas = parcelas
            .iter()
            .filter(|x| x.estado == EstadoParcela::Paga)
            .count() as u32;
        if !persus_domain::cobranca::rescinde(vencidas, pagas, p.parcelas as u32) {
            continue;
        }
        let mut tx = db.begin().await?;
        let novo = store::rescindir(&mut tx, id, hoje, agora).await?;
        registrar_e_avisar(
            &mut tx,
            ator,
            Mudanca {
                acao: "parcelamento.rescindido",
                entidade: "parcelamento",
                entidade_id: &id.to_string(),
                antes: Some(json!({ "estado": "ativo" })),
                depois: Some(
                    json!({ "estado": "rescindido", "parcelas_vencidas": vencidas, "pagas": pagas,
                                     "novo_debito": novo, "regra": "Lei 10.522/2002 art. 14-B" }),
                ),
            },
            Aviso {
                operadora: &p.operadora,
                tipo: TipoEvento::ParcelamentoRescindido,
                dados: json!({ "parcelamento": id, "novo_debito": novo }),
            },
            agora,
        )
        .await?;
        tx.commit().await?;
        r.parcelamentos_rescindidos += 1;
    }
    let passos: [(MarcoCobranca, TipoEvento, &str, i64); 3] = [
        (
            MarcoCobranca::AvisoCadin,
            TipoEvento::CadinAviso,
            "aviso prévio de inclusão no CADIN (Lei 10.522/2002 art. 2 §2)",
            prazos.aviso_cadin_apos_vencimento_dias,
        ),
        (
            MarcoCobranca::InclusaoCadin,
            TipoEvento::CadinIncluido,
            "inclusão no CADIN (Lei 10.522/2002 art. 2)",
            prazos.inclusao_cadin_apos_aviso_dias,
        ),
        (
            MarcoCobranca::DividaAtiva,
            TipoEvento::DividaAtivaEncaminhado,
            "encaminhamento à Procuradoria para inscrição em dívida ativa",
            prazos.divida_ativa_apos_cadin_dias,
        ),
    ];
    for (marco, evento, descricao, dias) in passos {
        let ate = hoje - Duration::days(dias);
        let alvos = match marco {
            MarcoCobranca::AvisoCadin => store::sem_aviso_cadin(db, ate).await?,
            MarcoCobranca::InclusaoCadin => store::a_incluir_no_cadin(db, ate).await?,
            MarcoCobranca::DividaAtiva => store::a_encaminhar_a_divida_ativa(db, ate).await?,
        };
        for d in alvos {
            let mut tx = db.begin().await?;
            if !store::marcar_cobranca(&mut tx, d.id, marco, hoje).await? {
                continue;
            }
            registrar_e_avisar(
                &mut tx,
                ator,
                Mudanca {
                    acao: evento.as_str(),
                    entidade: "debito",
                    entidade_id: &d.id.to_string(),
                    antes: None,
                    depois: Some(
                        json!({ "em": hoje, "processo": d.nup, "valor_centavos": d.valor_centavos,
                                         "descricao": descricao, "regras": prazos.versao }),
                    ),
                },
                Aviso {
                    operadora: &d.operadora,
                    tipo: evento,
                    dados: json!({ "debito": d.id, "processo": d.nup, "em": hoje, "valor_centavos": d.valor_centavos,
                             "descricao": descricao }),
                },
                agora,
            )
            .await?;
            tx.commit().await?;
            match marco {
                MarcoCobranca::AvisoCadin => r.avisos_cadin += 1,
                MarcoCobranca::InclusaoCadin => r.inclusoes_cadin += 1,
                MarcoCobranca::DividaAtiva => r.encaminhados_divida_ativa += 1,
            }
        }
    }
    Ok(r)
}

/// One line of a GRU's composition as recorded when it was issued.
#[derive(Clone, Debug, serde::Deserialize)]
pub struct LinhaComposicao {
    pub processo: String,
    pub principal: i64,
    #[serde(default)]
    pub multa: i64,
    #[serde(default)]
    pub juros: i64,
    pub total: i64,
    #[serde(default)]
    pub memoria: Vec<String>,
}

/// The composition of a GRU (one line per debt, or the instalment), with the computation of
/// each line as recorded when it was issued.
pub fn composicao(g: &Gru) -> Result<Vec<LinhaComposicao>, ServicoError> {
    #[derive(serde::Deserialize)]
    struct Memoria {
        linhas: Vec<LinhaComposicao>,
    }
    serde_json::from_str::<Memoria>(&g.memoria)
        .map(|m| m.linhas)
        .map_err(|e| ServicoError::Interno(format!("composição da GRU {}: {e}", g.numero)))
}
