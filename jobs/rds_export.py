"""Amazon RDS / Aurora snapshot exports ("Export DB snapshot data to Amazon S3") found among listed objects.

An export root ``<prefix>/<ExportTaskIdentifier>/`` holds ``export_info_<id>.json``, one or more
``export_tables_info_<id>_from_<a>_to_<b>.json`` and one folder per table, ``<database>/<schema>.<table>/``
(PostgreSQL) or ``<database>/<database>.<table>/`` (MySQL, MariaDB), whose Parquet files sit in batch
sub-folders (``1/``, ``2/`` ...) or, in the older naming, directly in the table folder. AWS warns the file
naming may change and recommends reading everything under a table's folder, so every object under it belongs
to the table's dataset whatever its depth.

The metadata is not documented by AWS (see docs/findings.md); it is parsed defensively: unknown keys are
ignored, and a file that cannot be read or parsed becomes a recorded reason, never a crash.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from jobs.redaction import redact, safe_reason
from jobs.storage import read_metadata

SOURCE_KIND = "rds_export"
METADATA_REASON = "RDS export metadata"
_EXPORT_INFO = re.compile(r"^export_info_.+\.json$")
_TABLES_INFO = re.compile(r"^export_tables_info_.+\.json$")
# AWS replaces these characters by '_' in S3 paths, so a metadata target maps to its folder through the same rule.
_PATH_UNSAFE = re.compile(r"[\\`\" ]")


@dataclass(frozen=True)
class TableRef:
    """The table an exported object belongs to: its dataset folder URI and its database name."""

    dataset: str
    table_name: str


@dataclass(frozen=True)
class TableProblem:
    """A table or database the metadata reports as not exported; it becomes an assets row, not an object."""

    asset: str  # the table's (or database's) folder URI, which may not exist
    table_name: str | None  # null for database-level warnings
    status: str  # 'skipped' or 'error'
    reason: str


@dataclass
class RdsExport:
    """One export root and what its metadata says; ``metadata_reasons`` holds every metadata file's outcome."""

    root: str
    metadata_reasons: dict[str, tuple[str, str]] = field(default_factory=dict)  # uri -> (status, reason)
    targets: dict[str, str] = field(default_factory=dict)  # table dataset URI -> database table name
    column_types: dict[tuple[str, str], str] = field(default_factory=dict)  # (dataset, column) -> original type
    problems: list[TableProblem] = field(default_factory=list)

    def is_metadata(self, uri: str) -> bool:
        """True for the export's own JSON files (directly in the root): they describe the data, they are not data."""
        return uri in self.metadata_reasons

    def table_of(self, uri: str) -> TableRef | None:
        """The table of an object under the root, or None for objects outside ``<database>/<table folder>/``."""
        parts = uri[len(self.root) :].split("/")
        if len(parts) < 3 or not parts[0] or not parts[1]:
            return None
        database, folder = parts[0], parts[1]
        dataset = f"{self.root}{database}/{folder}/"
        return TableRef(dataset, self.targets.get(dataset) or table_name_of(database, folder))


def is_metadata_name(uri: str) -> bool:
    """True when the object's name is one of the export's metadata file names."""
    name = uri.rsplit("/", 1)[-1]
    return bool(_EXPORT_INFO.match(name) or _TABLES_INFO.match(name))


def export_roots(uris: Iterable[str]) -> list[str]:
    """Folders (URIs ending in ``/``) holding an ``export_info_*.json``: the roots of RDS snapshot exports."""
    roots = {uri.rsplit("/", 1)[0] + "/" for uri in uris if _EXPORT_INFO.match(uri.rsplit("/", 1)[-1])}
    return sorted(roots)


def table_name_of(database: str, folder: str) -> str:
    """The table name for a folder when the metadata does not name it.

    MySQL folders repeat the database (``db/db.table/``), PostgreSQL ones carry the schema (``db/public.t/``).
    A PostgreSQL schema named like its database looks MySQL-style here; the metadata resolves that case.
    """
    return folder if folder.startswith(f"{database}.") else f"{database}.{folder}"


def table_dataset(root: str, target: str) -> str:
    """The folder URI AWS writes a metadata ``target`` to (``db.schema.table`` or ``db.table``)."""
    database, _, rest = target.partition(".")
    folder = rest if "." in rest else target
    return f"{root}{_PATH_UNSAFE.sub('_', database)}/{_PATH_UNSAFE.sub('_', folder)}/"


def load_export(root: str, uris: Iterable[str], region: str | None) -> RdsExport:
    """Read and merge the metadata files of the export at ``root`` (on the driver; they are small)."""
    export = RdsExport(root)
    metadata = sorted(u for u in uris if u.rsplit("/", 1)[0] + "/" == root and is_metadata_name(u))
    for uri in metadata:
        try:
            document = json.loads(read_metadata(uri, region))
        except Exception as exc:  # noqa: BLE001 - a broken metadata file is recorded; the data is still scanned
            export.metadata_reasons[uri] = ("error", f"{METADATA_REASON}: cannot be parsed: {_parse_error(exc)}")
            continue
        name = uri.rsplit("/", 1)[-1]
        reader = _export_info_reason if _EXPORT_INFO.match(name) else _tables_info_reason
        export.metadata_reasons[uri] = reader(export, document)
    return export


def _parse_error(exc: Exception) -> str:
    """A reason for a failed read; JSON errors keep their position, which safe_reason would cut as a quote."""
    if isinstance(exc, json.JSONDecodeError):  # its msg is a fixed parser phrase, never the document's text
        return f"JSONDecodeError: {exc.msg} at line {exc.lineno} column {exc.colno}"
    return safe_reason(exc)


def _export_info_reason(export: RdsExport, document: Any) -> tuple[str, str]:
    """export_info only informs: an export that did not complete is noted on the file's own assets row."""
    if not isinstance(document, Mapping):
        return "error", f"{METADATA_REASON}: cannot be parsed: expected a JSON object"
    status = document.get("status")
    if isinstance(status, str) and status != "COMPLETE":
        return "skipped", f"{METADATA_REASON}; export task status is {redact(status)}"
    return "skipped", METADATA_REASON


def _tables_info_reason(export: RdsExport, document: Any) -> tuple[str, str]:
    """Merge one export_tables_info file's ``perTableStatus`` entries into ``export``."""
    entries = document.get("perTableStatus") if isinstance(document, Mapping) else None
    if not isinstance(entries, list):
        return "error", f"{METADATA_REASON}: cannot be parsed: no perTableStatus list"
    malformed = sum(not _merge_entry(export, entry) for entry in entries)
    if malformed:
        return "skipped", f"{METADATA_REASON}; {malformed} malformed perTableStatus entries ignored"
    return "skipped", METADATA_REASON


def _merge_entry(export: RdsExport, entry: Any) -> bool:
    """Merge one ``perTableStatus`` entry; False when it has no usable ``target``."""
    target = entry.get("target") if isinstance(entry, Mapping) else None
    if not isinstance(target, str) or not target:
        return False
    status = entry.get("status")
    if status is None and "warningMessage" in entry:  # database-level warning: the target is a database name
        message = _message(entry)
        export.problems.append(
            TableProblem(f"{export.root}{_PATH_UNSAFE.sub('_', target)}/", None, "skipped", _warning(target, message))
        )
        return True
    dataset = table_dataset(export.root, target)
    export.targets[dataset] = target
    if status == "COMPLETE":
        export.column_types.update(_column_types(dataset, entry))
        return True
    export.problems.append(TableProblem(dataset, target, *_table_problem(target, status, _message(entry))))
    return True


def _table_problem(target: str, status: Any, message: str | None) -> tuple[str, str]:
    """Status and reason for a table that was not exported: FAILED is an error, anything else a skip."""
    if not isinstance(status, str):
        return "skipped", f"RDS export: table {target} has no export status in export_tables_info"
    reason = f"RDS export: table {target} has status {redact(status)} in export_tables_info"
    return ("error" if status == "FAILED" else "skipped"), reason + (f": {message}" if message else "")


def _warning(target: str, message: str | None) -> str:
    return f"RDS export: warning for database {target}" + (f": {message}" if message else "")


def _message(entry: Mapping[str, Any]) -> str | None:
    """The entry's own explanation, first line only and redacted: AWS messages may quote names or values."""
    for key in ("warningMessage", "errorMessage", "message"):
        value = entry.get(key)
        if isinstance(value, str) and value.strip():
            return redact(value.strip().splitlines()[0])[:300]
    return None


def _column_types(dataset: str, entry: Mapping[str, Any]) -> dict[tuple[str, str], str]:
    """``originalTypeMappings`` as (dataset, column) -> original database type; odd mappings are ignored."""
    schema = entry.get("schemaMetadata")
    mappings = schema.get("originalTypeMappings") if isinstance(schema, Mapping) else None
    types: dict[tuple[str, str], str] = {}
    for mapping in mappings if isinstance(mappings, list) else []:
        if not isinstance(mapping, Mapping):
            continue
        column, original = mapping.get("columnName"), mapping.get("originalType")
        if isinstance(column, str) and isinstance(original, str):
            types[(dataset, column)] = original
    return types
