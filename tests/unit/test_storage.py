"""Source URIs, canonical URIs and paths, local listing, and delta-rs storage options from the environment."""

from pathlib import Path

import pytest

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
