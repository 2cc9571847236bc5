"""The review queue: findings a human must confirm before they are acted on, and the reviewers' decisions.

Two Delta tables under the scan's output (docs/review.md):

- ``<output>/review_queue``: one row per finding key (asset, column, entity type) queued for review, because
  its confidence is below the auto-apply threshold (``findings.decision = 'review'``) or its entity type is
  configured as "always review". A key is queued once: a later run finding it again does not queue it again.
- ``<output>/review_decisions``: append-only decisions, ``approved`` or ``rejected``, by a named reviewer. The
  latest decision per key wins. The CLI below writes them; any Delta writer may append rows directly.

The tag job applies approved findings (:func:`approved`); rejected keys are suppressions (:func:`suppressed`)
that later scans of the output drop before writing. Nothing here reads or prints a detected value: the queue
holds the findings' masked samples only.

Usage::

    python -m jobs.review --output BASE list [--pending]
    python -m jobs.review --output BASE approve FINDING_ID... --reviewer NAME [--note TEXT]
    python -m jobs.review --output BASE reject --asset URI [--column NAME] --entity TYPE --reviewer NAME

Exit codes: 0 done; 2 invalid arguments (an unknown finding id or key, no reviewer); 1 a table could not be read
or written.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the project's packages importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse
import logging
import uuid
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from classifiers.errors import ConfigError, ScanError
from jobs.current import current_findings
from jobs.delta_store import read_table, table_uri, write_table
from jobs.tables import FINDINGS, REVIEW_DECISIONS, REVIEW_QUEUE

LOG = logging.getLogger(__name__)
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
QUEUE, DECISIONS = "review_queue", "review_decisions"
APPROVED, REJECTED = "approved", "rejected"
BELOW_THRESHOLD, ALWAYS_REVIEW, AUTO_APPLY_OFF = "below_threshold", "always_review", "auto_apply_off"
_CREATE_RUN = "create"  # the commit id of the empty review_decisions table enqueue() creates

Key = tuple[str, str | None, str]  # (asset, column or None for object-level findings, entity_type)


@dataclass(frozen=True)
class ReviewSettings:
    """The ``review:`` section: what goes to the queue instead of being applied directly."""

    auto_apply: bool = True  # apply findings whose decision is auto_tag; false: every finding is reviewed
    always_review: tuple[str, ...] = ()  # entity types always reviewed, whatever their confidence

    def __post_init__(self) -> None:
        if not isinstance(self.auto_apply, bool):
            raise ConfigError(f"review.auto_apply must be true or false, got {self.auto_apply!r}")
        if not isinstance(self.always_review, tuple) or not all(
            isinstance(entity, str) and entity.strip() for entity in self.always_review
        ):
            raise ConfigError(
                f"review.always_review must be a list of entity types such as [PERSON], got {self.always_review!r}"
            )

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any] | None) -> ReviewSettings:
        """Parse the ``review:`` section of a YAML configuration (None or empty: the defaults)."""
        if raw is None:
            return cls()
        if not isinstance(raw, Mapping):
            raise ConfigError(f"review must be a mapping, got {raw!r}")
        unknown = sorted(set(raw) - {"auto_apply", "always_review"})
        if unknown:
            raise ConfigError(f"review.{unknown[0]} is not a known setting; known: auto_apply, always_review")
        entities = raw.get("always_review", [])
        if not isinstance(entities, list | tuple):
            raise ConfigError(f"review.always_review must be a list of entity types, got {entities!r}")
        return cls(auto_apply=raw.get("auto_apply", True), always_review=tuple(entities))

    def reason(self, decision: str | None, entity_type: str) -> str | None:
        """Why a finding with this decision and entity type is queued; None when it is applied directly."""
        if entity_type in self.always_review:
            return ALWAYS_REVIEW
        if decision != "auto_tag":
            return BELOW_THRESHOLD
        return None if self.auto_apply else AUTO_APPLY_OFF


def key_of(row: Mapping[str, Any]) -> Key:
    """The finding key of a findings, queue or decisions row; an empty column means none (object level)."""
    return (str(row["asset"]), row["column"] or None, str(row["entity_type"]))


def to_review(findings: pa.Table, settings: ReviewSettings = ReviewSettings()) -> pa.Table:
    """The findings (FINDINGS schema) that must be reviewed before they are applied."""
    keep = [
        settings.reason(decision, entity) is not None
        for decision, entity in zip(findings["decision"].to_pylist(), findings["entity_type"].to_pylist(), strict=True)
    ]
    return findings.filter(pa.array(keep, pa.bool_()))


def enqueue(
    output: str,
    findings: pa.Table,
    run_id: str,
    settings: ReviewSettings | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> int:
    """Queue ``findings`` (FINDINGS schema, as the caller selected them) whose key is not queued or decided yet.

    ``settings`` only names the reason recorded (see to_review() to select the findings): without them a finding
    whose decision is ``auto_tag`` is taken to be queued for its entity type (``always_review``). Returns the rows
    queued; a rerun of ``run_id`` queues nothing. Also creates the (empty) decisions table, so that reviewers can
    append rows to it directly.
    """
    seen = set(queued_keys(output)) | set(_latest(output))
    queued_at = clock()
    rows: list[dict[str, Any]] = []
    for finding in findings.select(FINDINGS.names).to_pylist():
        key = key_of(finding)
        if key in seen:
            continue
        reason = (settings or ReviewSettings()).reason(finding["decision"], finding["entity_type"]) or ALWAYS_REVIEW
        seen.add(key)
        rows.append(
            {
                "asset": key[0],
                "column": key[1],
                "entity_type": key[2],
                "finding_id": finding["finding_id"],
                "finding_run_id": finding["run_id"],
                "run_id": run_id,
                "queued_at": queued_at,
                "confidence": finding["confidence"],
                "sensitivity": finding["sensitivity"],
                "samples_masked": finding["samples_masked"],
                "reason": reason,
            }
        )
    rows.sort(key=lambda r: (r["asset"], r["column"] or "", r["entity_type"]))
    added = write_table(pa.Table.from_pylist(rows, schema=REVIEW_QUEUE), table_uri(output, QUEUE), QUEUE, run_id)
    write_table(REVIEW_DECISIONS.empty_table(), table_uri(output, DECISIONS), DECISIONS, _CREATE_RUN)
    LOG.info("run %s: %d finding(s) queued for review", run_id, added)
    return added


def queued_keys(output: str) -> dict[Key, dict[str, Any]]:
    """Every queued key -> its queue row (the first queued, should a key have been queued twice)."""
    data = read_table(table_uri(output, QUEUE), REVIEW_QUEUE.names)
    rows = [] if data is None else sorted(data.to_pylist(), key=lambda r: (_utc(r["queued_at"]), r["run_id"] or ""))
    queued: dict[Key, dict[str, Any]] = {}
    for row in rows:
        queued.setdefault(key_of(row), row)
    return queued


def decisions(output: str) -> pa.Table:
    """The latest valid decision per key (REVIEW_DECISIONS schema), sorted by key: what each tag rests on."""
    latest = _latest(output)
    return pa.Table.from_pylist([latest[key] for key in sorted(latest, key=_sort_key)], schema=REVIEW_DECISIONS)


def approved(output: str) -> pa.Table:
    """The estate's current findings (FINDINGS schema) whose key's latest decision is ``approved``."""
    keys = {key for key, row in _latest(output).items() if row["decision"] == APPROVED}
    return _with_keys(current_findings(output), keys)


def suppressed(output: str) -> set[Key]:
    """The keys whose latest decision is ``rejected``: later scans of the output do not report them."""
    return {key for key, row in _latest(output).items() if row["decision"] == REJECTED}


def without_keys(findings: pa.Table, keys: Collection[Key]) -> pa.Table:
    """``findings`` (an Arrow table with asset, column and entity_type) less the rows whose key is in ``keys``."""
    if not keys or findings.num_rows == 0:
        return findings
    drop = [key_of(row) in keys for row in findings.select(["asset", "column", "entity_type"]).to_pylist()]
    return findings.filter(pc.invert(pa.array(drop, pa.bool_())))


def review_queue(output: str, pending_only: bool = False) -> list[dict[str, Any]]:
    """The queue rows with their latest decision (``decision``, ``reviewer``, ``decided_at``; None when pending)."""
    latest = _latest(output)
    rows = []
    for key, row in sorted(queued_keys(output).items(), key=lambda item: _sort_key(item[0])):
        decided = latest.get(key)
        if pending_only and decided is not None:
            continue
        rows.append(
            {
                **row,
                "decision": decided["decision"] if decided else None,
                "reviewer": decided["reviewer"] if decided else None,
                "decided_at": decided["decided_at"] if decided else None,
            }
        )
    return rows


def decide(
    output: str,
    decision: str,
    reviewer: str,
    finding_ids: Sequence[str] = (),
    keys: Sequence[Key] = (),
    note: str | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> pa.Table:
    """Record ``decision`` by ``reviewer`` for findings named by id or by key; returns the rows appended.

    Raises ConfigError, before writing anything, for an unknown finding id or key, a bad decision or an empty
    reviewer name.
    """
    if decision not in (APPROVED, REJECTED):
        raise ConfigError(f"decision must be {APPROVED!r} or {REJECTED!r}, got {decision!r}")
    if not reviewer or not reviewer.strip():
        raise ConfigError("a reviewer name is required: every decision names who made it")
    if not finding_ids and not keys:
        raise ConfigError("name at least one finding: FINDING_ID... or --asset/--entity")
    targets = dict(resolve(output, finding_ids))
    if keys:
        known = _known_keys(output)
        unknown = [key for key in keys if key not in known]
        if unknown:
            raise ConfigError(
                "no queued or current finding has the key(s) "
                + "; ".join(_describe(key) for key in unknown)
                + " (python -m jobs.review list shows the queue)"
            )
        for key in keys:
            targets.setdefault(known[key], key)
    decided_at = clock()
    rows = [
        {
            "asset": key[0],
            "column": key[1],
            "entity_type": key[2],
            "finding_id": finding_id,
            "decision": decision,
            "reviewer": reviewer.strip(),
            "decided_at": decided_at,
            "note": note,
        }
        for finding_id, key in targets.items()
    ]
    rows.sort(key=lambda r: _sort_key(key_of(r)))
    data = pa.Table.from_pylist(rows, schema=REVIEW_DECISIONS)
    commit_id = f"{decided_at.astimezone(UTC).strftime('%Y%m%dT%H%M%S%fZ')}-{uuid.uuid4().hex[:8]}"
    write_table(data, table_uri(output, DECISIONS), DECISIONS, commit_id)
    return data


def resolve(output: str, finding_ids: Iterable[str]) -> dict[str, Key]:
    """Finding id -> key, from the queue and then the findings table; ConfigError naming any unknown id."""
    wanted = list(dict.fromkeys(finding_ids))
    if not wanted:
        return {}
    found = {row["finding_id"]: key for key, row in queued_keys(output).items() if row["finding_id"] in wanted}
    missing = [finding_id for finding_id in wanted if finding_id not in found]
    if missing:
        columns = ["finding_id", "asset", "column", "entity_type"]
        data = read_table(table_uri(output, "findings"), columns, pc.field("finding_id").isin(missing))
        for row in [] if data is None else data.to_pylist():
            found.setdefault(row["finding_id"], key_of(row))
    unknown = [finding_id for finding_id in wanted if finding_id not in found]
    if unknown:
        raise ConfigError(
            f"unknown finding id(s) {', '.join(unknown)}: not in {table_uri(output, QUEUE)} nor in the findings table"
        )
    return {finding_id: found[finding_id] for finding_id in wanted}


def _known_keys(output: str) -> dict[Key, str]:
    """Key -> a finding id for it: the current findings' ids first, else the queued one."""
    known = {key: str(row["finding_id"]) for key, row in queued_keys(output).items()}
    for row in current_findings(output).select(["finding_id", "asset", "column", "entity_type"]).to_pylist():
        known[key_of(row)] = row["finding_id"]
    return known


def _latest(output: str) -> dict[Key, dict[str, Any]]:
    """The latest valid decision row per key; on equal ``decided_at``, ``approved`` wins (nothing is hidden)."""
    data = read_table(table_uri(output, DECISIONS), REVIEW_DECISIONS.names)
    latest: dict[Key, dict[str, Any]] = {}
    ignored = 0
    for row in [] if data is None else data.to_pylist():
        decision = str(row["decision"] or "").strip().lower()
        if not row["asset"] or not row["entity_type"] or decision not in (APPROVED, REJECTED) or not row["decided_at"]:
            ignored += 1
            continue
        row = {**row, "column": row["column"] or None, "decision": decision, "decided_at": _utc(row["decided_at"])}
        key = key_of(row)
        current = latest.get(key)
        if current is None or (row["decided_at"], row["decision"] == APPROVED) > (
            current["decided_at"],
            current["decision"] == APPROVED,
        ):
            latest[key] = row
    if ignored:
        LOG.warning(
            "%d review decision row(s) ignored: asset, entity_type, decided_at and a decision of approved or "
            "rejected are required",
            ignored,
        )
    return latest


def _with_keys(findings: pa.Table, keys: Collection[Key]) -> pa.Table:
    keep = [key_of(row) in keys for row in findings.select(["asset", "column", "entity_type"]).to_pylist()]
    return findings.filter(pa.array(keep, pa.bool_())).cast(FINDINGS)


def _utc(value: Any) -> datetime:
    """A timestamp as an aware UTC datetime; a timezone-less one (written by another tool) is taken as UTC."""
    if not isinstance(value, datetime):
        return datetime.min.replace(tzinfo=UTC)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _sort_key(key: Key) -> tuple[str, str, str]:
    return (key[0], key[1] or "", key[2])


def _describe(key: Key) -> str:
    column = f" column {key[1]!r}" if key[1] is not None else " (object level)"
    return f"{key[2]} in {key[0]}{column}"


# --- the command line ------------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(prog="jobs.review", description="List and decide queued findings.")
    parser.add_argument("--output", required=True, help="base location of the scan's tables")
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="show the review queue with the latest decision per finding")
    listing.add_argument("--pending", action="store_true", help="only findings without a decision")
    for verb, name in (("approve", APPROVED), ("reject", REJECTED)):
        sub = commands.add_parser(verb, help=f"mark findings {name} (by finding id, or by --asset/--entity)")
        sub.add_argument("finding_ids", nargs="*", metavar="FINDING_ID")
        sub.add_argument("--reviewer", required=True, help="who decides (recorded with the decision)")
        sub.add_argument("--note", default=None, help="why (recorded with the decision)")
        sub.add_argument("--asset", default=None, help="decide by key: the finding's asset URI")
        sub.add_argument("--column", default=None, help="decide by key: its column (omit for object-level findings)")
        sub.add_argument("--entity", default=None, help="decide by key: its entity type, e.g. PHONE_NUMBER")
        sub.set_defaults(decision=name)
    return parser.parse_args(argv)


def format_queue(rows: Sequence[Mapping[str, Any]]) -> str:
    """The queue as printed by ``list``: one line per key, masked samples only."""
    if not rows:
        return "review queue: empty"
    lines = [f"review queue: {len(rows)} finding(s)"]
    for row in rows:
        status = row["decision"] or "pending"
        by = f" by {row['reviewer']}" if row["decision"] else ""
        column = row["column"] if row["column"] is not None else "(object)"
        samples = ", ".join(row["samples_masked"] or [])
        lines.append(
            f"  {row['finding_id']}  {status + by:<24} {row['entity_type']:<20} {row['sensitivity'] or '-':<6} "
            f"conf {row['confidence'] or 0.0:.2f}  {row['reason']:<15} {row['asset']}  {column}"
            + (f"  samples: {samples}" if samples else "")
        )
    return "\n".join(lines)


def format_decisions(rows: pa.Table) -> str:
    """What ``approve`` and ``reject`` print: one line per decision recorded."""
    lines = []
    for row in rows.to_pylist():
        column = f" column {row['column']}" if row["column"] is not None else ""
        lines.append(
            f"{row['decision']} {row['finding_id']}: {row['entity_type']} in {row['asset']}{column} "
            f"(by {row['reviewer']})"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point for ``python -m jobs.review``."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        if args.command == "list":
            print(format_queue(review_queue(args.output, pending_only=args.pending)))
            return EXIT_OK
        keys: list[Key] = []
        if args.asset is not None or args.entity is not None or args.column is not None:
            if not args.asset or not args.entity:
                raise ConfigError("deciding by key needs --asset and --entity (and --column for a column finding)")
            keys.append((args.asset, args.column or None, args.entity))
        rows = decide(args.output, args.decision, args.reviewer, args.finding_ids, keys, args.note)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ScanError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(format_decisions(rows))
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
