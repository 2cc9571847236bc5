"""The Delta store without Spark: delta-rs commits of pyarrow-written Parquet files on a local directory."""

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from deltalake import DeltaTable

from jobs.delta_store import file_stats, is_committed, table_uri, write_file, write_table
from jobs.tables import TABLES, UTC_TIMESTAMP

WHEN = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
SCHEMA = pa.schema([("run_id", pa.string()), ("n", pa.int64()), ("at", UTC_TIMESTAMP), ("tags", pa.list_(pa.string()))])


def rows(*ids: str) -> pa.Table:
    return pa.Table.from_pylist(
        [{"run_id": run_id, "n": index, "at": WHEN, "tags": [run_id]} for index, run_id in enumerate(ids)],
        schema=SCHEMA,
    )


def read(uri: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = (
        DeltaTable(uri).to_pyarrow_table().sort_by([("run_id", "ascending"), ("n", "ascending")]).to_pylist()
    )
    return found


def log_actions(root: Path, version: int) -> list[dict[str, Any]]:
    lines = (root / "_delta_log" / f"{version:020d}.json").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def test_write_table_creates_a_table_with_exactly_the_rows(tmp_path):
    uri = str(tmp_path / "t")
    assert write_table(rows("a", "b"), uri, "t", "run-1") == 2
    assert read(uri) == [
        {"run_id": "a", "n": 0, "at": WHEN, "tags": ["a"]},
        {"run_id": "b", "n": 1, "at": WHEN, "tags": ["b"]},
    ]
    assert DeltaTable(uri).version() == 0


def test_rerun_of_the_same_run_adds_nothing_and_another_run_appends(tmp_path):
    uri = str(tmp_path / "t")
    write_table(rows("a"), uri, "t", "run-1")
    assert write_table(rows("a"), uri, "t", "run-1") == 0
    assert DeltaTable(uri).version() == 0
    assert write_table(rows("b", "c"), uri, "t", "run-2") == 2
    assert DeltaTable(uri).version() == 1
    assert [row["run_id"] for row in read(uri)] == ["a", "b", "c"]
    assert DeltaTable(uri).count() == 3


def test_is_committed(tmp_path):
    uri = str(tmp_path / "t")
    assert is_committed(uri, "t", "run-1") is False  # no table yet
    write_table(rows("a"), uri, "t", "run-1")
    assert is_committed(uri, "t", "run-1") is True
    assert is_committed(uri, "t", "run-2") is False
    assert is_committed(uri, "other", "run-1") is False  # the app id names the table


def test_empty_write_commits_the_run_without_files(tmp_path):
    uri = str(tmp_path / "t")
    assert write_table(rows(), uri, "t", "run-1") == 0
    assert is_committed(uri, "t", "run-1") is True
    assert read(uri) == []
    assert DeltaTable(uri).file_uris() == []


def test_commit_log_carries_the_file_stats_and_the_run_transaction(tmp_path):
    root = tmp_path / "t"
    data = rows("a", "b")
    write_table(data, str(root), "findings", "run-1")
    actions = log_actions(root, 0)
    (add,) = [action["add"] for action in actions if "add" in action]
    (txn,) = [action["txn"] for action in actions if "txn" in action]
    (info,) = [action["commitInfo"] for action in actions if "commitInfo" in action]
    assert add["stats"] == file_stats(data)
    assert add["size"] == (root / add["path"]).stat().st_size
    assert txn == {"appId": "piiscan-scan:findings:run-1", "version": 1}
    assert info["run_id"] == "run-1"


def row_value(data_type: pa.DataType) -> object:
    if pa.types.is_timestamp(data_type):
        return WHEN
    if pa.types.is_list(data_type):
        return ["x"]
    return {pa.string(): "x", pa.int64(): 1, pa.float64(): 0.5, pa.bool_(): True}[data_type]


@pytest.mark.parametrize("name", sorted(TABLES))
def test_project_tables_keep_the_basic_protocol(tmp_path, name):
    schema = TABLES[name]
    uri = str(tmp_path / name)
    data = pa.Table.from_pylist([{field.name: row_value(field.type) for field in schema}], schema=schema)
    assert write_table(data, uri, name, "run-1") == 1
    table = DeltaTable(uri)
    protocol = table.protocol()
    assert (protocol.min_reader_version, protocol.min_writer_version) == (1, 2)
    assert (protocol.reader_features, protocol.writer_features) == (None, None)
    assert table.to_pyarrow_table().to_pylist() == data.to_pylist()
    assert table.count() == 1


def test_file_stats_exact_json():
    data = pa.table(
        {
            "n": pa.array([3, 1, None], pa.int64()),
            "s": ["b", "a", None],
            "long": ["short", "z" * 65, None],
            "ts": pa.array([datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC), WHEN, None], UTC_TIMESTAMP),
            "price": [1.5, -2.25, 0.0],
            "flag": [True, None, False],
            "tags": pa.array([["a"], None, []], pa.list_(pa.string())),
            "empty": pa.array([None, None, None], pa.string()),
        }
    )
    assert json.loads(file_stats(data)) == {
        "numRecords": 3,
        "minValues": {"n": 1, "s": "a", "ts": "2026-01-02T03:04:05.000Z", "price": -2.25},
        "maxValues": {"n": 3, "s": "b", "ts": "2026-01-02T03:04:05.678Z", "price": 1.5},
        "nullCount": {"n": 1, "s": 1, "long": 1, "ts": 1, "price": 0, "flag": 1, "empty": 3},
    }


def test_file_stats_keep_strings_of_64_characters():
    data = pa.table({"s": ["a" * 64, "b"]})
    assert json.loads(file_stats(data)) == {
        "numRecords": 2,
        "minValues": {"s": "a" * 64},
        "maxValues": {"s": "b"},
        "nullCount": {"s": 0},
    }


def test_file_stats_write_other_time_zones_in_utc():
    paris = pa.array([datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)], pa.timestamp("ms", tz="Europe/Paris"))
    stats = json.loads(file_stats(pa.table({"ts": paris})))
    assert (stats["minValues"], stats["maxValues"]) == (
        {"ts": "2026-01-02T03:04:05.000Z"},
        {"ts": "2026-01-02T03:04:05.000Z"},
    )


def test_file_stats_of_an_empty_table():
    assert json.loads(file_stats(rows())) == {
        "numRecords": 0,
        "minValues": {},
        "maxValues": {},
        "nullCount": {"run_id": 0, "n": 0, "at": 0},
    }


def test_write_file_names_the_part_after_the_run_and_reports_its_size(tmp_path):
    data = rows("a", "b", "c")
    written = write_file(str(tmp_path / "t"), data, "run/1:x")
    assert re.fullmatch(r"part-run_1_x-[0-9a-f]{32}\.parquet", written.path)
    assert written.size == (tmp_path / "t" / written.path).stat().st_size
    assert (written.num_records, written.stats) == (3, file_stats(data))


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        ("/tmp/x", "file:///tmp/x/findings"),
        ("/tmp/x/", "file:///tmp/x/findings"),
        ("file:///tmp/x", "file:///tmp/x/findings"),
        ("s3://b/base/", "s3://b/base/findings"),
        ("s3://b/base", "s3://b/base/findings"),
    ],
)
def test_table_uri(output, expected):
    assert table_uri(output, "findings") == expected


def test_a_table_written_by_an_older_version_gains_the_new_columns(tmp_path):
    uri = str(tmp_path / "t")
    old = pa.schema([("run_id", pa.string()), ("n", pa.int64())])
    write_table(pa.Table.from_pylist([{"run_id": "a", "n": 0}], schema=old), uri, "t", "run-1")
    assert write_table(rows("b"), uri, "t", "run-2") == 1
    assert read(uri) == [
        {"run_id": "a", "n": 0, "at": None, "tags": None},
        {"run_id": "b", "n": 0, "at": WHEN, "tags": ["b"]},
    ]
    protocol = DeltaTable(uri).protocol()
    assert (protocol.min_reader_version, protocol.min_writer_version) == (1, 2)
