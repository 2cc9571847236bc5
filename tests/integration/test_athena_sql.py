"""The Athena views (sql/athena/) executed on DuckDB over a real scan's Delta tables: every row asserted.

The estate (tests/integration/analyst_estate.py): two buckets, a run over both, an incremental run over the US
bucket only, a killed run and a failed run; so the current findings mix two runs and ignore two.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest
from pyspark.sql import SparkSession

from jobs import athena_sql, duckdb_views
from jobs.current import OBJECTS, current_findings, current_objects
from jobs.report_config import load_report_config
from jobs.report_data import build_report
from jobs.tables import FINDINGS
from tests.integration.analyst_estate import EU_BUCKET, US_BUCKET, analyst_output, day

pytestmark = pytest.mark.spark

EU = f"s3://{EU_BUCKET}"
US = f"s3://{US_BUCKET}"


@pytest.fixture(scope="module")
def output(spark: SparkSession, s3_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return analyst_output(spark, s3_endpoint, tmp_path_factory.mktemp("analyst"))


@pytest.fixture(scope="module")
def con(output: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb_views.connect(str(output))
    yield connection
    connection.close()


# Scores by hand (docs/report.md): both buckets hold high findings (base 60) of 3 and 5 entity types (+10, +15),
# in 2 of 2 and 3 of 4 assets (+15, +11.25); the best high finding is the EU bucket's BSN (confidence in
# [0.75, 0.85): +8) and the US bucket's card and AWS key (1.0: +10); rounded half up: 93.x and 96.75.
EU_SCORE = 93
US_SCORE = 96


def _rows(table: pa.Table, *keys: str) -> list[dict[str, Any]]:
    return sorted(table.to_pylist(), key=lambda row: tuple(str(row[key]) for key in keys))


def _view(con: duckdb.DuckDBPyConnection, name: str, *keys: str) -> list[dict[str, Any]]:
    return _rows(duckdb_views.view(con, name), *keys)


def test_every_view_file_creates_its_view(con: duckdb.DuckDBPyConnection) -> None:
    created = {
        row[0] for row in con.sql("SELECT view_name FROM duckdb_views() WHERE schema_name = 'piiscan'").fetchall()
    }
    views = {athena_sql.view_name(path) for path in athena_sql.view_files()}
    assert views == {
        "current_objects",
        "current_findings",
        "pii_columns_by_database",
        "residency_violations",
        "residency_matrix",
        "buckets_by_score",
    }
    assert created == views | {"findings", "assets", "runs"}


def test_current_findings_equal_the_package_definition(con: duckdb.DuckDBPyConnection, output: Path) -> None:
    view = duckdb_views.view(con, "current_findings")
    assert view.schema.names == FINDINGS.names
    expected = current_findings(str(output))
    key = ("asset", "column", "entity_type")
    assert _rows(view.cast(FINDINGS), *key) == _rows(expected, *key)
    assert sorted((r["asset"], r["column"] or "", r["entity_type"], r["run_id"]) for r in view.to_pylist()) == [
        (f"{EU}/crm/customers/", "email", "EMAIL_ADDRESS", "an-1"),
        (f"{EU}/crm/customers/", "phone", "PHONE_NUMBER", "an-1"),
        (f"{EU}/hr/staff.csv", "bsn", "NL_BSN", "an-1"),
        (f"{US}/hr/staff.csv", "bsn", "NL_BSN", "an-2"),  # carried from an-1 into an-2
        (f"{US}/logs/app.log", "", "AWS_ACCESS_KEY", "an-2"),
        (f"{US}/logs/app.log", "", "EMAIL_ADDRESS", "an-2"),  # the line added before an-2
        (f"{US}/logs/app.log", "", "IP_ADDRESS", "an-2"),
        (f"{US}/payments/cards.parquet", "card", "CREDIT_CARD", "an-2"),
    ]


def test_current_objects_equal_the_package_definition(con: duckdb.DuckDBPyConnection, output: Path) -> None:
    view = duckdb_views.view(con, "current_objects")
    assert view.schema.names == OBJECTS.names
    assert _rows(view, "object_uri") == _rows(current_objects(str(output)), "object_uri")
    assert [(r["object_uri"], r["asset"], r["region"], r["run_id"]) for r in _rows(view, "object_uri")] == [
        (f"{EU}/crm/customers/region=eu/part-0.csv", f"{EU}/crm/customers/", "eu-west-1", "an-1"),
        (f"{EU}/crm/customers/region=us/part-1.csv", f"{EU}/crm/customers/", "eu-west-1", "an-1"),
        (f"{EU}/hr/staff.csv", f"{EU}/hr/staff.csv", "eu-west-1", "an-1"),
        (f"{US}/clean/metrics.csv", f"{US}/clean/metrics.csv", "us-east-1", "an-2"),
        (f"{US}/hr/staff.csv", f"{US}/hr/staff.csv", "us-east-1", "an-2"),
        (f"{US}/logs/app.log", f"{US}/logs/app.log", "us-east-1", "an-2"),
        (f"{US}/payments/cards.parquet", f"{US}/payments/cards.parquet", "us-east-1", "an-2"),
    ]


def _column(database: str, dataset: str, column: str, entity: str, sensitivity: str, confidence: float, matched: int):
    return {
        "database_name": database,
        "dataset": dataset,
        "source_kind": "s3",
        "column": column,
        "entity_types": [entity],
        "max_sensitivity": sensitivity,
        "max_confidence": confidence,
        "matched_values": matched,
        "findings_in_review": 0,
        "findings": 1,
    }


def test_pii_columns_by_database(con: duckdb.DuckDBPyConnection) -> None:
    assert _view(con, "pii_columns_by_database", "dataset", "column") == [
        _column(EU_BUCKET, f"{EU}/crm/customers/", "email", "EMAIL_ADDRESS", "medium", 1.0, 3),
        _column(EU_BUCKET, f"{EU}/crm/customers/", "phone", "PHONE_NUMBER", "medium", 1.0, 3),
        _column(EU_BUCKET, f"{EU}/hr/staff.csv", "bsn", "NL_BSN", "high", 0.8, 3),
        _column(US_BUCKET, f"{US}/hr/staff.csv", "bsn", "NL_BSN", "high", 0.8, 3),
        # the log's findings are object-level (free text): no column
        _column(US_BUCKET, f"{US}/payments/cards.parquet", "card", "CREDIT_CARD", "high", 0.9, 2),
    ]


def test_residency_violations(con: duckdb.DuckDBPyConnection) -> None:
    # the BSNs in eu-west-1 are allowed; their copy in us-east-1 is not, since the first run found it
    assert _view(con, "residency_violations", "asset") == [
        {
            "asset": f"{US}/hr/staff.csv",
            "source_kind": "s3",
            "region": "us-east-1",
            "jurisdictions": ["NL"],
            "entity_types": ["NL_BSN"],
            "findings": 1,
            "matched_values": 3,
            "since": day(1),
        }
    ]
    assert day(1) == datetime(2026, 5, 2, 8, 0, tzinfo=UTC)


def test_residency_matrix(con: duckdb.DuckDBPyConnection) -> None:
    assert _view(con, "residency_matrix", "region", "jurisdiction") == [
        {"region": "eu-west-1", "jurisdiction": "GLOBAL", "assets": 1, "findings": 2, "matched_values": 6},
        {"region": "eu-west-1", "jurisdiction": "NL", "assets": 1, "findings": 1, "matched_values": 3},
        {"region": "us-east-1", "jurisdiction": "GLOBAL", "assets": 2, "findings": 4, "matched_values": 6},
        {"region": "us-east-1", "jurisdiction": "NL", "assets": 1, "findings": 1, "matched_values": 3},
    ]


def test_buckets_by_score(con: duckdb.DuckDBPyConnection) -> None:
    assert _view(con, "buckets_by_score", "bucket") == [
        {
            "bucket": EU_BUCKET,
            "region": "eu-west-1",
            "score": EU_SCORE,
            "objects": 3,  # two partition files of one dataset, and the HR file
            "assets": 2,
            "assets_with_findings": 2,
            "findings": 3,
            "high_findings": 1,
            "medium_findings": 2,
            "low_findings": 0,
            "matched_values": 9,
            "sensitivity_rank": 3,
            "max_sensitivity": "high",
            "entity_types": ["EMAIL_ADDRESS", "NL_BSN", "PHONE_NUMBER"],
        },
        {
            "bucket": US_BUCKET,
            "region": "us-east-1",
            "score": US_SCORE,
            "objects": 4,  # the logo is skipped: not covered
            "assets": 4,
            "assets_with_findings": 3,  # clean/metrics.csv holds none
            "findings": 5,
            "high_findings": 3,  # card, AWS key, BSN
            "medium_findings": 1,  # the e-mail in the log
            "low_findings": 1,  # the IP addresses
            "matched_values": 9,
            "sensitivity_rank": 3,
            "max_sensitivity": "high",
            "entity_types": ["AWS_ACCESS_KEY", "CREDIT_CARD", "EMAIL_ADDRESS", "IP_ADDRESS", "NL_BSN"],
        },
    ]


def test_bucket_scores_are_the_report_jobs(con: duckdb.DuckDBPyConnection, output: Path) -> None:
    data = build_report(str(output), load_report_config(), datetime(2026, 6, 1, tzinfo=UTC), lambda bucket: None)
    report = {s.name: s.score for s in data.scores if s.level == "bucket"}
    view = {f"s3://{r['bucket']}/": r["score"] for r in _view(con, "buckets_by_score", "bucket")}
    assert view == report == {f"s3://{EU_BUCKET}/": EU_SCORE, f"s3://{US_BUCKET}/": US_SCORE}


def test_views_are_empty_on_an_output_without_tables(tmp_path: Path) -> None:
    empty = duckdb_views.connect(str(tmp_path / "nothing"))
    for path in athena_sql.view_files():
        assert duckdb_views.view(empty, athena_sql.view_name(path)).num_rows == 0
    assert duckdb_views.view(empty, "current_findings").schema.names == FINDINGS.names
    empty.close()
