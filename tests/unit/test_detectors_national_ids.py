"""National identifiers outside Europe: every validator on exact values, and how the detectors are declared."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

import pytest

from classifiers import validators
from classifiers.detector import Detector, Sensitivity
from classifiers.detectors import national_ids as n

Validator = Callable[[str, Mapping[str, Any]], bool]

VALID: list[tuple[Validator, str]] = [
    (n.us_itin_group, "912-70-1234"),
    (n.us_itin_group, "900 94 5555"),
    (n.us_itin_group, "955501234"),
    (n.us_itin_group, "987-65-4321"),
    (n.us_itin_group, "999-99-9999"),
    (n.not_placeholder_number, "488839667"),
    (n.not_placeholder_number, "E12084955"),
    (n.not_placeholder_number, "D4821937"),
    (n.not_placeholder_number, "S530-460-67-312-0"),
    (n.not_placeholder_number, "W426545307610"),
    (n.us_npi_luhn, "1234567893"),
    (n.us_npi_luhn, "1987654328"),
    (n.us_npi_luhn, "2468135795"),
    (n.us_dea_checksum, "AB1234563"),
    (n.us_dea_checksum, "FS7654329"),
    (n.us_dea_checksum, "MJ1928374"),
    (n.us_dea_checksum, "BX5550125"),
    (n.us_mbi_structure, "1EG4-TE5-MK73"),
    (n.us_mbi_structure, "1EG4TE5MK73"),
    (n.us_mbi_structure, "2QR7-W81-YP45"),
    (n.us_mbi_structure, "9AA0A00AA00"),
    (n.us_ein_campus_prefix, "12-3456789"),
    (n.us_ein_campus_prefix, "94-1234567"),
    (n.us_ein_campus_prefix, "01-0000001"),
    (n.us_ein_campus_prefix, "99-9999999"),
    (n.ca_sin_luhn, "130 692 544"),
    (n.ca_sin_luhn, "464-542-869"),
    (n.ca_sin_luhn, "923456784"),
    (n.au_tfn_mod11, "123 456 782"),
    (n.au_tfn_mod11, "876 543 210"),
    (n.au_tfn_mod11, "456-789-127"),
    (n.au_tfn_mod11, "12345679"),
    (n.au_medicare_checksum, "2123 45670 1"),
    (n.au_medicare_checksum, "2123456701"),
    (n.au_medicare_checksum, "5123 43215 31"),
    (n.au_medicare_checksum, "51234321531"),
    (n.in_aadhaar_verhoeff, "2345 6789 0124"),
    (n.in_aadhaar_verhoeff, "4998-1234-5673"),
    (n.in_aadhaar_verhoeff, "876543210988"),
    (n.in_pan_holder_type, "ABCPE1234F"),
    (n.in_pan_holder_type, "AAACB1234C"),
    (n.in_pan_holder_type, "BNZPM2501F"),
    (n.in_pan_holder_type, "AAATT0001T"),
    (n.sg_nric_fin_checksum, "S1234567D"),
    (n.sg_nric_fin_checksum, "T0123456G"),
    (n.sg_nric_fin_checksum, "F1234567N"),
    (n.sg_nric_fin_checksum, "G7654321L"),
    (n.sg_nric_fin_checksum, "M5012345J"),
    (n.br_cpf_mod11, "111.444.777-35"),
    (n.br_cpf_mod11, "529.982.247-25"),
    (n.br_cpf_mod11, "12345678909"),
    (n.br_cpf_mod11, "98765432100"),
    (n.jp_my_number_check_digit, "123456789018"),
    (n.jp_my_number_check_digit, "9876 5432 1093"),
    (n.jp_my_number_check_digit, "5551-2345-6787"),
    (n.jp_my_number_check_digit, "314159265352"),
    (n.jp_my_number_check_digit, "4111-1111-1111"),
]

INVALID: list[tuple[Validator, str]] = [
    (n.us_itin_group, "536-90-4399"),
    (n.us_itin_group, "912-93-4567"),
    (n.us_itin_group, "912-66-4567"),
    (n.us_itin_group, "912-89-4567"),
    (n.us_itin_group, "912-49-4567"),
    (n.us_itin_group, "912-70 1234"),
    (n.us_itin_group, "9127-01234"),
    (n.not_placeholder_number, "000000000"),
    (n.not_placeholder_number, "123456789"),
    (n.not_placeholder_number, "987654321"),
    (n.not_placeholder_number, "D0000000"),
    (n.not_placeholder_number, "A12345678"),
    (n.not_placeholder_number, "48883"),
    (n.us_npi_luhn, "1234567890"),
    (n.us_npi_luhn, "3234567893"),
    (n.us_npi_luhn, "1700000000"),
    (n.us_npi_luhn, "123456789"),
    (n.us_dea_checksum, "AB1234567"),
    (n.us_dea_checksum, "IB1234563"),
    (n.us_dea_checksum, "ZB1234563"),
    (n.us_dea_checksum, "A11234563"),
    (n.us_dea_checksum, "ab1234563"),
    (n.us_mbi_structure, "1EG4-TE5MK73"),
    (n.us_mbi_structure, "0EG4-TE5-MK73"),
    (n.us_mbi_structure, "1SG4-TE5-MK73"),
    (n.us_mbi_structure, "1EGA-TE5-MK73"),
    (n.us_mbi_structure, "1EG4-TE5-MK7"),
    (n.us_ein_campus_prefix, "07-1234567"),
    (n.us_ein_campus_prefix, "00-0000000"),
    (n.us_ein_campus_prefix, "89-1234567"),
    (n.us_ein_campus_prefix, "96-1234567"),
    (n.us_ein_campus_prefix, "123456789"),
    (n.us_ein_campus_prefix, "12 3456789"),
    (n.ca_sin_luhn, "046 454 286"),
    (n.ca_sin_luhn, "130 692 545"),
    (n.ca_sin_luhn, "130-692 544"),
    (n.ca_sin_luhn, "812 345 674"),
    (n.ca_sin_luhn, "13069254"),
    (n.au_tfn_mod11, "123 456 789"),
    (n.au_tfn_mod11, "123-456 782"),
    (n.au_tfn_mod11, "12345678"),
    (n.au_tfn_mod11, "000000000"),
    (n.au_tfn_mod11, "1234567"),
    (n.au_medicare_checksum, "2123 45671 1"),
    (n.au_medicare_checksum, "7123 45670 1"),
    (n.au_medicare_checksum, "1123456701"),
    (n.au_medicare_checksum, "2123 456701"),
    (n.au_medicare_checksum, "2123-45670-1"),
    (n.in_aadhaar_verhoeff, "2345 6789 0123"),
    (n.in_aadhaar_verhoeff, "1234 5678 9012"),
    (n.in_aadhaar_verhoeff, "2345-6789 0124"),
    (n.in_aadhaar_verhoeff, "23456789012"),
    (n.in_aadhaar_verhoeff, "2345-6789-0124-5678"),
    (n.in_pan_holder_type, "ABCDE1234F"),
    (n.in_pan_holder_type, "XYZQW9999Z"),
    (n.in_pan_holder_type, "ABCPE0000F"),
    (n.in_pan_holder_type, "abcpe1234f"),
    (n.in_pan_holder_type, "ABCPE12345"),
    (n.sg_nric_fin_checksum, "S1234567A"),
    (n.sg_nric_fin_checksum, "T1234567D"),
    (n.sg_nric_fin_checksum, "M5012345M"),
    (n.sg_nric_fin_checksum, "A1234567D"),
    (n.sg_nric_fin_checksum, "S123456D"),
    (n.br_cpf_mod11, "111.111.111-11"),
    (n.br_cpf_mod11, "111.444.777-36"),
    (n.br_cpf_mod11, "123.456.789-00"),
    (n.br_cpf_mod11, "111.444.77735"),
    (n.br_cpf_mod11, "12345678900"),
    (n.jp_my_number_check_digit, "123456789012"),
    (n.jp_my_number_check_digit, "000000000000"),
    (n.jp_my_number_check_digit, "9876 5432-1093"),
    (n.jp_my_number_check_digit, "12345678901"),
    (n.jp_my_number_check_digit, "4111-1111-1111-1112"),
]


@pytest.mark.parametrize(
    ("validator", "token"), [pytest.param(*case, id=f"{case[0].__name__}-{case[1]}") for case in VALID]
)
def test_validator_accepts(validator: Validator, token: str) -> None:
    assert validator(token, {}) is True


@pytest.mark.parametrize(
    ("validator", "token"), [pytest.param(*case, id=f"{case[0].__name__}-{case[1]}") for case in INVALID]
)
def test_validator_rejects(validator: Validator, token: str) -> None:
    assert validator(token, {}) is False


def test_itin_and_ssn_are_disjoint() -> None:
    assert validators.us_ssn("536-90-4399", {}) and not n.us_itin_group("536-90-4399", {})
    assert n.us_itin_group("912-70-1234", {}) and not validators.us_ssn("912-70-1234", {})


def test_every_itin_group_is_accepted_and_no_other() -> None:
    accepted = {group for group in range(100) if n.us_itin_group(f"900-{group:02d}-1234", {})}
    assert accepted == set(range(50, 66)) | set(range(70, 89)) | {90, 91, 92} | set(range(94, 100))


def test_m_series_nric_differs_from_fin_only_at_remainder_8() -> None:
    # M5012345: weighted sum 60 + offset 3 = 63, remainder 8, where the M table has J and F/G have M.
    assert n.sg_nric_fin_checksum("M5012345J", {})
    assert not n.sg_nric_fin_checksum("F5012345J", {})


DETECTORS = [
    n.US_ITIN, n.US_PASSPORT, n.US_DRIVER_LICENSE, n.US_NPI, n.US_DEA, n.US_MBI, n.US_EIN, n.CA_SIN, n.AU_TFN,
    n.AU_MEDICARE, n.IN_AADHAAR, n.IN_PAN, n.SG_NRIC_FIN, n.BR_CPF, n.JP_MY_NUMBER,
]  # fmt: skip


def test_declarations() -> None:
    by_type = {detector.entity_type: detector for detector in DETECTORS}
    assert {t for t, d in by_type.items() if d.requires_context} == {"US_PASSPORT", "US_DRIVER_LICENSE", "JP_MY_NUMBER"}
    assert {t for t, d in by_type.items() if d.sensitivity is not Sensitivity.HIGH} == {"US_EIN"}
    assert {d.jurisdiction for d in DETECTORS} == {"US", "CA", "AU", "IN", "SG", "BR", "JP"}
    assert all(d.frameworks == () for d in DETECTORS if d.jurisdiction != "US")
    assert all(d.validate is not None for d in DETECTORS)


@pytest.mark.parametrize("detector", [pytest.param(d, id=d.entity_type) for d in DETECTORS])
def test_masked_positives_show_at_most_four_characters(detector: Detector) -> None:
    for example in detector.positives:
        for pattern in detector.patterns:
            for match in re.finditer(pattern.regex, example.text, re.ASCII):
                masked = detector.mask(match.group())
                assert len(masked.replace("*", "").replace("-", "")) <= 4, masked
