"""S3 Inventory reports as the object list of huge buckets, instead of LIST calls.

A bucket with hundreds of millions of objects takes hours and millions of LIST requests to list; S3 Inventory
delivers the same list daily or weekly as files. The ``inventory`` section maps a source bucket to its report
folder ``s3://DEST/PREFIX/SOURCE-BUCKET/CONFIG-ID/``; the latest delivery found there replaces the LIST.

What AWS writes, as documented in the Amazon S3 User Guide, "Locating your inventory list" and "Amazon S3
inventory list" (docs.aws.amazon.com/AmazonS3/latest/userguide/storage-inventory-location.html and
storage-inventory.html; the awsdocs/amazon-s3-userguide repository, doc_source/storage-inventory-location.md,
storage-inventory.md and storage-inventory-athena-query.md):

- ``PREFIX/SOURCE-BUCKET/CONFIG-ID/YYYY-MM-DDTHH-MMZ/manifest.json`` and ``manifest.checksum`` (the MD5 of
  manifest.json) per delivery, the folder named after the time the report began scanning the bucket
  (``2016-11-06T21-32Z``); data files under ``PREFIX/SOURCE-BUCKET/CONFIG-ID/data/``; ``hive/dt=.../symlink.txt``.
- manifest.json: ``sourceBucket``, ``destinationBucket`` (``arn:aws:s3:::bucket``), ``version``
  (``2016-11-30``), ``creationTimestamp`` (milliseconds since the epoch, as a string), ``fileFormat`` (``CSV``,
  ``ORC`` or ``Parquet``), ``fileSchema`` and ``files``: ``[{"key", "size", "MD5checksum"}]``, each ``key`` a
  key of the destination bucket.
- ``fileSchema`` for CSV names the columns: ``Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size,
  LastModifiedDate, ETag, StorageClass, IsMultipartUploaded, ...``; for ORC a ``struct<bucket:string,
  key:string,version_id:string,is_latest:boolean,is_delete_marker:boolean,size:bigint,
  last_modified_date:timestamp,e_tag:string,storage_class:string,...>``; for Parquet ``message s3.inventory {
  required binary bucket (UTF8); required binary key (UTF8); optional binary version_id (UTF8); optional boolean
  is_latest; optional boolean is_delete_marker; optional int64 size; optional int64 last_modified_date
  (TIMESTAMP_MILLIS); optional binary e_tag (UTF8); optional binary storage_class (UTF8); ... }``.
- CSV files are gzip-compressed, ORC files ZLIB, Parquet files Snappy. In CSV the key is URL-encoded "and must
  be decoded"; spaces come as ``+`` (cloud-custodian/cloud-custodian issue #1997 and pull request #1998:
  ``unquote_plus``). VersionId and IsLatest appear only in inventories of all versions; IsDeleteMarker is
  added to those; Size, LastModifiedDate, ETag and StorageClass are optional fields. AWS's Athena DDL types
  ``last_modified_date`` as ``bigint`` (ORC, Parquet) or ``string`` (CSV), so integers (milliseconds),
  timestamps and ISO-8601 strings are all accepted.

Only what a LIST would return counts: with a versioned inventory, rows with IsLatest true that are not delete
markers. Unknown columns are ignored; Size and LastModifiedDate are required (the plan, the filters and
incremental runs need them). A broken manifest or data file is a SourceError whose reason names the file and
never quotes object keys or other row data. Data files are read one at a time, batch by batch; the objects
under the source's prefix are yielded in key order (the order of a LIST).

A report folder may also be a local path (a copy of the destination bucket's folder): data file keys are then
resolved against the folder the report folder's path implies.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote_plus

import pyarrow as pa
import pyarrow.compute as pc

from classifiers.errors import ConfigError, SourceError
from jobs.redaction import safe_reason
from jobs.storage import Location, ObjectInfo, bucket_region, filesystem, parse_uri, read_metadata, s3_client

LOG = logging.getLogger(__name__)

FORMATS = ("CSV", "ORC", "Parquet")
MANIFEST = "manifest.json"
CHECKSUM = "manifest.checksum"
REQUIRED_FIELDS = ("key", "size", "last_modified_date")
_WANTED = (*REQUIRED_FIELDS, "is_latest", "is_delete_marker", "e_tag", "storage_class")
_CSV_NAMES = {"key": "Key", "size": "Size", "last_modified_date": "LastModifiedDate"}
_DELIVERY = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}Z$")
_BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_PARQUET_FIELD = re.compile(r"\b(?:required|optional|repeated)\s+\w+\s+(\w+)")
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
_MD5 = re.compile(r"^[0-9a-f]{32}$")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_BATCH_ROWS = 64 * 1024


@dataclass(frozen=True)
class Inventory:
    """The ``inventory`` section: which buckets are listed from an S3 Inventory report instead of LIST calls.

    Attributes:
        reports: Source bucket name -> its inventory report folder, ``s3://DEST/PREFIX/SOURCE-BUCKET/CONFIG-ID/``
            (the folder holding the dated delivery folders, ``data/`` and ``hive/``). The latest delivery with a
            manifest.json is read at every run.

    """

    reports: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.reports, Mapping):
            raise ConfigError(f"inventory.reports must map source bucket names to report folders, got {self.reports!r}")
        for bucket, report in self.reports.items():
            if not isinstance(bucket, str) or not _BUCKET_NAME.match(bucket):
                raise ConfigError(
                    f"inventory.reports: {bucket!r} is not a bucket name; use the source bucket's name "
                    "(acme-logs), not a URI"
                )
            _report_location(bucket, report)

    def report_for(self, bucket: str) -> Location | None:
        """The report folder configured for ``bucket`` (with a trailing slash), or None."""
        report = self.reports.get(bucket)
        return None if report is None else _report_location(bucket, report)


def _report_location(bucket: str, report: Any) -> Location:
    where = f"inventory.reports[{bucket!r}]"
    if not isinstance(report, str) or not report:
        raise ConfigError(
            f"{where} must be a report folder URI such as s3://dest/prefix/{bucket}/daily/, got {report!r}"
        )
    location = parse_uri(report)  # ConfigError for an unsupported scheme
    path = location.path.rstrip("/")
    parts = path.split("/")
    if len(parts) < 2 or parts[-2] != bucket or not parts[-1] or _DELIVERY.match(parts[-1]):
        raise ConfigError(
            f"{where} must be the report folder s3://DEST[/PREFIX]/{bucket}/CONFIG-ID/ that holds the dated "
            f"delivery folders (source bucket name, then the inventory configuration's id), got {report!r}"
        )
    return Location(location.scheme, location.bucket, path + "/")


@dataclass(frozen=True)
class DataFile:
    """One data file a manifest lists."""

    uri: str
    size: int | None
    md5: str | None


@dataclass(frozen=True)
class InventoryListing:
    """One delivery of an inventory report: its manifest, and the objects its data files list.

    ``created_at`` is the manifest's creationTimestamp (when the report began scanning the bucket): objects
    written after it may be missing, objects deleted after it may still be listed.
    """

    source_bucket: str
    manifest_uri: str
    created_at: datetime
    file_format: str  # CSV, ORC or Parquet
    data_files: tuple[DataFile, ...]
    csv_columns: tuple[str, ...] = ()  # the CSV columns in file order, normalised (last_modified_date ...)
    region: str | None = None  # the destination bucket's region, for reading the data files

    def describe(self) -> str:
        """E.g. ``S3 Inventory of 2026-11-22 21:32 UTC (s3://dest/.../manifest.json)``, for logs."""
        return f"S3 Inventory of {self.created_at:%Y-%m-%d %H:%M} UTC ({self.manifest_uri})"

    def objects(self, prefix: str = "", ordered: bool = True) -> Iterator[ObjectInfo]:
        """The current objects whose keys begin with ``prefix``, in key order (the order of a LIST).

        Data files are read one at a time, batch by batch. In key order, the objects are kept until the last
        file is read (the files' key ranges may overlap); ``ordered=False`` yields them batch by batch, in the
        files' order, holding nothing. Raises SourceError for a missing or broken data file.
        """
        found: list[ObjectInfo] = []
        for data_file in self.data_files:
            for batch in _batches(self, data_file):
                objects = _objects(batch, self, data_file, prefix)
                if ordered:
                    found.extend(objects)
                else:
                    yield from objects
        found.sort(key=lambda info: info.uri)  # already sorted runs cost one pass
        yield from found


def objects_from_inventory(location: Location, config: Inventory) -> Iterator[ObjectInfo] | None:
    """The objects under ``location`` from its bucket's latest inventory delivery; None without a report.

    The manifest is read before this returns (SourceError when there is none or it is broken); data files are
    read as the iterator is consumed.
    """
    listing = latest_listing(location, config)
    return None if listing is None else listing.objects(location.path)


def latest_listing(location: Location, config: Inventory) -> InventoryListing | None:
    """The latest delivery of the report configured for ``location``'s bucket; None for other sources.

    One LIST (delimiter ``/``) of the report folder finds the delivery folders; the newest one with a
    manifest.json is used (a delivery still being written has none yet).
    """
    if location.scheme != "s3":
        return None
    report = config.report_for(location.bucket)
    if report is None:
        return None
    region = bucket_region(report.bucket) if report.scheme == "s3" else None
    deliveries = sorted((name for name in _folders(report, region) if _DELIVERY.match(name)), reverse=True)
    for delivery in deliveries:
        manifest = Location(report.scheme, report.bucket, f"{report.path}{delivery}/{MANIFEST}")
        try:
            raw = read_metadata(manifest.uri, region)
        except FileNotFoundError:
            LOG.info("inventory delivery %s%s/ has no %s yet; trying the one before", report.uri, delivery, MANIFEST)
            continue
        except (OSError, ValueError) as exc:
            raise SourceError(f"cannot read inventory manifest {manifest.uri}: {_reason(exc)}") from None
        _check_checksum(manifest, raw, region)
        return parse_manifest(raw, manifest.uri, location.bucket, report, delivery, region)
    raise SourceError(
        f"no inventory delivery with a {MANIFEST} under {report.uri} (expected dated folders YYYY-MM-DDTHH-MMZ/); "
        "check inventory.reports and that the inventory configuration has delivered a report"
    )


def parse_manifest(
    raw: bytes, manifest_uri: str, source_bucket: str, report: Location, delivery: str, region: str | None = None
) -> InventoryListing:
    """Validate a manifest.json of ``report`` (delivery folder ``delivery``) into an InventoryListing."""
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SourceError(f"inventory manifest {manifest_uri} is not valid JSON: {type(exc).__name__}") from None
    if not isinstance(manifest, dict):
        raise SourceError(f"inventory manifest {manifest_uri} is not a JSON object")
    listed_bucket = manifest.get("sourceBucket")
    if listed_bucket is not None and listed_bucket != source_bucket:
        raise SourceError(
            f"inventory manifest {manifest_uri} is for bucket {listed_bucket!r}, not {source_bucket!r}; "
            "check inventory.reports"
        )
    file_format = next((f for f in FORMATS if f.lower() == str(manifest.get("fileFormat", "")).lower()), None)
    if file_format is None:
        raise SourceError(
            f"inventory manifest {manifest_uri} has fileFormat {manifest.get('fileFormat')!r}; "
            f"expected one of {', '.join(FORMATS)}"
        )
    schema = manifest.get("fileSchema")
    fields = _schema_fields(file_format, schema) if isinstance(schema, str) else ()
    if file_format == "CSV" and not fields:
        raise SourceError(f"inventory manifest {manifest_uri} has no fileSchema naming the CSV columns")
    if fields:
        _require_fields(fields, file_format, f"manifest {manifest_uri}")
    files = manifest.get("files")
    if not isinstance(files, list) or not files:
        raise SourceError(f"inventory manifest {manifest_uri} lists no data files ('files' is missing or empty)")
    data_files = tuple(_data_file(entry, index, report, manifest_uri) for index, entry in enumerate(files))
    return InventoryListing(
        source_bucket=source_bucket,
        manifest_uri=manifest_uri,
        created_at=_created_at(manifest.get("creationTimestamp"), delivery),
        file_format=file_format,
        data_files=data_files,
        csv_columns=fields if file_format == "CSV" else (),
        region=region,
    )


def field_name(name: str) -> str:
    """The ORC/Parquet name of a field: ``LastModifiedDate`` -> ``last_modified_date``, ``ETag`` -> ``e_tag``."""
    return _CAMEL.sub("_", name.strip()).lower()


def _schema_fields(file_format: str, schema: str) -> tuple[str, ...]:
    """The field names of a manifest's fileSchema, normalised; empty when it cannot be parsed."""
    if file_format == "CSV":
        names = [part.strip() for part in schema.split(",")]
        return tuple(field_name(n) for n in names) if all(names) else ()
    if file_format == "Parquet":
        return tuple(field_name(n) for n in _PARQUET_FIELD.findall(schema))
    inner = schema.strip()
    if not (inner.lower().startswith("struct<") and inner.endswith(">")):
        return ()
    names, depth, current = [], 0, ""
    for char in inner[len("struct<") : -1] + ",":
        if char == "," and depth == 0:
            names.append(current.partition(":")[0].strip())
            current = ""
            continue
        depth += {"<": 1, ">": -1}.get(char, 0)
        current += char
    return tuple(field_name(n) for n in names if n)


def _require_fields(fields: tuple[str, ...] | list[str], file_format: str, where: str) -> None:
    missing = [name for name in REQUIRED_FIELDS if name not in fields]
    if missing:
        shown = ", ".join(_CSV_NAMES[m] if file_format == "CSV" else m for m in missing)
        raise SourceError(
            f"inventory {where} has no {shown} field; the scan needs each object's size and last-modified date: "
            "add Size and LastModifiedDate to the inventory configuration's optional fields"
        )


def _data_file(entry: Any, index: int, report: Location, manifest_uri: str) -> DataFile:
    key = entry.get("key") if isinstance(entry, dict) else None
    if not isinstance(key, str) or not key or key.startswith("/") or ".." in key.split("/"):
        raise SourceError(f"inventory manifest {manifest_uri}: files[{index}] has no valid 'key'")
    size = entry.get("size")
    md5 = entry.get("MD5checksum")
    return DataFile(
        uri=_data_file_uri(report, key, manifest_uri),
        size=size if isinstance(size, int) and not isinstance(size, bool) else None,
        md5=md5 if isinstance(md5, str) else None,
    )


def _data_file_uri(report: Location, key: str, manifest_uri: str) -> str:
    """Where a manifest's data file key lives: in the report's bucket; locally, under the implied bucket folder."""
    if report.scheme == "s3":
        return f"s3://{report.bucket}/{key}"
    folder = report.path.rstrip("/").split("/")
    parts = key.split("/")
    # The report folder is <bucket folder>/<report key path>, and data keys begin with that key path:
    # the longest overlap of the folder's last components with the key's first ones gives the bucket folder.
    for overlap in range(min(len(folder) - 1, len(parts) - 1), 0, -1):
        if folder[-overlap:] == parts[:overlap]:
            return "file://" + "/".join(folder[:-overlap] + parts)
    raise SourceError(f"inventory manifest {manifest_uri} lists data file {key!r}, which is not under {report.uri}")


def _created_at(value: Any, delivery: str) -> datetime:
    """When the report began: creationTimestamp (epoch milliseconds, string or number), else the folder's time."""
    if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip().isdigit():
        return _EPOCH + timedelta(milliseconds=int(str(value).strip()))
    return datetime.strptime(delivery, "%Y-%m-%dT%H-%MZ").replace(tzinfo=UTC)


def _folders(report: Location, region: str | None) -> list[str]:
    """The names of the folders directly under the report folder (one delimited LIST)."""
    if report.scheme != "s3":
        if not os.path.isdir(report.path):
            raise SourceError(f"inventory report folder {report.uri} does not exist")
        return sorted(entry.name for entry in os.scandir(report.path) if entry.is_dir())
    client = s3_client(region, report.bucket)  # a report bucket of a member account: its role (jobs.accounts)
    paginator = client.get_paginator("list_objects_v2")  # type: ignore[attr-defined]
    names: list[str] = []
    try:
        for page in paginator.paginate(Bucket=report.bucket, Prefix=report.path, Delimiter="/"):
            for common in page.get("CommonPrefixes", []):
                names.append(str(common["Prefix"])[len(report.path) :].rstrip("/"))
    except Exception as exc:
        raise SourceError(f"cannot list inventory report folder {report.uri}: {type(exc).__name__}") from exc
    return names


def _check_checksum(manifest: Location, raw: bytes, region: str | None) -> None:
    """Compare manifest.json with its manifest.checksum (an MD5 in hex) when there is one."""
    checksum = Location(manifest.scheme, manifest.bucket, manifest.path[: -len(MANIFEST)] + CHECKSUM)
    try:
        expected = read_metadata(checksum.uri, region).decode("ascii", errors="replace").strip().lower()
    except (OSError, ValueError):
        return  # an older copy without it: nothing to compare
    if _MD5.match(expected) and expected != hashlib.md5(raw).hexdigest():
        raise SourceError(
            f"inventory manifest {manifest.uri} does not match its {CHECKSUM}; it is incomplete or was altered"
        )


def _reason(exc: BaseException) -> str:
    """A reason for a read error that quotes nothing (library messages can quote rows or values)."""
    return _QUOTED.sub("<omitted>", safe_reason(exc))


def _batches(listing: InventoryListing, data_file: DataFile) -> Iterator[pa.RecordBatch]:
    """The record batches of one data file, holding only the wanted columns under their ORC/Parquet names."""
    location = parse_uri(data_file.uri)
    fs = filesystem(location, listing.region)
    try:
        if listing.file_format == "CSV":
            yield from _csv_batches(fs, location, listing)
        elif listing.file_format == "Parquet":
            yield from _parquet_batches(fs, location, listing)
        else:
            yield from _orc_batches(fs, location, listing)
    except FileNotFoundError:
        raise SourceError(
            f"inventory data file {data_file.uri} is listed in {listing.manifest_uri} but does not exist"
        ) from None
    except (OSError, ValueError, pa.ArrowException) as exc:
        raise SourceError(f"cannot read inventory data file {data_file.uri}: {_reason(exc)}") from None


def _csv_batches(fs: Any, location: Location, listing: InventoryListing) -> Iterator[pa.RecordBatch]:
    import pyarrow.csv as pacsv

    columns = list(listing.csv_columns)
    include = [name for name in _WANTED if name in columns]
    compression = "gzip" if location.path.endswith(".gz") else None
    with fs.open_input_stream(location.fs_path, compression=compression) as stream:
        reader = pacsv.open_csv(
            stream,
            read_options=pacsv.ReadOptions(column_names=columns, block_size=1 << 22),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(include, pa.string()),
                include_columns=include,
                strings_can_be_null=False,
            ),
        )
        yield from reader


def _parquet_batches(fs: Any, location: Location, listing: InventoryListing) -> Iterator[pa.RecordBatch]:
    import pyarrow.parquet as pq

    with fs.open_input_file(location.fs_path) as handle:
        parquet = pq.ParquetFile(handle)
        names = _file_columns(parquet.schema_arrow.names, location, listing)
        for batch in parquet.iter_batches(batch_size=_BATCH_ROWS, columns=list(names)):
            yield pa.RecordBatch.from_arrays(batch.columns, names=[names[n] for n in batch.schema.names])


def _orc_batches(fs: Any, location: Location, listing: InventoryListing) -> Iterator[pa.RecordBatch]:
    import pyarrow.orc as orc

    with fs.open_input_file(location.fs_path) as handle:
        orc_file = orc.ORCFile(handle)
        names = _file_columns(orc_file.schema.names, location, listing)
        for stripe in range(orc_file.nstripes):
            batch = orc_file.read_stripe(stripe, columns=list(names))
            yield pa.RecordBatch.from_arrays(batch.columns, names=[names[n] for n in batch.schema.names])


def _file_columns(names: list[str], location: Location, listing: InventoryListing) -> dict[str, str]:
    """The wanted columns of an ORC or Parquet file: file name -> normalised name."""
    wanted = {name: field_name(name) for name in names if field_name(name) in _WANTED}
    _require_fields(list(wanted.values()), listing.file_format, f"data file {location.uri}")
    return wanted


def _objects(batch: pa.RecordBatch, listing: InventoryListing, data_file: DataFile, prefix: str) -> list[ObjectInfo]:
    """The current objects of one batch whose keys begin with ``prefix``."""
    columns = dict(zip(batch.schema.names, batch.columns, strict=True))
    if not pa.types.is_string(columns["key"].type):
        raise _not_a("a string", "key", data_file)
    keep = pa.repeat(True, batch.num_rows)
    if "is_latest" in columns:
        keep = pc.and_(keep, pc.fill_null(_booleans(columns["is_latest"], "is_latest", data_file), True))
    if "is_delete_marker" in columns:
        deleted = pc.fill_null(_booleans(columns["is_delete_marker"], "is_delete_marker", data_file), False)
        keep = pc.and_(keep, pc.invert(deleted))
    if listing.file_format != "CSV" and prefix:  # CSV keys are URL-encoded: filtered after decoding
        keep = pc.and_(keep, pc.fill_null(pc.starts_with(columns["key"], prefix), False))
    batch = batch.filter(keep)
    if batch.num_rows == 0:
        return []
    columns = dict(zip(batch.schema.names, batch.columns, strict=True))
    keys = _decoded(columns["key"]) if listing.file_format == "CSV" else _strings(columns["key"], "key", data_file)
    sizes = _integers(columns["size"], "size", data_file)
    modified = _milliseconds(columns["last_modified_date"], data_file)
    absent: list[str | None] = [None] * len(keys)
    etags = _strings(columns["e_tag"], "e_tag", data_file) if "e_tag" in columns else absent
    classes = _strings(columns["storage_class"], "storage_class", data_file) if "storage_class" in columns else absent
    found: list[ObjectInfo] = []
    bucket = listing.source_bucket
    for key, size, millis, etag, storage_class in zip(keys, sizes, modified, etags, classes, strict=True):
        if key is None or not key.startswith(prefix):
            if key is None:
                raise SourceError(f"inventory data file {data_file.uri} has a row without a key")
            continue
        if size is None or millis is None:
            raise SourceError(
                f"inventory data file {data_file.uri} has an object row without a "
                f"{'size' if size is None else 'last-modified date'}"
            )
        if key.endswith("/") and size == 0:
            continue  # a folder marker, as a LIST would show it: not an object
        found.append(
            ObjectInfo(
                uri=f"s3://{bucket}/{key}",
                size=size,
                last_modified=_EPOCH + timedelta(milliseconds=millis),
                storage_class=storage_class or None,
                etag=(etag or "").strip('"') or None,
            )
        )
    return found


def _decoded(encoded: pa.Array | pa.ChunkedArray) -> list[str | None]:
    """URL-decoded CSV keys (``+`` is a space): the common escapes vectorised, the rest by ``unquote_plus``."""
    simple = pc.replace_substring(pc.replace_substring(encoded, "+", " "), "%2F", "/")
    keys: list[str | None] = simple.to_pylist()
    rest = pc.fill_null(pc.match_substring(simple, "%"), False)
    if pc.any(rest).as_py():
        for index in pc.indices_nonzero(rest).to_pylist():
            keys[index] = unquote_plus(encoded[index].as_py())
    return keys


def _not_a(what: str, name: str, data_file: DataFile) -> SourceError:
    return SourceError(f"inventory data file {data_file.uri}: column {name} holds a value that is not {what}")


def _strings(array: pa.Array | pa.ChunkedArray, name: str, data_file: DataFile) -> list[str | None]:
    if not (pa.types.is_string(array.type) or pa.types.is_large_string(array.type)):
        raise _not_a("a string", name, data_file)
    return array.to_pylist()  # type: ignore[no-any-return]


def _booleans(array: pa.Array | pa.ChunkedArray, name: str, data_file: DataFile) -> pa.Array:
    if pa.types.is_boolean(array.type):
        return array
    if not pa.types.is_string(array.type):
        raise _not_a("true or false", name, data_file)
    lowered = pc.utf8_lower(pc.utf8_trim_whitespace(array))
    known = pc.or_(pc.is_in(lowered, pa.array(["true", "false", ""])), pc.is_null(lowered))
    if not pc.all(known).as_py():
        raise _not_a("true or false", name, data_file)
    return pc.if_else(pc.equal(lowered, ""), None, pc.equal(lowered, "true"))


def _integers(array: pa.Array | pa.ChunkedArray, name: str, data_file: DataFile) -> list[int | None]:
    if pa.types.is_integer(array.type):
        return array.to_pylist()  # type: ignore[no-any-return]
    if not pa.types.is_string(array.type):
        raise _not_a("a whole number", name, data_file)
    blank = pc.equal(pc.utf8_trim_whitespace(array), "")
    try:
        return pc.cast(pc.if_else(blank, None, array), pa.int64()).to_pylist()  # type: ignore[no-any-return]
    except pa.ArrowInvalid:
        raise _not_a("a whole number", name, data_file) from None


def _milliseconds(array: pa.Array | pa.ChunkedArray, data_file: DataFile) -> list[int | None]:
    """Last-modified dates as milliseconds since the epoch: timestamps, integers (ms) or ISO-8601 strings."""
    name = "last_modified_date"
    if pa.types.is_timestamp(array.type):
        unit = pa.timestamp("ms", tz=array.type.tz)
        return pc.cast(pc.cast(array, unit, safe=False), pa.int64()).to_pylist()  # type: ignore[no-any-return]
    if pa.types.is_integer(array.type):
        return array.to_pylist()  # type: ignore[no-any-return]
    if not pa.types.is_string(array.type):
        raise _not_a("a date-time", name, data_file)
    try:  # the documented form, 2016-11-06T21:32:53.000Z, converts in one vectorised step
        blank = pc.equal(pc.utf8_trim_whitespace(array), "")
        parsed = pc.cast(pc.if_else(blank, None, array), pa.timestamp("ms", tz="UTC"))
        return pc.cast(parsed, pa.int64()).to_pylist()  # type: ignore[no-any-return]
    except pa.ArrowInvalid:
        pass
    result: list[int | None] = []
    for text in array.to_pylist():
        if text is None or not text.strip():
            result.append(None)
            continue
        try:
            moment = datetime.fromisoformat(text.strip())
        except ValueError:
            raise _not_a("an ISO-8601 date-time", name, data_file) from None
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        result.append((moment - _EPOCH) // timedelta(milliseconds=1))
    return result
