"""Multi-account configuration, bucket matching, assumed-role credentials and their use by storage and discovery."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

import jobs.accounts
from classifiers.errors import ConfigError, SourceError
from jobs.accounts import (
    Accounts,
    Credentials,
    Member,
    RoleCredentials,
    member_for_bucket,
    parse_accounts,
    use_accounts,
)
from jobs.config import load_config, parse_config
from jobs.discovery import expand_sources
from jobs.storage import _s3_filesystem, bucket_region, filesystem, list_objects, parse_uri, s3_client
from tests.helpers import DenyingSts

ROLE = "arn:aws:iam::111122223333:role/piiscan-scan-access"
OTHER_ROLE = "arn:aws:iam::444455556666:role/piiscan-scan-access"
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def member(**values: Any) -> dict[str, Any]:
    return {"account_id": "111122223333", "role_arn": ROLE, "buckets": ["sales-*", "raw-landing"], **values}


# --- configuration ------------------------------------------------------------------------------------------------


def test_accounts_section_parses_into_members() -> None:
    other = {"account_id": "444455556666", "role_arn": OTHER_ROLE, "buckets": ["*"], "external_id_env": "EXT_ID"}
    assert parse_accounts([member(), other]) == Accounts(
        (
            Member("111122223333", ROLE, ("sales-*", "raw-landing")),
            Member("444455556666", OTHER_ROLE, ("*",), "EXT_ID"),
        )
    )


@pytest.mark.parametrize("raw", [None, []])
def test_no_accounts_means_no_members(raw: Any) -> None:
    assert parse_accounts(raw) == Accounts()
    assert parse_config({} if raw is None else {"accounts": raw}).accounts == Accounts()


def test_shipped_config_has_no_member_accounts() -> None:
    assert load_config().accounts == Accounts()


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"account_id": "111122223333"}, "section 'accounts' must be a list of member accounts, got {'account_id': "),
        (["111122223333"], "accounts[0] must be a mapping with keys ['account_id', 'role_arn', 'buckets', "),
        ([member(region="eu-west-1")], "accounts[0]: unknown key(s) ['region']; valid keys are: ['account_id', "),
        ([{"account_id": "111122223333"}], "accounts[0]: missing key(s) ['role_arn', 'buckets']"),
        (
            [member(account_id=111122223333)],
            "accounts: account_id must be 12 digits in quotes (YAML drops the leading zeros of a number), "
            "got 111122223333",
        ),
        ([member(account_id="11112222333")], "accounts: account_id must be 12 digits in quotes"),
        (
            [member(role_arn="piiscan-scan-access")],
            "accounts['111122223333'].role_arn must be an IAM role ARN such as "
            "arn:aws:iam::111122223333:role/NAME, got 'piiscan-scan-access'",
        ),
        (
            [member(role_arn=OTHER_ROLE)],
            f"accounts['111122223333'].role_arn {OTHER_ROLE!r} is a role of account 444455556666, not 111122223333",
        ),
        ([member(buckets=[])], "accounts['111122223333'].buckets must be a non-empty list of bucket name patterns"),
        ([member(buckets=["ok", ""])], "accounts['111122223333'].buckets must be a non-empty list of bucket name"),
        ([member(buckets="sales-*")], "accounts[0].buckets must be a list of bucket name patterns, got 'sales-*'"),
        (
            [member(external_id_env="not a name")],
            "accounts['111122223333'].external_id_env must be an environment variable name, got 'not a name'",
        ),
        ([member(), member(buckets=["x"])], "accounts: account 111122223333 is listed more than once"),
    ],
)
def test_bad_accounts_fail_with_a_clear_message(raw: Any, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config({"accounts": raw})
    assert str(caught.value).startswith(message)


def test_an_unset_external_id_variable_fails_loading_naming_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "scan.yaml"
    path.write_text(
        "accounts:\n"
        '  - account_id: "111122223333"\n'
        f"    role_arn: {ROLE}\n"
        "    buckets: [sales-*]\n"
        "    external_id_env: PIISCAN_TEST_EXTERNAL_ID\n"
    )
    monkeypatch.delenv("PIISCAN_TEST_EXTERNAL_ID", raising=False)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value) == (
        f"{path}: accounts['111122223333'].external_id_env: environment variable PIISCAN_TEST_EXTERNAL_ID is not set"
    )
    monkeypatch.setenv("PIISCAN_TEST_EXTERNAL_ID", "s3cr3t-ext")
    assert load_config(path).accounts == Accounts(
        (Member("111122223333", ROLE, ("sales-*",), "PIISCAN_TEST_EXTERNAL_ID"),)
    )


def test_accounts_are_not_part_of_the_digest() -> None:
    assert parse_config({"accounts": [member()]}).digest == parse_config({}).digest


# --- bucket matching ----------------------------------------------------------------------------------------------


def test_the_first_member_whose_patterns_match_reads_the_bucket() -> None:
    sales = Member("111122223333", ROLE, ("sales-*", "raw-landing"))
    everything = Member("444455556666", OTHER_ROLE, ("*",))
    accounts = Accounts((sales, everything))
    assert [accounts.member_for(b) for b in ("sales-eu", "raw-landing", "raw-landing-2", "Sales-eu")] == [
        sales,
        sales,
        everything,
        everything,
    ]
    assert Accounts((sales,)).member_for("raw-landing-2") is None
    assert Accounts().member_for("sales-eu") is None


def test_member_for_bucket_uses_the_active_accounts(active: None) -> None:
    sales = Member("111122223333", ROLE, ("sales-*",))
    assert member_for_bucket("sales-eu") is None
    use_accounts(Accounts((sales,)))
    assert (member_for_bucket("sales-eu"), member_for_bucket("crm")) == (sales, None)


# --- credentials --------------------------------------------------------------------------------------------------


class FakeSts:
    """Records AssumeRole calls; each returns credentials numbered by call, valid for ``lifetime``."""

    def __init__(self, lifetime: timedelta = timedelta(hours=1), error: str | None = None) -> None:
        self.calls: list[dict[str, str]] = []
        self.now = NOW
        self.lifetime = lifetime
        self.error = error

    def assume_role(self, **arguments: str) -> dict[str, Any]:
        self.calls.append(arguments)
        if self.error:
            raise ClientError({"Error": {"Code": self.error, "Message": "not authorized"}}, "AssumeRole")
        n = len(self.calls)
        return {
            "Credentials": {
                "AccessKeyId": f"ASIA{n}",
                "SecretAccessKey": f"secret-{n}",
                "SessionToken": f"token-{n}",
                "Expiration": self.now + self.lifetime,
            }
        }


def test_credentials_are_assumed_once_and_renewed_ten_minutes_before_expiry() -> None:
    sts = FakeSts()
    cache = RoleCredentials(sts_client=lambda: sts, clock=lambda: sts.now)
    sales = Member("111122223333", ROLE, ("sales-*",))
    first = cache.get(sales)
    assert first == Credentials("ASIA1", "secret-1", "token-1", NOW + timedelta(hours=1))
    sts.now = NOW + timedelta(minutes=49)  # 11 minutes left: still good
    assert cache.get(sales) is first
    sts.now = NOW + timedelta(minutes=51)  # 9 minutes left: renewed
    assert cache.get(sales) == Credentials("ASIA2", "secret-2", "token-2", sts.now + timedelta(hours=1))
    assert sts.calls == [{"RoleArn": ROLE, "RoleSessionName": "piiscan-scan"}] * 2


def test_the_external_id_comes_from_the_named_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    sts = FakeSts()
    cache = RoleCredentials(sts_client=lambda: sts, clock=lambda: NOW)
    monkeypatch.setenv("PIISCAN_TEST_EXTERNAL_ID", "ext-1234")
    cache.get(Member("111122223333", ROLE, ("sales-*",), "PIISCAN_TEST_EXTERNAL_ID"))
    assert sts.calls == [{"RoleArn": ROLE, "RoleSessionName": "piiscan-scan", "ExternalId": "ext-1234"}]


def test_an_unset_external_id_variable_is_a_source_error_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    sts = FakeSts()
    monkeypatch.delenv("PIISCAN_TEST_EXTERNAL_ID", raising=False)
    with pytest.raises(SourceError) as caught:
        RoleCredentials(sts_client=lambda: sts).get(Member("111122223333", ROLE, ("s",), "PIISCAN_TEST_EXTERNAL_ID"))
    assert str(caught.value) == (
        f"cannot assume role {ROLE}: environment variable PIISCAN_TEST_EXTERNAL_ID (the role's ExternalId) is not set"
    )
    assert sts.calls == []


def test_a_refused_assume_role_names_the_role_and_the_error_code() -> None:
    cache = RoleCredentials(sts_client=lambda: FakeSts(error="AccessDenied"))
    with pytest.raises(SourceError) as caught:
        cache.get(Member("111122223333", ROLE, ("sales-*",)))
    assert str(caught.value) == f"cannot assume role {ROLE} for account 111122223333: AccessDenied"


def test_credentials_never_show_their_secrets() -> None:
    assert repr(Credentials("ASIA1", "secret-1", "token-1", NOW)) == (
        f"Credentials(access_key='ASIA1', expiration={NOW!r})"
    )


# --- storage and discovery with member accounts (moto, in process) --------------------------------------------------


@pytest.fixture
def active(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No member accounts and an empty credential cache before and after the test; fresh storage caches."""
    monkeypatch.setattr(jobs.accounts, "_ACTIVE", Accounts())
    monkeypatch.setattr(jobs.accounts, "_CREDENTIALS", RoleCredentials())
    _s3_filesystem.cache_clear()
    bucket_region.cache_clear()
    yield
    _s3_filesystem.cache_clear()
    bucket_region.cache_clear()


@pytest.fixture
def estate(monkeypatch: pytest.MonkeyPatch, active: None) -> Iterator[None]:
    """Central buckets acme-crm and sales-central; member 111122223333 holds sales-eu, sales-us and other-data."""
    for key in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        central = boto3.client("s3", region_name="us-east-1")
        for name in ("acme-crm", "sales-central"):
            central.create_bucket(Bucket=name)
        issued = boto3.client("sts", region_name="us-east-1").assume_role(RoleArn=ROLE, RoleSessionName="setup")
        keys = issued["Credentials"]
        in_member = boto3.client(
            "s3",
            region_name="us-east-1",
            aws_access_key_id=keys["AccessKeyId"],
            aws_secret_access_key=keys["SecretAccessKey"],
            aws_session_token=keys["SessionToken"],
        )
        for name in ("sales-eu", "sales-us", "other-data"):
            in_member.create_bucket(Bucket=name)
        in_member.put_object(Bucket="sales-eu", Key="orders/2026.csv", Body=b"id\n1\n")
        monkeypatch.setattr(jobs.accounts, "_CREDENTIALS", RoleCredentials(sts_client=lambda: DenyingSts(OTHER_ROLE)))
        yield


def test_s3_client_of_a_member_bucket_acts_in_the_member_account(estate: None) -> None:
    use_accounts(Accounts((Member("111122223333", ROLE, ("sales-eu", "sales-us")),)))
    member_buckets = s3_client(bucket="sales-eu").list_buckets()["Buckets"]  # type: ignore[attr-defined]
    central_buckets = s3_client(bucket="acme-crm").list_buckets()["Buckets"]  # type: ignore[attr-defined]
    assert sorted(b["Name"] for b in member_buckets) == ["other-data", "sales-eu", "sales-us"]
    assert sorted(b["Name"] for b in central_buckets) == ["acme-crm", "sales-central"]
    assert [o.uri for o in list_objects(parse_uri("s3://sales-eu/orders/"))] == ["s3://sales-eu/orders/2026.csv"]


def test_patterns_expand_over_the_central_and_the_member_accounts(estate: None) -> None:
    use_accounts(Accounts((Member("111122223333", ROLE, ("sales-*",)),)))
    # other-data is in the member account but matches none of its patterns: not listed.
    assert expand_sources(["s3://*"]) == (
        ["s3://acme-crm", "s3://sales-central", "s3://sales-eu", "s3://sales-us"],
        [],
    )
    assert expand_sources(["s3://sales-e*", "s3://nothing-*"]) == (
        ["s3://sales-eu"],
        [("s3://nothing-*", "no bucket matches 'nothing-*'")],
    )


def test_a_member_whose_role_cannot_be_assumed_fails_the_patterns_it_may_match(estate: None) -> None:
    use_accounts(
        Accounts(
            (
                Member("111122223333", ROLE, ("sales-*",)),
                Member("444455556666", OTHER_ROLE, ("hr-*", "payroll")),
            )
        )
    )
    denied = f"cannot assume role {OTHER_ROLE} for account 444455556666: AccessDenied"
    everything = ["s3://acme-crm", "s3://sales-central", "s3://sales-eu", "s3://sales-us"]
    assert expand_sources(["s3://*", "s3://sales-*", "s3://pay*"]) == (
        [*everything, "s3://sales-central", "s3://sales-eu", "s3://sales-us"],
        [("s3://*", denied), ("s3://sales-*", denied), ("s3://pay*", denied)],
    )
    use_accounts(Accounts((Member("444455556666", OTHER_ROLE, ("payroll", "hr-2026")),)))
    # Only bucket names: a pattern that matches none of them cannot miss one of that member's buckets.
    assert expand_sources(["s3://sales-*", "s3://pay*"]) == (
        ["s3://sales-central"],
        [("s3://pay*", denied)],
    )


def test_filesystem_uses_the_member_credentials_and_changes_when_they_are_renewed(
    active: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    sts = FakeSts(lifetime=timedelta(minutes=30))
    monkeypatch.setattr(jobs.accounts, "_CREDENTIALS", RoleCredentials(sts_client=lambda: sts, clock=lambda: sts.now))
    use_accounts(Accounts((Member("111122223333", ROLE, ("sales-*",)),)))
    location = parse_uri("s3://sales-eu/orders/2026.csv")
    first = filesystem(location, "us-east-1")
    assert filesystem(location, "us-east-1") is first
    assert filesystem(parse_uri("s3://acme-crm/x.csv"), "us-east-1") is not first  # default credential chain
    assert _s3_filesystem.cache_info().currsize == 2
    sts.now += timedelta(minutes=25)  # 5 minutes left: renewed, so a new file system
    renewed = filesystem(location, "us-east-1")
    assert renewed is not first
    assert [call["RoleArn"] for call in sts.calls] == [ROLE, ROLE]


def test_filesystem_of_a_member_whose_role_cannot_be_assumed_fails_on_use(
    active: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        jobs.accounts, "_CREDENTIALS", RoleCredentials(sts_client=lambda: FakeSts(error="AccessDenied"))
    )
    use_accounts(Accounts((Member("111122223333", ROLE, ("sales-*",)),)))
    fs = filesystem(parse_uri("s3://sales-eu/orders/2026.csv"))
    with pytest.raises(SourceError) as caught:
        fs.open_input_stream("sales-eu/orders/2026.csv")
    assert str(caught.value) == f"cannot assume role {ROLE} for account 111122223333: AccessDenied"
