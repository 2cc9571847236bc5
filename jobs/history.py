"""Incremental scans: what earlier runs read, and which assets of this run keep their findings unread.

A scheduled run reads only what is new or changed since the last successful run with the same configuration
(same ``runs.config_digest``: other detectors or sampling could find something else in the same bytes). Every
planned object and table carries a change marker (jobs/planner.py: ETag, size and modification time; for a
structured dataset one marker over all its objects; for a JDBC table its statistics or watermark). Where the
marker equals the one recorded on the object's latest ``assets`` row, and that row was read (``scanned``) or
carried (``unchanged``), the object is not read again: it gets an ``unchanged`` assets row and the findings of
its asset are copied into this run with ``carried_from_run`` naming the run that read them. Findings of the
latest run are therefore always the estate's current findings.

Only whole assets are carried: when any object reported under an asset must be read, all of them are, so a
finding never mixes evidence of two runs. ``--full-rescan`` ignores the history.
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from jobs.delta_store import read_table, table_uri
from jobs.planner import PlannedObject
from jobs.tables import ASSETS, FINDINGS, READ_STATUSES, SUCCESSFUL_RUNS

LOG = logging.getLogger(__name__)
UNCHANGED = "unchanged"  # assets.status of an object not read because it did not change
DATASET_MARKER = "dataset="  # how a structured dataset's shared marker begins (jobs.planner)


@dataclass(frozen=True)
class PreviousAsset:
    """An object's latest ``assets`` row among the eligible runs."""

    run_id: str
    row: dict[str, Any]

    @property
    def finding_asset(self) -> str:
        """The asset its findings were reported under: its dataset for a multi-file table, else itself."""
        return str(self.row["dataset"] or self.row["asset"])

    @property
    def read_by(self) -> str:
        """The run that actually read it (itself, or the run an ``unchanged`` row carried from)."""
        return str(self.row["carried_from_run"] or self.run_id)


@dataclass
class History:
    """The state incremental decisions need, from the output's ``runs`` and ``assets`` tables."""

    run_ids: list[str] = field(default_factory=list)  # eligible runs, oldest first
    latest: dict[str, PreviousAsset] = field(default_factory=dict)  # object URI -> its latest row
    members: dict[tuple[str, str], set[str]] = field(default_factory=dict)  # (run, finding asset) -> objects


@dataclass
class Carry:
    """What this run takes over from earlier runs instead of reading."""

    uris: set[str] = field(default_factory=set)  # objects and tables not read
    assets: list[dict[str, Any]] = field(default_factory=list)  # their ``unchanged`` assets rows (no run columns)
    findings_of: dict[str, set[str]] = field(default_factory=dict)  # run id -> finding assets to copy from it


def load_history(output: str, config_digest: str) -> History:
    """The latest assets row of every object across successful runs with this configuration."""
    runs = read_table(table_uri(output, "runs"), ["run_id", "started_at", "status", "config_digest"])
    if runs is None:
        return History()
    eligible = runs.filter(
        pc.and_(pc.is_in(runs["status"], pa.array(SUCCESSFUL_RUNS)), pc.equal(runs["config_digest"], config_digest))
    ).sort_by([("started_at", "ascending"), ("run_id", "ascending")])
    run_ids = eligible["run_id"].to_pylist()
    if not run_ids:
        return History()
    assets = read_table(table_uri(output, "assets"), ASSETS.names, pc.field("run_id").isin(run_ids))
    history = History(run_ids=run_ids)
    if assets is None:
        return history
    order = {run_id: index for index, run_id in enumerate(run_ids)}
    members: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in assets.to_pylist():
        previous = PreviousAsset(row["run_id"], row)
        if row["status"] in READ_STATUSES:
            members[(previous.run_id, previous.finding_asset)].add(row["asset"])
        current = history.latest.get(row["asset"])
        if current is None or order[previous.run_id] >= order[current.run_id]:
            history.latest[row["asset"]] = previous
    history.members = dict(members)
    return history


def plan_carry(planned: Iterable[PlannedObject], history: History) -> Carry:
    """Which planned objects (and JDBC tables) are unchanged since their latest read, as whole assets.

    Objects sharing a dataset marker form one unit (a structured dataset), any other object is a unit alone.
    A unit is carried when every object of it was read or carried by one and the same earlier run with the same
    marker, and no other object was reported under the assets they were reported under.
    """
    units: dict[str, list[PlannedObject]] = defaultdict(list)
    for obj in planned:
        if obj.change_marker is None:
            continue  # nothing says whether it changed: always read
        key = obj.change_marker if obj.change_marker.startswith(DATASET_MARKER) else f"{obj.uri}\n{obj.change_marker}"
        units[key].append(obj)
    carry = Carry()
    for members in units.values():
        previous = [history.latest.get(obj.uri) for obj in members]
        if not _unchanged(members, previous, history):
            continue
        for obj, prev in zip(members, previous, strict=True):
            assert prev is not None  # checked by _unchanged
            carry.uris.add(obj.uri)
            carry.assets.append(_unchanged_row(obj, prev))
            carry.findings_of.setdefault(prev.run_id, set()).add(prev.finding_asset)
    return carry


def _unchanged(members: list[PlannedObject], previous: list[PreviousAsset | None], history: History) -> bool:
    if any(
        prev is None or prev.row["status"] not in READ_STATUSES or prev.row["change_marker"] != obj.change_marker
        for obj, prev in zip(members, previous, strict=True)
    ):
        return False
    runs = {prev.run_id for prev in previous if prev is not None}
    if len(runs) != 1:
        return False
    run_id = runs.pop()
    uris = {obj.uri for obj in members}
    finding_assets = {prev.finding_asset for prev in previous if prev is not None}
    return all(history.members.get((run_id, asset), set()) <= uris for asset in finding_assets)


def _unchanged_row(obj: PlannedObject, previous: PreviousAsset) -> dict[str, Any]:
    row = dict(previous.row)
    row.update(
        size_bytes=None if row["size_bytes"] is None else obj.size,  # a database table has no size
        last_modified=obj.last_modified or row["last_modified"],
        rows_scanned=0,
        bytes_scanned=0,
        duration_ms=0,
        status=UNCHANGED,
        reason=f"unchanged since run {previous.read_by} ({_what_matched(obj)}); its findings are carried forward",
        change_marker=obj.change_marker,
        carried_from_run=previous.read_by,
    )
    return row


def _what_matched(obj: PlannedObject) -> str:
    marker = obj.change_marker or ""
    if marker.startswith(DATASET_MARKER):
        return "no object of its dataset added, removed or modified"
    if marker.startswith("etag="):
        return "same ETag, size and last-modified"
    if marker.startswith("size="):
        return "same size and modification time"
    if marker.startswith("watermark:"):
        return "same watermark"
    return "same table statistics"


def carried_assets(carry: Carry, run_id: str, scanned_at: datetime) -> pa.Table:
    """The ``unchanged`` assets rows of this run."""
    rows = [{**row, "run_id": run_id, "scanned_at": scanned_at} for row in carry.assets]
    return pa.Table.from_pylist(rows, schema=ASSETS)


def carried_findings(output: str, carry: Carry, run_id: str, scanned_at: datetime) -> pa.Table:
    """The findings of the carried assets, copied from the runs that hold them into this run."""
    if not carry.findings_of:
        return FINDINGS.empty_table()
    wanted = {(run, asset) for run, assets in carry.findings_of.items() for asset in assets}
    condition = pc.field("run_id").isin(sorted(carry.findings_of))
    found = read_table(table_uri(output, "findings"), FINDINGS.names, condition)
    rows = []
    for row in found.to_pylist() if found is not None else []:
        if (row["run_id"], row["asset"]) not in wanted:
            continue
        rows.append(
            {
                **row,
                "finding_id": finding_id(run_id, row["asset"], row["column"], row["entity_type"]),
                "run_id": run_id,
                "scanned_at": scanned_at,
                "carried_from_run": row["carried_from_run"] or row["run_id"],
            }
        )
    return pa.Table.from_pylist(rows, schema=FINDINGS)


def finding_id(run_id: str, asset: str, column: str | None, entity_type: str) -> str:
    """The id jobs.findings gives a finding: SHA-256 over run, asset, column and entity type, 32 hex digits."""
    return hashlib.sha256(f"{run_id}|{asset}|{column or ''}|{entity_type}".encode()).hexdigest()[:32]
