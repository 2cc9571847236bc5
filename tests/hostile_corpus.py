"""A corpus of hostile objects (issue 9, "Bad input"), generated deterministically in code.

Each case is one object in its own folder (so each is its own asset), with the assets status and reason the scan
must record for it and, where the content is readable, the findings it must produce. The values planted in the
readable cases are the canaries no written file may contain in clear.
"""

from __future__ import annotations

import bz2
import codecs
import gzip
import hashlib
import io
import json
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.parquet as pq
import zstandard

from jobs.readers import MAX_JSON_DEPTH, MAX_LINE_CHARS, TEXT_CHUNK_BYTES

# One 100 MB line, as the issue asks: read in pieces of the reader's longest line, within the object's byte limit.
HUGE_LINE_BYTES = 100 * 1000 * 1000
DEEP_NESTING = 5000
HUGE_ARRAY_ITEMS = 60_000  # about 2 MiB on one JSON line: longer than the reader's first 1 MiB block

EMAILS = [f"canary.{name}@hostile-corpus.test" for name in ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot")]
EMAIL = EMAILS[0]
CARDS = ["4556737586899855", "5555555555554444", "4012888888881881"]  # Luhn-valid test card numbers


@dataclass(frozen=True)
class Case:
    """One hostile object: where it goes, its bytes, and what the scan must record for it.

    ``findings`` are the (column, entity type) pairs expected for the object (column None: object-level text).
    ``storage_class``: the S3 storage class it is uploaded with.
    """

    key: str
    data: bytes
    status: str
    reason: str | None
    findings: frozenset[tuple[str | None, str]] = frozenset()
    storage_class: str | None = None


def _csv(rows: list[list[str]]) -> bytes:
    return "".join(",".join(row) + "\n" for row in rows).encode()


PEOPLE_CSV = _csv([["id", "email", "card"], *[[str(i), EMAILS[i], CARDS[i % 3]] for i in range(6)]])
LOG_TEXT = "".join(f"2024-06-01 INFO user {e} logged in\n" for e in EMAILS).encode()


def _parquet(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


PEOPLE_PARQUET = _parquet(pa.table({"id": list(range(6)), "email": EMAILS}))


def _varied_log(lines: int) -> bytes:
    """Log lines that compress poorly, so a stream cut at 60 % still decodes more than the reader's first chunk."""
    return "".join(
        f"{i:06d} {hashlib.sha256(str(i).encode()).hexdigest()} user {EMAILS[i % len(EMAILS)]}\n" for i in range(lines)
    ).encode()


VARIED_LOG = _varied_log(30_000)  # about 3 MB
# The text reader decodes 1 MiB at a time: the whole lines of the first MiB are scanned before the break.
KEPT_ROWS = VARIED_LOG[:TEXT_CHUNK_BYTES].count(b"\n")
KEPT = f" (after {KEPT_ROWS} rows; evidence from those rows is kept)"


def _cut(data: bytes) -> bytes:
    return data[: len(data) * 6 // 10]


def _binary(size: int) -> bytes:
    """Deterministic bytes that look like nothing textual: every byte value, scrambled."""
    return bytes((i * 131 + (i >> 8) * 7) % 256 for i in range(size))


def _nested(depth: int) -> str:
    return '{"a":' * depth + json.dumps(EMAIL) + "}" * depth


def _gzip(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)  # mtime 0: the same bytes every time


def _cases() -> list[Case]:
    csv_found = frozenset({("email", "EMAIL_ADDRESS"), ("card", "CREDIT_CARD")})
    text_found = frozenset({(None, "EMAIL_ADDRESS")})
    truncated = "data is truncated: the object ends inside the compressed stream" + KEPT
    deep = f"SourceError: a JSON record nested more than {MAX_JSON_DEPTH} levels deep"
    binary = "binary content that is not a supported format"
    return [
        # Compression that breaks part-way: what was decoded before the break is scanned, the break is an error.
        Case(
            "gzip-truncated/app.log.gz", _cut(_gzip(VARIED_LOG)), "error", f"SourceError: gzip {truncated}", text_found
        ),
        Case(
            "gzip-corrupt/app.log.gz",
            b"\x1f\x8b\x08\x00" + _binary(4096),
            "error",
            "SourceError: gzip data is corrupt (invalid literal/length code)",
        ),
        Case(
            "bzip2-truncated/app.log.bz2",
            _cut(bz2.compress(VARIED_LOG)),
            "error",
            f"SourceError: bzip2 {truncated}",
            text_found,
        ),
        Case(
            "bzip2-corrupt/app.log.bz2",
            b"BZh9" + _binary(4096),
            "error",
            "SourceError: bzip2 data is corrupt (invalid bz2 data)",
        ),
        Case(
            "zstd-truncated/app.log.zst",
            _cut(zstandard.ZstdCompressor().compress(VARIED_LOG)),
            "error",
            f"SourceError: zstd {truncated}",
            text_found,
        ),
        Case(
            "zstd-corrupt/app.log.zst",
            b"\x28\xb5\x2f\xfd" + _binary(4096),
            "error",
            "SourceError: zstd data is corrupt (Data corruption detected)",
        ),
        Case(
            "parquet-truncated/people.parquet",
            PEOPLE_PARQUET[: len(PEOPLE_PARQUET) // 2],
            "error",
            "SourceError: no Parquet footer at the end: the file is truncated or not Parquet",
        ),
        Case(
            "parquet-bad-footer/people.parquet",
            PEOPLE_PARQUET[:-8] + b"\xff\xff\xff\x7fPAR1",  # a metadata length far beyond the file
            "error",
            "SourceError: damaged Parquet footer: it claims more metadata than the file holds",
        ),
        # Binary content under text names.
        Case("binary-as-csv/data.csv", _binary(8192), "skipped", binary),
        Case("binary-as-txt/data.txt", _binary(8192), "skipped", binary),
        Case("binary-as-json/data.json", _binary(8192), "skipped", binary),
        # Names that lie about the content: read as what the content is, where that can be told.
        Case(
            "parquet-as-csv/people.csv",
            PEOPLE_PARQUET,
            "scanned",
            "content is Parquet although the name says csv",
            frozenset({("email", "EMAIL_ADDRESS")}),
        ),
        Case(
            "gzip-as-txt/app.txt",
            _gzip(LOG_TEXT),
            "scanned",
            "content is gzip-compressed although the name does not say so",
            text_found,
        ),
        Case(
            "csv-as-parquet/people.parquet",
            PEOPLE_CSV,
            "error",
            "SourceError: named .parquet but does not start with the Parquet magic bytes 'PAR1'",
        ),
        # Encodings.
        Case(
            "invalid-utf8/app.log",
            LOG_TEXT.replace(b"INFO", b"IN\xff\xfe") + b"\xc3\x28 \xa0\xa1 \xf0\x28\x8c\x28\n",
            "scanned",
            None,
            text_found,
        ),
        Case(
            "invalid-utf8-csv/people.csv",
            PEOPLE_CSV.replace(b"\n1,", b"\n\xff\xfe1,"),
            "scanned",
            "invalid UTF-8 bytes replaced",
            csv_found,
        ),
        Case(
            "utf16-bom/app.txt",
            codecs.BOM_UTF16_LE + LOG_TEXT.decode().encode("utf-16-le"),
            "scanned",
            None,
            text_found,
        ),
        Case(
            "utf16-no-bom/app.txt",
            LOG_TEXT.decode().encode("utf-16-le"),
            "scanned",
            "UTF-16-LE text without a byte order mark",
            text_found,
        ),
        Case(
            "utf16-be-no-bom/app.txt",
            LOG_TEXT.decode().encode("utf-16-be"),
            "scanned",
            "UTF-16-BE text without a byte order mark",
            text_found,
        ),
        Case(
            "utf16-csv/people.csv",
            codecs.BOM_UTF16_LE + PEOPLE_CSV.decode().encode("utf-16-le"),
            "skipped",
            "UTF-16 encoded csv is not supported yet (only text is)",
        ),
        # One line far longer than the reader's longest line: scanned in pieces, memory stays bounded.
        Case(
            "huge-line/app.log",
            (b"x" * (HUGE_LINE_BYTES // 2) + f" {EMAIL} ".encode() + b"y" * (HUGE_LINE_BYTES // 2)),
            "scanned",
            None,
            text_found,
        ),
        Case(
            "huge-line-csv/people.csv",
            b"id,note\n1," + b"z" * (2 * MAX_LINE_CHARS) + b"\n" + f"2,{EMAIL}\n".encode(),
            "scanned",
            None,
            frozenset({("note", "EMAIL_ADDRESS")}),
        ),
        # CSV damage.
        Case(
            "csv-ragged/people.csv",
            _csv(
                [
                    ["id", "email", "card"],
                    ["0", EMAILS[0], CARDS[0]],
                    ["1", EMAILS[1]],
                    ["2", EMAILS[2], CARDS[2], "x"],
                    *[[str(i), EMAILS[i], CARDS[i % 3]] for i in range(3, 6)],
                ]
            ),
            "scanned",
            "2 malformed rows skipped",
            csv_found,
        ),
        Case(
            "csv-nul/people.csv",
            PEOPLE_CSV.replace(b"\n2,", b"\n2\x00,").replace(b"\n4,", b"\n\x004,"),
            "scanned",
            None,
            csv_found,
        ),
        Case(
            "csv-multiline-quotes/people.csv",
            b"id,email,note\n"
            + b"".join(f'{i},{EMAILS[i]},"line one\nline two, ""quoted""\nline three"\n'.encode() for i in range(6)),
            "scanned",
            None,
            frozenset({("email", "EMAIL_ADDRESS")}),
        ),
        Case(
            "csv-unterminated-quote/people.csv",
            PEOPLE_CSV + b'6,"' + EMAILS[0].encode() + b",never closed\n7,x,y\n",
            "scanned",
            "1 malformed rows skipped",
            csv_found,
        ),
        # JSON damage.
        # Deeper than pyarrow's JSON parser survives: unchecked, it kills the Python worker (segmentation fault).
        Case("json-deeper/doc.json", (_nested(10 * DEEP_NESTING) + "\n").encode(), "error", deep),
        Case("json-deep/doc.json", (_nested(DEEP_NESTING) + "\n").encode(), "error", deep),
        Case(
            "json-deep-array/doc.json",
            ("[" + _nested(DEEP_NESTING) + "]").encode(),
            "error",
            f"SourceError: JSON nested more than {MAX_JSON_DEPTH} levels deep",
        ),
        Case(
            "json-huge-array/doc.json",
            (json.dumps({"id": 1, "emails": EMAILS * (HUGE_ARRAY_ITEMS // len(EMAILS))}) + "\n").encode(),
            "scanned",
            None,
            frozenset({("emails[]", "EMAIL_ADDRESS")}),
        ),
        Case(
            "json-truncated/doc.json",
            b'{"email": "' + EMAIL.encode() + b'"}\n{"email": "tru',
            "error",
            "ArrowInvalid: JSON parse error: Missing a closing quotation mark in string. in row 1",
        ),
        # Empty, before and after decompression.
        Case("zero-byte/empty.csv", b"", "skipped", "empty object"),
        Case("zero-byte-gzip/empty.csv.gz", _gzip(b""), "skipped", "empty once gzip-decompressed"),
        # Archived objects are listed but never read.
        Case(
            "archive-glacier/people.csv",
            PEOPLE_CSV,
            "skipped",
            "archived in storage class GLACIER; restore it to scan",
            storage_class="GLACIER",
        ),
        Case(
            "archive-deep/people.csv",
            PEOPLE_CSV,
            "skipped",
            "archived in storage class DEEP_ARCHIVE; restore it to scan",
            storage_class="DEEP_ARCHIVE",
        ),
    ]


CASES = _cases()
# Objects the test deletes or rewrites after the plan is made and before the Spark tasks read them.
DELETED = Case("race-deleted/people.csv", PEOPLE_CSV, "skipped", "deleted since it was listed")
CHANGED_TO = _csv([["id", "email"], *[[str(i), EMAILS[i]] for i in range(6)]])
CHANGED = Case(
    "race-changed/people.csv",
    PEOPLE_CSV,
    "scanned",
    f"changed after it was listed ({len(PEOPLE_CSV)} bytes then, {len(CHANGED_TO)} when read); "
    "the content read is the newer one",
    frozenset({("email", "EMAIL_ADDRESS")}),
)
CANARIES = (*EMAILS, *CARDS)
