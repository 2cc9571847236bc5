"""Placeholder: detectors are being added here."""

from __future__ import annotations
