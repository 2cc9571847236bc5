"""What the jobs' command lines share: Glue-tolerant argument parsing, run ids and YAML configuration files."""

from __future__ import annotations

import argparse
import uuid
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from classifiers.errors import ConfigError

# The special job parameters AWS Glue reserves ("Using job parameters in AWS Glue jobs"). Glue hands every job
# parameter to the script as ``--key value``, its own included, so they are tolerated (and ignored) like the
# ``--JOB_ID`` / ``--JOB_RUN_ID`` / ``--JOB_NAME`` arguments; awsglue is not needed to run under Glue.
GLUE_RESERVED = frozenset(
    {
        "--additional-python-modules",
        "--auto-scale-within-microbatch",
        "--class",
        "--conf",
        "--continuous-log-conversionPattern",
        "--continuous-log-logGroup",
        "--continuous-log-logStreamPrefix",
        "--customer-driver-env-vars",
        "--customer-executor-env-vars",
        "--datalake-formats",
        "--disable-proxy-v2",
        "--enable-auto-scaling",
        "--enable-continuous-cloudwatch-log",
        "--enable-continuous-log-filter",
        "--enable-glue-datacatalog",
        "--enable-job-insights",
        "--enable-lakeformation-fine-grained-access",
        "--enable-metrics",
        "--enable-observability-metrics",
        "--enable-rename-algorithm-v2",
        "--enable-s3-parquet-optimized-committer",
        "--enable-spark-ui",
        "--encryption-type",
        "--executor-cores",
        "--extra-files",
        "--extra-jars",
        "--extra-py-files",
        "--job-bookmark-option",
        "--job-language",
        "--python-modules-installer-option",
        "--scriptLocation",
        "--spark-event-logs-path",
        "--TempDir",
        "--use-postgres-driver",
        "--user-jars-first",
    }
)


def parse_job_args(parser: argparse.ArgumentParser, argv: Sequence[str]) -> argparse.Namespace:
    """Parse ``argv``; Glue's own arguments (``--JOB_NAME`` ..., GLUE_RESERVED) are ignored, any other is an error."""
    args, unknown = parser.parse_known_args(argv)
    stray = [
        a
        for a in unknown
        if a.startswith("--") and not a.startswith("--JOB_") and a.split("=", 1)[0] not in GLUE_RESERVED
    ]
    if stray:
        parser.error(f"unrecognised arguments: {' '.join(stray)}")
    return args


def new_run_id(now: datetime, prefix: str = "") -> str:
    """A sortable, unique id such as ``20261123T125044Z-1a2b3c4d`` (``prefix`` first, e.g. ``tag-``)."""
    return f"{prefix}{now.strftime('%Y%m%dT%H%M%SZ')}-{uuid.uuid4().hex[:8]}"


def read_yaml(path: Path, what: str) -> Any:
    """The YAML document at ``path`` ({} when empty); ConfigError naming ``what`` when unreadable or invalid."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise ConfigError(f"cannot read {what} {str(path)!r}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{what} {str(path)!r} is not valid YAML: {exc}") from exc
