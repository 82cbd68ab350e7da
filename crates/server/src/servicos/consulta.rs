//! The attendance search, once for the web page, the API and the CSV export: a filter typed
//! from what a clerk types (an AIH/APAC number or its first digits, a beneficiary's CNS, CPF or
//! name, a SIGTAP code, a competência as `MM/AAAA`, `AAAA-MM` or `AAAAMM`, a state, a NUP with
//! or without its mask, an ABI, a deadline window), the count of every match, and pages
//! (numbered for people, by cursor for the API). Lines show the beneficiary masked
//! ([`BeneficiarioMascarado::de`], one rule); an operator only ever sees its own attendances.

use chrono::NaiveDate;
use persus_domain::acesso::TipoNotificacao;
use persus_domain::ids::{Cns, Competencia, Cpf, Nup, ProcedimentoSigtap};
use persus_domain::lifecycle::Estado;
use persus_domain::money::Centavos;
use persus_store::historico::{self as store, BuscaBeneficiario};
use persus_store::Db;

pub use persus_store::historico::{BeneficiarioMascarado, Resumo};

use super::{CampoInvalido, ServicoError};

/// The most lines one CSV export holds.
pub const LIMITE_CSV: i64 = 200_000;

/// The search as typed (a form's fields, an API's query parameters): every field optional,
/// blanks ignored. [`Filtro::ler`] checks it.
#[derive(Clone, Debug, Default)]
pub struct Pedido {
    pub numero: Option<String>,
    pub beneficiario: Option<String>,
    pub procedimento: Option<String>,
    pub competencia: Option<String>,
    pub estado: Option<String>,
    pub processo: Option<String>,
    pub abi: Option<String>,
    pub prazo_de: Option<String>,
    pub prazo_ate: Option<String>,
}

/// Who is searched for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Beneficiario {
    Cns(Cns),
    Cpf(Cpf),
    /// Part of the name (at least 3 letters).
    Nome(String),
}

/// A notice whose attendances are listed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DaNotificacao {
    pub id: i64,
    pub tipo: TipoNotificacao,
}

/// A checked search.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filtro {
    /// An AIH/APAC number, whole (13 digits) or its first digits.
    pub numero: Option<String>,
    pub beneficiario: Option<Beneficiario>,
    pub procedimento: Option<ProcedimentoSigtap>,
    pub competencia: Option<Competencia>,
    pub estado: Option<Estado>,
    pub processo: Option<Nup>,
    pub abi: Option<i32>,
    pub notificacao: Option<DaNotificacao>,
    pub prazo_de: Option<NaiveDate>,
    pub prazo_ate: Option<NaiveDate>,
}

fn limpo(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// `MM/AAAA` (as the pages show it), `AAAA-MM` (as a month field sends it) or `AAAAMM` (as
/// DATASUS writes it).
pub fn ler_competencia(texto: &str) -> Result<Competencia, String> {
    let t = texto.trim();
    let r = match t.split_once('-') {
        Some((ano, mes)) if ano.len() == 4 => Competencia::parse(&format!("{mes}/{ano}")),
        _ => Competencia::parse(t),
    };
    r.map_err(|_| {
        format!(
            "competência \"{t}\" inválida: use MM/AAAA (ex.: 09/2025) ou AAAA-MM (ex.: 2025-09)"
        )
    })
}

fn ler_beneficiario(texto: &str) -> Result<Beneficiario, String> {
    let digitos: String = texto.chars().filter(char::is_ascii_digit).collect();
    let so_numero = texto
        .chars()
        .all(|c| c.is_ascii_digit() || " .-/".contains(c));
    if !digitos.is_empty() || so_numero {
        if !so_numero {
            return Err(format!(
                "beneficiário \"{texto}\": informe só o CNS, só o CPF ou só o nome"
            ));
        }
        return match digitos.len() {
            15 => Cns::parse(&digitos)
                .map(Beneficiario::Cns)
                .map_err(|e| format!("beneficiário: {e}")),
            11 => Cpf::parse(&digitos)
                .map(Beneficiario::Cpf)
                .map_err(|e| format!("beneficiário: {e}")),
            n => Err(format!(
                "beneficiário: {n} dígitos não formam um CNS (15 dígitos) nem um CPF (11 dígitos)"
            )),
        };
    }
    let nome = texto.split_whitespace().collect::<Vec<_>>().join(" ");
    if nome.chars().filter(|c| c.is_alphabetic()).count() < 3 {
        return Err("beneficiário: informe ao menos 3 letras do nome".to_owned());
    }
    Ok(Beneficiario::Nome(nome))
}

fn ler_numero(texto: &str) -> Result<String, String> {
    let n: String = texto.chars().filter(|c| !c.is_whitespace()).collect();
    if n.is_empty() || n.len() > 13 || !n.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "número \"{texto}\" inválido: informe os 13 dígitos da AIH ou APAC, ou os primeiros"
        ));
    }
    Ok(n)
}

/// The value, or `None` with the field's message added to `erros`.
fn campo<T>(erros: &mut Vec<CampoInvalido>, nome: &str, r: Result<T, String>) -> Option<T> {
    r.map_err(|m| erros.push(CampoInvalido::new(nome, m))).ok()
}

fn ler_estado(v: &str) -> Result<Estado, String> {
    Estado::parse(v).ok_or_else(|| {
        let todos: Vec<&str> = Estado::TODOS.iter().map(|e| e.as_str()).collect();
        format!("estado \"{v}\" inválido: use {}", todos.join(", "))
    })
}

fn ler_data(campo: &str, texto: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(texto, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(texto, "%d/%m/%Y"))
        .map_err(|_| format!("{campo} \"{texto}\" inválido: use AAAA-MM-DD ou DD/MM/AAAA"))
}

impl Filtro {
    /// Checks every field at once: all that is wrong comes back together, each named by its
    /// field.
    pub fn ler(p: &Pedido) -> Result<Filtro, ServicoError> {
        let mut erros = Vec::new();
        let e = &mut erros;
        let f = Filtro {
            numero: limpo(&p.numero).and_then(|v| campo(e, "numero", ler_numero(v))),
            beneficiario: limpo(&p.beneficiario)
                .and_then(|v| campo(e, "beneficiario", ler_beneficiario(v))),
            procedimento: limpo(&p.procedimento).and_then(|v| {
                let r = ProcedimentoSigtap::parse(v).map_err(|e| format!("procedimento: {e}"));
                campo(e, "procedimento", r)
            }),
            competencia: limpo(&p.competencia)
                .and_then(|v| campo(e, "competencia", ler_competencia(v))),
            estado: limpo(&p.estado).and_then(|v| campo(e, "estado", ler_estado(v))),
            processo: limpo(&p.processo).and_then(|v| {
                let r =
                    Nup::parse(v).map_err(|e| format!("processo: {e} (ex.: 33910.000365/2025-97)"));
                campo(e, "processo", r)
            }),
            abi: limpo(&p.abi).and_then(|v| {
                let r =
                    v.parse::<i32>().ok().filter(|n| *n > 0).ok_or_else(|| {
                        format!("ABI \"{v}\" inválido: informe o número (ex.: 101)")
                    });
                campo(e, "abi", r)
            }),
            notificacao: None,
            prazo_de: limpo(&p.prazo_de)
                .and_then(|v| campo(e, "prazo_de", ler_data("prazo_de", v))),
            prazo_ate: limpo(&p.prazo_ate)
                .and_then(|v| campo(e, "prazo_ate", ler_data("prazo_ate", v))),
        };
        if erros.is_empty() {
            Ok(f)
        } else {
            Err(ServicoError::Invalido(erros))
        }
    }

    /// What the access log records when the search names a person (LGPD art. 37): `None`
    /// when it does not.
    pub fn dado_pessoal(&self) -> Option<String> {
        match &self.beneficiario {
            Some(Beneficiario::Cns(c)) => Some(format!("cns:{}", c.as_str())),
            Some(Beneficiario::Cpf(c)) => Some(format!("cpf:{}", c.as_str())),
            Some(Beneficiario::Nome(n)) => Some(format!("nome:{n}")),
            None => None,
        }
    }

    fn para_o_store(&self, operadora: Option<&str>) -> store::Filtro {
        let notificacao = |oficio: bool| {
            self.notificacao
                .filter(|n| (n.tipo == TipoNotificacao::OficioAbi) == oficio)
                .map(|n| n.id)
        };
        store::Filtro {
            operadora: operadora.map(str::to_owned),
            abi: self.abi,
            processo: self.processo.map(|n| n.as_str().to_owned()),
            estado: self.estado,
            competencia: self.competencia.map(|c| c.to_aaaamm()),
            numero: self.numero.clone(),
            beneficiario: self.beneficiario.as_ref().map(|b| match b {
                Beneficiario::Cns(c) => BuscaBeneficiario::Cns(c.as_str().to_owned()),
                Beneficiario::Cpf(c) => BuscaBeneficiario::Cpf(c.as_str().to_owned()),
                Beneficiario::Nome(n) => BuscaBeneficiario::Nome(n.clone()),
            }),
            procedimento: self.procedimento.map(|p| p.as_str().to_owned()),
            oficio: notificacao(true),
            notificacao_de_decisao: notificacao(false),
            prazo_de: self.prazo_de,
            prazo_ate: self.prazo_ate,
            apos: 0,
            pular: 0,
            limite: 0,
        }
    }
}

/// Which page of the matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pagina {
    /// Numbered pages, from 1 (a page past the last shows the last).
    Numero { numero: i64, tamanho: i64 },
    /// After the attendance id `apos` (the API's cursor).
    Apos { apos: i64, limite: i64 },
}

/// A page of matches and where it stands among all of them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resultado {
    pub itens: Vec<Resumo>,
    /// Every match of the filter.
    pub total: i64,
    /// This page's number and how many there are (at least 1).
    pub pagina: i64,
    pub paginas: i64,
    /// The cursor of the next page, when this one is full.
    pub proximo: Option<i64>,
}

/// The attendances matching `filtro`, of `operadora` (an operator) or of all (ANS).
pub async fn buscar(
    db: &Db,
    operadora: Option<&str>,
    filtro: &Filtro,
    pagina: Pagina,
) -> Result<Resultado, ServicoError> {
    let mut f = filtro.para_o_store(operadora);
    let total = store::contar(db, &f).await?;
    let tamanho = match pagina {
        Pagina::Numero { tamanho, .. } => tamanho,
        Pagina::Apos { limite, .. } => limite,
    }
    .max(1);
    let paginas = ((total + tamanho - 1) / tamanho).max(1);
    let numero = match pagina {
        Pagina::Numero { numero, .. } => {
            let n = numero.clamp(1, paginas);
            f.pular = (n - 1) * tamanho;
            n
        }
        Pagina::Apos { apos, .. } => {
            f.apos = apos;
            // Which page the cursor is on is not known without counting before it: the first
            // page is 1, the others are told by the cursor.
            1
        }
    };
    f.limite = tamanho;
    let itens = store::buscar(db, &f).await?;
    let proximo = (itens.len() as i64 == tamanho)
        .then(|| itens.last().map(|i| i.id))
        .flatten();
    Ok(Resultado {
        itens,
        total,
        pagina: numero,
        paginas,
        proximo,
    })
}

/// Spreadsheet-friendly pt-BR decimals: `1234,56` (no thousands separator, no currency).
fn decimal(c: i64) -> String {
    Centavos::new(c).to_decimal_string().replace('.', ",")
}

/// The same search as a `;`-separated CSV (UTF-8), every match up to [`LIMITE_CSV`] lines. The
/// first columns are codes for programs (competência `AAAAMM`, state code); `situacao` and the
/// masked beneficiary are for people.
pub async fn csv(
    db: &Db,
    operadora: Option<&str>,
    filtro: &Filtro,
) -> Result<Vec<u8>, ServicoError> {
    let mut f = filtro.para_o_store(operadora);
    f.limite = LIMITE_CSV;
    let itens = store::buscar(db, &f).await?;
    let mut w = ::csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(Vec::new());
    let erro = |e: ::csv::Error| ServicoError::Interno(format!("CSV: {e}"));
    w.write_record([
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
        "situacao",
        "procedimento",
        "beneficiario",
        "cns",
    ])
    .map_err(erro)?;
    for i in &itens {
        w.write_record([
            i.numero.clone(),
            i.tipo.clone(),
            i.competencia.clone(),
            i.operadora.clone(),
            i.abi.map(|a| a.to_string()).unwrap_or_default(),
            i.processo.clone().unwrap_or_default(),
            i.estado.as_str().to_owned(),
            decimal(i.valor_ressarcimento_centavos),
            i.valor_devido_centavos.map(decimal).unwrap_or_default(),
            i.prazo_impugnacao
                .map(|d| d.format("%d/%m/%Y").to_string())
                .unwrap_or_default(),
            i.estado.rotulo().to_owned(),
            i.procedimento.clone(),
            i.beneficiario.nome.clone(),
            i.beneficiario.cns.clone(),
        ])
        .map_err(erro)?;
    }
    w.into_inner()
        .map_err(|e| ServicoError::Interno(format!("CSV: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn competencia_in_every_format_people_type() {
        for t in ["09/2025", "9/2025", "2025-09", "202509", " 09/2025 "] {
            assert_eq!(ler_competencia(t).unwrap().to_aaaamm(), "202509", "{t}");
        }
        for t in ["13/2025", "2025-13", "2025/09", "set/2025", "20259"] {
            assert!(ler_competencia(t).is_err(), "{t}");
        }
    }

    #[test]
    fn beneficiary_by_cns_cpf_or_name() {
        assert!(matches!(
            ler_beneficiario("123.456.789-09"),
            Ok(Beneficiario::Cpf(_))
        ));
        assert!(ler_beneficiario("12345678900").is_err());
        assert!(matches!(
            ler_beneficiario("  maria   silva "),
            Ok(Beneficiario::Nome(n)) if n == "maria silva"
        ));
        assert!(ler_beneficiario("jo").is_err());
        assert!(ler_beneficiario("maria 123").is_err());
        assert!(ler_beneficiario("1234").is_err());
    }

    #[test]
    fn every_wrong_field_is_named_at_once() {
        let p = Pedido {
            estado: Some("pago".into()),
            competencia: Some("13/2025".into()),
            prazo_ate: Some("31-12-2026".into()),
            numero: Some("12a".into()),
            ..Default::default()
        };
        let Err(ServicoError::Invalido(erros)) = Filtro::ler(&p) else {
            panic!("invalid filter accepted");
        };
        let campos: Vec<&str> = erros.iter().map(|e| e.campo.as_str()).collect();
        assert_eq!(campos, ["numero", "competencia", "estado", "prazo_ate"]);
        assert!(erros[2].mensagem.contains("estado \"pago\""));
        // Blank fields are no filter.
        let vazio = Pedido {
            numero: Some("  ".into()),
            ..Default::default()
        };
        assert_eq!(Filtro::ler(&vazio).unwrap(), Filtro::default());
    }
}
