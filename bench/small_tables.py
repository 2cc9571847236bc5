"""Many small tables (issue 8): N tables x C columns x R rows, as Parquet folders and as PostgreSQL tables.

The generator is deterministic (one numpy generator per table, seeded with ``(seed, table index)``) and
vectorised: every column is built with numpy and pyarrow.compute, never value by value. Each table is a
warehouse-style table of mostly clean columns (ids, codes, amounts, timestamps, dates, flags, words, UUIDs),
with a few sensitive columns (``SENSITIVE_COLUMN_SHARE`` of them, at least one) each holding exactly
``SENSITIVE_SHARE`` (3 %) e-mail addresses, Luhn-valid card numbers or IPv4 addresses among clean look-alikes.

The runner scans them with the real scan job (``run_scan`` on local Spark) under the shipped configuration,
sampling on: 1,000 rows is below ``rows_per_object`` and each folder holds one file, so every row and column
is read, which the runner checks. Its breakdown comes from the scan job itself: the driver's wall-clock phases
(``ScanResult.timings``) and the reading and detection seconds summed over the scanning tasks
(``ScanResult.task_seconds``: task-seconds across both cores, core-seconds on an otherwise idle machine).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from pyspark.sql import SparkSession

from bench.data import (
    SENSITIVE_SHARE,
    card_numbers,
    codes,
    emails,
    fixed_width_strings,
    hex_ids,
    host_names,
    ipv4_addresses,
    planted,
    random_chars,
    user_handles,
    words,
)
from jobs.config import load_config
from jobs.scan import ScanRequest, ScanResult, run_scan

TABLES, COLUMNS, ROWS = 1000, 100, 1000  # the case
# Tables of the PostgreSQL variant by default: the case, like the files (about 9 minutes with loading;
# --small-tables-jdbc 20 for a quick look). The scan reads tables in groups of jobs.scan.TABLE_GROUP; before that, one
# Spark read per table in one union ran the driver's 1 GiB heap (local mode) out of memory from 50 tables on.
JDBC_TABLES = TABLES
SEED = 20261205
SENSITIVE_COLUMN_SHARE = 0.03  # of a table's columns; at least one
NULL_SHARE = 0.3  # of the free-text comment columns
DATABASE, SCANNER = "warehouse", "scanner"

_EPOCH_2024_US = 1_704_067_200_000_000
_COUNTRIES = pa.array(["US", "GB", "DE", "FR", "ES", "IT", "NL", "SE", "PL", "IN", "BR", "CA"])
_CURRENCIES = pa.array(["USD", "EUR", "GBP", "SEK", "PLN", "INR", "BRL", "CAD"])
_UPPER = np.frombuffer(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", dtype=np.uint8)
_DIGITS = np.frombuffer(b"0123456789", dtype=np.uint8)

Generator = Callable[[np.random.Generator, int, int], pa.Array]  # (rng, rows, table index) -> column


def _pick(rng: np.random.Generator, choices: pa.Array, rows: int) -> pa.Array:
    return pc.take(choices, pa.array(rng.integers(0, len(choices), rows)))


def _comments(rng: np.random.Generator, rows: int) -> pa.Array:
    text = words(rng, rows, 6)
    return pc.if_else(pa.array(rng.random(rows) < NULL_SHARE), pa.scalar(None, pa.string()), text)


def _skus(rng: np.random.Generator, rows: int) -> pa.Array:
    return fixed_width_strings(random_chars(rng, _UPPER, rows, 3), b"-", random_chars(rng, _DIGITS, rows, 3), rows=rows)


def _timestamps(rng: np.random.Generator, rows: int) -> pa.Array:
    return pa.array(_EPOCH_2024_US + rng.integers(0, 365 * 86_400, rows) * 1_000_000, pa.timestamp("us"))


# Clean warehouse columns: name, generator, PostgreSQL type. Column j of a table is CLEAN[j % len(CLEAN)].
CLEAN: list[tuple[str, Generator, str]] = [
    ("id", lambda rng, rows, index: pa.array(np.arange(index * rows, (index + 1) * rows, dtype=np.int64)), "bigint"),
    ("order_ref", lambda rng, rows, _: codes(rng, "ORD-", rows), "text"),
    ("sku", lambda rng, rows, _: _skus(rng, rows), "text"),
    ("amount", lambda rng, rows, _: pa.array(np.round(rng.uniform(1, 5000, rows), 2)), "double precision"),
    ("quantity", lambda rng, rows, _: pa.array(rng.integers(1, 50, rows, dtype=np.int32)), "integer"),
    ("created_at", lambda rng, rows, _: _timestamps(rng, rows), "timestamp"),
    ("status", lambda rng, rows, _: words(rng, rows), "text"),
    (
        "ship_date",
        lambda rng, rows, _: pa.array(rng.integers(19_700, 20_100, rows, dtype=np.int32), pa.date32()),
        "date",
    ),
    ("comment", lambda rng, rows, _: _comments(rng, rows), "text"),
    ("is_active", lambda rng, rows, _: pa.array(rng.random(rows) < 0.8), "boolean"),
    ("country", lambda rng, rows, _: _pick(rng, _COUNTRIES, rows), "text"),
    ("currency", lambda rng, rows, _: _pick(rng, _CURRENCIES, rows), "text"),
    ("session_id", lambda rng, rows, _: hex_ids(rng, rows), "text"),
    ("invoice_no", lambda rng, rows, _: codes(rng, "INV", rows, 10), "text"),
    ("score", lambda rng, rows, _: pa.array(np.round(rng.random(rows), 4)), "double precision"),
    ("warehouse_code", lambda rng, rows, _: codes(rng, "WH", rows, 4), "text"),
]

# Sensitive columns: name, entity type, clean look-alike, sensitive value. They rotate in this order.
SENSITIVE: list[tuple[str, str, Callable[[np.random.Generator, int], pa.Array], Callable[..., pa.Array]]] = [
    ("contact", "EMAIL_ADDRESS", user_handles, emails),
    ("payment_ref", "CREDIT_CARD", lambda rng, rows: codes(rng, "PAY", rows, 10), card_numbers),
    ("client_addr", "IP_ADDRESS", host_names, ipv4_addresses),
]


@dataclass(frozen=True)
class PlantedColumn:
    """A sensitive column of one table: its entity type and how many of its values are sensitive."""

    table: str
    column: str
    entity_type: str
    values: int


@dataclass(frozen=True)
class GeneratedTable:
    """One generated table and its planted sensitive columns."""

    name: str
    data: pa.Table
    postgres_types: tuple[str, ...]
    planted: tuple[PlantedColumn, ...]


@dataclass
class SmallTables:
    """The generated tables on disk: one folder per table, one Parquet file in each."""

    root: Path
    tables: int
    columns: int
    rows: int
    values: int = 0  # non-null cells
    bytes: int = 0  # Parquet bytes on disk
    planted: list[PlantedColumn] = field(default_factory=list)
    seconds: float = 0.0  # generation wall time

    @property
    def cells(self) -> int:
        """Tables x columns x rows."""
        return self.tables * self.columns * self.rows

    @property
    def sensitive_values(self) -> int:
        """Sensitive values planted across all tables."""
        return sum(p.values for p in self.planted)


def table_name(index: int) -> str:
    """The name of table ``index`` (also its folder)."""
    return f"table_{index:04d}"


def generate_table(index: int, columns: int = COLUMNS, rows: int = ROWS, seed: int = SEED) -> GeneratedTable:
    """Table ``index`` of the set: the same arguments always give the same data."""
    rng = np.random.default_rng((seed, index))
    name = table_name(index)
    sensitive_count = min(columns, max(1, round(columns * SENSITIVE_COLUMN_SHARE)))
    positions = {int(p): k for k, p in enumerate(sorted(rng.choice(columns, size=sensitive_count, replace=False)))}
    arrays: list[pa.Array] = []
    names: list[str] = []
    types: list[str] = []
    seen: dict[str, int] = {}
    planted_columns: list[PlantedColumn] = []
    for j in range(columns):
        if j in positions:
            base, entity, clean, sensitive = SENSITIVE[positions[j] % len(SENSITIVE)]
            column, count = planted(rng, clean(rng, rows), sensitive(rng, rows), SENSITIVE_SHARE)
            type_ = "text"
        else:
            base, make, type_ = CLEAN[j % len(CLEAN)]
            column, entity = make(rng, rows, index), ""
        seen[base] = seen.get(base, 0) + 1
        column_name = base if seen[base] == 1 else f"{base}_{seen[base]}"
        if entity:
            planted_columns.append(PlantedColumn(name, column_name, entity, count))
        arrays.append(column)
        names.append(column_name)
        types.append(type_)
    return GeneratedTable(name, pa.Table.from_arrays(arrays, names=names), tuple(types), tuple(planted_columns))


def tables(count: int, columns: int = COLUMNS, rows: int = ROWS, seed: int = SEED) -> Iterator[GeneratedTable]:
    """The ``count`` tables of the set, in order."""
    for index in range(count):
        yield generate_table(index, columns, rows, seed)


def generate(
    root: Path, count: int = TABLES, columns: int = COLUMNS, rows: int = ROWS, seed: int = SEED
) -> SmallTables:
    """Write the set under ``root``: ``root/table_NNNN/part-00000.parquet`` (one dataset per folder)."""
    started = time.perf_counter()
    shutil.rmtree(root, ignore_errors=True)
    result = SmallTables(root, count, columns, rows)
    for table in tables(count, columns, rows, seed):
        folder = root / table.name
        folder.mkdir(parents=True)
        path = folder / "part-00000.parquet"
        pq.write_table(table.data, path)
        result.bytes += path.stat().st_size
        result.values += sum(len(c) - c.null_count for c in table.data.columns)
        result.planted.extend(table.planted)
    result.seconds = time.perf_counter() - started
    return result


# --- measuring ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScanRun:
    """One scan of the set: total wall time, the scan job's phases, and its counts."""

    seconds: float  # run_scan wall time
    timings: dict[str, float]  # the job's wall phases: listing, scanning, aggregating, writing
    task_seconds: dict[str, float]  # summed over the scanning tasks: read, detect
    objects: int
    rows: int
    values: int
    findings: int
    findings_by_entity: dict[str, int]
    load: tuple[float, float] = (0.0, 0.0)  # the machine's 1-minute load average at the start and end of the run

    @property
    def other(self) -> float:
        """Wall seconds outside the job's phases (the runs table's commit, history, the run's start)."""
        return max(0.0, self.seconds - sum(self.timings.values()))


@dataclass
class SmallTablesCase:
    """Every scan of one variant (files or JDBC) of the set."""

    source: str  # "files" or "PostgreSQL (JDBC)"
    tables: int
    columns: int
    rows: int
    values: int
    megabytes: float
    prepare_seconds: float  # generating files, or loading the database (not part of the scan)
    runs: list[ScanRun] = field(default_factory=list)
    skipped: str | None = None  # why the variant did not run

    @property
    def median(self) -> ScanRun:
        """The run of median wall time."""
        return sorted(self.runs, key=lambda r: r.seconds)[len(self.runs) // 2]


def _scan_once(
    spark: SparkSession, sources: tuple[str, ...], output: Path, run_id: str
) -> tuple[float, ScanResult, tuple[float, float]]:
    shutil.rmtree(output, ignore_errors=True)
    load = os.getloadavg()[0]
    started = time.perf_counter()
    result = run_scan(spark, ScanRequest(sources, str(output), load_config(), run_id))
    return time.perf_counter() - started, result, (load, os.getloadavg()[0])


def _measure(
    spark: SparkSession, case: SmallTablesCase, sources: tuple[str, ...], workdir: Path, runs: int, values: int
) -> SmallTablesCase:
    for run in range(runs):
        seconds, result, load = _scan_once(spark, sources, workdir / f"tables-{run}", f"small-tables-{run}")
        scan = ScanRun(
            seconds,
            dict(result.timings),
            dict(result.task_seconds),
            result.objects_scanned,
            result.rows_scanned,
            result.values_scanned,
            result.findings,
            dict(result.findings_by_entity),
            load,
        )
        expected = (case.tables, case.tables * case.rows, values)
        if (scan.objects, scan.rows, scan.values) != expected:
            raise RuntimeError(
                f"{case.source}: the scan read {scan.objects} tables, {scan.rows} rows and {scan.values} values, "
                f"expected {expected[0]}, {expected[1]} and {expected[2]} (every row and column of every table)"
            )
        print(f"small tables, {case.source}, run {run + 1}/{runs}: {describe(scan)}", flush=True)
        case.runs.append(scan)
    return case


def describe(run: ScanRun) -> str:
    """One line: wall time and its breakdown."""
    t, task = run.timings, run.task_seconds
    return (
        f"{run.seconds:.1f}s (listing {t.get('listing', 0):.1f}s, scanning {t.get('scanning', 0):.1f}s "
        f"[tasks: read {task.get('read', 0):.1f} task-s, detect {task.get('detect', 0):.1f} task-s], "
        f"aggregating {t.get('aggregating', 0):.1f}s, writing {t.get('writing', 0):.1f}s, other {run.other:.1f}s); "
        f"{run.findings} findings; load average {run.load[0]:.1f} -> {run.load[1]:.1f}"
    )


def files_case(
    spark: SparkSession, workdir: Path, count: int, columns: int, rows: int, runs: int
) -> tuple[SmallTablesCase, SmallTables]:
    """Generate the set as Parquet folders and scan it ``runs`` times."""
    estate = generate(workdir / "estate", count, columns, rows)
    print(
        f"generated {count} tables x {columns} columns x {rows} rows ({estate.bytes / 1e6:.1f} MB Parquet) "
        f"in {estate.seconds:.1f}s",
        flush=True,
    )
    case = SmallTablesCase("files (Parquet)", count, columns, rows, estate.values, estate.bytes / 1e6, estate.seconds)
    return _measure(spark, case, (str(estate.root),), workdir, runs, estate.values), estate


# --- PostgreSQL -----------------------------------------------------------------------------------------------------


def jdbc_unavailable() -> str | None:
    """Why the JDBC variant cannot run here, or None."""
    from jobs.local_postgres import unavailable_reason

    return unavailable_reason()


@contextmanager
def _environment(name: str, value: str) -> Iterator[None]:
    previous = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = previous


def load_postgres(cluster: object, workdir: Path, count: int, columns: int, rows: int) -> tuple[int, int]:
    """Create the set's tables in ``DATABASE`` and COPY the same data in; returns (values, CSV bytes)."""
    from jobs.local_postgres import ADMIN, PostgresCluster, bin_dir

    assert isinstance(cluster, PostgresCluster)
    cluster.create_database(DATABASE, SCANNER, "SELECT 1;")
    csv_dir = workdir / "csv"
    shutil.rmtree(csv_dir, ignore_errors=True)
    csv_dir.mkdir(parents=True)
    script, values, nbytes = [], 0, 0
    for table in tables(count, columns, rows):
        path = csv_dir / f"{table.name}.csv"
        pacsv.write_csv(table.data, path)
        nbytes += path.stat().st_size
        values += sum(len(c) - c.null_count for c in table.data.columns)
        ddl = ", ".join(f'"{n}" {t}' for n, t in zip(table.data.column_names, table.postgres_types, strict=True))
        script += [
            f"CREATE TABLE public.{table.name} ({ddl});",
            f"\\copy public.{table.name} FROM '{path}' WITH (FORMAT csv, HEADER true)",
        ]
    script += [f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {SCANNER};", "ANALYZE;"]
    script_path = csv_dir / "load.sql"
    script_path.write_text("\n".join(script) + "\n")
    binaries = bin_dir()
    assert binaries is not None
    psql = binaries / "psql" if (binaries / "psql").is_file() else Path(shutil.which("psql") or "psql")
    subprocess.run(
        [str(psql), "-q", "-X", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", str(cluster.port), "-U", ADMIN,
         "-d", DATABASE, "-f", str(script_path)],
        env={**os.environ, "PGPASSWORD": cluster.admin_password}, check=True, capture_output=True, text=True,
    )  # fmt: skip
    shutil.rmtree(csv_dir, ignore_errors=True)
    return values, nbytes


def jdbc_case(spark: SparkSession, workdir: Path, count: int, columns: int, rows: int, runs: int) -> SmallTablesCase:
    """Load the same set into a throw-away PostgreSQL and scan it over JDBC ``runs`` times."""
    reason = jdbc_unavailable()
    if reason is not None:
        print(f"small tables over JDBC skipped: {reason}", flush=True)
        return SmallTablesCase("PostgreSQL (JDBC)", count, columns, rows, 0, 0.0, 0.0, skipped=reason)
    from jobs.local_postgres import PostgresCluster

    with PostgresCluster() as cluster:
        started = time.perf_counter()
        values, nbytes = load_postgres(cluster, workdir, count, columns, rows)
        loaded = time.perf_counter() - started
        print(f"loaded {count} tables into PostgreSQL ({nbytes / 1e6:.1f} MB CSV) in {loaded:.1f}s", flush=True)
        case = SmallTablesCase("PostgreSQL (JDBC)", count, columns, rows, values, nbytes / 1e6, loaded)
        with _environment("PIISCAN_JDBC_PASSWORD", cluster.password):
            try:
                return _measure(spark, case, (cluster.source(DATABASE, SCANNER),), workdir, runs, values)
            except Exception as exc:  # noqa: BLE001 - a failed variant is reported, the files' figures stand
                reason = _first_line(exc)
                print(f"small tables over JDBC failed: {reason}", flush=True)
                case.runs.clear()
                case.skipped = f"the scan failed at this size: {reason}"
                return case


def _first_line(exc: BaseException) -> str:
    """The exception's type and first line; from the JVM's error when Spark raised it."""
    java = getattr(exc, "java_exception", None)
    text = str(java.toString()) if java is not None else f"{type(exc).__name__}: {exc}"
    return text.strip().splitlines()[0][:300]


def median_seconds(case: SmallTablesCase) -> float:
    """The median wall time of the case's runs."""
    return statistics.median(r.seconds for r in case.runs)
