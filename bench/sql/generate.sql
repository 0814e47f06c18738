-- Scales the shipped dataset up for the benchmark: :units thousand organizations, each with
-- one withdrawal and 20 reactions, plus stakeholders, instruments and pacts in proportion.
-- One unit is 1,000 organizations and withdrawals, 20,000 reactions and 500 pacts, so
-- units=10 is the dataset the targets are set on. Generated rows have slugs starting with
-- "bench-" and are 95% published, 5% drafts (drafts must stay invisible to anonymous reads).
\set ON_ERROR_STOP on
BEGIN;

CREATE TEMP TABLE words(n int, w text);
INSERT INTO words
SELECT i - 1, w FROM unnest(string_to_array(
  'internet governance cyber freedom privacy standards telecommunications spectrum '
  'satellite encryption surveillance broadband security multistakeholder registry '
  'domain numbering routing resilience infrastructure cooperation treaty funding '
  'health climate trade development labour education science research data '
  'identity access openness censorship rights journalism platforms cables '
  'outage export sanctions alliance partnership capacity norms diplomacy '
  'budget membership secretariat observer delegation', ' ')) WITH ORDINALITY AS t(w, i);

-- A deterministic phrase of `len` words for the number `seed`.
CREATE FUNCTION pg_temp.phrase(seed bigint, len int) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT string_agg(w, ' ' ORDER BY k)
  FROM generate_series(1, len) k
  JOIN pg_temp.words ON n = ((seed * 7919 + k * 104729) % 59)::int
$$;

INSERT INTO organization (slug, status, confidence, version, created_at, updated_at, name,
  acronym, kind, digital_relevance, hosted_by_un, headquarters, website, description)
SELECT 'bench-org-' || i,
       CASE WHEN i % 20 = 0 THEN 'DRAFT' ELSE 'PUBLISHED' END,
       (ARRAY['CONFIRMED','SINGLE_SOURCE','UNCONFIRMED'])[1 + i % 3],
       1, now(), now(),
       'Generated Organization ' || i || ' for ' || pg_temp.phrase(i, 3),
       'GO' || i,
       (ARRAY['UN_ENTITY','INTERGOVERNMENTAL','MULTISTAKEHOLDER','PARTNERSHIP','OTHER'])[1 + i % 5],
       (ARRAY['CORE','ADJACENT','NONE'])[1 + i % 3],
       i % 2 = 0, 'Geneva', 'https://example.org/org/' || i,
       'A generated body working on ' || pg_temp.phrase(i, 12)
FROM generate_series(1, :units * 1000) i;

INSERT INTO organization_category (organization_id, category)
SELECT id, (ARRAY['internet-governance','cybersecurity','telecommunications','health','climate','trade'])[1 + id % 6]
FROM organization WHERE slug LIKE 'bench-org-%';

INSERT INTO instrument (slug, status, confidence, version, created_at, updated_at, kind, number,
  title, signed_on, summary)
SELECT 'bench-instrument-' || i, 'PUBLISHED', 'CONFIRMED', 1, now(), now(),
       (ARRAY['EXECUTIVE_ORDER','PRESIDENTIAL_MEMORANDUM','LETTER','STATEMENT'])[1 + i % 4],
       'G-' || i, 'Generated instrument ' || i, date '2020-01-01' + (i % 2000),
       'Orders withdrawals concerning ' || pg_temp.phrase(i, 8)
FROM generate_series(1, :units * 50) i;

INSERT INTO stakeholder (slug, status, confidence, version, created_at, updated_at, name, kind,
  country, affiliation)
SELECT 'bench-stakeholder-' || i, 'PUBLISHED', 'CONFIRMED', 1, now(), now(),
       'Generated Stakeholder ' || i,
       (ARRAY['GOVERNMENT','LEGISLATOR','DIGITAL_RIGHTS_GROUP','INDUSTRY','THINK_TANK','ACADEMIC'])[1 + i % 6],
       (ARRAY['US','DE','FR','BR','IN','KE','JP'])[1 + i % 7], 'Affiliation ' || (i % 97)
FROM generate_series(1, :units * 200) i;

CREATE TEMP TABLE inst AS
  SELECT row_number() OVER (ORDER BY id) - 1 AS k, id FROM instrument WHERE slug LIKE 'bench-%';
CREATE TEMP TABLE stk AS
  SELECT row_number() OVER (ORDER BY id) - 1 AS k, id FROM stakeholder WHERE slug LIKE 'bench-%';

INSERT INTO withdrawal (slug, status, confidence, version, created_at, updated_at,
  organization_id, instrument_id, announced_on, effective_on, withdrawal_status, funding_ended,
  rationale, expected_impact)
SELECT 'bench-withdrawal-' || o.id, o.status, o.confidence, 1, now(), now(), o.id, inst.id,
       date '2020-01-01' + (o.id % 2000)::int,
       CASE WHEN o.id % 3 = 0 THEN date '2021-01-01' + (o.id % 2000)::int END,
       (ARRAY['ANNOUNCED','NOTICE_GIVEN','EFFECTIVE','REVERSED'])[1 + o.id % 4],
       -- Independent of the status above (id % 4), so every status has both values.
       (o.id / 4) % 2 = 0,
       'Stated reasons: ' || pg_temp.phrase(o.id, 10),
       'Expected to affect ' || pg_temp.phrase(o.id + 1, 10)
FROM organization o
JOIN inst ON inst.k = o.id % (SELECT count(*) FROM inst)
WHERE o.slug LIKE 'bench-org-%';

INSERT INTO reaction (slug, status, confidence, version, created_at, updated_at, stakeholder_id,
  subject_kind, withdrawal_id, stance, summary, reacted_on, date_approximate)
SELECT 'bench-reaction-' || w.id || '-' || r, CASE WHEN r = 7 THEN 'DRAFT' ELSE 'PUBLISHED' END,
       'CONFIRMED', 1, now(), now(), stk.id, 'WITHDRAWAL', w.id,
       (ARRAY['SUPPORT','OPPOSE','MIXED','NEUTRAL'])[1 + (w.id + r) % 4],
       'Said the move would ' || pg_temp.phrase(w.id * 20 + r, 16),
       w.announced_on + r, false
FROM withdrawal w
CROSS JOIN generate_series(1, 20) r
JOIN stk ON stk.k = (w.id * 20 + r) % (SELECT count(*) FROM stk)
WHERE w.slug LIKE 'bench-withdrawal-%';

INSERT INTO pact (slug, status, confidence, version, created_at, updated_at, title, kind,
  pact_status, binding, signed_on, summary)
SELECT 'bench-pact-' || i, 'PUBLISHED', 'SINGLE_SOURCE', 1, now(), now(),
       'Generated pact ' || i || ' on ' || pg_temp.phrase(i, 3),
       (ARRAY['BILATERAL','PLURILATERAL','PRIVATE_ALLIANCE'])[1 + i % 3],
       (ARRAY['PROPOSED','NEGOTIATING','SIGNED','IN_FORCE'])[1 + i % 4],
       i % 2 = 0, date '2022-01-01' + (i % 1000),
       'Meant to replace cooperation on ' || pg_temp.phrase(i, 12)
FROM generate_series(1, :units * 500) i;

INSERT INTO pact_party (pact_id, name, code, role, joined_on)
SELECT p.id, c.name, c.code, 'SIGNATORY', p.signed_on
FROM pact p
CROSS JOIN (VALUES ('United States', 'US'), ('Japan', 'JP')) AS c(name, code)
WHERE p.slug LIKE 'bench-pact-%';

INSERT INTO pact_topic (pact_id, topic)
SELECT id, (ARRAY['cybersecurity','undersea-cables','spectrum','data-flows'])[1 + id % 4]
FROM pact WHERE slug LIKE 'bench-pact-%';

COMMIT;
ANALYZE;
