-- Deadline calendar feeds (issue #15 §4): a secret URL per person serves the operator's running
-- deadlines as iCalendar. Only the SHA-256 of the URL's token is kept; a feed is revoked, never
-- deleted, so the account page can say who created it and when it stopped.
CREATE TABLE calendarios (
    id            INTEGER PRIMARY KEY,
    token_sha256  TEXT NOT NULL UNIQUE CHECK (length(token_sha256) = 64),
    operadora     TEXT NOT NULL REFERENCES operadoras (registro_ans),
    usuario_id    BIGINT NOT NULL REFERENCES usuarios (id),
    nome          TEXT NOT NULL,
    criado_em     TEXT NOT NULL,
    ultimo_uso_em TEXT,
    revogado_em   TEXT
);
CREATE INDEX calendarios_operadora ON calendarios (operadora);
