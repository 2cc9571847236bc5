"""The fault-injecting proxy (tests/fault_proxy.py) on its own, and storage.explain_read_error behind it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionClosedError, ReadTimeoutError, ResponseStreamingError

from jobs import storage
from tests.fault_proxy import DenyKey, EveryNth, FaultProxy, TransientKind

BUCKET = "fault-proxy-unit"
BODY = b"id,email\n" + b"1,someone@example.com\n" * 200


@pytest.fixture(scope="module")
def bucket(s3_endpoint: str) -> Iterator[str]:
    client = boto3.client("s3")
    client.create_bucket(Bucket=BUCKET)
    for key in ("data.csv", "kms.csv", "archived.csv", "denied.csv"):
        client.put_object(Bucket=BUCKET, Key=key, Body=BODY)
    client.put_object(Bucket=BUCKET, Key="tiny.csv", Body=b"a\n1\n")
    yield s3_endpoint


def one_attempt_client(endpoint: str) -> Any:
    """boto3 without retries and with a short read timeout, so each injected fault surfaces as it is."""
    config = Config(retries={"mode": "standard", "total_max_attempts": 1}, read_timeout=0.5)
    return boto3.client("s3", endpoint_url=endpoint, config=config)


@pytest.mark.parametrize(
    ("kind", "error"),
    [
        ("slowdown", "SlowDown"),
        ("internal_error", "InternalError"),
        ("reset", "ConnectionClosedError"),
        ("reset_mid_body", "ResponseStreamingError"),
        ("stall", "ReadTimeoutError"),
    ],
)
def test_every_nth_request_fails_with_its_kind_and_the_rest_pass_through(
    bucket: str, kind: TransientKind, error: str
) -> None:
    outcomes: list[str] = []
    with FaultProxy(bucket, [EveryNth(kind, 2, method="GET")], stall_seconds=1.5) as proxy:
        client = one_attempt_client(proxy.endpoint_url)
        for _ in range(4):
            try:
                body = client.get_object(Bucket=BUCKET, Key="data.csv")["Body"].read()
                outcomes.append("ok" if body == BODY else "wrong body")
            except ClientError as exc:
                outcomes.append(exc.response["Error"]["Code"])
            except (ConnectionClosedError, ResponseStreamingError, ReadTimeoutError) as exc:
                outcomes.append(type(exc).__name__)
        head = client.head_object(Bucket=BUCKET, Key="data.csv")["ContentLength"]  # HEAD is not a GET: never failed
    assert (outcomes, head) == (["ok", error, "ok", error], len(BODY))
    assert (proxy.requests, proxy.forwarded, dict(proxy.injected)) == (
        5,
        5 if kind == "reset_mid_body" else 3,  # a mid-body reset forwards the request and cuts the answer
        {kind: 2},
    )
    assert [path for _, path, _ in proxy.faulted] == [f"/{BUCKET}/data.csv"] * 2


def test_denied_keys_answer_as_s3_does(bucket: str) -> None:
    denied = [
        DenyKey("access_denied", BUCKET, "denied.csv"),
        DenyKey("kms_denied", BUCKET, "kms.csv"),
        DenyKey("archived", BUCKET, "archived.csv"),
    ]
    with FaultProxy(bucket, denied=denied) as proxy:
        client = one_attempt_client(proxy.endpoint_url)
        answers: dict[str, tuple[str, str]] = {}
        for key in ("denied.csv", "kms.csv", "archived.csv", "data.csv"):
            head = get = "ok"
            try:
                client.head_object(Bucket=BUCKET, Key=key)
            except ClientError as exc:
                head = exc.response["Error"]["Code"]  # a HEAD error has no body: botocore gives the status
            try:
                client.get_object(Bucket=BUCKET, Key=key)["Body"].read()
            except ClientError as exc:
                get = exc.response["Error"]["Code"]
            answers[key] = (head, get)
    assert answers == {
        "denied.csv": ("403", "AccessDenied"),
        "kms.csv": ("ok", "AccessDenied"),
        "archived.csv": ("ok", "InvalidObjectState"),
        "data.csv": ("ok", "ok"),
    }
    assert dict(proxy.injected) == {"access_denied": 2, "kms_denied": 1, "archived": 1}


def test_explain_read_error_names_what_pyarrow_loses(bucket: str, monkeypatch: pytest.MonkeyPatch) -> None:
    denied = [
        DenyKey("kms_denied", BUCKET, "kms.csv"),
        DenyKey("archived", BUCKET, "archived.csv"),
        DenyKey("kms_denied", BUCKET, "tiny.csv"),
    ]
    with FaultProxy(bucket, denied=denied) as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.endpoint_url)
        monkeypatch.setenv("AWS_ENDPOINT_URL_S3", proxy.endpoint_url)
        fs = storage.filesystem(storage.parse_uri(f"s3://{BUCKET}/data.csv"), "us-east-1")
        explained: dict[str, tuple[str, str]] = {}
        for key in ("kms.csv", "archived.csv", "tiny.csv"):
            with fs.open_input_stream(f"{BUCKET}/data.csv") as stream:
                assert stream.read() == BODY  # the next GetObject error of this file system loses S3's answer
            with pytest.raises(OSError) as raised, fs.open_input_stream(f"{BUCKET}/{key}") as stream:
                stream.read()
            explained[key] = (str(raised.value), str(storage.explain_read_error(f"s3://{BUCKET}/{key}", raised.value)))
    assert explained == {
        "kms.csv": (
            "AWS Error ACCESS_DENIED during GetObject operation: ",
            "GetObject failed: AccessDenied (the role may not decrypt the object with its SSE-KMS key: kms:Decrypt)",
        ),
        "archived.csv": (
            "AWS Error ACCESS_DENIED during GetObject operation: ",  # sic: InvalidObjectState, said as its status
            "GetObject failed: InvalidObjectState (archived in GLACIER; restore it to scan it)",
        ),
        "tiny.csv": (  # smaller than the error document
            "AWS Error INTERNAL_FAILURE during GetObject operation: Failed to flush response stream (eof: 0, bad: 1)",
            "GetObject failed: AccessDenied (the role may not decrypt the object with its SSE-KMS key: kms:Decrypt)",
        ),
    }


def test_explain_read_error_keeps_the_error_when_s3_now_answers(bucket: str) -> None:
    transient = OSError("AWS Error NETWORK_CONNECTION during GetObject operation: curl code 56")
    assert storage.explain_read_error(f"s3://{BUCKET}/data.csv", transient, "us-east-1") is transient


def test_explain_read_error_leaves_other_errors_alone() -> None:
    error = OSError("When reading information for key 'k' in bucket 'b': AWS Error ACCESS_DENIED during HeadObject")
    assert storage.explain_read_error("s3://b/k", error) is error
    assert storage.explain_read_error("file:///tmp/x.csv", error) is error
    other = ValueError("CSV parse error")
    assert storage.explain_read_error("s3://b/k", other) is other
