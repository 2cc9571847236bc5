"""scan_object on local files: the asset row, column and entity evidence, and failures as statuses."""

import gzip
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from classifiers.engine import Engine, value_hash
from jobs.config import ScanConfig, parse_config
from jobs.scan_task import PARTIAL_SCHEMA, scan_object

EMAILS = ("jane.doe@example.com", "bob@example.org")


@pytest.fixture(scope="module")
def config() -> ScanConfig:
    return parse_config({})


@pytest.fixture(scope="module")
def engine(config: ScanConfig) -> Engine:
    return Engine(config.detection)


def scan(path: Path, config: ScanConfig, engine: Engine) -> list[dict[str, Any]]:
    rows = scan_object({"object_uri": f"file://{path}", "region": None}, config, engine)
    pa.RecordBatch.from_pylist(rows, schema=PARTIAL_SCHEMA)  # what mapInArrow does with them
    return rows


def asset(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The asset row without its durations, which are checked to be non-negative ints (detection within the whole)."""
    first = dict(rows[0])
    duration, detect = first.pop("duration_ms"), first.pop("detect_ms")
    assert isinstance(duration, int)
    assert isinstance(detect, int)
    assert 0 <= detect <= duration
    return first


def test_csv_with_an_email_column_gives_asset_column_and_entity_rows(
    tmp_path: Path, config: ScanConfig, engine: Engine
) -> None:
    path = tmp_path / "customers.csv"
    data = f"id,email\n1,{EMAILS[0]}\n2,{EMAILS[1]}\n3,\n".encode()
    path.write_bytes(data)
    uri = f"file://{path}"
    rows = scan(path, config, engine)
    assert asset(rows) == {
        "kind": "asset",
        "object_uri": uri,
        "format": "csv",
        "compression": None,
        "status": "scanned",
        "reason": None,
        "rows_scanned": 3,
        "bytes_scanned": len(data),
        "truncated": False,
        "sampling": "full",
        "columns": ["id", "email"],
    }
    assert rows[1:] == [
        {
            "kind": "column",
            "object_uri": uri,
            "column": "id",
            "values_seen": 3,
            "analysed_values": 0,
            "column_hints": [],
            "column_profiles": [],
        },
        {
            "kind": "column",
            "object_uri": uri,
            "column": "email",
            "values_seen": 2,
            "analysed_values": 0,
            "column_hints": ["EMAIL_ADDRESS"],
            "column_profiles": [],
        },
        {
            "kind": "entity",
            "object_uri": uri,
            "column": "email",
            "entity_type": "EMAIL_ADDRESS",
            "matched_values": 2,
            "occurrences": 2,
            "candidates": 2,
            "validated": 2,
            "keyword_values": 0,
            "best_score": 0.9,
            "patterns": ["EMAIL_ADDRESS.email"],
            "value_hashes": sorted(value_hash(email) for email in EMAILS),
            "samples": ["j***@example.com", "b***@example.org"],
            "fingerprints": [],  # kept only when the scan's fingerprints are on
            "presidio_values": 0,
            "presidio_score_sum": 0.0,
        },
    ]
    assert all(email not in repr(rows) for email in EMAILS)
    assert all(local not in repr(rows) for local in ("jane.doe", "bob@"))


def test_text_log_gives_one_unnamed_column(tmp_path: Path, config: ScanConfig, engine: Engine) -> None:
    path = tmp_path / "app.log"
    path.write_bytes(f"user {EMAILS[0]} logged in\nnothing here\n".encode())
    rows = scan(path, config, engine)
    assert (asset(rows)["format"], asset(rows)["rows_scanned"], asset(rows)["columns"]) == ("text", 2, None)
    assert [(row["kind"], row["column"], row.get("entity_type"), row.get("samples")) for row in rows[1:]] == [
        ("column", None, None, None),
        ("entity", None, "EMAIL_ADDRESS", ["j***@example.com"]),
    ]
    assert EMAILS[0] not in repr(rows)


def test_malformed_rows_are_reported_in_the_reason_of_a_scanned_asset(
    tmp_path: Path, config: ScanConfig, engine: Engine
) -> None:
    path = tmp_path / "ragged.csv"
    path.write_bytes(b"a,b\n1,2\n3,4,4111111111111111\n")
    rows = scan(path, config, engine)
    assert (asset(rows)["status"], asset(rows)["reason"], asset(rows)["rows_scanned"]) == (
        "scanned",
        "1 malformed rows skipped",
        1,
    )
    assert "4111111111111111" not in repr(rows)


@pytest.mark.parametrize(
    ("data", "compression", "reason"),
    [
        (b"id,email\n1,x\n", None, "SourceError: named as gzip but the content is not compressed"),
        (
            gzip.compress(b"id,email\n" + b"1,jane@example.com\n" * 100)[:30],
            "gzip",
            "SourceError: gzip data is truncated: the object ends inside the compressed stream",
        ),
    ],
)
def test_corrupt_csv_gz_is_an_error_with_a_reason(
    tmp_path: Path, config: ScanConfig, engine: Engine, data: bytes, compression: str | None, reason: str
) -> None:
    path = tmp_path / "customers.csv.gz"
    path.write_bytes(data)
    rows = scan(path, config, engine)
    assert len(rows) == 1
    assert asset(rows) == {
        "kind": "asset",
        "object_uri": f"file://{path}",
        "format": "unknown",
        "compression": compression,
        "status": "error",
        "reason": reason,
        "rows_scanned": 0,
        "bytes_scanned": asset(rows)["bytes_scanned"],
        "truncated": False,
        "sampling": None,
        "columns": None,
    }


def test_png_is_skipped_with_a_reason(tmp_path: Path, config: ScanConfig, engine: Engine) -> None:
    path = tmp_path / "logo.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    rows = scan(path, config, engine)
    assert rows == [rows[0]]
    assert asset(rows) == {
        "kind": "asset",
        "object_uri": f"file://{path}",
        "format": "unknown",
        "compression": None,
        "status": "skipped",
        "reason": "unsupported format '.png' (image)",
        "rows_scanned": 0,
        "bytes_scanned": 0,
        "truncated": False,
        "sampling": None,
        "columns": None,
    }


def test_rows_per_object_limits_the_scan(tmp_path: Path, engine: Engine) -> None:
    path = tmp_path / "many.csv"
    path.write_bytes(b"n\n" + b"".join(b"%d\n" % i for i in range(50)))
    rows = scan(path, parse_config({"sampling": {"rows_per_object": 10}}), engine)
    assert (asset(rows)["rows_scanned"], asset(rows)["truncated"]) == (10, True)
    assert rows[1]["values_seen"] == 10
