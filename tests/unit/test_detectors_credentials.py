"""Credential detectors: validators and maskers with exact values, and a few engine-level behaviours."""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from typing import Any

import pyarrow as pa
import pytest

from classifiers.config import DetectionConfig
from classifiers.detectors import credentials
from classifiers.engine import Engine
from classifiers.tally import ColumnTally

ENGINE = Engine(DetectionConfig.default())
NO_OPTIONS: Mapping[str, Any] = {}

# Fake tokens are split with "+" so that secret scanners run on this repository do not report them.
GITHUB_PAT = "ghp_" + "WmlEbCyBdKpb04BrVLtg5rTId8W4Eu2wknaT"
FINE_GRAINED = "github_pat_" + "kaKpCEcrJgJJ1EiqyNqUkF_YAiotHxMNWEcFextJKWz3kSeneRBcrHpzAZQYrlXF8iaUfQ7nJJXnTKR5g9"
RFC7519_JWT = (
    "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6"
    "Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
)


def _b64url(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


VALIDATOR_CASES: list[tuple[Callable[[str, Mapping[str, Any]], bool], str, bool]] = [
    (credentials.aws_secret_key_shape, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", True),
    (credentials.aws_secret_key_shape, "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY", True),
    (credentials.aws_secret_key_shape, '"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"', True),
    (credentials.aws_secret_key_shape, "=+/JALux6f0Go0XQZmIPK8UrGr03TDWJV4fQmBceG\n", True),
    (credentials.aws_secret_key_shape, "da39a3ee5e6b4b0d3255bfef95601890afd80709", False),
    (credentials.aws_secret_key_shape, "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709", False),
    (credentials.aws_secret_key_shape, "Da39a3ee5e6b4b0d3255bfef95601890afd80709", False),
    (credentials.aws_secret_key_shape, "0123456789abcdefghijklmnopqrstuvwxyz0123", False),
    (credentials.aws_secret_key_shape, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmn", False),
    (credentials.aws_secret_key_shape, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKE", False),
    (credentials.pem_private_key_label, "-----BEGIN RSA PRIVATE KEY-----", True),
    (credentials.pem_private_key_label, "-----BEGIN PRIVATE KEY-----", True),
    (credentials.pem_private_key_label, "-----BEGIN OPENSSH PRIVATE KEY-----", True),
    (credentials.pem_private_key_label, "-----BEGIN PGP PRIVATE KEY BLOCK-----", True),
    (credentials.pem_private_key_label, "-----BEGIN PGP PRIVATE KEY-----", False),
    (credentials.pem_private_key_label, "-----BEGIN RSA PRIVATE KEY BLOCK-----", False),
    (credentials.pem_private_key_label, "-----BEGIN RSA PRIVATE KEY", False),
    (credentials.jwt_header, RFC7519_JWT, True),
    (credentials.jwt_header, _b64url('{"alg":"none"}') + "." + _b64url('{"sub":"1"}') + ".", True),
    (credentials.jwt_header, _b64url('{"alg":"RS256","kid":"k1"}') + ".e30.c2ln", True),
    (credentials.jwt_header, _b64url('{"typ":"JWT"}') + ".e30.c2ln", False),
    (credentials.jwt_header, _b64url('{"alg":"HS256"') + ".e30.c2ln", False),
    (credentials.jwt_header, _b64url('{"alg":256}') + ".e30.c2ln", False),
    (credentials.jwt_header, _b64url('["alg"]') + ".e30.c2ln", False),
    (credentials.jwt_header, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9x.e30.c2ln", False),
    (credentials.jwt_header, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.e30", False),
    (credentials.github_token_checksum, GITHUB_PAT, True),
    (credentials.github_token_checksum, "gho_" + "q4DeIaW0Olundlxb8VQP4UoOkCoMeL1pRARv", True),
    (credentials.github_token_checksum, "ghs_" + "DyE1dzWLJYhL45H4PKEeBd11lhPWNj24LvDP", True),
    (credentials.github_token_checksum, "ghr_" + "As0N4EbG0chiovEOYqZR9kqgtXfYgl0ZJw0n", True),
    (credentials.github_token_checksum, FINE_GRAINED, True),
    (credentials.github_token_checksum, "ghp_16C7e42F292c6912E7710c838347Ae178B4a", False),
    (credentials.github_token_checksum, GITHUB_PAT[:-1] + "X", False),
    (credentials.github_token_checksum, "ghx_" + GITHUB_PAT[4:], False),
    (credentials.github_token_checksum, GITHUB_PAT[:-1], False),
    (credentials.github_token_checksum, FINE_GRAINED.replace("_YAio", "YAio_"), False),
    (credentials.random_token_body, "sk_test_4eC39HqLyjWDarjtT1zdp7dc", True),
    (credentials.random_token_body, "xoxb-" + "17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy", True),
    (credentials.random_token_body, "AIza" + "dbtqqP1OBOIuidXVTBH-eXfdaj42vxwsvel", True),
    (credentials.random_token_body, "sk_live_xxxxxxxxxxxxxxxxxxxxxxxx", False),
    (
        credentials.random_token_body,
        "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
        False,
    ),
    (credentials.random_token_body, "", False),
    (credentials.embedded_password, "postgres://app_user:S3cr3t!pass@db.example.com", True),
    (credentials.embedded_password, "redis://:hunter2x@cache.internal", True),
    (credentials.embedded_password, "mongodb+srv://admin:p@ss:w0rd@cluster0.example.net", True),
    (credentials.embedded_password, ";Password=Winter2024!", True),
    (credentials.embedded_password, "&password=p4ssW0rd9", True),
    (credentials.embedded_password, "; Pwd={x7#Kp;2mQ}", True),
    (credentials.embedded_password, "postgres://user:password@localhost", False),
    (credentials.embedded_password, "postgres://user:%3Cpassword%3E@localhost", False),
    (credentials.embedded_password, "mysql://root:***@db.example.com", False),
    (credentials.embedded_password, "mysql://root:ab***@db.example.com", False),
    (credentials.embedded_password, "amqp://guest:%s@rabbit.example.com", False),
    (credentials.embedded_password, "https://ci:{{vault_password}}@git.example.com", False),
    (credentials.embedded_password, "&password=${DB_PASSWORD}", False),
    (credentials.embedded_password, ";Password=<password>", False),
    (credentials.embedded_password, ";Password=changeme", False),
    (credentials.embedded_password, ";PWD={password}", False),
    (credentials.embedded_password, ";pwd=$DB_PASS", False),
    (credentials.embedded_password, ";pwd=%DB_PASS%", False),
    (credentials.embedded_password, "&password=%(password)s", False),
    (credentials.embedded_password, "postgres://user:@localhost", False),
]


@pytest.mark.parametrize(
    ("validator", "token", "expected"),
    [pytest.param(*case, id=f"{case[0].__name__}-{index}") for index, case in enumerate(VALIDATOR_CASES)],
)
def test_validator(validator: Callable[[str, Mapping[str, Any]], bool], token: str, expected: bool) -> None:
    assert validator(token, NO_OPTIONS) is expected


MASKER_CASES: list[tuple[Callable[[str], str], str, str]] = [
    (credentials.mask_aws_secret_key, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "*" * 40),
    (credentials.mask_aws_secret_key, '"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"', "*" * 40),
    (credentials.mask_pem_header, "-----BEGIN RSA PRIVATE KEY-----", "-----BEGIN RSA PRIVATE KEY-----****"),
    (credentials.mask_pem_header, "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg", "-----BEGIN PRIVATE KEY-----****"),
    (credentials.mask_jwt, RFC7519_JWT, "eyJ***..."),
    (credentials.mask_after_prefix("github_pat_", "ghp_"), GITHUB_PAT, "ghp_" + "*" * 36),
    (credentials.mask_after_prefix("github_pat_", "ghp_"), FINE_GRAINED, "github_pat_" + "*" * 82),
    (credentials.mask_after_prefix("AIza"), "secret", "******"),
    (credentials.SLACK_TOKEN.mask, "xoxb-" + "204817369-Qk2mVx8RtL5wZp3NcY7hJd4s", "xoxb-" + "*" * 34),
    (
        credentials.SLACK_TOKEN.mask,
        "https://hooks.slack.com/services/" + "TIEBZDV7ET/BQ2FD0VGG1L/0Omt5dWKEUjkaie7vvAmscFR",
        "https://hooks.slack.com/services/" + "*" * 47,
    ),
    (credentials.STRIPE_KEY.mask, "sk_test_4eC39HqLyjWDarjtT1zdp7dc", "sk_test_" + "*" * 24),
    (credentials.GOOGLE_API_KEY.mask, "AIza" + "dbtqqP1OBOIuidXVTBH-eXfdaj42vxwsvel", "AIza" + "*" * 35),
    (
        credentials.mask_embedded_password,
        "postgres://app_user:S3cr3t!pass@db.example.com",
        "postgres://***:***@db.example.com",
    ),
    (credentials.mask_embedded_password, "redis://:hunter2x@10.0.12.7", "redis://***:***@10.0.12.7"),
    (credentials.mask_embedded_password, "https://u:pw12x@db12345.example.com", "https://***:***@db*****.example.com"),
    (credentials.mask_embedded_password, ";Password=Winter2024!", "Password=***"),
    (credentials.mask_embedded_password, "& pwd = hunter2x", "pwd=***"),
    (credentials.mask_embedded_password, "not a credential", "****************"),
]


@pytest.mark.parametrize(
    ("masker", "value", "expected"),
    [pytest.param(*case, id=f"mask-{index}") for index, case in enumerate(MASKER_CASES)],
)
def test_masker(masker: Callable[[str], str], value: str, expected: str) -> None:
    assert masker(value) == expected


def _found(text: str, column: str | None = None) -> dict[str, list[str]]:
    tally = ColumnTally(column)
    ENGINE.scan(pa.array([text]), tally)
    return {entity: found.samples for entity, found in tally.entities.items() if found.matched_values}


def test_aws_secret_key_needs_a_keyword_or_a_column_hint() -> None:
    secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    assert "AWS_SECRET_KEY" not in _found(secret)
    assert "AWS_SECRET_KEY" not in _found(secret, column="notes")
    assert _found(secret, column="SecretAccessKey")["AWS_SECRET_KEY"] == ["*" * 40]
    assert _found(f"aws_secret_access_key={secret}")["AWS_SECRET_KEY"] == ["*" * 40]


def test_aws_secret_key_ignores_windows_of_longer_base64() -> None:
    blob = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+/PhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
    assert "AWS_SECRET_KEY" not in _found(f"secret key {blob}")
    assert "AWS_SECRET_KEY" not in _found(blob, column="aws_secret_access_key")


def test_password_in_url_masks_credentials_and_shadows_the_email_look_alike() -> None:
    found = _found("DATABASE_URL=postgres://app:S3cr3tPass@db.example.com:5432/orders")
    assert found["PASSWORD_IN_URL"] == ["postgres://***:***@db.example.com"]
    assert "EMAIL_ADDRESS" not in found


def test_no_sample_reveals_key_material() -> None:
    samples = _found("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ", "ssh_key")
    assert samples["PRIVATE_KEY"] == ["-----BEGIN OPENSSH PRIVATE KEY-----****"]
    assert _found(f"Authorization: Bearer {RFC7519_JWT}")["JWT"] == ["eyJ***..."]
    assert _found(f"token {GITHUB_PAT}")["GITHUB_TOKEN"] == ["ghp_" + "*" * 36]
