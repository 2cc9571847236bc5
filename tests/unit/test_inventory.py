"""S3 Inventory reports as object lists: manifests, the three data formats, versions, prefixes and broken reports.

Every inventory here is synthetic (tests/inventory_fixtures.py) and written in AWS's layout; the last test reads a
CSV and a Parquet inventory from a local S3 endpoint.
"""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from pathlib import Path

import boto3
import pytest

from classifiers.errors import ConfigError, SourceError
from jobs.inventory import Inventory, InventoryListing, field_name, latest_listing, objects_from_inventory
from jobs.storage import Location, ObjectInfo, parse_uri
from tests.inventory_fixtures import CURRENT_FIELDS, VERSIONED_FIELDS, Row, upload_folder, write_inventory

BUCKET = "acme-huge"
ETAG = "0123456789abcdef0123456789abcdef"
MODIFIED = datetime(2026, 11, 1, 8, 30, tzinfo=UTC)
DELIVERED = datetime(2026, 11, 22, 21, 32, tzinfo=UTC)
OLDER = datetime(2026, 11, 21, 21, 32, tzinfo=UTC)

# Two data files, neither in key order: versions, a delete marker, encoded keys, a folder marker, an archive.
VERSIONED_ROWS = [
    [
        Row("logs/2026/11/app log+1.txt", size=2048, version_id="v9"),
        Row("logs/2026/11/app log+1.txt", size=1024, version_id="v8", is_latest=False),
        Row("exports/clients café/naïve 100%.csv", size=77, version_id="v7", storage_class="STANDARD_IA"),
        Row("deleted/report.csv", version_id="v6", is_delete_marker=True),
        Row("deleted/report.csv", size=5, version_id="v5", is_latest=False),
    ],
    [
        Row("logs/2026/10/", size=0, version_id="v4"),
        Row("logs/2026/10/a&b=c?d#e.json", size=0, version_id="v3"),
        Row("archive/2019.tar", size=9, version_id="v2", storage_class="DEEP_ARCHIVE"),
        Row(
            "日本/データ.parquet",
            size=12345678901,
            version_id="v1",
            last_modified=datetime(2025, 1, 2, 3, 4, 5, 6000, UTC),
        ),
    ],
]
EXPECTED_ALL = [
    ObjectInfo("s3://acme-huge/archive/2019.tar", 9, MODIFIED, "DEEP_ARCHIVE", ETAG),
    ObjectInfo("s3://acme-huge/exports/clients café/naïve 100%.csv", 77, MODIFIED, "STANDARD_IA", ETAG),
    ObjectInfo("s3://acme-huge/logs/2026/10/a&b=c?d#e.json", 0, MODIFIED, "STANDARD", ETAG),
    ObjectInfo("s3://acme-huge/logs/2026/11/app log+1.txt", 2048, MODIFIED, "STANDARD", ETAG),
    ObjectInfo(
        "s3://acme-huge/日本/データ.parquet", 12345678901, datetime(2025, 1, 2, 3, 4, 5, 6000, UTC), "STANDARD", ETAG
    ),
]


def _config(bucket_folder: Path, source: str = BUCKET) -> Inventory:
    return Inventory(reports={source: f"{bucket_folder}/inventory/{source}/daily"})


def _list(bucket_folder: Path, source_uri: str = f"s3://{BUCKET}/") -> list[ObjectInfo]:
    objects = objects_from_inventory(parse_uri(source_uri), _config(bucket_folder))
    assert objects is not None
    return list(objects)


@pytest.mark.parametrize("file_format", ["CSV", "ORC", "Parquet"])
def test_a_versioned_inventory_lists_the_current_objects_in_key_order(tmp_path: Path, file_format: str) -> None:
    write_inventory(tmp_path, VERSIONED_ROWS, file_format=file_format, fields=VERSIONED_FIELDS)
    assert _list(tmp_path) == EXPECTED_ALL


def test_unordered_objects_come_in_the_order_of_the_data_files(tmp_path: Path) -> None:
    write_inventory(tmp_path, VERSIONED_ROWS, file_format="Parquet", fields=VERSIONED_FIELDS)
    listing = latest_listing(parse_uri(f"s3://{BUCKET}/"), _config(tmp_path))
    assert listing is not None
    assert list(listing.objects(ordered=False)) == [EXPECTED_ALL[i] for i in (3, 1, 2, 0, 4)]


@pytest.mark.parametrize("file_format", ["CSV", "ORC", "Parquet"])
def test_only_objects_under_the_source_prefix_are_listed(tmp_path: Path, file_format: str) -> None:
    write_inventory(tmp_path, VERSIONED_ROWS, file_format=file_format, fields=VERSIONED_FIELDS)
    assert _list(tmp_path, f"s3://{BUCKET}/logs/2026/") == [
        ObjectInfo("s3://acme-huge/logs/2026/10/a&b=c?d#e.json", 0, MODIFIED, "STANDARD", ETAG),
        ObjectInfo("s3://acme-huge/logs/2026/11/app log+1.txt", 2048, MODIFIED, "STANDARD", ETAG),
    ]
    assert _list(tmp_path, f"s3://{BUCKET}/exports/clients café/") == [EXPECTED_ALL[1]]
    assert _list(tmp_path, f"s3://{BUCKET}/nothing/") == []


@pytest.mark.parametrize("file_format", ["CSV", "ORC", "Parquet"])
def test_a_current_versions_inventory_without_optional_fields(tmp_path: Path, file_format: str) -> None:
    rows = [[Row("b.csv", size=3), Row("a.csv", size=4, storage_class="GLACIER")]]
    write_inventory(tmp_path, rows, file_format=file_format, fields=("Bucket", "Key", "Size", "LastModifiedDate"))
    assert _list(tmp_path) == [
        ObjectInfo("s3://acme-huge/a.csv", 4, MODIFIED, None, None),
        ObjectInfo("s3://acme-huge/b.csv", 3, MODIFIED, None, None),
    ]


def test_csv_keys_are_url_decoded_with_plus_as_space(tmp_path: Path) -> None:
    manifest = write_inventory(tmp_path, [[Row("a b+c%d/é.txt")]], fields=CURRENT_FIELDS)
    data = json.loads(manifest.read_text())["files"][0]["key"]
    line = gzip.decompress((tmp_path / data).read_bytes()).decode()
    assert line.split(",")[1] == '"a+b%2Bc%25d%2F%C3%A9.txt"'
    assert [o.uri for o in _list(tmp_path)] == ["s3://acme-huge/a b+c%d/é.txt"]


def test_the_latest_delivery_with_a_manifest_is_used(tmp_path: Path) -> None:
    older = write_inventory(tmp_path, [[Row("old.csv")]], delivered=OLDER)
    write_inventory(tmp_path, [[Row("new.csv")]], file_format="Parquet")
    in_progress = tmp_path / "inventory" / BUCKET / "daily" / "2026-11-23T21-32Z"
    in_progress.mkdir()  # a delivery still being written: no manifest.json yet
    listing = latest_listing(parse_uri(f"s3://{BUCKET}/"), _config(tmp_path))
    report = f"file://{tmp_path}/inventory/{BUCKET}/daily"
    assert listing == InventoryListing(
        source_bucket=BUCKET,
        manifest_uri=f"{report}/2026-11-22T21-32Z/manifest.json",
        created_at=DELIVERED,
        file_format="Parquet",
        data_files=listing.data_files if listing else (),
        region=None,
    )
    assert [f.uri for f in listing.data_files] == [f"{report}/data/2026-11-22T21-32Z-0000-synthetic.parquet"]
    assert listing.describe() == f"S3 Inventory of 2026-11-22 21:32 UTC ({report}/2026-11-22T21-32Z/manifest.json)"
    assert [o.uri for o in listing.objects()] == ["s3://acme-huge/new.csv"]
    (older.parent / "manifest.json").unlink()
    (tmp_path / "inventory" / BUCKET / "daily" / "2026-11-22T21-32Z" / "manifest.json").unlink()
    with pytest.raises(SourceError) as raised:
        latest_listing(parse_uri(f"s3://{BUCKET}/"), _config(tmp_path))
    assert str(raised.value) == (
        f"no inventory delivery with a manifest.json under {report}/ (expected dated folders YYYY-MM-DDTHH-MMZ/); "
        "check inventory.reports and that the inventory configuration has delivered a report"
    )


def test_no_inventory_for_unconfigured_buckets_and_local_sources(tmp_path: Path) -> None:
    config = _config(tmp_path)
    assert objects_from_inventory(parse_uri("s3://other-bucket/"), config) is None
    assert objects_from_inventory(Location("file", "", str(tmp_path)), config) is None
    assert objects_from_inventory(parse_uri(f"s3://{BUCKET}/"), Inventory()) is None


def test_a_missing_report_folder_is_a_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as raised:
        _list(tmp_path)
    assert str(raised.value) == f"inventory report folder file://{tmp_path}/inventory/{BUCKET}/daily/ does not exist"


def _manifest_error(tmp_path: Path, manifest: Path, content: bytes) -> str:
    manifest.write_bytes(content)
    (manifest.parent / "manifest.checksum").unlink()
    with pytest.raises(SourceError) as raised:
        _list(tmp_path)
    return str(raised.value)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda m: b'{"sourceBucket": "acme-huge", "files": [', "is not valid JSON: JSONDecodeError"),
        (lambda m: b"[]", "is not a JSON object"),
        (lambda m: {**m, "fileFormat": "JSON"}, "has fileFormat 'JSON'; expected one of CSV, ORC, Parquet"),
        (lambda m: {k: v for k, v in m.items() if k != "fileSchema"}, "has no fileSchema naming the CSV columns"),
        (lambda m: {**m, "files": []}, "lists no data files ('files' is missing or empty)"),
        (lambda m: {**m, "files": [{"size": 1}]}, "files[0] has no valid 'key'"),
        (lambda m: {**m, "files": [{"key": "../../etc/passwd"}]}, "files[0] has no valid 'key'"),
        (
            lambda m: {**m, "sourceBucket": "acme-other"},
            "is for bucket 'acme-other', not 'acme-huge'; check inventory.reports",
        ),
        (
            lambda m: {**m, "fileSchema": "Bucket, Key, Size, ETag"},
            "has no LastModifiedDate field; the scan needs each object's size and last-modified date: "
            "add Size and LastModifiedDate to the inventory configuration's optional fields",
        ),
    ],
)
def test_a_broken_manifest_is_a_source_error(tmp_path: Path, change: object, message: str) -> None:
    manifest = write_inventory(tmp_path, [[Row("a.csv")]])
    changed = change(json.loads(manifest.read_text()))  # type: ignore[operator]
    content = changed if isinstance(changed, bytes) else json.dumps(changed).encode()
    error = _manifest_error(tmp_path, manifest, content)
    separator = ": " if message.startswith("files[") else " "
    assert error == f"inventory manifest file://{manifest}{separator}{message}"


def test_a_manifest_that_does_not_match_its_checksum_is_a_source_error(tmp_path: Path) -> None:
    manifest = write_inventory(tmp_path, [[Row("a.csv")]])
    manifest.write_text(manifest.read_text().replace('"CSV"', '"csv"'))
    with pytest.raises(SourceError) as raised:
        _list(tmp_path)
    assert str(raised.value) == (
        f"inventory manifest file://{manifest} does not match its manifest.checksum; it is incomplete or was altered"
    )


def test_the_creation_time_falls_back_to_the_delivery_folder(tmp_path: Path) -> None:
    manifest = write_inventory(tmp_path, [[Row("a.csv")]])
    content = {**json.loads(manifest.read_text()), "creationTimestamp": None}
    manifest.write_text(json.dumps(content))
    (manifest.parent / "manifest.checksum").unlink()
    listing = latest_listing(parse_uri(f"s3://{BUCKET}/"), _config(tmp_path))
    assert listing is not None
    assert listing.created_at == DELIVERED


@pytest.mark.parametrize("file_format", ["CSV", "ORC", "Parquet"])
def test_a_data_file_listed_in_the_manifest_but_absent_is_a_source_error(tmp_path: Path, file_format: str) -> None:
    manifest = write_inventory(tmp_path, [[Row("a.csv")], [Row("b.csv")]], file_format=file_format)
    missing = tmp_path / json.loads(manifest.read_text())["files"][1]["key"]
    missing.unlink()
    objects = objects_from_inventory(parse_uri(f"s3://{BUCKET}/"), _config(tmp_path))
    assert objects is not None  # the manifest is fine: data files are read as the objects are consumed
    with pytest.raises(SourceError) as raised:
        list(objects)
    assert str(raised.value) == (
        f"inventory data file file://{missing} is listed in file://{manifest} but does not exist"
    )


@pytest.mark.parametrize(
    ("file_format", "content", "reason"),
    [
        ("CSV", b"not gzip at all", "OSError: zlib inflate failed: incorrect header check"),
        (
            "CSV",
            gzip.compress(b'"acme-huge","secret-customer-file.csv","12"\n'),
            "ArrowInvalid: CSV parse error: Expected 7 columns, got 3: <row omitted>",
        ),
        (
            "Parquet",
            b"PAR1 truncated",
            "ArrowInvalid: Parquet magic bytes not found in footer. Either the file is corrupted or this is not a "
            "parquet file.",
        ),
        ("ORC", b"ORC truncated", "OSError: Invalid ORC postscript length: 100, file length = 13"),
    ],
)
def test_a_broken_data_file_is_a_source_error_that_quotes_no_data(
    tmp_path: Path, file_format: str, content: bytes, reason: str
) -> None:
    manifest = write_inventory(tmp_path, [[Row("a.csv")]], file_format=file_format)
    broken = tmp_path / json.loads(manifest.read_text())["files"][0]["key"]
    broken.write_bytes(content)
    with pytest.raises(SourceError) as raised:
        _list(tmp_path)
    assert str(raised.value) == f"cannot read inventory data file file://{broken}: {reason}"
    assert "secret" not in str(raised.value)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            '"acme-huge","k%20secret","twelve","2026-11-01T08:30:00.000Z"',
            "column size holds a value that is not a whole number",
        ),
        (
            '"acme-huge","k%20secret","12","yesterday"',
            "column last_modified_date holds a value that is not an ISO-8601 date-time",
        ),
        ('"acme-huge","k%20secret","","2026-11-01T08:30:00.000Z"', "has an object row without a size"),
    ],
)
def test_bad_values_in_a_csv_row_are_source_errors_without_the_values(tmp_path: Path, line: str, message: str) -> None:
    manifest = write_inventory(tmp_path, [[Row("a.csv")]], fields=("Bucket", "Key", "Size", "LastModifiedDate"))
    data = tmp_path / json.loads(manifest.read_text())["files"][0]["key"]
    data.write_bytes(gzip.compress(line.encode() + b"\n"))
    with pytest.raises(SourceError) as raised:
        _list(tmp_path)
    assert str(raised.value) == f"inventory data file file://{data}{':' if 'column' in message else ''} {message}"


def test_csv_dates_without_a_zone_are_utc(tmp_path: Path) -> None:
    manifest = write_inventory(tmp_path, [[Row("a.csv")]], fields=("Bucket", "Key", "Size", "LastModifiedDate"))
    data = tmp_path / json.loads(manifest.read_text())["files"][0]["key"]
    data.write_bytes(gzip.compress(b'"acme-huge","a.csv","12","2026-11-01T08:30:00"\n'))
    assert _list(tmp_path) == [ObjectInfo("s3://acme-huge/a.csv", 12, MODIFIED, None, None)]


@pytest.mark.parametrize("file_format", ["ORC", "Parquet"])
def test_a_columnar_data_file_without_size_is_a_source_error(tmp_path: Path, file_format: str) -> None:
    fields = ("Bucket", "Key", "LastModifiedDate")
    manifest = write_inventory(tmp_path, [[Row("a.csv")]], file_format=file_format, fields=fields)
    content = {**json.loads(manifest.read_text()), "fileSchema": "unparsed"}
    manifest.write_text(json.dumps(content))
    (manifest.parent / "manifest.checksum").unlink()
    data = tmp_path / content["files"][0]["key"]
    with pytest.raises(SourceError) as raised:
        _list(tmp_path)
    assert str(raised.value) == (
        f"inventory data file file://{data} has no size field; the scan needs each object's size and "
        "last-modified date: add Size and LastModifiedDate to the inventory configuration's optional fields"
    )


@pytest.mark.parametrize(
    ("name", "normalised"),
    [
        ("LastModifiedDate", "last_modified_date"),
        ("ETag", "e_tag"),
        (" IsDeleteMarker", "is_delete_marker"),
        ("VersionId", "version_id"),
        ("key", "key"),
        ("BucketKeyStatus", "bucket_key_status"),
    ],
)
def test_field_names(name: str, normalised: str) -> None:
    assert field_name(name) == normalised


def test_report_folders_are_normalised() -> None:
    config = Inventory(reports={BUCKET: "s3://acme-inventory/inventory/acme-huge/daily"})
    assert config.report_for(BUCKET) == Location("s3", "acme-inventory", "inventory/acme-huge/daily/")
    assert config.report_for("other") is None
    assert Inventory().reports == {}


@pytest.mark.parametrize(
    ("reports", "message"),
    [
        (["s3://x"], "inventory.reports must map source bucket names to report folders, got ['s3://x']"),
        (
            {"s3://acme-huge": "s3://d/acme-huge/daily/"},
            "inventory.reports: 's3://acme-huge' is not a bucket name; use the source bucket's name (acme-logs), "
            "not a URI",
        ),
        (
            {BUCKET: 42},
            "inventory.reports['acme-huge'] must be a report folder URI such as s3://dest/prefix/acme-huge/daily/, "
            "got 42",
        ),
        (
            {BUCKET: "gs://d/acme-huge/daily/"},
            "unsupported URI scheme 'gs' in 'gs://d/acme-huge/daily/'; use a local path, file:// or s3://",
        ),
    ]
    + [
        (
            {BUCKET: folder},
            f"inventory.reports['acme-huge'] must be the report folder s3://DEST[/PREFIX]/acme-huge/CONFIG-ID/ that "
            f"holds the dated delivery folders (source bucket name, then the inventory configuration's id), "
            f"got {folder!r}",
        )
        for folder in (
            "s3://acme-inventory/",
            "s3://acme-inventory/inventory/",
            "s3://acme-inventory/inventory/other-bucket/daily/",
            "s3://acme-inventory/inventory/acme-huge/daily/2026-11-22T21-32Z/",
        )
    ],
)
def test_bad_report_configuration_is_a_config_error(reports: object, message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        Inventory(reports=reports)  # type: ignore[arg-type]
    assert str(raised.value) == message


def test_csv_and_parquet_inventories_from_s3(tmp_path: Path, s3_endpoint: str) -> None:
    rows = [[Row("z.csv", size=1), Row("a/b c.csv", size=2)], [Row("m/é.json", size=3)]]
    write_inventory(tmp_path, rows, source_bucket="acme-csv", file_format="CSV", delivered=OLDER)
    write_inventory(tmp_path, rows, source_bucket="acme-csv", file_format="CSV")
    write_inventory(tmp_path, VERSIONED_ROWS, file_format="Parquet", fields=VERSIONED_FIELDS, prefix="")
    in_progress = tmp_path / "inventory" / "acme-csv" / "daily" / "2026-11-23T21-32Z" / "manifest.checksum"
    in_progress.parent.mkdir()
    in_progress.write_text("0" * 32)  # a delivery being written: its manifest.json is not there yet
    upload_folder(tmp_path, "acme-inventory", s3_endpoint)
    config = Inventory(
        reports={
            "acme-csv": "s3://acme-inventory/inventory/acme-csv/daily/",
            BUCKET: "s3://acme-inventory/acme-huge/daily",
        }
    )
    listing = latest_listing(parse_uri("s3://acme-csv/"), config)
    assert listing is not None
    assert (listing.manifest_uri, listing.created_at, listing.file_format, listing.region) == (
        "s3://acme-inventory/inventory/acme-csv/daily/2026-11-22T21-32Z/manifest.json",
        DELIVERED,
        "CSV",
        "us-east-1",
    )
    assert list(listing.objects()) == [
        ObjectInfo("s3://acme-csv/a/b c.csv", 2, MODIFIED, "STANDARD", ETAG),
        ObjectInfo("s3://acme-csv/m/é.json", 3, MODIFIED, "STANDARD", ETAG),
        ObjectInfo("s3://acme-csv/z.csv", 1, MODIFIED, "STANDARD", ETAG),
    ]
    parquet = objects_from_inventory(parse_uri(f"s3://{BUCKET}/"), config)
    assert parquet is not None
    assert list(parquet) == EXPECTED_ALL
    boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1").delete_object(
        Bucket="acme-inventory", Key=listing.data_files[1].uri.removeprefix("s3://acme-inventory/")
    )
    with pytest.raises(SourceError) as raised:
        list(listing.objects())
    assert str(raised.value) == (
        f"inventory data file {listing.data_files[1].uri} is listed in {listing.manifest_uri} but does not exist"
    )
