-- S3 buckets by sensitivity: one row per bucket of the current objects, with its highest finding sensitivity
-- and counts. No 0-100 score here: rank buckets by sensitivity_rank (3 high, 2 medium, 1 low, 0 nothing found),
-- then high_findings, then findings. The report job's sensitivity score (docs/report.md) weighs more evidence.

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
found AS (
    SELECT
        split_part(asset, '/', 3) AS bucket,
        count(DISTINCT asset) AS assets_with_findings,
        count(*) AS findings,
        CAST(sum(CASE WHEN sensitivity = 'high' THEN 1 ELSE 0 END) AS BIGINT) AS high_findings,
        CAST(sum(CASE WHEN sensitivity = 'medium' THEN 1 ELSE 0 END) AS BIGINT) AS medium_findings,
        CAST(sum(CASE WHEN sensitivity = 'low' THEN 1 ELSE 0 END) AS BIGINT) AS low_findings,
        CAST(sum(matched_values) AS BIGINT) AS matched_values,
        max(CASE sensitivity WHEN 'high' THEN 3 WHEN 'medium' THEN 2 WHEN 'low' THEN 1 ELSE 0 END) AS sensitivity_rank,
        array_sort(array_distinct(array_agg(entity_type))) AS entity_types
    FROM ${database}.current_findings
    WHERE asset LIKE 's3://%'
    GROUP BY split_part(asset, '/', 3)
)
SELECT
    o.bucket,
    o.region,
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
