"""The scan job on a REAL MariaDB server (jdbc:mariadb:// and jdbc:mysql:// sources): every findings row asserted.

The server (tests/integration/mariadb.py) is started once for the session with the same SYNTHETIC tables as the
PostgreSQL tests: customers (e-mail, phone, notes), payments (card numbers), clean (ids and amounts) and
restricted (the scan user may insert but not select). The tests skip, with the reason, when the server programs
or the driver jar are missing.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from pathlib import Path

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
from jobs.scan import ScanRequest, ScanResult, run_scan
from jobs.scan_task import RunKeys
from tests.helpers import delta_frame, jdbc_finding
from tests.integration.mariadb import MariaDBServer

RUN_ID = "run-mariadb-1"
CLOCK = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
VALUES = ("jane.doe@example.com", "7946 0958", "4111111111111111", "5555555555554444", "4012888888881881")
STATS = re.compile(
    r"^mariadb_stats:rows=3,updated=\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,created=\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$"
)


@pytest.fixture(scope="module")
def scanned(
    spark: SparkSession, mariadb_server: MariaDBServer, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, ScanResult, str]:
    output = tmp_path_factory.mktemp("mariadb-scan") / "out"
    time.sleep(1.1)  # UPDATE_TIME before the server's current second: statistics markers settle (see the dialect)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("PIISCAN_JDBC_PASSWORD", mariadb_server.password)
        # customers and clean have an id: their marker is its maximum; payments' comes from its statistics
        source = f"{mariadb_server.source('shop', 'scanner')}&watermark=id"
        request = ScanRequest((source,), str(output), load_config(), RUN_ID)
        result = run_scan(spark, request, clock=lambda: CLOCK)
    return output, result, f"jdbc:mariadb://127.0.0.1:{mariadb_server.port}/shop"


def _finding(base: str, table: str, column: str, entity: str, column_type: str, **values: object) -> dict[str, object]:
    return jdbc_finding(RUN_ID, CLOCK, f"{base}/{table}", f"shop.{table}", column, entity, column_type, **values)


def test_findings_rows_are_exactly_the_hand_computed_ones(
    spark: SparkSession, scanned: tuple[Path, ScanResult, str]
) -> None:
    output, _, base = scanned
    expected = [
        _finding(
            base, "customers", "email", "EMAIL_ADDRESS", "varchar",
            confidence=1.0, sensitivity="medium", frameworks=["GDPR", "CCPA"],
            samples_masked=["a***@example.net", "j***@example.com", "m***@example.org"],
            detectors=["pattern:EMAIL_ADDRESS.email", "validator:email", "column_hint:email"],
        ),
        _finding(
            base, "customers", "phone", "PHONE_NUMBER", "text",
            confidence=1.0, sensitivity="medium", frameworks=["GDPR", "CCPA"],
            samples_masked=["(***) ***-**00", "+** ** **** **58", "+** ** **** **59"],
            detectors=["pattern:PHONE_NUMBER.bracketed_area_code", "pattern:PHONE_NUMBER.international",
                       "validator:phone_number", "column_hint:phone"],
        ),
        _finding(
            base, "payments", "card_number", "CREDIT_CARD", "varchar",
            confidence=0.9, sensitivity="high", frameworks=["PCI_DSS", "GLBA", "GDPR", "CCPA"],
            samples_masked=["****-****-****-1111", "****-****-****-1881", "****-****-****-4444"],
            detectors=["pattern:CREDIT_CARD.bare_digits", "validator:credit_card", "column_hint:card_number"],
        ),
    ]  # fmt: skip
    actual = delta_frame(spark, str(output / "findings"))
    assert_df_equality(
        actual, spark.createDataFrame(expected, schema=actual.schema), ignore_row_order=True, ignore_nullable=True
    )


def test_assets_runs_and_markers_record_every_table_without_credentials(
    spark: SparkSession, scanned: tuple[Path, ScanResult, str], mariadb_server: MariaDBServer
) -> None:
    output, result, base = scanned
    columns = ["asset", "format", "size_bytes", "rows_scanned", "bytes_scanned", "sampled", "columns", "status",
               "reason", "table_name", "change_marker"]  # fmt: skip
    rows = sorted(delta_frame(spark, str(output / "assets")).select(*columns).collect())
    # the driver's message, without Connector/J's "(conn=N)" prefix; redaction hides the client's IP address
    denied = (
        "SQLSyntaxErrorException: SELECT command denied to user 'scanner'@'<redacted>' for table `shop`.`restricted`"
    )
    assert [tuple(r) for r in rows] == [
        # bytes: the UTF-8 text of every non-null value, as for PostgreSQL (decimals print alike: "10.00")
        (f"{base}/clean", "table", None, 3, 30, False, ["id", "order_id", "amount"], "scanned", None, "shop.clean",
         "watermark:id=3"),
        (f"{base}/customers", "table", None, 3, 147, False, ["id", "email", "phone", "notes"], "scanned", None,
         "shop.customers", "watermark:id=3"),
        (f"{base}/payments", "table", None, 3, 68, False, ["payment_id", "card_number", "amount"], "scanned", None,
         "shop.payments", rows[2]["change_marker"]),
        (f"{base}/restricted", "table", None, 0, 0, False, None, "error", denied, "shop.restricted", None),
    ]  # fmt: skip
    assert STATS.match(rows[2]["change_marker"])  # no id column: TABLE_ROWS, UPDATE_TIME and CREATE_TIME
    (run,) = DeltaTable(str(output / "runs")).to_pyarrow_table().to_pylist()
    assert {k: run[k] for k in ("status", "sources", "objects_listed", "objects_scanned", "objects_failed")} == {
        "status": "succeeded_with_errors",
        "sources": [f"{base}?user=scanner&watermark=id"],
        "objects_listed": 4,
        "objects_scanned": 3,
        "objects_failed": 1,
    }
    assert (run["rows_scanned"], run["values_scanned"], run["findings"]) == (9, 29, 3)
    written = b"".join(p.read_bytes() for p in output.rglob("*") if p.is_file())
    assert mariadb_server.password.encode() not in written
    assert [v for v in VALUES if v.encode() in written] == []
    assert mariadb_server.password not in repr(result)


def test_mysql_scheme_and_partitioned_ranges_read_the_same_rows(
    spark: SparkSession, mariadb_server: MariaDBServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PIISCAN_JDBC_PASSWORD", mariadb_server.password)
    source = parse_source(mariadb_server.source("shop", "scanner", scheme="jdbc:mysql://") + "&partition_column=id")
    credentials = resolve_credentials(source)
    jdbc = Jdbc(partitions=4)
    bounds = table_aggregates(spark, source, credentials, jdbc, [("customers", None, "id")])
    assert bounds == {"customers": TableAggregates(None, "1", "3")}
    frame = table_frame(
        spark, source, credentials, jdbc, "customers", ["id", "email", "notes"], None, bounds["customers"]
    )
    assert frame.rdd.getNumPartitions() == 2
    assert sorted(tuple(r) for r in frame.collect()) == [
        ("1", "jane.doe@example.com", "prefers e-mail"),
        ("2", "mark.lee@example.org", None),
        ("3", "ana.lima@example.net", "called about the invoice"),
    ]


def test_change_markers_follow_inserts_and_stay_put_without_changes(
    spark: SparkSession, mariadb_server: MariaDBServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    mariadb_server.create_database(
        "ledger",
        "scanner",
        "CREATE TABLE entries (id int PRIMARY KEY, booked_at datetime); "
        "INSERT INTO entries VALUES (1, '2026-01-01 10:00'), (2, '2026-01-02 11:00'); "
        "GRANT SELECT ON ledger.entries TO 'scanner'@'127.0.0.1';",
    )
    monkeypatch.setenv("PIISCAN_JDBC_PASSWORD", mariadb_server.password)
    base = mariadb_server.source("ledger", "scanner")

    def marker(source: str) -> str | None:
        (planned,) = plan_tables(spark, [parse_source(source)], load_config(), RunKeys(b"k")).objects
        return planned.change_marker

    # A table written in the server's current second has no marker (a later write in that second would not move
    # UPDATE_TIME; unit-tested with the listing row): wait for the next second, however long planning takes here.
    time.sleep(1.1)
    before = marker(base)
    assert before is not None and before.startswith("mariadb_stats:rows=2,updated=")
    assert marker(base) == before  # nothing changed: the same marker
    assert marker(f"{base}&watermark=booked_at") == "watermark:booked_at=2026-01-02 11:00:00"
    mariadb_server.sql("INSERT INTO entries VALUES (3, '2026-01-03 12:00')", "ledger")
    time.sleep(1.1)
    after = marker(base)
    assert after is not None and after.startswith("mariadb_stats:rows=3,updated=") and after != before
    assert marker(f"{base}&watermark=booked_at") == "watermark:booked_at=2026-01-03 12:00:00"
