"""Engine.scan_columns: several columns in one call, tallies identical to scanning them one by one."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from classifiers import registry
from classifiers.config import DetectionConfig
from classifiers.engine import Engine
from classifiers.tally import ColumnTally
from jobs.scan_task import ColumnBatcher
from tests.helpers import with_ner
from tests.unit.test_engine import MIXED as ENGINE_MIXED

ENGINE = Engine(DetectionConfig.default(), hash_key=b"k")
SLOW_ENGINE = Engine(DetectionConfig.default(), hash_key=b"k", fast_paths=False)

Column = tuple[Any, str | None]  # values (list, Array or ChunkedArray), column name (None: free text)


def _array(values: Any) -> pa.Array | pa.ChunkedArray:
    return values if isinstance(values, pa.Array | pa.ChunkedArray) else pa.array(values, pa.string())


def same_tallies(engine: Engine, columns: Sequence[Column]) -> list[ColumnTally]:
    """Scan ``columns`` one by one and in one scan_columns call; assert equal tallies and return them."""
    one_by_one = [ColumnTally(name) for _, name in columns]
    for (values, _), tally in zip(columns, one_by_one, strict=True):
        engine.scan(_array(values), tally)
    together = [ColumnTally(name) for _, name in columns]
    engine.scan_columns([(_array(values), tally) for (values, _), tally in zip(columns, together, strict=True)])
    assert together == one_by_one
    return together


# Planted values (from tests/unit/test_engine.py's MIXED and the detector examples).
MIXED = [*ENGINE_MIXED, "ssn 078-05-1120"]
CARDS = ["4111111111111111", "4111111111111112", "5500005555555559", "1234567812345678", "378282246310005"]


def _ids(offset: int, count: int = 300) -> list[str]:
    return [str(100_000_000 + offset * 7919 + 13 * j) for j in range(count)]


@pytest.mark.parametrize("engine", [ENGINE, SLOW_ENGINE], ids=["fast", "slow"])
def test_many_columns_sharing_a_plan(engine: Engine) -> None:
    columns: list[Column] = [([f"ORD-{i}-{j:06d}" for j in range(200)] + MIXED, f"c{i}") for i in range(30)]
    columns += [(_ids(i) + CARDS * (i + 1), f"x{i}") for i in range(10)]
    tallies = same_tallies(engine, columns)
    assert tallies[0].entities["EMAIL_ADDRESS"].matched_values > 0
    assert tallies[-1].entities["CREDIT_CARD"].matched_values > 0


def test_the_regex_passes_run_once_for_columns_sharing_a_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    prefilter = ENGINE.candidate_regex("c0")
    assert all(ENGINE.candidate_regex(f"c{i}") == prefilter for i in range(20))
    shared = {prefilter, r"^[0-9]{1,31}$"} | {p.regex for p in ENGINE._patterns} | set(ENGINE._keywords)
    calls: list[str] = []
    original = pc.match_substring_regex

    def counting(strings: Any, pattern: str, **kwargs: Any) -> Any:
        if pattern in shared:
            calls.append(pattern)
        return original(strings, pattern, **kwargs)

    monkeypatch.setattr(pc, "match_substring_regex", counting)
    columns = [pa.array(MIXED * (i + 1)) for i in range(20)]
    ENGINE.scan_columns([(values, ColumnTally(f"c{i}")) for i, values in enumerate(columns)])
    together = sorted(calls)
    calls.clear()
    ENGINE.scan(pa.concat_arrays(columns), ColumnTally("c0"))  # the same values as one column
    assert together.count(prefilter) == 1
    assert len(together) > 10
    assert together == sorted(calls)


@pytest.mark.parametrize("engine", [ENGINE, SLOW_ENGINE], ids=["fast", "slow"])
def test_columns_with_different_hints_in_one_call(engine: Engine) -> None:
    names = ["email", "ssn", "card_number", "notes", "id", "phone", "date_of_birth", "iban", "account_number", "x"]
    values = (
        MIXED
        + CARDS
        + _ids(1, 50)
        + ["078-05-1120", "078051120", "219-09-9999", "1980-02-03", "acct 12345678901", "account no 987654321"]
    )
    columns: list[Column] = [(values[i:] + values[:i], name) for i, name in enumerate(names)]
    columns += [(_ids(2, 100), "id"), (CARDS * 3, "card_number")]  # the same names again: other tallies
    tallies = same_tallies(engine, columns)
    assert len({frozenset(t.column_hints) for t in tallies}) > 3


def test_prose_column_and_free_text() -> None:
    engine = Engine(with_ner(), hash_key=b"k")
    lines = [
        "Kind regards, Maria Garcia",
        "Zie nummer 123456789 in het dossier.",
        "Card 4111 1111 1111 1111 was charged twice.",
        "She moved from Toronto to London, then to Berlin.",
        "Customer Maria Garcia called twice about the late delivery and a refund, mail jane@example.com.",
        "2026-05-02 INFO worker-3 done in 120 ms",
    ]
    columns: list[Column] = [
        (lines * 5, None),
        (lines * 5, "notes"),
        (["Maria Garcia", "John Smith"] * 20, "customer_name"),
        (MIXED, "comment"),
        (lines, None),
    ]
    tallies = same_tallies(engine, columns)
    assert tallies[0].analysed_values > 0
    assert tallies[1].analysed_values > 0


def test_budgets_and_sample_limits_stay_per_column() -> None:
    config = with_ner()
    config = dataclasses.replace(config, text=dataclasses.replace(config.text, max_values=30))
    engine = Engine(config, hash_key=b"k")
    emails = [f"{chr(97 + j % 26)}{j}@example.com called about order {j}, Maria Garcia" for j in range(100)]
    columns: list[Column] = [(emails, None), (emails[::-1], "notes"), (emails, "email"), (emails[50:], None)]
    tallies = same_tallies(engine, columns)
    assert [t.analysed_values for t in tallies] == [30, 30, 30, 30]  # each column its own budget
    assert len(tallies[2].entities["EMAIL_ADDRESS"].samples) == config.scoring.max_samples


def _example_columns() -> list[Column]:
    """Every detector example (positive and negative), gathered into columns by the example's column name."""
    by_column: dict[str | None, list[str]] = {}
    for detector in registry.all_detectors():
        for example in (*detector.positives, *detector.negatives):
            by_column.setdefault(example.column, []).append(example.text)
    return [(texts, column) for column, texts in by_column.items()]


@pytest.mark.parametrize("engine", [ENGINE, SLOW_ENGINE], ids=["fast", "slow"])
def test_planted_values_of_every_entity_type(engine: Engine) -> None:
    columns = _example_columns()
    tallies = same_tallies(engine, columns)
    found = {entity_type for t in tallies for entity_type, e in t.entities.items() if e.matched_values}
    assert len(found) > 40
    # and each value alone in its own column, all in one call
    singles: list[Column] = [([text], column) for texts, column in columns for text in texts]
    same_tallies(engine, singles)


def test_empty_null_and_non_string_columns() -> None:
    columns: list[Column] = [
        (pa.array([], pa.string()), "empty"),
        (pa.array([None, None], pa.string()), "nulls"),
        (pa.array(["", None, ""]), "blank"),
        (MIXED, "notes"),
        (pa.array([None] * 3, pa.null()), "null_type"),
        (pa.array([4111111111111111, 123, None], pa.int64()), "card_number"),
        (pa.array([dt.date(1980, 2, 3), None]), "date_of_birth"),
        (pa.array([], pa.int64()), "id"),
        (MIXED, None),
    ]
    tallies = same_tallies(ENGINE, columns)
    assert [t.values_seen for t in tallies[:3]] == [0, 0, 0]
    ENGINE.scan_columns([])


def test_chunked_array_inputs() -> None:
    columns: list[Column] = [
        (pa.chunked_array([pa.array(MIXED[:3]), pa.array([], pa.string()), pa.array(MIXED[3:])]), "notes"),
        (pa.chunked_array([], pa.string()), "nothing"),
        (pa.chunked_array([pa.array(CARDS), pa.array(_ids(3, 40))]), "card_number"),
        (pa.chunked_array([pa.array(CARDS, pa.large_string())]), "x"),
        (pa.array(MIXED).slice(2, 8), "sliced"),
    ]
    same_tallies(ENGINE, columns)


def test_a_tally_given_twice_gets_its_batches_in_order() -> None:
    first, second = MIXED[:7], MIXED[7:] + CARDS
    sequential = ColumnTally("notes")
    ENGINE.scan(pa.array(first), sequential)
    ENGINE.scan(pa.array(second), sequential)
    together = ColumnTally("notes")
    other = ColumnTally("email")
    ENGINE.scan_columns([(pa.array(first), together), (pa.array(MIXED), other), (pa.array(second), together)])
    assert together == sequential
    alone = ColumnTally("email")
    ENGINE.scan(pa.array(MIXED), alone)
    assert other == alone


def test_column_batcher_scans_full_columns_together_with_the_same_batches() -> None:
    blocks = [
        [("email", pa.array(MIXED)), ("id", pa.array(_ids(1, 10))), ("card_number", pa.array(CARDS))],
        [("email", pa.array(MIXED[:3])), ("id", pa.array(_ids(2, 3))), ("id", pa.array(CARDS))],
        [("email", pa.array(MIXED)), ("card_number", pa.array(CARDS)), ("notes", pa.array(MIXED))],
    ]
    expected: dict[str | None, ColumnTally] = {}
    one_by_one = ColumnBatcher(ENGINE, expected, 12)  # as before: each column scanned alone once it holds 12 values
    for block in blocks:
        for name, values in block:
            one_by_one.add(name, values)
    one_by_one.flush()
    tallies: dict[str | None, ColumnTally] = {}
    batcher = ColumnBatcher(ENGINE, tallies, 12)
    for block in blocks:
        batcher.add_columns(block)
    batcher.flush()
    assert tallies == expected
    assert list(tallies) == list(expected)
    assert batcher.detect_seconds > 0
