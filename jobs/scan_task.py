"""What a Spark task does: read its objects, run the engine, emit partial evidence as Arrow batches.

Runs inside executors through ``DataFrame.mapInArrow``. It never imports Spark or delta-rs (delta-rs must not
be loaded before a fork) and never emits a value in clear: only counts, hashes and masked samples.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from classifiers.engine import Engine, as_strings
from classifiers.fingerprints import Fingerprinter, bottom
from classifiers.tally import ColumnTally
from jobs.accounts import use_accounts
from jobs.config import ScanConfig, parse_config
from jobs.formats import guess_from_name
from jobs.readers import Limits, ObjectReader, ReadReport, UnsupportedObject
from jobs.redaction import safe_reason
from jobs.storage import explain_read_error, filesystem, parse_uri

PLAN_SCHEMA = pa.schema(
    [
        ("object_uri", pa.string()),
        ("size_bytes", pa.int64()),
        ("last_modified", pa.timestamp("us", tz="UTC")),
        ("region", pa.string()),
        ("dataset", pa.string()),
        ("source_kind", pa.string()),
        ("table_name", pa.string()),  # the database table of an RDS snapshot export object, else null
        ("read_options", pa.string()),  # JSON read options of a Redshift UNLOAD text file, else null
        ("change_marker", pa.string()),  # PlannedObject.change_marker, recorded in assets for incremental runs
    ]
)

PARTIAL_SCHEMA = pa.schema(
    [
        ("kind", pa.string()),  # 'asset', 'column' or 'entity'
        ("object_uri", pa.string()),
        ("format", pa.string()),
        ("compression", pa.string()),
        ("status", pa.string()),
        ("reason", pa.string()),
        ("rows_scanned", pa.int64()),
        ("bytes_scanned", pa.int64()),
        ("truncated", pa.bool_()),
        ("columns", pa.list_(pa.string())),
        ("duration_ms", pa.int64()),
        ("detect_ms", pa.int64()),  # the part of duration_ms spent in the detectors (the rest: reading)
        ("sampling", pa.string()),  # the sample actually read ('full', 'first 10000 rows' ...)
        ("column", pa.string()),
        ("values_seen", pa.int64()),
        ("analysed_values", pa.int64()),
        ("column_hints", pa.list_(pa.string())),
        ("column_profiles", pa.list_(pa.string())),
        ("entity_type", pa.string()),
        ("matched_values", pa.int64()),
        ("occurrences", pa.int64()),
        ("candidates", pa.int64()),
        ("validated", pa.int64()),
        ("keyword_values", pa.int64()),
        ("best_score", pa.float64()),
        ("patterns", pa.list_(pa.string())),
        ("value_hashes", pa.list_(pa.int64())),
        ("samples", pa.list_(pa.string())),
        ("fingerprints", pa.list_(pa.string())),  # keyed fingerprints of matched values, when the run keeps them
        ("presidio_values", pa.int64()),
        ("presidio_score_sum", pa.float64()),
    ]
)


@dataclass(frozen=True)
class RunKeys:
    """A run's secrets that travel to its Spark tasks; their reprs never show them.

    ``hash_key``: random per run, keys the hashes that count distinct values (see Engine). ``fingerprinter``:
    the user's fingerprint key when findings keep value fingerprints (classifiers/fingerprints.py).
    """

    hash_key: bytes = field(default=b"", repr=False)
    fingerprinter: Fingerprinter | None = None


READ_SCHEMA = pa.schema([("object_uri", pa.string()), ("rows", pa.int64()), ("bytes", pa.int64())])

_ENGINES: dict[str, tuple[ScanConfig, Engine]] = {}


def scan_partition(raw_config: Mapping[str, Any], full_scan: bool, keys: RunKeys | None = None) -> Any:
    """Return the ``mapInArrow`` function scanning the objects of a plan partition with this configuration.

    ``keys`` are the run's keys for hashing and fingerprinting matched values (see RunKeys).
    """

    def scan(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        config, engine = engine_for(raw_config, full_scan, keys)
        for batch in batches:
            for plan_row in batch.to_pylist():
                rows = scan_object(plan_row, config, engine)
                yield pa.RecordBatch.from_pylist(rows, schema=PARTIAL_SCHEMA)

    return scan


def read_partition(raw_config: Mapping[str, Any], full_scan: bool) -> Any:
    """The same reading as ``scan_partition`` without detection: the baseline the benchmark compares against.

    Emits one row per object: its URI, rows read and bytes read.
    """

    def read(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        config, _ = engine_for(raw_config, full_scan)
        for batch in batches:
            for plan_row in batch.to_pylist():
                reader = _reader(plan_row, config)
                try:
                    if reader.open().structured:
                        for columns in reader.columns():
                            for _, values in columns:
                                as_strings(values)  # the scan's only per-value step before the engine
                    else:
                        for _ in reader.lines():
                            pass
                except UnsupportedObject:
                    pass
                yield pa.RecordBatch.from_pylist(
                    [
                        {
                            "object_uri": plan_row["object_uri"],
                            "rows": reader.report.rows,
                            "bytes": reader.report.bytes_read,
                        }
                    ],
                    schema=READ_SCHEMA,
                )

    return read


def _reader(plan_row: Mapping[str, Any], config: ScanConfig) -> ObjectReader:
    """A reader for one planned object, within the configuration's sampling limits."""
    uri = plan_row["object_uri"]
    location = parse_uri(uri)
    sampling = config.sampling
    limits = Limits(
        rows=None if sampling.full_scan else sampling.rows_per_object,
        bytes=None if sampling.full_scan else sampling.bytes_per_object,
        batch_rows=config.reading.batch_rows,
        row_groups=None if sampling.full_scan else sampling.row_groups_per_object,
        rows_per_row_group=None if sampling.full_scan else sampling.rows_per_row_group,
    )
    options = plan_row.get("read_options")
    return ObjectReader(
        filesystem(location, plan_row.get("region")),
        location.fs_path,
        guess_from_name(uri),
        limits,
        json.loads(options) if options else None,
        listed_size=plan_row.get("size_bytes"),  # an object rewritten since listing is noted in its reason
    )


def scan_object(plan_row: Mapping[str, Any], config: ScanConfig, engine: Engine) -> list[dict[str, Any]]:
    """Scan one planned object; returns its asset row followed by its column and entity rows.

    Any failure ends in the asset row's status and reason; evidence read before a failure is kept.
    """
    started = time.monotonic()
    uri = plan_row["object_uri"]
    reader = _reader(plan_row, config)
    tallies: dict[str | None, ColumnTally] = {}
    status, reason = "scanned", None
    detect_seconds = 0.0
    batcher: ColumnBatcher | None = None
    try:
        report = reader.open()
        if report.structured:
            batcher = ColumnBatcher(engine, tallies, config.reading.batch_rows)
            for columns in reader.columns():
                batcher.add_columns(columns)
            batcher.flush()
        else:
            tally = tallies.setdefault(None, ColumnTally(None))
            for lines in reader.lines():
                tick = time.monotonic()
                engine.scan(lines, tally)
                detect_seconds += time.monotonic() - tick
    except UnsupportedObject as exc:
        status, reason = "skipped", str(exc)
    except Exception as exc:  # noqa: BLE001 - every failure becomes a recorded per-object reason; the run goes on
        # pyarrow can lose S3's own error code (AccessDenied, a KMS key, an archived object): ask S3 again for it.
        status, reason = "error", safe_reason(explain_read_error(uri, exc, plan_row.get("region")))
        if reader.report.rows:
            reason += f" (after {reader.report.rows} rows; evidence from those rows is kept)"
    report = reader.report
    notes = list(report.notes)
    if report.malformed_rows:
        notes.append(f"{report.malformed_rows} malformed rows skipped")
    if status == "scanned" and notes:
        reason = "; ".join(notes)
    if batcher is not None:  # also after a failure part-way
        detect_seconds = batcher.detect_seconds
    asset = asset_row(uri, report, status, reason, started, detect_seconds)
    return [asset, *evidence_rows(uri, tallies, engine)]


def asset_row(
    uri: str, report: ReadReport, status: str, reason: str | None, started: float, detect_seconds: float = 0.0
) -> dict[str, Any]:
    """The PARTIAL_SCHEMA 'asset' row of one object or table read (``started``: its time.monotonic() start).

    ``detect_seconds``: the time spent in the detectors, out of the whole duration (benchmarks' breakdown).
    """
    return {
        "kind": "asset",
        "object_uri": uri,
        "format": report.format,
        "compression": report.compression,
        "status": status,
        "reason": reason,
        "rows_scanned": report.rows,
        "bytes_scanned": report.bytes_read,
        "truncated": report.truncated,
        "columns": report.columns if report.structured else None,
        "duration_ms": int((time.monotonic() - started) * 1000),
        "detect_ms": int(detect_seconds * 1000),
        "sampling": _sample_read(report, status),
    }


def _sample_read(report: ReadReport, status: str) -> str | None:
    """What of the object was read, for assets.sampling: ``full``, ``first 10000 rows`` ...; None if not read."""
    if report.sampling is not None:
        return report.sampling
    if status != "scanned":
        return None
    return "sampled" if report.truncated else "full"


class ColumnBatcher:
    """Gathers each column's values until ``batch_rows`` of them can go to the engine in one call.

    CSV and JSON readers hand out blocks of about a megabyte; scanning those one by one would pay the
    engine's per-call cost many times per object. The columns ready at the end of a block, and all of them at
    the end of the object, go to the engine together (Engine.scan_columns), which pays that cost once.
    """

    def __init__(self, engine: Engine, tallies: dict[str | None, ColumnTally], batch_rows: int) -> None:
        self._engine = engine
        self._tallies = tallies
        self._batch_rows = batch_rows
        self._pending: dict[str, list[pa.Array]] = {}
        self._sizes: dict[str, int] = {}
        self.detect_seconds = 0.0  # time spent in the engine, summed over its calls

    def add(self, name: str, values: pa.Array) -> None:
        """Queue ``values`` of column ``name``; scans the column once enough values are queued."""
        self.add_columns([(name, values)])

    def add_columns(self, columns: Iterable[tuple[str, pa.Array]]) -> None:
        """Queue one block's values of each column; then scans the columns with enough values queued in one call.

        Each column's batches are the ones ``add`` column by column would make: a column named twice in the block
        has the values queued before its second part scanned first.
        """
        full: list[str] = []
        for name, values in columns:
            if name in full:
                self._scan(full)
                full = []
            self._pending.setdefault(name, []).append(as_strings(values))
            self._sizes[name] = self._sizes.get(name, 0) + len(values)
            if self._sizes[name] >= self._batch_rows:
                full.append(name)
        self._scan(full)

    def flush(self) -> None:
        """Scan whatever is still queued."""
        self._scan(list(self._pending))

    def _scan(self, names: list[str]) -> None:
        if not names:
            return
        columns = []
        for name in names:
            parts = self._pending.pop(name)
            self._sizes.pop(name)
            columns.append((pa.chunked_array(parts, pa.string()), self._tallies.setdefault(name, ColumnTally(name))))
        tick = time.monotonic()
        self._engine.scan_columns(columns)
        self.detect_seconds += time.monotonic() - tick


def evidence_rows(uri: str, tallies: Mapping[str | None, ColumnTally], engine: Engine) -> list[dict[str, Any]]:
    """The 'column' and 'entity' rows of one object's tallies (also used for database tables)."""
    rows: list[dict[str, Any]] = []
    for tally in tallies.values():
        rows.append(
            {
                "kind": "column",
                "object_uri": uri,
                "column": tally.column,
                "values_seen": tally.values_seen,
                "analysed_values": tally.analysed_values,
                "column_hints": sorted(tally.column_hints),
                "column_profiles": sorted(tally.column_profiles),
            }
        )
        for entity_type, entity in sorted(tally.entities.items()):
            if entity.matched_values == 0 and entity.candidates == 0:
                continue
            rows.append(
                {
                    "kind": "entity",
                    "object_uri": uri,
                    "column": tally.column,
                    "entity_type": entity_type,
                    "matched_values": entity.matched_values,
                    "occurrences": entity.occurrences,
                    "candidates": entity.candidates,
                    "validated": entity.validated,
                    "keyword_values": entity.keyword_values,
                    "best_score": entity.best_score,
                    "patterns": sorted(entity.patterns),
                    "value_hashes": sorted(entity.value_hashes),
                    "samples": entity.samples,
                    "fingerprints": bottom(entity.fingerprints, engine.fingerprint_limit),
                    "presidio_values": entity.presidio_values,
                    "presidio_score_sum": entity.presidio_score_sum,
                }
            )
    return rows


def engine_for(
    raw_config: Mapping[str, Any], full_scan: bool, keys: RunKeys | None = None
) -> tuple[ScanConfig, Engine]:
    """The parsed configuration and its Engine, built once per worker process, configuration and run."""
    keys = keys or RunKeys()
    key = repr((sorted(raw_config.items(), key=lambda item: item[0]), full_scan, keys.hash_key, keys.fingerprinter))
    cached = _ENGINES.get(key)
    if cached is None:
        config = parse_config(raw_config)
        if full_scan:
            config = config.with_full_scan()
        cached = _ENGINES[key] = (config, Engine(config.detection, keys.hash_key, fingerprinter=keys.fingerprinter))
    use_accounts(cached[0].accounts)  # this worker reads member accounts' buckets with their roles, as the driver
    return cached
