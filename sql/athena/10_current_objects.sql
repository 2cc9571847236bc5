-- The objects behind each asset's current findings: for every asset (the findings' asset: an object, a dataset
-- folder, a table), the assets rows of the latest successful run that covered it (status scanned or unchanged).
-- Runs without a runs row (killed before their last commit) and failed runs never count.
-- Same definition as jobs.current.current_objects.

CREATE OR REPLACE VIEW ${database}.current_objects AS
WITH covering AS (
    SELECT
        COALESCE(a.dataset, a.asset) AS asset,
        a.asset AS object_uri,
        a.source_kind,
        a.region,
        a.table_name,
        a.run_id,
        r.started_at
    FROM ${database}.assets AS a
    JOIN ${database}.runs AS r ON r.run_id = a.run_id
    WHERE r.status IN ('succeeded', 'succeeded_with_errors')
      AND a.status IN ('scanned', 'unchanged')
),
ranked AS (
    SELECT
        asset,
        run_id,
        row_number() OVER (PARTITION BY asset ORDER BY started_at DESC, run_id DESC) AS pick
    FROM covering
)
SELECT c.asset, c.object_uri, c.source_kind, c.region, c.table_name, c.run_id
FROM covering AS c
JOIN ranked AS l ON l.asset = c.asset AND l.run_id = c.run_id AND l.pick = 1;
