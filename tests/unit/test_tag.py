"""The tag job's pieces without Spark: vocabulary, merge and limits, retries. All data here is SYNTHETIC."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import boto3
import pyarrow as pa
import pytest
from botocore.exceptions import ClientError

from classifiers.errors import ConfigError
from jobs.tables import FINDINGS
from jobs.tag_apply import apply_target
from jobs.tag_config import ApplySettings, parse_tag_config
from jobs.tag_merge import merge_tags
from jobs.tag_rules import select_findings, wanted_tags
from jobs.tag_s3 import Clients, Retrier

P = "piiscan:"
JOB = {"piiscan:sensitivity": "high", "piiscan:categories": "financial"}


def test_nine_user_tags_and_two_job_tags_fail_with_the_limit_named():
    user = {f"u{i}": "x" for i in range(9)}
    merge = merge_tags({**user, "piiscan:old": "y"}, JOB, P)
    assert (merge.new_tags, merge.action) == (None, "failed")
    assert merge.reason is not None and merge.reason.startswith(
        "tag limit: S3 allows 10 tags and the object has 9 tag(s) the job does not own; the job needs 2 more"
    )


def test_exactly_ten_tags_fit_and_user_tags_are_kept():
    user = {f"u{i}": "x" for i in range(8)}
    merge = merge_tags({**user, "piiscan:stale": "gone"}, JOB, P)
    assert merge.new_tags == {**user, **JOB}
    assert (merge.action, merge.reason) == ("update", None)  # an owned tag went away
    assert merge_tags(user, JOB, P).action == "add"
    assert merge_tags({**user, **JOB}, JOB, P).action == "none"
    assert merge_tags({"a": "1", **JOB}, {}, P) == merge_tags({"a": "1", **JOB}, {}, P)
    assert merge_tags({"a": "1", **JOB}, {}, P).new_tags == {"a": "1"}


def test_a_job_value_outside_the_alphabet_or_too_long_fails():
    assert merge_tags({}, {"piiscan:categories": "a,b"}, P).reason == (
        "cannot write the job's tag: value of piiscan:categories 'a,b' has characters outside letters, digits, "
        "spaces and + - = . _ : / @"
    )
    assert merge_tags({}, {"piiscan:categories": "x" * 257}, P).action == "failed"


def _findings(*rows: dict[str, Any]) -> pa.Table:
    base = {"run_id": "scan-1", "scanned_at": datetime(2026, 1, 5, tzinfo=UTC), "asset": "s3://b/t/", "column": "c"}
    return pa.Table.from_pylist([{**base, **row} for row in rows], schema=FINDINGS)


def test_vocabulary_is_exact_and_traceable():
    config = parse_tag_config({"categories": {"contact": ["EMAIL_ADDRESS"]}, "review": {"always_review": ["PERSON"]}})
    findings = _findings(
        {
            "finding_id": "f1",
            "entity_type": "EMAIL_ADDRESS",
            "decision": "auto_tag",
            "sensitivity": "medium",
            "frameworks": ["GDPR"],
            "carried_from_run": "scan-0",
        },
        {
            "finding_id": "f2",
            "entity_type": "US_SSN",
            "decision": "review",
            "sensitivity": "high",
            "frameworks": ["GLBA"],
            "column": "ssn",
        },
        {"finding_id": "f3", "entity_type": "PERSON", "decision": "auto_tag", "sensitivity": "low", "column": "n"},
        {
            "finding_id": "f4",
            "entity_type": "CREDIT_CARD",
            "decision": "auto_tag",
            "sensitivity": "high",
            "frameworks": ["PCI_DSS"],
            "column": "card",
        },
    )
    approved = _findings({"entity_type": "US_SSN", "column": "ssn"})
    selection = select_findings(findings, config, approved, {("s3://b/t/", "card", "CREDIT_CARD")})
    dates = {"scan-0": datetime(2026, 1, 2, tzinfo=UTC), "scan-1": datetime(2026, 1, 5, tzinfo=UTC)}
    wanted = wanted_tags(selection, config, dates)["s3://b/t/"]
    assert wanted.tags == {
        "piiscan:sensitivity": "high",
        "piiscan:categories": "US_SSN+contact",
        "piiscan:frameworks": "GDPR+GLBA",
        "piiscan:scan-date": "2026-01-05",
    }
    assert wanted.evidence == {
        "piiscan:sensitivity": ["f2"],
        "piiscan:categories": ["f1", "f2"],
        "piiscan:frameworks": ["f1", "f2"],
        "piiscan:scan-date": ["f2"],
    }
    assert (wanted.finding_ids, wanted.decisions) == (["f1", "f2"], ["auto_tag", "approved"])
    assert wanted.review_finding_ids == ["f3"]
    assert selection.suppressed == 1


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"prefix": ""}, "prefix must be"),
        ({"keys": {"owner": "x"}}, "unknown tag name(s) ['owner']"),
        ({"apply": {"max_concurrent_requests": 0}}, "apply.max_concurrent_requests must be a positive integer"),
        ({"value_separator": ","}, "value_separator must be"),
        ({"colour": 1}, "unknown tag configuration section(s) ['colour']"),
        ({"categories": {"a": ["X"], "b": ["X"]}}, "entity type 'X' is in two categories"),
    ],
)
def test_bad_configuration_is_rejected_with_the_setting_named(raw, message):
    with pytest.raises(ConfigError, match=None) as info:
        parse_tag_config(raw)
    assert message in str(info.value)


def test_shipped_configuration_loads():
    from jobs.tag_config import load_tag_config

    config = load_tag_config()
    assert (config.key("sensitivity"), config.bucket_key, config.catalog.enabled) == (
        "piiscan:sensitivity",
        "max-sensitivity",
        False,
    )


@pytest.fixture
def tagged_object(s3_endpoint, request):
    bucket = "unit-" + request.node.name.replace("_", "-").lower()[-40:].strip("-")
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="k.csv", Body=b"synthetic")
    s3.put_object_tagging(Bucket=bucket, Key="k.csv", Tagging={"TagSet": [{"Key": "owner", "Value": "a"}]})
    return bucket


def _row(bucket: str) -> dict[str, Any]:
    return {
        "kind": "object",
        "target": f"s3://{bucket}/k.csv",
        "bucket": bucket,
        "key": "k.csv",
        "region": None,
        "key_prefix": P,
        "job_tags": '{"piiscan:sensitivity": "high"}',
    }


def _count_puts(clients: Clients, fail_first: int, code: str = "SlowDown") -> list[str]:
    calls: list[str] = []

    def before(**_kwargs):
        calls.append("put")
        if len(calls) <= fail_first:
            raise ClientError(
                {
                    "Error": {"Code": code, "Message": "synthetic"},
                    # botocore-stubs require all five ResponseMetadata keys; botocore reads only the ones present
                    "ResponseMetadata": {"HTTPStatusCode": 503 if code == "SlowDown" else 400},  # type: ignore[typeddict-item]
                },
                "PutObjectTagging",
            )

    clients.writer(None).meta.events.register("before-call.s3.PutObjectTagging", before)
    return calls


def test_throttled_writes_are_retried_with_backoff(tagged_object):
    settings = ApplySettings(max_attempts=5)
    clients = Clients(settings)
    calls = _count_puts(clients, fail_first=2)
    sleeps: list[float] = []
    retrier = Retrier(5, 0.5, 20.0, sleep=sleeps.append, jitter=lambda: 1.0)
    row = apply_target(
        _row(tagged_object), clients, retrier, "tag-1", "a1", clock=lambda: datetime(2026, 1, 1, tzinfo=UTC)
    )
    assert (row["status"], row["attempts"], row["reason"]) == ("succeeded", 3, None)
    assert row["tags_written"] == '{"owner": "a", "piiscan:sensitivity": "high"}'
    assert (calls, sleeps) == (["put"] * 3, [0.5, 1.0])
    tags = boto3.client("s3").get_object_tagging(Bucket=tagged_object, Key="k.csv")["TagSet"]
    assert tags == [{"Key": "owner", "Value": "a"}, {"Key": "piiscan:sensitivity", "Value": "high"}]


def test_throttling_that_never_stops_fails_after_max_attempts(tagged_object):
    clients = Clients(ApplySettings())
    calls = _count_puts(clients, fail_first=99)
    row = apply_target(_row(tagged_object), clients, Retrier(3, 0, 0, sleep=lambda _: None), "tag-1", "a1")
    assert (row["status"], row["attempts"], len(calls)) == ("failed", 3, 3)
    assert row["reason"] == "PutObjectTagging still failing after 3 attempts: SlowDown (throttled or unavailable)"


def test_a_rejected_tag_set_is_not_retried(tagged_object):
    clients = Clients(ApplySettings())
    calls = _count_puts(clients, fail_first=99, code="InvalidTag")
    row = apply_target(_row(tagged_object), clients, Retrier(5, 0, 0, sleep=lambda _: None), "tag-1", "a1")
    assert (row["status"], row["attempts"], len(calls)) == ("failed", 1, 1)
    assert row["reason"] == (
        "PutObjectTagging failed: InvalidTag (S3 rejected the tag set: a tag outside the allowed characters or lengths)"
    )


def test_an_object_already_up_to_date_is_not_written(tagged_object):
    boto3.client("s3").put_object_tagging(
        Bucket=tagged_object,
        Key="k.csv",
        Tagging={"TagSet": [{"Key": "owner", "Value": "a"}, {"Key": "piiscan:sensitivity", "Value": "high"}]},
    )
    clients = Clients(ApplySettings())
    calls = _count_puts(clients, fail_first=0)
    row = apply_target(_row(tagged_object), clients, Retrier(), "tag-1", "a1")
    assert (row["status"], row["attempts"], row["reason"], calls) == ("skipped", 0, "tags already up to date", [])
