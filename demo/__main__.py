"""``make demo``: the scan job end to end on the embedded default.

Generates a small synthetic estate, serves it from a local S3 endpoint (a moto server on 127.0.0.1) and, when
PostgreSQL and its JDBC driver are installed, a throw-away database on loopback; scans it with local Spark
against the ``s3://`` and ``jdbc:postgresql://`` URIs, writes the Delta tables under ``demo-output/``, prints the run
summary and how the findings compare with what was planted. Then it uploads one object again and reruns
the scan incrementally: only that object is read, the findings of everything else are carried forward, and
the planted findings must all still be current. Finally it tags the estate: a dry run of the tag job, then the
same plan applied, printing what changed, and writes every object's and bucket's tags to ``<output>/tags.json``;
and writes the report (Markdown, CSV, HTML), printing its path.
Exits non-zero if a run failed, any object could not be read or tagged, or the rerun's findings differ from
the first run's.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import boto3

from demo.estate import DemoDatabase, Estate, demo_database, generate_estate, reupload, upload_estate
from demo.nlp import with_installed_ner
from jobs.cli import new_run_id
from jobs.config import load_config
from jobs.local_postgres import DRIVER_JAR, PostgresCluster, unavailable_reason
from jobs.local_s3 import LocalS3, s3_env
from jobs.report import format_summary as format_report_summary
from jobs.report import run_report
from jobs.report_config import DEFAULT_REPORT_CONFIG
from jobs.scan import EXIT_FAILED, EXIT_OK, ScanRequest, format_summary, run_scan
from jobs.tag import TagRequest, run_tag
from jobs.tag import format_summary as format_tag_summary
from jobs.tag import new_run_id as new_tag_run_id
from jobs.tag_config import load_tag_config


def expected_findings(estate: Estate) -> set[tuple[str, str | None, str]]:
    """The planted (asset URI, column, entity type) triples, as the findings table names them."""
    return {(f"s3://{p.bucket}/{p.asset}", p.column, p.entity_type) for p in estate.planted}


def compare(found: set[tuple[str, str | None, str]], expected: set[tuple[str, str | None, str]]) -> list[str]:
    """Lines comparing findings with the ground truth: matched, missed and unexpected findings."""
    missed, unexpected = sorted(expected - found, key=str), sorted(found - expected, key=str)
    lines = [
        f"Ground truth: {len(found & expected)} of {len(expected)} planted sensitive columns found, "
        f"{len(unexpected)} unexpected finding(s)"
    ]
    lines += [f"  missed:     {a} [{c}] {e}" for a, c, e in missed]
    lines += [f"  unexpected: {a} [{c}] {e}" for a, c, e in unexpected]
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """Run the demo; returns the process exit code."""
    parser = argparse.ArgumentParser(prog="demo", description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--output", default="demo-output", help="folder for the estate and the Delta tables")
    parser.add_argument("--rows", type=int, default=200, help="rows per generated table")
    args = parser.parse_args(argv)
    from jobs.logs import configure_logging
    from jobs.spark import build_session

    configure_logging()

    output = Path(args.output).resolve()
    shutil.rmtree(output, ignore_errors=True)
    started = time.monotonic()
    estate = generate_estate(output / "estate", rows=args.rows)
    print(f"Generated a synthetic estate of {len(estate.objects())} objects under {output / 'estate'}")
    database = demo_database(rows=args.rows)
    with LocalS3() as s3, _local_database(database) as jdbc:
        os.environ.update(s3_env(s3.endpoint_url))  # Spark's JVM and Python workers inherit these
        buckets = upload_estate(estate, s3.endpoint_url)
        print(f"Local S3 endpoint {s3.endpoint_url} serves {len(buckets)} buckets: {', '.join(buckets)}")
        expected = expected_findings(estate)
        sources = list(buckets)
        if jdbc is not None:
            source, asset = jdbc
            sources.append(source)
            expected |= {(asset, column, entity) for column, entity in database.planted}

        spark = build_session("piiscan-demo", jars=[str(DRIVER_JAR)] if jdbc is not None else [])
        try:
            request = ScanRequest(
                sources=tuple(sources),
                output=str(output / "tables"),
                config=with_installed_ner(load_config()),
                run_id=new_run_id(datetime.now(UTC)),
            )
            result = run_scan(spark, request)
            found = _findings_of_run(output / "tables" / "findings", request.run_id)
            bucket, key = next(obj for obj in estate.objects() if obj[1].endswith(".log"))
            reupload(estate, s3.endpoint_url, bucket, key)  # same bytes, later last-modified: read again
            rerun = replace(request, run_id=new_run_id(datetime.now(UTC)))
            rerun_result = run_scan(spark, rerun)
            rerun_found = _findings_of_run(output / "tables" / "findings", rerun.run_id)
            tag_request = TagRequest(str(output / "tables"), load_tag_config(), new_tag_run_id(datetime.now(UTC)))
            planned = run_tag(spark, replace(tag_request, dry_run=True))
            tagged = run_tag(spark, tag_request)  # applies the plan the dry run committed
            all_tags = _all_tags(s3.endpoint_url, estate.objects())
            (output / "tags.json").write_text(json.dumps(all_tags, indent=1, sort_keys=True) + "\n")
            report = run_report(str(output / "tables"), DEFAULT_REPORT_CONFIG, None, datetime.now(UTC))
        finally:
            spark.stop()
    print()
    print(format_summary(result))
    print()
    print("\n".join(compare(found, expected)))
    print()
    print(f"Incremental rerun {rerun.run_id} after uploading s3://{bucket}/{key} again:")
    print(
        f"  {rerun_result.objects_scanned} object(s) read, {rerun_result.objects_unchanged} unchanged and not read; "
        f"{rerun_result.findings} current findings, {rerun_result.findings_carried} carried forward"
    )
    print("\n".join(f"  {line}" for line in compare(rerun_found, expected)))
    print()
    print(format_tag_summary(planned))
    print()
    print(format_tag_summary(tagged))
    print("  tags now on a few objects (the job's keys start with its prefix; the others are left alone):")
    examples = [(uri, tags) for uri, tags in all_tags["objects"].items() if any(k.startswith("piiscan:") for k in tags)]
    for uri, tags in examples[:4]:
        print(f"    {uri}: {', '.join(f'{k}={v}' for k, v in sorted(tags.items())) or '(none)'}")
    print(f"  every object's and bucket's tags: {output / 'tags.json'}")
    print()
    print(format_report_summary(*report))
    print()
    print(
        f"Delta tables written under {output / 'tables'}: findings, assets, runs "
        f"({time.monotonic() - started:.0f}s in all)"
    )
    failed = result.objects_failed + rerun_result.objects_failed + tagged.failed_targets
    return EXIT_OK if failed == 0 and rerun_found == found else EXIT_FAILED


def _all_tags(endpoint_url: str, objects: list[tuple[str, str]]) -> dict[str, dict[str, dict[str, str]]]:
    """The tags of every object of the estate and of its buckets, after tagging (``tags.json``)."""
    client = boto3.client("s3", endpoint_url=endpoint_url)
    found: dict[str, dict[str, dict[str, str]]] = {"objects": {}, "buckets": {}}
    for bucket, key in objects:
        tag_set = client.get_object_tagging(Bucket=bucket, Key=key)["TagSet"]
        found["objects"][f"s3://{bucket}/{key}"] = {t["Key"]: t["Value"] for t in tag_set}
    for bucket in sorted({bucket for bucket, _ in objects}):
        try:
            tag_set = client.get_bucket_tagging(Bucket=bucket)["TagSet"]
        except client.exceptions.ClientError:  # NoSuchTagSet: a bucket with no tags
            tag_set = []
        found["buckets"][f"s3://{bucket}"] = {t["Key"]: t["Value"] for t in tag_set}
    return found


@contextmanager
def _local_database(database: DemoDatabase) -> Iterator[tuple[str, str] | None]:
    """A throw-away PostgreSQL with the demo table: yields (source URI, asset URI), or None when unavailable."""
    reason = unavailable_reason()
    if reason is not None:
        print(f"No JDBC source in this demo: {reason}")
        yield None
        return
    with PostgresCluster() as cluster:
        cluster.create_database(DEMO_DB, DEMO_READER, database.setup_sql.replace("{reader}", DEMO_READER))
        os.environ["PIISCAN_JDBC_PASSWORD"] = cluster.password  # how the job gets it: never in the URI or config
        source = cluster.source(DEMO_DB, DEMO_READER)
        print(f"Local PostgreSQL on 127.0.0.1:{cluster.port} serves {DEMO_DB}.{database.table}")
        yield source, f"jdbc:postgresql://127.0.0.1:{cluster.port}/{DEMO_DB}/{database.table}"


DEMO_DB = "crm"
DEMO_READER = "piiscan_reader"


def _findings_of_run(table: Path, run_id: str) -> set[tuple[str, str | None, str]]:
    from deltalake import DeltaTable

    data = DeltaTable(str(table)).to_pyarrow_table(filters=[("run_id", "=", run_id)])
    return {
        (r["asset"], r["column"], r["entity_type"]) for r in data.select(["asset", "column", "entity_type"]).to_pylist()
    }


if __name__ == "__main__":
    sys.exit(main())
