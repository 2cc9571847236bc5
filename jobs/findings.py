"""Spark transformations from the tasks' partial evidence to the findings and assets tables.

Everything stays a DataFrame: partial evidence is grouped per asset and column with Spark aggregations, and
scoring runs as ``mapInArrow`` over the grouped rows (one row per column and entity, never per data value).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pyarrow as pa
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.pandas.types import to_arrow_schema

from classifiers.columns import normalise_column_name
from classifiers.scoring import Evidence, assess, decision, presidio_score
from jobs.formats import STRUCTURED
from jobs.scan_task import engine_for
from jobs.tables import ASSETS, FINDINGS, FINGERPRINTS, spark_ddl, spark_type
from jobs.unload import POSITIONAL_NOTE
from jobs.unload import SOURCE_KIND as UNLOAD_KIND

# Evidence on a finding whose column name is only a position (col_3): no manifest, header or configuration named it.
POSITIONAL_EVIDENCE = "column_name:by_position"

_SCORED_SCHEMA = pa.schema(
    [
        ("match_ratio", pa.float64()),
        ("validator_pass_rate", pa.float64()),
        ("confidence", pa.float64()),
        ("presidio_score", pa.float64()),
        ("decision", pa.string()),
        ("sensitivity", pa.string()),
        ("jurisdiction", pa.string()),
        ("frameworks", pa.list_(pa.string())),
        ("detectors", pa.list_(pa.string())),
    ]
)


@dataclass(frozen=True)
class RunContext:
    """What every row of a run carries; injected so outputs are deterministic in tests."""

    run_id: str
    scanned_at: datetime
    sampling: str
    raw_config: Mapping[str, Any]
    full_scan: bool


def asset_assignment(partials: DataFrame, plan: DataFrame) -> DataFrame:
    """Map each scanned object to the asset its findings are reported under, and the level of those findings.

    Structured objects of one dataset folder that share a format and a set of columns are one logical
    table, reported under the folder's URI; a structured object alone is its own asset. Text objects are
    always their own asset, with object-level findings. A table of an RDS snapshot export is reported under
    its folder even when it has a single file, so that each exported table is one asset whatever its size; so
    is a Redshift UNLOAD, under its prefix.
    """
    objects = (
        partials.filter(F.col("kind") == "asset")
        .join(plan.select("object_uri", "dataset", "table_name", "source_kind"), "object_uri")
        .withColumn("schema_fp", F.array_join(F.array_sort(F.coalesce("columns", F.array())), "\u0001"))
    )
    structured = objects.filter(F.col("format").isin(*sorted(STRUCTURED)))
    group = ["dataset", "format", "schema_fp"]
    sizes = structured.groupBy(*group).agg(F.count(F.lit(1)).alias("members"))
    tables = structured.join(sizes, group).select(
        "object_uri",
        F.when(
            (F.col("members") > 1) | F.col("table_name").isNotNull() | (F.col("source_kind") == UNLOAD_KIND),
            F.col("dataset"),
        )
        .otherwise(F.col("object_uri"))
        .alias("asset"),
        F.lit("column").alias("level"),
    )
    texts = objects.filter(~F.col("format").isin(*sorted(STRUCTURED))).select(
        "object_uri", F.col("object_uri").alias("asset"), F.lit("object").alias("level")
    )
    return tables.unionByName(texts)


def findings_frame(
    partials: DataFrame,
    plan: DataFrame,
    assignment: DataFrame,
    run: RunContext,
    column_types: DataFrame | None = None,
) -> DataFrame:
    """Aggregate partial evidence into scored findings, one row per asset, column and entity type.

    ``assignment`` is the result of asset_assignment() for the same partials and plan. ``column_types``
    (``asset, column, column_type``) holds the database types the driver knows, from RDS export metadata.
    """
    assets = (
        partials.filter(F.col("kind") == "asset")
        .join(assignment, "object_uri")
        .join(plan.select("object_uri", "region", "source_kind", "table_name"), "object_uri")
        .groupBy("asset", "level")
        .agg(
            F.sum("rows_scanned").alias("rows_scanned"),
            F.count(F.lit(1)).alias("objects_scanned"),
            F.min("region").alias("region"),
            F.min("source_kind").alias("source_kind"),
            F.min("table_name").alias("table_name"),
            F.max(F.coalesce(F.col("reason").contains(POSITIONAL_NOTE), F.lit(False))).alias("positional"),
        )
    )
    evidence = partials.join(assignment.select("object_uri", "asset"), "object_uri")
    columns = (
        evidence.filter(F.col("kind") == "column")
        .groupBy("asset", "column")
        .agg(
            F.sum("values_seen").alias("values_scanned"),
            F.array_distinct(F.flatten(F.collect_list("column_hints"))).alias("column_hints"),
            F.array_distinct(F.flatten(F.collect_list("column_profiles"))).alias("column_profiles"),
        )
    )
    config = engine_for(run.raw_config, run.full_scan)[0]
    max_samples = config.detection.scoring.max_samples
    kept: dict[str, Column] = {}
    if config.fingerprints.enabled:  # each task kept its smallest; the smallest of all of them are the column's
        kept["fingerprints"] = F.slice(
            F.array_sort(F.array_distinct(F.flatten(F.collect_list("fingerprints")))), 1, config.fingerprints.limit
        ).alias("fingerprints")
    entities = (
        evidence.filter(F.col("kind") == "entity")
        .groupBy("asset", "column", "entity_type")
        .agg(
            F.sum("matched_values").alias("matched_values"),
            F.sum("occurrences").alias("occurrences"),
            F.sum("candidates").alias("candidates"),
            F.sum("validated").alias("validated"),
            F.sum("keyword_values").alias("keyword_values"),
            F.max("best_score").alias("best_score"),
            F.sum("presidio_values").alias("presidio_values"),
            F.sum("presidio_score_sum").alias("presidio_score_sum"),
            F.array_sort(F.array_distinct(F.flatten(F.collect_list("patterns")))).alias("patterns"),
            F.size(F.array_distinct(F.flatten(F.collect_list("value_hashes")))).cast("long").alias("distinct_values"),
            F.slice(F.array_sort(F.array_distinct(F.flatten(F.collect_list("samples")))), 1, max_samples).alias(
                "samples_masked"
            ),
            *kept.values(),
        )
        .filter(F.col("matched_values") > 0)
    )
    joined = entities.join(columns, _null_safe(entities, columns, "asset", "column")).select(
        entities["*"], columns["values_scanned"], columns["column_hints"], columns["column_profiles"]
    )
    joined = joined.join(assets, "asset")
    if column_types is not None:
        joined = joined.join(column_types, ["asset", "column"], "left")
    else:
        joined = joined.withColumn("column_type", F.lit(None).cast("string"))
    scored_schema = to_arrow_schema(joined.schema)
    for field in _SCORED_SCHEMA:
        if field.name not in scored_schema.names:
            scored_schema = scored_schema.append(field)
    scored = joined.mapInArrow(_score_partition(run.raw_config, run.full_scan, scored_schema), spark_ddl(scored_schema))
    scored = scored.withColumn(
        "finding_id",
        F.substring(
            F.sha2(F.concat_ws("|", F.lit(run.run_id), "asset", F.coalesce("column", F.lit("")), "entity_type"), 256),
            1,
            32,
        ),
    )
    return _conform(scored, FINDINGS, run, extra=list(kept))


def fingerprints_frame(findings: DataFrame, key_id: str) -> DataFrame:
    """One FINGERPRINTS row per fingerprint kept on a finding of ``findings_frame`` (run with fingerprints on)."""
    rows = findings.select(
        "run_id", "scanned_at", "finding_id", "asset", "column", "entity_type", F.explode("fingerprints").alias("fp")
    )
    return rows.select(*FINGERPRINTS.names[:-2], F.col("fp").alias("fingerprint"), F.lit(key_id).alias("key_id"))


def assets_frame(
    partials: DataFrame, plan: DataFrame, assignment: DataFrame, skipped: DataFrame, run: RunContext
) -> DataFrame:
    """One row per object considered: scanned, skipped (with reason) or failed (with reason)."""
    scanned = (
        partials.filter(F.col("kind") == "asset")
        .join(plan, "object_uri")
        .join(assignment.select("object_uri", F.col("asset").alias("dataset_asset")), "object_uri", "left")
        .select(
            F.col("object_uri").alias("asset"),
            F.when(F.col("dataset_asset") != F.col("object_uri"), F.col("dataset_asset")).alias("dataset"),
            "source_kind",
            "region",
            "format",
            "compression",
            "size_bytes",
            "last_modified",
            "rows_scanned",
            "bytes_scanned",
            F.col("truncated").alias("sampled"),
            "columns",
            "status",
            "reason",
            "duration_ms",
            "table_name",
            "change_marker",
            "sampling",
        )
    )
    not_read = skipped.select(
        F.col("object_uri").alias("asset"),
        F.lit(None).cast("string").alias("dataset"),
        "source_kind",
        "region",
        F.col("format"),
        F.lit(None).cast("string").alias("compression"),
        "size_bytes",
        "last_modified",
        F.lit(0).cast("long").alias("rows_scanned"),
        F.lit(0).cast("long").alias("bytes_scanned"),
        F.lit(False).alias("sampled"),
        F.lit(None).cast("array<string>").alias("columns"),
        "status",
        "reason",
        F.lit(0).cast("long").alias("duration_ms"),
        "table_name",
        "change_marker",
        F.lit(None).cast("string").alias("sampling"),
    )
    return _conform(scanned.unionByName(not_read), ASSETS, run, run_sampling=False)


def _score_partition(raw_config: Mapping[str, Any], full_scan: bool, schema: pa.Schema) -> Any:
    def score(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        config, _ = engine_for(raw_config, full_scan)
        detectors = {d.entity_type: d for d in config.detection.detectors}
        for batch in batches:
            out = []
            for row in batch.to_pylist():
                detector = detectors[row["entity_type"]]
                hinted = row["entity_type"] in (row["column_hints"] or [])
                profiled = row["entity_type"] in (row["column_profiles"] or [])
                presidio = presidio_score(row["presidio_score_sum"] or 0.0, row["presidio_values"] or 0)
                assessment = assess(
                    Evidence(
                        values_seen=row["values_scanned"],
                        matched_values=row["matched_values"],
                        candidates=row["candidates"],
                        validated=row["validated"],
                        distinct_values=row["distinct_values"],
                        keyword_values=row["keyword_values"],
                        best_score=row["best_score"],
                        column_hint=hinted or profiled,
                        has_validator=detector.validate is not None,
                        free_text=row["level"] == "object",
                        presidio_score=presidio,
                    ),
                    config.detection.scoring,
                )
                verdict = decision(assessment.confidence, config.detection.scoring)
                if verdict is None:
                    continue
                if row["occurrences"] < detector.min_occurrences:
                    continue
                evidence = [f"pattern:{name}" for name in row["patterns"]]
                if detector.validate is not None:
                    evidence.append(f"validator:{detector.validate.__name__}")
                if row["keyword_values"]:
                    evidence.append("keyword")
                if hinted and row["column"] is not None:
                    evidence.append(f"column_hint:{normalise_column_name(row['column'])}")
                if profiled:
                    evidence.append("column_profile")
                if presidio is not None:
                    evidence.append(f"presidio:{presidio:.2f}")
                if row["positional"] and row["column"] is not None:
                    evidence.append(POSITIONAL_EVIDENCE)
                out.append(
                    {
                        **row,
                        "match_ratio": assessment.match_ratio,
                        "validator_pass_rate": assessment.validator_pass_rate,
                        "confidence": assessment.confidence,
                        "presidio_score": presidio,
                        "decision": verdict,
                        "sensitivity": detector.sensitivity.value,
                        "jurisdiction": detector.jurisdiction,
                        "frameworks": list(detector.frameworks),
                        "detectors": evidence,
                    }
                )
            yield pa.RecordBatch.from_pylist(out, schema=schema)

    return score


def _null_safe(left: DataFrame, right: DataFrame, *names: str) -> Column:
    condition = left[names[0]].eqNullSafe(right[names[0]])
    for name in names[1:]:
        condition = condition & left[name].eqNullSafe(right[name])
    return condition


def _conform(
    frame: DataFrame, schema: pa.Schema, run: RunContext, run_sampling: bool = True, extra: list[str] | None = None
) -> DataFrame:
    """Select the table's columns in order with their declared types, adding the run's own columns.

    ``run_sampling``: the ``sampling`` column is the run's configured sampling (findings), not the frame's own
    per-object one (assets). Columns the frame lacks (``carried_from_run`` of rows read in this run) are null.
    ``extra`` columns of the frame follow the table's (the writer leaves them out of the table).
    """
    run_columns = {"run_id": F.lit(run.run_id), "scanned_at": F.lit(run.scanned_at)}
    if run_sampling:
        run_columns["sampling"] = F.lit(run.sampling)
    present = set(frame.columns)

    def column(name: str) -> Column:
        if name in run_columns:
            return run_columns[name]
        return F.col(f"`{name}`") if name in present else F.lit(None)

    return frame.select(
        *[column(field.name).cast(spark_type(field.type)).alias(field.name) for field in schema], *(extra or [])
    )
