"""The tag job: turn the estate's current findings into S3 object and bucket tags, planned first, applied safely.

Usage (the same for ``python -m jobs.tag`` and ``spark-submit jobs/tag.py``)::

    python -m jobs.tag --output s3://findings-bucket/base [--config conf/tag.yaml] [--run-id ID] \
        [--dry-run | --batch-manifests]

The plan (every taggable object's current tags, the tags the job wants, the merged set and the action) is
committed to ``<output>/tag_plan`` once per run id. ``--dry-run`` stops there. Otherwise the plan is applied in
Spark tasks and each object's outcome committed to ``<output>/tag_results``; rerunning with the same ``--run-id``
reuses the plan and skips what already succeeded. ``--batch-manifests`` writes S3 Batch Operations manifests
instead of applying.

Exit codes: 0 everything applied (or planned, on a dry run); 3 the run finished but some objects or buckets
failed (see tag_plan / tag_results); 2 invalid arguments or configuration; 1 the run itself failed.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script by spark-submit: make the project's packages importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse
import logging
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol, cast

import pyarrow as pa
import pyarrow.compute as pc
from pyspark.sql import DataFrame, SparkSession

from classifiers.errors import ConfigError, ScanError
from jobs import cli, review
from jobs.batch_manifests import write_manifests
from jobs.catalog_tags import apply_catalog_tags
from jobs.cli import parse_job_args
from jobs.current import current_findings, current_objects
from jobs.delta_store import is_committed, read_table, table_uri, write_frame, write_table
from jobs.logs import add_log_format_argument
from jobs.progress import report_progress
from jobs.review import ReviewSettings
from jobs.tables import TAG_PLAN, TAG_RESULTS, spark_ddl
from jobs.tag_apply import APPLY_COLUMNS, APPLY_SCHEMA, apply_partition, apply_rows
from jobs.tag_config import TagConfig, load_tag_config
from jobs.tag_plan import WANTED_SCHEMA, Targets, plan_partition, plan_target, tag_value_counts, targets
from jobs.tag_rules import FindingKey, Selection, select_findings, wanted_tags
from jobs.tag_s3 import Clients

LOG = logging.getLogger("jobs.tag")
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_OBJECT_ERRORS = 0, 1, 2, 3
DONE_STATUSES = ("succeeded", "skipped")
CHANGE_ACTIONS = ("add", "update")


class ReviewQueue(Protocol):
    """What the tag job needs from the review queue (jobs/review.py)."""

    def enqueue(self, output: str, findings: pa.Table, run_id: str, settings: ReviewSettings | None = None) -> int:
        """Queue findings (FINDINGS schema) for a reviewer; returns how many were added."""

    def approved(self, output: str) -> pa.Table:
        """Findings a reviewer approved (FINDINGS schema)."""

    def suppressed(self, output: str) -> set[FindingKey]:
        """(asset, column, entity type) keys a reviewer rejected: never applied."""


def review_queue() -> ReviewQueue:
    """The review queue (jobs/review.py); tests replace this function with a stand-in."""
    return cast(ReviewQueue, review)


@dataclass(frozen=True)
class TagRequest:
    """What to tag and how."""

    output: str
    config: TagConfig
    run_id: str
    dry_run: bool = False
    batch_manifests: bool = False


@dataclass
class TagResult:
    """What a tag run planned and did, for the summary and the exit code."""

    run_id: str
    mode: str  # dry_run, apply, batch_manifests
    plan_reused: bool = False
    actions: Counter[str] = field(default_factory=Counter)  # (kind:action) -> rows of the plan
    tag_values: Counter[str] = field(default_factory=Counter)
    not_taggable: Counter[str] = field(default_factory=Counter)
    findings_applied: Counter[str] = field(default_factory=Counter)  # auto_tag / approved
    findings_held: int = 0
    findings_enqueued: int = 0
    findings_suppressed: int = 0
    statuses: Counter[str] = field(default_factory=Counter)  # this attempt's results
    already_done: int = 0  # objects and buckets a previous attempt of the run finished
    failed_targets: int = 0  # objects and buckets whose last outcome is a failure (plan or apply)
    failures: list[tuple[str, str]] = field(default_factory=list)  # (target, reason), the first few
    manifests: int = 0
    catalog: Counter[str] = field(default_factory=Counter)  # catalog tag results by status


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """Parse the command line; Glue's extra ``--JOB_NAME`` style arguments are tolerated and ignored."""
    parser = argparse.ArgumentParser(prog="jobs.tag", description="Apply current findings as S3 tags.")
    parser.add_argument("--output", required=True, help="base location of the findings tables (as given to the scan)")
    parser.add_argument("--config", default=None, help="YAML configuration (default: the shipped conf/tag.yaml)")
    parser.add_argument(
        "--run-id", default=None, help="tag run id (default: generated); an earlier run's id resumes it"
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--dry-run", action="store_true", help="write the plan and print its summary; change no tag")
    mode.add_argument(
        "--batch-manifests",
        action="store_true",
        help="write S3 Batch Operations manifests and job definitions under <output>/batch/<run id>/ instead of "
        "applying",
    )
    parser.add_argument("--master", default=None, help="Spark master for local runs, e.g. local[2]")
    add_log_format_argument(parser)
    return parse_job_args(parser, argv)


def new_run_id(now: datetime) -> str:
    """A sortable, unique tag run id such as ``tag-20261123T125044Z-1a2b3c4d``."""
    return cli.new_run_id(now, "tag-")


def run_tag(
    spark: SparkSession, request: TagRequest, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
) -> TagResult:
    """Plan (or reuse the run's committed plan), then apply, write manifests, or stop (dry run)."""
    mode = "dry_run" if request.dry_run else "batch_manifests" if request.batch_manifests else "apply"
    result = TagResult(run_id=request.run_id, mode=mode)
    plan_uri = table_uri(request.output, "tag_plan")
    if is_committed(plan_uri, "tag_plan", request.run_id):
        LOG.info("tag run %s: reusing its committed plan", request.run_id)
        result.plan_reused = True
    else:
        _plan(spark, request, result, clock())
    plan = read_table(plan_uri, TAG_PLAN.names, pc.field("run_id") == request.run_id)
    plan = TAG_PLAN.empty_table() if plan is None else plan.cast(TAG_PLAN)
    _summarise_plan(plan, result)
    if request.batch_manifests:
        groups = write_manifests(plan, request.output, request.run_id, request.config.batch)
        result.manifests = len(groups)
        LOG.info("tag run %s: wrote %d Batch Operations manifest(s)", request.run_id, len(groups))
    elif not request.dry_run:
        _apply(spark, request, plan, result)
    if not request.dry_run:
        _enqueue_held(request, result)
    if request.config.catalog.enabled:
        _catalog_tags(request, result)
    return result


def _plan(spark: SparkSession, request: TagRequest, result: TagResult, planned_at: datetime) -> None:
    config, output = request.config, request.output
    _, selection = _selection(request)
    _count_selection(selection, result)
    runs = read_table(table_uri(output, "runs"), ["run_id", "started_at"])
    run_dates = {} if runs is None else {r["run_id"]: r["started_at"] for r in runs.to_pylist()}
    wanted = targets(current_objects(output), wanted_tags(selection, config, run_dates), config)
    result.not_taggable = wanted.not_taggable
    LOG.info(
        "tag run %s: planning %d object(s) in %d bucket(s): reading their current tags",
        request.run_id,
        len(wanted.objects),
        len(wanted.buckets),
    )
    frame = _frame(spark, wanted.objects, WANTED_SCHEMA, config.apply.tasks).mapInArrow(
        plan_partition(config.prefix, config.apply, request.run_id, planned_at), spark_ddl(TAG_PLAN)
    )
    buckets = _plan_buckets(wanted, config, request.run_id, planned_at)
    with report_progress(spark, "planning", len(wanted.objects), 0):
        write_frame(frame, table_uri(output, "tag_plan"), "tag_plan", TAG_PLAN, request.run_id, buckets)


def _selection(request: TagRequest) -> tuple[pa.Table, Selection]:
    """The current findings, and which of them are applied, held for review or suppressed."""
    queue = review_queue()
    findings = current_findings(request.output)
    approved, suppressed = queue.approved(request.output), queue.suppressed(request.output)
    return findings, select_findings(findings, request.config, approved, suppressed)


def _enqueue_held(request: TagRequest, result: TagResult) -> None:
    """Queue the held findings for a reviewer (idempotent per run id: a resumed or reused run adds nothing)."""
    findings, selection = _selection(request)
    if not selection.review:
        return
    held = pa.array(sorted({row["finding_id"] for row in selection.review}), pa.string())
    to_review = findings.filter(pc.is_in(findings["finding_id"], held))
    queue = review_queue()
    result.findings_enqueued = queue.enqueue(request.output, to_review, request.run_id, request.config.review)


def _count_selection(selection: Selection, result: TagResult) -> None:
    result.findings_applied = Counter(row["applied_as"] for row in selection.applied)
    result.findings_held = len(selection.review)
    result.findings_suppressed = selection.suppressed


def _plan_buckets(wanted: Targets, config: TagConfig, run_id: str, planned_at: datetime) -> pa.Table:
    """Bucket rows are few: planned on the driver."""
    clients = Clients(config.apply)
    rows = [plan_target(row, clients, config.prefix, run_id, planned_at) for row in wanted.buckets]
    return pa.Table.from_pylist(rows, schema=TAG_PLAN)


def _frame(spark: SparkSession, rows: list[dict[str, Any]], schema: pa.Schema, tasks: int) -> DataFrame:
    """Rows dealt into Spark partitions (``tasks``; 0: the default parallelism)."""
    partitions = max(1, min(len(rows), tasks or spark.sparkContext.defaultParallelism))
    tuples = [tuple(row[name] for name in schema.names) for row in rows]
    return spark.createDataFrame(spark.sparkContext.parallelize(tuples, partitions), spark_ddl(schema))


def _summarise_plan(plan: pa.Table, result: TagResult) -> None:
    rows = plan.select(["kind", "action", "target", "reason"]).to_pylist()
    result.actions = Counter(f"{r['kind']}:{r['action']}" for r in rows)
    result.tag_values = tag_value_counts(plan)
    failed = [(r["target"], r["reason"] or "") for r in rows if r["action"] == "failed"]
    result.failed_targets = len(failed)
    result.failures = failed[:10]


def _catalog_tags(request: TagRequest, result: TagResult) -> None:
    """Glue column parameters (and LF-tags) for the findings the job applies; results in catalog_tag_results.

    Idempotent (unchanged columns are not written), so a resumed run simply does it again. A dry run or a
    batch-manifests run writes nothing to the catalog and records nothing.
    """
    output, config = request.output, request.config
    findings, selection = _selection(request)
    applied_ids = pa.array(sorted({row["finding_id"] for row in selection.applied}), pa.string())
    applied = findings.filter(pc.is_in(findings["finding_id"], applied_ids))
    dry = request.dry_run or request.batch_manifests
    rows = apply_catalog_tags(applied, current_objects(output), config.catalog, dry, request.run_id)
    if not dry:
        write_table(rows, table_uri(output, "catalog_tag_results"), "catalog_tag_results", request.run_id)
    result.catalog = Counter(rows["status"].to_pylist())
    failed = [
        (f"glue://{r['database']}/{r['table']}" + (f" column {r['column']}" if r["column"] else ""), r["reason"] or "")
        for r in rows.select(["database", "table", "column", "status", "reason"]).to_pylist()
        if r["status"] == "failed"
    ]
    result.failed_targets += len(failed)
    result.failures = (result.failures + failed)[:10]


def _apply(spark: SparkSession, request: TagRequest, plan: pa.Table, result: TagResult) -> None:
    config, run_id = request.config, request.run_id
    attempt_id = uuid.uuid4().hex[:8]
    results_uri = table_uri(request.output, "tag_results")
    done = _done_targets(results_uri, run_id)
    todo = [
        row
        for row in plan.select([*APPLY_COLUMNS, "action"]).to_pylist()
        if row["action"] in CHANGE_ACTIONS and row["target"] not in done
    ]
    result.already_done = sum(1 for row in plan.select(["action", "target"]).to_pylist() if row["target"] in done)
    objects = sorted((r for r in todo if r["kind"] == "object"), key=lambda r: r["target"])
    buckets = [r for r in todo if r["kind"] == "bucket"]
    LOG.info(
        "tag run %s (attempt %s): %d object(s) and %d bucket(s) to write, %d already done by earlier attempts",
        run_id,
        attempt_id,
        len(objects),
        len(buckets),
        result.already_done,
    )
    step = config.apply.commit_every
    for start in range(0, len(objects), step):
        chunk = objects[start : start + step]
        frame = _frame(spark, chunk, APPLY_SCHEMA, config.apply.tasks).mapInArrow(
            apply_partition(config.apply, run_id, attempt_id), spark_ddl(TAG_RESULTS)
        )
        with report_progress(spark, "tagging", len(chunk), 0):
            write_frame(frame, results_uri, "tag_results", TAG_RESULTS, f"{run_id}#{attempt_id}#{start // step:06d}")
        LOG.info("tagging: %d of %d object(s) done", min(start + step, len(objects)), len(objects))
    if buckets:
        rows = apply_rows(buckets, config.apply, run_id, attempt_id)
        write_table(
            pa.Table.from_pylist(rows, schema=TAG_RESULTS), results_uri, "tag_results", f"{run_id}#{attempt_id}#b"
        )
    _summarise_results(results_uri, plan, result, attempt_id)


def _done_targets(results_uri: str, run_id: str) -> set[str]:
    """Targets an earlier attempt of the run already brought up to date."""
    rows = read_table(results_uri, ["target", "status"], pc.field("run_id") == run_id)
    if rows is None:
        return set()
    return {r["target"] for r in rows.to_pylist() if r["status"] in DONE_STATUSES}


def _summarise_results(results_uri: str, plan: pa.Table, result: TagResult, attempt_id: str) -> None:
    rows = read_table(
        results_uri, ["target", "status", "reason", "attempt_id", "at"], pc.field("run_id") == result.run_id
    )
    rows_list = [] if rows is None else sorted(rows.to_pylist(), key=lambda r: (r["at"], r["attempt_id"]))
    result.statuses = Counter(r["status"] for r in rows_list if r["attempt_id"] == attempt_id)
    last = {r["target"]: r for r in rows_list}  # each target's latest outcome over all attempts of the run
    plan_failed = [
        (r["target"], r["reason"] or "")
        for r in plan.select(["target", "action", "reason"]).to_pylist()
        if r["action"] == "failed"
    ]
    apply_failed = [(t, r["reason"] or "") for t, r in sorted(last.items()) if r["status"] == "failed"]
    result.failed_targets = len(plan_failed) + len(apply_failed)
    result.failures = (plan_failed + apply_failed)[:10]


def format_summary(result: TagResult) -> str:
    """The human summary printed at the end of a run (names of entity types, levels and objects only)."""
    a = result.actions
    title = {"dry_run": "planned (dry run: no tag changed)", "apply": "applied", "batch_manifests": "manifests written"}
    lines = [
        f"Tag run {result.run_id}: {title[result.mode]}"
        + (" (reusing the run's committed plan)" if result.plan_reused else ""),
        f"  objects: {a['object:add'] + a['object:update']} to change ({a['object:add']} add, "
        f"{a['object:update']} update), {a['object:none']} unchanged, {a['object:failed']} failed",
        f"  buckets: {a['bucket:add'] + a['bucket:update']} to change, {a['bucket:none']} unchanged, "
        f"{a['bucket:failed']} failed",
    ]
    if not result.plan_reused:
        applied = result.findings_applied
        lines.append(
            f"  findings: {sum(applied.values())} applied ({applied['auto_tag']} auto_tag, "
            f"{applied['approved']} approved by a reviewer), {result.findings_held} held for review, "
            f"{result.findings_suppressed} suppressed by a reviewer"
        )
        if result.not_taggable:
            kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(result.not_taggable.items()))
            lines.append(f"  not tagged (S3 object tags only apply to s3:// objects): {kinds}")
    if result.tag_values:
        lines.append("  planned tag values (objects and buckets):")
        for value, count in sorted(result.tag_values.items(), key=lambda item: (-item[1], item[0])):
            lines.append(f"    {value:<50} {count}")
    if result.mode == "apply":
        s = result.statuses
        lines.append(
            f"  this attempt: {s['succeeded']} written, {s['skipped']} already up to date, {s['failed']} failed; "
            f"{result.already_done} done by earlier attempts of the run"
        )
    if result.mode == "batch_manifests":
        lines.append(
            f"  {result.manifests} Batch Operations manifest(s) under <output>/batch/{result.run_id}/ (bucket tags are "
            "not applied in this mode)"
        )
    if result.findings_enqueued:
        lines.append(
            f"  review queue: {result.findings_enqueued} finding(s) newly queued "
            "(python -m jobs.review --output ... list --pending)"
        )
    if result.catalog:
        lines.append(f"  catalog tags: {', '.join(f'{n} {status}' for status, n in sorted(result.catalog.items()))}")
    if result.failed_targets:
        lines.append(f"  failures: {result.failed_targets} (first {len(result.failures)}):")
        lines.extend(f"    {target}: {reason}" for target, reason in result.failures)
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point for ``python -m jobs.tag`` and ``spark-submit jobs/tag.py``."""
    from jobs.logs import configure_logging
    from jobs.spark import build_session

    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        configure_logging(args.log_format)  # --log-format, else PIISCAN_LOG_FORMAT, else text
    except ValueError as exc:  # PIISCAN_LOG_FORMAT names no known format
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        config = load_tag_config(args.config)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    request = TagRequest(
        output=args.output,
        config=config,
        run_id=args.run_id or new_run_id(datetime.now(UTC)),
        dry_run=args.dry_run,
        batch_manifests=args.batch_manifests,
    )
    spark = build_session("piiscan-tag", args.master)
    try:
        result = run_tag(spark, request)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ScanError as exc:
        LOG.error("tag run %s failed: %s", request.run_id, exc)
        return EXIT_FAILED
    finally:
        spark.stop()
    print(format_summary(result))
    return EXIT_OK if result.failed_targets == 0 else EXIT_OBJECT_ERRORS


if __name__ == "__main__":
    sys.exit(main())
