-- Delegations: a grant of chosen permissions over one operator, or one of its processes, to
-- another person, with expiry and revocation.
CREATE TABLE delegacoes (
    id            BIGSERIAL PRIMARY KEY,
    operadora     TEXT NOT NULL REFERENCES operadoras (registro_ans),
    processo_id   BIGINT REFERENCES processos (id),
    usuario_id    BIGINT NOT NULL REFERENCES usuarios (id),
    permissoes    TEXT NOT NULL,          -- JSON array
    concedida_por TEXT NOT NULL,
    concedida_em  TIMESTAMPTZ NOT NULL,
    expira_em     TIMESTAMPTZ NOT NULL,
    revogada_em   TIMESTAMPTZ
);
CREATE INDEX delegacoes_usuario ON delegacoes (usuario_id);
