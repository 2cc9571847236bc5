"""The scan job against S3 through a fault-injecting proxy (tests/fault_proxy.py) in front of the local S3 server.

Transient faults (503 SlowDown, 500 InternalError, resets before and during an answer, stalls past the request
timeout) on every n-th request are retried by the S3 clients, so the run's findings and assets are exactly those
of a run without faults; that run writes its tables to S3 through the proxy too, so the tasks' Parquet writes
and the Delta commits are faulted as well. Permanent faults (AccessDenied, a kms:Decrypt the role may not do, an
archived object) fail only their object, with a precise reason, and the run commits with exit code 3.

All runs share one scan process (``jobs.scan.main`` once per run, as ``python -m jobs.scan`` calls it): its
Spark JVM starts once, and its Python workers inherit the proxy's endpoint from the start. The proxy lives in
this process, so each test sets its rules before asking the scan process for its run.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import queue
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import boto3
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from deltalake import DeltaTable

from jobs.delta_store import read_table, table_uri
from jobs.local_s3 import LocalS3
from jobs.storage import REQUEST_TIMEOUT_ENV, parse_uri, storage_options
from tests.fault_proxy import TRANSIENT_KINDS, DenyKey, EveryNth, FaultProxy, PermanentKind

ROOT = Path(__file__).resolve().parents[2]
BUCKET = "faults-estate"
SOURCE = f"s3://{BUCKET}/"
FINDINGS_BUCKET = "faults-findings"  # where the run with transient faults writes its tables, through the proxy
REQUEST_TIMEOUT_SECONDS = 1.0  # the scan's S3 request timeout: a stall of STALL_SECONDS must trip it
STALL_SECONDS = 2.0
RUN_TIMEOUT_SECONDS = 240
VOLATILE = {"findings": ("finding_id", "run_id", "scanned_at"), "assets": ("run_id", "scanned_at", "duration_ms")}
# One run with every kind of transient fault, each on every n-th request its rule matches (the first rule that
# fires wins). A run without faults makes about 50 requests, so each kind hits 2 to 8 times: enough to cross
# listing, HEAD and GET requests, few enough that the SDKs' backoff (seconds per SlowDown) keeps the run short.
# Mid-body resets need GETs with a body. (Each kind alone, one run per kind, passes too.)
TRANSIENT_RULES = (
    # the driver lists once (one page): its first two attempts are throttled
    EveryNth("slowdown", 1, method="GET", target_contains="list-type=2", limit=2),
    # every GET: estate reads, Delta log reads and the 404 of _last_checkpoint (delta_store._open retries that one)
    EveryNth("reset_mid_body", 5, method="GET"),
    EveryNth("slowdown", 9),
    EveryNth("internal_error", 11),
    EveryNth("reset", 7),
    EveryNth("stall", 19),
)

DENIED: dict[str, PermanentKind] = {
    "restricted/salaries.csv": "access_denied",
    "finance/kms-encrypted.csv": "kms_denied",
    "archive/2019-customers.csv": "archived",
}
# Driver of the scan process: one JSON request per stdin line, one RESULT line per run on stdout.
DRIVER = """
import json, sys
from jobs.scan import main
for line in sys.stdin:
    request = json.loads(line)
    code = main(["--source", request["source"], "--output", request["output"], "--run-id", request["run_id"],
                 "--master", "local[2]"])
    print("RESULT " + json.dumps({"run_id": request["run_id"], "exit": code}), flush=True)
"""


def _csv(rows: int, offset: int) -> bytes:
    lines = ["id,email,phone,city"]
    lines += [
        f"{1000 + i},user{offset + i}@example.com,+44 20 7946 0{(offset + i) % 1000:03d},Leeds" for i in range(rows)
    ]
    return ("\n".join(lines) + "\n").encode()


def _jsonl_gz(rows: int) -> bytes:
    text = "".join(
        json.dumps({"ticket": i, "contact": f"ticket{i}@example.org", "body": "printer jams again"}) + "\n"
        for i in range(rows)
    )
    return gzip.compress(text.encode(), mtime=0)


def _parquet(rows: int) -> bytes:
    cards = ["4111111111111111", "5555555555554444", "378282246310005", "6011111111111117"]
    table = pa.table({"card": [cards[i % len(cards)] for i in range(rows)], "amount": [float(i) for i in range(rows)]})
    sink = io.BytesIO()
    pq.write_table(table, sink, row_group_size=max(1, rows // 3))
    return sink.getvalue()


def _log(rows: int) -> bytes:
    return "".join(
        f"2024-06-01T10:00:{i % 60:02d}Z INFO GET /orders/{i} from ip 203.0.113.{i % 250}\n" for i in range(rows)
    ).encode()


ESTATE: dict[str, bytes] = {
    "crm/customers/region=eu/part-0.csv": _csv(150, 0),
    "crm/customers/region=us/part-1.csv": _csv(120, 500),
    "support/tickets.jsonl.gz": _jsonl_gz(200),
    "payments/cards.parquet": _parquet(300),
    "logs/app.log": _log(200),
    # larger than S3's error document, as data objects are (see test_a_tiny_denied_object... below)
    "restricted/salaries.csv": _csv(40, 2000),
    "finance/kms-encrypted.csv": _csv(40, 3000),
    "archive/2019-customers.csv": _csv(40, 4000),
}
# What the detectors find in ESTATE; a run without faults must find exactly this.
EXPECTED_FINDINGS = {
    ("s3://faults-estate/crm/customers/", "email", "EMAIL_ADDRESS"),
    ("s3://faults-estate/crm/customers/", "phone", "PHONE_NUMBER"),
    ("s3://faults-estate/support/tickets.jsonl.gz", "contact", "EMAIL_ADDRESS"),
    ("s3://faults-estate/payments/cards.parquet", "card", "CREDIT_CARD"),
    ("s3://faults-estate/logs/app.log", None, "IP_ADDRESS"),
    ("s3://faults-estate/restricted/salaries.csv", "email", "EMAIL_ADDRESS"),
    ("s3://faults-estate/restricted/salaries.csv", "phone", "PHONE_NUMBER"),
    ("s3://faults-estate/finance/kms-encrypted.csv", "email", "EMAIL_ADDRESS"),
    ("s3://faults-estate/finance/kms-encrypted.csv", "phone", "PHONE_NUMBER"),
    ("s3://faults-estate/archive/2019-customers.csv", "email", "EMAIL_ADDRESS"),
    ("s3://faults-estate/archive/2019-customers.csv", "phone", "PHONE_NUMBER"),
}


@dataclass(frozen=True)
class Run:
    """One finished scan run: its exit code, tables and what the proxy saw."""

    exit_code: int
    tables: dict[str, list[dict[str, Any]]]  # findings, assets and runs rows
    requests: int
    injected: dict[str, int]
    faulted: list[tuple[str, str, str]]  # (method, path, kind) of each fault


class ScanProcess:
    """The scan process behind the proxy; ``run`` sets the proxy's rules and scans the estate once."""

    def __init__(self, proxy: FaultProxy, base: Path, upstream: str) -> None:
        self.proxy = proxy
        self.base = base
        self.upstream = upstream  # the S3 server behind the proxy
        env = {
            **os.environ,
            "AWS_ENDPOINT_URL": proxy.endpoint_url,
            "AWS_ENDPOINT_URL_S3": proxy.endpoint_url,
            REQUEST_TIMEOUT_ENV: str(REQUEST_TIMEOUT_SECONDS),
        }
        self.log = (base / "scan.log").open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-c", DRIVER],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
        )
        self.results: queue.Queue[str] = queue.Queue()
        assert self.process.stdout is not None
        threading.Thread(target=self._read, args=(self.process.stdout,), daemon=True).start()

    def _read(self, stdout: IO[str]) -> None:
        for line in stdout:
            if line.startswith("RESULT "):
                self.results.put(line.removeprefix("RESULT "))

    def run(
        self,
        run_id: str,
        rules: list[EveryNth] | None = None,
        denied: list[DenyKey] | None = None,
        output: str | None = None,
    ) -> Run:
        """Scan the estate with the proxy's rules set to these, writing to ``output`` (default: a local folder).

        Raises when the process does not answer.
        """
        self.proxy.set_rules(rules or [], denied or [])
        output = output or str(self.base / run_id / "tables")
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps({"run_id": run_id, "source": SOURCE, "output": output}) + "\n")
        self.process.stdin.flush()
        try:
            answer = json.loads(self.results.get(timeout=RUN_TIMEOUT_SECONDS))
        except queue.Empty:
            raise AssertionError(f"no answer for run {run_id}; log:\n{self._log_tail()}") from None
        assert answer["run_id"] == run_id
        tables: dict[str, list[dict[str, Any]]] = {}
        for name in ("findings", "assets", "runs"):
            uri = table_uri(output, name)  # read straight from the S3 server, not through the proxy
            location = parse_uri(uri)
            options = storage_options(location)
            if location.scheme == "s3":
                options.update(AWS_ENDPOINT_URL=self.upstream, AWS_ENDPOINT_URL_S3=self.upstream)
            table = DeltaTable(uri, storage_options=options)
            tables[name] = table.to_pyarrow_table().to_pylist()
        proxy = self.proxy
        return Run(answer["exit"], tables, proxy.requests, dict(proxy.injected), list(proxy.faulted))

    def _log_tail(self) -> str:
        self.log.flush()
        return (self.base / "scan.log").read_text(errors="replace")[-4000:]

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def step(path: str) -> str:
    """Which step of a run a request of ``path`` belongs to."""
    if path == f"/{BUCKET}":
        return "listing"
    if path.startswith(f"/{BUCKET}/"):
        return "reading"
    if path == f"/{FINDINGS_BUCKET}" or "/_delta_log/" in path:
        return "committing"
    return "writing"


def stable(run: Run, table: str) -> list[dict[str, Any]]:
    """The table's rows without the columns that differ between runs, in a fixed order."""
    rows = [{k: v for k, v in row.items() if k not in VOLATILE[table]} for row in run.tables[table]]
    return sorted(rows, key=lambda row: json.dumps(row, sort_keys=True, default=str))


@pytest.fixture(scope="module")
def own_s3(s3_endpoint: str) -> Iterator[str]:  # the session's server sets the dummy credentials this one uses
    """An S3 server of this module's own: what faulted requests leave behind (half-done multipart uploads...)
    stays out of the session's server, whose whole state other tests read (moto-api/data.json)."""
    with LocalS3() as server:
        yield server.endpoint_url


@pytest.fixture(scope="module")
def scans(own_s3: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScanProcess]:
    client = boto3.client("s3", endpoint_url=own_s3)
    client.create_bucket(Bucket=BUCKET)
    client.create_bucket(Bucket=FINDINGS_BUCKET)
    for key, body in ESTATE.items():
        client.put_object(Bucket=BUCKET, Key=key, Body=body)
    with FaultProxy(own_s3, stall_seconds=STALL_SECONDS) as proxy:
        process = ScanProcess(proxy, tmp_path_factory.mktemp("s3-faults"), own_s3)
        try:
            yield process
        finally:
            process.close()


@pytest.fixture(scope="module")
def baseline(scans: ScanProcess) -> Run:
    return scans.run("run-no-faults")


def test_a_run_without_faults_finds_the_planted_columns(baseline: Run) -> None:
    found = {(r["asset"], r["column"], r["entity_type"]) for r in baseline.tables["findings"]}
    assert (baseline.exit_code, found, baseline.injected) == (0, EXPECTED_FINDINGS, {})
    assert {(r["asset"], r["status"], r["reason"]) for r in baseline.tables["assets"]} == {
        (f"s3://{BUCKET}/{key}", "scanned", None) for key in ESTATE
    }
    assert [r["status"] for r in baseline.tables["runs"]] == ["succeeded"]


def test_transient_faults_are_retried_and_change_nothing(scans: ScanProcess, baseline: Run) -> None:
    # also the Parquet files the tasks write (pyarrow) and the Delta commits on the driver (delta-rs) go through it
    run = scans.run("run-transient-faults", list(TRANSIENT_RULES), output=f"s3://{FINDINGS_BUCKET}/tables")
    print(f"{run.requests} requests, faults {run.injected}, by step {Counter(step(p) for _, p, _ in run.faulted)}")
    assert {kind: run.injected.get(kind, 0) > 0 for kind in TRANSIENT_KINDS} == dict.fromkeys(TRANSIENT_KINDS, True), (
        f"not every kind of fault was injected in {run.requests} requests: {run.injected}"
    )
    # listing on the driver (boto3), reading and writing in the Spark tasks (pyarrow) and the Delta log (delta-rs)
    assert {step(path) for _, path, _ in run.faulted} == {"listing", "reading", "writing", "committing"}
    assert run.exit_code == 0
    assert stable(run, "findings") == stable(baseline, "findings")
    assert stable(run, "assets") == stable(baseline, "assets")
    assert [(r["status"], r["objects_failed"]) for r in run.tables["runs"]] == [("succeeded", 0)]


def test_permanent_errors_fail_only_their_objects_with_a_precise_reason(scans: ScanProcess, baseline: Run) -> None:
    denied = [DenyKey(kind, BUCKET, key) for key, kind in DENIED.items()]
    run = scans.run("run-permanent-errors", denied=denied)
    assert run.exit_code == 3  # finished and committed, some objects failed
    failed = {f"s3://{BUCKET}/{key}" for key in DENIED}
    reasons = {r["asset"]: (r["status"], r["reason"]) for r in run.tables["assets"] if r["asset"] in failed}
    # pyarrow loses S3's answer (a HeadObject error has no body; GetObject errors lose theirs after a first read in
    # the same worker): storage.explain_read_error asks S3 again and names the error code and what it means.
    assert reasons == {
        f"s3://{BUCKET}/restricted/salaries.csv": (
            "error",
            "SourceError: GetObject failed: AccessDenied (the role may not s3:GetObject it)",
        ),
        f"s3://{BUCKET}/finance/kms-encrypted.csv": (
            "error",
            "SourceError: GetObject failed: AccessDenied (the role may not decrypt the object with its SSE-KMS key: "
            "kms:Decrypt)",
        ),
        f"s3://{BUCKET}/archive/2019-customers.csv": (
            "error",
            "SourceError: GetObject failed: InvalidObjectState (archived in GLACIER; restore it to scan it)",
        ),
    }
    assert run.injected == {"access_denied": 2, "kms_denied": 2, "archived": 2}  # the read, then the probe
    # every other object is scanned exactly as without faults
    assert [r for r in stable(run, "assets") if r["asset"] not in failed] == [
        r for r in stable(baseline, "assets") if r["asset"] not in failed
    ]
    assert [r for r in stable(run, "findings") if r["asset"] not in failed] == [
        r for r in stable(baseline, "findings") if r["asset"] not in failed
    ]
    assert [(r["status"], r["objects_failed"]) for r in run.tables["runs"]] == [("succeeded_with_errors", 3)]
    written = " ".join(r["reason"] or "" for r in run.tables["assets"])
    values = {value for key in DENIED for row in ESTATE[key].decode().splitlines()[1:] for value in row.split(",")[1:3]}
    assert [value for value in values if value in written] == []


def test_opening_a_delta_table_survives_a_reset_in_a_404_body(own_s3: str, monkeypatch: pytest.MonkeyPatch) -> None:
    rule = EveryNth("reset_mid_body", 1, method="GET", target_contains="_last_checkpoint", limit=1)
    with FaultProxy(own_s3, [rule]) as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.endpoint_url)
        monkeypatch.setenv("AWS_ENDPOINT_URL_S3", proxy.endpoint_url)
        try:
            assert read_table(f"s3://{FINDINGS_BUCKET}/never-written", ["run_id"]) is None
        finally:
            assert dict(proxy.injected) == {"reset_mid_body": 1}
