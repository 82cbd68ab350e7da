//! The provisions pages through the router, on SQLite and PostgreSQL: the operator's PEONA SUS
//! explained with the figures computed by hand (`common::provisoes`), its runoff chart, PESL
//! SUS, the what-if and its CSV — its own only; ANS's heat map, impact table and histogram;
//! a proposed parameter version approved by ANS's admin through confirmation, POST and 303,
//! recorded in the audit trail, and refused to another role and a second time.

#![allow(clippy::unwrap_used)]

mod common;

use axum::http::{header, StatusCode};
use chrono::NaiveDate;
use common::provisoes::{historico, AMIL, HAPVIDA};
use common::web::{chamar, entrar, form, get, preparado, redirecionado};
use persus_domain::ids::Trimestre;
use persus_domain::provisoes::parametros::ParametrosPeona;
use persus_store::auditoria::Ator;
use persus_store::db_test;

db_test!(the_operator_sees_its_own_provision_explained, |db| {
    let dir = tempfile::tempdir().unwrap();
    let app = preparado(&db, dir.path()).await;
    historico(&db).await;
    let (hap, _) = entrar(&app, &format!("rep.{HAPVIDA}")).await;

    let r = chamar(&app, get("/provisoes?data_base=30%2F06%2F2025", &hap)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.texto);
    let t = &r.texto;
    // By hand (tests/provisoes_api.rs): E24 = R$ 800,00; teto 66 % = R$ 528,00; FI = 0,25;
    // FI × E24 = R$ 200,00 = PEONA SUS; the individual factor bound.
    assert!(t.contains("id=\"peona-valor\">R$ 200,00<"), "{t}");
    assert!(t.contains("R$ 800,00") && t.contains("R$ 528,00") && t.contains("0,250000"));
    assert!(t.contains("id=\"limitante\">Fator individual × eventos de 24 meses<"));
    assert!(t.contains("rn574-66") && t.contains("4T2018") && t.contains("1T2020"));
    // E24 by quarter of notification: 3T2023..2T2025, R$ 100,00 each, R$ 800,00 in all.
    let e24 = t
        .split("id=\"e24\"")
        .nth(1)
        .unwrap()
        .split("</table>")
        .next()
        .unwrap();
    assert_eq!(e24.matches("R$ 100,00").count(), 8, "{e24}");
    assert!(
        e24.contains("<th scope=\"row\">3T2023</th>")
            && e24.contains("<th scope=\"row\">2T2025</th>")
    );
    assert!(!e24.contains("2T2023"));
    // The window: 6 quarters of EONA R$ 200,00 over E24 R$ 800,00.
    let janela = t
        .split("id=\"janela\"")
        .nth(1)
        .unwrap()
        .split("</table>")
        .next()
        .unwrap();
    assert_eq!(janela.matches("<th scope=\"row\">").count(), 6);
    assert_eq!(janela.matches("R$ 200,00").count(), 6);
    // The runoff chart and its table: everything notified at delay 2 → 100 % from 2 on.
    assert!(t.contains("<svg viewBox=\"0 0 320 200\""), "{t}");
    assert!(
        t.contains("<td>2</td><td class=\"num\">100,00%</td>"),
        "{t}"
    );
    // PESL SUS table, CSV links, never another operator.
    assert!(t.contains("id=\"pesl\"") && t.contains("/provisoes/peona.csv?data_base=2025-06-30"));
    assert!(!t.contains(AMIL), "another operator leaked");
    // The menu has the page.
    assert!(t.contains("href=\"/provisoes\" aria-current=\"page\""));

    // The what-if (GET): 1 quarter sooner → R$ 100,00.
    let r = chamar(
        &app,
        get("/provisoes?data_base=2025-06-30&trimestres=1", &hap),
    )
    .await;
    assert!(
        r.texto
            .contains("PEONA SUS hoje: <strong>R$ 200,00</strong>"),
        "{}",
        r.texto
    );
    assert!(r
        .texto
        .contains("1 trimestre(s) antes: <strong>R$ 100,00</strong>"));

    // Its CSV: one line, its own.
    let r = chamar(&app, get("/provisoes/peona.csv?data_base=2025-06-30", &hap)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    assert_eq!(r.texto.lines().count(), 2, "{}", r.texto);
    assert!(r.texto.lines().nth(1).unwrap().starts_with(HAPVIDA));

    // A bad base date: the pt-BR error page; ANS's page is not the operator's.
    let r = chamar(&app, get("/provisoes?data_base=31%2F02%2F2025", &hap)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.texto
            .contains("data-base &quot;31/02/2025&quot; inválida"),
        "{}",
        r.texto
    );
    let r = chamar(&app, get("/ans/provisoes", &hap)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
});

db_test!(ans_sees_the_heat_map_and_the_impact, |db| {
    let dir = tempfile::tempdir().unwrap();
    let app = preparado(&db, dir.path()).await;
    historico(&db).await;
    let (analista, _) = entrar(&app, "ans.analista").await;
    let r = chamar(&app, get("/ans/provisoes?data_base=2025-06-30", &analista)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.texto);
    let t = &r.texto;
    // 1T2016 of the sector: 50 % at delay 1, 75 % at 2..6, 100 % at 7 (see provisoes_api.rs).
    let linha = t
        .split("<th scope=\"row\">1º trimestre de 2016</th>")
        .nth(1)
        .unwrap()
        .split("</tr>")
        .next()
        .unwrap();
    assert!(
        linha.contains("<td class=\"num calor-5\">50,00%</td>"),
        "{linha}"
    );
    assert_eq!(linha.matches("calor-7\">75,00%").count(), 5, "{linha}");
    assert!(
        linha.contains("<td class=\"num calor-10\">100,00%</td>"),
        "{linha}"
    );
    // The impact of rn574-66 → rn640-65: one reduction of R$ 8,00, two unchanged.
    let imp = t
        .split("id=\"impacto\"")
        .nth(1)
        .unwrap()
        .split("</table>")
        .next()
        .unwrap();
    assert!(
        imp.contains(
            "Redução de PEONA SUS</th><td class=\"num\">1</td><td class=\"num\">33,33%</td>"
        ),
        "{imp}"
    );
    assert!(imp.contains("-R$ 8,00"), "{imp}");
    assert!(
        imp.contains("Sem alteração de PEONA SUS</th><td class=\"num\">2</td>"),
        "{imp}"
    );
    // The histogram: the reduction of 800/52.800 = 1,5 % falls in "até 10%".
    let hist = t
        .split("Operadoras por variação da PEONA SUS")
        .nth(1)
        .unwrap()
        .split("</figure>")
        .next()
        .unwrap();
    assert!(hist.contains("Redução de até 10%</span>"), "{hist}");
    assert!(hist.contains("1 operadora</span>"), "{hist}");
    // Versions; no approve buttons for an analyst; CSV links; the menu.
    assert!(t.contains("id=\"versoes\"") && t.contains("rn640-65"));
    assert!(t.contains(
        "/ans/provisoes/impacto.csv?data_base=2025-06-30&amp;de=rn574-66&amp;para=rn640-65"
    ));
    assert!(t.contains("href=\"/ans/provisoes\" aria-current=\"page\""));
    let r = chamar(
        &app,
        get(
            "/ans/provisoes/triangulo.csv?data_base=2025-06-30",
            &analista,
        ),
    )
    .await;
    assert!(
        r.texto
            .lines()
            .nth(1)
            .unwrap()
            .starts_with("1T2016;;50,00;75,00;"),
        "{}",
        r.texto
    );
    // One operator's computation, as the operator sees it.
    let r = chamar(
        &app,
        get(
            &format!("/ans/provisoes/operadoras/{HAPVIDA}?data_base=2025-06-30"),
            &analista,
        ),
    )
    .await;
    assert!(
        r.texto.contains("id=\"peona-valor\">R$ 200,00<"),
        "{}",
        r.texto
    );
});

db_test!(
    ans_admin_approves_a_proposal_audited_post_redirect_get,
    |db| {
        let dir = tempfile::tempdir().unwrap();
        let app = preparado(&db, dir.path()).await;
        let proposta = ParametrosPeona {
            versao: "estudo-2026".into(),
            teto_pb: 6400,
            janela_inicio: Trimestre::parse("3T2022").unwrap(),
            janela_fim: Some(Trimestre::parse("4T2023").unwrap()),
            vigencia_inicio: NaiveDate::from_ymd_opt(2099, 8, 1).unwrap(),
            vigencia_fim: None,
            atualizacao_anual: true,
            certeza: "GUESS".into(),
            fonte: "Estudo anual de 2026".into(),
        };
        persus_store::provisoes::propor(
            &db,
            &proposta,
            &serde_json::json!({}),
            &Ator::sistema("estudo"),
            chrono::Utc::now(),
        )
        .await
        .unwrap();
        let acao = "/ans/provisoes/parametros/estudo-2026/aprovar";

        // Another ANS role sees the proposal, not the buttons, and cannot decide.
        let (analista, csrf_a) = entrar(&app, "ans.analista").await;
        let r = chamar(&app, get("/ans/provisoes", &analista)).await;
        assert!(r.texto.contains("estudo-2026") && !r.texto.contains(acao));
        let r = chamar(&app, form(acao, &analista, format!("csrf={csrf_a}"))).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        let (admin, csrf) = entrar(&app, "ans.admin").await;
        let r = chamar(&app, get("/ans/provisoes", &admin)).await;
        assert!(r.texto.contains(&format!("href=\"{acao}\"")), "{}", r.texto);
        // The confirmation page, then the POST without and with the CSRF token.
        let r = chamar(&app, get(acao, &admin)).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            r.texto.contains(&format!("action=\"{acao}\"")) && r.texto.contains("fator teto 64%")
        );
        let r = chamar(&app, form(acao, &admin, "csrf=errado".into())).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = chamar(&app, form(acao, &admin, format!("csrf={csrf}"))).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.texto);
        assert_eq!(r.headers[header::LOCATION], "/ans/provisoes");
        let pagina = redirecionado(&app, &r, &admin).await;
        assert!(
            pagina.texto.contains("Parâmetros estudo-2026 aprovados."),
            "{}",
            pagina.texto
        );
        assert!(pagina.texto.contains("Valem a partir de 01/08/2099."));
        // In force from 01/08/2099 (approval never changes the past) in the versions table; the previous one closed the day before.
        let versoes = pagina
            .texto
            .split("id=\"versoes\"")
            .nth(1)
            .unwrap()
            .split("</table>")
            .next()
            .unwrap()
            .to_owned();
        assert!(
            versoes.contains("<code>estudo-2026</code>")
                && versoes.contains("01/08/2099 em diante"),
            "{versoes}"
        );
        assert!(versoes.contains("01/08/2025 a 31/07/2099"), "{versoes}");
        // F5 does not repeat the message.
        let de_novo = chamar(&app, get("/ans/provisoes", &admin)).await;
        assert!(!de_novo.texto.contains("aprovados."));
        // Audited, by the person.
        let ator = common::texto(
            &db,
            "SELECT ator FROM auditoria WHERE acao = $1",
            "peona.parametros_aprovados",
        )
        .await;
        assert_eq!(ator, "ans.admin");
        let id = common::texto(
            &db,
            "SELECT entidade_id FROM auditoria WHERE acao = $1",
            "peona.parametros_aprovados",
        )
        .await;
        assert_eq!(id, "estudo-2026");
        // Decided once (a rule refusal, 422, like the API's).
        let r = chamar(&app, form(acao, &admin, format!("csrf={csrf}"))).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.texto.contains("já foi decidida"));
    }
);
