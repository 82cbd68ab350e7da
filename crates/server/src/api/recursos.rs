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
use persus_domain::acesso::TipoNotificacao;
use persus_store::processos;
use serde::Deserialize;

use super::{limite_de_pagina, Cliente, Consulta, Idempotencia};
use crate::app::AppState;
use crate::problem::Problem;
use crate::servicos::documentos::{enviar, ArmazenamentoLocal, LIMITE_BYTES};
use crate::servicos::peticoes::{protocolar, Pedido, TipoPeticao};
use crate::servicos::{ciencia, historico, CampoInvalido};

/// `GET /api/v1/atendimentos/{numero}`: one attendance in full (values, beneficiary, process,
/// notices with ciência and deadlines, petitions, documents, decisions, timeline). Scope
/// `consulta`. The read is recorded in the personal-data access log.
#[utoipa::path(
    get, path = "/api/v1/atendimentos/{numero}", tag = "atendimentos",
    summary = "Um atendimento por inteiro (dados pessoais: a leitura é registrada)",
    description = "Devolve o atendimento com tudo o que se sabe dele: valores, beneficiário, processo, notificações (com ciência e prazos), petições, documentos, decisões e a linha do tempo. A operadora vê só os seus (o de outra operadora é 404). Contém dados pessoais: cada leitura fica no registro de acessos (LGPD); se esse registro não acompanhar, a resposta é 503 e nada é mostrado.",
    params(("numero" = String, Path, description = "AIH ou APAC, 13 dígitos", pattern = "^[0-9]{13}$", example = "3325100000018")),
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
    description = "O feed de notificações da operadora (Ofícios ABI e decisões), do mais antigo ao mais novo, por número. Listar não dá ciência: leia cada uma em GET /api/v1/notificacoes/{id}. Para acompanhar o feed, guarde o último proximo (ou o último id) e consulte de novo com apos: só vêm as novas. A ANS vê as de todas as operadoras.",
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
    description = "Devolve a notificação com o seu conteúdo. Para a operadora, esta leitura é a ciência expressa: é registrada uma vez (vale a primeira leitura, RN 377/2015) e a resposta traz o prazo que ela abre. No Ofício ABI, traz a lista dos atendimentos do processo (dados pessoais: a leitura fica no registro de acessos).",
    params(("id" = i64, Path, description = "Número da notificação", example = 118)),
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
    let r = &*app.relogio;
    let quem = format!("aplicacao:{}", cliente.aplicacao_id);
    let ator = cliente.ator();
    let leitura = cliente.operadora.as_deref().map(|op| ciencia::Leitura {
        notificacao_id: id,
        operadora: op,
        quem: &quem,
        ator: &ator,
        hoje: r.hoje(),
        agora: r.agora(),
    });
    let aberta = ciencia::abrir(
        &app.db,
        id,
        leitura.as_ref(),
        &app.regras.calendario,
        &app.regras.prazos,
    )
    .await?;
    let n = aberta.notificacao;
    // The Ofício ABI's machine-readable list (IN DIDES 47/2011 art. 2): personal data, so the
    // read is recorded.
    let atendimentos = if n.tipo == TipoNotificacao::OficioAbi {
        let lista = processos::lista_do_oficio(&app.db, n.processo_id).await?;
        app.api
            .registrar_acesso(&cliente, "oficio_abi", &n.id.to_string())?;
        Some(lista)
    } else {
        None
    };
    Ok(Json(super::esquemas::NotificacaoLida {
        id: n.id,
        tipo: n.tipo.as_str().to_owned(),
        disponibilizada_em: n.disponibilizada_em,
        ciencia: aberta.ciencia,
        conteudo: aberta.conteudo,
        atendimentos,
    })
    .into_response())
}

/// `GET /api/v1/processos?apos=&limite=`: oldest first, like every cursor list; `apos` is the
/// last id of the previous page.
#[utoipa::path(
    get, path = "/api/v1/processos", tag = "atendimentos",
    summary = "Processos, do mais antigo ao mais novo",
    description = "Os processos de ressarcimento da operadora (a ANS vê todos), do mais antigo ao mais novo, por número, como toda lista com cursor.",
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
    let itens = processos::processos_desde(
        &app.db,
        cliente.operadora.as_deref(),
        c.apos.unwrap_or(0),
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
    description = "Recebe um PDF de prova (corpo application/pdf, até 10 MB) e devolve o número a citar em documentos da impugnação ou do recurso, com o SHA-256 do arquivo. Só operadoras.",
    params(NomeArquivo, ("Idempotency-Key" = Option<String>, Header)),
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
    description = "Protocola uma impugnação sobre um ou mais atendimentos de um processo notificado, dentro do prazo. Motivos técnicos exigem o auditor da operadora. Devolve o recibo de protocolo, com o hash de cada documento. Só operadoras.",
    params(("Idempotency-Key" = Option<String>, Header)),
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
    description = "Protocola um recurso contra a decisão de 1ª instância, dentro do prazo aberto pela ciência da decisão. Devolve o recibo de protocolo. Só operadoras.",
    params(("Idempotency-Key" = Option<String>, Header)),
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
    /// AIH/APAC number: the 13 digits, or the first digits.
    pub numero: Option<String>,
    /// Beneficiary: CNS (15 digits), CPF (11 digits) or part of the name (3 letters or more).
    pub beneficiario: Option<String>,
    /// SIGTAP procedure code (10 digits, with or without the mask): main or secondary.
    pub procedimento: Option<String>,
    #[param(minimum = 1)]
    pub abi: Option<i32>,
    pub processo: Option<String>,
    #[param(
        pattern = "^(identificado|aguardando_ciencia|notificado|impugnado|anulado|retificado|mantido|em_recurso|em_dicol|devido|suspenso)$"
    )]
    pub estado: Option<String>,
    /// AAAAMM, MM/AAAA or AAAA-MM.
    #[param(
        pattern = "^((199[0-9]|20[0-9]{2}|2100)-?(0[1-9]|1[0-2])|(0?[1-9]|1[0-2])/(199[0-9]|20[0-9]{2}|2100))$"
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
pub use crate::servicos::consulta::LIMITE_CSV;

/// `GET /api/v1/atendimentos?abi=&processo=&estado=&competencia=&prazo_de=&prazo_ate=&apos=&limite=`
/// (`&formato=csv` for a `;`-separated spreadsheet). Scope `consulta`; an operator sees its own.
#[utoipa::path(
    get, path = "/api/v1/atendimentos", tag = "atendimentos",
    summary = "Busca atendimentos (filtros, cursor; formato=csv para planilha)",
    description = "Busca atendimentos pelos filtros (todos opcionais, combinados), do mais antigo ao mais novo, por número interno, com cursor. A operadora vê só os seus. Com formato=csv, devolve uma planilha (separador ';', decimais com vírgula) com todas as linhas encontradas, até 200.000, sem paginação. Não contém dados pessoais.",
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
    use crate::servicos::consulta::{self, Filtro, Pagina, Pedido};

    cliente.exigir("consulta")?;
    let pedido = Pedido {
        numero: b.numero,
        beneficiario: b.beneficiario,
        procedimento: b.procedimento,
        competencia: b.competencia,
        estado: b.estado,
        processo: b.processo,
        abi: b.abi.map(|a| a.to_string()),
        prazo_de: b.prazo_de,
        prazo_ate: b.prazo_ate,
    };
    // Every reason at once: the filter's fields, the format and the page size.
    let mut erros = match Filtro::ler(&pedido) {
        Ok(_) => Vec::new(),
        Err(crate::servicos::ServicoError::Invalido(e)) => e,
        Err(e) => return Err(e.into()),
    };
    // The API is strict where a form is lenient: a filter sent empty is an error.
    for (campo, valor) in [
        ("prazo_de", &pedido.prazo_de),
        ("prazo_ate", &pedido.prazo_ate),
        ("competencia", &pedido.competencia),
        ("estado", &pedido.estado),
    ] {
        if valor.as_deref().is_some_and(|v| v.trim().is_empty()) {
            erros.push(CampoInvalido::new(
                campo,
                format!("{campo} vazio: informe um valor ou omita o parâmetro"),
            ));
        }
    }
    let csv = match b.formato.as_deref() {
        None | Some("json") => false,
        Some("csv") => true,
        Some(f) => {
            erros.push(CampoInvalido::new(
                "formato",
                format!("formato \"{f}\" inválido: use json ou csv"),
            ));
            false
        }
    };
    // Checked also for the CSV, which ignores it: a value outside 1..1000 is refused either way.
    let limite = limite_de_pagina(b.limite).unwrap_or_else(|p| {
        erros.push(CampoInvalido::new("limite", p.detail.unwrap_or_default()));
        0
    });
    if !erros.is_empty() {
        return Err(crate::servicos::ServicoError::Invalido(erros).into());
    }
    let filtro = Filtro::ler(&pedido)?;
    if let Some(chave) = filtro.dado_pessoal() {
        app.api
            .registrar_acesso(&cliente, "busca_beneficiario", &chave)?;
    }
    let operadora = cliente.operadora.as_deref();
    if csv {
        let corpo = consulta::csv(&app.db, operadora, &filtro).await?;
        return Ok(crate::anexo::resposta(
            "text/csv; charset=utf-8",
            "atendimentos.csv",
            corpo,
        ));
    }
    let pagina = Pagina::Apos {
        apos: b.apos.unwrap_or(0),
        limite,
    };
    let r = consulta::buscar(&app.db, operadora, &filtro, pagina).await?;
    let mut resposta = Json(super::esquemas::Pagina {
        itens: r.itens,
        proximo: r.proximo,
    })
    .into_response();
    // Every match of the filter, whatever the page.
    resposta
        .headers_mut()
        .insert("x-total-count", axum::http::HeaderValue::from(r.total));
    Ok(resposta)
}

/// `GET /api/v1/documentos/{id}`: the PDF as it was sent (its SHA-256 as the ETag).
#[utoipa::path(
    get, path = "/api/v1/documentos/{id}", tag = "peticoes",
    summary = "Baixa um documento enviado (PDF)",
    description = "Baixa o PDF como foi enviado; o ETag é o seu SHA-256. Em homologação o nome do arquivo começa com HOMOLOGACAO-.",
    params(("id" = i64, Path, description = "Número do documento", example = 5)),
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
    description = "Devolve de novo o recibo de uma petição protocolada: número, instante, processo, atendimentos e, de cada documento, nome, tamanho e SHA-256.",
    params(("protocolo" = String, Path, description = "Número do protocolo, ex.: 2026.0000123", example = "2026.0000123")),
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
