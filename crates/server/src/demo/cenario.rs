//! The demo's story: two years of Ressarcimento ao SUS played through the real services.
//!
//! Twelve ABIs (one per type and competência quarter of the seeded data, launched every six
//! weeks from June 2025) are scheduled and published; operators read some notices and let the
//! others be presumed read; they impugn part of what they were notified with PDF evidence;
//! ANS decides at 1st instance, operators appeal, the DIDES director judges admissibility and
//! DICOL decides — each step on its own simulated date, through the same services the API and
//! the CLI use, so every rule, deadline and audit event is real. One more ABI stays scheduled.
//!
//! The story stops on [`DATA_DO_CENARIO`]; by then the oldest ABIs are fully decided and the
//! newest still await ciência, so every state of the lifecycle appears. From there the
//! server's scheduler moves time on.
//!
//! Which attendances are impugned, how each is decided, who reads a notice: drawn from the
//! seed and the attendance number or the (ABI, operator) pair, never from the order of work, so the same seed
//! tells the same story on SQLite and PostgreSQL. Every step acts only on rows still in the
//! state it expects, so an interrupted run is finished by running `persus demo` again.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{Duration, NaiveDate};
use persus_domain::calendar::CalendarioAns;
use persus_domain::deadline::PrazosVigentes;
use persus_domain::lifecycle::{DecisaoDicol, DecisaoPrimeiraInstancia, Evento, JuizoRecurso};
use persus_domain::money::{Centavos, Rounding};
use persus_store::auditoria::{self, Ator, Mudanca};
use persus_store::processos::{self, Processo};
use persus_store::{abis, meta, Db};
use serde::Serialize;

use super::rng::Rng;
use crate::servicos::decisoes::{
    decidir_evento, identidades, parcial, Contexto as ContextoDecisao, Instancia,
};
use crate::servicos::documentos::{enviar, ArmazenamentoLocal};
use crate::servicos::peticoes::{catalogo, protocolar_lote, Pedido, TipoPeticao};
use crate::servicos::publicacao::{publicar, Falha, UNIDADE_PADRAO};
use crate::servicos::relogio::{Relogio, RelogioFixo};
use crate::servicos::{agendador, ciencia, cobranca, ServicoError};

/// The day the story stops (a Thursday).
pub const DATA_DO_CENARIO: (i32, u32, u32) = (2026, 11, 19);
const META_KEY: &str = "demo_cenario";

/// An ABI of the story: number, type, competência quarter, launch date.
type AbiDaAgenda = (i32, &'static str, &'static str, (i32, u32, u32));

/// Launches on Tuesdays, six weeks apart; the last one is still in the future.
const AGENDA: [AbiDaAgenda; 13] = [
    (101, "AIH", "2T2024", (2025, 6, 10)),
    (102, "APAC", "2T2024", (2025, 7, 22)),
    (103, "AIH", "3T2024", (2025, 9, 2)),
    (104, "APAC", "3T2024", (2025, 10, 14)),
    (105, "AIH", "4T2024", (2025, 11, 25)),
    (106, "APAC", "4T2024", (2026, 1, 13)),
    (107, "AIH", "1T2025", (2026, 2, 24)),
    (108, "APAC", "1T2025", (2026, 4, 7)),
    (109, "AIH", "2T2025", (2026, 5, 19)),
    (110, "APAC", "2T2025", (2026, 6, 30)),
    (111, "AIH", "3T2025", (2026, 9, 15)),
    (112, "APAC", "3T2025", (2026, 11, 10)),
    (113, "AIH", "4T2025", (2027, 1, 12)),
];

/// The seven largest operators of the seeds' ranking impugn more.
const GRANDES: [&str; 7] = [
    "368253", "326305", "005711", "343889", "323080", "359017", "339679",
];

/// Steps of one ABI and their offset in days from its launch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Passo {
    Publicar,
    Ciencia,
    Impugnar,
    Decidir,
    Recorrer,
    Admissibilidade,
    Dicol,
}

impl Passo {
    const TODOS: [Passo; 7] = [
        Passo::Publicar,
        Passo::Ciencia,
        Passo::Impugnar,
        Passo::Decidir,
        Passo::Recorrer,
        Passo::Admissibilidade,
        Passo::Dicol,
    ];

    fn dias(self) -> i64 {
        match self {
            Passo::Publicar => 0,
            Passo::Ciencia => 3,
            // Presumed ciência on day 10, impugnação period of 30 days: well inside it.
            Passo::Impugnar => 24,
            Passo::Decidir => 60,
            // Decision notice presumed read on day 70; recurso period of 10 days.
            Passo::Recorrer => 74,
            Passo::Admissibilidade => 140,
            Passo::Dicol => 240,
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ResumoCenario {
    pub abis_publicados: usize,
    pub processos: usize,
    pub ciencias_expressas: usize,
    pub documentos: usize,
    pub impugnacoes: usize,
    pub recursos: usize,
    pub decisoes: usize,
    pub grus_pagas: usize,
    pub parcelamentos: usize,
}

fn data((y, m, d): (i32, u32, u32)) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// A number in 0..1000 fixed by the seed, a purpose and a key (attendance or NUP).
fn sorteio(seed: u64, proposito: u64, chave: &str) -> u64 {
    let h = chave.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    Rng::new(seed).fork(proposito ^ h).below(1000)
}

/// Grounds drawn for an impugnação, by weight (administrative grounds dominate, as in ANS's
/// reports: exclusion, carência and geographic coverage lead).
fn motivo(seed: u64, numero: &str) -> &'static str {
    const PESOS: [(&str, u64); 9] = [
        ("ADM01", 300),
        ("ADM03", 150),
        ("ADM05", 150),
        ("ADM06", 100),
        ("ADM08", 80),
        ("ADM09", 40),
        ("ADM02", 30),
        ("TEC01", 90),
        ("TEC02", 60),
    ];
    let mut x = sorteio(seed, 7, numero);
    for (m, p) in PESOS {
        if x < p {
            return m;
        }
        x -= p;
    }
    "ADM01"
}

/// A one-page PDF with the text of the evidence (what an operator would upload).
pub fn pdf_de_prova(titulo: &str, linhas: &[String]) -> Vec<u8> {
    let escapar = |s: &str| {
        s.chars()
            .filter(char::is_ascii)
            .collect::<String>()
            .replace('\\', "\\\\")
            .replace('(', "\\(")
            .replace(')', "\\)")
    };
    let mut texto = format!("BT /F1 14 Tf 56 780 Td ({}) Tj ET\n", escapar(titulo));
    for (i, l) in linhas.iter().enumerate() {
        texto.push_str(&format!(
            "BT /F1 10 Tf 56 {} Td ({}) Tj ET\n",
            750 - 16 * i as i32,
            escapar(l)
        ));
    }
    let objetos = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_owned(),
        format!("<< /Length {} >>\nstream\n{texto}endstream", texto.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
    ]
    .map(String::into_bytes);
    pdf_de_objetos(&objetos)
}

pub use crate::servicos::pdf_texto::pdf_de_objetos;

struct Contexto<'a> {
    db: &'a Db,
    seed: u64,
    calendario: CalendarioAns,
    prazos: PrazosVigentes,
    armazenamento: ArmazenamentoLocal,
    resumo: ResumoCenario,
}

/// Plays the story once; `None` when it had already been played on this database.
pub async fn encenar(
    db: &Db,
    seed: u64,
    raiz_documentos: &Path,
) -> Result<Option<ResumoCenario>, ServicoError> {
    if meta::get(db, META_KEY).await?.is_some() {
        return Ok(None);
    }
    let fim = data(DATA_DO_CENARIO);
    let mut ctx = Contexto {
        db,
        seed,
        calendario: CalendarioAns::padrao(),
        prazos: PrazosVigentes::padrao(),
        armazenamento: ArmazenamentoLocal {
            raiz: raiz_documentos.to_path_buf(),
        },
        resumo: ResumoCenario::default(),
    };
    agendar(&ctx).await?;
    selic_sintetica(db, fim).await?;

    let mut passos: Vec<(NaiveDate, Passo, i32)> = AGENDA
        .iter()
        .flat_map(|(numero, _, _, lancamento)| {
            Passo::TODOS
                .iter()
                .map(move |p| (data(*lancamento) + Duration::days(p.dias()), *p, *numero))
        })
        .filter(|(dia, _, _)| *dia <= fim)
        .collect();
    passos.sort();
    for (dia, passo, abi) in passos {
        tick(&ctx, dia).await?;
        pagar(&mut ctx, dia).await?;
        executar(&mut ctx, dia, passo, abi).await?;
    }
    tick(&ctx, fim).await?;
    pagar(&mut ctx, fim).await?;

    let mut tx = db.begin().await?;
    let resumo = serde_json::to_string(&ctx.resumo).unwrap_or_default();
    meta::set(&mut tx, META_KEY, &resumo, RelogioFixo::em(fim).agora()).await?;
    tx.commit().await?;
    tracing::info!(?ctx.resumo, "demo scenario played up to {fim}");
    Ok(Some(ctx.resumo))
}

/// The months of 2026 up to the story's end have no published SELIC in the embedded table; the
/// demo (homologação only) fills them with a synthetic rate, marked as such, so overdue debts can
/// be charged. A rate already there (imported) is kept.
async fn selic_sintetica(db: &Db, fim: NaiveDate) -> Result<(), ServicoError> {
    use chrono::Datelike;
    let tabela = cobranca::tabela_selic(db).await?;
    let mut csv = String::from("competencia;taxa_percentual;fonte\n");
    let mut n = 0;
    for m in 1..=fim.month() {
        if tabela.taxa(fim.year(), m).is_none() {
            csv.push_str(&format!(
                "{}-{m:02};1.16;SINTÉTICA (demonstração/homologação) — não é a taxa publicada\n",
                fim.year()
            ));
            n += 1;
        }
    }
    if n > 0 {
        cobranca::importar_selic(
            db,
            &csv,
            &Ator::sistema("persus demo"),
            RelogioFixo::em(fim).agora(),
        )
        .await?;
    }
    Ok(())
}

/// The operators' side of charging in the story: most debts are paid on time (a GRU issued and
/// paid the same day, through a bank return file), a few large ones are parcelled (and most
/// parcelamentos paid instalment by instalment, a few left in default), the rest left unpaid —
/// the scheduler takes those to CADIN and dívida ativa.
async fn pagar(ctx: &mut Contexto<'_>, dia: NaiveDate) -> Result<(), ServicoError> {
    let selic = cobranca::tabela_selic(ctx.db).await?;
    let agora = RelogioFixo::em(dia).agora();
    let rep = |op: &str| Ator {
        ator: format!("rep.{op}"),
        organizacao: op.to_owned(),
        aplicacao: None,
        request_id: None,
    };
    let mut pagamentos = Vec::new();
    for d in persus_store::cobranca::debitos_abertos(ctx.db).await? {
        if d.vencimento < dia || d.cadin_aviso_em.is_some() {
            continue;
        }
        // Keyed on what both databases agree on (ids and NUPs follow commit order).
        let s = sorteio(
            ctx.seed,
            11,
            &format!("{}:{}:{}", d.operadora, d.valor_centavos, d.vencimento),
        );
        if s < 820 {
            match cobranca::emitir_gru(
                ctx.db,
                &d.operadora,
                &[d.id],
                &[],
                &cobranca::Contexto {
                    hoje: dia,
                    agora,
                    calendario: &ctx.calendario,
                    selic: &selic,
                    ator: &rep(&d.operadora),
                },
            )
            .await
            {
                Ok(g) => pagamentos.push((g.nosso_numero, Centavos::new(g.valor_centavos), dia)),
                Err(ServicoError::Regra(_)) => {}
                Err(e) => return Err(e),
            }
        } else if s < 870 && d.valor_centavos >= 300_000 {
            let n = (d.valor_centavos / 100_000).clamp(1, 12) as u32;
            match cobranca::solicitar_parcelamento(
                ctx.db,
                &d.operadora,
                &[d.id],
                n,
                true,
                &cobranca::Contexto {
                    hoje: dia,
                    agora,
                    calendario: &ctx.calendario,
                    selic: &selic,
                    ator: &rep(&d.operadora),
                },
            )
            .await
            {
                Ok(_) => ctx.resumo.parcelamentos += 1,
                Err(ServicoError::Regra(_) | ServicoError::Invalido(_)) => {}
                Err(e) => return Err(e),
            }
        }
    }
    for id in persus_store::cobranca::parcelamentos_ativos(ctx.db).await? {
        if sorteio(ctx.seed, 13, &id.to_string()) < 150 {
            continue; // in default: the scheduler will rescind it
        }
        let Some((p, parcelas)) = persus_store::cobranca::parcelamento(ctx.db, id, None).await?
        else {
            continue;
        };
        for x in parcelas.iter().filter(|x| {
            x.estado == persus_domain::cobranca::estados::EstadoParcela::Aberta
                && x.vencimento <= dia + Duration::days(35)
        }) {
            match cobranca::emitir_gru_parcela(
                ctx.db,
                &p.operadora,
                id,
                x.numero,
                &cobranca::Contexto {
                    hoje: dia,
                    agora,
                    calendario: &ctx.calendario,
                    selic: &selic,
                    ator: &rep(&p.operadora),
                },
            )
            .await
            {
                Ok(g) => pagamentos.push((g.nosso_numero, Centavos::new(g.valor_centavos), dia)),
                Err(ServicoError::Regra(_)) => {}
                Err(e) => return Err(e),
            }
        }
    }
    if !pagamentos.is_empty() {
        let arquivo = cobranca::cnab240_de(&pagamentos, dia);
        let r = cobranca::importar_retorno(
            ctx.db,
            &format!("retorno-bb-{dia}.ret"),
            arquivo.as_bytes(),
            &Ator::sistema("ans.financeiro"),
            agora,
        )
        .await?;
        ctx.resumo.grus_pagas += r.conciliados;
    }
    Ok(())
}

async fn agendar(ctx: &Contexto<'_>) -> Result<(), ServicoError> {
    let existentes: Vec<i32> = abis::listar(ctx.db)
        .await?
        .iter()
        .map(|a| a.numero)
        .collect();
    for (numero, tipo, trimestre, lancamento) in AGENDA {
        if existentes.contains(&numero) {
            continue;
        }
        let abi = abis::Abi {
            numero,
            tipo: tipo.to_owned(),
            trimestre: trimestre.to_owned(),
            data_lancamento: data(lancamento),
            estado: persus_store::abis::EstadoAbi::Agendado,
            publicado_em: None,
        };
        // Scheduled about two months ahead of the launch.
        let quando = RelogioFixo::em(data(lancamento) - Duration::days(60)).agora();
        let mut tx = ctx.db.begin().await?;
        abis::agendar(&mut tx, &abi).await?;
        auditoria::registrar(
            &mut tx,
            &Ator::sistema("ans.admin"),
            Mudanca {
                acao: "abi.agendado",
                entidade: "abi",
                entidade_id: &numero.to_string(),
                antes: None,
                depois: serde_json::to_value(&abi).ok(),
            },
            quando,
        )
        .await?;
        tx.commit().await?;
    }
    Ok(())
}

async fn tick(ctx: &Contexto<'_>, dia: NaiveDate) -> Result<(), ServicoError> {
    let r = RelogioFixo::em(dia);
    agendador::executar(
        ctx.db,
        r.hoje(),
        &ctx.calendario,
        &ctx.prazos,
        &Ator::sistema("agendador"),
        r.agora(),
    )
    .await?;
    Ok(())
}

async fn executar(
    ctx: &mut Contexto<'_>,
    dia: NaiveDate,
    passo: Passo,
    abi: i32,
) -> Result<(), ServicoError> {
    if passo == Passo::Publicar {
        if abis::buscar(ctx.db, abi)
            .await?
            .is_some_and(|a| a.estado != persus_store::abis::EstadoAbi::Publicado)
        {
            let r = publicar(
                ctx.db,
                abi,
                UNIDADE_PADRAO,
                &RelogioFixo::em(dia),
                &Ator::sistema("ans.admin"),
                Falha::default(),
            )
            .await?;
            ctx.resumo.abis_publicados += 1;
            ctx.resumo.processos += r.processos_instaurados + r.processos_existentes;
        }
        return Ok(());
    }
    for p in processos::do_abi(ctx.db, abi).await? {
        match passo {
            Passo::Publicar => {}
            Passo::Ciencia => ler_oficio(ctx, dia, &p).await?,
            Passo::Impugnar => peticionar(ctx, dia, &p, TipoPeticao::Impugnacao).await?,
            Passo::Recorrer => peticionar(ctx, dia, &p, TipoPeticao::Recurso).await?,
            Passo::Decidir => decidir_processo(ctx, dia, &p, Instancia::Primeira).await?,
            Passo::Admissibilidade => {
                decidir_processo(ctx, dia, &p, Instancia::Admissibilidade).await?;
            }
            Passo::Dicol => decidir_processo(ctx, dia, &p, Instancia::Dicol).await?,
        }
    }
    Ok(())
}

/// 40% of operators open the Ofício ABI three days after it is available; the others' ciência
/// is presumed on the tenth day by the scheduler.
async fn ler_oficio(
    ctx: &mut Contexto<'_>,
    dia: NaiveDate,
    p: &Processo,
) -> Result<(), ServicoError> {
    // Keyed by ABI and operator, not by NUP: NUPs follow commit order, which concurrent
    // publication on PostgreSQL does not fix.
    if sorteio(ctx.seed, 1, &format!("{}:{}", p.abi_numero, p.operadora)) >= 400 {
        return Ok(());
    }
    let Some(oficio) = processos::notificacoes_do_processo(ctx.db, p.id)
        .await?
        .into_iter()
        .find(|n| n.tipo == persus_domain::acesso::TipoNotificacao::OficioAbi)
    else {
        return Ok(());
    };
    let r = RelogioFixo::em(dia);
    let quem = format!("rep.{}", p.operadora);
    let ator = Ator::sistema(&quem);
    let leitura = ciencia::Leitura {
        notificacao_id: oficio.id,
        operadora: &p.operadora,
        quem: &quem,
        ator: &ator,
        hoje: r.hoje(),
        agora: r.agora(),
    };
    let c = ciencia::registrar_expressa(ctx.db, &leitura, &ctx.calendario, &ctx.prazos).await?;
    if c.registrada_agora {
        ctx.resumo.ciencias_expressas += 1;
    }
    Ok(())
}

/// Impugnações (a share of the notified attendances, grouped by grounds: one petition per
/// process and grounds, with its PDF) or recursos (a share of what the 1st instance kept).
async fn peticionar(
    ctx: &mut Contexto<'_>,
    dia: NaiveDate,
    p: &Processo,
    tipo: TipoPeticao,
) -> Result<(), ServicoError> {
    let grande = GRANDES.contains(&p.operadora.as_str());
    let (estados, permil, proposito): (&[&str], u64, u64) = match tipo {
        TipoPeticao::Impugnacao => (&["notificado"], if grande { 300 } else { 150 }, 2),
        TipoPeticao::Recurso => (&["mantido", "retificado"], 450, 3),
    };
    let mut grupos: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    for a in processos::atendimentos_do_processo(ctx.db, p.id).await? {
        if estados.contains(&a.estado.as_str()) && sorteio(ctx.seed, proposito, &a.numero) < permil
        {
            grupos
                .entry(motivo(ctx.seed, &a.numero))
                .or_default()
                .push(a.numero);
        }
    }
    if grupos.is_empty() {
        return Ok(());
    }
    let r = RelogioFixo::em(dia);
    let quem = format!("rep.{}", p.operadora);
    let catalogo = catalogo();
    // One dossier per process and petition: the grounds, and the attendances under each.
    let mut linhas = vec![format!("Processo {}  -  Operadora {}", p.nup, p.operadora)];
    for (m, numeros) in &grupos {
        let nome = catalogo.get(*m).map_or(*m, |x| x.nome.as_str());
        linhas.push(format!("Motivo {m}: {nome}"));
        linhas.extend(numeros.iter().take(8).map(|n| format!("    {n}")));
    }
    linhas.truncate(44);
    let titulo = match tipo {
        TipoPeticao::Impugnacao => "Documentos de prova - impugnacao",
        TipoPeticao::Recurso => "Razoes de recurso",
    };
    let arquivo = format!("{}-{}.pdf", tipo.as_str(), p.nup);
    let doc = enviar(
        ctx.db,
        &ctx.armazenamento,
        &p.operadora,
        &arquivo,
        &pdf_de_prova(titulo, &linhas),
        &quem,
        r.agora(),
    )
    .await?;
    ctx.resumo.documentos += 1;
    let mut pedidos = Vec::new();
    for (m, numeros) in grupos {
        let nome = catalogo.get(m).map_or(m, |x| x.nome.as_str());
        let tecnico = m.starts_with("TEC");
        pedidos.push(Pedido {
            tipo,
            processo: p.nup.clone(),
            atendimentos: numeros,
            motivo: m.to_owned(),
            fundamentacao: match tipo {
                TipoPeticao::Impugnacao => format!(
                    "{nome}. A operadora demonstra, pelos documentos anexos, que o atendimento não é ressarcível."
                ),
                TipoPeticao::Recurso => format!(
                    "A decisão de 1ª instância não considerou a prova apresentada ({nome}); requer-se a reforma."
                ),
            },
            auditor: tecnico.then(|| format!("Auditor(a) médico(a) da operadora {} - CRM-RJ {}", p.operadora, 50_000 + sorteio(ctx.seed, 9, &p.operadora))),
            documentos: vec![doc.id],
        });
    }
    let resultado = protocolar_lote(
        ctx.db,
        &p.operadora,
        &pedidos,
        &crate::servicos::peticoes::Ocasiao {
            hoje: r.hoje(),
            agora: r.agora(),
            calendario: &ctx.calendario,
            prazos: &ctx.prazos,
            ator: &Ator::sistema(&quem),
        },
    )
    .await?;
    if let Some(e) = resultado.erros.first() {
        // The story only files what the rules accept; a refusal here is a bug in the story.
        return Err(ServicoError::Regra(format!(
            "cenário de demonstração: petição recusada no processo {}: {}",
            p.nup,
            e.erros.join("; ")
        )));
    }
    match tipo {
        TipoPeticao::Impugnacao => ctx.resumo.impugnacoes += resultado.recibos.len(),
        TipoPeticao::Recurso => ctx.resumo.recursos += resultado.recibos.len(),
    }
    Ok(())
}

/// What an instance decides for one attendance (15% of each queue stays for the analysts).
fn decisao(seed: u64, instancia: Instancia, numero: &str, valor: Centavos) -> Option<Evento> {
    let x = sorteio(seed, 4 + instancia as u64, numero);
    if x >= 850 {
        return None;
    }
    let parte = |num: i64| {
        valor
            .mul_ratio(num, 100, Rounding::HalfEven)
            .unwrap_or(valor)
    };
    Some(match instancia {
        Instancia::Primeira => Evento::DecisaoPrimeiraInstancia {
            decisao: if x < 250 {
                DecisaoPrimeiraInstancia::Deferida
            } else if x < 380 {
                DecisaoPrimeiraInstancia::ParcialmenteDeferida {
                    novo_valor: parte(60),
                }
            } else {
                DecisaoPrimeiraInstancia::Indeferida
            },
        },
        Instancia::Admissibilidade => Evento::JuizoAdmissibilidade {
            juizo: if x < 80 {
                JuizoRecurso::NaoConhecido {
                    motivo: "recurso sem a indicação do ponto da decisão que se pretende reformar"
                        .to_owned(),
                }
            } else if x < 200 {
                JuizoRecurso::ReconsideradoTotal
            } else if x < 250 {
                JuizoRecurso::ReconsideradoParcial {
                    novo_valor: parte(50),
                }
            } else {
                JuizoRecurso::EncaminhadoDicol
            },
        },
        Instancia::Dicol => Evento::DecisaoDicol {
            decisao: if x < 250 {
                DecisaoDicol::Provido
            } else if x < 330 {
                DecisaoDicol::ParcialmenteProvido {
                    novo_valor: parte(40),
                }
            } else {
                DecisaoDicol::NaoProvido
            },
        },
    })
}

fn fundamentacao(evento: &Evento) -> &'static str {
    match evento {
        Evento::DecisaoPrimeiraInstancia { decisao } => match decisao {
            DecisaoPrimeiraInstancia::Deferida => {
                "A prova documental afasta a cobrança: impugnação deferida."
            }
            DecisaoPrimeiraInstancia::ParcialmenteDeferida { .. } => {
                "Procedimentos secundários sem cobertura comprovada; valor retificado."
            }
            DecisaoPrimeiraInstancia::Indeferida => {
                "Os documentos não comprovam a alegação; a cobrança é mantida."
            }
        },
        Evento::JuizoAdmissibilidade { juizo } => match juizo {
            JuizoRecurso::NaoConhecido { .. } => {
                "Recurso não conhecido por ausência de requisito formal."
            }
            JuizoRecurso::ReconsideradoTotal => {
                "Reconsideração: a prova do recurso afasta a cobrança."
            }
            JuizoRecurso::ReconsideradoParcial { .. } => {
                "Reconsideração parcial; o restante segue à DICOL."
            }
            JuizoRecurso::EncaminhadoDicol => {
                "Recurso tempestivo e regular; mantida a decisão, encaminha-se à DICOL."
            }
        },
        _ => "Decisão colegiada da Diretoria.",
    }
}

/// One instance's work on one process: identical decisions together, partial ones singly.
async fn decidir_processo(
    ctx: &mut Contexto<'_>,
    dia: NaiveDate,
    p: &Processo,
    instancia: Instancia,
) -> Result<(), ServicoError> {
    let fila = instancia.estado_da_fila();
    let mut candidatos = Vec::new();
    for a in processos::atendimentos_do_processo(ctx.db, p.id).await? {
        if a.estado != fila {
            continue;
        }
        let valor = Centavos::new(a.valor_devido_centavos.unwrap_or_default());
        if let Some(evento) = decisao(ctx.seed, instancia, &a.numero, valor) {
            candidatos.push((a.id, evento));
        }
    }
    // Only identical cases are decided together: same event, same kind, same ground.
    let ids: Vec<i64> = candidatos.iter().map(|(id, _)| *id).collect();
    let identidades = identidades(ctx.db, instancia, &ids).await?;
    let mut grupos: BTreeMap<String, (Evento, Vec<i64>)> = BTreeMap::new();
    let mut parciais = Vec::new();
    for (id, evento) in candidatos {
        if parcial(&evento) {
            parciais.push((evento, vec![id]));
            continue;
        }
        let chave = identidades
            .iter()
            .find(|i| i.id == id)
            .map(|i| format!("{evento:?} {} {:?}", i.tipo, i.motivo))
            .unwrap_or_else(|| format!("{evento:?} {id}"));
        grupos
            .entry(chave)
            .or_insert_with(|| (evento, Vec::new()))
            .1
            .push(id);
    }
    let quem = match instancia {
        Instancia::Primeira => "ans.analista",
        Instancia::Admissibilidade => "ans.diretor",
        Instancia::Dicol => "ans.dicol",
    };
    let r = RelogioFixo::em(dia);
    let contexto = ContextoDecisao {
        db: ctx.db,
        relogio: &r,
        calendario: &ctx.calendario,
        prazos: &ctx.prazos,
    };
    for (evento, ids) in grupos.into_values().chain(parciais) {
        let d = decidir_evento(
            &contexto,
            instancia,
            &ids,
            &evento,
            fundamentacao(&evento),
            &Ator::sistema(quem),
        )
        .await?;
        ctx.resumo.decisoes += d.atendimentos;
    }
    Ok(())
}
