//! The web application through its router, on both databases: sign-in with a session cookie
//! (HttpOnly, SameSite), CSRF and origin checks, pages by role, another operator's process is
//! 404, a petition with a PDF filed from the form, a batch checked row by row before filing,
//! an analyst deciding from the queue, a GRU issued and downloaded.

#![allow(clippy::unwrap_used)]

mod common;

use common::web::{
    abrir_notificacao, chamar, com_debito, entrar, form, get, multipart, preparado, redirecionado,
    valor_depois,
};

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use persus_store::db_test;

use common::PDF;

db_test!(sessao_csrf_e_cada_um_so_ve_o_que_e_seu, |db| {
    let dir = tempfile::tempdir().unwrap();
    let app = preparado(&db, dir.path()).await;

    // Without a session: to the sign-in page, keeping where one was going.
    let r = chamar(
        &app,
        Request::get("/processos").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.headers[header::LOCATION], "/entrar?volta=/processos");
    // Wrong password: the message next to the form, same for an unknown login.
    let r = chamar(
        &app,
        form("/entrar", "", "login=rep.368253&senha=errada".into()),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.texto.contains("login ou senha inválidos"));

    let (hap, csrf) = entrar(&app, "rep.368253").await;
    let (amil, _) = entrar(&app, "rep.326305").await;
    let processos = chamar(&app, get("/processos", &hap)).await;
    let nup = processos
        .texto
        .split("/processos/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(
        chamar(&app, get(&format!("/processos/{nup}"), &hap))
            .await
            .status,
        StatusCode::OK
    );
    // Another operator cannot open it by URL.
    let r = chamar(&app, get(&format!("/processos/{nup}"), &amil)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.texto.contains("não existe ou não está disponível"));
    // ANS pages are not for operators; operator pages are not for ANS.
    assert_eq!(
        chamar(&app, get("/ans/filas/primeira", &hap)).await.status,
        StatusCode::FORBIDDEN
    );
    let (analista, _) = entrar(&app, "ans.analista").await;
    assert_eq!(
        chamar(&app, get("/processos", &analista)).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        chamar(&app, get("/ans/filas/dicol", &analista))
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    // A form without the session's CSRF token, or from another site, changes nothing.
    let r = chamar(&app, form("/sair", &hap, "csrf=falso".into())).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let mut outra = form("/sair", &hap, format!("csrf={csrf}"));
    outra
        .headers_mut()
        .insert(header::ORIGIN, "https://malicioso.example".parse().unwrap());
    outra
        .headers_mut()
        .insert(header::HOST, "persus.ans.gov.br".parse().unwrap());
    assert_eq!(chamar(&app, outra).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        chamar(&app, get("/painel", &hap)).await.status,
        StatusCode::OK
    );
    // Signing out ends the session.
    let r = chamar(&app, form("/sair", &hap, format!("csrf={csrf}"))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        chamar(&app, get("/painel", &hap)).await.status,
        StatusCode::SEE_OTHER
    );
});

db_test!(
    impugnacao_pelo_formulario_lote_conferido_e_decisao_da_analista,
    |db| {
        let dir = tempfile::tempdir().unwrap();
        let app = preparado(&db, dir.path()).await;
        let (hap, csrf) = entrar(&app, "rep.368253").await;

        // The dashboard lists the notice without ciência; opening it records ciência.
        let n = abrir_notificacao(&app, &hap).await;
        assert!(n.texto.contains("Ciência registrada agora"), "{}", n.texto);
        let nup = valor_depois(&n.texto, "/processos/");
        let p = chamar(&app, get(&format!("/processos/{nup}"), &hap)).await;
        let numeros: Vec<String> = p
            .texto
            .split("/atendimentos/")
            .skip(1)
            .map(|x| x.split('"').next().unwrap().to_owned())
            .collect();
        assert!(numeros.len() >= 3, "{numeros:?}");

        // The form: every reason next to its field when incomplete; then filed, with the receipt.
        let r = chamar(
            &app,
            multipart(
                "/peticoes",
                &hap,
                &[
                    ("csrf", &csrf),
                    ("processo", &nup),
                    ("tipo", "impugnacao"),
                    ("motivo", ""),
                ],
                &[],
            ),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.texto.contains("marque ao menos um atendimento")
                && r.texto.contains("anexe ao menos um PDF")
        );
        let r = chamar(
            &app,
            multipart(
                "/peticoes",
                &hap,
                &[
                    ("csrf", &csrf),
                    ("processo", &nup),
                    ("tipo", "impugnacao"),
                    ("atendimentos", &numeros[0]),
                    ("motivo", "ADM01"),
                    (
                        "fundamentacao",
                        "Beneficiário excluído do plano antes do atendimento.",
                    ),
                    ("auditor", ""),
                ],
                &[("documentos", "exclusao.pdf", PDF)],
            ),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.texto);
        // Saved as a draft, reviewed, then protocolled.
        let rascunho = r.headers[header::LOCATION].to_str().unwrap().to_owned();
        assert!(rascunho.starts_with("/rascunhos/"), "{rascunho}");
        let revisao = chamar(&app, get(&rascunho, &hap)).await;
        assert!(
            revisao.texto.contains("Rascunho salvo") && revisao.texto.contains("exclusao.pdf"),
            "{}",
            revisao.texto
        );
        assert!(chamar(&app, get("/painel", &hap))
            .await
            .texto
            .contains(&rascunho));
        // Edited later: new reasoning, no new file — the attached PDF is kept.
        let edicao = chamar(&app, get(&format!("{rascunho}/editar"), &hap)).await;
        assert!(
            edicao.texto.contains("Já anexados") && edicao.texto.contains("exclusao.pdf"),
            "{}",
            edicao.texto
        );
        let id_rascunho = rascunho.trim_start_matches("/rascunhos/").to_owned();
        let r = chamar(
            &app,
            multipart(
                "/peticoes",
                &hap,
                &[
                    ("csrf", &csrf),
                    ("processo", &nup),
                    ("tipo", "impugnacao"),
                    ("rascunho", &id_rascunho),
                    ("atendimentos", &numeros[0]),
                    ("motivo", "ADM01"),
                    (
                        "fundamentacao",
                        "Exclusão a pedido do titular, registrada antes do atendimento.",
                    ),
                    ("auditor", ""),
                ],
                &[],
            ),
        )
        .await;
        assert_eq!(
            r.headers[header::LOCATION],
            rascunho.as_str(),
            "{}",
            r.texto
        );
        let revisao = chamar(&app, get(&rascunho, &hap)).await;
        assert!(
            revisao.texto.contains("a pedido do titular") && revisao.texto.contains("exclusao.pdf"),
            "{}",
            revisao.texto
        );
        let r = chamar(
            &app,
            form(
                &format!("{rascunho}/protocolar"),
                &hap,
                format!("csrf={csrf}"),
            ),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.texto);
        let recibo = chamar(
            &app,
            get(r.headers[header::LOCATION].to_str().unwrap(), &hap),
        )
        .await;
        assert!(
            recibo.texto.contains("Petição protocolada") && recibo.texto.contains("exclusao.pdf"),
            "{}",
            recibo.texto
        );

        // A batch with a bad row: the row's error shown, nothing filed; corrected, it is filed.
        let cab = persus_server::servicos::peticoes::CABECALHO_LOTE;
        let doc = persus_store::peticoes::documentos_da_operadora(&db, "368253")
            .await
            .unwrap()[0]
            .id;
        let ruim = format!("{cab}\nimpugnacao;{nup};{};ADM03;Atendimento em período de carência contratual.;;{doc}\nimpugnacao;{nup};{};XYZ99;Motivo que não existe no catálogo.;;{doc}\n", numeros[1], numeros[2]);
        let r = chamar(
            &app,
            multipart(
                "/lotes/validar",
                &hap,
                &[("csrf", &csrf)],
                &[("planilha", "lote.csv", ruim.as_bytes())],
            ),
        )
        .await;
        let r = redirecionado(&app, &r, &hap).await;
        assert!(
            r.texto.contains("Nada foi protocolado") && r.texto.contains("XYZ99"),
            "{}",
            r.texto
        );
        assert!(
            r.texto.contains("<td>3</td>"),
            "the sheet's line 3 is named"
        );
        let bom = format!(
            "{cab}\nimpugnacao;{nup};{};ADM03;Atendimento em período de carência contratual.;;{doc}\n",
            numeros[1]
        );
        let r = chamar(
            &app,
            multipart(
                "/lotes/validar",
                &hap,
                &[("csrf", &csrf)],
                &[("planilha", "lote.csv", bom.as_bytes())],
            ),
        )
        .await;
        let r = redirecionado(&app, &r, &hap).await;
        assert!(
            r.texto.contains("Todas as 1 linhas estão corretas"),
            "{}",
            r.texto
        );
        let r = chamar(
            &app,
            form(
                "/lotes",
                &hap,
                common::web::campos_ocultos(&r.texto, "/lotes"),
            ),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.texto);
        let lote = r.headers[header::LOCATION].to_str().unwrap().to_owned();
        assert!(chamar(&app, get(&lote, &hap))
            .await
            .texto
            .contains("Esta página se atualiza sozinha"));
        // Recorded under the organization's internal web application, which can never get a token.
        let interna = persus_store::contas::aplicacao_por_client_id(&db, "web-368253")
            .await
            .unwrap()
            .unwrap();
        assert!(interna.revogada_em.is_some() && interna.escopos.is_empty());
        common::processar_lote(&db).await;
        assert!(chamar(&app, get(&lote, &hap))
            .await
            .texto
            .contains("1 protocolada(s)"));

        // The analyst decides the first impugnação from the queue; the operator sees it.
        let (analista, csrf_a) = entrar(&app, "ans.analista").await;
        let fila = chamar(&app, get("/ans/filas/primeira", &analista)).await;
        assert!(fila.texto.contains(&numeros[0]));
        let r = chamar(&app, form("/ans/decisoes", &analista, format!("csrf={csrf_a}&instancia=primeira&atendimentos={}&resultado=indeferida&fundamentacao=Exclus%C3%A3o+n%C3%A3o+comprovada.", numeros[0]))).await;
        let r = redirecionado(&app, &r, &analista).await;
        assert!(
            r.texto.contains("Decisão publicada") && r.texto.contains(&numeros[0]),
            "{}",
            r.texto
        );
        let a = chamar(&app, get(&format!("/atendimentos/{}", numeros[0]), &hap)).await;
        assert!(
            a.texto.contains("Mantido (impugnação indeferida)")
                && a.texto.contains("Exclusão não comprovada"),
            "{}",
            a.texto
        );
    }
);

db_test!(
    conta_do_gestor_aplicacoes_webhooks_pessoas_e_delegacoes,
    |db| {
        let dir = tempfile::tempdir().unwrap();
        let app = preparado(&db, dir.path()).await;
        let (hap, csrf) = entrar(&app, "rep.368253").await;
        let conta = chamar(&app, get("/conta", &hap)).await;
        assert_eq!(conta.status, StatusCode::OK);
        assert!(conta.texto.contains("demo-368253"));
        // A person without the manager's role does not reach it.
        let (analista, _) = entrar(&app, "ans.analista").await;
        assert_eq!(
            chamar(&app, get("/conta", &analista)).await.status,
            StatusCode::FORBIDDEN
        );

        // Register an application: the secret is shown once, after the redirect.
        let r = chamar(&app, form("/conta/aplicacoes", &hap, format!("csrf={csrf}&nome=ERP+da+operadora&ambiente=homologacao&escopos=consulta&escopos=peticionar"))).await;
        let r = redirecionado(&app, &r, &hap).await;
        assert!(
            r.texto.contains("client_secret") && r.texto.contains("psus_sk_"),
            "{}",
            r.texto
        );
        let client_id = r
            .texto
            .split("client_id ")
            .nth(1)
            .unwrap()
            .split('.')
            .next()
            .unwrap()
            .trim()
            .to_owned();
        assert!(client_id.starts_with("psus_app_"), "{client_id}");
        // Bad input: every reason, nothing registered.
        let r = chamar(
            &app,
            form(
                "/conta/aplicacoes",
                &hap,
                format!("csrf={csrf}&nome=x&ambiente=lua"),
            ),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.texto.contains("nome") && r.texto.contains("ambiente"));

        // A webhook on it: secret once; a test event queued; the delivery log lists it.
        let r = chamar(&app, form("/conta/webhooks", &hap, format!("csrf={csrf}&aplicacao={client_id}&url=https%3A%2F%2Ferp.example%2Fganchos&eventos=gru.emitida&eventos=teste"))).await;
        let id = r.headers[header::LOCATION]
            .to_str()
            .unwrap()
            .trim_start_matches("/conta/webhooks/")
            .to_owned();
        let r = redirecionado(&app, &r, &hap).await;
        assert!(r.texto.contains("whsec_"), "{}", r.texto);
        // Event types by their pt-BR labels, never their codes (persus_domain::eventos).
        assert!(
            r.texto.contains("Eventos: GRU emitida; Evento de teste")
                && !r.texto.contains("gru.emitida"),
            "{}",
            r.texto
        );
        let conta = chamar(&app, get("/conta", &hap)).await;
        assert!(
            conta
                .texto
                .contains("<td>GRU emitida; Evento de teste</td>")
                && conta
                    .texto
                    .contains("Aviso prévio de inclusão no CADIN</label>")
                && !conta.texto.contains(">gru.emitida<"),
            "{}",
            conta.texto
        );
        let r = chamar(
            &app,
            form(
                &format!("/conta/webhooks/{id}/teste"),
                &hap,
                format!("csrf={csrf}"),
            ),
        )
        .await;
        let entregas = redirecionado(&app, &r, &hap).await;
        assert!(
            entregas.texto.contains("Evento de teste"),
            "{}",
            entregas.texto
        );
        assert!(
            entregas.texto.contains("msg_teste_")
                && entregas.texto.contains("<td>Evento de teste</td>")
                && entregas.texto.contains("nenhuma tentativa ainda")
                && entregas.texto.contains("aguardando nova tentativa"),
            "{}",
            entregas.texto
        );
        // Another operator's manager does not see it.
        let (amil, _) = entrar(&app, "rep.326305").await;
        assert_eq!(
            chamar(&app, get(&format!("/conta/webhooks/{id}"), &amil))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        // An internal destination is refused with the reason (the service's one check).
        let r = chamar(&app, form("/conta/webhooks", &hap, format!("csrf={csrf}&aplicacao={client_id}&url=https%3A%2F%2F10.0.0.5%2Fganchos&eventos=teste"))).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.texto.contains("endereço privado (10.0.0.5)"),
            "{}",
            r.texto
        );
        // Cancelling stops it; its delivery log stays, the pending test event cancelled.
        let r = chamar(
            &app,
            form(
                &format!("/conta/webhooks/{id}/cancelar"),
                &hap,
                format!("csrf={csrf}"),
            ),
        )
        .await;
        let entregas = redirecionado(&app, &r, &hap).await;
        assert_eq!(entregas.status, StatusCode::OK);
        assert!(
            entregas
                .texto
                .contains(&format!("Assinatura {id} cancelada"))
                && entregas.texto.contains("Assinatura cancelada em")
                && entregas
                    .texto
                    .contains("<td>cancelada com a assinatura</td>")
                && !entregas
                    .texto
                    .contains("<td>aguardando nova tentativa</td>"),
            "{}",
            entregas.texto
        );
        // Rotation shows a new secret; revocation ends it.
        let r = chamar(
            &app,
            form(
                &format!("/conta/aplicacoes/{client_id}/rotacionar"),
                &hap,
                format!("csrf={csrf}"),
            ),
        )
        .await;
        let r = redirecionado(&app, &r, &hap).await;
        assert!(r.texto.contains("Novo segredo"), "{}", r.texto);
        let r = chamar(
            &app,
            form(
                &format!("/conta/aplicacoes/{client_id}/revogar"),
                &hap,
                format!("csrf={csrf}"),
            ),
        )
        .await;
        let r = redirecionado(&app, &r, &hap).await;
        assert!(r.texto.contains("revogada; seus tokens"), "{}", r.texto);

        // People and delegations.
        let r = chamar(&app, form("/conta/usuarios", &hap, format!("csrf={csrf}&login=ana.financeiro&nome=Ana&papel=usuario&permissoes=financeiro&senha=senha-bem-longa"))).await;
        let r = redirecionado(&app, &r, &hap).await;
        assert!(r.texto.contains("ana.financeiro cadastrado"), "{}", r.texto);
        let r = chamar(&app, form("/conta/delegacoes", &hap, format!("csrf={csrf}&para=ana.financeiro&processo=&permissoes=consulta&ate=31%2F12%2F2099"))).await;
        let r = redirecionado(&app, &r, &hap).await;
        assert!(
            r.texto.contains("Delegação") && r.texto.contains("concedida"),
            "{}",
            r.texto
        );
        let d = r
            .texto
            .split("/conta/delegacoes/")
            .nth(1)
            .unwrap()
            .split('/')
            .next()
            .unwrap()
            .to_owned();
        let r = chamar(
            &app,
            form(
                &format!("/conta/delegacoes/{d}/revogar"),
                &hap,
                format!("csrf={csrf}"),
            ),
        )
        .await;
        let r = redirecionado(&app, &r, &hap).await;
        assert!(r.texto.contains("revogada"), "{}", r.texto);
        let r = chamar(
            &app,
            form(
                "/conta/delegacoes",
                &hap,
                format!("csrf={csrf}&para=ana.financeiro&ate=ontem"),
            ),
        )
        .await;
        assert!(r.texto.contains("inválida: use dd/mm/aaaa"), "{}", r.texto);
    }
);

db_test!(primeiro_acesso_habilitado_pela_ans_uma_vez, |db| {
    let dir = tempfile::tempdir().unwrap();
    let app = preparado(&db, dir.path()).await;
    let (admin, csrf) = entrar(&app, "ans.admin").await;
    let r = chamar(
        &app,
        form(
            "/ans/operadoras",
            &admin,
            format!("csrf={csrf}&registro=419052&login=rep.419052&nome=Maria+Representante"),
        ),
    )
    .await;
    // Post/Redirect/Get: the code is on the page the POST redirects to, once.
    let r = redirecionado(&app, &r, &admin).await;
    let codigo = r
        .texto
        .split("id=\"codigo\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_owned();
    assert!(codigo.starts_with("pa_"), "{}", r.texto);
    let f5 = chamar(&app, get("/ans/operadoras", &admin)).await;
    assert!(
        !f5.texto.contains(&codigo),
        "F5 does not show the code again"
    );
    // An operator outside the register is refused by name.
    let r = chamar(
        &app,
        form(
            "/ans/operadoras",
            &admin,
            format!("csrf={csrf}&registro=999999&login=rep.x&nome=Fulano+de+Tal"),
        ),
    )
    .await;
    assert!(r.texto.contains("999999"), "{}", r.texto);
    // Only ANS's admin enables it.
    let (hap, csrf_h) = entrar(&app, "rep.368253").await;
    assert_eq!(
        chamar(
            &app,
            form(
                "/ans/operadoras",
                &hap,
                format!("csrf={csrf_h}&registro=419052&login=y&nome=y")
            )
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );

    let definir = |codigo: &str, senha: &str| {
        Request::post("/primeiro-acesso")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!(
                "login=rep.419052&codigo={codigo}&senha={senha}&confirmacao={senha}"
            )))
            .unwrap()
    };
    let r = chamar(&app, definir("pa_errado", "nova-senha-forte")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.texto.contains("código inválido"));
    let r = chamar(&app, definir(&codigo, "curta")).await;
    assert!(r.texto.contains("ao menos 10"));
    let r = chamar(&app, definir(&codigo, "nova-senha-forte")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.texto);
    // Once only.
    assert_eq!(
        chamar(&app, definir(&codigo, "outra-senha-forte"))
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let r = chamar(
        &app,
        form(
            "/entrar",
            "",
            "login=rep.419052&senha=nova-senha-forte".into(),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
});

db_test!(parcelamento_pedido_pela_web_com_gru_da_parcela, |db| {
    let dir = tempfile::tempdir().unwrap();
    // A period passes without impugnação: the scheduler constitutes the debt.
    let (app, hap, csrf, debito) = com_debito(&db, dir.path()).await;
    let s = chamar(
        &app,
        get(
            &format!("/cobranca/parcelamento?debitos={debito}&parcelas=2"),
            &hap,
        ),
    )
    .await;
    assert!(
        s.texto.contains("Débito consolidado hoje") && s.texto.contains("Pedir parcelamento em 2"),
        "{}",
        s.texto
    );
    // A number of instalments that does not read is said so.
    let r = chamar(
        &app,
        get(
            &format!("/cobranca/parcelamento?debitos={debito}&parcelas=doze"),
            &hap,
        ),
    )
    .await;
    assert!(
        r.texto
            .contains("número de parcelas &quot;doze&quot; inválido"),
        "{}",
        r.texto
    );
    // Without the confession nothing is granted.
    let r = chamar(
        &app,
        form(
            "/cobranca/parcelamentos",
            &hap,
            format!("csrf={csrf}&debitos={debito}&parcelas=2"),
        ),
    )
    .await;
    let r = redirecionado(&app, &r, &hap).await;
    assert!(r.texto.contains("confissão"), "{}", r.texto);
    let r = chamar(
        &app,
        form(
            "/cobranca/parcelamentos",
            &hap,
            format!("csrf={csrf}&debitos={debito}&parcelas=2&confissao=sim"),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.texto);
    let p = chamar(
        &app,
        get(r.headers[header::LOCATION].to_str().unwrap(), &hap),
    )
    .await;
    assert!(
        p.texto.contains("irrevogável") && p.texto.contains("Emitir GRU da parcela 1"),
        "{}",
        p.texto
    );
    let acao = p
        .texto
        .split("action=\"")
        .find(|x| x.contains("/parcelas/1/gru"))
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let g = chamar(&app, form(&acao, &hap, format!("csrf={csrf}"))).await;
    let g = redirecionado(&app, &g, &hap).await;
    assert!(
        g.texto.contains("emitida:")
            && g.texto.contains("Linha digitável")
            && g.texto.contains("Parcelamento"),
        "{}",
        g.texto
    );
});
