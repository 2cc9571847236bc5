-- The scan's three Delta tables, registered in the Glue Data Catalog for Athena (engine v3, native Delta reader).
-- Athena takes the schema from the Delta log: a Delta table's DDL may name only LOCATION and table_type.
-- Athena-only: the DuckDB helper (jobs/duckdb_views.py) registers the tables through Arrow and skips this file.

CREATE DATABASE IF NOT EXISTS ${database};

CREATE EXTERNAL TABLE IF NOT EXISTS ${database}.findings
LOCATION '${output}/findings/'
TBLPROPERTIES ('table_type' = 'DELTA');

CREATE EXTERNAL TABLE IF NOT EXISTS ${database}.assets
LOCATION '${output}/assets/'
TBLPROPERTIES ('table_type' = 'DELTA');

CREATE EXTERNAL TABLE IF NOT EXISTS ${database}.runs
LOCATION '${output}/runs/'
TBLPROPERTIES ('table_type' = 'DELTA');
