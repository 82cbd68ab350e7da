-- Web sessions (issue #6): the cookie carries a random token; only its SHA-256 is kept, with the
-- session's CSRF token and expiry. Signing out or expiry ends it.
CREATE TABLE sessoes (
    token_sha256  TEXT PRIMARY KEY,
    usuario_id    BIGINT NOT NULL REFERENCES usuarios (id),
    csrf          TEXT NOT NULL,
    criada_em     TEXT NOT NULL,
    expira_em     TEXT NOT NULL
);
CREATE INDEX sessoes_usuario ON sessoes (usuario_id);

-- Who in ANS is working an attendance of a queue (assignment).
CREATE TABLE atribuicoes (
    atendimento_id BIGINT PRIMARY KEY REFERENCES atendimentos (id),
    analista       TEXT NOT NULL,
    atribuida_em   TEXT NOT NULL
);
