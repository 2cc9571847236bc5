"""A realistic estate of any size for the scan benchmarks: mostly clean warehouse tables and logs, a few percent
sensitive values, in every format the scan reads from S3 (CSV, gzip CSV, JSON lines plain and gzip, Parquet,
gzip logs).

Generation is vectorized (numpy and pyarrow compute) and deterministic: the same seed and size give the same
bytes. Each object holds about ``object_mb`` MB; ``total_mb`` decides how many objects there are.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

SENSITIVE_SHARE = 0.03
FORMATS = ("csv", "csv.gz", "jsonl", "jsonl.gz", "parquet", "log.gz")
_WORDS = np.array(
    ["order", "shipped", "pending", "refund", "invoice", "account", "balance", "update", "review", "ticket", "closed"]
)
_ALNUM = np.frombuffer(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", dtype="S1")
_COUNTRIES = np.array(["DE", "FR", "GB", "US", "NL", "ES", "IT", "PL", "SE", "IE"])
# Bytes per row on disk, measured on the generated data: objects are sized by what they occupy in S3.
ROW_BYTES = {"csv": 160, "csv.gz": 67, "jsonl": 270, "jsonl.gz": 75, "parquet": 81, "log.gz": 20}


@dataclass(frozen=True)
class MixedEstate:
    """What was written: the root folder, the objects and their total size."""

    root: Path
    objects: int
    bytes: int
    rows: int


def _alnum(rng: np.random.Generator, rows: int, width: int) -> pa.Array:
    chars = rng.choice(_ALNUM, size=(rows, width))
    return pa.array(chars.view(f"S{width}").ravel().astype(str))


def _digits(rng: np.random.Generator, rows: int, width: int) -> np.ndarray:
    return rng.integers(0, 10, size=(rows, width), dtype=np.int8)


def _luhn_cards(rng: np.random.Generator, rows: int) -> pa.Array:
    """16-digit Visa-style numbers whose check digit makes them pass Luhn."""
    body = _digits(rng, rows, 15)
    body[:, 0] = 4
    doubled = body[:, ::-1][:, ::2].astype(np.int16) * 2  # from the right, every other digit of the payload
    doubled = np.where(doubled > 9, doubled - 9, doubled)
    total = doubled.sum(axis=1) + body[:, ::-1][:, 1::2].sum(axis=1)
    check = (10 - total % 10) % 10
    digits = np.concatenate([body, check[:, None].astype(np.int8)], axis=1) + ord("0")
    return pa.array(digits.astype(np.uint8).view("S16").ravel().astype(str))


def _join(*parts: pa.Array | str) -> pa.Array:
    return pc.binary_join_element_wise(*parts, "")


def _maybe(rng: np.random.Generator, clean: pa.Array, sensitive: pa.Array) -> pa.Array:
    return pc.if_else(pa.array(rng.random(len(clean)) < SENSITIVE_SHARE), sensitive, clean)


def table(rows: int, seed: int) -> pa.Table:
    """One warehouse-style table: ids, codes, amounts, timestamps, words; e-mails and cards in 3 % of two columns."""
    rng = np.random.default_rng(seed)
    users = _alnum(rng, rows, 7)
    lower_users = pc.utf8_lower(users)
    minutes = rng.integers(0, 365 * 24 * 60, size=rows)
    created = (np.datetime64("2024-01-01T00:00") + minutes.astype("timedelta64[m]")).astype(str)
    return pa.table(
        {
            "id": pa.array(np.arange(seed * 10_000_000, seed * 10_000_000 + rows)),
            "order_ref": _join("ORD-", _alnum(rng, rows, 8)),
            "sku": _join(_alnum(rng, rows, 3), "-", pa.array(rng.integers(100, 999, rows).astype(str))),
            "amount": pa.array(np.round(rng.uniform(1, 5000, rows), 2)),
            "quantity": pa.array(rng.integers(1, 50, rows)),
            "country": pa.array(rng.choice(_COUNTRIES, rows)),
            "created_at": pa.array(np.char.add(created, ":00Z")),
            "status": pa.array(rng.choice(_WORDS, rows)),
            "comment": _join(*[pa.array(rng.choice(_WORDS, rows)) if i % 2 == 0 else " " for i in range(11)]),
            "contact": _maybe(rng, _join("user ", lower_users), _join(lower_users, "@example.com")),
            "payment_ref": _maybe(rng, _join("PAY", _alnum(rng, rows, 10)), _luhn_cards(rng, rows)),
        }
    )


def log_lines(rows: int, seed: int) -> pa.Array:
    """Application log lines; 3 % carry an e-mail and 3 % a client IP address."""
    rng = np.random.default_rng(seed)
    octets = [pa.array(rng.integers(lo, hi, rows).astype(str)) for lo, hi in ((11, 223), (0, 255), (0, 255), (1, 254))]
    ip = _join(" client ip ", octets[0], ".", octets[1], ".", octets[2], ".", octets[3])
    email = _join(" user=", pc.utf8_lower(_alnum(rng, rows, 6)), "@example.org")
    roll = rng.random(rows)
    extra = pc.if_else(
        pa.array(roll < SENSITIVE_SHARE), email, pc.if_else(pa.array(roll < 2 * SENSITIVE_SHARE), ip, "")
    )
    seconds = (np.datetime64("2024-06-01T00:00:00") + np.arange(rows).astype("timedelta64[s]")).astype(str)
    return _join(
        pa.array(seconds),
        "Z level=INFO req=",
        pc.utf8_lower(_alnum(rng, rows, 12)),
        " path=/api/",
        pa.array(rng.choice(_WORDS, rows)),
        " took=",
        pa.array(rng.integers(1, 900, rows).astype(str)),
        "ms",
        extra,
    )


def _json_lines(data: pa.Table) -> pa.Array:
    """One JSON object per row (the generated values hold no quotes or backslashes)."""
    parts: list[pa.Array | str] = []
    for index, name in enumerate(data.column_names):
        column = data.column(name).combine_chunks()
        quoted = pa.types.is_string(column.type)
        parts.append(("{" if index == 0 else ",") + f'"{name}":' + ('"' if quoted else ""))
        parts.append(pc.cast(column, pa.string()))
        if quoted:
            parts.append('"')
    parts.append("}")
    return _join(*parts)


def _write(path: Path, payload: pa.Buffer | bytes, gzipped: bool) -> None:
    with path.open("wb") as raw:
        if not gzipped:
            raw.write(payload)
            return
        # level 1: fast to write; mtime 0: the gzip header would otherwise hold the clock, and the same seed must
        # give the same bytes
        with gzip.GzipFile(filename=path.name, mode="wb", compresslevel=1, fileobj=raw, mtime=0) as out:
            out.write(payload)


def _lines_payload(lines: pa.Array) -> pa.Buffer:
    """The lines as one newline-terminated text: the data buffer of the lines with a newline appended."""
    terminated = _join(lines, "\n").combine_chunks() if isinstance(lines, pa.ChunkedArray) else _join(lines, "\n")
    offsets = np.frombuffer(terminated.buffers()[1], dtype=np.int32)
    start, end = offsets[terminated.offset], offsets[terminated.offset + len(terminated)]
    return terminated.buffers()[2][start:end]


def _writer(fmt: str) -> Callable[[Path, int, int], None]:
    gzipped = fmt.endswith(".gz")

    def csv(path: Path, rows: int, seed: int) -> None:
        sink = pa.BufferOutputStream()
        pacsv.write_csv(table(rows, seed), sink)
        _write(path, sink.getvalue(), gzipped)

    def jsonl(path: Path, rows: int, seed: int) -> None:
        _write(path, _lines_payload(_json_lines(table(rows, seed))), gzipped)

    def parquet(path: Path, rows: int, seed: int) -> None:
        pq.write_table(table(rows, seed), path, row_group_size=131_072)

    def log(path: Path, rows: int, seed: int) -> None:
        _write(path, _lines_payload(log_lines(rows, seed)), gzipped)

    return {"csv": csv, "jsonl": jsonl, "parquet": parquet, "log": log}[fmt.split(".")[0]]


def generate(root: Path, total_mb: float, object_mb: float = 16.0, seed: int = 7) -> MixedEstate:
    """Write about ``total_mb`` MB of objects (on disk) under ``root``, one folder per format, in turn."""
    count = max(len(FORMATS), round(total_mb / object_mb))
    written = rows_total = 0
    for index in range(count):
        fmt = FORMATS[index % len(FORMATS)]
        write = _writer(fmt)
        rows = int(object_mb * 1e6 / ROW_BYTES[fmt])
        folder = root / fmt.replace(".", "_")
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"part-{index:05d}.{fmt}"
        write(path, rows, seed * 100_000 + index)
        written += path.stat().st_size
        rows_total += rows
    return MixedEstate(root, count, written, rows_total)
