-- Petitions (impugnação, recurso) with documents and protocol receipts; decisions.

-- Grounds catalogue (seeded from crates/domain/data/motivos.csv; editable by ANS).
CREATE TABLE motivos (
    codigo     TEXT PRIMARY KEY,
    nome       TEXT NOT NULL,
    natureza   TEXT NOT NULL CHECK (natureza IN ('tecnica', 'administrativa')),
    documentos TEXT NOT NULL,          -- JSON array of required documents
    ativo      INTEGER NOT NULL DEFAULT 1
);

-- Evidence files (PDF), content-addressed in the storage by SHA-256.
CREATE TABLE documentos (
    id           INTEGER PRIMARY KEY,
    operadora    TEXT NOT NULL REFERENCES operadoras (registro_ans),
    sha256       TEXT NOT NULL CHECK (length(sha256) = 64),
    nome_arquivo TEXT NOT NULL,
    tamanho      BIGINT NOT NULL CHECK (tamanho > 0),
    chave        TEXT NOT NULL,
    enviado_em   TEXT NOT NULL,
    enviado_por  TEXT NOT NULL
);
CREATE INDEX documentos_operadora ON documentos (operadora);

CREATE TABLE peticoes (
    id             INTEGER PRIMARY KEY,
    tipo           TEXT NOT NULL CHECK (tipo IN ('impugnacao', 'recurso')),
    processo_id    BIGINT NOT NULL REFERENCES processos (id),
    operadora      TEXT NOT NULL REFERENCES operadoras (registro_ans),
    motivo         TEXT NOT NULL REFERENCES motivos (codigo),
    fundamentacao  TEXT NOT NULL,
    auditor        TEXT,
    estado         TEXT NOT NULL CHECK (estado IN ('rascunho', 'protocolada')),
    protocolo      TEXT UNIQUE,
    protocolada_em TEXT,
    criada_em      TEXT NOT NULL,
    criada_por     TEXT NOT NULL,
    CHECK ((estado = 'protocolada') = (protocolo IS NOT NULL))
);
CREATE INDEX peticoes_processo ON peticoes (processo_id);

CREATE TABLE peticao_atendimentos (
    peticao_id     BIGINT NOT NULL REFERENCES peticoes (id),
    atendimento_id BIGINT NOT NULL REFERENCES atendimentos (id),
    tipo           TEXT NOT NULL,
    protocolada    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (peticao_id, atendimento_id)
);
-- One protocolled impugnação (and one recurso) per attendance.
CREATE UNIQUE INDEX peticao_atendimentos_unica ON peticao_atendimentos (atendimento_id, tipo) WHERE protocolada;

CREATE TABLE peticao_documentos (
    peticao_id   BIGINT NOT NULL REFERENCES peticoes (id),
    documento_id BIGINT NOT NULL REFERENCES documentos (id),
    PRIMARY KEY (peticao_id, documento_id)
);

-- Sequence of protocol numbers per year.
CREATE TABLE protocolo_sequencias (
    ano    INTEGER PRIMARY KEY,
    ultimo BIGINT NOT NULL
);

CREATE TABLE decisoes (
    id             INTEGER PRIMARY KEY,
    atendimento_id BIGINT NOT NULL REFERENCES atendimentos (id),
    instancia      TEXT NOT NULL CHECK (instancia IN ('primeira', 'admissibilidade', 'dicol')),
    resultado      TEXT NOT NULL,
    valor_anterior BIGINT NOT NULL,
    valor_novo     BIGINT NOT NULL,
    fundamentacao  TEXT NOT NULL,
    decidido_por   TEXT NOT NULL,
    decidido_em    TEXT NOT NULL,
    notificacao_id BIGINT REFERENCES notificacoes (id)
);
CREATE INDEX decisoes_atendimento ON decisoes (atendimento_id);

-- The notice of the latest decision that opened a period (ciência and recurso deadline).
ALTER TABLE atendimentos ADD COLUMN notificacao_decisao_id BIGINT REFERENCES notificacoes (id);
