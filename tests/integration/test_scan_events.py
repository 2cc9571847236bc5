"""The scan announces new high-sensitivity findings on EventBridge (the session's moto server), once per asset."""

from __future__ import annotations

import json
from pathlib import Path

from pyspark.sql import SparkSession

from jobs.config import load_config
from jobs.history import finding_id
from jobs.scan import ScanRequest, format_summary, run_scan
from tests.helpers import delivered, subscribe
from tests.integration.small_estate import CANARIES, write_small_estate

BUS = "piiscan-scan-events"


def test_new_high_findings_are_announced_once(spark: SparkSession, s3_endpoint: str, tmp_path: Path) -> None:
    url = subscribe(BUS)
    source = write_small_estate(tmp_path / "src")
    config = load_config().with_section("events", {"enabled": True, "event_bus": BUS})
    output = str(tmp_path / "out")

    first = run_scan(spark, ScanRequest((str(source),), output, config, "events-1"))
    events = delivered(url)
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
    assert delivered(url) == []
    assert second.events is not None
    assert (second.events.events, second.events.published) == (0, 0)
    assert "  events: 0 published to EventBridge, 0 failed" in format_summary(second).splitlines()
    assert not any(canary in json.dumps(events) for canary in CANARIES)
