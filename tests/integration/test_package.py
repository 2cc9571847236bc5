"""``make package``: the artifacts are built, and the jobs run from them as Glue and EMR run them.

The environment archive is unpacked into a fresh folder and its interpreter runs the packaged entry-point script
with an empty environment, except for what EMR itself provides: Spark (its ``pyspark.zip`` and py4j on
``PYTHONPATH``, ``SPARK_HOME``) and Java. Nothing from this checkout or its virtual environment is importable.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyspark
import pytest
from deltalake import DeltaTable

from tests.integration.small_estate import CANARIES, write_small_estate

ROOT = Path(__file__).resolve().parents[2]
GLUE_ARGS = [
    "--JOB_ID",
    "j_0123456789abcdef",
    "--JOB_RUN_ID",
    "jr_0123456789abcdef",
    "--JOB_NAME",
    "piiscan-scan",
    "--job-bookmark-option",
    "job-bookmark-disable",
    "--TempDir",
    "s3://aws-glue-assets-111122223333-eu-west-1/temporary/",
    "--enable-metrics",
    "true",
]
SCAN_SUMMARY = [
    "Run packaged-1: succeeded",
    "  objects: 6 listed, 5 scanned, 1 skipped, 0 failed, 0 unchanged",
    "  read: 11 rows, 25 values, 0.0 MB",
    "  findings: 5",
    "    AWS_ACCESS_KEY       1",
    "    CREDIT_CARD          1",
    "    EMAIL_ADDRESS        1",
    "    IP_ADDRESS           1",
    "    PHONE_NUMBER         1",
]


@dataclass(frozen=True)
class Packaged:
    dist: Path
    environment: Path  # the unpacked archive, as Spark unpacks spark.archives=...#environment


@pytest.fixture(scope="module")
def packaged(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Packaged]:
    dist = tmp_path_factory.mktemp("dist")
    done = subprocess.run(
        [sys.executable, "-m", "deploy.package", "--dist", str(dist)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    environment = tmp_path_factory.mktemp("emr") / "environment"
    with tarfile.open(dist / "piiscan-env.tar.gz") as tar:
        tar.extractall(environment, filter="tar")
    yield Packaged(dist, environment)
    shutil.rmtree(dist, ignore_errors=True)


def _emr_env(packaged: Packaged) -> dict[str, str]:
    """What EMR gives the job's Python: its Spark on PYTHONPATH and SPARK_HOME, Java, nothing of ours."""
    spark_home = Path(pyspark.__file__).parent
    libs = sorted(str(p) for p in (spark_home / "python" / "lib").glob("*.zip"))
    java = shutil.which("java")
    assert java is not None
    return {
        "PATH": f"{Path(java).resolve().parent}:/usr/bin:/bin",
        "HOME": str(packaged.environment.parent),
        "SPARK_HOME": str(spark_home),
        "PYTHONPATH": ":".join(libs),
        "PYSPARK_PYTHON": str(packaged.environment / "bin" / "python"),
        "SPARK_MASTER": "local[1]",
    }


def _run(packaged: Packaged, args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(packaged.environment / "bin" / "python"), *args],
        cwd=cwd,
        env=_emr_env(packaged),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_wheel_ships_the_jobs_their_configuration_and_sql(packaged: Packaged) -> None:
    (wheel,) = packaged.dist.glob("piiscan-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    data = sorted(n for n in names if not n.endswith(".py") and ".dist-info/" not in n)
    assert data == [
        "classifiers/py.typed",
        *[f"jobs/conf/{p.name}" for p in sorted((ROOT / "conf").glob("*.yaml"))],
        "jobs/py.typed",
        *[f"jobs/sql/athena/{p.name}" for p in sorted((ROOT / "sql" / "athena").glob("*.sql"))],
    ]
    assert sorted({n.split("/")[0] for n in names if n.endswith(".py")}) == ["bench", "classifiers", "demo", "jobs"]
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert zipfile.ZipFile(wheel).read(entry_points).decode().split() == [
        "[console_scripts]",
        "piiscan-athena-sql",
        "=",
        "jobs.athena_sql:main",
        "piiscan-coverage",
        "=",
        "jobs.coverage:main",
        "piiscan-report",
        "=",
        "jobs.report:main",
        "piiscan-review",
        "=",
        "jobs.review:main",
        "piiscan-scan",
        "=",
        "jobs.scan:main",
        "piiscan-tag",
        "=",
        "jobs.tag:main",
    ]


def test_the_dependency_lists_pin_what_the_archive_holds(packaged: Packaged) -> None:
    described = json.loads((packaged.dist / "piiscan-env.json").read_text())
    packages: dict[str, str] = described["packages"]
    assert not {"pyspark", "py4j"} & {name.lower() for name in packages}
    lock = (packaged.dist / "requirements-lock.txt").read_text().splitlines()
    assert lock[1:] == [f"{n}=={v}" for n, v in packages.items() if n != "piiscan"]
    modules = (packaged.dist / "glue" / "additional-python-modules.txt").read_text().strip().split(",")
    assert modules[0] == "s3://<ARTIFACTS_PATH>/piiscan-0.1.0-py3-none-any.whl"
    direct = ["pyarrow", "pandas", "deltalake", "PyYAML", "phonenumbers", "boto3", "zstandard", "Faker"]
    assert modules[1:] == [f"{name}=={packages[name]}" for name in direct]
    assert described["python"] == ".".join(map(str, sys.version_info[:3]))
    assert sorted(p.name for p in (packaged.dist / "scripts").iterdir()) == [
        "coverage.py",
        "report.py",
        "review.py",
        "scan.py",
        "tag.py",
    ]


def test_every_packaged_entry_point_parses_glue_arguments(packaged: Packaged, tmp_path: Path) -> None:
    """Inside the archive's interpreter: each job imports and accepts a Glue argument list."""
    probe = (
        "import sys, importlib\n"
        "for job, args in [('scan', ['--source', 's3://lake/raw/', '--output', 's3://f/p', '--config', 'scan.yaml']),"
        " ('tag', ['--output', 's3://f/p', '--config', 'tag.yaml', '--dry-run']),"
        " ('report', ['--output', 's3://f/p']),"
        " ('coverage', ['--output', 's3://f/p', '--source', 's3://*'])]:\n"
        "    module = importlib.import_module('jobs.' + job)\n"
        "    parsed = module.parse_args(args + sys.argv[1:])\n"
        "    print(job, module.__file__.startswith(sys.prefix), parsed.output)\n"
    )
    done = _run(packaged, ["-c", probe, *GLUE_ARGS], cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.splitlines() == [f"{job} True s3://f/p" for job in ("scan", "tag", "report", "coverage")]


def test_the_glue_script_scans_from_the_unpacked_archive(packaged: Packaged, tmp_path: Path) -> None:
    """The packaged scan.py with Glue's arguments and the shipped scan.yaml, as --extra-files puts it."""
    source = write_small_estate(tmp_path / "estate")
    output = tmp_path / "findings"
    workdir = tmp_path / "glue"
    workdir.mkdir()
    shutil.copy(packaged.dist / "scripts" / "scan.py", workdir / "scan.py")
    shutil.copy(packaged.dist / "conf" / "scan.yaml", workdir / "scan.yaml")
    args = ["--source", str(source), "--output", str(output), "--config", "scan.yaml", "--run-id", "packaged-1"]
    done = _run(packaged, ["scan.py", *GLUE_ARGS, *args], cwd=workdir)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    start = lines.index(SCAN_SUMMARY[0])
    text_analysis = lines[start + 3]
    assert text_analysis.startswith("  text analysis: Presidio off: presidio-analyzer is not installed")
    assert [*lines[start : start + 3], *lines[start + 4 : start + 4 + len(SCAN_SUMMARY) - 3]] == SCAN_SUMMARY
    assert DeltaTable(str(output / "findings")).to_pyarrow_table().num_rows == 5
    assert [c for c in CANARIES if c in done.stdout + done.stderr] == []
