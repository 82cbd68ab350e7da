//! The analysis queues and the decision form: each queue lists the petition that brought each
//! attendance there (ground, fundamentação, auditor, protocol and its age), filtered by
//! operator, ground, value and age; a decision is posted, and on success the analyst is sent
//! (303) to the page of the published decision — F5 or Back never decides twice.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use persus_domain::money::Centavos;
use serde::Deserialize;

use super::super::flash::{self, Aviso};
use super::super::layout::pagina;
use super::super::rotulos::{instante, nup};
use super::super::{falha, nao_encontrado, proibido, reais, Sessao};
use super::{caminho_da_fila, campo, pares, todos};
use crate::app::AppState;
use crate::servicos::analise::{self, rotulo_estado, rotulo_instancia, rotulo_resultado, Filtro};
use crate::servicos::decisoes::{decidir, Contexto, Instancia, PedidoDecisao, Resultado};
use crate::servicos::relogio::data_em_brasilia;
use crate::servicos::{CampoInvalido, ServicoError};

/// How many attendances a queue page lists.
const POR_PAGINA: i64 = 300;

/// `/ans/filas`: the first queue the person's role works (the menu's link).
pub async fn minha_fila(s: Sessao) -> Response {
    match Instancia::TODOS.iter().find(|i| s.papel_ans(i.papeis())) {
        Some(i) => Redirect::to(&caminho_da_fila(*i)).into_response(),
        None => proibido(),
    }
}

/// The queue's filters as typed in the form.
#[derive(Debug, Default, Deserialize)]
pub struct FiltroQuery {
    pub operadora: Option<String>,
    pub motivo: Option<String>,
    pub valor_min: Option<String>,
    pub valor_max: Option<String>,
    pub idade: Option<String>,
}

fn preenchido(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|x| !x.is_empty())
}

/// The typed filter, and the fields that could not be read (those filters are not applied).
fn filtro(q: &FiltroQuery) -> (Filtro, Vec<CampoInvalido>) {
    let mut erros = Vec::new();
    let mut valor = |campo: &str, v: &Option<String>| {
        let t = preenchido(v)?;
        match Centavos::parse_brl(t) {
            Ok(c) => Some(c),
            Err(_) => {
                erros.push(CampoInvalido::new(
                    campo,
                    format!("valor \"{t}\" não reconhecido: use 1.234,56"),
                ));
                None
            }
        }
    };
    let valor_min = valor("valor_min", &q.valor_min);
    let valor_max = valor("valor_max", &q.valor_max);
    let idade_min_dias = preenchido(&q.idade).and_then(|t| match t.parse::<u32>() {
        Ok(d) => Some(d),
        Err(_) => {
            erros.push(CampoInvalido::new(
                "idade",
                format!("idade \"{t}\" não reconhecida: informe um número de dias"),
            ));
            None
        }
    });
    let f = Filtro {
        operadora: preenchido(&q.operadora).map(str::to_owned),
        motivo: preenchido(&q.motivo).map(str::to_owned),
        valor_min,
        valor_max,
        idade_min_dias,
    };
    (f, erros)
}

/// What was typed in the decision form, kept when it is shown again with its errors.
#[derive(Clone, Debug, Default)]
pub struct EntradaDecisao {
    pub atendimentos: Vec<String>,
    pub resultado: String,
    pub novo_valor: String,
    pub motivo: String,
    pub fundamentacao: String,
}

impl EntradaDecisao {
    fn do_formulario(p: &[(String, String)]) -> EntradaDecisao {
        EntradaDecisao {
            atendimentos: todos(p, "atendimentos"),
            resultado: campo(p, "resultado"),
            novo_valor: campo(p, "novo_valor"),
            motivo: campo(p, "motivo"),
            fundamentacao: campo(p, "fundamentacao"),
        }
    }

    /// The typed request, or every field to correct.
    fn pedido(&self, instancia: Instancia) -> Result<PedidoDecisao, Vec<CampoInvalido>> {
        let mut erros = Vec::new();
        let resultado = Resultado::parse(&self.resultado).filter(|r| r.instancia() == instancia);
        if resultado.is_none() {
            erros.push(CampoInvalido::new("resultado", "escolha a decisão"));
        }
        let novo_valor = if self.novo_valor.trim().is_empty() {
            None
        } else {
            match Centavos::parse_brl(&self.novo_valor) {
                Ok(c) => Some(c),
                Err(_) => {
                    erros.push(CampoInvalido::new(
                        "novo_valor",
                        format!(
                            "novo valor \"{}\" não reconhecido: use 1.234,56",
                            self.novo_valor.trim()
                        ),
                    ));
                    None
                }
            }
        };
        match resultado {
            Some(resultado) if erros.is_empty() => Ok(PedidoDecisao {
                instancia,
                resultado,
                atendimentos: self.atendimentos.clone(),
                fundamentacao: self.fundamentacao.clone(),
                novo_valor,
                motivo: Some(self.motivo.clone()).filter(|m| !m.trim().is_empty()),
            }),
            _ => Err(erros),
        }
    }
}

/// Errors of a form: the list at the top (each a link to its field), and the message of one
/// field under it.
pub struct Erros<'a> {
    /// What did not happen ("Decisão não publicada.").
    pub titulo: &'a str,
    pub campos: &'a [CampoInvalido],
    /// A refusal that is not one field's (a rule of the lifecycle, cases not identical).
    pub geral: Option<&'a str>,
}

impl Erros<'_> {
    pub fn nenhum() -> Erros<'static> {
        Erros {
            titulo: "",
            campos: &[],
            geral: None,
        }
    }

    pub fn de_formulario<'a>(
        titulo: &'a str,
        campos: &'a [CampoInvalido],
        geral: Option<&'a str>,
    ) -> Erros<'a> {
        Erros {
            titulo,
            campos,
            geral,
        }
    }

    fn de(&self, campo: &str) -> Option<String> {
        let m: Vec<&str> = self
            .campos
            .iter()
            .filter(|c| c.campo == campo)
            .map(|c| c.mensagem.as_str())
            .collect();
        (!m.is_empty()).then(|| m.join("; "))
    }

    pub fn tem(&self) -> bool {
        self.geral.is_some() || !self.campos.is_empty()
    }

    pub(super) fn resumo(&self) -> Markup {
        html! {
            @if self.tem() {
                div.br-message.danger role="alert" id="erros" tabindex="-1" autofocus {
                    div.content {
                        span.message-title { (self.titulo) } " "
                        @if let Some(g) = self.geral { span.message-body { (g) } }
                        ul { @for c in self.campos { li { a href=(format!("#{}", c.campo)) { (c.mensagem) } } } }
                    }
                }
            }
        }
    }

    pub(super) fn sob(&self, campo: &str) -> Markup {
        html! {
            @if let Some(m) = self.de(campo) {
                span.feedback.danger role="alert" id=(format!("erro-{campo}")) { (m) }
            }
        }
    }

    fn descrito(&self, campo: &str) -> Option<String> {
        self.de(campo).map(|_| format!("erro-{campo}"))
    }
}

/// The decision fields (result, new value, reason for not admitting, fundamentação) and the
/// publish button, for the queue (many attendances) and the case page (one).
pub fn campos_decisao(instancia: Instancia, entrada: &EntradaDecisao, erros: &Erros<'_>) -> Markup {
    html! {
        fieldset.mt-3 id="resultado" aria-describedby=[erros.descrito("resultado")] {
            legend { "Decisão — " (instancia.rotulo()) }
            @for r in instancia.resultados() {
                div.br-radio {
                    input type="radio" id=(format!("r-{}", r.as_str())) name="resultado" value=(r.as_str())
                        checked[entrada.resultado == r.as_str()] required;
                    label for=(format!("r-{}", r.as_str())) { (r.rotulo()) }
                }
            }
            (erros.sob("resultado"))
        }
        div.br-input.mt-2 {
            label for="novo_valor" { "Novo valor (R$), para as decisões com novo valor" }
            input id="novo_valor" name="novo_valor" placeholder="1.234,56" inputmode="decimal"
                value=(entrada.novo_valor) aria-describedby=[erros.descrito("novo_valor")];
            (erros.sob("novo_valor"))
        }
        @if instancia == Instancia::Admissibilidade {
            div.br-input.mt-2 {
                label for="motivo" { "Motivo do não conhecimento (se for o caso)" }
                input id="motivo" name="motivo" value=(entrada.motivo);
            }
        }
        div.br-textarea.mt-2 {
            label for="fundamentacao" { "Fundamentação" }
            textarea id="fundamentacao" name="fundamentacao" rows="4" required
                minlength=(crate::servicos::decisoes::FUNDAMENTACAO_MINIMA)
                aria-describedby=[erros.descrito("fundamentacao")] { (entrada.fundamentacao) }
            (erros.sob("fundamentacao"))
        }
    }
}

pub async fn pagina_fila(
    State(app): State<AppState>,
    s: Sessao,
    headers: HeaderMap,
    Path(nome): Path<String>,
    Query(q): Query<FiltroQuery>,
) -> Response {
    let Some(inst) = Instancia::parse(&nome) else {
        return nao_encontrado("A fila");
    };
    let aviso = flash::ler(&headers);
    let entrada = EntradaDecisao::default();
    fila_com(&app, &s, inst, &q, &entrada, &Erros::nenhum(), aviso).await
}

/// The queue page, with the decision form as typed and its errors (if it is shown again).
async fn fila_com(
    app: &AppState,
    s: &Sessao,
    inst: Instancia,
    q: &FiltroQuery,
    entrada: &EntradaDecisao,
    erros: &Erros<'_>,
    aviso: Option<Aviso>,
) -> Response {
    if !s.papel_ans(inst.papeis()) {
        return proibido();
    }
    let (f, erros_filtro) = filtro(q);
    let fila = match analise::fila(&app.db, &*app.relogio, inst, &f, POR_PAGINA).await {
        Ok(f) => f,
        Err(e) => return falha(e),
    };
    let ids: Vec<i64> = fila.itens.iter().map(|i| i.id).collect();
    let atribuidos = match persus_store::contas::atribuicoes(&app.db, &ids).await {
        Ok(a) => a,
        Err(e) => return super::super::indisponivel(e),
    };
    let hoje = app.relogio.hoje();
    let mut motivos: Vec<_> = app.regras.motivos.values().collect();
    motivos.sort_by(|a, b| a.codigo.cmp(&b.codigo));
    let motivo_nome = |c: &str| {
        app.regras
            .motivos
            .get(c)
            .map_or_else(|| c.to_owned(), |m| format!("{c} — {}", m.nome))
    };
    let caminho = caminho_da_fila(inst);
    let corpo = html! {
        @if let Some(a) = &aviso { (flash::caixa(a)) }
        nav aria-label="Filas" { ul.persus-abas {
            @for i in Instancia::TODOS.iter().filter(|i| s.papel_ans(i.papeis())) {
                li { a href=(caminho_da_fila(*i)) aria-current=[(*i == inst).then_some("page")] { (i.rotulo()) } }
            }
        } }
        form method="get" action=(caminho) aria-label="Filtros da fila" {
            @if !erros_filtro.is_empty() {
                div.br-message.warning role="alert" { div.content { span.message-body {
                    "Filtro não aplicado: " (erros_filtro.iter().map(|c| c.mensagem.as_str()).collect::<Vec<_>>().join("; "))
                } } }
            }
            div.row {
                div."col-sm-4" { div.br-input { label for="operadora" { "Operadora (registro ANS)" } input id="operadora" name="operadora" value=(f.operadora.as_deref().unwrap_or("")) inputmode="numeric"; } }
                div."col-sm-8" { div.br-select { label for="motivo-filtro" { "Motivo da petição" }
                    select id="motivo-filtro" name="motivo" {
                        option value="" { "Todos" }
                        @for m in &motivos { option value=(m.codigo) selected[f.motivo.as_deref() == Some(m.codigo.as_str())] { (m.codigo) " — " (m.nome) } }
                    }
                } }
            }
            div.row.mt-2 {
                div."col-sm-4" { div.br-input { label for="valor_min" { "Valor de (R$)" } input id="valor_min" name="valor_min" value=(q.valor_min.as_deref().unwrap_or("")) placeholder="0,00" inputmode="decimal"; } }
                div."col-sm-4" { div.br-input { label for="valor_max" { "Valor até (R$)" } input id="valor_max" name="valor_max" value=(q.valor_max.as_deref().unwrap_or("")) placeholder="10.000,00" inputmode="decimal"; } }
                div."col-sm-4" { div.br-input { label for="idade" { "Protocolada há ao menos (dias)" } input id="idade" name="idade" value=(q.idade.as_deref().unwrap_or("")) inputmode="numeric"; } }
            }
            p.mt-2 { button.br-button.secondary type="submit" { "Filtrar" } " " a href=(caminho) { "Limpar filtros" } }
        }
        p id="total-fila" {
            (fila.total) " atendimento(s) nesta fila com estes filtros"
            @if fila.total > POR_PAGINA { "; os " (POR_PAGINA) " de petição mais antiga estão listados" }
            ". Casos idênticos (mesmo tipo de atendimento e mesmo motivo da petição) podem ser decididos juntos; decisões com novo valor, um a um."
        }
        form method="post" action="/ans/decisoes" {
            input type="hidden" name="csrf" value=(s.csrf);
            input type="hidden" name="instancia" value=(inst.as_str());
            (erros.resumo())
            div.persus-tabela id="atendimentos" aria-describedby=[erros.descrito("atendimentos")] {
                table.persus {
                    caption.sr-only { "Atendimentos na fila — " (inst.rotulo()) }
                    thead { tr {
                        th scope="col" { "Decidir" } th scope="col" { "Atendimento" } th scope="col" { "Operadora" }
                        th scope="col" { "Motivo e fundamentação" } th scope="col" { "Protocolo" }
                        th scope="col" .num { "Dias" } th scope="col" .num { "Valor" } th scope="col" { "Com" }
                    } }
                    tbody {
                        @for i in &fila.itens {
                            tr {
                                td { input type="checkbox" name="atendimentos" value=(i.numero) id=(format!("f-{}", i.numero))
                                    checked[entrada.atendimentos.contains(&i.numero)]
                                    aria-label=(format!("Decidir o atendimento {}", i.numero)); }
                                td { a href=(format!("/ans/casos/{}", i.numero)) { (i.tipo) " " (i.numero) } }
                                td { (i.operadora) " — " (i.razao_social) }
                                td {
                                    @if let Some(m) = &i.motivo { strong { (motivo_nome(m)) } } @else { "—" }
                                    @if let Some(t) = &i.fundamentacao { br; small { (resumo(t, 160)) } }
                                    @if let Some(a) = &i.auditor { br; small { "Auditor: " (a) } }
                                }
                                td { @if let Some(p) = &i.protocolo { (p) } @else { "—" }
                                     @if let Some(t) = i.protocolada_em { br; small { (instante(t)) } } }
                                td.num { @if let Some(t) = i.protocolada_em { ((hoje - data_em_brasilia(t)).num_days()) } @else { "—" } }
                                td.num { (reais(i.valor_centavos)) }
                                td { (atribuidos.iter().find(|(a, _)| *a == i.id).map(|(_, l)| l.as_str()).unwrap_or("—")) }
                            }
                        }
                    }
                }
            }
            (erros.sob("atendimentos"))
            (campos_decisao(inst, entrada, erros))
            p.mt-3 {
                button.br-button.primary type="submit" { "Publicar decisão" }
                " "
                button.br-button.secondary type="submit" formaction="/ans/atribuicoes" formnovalidate { "Atribuir os marcados a mim" }
            }
        }
    };
    let titulo = format!("Fila: {}", inst.rotulo());
    let pagina = pagina(app, s, "/ans/filas", &titulo, corpo);
    let status = if erros.tem() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    match aviso {
        Some(_) => flash::consumido(&caminho, (status, pagina).into_response()),
        None => (status, pagina).into_response(),
    }
}

/// The first `n` characters of a text, with an ellipsis when cut.
fn resumo(t: &str, n: usize) -> String {
    if t.chars().count() <= n {
        t.to_owned()
    } else {
        format!("{}…", t.chars().take(n).collect::<String>().trim_end())
    }
}

pub async fn atribuir(State(app): State<AppState>, s: Sessao, body: Bytes) -> Response {
    let p = pares(&body);
    // Back to the queue the form came from; anything else is the 1st instance's.
    let inst = Instancia::parse(&campo(&p, "instancia")).unwrap_or(Instancia::Primeira);
    if !s.papel_ans(inst.papeis()) {
        return proibido();
    }
    if let Err(r) = s.conferir(&campo(&p, "csrf")) {
        return r;
    }
    let numeros = todos(&p, "atendimentos");
    match analise::atribuir(&app.db, &*app.relogio, &numeros, &s.usuario.login).await {
        Ok(n) => flash::redirecionar(
            &caminho_da_fila(inst),
            &Aviso {
                titulo: "Atribuição feita.".to_owned(),
                texto: format!("{n} atendimento(s) atribuído(s) a você."),
                codigo: None,
            },
        ),
        Err(e) => falha(e),
    }
}

pub async fn decidir_web(State(app): State<AppState>, s: Sessao, body: Bytes) -> Response {
    let p = pares(&body);
    let Some(inst) = Instancia::parse(&campo(&p, "instancia")) else {
        return nao_encontrado("A fila");
    };
    if !s.papel_ans(inst.papeis()) {
        return proibido();
    }
    if let Err(r) = s.conferir(&campo(&p, "csrf")) {
        return r;
    }
    let entrada = EntradaDecisao::do_formulario(&p);
    // The case page posts one attendance and shows its own errors again.
    let no_caso = campo(&p, "origem") == "caso";
    let volta = Volta {
        app: &app,
        s: &s,
        inst,
        no_caso,
        entrada: &entrada,
    };
    let pedido = match entrada.pedido(inst) {
        Ok(p) => p,
        Err(campos) => return volta.mostrar(&campos, None).await,
    };
    let ctx = Contexto {
        db: &app.db,
        relogio: &*app.relogio,
        calendario: &app.regras.calendario,
        prazos: &app.regras.prazos,
    };
    match decidir(&ctx, &pedido, &s.ator()).await {
        Ok(r) => {
            let ns: Vec<String> = r.notificacoes.iter().map(i64::to_string).collect();
            Redirect::to(&format!("/ans/decisoes/{}", ns.join(","))).into_response()
        }
        Err(ServicoError::Invalido(campos)) => volta.mostrar(&campos, None).await,
        Err(ServicoError::Regra(m)) => volta.mostrar(&[], Some(&m)).await,
        Err(e) => falha(e),
    }
}

/// Where a refused decision is shown again, as typed, with its errors (422): the case page it
/// came from, or the queue.
struct Volta<'a> {
    app: &'a AppState,
    s: &'a Sessao,
    inst: Instancia,
    no_caso: bool,
    entrada: &'a EntradaDecisao,
}

impl Volta<'_> {
    async fn mostrar(&self, campos: &[CampoInvalido], geral: Option<&str>) -> Response {
        let erros = Erros::de_formulario("Decisão não publicada.", campos, geral);
        match (self.no_caso, self.entrada.atendimentos.first()) {
            (true, Some(numero)) => {
                super::caso::caso_com(self.app, self.s, numero, self.entrada, &erros).await
            }
            _ => {
                let q = FiltroQuery::default();
                fila_com(self.app, self.s, self.inst, &q, self.entrada, &erros, None).await
            }
        }
    }
}

/// `/ans/decisoes/{notificações}`: what a decision published (the page a decision redirects to).
pub async fn decisao_publicada(
    State(app): State<AppState>,
    s: Sessao,
    Path(lista): Path<String>,
) -> Response {
    if !Instancia::TODOS.iter().any(|i| s.papel_ans(i.papeis())) {
        return proibido();
    }
    let Ok(ns) = lista
        .split(',')
        .map(|n| n.trim().parse::<i64>())
        .collect::<Result<Vec<_>, _>>()
    else {
        return nao_encontrado("A decisão");
    };
    let decisoes = match persus_store::analise::decisoes_das_notificacoes(&app.db, &ns).await {
        Ok(d) if !d.is_empty() => d,
        Ok(_) => return nao_encontrado("A decisão"),
        Err(e) => return super::super::indisponivel(e),
    };
    let instancia = decisoes
        .first()
        .and_then(|d| Instancia::parse(&d.decisao.instancia))
        .unwrap_or(Instancia::Primeira);
    let primeira = &decisoes[0];
    let corpo = html! {
        div.br-message.success role="status" { div.content {
            span.message-title { "Decisão publicada." } " "
            span.message-body {
                (rotulo_resultado(&primeira.decisao.resultado)) " — " (decisoes.len()) " atendimento(s), "
                (ns.len()) " notificação(ões) disponibilizada(s) às operadoras em "
                (instante(primeira.decisao.decidido_em)) "."
            }
        } }
        p { strong { "Fundamentação: " } (primeira.decisao.fundamentacao) }
        div.persus-tabela { table.persus {
            caption.sr-only { "Atendimentos decididos" }
            thead { tr {
                th scope="col" { "Atendimento" } th scope="col" { "Operadora" } th scope="col" { "Processo" }
                th scope="col" { "Instância" } th scope="col" .num { "Valor anterior" } th scope="col" .num { "Valor após" }
                th scope="col" { "Situação agora" }
            } }
            tbody { @for d in &decisoes { tr {
                td { a href=(format!("/ans/casos/{}", d.numero)) { (d.numero) } }
                td { (d.operadora) }
                td { (d.nup.as_deref().map(nup).unwrap_or_default()) }
                td { (rotulo_instancia(&d.decisao.instancia)) }
                td.num { (reais(d.decisao.valor_anterior)) } td.num { (reais(d.decisao.valor_novo)) }
                td { (rotulo_estado(&d.estado)) }
            } } }
        } }
        p.mt-3 { a.br-button.secondary href=(caminho_da_fila(instancia)) { "Voltar à fila" } }
    };
    pagina(&app, &s, "/ans/filas", "Decisão publicada", corpo).into_response()
}
