"""The three Delta tables the scan writes, as Arrow schemas (documented column by column in docs/findings.md).

Every field is nullable so that appends never conflict on nullability, and every timestamp is UTC: a
timezone-less timestamp would silently upgrade the table protocol beyond what Athena reads.
"""

from __future__ import annotations

import pyarrow as pa

UTC_TIMESTAMP = pa.timestamp("us", tz="UTC")
SUCCESSFUL_RUNS = ("succeeded", "succeeded_with_errors")  # runs.status of runs whose rows count
READ_STATUSES = frozenset({"scanned", "unchanged"})  # assets.status of objects whose findings are in the run

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
        ("findings_suppressed", pa.int64()),
    ]
)

# Written by the scan when fingerprints are enabled (jobs/fingerprint_key.py): one row per kept fingerprint of a
# finding's values. Join to findings on finding_id; carried findings point at the run that wrote theirs.
FINGERPRINTS = pa.schema(
    [
        ("run_id", pa.string()),
        ("scanned_at", UTC_TIMESTAMP),
        ("finding_id", pa.string()),
        ("asset", pa.string()),
        ("column", pa.string()),
        ("entity_type", pa.string()),
        ("fingerprint", pa.string()),
        ("key_id", pa.string()),
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

# Written by the review job (jobs/review.py; docs/review.md): one row per finding key queued for a human.
REVIEW_QUEUE = pa.schema(
    [
        ("asset", pa.string()),
        ("column", pa.string()),
        ("entity_type", pa.string()),
        ("finding_id", pa.string()),
        ("finding_run_id", pa.string()),
        ("run_id", pa.string()),
        ("queued_at", UTC_TIMESTAMP),
        ("confidence", pa.float64()),
        ("sensitivity", pa.string()),
        ("samples_masked", pa.list_(pa.string())),
        ("reason", pa.string()),
    ]
)

# Append-only reviewer decisions (the review CLI, or rows written directly); the latest per key wins.
REVIEW_DECISIONS = pa.schema(
    [
        ("asset", pa.string()),
        ("column", pa.string()),
        ("entity_type", pa.string()),
        ("finding_id", pa.string()),
        ("decision", pa.string()),
        ("reviewer", pa.string()),
        ("decided_at", UTC_TIMESTAMP),
        ("note", pa.string()),
    ]
)

# Written by the tag job (jobs/tag.py; docs/findings.md): the plan of one tag run (one row per object or bucket
# considered) and the outcome of applying it (one row per object or bucket written or attempted, per attempt).
TAG_PLAN = pa.schema(
    [
        ("run_id", pa.string()),  # the tag run
        ("planned_at", UTC_TIMESTAMP),
        ("kind", pa.string()),  # 'object' or 'bucket'
        ("target", pa.string()),  # s3://bucket/key, or s3://bucket/ for a bucket
        ("bucket", pa.string()),
        ("key", pa.string()),  # null for a bucket
        ("region", pa.string()),
        ("asset", pa.string()),  # the findings' asset the object belongs to; null for a bucket
        ("source_kind", pa.string()),
        ("key_prefix", pa.string()),  # the tag keys the job owns start with this
        ("current_tags", pa.string()),  # JSON object of the tags read at planning time
        ("job_tags", pa.string()),  # JSON object of the tags the job wants under key_prefix
        ("new_tags", pa.string()),  # JSON object: current tags outside the prefix + job_tags
        ("action", pa.string()),  # add, update, none or failed
        ("reason", pa.string()),
        ("finding_ids", pa.list_(pa.string())),  # the findings behind job_tags
        ("decisions", pa.list_(pa.string())),  # parallel to finding_ids: auto_tag or approved
        ("tag_evidence", pa.string()),  # JSON object: each job tag key -> the finding ids behind its value
        ("review_finding_ids", pa.list_(pa.string())),  # findings of the asset held for review, not applied
    ]
)

TAG_RESULTS = pa.schema(
    [
        ("run_id", pa.string()),
        ("attempt_id", pa.string()),  # one invocation of the job for the run (a resume is a new attempt)
        ("kind", pa.string()),
        ("target", pa.string()),
        ("tags_written", pa.string()),  # JSON object of the full tag set written; null when nothing was written
        ("status", pa.string()),  # succeeded, failed or skipped
        ("reason", pa.string()),
        ("attempts", pa.int64()),  # tagging write calls made (0 when skipped)
        ("at", UTC_TIMESTAMP),
    ]
)

# Written by the tag job's catalog step (jobs/catalog_tags.py; docs/catalog-tags.md): one row per catalog column
# and action (Glue column parameters, Lake Formation LF-tags) per tag run.
CATALOG_TAG_RESULTS = pa.schema(
    [
        ("run_id", pa.string()),  # the tag run
        ("at", UTC_TIMESTAMP),
        ("catalog_id", pa.string()),  # null: the caller's account
        ("database", pa.string()),  # the Glue database; null when no Glue table is known for the source
        ("table", pa.string()),
        ("column", pa.string()),
        ("action", pa.string()),  # parameters or lf_tags
        ("values_written", pa.string()),  # JSON object of our parameters or LF-tags the column has (or gets)
        ("status", pa.string()),  # planned (dry run), succeeded, unchanged, failed or skipped
        ("reason", pa.string()),
        ("source", pa.string()),  # the findings' table_name or asset the catalog table stands for
        ("finding_ids", pa.list_(pa.string())),
    ]
)

TABLES = {
    "findings": FINDINGS,
    "assets": ASSETS,
    "runs": RUNS,
    "coverage": COVERAGE,
    "tag_plan": TAG_PLAN,
    "tag_results": TAG_RESULTS,
    "review_queue": REVIEW_QUEUE,
    "review_decisions": REVIEW_DECISIONS,
    "catalog_tag_results": CATALOG_TAG_RESULTS,
}


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
