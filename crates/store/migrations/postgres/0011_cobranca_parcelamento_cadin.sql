-- Charging, continued (issue #5): SELIC rates as data ANS imports without a release;
-- parcelamentos and their instalments (each paid by its own GRU); CADIN and dívida ativa as dated
-- states of a debt.

CREATE TABLE selic_taxas (
    ano              INTEGER NOT NULL,
    mes              INTEGER NOT NULL CHECK (mes BETWEEN 1 AND 12),
    taxa_centesimos  BIGINT NOT NULL CHECK (taxa_centesimos BETWEEN 0 AND 1000),
    fonte            TEXT NOT NULL,
    importado_em     TIMESTAMPTZ NOT NULL,
    importado_por    TEXT NOT NULL,
    PRIMARY KEY (ano, mes)
);

CREATE TABLE parcelamentos (
    id                    BIGSERIAL PRIMARY KEY,
    operadora             TEXT NOT NULL REFERENCES operadoras (registro_ans),
    consolidado_centavos  BIGINT NOT NULL CHECK (consolidado_centavos > 0),
    parcelas              INTEGER NOT NULL CHECK (parcelas BETWEEN 1 AND 60),
    concedido_em          DATE NOT NULL,
    -- ativo, quitado, rescindido
    estado                TEXT NOT NULL DEFAULT 'ativo',
    confissao             TEXT NOT NULL,
    memoria               TEXT NOT NULL,
    solicitado_por        TEXT NOT NULL,
    solicitado_em         TIMESTAMPTZ NOT NULL,
    rescindido_em         DATE,
    saldo_rescisao_centavos BIGINT
);
CREATE INDEX parcelamentos_operadora ON parcelamentos (operadora, estado);

CREATE TABLE parcelas (
    parcelamento_id  BIGINT NOT NULL REFERENCES parcelamentos (id),
    numero           INTEGER NOT NULL,
    vencimento       DATE NOT NULL,
    base_centavos    BIGINT NOT NULL CHECK (base_centavos > 0),
    -- aberta, paga
    estado           TEXT NOT NULL DEFAULT 'aberta',
    paga_em          DATE,
    PRIMARY KEY (parcelamento_id, numero)
);

ALTER TABLE grus ADD COLUMN parcelamento_id BIGINT;
ALTER TABLE grus ADD COLUMN parcela INTEGER;
ALTER TABLE debitos ADD COLUMN parcelamento_id BIGINT;
ALTER TABLE debitos ADD COLUMN cadin_aviso_em DATE;
ALTER TABLE debitos ADD COLUMN cadin_incluido_em DATE;
ALTER TABLE debitos ADD COLUMN cadin_excluido_em DATE;
ALTER TABLE debitos ADD COLUMN divida_ativa_em DATE;
