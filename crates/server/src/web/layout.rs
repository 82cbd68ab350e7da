//! The page frame in the gov.br Design System's pattern (`br-header`, `br-footer`): the
//! homologação banner, the header with the person and "Sair", navigation by role, the footer and
//! the skip link; plus the pieces every page shares: the error summary of a form
//! ([`resumo_erros`]), a table that scrolls inside its own box ([`rolavel`]) and the bar chart
//! ([`barras`]).

use crate::servicos::decisoes::Instancia;
use maud::{html, Markup, DOCTYPE};
use persus_domain::acesso::{Escopo, Papel};

use super::Sessao;
use crate::app::AppState;

fn cabeca(titulo: &str) -> Markup {
    html! {
        meta charset="utf-8";
        meta name="viewport" content="width=device-width, initial-scale=1";
        title { (titulo) " — persus" }
        link rel="icon" type="image/svg+xml" href=(super::estatico::url("favicon.svg"));
        link rel="stylesheet" href="/assets/govbr/core.min.css";
        link rel="stylesheet" href="/assets/fontawesome/css/all.min.css";
        link rel="stylesheet" href=(super::estatico::url("persus.css"));
        script src=(super::estatico::url("erros.js")) defer {}
    }
}

fn faixa(app: &AppState) -> Markup {
    html! {
        @if app.ambiente == crate::config::Ambiente::Homologacao {
            div.persus-faixa role="note" {
                i.fas.fa-flask aria-hidden="true" {} " "
                "Ambiente de homologação — dados sintéticos; nada aqui tem efeito real."
            }
        }
    }
}

fn rodape() -> Markup {
    html! {
        footer.br-footer.persus-rodape {
            div.container-lg {
                div.persus-rodape-marca {
                    img src=(super::estatico::url("favicon.svg")) alt="" width="32" height="32";
                    span { "persus — Ressarcimento ao SUS" }
                }
                span.br-divider.my-3 {}
                div.info {
                    p { "Protocolo eletrônico do ressarcimento ao SUS (Lei 9.656/1998, art. 32). Agência Nacional de Saúde Suplementar." }
                    p { small { "Dados de operadoras: ANS — dados abertos (CC BY)." } }
                }
            }
        }
    }
}

/// The queues of analysis in the menu: (instance, label). Who may open each is the instance's
/// rule ([`Instancia::papeis`]), the one the queue page checks.
const FILAS: [(Instancia, &str); 3] = [
    (Instancia::Primeira, "Impugnações"),
    (Instancia::Admissibilidade, "Recursos"),
    (Instancia::Dicol, "DICOL"),
];

/// Links of the navigation for this person: only pages that open for them (each page checks
/// the same permission; `tests/web_menu.rs` opens every link of every demo role).
pub fn menu(s: &Sessao) -> Vec<(String, &'static str)> {
    let mut m: Vec<(String, &'static str)> = vec![("/painel".into(), "Painel")];
    let mut com = |caminho: &str, rotulo: &'static str, pode: bool| {
        if pode {
            m.push((caminho.to_owned(), rotulo));
        }
    };
    if s.ans() {
        for (instancia, rotulo) in FILAS {
            com(
                &format!("/ans/filas/{}", instancia.as_str()),
                rotulo,
                s.papel_ans(instancia.papeis()),
            );
        }
        com("/ans/abis", "ABIs", s.papel_ans(&[]));
        com(
            "/ans/financeiro",
            "Financeiro",
            s.papel_ans(&[Papel::Financeiro]),
        );
        com("/ans/produtividade", "Produtividade", true);
        com("/ans/auditoria", "Auditoria", s.papel_ans(&[]));
        com("/ans/operadoras", "Operadoras", s.papel_ans(&[]));
        com("/ans/provisoes", "Provisões", true);
    } else {
        let consulta = s.pode(Escopo::Consulta);
        com("/abis", "ABIs", consulta);
        com("/processos", "Processos", consulta);
        com("/decisoes", "Decisões", consulta);
        com("/atendimentos", "Atendimentos", consulta);
        com(
            "/lotes/novo",
            "Lote de petições",
            s.pode(Escopo::Peticionar),
        );
        com("/cobranca", "Cobrança", s.pode(Escopo::Financeiro));
        com("/provisoes", "Provisões", consulta);
        com(
            "/conta/calendario",
            "Calendário de prazos",
            consulta || s.pode(Escopo::Financeiro),
        );
        com("/conta", "Usuários e aplicações", s.gestor());
    }
    m
}

/// Who is signed in, as the header says it.
fn quem(s: &Sessao) -> String {
    match s.operadora.as_deref() {
        Some(o) => format!("operadora {o}"),
        None => format!("ANS — {}", s.usuario.papel),
    }
}

/// The gov.br header: brand and signature; the person and "Sair" when signed in; the service's
/// title; below it the navigation (a plain list of links: it works without JavaScript and wraps
/// on a phone).
fn cabecalho(s: Option<&Sessao>, atual: &str) -> Markup {
    let inicio = if s.is_some() { "/painel" } else { "/" };
    html! {
        header.br-header.persus-topo {
            div.container-lg {
                div.header-top {
                    div.header-logo {
                        a.persus-marca href=(inicio) {
                            img src=(super::estatico::url("favicon.svg")) alt="" width="40" height="40";
                            span { "persus" }
                            span.sr-only { " — Ressarcimento ao SUS, página inicial" }
                        }
                        span.br-divider.vertical {}
                        div.header-sign { "Agência Nacional de Saúde Suplementar" }
                    }
                    div.header-actions {
                        @if let Some(s) = s {
                            div.persus-pessoa {
                                i.fas.fa-user-circle aria-hidden="true" {} " "
                                span { (s.usuario.nome) " " small { "(" (quem(s)) ")" } }
                            }
                            form.inline method="post" action="/sair" {
                                input type="hidden" name="csrf" value=(s.csrf);
                                button.br-button.secondary.small type="submit" {
                                    i.fas.fa-sign-out-alt aria-hidden="true" {} " Sair"
                                }
                            }
                        } @else {
                            a.br-sign-in.small href="/entrar" { i.fas.fa-user aria-hidden="true" {} " Entrar" }
                        }
                    }
                }
                div.header-bottom {
                    div.header-menu {
                        div.header-info {
                            div.header-title { "Ressarcimento ao SUS" }
                            div.header-subtitle { "Lei 9.656/1998, art. 32" }
                        }
                    }
                }
            }
        }
        @if let Some(s) = s {
            nav.persus-menu aria-label="Menu principal" {
                div.container-lg {
                    ul {
                        @for (href, rotulo) in menu(s) {
                            li { a href=(href) aria-current=[(href == atual).then_some("page")] { (rotulo) } }
                        }
                    }
                }
            }
        }
    }
}

/// The whole document around `principal` (the contents of `<main>`).
fn documento(
    app: &AppState,
    s: Option<&Sessao>,
    atual: &str,
    titulo: &str,
    principal: Markup,
) -> Markup {
    html! {
        (DOCTYPE)
        html lang="pt-BR" {
            head { (cabeca(titulo)) }
            body {
                a.skip href="#conteudo" { "Ir para o conteúdo" }
                (faixa(app))
                (cabecalho(s, atual))
                main id="conteudo" tabindex="-1" { div.container-lg { (principal) } }
                (rodape())
            }
        }
    }
}

/// A signed-in page.
pub fn pagina(app: &AppState, s: &Sessao, atual: &str, titulo: &str, corpo: Markup) -> Markup {
    documento(
        app,
        Some(s),
        atual,
        titulo,
        html! { h1 { (titulo) } (corpo) },
    )
}

/// A page without a session (sign-in).
pub fn pagina_publica(app: &AppState, titulo: &str, corpo: Markup) -> Markup {
    documento(app, None, "", titulo, corpo)
}

/// An error page: the whole frame (banner, and the menu when someone is signed in), the title,
/// the message and a way back.
pub fn pagina_erro(app: &AppState, s: Option<&Sessao>, titulo: &str, corpo: Markup) -> Markup {
    documento(app, s, "", titulo, html! { h1 { (titulo) } (corpo) })
}

/// An error page before the application's state is at hand (what the error middleware replaces
/// with [`pagina_erro`]).
pub fn pagina_simples(titulo: &str, corpo: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="pt-BR" {
            head { (cabeca(titulo)) }
            body {
                main id="conteudo" { div.container-lg { h1 { (titulo) } (corpo) } }
            }
        }
    }
}

/// The error summary of a form, in the gov.br pattern: announced (`role="alert"`), focused when
/// the page loads (`erros.js`), each message a link to its field (`(id of the field,
/// message)`). Nothing when there is no error.
pub fn resumo_erros(erros: &[(&str, &str)]) -> Markup {
    html! {
        @if !erros.is_empty() {
            div.br-message.danger.persus-resumo-erros id="resumo-erros" role="alert" tabindex="-1" aria-labelledby="resumo-erros-titulo" {
                div.icon { i.fas.fa-times-circle.fa-lg aria-hidden="true" {} }
                div.content {
                    span.message-title id="resumo-erros-titulo" {
                        @if erros.len() == 1 { "Corrija o campo abaixo:" } @else { "Corrija os " (erros.len()) " campos abaixo:" }
                    }
                    ul {
                        @for (campo, mensagem) in erros {
                            li { a href=(format!("#{campo}")) { (mensagem) } }
                        }
                    }
                }
            }
        }
    }
}

/// The message of `campo` in `erros`, to show under the field (`id="<campo>-erro"`, which the
/// field names in `aria-describedby`).
pub fn erro_do_campo(erros: &[(&str, &str)], campo: &str) -> Markup {
    html! {
        @for (c, m) in erros.iter().filter(|(c, _)| *c == campo) {
            span.campo-erro id=(format!("{c}-erro")) { i.fas.fa-times-circle aria-hidden="true" {} " " (m) }
        }
    }
}

/// `aria-describedby` and `aria-invalid` of a field with an error.
pub fn campo_invalido(
    erros: &[(&str, &str)],
    campo: &str,
) -> (Option<String>, Option<&'static str>) {
    if erros.iter().any(|(c, _)| *c == campo) {
        (Some(format!("{campo}-erro")), Some("true"))
    } else {
        (None, None)
    }
}

/// A table (or anything wide) that scrolls sideways inside its own box on a narrow screen, so
/// the page itself never does. Focusable and named, so a keyboard can scroll it.
pub fn rolavel(rotulo: &str, conteudo: Markup) -> Markup {
    html! {
        div.tabela-rolavel role="region" aria-label=(rotulo) tabindex="0" { (conteudo) }
    }
}

/// A horizontal bar chart: one row per item, with its label and figure as text (readable and
/// selectable at any width; on a phone the bar goes under the label) and the bar as a small SVG
/// whose width is a percentage (no inline style: the Content-Security-Policy forbids it).
pub fn barras(titulo: &str, itens: &[(String, i64, String)]) -> Markup {
    let max = itens.iter().map(|i| i.1).max().unwrap_or(1).max(1);
    html! {
        figure.persus-grafico {
            figcaption { (titulo) }
            ul {
                @for (rotulo, v, texto) in itens {
                    @let pct = (*v).max(0) as f64 * 100.0 / max as f64;
                    li {
                        span.rotulo { (rotulo) }
                        svg.barra aria-hidden="true" focusable="false" width="100%" height="18" {
                            rect x="0" y="0" width=(format!("{:.1}%", if *v > 0 { pct.max(0.5) } else { 0.0 })) height="18" fill="#1351b4" {}
                        }
                        span.valor.num { (texto) }
                    }
                }
            }
        }
    }
}
