//! A small iCalendar (RFC 5545) writer for the deadline feed: one VCALENDAR of all-day VEVENTs,
//! each with an optional display alarm. Lines end in CRLF and are folded at 75 octets (never
//! inside a UTF-8 character); TEXT values escape `\`, `;`, `,` and newlines (RFC 5545 §3.1,
//! §3.3.11).

use chrono::{DateTime, NaiveDate, Utc};

/// One all-day event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evento {
    /// Globally unique and stable across reads, so calendars update the event in place.
    pub uid: String,
    /// The civil day (America/Sao_Paulo) the event falls on.
    pub dia: NaiveDate,
    pub resumo: String,
    pub descricao: String,
    /// Days before the event a display alarm fires.
    pub alarme_dias: Option<u32>,
}

/// The whole feed: calendar properties, then each event stamped with `dtstamp`.
pub fn calendario(nome: &str, dtstamp: DateTime<Utc>, eventos: &[Evento]) -> String {
    let mut out = String::new();
    let mut linha = |l: &str| dobrar(l, &mut out);
    linha("BEGIN:VCALENDAR");
    linha("VERSION:2.0");
    linha("PRODID:-//ANS//persus//PT-BR");
    linha("CALSCALE:GREGORIAN");
    linha("METHOD:PUBLISH");
    linha(&format!("X-WR-CALNAME:{}", texto(nome)));
    linha("X-WR-TIMEZONE:America/Sao_Paulo");
    let stamp = dtstamp.format("%Y%m%dT%H%M%SZ").to_string();
    for e in eventos {
        linha("BEGIN:VEVENT");
        linha(&format!("UID:{}", texto(&e.uid)));
        linha(&format!("DTSTAMP:{stamp}"));
        linha(&format!("DTSTART;VALUE=DATE:{}", e.dia.format("%Y%m%d")));
        if let Some(fim) = e.dia.succ_opt() {
            linha(&format!("DTEND;VALUE=DATE:{}", fim.format("%Y%m%d")));
        }
        linha(&format!("SUMMARY:{}", texto(&e.resumo)));
        linha(&format!("DESCRIPTION:{}", texto(&e.descricao)));
        linha("TRANSP:TRANSPARENT");
        if let Some(d) = e.alarme_dias {
            linha("BEGIN:VALARM");
            linha("ACTION:DISPLAY");
            linha(&format!("DESCRIPTION:{}", texto(&e.resumo)));
            linha(&format!("TRIGGER:-P{d}D"));
            linha("END:VALARM");
        }
        linha("END:VEVENT");
    }
    linha("END:VCALENDAR");
    out
}

/// A TEXT value escaped (RFC 5545 §3.3.11): backslash, semicolon, comma and line breaks.
pub fn texto(v: &str) -> String {
    let mut s = String::with_capacity(v.len());
    let mut chars = v.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => s.push_str("\\\\"),
            ';' => s.push_str("\\;"),
            ',' => s.push_str("\\,"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                s.push_str("\\n");
            }
            '\n' => s.push_str("\\n"),
            c if c.is_control() => {}
            c => s.push(c),
        }
    }
    s
}

/// Appends one content line, folded so no physical line exceeds 75 octets (RFC 5545 §3.1): a
/// continuation starts with one space, which counts towards its 75.
pub fn dobrar(linha: &str, out: &mut String) {
    let mut usados = 0;
    for c in linha.chars() {
        let n = c.len_utf8();
        if usados + n > 75 {
            out.push_str("\r\n ");
            usados = 1;
        }
        out.push(c);
        usados += n;
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dobrada(l: &str) -> String {
        let mut s = String::new();
        dobrar(l, &mut s);
        s
    }

    #[test]
    fn escapes_the_four_special_characters_of_text() {
        assert_eq!(
            texto("a\\b;c,d\ne\r\nf"),
            "a\\\\b\\;c\\,d\\ne\\nf".to_owned()
        );
        assert_eq!(texto("Prazo de impugnação"), "Prazo de impugnação");
    }

    #[test]
    fn short_lines_are_not_folded_and_end_in_crlf() {
        assert_eq!(dobrada("VERSION:2.0"), "VERSION:2.0\r\n");
        let exata = "X".repeat(75);
        assert_eq!(dobrada(&exata), format!("{exata}\r\n"));
    }

    #[test]
    fn long_lines_fold_at_75_octets_and_unfold_to_the_original() {
        let l = format!("SUMMARY:{}", "Prazo de impugnação — ABI 101, ".repeat(6));
        let d = dobrada(&l);
        for fisica in d.split("\r\n").filter(|x| !x.is_empty()) {
            assert!(fisica.len() <= 75, "{} octets: {fisica:?}", fisica.len());
        }
        assert!(d.contains("\r\n "));
        // Unfolding (RFC 5545 §3.1: remove CRLF + one space) gives back the line.
        assert_eq!(d.replace("\r\n ", ""), format!("{l}\r\n"));
    }

    #[test]
    fn folding_never_splits_a_multibyte_character() {
        // 74 ASCII octets then "ç" (2 octets): the "ç" must move whole to the next line.
        let l = format!("{}ç", "a".repeat(74));
        let d = dobrada(&l);
        assert_eq!(d, format!("{}\r\n ç\r\n", "a".repeat(74)));
    }

    #[test]
    fn an_event_is_all_day_with_an_alarm() {
        let t = DateTime::parse_from_rfc3339("2026-03-02T15:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let e = Evento {
            uid: "prazo-impugnacao-33910000123202645@persus".into(),
            dia: NaiveDate::from_ymd_opt(2026, 3, 31).unwrap(),
            resumo: "Prazo de impugnação".into(),
            descricao: "Processo, ABI".into(),
            alarme_dias: Some(3),
        };
        let c = calendario("Prazos", t, &[e]);
        assert!(c.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
        assert!(c.ends_with("END:VCALENDAR\r\n"));
        assert!(c.contains("\r\nDTSTART;VALUE=DATE:20260331\r\nDTEND;VALUE=DATE:20260401\r\n"));
        assert!(c.contains("\r\nDTSTAMP:20260302T150000Z\r\n"));
        assert!(c.contains("\r\nDESCRIPTION:Processo\\, ABI\r\n"));
        assert!(c.contains("\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\n"));
        assert!(c.contains("\r\nTRIGGER:-P3D\r\n"));
        assert!(!c.replace("\r\n", "").contains('\n'));
    }
}
