//! The full history of one attendance, as an operator or an ANS analyst reads it: the facts
//! (values, process, notices, petitions, documents, decisions) and a timeline in pt-BR built
//! from them, oldest first. An operator asking for another operator's attendance gets nothing.

use chrono::{Duration, NaiveDate};
use persus_domain::acesso::TipoNotificacao;
use persus_domain::ids::Nup;
use persus_domain::lifecycle::{Estado, FormaCiencia};
use persus_domain::money::Centavos;
use persus_domain::peticoes::{EstadoPeticao, TipoPeticao};
use persus_store::historico::{
    self as store, DecisaoDoAtendimento, DocumentoDaPeticao, Ficha, NotificacaoDoAtendimento,
    PeticaoDoAtendimento,
};
use persus_store::Db;
use serde::Serialize;

use super::decisoes::{Instancia, Resultado};
use super::relogio::data_em_brasilia;
use super::ServicoError;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Evento {
    pub data: NaiveDate,
    pub tipo: &'static str,
    pub descricao: String,
    /// Causal order of facts of the same day (a decision before its notice, a notice before
    /// its ciência).
    #[serde(skip)]
    ordem: u8,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Historico {
    pub atendimento: Ficha,
    pub situacao: &'static str,
    pub notificacoes: Vec<NotificacaoDoAtendimento>,
    pub peticoes: Vec<PeticaoDoAtendimento>,
    pub documentos: Vec<DocumentoDaPeticao>,
    pub decisoes: Vec<DecisaoDoAtendimento>,
    pub linha_do_tempo: Vec<Evento>,
}

/// The pt-BR name of a decision's instance code.
pub fn rotulo_instancia(codigo: &str) -> &'static str {
    match Instancia::parse(codigo) {
        Some(Instancia::Primeira) => "1ª instância",
        Some(Instancia::Admissibilidade) => "juízo de admissibilidade / reconsideração (DIDES)",
        Some(Instancia::Dicol) => "2ª instância (DICOL)",
        None => "instância não reconhecida",
    }
}

/// The pt-BR words for a decision's result code (as decisions and their notices store it), as
/// a phrase inside a sentence of the timeline.
pub fn rotulo_resultado(codigo: &str) -> &'static str {
    use Resultado::*;
    match Resultado::parse(codigo) {
        Some(Deferida) => "impugnação deferida",
        Some(ParcialmenteDeferida) => "impugnação parcialmente deferida",
        Some(Indeferida) => "impugnação indeferida",
        Some(NaoConhecido) => "recurso não conhecido",
        Some(ReconsideradoTotal) => "decisão reconsiderada",
        Some(ReconsideradoParcial) => "decisão reconsiderada em parte",
        Some(EncaminhadoDicol) => "mantida a decisão, encaminhado à DICOL",
        Some(Provido) => "recurso provido",
        Some(ParcialmenteProvido) => "recurso parcialmente provido",
        Some(NaoProvido) => "recurso não provido",
        None => "resultado não reconhecido",
    }
}

fn br(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// The attendance `numero` (AIH/APAC) with its history; `operadora` restricts to its own.
pub async fn consultar(
    db: &Db,
    numero: &str,
    operadora: Option<&str>,
) -> Result<Option<Historico>, ServicoError> {
    let Some(ficha) = store::ficha(db, numero.trim(), operadora).await? else {
        return Ok(None);
    };
    let peticoes = if ficha.tem_peticoes {
        store::peticoes(db, ficha.id).await?
    } else {
        Vec::new()
    };
    // Documents belong to petitions, and decisions (with their notices) answer protocolled ones:
    // an attendance never petitioned (most of them) costs one query, not five.
    let mut notificacoes: Vec<_> = ficha.oficio().into_iter().collect();
    let (documentos, decisoes) = if peticoes.is_empty() {
        (Vec::new(), Vec::new())
    } else {
        notificacoes.extend(store::notificacoes_de_decisao(db, ficha.id).await?);
        (
            store::documentos(db, ficha.id).await?,
            store::decisoes(db, ficha.id).await?,
        )
    };

    let mut ev = Vec::new();
    ev.push(Evento {
        data: data_em_brasilia(ficha.identificado_em),
        tipo: "identificacao",
        ordem: 0,
        descricao: format!(
            "Atendimento identificado no batimento: valor SUS {}, valor a ressarcir {} ({})",
            Centavos::new(ficha.valor_sus_centavos),
            Centavos::new(ficha.valor_ressarcimento_centavos),
            ficha.regra_valoracao
        ),
    });
    for n in &notificacoes {
        let (ordem, nome, disponibilizado) = match n.tipo {
            TipoNotificacao::OficioAbi => (1, "Ofício ABI", "disponibilizado"),
            TipoNotificacao::DecisaoPrimeiraInstancia => (
                5,
                "Notificação da decisão de 1ª instância",
                "disponibilizada",
            ),
            TipoNotificacao::DecisaoRecurso => {
                (5, "Notificação da decisão do recurso", "disponibilizada")
            }
        };
        let processo = ficha
            .nup
            .as_deref()
            .map(|n| Nup::parse(n).map_or_else(|_| n.to_owned(), |n| n.to_string()))
            .unwrap_or_else(|| "—".to_owned());
        ev.push(Evento {
            data: n.disponibilizada_em,
            tipo: "notificacao",
            ordem,
            descricao: format!("{nome} {disponibilizado} no processo {processo}"),
        });
        if let Some(c) = n.ciencia_em {
            let forma = match n.ciencia_forma.as_deref() {
                Some(f) => FormaCiencia::parse(f)
                    .ok_or_else(|| {
                        ServicoError::Interno(format!("forma de ciência desconhecida: {f}"))
                    })?
                    .rotulo(),
                None => FormaCiencia::Expressa.rotulo(),
            };
            let prazo = n
                .vencimento
                .map(|v| format!("; prazo até {}", br(v)))
                .unwrap_or_default();
            ev.push(Evento {
                data: c,
                tipo: "ciencia",
                ordem: ordem + 1,
                descricao: format!("Ciência {forma} — {nome}{prazo}"),
            });
        }
    }
    for p in peticoes
        .iter()
        .filter(|p| p.estado == EstadoPeticao::Protocolada)
    {
        let tipo = p.tipo.rotulo();
        ev.push(Evento {
            data: data_em_brasilia(p.protocolada_em.unwrap_or(p.criada_em)),
            tipo: "peticao",
            ordem: 3,
            descricao: format!(
                "{tipo} sob o nº {} (motivo {})",
                p.protocolo.as_deref().unwrap_or("—"),
                p.motivo
            ),
        });
    }
    for d in &decisoes {
        let valor = if d.valor_anterior == d.valor_novo {
            format!("valor {}", Centavos::new(d.valor_novo))
        } else {
            format!(
                "valor {} → {}",
                Centavos::new(d.valor_anterior),
                Centavos::new(d.valor_novo)
            )
        };
        ev.push(Evento {
            data: data_em_brasilia(d.decidido_em),
            tipo: "decisao",
            ordem: 4,
            descricao: format!(
                "Decisão — {}: {} ({valor})",
                rotulo_instancia(&d.instancia),
                rotulo_resultado(&d.resultado)
            ),
        });
    }
    if let Some(e) = decurso(&ficha, &notificacoes, &peticoes) {
        ev.push(e);
    }
    ev.sort_by_key(|e| (e.data, e.ordem));

    let situacao = ficha.estado.rotulo();
    Ok(Some(Historico {
        atendimento: ficha,
        situacao,
        notificacoes,
        peticoes,
        documentos,
        decisoes,
        linha_do_tempo: ev,
    }))
}

/// A period that ended without a petition (the scheduler's work): the day after the deadline.
fn decurso(
    ficha: &Ficha,
    notificacoes: &[NotificacaoDoAtendimento],
    peticoes: &[PeticaoDoAtendimento],
) -> Option<Evento> {
    if ficha.estado != Estado::Devido {
        return None;
    }
    let protocolou = |tipo: TipoPeticao| {
        peticoes
            .iter()
            .any(|p| p.tipo == tipo && p.estado == EstadoPeticao::Protocolada)
    };
    let venceu = |tipo: TipoNotificacao| {
        notificacoes
            .iter()
            .rev()
            .find(|n| n.tipo == tipo)
            .and_then(|n| n.vencimento)
    };
    let (vencimento, texto) = if !protocolou(TipoPeticao::Impugnacao) {
        (
            venceu(TipoNotificacao::OficioAbi)?,
            "Prazo de impugnação encerrado sem impugnação",
        )
    } else if !protocolou(TipoPeticao::Recurso) {
        (
            venceu(TipoNotificacao::DecisaoPrimeiraInstancia)?,
            "Prazo de recurso encerrado sem recurso",
        )
    } else {
        return None;
    };
    Some(Evento {
        data: vencimento + Duration::days(1),
        tipo: "decurso",
        ordem: 7,
        descricao: format!(
            "{texto}: valor devido {}",
            Centavos::new(
                ficha
                    .valor_devido_centavos
                    .unwrap_or(ficha.valor_ressarcimento_centavos)
            )
        ),
    })
}
