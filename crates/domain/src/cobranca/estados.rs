//! States of the charging records (debts, GRUs, instalment plans and their instalments) and of
//! a webhook delivery: the code stored in SQL and sent in the API, and the pt-BR label people
//! read.

crate::rotulado! {
    /// A debt: open until paid, installed (parcelado), or rescinded (its unpaid balance moved to
    /// a new debt when the plan was rescinded).
    pub enum EstadoDebito {
        Aberto = ("aberto", "em aberto"),
        Pago = ("pago", "pago"),
        Parcelado = ("parcelado", "parcelado"),
        Rescindido = ("rescindido", "rescindido (saldo em novo débito)"),
    }
}

crate::rotulado! {
    /// A GRU: issued (payable until its due date), paid, or cancelled.
    pub enum EstadoGru {
        Emitida = ("emitida", "emitida"),
        Paga = ("paga", "paga"),
        Cancelada = ("cancelada", "cancelada"),
    }
}

impl EstadoGru {
    /// What a person reads on a date: an issued GRU past its due date is "vencida".
    pub fn rotulo_em(self, vencimento: chrono::NaiveDate, hoje: chrono::NaiveDate) -> &'static str {
        match self {
            EstadoGru::Emitida if vencimento < hoje => "vencida (emita outra)",
            e => e.rotulo(),
        }
    }
}

crate::rotulado! {
    /// An instalment plan (parcelamento).
    pub enum EstadoParcelamento {
        Ativo = ("ativo", "ativo"),
        Quitado = ("quitado", "quitado"),
        Rescindido = ("rescindido", "rescindido"),
    }
}

crate::rotulado! {
    /// One instalment of a plan.
    pub enum EstadoParcela {
        Aberta = ("aberta", "em aberto"),
        Paga = ("paga", "paga"),
    }
}

crate::rotulado! {
    /// A payment as reconciled against its GRU.
    pub enum SituacaoPagamento {
        Conciliado = ("conciliado", "conciliado"),
        Divergente = ("divergente", "divergente (pagamento parcial)"),
        SemGru = ("sem_gru", "sem GRU correspondente"),
        GruInativa = ("gru_inativa", "GRU cancelada, já paga ou vencida"),
    }
}

crate::rotulado! {
    /// One webhook message on its way to the subscriber.
    pub enum EstadoEntrega {
        Pendente = ("pendente", "aguardando nova tentativa"),
        Entregue = ("entregue", "entregue"),
        Falhou = ("falhou", "não entregue (tentativas esgotadas)"),
        Cancelada = ("cancelada", "cancelada com a assinatura"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_labels_are_words() {
        for e in EstadoDebito::TODOS {
            assert_eq!(EstadoDebito::parse(e.as_str()), Some(*e));
            assert!(!e.rotulo().contains('_'));
        }
        for e in EstadoEntrega::TODOS {
            assert_eq!(EstadoEntrega::parse(e.as_str()), Some(*e));
        }
        assert_eq!(EstadoGru::parse("vencida"), None);
    }

    #[test]
    fn an_issued_gru_past_due_reads_vencida() {
        let d = |s| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert!(EstadoGru::Emitida
            .rotulo_em(d("2026-01-10"), d("2026-01-11"))
            .starts_with("vencida"));
        assert_eq!(
            EstadoGru::Emitida.rotulo_em(d("2026-01-10"), d("2026-01-10")),
            "emitida"
        );
        assert_eq!(
            EstadoGru::Paga.rotulo_em(d("2026-01-10"), d("2026-02-10")),
            "paga"
        );
    }
}
