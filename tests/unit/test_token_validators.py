"""The bulk token validators equal the scalar ones token by token, and the single-match path changes no tally.

classifiers/token_validators.py validates the tokens of values with one match in bulk (RE2 over an Arrow
array); Engine._single_matches decides, by RE2, which values have exactly one match and where. Both only ever
see printable ASCII: the tokens here are that, from the detectors' own examples, edge cases of each format and
generated text. The engine with its fast paths must give exactly the tallies of the plain Python path.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classifiers import engine as engine_module
from classifiers import validators
from classifiers.config import DetectionConfig, parse_detection
from classifiers.detectors import financial
from classifiers.engine import Engine
from classifiers.tally import ColumnTally
from classifiers.token_validators import TOKEN_VALIDATORS
from tests.helpers import examples_in_context

PRINTABLE = "\t" + "".join(chr(c) for c in range(0x20, 0x7F))
EDGE_TOKENS = {
    validators.email: [
        "a@b.co",
        "a@b.c",
        "a@b",
        "@b.com",
        "a@@b.com",
        "a@b@c.com",
        ".a@b.com",
        "a.@b.com",
        "a..b@c.com",
        "a.b@c.com",
        "a@-b.com",
        "a@b-.com",
        "a@b..com",
        "a@.b.com",
        "a@b.com.",
        "a@b.c0m",
        "a@b.com1",
        "A+B=C{}|~^`'#!$%&*/?@x-y.z.ORG",
        "x" * 64 + "@b.com",
        "x" * 65 + "@b.com",
        "a@" + "b" * 63 + ".com",
        "a@" + "b" * 64 + ".com",
        "a@b." + "c" * 63,
        "a@b." + "c" * 64,
        "a@" + ".".join(["b" * 60] * 4) + ".com",  # 253 characters
        "a@" + ".".join(["b" * 60] * 4) + ".coms",  # 254
        "a@" + ".".join(["b" * 60] * 4) + ".comss",  # 255
        "a b@c.com",
        "a@b c.com",
        "a\t@b.com",
    ],
    validators.ip_address: [
        "0.0.0.0",
        "255.255.255.255",
        "255.255.255.254",
        "1.2.3.4",
        "01.2.3.4",
        "1.2.3.04",
        "1.2.3.00",
        "1.2.3.0",
        "256.1.1.1",
        "1.2.3.249",
        "1.2.3.250",
        "1.2.3.199",
        "1.2.3",
        "1.2.3.4.5",
        "1..3.4",
        "1.2.3.4.",
        "1.2.3.1000",
        " 1.2.3.4",
        "::",
        "::1",
        "fe80::1",
        "2001:db8::8a2e:370:7334",
        "1:2:3",
        "::ffff:1.2.3.4",
        "a.b.c.d",
    ],
    financial.bic_iso9362: [
        "DEUTDEFF",
        "DEUTDEFF500",
        "DEUTDEF",
        "DEUTDEFFF",
        "DEUTXXFF",
        "DEUTDE0F",
        "DEUTDE1F",
        "DEUTDE2F",
        "DEUTDEFO",
        "DEUTDE2O",
        "DATABASE",
        "HOSPITAL",
        "ABCDFRPP",
        "ABCDFRAA",
        "ABCDFRAE",
        "ABCDFRYY",
        "ABCDFRZH",
        "ABCDFRBC123",
        "abcdfrpp",
        "ABCDFRpp",
        "1BCDFRPP",
        "ABCDGB22",
        "ABCDGB2",
        "ABCDGB22XYZ",
        "ABCDGB22XY",
    ],
}
VALIDATORS = list(TOKEN_VALIDATORS)
ENGINE_DEFAULT = DetectionConfig.default()


def _examples(scalar: Callable[..., bool]) -> list[str]:
    """The tokens of the detectors that use ``scalar``: each pattern's matches in their examples."""
    tokens: list[str] = []
    for detector in ENGINE_DEFAULT.detectors:
        if detector.validate is scalar:
            for example in (*detector.positives, *detector.negatives):
                for pattern in detector.patterns:
                    tokens += [m.group() for m in re.finditer(pattern.regex, example.text, re.ASCII)]
    return tokens


def _same_as_scalar(scalar: Callable[..., bool], tokens: list[str]) -> None:
    bulk = TOKEN_VALIDATORS[scalar](pa.array(tokens, pa.string()), {})
    expected = [scalar(token, {}) for token in tokens]
    assert bulk.tolist() == expected, [t for t, b, e in zip(tokens, bulk, expected, strict=True) if b != e]


@pytest.mark.parametrize("scalar", VALIDATORS, ids=lambda v: v.__name__)
def test_bulk_validator_equals_the_scalar_one_on_edge_cases_and_examples(scalar: Callable[..., bool]) -> None:
    tokens = EDGE_TOKENS[scalar] + _examples(scalar)
    _same_as_scalar(scalar, tokens)
    assert 0 < sum(scalar(t, {}) for t in tokens) < len(tokens)


@pytest.mark.parametrize("scalar", VALIDATORS, ids=lambda v: v.__name__)
@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(st.data())
def test_bulk_validator_equals_the_scalar_one_on_generated_tokens(
    scalar: Callable[..., bool], data: st.DataObject
) -> None:
    alphabets = {
        validators.email: "ab.-@_+Z9",
        validators.ip_address: "0125.:af",
        financial.bic_iso9362: "ADEFGOPXY0129",
    }
    near = st.text(st.sampled_from(alphabets[scalar]), max_size=16)
    anything = st.text(st.sampled_from(PRINTABLE), max_size=16)
    tokens = data.draw(st.lists(near | anything, min_size=1, max_size=40))
    _same_as_scalar(scalar, tokens)


def test_every_bulk_validator_is_tested() -> None:
    assert set(EDGE_TOKENS) == set(TOKEN_VALIDATORS)


FAST = Engine(ENGINE_DEFAULT, hash_key=b"k")


def _patterns_of(values: list[str]) -> list[Any]:
    """The one pattern of FAST that matches each value."""
    found = []
    for value in values:
        (pattern,) = [p for p in FAST._patterns if p.compiled.search(value)]
        found.append(pattern)
    return found


SLOW = Engine(ENGINE_DEFAULT, hash_key=b"k", fast_paths=False)


UUID = "123e4567-e89b-12d3-a456-426614174000"


def _corpus() -> list[str]:
    """Every detector's examples alone, in sentences, after a keyword, next to non-ASCII text and controls."""
    values = examples_in_context(
        FAST.detectors,
        extra=["café {}", "{}\u00e9", "a\v{}", "\t{}\t", "{0} and {0}", "build {}", f"{{}} {UUID}"],
    )
    emails = [f"user{i}.x@example{i % 5}.com" for i in range(300)]
    values += emails + [f"from {e} to {emails[0]}" for e in emails[:50]]
    values += [f"ORD-{''.join(np.random.default_rng(i).choice(list(string.ascii_uppercase), 8))}" for i in range(300)]
    values += [f"client 10.0.{i}.{i * 7 % 256} ok" for i in range(300)] + ["version 1.2.3.4", "ver: 10.0.0.1"]
    return values


CORPUS = _corpus()


@pytest.fixture(autouse=True)
def _single_match_path_for_every_pattern(monkeypatch: pytest.MonkeyPatch) -> None:
    """RE2 for every pattern with one value or more: the corpus's batches hold fewer of each than the default."""
    monkeypatch.setattr(engine_module, "SINGLE_MATCH_MIN", 1)


@pytest.mark.parametrize("column", [None, "notes", "email", "swift_code", "ip_address", "card_number"])
def test_single_match_path_tallies_equal_the_python_path(column: str | None) -> None:
    fast, slow = ColumnTally(column), ColumnTally(column)
    for engine, tally in ((FAST, fast), (SLOW, slow)):
        tally.analysed_values = 10**9  # no Presidio: only the engine's own path is compared
        for start in range(0, len(CORPUS), 1000):
            engine.scan(pa.array(CORPUS[start : start + 1000], pa.string()), tally)
    assert fast == slow
    assert {"EMAIL_ADDRESS", "IP_ADDRESS", "SWIFT_CODE"} <= {n for n, e in fast.entities.items() if e.matched_values}


def test_single_match_path_takes_patterns_of_many_values_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Below SINGLE_MATCH_MIN values of a pattern, the three RE2 passes cost more than Python's search."""
    monkeypatch.setattr(engine_module, "SINGLE_MATCH_MIN", 100)
    values = [f"user{i}@example.com" for i in range(100)] + [f"mail 10.0.0.{i} now" for i in range(99)]
    patterns_hit = [[FAST._patterns.index(p)] for p in _patterns_of(values)]
    single = FAST._single_matches(pa.array(values), values, patterns_hit, [False] * 199, [False] * 199, frozenset())
    assert [m is not None for m in single] == [True] * 100 + [False] * 99
    assert single[0] == (0, len(values[0]), True)


def test_single_match_path_tallies_equal_the_python_path_with_an_allow_list() -> None:
    allowed = {"values": ["user1.x@example1.com", "10.0.2.14"], "regexes": ["[A-M][A-Z0-9]{7}"]}
    config = parse_detection(None, allow_list=allowed)
    fast, slow = ColumnTally(None), ColumnTally(None)
    for engine, tally in ((Engine(config, b"k"), fast), (Engine(config, b"k", fast_paths=False), slow)):
        tally.analysed_values = 10**9
        engine.scan(pa.array(CORPUS, pa.string()), tally)
    assert fast == slow
    for entity in ("EMAIL_ADDRESS", "IP_ADDRESS", "SWIFT_CODE"):  # each lost some values to the allow list
        assert fast.entities[entity].validated > fast.entities[entity].occurrences > 0, entity
