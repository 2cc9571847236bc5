"""The Athena views on a laptop: DuckDB over the scan's Delta tables, read through Arrow with delta-rs.

``connect(output)`` registers ``findings``, ``assets`` and ``runs`` in a DuckDB schema named like the Athena
database (``piiscan``), then runs the same view files Athena runs (sql/athena/, all but the table DDL), so
``piiscan.current_findings`` and the other views answer the same questions locally, on a local folder or on
S3 (the standard AWS variables and endpoint overrides apply, as for the scan)::

    con = connect("demo-output/tables")
    con.sql("SELECT * FROM piiscan.residency_violations").df()

Nothing is copied: DuckDB scans the Delta tables' Parquet files through a pyarrow dataset. A table no run has
written yet is an empty table with the documented schema.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from jobs.athena_sql import check_database, view_statements
from jobs.delta_store import read_table, table_uri
from jobs.storage import parse_uri, storage_options
from jobs.tables import ASSETS, FINDINGS, RUNS

OUTPUT_VARIABLE = "PIISCAN_OUTPUT"  # where the notebooks read the scan's output from
DEFAULT_OUTPUT = Path(__file__).resolve().parent.parent / "demo-output" / "tables"  # what `make demo` writes
SCAN_TABLES = {"findings": FINDINGS, "assets": ASSETS, "runs": RUNS}


def default_output() -> str:
    """The output location the notebooks read: ``$PIISCAN_OUTPUT``, else the demo's tables."""
    return os.environ.get(OUTPUT_VARIABLE) or str(DEFAULT_OUTPUT)


def connect(output: str, database: str = "piiscan") -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with the scan's tables and the Athena views under schema ``database``."""
    check_database(database)
    connection = duckdb.connect()
    connection.execute("SET TimeZone = 'UTC'")  # timestamps come back as UTC, as they are stored
    connection.execute(f"CREATE SCHEMA {database}")
    for name, schema in SCAN_TABLES.items():
        relation = f"delta_{name}"
        connection.register(relation, _arrow_source(table_uri(output, name), schema))
        connection.execute(f"CREATE VIEW {database}.{name} AS SELECT * FROM {relation}")
    for statement in view_statements(database):
        connection.execute(statement)
    return connection


def view(connection: duckdb.DuckDBPyConnection, name: str, database: str = "piiscan") -> pa.Table:
    """All rows of one table or view as an Arrow table (unordered, like the view)."""
    check_database(database)
    if not name.isidentifier():
        raise ValueError(f"not a view name: {name!r}")
    table: pa.Table = connection.sql(f"SELECT * FROM {database}.{name}").to_arrow_table()
    return table


def _arrow_source(uri: str, schema: pa.Schema) -> Any:
    """A pyarrow dataset over the Delta table at ``uri``, or an Arrow table with the documented schema.

    The table stands in when the Delta table is absent, or was written by an older version lacking columns.
    """
    from deltalake import DeltaTable
    from deltalake.exceptions import TableNotFoundError

    try:
        dataset = DeltaTable(uri, storage_options=storage_options(parse_uri(uri))).to_pyarrow_dataset()
    except TableNotFoundError:
        return schema.empty_table()
    if set(schema.names) <= set(dataset.schema.names):
        return dataset
    data = read_table(uri, schema.names)  # missing columns come back as nulls
    return schema.empty_table() if data is None else data.cast(schema)
