//! The rule tables in force — the ANS calendar, the deadlines and the catalogue of grounds —
//! loaded once at start-up and shared by every request through the application state (the
//! calendar CSV used to be parsed again on every call).

use std::collections::HashMap;

use persus_domain::calendar::CalendarioAns;
use persus_domain::deadline::PrazosVigentes;
use persus_domain::motivos::Motivo;

/// The versioned rule data a use case needs.
pub struct RegrasVigentes {
    pub calendario: CalendarioAns,
    pub prazos: PrazosVigentes,
    /// Grounds of impugnação/recurso by code.
    pub motivos: HashMap<String, Motivo>,
}

impl RegrasVigentes {
    /// The embedded versions (the ones each release ships and tests).
    pub fn padrao() -> RegrasVigentes {
        RegrasVigentes {
            calendario: CalendarioAns::padrao(),
            prazos: PrazosVigentes::padrao(),
            motivos: super::peticoes::catalogo(),
        }
    }
}
