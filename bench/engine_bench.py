"""Engine throughput on one core, and pyarrow RE2 against Spark's JVM regex for the candidate pass."""

from __future__ import annotations

import dataclasses
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from bench.data import log_lines, mixed_columns
from classifiers.config import DetectionConfig
from classifiers.engine import Engine
from classifiers.tally import ColumnTally
from classifiers.text_analysis import TextAnalysisSettings
from jobs.config import Reading

BATCH = Reading().batch_rows


@dataclass(frozen=True)
class Measurement:
    """Median wall time of repeated runs over ``values`` values."""

    name: str
    values: int
    seconds: list[float]

    @property
    def median(self) -> float:
        """Median seconds."""
        return statistics.median(self.seconds)

    @property
    def rate(self) -> float:
        """Values per second at the median."""
        return self.values / self.median


def _timed(runs: int, action: Callable[[], object]) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return times


def engine_columns(rows: int, runs: int) -> Measurement:
    """The full default detector set over eight mixed columns, in batches of BATCH values as the scan hands them."""
    engine = Engine(DetectionConfig.default())
    columns = mixed_columns(rows)

    def scan() -> None:
        for name, values in columns.items():
            tally = ColumnTally(name)
            for start in range(0, len(values), BATCH):
                engine.scan(values.slice(start, BATCH), tally)

    return Measurement("engine, mixed columns", rows * len(columns), _timed(runs, scan))


def engine_text(rows: int, runs: int, text: TextAnalysisSettings | None = None, label: str = "") -> Measurement:
    """The full default detector set over log lines; ``text`` replaces the Presidio settings (default: shipped)."""
    config = DetectionConfig.default()
    engine = Engine(config if text is None else dataclasses.replace(config, text=text))
    lines = log_lines(rows)

    def scan() -> None:
        tally = ColumnTally(None)
        for start in range(0, len(lines), BATCH):
            engine.scan(lines.slice(start, BATCH), tally)

    return Measurement(f"engine, free text (log lines){label}", rows, _timed(runs, scan))


def prefilter_re2(rows: int, runs: int) -> Measurement:
    """Only the vectorized candidate pass (one RE2 alternation) of a column without name hints, in pyarrow."""
    engine = Engine(DetectionConfig.default())
    values = pa.chunked_array(list(mixed_columns(rows).values()))
    regex = engine.candidate_regex(None)

    return Measurement(
        "candidate pass, pyarrow RE2", len(values), _timed(runs, lambda: pc.match_substring_regex(values, regex))
    )
