-- Cancelling a subscription (issue #11): the subscription keeps its row and delivery log, with
-- when it was cancelled; its pending messages become 'cancelada' (never sent), with the reason.
ALTER TABLE webhooks ADD COLUMN cancelado_em TEXT;

-- SQLite cannot change a CHECK constraint in place: the delivery table is rebuilt.
CREATE TABLE webhook_entregas_nova (
    id            INTEGER PRIMARY KEY,
    webhook_id    BIGINT NOT NULL REFERENCES webhooks (id),
    mensagem_id   TEXT NOT NULL UNIQUE,
    tipo          TEXT NOT NULL,
    corpo         TEXT NOT NULL,
    estado        TEXT NOT NULL CHECK (estado IN ('pendente', 'entregue', 'falhou', 'cancelada')),
    tentativas    INTEGER NOT NULL DEFAULT 0,
    proxima_em    TEXT NOT NULL,
    ultimo_status INTEGER,
    ultimo_erro   TEXT,
    criada_em     TEXT NOT NULL,
    entregue_em   TEXT
);
INSERT INTO webhook_entregas_nova
    (id, webhook_id, mensagem_id, tipo, corpo, estado, tentativas, proxima_em, ultimo_status,
     ultimo_erro, criada_em, entregue_em)
SELECT id, webhook_id, mensagem_id, tipo, corpo, estado, tentativas, proxima_em, ultimo_status,
       ultimo_erro, criada_em, entregue_em
FROM webhook_entregas;
DROP TABLE webhook_entregas;
ALTER TABLE webhook_entregas_nova RENAME TO webhook_entregas;
CREATE INDEX webhook_entregas_pendentes ON webhook_entregas (proxima_em) WHERE estado = 'pendente';
CREATE INDEX webhook_entregas_webhook ON webhook_entregas (webhook_id, id);
