"""The three Delta tables the scan writes, as Arrow schemas (documented column by column in docs/findings.md).

Every field is nullable so that appends never conflict on nullability, and every timestamp is UTC: a
timezone-less timestamp would silently upgrade the table protocol beyond what Athena reads.
"""

from __future__ import annotations

import pyarrow as pa

UTC_TIMESTAMP = pa.timestamp("us", tz="UTC")

FINDINGS = pa.schema(
    [
        ("finding_id", pa.string()),
        ("run_id", pa.string()),
        ("scanned_at", UTC_TIMESTAMP),
        ("source_kind", pa.string()),
        ("asset", pa.string()),
        ("region", pa.string()),
        ("column", pa.string()),
        ("level", pa.string()),
        ("entity_type", pa.string()),
        ("occurrences", pa.int64()),
        ("rows_scanned", pa.int64()),
        ("values_scanned", pa.int64()),
        ("matched_values", pa.int64()),
        ("distinct_values", pa.int64()),
        ("match_ratio", pa.float64()),
        ("validator_pass_rate", pa.float64()),
        ("confidence", pa.float64()),
        ("presidio_score", pa.float64()),
        ("decision", pa.string()),
        ("sensitivity", pa.string()),
        ("jurisdiction", pa.string()),
        ("frameworks", pa.list_(pa.string())),
        ("samples_masked", pa.list_(pa.string())),
        ("detectors", pa.list_(pa.string())),
        ("objects_scanned", pa.int64()),
        ("sampling", pa.string()),
        ("table_name", pa.string()),
        ("column_type", pa.string()),
        ("carried_from_run", pa.string()),
    ]
)

ASSETS = pa.schema(
    [
        ("run_id", pa.string()),
        ("scanned_at", UTC_TIMESTAMP),
        ("source_kind", pa.string()),
        ("asset", pa.string()),
        ("dataset", pa.string()),
        ("region", pa.string()),
        ("format", pa.string()),
        ("compression", pa.string()),
        ("size_bytes", pa.int64()),
        ("last_modified", UTC_TIMESTAMP),
        ("rows_scanned", pa.int64()),
        ("bytes_scanned", pa.int64()),
        ("sampled", pa.bool_()),
        ("columns", pa.list_(pa.string())),
        ("status", pa.string()),
        ("reason", pa.string()),
        ("duration_ms", pa.int64()),
        ("table_name", pa.string()),
        ("change_marker", pa.string()),
        ("carried_from_run", pa.string()),
        ("sampling", pa.string()),
    ]
)

RUNS = pa.schema(
    [
        ("run_id", pa.string()),
        ("started_at", UTC_TIMESTAMP),
        ("finished_at", UTC_TIMESTAMP),
        ("status", pa.string()),
        ("sources", pa.list_(pa.string())),
        ("config_digest", pa.string()),
        ("sampling", pa.string()),
        ("objects_listed", pa.int64()),
        ("objects_scanned", pa.int64()),
        ("objects_skipped", pa.int64()),
        ("objects_failed", pa.int64()),
        ("rows_scanned", pa.int64()),
        ("values_scanned", pa.int64()),
        ("bytes_scanned", pa.int64()),
        ("findings", pa.int64()),
        ("listing_seconds", pa.float64()),
        ("scanning_seconds", pa.float64()),
        ("writing_seconds", pa.float64()),
        ("spark_version", pa.string()),
        ("tool_version", pa.string()),
        ("text_analysis", pa.string()),
        ("scan_mode", pa.string()),
        ("objects_unchanged", pa.int64()),
        ("findings_carried", pa.int64()),
    ]
)

# Written by the coverage job (jobs/coverage.py), not by the scan: one row per bucket, prefix or catalog table
# checked, per coverage run.
COVERAGE = pa.schema(
    [
        ("report_id", pa.string()),
        ("generated_at", UTC_TIMESTAMP),
        ("kind", pa.string()),
        ("name", pa.string()),
        ("source", pa.string()),
        ("region", pa.string()),
        ("status", pa.string()),
        ("reason", pa.string()),
        ("last_scanned_at", UTC_TIMESTAMP),
        ("last_run_id", pa.string()),
        ("objects_scanned", pa.int64()),
        ("objects_unchanged", pa.int64()),
        ("stale_before", UTC_TIMESTAMP),
    ]
)

TABLES = {"findings": FINDINGS, "assets": ASSETS, "runs": RUNS, "coverage": COVERAGE}


def spark_type(arrow_type: pa.DataType) -> str:
    """The Spark SQL type name of an Arrow type used in these tables."""
    if pa.types.is_list(arrow_type):
        return f"array<{spark_type(arrow_type.value_type)}>"
    if pa.types.is_timestamp(arrow_type):
        return "timestamp"
    names = {pa.string(): "string", pa.int64(): "bigint", pa.float64(): "double", pa.bool_(): "boolean"}
    if arrow_type not in names:
        raise TypeError(f"no Spark type for Arrow type {arrow_type}")
    return names[arrow_type]


def spark_ddl(schema: pa.Schema) -> str:
    """A Spark DDL schema string (``a string, b bigint``) for an Arrow schema, as ``mapInArrow`` expects."""
    return ", ".join(f"`{field.name}` {spark_type(field.type)}" for field in schema)
