"""Property-based tests of the detection engine (issue 9): whatever the text, the engine neither raises nor leaks.

Presidio is off here: these properties are about the regex, validator and tally machinery, and must stay fast.
The profile is derandomised, so CI runs the same examples every time.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Sequence

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from classifiers.config import DetectionConfig
from classifiers.engine import Engine
from classifiers.tally import ColumnTally
from classifiers.text_analysis import TextAnalysisSettings
from classifiers.validators import IBAN_LENGTHS

# database=None: nothing is written into the working tree; derandomize: the same examples on every run, unless
# PIISCAN_PROPERTY_EXAMPLES asks for a bigger, random hunt (PIISCAN_PROPERTY_EXAMPLES=5000 pytest this file).
HUNT = os.environ.get("PIISCAN_PROPERTY_EXAMPLES")
PROPERTIES = settings(max_examples=int(HUNT or 100), deadline=None, derandomize=HUNT is None, database=None)
ENGINE = Engine(dataclasses.replace(DetectionConfig.default(), text=TextAnalysisSettings(enabled=False)))

# Text around a planted value: any characters but ASCII letters and digits (of any script), so the value's
# word boundaries stay where they are and no neighbour can extend it.
SURROUNDING = st.text(
    st.characters(
        exclude_categories=("Cs", "Nd"),
        exclude_characters="".join(map(chr, range(65, 91))) + "abcdefghijklmnopqrstuvwxyz",
    ),
    max_size=40,
)
VALUES = st.lists(st.one_of(st.none(), st.text(max_size=60)), max_size=30)


def scanned(values: Sequence[str | None], column: str | None = None) -> ColumnTally:
    tally = ColumnTally(column)
    ENGINE.scan(pa.array(values, pa.string()), tally)
    return tally


def luhn_completed(digits: str) -> str:
    """``digits`` with the Luhn check digit appended."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return digits + str((10 - total % 10) % 10)


@st.composite
def cards(draw: st.DrawFn) -> str:
    """A Luhn-valid 16-digit Visa number, written in groups of four."""
    number = luhn_completed("4" + draw(st.text("0123456789", min_size=14, max_size=14)))
    return " ".join(number[i : i + 4] for i in range(0, 16, 4))


@st.composite
def ibans(draw: st.DrawFn) -> str:
    """A valid IBAN (registered length, mod-97 check digits) with an all-digit account part."""
    country = draw(st.sampled_from(sorted(IBAN_LENGTHS)))
    bban = draw(st.text("0123456789", min_size=IBAN_LENGTHS[country] - 4, max_size=IBAN_LENGTHS[country] - 4))
    letters = "".join(str(ord(c) - 55) for c in country)
    check = 98 - int(bban + letters + "00") % 97
    return f"{country}{check:02d}{bban}"


@PROPERTIES
@given(VALUES, st.one_of(st.none(), st.text(max_size=20)))
def test_the_engine_never_raises_on_arbitrary_unicode(values: list[str | None], column: str | None) -> None:
    tally = scanned(values, column)
    assert tally.values_seen == sum(1 for v in values if v)  # nulls and empty strings are not values


def leaks(value: str, sample: str) -> bool:
    """True when ``sample`` shows ``value`` whole, or five consecutive digits of it (masking.py's promise)."""
    digits, shown = re.sub(r"\D", "", value), re.sub(r"\D", "", sample)
    return value in sample or any(digits[i : i + 5] in shown for i in range(len(digits) - 4))


def assert_found_once_and_only_masked(value: str, entity: str, before: str, after: str) -> None:
    tally = scanned([f"{before} {value} {after}"])
    found = tally.entities[entity]
    assert (found.matched_values, found.occurrences, len(found.value_hashes)) == (1, 1, 1)
    assert found.samples and not any(leaks(value, s) for s in found.samples)


@PROPERTIES
@given(cards(), SURROUNDING, SURROUNDING)
def test_a_valid_card_number_in_any_text_is_found_and_only_masked(card: str, before: str, after: str) -> None:
    assert_found_once_and_only_masked(card, "CREDIT_CARD", before, after)


@PROPERTIES
@given(ibans(), SURROUNDING, SURROUNDING)
def test_a_valid_iban_in_any_text_is_found_and_only_masked(iban: str, before: str, after: str) -> None:
    assert_found_once_and_only_masked(iban, "IBAN_CODE", before, after)


@PROPERTIES
@given(st.lists(st.one_of(cards(), ibans(), st.emails()), min_size=1, max_size=20))
def test_masked_samples_never_show_a_matched_value(values: list[str]) -> None:
    tally = scanned(values)
    samples = [s for e in tally.entities.values() for s in e.samples]
    assert [(v, s) for v in values for s in samples if leaks(v, s) and "@" not in v] == []
    assert [(v, s) for v in values for s in samples if v in s] == []


@PROPERTIES
@given(st.lists(st.one_of(st.none(), cards(), ibans(), st.emails(), st.text(max_size=30)), max_size=30), st.data())
def test_evidence_does_not_depend_on_how_values_are_split_into_batches(
    values: list[str | None], data: st.DataObject
) -> None:
    cut = data.draw(st.integers(0, len(values)))
    whole = scanned(values, "notes")
    split = ColumnTally("notes")
    for part in (values[:cut], values[cut:]):
        ENGINE.scan(pa.array(part, pa.string()), split)
    assert split == whole  # the whole tally: counts, hashes, samples, Presidio's share
