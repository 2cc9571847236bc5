"""Person names by dictionary: which values read as names, under which column names, and how they are masked."""

from __future__ import annotations

import pyarrow as pa
import pytest

from classifiers.names import faker_names, mask_name, name_mask

VALUES = [
    "Jane Smith",  # first name + surname
    "JOHN DOE",  # upper case
    "Jean-Luc Picard",  # hyphenated first name
    "Anna Smith-Jones",  # double-barrelled surname
    "Maria Garcia Lopez",  # three words
    "New York",  # first word is no first name
    "Open Ticket",  # words, not names
    "jane smith",  # lower case: not shaped like a name
    "Order 12345",  # digits
    "Rose",  # a lone name
    "Paris",  # a lone name, also a city
    "Jane Smith Anna Lee Bob",  # five words
]


@pytest.mark.parametrize(
    ("single_names", "expected"),
    [
        (False, ["Jane Smith", "JOHN DOE", "Jean-Luc Picard", "Anna Smith-Jones", "Maria Garcia Lopez"]),
        (
            True,
            ["Jane Smith", "JOHN DOE", "Jean-Luc Picard", "Anna Smith-Jones", "Maria Garcia Lopez", "Rose", "Paris"],
        ),
    ],
)
def test_which_values_read_as_names(single_names: bool, expected: list[str]) -> None:
    matched, shaped = name_mask(pa.array(VALUES), faker_names(), single_names=single_names)
    assert [v for v, hit in zip(VALUES, matched, strict=True) if hit] == expected
    # candidates: one to four words in title or upper case, without digits
    assert [v for v, hit in zip(VALUES, shaped, strict=True) if not hit] == [
        "jane smith",
        "Order 12345",
        "Jane Smith Anna Lee Bob",
    ]


def test_names_are_masked_to_initials() -> None:
    assert [mask_name(v) for v in ("Jane Smith", "Jean-Luc Picard", "Rose")] == [
        "J*** S****",
        "J******* P*****",
        "R***",
    ]


def test_the_dictionary_covers_several_locales() -> None:
    names = set(faker_names().any.to_pylist())
    assert {"müller", "garcía", "rossi", "dubois", "kowalski", "andersson", "jansen", "smith"} <= names


def test_first_byte_shortcut_keeps_every_value_that_can_read_as_a_name() -> None:
    """name_mask rules values out by their first byte before any regex: only lower case, digits and code punctuation."""
    values = [
        " Jane Smith",
        "(Jane Smith)",
        "'Jane Smith'",
        "Élise Dupont",
        "ÉLISE DUPONT",
        "Åsa Berg",
        "Żaneta Kowalska",
        "żaneta Kowalska",
        "jane Smith",
        "9 Jane",
        "@Jane Smith",
        "-Jane Smith",
        "\tJane Smith",
        "",
        "DE",
    ]
    matched, shaped = name_mask(pa.array(values), faker_names(), single_names=False)
    assert [v for v, hit in zip(values, matched, strict=True) if hit] == [
        "(Jane Smith)",
        "'Jane Smith'",
        "Élise Dupont",
        "ÉLISE DUPONT",
        "Åsa Berg",
    ]
    assert [v for v, hit in zip(values, shaped, strict=True) if not hit] == [
        "żaneta Kowalska",
        "jane Smith",
        "9 Jane",
        "@Jane Smith",
        "",
    ]
