"""PostgreSQL tables read with Spark's JDBC source and scanned by the same engine as files.

A source is ``jdbc:postgresql://host[:port]/database?schema=public`` with optional ``tables=a,b`` (only these
tables), ``user=NAME``, and either ``password_env=VAR`` (default PIISCAN_JDBC_PASSWORD) or ``secret_id=ID`` (an
AWS Secrets Manager secret holding ``{"username": ..., "password": ...}``). A password is never accepted in the
URI or the configuration, and never written anywhere: not in logs, reasons, assets or runs.

On the driver, the schema's tables and column types are listed from ``information_schema`` (one small JDBC
query per source). Each table is then one JDBC read (``LIMIT rows_per_object + 1``, everything with
--full-scan) with every column cast to text in SQL, so no database type can break Spark's type mapping, and
the read is turned by ``mapInArrow`` into the same partial evidence rows (``PARTIAL_SCHEMA``) as
jobs/scan_task.py emits for a file; jobs/findings.py aggregates both alike.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import reduce
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pyarrow as pa
import pyarrow.compute as pc
from pyspark.sql import DataFrame, SparkSession

from classifiers.errors import ConfigError, SourceError
from classifiers.tally import ColumnTally
from jobs.config import Jdbc, ScanConfig
from jobs.planner import PlannedObject
from jobs.readers import ReadReport
from jobs.redaction import MAX_REASON_CHARS, redact, safe_reason
from jobs.scan_task import PARTIAL_SCHEMA, PLAN_SCHEMA, ColumnBatcher, asset_row, engine_for, evidence_rows
from jobs.tables import spark_ddl

SOURCE_KIND = "jdbc"
TABLE_FORMAT = "table"  # assets.format of a database table (in jobs.formats.STRUCTURED: column-level findings)
DATABASE_FORMAT = "database"  # assets.format of a JDBC source that could not be listed
DRIVER_CLASS = "org.postgresql.Driver"  # must be named: a jar from spark.jars is not found by DriverManager alone
DEFAULT_PORT = 5432
USER_ENV = "PIISCAN_JDBC_USER"
DEFAULT_PASSWORD_ENV = "PIISCAN_JDBC_PASSWORD"
_PREFIX = "jdbc:postgresql://"
_KEYS = ("schema", "tables", "user", "password_env", "secret_id")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_SECRET_ARN = re.compile(r"^arn:aws[\w-]*:secretsmanager:([a-z0-9-]+):")


@dataclass(frozen=True)
class JdbcSource:
    """A parsed JDBC source; it holds no credentials, only where to find them."""

    host: str
    port: int
    database: str
    schema: str = "public"
    tables: tuple[str, ...] = ()
    user: str | None = None
    password_env: str = DEFAULT_PASSWORD_ENV
    secret_id: str | None = None

    @property
    def url(self) -> str:
        """The JDBC URL the driver connects to (credentials go as separate options)."""
        return f"{_PREFIX}{self.host}:{self.port}/{self.database}"

    @property
    def display(self) -> str:
        """The canonical source URI recorded in runs.sources and logs: only names, never a credential."""
        query: list[tuple[str, str]] = [("schema", self.schema)]
        if self.tables:
            query.append(("tables", ",".join(self.tables)))
        if self.user:
            query.append(("user", self.user))
        if self.secret_id:
            query.append(("secret_id", self.secret_id))
        elif self.password_env != DEFAULT_PASSWORD_ENV:
            query.append(("password_env", self.password_env))
        return f"{self.url}?{urlencode(query, safe=',:/')}"

    def table_uri(self, table: str) -> str:
        """The asset URI of one table: ``jdbc:postgresql://host:port/database/schema.table``."""
        return f"{self.url}/{self.schema}.{table}"

    def table_name(self, table: str) -> str:
        """``database.schema.table``, as findings.table_name records it."""
        return f"{self.database}.{self.schema}.{table}"


@dataclass(frozen=True)
class Credentials:
    """A resolved user and password; the password is kept out of repr() so it cannot reach a log by accident."""

    user: str
    password: str = field(repr=False)


def is_jdbc(source: str) -> bool:
    """True for a ``jdbc:`` source."""
    return source.startswith("jdbc:")


def parse_source(uri: str) -> JdbcSource:
    """Parse a ``jdbc:postgresql://`` source URI; errors name the problem but never quote query values."""
    if not uri.startswith(_PREFIX):
        raise ConfigError(
            "unsupported JDBC source: only jdbc:postgresql://host[:port]/database?schema=NAME is supported"
        )
    parts = urlsplit(uri[len("jdbc:") :])
    if "@" in parts.netloc:
        raise ConfigError(
            "JDBC source: credentials are never accepted in the URI; give user= and password_env= or secret_id="
        )
    label = f"{_PREFIX}{parts.netloc}{parts.path}"
    try:
        port = parts.port or DEFAULT_PORT
    except ValueError:
        raise ConfigError(f"JDBC source {label}: the port is not a number") from None
    database = parts.path.removeprefix("/")
    if not parts.hostname or not database or "/" in database:
        raise ConfigError(f"JDBC source {label}: expected jdbc:postgresql://host[:port]/database?schema=NAME")
    if parts.fragment:
        raise ConfigError(f"JDBC source {label}: a '#' fragment is not allowed")
    options = _query_options(parts.query, label)
    tables = tuple(t.strip() for t in options.get("tables", "").split(",") if t.strip())
    password_env = options.get("password_env", DEFAULT_PASSWORD_ENV)
    if not _ENV_NAME.match(password_env):
        raise ConfigError(f"JDBC source {label}: password_env must name an environment variable")
    if "password_env" in options and "secret_id" in options:
        raise ConfigError(f"JDBC source {label}: give password_env= or secret_id=, not both")
    return JdbcSource(
        host=parts.hostname,
        port=port,
        database=database,
        schema=options.get("schema") or "public",
        tables=tables,
        user=options.get("user") or None,
        password_env=password_env,
        secret_id=options.get("secret_id") or None,
    )


def _query_options(query: str, label: str) -> dict[str, str]:
    pairs = parse_qsl(query, keep_blank_values=True)
    names = [name for name, _ in pairs]
    if "password" in names:
        raise ConfigError(
            f"JDBC source {label}: a password is never accepted in the URI; "
            f"set it in the environment variable named by password_env= (default {DEFAULT_PASSWORD_ENV}) "
            "or use secret_id="
        )
    unknown = sorted(set(names) - set(_KEYS))
    if unknown:
        raise ConfigError(f"JDBC source {label}: unknown option(s) {unknown}; valid options are: {sorted(_KEYS)}")
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ConfigError(f"JDBC source {label}: option(s) {repeated} given more than once")
    return dict(pairs)


def resolve_credentials(
    source: JdbcSource, environ: Mapping[str, str] | None = None, secrets_client: Any = None
) -> Credentials:
    """The user and password of ``source``: from ``secret_id`` (Secrets Manager) or the ``password_env`` variable.

    The user is ``user=`` from the URI, else the secret's ``username``, else PIISCAN_JDBC_USER.
    ``secrets_client`` replaces the boto3 Secrets Manager client (tests).
    """
    environ = os.environ if environ is None else environ
    secret_user: str | None = None
    if source.secret_id is not None:
        secret_user, password = _from_secret(source.secret_id, secrets_client)
    else:
        password = environ.get(source.password_env, "")
        if not password:
            raise SourceError(f"no password: environment variable {source.password_env} is not set or empty")
    user = source.user or secret_user or environ.get(USER_ENV)
    if not user:
        raise SourceError(f"no user: give user= in the source URI, a secret with a username, or set {USER_ENV}")
    return Credentials(user, password)


def _from_secret(secret_id: str, client: Any) -> tuple[str | None, str]:
    if client is None:
        import boto3  # only runs with a secret_id need it

        arn_region = _SECRET_ARN.match(secret_id)
        client = boto3.client("secretsmanager", region_name=arn_region.group(1) if arn_region else None)
    try:
        response = client.get_secret_value(SecretId=secret_id)
    except Exception as exc:  # noqa: BLE001 - botocore's errors carry the code and message, never the secret
        raise SourceError(f"cannot read secret {secret_id!r}: {safe_reason(exc)}") from None
    try:
        value = json.loads(response.get("SecretString") or "")
    except ValueError:
        value = None  # the decoder's message could quote the secret: say nothing about the content
    if not isinstance(value, dict) or not isinstance(value.get("password"), str) or not value["password"]:
        raise SourceError(f"secret {secret_id!r} is not a JSON object with a non-empty 'password' string")
    username = value.get("username")
    return (username if isinstance(username, str) and username else None), value["password"]


def column_type(data_type: str, udt_name: str | None) -> str:
    """The type recorded in findings.column_type: information_schema's ``data_type``, with names.

    User-defined types (enums, citext ...) and array element types are named by ``udt_name``, where ``data_type``
    only says ``USER-DEFINED`` and ``ARRAY``.
    """
    if data_type == "USER-DEFINED" and udt_name:
        return udt_name
    if data_type == "ARRAY" and udt_name:
        return f"{udt_name.removeprefix('_')}[]"
    return data_type


def quote_identifier(name: str) -> str:
    """A PostgreSQL identifier in double quotes, so any table or column name is read as written."""
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    """A PostgreSQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def listing_query(schema: str) -> str:
    """The tables of ``schema`` with their columns, in order (a table without visible columns has one null row).

    information_schema shows only the tables the user holds some privilege on.
    """
    return (
        "SELECT t.table_name AS table_name, c.column_name AS column_name, c.data_type AS data_type, "
        "c.udt_name AS udt_name, c.ordinal_position AS ordinal_position "
        "FROM information_schema.tables t LEFT JOIN information_schema.columns c "
        "ON c.table_schema = t.table_schema AND c.table_name = t.table_name "
        f"WHERE t.table_schema = {quote_literal(schema)} AND t.table_type = 'BASE TABLE'"
    )


def read_query(schema: str, table: str, columns: Sequence[str], limit: int | None) -> str:
    """The sample query of one table: every column cast to text, at most ``limit`` + 1 rows (None: all).

    The extra row tells a table that has more rows than the sample (assets.sampled) from one that has not.
    """
    selected = ", ".join(f"CAST({quote_identifier(c)} AS text) AS {quote_identifier(c)}" for c in columns)
    query = f"SELECT {selected} FROM {quote_identifier(schema)}.{quote_identifier(table)}"
    return query if limit is None else f"{query} LIMIT {limit + 1}"


@dataclass
class TablePlan:
    """What the JDBC sources of a run contribute: tables to read, their evidence frames, and what failed."""

    objects: list[PlannedObject] = field(default_factory=list)  # tables whose read resolved
    frames: list[DataFrame] = field(default_factory=list)  # their partial evidence (PARTIAL_SCHEMA)
    not_read: list[PlannedObject] = field(default_factory=list)  # sources or tables that failed, with reasons
    column_types: dict[tuple[str, str], str] = field(default_factory=dict)  # (table URI, column) -> type
    listed: int = 0

    def plan_frame(self, spark: SparkSession) -> DataFrame:
        """The planned tables as PLAN_SCHEMA rows, to join with the evidence like planned files."""
        # size_bytes is null: a table has no object size (bytes_scanned counts the text read instead).
        rows = [
            (o.uri, None, o.last_modified, o.region, o.dataset, o.source_kind, o.table_name, o.read_options)
            for o in self.objects
        ]
        return spark.createDataFrame(rows, spark_ddl(PLAN_SCHEMA))

    def partials(self) -> DataFrame | None:
        """The evidence of every planned table in one frame; None without tables."""
        return reduce(DataFrame.unionByName, self.frames) if self.frames else None


def plan_tables(spark: SparkSession, sources: Sequence[JdbcSource], config: ScanConfig, hash_key: bytes) -> TablePlan:
    """List each source's tables and prepare one sampled read per table; failures become recorded reasons."""
    plan = TablePlan()
    for source in sources:
        credentials: Credentials | None = None
        try:
            credentials = resolve_credentials(source)
            columns = list_columns(spark, source, credentials, config.jdbc)
        except Exception as exc:  # noqa: BLE001 - a source that cannot be listed is recorded; the run goes on
            reason = failure_reason(exc, credentials.password if credentials else None)
            plan.not_read.append(_not_read(source.display, source, None, reason, DATABASE_FORMAT))
            continue
        plan.listed += len(columns)
        for table in source.tables or sorted(columns):
            _plan_table(spark, source, credentials, table, columns.get(table), config, hash_key, plan)
    return plan


def _plan_table(
    spark: SparkSession,
    source: JdbcSource,
    credentials: Credentials,
    table: str,
    columns: list[tuple[str, str]] | None,
    config: ScanConfig,
    hash_key: bytes,
    plan: TablePlan,
) -> None:
    uri = source.table_uri(table)
    if not columns:
        reason = (
            f"table {source.schema}.{table} not found, or no privilege on it for this user"
            if columns is None
            else f"no column of table {source.schema}.{table} is visible to this user"
        )
        plan.not_read.append(_not_read(uri, source, table, reason, TABLE_FORMAT))
        return
    names = [name for name, _ in columns]
    limit = None if config.sampling.full_scan else config.sampling.rows_per_object
    try:
        # Spark resolves the query's schema here, on the driver: missing privileges fail now, table by table.
        frame = _reader(spark, source, credentials, config.jdbc, read_query(source.schema, table, names, limit))
    except Exception as exc:  # noqa: BLE001 - an unreadable table is an assets row with its reason
        plan.not_read.append(_not_read(uri, source, table, failure_reason(exc, credentials.password), TABLE_FORMAT))
        return
    scan = scan_table(config.raw, config.sampling.full_scan, hash_key, uri, names, limit)
    # One partition per table, so each table yields exactly one asset row.
    plan.frames.append(frame.coalesce(1).mapInArrow(scan, spark_ddl(PARTIAL_SCHEMA)))
    plan.objects.append(
        PlannedObject(uri, 0, None, None, uri, SOURCE_KIND, None, source.table_name(table), format=TABLE_FORMAT)
    )
    plan.column_types.update({(uri, name): type_ for name, type_ in columns})


def list_columns(
    spark: SparkSession, source: JdbcSource, credentials: Credentials, jdbc: Jdbc
) -> dict[str, list[tuple[str, str]]]:
    """Each table of the source's schema with its columns and their types, in column order."""
    rows = _reader(spark, source, credentials, jdbc, listing_query(source.schema)).collect()
    ordered = sorted(rows, key=lambda r: (r["table_name"], r["ordinal_position"] or 0))
    tables: dict[str, list[tuple[str, str]]] = {}
    for row in ordered:
        columns = tables.setdefault(row["table_name"], [])
        if row["column_name"] is not None:
            columns.append((row["column_name"], column_type(row["data_type"], row["udt_name"])))
    return tables


def _reader(spark: SparkSession, source: JdbcSource, credentials: Credentials, jdbc: Jdbc, query: str) -> DataFrame:
    return (
        spark.read.format("jdbc")
        .option("url", source.url)
        .option("driver", DRIVER_CLASS)
        .option("user", credentials.user)
        .option("password", credentials.password)
        .option("query", query)
        .option("fetchsize", str(jdbc.fetch_size))
        .load()
    )


def _not_read(uri: str, source: JdbcSource, table: str | None, reason: str, format_: str) -> PlannedObject:
    table_name = source.table_name(table) if table is not None else None
    return PlannedObject(uri, 0, None, None, uri, SOURCE_KIND, reason, table_name, "error", format=format_)


def failure_reason(exc: BaseException, password: str | None = None) -> str:
    """A one-line reason for a failed connection, listing or read, with values and the password redacted.

    Py4J errors start with "An error occurred while calling o75.load"; the JDBC driver's own message
    (``PSQLException: ERROR: permission denied for table t``) is the useful part. The password is replaced
    before the usual redaction, which would otherwise hide only parts of it.
    """

    def scrub(text: str) -> str:
        return text.replace(password, "<redacted>") if password else text

    # Same type name, scrubbed message: safe_reason then treats it like the original exception.
    reason = safe_reason(type(type(exc).__name__, (Exception,), {})(scrub(str(exc))))
    java = getattr(exc, "java_exception", None)
    if java is not None:
        try:
            while java.getCause() is not None and str(java.getClass().getName()).startswith("org.apache.spark"):
                java = java.getCause()
            text = scrub(str(java.toString())).strip().splitlines()[0]
        except Exception:  # noqa: BLE001 - the gateway may be gone; the generic reason is still right
            text = ""
        if text:
            name, _, message = text.partition(": ")
            reason = f"{name.rsplit('.', 1)[-1]}: {redact(message)}" if message else name.rsplit(".", 1)[-1]
    return reason[:MAX_REASON_CHARS]


def scan_table(
    raw_config: Mapping[str, Any],
    full_scan: bool,
    hash_key: bytes,
    uri: str,
    columns: Sequence[str],
    limit: int | None,
) -> Any:
    """The ``mapInArrow`` function scanning one table's rows (all text) into PARTIAL_SCHEMA rows.

    Emits the table's asset row and its column and entity rows, as jobs/scan_task.py does for a file; at most
    ``limit`` rows are scanned (the read fetched one more, to know whether the table has more).
    """
    names = list(columns)

    def scan(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        config, engine = engine_for(raw_config, full_scan, hash_key)
        started = time.monotonic()
        tallies: dict[str | None, ColumnTally] = {}
        batcher = ColumnBatcher(engine, tallies, config.reading.batch_rows)
        rows = nbytes = 0
        truncated = False
        status, reason = "scanned", None
        try:
            for batch in batches:
                if limit is not None and rows + batch.num_rows > limit:
                    batch, truncated = batch.slice(0, limit - rows), True
                rows += batch.num_rows
                for name, values in zip(batch.schema.names, batch.columns, strict=True):
                    nbytes += int(pc.sum(pc.binary_length(values)).as_py() or 0)
                    batcher.add(name, values)
            batcher.flush()
        except Exception as exc:  # noqa: BLE001 - recorded as the table's reason; evidence so far is kept
            status, reason = "error", safe_reason(exc)
        # bytes_read: UTF-8 bytes of the values read as text
        report = ReadReport(TABLE_FORMAT, None, rows, nbytes, truncated, columns=names)
        asset = asset_row(uri, report, status, reason, started)
        yield pa.RecordBatch.from_pylist([asset, *evidence_rows(uri, tallies, engine)], schema=PARTIAL_SCHEMA)

    return scan
