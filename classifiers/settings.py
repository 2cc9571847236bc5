"""Small checks shared by the configuration parsers; every message names where in the YAML the problem is."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from classifiers.errors import ConfigError


def reject_unknown(where: str, settings: Mapping[str, Any], known: set[str]) -> None:
    """Raise ConfigError naming the unknown keys of ``settings`` and the valid ones."""
    unknown = sorted(set(map(str, settings)) - known)
    if unknown:
        valid = ", ".join(sorted(known)) or "(none)"
        raise ConfigError(f"{where}: unknown key(s) {', '.join(map(repr, unknown))}; valid keys are: {valid}")


def string_list(where: str, value: Any) -> list[str]:
    """``value`` if it is a list of non-empty strings, else ConfigError."""
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        raise ConfigError(f"{where} must be a list of non-empty strings, got {value!r}")
    return value
