"""The vectorized Engine over Arrow arrays: exact ColumnTally contents, merging, batching and column hints."""

import datetime as dt
import re
from typing import Any

import pyarrow as pa
import pytest

from classifiers.config import DetectionConfig, parse_detection
from classifiers.engine import Engine, value_hash
from classifiers.tally import MAX_TRACKED_DISTINCT, ColumnTally, EntityTally

# The exact tallies below are for these ten detectors; a stable set keeps them exact as detectors are added.
FOUNDATION = {
    "ABA_ROUTING_NUMBER", "AWS_ACCESS_KEY", "CREDIT_CARD", "DATE_OF_BIRTH", "EMAIL_ADDRESS",
    "IBAN_CODE", "IP_ADDRESS", "PHONE_NUMBER", "UK_NINO", "US_SSN",
}  # fmt: skip
ONLY_FOUNDATION = {d.entity_type: {"enabled": False} for d in DetectionConfig.default().detectors} | {
    name: {} for name in FOUNDATION
}
ENGINE = Engine(parse_detection(ONLY_FOUNDATION))


def scan(values: Any, column: str | None, engine: Engine = ENGINE) -> ColumnTally:
    tally = ColumnTally(column)
    engine.scan(values if isinstance(values, pa.Array | pa.ChunkedArray) else pa.array(values), tally)
    return tally


def entity(
    matched: int,
    occurrences: int,
    candidates: int,
    validated: int,
    keywords: int,
    score: float,
    patterns: set[str],
    distinct: int,
    samples: list[str],
) -> dict[str, Any]:
    return {
        "matched_values": matched,
        "occurrences": occurrences,
        "candidates": candidates,
        "validated": validated,
        "keyword_values": keywords,
        "best_score": score,
        "patterns": patterns,
        "distinct_values": distinct,
        "samples": samples,
    }


def unmatched(candidates: int, validated: int) -> dict[str, Any]:
    """An entity whose candidates were extracted but none accepted."""
    return entity(0, 0, candidates, validated, 0, 0.0, set(), 0, [])


def summary(tally: ColumnTally) -> dict[str, Any]:
    return {
        "values_seen": tally.values_seen,
        "column_hints": tally.column_hints,
        "entities": {
            name: entity(
                e.matched_values,
                e.occurrences,
                e.candidates,
                e.validated,
                e.keyword_values,
                e.best_score,
                e.patterns,
                e.distinct_values,
                e.samples,
            )
            for name, e in tally.entities.items()
        },
    }


def test_clean_column_has_no_entities():
    tally = scan(["hello", "world", "foo bar", "12345"], "name")
    assert summary(tally) == {"values_seen": 4, "column_hints": set(), "entities": {}}


def test_email_column_ignores_nulls_and_empty_strings_and_counts_invalid_candidates():
    values = ["jane.doe@example.com", None, "", "bob@example.org", "jane.doe@example.com", "jane..doe@example.com"]
    assert summary(scan(values, "email")) == {
        "values_seen": 4,
        "column_hints": {"EMAIL_ADDRESS"},
        "entities": {
            "EMAIL_ADDRESS": entity(
                3, 3, 4, 3, 0, 0.9, {"EMAIL_ADDRESS.email"}, 2, ["j***@example.com", "b***@example.org"]
            )
        },
    }


def test_phone_column_with_a_hint():
    values = ["+44 20 7946 0958", "(212) 736-5000", "212-736-5000"]
    patterns = {"PHONE_NUMBER.international", "PHONE_NUMBER.bracketed_area_code", "PHONE_NUMBER.nanp_separated"}
    samples = ["+** ** **** **58", "(***) ***-**00", "***-***-**00"]
    assert summary(scan(values, "contact_phone")) == {
        "values_seen": 3,
        "column_hints": {"PHONE_NUMBER"},
        "entities": {"PHONE_NUMBER": entity(3, 3, 3, 3, 0, 0.6, patterns, 3, samples)},
    }


def test_ten_digit_ids_are_only_weak_phone_candidates():
    # Only 2125550123 parses as a valid (US) number; bare 10 digits score 0.2.
    values = ["1000234567", "1000234568", "5000123456", "2125550123"]
    assert summary(scan(values, "customer_id")) == {
        "values_seen": 4,
        "column_hints": set(),
        "entities": {"PHONE_NUMBER": entity(1, 1, 4, 1, 0, 0.2, {"PHONE_NUMBER.bare_digits"}, 1, ["********23"])},
    }


def test_cards_mixed_with_non_luhn_numbers_count_candidates_and_validated():
    values = ["4111111111111111", "4111111111111112", "5555555555554444", "1234567812345678", "5105 1051 0510 5100"]
    patterns = {"CREDIT_CARD.bare_digits", "CREDIT_CARD.separated_4x4"}
    samples = ["****-****-****-1111", "****-****-****-4444", "****-****-****-5100"]
    assert summary(scan(values, "card_number")) == {
        "values_seen": 5,
        "column_hints": {"CREDIT_CARD"},
        "entities": {
            "CREDIT_CARD": entity(3, 3, 5, 3, 0, 0.6, patterns, 3, samples),
            # "0510 5100" inside the spaced card is a valid trunk-dialled phone number, dropped as an overlap.
            "PHONE_NUMBER": unmatched(1, 1),
        },
    }


def test_free_text_with_several_entities_in_one_cell():
    text = "Contact jane@example.com or bob@example.org, phone +44 20 7946 0958, card 4111 1111 1111 1111"
    assert summary(scan([text, "nothing here"], None)) == {
        "values_seen": 2,
        "column_hints": set(),
        "entities": {
            "EMAIL_ADDRESS": entity(
                1, 2, 2, 2, 0, 0.9, {"EMAIL_ADDRESS.email"}, 2, ["j***@example.com", "b***@example.org"]
            ),
            "PHONE_NUMBER": entity(1, 1, 1, 1, 1, 0.6, {"PHONE_NUMBER.international"}, 1, ["+** ** **** **58"]),
            "CREDIT_CARD": entity(1, 1, 1, 1, 1, 0.6, {"CREDIT_CARD.separated_4x4"}, 1, ["****-****-****-1111"]),
        },
    }


def test_two_emails_in_one_cell_are_two_occurrences_of_one_matched_value():
    tally = scan(["mail a@example.com and a@example.com"], None)
    assert summary(tally)["entities"] == {
        "EMAIL_ADDRESS": entity(1, 2, 2, 2, 1, 0.9, {"EMAIL_ADDRESS.email"}, 1, ["a***@example.com"])
    }


@pytest.mark.parametrize(
    ("text", "pattern", "score", "keywords"),
    [
        ("4111111111111111", "CREDIT_CARD.bare_digits", 0.4, 0),
        ("card 4111111111111111 ok", "CREDIT_CARD.bare_digits", 0.4, 1),
        ("4111-1111-1111-1111", "CREDIT_CARD.separated_4x4", 0.6, 0),
    ],
)
def test_card_number_is_not_also_reported_as_aba_or_ssn(text, pattern, score, keywords):
    # 411111111 (9 digits) is inside the card; neither ABA_ROUTING_NUMBER nor US_SSN may appear.
    assert summary(scan([text], None))["entities"] == {
        "CREDIT_CARD": entity(1, 1, 1, 1, keywords, score, {pattern}, 1, ["****-****-****-1111"])
    }


def test_shorter_phone_reading_inside_a_longer_one_is_dropped():
    # nanp_separated also matches "212-736-5000" inside the international number: 2 candidates, 1 occurrence.
    assert summary(scan(["+1 212-736-5000"], "phone"))["entities"] == {
        "PHONE_NUMBER": entity(1, 1, 2, 2, 0, 0.6, {"PHONE_NUMBER.international"}, 1, ["+* ***-***-**00"])
    }


def test_same_span_of_two_entities_keeps_both_readings():
    tally = scan(["122105155"], "ssn")  # valid SSN (122-10-5155) and valid ABA routing number
    assert tally.entities["US_SSN"].matched_values == 1
    assert tally.entities["ABA_ROUTING_NUMBER"].matched_values == 1


DOB = entity(1, 1, 1, 1, 0, 0.4, {"DATE_OF_BIRTH.year_first"}, 1, ["****-**-**"])
DOB_WITH_KEYWORD = entity(1, 1, 1, 1, 1, 0.4, {"DATE_OF_BIRTH.year_first"}, 1, ["****-**-**"])


@pytest.mark.parametrize(
    ("column", "value", "hints", "expected"),
    [
        ("date_of_birth", "1980-02-03", {"DATE_OF_BIRTH"}, DOB),
        ("notes", "born 1980-02-03", set(), DOB_WITH_KEYWORD),
        (None, "born 1980-02-03", set(), DOB_WITH_KEYWORD),
        # without a hint or keyword the date is not even a candidate: the pass looks for DOB keywords instead
        ("created_at", "1980-02-03", set(), None),
        (None, "1980-02-03", set(), None),
    ],
)
def test_date_of_birth_needs_a_column_hint_or_a_keyword(column, value, hints, expected):
    assert summary(scan([value], column)) == {
        "values_seen": 1,
        "column_hints": hints,
        "entities": {"DATE_OF_BIRTH": expected} if expected else {},
    }


def test_int64_column_of_card_numbers_is_cast_and_found():
    values = pa.array([4111111111111111, 5555555555554444, None, 1234], pa.int64())
    samples = ["****-****-****-1111", "****-****-****-4444"]
    assert summary(scan(values, "card_number")) == {
        "values_seen": 3,
        "column_hints": {"CREDIT_CARD"},
        "entities": {"CREDIT_CARD": entity(2, 2, 2, 2, 0, 0.4, {"CREDIT_CARD.bare_digits"}, 2, samples)},
    }


@pytest.mark.parametrize(
    ("column", "hints", "expected"),
    [("date_of_birth", {"DATE_OF_BIRTH"}, DOB), ("created_at", set(), None)],
)
def test_date32_column_is_cast_to_iso_dates(column, hints, expected):
    values = pa.array([dt.date(1980, 2, 3), None], pa.date32())
    assert summary(scan(values, column)) == {
        "values_seen": 1,
        "column_hints": hints,
        "entities": {"DATE_OF_BIRTH": expected} if expected else {},
    }


@pytest.mark.parametrize(
    "values",
    [
        pa.chunked_array([["a@example.com", None], [], ["", "b@example.com"]]),
        pa.array(["a@example.com", None, "", "b@example.com"], pa.large_string()),
        pa.array(["a@example.com", None, "", "b@example.com"], pa.string_view()),
        pa.array(["a@example.com", None, "", "b@example.com"]).dictionary_encode(),
    ],
    ids=["chunked", "large_string", "string_view", "dictionary"],
)
def test_other_string_layouts_give_the_same_tally(values):
    assert summary(scan(values, "email")) == {
        "values_seen": 2,
        "column_hints": {"EMAIL_ADDRESS"},
        "entities": {
            "EMAIL_ADDRESS": entity(
                2, 2, 2, 2, 0, 0.9, {"EMAIL_ADDRESS.email"}, 2, ["a***@example.com", "b***@example.com"]
            )
        },
    }


@pytest.mark.parametrize(
    "values",
    [pa.array([None, None]), pa.array(["", None]), pa.chunked_array([], pa.string())],
    ids=["nulls", "empty", "no_chunks"],
)
def test_batch_without_values_leaves_the_tally_untouched(values):
    assert scan(values, "email") == ColumnTally("email")


def test_parsed_options_change_what_validates():
    # With regions [GB] only, a national US number no longer parses as a phone number.
    engine = Engine(parse_detection(ONLY_FOUNDATION | {"PHONE_NUMBER": {"options": {"regions": ["GB"]}}}))
    assert summary(scan(["2125550123"], "phone", engine))["entities"] == {"PHONE_NUMBER": unmatched(1, 0)}


def test_disabled_detector_is_not_run():
    engine = Engine(parse_detection({"CREDIT_CARD": {"enabled": False}}))
    assert summary(scan(["4111111111111111"], "card_number", engine)) == {
        "values_seen": 1,
        "column_hints": set(),
        "entities": {},
    }


def test_extra_column_hint_and_keyword_give_date_of_birth_context():
    config = parse_detection({"DATE_OF_BIRTH": {"extra_column_hints": ["^geb$"], "extra_keywords": ["naissance"]}})
    engine = Engine(config)
    assert summary(scan(["1980-02-03"], "geb", engine))["entities"] == {"DATE_OF_BIRTH": DOB}
    assert summary(scan(["naissance 1980-02-03"], "x", engine))["entities"] == {"DATE_OF_BIRTH": DOB_WITH_KEYWORD}


EMAILS = [f"{letter}@example.com" for letter in "abcde"]


@pytest.mark.parametrize(("max_samples", "expected"), [(0, 0), (1, 1), (3, 3), (10, 5)])
def test_max_samples_comes_from_scoring_and_samples_are_distinct(max_samples, expected):
    engine = Engine(parse_detection(None, {"max_samples": max_samples}))
    samples = scan(EMAILS + EMAILS, "email", engine).entities["EMAIL_ADDRESS"].samples
    assert samples == [f"{letter}***@example.com" for letter in "abcde"][:expected]


@pytest.mark.parametrize(
    ("column", "value", "entity_type", "sample"),
    [
        ("email", "jane.doe@example.com", "EMAIL_ADDRESS", "j***@example.com"),
        ("phone", "+44 20 7946 0958", "PHONE_NUMBER", "+** ** **** **58"),
        ("card_number", "4111111111111111", "CREDIT_CARD", "****-****-****-1111"),
        ("iban", "GB82WEST12345698765432", "IBAN_CODE", "GB****************5432"),
        ("ssn", "536-90-4399", "US_SSN", "***-**-4399"),
        ("routing_number", "021000021", "ABA_ROUTING_NUMBER", "*****0021"),
        ("nino", "JG103759A", "UK_NINO", "********A"),
        ("aws_access_key_id", "AKIAIOSFODNN7EXAMPLE", "AWS_ACCESS_KEY", "AKIA****************"),
        ("client_ip", "192.168.10.25", "IP_ADDRESS", "*.*.*.25"),
        ("ip", "2001:db8::8a2e:370:7334", "IP_ADDRESS", "****:****:****:****:****:****:****:7334"),
        ("dob", "1985-03-12", "DATE_OF_BIRTH", "****-**-**"),
    ],
)
def test_samples_are_masked_and_never_contain_the_raw_value(column, value, entity_type, sample):
    found = scan([value], column).entities[entity_type]
    assert (found.matched_values, found.samples) == (1, [sample])
    assert value not in sample
    assert re.search(r"\d{5}", sample) is None


@pytest.mark.parametrize(
    ("column", "expected"),
    [
        ("customerEmail", {"EMAIL_ADDRESS"}),
        ("CUSTOMER_PHONE_NUMBER", {"PHONE_NUMBER"}),
        ("billing.card_number", {"CREDIT_CARD"}),
        ("Customer-E-Mail", {"EMAIL_ADDRESS"}),
        ("created_at", set()),
        ("hotel_name", set()),
        (None, set()),
    ],
)
def test_hinted_entities(column, expected):
    assert ENGINE.hinted_entities(column) == expected


def test_entity_tally_merge_sums_counts_and_unions_sets():
    left = EntityTally(1, 2, 3, 2, 1, 0.4, {"A.a"}, {1, 2}, ["s1", "s2"])
    left.merge(EntityTally(10, 20, 30, 20, 10, 0.6, {"A.b"}, {2, 3}, ["s2", "s3", "s4"]), max_samples=3)
    assert left == EntityTally(11, 22, 33, 22, 11, 0.6, {"A.a", "A.b"}, {1, 2, 3}, ["s1", "s2", "s3"])


def test_entity_tally_merge_keeps_the_higher_score_already_held():
    left = EntityTally(best_score=0.9)
    left.merge(EntityTally(best_score=0.2), max_samples=3)
    assert left.best_score == 0.9


def test_entity_tally_merge_caps_tracked_hashes(monkeypatch):
    monkeypatch.setattr("classifiers.tally.MAX_TRACKED_DISTINCT", 3)
    left = EntityTally(value_hashes={1, 2})
    left.merge(EntityTally(value_hashes={3, 4, 5}), max_samples=3)
    assert left.distinct_values == 3
    assert left.value_hashes < {1, 2, 3, 4, 5}


def test_column_tally_merge():
    left = ColumnTally("c", 5, {"EMAIL_ADDRESS"}, {"EMAIL_ADDRESS": EntityTally(matched_values=1, samples=["a"])})
    right = ColumnTally(
        "c",
        7,
        {"PHONE_NUMBER"},
        {"EMAIL_ADDRESS": EntityTally(matched_values=2, samples=["b"]), "PHONE_NUMBER": EntityTally(occurrences=4)},
    )
    left.merge(right, max_samples=1)
    assert left == ColumnTally(
        "c",
        12,
        {"EMAIL_ADDRESS", "PHONE_NUMBER"},
        {"EMAIL_ADDRESS": EntityTally(matched_values=3, samples=["a"]), "PHONE_NUMBER": EntityTally(occurrences=4)},
    )


def test_merge_does_not_share_state_with_the_other_tally():
    left = ColumnTally("c")
    right = ColumnTally("c", 1, set(), {"X": EntityTally(matched_values=1, patterns={"X.p"})})
    left.merge(right, max_samples=3)
    left.entities["X"].patterns.add("X.q")
    assert right.entities["X"].patterns == {"X.p"}


MIXED = [
    "jane@example.com",
    None,
    "call +44 20 7946 0958 or mail bob@example.org",
    "4111111111111111",
    "",
    "1000234567",
    "born 1980-02-03, jane@example.com",
    "a@example.com b@example.com c@example.com",
    "nothing",
]


def test_one_batch_equals_several_batches_scanned_or_merged():
    whole = scan(MIXED, "notes")
    sequential = ColumnTally("notes")
    merged = ColumnTally("notes")
    for start, stop in ((0, 2), (2, 5), (5, 6), (6, 9)):
        ENGINE.scan(pa.array(MIXED[start:stop], pa.string()), sequential)
        merged.merge(scan(pa.array(MIXED[start:stop], pa.string()), "notes"), max_samples=3)
    assert sequential == whole
    assert merged == whole
    emails = ("jane@example.com", "bob@example.org", "a@example.com", "b@example.com", "c@example.com")
    assert whole.entities["EMAIL_ADDRESS"].value_hashes == {value_hash(email) for email in emails}
    assert summary(whole) == {
        "values_seen": 7,
        "column_hints": set(),
        "entities": {
            "EMAIL_ADDRESS": entity(
                4,
                6,
                6,
                6,
                1,
                0.9,
                {"EMAIL_ADDRESS.email"},
                5,
                ["j***@example.com", "b***@example.org", "a***@example.com"],
            ),
            "PHONE_NUMBER": entity(1, 1, 2, 1, 0, 0.6, {"PHONE_NUMBER.international"}, 1, ["+** ** **** **58"]),
            "CREDIT_CARD": entity(1, 1, 1, 1, 0, 0.4, {"CREDIT_CARD.bare_digits"}, 1, ["****-****-****-1111"]),
            "DATE_OF_BIRTH": DOB_WITH_KEYWORD,
        },
    }


def test_engine_caps_tracked_distinct_values():
    emails = [f"user{i}@example.com" for i in range(MAX_TRACKED_DISTINCT + 1)]
    assert scan(emails, "email").entities["EMAIL_ADDRESS"].distinct_values == MAX_TRACKED_DISTINCT


def _bsns(count: int) -> list[str]:
    """Valid Dutch BSNs (11-test: 9*d1 + 8*d2 + ... + 2*d8 - d9 is a multiple of 11), generated in order."""
    found: list[str] = []
    prefix = 12_345_678
    while len(found) < count:
        digits = [int(c) for c in f"{prefix:08d}"]
        check = sum(w * d for w, d in zip(range(9, 1, -1), digits, strict=True)) % 11
        if check < 10:
            found.append(f"{prefix:08d}{check}")
        prefix += 7
    return found


def test_a_neutral_column_of_checksummed_ids_is_identified_by_its_content():
    engine = Engine(DetectionConfig.default())
    tally = ColumnTally("field_4")
    engine.scan(pa.array(_bsns(100)), tally)
    assert tally.column_hints == set()
    assert tally.column_profiles == {"NL_BSN"}
    bsn = tally.entities["NL_BSN"]
    assert (bsn.matched_values, bsn.candidates, bsn.validated) == (100, 100, 100)


def test_random_numbers_and_short_or_repetitive_columns_have_no_profile():
    engine = Engine(DetectionConfig.default())
    random_digits = ColumnTally("field_5")
    engine.scan(pa.array([f"{n:09d}" for n in range(123_456_789, 123_456_789 + 100 * 7919, 7919)]), random_digits)
    few = ColumnTally("field_6")
    engine.scan(pa.array(_bsns(19)), few)
    repeated = ColumnTally("field_7")
    engine.scan(pa.array(_bsns(9) * 5), repeated)
    assert (random_digits.column_profiles, few.column_profiles, repeated.column_profiles) == (set(), set(), set())
    assert "NL_BSN" not in few.entities or few.entities["NL_BSN"].matched_values == 0


@pytest.mark.parametrize(
    ("line", "counts"),
    [
        # (candidates, validated, matched): an excluded match is not even a candidate
        ("The app shows version 10.2.33.114 on the settings page.", (0, 0, 0)),
        ("INFO [deploy] build=1.2.3.4 started", (0, 0, 0)),
        ("ver: 1.2.3.4", (0, 0, 0)),
        ("firmware 10.0.0.1 installed", (0, 0, 0)),
        ("GET / from ip 10.2.33.114", (1, 1, 1)),
        ("10.0.0.1 version check ok", (1, 1, 1)),  # the word comes after the address
    ],
)
def test_an_exclusion_keyword_just_before_a_match_says_it_is_something_else(
    line: str, counts: tuple[int, int, int]
) -> None:
    engine = Engine(DetectionConfig.default())
    tally = ColumnTally(None)
    engine.scan(pa.array([line]), tally)
    ip = tally.entities.get("IP_ADDRESS", EntityTally())
    assert (ip.candidates, ip.validated, ip.matched_values) == counts


def test_fragments_of_uuids_and_hashes_are_not_candidates():
    engine = Engine(DetectionConfig.default())
    tally = ColumnTally(None)
    engine.scan(
        pa.array(
            [
                "request_id=3f2a1b2c-0519-4038-9d2b-7e5f0a1b2c3d path=/api/v1/orders status=200",
                "key=5d41402abc4b2a76b9719d911017c592 call +44 20 7946 0958",
            ]
        ),
        tally,
    )
    phone = tally.entities["PHONE_NUMBER"]
    assert (phone.candidates, phone.matched_values, phone.samples) == (1, 1, ["+** ** **** **58"])
