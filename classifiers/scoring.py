"""Turning evidence into a confidence: the one formula every finding is scored with (docs/findings.md).

    strength   = 0.5 + 0.5 * min(1, match_ratio / full_evidence_ratio)        for a column
               = min(1, 0.6 + 0.1 * (distinct_values - 1))                    for free text
    confidence = min(1, best_pattern_score * strength
                        + context_boost    if a column-name hint, the column's profile or a keyword in a matched
                                           cell/line supports it
                        + validator_boost  if the detector has a validator that accepted >= 90 % of candidates
                        - validator_boost * (1 - pass_rate / 0.5)     if it accepted fewer than half of them
                                                                       and nothing else supports the entity
                        + presidio_weight * (presidio_score - 0.5)    where Presidio analysed matched values)

A pattern's base score says how specific it is alone (bare 10 digits: 0.2, a Luhn-checked card with
separators: 0.6). Ten-digit customer ids therefore stay far below the reporting threshold even when most of
them parse as phone numbers, while a column called ``phone`` full of ``+44 20 ...`` numbers scores 0.9+.
``presidio_score`` is Presidio's mean score on the matched free-text values it analysed (0 for a value where
it found nothing of the kind), so its context enhancement raises or lowers the confidence by at most 0.1.
"""

from __future__ import annotations

from dataclasses import dataclass

from classifiers.config import Scoring
from classifiers.tally import ColumnTally

VALIDATOR_PASS_RATE_FOR_BOOST = 0.9
VALIDATOR_PASS_RATE_FOR_PENALTY = 0.5  # below it the pattern mostly matches something else here (order ids)


@dataclass(frozen=True)
class Evidence:
    """Aggregated counts for one entity in one column or text object (see classifiers.tally.EntityTally)."""

    values_seen: int
    matched_values: int
    candidates: int
    validated: int
    distinct_values: int
    keyword_values: int
    best_score: float
    column_hint: bool
    has_validator: bool
    free_text: bool
    presidio_score: float | None = None


@dataclass(frozen=True)
class Assessment:
    """What a finding reports about its evidence."""

    match_ratio: float
    validator_pass_rate: float | None
    confidence: float


def decision(confidence: float, scoring: Scoring) -> str | None:
    """``auto_tag`` or ``review`` for a reportable confidence, None below the reporting threshold."""
    if confidence < scoring.min_confidence:
        return None
    return "auto_tag" if confidence >= scoring.auto_tag_confidence else "review"


def assess(evidence: Evidence, scoring: Scoring) -> Assessment:
    """Score ``evidence`` with the formula in the module docstring; ratios and confidence are rounded to 4 places."""
    ratio = evidence.matched_values / evidence.values_seen if evidence.values_seen else 0.0
    pass_rate = None
    if evidence.has_validator and evidence.candidates:
        pass_rate = evidence.validated / evidence.candidates
    if evidence.free_text:
        strength = min(1.0, 0.6 + 0.1 * max(0, evidence.distinct_values - 1))
    else:
        strength = 0.5 + 0.5 * min(1.0, ratio / scoring.full_evidence_ratio)
    confidence = evidence.best_score * strength
    context = evidence.column_hint or evidence.keyword_values > 0
    if context:
        confidence += scoring.context_boost
    if pass_rate is not None and pass_rate >= VALIDATOR_PASS_RATE_FOR_BOOST:
        confidence += scoring.validator_boost
    elif pass_rate is not None and pass_rate < VALIDATOR_PASS_RATE_FOR_PENALTY and not context:
        confidence -= scoring.validator_boost * (1 - pass_rate / VALIDATOR_PASS_RATE_FOR_PENALTY)
    if evidence.presidio_score is not None:
        confidence += scoring.presidio_weight * (evidence.presidio_score - 0.5)
    return Assessment(
        match_ratio=round(ratio, 4),
        validator_pass_rate=None if pass_rate is None else round(pass_rate, 4),
        confidence=round(min(1.0, max(0.0, confidence)), 4),
    )


def evidence_of(tally: ColumnTally, entity_type: str, has_validator: bool) -> Evidence:
    """The Evidence of one entity in one column's tally, as the scan job aggregates it across objects."""
    entity = tally.entities[entity_type]
    return Evidence(
        values_seen=tally.values_seen,
        matched_values=entity.matched_values,
        candidates=entity.candidates,
        validated=entity.validated,
        distinct_values=entity.distinct_values,
        keyword_values=entity.keyword_values,
        best_score=entity.best_score,
        column_hint=entity_type in tally.column_hints or entity_type in tally.column_profiles,
        has_validator=has_validator,
        free_text=tally.column is None,
        presidio_score=presidio_score(entity.presidio_score_sum, entity.presidio_values),
    )


def presidio_score(score_sum: float, values: int) -> float | None:
    """Presidio's mean score over the values it analysed, None when it analysed none (rounded to 4 places)."""
    return round(score_sum / values, 4) if values else None
