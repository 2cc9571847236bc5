"""CloudWatch metrics of a scan run: one PutMetricData call after the run's row is committed, best effort.

Metrics (namespace and dimensions from the ``metrics:`` configuration section): ObjectsScanned, ObjectsSkipped,
ObjectsFailed, ObjectsUnchanged and Findings (Count), BytesScanned (Bytes) and DurationSeconds (Seconds). A
failure to publish is logged as a warning and never fails the run.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from classifiers.errors import ConfigError
from jobs.redaction import safe_reason
from jobs.storage import default_region

if TYPE_CHECKING:
    from jobs.scan import ScanResult

LOG = logging.getLogger(__name__)
MAX_DIMENSIONS = 30  # CloudWatch: dimensions per metric


@dataclass(frozen=True)
class MetricSettings:
    """The ``metrics:`` section of the configuration."""

    enabled: bool = False
    namespace: str = "piiscan"
    dimensions: Mapping[str, str] = field(default_factory=lambda: {"Job": "scan"})

    def __post_init__(self) -> None:
        if not isinstance(self.enabled, bool):
            raise ConfigError(f"metrics.enabled must be true or false, got {self.enabled!r}")
        if not isinstance(self.namespace, str) or not self.namespace.strip() or len(self.namespace) > 255:
            raise ConfigError(
                f"metrics.namespace must be a non-empty string of at most 255 characters, got {self.namespace!r}"
            )
        if self.namespace.startswith("AWS/"):
            raise ConfigError(f"metrics.namespace must not begin with 'AWS/' (reserved by AWS), got {self.namespace!r}")
        if (
            not isinstance(self.dimensions, Mapping)
            or len(self.dimensions) > MAX_DIMENSIONS
            or not all(isinstance(k, str) and k and isinstance(v, str) and v for k, v in self.dimensions.items())
        ):
            raise ConfigError(
                f"metrics.dimensions must map at most {MAX_DIMENSIONS} names to non-empty strings, "
                f"got {self.dimensions!r}"
            )


def metric_data(
    result: ScanResult, duration_seconds: float, dimensions: Mapping[str, str], at: datetime
) -> list[dict[str, Any]]:
    """The MetricData of one run's PutMetricData call."""
    values = (
        ("ObjectsScanned", result.objects_scanned, "Count"),
        ("ObjectsSkipped", result.objects_skipped, "Count"),
        ("ObjectsFailed", result.objects_failed, "Count"),
        ("ObjectsUnchanged", result.objects_unchanged, "Count"),
        ("BytesScanned", result.bytes_scanned, "Bytes"),
        ("Findings", result.findings, "Count"),
        ("DurationSeconds", round(duration_seconds, 3), "Seconds"),
    )
    dims = [{"Name": name, "Value": value} for name, value in sorted(dimensions.items())]
    return [
        {"MetricName": name, "Dimensions": dims, "Timestamp": at, "Value": float(value), "Unit": unit}
        for name, value, unit in values
    ]


def cloudwatch_client() -> Any:
    """A boto3 CloudWatch client; boto3 reads the endpoint and credentials itself."""
    import boto3

    return boto3.client("cloudwatch", region_name=default_region())


def put_run_metrics(settings: MetricSettings, result: ScanResult, duration_seconds: float, client: Any = None) -> bool:
    """Publish the run's metrics in one PutMetricData call; False (and a warning) when that fails."""
    try:
        data = metric_data(result, duration_seconds, settings.dimensions, datetime.now(UTC))
        (client or cloudwatch_client()).put_metric_data(Namespace=settings.namespace, MetricData=data)
    except Exception as exc:  # noqa: BLE001 - the run is committed; its metrics are best effort
        LOG.warning("run %s: CloudWatch metrics not published: %s", result.run_id, safe_reason(exc))
        return False
    LOG.info("run %s: published %d CloudWatch metric(s) to %s", result.run_id, len(data), settings.namespace)
    return True
