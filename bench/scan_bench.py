"""The Spark side: the full scan against a plain read of the same objects, and RE2 against Spark's rlike."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from bench.data import mixed_columns
from bench.engine_bench import Measurement, _timed
from bench.mixed_estate import generate
from classifiers.config import DetectionConfig
from classifiers.engine import Engine
from demo.estate import generate_estate
from jobs.config import load_config
from jobs.planner import plan_scan
from jobs.scan import ScanRequest, _plan_frame, run_scan
from jobs.scan_task import READ_SCHEMA, read_partition
from jobs.tables import spark_ddl


@dataclass(frozen=True)
class ScanComparison:
    """Full scan and plain read over the same objects."""

    objects: int
    megabytes: float
    rows: int
    values: int
    read_seconds: list[float]
    scan_seconds: list[float]
    scan_total_seconds: list[float]
    findings: int
    incremental_seconds: list[float]  # whole runs again on the first run's output, nothing changed
    unchanged: int  # objects the incremental runs did not read
    task_seconds: dict[str, float]  # the last scan's task seconds summed over tasks: "read" and "detect"


@dataclass(frozen=True)
class ScalingPoint:
    """One whole scan run over the first ``objects`` objects of the mixed estate."""

    objects: int
    megabytes: float
    seconds: float
    scanning_seconds: float


def demo_estate_sources(workdir: Path, rows: int) -> tuple[str, ...]:
    """The demo estate (dense in personal data) at ``rows`` rows per table: one source per bucket folder."""
    estate = generate_estate(workdir / "demo-estate", rows=rows)
    return tuple(str(estate.root / bucket) for bucket in sorted({b for b, _ in estate.objects()}))


def mixed_estate_files(workdir: Path, megabytes: float) -> list[Path]:
    """The realistic mixed estate (bench/mixed_estate.py) of about ``megabytes`` MB, its objects in write order."""
    root = workdir / "mixed-estate"
    generate(root, megabytes)
    return sorted(root.rglob("part-*"), key=lambda path: path.name)


def compare_scan_with_read(
    spark: SparkSession, sources: tuple[str, ...], workdir: Path, runs: int, incremental: bool = True
) -> ScanComparison:
    """Time a plain read of ``sources`` and the full scan of the same objects (and, optionally, reruns)."""
    config = load_config().with_full_scan()
    plan = plan_scan(sources, config.sampling, config.unload, config.filters)
    megabytes = sum(o.size for o in plan.objects) / 1e6

    def plain_read() -> None:
        frame = _plan_frame(spark, plan.objects, config)
        frame.mapInArrow(read_partition(config.raw, True), spark_ddl(READ_SCHEMA)).agg(F.sum("rows")).collect()

    plain_read()  # warm the Python workers once, for both sides alike
    read_seconds = _timed(runs, plain_read)
    scan_seconds, total_seconds = [], []
    result = None
    for run in range(runs):
        output = workdir / f"tables-{run}"
        shutil.rmtree(output, ignore_errors=True)
        start = time.perf_counter()
        result = run_scan(spark, ScanRequest(sources, str(output), config, f"bench-{run}"))
        total_seconds.append(time.perf_counter() - start)
        scan_seconds.append(result.timings["scanning"])
    assert result is not None
    incremental_seconds, unchanged = [], 0
    for run in range(runs if incremental else 0):  # scheduled reruns over an unchanged estate: nothing is read
        start = time.perf_counter()
        rerun = run_scan(spark, ScanRequest(sources, str(workdir / "tables-0"), config, f"bench-rerun-{run}"))
        incremental_seconds.append(time.perf_counter() - start)
        unchanged = rerun.objects_unchanged
    return ScanComparison(
        len(plan.objects),
        megabytes,
        result.rows_scanned,
        result.values_scanned,
        read_seconds,
        scan_seconds,
        total_seconds,
        result.findings,
        incremental_seconds,
        unchanged,
        result.task_seconds,
    )


def scaling(spark: SparkSession, files: list[Path], fractions: tuple[float, ...], workdir: Path) -> list[ScalingPoint]:
    """One whole scan run over each leading fraction of ``files`` (each object given as its own source)."""
    config = load_config().with_full_scan()
    points = []
    for fraction in fractions:
        chosen = files[: max(1, round(len(files) * fraction))]
        output = workdir / f"scaling-{fraction}"
        shutil.rmtree(output, ignore_errors=True)
        start = time.perf_counter()
        result = run_scan(spark, ScanRequest(tuple(map(str, chosen)), str(output), config, f"scaling-{fraction}"))
        points.append(
            ScalingPoint(
                len(chosen),
                sum(path.stat().st_size for path in chosen) / 1e6,
                time.perf_counter() - start,
                result.timings["scanning"],
            )
        )
    return points


def candidate_pass_spark(spark: SparkSession, rows: int, runs: int) -> tuple[Measurement, Measurement]:
    """The candidate pass inside Spark: JVM ``rlike`` against pyarrow RE2 in ``mapInArrow``, same values."""
    regex = Engine(DetectionConfig.default()).candidate_regex(None)
    values = pa.chunked_array(list(mixed_columns(rows).values())).combine_chunks()
    frame = spark.createDataFrame(pa.table({"v": values}).to_pandas()).repartition(2).cache()
    total = frame.count()

    def re2(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            hits = pc.sum(pc.match_substring_regex(batch.column(0), regex)).as_py() or 0
            yield pa.RecordBatch.from_pylist([{"hits": hits}])

    def with_re2() -> None:
        frame.mapInArrow(re2, "hits long").agg(F.sum("hits")).collect()

    def with_rlike() -> None:
        frame.filter(F.col("v").rlike(regex)).count()

    with_re2()
    with_rlike()
    result = (
        Measurement("candidate pass in Spark, mapInArrow + pyarrow RE2", total, _timed(runs, with_re2)),
        Measurement("candidate pass in Spark, JVM rlike", total, _timed(runs, with_rlike)),
    )
    frame.unpersist()
    return result
