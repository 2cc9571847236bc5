"""Keyed fingerprints: canonical forms, the HMAC itself, bottom-k merging, the engine and where the key comes from."""

from __future__ import annotations

import random
from pathlib import Path

import boto3
import pyarrow as pa
import pytest
from moto import mock_aws

from classifiers.config import DetectionConfig
from classifiers.engine import Engine
from classifiers.errors import ConfigError
from classifiers.fingerprints import Fingerprinter, bottom, canonical, smallest
from classifiers.tally import ColumnTally
from jobs.config import load_config, parse_config
from jobs.fingerprint_key import FingerprintSettings, fingerprinter_for

KEY = b"piiscan-test-key-0123456789"
# Computed with `printf '%s' VALUE | openssl dgst -sha256 -hmac piiscan-test-key-0123456789`, not with Python.
OPENSSL = {
    "4111111111111111": "b1b9ea8f75a7ebc2d9450cca5ec6482d93e910cefce0aa3a99824251ac40ab4a",
    "jane.roe@example.com": "de6d7650f76c5179172f4b60e1fbe811d04887159623423cc9798da381440a7f",
}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("4111 1111 1111 1111", "4111111111111111"),
        ("4111-1111-1111-1111", "4111111111111111"),
        (" +1 (555) 010-0199 ", "15550100199"),
        ("123.45.6789", "123456789"),
        ("Jane.Roe@Example.COM", "jane.roe@example.com"),
        ("DE89 3704 0044 0532 0130 00", "de89 3704 0044 0532 0130 00"),  # letters: only case and width change
        ("\uff14\uff11\uff11\uff11", "4111"),  # full-width digits are digits after NFKC
        ("--", "--"),  # separators alone are no number
    ],
)
def test_canonical_forms(value: str, expected: str) -> None:
    assert canonical(value) == expected


def test_fingerprints_equal_openssl_hmac_of_the_canonical_value() -> None:
    fingerprint = Fingerprinter(KEY)
    assert {v: fingerprint(v) for v in OPENSSL} == OPENSSL
    assert fingerprint("4111 1111 1111 1111") == OPENSSL["4111111111111111"]
    assert fingerprint("JANE.ROE@example.com") == OPENSSL["jane.roe@example.com"]
    assert Fingerprinter(KEY[::-1])("4111111111111111") != OPENSSL["4111111111111111"]


def test_the_key_never_shows_in_repr_and_short_keys_are_refused() -> None:
    fingerprinter = Fingerprinter(KEY, limit=5)
    assert repr(fingerprinter) == f"Fingerprinter(key_id={fingerprinter.key_id!r}, limit=5)"
    assert KEY.decode() not in repr(fingerprinter) and len(fingerprinter.key_id) == 12
    with pytest.raises(ValueError, match="at least 16 bytes, got 4"):
        Fingerprinter(b"Jefe")


def test_bottom_k_kept_per_part_then_merged_equals_the_bottom_k_of_everything_seen() -> None:
    fingerprinter = Fingerprinter(KEY, limit=50)
    values = [f"user{i}@example.com" for i in range(2_000)]
    rng = random.Random(7)
    merged: set[str] = set()
    seen: set[str] = set()
    for _ in range(6):  # six "tasks", each seeing a random part of the values, in any order
        part: set[str] = set()
        for value in rng.sample(values, 700):
            fingerprinter.add(part, value)
            seen.add(value)
        assert 50 <= len(part) < 100  # pruned on the way: never twice the limit
        merged |= smallest(part, 50)
    assert len(seen) < len(values)  # some values were in no part, so "everything" would be a different answer
    expected = sorted(fingerprinter(v) for v in seen)[:50]
    assert bottom(merged, 50) == expected


def _tally(engine: Engine, column: str, values: list[str]) -> ColumnTally:
    tally = ColumnTally(column)
    engine.scan_columns([(pa.array(values), tally)])
    return tally


def test_engine_keeps_fingerprints_of_accepted_matches_only_when_asked() -> None:
    values = ["4111 1111 1111 1111", "4111-1111-1111-1111", "5500 0000 0000 0004", "not a card", "4111111111111112"]
    fingerprinter = Fingerprinter(KEY)
    with_fingerprints = _tally(Engine(DetectionConfig.default(), b"k", fingerprinter=fingerprinter), "card", values)
    card = with_fingerprints.entities["CREDIT_CARD"]
    # two spellings of one card are one fingerprint; the number failing Luhn is no match and has none
    assert card.fingerprints == {fingerprinter("4111111111111111"), fingerprinter("5500000000000004")}
    without = _tally(Engine(DetectionConfig.default(), b"k"), "card", values)
    assert without.entities["CREDIT_CARD"].fingerprints == set()
    assert without.entities["CREDIT_CARD"].matched_values == card.matched_values == 3


def test_settings_are_validated_and_off_by_default() -> None:
    assert parse_config({}).fingerprints == FingerprintSettings()
    assert fingerprinter_for(FingerprintSettings()) is None
    assert parse_config({"fingerprints": {"enabled": True, "limit": 10}}).fingerprints.limit == 10
    with pytest.raises(ConfigError, match=r"fingerprints.limit must be a positive integer, got 0"):
        parse_config({"fingerprints": {"limit": 0}})
    with pytest.raises(ConfigError, match=r"fingerprints: unknown key\(s\) \['key'\]"):
        parse_config({"fingerprints": {"key": "inline keys are not accepted"}})


def test_digest_changes_only_when_fingerprints_are_turned_on() -> None:
    plain = parse_config({}).digest
    assert parse_config({"fingerprints": {"enabled": False, "limit": 5}}).digest == plain
    assert parse_config({"fingerprints": {"enabled": True}}).digest != plain


def test_key_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = FingerprintSettings(enabled=True, key_env="MY_FP_KEY", limit=7)
    monkeypatch.delenv("MY_FP_KEY", raising=False)
    with pytest.raises(ConfigError, match="the environment variable MY_FP_KEY is not set"):
        fingerprinter_for(settings)
    monkeypatch.setenv("MY_FP_KEY", "short-key")
    with pytest.raises(ConfigError) as short:
        fingerprinter_for(settings)
    assert str(short.value) == (
        "the fingerprint key in environment variable MY_FP_KEY has 9 bytes; use at least 16 random bytes "
        "(for example: openssl rand -hex 32)"
    )
    monkeypatch.setenv("MY_FP_KEY", KEY.decode())
    assert fingerprinter_for(settings) == Fingerprinter(KEY, 7)


@mock_aws
def test_key_from_secrets_manager(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    client = boto3.client("secretsmanager", region_name="us-east-1")
    client.create_secret(Name="piiscan/fingerprint", SecretString=KEY.decode())
    client.create_secret(Name="piiscan/binary", SecretBinary=KEY[::-1])
    found = fingerprinter_for(FingerprintSettings(enabled=True, secret_id="piiscan/fingerprint"), client)
    assert found == Fingerprinter(KEY)
    binary = fingerprinter_for(FingerprintSettings(enabled=True, secret_id="piiscan/binary"), client)
    assert binary == Fingerprinter(KEY[::-1])
    with pytest.raises(ConfigError) as missing:
        fingerprinter_for(FingerprintSettings(enabled=True, secret_id="piiscan/none"), client)
    assert str(missing.value) == "cannot read the fingerprint key from secret 'piiscan/none': ResourceNotFoundException"


def test_an_unset_key_variable_fails_loading_the_configuration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "scan.yaml"
    path.write_text("fingerprints:\n  enabled: true\n  key_env: MY_FP_KEY\n")
    monkeypatch.delenv("MY_FP_KEY", raising=False)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value) == (
        f"{path}: fingerprints are enabled but the environment variable MY_FP_KEY is not set; set it to a secret key "
        "(for example: export MY_FP_KEY=$(openssl rand -hex 32)) or set fingerprints.secret_id"
    )
    monkeypatch.setenv("MY_FP_KEY", KEY.decode())
    assert load_config(path).fingerprints == FingerprintSettings(enabled=True, key_env="MY_FP_KEY")
