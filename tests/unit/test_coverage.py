"""The coverage (gap) report without Spark: hand-built assets/runs tables, moto for S3 and the Glue catalog.

Every test writes the scan's history with jobs.delta_store.write_table (one commit per run and table, as the
scan does), runs the report against an in-process moto account and compares the whole coverage table.
Bucket, table and run names are invented.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pyarrow as pa
import pytest
from deltalake import DeltaTable
from moto import mock_aws

from jobs.coverage import EXIT_COVERED, EXIT_GAPS, EXIT_USAGE, CoverageRequest, CoverageResult, main, run_coverage
from jobs.delta_store import table_uri, write_table
from jobs.tables import ASSETS, RUNS

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
OCT_1 = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)
OCT_31 = datetime(2026, 10, 31, 8, 0, tzinfo=UTC)
NOV_5 = datetime(2026, 11, 5, 8, 0, tzinfo=UTC)
SINCE = datetime(2026, 11, 1, tzinfo=UTC)
REGION = "us-east-1"
TEXT_INPUT = "org.apache.hadoop.mapred.TextInputFormat"
LAZY_SERDE = "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe"
ORC_REASON = "ORC tables are not supported yet (classification orc, SerDe org.apache.hadoop.hive.ql.io.orc.OrcSerde)"
VIEW_REASON = "Glue view (TableType VIRTUAL_VIEW): it has no data of its own; scan the tables it reads"


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """An in-process moto account: buckets acme-crm and acme-logs with objects, acme-empty, lake; Glue lakedb."""
    for key in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    with mock_aws():
        s3 = boto3.client("s3", region_name=REGION)
        for bucket, keys in {
            "acme-crm": ["a.csv", "b.csv", "c.csv"],
            "acme-logs": ["app/x.log", "web/y.log"],
            "acme-empty": [],
            "lake": ["customers_v2/part-0.csv", "payments/part-0.parquet", "events/part-0.orc"],
        }.items():
            s3.create_bucket(Bucket=bucket)
            for key in keys:
                s3.put_object(Bucket=bucket, Key=key, Body=b"x")
        glue = boto3.client("glue", region_name=REGION)
        glue.create_database(DatabaseInput={"Name": "lakedb"})
        for table in _lake_tables():
            glue.create_table(DatabaseName="lakedb", TableInput=table)
        yield


def _lake_tables() -> list[dict[str, Any]]:
    def storage(location: str, input_format: str, serde: str) -> dict[str, Any]:
        return {
            "Columns": [{"Name": "id", "Type": "bigint"}, {"Name": "contact", "Type": "string"}],
            "Location": location,
            "InputFormat": input_format,
            "SerdeInfo": {"SerializationLibrary": serde, "Parameters": {"field.delim": ","}},
        }

    return [
        {  # moved to customers_v2/ since it was scanned: only its table_name ties the old rows to it
            "Name": "customers",
            "TableType": "EXTERNAL_TABLE",
            "Parameters": {"classification": "csv"},
            "StorageDescriptor": storage("s3://lake/customers_v2", TEXT_INPUT, LAZY_SERDE),
        },
        {
            "Name": "payments",
            "TableType": "EXTERNAL_TABLE",
            "Parameters": {"classification": "parquet"},
            "StorageDescriptor": storage(
                "s3://lake/payments/",
                "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
                "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
            ),
        },
        {
            "Name": "events",
            "TableType": "EXTERNAL_TABLE",
            "Parameters": {"classification": "orc"},
            "StorageDescriptor": storage(
                "s3://lake/events/",
                "org.apache.hadoop.hive.ql.io.orc.OrcInputFormat",
                "org.apache.hadoop.hive.ql.io.orc.OrcSerde",
            ),
        },
        {
            "Name": "eu_customers",
            "TableType": "VIRTUAL_VIEW",
            "ViewOriginalText": "/* Presto View */",
            "StorageDescriptor": {"Columns": [{"Name": "contact", "Type": "varchar"}], "SerdeInfo": {}},
        },
    ]


# --- building the scan's history ----------------------------------------------------------------------------------


def asset(
    run_id: str,
    uri: str,
    status: str = "scanned",
    source_kind: str = "s3",
    table_name: str | None = None,
    reason: str | None = None,
) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "source_kind": source_kind,
        "asset": uri,
        "region": REGION,
        "status": status,
        "reason": reason,
        "table_name": table_name,
    }


def write_history(base: Path, runs: dict[str, datetime], assets: list[dict[str, Any]]) -> None:
    """Each run's assets rows, then its runs row, one commit each; a run missing from ``runs`` has no runs row."""
    for run_id in dict.fromkeys(row["run_id"] for row in assets):
        rows = [row for row in assets if row["run_id"] == run_id]
        scanned_at = runs.get(run_id, NOW)
        data = pa.Table.from_pylist([{**row, "scanned_at": scanned_at} for row in rows], schema=ASSETS)
        write_table(data, table_uri(str(base), "assets"), "assets", run_id)
    for run_id, started_at in runs.items():
        row = {"run_id": run_id, "started_at": started_at, "finished_at": started_at, "status": "succeeded"}
        write_table(pa.Table.from_pylist([row], schema=RUNS), table_uri(str(base), "runs"), "runs", run_id)


def report(base: Path, sources: list[str], **options: Any) -> tuple[CoverageResult, list[dict[str, Any]]]:
    request = CoverageRequest(tuple(sources), str(base), "cov-1", **options)
    result = run_coverage(request, clock=lambda: NOW)
    return result, DeltaTable(str(base / "coverage")).to_pyarrow_table().to_pylist()


def row(
    kind: str,
    name: str,
    status: str,
    reason: str,
    *,
    source: str | None = None,
    region: str | None = REGION,
    last: tuple[str, datetime, int, int] | None = None,
    stale_before: datetime | None = None,
) -> dict[str, Any]:
    run_id, when, scanned, unchanged = last or (None, None, None, None)
    return {
        "report_id": "cov-1",
        "generated_at": NOW,
        "kind": kind,
        "name": name,
        "source": source or name,
        "region": region,
        "status": status,
        "reason": reason,
        "last_scanned_at": when,
        "last_run_id": run_id,
        "objects_scanned": scanned,
        "objects_unchanged": unchanged,
        "stale_before": stale_before,
    }


NEVER = "no run has scanned an object here"
MD_HEADER = "| status | kind | name | region | last scanned | last run | objects scanned | objects unchanged | reason |"


# --- buckets and prefixes -----------------------------------------------------------------------------------------


def test_a_bucket_no_run_scanned_is_never_scanned_and_a_scanned_one_is_covered(aws: None, tmp_path: Path) -> None:
    write_history(
        tmp_path,
        {"r1": OCT_1},
        [
            asset("r1", "s3://acme-crm/a.csv"),
            asset("r1", "s3://acme-crm/b.csv"),
            asset("r1", "s3://acme-logs/app/x.log", "skipped", reason="filtered out: matches no filters.include"),
        ],
    )
    result, rows = report(tmp_path, ["s3://acme-*"])
    assert rows == [
        row("bucket", "s3://acme-empty/", "never_scanned", f"{NEVER}; the bucket holds no objects now",
            source="s3://acme-*"),
        row("bucket", "s3://acme-logs/", "never_scanned",
            f"{NEVER}; the latest run to list it, r1, recorded 1 skipped: filtered out: matches no filters.include",
            source="s3://acme-*"),
        row("bucket", "s3://acme-crm/", "covered", "2 scanned, 0 unchanged in run r1 on 2026-10-01T08:00:00Z",
            source="s3://acme-*", last=("r1", OCT_1, 2, 0)),
    ]  # fmt: skip
    assert result.counts() == {"error": 0, "never_scanned": 2, "stale": 0, "covered": 1}


def test_a_last_scan_before_since_is_stale_and_the_newest_covering_run_counts(aws: None, tmp_path: Path) -> None:
    write_history(
        tmp_path,
        {"r1": OCT_1, "r2": NOV_5},
        [
            asset("r1", "s3://acme-crm/a.csv"),
            asset("r1", "s3://acme-crm/b.csv"),
            asset("r1", "s3://acme-logs/app/x.log"),
            asset("r1", "s3://acme-logs/web/y.log"),
            asset("r2", "s3://acme-crm/c.csv"),
            asset("r2", "s3://acme-logs/web/y.log"),  # the bucket, not the prefix app/
        ],
    )
    _, rows = report(tmp_path, ["s3://acme-crm", "s3://acme-logs/app/"], since=SINCE)
    assert rows == [
        row("prefix", "s3://acme-logs/app/", "stale",
            "last scanned 2026-10-01T08:00:00Z, before --since 2026-11-01T00:00:00Z: 1 scanned, 0 unchanged in run "
            "r1 on 2026-10-01T08:00:00Z", last=("r1", OCT_1, 1, 0), stale_before=SINCE),
        row("bucket", "s3://acme-crm/", "covered", "1 scanned, 0 unchanged in run r2 on 2026-11-05T08:00:00Z",
            source="s3://acme-crm", last=("r2", NOV_5, 1, 0), stale_before=SINCE),
    ]  # fmt: skip


def test_stale_days_counts_back_from_now(aws: None, tmp_path: Path) -> None:
    write_history(
        tmp_path, {"r1": OCT_1, "r2": NOV_5}, [asset("r1", "s3://acme-logs/x"), asset("r2", "s3://acme-crm/a")]
    )
    cutoff = datetime(2026, 10, 21, 12, 0, tzinfo=UTC)  # NOW - 30 days
    _, rows = report(tmp_path, ["s3://acme-crm/", "s3://acme-logs/"], stale_days=30)
    assert rows == [
        row("bucket", "s3://acme-logs/", "stale", "last scanned 2026-10-01T08:00:00Z, before the --stale-days "
            "cut-off 2026-10-21T12:00:00Z: 1 scanned, 0 unchanged in run r1 on 2026-10-01T08:00:00Z",
            source="s3://acme-logs/", last=("r1", OCT_1, 1, 0), stale_before=cutoff),
        row("bucket", "s3://acme-crm/", "covered", "1 scanned, 0 unchanged in run r2 on 2026-11-05T08:00:00Z",
            source="s3://acme-crm/", last=("r2", NOV_5, 1, 0), stale_before=cutoff),
    ]  # fmt: skip


def test_a_run_without_a_runs_row_does_not_count(aws: None, tmp_path: Path) -> None:
    write_history(
        tmp_path,
        {"r1": OCT_1},  # "killed" wrote its assets but died before its runs row
        [
            asset("r1", "s3://acme-crm/a.csv"),
            asset("killed", "s3://acme-crm/a.csv"),
            asset("killed", "s3://acme-crm/b.csv"),
            asset("killed", "s3://acme-logs/app/x.log"),
        ],
    )
    result, rows = report(tmp_path, ["s3://acme-crm", "s3://acme-logs"])
    assert rows == [
        row("bucket", "s3://acme-logs/", "never_scanned", NEVER, source="s3://acme-logs"),
        row("bucket", "s3://acme-crm/", "covered", "1 scanned, 0 unchanged in run r1 on 2026-10-01T08:00:00Z",
            source="s3://acme-crm", last=("r1", OCT_1, 1, 0)),
    ]  # fmt: skip
    assert (result.ignored_rows, result.ignored_runs) == (3, 1)


def test_unchanged_objects_count_as_coverage(aws: None, tmp_path: Path) -> None:
    write_history(
        tmp_path,
        {"full": OCT_1, "incremental": NOV_5},
        [
            asset("full", "s3://acme-crm/a.csv"),
            asset("full", "s3://acme-crm/b.csv"),
            asset("full", "s3://acme-logs/app/x.log"),
            asset("incremental", "s3://acme-crm/a.csv", "unchanged"),
            asset("incremental", "s3://acme-crm/b.csv", "unchanged"),
            asset("incremental", "s3://acme-crm/c.csv"),
            asset("incremental", "s3://acme-logs/app/x.log", "unchanged"),
        ],
    )
    _, rows = report(tmp_path, ["s3://acme-crm", "s3://acme-logs"], since=SINCE)
    assert rows == [
        row("bucket", "s3://acme-crm/", "covered", "1 scanned, 2 unchanged in run incremental on 2026-11-05T08:00:00Z",
            source="s3://acme-crm", last=("incremental", NOV_5, 1, 2), stale_before=SINCE),
        row("bucket", "s3://acme-logs/", "covered",
            "0 scanned, 1 unchanged in run incremental on 2026-11-05T08:00:00Z",
            source="s3://acme-logs", last=("incremental", NOV_5, 0, 1), stale_before=SINCE),
    ]  # fmt: skip


# --- Glue Data Catalog tables -------------------------------------------------------------------------------------


def test_glue_tables_are_covered_by_table_name_or_by_location(aws: None, tmp_path: Path) -> None:
    glue = {"source_kind": "glue"}
    write_history(
        tmp_path,
        {"r1": OCT_1, "r2": NOV_5},
        [
            # r1 scanned glue://lakedb when customers lived at customers/ (the catalog now says customers_v2/)
            asset("r1", "s3://lake/customers/region=eu/part-0.csv", table_name="lakedb.customers", **glue),
            asset("r1", "s3://lake/customers/_SUCCESS", "skipped", table_name="lakedb.customers", **glue,
                  reason="hidden file"),
            asset("r1", "s3://lake/events/", "skipped", table_name="lakedb.events", reason=ORC_REASON, **glue),
            asset("r1", "glue://lakedb/eu_customers", "skipped", table_name="lakedb.eu_customers", reason=VIEW_REASON,
                  **glue),
            # r2 scanned the bucket as plain S3: payments' objects are under the table's location
            asset("r2", "s3://lake/payments/part-0.parquet"),
            asset("r2", "s3://lake/events/part-0.orc", "skipped", reason="unsupported format"),
        ],
    )  # fmt: skip
    _, rows = report(tmp_path, ["glue://lakedb"])
    assert rows == [
        row("glue_table", "glue://lakedb/eu_customers", "never_scanned",
            f"{NEVER}; the latest run to list it, r1, recorded 1 skipped: {VIEW_REASON}", source="glue://lakedb"),
        row("glue_table", "glue://lakedb/events", "never_scanned",
            f"{NEVER}; the latest run to list it, r2, recorded 1 skipped: unsupported format; the scan does not read "
            f"this table: {ORC_REASON}", source="glue://lakedb"),
        row("glue_table", "glue://lakedb/customers", "covered",
            "1 scanned, 0 unchanged in run r1 on 2026-10-01T08:00:00Z", source="glue://lakedb",
            last=("r1", OCT_1, 1, 0)),
        row("glue_table", "glue://lakedb/payments", "covered",
            "1 scanned, 0 unchanged in run r2 on 2026-11-05T08:00:00Z", source="glue://lakedb",
            last=("r2", NOV_5, 1, 0)),
    ]  # fmt: skip


# --- errors and an empty history ----------------------------------------------------------------------------------


def test_unreadable_buckets_and_databases_are_error_rows_and_the_job_goes_on(aws: None, tmp_path: Path) -> None:
    write_history(tmp_path, {"r1": OCT_1}, [asset("r1", "s3://gone-bucket/old.csv"), asset("r1", "s3://acme-crm/a")])
    sources = ["s3://gone-bucket", "s3://zzz-*", "glue://no_such_db", "glue://lakedb/no_such_table", "s3://acme-crm"]
    result, rows = report(tmp_path, sources)
    assert rows == [
        row("bucket", "s3://zzz-*", "error", "cannot expand s3://zzz-*: no bucket matches 'zzz-*'", region=None),
        row("glue_database", "glue://no_such_db", "error", "Glue database no_such_db does not exist"),
        row("glue_table", "glue://lakedb/no_such_table", "error", "Glue table lakedb.no_such_table does not exist"),
        row("bucket", "s3://gone-bucket/", "error", "bucket gone-bucket does not exist (NoSuchBucket); last scanned "
            "2026-10-01T08:00:00Z by run r1", source="s3://gone-bucket", region=None, last=("r1", OCT_1, 1, 0)),
        row("bucket", "s3://acme-crm/", "covered", "1 scanned, 0 unchanged in run r1 on 2026-10-01T08:00:00Z",
            source="s3://acme-crm", last=("r1", OCT_1, 1, 0)),
    ]  # fmt: skip
    assert result.counts() == {"error": 4, "never_scanned": 0, "stale": 0, "covered": 1}


def test_local_folders_are_prefixes_and_a_missing_one_is_an_error(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "crm").mkdir(parents=True)
    (data / "crm" / "a.csv").write_text("x")
    (data / "empty").mkdir()
    base = tmp_path / "out"
    write_history(base, {"r1": OCT_1}, [asset("r1", f"file://{data}/crm/a.csv", source_kind="local")])
    sources = [str(data / "crm"), str(data / "empty"), str(data / "missing")]
    _, rows = report(base, sources)
    assert rows == [
        row("prefix", f"file://{data}/missing", "error", f"file://{data}/missing does not exist",
            source=sources[2], region=None),
        row("prefix", f"file://{data}/empty/", "never_scanned", f"{NEVER}; the folder holds no files now",
            source=sources[1], region=None),
        row("prefix", f"file://{data}/crm/", "covered", "1 scanned, 0 unchanged in run r1 on 2026-10-01T08:00:00Z",
            source=sources[0], region=None, last=("r1", OCT_1, 1, 0)),
    ]  # fmt: skip


def test_without_any_run_everything_is_never_scanned(aws: None, tmp_path: Path) -> None:
    _, rows = report(tmp_path, ["s3://acme-crm", "glue://lakedb/payments"], since=SINCE)
    assert rows == [
        row("bucket", "s3://acme-crm/", "never_scanned", NEVER, source="s3://acme-crm", stale_before=SINCE),
        row("glue_table", "glue://lakedb/payments", "never_scanned", NEVER, stale_before=SINCE),
    ]


def test_a_rerun_of_the_same_report_id_adds_nothing_and_the_reports_match_the_table(aws: None, tmp_path: Path) -> None:
    write_history(tmp_path, {"r1": OCT_1}, [asset("r1", "s3://acme-crm/a.csv")])
    result, rows = report(tmp_path, ["s3://acme-crm", "s3://acme-logs/app/"])
    _, again = report(tmp_path, ["s3://acme-crm", "s3://acme-logs/app/"])
    assert again == rows
    assert DeltaTable(str(tmp_path / "coverage")).version() == 0
    csv_uri, md_uri = result.written[1:]
    assert csv_uri == f"file://{tmp_path}/reports/coverage-20261120T120000Z.csv"
    parsed = list(csv.DictReader(io.StringIO(Path(csv_uri.removeprefix("file://")).read_text())))
    assert parsed == [
        {"report_id": "cov-1", "generated_at": "2026-11-20T12:00:00Z", "kind": "prefix",
         "name": "s3://acme-logs/app/", "source": "s3://acme-logs/app/", "region": REGION, "status": "never_scanned",
         "reason": NEVER, "last_scanned_at": "", "last_run_id": "", "objects_scanned": "", "objects_unchanged": "",
         "stale_before": ""},
        {"report_id": "cov-1", "generated_at": "2026-11-20T12:00:00Z", "kind": "bucket", "name": "s3://acme-crm/",
         "source": "s3://acme-crm", "region": REGION, "status": "covered",
         "reason": "1 scanned, 0 unchanged in run r1 on 2026-10-01T08:00:00Z",
         "last_scanned_at": "2026-10-01T08:00:00Z", "last_run_id": "r1", "objects_scanned": "1",
         "objects_unchanged": "0", "stale_before": ""},
    ]  # fmt: skip
    assert Path(md_uri.removeprefix("file://")).read_text() == "\n".join(
        [
            "# Coverage report cov-1",
            "",
            f"Generated 2026-11-20T12:00:00Z from the scans recorded under `{tmp_path}`; no staleness cut-off.",
            "",
            "| status | rows |",
            "|---|---|",
            "| error | 0 |",
            "| never_scanned | 1 |",
            "| stale | 0 |",
            "| covered | 1 |",
            "",
            "## Gaps",
            "",
            MD_HEADER,
            "|---|---|---|---|---|---|---|---|---|",
            f"| never_scanned | prefix | s3://acme-logs/app/ | {REGION} |  |  |  |  | {NEVER} |",
            "",
            "## Covered",
            "",
            MD_HEADER,
            "|---|---|---|---|---|---|---|---|---|",
            f"| covered | bucket | s3://acme-crm/ | {REGION} | 2026-10-01T08:00:00Z | r1 | 1 | 0 | 1 scanned, 0 "
            "unchanged in run r1 on 2026-10-01T08:00:00Z |",
            "",
        ]
    )


# --- the command line ---------------------------------------------------------------------------------------------


def test_the_command_line_prints_the_summary_and_exits_4_on_gaps_0_when_covered(
    aws: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_history(tmp_path, {"r1": NOV_5}, [asset("r1", "s3://acme-crm/a.csv"), asset("killed", "s3://acme-logs/x")])
    base = ["--output", str(tmp_path), "--since", "2026-11-01"]
    code = main([*base, "--source", "s3://acme-*", "--report-id", "cli-1", "--max-gaps", "1"])
    lines = capsys.readouterr().out.splitlines()
    assert code == EXIT_GAPS
    assert lines[:-1] == [
        "Coverage report cli-1: 3 target(s): 1 covered, 0 stale, 2 never_scanned, 0 error",
        "  stale: last scanned before 2026-11-01T00:00:00Z",
        "  gaps (2, first 1):",
        f"    [never_scanned] s3://acme-empty/  {NEVER}; the bucket holds no objects now",
        "  ignored 1 assets row(s) of 1 run(s) without a runs row",
    ]
    assert lines[-1].startswith(f"  written: file://{tmp_path}/coverage, file://{tmp_path}/reports/coverage-")

    assert main([*base, "--source", "s3://acme-crm", "--report-id", "cli-2"]) == EXIT_COVERED
    assert capsys.readouterr().out.splitlines()[0] == (
        "Coverage report cli-2: 1 target(s): 1 covered, 0 stale, 0 never_scanned, 0 error"
    )
    reports = DeltaTable(str(tmp_path / "coverage")).to_pyarrow_table()
    assert sorted(set(reports["report_id"].to_pylist())) == ["cli-1", "cli-2"]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--source", "s3://b", "--since", "last week"],
         "error: --since must be an ISO date or date-time such as 2026-11-01, got 'last week'"),
        (["--source", "s3://b", "--stale-days", "-1"], "error: --stale-days must be a number of days >= 0, got -1"),
        (["--source", "glue://db/t/x"],
         "error: Glue source 'glue://db/t/x' has too many path segments; expected glue://DATABASE[/TABLE]"),
        (["--source", "jdbc:postgresql://db:5432/shop?schema=public"],
         "error: the coverage report checks s3://, glue:// and local sources; 'jdbc:postgresql://db:5432/shop' is a "
         "JDBC source (its tables' coverage is in the assets table, source_kind jdbc)"),
    ],
)  # fmt: skip
def test_bad_arguments_exit_2_before_anything_is_listed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], arguments: list[str], message: str
) -> None:
    assert main(["--output", str(tmp_path), *arguments]) == EXIT_USAGE
    assert capsys.readouterr().err.strip() == message
    assert not (tmp_path / "coverage").exists()
