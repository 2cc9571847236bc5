"""Deterministic benchmark data: mostly clean, realistic columns with a few percent of sensitive values."""

from __future__ import annotations

import random
import string

import pyarrow as pa

from classifiers.validators import luhn

SENSITIVE_SHARE = 0.03
_WORDS = [
    "order",
    "shipped",
    "pending",
    "refund",
    "invoice",
    "account",
    "balance",
    "update",
    "review",
    "ticket",
    "closed",
    "open",
    "new",
]


def _luhn_complete(payload: str) -> str:
    """``payload`` with the one check digit that makes it pass Luhn."""
    return next(payload + d for d in "0123456789" if luhn(payload + d, {}))


def mixed_columns(rows: int, seed: int = 11) -> dict[str, pa.Array]:
    """Eight columns the way warehouse tables look: ids, codes, amounts, dates, words, and some PII."""
    rng = random.Random(seed)

    def maybe(clean: str, sensitive: str) -> str:
        return sensitive if rng.random() < SENSITIVE_SHARE else clean

    def alnum(n: int) -> str:
        return "".join(rng.choices(string.ascii_uppercase + string.digits, k=n))

    columns: dict[str, list[str]] = {
        name: [] for name in ("order_ref", "sku", "amount", "created_at", "status", "comment", "contact", "payment_ref")
    }
    for _ in range(rows):
        columns["order_ref"].append(f"ORD-{alnum(8)}")
        columns["sku"].append(f"{alnum(3)}-{rng.randint(100, 999)}")
        columns["amount"].append(f"{rng.uniform(1, 5000):.2f}")
        columns["created_at"].append(
            f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T10:{rng.randint(0, 59):02d}:00Z"
        )
        columns["status"].append(rng.choice(_WORDS))
        columns["comment"].append(" ".join(rng.choices(_WORDS, k=6)))
        user = "".join(rng.choices(string.ascii_lowercase, k=7))
        columns["contact"].append(maybe(f"user {user}", f"{user}@example.com"))
        columns["payment_ref"].append(
            maybe(f"PAY{alnum(10)}", _luhn_complete("4" + "".join(rng.choices(string.digits, k=14))))
        )
    return {name: pa.array(values, pa.string()) for name, values in columns.items()}


def log_lines(rows: int, seed: int = 13) -> pa.Array:
    """Application log lines; a few percent carry an e-mail, a client IP or a phone number."""
    rng = random.Random(seed)
    lines = []
    for index in range(rows):
        extra = ""
        roll = rng.random()
        if roll < SENSITIVE_SHARE:
            extra = f" user={''.join(rng.choices(string.ascii_lowercase, k=6))}@example.org"
        elif roll < 2 * SENSITIVE_SHARE:
            extra = (
                f" client ip {rng.randint(1, 223)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
            )
        lines.append(
            f"level=INFO seq={index} req={''.join(rng.choices(string.hexdigits, k=12))} "
            f"path=/api/{rng.choice(_WORDS)} took={rng.randint(1, 900)}ms{extra}"
        )
    return pa.array(lines, pa.string())
