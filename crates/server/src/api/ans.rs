//! ANS endpoints: the analysis queues and decisions at every instance, through the lifecycle
//! engine (`servicos::decisoes`). For an operator's token they do not exist (404); an ANS
//! application needs the scope of the instance's role (`auth::escopos_do_papel_ans`):
//! `ans.decisao` for the 1st instance (analyst), `ans.diretoria` for admissibility and
//! reconsideration (DIDES director), `ans.dicol` for DICOL.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use persus_domain::lifecycle::{DecisaoDicol, DecisaoPrimeiraInstancia, Evento, JuizoRecurso};
use persus_domain::money::Centavos;
use serde::Deserialize;

use super::{Cliente, Consulta, Idempotencia};
use crate::app::AppState;
use crate::problem::Problem;
use crate::servicos::decisoes::{decidir, fila as fila_de, Instancia};

fn somente_ans(c: &Cliente) -> Result<(), Problem> {
    if !c.ans() {
        return Err(Problem::not_found("Recurso"));
    }
    Ok(())
}

/// The scope of the role that works the instance's queue and decides it.
fn escopo_da(i: Instancia) -> &'static str {
    match i {
        Instancia::Primeira => "ans.decisao",
        Instancia::Admissibilidade => "ans.diretoria",
        Instancia::Dicol => "ans.dicol",
    }
}

fn instancia(s: &str) -> Result<Instancia, Problem> {
    match s {
        "primeira" => Ok(Instancia::Primeira),
        "admissibilidade" => Ok(Instancia::Admissibilidade),
        "dicol" => Ok(Instancia::Dicol),
        outra => Err(Problem::invalid(format!(
            "instância \"{outra}\" inválida: use primeira, admissibilidade ou dicol"
        ))),
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct Limite {
    #[param(minimum = 1, maximum = 1000)]
    pub limite: Option<i64>,
}

/// `GET /api/v1/filas/{instancia}?limite=`: attendances waiting for that instance, oldest
/// first (`primeira`: impugnados; `admissibilidade`: em recurso; `dicol`: na DICOL).
#[utoipa::path(
    get, path = "/api/v1/filas/{instancia}", tag = "ans",
    summary = "Fila de análise de uma instância (mais antigos primeiro)",
    description = "Os atendimentos que aguardam decisão na instância, do mais antigo ao mais novo (a ordem de análise): primeira (impugnados), admissibilidade (em recurso, DIDES) ou dicol (na Diretoria Colegiada). Só a ANS.",
    params(("instancia" = String, Path, description = "Instância: primeira (impugnações), admissibilidade (recursos, DIDES) ou dicol (recursos, DICOL)", example = "primeira"), Limite),
    responses(
        (status = 200, body = super::esquemas::Fila),
        super::respostas::CaminhoIlegivel, super::respostas::SoDaAns, super::respostas::Invalido, super::respostas::ComToken,
    ),
    security(("bearer" = ["ans.decisao"]), ("oauth2" = ["ans.decisao"]), ("bearer" = ["ans.diretoria"]), ("oauth2" = ["ans.diretoria"]), ("bearer" = ["ans.dicol"]), ("oauth2" = ["ans.dicol"]))
)]
pub async fn fila(
    State(app): State<AppState>,
    cliente: Cliente,
    Path(nome): Path<String>,
    Consulta(l): Consulta<Limite>,
) -> Result<Response, Problem> {
    somente_ans(&cliente)?;
    let i = instancia(&nome)?;
    cliente.exigir(escopo_da(i))?;
    let limite = l.limite.unwrap_or(100);
    if !(1..=1000).contains(&limite) {
        return Err(Problem::invalid(format!(
            "limite {limite} inválido: use de 1 a 1000"
        )));
    }
    let itens: Vec<_> = fila_de(&app.db, i, limite)
        .await
        .map_err(Problem::from)?
        .into_iter()
        .map(|s| super::esquemas::ItemFila {
            numero: s.numero,
            tipo: s.tipo,
            operadora: s.operadora,
            estado: s.estado,
            valor_devido_centavos: s.valor_devido_centavos,
        })
        .collect();
    Ok(Json(super::esquemas::Fila {
        instancia: nome,
        itens,
    })
    .into_response())
}

/// The body of `POST /api/v1/decisoes`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NovaDecisao {
    pub instancia: String,
    /// `primeira`: deferida | parcialmente_deferida | indeferida;
    /// `admissibilidade`: nao_conhecido | reconsiderado_total | reconsiderado_parcial | encaminhado_dicol;
    /// `dicol`: provido | parcialmente_provido | nao_provido.
    pub resultado: String,
    pub atendimentos: Vec<String>,
    pub fundamentacao: String,
    /// For the partial results: the new amount, in centavos.
    #[serde(default)]
    pub novo_valor_centavos: Option<i64>,
    /// For `nao_conhecido`: why (intempestivo, falta de requisito…).
    #[serde(default)]
    pub motivo: Option<String>,
}

pub(crate) fn evento(d: &NovaDecisao) -> Result<Evento, String> {
    let valor = || {
        d.novo_valor_centavos
            .map(Centavos::new)
            .ok_or_else(|| format!("o resultado {} exige novo_valor_centavos", d.resultado))
    };
    Ok(match (d.instancia.as_str(), d.resultado.as_str()) {
        ("primeira", "deferida") => Evento::DecisaoPrimeiraInstancia {
            decisao: DecisaoPrimeiraInstancia::Deferida,
        },
        ("primeira", "indeferida") => Evento::DecisaoPrimeiraInstancia {
            decisao: DecisaoPrimeiraInstancia::Indeferida,
        },
        ("primeira", "parcialmente_deferida") => Evento::DecisaoPrimeiraInstancia {
            decisao: DecisaoPrimeiraInstancia::ParcialmenteDeferida {
                novo_valor: valor()?,
            },
        },
        ("admissibilidade", "nao_conhecido") => Evento::JuizoAdmissibilidade {
            juizo: JuizoRecurso::NaoConhecido {
                motivo: d.motivo.clone().unwrap_or_default(),
            },
        },
        ("admissibilidade", "reconsiderado_total") => Evento::JuizoAdmissibilidade {
            juizo: JuizoRecurso::ReconsideradoTotal,
        },
        ("admissibilidade", "reconsiderado_parcial") => Evento::JuizoAdmissibilidade {
            juizo: JuizoRecurso::ReconsideradoParcial {
                novo_valor: valor()?,
            },
        },
        ("admissibilidade", "encaminhado_dicol") => Evento::JuizoAdmissibilidade {
            juizo: JuizoRecurso::EncaminhadoDicol,
        },
        ("dicol", "provido") => Evento::DecisaoDicol {
            decisao: DecisaoDicol::Provido,
        },
        ("dicol", "nao_provido") => Evento::DecisaoDicol {
            decisao: DecisaoDicol::NaoProvido,
        },
        ("dicol", "parcialmente_provido") => Evento::DecisaoDicol {
            decisao: DecisaoDicol::ParcialmenteProvido {
                novo_valor: valor()?,
            },
        },
        (i, r) => return Err(format!("resultado \"{r}\" não existe na instância \"{i}\"")),
    })
}

/// `POST /api/v1/decisoes`: one decision over one or many attendances (identical cases
/// together; a partial one singly). All-or-nothing; a notice per process.
#[utoipa::path(
    post, path = "/api/v1/decisoes", tag = "ans",
    summary = "Decide um ou mais atendimentos numa instância (tudo ou nada; uma notificação por processo)",
    description = "Decide um ou mais atendimentos numa instância, tudo ou nada: se um não puder ser decidido, nenhum é, e a resposta diz por quê. Publica uma notificação por processo (que abre prazo de recurso, na 1ª instância) e o evento decisao.publicada. Só a ANS.",
    params(("Idempotency-Key" = Option<String>, Header)),
    request_body(content = NovaDecisao),
    responses(
        (status = 201, body = super::esquemas::DecisaoPublicada),
        super::respostas::SoDaAns, super::respostas::Invalido, super::respostas::CorpoGrande, super::respostas::ComToken,
    ),
    security(("bearer" = ["ans.decisao"]), ("oauth2" = ["ans.decisao"]), ("bearer" = ["ans.diretoria"]), ("oauth2" = ["ans.diretoria"]), ("bearer" = ["ans.dicol"]), ("oauth2" = ["ans.dicol"]))
)]
pub async fn decisao(
    State(app): State<AppState>,
    cliente: Cliente,
    idem: Idempotencia,
    corpo: Bytes,
) -> Response {
    if let Err(p) = somente_ans(&cliente) {
        return p.into_response();
    }
    let app2 = app.clone();
    let c2 = cliente.clone();
    let bytes = corpo.clone();
    idem.executar(&app, &cliente, &corpo, || async move {
        let falha = Problem::em_par;
        let d: NovaDecisao = match crate::erros::ler_json(&bytes) {
            Ok(d) => d,
            Err(p) => return falha(p),
        };
        let inst = match instancia(&d.instancia) {
            Ok(i) => i,
            Err(p) => return falha(p),
        };
        if let Err(p) = c2.exigir(escopo_da(inst)) {
            return falha(p);
        }
        let ev = match evento(&d) {
            Ok(e) => e,
            Err(m) => return falha(Problem::invalid(m)),
        };
        let ids = match persus_store::historico::ids_por_numero(&app2.db, &d.atendimentos).await {
            Ok(v) => v,
            Err(e) => return falha(Problem::from(e)),
        };
        let faltam: Vec<&String> = d
            .atendimentos
            .iter()
            .filter(|n| !ids.iter().any(|(m, _)| m == *n))
            .collect();
        if !faltam.is_empty() {
            return falha(Problem::invalid(format!(
                "atendimentos não encontrados: {}",
                faltam
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        let ator = c2.ator();
        let r = &*app2.relogio;
        match decidir(
            &app2.db,
            inst,
            &ids.iter().map(|(_, id)| *id).collect::<Vec<_>>(),
            &ev,
            &d.fundamentacao,
            r.hoje(),
            r.agora(),
            &app2.regras.calendario,
            &app2.regras.prazos,
            &ator,
        )
        .await
        {
            Ok(res) => (
                StatusCode::CREATED,
                serde_json::to_value(super::esquemas::DecisaoPublicada {
                    atendimentos: res.atendimentos,
                    notificacoes: res.notificacoes,
                    resultado: ids
                        .iter()
                        .zip(&res.para)
                        .map(|((n, _), (_, e))| super::esquemas::AtendimentoDecidido {
                            numero: n.clone(),
                            estado: e.as_str().to_owned(),
                        })
                        .collect(),
                })
                .unwrap_or_default(),
            ),
            Err(e) => falha(Problem::from(e)),
        }
    })
    .await
}

/// One ABI with its progress.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct AbiSituacao {
    pub numero: i32,
    pub tipo: String,
    pub trimestre: String,
    pub data_lancamento: chrono::NaiveDate,
    /// agendado, publicando, publicado.
    pub estado: String,
    pub publicado_em: Option<chrono::DateTime<chrono::Utc>>,
    /// Processes opened so far (grows while `publicando`).
    pub processos: usize,
    pub atendimentos: i64,
}

async fn situacao_do_abi(
    app: &AppState,
    a: persus_store::abis::Abi,
) -> Result<AbiSituacao, Problem> {
    let ps = persus_store::processos::do_abi(&app.db, a.numero).await?;
    Ok(AbiSituacao {
        numero: a.numero,
        tipo: a.tipo,
        trimestre: a.trimestre,
        data_lancamento: a.data_lancamento,
        estado: a.estado,
        publicado_em: a.publicado_em,
        processos: ps.len(),
        atendimentos: ps.iter().map(|p| i64::from(p.atendimentos)).sum(),
    })
}

/// `GET /api/v1/abis`: the schedule and every ABI with its progress (operators see the
/// schedule too: it is public).
#[utoipa::path(
    get, path = "/api/v1/abis", tag = "ans",
    summary = "ABIs: agenda, publicação em curso e publicados",
    description = "A agenda de ABIs e o andamento de cada um (estado, processos e atendimentos até agora), por número. A agenda é pública: operadoras também a veem.",
    responses(
        (status = 200, body = super::esquemas::Lista<AbiSituacao>),
        super::respostas::ComToken,
    ),
    security(("bearer" = ["consulta"]), ("oauth2" = ["consulta"]), ("bearer" = ["ans.publicacao"]), ("oauth2" = ["ans.publicacao"]))
)]
pub async fn abis(State(app): State<AppState>, cliente: Cliente) -> Result<Response, Problem> {
    cliente
        .exigir("consulta")
        .or_else(|_| cliente.exigir("ans.publicacao"))?;
    let mut out = Vec::new();
    for a in persus_store::abis::listar(&app.db).await? {
        out.push(situacao_do_abi(&app, a).await?);
    }
    Ok(Json(super::esquemas::Lista { itens: out }).into_response())
}

/// `POST /api/v1/abis/{numero}/publicacao`: starts (or resumes) the publication in the
/// background and answers at once; follow it in `GET /api/v1/abis`.
#[utoipa::path(
    post, path = "/api/v1/abis/{numero}/publicacao", tag = "ans",
    summary = "Publica um ABI agendado (assíncrono e retomável)",
    description = "Inicia (ou retoma, depois de uma queda) a publicação de um ABI agendado, em segundo plano, e responde na hora; acompanhe em GET /api/v1/abis. Cada processo instaurado gera o Ofício ABI e o evento notificacao.disponibilizada. Só a ANS, a partir da data de lançamento.",
    params(("Idempotency-Key" = Option<String>, Header), ("numero" = i32, Path, description = "Número do ABI agendado", example = 114)),
    responses(
        (status = 202, description = "Publicação iniciada", body = AbiSituacao),
        (status = 404, description = "Não existe para operadoras, ou ABI não agendado", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Ainda não é a data de lançamento, ou já publicado", body = Problem, content_type = "application/problem+json"),
        super::respostas::CaminhoIlegivel, super::respostas::ComToken,
    ),
    security(("bearer" = ["ans.publicacao"]), ("oauth2" = ["ans.publicacao"]))
)]
pub async fn publicar_abi(
    State(app): State<AppState>,
    cliente: Cliente,
    idem: Idempotencia,
    Path(numero): Path<String>,
) -> Response {
    idem.sobre(&app, &cliente, &[], async {
        if !cliente.ans() {
            return Err(Problem::not_found("Recurso"));
        }
        cliente.exigir("ans.publicacao")?;
        let nao = || Problem::not_found(&format!("ABI {numero}"));
        let n: i32 = numero.parse().map_err(|_| nao())?;
        let a = persus_store::abis::buscar(&app.db, n)
            .await?
            .ok_or_else(nao)?;
        let hoje = app.relogio.hoje();
        if a.estado == "publicado" {
            return Err(Problem::invalid(format!("o {n}º ABI já foi publicado")));
        }
        if hoje < a.data_lancamento {
            return Err(Problem::invalid(format!(
                "o {n}º ABI está agendado para {}; hoje é {}",
                a.data_lancamento.format("%d/%m/%Y"),
                hoje.format("%d/%m/%Y")
            )));
        }
        let ator = cliente.ator();
        let db = app.db.clone();
        let relogio = app.relogio.clone();
        tokio::spawn(async move {
            let r = crate::servicos::publicacao::publicar(
                &db,
                n,
                crate::servicos::publicacao::UNIDADE_PADRAO,
                &*relogio,
                &ator,
                crate::servicos::publicacao::Falha::default(),
            )
            .await;
            match r {
                Ok(r) => tracing::info!(
                    abi = n,
                    processos = r.processos_instaurados,
                    "ABI published"
                ),
                Err(e) => {
                    tracing::error!(abi = n, error = %e, "ABI publication stopped; run it again to resume")
                }
            }
        });
        let s = situacao_do_abi(&app, a).await?;
        Ok::<Response, Problem>((StatusCode::ACCEPTED, Json(s)).into_response())
    })
    .await
}
