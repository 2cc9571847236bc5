"""Deciding an object's format and compression: from the name first, confirmed by the first bytes."""

from __future__ import annotations

from dataclasses import dataclass

COMPRESSION_SUFFIXES = {".gz": "gzip", ".gzip": "gzip", ".bz2": "bz2", ".zst": "zstd", ".zstd": "zstd"}
FORMAT_SUFFIXES = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".json": "jsonl",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".txt": "text",
    ".text": "text",
    ".log": "text",
    ".out": "text",
    ".err": "text",
}
# Formats we know by name but cannot read yet: recorded as skipped with this reason, never silently.
KNOWN_UNSUPPORTED = {
    ".avro": "Avro is not supported yet",
    ".orc": "ORC is not supported yet",
    ".zip": "zip archives are not supported",
    ".tar": "tar archives are not supported",
    ".png": "image",
    ".jpg": "image",
    ".jpeg": "image",
    ".gif": "image",
    ".pdf": "PDF documents are not supported yet",
    ".xlsx": "spreadsheets are not supported yet",
}
# "table": a database table read over JDBC (jobs/jdbc_source.py); never guessed from a file name.
STRUCTURED = frozenset({"csv", "tsv", "jsonl", "parquet", "delimited", "table"})
MAGIC = {"gzip": b"\x1f\x8b", "bz2": b"BZh", "zstd": b"\x28\xb5\x2f\xfd"}
PARQUET_MAGIC = b"PAR1"


@dataclass(frozen=True)
class FormatGuess:
    """What the object's name says: ``format`` is None when the name gives no clue."""

    format: str | None
    compression: str | None
    unsupported: str | None = None


def guess_from_name(key: str) -> FormatGuess:
    """Read format and compression from the object's name (``a.csv.gz`` -> csv, gzip)."""
    name = key.rsplit("/", 1)[-1].lower()
    compression = None
    for suffix, codec in COMPRESSION_SUFFIXES.items():
        if name.endswith(suffix):
            compression = codec
            name = name[: -len(suffix)]
            break
    dot = name.rfind(".")
    suffix = name[dot:] if dot > 0 else ""
    if suffix in KNOWN_UNSUPPORTED:
        return FormatGuess(None, compression, f"unsupported format {suffix!r} ({KNOWN_UNSUPPORTED[suffix]})")
    return FormatGuess(FORMAT_SUFFIXES.get(suffix), compression)


def compression_from_magic(head: bytes) -> str | None:
    """The compression codec the first bytes announce, if any."""
    for codec, magic in MAGIC.items():
        if head.startswith(magic):
            return codec
    return None


def looks_binary(head: bytes) -> bool:
    """True when decoded content looks like binary data rather than text (more than 5 % control bytes).

    NUL counts as a control byte but is no verdict on its own: a CSV with a stray NUL in a field is still text to
    scan, and skipping it as binary would hide everything else it holds.
    """
    if not head:
        return False
    control = sum(1 for byte in head if byte < 9 or 13 < byte < 32)
    return control / len(head) > 0.05


def utf16_without_bom(head: bytes) -> str | None:
    """``utf-16-le`` or ``utf-16-be`` when ``head`` looks like mostly-ASCII UTF-16 without a byte order mark.

    Such text has a NUL in every other byte; binary data seldom has that regular a pattern.
    """
    pairs = len(head) // 2
    if pairs < 2:
        return None
    even, odd = head[0 : pairs * 2 : 2], head[1 : pairs * 2 : 2]
    for text, zeros, codec in ((even, odd, "utf-16-le"), (odd, even, "utf-16-be")):
        if zeros.count(0) >= 0.9 * pairs and text.count(0) <= 0.1 * pairs and not looks_binary(text):
            return codec
    return None


def sniff_text_format(head: bytes) -> str:
    """For text without a telling name: JSON lines when it starts with ``{``, otherwise plain text."""
    stripped = head.lstrip()
    return "jsonl" if stripped.startswith(b"{") else "text"
