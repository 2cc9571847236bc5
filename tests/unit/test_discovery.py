"""Estate discovery: bucket patterns expanded from the account's buckets, and object filters with reasons."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from classifiers.errors import ConfigError
from jobs.config import Sampling
from jobs.discovery import Filters, expand_sources
from jobs.planner import plan_scan
from jobs.storage import ObjectInfo

WHEN = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


def info(uri: str, size: int = 100, when: datetime = WHEN) -> ObjectInfo:
    return ObjectInfo(uri=uri, size=size, last_modified=when, storage_class=None)


@pytest.mark.parametrize(
    ("filters", "obj", "reason"),
    [
        (Filters(), info("s3://b/a.csv"), None),
        (Filters(include=["s3://b/logs/*"]), info("s3://b/a.csv"), "filtered out: matches no filters.include pattern"),
        (Filters(include=["s3://b/logs/*"]), info("s3://b/logs/2024/06/app.log"), None),  # * crosses folders
        (Filters(exclude=["*/tmp/*", "*.bak"]), info("s3://b/x/tmp/a.csv"),
         "filtered out: matches filters.exclude pattern '*/tmp/*'"),
        (Filters(min_size=10), info("s3://b/a.csv", size=9), "filtered out: 9 bytes, under filters.min_size 10"),
        (Filters(max_size=10), info("s3://b/a.csv", size=11), "filtered out: 11 bytes, over filters.max_size 10"),
        (Filters(modified_after="2024-07-01"), info("s3://b/a.csv"),
         "filtered out: last modified 2024-06-01, before filters.modified_after"),
        (Filters(modified_before="2024-06-01T12:00:00+00:00"), info("s3://b/a.csv"),
         "filtered out: last modified 2024-06-01, not before filters.modified_before"),
        (Filters(extensions=[".csv", ".log.gz"]), info("s3://b/A.CSV"), None),
        (Filters(extensions=[".csv", ".log.gz"]), info("s3://b/a.parquet"),
         "filtered out: extension not in filters.extensions"),
    ],
)  # fmt: skip
def test_filter_reasons(filters: Filters, obj: ObjectInfo, reason: str | None) -> None:
    assert filters.reason(obj) == reason


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"include": "s3://b/*"}, "filters.include must be a list of non-empty strings, got 's3://b/*'"),
        ({"min_size": -1}, "filters.min_size must be a number of bytes >= 0, got -1"),
        ({"modified_after": "last week"}, "filters.modified_after must be an ISO date or date-time, got 'last week'"),
    ],
)
def test_bad_filters_fail_naming_the_key(values: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Filters(**values)  # type: ignore[arg-type]
    assert str(caught.value) == message


@pytest.fixture
def buckets(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for key in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        for name in ("acme-crm", "acme-logs", "other-data"):
            client.create_bucket(Bucket=name)
        yield


def test_bucket_patterns_expand_to_the_matching_buckets(buckets: None) -> None:
    assert expand_sources(["s3://acme-*", "s3://other-data/x/", "/local/dir"]) == (
        ["s3://acme-crm", "s3://acme-logs", "s3://other-data/x/", "/local/dir"],
        [],
    )
    assert expand_sources(["s3://*"]) == (["s3://acme-crm", "s3://acme-logs", "s3://other-data"], [])
    assert expand_sources(["s3://nothing-*"]) == ([], [("s3://nothing-*", "no bucket matches 'nothing-*'")])


def test_filtered_objects_are_recorded_as_skipped(tmp_path: Path) -> None:
    (tmp_path / "keep.csv").write_text("id\n1\n")
    (tmp_path / "big.csv").write_text("id\n" + "1\n" * 100)
    (tmp_path / "notes.txt").write_text("hello\n")
    plan = plan_scan([str(tmp_path)], Sampling(), filters=Filters(max_size=50, extensions=[".csv"]))
    base = f"file://{tmp_path}/"
    assert [o.uri for o in plan.objects] == [f"{base}keep.csv"]
    assert sorted((o.uri, o.reason) for o in plan.skipped) == [
        (f"{base}big.csv", "filtered out: 203 bytes, over filters.max_size 50"),
        (f"{base}notes.txt", "filtered out: extension not in filters.extensions"),
    ]
