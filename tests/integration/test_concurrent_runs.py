"""Two scan runs writing the same Delta tables at once: two JVMs commit concurrently, and neither loses rows."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyarrow as pa
from deltalake import DeltaTable

from jobs.delta_store import write_table
from tests.integration.small_estate import CANARIES, write_small_estate

ROOT = Path(__file__).resolve().parents[2]
# The small estate's findings keys (tests/integration/test_scan_local.py works each one out by hand).
SMALL_ESTATE_KEYS = {
    ("crm/customers/", "email", "EMAIL_ADDRESS"),
    ("crm/customers/", "phone", "PHONE_NUMBER"),
    ("logs/app.log", None, "AWS_ACCESS_KEY"),
    ("logs/app.log", None, "IP_ADDRESS"),
    ("payments/cards.parquet", "card", "CREDIT_CARD"),
}


def _start(source: Path, output: Path, run_id: str, *options: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "jobs.scan", "--source", str(source), "--output", str(output)]
    command += ["--run-id", run_id, "--master", "local[1]", *options]
    return subprocess.Popen(
        command, cwd=ROOT, env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _summary(stdout: str, run_id: str) -> tuple[int, int]:
    """(objects listed, findings) from the summary a run prints."""
    assert f"Run {run_id}: succeeded" in stdout, stdout
    listed = re.search(r"objects: (\d+) listed", stdout)
    findings = re.search(r"findings: (\d+)", stdout)
    assert listed and findings, stdout
    return int(listed.group(1)), int(findings.group(1))


def test_two_runs_writing_the_same_tables_at_once_both_commit_every_row(tmp_path: Path) -> None:
    first = write_small_estate(tmp_path / "estate-a")
    second = write_small_estate(tmp_path / "estate-b")
    shutil.rmtree(second / "payments")  # a different estate: no cards, one finding fewer
    expected = {
        "run-a": {(f"file://{first}/{asset}", column, entity) for asset, column, entity in SMALL_ESTATE_KEYS},
        "run-b": {
            (f"file://{second}/{asset}", column, entity)
            for asset, column, entity in SMALL_ESTATE_KEYS
            if not asset.startswith("payments/")
        },
    }
    output = tmp_path / "out"

    runs = {"run-a": _start(first, output, "run-a", "--log-format", "json"), "run-b": _start(second, output, "run-b")}
    done = {run_id: process.communicate(timeout=300) for run_id, process in runs.items()}
    for run_id, process in runs.items():
        assert process.returncode == 0, done[run_id][1][-3000:]
    summaries = {run_id: _summary(stdout, run_id) for run_id, (stdout, _) in done.items()}

    findings = DeltaTable(str(output / "findings")).to_pyarrow_table().to_pylist()
    assets = DeltaTable(str(output / "assets")).to_pyarrow_table().to_pylist()
    runs_rows = DeltaTable(str(output / "runs")).to_pyarrow_table().to_pylist()
    keys: dict[str, set[tuple[str, str | None, str]]] = {"run-a": set(), "run-b": set()}
    for row in findings:
        keys[row["run_id"]].add((row["asset"], row["column"], row["entity_type"]))
    # Exactly what two sequential runs would write: each run's own findings, nothing lost, nothing twice.
    assert keys == expected
    assert Counter(row["run_id"] for row in findings) == {r: s[1] for r, s in summaries.items()}
    assert Counter(row["run_id"] for row in assets) == {r: s[0] for r, s in summaries.items()}
    assert sorted((row["run_id"], row["status"]) for row in runs_rows) == [
        ("run-a", "succeeded"),
        ("run-b", "succeeded"),
    ]
    for table in ("findings", "assets", "runs"):
        app_ids = [
            action["txn"]["appId"]
            for log in sorted((output / table / "_delta_log").glob("*.json"))
            for action in map(json.loads, log.read_text().splitlines())
            if "txn" in action
        ]
        assert sorted(app_ids) == [f"piiscan-scan:{table}:run-a", f"piiscan-scan:{table}:run-b"], table

    # run-a logged JSON lines (the JVM's own lines stay log4j text), each of the job's lines with its run id.
    logged = [json.loads(line) for line in done["run-a"][1].splitlines() if line.startswith("{")]
    assert {line["run_id"] for line in logged if line["logger"] == "jobs.scan"} == {"run-a"}
    assert any(line["message"].startswith("run run-a succeeded in") for line in logged)
    assert [c for c in CANARIES if any(c in out for pair in done.values() for out in pair)] == []


def test_commits_racing_on_one_new_table_are_retried_and_all_land(tmp_path: Path) -> None:
    """The commit race itself, made certain: six writers start committing to a table none has created yet."""
    uri = str(tmp_path / "runs")
    run_ids = [f"race-{n}" for n in range(6)]
    start = threading.Barrier(len(run_ids))

    def write(run_id: str) -> int:
        row = pa.table({"run_id": [run_id]})
        start.wait()
        return write_table(row, uri, "runs", run_id)

    with ThreadPoolExecutor(len(run_ids)) as pool:
        written = list(pool.map(write, run_ids))
    assert written == [1] * len(run_ids)
    assert sorted(DeltaTable(uri).to_pyarrow_table().column("run_id").to_pylist()) == run_ids
    for run_id in run_ids:  # and a rerun of any of them adds nothing
        assert write_table(pa.table({"run_id": [run_id]}), uri, "runs", run_id) == 0
    assert DeltaTable(uri).to_pyarrow_table().num_rows == len(run_ids)
