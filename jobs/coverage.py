"""The coverage ("gap") report: which buckets, prefixes and catalog tables no run has scanned, or not lately.

Usage::

    python -m jobs.coverage --output BASE --source 's3://*' [--source s3://bucket[/prefix] ...] \
        [--source glue://DATABASE[/TABLE][?catalog_id=ACCOUNT] ...] [--since 2026-11-01] [--stale-days N]

A small driver-only job (no Spark): the estate comes from the ``--source`` arguments, in the scan's syntax
(``s3://*`` and ``s3://acme-*`` expanded to the account's buckets, ``s3://bucket[/prefix]``, local folders,
``glue://`` databases and tables listed from the Glue Data Catalog); the history comes from the scan's
``<BASE>/assets`` and ``<BASE>/runs`` Delta tables, read with delta-rs. Every bucket, prefix and catalog table
is one row: ``covered``, ``stale`` (last scanned before ``--since`` or more than ``--stale-days`` days ago),
``never_scanned``, or ``error`` (it could not be listed or read from the catalog now). The rows go to the
``<BASE>/coverage`` Delta table (one idempotent commit per report id) and to
``<BASE>/reports/coverage-<timestamp>.csv`` / ``.md``, and a short summary is printed.

Only runs that have a ``runs`` row count (a run killed before its last commit scanned nothing as far as this
report goes), and only ``assets`` rows with status ``scanned`` or ``unchanged`` (an incremental run's object
that did not change since it was last scanned) count as coverage.

Exit codes: 0 everything is covered; 4 some row is ``never_scanned``, ``stale`` or ``error`` (the report is
written either way); 2 invalid arguments; 1 the job failed (a table could not be read or written).
"""

from __future__ import annotations

import argparse
import bisect
import csv
import io
import logging
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from classifiers.errors import ConfigError, ScanError
from jobs import glue_catalog
from jobs.cli import new_run_id, parse_job_args
from jobs.delta_store import read_table, table_uri, write_table
from jobs.discovery import expand_sources
from jobs.logs import add_log_format_argument, configure_logging
from jobs.redaction import safe_reason
from jobs.storage import Location, default_region, filesystem, parse_uri, s3_client
from jobs.tables import COVERAGE

LOG = logging.getLogger("jobs.coverage")
EXIT_COVERED, EXIT_FAILED, EXIT_USAGE, EXIT_GAPS = 0, 1, 2, 4
TABLE = "coverage"
COVERING = ("scanned", "unchanged")
STATUSES = ("error", "never_scanned", "stale", "covered")  # the report's order: worst first
DEFAULT_MAX_GAPS = 20
_ASSET_COLUMNS = ("run_id", "source_kind", "asset", "status", "reason", "table_name")
_REASON_SAMPLE_CHARS = 200


@dataclass(frozen=True)
class Target:
    """One thing whose coverage is checked: a bucket, a prefix (or local folder), or a catalog table.

    ``prefix`` is the URI prefix an ``assets.asset`` must start with to cover it (None: only ``table_name``
    matches, e.g. a Glue view); ``error`` is set when it could not be listed or read now; ``note`` is what is
    worth knowing when nothing covers it (an empty bucket, a table the scan does not read).
    """

    kind: str  # bucket | prefix | glue_table | glue_database
    name: str
    source: str
    region: str | None = None
    prefix: str | None = None
    table_name: str | None = None  # DATABASE.TABLE of a catalog table
    error: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class CoverageRow:
    """One row of the coverage table (jobs.tables.COVERAGE, docs/findings.md)."""

    kind: str
    name: str
    source: str
    region: str | None
    status: str
    reason: str
    last_scanned_at: datetime | None = None
    last_run_id: str | None = None
    objects_scanned: int | None = None
    objects_unchanged: int | None = None


@dataclass(frozen=True)
class CoverageRequest:
    """What to check, against which findings store, and what counts as stale."""

    sources: tuple[str, ...]
    output: str
    report_id: str
    since: datetime | None = None
    stale_days: int | None = None
    max_gaps: int = DEFAULT_MAX_GAPS


@dataclass
class CoverageResult:
    """The rows of one report, where they were written, and what the history held."""

    report_id: str
    generated_at: datetime
    stale_before: datetime | None
    rows: list[CoverageRow]
    ignored_rows: int = 0  # assets rows of runs without a runs row
    ignored_runs: int = 0
    written: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """Rows per status, every status present (0 when none)."""
        return {status: sum(1 for row in self.rows if row.status == status) for status in STATUSES}

    @property
    def gaps(self) -> list[CoverageRow]:
        """Every row that is not ``covered``, in report order."""
        return [row for row in self.rows if row.status != "covered"]


# --- arguments ----------------------------------------------------------------------------------------------------


def parse_since(text: str) -> datetime:
    """An ISO date (midnight UTC) or date-time (UTC when no zone is given); anything else is a ConfigError."""
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"--since must be an ISO date or date-time such as 2026-11-01, got {text!r}") from None
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def check_sources(sources: Iterable[str]) -> None:
    """Refuse what this report cannot check (JDBC sources) or cannot parse, before anything is listed."""
    for source in sources:
        if source.lower().startswith("jdbc:"):
            raise ConfigError(
                f"the coverage report checks s3://, glue:// and local sources; {source.split('?')[0]!r} is a JDBC "
                "source (its tables' coverage is in the assets table, source_kind jdbc)"
            )
        if glue_catalog.is_glue(source):
            glue_catalog.parse_source(source)
        else:
            parse_uri(source)


def stale_cutoff(now: datetime, since: datetime | None, stale_days: int | None) -> datetime | None:
    """The moment a last scan must not be before: the later of ``--since`` and ``now - --stale-days``."""
    cutoffs = [c for c in (since, now - timedelta(days=stale_days) if stale_days is not None else None) if c]
    return max(cutoffs) if cutoffs else None


# --- the estate ---------------------------------------------------------------------------------------------------


def resolve_targets(
    sources: Sequence[str], glue_client_factory: Callable[[], Any] = glue_catalog.glue_client
) -> list[Target]:
    """The buckets, prefixes and catalog tables the sources mean, each checked now (listable? readable?).

    Nothing raises for a bucket or database that cannot be read: it becomes a Target with ``error`` set.
    Duplicates (a bucket named on its own and through ``s3://*``) are kept once, under the first source.
    """
    targets: list[Target] = []
    probes: dict[tuple[str, str], tuple[str | None, str | None, bool]] = {}
    glue_client: Any = None
    for source in sources:
        if glue_catalog.is_glue(source):
            try:
                glue_client = glue_client or glue_client_factory()
            except Exception as exc:  # noqa: BLE001 - no client: each glue source is an error row
                parsed = glue_catalog.parse_source(source)
                targets.append(_glue_error(parsed, glue_catalog.failure_reason(parsed, exc), None))
                continue
            targets.extend(_glue_targets(source, glue_client))
            continue
        expanded, failed = expand_sources([source])
        for pattern, reason in failed:
            targets.append(Target("bucket", pattern, source, error=f"cannot expand {pattern}: {reason}"))
        for uri in expanded:
            targets.append(_storage_target(uri, source, probes))
    unique: dict[tuple[str, str], Target] = {}
    for target in targets:
        unique.setdefault((target.kind, target.name), target)
    return list(unique.values())


def _storage_target(
    uri: str, source: str, probes: dict[tuple[str, str], tuple[str | None, str | None, bool]]
) -> Target:
    location = parse_uri(uri)
    if location.scheme == "s3":
        kind = "bucket" if not location.path else "prefix"
        name = f"s3://{location.bucket}/{location.path}"
        key = (location.bucket, location.path)
        if key not in probes:
            probes[key] = _probe_s3(location.bucket, location.path)
        region, error, empty = probes[key]
        note = f"the {kind} holds no objects now" if empty else None
        return Target(kind, name, source, region, name, error=error, note=note)
    path = Path(location.path)
    folder = path.is_dir()
    name = f"file://{str(path).rstrip('/')}/" if folder else location.uri
    error = None if path.exists() else f"{name} does not exist"
    empty = folder and not any(p.is_file() for p in path.rglob("*"))
    return Target(
        "prefix", name, source, None, name, error=error, note="the folder holds no files now" if empty else None
    )


def _probe_s3(bucket: str, prefix: str) -> tuple[str | None, str | None, bool]:
    """(region, error reason, empty) of a bucket or prefix: GetBucketLocation, then one ListObjectsV2 key."""
    what = f"bucket {bucket}" if not prefix else f"s3://{bucket}/{prefix}"
    try:
        constraint = s3_client().get_bucket_location(Bucket=bucket).get("LocationConstraint")  # type: ignore[attr-defined]
    except Exception as exc:  # noqa: BLE001 - a bucket we cannot locate is an error row
        return None, _s3_reason(what, "s3:GetBucketLocation", exc), False
    region = str(constraint) if constraint else "us-east-1"
    try:
        page = s3_client(region).list_objects_v2(Bucket=bucket, Prefix=prefix, MaxKeys=1)  # type: ignore[attr-defined]
    except Exception as exc:  # noqa: BLE001 - a bucket we cannot list is an error row
        return region, _s3_reason(what, "s3:ListBucket", exc), False
    return region, None, not page.get("Contents")


def _s3_reason(what: str, permission: str, exc: Exception) -> str:
    code = _error_code(exc)
    if code == "NoSuchBucket":
        return f"{what} does not exist (NoSuchBucket)"
    if code in ("AccessDenied", "AllAccessDisabled", "InvalidAccessKeyId"):
        return f"access denied to {what} ({code}): the scan role needs {permission}"
    return f"cannot list {what}: {safe_reason(exc)}"


def _error_code(exc: Exception) -> str:
    response = getattr(exc, "response", None)
    return str(response.get("Error", {}).get("Code", "")) if isinstance(response, dict) else ""


def _glue_targets(source: str, client: Any) -> list[Target]:
    parsed = glue_catalog.parse_source(source)
    region = getattr(getattr(client, "meta", None), "region_name", None) or default_region()
    try:
        tables = [
            glue_catalog.describe_table(parsed.database, raw) for raw in glue_catalog.catalog_tables(parsed, client)
        ]
    except Exception as exc:  # noqa: BLE001 - an unreadable database or table is an error row; the job goes on
        return [_glue_error(parsed, glue_catalog.failure_reason(parsed, exc), region)]
    return [
        Target(
            "glue_table",
            parsed.table_uri(table.name),
            source,
            region,
            table.location,
            table.table_name,
            note=f"the scan does not read this table: {table.skip_reason}" if table.skip_reason else None,
        )
        for table in sorted(tables, key=lambda t: t.name)
    ]


def _glue_error(parsed: glue_catalog.GlueSource, reason: str, region: str | None) -> Target:
    kind = "glue_table" if parsed.table else "glue_database"
    table_name = f"{parsed.database}.{parsed.table}" if parsed.table else None
    return Target(kind, parsed.display, parsed.display, region, table_name=table_name, error=reason)


# --- the history --------------------------------------------------------------------------------------------------


@dataclass
class History:
    """The scan's history: when each run (with a runs row) started, and its assets rows sorted by URI."""

    started: dict[str, datetime] = field(default_factory=dict)
    assets: pa.Table = field(default_factory=lambda: _empty_assets())
    ignored_rows: int = 0
    ignored_runs: int = 0
    _keys: list[str] = field(init=False, default_factory=list)
    _by_table: dict[str, list[int]] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.assets = self.assets.filter(pc.is_valid(self.assets["asset"]))
        self.assets = self.assets.take(pc.sort_indices(self.assets, [("asset", "ascending")]))
        self._keys = self.assets["asset"].to_pylist()
        glue = pc.and_(pc.equal(self.assets["source_kind"], "glue"), pc.is_valid(self.assets["table_name"]))
        positions = pc.indices_nonzero(pc.fill_null(glue, False))
        names = self.assets["table_name"].take(positions).to_pylist()
        for position, name in zip(positions.to_pylist(), names, strict=True):
            self._by_table.setdefault(name, []).append(position)

    def rows_for(self, target: Target) -> pa.Table:
        """The assets rows that belong to the target: under its prefix, or (Glue) naming its table."""
        low = high = 0
        if target.prefix is not None:
            low = bisect.bisect_left(self._keys, target.prefix)
            high = bisect.bisect_left(self._keys, target.prefix + "\U0010ffff", lo=low)
        extra = [i for i in self._by_table.get(target.table_name or "", []) if not low <= i < high]
        return pa.concat_tables([self.assets.slice(low, high - low), self.assets.take(pa.array(extra, pa.int64()))])


def _empty_assets() -> pa.Table:
    return pa.table({name: pa.array([], pa.string()) for name in _ASSET_COLUMNS})


def load_history(output: str) -> History:
    """Read ``<output>/runs`` and ``<output>/assets``; a missing table means no run yet, not a failure."""
    runs = read_table(table_uri(output, "runs"), ["run_id", "started_at"])
    assets = read_table(table_uri(output, "assets"), list(_ASSET_COLUMNS))
    started = {}
    if runs is not None:
        for row in runs.to_pylist():
            if row["run_id"] is not None and row["started_at"] is not None:
                started[row["run_id"]] = row["started_at"]
    if assets is None:
        return History(started)
    assets = assets.select(list(_ASSET_COLUMNS)).cast(_empty_assets().schema)
    known = pc.fill_null(pc.is_in(assets["run_id"], value_set=pa.array(sorted(started), pa.string())), False)
    orphans = assets.filter(pc.invert(known))
    if orphans.num_rows:
        LOG.warning(
            "ignoring %d assets row(s) of %d run(s) without a runs row (killed before the end, or still running)",
            orphans.num_rows,
            len(pc.unique(orphans["run_id"])),
        )
    return History(started, assets.filter(known), orphans.num_rows, len(pc.unique(orphans["run_id"])))


# --- the assessment -----------------------------------------------------------------------------------------------


def assess(
    targets: Iterable[Target], history: History, stale_before: datetime | None, since: datetime | None
) -> list[CoverageRow]:
    """One CoverageRow per target, worst status first (then the oldest last scan, then the name)."""
    rows = [_assess(target, history, stale_before, since) for target in targets]
    far_past = datetime.min.replace(tzinfo=UTC)
    return sorted(rows, key=lambda r: (STATUSES.index(r.status), r.last_scanned_at or far_past, r.kind, r.name))


def _assess(target: Target, history: History, stale_before: datetime | None, since: datetime | None) -> CoverageRow:
    rows = history.rows_for(target)
    counts: dict[str, dict[str, int]] = {}  # run -> status -> objects
    if rows.num_rows:
        grouped = rows.group_by(["run_id", "status"]).aggregate([("asset", "count")]).to_pylist()
        for group in grouped:
            counts.setdefault(group["run_id"], {})[group["status"] or "(none)"] = group["asset_count"]

    def newest(runs: Iterable[str]) -> str | None:
        return max(runs, key=lambda run: (history.started[run], run), default=None)

    last = newest(run for run, by_status in counts.items() if any(by_status.get(s) for s in COVERING))
    base = CoverageRow(target.kind, target.name, target.source, target.region, "covered", "")
    if last is not None:
        when = history.started[last]
        base = replace(
            base,
            last_scanned_at=when,
            last_run_id=last,
            objects_scanned=counts[last].get("scanned", 0),
            objects_unchanged=counts[last].get("unchanged", 0),
        )
    if target.error is not None:
        scanned = f"; last scanned {_iso(base.last_scanned_at)} by run {last}" if last is not None else ""
        return replace(base, status="error", reason=target.error + scanned)
    if last is None:
        reason = "no run has scanned an object here"
        latest, sample = newest(counts), None
        if latest is not None:
            reason += f"; the latest run to list it, {latest}, recorded {_tally(counts[latest])}"
            sample = _sample_reason(rows, latest)
            if sample:
                reason += f": {sample}"
        if target.note and not (sample and sample in target.note):  # the scan's reason already says it
            reason += f"; {target.note}"
        return replace(base, status="never_scanned", reason=reason)
    when = history.started[last]
    done = f"{_tally(counts[last], COVERING)} in run {last} on {_iso(when)}"
    if stale_before is not None and when < stale_before:
        if since is not None and when < since:
            why = f"before --since {_iso(since)}"
        else:
            why = f"before the --stale-days cut-off {_iso(stale_before)}"
        return replace(base, status="stale", reason=f"last scanned {_iso(when)}, {why}: {done}")
    return replace(base, reason=done)


def _tally(by_status: dict[str, int], only: Sequence[str] | None = None) -> str:
    order = ["scanned", "unchanged", "skipped", "error"]
    statuses = [s for s in order if s in by_status] + sorted(s for s in by_status if s not in order)
    if only is not None:
        statuses = list(only)
    return ", ".join(f"{by_status.get(s, 0)} {s}" for s in statuses)


def _sample_reason(rows: pa.Table, run: str) -> str | None:
    mask = pc.and_(pc.equal(rows["run_id"], run), pc.is_valid(rows["reason"]))
    reasons = rows.filter(pc.fill_null(mask, False))["reason"]
    if not len(reasons):
        return None
    text = str(reasons[0].as_py())
    return text if len(text) <= _REASON_SAMPLE_CHARS else text[: _REASON_SAMPLE_CHARS - 1] + "…"


# --- writing ------------------------------------------------------------------------------------------------------


def coverage_table(result: CoverageResult) -> pa.Table:
    """The report's rows as the Arrow table written to ``<output>/coverage``."""
    return pa.Table.from_pylist(
        [
            {
                "report_id": result.report_id,
                "generated_at": result.generated_at,
                "kind": row.kind,
                "name": row.name,
                "source": row.source,
                "region": row.region,
                "status": row.status,
                "reason": row.reason,
                "last_scanned_at": row.last_scanned_at,
                "last_run_id": row.last_run_id,
                "objects_scanned": row.objects_scanned,
                "objects_unchanged": row.objects_unchanged,
                "stale_before": result.stale_before,
            }
            for row in result.rows
        ],
        schema=COVERAGE,
    )


def report_csv(result: CoverageResult) -> str:
    """The rows as CSV with a header (COVERAGE's columns; timestamps ISO 8601 UTC, nulls empty)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COVERAGE.names)
    for row in coverage_table(result).to_pylist():
        writer.writerow(
            ["" if row[n] is None else _iso(row[n]) if isinstance(row[n], datetime) else row[n] for n in COVERAGE.names]
        )
    return buffer.getvalue()


def report_markdown(result: CoverageResult, output: str) -> str:
    """The rows as a Markdown document: counts, then the gaps, then what is covered."""
    counts = result.counts()
    lines = [
        f"# Coverage report {result.report_id}",
        "",
        f"Generated {_iso(result.generated_at)} from the scans recorded under `{output}`; "
        + (f"a scan before {_iso(result.stale_before)} is stale." if result.stale_before else "no staleness cut-off."),
        "",
        "| status | rows |",
        "|---|---|",
        *(f"| {status} | {counts[status]} |" for status in STATUSES),
    ]
    header = [
        "| status | kind | name | region | last scanned | last run | objects scanned | objects unchanged | reason |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for title, rows in (("Gaps", result.gaps), ("Covered", [r for r in result.rows if r.status == "covered"])):
        lines += ["", f"## {title}", ""]
        if not rows:
            lines.append("None.")
            continue
        lines += header
        for row in rows:
            cells = [
                row.status,
                row.kind,
                row.name,
                row.region or "",
                _iso(row.last_scanned_at) if row.last_scanned_at else "",
                row.last_run_id or "",
                "" if row.objects_scanned is None else str(row.objects_scanned),
                "" if row.objects_unchanged is None else str(row.objects_unchanged),
                row.reason,
            ]
            lines.append("| " + " | ".join(_md_cell(cell) for cell in cells) + " |")
    return "\n".join(lines) + "\n"


def _md_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def write_reports(result: CoverageResult, output: str) -> list[str]:
    """Write ``<output>/reports/coverage-<timestamp>.csv`` and ``.md``; returns their URIs."""
    base = parse_uri(output)
    folder = f"{base.path.rstrip('/')}/reports"
    stem = f"coverage-{result.generated_at:%Y%m%dT%H%M%SZ}"
    written = []
    for suffix, text in (("csv", report_csv(result)), ("md", report_markdown(result, output))):
        target = Location(base.scheme, base.bucket, f"{folder}/{stem}.{suffix}")
        fs = filesystem(target)
        try:
            if base.scheme == "file":
                fs.create_dir(folder, recursive=True)
            with fs.open_output_stream(target.fs_path) as stream:
                stream.write(text.encode("utf-8"))
        except OSError as exc:
            raise ScanError(f"cannot write the report {target.uri}: {safe_reason(exc)}") from exc
        written.append(target.uri)
    return written


# --- the job ------------------------------------------------------------------------------------------------------


def run_coverage(
    request: CoverageRequest,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    glue_client_factory: Callable[[], Any] = glue_catalog.glue_client,
) -> CoverageResult:
    """Resolve the estate, read the history, assess every target and write the table and reports."""
    generated_at = clock()
    stale_before = stale_cutoff(generated_at, request.since, request.stale_days)
    history = load_history(request.output)
    LOG.info("history: %d run(s), %d assets row(s)", len(history.started), history.assets.num_rows)
    targets = resolve_targets(request.sources, glue_client_factory)
    LOG.info("checking %d bucket(s), prefix(es) and catalog table(s)", len(targets))
    result = CoverageResult(
        request.report_id,
        generated_at,
        stale_before,
        assess(targets, history, stale_before, request.since),
        history.ignored_rows,
        history.ignored_runs,
    )
    uri = table_uri(request.output, TABLE)
    write_table(coverage_table(result), uri, TABLE, request.report_id)
    result.written = [uri, *write_reports(result, request.output)]
    return result


def format_summary(result: CoverageResult, max_gaps: int = DEFAULT_MAX_GAPS) -> str:
    """The short summary printed at the end: counts per status, the first gaps, what was written."""
    counts = result.counts()
    lines = [
        f"Coverage report {result.report_id}: {len(result.rows)} target(s): "
        + ", ".join(f"{counts[status]} {status}" for status in reversed(STATUSES)),
    ]
    if result.stale_before is not None:
        lines.append(f"  stale: last scanned before {_iso(result.stale_before)}")
    gaps = result.gaps
    if gaps:
        shown = gaps[:max_gaps]
        lines.append(f"  gaps ({len(gaps)}" + (f", first {len(shown)}" if len(shown) < len(gaps) else "") + "):")
        for row in shown:
            reason = row.reason if len(row.reason) <= 160 else row.reason[:159] + "…"
            lines.append(f"    [{row.status}] {row.name}  {reason}")
    if result.ignored_rows:
        lines.append(
            f"  ignored {result.ignored_rows} assets row(s) of {result.ignored_runs} run(s) without a runs row"
        )
    lines.append("  written: " + ", ".join(result.written))
    return "\n".join(lines)


def new_report_id(now: datetime) -> str:
    """A sortable, unique report id such as ``20261123T125044Z-1a2b3c4d``."""
    return new_run_id(now)


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """Parse the command line; Glue's extra ``--JOB_NAME`` style arguments are tolerated and ignored."""
    parser = argparse.ArgumentParser(
        prog="jobs.coverage",
        description="Report the buckets, prefixes and Glue tables no scan has covered, or not since a date.",
    )
    parser.add_argument(
        "--source",
        action="append",
        required=True,
        help="s3://* or s3://PATTERN-*, s3://bucket[/prefix], a local folder, or glue://DATABASE[/TABLE][?catalog_id=…]",
    )
    parser.add_argument("--output", required=True, help="the scan's --output: base of the assets and runs tables")
    parser.add_argument("--since", default=None, help="a last scan before this ISO date or date-time (UTC) is stale")
    parser.add_argument("--stale-days", type=int, default=None, help="a last scan more than N days ago is stale")
    parser.add_argument("--report-id", default=None, help="report identifier (default: generated); reruns add nothing")
    parser.add_argument("--max-gaps", type=int, default=DEFAULT_MAX_GAPS, help="gaps listed in the printed summary")
    add_log_format_argument(parser)
    return parse_job_args(parser, argv)


def build_request(args: argparse.Namespace, now: datetime) -> CoverageRequest:
    """Validate the arguments into a request; a bad date, count or source is a ConfigError."""
    check_sources(args.source)
    parse_uri(args.output)
    if args.stale_days is not None and args.stale_days < 0:
        raise ConfigError(f"--stale-days must be a number of days >= 0, got {args.stale_days}")
    if args.max_gaps < 0:
        raise ConfigError(f"--max-gaps must be >= 0, got {args.max_gaps}")
    return CoverageRequest(
        sources=tuple(args.source),
        output=args.output,
        report_id=args.report_id or new_report_id(now),
        since=parse_since(args.since) if args.since is not None else None,
        stale_days=args.stale_days,
        max_gaps=args.max_gaps,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point for ``python -m jobs.coverage``."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        configure_logging(args.log_format)  # --log-format, else PIISCAN_LOG_FORMAT, else text
    except ValueError as exc:  # a bad PIISCAN_LOG_FORMAT
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        request = build_request(args, datetime.now(UTC))
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        result = run_coverage(request)
    except ScanError as exc:
        LOG.error("coverage report %s failed: %s", request.report_id, exc)
        return EXIT_FAILED
    print(format_summary(result, request.max_gaps))
    return EXIT_COVERED if not result.gaps else EXIT_GAPS


def _iso(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


if __name__ == "__main__":
    sys.exit(main())
