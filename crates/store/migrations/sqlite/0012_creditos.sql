-- Credits of an operator (issue #5): an excess payment (and, later, an annulment after payment)
-- becomes a credit the operator offsets in a GRU. A credit is taken by the GRU that uses it and
-- freed again if that GRU is never paid.
CREATE TABLE creditos (
    id              INTEGER PRIMARY KEY,
    operadora       TEXT NOT NULL REFERENCES operadoras (registro_ans),
    valor_centavos  BIGINT NOT NULL CHECK (valor_centavos > 0),
    origem          TEXT NOT NULL,
    criado_em       TEXT NOT NULL,
    gru_id          BIGINT REFERENCES grus (id)
);
CREATE INDEX creditos_operadora ON creditos (operadora);
