"""The explicit detector registry: declared detectors register themselves by entity type; lookups fail fast."""

from __future__ import annotations

from classifiers.detector import Detector
from classifiers.errors import UnknownDetectorError

_REGISTRY: dict[str, Detector] = {}


def register(detector: Detector) -> Detector:
    """Add a detector to the registry; registering the same entity type twice is a programming error."""
    if detector.entity_type in _REGISTRY:
        raise ValueError(f"detector {detector.entity_type} is registered twice")
    _REGISTRY[detector.entity_type] = detector
    return detector


def get(entity_type: str) -> Detector:
    """Return the registered detector for ``entity_type``, or raise UnknownDetectorError naming the valid ones."""
    _load_builtin()
    try:
        return _REGISTRY[entity_type]
    except KeyError:
        raise UnknownDetectorError(entity_type, list(_REGISTRY)) from None


def all_detectors() -> list[Detector]:
    """Every registered detector, sorted by entity type."""
    _load_builtin()
    return [_REGISTRY[name] for name in sorted(_REGISTRY)]


def _load_builtin() -> None:
    # Importing the package runs the register() calls of every built-in detector module exactly once.
    import classifiers.detectors  # noqa: F401
