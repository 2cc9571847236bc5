"""Column classifications written to the Glue Data Catalog and, optionally, as Lake Formation LF-tags.

For tables (Glue tables the scan read, RDS snapshot exports and Redshift UNLOAD datasets registered in Glue,
JDBC tables crawled into Glue), each classified column gets parameters (``piiscan:entities``,
``piiscan:sensitivity``, ``piiscan:frameworks``, ``piiscan:run_id``, ``piiscan:scanned_at``) merged into its
``Parameters`` by GetTable + UpdateTable: every other parameter, the table's properties and its storage
descriptor are sent back as they were read, ``VersionId`` guards against concurrent writers, and a table whose
columns already say the same is not updated (no new table version). Columns of the scanned tables that are
no longer classified lose our keys (and only ours). With ``lf_tags`` on, the same columns get two LF-tags
(sensitivity and main entity type) through ``AddLFTagsToResource`` on ``TableWithColumns``; missing tag keys
and values are created first. Every column acted on is a CATALOG_TAG_RESULTS row; errors are rows, never
exceptions, and no detected value (not even a masked sample) is ever written anywhere. See docs/catalog-tags.md.
"""

from __future__ import annotations

import json
import time
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa

from classifiers.errors import ConfigError
from jobs.glue_catalog import glue_client
from jobs.redaction import redact, safe_reason
from jobs.storage import default_region
from jobs.tables import CATALOG_TAG_RESULTS

PARAMETERS = "parameters"
LF_TAGS = "lf_tags"

# Suffixes of our column parameter keys (after ``parameter_prefix``). The first three are the classification,
# compared to decide whether a column changed; the last two say which scan run set it and are not rewritten
# when a later run only confirms the same classification (no new table version per scan).
CLASSIFICATION_KEYS = ("entities", "sensitivity", "frameworks")
PROVENANCE_KEYS = ("run_id", "scanned_at")
PARAMETER_KEYS = CLASSIFICATION_KEYS + PROVENANCE_KEYS

SENSITIVITY_RANK = {"low": 1, "medium": 2, "high": 3}
LF_VALUES_PER_CALL = 50  # TagValues / TagValuesToAdd: at most 50 per call
LF_VALUES_PER_KEY = 1000  # an LF-tag key holds at most 1000 values
LF_COLUMNS_PER_CALL = 100  # our own cap on ColumnNames per AddLFTagsToResource / RemoveLFTagsFromResource
RETRY_DELAYS = (0.2, 1.0, 3.0)  # seconds before each retry after a ConcurrentModificationException
_UNMAPPED_KINDS = {"rds_export": "RDS export table", "redshift_unload": "Redshift UNLOAD dataset", "jdbc": "JDBC table"}
_ACCESS_DENIED = {"AccessDeniedException", "AccessDenied", "UnauthorizedOperation", "UnauthorizedException"}
_LF_EXTRA_CHARS = "_.:/=+-@%"  # besides letters, numbers and separators (the LF TagKey pattern)
_PERMISSIONS = {
    "GetTable": "glue:GetTable",
    "UpdateTable": "glue:UpdateTable (and Lake Formation ALTER on the table when Lake Formation manages it)",
    "GetResourceLFTags": "lakeformation:GetResourceLFTags (and Lake Formation DESCRIBE on the table)",
    "GetLFTag": "lakeformation:GetLFTag (and DESCRIBE on the LF-tag)",
    "CreateLFTag": "lakeformation:CreateLFTag (a data lake administrator or LF-tag creator)",
    "UpdateLFTag": "lakeformation:UpdateLFTag (and ALTER on the LF-tag)",
    "AddLFTagsToResource": "lakeformation:AddLFTagsToResource (and ASSOCIATE on the LF-tag, DESCRIBE on the table)",
    "RemoveLFTagsFromResource": "lakeformation:RemoveLFTagsFromResource (and ASSOCIATE on the LF-tag)",
}


# --- configuration ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CatalogTagging:
    """The ``catalog:`` section of conf/tag.yaml (docs/catalog-tags.md).

    ``tables`` maps what the scan knows of a non-Glue table (an asset URI: the RDS export table folder, the
    UNLOAD dataset folder; or a findings ``table_name``) to the Glue table it is registered as,
    ``database.table``. Findings of Glue tables carry ``table_name`` ``database.table`` already.
    """

    enabled: bool = False
    parameter_prefix: str = "piiscan:"
    lf_tags: bool = False
    lf_tag_key_sensitivity: str = "piiscan_sensitivity"
    lf_tag_key_category: str = "piiscan_category"
    catalog_id: str | None = None
    skip_archive: bool = False
    tables: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("enabled", "lf_tags", "skip_archive"):
            if not isinstance(getattr(self, name), bool):
                raise ConfigError(f"catalog.{name} must be true or false, got {getattr(self, name)!r}")
        prefix = self.parameter_prefix
        if not isinstance(prefix, str) or not prefix.strip() or len(prefix) > 200:
            raise ConfigError(f"catalog.parameter_prefix must be a non-empty string of at most 200 characters, "
                              f"got {prefix!r}")  # fmt: skip
        for name in ("lf_tag_key_sensitivity", "lf_tag_key_category"):
            key = getattr(self, name)
            if not isinstance(key, str) or not 1 <= len(key) <= 128 or not _lf_allowed(key):
                raise ConfigError(
                    f"catalog.{name} must be an LF-tag key: 1 to 128 letters, numbers, spaces or _ . : / = + - @ %, "
                    f"got {key!r}"
                )
        if self.lf_tag_key_sensitivity.lower() == self.lf_tag_key_category.lower():
            raise ConfigError(
                f"catalog.lf_tag_key_sensitivity and catalog.lf_tag_key_category must differ, both are "
                f"{self.lf_tag_key_sensitivity!r}"
            )
        catalog_id = self.catalog_id
        if catalog_id is not None and not (
            isinstance(catalog_id, str) and len(catalog_id) == 12 and catalog_id.isdigit()
        ):
            raise ConfigError(f"catalog.catalog_id must be a 12-digit AWS account id or null, got {catalog_id!r}")
        tables = {} if self.tables is None else self.tables
        if not isinstance(tables, Mapping):
            raise ConfigError(f"catalog.tables must map asset URIs or table names to database.table, got {tables!r}")
        for source, target in tables.items():
            if not isinstance(source, str) or not source.strip():
                raise ConfigError(f"catalog.tables: keys must be asset URIs or table names, got {source!r}")
            database, _, table = target.partition(".") if isinstance(target, str) else ("", "", "")
            if not database.strip() or not table.strip():
                raise ConfigError(f"catalog.tables[{source!r}] must be database.table, got {target!r}")
        object.__setattr__(self, "tables", dict(tables))

    @classmethod
    def from_section(cls, section: Mapping[str, Any] | None) -> CatalogTagging:
        """``CatalogTagging(**section)`` with unknown keys refused as a ConfigError naming them."""
        section = section or {}
        if not isinstance(section, Mapping):
            raise ConfigError(f"catalog must be a mapping, got {type(section).__name__}")
        known = {f.name for f in fields(cls)}
        unknown = sorted(str(key) for key in section if key not in known)
        if unknown:
            raise ConfigError(f"unknown catalog option(s) {unknown}; valid options are: {sorted(known)}")
        return cls(**section)

    @classmethod
    def from_mapping(cls, section: Mapping[str, Any] | None) -> CatalogTagging:
        """The same as ``from_section`` (the name the tag job's call site uses)."""
        return cls.from_section(section)

    def key(self, suffix: str) -> str:
        """A column parameter key of ours: ``parameter_prefix`` + suffix."""
        return f"{self.parameter_prefix}{suffix}"

    def target(self, source_kind: str | None, asset: str | None, table_name: str | None) -> tuple[str, str] | None:
        """The Glue (database, table) of a findings or assets row, or None when none is known."""
        candidates = [asset, asset.rstrip("/") if asset else None, f"{asset}/" if asset else None, table_name]
        for candidate in candidates:
            if candidate and candidate in self.tables:
                database, _, table = self.tables[candidate].partition(".")
                return database, table
        if source_kind == "glue" and table_name and "." in table_name:
            database, _, table = table_name.partition(".")
            return database, table
        return None


def _lf_allowed(text: str, extra: str = _LF_EXTRA_CHARS) -> bool:
    return all(unicodedata.category(ch)[0] in "LNZ" or ch in extra for ch in text)


def lf_value(text: str) -> str:
    """An LF-tag value for ``text``: lowercase, characters LF refuses replaced by ``_``, at most 256 characters."""
    return "".join(ch if _lf_allowed(ch, _LF_EXTRA_CHARS + "*") else "_" for ch in text.lower())[:256]


def lakeformation_client(region: str | None = None) -> Any:
    """A boto3 Lake Formation client; boto3 reads the endpoint and credentials itself."""
    import boto3

    return boto3.client("lakeformation", region_name=region or default_region())


# --- what each column should say ----------------------------------------------------------------------------------


@dataclass
class _Wanted:
    """The classification of one finding column (possibly several findings columns, matched case-insensitively)."""

    name: str  # the column as the findings name it
    findings: list[dict[str, Any]] = field(default_factory=list)

    @property
    def finding_ids(self) -> list[str]:
        return sorted({str(f["finding_id"]) for f in self.findings if f["finding_id"]})

    def parameters(self, config: CatalogTagging) -> dict[str, str]:
        """Our column parameters for these findings (frameworks and sensitivity only when known)."""
        entities = sorted({str(f["entity_type"]) for f in self.findings if f["entity_type"]})
        frameworks = sorted({str(x) for f in self.findings for x in (f["frameworks"] or []) if x})
        latest = max(
            self.findings, key=lambda f: (f["scanned_at"] or datetime.min.replace(tzinfo=UTC), f["run_id"] or "")
        )
        values = {
            "entities": ",".join(entities),
            "sensitivity": self.sensitivity(),
            "frameworks": ",".join(frameworks),
            "run_id": latest["run_id"],
            "scanned_at": _iso(latest["scanned_at"]),
        }
        return {config.key(k): str(v) for k, v in values.items() if v}

    def sensitivity(self) -> str | None:
        ranked = [str(f["sensitivity"]).lower() for f in self.findings if f["sensitivity"]]
        return max(ranked, key=lambda s: SENSITIVITY_RANK.get(s, 0)) if ranked else None

    def lf_tags(self, config: CatalogTagging) -> dict[str, str]:
        """Our LF-tags: the highest sensitivity, and the main entity type (most sensitive, then most confident)."""
        main = max(
            self.findings,
            key=lambda f: (
                SENSITIVITY_RANK.get(str(f["sensitivity"]).lower(), 0),
                f["confidence"] or 0.0,
                str(f["entity_type"]),
            ),
        )
        tags = {config.lf_tag_key_category: lf_value(str(main["entity_type"]))}
        sensitivity = self.sensitivity()
        if sensitivity:
            tags[config.lf_tag_key_sensitivity] = lf_value(sensitivity)
        return tags


def _iso(value: Any) -> str | None:
    if not isinstance(value, datetime):
        return None
    when: datetime = value if value.tzinfo else value.replace(tzinfo=UTC)
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class _TablePlan:
    database: str
    table: str
    sources: set[str] = field(default_factory=set)
    columns: dict[str, _Wanted] = field(default_factory=dict)  # findings column -> its findings


_FINDING_FIELDS = (
    "finding_id",
    "run_id",
    "scanned_at",
    "source_kind",
    "asset",
    "column",
    "level",
    "entity_type",
    "confidence",
    "sensitivity",
    "frameworks",
    "table_name",
)  # never samples_masked: no sample goes anywhere near the catalog


# --- results ------------------------------------------------------------------------------------------------------


@dataclass
class _Results:
    run_id: str
    catalog_id: str | None
    rows: list[dict[str, Any]] = field(default_factory=list)

    def add(
        self,
        database: str | None,
        table: str | None,
        column: str | None,
        action: str,
        status: str,
        reason: str | None = None,
        values: Mapping[str, str] | None = None,
        finding_ids: Iterable[str] = (),
        source: str | None = None,
    ) -> None:
        self.rows.append(
            {
                "run_id": self.run_id,
                "at": datetime.now(UTC),
                "catalog_id": self.catalog_id,
                "database": database,
                "table": table,
                "column": column,
                "action": action,
                "values_written": None if values is None else json.dumps(dict(values), ensure_ascii=False),
                "status": status,
                "reason": reason,
                "source": source,
                "finding_ids": list(finding_ids),
            }
        )

    def table(self) -> pa.Table:
        order = {PARAMETERS: 0, LF_TAGS: 1}
        self.rows.sort(
            key=lambda r: (r["database"] or "", r["table"] or "", r["column"] or "", order.get(r["action"], 9))
        )
        return pa.Table.from_pylist(self.rows, schema=CATALOG_TAG_RESULTS)


def _ordered(values: Mapping[str, str], keys: Iterable[str]) -> dict[str, str]:
    return {key: values[key] for key in keys if key in values}


def _code(exc: BaseException) -> str:
    response = getattr(exc, "response", None)
    return str(response.get("Error", {}).get("Code", "")) if isinstance(response, dict) else ""


def failure_reason(operation: str, what: str, exc: BaseException) -> str:
    """Why ``operation`` on ``what`` failed, naming the permission it needs; never quotes data."""
    code = _code(exc)
    permission = _PERMISSIONS.get(operation, operation)
    if code == "EntityNotFoundException":
        return f"{operation}: {what} does not exist (EntityNotFoundException)"
    if code in _ACCESS_DENIED:
        return f"{operation}: access denied to {what} ({code}): the tag role needs {permission}"
    return f"{operation} on {what} failed: {safe_reason(exc)} (needs {permission})"


def _call(method: Callable[..., Any], **kwargs: Any) -> Any:
    """Call an AWS API, retrying on ConcurrentModificationException after RETRY_DELAYS."""
    for delay in (*RETRY_DELAYS, None):
        try:
            return method(**kwargs)
        except Exception as exc:
            if _code(exc) != "ConcurrentModificationException" or delay is None:
                raise
            time.sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover


# --- the entry point ----------------------------------------------------------------------------------------------


def apply_catalog_tags(
    findings: pa.Table,
    objects: pa.Table,
    config: CatalogTagging,
    dry_run: bool,
    run_id: str,
    client_factory: Callable[[], Any] = glue_client,
    lf_client_factory: Callable[[], Any] = lakeformation_client,
) -> pa.Table:
    """Write the column classifications of ``findings`` to the Glue Data Catalog (and LF-tags); CATALOG_TAG_RESULTS.

    ``findings`` (FINDINGS schema) are the findings to apply (auto_tag, or approved in review); ``objects``
    (jobs.current.OBJECTS) the objects of the current runs: a catalog table among them without findings to
    apply loses our parameters and LF-tags. On ``dry_run`` the catalog is read but nothing is written: the rows
    say ``planned`` (or ``unchanged``).
    """
    results = _Results(run_id, config.catalog_id)
    if not config.enabled:
        return results.table()
    plans = _plan(findings, objects, config, results)
    if not plans:
        return results.table()
    glue: Any = None
    lf_work: list[_LfTable] = []
    for key in sorted(plans):
        plan = plans[key]
        try:
            glue = glue or client_factory()
        except Exception as exc:  # noqa: BLE001 - no client: every table fails with the reason
            _fail_table(plan, config, results, f"cannot create a Glue client: {safe_reason(exc)}")
            continue
        columns = _tag_parameters(glue, plan, config, dry_run, results)
        if config.lf_tags and columns is not None:
            lf_work.append(_LfTable(plan, columns))
        elif config.lf_tags:
            for wanted in plan.columns.values():
                results.add(plan.database, plan.table, wanted.name, LF_TAGS, "skipped",
                            "the Glue table could not be read (see the parameters row)",
                            finding_ids=wanted.finding_ids, source=_source(plan))  # fmt: skip
    if lf_work:
        _tag_lf(lf_work, config, dry_run, results, lf_client_factory)
    return results.table()


def _source(plan: _TablePlan) -> str | None:
    return ", ".join(sorted(plan.sources)) or None


def _plan(
    findings: pa.Table, objects: pa.Table, config: CatalogTagging, results: _Results
) -> dict[tuple[str, str], _TablePlan]:
    plans: dict[tuple[str, str], _TablePlan] = {}
    unmapped: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    present = [name for name in _FINDING_FIELDS if name in findings.column_names]
    for row in findings.select(present).to_pylist():
        row = {name: row.get(name) for name in _FINDING_FIELDS}
        if row["level"] not in (None, "column") or not row["column"]:
            continue  # object-level findings (free text) have no catalog column
        target = config.target(row["source_kind"], row["asset"], row["table_name"])
        if target is None:
            if row["source_kind"] in _UNMAPPED_KINDS:
                unmapped[(str(row["table_name"] or row["asset"]), str(row["column"]))].append(row)
            continue  # S3 and local files: object tags, not the catalog (unless catalog.tables maps them)
        plan = plans.setdefault(target, _TablePlan(*target))
        plan.sources.add(str(row["table_name"] or row["asset"]))
        plan.columns.setdefault(row["column"], _Wanted(row["column"])).findings.append(row)
    for (source, column), rows in sorted(unmapped.items()):
        kind = _UNMAPPED_KINDS[str(rows[0]["source_kind"])]
        results.add(None, None, column, PARAMETERS, "skipped",
                    f"no Glue table is known for {kind} {source}: map it in catalog.tables "
                    "(asset URI or table name: database.table)",
                    finding_ids=_Wanted(column, rows).finding_ids, source=source)  # fmt: skip
    names = [n for n in ("asset", "source_kind", "table_name") if n in objects.column_names]
    for row in objects.select(names).to_pylist():
        target = config.target(row.get("source_kind"), row.get("asset"), row.get("table_name"))
        if target is not None:  # a table read in the current runs: stale classifications are removed
            plans.setdefault(target, _TablePlan(*target)).sources.add(str(row.get("table_name") or row.get("asset")))
    return plans


def _fail_table(plan: _TablePlan, config: CatalogTagging, results: _Results, reason: str) -> None:
    actions = (PARAMETERS, LF_TAGS) if config.lf_tags else (PARAMETERS,)
    if not plan.columns:
        results.add(plan.database, plan.table, None, PARAMETERS, "failed", reason, source=_source(plan))
    for wanted in plan.columns.values():
        for action in actions:
            results.add(plan.database, plan.table, wanted.name, action, "failed", reason,
                        finding_ids=wanted.finding_ids, source=_source(plan))  # fmt: skip


# --- Glue column parameters ---------------------------------------------------------------------------------------


def _extra(config: CatalogTagging) -> dict[str, str]:
    return {"CatalogId": config.catalog_id} if config.catalog_id else {}


def _tag_parameters(
    glue: Any, plan: _TablePlan, config: CatalogTagging, dry_run: bool, results: _Results
) -> dict[str, _Wanted | None] | None:
    """Merge our parameters into the table's columns; the table's columns -> what they should say, or None."""
    what = f"Glue table {plan.database}.{plan.table}" + (
        f" in catalog {config.catalog_id}" if config.catalog_id else ""
    )
    outcome: _Merge | None = None
    for attempt, delay in enumerate((*RETRY_DELAYS, None)):
        try:
            table = glue.get_table(DatabaseName=plan.database, Name=plan.table, **_extra(config))["Table"]
        except Exception as exc:  # noqa: BLE001 - a table that cannot be read is a failed row; the run goes on
            _fail_table(plan, config, results, failure_reason("GetTable", what, exc))
            return None
        if table.get("IsMultiDialectView") or table.get("TargetTable"):
            kind = "a multi-dialect view" if table.get("IsMultiDialectView") else "a resource link"
            for wanted in plan.columns.values():
                results.add(plan.database, plan.table, wanted.name, PARAMETERS, "skipped",
                            f"{what} is {kind}: its columns are not tagged",
                            finding_ids=wanted.finding_ids, source=_source(plan))  # fmt: skip
            return None
        outcome = _merge(table, plan, config)
        if not outcome.changed or dry_run:
            break
        request: dict[str, Any] = {"DatabaseName": plan.database, "TableInput": table_input(glue, outcome.table)}
        if table.get("VersionId") is not None:
            request["VersionId"] = str(table["VersionId"])  # optimistic concurrency: fails if changed since GetTable
        if config.skip_archive:
            request["SkipArchive"] = True
        try:
            glue.update_table(**request, **_extra(config))
            break
        except Exception as exc:  # noqa: BLE001 - a table that cannot be updated is failed rows; the run goes on
            if _code(exc) == "ConcurrentModificationException" and delay is not None:
                time.sleep(delay)  # another writer changed the table since GetTable: read it again and re-merge
                continue
            reason = failure_reason("UpdateTable", what, exc)
            if attempt and _code(exc) == "ConcurrentModificationException":
                reason += f" after {attempt + 1} attempts"
            outcome.report(results, plan, dry_run, failed=reason)
            return outcome.columns
    assert outcome is not None
    outcome.report(results, plan, dry_run)
    return outcome.columns


@dataclass
class _Merge:
    """One table's columns merged with our parameters: the new table, and what happened to each column."""

    table: dict[str, Any]
    changed: bool
    columns: dict[str, _Wanted | None]  # every column of the table -> its classification (None: not classified)
    rows: list[
        tuple[str, str | None, str, str | None, dict[str, str] | None]
    ]  # (findings column, glue column, status, ...)

    def report(self, results: _Results, plan: _TablePlan, dry_run: bool, failed: str | None = None) -> None:
        for name, glue_column, status, reason, values in self.rows:
            wanted = plan.columns.get(name)
            ids = wanted.finding_ids if wanted else []
            if status == "changed":
                status, reason = ("planned", reason) if dry_run else ("succeeded", reason)
                if failed:
                    status, reason = "failed", failed
            results.add(plan.database, plan.table, glue_column or name, PARAMETERS, status, reason,
                        values=values, finding_ids=ids, source=_source(plan))  # fmt: skip


def _merge(table: Mapping[str, Any], plan: _TablePlan, config: CatalogTagging) -> _Merge:
    new = _copy(table)
    descriptor = new.setdefault("StorageDescriptor", {})
    all_columns: list[dict[str, Any]] = [*(descriptor.get("Columns") or []), *(new.get("PartitionKeys") or [])]
    by_name = {str(c.get("Name")): c for c in all_columns}
    by_lower: dict[str, list[str]] = defaultdict(list)
    for name in by_name:
        by_lower[name.lower()].append(name)

    rows: list[tuple[str, str | None, str, str | None, dict[str, str] | None]] = []
    assigned: dict[str, _Wanted] = {}  # glue column -> merged classification
    sources: dict[str, list[str]] = defaultdict(list)  # glue column -> findings columns
    for name, wanted in sorted(plan.columns.items()):
        glue_name = name if name in by_name else None
        if glue_name is None and len(by_lower.get(name.lower(), [])) == 1:
            glue_name = by_lower[name.lower()][0]
        if glue_name is None:
            rows.append((name, None, "skipped", _missing_reason(name, by_name, plan), None))
            continue
        merged = assigned.setdefault(glue_name, _Wanted(glue_name))
        merged.findings.extend(wanted.findings)
        sources[glue_name].append(name)

    ours = [config.key(k) for k in PARAMETER_KEYS]
    changed = False
    for column in all_columns:
        name = str(column.get("Name"))
        current = dict(column.get("Parameters") or {})
        present = {k: current[k] for k in ours if k in current}
        wanted_column = assigned.get(name)
        if wanted_column is None:
            if present:
                for key in present:
                    del current[key]
                column["Parameters"] = current
                changed = True
                rows.append((name, name, "changed",
                             f"classification removed: the column has no findings to apply (removed "
                             f"{', '.join(present)})", {}))  # fmt: skip
            continue
        desired = wanted_column.parameters(config)
        classification = [config.key(k) for k in CLASSIFICATION_KEYS]
        same = all(present.get(k) == desired.get(k) for k in classification) and all(
            config.key(k) in present for k in PROVENANCE_KEYS
        )
        for findings_name in sources[name]:
            if same:
                rows.append((findings_name, name, "unchanged", None, present))
            else:
                note = None if findings_name == name else f"findings column {findings_name!r} is Glue column {name!r}"
                rows.append((findings_name, name, "changed", note, desired))
        if not same:
            for key in ours:
                current.pop(key, None)
            current.update(desired)
            column["Parameters"] = current
            changed = True
    columns: dict[str, _Wanted | None] = {str(c.get("Name")): assigned.get(str(c.get("Name"))) for c in all_columns}
    return _Merge(new, changed, columns, rows)


def _missing_reason(name: str, by_name: Mapping[str, Any], plan: _TablePlan) -> str:
    what = f"the Glue table {plan.database}.{plan.table}"
    parent = name.split(".")[0].removesuffix("[]")
    if parent != name and (parent in by_name or parent.lower() in {n.lower() for n in by_name}):
        return (f"{what} has no column {name!r}: it is a nested field of column {parent!r}, and Glue column "
                "parameters apply to top-level columns only")  # fmt: skip
    return f"{what} has no column {name!r} (the catalog's schema differs from the data the scan read)"


def _copy(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def table_input(glue: Any, table: Mapping[str, Any]) -> dict[str, Any]:
    """The TableInput for UpdateTable from a GetTable ``Table``: only the members TableInput's shape has.

    Read-only members of the output (DatabaseName, CreateTime, UpdateTime, CreatedBy, CatalogId, VersionId,
    IsRegisteredWithLakeFormation, IsMultiDialectView, Status ...) are dropped at every level, by the client's
    own service model, so a newer API with more read-only fields still yields a valid request.
    """
    shape = glue.meta.service_model.operation_model("UpdateTable").input_shape.members["TableInput"]
    result: dict[str, Any] = _shaped(table, shape)
    return result


def _shaped(value: Any, shape: Any) -> Any:
    if shape.type_name == "structure" and isinstance(value, Mapping):
        return {k: _shaped(v, shape.members[k]) for k, v in value.items() if k in shape.members}
    if shape.type_name == "list" and isinstance(value, list):
        return [_shaped(v, shape.member) for v in value]
    if shape.type_name == "map" and isinstance(value, Mapping):
        return {k: _shaped(v, shape.value) for k, v in value.items()}
    return value


# --- Lake Formation LF-tags ---------------------------------------------------------------------------------------


@dataclass
class _LfColumn:
    want: dict[str, str]  # our LF-tags the column should have (empty: none)
    add: bool = False  # AddLFTagsToResource with ``want``
    stale: tuple[tuple[str, str], ...] = ()  # our LF-tags to remove (keys no longer wanted)
    outcomes: list[tuple[str, str | None]] = field(default_factory=list)  # (status, reason) of each call


@dataclass
class _LfTable:
    plan: _TablePlan
    columns: dict[str, _Wanted | None]  # every Glue column of the table -> its classification
    work: dict[str, _LfColumn] = field(default_factory=dict)


def _tag_lf(
    work: list[_LfTable],
    config: CatalogTagging,
    dry_run: bool,
    results: _Results,
    lf_client_factory: Callable[[], Any],
) -> None:
    keys = (config.lf_tag_key_sensitivity, config.lf_tag_key_category)
    try:
        lf = lf_client_factory()
    except Exception as exc:  # noqa: BLE001 - no client: every LF row fails with the reason
        for item in work:
            _lf_fail_all(item, results, f"cannot create a Lake Formation client: {safe_reason(exc)}")
        return
    ready: list[_LfTable] = []
    for item in work:
        plan = item.plan
        if not item.columns:
            continue
        resource = _resource(plan, sorted(item.columns), config)
        try:
            response = lf.get_resource_lf_tags(Resource=resource, ShowAssignedLFTags=True, **_extra(config))
        except Exception as exc:  # noqa: BLE001 - a table whose tags cannot be read: its LF rows fail
            what = f"the LF-tags of Glue table {plan.database}.{plan.table}"
            _lf_fail_all(item, results, failure_reason("GetResourceLFTags", what, exc))
            continue
        current: dict[str, dict[str, str]] = defaultdict(dict)
        for column in response.get("LFTagsOnColumns") or []:
            for tag in column.get("LFTags") or []:
                if tag.get("TagKey") in keys and tag.get("TagValues"):
                    current[str(column.get("Name"))][str(tag["TagKey"])] = str(tag["TagValues"][0])
        for name, wanted in sorted(item.columns.items()):
            have = current.get(name, {})
            want = wanted.lf_tags(config) if wanted else {}
            stale = tuple(sorted((k, v) for k, v in have.items() if k not in want))
            if want or stale:
                item.work[name] = _LfColumn(want, any(have.get(k) != v for k, v in want.items()), stale)
        ready.append(item)

    unavailable: dict[tuple[str, str], str] = {}
    if not dry_run:
        needed: dict[str, set[str]] = defaultdict(set)
        for item in ready:
            for column in item.work.values():
                for key, value in column.want.items() if column.add else ():
                    needed[key].add(value)
        unavailable = _ensure_values(lf, needed, config)
    for item in ready:
        _apply_lf(lf, item, config, dry_run, unavailable, results)


def _lf_fail_all(item: _LfTable, results: _Results, reason: str) -> None:
    plan = item.plan
    for name, wanted in sorted(item.columns.items()):
        if wanted is not None:
            results.add(plan.database, plan.table, name, LF_TAGS, "failed", reason,
                        finding_ids=wanted.finding_ids, source=_source(plan))  # fmt: skip


def _resource(plan: _TablePlan, columns: list[str], config: CatalogTagging) -> dict[str, Any]:
    body: dict[str, Any] = {"DatabaseName": plan.database, "Name": plan.table, "ColumnNames": columns}
    return {"TableWithColumns": {**_extra(config), **body}}


def _ensure_values(lf: Any, needed: Mapping[str, set[str]], config: CatalogTagging) -> dict[tuple[str, str], str]:
    """Create the LF-tag keys and values that are missing; (key, value) -> why it is not available."""
    unavailable: dict[tuple[str, str], str] = {}
    for key in sorted(needed):
        values = sorted(needed[key])
        try:
            existing = set(_call(lf.get_lf_tag, TagKey=key, **_extra(config)).get("TagValues") or [])
        except Exception as exc:  # noqa: BLE001 - EntityNotFoundException: the key is created below
            if _code(exc) != "EntityNotFoundException":
                reason = failure_reason("GetLFTag", f"LF-tag {key}", exc)
                unavailable.update({(key, value): reason for value in values})
                continue
            existing = set()
        missing = [value for value in values if value not in existing]
        room = max(LF_VALUES_PER_KEY - len(existing), 0)
        for value in missing[room:]:
            unavailable[(key, value)] = (
                f"LF-tag {key} has {len(existing)} values and {len(missing)} more are needed; Lake Formation "
                f"allows {LF_VALUES_PER_KEY} per key"
            )
        missing = missing[:room]
        chunks = [missing[i : i + LF_VALUES_PER_CALL] for i in range(0, len(missing), LF_VALUES_PER_CALL)]
        for index, chunk in enumerate(chunks):
            create = not existing and index == 0  # GetLFTag found no key (an LF-tag always has a value)
            operation = "CreateLFTag" if create else "UpdateLFTag"
            try:
                if create:
                    _call(lf.create_lf_tag, TagKey=key, TagValues=chunk, **_extra(config))
                else:
                    _call(lf.update_lf_tag, TagKey=key, TagValuesToAdd=chunk, **_extra(config))
            except Exception as exc:  # noqa: BLE001 - values that could not be created fail their columns
                reason = failure_reason(operation, f"LF-tag {key}", exc)
                rest = [v for c in chunks[index:] for v in c] if create else chunk
                unavailable.update({(key, value): reason for value in rest})
                if create:
                    break
    return unavailable


def _apply_lf(
    lf: Any,
    item: _LfTable,
    config: CatalogTagging,
    dry_run: bool,
    unavailable: Mapping[tuple[str, str], str],
    results: _Results,
) -> None:
    plan = item.plan
    keys = (config.lf_tag_key_sensitivity, config.lf_tag_key_category)
    removals: dict[tuple[tuple[str, str], ...], list[str]] = defaultdict(list)
    additions: dict[tuple[tuple[str, str], ...], list[str]] = defaultdict(list)
    for name, column in item.work.items():
        if column.stale:
            removals[column.stale].append(name)
        if column.add:
            additions[tuple(sorted(column.want.items()))].append(name)
    for operation, groups in (("RemoveLFTagsFromResource", removals), ("AddLFTagsToResource", additions)):
        for pairs, names in sorted(groups.items()):
            blocked = sorted({unavailable[p] for p in pairs if p in unavailable})
            tags = [{**_extra(config), "TagKey": k, "TagValues": [v]} for k, v in pairs]
            for chunk in _chunks(sorted(names)):
                if blocked:
                    outcome: tuple[str, str | None] = ("failed", "; ".join(blocked))
                elif dry_run:
                    outcome = ("planned", None)
                else:
                    outcome = _lf_write(lf, operation, plan, chunk, tags, config)
                for name in chunk:
                    item.work[name].outcomes.append(outcome)
    for name, column in sorted(item.work.items()):
        wanted = item.columns.get(name)
        statuses = [status for status, _ in column.outcomes]
        failures = [reason for status, reason in column.outcomes if status == "failed" and reason]
        notes = []
        if column.stale:
            notes.append(f"removed {', '.join(f'{k}={v}' for k, v in column.stale)}")
        if not column.want:
            notes = [f"classification removed: the column has no findings to apply ({notes[0]})"]
        if not statuses:
            status, reason = "unchanged", None
        elif "failed" in statuses:
            status, reason = "failed", "; ".join(failures)
        else:
            status, reason = ("planned" if dry_run else "succeeded"), ("; ".join(notes) or None)
        results.add(plan.database, plan.table, name, LF_TAGS, status, reason, values=_ordered(column.want, keys),
                    finding_ids=wanted.finding_ids if wanted else [], source=_source(plan))  # fmt: skip


def _chunks(names: list[str]) -> list[list[str]]:
    return [names[i : i + LF_COLUMNS_PER_CALL] for i in range(0, len(names), LF_COLUMNS_PER_CALL)]


def _lf_write(
    lf: Any, operation: str, plan: _TablePlan, columns: list[str], tags: list[dict[str, Any]], config: CatalogTagging
) -> tuple[str, str | None]:
    """Add or remove LF-tags on columns: (status, reason), with the response's Failures as the reason."""
    method = lf.add_lf_tags_to_resource if operation == "AddLFTagsToResource" else lf.remove_lf_tags_from_resource
    what = f"columns of Glue table {plan.database}.{plan.table}"
    try:
        response = _call(method, Resource=_resource(plan, columns, config), LFTags=tags, **_extra(config))
    except Exception as exc:  # noqa: BLE001 - a refused call fails its columns; the run goes on
        return "failed", failure_reason(operation, what, exc)
    failures = response.get("Failures") or []
    if not failures:
        return "succeeded", None
    described = []
    for failure in failures:
        tag = failure.get("LFTag") or {}
        error = failure.get("Error") or {}
        message = redact(str(error.get("ErrorMessage") or ""))[:200]
        described.append(
            f"{tag.get('TagKey')}={','.join(tag.get('TagValues') or [])}: {error.get('ErrorCode')} {message}".strip()
        )
    return "failed", f"{operation} reported failures: {'; '.join(described)} (needs {_PERMISSIONS[operation]})"
