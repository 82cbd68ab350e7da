//! Demo and homologação credentials (issue #4): ANS staff and the legal representatives of the
//! seven largest operators, password `demo`; one API application per those operators with
//! client id `demo-<registro>` and secret `demo-<registro>-secret`, every operator scope.
//! Never created in production.

use chrono::Utc;
use persus_store::contas::{self, NovaAplicacao, NovoUsuario};
use persus_store::{Db, StoreError};

use crate::auth;
use persus_domain::acesso::Papel;

/// The seven largest operators of the seeds' ranking.
pub const OPERADORAS: [&str; 7] = [
    "368253", "326305", "005711", "343889", "323080", "359017", "339679",
];

pub const SENHA: &str = "demo";

/// ANS logins and their roles.
pub const ANS: [(&str, Papel); 5] = [
    ("ans.admin", Papel::Admin),
    ("ans.analista", Papel::Analista),
    ("ans.diretor", Papel::Diretor),
    ("ans.dicol", Papel::Dicol),
    ("ans.financeiro", Papel::Financeiro),
];

/// Requests per minute of the demo applications (high enough for the load benchmark).
pub const LIMITE_DEMO: i32 = 6_000_000;

/// Creates what is missing; returns how many people and applications were created.
pub async fn criar(db: &Db) -> Result<(usize, usize), StoreError> {
    let senha = auth::hash_senha(SENHA).map_err(StoreError::Reference)?;
    let agora = Utc::now();
    let mut tx = db.begin().await?;
    let mut pessoas = 0;
    let mut aplicacoes = 0;
    let ans = contas::organizacao(&mut tx, None).await?;
    for (login, papel) in ANS {
        pessoas += usize::from(
            contas::criar_usuario(
                &mut tx,
                &NovoUsuario {
                    login,
                    nome: login,
                    organizacao_id: ans.id,
                    papel,
                    permissoes: &[],
                    senha_hash: &senha,
                    em: agora,
                },
            )
            .await?,
        );
    }
    for registro in OPERADORAS {
        let org = contas::organizacao(&mut tx, Some(registro)).await?;
        let login = format!("rep.{registro}");
        pessoas += usize::from(
            contas::criar_usuario(
                &mut tx,
                &NovoUsuario {
                    login: &login,
                    nome: &format!("Representante legal — {}", org.nome),
                    organizacao_id: org.id,
                    papel: Papel::RepresentanteLegal,
                    permissoes: &crate::servicos::contas::PERMISSOES,
                    senha_hash: &senha,
                    em: agora,
                },
            )
            .await?,
        );
        let client_id = format!("demo-{registro}");
        let segredo = format!("demo-{registro}-secret");
        aplicacoes += usize::from(
            contas::criar_aplicacao(
                &mut tx,
                &NovaAplicacao {
                    organizacao_id: org.id,
                    nome: "Aplicação de demonstração",
                    ambiente: "homologacao",
                    client_id: &client_id,
                    segredo_sha256: &auth::sha256_hex(&segredo),
                    escopos: "consulta peticionar financeiro",
                    limite_por_minuto: LIMITE_DEMO,
                    criada_por: &login,
                    em: agora,
                },
            )
            .await?,
        );
    }
    // ANS's own application, for the decision endpoints and the benchmarks.
    aplicacoes += usize::from(
        contas::criar_aplicacao(
            &mut tx,
            &NovaAplicacao {
                organizacao_id: ans.id,
                nome: "ANS — demonstração",
                ambiente: "homologacao",
                client_id: "demo-ans",
                segredo_sha256: &auth::sha256_hex("demo-ans-secret"),
                escopos: &auth::escopos_do_papel_ans(persus_domain::acesso::Papel::Admin).join(" "),
                limite_por_minuto: LIMITE_DEMO,
                criada_por: "ans.admin",
                em: agora,
            },
        )
        .await?,
    );
    tx.commit().await?;
    Ok((pessoas, aplicacoes))
}
