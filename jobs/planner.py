"""Planning a scan on the driver: list the sources, group objects into datasets, apply object sampling.

Every listed object ends either in the plan or in the skipped list with a reason; a source that cannot be
listed is recorded as a failed asset. Nothing is dropped silently.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from classifiers.errors import ScanError
from jobs.config import Sampling
from jobs.formats import guess_from_name
from jobs.redaction import safe_reason
from jobs.storage import ARCHIVE_STORAGE_CLASSES, ObjectInfo, bucket_region, list_objects, parse_uri

_PARTITION_SEGMENT = re.compile(r"^[^=/]+=[^/]*$")


@dataclass(frozen=True)
class PlannedObject:
    """An object to read, with the dataset folder it belongs to."""

    uri: str
    size: int
    last_modified: datetime | None
    region: str | None
    dataset: str
    source_kind: str
    reason: str | None = None  # why it is skipped, for skipped objects


@dataclass
class Plan:
    """What the scan will read and what it will not, with reasons."""

    objects: list[PlannedObject] = field(default_factory=list)
    skipped: list[PlannedObject] = field(default_factory=list)
    failed_sources: list[PlannedObject] = field(default_factory=list)

    @property
    def listed(self) -> int:
        """Objects listed across all sources."""
        return len(self.objects) + len(self.skipped)


def dataset_of(uri: str) -> str:
    """The dataset folder of an object: its folder, with Hive partition folders (``key=value``) removed."""
    folder, _, _ = uri.rpartition("/")
    scheme, _, rest = folder.partition("://")
    parts = rest.split("/")
    while len(parts) > 1 and _PARTITION_SEGMENT.match(parts[-1]):
        parts.pop()
    return f"{scheme}://{'/'.join(parts)}/"


def plan_scan(sources: Iterable[str], sampling: Sampling) -> Plan:
    """List ``sources`` and decide, object by object, what is read."""
    plan = Plan()
    for source in sources:
        location = parse_uri(source)
        kind = location.scheme if location.scheme == "s3" else "local"
        try:
            region = bucket_region(location.bucket) if location.scheme == "s3" else None
            listed = list(list_objects(location))
        except ScanError as exc:
            plan.failed_sources.append(PlannedObject(location.uri, 0, None, None, location.uri, kind, safe_reason(exc)))
            continue
        by_dataset: dict[tuple[str, str], list[ObjectInfo]] = defaultdict(list)
        for info in listed:
            reason = _skip_reason(info)
            dataset = dataset_of(info.uri)
            if reason:
                plan.skipped.append(_planned(info, region, dataset, kind, reason))
            else:
                by_dataset[(dataset, guess_from_name(info.uri).format or "unknown")].append(info)
        for (dataset, _), infos in sorted(by_dataset.items()):
            chosen = _spread(infos, None if sampling.full_scan else sampling.objects_per_dataset)
            for info in infos:
                if info.uri in chosen:
                    plan.objects.append(_planned(info, region, dataset, kind, None))
                else:
                    reason = f"sampling: {sampling.objects_per_dataset} of {len(infos)} objects read in this dataset"
                    plan.skipped.append(_planned(info, region, dataset, kind, reason))
    return plan


def _skip_reason(info: ObjectInfo) -> str | None:
    if info.storage_class in ARCHIVE_STORAGE_CLASSES:
        return f"archived in storage class {info.storage_class}; restore it to scan"
    if info.size == 0:
        return "empty object"
    return None


def _spread(infos: list[ObjectInfo], limit: int | None) -> set[str]:
    """Up to ``limit`` objects spread evenly over the key order, first and last included (old and new partitions)."""
    ordered = sorted(info.uri for info in infos)
    if limit is None or len(ordered) <= limit:
        return set(ordered)
    if limit == 1:
        return {ordered[-1]}
    last = len(ordered) - 1
    return {ordered[round(i * last / (limit - 1))] for i in range(limit)}


def _planned(info: ObjectInfo, region: str | None, dataset: str, kind: str, reason: str | None) -> PlannedObject:
    return PlannedObject(info.uri, info.size, info.last_modified, region, dataset, kind, reason)
