-- An operator whose PEONA SUS follows its own actuarial methodology approved by ANS is not computed
-- by the standard formula (RN 574 Annex VIII; seeds/004 "OPS sem metodologia própria"): a change of
-- the formula's parameters leaves it unchanged. Imported with the guarantee assets (issue #14 §4).
ALTER TABLE peona_ativos ADD COLUMN metodologia_propria BOOLEAN NOT NULL DEFAULT FALSE;
