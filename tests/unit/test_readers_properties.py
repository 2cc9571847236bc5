"""Property-based tests of the readers (issue 9): any bytes under any name end as data or as a recorded reason.

The profile is derandomised, so CI runs the same examples every time.
"""

from __future__ import annotations

import bz2
import contextlib
import csv
import gzip
import io
import json
import os
from pathlib import Path
from typing import Any
from unittest import mock

import pyarrow as pa
import pyarrow.fs as pafs
import zstandard
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from classifiers.errors import SourceError
from jobs.config import load_config
from jobs.formats import guess_from_name, utf16_without_bom
from jobs.readers import MAX_LINE_CHARS, Limits, ObjectReader, json_depth, json_too_deep
from jobs.scan_task import engine_for, scan_object
from tests.helpers import read_whole

# database=None: nothing is written into the working tree; derandomize: the same examples on every run, unless
# PIISCAN_PROPERTY_EXAMPLES asks for a bigger, random hunt (PIISCAN_PROPERTY_EXAMPLES=5000 pytest this file).
HUNT = os.environ.get("PIISCAN_PROPERTY_EXAMPLES")
PROPERTIES = settings(
    max_examples=int(HUNT or 150),
    deadline=None,
    derandomize=HUNT is None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],  # tmp_path is shared by examples; each rewrites it
)
NAMES = [
    f"object{ext}{codec}"
    for ext in (".csv", ".tsv", ".json", ".parquet", ".txt", ".log", "")
    for codec in ("", ".gz", ".bz2", ".zst")
]
CARD = "4556737586899855"
# Leading bytes that steer a reader down each of its paths: compression magic, Parquet magic, BOMs, JSON.
PREFIXES = [b"", b"\x1f\x8b\x08\x00", b"BZh9", b"\x28\xb5\x2f\xfd", b"PAR1", b"\xff\xfe", b"\xef\xbb\xbf", b"{", b"["]
CONFIG, ENGINE = engine_for(load_config().raw, False)


def compressed(data: bytes, name: str) -> bytes:
    """``data`` compressed as the name's codec says (valid streams, to reach the readers behind them)."""
    if name.endswith(".gz"):
        return gzip.compress(data, mtime=0)
    if name.endswith(".bz2"):
        return bz2.compress(data)
    if name.endswith(".zst"):
        return zstandard.ZstdCompressor().compress(data)
    return data


def read_all(path: Path, name: str) -> ObjectReader:
    """Open and read the object whole, as the scan does."""
    reader = ObjectReader(pafs.LocalFileSystem(), str(path), guess_from_name(name), Limits(rows=None, bytes=None))
    return read_whole(reader)


@PROPERTIES
@given(st.sampled_from(NAMES), st.sampled_from(PREFIXES), st.binary(max_size=600), st.booleans())
def test_any_bytes_under_any_name_read_or_raise_a_source_or_arrow_error(
    tmp_path: Path, name: str, prefix: bytes, body: bytes, compress: bool
) -> None:
    data = prefix + body
    path = tmp_path / name
    path.write_bytes(compressed(data, name) if compress else data)
    with contextlib.suppress(SourceError, pa.ArrowInvalid):  # both end as the object's reason (scan_object)
        read_all(path, name)


@PROPERTIES
@given(st.sampled_from(NAMES), st.sampled_from(PREFIXES), st.binary(max_size=400), st.binary(max_size=400))
def test_scanning_any_bytes_gives_one_asset_row_and_never_the_value_in_clear(
    tmp_path: Path, name: str, prefix: bytes, before: bytes, after: bytes
) -> None:
    data = prefix + before + b"\n" + CARD.encode() + b"\n" + after
    path = tmp_path / name
    path.write_bytes(data)
    rows = scan_object({"object_uri": f"file://{path}", "size_bytes": len(data)}, CONFIG, ENGINE)
    assert rows[0]["kind"] == "asset" and [r["kind"] for r in rows[1:]].count("asset") == 0
    assert rows[0]["status"] in ("scanned", "skipped", "error")
    assert rows[0]["status"] == "scanned" or rows[0]["reason"]  # an object not read always says why
    assert CARD not in repr(rows)


CONTROLS = "".join(map(chr, [*range(32), *range(127, 160)]))
# codec="utf-8": any character a UTF-8 file can hold (no lone surrogates); control characters only as CSV syntax.
CELLS = st.text(st.characters(codec="utf-8", exclude_characters=CONTROLS) | st.sampled_from('\n",;\t '), max_size=30)


@PROPERTIES
@given(st.lists(st.tuples(CELLS, CELLS), min_size=1, max_size=20))
def test_csv_round_trip_preserves_every_cell(tmp_path: Path, rows: list[tuple[str, str]]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([("a", "b"), *rows])
    path = tmp_path / "cells.csv"
    path.write_bytes(buffer.getvalue().encode())
    reader = ObjectReader(pafs.LocalFileSystem(), str(path), guess_from_name("cells.csv"), Limits(None, None))
    reader.open()
    values: dict[str, list[Any]] = {"a": [], "b": []}
    for columns in reader.columns():
        for column, array in columns:
            values[column].extend(array.to_pylist())
    assert (values["a"], values["b"]) == ([a for a, _ in rows], [b for _, b in rows])
    assert (reader.report.rows, reader.report.malformed_rows) == (len(rows), 0)


@PROPERTIES
@given(st.lists(st.text(st.characters(codec="utf-8"), max_size=30), min_size=1, max_size=20))
def test_json_lines_round_trip_preserves_every_string(tmp_path: Path, texts: list[str]) -> None:
    path = tmp_path / "values.json"
    path.write_bytes("".join(json.dumps({"v": text}) + "\n" for text in texts).encode())
    reader = ObjectReader(pafs.LocalFileSystem(), str(path), guess_from_name("values.json"), Limits(None, None))
    reader.open()
    values = [v for columns in reader.columns() for _, array in columns for v in array.to_pylist()]
    assert values == texts


@PROPERTIES
@given(st.text(st.characters(codec="utf-8", exclude_characters="\n\r"), max_size=3000))
def test_a_text_line_is_read_back_whole_in_pieces_of_at_most_the_line_limit(tmp_path: Path, line: str) -> None:
    path = tmp_path / "line.txt"
    path.write_bytes(line.encode("utf-8"))
    reader = ObjectReader(pafs.LocalFileSystem(), str(path), guess_from_name("line.txt"), Limits(None, None))
    try:
        reader.open()
    except SourceError:  # mostly control characters: skipped as binary, with that reason
        return
    pieces = [p for batch in reader.lines() for p in batch.to_pylist()]
    assert "".join(pieces) == line.removeprefix("\ufeff")
    assert all(len(p) <= MAX_LINE_CHARS for p in pieces)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4),
    max_leaves=40,
)


def depth(value: object) -> int:
    if isinstance(value, list):
        return 1 + max((depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((depth(v) for v in value.values()), default=0)
    return 0


@PROPERTIES
@given(st.lists(JSON_VALUES, min_size=1, max_size=5))
def test_json_depth_equals_the_parsed_nesting_depth(values: list[object]) -> None:
    lines = [json.dumps(v, ensure_ascii=False) for v in values]
    assert json_depth("\n".join(lines).encode(), per_line=True) == max(depth(v) for v in values)
    assert json_depth(lines[0].encode()) == depth(values[0])
    for limit in (0, 1, 2, 3):  # small limits: the cheap opener count lets some lines through, measures others
        assert json_too_deep("\n".join(lines).encode(), limit) == (max(depth(v) for v in values) > limit)


@PROPERTIES
@given(st.text(st.characters(min_codepoint=32, max_codepoint=126), min_size=2, max_size=200))
def test_ascii_text_in_utf16_without_bom_is_recognised_and_utf8_is_not(text: str) -> None:
    assert utf16_without_bom(text.encode("utf-16-le")) == "utf-16-le"
    assert utf16_without_bom(text.encode("utf-16-be")) == "utf-16-be"
    assert utf16_without_bom(text.encode("utf-8")) is None


def _lines_read(path: Path) -> list[str] | None:
    """The lines a text reader gives for ``path``, in chunks of 7 bytes; None when it is refused as not text."""
    with mock.patch("jobs.readers.TEXT_CHUNK_BYTES", 7):
        reader = ObjectReader(pafs.LocalFileSystem(), str(path), guess_from_name("lines.txt"), Limits(None, None))
        try:
            reader.open()
        except SourceError:  # an empty object: refused, with that reason
            return None
        return [p for batch in reader.lines() for p in batch.to_pylist()]


@PROPERTIES
@given(st.lists(st.text(st.sampled_from("ab\r\u00e9x"), max_size=40), max_size=30))
def test_lines_are_the_text_split_by_newlines_without_trailing_carriage_returns(
    tmp_path: Path, lines: list[str]
) -> None:
    path = tmp_path / "lines.txt"
    text = "\n".join(lines)
    path.write_bytes(text.encode("utf-8"))
    expected = [line.rstrip("\r") for line in text.removesuffix("\n").split("\n")]
    assert _lines_read(path) == (expected if text else None)  # an empty object is refused as such


@PROPERTIES
@given(st.lists(st.text(st.sampled_from("ab\u00e9x"), max_size=40), min_size=1, max_size=30), st.integers(1, 9))
def test_lines_over_the_limit_are_read_whole_in_pieces_within_it(tmp_path: Path, lines: list[str], limit: int) -> None:
    assume("".join(lines))  # an empty object is refused as such
    path = tmp_path / "lines.txt"
    path.write_bytes("\n".join(lines).encode("utf-8"))
    with mock.patch("jobs.readers.MAX_LINE_CHARS", limit):
        pieces = _lines_read(path)
    assert pieces is not None
    assert "".join(pieces) == "".join(lines)
    assert all(len(piece) <= limit for piece in pieces)
    assert len(pieces) >= len(lines) - (lines[-1] == "")
