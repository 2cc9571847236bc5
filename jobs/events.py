"""Publishing new sensitive findings to Amazon EventBridge, so SNS, ticketing or Security Hub flows can react.

One event per asset with new findings at or above ``events.min_sensitivity`` ("new": the key, asset, column and
entity type, was not among the estate's current findings before the run). The event's detail names the asset,
its entity types with counts and columns, the highest sensitivity, the frameworks and the finding ids; it never
holds a sample or a detected value. Entries go out with PutEvents in batches of at most 10 entries and 256 KB;
entries EventBridge reports as failed (``FailedEntryCount``) are retried with backoff, and those still failing
are reported per entry. The detail is documented in docs/review.md (*Events*).
"""

from __future__ import annotations

import json
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from classifiers.errors import ConfigError
from jobs.delta_store import read_table, table_uri
from jobs.redaction import safe_reason
from jobs.storage import default_region
from jobs.tables import FINDINGS, READ_STATUSES, SUCCESSFUL_RUNS

LOG = logging.getLogger(__name__)
SENSITIVITY_RANK = {"low": 1, "medium": 2, "high": 3}
MAX_ENTRIES = 10  # PutEvents: entries per call
MAX_BATCH_BYTES = 256 * 1024  # PutEvents: total entry size per call
MAX_FINDING_IDS = 500  # per event; the rest are counted in ``finding_ids_omitted``
MAX_COLUMNS = 100  # per entity type; the rest are counted in ``columns_omitted``
ATTEMPTS = 4  # PutEvents calls per entry before it is reported as failed
# Errors a retry cannot fix: the entry itself or the caller's permissions are wrong.
PERMANENT_ERRORS = frozenset(
    {
        "InvalidArgument",
        "MalformedDetail",
        "ValidationException",
        "AccessDeniedException",
        "NotAuthorizedForSourceException",
    }
)

Key = tuple[str, str | None, str]  # (asset, column or None, entity_type), as in jobs.review


@dataclass(frozen=True)
class EventSettings:
    """The ``events:`` section of the configuration."""

    enabled: bool = False
    event_bus: str = "default"  # a bus name or ARN
    source: str = "piiscan"
    min_sensitivity: str = "high"  # publish findings of this sensitivity and above
    detail_type: str = "Sensitive data found"

    def __post_init__(self) -> None:
        if not isinstance(self.enabled, bool):
            raise ConfigError(f"events.enabled must be true or false, got {self.enabled!r}")
        for name in ("event_bus", "source", "detail_type"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise ConfigError(f"events.{name} must be a non-empty string, got {value!r}")
        if len(self.detail_type) > 128:
            raise ConfigError(f"events.detail_type must be at most 128 characters, got {len(self.detail_type)}")
        if self.source.startswith("aws."):
            raise ConfigError(f"events.source must not begin with 'aws.' (reserved by AWS), got {self.source!r}")
        if self.min_sensitivity not in SENSITIVITY_RANK:
            raise ConfigError(f"events.min_sensitivity must be one of high, medium, low, got {self.min_sensitivity!r}")

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any] | None) -> EventSettings:
        """Parse the ``events:`` section of a YAML configuration (None or empty: the defaults, disabled)."""
        if raw is None:
            return cls()
        if not isinstance(raw, Mapping):
            raise ConfigError(f"events must be a mapping, got {raw!r}")
        known = [f.name for f in fields(cls)]
        unknown = sorted(set(raw) - set(known))
        if unknown:
            raise ConfigError(f"events.{unknown[0]} is not a known setting; known: {', '.join(known)}")
        return cls(**raw)


@dataclass(frozen=True)
class EventFailure:
    """An event EventBridge did not accept after every attempt (no payload: the asset says which)."""

    asset: str
    error_code: str
    error_message: str


@dataclass(frozen=True)
class PublishResult:
    """What publish() did."""

    events: int = 0  # events built (one per asset with new findings)
    published: int = 0  # accepted by EventBridge
    calls: int = 0  # PutEvents calls made, retries included
    failures: tuple[EventFailure, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        """True when every event was accepted."""
        return not self.failures


def events_client() -> Any:
    """A boto3 EventBridge client; boto3 reads the endpoint and credentials itself."""
    import boto3

    return boto3.client("events", region_name=default_region())


def new_findings(findings: pa.Table, previous_keys: set[Key], min_sensitivity: str) -> pa.Table:
    """The findings whose key is not in ``previous_keys``, at or above ``min_sensitivity``."""
    floor = SENSITIVITY_RANK[min_sensitivity]
    keep = [
        (row["asset"], row["column"] or None, row["entity_type"]) not in previous_keys
        and SENSITIVITY_RANK.get(row["sensitivity"] or "", 0) >= floor
        for row in findings.select(["asset", "column", "entity_type", "sensitivity"]).to_pylist()
    ]
    return findings.filter(pa.array(keep, pa.bool_()))


def event_details(findings: pa.Table) -> list[dict[str, Any]]:
    """One EventBridge detail per asset of ``findings``, sorted by asset. Counts, names and ids only."""
    by_asset: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in findings.select(FINDINGS.names).to_pylist():
        by_asset[row["asset"]].append(row)
    details = []
    for asset in sorted(by_asset):
        rows = by_asset[asset]
        first = rows[0]
        entities: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in rows:
            entities[row["entity_type"]].append(row)
        ids = sorted(str(row["finding_id"]) for row in rows)
        detail: dict[str, Any] = {
            "asset": asset,
            "source_kind": first["source_kind"],
            "region": first["region"],
            "table_name": first["table_name"],
            "run_id": first["run_id"],
            "max_sensitivity": max(
                (row["sensitivity"] for row in rows), key=lambda s: SENSITIVITY_RANK.get(s or "", 0)
            ),
            "frameworks": sorted({framework for row in rows for framework in row["frameworks"] or []}),
            "findings": len(rows),
            "entity_types": [_entity(name, entities[name]) for name in sorted(entities)],
            "finding_ids": ids[:MAX_FINDING_IDS],
        }
        if len(ids) > MAX_FINDING_IDS:
            detail["finding_ids_omitted"] = len(ids) - MAX_FINDING_IDS
        details.append(detail)
    return details


def _entity(name: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    columns = sorted({row["column"] for row in rows if row["column"] is not None})
    entity: dict[str, Any] = {
        "entity_type": name,
        "findings": len(rows),
        "matched_values": sum(row["matched_values"] or 0 for row in rows),
        "max_confidence": max(row["confidence"] or 0.0 for row in rows),
        "sensitivity": max((row["sensitivity"] for row in rows), key=lambda s: SENSITIVITY_RANK.get(s or "", 0)),
        "columns": columns[:MAX_COLUMNS],
    }
    if len(columns) > MAX_COLUMNS:
        entity["columns_omitted"] = len(columns) - MAX_COLUMNS
    if any(row["column"] is None for row in rows):
        entity["object_level"] = True  # found in free text (logs, plain text), not in a column
    return entity


def entry_size(entry: Mapping[str, Any]) -> int:
    """A PutEvents entry's size as EventBridge counts it (Time 14 bytes, then the UTF-8 strings)."""
    size = 14 if entry.get("Time") is not None else 0
    for name in ("Source", "DetailType", "Detail"):
        size += len(str(entry.get(name) or "").encode())
    size += sum(len(resource.encode()) for resource in entry.get("Resources", []))
    return size


def batches(entries: Sequence[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """``entries`` in order, cut into PutEvents calls of at most 10 entries and 256 KB each."""
    cut: list[list[dict[str, Any]]] = []
    current: list[dict[str, Any]] = []
    size = 0
    for entry in entries:
        length = entry_size(entry)
        if current and (len(current) == MAX_ENTRIES or size + length > MAX_BATCH_BYTES):
            cut.append(current)
            current, size = [], 0
        current.append(entry)
        size += length
    if current:
        cut.append(current)
    return cut


def publish(
    findings: pa.Table,
    previous_keys: set[Key],
    settings: EventSettings,
    client_factory: Callable[[], Any] = events_client,
    sleep: Callable[[float], None] = time.sleep,
) -> PublishResult:
    """Publish one event per asset with new findings at or above ``settings.min_sensitivity``.

    Nothing is sent (and no client is made) when events are disabled or nothing is new. Failures are
    returned, not raised: publishing is a notification, the findings are already in the table.
    """
    if not settings.enabled:
        return PublishResult()
    details = event_details(new_findings(findings, previous_keys, settings.min_sensitivity))
    if not details:
        return PublishResult()
    times = _scanned_at(findings)
    pending: list[tuple[str, dict[str, Any]]] = []
    failures: list[EventFailure] = []
    for detail in details:
        entry: dict[str, Any] = {
            "Source": settings.source,
            "DetailType": settings.detail_type,
            "Detail": json.dumps(detail, sort_keys=True, separators=(",", ":")),
            "EventBusName": settings.event_bus,
        }
        if times.get(detail["asset"]) is not None:
            entry["Time"] = times[detail["asset"]]
        if entry_size(entry) > MAX_BATCH_BYTES:
            failures.append(EventFailure(detail["asset"], "EntryTooLarge", "the event is larger than 256 KB"))
            continue
        pending.append((detail["asset"], entry))
    client = client_factory()
    calls = published = 0
    for attempt in range(1, ATTEMPTS + 1):
        retry: list[tuple[str, dict[str, Any]]] = []
        offset = 0
        for batch in batches([entry for _, entry in pending]):
            assets = [asset for asset, _ in pending[offset : offset + len(batch)]]
            offset += len(batch)
            calls += 1
            for asset, entry, outcome in zip(assets, batch, _put(client, batch), strict=True):
                code = outcome.get("ErrorCode")
                if not code:
                    published += 1
                elif code in PERMANENT_ERRORS or attempt == ATTEMPTS:
                    failures.append(EventFailure(asset, str(code), str(outcome.get("ErrorMessage") or "")))
                else:
                    retry.append((asset, entry))
        pending = retry
        if not pending:
            break
        delay = 0.5 * 2 ** (attempt - 1)
        LOG.warning("%d event(s) not accepted by EventBridge; retrying in %.1fs", len(pending), delay)
        sleep(delay)
    for failure in failures:
        LOG.error("event for %s not published: %s %s", failure.asset, failure.error_code, failure.error_message)
    return PublishResult(len(details), published, calls, tuple(sorted(failures, key=lambda f: f.asset)))


def _put(client: Any, batch: list[dict[str, Any]]) -> list[Mapping[str, Any]]:
    """One PutEvents call; a call that fails as a whole fails each of its entries with the call's error."""
    try:
        response = client.put_events(Entries=batch)
    except Exception as exc:  # noqa: BLE001 - reported per entry, like a partial failure
        code = getattr(exc, "response", {}).get("Error", {}).get("Code") or type(exc).__name__
        return [{"ErrorCode": code, "ErrorMessage": safe_reason(exc)}] * len(batch)
    outcomes: list[Mapping[str, Any]] = list(response.get("Entries", []))
    if len(outcomes) != len(batch):  # never expected; do not count entries as delivered on a malformed answer
        return [{"ErrorCode": "InternalFailure", "ErrorMessage": "PutEvents answered for other entries"}] * len(batch)
    return outcomes


def _scanned_at(findings: pa.Table) -> dict[str, datetime | None]:
    return {row["asset"]: row["scanned_at"] for row in findings.select(["asset", "scanned_at"]).to_pylist()}


def keys_before(output: str, run_id: str) -> set[Key]:
    """The keys of the estate's current findings just before ``run_id``: what a run's findings are new against.

    For each asset, the findings of the latest successful run ordered before ``run_id`` (by ``started_at``, then
    run id) that scanned or carried it, as jobs.current does for the latest run overall.
    """
    runs = read_table(table_uri(output, "runs"), ["run_id", "started_at", "status"])
    if runs is None:
        return set()
    ordered = runs.sort_by([("started_at", "ascending"), ("run_id", "ascending")]).to_pylist()
    names = [row["run_id"] for row in ordered]
    cutoff = names.index(run_id) if run_id in names else len(names)
    order = {row["run_id"]: index for index, row in enumerate(ordered[:cutoff]) if row["status"] in SUCCESSFUL_RUNS}
    if not order:
        return set()
    condition = pc.field("run_id").isin(sorted(order))
    assets = read_table(table_uri(output, "assets"), ["run_id", "asset", "dataset", "status"], condition)
    latest: dict[str, str] = {}
    for row in [] if assets is None else assets.to_pylist():
        if row["status"] not in READ_STATUSES:
            continue
        asset = row["dataset"] or row["asset"]
        if asset not in latest or order[row["run_id"]] > order[latest[asset]]:
            latest[asset] = row["run_id"]
    if not latest:
        return set()
    columns = ["run_id", "asset", "column", "entity_type"]
    found = read_table(table_uri(output, "findings"), columns, pc.field("run_id").isin(sorted(set(latest.values()))))
    return {
        (row["asset"], row["column"] or None, row["entity_type"])
        for row in ([] if found is None else found.to_pylist())
        if latest.get(row["asset"]) == row["run_id"]
    }


def publish_run(
    output: str,
    run_id: str,
    settings: EventSettings,
    client_factory: Callable[[], Any] = events_client,
    sleep: Callable[[float], None] = time.sleep,
) -> PublishResult:
    """Publish the new findings of run ``run_id`` of ``output`` (a convenience for jobs that run after a scan)."""
    if not settings.enabled:
        return PublishResult()
    findings = read_table(table_uri(output, "findings"), FINDINGS.names, pc.field("run_id") == run_id)
    if findings is None:
        return PublishResult()
    return publish(findings.cast(FINDINGS), keys_before(output, run_id), settings, client_factory, sleep)
