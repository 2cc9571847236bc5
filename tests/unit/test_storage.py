"""Source URIs, canonical URIs and paths, local listing, and delta-rs storage options from the environment."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber

import jobs.storage
from classifiers.errors import ConfigError
from jobs.storage import Location, list_objects, parse_uri, storage_options

AWS_VARIABLES = ("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL", "AWS_REGION", "AWS_DEFAULT_REGION")


@pytest.fixture
def clean_aws_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in AWS_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.mark.parametrize(
    ("uri", "location", "canonical", "fs_path"),
    [
        ("s3://bucket/prefix/", Location("s3", "bucket", "prefix/"), "s3://bucket/prefix/", "bucket/prefix/"),
        ("s3://bucket/a/b.csv", Location("s3", "bucket", "a/b.csv"), "s3://bucket/a/b.csv", "bucket/a/b.csv"),
        ("s3://bucket", Location("s3", "bucket", ""), "s3://bucket/", "bucket/"),
        ("file:///pii/x", Location("file", "", "/pii/x"), "file:///pii/x", "/pii/x"),
        ("file:///pii/x/", Location("file", "", "/pii/x/"), "file:///pii/x/", "/pii/x/"),
        ("/pii/a/../b.csv", Location("file", "", "/pii/b.csv"), "file:///pii/b.csv", "/pii/b.csv"),
    ],
)
def test_parse_uri(uri: str, location: Location, canonical: str, fs_path: str) -> None:
    parsed = parse_uri(uri)
    assert parsed == location
    assert (parsed.uri, parsed.fs_path) == (canonical, fs_path)


@pytest.mark.parametrize(("relative", "suffix"), [("rel/dir", ""), ("rel/dir/", "/")])
def test_parse_uri_resolves_a_relative_path_against_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, relative: str, suffix: str
) -> None:
    monkeypatch.chdir(tmp_path)
    cwd = Path.cwd()
    parsed = parse_uri(relative)
    assert parsed == Location("file", "", f"{cwd}/rel/dir{suffix}")
    assert parsed.uri == f"file://{cwd}/rel/dir{suffix}"


@pytest.mark.parametrize(
    ("uri", "message"),
    [
        ("s3://", "S3 URI 's3://' has no bucket; expected s3://bucket/prefix"),
        ("s3:///key", "S3 URI 's3:///key' has no bucket; expected s3://bucket/prefix"),
        ("gs://x", "unsupported URI scheme 'gs' in 'gs://x'; use a local path, file:// or s3://"),
        ("https://host/x", "unsupported URI scheme 'https' in 'https://host/x'; use a local path, file:// or s3://"),
    ],
)
def test_parse_uri_rejects_what_it_cannot_read(uri: str, message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_uri(uri)
    assert str(raised.value) == message


@pytest.mark.parametrize(
    ("uri", "location"),
    [
        ("s3://bucket/logs/app#1.log", Location("s3", "bucket", "logs/app#1.log")),
        ("s3://bucket/exports/q?.csv", Location("s3", "bucket", "exports/q?.csv")),
        ("file:///data/report#2.csv", Location("file", "", "/data/report#2.csv")),
    ],
)
def test_parse_uri_keeps_hash_and_question_marks_in_keys(uri: str, location: Location) -> None:
    assert parse_uri(uri) == location


def test_list_objects_lists_files_in_path_order_with_sizes(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "x.csv").write_bytes(b"abc")
    (tmp_path / "a.csv").write_bytes(b"a")
    listed = list(list_objects(parse_uri(str(tmp_path))))
    assert [(info.uri, info.size, info.storage_class) for info in listed] == [
        (f"file://{tmp_path}/a.csv", 1, None),
        (f"file://{tmp_path}/b/x.csv", 3, None),
    ]


def test_s3_listing_asks_for_the_restore_status_and_tells_restored_archives(monkeypatch: pytest.MonkeyPatch) -> None:
    # The stubbed client checks the request against S3's API model, so a wrong parameter name fails here.
    client = boto3.client("s3", region_name="eu-west-1", aws_access_key_id="test", aws_secret_access_key="test")
    when, now = datetime(2024, 5, 1, tzinfo=UTC), datetime.now(UTC)

    def item(key: str, storage_class: str, restore: dict[str, object] | None = None) -> dict[str, object]:
        listed = {"Key": key, "Size": 3, "LastModified": when, "StorageClass": storage_class, "ETag": f'"{key}"'}
        return listed | ({"RestoreStatus": restore} if restore is not None else {})

    contents = [
        item("a/plain.csv", "STANDARD"),
        item("a/cold.csv", "GLACIER"),
        item("a/warming.csv", "GLACIER", {"IsRestoreInProgress": True}),
        item(
            "a/warm.csv", "DEEP_ARCHIVE", {"IsRestoreInProgress": False, "RestoreExpiryDate": now + timedelta(days=1)}
        ),
        item("a/expired.csv", "GLACIER", {"IsRestoreInProgress": False, "RestoreExpiryDate": now - timedelta(days=1)}),
    ]
    monkeypatch.setattr(jobs.storage, "s3_client", lambda region=None, bucket=None: client)
    monkeypatch.setattr(jobs.storage, "bucket_region", lambda bucket: "eu-west-1")
    with Stubber(client) as stub:
        stub.add_response(
            "list_objects_v2",
            {"Contents": contents, "IsTruncated": False, "KeyCount": len(contents)},
            {"Bucket": "b", "Prefix": "a/", "OptionalObjectAttributes": ["RestoreStatus"]},
        )
        listed = list(list_objects(Location("s3", "b", "a/")))
        stub.assert_no_pending_responses()
    assert [(info.uri, info.storage_class, info.etag, info.restore) for info in listed] == [
        ("s3://b/a/plain.csv", "STANDARD", "a/plain.csv", None),
        ("s3://b/a/cold.csv", "GLACIER", "a/cold.csv", None),
        ("s3://b/a/warming.csv", "GLACIER", "a/warming.csv", "ongoing"),
        ("s3://b/a/warm.csv", "DEEP_ARCHIVE", "a/warm.csv", "done"),
        ("s3://b/a/expired.csv", "GLACIER", "a/expired.csv", None),
    ]


def test_s3_listing_of_a_directory_bucket_does_not_ask_for_the_restore_status(monkeypatch: pytest.MonkeyPatch) -> None:
    client = boto3.client("s3", region_name="us-west-2", aws_access_key_id="test", aws_secret_access_key="test")
    bucket = "data--usw2-az1--x-s3"  # S3 Express One Zone: no archive classes, and the parameter is refused
    monkeypatch.setattr(jobs.storage, "s3_client", lambda region=None, bucket=None: client)
    monkeypatch.setattr(jobs.storage, "bucket_region", lambda bucket: "us-west-2")
    when = datetime(2024, 5, 1, tzinfo=UTC)
    with Stubber(client) as stub:
        stub.add_response(
            "list_objects_v2",
            {"Contents": [{"Key": "x.csv", "Size": 3, "LastModified": when, "StorageClass": "EXPRESS_ONEZONE"}]},
            {"Bucket": bucket, "Prefix": ""},
        )
        listed = list(list_objects(Location("s3", bucket, "")))
    assert [(info.uri, info.storage_class, info.restore) for info in listed] == [
        (f"s3://{bucket}/x.csv", "EXPRESS_ONEZONE", None)
    ]


def test_listed_uris_parse_back_to_the_listed_file(tmp_path: Path) -> None:
    (tmp_path / "data#1.csv").write_bytes(b"a\n1\n")
    (info,) = list_objects(parse_uri(str(tmp_path)))
    assert parse_uri(info.uri).fs_path == f"{tmp_path}/data#1.csv"


def test_storage_options_are_empty_for_local_locations(clean_aws_env: pytest.MonkeyPatch) -> None:
    clean_aws_env.setenv("AWS_ENDPOINT_URL_S3", "http://localhost:9000")
    assert storage_options(parse_uri("file:///tmp/findings")) == {}


def test_storage_options_without_endpoint(clean_aws_env: pytest.MonkeyPatch) -> None:
    assert storage_options(parse_uri("s3://bucket/findings")) == {"AWS_REGION": "us-east-1"}


def test_storage_options_use_the_region_from_the_environment(clean_aws_env: pytest.MonkeyPatch) -> None:
    clean_aws_env.setenv("AWS_DEFAULT_REGION", "eu-central-1")
    assert storage_options(parse_uri("s3://bucket/findings")) == {"AWS_REGION": "eu-central-1"}
    clean_aws_env.setenv("AWS_REGION", "eu-west-3")
    assert storage_options(parse_uri("s3://bucket/findings")) == {"AWS_REGION": "eu-west-3"}


def test_storage_options_with_an_https_endpoint(clean_aws_env: pytest.MonkeyPatch) -> None:
    clean_aws_env.setenv("AWS_ENDPOINT_URL_S3", "https://s3.example.internal")
    assert storage_options(parse_uri("s3://bucket/findings")) == {
        "AWS_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": "https://s3.example.internal",
    }


def test_storage_options_with_an_http_endpoint_allow_http(clean_aws_env: pytest.MonkeyPatch) -> None:
    clean_aws_env.setenv("AWS_ENDPOINT_URL_S3", "http://localhost:9000")
    clean_aws_env.setenv("AWS_ENDPOINT_URL", "http://ignored:1")
    clean_aws_env.setenv("AWS_REGION", "eu-west-1")
    assert storage_options(parse_uri("s3://bucket/findings")) == {
        "AWS_REGION": "eu-west-1",
        "AWS_ENDPOINT_URL": "http://localhost:9000",
        "AWS_ALLOW_HTTP": "true",
    }


def test_storage_options_fall_back_to_the_generic_endpoint(clean_aws_env: pytest.MonkeyPatch) -> None:
    clean_aws_env.setenv("AWS_ENDPOINT_URL", "http://localhost:4566")
    assert storage_options(parse_uri("s3://bucket/findings")) == {
        "AWS_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": "http://localhost:4566",
        "AWS_ALLOW_HTTP": "true",
    }
