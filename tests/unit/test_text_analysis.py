"""Presidio and NER on free text: settings, what a run records, the prescreen, and the evidence it adds."""

from __future__ import annotations

import dataclasses
from importlib import metadata
from pathlib import Path

import pyarrow as pa
import pytest

from classifiers.config import DetectionConfig
from classifiers.engine import Engine, value_hash
from classifiers.errors import ConfigError
from classifiers.names import faker_names
from classifiers.tally import ColumnTally, EntityTally
from classifiers.text_analysis import (
    TextAnalysisSettings,
    describe,
    is_known_name,
    is_prose,
    ner_candidates,
    reads_as_place,
    text_analyzer,
)
from tests.helpers import NLP_MODEL, with_ner

PRESIDIO = metadata.version("presidio-analyzer")


def test_settings_parse_defaults_and_values() -> None:
    assert TextAnalysisSettings.parse(None) == TextAnalysisSettings(True, "en_core_web_sm", "en", 500)
    assert TextAnalysisSettings.parse({"nlp_model": None, "max_values": 5}) == TextAnalysisSettings(True, None, "en", 5)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"model": "x"}, "presidio: unknown key(s) 'model'; valid keys are: enabled, language, max_values, nlp_model"),
        ({"enabled": "yes"}, "presidio.enabled must be true or false, got 'yes'"),
        ({"max_values": -1}, "presidio.max_values must be a whole number >= 0, got -1"),
        ({"nlp_model": ""}, "presidio.nlp_model must be a package name, a directory or null, got {'nlp_model': ''}"),
        (["x"], "'presidio' must be a mapping, got list"),
    ],
)
def test_bad_settings_fail_naming_the_key(raw: object, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        TextAnalysisSettings.parse(raw)  # type: ignore[arg-type]
    assert str(caught.value) == message


def test_describe_says_what_a_run_uses() -> None:
    assert describe(TextAnalysisSettings(enabled=False)) == (
        "Presidio off: disabled in the configuration (presidio.enabled: false)"
    )
    assert describe(TextAnalysisSettings(nlp_model="en_core_web_sm")) == (
        f"Presidio {PRESIDIO}; NER off: spaCy model 'en_core_web_sm' is not installed "
        "(see docs/nlp.md; it is never downloaded)"
    )
    assert describe(TextAnalysisSettings(nlp_model=None)) == (
        f"Presidio {PRESIDIO}; NER off: no spaCy model configured (presidio.nlp_model)"
    )
    assert describe(TextAnalysisSettings(nlp_model=NLP_MODEL)) == (
        f"Presidio {PRESIDIO}; NER on: spaCy model {NLP_MODEL} (package 3.8.0)"
    )


def test_a_model_directory_is_used_as_it_is(tmp_path: Path) -> None:
    assert describe(TextAnalysisSettings(nlp_model=str(tmp_path))) == (
        f"Presidio {PRESIDIO}; NER on: spaCy model {tmp_path} (directory)"
    )


def test_a_missing_model_is_never_downloaded(monkeypatch: pytest.MonkeyPatch) -> None:
    import spacy.cli

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a model download was attempted")

    monkeypatch.setattr(spacy.cli, "download", refuse)
    analyzer = text_analyzer(TextAnalysisSettings(nlp_model="xx_no_such_model"))
    assert analyzer is not None and analyzer.ner is False
    spans = analyzer.analyze(["card 4111 1111 1111 1111 for Maria Garcia"], ["CREDIT_CARD", "PERSON"])
    assert [(s.entity_type, s.start, s.end, s.score) for s in spans[0]] == [("CREDIT_CARD", 5, 24, 1.0)]


def test_presidio_off_when_disabled() -> None:
    assert text_analyzer(TextAnalysisSettings(enabled=False)) is None


def test_ner_prescreen_marks_known_capitalised_names_and_place_cues() -> None:
    lines = pa.array(
        [
            "Kind regards, Maria Garcia",  # known names, capitalised
            "2026-05-02 INFO worker-3 done in 120 ms",  # nothing
            "maria garcia wrote in lower case",  # names, but not capitalised
            "She moved to Rotterdam last year",  # a place cue
            "Status: OK",
            "Hi, this is John from the accounts team.",
        ]
    )
    assert ner_candidates(lines, faker_names()).tolist() == [0, 3, 5]


def test_known_name_check_and_prose_columns() -> None:
    names = faker_names()
    spans = (
        "Maria Garcia", "Dr. John Smith", "Jean-Luc Picard", "Anna van der Berg",  # full names
        "Maria", "Zie", "Gateway Service", "Law Mrs", "bill financial", "Glass arrive",  # not
    )  # fmt: skip
    assert [is_known_name(s, names) for s in spans] == [True] * 4 + [False] * 6
    assert [reads_as_place(t, t.index("Bernard")) for t in ("I live near Bernard.", "Ask Bernard", "in  Bernard")] == [
        True,
        False,
        True,
    ]
    notes = pa.array(["Customer called twice about the late delivery and asked for a refund."] * 3)
    assert is_prose(notes) is True
    assert is_prose(pa.array(["12 Main St", "Springfield", "4111111111111111"])) is False
    assert is_prose(pa.array([], pa.string())) is False
    # 30 characters of two bytes each, six spaces: 60 bytes, yet short of the 40 characters prose needs
    assert is_prose(pa.array(["éé éé éé éé éé éé éééééééééééééééééé"] * 3)) is False
    # the mean is over the non-null values, as pc.mean of the lengths takes it
    assert is_prose(pa.array([None, None, None, *notes.to_pylist()])) is True


LINES = [
    "Kind regards, Maria Garcia",
    "Zie nummer 123456789 in het dossier.",
    "Card 4111 1111 1111 1111 was charged twice.",
    "She moved from Toronto to London, then to Berlin.",
    "2026-05-02 INFO worker-3 done in 120 ms",
]


def test_text_gets_ner_matches_and_presidio_scores_as_evidence() -> None:
    engine = Engine(with_ner(), hash_key=b"k")
    tally = ColumnTally(None)
    engine.scan(pa.array(LINES), tally)
    # Analysed: the card line (accepted CREDIT_CARD) and the two lines the NER prescreen marks.
    assert tally.analysed_values == 3
    assert tally.entities["CREDIT_CARD"] == EntityTally(
        matched_values=1,
        occurrences=1,
        candidates=1,
        validated=1,
        keyword_values=1,  # "card"
        best_score=0.6,
        patterns={"CREDIT_CARD.separated_4x4"},
        value_hashes={value_hash("4111 1111 1111 1111", b"k")},
        samples=["****-****-****-1111"],
        presidio_values=1,
        presidio_score_sum=1.0,
    )
    assert tally.entities["PERSON"] == EntityTally(
        matched_values=1,
        occurrences=1,
        candidates=1,
        validated=1,
        best_score=0.85,
        patterns={"PERSON.ner"},
        value_hashes={value_hash("Maria Garcia", b"k")},
        samples=["M**** G*****"],
        presidio_values=1,
        presidio_score_sum=0.85,
    )
    assert tally.entities["LOCATION"] == EntityTally(
        matched_values=1,
        occurrences=3,
        candidates=3,
        validated=3,
        best_score=0.5,
        patterns={"LOCATION.ner"},
        value_hashes={value_hash(place, b"k") for place in ("Toronto", "London", "Berlin")},
        samples=["T******", "L*****", "B*****"],
        presidio_values=1,
        presidio_score_sum=0.85,
    )


def test_ner_person_spans_without_a_known_name_are_candidates_only() -> None:
    engine = Engine(with_ner())
    tally = ColumnTally(None)
    engine.scan(pa.array(["Mr. Vlonk moved to Paris."]), tally)  # prescreened for "to Paris"
    person = tally.entities["PERSON"]
    assert (person.candidates, person.validated, person.matched_values, person.samples) == (1, 0, 0, [])
    assert tally.entities["LOCATION"].samples == ["P****"]


def test_the_budget_bounds_presidio_work_per_column() -> None:
    config = dataclasses.replace(with_ner(), text=TextAnalysisSettings(nlp_model=NLP_MODEL, max_values=7))
    engine = Engine(config)
    tally = ColumnTally(None)
    engine.scan(pa.array(LINES), tally)
    engine.scan(pa.array(LINES), tally)
    engine.scan(pa.array(LINES), tally)
    assert (tally.values_seen, tally.analysed_values) == (15, 7)


def test_structured_columns_skip_presidio_unless_they_hold_prose() -> None:
    engine = Engine(with_ner())
    names = ColumnTally("customer")
    engine.scan(pa.array(["Maria Garcia", "John Smith"]), names)
    assert names.analysed_values == 0
    assert names.entities["PERSON"].patterns == {"PERSON.full_name"}
    notes = ColumnTally("notes")
    engine.scan(pa.array(["Customer Maria Garcia called twice about the late delivery and a refund."] * 2), notes)
    assert notes.analysed_values == 2
    assert notes.entities["PERSON"].patterns == {"PERSON.ner"}
    assert notes.entities["PERSON"].matched_values == 2


def test_without_presidio_text_gets_only_the_regex_detectors() -> None:
    engine = Engine(dataclasses.replace(DetectionConfig.default(), text=TextAnalysisSettings(enabled=False)))
    tally = ColumnTally(None)
    engine.scan(pa.array(LINES), tally)
    assert tally.analysed_values == 0
    assert "PERSON" not in tally.entities and "LOCATION" not in tally.entities
    assert tally.entities["CREDIT_CARD"].presidio_values == 0
