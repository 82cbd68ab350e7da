//! ANS decisions: 1st instance, recurso admissibility and reconsideration (DIDES director),
//! and DICOL. Each decision goes through the state machine, is recorded with the value before
//! and after, and is made available to the operator in a notice per process — the 1st-instance
//! notice's ciência opens the recurso period (RN 253/2011 art. 12).
//!
//! One decision may cover many attendances only when the cases are **identical** (see
//! [`identicos`]); a partial decision carries a value and is therefore taken one attendance at a
//! time. A decision over many is all-or-nothing: one attendance that the rules refuse refuses
//! the whole decision, naming it. The API and the web both decide through [`decidir`].

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use persus_domain::acesso::{Escopo, Papel, TipoNotificacao};
use persus_domain::calendar::CalendarioAns;
use persus_domain::deadline::PrazosVigentes;
use persus_domain::lifecycle::{
    aplicar, DecisaoDicol, DecisaoPrimeiraInstancia, Estado, Evento, JuizoRecurso, Regras,
};
use persus_domain::money::Centavos;
use persus_store::analise::{self, Identidade};
use persus_store::auditoria::{self, Ator, Mudanca};
use persus_store::peticoes::{self, NovaDecisao, Situacao};
use persus_store::Db;
use serde::Serialize;
use serde_json::json;

use super::peticoes::{ciclo_de, TipoPeticao};
use super::relogio::Relogio;
use super::{CampoInvalido, ServicoError};

persus_domain::rotulado! {
    /// Who decides: the analyst (1st instance), the DIDES director (admissibility and
    /// reconsideration of a recurso), or the collegiate board (DICOL, 2nd instance).
    pub enum Instancia {
        Primeira = ("primeira", "1ª instância"),
        Admissibilidade = ("admissibilidade", "Admissibilidade e reconsideração (DIDES)"),
        Dicol = ("dicol", "2ª instância (DICOL)"),
    }
}

impl Instancia {
    /// The state of the attendances waiting in this queue.
    pub fn estado_da_fila(self) -> Estado {
        match self {
            Instancia::Primeira => Estado::Impugnado,
            Instancia::Admissibilidade => Estado::EmRecurso,
            Instancia::Dicol => Estado::EmDicol,
        }
    }

    /// The petition that brings an attendance to this instance.
    pub fn tipo_peticao(self) -> TipoPeticao {
        match self {
            Instancia::Primeira => TipoPeticao::Impugnacao,
            Instancia::Admissibilidade | Instancia::Dicol => TipoPeticao::Recurso,
        }
    }

    /// The API scope that works this queue and decides it.
    pub fn escopo(self) -> Escopo {
        match self {
            Instancia::Primeira => Escopo::AnsDecisao,
            Instancia::Admissibilidade => Escopo::AnsDiretoria,
            Instancia::Dicol => Escopo::AnsDicol,
        }
    }

    /// The ANS roles whose scopes include [`Instancia::escopo`] (the admin aside).
    pub fn papeis(self) -> &'static [Papel] {
        match self {
            Instancia::Primeira => &[Papel::Analista, Papel::Diretor],
            Instancia::Admissibilidade => &[Papel::Diretor],
            Instancia::Dicol => &[Papel::Dicol],
        }
    }

    /// The results this instance may decide, in the order a form offers them.
    pub fn resultados(self) -> &'static [Resultado] {
        use Resultado::*;
        match self {
            Instancia::Primeira => &[Indeferida, Deferida, ParcialmenteDeferida],
            Instancia::Admissibilidade => &[
                EncaminhadoDicol,
                ReconsideradoTotal,
                ReconsideradoParcial,
                NaoConhecido,
            ],
            Instancia::Dicol => &[NaoProvido, Provido, ParcialmenteProvido],
        }
    }

    fn tipo_notificacao(self) -> TipoNotificacao {
        match self {
            Instancia::Primeira => TipoNotificacao::DecisaoPrimeiraInstancia,
            Instancia::Admissibilidade | Instancia::Dicol => TipoNotificacao::DecisaoRecurso,
        }
    }
}

persus_domain::rotulado! {
    /// The outcome of a decision, at each instance.
    pub enum Resultado {
        Indeferida = ("indeferida", "Indeferida (mantém o valor)"),
        Deferida = ("deferida", "Deferida (anula a cobrança)"),
        ParcialmenteDeferida = ("parcialmente_deferida", "Parcialmente deferida (novo valor)"),
        EncaminhadoDicol = ("encaminhado_dicol", "Mantida a decisão — encaminhado à DICOL"),
        ReconsideradoTotal = ("reconsiderado_total", "Reconsiderada totalmente (anula a cobrança)"),
        ReconsideradoParcial = ("reconsiderado_parcial", "Reconsiderada em parte (novo valor; o restante segue à DICOL)"),
        NaoConhecido = ("nao_conhecido", "Recurso não conhecido"),
        NaoProvido = ("nao_provido", "Recurso não provido (mantém o valor)"),
        Provido = ("provido", "Recurso provido (anula a cobrança)"),
        ParcialmenteProvido = ("parcialmente_provido", "Recurso parcialmente provido (novo valor)"),
    }
}

impl Resultado {
    pub fn instancia(self) -> Instancia {
        use Resultado::*;
        match self {
            Indeferida | Deferida | ParcialmenteDeferida => Instancia::Primeira,
            EncaminhadoDicol | ReconsideradoTotal | ReconsideradoParcial | NaoConhecido => {
                Instancia::Admissibilidade
            }
            NaoProvido | Provido | ParcialmenteProvido => Instancia::Dicol,
        }
    }

    /// A result that changes the value: it needs the new value and is decided singly.
    pub fn parcial(self) -> bool {
        matches!(
            self,
            Resultado::ParcialmenteDeferida
                | Resultado::ReconsideradoParcial
                | Resultado::ParcialmenteProvido
        )
    }

    fn de(evento: &Evento) -> Option<Resultado> {
        use Resultado::*;
        Some(match evento {
            Evento::DecisaoPrimeiraInstancia { decisao } => match decisao {
                DecisaoPrimeiraInstancia::Deferida => Deferida,
                DecisaoPrimeiraInstancia::ParcialmenteDeferida { .. } => ParcialmenteDeferida,
                DecisaoPrimeiraInstancia::Indeferida => Indeferida,
            },
            Evento::JuizoAdmissibilidade { juizo } => match juizo {
                JuizoRecurso::NaoConhecido { .. } => NaoConhecido,
                JuizoRecurso::ReconsideradoTotal => ReconsideradoTotal,
                JuizoRecurso::ReconsideradoParcial { .. } => ReconsideradoParcial,
                JuizoRecurso::EncaminhadoDicol => EncaminhadoDicol,
            },
            Evento::DecisaoDicol { decisao } => match decisao {
                DecisaoDicol::Provido => Provido,
                DecisaoDicol::ParcialmenteProvido { .. } => ParcialmenteProvido,
                DecisaoDicol::NaoProvido => NaoProvido,
            },
            _ => return None,
        })
    }
}

/// A decision as a person (or an integrator) asks for it: typed, before it meets the rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PedidoDecisao {
    pub instancia: Instancia,
    pub resultado: Resultado,
    /// AIH/APAC numbers.
    pub atendimentos: Vec<String>,
    pub fundamentacao: String,
    /// The new value, for a partial result.
    pub novo_valor: Option<Centavos>,
    /// Why a recurso is not admitted (for [`Resultado::NaoConhecido`]).
    pub motivo: Option<String>,
}

/// The lifecycle event of a request, or the fields to correct (in pt-BR, by field).
pub fn evento(p: &PedidoDecisao) -> Result<Evento, ServicoError> {
    if p.resultado.instancia() != p.instancia {
        return Err(ServicoError::campo(
            "resultado",
            format!(
                "«{}» não é uma decisão da {}: escolha uma das decisões desta instância",
                p.resultado.rotulo(),
                p.instancia.rotulo()
            ),
        ));
    }
    let novo_valor = || {
        p.novo_valor.ok_or_else(|| {
            ServicoError::campo(
                "novo_valor",
                format!(
                    "informe o novo valor para a decisão «{}»",
                    p.resultado.rotulo()
                ),
            )
        })
    };
    use Resultado::*;
    Ok(match p.resultado {
        Deferida => Evento::DecisaoPrimeiraInstancia {
            decisao: DecisaoPrimeiraInstancia::Deferida,
        },
        Indeferida => Evento::DecisaoPrimeiraInstancia {
            decisao: DecisaoPrimeiraInstancia::Indeferida,
        },
        ParcialmenteDeferida => Evento::DecisaoPrimeiraInstancia {
            decisao: DecisaoPrimeiraInstancia::ParcialmenteDeferida {
                novo_valor: novo_valor()?,
            },
        },
        NaoConhecido => Evento::JuizoAdmissibilidade {
            juizo: JuizoRecurso::NaoConhecido {
                motivo: p.motivo.clone().unwrap_or_default().trim().to_owned(),
            },
        },
        ReconsideradoTotal => Evento::JuizoAdmissibilidade {
            juizo: JuizoRecurso::ReconsideradoTotal,
        },
        ReconsideradoParcial => Evento::JuizoAdmissibilidade {
            juizo: JuizoRecurso::ReconsideradoParcial {
                novo_valor: novo_valor()?,
            },
        },
        EncaminhadoDicol => Evento::JuizoAdmissibilidade {
            juizo: JuizoRecurso::EncaminhadoDicol,
        },
        Provido => Evento::DecisaoDicol {
            decisao: DecisaoDicol::Provido,
        },
        NaoProvido => Evento::DecisaoDicol {
            decisao: DecisaoDicol::NaoProvido,
        },
        ParcialmenteProvido => Evento::DecisaoDicol {
            decisao: DecisaoDicol::ParcialmenteProvido {
                novo_valor: novo_valor()?,
            },
        },
    })
}

/// What a decision needs besides the request: the store, the clock and the rule tables.
#[derive(Clone, Copy)]
pub struct Contexto<'a> {
    pub db: &'a Db,
    pub relogio: &'a dyn Relogio,
    pub calendario: &'a CalendarioAns,
    pub prazos: &'a PrazosVigentes,
}

/// The analysis queue of an instance, oldest first.
pub async fn fila(
    db: &Db,
    instancia: Instancia,
    limite: i64,
) -> Result<Vec<Situacao>, ServicoError> {
    Ok(peticoes::situacoes_no_estado(db, instancia.estado_da_fila().as_str(), limite).await?)
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ResultadoDecisao {
    pub atendimentos: usize,
    pub notificacoes: Vec<i64>,
    /// (AIH/APAC number, state after the decision), in the order asked.
    pub para: Vec<(String, Estado)>,
}

/// A decision that changes the value (taken one attendance at a time).
pub fn parcial(evento: &Evento) -> bool {
    Resultado::de(evento).is_some_and(Resultado::parcial)
}

/// The minimum length of a decision's fundamentação (persus's own choice: a decision states
/// its reasons; ten characters refuses an empty or placeholder text).
pub const FUNDAMENTACAO_MINIMA: usize = 10;

/// Decides what `pedido` asks, by AIH/APAC numbers: the one use case behind `POST
/// /api/v1/decisoes` and the analysts' web forms.
pub async fn decidir(
    ctx: &Contexto<'_>,
    pedido: &PedidoDecisao,
    ator: &Ator,
) -> Result<ResultadoDecisao, ServicoError> {
    let mut erros = Vec::new();
    let evento = match evento(pedido) {
        Ok(e) => Some(e),
        Err(ServicoError::Invalido(c)) => {
            erros.extend(c);
            None
        }
        Err(e) => return Err(e),
    };
    if let Err(ServicoError::Invalido(c)) = validar_forma(
        pedido.atendimentos.len(),
        &pedido.fundamentacao,
        pedido.resultado.parcial(),
    ) {
        erros.extend(c);
    }
    if !erros.is_empty() {
        return Err(ServicoError::Invalido(erros));
    }
    let Some(evento) = evento else {
        return Err(ServicoError::Invalido(erros));
    };
    let numeros: Vec<String> = pedido
        .atendimentos
        .iter()
        .map(|n| n.trim().to_owned())
        .collect();
    let ids = persus_store::historico::ids_por_numero(ctx.db, &numeros).await?;
    let faltam: Vec<&str> = numeros
        .iter()
        .filter(|n| !ids.iter().any(|(m, _)| m == *n))
        .map(String::as_str)
        .collect();
    if !faltam.is_empty() {
        return Err(ServicoError::campo(
            "atendimentos",
            format!("atendimentos não encontrados: {}", faltam.join(", ")),
        ));
    }
    let ids: Vec<i64> = numeros
        .iter()
        .filter_map(|n| ids.iter().find(|(m, _)| m == n).map(|(_, id)| *id))
        .collect();
    decidir_evento(
        ctx,
        pedido.instancia,
        &ids,
        &evento,
        &pedido.fundamentacao,
        ator,
    )
    .await
}

fn validar_forma(n: usize, fundamentacao: &str, parcial: bool) -> Result<(), ServicoError> {
    let mut erros = Vec::new();
    if fundamentacao.trim().chars().count() < FUNDAMENTACAO_MINIMA {
        erros.push(CampoInvalido::new(
            "fundamentacao",
            format!(
                "informe a fundamentação da decisão (ao menos {FUNDAMENTACAO_MINIMA} caracteres)"
            ),
        ));
    }
    if n == 0 {
        erros.push(CampoInvalido::new(
            "atendimentos",
            "marque ao menos um atendimento",
        ));
    }
    if parcial && n > 1 {
        erros.push(CampoInvalido::new(
            "atendimentos",
            "decisão parcial altera o valor: decida um atendimento por vez",
        ));
    }
    if erros.is_empty() {
        Ok(())
    } else {
        Err(ServicoError::Invalido(erros))
    }
}

/// Cases are **identical** — and may be decided by one decision — when they are of the same
/// kind (AIH or APAC) and the petition that brought each of them to the instance (the
/// impugnação at the 1st instance, the recurso after it) was protocolled on the same ground:
/// the same ground asks for the same outcome, on the same kind of evidence. Returns the
/// pt-BR reason when they are not.
pub fn identicos(casos: &[Identidade]) -> Result<(), String> {
    let Some(primeiro) = casos.first() else {
        return Ok(());
    };
    if casos.len() == 1 {
        return Ok(());
    }
    let nome = |m: &Option<String>| m.clone().unwrap_or_else(|| "sem petição".to_owned());
    for c in &casos[1..] {
        if c.tipo != primeiro.tipo {
            return Err(format!(
                "só casos idênticos são decididos juntos: {} é {} e {} é {}; decida-os separadamente",
                primeiro.numero, primeiro.tipo, c.numero, c.tipo
            ));
        }
        if c.motivo.is_none() || c.motivo != primeiro.motivo {
            return Err(format!(
                "só casos idênticos são decididos juntos: o motivo da petição de {} ({}) não é o de {} ({}); decida-os separadamente",
                primeiro.numero,
                nome(&primeiro.motivo),
                c.numero,
                nome(&c.motivo)
            ));
        }
    }
    Ok(())
}

/// The identity of each attendance for a decision of `instancia` (what [`identicos`] compares).
pub async fn identidades(
    db: &Db,
    instancia: Instancia,
    ids: &[i64],
) -> Result<Vec<Identidade>, ServicoError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut tx = db.begin().await?;
    let v = analise::identidades(&mut tx, ids, instancia.tipo_peticao().as_str()).await?;
    tx.commit().await?;
    Ok(v)
}

/// Decides attendances `ids` with one lifecycle `evento` of `instancia` (the demo and the
/// tests decide by event; people through [`decidir`]). The same checks apply: the event is of
/// the instance, a partial one covers one attendance, the cases are identical, and the
/// lifecycle allows it for every one of them.
pub async fn decidir_evento(
    ctx: &Contexto<'_>,
    instancia: Instancia,
    ids: &[i64],
    evento: &Evento,
    fundamentacao: &str,
    ator: &Ator,
) -> Result<ResultadoDecisao, ServicoError> {
    let resultado = Resultado::de(evento)
        .filter(|r| r.instancia() == instancia)
        .ok_or_else(|| {
            ServicoError::campo(
                "resultado",
                format!("esta decisão não é da {}", instancia.rotulo()),
            )
        })?;
    validar_forma(ids.len(), fundamentacao, parcial(evento))?;
    let (hoje, agora) = (ctx.relogio.hoje(), ctx.relogio.agora());
    let regras = Regras {
        calendario: ctx.calendario,
        prazos: ctx.prazos,
    };
    let mut tx = ctx.db.begin().await?;
    let mut planos = Vec::with_capacity(ids.len());
    let mut erros = Vec::new();
    for id in ids {
        let Some(s) = peticoes::situacao(&mut tx, *id).await? else {
            return Err(ServicoError::NaoEncontrado(format!("O atendimento {id}")));
        };
        let ciclo = ciclo_de(&s).map_err(ServicoError::Interno)?;
        match aplicar(&ciclo, evento, &regras) {
            Ok(t) => planos.push((s, ciclo.valor, t)),
            Err(v) => erros.push(format!("atendimento {}: {v}", s.numero)),
        }
    }
    if !erros.is_empty() {
        return Err(ServicoError::Regra(erros.join("; ")));
    }
    if ids.len() > 1 {
        let casos = analise::identidades(&mut tx, ids, instancia.tipo_peticao().as_str()).await?;
        identicos(&casos).map_err(ServicoError::Regra)?;
    }
    let escrita = Escrita {
        instancia,
        resultado,
        fundamentacao,
        ator,
        hoje,
        agora,
    };
    let notificacoes = escrita.gravar(&mut tx, &planos).await?;
    tx.commit().await?;
    Ok(ResultadoDecisao {
        atendimentos: planos.len(),
        notificacoes,
        para: planos
            .iter()
            .map(|(s, _, t)| (s.numero.clone(), t.para))
            .collect(),
    })
}

type Plano = (Situacao, Centavos, persus_domain::lifecycle::Transicao);

/// Writing one accepted decision: per process, a notice, each attendance's new state and
/// decision row, the webhook event and the audit event.
struct Escrita<'a> {
    instancia: Instancia,
    resultado: Resultado,
    fundamentacao: &'a str,
    ator: &'a Ator,
    hoje: NaiveDate,
    agora: DateTime<Utc>,
}

impl Escrita<'_> {
    async fn gravar(
        &self,
        tx: &mut persus_store::Tx,
        planos: &[Plano],
    ) -> Result<Vec<i64>, ServicoError> {
        let (instancia, resultado) = (self.instancia.as_str(), self.resultado.as_str());
        let tipo_notificacao = self.instancia.tipo_notificacao().as_str();
        let mut por_processo: BTreeMap<i64, Vec<&Plano>> = BTreeMap::new();
        for p in planos {
            let processo = p.0.processo_id.ok_or_else(|| {
                ServicoError::Regra(format!(
                    "o atendimento {} não está em um processo",
                    p.0.numero
                ))
            })?;
            por_processo.entry(processo).or_default().push(p);
        }
        let mut notificacoes = Vec::new();
        for (processo_id, grupo) in &por_processo {
            let numeros: Vec<&str> = grupo.iter().map(|p| p.0.numero.as_str()).collect();
            let conteudo = json!({
                "documento": "Decisão",
                "instancia": instancia,
                "resultado": resultado,
                "fundamentacao": self.fundamentacao,
                "atendimentos": numeros,
            });
            let notificacao = peticoes::inserir_notificacao(
                tx,
                *processo_id,
                tipo_notificacao,
                self.hoje,
                &conteudo,
            )
            .await?;
            notificacoes.push(notificacao);
            for (s, antes, t) in grupo {
                peticoes::atualizar_atendimentos(
                    tx,
                    &[(s.id, t.para.as_str(), t.ciclo.valor.value())],
                )
                .await?;
                peticoes::inserir_decisao(
                    tx,
                    &NovaDecisao {
                        atendimento_id: s.id,
                        instancia,
                        resultado,
                        valor_anterior: antes.value(),
                        valor_novo: t.ciclo.valor.value(),
                        fundamentacao: self.fundamentacao,
                        por: &self.ator.ator,
                        em: self.agora,
                        notificacao_id: notificacao,
                    },
                )
                .await?;
                if matches!(t.para, Estado::Retificado | Estado::Mantido) {
                    peticoes::definir_notificacao_decisao(tx, s.id, notificacao).await?;
                }
            }
            persus_store::webhooks::registrar_evento(
                tx,
                grupo.first().map(|p| p.0.operadora.as_str()),
                persus_domain::eventos::TipoEvento::DecisaoPublicada,
                &json!({
                    "notificacao": notificacao, "tipo": tipo_notificacao, "instancia": instancia,
                    "resultado": resultado, "atendimentos": numeros, "disponibilizada_em": self.hoje,
                }),
                self.agora,
            )
            .await?;
            auditoria::registrar(
                tx,
                self.ator,
                Mudanca {
                    acao: "decisao.publicada",
                    entidade: "notificacao",
                    entidade_id: &notificacao.to_string(),
                    antes: None,
                    depois: Some(json!({
                        "instancia": instancia, "resultado": resultado,
                        "atendimentos": grupo.iter().map(|p| p.0.id).collect::<Vec<_>>(),
                        "para": grupo.iter().map(|p| p.2.para.as_str()).collect::<Vec<_>>(),
                    })),
                },
                self.agora,
            )
            .await?;
        }
        Ok(notificacoes)
    }
}
