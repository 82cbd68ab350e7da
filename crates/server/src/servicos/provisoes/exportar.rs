//! Every provisions table as a `;`-separated CSV (UTF-8) — for spreadsheets (pt-BR decimals,
//! `1234,56`; percentages `70,80`) and for the chain-ladder judge (`origem;idade;acumulado`, the
//! format `scripts/chainladder.sh` reads).

use persus_domain::provisoes::triangulo::Triangulo;

use super::calculo::{exige_lastro, ImpactoMudanca, LinhaPesl, PeonaOperadora};
use crate::servicos::ServicoError;

fn escritor() -> ::csv::Writer<Vec<u8>> {
    ::csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(Vec::new())
}

fn fim(w: ::csv::Writer<Vec<u8>>) -> Result<Vec<u8>, ServicoError> {
    w.into_inner()
        .map_err(|e| ServicoError::Interno(format!("CSV: {e}")))
}

fn erro(e: ::csv::Error) -> ServicoError {
    ServicoError::Interno(format!("CSV: {e}"))
}

/// `1234,56`.
pub fn decimal(c: i64) -> String {
    persus_domain::money::Centavos::new(c)
        .to_decimal_string()
        .replace('.', ",")
}

/// A percentage with two decimals and a comma: `70,80`.
pub fn pct(v: f64) -> String {
    format!("{v:.2}").replace('.', ",")
}

/// The seed's layout: one line per occurrence quarter, the cumulative % by quarters elapsed
/// (blank before the first notification), then the row's amount and count.
pub fn triangulo_pct(t: &Triangulo) -> Result<Vec<u8>, ServicoError> {
    let largura = t.maior_defasagem() + 1;
    let mut w = escritor();
    let mut cab = vec!["trimestre_ocorrencia".to_owned()];
    cab.extend((0..largura).map(|d| d.to_string()));
    cab.extend(["valor_avisado".to_owned(), "atendimentos".to_owned()]);
    w.write_record(&cab).map_err(erro)?;
    for l in &t.linhas {
        let p = l.acumulado_pct();
        let mut r = vec![l.ocorrencia.to_string()];
        r.extend((0..largura).map(|d| p.get(d).copied().flatten().map(pct).unwrap_or_default()));
        r.extend([decimal(l.total_centavos), l.total_quantidade.to_string()]);
        w.write_record(&r).map_err(erro)?;
    }
    fim(w)
}

/// The chain-ladder's input: cumulative amounts (reais, `.` decimal) by origin and age. Ages
/// start at the first delay at which anything was ever notified (age 1 = that delay): the
/// leading delays are zero for every origin and a chain-ladder cannot divide by them. Origins not
/// yet observed at that delay are left out, as are leading origins with nothing notified.
pub fn triangulo_cadeia(t: &Triangulo) -> Result<Vec<u8>, ServicoError> {
    let primeira = t
        .linhas
        .iter()
        .filter_map(|l| l.valores.iter().position(|v| *v != 0))
        .min()
        .unwrap_or(0);
    let mut w = escritor();
    w.write_record(["origem", "idade", "acumulado"])
        .map_err(erro)?;
    for l in t
        .linhas
        .iter()
        .skip_while(|l| l.total_centavos == 0)
        .filter(|l| l.valores.len() > primeira)
    {
        for (i, v) in l.acumulado().iter().enumerate().skip(primeira) {
            w.write_record([
                l.ocorrencia.to_string(),
                (i - primeira + 1).to_string(),
                persus_domain::money::Centavos::new(*v).to_decimal_string(),
            ])
            .map_err(erro)?;
        }
    }
    fim(w)
}

/// Every operator's PEONA SUS with the figures of its computation.
pub fn peona(linhas: &[PeonaOperadora]) -> Result<Vec<u8>, ServicoError> {
    let mut w = escritor();
    w.write_record([
        "registro_ans",
        "data_base",
        "trimestre_base",
        "versao",
        "fator_teto_pct",
        "janela",
        "eventos_24_meses",
        "teto_x_eventos",
        "fator_individual",
        "fator_x_eventos",
        "peona_sus",
        "limitante",
    ])
    .map_err(erro)?;
    for l in linhas {
        let c = &l.calculo;
        w.write_record([
            l.operadora.clone(),
            l.data_base.dia.format("%d/%m/%Y").to_string(),
            c.base.to_string(),
            c.versao.clone(),
            pct(f64::from(c.teto_pb) / 100.0),
            c.janela
                .map(|(a, b)| format!("{a}–{b}"))
                .unwrap_or_default(),
            decimal(c.e24_centavos),
            decimal(c.teto_centavos),
            c.fator_individual
                .map(|f| format!("{f:.6}").replace('.', ","))
                .unwrap_or_default(),
            c.fator_centavos.map(decimal).unwrap_or_default(),
            decimal(c.peona_centavos),
            c.limitante.rotulo().to_owned(),
        ])
        .map_err(erro)?;
    }
    fim(w)
}

/// The seed's impact table, then the sufficiency lines, then every operator — three tables one
/// under the other, each with its own header (the operators' has one column more).
pub fn impacto(i: &ImpactoMudanca) -> Result<Vec<u8>, ServicoError> {
    let mut w = ::csv::WriterBuilder::new()
        .delimiter(b';')
        .flexible(true)
        .from_writer(Vec::new());
    w.write_record([
        "linha",
        "operadoras",
        "pct_operadoras",
        "pct_beneficiarios_mh",
        "valor",
    ])
    .map_err(erro)?;
    for l in i.tabela.linhas.iter().chain([&i.tabela.total]) {
        w.write_record([
            l.sentido.map_or("Total", |s| s.rotulo()).to_owned(),
            l.operadoras.to_string(),
            pct(l.pct_operadoras),
            pct(l.pct_beneficiarios_mh),
            decimal(l.variacao_centavos),
        ])
        .map_err(erro)?;
    }
    for (m, n) in &i.tabela.suficiencia {
        w.write_record([m.rotulo(), &n.to_string(), "", "", ""])
            .map_err(erro)?;
    }
    w.write_record([
        "registro_ans",
        "peona_antes",
        "peona_depois",
        "variacao",
        "metodologia_propria",
        "suficiencia",
    ])
    .map_err(erro)?;
    for o in &i.operadoras {
        w.write_record([
            o.operadora.clone(),
            decimal(o.antes_centavos),
            decimal(o.depois_efetivo()),
            decimal(o.depois_efetivo() - o.antes_centavos),
            if o.metodologia_propria { "sim" } else { "não" }.to_owned(),
            o.suficiencia().rotulo().to_owned(),
        ])
        .map_err(erro)?;
    }
    fim(w)
}

/// The PESL SUS position: one line per operator and situation.
pub fn pesl(linhas: &[LinhaPesl]) -> Result<Vec<u8>, ServicoError> {
    let mut w = escritor();
    w.write_record([
        "registro_ans",
        "situacao",
        "atendimentos",
        "valor",
        "exige_lastro",
    ])
    .map_err(erro)?;
    for l in linhas {
        w.write_record([
            l.operadora.clone(),
            l.situacao.rotulo().to_owned(),
            l.quantidade.to_string(),
            decimal(l.valor_centavos),
            if exige_lastro(l.situacao) {
                "sim"
            } else {
                "não"
            }
            .to_owned(),
        ])
        .map_err(erro)?;
    }
    fim(w)
}
