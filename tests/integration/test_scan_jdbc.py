"""The scan job on a REAL PostgreSQL server over Spark's JDBC source: every findings and assets row asserted.

The cluster (tests/integration/postgres.py) is started for the session with SYNTHETIC tables: customers
(e-mail, phone, notes), payments (card numbers), clean (ids and amounts) and restricted (the scan user may
insert but not select). The tests skip, with the reason, when the server binaries or the driver jar are missing.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from chispa import assert_df_equality
from deltalake import DeltaTable
from pyspark.sql import SparkSession

from jobs.config import Jdbc, load_config
from jobs.jdbc_source import (
    TableAggregates,
    parse_source,
    plan_tables,
    resolve_credentials,
    table_aggregates,
    table_frame,
)
from jobs.logs import configure_logging
from jobs.scan import ScanRequest, ScanResult, run_scan
from jobs.scan_task import RunKeys
from jobs.tables import ASSETS
from tests.helpers import delta_frame, jdbc_finding
from tests.integration.postgres import PostgresCluster

RUN_ID = "run-jdbc-1"
CLOCK = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
VALUES = ("jane.doe@example.com", "7946 0958", "4111111111111111", "5555555555554444", "4012888888881881")


@pytest.fixture(scope="module")
def scanned(
    spark: SparkSession,
    postgres: PostgresCluster,
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, ScanResult, str]:
    output = tmp_path_factory.mktemp("jdbc-scan") / "out"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("PIISCAN_JDBC_PASSWORD", postgres.password)
        request = ScanRequest((postgres.source("shop", "scanner"),), str(output), load_config(), RUN_ID)
        result = run_scan(spark, request, clock=lambda: CLOCK)
    return output, result, f"jdbc:postgresql://127.0.0.1:{postgres.port}/shop"


def _finding(base: str, table: str, column: str, entity: str, column_type: str, **values: object) -> dict[str, object]:
    return jdbc_finding(
        RUN_ID, CLOCK, f"{base}/public.{table}", f"shop.public.{table}", column, entity, column_type, **values
    )


def test_findings_rows_are_exactly_the_hand_computed_ones(
    spark: SparkSession, scanned: tuple[Path, ScanResult, str]
) -> None:
    output, _, base = scanned
    expected = [
        # e-mail pattern 0.9 * strength 1.0 + hint 0.3 + validator 0.2 -> capped at 1.0
        _finding(
            base,
            "customers",
            "email",
            "EMAIL_ADDRESS",
            "character varying",
            confidence=1.0,
            sensitivity="medium",
            frameworks=["GDPR", "CCPA"],
            samples_masked=["a***@example.net", "j***@example.com", "m***@example.org"],
            detectors=["pattern:EMAIL_ADDRESS.email", "validator:email", "column_hint:email"],
        ),
        _finding(
            base,
            "customers",
            "phone",
            "PHONE_NUMBER",
            "text",
            confidence=1.0,
            sensitivity="medium",
            frameworks=["GDPR", "CCPA"],
            samples_masked=["(***) ***-**00", "+** ** **** **58", "+** ** **** **59"],
            detectors=[
                "pattern:PHONE_NUMBER.bracketed_area_code",
                "pattern:PHONE_NUMBER.international",
                "validator:phone_number",
                "column_hint:phone",
            ],
        ),
        # bare 16 digits: 0.4 * 1.0 + hint 0.3 + validator 0.2 = 0.9
        _finding(
            base,
            "payments",
            "card_number",
            "CREDIT_CARD",
            "character varying",
            confidence=0.9,
            sensitivity="high",
            frameworks=["PCI_DSS", "GLBA", "GDPR", "CCPA"],
            samples_masked=["****-****-****-1111", "****-****-****-1881", "****-****-****-4444"],
            detectors=["pattern:CREDIT_CARD.bare_digits", "validator:credit_card", "column_hint:card_number"],
        ),
    ]
    actual = delta_frame(spark, str(output / "findings"))
    assert_df_equality(
        actual, spark.createDataFrame(expected, schema=actual.schema), ignore_row_order=True, ignore_nullable=True
    )


def test_assets_rows_record_every_table_and_the_unreadable_one(
    spark: SparkSession, scanned: tuple[Path, ScanResult, str]
) -> None:
    output, _, base = scanned
    actual = delta_frame(spark, str(output / "assets")).drop("duration_ms")

    def asset(
        table: str, rows: int, nbytes: int, columns: list[str] | None, status: str, reason: str | None
    ) -> dict[str, Any]:
        return {
            "run_id": RUN_ID,
            "scanned_at": CLOCK.replace(tzinfo=None),
            "source_kind": "jdbc",
            "asset": f"{base}/public.{table}",
            "dataset": None,
            "region": None,
            "format": "table",
            "compression": None,
            "size_bytes": None,
            "last_modified": None,
            "rows_scanned": rows,
            "bytes_scanned": nbytes,
            "sampled": False,
            "columns": columns,
            "status": status,
            "reason": reason,
            "table_name": f"shop.public.{table}",
            # pg_stat_user_tables after the three INSERTed rows; an unreadable table has no marker (always retried)
            "change_marker": "pg_stat:ins=3,upd=0,del=0,live=3" if status == "scanned" else None,
        }

    expected = [
        # bytes: the UTF-8 text of every non-null value, e.g. clean: "1" "5001" "10.00" ... = 30 bytes
        asset("clean", 3, 30, ["id", "order_id", "amount"], "scanned", None),
        asset("customers", 3, 147, ["id", "email", "phone", "notes"], "scanned", None),
        asset("payments", 3, 68, ["payment_id", "card_number", "amount"], "scanned", None),
        asset("restricted", 0, 0, None, "error", "PSQLException: ERROR: permission denied for table restricted"),
    ]
    assert [f.name for f in actual.schema] == [n for n in ASSETS.names if n != "duration_ms"]
    actual = actual.select(*expected[0])  # the columns of incremental runs (carried_from_run ...) are tested there
    assert_df_equality(
        actual, spark.createDataFrame(expected, schema=actual.schema), ignore_row_order=True, ignore_nullable=True
    )


def test_runs_row_counts_tables_and_records_the_source_without_credentials(
    scanned: tuple[Path, ScanResult, str], postgres: PostgresCluster
) -> None:
    output, result, _ = scanned
    (run,) = DeltaTable(str(output / "runs")).to_pyarrow_table().to_pylist()
    assert {k: run[k] for k in ("status", "sources", "objects_listed", "objects_scanned", "objects_failed")} == {
        "status": "succeeded_with_errors",
        "sources": [f"jdbc:postgresql://127.0.0.1:{postgres.port}/shop?schema=public&user=scanner"],
        "objects_listed": 4,
        "objects_scanned": 3,
        "objects_failed": 1,
    }
    # non-empty cells: customers 3 ids + 3 e-mails + 3 phones + 2 notes, payments 3 x 3, clean 3 x 3
    assert (run["rows_scanned"], run["values_scanned"], run["findings"]) == (9, 29, 3)
    assert result.findings_by_entity == {"CREDIT_CARD": 1, "EMAIL_ADDRESS": 1, "PHONE_NUMBER": 1}


def test_neither_the_password_nor_a_value_is_written(
    scanned: tuple[Path, ScanResult, str], postgres: PostgresCluster
) -> None:
    output, result, _ = scanned
    written = b"".join(p.read_bytes() for p in output.rglob("*") if p.is_file())
    assert postgres.password.encode() not in written
    assert [v for v in VALUES if v.encode() in written] == []
    assert postgres.password not in repr(result)


def test_secret_tables_filter_sampling_and_failures(
    spark: SparkSession,
    postgres: PostgresCluster,
    s3_endpoint: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # The password comes from Secrets Manager on the local moto endpoint (AWS_ENDPOINT_URL points at it).
    secrets = boto3.client("secretsmanager", endpoint_url=s3_endpoint)
    secrets.create_secret(
        Name="piiscan/shop-scanner", SecretString=json.dumps({"username": "scanner", "password": postgres.password})
    )
    monkeypatch.setenv("WRONG_PASSWORD", "not-the-password")
    base = f"jdbc:postgresql://127.0.0.1:{postgres.port}/shop"
    sources = (
        f"{base}?schema=public&tables=customers,missing&secret_id=piiscan/shop-scanner",
        f"{base}?schema=public&user=scanner&password_env=WRONG_PASSWORD",
    )
    config = load_config().with_section("sampling", {"rows_per_object": 2})
    output = tmp_path / "out"
    # The job's own logging set-up: INFO, with py4j and botocore at WARNING (at DEBUG those two libraries log
    # every gateway command and HTTP response body, the JDBC options and the secret's value included).
    configure_logging()
    with caplog.at_level(logging.INFO):
        result = run_scan(spark, ScanRequest(sources, str(output), config, "run-jdbc-2"), clock=lambda: CLOCK)
    assets = DeltaTable(str(output / "assets")).to_pyarrow_table()
    rows = sorted(
        (r["asset"], r["status"], r["reason"], r["rows_scanned"], r["sampled"], r["format"])
        for r in assets.select(["asset", "status", "reason", "rows_scanned", "sampled", "format"]).to_pylist()
    )
    assert rows == [
        (
            f"{base}/public.customers",
            "scanned",
            None,
            2,  # rows_per_object: 2 of the 3 rows; the extra row fetched says the table has more
            True,
            "table",
        ),
        (
            f"{base}/public.missing",
            "error",
            "table public.missing not found, or no privilege on it for this user",
            0,
            False,
            "table",
        ),
        (
            f"{base}?schema=public&user=scanner&password_env=WRONG_PASSWORD",
            "error",
            'PSQLException: FATAL: password authentication failed for user "scanner"',
            0,
            False,
            "database",
        ),
    ]
    found = DeltaTable(str(output / "findings")).to_pyarrow_table().select(["column", "matched_values"]).to_pylist()
    assert sorted(found, key=lambda r: r["column"]) == [
        {"column": "email", "matched_values": 2},
        {"column": "phone", "matched_values": 2},
    ]
    (run,) = DeltaTable(str(output / "runs")).to_pyarrow_table().to_pylist()
    assert run["sources"] == [
        f"{base}?schema=public&tables=customers,missing&secret_id=piiscan/shop-scanner",
        f"{base}?schema=public&user=scanner&password_env=WRONG_PASSWORD",
    ]
    assert result.objects_failed == 2
    written = b"".join(p.read_bytes() for p in output.rglob("*") if p.is_file())
    for secret in (postgres.password, "not-the-password"):
        assert secret.encode() not in written
        assert secret not in caplog.text


def test_a_partitioned_full_read_finds_exactly_what_one_partition_finds(
    spark: SparkSession, postgres: PostgresCluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PIISCAN_JDBC_PASSWORD", postgres.password)
    single = postgres.source("shop", "scanner")
    ranged = f"{single}&partition_column=id"  # customers and clean have an integer id; payments has not
    source = parse_source(ranged)
    credentials = resolve_credentials(source)
    jdbc = Jdbc(partitions=3)
    # One query for both tables: restricted makes it fail, so they are asked one by one (restricted's own fails).
    bounds = table_aggregates(
        spark, source, credentials, jdbc, [("customers", None, "id"), ("restricted", None, "id"), ("clean", None, "id")]
    )
    assert bounds == {"customers": TableAggregates(None, "1", "3"), "clean": TableAggregates(None, "1", "3")}
    frame = table_frame(spark, source, credentials, jdbc, "customers", ["id", "email"], None, bounds["customers"])
    assert frame.rdd.getNumPartitions() == 2  # Spark makes at most upper - lower ranges: [1, 2) and [2, 3]
    assert sorted(tuple(r) for r in frame.collect()) == [
        ("1", "jane.doe@example.com"),
        ("2", "mark.lee@example.org"),
        ("3", "ana.lima@example.net"),
    ]

    config = load_config().with_full_scan().with_section("jdbc", {"partitions": 3})
    for name, uri in (("single", f"{single}&tables=customers"), ("ranged", f"{ranged}&tables=customers")):
        run_scan(spark, ScanRequest((uri,), str(tmp_path / name), config, "run-jdbc-part"), clock=lambda: CLOCK)
    for table in ("findings", "assets"):
        one, ranges = (delta_frame(spark, str(tmp_path / name / table)) for name in ("single", "ranged"))
        assert one.count() == (2 if table == "findings" else 1)  # e-mail and phone; the customers table
        assert_df_equality(
            ranges.drop("duration_ms"), one.drop("duration_ms"), ignore_row_order=True, ignore_nullable=True
        )


def _eventually(read: Callable[[], object], expected: object, timeout: float = 15.0) -> object:
    """``read()`` until it returns ``expected`` (table statistics reach the server asynchronously), else its last."""
    deadline = time.monotonic() + timeout
    while (value := read()) != expected and time.monotonic() < deadline:
        time.sleep(0.2)
    return value


def test_change_markers_follow_inserts_and_stay_put_without_changes(
    spark: SparkSession, postgres: PostgresCluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    postgres.create_database(
        "ledger",
        "scanner",
        "CREATE TABLE public.entries (id integer PRIMARY KEY, booked_at timestamp); "
        "INSERT INTO public.entries VALUES (1, '2026-01-01 10:00'), (2, '2026-01-02 11:00'); "
        "GRANT SELECT ON public.entries TO scanner;",
    )
    monkeypatch.setenv("PIISCAN_JDBC_PASSWORD", postgres.password)
    base = postgres.source("ledger", "scanner")
    uri = f"jdbc:postgresql://127.0.0.1:{postgres.port}/ledger/public.entries"

    def markers(source: str) -> list[tuple[str, str | None]]:
        objects = plan_tables(spark, [parse_source(source)], load_config(), RunKeys(b"k")).objects
        return [(o.uri, o.change_marker) for o in objects]

    before = [(uri, "pg_stat:ins=2,upd=0,del=0,live=2")]
    assert _eventually(lambda: markers(base), before) == before
    assert markers(base) == before  # nothing changed: the same marker
    assert markers(f"{base}&watermark=booked_at") == [(uri, "watermark:booked_at=2026-01-02 11:00:00")]
    # psql's session flushes its statistics when it ends; a reader may still see them a moment later
    postgres.psql("ledger", "INSERT INTO public.entries VALUES (3, '2026-01-03 12:00')")
    after = [(uri, "pg_stat:ins=3,upd=0,del=0,live=3")]
    assert _eventually(lambda: markers(base), after) == after
    assert markers(base) == after
    assert markers(f"{base}&watermark=booked_at") == [(uri, "watermark:booked_at=2026-01-03 12:00:00")]
