"""Deterministic benchmark data: mostly clean, realistic columns with a few percent of sensitive values."""

from __future__ import annotations

import random
import string

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

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


# --- vectorised generators (numpy and pyarrow, no per-value Python): bench/small_tables.py -------------------------

_UPPER_DIGITS = np.frombuffer((string.ascii_uppercase + string.digits).encode(), dtype=np.uint8)
_LOWER = np.frombuffer(string.ascii_lowercase.encode(), dtype=np.uint8)
_DIGITS = np.frombuffer(string.digits.encode(), dtype=np.uint8)
_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def fixed_width_strings(*parts: np.ndarray | bytes, rows: int) -> pa.Array:
    """Strings of one width built column-wise: each part is a constant (bytes) or a ``(rows, k)`` uint8 matrix."""
    blocks = [
        np.broadcast_to(np.frombuffer(part, dtype=np.uint8), (rows, len(part))) if isinstance(part, bytes) else part
        for part in parts
    ]
    matrix = np.ascontiguousarray(np.hstack(blocks), dtype=np.uint8)
    width = matrix.shape[1]
    offsets = np.arange(0, (rows + 1) * width, width, dtype=np.int32)
    return pa.StringArray.from_buffers(rows, pa.py_buffer(offsets), pa.py_buffer(matrix.tobytes()))


def random_chars(rng: np.random.Generator, alphabet: np.ndarray, rows: int, k: int) -> np.ndarray:
    """A ``(rows, k)`` matrix of characters drawn from ``alphabet``."""
    return alphabet[rng.integers(0, len(alphabet), size=(rows, k))]


def codes(rng: np.random.Generator, prefix: str, rows: int, k: int = 8) -> pa.Array:
    """Codes such as ``ORD-7K2Q9XA1``: a prefix and ``k`` upper-case letters and digits."""
    return fixed_width_strings(prefix.encode(), random_chars(rng, _UPPER_DIGITS, rows, k), rows=rows)


def hex_ids(rng: np.random.Generator, rows: int) -> pa.Array:
    """UUID-shaped lower-case hex identifiers."""
    groups = [random_chars(rng, _HEX, rows, k) for k in (8, 4, 4, 4, 12)]
    dash = b"-"
    return fixed_width_strings(groups[0], dash, groups[1], dash, groups[2], dash, groups[3], dash, groups[4], rows=rows)


def words(rng: np.random.Generator, rows: int, count: int = 1) -> pa.Array:
    """``count`` words from the status vocabulary, joined by spaces."""
    vocabulary = pa.array(_WORDS)
    picked = [pc.take(vocabulary, pa.array(rng.integers(0, len(_WORDS), rows))) for _ in range(count)]
    return picked[0] if count == 1 else pc.binary_join_element_wise(*picked, " ")


def user_handles(rng: np.random.Generator, rows: int) -> pa.Array:
    """Clean look-alikes of e-mail addresses: ``user abcdefg``."""
    return fixed_width_strings(b"user ", random_chars(rng, _LOWER, rows, 7), rows=rows)


def emails(rng: np.random.Generator, rows: int) -> pa.Array:
    """E-mail addresses at example.com."""
    return fixed_width_strings(random_chars(rng, _LOWER, rows, 7), b"@example.com", rows=rows)


def card_numbers(rng: np.random.Generator, rows: int) -> pa.Array:
    """16-digit Visa-style numbers that pass Luhn."""
    payload = np.hstack([np.full((rows, 1), 4), rng.integers(0, 10, size=(rows, 14))])
    doubled = payload[:, 0::2] * 2  # with the check digit appended, these are every second digit from the right
    luhn_sum = np.where(doubled > 9, doubled - 9, doubled).sum(axis=1) + payload[:, 1::2].sum(axis=1)
    check = (10 - luhn_sum % 10) % 10
    digits = np.hstack([payload, check[:, None]])
    return fixed_width_strings(_DIGITS[digits], rows=rows)


def ipv4_addresses(rng: np.random.Generator, rows: int) -> pa.Array:
    """Public-looking IPv4 addresses."""
    octets = [rng.integers(low, high, rows) for low, high in ((11, 224), (0, 256), (0, 256), (1, 255))]
    return pc.binary_join_element_wise(*[pc.cast(pa.array(o), pa.string()) for o in octets], ".")


def host_names(rng: np.random.Generator, rows: int) -> pa.Array:
    """Clean look-alikes of client addresses: ``host-1a2b3c``."""
    return fixed_width_strings(b"host-", random_chars(rng, _HEX, rows, 6), rows=rows)


def planted(rng: np.random.Generator, clean: pa.Array, sensitive: pa.Array, share: float) -> tuple[pa.Array, int]:
    """``clean`` with exactly ``round(share * rows)`` rows (chosen at random) taken from ``sensitive``."""
    rows = len(clean)
    count = round(share * rows)
    mask = np.zeros(rows, dtype=bool)
    mask[rng.choice(rows, size=count, replace=False)] = True
    return pc.if_else(pa.array(mask), sensitive, clean), count
