"""Custom identifiers and allow lists from YAML: parsing errors name the entry, the engine honours them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from classifiers.custom import AllowList, parse_allow_list, parse_custom_identifiers
from classifiers.detector import Sensitivity
from classifiers.engine import Engine
from classifiers.errors import ConfigError
from classifiers.tally import ColumnTally
from jobs.config import load_config, parse_config

EMPLOYEE = {
    "name": "EMPLOYEE_ID",
    "regex": r"\bEMP-\d{6}\b",
    "keywords": ["employee"],
    "maximum_match_distance": 20,
    "ignore_words": ["EMP-000000"],
    "severity": "high",
    "column_hints": [r"(^|_)emp(loyee)?_id(_|$)"],
}


def matched(config: dict[str, Any], column: str | None, values: list[str]) -> dict[str, tuple[int, int, int]]:
    engine = Engine(parse_config(config).detection)
    tally = ColumnTally(column)
    engine.scan(pa.array(values), tally)
    return {name: (t.matched_values, t.candidates, t.validated) for name, t in tally.entities.items()}


def test_a_custom_identifier_becomes_a_detector_with_macie_semantics() -> None:
    (detector,) = parse_custom_identifiers([EMPLOYEE], taken=["CREDIT_CARD"])
    assert (detector.entity_type, detector.sensitivity, detector.keywords, detector.keyword_distance) == (
        "EMPLOYEE_ID",
        Sensitivity.HIGH,
        ("employee",),
        20,
    )
    assert (detector.requires_context, detector.min_occurrences, detector.patterns[0].score) == (True, 1, 0.6)
    assert detector.mask("EMP-123456") == "********56"


def test_keyword_must_end_within_the_maximum_match_distance_before_the_match() -> None:
    lines = [
        "employee badge EMP-123456",  # keyword 7 characters before: counts
        "EMP-654321 belongs to the employee",  # keyword after the match: does not
        "employee: " + "x" * 40 + " EMP-111111",  # keyword 51 characters before: too far
        "employee EMP-000000",  # an ignore word
    ]
    assert matched({"custom_identifiers": [EMPLOYEE]}, None, lines) == {"EMPLOYEE_ID": (1, 4, 3)}


def test_a_column_hint_replaces_the_keyword() -> None:
    assert matched({"custom_identifiers": [EMPLOYEE]}, "emp_id", ["EMP-222222"]) == {"EMPLOYEE_ID": (1, 1, 1)}


def test_without_keywords_every_match_counts() -> None:
    config = {"custom_identifiers": [{"name": "PROJECT_CODE", "regex": r"\bPRJ[0-9]{4}\b"}]}
    assert matched(config, "notes", ["see PRJ1234", "PRJ12345 is no code"]) == {"PROJECT_CODE": (1, 1, 1)}


def test_allow_listed_values_are_never_counted() -> None:
    config = {"allow_list": {"values": ["jane@example.com"], "regexes": [r".*@test\.example"]}}
    values = ["jane@example.com", "bob@test.example", "al@example.org"]
    assert matched(config, "email", values) == {"EMAIL_ADDRESS": (1, 3, 3)}


def test_allow_list_matches_whole_values_only() -> None:
    allow = parse_allow_list({"regexes": [r"4111\d+"]})
    assert (allow.allows("4111111111111111"), allow.allows("x4111111111111111")) == (True, False)
    assert parse_allow_list(None) == AllowList()


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"regex": "x"}, "custom_identifiers[0]: 'name' must be an UPPER_SNAKE_CASE entity type, got None"),
        (
            {"name": "emp", "regex": "x"},
            "custom_identifiers[0]: 'name' must be an UPPER_SNAKE_CASE entity type, got 'emp'",
        ),
        ({"name": "EMP"}, "custom_identifiers[0] (EMP): 'regex' is required and must be a non-empty string"),
        (
            {"name": "EMP", "regex": "x", "keyword": ["a"]},
            "custom_identifiers[0] (EMP): unknown key(s) 'keyword'; valid keys are: column_hints, ignore_words, "
            "keywords, maximum_match_distance, minimum_occurrences, name, regex, score, severity",
        ),
        ({"name": "EMP", "regex": "(x"}, "custom_identifiers[0] (EMP).regex: '(x' is not a valid regular expression"),
        (
            {"name": "EMP", "regex": r"(?<=a)x"},
            "custom_identifiers[0] (EMP).regex: '(?<=a)x' uses syntax RE2 does not support",
        ),
        ({"name": "EMP", "regex": "x", "severity": "extreme"}, "'severity' 'extreme' is not one of low, medium, high"),
        ({"name": "EMP", "regex": "x", "minimum_occurrences": 0}, "'minimum_occurrences' must be a positive integer"),
        ({"name": "EMP", "regex": "x", "score": 2}, "'score' must be a number in (0, 1], got 2"),
        ({"name": "EMP", "regex": "x", "keywords": "employee"}, "(EMP).keywords must be a list of non-empty strings"),
        ({"name": "CREDIT_CARD", "regex": "x"}, "(CREDIT_CARD): the name is already used by another detector"),
    ],
)
def test_mistakes_fail_at_start_up_naming_the_entry(entry: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse_custom_identifiers([entry], taken=["CREDIT_CARD"])
    assert message in str(error.value)


def test_allow_list_mistakes_name_the_key() -> None:
    with pytest.raises(ConfigError, match=r"^allow_list.regexes\[0\]: '\[' is not a valid regular expression"):
        parse_allow_list({"regexes": ["["]})
    with pytest.raises(ConfigError, match=r"^allow_list: unknown key\(s\) 'value'; valid keys are: regexes, values$"):
        parse_allow_list({"value": ["x"]})


def test_load_config_names_the_file_in_errors(tmp_path: Path) -> None:
    path = tmp_path / "scan.yaml"
    path.write_text("custom_identifiers:\n  - name: EMP\n    regex: '(x'\n")
    with pytest.raises(ConfigError, match=rf"^{path}: custom_identifiers\[0\] \(EMP\)\.regex: "):
        load_config(path)
