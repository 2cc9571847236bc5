"""Mergeable per-column evidence: what the engine counted for one column (or one text object).

Tallies are plain data so that partial results from different batches, files and Spark tasks can be merged.
They hold hashes of matched values (to count distinct values) and masked samples, never a value in clear.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_TRACKED_DISTINCT = 10_000


@dataclass
class EntityTally:
    """Evidence for one entity type in one column.

    Attributes:
        matched_values: Values (cells, or lines of text) with at least one accepted match.
        occurrences: Accepted matches (a cell may hold several).
        candidates: Regex matches extracted from candidate values, before validation.
        validated: Candidates the detector's validator accepted (all of them when it has none).
        keyword_values: Matched values with one of the detector's keywords in the same cell or line.
        best_score: Highest base score among the patterns that produced accepted matches.
        patterns: Names of the patterns that produced accepted matches.
        value_hashes: 64-bit hashes of distinct matched values, at most MAX_TRACKED_DISTINCT of them.
        samples: Distinct masked samples, at most the configured number.
        fingerprints: Keyed fingerprints of matched values when the scan keeps them (classifiers/fingerprints.py):
            at least the smallest ones, pruned to their limit when written.
        presidio_values: Matched values Presidio analysed (free text only).
        presidio_score_sum: Sum over those values of Presidio's best score for the same entity (0 if none).

    """

    matched_values: int = 0
    occurrences: int = 0
    candidates: int = 0
    validated: int = 0
    keyword_values: int = 0
    best_score: float = 0.0
    patterns: set[str] = field(default_factory=set)
    value_hashes: set[int] = field(default_factory=set)
    samples: list[str] = field(default_factory=list)
    fingerprints: set[str] = field(default_factory=set)
    presidio_values: int = 0
    presidio_score_sum: float = 0.0

    @property
    def distinct_values(self) -> int:
        """Distinct matched values seen (a lower bound once MAX_TRACKED_DISTINCT is reached)."""
        return len(self.value_hashes)

    def merge(self, other: EntityTally, max_samples: int) -> None:
        """Add ``other``'s counts to this tally."""
        self.matched_values += other.matched_values
        self.occurrences += other.occurrences
        self.candidates += other.candidates
        self.validated += other.validated
        self.keyword_values += other.keyword_values
        self.best_score = max(self.best_score, other.best_score)
        self.patterns |= other.patterns
        self.presidio_values += other.presidio_values
        self.presidio_score_sum += other.presidio_score_sum
        for value_hash in other.value_hashes:
            if len(self.value_hashes) >= MAX_TRACKED_DISTINCT:
                break
            self.value_hashes.add(value_hash)
        for sample in other.samples:
            if len(self.samples) < max_samples and sample not in self.samples:
                self.samples.append(sample)
        self.fingerprints |= other.fingerprints


@dataclass
class ColumnTally:
    """Evidence for one column: how many non-empty values were seen, and what each entity matched.

    ``analysed_values`` counts the values handed to Presidio, which bounds that (slow) work per column;
    ``column_profiles`` holds the entity types the column's content itself supports (Detector.column_profile).
    """

    column: str | None
    values_seen: int = 0
    column_hints: set[str] = field(default_factory=set)
    entities: dict[str, EntityTally] = field(default_factory=dict)
    analysed_values: int = 0
    column_profiles: set[str] = field(default_factory=set)

    def entity(self, entity_type: str) -> EntityTally:
        """The tally for ``entity_type``, created empty on first use."""
        tally = self.entities.get(entity_type)
        if tally is None:
            tally = self.entities[entity_type] = EntityTally()
        return tally

    def merge(self, other: ColumnTally, max_samples: int) -> None:
        """Add ``other`` (the same column seen in another batch or file) to this tally."""
        self.values_seen += other.values_seen
        self.analysed_values += other.analysed_values
        self.column_profiles |= other.column_profiles
        self.column_hints |= other.column_hints
        for entity_type, tally in other.entities.items():
            self.entity(entity_type).merge(tally, max_samples)
