"""Incremental runs on a local folder: unchanged objects are not read again and keep their findings current."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from deltalake import DeltaTable
from pyspark.sql import SparkSession

from jobs.config import load_config
from jobs.current import current_findings, current_objects
from jobs.history import finding_id
from jobs.scan import ScanRequest, ScanResult, run_scan
from tests.integration.small_estate import write_small_estate

CLOCK = datetime(2026, 3, 1, tzinfo=UTC)
RUN_COLUMNS = ("finding_id", "run_id", "scanned_at", "carried_from_run")


@pytest.fixture(scope="module")
def runs(spark: SparkSession, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, ScanResult]]:
    """Run 1 reads everything; a log line and a customers partition are added; runs 2 and 3 are incremental,
    run 4 a full rescan, run 5 incremental with another configuration."""
    base = tmp_path_factory.mktemp("incremental")
    source = write_small_estate(base / "src")
    output = base / "out"
    config = load_config()
    results: dict[str, ScanResult] = {}

    def scan(run_id: str, day: int, **options: Any) -> None:
        request = ScanRequest((str(source),), str(output), options.pop("config", config), run_id, **options)
        results[run_id] = run_scan(spark, request, clock=lambda: CLOCK + timedelta(days=day))

    scan("inc-1", 1)
    log = source / "logs" / "app.log"
    log.write_text(log.read_text() + "2024-06-02T09:00:00Z INFO mail sent to carol.white@example.com\n")
    added = source / "crm" / "customers" / "region=eu" / "part-2.csv"
    added.write_text("id,email,phone,notes\n1001234570,dan.brown@example.com,+44 20 7946 0960,\n")
    for path in (log, added):  # a later mtime than the first run saw, whatever the file system's resolution
        os.utime(path, (path.stat().st_atime, path.stat().st_mtime + 10))
    scan("inc-2", 2)
    scan("inc-3", 3)
    scan("inc-4", 4, full_rescan=True)
    scan("inc-5", 5, config=config.with_section("scoring", {"min_confidence": 0.55}))
    return source, output, results


def _rows(output: Path, table: str, run_id: str) -> list[dict[str, Any]]:
    data = DeltaTable(str(output / table)).to_pyarrow_table()
    return _sorted([row for row in data.to_pylist() if row["run_id"] == run_id])


def _statuses(output: Path, run_id: str, source: Path) -> list[tuple[str, str, str | None, int]]:
    return [
        (r["asset"].removeprefix(f"file://{source}/"), r["status"], r["carried_from_run"], r["rows_scanned"])
        for r in _rows(output, "assets", run_id)
    ]


def _content(row: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in row.items() if key not in RUN_COLUMNS}


def test_changed_objects_are_read_and_unchanged_ones_carried(runs: tuple[Path, Path, dict[str, ScanResult]]) -> None:
    source, output, results = runs
    assert _statuses(output, "inc-2", source) == [
        ("clean/logo.png", "skipped", None, 0),
        ("clean/metrics.csv", "unchanged", "inc-1", 0),
        ("crm/customers/region=eu/part-0.csv", "scanned", None, 2),
        ("crm/customers/region=eu/part-2.csv", "scanned", None, 1),
        ("crm/customers/region=us/part-1.csv", "scanned", None, 1),
        ("logs/app.log", "scanned", None, 5),
        ("payments/cards.parquet", "unchanged", "inc-1", 0),
    ]
    (cards,) = [r for r in _rows(output, "assets", "inc-2") if r["asset"].endswith("cards.parquet")]
    assert cards["reason"] == (
        "unchanged since run inc-1 (same size and modification time); its findings are carried forward"
    )
    assert (cards["format"], cards["columns"], cards["sampling"]) == ("parquet", ["card", "amount"], "full")
    assert (results["inc-2"].objects_unchanged, results["inc-2"].findings_carried) == (2, 1)


def test_carried_findings_equal_the_findings_of_the_run_that_read_them(
    runs: tuple[Path, Path, dict[str, ScanResult]],
) -> None:
    _, output, _ = runs
    first = {(r["asset"], r["column"], r["entity_type"]): r for r in _rows(output, "findings", "inc-1")}
    carried = [r for r in _rows(output, "findings", "inc-2") if r["carried_from_run"] is not None]
    assert [(r["asset"].rsplit("/", 1)[-1], r["column"], r["entity_type"]) for r in carried] == [
        ("cards.parquet", "card", "CREDIT_CARD")
    ]
    for row in carried:
        original = first[(row["asset"], row["column"], row["entity_type"])]
        assert _content(row) == _content(original)
        assert row["carried_from_run"] == "inc-1"
        assert row["finding_id"] == finding_id("inc-2", row["asset"], row["column"], row["entity_type"])
        assert row["scanned_at"] == CLOCK + timedelta(days=2)


def test_changed_assets_get_fresh_findings(runs: tuple[Path, Path, dict[str, ScanResult]]) -> None:
    source, output, _ = runs
    fresh = [r for r in _rows(output, "findings", "inc-2") if r["carried_from_run"] is None]
    assert [
        (r["asset"].removeprefix(f"file://{source}/"), r["column"], r["entity_type"], r["matched_values"])
        for r in fresh
    ] == [
        ("crm/customers/", "email", "EMAIL_ADDRESS", 4),
        ("crm/customers/", "phone", "PHONE_NUMBER", 4),
        ("logs/app.log", None, "AWS_ACCESS_KEY", 1),
        ("logs/app.log", None, "EMAIL_ADDRESS", 1),
        ("logs/app.log", None, "IP_ADDRESS", 2),
    ]


def test_a_run_without_changes_reads_nothing_and_keeps_every_finding(
    runs: tuple[Path, Path, dict[str, ScanResult]],
) -> None:
    source, output, results = runs
    assert _statuses(output, "inc-3", source) == [
        ("clean/logo.png", "skipped", None, 0),
        ("clean/metrics.csv", "unchanged", "inc-1", 0),
        ("crm/customers/region=eu/part-0.csv", "unchanged", "inc-2", 0),
        ("crm/customers/region=eu/part-2.csv", "unchanged", "inc-2", 0),
        ("crm/customers/region=us/part-1.csv", "unchanged", "inc-2", 0),
        ("logs/app.log", "unchanged", "inc-2", 0),
        ("payments/cards.parquet", "unchanged", "inc-1", 0),
    ]
    second, third = _rows(output, "findings", "inc-2"), _rows(output, "findings", "inc-3")
    assert [_content(r) for r in third] == [_content(r) for r in second]
    assert [r["carried_from_run"] for r in third] == [r["carried_from_run"] or "inc-2" for r in second]
    assert (results["inc-3"].objects_scanned, results["inc-3"].findings, results["inc-3"].findings_carried) == (
        0,
        len(second),
        len(second),
    )


def test_a_full_rescan_reads_everything_again_with_the_same_findings(
    runs: tuple[Path, Path, dict[str, ScanResult]],
) -> None:
    source, output, results = runs
    assert [status for _, status, _, _ in _statuses(output, "inc-4", source)] == ["skipped"] + ["scanned"] * 6
    fourth = _rows(output, "findings", "inc-4")
    assert all(r["carried_from_run"] is None for r in fourth)
    assert [_content(r) for r in fourth] == [_content(r) for r in _rows(output, "findings", "inc-3")]
    assert results["inc-4"].objects_unchanged == 0
    (runs_row,) = _rows_of_runs(output, "inc-4")
    assert (runs_row["scan_mode"], runs_row["objects_unchanged"], runs_row["findings_carried"]) == ("full_rescan", 0, 0)


def test_another_configuration_does_not_reuse_earlier_findings(
    runs: tuple[Path, Path, dict[str, ScanResult]],
) -> None:
    source, output, results = runs
    assert [status for _, status, _, _ in _statuses(output, "inc-5", source)] == ["skipped"] + ["scanned"] * 6
    assert (results["inc-5"].objects_unchanged, results["inc-5"].findings_carried) == (0, 0)
    (runs_row,) = _rows_of_runs(output, "inc-5")
    assert (runs_row["scan_mode"], runs_row["objects_unchanged"]) == ("incremental", 0)


def _rows_of_runs(output: Path, run_id: str) -> list[dict[str, Any]]:
    return [r for r in DeltaTable(str(output / "runs")).to_pyarrow_table().to_pylist() if r["run_id"] == run_id]


def test_current_findings_are_those_of_each_assets_latest_run(runs: tuple[Path, Path, dict[str, ScanResult]]) -> None:
    source, output, _ = runs
    assert _sorted(current_findings(str(output)).to_pylist()) == _rows(output, "findings", "inc-5")
    assert [
        (r["object_uri"].removeprefix(f"file://{source}/"), r["run_id"])
        for r in current_objects(str(output)).to_pylist()
    ] == [
        ("clean/metrics.csv", "inc-5"),
        ("crm/customers/region=eu/part-0.csv", "inc-5"),
        ("crm/customers/region=eu/part-2.csv", "inc-5"),
        ("crm/customers/region=us/part-1.csv", "inc-5"),
        ("logs/app.log", "inc-5"),
        ("payments/cards.parquet", "inc-5"),
    ]


def _sorted(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda r: (r["asset"], r.get("column") or "", r.get("entity_type") or ""))
