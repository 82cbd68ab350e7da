//! The events persus announces to an operator's (or ANS's) applications by webhook: the code
//! sent in the payload's `tipo`, stored in SQL and asked for in a subscription, and the pt-BR
//! label people read on the web.

crate::rotulado! {
    /// What happened: each is published in the same transaction as the change it announces.
    pub enum TipoEvento {
        NotificacaoDisponibilizada = ("notificacao.disponibilizada", "Ofício ABI disponibilizado"),
        CienciaPresumida = ("ciencia.presumida", "Ciência presumida de uma notificação"),
        PrazoProximo = ("prazo.proximo", "Prazo perto do fim"),
        DecisaoPublicada = ("decisao.publicada", "Decisão publicada"),
        LoteConcluido = ("lote.concluido", "Lote de petições concluído"),
        GruEmitida = ("gru.emitida", "GRU emitida"),
        PagamentoConfirmado = ("pagamento.confirmado", "Pagamento de GRU confirmado"),
        ParcelamentoConcedido = ("parcelamento.concedido", "Parcelamento concedido"),
        ParcelamentoRescindido = ("parcelamento.rescindido", "Parcelamento rescindido"),
        CadinAviso = ("cadin.aviso", "Aviso prévio de inclusão no CADIN"),
        CadinIncluido = ("cadin.incluido", "Inclusão no CADIN"),
        DividaAtivaEncaminhado = ("divida_ativa.encaminhado", "Débito encaminhado para dívida ativa"),
        Teste = ("teste", "Evento de teste"),
    }
}

impl TipoEvento {
    /// A subscription's event types as stored (codes separated by spaces).
    pub fn lista(codigos: &str) -> Result<Vec<TipoEvento>, crate::rotulado::CodigoDesconhecido> {
        codigos.split_whitespace().map(str::parse).collect()
    }

    /// The codes of `tipos` separated by spaces, as stored.
    pub fn codigos(tipos: &[TipoEvento]) -> String {
        tipos
            .iter()
            .map(|t| t.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_labels_are_words() {
        for t in TipoEvento::TODOS {
            assert_eq!(TipoEvento::parse(t.as_str()), Some(*t));
            assert_ne!(t.rotulo(), t.as_str(), "{t:?}");
            assert!(
                !t.rotulo().contains('.') && !t.rotulo().contains('_'),
                "{t:?}"
            );
        }
    }

    #[test]
    fn a_stored_list_reads_back_and_refuses_an_unknown_code() {
        let tipos = [TipoEvento::GruEmitida, TipoEvento::Teste];
        let guardado = TipoEvento::codigos(&tipos);
        assert_eq!(guardado, "gru.emitida teste");
        assert_eq!(TipoEvento::lista(&guardado), Ok(tipos.to_vec()));
        assert_eq!(TipoEvento::lista(""), Ok(vec![]));
        let e = TipoEvento::lista("gru.emitida gru.paga").unwrap_err();
        assert_eq!(e.codigo, "gru.paga");
    }
}
