-- A form whose session ended while it was being filled (issue #12): its non-file fields are kept
-- under the SHA-256 of a random token, for a short time, until the person signs in again and gets
-- them back. `usuario_id` is the person of the expired session when it is still known (the
-- form is then returned only to that person); the token itself lives in an HttpOnly cookie of
-- the browser that sent the form.
CREATE TABLE formularios_pendentes (
    token_sha256  TEXT PRIMARY KEY,
    usuario_id    BIGINT REFERENCES usuarios (id),
    formulario    TEXT NOT NULL,
    campos        TEXT NOT NULL,
    criado_em     TIMESTAMPTZ NOT NULL,
    expira_em     TIMESTAMPTZ NOT NULL
);
CREATE INDEX formularios_pendentes_expira ON formularios_pendentes (expira_em);

-- A batch sent from the web carries the one-time key of the page that checked it: sent again
-- (F5, Back and the button once more), the same key finds the batch already queued.
ALTER TABLE lotes ADD COLUMN chave_envio TEXT;
CREATE UNIQUE INDEX lotes_chave_envio ON lotes (operadora, chave_envio);
