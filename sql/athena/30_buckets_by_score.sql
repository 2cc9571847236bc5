-- S3 buckets by sensitivity score: one row per bucket of the current objects, with the report job's 0-100 score
-- (docs/report.md, "Sensitivity score"; jobs/report_data.py score_of): 1 when nothing was found, else
--   base of the highest sensitivity (high 60, medium 35, low 10)
--   + 5 per distinct entity type beyond the first (at most 3)
--   + 15 x the share of the bucket's assets with findings
--   + 10 x the highest confidence among the findings of the highest sensitivity,
-- rounded half up and capped at 100. Above 50 is Macie's "Sensitive" band. The tests check that this view and
-- the report agree bucket by bucket.

CREATE OR REPLACE VIEW ${database}.buckets_by_score AS
WITH objects AS (
    SELECT
        split_part(asset, '/', 3) AS bucket,
        max(region) AS region,
        count(DISTINCT asset) AS assets,
        count(DISTINCT object_uri) AS objects
    FROM ${database}.current_objects
    WHERE asset LIKE 's3://%'
    GROUP BY split_part(asset, '/', 3)
),
ranked AS (
    SELECT
        split_part(asset, '/', 3) AS bucket,
        asset,
        entity_type,
        sensitivity,
        confidence,
        matched_values,
        CASE sensitivity WHEN 'high' THEN 3 WHEN 'medium' THEN 2 WHEN 'low' THEN 1 ELSE 0 END AS sensitivity_rank
    FROM ${database}.current_findings
    WHERE asset LIKE 's3://%'
),
top_rank AS (
    SELECT bucket, max(sensitivity_rank) AS sensitivity_rank FROM ranked GROUP BY bucket
),
found AS (
    SELECT
        r.bucket,
        t.sensitivity_rank,
        count(DISTINCT r.asset) AS assets_with_findings,
        count(*) AS findings,
        CAST(sum(CASE WHEN r.sensitivity = 'high' THEN 1 ELSE 0 END) AS BIGINT) AS high_findings,
        CAST(sum(CASE WHEN r.sensitivity = 'medium' THEN 1 ELSE 0 END) AS BIGINT) AS medium_findings,
        CAST(sum(CASE WHEN r.sensitivity = 'low' THEN 1 ELSE 0 END) AS BIGINT) AS low_findings,
        CAST(sum(r.matched_values) AS BIGINT) AS matched_values,
        count(DISTINCT r.entity_type) AS entity_type_count,
        max(CASE WHEN r.sensitivity_rank = t.sensitivity_rank THEN r.confidence END) AS top_confidence,
        array_sort(array_distinct(array_agg(r.entity_type))) AS entity_types
    FROM ranked AS r
    JOIN top_rank AS t ON t.bucket = r.bucket
    GROUP BY r.bucket, t.sensitivity_rank
)
SELECT
    o.bucket,
    o.region,
    CASE
        WHEN f.findings IS NULL THEN 1
        ELSE CAST(least(100, floor(
            CASE f.sensitivity_rank WHEN 3 THEN 60 WHEN 2 THEN 35 WHEN 1 THEN 10 ELSE 0 END
            + 5 * least(3, f.entity_type_count - 1)
            + 15 * least(1.0, CAST(f.assets_with_findings AS DOUBLE) / CAST(o.assets AS DOUBLE))
            + 10 * COALESCE(f.top_confidence, 0.0)
            + 0.5
        )) AS INTEGER)
    END AS score,
    o.objects,
    o.assets,
    COALESCE(f.assets_with_findings, 0) AS assets_with_findings,
    COALESCE(f.findings, 0) AS findings,
    COALESCE(f.high_findings, 0) AS high_findings,
    COALESCE(f.medium_findings, 0) AS medium_findings,
    COALESCE(f.low_findings, 0) AS low_findings,
    COALESCE(f.matched_values, 0) AS matched_values,
    COALESCE(f.sensitivity_rank, 0) AS sensitivity_rank,
    CASE f.sensitivity_rank WHEN 3 THEN 'high' WHEN 2 THEN 'medium' WHEN 1 THEN 'low' END AS max_sensitivity,
    f.entity_types
FROM objects AS o
LEFT JOIN found AS f ON f.bucket = o.bucket;
