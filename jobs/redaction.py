"""Error reasons that are safe to record: library messages can quote the data they choked on.

pyarrow's CSV errors, for example, quote the offending row, which may hold a card number. Reasons keep the
exception type and the first line of its message, cut before any quoted row, with every run of digits
longer than three and anything that looks like an e-mail address or key replaced.
"""

from __future__ import annotations

import re

MAX_REASON_CHARS = 300
_QUOTED_ROW = re.compile(r"(?i)(\bcolumns?, got \d+:|\bin row \d+:|\brow:|\bline:|\bvalue:).*$")
_SECRETS = re.compile(
    r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"  # e-mail addresses
    r"|\b[A-Z0-9]{16,}\b"  # key-like tokens
    r"|\d[\d .()/-]{2,}\d"  # digit runs with separators (cards, phones, IBAN tails)
    r"|\b[A-Za-z]{2}\d{2}[A-Za-z0-9]{8,}\b"  # IBAN-like
)


def redact(text: str) -> str:
    """Replace anything in ``text`` that could be a detected value by ``<redacted>``."""
    return _SECRETS.sub(_keep_short_numbers, text)


def safe_reason(exc: BaseException) -> str:
    """A one-line reason for ``exc`` that never quotes data: type, first message line, values redacted."""
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    message = _QUOTED_ROW.sub(r"\1 <row omitted>", message)
    reason = f"{type(exc).__name__}: {redact(message)}" if message else type(exc).__name__
    return reason[:MAX_REASON_CHARS]


def _keep_short_numbers(match: re.Match[str]) -> str:
    token = match.group(0)
    digits = sum(char.isdigit() for char in token)
    # Row numbers, column counts and HTTP codes are useful and harmless; only longer numbers are hidden.
    if "@" not in token and digits <= 3 and not token.isalnum():
        return token
    if token.isdigit() and len(token) <= 3:
        return token
    return "<redacted>"
