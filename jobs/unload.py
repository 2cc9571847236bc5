"""Redshift UNLOAD output: recognising its files and manifests, and decoding its delimited text.

UNLOAD writes ``<prefix><slice>_part_<part>[.parquet][.gz|.bz2|.zst]`` per slice (``PARALLEL ON``) or
``<prefix>000[.gz]`` serially (``PARALLEL OFF``; AWS's own examples disagree on 3 or 4 digits), and with
``MANIFEST`` a ``<prefix>manifest`` JSON file listing them; ``MANIFEST VERBOSE`` adds the column names and types.
Text output is pipe-delimited without a header unless told otherwise, and the options it was written with
(``DELIMITER``, ``ADDQUOTES``, ``ESCAPE``, ``NULL AS``, ``HEADER``) are recorded nowhere: they come from the
configuration or are sniffed from the first lines (``sniff_options``).

Manifests are parsed defensively: AWS's documented VERBOSE example is not valid JSON
(``{"base": "character varying", 25}``), and the keys carrying a type's length differ between sources.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import pyarrow as pa

SOURCE_KIND = "redshift_unload"
POSITIONAL_NOTE = "columns named by position: no MANIFEST VERBOSE, HEADER or configured columns"
MANIFEST_REASON = "Redshift UNLOAD manifest"

# <prefix><slice>[_part_<part>][.parquet|.csv|.json|.txt][.gz|.bz2|.zst]
_DATA_FILE = re.compile(
    r"^(?P<prefix>.*?)(?P<slice>\d{3,4})(?:_part_(?P<part>\d{2,}))?"
    r"(?P<format>\.parquet|\.csv|\.json|\.txt)?(?P<compression>\.gz|\.bz2|\.zst)?$"
)
_MANIFEST = re.compile(r"^(?P<prefix>.*)manifest$")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# A bare number after a string inside an object, as in AWS's example: {"base": "character varying", 25}
_BARE_DIMENSION = re.compile(r'("base"\s*:\s*"[^"]*")\s*,\s*(\d+)\s*}')


@dataclass(frozen=True)
class UnloadFile:
    """One data file of an UNLOAD, from its name."""

    uri: str
    prefix: str  # everything before the slice number: files of one UNLOAD share it
    slice: int
    part: int | None
    format: str  # text, csv, json or parquet (from the name; text when the name says nothing)
    compression: str | None


@dataclass(frozen=True)
class ManifestColumn:
    """A column of a VERBOSE manifest: its name and Redshift type as written (``character varying(25)``)."""

    name: str
    type: str


@dataclass
class Manifest:
    """What an UNLOAD manifest says; ``problems`` lists what could not be read, never data values."""

    entries: list[str] = field(default_factory=list)
    record_count: int | None = None
    columns: list[ManifestColumn] | None = None
    problems: list[str] = field(default_factory=list)


def data_file(uri: str) -> UnloadFile | None:
    """The UNLOAD reading of an object's name, or None when the name is not UNLOAD's."""
    folder, _, name = uri.rpartition("/")
    match = _DATA_FILE.match(name)
    if match is None:
        return None
    extension = (match.group("format") or "").lstrip(".")
    compression = {".gz": "gzip", ".bz2": "bz2", ".zst": "zstd"}.get(match.group("compression") or "")
    return UnloadFile(
        uri=uri,
        prefix=f"{folder}/{match.group('prefix')}",
        slice=int(match.group("slice")),
        part=int(match.group("part")) if match.group("part") else None,
        format={"": "text", "txt": "text"}.get(extension, extension),
        compression=compression,
    )


def manifest_prefix(uri: str) -> str | None:
    """The data-file prefix a manifest object belongs to (``s3://b/venue_manifest`` -> ``s3://b/venue_``)."""
    match = _MANIFEST.match(uri)
    return match.group("prefix") if match else None


def parse_manifest(text: str) -> Manifest:
    """Read a plain or VERBOSE manifest; what cannot be understood goes to ``problems`` instead of raising."""
    manifest = Manifest()
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        try:
            document = json.loads(_BARE_DIMENSION.sub(r'\1, "length": \2}', text))
            manifest.problems.append("manifest is not valid JSON; read after repairing bare type dimensions")
        except json.JSONDecodeError as exc:
            manifest.problems.append(f"manifest is not valid JSON (line {exc.lineno}, column {exc.colno})")
            return manifest
    if not isinstance(document, dict):
        manifest.problems.append("manifest is not a JSON object")
        return manifest
    for index, entry in enumerate(document.get("entries") or []):
        url = entry.get("url") if isinstance(entry, dict) else None
        if isinstance(url, str) and url:
            manifest.entries.append(url)
        else:
            manifest.problems.append(f"manifest entry {index} has no url")
    meta = document.get("meta")
    if isinstance(meta, dict) and isinstance(meta.get("record_count"), int):
        manifest.record_count = meta["record_count"]
    schema = document.get("schema")
    if isinstance(schema, dict):
        manifest.columns = _schema_columns(schema.get("elements"), manifest.problems)
    return manifest


def _schema_columns(elements: Any, problems: list[str]) -> list[ManifestColumn] | None:
    if not isinstance(elements, list):
        problems.append("manifest schema has no list of elements")
        return None
    columns = []
    for index, element in enumerate(elements):
        name = element.get("name") if isinstance(element, dict) else None
        if not isinstance(name, str) or not name:
            problems.append(f"manifest schema element {index} has no name; columns are named by position")
            return None
        columns.append(ManifestColumn(name, _type_name(element.get("type"))))
    return columns


def _type_name(raw: Any) -> str:
    """``{"base": "numeric", "precision": 18, "scale": 2}`` -> ``numeric(18,2)``; unknown shapes as best we can."""
    if isinstance(raw, str):
        return raw
    if not isinstance(raw, dict):
        return "unknown"
    base = str(raw.get("base", "unknown"))
    if "precision" in raw:
        scale = raw.get("scale")
        return f"{base}({raw['precision']}{'' if scale is None else f',{scale}'})"
    for key in ("length", "max_length", "byte_length"):
        if key in raw:
            return f"{base}({raw[key]})"
    return base


@dataclass(frozen=True)
class TextOptions:
    """How an UNLOAD text file was written (UNLOAD's own option names)."""

    delimiter: str = "|"
    escape: bool = False
    addquotes: bool = False
    null_as: str = ""
    header: bool = False


def sniff_options(lines: Sequence[str], header_hint: Sequence[str] | None = None) -> TextOptions:
    """Guess an UNLOAD text file's options from its first lines.

    The delimiter is the first candidate (``|`` first) that splits every line into the same number of fields;
    ADDQUOTES when every line is quoted at both ends; ESCAPE when a backslash precedes a delimiter or another
    backslash; a header when the first line equals ``header_hint`` (known column names) or, without a hint,
    when it holds only identifiers and the second line does not.
    """
    sample = [line for line in lines if line][:50]
    if not sample:
        return TextOptions()
    delimiter = "|"
    for candidate in ("|", ",", "\t", ";", "^", "~"):
        counts = {line.count(candidate) for line in sample}
        if len(counts) == 1 and counts != {0}:
            delimiter = candidate
            break
    quoted = all(line.startswith('"') and line.endswith('"') for line in sample)
    escaped = any(f"\\{delimiter}" in line or "\\\\" in line for line in sample)
    options = TextOptions(delimiter, escaped, quoted)
    first = [f or "" for f in split_line(sample[0], options)]
    if header_hint:
        header = first == list(header_hint)
    else:  # names only on the first line, data below it (UNLOAD's HEADER option)
        second = [f or "" for f in split_line(sample[1], options)] if len(sample) > 1 else []
        header = all(map(_IDENTIFIER.fullmatch, first)) and not all(map(_IDENTIFIER.fullmatch, second))
    return TextOptions(delimiter=delimiter, escape=escaped, addquotes=quoted, header=header)


OPTION_KEYS = ("delimiter", "escape", "addquotes", "header", "null_as")


def read_options(
    columns: Sequence[str] | None,
    *,
    delimiter: str | None = None,
    escape: bool | None = None,
    addquotes: bool | None = None,
    header: bool | None = None,
    null_as: str = "",
) -> dict[str, Any]:
    """The plan's read options for delimited text (jobs.readers ``delimited``): None values are sniffed."""
    return {
        "delimiter": delimiter,
        "escape": escape,
        "addquotes": addquotes,
        "header": header,
        "null_as": null_as,
        "columns": list(columns) if columns is not None else None,
    }


def resolve_options(settings: Mapping[str, Any], head: Sequence[str], names: Sequence[str] | None) -> TextOptions:
    """The configured options (``unload`` section), with the ones left unset (None) sniffed from ``head``."""
    sniffed = sniff_options(head, names)
    chosen: dict[str, Any] = {key: settings[key] for key in OPTION_KEYS if settings.get(key) is not None}
    return replace(sniffed, **chosen)


def split_line(line: str, options: TextOptions) -> list[str | None]:
    """One UNLOAD text line as fields; ``NULL AS`` values become None.

    With ESCAPE a backslash makes the next character literal (delimiter, quote, backslash, newline); with
    ADDQUOTES every field is wrapped in double quotes, and a quote inside is escaped only when ESCAPE is on.
    """
    fields: list[str | None] = []
    current: list[str] = []
    in_quotes = False
    was_quoted = False
    index = 0
    while index < len(line):
        char = line[index]
        if options.escape and char == "\\" and index + 1 < len(line):
            current.append(line[index + 1])
            index += 2
            continue
        if options.addquotes and char == '"':
            in_quotes = not in_quotes
            was_quoted = True
        elif char == options.delimiter and not in_quotes:
            fields.append(_field("".join(current), was_quoted, options))
            current, was_quoted = [], False
        else:
            current.append(char)
        index += 1
    fields.append(_field("".join(current), was_quoted, options))
    return fields


def _field(value: str, quoted: bool, options: TextOptions) -> str | None:
    return None if value == options.null_as and not (quoted and options.null_as == "") else value


def records(lines: Iterable[str], options: TextOptions) -> Iterator[list[str | None]]:
    """Fields of each record; with ESCAPE a line ending in an escaping backslash continues on the next line."""
    pending = ""
    for line in lines:
        if options.escape and _ends_with_escape(line):
            pending += line[:-1] + "\n"
            continue
        yield split_line(pending + line, options)
        pending = ""
    if pending:
        yield split_line(pending, options)


def _ends_with_escape(line: str) -> bool:
    trailing = len(line) - len(line.rstrip("\\"))
    return trailing % 2 == 1


def column_names(
    count: int, manifest_columns: Sequence[ManifestColumn] | None, header: Sequence[str] | None
) -> list[str]:
    """Column names from a VERBOSE manifest, else a header, else by position (``col_1`` ...)."""
    if manifest_columns and len(manifest_columns) == count:
        return [column.name for column in manifest_columns]
    if header and len(header) == count:
        return list(header)
    return [f"col_{index}" for index in range(1, count + 1)]


def column_batches(
    lines: Iterable[str], options: TextOptions, names: Sequence[str] | None, batch_rows: int
) -> Iterator[list[tuple[str, pa.Array]]]:
    """Records of an UNLOAD text file as batches of named string columns (``names`` None: by position).

    A record with more fields than columns keeps the first ones and one with fewer is padded with nulls, so a
    ragged row costs its own values, never the batch.
    """
    it = records(lines, options)
    if options.header:
        header = next(it, None)
        if names is None and header is not None:
            names = [field or f"col_{index}" for index, field in enumerate(header, start=1)]
    batch: list[list[str | None]] = []
    for record in it:
        if names is None:
            names = column_names(len(record), None, None)
        batch.append(record)
        if len(batch) >= batch_rows:
            yield _to_columns(batch, names)
            batch = []
    if batch and names is not None:
        yield _to_columns(batch, names)


def _to_columns(batch: list[list[str | None]], names: Sequence[str]) -> list[tuple[str, pa.Array]]:
    width = len(names)
    rows = [(record + [None] * width)[:width] for record in batch]
    return [(name, pa.array([row[i] for row in rows], pa.string())) for i, name in enumerate(names)]


@dataclass
class UnloadDataset:
    """The files of one UNLOAD (one prefix), and its manifest when there is one."""

    dataset: str  # folder (Hive partition folders removed) + the file-name prefix: ``s3://b/tickit/venue_``
    files: list[str] = field(default_factory=list)
    manifest_uri: str | None = None
    manifest: Manifest | None = None


def find_unloads(
    uris: Iterable[str], dataset_of: Callable[[str], str], read_text: Callable[[str], str]
) -> list[UnloadDataset]:
    """UNLOADs among listed objects: data files sharing a prefix that a manifest names, or ``_part_`` files.

    ``dataset_of`` maps an object to its folder without partition folders (PARTITION BY writes one manifest at
    the root); ``read_text`` reads a manifest (driver side). Files named like ``venue_000`` without a manifest
    are too ambiguous to be taken for UNLOAD output and are left to the ordinary readers.
    """
    groups: dict[str, UnloadDataset] = {}
    all_parts: dict[str, bool] = {}  # prefix -> every file is named <slice>_part_<part> (PARALLEL ON)
    manifests: dict[str, str] = {}
    for uri in uris:
        prefix = manifest_prefix(uri)
        if prefix is not None:
            manifests[dataset_of(uri) + prefix.rpartition("/")[2]] = uri
            continue
        found = data_file(uri)
        if found is not None:
            key = dataset_of(uri) + found.prefix.rpartition("/")[2]
            groups.setdefault(key, UnloadDataset(key)).files.append(uri)
            all_parts[key] = all_parts.get(key, True) and found.part is not None
    unloads = []
    for key, group in sorted(groups.items()):
        manifest_uri = manifests.get(key)
        if manifest_uri is not None:
            group.manifest_uri = manifest_uri
            group.manifest = _read_manifest(manifest_uri, read_text)
        elif not all_parts[key]:
            continue
        unloads.append(group)
    return unloads


def _read_manifest(uri: str, read_text: Callable[[str], str]) -> Manifest:
    try:
        return parse_manifest(read_text(uri))
    except Exception as exc:  # noqa: BLE001 - an unreadable manifest is a recorded problem, not a failed run
        return Manifest(problems=[f"manifest could not be read: {type(exc).__name__}"])
