r"""How a detector is declared: data (entity, named patterns with scores, keywords, column hints) plus hooks.

Patterns are written in the subset of regular-expression syntax that both RE2 (pyarrow.compute, used for
the vectorized pass over whole columns) and Python's ``re`` (used on candidate values only, to extract every
match for validation) understand: no look-around, no back-references, ``\\b`` as an ASCII word boundary.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

Options = Mapping[str, Any]
Validator = Callable[[str, Options], bool]
Masker = Callable[[str], str]


class Sensitivity(StrEnum):
    """How harmful exposure of an entity is; drives tags and report scores."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


FRAMEWORKS = frozenset({"PCI_DSS", "HIPAA", "GDPR", "CCPA", "GLBA"})


@dataclass(frozen=True)
class Pattern:
    """A named regular expression with the base score a validated match of it earns."""

    name: str
    regex: str
    score: float

    def __post_init__(self) -> None:
        if not 0.0 < self.score <= 1.0:
            raise ValueError(f"pattern {self.name!r}: score {self.score} is not in (0, 1]")
        if "(?<" in self.regex or "(?=" in self.regex or "(?!" in self.regex:
            raise ValueError(f"pattern {self.name!r}: look-around is not supported by RE2")
        re.compile(self.regex)


@dataclass(frozen=True)
class Example:
    """A value with the column name it appears under (None for free text) and whether it must be found."""

    text: str
    column: str | None = None


@dataclass(frozen=True)
class Detector:
    """A declared detector.

    Attributes:
        entity_type: Presidio-style entity name, e.g. ``CREDIT_CARD``.
        patterns: Named patterns; a value is a candidate when any of them matches.
        keywords: Context words (case-insensitive) that raise confidence when seen in the same line or cell.
        column_hints: Regexes over the normalised column name (snake_case, lower case).
        column_exclusions: Regexes over the normalised column name of columns the detector never runs on
            (``build_version`` holds ``1.2.3.4``, which is a valid IPv4 address but not an IP).
        exclusion_keywords: Words that, just before a match (at most EXCLUSION_WINDOW characters, ignoring
            ``=:#`` and spaces), say the value is something else: ``version 10.0.0.1`` is no IP address.
        validate: Checksum or structural check run on each extracted match; False discards the match.
        mask: Turns a match into a masked sample that never reveals the value.
        requires_context: When True a match counts only with a keyword in the line/cell or a column hint.
        sensitivity: Default sensitivity; configuration may override it.
        frameworks: Compliance frameworks the entity is in scope of (names from FRAMEWORKS).
        jurisdiction: ISO 3166 alpha-2 country the identifier belongs to, ``EU`` for EU-wide ones, or
            ``GLOBAL`` for identifiers without a country (e-mail, card numbers, keys).
        keyword_distance: When set, a keyword counts as context only if it ends at most this many characters
            before the match (Macie's "maximum match distance"); when None, anywhere in the cell or line.
        min_occurrences: Findings with fewer accepted matches in an asset are not reported.
        dictionary: For dictionary detectors (PERSON): returns the word lists the engine matches whole
            values against instead of patterns (see classifiers.names).
        column_profile: In a structured column whose sampled values nearly all match a pattern in full and pass
            the validator, that content counts as context, like a column-name hint. Only for checksums that
            random data rarely passes (a 9-digit column passing the BSN 11-test throughout is BSNs).
        ner_entity: For NER detectors: the Presidio NER entity (PERSON, LOCATION) whose spans in free text
            count as matches of this detector when a spaCy model is installed (classifiers.text_analysis).
        ner_score: The base score of such an NER match.
        options: Default options handed to ``validate``; configuration may override known keys only.
        positives: Examples that must be detected.
        negatives: Look-alikes that must not be detected.

    """

    entity_type: str
    patterns: tuple[Pattern, ...]
    mask: Masker
    keywords: tuple[str, ...] = ()
    column_hints: tuple[str, ...] = ()
    column_exclusions: tuple[str, ...] = ()
    exclusion_keywords: tuple[str, ...] = ()
    validate: Validator | None = None
    requires_context: bool = False
    sensitivity: Sensitivity = Sensitivity.MEDIUM
    frameworks: tuple[str, ...] = ()
    jurisdiction: str = "GLOBAL"
    keyword_distance: int | None = None
    min_occurrences: int = 1
    dictionary: Callable[[], Any] | None = None
    column_profile: bool = False
    ner_entity: str | None = None
    ner_score: float = 0.85
    options: Options = field(default_factory=dict)
    positives: tuple[Example, ...] = ()
    negatives: tuple[Example, ...] = ()

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[A-Z][A-Z0-9_]*", self.entity_type):
            raise ValueError(f"entity type {self.entity_type!r} must be UPPER_SNAKE_CASE")
        if not self.patterns and self.dictionary is None and self.ner_entity is None:
            raise ValueError(f"detector {self.entity_type} declares no pattern, dictionary or NER entity")
        for hint in (*self.column_hints, *self.column_exclusions):
            re.compile(hint)
        if self.column_profile and (self.validate is None or not self.patterns):
            raise ValueError(f"detector {self.entity_type}: column_profile needs patterns and a validator")
        unknown = set(self.frameworks) - FRAMEWORKS
        if unknown:
            raise ValueError(f"detector {self.entity_type}: unknown frameworks {sorted(unknown)}")
        if not re.fullmatch(r"[A-Z]{2}|EU|GLOBAL", self.jurisdiction):
            raise ValueError(f"detector {self.entity_type}: jurisdiction {self.jurisdiction!r} is not a country code")
