"""Progress lines for long Spark work: tasks done out of total, elapsed time and an estimate of what is left."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from pyspark.sql import SparkSession

LOG = logging.getLogger("jobs.progress")


@contextmanager
def report_progress(
    spark: SparkSession, label: str, objects: int, total_bytes: int, every_seconds: float = 15.0
) -> Iterator[None]:
    """Log progress of the Spark stages running inside the block every ``every_seconds`` seconds."""
    stop = threading.Event()
    started = time.monotonic()
    tracker = spark.sparkContext.statusTracker()

    def poll() -> None:
        while not stop.wait(every_seconds):
            done = total = 0
            for stage_id in tracker.getActiveStageIds():
                info = tracker.getStageInfo(stage_id)
                if info is not None:
                    done, total = done + info.numCompletedTasks, total + info.numTasks
            elapsed = time.monotonic() - started
            if total:
                eta = elapsed / done * (total - done) if done else float("nan")
                LOG.info(
                    "%s: %d of %d tasks done (%d objects, %.1f MB in all), %.0fs elapsed, about %.0fs left",
                    label,
                    done,
                    total,
                    objects,
                    total_bytes / 1e6,
                    elapsed,
                    eta,
                )

    thread = threading.Thread(target=poll, name=f"progress-{label}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
