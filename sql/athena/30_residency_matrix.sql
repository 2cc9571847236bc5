-- Region by jurisdiction: how many assets and current findings of each jurisdiction each region holds
-- (region 'unknown' for local files). The estate-wide picture behind residency_violations.

CREATE OR REPLACE VIEW ${database}.residency_matrix AS
SELECT
    COALESCE(region, 'unknown') AS region,
    jurisdiction,
    count(DISTINCT asset) AS assets,
    count(*) AS findings,
    CAST(sum(matched_values) AS BIGINT) AS matched_values
FROM ${database}.current_findings
GROUP BY COALESCE(region, 'unknown'), jurisdiction;
