"""Numpy versions of the checksum validators, for whole values made of ASCII digits only.

Each function takes a digit matrix (one row per value, all rows of the same length, digits 0-9 as uint8) and
returns a bool mask EXACTLY equal to the scalar validator applied to each row's digit string with the same
options. The engine uses them to reject, in bulk, pure-digit values such as the ids of warehouse tables that
the bare-digit patterns make candidates (Engine._reject_invalid_digit_values). ``VECTOR_VALIDATORS`` maps a
scalar validator to its vector version; a validator without one (phone_number: phonenumbers metadata) keeps
running per value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from classifiers import validators
from classifiers.arrow_buffers import offsets_and_data
from classifiers.detectors import europe, national_ids

Digits = npt.NDArray[np.uint8]
Mask = npt.NDArray[np.bool_]
Ints = npt.NDArray[np.int64]
VectorValidator = Callable[[Digits, Mapping[str, Any]], Mask]

_LUHN_DOUBLED = np.array([0, 2, 4, 6, 8, 1, 3, 5, 7, 9], dtype=np.int64)
_DAYS_IN_MONTH = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)
_VERHOEFF_D = np.array(national_ids._VERHOEFF_D, dtype=np.int64)
_VERHOEFF_P = np.array(national_ids._VERHOEFF_P, dtype=np.int64)
_ITIN_GROUP_TABLE = np.isin(np.arange(100), sorted(national_ids._ITIN_GROUPS))
_SSN_KNOWN_INVALID = np.array(sorted(int(value) for value in validators._SSN_KNOWN_INVALID), dtype=np.int64)


def digit_matrices(strings: pa.Array, rows: npt.NDArray[np.intp]) -> dict[int, tuple[npt.NDArray[np.intp], Digits]]:
    """The values at ``rows`` of a string array (all ASCII digits) as digit matrices, grouped by length.

    Returns ``{length: (rows of that length, matrix of shape (len(rows), length))}``, read from the array's
    offsets and data buffers without building Python strings.
    """
    if rows.size == 0:
        return {}
    offsets, data = offsets_and_data(strings)
    starts = offsets[rows].astype(np.intp)
    lengths = offsets[rows + 1] - offsets[rows]
    groups: dict[int, tuple[npt.NDArray[np.intp], Digits]] = {}
    for length in np.unique(lengths).tolist():
        selected = lengths == length
        matrix = data[starts[selected, None] + np.arange(length)] - np.uint8(ord("0"))
        groups[int(length)] = (rows[selected], matrix)
    return groups


def _none(digits: Digits) -> Mask:
    return np.zeros(len(digits), dtype=bool)


def _number(digits: Digits) -> Ints:
    """Each row read as a decimal number (at most 18 digits fit an int64)."""
    assert digits.shape[1] <= 18
    powers = 10 ** np.arange(digits.shape[1] - 1, -1, -1, dtype=np.int64)
    return np.asarray(digits.astype(np.int64) @ powers, dtype=np.int64)


def _weighted(digits: Digits, weights: tuple[int, ...] | list[int]) -> Ints:
    """Sum of digit * weight over the leading ``len(weights)`` columns (zip semantics: the shorter one wins)."""
    count = min(len(weights), digits.shape[1])
    return np.asarray(digits[:, :count].astype(np.int64) @ np.array(weights[:count], dtype=np.int64), dtype=np.int64)


def _all_same(digits: Digits) -> Mask:
    """``len(set(digits)) == 1`` per row."""
    return np.asarray(np.all(digits == digits[:, :1], axis=1), dtype=bool)


def _luhn_ok(digits: Digits) -> Mask:
    """The Luhn mod-10 sum (every second digit from the right doubled) is divisible by 10."""
    values = digits.astype(np.int64)
    doubled = np.zeros(digits.shape[1], dtype=bool)
    doubled[-2::-2] = True  # positions 1, 3, ... counted from the right
    total = values[:, ~doubled].sum(axis=1) + _LUHN_DOUBLED[values[:, doubled]].sum(axis=1)
    return np.asarray(total % 10 == 0)


def _date_not_after_today(year: Ints, month: Ints, day: Ints, today: dt.date) -> Mask:
    """``dt.date(year, month, day)`` exists (no ValueError) and is not after ``today``."""
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    valid_month = (month >= 1) & (month <= 12)
    days = _DAYS_IN_MONTH[np.where(valid_month, month, 0)] + ((month == 2) & leap)
    exists = (year >= dt.MINYEAR) & (year <= dt.MAXYEAR) & valid_month & (day >= 1) & (day <= days)
    ordinal = year * 10_000 + month * 100 + day
    return np.asarray(exists & (ordinal <= today.year * 10_000 + today.month * 100 + today.day))


def _columns(digits: Digits, start: int, stop: int) -> Ints:
    """The digits ``[start:stop]`` of each row as a number."""
    return _number(digits[:, start:stop])


def luhn(digits: Digits, options: Mapping[str, Any]) -> Mask:
    """validators.luhn."""
    if digits.shape[1] < 2:
        return _none(digits)
    return _luhn_ok(digits)


def credit_card(digits: Digits, options: Mapping[str, Any]) -> Mask:
    """validators.credit_card: Luhn, not one repeated digit, and an issuer prefix whose lengths include this one."""
    length = digits.shape[1]
    issued = _none(digits)
    for low, high, lengths in validators._CARD_RANGES:
        if length in lengths:  # every card length exceeds every prefix length, so the prefix is whole
            prefix = _columns(digits, 0, len(low))
            issued |= (prefix >= int(low)) & (prefix <= int(high))
    if not issued.any():
        return issued
    return issued & ~_all_same(digits) & luhn(digits, options)


def us_ssn(digits: Digits, options: Mapping[str, Any]) -> Mask:
    """validators.us_ssn on 9 bare digits: area not 000, 666 or 9xx, group not 00, serial not 0000, not a known fake."""
    if digits.shape[1] != 9:
        return _none(digits)
    area, group, serial = _columns(digits, 0, 3), _columns(digits, 3, 5), _columns(digits, 5, 9)
    issued = (area != 0) & (area != 666) & (area < 900) & (group != 0) & (serial != 0)
    return np.asarray(issued & ~np.isin(_number(digits), _SSN_KNOWN_INVALID))


def aba_routing(digits: Digits, options: Mapping[str, Any]) -> Mask:
    """validators.aba_routing: Federal Reserve prefix and the 3-7-1 checksum."""
    if digits.shape[1] != 9:
        return _none(digits)
    prefix = _columns(digits, 0, 2)
    known = (prefix <= 12) | ((prefix >= 21) & (prefix <= 32)) | ((prefix >= 61) & (prefix <= 72)) | (prefix == 80)
    checksum = _weighted(digits, (3, 7, 1, 3, 7, 1, 3, 7, 1)) % 10 == 0
    return np.asarray(known & checksum & ~_all_same(digits))


def ca_sin_luhn(digits: Digits, options: Mapping[str, Any]) -> Mask:
    """national_ids.ca_sin_luhn on 9 bare digits: first digit not 0 or 8, Luhn."""
    if digits.shape[1] != 9:
        return _none(digits)
    return np.asarray((digits[:, 0] != 0) & (digits[:, 0] != 8) & _luhn_ok(digits))


def au_tfn_mod11(digits: Digits, options: Mapping[str, Any]) -> Mask:
    """national_ids.au_tfn_mod11 on 8 or 9 bare digits: not one repeated digit, ATO-weighted sum divisible by 11."""
    if digits.shape[1] not in (8, 9):
        return _none(digits)
    return np.asarray(~_all_same(digits) & (_weighted(digits, national_ids._TFN_WEIGHTS) % 11 == 0))


def au_medicare_checksum(digits: Digits, options: Mapping[str, Any]) -> Mask:
    """national_ids.au_medicare_checksum on 10 or 11 bare digits: first digit 2-6, weighted check digit 9th."""
    if digits.shape[1] not in (10, 11):
        return _none(digits)
    check = _weighted(digits, national_ids._MEDICARE_WEIGHTS) % 10 == digits[:, 8]
    return np.asarray((digits[:, 0] >= 2) & (digits[:, 0] <= 6) & check)


def us_npi_luhn(digits: Digits, options: Mapping[str, Any]) -> Mask:
    """national_ids.us_npi_luhn: 10 digits starting 1 or 2, Luhn over 80840 followed by them."""
    if digits.shape[1] != 10:
        return _none(digits)
    prefixed = np.hstack([np.broadcast_to(np.array([8, 0, 8, 4, 0], dtype=np.uint8), (len(digits), 5)), digits])
    return np.asarray(((digits[:, 0] == 1) | (digits[:, 0] == 2)) & _luhn_ok(prefixed))


def us_itin_group(digits: Digits, options: Mapping[str, Any]) -> Mask:
    """national_ids.us_itin_group on 9 bare digits: first digit 9 and an assigned group (4th and 5th)."""
    if digits.shape[1] != 9:
        return _none(digits)
    return np.asarray((digits[:, 0] == 9) & _ITIN_GROUP_TABLE[_columns(digits, 3, 5)])


def in_aadhaar_verhoeff(digits: Digits, options: Mapping[str, Any]) -> Mask:
    """national_ids.in_aadhaar_verhoeff on 12 bare digits: first digit 2-9 and the Verhoeff checksum."""
    if digits.shape[1] != 12:
        return _none(digits)
    check = np.zeros(len(digits), dtype=np.int64)
    for position in range(12):
        check = _VERHOEFF_D[check, _VERHOEFF_P[position % 8, digits[:, 11 - position]]]
    return np.asarray((digits[:, 0] >= 2) & (check == 0))


def br_cpf_mod11(digits: Digits, options: Mapping[str, Any]) -> Mask:
    """national_ids.br_cpf_mod11 on 11 bare digits: not one repeated digit, both mod-11 check digits."""
    if digits.shape[1] != 11:
        return _none(digits)
    valid = ~_all_same(digits)
    for length in (9, 10):
        remainder = _weighted(digits, list(range(length + 1, 1, -1))) % 11
        valid &= digits[:, length] == np.where(remainder < 2, 0, 11 - remainder)
    return np.asarray(valid)


def nhs_number_mod11(digits: Digits, options: Mapping[str, Any]) -> Mask:
    """europe.nhs_number_mod11 on 10 bare digits: not one repeated digit, modulus 11 check digit (10 never issued)."""
    if digits.shape[1] != 10:
        return _none(digits)
    check = 11 - _weighted(digits, list(range(10, 1, -1))) % 11
    return np.asarray(~_all_same(digits) & (check != 10) & (check % 11 == digits[:, 9]))


def fr_nir_key_mod97(digits: Digits, options: Mapping[str, Any]) -> Mask:
    """europe.fr_nir_key_mod97 on 15 bare digits: sex digit 1, 2, 7 or 8 and key 97 - (13 digits mod 97)."""
    if digits.shape[1] != 15:
        return _none(digits)
    sex = np.isin(digits[:, 0], (1, 2, 7, 8))
    return np.asarray(sex & (97 - _columns(digits, 0, 13) % 97 == _columns(digits, 13, 15)))


def pl_pesel_checksum_and_date(digits: Digits, options: Mapping[str, Any]) -> Mask:
    """europe.pl_pesel_checksum_and_date: 11 digits, 1-3-7-9 check digit, a past birth date (century in the month)."""
    if digits.shape[1] != 11:
        return _none(digits)
    check = (10 - _weighted(digits, ((1, 3, 7, 9) * 3)[:10]) % 10) % 10 == digits[:, 10]
    month = _columns(digits, 2, 4)
    century = np.array([1900, 2000, 2100, 2200, 1800], dtype=np.int64)[month // 20]
    birth = _date_not_after_today(century + _columns(digits, 0, 2), month % 20, _columns(digits, 4, 6), dt.date.today())
    return np.asarray(check & birth)


def se_personnummer_luhn_and_date(digits: Digits, options: Mapping[str, Any]) -> Mask:
    """europe.se_personnummer_luhn_and_date on 10 or 12 bare digits: a past birth date and Luhn over the last 10."""
    length = digits.shape[1]
    if length not in (10, 12):
        return _none(digits)
    today = dt.date.today()
    rest = digits[:, length - 10 :]
    # without the century: the most recent year not after this one (bare digits have no "+" for a century back)
    full_year = _columns(digits, 0, 4) if length == 12 else today.year - (today.year - _columns(rest, 0, 2)) % 100
    day = _columns(rest, 4, 6)
    day = np.where(day > 60, day - 60, day)
    return np.asarray(_date_not_after_today(full_year, _columns(rest, 2, 4), day, today) & _luhn_ok(rest))


def no_fodselsnummer_checksum_and_date(digits: Digits, options: Mapping[str, Any]) -> Mask:
    """europe.no_fodselsnummer_checksum_and_date on 11 bare digits: both mod-11 check digits and a past birth date."""
    if digits.shape[1] != 11:
        return _none(digits)
    valid = np.ones(len(digits), dtype=bool)
    for weights, position in ((europe._NO_WEIGHTS_1, 9), (europe._NO_WEIGHTS_2, 10)):
        check = (11 - _weighted(digits, weights) % 11) % 11
        valid &= (check != 10) & (check == digits[:, position])
    day = _columns(digits, 0, 2)
    day = np.where(day > 40, day - 40, day)
    year, individual = _columns(digits, 4, 6), _columns(digits, 6, 9)
    # europe._no_birth_year, with 0 for "never issued" (an impossible year for the date check below)
    century = np.select(
        [individual < 500, (individual < 750) & (year >= 54), year < 40, individual >= 900], [1900, 1800, 2000, 1900], 0
    )
    birth_year = np.where(century > 0, century + year, 0)
    return np.asarray(valid & _date_not_after_today(birth_year, _columns(digits, 2, 4), day, dt.date.today()))


def be_national_number_mod97(digits: Digits, options: Mapping[str, Any]) -> Mask:
    """europe.be_national_number_mod97 on 11 bare digits: 97 - (body mod 97) for the 1900s or 2000s, a possible date."""
    if digits.shape[1] != 11:
        return _none(digits)
    today = dt.date.today()
    body, check = _columns(digits, 0, 9), _columns(digits, 9, 11)
    year, month, day = _columns(digits, 0, 2), _columns(digits, 2, 4), _columns(digits, 4, 6)
    valid = _none(digits)
    for prefix, century in ((0, 1900), (2_000_000_000, 2000)):
        full_year = century + year
        # europe._be_birth_date_possible: month 00 or day 00 mean unknown
        possible = np.where(
            month == 0,
            full_year <= today.year,
            (month <= 12)
            & np.where(
                day == 0,
                full_year * 100 + month <= today.year * 100 + today.month,
                _date_not_after_today(full_year, month, day, today),
            ),
        )
        valid |= (97 - (prefix + body) % 97 == check) & possible
    return np.asarray(valid & (body != 0) & (_columns(digits, 6, 9) != 0))


VECTOR_VALIDATORS: dict[Callable[..., bool], VectorValidator] = {
    validators.luhn: luhn,
    validators.credit_card: credit_card,
    validators.us_ssn: us_ssn,
    validators.aba_routing: aba_routing,
    national_ids.ca_sin_luhn: ca_sin_luhn,
    national_ids.au_tfn_mod11: au_tfn_mod11,
    national_ids.au_medicare_checksum: au_medicare_checksum,
    national_ids.us_npi_luhn: us_npi_luhn,
    national_ids.us_itin_group: us_itin_group,
    national_ids.in_aadhaar_verhoeff: in_aadhaar_verhoeff,
    national_ids.br_cpf_mod11: br_cpf_mod11,
    europe.nhs_number_mod11: nhs_number_mod11,
    europe.fr_nir_key_mod97: fr_nir_key_mod97,
    europe.pl_pesel_checksum_and_date: pl_pesel_checksum_and_date,
    europe.se_personnummer_luhn_and_date: se_personnummer_luhn_and_date,
    europe.no_fodselsnummer_checksum_and_date: no_fodselsnummer_checksum_and_date,
    europe.be_national_number_mod97: be_national_number_mod97,
}
