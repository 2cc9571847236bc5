"""Database tables (PostgreSQL, MySQL, MariaDB) read with Spark's JDBC source and scanned like files.

A source is ``jdbc:postgresql://host[:port]/database?schema=public``, or ``jdbc:mysql://host[:port]/database`` /
``jdbc:mariadb://host[:port]/database`` (the database is the schema), with optional ``tables=a,b`` (only these
tables), ``user=NAME``, either ``password_env=VAR`` (default PIISCAN_JDBC_PASSWORD) or ``secret_id=ID`` (an AWS
Secrets Manager secret holding ``{"username": ..., "password": ...}``), ``partition_column=COLUMN`` (an integer
column that splits a --full-scan read of each table having it into ``jdbc.partitions`` Spark tasks) and
``watermark=COLUMN`` (a monotonically increasing column, such as ``updated_at``, whose maximum is the change
marker of each table having it). A password is never accepted in the URI or the configuration, and never
written anywhere: not in logs, reasons, assets or runs. What differs between databases is in jobs/jdbc_dialects.py.

On the driver, the schema's tables, column types and table statistics are listed in one small JDBC query per
source; a second one, only when ``watermark=`` or a partitioned full read asks for it, reads each table's
watermark maximum and partition bounds (one UNION ALL query, table by table if that fails). Each table is then
one JDBC read with every column cast to text in SQL, so no database type can break Spark's type mapping, turned by
``mapInArrow`` into the same partial evidence rows (``PARTIAL_SCHEMA``) as jobs/scan_task.py emits for a file;
jobs/findings.py aggregates both alike.

Sampling reads ``LIMIT rows_per_object + 1`` rows in one partition: the server stops after that many rows, the
same rows come back run after run (findings and incremental runs stay stable), and the extra row says whether
the table has more (assets.sampled). PostgreSQL's ``TABLESAMPLE SYSTEM (p)`` was not taken: it returns whole
random pages, so its size is bounded only through a percentage derived from ``pg_class.reltuples`` (-1 or stale
until the table is analysed: a small new table may return no row at all), it still needs the LIMIT to be
bounded, and its sample changes every run. With --full-scan everything is read: in one partition, or, with
``partition_column=``, in ``jdbc.partitions`` ranges between the column's MIN and MAX (Spark's
partitionColumn/lowerBound/upperBound/numPartitions; NULLs go to the first range). Each range is scanned by its
own task and the per-range asset rows are summed into the table's one asset row, so findings are the same as
those of a single-partition read (the masked samples kept per range can differ on tables with many matches).

Every planned table carries a change marker (PlannedObject.change_marker) for incremental runs: with
``watermark=COLUMN``, ``watermark:COLUMN=<its maximum as text>`` (the only data value a marker ever holds, so the
column must not be sensitive: a timestamp or an id); otherwise the table statistics the dialect knows
(jobs/jdbc_dialects.py); None, and the table is always read, when neither is usable.
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import reduce
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pyarrow as pa
import pyarrow.compute as pc
from pyspark.sql import DataFrame, SparkSession

from classifiers.errors import ConfigError, SourceError
from classifiers.tally import ColumnTally
from jobs.config import Jdbc, ScanConfig
from jobs.jdbc_dialects import DIALECTS, INTEGER_TYPES, PARTITION_ALIAS, Dialect, dialect_of, watermark_marker
from jobs.planner import PlannedObject
from jobs.readers import ReadReport
from jobs.redaction import MAX_REASON_CHARS, redact, safe_reason
from jobs.scan_task import PARTIAL_SCHEMA, ColumnBatcher, RunKeys, asset_row, engine_for, evidence_rows
from jobs.tables import spark_ddl

LOG = logging.getLogger(__name__)

SOURCE_KIND = "jdbc"
TABLE_FORMAT = "table"  # assets.format of a database table (in jobs.formats.STRUCTURED: column-level findings)
DATABASE_FORMAT = "database"  # assets.format of a JDBC source that could not be listed
USER_ENV = "PIISCAN_JDBC_USER"
DEFAULT_PASSWORD_ENV = "PIISCAN_JDBC_PASSWORD"
AGGREGATE_CHUNK = 100  # tables per watermark / partition-bounds query
_KEYS = ("schema", "tables", "user", "password_env", "secret_id", "partition_column", "watermark")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_SECRET_ARN = re.compile(r"^arn:aws[\w-]*:secretsmanager:([a-z0-9-]+):")
_CONNECTION_ID = re.compile(r"^\(conn=\d+\) ")  # MariaDB Connector/J's message prefix, different every run


def _usage(dialect: Dialect, scheme: str) -> str:
    return f"{scheme}host[:port]/database" + ("?schema=NAME" if dialect.has_schemas else "")


SUPPORTED = ", ".join(_usage(d, scheme) for d in DIALECTS for scheme in d.schemes)


@dataclass(frozen=True)
class JdbcSource:
    """A parsed JDBC source; it holds no credentials, only where to find them."""

    host: str
    port: int
    database: str
    schema: str = "public"  # MySQL/MariaDB: the database
    tables: tuple[str, ...] = ()
    user: str | None = None
    password_env: str = DEFAULT_PASSWORD_ENV
    secret_id: str | None = None
    scheme: str = "jdbc:postgresql://"  # as the source names it: jdbc:postgresql://, jdbc:mysql:// or jdbc:mariadb://
    partition_column: str | None = None
    watermark: str | None = None

    @property
    def dialect(self) -> Dialect:
        """The database family (jobs/jdbc_dialects.py)."""
        dialect = dialect_of(self.scheme)
        if dialect is None:
            raise ConfigError(f"unsupported JDBC source: supported are {SUPPORTED}")
        return dialect

    @property
    def url(self) -> str:
        """The source's URL as the user names it (assets, runs and logs show this one)."""
        return f"{self.scheme}{self.host}:{self.port}/{self.database}"

    @property
    def driver_url(self) -> str:
        """The JDBC URL the driver connects to (credentials go as separate options)."""
        return self.dialect.driver_url(self.host, self.port, self.database)

    @property
    def display(self) -> str:
        """The canonical source URI recorded in runs.sources and logs: only names, never a credential."""
        query: list[tuple[str, str]] = [("schema", self.schema)] if self.dialect.has_schemas else []
        if self.tables:
            query.append(("tables", ",".join(self.tables)))
        if self.user:
            query.append(("user", self.user))
        if self.secret_id:
            query.append(("secret_id", self.secret_id))
        elif self.password_env != DEFAULT_PASSWORD_ENV:
            query.append(("password_env", self.password_env))
        if self.partition_column:
            query.append(("partition_column", self.partition_column))
        if self.watermark:
            query.append(("watermark", self.watermark))
        return f"{self.url}?{urlencode(query, safe=',:/')}" if query else self.url

    def table_uri(self, table: str) -> str:
        """The asset URI of one table: ``jdbc:postgresql://host:port/database/schema.table``.

        For MySQL and MariaDB: ``jdbc:mysql://host:port/database/table`` (or ``jdbc:mariadb://``, as given).
        """
        return f"{self.url}/{self.schema}.{table}" if self.dialect.has_schemas else f"{self.url}/{table}"

    def table_name(self, table: str) -> str:
        """``database.schema.table`` (PostgreSQL) or ``database.table`` (MySQL, MariaDB), as findings record it."""
        return f"{self.database}.{self.schema}.{table}" if self.dialect.has_schemas else f"{self.database}.{table}"


@dataclass(frozen=True)
class Credentials:
    """A resolved user and password; the password is kept out of repr() so it cannot reach a log by accident."""

    user: str
    password: str = field(repr=False)


def is_jdbc(source: str) -> bool:
    """True for a ``jdbc:`` source."""
    return source.startswith("jdbc:")


def parse_source(uri: str) -> JdbcSource:
    """Parse a ``jdbc:`` source URI; errors name the problem but never quote query values."""
    dialect = dialect_of(uri)
    if dialect is None:
        raise ConfigError(f"unsupported JDBC source: supported are {SUPPORTED}")
    scheme = next(s for s in dialect.schemes if uri.startswith(s))
    parts = urlsplit(uri[len("jdbc:") :])
    if "@" in parts.netloc:
        raise ConfigError(
            "JDBC source: credentials are never accepted in the URI; give user= and password_env= or secret_id="
        )
    label = f"{scheme}{parts.netloc}{parts.path}"
    try:
        port = parts.port or dialect.default_port
    except ValueError:
        raise ConfigError(f"JDBC source {label}: the port is not a number") from None
    database = parts.path.removeprefix("/")
    if not parts.hostname or not database or "/" in database:
        raise ConfigError(f"JDBC source {label}: expected {_usage(dialect, scheme)}")
    if parts.fragment:
        raise ConfigError(f"JDBC source {label}: a '#' fragment is not allowed")
    options = _query_options(parts.query, label)
    if "schema" in options and not dialect.has_schemas:
        raise ConfigError(f"JDBC source {label}: the database is the schema in {dialect.label}; leave out schema=")
    tables = tuple(t.strip() for t in options.get("tables", "").split(",") if t.strip())
    password_env = options.get("password_env", DEFAULT_PASSWORD_ENV)
    if not _ENV_NAME.match(password_env):
        raise ConfigError(f"JDBC source {label}: password_env must name an environment variable")
    if "password_env" in options and "secret_id" in options:
        raise ConfigError(f"JDBC source {label}: give password_env= or secret_id=, not both")
    for key in ("partition_column", "watermark"):
        if key in options and not options[key].strip():
            raise ConfigError(f"JDBC source {label}: {key}= must name a column")
    return JdbcSource(
        host=parts.hostname,
        port=port,
        database=database,
        schema=(options.get("schema") or "public") if dialect.has_schemas else database,
        tables=tables,
        user=options.get("user") or None,
        password_env=password_env,
        secret_id=options.get("secret_id") or None,
        scheme=scheme,
        partition_column=options.get("partition_column", "").strip() or None,
        watermark=options.get("watermark", "").strip() or None,
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


@dataclass(frozen=True)
class TableListing:
    """One listed table: its visible columns with their types, in order, and its statistics' change marker."""

    columns: tuple[tuple[str, str], ...] = ()
    marker: str | None = None


@dataclass(frozen=True)
class TableAggregates:
    """What the aggregates query found for one table, as text: the watermark maximum and partition bounds."""

    watermark_max: str | None = None
    low: str | None = None
    high: str | None = None


@dataclass
class TablePlan:
    """What the JDBC sources of a run contribute: tables to read, their evidence frames, and what failed."""

    objects: list[PlannedObject] = field(default_factory=list)  # tables to read
    # Per table of ``objects``, what builds its evidence frame (PARTIAL_SCHEMA); ``build`` turns them into ``frames``
    # a group at a time, as each frame holds its read's plan on the driver (1,000 filled a 1 GB heap).
    reads: list[Callable[[], DataFrame]] = field(default_factory=list)
    frames: list[DataFrame] = field(default_factory=list)
    not_read: list[PlannedObject] = field(default_factory=list)  # sources or tables that failed, with reasons
    column_types: dict[tuple[str, str], str] = field(default_factory=dict)  # (table URI, column) -> type
    listed: int = 0
    # Table URI -> its source's password, only to scrub it from the reason of a read that fails (never written).
    passwords: dict[str, str] = field(default_factory=dict, repr=False)

    def partials(self) -> DataFrame | None:
        """The evidence of every planned table in one frame; None without tables.

        Unioned pairwise, as a balanced tree: each union analyses the plan under it, so unioning the frames one
        after the other costs time quadratic in the number of tables (100 tables: 5.8 s).
        """
        frames = list(self.frames)
        while len(frames) > 1:
            frames = [reduce(DataFrame.unionByName, frames[i : i + 2]) for i in range(0, len(frames), 2)]
        return frames[0] if frames else None

    def group(self, start: int, size: int) -> TablePlan:
        """The tables ``start`` to ``start + size`` (and their reads) as a plan of their own, with no failures yet."""
        end = start + size
        return TablePlan(objects=self.objects[start:end], reads=self.reads[start:end], passwords=self.passwords)

    def build(self) -> None:
        """Build the planned tables' frames; a table whose read cannot even be planned moves to ``not_read``.

        Spark resolves each read's schema on the driver here: a table the user may not read fails now, table by
        table, with the database's reason.
        """
        objects: list[PlannedObject] = []
        for table, read in zip(self.objects, self.reads, strict=True):
            try:
                self.frames.append(read())
            except Exception as exc:  # noqa: BLE001 - an unreadable table is an assets row with its reason
                self._fail(table, failure_reason(exc, self.passwords.get(table.uri)))
                continue
            objects.append(table)
        self.objects, self.reads = objects, []

    def _fail(self, table: PlannedObject, reason: str) -> None:
        """Record ``table`` as not read, with ``reason`` and no change marker (the next run reads it again)."""
        self.not_read.append(replace(table, reason=reason[:MAX_REASON_CHARS], status="error", change_marker=None))

    def failure_reason(self, exc: BaseException) -> str:
        """failure_reason of ``exc`` with every source's password scrubbed, for a failure of no known table."""
        return failure_reason(exc, *set(self.passwords.values()))

    def drop_failed_reads(self) -> None:
        """Read each planned table on its own and move those whose read fails to ``not_read``.

        A table can still fail once planned: a row the server cannot return (a policy or view function that
        raises, say), or a table dropped or locked since it was listed. Its failed task fails the Spark job of
        its whole group (jobs/scan.py), so after such a failure the scan job asks here which tables to leave out.
        The tables that read are kept persisted, so the scan that follows reads each of them once more at most.
        """
        kept: list[tuple[PlannedObject, DataFrame]] = []
        for number, (table, frame) in enumerate(zip(self.objects, self.frames, strict=True), start=1):
            LOG.info("checking table %d of %d on its own: %s", number, len(self.objects), table.uri)
            frame = frame.persist()
            try:
                frame.count()
            except Exception as exc:  # noqa: BLE001 - the table's read failed; it is recorded with its reason
                frame.unpersist()
                reason = f"read failed once planned: {failure_reason(exc, self.passwords.get(table.uri))}"
                LOG.warning("%s: %s", table.uri, reason)
                self._fail(table, reason)
                continue
            kept.append((table, frame))
        self.objects = [table for table, _ in kept]
        self.frames = [frame for _, frame in kept]


def plan_tables(spark: SparkSession, sources: Sequence[JdbcSource], config: ScanConfig, keys: RunKeys) -> TablePlan:
    """List each source's tables and prepare one read per table; failures become recorded reasons."""
    plan = TablePlan()
    for source in sources:
        credentials: Credentials | None = None
        try:
            credentials = resolve_credentials(source)
            listing = list_tables(spark, source, credentials, config.jdbc)
        except Exception as exc:  # noqa: BLE001 - a source that cannot be listed is recorded; the run goes on
            reason = failure_reason(exc, credentials.password if credentials else None)
            plan.not_read.append(_not_read(source.display, source, None, reason, DATABASE_FORMAT))
            continue
        plan.listed += len(listing)
        names = source.tables or sorted(listing)
        requests = aggregate_requests(source, listing, names, config.sampling.full_scan)
        aggregates = table_aggregates(spark, source, credentials, config.jdbc, requests) if requests else {}
        for table in names:
            _plan_table(
                spark, source, credentials, table, listing.get(table), aggregates.get(table), config, keys, plan
            )
    return plan


def aggregate_requests(
    source: JdbcSource, listing: Mapping[str, TableListing], names: Sequence[str], full_scan: bool
) -> list[tuple[str, str | None, str | None]]:
    """The tables whose watermark maximum or partition bounds are needed: (table, watermark, partition column).

    The watermark applies to the tables that have the column; partitioning to the tables that have it as an
    integer column, and only with --full-scan.
    """
    requests = []
    for table in names:
        columns = dict(listing[table].columns) if table in listing else {}
        watermark = source.watermark if source.watermark in columns else None
        partition = None
        if full_scan and source.partition_column in columns:
            if columns[source.partition_column].removesuffix(" unsigned") in INTEGER_TYPES:
                partition = source.partition_column
            else:
                LOG.warning(
                    "%s: partition column %s is %s, not an integer: read in one partition",
                    source.table_uri(table),
                    source.partition_column,
                    columns[source.partition_column],
                )
        if watermark or partition:
            requests.append((table, watermark, partition))
    return requests


def table_aggregates(
    spark: SparkSession,
    source: JdbcSource,
    credentials: Credentials,
    jdbc: Jdbc,
    requests: Sequence[tuple[str, str | None, str | None]],
) -> dict[str, TableAggregates]:
    """The watermark maxima and partition bounds of ``requests``, in one UNION ALL query per AGGREGATE_CHUNK tables.

    When a chunk fails (a table the user may not read, say), its tables are asked one by one; a table whose own
    query fails is left out: it gets no watermark marker and one partition, and its read records the reason.
    """
    found: dict[str, TableAggregates] = {}
    chunks = [list(requests[i : i + AGGREGATE_CHUNK]) for i in range(0, len(requests), AGGREGATE_CHUNK)]
    while chunks:
        chunk = chunks.pop()
        query = source.dialect.aggregates_query(source.schema, [(i, t, w, p) for i, (t, w, p) in enumerate(chunk)])
        try:
            rows = _reader(spark, source, credentials, jdbc, query=query).collect()
        except Exception as exc:  # noqa: BLE001 - narrowed down below; the reads record what really fails
            if len(chunk) > 1:
                chunks.extend([request] for request in chunk)
            else:
                LOG.warning(
                    "%s: no watermark or partition bounds: %s",
                    source.table_uri(chunk[0][0]),
                    failure_reason(exc, credentials.password),
                )
            continue
        for row in rows:
            found[chunk[int(row["table_index"])][0]] = TableAggregates(
                row["watermark_max"], row["partition_low"], row["partition_high"]
            )
    return found


def _plan_table(
    spark: SparkSession,
    source: JdbcSource,
    credentials: Credentials,
    table: str,
    listing: TableListing | None,
    aggregates: TableAggregates | None,
    config: ScanConfig,
    keys: RunKeys,
    plan: TablePlan,
) -> None:
    uri = source.table_uri(table)
    if listing is None or not listing.columns:
        reason = (
            f"table {source.schema}.{table} not found, or no privilege on it for this user"
            if listing is None
            else f"no column of table {source.schema}.{table} is visible to this user"
        )
        plan.not_read.append(_not_read(uri, source, table, reason, TABLE_FORMAT))
        return
    names = [name for name, _ in listing.columns]
    limit = None if config.sampling.full_scan else config.sampling.rows_per_object

    def read() -> DataFrame:
        frame = table_frame(spark, source, credentials, config.jdbc, table, names, limit, aggregates)
        scan = scan_table(config.raw, config.sampling.full_scan, keys, uri, names, limit)
        if _ranged(source, limit, aggregates):
            # Each range is scanned by its own task; one small task then sums their asset rows into the table's one.
            partials = frame.mapInArrow(scan, spark_ddl(PARTIAL_SCHEMA))
            return partials.repartition(1).mapInArrow(merge_table_assets, spark_ddl(PARTIAL_SCHEMA))
        # One partition per table, so each table yields exactly one asset row.
        return frame.coalesce(1).mapInArrow(scan, spark_ddl(PARTIAL_SCHEMA))

    plan.reads.append(read)
    marker = listing.marker
    if source.watermark and aggregates is not None and source.watermark in dict(listing.columns):
        marker = watermark_marker(source.watermark, aggregates.watermark_max)
    plan.objects.append(
        PlannedObject(
            uri,
            0,
            None,
            None,
            uri,
            SOURCE_KIND,
            None,
            source.table_name(table),
            format=TABLE_FORMAT,
            change_marker=marker,
        )
    )
    plan.column_types.update({(uri, name): type_ for name, type_ in listing.columns})
    plan.passwords[uri] = credentials.password


def table_frame(
    spark: SparkSession,
    source: JdbcSource,
    credentials: Credentials,
    jdbc: Jdbc,
    table: str,
    names: Sequence[str],
    limit: int | None,
    aggregates: TableAggregates | None = None,
) -> DataFrame:
    """The read of one table, every column as text.

    A bounded sample (``limit``), the whole table in one partition, or, with partition bounds and no limit, the
    whole table in up to ``jdbc.partitions`` ranges.
    """
    dialect = source.dialect
    if _ranged(source, limit, aggregates) and source.partition_column and aggregates and aggregates.low is not None:
        dbtable = dialect.partitioned_table(source.schema, table, names, source.partition_column)
        return _reader(
            spark,
            source,
            credentials,
            jdbc,
            dbtable=dbtable,
            partitionColumn=PARTITION_ALIAS,
            lowerBound=str(int(aggregates.low)),
            upperBound=str(int(aggregates.high or aggregates.low)),
            numPartitions=str(jdbc.partitions),
        ).drop(PARTITION_ALIAS)
    return _reader(spark, source, credentials, jdbc, query=dialect.read_query(source.schema, table, names, limit))


def _ranged(source: JdbcSource, limit: int | None, aggregates: TableAggregates | None) -> bool:
    """Whether a table's read is split into ranges: a full read with a partition column that has values."""
    return limit is None and bool(source.partition_column) and aggregates is not None and aggregates.low is not None


def list_tables(
    spark: SparkSession, source: JdbcSource, credentials: Credentials, jdbc: Jdbc
) -> dict[str, TableListing]:
    """Each table of the source's schema with its columns and their types, in column order, and its marker."""
    dialect = source.dialect
    options = {"query": dialect.listing_query(source.schema)}
    if dialect.session_init:
        options["sessionInitStatement"] = dialect.session_init
    rows = [row.asDict() for row in _reader(spark, source, credentials, jdbc, **options).collect()]
    return tables_of(dialect, rows)


def tables_of(dialect: Dialect, rows: Sequence[Mapping[str, Any]]) -> dict[str, TableListing]:
    """The listing query's rows (one per table and column) as TableListings."""
    ordered = sorted(rows, key=lambda r: (r["table_name"], r["ordinal_position"] or 0))
    columns: dict[str, list[tuple[str, str]]] = {}
    markers: dict[str, str | None] = {}
    for row in ordered:
        columns.setdefault(row["table_name"], [])
        markers.setdefault(row["table_name"], dialect.marker(row))
        if row["column_name"] is not None:
            columns[row["table_name"]].append((row["column_name"], dialect.column_type(row)))
    return {table: TableListing(tuple(cols), markers[table]) for table, cols in columns.items()}


def _reader(spark: SparkSession, source: JdbcSource, credentials: Credentials, jdbc: Jdbc, **options: str) -> DataFrame:
    reader = (
        spark.read.format("jdbc")
        .option("url", source.driver_url)
        .option("driver", source.dialect.driver_class)
        .option("user", credentials.user)
        .option("password", credentials.password)
        .option("fetchsize", str(jdbc.fetch_size))
    )
    for name, value in options.items():
        reader = reader.option(name, value)
    return reader.load()


def _not_read(uri: str, source: JdbcSource, table: str | None, reason: str, format_: str) -> PlannedObject:
    table_name = source.table_name(table) if table is not None else None
    return PlannedObject(uri, 0, None, None, uri, SOURCE_KIND, reason, table_name, "error", format=format_)


def failure_reason(exc: BaseException, *passwords: str | None) -> str:
    """A one-line reason for a failed connection, listing or read, with values and the password redacted.

    Py4J errors start with "An error occurred while calling o75.load"; the JDBC driver's own message
    (``PSQLException: ERROR: permission denied for table t``) is the useful part. The password is replaced
    before the usual redaction, which would otherwise hide only parts of it.
    """

    def scrub(text: str) -> str:
        for password in passwords:
            text = text.replace(password, "<redacted>") if password else text
        return text

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
            message = _CONNECTION_ID.sub("", message)
            reason = f"{name.rsplit('.', 1)[-1]}: {redact(message)}" if message else name.rsplit(".", 1)[-1]
    return reason[:MAX_REASON_CHARS]


def scan_table(
    raw_config: Mapping[str, Any],
    full_scan: bool,
    keys: RunKeys,
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
        config, engine = engine_for(raw_config, full_scan, keys)
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
                for values in batch.columns:
                    nbytes += int(pc.sum(pc.binary_length(values)).as_py() or 0)
                batcher.add_columns(zip(batch.schema.names, batch.columns, strict=True))
            batcher.flush()
        except Exception as exc:  # noqa: BLE001 - recorded as the table's reason; evidence so far is kept
            status, reason = "error", safe_reason(exc)
        # bytes_read: UTF-8 bytes of the values read as text
        report = ReadReport(TABLE_FORMAT, None, rows, nbytes, truncated, columns=names)
        report.sampling = f"first {limit} rows" if truncated else None
        asset = asset_row(uri, report, status, reason, started, batcher.detect_seconds)
        yield pa.RecordBatch.from_pylist([asset, *evidence_rows(uri, tallies, engine)], schema=PARTIAL_SCHEMA)

    return scan


def merge_table_assets(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """The ``mapInArrow`` function summing the asset rows of a table's ranges into one; evidence rows pass through.

    Runs over one partition holding the partials of all the ranges: rows, bytes and durations are summed, the
    first error wins.
    """
    assets: list[dict[str, Any]] = []
    for batch in batches:
        is_asset = pc.equal(batch.column("kind"), "asset")
        assets += batch.filter(is_asset).to_pylist()
        others = batch.filter(pc.invert(is_asset))
        if others.num_rows:
            yield others
    if not assets:
        return
    errors = [a for a in assets if a["status"] != "scanned"]
    merged = {
        **(errors[0] if errors else assets[0]),
        "rows_scanned": sum(a["rows_scanned"] or 0 for a in assets),
        "bytes_scanned": sum(a["bytes_scanned"] or 0 for a in assets),
        "truncated": any(a["truncated"] for a in assets),
        "duration_ms": sum(a["duration_ms"] or 0 for a in assets),
        "detect_ms": None if all(a["detect_ms"] is None for a in assets) else sum(a["detect_ms"] or 0 for a in assets),
    }
    yield pa.RecordBatch.from_pylist([merged], schema=PARTIAL_SCHEMA)
