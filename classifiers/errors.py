"""The one error hierarchy of the project: every error we raise on purpose derives from ScanError."""

from __future__ import annotations


class ScanError(Exception):
    """Root of all errors raised deliberately by the scanner."""


class ConfigError(ScanError):
    """Raised when a configuration file or option is invalid; the message quotes the bad value."""


class UnknownDetectorError(ConfigError):
    """Raised when a configuration names a detector that is not registered."""

    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__(f"unknown detector {name!r}; registered detectors are: {', '.join(sorted(known))}")
        self.name = name


class SourceError(ScanError):
    """Raised when a source URI cannot be listed or an object cannot be read or decoded."""


class CommitError(ScanError):
    """Raised when the findings store cannot commit after all retries."""
