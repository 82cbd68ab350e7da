//! A closed set of values stored as text: its code (the wire and SQL form), its pt-BR label
//! for people, and parsing back. [`rotulado!`] writes the boilerplate once for every such enum.

/// Declares an enum whose variants each have a code (stored in SQL, sent in the API) and a pt-BR
/// label (shown to people). Generates `as_str`, `rotulo`, `parse`, `TODOS`, `Display` (the
/// label), `FromStr` and `TryFrom<String>` (so a store row can decode it with
/// `#[sqlx(try_from = "String")]`) and serde as the code.
#[macro_export]
macro_rules! rotulado {
    ($(#[$m:meta])* $vis:vis enum $nome:ident { $($(#[$vm:meta])* $var:ident = ($codigo:literal, $rotulo:literal)),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $nome { $($(#[$vm])* $var),+ }

        impl $nome {
            /// Every value, in declaration order.
            pub const TODOS: &'static [$nome] = &[$($nome::$var),+];

            /// The code stored in SQL and sent in the API.
            pub fn as_str(self) -> &'static str {
                match self { $($nome::$var => $codigo),+ }
            }

            /// The pt-BR label shown to people.
            pub fn rotulo(self) -> &'static str {
                match self { $($nome::$var => $rotulo),+ }
            }

            pub fn parse(codigo: &str) -> Option<$nome> {
                match codigo { $($codigo => Some($nome::$var),)+ _ => None }
            }
        }

        impl std::fmt::Display for $nome {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.rotulo())
            }
        }

        impl std::str::FromStr for $nome {
            type Err = $crate::rotulado::CodigoDesconhecido;
            fn from_str(s: &str) -> Result<$nome, Self::Err> {
                $nome::parse(s).ok_or_else(|| $crate::rotulado::CodigoDesconhecido {
                    tipo: stringify!($nome),
                    codigo: s.to_owned(),
                })
            }
        }

        impl TryFrom<String> for $nome {
            type Error = $crate::rotulado::CodigoDesconhecido;
            fn try_from(s: String) -> Result<$nome, Self::Error> {
                s.parse()
            }
        }

        impl serde::Serialize for $nome {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $nome {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<$nome, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

/// A stored code that no value of the enum has (a corrupt row or a newer schema).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("código desconhecido para {tipo}: {codigo:?}")]
pub struct CodigoDesconhecido {
    pub tipo: &'static str,
    pub codigo: String,
}
