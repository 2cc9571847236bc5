"""JDBC sources without Spark: URI parsing, credential resolution, redaction, SQL text, markers, configuration."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import boto3
import pyarrow as pa
import pytest
from moto import mock_aws

from classifiers.errors import ConfigError, SourceError
from jobs.config import Jdbc, load_config, parse_config
from jobs.jdbc_dialects import MARIADB, POSTGRESQL, watermark_marker
from jobs.jdbc_source import (
    Credentials,
    JdbcSource,
    TableListing,
    TablePlan,
    aggregate_requests,
    failure_reason,
    is_jdbc,
    merge_table_assets,
    parse_source,
    resolve_credentials,
    tables_of,
)
from jobs.scan import EXIT_USAGE, jdbc_jars, main
from jobs.scan_task import PARTIAL_SCHEMA

PASSWORD = "s3cr3t-Pa55word-4111111111111111"
H = "JDBC source jdbc:postgresql://h/db: "


def raises(error: type[Exception], message: str):
    return pytest.raises(error, match=f"^{re.escape(message)}$")


# --- parsing ------------------------------------------------------------------------------------------------------


def test_a_full_source_parses_into_names_only():
    source = parse_source("jdbc:postgresql://db.internal:6543/shop?schema=sales&tables=a, b,&user=scan")
    assert source == JdbcSource("db.internal", 6543, "shop", "sales", ("a", "b"), "scan")
    assert source.url == "jdbc:postgresql://db.internal:6543/shop"
    assert source.table_uri("a") == "jdbc:postgresql://db.internal:6543/shop/sales.a"
    assert source.table_name("a") == "shop.sales.a"
    assert source.display == "jdbc:postgresql://db.internal:6543/shop?schema=sales&tables=a,b&user=scan"


def test_defaults_port_schema_and_password_variable():
    source = parse_source("jdbc:postgresql://localhost/shop")
    assert (source.port, source.schema, source.tables, source.user, source.password_env, source.secret_id) == (
        5432,
        "public",
        (),
        None,
        "PIISCAN_JDBC_PASSWORD",
        None,
    )
    assert source.display == "jdbc:postgresql://localhost:5432/shop?schema=public"


def test_display_names_where_the_password_comes_from():
    secret = parse_source("jdbc:postgresql://h/db?secret_id=arn:aws:secretsmanager:eu-west-1:123:secret:shop")
    assert (
        secret.display
        == "jdbc:postgresql://h:5432/db?schema=public&secret_id=arn:aws:secretsmanager:eu-west-1:123:secret:shop"
    )
    assert parse_source("jdbc:postgresql://h/db?password_env=SHOP_PW").display.endswith("&password_env=SHOP_PW")


def test_mysql_and_mariadb_sources_name_the_database_as_their_schema():
    source = parse_source("jdbc:mysql://db.internal/shop?tables=a&user=scan&partition_column=id&watermark=updated_at")
    assert source == JdbcSource(
        "db.internal", 3306, "shop", "shop", ("a",), "scan", scheme="jdbc:mysql://", partition_column="id",
        watermark="updated_at",
    )  # fmt: skip
    assert source.dialect is MARIADB
    assert source.url == "jdbc:mysql://db.internal:3306/shop"
    # Spark picks its MySQL dialect (backticks) by the jdbc:mysql scheme; Connector/J 3 needs permitMysqlScheme
    assert source.driver_url == "jdbc:mysql://db.internal:3306/shop?permitMysqlScheme"
    assert source.table_uri("a") == "jdbc:mysql://db.internal:3306/shop/a"
    assert source.table_name("a") == "shop.a"
    assert source.display == (
        "jdbc:mysql://db.internal:3306/shop?tables=a&user=scan&partition_column=id&watermark=updated_at"
    )
    maria = parse_source("jdbc:mariadb://10.0.0.5:3307/crm")
    assert (maria.url, maria.driver_url, maria.display, maria.table_uri("t")) == (
        "jdbc:mariadb://10.0.0.5:3307/crm",
        "jdbc:mysql://10.0.0.5:3307/crm?permitMysqlScheme",
        "jdbc:mariadb://10.0.0.5:3307/crm",
        "jdbc:mariadb://10.0.0.5:3307/crm/t",
    )
    assert parse_source("jdbc:postgresql://h/db").dialect is POSTGRESQL


def test_is_jdbc():
    assert is_jdbc("jdbc:postgresql://h/db") and not is_jdbc("s3://bucket/jdbc:x") and not is_jdbc("/data/jdbc")


@pytest.mark.parametrize(
    ("uri", "message"),
    [
        (
            f"jdbc:postgresql://h/db?user=u&password={PASSWORD}",
            "JDBC source jdbc:postgresql://h/db: a password is never accepted in the URI; set it in the environment "
            "variable named by password_env= (default PIISCAN_JDBC_PASSWORD) or use secret_id=",
        ),
        (
            f"jdbc:postgresql://u:{PASSWORD}@h/db",
            "JDBC source: credentials are never accepted in the URI; give user= and password_env= or secret_id=",
        ),
        (
            f"jdbc:sqlserver://h/db?password={PASSWORD}",
            "unsupported JDBC source: supported are jdbc:postgresql://host[:port]/database?schema=NAME, "
            "jdbc:mysql://host[:port]/database, jdbc:mariadb://host[:port]/database",
        ),
        (
            f"jdbc:mysql://h/db?user=u&password={PASSWORD}",
            "JDBC source jdbc:mysql://h/db: a password is never accepted in the URI; set it in the environment "
            "variable named by password_env= (default PIISCAN_JDBC_PASSWORD) or use secret_id=",
        ),
        ("jdbc:mariadb://h", "JDBC source jdbc:mariadb://h: expected jdbc:mariadb://host[:port]/database"),
        ("jdbc:mysql://h/db?schema=x", "JDBC source jdbc:mysql://h/db: the database is the schema in MySQL/MariaDB; "
         "leave out schema="),
        ("jdbc:mysql://h/db?watermark=", "JDBC source jdbc:mysql://h/db: watermark= must name a column"),
        ("jdbc:postgresql://h", "JDBC source jdbc:postgresql://h: expected jdbc:postgresql://host[:port]/database?schema=NAME"),
        ("jdbc:postgresql://h/db/x", "JDBC source jdbc:postgresql://h/db/x: expected jdbc:postgresql://host[:port]/database?schema=NAME"),
        ("jdbc:postgresql://h:port/db", "JDBC source jdbc:postgresql://h:port/db: the port is not a number"),
        ("jdbc:postgresql://h/db?sslmode=require", H + "unknown option(s) ['sslmode']; "
         "valid options are: ['partition_column', 'password_env', 'schema', 'secret_id', 'tables', 'user', "
         "'watermark']"),
        ("jdbc:postgresql://h/db?schema=a&schema=b", H + "option(s) ['schema'] given more than once"),
        ("jdbc:postgresql://h/db?password_env=A&secret_id=s", H + "give password_env= or secret_id=, not both"),
        ("jdbc:postgresql://h/db?password_env=not-a-name", H + "password_env must name an environment variable"),
    ],
)  # fmt: skip
def test_bad_sources_are_rejected_without_quoting_a_password(uri, message):
    with raises(ConfigError, message) as caught:
        parse_source(uri)
    assert PASSWORD not in str(caught.value)


# --- credentials --------------------------------------------------------------------------------------------------


def test_password_from_the_default_variable_and_user_from_the_uri_or_environment():
    source = parse_source("jdbc:postgresql://h/db?user=scan")
    assert resolve_credentials(source, {"PIISCAN_JDBC_PASSWORD": PASSWORD}) == Credentials("scan", PASSWORD)
    anonymous = parse_source("jdbc:postgresql://h/db?password_env=SHOP_PW")
    environ = {"SHOP_PW": PASSWORD, "PIISCAN_JDBC_USER": "env-user"}
    assert resolve_credentials(anonymous, environ) == Credentials("env-user", PASSWORD)


def test_missing_password_or_user_is_a_source_error():
    with raises(SourceError, "no password: environment variable PIISCAN_JDBC_PASSWORD is not set or empty"):
        resolve_credentials(parse_source("jdbc:postgresql://h/db?user=u"), {})
    with raises(
        SourceError, "no user: give user= in the source URI, a secret with a username, or set PIISCAN_JDBC_USER"
    ):
        resolve_credentials(parse_source("jdbc:postgresql://h/db"), {"PIISCAN_JDBC_PASSWORD": PASSWORD})


def test_the_password_never_shows_in_a_repr():
    assert PASSWORD not in repr(Credentials("u", PASSWORD))


@mock_aws
def test_credentials_from_a_secrets_manager_secret():
    client = boto3.client("secretsmanager", region_name="eu-west-1")
    arn = client.create_secret(Name="shop", SecretString=json.dumps({"username": "owner", "password": PASSWORD}))["ARN"]
    # The region comes from the ARN: no client or region needs to be configured.
    by_arn = resolve_credentials(parse_source(f"jdbc:postgresql://h/db?secret_id={arn}"), {})
    assert by_arn == Credentials("owner", PASSWORD)
    # user= in the URI wins over the secret's username
    named = parse_source("jdbc:postgresql://h/db?secret_id=shop&user=scan")
    assert resolve_credentials(named, {}, client) == Credentials("scan", PASSWORD)


@mock_aws
def test_bad_or_missing_secrets_are_source_errors_that_quote_nothing():
    client = boto3.client("secretsmanager", region_name="us-east-1")
    client.create_secret(Name="plain", SecretString=PASSWORD)
    client.create_secret(Name="nopw", SecretString=json.dumps({"username": "u", "pass": PASSWORD}))
    for name in ("plain", "nopw"):
        with raises(SourceError, f"secret {name!r} is not a JSON object with a non-empty 'password' string"):
            resolve_credentials(parse_source(f"jdbc:postgresql://h/db?secret_id={name}"), {}, client)
    with pytest.raises(SourceError, match=r"^cannot read secret 'absent': ResourceNotFoundException: ") as caught:
        resolve_credentials(parse_source("jdbc:postgresql://h/db?secret_id=absent"), {}, client)
    assert PASSWORD not in str(caught.value)


# --- redaction of failures ----------------------------------------------------------------------------------------


class _JavaError:
    def __init__(self, text: str, cause: _JavaError | None = None) -> None:
        self._text, self._cause = text, cause

    def getCause(self):
        return self._cause

    def getClass(self):
        return self

    def getName(self):
        return self._text.split(":")[0]

    def toString(self):
        return self._text


class _Py4JError(Exception):
    def __init__(self, java: _JavaError) -> None:
        super().__init__("An error occurred while calling o75.load.\n" + java.toString())
        self.java_exception = java


def test_failure_reasons_keep_the_driver_message_and_hide_values_and_the_password():
    denied = _Py4JError(_JavaError("org.postgresql.util.PSQLException: ERROR: permission denied for table t\n  at x"))
    assert failure_reason(denied) == "PSQLException: ERROR: permission denied for table t"
    wrapped = _Py4JError(
        _JavaError(
            "org.apache.spark.SparkException: Job aborted",
            _JavaError(f"org.postgresql.util.PSQLException: ERROR: invalid input {PASSWORD} for card 4111111111111111"),
        )
    )  # fmt: skip
    assert failure_reason(wrapped, PASSWORD) == "PSQLException: ERROR: invalid input <redacted> for card <redacted>"
    assert failure_reason(ValueError(f"bad {PASSWORD}"), PASSWORD) == "ValueError: bad <redacted>"


def test_a_failure_of_no_known_table_hides_every_source_password():
    other = "second-source-Secret-99"
    plan = TablePlan(passwords={"jdbc:postgresql://a/db/public.t": PASSWORD, "jdbc:mysql://b/db/u": other})
    failed = _Py4JError(
        _JavaError(
            "org.apache.spark.SparkException: Job aborted due to stage failure",
            _JavaError(f"java.sql.SQLException: login {PASSWORD} then {other} refused"),
        )
    )  # fmt: skip
    assert plan.failure_reason(failed) == "SQLException: login <redacted> then <redacted> refused"


# --- SQL text -----------------------------------------------------------------------------------------------------


def test_read_query_casts_every_column_to_text_and_quotes_names():
    assert POSTGRESQL.read_query("public", 'odd"name', ["id", "E-mail"], 100) == (
        'SELECT CAST("id" AS text) AS "id", CAST("E-mail" AS text) AS "E-mail" FROM "public"."odd""name" LIMIT 101'
    )
    assert POSTGRESQL.read_query("s", "t", ["a"], None) == 'SELECT CAST("a" AS text) AS "a" FROM "s"."t"'
    assert MARIADB.read_query("shop", "odd`name", ["id", "e mail"], 9) == (
        "SELECT CAST(`id` AS CHAR CHARACTER SET utf8mb4) AS `id`, CAST(`e mail` AS CHAR CHARACTER SET utf8mb4) "
        "AS `e mail` FROM `shop`.`odd``name` LIMIT 10"
    )


def test_partitioned_read_exposes_the_raw_partition_column_under_its_alias():
    assert POSTGRESQL.partitioned_table("public", "t", ["id", "email"], "id") == (
        '(SELECT CAST("id" AS text) AS "id", CAST("email" AS text) AS "email", "id" AS piiscan_partition_key '
        'FROM "public"."t") piiscan_read'
    )
    assert MARIADB.partitioned_table("shop", "t", ["v"], "id") == (
        "(SELECT CAST(`v` AS CHAR CHARACTER SET utf8mb4) AS `v`, `id` AS piiscan_partition_key "
        "FROM `shop`.`t`) piiscan_read"
    )


def test_aggregates_query_names_tables_by_index_and_casts_to_text():
    assert POSTGRESQL.aggregates_query("public", [(0, "a", "updated_at", None), (1, "b", None, "id")]) == (
        'SELECT 0 AS table_index, CAST(MAX("updated_at") AS text) AS watermark_max, NULL AS partition_low, '
        'NULL AS partition_high FROM "public"."a" UNION ALL '
        'SELECT 1 AS table_index, NULL AS watermark_max, CAST(MIN("id") AS text) AS partition_low, '
        'CAST(MAX("id") AS text) AS partition_high FROM "public"."b"'
    )
    assert MARIADB.aggregates_query("shop", [(0, "a", "id", "id")]) == (
        "SELECT 0 AS table_index, CAST(MAX(`id`) AS CHAR CHARACTER SET utf8mb4) AS watermark_max, "
        "CAST(MIN(`id`) AS CHAR CHARACTER SET utf8mb4) AS partition_low, "
        "CAST(MAX(`id`) AS CHAR CHARACTER SET utf8mb4) AS partition_high FROM `shop`.`a`"
    )


def test_listing_queries_join_the_statistics_in_the_same_round_trip():
    assert POSTGRESQL.listing_query("o'brien") == (
        "SELECT t.table_name AS table_name, c.column_name AS column_name, c.data_type AS data_type, "
        "c.udt_name AS type_detail, c.ordinal_position AS ordinal_position, "
        "s.n_tup_ins AS n_tup_ins, s.n_tup_upd AS n_tup_upd, s.n_tup_del AS n_tup_del, s.n_live_tup AS n_live_tup "
        "FROM information_schema.tables t LEFT JOIN information_schema.columns c "
        "ON c.table_schema = t.table_schema AND c.table_name = t.table_name "
        "LEFT JOIN pg_catalog.pg_stat_user_tables s ON s.schemaname = t.table_schema AND s.relname = t.table_name "
        "WHERE t.table_schema = 'o''brien' AND t.table_type = 'BASE TABLE'"
    )
    # MySQL: the URL's database is the schema, named by DATABASE() (no literal whose escaping depends on sql_mode)
    assert MARIADB.listing_query("any") == (
        "SELECT t.TABLE_NAME AS table_name, c.COLUMN_NAME AS column_name, c.DATA_TYPE AS data_type, "
        "c.COLUMN_TYPE AS type_detail, c.ORDINAL_POSITION AS ordinal_position, "
        "t.TABLE_ROWS AS table_rows, CAST(t.UPDATE_TIME AS CHAR) AS update_time, "
        "CAST(t.CREATE_TIME AS CHAR) AS create_time, t.CHECKSUM AS checksum, "
        "CASE WHEN t.UPDATE_TIME < NOW() THEN 1 ELSE 0 END AS stats_settled "
        "FROM information_schema.TABLES t LEFT JOIN information_schema.COLUMNS c "
        "ON c.TABLE_SCHEMA = t.TABLE_SCHEMA AND c.TABLE_NAME = t.TABLE_NAME "
        "WHERE t.TABLE_SCHEMA = DATABASE() AND t.TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED')"
    )
    assert MARIADB.session_init == (
        "SET @piiscan_listing = 1 /*!80000 , SESSION information_schema_stats_expiry = 0 */"
    )


@pytest.mark.parametrize(
    ("data_type", "udt", "expected"),
    [
        ("character varying", "varchar", "character varying"),
        ("USER-DEFINED", "citext", "citext"),
        ("ARRAY", "_text", "text[]"),
        ("timestamp with time zone", "timestamptz", "timestamp with time zone"),
    ],
)
def test_column_types_name_user_defined_and_array_types(data_type, udt, expected):
    assert POSTGRESQL.column_type({"data_type": data_type, "type_detail": udt}) == expected


@pytest.mark.parametrize(
    ("data_type", "column_type", "expected"),
    [("varchar", "varchar(120)", "varchar"), ("bigint", "bigint(20) unsigned", "bigint unsigned"),
     ("DECIMAL", "decimal(10,2)", "decimal"), ("enum", "enum('a','b')", "enum")],
)  # fmt: skip
def test_mariadb_column_types_are_the_data_type_with_unsigned(data_type, column_type, expected):
    assert MARIADB.column_type({"data_type": data_type, "type_detail": column_type}) == expected


# --- change markers -----------------------------------------------------------------------------------------------


def test_postgresql_markers_are_the_table_counters_or_none_without_statistics():
    row = {"n_tup_ins": 5, "n_tup_upd": 2, "n_tup_del": 1, "n_live_tup": 4}
    assert POSTGRESQL.marker(row) == "pg_stat:ins=5,upd=2,del=1,live=4"
    assert POSTGRESQL.marker({**row, "n_live_tup": None}) is None


def test_mariadb_markers_need_a_settled_update_time_or_a_live_checksum():
    row = {
        "table_rows": 3,
        "update_time": "2026-11-23 17:36:06",
        "create_time": "2026-11-23 17:36:02",
        "checksum": None,
        "stats_settled": 1,
    }
    assert MARIADB.marker(row) == ("mariadb_stats:rows=3,updated=2026-11-23 17:36:06,created=2026-11-23 17:36:02")
    # written in the server's current second (a later write in it would not move UPDATE_TIME), or never
    # written since the server started (InnoDB keeps UPDATE_TIME in memory only): no marker, always read
    assert MARIADB.marker({**row, "stats_settled": 0}) is None
    assert MARIADB.marker({**row, "update_time": None, "stats_settled": None}) is None
    # a live checksum (MyISAM/Aria with CHECKSUM=1) is enough on its own
    assert MARIADB.marker({**row, "update_time": None, "stats_settled": 0, "checksum": 77}) == (
        "mariadb_stats:rows=3,updated=None,created=2026-11-23 17:36:02,checksum=77"
    )


def test_watermark_markers_hold_the_maximum_or_nothing():
    assert watermark_marker("updated_at", "2026-01-02 03:04:05") == "watermark:updated_at=2026-01-02 03:04:05"
    assert watermark_marker("id", None) is None


def test_listing_rows_become_ordered_columns_with_one_marker_per_table():
    stats = {"n_tup_ins": 3, "n_tup_upd": 0, "n_tup_del": 0, "n_live_tup": 3}
    rows: list[dict[str, Any]] = [
        {"table_name": "b", "column_name": "y", "data_type": "text", "type_detail": "text", "ordinal_position": 2,
         **stats},
        {"table_name": "b", "column_name": "x", "data_type": "integer", "type_detail": "int4", "ordinal_position": 1,
         **stats},
        {"table_name": "empty", "column_name": None, "data_type": None, "type_detail": None, "ordinal_position": None,
         "n_tup_ins": None, "n_tup_upd": None, "n_tup_del": None, "n_live_tup": None},
    ]  # fmt: skip
    assert tables_of(POSTGRESQL, rows) == {
        "b": TableListing((("x", "integer"), ("y", "text")), "pg_stat:ins=3,upd=0,del=0,live=3"),
        "empty": TableListing((), None),
    }


def test_watermark_and_partition_requests_apply_to_the_tables_having_the_column():
    listing = {
        "a": TableListing((("id", "integer"), ("updated_at", "timestamp without time zone"))),
        "b": TableListing((("id", "text"),)),
        "c": TableListing((("code", "bigint unsigned"),)),
    }
    source = parse_source("jdbc:postgresql://h/db?partition_column=id&watermark=updated_at")
    assert aggregate_requests(source, listing, ["a", "b", "c", "missing"], full_scan=True) == [
        ("a", "updated_at", "id")  # b: id is not an integer (read in one partition); c has neither column
    ]
    assert aggregate_requests(source, listing, ["a", "b", "c"], full_scan=False) == [("a", "updated_at", None)]
    by_code = parse_source("jdbc:mysql://h/db?partition_column=code")
    assert aggregate_requests(by_code, listing, ["a", "c"], full_scan=True) == [("c", None, "code")]


# --- partitioned reads --------------------------------------------------------------------------------------------


def test_the_asset_rows_of_a_tables_ranges_are_summed_into_one():
    def asset(rows: int, nbytes: int, ms: int, status: str = "scanned", reason: str | None = None) -> dict[str, Any]:
        return {"kind": "asset", "object_uri": "u", "format": "table", "status": status, "reason": reason,
                "rows_scanned": rows, "bytes_scanned": nbytes, "truncated": False, "columns": ["a"],
                "duration_ms": ms}  # fmt: skip

    column = {"kind": "column", "object_uri": "u", "column": "a", "values_seen": 2}
    batches = [
        pa.RecordBatch.from_pylist([asset(2, 20, 5), column], schema=PARTIAL_SCHEMA),
        pa.RecordBatch.from_pylist([asset(0, 0, 1)], schema=PARTIAL_SCHEMA),
        pa.RecordBatch.from_pylist([asset(1, 7, 3, "error", "ValueError: x")], schema=PARTIAL_SCHEMA),
    ]
    out = pa.Table.from_batches(list(merge_table_assets(batches))).to_pylist()
    empty = dict.fromkeys(PARTIAL_SCHEMA.names)
    assert out == [
        {**empty, **column},
        {**empty, **asset(3, 27, 9, "error", "ValueError: x")},
    ]


# --- configuration and start-up -----------------------------------------------------------------------------------


def test_jdbc_section_defaults_and_validation():
    assert load_config().jdbc == Jdbc(
        "/usr/share/java/postgresql.jar", 1000, "/usr/share/java/mariadb-java-client.jar", 4
    )
    assert parse_config({"jdbc": {"fetch_size": 50, "partitions": 8}}).jdbc == Jdbc(fetch_size=50, partitions=8)
    with raises(ConfigError, "jdbc.fetch_size must be a positive integer, got 0"):
        parse_config({"jdbc": {"fetch_size": 0}})
    with raises(ConfigError, "jdbc.partitions must be a positive integer, got True"):
        parse_config({"jdbc": {"partitions": True}})
    with raises(ConfigError, "jdbc.driver_jar must be the path of a .jar file, got 'postgres'"):
        parse_config({"jdbc": {"driver_jar": "postgres"}})
    with raises(ConfigError, "jdbc.mariadb_driver_jar must be the path of a .jar file, got None"):
        parse_config({"jdbc": {"mariadb_driver_jar": None}})
    with raises(
        ConfigError,
        "jdbc: unknown key(s) ['password']; valid keys are: "
        "['driver_jar', 'fetch_size', 'mariadb_driver_jar', 'partitions']",
    ):
        parse_config({"jdbc": {"password": "x"}})


def test_jars_are_needed_only_with_jdbc_sources_and_must_exist(tmp_path: Path):
    jar = tmp_path / "pg.jar"
    jar.write_bytes(b"PK")
    config = parse_config({"jdbc": {"driver_jar": str(jar)}})
    assert jdbc_jars(["s3://b/p"], config) == []
    assert jdbc_jars(["s3://b/p", "jdbc:postgresql://h/db"], config) == [str(jar)]
    maria = tmp_path / "mariadb.jar"
    maria.write_bytes(b"PK")
    both = parse_config({"jdbc": {"driver_jar": str(jar), "mariadb_driver_jar": str(maria)}})
    assert jdbc_jars(["jdbc:mariadb://h/db", "jdbc:mysql://h/x", "jdbc:postgresql://h/db"], both) == [
        str(maria),
        str(jar),
    ]
    assert jdbc_jars(["jdbc:mysql://h/db"], both) == [str(maria)]
    with raises(
        ConfigError,
        f"jdbc.mariadb_driver_jar {str(tmp_path / 'none.jar')!r} does not exist: install the MySQL/MariaDB JDBC "
        "driver (Debian: apt-get install libmariadb-java) or set jdbc.mariadb_driver_jar in the configuration",
    ):
        jdbc_jars(["jdbc:mysql://h/db"], parse_config({"jdbc": {"mariadb_driver_jar": str(tmp_path / "none.jar")}}))
    missing = parse_config({"jdbc": {"driver_jar": str(tmp_path / "absent.jar")}})
    with raises(
        ConfigError,
        f"jdbc.driver_jar {str(tmp_path / 'absent.jar')!r} does not exist: install the PostgreSQL JDBC driver "
        "(Debian: apt-get install libpostgresql-jdbc-java) or set jdbc.driver_jar in the configuration",
    ):
        jdbc_jars(["jdbc:postgresql://h/db"], missing)


def test_a_password_in_the_uri_stops_the_job_before_spark_starts(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    code = main(["--source", f"jdbc:postgresql://h/db?password={PASSWORD}", "--output", str(tmp_path / "out")])
    assert code == EXIT_USAGE
    captured = capsys.readouterr()
    assert "a password is never accepted in the URI" in captured.err
    assert PASSWORD not in captured.out + captured.err
