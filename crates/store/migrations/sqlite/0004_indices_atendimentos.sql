-- Attendance indexes, reshaped for the two hot paths (see docs/PERFORMANCE.md):
-- * lookup by AIH/APAC number alone (the API's "one attendance"); SQLite cannot drop the
--   UNIQUE (tipo, numero) constraint's index without rebuilding the table, so the number gets
--   its own index;
-- * publication and the scheduler address attendances by process and state.
CREATE INDEX atendimentos_numero ON atendimentos (numero);
DROP INDEX atendimentos_competencia;
DROP INDEX atendimentos_processo;
DROP INDEX atendimentos_notificacao_estado;
CREATE INDEX atendimentos_processo_estado ON atendimentos (processo_id, estado);

-- The scheduler closes each period once: it finds notices whose deadline passed and were not
-- yet closed (an index over a few thousand notices), instead of probing attendances.
ALTER TABLE notificacoes ADD COLUMN prazo_encerrado_em TEXT;
CREATE INDEX notificacoes_prazo_aberto ON notificacoes (vencimento) WHERE prazo_encerrado_em IS NULL;
