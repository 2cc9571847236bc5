"""Which planned objects an incremental run carries forward (jobs.history.plan_carry), from hand-built history."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from jobs.history import Carry, History, PreviousAsset, plan_carry
from jobs.planner import PlannedObject
from jobs.tables import ASSETS

WHEN = datetime(2026, 1, 1, tzinfo=UTC)


def planned(uri: str, marker: str | None, dataset: str = "s3://b/t/") -> PlannedObject:
    return PlannedObject(uri, 10, WHEN, "eu-west-1", dataset, "s3", change_marker=marker)


def previous(run_id: str, uri: str, marker: str, status: str = "scanned", dataset: str | None = None) -> PreviousAsset:
    row: dict[str, Any] = dict.fromkeys(ASSETS.names)
    row.update(
        run_id=run_id, asset=uri, dataset=dataset, status=status, change_marker=marker, size_bytes=10, format="csv"
    )
    return PreviousAsset(run_id, row)


def history(*rows: PreviousAsset) -> History:
    result = History(run_ids=sorted({r.run_id for r in rows}))
    for row in rows:
        result.latest[row.row["asset"]] = row
        if row.row["status"] in ("scanned", "unchanged"):
            result.members.setdefault((row.run_id, row.finding_asset), set()).add(row.row["asset"])
    return result


def test_an_unchanged_text_object_is_carried_with_its_assets_row() -> None:
    carry = plan_carry(
        [planned("s3://b/logs/a.log", "etag=1;size=10;modified=x")],
        history(previous("r1", "s3://b/logs/a.log", "etag=1;size=10;modified=x")),
    )
    assert (carry.uris, carry.findings_of) == ({"s3://b/logs/a.log"}, {"r1": {"s3://b/logs/a.log"}})
    (row,) = carry.assets
    assert {k: row[k] for k in ("asset", "status", "carried_from_run", "rows_scanned", "change_marker")} == {
        "asset": "s3://b/logs/a.log",
        "status": "unchanged",
        "carried_from_run": "r1",
        "rows_scanned": 0,
        "change_marker": "etag=1;size=10;modified=x",
    }
    assert (
        row["reason"] == "unchanged since run r1 (same ETag, size and last-modified); its findings are carried forward"
    )


def test_changed_failed_unknown_and_unmarked_objects_are_read() -> None:
    carry = plan_carry(
        [
            planned("s3://b/a.log", "etag=2;size=10;modified=x"),  # ETag changed
            planned("s3://b/b.log", "etag=1;size=10;modified=x"),  # failed last time
            planned("s3://b/c.log", "etag=1;size=10;modified=x"),  # never seen
            planned("s3://b/d.log", None),  # nothing says whether it changed
        ],
        history(
            previous("r1", "s3://b/a.log", "etag=1;size=10;modified=x"),
            previous("r1", "s3://b/b.log", "etag=1;size=10;modified=x", status="error"),
            previous("r1", "s3://b/d.log", "etag=1;size=10;modified=x"),
        ),
    )
    assert carry == Carry()


def test_a_dataset_is_carried_whole_from_the_run_that_carried_it_last() -> None:
    dataset = "s3://b/t/"
    carry = plan_carry(
        [planned(f"{dataset}p1.csv", "dataset=abc"), planned(f"{dataset}p2.csv", "dataset=abc")],
        history(
            previous("r2", f"{dataset}p1.csv", "dataset=abc", "unchanged", dataset),
            previous("r2", f"{dataset}p2.csv", "dataset=abc", "unchanged", dataset),
        ),
    )
    assert carry.uris == {f"{dataset}p1.csv", f"{dataset}p2.csv"}
    assert carry.findings_of == {"r2": {dataset}}


def test_a_dataset_whose_objects_were_read_by_different_runs_is_read_again() -> None:
    dataset = "s3://b/t/"
    carry = plan_carry(
        [planned(f"{dataset}p1.csv", "dataset=abc"), planned(f"{dataset}p2.csv", "dataset=abc")],
        history(
            previous("r1", f"{dataset}p1.csv", "dataset=abc", dataset=dataset),
            previous("r2", f"{dataset}p2.csv", "dataset=abc", dataset=dataset),
        ),
    )
    assert carry == Carry()


def test_an_asset_shared_with_an_object_that_must_be_read_is_not_carried() -> None:
    # Last time a .txt object was read as CSV and joined the folder's table; now the table is read again, so
    # the .txt object's unchanged marker alone does not let its (shared) asset be carried.
    dataset = "s3://b/t/"
    carry = plan_carry(
        [planned(f"{dataset}extra.txt", "etag=1;size=10;modified=x")],
        history(
            previous("r1", f"{dataset}extra.txt", "etag=1;size=10;modified=x", dataset=dataset),
            previous("r1", f"{dataset}p1.csv", "etag=9;size=10;modified=x", dataset=dataset),
        ),
    )
    assert carry == Carry()
