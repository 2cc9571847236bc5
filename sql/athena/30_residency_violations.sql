-- Residency violations, a simple rule: personal data of EU/EEA data subjects (jurisdiction EU, or an EU or EEA
-- member state's country code: GDPR's territorial scope) held outside the eu-* AWS regions. One row per asset.
-- Assets with no known region (local files) are left out. The rule is deliberately simple: eu-* also holds
-- London (eu-west-2) and Zurich (eu-central-2), which are not in the EU, and findings whose jurisdiction is
-- GLOBAL (e-mail addresses, phone numbers, cards) never count. The report job's residency policy
-- (conf/report.yaml) is richer: per jurisdiction and data category, the allowed regions or accounts.
-- since: the earliest scan start of a successful run in which the asset held such findings.

CREATE OR REPLACE VIEW ${database}.residency_violations AS
WITH outside AS (
    SELECT *
    FROM ${database}.current_findings
    WHERE region IS NOT NULL
      AND region NOT LIKE 'eu-%'
      AND jurisdiction IN (
          'EU', 'AT', 'BE', 'BG', 'CY', 'CZ', 'DE', 'DK', 'EE', 'ES', 'FI', 'FR', 'GR', 'HR', 'HU', 'IE', 'IT',
          'LT', 'LU', 'LV', 'MT', 'NL', 'PL', 'PT', 'RO', 'SE', 'SI', 'SK', 'IS', 'LI', 'NO'
      )
),
first_seen AS (
    SELECT f.asset, min(f.scanned_at) AS since
    FROM ${database}.findings AS f
    JOIN ${database}.runs AS r ON r.run_id = f.run_id
    WHERE r.status IN ('succeeded', 'succeeded_with_errors')
      AND f.jurisdiction IN (
          'EU', 'AT', 'BE', 'BG', 'CY', 'CZ', 'DE', 'DK', 'EE', 'ES', 'FI', 'FR', 'GR', 'HR', 'HU', 'IE', 'IT',
          'LT', 'LU', 'LV', 'MT', 'NL', 'PL', 'PT', 'RO', 'SE', 'SI', 'SK', 'IS', 'LI', 'NO'
      )
    GROUP BY f.asset
)
SELECT
    o.asset,
    o.source_kind,
    o.region,
    array_sort(array_distinct(array_agg(o.jurisdiction))) AS jurisdictions,
    array_sort(array_distinct(array_agg(o.entity_type))) AS entity_types,
    count(*) AS findings,
    CAST(sum(o.matched_values) AS BIGINT) AS matched_values,
    min(s.since) AS since
FROM outside AS o
LEFT JOIN first_seen AS s ON s.asset = o.asset
GROUP BY o.asset, o.source_kind, o.region;
