-- Provisions (issue #14): the notified history of past quarters (demo or migration of PERSUS 1.0),
-- parameter versions proposed by the yearly PEONA SUS study and decided by ANS, and the
-- guarantee assets ANS imports per operator. Plus the covering index the runoff cells read.

-- Aggregated notified events of quarters before the system's own attendances.
CREATE TABLE peona_historico (
    operadora            TEXT NOT NULL REFERENCES operadoras (registro_ans),
    trimestre_ocorrencia TEXT NOT NULL,
    trimestre_aviso      TEXT NOT NULL,
    valor_centavos       BIGINT NOT NULL CHECK (valor_centavos >= 0),
    quantidade           BIGINT NOT NULL CHECK (quantidade >= 0),
    origem               TEXT NOT NULL CHECK (origem IN ('demo_sintetico', 'migracao')),
    PRIMARY KEY (operadora, trimestre_ocorrencia, trimestre_aviso, origem)
);

-- Versions of the standard formula's parameters proposed by a study (the built-in ones stay in
-- crates/domain/data/peona_parametros.csv). teto in basis points (6600 = 66 %).
CREATE TABLE peona_parametros (
    versao            TEXT PRIMARY KEY,
    teto_pb           INTEGER NOT NULL CHECK (teto_pb > 0 AND teto_pb <= 20000),
    janela_inicio     TEXT NOT NULL,
    janela_fim        TEXT,
    vigencia_inicio   DATE NOT NULL,
    atualizacao_anual BOOLEAN NOT NULL,
    fonte             TEXT NOT NULL,
    estado            TEXT NOT NULL CHECK (estado IN ('proposta', 'aprovada', 'rejeitada')),
    estudo            TEXT NOT NULL,
    proposta_em       TIMESTAMPTZ NOT NULL,
    proposta_por      TEXT NOT NULL,
    decidida_em       TIMESTAMPTZ,
    decidida_por      TEXT
);

-- Guarantee assets and the other provisions they back, per operator and base date.
CREATE TABLE peona_ativos (
    operadora                    TEXT NOT NULL REFERENCES operadoras (registro_ans),
    data_base                    DATE NOT NULL,
    beneficiarios_mh             BIGINT NOT NULL CHECK (beneficiarios_mh >= 0),
    ativos_garantidores_centavos BIGINT NOT NULL CHECK (ativos_garantidores_centavos >= 0),
    outras_provisoes_centavos    BIGINT NOT NULL CHECK (outras_provisoes_centavos >= 0),
    sintetico                    BOOLEAN NOT NULL,
    importado_em                 TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (operadora, data_base)
);

-- The runoff cells and PESL SUS read every notified attendance: a covering index lets both
-- databases answer from the index alone, without the wide rows (docs/PERFORMANCE.md).
CREATE INDEX atendimentos_provisoes ON atendimentos
    (operadora, notificacao_id, competencia, estado, debito_id, valor_devido_centavos, valor_ressarcimento_centavos)
    WHERE notificacao_id IS NOT NULL;
