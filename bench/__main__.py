"""``make bench``: measure the engine and the Spark scan, print the figures and write BENCHMARKS.md."""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pyarrow
import pyspark

from bench.engine_bench import Measurement, engine_columns, engine_text, prefilter_re2
from bench.scan_bench import ScanComparison, candidate_pass_spark, compare_scan_with_read
from classifiers.text_analysis import TextAnalysisSettings, first_installed_model
from demo.nlp import NLP_MODELS

CORES = 2  # local[2]: the Spark figures are per core of this


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


def report(
    engine: list[Measurement],
    spark_regex: tuple[Measurement, Measurement],
    scan: ScanComparison,
    runs: int,
    scan_rows: int,
) -> str:
    """BENCHMARKS.md as text."""
    read_median = sorted(scan.read_seconds)[len(scan.read_seconds) // 2]
    scan_median = sorted(scan.scan_seconds)[len(scan.scan_seconds) // 2]
    total_median = sorted(scan.scan_total_seconds)[len(scan.scan_total_seconds) // 2]
    incremental_median = sorted(scan.incremental_seconds)[len(scan.incremental_seconds) // 2]
    lines = [
        "# Benchmarks",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `make bench` on {machine()}.",
        f"Python {platform.python_version()}, Spark {pyspark.__version__} (local[{CORES}]), "
        f"pyarrow {pyarrow.__version__}. "
        f"Each figure is the median of {runs} runs; every run is listed.",
        "",
        "## Detection engine (one core, no Spark)",
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
        "",
        "## Full scan against a plain read of the same objects",
        "",
        f"The demo estate generated at {scan_rows:,} rows per table: {scan.objects} objects, {scan.megabytes:.1f} MB",
        "(CSV, gzip TSV, bzip2 CSV, Parquet, JSON lines plain and zstd, gzip and plain logs, an RDS export's gzip",
        "Parquet, a Redshift UNLOAD's gzip pipe-delimited text), read from local disk",
        f"with sampling off. {scan.rows:,} rows/lines read, {scan.values:,} values (non-empty cells and lines) handed",
        f"to the detectors; the scan reported {scan.findings} findings. Unlike the engine data above, this estate is",
        "dense in personal data (most columns are sensitive), so most values go through the validators.",
        "The plain read opens every object with the same readers inside the same kind of Spark job and",
        'decodes every batch to strings, without detection. "Scan (read + detect)" is the scan job\'s scanning',
        'phase; "whole run" adds listing, aggregation, scoring and the Delta commits of three tables.',
        "",
        "| pass | runs (s) | median (s) | MB/s per core | values/s per core |",
        "|---|---|---|---|---|",
        *[
            f"| {name} | {', '.join(f'{s:.2f}' for s in runs_)} | {median:.2f} | "
            f"{scan.megabytes / median / CORES:.2f} | {_fmt_rate(scan.values / median / CORES)} |"
            for name, runs_, median in (
                ("plain read", scan.read_seconds, read_median),
                ("scan (read + detect)", scan.scan_seconds, scan_median),
                ("whole run", scan.scan_total_seconds, total_median),
            )
        ],
        "",
        f"Scan time over plain-read time: **{scan_median / read_median:.2f}x**.",
        "",
        "## Incremental rerun",
        "",
        "The whole run again on the first run's output with nothing changed, as a nightly schedule does:",
        f"{scan.unchanged} of {scan.objects} objects are unchanged, not read, and their findings carried forward (an",
        "object skipped by its content, such as an image, is looked at again every run).",
        "What remains is listing, comparing change markers with the last run's `assets` rows, copying the",
        "findings and the Delta commits.",
        "",
        "| run | runs (s) | median (s) |",
        "|---|---|---|",
        f"| whole run, first scan | {', '.join(f'{s:.2f}' for s in scan.scan_total_seconds)} | {total_median:.2f} |",
        f"| whole run, incremental rerun | {', '.join(f'{s:.2f}' for s in scan.incremental_seconds)} | "
        f"{incremental_median:.2f} |",
        "",
        f"Incremental rerun over first scan: **{incremental_median / total_median:.2f}x** the time.",
        "",
    ]
    return "\n".join(lines)


ACCURACY_START, ACCURACY_END = "<!-- accuracy:start -->", "<!-- accuracy:end -->"


def _accuracy_block(path: Path) -> str:
    """The accuracy section ``make accuracy`` wrote into the report, kept when ``make bench`` rewrites it."""
    previous = path.read_text() if path.exists() else ""
    start, end = previous.find(ACCURACY_START), previous.find(ACCURACY_END)
    if start < 0 or end < start:
        return ""
    return "\n" + previous[start : end + len(ACCURACY_END)] + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Run every benchmark and write the report."""
    parser = argparse.ArgumentParser(prog="bench", description=__doc__)
    parser.add_argument("--engine-rows", type=int, default=250_000, help="rows per column for the engine cases")
    parser.add_argument("--scan-rows", type=int, default=20_000, help="rows per table of the generated estate")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--output", default="BENCHMARKS.md")
    args = parser.parse_args(argv)

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

    from jobs.spark import build_session

    spark = build_session("piiscan-bench", f"local[{CORES}]")
    try:
        spark_regex = candidate_pass_spark(spark, args.engine_rows, args.runs)
        for m in spark_regex:
            print(f"{m.name}: {_fmt_rate(m.rate / CORES)} values/s per core (median {m.median:.3f}s)", flush=True)
        with tempfile.TemporaryDirectory(prefix="piiscan-bench-") as workdir:
            scan = compare_scan_with_read(spark, Path(workdir), args.scan_rows, args.runs)
    finally:
        spark.stop()
    text = report(engine, spark_regex, scan, args.runs, args.scan_rows) + _accuracy_block(Path(args.output))
    Path(args.output).write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
