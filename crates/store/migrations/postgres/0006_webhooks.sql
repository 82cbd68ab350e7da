-- Webhooks: subscriptions per application, a transactional outbox of events, and the delivery
-- log (one row per message and subscription, with its attempts).

CREATE TABLE webhooks (
    id           BIGSERIAL PRIMARY KEY,
    aplicacao_id BIGINT NOT NULL REFERENCES aplicacoes (id),
    url          TEXT NOT NULL,
    segredo      TEXT NOT NULL,              -- whsec_…, the signing key (Standard Webhooks)
    eventos      TEXT NOT NULL,              -- space-separated event types
    ativo        BOOLEAN NOT NULL DEFAULT TRUE,
    criado_em    TIMESTAMPTZ NOT NULL
);
CREATE INDEX webhooks_aplicacao ON webhooks (aplicacao_id);

-- Written in the same transaction as the change it announces.
CREATE TABLE eventos_saida (
    id          BIGSERIAL PRIMARY KEY,
    operadora   TEXT REFERENCES operadoras (registro_ans),
    tipo        TEXT NOT NULL,
    corpo       TEXT NOT NULL,
    criado_em   TIMESTAMPTZ NOT NULL,
    distribuido BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX eventos_saida_pendentes ON eventos_saida (id) WHERE NOT distribuido;

CREATE TABLE webhook_entregas (
    id            BIGSERIAL PRIMARY KEY,
    webhook_id    BIGINT NOT NULL REFERENCES webhooks (id),
    mensagem_id   TEXT NOT NULL UNIQUE,
    tipo          TEXT NOT NULL,
    corpo         TEXT NOT NULL,
    estado        TEXT NOT NULL CHECK (estado IN ('pendente', 'entregue', 'falhou')),
    tentativas    INTEGER NOT NULL DEFAULT 0,
    proxima_em    TIMESTAMPTZ NOT NULL,
    ultimo_status INTEGER,
    ultimo_erro   TEXT,
    criada_em     TIMESTAMPTZ NOT NULL,
    entregue_em   TIMESTAMPTZ
);
CREATE INDEX webhook_entregas_pendentes ON webhook_entregas (proxima_em) WHERE estado = 'pendente';
CREATE INDEX webhook_entregas_webhook ON webhook_entregas (webhook_id, id);
