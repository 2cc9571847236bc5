"""Rejected findings are suppressions: later scans of the output neither read nor carry them into the tables."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from deltalake import DeltaTable
from pyspark.sql import SparkSession

from jobs import review
from jobs.config import load_config
from jobs.history import finding_id
from jobs.scan import ScanRequest, ScanResult, format_summary, run_scan
from tests.integration.small_estate import write_small_estate

CLOCK = datetime(2026, 5, 1, tzinfo=UTC)
REJECTED = [("crm/customers/", "phone", "PHONE_NUMBER"), ("logs/app.log", None, "IP_ADDRESS")]


@pytest.fixture(scope="module")
def runs(spark: SparkSession, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, ScanResult]]:
    """Run 1 reads everything; a reviewer rejects three findings and approves one; the customers and the log
    change; run 2 is incremental (reads those two, carries the rest); run 3 a full rescan."""
    base = tmp_path_factory.mktemp("suppressions")
    source = write_small_estate(base / "src")
    output = base / "out"
    config = load_config()
    results: dict[str, ScanResult] = {}

    def scan(run_id: str, day: int, **options: Any) -> None:
        request = ScanRequest((str(source),), str(output), config, run_id, **options)
        results[run_id] = run_scan(spark, request, clock=lambda: CLOCK + timedelta(days=day))

    scan("sup-1", 1)
    prefix = f"file://{source}/"
    ids = [finding_id("sup-1", prefix + asset, column, entity) for asset, column, entity in REJECTED]
    assert review.main(["--output", str(output), "reject", *ids, "--reviewer", "ana", "--note", "test data"]) == 0
    card = ["--asset", prefix + "payments/cards.parquet", "--column", "card", "--entity", "CREDIT_CARD"]
    assert review.main(["--output", str(output), "reject", *card, "--reviewer", "ana"]) == 0
    email = ["--asset", prefix + "crm/customers/", "--column", "email", "--entity", "EMAIL_ADDRESS"]
    assert review.main(["--output", str(output), "approve", *email, "--reviewer", "bo"]) == 0

    log = source / "logs" / "app.log"
    log.write_text(log.read_text() + "2024-06-02T09:00:00Z INFO GET /logout from ip 192.0.2.44\n")
    added = source / "crm" / "customers" / "region=eu" / "part-2.csv"
    added.write_text("id,email,phone,notes\n1001234570,dan.brown@example.com,+44 20 7946 0960,\n")
    for path in (log, added):  # a later mtime than the first run saw, whatever the file system's resolution
        os.utime(path, (path.stat().st_atime, path.stat().st_mtime + 10))
    scan("sup-2", 2)
    scan("sup-3", 3, full_rescan=True)
    return source, output, results


def _findings(source: Path, output: Path, run_id: str) -> list[tuple[str, str | None, str, str | None]]:
    rows = [r for r in DeltaTable(str(output / "findings")).to_pyarrow_table().to_pylist() if r["run_id"] == run_id]
    return sorted(
        (r["asset"].removeprefix(f"file://{source}/"), r["column"], r["entity_type"], r["carried_from_run"])
        for r in rows
    )


def _runs_row(output: Path, run_id: str) -> dict[str, Any]:
    rows: list[dict[str, Any]] = DeltaTable(str(output / "runs")).to_pyarrow_table().to_pylist()
    (row,) = [r for r in rows if r["run_id"] == run_id]
    return row


def test_the_first_run_reports_everything(runs: tuple[Path, Path, dict[str, ScanResult]]) -> None:
    source, output, results = runs
    assert _findings(source, output, "sup-1") == [
        ("crm/customers/", "email", "EMAIL_ADDRESS", None),
        ("crm/customers/", "phone", "PHONE_NUMBER", None),
        ("logs/app.log", None, "AWS_ACCESS_KEY", None),
        ("logs/app.log", None, "IP_ADDRESS", None),
        ("payments/cards.parquet", "card", "CREDIT_CARD", None),
    ]
    assert _runs_row(output, "sup-1")["findings_suppressed"] == 0
    assert "suppressed" not in format_summary(results["sup-1"])


def test_rejected_keys_are_suppressed_whether_read_or_carried(runs: tuple[Path, Path, dict[str, ScanResult]]) -> None:
    source, output, results = runs
    # read again: the customers (column finding) and the log (object-level finding, null column); carried: cards
    assert _findings(source, output, "sup-2") == [
        ("crm/customers/", "email", "EMAIL_ADDRESS", None),
        ("logs/app.log", None, "AWS_ACCESS_KEY", None),
    ]
    row = _runs_row(output, "sup-2")
    assert (row["findings"], row["findings_carried"], row["findings_suppressed"], row["objects_unchanged"]) == (
        2,
        0,
        3,
        2,
    )
    result = results["sup-2"]
    assert (result.findings, result.findings_suppressed, result.findings_by_entity) == (
        2,
        3,
        {"AWS_ACCESS_KEY": 1, "EMAIL_ADDRESS": 1},
    )
    assert "  suppressed: 3 finding(s) a reviewer rejected (not written)" in format_summary(result).splitlines()


def test_a_full_rescan_respects_suppressions_too(runs: tuple[Path, Path, dict[str, ScanResult]]) -> None:
    source, output, _ = runs
    assert _findings(source, output, "sup-3") == _findings(source, output, "sup-2")
    row = _runs_row(output, "sup-3")
    assert (row["findings"], row["findings_carried"], row["findings_suppressed"], row["scan_mode"]) == (
        2,
        0,
        3,
        "full_rescan",
    )


def test_decisions_stay_traceable_and_approved_findings_are_current(
    runs: tuple[Path, Path, dict[str, ScanResult]],
) -> None:
    source, output, _ = runs
    prefix = f"file://{source}/"
    latest = review.decisions(str(output)).to_pylist()
    assert [
        (r["asset"].removeprefix(prefix), r["column"], r["entity_type"], r["decision"], r["reviewer"]) for r in latest
    ] == [
        ("crm/customers/", "email", "EMAIL_ADDRESS", "approved", "bo"),
        ("crm/customers/", "phone", "PHONE_NUMBER", "rejected", "ana"),
        ("logs/app.log", None, "IP_ADDRESS", "rejected", "ana"),
        ("payments/cards.parquet", "card", "CREDIT_CARD", "rejected", "ana"),
    ]
    assert [r["finding_id"] for r in latest] == [
        finding_id("sup-1", prefix + "crm/customers/", "email", "EMAIL_ADDRESS"),
        finding_id("sup-1", prefix + "crm/customers/", "phone", "PHONE_NUMBER"),
        finding_id("sup-1", prefix + "logs/app.log", None, "IP_ADDRESS"),
        finding_id("sup-1", prefix + "payments/cards.parquet", "card", "CREDIT_CARD"),
    ]
    assert [(r["run_id"], r["entity_type"]) for r in review.approved(str(output)).to_pylist()] == [
        ("sup-3", "EMAIL_ADDRESS")
    ]
