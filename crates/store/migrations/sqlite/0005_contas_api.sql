-- Accounts, API applications and tokens, idempotency records, reads of personal data.

-- Organizations: each operator (by registro ANS) and ANS itself.
CREATE TABLE organizacoes (
    id          INTEGER PRIMARY KEY,
    tipo        TEXT NOT NULL CHECK (tipo IN ('operadora', 'ans')),
    operadora   TEXT UNIQUE REFERENCES operadoras (registro_ans),
    nome        TEXT NOT NULL,
    CHECK ((tipo = 'operadora') = (operadora IS NOT NULL))
);

-- People. Operator roles: representante_legal, gestor, usuario, auditor; ANS roles: analista,
-- diretor, dicol, financeiro, admin. Permissions (consulta, peticionar, financeiro) as a JSON array.
CREATE TABLE usuarios (
    id             INTEGER PRIMARY KEY,
    login          TEXT NOT NULL UNIQUE,
    nome           TEXT NOT NULL,
    organizacao_id BIGINT NOT NULL REFERENCES organizacoes (id),
    papel          TEXT NOT NULL,
    permissoes     TEXT NOT NULL DEFAULT '[]',
    senha_hash     TEXT NOT NULL,               -- Argon2id, PHC string
    falhas         INTEGER NOT NULL DEFAULT 0,
    bloqueado_ate  TEXT,
    ativo          INTEGER NOT NULL DEFAULT TRUE,
    criado_em      TEXT NOT NULL
);

-- API applications (Área do Desenvolvedor), per environment.
CREATE TABLE aplicacoes (
    id                 INTEGER PRIMARY KEY,
    organizacao_id     BIGINT NOT NULL REFERENCES organizacoes (id),
    nome               TEXT NOT NULL,
    ambiente           TEXT NOT NULL CHECK (ambiente IN ('homologacao', 'producao')),
    client_id          TEXT NOT NULL UNIQUE,
    segredo_sha256     TEXT NOT NULL CHECK (length(segredo_sha256) = 64),
    escopos            TEXT NOT NULL,            -- space-separated, as OAuth2 writes them
    limite_por_minuto  INTEGER NOT NULL CHECK (limite_por_minuto > 0),
    criada_por         TEXT NOT NULL,
    criada_em          TEXT NOT NULL,
    revogada_em        TEXT
);

-- Opaque bearer tokens, stored only as SHA-256.
CREATE TABLE tokens (
    sha256        TEXT PRIMARY KEY CHECK (length(sha256) = 64),
    aplicacao_id  BIGINT NOT NULL REFERENCES aplicacoes (id),
    escopos       TEXT NOT NULL,
    emitido_em    TEXT NOT NULL,
    expira_em     TEXT NOT NULL,
    revogado_em   TEXT
);
CREATE INDEX tokens_aplicacao ON tokens (aplicacao_id);

-- Idempotency-Key: the first answer to a (application, key) is the answer to every retry.
CREATE TABLE idempotencia (
    aplicacao_id  BIGINT NOT NULL REFERENCES aplicacoes (id),
    chave         TEXT NOT NULL,
    corpo_sha256  TEXT NOT NULL,
    status        INTEGER NOT NULL,
    resposta      TEXT NOT NULL,
    criada_em     TEXT NOT NULL,
    PRIMARY KEY (aplicacao_id, chave)
);

-- Every read of an attendance with personal or health data: who, which, when (LGPD).
CREATE TABLE acessos (
    id             INTEGER PRIMARY KEY,
    instante       TEXT NOT NULL,
    organizacao_id BIGINT NOT NULL,
    aplicacao_id   BIGINT,
    usuario        TEXT,
    recurso        TEXT NOT NULL,
    chave          TEXT NOT NULL,
    request_id     TEXT
);
CREATE INDEX acessos_chave ON acessos (recurso, chave);

-- An attendance's petitions (drafts included) — the attendance history reads them on every GET.
CREATE INDEX peticao_atendimentos_atendimento ON peticao_atendimentos (atendimento_id);
