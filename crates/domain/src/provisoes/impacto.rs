//! The impact of a parameter change on every operator — the seed's table (seeds/004, "Impactos
//! esperados"): operators whose PEONA SUS goes up, down or stays, their share of operators and of
//! medical-hospital beneficiaries, the total change; and the change in the sufficiency of
//! guarantee assets ("Alteração na suficiência de ATG … LASTRO").

use serde::Serialize;

crate::rotulado! {
    /// Direction of an operator's PEONA SUS under the new parameters.
    pub enum Sentido {
        Aumento = ("aumento", "Aumento de PEONA SUS"),
        Reducao = ("reducao", "Redução de PEONA SUS"),
        SemAlteracao = ("sem_alteracao", "Sem alteração de PEONA SUS"),
    }
}

crate::rotulado! {
    /// How the sufficiency of guarantee assets changed because of the PEONA SUS change alone.
    pub enum MudancaSuficiencia {
        NaoAlterou = ("nao_alterou", "Não alterou"),
        FicouSuficiente = ("ficou_suficiente", "Ficou suficiente"),
        FicouInsuficiente = ("ficou_insuficiente", "Ficou insuficiente"),
        SemAtivos = ("sem_ativos", "Sem dados de ativos garantidores"),
    }
}

/// Guarantee assets and the other provisions they must back, for one operator at one date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Ativos {
    pub ativos_garantidores_centavos: i64,
    /// Every other provision that needs backing (PESL SUS included), without PEONA SUS.
    pub outras_provisoes_centavos: i64,
}

impl Ativos {
    /// Assets cover the other provisions plus this PEONA SUS.
    pub fn suficiente_com(&self, peona_centavos: i64) -> bool {
        self.ativos_garantidores_centavos >= self.outras_provisoes_centavos + peona_centavos
    }
}

/// One operator's PEONA SUS under the rule in force and under the proposal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EntradaImpacto {
    pub operadora: String,
    pub beneficiarios_mh: i64,
    pub antes_centavos: i64,
    pub depois_centavos: i64,
    pub ativos: Option<Ativos>,
    /// Its PEONA SUS follows its own actuarial methodology approved by ANS, so the standard
    /// formula's parameters do not apply to it (seeds/004: "Fórmula de cálculo padrão PEONA SUS –
    /// OPS sem metodologia própria"): `antes` is the standard formula's figure, for reference,
    /// and the change is none — which is how the seed's table has "Sem alteração" operators.
    pub metodologia_propria: bool,
}

impl EntradaImpacto {
    /// PEONA SUS under the proposal: the standard formula's, or the same as before for an
    /// operator with its own methodology.
    pub fn depois_efetivo(&self) -> i64 {
        if self.metodologia_propria {
            self.antes_centavos
        } else {
            self.depois_centavos
        }
    }

    pub fn sentido(&self) -> Sentido {
        match self.depois_efetivo().cmp(&self.antes_centavos) {
            std::cmp::Ordering::Greater => Sentido::Aumento,
            std::cmp::Ordering::Less => Sentido::Reducao,
            std::cmp::Ordering::Equal => Sentido::SemAlteracao,
        }
    }

    pub fn suficiencia(&self) -> MudancaSuficiencia {
        let Some(a) = self.ativos else {
            return MudancaSuficiencia::SemAtivos;
        };
        match (
            a.suficiente_com(self.antes_centavos),
            a.suficiente_com(self.depois_efetivo()),
        ) {
            (false, true) => MudancaSuficiencia::FicouSuficiente,
            (true, false) => MudancaSuficiencia::FicouInsuficiente,
            _ => MudancaSuficiencia::NaoAlterou,
        }
    }
}

/// One line of the seed's table.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LinhaImpacto {
    /// `None` on the total line.
    pub sentido: Option<Sentido>,
    pub operadoras: usize,
    pub pct_operadoras: f64,
    pub beneficiarios_mh: i64,
    pub pct_beneficiarios_mh: f64,
    /// Σ (after − before).
    pub variacao_centavos: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Impacto {
    pub linhas: Vec<LinhaImpacto>,
    pub total: LinhaImpacto,
    pub suficiencia: Vec<(MudancaSuficiencia, usize)>,
}

/// The table over the operators with a PEONA SUS requirement under either rule (the seed counts
/// "655 OPS possuiriam exigência PEONA SUS").
pub fn calcular(entradas: &[EntradaImpacto]) -> Impacto {
    let com_exigencia: Vec<&EntradaImpacto> = entradas
        .iter()
        .filter(|e| e.antes_centavos > 0 || e.depois_efetivo() > 0)
        .collect();
    let n = com_exigencia.len();
    let benef: i64 = com_exigencia.iter().map(|e| e.beneficiarios_mh).sum();
    let pct = |parte: f64, todo: f64| {
        if todo > 0.0 {
            parte * 100.0 / todo
        } else {
            0.0
        }
    };
    let linha = |sentido: Option<Sentido>| {
        let sel: Vec<&&EntradaImpacto> = com_exigencia
            .iter()
            .filter(|e| sentido.is_none_or(|s| e.sentido() == s))
            .collect();
        let b: i64 = sel.iter().map(|e| e.beneficiarios_mh).sum();
        LinhaImpacto {
            sentido,
            operadoras: sel.len(),
            pct_operadoras: pct(sel.len() as f64, n as f64),
            beneficiarios_mh: b,
            pct_beneficiarios_mh: pct(b as f64, benef as f64),
            variacao_centavos: sel
                .iter()
                .map(|e| e.depois_efetivo() - e.antes_centavos)
                .sum(),
        }
    };
    Impacto {
        linhas: Sentido::TODOS.iter().map(|s| linha(Some(*s))).collect(),
        total: linha(None),
        suficiencia: MudancaSuficiencia::TODOS
            .iter()
            .map(|m| {
                (
                    *m,
                    com_exigencia
                        .iter()
                        .filter(|e| e.suficiencia() == *m)
                        .count(),
                )
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(
        op: &str,
        benef: i64,
        antes: i64,
        depois: i64,
        ativos: Option<(i64, i64)>,
    ) -> EntradaImpacto {
        EntradaImpacto {
            operadora: op.into(),
            beneficiarios_mh: benef,
            antes_centavos: antes,
            depois_centavos: depois,
            ativos: ativos.map(|(a, o)| Ativos {
                ativos_garantidores_centavos: a,
                outras_provisoes_centavos: o,
            }),
            metodologia_propria: false,
        }
    }

    /// By hand: A up by 50, B down by 30, C unchanged, D without requirement (left out).
    /// 3 operators: 33,3 % each; beneficiaries 100/300/600 of 1.000. Total change +20.
    /// A: assets 1.000, others 900: 100 ≤ 100 sufficient before, 150 > 100 insufficient after.
    /// B: assets 1.000, others 950: 80 > 50 insufficient before, 50 ≤ 50 sufficient after.
    #[test]
    fn the_seed_table_by_hand() {
        let ent = [
            e("A", 100, 100, 150, Some((1_000, 900))),
            e("B", 300, 80, 50, Some((1_000, 950))),
            e("C", 600, 70, 70, None),
            e("D", 50, 0, 0, None),
        ];
        let i = calcular(&ent);
        assert_eq!(i.total.operadoras, 3);
        assert_eq!(i.total.variacao_centavos, 20);
        let up = &i.linhas[0];
        assert_eq!(
            (up.sentido, up.operadoras, up.variacao_centavos),
            (Some(Sentido::Aumento), 1, 50)
        );
        assert!((up.pct_beneficiarios_mh - 10.0).abs() < 1e-9);
        let down = &i.linhas[1];
        assert_eq!((down.operadoras, down.variacao_centavos), (1, -30));
        assert!((down.pct_operadoras - 100.0 / 3.0).abs() < 1e-9);
        assert_eq!(i.linhas[2].beneficiarios_mh, 600);
        let suf: Vec<(MudancaSuficiencia, usize)> = i.suficiencia.clone();
        assert_eq!(
            suf,
            vec![
                (MudancaSuficiencia::NaoAlterou, 0),
                (MudancaSuficiencia::FicouSuficiente, 1),
                (MudancaSuficiencia::FicouInsuficiente, 1),
                (MudancaSuficiencia::SemAtivos, 1),
            ]
        );
    }

    /// seeds/004: the standard formula is for "OPS sem metodologia própria". E's formula figures
    /// move (200 → 260) but it follows its own methodology: unchanged, no change in value, and
    /// its sufficiency (assets 1.000, others 780: 200 ≤ 220, 260 > 220) does not flip.
    #[test]
    fn own_methodology_is_unchanged_by_the_formula_parameters() {
        let mut propria = e("E", 400, 200, 260, Some((1_000, 780)));
        propria.metodologia_propria = true;
        assert_eq!(propria.sentido(), Sentido::SemAlteracao);
        assert_eq!(propria.depois_efetivo(), 200);
        assert_eq!(propria.suficiencia(), MudancaSuficiencia::NaoAlterou);
        let padrao = EntradaImpacto {
            metodologia_propria: false,
            ..propria.clone()
        };
        assert_eq!(padrao.sentido(), Sentido::Aumento);
        assert_eq!(padrao.suficiencia(), MudancaSuficiencia::FicouInsuficiente);

        let i = calcular(&[propria, e("A", 100, 100, 150, None)]);
        assert_eq!(i.total.operadoras, 2);
        assert_eq!(i.total.variacao_centavos, 50);
        let sem = &i.linhas[2];
        assert_eq!(
            (
                sem.sentido,
                sem.operadoras,
                sem.beneficiarios_mh,
                sem.variacao_centavos
            ),
            (Some(Sentido::SemAlteracao), 1, 400, 0)
        );
        assert!((sem.pct_beneficiarios_mh - 80.0).abs() < 1e-9);
    }
}
