"""Session-wide fixtures: one local S3 endpoint, one SparkSession and, on demand, one PostgreSQL cluster and one
MariaDB server."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from pyspark.sql import SparkSession

from jobs.local_s3 import LocalS3, s3_env
from tests.integration import mariadb
from tests.integration.postgres import DRIVER_JAR, PostgresCluster, shop_cluster, unavailable_reason


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """A moto S3 server on loopback; the standard AWS variables point at it for the whole session.

    They are set in this process before Spark starts, so the JVM and its Python workers inherit them.
    """
    with LocalS3() as server:
        saved = {key: os.environ.get(key) for key in s3_env(server.endpoint_url)}
        os.environ.update(s3_env(server.endpoint_url))
        try:
            yield server.endpoint_url
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


@pytest.fixture(scope="session")
def spark(s3_endpoint: str) -> Iterator[SparkSession]:
    """The one SparkSession of the test run (local[2], UTC, no UI), with the PostgreSQL and MariaDB JDBC drivers
    that are installed.

    spark.jars must be set before the JVM starts, so the session carries the drivers for every test.
    """
    from jobs.spark import build_session

    jars = [str(jar) for jar in (DRIVER_JAR, mariadb.DRIVER_JAR) if jar.is_file()]
    session = build_session("piiscan-tests", "local[2]", jars)
    yield session
    session.stop()


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster]:
    """A throw-away PostgreSQL cluster with the synthetic ``shop`` database; skips when it cannot run here."""
    reason = unavailable_reason()
    if reason is not None:
        pytest.skip(reason)
    cluster = shop_cluster()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def mariadb_server() -> Iterator[mariadb.MariaDBServer]:
    """A throw-away MariaDB server with the synthetic ``shop`` database; skips when it cannot run here."""
    reason = mariadb.unavailable_reason()
    if reason is not None:
        pytest.skip(reason)
    server = mariadb.shop_server()
    try:
        yield server
    finally:
        server.stop()
