"""assess(): the confidence formula of classifiers.scoring, checked against hand-computed numbers.

    strength   = 0.5 + 0.5 * min(1, ratio / full_evidence_ratio)   (column)
               = min(1, 0.6 + 0.1 * (distinct - 1))                 (free text)
    confidence = min(1, best * strength + context_boost? + validator_boost?)
Defaults: context_boost 0.3, validator_boost 0.2, full_evidence_ratio 0.5.
"""

import pytest

from classifiers.config import Scoring
from classifiers.scoring import Assessment, Evidence, assess, decision


def evidence(
    seen: int = 10,
    matched: int = 10,
    candidates: int = 0,
    validated: int = 0,
    distinct: int = 1,
    keywords: int = 0,
    best: float = 0.6,
    hint: bool = False,
    validator: bool = False,
    free_text: bool = False,
) -> Evidence:
    return Evidence(
        values_seen=seen,
        matched_values=matched,
        candidates=candidates,
        validated=validated,
        distinct_values=distinct,
        keyword_values=keywords,
        best_score=best,
        column_hint=hint,
        has_validator=validator,
        free_text=free_text,
    )


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        pytest.param(
            # ratio 10/10 = 1.0 -> strength 0.5 + 0.5 * min(1, 2) = 1.0; 0.6 * 1.0 + 0.3 (hint) = 0.9
            evidence(hint=True),
            Assessment(match_ratio=1.0, validator_pass_rate=None, confidence=0.9),
            id="column-ratio-1-with-hint",
        ),
        pytest.param(
            # ratio 10/100 = 0.1 -> strength 0.5 + 0.5 * 0.2 = 0.6; 0.4 * 0.6 = 0.24; pass 10/20 = 0.5, no boost
            evidence(seen=100, matched=10, candidates=20, validated=10, best=0.4, validator=True),
            Assessment(match_ratio=0.1, validator_pass_rate=0.5, confidence=0.24),
            id="column-ratio-0.1-no-context",
        ),
        pytest.param(
            # keyword instead of hint: ratio 5/10 = 0.5 -> strength 1.0; 0.6 + 0.3 = 0.9
            evidence(matched=5, keywords=1),
            Assessment(match_ratio=0.5, validator_pass_rate=None, confidence=0.9),
            id="column-keyword-boost",
        ),
        pytest.param(
            # free text, 1 distinct -> strength 0.6; 0.9 * 0.6 = 0.54 + 0.2 (pass 1/1) = 0.74; ratio 1/50 = 0.02
            evidence(seen=50, matched=1, candidates=1, validated=1, best=0.9, validator=True, free_text=True),
            Assessment(match_ratio=0.02, validator_pass_rate=1.0, confidence=0.74),
            id="free-text-1-distinct",
        ),
        pytest.param(
            # free text, 3 distinct -> strength 0.8; 0.5 * 0.8 = 0.4; ratio 3/20 = 0.15
            evidence(seen=20, matched=3, distinct=3, best=0.5, free_text=True),
            Assessment(match_ratio=0.15, validator_pass_rate=None, confidence=0.4),
            id="free-text-3-distinct",
        ),
        pytest.param(
            # free text, 5 distinct -> strength min(1, 1.0) = 1.0; 0.6 + 0.3 (keyword) = 0.9; ratio 5/50 = 0.1
            evidence(seen=50, matched=5, distinct=5, keywords=2, free_text=True),
            Assessment(match_ratio=0.1, validator_pass_rate=None, confidence=0.9),
            id="free-text-5-distinct",
        ),
        pytest.param(
            # pass 9/10 = 0.9 >= 0.9 -> boost; ratio 0.9 -> strength 1.0; 0.4 + 0.2 = 0.6
            evidence(matched=9, candidates=10, validated=9, best=0.4, validator=True),
            Assessment(match_ratio=0.9, validator_pass_rate=0.9, confidence=0.6),
            id="validator-boost-at-0.9",
        ),
        pytest.param(
            # pass 89/100 = 0.89 < 0.9 -> no boost; ratio 0.89 -> strength 1.0; 0.4
            evidence(seen=100, matched=89, candidates=100, validated=89, best=0.4, validator=True),
            Assessment(match_ratio=0.89, validator_pass_rate=0.89, confidence=0.4),
            id="no-validator-boost-at-0.89",
        ),
        pytest.param(
            # no validator -> pass rate None and no boost even with candidates; 0.9 * 1.0 = 0.9
            evidence(candidates=10, validated=10, best=0.9),
            Assessment(match_ratio=1.0, validator_pass_rate=None, confidence=0.9),
            id="no-validator",
        ),
        pytest.param(
            # validator but no candidates -> pass rate None; 0.6 * 1.0 = 0.6
            evidence(validator=True),
            Assessment(match_ratio=1.0, validator_pass_rate=None, confidence=0.6),
            id="validator-without-candidates",
        ),
        pytest.param(
            # nothing seen: ratio 0.0 -> strength 0.5; 0.0 * 0.5 + 0.3 (hint) = 0.3
            evidence(seen=0, matched=0, best=0.0, hint=True),
            Assessment(match_ratio=0.0, validator_pass_rate=None, confidence=0.3),
            id="values-seen-0",
        ),
        pytest.param(
            # ratio 1/3 -> 0.3333; pass 2/3 -> 0.6667; strength 0.5 + 0.5 * (2/3) = 5/6; 0.4 * 5/6 = 1/3 -> 0.3333
            evidence(seen=3, matched=1, candidates=3, validated=2, best=0.4, validator=True),
            Assessment(match_ratio=0.3333, validator_pass_rate=0.6667, confidence=0.3333),
            id="rounded-to-4-places",
        ),
        pytest.param(
            # 0.9 * 1.0 + 0.3 + 0.2 = 1.4 -> capped at 1.0
            evidence(candidates=10, validated=10, best=0.9, hint=True, validator=True),
            Assessment(match_ratio=1.0, validator_pass_rate=1.0, confidence=1.0),
            id="capped-at-1",
        ),
    ],
)
def test_assess_with_default_scoring(given, expected):
    assert assess(given, Scoring()) == expected


def test_assess_uses_the_configured_scoring():
    # ratio 2/4 = 0.5 / full_evidence_ratio 1.0 -> strength 0.75; 0.8 * 0.75 = 0.6 + 0.1 (hint) + 0.0 (validator) = 0.7
    scoring = Scoring(full_evidence_ratio=1.0, context_boost=0.1, validator_boost=0.0)
    given = evidence(seen=4, matched=2, candidates=2, validated=2, best=0.8, hint=True, validator=True)
    assert assess(given, scoring) == Assessment(match_ratio=0.5, validator_pass_rate=1.0, confidence=0.7)


@pytest.mark.parametrize(
    ("confidence", "expected"), [(0.49, None), (0.5, "review"), (0.79, "review"), (0.8, "auto_tag"), (1.0, "auto_tag")]
)
def test_decision_thresholds(confidence: float, expected: str | None) -> None:
    assert decision(confidence, Scoring()) == expected


@pytest.mark.parametrize(
    ("presidio", "expected"),
    [
        # free text, 1 distinct value: strength 0.6; 0.85 * 0.6 = 0.51, then + 0.2 * (score - 0.5)
        pytest.param(None, 0.51, id="not-analysed"),
        pytest.param(0.85, 0.58, id="presidio-agrees-with-context"),  # 0.51 + 0.07
        pytest.param(0.5, 0.51, id="presidio-neutral"),
        pytest.param(0.0, 0.41, id="presidio-found-nothing"),  # 0.51 - 0.1: below the reporting threshold
    ],
)
def test_presidio_score_raises_or_lowers_confidence(presidio: float | None, expected: float) -> None:
    given = evidence(seen=100, matched=1, best=0.85, free_text=True)
    given = Evidence(**{**given.__dict__, "presidio_score": presidio})
    assert assess(given, Scoring()).confidence == expected


@pytest.mark.parametrize(
    ("candidates", "validated", "keywords", "expected"),
    [
        # 16-digit values in free text, 2 distinct valid ones: 0.4 * 0.7 = 0.28, then
        pytest.param(20, 2, 0, 0.12, id="pass-rate-0.1"),  # - 0.2 * (1 - 0.1 / 0.5) = - 0.16
        pytest.param(8, 2, 0, 0.18, id="pass-rate-0.25"),  # - 0.2 * (1 - 0.25 / 0.5) = - 0.1
        pytest.param(4, 2, 0, 0.28, id="pass-rate-0.5-no-penalty"),
        pytest.param(2, 2, 0, 0.48, id="pass-rate-1.0-boost"),  # + 0.2
        pytest.param(20, 2, 1, 0.58, id="pass-rate-0.1-with-keyword-no-penalty"),  # + 0.3 context
    ],
)
def test_a_validator_that_rejects_most_candidates_lowers_confidence_without_context(
    candidates: int, validated: int, keywords: int, expected: float
) -> None:
    given = evidence(
        seen=100, matched=2, candidates=candidates, validated=validated, distinct=2, keywords=keywords, best=0.4,
        validator=True, free_text=True,
    )  # fmt: skip
    assert assess(given, Scoring()).confidence == expected
