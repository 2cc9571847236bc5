"""The scan job's command line, run as users run it: ``python -m jobs.scan`` and ``spark-submit jobs/scan.py``."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
from deltalake import DeltaTable

from tests.integration.small_estate import CANARIES, write_small_estate

ROOT = Path(__file__).resolve().parents[2]
SUMMARY = [
    "Run cli-1: succeeded",
    "  objects: 6 listed, 5 scanned, 1 skipped, 0 failed, 0 unchanged",
    "  read: 11 rows, 25 values, 0.0 MB",
    f"  text analysis: Presidio {metadata.version('presidio-analyzer')}; NER off: spaCy model 'en_core_web_sm' is "
    "not installed (see docs/nlp.md; it is never downloaded)",
    "  findings: 5",
    "    AWS_ACCESS_KEY       1",
    "    CREDIT_CARD          1",
    "    EMAIL_ADDRESS        1",
    "    IP_ADDRESS           1",
    "    PHONE_NUMBER         1",
    "  most sensitive assets:",
]


def _run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    # As in an activated virtual environment: spark-submit finds pyspark and python3 on PATH.
    env = {**os.environ, "SPARK_MASTER": "local[1]", "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False)


@pytest.mark.parametrize(
    "launcher",
    [
        pytest.param([sys.executable, "-m", "jobs.scan"], id="python -m jobs.scan"),
        pytest.param(
            [str(Path(sys.executable).parent / "spark-submit"), str(ROOT / "jobs" / "scan.py")], id="spark-submit"
        ),
    ],
)
def test_the_command_line_scans_and_prints_the_summary(launcher: list[str], tmp_path: Path) -> None:
    source = write_small_estate(tmp_path / "src")
    output = tmp_path / "out"
    done = _run([*launcher, "--source", str(source), "--output", str(output), "--run-id", "cli-1"], cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    start = lines.index(SUMMARY[0])
    assert lines[start : start + len(SUMMARY)] == SUMMARY
    assert DeltaTable(str(output / "findings")).to_pyarrow_table().num_rows == 5
    logs = done.stdout + done.stderr
    assert [c for c in CANARIES if c in logs] == []


def test_a_bad_configuration_exits_2_with_the_reason(tmp_path: Path) -> None:
    config = tmp_path / "bad.yaml"
    config.write_text("detectors:\n  CREDIT_CARDS: {enabled: false}\n")
    done = _run(
        [
            sys.executable,
            "-m",
            "jobs.scan",
            "--source",
            str(tmp_path),
            "--output",
            str(tmp_path / "o"),
            "--config",
            str(config),
        ],
        cwd=ROOT,
    )
    assert done.returncode == 2
    assert done.stderr.startswith(f"error: {config}: unknown detector 'CREDIT_CARDS'; registered detectors are: ")


def test_unknown_options_are_refused_but_glue_arguments_are_tolerated() -> None:
    from jobs.scan import parse_args

    args = parse_args(["--JOB_NAME", "scan", "--source", "s3://b/p", "--output", "s3://o/base"])
    assert (args.source, args.output, args.full_scan, args.run_id) == (["s3://b/p"], "s3://o/base", False, None)
    with pytest.raises(SystemExit):
        parse_args(["--source", "s3://b/p", "--output", "s3://o", "--sauce", "x"])
