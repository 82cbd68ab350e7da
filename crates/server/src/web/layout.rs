//! The page frame: gov.br header, homologação banner, navigation by role, footer, skip link.

use maud::{html, Markup, DOCTYPE};
use persus_domain::acesso::{Escopo, Papel};

use super::Sessao;
use crate::app::AppState;

fn cabeca(titulo: &str) -> Markup {
    html! {
        meta charset="utf-8";
        meta name="viewport" content="width=device-width, initial-scale=1";
        title { (titulo) " — persus" }
        link rel="stylesheet" href="/assets/govbr/core.min.css";
        link rel="stylesheet" href=(super::estatico::url("persus.css"));
    }
}

fn faixa(app: &AppState) -> Markup {
    html! {
        @if app.ambiente == crate::config::Ambiente::Homologacao {
            div.persus-faixa role="note" { "Ambiente de homologação — dados sintéticos; nada aqui tem efeito real." }
        }
    }
}

fn rodape() -> Markup {
    html! {
        footer.persus-rodape {
            div.container-lg {
                p { "persus — Ressarcimento ao SUS (Lei 9.656/1998, art. 32). Agência Nacional de Saúde Suplementar." }
                p { small { "Dados de operadoras: ANS — dados abertos (CC BY)." } }
            }
        }
    }
}

/// Links of the navigation for this person.
fn menu(s: &Sessao) -> Vec<(&'static str, &'static str)> {
    let mut m = vec![("/painel", "Painel")];
    if s.ans() {
        if s.papel_ans(&[Papel::Analista, Papel::Diretor, Papel::Dicol]) {
            m.push(("/ans/filas/primeira", "Filas de análise"));
        }
        if s.papel_ans(&[]) {
            m.push(("/ans/abis", "ABIs"));
        }
        if s.papel_ans(&[Papel::Financeiro]) {
            m.push(("/ans/financeiro", "Financeiro"));
        }
        m.push(("/ans/produtividade", "Produtividade"));
        if s.papel_ans(&[]) {
            m.push(("/ans/auditoria", "Auditoria"));
            m.push(("/ans/operadoras", "Operadoras"));
        }
    } else {
        m.push(("/abis", "ABIs"));
        m.push(("/processos", "Processos"));
        m.push(("/decisoes", "Decisões"));
        m.push(("/atendimentos", "Atendimentos"));
        if s.pode(Escopo::Peticionar) {
            m.push(("/lotes/novo", "Lote de petições"));
        }
        if s.pode(Escopo::Financeiro) {
            m.push(("/cobranca", "Cobrança"));
        }
        if s.gestor() {
            m.push(("/conta", "Usuários e aplicações"));
        }
    }
    m
}

/// A signed-in page.
pub fn pagina(app: &AppState, s: &Sessao, atual: &str, titulo: &str, corpo: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="pt-BR" {
            head { (cabeca(titulo)) }
            body {
                a.skip href="#conteudo" { "Ir para o conteúdo" }
                (faixa(app))
                header.persus-topo {
                    div.container-lg {
                        a.persus-marca href="/painel" { "persus" span.sr-only { " — Ressarcimento ao SUS" } }
                        nav aria-label="Menu principal" {
                            ul.persus-nav {
                                @for (href, rotulo) in menu(s) {
                                    li { a href=(href) aria-current=[(href == atual).then_some("page")] { (rotulo) } }
                                }
                            }
                        }
                        div {
                            span { (s.usuario.nome) " " small { "(" (s.operadora.as_deref().map(|o| format!("operadora {o}")).unwrap_or_else(|| format!("ANS — {}", s.usuario.papel))) ")" } }
                            " "
                            form.inline method="post" action="/sair" {
                                input type="hidden" name="csrf" value=(s.csrf);
                                button.br-button.secondary.small type="submit" { "Sair" }
                            }
                        }
                    }
                }
                main id="conteudo" tabindex="-1" { div.container-lg {
                    h1 { (titulo) }
                    (corpo)
                } }
                (rodape())
            }
        }
    }
}

/// A page without a session (sign-in).
pub fn pagina_publica(app: &AppState, titulo: &str, corpo: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="pt-BR" {
            head { (cabeca(titulo)) }
            body {
                a.skip href="#conteudo" { "Ir para o conteúdo" }
                (faixa(app))
                header.persus-topo { div.container-lg { a.persus-marca href="/" { "persus" } } }
                main id="conteudo" tabindex="-1" { div.container-lg { (corpo) } }
                (rodape())
            }
        }
    }
}

/// An error page (no state at hand).
pub fn pagina_simples(titulo: &str, corpo: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="pt-BR" {
            head { (cabeca(titulo)) }
            body {
                header.persus-topo { div.container-lg { a.persus-marca href="/painel" { "persus" } } }
                main id="conteudo" { div.container-lg { h1 { (titulo) } (corpo) } }
                (rodape())
            }
        }
    }
}

/// A horizontal bar chart as inline SVG (accessible: a title, and the figures in text).
pub fn barras(titulo: &str, itens: &[(String, i64, String)]) -> Markup {
    let max = itens.iter().map(|i| i.1).max().unwrap_or(1).max(1);
    // Unique per chart on a page (several charts share a page).
    let id: String = format!(
        "grafico-{}",
        titulo
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            })
            .collect::<String>()
    );
    let altura = 26 * itens.len() as i64 + 10;
    html! {
        figure {
            svg role="img" aria-labelledby=(id) width="100%" height=(altura) viewBox=(format!("0 0 640 {altura}")) preserveAspectRatio="xMinYMin meet" {
                title id=(id) { (titulo) }
                @for (i, (rotulo, v, texto)) in itens.iter().enumerate() {
                    @let y = 26 * i as i64 + 4;
                    @let w = 360 * v / max;
                    text x="0" y=(y + 16) font-size="13" fill="#333" { (rotulo) }
                    rect x="150" y=(y) width=(w.max(1)) height="20" fill="#1351b4" {}
                    text x=(160 + w) y=(y + 16) font-size="13" fill="#333" { (texto) }
                }
            }
            figcaption.sr-only { (titulo) }
        }
    }
}
