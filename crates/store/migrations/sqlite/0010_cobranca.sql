-- Charging (issue #5): debts created by the lifecycle when attendances become due, GRUs that
-- charge them (one per due date), payments from the bank's return file or entered by ANS
-- finance, and the return files already imported (so the same file twice changes nothing).

ALTER TABLE atendimentos ADD COLUMN debito_id BIGINT;

CREATE TABLE debitos (
    id              INTEGER PRIMARY KEY,
    operadora       TEXT NOT NULL REFERENCES operadoras (registro_ans),
    processo_id     BIGINT NOT NULL REFERENCES processos (id),
    atendimentos    INTEGER NOT NULL CHECK (atendimentos > 0),
    valor_centavos  BIGINT NOT NULL CHECK (valor_centavos > 0),
    vencimento      TEXT NOT NULL,
    -- aberto, pago
    estado          TEXT NOT NULL DEFAULT 'aberto',
    criado_em       TEXT NOT NULL,
    pago_em         TEXT
);
CREATE INDEX debitos_operadora ON debitos (operadora, estado);

CREATE TABLE sequencias (
    nome   TEXT PRIMARY KEY,
    ultimo BIGINT NOT NULL
);

CREATE TABLE grus (
    id               INTEGER PRIMARY KEY,
    numero           TEXT NOT NULL UNIQUE,
    nosso_numero     TEXT NOT NULL UNIQUE CHECK (length(nosso_numero) = 17),
    operadora        TEXT NOT NULL REFERENCES operadoras (registro_ans),
    vencimento       TEXT NOT NULL,
    valor_centavos   BIGINT NOT NULL CHECK (valor_centavos > 0),
    codigo_barras    TEXT NOT NULL CHECK (length(codigo_barras) = 44),
    linha_digitavel  TEXT NOT NULL,
    -- emitida, paga, cancelada
    estado           TEXT NOT NULL DEFAULT 'emitida',
    memoria          TEXT NOT NULL,
    emitida_em       TEXT NOT NULL,
    emitida_por      TEXT NOT NULL,
    paga_em          TEXT,
    valor_pago_centavos BIGINT
);
CREATE INDEX grus_operadora ON grus (operadora, estado);

CREATE TABLE gru_debitos (
    gru_id     BIGINT NOT NULL REFERENCES grus (id),
    debito_id  BIGINT NOT NULL REFERENCES debitos (id),
    principal_centavos BIGINT NOT NULL,
    multa_centavos     BIGINT NOT NULL,
    juros_centavos     BIGINT NOT NULL,
    PRIMARY KEY (gru_id, debito_id)
);
CREATE INDEX gru_debitos_debito ON gru_debitos (debito_id);

CREATE TABLE retornos_bancarios (
    sha256       TEXT PRIMARY KEY,
    nome_arquivo TEXT NOT NULL,
    importado_em TEXT NOT NULL,
    importado_por TEXT NOT NULL,
    relatorio    TEXT NOT NULL
);

CREATE TABLE pagamentos (
    id                INTEGER PRIMARY KEY,
    nosso_numero      TEXT NOT NULL,
    gru_id            BIGINT REFERENCES grus (id),
    valor_centavos    BIGINT NOT NULL,
    pago_em           TEXT NOT NULL,
    -- retorno (CNAB 240) or manual
    origem            TEXT NOT NULL,
    retorno_sha256    TEXT REFERENCES retornos_bancarios (sha256),
    -- conciliado, divergente (amount differs), sem_gru (unknown nosso número),
    -- gru_inativa (cancelled, or paid after its due date)
    situacao          TEXT NOT NULL,
    observacao        TEXT NOT NULL,
    registrado_em     TEXT NOT NULL,
    registrado_por    TEXT NOT NULL
);
CREATE INDEX pagamentos_gru ON pagamentos (gru_id);
