"""One scanned estate for the analyst side (the Athena views on DuckDB, the notebooks), built once per session.

The small estate, plus an HR file of Dutch BSNs (jurisdiction NL), split over two buckets on the local S3
endpoint: ``athena-eu-estate`` in eu-west-1 (customers, HR) and ``athena-us-estate`` in us-east-1 (payments,
logs, clean data and a copy of the HR file: EU personal data outside the EU). Then:

- ``an-1`` (day 1) scans both buckets;
- a line is added to the log, and ``an-2`` (day 2) scans only the US bucket, incrementally: the log is read
  again, the rest of the bucket is carried; the EU bucket's current findings stay those of ``an-1``;
- ``an-3`` (day 3) is a copy of ``an-2``'s findings and assets rows with no ``runs`` row (a run killed before
  its last commit) and ``an-4`` (day 4) the same with a ``runs`` row whose status is ``failed``: neither counts.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pyarrow as pa
import pyarrow.compute as pc
from deltalake import DeltaTable, write_deltalake
from pyspark.sql import SparkSession

from jobs.config import load_config
from jobs.scan import ScanRequest, run_scan
from jobs.tables import ASSETS, FINDINGS, RUNS
from tests.integration.small_estate import write_small_estate

EU_BUCKET = "athena-eu-estate"
US_BUCKET = "athena-us-estate"
CLOCK = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
BSN_CSV = "id,bsn,department\n1,111222333,finance\n2,123456708,sales\n3,123456721,support\n"

_built: dict[str, Path] = {}


def day(n: int) -> datetime:
    """The clock of the run of day ``n``."""
    return CLOCK + timedelta(days=n)


def analyst_output(spark: SparkSession, endpoint_url: str, base: Path) -> Path:
    """The scan output described above (built on the first call of the session, under ``base``)."""
    if "output" not in _built:
        _built["output"] = _build(spark, endpoint_url, base)
    return _built["output"]


def _build(spark: SparkSession, endpoint_url: str, base: Path) -> Path:
    source = write_small_estate(base / "src")
    (source / "hr").mkdir()
    (source / "hr" / "staff.csv").write_text(BSN_CSV)
    layout = {
        EU_BUCKET: ("eu-west-1", ["crm", "hr"]),
        US_BUCKET: ("us-east-1", ["payments", "logs", "clean", "hr"]),
    }
    for bucket, (region, folders) in layout.items():
        client = boto3.client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=region,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        if region == "us-east-1":
            client.create_bucket(Bucket=bucket)
        else:
            # The stubs' LocationConstraint is a Literal of the regions they knew of; S3 takes any region name
            client.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})  # type: ignore[typeddict-item]
        for folder in folders:
            for path in sorted((source / folder).rglob("*")):
                if path.is_file():
                    client.upload_file(str(path), bucket, str(path.relative_to(source)))
    output = base / "tables"
    config = load_config()

    def scan(run_id: str, n: int, *buckets: str) -> None:
        request = ScanRequest(tuple(f"s3://{b}" for b in buckets), str(output), config, run_id)
        run_scan(spark, request, clock=lambda: day(n))

    scan("an-1", 1, EU_BUCKET, US_BUCKET)
    log = source / "logs" / "app.log"
    log.write_text(log.read_text() + "2024-06-02T09:00:00Z INFO mail sent to carol.white@example.com\n")
    client = boto3.client(
        "s3",
        endpoint_url=endpoint_url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    client.upload_file(str(log), US_BUCKET, "logs/app.log")
    scan("an-2", 2, US_BUCKET)
    _copy_run(output, "an-2", "an-3", day(3), status=None)
    _copy_run(output, "an-2", "an-4", day(4), status="failed")
    return output


def _copy_run(output: Path, run_id: str, new_id: str, at: datetime, status: str | None) -> None:
    """Append a copy of ``run_id``'s findings and assets rows as ``new_id`` (and a runs row when ``status``)."""
    for name, schema, stamp in (("findings", FINDINGS, "scanned_at"), ("assets", ASSETS, "scanned_at")):
        rows = DeltaTable(str(output / name)).to_pyarrow_table()
        rows = rows.filter(pc.equal(rows["run_id"], run_id)).select(schema.names).cast(schema)
        rows = rows.set_column(schema.get_field_index("run_id"), "run_id", pa.array([new_id] * rows.num_rows))
        stamps = pa.array([at] * rows.num_rows, schema.field(stamp).type)
        rows = rows.set_column(schema.get_field_index(stamp), stamp, stamps)
        write_deltalake(str(output / name), rows, mode="append")
    if status is not None:
        runs = DeltaTable(str(output / "runs")).to_pyarrow_table()
        row = runs.filter(pc.equal(runs["run_id"], run_id)).select(RUNS.names).cast(RUNS).to_pylist()[0]
        row.update(run_id=new_id, started_at=at, finished_at=at, status=status)
        write_deltalake(str(output / "runs"), pa.Table.from_pylist([row], schema=RUNS), mode="append")
