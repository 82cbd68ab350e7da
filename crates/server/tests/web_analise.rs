//! The analyst decides with the case in front of them, on both databases: the queue shows the
//! petition (ground with its label, fundamentação) and filters by operator, ground, value and
//! age; the case page shows the petition, the attendance, the filed PDF (served inline to ANS
//! and to the operator that filed it, 404 to another operator) and the previous decisions; a
//! decision answers 303 to its page, and a refused one shows the form again as typed.

#![allow(clippy::unwrap_used)]

mod common;

use axum::http::{header, StatusCode};
use axum::Router;
use common::web::{abrir_notificacao, chamar, entrar, form, get, preparado, redirecionado};
use common::{ator, textos, PDF};
use persus_server::servicos::documentos::{enviar, ArmazenamentoLocal};
use persus_server::servicos::peticoes::{protocolar, Pedido, TipoPeticao};
use persus_server::servicos::regras::RegrasVigentes;
use persus_server::servicos::relogio::{Relogio, RelogioSistema};
use persus_store::{db_test, Db};

const HAPVIDA: &str = "368253";
const FUNDAMENTACAO: &str =
    "O contrato cobre apenas o município de Fortaleza; o atendimento foi em Recife.";

/// Hapvida takes notice of its Ofício ABI (on the web) and impugns its first attendance on
/// ground ADM05 with a PDF. Returns the attendance number and the document id.
async fn impugnado_com_pdf(app: &Router, db: &Db, dir: &std::path::Path) -> (String, i64) {
    let (hap, _) = entrar(app, "rep.368253").await;
    abrir_notificacao(app, &hap).await;
    let nup = textos(
        db,
        "SELECT nup FROM processos WHERE operadora = $1",
        HAPVIDA,
    )
    .await;
    let numero = textos(
        db,
        "SELECT numero FROM atendimentos WHERE operadora = $1 AND estado = 'notificado' ORDER BY numero",
        HAPVIDA,
    )
    .await
    .remove(0);
    let arm = ArmazenamentoLocal {
        raiz: dir.to_path_buf(),
    };
    let agora = RelogioSistema.agora();
    let doc = enviar(db, &arm, HAPVIDA, "contrato área.pdf", PDF, "rep", agora)
        .await
        .unwrap();
    let regras = RegrasVigentes::padrao();
    protocolar(
        db,
        HAPVIDA,
        &Pedido {
            tipo: TipoPeticao::Impugnacao,
            processo: nup[0].clone(),
            atendimentos: vec![numero.clone()],
            motivo: "ADM05".into(),
            fundamentacao: FUNDAMENTACAO.into(),
            auditor: None,
            documentos: vec![doc.id],
        },
        &persus_server::servicos::peticoes::Ocasiao {
            hoje: RelogioSistema.hoje(),
            agora,
            calendario: &regras.calendario,
            prazos: &regras.prazos,
            ator: &ator(HAPVIDA),
        },
    )
    .await
    .unwrap();
    (numero, doc.id)
}

db_test!(fila_mostra_a_peticao_e_filtra, |db| {
    let dir = tempfile::tempdir().unwrap();
    let app = preparado(&db, dir.path()).await;
    let (numero, _) = impugnado_com_pdf(&app, &db, dir.path()).await;
    let (analista, _) = entrar(&app, "ans.analista").await;

    let fila = chamar(&app, get("/ans/filas/primeira", &analista)).await;
    assert_eq!(fila.status, StatusCode::OK);
    assert!(
        fila.texto.contains(&format!("/ans/casos/{numero}")),
        "{}",
        fila.texto
    );
    assert!(fila
        .texto
        .contains("ADM05 — Atendimento fora da área de abrangência geográfica do plano"));
    assert!(fila.texto.contains("o atendimento foi em Recife"));
    assert!(fila.texto.contains("1 atendimento(s) nesta fila"));

    let com = |q: &'static str| {
        let (app, analista) = (app.clone(), analista.clone());
        async move {
            chamar(&app, get(&format!("/ans/filas/primeira?{q}"), &analista))
                .await
                .texto
        }
    };
    assert!(com("operadora=368253").await.contains(&numero));
    assert!(!com("operadora=326305").await.contains(&numero));
    assert!(com("motivo=ADM05").await.contains(&numero));
    assert!(!com("motivo=ADM01").await.contains(&numero));
    assert!(com("valor_min=0%2C01").await.contains(&numero));
    assert!(!com("valor_min=9.999.999%2C00").await.contains(&numero));
    assert!(!com("valor_max=0%2C01").await.contains(&numero));
    assert!(com("idade=0").await.contains(&numero));
    assert!(
        !com("idade=30").await.contains(&numero),
        "protocolled today"
    );
    let ruim = com("valor_min=abc").await;
    assert!(ruim.contains("Filtro não aplicado") && ruim.contains(&numero));

    // The menu's queue link takes each role to its own queue.
    let r = chamar(&app, get("/ans/filas", &analista)).await;
    assert_eq!(r.headers[header::LOCATION], "/ans/filas/primeira");
    let (dicol, _) = entrar(&app, "ans.dicol").await;
    let r = chamar(&app, get("/ans/filas", &dicol)).await;
    assert_eq!(r.headers[header::LOCATION], "/ans/filas/dicol");
});

db_test!(caso_com_pdf_decidido_uma_vez, |db| {
    let dir = tempfile::tempdir().unwrap();
    let app = preparado(&db, dir.path()).await;
    let (numero, doc) = impugnado_com_pdf(&app, &db, dir.path()).await;
    let (analista, csrf) = entrar(&app, "ans.analista").await;
    let caminho = format!("/ans/casos/{numero}");

    let caso = chamar(&app, get(&caminho, &analista)).await;
    assert_eq!(caso.status, StatusCode::OK, "{}", caso.texto);
    let t = &caso.texto;
    assert!(t.contains("Impugnação — protocolo "), "{t}");
    assert!(t.contains(
        "ADM05 — Atendimento fora da área de abrangência geográfica do plano (administrativo)"
    ));
    assert!(t.contains("o atendimento foi em Recife"));
    assert!(t.contains("Auditor"));
    let link = format!("/documentos/{doc}/visualizar");
    assert!(t.contains(&link) && t.contains("contrato área.pdf"), "{t}");
    assert!(t.contains("Procedimentos") && t.contains("Código SIGTAP"));
    assert!(t.contains("Nenhuma decisão ainda."));
    assert!(t.contains("horário de Brasília"));
    // The beneficiary's CPF is masked.
    let cpf = textos(&db, "SELECT b.cpf FROM atendimentos a JOIN beneficiarios b ON b.id = a.beneficiario_id WHERE a.numero = $1 AND b.cpf IS NOT NULL", &numero).await;
    if let Some(cpf) = cpf.first() {
        assert!(!t.contains(cpf.as_str()), "full CPF shown");
        assert!(t.contains(&format!("***.{}.{}-**", &cpf[3..6], &cpf[6..9])));
    }
    assert!(
        t.contains("name=\"resultado\""),
        "the analyst may decide it here"
    );

    // The PDF: inline for ANS and the operator that filed it; another operator: not found.
    let r = chamar(&app, get(&link, &analista)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers[header::CONTENT_TYPE], "application/pdf");
    let cd = r.headers[header::CONTENT_DISPOSITION].to_str().unwrap();
    assert!(
        cd.starts_with("inline; filename=\"contrato area.pdf\""),
        "{cd}"
    );
    assert_eq!(r.texto.as_bytes(), PDF);
    let (hap, _) = entrar(&app, "rep.368253").await;
    assert_eq!(chamar(&app, get(&link, &hap)).await.status, StatusCode::OK);
    let (amil, _) = entrar(&app, "rep.326305").await;
    let r = chamar(&app, get(&link, &amil)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_ne!(r.headers[header::CONTENT_TYPE], "application/pdf");
    assert_eq!(
        chamar(&app, get("/documentos/999999/visualizar", &analista))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // The case page is ANS's.
    assert_eq!(
        chamar(&app, get(&caminho, &hap)).await.status,
        StatusCode::NOT_FOUND
    );

    // A refused decision: the case page again, as typed, each error linked to its field.
    let r = chamar(
        &app,
        form(
            "/ans/decisoes",
            &analista,
            format!("csrf={csrf}&instancia=primeira&origem=caso&atendimentos={numero}&resultado=parcialmente_deferida&novo_valor=&fundamentacao=curta"),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.texto);
    assert!(
        r.texto.contains("href=\"#novo_valor\"") && r.texto.contains("href=\"#fundamentacao\"")
    );
    assert!(r.texto.contains(">curta</textarea>"), "input kept");
    assert!(
        !r.texto.contains("novo_valor_centavos")
            && !r.texto.contains("parcialmente_deferida exige")
    );

    // Decided: 303 to the decision's page; F5 there shows it again, Back shows the case decided.
    let r = chamar(
        &app,
        form(
            "/ans/decisoes",
            &analista,
            format!("csrf={csrf}&instancia=primeira&origem=caso&atendimentos={numero}&resultado=indeferida&fundamentacao=O+contrato+n%C3%A3o+limita+a+abrang%C3%AAncia."),
        ),
    )
    .await;
    let destino = r.headers[header::LOCATION].to_str().unwrap().to_owned();
    assert!(destino.starts_with("/ans/decisoes/"), "{destino}");
    let pagina = redirecionado(&app, &r, &analista).await;
    assert!(
        pagina.texto.contains("Decisão publicada")
            && pagina.texto.contains("Indeferida (mantém o valor)")
    );
    let f5 = chamar(&app, get(&destino, &analista)).await;
    assert_eq!(f5.status, StatusCode::OK);
    let decisoes = textos(&db, "SELECT d.resultado FROM decisoes d JOIN atendimentos a ON a.id = d.atendimento_id WHERE a.numero = $1", &numero).await;
    assert_eq!(decisoes, ["indeferida"], "decided once");
    let volta = chamar(&app, get(&caminho, &analista)).await;
    assert!(
        !volta.texto.contains("name=\"resultado\""),
        "no live form for what was decided"
    );
    assert!(
        volta.texto.contains("Indeferida (mantém o valor)")
            && volta.texto.contains("O contrato não limita")
    );
});

db_test!(abi_agendado_e_publicado_com_post_redirect_get, |db| {
    let dir = tempfile::tempdir().unwrap();
    let app = preparado(&db, dir.path()).await;
    let (admin, csrf) = entrar(&app, "ans.admin").await;
    let agendar = |corpo: String| form("/ans/abis/agendar", &admin, corpo);

    // Refused: the form again, as typed, each error linked to its field.
    let r = chamar(
        &app,
        agendar(format!(
            "csrf={csrf}&numero=abc&tipo=APAC&trimestre=3T&lancamento=31/02/2026"
        )),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.texto);
    for campo in ["numero", "trimestre", "lancamento"] {
        assert!(
            r.texto.contains(&format!("href=\"#{campo}\"")),
            "{campo}: {}",
            r.texto
        );
    }
    assert!(r.texto.contains("value=\"3T\"") && r.texto.contains("<option selected>APAC"));

    // Scheduled: 303 to the list, which says so once.
    let hoje = RelogioSistema.hoje().format("%d/%m/%Y").to_string();
    let corpo = format!("csrf={csrf}&numero=150&tipo=APAC&trimestre=3T2026&lancamento={hoje}");
    let r = chamar(&app, agendar(corpo.clone())).await;
    let lista = redirecionado(&app, &r, &admin).await;
    assert!(
        lista.texto.contains("150º ABI agendado."),
        "{}",
        lista.texto
    );
    let f5 = chamar(&app, get("/ans/abis", &admin)).await;
    assert!(!f5.texto.contains("150º ABI agendado."), "said once");
    // The same form sent again is refused by the rule, not scheduled twice.
    let r = chamar(&app, agendar(corpo)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.texto.contains("já existe o 150º ABI"), "{}", r.texto);

    // Published in the background: 303 to the list with the news.
    let r = chamar(
        &app,
        form("/ans/abis/150/publicacao", &admin, format!("csrf={csrf}")),
    )
    .await;
    let lista = redirecionado(&app, &r, &admin).await;
    assert!(
        lista.texto.contains("Publicação do 150º ABI iniciada."),
        "{}",
        lista.texto
    );
});
