"""The scan job over two accounts on the local S3 endpoint: a member account's bucket listed and read with its role.

moto keeps one estate per account and puts whatever is created with the credentials of an AssumeRole into the
role's account, so the member bucket below exists only in account 111122223333: the default credentials (account
123456789012) cannot list it, and ``s3://multi-acct-*`` finds it only through the member's role. moto grants every
AssumeRole; the refusal of the other member's role is played by an STS client that answers ``AccessDenied`` for it,
on the driver, where that role would be assumed.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from pyspark.sql import SparkSession

import jobs.accounts
from jobs.accounts import Accounts, RoleCredentials, use_accounts
from jobs.config import load_config, parse_config
from jobs.scan import ScanRequest, ScanResult, run_scan
from tests.helpers import DenyingSts, delta_frame

RUN_ID = "run-multi-account-1"
CLOCK = datetime(2026, 12, 1, 9, 0, 0, tzinfo=UTC)
MEMBER = "111122223333"
ROLE = f"arn:aws:iam::{MEMBER}:role/piiscan-scan-access"
DENIED = "444455556666"
DENIED_ROLE = f"arn:aws:iam::{DENIED}:role/piiscan-scan-access"
CENTRAL_BUCKET = "multi-acct-central"
MEMBER_BUCKET = "multi-acct-member-sales"
GONE_BUCKET = "multi-acct-member-gone"  # one of the member's buckets by name, but it exists in no account
PATTERN = "s3://multi-acct-*"


def member_s3() -> Any:
    keys = boto3.client("sts").assume_role(RoleArn=ROLE, RoleSessionName="test-setup")["Credentials"]
    return boto3.client(
        "s3",
        aws_access_key_id=keys["AccessKeyId"],
        aws_secret_access_key=keys["SecretAccessKey"],
        aws_session_token=keys["SessionToken"],
    )


def scan_sessions(endpoint: str) -> int:
    """AssumeRole calls of the scan (session ``piiscan-scan``) into the member role, as moto recorded them."""
    with urllib.request.urlopen(f"{endpoint}/moto-api/data.json") as response:
        data = json.loads(response.read())
    roles = data.get("sts", {}).get("AssumedRole", [])
    return sum(1 for r in roles if r["role_arn"] == ROLE and r["session_name"] == "piiscan-scan")


@pytest.fixture(scope="module")
def scanned(
    spark: SparkSession, s3_endpoint: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Path, ScanResult, int]]:
    central = boto3.client("s3")
    central.create_bucket(Bucket=CENTRAL_BUCKET)
    central.put_object(
        Bucket=CENTRAL_BUCKET,
        Key="crm/contacts.csv",
        Body=b"id,email\n1,jane.doe@example.com\n2,bob.smith@example.org\n",
    )
    in_member = member_s3()
    in_member.create_bucket(Bucket=MEMBER_BUCKET)
    in_member.put_object(
        Bucket=MEMBER_BUCKET,
        Key="payments/cards.csv",
        Body=b"id,card\n1,4111111111111111\n2,5555555555554444\n",
    )
    raw = {
        **load_config().raw,
        "accounts": [
            {"account_id": MEMBER, "role_arn": ROLE, "buckets": ["multi-acct-member-*"]},
            {"account_id": DENIED, "role_arn": DENIED_ROLE, "buckets": ["multi-acct-hr-*"]},
        ],
    }
    output = tmp_path_factory.mktemp("multi-account") / "tables"
    before = scan_sessions(s3_endpoint)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(jobs.accounts, "_CREDENTIALS", RoleCredentials(sts_client=lambda: DenyingSts(DENIED_ROLE)))
        try:
            result = run_scan(
                spark,
                ScanRequest((PATTERN, f"s3://{GONE_BUCKET}/"), str(output), parse_config(raw), RUN_ID),
                clock=lambda: CLOCK,
            )
        finally:
            use_accounts(Accounts())
    yield output, result, scan_sessions(s3_endpoint) - before


def test_the_member_bucket_exists_only_in_the_member_account(scanned: tuple[Path, ScanResult, int]) -> None:
    central = {b["Name"] for b in boto3.client("s3").list_buckets()["Buckets"]}
    member = {b["Name"] for b in member_s3().list_buckets()["Buckets"]}
    assert (CENTRAL_BUCKET in central, MEMBER_BUCKET in central) == (True, False)
    assert member == {MEMBER_BUCKET}


def test_both_accounts_buckets_are_read_and_their_planted_values_found(
    spark: SparkSession, scanned: tuple[Path, ScanResult, int]
) -> None:
    output, _, _ = scanned
    found = {
        (r["asset"], r["column"], r["entity_type"]) for r in delta_frame(spark, str(output / "findings")).collect()
    }
    assert found == {
        (f"s3://{CENTRAL_BUCKET}/crm/contacts.csv", "email", "EMAIL_ADDRESS"),
        (f"s3://{MEMBER_BUCKET}/payments/cards.csv", "card", "CREDIT_CARD"),
    }


def test_the_unreachable_member_and_bucket_are_failed_sources_and_the_run_commits(
    spark: SparkSession, scanned: tuple[Path, ScanResult, int]
) -> None:
    output, result, _ = scanned
    assets = {
        r["asset"]: (r["status"], r["reason"], r["rows_scanned"])
        for r in delta_frame(spark, str(output / "assets")).collect()
    }
    assert assets == {
        f"s3://{CENTRAL_BUCKET}/crm/contacts.csv": ("scanned", None, 2),
        f"s3://{MEMBER_BUCKET}/payments/cards.csv": ("scanned", None, 2),
        PATTERN: ("error", f"cannot assume role {DENIED_ROLE} for account {DENIED}: AccessDenied", 0),
        # Failed sources' reasons are redacted like any library message: the account id's digits go.
        f"s3://{GONE_BUCKET}/": (
            "error",
            f"SourceError: cannot determine the region of bucket '{GONE_BUCKET}' as "
            "arn:aws:iam::<redacted>:role/piiscan-scan-access: NoSuchBucket",
            0,
        ),
    }
    runs = [(r["run_id"], r["status"]) for r in delta_frame(spark, str(output / "runs")).collect()]
    assert runs == [(RUN_ID, "succeeded_with_errors")]
    assert (result.objects_scanned, result.objects_failed) == (2, 2)


def test_the_driver_and_the_spark_tasks_assumed_the_member_role(scanned: tuple[Path, ScanResult, int]) -> None:
    _, _, sessions = scanned
    # Once on the driver (listing; cached for the bucket regions and the listing), and once in each Python
    # worker that read the member's object: credentials are cached per process, never shipped to tasks.
    assert sessions >= 2
