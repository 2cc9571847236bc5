"""The scan announces new high-sensitivity findings on EventBridge (the session's moto server), once per asset."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
from pyspark.sql import SparkSession

from jobs.config import load_config
from jobs.history import finding_id
from jobs.scan import ScanRequest, format_summary, run_scan
from tests.integration.small_estate import CANARIES, write_small_estate

BUS = "piiscan-scan-events"


def _subscribe() -> str:
    sqs, events = boto3.client("sqs"), boto3.client("events")
    url = sqs.create_queue(QueueName=BUS)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.create_event_bus(Name=BUS)
    events.put_rule(Name="findings", EventBusName=BUS, EventPattern=json.dumps({"source": ["piiscan"]}))
    events.put_targets(Rule="findings", EventBusName=BUS, Targets=[{"Id": "queue", "Arn": arn}])
    return url


def _delivered(url: str) -> list[dict[str, Any]]:
    sqs = boto3.client("sqs")
    messages: list[dict[str, Any]] = []
    while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        messages.extend(json.loads(m["Body"]) for m in batch)
        sqs.delete_message_batch(
            QueueUrl=url, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)]
        )
    return sorted(messages, key=lambda m: m["detail"]["asset"])


def test_new_high_findings_are_announced_once(spark: SparkSession, s3_endpoint: str, tmp_path: Path) -> None:
    url = _subscribe()
    source = write_small_estate(tmp_path / "src")
    config = load_config().with_section("events", {"enabled": True, "event_bus": BUS})
    output = str(tmp_path / "out")

    first = run_scan(spark, ScanRequest((str(source),), output, config, "events-1"))
    events = _delivered(url)
    log, cards = f"file://{source}/logs/app.log", f"file://{source}/payments/cards.parquet"
    common = {"region": None, "run_id": "events-1", "source_kind": "local", "table_name": None, "findings": 1}
    assert [(e["source"], e["detail-type"], e["detail"]) for e in events] == [
        (
            "piiscan",
            "Sensitive data found",
            {
                **common,
                "asset": log,
                "max_sensitivity": "high",
                "frameworks": [],
                "finding_ids": [finding_id("events-1", log, None, "AWS_ACCESS_KEY")],
                "entity_types": [
                    {
                        "entity_type": "AWS_ACCESS_KEY",
                        "columns": [],
                        "object_level": True,
                        "findings": 1,
                        "matched_values": 1,
                        "max_confidence": 1.0,
                        "sensitivity": "high",
                    }
                ],
            },
        ),
        (
            "piiscan",
            "Sensitive data found",
            {
                **common,
                "asset": cards,
                "max_sensitivity": "high",
                "frameworks": ["CCPA", "GDPR", "GLBA", "PCI_DSS"],
                "finding_ids": [finding_id("events-1", cards, "card", "CREDIT_CARD")],
                "entity_types": [
                    {
                        "entity_type": "CREDIT_CARD",
                        "columns": ["card"],
                        "findings": 1,
                        "matched_values": 2,
                        "max_confidence": 0.9,
                        "sensitivity": "high",
                    }
                ],
            },
        ),
    ]  # fmt: skip  (the customers' e-mails and phones are medium: below events.min_sensitivity)
    assert first.events is not None
    assert (first.events.events, first.events.published, first.events.failures) == (2, 2, ())
    second = run_scan(spark, ScanRequest((str(source),), output, config, "events-2"))  # nothing changed
    assert _delivered(url) == []
    assert second.events is not None
    assert (second.events.events, second.events.published) == (0, 0)
    assert "  events: 0 published to EventBridge, 0 failed" in format_summary(second).splitlines()
    assert not any(canary in json.dumps(events) for canary in CANARIES)
