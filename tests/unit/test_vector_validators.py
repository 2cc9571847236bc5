"""The numpy validators equal the scalar ones on pure-digit values, and the engine's fast path changes no tally."""

import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from classifiers.config import DetectionConfig, parse_detection
from classifiers.engine import Engine, _needs_non_digit, _whole_value_only, _whole_value_width
from classifiers.registry import all_detectors
from classifiers.tally import ColumnTally
from classifiers.vector_validators import VECTOR_VALIDATORS, Digits, Mask, digit_matrices

# The lengths at which each scalar validator can pass a bare-digit value; every other length is tested too.
PASSING_LENGTHS = {
    "luhn": range(2, 21),
    "credit_card": range(13, 20),
    "us_ssn": (9,),
    "aba_routing": (9,),
    "ca_sin_luhn": (9,),
    "au_tfn_mod11": (8, 9),
    "au_medicare_checksum": (10, 11),
    "us_npi_luhn": (10,),
    "us_itin_group": (9,),
    "in_aadhaar_verhoeff": (12,),
    "br_cpf_mod11": (11,),
    "nhs_number_mod11": (10,),
    "fr_nir_key_mod97": (15,),
    "pl_pesel_checksum_and_date": (11,),
    "se_personnummer_luhn_and_date": (10, 12),
    "no_fodselsnummer_checksum_and_date": (11,),
    "be_national_number_mod97": (11,),
}
BY_NAME = {scalar.__name__: (scalar, vector) for scalar, vector in VECTOR_VALIDATORS.items()}
KNOWN_VALID = [
    "4111111111111111", "5500005555555559", "378282246310005", "6011111111111117", "3530111333300000",
    "30569309025904", "4222222222222", "6200000000000005", "2221000000000009", "4000056655665556",
    "536904399", "021000021", "011000015", "046454286", "123456782", "87654321", "1234567893",
]  # fmt: skip


def example_digits() -> list[str]:
    """The detectors' own positive and negative examples that are (or, without separators, become) bare digits."""
    texts = [e.text for d in all_detectors() if d.validate in VECTOR_VALIDATORS for e in (*d.positives, *d.negatives)]
    found = {re.sub(r"[ .\-/+]", "", token) for text in texts for token in re.findall(r"[\d .\-/+]{6,}", text)}
    return sorted(token for token in found if token.isdigit())


def random_digits(rng: np.random.Generator, length: int, rows: int) -> np.ndarray:
    """Uniform digits, digits favouring plausible dates (pairs 00-39) and every last-two-digit variant of some."""
    uniform = rng.integers(0, 10, size=(rows, length), dtype=np.uint8)
    datelike = rng.integers(0, 10, size=(rows, length), dtype=np.uint8)
    datelike[:, ::2] = rng.integers(0, 4, size=(rows, (length + 1) // 2), dtype=np.uint8)
    same = np.repeat(np.arange(10, dtype=np.uint8)[:, None], length, axis=1)
    parts = [uniform, datelike, same]
    if length >= 2:
        base = np.repeat(datelike[: rows // 10], 100, axis=0)
        base[:, -2] = np.tile(np.repeat(np.arange(10, dtype=np.uint8), 10), rows // 10)
        base[:, -1] = np.tile(np.arange(10, dtype=np.uint8), rows // 10 * 10)
        parts.append(base)
    return np.vstack(parts)


def as_matrix(values: list[str]) -> np.ndarray:
    return np.array([[int(c) for c in value] for value in values], dtype=np.uint8).reshape(len(values), -1)


@pytest.mark.parametrize("name", sorted(PASSING_LENGTHS))
def test_vector_validator_equals_the_scalar_one_on_every_length(name):
    scalar, vector = BY_NAME[name]
    rng = np.random.default_rng(sum(map(ord, name)))
    passed = 0
    for length in range(1, 26):
        rows = 1000 if length in PASSING_LENGTHS[name] else 50
        digits = random_digits(rng, length, rows)
        values = ["".join(map(str, row)) for row in digits]
        expected = np.array([scalar(value, {}) for value in values], dtype=bool)
        np.testing.assert_array_equal(vector(digits, {}), expected, err_msg=f"{name}, length {length}")
        passed += int(expected.sum())
    assert passed > 10  # the random values exercise the accepting branch too


@pytest.mark.parametrize("name", sorted(PASSING_LENGTHS))
def test_vector_validator_equals_the_scalar_one_on_known_values(name):
    scalar, vector = BY_NAME[name]
    values = [*KNOWN_VALID, *example_digits(), "0" * 9, "00000000001", "0" * 16, "9" * 13, "000123456789"]
    for length in sorted({len(value) for value in values}):
        group = [value for value in values if len(value) == length]
        expected = np.array([scalar(value, {}) for value in group], dtype=bool)
        np.testing.assert_array_equal(vector(as_matrix(group), {}), expected, err_msg=f"{name}: {group}")


def test_known_values_cover_every_validator():
    values = [*KNOWN_VALID, *example_digits()]
    for name, (scalar, _) in BY_NAME.items():
        assert any(scalar(value, {}) for value in values), name


def test_every_vector_validator_is_tested_and_phone_numbers_stay_scalar():
    assert set(BY_NAME) == set(PASSING_LENGTHS)
    assert "phone_number" not in BY_NAME


def test_digit_matrices_group_rows_by_length_and_respect_array_offsets():
    strings = pa.array(["x", "123", "9", "4567", "0012", "abc", "890"]).slice(1)
    groups = digit_matrices(strings, np.array([0, 1, 2, 3, 5]))
    assert sorted(groups) == [1, 3, 4]
    rows, matrix = groups[3]
    assert rows.tolist() == [0, 5] and matrix.tolist() == [[1, 2, 3], [8, 9, 0]]
    rows, matrix = groups[4]
    assert rows.tolist() == [2, 3] and matrix.tolist() == [[4, 5, 6, 7], [0, 0, 1, 2]]


@pytest.mark.parametrize(
    ("regex", "expected"),
    [
        (r"\b\d{13,19}\b", True),
        (r"\b(?:18|19|20)\d{10}\b", True),
        (r"\b9\d{2}(?:5\d|6[0-5]|7\d|8[0-8]|9[0-24-9])\d{4}\b", True),
        (r"\b\d{9}|\d{11}\b", False),  # a top-level alternation: \b binds to one side only
        (r"\b\d*\b", False),  # may match the empty string
        (r"\d{9}\b", False),
        (r"\b\d{9}", False),
    ],
)
def test_whole_value_only(regex, expected):
    assert _whole_value_only(regex) is expected


@pytest.mark.parametrize(
    ("regex", "expected"),
    [
        (r"\b\d{3}[- ]\d{2}[- ]\d{4}\b", True),
        (r"\+\d{1,3}[ .-]?\d{4}", True),
        (r"\b(?:AB|C[D-F])\d{6}\b", True),
        (r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}\b", True),
        (r"\b\d{9}\b", False),
        (r"\b(?:\d{9}|[A-Z]\d{8})\b", False),  # one alternative is digits only
        (r"\b\d{4}\.?\d{2}\b", False),  # the dot is optional
        (r"(?:x[- ])*\d{4}", False),
        (r"[^a-z]{3}", False),  # a negated set may match digits
        (r"[\s/]\d", False),  # so may (we assume) any category
        (r"[5-7]\d", False),
    ],
)
def test_needs_non_digit(regex, expected):
    assert _needs_non_digit(regex) is expected


CONFIG = DetectionConfig.default()
FAST = Engine(CONFIG, hash_key=b"k")
SLOW = Engine(CONFIG, hash_key=b"k", fast_paths=False)


def tallies(values: list[str], column: str | None) -> tuple[ColumnTally, ColumnTally]:
    fast, slow = ColumnTally(column), ColumnTally(column)
    for engine, tally in ((FAST, fast), (SLOW, slow)):
        for start in range(0, len(values), 3000):  # several batches, as the scan job feeds them
            engine.scan(pa.chunked_array([pa.array(values[start : start + 3000], pa.string())]), tally)
    return fast, slow


@pytest.mark.parametrize(
    ("column", "length"),
    [
        *[("id", length) for length in (8, 9, 10, 11, 12, 13, 15, 16, 18, 19)],
        *[("card_number", 16), ("ssn", 9), ("routing_number", 9), ("nhs_number", 10), ("pesel", 11), ("tfn", 8)],
    ],
)
def test_fast_path_tallies_equal_the_python_path_for_id_columns(column, length):
    rng = np.random.default_rng(length)
    start = 10 ** (length - 1) + int(rng.integers(0, 10 ** min(length - 1, 15)))
    sequential = [str(start + i) for i in range(2000)]
    scattered = ["".join(map(str, row)) for row in rng.integers(0, 10, size=(2000, length))]
    fast, slow = tallies(sequential + scattered, column)
    assert fast == slow
    assert sorted(fast.entities) == sorted(slow.entities)
    assert fast.entities  # the ids are candidates of something


def test_fast_path_tallies_equal_the_python_path_for_a_mixed_column():
    rng = np.random.default_rng(7)
    ids = [str(v) for v in rng.integers(10**8, 10**18, size=3000)]
    epoch = [str(1_600_000_000 + int(v)) for v in rng.integers(0, 10**8, size=300)]
    known = [*KNOWN_VALID, *example_digits()] * 20
    formatted = ["4111 1111 1111 1111", "536-90-4399", "ssn 536904399", "card 4111111111111111", "id: 123456782"]
    odd = ["0" * 9, "1" * 16, "0" * 32, "1234567890" * 4, "00042", "12345678901234567890123456789012", "４１１１"]
    values = ids + epoch + known + formatted * 10 + odd
    order = rng.permutation(len(values))
    values = [values[i] for i in order]
    for column in ("value", "id", "credit_card", "ssn"):
        fast, slow = tallies(values, column)
        assert fast == slow, column
        assert {"CREDIT_CARD", "US_SSN"} <= {name for name, e in fast.entities.items() if e.matched_values}


def test_fast_path_rejects_in_bulk():
    """The 13-digit ids never reach the Python validator: the fast path counts them as candidates itself."""
    values = [str(7_000_000_000_000 + i) for i in range(2000)]
    tally = ColumnTally("id")
    calls: list[int] = []
    engine = Engine(CONFIG)
    index = next(i for i, p in enumerate(engine._patterns) if p.name == "CREDIT_CARD.bare_digits")
    vector = engine._vector_validators[index]

    def counting(digits: Digits, options: Mapping[str, Any]) -> Mask:
        calls.append(len(digits))
        return vector(digits, options)

    engine._vector_validators[index] = counting
    engine.scan(pa.array(values), tally)
    assert calls == [2000]
    assert tally.entities["CREDIT_CARD"].candidates == 2000 and tally.entities["CREDIT_CARD"].validated == 0


@pytest.mark.parametrize(
    ("regex", "expected"),
    [
        (r"\b\d{13,19}\b", (13, 19)),
        (r"\b[2-6]\d{3} ?\d{5} ?\d{1,2}\b", (10, 13)),
        (r"\b(?:18|19|20)\d{10}\b", (12, 12)),
        (r"\b\d{9}|\d{11}\b", None),
        (r"\d{9}\b", None),
    ],
)
def test_whole_value_width(regex, expected):
    assert _whole_value_width(regex) == expected


def digit_values(length: int, count: int, seed: int) -> list[str]:
    """Sequential and random pure-digit values of one length, and the detector examples of that length."""
    rng = np.random.default_rng(seed)
    start = 10 ** (length - 1) + int(rng.integers(0, 9 * 10 ** min(length - 1, 15)))
    sequential = [str(start + i) for i in range(count)]
    scattered = ["".join(map(str, row)) for row in rng.integers(0, 10, size=(count, length))]
    examples = [value for value in [*KNOWN_VALID, *example_digits()] if len(value) == length]
    return sequential + scattered + examples * 3


@pytest.mark.parametrize("column", ["id", "value", "account_number", "passport", None])
@pytest.mark.parametrize("length", range(1, 26))
def test_fast_path_tallies_equal_the_python_path_for_every_digit_length(column, length):
    """Each pure-digit length alone: the whole-value patterns whose widths exclude it skip the values."""
    fast, slow = tallies(digit_values(length, 150, length), column)
    assert fast == slow
    assert sorted(fast.entities) == sorted(slow.entities)


@pytest.mark.parametrize("column", ["id", "value", "account_number", "ssn", None])
def test_fast_path_tallies_equal_the_python_path_for_all_lengths_and_keywords_in_one_column(column):
    """Pure-digit values of every length 1..25 with text holding keywords and formatted numbers, shuffled."""
    rng = np.random.default_rng(25)
    digits = [value for length in range(1, 26) for value in digit_values(length, 60, 100 + length)]
    texts = [
        "ssn 536904399",
        "card 4111111111111111",
        "account number 12345678",
        "passport 123456789",
        "cvv 123",
        "dob 1980-02-03",
        "utr 1234567890",
        "bsn 123456782",
        "536-90-4399",
        "4111 1111 1111 1111",
        "jane@example.com",
        "0" * 32,
        "1234567890" * 4,
        "４１１１",
        "12345 abc",
        "x9",
    ]
    values = digits + texts * 20
    values = [values[i] for i in rng.permutation(len(values))]
    fast, slow = tallies(values, column)
    assert fast == slow
    assert sorted(fast.entities) == sorted(slow.entities)
    assert fast.entities


def test_fast_path_tallies_equal_the_python_path_in_scan_columns():
    """Columns of different digit lengths sharing one regex pass keep their own tallies."""
    columns = [(digit_values(length, 100, length), name) for length in (4, 9, 11, 13, 16, 20) for name in ("id", "v")]
    results = []
    for engine in (FAST, SLOW):
        found = [ColumnTally(name) for _, name in columns]
        engine.scan_columns([(pa.array(values), tally) for (values, _), tally in zip(columns, found, strict=True)])
        results.append(found)
    assert results[0] == results[1]


def test_fast_path_runs_a_digit_keyword_over_pure_digit_values():
    """A keyword made of digits can be in a pure-digit value: its regex still runs over them."""
    keywords = {"US_BANK_NUMBER": ["12345678"], "UK_PASSPORT": ["123456789"], "US_SSN": ["536904399"]}
    config = parse_detection({entity: {"extra_keywords": words} for entity, words in keywords.items()})
    fast_engine, slow_engine = Engine(config, hash_key=b"k"), Engine(config, hash_key=b"k", fast_paths=False)
    assert fast_engine._keywords_need_non_digit and len(fast_engine._keywords_need_non_digit) < len(CONFIG.detectors)
    values = [value for length in (6, 9, 12, 14) for value in digit_values(length, 200, length)]
    values += ["12345678", "123456789", "536904399", "12345678 99887766", "acct 123456789", "x"] * 5
    for column in ("id", "value"):
        fast, slow = ColumnTally(column), ColumnTally(column)
        fast_engine.scan(pa.array(values), fast)
        slow_engine.scan(pa.array(values), slow)
        assert fast == slow
