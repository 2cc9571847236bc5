"""Multi-account estates: which member account's role reads which buckets, and that role's credentials.

The ``accounts`` section of the configuration lists member accounts (deploy/cloudformation/member-access.yaml),
each with the role the scan assumes there and the bucket name patterns it reads with that role. Buckets that
match no member are read with the default credential chain. Credentials are never configured: the role is
assumed with STS, per process (the driver and each Spark worker), and refreshed before it expires.

The active accounts are module state, set explicitly with ``use_accounts`` by the driver (jobs/scan.py) and by
each Spark task (jobs/scan_task.py) from the same parsed configuration.
"""

from __future__ import annotations

import fnmatch
import os
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from classifiers.errors import ConfigError, SourceError
from jobs.aws_errors import error_code

SESSION_NAME = "piiscan-scan"
REFRESH_BEFORE = timedelta(minutes=10)  # credentials closer than this to their expiry are renewed first
_ACCOUNT_ID = re.compile(r"^\d{12}$")
_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):role/[\w+=,.@/-]{1,512}$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_KEYS = ("account_id", "role_arn", "buckets", "external_id_env")


@dataclass(frozen=True)
class Member:
    """One member account: the role assumed there and the bucket name patterns (fnmatch) read with it.

    ``external_id_env`` names the environment variable holding the role's ExternalId (never the value itself).
    """

    account_id: str
    role_arn: str
    buckets: tuple[str, ...]
    external_id_env: str | None = None

    def __post_init__(self) -> None:
        where = f"accounts[{self.account_id!r}]"
        if not isinstance(self.account_id, str) or not _ACCOUNT_ID.match(self.account_id):
            raise ConfigError(
                f"accounts: account_id must be 12 digits in quotes (YAML drops the leading zeros of a number), "
                f"got {self.account_id!r}"
            )
        arn = _ROLE_ARN.match(self.role_arn) if isinstance(self.role_arn, str) else None
        if arn is None:
            raise ConfigError(
                f"{where}.role_arn must be an IAM role ARN such as arn:aws:iam::{self.account_id}:role/NAME, "
                f"got {self.role_arn!r}"
            )
        if arn.group(1) != self.account_id:
            raise ConfigError(
                f"{where}.role_arn {self.role_arn!r} is a role of account {arn.group(1)}, not {self.account_id}"
            )
        if not self.buckets or not all(isinstance(b, str) and b for b in self.buckets):
            raise ConfigError(
                f"{where}.buckets must be a non-empty list of bucket name patterns, got {list(self.buckets)!r}"
            )
        name = self.external_id_env
        if name is not None and (not isinstance(name, str) or not _ENV_NAME.match(name)):
            raise ConfigError(f"{where}.external_id_env must be an environment variable name, got {name!r}")

    def matches(self, bucket: str) -> bool:
        """Whether ``bucket`` is one of this member's buckets."""
        return any(fnmatch.fnmatchcase(bucket, pattern) for pattern in self.buckets)

    def external_id(self) -> str | None:
        """The ExternalId from the environment; SourceError naming the variable when it is unset."""
        if self.external_id_env is None:
            return None
        value = os.environ.get(self.external_id_env)
        if not value:
            raise SourceError(
                f"cannot assume role {self.role_arn}: environment variable {self.external_id_env} "
                "(the role's ExternalId) is not set"
            )
        return value


@dataclass(frozen=True)
class Accounts:
    """The ``accounts`` section: member accounts, tried in order (the first member whose patterns match wins)."""

    members: tuple[Member, ...] = ()

    def check_environment(self) -> None:
        """ConfigError naming the first ExternalId environment variable that is unset (never a value).

        Checked when the configuration file is loaded (on the driver), not when Spark tasks parse it again: a
        worker without the variable fails only the objects of that member, each with the variable's name.
        """
        for member in self.members:
            if member.external_id_env is not None and not os.environ.get(member.external_id_env):
                raise ConfigError(
                    f"accounts[{member.account_id!r}].external_id_env: environment variable "
                    f"{member.external_id_env} is not set"
                )

    def member_for(self, bucket: str) -> Member | None:
        """The member whose patterns match ``bucket``; None for a bucket of the central account."""
        return next((member for member in self.members if member.matches(bucket)), None)


def parse_accounts(raw: Any) -> Accounts:
    """Validate the ``accounts`` section (a list of members); ``Accounts.check_environment`` checks the variables."""
    if raw is None:
        return Accounts()
    if not isinstance(raw, list):
        raise ConfigError(f"section 'accounts' must be a list of member accounts, got {raw!r}")
    members: list[Member] = []
    for index, entry in enumerate(raw):
        if not isinstance(entry, Mapping):
            raise ConfigError(f"accounts[{index}] must be a mapping with keys {list(_KEYS)}, got {entry!r}")
        unknown = sorted(set(map(str, entry)) - set(_KEYS))
        if unknown:
            raise ConfigError(f"accounts[{index}]: unknown key(s) {unknown}; valid keys are: {sorted(_KEYS)}")
        missing = [key for key in _KEYS[:3] if key not in entry]
        if missing:
            raise ConfigError(f"accounts[{index}]: missing key(s) {missing}")
        buckets = entry["buckets"]
        if not isinstance(buckets, list):
            raise ConfigError(f"accounts[{index}].buckets must be a list of bucket name patterns, got {buckets!r}")
        member = Member(entry["account_id"], entry["role_arn"], tuple(buckets), entry.get("external_id_env"))
        if any(m.account_id == member.account_id for m in members):
            raise ConfigError(f"accounts: account {member.account_id} is listed more than once")
        members.append(member)
    return Accounts(tuple(members))


@dataclass(frozen=True)
class Credentials:
    """Temporary credentials of an assumed role; the secret parts never appear in a repr."""

    access_key: str
    secret_key: str = field(repr=False)
    session_token: str = field(repr=False)
    expiration: datetime


def _sts_client() -> Any:
    import boto3

    from jobs.storage import default_region

    return boto3.client("sts", region_name=default_region())  # endpoint variables and credentials: boto3's own


def _now() -> datetime:
    return datetime.now(UTC)


class RoleCredentials:
    """Per-process cache of assumed-role credentials, renewed when less than ``refresh_before`` remains."""

    def __init__(
        self,
        sts_client: Callable[[], Any] = _sts_client,
        clock: Callable[[], datetime] = _now,
        refresh_before: timedelta = REFRESH_BEFORE,
    ) -> None:
        """``sts_client`` builds the STS client (once, on first use); ``clock`` returns aware datetimes."""
        self._make_client = sts_client
        self._client: Any = None
        self._clock = clock
        self._refresh_before = refresh_before
        self._cache: dict[tuple[str, str | None], Credentials] = {}
        self._lock = threading.Lock()

    def get(self, member: Member) -> Credentials:
        """Credentials of ``member``'s role: cached, or assumed now. SourceError naming the role on failure."""
        key = (member.role_arn, member.external_id_env)
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None and cached.expiration - self._clock() > self._refresh_before:
                return cached
            fresh = self._cache[key] = self._assume(member)
            return fresh

    def _assume(self, member: Member) -> Credentials:
        arguments = {"RoleArn": member.role_arn, "RoleSessionName": SESSION_NAME}
        external_id = member.external_id()
        if external_id is not None:
            arguments["ExternalId"] = external_id
        try:
            if self._client is None:
                self._client = self._make_client()
            response = self._client.assume_role(**arguments)
            issued = response["Credentials"]
            return Credentials(
                access_key=issued["AccessKeyId"],
                secret_key=issued["SecretAccessKey"],
                session_token=issued["SessionToken"],
                expiration=issued["Expiration"],
            )
        except Exception as exc:
            raise SourceError(
                f"cannot assume role {member.role_arn} for account {member.account_id}: {error_code(exc)}"
            ) from exc


_ACTIVE = Accounts()
_CREDENTIALS = RoleCredentials()


def use_accounts(accounts: Accounts) -> None:
    """Make ``accounts`` the member accounts of this process (driver or Spark worker)."""
    global _ACTIVE
    _ACTIVE = accounts


def active_accounts() -> Accounts:
    """The member accounts of this process (none until ``use_accounts``)."""
    return _ACTIVE


def member_for_bucket(bucket: str) -> Member | None:
    """The active member account whose patterns match ``bucket``; None: the default credentials read it."""
    return _ACTIVE.member_for(bucket)


def member_credentials(member: Member) -> Credentials:
    """The cached credentials of ``member``'s role in this process (assumed or renewed as needed)."""
    return _CREDENTIALS.get(member)


def credentials_for_bucket(bucket: str) -> Credentials | None:
    """Credentials reading ``bucket``: its member's role, or None for the default credential chain."""
    member = member_for_bucket(bucket)
    return None if member is None else member_credentials(member)
