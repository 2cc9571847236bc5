"""The accuracy benchmark's arithmetic, its BENCHMARKS.md block, and the generator's determinism (no Spark)."""

from __future__ import annotations

import gzip
import random
from pathlib import Path

import pytest

from bench.accuracy import END, START, extract_block, replace_block
from bench.accuracy.generator import ESTATE_DIR, LABELS_FILE, Labels, generate, verhoeff_check_digit
from bench.accuracy.metrics import Counts, Item, column_decision, evaluate, micro_average, object_truth, ratio_text


def _items(*triples: tuple[str, str | None, str]) -> set[Item]:
    return {Item(*t) for t in triples}


# ---- counting ----


def test_evaluate_counts_true_and_false_positives_and_negatives_per_entity() -> None:
    truth = _items(("t", "email", "EMAIL"), ("t", "card", "CARD"), ("t", "col_7", "SSN"), ("u/", "mail", "EMAIL"))
    predicted = _items(
        ("t", "email", "EMAIL"),  # TP
        ("t", "card", "CARD"),  # TP
        ("t", "order_id", "CARD"),  # FP on a trap
        ("t", "col_7", "PHONE"),  # FP: the SSN column reported as a phone, and the SSN missed
        ("u/", "mail", "EMAIL"),  # TP
    )
    result = evaluate(truth, predicted)
    assert result.per_entity == {
        "CARD": Counts(tp=1, fp=1, fn=0),
        "EMAIL": Counts(tp=2, fp=0, fn=0),
        "PHONE": Counts(tp=0, fp=1, fn=0),
        "SSN": Counts(tp=0, fp=0, fn=1),
    }
    assert result.false_positives == (Item("t", "order_id", "CARD"), Item("t", "col_7", "PHONE"))
    assert result.false_negatives == (Item("t", "col_7", "SSN"),)
    assert len(result.true_positives) == 3


def test_evaluate_treats_predictions_as_a_set_and_keeps_object_items_apart_from_columns() -> None:
    truth = [Item("log.txt", None, "EMAIL")]
    predicted = [Item("log.txt", None, "EMAIL"), Item("log.txt", None, "EMAIL"), Item("log.txt", "c", "EMAIL")]
    assert evaluate(truth, predicted).per_entity == {"EMAIL": Counts(tp=1, fp=1, fn=0)}


def test_evaluate_of_nothing_is_empty() -> None:
    result = evaluate([], [])
    assert result.per_entity == {}
    assert result.micro() == Counts()


# ---- ratios ----


def test_precision_recall_f1_exact_values() -> None:
    counts = Counts(tp=3, fp=1, fn=2)
    assert counts.precision == 0.75
    assert counts.recall == 0.6
    assert counts.f1 == 6 / 9  # 2TP / (2TP + FP + FN), equal to 2PR / (P + R) = 0.9 / 1.35
    assert counts.support == 5
    assert counts.predicted == 4


@pytest.mark.parametrize(
    ("counts", "precision", "recall", "f1"),
    [
        (Counts(), None, None, None),  # nothing at all: every ratio undefined
        (Counts(fn=4), None, 0.0, 0.0),  # never predicted: precision undefined, recall and F1 zero
        (Counts(fp=2), 0.0, None, 0.0),  # nothing labelled: recall undefined, precision and F1 zero
        (Counts(tp=2), 1.0, 1.0, 1.0),
    ],
)
def test_zero_divisions_are_undefined_not_zero_or_one(
    counts: Counts, precision: float | None, recall: float | None, f1: float | None
) -> None:
    assert (counts.precision, counts.recall, counts.f1) == (precision, recall, f1)


def test_ratio_text() -> None:
    assert [ratio_text(None), ratio_text(0.0), ratio_text(2 / 3), ratio_text(1.0)] == ["—", "0.00", "0.67", "1.00"]


# ---- micro averaging ----


def test_micro_average_sums_counts_before_dividing() -> None:
    per_entity = {"A": Counts(tp=9, fp=1, fn=0), "B": Counts(tp=0, fp=0, fn=10), "C": Counts(tp=1, fp=9, fn=0)}
    total = micro_average(per_entity)
    assert total == Counts(tp=10, fp=10, fn=10)
    assert (total.precision, total.recall, total.f1) == (0.5, 0.5, 0.5)
    # Not the macro average: that would be precision (0.9 + 0.1) / 2 over the two types with predictions.
    restricted = micro_average(per_entity, {"A", "B", "MISSING"})
    assert restricted == Counts(tp=9, fp=1, fn=10)
    assert restricted.precision == 0.9
    assert restricted.recall == 9 / 19


def test_evaluation_micro_restricts_to_entities() -> None:
    result = evaluate(_items(("t", "a", "A"), ("t", "b", "B")), _items(("t", "a", "A"), ("t", "x", "B")))
    assert result.micro() == Counts(tp=1, fp=1, fn=1)
    assert result.micro(["A"]) == Counts(tp=1, fp=0, fn=0)
    assert result.micro([]) == Counts()


# ---- the column decision (AWS Glue's 10 % rule) and object labels ----


def test_column_decision_assigns_entities_found_in_at_least_ten_percent_of_values() -> None:
    values: list[set[str]] = [set() for _ in range(20)]
    values[0] |= {"PHONE", "SSN"}
    values[1] |= {"PHONE"}
    values[2] |= {"CARD"}
    # PHONE in 2 of 20 values is exactly 10 %: assigned; SSN and CARD in 1 of 20 are not.
    assert column_decision(values) == {"PHONE"}
    assert column_decision(values, min_share=0.05) == {"PHONE", "SSN", "CARD"}
    assert column_decision(values, min_share=0.5) == set()


def test_column_decision_counts_a_value_once_per_entity_and_handles_float_shares() -> None:
    values = [["A", "A", "A"]] + [[] for _ in range(29)]
    assert column_decision(values) == set()  # 1 of 30
    values[1] = ["A"]
    values[2] = ["A"]
    assert column_decision(values) == {"A"}  # 3 of 30: 0.1 * 30 is 3.0000000000000004 in floating point
    assert column_decision([]) == set()


def test_object_truth_is_positive_once_per_entity_with_any_span() -> None:
    spans = [("a.log", "EMAIL"), ("a.log", "EMAIL"), ("a.log", "IP"), ("b.txt", "EMAIL")]
    assert object_truth(spans) == _items(("a.log", None, "EMAIL"), ("a.log", None, "IP"), ("b.txt", None, "EMAIL"))


# ---- the BENCHMARKS.md block ----


def test_block_is_appended_when_absent_and_replaced_between_markers_only() -> None:
    first = f"{START}\nold figures\n{END}"
    second = f"{START}\nnew figures\n{END}"
    document = replace_block("# Benchmarks\n\nengine table\n", first)
    assert document == f"# Benchmarks\n\nengine table\n\n{first}\n"
    assert extract_block(document) == first
    surrounded = document + "\ntrailer written by someone else\n"
    assert (
        replace_block(surrounded, second)
        == f"# Benchmarks\n\nengine table\n\n{second}\n\ntrailer written by someone else\n"
    )
    assert replace_block("", first) == first + "\n"
    assert replace_block("no newline", first) == f"no newline\n\n{first}\n"


def test_incomplete_markers_are_not_a_block() -> None:
    assert extract_block(f"{START}\nno end") is None
    assert extract_block(f"{END}\n{START}") is None
    assert extract_block("nothing") is None


# ---- the generator ----


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_generator_is_deterministic_for_a_seed(tmp_path: Path) -> None:
    # The process-wide random state differs between the runs: the estate must not depend on it.
    random.seed(1)
    first = generate(tmp_path / "a", seed=5, rows=40)
    random.seed(2)
    second = generate(tmp_path / "b", seed=5, rows=40)
    other = generate(tmp_path / "c", seed=6, rows=40)
    assert first == second
    assert (tmp_path / "a" / LABELS_FILE).read_bytes() == (tmp_path / "b" / LABELS_FILE).read_bytes()
    assert _tree(tmp_path / "a" / ESTATE_DIR) == _tree(tmp_path / "b" / ESTATE_DIR)
    assert _tree(tmp_path / "a" / ESTATE_DIR) != _tree(tmp_path / "c" / ESTATE_DIR)
    assert first != other


def test_labels_round_trip_and_name_what_was_written(tmp_path: Path) -> None:
    labels = generate(tmp_path, seed=5, rows=40)
    assert Labels.from_json((tmp_path / LABELS_FILE).read_text(encoding="utf-8")) == labels
    estate = tmp_path / ESTATE_DIR
    for asset in {c.asset for c in labels.columns}:
        assert (estate / asset).is_dir() if asset.endswith("/") else (estate / asset).is_file()
    sensitive = [c for c in labels.columns if c.entity is not None]
    assert {c.naming for c in sensitive} == {"telling", "neutral"}
    assert all(c.values >= 1 for c in sensitive)  # a sparse column still holds at least one value
    assert any(c.entity is None for c in labels.columns)
    for label in labels.objects:
        data = (estate / label.asset).read_bytes()
        text = (gzip.decompress(data) if label.asset.endswith(".gz") else data).decode("utf-8")
        assert text.count("\n") == label.lines
        for span in label.spans:
            value = text[span.start : span.end]
            assert value and value == value.strip() and "\n" not in value


def test_generator_rejects_too_few_rows(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="rows must be at least"):
        generate(tmp_path, rows=3)


def test_verhoeff_check_digit_of_a_published_example() -> None:
    # The worked example of the Verhoeff algorithm: 236 gets check digit 3.
    assert verhoeff_check_digit("236") == 3
    assert verhoeff_check_digit("12345") == 1
