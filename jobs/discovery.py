"""Estate discovery: which buckets a source means, and which objects the configured filters leave out.

``s3://*`` is every bucket the credentials can list, ``s3://acme-*`` the buckets whose names match; other
sources are used as given. With member accounts configured (jobs/accounts.py), the buckets listed are the central
account's plus, per member, those its role can list whose names match that member's patterns. Objects the
``filters`` section excludes (URI patterns, size, modification time, extension) are recorded as skipped with the
filter that excluded them, never dropped silently.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from classifiers.errors import ConfigError, SourceError
from jobs.accounts import Member, active_accounts, member_credentials
from jobs.aws_errors import error_code
from jobs.storage import ObjectInfo, s3_client, s3_client_with


@dataclass(frozen=True)
class Filters:
    """The ``filters`` section: which listed objects are scanned.

    Attributes:
        include: Shell-style patterns over the object URI (``*`` also matches ``/``); when given, an object
            must match one of them.
        exclude: Patterns an object must not match.
        min_size, max_size: Bytes; objects outside the range are skipped.
        modified_after, modified_before: ISO dates or date-times (UTC when no zone is given).
        extensions: Allowed name endings (``.csv``, ``.parquet``, ``.log.gz`` ...); empty allows any.

    """

    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    min_size: int | None = None
    max_size: int | None = None
    modified_after: str | None = None
    modified_before: str | None = None
    extensions: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        for name in ("include", "exclude", "extensions"):
            value = getattr(self, name)
            if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
                raise ConfigError(f"filters.{name} must be a list of non-empty strings, got {value!r}")
        for name in ("min_size", "max_size"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
                raise ConfigError(f"filters.{name} must be a number of bytes >= 0, got {value!r}")
        for name in ("modified_after", "modified_before"):
            _moment(name, getattr(self, name))

    def reason(self, info: ObjectInfo) -> str | None:
        """Why ``info`` is filtered out, naming the filter; None when it is scanned."""
        if self.include and not any(fnmatch.fnmatchcase(info.uri, pattern) for pattern in self.include):
            return "filtered out: matches no filters.include pattern"
        excluded = next((p for p in self.exclude if fnmatch.fnmatchcase(info.uri, p)), None)
        if excluded is not None:
            return f"filtered out: matches filters.exclude pattern {excluded!r}"
        if self.min_size is not None and info.size < self.min_size:
            return f"filtered out: {info.size} bytes, under filters.min_size {self.min_size}"
        if self.max_size is not None and info.size > self.max_size:
            return f"filtered out: {info.size} bytes, over filters.max_size {self.max_size}"
        after = _moment("modified_after", self.modified_after)
        before = _moment("modified_before", self.modified_before)
        modified = info.last_modified
        if after is not None and modified < after:
            return f"filtered out: last modified {modified:%Y-%m-%d}, before filters.modified_after"
        if before is not None and modified >= before:
            return f"filtered out: last modified {modified:%Y-%m-%d}, not before filters.modified_before"
        name = info.uri.rsplit("/", 1)[-1].lower()
        if self.extensions and not any(name.endswith(ext.lower()) for ext in self.extensions):
            return "filtered out: extension not in filters.extensions"
        return None


def _moment(name: str, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(str(value))  # str(): YAML hands over unquoted dates as date objects
    except ValueError:
        raise ConfigError(f"filters.{name} must be an ISO date or date-time, got {value!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def expand_sources(sources: Iterable[str]) -> tuple[list[str], list[tuple[str, str]]]:
    """Sources with bucket patterns (``s3://*``, ``s3://acme-*``) replaced by the matching buckets.

    Returns the sources to list and, for patterns that could not be expanded, or whose expansion may miss the
    buckets of an account that could not be listed, ``(source, reason)``.
    """
    expanded: list[str] = []
    failed: list[tuple[str, str]] = []
    listing: _Listing | None = None  # ListBuckets once per call, whatever the number of patterns
    for source in sources:
        if not _is_bucket_pattern(source):
            expanded.append(source)
            continue
        pattern = source[len("s3://") :].rstrip("/")
        if listing is None:
            listing = _bucket_names()
        matching = [f"s3://{name}" for name in listing.names if fnmatch.fnmatchcase(name, pattern)]
        problems = [why for member, why in listing.problems if member is None or _may_overlap(member, pattern)]
        if problems:
            failed.append((source, "; ".join(problems)))
        elif not matching:
            failed.append((source, f"no bucket matches {pattern!r}"))
        expanded.extend(matching)
    return expanded, failed


def _is_bucket_pattern(source: str) -> bool:
    if not source.startswith("s3://"):
        return False
    bucket = source[len("s3://") :].rstrip("/")
    return "/" not in bucket and any(char in bucket for char in "*?[")


def _may_overlap(member: Member, pattern: str) -> bool:
    """Whether ``pattern`` may match a bucket of ``member`` (exact for bucket names, conservative for patterns)."""
    return any(any(char in own for char in "*?[") or fnmatch.fnmatchcase(own, pattern) for own in member.buckets)


@dataclass(frozen=True)
class _Listing:
    names: list[str]  # sorted, central account's and members' together
    problems: list[tuple[Member | None, str]]  # (member, or None for the central account; why it was not listed)


def _bucket_names() -> _Listing:
    """Every listable bucket name (central account, then each member's matching its patterns) and the failures."""
    names: set[str] = set()
    problems: list[tuple[Member | None, str]] = []
    try:
        names.update(_list_buckets(s3_client()))
    except Exception as exc:  # noqa: BLE001 - recorded as the pattern's reason; member accounts are still listed
        problems.append((None, f"cannot list the account's buckets: {error_code(exc)}"))
    for member in active_accounts().members:
        try:
            names.update(name for name in _member_buckets(member) if member.matches(name))
        except SourceError as exc:
            problems.append((member, str(exc)))
    return _Listing(sorted(names), problems)


def _member_buckets(member: Member) -> list[str]:
    """ListBuckets in ``member``'s account with its role; SourceError naming the role when that fails."""
    client = s3_client_with(member_credentials(member))
    try:
        return _list_buckets(client)
    except Exception as exc:
        raise SourceError(
            f"cannot list the buckets of account {member.account_id} as {member.role_arn}: {error_code(exc)}"
        ) from exc


def _list_buckets(client: object) -> list[str]:
    response = client.list_buckets()  # type: ignore[attr-defined]
    return [bucket["Name"] for bucket in response.get("Buckets", []) if "Name" in bucket]
