"""Built-in detectors, grouped by domain; importing this package registers every one of them."""

from __future__ import annotations

from classifiers.detectors import (
    contact,
    credentials,
    europe,
    financial,
    government,
    national_ids,
    network,
    personal,
)

__all__ = ["contact", "credentials", "europe", "financial", "government", "national_ids", "network", "personal"]
