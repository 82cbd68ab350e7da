-- First access of an operator's legal representative (issue #4/#6): ANS enables it — the stand-in
-- for the e-CNPJ check — with a one-time code (only its SHA-256 kept) the person uses to set a
-- password.
CREATE TABLE primeiros_acessos (
    usuario_id     BIGINT PRIMARY KEY REFERENCES usuarios (id),
    codigo_sha256  TEXT NOT NULL,
    habilitado_por TEXT NOT NULL,
    expira_em      TEXT NOT NULL,
    usado_em       TEXT
);
