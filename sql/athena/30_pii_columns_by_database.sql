-- PII columns by database: one row per column holding current column-level findings.
-- database_name: the database of a database table (the first part of table_name: RDS snapshot exports, JDBC
-- sources, Glue Data Catalog tables); for files that are no database table, the bucket (s3://bucket/ -> bucket);
-- null for local files. dataset: the table (table_name) or, for files, the findings' asset.

CREATE OR REPLACE VIEW ${database}.pii_columns_by_database AS
WITH found AS (
    SELECT
        CASE
            WHEN table_name IS NOT NULL THEN split_part(table_name, '.', 1)
            WHEN asset LIKE 's3://%' THEN split_part(asset, '/', 3)
        END AS database_name,
        COALESCE(table_name, asset) AS dataset,
        source_kind,
        "column",
        entity_type,
        CASE sensitivity WHEN 'high' THEN 3 WHEN 'medium' THEN 2 WHEN 'low' THEN 1 ELSE 0 END AS sensitivity_rank,
        confidence,
        matched_values,
        decision
    FROM ${database}.current_findings
    WHERE level = 'column'
)
SELECT
    database_name,
    dataset,
    source_kind,
    "column",
    array_sort(array_distinct(array_agg(entity_type))) AS entity_types,
    CASE max(sensitivity_rank) WHEN 3 THEN 'high' WHEN 2 THEN 'medium' WHEN 1 THEN 'low' END AS max_sensitivity,
    max(confidence) AS max_confidence,
    CAST(sum(matched_values) AS BIGINT) AS matched_values,
    CAST(sum(CASE WHEN decision = 'review' THEN 1 ELSE 0 END) AS BIGINT) AS findings_in_review,
    count(*) AS findings
FROM found
GROUP BY database_name, dataset, source_kind, "column";
