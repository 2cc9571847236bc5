"""Applying a tag plan: per object, re-read the tags, re-merge, and write only when something changes.

Another writer may have added a tag between planning and applying, so the plan's ``new_tags`` are never written
blindly: the job's tags (``job_tags``) are merged again into the tags the object has just before the write.
Runs inside Spark tasks through ``mapInArrow`` (boto3 clients per task, a bounded pool of requests in flight).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa

from jobs.tables import TAG_RESULTS
from jobs.tag_config import MAX_TAGS_PER_BUCKET, MAX_TAGS_PER_OBJECT, ApplySettings
from jobs.tag_merge import from_json, merge_tags, to_json
from jobs.tag_s3 import Clients, Retrier, TaggingFailed, read_tags, write_call, write_tags

APPLY_COLUMNS = ["kind", "target", "bucket", "key", "region", "key_prefix", "job_tags"]
APPLY_SCHEMA = pa.schema([(name, TAG_RESULTS.field("target").type) for name in APPLY_COLUMNS])


def apply_target(
    row: Mapping[str, Any],
    clients: Clients,
    retrier: Retrier,
    run_id: str,
    attempt_id: str,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> dict[str, Any]:
    """Bring one object's (or bucket's) tags in line with the plan; returns its TAG_RESULTS row."""
    result: dict[str, Any] = {
        "run_id": run_id,
        "attempt_id": attempt_id,
        "kind": row["kind"],
        "target": row["target"],
        "tags_written": None,
        "attempts": 0,
    }
    kind, bucket, key = row["kind"], row["bucket"], row["key"]
    try:
        current = read_tags(clients.reader(row["region"]), kind, bucket, key)
    except TaggingFailed as exc:
        return {**result, "status": "failed", "reason": exc.reason, "at": clock()}
    limit = MAX_TAGS_PER_BUCKET if kind == "bucket" else MAX_TAGS_PER_OBJECT
    merge = merge_tags(current, from_json(row["job_tags"]), row["key_prefix"], limit)
    if merge.new_tags is None:
        return {**result, "status": "failed", "reason": merge.reason, "at": clock()}
    if merge.action == "none":
        return {**result, "status": "skipped", "reason": "tags already up to date", "at": clock()}
    new_tags = merge.new_tags
    writer = clients.writer(row["region"])
    try:
        _, attempts = retrier.call(write_call(kind, new_tags), lambda: write_tags(writer, kind, bucket, key, new_tags))
    except TaggingFailed as exc:
        return {**result, "status": "failed", "reason": exc.reason, "attempts": exc.attempts, "at": clock()}
    return {
        **result,
        "tags_written": to_json(new_tags),
        "status": "succeeded",
        "reason": merge.reason,
        "attempts": attempts,
        "at": clock(),
    }


def apply_rows(
    rows: list[dict[str, Any]],
    settings: ApplySettings,
    run_id: str,
    attempt_id: str,
    clients: Clients | None = None,
    retrier: Retrier | None = None,
) -> list[dict[str, Any]]:
    """Apply plan rows with at most ``settings.max_concurrent_requests`` in flight; results in the same order."""
    clients = clients or Clients(settings)
    retrier = retrier or Retrier.from_settings(settings)
    with ThreadPoolExecutor(max_workers=settings.max_concurrent_requests) as pool:
        return list(pool.map(lambda r: apply_target(r, clients, retrier, run_id, attempt_id), rows))


def apply_partition(settings: ApplySettings, run_id: str, attempt_id: str) -> Any:
    """The ``mapInArrow`` function applying a partition of plan rows (APPLY_COLUMNS)."""

    def apply(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        clients = Clients(settings)
        retrier = Retrier.from_settings(settings)
        for batch in batches:
            rows = apply_rows(batch.to_pylist(), settings, run_id, attempt_id, clients, retrier)
            yield pa.RecordBatch.from_pylist(rows, schema=TAG_RESULTS)

    return apply
