"""Writing the Delta tables without Spark's Delta jars: executors write Parquet, the driver commits.

Each Spark task writes its rows as one Parquet file under the table root with pyarrow (local disk or S3) and
returns only the file's path, size and statistics. The driver commits all files of a table in one delta-rs
transaction carrying an application transaction id derived from the run id, so a rerun of the same run finds
its commit and adds nothing. Commit conflicts with concurrent runs are retried with backoff.

delta-rs is imported lazily and only on the driver: it panics in a process forked after loading it.
"""

from __future__ import annotations

import json
import logging
import random
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from pyspark.sql import DataFrame

from classifiers.errors import CommitError, ScanError
from jobs import failpoints
from jobs.redaction import safe_reason
from jobs.storage import Location, filesystem, parse_uri, storage_options

LOG = logging.getLogger(__name__)
APP_ID_PREFIX = "piiscan-scan"
COMMIT_ATTEMPTS = 6
OPEN_ATTEMPTS = 4  # a permanent failure (access denied) costs about 2 s of backoff before it is reported
OPEN_BACKOFF_SECONDS = 0.3
_FILE_SCHEMA = "path string, size long, num_records long, stats string, modified_ms long"


@dataclass(frozen=True)
class DataFile:
    """A Parquet file written under a table root, ready to be committed."""

    path: str  # relative to the table root
    size: int
    num_records: int
    stats: str
    modified_ms: int


def table_uri(output: str, name: str) -> str:
    """The URI of table ``name`` under the output location."""
    location = parse_uri(output)
    return f"{location.uri.rstrip('/')}/{name}"


def app_id(table: str, run_id: str) -> str:
    """The Delta application transaction id marking ``run_id``'s commit to ``table``."""
    return f"{APP_ID_PREFIX}:{table}:{run_id}"


def is_committed(uri: str, table: str, run_id: str) -> bool:
    """True when ``run_id`` has already been committed to the table at ``uri``."""
    table_obj = _open(uri)
    return table_obj is not None and table_obj.transaction_version(app_id(table, run_id)) is not None


def write_frame(
    frame: DataFrame, uri: str, table: str, schema: pa.Schema, run_id: str, extra: pa.Table | None = None
) -> int:
    """Write ``frame`` to the Delta table at ``uri`` once per run; returns the rows committed (0 on a rerun).

    ``extra``: rows built on the driver (findings carried forward from unchanged assets) committed in the
    same transaction, so a run's rows appear all at once or not at all.
    """
    if is_committed(uri, table, run_id):
        LOG.info("table %s already holds run %s; nothing to add", table, run_id)
        return 0
    writer = _write_partition(uri, table, schema, run_id)
    rows = frame.mapInArrow(writer, _FILE_SCHEMA).collect()  # file metadata only, one row per Parquet file
    files = [DataFile(r["path"], r["size"], r["num_records"], r["stats"], r["modified_ms"]) for r in rows]
    if extra is not None and extra.num_rows:
        files.append(write_file(uri, extra.select(schema.names).cast(schema), run_id))
    return commit(uri, table, schema, files, run_id)


def read_table(uri: str, columns: list[str], condition: Any = None) -> pa.Table | None:
    """Columns of the Delta table at ``uri`` (rows matching the pyarrow ``condition``); None when absent.

    Columns a table written by an older version lacks are returned as nulls. Raises ScanError when the table
    exists but cannot be read.
    """
    try:
        table = _open(uri)
        if table is None:
            LOG.info("no table at %s: no run has written it yet", uri)
            return None
        dataset = table.to_pyarrow_dataset()
        present = [name for name in columns if name in dataset.schema.names]
        data = dataset.to_table(columns=present, filter=condition)
    except Exception as exc:
        raise ScanError(f"cannot read the Delta table at {uri}: {safe_reason(exc)}") from exc
    for name in columns:
        if name not in present:
            data = data.append_column(name, pa.nulls(data.num_rows, pa.string()))
    return data.select(columns)


def write_table(data: pa.Table, uri: str, table: str, run_id: str) -> int:
    """Write a small Arrow table from the driver (the runs row) with the same idempotent commit."""
    if is_committed(uri, table, run_id):
        return 0
    files = [] if data.num_rows == 0 else [write_file(uri, data, run_id)]
    return commit(uri, table, data.schema, files, run_id)


def write_file(uri: str, data: pa.Table, run_id: str) -> DataFile:
    """Write ``data`` as one Parquet file under the table root; returns what the commit needs."""
    location = parse_uri(uri)
    name = f"part-{_safe(run_id)}-{uuid.uuid4().hex}.parquet"
    target = Location(location.scheme, location.bucket, f"{location.path.rstrip('/')}/{name}")
    fs = filesystem(target)
    if location.scheme == "file":
        fs.create_dir(location.path, recursive=True)
    pq.write_table(data, target.fs_path, filesystem=fs, compression="snappy")
    size = fs.get_file_info(target.fs_path).size or 0
    return DataFile(name, size, data.num_rows, file_stats(data), int(time.time() * 1000))


def commit(uri: str, table: str, schema: pa.Schema, files: list[DataFile], run_id: str) -> int:
    """Commit ``files`` to the table in one transaction, creating it if needed; idempotent per run id.

    The files are already written: a driver killed before the commit leaves them unreferenced by the log, so no
    reader sees them and a rerun writes and commits its own.
    """
    failpoints.reached(f"{table}:staged")
    from deltalake import CommitProperties, Schema, Transaction
    from deltalake.exceptions import CommitFailedError, DeltaError
    from deltalake.transaction import AddAction, create_table_with_add_actions

    adds = [AddAction(f.path, f.size, {}, f.modified_ms, True, f.stats) for f in files]
    properties = CommitProperties(
        app_transactions=[Transaction(app_id(table, run_id), 1)], custom_metadata={"run_id": run_id}
    )
    options = storage_options(parse_uri(uri))
    for attempt in range(1, COMMIT_ATTEMPTS + 1):
        existing = _open(uri)
        try:
            if existing is None:
                create_table_with_add_actions(
                    uri,
                    Schema.from_arrow(schema),
                    adds,
                    mode="error",
                    commit_properties=properties,
                    storage_options=options,
                )
            elif existing.transaction_version(app_id(table, run_id)) is not None:
                return 0
            else:
                _add_missing_columns(existing, schema)
                existing.create_write_transaction(adds, mode="append", schema=schema, commit_properties=properties)
            failpoints.reached(f"{table}:committed")
            return sum(f.num_records for f in files)
        except (CommitFailedError, DeltaError, OSError) as exc:
            if attempt == COMMIT_ATTEMPTS:
                raise CommitError(f"could not commit run {run_id} to {table} after {attempt} attempts: {exc}") from exc
            delay = random.uniform(0.5, 1.5) * 0.2 * 2**attempt  # jitter: writers that collided do not retry in step
            LOG.warning("commit to %s conflicted (%s); retrying in %.1fs", table, type(exc).__name__, delay)
            time.sleep(delay)
    raise AssertionError("unreachable")


def _add_missing_columns(table: Any, schema: pa.Schema) -> None:
    """Add the columns a newer version of the job writes to a table an older version created.

    Without this the new columns' values would be in the data files but invisible to every reader. New
    columns are nullable, so older rows read them as null.
    """
    from deltalake import Schema

    present = set(pa.schema(table.schema().to_arrow()).names)
    missing = [field for field in schema if field.name not in present]
    if missing:
        LOG.info("adding column(s) %s to %s", ", ".join(f.name for f in missing), table.table_uri)
        table.alter.add_columns(Schema.from_arrow(pa.schema(missing)).fields)


def file_stats(data: pa.Table) -> str:
    """Delta per-file statistics: row count, and null counts and min/max of the flat columns."""
    stats: dict[str, Any] = {"numRecords": data.num_rows, "minValues": {}, "maxValues": {}, "nullCount": {}}
    for field, column in zip(data.schema, data.columns, strict=True):
        if pa.types.is_nested(field.type):
            continue
        stats["nullCount"][field.name] = column.null_count
        if column.null_count == data.num_rows or pa.types.is_boolean(field.type):
            continue
        bounds = pc.min_max(column)
        low, high = bounds["min"].as_py(), bounds["max"].as_py()
        if isinstance(low, str) and (len(low) > 64 or len(high) > 64):
            continue  # long strings would bloat the log; skipping stats is always correct
        stats["minValues"][field.name] = _stat_value(low)
        stats["maxValues"][field.name] = _stat_value(high)
    return json.dumps(stats)


def _stat_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
    return value


def _write_partition(uri: str, table: str, schema: pa.Schema, run_id: str) -> Any:
    def write(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        collected = [pa.Table.from_batches([b]) for b in batches if b.num_rows]
        if not collected:
            return
        data = pa.concat_tables(collected).select(schema.names).cast(schema)
        written = write_file(uri, data, run_id)
        # A failed or killed attempt leaves its file behind: only the paths the successful attempts return to the
        # driver are committed, so a retried task's rows count once.
        failpoints.kill_driver_from_task(f"{table}:task-written")
        failpoints.fail_first_attempt(f"{table}:write-task")
        yield pa.RecordBatch.from_pylist(
            [
                {
                    "path": written.path,
                    "size": written.size,
                    "num_records": written.num_records,
                    "stats": written.stats,
                    "modified_ms": written.modified_ms,
                }
            ]
        )

    return write


def _open(uri: str) -> Any:
    """The Delta table at ``uri``, None when there is none; a failed open is tried OPEN_ATTEMPTS times.

    delta-rs retries S3's 5xx answers and resets itself, but not a connection reset inside the body of an error
    answer, and every open of a table without a checkpoint gets a 404 for ``_delta_log/_last_checkpoint``.
    """
    from deltalake import DeltaTable
    from deltalake.exceptions import TableNotFoundError

    for attempt in range(1, OPEN_ATTEMPTS + 1):
        try:
            return DeltaTable(uri, storage_options=storage_options(parse_uri(uri)))
        except TableNotFoundError:
            return None
        except Exception as exc:
            if attempt == OPEN_ATTEMPTS:
                raise
            LOG.warning("opening the Delta table at %s failed (%s); retrying", uri, safe_reason(exc))
            time.sleep(OPEN_BACKOFF_SECONDS * 2 ** (attempt - 1) * (0.5 + random.random()))
    raise AssertionError("unreachable")


def _safe(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in text)[:64]
