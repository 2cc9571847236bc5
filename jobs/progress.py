"""Progress lines for long Spark work: tasks done out of total, bytes, read rate, elapsed time and time left."""

from __future__ import annotations

import contextvars
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
            if total:
                LOG.info("%s", progress_line(label, done, total, objects, total_bytes, time.monotonic() - started))

    # The thread runs in a copy of the caller's context: its lines carry the run id (jobs/logs.py).
    context = contextvars.copy_context()
    thread = threading.Thread(target=context.run, args=(poll,), name=f"progress-{label}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def progress_line(label: str, done: int, total: int, objects: int, total_bytes: int, elapsed: float) -> str:
    """One progress line; the rate assumes the bytes are spread evenly over the tasks (an estimate)."""
    fraction = done / total if total else 0.0
    eta = f"about {elapsed / done * (total - done):.0f}s left" if done else "time left unknown"
    rate = f", about {total_bytes * fraction / 1e6 / elapsed:.1f} MB/s" if done and elapsed > 0 and total_bytes else ""
    return (
        f"{label}: {done} of {total} tasks done ({objects} objects, {total_bytes * fraction / 1e6:.1f} of "
        f"{total_bytes / 1e6:.1f} MB{rate}), {elapsed:.0f}s elapsed, {eta}"
    )
