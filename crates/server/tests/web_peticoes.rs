//! Petitions through the web, on both databases: one fundamentação rule on the form, the API and
//! batches; Post/Redirect/Get after protocol and discard (sent again, the receipt — never a
//! second petition); the printable receipt and the filed PDFs; batches as a Windows-1252 CSV or
//! a ZIP from the web, sent once per check page; a form sent after its session expired comes
//! back filled after signing in.

#![allow(clippy::unwrap_used)]

mod common;

use std::io::Write;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use common::web::{campos_ocultos, chamar, entrar, form, get, multipart, preparado, redirecionado};
use common::PDF;
use persus_server::servicos::peticoes::{CABECALHO_LOTE, FUNDAMENTACAO_MINIMA};
use persus_store::{db_test, Db};

const CURTA: &str = "Excluído do plano."; // 18 characters
const LONGA: &str = "Beneficiário excluído do plano antes do atendimento.";

/// Signed in as Hapvida's representative, with ciência of its Ofício: (cookie, csrf, NUP, the
/// process's attendance numbers).
async fn com_ciencia(app: &Router) -> (String, String, String, Vec<String>) {
    let (hap, csrf) = entrar(app, "rep.368253").await;
    let painel = chamar(app, get("/painel", &hap)).await;
    let id = depois(&painel.texto, "/notificacoes/");
    let n = chamar(app, get(&format!("/notificacoes/{id}"), &hap)).await;
    let nup = depois(&n.texto, "/processos/");
    let p = chamar(app, get(&format!("/processos/{nup}"), &hap)).await;
    let numeros: Vec<String> = p
        .texto
        .split("/atendimentos/")
        .skip(1)
        .map(|x| x.split('"').next().unwrap().to_owned())
        .collect();
    assert!(numeros.len() >= 3, "{numeros:?}");
    (hap, csrf, nup, numeros)
}

/// The text after the first `marca`, up to the next quote.
fn depois(texto: &str, marca: &str) -> String {
    texto
        .split(marca)
        .nth(1)
        .unwrap_or_else(|| panic!("{marca} not in {texto}"))
        .split('"')
        .next()
        .unwrap()
        .to_owned()
}

fn local(r: &common::web::R) -> String {
    r.headers[header::LOCATION].to_str().unwrap().to_owned()
}

async fn peticao_pelo_formulario(
    app: &Router,
    (hap, csrf, nup): (&str, &str, &str),
    numero: &str,
    fundamentacao: &str,
) -> common::web::R {
    chamar(
        app,
        multipart(
            "/peticoes",
            hap,
            &[
                ("csrf", csrf),
                ("processo", nup),
                ("tipo", "impugnacao"),
                ("atendimentos", numero),
                ("motivo", "ADM01"),
                ("fundamentacao", fundamentacao),
                ("auditor", ""),
            ],
            &[("documentos", "exclusao.pdf", PDF)],
        ),
    )
    .await
}

async fn documento(db: &Db, dir: &std::path::Path) -> i64 {
    let arm = persus_server::servicos::documentos::ArmazenamentoLocal {
        raiz: dir.to_path_buf(),
    };
    persus_server::servicos::documentos::enviar(
        db,
        &arm,
        "368253",
        "prova.pdf",
        PDF,
        "rep.368253",
        chrono::Utc::now(),
    )
    .await
    .unwrap()
    .id
}

db_test!(
    fundamentacao_minima_e_uma_so_regra_no_formulario_na_api_e_no_lote,
    |db| {
        assert_eq!(FUNDAMENTACAO_MINIMA, 20);
        assert_eq!(CURTA.chars().count(), 18);
        let dir = tempfile::tempdir().unwrap();
        let app = preparado(&db, dir.path()).await;
        let (hap, csrf, nup, numeros) = com_ciencia(&app).await;
        let regra = "ao menos 20 caracteres";

        // The web form.
        let r = peticao_pelo_formulario(&app, (&hap, &csrf, &nup), &numeros[0], CURTA).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.texto.contains(regra), "{}", r.texto);
        assert!(r.texto.contains(CURTA), "the input is kept");

        // A batch (checked on the web).
        let doc = documento(&db, dir.path()).await;
        let csv = format!(
            "{CABECALHO_LOTE}\nimpugnacao;{nup};{};ADM01;{CURTA};;{doc}\n",
            numeros[1]
        );
        let r = conferir_arquivo(&app, (&hap, &csrf), "lote.csv", csv.as_bytes()).await;
        assert!(
            r.texto.contains("Nada foi protocolado") && r.texto.contains(regra),
            "{}",
            r.texto
        );

        // The API (its token, the same process).
        let basic = base64_basic("demo-368253", "demo-368253-secret");
        let t = chamar(
            &app,
            Request::post("/oauth/token")
                .header(header::AUTHORIZATION, basic)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from("grant_type=client_credentials"))
                .unwrap(),
        )
        .await;
        let token = depois(&t.texto, "\"access_token\":\"");
        let api = |fundamentacao: &str, numero: &str| {
            Request::post("/api/v1/impugnacoes")
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(
                    serde_json::json!({
                        "processo": nup, "atendimentos": [numero], "motivo": "ADM01",
                        "fundamentacao": fundamentacao, "documentos": [doc],
                    })
                    .to_string(),
                ))
                .unwrap()
        };
        let r = chamar(&app, api(CURTA, &numeros[2])).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.texto);
        assert!(r.texto.contains(regra), "{}", r.texto);
        // Twenty characters pass everywhere.
        let vinte = "Excluído do contrato";
        assert_eq!(vinte.chars().count(), 20);
        assert_eq!(
            chamar(&app, api(vinte, &numeros[2])).await.status,
            StatusCode::CREATED
        );
        let r = peticao_pelo_formulario(&app, (&hap, &csrf, &nup), &numeros[0], vinte).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.texto);
    }
);

fn base64_basic(id: &str, segredo: &str) -> String {
    use base64::Engine;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{id}:{segredo}"))
    )
}

db_test!(
    protocolo_enviado_de_novo_leva_ao_recibo_pdf_e_descarte_confirmado,
    |db| {
        let dir = tempfile::tempdir().unwrap();
        let app = preparado(&db, dir.path()).await;
        let (hap, csrf, nup, numeros) = com_ciencia(&app).await;
        let r = peticao_pelo_formulario(&app, (&hap, &csrf, &nup), &numeros[0], LONGA).await;
        let rascunho = local(&r);
        let protocolar = || {
            form(
                &format!("{rascunho}/protocolar"),
                &hap,
                format!("csrf={csrf}"),
            )
        };
        let r = chamar(&app, protocolar()).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.texto);
        let recibo = local(&r);
        assert!(recibo.starts_with("/peticoes/"), "{recibo}");
        let protocolo = recibo.trim_start_matches("/peticoes/").to_owned();

        // Sent again (F5 on the POST, Back and the button): the same receipt, no second petition.
        let r = chamar(&app, protocolar()).await;
        assert_eq!(
            (r.status, local(&r)),
            (StatusCode::SEE_OTHER, recibo.clone())
        );
        // Back to the review page: the receipt, no live "Protocolar" button.
        let r = chamar(&app, get(&rascunho, &hap)).await;
        assert_eq!(
            (r.status, local(&r)),
            (StatusCode::SEE_OTHER, recibo.clone())
        );
        assert_eq!(
            common::scalar_i64(
                &db,
                "SELECT COUNT(*) FROM peticoes p WHERE estado = 'protocolada' AND EXISTS
                 (SELECT 1 FROM peticao_atendimentos pa JOIN atendimentos a ON a.id = pa.atendimento_id
                  WHERE pa.peticao_id = p.id AND a.numero = $1)",
                &numeros[0],
            )
            .await,
            1
        );

        // The receipt page and its PDF (Brasília time, the number, the grounds, the hash).
        let pagina = chamar(&app, get(&recibo, &hap)).await;
        assert!(
            pagina.texto.contains("horário de Brasília") && pagina.texto.contains(LONGA),
            "{}",
            pagina.texto
        );
        let r = bruto(&app, get(&format!("{recibo}/recibo.pdf"), &hap)).await;
        assert_eq!(r.0, StatusCode::OK);
        assert!(r.1.starts_with(b"%PDF-"));
        let texto = String::from_utf8_lossy(&r.1);
        assert!(texto.contains(&protocolo), "the number is in the PDF");
        assert!(texto.contains("ADM01") && texto.contains("SHA-256"));
        assert!(persus_server::servicos::documentos::validar_pdf("r.pdf", &r.1).is_ok());
        // Another operator has no such receipt.
        let (amil, _) = entrar(&app, "rep.326305").await;
        assert_eq!(
            chamar(&app, get(&format!("{recibo}/recibo.pdf"), &amil))
                .await
                .status,
            StatusCode::NOT_FOUND
        );

        // The filed PDF, downloadable by the operator (not by another).
        let doc = depois(&pagina.texto, "/documentos/");
        let r = bruto(&app, get(&format!("/documentos/{doc}"), &hap)).await;
        assert_eq!((r.0, r.1.as_slice()), (StatusCode::OK, PDF));
        assert_eq!(
            chamar(&app, get(&format!("/documentos/{doc}"), &amil))
                .await
                .status,
            StatusCode::NOT_FOUND
        );

        // Discarding asks first, says what happened, and is not repeated.
        let r = peticao_pelo_formulario(&app, (&hap, &csrf, &nup), &numeros[1], LONGA).await;
        let outro = local(&r);
        let confirmacao = chamar(&app, get(&format!("{outro}/descartar"), &hap)).await;
        assert!(
            confirmacao.texto.contains("não poderá ser recuperado")
                && confirmacao.texto.contains("Descartar definitivamente"),
            "{}",
            confirmacao.texto
        );
        let descartar = || form(&format!("{outro}/descartar"), &hap, format!("csrf={csrf}"));
        let r = chamar(&app, descartar()).await;
        assert_eq!(
            (r.status, local(&r)),
            (StatusCode::SEE_OTHER, format!("{outro}/descartado"))
        );
        let feito = chamar(&app, get(&format!("{outro}/descartado"), &hap)).await;
        assert!(feito.texto.contains("foi descartado"), "{}", feito.texto);
        let r = chamar(&app, descartar()).await;
        assert_eq!(
            (r.status, local(&r)),
            (StatusCode::SEE_OTHER, format!("{outro}/descartado"))
        );
        assert_eq!(
            chamar(&app, get(&outro, &hap)).await.status,
            StatusCode::SEE_OTHER
        );
        // Someone else's draft id is not "discarded" for Amil: it does not exist.
        assert_eq!(
            chamar(&app, get(&format!("{outro}/descartado"), &amil))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
    }
);

/// A batch file sent to the check page.
async fn conferir_arquivo(
    app: &Router,
    (hap, csrf): (&str, &str),
    nome: &str,
    dados: &[u8],
) -> common::web::R {
    let r = chamar(
        app,
        multipart(
            "/lotes/validar",
            hap,
            &[("csrf", csrf)],
            &[("planilha", nome, dados)],
        ),
    )
    .await;
    // Post/Redirect/Get: the check has an address of its own.
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.texto);
    assert!(local(&r).starts_with("/lotes/conferencias/"));
    redirecionado(app, &r, hap).await
}

/// Calls the router and returns the status and the raw body.
async fn bruto(app: &Router, req: Request<Body>) -> (StatusCode, Vec<u8>) {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let r = app.clone().oneshot(req).await.unwrap();
    let s = r.status();
    (
        s,
        r.into_body().collect().await.unwrap().to_bytes().to_vec(),
    )
}

db_test!(lote_em_windows_1252_e_zip_pela_web_enviados_uma_vez, |db| {
    let dir = tempfile::tempdir().unwrap();
    let app = preparado(&db, dir.path()).await;
    let (hap, csrf, nup, numeros) = com_ciencia(&app).await;
    let doc = documento(&db, dir.path()).await;

    // What Excel writes as "CSV" in Portuguese: Windows-1252 (é = 0xE9).
    let linha = format!(
            "{CABECALHO_LOTE}\r\nimpugnacao;{nup};{};ADM03;Atendimento em período de carência contratual.;;{doc}\r\n",
            numeros[0]
        );
    let (cp1252, _, perdas) = encoding_rs::WINDOWS_1252.encode(&linha);
    assert!(!perdas && std::str::from_utf8(&cp1252).is_err());
    let r = conferir_arquivo(&app, (&hap, &csrf), "lote.csv", &cp1252).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.texto);
    assert!(
        r.texto.contains("Windows-1252") && r.texto.contains("Todas as 1 linhas estão corretas"),
        "{}",
        r.texto
    );
    assert!(
        r.texto
            .contains("Atendimento em período de carência contratual."),
        "decoded, not mangled: {}",
        r.texto
    );
    let conferencia = format!(
        "/lotes/conferencias/{}",
        depois(&r.texto, "name=\"envio\" value=\"")
    );
    let corpo = campos_ocultos(&r.texto, "/lotes");
    let antes = common::scalar_i64(
        &db,
        "SELECT COUNT(*) FROM lotes WHERE operadora = $1",
        "368253",
    )
    .await;
    let r1 = chamar(&app, form("/lotes", &hap, corpo.clone())).await;
    assert_eq!(r1.status, StatusCode::SEE_OTHER, "{}", r1.texto);
    // The same check page sent again: the same batch, nothing queued twice.
    let r2 = chamar(&app, form("/lotes", &hap, corpo)).await;
    assert_eq!(local(&r2), local(&r1));
    // Back to the check page: the batch already queued, not a live button.
    let r3 = chamar(&app, get(&conferencia, &hap)).await;
    assert_eq!(local(&r3), local(&r1));
    assert_eq!(
        common::scalar_i64(
            &db,
            "SELECT COUNT(*) FROM lotes WHERE operadora = $1",
            "368253"
        )
        .await,
        antes + 1
    );

    // A ZIP: the manifest cites its PDF by name.
    let manifesto = format!(
        "{CABECALHO_LOTE}\nimpugnacao;{nup};{};ADM01;{LONGA};;prova-zip.pdf\n",
        numeros[1]
    );
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opcoes = zip::write::SimpleFileOptions::default();
    zip.start_file("manifesto.csv", opcoes).unwrap();
    zip.write_all(manifesto.as_bytes()).unwrap();
    zip.start_file("prova-zip.pdf", opcoes).unwrap();
    zip.write_all(PDF).unwrap();
    let zip = zip.finish().unwrap().into_inner();
    let r = conferir_arquivo(&app, (&hap, &csrf), "lote.zip", &zip).await;
    assert!(
        r.texto.contains("ZIP lido") && r.texto.contains("Todas as 1 linhas estão corretas"),
        "{}",
        r.texto
    );
    let r = chamar(
        &app,
        form("/lotes", &hap, campos_ocultos(&r.texto, "/lotes")),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.texto);
    let lote = local(&r);
    for _ in 0..2 {
        common::processar_lote(&db).await;
    }
    let pagina = chamar(&app, get(&lote, &hap)).await;
    assert!(
        pagina.texto.contains("1 protocolada(s)"),
        "{}",
        pagina.texto
    );
    assert_eq!(
            common::texto(
                &db,
                "SELECT d.nome_arquivo FROM documentos d JOIN peticao_documentos pd ON pd.documento_id = d.id
                 JOIN peticao_atendimentos pa ON pa.peticao_id = pd.peticao_id
                 JOIN atendimentos a ON a.id = pa.atendimento_id WHERE a.numero = $1",
                &numeros[1]
            )
            .await,
            "prova-zip.pdf"
        );

    // A bad ZIP: every problem said, nothing queued.
    let r = conferir_arquivo(&app, (&hap, &csrf), "lote.zip", b"PK\x03\x04 quebrado").await;
    assert!(r.texto.contains("Nada foi protocolado"), "{}", r.texto);

    // The template opens in columns in a spreadsheet program: BOM, `;`, CRLF.
    let m = bruto(&app, get("/lotes/modelo.csv", &hap)).await;
    assert!(m.1.starts_with("\u{feff}tipo;processo;".as_bytes()));
    assert!(String::from_utf8(m.1)
        .unwrap()
        .contains("documentos\r\nimpugnacao;"));
});

db_test!(
    formulario_enviado_com_a_sessao_expirada_volta_preenchido_depois_de_entrar,
    |db| {
        let dir = tempfile::tempdir().unwrap();
        let app = preparado(&db, dir.path()).await;
        let (hap, csrf, nup, numeros) = com_ciencia(&app).await;
        let texto =
            "Beneficiário excluído antes do atendimento — texto longo digitado com cuidado.";
        let contar = "SELECT COUNT(*) FROM peticoes WHERE operadora = $1";
        let antes = common::scalar_i64(&db, contar, "368253").await;
        // The session ends while the form is being filled (here: the cookie is gone).
        let r = chamar(
            &app,
            multipart(
                "/peticoes",
                "outro=1",
                &[
                    ("csrf", &csrf),
                    ("processo", &nup),
                    ("tipo", "impugnacao"),
                    ("atendimentos", &numeros[0]),
                    ("motivo", "ADM02"),
                    ("fundamentacao", texto),
                    ("auditor", "Dra. Fulana, CRM-RJ 1234"),
                ],
                &[("documentos", "exclusao.pdf", PDF)],
            ),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.texto);
        let entrar_em = local(&r);
        assert!(entrar_em.starts_with("/entrar?volta="), "{entrar_em}");
        let set = r.headers[header::SET_COOKIE].to_str().unwrap().to_owned();
        assert!(
            set.starts_with("persus_retomar=") && set.contains("HttpOnly"),
            "{set}"
        );
        let retomar = set.split(';').next().unwrap().to_owned();
        // Nothing was saved on anyone's behalf.
        assert_eq!(common::scalar_i64(&db, contar, "368253").await, antes);
        // The sign-in page carries the way back; after signing in, the form is filled again.
        let pagina = chamar(&app, Request::get(&entrar_em).body(Body::empty()).unwrap()).await;
        let volta = depois(&pagina.texto, "name=\"volta\" value=\"").replace("&amp;", "&");
        assert!(
            volta.starts_with("/peticoes/nova?") && volta.contains("retomar="),
            "{volta}"
        );
        let (nova, _) = entrar(&app, "rep.368253").await;
        // Another browser (no token cookie) gets an empty form.
        let r = chamar(&app, get(&volta, &nova)).await;
        assert!(!r.texto.contains(texto) && r.texto.contains("não está mais disponível"));
        let r = chamar(&app, get(&volta, &format!("{nova}; {retomar}"))).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.texto);
        assert!(r.texto.contains("anexe os arquivos de novo"), "{}", r.texto);
        assert!(
            r.texto.contains("texto longo digitado com cuidado"),
            "{}",
            r.texto
        );
        assert!(r.texto.contains("Dra. Fulana, CRM-RJ 1234"));
        assert!(
            r.texto.contains("value=\"ADM02\" selected"),
            "the ground is chosen again"
        );
        assert!(
            r.texto
                .contains(&format!("value=\"{}\" checked", numeros[0])),
            "the attendance is checked again"
        );
        // Once: reloading does not bring it back a second time.
        let r = chamar(&app, get(&volta, &format!("{nova}; {retomar}"))).await;
        assert!(!r.texto.contains("texto longo digitado com cuidado"));
        let _ = hap;
    }
);
