-- Foundation schema (SQLite: dates and instants are ISO-8601 TEXT, booleans INTEGER). Migrations are never edited once applied: add a new file.
-- Civil dates (deadlines, competências, birth dates) are TEXT in America/Sao_Paulo terms;
-- instants are TEXT. Money is BIGINT centavos.

CREATE TABLE persus_meta (
    chave         TEXT PRIMARY KEY,
    valor         TEXT NOT NULL,
    atualizado_em TEXT NOT NULL
);

-- ANS register of operators (Relatório CADOP; "Fonte: ANS — dados abertos", CC BY).
CREATE TABLE operadoras (
    registro_ans      TEXT PRIMARY KEY CHECK (length(registro_ans) = 6),
    cnpj              TEXT NOT NULL UNIQUE CHECK (length(cnpj) = 14),
    razao_social      TEXT NOT NULL,
    nome_fantasia     TEXT,
    modalidade        TEXT NOT NULL,
    uf                TEXT NOT NULL CHECK (length(uf) = 2),
    cidade            TEXT NOT NULL,
    data_registro_ans TEXT NOT NULL
);

-- SIGTAP-shaped procedure catalogue (code with check digit, name, SUS reference value).
CREATE TABLE procedimentos_sigtap (
    codigo                    TEXT PRIMARY KEY CHECK (length(codigo) = 10),
    nome                      TEXT NOT NULL,
    grupo                     INTEGER NOT NULL CHECK (grupo BETWEEN 1 AND 9),
    instrumento               TEXT NOT NULL CHECK (instrumento IN ('AIH', 'APAC')),
    valor_referencia_centavos BIGINT NOT NULL CHECK (valor_referencia_centavos > 0)
);

-- SUS establishments (CNES) where attendances happen.
CREATE TABLE estabelecimentos (
    cnes           TEXT PRIMARY KEY CHECK (length(cnes) = 7),
    nome           TEXT NOT NULL,
    natureza       TEXT NOT NULL CHECK (natureza IN ('publico', 'filantropico', 'privado_conveniado')),
    municipio_ibge TEXT NOT NULL CHECK (length(municipio_ibge) = 7),
    uf             TEXT NOT NULL CHECK (length(uf) = 2)
);

-- Beneficiaries as registered by the operator in the SIB. Personal data: CPF, CNS, name, birth date.
CREATE TABLE beneficiarios (
    id              INTEGER PRIMARY KEY,
    operadora       TEXT NOT NULL REFERENCES operadoras (registro_ans),
    codigo          TEXT NOT NULL,
    cpf             TEXT CHECK (length(cpf) = 11),
    cns             TEXT NOT NULL CHECK (length(cns) = 15),
    nome            TEXT NOT NULL,
    data_nascimento TEXT NOT NULL,
    sexo            TEXT NOT NULL CHECK (sexo IN ('F', 'M')),
    municipio_ibge  TEXT NOT NULL CHECK (length(municipio_ibge) = 7),
    UNIQUE (operadora, codigo)
);
CREATE INDEX beneficiarios_cns ON beneficiarios (cns);
CREATE INDEX beneficiarios_cpf ON beneficiarios (cpf);

-- A beneficiary's contract with a plan: what the identification filters look at.
CREATE TABLE vinculos (
    id                INTEGER PRIMARY KEY,
    beneficiario_id   BIGINT NOT NULL REFERENCES beneficiarios (id),
    operadora         TEXT NOT NULL REFERENCES operadoras (registro_ans),
    registro_produto  TEXT NOT NULL CHECK (length(registro_produto) = 9),
    tipo_contratacao  TEXT NOT NULL CHECK (tipo_contratacao IN
        ('individual_familiar', 'coletivo_empresarial', 'coletivo_adesao')),
    segmentacao       TEXT NOT NULL CHECK (segmentacao IN
        ('ambulatorial', 'hospitalar_com_obstetricia', 'hospitalar_sem_obstetricia',
         'ambulatorial_hospitalar_com_obstetricia', 'ambulatorial_hospitalar_sem_obstetricia',
         'referencia')),
    abrangencia       TEXT NOT NULL CHECK (abrangencia IN
        ('municipal', 'grupo_municipios', 'estadual', 'grupo_estados', 'nacional')),
    abrangencia_uf    TEXT CHECK (abrangencia_uf IS NULL OR length(abrangencia_uf) = 2),
    regulamentado     INTEGER NOT NULL,
    data_adesao       TEXT NOT NULL,
    data_cancelamento TEXT,
    fim_carencia      TEXT NOT NULL,
    CHECK (fim_carencia >= data_adesao),
    CHECK (data_cancelamento IS NULL OR data_cancelamento >= data_adesao)
);
CREATE INDEX vinculos_beneficiario ON vinculos (beneficiario_id);

-- An identified SUS attendance (one AIH or APAC) and its valuation.
CREATE TABLE atendimentos (
    id                           INTEGER PRIMARY KEY,
    tipo                         TEXT NOT NULL CHECK (tipo IN ('AIH', 'APAC')),
    numero                       TEXT NOT NULL CHECK (length(numero) = 13),
    competencia                  TEXT NOT NULL CHECK (length(competencia) = 6),
    operadora                    TEXT NOT NULL REFERENCES operadoras (registro_ans),
    beneficiario_id              BIGINT NOT NULL REFERENCES beneficiarios (id),
    vinculo_id                   BIGINT NOT NULL REFERENCES vinculos (id),
    cnes                         TEXT NOT NULL REFERENCES estabelecimentos (cnes),
    municipio_ibge               TEXT NOT NULL CHECK (length(municipio_ibge) = 7),
    data_inicio                  TEXT NOT NULL,
    data_fim                     TEXT NOT NULL,
    carater                      TEXT NOT NULL CHECK (carater IN ('eletivo', 'urgencia')),
    cid                          TEXT NOT NULL,
    procedimento_principal       TEXT NOT NULL REFERENCES procedimentos_sigtap (codigo),
    valor_sus_centavos           BIGINT NOT NULL CHECK (valor_sus_centavos > 0),
    valor_ressarcimento_centavos BIGINT NOT NULL CHECK (valor_ressarcimento_centavos > 0),
    regra_valoracao              TEXT NOT NULL,
    estado                       TEXT NOT NULL DEFAULT 'identificado',
    identificado_em              TEXT NOT NULL,
    UNIQUE (tipo, numero),
    CHECK (data_fim >= data_inicio)
);
CREATE INDEX atendimentos_operadora_competencia ON atendimentos (operadora, competencia);
CREATE INDEX atendimentos_competencia ON atendimentos (competencia);

CREATE TABLE atendimento_procedimentos (
    atendimento_id BIGINT NOT NULL REFERENCES atendimentos (id) ON DELETE CASCADE,
    seq            INTEGER NOT NULL,
    codigo         TEXT NOT NULL REFERENCES procedimentos_sigtap (codigo),
    quantidade     INTEGER NOT NULL CHECK (quantidade > 0),
    valor_centavos BIGINT NOT NULL CHECK (valor_centavos > 0),
    PRIMARY KEY (atendimento_id, seq)
);
