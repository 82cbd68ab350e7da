-- Batch jobs: a batch of petitions received through the API, processed asynchronously; its
-- result (receipts and per-row errors) is written in the transaction that files the petitions.
CREATE TABLE lotes (
    id            INTEGER PRIMARY KEY,
    aplicacao_id  BIGINT NOT NULL REFERENCES aplicacoes (id),
    operadora     TEXT NOT NULL REFERENCES operadoras (registro_ans),
    estado        TEXT NOT NULL CHECK (estado IN ('recebido', 'processando', 'concluido')),
    pedidos       TEXT NOT NULL,     -- JSON array of the petitions, as validated on receipt
    total         INTEGER NOT NULL,
    protocoladas  INTEGER,
    recusadas     INTEGER,
    resultado     TEXT,              -- JSON: receipts and per-row errors
    recebido_em   TEXT NOT NULL,
    iniciado_em   TEXT,
    concluido_em  TEXT
);
CREATE INDEX lotes_pendentes ON lotes (id) WHERE estado <> 'concluido';
