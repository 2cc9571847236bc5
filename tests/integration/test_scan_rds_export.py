"""The scan job on an RDS snapshot export: each exported table is one asset named as the database table.

The export is SYNTHETIC: its layout and metadata keys follow what AWS writes (see
/work/shared/reference/aws-formats.md section 1: export_info / export_tables_info files, batch folders with
gaps in the partition numbering, the older naming, _SUCCESS markers, gzip Parquet), every value is invented.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from pyspark.sql import SparkSession

from jobs.config import load_config
from jobs.scan import ScanRequest, ScanResult, run_scan
from tests.helpers import delta_frame

RUN_ID = "run-rds-1"
CLOCK = datetime(2026, 2, 3, 4, 5, 6, tzinfo=UTC)
SAMPLING = "rows_per_object=10000;bytes_per_object=67108864;objects_per_dataset=20;row_groups_per_object=4"
EXPORT_ID = "export-shop-20260201"
EMAILS = ("ana.lima@example.com", "ben.kowalski@example.org", "chen.wei@example.net", "dora.fox@example.com")
CARDS = ("4111111111111111", "5555555555554444", "4012888888881881", "6011111111111117")
LEGACY_EMAILS = ("old.one@example.org", "old.two@example.net")
CANARIES = (*EMAILS, *CARDS, *LEGACY_EMAILS)


def _mapping(column: str, original: str, exported: str) -> dict[str, Any]:
    return {"columnName": column, "originalType": original, "expectedExportedType": exported,
            "originalCharMaxLength": 0, "originalNumPrecision": 0, "originalDateTimePrecision": 0}  # fmt: skip


def _status(target: str, status: str, mappings: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "tableStatistics": {"extractionStartTime": "2026-02-01T01:00:00Z", "extractionEndTime": "2026-02-01T01:02:00Z",
                            "partitioningInfo": {"numberOfPartitions": 3, "numberOfCompletedPartitions": 3}},
        "schemaMetadata": {"originalTypeMappings": mappings},
        "status": status,
        "sizeGB": 0.0,
        "target": target,
    }  # fmt: skip


def _parquet(path: Path, columns: dict[str, list[Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table(columns), path, compression="gzip")


def write_export(source: Path) -> Path:
    """A PostgreSQL database ``shop`` and a MySQL-style database ``legacy`` exported by one task; returns the root."""
    root = source / EXPORT_ID
    root.mkdir(parents=True)
    (root / f"export_info_{EXPORT_ID}.json").write_text(
        json.dumps(
            {
                "exportTaskIdentifier": EXPORT_ID,
                "status": "COMPLETE",
                "percentProgress": 100,
                "s3Bucket": "example-bucket",
                "exportOnly": [],
                "totalExportedDataInGB": 0.0,
            }
        )
    )
    customers = [
        _mapping("id", "bigint", "int64"),
        _mapping("email", "character varying", "string"),
        _mapping("card_number", "character varying", "string"),
        _mapping("signup_at", "timestamp with time zone", "string"),
        _mapping("tier", "text", "string"),
    ]
    (root / f"export_tables_info_{EXPORT_ID}_from_1_to_2.json").write_text(
        json.dumps(
            {
                "perTableStatus": [
                    _status("shop.public.customers", "COMPLETE", customers),
                    {**_status("shop.public.audit_log", "FAILED", []), "sizeGB": 1.5},
                ]
            }
        )
    )
    (root / f"export_tables_info_{EXPORT_ID}_from_3_to_3.json").write_text(
        json.dumps(
            {
                "perTableStatus": [
                    _status(
                        "legacy.accounts",
                        "COMPLETE",
                        [_mapping("account_id", "int", "int32"), _mapping("contact_email", "varchar", "string")],
                    ),
                    {"warningMessage": "Unlogged tables were skipped", "target": "shop"},
                ]
            }
        )
    )
    table = root / "shop" / "public.customers"

    def customers_part(path: str, rows: range) -> None:
        _parquet(
            table / path,
            {
                "id": [1000 + i for i in rows],
                "email": [EMAILS[i] for i in rows],
                "card_number": [CARDS[i] for i in rows],
                "signup_at": [f"2025-0{i + 1}-0{i + 1} 10:00:00+00" for i in rows],
                "tier": [("gold", "silver", "bronze", "silver")[i] for i in rows],
            },
        )

    # batch 1 has partitions 0 and 2 (partition 1 was an empty range: no file), batch 2 one partition
    customers_part("1/part-00000-3f1c2a9e-6b1d-4c55-9a0e-0d6c7e1b2a01-c000.gz.parquet", range(0, 2))
    customers_part("1/part-00002-3f1c2a9e-6b1d-4c55-9a0e-0d6c7e1b2a01-c000.gz.parquet", range(2, 3))
    customers_part("2/part-00000-8e2d4b7a-1c3f-4e9b-8a6d-5f0e2c1b3d02-c000.gz.parquet", range(3, 4))
    (table / "1" / "_SUCCESS").write_bytes(b"")
    # the older naming: parts directly in a MySQL-style table folder
    _parquet(
        root / "legacy" / "legacy.accounts" / "part-00000-b7c9d1e3-2f4a-4b6c-8d0e-1a3c5e7f9b03.gz.parquet",
        {"account_id": [1, 2], "contact_email": list(LEGACY_EMAILS)},
    )
    return root


@pytest.fixture(scope="module")
def scanned(spark: SparkSession, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, ScanResult]:
    base = tmp_path_factory.mktemp("rds-scan")
    root = write_export(base / "exports")
    output = base / "out"
    request = ScanRequest((str(base / "exports"),), str(output), load_config(), RUN_ID)
    return root, output, run_scan(spark, request, clock=lambda: CLOCK)


def _finding(asset: str, table: str, column: str, column_type: str, entity: str, **values: object) -> dict[str, Any]:
    return {
        "finding_id": hashlib.sha256(f"{RUN_ID}|{asset}|{column}|{entity}".encode()).hexdigest()[:32],
        "source_kind": "rds_export",
        "asset": asset,
        "region": None,
        "column": column,
        "level": "column",
        "entity_type": entity,
        **values,
        "presidio_score": None,
        "sampling": SAMPLING,
        "table_name": table,
        "column_type": column_type,
    }


def test_findings_rows_name_the_database_table_and_column_type(
    spark: SparkSession, scanned: tuple[Path, Path, ScanResult]
) -> None:
    root, output, _ = scanned
    customers = f"file://{root}/shop/public.customers/"
    legacy = f"file://{root}/legacy/legacy.accounts/"
    email = {
        "match_ratio": 1.0, "validator_pass_rate": 1.0, "confidence": 1.0, "decision": "auto_tag",
        "sensitivity": "medium", "jurisdiction": "GLOBAL", "frameworks": ["GDPR", "CCPA"],
    }  # fmt: skip
    expected = [
        # 4 e-mails over 3 files in 2 batch folders: 0.9 * 1.0 + hint 0.3 + validator 0.2 -> 1.0
        _finding(customers, "shop.public.customers", "email", "character varying", "EMAIL_ADDRESS",
                 occurrences=4, rows_scanned=4, values_scanned=4, matched_values=4, distinct_values=4, **email,
                 samples_masked=["a***@example.com", "b***@example.org", "c***@example.net"],
                 detectors=["pattern:EMAIL_ADDRESS.email", "validator:email", "column_hint:email"],
                 objects_scanned=3),
        # bare 16 digits, all Luhn-valid: 0.4 * 1.0 + hint 0.3 + validator 0.2 = 0.9
        _finding(customers, "shop.public.customers", "card_number", "character varying", "CREDIT_CARD",
                 occurrences=4, rows_scanned=4, values_scanned=4, matched_values=4, distinct_values=4,
                 match_ratio=1.0, validator_pass_rate=1.0, confidence=0.9, decision="auto_tag", sensitivity="high",
                 jurisdiction="GLOBAL", frameworks=["PCI_DSS", "GLBA", "GDPR", "CCPA"],
                 samples_masked=["****-****-****-1111", "****-****-****-1117", "****-****-****-1881"],
                 detectors=["pattern:CREDIT_CARD.bare_digits", "validator:credit_card", "column_hint:card_number"],
                 objects_scanned=3),
        # one file in the older naming is still reported under its table folder
        _finding(legacy, "legacy.accounts", "contact_email", "varchar", "EMAIL_ADDRESS",
                 occurrences=2, rows_scanned=2, values_scanned=2, matched_values=2, distinct_values=2, **email,
                 samples_masked=["o***@example.net", "o***@example.org"],
                 detectors=["pattern:EMAIL_ADDRESS.email", "validator:email", "column_hint:contact_email"],
                 objects_scanned=1),
    ]  # fmt: skip
    columns = list(expected[0])
    actual = delta_frame(spark, str(output / "findings"))
    rows = [row.asDict() for row in actual.select(*columns).collect()]
    assert sorted(rows, key=lambda r: (r["asset"], r["column"])) == sorted(
        expected, key=lambda r: (r["asset"], r["column"])
    )
    assert {(r["run_id"], r["scanned_at"]) for r in actual.select("run_id", "scanned_at").collect()} == {
        (RUN_ID, CLOCK.replace(tzinfo=None))
    }


def test_assets_rows_cover_metadata_failed_tables_warnings_and_data_files(
    spark: SparkSession, scanned: tuple[Path, Path, ScanResult]
) -> None:
    root, output, _ = scanned
    base = f"file://{root}/"
    customers, legacy = f"{base}shop/public.customers/", f"{base}legacy/legacy.accounts/"
    columns = ["id", "email", "card_number", "signup_at", "tier"]

    def asset(
        path: str,
        dataset: str | None,
        table: str | None,
        fmt: str | None,
        rows: int,
        cols: list[str] | None,
        status: str,
        reason: str | None,
    ) -> dict[str, Any]:
        return {"asset": f"{base}{path}", "dataset": dataset, "table_name": table, "source_kind": "rds_export",
                "region": None, "format": fmt, "compression": None, "rows_scanned": rows, "sampled": False,
                "columns": cols, "status": status, "reason": reason}  # fmt: skip

    expected = [
        asset(f"export_info_{EXPORT_ID}.json", None, None, "jsonl", 0, None, "skipped", "RDS export metadata"),
        asset(f"export_tables_info_{EXPORT_ID}_from_1_to_2.json", None, None, "jsonl", 0, None, "skipped",
              "RDS export metadata"),
        asset(f"export_tables_info_{EXPORT_ID}_from_3_to_3.json", None, None, "jsonl", 0, None, "skipped",
              "RDS export metadata"),
        asset("shop/public.audit_log/", None, "shop.public.audit_log", None, 0, None, "error",
              "RDS export: table shop.public.audit_log has status FAILED in export_tables_info"),
        asset("shop/", None, None, None, 0, None, "skipped",
              "RDS export: warning for database shop: Unlogged tables were skipped"),
        asset("shop/public.customers/1/_SUCCESS", None, "shop.public.customers", None, 0, None, "skipped",
              "empty object"),
        asset("shop/public.customers/1/part-00000-3f1c2a9e-6b1d-4c55-9a0e-0d6c7e1b2a01-c000.gz.parquet", customers,
              "shop.public.customers", "parquet", 2, columns, "scanned", None),
        asset("shop/public.customers/1/part-00002-3f1c2a9e-6b1d-4c55-9a0e-0d6c7e1b2a01-c000.gz.parquet", customers,
              "shop.public.customers", "parquet", 1, columns, "scanned", None),
        asset("shop/public.customers/2/part-00000-8e2d4b7a-1c3f-4e9b-8a6d-5f0e2c1b3d02-c000.gz.parquet", customers,
              "shop.public.customers", "parquet", 1, columns, "scanned", None),
        asset("legacy/legacy.accounts/part-00000-b7c9d1e3-2f4a-4b6c-8d0e-1a3c5e7f9b03.gz.parquet", legacy,
              "legacy.accounts", "parquet", 2, ["account_id", "contact_email"], "scanned", None),
    ]  # fmt: skip
    actual = delta_frame(spark, str(output / "assets"))
    rows = [row.asDict() for row in actual.select(*expected[0]).collect()]
    assert sorted(rows, key=lambda r: r["asset"]) == sorted(expected, key=lambda r: r["asset"])


def test_run_counts_and_a_failed_table_marks_the_run(scanned: tuple[Path, Path, ScanResult]) -> None:
    _, _, result = scanned
    assert (
        result.status,
        result.objects_listed,
        result.objects_scanned,
        result.objects_skipped,
        result.objects_failed,
        result.rows_scanned,
        result.findings,
    ) == ("succeeded_with_errors", 8, 4, 5, 1, 6, 3)


def test_no_exported_value_is_written_in_clear(scanned: tuple[Path, Path, ScanResult]) -> None:
    _, output, _ = scanned
    written = b"".join(p.read_bytes() for p in output.rglob("*") if p.is_file())
    assert [c for c in CANARIES if c.encode() in written] == []


def test_an_export_on_s3_is_recognised_and_its_metadata_read(s3_endpoint: str, tmp_path: Path) -> None:
    import boto3

    from jobs.config import Sampling
    from jobs.planner import plan_scan

    root = write_export(tmp_path / "exports")
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    client.create_bucket(Bucket="rds-exports")
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        client.upload_file(str(path), "rds-exports", f"snapshots/{EXPORT_ID}/{path.relative_to(root)}")
    plan = plan_scan(["s3://rds-exports/snapshots/"], Sampling())
    base = f"s3://rds-exports/snapshots/{EXPORT_ID}/"
    assert sorted({(p.dataset, p.source_kind, p.table_name) for p in plan.objects}) == [
        (f"{base}legacy/legacy.accounts/", "rds_export", "legacy.accounts"),
        (f"{base}shop/public.customers/", "rds_export", "shop.public.customers"),
    ]
    assert plan.column_types[(f"{base}shop/public.customers/", "signup_at")] == "timestamp with time zone"
    assert [(p.uri, p.status) for p in plan.export_problems] == [
        (f"{base}shop/public.audit_log/", "error"),
        (f"{base}shop/", "skipped"),
    ]
    assert {p.reason for p in plan.skipped if p.uri.endswith(".json")} == {"RDS export metadata"}
