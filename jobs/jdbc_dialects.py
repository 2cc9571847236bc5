"""Everything that differs between the database families a JDBC source can name, in one place.

A :class:`Dialect` holds a family's URI schemes, driver, identifier quoting, cast to text, listing query and how
its table statistics become a change marker; jobs/jdbc_source.py holds no per-database branch.

PostgreSQL: the listing joins ``pg_stat_user_tables``; its cumulative counters ``n_tup_ins``, ``n_tup_upd``,
``n_tup_del`` and the ``n_live_tup`` estimate (which a TRUNCATE resets) make the marker. Backends send their
counters to the statistics system when they go idle, at most once a second and at the latest ten seconds
later (PostgreSQL 15), so a marker may lag behind a commit: it then changes on a later run, never in the
wrong direction, because the marker is taken before the table is read and the counters only grow (a
statistics reset changes it too, which only costs a rescan).

MySQL / MariaDB: the listing joins ``information_schema.TABLES``. Measured on MariaDB 10.11 with InnoDB:
``UPDATE_TIME`` moves on every committed INSERT, UPDATE and DELETE (not on a rollback, a no-op UPDATE or a
TRUNCATE), with one-second precision, and is kept in memory only (NULL after a restart until the next write);
``TABLE_ROWS`` follows inserts and deletes (an estimate on big tables) and drops to 0 on a TRUNCATE;
``CHECKSUM`` is NULL on InnoDB (a live checksum only on MyISAM/Aria tables created with CHECKSUM=1, used when
present). The marker is ``TABLE_ROWS``, ``UPDATE_TIME``, ``CREATE_TIME`` and the checksum; it is None (the table
is always read) when ``UPDATE_TIME`` is NULL or in the server's current second (set at commit, it would not move
for a write later in that same second) and there is no checksum. MySQL 8 caches these columns for a day
(``information_schema_stats_expiry``): the listing sets it to 0 for its session with a MySQL-only executable
comment, which MariaDB ignores.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# Rows of the listing query hold: table_name, column_name, data_type, type_detail, ordinal_position, and the
# dialect's own statistics columns read by its ``marker``.
Row = Mapping[str, Any]


@dataclass(frozen=True)
class Dialect:
    """One database family: how to name it, connect to it, list it, read it and tell whether it changed."""

    name: str  # the family, e.g. "postgresql"
    label: str  # for messages and docs: "PostgreSQL"
    schemes: tuple[str, ...]  # accepted source URI prefixes
    default_port: int
    driver_class: str  # must be named: a jar from spark.jars is not found by DriverManager alone
    driver_prefix: str  # the scheme of the URL given to the driver (and to Spark, which picks its dialect by it)
    driver_options: str  # appended to the driver URL
    jar_key: str  # the jdbc configuration key naming the driver jar
    jar_package: str  # the Debian package shipping it
    has_schemas: bool  # False: the database is the schema (MySQL)
    quote_char: str
    text_type: str  # CAST(column AS <text_type>)
    listing_sql: str  # {schema}: the schema as a literal
    marker: Callable[[Row], str | None]  # the change marker of a table from its listing row
    column_type: Callable[[Row], str]  # findings.column_type from a listing row
    session_init: str | None = None  # sessionInitStatement of the listing read

    def quote(self, name: str) -> str:
        """An identifier in the dialect's quotes, so any table or column name is read as written."""
        q = self.quote_char
        return q + name.replace(q, q + q) + q

    def literal(self, value: str) -> str:
        """A string literal (PostgreSQL's standard_conforming_strings; only used where no other form fits)."""
        return "'" + value.replace("'", "''") + "'"

    def driver_url(self, host: str, port: int, database: str) -> str:
        """The URL the driver connects to (credentials go as separate options)."""
        return f"{self.driver_prefix}{host}:{port}/{database}{self.driver_options}"

    def listing_query(self, schema: str) -> str:
        """The tables of ``schema`` with their columns and statistics (a table without columns: one null row)."""
        return self.listing_sql.format(schema=self.literal(schema))

    def table_ref(self, schema: str, table: str) -> str:
        """A table named for SQL: ``schema.table`` (the database is the schema in MySQL, so the same form)."""
        return f"{self.quote(schema)}.{self.quote(table)}"

    def as_text(self, expression: str) -> str:
        """``expression`` cast to the dialect's text type."""
        return f"CAST({expression} AS {self.text_type})"

    def read_query(self, schema: str, table: str, columns: Sequence[str], limit: int | None) -> str:
        """The sample query of one table: every column cast to text, at most ``limit`` + 1 rows (None: all).

        The extra row tells a table that has more rows than the sample (assets.sampled) from one that has not.
        """
        selected = ", ".join(f"{self.as_text(self.quote(c))} AS {self.quote(c)}" for c in columns)
        query = f"SELECT {selected} FROM {self.table_ref(schema, table)}"
        return query if limit is None else f"{query} LIMIT {limit + 1}"

    def partitioned_table(self, schema: str, table: str, columns: Sequence[str], partition_column: str) -> str:
        """The ``dbtable`` of a partitioned full read (Spark cannot partition a ``query``).

        The text columns plus the raw partition column as PARTITION_ALIAS, which Spark's partitionColumn ranges
        filter on.
        """
        selected = ", ".join(f"{self.as_text(self.quote(c))} AS {self.quote(c)}" for c in columns)
        return (
            f"(SELECT {selected}, {self.quote(partition_column)} AS {PARTITION_ALIAS} "
            f"FROM {self.table_ref(schema, table)}) piiscan_read"
        )

    def aggregates_query(self, schema: str, tables: Sequence[tuple[int, str, str | None, str | None]]) -> str:
        """One query for several (index, table, watermark column, partition column): their aggregates as text.

        Per table: the index, the watermark's maximum and the partition column's bounds (NULL where not asked).

        Tables are named by their index in the caller's list, so no name has to be written as a literal.
        """
        parts = []
        for index, table, watermark, partition in tables:
            watermark_max = self.as_text(f"MAX({self.quote(watermark)})") if watermark else "NULL"
            low = self.as_text(f"MIN({self.quote(partition)})") if partition else "NULL"
            high = self.as_text(f"MAX({self.quote(partition)})") if partition else "NULL"
            parts.append(
                f"SELECT {index} AS table_index, {watermark_max} AS watermark_max, {low} AS partition_low, "
                f"{high} AS partition_high FROM {self.table_ref(schema, table)}"
            )
        return " UNION ALL ".join(parts)


PARTITION_ALIAS = "piiscan_partition_key"  # lower case and unquoted-safe in every dialect

# Integer types a partitioned read accepts (information_schema data_type, lower case).
INTEGER_TYPES = frozenset(
    {"smallint", "integer", "bigint", "int", "tinyint", "mediumint", "serial", "bigserial", "smallserial"}
)


def watermark_marker(column: str, value: str | None) -> str | None:
    """``watermark:<column>=<max>``; None when the table has no value in the column (always read)."""
    return None if value is None else f"watermark:{column}={value}"


def _pg_column_type(row: Row) -> str:
    # information_schema's data_type, except that user-defined types (enums, citext ...) and array element types
    # are named by udt_name, where data_type only says USER-DEFINED and ARRAY.
    data_type: str = row["data_type"]
    udt_name: str | None = row["type_detail"]
    if data_type == "USER-DEFINED" and udt_name:
        return udt_name
    if data_type == "ARRAY" and udt_name:
        return f"{udt_name.removeprefix('_')}[]"
    return data_type


def _pg_marker(row: Row) -> str | None:
    counters = [row.get(name) for name in ("n_tup_ins", "n_tup_upd", "n_tup_del", "n_live_tup")]
    if any(value is None for value in counters):
        return None  # no statistics row (e.g. a table of another kind): always read
    ins, upd, dele, live = counters
    return f"pg_stat:ins={ins},upd={upd},del={dele},live={live}"


def _mariadb_column_type(row: Row) -> str:
    # DATA_TYPE (varchar, int, decimal ...), like PostgreSQL's data_type without length; "unsigned" kept.
    data_type = str(row["data_type"]).lower()
    detail = str(row.get("type_detail") or "").lower()
    return f"{data_type} unsigned" if " unsigned" in detail else data_type


def _mariadb_marker(row: Row) -> str | None:
    checksum = row.get("checksum")
    settled = bool(row.get("stats_settled"))
    if checksum is None and not settled:
        return None
    marker = (
        f"mariadb_stats:rows={row.get('table_rows')},updated={row.get('update_time')},created={row.get('create_time')}"
    )
    return marker if checksum is None else f"{marker},checksum={checksum}"


POSTGRESQL = Dialect(
    name="postgresql",
    label="PostgreSQL",
    schemes=("jdbc:postgresql://",),
    default_port=5432,
    driver_class="org.postgresql.Driver",
    driver_prefix="jdbc:postgresql://",
    driver_options="",
    jar_key="driver_jar",
    jar_package="libpostgresql-jdbc-java",
    has_schemas=True,
    quote_char='"',
    text_type="text",
    # information_schema shows only the tables the user holds some privilege on.
    listing_sql=(
        "SELECT t.table_name AS table_name, c.column_name AS column_name, c.data_type AS data_type, "
        "c.udt_name AS type_detail, c.ordinal_position AS ordinal_position, "
        "s.n_tup_ins AS n_tup_ins, s.n_tup_upd AS n_tup_upd, s.n_tup_del AS n_tup_del, s.n_live_tup AS n_live_tup "
        "FROM information_schema.tables t LEFT JOIN information_schema.columns c "
        "ON c.table_schema = t.table_schema AND c.table_name = t.table_name "
        "LEFT JOIN pg_catalog.pg_stat_user_tables s ON s.schemaname = t.table_schema AND s.relname = t.table_name "
        "WHERE t.table_schema = {schema} AND t.table_type = 'BASE TABLE'"
    ),
    marker=_pg_marker,
    column_type=_pg_column_type,
)

MARIADB = Dialect(
    name="mariadb",
    label="MySQL/MariaDB",
    schemes=("jdbc:mysql://", "jdbc:mariadb://"),
    default_port=3306,
    driver_class="org.mariadb.jdbc.Driver",
    # Spark picks its MySQL dialect (backtick quoting) by a jdbc:mysql URL; with jdbc:mariadb it falls back to
    # double quotes, which MySQL reads as string literals (every value would be its column's name). Connector/J
    # 2.x accepts jdbc:mysql, 3.x only with permitMysqlScheme.
    driver_prefix="jdbc:mysql://",
    driver_options="?permitMysqlScheme",
    jar_key="mariadb_driver_jar",
    jar_package="libmariadb-java",
    has_schemas=False,
    quote_char="`",
    text_type="CHAR CHARACTER SET utf8mb4",
    # The database of the URL is the schema: DATABASE() names it without a literal (whose escaping depends on
    # the server's sql_mode). information_schema shows only the tables the user holds some privilege on.
    listing_sql=(
        "SELECT t.TABLE_NAME AS table_name, c.COLUMN_NAME AS column_name, c.DATA_TYPE AS data_type, "
        "c.COLUMN_TYPE AS type_detail, c.ORDINAL_POSITION AS ordinal_position, "
        "t.TABLE_ROWS AS table_rows, CAST(t.UPDATE_TIME AS CHAR) AS update_time, "
        "CAST(t.CREATE_TIME AS CHAR) AS create_time, t.CHECKSUM AS checksum, "
        "CASE WHEN t.UPDATE_TIME < NOW() THEN 1 ELSE 0 END AS stats_settled "
        "FROM information_schema.TABLES t LEFT JOIN information_schema.COLUMNS c "
        "ON c.TABLE_SCHEMA = t.TABLE_SCHEMA AND c.TABLE_NAME = t.TABLE_NAME "
        "WHERE t.TABLE_SCHEMA = DATABASE() AND t.TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED')"
    ),
    marker=_mariadb_marker,
    column_type=_mariadb_column_type,
    session_init="SET @piiscan_listing = 1 /*!80000 , SESSION information_schema_stats_expiry = 0 */",
)

DIALECTS = (POSTGRESQL, MARIADB)


def dialect_of(uri: str) -> Dialect | None:
    """The dialect whose scheme starts ``uri``; None for any other JDBC URI."""
    return next((d for d in DIALECTS if uri.startswith(d.schemes)), None)
