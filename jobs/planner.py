"""Planning a scan on the driver: list the sources, group objects into datasets, apply object sampling.

Every listed object ends either in the plan or in the skipped list with a reason; a source that cannot be
listed is recorded as a failed asset. Nothing is dropped silently.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime

from classifiers.errors import ScanError
from jobs import rds_export, unload
from jobs.config import Sampling, Unload
from jobs.discovery import Filters, expand_sources
from jobs.formats import STRUCTURED, guess_from_name
from jobs.inventory import Inventory, latest_listing
from jobs.redaction import safe_reason
from jobs.sampling import evenly_spread
from jobs.storage import (
    ARCHIVE_STORAGE_CLASSES,
    Location,
    ObjectInfo,
    bucket_region,
    list_objects,
    parse_uri,
    read_metadata,
)

_PARTITION_SEGMENT = re.compile(r"^[^=/]+=[^/]*$")
LOG = logging.getLogger(__name__)
SAMPLING_REASON = "sampling:"  # how the reason of an object left out by objects_per_dataset begins


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
    table_name: str | None = None  # the database table, for objects of an RDS snapshot export
    status: str = "skipped"  # the assets status of an object not read: 'skipped', or 'error' (broken metadata)
    read_options: str | None = None  # JSON read options (Redshift UNLOAD text: delimiter, columns ...)
    format: str | None = None  # the assets format when the name says nothing (a database table), else guessed
    # What incremental runs compare with the previous run's: ETag, size and modification time of an object (or
    # of every object of a structured dataset); a JDBC table's statistics or watermark. None: always read.
    change_marker: str | None = None


@dataclass
class Plan:
    """What the scan will read and what it will not, with reasons."""

    objects: list[PlannedObject] = field(default_factory=list)
    skipped: list[PlannedObject] = field(default_factory=list)
    failed_sources: list[PlannedObject] = field(default_factory=list)
    # Tables and databases an RDS export's metadata reports as not exported: assets rows, not listed objects.
    export_problems: list[PlannedObject] = field(default_factory=list)
    column_types: dict[tuple[str, str], str] = field(default_factory=dict)  # (dataset, column) -> database type

    @property
    def listed(self) -> int:
        """Objects listed across all sources."""
        return len(self.objects) + len(self.skipped)

    def extend(self, other: Plan) -> None:
        """Add ``other``'s objects, rows not read and column types to this plan."""
        self.objects.extend(other.objects)
        self.skipped.extend(other.skipped)
        self.failed_sources.extend(other.failed_sources)
        self.export_problems.extend(other.export_problems)
        self.column_types.update(other.column_types)


def dataset_of(uri: str) -> str:
    """The dataset folder of an object: its folder, with Hive partition folders (``key=value``) removed."""
    folder, _, _ = uri.rpartition("/")
    scheme, _, rest = folder.partition("://")
    parts = rest.split("/")
    while len(parts) > 1 and _PARTITION_SEGMENT.match(parts[-1]):
        parts.pop()
    return f"{scheme}://{'/'.join(parts)}/"


def plan_scan(
    sources: Iterable[str],
    sampling: Sampling,
    unload_config: Unload | None = None,
    filters: Filters | None = None,
    inventory: Inventory | None = None,
) -> Plan:
    """List ``sources`` (bucket patterns expanded) and decide, object by object, what is read.

    A bucket with an S3 Inventory report configured in ``inventory`` is listed from its latest delivery.
    """
    unload_config = unload_config or Unload()
    filters = filters or Filters()
    inventory = inventory or Inventory()
    plan = Plan()
    sources, unexpanded = expand_sources(sources)
    for pattern, why in unexpanded:
        plan.failed_sources.append(PlannedObject(pattern, 0, None, None, pattern, "s3", why))
    for source in sources:
        location = parse_uri(source)
        kind = location.scheme if location.scheme == "s3" else "local"
        try:
            region = bucket_region(location.bucket) if location.scheme == "s3" else None
            listed = list(_listing(location, inventory))
        except ScanError as exc:
            plan.failed_sources.append(PlannedObject(location.uri, 0, None, None, location.uri, kind, safe_reason(exc)))
            continue
        exports = _exports(listed, region, plan)
        unloads = _unloads(listed, region, plan, unload_config)
        by_dataset: dict[tuple[str, str, str, str | None], list[ObjectInfo]] = defaultdict(list)
        for info in listed:
            if info.uri in unloads.manifests:
                note = unloads.manifests[info.uri]  # read on the driver for the column names, never scanned
                plan.skipped.append(_planned(info, region, dataset_of(info.uri), unload.SOURCE_KIND, note))
                continue
            export = _export_of(info.uri, exports)
            if export is not None and export.is_metadata(info.uri):
                status, note = export.metadata_reasons[info.uri]  # metadata is read on the driver, never scanned
                plan.skipped.append(_planned(info, region, export.root, rds_export.SOURCE_KIND, note, None, status))
                continue
            dataset, object_kind, table_name = _place(info.uri, export, kind)
            if info.uri in unloads.datasets:
                dataset, object_kind = unloads.datasets[info.uri], unload.SOURCE_KIND
            reason = _skip_reason(info) or filters.reason(info)
            if reason:
                plan.skipped.append(_planned(info, region, dataset, object_kind, reason, table_name))
            else:
                format_ = guess_from_name(info.uri).format or "unknown"
                by_dataset[(dataset, format_, object_kind, table_name)].append(info)
        for (dataset, _, object_kind, table_name), infos in sorted(by_dataset.items(), key=lambda item: item[0][:2]):
            chosen = _spread(infos, None if sampling.full_scan else sampling.objects_per_dataset)
            for info in infos:
                if info.uri in chosen:
                    planned = _planned(info, region, dataset, object_kind, None, table_name)
                    plan.objects.append(replace(planned, read_options=unloads.read_options.get(dataset)))
                else:
                    read = f"{sampling.objects_per_dataset} of {len(infos)} objects read in this dataset"
                    reason = f"{SAMPLING_REASON} {read}"
                    plan.skipped.append(_planned(info, region, dataset, object_kind, reason, table_name))
    return plan


def _listing(location: Location, inventory: Inventory) -> Iterable[ObjectInfo]:
    """The objects under ``location``: from its bucket's S3 Inventory report when one is configured, else LIST."""
    report = latest_listing(location, inventory)
    if report is None:
        return list_objects(location)
    LOG.info("listing %s from the %s", location.uri, report.describe())
    return report.objects(location.path)


@dataclass
class _Unloads:
    """Redshift UNLOADs of one source: each data file's dataset, read options per dataset, manifest notes."""

    datasets: dict[str, str] = field(default_factory=dict)  # object URI -> UNLOAD dataset
    read_options: dict[str, str] = field(default_factory=dict)  # dataset -> JSON read options
    manifests: dict[str, str] = field(default_factory=dict)  # manifest URI -> reason recorded for it


def _unloads(listed: list[ObjectInfo], region: str | None, plan: Plan, config: Unload) -> _Unloads:
    """Find the UNLOADs among ``listed``: their manifests give column names and types (into ``plan``)."""
    found = _Unloads()
    for group in unload.find_unloads(
        [i.uri for i in listed], dataset_of, lambda uri: read_metadata(uri, region).decode("utf-8", errors="replace")
    ):
        manifest = group.manifest
        columns = manifest.columns if manifest is not None else None
        for uri in group.files:
            found.datasets[uri] = group.dataset
        names = [c.name for c in columns] if columns else None
        found.read_options[group.dataset] = json.dumps(config.read_options(group.dataset, names), sort_keys=True)
        for column in columns or []:
            plan.column_types[(group.dataset, column.name)] = column.type
        if group.manifest_uri is not None:
            problems = manifest.problems if manifest is not None else []
            found.manifests[group.manifest_uri] = "; ".join([unload.MANIFEST_REASON, *problems])
    return found


def _exports(listed: list[ObjectInfo], region: str | None, plan: Plan) -> list[rds_export.RdsExport]:
    """The RDS snapshot exports among ``listed``, longest root first; their metadata goes into ``plan``."""
    uris = [info.uri for info in listed]
    exports = [rds_export.load_export(root, uris, region) for root in rds_export.export_roots(uris)]
    for export in exports:
        plan.column_types.update(export.column_types)
        plan.export_problems.extend(
            PlannedObject(p.asset, 0, None, region, p.asset, rds_export.SOURCE_KIND, p.reason, p.table_name, p.status)
            for p in export.problems
        )
    return sorted(exports, key=lambda export: -len(export.root))


def _place(uri: str, export: rds_export.RdsExport | None, kind: str) -> tuple[str, str, str | None]:
    """Dataset, source kind and table name of an object: an exported table's files are one dataset."""
    if export is None:
        return dataset_of(uri), kind, None
    table = export.table_of(uri)
    if table is None:  # under the export but outside any table folder: planned as usual, still from the export
        return dataset_of(uri), rds_export.SOURCE_KIND, None
    return table.dataset, rds_export.SOURCE_KIND, table.table_name


def _export_of(uri: str, exports: list[rds_export.RdsExport]) -> rds_export.RdsExport | None:
    """The innermost export whose root holds ``uri``, if any."""
    return next((export for export in exports if uri.startswith(export.root)), None)


def _skip_reason(info: ObjectInfo) -> str | None:
    if info.storage_class in ARCHIVE_STORAGE_CLASSES and info.restore != "done":
        if info.restore == "ongoing":
            return f"archived in storage class {info.storage_class}; its restore is in progress, scan it once done"
        return f"archived in storage class {info.storage_class}; restore it to scan"
    if info.size == 0:
        return "empty object"
    return None


def _spread(infos: list[ObjectInfo], limit: int | None) -> set[str]:
    """Up to ``limit`` objects spread evenly over the key order, first and last included (old and new partitions)."""
    ordered = sorted(info.uri for info in infos)
    return {ordered[i] for i in evenly_spread(len(ordered), limit)}


def _planned(
    info: ObjectInfo,
    region: str | None,
    dataset: str,
    kind: str,
    reason: str | None,
    table_name: str | None = None,
    status: str = "skipped",
) -> PlannedObject:
    return PlannedObject(
        info.uri,
        info.size,
        info.last_modified,
        region,
        dataset,
        kind,
        reason,
        table_name,
        status,
        change_marker=object_marker(info),
    )


def object_marker(info: ObjectInfo) -> str:
    """What says an object changed: its ETag (S3), size and modification time, e.g. ``etag=…;size=…;modified=…``."""
    modified = info.last_modified.isoformat() if info.last_modified else "unknown"
    etag = f"etag={info.etag};" if info.etag else ""
    return f"{etag}size={info.size};modified={modified}"


def assign_dataset_markers(plan: Plan) -> None:
    """Give every object of a structured dataset one marker over all its listed objects.

    A structured dataset of several objects (CSV, JSON lines, Parquet, delimited text, an RDS export table, an
    UNLOAD) is one asset whose findings combine its objects, so it is unchanged only when no object of it was
    added, removed or modified, including the objects sampling leaves out. Text objects, and a structured object
    alone in its dataset, keep their own marker: each is its own asset.
    """
    units: dict[tuple[str, str], list[PlannedObject]] = defaultdict(list)
    candidates = [*plan.objects, *(o for o in plan.skipped if (o.reason or "").startswith(SAMPLING_REASON))]
    for obj in candidates:
        if obj.change_marker is not None and _structured(obj):
            units[(obj.dataset, obj.source_kind)].append(obj)
    markers: dict[str, str] = {}
    for members in units.values():
        if len(members) == 1:
            continue  # a lone object is its own asset: its own marker says it all
        listing = "\n".join(sorted(f"{o.uri} {o.change_marker}" for o in members))
        marker = "dataset=" + hashlib.sha256(listing.encode()).hexdigest()[:32]
        markers.update((o.uri, marker) for o in members)
    plan.objects[:] = [replace(o, change_marker=markers.get(o.uri, o.change_marker)) for o in plan.objects]
    plan.skipped[:] = [replace(o, change_marker=markers.get(o.uri, o.change_marker)) for o in plan.skipped]


def _structured(obj: PlannedObject) -> bool:
    return (
        obj.read_options is not None
        or obj.table_name is not None
        or obj.source_kind in (unload.SOURCE_KIND, rds_export.SOURCE_KIND)
        or guess_from_name(obj.uri).format in STRUCTURED
    )
