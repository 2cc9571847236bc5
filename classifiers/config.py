"""Detection configuration: which detectors run and with what parameters, parsed once into frozen dataclasses.

YAML says *which* detectors run and how they are tuned; the code in ``classifiers.detectors`` says *how* they
detect. Unknown detector names and unknown keys fail fast with the valid alternatives listed.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from classifiers import registry
from classifiers.custom import AllowList, parse_allow_list, parse_custom_identifiers
from classifiers.detector import Detector, Sensitivity
from classifiers.errors import ConfigError
from classifiers.settings import reject_unknown, string_list
from classifiers.text_analysis import TextAnalysisSettings

_DETECTOR_KEYS = {"enabled", "sensitivity", "options", "extra_keywords", "extra_column_hints"}
_SCORING_KEYS = {
    "min_confidence",
    "auto_tag_confidence",
    "context_boost",
    "validator_boost",
    "full_evidence_ratio",
    "max_samples",
    "presidio_weight",
}


@dataclass(frozen=True)
class Scoring:
    """How evidence becomes a confidence in [0, 1] and which findings are kept (see docs/findings.md).

    Attributes:
        min_confidence: Findings below this confidence are not reported.
        auto_tag_confidence: Reported findings at or above it are tagged automatically; those below it
            go to review (decision ``review``).
        context_boost: Added when a column-name hint or a keyword in the same cell/line supports the entity.
        validator_boost: Added when a detector's validator accepted at least 90 % of the candidates it saw.
        full_evidence_ratio: Column match ratio at which the ratio stops adding evidence.
        max_samples: Masked samples kept per finding.
        presidio_weight: How far Presidio's score moves a confidence: ``presidio_weight * (score - 0.5)``
            is added where Presidio analysed the matched values (free text only).

    """

    min_confidence: float = 0.5
    auto_tag_confidence: float = 0.8
    context_boost: float = 0.3
    validator_boost: float = 0.2
    full_evidence_ratio: float = 0.5
    max_samples: int = 3
    presidio_weight: float = 0.2

    def __post_init__(self) -> None:
        for name in ("min_confidence", "auto_tag_confidence", "context_boost", "validator_boost", "presidio_weight"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ConfigError(f"scoring.{name} must be between 0 and 1, got {value!r}")
        if self.auto_tag_confidence < self.min_confidence:
            raise ConfigError(
                f"scoring.auto_tag_confidence ({self.auto_tag_confidence}) must not be below "
                f"scoring.min_confidence ({self.min_confidence})"
            )
        if not 0.0 < self.full_evidence_ratio <= 1.0:
            raise ConfigError(f"scoring.full_evidence_ratio must be in (0, 1], got {self.full_evidence_ratio!r}")
        if not 0 <= self.max_samples <= 10:
            raise ConfigError(f"scoring.max_samples must be between 0 and 10, got {self.max_samples!r}")


@dataclass(frozen=True)
class DetectionConfig:
    """The enabled detectors, already tuned by configuration, and the scoring rules."""

    detectors: tuple[Detector, ...]
    scoring: Scoring = Scoring()
    allow_list: AllowList = field(default_factory=AllowList)
    text: TextAnalysisSettings = field(default_factory=TextAnalysisSettings)

    @classmethod
    def default(cls) -> DetectionConfig:
        """Every registered detector with its declared defaults."""
        return cls(detectors=tuple(registry.all_detectors()))

    def detector(self, entity_type: str) -> Detector:
        """Return the enabled detector for ``entity_type``; raises ConfigError if it is not enabled."""
        for detector in self.detectors:
            if detector.entity_type == entity_type:
                return detector
        raise ConfigError(f"detector {entity_type!r} is not enabled")


def parse_detection(
    raw: Mapping[str, Any] | None,
    scoring: Mapping[str, Any] | None = None,
    custom_identifiers: Any = None,
    allow_list: Any = None,
    presidio: Any = None,
) -> DetectionConfig:
    """Build a DetectionConfig from the detection sections of the YAML configuration.

    The sections are ``detectors``, ``scoring``, ``custom_identifiers``, ``allow_list`` and ``presidio``.

    ``raw`` maps entity types to settings (``enabled``, ``sensitivity``, ``options``, ``extra_keywords``,
    ``extra_column_hints``). Registered detectors not named keep their defaults and stay enabled. Custom
    identifiers are added after them (see classifiers.custom).
    """
    raw = raw or {}
    if not isinstance(raw, Mapping):
        raise ConfigError(f"'detectors' must be a mapping of entity type to settings, got {type(raw).__name__}")
    for name in raw:
        registry.get(str(name))  # fails fast, naming the registered detectors
    detectors = []
    for detector in registry.all_detectors():
        settings = raw.get(detector.entity_type) or {}
        if not isinstance(settings, Mapping):
            raise ConfigError(f"detectors.{detector.entity_type} must be a mapping, got {settings!r}")
        reject_unknown(f"detectors.{detector.entity_type}", settings, _DETECTOR_KEYS)
        enabled = settings.get("enabled", True)
        if not isinstance(enabled, bool):
            raise ConfigError(f"detectors.{detector.entity_type}.enabled must be true or false, got {enabled!r}")
        if not enabled:
            continue
        detectors.append(_tune(detector, settings))
    detectors.extend(parse_custom_identifiers(custom_identifiers, [d.entity_type for d in registry.all_detectors()]))
    if not detectors:
        raise ConfigError("no detector is enabled; enable at least one under 'detectors'")
    scoring = scoring or {}
    reject_unknown("scoring", scoring, _SCORING_KEYS)
    try:
        parsed_scoring = Scoring(**scoring)
    except TypeError as exc:
        raise ConfigError(f"invalid scoring section: {exc}") from exc
    return DetectionConfig(
        detectors=tuple(detectors),
        scoring=parsed_scoring,
        allow_list=parse_allow_list(allow_list),
        text=TextAnalysisSettings.parse(presidio),
    )


def _tune(detector: Detector, settings: Mapping[str, Any]) -> Detector:
    where = f"detectors.{detector.entity_type}"
    changes: dict[str, Any] = {}
    if "sensitivity" in settings:
        try:
            changes["sensitivity"] = Sensitivity(settings["sensitivity"])
        except ValueError:
            valid = ", ".join(s.value for s in Sensitivity)
            raise ConfigError(f"{where}.sensitivity: {settings['sensitivity']!r} is not one of {valid}") from None
    if "options" in settings:
        options = settings["options"] or {}
        if not isinstance(options, Mapping):
            raise ConfigError(f"{where}.options must be a mapping of option to value, got {options!r}")
        reject_unknown(f"{where}.options", options, set(detector.options))
        changes["options"] = {**detector.options, **options}
    if "extra_keywords" in settings:
        changes["keywords"] = detector.keywords + tuple(
            string_list(f"{where}.extra_keywords", settings["extra_keywords"])
        )
    if "extra_column_hints" in settings:
        hints = tuple(string_list(f"{where}.extra_column_hints", settings["extra_column_hints"]))
        for hint in hints:
            try:
                re.compile(hint)
            except re.error as exc:
                raise ConfigError(f"{where}.extra_column_hints: {hint!r} is not a valid regex: {exc}") from exc
        changes["column_hints"] = detector.column_hints + hints
    return dataclasses.replace(detector, **changes) if changes else detector
