-- Cancelling a subscription (issue #11): the subscription keeps its row and delivery log, with
-- when it was cancelled; its pending messages become 'cancelada' (never sent), with the reason.
ALTER TABLE webhooks ADD COLUMN cancelado_em TIMESTAMPTZ;

ALTER TABLE webhook_entregas DROP CONSTRAINT webhook_entregas_estado_check;
ALTER TABLE webhook_entregas ADD CONSTRAINT webhook_entregas_estado_check
    CHECK (estado IN ('pendente', 'entregue', 'falhou', 'cancelada'));
