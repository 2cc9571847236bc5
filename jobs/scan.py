"""The scan job: list sources, read and detect in Spark tasks, write findings/assets/runs Delta tables.

Usage (the same for ``python -m jobs.scan`` and ``spark-submit jobs/scan.py``)::

    python -m jobs.scan --source s3://bucket/prefix [--source ...] --output s3://findings-bucket/base \
        [--config conf/scan.yaml] [--run-id ID] [--full-scan] [--log-format text|json]

Exit codes: 0 every object was scanned or skipped with a reason; 3 the run finished and committed but some
objects failed (see the assets table); 2 invalid arguments or configuration; 1 the run itself failed.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script by spark-submit: make the project's packages importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse
import logging
import secrets
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import reduce
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import pyarrow as pa
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from classifiers.errors import ConfigError, ScanError
from classifiers.text_analysis import describe as describe_text_analysis
from jobs import failpoints, glue_catalog
from jobs.accounts import use_accounts
from jobs.cli import new_run_id, parse_job_args
from jobs.config import ScanConfig, load_config
from jobs.delta_store import table_uri, write_frame, write_table
from jobs.events import EventFailure, PublishResult, publish_run
from jobs.findings import RunContext, asset_assignment, assets_frame, findings_frame, fingerprints_frame
from jobs.fingerprint_key import fingerprinter_for
from jobs.formats import guess_from_name
from jobs.history import Carry, carried_assets, carried_findings, load_history, plan_carry
from jobs.jdbc_source import SOURCE_KIND as JDBC_KIND
from jobs.jdbc_source import TablePlan, is_jdbc, parse_source, plan_tables
from jobs.logs import add_log_format_argument, log_context
from jobs.metrics import put_run_metrics
from jobs.planner import Plan, PlannedObject, assign_dataset_markers, plan_scan
from jobs.progress import report_progress
from jobs.redaction import safe_reason
from jobs.review import suppressed, without_keys
from jobs.scan_task import PARTIAL_SCHEMA, PLAN_SCHEMA, RunKeys, scan_partition
from jobs.tables import ASSETS, FINDINGS, FINGERPRINTS, RUNS, spark_ddl

LOG = logging.getLogger("jobs.scan")
# Database tables per Spark job of a scan: the job's plan, and the task binary Spark ships with it, grow with the
# tables (one JDBC read and one mapInArrow each); 100 tables took 56 s in all here, 1,000 in one job ran out of memory.
TABLE_GROUP = 100
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_OBJECT_ERRORS = 0, 1, 2, 3
SENSITIVITY_RANK = {"high": 3, "medium": 2, "low": 1}


@dataclass(frozen=True)
class ScanRequest:
    """What to scan, where to write, and how."""

    sources: tuple[str, ...]
    output: str
    config: ScanConfig
    run_id: str
    full_rescan: bool = False  # ignore earlier runs: read everything planned, carry nothing forward


@dataclass
class ScanResult:
    """Counts of one run, as written to the runs table, plus the summary the job prints."""

    run_id: str
    status: str
    objects_listed: int = 0
    objects_scanned: int = 0
    objects_skipped: int = 0
    objects_failed: int = 0
    objects_unchanged: int = 0
    findings_carried: int = 0
    findings_suppressed: int = 0  # not written: their key's latest review decision is "rejected"
    events: PublishResult | None = None  # EventBridge publication of new findings, when enabled
    rows_scanned: int = 0
    values_scanned: int = 0
    bytes_scanned: int = 0
    findings: int = 0
    findings_by_entity: dict[str, int] = field(default_factory=dict)
    top_assets: list[tuple[str, str, int, float]] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # wall seconds: listing, scanning, aggregating, writing
    # Seconds summed over the scanning tasks (CPU-seconds across cores, not wall time): "read" reading objects and
    # tables (and waiting for JDBC rows), "detect" in the detectors.
    task_seconds: dict[str, float] = field(default_factory=dict)
    text_analysis: str = ""


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """Parse the command line; Glue's extra ``--JOB_NAME`` style arguments are tolerated and ignored."""
    parser = argparse.ArgumentParser(prog="jobs.scan", description="Scan data sources for sensitive data.")
    parser.add_argument(
        "--source",
        action="append",
        required=True,
        help="local dir, file://, s3://bucket/prefix, jdbc:postgresql://host:port/database?schema=NAME, "
        "jdbc:mysql://host:port/database or jdbc:mariadb://host:port/database (options: tables=, user=, "
        "password_env= or secret_id=, partition_column=, watermark=), or glue://DATABASE[/TABLE][?catalog_id=ACCOUNT]",
    )
    parser.add_argument("--output", required=True, help="base location of the findings, assets and runs tables")
    parser.add_argument("--config", default=None, help="YAML configuration (default: the shipped conf/scan.yaml)")
    parser.add_argument("--run-id", default=None, help="run identifier (default: generated); reruns add nothing")
    parser.add_argument("--full-scan", action="store_true", help="read every object and row (no sampling)")
    parser.add_argument(
        "--full-rescan",
        action="store_true",
        help="ignore earlier runs: read every planned object and table, even those unchanged since their last scan",
    )
    parser.add_argument("--master", default=None, help="Spark master for local runs, e.g. local[2]")
    add_log_format_argument(parser)
    return parse_job_args(parser, argv)


def run_scan(
    spark: SparkSession, request: ScanRequest, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
) -> ScanResult:
    """Plan, scan and write one run. Returns its counts; per-object failures are recorded, not raised."""
    use_accounts(request.config.accounts)  # member accounts' buckets are read with their roles (jobs/accounts.py)
    with log_context(run_id=request.run_id):  # every log line of the run carries its id (jobs/logs.py)
        return _run_scan(spark, request, clock)


def _run_scan(spark: SparkSession, request: ScanRequest, clock: Callable[[], datetime]) -> ScanResult:
    began = time.monotonic()
    started_at = clock()
    timings: dict[str, float] = {}
    config = request.config
    context = RunContext(
        run_id=request.run_id,
        scanned_at=started_at,
        sampling=config.sampling.describe(),
        raw_config=config.raw,
        full_scan=config.sampling.full_scan,
    )

    text_analysis = describe_text_analysis(config.detection.text)
    LOG.info("run %s: text analysis: %s", request.run_id, text_analysis)
    tick = time.monotonic()
    # The run's key for hashing matched values, files and tables alike; the user's fingerprint key when kept.
    keys = RunKeys(secrets.token_bytes(16), fingerprinter_for(config.fingerprints))
    LOG.info("run %s: listing %d source(s)", request.run_id, len(request.sources))
    plan = plan_scan(
        [s for s in request.sources if not is_jdbc(s) and not glue_catalog.is_glue(s)],
        config.sampling,
        config.unload,
        config.filters,
        config.inventory,
    )
    catalog = glue_catalog.plan_catalog(
        _glue_sources(request.sources),
        lambda location: plan_scan([location], config.sampling, config.unload, config.filters, config.inventory),
    )
    plan.extend(catalog.plan)
    assign_dataset_markers(plan)
    tables = plan_tables(spark, [parse_source(s) for s in request.sources if is_jdbc(s)], config, keys)
    plan.column_types.update(tables.column_types)
    listed = plan.listed + tables.listed
    carry = _plan_carry(request, plan, tables)
    timings["listing"] = time.monotonic() - tick
    total_bytes = sum(o.size for o in plan.objects)
    LOG.info(
        "planned %d object(s), %.1f MB to read, and %d database table(s); %d skipped, %d source(s) or table(s) "
        "failed (%.1fs)",
        len(plan.objects),
        total_bytes / 1e6,
        len(tables.objects),
        len(plan.skipped),
        len(plan.failed_sources) + len(tables.not_read) + len(catalog.not_read),
        timings["listing"],
    )

    tick = time.monotonic()
    files_df = _plan_frame(spark, plan.objects, config).persist()  # joined three times below; built in Python
    scan = failpoints.failing_first_attempt("scan:task", scan_partition(config.raw, config.sampling.full_scan, keys))
    file_partials = files_df.mapInArrow(scan, spark_ddl(PARTIAL_SCHEMA))
    with report_progress(spark, "scanning", len(plan.objects) + len(tables.objects), total_bytes):
        plan_df, partials, evidence_rows = _scanned(spark, files_df, file_partials, tables)
    timings["scanning"] = time.monotonic() - tick
    LOG.info("scanned %d object(s) in %.1fs (%d evidence rows)", len(plan.objects), timings["scanning"], evidence_rows)

    tick = time.monotonic()
    assignment = asset_assignment(partials, plan_df).persist()
    findings = findings_frame(partials, plan_df, assignment, context, _column_types(spark, plan)).persist()
    assets = assets_frame(
        partials, plan_df, assignment, _skipped_frame(spark, plan, tables, catalog.not_read), context
    ).persist()
    carried = carried_findings(request.output, carry, request.run_id, started_at)
    unchanged = carried_assets(carry, request.run_id, started_at)
    findings, carried, dropped = _without_suppressed(spark, request.output, findings, carried)
    result = _summarise(request.run_id, listed, partials, findings, assets, carried)
    result.objects_unchanged, result.findings_suppressed = unchanged.num_rows, dropped
    timings["aggregating"] = time.monotonic() - tick
    tick = time.monotonic()
    # Assets first: a rerun of a run killed between these commits reads the objects again, as they are then. Its
    # findings may be newer than the change markers committed in assets, never older, so a stale marker makes the
    # next run read the object again, where the other order would carry old findings forward under a new marker.
    write_frame(assets, table_uri(request.output, "assets"), "assets", ASSETS, request.run_id, unchanged)
    write_frame(findings, table_uri(request.output, "findings"), "findings", FINDINGS, request.run_id, carried)
    if keys.fingerprinter is not None:
        fingerprints = fingerprints_frame(findings, keys.fingerprinter.key_id)
        uri = table_uri(request.output, "fingerprints")
        write_frame(fingerprints, uri, "fingerprints", FINGERPRINTS, request.run_id)
    timings["writing"] = time.monotonic() - tick
    result.timings = timings
    result.text_analysis = text_analysis
    committed = write_table(
        _runs_row(request, result, started_at, clock(), spark.version),
        table_uri(request.output, "runs"),
        "runs",
        request.run_id,
    )
    if committed and config.events.enabled:  # a rerun of a committed run announces nothing again
        result.events = _publish_events(request)
    if committed and config.metrics.enabled:  # likewise: a rerun's metrics would count the run twice
        put_run_metrics(config.metrics, result, time.monotonic() - began)
    for frame in (files_df, partials, assignment, findings, assets):
        frame.unpersist()
    LOG.info("run %s %s in %.1fs", request.run_id, result.status, sum(timings.values()))
    return result


def _publish_events(request: ScanRequest) -> PublishResult:
    """New findings of the run to EventBridge, one event per asset; failures are logged, the run stands."""
    try:
        published = publish_run(request.output, request.run_id, request.config.events)
    except Exception as exc:  # noqa: BLE001 - the findings are committed; announcing them is best effort
        LOG.warning("run %s: events not published: %s", request.run_id, safe_reason(exc))
        return PublishResult(failures=(EventFailure("*", type(exc).__name__, safe_reason(exc)),))
    for failure in published.failures:
        LOG.warning(
            "run %s: event for %s not published: %s",
            request.run_id,
            failure.asset,
            failure.error_code,
            extra={"asset": failure.asset},
        )
    LOG.info("run %s: published %d of %d event(s)", request.run_id, published.published, published.events)
    return published


def _without_suppressed(
    spark: SparkSession, output: str, findings: DataFrame, carried: pa.Table
) -> tuple[DataFrame, pa.Table, int]:
    """Drop the findings, read or carried, whose key a reviewer rejected (jobs/review.py), and count them.

    The persisted ``findings`` is replaced by a persisted frame without them.
    """
    keys = suppressed(output)
    if not keys:
        return findings, carried, 0
    rejected = F.broadcast(
        spark.createDataFrame(
            sorted(keys, key=lambda k: (k[0], k[1] or "", k[2])), "r_asset string, r_column string, r_entity string"
        )
    )
    match = (
        (findings["asset"] == rejected["r_asset"])
        & findings["column"].eqNullSafe(rejected["r_column"])
        & (findings["entity_type"] == rejected["r_entity"])
    )
    kept = findings.join(rejected, match, "left_anti").persist()
    dropped = findings.count() - kept.count()
    findings.unpersist()
    kept_carried = without_keys(carried, keys)
    return kept, kept_carried, dropped + carried.num_rows - kept_carried.num_rows


def _plan_carry(request: ScanRequest, plan: Plan, tables: TablePlan) -> Carry:
    """Take unchanged objects and tables out of the plan (unless --full-rescan); their findings are carried."""
    if request.full_rescan:
        LOG.info("run %s: full rescan: earlier runs are ignored", request.run_id)
        return Carry()
    history = load_history(request.output, request.config.digest)
    carry = plan_carry([*plan.objects, *tables.objects], history)
    if not history.run_ids:
        LOG.info("run %s: no earlier successful run with this configuration; reading everything", request.run_id)
    else:
        LOG.info(
            "run %s: incremental: %d object(s) or table(s) unchanged since earlier runs are not read again",
            request.run_id,
            len(carry.uris),
        )
    plan.objects[:] = [o for o in plan.objects if o.uri not in carry.uris]
    _without_tables(tables, carry.uris)
    return carry


def _plan_frame(spark: SparkSession, objects: list[PlannedObject], config: ScanConfig) -> DataFrame:
    parallelism = spark.sparkContext.defaultParallelism
    tasks = max(1, min(len(objects), max(parallelism * 4, -(-len(objects) // config.reading.max_objects_per_task))))
    # Largest objects first, dealt round-robin into the tasks' slices, so no task gets all the big ones.
    by_size = sorted(objects, key=lambda o: (-o.size, o.uri))
    dealt = [o for task in range(tasks) for o in by_size[task::tasks]]
    rows = [_plan_row(o, o.size) for o in dealt]
    return spark.createDataFrame(spark.sparkContext.parallelize(rows, tasks), spark_ddl(PLAN_SCHEMA))


def _plan_row(o: PlannedObject, size: int | None) -> tuple[Any, ...]:
    """A PLAN_SCHEMA row; ``size`` is None for a database table, which has no object size."""
    return (
        o.uri,
        size,
        o.last_modified,
        o.region,
        o.dataset,
        o.source_kind,
        o.table_name,
        o.read_options,
        o.change_marker,
    )


def _without_tables(tables: TablePlan, uris: set[str]) -> None:
    """Leave the tables at ``uris`` (unchanged since an earlier run) out of ``tables``: they are not read."""
    kept = [(o, read) for o, read in zip(tables.objects, tables.reads, strict=True) if o.uri not in uris]
    tables.objects = [o for o, _ in kept]
    tables.reads = [read for _, read in kept]


def _scanned(
    spark: SparkSession, files_df: DataFrame, file_partials: DataFrame, tables: TablePlan
) -> tuple[DataFrame, DataFrame, int]:
    """Run the scan: the plan of what was read, the evidence (persisted), and the evidence's row count.

    Every later frame reads the persisted evidence, so each object is read once. The files are scanned by one
    Spark job; the database tables by one job per TABLE_GROUP tables (_table_group_evidence), each group's
    evidence checkpointed once computed: a group's plan holds one JDBC read and one mapInArrow per table, and a
    plan of 1,000 tables ran the 1 GB driver of local mode out of memory.
    """
    partials = file_partials.persist()
    rows = partials.count()
    pieces = [partials]
    read: list[PlannedObject] = []
    for start in range(0, len(tables.objects), TABLE_GROUP):
        # Only the group in hand has frames: a frame holds its read's plan on the driver, and 1,000 tables' plans
        # filled the 1 GB heap of local mode. The next iteration lets this group's go.
        group = tables.group(start, TABLE_GROUP)
        LOG.info("database tables %d to %d of %d", start + 1, start + len(group.objects), len(tables.objects))
        group.build()
        evidence, group_rows = _table_group_evidence(group)
        if evidence is not None:
            pieces.append(evidence)
        rows += group_rows
        read += group.objects
        tables.not_read += group.not_read
        for frame in group.frames:
            frame.unpersist()  # persisted only by drop_failed_reads; the checkpoint holds the group's evidence
    tables.objects, tables.reads = read, []
    return _plan_with_tables(spark, files_df, tables), reduce(DataFrame.unionByName, pieces), rows


def _table_group_evidence(group: TablePlan) -> tuple[DataFrame | None, int]:
    """One group's evidence, locally checkpointed, and its row count; None when every table of it failed.

    A file's failure is already an asset row (jobs/scan_task.py), but a table whose read fails once planned (a row
    the server cannot return, a table dropped since it was listed) fails its Spark task, and with it the job:
    then the group's tables are read one by one, the ones that fail are recorded with their reason
    (TablePlan.drop_failed_reads), and the group is scanned again without them; a failure that was not a table's
    fails that second scan too, and is raised.

    The checkpoint keeps the computed rows (memory, then disk) under a plan of one node, so that the aggregation's
    queries do not analyse, optimise and render every table's read again (20 tables: aggregation 16 s -> 5 s,
    commits 4 s -> 1 s). Its price: an executor lost before the commits loses its part, the job fails, and the
    rerun of the run id completes it.
    """
    try:
        return _checkpointed(group)
    except Exception as exc:
        if not _task_failed(exc):
            raise
        LOG.warning(
            "a Spark job over %d database table(s) failed (%s); reading them one by one to find the failing ones",
            len(group.frames),
            group.failure_reason(exc),
        )
    group.drop_failed_reads()
    return _checkpointed(group)  # a failure that was not a table's fails again here, and is raised


def _checkpointed(group: TablePlan) -> tuple[DataFrame | None, int]:
    """The group's evidence, computed by one Spark job and locally checkpointed, and its row count."""
    partials = group.partials()
    if partials is None:
        return None, 0
    partials = partials.persist()
    try:
        rows = partials.count()
        return partials.localCheckpoint(eager=True), rows
    finally:
        partials.unpersist()


def _task_failed(exc: BaseException) -> bool:
    """Whether Spark aborted the job because a task failed (not the driver, nor the plan before any task ran)."""
    return "Job aborted due to stage failure" in str(exc)


def _plan_with_tables(spark: SparkSession, files_df: DataFrame, tables: TablePlan) -> DataFrame:
    """The plan of the files and of the database tables read, the rows the aggregation joins the evidence with."""
    if not tables.objects:
        return files_df
    # size_bytes is null: a table has no object size (bytes_scanned counts the text read instead).
    tables_df = spark.createDataFrame([_plan_row(o, None) for o in tables.objects], spark_ddl(PLAN_SCHEMA))
    return files_df.unionByName(tables_df)


def _glue_sources(sources: Sequence[str]) -> list[glue_catalog.GlueSource]:
    return [glue_catalog.parse_source(s) for s in sources if glue_catalog.is_glue(s)]


def _skipped_frame(
    spark: SparkSession, plan: Plan, tables: TablePlan, catalog_rows: Sequence[PlannedObject] = ()
) -> DataFrame:
    # Database tables, and Glue catalog tables and sources not read, have no object size.
    sizeless = {id(o) for o in [*tables.not_read, *catalog_rows]}
    rows = [
        (
            o.uri,
            o.source_kind,
            o.region,
            o.format or guess_from_name(o.uri).format,
            None if o.source_kind == JDBC_KIND or id(o) in sizeless else o.size,
            o.last_modified,
            "error" if o in plan.failed_sources else o.status,
            o.reason,
            o.table_name,
            o.change_marker,
        )
        for o in [*plan.skipped, *plan.failed_sources, *plan.export_problems, *tables.not_read, *catalog_rows]
    ]
    schema = (
        "object_uri string, source_kind string, region string, format string, size_bytes long, "
        "last_modified timestamp, status string, reason string, table_name string, change_marker string"
    )
    return spark.createDataFrame(rows, schema)


def _column_types(spark: SparkSession, plan: Plan) -> DataFrame:
    # Original database types from RDS export metadata: a few rows per table, joined to findings by Spark.
    rows = [(dataset, column, column_type) for (dataset, column), column_type in sorted(plan.column_types.items())]
    return spark.createDataFrame(rows, "asset string, column string, column_type string")


def _summarise(
    run_id: str, listed: int, partials: DataFrame, findings: DataFrame, assets: DataFrame, carried: pa.Table
) -> ScanResult:
    # Only aggregates reach the driver: counts per status and entity, and the ten riskiest assets. Findings
    # carried forward from unchanged assets are already on the driver (a few rows per asset).
    totals = assets.agg(
        *[F.count(F.when(F.col("status") == status, 1)).alias(status) for status in ("scanned", "skipped", "error")],
        F.sum("rows_scanned").alias("rows"),
        F.sum("bytes_scanned").alias("bytes"),
    ).first()
    status_counts = {status: int(totals[status]) if totals else 0 for status in ("scanned", "skipped", "error")}
    kind = F.col("kind")
    values = partials.agg(
        F.sum(F.when(kind == "column", F.col("values_seen"))).alias("values"),
        F.sum(F.when(kind == "asset", F.col("duration_ms"))).alias("task_ms"),
        F.sum(F.when(kind == "asset", F.col("detect_ms"))).alias("detect_ms"),
    ).first()
    task_ms, detect_ms = (int(values[c] or 0) for c in ("task_ms", "detect_ms")) if values else (0, 0)
    by_entity = Counter(
        {r["entity_type"]: r["n"] for r in findings.groupBy("entity_type").agg(F.count(F.lit(1)).alias("n")).collect()}
    )
    by_entity.update(carried["entity_type"].to_pylist())
    rank = F.create_map(*[x for k, v in SENSITIVITY_RANK.items() for x in (F.lit(k), F.lit(v))])
    top = (
        findings.groupBy("asset")
        .agg(
            F.max(rank[F.col("sensitivity")]).alias("rank"),
            F.count(F.lit(1)).alias("n"),
            F.max("confidence").alias("confidence"),
        )
        .orderBy(F.desc("rank"), F.desc("n"), F.desc("confidence"), "asset")
        .limit(10)
        .collect()
    )
    ranked = [(r["rank"], r["n"], r["confidence"], r["asset"]) for r in top] + _ranked(carried)
    ranked.sort(key=lambda t: (-t[0], -t[1], -t[2], t[3]))
    names = {v: k for k, v in SENSITIVITY_RANK.items()}
    failed = status_counts.get("error", 0)
    return ScanResult(
        run_id=run_id,
        status="succeeded" if failed == 0 else "succeeded_with_errors",
        objects_listed=listed,
        objects_scanned=status_counts.get("scanned", 0),
        objects_skipped=status_counts.get("skipped", 0),
        objects_failed=failed,
        rows_scanned=int(totals["rows"] or 0) if totals else 0,
        values_scanned=int(values["values"] or 0) if values else 0,
        bytes_scanned=int(totals["bytes"] or 0) if totals else 0,
        findings=sum(by_entity.values()),
        findings_carried=carried.num_rows,
        findings_by_entity=dict(sorted(by_entity.items())),
        top_assets=[(asset, names[rank], n, confidence) for rank, n, confidence, asset in ranked[:10]],
        task_seconds={"read": (task_ms - detect_ms) / 1000, "detect": detect_ms / 1000},
    )


def _ranked(findings: pa.Table) -> list[tuple[int, int, float, str]]:
    """(highest sensitivity rank, findings, max confidence, asset) per asset of driver-side findings."""
    per_asset: dict[str, tuple[int, int, float]] = {}
    for row in findings.select(["asset", "sensitivity", "confidence"]).to_pylist():
        rank, n, confidence = per_asset.get(row["asset"], (0, 0, 0.0))
        per_asset[row["asset"]] = (
            max(rank, SENSITIVITY_RANK.get(row["sensitivity"], 0)),
            n + 1,
            max(confidence, row["confidence"] or 0.0),
        )
    return [(rank, n, confidence, asset) for asset, (rank, n, confidence) in per_asset.items()]


def _runs_row(
    request: ScanRequest, result: ScanResult, started: datetime, finished: datetime, spark_version: str
) -> pa.Table:
    return pa.Table.from_pylist(
        [
            {
                "run_id": request.run_id,
                "started_at": started,
                "finished_at": finished,
                "status": result.status,
                "sources": [_display(s) for s in request.sources],
                "config_digest": request.config.digest,
                "sampling": request.config.sampling.describe(),
                "objects_listed": result.objects_listed,
                "objects_scanned": result.objects_scanned,
                "objects_skipped": result.objects_skipped,
                "objects_failed": result.objects_failed,
                "rows_scanned": result.rows_scanned,
                "values_scanned": result.values_scanned,
                "bytes_scanned": result.bytes_scanned,
                "findings": result.findings,
                "listing_seconds": round(result.timings.get("listing", 0.0), 3),
                "scanning_seconds": round(result.timings.get("scanning", 0.0), 3),
                "writing_seconds": round(
                    result.timings.get("aggregating", 0.0) + result.timings.get("writing", 0.0), 3
                ),
                "spark_version": spark_version,
                "tool_version": _tool_version(),
                "text_analysis": result.text_analysis,
                "scan_mode": "full_rescan" if request.full_rescan else "incremental",
                "objects_unchanged": result.objects_unchanged,
                "findings_carried": result.findings_carried,
                "findings_suppressed": result.findings_suppressed,
            }
        ],
        schema=RUNS,
    )


def _display(source: str) -> str:
    if is_jdbc(source):
        return parse_source(source).display
    if glue_catalog.is_glue(source):
        return glue_catalog.parse_source(source).display
    return source


def format_summary(result: ScanResult) -> str:
    """The short human summary printed at the end of a run (it never contains a detected value)."""
    lines = [
        f"Run {result.run_id}: {result.status}",
        f"  objects: {result.objects_listed} listed, {result.objects_scanned} scanned, "
        f"{result.objects_skipped} skipped, {result.objects_failed} failed, {result.objects_unchanged} unchanged",
        f"  read: {result.rows_scanned} rows, {result.values_scanned} values, {result.bytes_scanned / 1e6:.1f} MB",
        f"  text analysis: {result.text_analysis}",
        f"  findings: {result.findings}"
        + (f" ({result.findings_carried} carried forward from unchanged assets)" if result.findings_carried else ""),
    ]
    if result.findings_suppressed:
        lines.append(f"  suppressed: {result.findings_suppressed} finding(s) a reviewer rejected (not written)")
    if result.events is not None:
        failed = len(result.events.failures)
        lines.append(f"  events: {result.events.published} published to EventBridge, {failed} failed")
    for entity, count in sorted(result.findings_by_entity.items(), key=lambda item: (-item[1], item[0])):
        lines.append(f"    {entity:<20} {count}")
    if result.top_assets:
        lines.append("  most sensitive assets:")
        for asset, sensitivity, count, confidence in result.top_assets[:5]:
            lines.append(f"    [{sensitivity:<6}] {asset}  ({count} finding(s), max confidence {confidence:.2f})")
    return "\n".join(lines)


def _tool_version() -> str:
    try:
        return version("piiscan")
    except PackageNotFoundError:
        return "unknown"


def jdbc_jars(sources: Sequence[str], config: ScanConfig) -> list[str]:
    """The jars the session needs: each database's JDBC driver, checked before Spark starts.

    Parsing the JDBC sources here also rejects a bad URI (a password in it, say) with exit code 2.
    """
    dialects = {parse_source(s).dialect for s in sources if is_jdbc(s)}
    jars = []
    for dialect in sorted(dialects, key=lambda d: d.name):
        jar = Path(getattr(config.jdbc, dialect.jar_key))
        if not jar.is_file():
            raise ConfigError(
                f"jdbc.{dialect.jar_key} {str(jar)!r} does not exist: install the {dialect.label} JDBC driver "
                f"(Debian: apt-get install {dialect.jar_package}) or set jdbc.{dialect.jar_key} in the configuration"
            )
        jars.append(str(jar))
    return jars


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point for ``python -m jobs.scan`` and ``spark-submit jobs/scan.py``."""
    from jobs.logs import configure_logging
    from jobs.spark import build_session

    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        configure_logging(args.log_format)
    except ValueError as exc:  # a bad PIISCAN_LOG_FORMAT
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        config = load_config(args.config)
        jars = jdbc_jars(args.source, config)
        _glue_sources(args.source)  # a bad glue:// URI is a usage error, before Spark starts
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.full_scan:
        config = config.with_full_scan()
    request = ScanRequest(
        sources=tuple(args.source),
        output=args.output,
        config=config,
        run_id=args.run_id or new_run_id(datetime.now(UTC)),
        full_rescan=args.full_rescan,
    )
    spark = build_session("piiscan-scan", args.master, jars)
    try:
        result = run_scan(spark, request)
    except ScanError as exc:
        LOG.error("run %s failed: %s", request.run_id, exc)
        return EXIT_FAILED
    finally:
        spark.stop()
    print(format_summary(result))
    return EXIT_OK if result.objects_failed == 0 else EXIT_OBJECT_ERRORS


if __name__ == "__main__":
    sys.exit(main())
