"""Reading one object as Arrow data, streaming and within the sampling limits.

Structured formats (CSV, TSV, JSON lines, Parquet) yield flattened columns: ``(column name, Arrow array)``
per batch, nested JSON fields as ``parent.child`` and list items as ``name[]``. Text and logs yield batches of
lines. Nothing is loaded whole: CSV and JSON are read block by block, Parquet batch by batch, text in chunks.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
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
    utf16_without_bom,
)
from jobs.sampling import evenly_spread

HEAD_BYTES = 64 * 1024
TEXT_CHUNK_BYTES = 1024 * 1024
MAX_LINE_CHARS = 1024 * 1024  # longer lines are scanned in pieces so one huge line cannot exhaust memory
MAX_JSON_DOCUMENT_BYTES = 256 * 1024 * 1024
BLOCK_BYTES = 1 << 20  # CSV and JSON lines are parsed in blocks of this size ...
# ... grown up to this for a first record longer than a block. pyarrow parses a record of up to about two blocks
# and holds several copies of it; a 100 MiB JSON line in 64 MiB blocks took 1.7 GB and 38 s to read and scan.
MAX_BLOCK_BYTES = 8 << 20
# Longer than pyarrow accepts in MAX_BLOCK_BYTES blocks: refused before it reaches the parser (and the memory).
MAX_RECORD_BYTES = 4 * MAX_BLOCK_BYTES
CHECK_READ_BYTES = 1 << 20  # what _CheckedText decodes and checks at a time
# Deeper JSON is refused before pyarrow sees it: its parser recurses per level and crashes the whole Python
# worker (a segmentation fault, not an exception) somewhere between 5,000 and 20,000 levels; flattening
# recurses too. No real record nests anywhere near this deep.
MAX_JSON_DEPTH = 100
INVALID_UTF8_NOTE = "invalid UTF-8 bytes replaced"
CODEC_NAMES = {"gzip": "gzip", "bz2": "bzip2", "zstd": "zstd"}

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


class ObjectGone(UnsupportedObject):
    """Raised when a listed object no longer exists when read: deleted since listing, nothing left to scan."""


class ObjectReader:
    """Opens one object, decides its real format and compression, and streams its content."""

    def __init__(
        self,
        fs: pafs.FileSystem,
        path: str,
        guess: FormatGuess,
        limits: Limits,
        unload: Mapping[str, Any] | None = None,
        listed_size: int | None = None,
    ) -> None:
        """``unload``: the read options of a Redshift UNLOAD text file (jobs.unload), from the plan.

        ``listed_size``: the object's size when it was listed; a different size when read is noted.
        """
        self._fs = fs
        self._path = path
        self._guess = guess
        self._limits = limits
        self._unload = unload
        self._listed_size = listed_size
        self._encoding: str | None = None  # a text encoding sniffed from the content (UTF-16 without BOM)
        self.report = ReadReport()

    def open(self) -> ReadReport:
        """Read the first bytes and settle format and compression; raises UnsupportedObject or SourceError."""
        if self._guess.unsupported:
            raise UnsupportedObject(self._guess.unsupported)
        try:
            with self._fs.open_input_file(self._path) as raw:
                size, head = raw.size(), raw.read(HEAD_BYTES)
        except (FileNotFoundError, OSError) as exc:
            if isinstance(exc, FileNotFoundError) or "does not exist" in str(exc) or "NoSuchKey" in str(exc):
                raise ObjectGone("deleted since it was listed") from exc
            raise
        if self._listed_size is not None and size != self._listed_size:
            self.report.notes.append(
                f"changed after it was listed ({self._listed_size} bytes then, {size} when read); "
                "the content read is the newer one"
            )
        if not head:
            raise UnsupportedObject("empty object")
        magic_codec = compression_from_magic(head)
        if head.startswith(PARQUET_MAGIC) and self._guess.format not in (None, "parquet") and not magic_codec:
            # Parquet is self-describing: read it as such rather than skip it as binary under a wrong name.
            self.report.format = "parquet"
            self.report.notes.append(f"content is Parquet although the name says {self._guess.format}")
            return self.report
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
        if not text_head:
            raise UnsupportedObject(f"empty once {CODEC_NAMES[magic_codec or '']}-decompressed")
        if head.startswith(PARQUET_MAGIC) and self._guess.format is None:
            self.report.format = "parquet"
            return self.report
        if not _has_utf16_bom(text_head):
            self._encoding = utf16_without_bom(text_head)
        utf16 = _has_utf16_bom(text_head) or self._encoding is not None
        if looks_binary(text_head) and not utf16:
            raise UnsupportedObject("binary content that is not a supported format")
        self.report.format = self._guess.format or sniff_text_format(text_head)
        if self._unload is not None and self.report.format in ("csv", "tsv", "text"):
            # Delimited text whose options and column names come from the plan (a Redshift UNLOAD, a Glue
            # table): a headerless .csv too, which the CSV reader would take the first row of for names.
            self.report.format = "delimited"
        if utf16 and self.report.structured:
            raise UnsupportedObject(f"UTF-16 encoded {self.report.format} is not supported yet (only text is)")
        if self._encoding is not None:
            self.report.notes.append(f"{self._encoding.upper()} text without a byte order mark")
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
            broken: SourceError | None = None
            while True:
                try:
                    chunk = stream.read(TEXT_CHUNK_BYTES)
                except SourceError as exc:
                    # A compressed stream cut short or corrupt: the whole lines decoded before the break are
                    # still scanned, then the break is reported.
                    broken, pending = exc, ""
                    break
                if decoder is None:
                    encoding = self._encoding or ("utf-16" if _has_utf16_bom(chunk) else "utf-8-sig")
                    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
                if limit is not None and decoded + len(chunk) > limit:
                    chunk = chunk[: max(0, limit - decoded)]
                    self.report.truncated = True
                    self.report.sampling = f"first {limit} bytes"
                decoded += len(chunk)
                text = pending + decoder.decode(chunk, final=not chunk or self.report.truncated)
                *complete, pending = text.split("\n")
                if len(pending) > MAX_LINE_CHARS:
                    complete.append(pending)
                    pending = ""
                batch.extend(_pieces(complete, carriage_returns="\r" in text))
                if len(batch) >= self._limits.batch_rows:
                    yield pa.array(batch, pa.string())
                    batch = []
                if not chunk or self.report.truncated:
                    break
            if pending:
                batch.extend(_pieces([pending]))
            if batch:
                yield pa.array(batch, pa.string())
            if broken is not None:
                raise broken

    def _decoded_head(self, head: bytes) -> bytes:
        if not self.report.compression:
            return head
        decoded = b""
        with self._stream() as stream:
            # In small pieces: a stream that breaks early still gives the bytes before the break to sniff; the
            # break itself is reported when the content is read.
            try:
                while len(decoded) < HEAD_BYTES and (piece := stream.read(4096)):
                    decoded += piece
            except SourceError:
                if not decoded:
                    raise
        self.report.bytes_read = 0  # sniffing is not scanning
        return decoded[:HEAD_BYTES]

    @contextmanager
    def _stream(self) -> Iterator[pa.NativeFile]:
        """The object's content, decompressed; bytes taken from storage are counted into ``report.bytes_read``.

        A compressed stream that is cut short or corrupt raises SourceError naming the codec, wherever it is read.
        """
        with self._fs.open_input_stream(self._path, compression=None) as raw:
            counted = pa.PythonFile(_CountingReader(raw, self.report), mode="r")
            codec = self.report.compression
            if not codec:
                yield counted
                return
            with pa.CompressedInputStream(counted, codec) as stream:
                yield pa.PythonFile(_Decompressing(stream, codec), mode="r")

    @contextmanager
    def _utf8_stream(self, json_lines: bool = False) -> Iterator[pa.NativeFile]:
        """``_stream`` with invalid UTF-8 replaced, and JSON lines checked for depth before pyarrow parses them."""
        with self._stream() as stream:
            checked = _CheckedText(stream, json_lines)
            yield pa.PythonFile(checked, mode="r")
            if checked.replaced and INVALID_UTF8_NOTE not in self.report.notes:  # the header pass reads it too
                self.report.notes.append(INVALID_UTF8_NOTE)

    def _growing_blocks(self, read: Callable[[int], Iterator[pa.RecordBatch]]) -> Iterator[pa.RecordBatch]:
        """``read(block_size)``'s batches; a first record longer than a block is read again with larger blocks."""
        block = BLOCK_BYTES
        while True:
            yielded = False
            try:
                for batch in read(block):
                    yielded = True
                    yield batch
                return
            except pa.ArrowInvalid as exc:
                if "straddling object" not in str(exc):
                    raise
                if yielded or block >= MAX_BLOCK_BYTES:
                    raise SourceError(_too_long(block)) from exc
            # Nothing was handed out yet: start over, counting the object's bytes and rows once.
            block *= 8
            self.report.bytes_read = self.report.malformed_rows = 0

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
        with self._utf8_stream() as stream:
            header, has_rows = _first_line(stream)
        self.report.bytes_read = 0  # the header is read again below; count the object's bytes once
        try:
            # Read as pyarrow reads it: a lone CR ends the line there too.
            names = _column_names(next(csv.reader(io.StringIO(header, newline=""), delimiter=delimiter), []))
        except csv.Error as exc:  # a header field beyond csv's field size limit (128 KiB), for one
            # Not the message: it quotes the limit, a number safe_reason would redact as if it were data.
            raise SourceError("the CSV header cannot be parsed (a field longer than 128 KiB?)") from exc
        if not names:
            raise SourceError("the CSV header line is empty")
        if not has_rows:
            return

        def count_malformed(_row: object) -> str:
            self.report.malformed_rows += 1
            return "skip"

        def read(block: int) -> Iterator[pa.RecordBatch]:
            with self._utf8_stream() as stream:
                yield from pacsv.open_csv(
                    stream,
                    read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, block_size=block),
                    parse_options=pacsv.ParseOptions(
                        delimiter=delimiter, newlines_in_values=True, invalid_row_handler=count_malformed
                    ),
                    convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string())),
                )

        yield from self._growing_blocks(read)

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

        def read(block: int) -> Iterator[pa.RecordBatch]:
            with self._utf8_stream(json_lines=True) as stream:
                yield from pajson.open_json(stream, read_options=pajson.ReadOptions(block_size=block))

        yield from self._growing_blocks(read)

    def _json_document(self) -> Iterator[pa.RecordBatch]:
        # A single JSON array of records: small enough documents only, since it must be parsed whole.
        with self._stream() as stream:
            data = stream.read(MAX_JSON_DOCUMENT_BYTES + 1)
        if len(data) > MAX_JSON_DOCUMENT_BYTES:
            raise SourceError(f"JSON array document larger than {MAX_JSON_DOCUMENT_BYTES} bytes; use JSON lines")
        if json_depth(data) > MAX_JSON_DEPTH:
            raise SourceError(f"JSON nested more than {MAX_JSON_DEPTH} levels deep")
        text = data.decode("utf-8", errors="replace")
        if "\ufffd" in text and b"\xef\xbf\xbd" not in data:
            self.report.notes.append(INVALID_UTF8_NOTE)
        try:
            records = json.loads(text)
        except json.JSONDecodeError as exc:  # its message gives the position only, never the text
            raise SourceError(f"not a valid JSON document: {exc.msg} (line {exc.lineno}, column {exc.colno})") from exc
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            raise SourceError("JSON document is not an array of objects")
        keys = list(dict.fromkeys(key for record in records for key in record))  # union, in first-seen order
        table = pa.Table.from_pylist([{key: record.get(key) for key in keys} for record in records])
        yield from table.to_batches(max_chunksize=self._limits.batch_rows)

    def _parquet(self) -> Iterator[pa.RecordBatch]:
        with self._fs.open_input_file(self._path) as handle:
            try:
                parquet = pq.ParquetFile(handle)
            except (pa.ArrowInvalid, OSError) as exc:
                raise SourceError(_parquet_footer_problem(handle)) from exc
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


class _ReadOnlyFile:
    """The file-object protocol pa.PythonFile needs around a ``read`` of one's own: readable, not seekable."""

    closed = False

    def read(self, size: int = -1) -> bytes:
        raise NotImplementedError

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def close(self) -> None:
        self.closed = True


class _CountingReader(_ReadOnlyFile):
    """A read-only file object over a pyarrow stream that adds the bytes it hands out to a ReadReport."""

    def __init__(self, raw: pa.NativeFile, report: ReadReport) -> None:
        self._raw = raw
        self._report = report

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size if size is not None and size >= 0 else None)
        self._report.bytes_read += len(data)
        return bytes(data)


class _Decompressing(_ReadOnlyFile):
    """A read-only file object over a decompressing stream, raising SourceError when the data is cut or corrupt.

    pyarrow's own OSError names neither the codec nor whether the stream was cut short or damaged.
    """

    def __init__(self, stream: pa.NativeFile, codec: str) -> None:
        self._stream = stream
        self._codec = codec

    def read(self, size: int = -1) -> bytes:
        try:
            return bytes(self._stream.read(size if size is not None and size >= 0 else None))
        except OSError as exc:
            problem = _decompression_problem(str(exc))
            if problem is None:
                raise
            raise SourceError(f"{CODEC_NAMES[self._codec]} data {problem}") from exc


class _CheckedText(_ReadOnlyFile):
    """A read-only file object handing out ``raw``'s bytes as valid UTF-8, invalid sequences replaced by U+FFFD.

    One stray byte would otherwise fail a whole CSV or JSON object in pyarrow. With ``json_lines``, every line is
    checked for nesting depth (MAX_JSON_DEPTH) before pyarrow can parse it, and a line longer than MAX_RECORD_BYTES
    is refused while it is read, so neither a deep nor a huge record reaches the parser.
    """

    def __init__(self, raw: pa.NativeFile, json_lines: bool) -> None:
        self._raw = raw
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._out = bytearray()
        self._line = bytearray()  # the unfinished last line, for the depth check
        self._json_lines = json_lines
        self._done = False
        self.replaced = False

    def read(self, size: int = -1) -> bytes:
        want = size if size is not None and size >= 0 else None
        while not self._done and (want is None or len(self._out) < want):
            chunk = bytes(self._raw.read(CHECK_READ_BYTES))
            self._done = not chunk
            text = self._decoder.decode(chunk, final=self._done)
            if "\ufffd" in text and b"\xef\xbf\xbd" not in chunk:
                self.replaced = True
            data = text.encode("utf-8")
            if self._json_lines:
                self._check_lines(data)
            self._out += data
        taken = bytes(self._out if want is None else self._out[:want])
        del self._out[: len(taken)]
        return taken

    def _check_lines(self, data: bytes) -> None:
        cut = len(data) if self._done else data.rfind(b"\n") + 1
        self._line += data[:cut] if cut else data
        if cut or self._done:  # self._line now holds whole lines only: check them, keep the unfinished rest
            if json_too_deep(bytes(self._line), MAX_JSON_DEPTH):
                raise SourceError(f"a JSON record nested more than {MAX_JSON_DEPTH} levels deep")
            self._line = bytearray(data[cut:]) if cut else bytearray()
        if len(self._line) > MAX_RECORD_BYTES:
            raise SourceError(_too_long(MAX_BLOCK_BYTES))


_JSON_STRING = re.compile(rb'"(?:[^"\\\n]|\\.)*"')
_OPEN, _CLOSE, _NEWLINE = np.frombuffer(b"{[", np.uint8), np.frombuffer(b"}]", np.uint8), ord("\n")


def json_too_deep(lines: bytes, limit: int) -> bool:
    """True when a line of JSON ``lines`` nests deeper than ``limit``; cheap for the usual shallow records.

    A line cannot nest deeper than it has ``{`` and ``[``: only lines with more of them than ``limit`` are
    measured exactly (json_depth), so the check costs a few vector operations per chunk (about 1 GB/s).
    """
    codes = np.frombuffer(lines, np.uint8)
    if codes.size == 0:
        return False
    opens = ((codes == _OPEN[0]) | (codes == _OPEN[1])).view(np.uint8)
    breaks = np.flatnonzero(codes == _NEWLINE) + 1
    starts = np.concatenate(([0], breaks[breaks < codes.size]))
    per_line = np.add.reduceat(opens, starts, dtype=np.int64)
    ends = np.append(starts[1:], codes.size)
    return any(json_depth(lines[starts[i] : ends[i]]) > limit for i in np.flatnonzero(per_line > limit))


def json_depth(data: bytes, per_line: bool = False) -> int:
    """The deepest nesting of objects and arrays in JSON ``data`` (0 for scalars), counted outside strings.

    ``per_line``: JSON lines, each line counted from zero (an unbalanced line does not carry into the next).
    Vectorised, so checking costs little next to parsing.
    """
    codes = np.frombuffer(b"\n" + _JSON_STRING.sub(b"", data), np.uint8)  # a newline first: the first line's start
    steps = np.isin(codes, _OPEN).astype(np.int64) - np.isin(codes, _CLOSE).astype(np.int64)
    depth = np.cumsum(steps)
    if per_line:
        starts = np.where(codes == _NEWLINE, np.arange(codes.size), 0)
        depth -= depth[np.maximum.accumulate(starts)]
    return int(depth.max())


def _too_long(block: int) -> str:
    return f"a record too long to read in blocks of {block >> 20} MiB"


def _decompression_problem(message: str) -> str | None:
    """What a decompression error says about the data, or None when it is no decompression error."""
    if "Truncated compressed stream" in message:
        return "is truncated: the object ends inside the compressed stream"
    lowered = message.lower()
    if "decompress failed" in lowered or "inflate failed" in lowered:
        return f"is corrupt ({message.split(':', 1)[-1].strip().rstrip('.')})"
    return None


def _parquet_footer_problem(handle: pa.NativeFile) -> str:
    """Why pyarrow could not open a Parquet file, from its last bytes: footer missing or damaged."""
    size = handle.size()
    if size < 12:
        return "too short to be a Parquet file"
    handle.seek(size - 8)
    tail = bytes(handle.read(8))
    if tail[4:] != PARQUET_MAGIC:
        return "no Parquet footer at the end: the file is truncated or not Parquet"
    if int.from_bytes(tail[:4], "little") > size - 12:
        return "damaged Parquet footer: it claims more metadata than the file holds"
    return "damaged Parquet footer: its metadata cannot be decoded"


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


def _pieces(lines: list[str], carriage_returns: bool = True) -> list[str]:
    """``lines`` without trailing carriage returns, a line over MAX_LINE_CHARS cut into pieces of at most that.

    Log objects hold millions of lines: the usual case (no line too long, no carriage return in the chunk) makes
    no Python call per line.
    """
    if carriage_returns:
        lines = [line.rstrip("\r") for line in lines]
    if max(map(len, lines), default=0) <= MAX_LINE_CHARS:
        return lines
    return [line[i : i + MAX_LINE_CHARS] for line in lines for i in range(0, max(len(line), 1), MAX_LINE_CHARS)]


def _ranges(indices: list[int]) -> str:
    """Row group numbers (1-based) as written for people: ``1, 5, 9`` or ``1-3``."""
    if indices == list(range(indices[0], indices[-1] + 1)) and len(indices) > 2:
        return f"{indices[0] + 1}-{indices[-1] + 1}"
    return ", ".join(str(i + 1) for i in indices)


def _has_utf16_bom(head: bytes) -> bool:
    return head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
