"""The engine's shared regex passes give exactly the masks of one pass per pattern or keyword regex.

Engine._group_tested runs a group's alternation first and each member only where it matched; Engine._gated_keyword_hits
puts all gated keywords in one such group. Both are shortcuts over many values of the same column plan, so they are
checked here against the plain passes they replace, over every detector's positives and negatives, those values in
sentences, keyword phrases and digit strings of every length. The vectorized pass that spares Python its search
for UUID and hash shadows must mark every value Python would find one in.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from classifiers.config import DetectionConfig
from classifiers.engine import _SHADOWS, Engine
from tests.helpers import examples_in_context

ENGINE = Engine(DetectionConfig.default(), hash_key=b"k")


def _corpus() -> pa.Array:
    values = examples_in_context(ENGINE.detectors)
    values += [f"the {keyword} is here" for detector in ENGINE.detectors for keyword in detector.keywords]
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
    mask: np.ndarray = pc.match_substring_regex(CORPUS, regex, ignore_case=ignore_case).to_numpy(zero_copy_only=False)
    return mask if rows is None else mask & rows


@pytest.mark.parametrize("plan_index", range(len(PLANS)))
def test_group_testing_gives_each_patterns_own_mask(plan_index: int) -> None:
    plan = PLANS[plan_index]
    rng = np.random.default_rng(plan_index)
    selections = {index: (None if index % 3 else rng.random(len(CORPUS)) < 0.5) for index in plan.unconditional}
    groups = [[(i, ENGINE._patterns[i].regex, selections[i]) for i in group] for group in plan.pattern_groups]

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

    hits = ENGINE._gated_keyword_hits(CORPUS, plan, digits_only)

    assert sorted(hits) == sorted(plan.keyword_gated)
    for index in plan.keyword_gated:
        keywords = ENGINE._keywords[index]
        assert keywords is not None
        assert np.array_equal(hits[index], _plain(keywords, ignore_case=True)), ENGINE.detectors[index].entity_type
    assert sum(int(mask.sum()) for mask in hits.values()) > 20


def test_the_vectorized_shadow_pass_marks_every_value_python_finds_a_shadow_in() -> None:
    """_scan_patterns asks RE2 which values may hold a UUID or long hex hash; Python looks only in those.

    RE2's \\b is ASCII, Python's Unicode: next to a non-ASCII letter RE2 sees a boundary where Python does not, so
    RE2 may mark more values, never fewer.
    """
    uuid, hex32 = "123e4567-e89b-12d3-a456-426614174000", "0123456789abcdef0123456789abcdef"
    values = [uuid, f"id={uuid};", f"é{uuid}", f"{uuid}é", f"x{uuid}", hex32, hex32[:31], f"é{hex32}", f"_{hex32}"]
    values += [f"{hex32}٣", f"ß{hex32}ß", "call 0519-4038 now"]
    python = [_SHADOWS.search(value) is not None for value in values]
    re2 = pc.match_substring_regex(pa.array(values), _SHADOWS.pattern).to_pylist()
    assert python == [True, True, False, False, False, True, False, False, False, False, False, False]
    assert re2 == [True, True, True, True, False, True, False, True, False, True, True, False]
