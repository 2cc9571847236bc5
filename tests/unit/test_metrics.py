"""CloudWatch metrics of a scan run: the exact metric data against moto, failures only logged, the config section."""

from __future__ import annotations

import logging
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from classifiers.errors import ConfigError
from jobs.config import load_config, parse_config
from jobs.metrics import MetricSettings, put_run_metrics
from jobs.scan import ScanResult
from tests.helpers import metric_sums

RESULT = ScanResult(
    run_id="run-m1",
    status="succeeded_with_errors",
    objects_scanned=5,
    objects_skipped=1,
    objects_failed=2,
    objects_unchanged=3,
    bytes_scanned=123_456,
    findings=7,
)
EXPECTED = {
    "ObjectsScanned": (5.0, "Count"),
    "ObjectsSkipped": (1.0, "Count"),
    "ObjectsFailed": (2.0, "Count"),
    "ObjectsUnchanged": (3.0, "Count"),
    "BytesScanned": (123456.0, "Bytes"),
    "Findings": (7.0, "Count"),
    "DurationSeconds": (12.5, "Seconds"),
}
ON = MetricSettings(enabled=True, namespace="piiscan-test", dimensions={"Job": "scan", "Estate": "dev"})


@pytest.fixture
def cloudwatch(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)  # the session's moto server, if set: use the mock
    with mock_aws():
        yield boto3.client("cloudwatch", region_name="us-east-1")


def test_one_put_metric_data_call_publishes_every_metric_with_its_unit(cloudwatch: Any) -> None:
    assert put_run_metrics(ON, RESULT, 12.5) is True
    dimensions = [{"Name": "Estate", "Value": "dev"}, {"Name": "Job", "Value": "scan"}]
    assert metric_sums(cloudwatch, "piiscan-test", dimensions) == EXPECTED


def test_a_failing_client_only_logs_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    class Denied:
        calls = 0

        def put_metric_data(self, **_: Any) -> None:
            Denied.calls += 1
            raise ClientError(
                {"Error": {"Code": "AccessDenied", "Message": "not authorized for 4111111111111111"}}, "PutMetricData"
            )

    with caplog.at_level(logging.WARNING, logger="jobs.metrics"):
        assert put_run_metrics(ON, RESULT, 1.0, client=Denied()) is False
    assert Denied.calls == 1
    (record,) = caplog.records
    assert record.levelno == logging.WARNING
    assert record.getMessage().startswith("run run-m1: CloudWatch metrics not published: ClientError: ")
    assert "AccessDenied" in record.getMessage() and "4111111111111111" not in record.getMessage()


def test_the_metrics_section_is_parsed_validated_and_left_out_of_the_digest() -> None:
    assert load_config().metrics == MetricSettings()
    assert MetricSettings() == MetricSettings(enabled=False, namespace="piiscan", dimensions={"Job": "scan"})
    config = parse_config({"metrics": {"enabled": True, "namespace": "acme/piiscan", "dimensions": {"Env": "prod"}}})
    assert config.metrics == MetricSettings(True, "acme/piiscan", {"Env": "prod"})
    assert config.digest == parse_config({}).digest
    for bad, message in [
        ({"enabled": "yes"}, "metrics.enabled must be true or false"),
        ({"namespace": ""}, "metrics.namespace must be a non-empty string"),
        ({"namespace": "AWS/S3"}, "must not begin with 'AWS/'"),
        ({"dimensions": {"Job": 1}}, "metrics.dimensions must map"),
        ({"unit": "Count"}, r"metrics: unknown key\(s\) \['unit'\]"),
    ]:
        with pytest.raises(ConfigError, match=message):
            parse_config({"metrics": bad})
