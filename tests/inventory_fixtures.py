"""SYNTHETIC S3 Inventory deliveries, written in AWS's layout, for the tests of jobs.inventory.

Nothing here came from a real inventory: bucket names, keys, sizes, dates and checksums are made up. The layout and
encodings follow the Amazon S3 User Guide ("Locating your inventory list", "Amazon S3 inventory list"):

    <bucket folder>/<prefix>/<source bucket>/<config id>/<YYYY-MM-DDTHH-MMZ>/manifest.json
                                                          .../manifest.checksum   (MD5 of manifest.json, hex)
                                                     .../data/<name>.csv.gz | .orc | .parquet
                                                     .../hive/dt=YYYY-MM-DD-HH-MM/symlink.txt

CSV files are gzip, headerless, every field quoted, keys URL-encoded with spaces as ``+`` (as Java's URLEncoder,
which is what S3 Inventory's output looks like); ORC and Parquet use the snake_case column names of the manifest
examples. ``write_inventory`` writes to a local folder standing for the destination bucket; ``upload_folder``
copies that folder into a bucket of a (local) S3 endpoint.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote_plus

import pyarrow as pa
import pyarrow.orc as orc
import pyarrow.parquet as pq

# (CSV name, ORC/Parquet name, Arrow type, Parquet fileSchema declaration, ORC fileSchema type)
FIELDS: dict[str, tuple[str, pa.DataType, str, str]] = {
    "Bucket": ("bucket", pa.string(), "required binary bucket (UTF8)", "string"),
    "Key": ("key", pa.string(), "required binary key (UTF8)", "string"),
    "VersionId": ("version_id", pa.string(), "optional binary version_id (UTF8)", "string"),
    "IsLatest": ("is_latest", pa.bool_(), "optional boolean is_latest", "boolean"),
    "IsDeleteMarker": ("is_delete_marker", pa.bool_(), "optional boolean is_delete_marker", "boolean"),
    "Size": ("size", pa.int64(), "optional int64 size", "bigint"),
    "LastModifiedDate": (
        "last_modified_date",
        pa.timestamp("ms", tz="UTC"),
        "optional int64 last_modified_date (TIMESTAMP_MILLIS)",
        "timestamp",
    ),
    "ETag": ("e_tag", pa.string(), "optional binary e_tag (UTF8)", "string"),
    "StorageClass": ("storage_class", pa.string(), "optional binary storage_class (UTF8)", "string"),
    "IsMultipartUploaded": ("is_multipart_uploaded", pa.bool_(), "optional boolean is_multipart_uploaded", "boolean"),
    "EncryptionStatus": ("encryption_status", pa.string(), "optional binary encryption_status (UTF8)", "string"),
}
CURRENT_FIELDS = ("Bucket", "Key", "Size", "LastModifiedDate", "ETag", "StorageClass", "EncryptionStatus")
VERSIONED_FIELDS = (
    "Bucket",
    "Key",
    "VersionId",
    "IsLatest",
    "IsDeleteMarker",
    "Size",
    "LastModifiedDate",
    "ETag",
    "StorageClass",
    "IsMultipartUploaded",
    "EncryptionStatus",
)
EXTENSIONS = {"CSV": ".csv.gz", "ORC": ".orc", "Parquet": ".parquet"}


@dataclass(frozen=True)
class Row:
    """One (synthetic) object version as an inventory lists it."""

    key: str
    size: int | None = 100
    last_modified: datetime | None = datetime(2026, 11, 1, 8, 30, tzinfo=UTC)
    etag: str | None = "0123456789abcdef0123456789abcdef"
    storage_class: str | None = "STANDARD"
    version_id: str | None = None
    is_latest: bool = True
    is_delete_marker: bool = False


def write_inventory(
    bucket_folder: Path,
    files: Sequence[Sequence[Row]],
    *,
    source_bucket: str = "acme-huge",
    file_format: str = "CSV",
    delivered: datetime = datetime(2026, 11, 22, 21, 32, tzinfo=UTC),
    fields: Sequence[str] = CURRENT_FIELDS,
    prefix: str = "inventory",
    config_id: str = "daily",
    destination_bucket: str = "acme-inventory",
) -> Path:
    """Write one delivery (a data file per entry of ``files``) and return the manifest.json path.

    Under ``bucket_folder``, which stands for the destination bucket ``destination_bucket``.
    """
    report_key = f"{prefix}/{source_bucket}/{config_id}" if prefix else f"{source_bucket}/{config_id}"
    folder = delivered.strftime("%Y-%m-%dT%H-%MZ")
    entries = []
    for index, rows in enumerate(files):
        key = f"{report_key}/data/{folder}-{index:04d}-synthetic{EXTENSIONS[file_format]}"
        payload = _data(rows, file_format, fields, source_bucket)
        (bucket_folder / key).parent.mkdir(parents=True, exist_ok=True)
        (bucket_folder / key).write_bytes(payload)
        entries.append({"key": key, "size": len(payload), "MD5checksum": hashlib.md5(payload).hexdigest()})
    manifest = {
        "sourceBucket": source_bucket,
        "destinationBucket": f"arn:aws:s3:::{destination_bucket}",
        "version": "2016-11-30",
        "creationTimestamp": str(int(delivered.timestamp() * 1000)),
        "fileFormat": file_format,
        "fileSchema": file_schema(file_format, fields),
        "files": entries,
    }
    raw = json.dumps(manifest, indent=4).encode()
    manifest_path = bucket_folder / report_key / folder / "manifest.json"
    manifest_path.parent.mkdir(parents=True, exist_ok=True)
    manifest_path.write_bytes(raw)
    (manifest_path.parent / "manifest.checksum").write_text(hashlib.md5(raw).hexdigest() + "\n")
    hive = bucket_folder / report_key / "hive" / f"dt={delivered:%Y-%m-%d-%H-%M}" / "symlink.txt"
    hive.parent.mkdir(parents=True, exist_ok=True)
    hive.write_text("".join(f"s3://{destination_bucket}/{entry['key']}\n" for entry in entries))
    return manifest_path


def file_schema(file_format: str, fields: Sequence[str]) -> str:
    """The manifest's fileSchema for ``fields``, written as AWS's examples write it."""
    if file_format == "CSV":
        return ", ".join(fields)
    if file_format == "ORC":
        return "struct<" + ",".join(f"{FIELDS[f][0]}:{FIELDS[f][3]}" for f in fields) + ">"
    return "message s3.inventory { " + " ".join(f"{FIELDS[f][2]};" for f in fields) + " }"


def encode_key(key: str) -> str:
    """A key as CSV inventories write it: URL-encoded like Java's URLEncoder (space as '+', '/' as %2F)."""
    return quote_plus(key, safe="*")


def _values(row: Row, source_bucket: str) -> dict[str, object]:
    return {
        "Bucket": source_bucket,
        "Key": row.key,
        "VersionId": row.version_id,
        "IsLatest": row.is_latest,
        "IsDeleteMarker": row.is_delete_marker,
        "Size": None if row.is_delete_marker else row.size,
        "LastModifiedDate": row.last_modified,
        "ETag": None if row.is_delete_marker else row.etag,
        "StorageClass": None if row.is_delete_marker else row.storage_class,
        "IsMultipartUploaded": False,
        "EncryptionStatus": "SSE-S3",
    }


def _data(rows: Sequence[Row], file_format: str, fields: Sequence[str], source_bucket: str) -> bytes:
    if file_format == "CSV":
        text = io.StringIO()
        writer = csv.writer(text, quoting=csv.QUOTE_ALL, lineterminator="\n")
        for row in rows:
            values = _values(row, source_bucket)
            writer.writerow([_csv_value(name, values[name]) for name in fields])
        return gzip.compress(text.getvalue().encode("utf-8"), mtime=0)
    table = pa.table(
        {
            FIELDS[name][0]: pa.array([_values(row, source_bucket)[name] for row in rows], FIELDS[name][1])
            for name in fields
        }
    )
    sink = io.BytesIO()
    if file_format == "ORC":
        orc.write_table(table, sink, compression="zlib")
    else:
        pq.write_table(table, sink, compression="snappy")
    return sink.getvalue()


def _csv_value(name: str, value: object) -> str:
    if value is None:
        return ""
    if name == "Key":
        return encode_key(str(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
    return str(value)


def upload_folder(folder: Path, bucket: str, endpoint_url: str) -> None:
    """Create ``bucket`` on the endpoint and copy every file under ``folder`` into it (keys relative to it)."""
    import boto3

    client = boto3.client("s3", endpoint_url=endpoint_url, region_name="us-east-1")
    client.create_bucket(Bucket=bucket)
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        client.put_object(Bucket=bucket, Key=path.relative_to(folder).as_posix(), Body=path.read_bytes())
