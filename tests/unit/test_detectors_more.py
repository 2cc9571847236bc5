"""Financial, personal and network detectors added later: validators and maskers on exact values, and scoring."""

from __future__ import annotations

import itertools
import re
import string
import time
from collections.abc import Callable, Mapping
from typing import Any

import phonenumbers
import pyarrow as pa
import pytest

from classifiers import registry
from classifiers.config import DetectionConfig
from classifiers.detector import Sensitivity
from classifiers.detectors import financial as f
from classifiers.detectors import network as net
from classifiers.detectors import personal as p
from classifiers.engine import Engine
from classifiers.scoring import Evidence, assess
from classifiers.tally import ColumnTally

Validator = Callable[[str, Mapping[str, Any]], bool]

VALIDATOR_CASES: list[tuple[Validator, str, bool]] = [
    # BIC / SWIFT
    (f.bic_iso9362, "DEUTDEFF", True),
    (f.bic_iso9362, "DEUTDEFF500", True),
    (f.bic_iso9362, "NWBKGB2L", True),
    (f.bic_iso9362, "CHASUS33XXX", True),
    (f.bic_iso9362, "BNPAFRPP", True),
    (f.bic_iso9362, "ETHNGRAA", True),  # doubled-letter location
    (f.bic_iso9362, "DEUTDEF0", True),  # test BIC: second location character 0
    (f.bic_iso9362, "RBKOXKPR", True),  # Kosovo uses XK
    (f.bic_iso9362, "DATABASE", False),
    (f.bic_iso9362, "HOSPITAL", False),
    (f.bic_iso9362, "ABSTRACT", False),  # RA is no country
    (f.bic_iso9362, "CUSTOMER", False),
    (f.bic_iso9362, "DEUTXXFF", False),
    (f.bic_iso9362, "DEUTDE0F", False),  # location never starts with 0
    (f.bic_iso9362, "SERVER01", False),  # ... nor with 1
    (f.bic_iso9362, "DEUTDEFO", False),  # second location character is never the letter O
    (f.bic_iso9362, "deutdeff", False),
    (f.bic_iso9362, "DEUTDEFF50", False),
    (f.bic_iso9362, "DEU1DEFF", False),
    # UK sort code
    (f.uk_sort_code_format, "40-47-84", True),
    (f.uk_sort_code_format, "20-00-00", True),
    (f.uk_sort_code_format, "01-40-47-84-12", False),
    (f.uk_sort_code_format, "404784", False),
    (f.uk_sort_code_format, "40-47-8", False),
    (f.uk_sort_code_format, "40 47 84", False),
    # card expiry
    (f.card_expiry_month_year, "09/27", True),
    (f.card_expiry_month_year, "12/2026", True),
    (f.card_expiry_month_year, "01/30", True),
    (f.card_expiry_month_year, "13/25", False),
    (f.card_expiry_month_year, "00/25", False),
    (f.card_expiry_month_year, "12/25/2026", False),
    (f.card_expiry_month_year, "3/12/25", False),
    (f.card_expiry_month_year, "12/1999", False),
    (f.card_expiry_month_year, "1/25", False),
    # coordinates
    (p.latitude_longitude, "51.5072, -0.1276", True),
    (p.latitude_longitude, "48.8566,2.3522", True),
    (p.latitude_longitude, "-33.8688, 151.2093", True),
    (p.latitude_longitude, "40.712776 , -74.005974", True),
    (p.latitude_longitude, "90.0000, -180.0000", True),
    (p.latitude_longitude, "91.1234, 10.1234", False),
    (p.latitude_longitude, "45.1234, -181.1234", False),
    (p.latitude_longitude, "51.5, 0.12", False),
    (p.latitude_longitude, "51.507, -0.1276", False),
    (p.latitude_longitude, "0.0000, 0.0000", False),
    (p.latitude_longitude, "0.0123, -0.0456, 0.0789", False),
    (p.latitude_longitude, "1234.5678, 9.1234", False),
    # VIN (1M8GDM9AXKP042788 is the ISO 3779 example with check digit X)
    (p.vin_check_digit, "1M8GDM9AXKP042788", True),
    (p.vin_check_digit, "1HGCM82633A004352", True),
    (p.vin_check_digit, "JH4KA7561PC008269", True),
    (p.vin_check_digit, "5YJ3E1EA2KF317000", True),
    (p.vin_check_digit, "1M8GDM9A1KP042788", False),
    (p.vin_check_digit, "5YJ3E1EA7KF317000", False),
    (p.vin_check_digit, "11111111111111111", False),  # passes the check digit, but no VIN is all digits
    (p.vin_check_digit, "1M8GDM9AXKP04278", False),
    (p.vin_check_digit, "1M8GDM9AXKP0427O8", False),
    (p.vin_check_digit, "1m8gdm9axkp042788", False),
    # MAC
    (net.mac_address, "00:1a:2b:3c:4d:5e", True),
    (net.mac_address, "3C-22-FB-9A-10-7E", True),
    (net.mac_address, "0050.5612.34ab", True),
    (net.mac_address, "AC:DE:48:00:11:22", True),
    (net.mac_address, "00:00:00:00:00:00", False),
    (net.mac_address, "FF:FF:FF:FF:FF:FF", False),
    (net.mac_address, "ff-ff-ff-ff-ff-ff", False),
    (net.mac_address, "00:1a-2b:3c:4d:5e", False),
    (net.mac_address, "2024.0601.1030", False),
    (net.mac_address, "20:01:0d:b8:00:00:00:01", False),
    (net.mac_address, "00:1a:2b:3c:4d", False),
    (net.mac_address, "0g:1a:2b:3c:4d:5e", False),
]


@pytest.mark.parametrize(
    ("validator", "token", "expected"),
    [pytest.param(*case, id=f"{case[0].__name__}-{case[1]}") for case in VALIDATOR_CASES],
)
def test_validator(validator: Validator, token: str, expected: bool) -> None:
    assert validator(token, {}) is expected


MASKER_CASES: list[tuple[Callable[[str], str], str, str]] = [
    (f.mask_bic, "DEUTDEFF", "****DE**"),
    (f.mask_bic, "DEUTDEFF500", "****DE*****"),
    (f.mask_bic, "DEUTDE", "******"),
    (p.mask_coordinates, "51.5072, -0.1276", "**.****, -*.****"),
    (p.mask_address, "12 rue de la Paix", "** *** ** ** ****"),
    (p.mask_address, "Hauptstraße 5", "*********** *"),
    (net.mask_mac_address, "00:1a:2b:3c:4d:5e", "**:**:**:**:**:5e"),
    (net.mask_mac_address, "0050.5612.34ab", "****.****.**ab"),
    (net.mask_mac_address, "3C-22-FB-9A-10-7E", "**-**-**-**-**-7E"),
]


@pytest.mark.parametrize(
    ("masker", "value", "expected"),
    [pytest.param(*case, id=f"{case[0].__name__}-{case[1]}") for case in MASKER_CASES],
)
def test_masker(masker: Callable[[str], str], value: str, expected: str) -> None:
    assert masker(value) == expected


def test_declarations() -> None:
    expected = {
        "SWIFT_CODE": ("GLOBAL", ("GLBA",), Sensitivity.MEDIUM, False),
        "US_BANK_NUMBER": ("US", ("GLBA",), Sensitivity.HIGH, True),
        "UK_SORT_CODE": ("GB", ("GLBA",), Sensitivity.MEDIUM, True),
        "UK_BANK_ACCOUNT": ("GB", ("GLBA",), Sensitivity.HIGH, True),
        "CARD_EXPIRY": ("GLOBAL", ("PCI_DSS",), Sensitivity.MEDIUM, True),
        "CARD_CVV": ("GLOBAL", ("PCI_DSS",), Sensitivity.HIGH, True),
        "GEO_COORDINATES": ("GLOBAL", ("GDPR",), Sensitivity.MEDIUM, False),
        "VEHICLE_VIN": ("GLOBAL", ("CCPA",), Sensitivity.MEDIUM, False),
        "POSTAL_ADDRESS": ("GLOBAL", ("GDPR", "CCPA"), Sensitivity.MEDIUM, True),
        "MAC_ADDRESS": ("GLOBAL", (), Sensitivity.LOW, False),
    }
    for entity_type, (jurisdiction, frameworks, sensitivity, requires_context) in expected.items():
        detector = registry.get(entity_type)
        assert (detector.jurisdiction, detector.frameworks, detector.sensitivity, detector.requires_context) == (
            jurisdiction,
            frameworks,
            sensitivity,
            requires_context,
        ), entity_type
        assert len(detector.positives) >= 4 and len(detector.negatives) >= 4, entity_type


def test_country_codes_are_iso_3166_alpha2() -> None:
    assert len(f.ISO_3166_ALPHA2) == 250  # 249 assigned codes + XK
    assert {"GB", "DE", "US", "XK", "AQ", "BV"} <= f.ISO_3166_ALPHA2
    assert not {"UK", "EU", "XX", "AC", "TA"} & f.ISO_3166_ALPHA2
    # phonenumbers' regions are ISO codes too, plus Ascension (AC) and Tristan da Cunha (TA).
    assert set(phonenumbers.SUPPORTED_REGIONS) - f.ISO_3166_ALPHA2 == {"AC", "TA"}


def test_country_alternation_matches_exactly_the_codes() -> None:
    regex = re.compile(f._BIC_COUNTRY)
    for first, second in itertools.product(string.ascii_uppercase, repeat=2):
        code = first + second
        assert (regex.fullmatch(code) is not None) is (code in f.ISO_3166_ALPHA2), code


ENGINE = Engine(DetectionConfig.default())
ADDED = (
    "SWIFT_CODE", "US_BANK_NUMBER", "UK_SORT_CODE", "UK_BANK_ACCOUNT", "CARD_EXPIRY", "CARD_CVV",
    "GEO_COORDINATES", "VEHICLE_VIN", "POSTAL_ADDRESS", "MAC_ADDRESS",
)  # fmt: skip


def _confidence(entity_type: str, values: list[str], column: str | None) -> float:
    """Confidence the engine's evidence earns for ``entity_type`` (0.0 when nothing was accepted)."""
    tally = ColumnTally(column)
    ENGINE.scan(pa.array(values), tally)
    found = tally.entities.get(entity_type)
    if found is None or not found.matched_values:
        return 0.0
    detector = registry.get(entity_type)
    evidence = Evidence(
        tally.values_seen,
        found.matched_values,
        found.candidates,
        found.validated,
        len(found.value_hashes),
        found.keyword_values,
        found.best_score,
        entity_type in tally.column_hints,
        detector.validate is not None,
        column is None,
    )
    return assess(evidence, ENGINE.config.scoring).confidence


def test_all_letter_bics_need_context_to_be_reported() -> None:
    # Capitalised words that pass the validator (BUSINESS, SHUTDOWN) must not make a finding on their own.
    assert 0.0 < _confidence("SWIFT_CODE", ["BUSINESS", "SHUTDOWN"] * 50, "segment") < 0.5
    assert _confidence("SWIFT_CODE", ["DEUTDEFF", "BNPAFRPP", "COBADEFF"] * 20, "swift_code") >= 0.5
    assert _confidence("SWIFT_CODE", ["NWBKGB2L", "BARCGB22", "CHASUS33XXX"] * 20, "bank") >= 0.5


def test_context_only_detectors_ignore_unhinted_numeric_columns() -> None:
    assert _confidence("CARD_CVV", [str(n) for n in range(100, 1000)], "count") == 0.0
    assert _confidence("CARD_CVV", [str(n) for n in range(1990, 2031)], "year") == 0.0
    assert _confidence("CARD_EXPIRY", ["12/25", "01/2030", "06/27"] * 10, "created_at") == 0.0
    assert _confidence("US_BANK_NUMBER", [str(10**9 + n) for n in range(100)], "order_id") == 0.0
    assert _confidence("CARD_CVV", [str(n) for n in range(100, 200)], "cvv") >= 0.5


def test_keyword_must_come_shortly_before_the_value() -> None:
    assert _confidence("CARD_CVV", ["CVV: 123"], None) > 0.0
    assert _confidence("CARD_CVV", ["Order 1234 shipped, CVV check failed"], None) == 0.0
    assert _confidence("POSTAL_ADDRESS", ["Meet me at 10 Downing Street"], None) == 0.0
    assert _confidence("POSTAL_ADDRESS", ["Shipping address: 10 Downing Street"], None) >= 0.5


def test_coordinate_pattern_rejects_long_vectors_quickly() -> None:
    embedding = "[" + ", ".join(f"{(n % 200 - 100) / 137:.6f}" for n in range(5000)) + "]"
    started = time.perf_counter()
    assert _confidence("GEO_COORDINATES", [embedding], None) == 0.0
    assert time.perf_counter() - started < 2.0


def test_masked_samples_reveal_at_most_four_characters() -> None:
    for entity_type in ADDED:
        detector = registry.get(entity_type)
        for example in detector.positives:
            for pattern in detector.patterns:
                for match in re.finditer(pattern.regex, example.text, re.ASCII):
                    masked = detector.mask(match.group())
                    revealed = sum(1 for a, b in zip(match.group(), masked, strict=False) if a == b and a.isalnum())
                    assert revealed <= 4, (entity_type, masked)
