-- The estate's current findings: each asset's findings from the latest successful run that covered it
-- (current_objects). Same rows as jobs.current.current_findings; every findings column, named (a view over
-- SELECT * would keep the column list of the day it was created).

CREATE OR REPLACE VIEW ${database}.current_findings AS
SELECT
    f.finding_id,
    f.run_id,
    f.scanned_at,
    f.source_kind,
    f.asset,
    f.region,
    f."column",
    f.level,
    f.entity_type,
    f.occurrences,
    f.rows_scanned,
    f.values_scanned,
    f.matched_values,
    f.distinct_values,
    f.match_ratio,
    f.validator_pass_rate,
    f.confidence,
    f.presidio_score,
    f.decision,
    f.sensitivity,
    f.jurisdiction,
    f.frameworks,
    f.samples_masked,
    f.detectors,
    f.objects_scanned,
    f.sampling,
    f.table_name,
    f.column_type,
    f.carried_from_run
FROM ${database}.findings AS f
JOIN (SELECT DISTINCT asset, run_id FROM ${database}.current_objects) AS c
    ON c.asset = f.asset AND c.run_id = f.run_id;
