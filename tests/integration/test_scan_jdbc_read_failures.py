"""A database table whose read fails once planned: one error asset row with its reason, and the run goes on.

The table ``ledger`` lists and plans like any other, but a row-level security policy raises on its 300th row,
so its read fails inside a Spark task: before, that failed the Spark job and with it the whole run. The oracle is
a second run over the same sources without ``ledger``: the two must agree on every findings and assets row.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest
from chispa import assert_df_equality
from pyspark.sql import DataFrame, SparkSession

import jobs.scan
from jobs.config import load_config
from jobs.scan import ScanRequest, ScanResult, run_scan
from tests.helpers import delta_frame
from tests.integration.postgres import SCANNER, PostgresCluster

DATABASE = "fragile"
CLOCK = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
# SYNTHETIC. members reads; ledger's policy raises on row 300, quoting that row's e-mail address in its message.
SETUP_SQL = """
CREATE TABLE public.members (id integer PRIMARY KEY, email text);
INSERT INTO public.members VALUES (1, 'ines.ortiz@example.com'), (2, 'omar.haddad@example.org');
CREATE TABLE public.ledger (id integer PRIMARY KEY, email text);
INSERT INTO public.ledger SELECT i, 'holder' || i || '@example.net' FROM generate_series(1, 500) AS i;
CREATE FUNCTION public.row_ok(row_id integer, row_email text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  IF row_id = 300 THEN RAISE EXCEPTION 'ledger row % is corrupt: %', row_id, row_email; END IF;
  RETURN true;
END $$;
ALTER TABLE public.ledger ENABLE ROW LEVEL SECURITY;
CREATE POLICY checked ON public.ledger FOR SELECT TO {scanner} USING (public.row_ok(id, email));
GRANT SELECT ON public.members, public.ledger TO {scanner};
"""
LEAKED = "holder300@example.net"
REASON = "read failed once planned: PSQLException: ERROR: ledger row 300 is corrupt: <redacted>"
FILE_ROWS = "id,contact\n1,maria.rossi@example.com\n2,kenji.sato@example.jp\n3,no contact\n"


@pytest.fixture(scope="module")
def fragile(postgres: PostgresCluster) -> str:
    """The source URI of the fragile database on the tests' PostgreSQL cluster."""
    postgres.create_database(DATABASE, SCANNER, SETUP_SQL.format(scanner=SCANNER))
    return postgres.source(DATABASE, SCANNER)


def _run(spark: SparkSession, sources: tuple[str, ...], output: Path, run_id: str, password: str) -> ScanResult:
    with pytest.MonkeyPatch.context() as env:
        env.setenv("PIISCAN_JDBC_PASSWORD", password)
        return run_scan(spark, ScanRequest(sources, str(output), load_config(), run_id), clock=lambda: CLOCK)


def _rows(spark: SparkSession, table: Path) -> DataFrame:
    return delta_frame(spark, str(table)).drop("run_id", "finding_id", "duration_ms")


@pytest.mark.parametrize("group", [100, 1], ids=["one-job", "a-job-per-table"])
def test_a_table_failing_mid_read_is_an_error_row_and_the_rest_is_scanned(
    spark: SparkSession,
    postgres: PostgresCluster,
    fragile: str,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    group: int,
) -> None:
    monkeypatch.setattr(jobs.scan, "TABLE_GROUP", group)  # the tables of a run are scanned TABLE_GROUP at a time
    files = tmp_path / "files"
    files.mkdir()
    (files / "contacts.csv").write_text(FILE_ROWS)
    caplog.set_level(logging.INFO)

    result = _run(spark, (fragile, str(files)), tmp_path / "out", "run-fragile", postgres.password)
    oracle = _run(
        spark, (f"{fragile}&tables=members", str(files)), tmp_path / "oracle", "run-oracle", postgres.password
    )

    base = f"jdbc:postgresql://127.0.0.1:{postgres.port}/{DATABASE}"
    assets = _rows(spark, tmp_path / "out" / "assets")
    failed = assets.filter(assets["asset"] == f"{base}/public.ledger")
    assert [(r["status"], r["reason"], r["rows_scanned"], r["change_marker"]) for r in failed.collect()] == [
        ("error", REASON, 0, None)
    ]
    assert_df_equality(assets.subtract(failed), _rows(spark, tmp_path / "oracle" / "assets"), ignore_row_order=True)
    assert_df_equality(
        _rows(spark, tmp_path / "out" / "findings"),
        _rows(spark, tmp_path / "oracle" / "findings"),
        ignore_row_order=True,
    )
    # The oracle's findings are the expected ones: both e-mail columns, nothing from ledger.
    expected = [("contacts.csv", "contact", "EMAIL_ADDRESS", 2), ("public.members", "email", "EMAIL_ADDRESS", 2)]
    found = delta_frame(spark, str(tmp_path / "oracle" / "findings")).collect()
    assert sorted(
        (r["asset"].rsplit("/", 1)[-1], r["column"], r["entity_type"], r["matched_values"]) for r in found
    ) == (expected)
    assert (result.status, oracle.status) == ("succeeded_with_errors", "succeeded")
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert f"{base}/public.ledger: {REASON}" in warnings
    written = b"".join(p.read_bytes() for p in (tmp_path / "out").rglob("*") if p.is_file())
    assert LEAKED.encode() not in written
    assert LEAKED not in caplog.text
    assert postgres.password not in caplog.text
