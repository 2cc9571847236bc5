"""From current findings to the tags the job wants: which findings apply, and the small tag vocabulary.

Tags name entity types (or their categories), sensitivity levels, frameworks and a date: never a detected value
or a sample. Findings held for review are not applied until a reviewer approves them; suppressed ones never are.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pyarrow as pa

from jobs.tag_config import TagConfig

SENSITIVITY_RANK = {"low": 1, "medium": 2, "high": 3}
FindingKey = tuple[str, str | None, str]  # (asset, column, entity_type)


@dataclass(frozen=True)
class Selection:
    """Current findings split by what happens to them."""

    applied: list[dict[str, Any]]  # finding rows with 'applied_as': auto_tag or approved
    review: list[dict[str, Any]]  # held for review (not applied)
    suppressed: int  # rejected by a reviewer: never applied


@dataclass
class WantedTags:
    """The tags the job wants on every object of one asset, with the findings behind each tag."""

    tags: dict[str, str] = field(default_factory=dict)
    evidence: dict[str, list[str]] = field(default_factory=dict)  # tag key -> finding ids
    finding_ids: list[str] = field(default_factory=list)
    decisions: list[str] = field(default_factory=list)
    review_finding_ids: list[str] = field(default_factory=list)
    level: str | None = None  # highest sensitivity of the applied findings (for bucket tags)
    level_ids: list[str] = field(default_factory=list)  # the findings at that level


def finding_key(row: Mapping[str, Any]) -> FindingKey:
    """The identity of a finding across runs: asset, column and entity type."""
    return (row["asset"], row["column"], row["entity_type"])


def select_findings(
    findings: pa.Table, config: TagConfig, approved: pa.Table, suppressed: set[FindingKey]
) -> Selection:
    """Decide per current finding: applied (auto_tag, or approved by a reviewer), held for review, or suppressed.

    An approval names a finding key (asset, column, entity type); it applies to the current finding with that key,
    whose evidence may come from a later run than the one reviewed.
    """
    approved_keys = {finding_key(row) for row in approved.select(["asset", "column", "entity_type"]).to_pylist()}
    columns = [
        "finding_id",
        "asset",
        "column",
        "entity_type",
        "decision",
        "sensitivity",
        "frameworks",
        "scanned_at",
        "run_id",
        "carried_from_run",
    ]
    applied: list[dict[str, Any]] = []
    review: list[dict[str, Any]] = []
    dropped = 0
    for row in findings.select(columns).to_pylist():
        key = finding_key(row)
        if key in suppressed:
            dropped += 1
        elif key in approved_keys:
            applied.append({**row, "applied_as": "approved"})
        elif config.review.reason(row["decision"], row["entity_type"]) is not None:
            review.append(row)
        else:
            applied.append({**row, "applied_as": "auto_tag"})
    return Selection(applied, review, dropped)


def wanted_tags(selection: Selection, config: TagConfig, run_dates: Mapping[str, datetime]) -> dict[str, WantedTags]:
    """Asset -> the job's tags for its objects. ``run_dates``: scan run id -> when it started.

    The scan date is the day the evidence was read (the finding's ``carried_from_run`` or its run), so an
    incremental scan that carried an unchanged asset's findings forward does not change its tags.
    """
    by_asset: dict[str, list[dict[str, Any]]] = {}
    for row in selection.applied:
        by_asset.setdefault(row["asset"], []).append(row)
    result: dict[str, WantedTags] = {}
    for asset, rows in by_asset.items():
        rows.sort(key=lambda r: r["finding_id"])
        wanted = result[asset] = WantedTags(
            finding_ids=[r["finding_id"] for r in rows], decisions=[r["applied_as"] for r in rows]
        )
        wanted.level, wanted.level_ids = _sensitivity(rows)
        _add(wanted, config.key("sensitivity"), (wanted.level, wanted.level_ids), config)
        _add(wanted, config.key("categories"), _values(rows, lambda r: [config.category(r["entity_type"])]), config)
        _add(wanted, config.key("frameworks"), _values(rows, lambda r: r["frameworks"] or []), config)
        _add(wanted, config.key("scan_date"), _scan_date(rows, run_dates), config)
    for row in sorted(selection.review, key=lambda r: r["finding_id"]):
        result.setdefault(row["asset"], WantedTags()).review_finding_ids.append(row["finding_id"])
    return result


def highest_sensitivity(levels: list[str | None]) -> str | None:
    """The highest of sensitivity levels (high > medium > low), or None when there is none."""
    known = [level for level in levels if level in SENSITIVITY_RANK]
    return max(known, key=lambda level: SENSITIVITY_RANK[level]) if known else None


def _add(
    wanted: WantedTags,
    key: str | None,
    value: tuple[str | None, list[str]] | tuple[list[str], list[str]],
    config: TagConfig,
) -> None:
    text, finding_ids = value
    if key is None or not text:
        return
    wanted.tags[key] = text if isinstance(text, str) else config.value_separator.join(text)
    wanted.evidence[key] = sorted(set(finding_ids))


def _sensitivity(rows: list[dict[str, Any]]) -> tuple[str | None, list[str]]:
    level = highest_sensitivity([r["sensitivity"] for r in rows])
    return level, [r["finding_id"] for r in rows if r["sensitivity"] == level]


def _values(rows: list[dict[str, Any]], values_of: Any) -> tuple[list[str], list[str]]:
    values = sorted({value for r in rows for value in values_of(r)})
    return values, [r["finding_id"] for r in rows if values_of(r)]


def _scan_date(rows: list[dict[str, Any]], run_dates: Mapping[str, datetime]) -> tuple[str | None, list[str]]:
    dated = []
    for r in rows:
        when = run_dates.get(r["carried_from_run"] or r["run_id"]) or r["scanned_at"]
        if when is not None:
            dated.append((when.strftime("%Y-%m-%d"), r["finding_id"]))
    if not dated:
        return None, []
    latest = max(day for day, _ in dated)
    return latest, [finding_id for day, finding_id in dated if day == latest]
