"""Built-in detectors: every declared example through the engine, and the validators and maskers directly."""

from __future__ import annotations

import ipaddress
import itertools
import re
from collections.abc import Callable, Mapping
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from classifiers import masking, registry, validators
from classifiers.detector import Detector, Example
from classifiers.engine import Engine
from classifiers.tally import ColumnTally
from tests.helpers import with_ner

DETECTORS = registry.all_detectors()


ENGINE = Engine(with_ner())  # NER on, so that the NER detectors' (LOCATION) examples can be found


def finds(detector: Detector, example: Example) -> bool:
    """True when the engine accepts a match of ``detector`` in the example (a one-value column or text line).

    This is the production path: vectorized candidate pass, validators, overlap resolution and context.
    """
    tally = ColumnTally(example.column)
    ENGINE.scan(pa.array([example.text]), tally)
    entity = tally.entities.get(detector.entity_type)
    return entity is not None and entity.matched_values > 0


def _example_cases() -> list[Any]:
    cases: list[Any] = []
    for detector in DETECTORS:
        for expected, examples in ((True, detector.positives), (False, detector.negatives)):
            kind = "pos" if expected else "neg"
            for index, example in enumerate(examples):
                cases.append(pytest.param(detector, example, expected, id=f"{detector.entity_type}-{kind}{index}"))
    return cases


@pytest.mark.parametrize(("detector", "example", "expected"), _example_cases())
def test_detector_examples(detector: Detector, example: Example, expected: bool) -> None:
    assert finds(detector, example) is expected


def test_expected_detectors_are_registered_with_enough_examples() -> None:
    assert [detector.entity_type for detector in DETECTORS] == [
        "ABA_ROUTING_NUMBER", "AU_MEDICARE", "AU_TFN", "AWS_ACCESS_KEY", "AWS_SECRET_KEY", "BE_NATIONAL_NUMBER",
        "BR_CPF", "CARD_CVV", "CARD_EXPIRY", "CA_SIN", "CREDIT_CARD", "CRYPTO_WALLET", "DATE_OF_BIRTH",
        "DE_ID_CARD", "DE_TAX_ID", "EMAIL_ADDRESS", "ES_NIE", "ES_NIF", "ES_SSN", "EU_VAT", "FI_HETU", "FR_NIR",
        "GEO_COORDINATES", "GITHUB_TOKEN", "GOOGLE_API_KEY", "HTTP_BASIC_AUTH", "IBAN_CODE", "IN_AADHAAR",
        "IN_PAN", "IP_ADDRESS", "IT_FISCAL_CODE", "JP_MY_NUMBER", "JWT", "LOCATION", "MAC_ADDRESS", "NL_BSN",
        "NO_FODSELSNUMMER", "PASSWORD_IN_URL", "PERSON", "PHONE_NUMBER", "PL_PESEL", "POSTAL_ADDRESS",
        "PRIVATE_KEY", "SE_PERSONNUMMER", "SG_NRIC_FIN", "SLACK_TOKEN", "STRIPE_KEY", "SWIFT_CODE",
        "UK_BANK_ACCOUNT", "UK_DRIVING_LICENCE", "UK_NHS", "UK_NINO", "UK_PASSPORT", "UK_SORT_CODE", "UK_UTR",
        "US_BANK_NUMBER", "US_DEA", "US_DRIVER_LICENSE", "US_EIN", "US_ITIN", "US_MBI", "US_NPI",
        "US_PASSPORT", "US_SSN", "VEHICLE_VIN",
    ]  # fmt: skip
    for detector in DETECTORS:
        assert len(detector.positives) >= 4 and len(detector.negatives) >= 4, detector.entity_type
        assert detector.jurisdiction and detector.sensitivity, detector.entity_type


@pytest.mark.parametrize(
    "regex",
    [
        pytest.param(pattern.regex, id=f"{detector.entity_type}-{pattern.name}")
        for detector in DETECTORS
        for pattern in detector.patterns
    ],
)
def test_pattern_compiles_in_python_re_and_re2(regex: str) -> None:
    re.compile(regex)
    assert "(?P<" not in regex
    pc.match_substring_regex(pa.array(["x"]), pattern=regex)


PHONE_OPTIONS: Mapping[str, Any] = {"regions": ("US", "GB", "DE", "FR")}

VALIDATOR_CASES: list[tuple[Callable[[str, Mapping[str, Any]], bool], str, bool]] = [
    (validators.luhn, "4111111111111111", True),
    (validators.luhn, "79927398713", True),
    (validators.luhn, "4111 1111 1111 1111", True),
    (validators.luhn, "4111111111111112", False),
    (validators.luhn, "4111a11111111111", False),
    (validators.credit_card, "4111111111111111", True),
    (validators.credit_card, "5555555555554444", True),
    (validators.credit_card, "2223003122003222", True),
    (validators.credit_card, "378282246310005", True),
    (validators.credit_card, "6011111111111117", True),
    (validators.credit_card, "3530111333300000", True),
    (validators.credit_card, "30569309025904", True),
    (validators.credit_card, "6200000000000005", True),
    (validators.credit_card, "5555-5555-5555-4444", True),
    (validators.credit_card, "1234567812345670", False),
    (validators.credit_card, "0000000000000000", False),
    (validators.credit_card, "411111111111111", False),
    (validators.credit_card, "4111111111111112", False),
    (validators.us_ssn, "536-90-4399", True),
    (validators.us_ssn, "536 90 4399", True),
    (validators.us_ssn, "536904399", True),
    (validators.us_ssn, "536-90 4399", False),
    (validators.us_ssn, "078-05-1120", False),
    (validators.us_ssn, "219-09-9999", False),
    (validators.us_ssn, "123-45-6789", False),
    (validators.us_ssn, "000-12-3456", False),
    (validators.us_ssn, "666-12-3456", False),
    (validators.us_ssn, "900-12-3456", False),
    (validators.us_ssn, "536-00-4399", False),
    (validators.us_ssn, "536-90-0000", False),
    (validators.iban, "GB82WEST12345698765432", True),
    (validators.iban, "GB82 WEST 1234 5698 7654 32", True),
    (validators.iban, "DE89370400440532013000", True),
    (validators.iban, "FR1420041010050500013M02606", True),
    (validators.iban, "NL91ABNA0417164300", True),
    (validators.iban, "ES9121000418450200051332", True),
    (validators.iban, "IT60X0542811101000000123456", True),
    (validators.iban, "CH9300762011623852957", True),
    (validators.iban, "NO9386011117947", True),
    (validators.iban, "MT84MALT011000012345MTLCAST001S", True),
    (validators.iban, "GB82WEST12345698765433", False),
    (validators.iban, "GB82WEST1234569876543", False),
    (validators.iban, "GB82 WEST12 345698765432", False),
    (validators.iban, "XX82WEST12345698765432", False),
    (validators.iban, "gb82west12345698765432", False),
    (validators.ipv4, "192.168.10.25", True),
    (validators.ipv4, "127.0.0.1", True),
    (validators.ipv4, "0.0.0.0", False),
    (validators.ipv4, "255.255.255.255", False),
    (validators.ipv4, "01.02.03.04", False),
    (validators.ipv4, "1.2.3.4.5", False),
    (validators.ipv4, "256.1.1.1", False),
    (validators.ipv6, "2001:db8::8a2e:370:7334", True),
    (validators.ipv6, "::1", True),
    (validators.ipv6, "::", False),
    (validators.ipv6, "12:30:45", False),
    (validators.ipv6, "2001:db8:::1", False),
    (validators.ip_address, "10.0.0.1", True),
    (validators.ip_address, "fe80::1ff:fe23:4567:890a", True),
    (validators.ip_address, "10.0.19045.1234", False),
    (validators.aws_access_key, "AKIAIOSFODNN7EXAMPLE", True),
    (validators.aws_access_key, "ASIAY34FZKBOKMUTVV7A", True),
    (validators.aws_access_key, "AKIAAAAAAAAAAAAAAAAA", False),
    (validators.aws_access_key, "AKIAiosfodnn7example", False),
    (validators.aws_access_key, "AKIA1234567890123456", False),
    (validators.aws_access_key, "ABCDIOSFODNN7EXAMPLE", False),
    (validators.aba_routing, "021000021", True),
    (validators.aba_routing, "011000015", True),
    (validators.aba_routing, "026009593", True),
    (validators.aba_routing, "123456789", False),
    (validators.aba_routing, "021000022", False),
    (validators.aba_routing, "000000000", False),
    (validators.aba_routing, "400000010", False),
    (validators.uk_nino, "JG103759A", True),
    (validators.uk_nino, "JG 10 37 59 A", True),
    (validators.uk_nino, "AB123456C", True),
    (validators.uk_nino, "QQ123456C", False),
    (validators.uk_nino, "DA123456A", False),
    (validators.uk_nino, "AO123456A", False),
    (validators.uk_nino, "NK123456A", False),
    (validators.uk_nino, "JG103759E", False),
    (validators.date_of_birth, "1985-03-12", True),
    (validators.date_of_birth, "1985/03/12", True),
    (validators.date_of_birth, "31/12/1985", True),
    (validators.date_of_birth, "12/31/1985", True),
    (validators.date_of_birth, "12.03.1985", True),
    (validators.date_of_birth, "12 March 1985", True),
    (validators.date_of_birth, "March 12, 1985", True),
    (validators.date_of_birth, "Sept 1, 1985", True),
    (validators.date_of_birth, "1985-02-30", False),
    (validators.date_of_birth, "12/31.1985", False),
    (validators.date_of_birth, "1899-12-31", False),
    (validators.date_of_birth, "2099-01-01", False),
    (validators.date_of_birth, "12 Marc 1985", False),
    (validators.email, "jane.doe@example.com", True),
    (validators.email, "j.smith+billing@mail.example.co.uk", True),
    (validators.email, "jane..doe@example.com", False),
    (validators.email, "user@-example.com", False),
    (validators.email, "user@example.c0m", False),
    (validators.email, "user@example.c", False),
    (validators.phone_number, "+44 20 7946 0958", True),
    (validators.phone_number, "0044 20 7946 0958", True),
    (validators.phone_number, "(212) 736-5000", True),
    (validators.phone_number, "+49 30 901820", True),
    (validators.phone_number, "020 7946 0958", True),
    (validators.phone_number, "1000234567", False),
    (validators.phone_number, "123-456", False),
    (validators.phone_number, "+44 20 7946 0958 1234 5678", False),
]


@pytest.mark.parametrize(
    ("validator", "token", "expected"),
    [pytest.param(*case, id=f"{case[0].__name__}-{case[1]}") for case in VALIDATOR_CASES],
)
def test_validator(validator: Callable[[str, Mapping[str, Any]], bool], token: str, expected: bool) -> None:
    assert validator(token, PHONE_OPTIONS) is expected


def test_iban_lengths_cover_every_sepa_country() -> None:
    sepa = {
        "AD", "AL", "AT", "BE", "BG", "CH", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GB", "GI", "GR", "HR",
        "HU", "IE", "IS", "IT", "LI", "LT", "LU", "LV", "MC", "MD", "ME", "MK", "MT", "NL", "NO", "PL", "PT", "RO",
        "SE", "SI", "SK", "SM", "VA",
    }  # fmt: skip
    assert sepa - validators.IBAN_LENGTHS.keys() == set()


def test_phone_number_regions_option_restricts_national_numbers() -> None:
    assert validators.phone_number("020 7946 0958", {"regions": ("GB",)}) is True
    assert validators.phone_number("020 7946 0958", {"regions": ("US",)}) is False


MASKER_CASES: list[tuple[Callable[[str], str], str, str]] = [
    (masking.mask_email, "jane.doe@example.com", "j***@example.com"),
    (masking.mask_email, "a@b.co", "a***@b.co"),
    (masking.mask_email, "jo@1234567.example", "j***@*******.example"),
    (masking.mask_card, "4111111111111111", "****-****-****-1111"),
    (masking.mask_card, "3782-822463-10005", "****-****-****-0005"),
    (masking.mask_ssn, "536-90-4399", "***-**-4399"),
    (masking.mask_ssn, "536904399", "***-**-4399"),
    (masking.mask_phone, "+1 (415) 555-0187", "+* (***) ***-**87"),
    (masking.mask_phone, "+44 20 7946 0958", "+** ** **** **58"),
    (masking.mask_iban, "GB82WEST12345698765432", "GB****************5432"),
    (masking.mask_iban, "DE89 3704 0044 0532 0130 00", "DE****************3000"),
    (masking.mask_ipv4, "192.168.10.25", "*.*.*.25"),
    (masking.mask_ipv6, "2001:db8::8a2e:370:7334", "****:****:****:****:****:****:****:7334"),
    (masking.mask_ip_address, "::1", "****:****:****:****:****:****:****:1"),
    (masking.mask_ip_address, "10.0.0.1", "*.*.*.1"),
    (masking.mask_aws_access_key, "AKIAIOSFODNN7EXAMPLE", "AKIA****************"),
    (masking.mask_aba_routing, "021000021", "*****0021"),
    (masking.mask_nino, "AB123456C", "********C"),
    (masking.mask_nino, "JG 10 37 59 A", "********A"),
    (masking.mask_date, "1985-03-12", "****-**-**"),
    (masking.mask_date, "12 March 1985", "** ***** ****"),
    (masking.mask_keep_last(2), "abcdef", "****ef"),
    (masking.mask_keep_last(4), "123", "***"),
]


@pytest.mark.parametrize(
    ("masker", "value", "expected"),
    [pytest.param(*case, id=f"{getattr(case[0], '__name__', 'mask')}-{case[1]}") for case in MASKER_CASES],
)
def test_masker(masker: Callable[[str], str], value: str, expected: str) -> None:
    assert masker(value) == expected


def test_mask_keep_last_refuses_to_reveal_five_characters() -> None:
    with pytest.raises(ValueError, match="0 to 4"):
        masking.mask_keep_last(5)


def _leaks_digits(value: str, masked: str) -> bool:
    digits = re.sub(r"\D", "", value)
    return any(digits[start : start + 5] in masked for start in range(len(digits) - 4))


def _masked_samples() -> list[Any]:
    samples = [pytest.param(masker, value, id=f"table-{value}") for masker, value, _ in MASKER_CASES]
    for detector in DETECTORS:
        for index, example in enumerate(detector.positives):
            for pattern in detector.patterns:
                for match in re.finditer(pattern.regex, example.text, re.ASCII):
                    samples.append(
                        pytest.param(detector.mask, match.group(), id=f"{detector.entity_type}-{index}-{pattern.name}")
                    )
    return samples


@pytest.mark.parametrize(("masker", "value"), _masked_samples())
def test_masked_sample_never_reveals_the_value(masker: Callable[[str], str], value: str) -> None:
    masked = masker(value)
    assert masked != value
    assert not _leaks_digits(value, masked), masked


def test_the_detector_catalogue_in_docs_is_current() -> None:
    from pathlib import Path

    from classifiers.catalog import catalogue

    documented = (Path(__file__).resolve().parents[2] / "docs" / "detectors.md").read_text()
    assert documented == catalogue(), "regenerate with: python -m classifiers.catalog > docs/detectors.md"


def test_ipv4_checks_the_octets_exactly_as_the_ipaddress_module() -> None:
    """validators.ipv4 checks octets in place; every form of octet, four at a time, gets ipaddress's answer."""

    def reference(token: str) -> bool:
        if any(len(octet) > 1 and octet.startswith("0") for octet in token.split(".")):
            return False
        try:
            return str(ipaddress.IPv4Address(token)) not in ("0.0.0.0", "255.255.255.255")
        except ValueError:
            return False

    forms = [
        "0",
        "00",
        "1",
        "01",
        "10",
        "99",
        "199",
        "249",
        "250",
        "255",
        "256",
        "999",
        "1000",
        "",
        "a",
        " 1",
        "+1",
        "٣",
    ]
    tokens = [".".join(octets) for octets in itertools.product(forms, repeat=4)]
    tokens += ["1.2.3", "1.2.3.4.5", "", "1.2.3.4\n", "１.2.3.4"]
    assert [validators.ipv4(token, {}) for token in tokens] == [reference(token) for token in tokens]
    assert sum(validators.ipv4(token, {}) for token in tokens) > 1000
