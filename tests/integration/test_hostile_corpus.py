"""Issue 9, "Bad input": every hostile object of tests/hostile_corpus.py in ONE scan run over the local S3 endpoint.

Each object must end as exactly one assets row with the expected status and reason (or as findings where its
content is readable), the run must finish and commit, and no planted value may appear in any written file. One
object is deleted and one rewritten between planning and reading, as happens in a live bucket.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

import boto3
import pytest
from pyspark.sql import SparkSession

import jobs.scan
from jobs.config import load_config
from jobs.planner import Plan
from jobs.planner import plan_scan as real_plan_scan
from jobs.scan import ScanRequest, ScanResult, run_scan
from tests.helpers import delta_frame
from tests.hostile_corpus import CANARIES, CASES, CHANGED, CHANGED_TO, DELETED, Case
from tests.secrecy import files_under, find_leaks

BUCKET = "hostile-corpus"
RUN_ID = "run-hostile-1"
CLOCK = datetime(2026, 12, 1, 9, 0, 0, tzinfo=UTC)
ALL = [*CASES, DELETED, CHANGED]


def _uri(case: Case) -> str:
    return f"s3://{BUCKET}/{case.key}"


@pytest.fixture(scope="module")
def scanned(spark: SparkSession, s3_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ScanResult]:
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    for case in ALL:
        extra = {"StorageClass": case.storage_class} if case.storage_class else {}
        s3.put_object(Bucket=BUCKET, Key=case.key, Body=case.data, **extra)  # type: ignore[arg-type]

    def plan_then_race(*args: object, **kwargs: object) -> Plan:
        # The listing is done and the plan made; the bucket changes before any Spark task reads it.
        plan = real_plan_scan(*args, **kwargs)  # type: ignore[arg-type]
        if any(o.uri == _uri(DELETED) for o in plan.objects):
            s3.delete_object(Bucket=BUCKET, Key=DELETED.key)
            s3.put_object(Bucket=BUCKET, Key=CHANGED.key, Body=CHANGED_TO)
        return plan

    output = tmp_path_factory.mktemp("hostile") / "tables"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(jobs.scan, "plan_scan", plan_then_race)
        result = run_scan(
            spark, ScanRequest((f"s3://{BUCKET}/",), str(output), load_config(), RUN_ID), clock=lambda: CLOCK
        )
    return output, result


def _by_status(cases: Iterable[Case], status: str) -> int:
    return sum(1 for case in cases if case.status == status)


def test_every_object_ends_as_one_assets_row_with_its_status_and_reason(
    spark: SparkSession, scanned: tuple[Path, ScanResult]
) -> None:
    output, _ = scanned
    rows = delta_frame(spark, str(output / "assets")).collect()
    actual = sorted((r["asset"], r["status"], r["reason"]) for r in rows)
    assert actual == sorted((_uri(case), case.status, case.reason) for case in ALL)
    assert {r["run_id"] for r in rows} == {RUN_ID}


def test_the_run_finishes_and_commits_with_every_object_counted(
    spark: SparkSession, scanned: tuple[Path, ScanResult]
) -> None:
    output, result = scanned
    (run,) = delta_frame(spark, str(output / "runs")).collect()
    counts = (_by_status(ALL, "scanned"), _by_status(ALL, "skipped"), _by_status(ALL, "error"))
    assert (
        run["run_id"],
        run["status"],
        run["objects_listed"],
        run["objects_scanned"],
        run["objects_skipped"],
        run["objects_failed"],
        run["findings"],
    ) == (RUN_ID, "succeeded_with_errors", len(ALL), *counts, sum(len(case.findings) for case in ALL))
    assert (result.status, result.objects_scanned, result.objects_skipped, result.objects_failed) == (
        "succeeded_with_errors",
        *counts,
    )


def test_readable_content_becomes_findings(spark: SparkSession, scanned: tuple[Path, ScanResult]) -> None:
    output, _ = scanned
    found = {
        (r["asset"], r["column"], r["entity_type"]) for r in delta_frame(spark, str(output / "findings")).collect()
    }
    assert found == {(_uri(case), column, entity) for case in ALL for column, entity in case.findings}


def test_no_planted_value_appears_in_any_written_file(scanned: tuple[Path, ScanResult]) -> None:
    output, _ = scanned
    assert find_leaks(CANARIES, files_under(output)) == []  # in clear or encoded
