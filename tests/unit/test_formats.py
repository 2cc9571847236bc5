"""Format and compression decisions from object names and first bytes."""

import pytest

from jobs.formats import FormatGuess, compression_from_magic, guess_from_name, looks_binary, sniff_text_format


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("a.csv", FormatGuess("csv", None)),
        ("a.CSV.GZ", FormatGuess("csv", "gzip")),
        ("x/y.tsv.bz2", FormatGuess("tsv", "bz2")),
        ("t.jsonl.zst", FormatGuess("jsonl", "zstd")),
        ("p.snappy.parquet", FormatGuess("parquet", None)),
        ("s3://bucket/logs/server.log", FormatGuess("text", None)),
        ("README", FormatGuess(None, None)),
        ("events.gz", FormatGuess(None, "gzip")),
        ("dir.d/README", FormatGuess(None, None)),
        (".csv", FormatGuess(None, None)),
    ],
)
def test_guess_from_name_reads_format_and_compression(name: str, expected: FormatGuess) -> None:
    assert guess_from_name(name) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("logo.png", FormatGuess(None, None, "unsupported format '.png' (image)")),
        ("data.avro", FormatGuess(None, None, "unsupported format '.avro' (Avro is not supported yet)")),
        ("backup.tar.gz", FormatGuess(None, "gzip", "unsupported format '.tar' (tar archives are not supported)")),
    ],
)
def test_guess_from_name_marks_known_unsupported_formats_with_reason(name: str, expected: FormatGuess) -> None:
    assert guess_from_name(name) == expected


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"\x1f\x8b\x08\x00rest", "gzip"),
        (b"BZh91AY&SY", "bz2"),
        (b"\x28\xb5\x2f\xfd\x00", "zstd"),
        (b"PAR1\x15\x04", None),
        (b"id,name\n", None),
        (b"\x1f", None),
        (b"", None),
    ],
)
def test_compression_from_magic(head: bytes, expected: str | None) -> None:
    assert compression_from_magic(head) == expected


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"", False),
        (b"id,name\r\n1,\tAda\n", False),
        ("café, naïve\n".encode(), False),
        (b"abc\x00def", True),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", True),  # real PNG head: NUL bytes
        (b"\x01" + b"a" * 19, False),  # 1 control byte of 20 -> exactly 5 %, not above
        (b"\x01" + b"a" * 18, True),  # 1 of 19 -> above 5 %
    ],
)
def test_looks_binary(head: bytes, expected: bool) -> None:
    assert looks_binary(head) is expected


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b'{"a": 1}\n{"a": 2}\n', "jsonl"),
        (b'  \n\t{"a": 1}', "jsonl"),
        (b'[{"a": 1}]', "text"),
        (b"2024-01-01 INFO started\n", "text"),
        (b"", "text"),
    ],
)
def test_sniff_text_format(head: bytes, expected: str) -> None:
    assert sniff_text_format(head) == expected
