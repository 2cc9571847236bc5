"""Where objects live: source URIs, listing (on the driver) and opening (in Spark tasks).

Local paths and ``file://`` URIs use pyarrow's local file system. ``s3://`` URIs use boto3 for listing and
pyarrow's S3 file system for reading; both honour ``AWS_ENDPOINT_URL_S3`` / ``AWS_ENDPOINT_URL``, so the same
code runs against a local S3 endpoint, Glue and EMR.

A bucket matching a member account of the ``accounts`` configuration (jobs/accounts.py) is listed and read with
the credentials of the role assumed in that account; every other bucket with the default credential chain.

Transient S3 failures (503 SlowDown, 500 InternalError, connection resets, stalled connections) are retried with
exponential backoff and jitter by each client itself: pyarrow's (AWS C++ SDK standard strategy) and boto3's
(standard mode) with the settings below; delta-rs's object_store retries 5xx, resets and timeouts by default
(10 retries within 3 minutes, 30 s request timeout). Permanent errors (403, 404) are not retried and become the
object's reason.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NoReturn
from urllib.parse import urlparse

import pyarrow.fs as pafs

from classifiers.errors import ConfigError, SourceError
from jobs.accounts import Credentials, credentials_for_bucket, member_for_bucket
from jobs.aws_errors import error_code

if TYPE_CHECKING:
    from botocore.config import Config

ARCHIVE_STORAGE_CLASSES = frozenset({"GLACIER", "DEEP_ARCHIVE"})
DEFAULT_REGION = "us-east-1"

# Attempts per S3 request, the first included. The SDKs' defaults (3 for pyarrow and boto3's standard mode) give
# up after a second or two of backoff, shorter than S3's SlowDown episodes when many tasks read one prefix;
# 10 attempts back off exponentially with jitter for tens of seconds in all before the object is failed.
S3_MAX_ATTEMPTS = 10
# A connection to S3 is made within milliseconds; 10 s only trips on a black-holed endpoint or a lost SYN.
S3_CONNECT_TIMEOUT_SECONDS = 10.0
# Seconds without a byte from S3 before the request counts as stalled and is retried (pyarrow: no progress for
# that long; boto3: one socket read). S3 starts answering within a second, so 60 s is only ever a dead
# connection. PIISCAN_S3_REQUEST_TIMEOUT overrides it, so tests can stall a request past it quickly.
S3_REQUEST_TIMEOUT_SECONDS = 60.0
REQUEST_TIMEOUT_ENV = "PIISCAN_S3_REQUEST_TIMEOUT"


@dataclass(frozen=True)
class Location:
    """A parsed source or output URI: ``scheme`` is ``s3`` or ``file``; ``path`` has no leading slash for S3."""

    scheme: str
    bucket: str
    path: str

    @property
    def uri(self) -> str:
        """The canonical URI (``s3://bucket/key`` or ``file:///abs/path``)."""
        if self.scheme == "s3":
            return f"s3://{self.bucket}/{self.path}"
        return f"file://{self.path}"

    @property
    def fs_path(self) -> str:
        """The path as pyarrow file systems expect it."""
        return f"{self.bucket}/{self.path}" if self.scheme == "s3" else self.path


@dataclass(frozen=True)
class ObjectInfo:
    """One listed object."""

    uri: str
    size: int
    last_modified: datetime
    storage_class: str | None = None
    etag: str | None = None  # S3's ETag without quotes; None for local files
    # An archived object's restore: "ongoing", "done" (its restored copy can be read until it expires), or None.
    restore: Literal["ongoing", "done"] | None = None


def parse_uri(uri: str) -> Location:
    """Parse a local path, ``file://`` or ``s3://bucket/prefix`` URI; anything else is a ConfigError."""
    # Not urlparse: object keys may contain '#' and '?', which are not fragments or queries here.
    scheme, separator, rest = uri.partition("://")
    if not separator:
        scheme, rest = "", uri
    if scheme == "s3":
        bucket, _, key = rest.partition("/")
        if not bucket:
            raise ConfigError(f"S3 URI {uri!r} has no bucket; expected s3://bucket/prefix")
        return Location("s3", bucket, key)
    if scheme in ("", "file"):
        return Location("file", "", str(Path(rest).resolve()) + ("/" if uri.endswith("/") else ""))
    raise ConfigError(f"unsupported URI scheme {scheme!r} in {uri!r}; use a local path, file:// or s3://")


def s3_endpoint() -> str | None:
    """The S3 endpoint override from the standard AWS variables, if any."""
    return os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL") or None


def s3_request_timeout() -> float:
    """Seconds without a byte from S3 before a request is retried: S3_REQUEST_TIMEOUT_SECONDS or the override."""
    override = os.environ.get(REQUEST_TIMEOUT_ENV)
    if not override:
        return S3_REQUEST_TIMEOUT_SECONDS
    try:
        seconds = float(override)
    except ValueError:
        seconds = 0.0
    if seconds <= 0:
        raise ConfigError(f"{REQUEST_TIMEOUT_ENV} must be a positive number of seconds, not {override!r}")
    return seconds


def default_region() -> str:
    """The region from the standard AWS variables (us-east-1 when unset)."""
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION


@lru_cache(maxsize=64)
def _s3_filesystem(
    region: str,
    endpoint: str | None,
    credentials: Credentials | None = None,
    request_timeout: float = S3_REQUEST_TIMEOUT_SECONDS,
) -> pafs.S3FileSystem:
    # ``credentials`` is part of the cache key: renewed credentials of a member role give a new file system.
    options: dict[str, object] = {
        "region": region,
        "retry_strategy": pafs.AwsStandardS3RetryStrategy(max_attempts=S3_MAX_ATTEMPTS),
        "connect_timeout": S3_CONNECT_TIMEOUT_SECONDS,
        "request_timeout": request_timeout,
    }
    if credentials is not None:
        options.update(
            access_key=credentials.access_key,
            secret_key=credentials.secret_key,
            session_token=credentials.session_token,
        )
    if endpoint:
        parsed = urlparse(endpoint)
        options.update(endpoint_override=parsed.netloc or parsed.path, scheme=parsed.scheme or "https")
    return pafs.S3FileSystem(**options)


def filesystem(location: Location, region: str | None = None) -> pafs.FileSystem:
    """A pyarrow file system able to read ``location`` (cached per region, endpoint and member credentials).

    When the role of the bucket's member account cannot be assumed, every operation of the returned file system
    raises that SourceError: readers report it as the object's reason, like any other read failure.
    """
    if location.scheme != "s3":
        return pafs.LocalFileSystem()
    try:
        credentials = credentials_for_bucket(location.bucket)
    except SourceError as exc:
        return pafs.PyFileSystem(_Unreadable(exc))
    return _s3_filesystem(region or default_region(), s3_endpoint(), credentials, s3_request_timeout())


class _Unreadable(pafs.FileSystemHandler):  # type: ignore[misc]  # pyarrow has no type information
    """A file system whose every operation raises ``error`` (a member role that could not be assumed)."""

    def __init__(self, error: SourceError) -> None:
        self.error = error

    def get_type_name(self) -> str:
        return "unreadable"

    def normalize_path(self, path: str) -> str:
        return path

    def _fail(self, *args: object, **kwargs: object) -> NoReturn:
        raise SourceError(str(self.error))

    get_file_info = get_file_info_selector = create_dir = delete_dir = delete_dir_contents = _fail
    delete_root_dir_contents = delete_file = move = copy_file = _fail
    open_input_stream = open_input_file = open_output_stream = open_append_stream = _fail


def explain_read_error(uri: str, exc: BaseException, region: str | None = None) -> BaseException:
    """A precise error for a failed GetObject or HeadObject of an S3 object, in place of pyarrow's vague one.

    A HeadObject error has no body to say why; and pyarrow 26 (AWS C++ SDK) reports a GetObject error on a file
    system that has already read an object with the HTTP status's code and an empty message (InvalidObjectState
    becomes ``ACCESS_DENIED``), and for an object smaller than S3's error document ``INTERNAL_FAILURE ... Failed
    to flush response stream``. On either error this asks S3 again with boto3 for one byte and returns a
    SourceError naming S3's error code and what it means; ``exc`` itself for anything else, and when the second
    request succeeds (the failure was transient). Only the code is kept: S3's messages are checked for ``kms:``
    but never recorded.
    """
    location = parse_uri(uri)
    failed_call = any(f"during {call} operation" in str(exc) for call in ("GetObject", "HeadObject"))
    if location.scheme != "s3" or not isinstance(exc, OSError) or not failed_call:
        return exc
    try:
        client = s3_client(region, location.bucket)
        client.get_object(Bucket=location.bucket, Key=location.path, Range="bytes=0-0")["Body"].close()  # type: ignore[attr-defined]
    except SourceError as probe:  # the member role cannot be assumed any more
        return probe
    except Exception as probe:  # noqa: BLE001 - whatever S3 answers now is the precise reason
        code = error_code(probe)
        return SourceError(f"GetObject failed: {code}{_read_hint(code, probe)}")
    return exc


def _read_hint(code: str, exc: BaseException) -> str:
    response = getattr(exc, "response", None)
    details = response if isinstance(response, dict) else {}
    message = str(details.get("Error", {}).get("Message", ""))
    if code in ("AccessDenied", "403") and "kms:" in message:
        return " (the role may not decrypt the object with its SSE-KMS key: kms:Decrypt)"
    if code in ("AccessDenied", "403"):
        return " (the role may not s3:GetObject it)"
    if code == "InvalidObjectState":
        storage_class = details.get("StorageClass")
        known = isinstance(storage_class, str) and re.fullmatch(r"[A-Z_]{1,32}", storage_class)
        where = f" in {storage_class}" if known else ""
        return f" (archived{where}; restore it to scan it)"
    if code in ("NoSuchKey", "404"):
        return " (deleted since it was listed)"
    return ""


MAX_METADATA_BYTES = 64 * 1024 * 1024  # far above any real metadata file; a stray huge one cannot fill the driver


def read_metadata(uri: str, region: str | None = None) -> bytes:
    """A small metadata object (RDS export info, UNLOAD manifest), read whole on the driver.

    Raises ValueError for an object larger than MAX_METADATA_BYTES instead of reading a truncated copy.
    """
    location = parse_uri(uri)
    with filesystem(location, region).open_input_stream(location.fs_path) as stream:
        data = bytes(stream.read(MAX_METADATA_BYTES + 1))
    if len(data) > MAX_METADATA_BYTES:
        raise ValueError(f"larger than {MAX_METADATA_BYTES} bytes")
    return data


def s3_client(region: str | None = None, bucket: str | None = None) -> object:
    """A boto3 S3 client; boto3 reads the endpoint variables and credentials from the environment itself.

    With ``bucket`` of a member account, the client uses the credentials of the role assumed there.
    """
    return s3_client_with(credentials_for_bucket(bucket) if bucket else None, region)


def s3_client_with(credentials: Credentials | None, region: str | None = None) -> object:
    """A boto3 S3 client with ``credentials`` (an assumed role's), or the default credential chain for None.

    Its calls are retried in botocore's standard mode (exponential backoff with jitter) up to S3_MAX_ATTEMPTS.
    """
    import boto3

    config = s3_client_config()
    if credentials is None:
        return boto3.client("s3", region_name=region or default_region(), config=config)
    return boto3.client(
        "s3",
        region_name=region or default_region(),
        config=config,
        aws_access_key_id=credentials.access_key,
        aws_secret_access_key=credentials.secret_key,
        aws_session_token=credentials.session_token,
    )


def s3_client_config() -> Config:
    """The botocore Config of the S3 clients: retries and timeouts as for pyarrow's file system."""
    from botocore.config import Config

    return Config(
        retries={"mode": "standard", "total_max_attempts": S3_MAX_ATTEMPTS},
        connect_timeout=S3_CONNECT_TIMEOUT_SECONDS,
        read_timeout=s3_request_timeout(),
    )


def _as_member(bucket: str) -> str:
    """`` as ROLE_ARN`` for a bucket of a member account, for error reasons; empty otherwise."""
    member = member_for_bucket(bucket)
    return "" if member is None else f" as {member.role_arn}"


@lru_cache(maxsize=1024)
def bucket_region(bucket: str) -> str:
    """The region of ``bucket`` (GetBucketLocation; a null location constraint means us-east-1)."""
    client = s3_client(bucket=bucket)
    try:
        constraint = client.get_bucket_location(Bucket=bucket).get("LocationConstraint")  # type: ignore[attr-defined]
    except Exception as exc:
        raise SourceError(
            f"cannot determine the region of bucket {bucket!r}{_as_member(bucket)}: {error_code(exc)}"
        ) from exc
    return str(constraint) if constraint else DEFAULT_REGION


def list_objects(location: Location) -> Iterator[ObjectInfo]:
    """Every object under ``location`` (a prefix or folder), in key order. Folder markers are not objects."""
    if location.scheme == "s3":
        yield from _list_s3(location)
    else:
        yield from _list_local(location)


def _list_s3(location: Location) -> Iterator[ObjectInfo]:
    client = s3_client(bucket_region(location.bucket), location.bucket)
    paginator = client.get_paginator("list_objects_v2")  # type: ignore[attr-defined]
    try:
        # RestoreStatus tells restored archive objects, which can be read, from the others. Directory buckets (S3
        # Express, named ...--x-s3) have no archive classes and refuse the parameter.
        optional = {} if location.bucket.endswith("--x-s3") else {"OptionalObjectAttributes": ["RestoreStatus"]}
        pages = paginator.paginate(Bucket=location.bucket, Prefix=location.path, **optional)
        now = datetime.now(UTC)
        for page in pages:
            for item in page.get("Contents", []):
                key = item["Key"]
                if key.endswith("/") and item["Size"] == 0:
                    continue
                yield ObjectInfo(
                    uri=f"s3://{location.bucket}/{key}",
                    size=int(item["Size"]),
                    last_modified=item["LastModified"].astimezone(UTC),
                    storage_class=item.get("StorageClass"),
                    etag=str(item.get("ETag", "")).strip('"') or None,
                    restore=_restore(item.get("RestoreStatus"), now),
                )
    except Exception as exc:
        reason = f"{type(exc).__name__}: {exc}"
        raise SourceError(f"cannot list {location.uri}{_as_member(location.bucket)}: {reason}") from exc


def _restore(status: Mapping[str, Any] | None, now: datetime) -> Literal["ongoing", "done"] | None:
    """An object's restore from ListObjectsV2's RestoreStatus: a copy expired by ``now`` is no restore at all."""
    if not status:
        return None
    if status.get("IsRestoreInProgress", False):
        return "ongoing"
    expiry = status.get("RestoreExpiryDate")
    return "done" if expiry is None or expiry > now else None


def _list_local(location: Location) -> Iterator[ObjectInfo]:
    root = Path(location.path)
    if root.is_file():
        paths = [root]
    elif root.is_dir():
        paths = sorted(p for p in root.rglob("*") if p.is_file())
    else:
        raise SourceError(f"source {location.uri} does not exist")
    for path in paths:
        stat = path.stat()
        yield ObjectInfo(
            uri=f"file://{path}",
            size=stat.st_size,
            last_modified=datetime.fromtimestamp(stat.st_mtime, UTC),
        )


def storage_options(location: Location) -> dict[str, str]:
    """delta-rs storage options for ``location``: the endpoint override and region from the environment.

    Credentials are not copied here; delta-rs reads them from the environment like every AWS SDK.
    """
    if location.scheme != "s3":
        return {}
    options = {"AWS_REGION": default_region()}
    endpoint = s3_endpoint()
    if endpoint:
        options["AWS_ENDPOINT_URL"] = endpoint
        if endpoint.startswith("http://"):
            options["AWS_ALLOW_HTTP"] = "true"
    return options
