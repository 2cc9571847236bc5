"""The engine's shared regex passes give exactly the masks of one pass per pattern or keyword regex.

Engine._group_tested runs a group's alternation first and each member only where it matched; Engine._gated_keyword_hits
runs all gated keywords at once first. Both are shortcuts over many values of the same column plan, so they are
checked here against the plain passes they replace, over every detector's positives and negatives, those values in
sentences, keyword phrases and digit strings of every length.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from classifiers.config import DetectionConfig
from classifiers.engine import Engine

ENGINE = Engine(DetectionConfig.default(), hash_key=b"k")


def _corpus() -> pa.Array:
    values: list[str] = []
    for detector in ENGINE.detectors:
        for example in (e.text for e in (*detector.positives, *detector.negatives)):
            values += [
                example,
                f"note: {example} end",
                f"{detector.keywords[0]} {example}" if detector.keywords else example,
            ]
        values += [f"the {keyword} is here" for keyword in detector.keywords]
    rng = np.random.default_rng(3)
    values += ["".join(map(str, rng.integers(0, 10, size=length))) for length in range(1, 33) for _ in range(5)]
    values += ["plain words only", "", "ORD-8HG3K2QX", "2024-06-01T00:00:31Z", "1234.56"]
    return pa.array(values, pa.string())


CORPUS = _corpus()
PLANS = [
    ENGINE._column_plan(frozenset(), frozenset()),
    *(ENGINE._column_plan(frozenset({d.entity_type}), frozenset()) for d in ENGINE.detectors if d.requires_context),
]


def _plain(regex: str, rows: np.ndarray | None = None, ignore_case: bool = False) -> np.ndarray:
    mask = pc.match_substring_regex(CORPUS, regex, ignore_case=ignore_case).to_numpy(zero_copy_only=False)
    return mask if rows is None else mask & rows


@pytest.mark.parametrize("plan_index", range(len(PLANS)))
def test_group_testing_gives_each_patterns_own_mask(plan_index: int) -> None:
    plan = PLANS[plan_index]
    rng = np.random.default_rng(plan_index)
    selections = {index: (None if index % 3 else rng.random(len(CORPUS)) < 0.5) for index in plan.unconditional}
    groups = [(group, [selections[i] for i in group]) for group in plan.pattern_groups]

    hits = ENGINE._group_tested(CORPUS, groups)

    assert sorted(hits) == sorted(plan.unconditional)
    for index in plan.unconditional:
        expected = _plain(ENGINE._patterns[index].regex, selections[index])
        assert np.array_equal(hits[index], expected), ENGINE._patterns[index].name
    assert sum(int(mask.sum()) for mask in hits.values()) > 100  # the corpus hits many patterns


@pytest.mark.parametrize("plan_index", range(len(PLANS)))
def test_one_keyword_pass_first_gives_each_detectors_own_keyword_mask(plan_index: int) -> None:
    plan = PLANS[plan_index]
    digits_only = pc.match_substring_regex(CORPUS, r"^[0-9]{1,31}$").to_numpy(zero_copy_only=False)
    others = CORPUS.filter(pa.array(~digits_only))

    hits = ENGINE._gated_keyword_hits(CORPUS, plan, digits_only, others)

    assert sorted(hits) == sorted(plan.keyword_gated)
    for index in plan.keyword_gated:
        keywords = ENGINE._keywords[index]
        assert keywords is not None
        assert np.array_equal(hits[index], _plain(keywords, ignore_case=True)), ENGINE.detectors[index].entity_type
    assert sum(int(mask.sum()) for mask in hits.values()) > 20
