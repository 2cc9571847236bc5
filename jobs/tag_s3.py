"""S3 tagging calls for the tag job: clients, reading and writing tag sets, and retries with backoff.

Reads go through botocore's own retries (standard mode). Writes go through a client that never retries by itself
and through ``Retrier``, so a result can say exactly how many write calls were made. Throttling (SlowDown, 503,
Throttling), RequestTimeout, OperationAborted, 5xx and connection errors are retried with exponential backoff and
full jitter; anything else (AccessDenied, InvalidTag ...) fails at once.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from jobs.aws_errors import error_code
from jobs.tag_config import ApplySettings
from jobs.tag_merge import Tags, from_tag_set, tag_set

T = TypeVar("T")
RETRYABLE_CODES = frozenset(
    {
        "SlowDown",
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestLimitExceeded",
        "TooManyRequestsException",
        "RequestTimeout",
        "RequestTimeoutException",
        "ServiceUnavailable",
        "InternalError",
        "OperationAborted",
        "503",
        "500",
    }
)
MISSING_TAGS = frozenset({"NoSuchTagSet", "NoSuchTagSetError"})


class TaggingFailed(Exception):
    """A tagging call failed for good; ``reason`` is safe to record (error code and call, never a value)."""

    def __init__(self, reason: str, attempts: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.attempts = attempts


def is_retryable(exc: BaseException) -> bool:
    """Throttling, timeouts, 5xx and connection errors: worth another attempt after a pause."""
    from botocore.exceptions import ClientError, HTTPClientError
    from botocore.exceptions import ConnectionError as BotoConnectionError

    if isinstance(exc, BotoConnectionError | HTTPClientError):
        return True
    if isinstance(exc, ClientError):
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        return error_code(exc) in RETRYABLE_CODES or status in (500, 503)
    return False


@dataclass
class Retrier:
    """Calls a function until it succeeds, fails for good, or ``max_attempts`` are spent."""

    max_attempts: int = 8
    base_delay: float = 0.2
    max_delay: float = 20.0
    sleep: Callable[[float], None] = time.sleep
    jitter: Callable[[], float] = random.random

    @classmethod
    def from_settings(cls, settings: ApplySettings) -> Retrier:
        """The retrier the configuration describes."""
        return cls(settings.max_attempts, settings.base_delay_seconds, settings.max_delay_seconds)

    def call(self, what: str, fn: Callable[[], T]) -> tuple[T, int]:
        """``fn()`` and the attempts it took; raises TaggingFailed naming ``what`` and the error code."""
        for attempt in range(1, self.max_attempts + 1):
            try:
                return fn(), attempt
            except Exception as exc:
                if not is_retryable(exc):
                    raise TaggingFailed(f"{what} failed: {error_code(exc)}{_hint(exc)}", attempt) from exc
                if attempt == self.max_attempts:
                    raise TaggingFailed(
                        f"{what} still failing after {attempt} attempts: {error_code(exc)} (throttled or unavailable)",
                        attempt,
                    ) from exc
                self.sleep(self.jitter() * min(self.max_delay, self.base_delay * 2 ** (attempt - 1)))
        raise AssertionError("unreachable")


def _hint(exc: BaseException) -> str:
    code = error_code(exc)
    if code in ("AccessDenied", "AccessDeniedException", "403"):
        return " (the role needs s3:GetObjectTagging/s3:PutObjectTagging, or the bucket-level equivalents)"
    if code == "InvalidTag":
        return " (S3 rejected the tag set: a tag outside the allowed characters or lengths)"
    if code in ("NoSuchKey", "404"):
        return " (the object no longer exists)"
    if code == "NoSuchBucket":
        return " (the bucket no longer exists)"
    return ""


@dataclass
class Clients:
    """Per-task S3 clients, one reader and one writer per region, created on first use (thread-safe)."""

    settings: ApplySettings
    _cache: dict[tuple[str | None, bool], Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def reader(self, region: str | None) -> Any:
        """A client whose calls botocore retries itself (standard mode)."""
        return self._client(region, write=False)

    def writer(self, region: str | None) -> Any:
        """A client that makes exactly one attempt per call (Retrier counts and spaces the attempts)."""
        return self._client(region, write=True)

    def _client(self, region: str | None, write: bool) -> Any:
        with self._lock:
            client = self._cache.get((region, write))
            if client is None:
                import boto3
                from botocore.config import Config

                retries: dict[str, Any] = (
                    {"mode": "standard", "total_max_attempts": 1}
                    if write
                    else {"mode": "standard", "total_max_attempts": self.settings.max_attempts}
                )
                config = Config(retries=retries, max_pool_connections=self.settings.max_concurrent_requests)  # type: ignore[arg-type]
                client = self._cache[(region, write)] = boto3.client("s3", region_name=region, config=config)
            return client


def read_tags(client: Any, kind: str, bucket: str, key: str | None) -> Tags:
    """The tags of an object (``kind`` 'object') or bucket; a bucket without tags has none (NoSuchTagSet)."""
    from botocore.exceptions import ClientError

    try:
        if kind == "bucket":
            return from_tag_set(client.get_bucket_tagging(Bucket=bucket)["TagSet"])
        return from_tag_set(client.get_object_tagging(Bucket=bucket, Key=key)["TagSet"])
    except ClientError as exc:
        if kind == "bucket" and error_code(exc) in MISSING_TAGS:
            return {}
        call = "GetBucketTagging" if kind == "bucket" else "GetObjectTagging"
        raise TaggingFailed(f"{call} failed: {error_code(exc)}{_hint(exc)}", 0) from exc
    except Exception as exc:
        call = "GetBucketTagging" if kind == "bucket" else "GetObjectTagging"
        raise TaggingFailed(f"{call} failed: {error_code(exc)}", 0) from exc


def write_tags(client: Any, kind: str, bucket: str, key: str | None, tags: Tags) -> None:
    """Replace the whole tag set (an empty set deletes the tags): one call, no retries."""
    if kind == "bucket":
        if tags:
            client.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": tag_set(tags)})
        else:
            client.delete_bucket_tagging(Bucket=bucket)
    elif tags:
        client.put_object_tagging(Bucket=bucket, Key=key, Tagging={"TagSet": tag_set(tags)})
    else:
        client.delete_object_tagging(Bucket=bucket, Key=key)


def write_call(kind: str, tags: Tags) -> str:
    """The API call ``write_tags`` makes, for reasons and logs."""
    if kind == "bucket":
        return "PutBucketTagging" if tags else "DeleteBucketTagging"
    return "PutObjectTagging" if tags else "DeleteObjectTagging"
