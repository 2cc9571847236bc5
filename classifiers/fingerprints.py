"""Keyed fingerprints of matched values: the same value gives the same fingerprint in every asset and run.

A fingerprint is HMAC-SHA256 over the value's canonical form, with a key the user keeps outside the findings
(an environment variable or AWS Secrets Manager; see jobs/fingerprint_key.py). Without the key a fingerprint
cannot be checked against guessed values, so the findings can say "this card number is also in those three
tables" without holding the number.

Canonical form, so that spellings of one value agree: surrounding whitespace is dropped, the value is
NFKC-normalised and case-folded; a value made only of digits, spaces and the separators ``-./()+`` is reduced
to its digits (``4111 1111-1111 1111`` and ``4111111111111111`` are one card). Computing a fingerprint by hand::

    printf '%s' "$CANONICAL_VALUE" | openssl dgst -sha256 -hmac "$KEY"

Each finding keeps the ``limit`` smallest fingerprints of its values (a bottom-k sample): every Spark task
keeps its own smallest ones, so merged results are exactly the smallest of the whole column whatever the
partitioning, and two columns holding the same values keep the same fingerprints.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

DEFAULT_LIMIT = 1_000  # fingerprints kept per finding: enough to correlate, bounded for the findings table
MIN_KEY_BYTES = 16  # a shorter key could be guessed; HMAC-SHA256 keys should be at least as long as this

_NUMBERISH = re.compile(r"[0-9\s\-./()+]+")
_NOT_DIGIT = re.compile(r"[^0-9]")


def canonical(value: str) -> str:
    """The form of ``value`` that is fingerprinted (see the module docstring)."""
    text = unicodedata.normalize("NFKC", value).strip()
    if _NUMBERISH.fullmatch(text) and any(c.isdigit() for c in text):
        return _NOT_DIGIT.sub("", text)
    return text.casefold()


@dataclass(frozen=True)
class Fingerprinter:
    """Computes keyed fingerprints; its repr names the key by a short digest, never the key itself."""

    key: bytes = field(repr=False)
    limit: int = DEFAULT_LIMIT

    def __post_init__(self) -> None:
        if len(self.key) < MIN_KEY_BYTES:
            raise ValueError(f"a fingerprint key needs at least {MIN_KEY_BYTES} bytes, got {len(self.key)}")
        if self.limit < 1:
            raise ValueError(f"fingerprints.limit must be at least 1, got {self.limit}")

    @property
    def key_id(self) -> str:
        """A short public name of the key (the start of its SHA-256), to tell which key made a fingerprint."""
        return hashlib.sha256(self.key).hexdigest()[:12]

    def __repr__(self) -> str:
        return f"Fingerprinter(key_id={self.key_id!r}, limit={self.limit})"

    def __call__(self, value: str) -> str:
        """The fingerprint of ``value``: lowercase hex HMAC-SHA256 of its canonical form."""
        return hmac.new(self.key, canonical(value).encode("utf-8"), hashlib.sha256).hexdigest()

    def add(self, kept: set[str], value: str) -> None:
        """Add ``value``'s fingerprint to ``kept``, which stays at most twice ``limit`` between prunings."""
        kept.add(self(value))
        if len(kept) >= 2 * self.limit:
            smallest(kept, self.limit)


def smallest(kept: set[str], limit: int) -> set[str]:
    """Keep (in place) only the ``limit`` smallest fingerprints of ``kept``; returns it."""
    if len(kept) > limit:
        keep = set(sorted(kept)[:limit])
        kept.intersection_update(keep)
    return kept


def bottom(fingerprints: Iterable[str], limit: int) -> list[str]:
    """The ``limit`` smallest distinct fingerprints, sorted."""
    return sorted(set(fingerprints))[:limit]
