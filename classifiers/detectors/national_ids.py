"""National identifiers of the US (beyond SSN) and of Canada, Australia, India, Singapore, Brazil and Japan."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from classifiers import masking, validators
from classifiers.detector import Detector, Example, Pattern, Sensitivity
from classifiers.registry import register

# IRS: ITIN group digits (4th and 5th) are 50-65, 70-88, 90-92 or 94-99.
_ITIN_GROUPS = frozenset([*range(50, 66), *range(70, 89), *range(90, 93), *range(94, 100)])
# IRS "How EINs are assigned and valid EIN prefixes": every other prefix belongs to a campus or the Internet.
_EIN_UNASSIGNED_PREFIXES = frozenset(
    {"00", "07", "08", "09", "17", "18", "19", "28", "29", "49", "69", "70", "78", "79", "89", "96", "97"}
)
_DEA_RE = re.compile(r"[ABCDEFGHJKLMPRSTUX][A-Z]\d{7}")
# CMS MBI letters: A-Z without S, L, O, I, B and Z.
_MBI_ALPHA = "[AC-HJKMNP-RT-Y]"
_MBI_ALNUM = "[AC-HJKMNP-RT-Y0-9]"
_MBI_RE = re.compile(rf"[1-9]{_MBI_ALPHA}{_MBI_ALNUM}\d(-?){_MBI_ALPHA}{_MBI_ALNUM}\d\1{_MBI_ALPHA}{{2}}\d{{2}}")
_PAN_RE = re.compile(r"[A-Z]{3}[ABCFGHLJPT][A-Z]\d{4}[A-Z]")
_NRIC_RE = re.compile(r"([STFGM])(\d{7})([A-Z])")
_NRIC_WEIGHTS = (2, 7, 6, 5, 4, 3, 2)
_NRIC_OFFSETS = {"S": 0, "T": 4, "F": 0, "G": 4, "M": 3}
_NRIC_LETTERS = {"S": "JZIHGFEDCBA", "T": "JZIHGFEDCBA", "F": "XWUTRQPNMLK", "G": "XWUTRQPNMLK", "M": "XWUTRQPNJLK"}
_CPF_RE = re.compile(r"\d{3}\.\d{3}\.\d{3}-\d{2}|\d{11}")
_TFN_WEIGHTS = (1, 4, 3, 7, 5, 8, 6, 9, 10)
_MEDICARE_WEIGHTS = (1, 3, 7, 9, 1, 3, 7, 9)
_MY_NUMBER_WEIGHTS = (6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
_DOCUMENT_NUMBER_RE = re.compile(r"[A-Z]?(\d{7,12})")

# Verhoeff: multiplication table of the dihedral group D5 and the position permutation table.
_VERHOEFF_D = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9), (1, 2, 3, 4, 0, 6, 7, 8, 9, 5), (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
    (3, 4, 0, 1, 2, 8, 9, 5, 6, 7), (4, 0, 1, 2, 3, 9, 5, 6, 7, 8), (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2), (7, 6, 5, 9, 8, 2, 1, 0, 4, 3), (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
    (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
)  # fmt: skip
_VERHOEFF_P = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9), (1, 5, 7, 6, 2, 8, 3, 0, 9, 4), (5, 8, 0, 3, 7, 9, 6, 1, 4, 2),
    (8, 9, 1, 6, 0, 4, 3, 5, 2, 7), (9, 4, 5, 3, 1, 2, 6, 8, 7, 0), (4, 2, 8, 6, 5, 7, 3, 9, 0, 1),
    (2, 7, 9, 3, 8, 0, 6, 4, 1, 5), (7, 0, 4, 6, 9, 1, 3, 2, 5, 8),
)  # fmt: skip


def _ungroup(token: str, sizes: tuple[int, ...], separators: str = " -") -> str | None:
    """The digits of ``token`` if it is bare or has the same one separator between all groups, else None."""
    if len(token) == sum(sizes):
        parts = [token]
    else:
        separator = token[sizes[0]] if len(token) > sizes[0] else ""
        parts = token.split(separator) if separator and separator in separators else []
        if [len(part) for part in parts] != list(sizes):
            return None
    digits = "".join(parts)
    return digits if digits.isascii() and digits.isdigit() else None


def _weighted_sum(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(char) * weight for char, weight in zip(digits, weights, strict=False))


def us_itin_group(token: str, options: Mapping[str, Any]) -> bool:
    """True for a US ITIN: ``9XX-GG-XXXX`` (separators optional, consistent) with a group the IRS assigns."""
    digits = _ungroup(token, (3, 2, 4))
    return digits is not None and digits[0] == "9" and int(digits[3:5]) in _ITIN_GROUPS


def not_placeholder_number(token: str, options: Mapping[str, Any]) -> bool:
    """True for 7-12 digits (after an optional letter; dashes ignored) that are not one repeated digit or a run."""
    match = _DOCUMENT_NUMBER_RE.fullmatch(token.replace("-", ""))
    if match is None:
        return False
    digits = match.group(1)
    return len(set(digits)) > 1 and digits not in "01234567890" and digits not in "09876543210"


def us_npi_luhn(token: str, options: Mapping[str, Any]) -> bool:
    """True for a US NPI: 10 digits starting 1 or 2 that pass Luhn with the card-issuer prefix 80840."""
    return len(token) == 10 and token[:1] in ("1", "2") and validators.luhn("80840" + token, options)


def us_dea_checksum(token: str, options: Mapping[str, Any]) -> bool:
    """True for a DEA registration number: registrant-type letter, letter, 6 digits and their check digit."""
    if _DEA_RE.fullmatch(token) is None:
        return False
    d = [int(char) for char in token[2:]]
    return (d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])) % 10 == d[6]


def us_mbi_structure(token: str, options: Mapping[str, Any]) -> bool:
    """True for a Medicare Beneficiary Identifier laid out per CMS, with both display dashes or none."""
    return _MBI_RE.fullmatch(token) is not None


def us_ein_campus_prefix(token: str, options: Mapping[str, Any]) -> bool:
    """True for an EIN ``NN-NNNNNNN`` whose two-digit prefix the IRS assigns to a campus or the Internet."""
    digits = _ungroup(token, (2, 7), "-")
    return digits is not None and len(token) == 10 and digits[:2] not in _EIN_UNASSIGNED_PREFIXES


def ca_sin_luhn(token: str, options: Mapping[str, Any]) -> bool:
    """True for a Canadian SIN: 9 digits (3-3-3), Luhn-valid, not starting 0 (unassigned) or 8 (business)."""
    digits = _ungroup(token, (3, 3, 3))
    return digits is not None and digits[0] not in "08" and validators.luhn(digits, options)


def au_tfn_mod11(token: str, options: Mapping[str, Any]) -> bool:
    """True for an Australian TFN: 8 or 9 digits whose ATO-weighted sum is divisible by 11."""
    digits = _ungroup(token, (3, 3, 3)) or _ungroup(token, (8,))
    return digits is not None and len(set(digits)) > 1 and _weighted_sum(digits, _TFN_WEIGHTS) % 11 == 0


def au_medicare_checksum(token: str, options: Mapping[str, Any]) -> bool:
    """True for an Australian Medicare card number: first digit 2-6 and the 9th digit the weighted check digit."""
    digits = _ungroup(token, (4, 5, 1), " ") or _ungroup(token, (4, 5, 2), " ")
    return (
        digits is not None and digits[0] in "23456" and _weighted_sum(digits, _MEDICARE_WEIGHTS) % 10 == int(digits[8])
    )


def in_aadhaar_verhoeff(token: str, options: Mapping[str, Any]) -> bool:
    """True for an Aadhaar number: 12 digits (4-4-4), first digit 2-9, passing the Verhoeff checksum."""
    digits = _ungroup(token, (4, 4, 4))
    if digits is None or digits[0] in "01":
        return False
    check = 0
    for position, char in enumerate(reversed(digits)):
        check = _VERHOEFF_D[check][_VERHOEFF_P[position % 8][int(char)]]
    return check == 0


def in_pan_holder_type(token: str, options: Mapping[str, Any]) -> bool:
    """True for an Indian PAN ``AAAPA9999A`` whose 4th letter is an assigned holder type and serial not 0000."""
    return _PAN_RE.fullmatch(token) is not None and token[5:9] != "0000"


def sg_nric_fin_checksum(token: str, options: Mapping[str, Any]) -> bool:
    """True for a Singapore NRIC/FIN (S, T, F, G or M series) with the right check letter."""
    match = _NRIC_RE.fullmatch(token)
    if match is None:
        return False
    prefix, digits, letter = match.groups()
    remainder = (_weighted_sum(digits, _NRIC_WEIGHTS) + _NRIC_OFFSETS[prefix]) % 11
    return _NRIC_LETTERS[prefix][remainder] == letter


def br_cpf_mod11(token: str, options: Mapping[str, Any]) -> bool:
    """True for a Brazilian CPF (``NNN.NNN.NNN-NN`` or 11 digits) with both mod-11 check digits right."""
    if _CPF_RE.fullmatch(token) is None:
        return False
    digits = [int(char) for char in re.sub(r"[.-]", "", token)]
    if len(set(digits)) == 1:
        return False
    for length in (9, 10):
        remainder = sum(d * w for d, w in zip(digits[:length], range(length + 1, 1, -1), strict=True)) % 11
        if digits[length] != (0 if remainder < 2 else 11 - remainder):
            return False
    return True


def jp_my_number_check_digit(token: str, options: Mapping[str, Any]) -> bool:
    """True for a Japanese My Number (個人番号): 12 digits whose last is the official mod-11 check digit."""
    digits = _ungroup(token, (4, 4, 4))
    if digits is None or len(set(digits)) == 1:
        return False
    remainder = _weighted_sum(digits, _MY_NUMBER_WEIGHTS) % 11
    return int(digits[11]) == (0 if remainder <= 1 else 11 - remainder)


_mask_last4 = masking.mask_keep_last(4)

US_ITIN = register(
    Detector(
        entity_type="US_ITIN",
        patterns=(
            Pattern("separated", r"\b9\d{2}[- ](?:5\d|6[0-5]|7\d|8[0-8]|9[0-24-9])[- ]\d{4}\b", 0.6),
            Pattern("bare_digits", r"\b9\d{2}(?:5\d|6[0-5]|7\d|8[0-8]|9[0-24-9])\d{4}\b", 0.2),
        ),
        keywords=("itin", "individual taxpayer", "taxpayer identification", "taxpayer id", "tin"),
        column_hints=(r"(^|_)itin(_|$)", r"(^|_)individual_taxpayer(_id(entification)?)?(_num(ber)?)?(_|$)"),
        validate=us_itin_group,
        mask=masking.mask_ssn,
        sensitivity=Sensitivity.HIGH,
        frameworks=("GLBA", "CCPA"),
        jurisdiction="US",
        positives=(
            Example("912-70-1234", column="itin"),
            Example("ITIN: 900 94 5555"),
            Example("Taxpayer filed with individual taxpayer identification number 987-65-4321"),
            Example("955501234", column="itin_number"),
            Example("Spouse ITIN 912-88-7777 attached"),
        ),
        negatives=(
            Example("536-90-4399", column="itin"),
            Example("912-93-4567"),
            Example("ITIN 912-45-6789"),
            Example("Order 934-12-3456 shipped"),
            Example("Call 912-701-2345 today"),
            Example("Born 1999-07-01", column="itin"),
        ),
    )
)

US_PASSPORT = register(
    Detector(
        entity_type="US_PASSPORT",
        patterns=(Pattern("passport", r"\b(?:\d{9}|[A-Z]\d{8})\b", 0.3),),
        keywords=("passport", "passport number", "passport no", "passport num", "pasaporte"),
        column_hints=(r"(^|_)passport(_?(no|num(ber)?|id))?(_|$)", r"(^|_)(us_passport|pasaporte)(_|$)"),
        validate=not_placeholder_number,
        mask=_mask_last4,
        requires_context=True,
        sensitivity=Sensitivity.HIGH,
        frameworks=("CCPA",),
        jurisdiction="US",
        positives=(
            Example("Passport number: 488839667"),
            Example("E12084955", column="passport_number"),
            Example("US passport no. 910239248 expires 2031"),
            Example("340020013", column="passport"),
        ),
        negatives=(
            Example("488839667"),
            Example("Passport number: 000000000"),
            Example("Passport 123456789"),
            Example("E12084955", column="order_id"),
            Example("Passport photo taken 2023-04-05, booking 48883966"),
        ),
    )
)

US_DRIVER_LICENSE = register(
    Detector(
        entity_type="US_DRIVER_LICENSE",
        patterns=(
            # A letter and 7 (CA), 8 (AZ) or 12 digits (FL, printed with dashes), or 7-9 digits (TX, PA, NY, ...).
            Pattern("letter_digits", r"\b[A-Z](?:\d{7,8}|\d{12}|\d{3}-\d{3}-\d{2}-\d{3}-\d)\b", 0.3),
            Pattern("digits", r"\b\d{7,9}\b", 0.2),
        ),
        keywords=(
            "driver license",
            "driver's license",
            "drivers license",
            "driver licence",
            "driver's licence",
            "drivers licence",
            "dl",
            "dl number",
            "dl no",
            "dln",
            "license number",
            "licence number",
        ),
        column_hints=(
            r"(^|_)(drivers?_licen[cs]e|driver_s_licen[cs]e|driving_licen[cs]e)(_|$)",
            r"(^|_)(dl|dln|dl_num(ber)?|dl_no)(_|$)",
        ),
        validate=not_placeholder_number,
        mask=_mask_last4,
        requires_context=True,
        sensitivity=Sensitivity.HIGH,
        frameworks=("CCPA",),
        jurisdiction="US",
        positives=(
            Example("Driver's license: D4821937"),
            Example("S530-460-67-312-0", column="drivers_license_number"),
            Example("DL 472038915 (NY)"),
            Example("40982713", column="dl_number"),
            Example("Driver license number W426545307610 issued in Florida"),
        ),
        negatives=(
            Example("D4821937"),
            Example("Driver license D0000000"),
            Example("DL 123456789"),
            Example("Order 47203891 shipped"),
            Example("Driver's license renewed on 2024-03-01"),
        ),
    )
)

US_NPI = register(
    Detector(
        entity_type="US_NPI",
        patterns=(Pattern("npi", r"\b[12]\d{9}\b", 0.3),),
        keywords=("npi", "national provider identifier", "national provider", "provider number", "prescriber"),
        column_hints=(r"(^|_)npi(_num(ber)?)?(_|$)", r"(^|_)national_provider(_id(entifier)?)?(_|$)"),
        validate=us_npi_luhn,
        mask=_mask_last4,
        sensitivity=Sensitivity.HIGH,
        frameworks=("HIPAA",),
        jurisdiction="US",
        positives=(
            Example("1234567893", column="npi"),
            Example("NPI 1987654328"),
            Example("Referring provider NPI: 2468135795"),
            Example("1555012347", column="provider_npi"),
        ),
        negatives=(
            Example("1234567890", column="npi"),
            Example("Call 2125550100 now"),
            Example("ts=1700000000 level=INFO"),
            Example("Order 1234567891"),
            Example("3234567893", column="npi"),
        ),
    )
)

US_DEA = register(
    Detector(
        entity_type="US_DEA",
        # Two letters and seven digits is also the shape of many passport numbers and order ids; the score stays
        # below the reporting threshold so that the checksum pass rate (or context) has to lift a finding.
        patterns=(Pattern("dea", r"\b[ABCDEFGHJKLMPRSTUX][A-Z]\d{7}\b", 0.45),),
        keywords=("dea", "dea number", "dea registration", "dea no", "prescriber", "controlled substance"),
        column_hints=(r"(^|_)dea(_?(no|num(ber)?|reg(istration)?(_num(ber)?)?|id))?(_|$)",),
        validate=us_dea_checksum,
        mask=_mask_last4,
        sensitivity=Sensitivity.HIGH,
        frameworks=("HIPAA",),
        jurisdiction="US",
        positives=(
            Example("AB1234563", column="dea_number"),
            Example("DEA# FS7654329"),
            Example("Prescriber DEA MJ1928374 verified"),
            Example("BX5550125"),
        ),
        negatives=(
            Example("AB1234567", column="dea_number"),
            Example("IB1234563"),
            Example("SKU ZZ1234563"),
            Example("Order AB12345634"),
            Example("Ticket BA1234560 raised 2024-05-01"),
        ),
    )
)

US_MBI = register(
    Detector(
        entity_type="US_MBI",
        patterns=(
            Pattern(
                "mbi",
                rf"\b[1-9]{_MBI_ALPHA}{_MBI_ALNUM}\d-?{_MBI_ALPHA}{_MBI_ALNUM}\d-?{_MBI_ALPHA}{{2}}\d{{2}}\b",
                0.7,
            ),
        ),
        keywords=("mbi", "medicare beneficiary", "medicare id", "medicare number", "beneficiary id", "medicare"),
        column_hints=(
            r"(^|_)mbi(_|$)",
            r"(^|_)medicare(_beneficiary)?_(id(entifier)?|num(ber)?|no)(_|$)",
        ),
        validate=us_mbi_structure,
        mask=_mask_last4,
        sensitivity=Sensitivity.HIGH,
        frameworks=("HIPAA",),
        jurisdiction="US",
        positives=(
            Example("1EG4-TE5-MK73", column="mbi"),
            Example("Medicare ID 1EG4TE5MK73"),
            Example("2QR7-W81-YP45"),
            Example("Beneficiary 5KJ2-XN3-RT09 enrolled", column="notes"),
        ),
        negatives=(
            Example("1EG4-TE5MK73", column="mbi"),
            Example("0EG4-TE5-MK73"),
            Example("1SG4-TE5-MK73"),
            Example("1EG4-TE5-MK7"),
            Example("Order 1EGX-TE5-MK73 shipped 2024-05-01"),
        ),
    )
)

US_EIN = register(
    Detector(
        entity_type="US_EIN",
        patterns=(Pattern("dashed", r"\b\d{2}-\d{7}\b", 0.4),),
        keywords=("ein", "fein", "employer identification", "employer id", "federal tax id", "tax id"),
        column_hints=(
            r"(^|_)f?ein(_num(ber)?)?(_|$)",
            r"(^|_)(employer_id(entification)?(_num(ber)?)?|federal_tax_id|tax_id)(_|$)",
        ),
        validate=us_ein_campus_prefix,
        mask=_mask_last4,
        sensitivity=Sensitivity.MEDIUM,
        frameworks=("GLBA",),
        jurisdiction="US",
        positives=(
            Example("12-3456789", column="ein"),
            Example("EIN 94-1234567"),
            Example("Employer identification number: 46-0986531"),
            Example("81-4422187", column="fein"),
        ),
        negatives=(
            Example("07-1234567", column="ein"),
            Example("00-0000000"),
            Example("Ticket 89-1234567"),
            Example("SSN 536-90-4399"),
            Example("Build 2024-1234567 on 2024-05-01"),
        ),
    )
)

CA_SIN = register(
    Detector(
        entity_type="CA_SIN",
        patterns=(
            Pattern("separated", r"\b\d{3}[- ]\d{3}[- ]\d{3}\b", 0.5),
            Pattern("bare_digits", r"\b\d{9}\b", 0.2),
        ),
        keywords=("sin", "social insurance", "social insurance number", "assurance sociale"),
        column_hints=(
            r"(^|_)sin(_num(ber)?|_no)?(_|$)",
            r"(^|_)(social_insurance(_num(ber)?)?|numero_assurance_sociale)(_|$)",
        ),
        validate=ca_sin_luhn,
        mask=_mask_last4,
        sensitivity=Sensitivity.HIGH,
        frameworks=(),
        jurisdiction="CA",
        positives=(
            Example("130 692 544", column="sin"),
            Example("SIN: 464-542-869"),
            Example("Social insurance number 712 345 677"),
            Example("923456784", column="social_insurance_number"),
        ),
        negatives=(
            Example("046 454 286", column="sin"),
            Example("130 692 545"),
            Example("130-692 544"),
            Example("812 345 674", column="sin"),
            Example("Call 416 555 0123"),
            Example("Order 130692545 placed 2024-05-01"),
        ),
    )
)

AU_TFN = register(
    Detector(
        entity_type="AU_TFN",
        patterns=(
            Pattern("separated", r"\b\d{3}[- ]\d{3}[- ]\d{3}\b", 0.5),
            Pattern("bare_digits", r"\b\d{8,9}\b", 0.2),
        ),
        keywords=("tfn", "tax file number", "tax file no", "tax file"),
        column_hints=(r"(^|_)tfn(_|$)", r"(^|_)tax_file(_num(ber)?|_no)?(_|$)"),
        validate=au_tfn_mod11,
        mask=_mask_last4,
        sensitivity=Sensitivity.HIGH,
        frameworks=(),
        jurisdiction="AU",
        positives=(
            Example("123 456 782", column="tfn"),
            Example("TFN: 876 543 210"),
            Example("Tax file number 456789127"),
            Example("12345679", column="tax_file_number"),
        ),
        negatives=(
            Example("123 456 789", column="tfn"),
            Example("999 999 999"),
            Example("123-456 782"),
            Example("Invoice 12345678"),
            Example("Mobile 0412 345 678"),
        ),
    )
)

AU_MEDICARE = register(
    Detector(
        entity_type="AU_MEDICARE",
        patterns=(Pattern("medicare", r"\b[2-6]\d{3} ?\d{5} ?\d{1,2}\b", 0.3),),
        keywords=("medicare", "medicare card", "medicare number", "medicare no", "irn"),
        column_hints=(r"(^|_)medicare(_card)?(_num(ber)?|_no)?(_|$)",),
        validate=au_medicare_checksum,
        mask=_mask_last4,
        sensitivity=Sensitivity.HIGH,
        frameworks=(),
        jurisdiction="AU",
        positives=(
            Example("2123 45670 1", column="medicare_number"),
            Example("Medicare card 2950 81935 2"),
            Example("3456789081"),
            Example("5123 43215 31", column="medicare"),
        ),
        negatives=(
            Example("2123 45671 1", column="medicare_number"),
            Example("7123 45670 1"),
            Example("1234567890"),
            Example("Mobile 0412 345 678"),
            Example("Order 2123456711"),
        ),
    )
)

IN_AADHAAR = register(
    Detector(
        entity_type="IN_AADHAAR",
        patterns=(
            # Neighbouring 4-digit groups are part of the token, so the first 12 digits of a 4x4 card-like number
            # are seen (and rejected) as one 16-digit value rather than read as an Aadhaar number.
            Pattern("separated", r"\b(?:\d{4}[- ])*[2-9]\d{3}[- ]\d{4}[- ]\d{4}(?:[- ]\d{4})*\b", 0.6),
            Pattern("bare_digits", r"\b[2-9]\d{11}\b", 0.3),
        ),
        keywords=("aadhaar", "aadhar", "adhaar", "uidai", "aadhaar number", "aadhaar no"),
        column_hints=(r"(^|_)(aadhaa?r|adhaar|uidai)(_|$)",),
        validate=in_aadhaar_verhoeff,
        mask=_mask_last4,
        sensitivity=Sensitivity.HIGH,
        frameworks=(),
        jurisdiction="IN",
        positives=(
            Example("2345 6789 0124", column="aadhaar"),
            Example("Aadhaar: 4998-1234-5673"),
            Example("876543210988"),
            Example("UIDAI number 2991 8765 4322"),
        ),
        negatives=(
            Example("2345 6789 0123", column="aadhaar"),
            Example("1234 5678 9012"),
            Example("2345-6789 0124"),
            Example("Call +91 98765 43210"),
            Example("Order 234567890123"),
            Example("Voucher 2345-6789-0124-5678"),
        ),
    )
)

IN_PAN = register(
    Detector(
        entity_type="IN_PAN",
        # 38 % of random codes of this shape have a valid holder-type letter, so a column of such codes must not
        # reach the threshold on shape alone; real PANs pass the validator and earn its boost.
        patterns=(Pattern("pan", r"\b[A-Z]{5}\d{4}[A-Z]\b", 0.5),),
        keywords=("pan", "pan card", "pan number", "pan no", "permanent account number", "income tax"),
        column_hints=(r"(^|_)pan(_card)?(_num(ber)?|_no)?(_|$)", r"(^|_)permanent_account_num(ber)?(_|$)"),
        validate=in_pan_holder_type,
        mask=_mask_last4,
        sensitivity=Sensitivity.HIGH,
        frameworks=(),
        jurisdiction="IN",
        positives=(
            Example("ABCPE1234F", column="pan"),
            Example("PAN: AAACB1234C"),
            Example("Permanent account number BNZPM2501F"),
            Example("AFZPK7190K"),
        ),
        negatives=(
            Example("ABCDE1234F", column="pan"),
            Example("ABCPE0000F"),
            Example("XYZQW9999Z"),
            Example("abcpe1234f"),
            Example("Order ABCPE12345 shipped"),
        ),
    )
)

SG_NRIC_FIN = register(
    Detector(
        entity_type="SG_NRIC_FIN",
        patterns=(Pattern("nric_fin", r"\b[STFGM]\d{7}[A-Z]\b", 0.8),),
        keywords=("nric", "fin", "uin", "ic number", "ic no", "identity card", "foreign identification number"),
        column_hints=(r"(^|_)(nric|fin|uin|nric_fin|uinfin)(_|$)", r"(^|_)ic_(no|num(ber)?)(_|$)"),
        validate=sg_nric_fin_checksum,
        mask=_mask_last4,
        sensitivity=Sensitivity.HIGH,
        frameworks=(),
        jurisdiction="SG",
        positives=(
            Example("S1234567D", column="nric"),
            Example("NRIC: T0123456G"),
            Example("FIN F1234567N issued"),
            Example("G7654321L"),
            Example("M5012345J", column="fin"),
        ),
        negatives=(
            Example("S1234567A", column="nric"),
            Example("M5012345M"),
            Example("T1234567D"),
            Example("A1234567D"),
            Example("S123456D"),
        ),
    )
)

BR_CPF = register(
    Detector(
        entity_type="BR_CPF",
        patterns=(
            Pattern("formatted", r"\b\d{3}\.\d{3}\.\d{3}-\d{2}\b", 0.6),
            Pattern("bare_digits", r"\b\d{11}\b", 0.2),
        ),
        keywords=("cpf", "cadastro de pessoas físicas", "cadastro de pessoa física", "contribuinte"),
        column_hints=(r"(^|_)(cpf|nr_cpf|num_cpf|numero_cpf|cpf_cnpj)(_|$)",),
        validate=br_cpf_mod11,
        mask=_mask_last4,
        sensitivity=Sensitivity.HIGH,
        frameworks=(),
        jurisdiction="BR",
        positives=(
            Example("111.444.777-35", column="cpf"),
            Example("CPF: 529.982.247-25"),
            Example("12345678909", column="cpf"),
            Example("Cliente CPF 390.533.447-05"),
        ),
        negatives=(
            Example("111.111.111-11", column="cpf"),
            Example("111.444.777-36"),
            Example("123.456.789-00"),
            Example("12345678900", column="order_id"),
            Example("Call 11987654321"),
        ),
    )
)

JP_MY_NUMBER = register(
    Detector(
        entity_type="JP_MY_NUMBER",
        patterns=(Pattern("my_number", r"\b(?:\d{4}[- ])*\d{4}[- ]?\d{4}[- ]?\d{4}(?:[- ]\d{4})*\b", 0.3),),
        # The engine's RE2 keyword search uses ASCII \b, so the Japanese keywords only match next to ASCII
        # letters or digits; the romanised and English forms carry most of the context.
        keywords=("my number", "mynumber", "マイナンバー", "個人番号", "kojin bango", "individual number"),
        column_hints=(r"(^|_)(my_?number|kojin_bango|individual_number)(_|$)",),
        validate=jp_my_number_check_digit,
        column_profile=True,  # a column passing the checksum throughout is identified by content
        mask=_mask_last4,
        requires_context=True,
        sensitivity=Sensitivity.HIGH,
        frameworks=(),
        jurisdiction="JP",
        positives=(
            Example("123456789018", column="my_number"),
            Example("My Number 9876 5432 1093"),
            Example("kojin bango 555123456787"),
            Example("314159265352", column="kojin_bango"),
        ),
        negatives=(
            Example("123456789018", column="order_id"),
            Example("My Number 123456789012"),
            Example("my number 000000000000"),
            Example("My number is 03-1234-5678"),
            Example("My number 4111-1111-1111-1112"),
        ),
    )
)
