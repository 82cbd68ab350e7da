//! The attendance search (`servicos::consulta`) on both databases, and through the web: what a
//! clerk types finds the rows (CNS, CPF, name, SIGTAP code, competência as `MM/AAAA`, `AAAA-MM`
//! or `AAAAMM`), totals and pages are real, the beneficiary is masked, another operator's rows
//! never come back, and the process and notice pages list their attendances.

#![allow(clippy::unwrap_used)]

mod common;

use common::web::{chamar, entrar, get, preparado};
use common::{scalar_i64, texto};

use axum::http::StatusCode;
use persus_server::servicos::consulta::{self, Filtro, Pagina, Pedido, Resultado};
use persus_server::servicos::ServicoError;
use persus_store::{db_test, Db};

const HAPVIDA: &str = "368253";
const AMIL: &str = "326305";

/// One Hapvida attendance whose beneficiary has a CPF: (number, CNS, CPF, name, procedure,
/// competência AAAAMM).
async fn um_atendimento(db: &Db) -> [String; 6] {
    let linha = texto(
        db,
        "SELECT a.numero || '|' || b.cns || '|' || b.cpf || '|' || b.nome || '|' ||
                a.procedimento_principal || '|' || a.competencia
         FROM atendimentos a JOIN beneficiarios b ON b.id = a.beneficiario_id
         WHERE a.operadora = $1 AND b.cpf IS NOT NULL ORDER BY a.id LIMIT 1",
        HAPVIDA,
    )
    .await;
    let v: Vec<String> = linha.split('|').map(str::to_owned).collect();
    v.try_into().unwrap()
}

async fn buscar(db: &Db, op: &str, p: Pedido) -> Resultado {
    let f = Filtro::ler(&p).unwrap();
    let pagina = Pagina::Numero {
        numero: 1,
        tamanho: 1000,
    };
    consulta::buscar(db, Some(op), &f, pagina).await.unwrap()
}

/// How the pages tell the number of matches.
fn contagem(n: i64) -> String {
    match n {
        0 => "Nenhum atendimento encontrado.".to_owned(),
        1 => "1 atendimento encontrado.".to_owned(),
        n => format!("{n} atendimentos encontrados"),
    }
}

fn numeros(r: &Resultado) -> Vec<String> {
    r.itens.iter().map(|i| i.numero.clone()).collect()
}

db_test!(busca_por_o_que_o_atendente_digita, |db| {
    common::publicado_hoje(&db, 21).await;
    let [numero, cns, cpf, nome, procedimento, competencia] = um_atendimento(&db).await;

    // By CNS, and by CPF with its mask: the beneficiary's attendances, the same ones.
    let por_cns = buscar(
        &db,
        HAPVIDA,
        Pedido {
            beneficiario: Some(cns.clone()),
            ..Default::default()
        },
    )
    .await;
    assert!(numeros(&por_cns).contains(&numero));
    let mascarado = format!("{}.{}.{}-{}", &cpf[..3], &cpf[3..6], &cpf[6..9], &cpf[9..]);
    let por_cpf = buscar(
        &db,
        HAPVIDA,
        Pedido {
            beneficiario: Some(mascarado),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(numeros(&por_cpf), numeros(&por_cns));
    let do_beneficiario = scalar_i64(
        &db,
        &format!(
            "SELECT COUNT(*) FROM atendimentos a JOIN beneficiarios b ON b.id = a.beneficiario_id
             WHERE a.operadora = $1 AND b.cns = '{cns}'"
        ),
        HAPVIDA,
    )
    .await;
    assert_eq!(por_cns.total, do_beneficiario);

    // By part of the name, whatever the case.
    let partes: Vec<&str> = nome.split_whitespace().collect();
    let sobrenomes = partes[1..].join(" ").to_uppercase();
    let por_nome = buscar(
        &db,
        HAPVIDA,
        Pedido {
            beneficiario: Some(sobrenomes),
            ..Default::default()
        },
    )
    .await;
    assert!(numeros(&por_nome).contains(&numero), "{nome}");

    // By SIGTAP code: the main procedure or any other of the attendance.
    let por_procedimento = buscar(
        &db,
        HAPVIDA,
        Pedido {
            procedimento: Some(procedimento.clone()),
            ..Default::default()
        },
    )
    .await;
    assert!(numeros(&por_procedimento).contains(&numero));
    let com_o_procedimento = scalar_i64(
        &db,
        &format!(
            "SELECT COUNT(*) FROM atendimentos a WHERE a.operadora = $1 AND
               (a.procedimento_principal = '{procedimento}' OR EXISTS (SELECT 1 FROM
                atendimento_procedimentos ap WHERE ap.atendimento_id = a.id AND ap.codigo = '{procedimento}'))"
        ),
        HAPVIDA,
    )
    .await;
    assert_eq!(por_procedimento.total, com_o_procedimento);

    // By number, whole or its first digits.
    let por_numero = buscar(
        &db,
        HAPVIDA,
        Pedido {
            numero: Some(numero.clone()),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(numeros(&por_numero), std::slice::from_ref(&numero));
    let prefixo = buscar(
        &db,
        HAPVIDA,
        Pedido {
            numero: Some(numero[..9].to_owned()),
            ..Default::default()
        },
    )
    .await;
    assert!(prefixo.total >= 1 && numeros(&prefixo).contains(&numero));
    assert!(prefixo
        .itens
        .iter()
        .all(|i| i.numero.starts_with(&numero[..9])));

    // The competência as the table shows it, as a month field sends it, and as DATASUS writes
    // it: the same rows, all of that competência.
    let (ano, mes) = competencia.split_at(4);
    let mut vistos = Vec::new();
    for c in [
        format!("{mes}/{ano}"),
        format!("{ano}-{mes}"),
        competencia.clone(),
    ] {
        let r = buscar(
            &db,
            HAPVIDA,
            Pedido {
                competencia: Some(c.clone()),
                ..Default::default()
            },
        )
        .await;
        assert!(r.total > 0, "{c}");
        assert!(r.itens.iter().all(|i| i.competencia == competencia), "{c}");
        vistos.push(numeros(&r));
    }
    assert_eq!(vistos[0], vistos[1]);
    assert_eq!(vistos[1], vistos[2]);
});

db_test!(totais_paginas_mascara_e_so_o_que_e_seu, |db| {
    common::publicado_hoje(&db, 21).await;
    let [numero, cns, cpf, nome, _, competencia] = um_atendimento(&db).await;

    // The total counts every match; pages of 7 cover them once each, in order.
    let filtro = Filtro::ler(&Pedido {
        competencia: Some(competencia.clone()),
        ..Default::default()
    })
    .unwrap();
    let esperado = scalar_i64(
        &db,
        &format!("SELECT COUNT(*) FROM atendimentos WHERE operadora = $1 AND competencia = '{competencia}'"),
        HAPVIDA,
    )
    .await;
    assert!(
        esperado > 7,
        "a competência with more than one page: {esperado}"
    );
    let mut todos = Vec::new();
    let mut n = 1;
    loop {
        let r = consulta::buscar(
            &db,
            Some(HAPVIDA),
            &filtro,
            Pagina::Numero {
                numero: n,
                tamanho: 7,
            },
        )
        .await
        .unwrap();
        assert_eq!(r.total, esperado);
        assert_eq!(r.paginas, (esperado + 6) / 7);
        assert_eq!(r.pagina, n);
        assert!(r.itens.len() <= 7);
        todos.extend(r.itens.iter().map(|i| i.id));
        if n == r.paginas {
            break;
        }
        n += 1;
    }
    let mut ordenados = todos.clone();
    ordenados.sort();
    ordenados.dedup();
    assert_eq!(ordenados, todos);
    assert_eq!(todos.len() as i64, esperado);
    // A page past the last shows the last.
    let alem = consulta::buscar(
        &db,
        Some(HAPVIDA),
        &filtro,
        Pagina::Numero {
            numero: 999,
            tamanho: 7,
        },
    )
    .await
    .unwrap();
    assert_eq!(alem.pagina, alem.paginas);
    // The cursor walks the same rows.
    let mut apos = 0;
    let mut por_cursor = Vec::new();
    loop {
        let r = consulta::buscar(
            &db,
            Some(HAPVIDA),
            &filtro,
            Pagina::Apos { apos, limite: 10 },
        )
        .await
        .unwrap();
        por_cursor.extend(r.itens.iter().map(|i| i.id));
        match r.proximo {
            Some(p) => apos = p,
            None => break,
        }
    }
    assert_eq!(por_cursor, todos);

    // The beneficiary is masked on every line: never the whole CNS, CPF or name.
    let r = buscar(
        &db,
        HAPVIDA,
        Pedido {
            beneficiario: Some(cns.clone()),
            ..Default::default()
        },
    )
    .await;
    let linha = r.itens.iter().find(|i| i.numero == numero).unwrap();
    let b = &linha.beneficiario;
    assert_eq!(b.cns, format!("{} **** **** {}", &cns[..3], &cns[11..]));
    assert_eq!(
        b.cpf.as_deref(),
        Some(format!("***.{}.{}-**", &cpf[3..6], &cpf[6..9]).as_str())
    );
    let partes: Vec<&str> = nome.split_whitespace().collect();
    assert!(b.nome.starts_with(partes[0]));
    if partes.len() > 1 {
        assert_ne!(b.nome, nome);
        assert!(!b.nome.contains(partes[partes.len() - 1]), "{}", b.nome);
    }
    let json = serde_json::to_string(&r.itens).unwrap();
    assert!(!json.contains(&cns) && !json.contains(&cpf), "{json}");
    // The CSV of the same filter: a header and one line per match, masked too.
    let csv = String::from_utf8(
        consulta::csv(
            &db,
            Some(HAPVIDA),
            &Filtro::ler(&Pedido {
                beneficiario: Some(cns.clone()),
                ..Default::default()
            })
            .unwrap(),
        )
        .await
        .unwrap(),
    )
    .unwrap();
    let linhas: Vec<&str> = csv.lines().collect();
    assert!(linhas[0]
        .starts_with("numero;tipo;competencia;operadora;abi;processo;estado;valor_ressarcimento"));
    assert_eq!(linhas.len() as i64, r.total + 1);
    assert!(!csv.contains(&cns) && !csv.contains(&cpf));

    // Another operator: the same CNS, number and name find nothing of Hapvida's.
    for p in [
        Pedido {
            beneficiario: Some(cns.clone()),
            ..Default::default()
        },
        Pedido {
            numero: Some(numero.clone()),
            ..Default::default()
        },
        Pedido {
            competencia: Some(competencia.clone()),
            ..Default::default()
        },
    ] {
        let r = buscar(&db, AMIL, p).await;
        assert!(r.itens.iter().all(|i| i.operadora == AMIL));
        assert!(!numeros(&r).contains(&numero));
    }

    // What cannot be a filter says so, field by field.
    let Err(ServicoError::Invalido(erros)) = Filtro::ler(&Pedido {
        beneficiario: Some("12".into()),
        procedimento: Some("0301010071".into()),
        competencia: Some("2025-13".into()),
        processo: Some("33910.000365/2025-00".into()),
        ..Default::default()
    }) else {
        panic!("invalid filter accepted")
    };
    let campos: Vec<&str> = erros.iter().map(|e| e.campo.as_str()).collect();
    assert_eq!(
        campos,
        ["beneficiario", "procedimento", "competencia", "processo"]
    );
});

db_test!(web_busca_competencia_mm_aaaa_processo_e_notificacao, |db| {
    let dir = tempfile::tempdir().unwrap();
    let app = preparado(&db, dir.path()).await;
    let (hap, _) = entrar(&app, "rep.368253").await;
    let [numero, cns, _, _, _, competencia] = um_atendimento(&db).await;
    let (ano, mes) = competencia.split_at(4);
    let esperado = scalar_i64(
        &db,
        &format!("SELECT COUNT(*) FROM atendimentos WHERE operadora = $1 AND competencia = '{competencia}'"),
        HAPVIDA,
    )
    .await;

    // The competência as the table shows it (MM/AAAA) finds the rows, as AAAA-MM does.
    for c in [format!("{mes}%2F{ano}"), format!("{ano}-{mes}")] {
        let r = chamar(&app, get(&format!("/atendimentos?competencia={c}"), &hap)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.texto);
        assert!(
            r.texto
                .contains(&format!("{esperado} atendimentos encontrados")),
            "{c}: {}",
            r.texto
        );
        assert!(r.texto.contains(&format!("{mes}/{ano}")));
        assert!(r.texto.contains("/atendimentos/"));
    }
    // By CNS: the attendance, the beneficiary masked on the page.
    let r = chamar(
        &app,
        get(&format!("/atendimentos?beneficiario={cns}"), &hap),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.texto.contains(&format!("/atendimentos/{numero}")));
    assert!(!r.texto.contains(&format!(">{cns}<")));
    assert!(r
        .texto
        .contains(&format!("{} **** **** {}", &cns[..3], &cns[11..])));
    // A wrong competência: the form again with the message linked to its field, input kept.
    let r = chamar(&app, get("/atendimentos?competencia=13%2F2025", &hap)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.texto.contains("id=\"erro-competencia\""), "{}", r.texto);
    assert!(r.texto.contains("href=\"#competencia\""));
    assert!(r.texto.contains("value=\"13/2025\""));
    // The CSV of the page's filter.
    let r = chamar(
        &app,
        get(
            &format!("/atendimentos?competencia={mes}%2F{ano}&formato=csv"),
            &hap,
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.texto.lines().count() as i64, esperado + 1);

    // The process page: notices say what they are, NUP formatted, filter by state.
    let processos = chamar(&app, get("/processos", &hap)).await;
    let nup = processos
        .texto
        .split("href=\"/processos/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let formatado = format!(
        "{}.{}/{}-{}",
        &nup[..5],
        &nup[5..11],
        &nup[11..15],
        &nup[15..]
    );
    assert!(processos.texto.contains(&formatado));
    let r = chamar(&app, get(&format!("/processos/{nup}"), &hap)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.texto.contains("Ofício ABI — prazo de impugnação"),
        "{}",
        r.texto
    );
    assert!(!r.texto.contains(">oficio_abi<") && !r.texto.contains("oficio abi"));
    assert!(r.texto.contains("(horário de Brasília)"));
    let no_processo = scalar_i64(
        &db,
        "SELECT COUNT(*) FROM atendimentos a JOIN processos p ON p.id = a.processo_id WHERE p.nup = $1",
        &nup,
    )
    .await;
    assert!(r.texto.contains(&contagem(no_processo)), "{}", r.texto);
    let r = chamar(&app, get(&format!("/processos/{nup}?estado=devido"), &hap)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.texto.contains("Nenhum atendimento encontrado."),
        "{}",
        r.texto
    );
    let r = chamar(
        &app,
        get(&format!("/processos/{nup}?estado=aguardando_ciencia"), &hap),
    )
    .await;
    assert!(r.texto.contains("Notificado — aguardando ciência"));
    // The masked NUP reaches the same process; another operator's does not exist for it.
    let r = chamar(
        &app,
        get(
            &format!("/processos/{}", formatado.replace('/', "%2F")),
            &hap,
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);

    // The Ofício's page lists its attendances (and opening it is the ciência).
    let id = r
        .texto
        .split("href=\"/notificacoes/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let r = chamar(&app, get(&format!("/notificacoes/{id}"), &hap)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.texto);
    assert!(r.texto.contains("Atendimentos desta notificação"));
    assert!(r.texto.contains("Ciência registrada agora"));
    let do_oficio = scalar_i64(
        &db,
        "SELECT COUNT(*) FROM atendimentos WHERE notificacao_id = CAST($1 AS BIGINT)",
        &id,
    )
    .await;
    assert!(do_oficio > 0);
    assert!(r.texto.contains(&contagem(do_oficio)), "{}", r.texto);
    let (amil, _) = entrar(&app, "rep.326305").await;
    let r = chamar(&app, get(&format!("/notificacoes/{id}"), &amil)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
});
