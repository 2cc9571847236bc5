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


def parse_job_args(parser: argparse.ArgumentParser, argv: Sequence[str]) -> argparse.Namespace:
    """Parse ``argv``; Glue's own ``--JOB_NAME`` style arguments are tolerated and ignored, any other is an error."""
    args, unknown = parser.parse_known_args(argv)
    stray = [a for a in unknown if a.startswith("--") and not a.startswith("--JOB_")]
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
