"""Deterministic crash points, for the kill-and-rerun tests (tests/integration/test_kill_and_rerun.py).

``PIISCAN_FAILPOINT`` names the points that fire (comma-separated); unset, as in production, a point costs one
environment lookup. Spark's JVM and Python workers inherit the driver's environment, so task-side points fire in
tasks too. The names in use:

- ``<table>:staged`` (driver, jobs/delta_store.py): the table's Parquet files of the run are written, not
  committed;
- ``<table>:committed`` (driver): the table's commit of the run is in the Delta log, the next one is not;
- ``<table>:task-written`` (in a writing task): that task's Parquet file is written; the driver dies
  (``kill_driver_from_task``) while tasks are still writing;
- ``<table>:write-task`` (in a writing task, ``fail_first_attempt``): the task's first attempt fails after writing
  its file, so Spark retries it;
- ``scan:task`` (in a scanning task, jobs/scan.py, ``failing_first_attempt``): the task's first attempt fails
  after it produced its first evidence rows.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterable, Iterator
from typing import Any

ENV = "PIISCAN_FAILPOINT"


def _armed(name: str) -> bool:
    return name in os.environ.get(ENV, "").split(",")


def reached(name: str) -> None:
    """SIGKILL this process at point ``name`` when armed: no ``finally``, no atexit, no flush, like a lost node."""
    if _armed(name):
        os.write(2, f"failpoint {name} reached: killing process {os.getpid()}\n".encode())
        os.kill(os.getpid(), signal.SIGKILL)


def kill_driver_from_task(name: str) -> None:
    """From inside a Spark task, SIGKILL the driver at point ``name`` when armed.

    Only meaningful for a local-mode driver started as a session leader (the tests start it so): the session's
    leader is then the driver's Python process. Its JVM exits when the driver's end of the gateway closes, and
    the workers with it; this task goes on, as an executor would after losing its driver.
    """
    if _armed(name):
        os.write(2, f"failpoint {name} reached: killing the driver {os.getsid(0)}\n".encode())
        os.kill(os.getsid(0), signal.SIGKILL)


def fail_first_attempt(name: str) -> None:
    """Raise in the first attempt of a Spark task at point ``name`` when armed, so Spark retries the task."""
    if not _armed(name):
        return
    from pyspark import TaskContext

    context = TaskContext.get()
    if context is not None and context.attemptNumber() == 0:
        raise RuntimeError(f"failpoint {name}: first attempt of task {context.partitionId()} fails")


MapFunction = Callable[[Iterable[Any]], Iterable[Any]]


def failing_first_attempt(name: str, function: MapFunction) -> MapFunction:
    """``function`` (a ``mapInArrow`` function) whose first attempt fails after its first output batch when armed.

    Decided on the driver, which has the same environment as the tasks: unarmed, ``function`` itself is returned.
    """
    if not _armed(name):
        return function

    def failing(batches: Iterable[Any]) -> Iterator[Any]:
        for batch in function(batches):
            yield batch
            fail_first_attempt(name)

    return failing
