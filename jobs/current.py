"""The estate's current findings: for each asset, the findings of the latest successful run that covered it.

A run covers an asset when its ``assets`` table has a row for one of the asset's objects with status
``scanned`` or ``unchanged`` (incremental runs carry unchanged assets' findings forward, so that run holds
them). Runs without a ``runs`` row (killed before their last commit) and failed runs never count. The tag,
review and report jobs start here.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from jobs.delta_store import read_table, table_uri
from jobs.tables import FINDINGS, READ_STATUSES, SUCCESSFUL_RUNS

OBJECTS = pa.schema(
    [
        ("asset", pa.string()),  # the findings' asset: a dataset folder, an object, a table
        ("object_uri", pa.string()),  # one object (or table) read for it
        ("source_kind", pa.string()),
        ("region", pa.string()),
        ("table_name", pa.string()),
        ("run_id", pa.string()),  # the run whose findings are current for the asset
    ]
)


def latest_runs(output: str) -> dict[str, str]:
    """Each asset (as findings name it) -> the latest successful run that scanned or carried it."""
    objects = _covering_rows(output)
    return {row["asset"]: row["run_id"] for row in objects.select(["asset", "run_id"]).to_pylist()}


def current_objects(output: str) -> pa.Table:
    """The objects behind each current asset (OBJECTS schema), from the run whose findings are current."""
    return _covering_rows(output).select(OBJECTS.names)


def current_findings(output: str) -> pa.Table:
    """The findings (FINDINGS schema) of each asset's latest successful covering run; empty without runs."""
    latest = latest_runs(output)
    if not latest:
        return FINDINGS.empty_table()
    found = read_table(
        table_uri(output, "findings"), FINDINGS.names, pc.field("run_id").isin(sorted(set(latest.values())))
    )
    if found is None:
        return FINDINGS.empty_table()
    wanted = pc.equal(
        found["run_id"], pa.array([latest.get(asset) for asset in found["asset"].to_pylist()], pa.string())
    )
    return found.filter(pc.fill_null(wanted, False)).cast(FINDINGS)


def _covering_rows(output: str) -> pa.Table:
    """The assets rows (as OBJECTS, asset = the findings' asset) of each asset's latest covering run."""
    runs = read_table(table_uri(output, "runs"), ["run_id", "started_at", "status"])
    if runs is None:
        return OBJECTS.empty_table()
    runs = runs.filter(pc.is_in(runs["status"], pa.array(SUCCESSFUL_RUNS)))
    order = {
        row["run_id"]: index
        for index, row in enumerate(runs.sort_by([("started_at", "ascending"), ("run_id", "ascending")]).to_pylist())
    }
    if not order:
        return OBJECTS.empty_table()
    columns = ["run_id", "asset", "dataset", "status", "source_kind", "region", "table_name"]
    assets = read_table(table_uri(output, "assets"), columns, pc.field("run_id").isin(sorted(order)))
    if assets is None:
        return OBJECTS.empty_table()
    latest: dict[str, str] = {}
    rows = [row for row in assets.to_pylist() if row["status"] in READ_STATUSES]
    for row in rows:
        asset = row["dataset"] or row["asset"]
        if asset not in latest or order[row["run_id"]] > order[latest[asset]]:
            latest[asset] = row["run_id"]
    kept = [
        {
            "asset": row["dataset"] or row["asset"],
            "object_uri": row["asset"],
            "source_kind": row["source_kind"],
            "region": row["region"],
            "table_name": row["table_name"],
            "run_id": row["run_id"],
        }
        for row in rows
        if latest[row["dataset"] or row["asset"]] == row["run_id"]
    ]
    kept.sort(key=lambda r: (r["asset"], r["object_uri"]))
    return pa.Table.from_pylist(kept, schema=OBJECTS)
