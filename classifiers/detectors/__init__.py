"""Built-in detectors, grouped by domain; importing this package registers every one of them."""

from __future__ import annotations

from classifiers.detectors import (
    contact,
    credentials,
    financial,
    government,
    network,
    personal,
)

__all__ = ["contact", "credentials", "financial", "government", "network", "personal"]
