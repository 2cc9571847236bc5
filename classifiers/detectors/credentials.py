"""Credentials: cloud access keys, API tokens, private keys and passwords embedded in connection strings."""

from __future__ import annotations

import base64
import json
import re
import string
import urllib.parse
import zlib
from collections.abc import Mapping
from typing import Any

from classifiers import masking, validators
from classifiers.detector import Detector, Example, Masker, Pattern, Sensitivity
from classifiers.registry import register

AWS_ACCESS_KEY = register(
    Detector(
        entity_type="AWS_ACCESS_KEY",
        patterns=(
            Pattern(
                "access_key_id",
                r"\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|AROA|APKA|ASCA)[A-Z2-7]{16}\b",
                0.9,
            ),
        ),
        keywords=("aws_access_key_id", "access key", "access_key", "aws", "akia"),
        column_hints=(r"(^|_)(aws_)?access_key(_id)?(_|$)", r"(^|_)(aws_key|key_id)(_|$)"),
        validate=validators.aws_access_key,
        mask=masking.mask_aws_access_key,
        sensitivity=Sensitivity.HIGH,
        frameworks=(),
        jurisdiction="GLOBAL",
        positives=(
            Example("AKIAIOSFODNN7EXAMPLE", column="aws_access_key_id"),
            Example("aws_access_key_id = AKIAZ3MHXQ4K2LWPDT7N"),
            Example("export AWS_ACCESS_KEY_ID=ASIAY34FZKBOKMUTVV7A"),
            Example("role AROAJQABLZS4A3QDU576"),
        ),
        negatives=(
            Example("AKIAiosfodnn7example", column="aws_access_key_id"),
            Example("AKIAAAAAAAAAAAAAAAAA"),
            Example("AKIA1234567890123456"),
            Example("AKIAIOSFODNN7EXAMPLEX"),
            Example("XKIAIOSFODNN7EXAMPLE"),
        ),
    )
)

# Fake secrets in the examples below are split with "+" so that secret scanners run on this repository do
# not report them; the generated ones were checked with the validators below.

_AWS_SECRET_BODY_RE = re.compile(r"[A-Za-z0-9/+]{40}")
_HEX_RE = re.compile(r"[0-9A-Fa-f]+")


def aws_secret_key_shape(token: str, options: Mapping[str, Any]) -> bool:
    """True for 40 base64 characters mixing upper case, lower case and digits, and not all hexadecimal.

    The match may carry one delimiter on either side (the pattern consumes it instead of a look-around).
    """
    match = _AWS_SECRET_BODY_RE.search(token)
    if match is None:
        return False
    key = match.group()
    has_classes = any(c.isupper() for c in key) and any(c.islower() for c in key) and any(c.isdigit() for c in key)
    return has_classes and _HEX_RE.fullmatch(key) is None


def mask_aws_secret_key(value: str) -> str:
    """Reveal nothing of an AWS secret access key: 40 stars."""
    return "*" * 40


AWS_SECRET_KEY = register(
    Detector(
        entity_type="AWS_SECRET_KEY",
        patterns=(
            # 30 random bytes in base64: exactly 40 characters, never padded. A delimiter (or the start/end of
            # the value) is required on each side, so windows of longer base64 blobs never match.
            Pattern("base64_40", r"(?:^|[^A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?:[^A-Za-z0-9/+=]|$)", 0.3),
        ),
        keywords=(
            "aws_secret_access_key",
            "secret_access_key",
            "secretaccesskey",
            "aws_secret_key",
            "aws_secret",
            "aws secret",
            "secret key",
            "secret_key",
        ),
        column_hints=(r"(^|_)(aws_)?secret(_access)?_key(_|$)", r"(^|_)aws_secret(_|$)"),
        validate=aws_secret_key_shape,
        mask=mask_aws_secret_key,
        requires_context=True,
        sensitivity=Sensitivity.HIGH,
        frameworks=(),
        jurisdiction="GLOBAL",
        positives=(
            Example("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", column="aws_secret_access_key"),
            Example("aws_secret_access_key = je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY"),
            Example('export AWS_SECRET_ACCESS_KEY="' + "hdHgDDXlyNuCoPdTaP1h" + '4uIy2KRNlqBGOaEayf7l"'),
            Example(
                '{"AccessKeyId": "ASIAY34FZKBOKMUTVV7A", "SecretAccessKey": "'
                + "SxK1zi1sp4igFTqE7hSG"
                + 'B4UMD42wBs6Ai4I1t7iP"}'
            ),
            Example("secret key: +/JALux6f0Go0XQZmIPK8" + "UrGr03TDWJV4fQmBceG"),
        ),
        negatives=(
            Example("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
            Example("Sample value wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY from the user guide"),
            Example("aws_secret_access_key = da39a3ee5e6b4b0d3255bfef95601890afd80709"),
            Example("550e8400-e29b-41d4-a716-446655440000", column="aws_secret_access_key"),
            Example("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", column="secret_key"),
            Example(
                "secret key image data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
            ),
            Example("aws_secret = 0123456789abcdefghijklmnopqrstuvwxyz0123"),
            Example("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEYX"),
        ),
    )
)

_PEM_HEADER_RE = re.compile(r"-----BEGIN ([A-Z ]+)-----")


def pem_private_key_label(token: str, options: Mapping[str, Any]) -> bool:
    """True for a PEM private-key header whose label is consistent: ``BLOCK`` ends it exactly when it is PGP."""
    match = _PEM_HEADER_RE.fullmatch(token)
    if match is None:
        return False
    label = match.group(1)
    return label.startswith("PGP ") == label.endswith(" BLOCK")


def mask_pem_header(value: str) -> str:
    """Keep the public header and hide the rest: ``-----BEGIN RSA PRIVATE KEY-----****``."""
    match = _PEM_HEADER_RE.search(value)
    return (match.group() if match else "") + "****"


PRIVATE_KEY = register(
    Detector(
        entity_type="PRIVATE_KEY",
        patterns=(
            Pattern(
                "pem_header",
                r"-----BEGIN (?:(?:RSA|EC|DSA|OPENSSH|ENCRYPTED|PGP) )?PRIVATE KEY(?: BLOCK)?-----",
                0.95,
            ),
        ),
        keywords=("private key", "private_key", "ssh key", "pem", "rsa", "openssh", "pgp", "gpg", "id_rsa"),
        column_hints=(
            r"(^|_)(private|priv|ssh|rsa|pgp|gpg|signing|tls|ssl)_key(_pem)?(_|$)",
            r"(^|_)(pem|id_rsa|id_ed25519|key_pem)(_|$)",
        ),
        validate=pem_private_key_label,
        mask=mask_pem_header,
        sensitivity=Sensitivity.HIGH,
        frameworks=(),
        jurisdiction="GLOBAL",
        positives=(
            Example("-----BEGIN RSA PRIVATE KEY-----"),
            Example(
                "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----",
                column="tls_key",
            ),
            Example("key = '-----BEGIN OPENSSH PRIVATE KEY-----\\nb3BlbnNzaC1rZXktdjEAAAAA'"),
            Example("-----BEGIN EC PRIVATE KEY-----", column="signing_key"),
            Example("-----BEGIN ENCRYPTED PRIVATE KEY-----"),
            Example("-----BEGIN PGP PRIVATE KEY BLOCK-----"),
        ),
        negatives=(
            Example("-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----"),
            Example("-----BEGIN CERTIFICATE-----", column="tls_cert"),
            Example("-----BEGIN RSA PUBLIC KEY-----"),
            Example("-----BEGIN RSA PRIVATE KEY BLOCK-----"),
            Example("-----BEGIN PGP PRIVATE KEY-----"),
            Example("-----END RSA PRIVATE KEY-----"),
            Example("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 deploy@build-01", column="ssh_public_key"),
        ),
    )
)


def jwt_header(token: str, options: Mapping[str, Any]) -> bool:
    """True for three dot-separated base64url segments whose first decodes to a JSON object with an ``alg``."""
    parts = token.split(".")
    if len(parts) != 3:
        return False
    segment = parts[0]
    try:
        header = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except (ValueError, RecursionError):  # binascii.Error, UnicodeDecodeError and JSONDecodeError are ValueErrors
        return False
    return isinstance(header, dict) and isinstance(header.get("alg"), str)


def mask_jwt(value: str) -> str:
    """Keep only the ``eyJ`` prefix every JWT shares: ``eyJ***...``."""
    return "eyJ***..."


JWT = register(
    Detector(
        entity_type="JWT",
        patterns=(Pattern("jws_compact", r"\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*", 0.8),),
        keywords=("jwt", "bearer", "token", "authorization", "id_token", "access_token", "refresh_token"),
        column_hints=(
            r"(^|_)(jwt|id_token|access_token|refresh_token|bearer_token|auth_token)(_|$)",
            r"(^|_)(authorization|session_token)(_|$)",
        ),
        validate=jwt_header,
        mask=mask_jwt,
        sensitivity=Sensitivity.HIGH,
        frameworks=(),
        jurisdiction="GLOBAL",
        positives=(
            # The example token of RFC 7519 section 3.1 and its unsecured (alg "none", empty signature) form.
            Example(
                "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6"
                "Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
                column="id_token",
            ),
            Example(
                "token=eyJhbGciOiJub25lIn0.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxl"
                "LmNvbS9pc19yb290Ijp0cnVlfQ."
            ),
            Example(
                "Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6Ikpv"
                "aG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
            ),
            Example(
                "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImsxIn0.eyJzdWIiOiI0MiIsImlhdCI6MTcwMDAwMDAwMH0.c2lnbmF0dXJl"
            ),
        ),
        negatives=(
            Example("eyJhbGciOiJIUzI1NiI.eyJzdWIiOiI0MiIsImlhdCI6MTcwMDAwMDAwMH0.c2lnbmF0dXJl", column="id_token"),
            Example("eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiI0MiIsImlhdCI6MTcwMDAwMDAwMH0.c2lnbmF0dXJl"),
            Example("Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0"),
            Example("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9x.eyJzdWIiOiI0MiJ9.c2ln"),
            Example("release eyJ.v1.2.3"),
        ),
    )
)

_BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
_GITHUB_CLASSIC_RE = re.compile(r"gh[pousr]_([A-Za-z0-9]{30})([A-Za-z0-9]{6})")
_GITHUB_FINE_GRAINED_RE = re.compile(r"github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}")


def _base62(number: int, width: int) -> str:
    digits = ""
    while number:
        number, remainder = divmod(number, 62)
        digits = _BASE62[remainder] + digits
    return digits.rjust(width, "0")


def github_token_checksum(token: str, options: Mapping[str, Any]) -> bool:
    """True for a classic token whose last 6 characters are the base62 CRC32 of its 30 random ones.

    Fine-grained ``github_pat_`` tokens carry no published checksum; they must have the 22 + ``_`` + 59 layout.
    """
    if token.startswith("github_pat_"):
        return _GITHUB_FINE_GRAINED_RE.fullmatch(token) is not None
    match = _GITHUB_CLASSIC_RE.fullmatch(token)
    return match is not None and _base62(zlib.crc32(match.group(1).encode("ascii")), 6) == match.group(2)


def mask_after_prefix(*prefixes: str) -> Masker:
    """Return a masker keeping the first of ``prefixes`` the value starts with and starring the rest.

    Without a known prefix everything is starred; prefixes are public markers of the token type.
    """

    def mask(value: str) -> str:
        prefix = next((p for p in prefixes if value.startswith(p)), "")
        return prefix + "*" * (len(value) - len(prefix))

    return mask


GITHUB_TOKEN = register(
    Detector(
        entity_type="GITHUB_TOKEN",
        patterns=(
            Pattern("classic", r"\bgh[pousr]_[A-Za-z0-9]{36}\b", 0.9),
            Pattern("fine_grained_pat", r"\bgithub_pat_[A-Za-z0-9_]{82}\b", 0.9),
        ),
        keywords=("github", "gh_token", "github_token", "personal access token", "pat", "token"),
        column_hints=(r"(^|_)(github|gh|git)_(token|pat|access_token|api_token|api_key)(_|$)", r"(^|_)github_pat(_|$)"),
        validate=github_token_checksum,
        mask=mask_after_prefix("github_pat_", "ghp_", "gho_", "ghu_", "ghs_", "ghr_"),
        sensitivity=Sensitivity.HIGH,
        frameworks=(),
        jurisdiction="GLOBAL",
        positives=(
            Example("ghp_" + "WmlEbCyBdKpb04BrVLtg5rTId8W4Eu2wknaT", column="github_token"),
            Example("export GITHUB_TOKEN=gho_" + "q4DeIaW0Olundlxb8VQP4UoOkCoMeL1pRARv"),
            Example("installation token ghs_" + "DyE1dzWLJYhL45H4PKEeBd11lhPWNj24LvDP issued"),
            Example("ghu_" + "CmAb6JKr7gs5ZBCqtroaHgj9ElRUGo1BXHEc"),
            Example("ghr_" + "As0N4EbG0chiovEOYqZR9kqgtXfYgl0ZJw0n"),
            Example(
                "token: github_pat_"
                + "kaKpCEcrJgJJ1EiqyNqUkF_YAiotHxMNWEcFextJKWz3kSeneRBcrHpzAZQYrlXF8iaUfQ7nJJXnTKR5g9"
            ),
        ),
        negatives=(
            # The placeholder token of GitHub's REST API documentation: right shape, wrong checksum.
            Example("ghp_16C7e42F292c6912E7710c838347Ae178B4a", column="github_token"),
            Example("ghp_" + "WmlEbCyBdKpb04BrVLtg5rTId8W4Eu2wknaX"),
            Example("ghp_" + "WmlEbCyBdKpb04BrVLtg5rTId8W4Eu2wkna"),
            Example("ghx_" + "WmlEbCyBdKpb04BrVLtg5rTId8W4Eu2wknaT"),
            Example("ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", column="github_token"),
            Example(
                "github_pat_" + "kaKpCEcrJgJJ1EiqyNqUkFYAiotHxMNWEcFextJKWz3kSeneRBcrHpzAZQYrlXF8iaUfQ7nJJXnTKR5g9_"
            ),
        ),
    )
)

_ALNUM_RUN_RE = re.compile(r"[A-Za-z0-9]+")


def random_token_body(token: str, options: Mapping[str, Any]) -> bool:
    """True when the token's longest alphanumeric run (its random part) has at least 6 distinct characters.

    Rejects documentation placeholders such as ``sk_live_xxxxxxxxxxxxxxxxxxxxxxxx`` or ``.../XXXXXXXX``.
    """
    longest = max(_ALNUM_RUN_RE.findall(token), key=len, default="")
    return len(set(longest)) >= 6


SLACK_TOKEN = register(
    Detector(
        entity_type="SLACK_TOKEN",
        patterns=(
            Pattern("token", r"\bxox[abprs]-(?:[0-9]{1,13}-){1,3}[A-Za-z0-9]{10,64}\b", 0.9),
            Pattern(
                "webhook_url",
                r"\bhttps://hooks\.slack\.com/services/T[A-Z0-9]{6,12}/B[A-Z0-9]{6,12}/[A-Za-z0-9]{20,32}\b",
                0.9,
            ),
        ),
        keywords=("slack", "xoxb", "xoxp", "webhook", "bot token", "bot_token"),
        column_hints=(
            r"(^|_)slack_(bot_|user_|app_|api_)?(token|webhook|webhook_url|hook_url|url)(_|$)",
            r"(^|_)(slack_token|webhook_url)(_|$)",
        ),
        validate=random_token_body,
        mask=mask_after_prefix("https://hooks.slack.com/services/", "xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxs-"),
        sensitivity=Sensitivity.HIGH,
        frameworks=(),
        jurisdiction="GLOBAL",
        positives=(
            Example("xoxb-" + "17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy", column="slack_bot_token"),
            Example("SLACK_TOKEN=xoxp-" + "267026958206-546788006695-2424564733819-03b1ac0514b33c31d0b20ac3c3141e55"),
            Example(
                "alerts go to https://hooks.slack.com/services/" + "TIEBZDV7ET/BQ2FD0VGG1L/0Omt5dWKEUjkaie7vvAmscFR"
            ),
            Example("legacy bot xoxb-" + "204817369-Qk2mVx8RtL5wZp3NcY7hJd4s"),
        ),
        negatives=(
            Example("xoxb-" + "17653672481-19874698323-XXXXXXXXXXXXXXXXXXXXXXXX", column="slack_bot_token"),
            Example("https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"),
            Example("xoxq-" + "17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy"),
            Example("xoxb-token-goes-here"),
            Example("https://hooks.slack.com/workflows/T024BE7LD/A04U6E3/4628871/abc"),
        ),
    )
)

GOOGLE_API_KEY = register(
    Detector(
        entity_type="GOOGLE_API_KEY",
        # A trailing "-" cannot be followed by \b, so the last character is either a word character at a
        # boundary or a dash.
        patterns=(Pattern("aiza", r"\bAIza[0-9A-Za-z_-]{34}(?:[0-9A-Za-z_]\b|-)", 0.9),),
        keywords=("google", "api key", "api_key", "apikey", "gcp", "firebase", "maps", "youtube"),
        column_hints=(r"(^|_)(google|gcp|firebase|maps|youtube|places)_(api_)?key(_|$)", r"(^|_)(api_key|apikey)(_|$)"),
        validate=random_token_body,
        mask=mask_after_prefix("AIza"),
        sensitivity=Sensitivity.HIGH,
        frameworks=(),
        jurisdiction="GLOBAL",
        positives=(
            Example("AIza" + "dbtqqP1OBOIuidXVTBH-eXfdaj42vxwsvel", column="google_api_key"),
            Example(
                "https://maps.googleapis.com/maps/api/geocode/json?key=AIza" + "lDu1ta4lUAUnFiMhheo-18s1kpIjdVhIX5J"
            ),
            Example('firebase: {apiKey: "AIza' + '678rSqLL0-sS6kyTGkYi0B-syEkW7RGC8pf"}'),
            Example("GOOGLE_API_KEY=AIza" + "SyB4kQ9_xM2vL7pR3tN8wZ5cH1jD6fG0eQ-"),
        ),
        negatives=(
            Example("AIza" + "dbtqqP1OBOIuidXVTBH-eXfdaj42vxwsve", column="google_api_key"),
            Example("AIza" + "dbtqqP1OBOIuidXVTBH-eXfdaj42vxwsvelQ"),
            Example("aiza" + "dbtqqP1OBOIuidXVTBH-eXfdaj42vxwsvel"),
            Example("AIzb" + "dbtqqP1OBOIuidXVTBH-eXfdaj42vxwsvel"),
            Example("AIza" + "XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", column="google_api_key"),
        ),
    )
)

STRIPE_KEY = register(
    Detector(
        entity_type="STRIPE_KEY",
        patterns=(Pattern("secret_or_restricted", r"\b[rs]k_(?:live|test)_[0-9A-Za-z]{24,}\b", 0.9),),
        keywords=("stripe", "secret key", "api key", "api_key", "restricted key"),
        column_hints=(r"(^|_)stripe(_secret|_restricted|_api)?_key(_|$)", r"(^|_)stripe_(secret|token)(_|$)"),
        validate=random_token_body,
        mask=mask_after_prefix("sk_live_", "sk_test_", "rk_live_", "rk_test_"),
        sensitivity=Sensitivity.HIGH,
        frameworks=(),
        jurisdiction="GLOBAL",
        positives=(
            # Stripe's published documentation test key.
            Example("sk_test_4eC39HqLyjWDarjtT1zdp7dc", column="stripe_secret_key"),
            Example("STRIPE_SECRET_KEY=sk_live_" + "Qgum1m41iypVGMzNjtxMjDlo"),
            Example(
                "restricted rk_live_"
                + "PVxmN6q9QjVJypz4zr09MXVeB0MIeCCvCXhu6hgLF73L9fXvbTfwz6Qcf6iHvbyUyPV2iDyQyBjDkO08C3hcXfgjZ50huXwthc3"
            ),
            Example("stripe.api_key = 'sk_test_" + "81NnwIcSPsXvzO5oQSHrcgmMJTMvkQwz'"),
        ),
        negatives=(
            Example("pk_live_" + "Qgum1m41iypVGMzNjtxMjDlo", column="stripe_publishable_key"),
            Example("sk_live_" + "Qgum1m41iypVGMzNjtxMjDl"),
            Example("sk_prod_" + "Qgum1m41iypVGMzNjtxMjDlo"),
            Example("sk-proj-" + "Qgum1m41iypVGMzNjtxMjDlo"),
            Example("sk_live_xxxxxxxxxxxxxxxxxxxxxxxx", column="stripe_secret_key"),
        ),
    )
)

_KEY_VALUE_RE = re.compile(r"[;?&]\s*(password|passwd|pwd)\s*=\s*(.*)", re.IGNORECASE | re.DOTALL)
_PLACEHOLDER_PASSWORDS = frozenset(
    {
        "password", "passwd", "pass", "pwd", "secret", "changeme", "change_me", "changeit", "example", "redacted",
        "hidden", "masked", "null", "none", "your_password", "yourpassword", "my_password", "mypassword",
        "db_password", "dbpassword",
    }
)  # fmt: skip
# Templating and environment-variable syntaxes: ${VAR}, {{ var }}, <password>, %s, %(name)s, $VAR, %VAR%.
_TEMPLATE_RE = re.compile(r"\$\{.*\}|\{\{.*\}\}|<.*>|%(?:\(\w*\))?s|\$[A-Za-z_]\w*|%[A-Za-z_]\w*%", re.DOTALL)


def _embedded_password(token: str) -> str:
    key_value = _KEY_VALUE_RE.fullmatch(token)
    if key_value is not None:
        return key_value.group(2)
    userinfo = token.partition("://")[2].rpartition("@")[0]
    return urllib.parse.unquote(userinfo.partition(":")[2])


def embedded_password(token: str, options: Mapping[str, Any]) -> bool:
    """True when the password of a URL's user info or of a ``password=`` pair is real: not empty or a placeholder."""
    password = _embedded_password(token)
    if len(password) > 2 and password[0] == "{" and password[-1] == "}" and not password.startswith("{{"):
        password = password[1:-1]  # ODBC quotes values containing ";" in braces
    return (
        len(set(password)) > 1
        and "***" not in password
        and password.lower() not in _PLACEHOLDER_PASSWORDS
        and _TEMPLATE_RE.fullmatch(password) is None
    )


def mask_embedded_password(value: str) -> str:
    """Hide the credentials, keep scheme and host or the key.

    ``postgres://app:s3cret@db.example.com`` -> ``postgres://***:***@db.example.com``; ``;Pwd=x`` -> ``Pwd=***``.
    """
    key_value = _KEY_VALUE_RE.fullmatch(value)
    if key_value is not None:
        return key_value.group(1) + "=***"
    scheme, separator, rest = value.partition("://")
    host = rest.rpartition("@")[2]
    if not separator or not host:
        return "*" * len(value)
    # Host names may hold long digit runs; those would leak digits of the value, so they are hidden too.
    return f"{scheme}://***:***@" + re.sub(r"\d{5,}", lambda match: "*" * len(match.group()), host)


PASSWORD_IN_URL = register(
    Detector(
        entity_type="PASSWORD_IN_URL",
        patterns=(
            # The password may hold "@" and ":"; greedy matching backtracks to the last "@" before the host.
            Pattern(
                "url_userinfo",
                r"\b(?:postgres(?:ql)?|mysql|mariadb|mongodb|rediss?|amqps?|mssql|sqlserver|oracle|jdbc:[a-z0-9]+"
                r"|https?|s?ftp|ftps)(?:\+[a-z0-9]+)?://[^\s:/?#@'\"]*:[^\s/?#'\"]+@[A-Za-z0-9][A-Za-z0-9.-]*",
                0.7,
            ),
            Pattern(
                "connection_string_pair",
                r"[;?&]\s*(?:[Pp]assword|PASSWORD|[Pp]asswd|PASSWD|[Pp]wd|PWD)\s*=\s*(?:\{[^}\n]{1,128}\}+|[^;&\s'\"]+)",
                0.6,
            ),
        ),
        keywords=(
            "password",
            "passwd",
            "pwd",
            "connection string",
            "dsn",
            "jdbc",
            "odbc",
            "database_url",
            "passwort",
            "mot de passe",
            "contraseña",
            "senha",
            "wachtwoord",
        ),
        column_hints=(
            r"(^|_)(dsn|jdbc_url|database_url|database_uri|db_url|db_uri|dburl)(_|$)",
            r"(^|_)(connection_string|conn_str|conn_string|connection_url|connection_uri)(_|$)",
            r"(^|_)(mongo|mongodb|redis|postgres|mysql|amqp|broker|sqlalchemy_database)_(url|uri)(_|$)",
        ),
        validate=embedded_password,
        mask=mask_embedded_password,
        sensitivity=Sensitivity.HIGH,
        frameworks=(),
        jurisdiction="GLOBAL",
        positives=(
            Example("postgres://app_user:S3cr3t!pass@db.example.com:5432/orders", column="database_url"),
            Example("MONGO_URI=mongodb+srv://admin:Tr0ub4dor%263@cluster0.example.mongodb.net/test"),
            Example("Server=sql01.example.com;Database=crm;User Id=crm_app;Password=Winter2024!;"),
            Example("jdbc:mysql://db.example.com:3306/shop?user=shop&password=p4ssW0rd9", column="jdbc_url"),
            Example("redis://:hunter2x@cache.internal:6379/0"),
            Example(
                "Driver={ODBC Driver 18 for SQL Server};Server=tcp:sql.example.com,1433;Uid=report;Pwd={x7#Kp;2mQ};"
            ),
            Example("cloning https://deploy:glp9Xk2mQw@git.example.com/group/repo.git", column="remote_url"),
        ),
        negatives=(
            Example("postgres://user@host/db", column="database_url"),
            Example("password=${DB_PASSWORD}"),
            Example("jdbc:postgresql://db:5432/app?user=app&password=${DB_PASSWORD}", column="jdbc_url"),
            Example("postgres://user:password@localhost/db"),
            Example("Server=db;User Id=app;Password=<password>;"),
            Example("mysql://root:***@db.example.com/shop"),
            Example("https://ci:{{vault_password}}@git.example.com/repo.git"),
            Example("Data Source=db;Password=changeme;"),
            Example("amqp://guest:%s@rabbit.example.com", column="broker_url"),
            Example("https://example.com:8443/path?next=a@b.example.com"),
        ),
    )
)

_BASIC_CREDENTIALS_RE = re.compile(r"([A-Za-z0-9+/]+)(=*)")


def basic_auth_credentials(token: str, options: Mapping[str, Any]) -> bool:
    """True when the base64 after ``Basic`` decodes to printable ``user:password`` with a real password.

    The password must not be empty, a placeholder or a template (as for PASSWORD_IN_URL); the user may be
    empty, as when an API token is sent as the password. Missing ``=`` padding is tolerated.
    """
    match = _BASIC_CREDENTIALS_RE.fullmatch(token.split()[-1]) if token.split() else None
    if match is None or len(match.group(2)) > 2:
        return False
    encoded = match.group(1)
    try:
        decoded = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True).decode("utf-8")
    except ValueError:  # binascii.Error and UnicodeDecodeError are ValueErrors
        return False
    _user, colon, password = decoded.partition(":")
    return (
        bool(colon)
        and decoded.isprintable()
        and len(set(password)) > 1
        and "***" not in password
        and password.lower() not in _PLACEHOLDER_PASSWORDS
        and _TEMPLATE_RE.fullmatch(password) is None
    )


def mask_basic_auth(value: str) -> str:
    """Hide the credentials entirely and keep the public scheme: ``Authorization: Basic dXNl...`` -> ``Basic ****``."""
    return "Basic ****"


HTTP_BASIC_AUTH = register(
    Detector(
        entity_type="HTTP_BASIC_AUTH",
        patterns=(
            # The header as logged by HTTP clients, curl -v, proxies and JSON or Python dict dumps of headers.
            Pattern(
                "authorization_header",
                r"\b(?:[Pp]roxy-)?(?:[Aa]uthorization|AUTHORIZATION)[\"']?\s*[:=]\s*[\"']?(?:[Bb]asic|BASIC)\s+"
                r"[A-Za-z0-9+/]{4,}={0,2}",
                0.9,
            ),
            # The scheme and credentials alone (a header value column, an auth argument). The validator rejects
            # the English word: "basic" followed by a word is almost never base64 of "user:password".
            Pattern("basic_scheme", r"\b(?:[Bb]asic|BASIC) +[A-Za-z0-9+/]{8,}={0,2}", 0.6),
        ),
        keywords=(
            "authorization",
            "proxy-authorization",
            "basic auth",
            "basic authentication",
            "http basic",
            "credentials",
            "auth header",
        ),
        column_hints=(
            r"(^|_)(proxy_)?authori[sz]ation(_header)?(_|$)",
            r"(^|_)(auth_header|basic_auth|http_auth|auth_basic|basic_credentials)(_|$)",
        ),
        validate=basic_auth_credentials,
        mask=mask_basic_auth,
        sensitivity=Sensitivity.HIGH,
        frameworks=(),
        jurisdiction="GLOBAL",
        positives=(
            # RFC 7617's example, "Aladdin:open sesame".
            Example("Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="),
            Example("curl -H 'Authorization: Basic " + "ZGVwbG95OnM4S2QyeFBxN3Z" + "M' https://ci.example.com/api"),
            Example('{"headers": {"authorization": "Basic ' + "YXBpOnQwa2VuLTdmM2Ux" + 'OWI="}}'),
            Example("Basic " + "OnBhdC00Zjlr" + "Mm04cTd3M3gxejZ2NWI=", column="auth_header"),
            Example("GET /v1/items Proxy-Authorization: Basic " + "c3F1aWQ6UHIweHkhMjAy" + "NA== 200"),
        ),
        negatives=(
            # base64 of "user:password", "admin:", "no colon here" and ":xxxxxxxx"
            Example("Authorization: Basic dXNlcjpwYXNzd29yZA=="),
            Example("Authorization: Basic YWRtaW46"),
            Example("Authorization: Basic bm8gY29sb24gaGVyZQ==", column="auth_header"),
            Example("Authorization: Basic Onh4eHh4eHh4"),
            Example("Basic Information about the product"),
            Example("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.c2ln"),
            Example("Authorization: Basic ${BASIC_AUTH}"),
        ),
    )
)
