"""The report job: data residency, compliance posture, sensitivity scores, coverage and trends of the estate.

Usage::

    python -m jobs.report --output BASE [--config conf/report.yaml] [--report-dir DIR]

A driver-only job (no Spark): jobs.report_data computes one ReportData from the scan's Delta tables under
``BASE`` (read with delta-rs), and this module renders it, without computing anything itself, to
``<BASE>/reports/report-<timestamp>/`` (or ``--report-dir``): ``report.md`` (plain-language Markdown),
``violations.csv``, ``matrix.csv``, ``frameworks.csv``, ``scores.csv``, ``trends.csv`` and ``report.html``
(jobs.report_html). Local paths and ``s3://`` locations both work. docs/report.md explains every section.

Exit codes: 0 the report was written; 2 invalid arguments or configuration; 1 the job failed (a table could
not be read, or the report could not be written).
"""

from __future__ import annotations

import argparse
import csv
import io
import logging
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from classifiers.errors import ConfigError, ScanError
from jobs.cli import parse_job_args
from jobs.logs import add_log_format_argument, configure_logging
from jobs.redaction import safe_reason
from jobs.report_config import DEFAULT_REPORT_CONFIG, load_report_config
from jobs.report_data import Encryption, build_report
from jobs.report_model import ReportData
from jobs.storage import Location, filesystem, parse_uri

LOG = logging.getLogger("jobs.report")
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
CSV_FILES = ("violations.csv", "matrix.csv", "frameworks.csv", "scores.csv", "trends.csv")
MARKDOWN_TOP_SCORES = 15  # scores listed in report.md (scores.csv has them all)


# --- rendering: Markdown ---------------------------------------------------------------------------------------------


def render_markdown(data: ReportData) -> str:
    """report.md: summary sentences first, then one table per section; every figure comes from ``data``."""
    lines = [f"# PII report {_iso(data.generated_at)}", ""]
    lines += [_summary(data), ""]
    lines += ["## Findings by entity type", ""]
    lines += _table(["entity type", "findings"], [[name, count] for name, count in data.findings_by_entity.items()])
    lines += ["", "## Findings by sensitivity", ""]
    lines += _table(["sensitivity", "findings"], [[name, n] for name, n in data.findings_by_sensitivity.items()])
    lines += ["", "## Residency violations", ""]
    if data.violations:
        lines += [
            f"{_count(len(data.violations), 'asset')} {'holds' if len(data.violations) == 1 else 'hold'} personal "
            "data in a region the residency policy "
            "(conf/report.yaml) does not allow for its jurisdiction.",
            "",
        ]
    lines += _table(
        ["asset", "source", "region", "jurisdictions", "entity types", "findings", "matched values", "since", "rule"],
        [
            [
                v.asset,
                v.source_kind,
                v.region,
                ", ".join(v.jurisdictions),
                ", ".join(v.entity_types),
                v.findings,
                v.matched_values,
                _iso(v.since),
                v.rule,
            ]
            for v in data.violations
        ],
    )
    lines += ["", "## Where the data lives: region x jurisdiction", ""]
    lines += _table(
        ["region", "jurisdiction", "assets", "findings", "allowed"],
        [[c.region, c.jurisdiction, c.assets, c.findings, "yes" if c.allowed else "NO"] for c in data.matrix],
    )
    lines += ["", "## Compliance posture", ""]
    lines += _table(
        ["framework", "assets", "findings", "matched values", "encrypted", "not encrypted", "tagged", "top assets"],
        [
            [
                f.framework,
                f.assets,
                f.findings,
                f.matched_values,
                _known(f.encrypted_assets),
                _known(f.unencrypted_assets),
                _known(f.tagged_assets),
                ", ".join(f.top_assets),
            ]
            for f in data.frameworks
        ],
    )
    lines += ["", "## Top risky assets", ""]
    lines += _table(
        ["score", "asset", "findings", "highest sensitivity", "entity types"],
        [[s.score, s.name, s.findings, s.max_sensitivity or "", ", ".join(s.entity_types)] for s in data.top_assets],
    )
    lines += ["", "## Sensitivity scores: buckets, databases, tables", ""]
    shown = data.scores[:MARKDOWN_TOP_SCORES]
    if len(shown) < len(data.scores):
        lines += [f"The {len(shown)} highest of {len(data.scores)}; scores.csv lists them all.", ""]
    lines += _table(
        ["score", "label", "level", "name", "findings", "highest sensitivity", "entity types"],
        [
            [s.score, s.label, s.level, s.name, s.findings, s.max_sensitivity or "", ", ".join(s.entity_types)]
            for s in shown
        ],
    )
    lines += ["", "## Coverage", ""]
    cov = data.coverage
    if cov is None:
        lines.append("No successful run yet.")
    else:
        lines += _table(
            ["objects listed", "scanned or unchanged", "skipped", "failed"],
            [[cov.objects_listed, cov.objects_scanned, cov.objects_skipped, cov.objects_failed]],
        )
        if cov.not_scanned:
            lines += ["", "Objects not scanned (first ones):", ""]
            lines += _table(["object", "reason"], [[asset, reason] for asset, reason in cov.not_scanned])
    lines += ["", "## Trends", ""]
    lines += _table(
        ["run", "started", "findings", "new", "resolved", "changed"],
        [[t.run_id, _iso(t.started_at), t.findings, t.new, t.resolved, t.changed] for t in data.trends],
    )
    return "\n".join(lines) + "\n"


def _summary(data: ReportData) -> str:
    """The opening sentences: what was found, where it breaks the policy, what changed, what was not scanned."""
    if data.latest_run is None:
        return f"No successful scan is recorded under `{data.output}` yet, so there is nothing to report."
    sentences = [
        f"This report covers the estate's current findings under `{data.output}`, up to run {data.latest_run}.",
        f"{_count(data.findings, 'finding')} of personal or sensitive data "
        f"{'are' if data.findings != 1 else 'is'} current in {_count(data.assets_with_findings, 'asset')}"
        + (
            ": " + ", ".join(f"{n} {level}" for level, n in data.findings_by_sensitivity.items()) + " sensitivity."
            if data.findings
            else "."
        ),
    ]
    if data.violations:
        names = sorted({j for v in data.violations for j in v.jurisdictions})
        sentences.append(
            f"{_count(len(data.violations), 'asset')} {'breaks' if len(data.violations) == 1 else 'break'} "
            f"the residency policy, holding data of {', '.join(names)} outside the regions allowed for it."
        )
    else:
        sentences.append("No asset breaks the residency policy.")
    in_scope = [f for f in data.frameworks if f.assets]
    if in_scope:
        sentences.append(
            "Data in scope of " + ", ".join(f"{f.framework} is in {_count(f.assets, 'asset')}" for f in in_scope) + "."
        )
    sensitive = [s for s in data.scores if s.label == "sensitive"]
    if data.scores:
        sentences.append(
            f"{_count(len(sensitive), 'bucket, database or table', 'buckets, databases or tables')} of "
            f"{len(data.scores)} scored {'is' if len(sensitive) == 1 else 'are'} sensitive (score above 50)."
        )
    if data.trends:
        last = data.trends[-1]
        sentences.append(
            f"The latest run added {last.new} new, resolved {last.resolved} and changed {last.changed} finding(s)."
        )
    cov = data.coverage
    if cov is not None:
        missed = cov.objects_listed - cov.objects_scanned
        share = f"{100 * cov.objects_scanned / cov.objects_listed:.0f}%" if cov.objects_listed else "0%"
        sentences.append(
            f"{cov.objects_scanned} of {_count(cov.objects_listed, 'listed object')} ({share}) "
            f"{'was' if cov.objects_scanned == 1 else 'were'} scanned or unchanged; {missed} "
            f"{'was' if missed == 1 else 'were'} not ({cov.objects_skipped} skipped, {cov.objects_failed} failed)."
        )
    return " ".join(sentences)


def _count(n: int, singular: str, plural: str | None = None) -> str:
    return f"{n} {singular if n == 1 else plural or singular + 's'}"


def _known(value: int | None) -> str:
    return "unknown" if value is None else str(value)


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    if not rows:
        return ["None."]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_md_cell(str(cell)) for cell in row) + " |" for row in rows]
    return lines


def _md_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


# --- rendering: CSV --------------------------------------------------------------------------------------------------


def render_csvs(data: ReportData) -> dict[str, str]:
    """The five CSV exports by file name (header row; lists joined with ';'; timestamps ISO 8601 UTC; nulls empty)."""
    tables: dict[str, tuple[list[str], list[list[Any]]]] = {
        "violations.csv": (
            [
                "asset",
                "source_kind",
                "region",
                "account",
                "jurisdictions",
                "entity_types",
                "findings",
                "matched_values",
                "since",
                "rule",
            ],
            [
                [
                    v.asset,
                    v.source_kind,
                    v.region,
                    v.account,
                    v.jurisdictions,
                    v.entity_types,
                    v.findings,
                    v.matched_values,
                    v.since,
                    v.rule,
                ]
                for v in data.violations
            ],
        ),
        "matrix.csv": (
            ["region", "jurisdiction", "assets", "findings", "allowed"],
            [[c.region, c.jurisdiction, c.assets, c.findings, c.allowed] for c in data.matrix],
        ),
        "frameworks.csv": (
            [
                "framework",
                "assets",
                "findings",
                "matched_values",
                "encrypted_assets",
                "unencrypted_assets",
                "tagged_assets",
                "top_assets",
            ],
            [
                [
                    f.framework,
                    f.assets,
                    f.findings,
                    f.matched_values,
                    f.encrypted_assets,
                    f.unencrypted_assets,
                    f.tagged_assets,
                    f.top_assets,
                ]
                for f in data.frameworks
            ],
        ),
        "scores.csv": (
            [
                "level",
                "name",
                "score",
                "label",
                "findings",
                "max_sensitivity",
                "entity_types",
                "units",
                "units_with_findings",
            ],
            [
                [
                    s.level,
                    s.name,
                    s.score,
                    s.label,
                    s.findings,
                    s.max_sensitivity,
                    s.entity_types,
                    s.units,
                    s.units_with_findings,
                ]
                for s in [*data.scores, *data.top_assets]
            ],
        ),
        "trends.csv": (
            ["run_id", "started_at", "findings", "new", "resolved", "changed"],
            [[t.run_id, t.started_at, t.findings, t.new, t.resolved, t.changed] for t in data.trends],
        ),
    }
    return {name: _csv(header, rows) for name, (header, rows) in tables.items()}


def _csv(header: list[str], rows: list[list[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([[_csv_value(value) for value in row] for row in rows])
    return buffer.getvalue()


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return _iso(value)
    if isinstance(value, tuple):
        return ";".join(str(item) for item in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _iso(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- writing ---------------------------------------------------------------------------------------------------------


def render_html_or_none(data: ReportData) -> str | None:
    """report.html from jobs.report_html (imported lazily); None, with a warning, when that module is missing."""
    try:
        from jobs import report_html
    except ImportError as exc:
        LOG.warning("report.html not written: jobs.report_html is not available (%s)", exc)
        return None
    html: str = report_html.render_html(data)
    return html


def report_location(output: str, generated_at: datetime, report_dir: str | None = None) -> Location:
    """``<output>/reports/report-<timestamp>/`` (or ``report_dir``), as a parsed location ending in '/'."""
    if report_dir is not None:
        location = parse_uri(report_dir)
    else:
        base = parse_uri(output)
        location = Location(
            base.scheme, base.bucket, f"{base.path.rstrip('/')}/reports/report-{generated_at:%Y%m%dT%H%M%SZ}"
        )
    path = location.path.rstrip("/") + "/"
    return Location(location.scheme, location.bucket, path.lstrip("/") if location.scheme == "s3" else path)


def write_report(
    data: ReportData, folder: Location, html: Callable[[ReportData], str | None] = render_html_or_none
) -> list[str]:
    """Write report.md, the CSVs and report.html (when it renders) under ``folder``; returns their URIs."""
    written = _write_files(folder, {"report.md": render_markdown(data), **render_csvs(data)})
    try:
        page = html(data)
    except Exception as exc:  # the other files are written; say which one is missing and why
        raise ScanError(f"report.html could not be rendered ({type(exc).__name__}: {safe_reason(exc)})") from exc
    if page is not None:
        written += _write_files(folder, {"report.html": page})
    return written


def _write_files(folder: Location, files: dict[str, str]) -> list[str]:
    fs = filesystem(folder)
    written = []
    for name, text in files.items():
        target = Location(folder.scheme, folder.bucket, f"{folder.path}{name}")
        try:
            if folder.scheme == "file":
                fs.create_dir(folder.path.rstrip("/"), recursive=True)
            with fs.open_output_stream(target.fs_path) as stream:
                stream.write(text.encode("utf-8"))
        except OSError as exc:
            raise ScanError(f"cannot write the report file {target.uri}: {safe_reason(exc)}") from exc
        written.append(target.uri)
    return written


def format_summary(data: ReportData, folder: Location, written: list[str]) -> str:
    """What the command prints: where the report is, and its key figures."""
    lines = [
        f"Report written to {folder.uri}",
        f"  {data.findings} finding(s) in {data.assets_with_findings} asset(s); latest run {data.latest_run or '-'}",
        f"  residency violations: {len(data.violations)}",
    ]
    if data.top_assets:
        top = data.top_assets[0]
        lines.append(f"  riskiest asset: {top.name} (score {top.score})")
    if data.coverage is not None:
        cov = data.coverage
        lines.append(f"  coverage: {cov.objects_scanned} of {cov.objects_listed} object(s) scanned or unchanged")
    lines.append("  files: " + ", ".join(uri.rsplit("/", 1)[-1] for uri in written))
    return "\n".join(lines)


# --- the job -------------------------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """Parse the command line; Glue's extra ``--JOB_NAME`` style arguments are tolerated and ignored."""
    parser = argparse.ArgumentParser(
        prog="jobs.report",
        description="Write the residency, compliance, sensitivity, coverage and trend report of a findings store.",
    )
    parser.add_argument("--output", required=True, help="the scan's --output: base of the findings tables")
    parser.add_argument("--config", default=str(DEFAULT_REPORT_CONFIG), help="report configuration (YAML)")
    parser.add_argument(
        "--report-dir", default=None, help="where to write the report (default: <output>/reports/report-<timestamp>/)"
    )
    add_log_format_argument(parser)
    return parse_job_args(parser, argv)


def run_report(
    output: str,
    config_path: Path,
    report_dir: str | None,
    now: datetime,
    encryption: Encryption | None = None,
) -> tuple[ReportData, Location, list[str]]:
    """Load the configuration, build the report and write it; ConfigError for bad input, ScanError on failure."""
    config = load_report_config(config_path)
    parse_uri(output)
    folder = report_location(output, now, report_dir)
    data = build_report(output, config, now, encryption)
    return data, folder, write_report(data, folder)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point for ``python -m jobs.report``."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        configure_logging(args.log_format)  # --log-format, else PIISCAN_LOG_FORMAT, else text
    except ValueError as exc:  # a bad PIISCAN_LOG_FORMAT
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        data, folder, written = run_report(args.output, Path(args.config), args.report_dir, datetime.now(UTC))
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ScanError as exc:
        LOG.error("the report failed: %s", exc)
        return EXIT_FAILED
    print(format_summary(data, folder, written))
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
