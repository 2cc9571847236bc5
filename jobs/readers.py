"""Reading one object as Arrow data, streaming and within the sampling limits.

Structured formats (CSV, TSV, JSON lines, Parquet) yield flattened columns: ``(column name, Arrow array)``
per batch, nested JSON fields as ``parent.child`` and list items as ``name[]``. Text and logs yield batches of
lines. Nothing is loaded whole: CSV and JSON are read block by block, Parquet batch by batch, text in chunks.
"""

from __future__ import annotations

import codecs
import csv
import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.fs as pafs
import pyarrow.json as pajson
import pyarrow.parquet as pq

from classifiers.errors import SourceError
from jobs import unload
from jobs.formats import (
    PARQUET_MAGIC,
    STRUCTURED,
    FormatGuess,
    compression_from_magic,
    looks_binary,
    sniff_text_format,
)
from jobs.sampling import evenly_spread

HEAD_BYTES = 64 * 1024
TEXT_CHUNK_BYTES = 1024 * 1024
MAX_LINE_CHARS = 1024 * 1024  # longer lines are scanned in pieces so one huge line cannot exhaust memory
MAX_JSON_DOCUMENT_BYTES = 256 * 1024 * 1024

Columns = list[tuple[str, pa.Array]]


@dataclass(frozen=True)
class Limits:
    """Sampling limits for one object; None means unlimited."""

    rows: int | None
    bytes: int | None
    batch_rows: int = 65536
    row_groups: int | None = None  # Parquet row groups read per file, spread over the file
    rows_per_row_group: int | None = None  # rows read per Parquet row group (default: rows shared among them)


@dataclass
class ReadReport:
    """What reading one object did; filled in while the batches are consumed."""

    format: str = "unknown"
    compression: str | None = None
    rows: int = 0
    bytes_read: int = 0
    truncated: bool = False
    malformed_rows: int = 0
    columns: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    sampling: str | None = None  # the sample actually read, when a limit applied (assets.sampling)

    @property
    def structured(self) -> bool:
        """True for formats with columns."""
        return self.format in STRUCTURED


class UnsupportedObject(SourceError):
    """Raised when an object is readable but not something the scanner reads (binary, unknown format)."""


class ObjectReader:
    """Opens one object, decides its real format and compression, and streams its content."""

    def __init__(
        self,
        fs: pafs.FileSystem,
        path: str,
        guess: FormatGuess,
        limits: Limits,
        unload: Mapping[str, Any] | None = None,
    ) -> None:
        """``unload``: the read options of a Redshift UNLOAD text file (jobs.unload), from the plan."""
        self._fs = fs
        self._path = path
        self._guess = guess
        self._limits = limits
        self._unload = unload
        self.report = ReadReport()

    def open(self) -> ReadReport:
        """Read the first bytes and settle format and compression; raises UnsupportedObject or SourceError."""
        if self._guess.unsupported:
            raise UnsupportedObject(self._guess.unsupported)
        with self._fs.open_input_stream(self._path, compression=None) as raw:
            head = raw.read(HEAD_BYTES)
        if not head:
            raise UnsupportedObject("empty object")
        magic_codec = compression_from_magic(head)
        if self._guess.format == "parquet":
            if not head.startswith(PARQUET_MAGIC):
                raise SourceError("named .parquet but does not start with the Parquet magic bytes 'PAR1'")
            self.report.format, self.report.compression = "parquet", None
            return self.report
        if self._guess.compression and magic_codec != self._guess.compression:
            raise SourceError(
                f"named as {self._guess.compression} but the content is "
                f"{'compressed with ' + magic_codec if magic_codec else 'not compressed'}"
            )
        self.report.compression = magic_codec
        if magic_codec and not self._guess.compression:
            self.report.notes.append(f"content is {magic_codec}-compressed although the name does not say so")
        text_head = self._decoded_head(head)
        if head.startswith(PARQUET_MAGIC) and self._guess.format is None:
            self.report.format = "parquet"
            return self.report
        if looks_binary(text_head) and not _has_utf16_bom(text_head):
            raise UnsupportedObject("binary content that is not a supported format")
        self.report.format = self._guess.format or sniff_text_format(text_head)
        if self._unload is not None and self.report.format in ("csv", "tsv", "text"):
            # Delimited text whose options and column names come from the plan (a Redshift UNLOAD, a Glue
            # table): a headerless .csv too, which the CSV reader would take the first row of for names.
            self.report.format = "delimited"
        if _has_utf16_bom(text_head) and self.report.structured:
            raise UnsupportedObject(f"UTF-16 encoded {self.report.format} is not supported yet (only text is)")
        return self.report

    def columns(self) -> Iterator[Columns]:
        """Batches of flattened columns for structured formats (call open() first)."""
        reader: Callable[[], Iterator[pa.RecordBatch]] = {
            "csv": lambda: self._csv(","),
            "tsv": lambda: self._csv("\t"),
            "jsonl": self._json,
            "parquet": self._parquet,
            "delimited": self._delimited,
        }[self.report.format]
        self.report.columns = []
        for batch in self._row_limited(reader()):
            names: list[str] = []
            columns = flatten(batch, names)
            for name in names:
                if name not in self.report.columns:
                    self.report.columns.append(name)
            yield columns

    def lines(self) -> Iterator[pa.Array]:
        """Batches of text lines for text formats, up to the byte limit (call open() first)."""
        for batch in self._line_batches():
            self.report.rows += len(batch)
            yield batch

    def _line_batches(self) -> Iterator[pa.Array]:
        """Batches of decoded lines, within the byte limit; rows are counted by the caller."""
        limit = self._limits.bytes
        decoded = 0
        with self._stream() as stream:
            decoder: codecs.IncrementalDecoder | None = None
            pending = ""
            batch: list[str] = []
            while True:
                chunk = stream.read(TEXT_CHUNK_BYTES)
                if decoder is None:
                    encoding = "utf-16" if _has_utf16_bom(chunk) else "utf-8-sig"
                    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
                if limit is not None and decoded + len(chunk) > limit:
                    chunk = chunk[: max(0, limit - decoded)]
                    self.report.truncated = True
                    self.report.sampling = f"first {limit} bytes"
                decoded += len(chunk)
                pending += decoder.decode(chunk, final=not chunk or self.report.truncated)
                *complete, pending = pending.split("\n")
                if len(pending) > MAX_LINE_CHARS:
                    complete.append(pending)
                    pending = ""
                for line in complete:
                    batch.extend(_pieces(line.rstrip("\r")))
                if len(batch) >= self._limits.batch_rows:
                    yield pa.array(batch, pa.string())
                    batch = []
                if not chunk or self.report.truncated:
                    break
            if pending:
                batch.extend(_pieces(pending.rstrip("\r")))
            if batch:
                yield pa.array(batch, pa.string())

    def _decoded_head(self, head: bytes) -> bytes:
        if not self.report.compression:
            return head
        with self._stream() as stream:
            decoded = bytes(stream.read(HEAD_BYTES))
        self.report.bytes_read = 0  # sniffing is not scanning
        return decoded

    @contextmanager
    def _stream(self) -> Iterator[pa.NativeFile]:
        """The object's content, decompressed; bytes taken from storage are counted into ``report.bytes_read``."""
        with self._fs.open_input_stream(self._path, compression=None) as raw:
            counted = pa.PythonFile(_CountingReader(raw, self.report), mode="r")
            if self.report.compression:
                with pa.CompressedInputStream(counted, self.report.compression) as stream:
                    yield stream
            else:
                yield counted

    def _row_limited(self, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        limit = self._limits.rows
        for batch in batches:
            remaining = None if limit is None else limit - self.report.rows
            if remaining is not None and batch.num_rows > remaining:
                if remaining > 0:
                    self.report.rows += remaining
                    yield batch.slice(0, remaining)
                self.report.truncated = True
                self.report.sampling = self.report.sampling or f"first {limit} rows"
                return
            self.report.rows += batch.num_rows
            yield batch

    def _csv(self, delimiter: str) -> Iterator[pa.RecordBatch]:
        with self._stream() as stream:
            header, has_rows = _first_line(stream)
        self.report.bytes_read = 0  # the header is read again below; count the object's bytes once
        names = _column_names(next(csv.reader([header], delimiter=delimiter), []))
        if not names:
            raise SourceError("the CSV header line is empty")
        if not has_rows:
            return

        def count_malformed(_row: object) -> str:
            self.report.malformed_rows += 1
            return "skip"

        with self._stream() as stream:
            reader = pacsv.open_csv(
                stream,
                read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, block_size=1 << 20),
                parse_options=pacsv.ParseOptions(
                    delimiter=delimiter, newlines_in_values=True, invalid_row_handler=count_malformed
                ),
                convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string())),
            )
            yield from reader

    def _delimited(self) -> Iterator[pa.RecordBatch]:
        settings = self._unload or {}
        with self._stream() as stream:
            head = stream.read(HEAD_BYTES).decode("utf-8", errors="replace")
        self.report.bytes_read = 0  # a peek to sniff the options; the pass below counts the object's bytes
        names = settings.get("columns")
        options = unload.resolve_options(settings, head.splitlines()[:-1] or head.splitlines(), names)
        if names is None and not options.header:
            self.report.notes.append(unload.POSITIONAL_NOTE)

        def all_lines() -> Iterator[str]:
            for batch in self._line_batches():
                yield from batch.to_pylist()

        for columns in unload.column_batches(all_lines(), options, names, self._limits.batch_rows):
            yield pa.RecordBatch.from_arrays([array for _, array in columns], names=[name for name, _ in columns])

    def _json(self) -> Iterator[pa.RecordBatch]:
        with self._stream() as stream:
            first = stream.read(1024).lstrip()
        self.report.bytes_read = 0  # only a peek; the pass below counts the object's bytes
        if first.startswith(b"["):
            yield from self._json_document()
            return
        with self._stream() as stream:
            reader = pajson.open_json(stream, read_options=pajson.ReadOptions(block_size=1 << 20))
            yield from reader

    def _json_document(self) -> Iterator[pa.RecordBatch]:
        # A single JSON array of records: small enough documents only, since it must be parsed whole.
        with self._stream() as stream:
            data = stream.read(MAX_JSON_DOCUMENT_BYTES + 1)
        if len(data) > MAX_JSON_DOCUMENT_BYTES:
            raise SourceError(f"JSON array document larger than {MAX_JSON_DOCUMENT_BYTES} bytes; use JSON lines")
        records = json.loads(data)
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            raise SourceError("JSON document is not an array of objects")
        keys = list(dict.fromkeys(key for record in records for key in record))  # union, in first-seen order
        table = pa.Table.from_pylist([{key: record.get(key) for key in keys} for record in records])
        yield from table.to_batches(max_chunksize=self._limits.batch_rows)

    def _parquet(self) -> Iterator[pa.RecordBatch]:
        with self._fs.open_input_file(self._path) as handle:
            parquet = pq.ParquetFile(handle)
            count = parquet.num_row_groups
            chosen = evenly_spread(count, self._limits.row_groups)
            per_group = self._rows_per_row_group(len(chosen))
            cut = False
            for index in chosen:
                # Row groups are read one at a time, so memory stays bounded by the largest row group.
                group = parquet.metadata.row_group(index)
                self.report.bytes_read += sum(group.column(c).total_compressed_size for c in range(group.num_columns))
                taken = 0
                for batch in parquet.iter_batches(batch_size=self._limits.batch_rows, row_groups=[index]):
                    if per_group is not None and taken + batch.num_rows > per_group:
                        yield batch.slice(0, per_group - taken)
                        cut = True
                        break
                    taken += batch.num_rows
                    yield batch
            if len(chosen) < count or cut:
                self.report.truncated = True
                limit = f", first {per_group} rows of each" if cut else ""
                self.report.sampling = f"row groups {_ranges(chosen)} of {count}{limit}"

    def _rows_per_row_group(self, groups: int) -> int | None:
        """Rows read from each sampled row group: configured, or the object's row limit shared among them."""
        if self._limits.rows_per_row_group is not None:
            return self._limits.rows_per_row_group
        if self._limits.rows is None or self._limits.row_groups is None or groups == 0:
            return None
        return max(1, self._limits.rows // groups)  # floor: together they stay within the row limit


class _CountingReader:
    """A read-only file object over a pyarrow stream that adds the bytes it hands out to a ReadReport."""

    def __init__(self, raw: pa.NativeFile, report: ReadReport) -> None:
        self._raw = raw
        self._report = report
        self.closed = False

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size if size is not None and size >= 0 else None)
        self._report.bytes_read += len(data)
        return bytes(data)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def close(self) -> None:
        self.closed = True


def flatten(batch: pa.RecordBatch, names: list[str] | None = None) -> Columns:
    """Flatten nested columns: struct fields become ``a.b``, list items ``a[]``, map values ``a{}``.

    Null and binary leaves hold nothing textual to scan and are not returned; ``names``, when given, receives
    every leaf name, scanned or not, for the asset's list of columns.
    """
    columns: Columns = []
    for name, array in zip(batch.schema.names, batch.columns, strict=True):
        _flatten_into(name, array, columns, names if names is not None else [])
    return columns


def _flatten_into(name: str, array: pa.Array, out: Columns, names: list[str]) -> None:
    kind = array.type
    if pa.types.is_struct(kind):
        for index in range(kind.num_fields):
            _flatten_into(f"{name}.{kind.field(index).name}", pc.struct_field(array, [index]), out, names)
        return
    if pa.types.is_list(kind) or pa.types.is_large_list(kind) or pa.types.is_fixed_size_list(kind):
        _flatten_into(f"{name}[]", pc.list_flatten(array), out, names)
        return
    if pa.types.is_map(kind):
        _flatten_into(f"{name}{{}}", array.items, out, names)
        return
    names.append(name)
    if not (pa.types.is_null(kind) or pa.types.is_binary(kind) or pa.types.is_large_binary(kind)):
        out.append((name, array))


def _first_line(stream: pa.NativeFile) -> tuple[str, bool]:
    """The first line, and whether anything follows it."""
    buffer = b""
    while b"\n" not in buffer and len(buffer) < MAX_LINE_CHARS:
        chunk = stream.read(HEAD_BYTES)
        if not chunk:
            break
        buffer += chunk
    line, newline, rest = buffer.partition(b"\n")
    return line.decode("utf-8-sig", errors="replace").rstrip("\r"), bool(newline and (rest.strip() or stream.read(1)))


def _column_names(header: list[str]) -> list[str]:
    names: list[str] = []
    for index, raw in enumerate(header):
        name = raw.strip() or f"column_{index + 1}"
        candidate, suffix = name, 2
        while candidate in names:
            candidate, suffix = f"{name}_{suffix}", suffix + 1
        names.append(candidate)
    return names


def _pieces(line: str) -> list[str]:
    if len(line) <= MAX_LINE_CHARS:
        return [line]
    return [line[i : i + MAX_LINE_CHARS] for i in range(0, len(line), MAX_LINE_CHARS)]


def _ranges(indices: list[int]) -> str:
    """Row group numbers (1-based) as written for people: ``1, 5, 9`` or ``1-3``."""
    if indices == list(range(indices[0], indices[-1] + 1)) and len(indices) > 2:
        return f"{indices[0] + 1}-{indices[-1] + 1}"
    return ", ".join(str(i + 1) for i in indices)


def _has_utf16_bom(head: bytes) -> bool:
    return head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
