//! The demo generator: plain rows from a seed, no I/O (the caller writes them).

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use persus_domain::ids::{
    Aih, Apac, Cnes, Cns, Competencia, Cpf, ProcedimentoSigtap, TipoAih, TipoApac, Trimestre,
};
use persus_domain::money::Centavos;
use persus_domain::valoracao::{regras_padrao, valorar, Regra};
use persus_store::demo::{
    NovoAtendimento, NovoBeneficiario, NovoEstabelecimento, NovoItemProcedimento, NovoProcedimento,
    NovoVinculo,
};
use persus_store::operadoras::Operadora;

use super::catalogo::{
    self, Instrumento, ProcedimentoDemo, Publico, MUNICIPIOS, NOMES_FEMININOS, NOMES_MASCULINOS,
    PROCEDIMENTOS, SOBRENOMES,
};
use super::rng::Rng;
use super::Params;

/// The seven operators with most identifications in ABIs 56–59 (seeds, PERSUS 2.0 plan, 2018),
/// with their totals: the demo keeps their proportions.
pub const TOP7: [(&str, u64); 7] = [
    ("368253", 42_228),
    ("326305", 40_436),
    ("005711", 30_477),
    ("343889", 23_573),
    ("323080", 23_210),
    ("359017", 19_939),
    ("339679", 16_503),
];

/// The version of `crates/domain/data/valoracao.csv` that values every demo attendance (all are
/// from 2008 on: IVR = 1.5 × SUS value, RN 504/2022 art. 1); stamped on each row.
pub const REGRA_VALORACAO: &str = "ivr-rn504-2022";

/// Modalities that do not receive SUS hospital/outpatient identifications in the demo.
const MODALIDADES_SEM_ATENDIMENTOS: &[&str] = &[
    "Administradora de Benefícios",
    "Odontologia de Grupo",
    "Cooperativa odontológica",
];

/// The competência quarters of the demo, oldest first: 2T2024 … 3T2025.
pub fn trimestres() -> Vec<Trimestre> {
    let mut t = Trimestre::parse("2T2024").expect("literal quarter");
    let mut out = Vec::with_capacity(6);
    for _ in 0..6 {
        out.push(t);
        t = t.seguinte();
    }
    out
}

/// How many attendances each operator gets, in registro order (stable for a seed and scale).
pub fn plano_operadoras(ops: &[Operadora], params: Params) -> Vec<(Operadora, u64)> {
    let total = params.atendimentos;
    let mut rng = Rng::new(params.seed).fork(0x0915);
    let elegiveis: Vec<&Operadora> = ops
        .iter()
        .filter(|o| !MODALIDADES_SEM_ATENDIMENTOS.contains(&o.modalidade.as_str()))
        .collect();
    let mut cauda: Vec<&Operadora> = elegiveis
        .iter()
        .copied()
        .filter(|o| !TOP7.iter().any(|(r, _)| *r == o.registro_ans))
        .collect();
    // Fisher–Yates: which mid-size operators are large varies with the seed.
    for i in (1..cauda.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        cauda.swap(i, j);
    }
    let mut pesos: Vec<(&Operadora, f64)> = Vec::new();
    for (registro, total_ranking) in TOP7 {
        if let Some(op) = elegiveis.iter().find(|o| o.registro_ans == registro) {
            pesos.push((op, total_ranking as f64));
        }
    }
    // Power-law tail: the 8th operator is just below the 7th; together the tail holds ~60%.
    for (i, op) in cauda.iter().enumerate() {
        pesos.push((op, 15_000.0 / (1.0 + i as f64 / 8.0).powf(1.3)));
    }
    let cotas = repartir(total, &pesos.iter().map(|(_, w)| *w).collect::<Vec<_>>());
    let mut plano: Vec<(Operadora, u64)> = pesos
        .into_iter()
        .zip(cotas)
        .filter(|(_, n)| *n > 0)
        .map(|((op, _), n)| (op.clone(), n))
        .collect();
    plano.sort_by(|a, b| a.0.registro_ans.cmp(&b.0.registro_ans));
    plano
}

/// Splits `total` in proportion to `pesos`, exactly (largest remainder), deterministically.
pub fn repartir(total: u64, pesos: &[f64]) -> Vec<u64> {
    let soma: f64 = pesos.iter().sum();
    if soma <= 0.0 {
        return vec![0; pesos.len()];
    }
    let exatos: Vec<f64> = pesos.iter().map(|w| total as f64 * w / soma).collect();
    let mut cotas: Vec<u64> = exatos.iter().map(|x| x.floor() as u64).collect();
    let faltam = total.saturating_sub(cotas.iter().sum());
    let mut ordem: Vec<usize> = (0..pesos.len()).collect();
    // Largest fractional part first; ties by position so the result never depends on sort
    // stability.
    ordem.sort_by(|a, b| {
        let (fa, fb) = (
            exatos[*a] - exatos[*a].floor(),
            exatos[*b] - exatos[*b].floor(),
        );
        fb.total_cmp(&fa).then(a.cmp(b))
    });
    for i in ordem.into_iter().take(faltam as usize) {
        cotas[i] += 1;
    }
    cotas
}

/// Rows waiting to be written.
#[derive(Default)]
pub struct Lote {
    pub beneficiarios: Vec<NovoBeneficiario>,
    pub vinculos: Vec<NovoVinculo>,
    pub atendimentos: Vec<NovoAtendimento>,
    pub itens: Vec<NovoItemProcedimento>,
}

struct Estabelecimento {
    cnes: String,
    municipio: usize,
    aih: bool,
    apac: bool,
}

/// A beneficiary already created for an operator, who may be treated again.
#[derive(Clone)]
struct Paciente {
    beneficiario_id: i64,
    vinculo_id: i64,
    municipio: usize,
    feminino: bool,
    nascimento: NaiveDate,
    segmentacao: &'static str,
    nacional: bool,
    fim_carencia: NaiveDate,
}

pub struct Gerador {
    root: Rng,
    seed: u64,
    codigos: Vec<String>,
    codigo_uti: String,
    estabelecimentos: Vec<Estabelecimento>,
    nomes_estabelecimentos: Vec<NovoEstabelecimento>,
    proximo_beneficiario: i64,
    proximo_vinculo: i64,
    proximo_atendimento: i64,
    sequencias: HashMap<(u8, u8, u8), u32>,
    regras_valoracao: Vec<Regra>,
}

/// An operator with the plans it sells and the cities of its state: what every attendance
/// and beneficiary of that operator is drawn from.
#[derive(Clone, Copy)]
struct Carteira<'a> {
    op: &'a Operadora,
    produtos: &'a [String],
    locais: &'a [usize],
}

impl Gerador {
    pub fn new(seed: u64) -> Gerador {
        let root = Rng::new(seed);
        let codigo = |p: &ProcedimentoDemo| {
            ProcedimentoSigtap::from_base(p.base)
                .expect("catalogue bases are valid SIGTAP bases (tested)")
                .as_str()
                .to_owned()
        };
        let codigos = PROCEDIMENTOS.iter().map(codigo).collect();
        let codigo_uti = codigo(&catalogo::DIARIA_UTI);
        let mut estabelecimentos = Vec::new();
        let mut nomes_estabelecimentos = Vec::new();
        let offset = root.fork(0xC4E5).below(7_000_000);
        for (i, (ibge, nome, uf)) in MUNICIPIOS.iter().enumerate() {
            let tipos: [(&str, &'static str, bool, bool); 3] = [
                ("Hospital Municipal de", "publico", true, false),
                ("Santa Casa de Misericórdia de", "filantropico", true, true),
                (
                    "Centro de Alta Complexidade de",
                    "privado_conveniado",
                    false,
                    true,
                ),
            ];
            for (j, (prefixo, natureza, aih, apac)) in tipos.into_iter().enumerate() {
                // k ↦ (k·7919 + offset) mod 7,000,000 is a bijection (7919 is prime, coprime
                // with 7·10⁶): unique CNES numbers without a lookup.
                let k = (i * 3 + j) as u64;
                let n = 2_000_000 + (k * 7919 + offset) % 7_000_000;
                let cnes = Cnes::from_u32(n as u32)
                    .expect("7-digit CNES")
                    .as_str()
                    .to_owned();
                nomes_estabelecimentos.push(NovoEstabelecimento {
                    cnes: cnes.clone(),
                    nome: format!("{prefixo} {nome}"),
                    natureza,
                    municipio_ibge: (*ibge).to_owned(),
                    uf: (*uf).to_owned(),
                });
                estabelecimentos.push(Estabelecimento {
                    cnes,
                    municipio: i,
                    aih,
                    apac,
                });
            }
        }
        Gerador {
            root,
            seed,
            codigos,
            codigo_uti,
            estabelecimentos,
            nomes_estabelecimentos,
            proximo_beneficiario: 1,
            proximo_vinculo: 1,
            proximo_atendimento: 1,
            sequencias: HashMap::new(),
            regras_valoracao: regras_padrao(),
        }
    }

    pub fn procedimentos_rows(&self) -> Vec<NovoProcedimento> {
        PROCEDIMENTOS
            .iter()
            .chain(std::iter::once(&catalogo::DIARIA_UTI))
            .zip(self.codigos.iter().chain(std::iter::once(&self.codigo_uti)))
            .map(|(p, codigo)| NovoProcedimento {
                codigo: codigo.clone(),
                nome: p.nome.to_owned(),
                grupo: (p.base / 10_000_000) as i16,
                instrumento: p.instrumento.as_str(),
                valor_referencia_centavos: p.valor_centavos,
            })
            .collect()
    }

    pub fn estabelecimentos_rows(&self) -> Vec<NovoEstabelecimento> {
        self.nomes_estabelecimentos.clone()
    }

    /// Generates `alvo` attendances of one operator (and the beneficiaries behind them).
    pub fn operadora(&mut self, op: &Operadora, alvo: u64, out: &mut Lote) {
        let salt = op.registro_ans.parse::<u64>().unwrap_or(0);
        let mut rng = self.root.fork(salt);
        let produtos: Vec<String> = (0..rng.range(2, 6))
            .map(|_| format!("4{:08}", rng.below(100_000_000)))
            .collect();
        let locais: Vec<usize> = MUNICIPIOS
            .iter()
            .enumerate()
            .filter(|(_, m)| m.2 == op.uf)
            .map(|(i, _)| i)
            .collect();
        let mut pacientes: Vec<Paciente> = Vec::new();
        let trimestres = trimestres();
        // Slow growth quarter over quarter, as the notified volume grew in the 2010s.
        let por_trimestre = repartir(alvo, &[95.0, 98.0, 100.0, 102.0, 104.0, 106.0]);
        for (t, n) in trimestres.iter().zip(por_trimestre) {
            for k in 0..n {
                let competencia = t.competencias()[(k % 3) as usize];
                let carteira = Carteira {
                    op,
                    produtos: &produtos,
                    locais: &locais,
                };
                self.atendimento(&carteira, &mut rng, &mut pacientes, (*t, competencia), out);
            }
        }
    }

    /// One attendance of the operator in `quando` (its quarter and competência).
    fn atendimento(
        &mut self,
        carteira: &Carteira,
        rng: &mut Rng,
        pacientes: &mut Vec<Paciente>,
        quando: (Trimestre, Competencia),
        out: &mut Lote,
    ) {
        let op = carteira.op;
        let (trimestre, competencia) = quando;
        let instrumento = if rng.chance(550) {
            Instrumento::Aih
        } else {
            Instrumento::Apac
        };
        let candidatos: Vec<usize> = (0..PROCEDIMENTOS.len())
            .filter(|i| PROCEDIMENTOS[*i].instrumento == instrumento)
            .collect();
        let pesos: Vec<u32> = candidatos.iter().map(|i| PROCEDIMENTOS[*i].peso).collect();
        let proc_idx = candidatos[rng.weighted(&pesos)];
        let proc = PROCEDIMENTOS[proc_idx];

        // Dates: an AIH's competência is the month of discharge; an APAC covers its month.
        let (inicio, fim) = match instrumento {
            Instrumento::Aih => {
                let primeiro = competencia.primeiro_dia();
                let dias_mes = competencia.ultimo_dia().day();
                let fim = primeiro + Duration::days(i64::from(rng.range(0, dias_mes - 1)));
                let permanencia = rng.range(proc.faixa.0, proc.faixa.1);
                (fim - Duration::days(i64::from(permanencia)), fim)
            }
            Instrumento::Apac => (competencia.primeiro_dia(), competencia.ultimo_dia()),
        };

        // Chronic outpatient care brings the same people back; admissions less so.
        let reuso = if instrumento == Instrumento::Apac {
            450
        } else {
            120
        };
        let existente = if !pacientes.is_empty() && rng.chance(reuso) {
            let p = rng.pick(pacientes);
            compativel(p, &proc, inicio).then(|| p.clone())
        } else {
            None
        };
        let paciente = match existente {
            Some(p) => p,
            None => {
                let p = self.novo_paciente(carteira, rng, &proc, inicio, out);
                pacientes.push(p.clone());
                p
            }
        };

        // Where: usually the patient's city; sometimes elsewhere in the state, rarely (only on
        // national plans) anywhere.
        let uf_paciente = MUNICIPIOS[paciente.municipio].2;
        let municipio = if rng.chance(800) {
            paciente.municipio
        } else if paciente.nacional && rng.chance(250) {
            rng.below(MUNICIPIOS.len() as u64) as usize
        } else {
            let mesma_uf: Vec<usize> = (0..MUNICIPIOS.len())
                .filter(|i| MUNICIPIOS[*i].2 == uf_paciente)
                .collect();
            *rng.pick(&mesma_uf)
        };
        let locais_atendimento: Vec<&Estabelecimento> = self
            .estabelecimentos
            .iter()
            .filter(|e| {
                e.municipio == municipio
                    && match instrumento {
                        Instrumento::Aih => e.aih,
                        Instrumento::Apac => e.apac,
                    }
            })
            .collect();
        let cnes = rng.pick(&locais_atendimento).cnes.clone();
        let (_, _, uf_atendimento) = MUNICIPIOS[municipio];
        let uf_code = catalogo::uf_ibge(uf_atendimento).expect("catalogue UFs are valid");
        let ano2 = (inicio.year() % 100) as u8;

        let carater = match instrumento {
            Instrumento::Aih if rng.chance(700) => "urgencia",
            _ => "eletivo",
        };
        let numero = match instrumento {
            Instrumento::Aih => {
                let tipo = if carater == "eletivo" && rng.chance(250) {
                    TipoAih::Eletiva
                } else {
                    TipoAih::UsoGeral
                };
                let digito = if tipo == TipoAih::Eletiva { 5 } else { 1 };
                let seq = self.sequencia(uf_code, ano2, digito);
                Aih::new(uf_code, ano2, tipo, seq)
                    .expect("valid AIH parts")
                    .as_str()
                    .to_owned()
            }
            Instrumento::Apac => {
                let seq = self.sequencia(uf_code, ano2, 2);
                Apac::new(uf_code, ano2, TipoApac::UsoGeral, seq)
                    .expect("valid APAC parts")
                    .as_str()
                    .to_owned()
            }
        };

        let id = self.proximo_atendimento;
        self.proximo_atendimento += 1;
        let mut itens = Vec::with_capacity(2);
        let quantidade = match instrumento {
            Instrumento::Apac => rng.range(proc.faixa.0, proc.faixa.1),
            Instrumento::Aih => 1,
        };
        itens.push((
            self.codigos[proc_idx].clone(),
            quantidade,
            proc.valor_centavos * i64::from(quantidade),
        ));
        let permanencia = (fim - inicio).num_days().max(1) as u32;
        if instrumento == Instrumento::Aih && rng.chance(150) {
            let dias_uti = rng.range(1, permanencia.min(10));
            itens.push((
                self.codigo_uti.clone(),
                dias_uti,
                catalogo::DIARIA_UTI.valor_centavos * i64::from(dias_uti),
            ));
        }
        let valor_sus: i64 = itens.iter().map(|i| i.2).sum();
        // The valuation rule in force for the competência (RN 504/2022: IVR from 01/2008).
        let valor_ressarcimento = valorar(
            &self.regras_valoracao,
            competencia,
            Centavos::new(valor_sus),
            None,
        )
        .expect("demo competências are valued by IVR, far from overflow");
        debug_assert_eq!(valor_ressarcimento.versao, REGRA_VALORACAO);
        let valor_ressarcimento = valor_ressarcimento.valor.value();
        for (seq, (codigo, quantidade, valor)) in itens.into_iter().enumerate() {
            out.itens.push(NovoItemProcedimento {
                atendimento_id: id,
                seq: seq as i16 + 1,
                codigo,
                quantidade: quantidade as i32,
                valor_centavos: valor,
            });
        }
        // Identified ~11 months after the quarter closes: the ABI goes out about a year after
        // the attendance (domain.md §3.1, §11).
        let identificado = trimestre.ultimo_dia() + Duration::days(300 + rng.below(25) as i64);
        out.atendimentos.push(NovoAtendimento {
            id,
            tipo: instrumento.as_str(),
            numero,
            competencia: competencia.to_aaaamm(),
            operadora: op.registro_ans.clone(),
            beneficiario_id: paciente.beneficiario_id,
            vinculo_id: paciente.vinculo_id,
            cnes,
            municipio_ibge: MUNICIPIOS[municipio].0.to_owned(),
            data_inicio: inicio,
            data_fim: fim,
            carater,
            cid: (*rng.pick(proc.cids)).to_owned(),
            procedimento_principal: self.codigos[proc_idx].clone(),
            valor_sus_centavos: valor_sus,
            valor_ressarcimento_centavos: valor_ressarcimento,
            regra_valoracao: REGRA_VALORACAO,
            identificado_em: meio_dia_brasilia(identificado),
        });
    }

    fn sequencia(&mut self, uf: u8, ano2: u8, tipo: u8) -> u32 {
        let seed = self.seed;
        let next = self
            .sequencias
            .entry((uf, ano2, tipo))
            .or_insert_with(|| 100_000 + (seed % 50_000) as u32);
        *next += 1;
        *next
    }

    fn novo_paciente(
        &mut self,
        carteira: &Carteira,
        rng: &mut Rng,
        proc: &ProcedimentoDemo,
        inicio: NaiveDate,
        out: &mut Lote,
    ) -> Paciente {
        let Carteira {
            op,
            produtos,
            locais,
        } = *carteira;
        let feminino = match proc.publico {
            Publico::Mulheres | Publico::Parto => true,
            Publico::Homens => false,
            Publico::Todos => rng.chance(540),
        };
        let idade = match proc.publico {
            Publico::Parto => rng.range(16, 44),
            Publico::Homens => rng.range(50, 88),
            _ => match rng.weighted(&[10, 25, 30, 35]) {
                0 => rng.range(0, 14),
                1 => rng.range(15, 39),
                2 => rng.range(40, 59),
                _ => rng.range(60, 92),
            },
        };
        let nascimento =
            inicio - Duration::days(i64::from(idade) * 365 + i64::from(rng.range(0, 364)));
        let municipio = if !locais.is_empty() && rng.chance(850) {
            *rng.pick(locais)
        } else {
            rng.below(MUNICIPIOS.len() as u64) as usize
        };

        let id = self.proximo_beneficiario;
        self.proximo_beneficiario += 1;
        // Bijections of the id (odd multipliers coprime with 10ⁿ): unique documents, no lookup.
        let cpf_base = ((id as u64).wrapping_mul(387_420_489) + self.seed) % 1_000_000_000;
        let cpf = if idade < 2 && rng.chance(300) {
            None // newborns are often registered before they have a CPF
        } else {
            Cpf::from_base(cpf_base as u32)
                .ok()
                .map(|c| c.as_str().to_owned())
        };
        let pis_corpo = ((id as u64).wrapping_mul(3_486_784_401) + self.seed) % 10_000_000_000;
        let pis = if id % 2 == 0 {
            10_000_000_000
        } else {
            20_000_000_000
        } + pis_corpo;
        let cns = Cns::definitivo_from_pis(pis)
            .expect("PIS starting with 1 or 2")
            .as_str()
            .to_owned();
        let primeiro = if feminino {
            rng.pick(NOMES_FEMININOS)
        } else {
            rng.pick(NOMES_MASCULINOS)
        };
        let nome = format!(
            "{} {} {}",
            primeiro,
            rng.pick(SOBRENOMES),
            rng.pick(SOBRENOMES)
        );
        out.beneficiarios.push(NovoBeneficiario {
            id,
            operadora: op.registro_ans.clone(),
            codigo: format!("{:012}", rng.below(1_000_000_000_000)),
            cpf,
            cns,
            nome,
            data_nascimento: nascimento,
            sexo: if feminino { "F" } else { "M" },
            municipio_ibge: MUNICIPIOS[municipio].0.to_owned(),
        });

        // The plan must cover what the person was treated for, or ANS's filters would not
        // have identified the attendance.
        let segmentacao = match (proc.instrumento, proc.publico) {
            (_, Publico::Parto) => *rng.pick(&[
                "ambulatorial_hospitalar_com_obstetricia",
                "hospitalar_com_obstetricia",
                "referencia",
            ]),
            (Instrumento::Aih, _) => [
                "ambulatorial_hospitalar_com_obstetricia",
                "ambulatorial_hospitalar_sem_obstetricia",
                "hospitalar_com_obstetricia",
                "hospitalar_sem_obstetricia",
                "referencia",
            ][rng.weighted(&[75, 8, 5, 2, 10])],
            (Instrumento::Apac, _) => [
                "ambulatorial_hospitalar_com_obstetricia",
                "ambulatorial_hospitalar_sem_obstetricia",
                "ambulatorial",
                "referencia",
            ][rng.weighted(&[75, 8, 7, 10])],
        };
        let abrangencia = [
            "nacional",
            "grupo_estados",
            "estadual",
            "grupo_municipios",
            "municipal",
        ][rng.weighted(&[35, 10, 30, 20, 5])];
        let nacional = matches!(abrangencia, "nacional" | "grupo_estados");
        let tipo_contratacao = [
            "coletivo_empresarial",
            "coletivo_adesao",
            "individual_familiar",
        ][rng.weighted(&[70, 12, 18])];

        // Joined after the 180-day carência had passed, usually years before; a few old
        // contracts from before Lei 9.656/1998 were never adapted.
        let antigo = rng.chance(20) && nascimento < date(1993, 1, 1);
        let limite = inicio - Duration::days(181);
        let (adesao, regulamentado) = if antigo {
            (
                date(1993, 1, 1) + Duration::days(rng.below(6 * 365) as i64),
                false,
            )
        } else {
            let piso = date(2000, 1, 1).max(nascimento);
            let span = (limite - piso).num_days();
            if span > 0 {
                (piso + Duration::days(rng.below(span as u64) as i64), true)
            } else {
                // A baby covered from birth as a dependant: no carência.
                (nascimento, true)
            }
        };
        let fim_carencia = if adesao == nascimento {
            adesao
        } else {
            adesao + Duration::days(180)
        };
        let cancelamento = rng
            .chance(80)
            .then(|| inicio + Duration::days(400 + rng.below(300) as i64));

        let vinculo_id = self.proximo_vinculo;
        self.proximo_vinculo += 1;
        out.vinculos.push(NovoVinculo {
            id: vinculo_id,
            beneficiario_id: id,
            operadora: op.registro_ans.clone(),
            registro_produto: rng.pick(produtos).clone(),
            tipo_contratacao,
            segmentacao,
            abrangencia,
            abrangencia_uf: (!nacional).then(|| MUNICIPIOS[municipio].2.to_owned()),
            regulamentado,
            data_adesao: adesao,
            data_cancelamento: cancelamento,
            fim_carencia,
        });
        Paciente {
            beneficiario_id: id,
            vinculo_id,
            municipio,
            feminino,
            nascimento,
            segmentacao,
            nacional,
            fim_carencia,
        }
    }
}

/// Could this existing patient plausibly have this procedure under the same plan?
fn compativel(p: &Paciente, proc: &ProcedimentoDemo, inicio: NaiveDate) -> bool {
    let idade = (inicio - p.nascimento).num_days() / 365;
    let publico = match proc.publico {
        Publico::Todos => true,
        Publico::Mulheres => p.feminino,
        Publico::Homens => !p.feminino && idade >= 40,
        Publico::Parto => {
            p.feminino && (16..=44).contains(&idade) && p.segmentacao.contains("com_obstetricia")
        }
    };
    let cobre = match proc.instrumento {
        Instrumento::Aih => p.segmentacao != "ambulatorial",
        Instrumento::Apac => !p.segmentacao.starts_with("hospitalar"),
    };
    // Attendances of a quarter are not generated in date order: a later one may predate the
    // plan's carência.
    publico && cobre && inicio >= p.fim_carencia
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("literal date")
}

/// Noon in Brasília (UTC−3, no daylight saving since 2019) as an instant.
fn meio_dia_brasilia(d: NaiveDate) -> DateTime<Utc> {
    Utc.from_utc_datetime(&d.and_hms_opt(15, 0, 0).expect("15:00 exists"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_codes_are_valid_sigtap_codes_of_their_group() {
        for p in PROCEDIMENTOS
            .iter()
            .chain(std::iter::once(&catalogo::DIARIA_UTI))
        {
            let code = ProcedimentoSigtap::from_base(p.base).unwrap();
            assert_eq!(u32::from(code.grupo()), p.base / 10_000_000, "{}", p.nome);
        }
    }

    #[test]
    fn repartir_is_exact_and_proportional() {
        let c = repartir(10, &[1.0, 1.0, 1.0]);
        assert_eq!(c.iter().sum::<u64>(), 10);
        assert_eq!(c, vec![4, 3, 3]);
        assert_eq!(
            repartir(1_000_000, &[42_228.0, 1.0]).iter().sum::<u64>(),
            1_000_000
        );
        assert_eq!(repartir(5, &[0.0, 0.0]), vec![0, 0]);
    }

    #[test]
    fn six_consecutive_quarters() {
        let t = trimestres();
        assert_eq!(t.len(), 6);
        assert_eq!(t[0].to_string(), "2T2024");
        assert_eq!(t[5].to_string(), "3T2025");
    }
}
