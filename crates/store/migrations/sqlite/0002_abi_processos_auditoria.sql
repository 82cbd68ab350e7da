-- ABIs, administrative processes (NUP registry), notices, attendance lifecycle columns, audit.

-- An ABI (Aviso de Beneficiário Identificado): one competência quarter of one instrument,
-- numbered sequentially, launched on a scheduled date.
CREATE TABLE abis (
    numero          INTEGER PRIMARY KEY CHECK (numero > 0),
    tipo            TEXT NOT NULL CHECK (tipo IN ('AIH', 'APAC')),
    trimestre       TEXT NOT NULL,
    data_lancamento TEXT NOT NULL,
    estado          TEXT NOT NULL CHECK (estado IN ('agendado', 'publicando', 'publicado')),
    publicado_em    TEXT,
    UNIQUE (tipo, trimestre)
);

-- The embedded SEI-style registry: the last NUP sequence used per protocol unit and year.
CREATE TABLE nup_sequencias (
    unidade INTEGER NOT NULL CHECK (unidade BETWEEN 0 AND 99999),
    ano     INTEGER NOT NULL,
    ultimo  INTEGER NOT NULL CHECK (ultimo BETWEEN 0 AND 999999),
    PRIMARY KEY (unidade, ano)
);

-- One administrative process per operator per ABI.
CREATE TABLE processos (
    id            INTEGER PRIMARY KEY,
    nup           TEXT NOT NULL UNIQUE CHECK (length(nup) = 17),
    abi_numero    INTEGER NOT NULL REFERENCES abis (numero),
    operadora     TEXT NOT NULL REFERENCES operadoras (registro_ans),
    instaurado_em TEXT NOT NULL,
    atendimentos  INTEGER NOT NULL CHECK (atendimentos > 0),
    valor_centavos BIGINT NOT NULL,
    UNIQUE (abi_numero, operadora)
);

-- A notice made available to an operator (Ofício ABI, decisions). Ciência and the deadline it
-- opens live here: every attendance the notice covers shares them.
CREATE TABLE notificacoes (
    id                 INTEGER PRIMARY KEY,
    processo_id        BIGINT NOT NULL REFERENCES processos (id),
    tipo               TEXT NOT NULL CHECK (tipo IN ('oficio_abi', 'decisao_primeira_instancia',
                                                    'decisao_recurso')),
    disponibilizada_em TEXT NOT NULL,
    ciencia_em         TEXT,
    ciencia_forma      TEXT CHECK (ciencia_forma IN ('expressa', 'presumida')),
    ciencia_por        TEXT,
    prazo              TEXT,          -- the domain's Prazo, JSON (dates, rule and calendar versions)
    vencimento         TEXT,          -- prazo.vencimento, for the scheduler's index
    conteudo           TEXT NOT NULL  -- the notice, JSON (Ofício ABI content + attendance list)
);
CREATE INDEX notificacoes_processo ON notificacoes (processo_id);
CREATE INDEX notificacoes_sem_ciencia ON notificacoes (disponibilizada_em) WHERE ciencia_em IS NULL;

ALTER TABLE atendimentos ADD COLUMN processo_id BIGINT REFERENCES processos (id);
ALTER TABLE atendimentos ADD COLUMN notificacao_id BIGINT REFERENCES notificacoes (id);
ALTER TABLE atendimentos ADD COLUMN valor_devido_centavos BIGINT;
CREATE INDEX atendimentos_processo ON atendimentos (processo_id);
CREATE INDEX atendimentos_notificacao_estado ON atendimentos (notificacao_id, estado);

-- Append-only, hash-chained audit trail: hash = SHA-256(previous hash | fields).
CREATE TABLE auditoria (
    seq           BIGINT PRIMARY KEY,
    instante      TEXT NOT NULL,
    ator          TEXT NOT NULL,
    organizacao   TEXT NOT NULL,
    aplicacao     TEXT,
    request_id    TEXT,
    acao          TEXT NOT NULL,
    entidade      TEXT NOT NULL,
    entidade_id   TEXT NOT NULL,
    antes         TEXT,
    depois        TEXT,
    hash_anterior TEXT NOT NULL,
    hash          TEXT NOT NULL UNIQUE
);
