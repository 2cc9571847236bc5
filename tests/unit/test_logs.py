"""JSON-lines and text log lines with the run id and asset context, and the progress line."""

from __future__ import annotations

import importlib
import io
import json
import logging
import threading
from collections.abc import Iterator

import pytest

from jobs.logs import ContextFilter, JsonFormatter, handler, log_context, resolve_format
from jobs.progress import progress_line
from jobs.scan import parse_args


@pytest.fixture
def captured() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    stream = io.StringIO()
    out = logging.StreamHandler(stream)
    out.setFormatter(JsonFormatter())
    out.addFilter(ContextFilter())
    logger = logging.getLogger("jobs.test_logs")
    logger.addHandler(out)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    yield logger, stream
    logger.removeHandler(out)


def _lines(stream: io.StringIO) -> list[dict[str, str]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_a_json_line_has_timestamp_level_logger_message_and_the_run_id(
    captured: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = captured
    logger.info("outside any run")
    with log_context(run_id="run-7"):
        logger.warning("planned %d object(s)", 3)
        logger.info("about an asset", extra={"asset": "s3://data/crm/customers/"})
    lines = _lines(stream)
    assert [sorted(line) for line in lines] == [
        ["level", "logger", "message", "timestamp"],
        ["level", "logger", "message", "run_id", "timestamp"],
        ["asset", "level", "logger", "message", "run_id", "timestamp"],
    ]
    assert lines[1] | {"timestamp": "-"} == {
        "timestamp": "-",
        "level": "WARNING",
        "logger": "jobs.test_logs",
        "message": "planned 3 object(s)",
        "run_id": "run-7",
    }
    assert lines[2]["asset"] == "s3://data/crm/customers/"
    assert lines[0]["timestamp"].endswith("+00:00") and "T" in lines[0]["timestamp"]


def test_the_context_is_reset_after_the_block_and_follows_copied_contexts(
    captured: tuple[logging.Logger, io.StringIO],
) -> None:
    import contextvars

    logger, stream = captured
    with log_context(run_id="run-8"), log_context(asset="file:///data/a.csv"):
        context = contextvars.copy_context()
    thread = threading.Thread(target=context.run, args=(logger.info, "from a progress thread"))
    thread.start()
    thread.join()
    logger.info("after the run")
    lines = _lines(stream)
    assert (lines[0]["run_id"], lines[0]["asset"]) == ("run-8", "file:///data/a.csv")
    assert "run_id" not in lines[1] and "asset" not in lines[1]


def test_an_exception_is_one_json_line(captured: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = captured
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        logger.exception("failed")
    (line,) = _lines(stream)
    assert line["message"] == "failed" and "RuntimeError: boom" in line["exception"]


def test_the_format_comes_from_the_argument_then_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PIISCAN_LOG_FORMAT", raising=False)
    assert resolve_format() == "text"
    monkeypatch.setenv("PIISCAN_LOG_FORMAT", "JSON")
    assert resolve_format() == "json"
    assert isinstance(handler().formatter, JsonFormatter)
    assert resolve_format("text") == "text"
    assert not isinstance(handler("text").formatter, JsonFormatter)
    monkeypatch.setenv("PIISCAN_LOG_FORMAT", "xml")
    with pytest.raises(ValueError, match="log format must be one of text, json, got 'xml'"):
        resolve_format()


def test_the_scan_takes_a_log_format_argument() -> None:
    base = ["--source", "/data", "--output", "/out"]
    assert parse_args(base).log_format is None
    assert parse_args([*base, "--log-format", "json"]).log_format == "json"
    with pytest.raises(SystemExit):
        parse_args([*base, "--log-format", "xml"])


def test_a_progress_line_has_tasks_bytes_rate_and_time_left() -> None:
    assert progress_line("scanning", 5, 20, 40, 400_000_000, 10.0) == (
        "scanning: 5 of 20 tasks done (40 objects, 100.0 of 400.0 MB, about 10.0 MB/s), 10s elapsed, about 30s left"
    )
    assert progress_line("scanning", 0, 4, 4, 1_000_000, 3.0) == (
        "scanning: 0 of 4 tasks done (4 objects, 0.0 of 1.0 MB), 3s elapsed, time left unknown"
    )
    assert progress_line("scanning", 1, 2, 1, 0, 2.0) == (
        "scanning: 1 of 2 tasks done (1 objects, 0.0 of 0.0 MB), 2s elapsed, about 2s left"
    )


@pytest.mark.parametrize(
    ("module", "required"),
    [
        ("jobs.scan", ["--source", "s3://lake/", "--output", "s3://f/p"]),
        ("jobs.tag", ["--output", "s3://f/p"]),
        ("jobs.report", ["--output", "s3://f/p"]),
        ("jobs.coverage", ["--output", "s3://f/p", "--source", "s3://*"]),
    ],
)
def test_every_scheduled_job_takes_log_format(module: str, required: list[str]) -> None:
    parse = importlib.import_module(module).parse_args
    assert [parse([*required, *extra]).log_format for extra in ([], ["--log-format", "json"])] == [None, "json"]
    with pytest.raises(SystemExit):
        parse([*required, "--log-format", "xml"])
