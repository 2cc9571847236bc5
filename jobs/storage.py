"""Where objects live: source URIs, listing (on the driver) and opening (in Spark tasks).

Local paths and ``file://`` URIs use pyarrow's local file system. ``s3://`` URIs use boto3 for listing and
pyarrow's S3 file system for reading; both honour ``AWS_ENDPOINT_URL_S3`` / ``AWS_ENDPOINT_URL``, so the same
code runs against a local S3 endpoint, Glue and EMR.

A bucket matching a member account of the ``accounts`` configuration (jobs/accounts.py) is listed and read with
the credentials of the role assumed in that account; every other bucket with the default credential chain.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import NoReturn
from urllib.parse import urlparse

import pyarrow.fs as pafs

from classifiers.errors import ConfigError, SourceError
from jobs.accounts import Credentials, credentials_for_bucket, member_for_bucket
from jobs.aws_errors import error_code

ARCHIVE_STORAGE_CLASSES = frozenset({"GLACIER", "DEEP_ARCHIVE"})
DEFAULT_REGION = "us-east-1"


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


def default_region() -> str:
    """The region from the standard AWS variables (us-east-1 when unset)."""
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION


@lru_cache(maxsize=64)
def _s3_filesystem(region: str, endpoint: str | None, credentials: Credentials | None = None) -> pafs.S3FileSystem:
    # ``credentials`` is part of the cache key: renewed credentials of a member role give a new file system.
    keys: dict[str, str] = {}
    if credentials is not None:
        keys = {
            "access_key": credentials.access_key,
            "secret_key": credentials.secret_key,
            "session_token": credentials.session_token,
        }
    if endpoint:
        parsed = urlparse(endpoint)
        return pafs.S3FileSystem(
            endpoint_override=parsed.netloc or parsed.path,
            scheme=parsed.scheme or "https",
            region=region,
            **keys,
        )
    return pafs.S3FileSystem(region=region, **keys)


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
    return _s3_filesystem(region or default_region(), s3_endpoint(), credentials)


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
    """A boto3 S3 client with ``credentials`` (an assumed role's), or the default credential chain for None."""
    import boto3

    if credentials is None:
        return boto3.client("s3", region_name=region or default_region())
    return boto3.client(
        "s3",
        region_name=region or default_region(),
        aws_access_key_id=credentials.access_key,
        aws_secret_access_key=credentials.secret_key,
        aws_session_token=credentials.session_token,
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
        for page in paginator.paginate(Bucket=location.bucket, Prefix=location.path):
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
                )
    except Exception as exc:
        reason = f"{type(exc).__name__}: {exc}"
        raise SourceError(f"cannot list {location.uri}{_as_member(location.bucket)}: {reason}") from exc


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
