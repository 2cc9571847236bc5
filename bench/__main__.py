"""``make bench``: measure the engine and the Spark scan, print the figures and write BENCHMARKS.md.

Each case writes its own section of BENCHMARKS.md between ``<!-- bench:CASE:start -->`` and
``<!-- bench:CASE:end -->``; ``--cases`` runs some of them and keeps the other sections (and the accuracy block
``make accuracy`` writes) as they were.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow
import pyspark

from bench.engine_bench import Measurement, engine_columns, engine_text, prefilter_re2
from bench.estate_sections import memory_section, presidio_section, scaling_section, scan_section
from bench.memory_bench import MemoryPeak, big_gzip_log, scan_peak_memory
from bench.presidio_speed import presidio_per_value, sample_values
from bench.scan_bench import (
    ScalingPoint,
    candidate_pass_spark,
    compare_scan_with_read,
    demo_estate_sources,
    mixed_estate_files,
    scaling,
)
from bench.small_tables import (
    COLUMNS,
    JDBC_TABLES,
    ROWS,
    TABLES,
    SmallTablesCase,
    files_case,
    jdbc_case,
    jdbc_unavailable,
)
from classifiers.text_analysis import TextAnalysisSettings, first_installed_model
from demo.nlp import NLP_MODELS

CORES = 2  # local[2]: the Spark figures are per core of this
CASES = ("engine", "scan", "presidio", "scaling", "memory", "small-tables")
AWS_REFERENCE_HOURS = 11  # Sensitive Data Protection on AWS: 1,000 RDS tables x 100 columns x 1,000 rows
TARGET_MINUTES = 10  # issue 8: 1,000 x 100 x 1,000 from files on 2 cores


def machine() -> str:
    """CPU model, cores and memory of this machine."""
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        memory_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
    except (OSError, StopIteration, ValueError):
        memory_kb = 0
    memory = f"{memory_kb / 1024 / 1024:.0f} GiB RAM"
    return f"{model}, {os.cpu_count()} cores, {memory}, {platform.system()} {platform.machine()}"


def _fmt_rate(value: float) -> str:
    return f"{value / 1e6:.2f} M" if value >= 1e6 else f"{value / 1e3:.0f} k"


def _row(m: Measurement, cores: int = 1) -> str:
    runs = ", ".join(f"{s:.3f}" for s in m.seconds)
    return f"| {m.name} | {m.values:,} | {runs} | {m.median:.3f} | {_fmt_rate(m.rate / cores)} |"


def measured(runs: str) -> str:
    """The line saying when, where and how a section was measured."""
    return (
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `make bench` on {machine()}.\n"
        f"Python {platform.python_version()}, Spark {pyspark.__version__} (local[{CORES}]), "
        f"pyarrow {pyarrow.__version__}. {runs}"
    )


def engine_section(engine: list[Measurement], spark_regex: tuple[Measurement, Measurement], runs: int) -> str:
    """The detection engine alone, and the candidate pass inside Spark."""
    lines = [
        "## Detection engine (one core, no Spark)",
        "",
        measured(f"Each figure is the median of {runs} runs; every run is listed."),
        "",
        "Full default detector set; batches of 65,536 values, as the scan job hands them over. The mixed columns are",
        "eight warehouse-style columns (ids, codes, amounts, timestamps, words) with 3 % e-mails and card numbers",
        "in two of them; the free text is log lines, 3 % with an e-mail and 3 % with a client IP. On free text,",
        "Presidio analyses at most `presidio.max_values` (500) lines per text object: the cases with Presidio",
        "show that bounded cost (one object of 250,000 lines here; it is a fixed cost per object, not per line).",
        "",
        "| case | values | runs (s) | median (s) | values/s per core |",
        "|---|---|---|---|---|",
        *[_row(m) for m in engine],
        "",
        "## Candidate pass inside Spark: pyarrow RE2 or the JVM's regex",
        "",
        "The same single alternation of every enabled pattern over the same values, as a Spark job on",
        f"local[{CORES}]. This is the measurement behind running patterns with pyarrow.compute (RE2) in",
        "`mapInArrow` rather than as native `rlike` expressions.",
        "",
        "| case | values | runs (s) | median (s) | values/s per core |",
        "|---|---|---|---|---|",
        *[_row(m, CORES) for m in spark_regex],
    ]
    return "\n".join(lines)


def _minutes(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.1f} min"


def small_tables_section(cases: list[SmallTablesCase], runs: int) -> str:
    """Many small tables: wall time, its breakdown, per-core throughput, and the AWS reference."""
    ran = [c for c in cases if c.runs]
    first = cases[0]
    shape = f"{first.tables:,} tables x {first.columns} columns x {first.rows:,} rows"
    runs_note = (
        f"Each figure is the median of {runs} runs; every run is listed."
        if runs > 1
        else "One run per source: a run takes minutes (`--small-tables-runs N` for the median of N)."
    )
    lines = [
        "## Many small tables",
        "",
        measured(runs_note),
        "",
        f"{shape} (`bench/small_tables.py`, deterministic): warehouse-style tables of",
        "mostly clean columns (ids, codes, amounts, timestamps, dates, flags, words, UUIDs; 30 % of the free-text",
        "comments null) and three sensitive columns per table, each with exactly 3 % e-mail addresses, Luhn-valid",
        "card numbers or IPv4 addresses among clean look-alikes. As files: one folder (one dataset, one asset)",
        "per table holding one Parquet file; over JDBC: the same rows COPYed into a throw-away PostgreSQL on",
        "loopback, one table each.",
        "The scan job (`run_scan`, shipped configuration, sampling on) reads every row and column of every table",
        "(1,000 rows is below `rows_per_object`; the benchmark checks the rows and values read), and writes to",
        "empty Delta tables each run. Preparing the data (generating files, loading the database) is not timed.",
        "",
        "| source | tables x columns x rows | values | MB | runs (s) | median | tables/min | values/s per core |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for case in ran:
        median = statistics.median(r.seconds for r in case.runs)
        lines.append(
            f"| {case.source} | {case.tables:,} x {case.columns} x {case.rows:,} | {case.values:,} | "
            f"{case.megabytes:,.0f} | {', '.join(f'{r.seconds:.1f}' for r in case.runs)} | {_minutes(median)} | "
            f"{case.tables / median * 60:,.0f} | {_fmt_rate(case.values / median / CORES)} |"
        )
    for case in cases:
        if case.skipped:
            lines += ["", f"{case.source}: not measured: {case.skipped}."]
    if not ran:
        return "\n".join(lines)
    lines += [
        "",
        "**Where the time goes** (the median run). Wall-clock phases are the scan job's own (`ScanResult.timings`);",
        "reading and detecting are summed over the scanning tasks (`ScanResult.task_seconds`, from each asset's",
        "`duration_ms` and the part of it spent in the detectors): task-seconds across both cores, which are",
        'core-seconds on an otherwise idle machine. "Task overhead" is the rest of the scanning phase\'s',
        f"{CORES} cores x wall time: Python workers, Spark scheduling, Arrow transfer and idle cores. Over JDBC,",
        "reading includes waiting for the database's rows.",
        "",
        "| phase | " + " | ".join(c.source for c in ran) + " |",
        "|---|" + "---|" * len(ran),
    ]
    medians = [c.median for c in ran]

    def row(name: str, values: list[str]) -> str:
        return f"| {name} | " + " | ".join(values) + " |"

    def wall(key: str) -> list[str]:
        return [f"{r.timings.get(key, 0.0):.1f} s ({r.timings.get(key, 0.0) / r.seconds:.0%})" for r in medians]

    lines += [
        row("listing and planning (wall)", wall("listing")),
        row("scanning: the Spark job reading and detecting (wall)", wall("scanning")),
        row(
            "&nbsp;&nbsp;reading, summed over tasks",
            [f"{r.task_seconds.get('read', 0.0):.1f} task-s" for r in medians],
        ),
        row(
            "&nbsp;&nbsp;detecting, summed over tasks",
            [f"{r.task_seconds.get('detect', 0.0):.1f} task-s" for r in medians],
        ),
        row(
            "&nbsp;&nbsp;task overhead",
            [
                f"{max(0.0, r.timings.get('scanning', 0.0) * CORES - sum(r.task_seconds.values())):.1f} task-s"
                for r in medians
            ],
        ),
        row("aggregating evidence into findings and assets (wall)", wall("aggregating")),
        row("writing: Delta commits of findings and assets (wall)", wall("writing")),
        row(
            "other: runs table commit, clean-up (wall)",
            [f"{r.other:.1f} s ({r.other / r.seconds:.0%})" for r in medians],
        ),
        row("**whole run**", [f"**{r.seconds:.1f} s**" for r in medians]),
        row(
            f"machine load average, start -> end ({CORES} cores)",
            [f"{r.load[0]:.1f} -> {r.load[1]:.1f}" for r in medians],
        ),
        row(
            "findings",
            [
                f"{r.findings:,} ({', '.join(f'{k} {v:,}' for k, v in sorted(r.findings_by_entity.items()))})"
                for r in medians
            ],
        ),
    ]
    files = next((c for c in ran if c.source.startswith("files")), None)
    reference = AWS_REFERENCE_HOURS * 3600
    lines += ["", "**Against the target and the AWS reference.**"]
    if files is not None:
        seconds = statistics.median(r.seconds for r in files.runs)
        target = f"{TABLES:,} x {COLUMNS} x {ROWS:,} from files under {TARGET_MINUTES} minutes on {CORES} cores"
        if (files.tables, files.columns, files.rows) == (TABLES, COLUMNS, ROWS):
            verdict = "met" if seconds <= TARGET_MINUTES * 60 else "missed"
            lines.append(f"The issue's target, {target}, is **{verdict}**: {_minutes(seconds)}.")
        else:
            lines.append(f"The issue's target, {target}, was not measured here (a smaller set).")
    for case in ran:
        seconds = statistics.median(r.seconds for r in case.runs)
        per_table = seconds / case.tables
        lines.append(
            f"{case.source}: {per_table:.2f} s per table on {CORES} cores, against about "
            f"{reference / 1000:.0f} s per table for AWS's Glue-based *Sensitive Data Protection on AWS* "
            f"({AWS_REFERENCE_HOURS} hours for 1,000 RDS tables x 100 columns x 1,000 sampled rows): "
            f"**{reference / 1000 / per_table:,.0f}x** faster per table."
        )
    lines += [
        "",
        "The AWS figure is their own published one for RDS sources on Glue, with their hardware and setup;",
        "the JDBC row is the like-for-like source. It is a reference point, not a controlled comparison.",
    ]
    return "\n".join(lines)


ACCURACY_START, ACCURACY_END = "<!-- accuracy:start -->", "<!-- accuracy:end -->"
_BLOCK = re.compile(r"<!-- bench:([a-z-]+):start -->\n(.*?)\n<!-- bench:\1:end -->", re.DOTALL)
# Sections of a report written before the per-case blocks, by the case that now writes them.
_LEGACY = {"Detection engine": "engine", "Candidate pass": "engine", "Full scan": "scan", "Incremental rerun": "scan"}


def _block(case: str, text: str) -> str:
    return f"<!-- bench:{case}:start -->\n{text.rstrip()}\n<!-- bench:{case}:end -->"


def _accuracy_block(previous: str) -> str:
    """The accuracy section ``make accuracy`` wrote into the report, kept when ``make bench`` rewrites it."""
    start, end = previous.find(ACCURACY_START), previous.find(ACCURACY_END)
    if start < 0 or end < start:
        return ""
    return previous[start : end + len(ACCURACY_END)]


def _previous_sections(previous: str) -> dict[str, str]:
    """Each case's section in the report as it was (a report from before the blocks is split by its headings)."""
    found = {case: text for case, text in _BLOCK.findall(previous)}
    if found or "\n## " not in previous:
        return found
    body = previous.split(ACCURACY_START)[0]
    intro, *sections = body.split("\n## ")
    measured_line = next((p.strip() for p in intro.split("\n\n") if p.startswith("Measured")), "")
    legacy: dict[str, list[str]] = {}
    for section in sections:
        case = next((c for prefix, c in _LEGACY.items() if section.startswith(prefix)), None)
        if case is not None:
            legacy.setdefault(case, []).append("## " + section.strip())
    if measured_line:  # the old report's one "Measured" line goes under each section's first heading
        for parts in legacy.values():
            heading, _, rest = parts[0].partition("\n")
            parts[0] = f"{heading}\n\n{measured_line}\n{rest}"
    return {case: "\n\n".join(parts) for case, parts in legacy.items()}


def compose(sections: dict[str, str], previous: str) -> str:
    """The report: the sections measured now, the other cases' sections as they were, and the accuracy block."""
    kept = _previous_sections(previous)
    blocks = [_block(case, sections.get(case) or kept[case]) for case in CASES if case in sections or case in kept]
    accuracy = _accuracy_block(previous)
    header = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`python -m bench`); each section says when and on what it was measured.",
        "`python -m bench --cases CASE[,CASE]` measures some of them (" + ", ".join(CASES) + ") and keeps the others.",
        "What was profiled, what changed, what did not help and what limits the scan: docs/performance.md.",
    ]
    return "\n\n".join(["\n".join(header), *blocks, *([accuracy] if accuracy else [])]) + "\n"


def _cases(text: str) -> list[str]:
    chosen = [c.strip() for c in text.split(",") if c.strip()]
    unknown = [c for c in chosen if c not in CASES]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(f"unknown case(s) {unknown}; choose among {', '.join(CASES)}")
    return chosen


def main(argv: Sequence[str] | None = None) -> int:
    """Run the chosen benchmarks and write the report."""
    parser = argparse.ArgumentParser(prog="bench", description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=_cases, default=list(CASES), help=f"comma-separated, of: {', '.join(CASES)}")
    parser.add_argument("--engine-rows", type=int, default=250_000, help="rows per column for the engine cases")
    parser.add_argument("--scan-rows", type=int, default=20_000, help="rows per table of the demo (dense) estate")
    parser.add_argument("--scan-mb", type=float, default=1000, help="MB on disk of the realistic mixed estate")
    parser.add_argument("--scan-runs", type=int, default=2, help="runs of the full scan on the mixed estate")
    parser.add_argument("--presidio-values", type=int, default=4000, help="values Presidio analyses per run")
    parser.add_argument(
        "--memory-mb", type=_sizes, default=(250.0, 2000.0), help="decompressed MB of the big gzip logs, e.g. 250,2000"
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--small-tables", type=int, default=TABLES, help="tables of the many-small-tables case")
    parser.add_argument("--small-tables-columns", type=int, default=COLUMNS)
    parser.add_argument("--small-tables-rows", type=int, default=ROWS)
    parser.add_argument("--small-tables-runs", type=int, default=1, help="runs of each many-small-tables variant")
    parser.add_argument(
        "--small-tables-jdbc",
        type=int,
        default=None,
        help=f"tables of its PostgreSQL variant (default: {JDBC_TABLES}, or --small-tables if fewer; 0: none)",
    )
    parser.add_argument("--output", default="BENCHMARKS.md")
    args = parser.parse_args(argv)
    output = Path(args.output)
    sections: dict[str, str] = {}

    if "engine" in args.cases:
        engine = [
            engine_columns(args.engine_rows, args.runs),
            engine_text(args.engine_rows, args.runs, TextAnalysisSettings(enabled=False), ", Presidio off"),
            engine_text(args.engine_rows, args.runs, label=", Presidio without NER (shipped configuration)"),
        ]
        model = first_installed_model(NLP_MODELS)
        if model is not None:
            ner = TextAnalysisSettings(nlp_model=model)
            engine.append(engine_text(args.engine_rows, args.runs, ner, f", Presidio with NER ({model})"))
        engine.append(prefilter_re2(args.engine_rows, args.runs))
        for m in engine:
            print(f"{m.name}: {_fmt_rate(m.rate)} values/s (median {m.median:.3f}s)", flush=True)

    from jobs.local_postgres import DRIVER_JAR
    from jobs.logs import configure_logging
    from jobs.spark import build_session

    configure_logging()  # the scan job's phases and progress, on stderr: the small-tables runs take minutes

    jdbc_tables = min(args.small_tables, JDBC_TABLES) if args.small_tables_jdbc is None else args.small_tables_jdbc
    with_jdbc = "small-tables" in args.cases and jdbc_tables > 0
    jars = [str(DRIVER_JAR)] if with_jdbc and jdbc_unavailable() is None else []
    spark = build_session("piiscan-bench", f"local[{CORES}]", jars)
    try:
        if "engine" in args.cases:
            spark_regex = candidate_pass_spark(spark, args.engine_rows, args.runs)
            for m in spark_regex:
                print(f"{m.name}: {_fmt_rate(m.rate / CORES)} values/s per core (median {m.median:.3f}s)", flush=True)
            sections["engine"] = engine_section(engine, spark_regex, args.runs)
        if {"scan", "presidio", "scaling"} & set(args.cases):
            with tempfile.TemporaryDirectory(prefix="piiscan-bench-") as tmp:
                sections.update(_estate_cases(spark, Path(tmp), args, output))
        if "memory" in args.cases:
            with tempfile.TemporaryDirectory(prefix="piiscan-bench-memory-") as tmp:
                sections["memory"] = memory_section(_memory_peaks(Path(tmp), args.memory_mb), measured(ONE_RUN))
        if "small-tables" in args.cases:
            shape = (args.small_tables_columns, args.small_tables_rows, args.small_tables_runs)
            with tempfile.TemporaryDirectory(prefix="piiscan-bench-small-") as workdir:
                files, _ = files_case(spark, Path(workdir) / "files", args.small_tables, *shape)
            sections["small-tables"] = small_tables_section([files], args.small_tables_runs)
            if with_jdbc:
                _write(output, sections)  # the files' figures stay even if the database variant is cut short
                with tempfile.TemporaryDirectory(prefix="piiscan-bench-jdbc-") as workdir:
                    jdbc = jdbc_case(spark, Path(workdir), jdbc_tables, *shape)
                sections["small-tables"] = small_tables_section([files, jdbc], args.small_tables_runs)
    finally:
        spark.stop()
    print(_write(output, sections))
    return 0


ONE_RUN = "One run of each size: each takes minutes."


def _sizes(text: str) -> tuple[float, ...]:
    return tuple(float(part) for part in text.split(",") if part.strip())


def _estate_cases(spark: Any, workdir: Path, args: argparse.Namespace, output: Path) -> dict[str, str]:
    """The cases on the realistic mixed estate: scan against read, Presidio per value, scaling."""
    sections: dict[str, str] = {}
    started = time.perf_counter()
    files = mixed_estate_files(workdir, args.scan_mb)
    print(f"mixed estate: {len(files)} objects generated in {time.perf_counter() - started:.0f}s", flush=True)
    sources = tuple(sorted({str(path.parent) for path in files}))
    scan_runs = args.scan_runs if "scan" in args.cases else 1
    mixed = compare_scan_with_read(spark, sources, workdir / "mixed", scan_runs, incremental="scan" in args.cases)
    if "scan" in args.cases:
        dense = compare_scan_with_read(spark, demo_estate_sources(workdir, args.scan_rows), workdir / "demo", args.runs)
        runs = f"Medians of {scan_runs} runs (realistic estate) and {args.runs} (demo estate); every run is listed."
        sections["scan"] = scan_section(mixed, dense, measured(runs), CORES)
    if "presidio" in args.cases:
        values = sample_values(args.presidio_values)
        model = first_installed_model(NLP_MODELS)
        baselines = [presidio_per_value(spark, values, None, args.runs, CORES)]
        if model is not None:
            baselines.append(presidio_per_value(spark, values, model, 1, CORES))
        runs = f"Presidio without a model: median of {args.runs} runs; with spaCy: one run (it is slow)."
        sections["presidio"] = presidio_section(baselines, mixed, measured(runs), CORES, _f1_note(output))
    if "scaling" in args.cases:
        points = scaling(spark, files, (0.25, 0.5), workdir / "scaling")
        whole = ScalingPoint(
            mixed.objects,
            mixed.megabytes,
            statistics.median(mixed.scan_total_seconds),
            statistics.median(mixed.scan_seconds),
        )
        sections["scaling"] = scaling_section([*points, whole], measured(ONE_RUN), CORES)
    return sections


def _memory_peaks(workdir: Path, sizes: tuple[float, ...]) -> list[MemoryPeak]:
    peaks = []
    for size in sizes:
        path = workdir / f"big-{size:.0f}.log.gz"
        decompressed = big_gzip_log(path, size)
        peaks.append(scan_peak_memory(path, workdir / f"scan-{size:.0f}", decompressed))
        path.unlink()
        print(f"memory: {peaks[-1]}", flush=True)
    return peaks


def _f1_note(output: Path) -> str:
    """The column- and object-level F1 of both tools from the accuracy block of the report, when there is one."""
    text = output.read_text() if output.exists() else ""
    scores = {}
    for level in ("column", "object"):
        row = re.search(rf"^\| {level} \| all \|(.*)$", text, re.MULTILINE)
        if row:
            cells = [cell.strip() for cell in row.group(1).split("|")]
            scores[level] = (cells[2], cells[5])  # ours F1, Presidio F1 (any score)
    if not scores:
        return "F1: run `make accuracy` for the comparison on a labelled estate."
    parts = [f"{level} level {ours} against Presidio's {theirs}" for level, (ours, theirs) in scores.items()]
    return "F1 on the labelled estate of `make accuracy` (its section below): " + "; ".join(parts) + "."


def _write(output: Path, sections: dict[str, str]) -> str:
    text = compose(sections, output.read_text() if output.exists() else "")
    output.write_text(text)
    return text


if __name__ == "__main__":
    raise SystemExit(main())
