"""AWS Glue Data Catalog sources: ``glue://DATABASE[/TABLE][?catalog_id=ACCOUNT]``.

The catalog is read on the driver (``GetTables`` / ``GetTable``); each table's location is then listed and read
like any S3 or local folder (jobs.planner.plan_scan), as ONE asset named by the table's location, with
``source_kind`` ``glue``, ``table_name`` ``DATABASE.TABLE`` and the catalog's column types. Delimited text
without a header (the Glue default for CSV) is read with the catalog's column names through the Redshift
UNLOAD text reader (jobs.readers ``delimited``). Views, tables outside S3 and local folders and formats the
scanner cannot read are ``assets`` rows with status ``skipped`` and the reason; a database or table that cannot
be read from the catalog is an ``error`` row for the source. Nothing is dropped silently.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import parse_qsl, unquote

from classifiers.errors import ConfigError
from jobs import unload
from jobs.planner import Plan, PlannedObject
from jobs.redaction import safe_reason
from jobs.storage import default_region, parse_uri

SOURCE_KIND = "glue"
SCHEME = "glue://"
_CATALOG_ID = re.compile(r"^\d{12}$")
_OPTIONS = ("catalog_id",)

# SerDe and input format class names, matched case-insensitively on these fragments.
_PARQUET = ("parquet",)
_ORC = ("orc",)
_AVRO = ("avro",)
_JSON = ("jsonserde", "jsoninputformat")
_OPENCSV = ("opencsvserde",)
_DELIMITED = ("lazysimpleserde", "textinputformat")
_UNSUPPORTED_CLASSIFICATIONS = {"orc": "ORC", "avro": "Avro"}
_HIVE_DEFAULT_DELIMITER = "\x01"  # LazySimpleSerDe's field delimiter when the table does not set field.delim


@dataclass(frozen=True)
class GlueSource:
    """A parsed ``glue://`` source: a database, optionally one table, optionally another account's catalog."""

    database: str
    table: str | None = None
    catalog_id: str | None = None

    @property
    def display(self) -> str:
        """The canonical URI, as recorded in ``runs.sources`` and on the source's ``error`` row."""
        path = self.database if self.table is None else f"{self.database}/{self.table}"
        return f"{SCHEME}{path}" + (f"?catalog_id={self.catalog_id}" if self.catalog_id else "")

    def table_uri(self, table: str) -> str:
        """The ``glue://`` URI of one table of this source's database."""
        return replace(self, table=table).display


def is_glue(source: str) -> bool:
    """True for a ``glue://`` source."""
    return source.lower().startswith(SCHEME)


def parse_source(uri: str) -> GlueSource:
    """Parse ``glue://DATABASE[/TABLE][?catalog_id=123456789012]``; anything else is a ConfigError."""
    if not is_glue(uri):
        raise ConfigError(f"not a Glue Data Catalog source: {uri!r}; expected glue://DATABASE[/TABLE]")
    rest = uri[len(SCHEME) :]
    path, _, query = rest.partition("?")
    parts = path.split("/")
    if parts and parts[-1] == "" and len(parts) > 1:
        parts.pop()  # glue://db/ and glue://db/table/ are accepted
    if not parts or not parts[0]:
        raise ConfigError(f"Glue source {uri!r} has no database; expected glue://DATABASE[/TABLE]")
    if len(parts) > 2 or any(not part for part in parts):
        raise ConfigError(f"Glue source {uri!r} has too many path segments; expected glue://DATABASE[/TABLE]")
    database, table = unquote(parts[0]), unquote(parts[1]) if len(parts) == 2 else None
    options: dict[str, str] = {}
    for key, value in parse_qsl(query, keep_blank_values=True, strict_parsing=False):
        if key not in _OPTIONS:
            raise ConfigError(f"Glue source {uri!r}: unknown option {key!r}; the only option is catalog_id")
        if key in options:
            raise ConfigError(f"Glue source {uri!r}: option {key!r} is given twice")
        options[key] = value
    if query and not options:
        raise ConfigError(f"Glue source {uri!r}: cannot read the options {query!r}; expected ?catalog_id=ACCOUNT")
    catalog_id = options.get("catalog_id")
    if catalog_id is not None and not _CATALOG_ID.match(catalog_id):
        raise ConfigError(f"Glue source {uri!r}: catalog_id must be a 12-digit AWS account id, got {catalog_id!r}")
    return GlueSource(database, table, catalog_id)


@dataclass(frozen=True)
class CatalogTable:
    """What the scan needs of one catalog table: where its data is, how to read it, its columns and types.

    ``skip_reason`` is set for a table that is not read (view, location outside S3 and local folders, a format
    the scanner cannot read); ``location``, ``format`` and the rest are then as far as they could be told.
    """

    database: str
    name: str
    location: str | None  # the table's folder, with a trailing '/'
    format: str | None  # csv, tsv, text (delimited with another delimiter), json or parquet; else None
    delimiter: str | None = None  # delimited formats only
    header: bool = False  # skip.header.line.count >= 1
    columns: tuple[tuple[str, str], ...] = ()  # (name, catalog type) of the data columns, in order
    partition_keys: tuple[tuple[str, str], ...] = ()  # (name, catalog type) of the partition keys
    skip_reason: str | None = None
    catalog_format: str = "unknown"  # the assets format of a table that is not read: orc, avro, view ...

    @property
    def table_name(self) -> str:
        """``DATABASE.TABLE``, as findings and assets carry it."""
        return f"{self.database}.{self.name}"

    @property
    def delimited(self) -> bool:
        """True for delimited text (csv, tsv or text), read with the catalog's column names."""
        return self.format in ("csv", "tsv", "text")

    def read_options(self) -> dict[str, Any] | None:
        """The UNLOAD text reader's options for delimited text: the catalog's delimiter, header and names."""
        if not self.delimited:
            return None
        return unload.read_options([name for name, _ in self.columns], delimiter=self.delimiter, header=self.header)

    def column_types(self) -> dict[str, str]:
        """Column name -> catalog type, partition keys included."""
        return {name: type_ for name, type_ in (*self.columns, *self.partition_keys)}


def describe_table(database: str, table: Mapping[str, Any]) -> CatalogTable:
    """A ``GetTable`` / ``GetTables`` table as a CatalogTable (never raises on odd metadata: it skips)."""
    name = str(table.get("Name", ""))
    descriptor: Mapping[str, Any] = table.get("StorageDescriptor") or {}
    serde: Mapping[str, Any] = descriptor.get("SerdeInfo") or {}
    serde_params: Mapping[str, Any] = serde.get("Parameters") or {}
    params = {**(descriptor.get("Parameters") or {}), **(table.get("Parameters") or {})}
    columns = _columns(descriptor.get("Columns"))
    partition_keys = _columns(table.get("PartitionKeys"))
    raw_location = str(descriptor.get("Location") or "").strip()
    base = CatalogTable(database, name, None, None, columns=columns, partition_keys=partition_keys)

    if str(table.get("TableType") or "").upper() == "VIRTUAL_VIEW":
        return replace(
            base,
            catalog_format="view",
            skip_reason="Glue view (TableType VIRTUAL_VIEW): it has no data of its own; scan the tables it reads",
        )
    table_format = str(params.get("table_type") or "").lower()
    if table_format in ("iceberg", "delta", "hudi"):
        return replace(
            base,
            catalog_format=table_format,
            skip_reason=f"{table_format.capitalize()} table: its metadata decides which data files are live; "
            "Glue table formats are not supported yet",
        )
    if not raw_location:
        return replace(base, skip_reason="the table has no StorageDescriptor.Location")
    scheme = raw_location.partition("://")[0].lower() if "://" in raw_location else ""
    if scheme not in ("s3", "file"):
        return replace(
            base,
            skip_reason=f"location scheme {scheme + '://' if scheme else '(none)'} is not supported "
            "(only s3:// and file:// locations are read)",
        )
    location = parse_uri(raw_location.rstrip("/") + "/").uri
    base = replace(base, location=location)

    classification = str(params.get("classification") or "").strip().lower()
    serde_class = str(serde.get("SerializationLibrary") or "")
    input_class = str(descriptor.get("InputFormat") or "")
    classes = f"{serde_class} {input_class}".lower()
    header = _header_lines(params, serde_params) >= 1

    unsupported = _UNSUPPORTED_CLASSIFICATIONS.get(classification) or next(
        (label for fragments, label in ((_ORC, "ORC"), (_AVRO, "Avro")) if _has(classes, fragments)), None
    )
    if unsupported is not None:
        return replace(
            base,
            catalog_format=unsupported.lower(),
            skip_reason=f"{unsupported} tables are not supported yet "
            f"(classification {classification or '(none)'}, SerDe {serde_class or '(none)'})",
        )
    if classification == "parquet" or _has(classes, _PARQUET):
        return replace(base, format="parquet", catalog_format="parquet")
    if classification == "json" or _has(classes, _JSON):
        return replace(base, format="json", catalog_format="json")
    if _has(classes, _OPENCSV):
        delimiter = str(serde_params.get("separatorChar") or ",")
        return _delimited(base, _unescape(delimiter), header, serde_class)
    if classification in ("csv", "tsv") or _has(classes, _DELIMITED):
        default = {"csv": ",", "tsv": "\t"}.get(classification, _HIVE_DEFAULT_DELIMITER)
        delimiter = str(serde_params.get("field.delim") or serde_params.get("separatorChar") or default)
        return _delimited(base, _unescape(delimiter), header, serde_class)
    return replace(
        base,
        catalog_format=classification or "unknown",
        skip_reason=f"format not supported: classification {classification or '(none)'}, "
        f"SerDe {serde_class or '(none)'}, InputFormat {input_class or '(none)'}",
    )


def _delimited(base: CatalogTable, delimiter: str, header: bool, serde_class: str) -> CatalogTable:
    format_ = {",": "csv", "\t": "tsv"}.get(delimiter, "text")
    if len(delimiter) != 1:
        return replace(
            base,
            catalog_format=format_,
            skip_reason=f"delimiter {delimiter!r} of SerDe {serde_class or '(none)'} is not one character; "
            "multi-character delimiters are not supported yet",
        )
    if not base.columns:
        return replace(base, catalog_format=format_, skip_reason="delimited table without columns in the catalog")
    return replace(base, format=format_, delimiter=delimiter, header=header, catalog_format=format_)


def _columns(raw: Any) -> tuple[tuple[str, str], ...]:
    if not isinstance(raw, list):
        return ()
    return tuple(
        (str(column["Name"]), str(column.get("Type") or "unknown"))
        for column in raw
        if isinstance(column, Mapping) and column.get("Name")
    )


def _header_lines(*parameter_sets: Mapping[str, Any]) -> int:
    for parameters in parameter_sets:
        value = parameters.get("skip.header.line.count")
        if value is not None:
            try:
                return int(str(value).strip())
            except ValueError:
                return 0
    return 0


def _has(text: str, fragments: Iterable[str]) -> bool:
    return any(fragment in text for fragment in fragments)


def _unescape(delimiter: str) -> str:
    r"""Hive DDL escapes as stored by some tools: ``\t``, ``\001``, ``\u0001``; a plain character is kept."""
    if len(delimiter) > 1 and delimiter.startswith("\\"):
        body = delimiter[1:]
        simple = {"t": "\t", "n": "\n", "\\": "\\", "|": "|"}
        if body in simple:
            return simple[body]
        if re.fullmatch(r"[0-7]{1,3}", body):
            return chr(int(body, 8))
        if re.fullmatch(r"u[0-9a-fA-F]{4}", body):
            return chr(int(body[1:], 16))
    return delimiter


# --- the catalog ----------------------------------------------------------------------------------------------


def glue_client(region: str | None = None) -> Any:
    """A boto3 Glue client; like jobs.storage.s3_client, boto3 reads the endpoint and credentials itself."""
    import boto3

    return boto3.client("glue", region_name=region or default_region())


def catalog_tables(source: GlueSource, client: Any) -> Iterator[Mapping[str, Any]]:
    """The source's tables as the catalog returns them (GetTable, or every page of GetTables)."""
    extra = {"CatalogId": source.catalog_id} if source.catalog_id else {}
    if source.table is not None:
        yield client.get_table(DatabaseName=source.database, Name=source.table, **extra)["Table"]
        return
    for page in client.get_paginator("get_tables").paginate(DatabaseName=source.database, **extra):
        yield from page.get("TableList", [])


def failure_reason(source: GlueSource, exc: Exception) -> str:
    """Why a source could not be read from the catalog, by the AWS error code where there is one."""
    response = getattr(exc, "response", None)
    code = str(response.get("Error", {}).get("Code", "")) if isinstance(response, dict) else ""
    what = f"Glue table {source.database}.{source.table}" if source.table else f"Glue database {source.database}"
    catalog = f" in catalog {source.catalog_id}" if source.catalog_id else ""
    if code == "EntityNotFoundException":
        return f"{what} does not exist{catalog}"
    if code in ("AccessDeniedException", "AccessDenied", "UnauthorizedOperation"):
        return f"access denied to {what}{catalog} ({code}): the scan role needs glue:GetTables / glue:GetTable"
    return f"cannot read {what}{catalog} from the Glue Data Catalog: {safe_reason(exc)}"


@dataclass
class CatalogPlan:
    """The objects of the catalog tables (``plan``), and the table- and source-level rows not read."""

    plan: Plan = field(default_factory=Plan)
    not_read: list[PlannedObject] = field(default_factory=list)  # views, unsupported tables, failed sources


def plan_catalog(
    sources: Iterable[GlueSource],
    list_location: Callable[[str], Plan],
    client_factory: Callable[[], Any] = glue_client,
) -> CatalogPlan:
    """Read the sources' tables from the catalog and list each table's location with ``list_location``.

    ``list_location`` is the scan's jobs.planner.plan_scan for one location, with its sampling and filters.
    """
    result = CatalogPlan()
    client: Any = None
    planned_locations: dict[str, str] = {}  # location -> the table it is scanned under
    for source in sources:
        try:
            client = client or client_factory()  # in the try: a client that cannot be made fails each source
            tables = [describe_table(source.database, raw) for raw in catalog_tables(source, client)]
        except Exception as exc:  # noqa: BLE001 - an unreadable database or table is an error row; the run goes on
            result.not_read.append(
                PlannedObject(
                    source.display,
                    0,
                    None,
                    None,
                    source.display,
                    SOURCE_KIND,
                    failure_reason(source, exc),
                    f"{source.database}.{source.table}" if source.table else None,
                    "error",
                    format="table" if source.table else "database",
                )
            )
            continue
        for table in sorted(tables, key=lambda t: t.name):
            _plan_table(source, table, list_location, planned_locations, result, client)
    return result


def partition_locations(source: GlueSource, table: CatalogTable, client: Any) -> list[str]:
    """Folders of the table's partitions that lie outside its location, sorted.

    ``ALTER TABLE ... ADD PARTITION ... LOCATION`` may register a partition anywhere; Athena reads it there, so
    the scan lists it too. Partitions under the table's location are found by listing that location already.
    """
    if not table.partition_keys or table.location is None:
        return []
    extra = {"CatalogId": source.catalog_id} if source.catalog_id else {}
    found: set[str] = set()
    pages = client.get_paginator("get_partitions").paginate(DatabaseName=table.database, TableName=table.name, **extra)
    for page in pages:
        for partition in page.get("Partitions", []):
            raw = str((partition.get("StorageDescriptor") or {}).get("Location") or "").strip()
            if "://" not in raw or raw.partition("://")[0].lower() not in ("s3", "file"):
                continue  # no location, or one the scanner cannot read: the partition is the table's own folder
            folder = parse_uri(raw.rstrip("/") + "/").uri
            if not folder.startswith(table.location):
                found.add(folder)
    return sorted(found)


def _plan_table(
    source: GlueSource,
    table: CatalogTable,
    list_location: Callable[[str], Plan],
    planned_locations: dict[str, str],
    result: CatalogPlan,
    client: Any = None,
) -> None:
    def table_row(reason: str, status: str = "skipped") -> PlannedObject:
        asset = table.location or source.table_uri(table.name)
        return PlannedObject(
            asset, 0, None, None, asset, SOURCE_KIND, reason, table.table_name, status, format=table.catalog_format
        )

    if table.skip_reason is not None or table.location is None:
        result.not_read.append(table_row(table.skip_reason or "the table has no location"))
        return
    location = table.location
    if location in planned_locations:
        result.not_read.append(
            table_row(f"same location as Glue table {planned_locations[location]}, scanned once under that table")
        )
        return
    planned_locations[location] = table.table_name
    listed = list_location(location)
    try:
        for folder in partition_locations(source, table, client) if client is not None else []:
            listed.extend(list_location(folder))
    except Exception as exc:  # noqa: BLE001 - the table's own folder is still scanned; the gap is recorded
        reason = f"glue:GetPartitions failed ({safe_reason(exc)}): partitions outside the table's location not scanned"
        result.not_read.append(table_row(reason, "error"))
    options = table.read_options()
    read_options = json.dumps(options, sort_keys=True) if options is not None else None
    plan = result.plan

    def as_glue(obj: PlannedObject) -> PlannedObject:
        return replace(obj, source_kind=SOURCE_KIND, dataset=location, table_name=table.table_name)

    for obj in listed.objects:
        hidden = obj.uri.rpartition("/")[2].startswith(("_", "."))
        if hidden:  # _SUCCESS, .crc, _temporary ...: Athena and Hive do not read them as table data
            reason = "hidden file (name starts with '_' or '.'): not table data for Athena or Hive"
            plan.skipped.append(replace(as_glue(obj), reason=reason, read_options=None))
        else:
            plan.objects.append(replace(as_glue(obj), read_options=read_options))
    plan.skipped.extend(as_glue(obj) for obj in listed.skipped)
    plan.failed_sources.extend(replace(as_glue(obj), status="error") for obj in listed.failed_sources)
    plan.export_problems.extend(as_glue(obj) for obj in listed.export_problems)
    if not listed.objects and not listed.skipped and not listed.failed_sources:
        result.not_read.append(table_row("no objects under the table's location"))
    for column, type_ in table.column_types().items():
        plan.column_types[(location, column)] = type_
