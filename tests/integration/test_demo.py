"""``make demo`` in a subprocess, as the README runs it, then the analyst notebooks against its output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from demo.estate import demo_database, generate_estate
from jobs.local_postgres import unavailable_reason
from tests.helpers import execute_notebook, kernel_env, printed
from tests.secrecy import files_under, find_leaks

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
GROUND_TRUTH = "Ground truth: 26 of 26 planted sensitive columns found, 0 unexpected finding(s)"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    """The demo's output folder, what it printed and its log (its own Spark, S3 endpoint and database)."""
    reason = unavailable_reason()
    if reason is not None:
        pytest.skip(f"the demo's figures below include its PostgreSQL table: {reason}")
    output = tmp_path_factory.mktemp("demo") / "out"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_ENDPOINT_URL", "PIISCAN_"))}
    done = subprocess.run(
        [sys.executable, "-m", "demo", "--output", str(output)],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return output, done.stdout, done.stderr


def test_the_demo_scans_rescans_tags_and_reports(demo: tuple[Path, str, str]) -> None:
    output, stdout, _ = demo
    lines = stdout.splitlines()
    assert lines.count(GROUND_TRUTH) == 1 and lines.count(f"  {GROUND_TRUTH}") == 1  # first run, then the rerun
    assert any(line.startswith("  1 object(s) read, 16 unchanged and not read; 26 current findings") for line in lines)
    assert any(
        line.startswith("Tag run tag-") and line.endswith(": applied (reusing the run's committed plan)")
        for line in lines
    )
    assert "  this attempt: 18 written, 0 already up to date, 0 failed; 0 done by earlier attempts of the run" in lines
    (report,) = (output / "tables" / "reports").iterdir()
    assert sorted(p.name for p in report.iterdir()) == [
        "frameworks.csv", "matrix.csv", "report.html", "report.md", "scores.csv", "trends.csv", "violations.csv",
    ]  # fmt: skip
    assert f"Report written to file://{report}/" in lines
    tags = json.loads((output / "tags.json").read_text())
    assert len(tags["objects"]) == 21 and len(tags["buckets"]) == 6
    tagged = [uri for uri, found in tags["objects"].items() if "piiscan:sensitivity" in found]
    buckets = [uri for uri, found in tags["buckets"].items() if "piiscan:max-sensitivity" in found]
    assert (len(tagged), len(buckets)) == (13, 5)  # the 18 writes printed above


def test_no_planted_value_leaks_into_tables_reports_tags_or_logs(
    demo: tuple[Path, str, str], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Issue 9's canary test: after scan, incremental rescan, tag and report, nothing written holds a value."""
    output, stdout, stderr = demo
    estate = generate_estate(tmp_path_factory.mktemp("canaries"))  # the demo's own estate: same seed and rows
    canaries = [*estate.canaries, *demo_database().canaries]
    assert len(estate.canaries) == 4054 and len(demo_database().canaries) == 398
    planted = files_under(output / "estate")  # the search has teeth: it finds the values where they were written
    assert len({value for value, _, _ in find_leaks(estate.canaries, planted)}) > 1000  # others are compressed
    written = files_under(output, exclude=[output / "estate"])  # the estate itself is the planted data
    assert {name.split("/")[0] for name in written} == {"tables", "tags.json"}
    assert {name.split("/")[1] for name in written if name.startswith("tables/")} >= {
        "findings", "assets", "runs", "tag_plan", "tag_results", "reports",
    }  # fmt: skip
    blobs = {**written, "stdout": stdout.encode(), "stderr (logs)": stderr.encode()}
    assert find_leaks(canaries, blobs) == []


@pytest.mark.parametrize("name", ["asset_drilldown.ipynb", "estate_overview.ipynb", "residency_review.ipynb"])
def test_the_notebooks_run_on_the_demo_output(
    name: str, demo: tuple[Path, str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for variable, value in kernel_env(tmp_path, demo[0] / "tables").items():
        monkeypatch.setenv(variable, value)
    monkeypatch.delenv("PIISCAN_ASSET", raising=False)
    notebook = execute_notebook(NOTEBOOKS / name, tmp_path)
    assert printed(notebook)  # each prints its key figures; their values are asserted on a smaller estate
