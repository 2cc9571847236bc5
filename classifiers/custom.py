"""Custom identifiers and allow lists, declared in YAML without code (Amazon Macie's model).

A custom identifier is a regular expression with optional keywords (which must then appear within
``maximum_match_distance`` characters before a match, unless the column name matches one of its
``column_hints``), ``ignore_words`` (matches containing one are dropped), ``minimum_occurrences`` per asset
and a ``severity``. An allow list names exact values and regular expressions that are never reported.
Every mistake fails at start-up with the entry and what is wrong.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from classifiers.detector import Detector, Options, Pattern, Sensitivity
from classifiers.errors import ConfigError
from classifiers.masking import mask_keep_last
from classifiers.settings import reject_unknown, string_list

_IDENTIFIER_KEYS = {
    "name",
    "regex",
    "keywords",
    "maximum_match_distance",
    "ignore_words",
    "minimum_occurrences",
    "severity",
    "column_hints",
    "score",
}
_ALLOW_KEYS = {"values", "regexes"}
DEFAULT_MATCH_DISTANCE = 50
DEFAULT_SCORE = 0.6


@dataclass(frozen=True)
class AllowList:
    """Values that are never reported: exact strings, and regular expressions that match the whole value."""

    values: frozenset[str] = frozenset()
    patterns: tuple[re.Pattern[str], ...] = ()

    def allows(self, token: str) -> bool:
        """True when ``token`` is on the allow list."""
        return token in self.values or (bool(self.patterns) and any(p.fullmatch(token) for p in self.patterns))


def parse_allow_list(raw: Any) -> AllowList:
    """Parse the ``allow_list`` section: ``{values: [...], regexes: [...]}``."""
    if raw is None:
        return AllowList()
    where = "allow_list"
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{where} must be a mapping with 'values' and/or 'regexes', got {raw!r}")
    reject_unknown(where, raw, _ALLOW_KEYS)
    values = string_list(f"{where}.values", raw.get("values", []))
    patterns = tuple(
        _compile(f"{where}.regexes[{i}]", r)
        for i, r in enumerate(string_list(f"{where}.regexes", raw.get("regexes", [])))
    )
    return AllowList(frozenset(values), patterns)


def parse_custom_identifiers(raw: Any, taken: Sequence[str]) -> tuple[Detector, ...]:
    """Parse the ``custom_identifiers`` section (a list) into detectors; names must not clash with ``taken``."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise ConfigError(f"custom_identifiers must be a list of identifiers, got {type(raw).__name__}")
    detectors: list[Detector] = []
    names = set(taken)
    for index, entry in enumerate(raw):
        detector = _identifier(index, entry)
        if detector.entity_type in names:
            raise ConfigError(
                f"custom_identifiers[{index}] ({detector.entity_type}): the name is already used by another detector"
            )
        names.add(detector.entity_type)
        detectors.append(detector)
    return tuple(detectors)


def _identifier(index: int, entry: Any) -> Detector:
    where = f"custom_identifiers[{index}]"
    if not isinstance(entry, Mapping):
        raise ConfigError(f"{where} must be a mapping, got {entry!r}")
    name = entry.get("name")
    if not isinstance(name, str) or not re.fullmatch(r"[A-Z][A-Z0-9_]*", name):
        raise ConfigError(f"{where}: 'name' must be an UPPER_SNAKE_CASE entity type, got {name!r}")
    where = f"{where} ({name})"
    reject_unknown(where, entry, _IDENTIFIER_KEYS)
    regex = entry.get("regex")
    if not isinstance(regex, str) or not regex:
        raise ConfigError(f"{where}: 'regex' is required and must be a non-empty string")
    _compile(f"{where}.regex", regex)
    keywords = tuple(string_list(f"{where}.keywords", entry.get("keywords", [])))
    hints = tuple(string_list(f"{where}.column_hints", entry.get("column_hints", [])))
    for i, hint in enumerate(hints):
        _compile(f"{where}.column_hints[{i}]", hint, check_re2=False)
    ignore = tuple(string_list(f"{where}.ignore_words", entry.get("ignore_words", [])))
    distance = _positive_int(
        where, "maximum_match_distance", entry.get("maximum_match_distance", DEFAULT_MATCH_DISTANCE)
    )
    occurrences = _positive_int(where, "minimum_occurrences", entry.get("minimum_occurrences", 1))
    score = entry.get("score", DEFAULT_SCORE)
    if not isinstance(score, (int, float)) or isinstance(score, bool) or not 0 < score <= 1:
        raise ConfigError(f"{where}: 'score' must be a number in (0, 1], got {score!r}")
    severity = entry.get("severity", "medium")
    try:
        sensitivity = Sensitivity(severity)
    except ValueError:
        valid = ", ".join(s.value for s in Sensitivity)
        raise ConfigError(f"{where}: 'severity' {severity!r} is not one of {valid}") from None
    return Detector(
        entity_type=name,
        patterns=(Pattern("custom", regex, float(score)),),
        mask=mask_keep_last(2),
        keywords=keywords,
        column_hints=hints,
        validate=_without_ignore_words(ignore) if ignore else None,
        requires_context=bool(keywords),
        sensitivity=sensitivity,
        keyword_distance=distance if keywords else None,
        min_occurrences=occurrences,
    )


def _without_ignore_words(words: tuple[str, ...]) -> Any:
    lowered = tuple(word.lower() for word in words)

    def ignore_words(token: str, options: Options) -> bool:
        """False when the match contains one of the identifier's ignore words (case-insensitive)."""
        text = token.lower()
        return not any(word in text for word in lowered)

    return ignore_words


def _compile(where: str, regex: str, check_re2: bool = True) -> re.Pattern[str]:
    try:
        compiled = re.compile(regex)
    except re.error as exc:
        raise ConfigError(f"{where}: {regex!r} is not a valid regular expression: {exc}") from exc
    if check_re2:
        try:
            pc.match_substring_regex(pa.array([""]), regex)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            raise ConfigError(
                f"{where}: {regex!r} uses syntax RE2 does not support (look-around or back-references?): {exc}"
            ) from exc
    return compiled


def _positive_int(where: str, key: str, value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ConfigError(f"{where}: {key!r} must be a positive integer, got {value!r}")
    return value
