"""Checksum and structural validators run on every regex match; each is ``(token, options) -> bool``.

Validators are pure and never raise on malformed input: anything they cannot parse is simply invalid.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
from collections.abc import Mapping
from typing import Any

import phonenumbers

# Issuer identification ranges: (lowest prefix, highest prefix, allowed lengths); both prefixes have the
# same number of digits and are compared with the card's leading digits.
_CARD_RANGES: tuple[tuple[str, str, frozenset[int]], ...] = (
    ("4", "4", frozenset({13, 16, 19})),  # Visa
    ("51", "55", frozenset({16})),  # Mastercard
    ("2221", "2720", frozenset({16})),  # Mastercard 2-series
    ("34", "34", frozenset({15})),  # American Express
    ("37", "37", frozenset({15})),  # American Express
    ("6011", "6011", frozenset(range(16, 20))),  # Discover
    ("644", "649", frozenset(range(16, 20))),  # Discover
    ("65", "65", frozenset(range(16, 20))),  # Discover
    ("3528", "3589", frozenset(range(16, 20))),  # JCB
    ("300", "305", frozenset(range(14, 20))),  # Diners Club
    ("36", "36", frozenset(range(14, 20))),  # Diners Club
    ("38", "38", frozenset(range(14, 20))),  # Diners Club
    ("62", "62", frozenset(range(16, 20))),  # UnionPay
)

# ISO 13616 IBAN lengths per country, from the SWIFT IBAN registry (all SEPA countries included).
IBAN_LENGTHS: dict[str, int] = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BI": 27,
    "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27, "DK": 18, "DO": 28,
    "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
    "GL": 18, "GR": 27, "GT": 28, "HN": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26,
    "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21,
    "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28,
    "NL": 18, "NO": 15, "OM": 23, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22,
    "RU": 33, "SA": 24, "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25,
    "SV": 28, "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}  # fmt: skip

AWS_KEY_PREFIXES: tuple[str, ...] = (
    "AKIA", "ASIA", "ABIA", "ACCA", "AGPA", "AIDA", "AIPA", "ANPA", "ANVA", "AROA", "APKA", "ASCA",
)  # fmt: skip

_MONTH_NAMES = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip
_MONTHS: dict[str, int] = {name: number for number, full in enumerate(_MONTH_NAMES, 1) for name in (full, full[:3])}
_MONTHS["sept"] = 9

_SSN_RE = re.compile(r"(\d{3})([- ]?)(\d{2})\2(\d{4})")
_SSN_KNOWN_INVALID = frozenset({"078051120", "219099999", "123456789"})
_AWS_KEY_RE = re.compile("(?:" + "|".join(AWS_KEY_PREFIXES) + ")[A-Z2-7]{16}")
_NINO_RE = re.compile(r"([A-Z])([A-Z]) ?(\d{2}) ?(\d{2}) ?(\d{2}) ?([A-D])")
_NINO_BAD_PREFIXES = frozenset({"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"})
_DATE_YMD_RE = re.compile(r"(\d{4})([-/])(\d{1,2})\2(\d{1,2})")
_DATE_XXY_RE = re.compile(r"(\d{1,2})([/.])(\d{1,2})\2(\d{4})")
_DATE_DAY_MONTH_RE = re.compile(r"(\d{1,2}) ([A-Za-z]+),? (\d{4})")
_DATE_MONTH_DAY_RE = re.compile(r"([A-Za-z]+) (\d{1,2}),? (\d{4})")
_EMAIL_LOCAL_RE = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_DOMAIN_LABEL_RE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
_TLD_RE = re.compile(r"[A-Za-z]{2,63}")
_DEFAULT_PHONE_REGIONS = ("US", "GB", "DE", "FR")


def luhn(token: str, options: Mapping[str, Any]) -> bool:
    """True when the digits of ``token`` (spaces and dashes ignored) pass the Luhn mod-10 checksum."""
    digits = re.sub(r"[ -]", "", token)
    if len(digits) < 2 or not digits.isascii() or not digits.isdigit():
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def credit_card(token: str, options: Mapping[str, Any]) -> bool:
    """True for a Luhn-valid card number whose prefix and length match a known issuer (Visa, Mastercard, ...)."""
    digits = re.sub(r"[ -]", "", token)
    if not digits.isascii() or not digits.isdigit() or len(set(digits)) == 1 or not luhn(digits, options):
        return False
    return any(len(digits) in lengths and low <= digits[: len(low)] <= high for low, high, lengths in _CARD_RANGES)


def us_ssn(token: str, options: Mapping[str, Any]) -> bool:
    """True for a US Social Security Number that could have been issued (``AAA-GG-SSSS``, dashes optional)."""
    match = _SSN_RE.fullmatch(token)
    if match is None:
        return False
    area, _, group, serial = match.groups()
    if area in ("000", "666") or area >= "900" or group == "00" or serial == "0000":
        return False
    return area + group + serial not in _SSN_KNOWN_INVALID


def iban(token: str, options: Mapping[str, Any]) -> bool:
    """True for an IBAN with the registered length of its country and ISO 7064 mod-97 remainder 1.

    Spaces are accepted only as the printed format uses them: between groups of four characters.
    """
    groups = token.split(" ")
    if len(groups) > 1 and (any(len(group) != 4 for group in groups[:-1]) or not 1 <= len(groups[-1]) <= 4):
        return False
    compact = "".join(groups)
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]+", compact) or IBAN_LENGTHS.get(compact[:2]) != len(compact):
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(char, 36)) for char in rearranged)) % 97 == 1


def ipv4(token: str, options: Mapping[str, Any]) -> bool:
    """True for a dotted-quad IPv4 address other than 0.0.0.0 and 255.255.255.255, without leading zeros.

    The octet rules of ``ipaddress.IPv4Address`` (ASCII digits, at most three, at most 255), checked in place:
    building the address object cost most of the time of a log line with an address in it.
    """
    octets = token.split(".")
    if len(octets) != 4:
        return False
    for octet in octets:
        if not (octet.isascii() and octet.isdigit()) or len(octet) > 3 or (len(octet) > 1 and octet[0] == "0"):
            return False
        if int(octet) > 255:
            return False
    return token not in ("0.0.0.0", "255.255.255.255")


def ipv6(token: str, options: Mapping[str, Any]) -> bool:
    """True for a textual IPv6 address other than the unspecified address ``::``."""
    if ":" not in token:
        return False
    try:
        address = ipaddress.IPv6Address(token)
    except ValueError:
        return False
    return not address.is_unspecified


def ip_address(token: str, options: Mapping[str, Any]) -> bool:
    """True when ``token`` is a valid IPv4 or IPv6 address (loopback and private ranges included)."""
    return ipv6(token, options) if ":" in token else ipv4(token, options)


def aws_access_key(token: str, options: Mapping[str, Any]) -> bool:
    """True for an AWS access key id: a known 4-letter prefix plus 16 base32 characters, not all the same."""
    return _AWS_KEY_RE.fullmatch(token) is not None and len(set(token[4:])) > 1


def aba_routing(token: str, options: Mapping[str, Any]) -> bool:
    """True for a 9-digit ABA routing transit number with a valid Federal Reserve prefix and 3-7-1 checksum."""
    if len(token) != 9 or not token.isascii() or not token.isdigit() or len(set(token)) == 1:
        return False
    prefix = int(token[:2])
    if not (prefix <= 12 or 21 <= prefix <= 32 or 61 <= prefix <= 72 or prefix == 80):
        return False
    d = [int(char) for char in token]
    return (3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + d[2] + d[5] + d[8]) % 10 == 0


def uk_nino(token: str, options: Mapping[str, Any]) -> bool:
    """True for a UK National Insurance number whose prefix letters HMRC allocates (``AB123456C``)."""
    match = _NINO_RE.fullmatch(token)
    if match is None:
        return False
    first, second = match.group(1), match.group(2)
    return first not in "DFIQUV" and second not in "DFIOQUV" and first + second not in _NINO_BAD_PREFIXES


def date_of_birth(token: str, options: Mapping[str, Any]) -> bool:
    """True for a real calendar date from 1900 up to today, in a common numeric or English textual format.

    ``DD/MM/YYYY`` and ``MM/DD/YYYY`` are ambiguous; either reading being a valid date is enough.
    """
    candidates: list[tuple[int, int, int]] = []
    if match := _DATE_YMD_RE.fullmatch(token):
        candidates.append((int(match.group(1)), int(match.group(3)), int(match.group(4))))
    elif match := _DATE_XXY_RE.fullmatch(token):
        first, second, year = int(match.group(1)), int(match.group(3)), int(match.group(4))
        candidates.append((year, second, first))
        if match.group(2) == "/":
            candidates.append((year, first, second))
    elif match := _DATE_DAY_MONTH_RE.fullmatch(token):
        month = _MONTHS.get(match.group(2).lower(), 0)
        candidates.append((int(match.group(3)), month, int(match.group(1))))
    elif match := _DATE_MONTH_DAY_RE.fullmatch(token):
        month = _MONTHS.get(match.group(1).lower(), 0)
        candidates.append((int(match.group(3)), month, int(match.group(2))))
    today = dt.date.today()
    for year, month, day in candidates:
        try:
            date = dt.date(year, month, day)
        except ValueError:
            continue
        if date.year >= 1900 and date <= today:
            return True
    return False


def email(token: str, options: Mapping[str, Any]) -> bool:
    """True for ``local@domain.tld`` with a dot-atom local part and a domain of valid labels and a letters TLD."""
    local, at, domain = token.rpartition("@")
    if not at or not 1 <= len(local) <= 64 or len(token) > 254 or not _EMAIL_LOCAL_RE.fullmatch(local):
        return False
    *labels, tld = domain.split(".")
    if not labels or _TLD_RE.fullmatch(tld) is None:
        return False
    return all(_DOMAIN_LABEL_RE.fullmatch(label) for label in labels)


def phone_number(token: str, options: Mapping[str, Any]) -> bool:
    """True when ``phonenumbers`` considers ``token`` a valid number.

    International numbers (``+`` or ``00`` prefix) are parsed on their own; national ones are tried against
    each region of ``options["regions"]`` (default US, GB, DE, FR).
    """
    digit_count = sum(char.isdigit() for char in token)
    if not 7 <= digit_count <= 15:
        return False
    stripped = token.strip()
    if stripped.startswith("00"):
        stripped = "+" + stripped[2:]
    regions = (None,) if stripped.startswith("+") else tuple(options.get("regions", _DEFAULT_PHONE_REGIONS))
    for region in regions:
        try:
            parsed = phonenumbers.parse(stripped, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(parsed):
            return True
    return False
