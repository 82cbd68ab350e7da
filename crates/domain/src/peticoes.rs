//! Petitions of an operator: their kind (impugnação of an Ofício ABI, recurso against a
//! 1st-instance decision) and state (a draft being prepared, or protocolled and immutable),
//! stored as codes and shown as labels.

crate::rotulado! {
    /// What a petition contests: the identification (impugnação, RN 358/2014 art. 21) or a
    /// 1st-instance decision (recurso, RN 253/2011 art. 12).
    pub enum TipoPeticao {
        Impugnacao = ("impugnacao", "Impugnação"),
        Recurso = ("recurso", "Recurso"),
    }
}

crate::rotulado! {
    /// A draft can be edited, discarded or protocolled; a protocolled petition never changes.
    pub enum EstadoPeticao {
        Rascunho = ("rascunho", "Rascunho"),
        Protocolada = ("protocolada", "Protocolada"),
    }
}

crate::rotulado! {
    /// A batch of petitions: received whole, then filed row by row by a worker.
    pub enum EstadoLote {
        Recebido = ("recebido", "Recebido, na fila"),
        Processando = ("processando", "Em processamento"),
        Concluido = ("concluido", "Concluído"),
    }
}

/// The least a fundamentação must say, in characters (spaces at either end not counted), on
/// every path a petition arrives by (web form, API, batch). A persus choice, not a norm: the
/// RNs ask for the reasons of the petition without a size; twenty characters refuse an empty
/// or token text ("ver anexo", "conforme documento") while any real sentence passes.
pub const FUNDAMENTACAO_MINIMA: usize = 20;

/// Whether `texto` is long enough to be a fundamentação ([`FUNDAMENTACAO_MINIMA`]).
pub fn fundamentacao_suficiente(texto: &str) -> bool {
    texto.trim().chars().count() >= FUNDAMENTACAO_MINIMA
}

#[cfg(feature = "openapi")]
mod esquema {
    use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaType, Type};
    use utoipa::openapi::RefOr;

    impl utoipa::PartialSchema for super::TipoPeticao {
        fn schema() -> RefOr<Schema> {
            ObjectBuilder::new()
                .schema_type(SchemaType::new(Type::String))
                .enum_values(Some(Self::TODOS.iter().map(|t| t.as_str())))
                .into()
        }
    }

    impl utoipa::ToSchema for super::TipoPeticao {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_labels_round_trip() {
        for t in TipoPeticao::TODOS {
            assert_eq!(TipoPeticao::parse(t.as_str()), Some(*t));
        }
        assert_eq!(
            EstadoPeticao::try_from("protocolada".to_owned()),
            Ok(EstadoPeticao::Protocolada)
        );
        assert!(EstadoPeticao::try_from("PROTOCOLADA".to_owned()).is_err());
        assert_eq!(TipoPeticao::Impugnacao.to_string(), "Impugnação");
    }

    #[test]
    fn the_minimum_fundamentacao_counts_characters_not_bytes_nor_outer_spaces() {
        assert!(!fundamentacao_suficiente("  conforme documento "));
        assert!(fundamentacao_suficiente("Exclusão do contrato"));
        assert!(!fundamentacao_suficiente("ççççççççççççççççççç\n "));
        assert!(fundamentacao_suficiente("01234567890123456789"));
    }
}
