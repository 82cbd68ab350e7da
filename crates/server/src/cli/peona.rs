//! `persus peona …`: PEONA SUS and PESL SUS from the terminal (issue #14) — the computation
//! explained, the runoff triangle, the impact of a parameter change, the yearly study and its
//! approval, the what-if, the assets import. Thin: every use case is in `servicos::provisoes`.

use std::path::PathBuf;

use clap::{Subcommand, ValueEnum};
use persus_domain::money::Centavos;
use persus_store::auditoria::Ator;
use persus_store::Db;

use crate::servicos::provisoes::calculo::{self, DataBase, PeonaOperadora};
use crate::servicos::provisoes::exportar;
use crate::servicos::provisoes::parametros as decisao;
use crate::servicos::relogio::{Relogio, RelogioSistema};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Formato {
    /// Texto para pessoas.
    Texto,
    /// CSV (;) para planilhas.
    Csv,
    /// JSON com todos os números do cálculo.
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FormatoTriangulo {
    Texto,
    /// Percentuais acumulados no leiaute do estudo anual da ANS.
    Csv,
    /// origem;idade;acumulado — a entrada de scripts/chainladder.sh.
    Cadeia,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum PeonaCmd {
    /// PEONA SUS pela fórmula padrão (RN 574/2023, Anexo VIII), com cada número do cálculo.
    Calcular {
        /// Registro ANS da operadora; sem ele, todas as operadoras com eventos avisados.
        #[arg(long)]
        operadora: Option<String>,
        /// Data-base (AAAA-MM-DD ou DD/MM/AAAA); padrão: o último trimestre encerrado.
        #[arg(long)]
        data_base: Option<String>,
        /// Versão dos parâmetros (ex.: rn574-66); padrão: a vigente na data-base.
        #[arg(long)]
        versao: Option<String>,
        #[arg(long, value_enum, default_value = "texto")]
        formato: Formato,
    },
    /// PESL SUS: o que foi notificado e não está pago, por operadora e situação.
    Pesl {
        #[arg(long)]
        operadora: Option<String>,
        /// Data-base (AAAA-MM-DD ou DD/MM/AAAA); padrão: hoje.
        #[arg(long)]
        data_base: Option<String>,
        #[arg(long, value_enum, default_value = "texto")]
        formato: Formato,
    },
    /// Triângulo de runoff: trimestre de ocorrência × trimestres até o aviso.
    Triangulo {
        #[arg(long)]
        operadora: Option<String>,
        #[arg(long)]
        data_base: Option<String>,
        /// Primeiro trimestre de ocorrência (ex.: 1T2016).
        #[arg(long)]
        desde: Option<String>,
        #[arg(long, value_enum, default_value = "texto")]
        formato: FormatoTriangulo,
    },
    /// Impacto de uma mudança de parâmetros em todas as operadoras (a tabela do estudo da ANS).
    Impacto {
        #[arg(long)]
        data_base: Option<String>,
        /// Versão atual (ex.: rn574-66).
        #[arg(long, default_value = "rn574-66")]
        de: String,
        /// Versão proposta (ex.: rn640-65).
        #[arg(long, default_value = "rn640-65")]
        para: String,
        #[arg(long, value_enum, default_value = "texto")]
        formato: Formato,
    },
    /// Estudo anual (triângulo até 30 de junho) que registra uma proposta de parâmetros; nada
    /// muda até a ANS aprovar.
    Estudo {
        #[arg(long)]
        ano: u16,
        /// Usuário da ANS que registra a proposta (fica na trilha de auditoria).
        #[arg(long)]
        por: String,
    },
    /// Aprova uma proposta de parâmetros (auditado); passa a valer no início da sua vigência.
    Aprovar {
        versao: String,
        #[arg(long)]
        por: String,
    },
    /// Rejeita uma proposta de parâmetros (auditado).
    Rejeitar {
        versao: String,
        #[arg(long)]
        por: String,
    },
    /// E se os ABIs saíssem N trimestres antes? PEONA SUS atual e simulada.
    Simular {
        #[arg(long)]
        operadora: Option<String>,
        #[arg(long)]
        data_base: Option<String>,
        #[arg(long, default_value_t = 1)]
        trimestres: u32,
    },
    /// Importa ativos garantidores e demais provisões por operadora (CSV da ANS).
    Ativos {
        #[arg(long)]
        por: String,
        arquivo: PathBuf,
    },
}

/// The base date asked for, or today in Brasília (the computation uses the last closed quarter).
fn base(texto: Option<&str>) -> anyhow::Result<DataBase> {
    Ok(DataBase::ou_hoje(texto, RelogioSistema.hoje())?)
}

fn reais(c: i64) -> String {
    Centavos::new(c).to_string()
}

#[allow(clippy::print_stdout)]
fn saida(s: &str) {
    println!("{s}");
}

fn escrever(bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    std::io::stdout().write_all(bytes)?;
    Ok(())
}

pub(super) async fn executar(db: Db, cmd: PeonaCmd) -> anyhow::Result<()> {
    let db = &db;
    match cmd {
        PeonaCmd::Calcular {
            operadora,
            data_base,
            versao,
            formato,
        } => {
            let b = base(data_base.as_deref())?;
            let linhas = match operadora.as_deref() {
                Some(op) => vec![calculo::peona_operadora(db, op, b, versao.as_deref()).await?],
                None => calculo::peona_todas(db, b, versao.as_deref()).await?,
            };
            match formato {
                Formato::Json => saida(&serde_json::to_string_pretty(&linhas)?),
                Formato::Csv => escrever(&exportar::peona(&linhas)?)?,
                Formato::Texto if linhas.len() == 1 => explicar(&linhas[0]),
                Formato::Texto => resumo(&linhas),
            }
        }
        PeonaCmd::Pesl {
            operadora,
            data_base,
            formato,
        } => {
            let b = base(data_base.as_deref())?;
            let linhas = calculo::pesl(db, operadora.as_deref(), b).await?;
            match formato {
                Formato::Json => saida(&serde_json::to_string_pretty(&linhas)?),
                Formato::Csv => escrever(&exportar::pesl(&linhas)?)?,
                Formato::Texto => {
                    let total: i64 = linhas.iter().map(|l| l.valor_centavos).sum();
                    let lastro: i64 = linhas
                        .iter()
                        .filter(|l| calculo::exige_lastro(l.situacao))
                        .map(|l| l.valor_centavos)
                        .sum();
                    saida(&format!(
                        "PESL SUS em {}: {} ({} exigem lastro em ativos garantidores)",
                        b.dia.format("%d/%m/%Y"),
                        reais(total),
                        reais(lastro)
                    ));
                    saida("Operadora\tSituação\tAtendimentos\tValor");
                    for l in &linhas {
                        saida(&format!(
                            "{}\t{}\t{}\t{}",
                            l.operadora,
                            l.situacao.rotulo(),
                            l.quantidade,
                            reais(l.valor_centavos)
                        ));
                    }
                }
            }
        }
        PeonaCmd::Triangulo {
            operadora,
            data_base,
            desde,
            formato,
        } => {
            let b = base(data_base.as_deref())?;
            let desde = desde
                .as_deref()
                .map(|t| calculo::ler_trimestre("desde", t))
                .transpose()?;
            let t = calculo::triangulo(db, operadora.as_deref(), b, desde).await?;
            match formato {
                FormatoTriangulo::Json => saida(&serde_json::to_string_pretty(&t)?),
                FormatoTriangulo::Csv => escrever(&exportar::triangulo_pct(&t)?)?,
                FormatoTriangulo::Cadeia => escrever(&exportar::triangulo_cadeia(&t)?)?,
                FormatoTriangulo::Texto => {
                    let csv = exportar::triangulo_pct(&t)?;
                    saida(&String::from_utf8_lossy(&csv).replace(';', "\t"));
                }
            }
        }
        PeonaCmd::Impacto {
            data_base,
            de,
            para,
            formato,
        } => {
            let b = base(data_base.as_deref())?;
            let i = calculo::impacto(db, b, &de, &para).await?;
            match formato {
                Formato::Json => saida(&serde_json::to_string_pretty(&i)?),
                Formato::Csv => escrever(&exportar::impacto(&i)?)?,
                Formato::Texto => impacto_texto(&i),
            }
        }
        PeonaCmd::Estudo { ano, por } => {
            let e = calculo::estudo(db, ano, RelogioSistema.hoje()).await?;
            decisao::propor(db, &e, &Ator::sistema(&por), chrono::Utc::now()).await?;
            saida(&format!(
                "Estudo anual de {ano}: triângulo até {} ({} trimestres de ocorrência).",
                e.data_base.dia.format("%d/%m/%Y"),
                e.triangulo.linhas.len()
            ));
            let dev: Vec<String> = e
                .desenvolvimento_pct
                .iter()
                .enumerate()
                .filter_map(|(d, p)| p.map(|p| format!("{d}: {}%", exportar::pct(p))))
                .collect();
            saida(&format!(
                "Desenvolvimento acumulado do setor (trimestres: %): {}",
                dev.join(" | ")
            ));
            saida(&format!(
                "Proposta {}: fator teto {}, janela {} a {}, vigência a partir de {} — aguarda aprovação: persus peona aprovar {} --por USUÁRIO",
                e.proposta.versao,
                e.proposta.teto_rotulo(),
                e.proposta.janela_inicio,
                e.proposta.janela_fim.map(|b| b.to_string()).unwrap_or_default(),
                e.proposta.vigencia_inicio.format("%d/%m/%Y"),
                e.proposta.versao
            ));
        }
        PeonaCmd::Aprovar { versao, por } => {
            decisao::decidir(db, &versao, true, &Ator::sistema(&por), chrono::Utc::now()).await?;
            saida(&format!("Parâmetros {versao} aprovados por {por}."));
        }
        PeonaCmd::Rejeitar { versao, por } => {
            decisao::decidir(db, &versao, false, &Ator::sistema(&por), chrono::Utc::now()).await?;
            saida(&format!("Parâmetros {versao} rejeitados por {por}."));
        }
        PeonaCmd::Simular {
            operadora,
            data_base,
            trimestres,
        } => {
            let b = base(data_base.as_deref())?;
            let s = calculo::simular_antecipacao(db, operadora.as_deref(), b, trimestres).await?;
            saida(&format!(
                "PEONA SUS em {} ({}): {} hoje; {} se os ABIs saíssem {} trimestre(s) antes ({}).",
                b.dia.format("%d/%m/%Y"),
                operadora.as_deref().unwrap_or("setor"),
                reais(s.atual_centavos),
                reais(s.simulada_centavos),
                trimestres,
                reais(s.simulada_centavos - s.atual_centavos)
            ));
        }
        PeonaCmd::Ativos { por, arquivo } => {
            use crate::servicos::provisoes::ativos;
            let (nome, bytes) = super::ler_arquivo(&arquivo, ativos::LIMITE_BYTES)?;
            let ator = persus_store::auditoria::Ator::sistema(&por);
            let r = ativos::importar(db, &nome, &bytes, &ator, chrono::Utc::now()).await?;
            saida(&format!(
                "{} linhas de ativos garantidores importadas de {nome} ({}), por {por}.",
                r.linhas, r.codificacao
            ));
        }
    }
    Ok(())
}

/// One operator's computation, step by step.
fn explicar(p: &PeonaOperadora) {
    let c = &p.calculo;
    saida(&format!(
        "PEONA SUS da operadora {} — data-base {} (trimestre {})",
        p.operadora,
        p.data_base.dia.format("%d/%m/%Y"),
        c.base
    ));
    saida(&format!(
        "Parâmetros {}: fator teto {}; fonte: {} [{}]",
        c.versao,
        p.parametros.teto_rotulo(),
        p.parametros.fonte,
        p.parametros.certeza
    ));
    let desde = c
        .base
        .somar(1 - persus_domain::provisoes::peona::TRIMESTRES_24_MESES);
    saida(&format!(
        "Eventos avisados nos últimos 24 meses ({} a {}): {}",
        desde.map(|t| t.to_string()).unwrap_or_default(),
        c.base,
        reais(c.e24_centavos)
    ));
    match c.janela {
        Some((a, b)) => saida(&format!("Janela do fator individual: {a} a {b}")),
        None => saida("Janela do fator individual: vazia nesta data-base"),
    }
    saida("Trimestre\tEONA SUS\tEventos 24 meses\tRazão");
    for t in &c.trimestres {
        saida(&format!(
            "{}\t{}\t{}\t{}",
            t.trimestre,
            reais(t.eona_centavos),
            reais(t.e24_centavos),
            t.razao
                .map(|r| format!("{r:.6}").replace('.', ","))
                .unwrap_or_else(|| "— (sem eventos: fora da média)".into())
        ));
    }
    match c.fator_individual {
        Some(f) => saida(&format!(
            "Fator individual (média geométrica de {} trimestres): {}",
            c.trimestres_na_media,
            format!("{f:.6}").replace('.', ",")
        )),
        None => saida("Fator individual: sem trimestre com eventos na janela"),
    }
    saida(&format!(
        "I  — fator teto × eventos: {} × {} = {}",
        p.parametros.teto_rotulo(),
        reais(c.e24_centavos),
        reais(c.teto_centavos)
    ));
    if let (Some(f), Some(v)) = (c.fator_individual, c.fator_centavos) {
        saida(&format!(
            "II — fator individual × eventos: {} × {} = {}",
            format!("{f:.6}").replace('.', ","),
            reais(c.e24_centavos),
            reais(v)
        ));
    }
    saida(&format!(
        "PEONA SUS = o menor valor = {} ({})",
        reais(c.peona_centavos),
        c.limitante.rotulo()
    ));
}

fn resumo(linhas: &[PeonaOperadora]) {
    let total: i64 = linhas.iter().map(|l| l.calculo.peona_centavos).sum();
    if let Some(l) = linhas.first() {
        saida(&format!(
            "PEONA SUS de {} operadoras — data-base {}, parâmetros {}: total {}",
            linhas.len(),
            l.data_base.dia.format("%d/%m/%Y"),
            l.calculo.versao,
            reais(total)
        ));
    }
    saida("Operadora\tEventos 24 meses\tFator individual\tPEONA SUS\tLimitante");
    for l in linhas {
        let c = &l.calculo;
        saida(&format!(
            "{}\t{}\t{}\t{}\t{}",
            l.operadora,
            reais(c.e24_centavos),
            c.fator_individual
                .map(|f| format!("{f:.6}").replace('.', ","))
                .unwrap_or_else(|| "—".into()),
            reais(c.peona_centavos),
            c.limitante.rotulo()
        ));
    }
}

fn impacto_texto(i: &calculo::ImpactoMudanca) {
    saida(&format!(
        "Impacto da mudança {} ({}) → {} ({}) na data-base {}",
        i.de.versao,
        i.de.teto_rotulo(),
        i.para.versao,
        i.para.teto_rotulo(),
        i.data_base.dia.format("%d/%m/%Y")
    ));
    saida("\tOPS\t% OPS\t% Beneficiários MH\tValor");
    for l in i.tabela.linhas.iter().chain([&i.tabela.total]) {
        saida(&format!(
            "{}\t{}\t{}%\t{}%\t{}",
            l.sentido.map_or("Total", |s| s.rotulo()),
            l.operadoras,
            exportar::pct(l.pct_operadoras),
            exportar::pct(l.pct_beneficiarios_mh),
            reais(l.variacao_centavos)
        ));
    }
    saida("Alteração na suficiência de ativos garantidores por causa da mudança na PEONA SUS");
    for (m, n) in &i.tabela.suficiencia {
        saida(&format!("{}\t{n}", m.rotulo()));
    }
}
