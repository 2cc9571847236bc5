"""Crash consistency of the scan job: its driver SIGKILLed at any point, then the same run id run again.

The contract (docs/findings.md, *Idempotent runs*): a run commits ``assets``, then ``findings``, then ``runs``, each
in one Delta transaction carrying the run's application transaction id. So, whenever the driver dies:

- every table is readable (delta-rs and Spark) at its last commit, and rows of other runs are untouched;
- each table holds either none or all of the run's rows, and the tables holding them are a prefix of that order:
  a ``runs`` row means the run's assets and findings are complete;
- rows of a run without a ``runs`` row are invisible: the current findings are those before the run;
- Parquet files written but not committed are never referenced by the log;
- rerunning the same run id commits what is missing and nothing twice.

The run under test is incremental (it reads two changed assets and carries the others from a base run), so carried
rows, committed in the same transactions, are covered too. The killed runs are real ``python -m jobs.scan``
processes started in a session of their own: their driver, JVM and Python workers die together.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from deltalake import DeltaTable
from pyspark.sql import SparkSession

from jobs import failpoints
from jobs.config import load_config
from jobs.current import current_findings
from jobs.delta_store import commit, is_committed, read_table, write_file
from jobs.failpoints import ENV
from jobs.scan import ScanRequest, run_scan
from tests.helpers import delta_frame
from tests.integration.small_estate import write_small_estate

ROOT = Path(__file__).resolve().parents[2]
BASE, RUN = "kill-base", "kill-run"
TABLES = ("assets", "findings", "runs")  # in commit order
VOLATILE = {  # what differs between two runs of the same data: when and how long
    "findings": {"scanned_at"},
    "assets": {"scanned_at", "duration_ms"},
    "runs": {"started_at", "finished_at", "listing_seconds", "scanning_seconds", "writing_seconds"},
}
TIMEOUT = 300.0
# Every first attempt of these tasks fails once it has produced rows (scanning) or written its file (writing).
RETRY_FAILPOINTS = "scan:task,assets:write-task,findings:write-task"


@dataclass(frozen=True)
class Estate:
    source: Path
    config: Path
    template: Path  # the output after the base run
    reference: Path  # the output after the base run and an uninterrupted RUN
    retry: Path  # the output after the base run and RUN with failing task attempts, run in the background
    retry_log: Path
    retry_job: subprocess.Popen[bytes]


@pytest.fixture(scope="module")
def estate(spark: SparkSession, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Estate]:
    root = tmp_path_factory.mktemp("kill")
    source = write_small_estate(root / "src")
    config_path = root / "scan.yaml"
    config_path.write_text("presidio:\n  enabled: false\n")  # faster tasks; Presidio is not what is tested here
    config = load_config(str(config_path))
    reference = root / "reference"
    run_scan(
        spark, ScanRequest((str(source),), str(reference), config, BASE), clock=lambda: datetime(2026, 1, 1, tzinfo=UTC)
    )
    template = root / "template"
    shutil.copytree(reference, template)
    _change(source)
    retry, retry_log = root / "retry", root / "retry.log"
    shutil.copytree(template, retry)
    # Spark allows 2 attempts a task (local[N,F]); started now, it overlaps the other runs (JVM start-up mostly).
    job = _start(source, config_path, retry, retry_log, failpoint=RETRY_FAILPOINTS, master="local[2,2]")
    try:
        run_scan(spark, ScanRequest((str(source),), str(reference), config, RUN))
        yield Estate(source, config_path, template, reference, retry, retry_log, job)
    finally:
        _kill_session(job.pid)
        job.wait(timeout=TIMEOUT)


def _change(source: Path) -> None:
    """A new log and a changed customers partition: RUN reads those two assets and carries the other three."""
    (source / "logs" / "new.log").write_text("2024-06-02T09:00:00Z INFO mail sent to carol.white@example.com\n")
    part = source / "crm" / "customers" / "region=us" / "part-1.csv"
    part.write_text(part.read_text() + "1001234570,dan.brown@example.com,(212) 736-5001,\n")
    os.utime(part, (part.stat().st_atime, part.stat().st_mtime + 10))  # later than the base run saw, at any resolution


def test_a_run_killed_at_every_point_stays_consistent_and_its_reruns_complete_it(
    spark: SparkSession, estate: Estate, tmp_path: Path
) -> None:
    output = tmp_path / "out"
    shutil.copytree(estate.template, output)
    before = _current(estate.template)
    # Each step reruns RUN where the previous one was killed, and is killed one point further on.
    steps: list[tuple[str, tuple[str, ...]]] = [
        ("while reading", ()),  # from outside: SIGKILL of the whole session while Spark tasks read
        ("assets:task-written", ()),  # a writing task kills the driver: other tasks may still be writing
        ("assets:staged", ()),  # every assets file written, none committed
        ("assets:committed", ("assets",)),
        ("findings:committed", ("assets", "findings")),  # between commits
        ("runs:committed", TABLES),  # committed, killed before events, metrics and the summary
    ]
    orphans: dict[str, set[str]] = {table: set() for table in TABLES}
    for point, committed in steps:
        log = _run_killed(estate, output, point, tmp_path / f"{point.replace(':', '-').replace(' ', '-')}.log")
        _assert_consistent(spark, estate, output, committed, log)
        assert _current(output) == (before if "runs" not in committed else _current(estate.reference)), point
        for table in TABLES:
            orphans[table] |= _files_on_disk(output / table) - _live(output / table)
    # Files of killed writers stay behind, unreferenced (VACUUM removes them).
    assert {table for table, files in orphans.items() if files} == {"assets"}

    versions = {table: DeltaTable(str(output / table)).version() for table in TABLES}
    config = load_config(str(estate.config))
    result = run_scan(spark, ScanRequest((str(estate.source),), str(output), config, RUN))
    assert result.status == "succeeded"
    assert {table: DeltaTable(str(output / table)).version() for table in TABLES} == versions  # added nothing
    for table in TABLES:
        assert _rows(output, table) == _rows(estate.reference, table), table
        assert not orphans[table] & _live(output / table), table
    finding_ids = [row["finding_id"] for row in _rows(output, "findings")]
    assert len(finding_ids) == len(set(finding_ids))


def test_failed_task_attempts_are_retried_without_counting_their_rows_twice(estate: Estate) -> None:
    assert estate.retry_job.wait(timeout=TIMEOUT) == 0, _tail(estate.retry_log)
    log = estate.retry_log.read_text()
    for point in RETRY_FAILPOINTS.split(","):
        assert f"failpoint {point}: first attempt of task" in log, point
    output = estate.retry
    for table in TABLES:
        assert _rows(output, table) == _rows(estate.reference, table), table
    # The failed writing attempts had written their files: left behind, not committed.
    assert _files_on_disk(output / "findings") - _live(output / "findings")
    assert _files_on_disk(output / "assets") - _live(output / "assets")


def _start(
    source: Path, config: Path, output: Path, log: Path, failpoint: str | None = None, master: str = "local[2]"
) -> subprocess.Popen[bytes]:
    env = {key: value for key, value in os.environ.items() if key != ENV}
    if failpoint is not None:
        env[ENV] = failpoint
    command = [sys.executable, "-m", "jobs.scan", "--source", str(source), "--output", str(output)]
    command += ["--config", str(config), "--run-id", RUN, "--master", master]
    with log.open("wb") as stderr:  # the child keeps its own descriptor
        # A session of its own: the driver leads it, and its JVM and Python workers (in their own process
        # group) belong to it, so the whole job can be killed at once and nothing outlives the test.
        return subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True
        )


def _run_killed(estate: Estate, output: Path, point: str, log: Path) -> str:
    """Run RUN until it dies at ``point`` (a failpoint, or ``while reading``); returns its log."""
    if point == "while reading":
        process = _start(estate.source, estate.config, output, log)
        try:
            _wait_for_scanning_tasks(process, log)
        finally:
            _kill_session(process.pid)
        process.wait(timeout=TIMEOUT)
        text = log.read_text()
        assert "scanned " not in text, text[-3000:]  # killed while the scan's tasks ran
    else:
        process = _start(estate.source, estate.config, output, log, failpoint=point)
        try:
            process.wait(timeout=TIMEOUT)
        finally:
            _kill_session(process.pid)  # the JVM and workers a dead driver leaves, as when its node goes
        text = log.read_text()
        assert f"failpoint {point} reached" in text, text[-3000:]
    assert process.returncode == -signal.SIGKILL, text[-3000:]
    return text


def _wait_for_scanning_tasks(process: subprocess.Popen[bytes], log: Path) -> None:
    """Return once the scan is planned and a Python worker has been forked for a task of it."""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        assert process.poll() is None, _tail(log)
        if "planned " in log.read_text():
            workers = [pid for pid in _session(process.pid) if b"pyspark.daemon" in _cmdline(pid)]
            if len(workers) >= 2:  # the daemon and at least one worker it forked for a task
                return
        time.sleep(0.02)
    raise AssertionError(f"no scanning task started: {_tail(log)}")


def _session(sid: int) -> list[int]:
    """The live processes of session ``sid``."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # gone meanwhile
        if int(fields[3]) == sid and fields[0] != "Z":
            members.append(int(entry.name))
    return members


def _cmdline(pid: int) -> bytes:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes()
    except OSError:
        return b""


def _kill_session(sid: int) -> None:
    """SIGKILL every process of the session the job leads, until none is left."""
    deadline = time.monotonic() + 30
    while (members := _session(sid)) and time.monotonic() < deadline:
        for pid in members:
            with contextlib.suppress(ProcessLookupError):  # exited meanwhile
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.05)
    assert not _session(sid), "processes of the killed job survive"


def _assert_consistent(spark: SparkSession, estate: Estate, output: Path, committed: tuple[str, ...], log: str) -> None:
    assert sorted(path.name for path in output.iterdir()) == sorted(TABLES), log[-3000:]
    for table in TABLES:
        rows = _rows(output, table)  # delta-rs reads every file the log references
        assert delta_frame(spark, str(output / table)).count() == len(rows), table  # and Spark does
        others = [row for row in rows if row["run_id"] != RUN]
        assert others == _rows(estate.template, table), table
        ours = [row for row in rows if row["run_id"] == RUN]
        expected = [row for row in _rows(estate.reference, table) if row["run_id"] == RUN] if table in committed else []
        assert ours == expected, (table, log[-3000:])


def _rows(output: Path, table: str) -> list[dict[str, Any]]:
    """The table's rows without the columns that differ between runs, sorted; duplicates are kept."""
    data = DeltaTable(str(output / table)).to_pyarrow_table()
    rows = [{k: v for k, v in row.items() if k not in VOLATILE[table]} for row in data.to_pylist()]
    return sorted(rows, key=lambda row: json.dumps(row, sort_keys=True, default=str))


def _current(output: Path) -> list[dict[str, Any]]:
    rows = current_findings(str(output)).to_pylist()
    return sorted(
        ({k: v for k, v in row.items() if k not in VOLATILE["findings"]} for row in rows),
        key=lambda row: json.dumps(row, sort_keys=True, default=str),
    )


def _live(table: Path) -> set[str]:
    """The names of the Parquet files the table's log references."""
    return {uri.rsplit("/", 1)[-1] for uri in DeltaTable(str(table)).file_uris()}


def _files_on_disk(table: Path) -> set[str]:
    return {path.name for path in _parquet(table)}


def _parquet(table: Path) -> Iterator[Path]:
    return (path for path in table.iterdir() if path.suffix == ".parquet")


def _tail(log: Path) -> str:
    return log.read_text()[-3000:] if log.exists() else ""


class _Crash(BaseException):
    """The driver dying, in process: nothing of the job catches a BaseException that is not an Exception."""


def test_an_object_changed_before_the_rerun_is_read_again_by_the_next_run(
    spark: SparkSession, estate: Estate, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rerun of a run that died after its first commit reads objects as they are then; the next run must not
    carry findings of what the killed attempt read under the rerun's newer change markers."""
    source = shutil.copytree(estate.source, tmp_path / "src")
    output = tmp_path / "out"
    config = load_config(str(estate.config))

    def die_after_first_commit(name: str) -> None:
        if name.endswith(":committed"):
            raise _Crash(name)

    monkeypatch.setattr(failpoints, "reached", die_after_first_commit)
    with pytest.raises(_Crash):
        run_scan(spark, ScanRequest((str(source),), str(output), config, "stale-1"))
    monkeypatch.undo()
    log = source / "logs" / "new.log"
    log.write_text(log.read_text() + "2024-06-02T09:00:01Z INFO charged card 4012888888881881\n")
    os.utime(log, (log.stat().st_atime, log.stat().st_mtime + 10))
    run_scan(spark, ScanRequest((str(source),), str(output), config, "stale-1"))  # completes the run
    run_scan(spark, ScanRequest((str(source),), str(output), config, "stale-2"))
    found = current_findings(str(output)).to_pylist()
    assert sorted(row["entity_type"] for row in found if row["asset"] == f"file://{log}") == [
        "CREDIT_CARD",
        "EMAIL_ADDRESS",
    ]


def test_a_first_run_killed_before_its_first_commit_leaves_no_table_and_its_rerun_creates_it(tmp_path: Path) -> None:
    uri = f"file://{tmp_path}/assets"
    rows = pa.table({"run_id": ["first"], "asset": ["s3://b/k"]})
    write_file(uri, rows, "first")  # staged by the killed attempt, never committed
    assert (read_table(uri, ["run_id"]), is_committed(uri, "assets", "first")) == (None, False)  # no table yet
    assert commit(uri, "assets", rows.schema, [write_file(uri, rows, "first")], "first") == 1
    assert read_table(uri, ["run_id", "asset"]) == rows
    assert len(list(tmp_path.joinpath("assets").glob("*.parquet"))) == 2  # the staged file stays unreferenced
