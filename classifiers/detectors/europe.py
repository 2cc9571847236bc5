"""UK, EU and EEA national identifiers, UK tax references and driving licences."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Mapping
from itertools import cycle
from typing import Any

from classifiers import masking, validators
from classifiers.detector import Detector, Example, Pattern, Sensitivity
from classifiers.registry import register

_DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"
_DE_ID_CARD_ALPHABET = "CFGHJKLMNPRTVWXYZ"

# Codice fiscale: omocodia replaces digits by these letters (index = digit); the check character sums the
# value of each character from one table for odd positions (1st, 3rd, ...) and from another for even ones.
_IT_OMOCODIA = "LMNPQRSTUV"
_IT_MONTHS = "ABCDEHLMPRST"
_IT_ODD_VALUES = (1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23)
_IT_DIGIT_OR_OMOCODIA = f"[0-9{_IT_OMOCODIA}]"
_IT_FISCAL_CODE_RE = (
    f"[A-Z]{{6}}{_IT_DIGIT_OR_OMOCODIA}{{2}}[{_IT_MONTHS}]{_IT_DIGIT_OR_OMOCODIA}{{2}}"
    f"[A-Z]{_IT_DIGIT_OR_OMOCODIA}{{3}}[A-Z]"
)

_NHS_RE = re.compile(r"\d{10}|\d{3}([ -])\d{3}\1\d{4}")
_DE_TAX_ID_RE = re.compile(r"[1-9]\d{10}|[1-9]\d \d{3} \d{3} \d{3}")
_DE_ID_CARD_RE = re.compile(f"[{_DE_ID_CARD_ALPHABET}][{_DE_ID_CARD_ALPHABET}0-9]{{8}}[0-9]?")
_FR_NIR_RE = re.compile(r"([1278] ?\d{2} ?\d{2}) ?(\d{2}|2[AB]) ?(\d{3} ?\d{3}) ?(\d{2})")
_DNI_RE = re.compile(r"(\d{8})[ -]?([A-Z])")
_NIE_RE = re.compile(r"([XYZ])[ -]?(\d{7})[ -]?([A-Z])")
_BSN_RE = re.compile(r"\d{9}|\d{4}\.\d{2}\.\d{3}")
_SE_PERSONNUMMER_RE = re.compile(r"(\d{2})?(\d{2})(\d{2})(\d{2})([-+]?)(\d{4})")

# VAT number bodies after the 2-letter prefix (Greece's EL and others are not covered yet).
_VAT_BODIES: dict[str, str] = {
    "AT": r"U\d{8}",
    "BE": r"[01]\d{9}",
    "DE": r"[1-9]\d{8}",
    "DK": r"[1-9]\d{7}",
    "ES": r"[A-Z0-9]\d{7}[A-Z0-9]",
    "FI": r"\d{8}",
    "FR": r"[0-9A-HJ-NP-Z]{2}\d{9}",
    "GB": r"\d{9}(?:\d{3})?",
    "IE": r"\d[0-9A-Z+*]\d{5}[A-W]{1,2}",
    "IT": r"\d{11}",
    "LU": r"\d{8}",
    "NL": r"\d{9}B\d{2}",
    "PL": r"\d{10}",
    "PT": r"[1-9]\d{8}",
    "SE": r"\d{10}01",
    "XI": r"\d{9}(?:\d{3})?",
}
_VAT_RE = re.compile("(" + "|".join(_VAT_BODIES) + ") ?(.+)")


def nhs_number_mod11(token: str, options: Mapping[str, Any]) -> bool:
    """True for a UK NHS number: 10 digits (3-3-4 with one kind of separator allowed), modulus 11 check digit."""
    if not token.isascii() or _NHS_RE.fullmatch(token) is None:
        return False
    digits = re.sub(r"[ -]", "", token)
    if len(set(digits)) == 1:
        return False
    check = 11 - sum(weight * int(digit) for weight, digit in zip(range(10, 1, -1), digits, strict=False)) % 11
    return check != 10 and check % 11 == int(digits[9])


def uk_passport_number_shape(token: str, options: Mapping[str, Any]) -> bool:
    """True for 9 ASCII digits that are not a placeholder run of one or two distinct digits (no checksum exists)."""
    return len(token) == 9 and token.isascii() and token.isdigit() and len(set(token)) > 2


def _iso7064_mod11_10(digits: str) -> bool:
    """ISO 7064 MOD 11,10 over a digit string whose last digit is the check digit."""
    product = 10
    for digit in digits[:-1]:
        total = (int(digit) + product) % 10 or 10
        product = total * 2 % 11
    return (11 - product) % 10 == int(digits[-1])


def de_tax_id_mod11_10(token: str, options: Mapping[str, Any]) -> bool:
    """True for a German Steuer-ID: 11 digits, first not 0, one digit repeated 2 or 3 times, ISO 7064 MOD 11,10."""
    if not token.isascii() or _DE_TAX_ID_RE.fullmatch(token) is None:
        return False
    digits = token.replace(" ", "")
    repeated = [count for count in Counter(digits[:10]).values() if count > 1]
    return len(repeated) == 1 and repeated[0] in (2, 3) and _iso7064_mod11_10(digits)


def de_id_card_check_digit(token: str, options: Mapping[str, Any]) -> bool:
    """True for a German ID card (Personalausweis) serial: 9 characters with a digit, 7-3-1 check digit if present."""
    if _DE_ID_CARD_RE.fullmatch(token) is None or not any(char.isdigit() for char in token[:9]):
        return False
    if len(token) == 9:
        return True
    total = sum(int(char, 36) * weight for char, weight in zip(token[:9], cycle((7, 3, 1)), strict=False))
    return total % 10 == int(token[9])


def fr_nir_key_mod97(token: str, options: Mapping[str, Any]) -> bool:
    """True for a French NIR (INSEE number) whose 2-digit key is 97 - (13 digits mod 97); 2A/2B count as 19/18."""
    match = _FR_NIR_RE.fullmatch(token)
    if match is None or not token.isascii():
        return False
    head, department, tail, key = match.groups()
    department = {"2A": "19", "2B": "18"}.get(department, department)
    number = int((head + department + tail).replace(" ", ""))
    return 97 - number % 97 == int(key)


def es_dni_letter(token: str, options: Mapping[str, Any]) -> bool:
    """True for a Spanish DNI: 8 digits (not all zero) and the control letter of their value mod 23."""
    match = _DNI_RE.fullmatch(token)
    if match is None or not token.isascii() or int(match.group(1)) == 0:
        return False
    return _DNI_LETTERS[int(match.group(1)) % 23] == match.group(2)


def es_nie_letter(token: str, options: Mapping[str, Any]) -> bool:
    """True for a Spanish NIE: X/Y/Z (read as 0/1/2), 7 digits and the DNI control letter of that number."""
    match = _NIE_RE.fullmatch(token)
    if match is None or not token.isascii():
        return False
    prefix, digits, letter = match.groups()
    return _DNI_LETTERS[int(str("XYZ".index(prefix)) + digits) % 23] == letter


def _it_character_value(char: str, odd: bool) -> int:
    index = int(char) if char.isdigit() else ord(char) - ord("A")
    return _IT_ODD_VALUES[index] if odd else index


def _it_number(text: str) -> int:
    return int("".join(str(_IT_OMOCODIA.index(char)) if char in _IT_OMOCODIA else char for char in text))


def it_fiscal_code_check_char(token: str, options: Mapping[str, Any]) -> bool:
    """True for an Italian codice fiscale with a possible birth day and month and a correct check character."""
    if not re.fullmatch(_IT_FISCAL_CODE_RE, token):
        return False
    year, day = _it_number(token[6:8]), _it_number(token[9:11])
    # Women's birth days have 40 added. Only the year's last two digits are stored: 29 February is possible
    # exactly when 2000 + yy is a leap year (00 may be 2000).
    try:
        dt.date(2000 + year, _IT_MONTHS.index(token[8]) + 1, day - 40 if day > 40 else day)
    except ValueError:
        return False
    total = sum(_it_character_value(char, index % 2 == 0) for index, char in enumerate(token[:15]))
    return chr(ord("A") + total % 26) == token[15]


def _eleven_proof(digits: str) -> bool:
    total = sum(weight * int(digit) for weight, digit in zip(range(9, 1, -1), digits, strict=False))
    return (total - int(digits[8])) % 11 == 0


def nl_bsn_11_proof(token: str, options: Mapping[str, Any]) -> bool:
    """True for a Dutch BSN: 9 digits (or 1234.56.789), not all zero, passing the 11-proof (weights 9..2, -1)."""
    if not token.isascii() or _BSN_RE.fullmatch(token) is None:
        return False
    digits = token.replace(".", "")
    return int(digits) > 0 and _eleven_proof(digits)


def pl_pesel_checksum_and_date(token: str, options: Mapping[str, Any]) -> bool:
    """True for a Polish PESEL: 11 digits, 1-3-7-9 check digit, and an encoded birth date that is not in the future.

    The month carries the century: +80 for 1800s, +0 for 1900s, +20 for 2000s, +40 for 2100s, +60 for 2200s.
    """
    if len(token) != 11 or not token.isascii() or not token.isdigit():
        return False
    digits = [int(char) for char in token]
    if (10 - sum(w * d for w, d in zip(cycle((1, 3, 7, 9)), digits[:10], strict=False)) % 10) % 10 != digits[10]:
        return False
    century = {4: 1800, 0: 1900, 1: 2000, 2: 2100, 3: 2200}[int(token[2:4]) // 20]
    try:
        birth = dt.date(century + int(token[:2]), int(token[2:4]) % 20, int(token[4:6]))
    except ValueError:
        return False
    return birth <= dt.date.today()


def se_personnummer_luhn_and_date(token: str, options: Mapping[str, Any]) -> bool:
    """True for a Swedish personnummer or samordningsnummer (day + 60): a past birth date and Luhn over 10 digits.

    Without the century (``YYMMDD-NNNN``) the most recent past year is assumed, one century earlier after ``+``.
    """
    match = _SE_PERSONNUMMER_RE.fullmatch(token)
    if match is None or not token.isascii():
        return False
    century, year, month, day, separator, serial = match.groups()
    today = dt.date.today()
    if century is not None:
        full_year = int(century + year)
    else:
        full_year = today.year - (today.year - int(year)) % 100 - (100 if separator == "+" else 0)
    day_of_month = int(day) - 60 if int(day) > 60 else int(day)
    try:
        birth = dt.date(full_year, int(month), day_of_month)
    except ValueError:
        return False
    return birth <= today and validators.luhn(year + month + day + serial, options)


def _vat_at(body: str) -> bool:
    digits = [int(char) for char in body[1:]]
    doubled = sum(2 * d // 10 + 2 * d % 10 for d in digits[1:7:2])
    return (96 - sum(digits[0:7:2]) - doubled) % 10 == digits[7]


def _vat_be(body: str) -> bool:
    return int(body) > 0 and (int(body[:8]) + int(body[8:])) % 97 == 0


def _weighted_mod11(body: str, weights: tuple[int, ...]) -> int:
    return sum(weight * int(digit) for weight, digit in zip(weights, body, strict=False)) % 11


def _vat_es(body: str) -> bool:
    first, middle, last = body[0], body[1:8], body[8]
    if first.isdigit():
        return es_dni_letter(first + middle + last, {})
    if first in "XYZ":
        return es_nie_letter(body, {})
    if first in "KLM":
        return _DNI_LETTERS[int(middle) % 23] == last
    if first not in "ABCDEFGHJNPQRSUVW":
        return False
    # CIF: the Luhn check digit of the 7 digits, written as a digit or as a letter (J=0, A=1, ... I=9).
    check = next(digit for digit in "0123456789" if validators.luhn(middle + digit, {}))
    return last in (check, "JABCDEFGHI"[int(check)])


def _vat_fr(body: str) -> bool:
    key, siren = body[:2], body[2:]
    # Monaco registrations use SIREN 000xxxxxx, which is not Luhn-checked.
    if siren[:3] != "000" and not validators.luhn(siren, {}):
        return False
    # Numeric keys are (12 + 3 * (SIREN mod 97)) mod 97; the newer alphabetic keys are accepted on structure.
    return not key.isdigit() or int(key) == int(siren + "12") % 97


def _vat_ie(body: str) -> bool:
    alphabet = "WABCDEFGHIJKLMNOPQRSTUV"
    if body[:7].isdigit():
        digits, check, extra = body[:7], body[7], body[8:]
    elif body[1] in "ABCDEFGHIJKLMNOPQRSTUVWXYZ+*":
        digits, check, extra = "0" + body[2:7] + body[0], body[7], ""
    else:
        return False
    total = sum((8 - i) * int(d) for i, d in enumerate(digits)) + 9 * alphabet.index(extra or "W")
    return alphabet[total % 23] == check


def _vat_it(body: str) -> bool:
    office = body[7:10]
    return (
        int(body[:7]) > 0
        and ("001" <= office <= "100" or office in ("120", "121", "888", "999"))
        and validators.luhn(body, {})
    )


def _vat_nl(body: str) -> bool:
    digits, suffix = body[:9], body[10:]
    if int(digits) == 0 or int(suffix) == 0:
        return False
    # Since 2020 sole traders get numbers checked with ISO 7064 mod 97-10 over "NL" + number (letters as 10..35).
    as_number = "".join(str(int(char, 36)) for char in "NL" + body)
    return _eleven_proof(digits) or int(as_number) % 97 == 1


def _vat_pl(body: str) -> bool:
    remainder = sum(w * int(d) for w, d in zip((6, 5, 7, 2, 3, 4, 5, 6, 7), body, strict=False)) % 11
    return remainder != 10 and remainder == int(body[9])


def _vat_pt(body: str) -> bool:
    total = sum((9 - i) * int(d) for i, d in enumerate(body[:8]))
    return (11 - total) % 11 % 10 == int(body[8])


def _vat_gb(body: str) -> bool:
    if len(set(body[:9])) == 1:
        return False
    remainder = sum(w * int(d) for w, d in zip((8, 7, 6, 5, 4, 3, 2, 10, 1), body, strict=False)) % 97
    # Numbers from 100 000 000 up may use the newer "9755" scheme, which shifts the remainder.
    return remainder == 0 or (body[:3] >= "100" and remainder in (42, 55))


_VAT_CHECKS: dict[str, Callable[[str], bool]] = {
    "AT": _vat_at,
    "BE": _vat_be,
    "DE": _iso7064_mod11_10,
    "DK": lambda body: _weighted_mod11(body, (2, 7, 6, 5, 4, 3, 2, 1)) == 0,
    "ES": _vat_es,
    "FI": lambda body: _weighted_mod11(body, (7, 9, 10, 5, 8, 4, 2, 1)) == 0,
    "FR": _vat_fr,
    "GB": _vat_gb,
    "IE": _vat_ie,
    "IT": _vat_it,
    "LU": lambda body: int(body[:6]) % 89 == int(body[6:]),
    "NL": _vat_nl,
    "PL": _vat_pl,
    "PT": _vat_pt,
    "SE": lambda body: validators.luhn(body[:10], {}),
    "XI": _vat_gb,
}


def eu_vat_number_checksum(token: str, options: Mapping[str, Any]) -> bool:
    """True for a VAT number with a known country prefix whose body has that country's layout and check digits."""
    match = _VAT_RE.fullmatch(token)
    if match is None or not token.isascii():
        return False
    country, body = match.groups()
    return re.fullmatch(_VAT_BODIES[country], body) is not None and _VAT_CHECKS[country](body)


def mask_vat_number(value: str) -> str:
    """Keep the public country prefix and the last two characters: ``DE136695976`` -> ``DE*******76``."""
    compact = value.replace(" ", "")
    if len(compact) <= 6:
        return "*" * len(compact)
    return compact[:2] + "*" * (len(compact) - 4) + compact[-2:]


_VAT_PATTERN = r"\b(?:" + "|".join(f"{country} ?{body}" for country, body in _VAT_BODIES.items()) + r")\b"

UK_NHS = register(
    Detector(
        entity_type="UK_NHS",
        patterns=(
            # 0.4, not 0.5: US phone numbers share the 3-3-4 layout and one in eleven passes the check digit, so
            # a text with many of them must not reach the threshold without a keyword or validator support.
            Pattern("separated_3_3_4", r"\b\d{3}[ -]\d{3}[ -]\d{4}\b", 0.4),
            Pattern("bare_digits", r"\b\d{10}\b", 0.2),
        ),
        keywords=("nhs", "nhs number", "nhs no", "health service", "national health service"),
        column_hints=(r"(^|_)nhs(_no|_num|_number|_id)?(_|$)", r"(^|_)(nhs_?number|patient_nhs)(_|$)"),
        validate=nhs_number_mod11,
        mask=masking.mask_keep_last(4),
        sensitivity=Sensitivity.HIGH,
        frameworks=("GDPR",),
        jurisdiction="GB",
        positives=(
            Example("943 476 5919", column="nhs_number"),
            Example("NHS number: 943-476-5870"),
            Example("Patient 401 023 2137 admitted to ward 7"),
            Example("9434765919", column="nhs_no"),
        ),
        negatives=(
            Example("943 476 5918", column="nhs_number"),
            Example("Call us on +44 20 7946 0958"),
            Example("Order 1234567890 shipped"),
            Example("943 476-5919"),
            Example("000 000 0000", column="nhs_number"),
        ),
    )
)

UK_PASSPORT = register(
    Detector(
        entity_type="UK_PASSPORT",
        patterns=(Pattern("nine_digits", r"\b\d{9}\b", 0.3),),
        keywords=("passport", "passport number", "passport no", "uk passport", "british passport"),
        column_hints=(r"(^|_)(uk_|gb_|british_)?passport(_no|_num|_number|_id)?(_|$)",),
        validate=uk_passport_number_shape,
        mask=masking.mask_keep_last(2),
        requires_context=True,
        sensitivity=Sensitivity.HIGH,
        frameworks=("GDPR",),
        jurisdiction="GB",
        positives=(
            Example("925665416", column="passport_number"),
            Example("British passport 107185703, expires 2031"),
            Example("Passport no: 533401372"),
            Example("uk passport 802311781"),
        ),
        negatives=(
            Example("Invoice 925665416 paid"),
            Example("passport 999999999"),
            Example("passport 12345678"),
            Example("Order 533401372 shipped", column="order_id"),
        ),
    )
)

DE_TAX_ID = register(
    Detector(
        entity_type="DE_TAX_ID",
        patterns=(
            Pattern("compact", r"\b[1-9]\d{10}\b", 0.4),
            Pattern("grouped_2_3_3_3", r"\b[1-9]\d \d{3} \d{3} \d{3}\b", 0.4),
        ),
        keywords=(
            "steuer-id",
            "steuerid",
            "steuer id",
            "steueridentifikationsnummer",
            "identifikationsnummer",
            "steuerliche identifikationsnummer",
            "tax id",
            "idnr",
            "id-nr",
        ),
        column_hints=(
            r"(^|_)(steuer_?id|steuer_?idnr|idnr|steueridentifikationsnummer|identifikationsnummer)(_|$)",
            r"(^|_)(de_)?tax_id(_number)?(_|$)",
        ),
        validate=de_tax_id_mod11_10,
        column_profile=True,  # a column passing the checksum throughout is identified by content
        mask=masking.mask_keep_last(4),
        requires_context=True,
        sensitivity=Sensitivity.HIGH,
        frameworks=("GDPR",),
        jurisdiction="DE",
        positives=(
            Example("36574261809", column="steuer_id"),
            Example("Steuer-ID: 36 574 261 809"),
            Example("Ihre Identifikationsnummer 86095742719"),
            Example("tax id 12345678995"),
        ),
        negatives=(
            Example("Steuer-ID: 36574261890"),
            Example("steuer-id 36554266806"),
            Example("IBAN DE89370400440532013000", column="steuer_id"),
            Example("86095742719"),
            Example("Steuer-ID 06574261809"),
        ),
    )
)

DE_ID_CARD = register(
    Detector(
        entity_type="DE_ID_CARD",
        patterns=(Pattern("serial", rf"\b[{_DE_ID_CARD_ALPHABET}][{_DE_ID_CARD_ALPHABET}0-9]{{8}}[0-9]?\b", 0.4),),
        keywords=("personalausweis", "ausweisnummer", "ausweis", "personalausweisnummer", "id card", "identity card"),
        column_hints=(
            r"(^|_)(personalausweis|ausweis|ausweisnummer|personalausweisnummer)(_nr|_nummer)?(_|$)",
            r"(^|_)(de_)?id_card(_no|_number)?(_|$)",
        ),
        validate=de_id_card_check_digit,
        mask=masking.mask_keep_last(2),
        requires_context=True,
        sensitivity=Sensitivity.HIGH,
        frameworks=("GDPR",),
        jurisdiction="DE",
        positives=(
            Example("T220001293", column="personalausweis"),
            Example("Ausweisnummer L01X00T47"),
            Example("Personalausweis: L01X00T471"),
            Example("LZ6311T475", column="id_card_number"),
        ),
        negatives=(
            Example("Ausweisnummer T220001294"),
            Example("Personalausweis: LMNPRTVWX"),
            Example("T220001293", column="order_id"),
            Example("ausweis A22000129"),
        ),
    )
)

FR_NIR = register(
    Detector(
        entity_type="FR_NIR",
        patterns=(Pattern("nir", r"\b[1278] ?\d{2} ?\d{2} ?(?:\d{2}|2[AB]) ?\d{3} ?\d{3} ?\d{2}\b", 0.6),),
        keywords=(
            "nir",
            "insee",
            "sécurité sociale",
            "securite sociale",
            "sécu",
            "secu",
            "carte vitale",
            "social security",
        ),
        column_hints=(
            r"(^|_)(nir|insee|num_secu|secu|securite_sociale|numero_securite_sociale|nss)(_|$)",
            r"(^|_)fr_(social_security|ssn)(_number)?(_|$)",
        ),
        validate=fr_nir_key_mod97,
        mask=masking.mask_keep_last(4),
        sensitivity=Sensitivity.HIGH,
        frameworks=("GDPR",),
        jurisdiction="FR",
        positives=(
            Example("2 95 10 99 126 111 93", column="nir"),
            Example("Numéro de sécurité sociale : 253072B07300470"),
            Example("253072A07300443"),
            Example("NIR 1 85 05 78 006 084 91 enregistré"),
        ),
        negatives=(
            Example("295109912611199", column="nir"),
            Example("253072C07300443"),
            Example("3 95 10 99 126 111 93"),
            Example("Commande 185057800608437"),
        ),
    )
)

ES_NIF = register(
    Detector(
        entity_type="ES_NIF",
        patterns=(Pattern("dni", r"\b\d{8}[ -]?[TRWAGMYFPDXBNJZSQVHLCKE]\b", 0.6),),
        keywords=("dni", "nif", "documento nacional de identidad", "identificación fiscal", "identificacion fiscal"),
        column_hints=(r"(^|_)(dni|nif|num_dni|numero_dni|documento_identidad)(_|$)",),
        validate=es_dni_letter,
        mask=masking.mask_keep_last(2),
        sensitivity=Sensitivity.HIGH,
        frameworks=("GDPR",),
        jurisdiction="ES",
        positives=(
            Example("12345678Z", column="dni"),
            Example("DNI: 54362315-K"),
            Example("Cliente con NIF 00000023T registrado"),
            Example("87654321X"),
        ),
        negatives=(
            Example("54362315Z", column="dni"),
            Example("12345678A"),
            Example("00000000T", column="dni"),
            Example("Build 20231231R done"),
        ),
    )
)

ES_NIE = register(
    Detector(
        entity_type="ES_NIE",
        patterns=(Pattern("nie", r"\b[XYZ][ -]?\d{7}[ -]?[TRWAGMYFPDXBNJZSQVHLCKE]\b", 0.7),),
        keywords=("nie", "número de identidad de extranjero", "identidad de extranjero", "tarjeta de residencia"),
        column_hints=(r"(^|_)(nie|num_nie|numero_nie)(_|$)",),
        validate=es_nie_letter,
        mask=masking.mask_keep_last(2),
        sensitivity=Sensitivity.HIGH,
        frameworks=("GDPR",),
        jurisdiction="ES",
        positives=(
            Example("X2482300W", column="nie"),
            Example("NIE: X-5253868-R"),
            Example("Y1234567X"),
            Example("Residente Z7654321H en Madrid"),
        ),
        negatives=(
            Example("X2482300A", column="nie"),
            Example("Y1234567Z"),
            Example("W2482300W"),
            Example("SKU X1234567T-BLUE"),
        ),
    )
)

IT_FISCAL_CODE = register(
    Detector(
        entity_type="IT_FISCAL_CODE",
        patterns=(Pattern("codice_fiscale", rf"\b{_IT_FISCAL_CODE_RE}\b", 0.8),),
        keywords=("codice fiscale", "cod. fisc", "fiscal code", "tax code", "cf"),
        column_hints=(r"(^|_)(codice_fiscale|codicefiscale|cod_fisc|cf|fiscal_code)(_|$)",),
        validate=it_fiscal_code_check_char,
        mask=masking.mask_keep_last(4),
        sensitivity=Sensitivity.HIGH,
        frameworks=("GDPR",),
        jurisdiction="IT",
        positives=(
            Example("RSSMRA85T10A562S", column="codice_fiscale"),
            Example("Codice fiscale: RCCMNL83S18D969H"),
            Example("MRTMTT91D08F205J"),
            Example("Cliente RSSMRA85T10A56NH omocodico"),
        ),
        negatives=(
            Example("RSSMRA85T10A562T", column="codice_fiscale"),
            Example("RSSMRA85Z10A562S"),
            Example("RSSMRA85T32A562S"),
            Example("ABCDEFGHIJKLMNOP"),
        ),
    )
)

NL_BSN = register(
    Detector(
        entity_type="NL_BSN",
        patterns=(Pattern("bsn", r"\b\d{4}\.?\d{2}\.?\d{3}\b", 0.3),),
        keywords=("bsn", "burgerservicenummer", "sofinummer", "sofi-nummer", "sofi"),
        column_hints=(r"(^|_)(bsn|burgerservicenummer|sofi(_?nummer)?)(_|$)",),
        validate=nl_bsn_11_proof,
        column_profile=True,  # a column passing the checksum throughout is identified by content
        mask=masking.mask_keep_last(2),
        requires_context=True,
        sensitivity=Sensitivity.HIGH,
        frameworks=("GDPR",),
        jurisdiction="NL",
        positives=(
            Example("111222333", column="bsn"),
            Example("BSN: 1112.22.333"),
            Example("Burgerservicenummer 123456782"),
            Example("sofinummer 999990019"),
        ),
        negatives=(
            Example("BSN: 123456789"),
            Example("bsn 1112.52.333"),
            Example("111222333", column="order_id"),
            Example("bsn 000000000"),
            Example("BSN 1112.22333"),
        ),
    )
)

PL_PESEL = register(
    Detector(
        entity_type="PL_PESEL",
        patterns=(Pattern("pesel", r"\b\d{11}\b", 0.3),),
        keywords=("pesel", "numer pesel", "nr pesel"),
        column_hints=(r"(^|_)(pesel|nr_pesel|numer_pesel)(_|$)",),
        validate=pl_pesel_checksum_and_date,
        mask=masking.mask_keep_last(4),
        sensitivity=Sensitivity.HIGH,
        frameworks=("GDPR",),
        jurisdiction="PL",
        positives=(
            Example("44051401359", column="pesel"),
            Example("PESEL: 02070803628"),
            Example("Pacjent 90090515836 przyjęty"),
            Example("85121712340"),
        ),
        negatives=(
            Example("44051401358", column="pesel"),
            Example("02381307589"),
            Example("Order 12345678901 shipped"),
            Example("IBAN DE89370400440532013000"),
        ),
    )
)

SE_PERSONNUMMER = register(
    Detector(
        entity_type="SE_PERSONNUMMER",
        patterns=(
            # 0.4, not 0.5: date-plus-counter ids (ORD-240115-0042, backup-20240115-1030) share the layout and
            # one in ten passes Luhn; genuine personnummer data still scores 0.6 through the validator boost.
            Pattern("separated", r"\b(?:\d{2})?\d{6}[-+]\d{4}\b", 0.4),
            Pattern("bare_12_digits", r"\b(?:18|19|20)\d{10}\b", 0.3),
        ),
        keywords=("personnummer", "personnr", "samordningsnummer", "pnr", "person number"),
        column_hints=(r"(^|_)(personnummer|personnr|pnr|samordningsnummer|person_nummer)(_|$)",),
        validate=se_personnummer_luhn_and_date,
        mask=masking.mask_keep_last(4),
        sensitivity=Sensitivity.HIGH,
        frameworks=("GDPR",),
        jurisdiction="SE",
        positives=(
            Example("811218-9876", column="personnummer"),
            Example("Personnummer: 19121212-1212"),
            Example("198112189876"),
            Example("Samordningsnummer 701063-2391"),
            Example("121212+1212"),
        ),
        negatives=(
            Example("811218-9877", column="personnummer"),
            Example("811318-9876"),
            Example("ORD-240115-0041"),
            Example("209912121212"),
        ),
    )
)

EU_VAT = register(
    Detector(
        entity_type="EU_VAT",
        patterns=(Pattern("vat_number", _VAT_PATTERN, 0.6),),
        keywords=(
            "vat",
            "vat number",
            "vat id",
            "ust-idnr",
            "ust-id",
            "umsatzsteuer",
            "tva",
            "btw",
            "iva",
            "partita iva",
            "nip",
            "moms",
            "mwst",
            "alv",
        ),
        column_hints=(
            r"(^|_)(vat|vat_id|vat_no|vat_number|vat_reg(istration)?(_no|_number)?)(_|$)",
            r"(^|_)(ust_?id(_?nr)?|tva|btw|partita_iva|iva|nip|uid)(_|$)",
        ),
        validate=eu_vat_number_checksum,
        mask=mask_vat_number,
        sensitivity=Sensitivity.MEDIUM,
        frameworks=(),
        jurisdiction="EU",
        positives=(
            Example("DE136695976", column="vat_id"),
            Example("USt-IdNr.: ATU13585627"),
            Example("Company VAT GB 980780684 registered"),
            Example("NL002455799B11"),
            Example("BE0428759497", column="customer_vat"),
            Example("Partita IVA IT00743110157"),
            Example("FR40303265045"),
        ),
        negatives=(
            Example("DE136695978", column="vat_id"),
            Example("IBAN DE89370400440532013000"),
            Example("PL8567346216"),
            Example("NL123456789B00"),
            Example("GB802311781"),
            Example("DE 89 3704 0044 0532 0130 00"),
        ),
    )
)


# --- Nordic, Belgian and Spanish personal numbers; UK tax references and driving licences -------------------

_HETU_RE = re.compile(r"(\d{2})(\d{2})(\d{2})([-+A-FU-Y])(\d{3})([0-9A-FHJ-NPR-Y])")
# The 31 check characters: digits and letters without G, I, O, Q and Z (easily misread).
_HETU_CHECK_CHARS = "0123456789ABCDEFHJKLMNPRSTUVWXY"
# Since 2023 the 1900s may also be marked Y, X, W, V or U and the 2000s B to F besides the older - and A.
_HETU_CENTURIES = {"+": 1800, **dict.fromkeys("-YXWVU", 1900), **dict.fromkeys("ABCDEF", 2000)}

_NO_FODSELSNUMMER_RE = re.compile(r"\d{11}|\d{6}[ -]\d{5}")
_NO_WEIGHTS_1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_NO_WEIGHTS_2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)

_BE_NATIONAL_NUMBER_RE = re.compile(r"\d{11}|\d{2}\.\d{2}\.\d{2}[- ]\d{3}[. ]\d{2}|\d{6}([- ])\d{3}\1\d{2}")

_ES_SSN_RE = re.compile(r"(\d{2})([/ -]?)(\d{7,8})\2(\d{2})")
# Provinces of first registration (INE codes 01-52), 53 for other territories and 66 for abroad.
_ES_SSN_PROVINCES = frozenset({f"{code:02d}" for code in range(1, 54)} | {"66"})

_UK_UTR_RE = re.compile(r"K?(\d{5}) ?(\d{5})K?")
_UK_UTR_WEIGHTS = (6, 7, 8, 9, 10, 5, 4, 3, 2)
# HMRC's lookup from the weighted sum mod 11 to the leading check digit (hmrc/reference-checker).
_UK_UTR_CHECK_DIGITS = "21987654321"

_UK_DRIVING_LICENCE_SURNAME = r"(?:[A-Z]{5}|[A-Z]{4}9|[A-Z]{3}99|[A-Z]{2}999|[A-Z]9999)"
_UK_DRIVING_LICENCE_RE = re.compile(rf"{_UK_DRIVING_LICENCE_SURNAME}(\d)(\d{{2}})(\d{{2}})(\d)[A-Z][A-Z9]\d[A-Z]{{2}}")


def fi_hetu_check_char_and_date(token: str, options: Mapping[str, Any]) -> bool:
    """True for a Finnish henkilötunnus ``DDMMYYCZZZQ``: a past birth date, individual number 002-999, mod-31 check.

    The century sign C gives the birth century; Q is ``DDMMYYZZZ`` mod 31 in ``0123456789ABCDEFHJKLMNPRSTUVWXY``.
    Temporary numbers (individual number 900-999) identify people too, so they are accepted.
    """
    match = _HETU_RE.fullmatch(token)
    if match is None or not token.isascii():
        return False
    day, month, year, sign, individual, check = match.groups()
    if int(individual) < 2:  # individual numbers start at 002 for historical reasons
        return False
    try:
        birth = dt.date(_HETU_CENTURIES[sign] + int(year), int(month), int(day))
    except ValueError:
        return False
    return birth <= dt.date.today() and _HETU_CHECK_CHARS[int(day + month + year + individual) % 31] == check


def _mod11_check_digit(digits: str, weights: tuple[int, ...]) -> int | None:
    """The mod-11 check digit ``11 - weighted sum mod 11`` (11 reads as 0); None where it would be 10 (never issued)."""
    check = (11 - sum(weight * int(digit) for weight, digit in zip(weights, digits, strict=False)) % 11) % 11
    return None if check == 10 else check


def _no_birth_year(year: int, individual: int) -> int | None:
    """The birth year of a fødselsnummer from its 2-digit year and the range of its individual number."""
    if individual < 500:
        return 1900 + year
    if individual < 750 and year >= 54:
        return 1800 + year
    if year < 40:
        return 2000 + year
    if individual >= 900:
        return 1900 + year
    return None  # 500-899 with a year of 40-53, or 750-899 with 54-99: never issued


def no_fodselsnummer_checksum_and_date(token: str, options: Mapping[str, Any]) -> bool:
    """True for a Norwegian fødselsnummer or D-number: both mod-11 check digits and a past birth date.

    ``DDMMYY IIIKK``: the individual number III selects the century; D-numbers add 4 to the first day digit.
    """
    if not token.isascii() or _NO_FODSELSNUMMER_RE.fullmatch(token) is None:
        return False
    digits = token.replace(" ", "").replace("-", "")
    if _mod11_check_digit(digits[:9], _NO_WEIGHTS_1) != int(digits[9]):
        return False
    if _mod11_check_digit(digits[:10], _NO_WEIGHTS_2) != int(digits[10]):
        return False
    day, month = int(digits[:2]), int(digits[2:4])
    day = day - 40 if day > 40 else day  # D-number: first digit + 4
    year = _no_birth_year(int(digits[4:6]), int(digits[6:9]))
    if year is None:
        return False
    try:
        return dt.date(year, month, day) <= dt.date.today()
    except ValueError:
        return False


def _be_birth_date_possible(year: int, month: int, day: int) -> bool:
    """True when YYYY-MM-DD can be a Belgian birth date; month or day 00 mean unknown (or an exhausted counter)."""
    today = dt.date.today()
    if month == 0:
        return year <= today.year
    if month > 12:
        return False
    if day == 0:
        return (year, month) <= (today.year, today.month)
    try:
        return dt.date(year, month, day) <= today
    except ValueError:
        return False


def be_national_number_mod97(token: str, options: Mapping[str, Any]) -> bool:
    """True for a Belgian national number ``YY.MM.DD-XXX.CC``: CC = 97 - (YYMMDDXXX mod 97) and a possible date.

    For people born from 2000 the check is computed over ``2YYMMDDXXX``, which also tells the century.
    """
    if not token.isascii() or _BE_NATIONAL_NUMBER_RE.fullmatch(token) is None:
        return False
    digits = re.sub(r"\D", "", token)
    body, check = digits[:9], int(digits[9:])
    if int(body) == 0 or body[6:9] == "000":  # the day counter starts at 001
        return False
    year, month, day = int(body[:2]), int(body[2:4]), int(body[4:6])
    return any(
        97 - int(prefix + body) % 97 == check and _be_birth_date_possible(century + year, month, day)
        for prefix, century in (("", 1900), ("2", 2000))
    )


def es_ssn_mod97(token: str, options: Mapping[str, Any]) -> bool:
    """True for a Spanish NUSS/NAF ``PP/NNNNNNNN/CC``: a known province and CC = (PP and NNNNNNNN) mod 97.

    When NNNNNNNN is below 10,000,000 (old 7-digit numbers, possibly written with a leading zero) the number is
    PP * 10^7 + NNNNNNNN, else the 10 digits PPNNNNNNNN. Without separators the number must have 12 digits.
    """
    match = _ES_SSN_RE.fullmatch(token)
    if match is None or not token.isascii():
        return False
    province, separator, number, check = match.groups()
    if (not separator and len(number) != 8) or province not in _ES_SSN_PROVINCES or int(number) == 0:
        return False
    value = int(province) * 10**7 + int(number) if int(number) < 10**7 else int(province + number)
    return value % 97 == int(check)


def uk_utr_check_digit(token: str, options: Mapping[str, Any]) -> bool:
    """True for a UK Unique Taxpayer Reference: 10 digits whose first is HMRC's check digit of the other nine.

    The check digit is ``21987654321``[weighted sum mod 11] with weights 6 7 8 9 10 5 4 3 2; a ``K`` may be
    written before or after a Self Assessment UTR, and the digits may be grouped 5 + 5.
    """
    match = _UK_UTR_RE.fullmatch(token)
    if match is None or not token.isascii() or (token.startswith("K") and token.endswith("K")):
        return False
    digits = match.group(1) + match.group(2)
    if len(set(digits)) == 1:  # 2222222222 passes the check but is a placeholder
        return False
    total = sum(weight * int(digit) for weight, digit in zip(_UK_UTR_WEIGHTS, digits[1:], strict=True))
    return _UK_UTR_CHECK_DIGITS[total % 11] == digits[0]


def uk_driving_licence_date(token: str, options: Mapping[str, Any]) -> bool:
    """True for a DVLA driving licence number whose embedded birth date is possible.

    Characters 6-11 are the decade digit, the month (+50 for women), the day and the year digit. Only the
    2-digit year is known, so 29 February is accepted when the year is a multiple of 4.
    """
    match = _UK_DRIVING_LICENCE_RE.fullmatch(token)
    if match is None or not token.isascii():
        return False
    decade, month, day, year = match.groups()
    month_number = int(month) - 50 if int(month) > 50 else int(month)
    try:
        dt.date(2000 + int(decade + year), month_number, int(day))
    except ValueError:
        return False
    return True


_mask_last4 = masking.mask_keep_last(4)

FI_HETU = register(
    Detector(
        entity_type="FI_HETU",
        patterns=(
            # The letter signs (A-F for the 2000s, U-Y for the 1900s) make the code distinctive.
            Pattern("century_letter", r"\b\d{6}[A-FU-Y]\d{3}[0-9A-FHJ-NPR-Y]\b", 0.6),
            # 0.4, not more: date-stamped ids such as 240115-0042 share this layout and one in 31 passes the check.
            Pattern("century_sign", r"\b\d{6}[-+]\d{3}[0-9A-FHJ-NPR-Y]\b", 0.4),
        ),
        keywords=(
            "hetu",
            "henkilötunnus",
            "henkilotunnus",
            "sosiaaliturvatunnus",
            "sotu",
            "personbeteckning",
            "personal identity code",
            "finnish ssn",
        ),
        column_hints=(
            r"(^|_)(hetu|henkil(o|oe|_)tunnus|sotu|sosiaaliturvatunnus|personbeteckning)(_|$)",
            r"(^|_)(fi_|finnish_)?personal_identity_code(_|$)",
            r"(^|_)(fi|finnish)_(ssn|pic|national_id)(_|$)",
        ),
        validate=fi_hetu_check_char_and_date,
        mask=_mask_last4,
        sensitivity=Sensitivity.HIGH,
        frameworks=("GDPR",),
        jurisdiction="FI",
        positives=(
            Example("131052-308T", column="hetu"),
            Example("Henkilötunnus: 290200A567L"),
            Example("Asiakas 010594Y123W rekisteröity"),
            Example("230210B3455"),
            Example("150790-4568", column="personal_identity_code"),
        ),
        negatives=(
            Example("131052-308U", column="hetu"),
            Example("310252-308Y"),  # 31 February
            Example("290201A567V"),  # 29 February 2001, right check character
            Example("131052-001W", column="hetu"),  # individual number below 002
            Example("ORD-240115-0041 shipped"),
        ),
    )
)

NO_FODSELSNUMMER = register(
    Detector(
        entity_type="NO_FODSELSNUMMER",
        patterns=(
            # Bare 11 digits are generic (PESEL, CPF, order ids): 0.3 keeps a column of them below the threshold
            # unless the two check digits and the date hold for nearly every value, and free text needs a keyword.
            Pattern("bare_digits", r"\b\d{11}\b", 0.3),
            Pattern("separated_6_5", r"\b\d{6}[ -]\d{5}\b", 0.3),
        ),
        keywords=(
            "fødselsnummer",
            "fodselsnummer",
            "foedselsnummer",
            "fødselsnr",
            "fnr",
            "f.nr",
            "d-nummer",
            "personnummer",
            "national identity number",
            "norwegian id",
        ),
        column_hints=(
            r"(^|_)(f(o|oe|_)dselsnummer|f(o|oe|_)dsels_?nr|fnr|d_?nummer)(_|$)",
            r"(^|_)(no|norwegian)_(national_id(entity_number)?|ssn|id_number)(_|$)",
        ),
        validate=no_fodselsnummer_checksum_and_date,
        mask=_mask_last4,
        sensitivity=Sensitivity.HIGH,
        frameworks=("GDPR",),
        jurisdiction="NO",
        positives=(
            Example("15108695088", column="fodselsnummer"),
            Example("Fødselsnummer: 010190 12480"),
            Example("D-nummer 41019012393"),
            Example("29020051386", column="fnr"),
            Example("fnr 020304-90188"),
        ),
        negatives=(
            Example("15108695077", column="fodselsnummer"),
            Example("fødselsnummer 31029948987"),  # 31 February, right check digits
            Example("Invoice 151086950880 paid"),  # a valid number inside 12 digits
            Example("Order 12345678901 shipped", column="order_id"),
            Example("fnr 01015075097"),  # individual number 750 with year 50: never issued
        ),
    )
)

BE_NATIONAL_NUMBER = register(
    Detector(
        entity_type="BE_NATIONAL_NUMBER",
        patterns=(
            Pattern("formatted", r"\b\d{2}\.\d{2}\.\d{2}[- ]\d{3}[. ]\d{2}\b", 0.6),
            Pattern("grouped_6_3_2", r"\b\d{6}[- ]\d{3}[- ]\d{2}\b", 0.4),
            Pattern("bare_digits", r"\b\d{11}\b", 0.3),
        ),
        keywords=(
            "rijksregisternummer",
            "rijksregister",
            "rijksregisternr",
            "insz",
            "numéro national",
            "numero national",
            "registre national",
            "niss",
            "nationalregisternummer",
            "national number",
            "national register number",
            "rrn",
        ),
        column_hints=(
            r"(^|_)(rijksregister(_?(nummer|nr))?|rrn|insz|niss|nationalregisternummer)(_|$)",
            r"(^|_)(num(e|_)ro_national|(num(e|_)ro_)?registre_national|national_register_number)(_|$)",
            r"(^|_)(be|belgian)_(national_(id|number)|nn|id_number)(_|$)",
        ),
        validate=be_national_number_mod97,
        mask=_mask_last4,
        sensitivity=Sensitivity.HIGH,
        frameworks=("GDPR",),
        jurisdiction="BE",
        positives=(
            Example("85.07.30-033.28", column="rijksregisternummer"),
            Example("Numéro national : 17.07.30-033.84"),
            Example("Rijksregisternummer 90021512370"),
            Example("02030445601", column="insz"),
            Example("Klant 760101-002-19 geregistreerd"),
        ),
        negatives=(
            Example("85.07.30-033.29", column="rijksregisternummer"),
            Example("85.13.30-033.70"),  # month 13, right check digits
            Example("Order 12345678901 shipped"),
            Example("00000000097", column="rijksregisternummer"),
            Example("Invoice 85.07.30-033.28a"),
        ),
    )
)

ES_SSN = register(
    Detector(
        entity_type="ES_SSN",
        patterns=(
            Pattern("separated", r"\b\d{2}[/ -]\d{7,8}[/ -]\d{2}\b", 0.5),
            Pattern("bare_digits", r"\b\d{12}\b", 0.3),
        ),
        keywords=(
            "nss",
            "nuss",
            "naf",
            "seguridad social",
            "seg. social",
            "número de afiliación",
            "numero de afiliacion",
            "afiliación",
            "afiliacion",
            "seguretat social",
            "seguridade social",
            "social security",
        ),
        column_hints=(
            r"(^|_)(nss|nuss|naf|num_ss|n_ss)(_|$)",
            r"(^|_)(seguridad|seguretat|seguridade)_social(_|$)",
            r"(^|_)(num(ero)?_)?(de_)?afiliaci(o|_)n(_|$)",
            r"(^|_)(es|spanish)_(ssn|social_security(_number)?)(_|$)",
        ),
        validate=es_ssn_mod97,
        column_profile=True,  # a column passing the checksum throughout is identified by content
        mask=_mask_last4,
        requires_context=True,
        sensitivity=Sensitivity.HIGH,
        frameworks=("GDPR",),
        jurisdiction="ES",
        positives=(
            Example("28/12345678/40", column="nss"),
            Example("Número de afiliación a la Seguridad Social: 081234567869"),
            Example("NAF 23 12345678 23"),
            Example("280123456742", column="numero_seguridad_social"),
            Example("NUSS 46/09876543/07"),
        ),
        negatives=(
            Example("28/12345678/41", column="nss"),
            Example("281234567840"),  # valid, but 12 digits alone need a keyword or a column hint
            Example("NSS 77/12345678/32"),  # no such province, right check digits
            Example("281234567840", column="order_id"),
            Example("Seguridad Social 28/12345678-40"),
        ),
    )
)

UK_UTR = register(
    Detector(
        entity_type="UK_UTR",
        patterns=(Pattern("utr", r"\bK?\d{5} ?\d{5}K?\b", 0.4),),
        keywords=(
            "utr",
            "unique taxpayer reference",
            "unique tax reference",
            "taxpayer reference",
            "tax reference",
            "self assessment",
            "self-assessment",
            "corporation tax",
        ),
        column_hints=(
            r"(^|_)(sa_|ct_|self_assessment_|corporation_tax_)?utr(_no|_num(ber)?|_ref)?(_|$)",
            r"(^|_)unique_tax(payer)?_ref(erence)?(_|$)",
            r"(^|_)(self_assessment|taxpayer)_ref(erence)?(_|$)",
        ),
        validate=uk_utr_check_digit,
        column_profile=True,  # a column passing the checksum throughout is identified by content
        mask=_mask_last4,
        requires_context=True,
        # A 10-digit number anywhere in a line that mentions self assessment is not a UTR: the label comes first.
        keyword_distance=40,
        sensitivity=Sensitivity.HIGH,
        frameworks=("GDPR",),
        jurisdiction="GB",
        positives=(
            # The valid references of HMRC's own reference checker (hmrc/reference-checker).
            Example("2234567890", column="utr"),
            Example("Unique Taxpayer Reference (UTR): 21088 34503"),
            Example("Self Assessment UTR 1097172564K received"),
            Example("K2108834503", column="sa_utr"),
        ),
        negatives=(
            Example("1234567890", column="utr"),
            Example("UTR: 5550000621"),
            Example("2234567890"),  # valid, but 10 digits alone need a keyword or a column hint
            Example("Self assessment reminder sent to 1,245 customers, batch 2234567890 at 09:00 on 2024-01-31"),
            Example("2222222222", column="utr"),
            Example("UTR K2234567890K"),
        ),
    )
)

UK_DRIVING_LICENCE = register(
    Detector(
        entity_type="UK_DRIVING_LICENCE",
        patterns=(
            Pattern(
                "dvla",
                rf"\b{_UK_DRIVING_LICENCE_SURNAME}\d[0156]\d[0-3]\d{{2}}[A-Z][A-Z9]\d[A-Z]{{2}}\b",
                0.5,
            ),
        ),
        keywords=(
            "driving licence",
            "driving license",
            "driver licence",
            "driver's licence",
            "drivers licence",
            "licence number",
            "licence no",
            "dvla",
            "driver number",
            "trwydded yrru",
        ),
        column_hints=(
            r"(^|_)(uk_|gb_)?driving_licen[cs]e(_no|_num(ber)?)?(_|$)",
            r"(^|_)(dvla(_no|_num(ber)?)?|driver_number|licence_number)(_|$)",
        ),
        validate=uk_driving_licence_date,
        mask=masking.mask_keep_last(2),
        sensitivity=Sensitivity.HIGH,
        frameworks=("GDPR",),
        jurisdiction="GB",
        positives=(
            # DVLA's specimen licence (Sarah Morgan, born 11 March 1976).
            Example("MORGA753116SM9IJ", column="driving_licence_number"),
            Example("Driving licence: JONES710238HA3DX 02"),
            Example("Customer WU999802029J99AB verified"),
            Example("SMITH801012JS9AB"),
        ),
        negatives=(
            Example("MORGA754316SM9IJ", column="driving_licence_number"),  # 31 April
            Example("MORGA713116SM9IJ"),  # month 13
            Example("MORGA753006SM9IJ"),  # day 00
            Example("M9RGA753116SM9IJ"),  # padding 9 inside the surname
            Example("MORGA753116SM9IJK"),
        ),
    )
)
