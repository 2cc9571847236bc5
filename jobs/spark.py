"""Building the SparkSession: only a job's main() calls this; library code takes the session as a parameter."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from pyspark.sql import SparkSession

LOCAL_CONF = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "2",
}
COMMON_CONF = {
    # Timestamps are UTC everywhere: Delta timestamps without a zone would change the table protocol.
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    # A run over many JDBC tables unions one read per table; adaptive execution renders the whole plan as text for
    # its events, which ran the driver out of its 1 GB heap at 50 tables. The text is only for logs and the UI.
    "spark.sql.maxPlanStringLength": "1000000",
}


def build_session(app_name: str, master: str | None = None, jars: Sequence[str] = ()) -> SparkSession:
    """A SparkSession for a job: the cluster's when launched by spark-submit/Glue/EMR, else ``local[*]``.

    ``master`` (or SPARK_MASTER) forces a master, e.g. ``local[2]`` in tests and benchmarks. ``jars`` are local
    jar paths for ``spark.jars`` (the JDBC driver of a run with database sources): they must be known before
    the JVM starts, and nothing is ever fetched from Maven (no ``spark.jars.packages``). Under spark-submit, Glue
    or EMR pass them with ``--jars`` / ``--extra-jars`` instead: the driver's JVM is already running there.
    """
    builder = SparkSession.builder.appName(app_name)
    master = master or os.environ.get("SPARK_MASTER")
    launched_by_cluster = "SPARK_ENV_LOADED" in os.environ or "spark.master" in _submit_conf()
    if master or not launched_by_cluster:
        # Workers must run the interpreter that has our dependencies installed; a local run binds to loopback.
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        builder = builder.master(master or "local[*]")
        for key, value in LOCAL_CONF.items():
            builder = builder.config(key, value)
    for key, value in COMMON_CONF.items():
        builder = builder.config(key, value)
    if jars:
        builder = builder.config("spark.jars", ",".join(jars))
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("WARN")
    return session


def _submit_conf() -> str:
    return os.environ.get("PYSPARK_SUBMIT_ARGS", "")
