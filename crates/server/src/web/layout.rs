//! The page frame: gov.br header, homologação banner, navigation by role, footer, skip link.

use maud::{html, Markup, PreEscaped, DOCTYPE};

use super::Sessao;
use crate::app::AppState;

const ESTILO: &str = r#"
body { font-family: Rawline, Raleway, "Segoe UI", Arial, sans-serif; }
.persus-faixa { background: #ffcd07; color: #1b1b1b; padding: .5rem 1rem; font-weight: 700; }
.persus-topo { background: #fff; box-shadow: 0 1px 6px rgba(0,0,0,.16); padding: .75rem 0; }
.persus-topo .container-lg { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; justify-content: space-between; }
.persus-marca { font-weight: 700; font-size: 1.25rem; color: #1351b4; text-decoration: none; }
.persus-nav { display: flex; flex-wrap: wrap; gap: .25rem 1rem; margin: 0; padding: 0; list-style: none; }
.persus-nav a { color: #1351b4; }
.persus-nav a[aria-current="page"] { font-weight: 700; text-decoration: underline; }
main { padding: 1.5rem 0 3rem; min-height: 60vh; }
main p a:not(.br-button), main li a:not(.br-button), main dd a, main td a { text-decoration: underline; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
table.persus { width: 100%; border-collapse: collapse; }
table.persus th, table.persus td { border-bottom: 1px solid #ccc; padding: .4rem .5rem; vertical-align: top; }
table.persus th { background: #f0f0f0; text-align: left; }
.cartoes { display: grid; grid-template-columns: repeat(auto-fit, minmax(14rem, 1fr)); gap: 1rem; margin: 1rem 0; }
.cartao { border: 1px solid #ccc; border-radius: 4px; padding: 1rem; background: #fff; }
.cartao .valor { font-size: 1.75rem; font-weight: 700; color: #1351b4; }
.urgente { color: #b00020; font-weight: 700; }
.persus-upload label { display: block; font-weight: 600; margin-bottom: .25rem; }
.persus-upload input[type=file] { display: block; padding: .5rem; border: 1px dashed #1351b4; border-radius: 4px; width: 100%; max-width: 36rem; }
.campo-erro { color: #b00020; font-weight: 600; display: block; margin-top: .25rem; }
.persus-rodape { background: #071d41; color: #fff; padding: 1.5rem 0; }
.persus-rodape a, .persus-rodape p, .persus-rodape small { color: #fff; }
.linha-tempo { list-style: none; padding-left: 0; border-left: 3px solid #1351b4; }
.linha-tempo li { margin: 0 0 .75rem 0; padding-left: 1rem; }
form.inline { display: inline; }
.sr-only { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden; clip: rect(0,0,0,0); white-space: nowrap; border: 0; }
.skip { position: absolute; left: -999px; } .skip:focus { left: 1rem; top: 1rem; background: #fff; padding: .5rem; z-index: 10; }
@media (max-width: 576px) { table.persus { font-size: .875rem; } .persus-nav { font-size: .95rem; } }
"#;

fn cabeca(titulo: &str) -> Markup {
    html! {
        meta charset="utf-8";
        meta name="viewport" content="width=device-width, initial-scale=1";
        title { (titulo) " — persus" }
        link rel="stylesheet" href="/assets/govbr/core.min.css";
        style { (PreEscaped(ESTILO)) }
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
        if s.papel_ans(&["analista", "diretor", "dicol"]) {
            m.push(("/ans/filas/primeira", "Filas de análise"));
        }
        if s.papel_ans(&[]) {
            m.push(("/ans/abis", "ABIs"));
        }
        if s.papel_ans(&["financeiro"]) {
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
        if s.pode("peticionar") {
            m.push(("/lotes/novo", "Lote de petições"));
        }
        if s.pode("financeiro") {
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
