//! Operator and ANS resources of `/api/v1`: attendances, notices (pull feed; reading one records
//! ciência), processes, documents, impugnações and recursos. Every handler checks the scope and
//! answers only with the caller's own organization's data — another operator's attendance,
//! notice or process does not exist for it (404, never 403, so existence does not leak).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Utc;
use persus_store::processos;
use serde::Deserialize;

use super::{limite_de_pagina, Cliente, Consulta, Idempotencia};
use crate::app::AppState;
use crate::problem::Problem;
use crate::servicos::documentos::{enviar, ArmazenamentoLocal, LIMITE_BYTES};
use crate::servicos::peticoes::{protocolar, Pedido, TipoPeticao};
use crate::servicos::{ciencia, historico};

/// `GET /api/v1/atendimentos/{numero}`: one attendance in full (values, beneficiary, process,
/// notices with ciência and deadlines, petitions, documents, decisions, timeline). Scope
/// `consulta`. The read is recorded in the personal-data access log.
#[utoipa::path(
    get, path = "/api/v1/atendimentos/{numero}", tag = "atendimentos",
    summary = "Um atendimento por inteiro (dados pessoais: a leitura é registrada)",
    params(("numero" = String, Path, description = "AIH ou APAC, 13 dígitos", pattern = "^[0-9]{13}$")),
    responses(
        (status = 200, body = crate::servicos::historico::Historico),
        super::respostas::CaminhoIlegivel, super::respostas::NaoEncontrado, super::respostas::Invalido, super::respostas::Sobrecarga, super::respostas::ComToken,
    ),
    security(("bearer" = ["consulta"]), ("oauth2" = ["consulta"]))
)]
pub async fn atendimento(
    State(app): State<AppState>,
    cliente: Cliente,
    Path(numero): Path<String>,
) -> Result<Response, Problem> {
    cliente.exigir("consulta")?;
    if numero.len() != 13 || !numero.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Problem::invalid(format!(
            "número \"{numero}\" inválido: informe os 13 dígitos da AIH ou APAC"
        )));
    }
    let h = historico::consultar(&app.db, &numero, cliente.operadora.as_deref())
        .await
        .map_err(Problem::from)?
        .ok_or_else(|| Problem::not_found(&format!("Atendimento {numero}")))?;
    app.api.registrar_acesso(&cliente, "atendimento", &numero)?;
    Ok(Json(h).into_response())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct Cursor {
    /// Return items after this id (the `proximo` of the previous page).
    pub apos: Option<i64>,
    #[param(minimum = 1, maximum = 1000)]
    pub limite: Option<i64>,
}

/// `{"itens": […], "proximo": id}`: `proximo` only when the page is full.
fn pagina<T: serde::Serialize + utoipa::ToSchema>(
    itens: Vec<T>,
    limite: i64,
    id: impl Fn(&T) -> i64,
) -> Response {
    let proximo = (itens.len() as i64 == limite)
        .then(|| itens.last().map(&id))
        .flatten();
    Json(super::esquemas::Pagina { itens, proximo }).into_response()
}

/// `GET /api/v1/notificacoes?apos=&limite=`: the pull feed, oldest first. Listing does not
/// record ciência; opening one does.
#[utoipa::path(
    get, path = "/api/v1/notificacoes", tag = "notificacoes",
    summary = "Feed de notificações (listar não dá ciência)",
    params(Cursor),
    responses(
        (status = 200, body = super::esquemas::Pagina<persus_store::processos::ItemFeed>),
        super::respostas::Invalido, super::respostas::ComToken,
    ),
    security(("bearer" = ["consulta"]), ("oauth2" = ["consulta"]))
)]
pub async fn notificacoes(
    State(app): State<AppState>,
    cliente: Cliente,
    Consulta(c): Consulta<Cursor>,
) -> Result<Response, Problem> {
    cliente.exigir("consulta")?;
    let limite = limite_de_pagina(c.limite)?;
    let itens = processos::feed(
        &app.db,
        cliente.operadora.as_deref(),
        c.apos.unwrap_or(0),
        limite,
    )
    .await?;
    Ok(pagina(itens, limite, |i| i.id))
}

/// `GET /api/v1/notificacoes/{id}`: the notice with its content. For the operator this is
/// reading it: explicit ciência is recorded (once; the first reading wins, RN 377/2015) and the
/// deadline it opens is returned.
#[utoipa::path(
    get, path = "/api/v1/notificacoes/{id}", tag = "notificacoes",
    summary = "Lê uma notificação: para a operadora, registra a ciência expressa",
    params(("id" = i64, Path, description = "Número da notificação")),
    responses(
        (status = 200, body = super::esquemas::NotificacaoLida),
        super::respostas::CaminhoIlegivel, super::respostas::NaoEncontrado, super::respostas::Invalido, super::respostas::Sobrecarga, super::respostas::ComToken,
    ),
    security(("bearer" = ["consulta"]), ("oauth2" = ["consulta"]))
)]
pub async fn notificacao(
    State(app): State<AppState>,
    cliente: Cliente,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    cliente.exigir("consulta")?;
    let id: i64 = id.parse().map_err(|_| {
        Problem::invalid(format!(
            "notificação \"{id}\" inválida: informe o número da notificação"
        ))
    })?;
    let n = match cliente.operadora.as_deref() {
        Some(op) => processos::notificacao_da_operadora(&app.db, id, op).await?,
        None => Some(
            processos::notificacao(&app.db, id)
                .await
                .map_err(|_| Problem::not_found(&format!("Notificação {id}")))?,
        ),
    }
    .ok_or_else(|| Problem::not_found(&format!("Notificação {id}")))?;
    let ciencia = match cliente.operadora.as_deref() {
        Some(op) => {
            let r = &*app.relogio;
            let quem = format!("aplicacao:{}", cliente.aplicacao_id);
            Some(
                ciencia::registrar_expressa(
                    &app.db,
                    n.id,
                    op,
                    &quem,
                    r.hoje(),
                    r.agora(),
                    &app.regras.calendario,
                    &app.regras.prazos,
                    &cliente.ator(),
                )
                .await
                .map_err(Problem::from)?,
            )
        }
        None => None,
    };
    let conteudo: serde_json::Value = processos::conteudo_notificacao(&app.db, id)
        .await?
        .and_then(|c| serde_json::from_str(&c).ok())
        .unwrap_or_default();
    // The Ofício ABI's machine-readable list (IN DIDES 47/2011 art. 2): personal data, so the
    // read is recorded.
    let atendimentos = if n.tipo == "oficio_abi" {
        let lista = processos::lista_do_oficio(&app.db, n.processo_id).await?;
        app.api
            .registrar_acesso(&cliente, "oficio_abi", &n.id.to_string())?;
        Some(lista)
    } else {
        None
    };
    Ok(Json(super::esquemas::NotificacaoLida {
        id: n.id,
        tipo: n.tipo,
        disponibilizada_em: n.disponibilizada_em,
        ciencia,
        conteudo,
        atendimentos,
    })
    .into_response())
}

/// `GET /api/v1/processos?apos=&limite=`: newest first; `apos` is the last id of the previous
/// page.
#[utoipa::path(
    get, path = "/api/v1/processos", tag = "atendimentos",
    summary = "Processos, do mais novo ao mais antigo",
    params(Cursor),
    responses(
        (status = 200, body = super::esquemas::Pagina<persus_store::processos::Processo>),
        super::respostas::Invalido, super::respostas::ComToken,
    ),
    security(("bearer" = ["consulta"]), ("oauth2" = ["consulta"]))
)]
pub async fn processos_lista(
    State(app): State<AppState>,
    cliente: Cliente,
    Consulta(c): Consulta<Cursor>,
) -> Result<Response, Problem> {
    cliente.exigir("consulta")?;
    let limite = limite_de_pagina(c.limite)?;
    let itens = processos::processos(
        &app.db,
        cliente.operadora.as_deref(),
        c.apos.unwrap_or(i64::MAX),
        limite,
    )
    .await?;
    Ok(pagina(itens, limite, |i| i.id))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct NomeArquivo {
    pub nome: Option<String>,
}

/// `POST /api/v1/documentos?nome=prova.pdf` with the PDF as the body (`application/pdf`, up to
/// 10 MB). Scope `peticionar`. Answers the id to cite in petitions, and the SHA-256.
#[utoipa::path(
    post, path = "/api/v1/documentos", tag = "peticoes",
    summary = "Envia um PDF de prova (até 10 MB)",
    params(NomeArquivo, ("Idempotency-Key" = Option<String>, Header, description = "Mesma chave e corpo, mesma resposta")),
    request_body(content = inline(super::esquemas::Arquivo), content_type = "application/pdf"),
    responses(
        (status = 201, body = super::esquemas::DocumentoEnviado),
        super::respostas::Invalido, super::respostas::CorpoGrande, super::respostas::ComToken,
    ),
    security(("bearer" = ["peticionar"]), ("oauth2" = ["peticionar"]))
)]
pub async fn documento(
    State(app): State<AppState>,
    cliente: Cliente,
    Consulta(q): Consulta<NomeArquivo>,
    idem: Idempotencia,
    corpo: Bytes,
) -> Response {
    let r: Result<(), Problem> = cliente
        .exigir("peticionar")
        .and_then(|()| cliente.operadora().map(|_| ()));
    if let Err(p) = r {
        return p.into_response();
    }
    let nome = q.nome.unwrap_or_else(|| "documento.pdf".to_owned());
    let app2 = app.clone();
    let c2 = cliente.clone();
    let bytes = corpo.clone();
    idem.executar(&app, &cliente, &corpo, || async move {
        let corpo = bytes;
        let op = c2.operadora.clone().unwrap_or_default();
        let quem = format!("aplicacao:{}", c2.aplicacao_id);
        let arm = ArmazenamentoLocal {
            raiz: app2.raiz_documentos.clone(),
        };
        match enviar(&app2.db, &arm, &op, &nome, &corpo, &quem, Utc::now()).await {
            Ok(d) => (
                StatusCode::CREATED,
                serde_json::to_value(super::esquemas::DocumentoEnviado {
                    id: d.id,
                    nome_arquivo: d.nome_arquivo,
                    sha256: d.sha256,
                    tamanho: d.tamanho,
                })
                .unwrap_or_default(),
            ),
            Err(e) => Problem::from(e).em_par(),
        }
    })
    .await
}

/// The body of `POST /api/v1/impugnacoes` and `POST /api/v1/recursos`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NovaPeticao {
    pub processo: String,
    pub atendimentos: Vec<String>,
    pub motivo: String,
    pub fundamentacao: String,
    #[serde(default)]
    pub auditor: Option<String>,
    #[serde(default)]
    pub documentos: Vec<i64>,
}

async fn peticionar(
    app: AppState,
    cliente: Cliente,
    idem: Idempotencia,
    corpo: Bytes,
    tipo: TipoPeticao,
) -> Response {
    if let Err(p) = cliente
        .exigir("peticionar")
        .and_then(|()| cliente.operadora().map(|_| ()))
    {
        return p.into_response();
    }
    let app2 = app.clone();
    let c2 = cliente.clone();
    let bytes = corpo.clone();
    idem.executar(&app, &cliente, &corpo, || async move {
        let p: NovaPeticao = match crate::erros::ler_json(&bytes) {
            Ok(p) => p,
            Err(p) => return p.em_par(),
        };
        let pedido = Pedido {
            tipo,
            processo: p.processo,
            atendimentos: p.atendimentos,
            motivo: p.motivo,
            fundamentacao: p.fundamentacao,
            auditor: p.auditor,
            documentos: p.documentos,
        };
        let op = c2.operadora.clone().unwrap_or_default();
        let r = &*app2.relogio;
        match protocolar(
            &app2.db,
            &op,
            &pedido,
            &crate::servicos::peticoes::Ocasiao {
                hoje: r.hoje(),
                agora: r.agora(),
                calendario: &app2.regras.calendario,
                prazos: &app2.regras.prazos,
                ator: &c2.ator(),
            },
        )
        .await
        {
            Ok(recibo) => (
                StatusCode::CREATED,
                serde_json::to_value(&recibo).unwrap_or_default(),
            ),
            Err(e) => Problem::from(e).em_par(),
        }
    })
    .await
}

/// `POST /api/v1/impugnacoes`: one impugnação over one or many attendances of one process.
#[utoipa::path(
    post, path = "/api/v1/impugnacoes", tag = "peticoes",
    summary = "Protocola uma impugnação",
    params(("Idempotency-Key" = Option<String>, Header, description = "Mesma chave e corpo, mesma resposta; outro corpo, 422")),
    request_body(content = NovaPeticao),
    responses(
        (status = 201, description = "Recibo de protocolo", body = crate::servicos::peticoes::Recibo),
        super::respostas::Invalido, super::respostas::CorpoGrande, super::respostas::ComToken,
    ),
    security(("bearer" = ["peticionar"]), ("oauth2" = ["peticionar"]))
)]
pub async fn impugnacao(
    State(app): State<AppState>,
    cliente: Cliente,
    idem: Idempotencia,
    corpo: Bytes,
) -> Response {
    peticionar(app, cliente, idem, corpo, TipoPeticao::Impugnacao).await
}

/// `POST /api/v1/recursos`: one recurso against a 1st-instance decision.
#[utoipa::path(
    post, path = "/api/v1/recursos", tag = "peticoes",
    summary = "Protocola um recurso contra decisão de 1ª instância",
    params(("Idempotency-Key" = Option<String>, Header, description = "Mesma chave e corpo, mesma resposta; outro corpo, 422")),
    request_body(content = NovaPeticao),
    responses(
        (status = 201, description = "Recibo de protocolo", body = crate::servicos::peticoes::Recibo),
        super::respostas::Invalido, super::respostas::CorpoGrande, super::respostas::ComToken,
    ),
    security(("bearer" = ["peticionar"]), ("oauth2" = ["peticionar"]))
)]
pub async fn recurso(
    State(app): State<AppState>,
    cliente: Cliente,
    idem: Idempotencia,
    corpo: Bytes,
) -> Response {
    peticionar(app, cliente, idem, corpo, TipoPeticao::Recurso).await
}

/// Upload limit for the router (the body limit layer), a little above the PDF limit so the
/// validator can answer with its own message.
pub const LIMITE_CORPO: usize = LIMITE_BYTES + 64 * 1024;

/// Query of `GET /api/v1/atendimentos`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct Busca {
    pub abi: Option<i32>,
    pub processo: Option<String>,
    #[param(
        pattern = "^(identificado|aguardando_ciencia|notificado|impugnado|anulado|retificado|mantido|em_recurso|em_dicol|devido|suspenso)$"
    )]
    pub estado: Option<String>,
    /// AAAAMM or MM/AAAA (years 1990 to 2100).
    #[param(
        pattern = "^((199[0-9]|20[0-9]{2}|2100)(0[1-9]|1[0-2])|(0?[1-9]|1[0-2])/(199[0-9]|20[0-9]{2}|2100))$"
    )]
    pub competencia: Option<String>,
    /// Ofício deadline window, AAAA-MM-DD.
    #[param(format = Date)]
    pub prazo_de: Option<String>,
    #[param(format = Date)]
    pub prazo_ate: Option<String>,
    pub apos: Option<i64>,
    #[param(minimum = 1, maximum = 1000)]
    pub limite: Option<i64>,
    /// `csv` for a spreadsheet (every matching line, up to 200,000).
    #[param(pattern = "^(json|csv)$")]
    pub formato: Option<String>,
}

/// The most lines a CSV export returns in one request.
pub const LIMITE_CSV: i64 = 200_000;

/// `GET /api/v1/atendimentos?abi=&processo=&estado=&competencia=&prazo_de=&prazo_ate=&apos=&limite=`
/// (`&formato=csv` for a `;`-separated spreadsheet). Scope `consulta`; an operator sees its own.
#[utoipa::path(
    get, path = "/api/v1/atendimentos", tag = "atendimentos",
    summary = "Busca atendimentos (filtros, cursor; formato=csv para planilha)",
    params(Busca),
    responses(
        (status = 200, description = "JSON; text/csv com formato=csv", content((super::esquemas::Pagina<persus_store::historico::Resumo> = "application/json"), (String = "text/csv"))),
        super::respostas::Invalido, super::respostas::ComToken,
    ),
    security(("bearer" = ["consulta"]), ("oauth2" = ["consulta"]))
)]
pub async fn atendimentos(
    State(app): State<AppState>,
    cliente: Cliente,
    Consulta(b): Consulta<Busca>,
) -> Result<Response, Problem> {
    use persus_domain::ids::Competencia;
    use persus_domain::lifecycle::Estado;
    use persus_store::historico::{buscar, Filtro};

    cliente.exigir("consulta")?;
    let mut erros = Vec::new();
    let data = |nome: &str, v: &Option<String>, erros: &mut Vec<String>| {
        v.as_deref().and_then(|s| {
            chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map_err(|_| erros.push(format!("{nome} \"{s}\" inválido: use AAAA-MM-DD")))
                .ok()
        })
    };
    let prazo_de = data("prazo_de", &b.prazo_de, &mut erros);
    let prazo_ate = data("prazo_ate", &b.prazo_ate, &mut erros);
    let competencia = b.competencia.as_deref().and_then(|c| {
        Competencia::parse(c)
            .map(|c| c.to_aaaamm())
            .map_err(|e| erros.push(format!("competência: {e}")))
            .ok()
    });
    if let Some(e) = b.estado.as_deref() {
        if Estado::parse(e).is_none() {
            erros.push(format!(
                "estado \"{e}\" inválido: use identificado, aguardando_ciencia, notificado, impugnado, anulado, retificado, mantido, em_recurso, em_dicol, devido ou suspenso"
            ));
        }
    }
    let csv = match b.formato.as_deref() {
        None | Some("json") => false,
        Some("csv") => true,
        Some(f) => {
            erros.push(format!("formato \"{f}\" inválido: use json ou csv"));
            false
        }
    };
    // Checked also for the CSV, which ignores it: a value outside 1..1000 is refused either way.
    let por_pagina = match limite_de_pagina(b.limite) {
        Ok(l) => l,
        Err(p) => {
            erros.push(p.detail.unwrap_or_default());
            0
        }
    };
    let limite = if csv { LIMITE_CSV } else { por_pagina };
    if !erros.is_empty() {
        return Err(Problem::invalid(erros.join("; ")));
    }
    let filtro = Filtro {
        operadora: cliente.operadora.clone(),
        abi: b.abi,
        processo: b.processo.map(|p| p.replace(['.', '/', '-'], "")),
        estado: b.estado,
        competencia,
        prazo_de,
        prazo_ate,
        apos: b.apos.unwrap_or(0),
        limite,
    };
    let itens = buscar(&app.db, &filtro).await?;
    if !csv {
        return Ok(pagina(itens, limite, |i| i.id));
    }
    let mut w = ::csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(Vec::new());
    let cabecalho = [
        "numero",
        "tipo",
        "competencia",
        "operadora",
        "abi",
        "processo",
        "estado",
        "valor_ressarcimento",
        "valor_devido",
        "prazo_impugnacao",
    ];
    // Spreadsheet-friendly pt-BR decimals: 1234,56 (no thousands separator, no currency).
    let reais = |c: i64| {
        format!(
            "{}{},{:02}",
            if c < 0 { "-" } else { "" },
            c.unsigned_abs() / 100,
            c.unsigned_abs() % 100
        )
    };
    let erro_csv = |e: ::csv::Error| Problem::internal(&e);
    w.write_record(cabecalho).map_err(erro_csv)?;
    for i in &itens {
        w.write_record([
            i.numero.clone(),
            i.tipo.clone(),
            i.competencia.clone(),
            i.operadora.clone(),
            i.abi.map(|a| a.to_string()).unwrap_or_default(),
            i.processo.clone().unwrap_or_default(),
            i.estado.clone(),
            reais(i.valor_ressarcimento_centavos),
            i.valor_devido_centavos.map(reais).unwrap_or_default(),
            i.prazo_impugnacao
                .map(|d| d.format("%d/%m/%Y").to_string())
                .unwrap_or_default(),
        ])
        .map_err(erro_csv)?;
    }
    let corpo = w.into_inner().map_err(|e| Problem::internal(&e))?;
    Ok(crate::anexo::resposta(
        "text/csv; charset=utf-8",
        "atendimentos.csv",
        corpo,
    ))
}

/// `GET /api/v1/documentos/{id}`: the PDF as it was sent (its SHA-256 as the ETag).
#[utoipa::path(
    get, path = "/api/v1/documentos/{id}", tag = "peticoes",
    summary = "Baixa um documento enviado (PDF)",
    params(("id" = i64, Path, description = "Número do documento")),
    responses(
        (status = 200, description = "O PDF", content_type = "application/pdf", body = inline(super::esquemas::Arquivo)),
        super::respostas::CaminhoIlegivel, super::respostas::NaoEncontrado, super::respostas::ComToken,
    ),
    security(("bearer" = ["consulta"]), ("oauth2" = ["consulta"]))
)]
pub async fn documento_pdf(
    State(app): State<AppState>,
    cliente: Cliente,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    use crate::servicos::documentos::{para_leitura, Leitor};
    cliente.exigir("consulta")?;
    let n: i64 = id
        .parse()
        .map_err(|_| Problem::not_found(&format!("Documento {id}")))?;
    let quem = match cliente.operadora.as_deref() {
        Some(op) => Leitor::Operadora(op),
        None => Leitor::Ans,
    };
    let arm = ArmazenamentoLocal {
        raiz: app.raiz_documentos.clone(),
    };
    let lido = para_leitura(&app.db, &arm, quem, n).await?;
    // Homologação stamps what leaves it: the file keeps its bytes (its SHA-256 is the evidence),
    // its name says where it came from.
    let nome = lido.nome_para_baixar(app.ambiente == crate::config::Ambiente::Homologacao);
    let d = lido.documento;
    let bytes = lido.bytes;
    let mut r = crate::anexo::resposta("application/pdf", &nome, bytes);
    if let Ok(etag) = axum::http::HeaderValue::from_str(&format!("\"{}\"", d.sha256)) {
        r.headers_mut().insert(axum::http::header::ETAG, etag);
    }
    Ok(r)
}

/// `GET /api/v1/peticoes/{protocolo}`: the protocol receipt again (number, instant, process,
/// attendances, each document's name, size and SHA-256).
#[utoipa::path(
    get, path = "/api/v1/peticoes/{protocolo}", tag = "peticoes",
    summary = "Recibo de protocolo de uma petição",
    params(("protocolo" = String, Path, description = "Número do protocolo, ex.: 2026.0000123")),
    responses(
        (status = 200, body = crate::servicos::peticoes::Recibo),
        super::respostas::CaminhoIlegivel, super::respostas::NaoEncontrado, super::respostas::ComToken,
    ),
    security(("bearer" = ["consulta"]), ("oauth2" = ["consulta"]))
)]
pub async fn recibo(
    State(app): State<AppState>,
    cliente: Cliente,
    Path(protocolo): Path<String>,
) -> Result<Response, Problem> {
    cliente.exigir("consulta")?;
    let recibo =
        crate::servicos::recibos::comprovante(&app.db, cliente.operadora.as_deref(), &protocolo)
            .await?
            .recibo();
    Ok(Json(recibo).into_response())
}
