"""Helpers shared by the Spark tests."""

from __future__ import annotations

from pyspark.sql import DataFrame, SparkSession


def delta_frame(spark: SparkSession, table: str) -> DataFrame:
    """A Delta table's current snapshot as a DataFrame, read through delta-rs's list of live files."""
    from deltalake import DeltaTable

    files = DeltaTable(table).file_uris()
    return spark.read.parquet(*files)
