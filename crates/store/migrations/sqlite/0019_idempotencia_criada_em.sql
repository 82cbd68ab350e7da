-- The scheduler purges expired Idempotency-Key records by age (idempotencia::purgar:
-- criada_em <= now - 24 h, a batch at a time): an index on criada_em lets each batch be found
-- without scanning the whole table.
CREATE INDEX idempotencia_criada_em ON idempotencia (criada_em);
