//! Who may do what: people's roles, the permissions an operator grants its people, and the
//! scopes of API applications. Stored as their codes; shown by their labels.

crate::rotulado! {
    /// A person's role: at an operator (legal representative, account manager, clerk) or at
    /// ANS (admin, analyst, DIDES director, DICOL, finance).
    pub enum Papel {
        RepresentanteLegal = ("representante_legal", "Representante legal"),
        Gestor = ("gestor", "Gestor da conta"),
        Usuario = ("usuario", "Usuário da operadora"),
        Auditor = ("auditor", "Auditor da operadora"),
        Admin = ("admin", "Administrador da ANS"),
        Analista = ("analista", "Analista (1ª instância)"),
        Diretor = ("diretor", "Diretor da DIDES"),
        Dicol = ("dicol", "Diretoria Colegiada (DICOL)"),
        Financeiro = ("financeiro", "Financeiro da ANS"),
    }
}

impl Papel {
    /// Roles of ANS staff (the rest belong to an operator).
    pub fn da_ans(self) -> bool {
        matches!(
            self,
            Papel::Admin | Papel::Analista | Papel::Diretor | Papel::Dicol | Papel::Financeiro
        )
    }

    /// Who manages an operator's people, delegations and applications.
    pub fn gestor(self) -> bool {
        matches!(self, Papel::RepresentanteLegal | Papel::Gestor)
    }
}

crate::rotulado! {
    /// Whose an account is: an operator's (its people and applications act for that operator)
    /// or ANS's.
    pub enum TipoOrganizacao {
        Operadora = ("operadora", "Operadora"),
        Ans = ("ans", "ANS"),
    }
}

crate::rotulado! {
    /// What a person or an application may do. The first three are granted by an operator to
    /// its people; the `ans.*` ones belong to ANS roles.
    pub enum Escopo {
        Consulta = ("consulta", "Consultar processos e atendimentos"),
        Peticionar = ("peticionar", "Protocolar impugnações e recursos"),
        Financeiro = ("financeiro", "Emitir GRUs e pedir parcelamentos"),
        AnsDecisao = ("ans.decisao", "Decidir em 1ª instância"),
        AnsDiretoria = ("ans.diretoria", "Juízo de admissibilidade e reconsideração (DIDES)"),
        AnsDicol = ("ans.dicol", "Decidir recursos na DICOL"),
        AnsPublicacao = ("ans.publicacao", "Publicar ABIs"),
        AnsFinanceiro = ("ans.financeiro", "Gestão financeira da ANS"),
    }
}

impl Escopo {
    /// What each ANS role may do (its scopes): the analyst decides the 1st instance, the DIDES
    /// director judges admissibility and reconsideration, DICOL decides the 2nd instance,
    /// finance charges, the admin publishes ABIs and may hold any ANS scope.
    pub fn do_papel_ans(papel: Papel) -> &'static [Escopo] {
        use Escopo::*;
        match papel {
            Papel::Admin => &[
                Consulta,
                AnsDecisao,
                AnsDiretoria,
                AnsDicol,
                AnsPublicacao,
                AnsFinanceiro,
            ],
            Papel::Analista => &[Consulta, AnsDecisao],
            Papel::Diretor => &[Consulta, AnsDecisao, AnsDiretoria],
            Papel::Dicol => &[Consulta, AnsDicol],
            Papel::Financeiro => &[Consulta, AnsFinanceiro],
            Papel::RepresentanteLegal | Papel::Gestor | Papel::Usuario | Papel::Auditor => &[],
        }
    }
}

crate::rotulado! {
    /// What a notice to an operator is: the Ofício ABI opens the impugnação deadline; a
    /// decision opens the recurso deadline or closes the case.
    pub enum TipoNotificacao {
        OficioAbi = ("oficio_abi", "Ofício ABI — prazo de impugnação"),
        DecisaoPrimeiraInstancia = ("decisao_primeira_instancia", "Decisão de 1ª instância — prazo de recurso"),
        DecisaoRecurso = ("decisao_recurso", "Decisão do recurso"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_labels_are_not_codes() {
        for p in Papel::TODOS {
            assert_eq!(Papel::parse(p.as_str()), Some(*p));
            assert_ne!(p.rotulo(), p.as_str());
        }
        for e in Escopo::TODOS {
            assert_eq!(e.as_str().parse::<Escopo>(), Ok(*e));
        }
        for t in TipoNotificacao::TODOS {
            assert_eq!(TipoNotificacao::try_from(t.as_str().to_owned()), Ok(*t));
        }
        assert!("nada".parse::<Papel>().is_err());
    }

    #[test]
    fn only_ans_roles_have_ans_scopes() {
        for p in Papel::TODOS {
            assert_eq!(p.da_ans(), !Escopo::do_papel_ans(*p).is_empty(), "{p:?}");
        }
        assert!(Escopo::do_papel_ans(Papel::Analista).contains(&Escopo::AnsDecisao));
        assert!(!Escopo::do_papel_ans(Papel::Analista).contains(&Escopo::AnsDicol));
    }

    #[test]
    fn serde_uses_the_code() {
        let j = serde_json::to_string(&TipoNotificacao::OficioAbi).unwrap();
        assert_eq!(j, "\"oficio_abi\"");
        let e: Escopo = serde_json::from_str("\"ans.dicol\"").unwrap();
        assert_eq!(e, Escopo::AnsDicol);
    }
}
