"""A scan run publishes its CloudWatch metrics once (the session's moto server serves every service)."""

from __future__ import annotations

from pathlib import Path

import boto3
from pyspark.sql import SparkSession

from jobs.config import load_config
from jobs.scan import ScanRequest, run_scan
from tests.helpers import metric_sums
from tests.integration.small_estate import write_small_estate


def test_a_scan_run_publishes_its_metrics_once(spark: SparkSession, s3_endpoint: str, tmp_path: Path) -> None:
    """Against the session's moto server (all services): a rerun of a committed run publishes nothing again."""
    source = write_small_estate(tmp_path / "src")
    config = load_config().with_section("metrics", {"enabled": True, "namespace": "piiscan-run"})
    request = ScanRequest((str(source),), str(tmp_path / "out"), config, "run-metrics-1")
    result = run_scan(spark, request)
    run_scan(spark, request)  # a rerun: the runs row is already committed
    client = boto3.client("cloudwatch", region_name="us-east-1")
    found = metric_sums(client, "piiscan-run", [{"Name": "Job", "Value": "scan"}])
    duration, unit = found.pop("DurationSeconds")
    assert unit == "Seconds" and 0 < duration < 600
    assert found == {
        "ObjectsScanned": (float(result.objects_scanned), "Count"),
        "ObjectsSkipped": (float(result.objects_skipped), "Count"),
        "ObjectsFailed": (0.0, "Count"),
        "ObjectsUnchanged": (0.0, "Count"),
        "BytesScanned": (float(result.bytes_scanned), "Bytes"),
        "Findings": (5.0, "Count"),
    }
