-- Attendance indexes, reshaped for the two hot paths (see docs/PERFORMANCE.md):
-- * lookup by AIH/APAC number alone (the API's "one attendance"): the unique key leads with
--   the number;
-- * publication and the scheduler address attendances by process and state. Every publication
--   UPDATE is non-HOT (it changes indexed columns), so each index costs one insertion per
--   attendance: five secondary indexes became three.
ALTER TABLE atendimentos DROP CONSTRAINT atendimentos_tipo_numero_key;
ALTER TABLE atendimentos ADD CONSTRAINT atendimentos_numero_tipo_key UNIQUE (numero, tipo);
DROP INDEX atendimentos_competencia;
DROP INDEX atendimentos_processo;
DROP INDEX atendimentos_notificacao_estado;
CREATE INDEX atendimentos_processo_estado ON atendimentos (processo_id, estado);

-- The scheduler closes each period once: it finds notices whose deadline passed and were not
-- yet closed (an index over a few thousand notices), instead of probing attendances.
ALTER TABLE notificacoes ADD COLUMN prazo_encerrado_em DATE;
CREATE INDEX notificacoes_prazo_aberto ON notificacoes (vencimento) WHERE prazo_encerrado_em IS NULL;
