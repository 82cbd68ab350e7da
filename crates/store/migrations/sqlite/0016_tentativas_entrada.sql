-- Sign-in throttling (issue #11, fault 9), in the database so that every node sees it: one row
-- per source address (`o:<origem>`) and per source and login (`p:<origem>:<sha256(login)>`, the
-- login itself never stored). `tentativas` counts attempts since the last success within the
-- window; `liberada_em` is when the next attempt under this key is accepted.
-- The per-account lockout it replaces could be triggered by anyone who knew a login: its columns go.
CREATE TABLE tentativas_entrada (
    chave        TEXT PRIMARY KEY,
    tentativas   INTEGER NOT NULL,
    ultima_em    TEXT NOT NULL,
    liberada_em  TEXT NOT NULL
);
CREATE INDEX tentativas_entrada_ultima ON tentativas_entrada (ultima_em);

ALTER TABLE usuarios DROP COLUMN falhas;
ALTER TABLE usuarios DROP COLUMN bloqueado_ate;
