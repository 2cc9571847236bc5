"""Searching written output for planted values, in clear and in the encodings a leak would most likely take."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from urllib.parse import quote, quote_plus

MIN_FRAGMENT = 8  # shorter encoded fragments would match by chance in binary files


def encoded_forms(value: str) -> dict[str, bytes]:
    """``value`` in clear (UTF-8 and UTF-16), URL-, JSON- and hex-encoded; base64 in each of its 3 alignments.

    A base64 leak of a value embedded in a longer string depends on where the value starts modulo 3, so each
    alignment's characters that depend on the value alone are searched.
    """
    raw = value.encode("utf-8")
    forms = {
        "clear": raw,
        "utf-16-le": value.encode("utf-16-le"),
        "url": quote(value, safe="").encode(),
        "url-plus": quote_plus(value).encode(),
        "json": json.dumps(value)[1:-1].encode(),
        "json-ascii": json.dumps(value, ensure_ascii=True)[1:-1].encode(),
        "hex": binascii.hexlify(raw),
        "HEX": binascii.hexlify(raw).upper(),
    }
    for shift in range(3):
        full = base64.b64encode(b"\0" * shift + raw)
        start = 4 if shift else 0  # the first group mixes in the bytes before the value
        end = len(full) if (shift + len(raw)) % 3 == 0 else len(full) - 4  # the last group mixes in what follows
        fragment = full[start:end]
        if len(fragment) >= MIN_FRAGMENT:
            forms[f"base64+{shift}"] = fragment
    return forms


def find_leaks(values: Iterable[str], blobs: Mapping[str, bytes]) -> list[tuple[str, str, str]]:
    """Every (value, encoding, blob name) where an encoded form of a value occurs in a blob."""
    leaks: list[tuple[str, str, str]] = []
    for value in sorted(set(values)):
        for encoding, form in encoded_forms(value).items():
            leaks.extend((value, encoding, name) for name, blob in blobs.items() if form in blob)
    return leaks


def files_under(root: Path, exclude: Iterable[Path] = ()) -> dict[str, bytes]:
    """The bytes of every file under ``root`` (relative name -> content), leaving out the ``exclude`` folders."""
    skipped = [p.resolve() for p in exclude]
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and not any(path.resolve().is_relative_to(folder) for folder in skipped)
    }
