-- The day the scheduler warned that a notice's period is about to end (`prazo.proximo`), so it
-- warns once.
ALTER TABLE notificacoes ADD COLUMN prazo_aviso_em DATE;
