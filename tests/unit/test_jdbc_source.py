"""JDBC sources without Spark: URI parsing, credential resolution, redaction, SQL text, configuration."""

from __future__ import annotations

import json
import re
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from classifiers.errors import ConfigError, SourceError
from jobs.config import Jdbc, load_config, parse_config
from jobs.jdbc_source import (
    Credentials,
    JdbcSource,
    column_type,
    failure_reason,
    is_jdbc,
    listing_query,
    parse_source,
    read_query,
    resolve_credentials,
)
from jobs.scan import EXIT_USAGE, jdbc_jars, main

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
            f"jdbc:mysql://h/db?password={PASSWORD}",
            "unsupported JDBC source: only jdbc:postgresql://host[:port]/database?schema=NAME is supported",
        ),
        ("jdbc:postgresql://h", "JDBC source jdbc:postgresql://h: expected jdbc:postgresql://host[:port]/database?schema=NAME"),
        ("jdbc:postgresql://h/db/x", "JDBC source jdbc:postgresql://h/db/x: expected jdbc:postgresql://host[:port]/database?schema=NAME"),
        ("jdbc:postgresql://h:port/db", "JDBC source jdbc:postgresql://h:port/db: the port is not a number"),
        ("jdbc:postgresql://h/db?sslmode=require", H + "unknown option(s) ['sslmode']; "
         "valid options are: ['password_env', 'schema', 'secret_id', 'tables', 'user']"),
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


# --- SQL text -----------------------------------------------------------------------------------------------------


def test_read_query_casts_every_column_to_text_and_quotes_names():
    assert read_query("public", 'odd"name', ["id", "E-mail"], 100) == (
        'SELECT CAST("id" AS text) AS "id", CAST("E-mail" AS text) AS "E-mail" FROM "public"."odd""name" LIMIT 101'
    )
    assert read_query("s", "t", ["a"], None) == 'SELECT CAST("a" AS text) AS "a" FROM "s"."t"'


def test_listing_query_quotes_the_schema_as_a_literal():
    assert "WHERE t.table_schema = 'o''brien' AND t.table_type = 'BASE TABLE'" in listing_query("o'brien")


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
    assert column_type(data_type, udt) == expected


# --- configuration and start-up -----------------------------------------------------------------------------------


def test_jdbc_section_defaults_and_validation():
    assert load_config().jdbc == Jdbc("/usr/share/java/postgresql.jar", 1000)
    assert parse_config({"jdbc": {"fetch_size": 50}}).jdbc.fetch_size == 50
    with raises(ConfigError, "jdbc.fetch_size must be a positive integer, got 0"):
        parse_config({"jdbc": {"fetch_size": 0}})
    with raises(ConfigError, "jdbc.driver_jar must be the path of a .jar file, got 'postgres'"):
        parse_config({"jdbc": {"driver_jar": "postgres"}})
    with raises(ConfigError, "jdbc: unknown key(s) ['password']; valid keys are: ['driver_jar', 'fetch_size']"):
        parse_config({"jdbc": {"password": "x"}})


def test_jars_are_needed_only_with_jdbc_sources_and_must_exist(tmp_path: Path):
    jar = tmp_path / "pg.jar"
    jar.write_bytes(b"PK")
    config = parse_config({"jdbc": {"driver_jar": str(jar)}})
    assert jdbc_jars(["s3://b/p"], config) == []
    assert jdbc_jars(["s3://b/p", "jdbc:postgresql://h/db"], config) == [str(jar)]
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
