"""Session-wide fixtures: one local S3 endpoint, one SparkSession and, on demand, one PostgreSQL cluster."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from pyspark.sql import SparkSession

from jobs.local_s3 import LocalS3, s3_env
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
    """The one SparkSession of the test run (local[2], UTC, no UI), with the PostgreSQL JDBC driver if installed.

    spark.jars must be set before the JVM starts, so the session carries the driver for every test.
    """
    from jobs.spark import build_session

    session = build_session("piiscan-tests", "local[2]", [str(DRIVER_JAR)] if DRIVER_JAR.is_file() else [])
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
