"""The leak search itself must find a value hidden in each encoding, wherever it sits in a longer string."""

from __future__ import annotations

import base64
import binascii
import json
from urllib.parse import quote

import pytest

from tests.secrecy import encoded_forms, find_leaks

VALUE = "jane.roe+test@example.com"


@pytest.mark.parametrize("prefix", ["", "a", "ab", "note: "])
def test_a_value_inside_a_longer_string_is_found_in_every_encoding(prefix: str) -> None:
    text = f"{prefix}{VALUE} and more"
    blobs = {
        "clear": text.encode(),
        "utf-16": text.encode("utf-16-le"),
        "url": quote(text, safe="").encode(),
        "json": json.dumps({"v": text}).encode(),
        "hex": binascii.hexlify(text.encode()),
        "base64": base64.b64encode(text.encode()),
    }
    found = {name for _, _, name in find_leaks([VALUE], blobs)}
    assert found == set(blobs)


def test_unrelated_output_and_masked_samples_are_not_leaks() -> None:
    blobs = {"masked": b"j***@example.com ****-****-****-1111", "other": base64.b64encode(b"jane.doe@example.com")}
    assert find_leaks([VALUE, "4111111111111111"], blobs) == []


def test_every_base64_alignment_has_a_long_enough_fragment() -> None:
    assert sorted(name for name in encoded_forms(VALUE) if name.startswith("base64")) == [
        "base64+0", "base64+1", "base64+2",
    ]  # fmt: skip
