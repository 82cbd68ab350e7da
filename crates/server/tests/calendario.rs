//! The deadline calendar feed (issue #15 §4) on both databases: the operator's running
//! deadlines served as iCalendar by a secret URL and read back by a maintained iCalendar parser
//! (the `icalendar` crate); another operator's deadlines never appear; no beneficiary's CPF or
//! CNS; a revoked link answers 404; creating and revoking are audited.

#![allow(clippy::unwrap_used)]

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use common::web::{chamar, com_debito, entrar, entre, form, get, preparado, redirecionado, R};
use icalendar::{CalendarComponent, Component, DatePerhapsTime};
use persus_store::{db_test, Db};

/// Creates a feed link on the account page; returns the feed's path (`/calendario/….ics`).
async fn criar_link(app: &Router, cookie: &str, csrf: &str, nome: &str) -> String {
    let r = chamar(
        app,
        form(
            "/conta/calendario",
            cookie,
            format!("csrf={csrf}&nome={nome}"),
        ),
    )
    .await;
    assert_eq!(r.headers[header::LOCATION], "/conta/calendario");
    let pagina = redirecionado(app, &r, cookie).await;
    assert_eq!(pagina.status, StatusCode::OK, "{}", pagina.texto);
    assert!(pagina.texto.contains("Google Agenda"), "{}", pagina.texto);
    let url = entre(&pagina.texto, "id=\"segredo\">", "<");
    assert!(url.starts_with("http://") && url.ends_with(".ics"), "{url}");
    // Shown once: the page again does not show it.
    let de_novo = chamar(app, get("/conta/calendario", cookie)).await;
    assert!(!de_novo.texto.contains(&url));
    assert!(de_novo.texto.contains(nome));
    format!("/calendario/{}", url.split("/calendario/").nth(1).unwrap())
}

/// The feed as a calendar application reads it: no session.
async fn ler(app: &Router, caminho: &str) -> R {
    chamar(app, Request::get(caminho).body(Body::empty()).unwrap()).await
}

/// The events of a served feed, parsed by the `icalendar` crate: (UID, SUMMARY, DTSTART date).
fn eventos(texto: &str) -> Vec<(String, String, chrono::NaiveDate)> {
    let unfolded = icalendar::parser::unfold(texto);
    let cal: icalendar::Calendar = icalendar::parser::read_calendar(&unfolded).unwrap().into();
    cal.components
        .iter()
        .filter_map(|c| match c {
            CalendarComponent::Event(e) => Some(e),
            _ => None,
        })
        .map(|e| {
            let Some(DatePerhapsTime::Date(dia)) = e.get_start() else {
                panic!("not an all-day event: {e:?}");
            };
            (
                e.get_uid().unwrap().to_owned(),
                e.get_summary().unwrap().to_owned(),
                dia,
            )
        })
        .collect()
}

async fn notificacao_lida(
    db: &Db,
    app: &Router,
    login: &str,
) -> persus_store::processos::Notificacao {
    let (cookie, _) = entrar(app, login).await;
    let pagina = common::web::abrir_notificacao(app, &cookie).await;
    assert_eq!(pagina.status, StatusCode::OK);
    let id = common::web::valor_depois(
        &chamar(app, get("/painel", &cookie)).await.texto,
        "/notificacoes/",
    );
    persus_store::processos::notificacao(db, id.parse().unwrap())
        .await
        .unwrap()
}

db_test!(
    feed_serves_the_operators_impugnacao_deadlines_until_revoked,
    |db| {
        let dir = tempfile::tempdir().unwrap();
        let app = preparado(&db, dir.path()).await;
        let n = notificacao_lida(&db, &app, "rep.368253").await;
        let outra = notificacao_lida(&db, &app, "rep.326305").await;
        let nup = common::texto(
            &db,
            "SELECT nup FROM processos WHERE id = CAST($1 AS BIGINT)",
            &n.processo_id.to_string(),
        )
        .await;
        let nup_outra = common::texto(
            &db,
            "SELECT nup FROM processos WHERE id = CAST($1 AS BIGINT)",
            &outra.processo_id.to_string(),
        )
        .await;

        let (cookie, csrf) = entrar(&app, "rep.368253").await;
        let caminho = criar_link(&app, &cookie, &csrf, "Agenda do jurídico").await;
        let r = ler(&app, &caminho).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.texto);
        assert_eq!(
            r.headers[header::CONTENT_TYPE],
            "text/calendar; charset=utf-8"
        );
        assert_eq!(r.headers[header::CACHE_CONTROL], "no-store");
        assert!(r.texto.contains("\r\n") && !r.texto.replace("\r\n", "").contains('\n'));

        let evs = eventos(&r.texto);
        let nup_formatado = persus_domain::ids::Nup::parse(&nup).unwrap().to_string();
        let esperado = (
            format!("prazo-impugnacao-{nup}@persus"),
            format!("Prazo de impugnação — ABI 101, processo {nup_formatado}"),
            n.vencimento.unwrap(),
        );
        assert!(evs.contains(&esperado), "{esperado:?} not in {evs:?}");
        assert!(r.texto.contains("TRIGGER:-P3D"));
        // Only this operator's deadlines.
        assert!(!r.texto.contains(&nup_outra), "{}", r.texto);
        let digitos: String = nup_outra.chars().filter(char::is_ascii_digit).collect();
        assert!(evs.iter().all(|(uid, _, _)| !uid.contains(&digitos)));
        // No beneficiary's CPF or CNS (nor name) of the notice's attendances.
        let sql =
            "SELECT b.cns FROM beneficiarios b JOIN atendimentos a ON a.beneficiario_id = b.id
               WHERE a.processo_id = CAST($1 AS BIGINT)";
        let cns = common::textos(&db, sql, &n.processo_id.to_string()).await;
        assert!(!cns.is_empty());
        for c in &cns {
            assert!(!r.texto.contains(c.as_str()), "CNS {c} in the feed");
        }
        let sql = "SELECT COALESCE(b.cpf, b.nome) FROM beneficiarios b JOIN atendimentos a ON a.beneficiario_id = b.id
               WHERE a.processo_id = CAST($1 AS BIGINT)";
        for c in common::textos(&db, sql, &n.processo_id.to_string()).await {
            assert!(!r.texto.contains(c.as_str()), "{c} in the feed");
        }
        // The list says when it was last read.
        let lista = chamar(&app, get("/conta/calendario", &cookie)).await;
        assert!(!lista.texto.contains(">nunca<"), "{}", lista.texto);

        // A wrong token is 404; so is a path without .ics.
        assert_eq!(
            ler(&app, "/calendario/psus_cal_naoexiste.ics").await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            ler(&app, caminho.trim_end_matches(".ics")).await.status,
            StatusCode::NOT_FOUND
        );

        // Revoking: confirmed first, then the link answers 404.
        let id = entre(&lista.texto, "/conta/calendario/", "/revogar");
        let confirmar = chamar(
            &app,
            get(&format!("/conta/calendario/{id}/revogar"), &cookie),
        )
        .await;
        assert_eq!(confirmar.status, StatusCode::OK);
        assert!(confirmar.texto.contains("deixa de funcionar imediatamente"));
        assert_eq!(ler(&app, &caminho).await.status, StatusCode::OK);
        let r = chamar(
            &app,
            form(
                &format!("/conta/calendario/{id}/revogar"),
                &cookie,
                format!("csrf={csrf}"),
            ),
        )
        .await;
        let pagina = redirecionado(&app, &r, &cookie).await;
        assert!(pagina.texto.contains("revogado"), "{}", pagina.texto);
        assert_eq!(ler(&app, &caminho).await.status, StatusCode::NOT_FOUND);
        // Without the CSRF token nothing is revoked (and nothing twice).
        let r = chamar(
            &app,
            form(
                &format!("/conta/calendario/{id}/revogar"),
                &cookie,
                String::new(),
            ),
        )
        .await;
        assert_ne!(r.status, StatusCode::SEE_OTHER);

        // Audited, without the token.
        let acoes = common::textos(
            &db,
            "SELECT acao FROM auditoria WHERE entidade = $1 ORDER BY seq",
            "calendario",
        )
        .await;
        assert_eq!(acoes, ["calendario.criado", "calendario.revogado"]);
        let token = caminho
            .trim_start_matches("/calendario/")
            .trim_end_matches(".ics");
        let depois = common::textos(
            &db,
            "SELECT COALESCE(depois, '') FROM auditoria WHERE entidade = $1",
            "calendario",
        )
        .await;
        assert!(depois.iter().all(|d| !d.contains(token)));
        // Only the hash is stored.
        let guardado = common::texto(
            &db,
            "SELECT token_sha256 FROM calendarios WHERE id = CAST($1 AS BIGINT)",
            &id,
        )
        .await;
        assert_ne!(guardado, token);
        assert_eq!(guardado.len(), 64);

        // Another operator's person cannot revoke (nor see) this operator's links.
        let (outro, csrf_outro) = entrar(&app, "rep.326305").await;
        let caminho_outro = criar_link(&app, &outro, &csrf_outro, "Prazos").await;
        let r = chamar(
            &app,
            get(&format!("/conta/calendario/{id}/revogar"), &outro),
        )
        .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = ler(&app, &caminho_outro).await;
        assert!(!r.texto.contains(&nup), "{}", r.texto);
        assert!(eventos(&r.texto)
            .iter()
            .any(|(uid, _, _)| uid.contains(&digitos)));
    }
);

db_test!(feed_has_the_due_date_of_a_gru_to_pay, |db| {
    let dir = tempfile::tempdir().unwrap();
    let (app, hap, csrf, debito) = com_debito(&db, dir.path()).await;
    let r = chamar(
        &app,
        form(
            "/cobranca/grus",
            &hap,
            format!("csrf={csrf}&debitos={debito}"),
        ),
    )
    .await;
    let numero = r.headers[header::LOCATION]
        .to_str()
        .unwrap()
        .trim_start_matches("/cobranca/grus/")
        .to_owned();
    let vencimento = common::texto(
        &db,
        "SELECT CAST(vencimento AS TEXT) FROM grus WHERE numero = $1",
        &numero,
    )
    .await;
    let caminho = criar_link(&app, &hap, &csrf, "Financeiro").await;
    let r = ler(&app, &caminho).await;
    assert_eq!(r.status, StatusCode::OK);
    let evs = eventos(&r.texto);
    let gru = evs
        .iter()
        .find(|(uid, _, _)| *uid == format!("vencimento-gru-{numero}@persus"))
        .unwrap_or_else(|| panic!("no GRU event in {evs:?}"));
    assert_eq!(gru.1, format!("Vencimento da GRU {numero}"));
    assert_eq!(gru.2.to_string(), vencimento[..10]);
    // The impugnação period ended (the debt exists): no impugnação event any more.
    assert!(
        evs.iter()
            .all(|(uid, _, _)| !uid.starts_with("prazo-impugnacao-")),
        "{evs:?}"
    );
});
