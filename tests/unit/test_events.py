"""EventBridge events for new sensitive findings: payloads, batching, retries, against moto's events and SQS."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pyarrow as pa
import pytest
from moto import mock_aws

from classifiers.errors import ConfigError
from jobs.delta_store import table_uri, write_table
from jobs.events import (
    MAX_BATCH_BYTES,
    EventFailure,
    EventSettings,
    Key,
    PublishResult,
    batches,
    entry_size,
    keys_before,
    publish,
    publish_run,
)
from jobs.history import finding_id
from jobs.tables import ASSETS, FINDINGS, RUNS
from tests.helpers import delivered, subscribe

T0 = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)
CRM = "s3://data/crm/customers/"
LOG = "s3://data/logs/app.log"
CARDS = "s3://data/payments/cards.parquet"
ON = EventSettings(enabled=True)
SAMPLES = ("j***@example.com", "+44 ** **** **58", "****-****-****-1111", "203.0.***.*")


def finding(
    run_id: str, asset: str, column: str | None, entity: str, sensitivity: str = "high", **extra: Any
) -> dict[str, Any]:
    return {
        "finding_id": finding_id(run_id, asset, column, entity),
        "run_id": run_id,
        "scanned_at": T0,
        "source_kind": "s3",
        "asset": asset,
        "region": "eu-west-1",
        "column": column,
        "level": "column" if column else "object",
        "entity_type": entity,
        "matched_values": 3,
        "confidence": 0.9,
        "decision": "auto_tag",
        "sensitivity": sensitivity,
        "frameworks": ["GDPR"],
        "samples_masked": list(SAMPLES),
        **extra,
    }


def run_findings(run_id: str = "scan-2") -> pa.Table:
    return pa.Table.from_pylist(
        [
            finding(run_id, CRM, "email", "EMAIL_ADDRESS", frameworks=["CCPA", "GDPR"], matched_values=4),
            finding(run_id, CRM, "email2", "EMAIL_ADDRESS", matched_values=2, confidence=0.7),
            finding(run_id, CRM, "phone", "PHONE_NUMBER"),  # known before: not new
            finding(run_id, CRM, "notes", "PERSON", sensitivity="medium"),  # below min_sensitivity
            finding(run_id, LOG, None, "AWS_ACCESS_KEY", frameworks=[], matched_values=1),
            finding(run_id, CARDS, "card", "CREDIT_CARD", frameworks=["PCI_DSS"], table_name=None),
        ],
        schema=FINDINGS,
    )


PREVIOUS: set[Key] = {(CRM, "phone", "PHONE_NUMBER"), (CARDS, "card", "CREDIT_CARD")}


def crm_detail(run_id: str = "scan-2") -> dict[str, Any]:
    return {
        "asset": CRM,
        "source_kind": "s3",
        "region": "eu-west-1",
        "table_name": None,
        "run_id": run_id,
        "max_sensitivity": "high",
        "frameworks": ["CCPA", "GDPR"],
        "findings": 2,
        "entity_types": [
            {
                "entity_type": "EMAIL_ADDRESS",
                "findings": 2,
                "matched_values": 6,
                "max_confidence": 0.9,
                "sensitivity": "high",
                "columns": ["email", "email2"],
            }
        ],
        "finding_ids": sorted(
            [finding_id(run_id, CRM, "email", "EMAIL_ADDRESS"), finding_id(run_id, CRM, "email2", "EMAIL_ADDRESS")]
        ),
    }


def log_detail(run_id: str = "scan-2") -> dict[str, Any]:
    return {
        "asset": LOG,
        "source_kind": "s3",
        "region": "eu-west-1",
        "table_name": None,
        "run_id": run_id,
        "max_sensitivity": "high",
        "frameworks": [],
        "findings": 1,
        "entity_types": [
            {
                "entity_type": "AWS_ACCESS_KEY",
                "findings": 1,
                "matched_values": 1,
                "max_confidence": 0.9,
                "sensitivity": "high",
                "columns": [],
                "object_level": True,
            }
        ],
        "finding_ids": [finding_id(run_id, LOG, None, "AWS_ACCESS_KEY")],
    }


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """In-process moto, whatever endpoint the session's S3 server set in the environment."""
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    with mock_aws():
        yield


def test_one_event_per_asset_with_new_high_findings(aws: None) -> None:
    url = subscribe()
    result = publish(run_findings(), PREVIOUS, ON)
    assert result == PublishResult(events=2, published=2, calls=1, failures=())
    events = delivered(url)
    assert [e["detail"] for e in events] == [crm_detail(), log_detail()]
    assert {(e["source"], e["detail-type"]) for e in events} == {("piiscan", "Sensitive data found")}


def test_custom_bus_source_and_threshold(aws: None) -> None:
    url = subscribe("security")
    settings = EventSettings(enabled=True, event_bus="security", min_sensitivity="medium")
    assert publish(run_findings(), PREVIOUS, settings).published == 2
    (crm, _) = delivered(url)
    assert [e["entity_type"] for e in crm["detail"]["entity_types"]] == ["EMAIL_ADDRESS", "PERSON"]
    assert crm["detail"]["findings"] == 3


def test_no_sample_or_value_in_any_payload() -> None:
    sent: list[dict[str, Any]] = []

    class Recorder:
        def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:
            sent.extend(Entries)
            return {"FailedEntryCount": 0, "Entries": [{"EventId": str(i)} for i in range(len(Entries))]}

    findings = run_findings()
    result = publish(findings, set(), EventSettings(enabled=True, min_sensitivity="low"), lambda: Recorder())
    assert result.published == 3
    payload = json.dumps(sent, default=str)
    for sample in SAMPLES:
        assert sample not in payload
    assert "samples" not in payload
    assert "****" not in payload and "***" not in payload
    keys = {key for entry in sent for key in json.loads(entry["Detail"])}
    assert keys == {
        "asset",
        "source_kind",
        "region",
        "table_name",
        "run_id",
        "max_sensitivity",
        "frameworks",
        "findings",
        "entity_types",
        "finding_ids",
    }


class Flaky:
    """PutEvents that throttles some entries on the first calls and always rejects one as malformed."""

    def __init__(self, throttle: int) -> None:
        self.calls: list[list[str]] = []
        self.throttle = throttle

    def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        assets = [json.loads(e["Detail"])["asset"] for e in Entries]
        self.calls.append(assets)
        outcomes: list[dict[str, Any]] = []
        for asset in assets:
            if asset == LOG:
                outcomes.append({"ErrorCode": "MalformedDetail", "ErrorMessage": "Detail is malformed."})
            elif asset == CARDS and len(self.calls) <= self.throttle:
                outcomes.append({"ErrorCode": "ThrottlingException", "ErrorMessage": "Rate exceeded"})
            else:
                outcomes.append({"EventId": "e"})
        return {"FailedEntryCount": sum("ErrorCode" in o for o in outcomes), "Entries": outcomes}


def test_failed_entries_are_retried_with_backoff_and_reported() -> None:
    client = Flaky(throttle=2)
    sleeps: list[float] = []
    result = publish(run_findings(), set(), ON, lambda: client, sleeps.append)
    assert client.calls == [[CRM, LOG, CARDS], [CARDS], [CARDS]]
    assert sleeps == [0.5, 1.0]
    assert result == PublishResult(
        events=3, published=2, calls=3, failures=(EventFailure(LOG, "MalformedDetail", "Detail is malformed."),)
    )
    assert not result.ok


def test_entries_still_failing_after_every_attempt_are_reported() -> None:
    client = Flaky(throttle=99)
    sleeps: list[float] = []
    result = publish(run_findings(), set(), ON, lambda: client, sleeps.append)
    assert client.calls == [[CRM, LOG, CARDS], [CARDS], [CARDS], [CARDS]]
    assert sleeps == [0.5, 1.0, 2.0]
    assert result.failures == (
        EventFailure(LOG, "MalformedDetail", "Detail is malformed."),
        EventFailure(CARDS, "ThrottlingException", "Rate exceeded"),
    )


def test_a_call_failing_as_a_whole_fails_its_entries() -> None:
    class Down:
        def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:
            raise ConnectionError("endpoint unreachable")

    result = publish(run_findings(), PREVIOUS, ON, lambda: Down(), lambda _: None)
    assert result.published == 0 and result.calls == 4
    assert [(f.asset, f.error_code) for f in result.failures] == [(CRM, "ConnectionError"), (LOG, "ConnectionError")]


def test_batches_hold_at_most_ten_entries_and_256_kb(aws: None) -> None:
    findings = pa.Table.from_pylist(
        [finding("scan-2", f"s3://data/t{i:02d}/", "email", "EMAIL_ADDRESS") for i in range(25)], schema=FINDINGS
    )
    url = subscribe()
    calls: list[int] = []
    client = boto3.client("events")

    class Counting:
        def put_events(self, Entries: list[dict[str, Any]]) -> Any:
            calls.append(len(Entries))
            return client.put_events(Entries=Entries)

    assert publish(findings, set(), ON, lambda: Counting()).published == 25
    assert calls == [10, 10, 5]
    assert [e["detail"]["asset"] for e in delivered(url)] == [f"s3://data/t{i:02d}/" for i in range(25)]

    big = [{"Source": "piiscan", "DetailType": "x", "Detail": "d" * 60_000} for _ in range(9)]
    assert [len(b) for b in batches(big)] == [4, 4, 1]
    assert all(sum(entry_size(e) for e in b) <= MAX_BATCH_BYTES for b in batches(big))


def test_disabled_or_nothing_new_makes_no_client() -> None:
    def no_client() -> Any:
        raise AssertionError("no client expected")

    assert publish(run_findings(), set(), EventSettings(), no_client) == PublishResult()
    everything = {(r["asset"], r["column"], r["entity_type"]) for r in run_findings().to_pylist()}
    assert publish(run_findings(), everything, ON, no_client) == PublishResult()


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"enabled": "yes"}, "events.enabled must be true or false, got 'yes'"),
        ({"event_bus": ""}, "events.event_bus must be a non-empty string, got ''"),
        ({"source": "aws.s3"}, "events.source must not begin with 'aws.'"),
        ({"min_sensitivity": "critical"}, "events.min_sensitivity must be one of high, medium, low, got 'critical'"),
        ({"detail_type": None}, "events.detail_type must be a non-empty string, got None"),
        ({"bus": "x"}, "events.bus is not a known setting"),
    ],
)
def test_event_settings_validation(raw: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        EventSettings.from_mapping(raw)
    assert str(caught.value).startswith(message)


def test_event_settings_defaults() -> None:
    assert EventSettings.from_mapping(None) == EventSettings(
        False, "default", "piiscan", "high", "Sensitive data found"
    )


# --- new against what was current before the run ----------------------------------------------------------------


def write_run(output: Path, run_id: str, day: int, findings: list[dict[str, Any]], status: str = "succeeded") -> None:
    write_table(pa.Table.from_pylist(findings, schema=FINDINGS), table_uri(str(output), "findings"), "findings", run_id)
    assets = [{"run_id": run_id, "asset": a, "status": "scanned"} for a in sorted({f["asset"] for f in findings})]
    write_table(pa.Table.from_pylist(assets, schema=ASSETS), table_uri(str(output), "assets"), "assets", run_id)
    row = {"run_id": run_id, "started_at": T0 + timedelta(days=day), "status": status}
    write_table(pa.Table.from_pylist([row], schema=RUNS), table_uri(str(output), "runs"), "runs", run_id)


def test_keys_before_are_each_assets_findings_of_its_latest_earlier_run(tmp_path: Path) -> None:
    write_run(
        tmp_path,
        "scan-0",
        0,
        [finding("scan-0", CRM, "fax", "PHONE_NUMBER"), finding("scan-0", LOG, None, "IP_ADDRESS")],
    )
    write_run(tmp_path, "scan-1", 1, [finding("scan-1", CRM, "phone", "PHONE_NUMBER")])
    write_run(tmp_path, "failed", 2, [finding("failed", CARDS, "card", "CREDIT_CARD")], status="failed")
    write_run(tmp_path, "scan-2", 3, run_findings("scan-2").to_pylist())
    assert keys_before(str(tmp_path), "scan-2") == {(CRM, "phone", "PHONE_NUMBER"), (LOG, None, "IP_ADDRESS")}
    assert keys_before(str(tmp_path), "scan-0") == set()
    assert keys_before(str(tmp_path / "nothing"), "scan-0") == set()


def test_publish_run(aws: None, tmp_path: Path) -> None:
    write_run(
        tmp_path,
        "scan-1",
        1,
        [finding("scan-1", CRM, "phone", "PHONE_NUMBER"), finding("scan-1", CARDS, "card", "CREDIT_CARD")],
    )
    write_run(tmp_path, "scan-2", 2, run_findings("scan-2").to_pylist())
    url = subscribe()
    assert publish_run(str(tmp_path), "scan-2", ON).published == 2
    assert [e["detail"] for e in delivered(url)] == [crm_detail(), log_detail()]
