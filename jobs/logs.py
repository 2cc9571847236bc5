"""Job log lines as text or JSON lines, with the run id and the asset a line is about when they are known.

``PIISCAN_LOG_FORMAT=json`` (or a job's ``--log-format json``) writes one JSON object per line: ``timestamp``
(UTC, ISO 8601), ``level``, ``logger``, ``message``, and ``run_id`` and ``asset`` when known. The run id comes
from :func:`log_context` (set by the scan job around a run); an asset from the same context or from a call's
``extra={"asset": ...}``. Messages are the jobs' own: they never hold a detected value.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

LOG_FORMATS = ("text", "json")
ENV_VAR = "PIISCAN_LOG_FORMAT"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_CONTEXT_FIELDS = ("run_id", "asset")
_context: dict[str, ContextVar[str | None]] = {
    name: ContextVar(f"piiscan_{name}", default=None) for name in _CONTEXT_FIELDS
}


@contextmanager
def log_context(run_id: str | None = None, asset: str | None = None) -> Iterator[None]:
    """Lines logged inside the block (in this thread or context) carry ``run_id`` and ``asset``."""
    tokens = [
        (_context[name], _context[name].set(value)) for name, value in (("run_id", run_id), ("asset", asset)) if value
    ]
    try:
        yield
    finally:
        for var, token in reversed(tokens):
            var.reset(token)


class ContextFilter(logging.Filter):
    """Puts the context's run id and asset on each record, unless the call's ``extra`` named them."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Keep every record, with its context."""
        for name in _CONTEXT_FIELDS:
            if getattr(record, name, None) is None:
                setattr(record, name, _context[name].get())
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record: timestamp, level, logger, message, run_id and asset when known."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON."""
        line: dict[str, str] = {
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in _CONTEXT_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                line[name] = str(value)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def add_log_format_argument(parser: argparse.ArgumentParser) -> None:
    """The ``--log-format text|json`` option every scheduled job takes."""
    parser.add_argument(
        "--log-format",
        choices=LOG_FORMATS,
        default=None,
        help=f"log lines as text or JSON lines (default: {ENV_VAR}, else text)",
    )


def resolve_format(log_format: str | None = None) -> str:
    """The log format: ``log_format`` if given, else PIISCAN_LOG_FORMAT, else text."""
    chosen = (log_format or os.environ.get(ENV_VAR) or "text").strip().lower()
    if chosen not in LOG_FORMATS:
        raise ValueError(f"log format must be one of {', '.join(LOG_FORMATS)}, got {chosen!r}")
    return chosen


def handler(log_format: str | None = None) -> logging.Handler:
    """A stderr handler writing the chosen format, with the run id and asset context."""
    out = logging.StreamHandler()
    out.setFormatter(JsonFormatter() if resolve_format(log_format) == "json" else logging.Formatter(TEXT_FORMAT))
    out.addFilter(ContextFilter())
    return out


def configure_logging(log_format: str | None = None) -> None:
    """A job's logs at INFO on stderr; the Spark gateway and AWS SDK chatter stays at WARNING.

    ``log_format``: ``text`` or ``json`` (JSON lines); None: PIISCAN_LOG_FORMAT, else text. ValueError for
    another format.
    """
    logging.basicConfig(level=logging.INFO, handlers=[handler(log_format)])
    for chatty in ("py4j", "botocore", "boto3", "urllib3"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
