"""Planning a tag run: which objects and buckets get which tags, merged with the tags they have now.

The driver decides what the job wants on each object (a few small rows per object, from the current findings);
Spark tasks read every object's current tags (GetObjectTagging, bounded concurrency) and merge. The plan is
written to ``<output>/tag_plan`` before anything is applied.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pyarrow as pa

from jobs.tables import TAG_PLAN
from jobs.tag_config import MAX_TAGS_PER_BUCKET, ApplySettings, TagConfig
from jobs.tag_merge import merge_tags, to_json
from jobs.tag_rules import WantedTags, highest_sensitivity
from jobs.tag_s3 import Clients, TaggingFailed, read_tags

TAGGABLE_KINDS = frozenset({"s3", "rds_export", "redshift_unload", "glue"})
WANTED_SCHEMA = pa.schema(
    [
        ("kind", pa.string()),
        ("target", pa.string()),
        ("bucket", pa.string()),
        ("key", pa.string()),
        ("region", pa.string()),
        ("asset", pa.string()),
        ("source_kind", pa.string()),
        ("job_tags", pa.string()),
        ("finding_ids", pa.list_(pa.string())),
        ("decisions", pa.list_(pa.string())),
        ("tag_evidence", pa.string()),
        ("review_finding_ids", pa.list_(pa.string())),
    ]
)


@dataclass
class Targets:
    """What the job wants on each taggable object and bucket, and what it leaves alone."""

    objects: list[dict[str, Any]] = field(default_factory=list)  # WANTED_SCHEMA rows
    buckets: list[dict[str, Any]] = field(default_factory=list)  # WANTED_SCHEMA rows
    not_taggable: Counter[str] = field(default_factory=Counter)  # source kind -> objects or tables left alone


def split_s3_uri(uri: str) -> tuple[str, str]:
    """``s3://bucket/key`` -> (bucket, key)."""
    bucket, _, key = uri[len("s3://") :].partition("/")
    return bucket, key


def targets(objects: pa.Table, wanted: Mapping[str, WantedTags], config: TagConfig) -> Targets:
    """One row per taggable current object (with the tags its asset wants) and per bucket holding one.

    Objects of assets with no applicable finding are planned too, with no job tags: tags the job set earlier
    are removed from them.
    """
    result = Targets()
    bucket_levels: dict[str, list[tuple[str | None, list[str]]]] = {}
    bucket_regions: dict[str, str | None] = {}
    for row in objects.to_pylist():
        uri = row["object_uri"]
        if row["source_kind"] not in TAGGABLE_KINDS or not uri.startswith("s3://"):
            result.not_taggable[row["source_kind"] or "unknown"] += 1
            continue
        bucket, key = split_s3_uri(uri)
        tags = wanted.get(row["asset"]) or WantedTags()
        result.objects.append(
            {
                "kind": "object",
                "target": uri,
                "bucket": bucket,
                "key": key,
                "region": row["region"],
                "asset": row["asset"],
                "source_kind": row["source_kind"],
                "job_tags": to_json(tags.tags),
                "finding_ids": tags.finding_ids,
                "decisions": tags.decisions,
                "tag_evidence": json.dumps(tags.evidence, sort_keys=True),
                "review_finding_ids": tags.review_finding_ids,
            }
        )
        bucket_levels.setdefault(bucket, []).append((tags.level, tags.level_ids))
        bucket_regions.setdefault(bucket, row["region"])
    if config.bucket_key is not None:
        result.buckets = [
            _bucket_row(bucket, levels, bucket_regions[bucket], config)
            for bucket, levels in sorted(bucket_levels.items())
        ]
    return result


def _bucket_row(
    bucket: str, levels: list[tuple[str | None, list[str]]], region: str | None, config: TagConfig
) -> dict[str, Any]:
    key = f"{config.prefix}{config.bucket_key}"
    level = highest_sensitivity([lvl for lvl, _ in levels])
    finding_ids = sorted({fid for lvl, ids in levels if lvl == level for fid in ids}) if level else []
    return {
        "kind": "bucket",
        "target": f"s3://{bucket}/",
        "bucket": bucket,
        "key": None,
        "region": region,
        "asset": None,
        "source_kind": "s3",
        "job_tags": to_json({key: level} if level else {}),
        "finding_ids": finding_ids,
        "decisions": None,
        "tag_evidence": json.dumps({key: finding_ids} if level else {}),
        "review_finding_ids": None,
    }


def plan_target(
    row: Mapping[str, Any], clients: Clients, prefix: str, run_id: str, planned_at: datetime
) -> dict[str, Any]:
    """The TAG_PLAN row of one object or bucket: its tags now, merged with what the job wants."""
    from jobs.tag_merge import from_json

    plan = {name: row.get(name) for name in WANTED_SCHEMA.names}
    plan.update(run_id=run_id, planned_at=planned_at, key_prefix=prefix)
    try:
        current = read_tags(clients.reader(row["region"]), row["kind"], row["bucket"], row["key"])
    except TaggingFailed as exc:
        return {**plan, "current_tags": None, "new_tags": None, "action": "failed", "reason": exc.reason}
    limit = MAX_TAGS_PER_BUCKET if row["kind"] == "bucket" else 10
    merge = merge_tags(current, from_json(row["job_tags"]), prefix, limit)
    return {
        **plan,
        "current_tags": to_json(current),
        "new_tags": to_json(merge.new_tags),
        "action": merge.action,
        "reason": merge.reason,
    }


def plan_partition(prefix: str, settings: ApplySettings, run_id: str, planned_at: datetime) -> Any:
    """The ``mapInArrow`` function planning a partition of WANTED_SCHEMA rows (S3 reads in a bounded pool)."""

    def plan(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        clients = Clients(settings)
        with ThreadPoolExecutor(max_workers=settings.max_concurrent_requests) as pool:
            for batch in batches:
                rows = list(pool.map(lambda r: plan_target(r, clients, prefix, run_id, planned_at), batch.to_pylist()))
                yield pa.RecordBatch.from_pylist(rows, schema=TAG_PLAN)

    return plan


def tag_value_counts(plan: pa.Table) -> Counter[str]:
    """``key=value`` -> objects (and buckets) whose planned job tags include it."""
    counts: Counter[str] = Counter()
    for text in plan["job_tags"].to_pylist():
        for key, value in json.loads(text or "{}").items():
            counts[f"{key}={value}"] += 1
    return counts
