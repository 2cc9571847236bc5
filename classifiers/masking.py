"""Maskers turn a detected value into a sample safe to store in findings: ``(value) -> masked``.

Every masker hides enough that the value is never shown in clear; in particular no masked sample contains
five or more consecutive digits of the original value.
"""

from __future__ import annotations

import re

from classifiers.detector import Masker


def _stars(value: str) -> str:
    return "*" * len(value)


def mask_keep_last(n: int) -> Masker:
    """Return a masker that replaces all but the last ``n`` characters by ``*`` (everything if too short).

    ``n`` is capped at 4 so that a masked sample can never carry five consecutive digits of the value.
    """
    if not 0 <= n <= 4:
        raise ValueError(f"mask_keep_last keeps 0 to 4 characters, not {n}")

    def mask(value: str) -> str:
        if len(value) <= n or n == 0:
            return _stars(value)
        return "*" * (len(value) - n) + value[-n:]

    return mask


def mask_email(value: str) -> str:
    """Keep the first character of the local part and the domain: ``jane.doe@example.com`` -> ``j***@example.com``."""
    local, at, domain = value.rpartition("@")
    if not at or not local:
        return _stars(value)
    # Domains may hold long digit runs (e.g. 1234567.example); those would leak digits, so hide them too.
    domain = re.sub(r"\d{5,}", lambda match: _stars(match.group()), domain)
    return f"{local[0]}***@{domain}"


def mask_card(value: str) -> str:
    """Keep the last four digits: ``4111 1111 1111 1111`` -> ``****-****-****-1111``."""
    digits = re.sub(r"\D", "", value)
    return "****-****-****-" + (digits[-4:] if len(digits) > 4 else "****")


def mask_ssn(value: str) -> str:
    """Keep the serial (last four digits): ``536-90-4399`` -> ``***-**-4399``."""
    digits = re.sub(r"\D", "", value)
    return "***-**-" + (digits[-4:] if len(digits) > 4 else "****")


def mask_phone(value: str) -> str:
    """Replace every digit but the last two, keeping separators: ``+1 (415) 555-0187`` -> ``+* (***) ***-**87``."""
    digit_positions = [index for index, char in enumerate(value) if char.isdigit()]
    keep = set(digit_positions[-2:]) if len(digit_positions) > 2 else set()
    return "".join("*" if char.isdigit() and index not in keep else char for index, char in enumerate(value))


def mask_iban(value: str) -> str:
    """Keep the country code and last four characters, dropping spaces.

    ``GB82WEST12345698765432`` -> ``GB****************5432``.
    """
    compact = value.replace(" ", "")
    if len(compact) <= 8:
        return _stars(compact)
    return compact[:2] + "*" * (len(compact) - 6) + compact[-4:]


def mask_ipv4(value: str) -> str:
    """Keep the last octet only: ``192.168.10.25`` -> ``*.*.*.25``."""
    octets = value.split(".")
    if len(octets) != 4 or len(octets[-1]) > 3:
        return _stars(value)
    return "*.*.*." + octets[-1]


def mask_ipv6(value: str) -> str:
    """Keep the last group only: ``2001:db8::8a2e:370:7334`` -> ``****:****:****:****:****:****:****:7334``."""
    _head, colon, last = value.rpartition(":")
    if not colon or len(last) > 4:
        return _stars(value)
    return "****:" * 7 + last


def mask_ip_address(value: str) -> str:
    """Mask an IPv6 (any ``:``) or IPv4 address with the matching masker."""
    return mask_ipv6(value) if ":" in value else mask_ipv4(value)


def mask_aws_access_key(value: str) -> str:
    """Keep the 4-letter key type prefix: ``AKIAIOSFODNN7EXAMPLE`` -> ``AKIA****************``."""
    return value[:4] + "*" * 16


def mask_nino(value: str) -> str:
    """Keep the suffix letter only: ``AB123456C`` -> ``********C``."""
    return "*" * 8 + value.strip()[-1:]


def mask_date(value: str) -> str:
    """Replace every digit and letter, keeping separators: ``1985-03-12`` -> ``****-**-**``."""
    return re.sub(r"[0-9A-Za-z]", "*", value)


mask_aba_routing: Masker = mask_keep_last(4)
"""Keep the last four digits of a routing number: ``021000021`` -> ``*****0021``."""
