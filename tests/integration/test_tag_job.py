"""The tag job end to end against the session's moto S3: hand-built (synthetic) findings, exact tag sets after.

All fixtures here are SYNTHETIC: made-up buckets, keys, finding ids and tags; no finding holds a real value.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
import pyarrow as pa
import pytest
from deltalake import DeltaTable
from pyspark.sql import SparkSession

import jobs.tag as tag_job
from jobs.delta_store import table_uri, write_table
from jobs.tables import ASSETS, FINDINGS, RUNS, TAG_RESULTS
from jobs.tag import TagRequest, TagResult, format_summary, main, run_tag
from jobs.tag_config import parse_tag_config

if TYPE_CHECKING:
    from mypy_boto3_s3.type_defs import TagTypeDef

SCAN_DAY = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
PLANNED = datetime(2026, 3, 2, tzinfo=UTC)
# Two job tags per object, so the 10-tag edge is 8 or 9 user tags.
CONFIG_RAW: dict[str, Any] = {
    "prefix": "piiscan:",
    "keys": {"frameworks": None, "scan_date": None},
    "categories": {"contact": ["EMAIL_ADDRESS", "PHONE_NUMBER"], "financial": ["CREDIT_CARD"]},
    "review": {"always_review": ["PERSON"]},
    "apply": {"tasks": 2, "max_concurrent_requests": 4, "commit_every": 3},
}
CONFIG = parse_tag_config(CONFIG_RAW)
USER_NINE = {f"user{i}": f"v{i}" for i in range(9)}
USER_EIGHT = {f"user{i}": f"v{i}" for i in range(8)}


@dataclass
class FakeReview:
    """A stand-in for jobs/review.py: approvals and rejections by finding key, without Delta tables."""

    approved_keys: list[tuple[str, str | None, str]] = field(default_factory=list)
    rejected: set[tuple[str, str | None, str]] = field(default_factory=set)
    enqueued: list[list[str]] = field(default_factory=list)

    def enqueue(self, output: str, findings: pa.Table, run_id: str, settings: object = None) -> int:
        self.enqueued.append(sorted(findings["finding_id"].to_pylist()))
        queued: int = findings.num_rows
        return queued

    def approved(self, output: str) -> pa.Table:
        rows = [{"asset": a, "column": c, "entity_type": e, "decision": "review"} for a, c, e in self.approved_keys]
        return pa.Table.from_pylist(rows, schema=FINDINGS)

    def suppressed(self, output: str) -> set[tuple[str, str | None, str]]:
        return set(self.rejected)


@dataclass
class Estate:
    bucket: str
    quiet: str
    output: str
    review: FakeReview

    def uri(self, key: str) -> str:
        return f"s3://{self.bucket}/{key}"


def _finding(fid: str, asset: str, column: str | None, entity: str, decision: str, sensitivity: str) -> dict[str, Any]:
    return {
        "finding_id": fid,
        "run_id": "scan-1",
        "scanned_at": SCAN_DAY,
        "source_kind": "s3",
        "asset": asset,
        "column": column,
        "entity_type": entity,
        "decision": decision,
        "sensitivity": sensitivity,
        "frameworks": ["GDPR"],
        "samples_masked": ["j***@example.com"],
    }


def _asset(uri: str, dataset: str | None, status: str = "scanned", kind: str = "s3") -> dict[str, Any]:
    return {"run_id": "scan-1", "asset": uri, "dataset": dataset, "status": status, "source_kind": kind}


@pytest.fixture
def estate(s3_endpoint: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Estate:
    """A synthetic estate: objects with and without user tags in two buckets, and their findings tables."""
    name = request.node.name.replace("_", "-").lower()[-30:].strip("-")
    bucket, quiet = f"tag-{name}", f"quiet-{name}"
    s3 = boto3.client("s3")
    for b in (bucket, quiet):
        s3.create_bucket(Bucket=b)
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "team", "Value": "data"}]})
    user_tags = {
        "customers/part-0.csv": {"owner": "team-a", "piiscan:stale": "old"},
        "customers/part-1.csv": {},
        "logs/app.log": {},
        "edge/nine.csv": USER_NINE,
        "edge/eight.csv": USER_EIGHT,
        "clean/ok.csv": {"keep": "me", "piiscan:sensitivity": "high"},
        "odd/pct name.csv": {"note": "tab\there"},  # a tab: S3 accepts it, the documented alphabet does not
    }
    for key, tags in user_tags.items():
        s3.put_object(Bucket=bucket, Key=key, Body=b"synthetic")
        if tags:
            tag_set: list[TagTypeDef] = [{"Key": k, "Value": v} for k, v in tags.items()]
            s3.put_object_tagging(Bucket=bucket, Key=key, Tagging={"TagSet": tag_set})
    s3.put_object(Bucket=quiet, Key="notes.txt", Body=b"synthetic")

    u = f"s3://{bucket}/"
    customers, log = f"{u}customers/", f"{u}logs/app.log"
    findings = [
        _finding("f-email", customers, "email", "EMAIL_ADDRESS", "auto_tag", "medium"),
        _finding("f-card", customers, "card", "CREDIT_CARD", "auto_tag", "high"),
        _finding("f-person", customers, "name", "PERSON", "auto_tag", "medium"),  # always reviewed
        _finding("f-phone", log, None, "PHONE_NUMBER", "review", "medium"),  # approved below
        _finding("f-ssn", log, None, "US_SSN", "auto_tag", "high"),  # suppressed below
        _finding("f-nine", f"{u}edge/nine.csv", "email", "EMAIL_ADDRESS", "auto_tag", "medium"),
        _finding("f-eight", f"{u}edge/eight.csv", "email", "EMAIL_ADDRESS", "auto_tag", "medium"),
        _finding("f-pct", f"{u}odd/pct name.csv", "card", "CREDIT_CARD", "auto_tag", "high"),
        _finding("f-quiet", f"s3://{quiet}/notes.txt", None, "EMAIL_ADDRESS", "auto_tag", "medium"),
        _finding(
            "f-jdbc", "jdbc:postgresql://db:5432/shop/public.customers", "email", "EMAIL_ADDRESS", "auto_tag", "medium"
        ),
    ]
    assets = [
        _asset(f"{customers}part-0.csv", customers),
        _asset(f"{customers}part-1.csv", customers, "unchanged"),
        _asset(log, None),
        _asset(f"{u}edge/nine.csv", None),
        _asset(f"{u}edge/eight.csv", None),
        _asset(f"{u}clean/ok.csv", None),
        _asset(f"{u}odd/pct name.csv", None),
        _asset(f"s3://{quiet}/notes.txt", None),
        _asset("jdbc:postgresql://db:5432/shop/public.customers", None, kind="jdbc"),
        _asset("file:///data/local.csv", None, kind="local"),
    ]
    output = str(tmp_path / "out")
    write_table(pa.Table.from_pylist(findings, schema=FINDINGS), table_uri(output, "findings"), "findings", "scan-1")
    write_table(pa.Table.from_pylist(assets, schema=ASSETS), table_uri(output, "assets"), "assets", "scan-1")
    run = {"run_id": "scan-1", "started_at": SCAN_DAY, "finished_at": SCAN_DAY, "status": "succeeded"}
    write_table(pa.Table.from_pylist([run], schema=RUNS), table_uri(output, "runs"), "runs", "scan-1")
    review = FakeReview(approved_keys=[(log, None, "PHONE_NUMBER")], rejected={(log, None, "US_SSN")})
    monkeypatch.setattr(tag_job, "review_queue", lambda: review)
    return Estate(bucket, quiet, output, review)


def _tags(bucket: str, key: str) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in boto3.client("s3").get_object_tagging(Bucket=bucket, Key=key)["TagSet"]}


def _bucket_tags(bucket: str) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in boto3.client("s3").get_bucket_tagging(Bucket=bucket)["TagSet"]}


def _run(spark: SparkSession, estate: Estate, run_id: str, **options: Any) -> TagResult:
    request = TagRequest(estate.output, options.pop("config", CONFIG), run_id, **options)
    return run_tag(spark, request, clock=lambda: PLANNED)


def _plan(estate: Estate, run_id: str) -> dict[str, dict[str, Any]]:
    rows = DeltaTable(table_uri(estate.output, "tag_plan")).to_pyarrow_table().to_pylist()
    return {r["target"]: r for r in rows if r["run_id"] == run_id}


def _results(estate: Estate, run_id: str) -> list[dict[str, Any]]:
    uri = table_uri(estate.output, "tag_results")
    try:
        rows = DeltaTable(uri).to_pyarrow_table().to_pylist()
    except Exception:  # noqa: BLE001 - no table yet: no results
        return []
    return sorted((r for r in rows if r["run_id"] == run_id), key=lambda r: r["target"])


HIGH_FINANCIAL = {"piiscan:sensitivity": "high", "piiscan:categories": "contact+financial"}
EXPECTED_AFTER = {
    "customers/part-0.csv": {"owner": "team-a", **HIGH_FINANCIAL},
    "customers/part-1.csv": HIGH_FINANCIAL,
    "logs/app.log": {"piiscan:sensitivity": "medium", "piiscan:categories": "contact"},
    "edge/nine.csv": USER_NINE,
    "edge/eight.csv": {**USER_EIGHT, "piiscan:sensitivity": "medium", "piiscan:categories": "contact"},
    "clean/ok.csv": {"keep": "me"},
    "odd/pct name.csv": {"note": "tab\there", "piiscan:sensitivity": "high", "piiscan:categories": "financial"},
}


def test_dry_run_writes_the_plan_and_changes_no_tag(spark, estate):
    result = _run(spark, estate, "tag-dry", dry_run=True)

    plan = _plan(estate, "tag-dry")
    summary = {
        t.removeprefix(f"s3://{estate.bucket}/"): (r["kind"], r["action"], r["finding_ids"], r["decisions"])
        for t, r in plan.items()
    }
    assert summary == {
        "customers/part-0.csv": ("object", "update", ["f-card", "f-email"], ["auto_tag", "auto_tag"]),
        "customers/part-1.csv": ("object", "add", ["f-card", "f-email"], ["auto_tag", "auto_tag"]),
        "logs/app.log": ("object", "add", ["f-phone"], ["approved"]),
        "edge/nine.csv": ("object", "failed", ["f-nine"], ["auto_tag"]),
        "edge/eight.csv": ("object", "add", ["f-eight"], ["auto_tag"]),
        "clean/ok.csv": ("object", "update", [], []),
        "odd/pct name.csv": ("object", "add", ["f-pct"], ["auto_tag"]),
        "": ("bucket", "add", ["f-card", "f-pct"], None),
        f"s3://{estate.quiet}/notes.txt": ("object", "add", ["f-quiet"], ["auto_tag"]),
        f"s3://{estate.quiet}/": ("bucket", "add", ["f-quiet"], None),
    }
    part0 = plan[estate.uri("customers/part-0.csv")]
    assert json.loads(part0["current_tags"]) == {"owner": "team-a", "piiscan:stale": "old"}
    assert json.loads(part0["job_tags"]) == HIGH_FINANCIAL
    assert json.loads(part0["new_tags"]) == {"owner": "team-a", **HIGH_FINANCIAL}
    assert json.loads(part0["tag_evidence"]) == {
        "piiscan:categories": ["f-card", "f-email"],
        "piiscan:sensitivity": ["f-card"],
    }
    assert part0["review_finding_ids"] == ["f-person"]
    assert part0["planned_at"] == PLANNED
    nine = plan[estate.uri("edge/nine.csv")]
    assert nine["new_tags"] is None
    assert nine["reason"] == (
        "tag limit: S3 allows 10 tags and the object has 9 tag(s) the job does not own; the job needs 2 more "
        "(piiscan:categories, piiscan:sensitivity); remove 1 of its own tags or turn off some tag keys in "
        "conf/tag.yaml (user tags are never dropped)"
    )
    assert plan[estate.uri("odd/pct name.csv")]["reason"] == (
        "kept as they are: user tag 'note' has a value outside the documented tag alphabet "
        "(letters, digits, spaces, + - = . _ : / @)"
    )
    # Nothing changed, nothing queued for review on a dry run.
    assert _tags(estate.bucket, "customers/part-0.csv") == {"owner": "team-a", "piiscan:stale": "old"}
    assert _tags(estate.bucket, "edge/eight.csv") == USER_EIGHT
    assert _bucket_tags(estate.bucket) == {"team": "data"}
    assert _results(estate, "tag-dry") == []
    assert estate.review.enqueued == []
    assert result.not_taggable == {"jdbc": 1, "local": 1}
    assert result.failed_targets == 1
    text = format_summary(result)
    assert "objects: 7 to change (5 add, 2 update), 0 unchanged, 1 failed" in text
    assert "not tagged (S3 object tags only apply to s3:// objects): 1 jdbc, 1 local" in text
    assert "1 suppressed by a reviewer" in text and "j***" not in text


def test_apply_writes_exact_tags_and_a_rerun_changes_nothing(spark, estate):
    result = _run(spark, estate, "tag-1")

    for key, expected in EXPECTED_AFTER.items():
        assert _tags(estate.bucket, key) == expected, key
    assert _tags(estate.quiet, "notes.txt") == {"piiscan:sensitivity": "medium", "piiscan:categories": "contact"}
    assert _bucket_tags(estate.bucket) == {"team": "data", "piiscan:max-sensitivity": "high"}
    assert _bucket_tags(estate.quiet) == {"piiscan:max-sensitivity": "medium"}  # had no tags (NoSuchTagSet)
    results = _results(estate, "tag-1")
    outcomes = sorted((r["target"], r["status"], r["attempts"]) for r in results)
    assert outcomes == sorted(
        [(estate.uri(k), "succeeded", 1) for k in EXPECTED_AFTER if k != "edge/nine.csv"]
        + [(f"s3://{b}/", "succeeded", 1) for b in (estate.bucket, estate.quiet)]
        + [(f"s3://{estate.quiet}/notes.txt", "succeeded", 1)]
    )
    written = {r["target"]: json.loads(r["tags_written"]) for r in results}
    assert written[estate.uri("customers/part-0.csv")] == EXPECTED_AFTER["customers/part-0.csv"]
    assert result.statuses == {"succeeded": 9}
    assert result.failed_targets == 1  # edge/nine.csv: exit code 3
    assert estate.review.enqueued == [["f-person"]]

    again = _run(spark, estate, "tag-2")
    actions = {r["action"] for t, r in _plan(estate, "tag-2").items() if not t.endswith("nine.csv")}
    assert actions == {"none"}
    assert _results(estate, "tag-2") == []  # no PutObjectTagging call at all
    assert again.statuses == {}
    for key, expected in EXPECTED_AFTER.items():
        assert _tags(estate.bucket, key) == expected, key


def test_resume_writes_only_what_an_earlier_attempt_did_not(spark, estate):
    _run(spark, estate, "tag-r", dry_run=True)
    first_half = ["customers/part-0.csv", "customers/part-1.csv", "clean/ok.csv"]
    done = [
        {
            "run_id": "tag-r",
            "attempt_id": "crashed",
            "kind": "object",
            "target": estate.uri(k),
            "status": "succeeded",
            "attempts": 1,
            "at": PLANNED,
        }
        for k in first_half
    ]
    write_table(
        pa.Table.from_pylist(done, schema=TAG_RESULTS),
        table_uri(estate.output, "tag_results"),
        "tag_results",
        "tag-r#crashed#000000",
    )
    # Another writer adds a user tag after planning: the re-read before writing keeps it.
    boto3.client("s3").put_object_tagging(
        Bucket=estate.bucket, Key="logs/app.log", Tagging={"TagSet": [{"Key": "late", "Value": "yes"}]}
    )

    result = _run(spark, estate, "tag-r")

    assert result.plan_reused
    assert result.already_done == 3
    written = sorted(r["target"] for r in _results(estate, "tag-r") if r["attempt_id"] != "crashed")
    assert written == sorted(
        [estate.uri(k) for k in ("edge/eight.csv", "logs/app.log", "odd/pct name.csv")]
        + [f"s3://{estate.bucket}/", f"s3://{estate.quiet}/", f"s3://{estate.quiet}/notes.txt"]
    )
    # The first half was "done" by the crashed attempt (simulated): left as it was.
    assert _tags(estate.bucket, "customers/part-0.csv") == {"owner": "team-a", "piiscan:stale": "old"}
    assert _tags(estate.bucket, "logs/app.log") == {"late": "yes", **EXPECTED_AFTER["logs/app.log"]}
    assert _tags(estate.bucket, "edge/eight.csv") == EXPECTED_AFTER["edge/eight.csv"]


def test_batch_manifests_group_objects_by_full_tag_set(spark, estate):
    config = parse_tag_config(
        {
            "keys": {"frameworks": None, "scan_date": None},
            "categories": {"contact": ["EMAIL_ADDRESS", "PHONE_NUMBER"], "financial": ["CREDIT_CARD"]},
            "review": {"always_review": ["PERSON"]},
            "batch": {"account_id": "111122223333", "role_arn": "arn:aws:iam::111122223333:role/batch-tagging"},
        }
    )
    result = _run(spark, estate, "tag-b", batch_manifests=True, config=config)

    folder = Path(estate.output) / "batch" / "tag-b"
    assert sorted(p.name for p in folder.iterdir()) == [
        f"group-0000{i}.{ext}" for i in range(1, 7) for ext in ("csv", "json")
    ]
    manifests = {p.name: p.read_text() for p in sorted(folder.glob("*.csv"))}
    b, q = estate.bucket, estate.quiet
    assert manifests == {
        "group-00001.csv": f"{b},clean/ok.csv\n",
        "group-00002.csv": f"{b},odd/pct%20name.csv\n",
        "group-00003.csv": f"{b},customers/part-0.csv\n",
        "group-00004.csv": f"{b},edge/eight.csv\n",
        "group-00005.csv": f"{q},notes.txt\n{b},logs/app.log\n",
        "group-00006.csv": f"{b},customers/part-1.csv\n",
    }
    job = json.loads((folder / "group-00002.json").read_text())
    body = (folder / "group-00002.csv").read_bytes()

    assert job == {
        "AccountId": "111122223333",
        "ClientRequestToken": job["ClientRequestToken"],
        "ConfirmationRequired": True,
        "Description": "piiscan tag run tag-b group 2 (1 objects, region unknown)",
        "Manifest": {
            "Location": {
                "ETag": hashlib.md5(body).hexdigest(),
                "ObjectArn": f"arn:aws:s3:::REPLACE-WITH-BUCKET/{folder.as_posix().lstrip('/')}/group-00002.csv",
            },
            "Spec": {"Fields": ["Bucket", "Key"], "Format": "S3BatchOperations_CSV_20180820"},
        },
        "Operation": {
            "S3PutObjectTagging": {
                "TagSet": [
                    {"Key": "note", "Value": "tab\there"},
                    {"Key": "piiscan:categories", "Value": "financial"},
                    {"Key": "piiscan:sensitivity", "Value": "high"},
                ]
            }
        },
        "Priority": 10,
        "Report": {"Enabled": False},
        "RoleArn": "arn:aws:iam::111122223333:role/batch-tagging",
    }
    ok = json.loads((folder / "group-00001.json").read_text())["Operation"]
    assert ok == {"S3PutObjectTagging": {"TagSet": [{"Key": "keep", "Value": "me"}]}}
    assert result.manifests == 6
    assert _tags(estate.bucket, "customers/part-1.csv") == {}  # nothing applied
    assert _bucket_tags(estate.bucket) == {"team": "data"}


def test_bad_configuration_exits_2(tmp_path, capsys):
    bad = tmp_path / "tag.yaml"
    bad.write_text("prefix: 'bad,prefix'\n")
    assert main(["--output", str(tmp_path / "out"), "--config", str(bad)]) == 2
    assert "prefix must be" in capsys.readouterr().err


def test_catalog_columns_get_the_applied_findings_only(spark, estate):
    glue = boto3.client("glue")
    database = f"lake_{estate.bucket.replace('-', '_')}"
    glue.create_database(DatabaseInput={"Name": database})
    columns = [{"Name": name, "Type": "string", "Parameters": {"owner": "crm"}} for name in ("email", "card", "name")]
    glue.create_table(
        DatabaseName=database,
        TableInput={
            "Name": "customers",
            "StorageDescriptor": {"Columns": columns, "Location": estate.uri("customers/")},
        },
    )
    config = parse_tag_config(
        {
            **CONFIG_RAW,
            "catalog": {"enabled": True, "tables": {estate.uri("customers/"): f"{database}.customers"}},
        }
    )
    result = _run(spark, estate, "tag-catalog", config=config)

    stored = glue.get_table(DatabaseName=database, Name="customers")["Table"]["StorageDescriptor"]["Columns"]
    ours = {c["Name"]: {k: v for k, v in c.get("Parameters", {}).items() if k != "piiscan:scanned_at"} for c in stored}
    assert ours == {
        "email": {"owner": "crm", "piiscan:entities": "EMAIL_ADDRESS", "piiscan:sensitivity": "medium",
                  "piiscan:frameworks": "GDPR", "piiscan:run_id": "scan-1"},
        "card": {"owner": "crm", "piiscan:entities": "CREDIT_CARD", "piiscan:sensitivity": "high",
                 "piiscan:frameworks": "GDPR", "piiscan:run_id": "scan-1"},
        "name": {"owner": "crm"},  # PERSON is always reviewed: not applied, not in the catalog
    }  # fmt: skip
    assert {c["Name"]: c.get("Parameters", {}).get("piiscan:scanned_at") for c in stored} == {
        "email": "2026-03-01T08:00:00Z", "card": "2026-03-01T08:00:00Z", "name": None,
    }  # fmt: skip
    rows = DeltaTable(table_uri(estate.output, "catalog_tag_results")).to_pyarrow_table().to_pylist()
    assert sorted((r["column"], r["action"], r["status"], r["finding_ids"]) for r in rows) == [
        ("card", "parameters", "succeeded", ["f-card"]),
        ("email", "parameters", "succeeded", ["f-email"]),
    ]
    assert result.catalog == {"succeeded": 2}


def test_held_findings_reach_the_real_review_queue_and_an_approval_is_applied(spark, estate, monkeypatch):
    from jobs import review

    monkeypatch.setattr(tag_job, "review_queue", lambda: review)
    first = _run(spark, estate, "tag-real-1")
    queued = review.review_queue(estate.output, pending_only=True)
    assert sorted((r["finding_id"], r["reason"]) for r in queued) == [
        ("f-person", "always_review"),
        ("f-phone", "below_threshold"),
    ]
    assert first.findings_enqueued == 2
    before = _tags(estate.bucket, "customers/part-1.csv")

    review.decide(estate.output, "approved", "alice", finding_ids=["f-person"])
    _run(spark, estate, "tag-real-2")
    after = _tags(estate.bucket, "customers/part-1.csv")
    assert (before, after) == (
        {"piiscan:sensitivity": "high", "piiscan:categories": "contact+financial"},
        {"piiscan:sensitivity": "high", "piiscan:categories": "PERSON+contact+financial"},  # PERSON: no category
    )
    row = _plan(estate, "tag-real-2")[estate.uri("customers/part-1.csv")]
    assert sorted(zip(row["finding_ids"], row["decisions"], strict=True)) == [
        ("f-card", "auto_tag"),
        ("f-email", "auto_tag"),
        ("f-person", "approved"),
    ]
