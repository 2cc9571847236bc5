"""Accuracy arithmetic: true and false positives per entity type, precision, recall, F1 and micro averages.

A prediction and a label are both an :class:`Item`: an asset, a column (None for a free-text object) and an
entity type. Items are compared as sets, so a column reported twice for the same entity counts once. Ratios
whose denominator is zero are undefined and returned as None (shown as "—"), never silently as 0 or 1:
precision is undefined without predictions, recall without labelled positives; F1 = 2TP / (2TP + FP + FN)
is undefined only when there is nothing at all to count.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Item:
    """One (asset, column, entity type): a labelled positive or a prediction."""

    asset: str
    column: str | None
    entity: str


@dataclass(frozen=True)
class Counts:
    """True positives, false positives and false negatives of one entity type (or summed over several)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    @property
    def support(self) -> int:
        """Labelled positives."""
        return self.tp + self.fn

    @property
    def predicted(self) -> int:
        """Predictions made."""
        return self.tp + self.fp

    @property
    def precision(self) -> float | None:
        """TP / (TP + FP); None without predictions."""
        return self.tp / self.predicted if self.predicted else None

    @property
    def recall(self) -> float | None:
        """TP / (TP + FN); None without labelled positives."""
        return self.tp / self.support if self.support else None

    @property
    def f1(self) -> float | None:
        """2TP / (2TP + FP + FN), the harmonic mean of precision and recall; None when all counts are zero."""
        denominator = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / denominator if denominator else None


@dataclass(frozen=True)
class Evaluation:
    """Predictions scored against labels: counts per entity type and the items behind every error."""

    per_entity: Mapping[str, Counts]
    false_positives: tuple[Item, ...]
    false_negatives: tuple[Item, ...]
    true_positives: tuple[Item, ...]

    def micro(self, entities: Collection[str] | None = None) -> Counts:
        """Counts summed over ``entities`` (every entity type when None): the micro average's inputs."""
        return micro_average(self.per_entity, entities)


def micro_average(per_entity: Mapping[str, Counts], entities: Collection[str] | None = None) -> Counts:
    """Sum the counts of ``entities`` (all when None); entity types without counts add nothing."""
    chosen = per_entity if entities is None else {e: c for e, c in per_entity.items() if e in entities}
    total = Counts()
    for counts in chosen.values():
        total = total + counts
    return total


def evaluate(truth: Iterable[Item], predicted: Iterable[Item]) -> Evaluation:
    """Score ``predicted`` against ``truth``, per entity type.

    Every entity type that occurs in either set gets a row, so a type that is only ever predicted shows
    up with its false positives.
    """
    truth_set, predicted_set = set(truth), set(predicted)
    true_positives = truth_set & predicted_set
    false_positives = predicted_set - truth_set
    false_negatives = truth_set - predicted_set
    per_entity: dict[str, Counts] = {}
    for entity in sorted({item.entity for item in truth_set | predicted_set}):
        per_entity[entity] = Counts(
            tp=sum(1 for item in true_positives if item.entity == entity),
            fp=sum(1 for item in false_positives if item.entity == entity),
            fn=sum(1 for item in false_negatives if item.entity == entity),
        )
    return Evaluation(
        per_entity=per_entity,
        false_positives=tuple(sorted(false_positives, key=_sort_key)),
        false_negatives=tuple(sorted(false_negatives, key=_sort_key)),
        true_positives=tuple(sorted(true_positives, key=_sort_key)),
    )


def column_decision(value_entities: Sequence[Collection[str]], min_share: float = 0.10) -> set[str]:
    """The entity types assigned to a column from per-value results, the way AWS Glue's classifier decides.

    ``value_entities`` holds, for each sampled non-empty value, the entity types detected in it. An entity
    is assigned when at least ``min_share`` of the values have it. An empty sample assigns nothing.
    """
    if not value_entities:
        return set()
    hits: dict[str, int] = {}
    for entities in value_entities:
        for entity in set(entities):
            hits[entity] = hits.get(entity, 0) + 1
    # Compare counts, not a float share, so that exactly 10 % of 20 values (2) is assigned.
    needed = min_share * len(value_entities)
    return {entity for entity, count in hits.items() if count >= needed - 1e-9}


def object_truth(spans: Iterable[tuple[str, str]]) -> set[Item]:
    """Object-level labels from ``(asset, entity)`` pairs of spans: an object is positive for an entity if any
    span of that entity is in it."""
    return {Item(asset, None, entity) for asset, entity in spans}


def ratio_text(value: float | None) -> str:
    """A ratio as ``0.93``, or ``—`` when it is undefined."""
    return "—" if value is None else f"{value:.2f}"


def _sort_key(item: Item) -> tuple[str, str, str]:
    return (item.entity, item.asset, item.column or "")
