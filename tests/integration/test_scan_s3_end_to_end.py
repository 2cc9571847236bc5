"""The scan job against s3:// URIs on the local S3 endpoint, over the demo's synthetic estate.

The findings must be exactly the planted columns (no miss, no false positive on the look-alike data), every
row must equal the reviewed golden file, and no planted value may appear in any file the scan wrote.
Regenerate the golden file after an intended change with ``UPDATE_GOLDEN=1 make test`` and review its diff.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from chispa import assert_df_equality
from pyspark.sql import SparkSession

from demo.estate import Estate, generate_estate, upload_estate
from jobs.config import load_config
from jobs.scan import ScanRequest, ScanResult, run_scan
from tests.helpers import delta_frame

RUN_ID = "run-s3-1"
CLOCK = datetime(2026, 11, 23, 12, 0, 0, tzinfo=UTC)
GOLDEN = Path(__file__).parent.parent / "golden" / "s3_estate_findings.json"
VOLATILE = ("run_id", "scanned_at", "finding_id")


@pytest.fixture(scope="module")
def scan(
    spark: SparkSession, s3_endpoint: str, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Estate, Path, ScanResult]:
    base = tmp_path_factory.mktemp("s3-scan")
    estate = generate_estate(base / "estate", seed=7, rows=60)
    buckets = upload_estate(estate, s3_endpoint)
    output = base / "tables"
    result = run_scan(spark, ScanRequest(tuple(buckets), str(output), load_config(), RUN_ID), clock=lambda: CLOCK)
    return estate, output, result


def test_findings_are_exactly_the_planted_columns(spark: SparkSession, scan: tuple[Estate, Path, ScanResult]) -> None:
    estate, output, _ = scan
    found = {
        (r["asset"], r["column"], r["entity_type"]) for r in delta_frame(spark, str(output / "findings")).collect()
    }
    planted = {(f"s3://{p.bucket}/{p.asset}", p.column, p.entity_type) for p in estate.planted}
    assert found == planted


def test_findings_rows_equal_the_golden_file(spark: SparkSession, scan: tuple[Estate, Path, ScanResult]) -> None:
    _, output, _ = scan
    actual = delta_frame(spark, str(output / "findings")).drop(*VOLATILE)
    rows = sorted(
        (r.asDict() for r in actual.collect()), key=lambda r: (r["asset"], r["column"] or "", r["entity_type"])
    )
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(json.dumps(rows, indent=1, sort_keys=True) + "\n")
    expected = spark.createDataFrame(json.loads(GOLDEN.read_text()), schema=actual.schema)
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_every_object_has_one_assets_row(spark: SparkSession, scan: tuple[Estate, Path, ScanResult]) -> None:
    estate, output, result = scan
    statuses = {
        r["asset"]: (r["status"], r["reason"], r["region"])
        for r in delta_frame(spark, str(output / "assets")).collect()
    }
    expected: dict[str, tuple[str, str | None, str]] = {
        f"s3://{bucket}/{key}": ("scanned", None, "us-east-1") for bucket, key in estate.objects()
    }
    expected["s3://acme-analytics-clean/images/logo.png"] = (
        "skipped",
        "unsupported format '.png' (image)",
        "us-east-1",
    )
    rds = "s3://acme-db-exports/rds/export-crm-20240601/"
    for metadata in ("export_info_export-crm-20240601.json", "export_tables_info_export-crm-20240601_from_1_to_2.json"):
        expected[rds + metadata] = ("skipped", "RDS export metadata", "us-east-1")
    expected[rds + "crmdb/public.customers/1/_SUCCESS"] = ("skipped", "empty object", "us-east-1")
    expected[rds + "crmdb/"] = (
        "skipped",
        "RDS export: warning for database crmdb: The table public.big_blobs was skipped: LOB too large",
        "us-east-1",
    )
    expected["s3://acme-db-exports/redshift/unload/orders_manifest"] = (
        "skipped",
        "Redshift UNLOAD manifest",
        "us-east-1",
    )
    assert statuses == expected
    # 21 objects listed; the skipped count also holds the export's warning for database crmdb (not an object)
    assert (result.objects_listed, result.objects_scanned, result.objects_skipped, result.objects_failed) == (
        21,
        16,
        6,
        0,
    )


def test_no_planted_value_appears_in_any_written_file(scan: tuple[Estate, Path, ScanResult]) -> None:
    estate, output, _ = scan
    written = b"".join(p.read_bytes() for p in output.rglob("*") if p.is_file())
    assert len(estate.canaries) > 500
    leaked = [c for c in estate.canaries if c.encode() in written]
    assert leaked == []
