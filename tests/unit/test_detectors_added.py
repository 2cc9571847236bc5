"""FI_HETU, NO_FODSELSNUMMER, BE_NATIONAL_NUMBER, ES_SSN, UK_UTR, UK_DRIVING_LICENCE, HTTP_BASIC_AUTH and
CRYPTO_WALLET: validators on exact values, maskers, declarations, and engine behaviour on look-alikes."""

from __future__ import annotations

import base64
import datetime as dt
import random
import re
import string
from collections.abc import Callable, Mapping
from typing import Any

import pyarrow as pa
import pytest

from classifiers import registry
from classifiers.config import DetectionConfig
from classifiers.detector import Sensitivity
from classifiers.detectors import credentials as c
from classifiers.detectors import europe as e
from classifiers.detectors import financial as f
from classifiers.engine import Engine
from classifiers.scoring import assess, evidence_of
from classifiers.tally import ColumnTally

Validator = Callable[[str, Mapping[str, Any]], bool]
ENGINE = Engine(DetectionConfig.default())
ADDED = (
    "FI_HETU", "NO_FODSELSNUMMER", "BE_NATIONAL_NUMBER", "ES_SSN", "UK_UTR", "UK_DRIVING_LICENCE",
    "HTTP_BASIC_AUTH", "CRYPTO_WALLET",
)  # fmt: skip


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


VALIDATOR_CASES: list[tuple[Validator, str, bool]] = [
    # Finnish henkilötunnus: 131052-308T is the example of the Digital and Population Data Services Agency.
    (e.fi_hetu_check_char_and_date, "131052-308T", True),
    (e.fi_hetu_check_char_and_date, "290200A567L", True),  # 29 February 2000
    (e.fi_hetu_check_char_and_date, "010594Y123W", True),  # 2023 sign for the 1900s
    (e.fi_hetu_check_char_and_date, "230210B3455", True),  # 2023 sign for the 2000s, digit check character
    (e.fi_hetu_check_char_and_date, "010101+123N", True),  # 1800s
    (e.fi_hetu_check_char_and_date, "311299-0029", True),
    (e.fi_hetu_check_char_and_date, "131052-9085", True),  # temporary number (900-999)
    (e.fi_hetu_check_char_and_date, "131052-308U", False),  # check character
    (e.fi_hetu_check_char_and_date, "131052-309T", False),
    (e.fi_hetu_check_char_and_date, "310252-308Y", False),  # 31 February, right check character
    (e.fi_hetu_check_char_and_date, "290201A567V", False),  # 29 February 2001, right check character
    (e.fi_hetu_check_char_and_date, "131052-001W", False),  # individual number 001, right check character
    (e.fi_hetu_check_char_and_date, "131052Z308T", False),  # no such century sign
    (e.fi_hetu_check_char_and_date, "131052-308G", False),  # G is no check character
    (e.fi_hetu_check_char_and_date, "131052-308t", False),
    (e.fi_hetu_check_char_and_date, "13105-308T", False),
    (e.fi_hetu_check_char_and_date, "١٣١٠٥٢-٣٠٨T", False),  # Arabic-Indic digits
    # Norwegian fødselsnummer: 151086 95088 is python-stdnum's example.
    (e.no_fodselsnummer_checksum_and_date, "15108695088", True),
    (e.no_fodselsnummer_checksum_and_date, "151086 95088", True),
    (e.no_fodselsnummer_checksum_and_date, "020304-90188", True),  # individual number 901, year 04: 2004
    (e.no_fodselsnummer_checksum_and_date, "01019012480", True),
    (e.no_fodselsnummer_checksum_and_date, "29020051386", True),  # 29 February 2000
    (e.no_fodselsnummer_checksum_and_date, "41019012393", True),  # D-number: 01.01.1990
    (e.no_fodselsnummer_checksum_and_date, "01015091181", True),  # 911 with year 50: 1950
    (e.no_fodselsnummer_checksum_and_date, "15108695077", False),  # first check digit
    (e.no_fodselsnummer_checksum_and_date, "15108695089", False),  # second check digit
    (e.no_fodselsnummer_checksum_and_date, "31029948987", False),  # 31 February, right check digits
    (e.no_fodselsnummer_checksum_and_date, "01015075097", False),  # 750 with year 50: never issued
    (e.no_fodselsnummer_checksum_and_date, "151086_95088", False),
    (e.no_fodselsnummer_checksum_and_date, "1510869508", False),
    # Belgian national number: python-stdnum's examples for 1985 and 2017.
    (e.be_national_number_mod97, "85073003328", True),
    (e.be_national_number_mod97, "85.07.30-033.28", True),
    (e.be_national_number_mod97, "85.07.30-033 28", True),
    (e.be_national_number_mod97, "850730-033-28", True),
    (e.be_national_number_mod97, "17073003384", True),  # born 2017: check over 2170730033
    (e.be_national_number_mod97, "00022911231", True),  # 29 February 2000
    (e.be_national_number_mod97, "60022911102", True),  # 29 February 1960
    (e.be_national_number_mod97, "85000003306", True),  # month 00: birth date unknown or counter exhausted
    (e.be_national_number_mod97, "85073003329", False),  # check digits
    (e.be_national_number_mod97, "85133003370", False),  # month 13, right check digits
    (e.be_national_number_mod97, "85023003390", False),  # 30 February, right check digits
    (e.be_national_number_mod97, "85073000061", False),  # day counter 000, right check digits
    (e.be_national_number_mod97, "00000000097", False),
    (e.be_national_number_mod97, "850730-033.28", False),  # mixed separators
    (e.be_national_number_mod97, "85.07.30.033.28", False),
    # Spanish NUSS: 28/12345678/40 is a commonly cited example; 23/12345678/23 and 12/12345678/05 are worked
    # examples of the check digits published by Spanish payroll sites.
    (e.es_ssn_mod97, "281234567840", True),
    (e.es_ssn_mod97, "28/12345678/40", True),
    (e.es_ssn_mod97, "23 12345678 23", True),
    (e.es_ssn_mod97, "121234567805", True),
    (e.es_ssn_mod97, "28/01234567/42", True),  # below 10,000,000: 28 * 10^7 + 1234567
    (e.es_ssn_mod97, "28/1234567/42", True),  # the old 7-digit form of the same number
    (e.es_ssn_mod97, "66-10203040-09", True),  # registered abroad
    (e.es_ssn_mod97, "281234567841", False),
    (e.es_ssn_mod97, "121234567821", False),
    (e.es_ssn_mod97, "280123456785", False),  # 85 would be right if the leading 0 were kept
    (e.es_ssn_mod97, "771234567832", False),  # no province 77, right check digits
    (e.es_ssn_mod97, "001234567803", False),
    (e.es_ssn_mod97, "28/12345678-40", False),
    (e.es_ssn_mod97, "28123456740", False),  # 7-digit body without separators is ambiguous
    (e.es_ssn_mod97, "280000000000", False),
    # UK UTR: the valid and invalid references of HMRC's reference checker.
    (e.uk_utr_check_digit, "2234567890", True),
    (e.uk_utr_check_digit, "2108834503", True),
    (e.uk_utr_check_digit, "1097172564", True),
    (e.uk_utr_check_digit, "2234567890K", True),
    (e.uk_utr_check_digit, "K1097172564", True),
    (e.uk_utr_check_digit, "21088 34503", True),
    (e.uk_utr_check_digit, "1234567890", False),
    (e.uk_utr_check_digit, "5550000621", False),
    (e.uk_utr_check_digit, "1234567890K", False),
    (e.uk_utr_check_digit, "K2234567890K", False),
    (e.uk_utr_check_digit, "2222222222", False),  # passes the check, but a placeholder
    (e.uk_utr_check_digit, "223456789", False),
    (e.uk_utr_check_digit, "2234-567890", False),
    (e.uk_utr_check_digit, "٢٢٣٤٥٦٧٨٩٠", False),
    # UK driving licence: MORGA753116SM9IJ is DVLA's specimen.
    (e.uk_driving_licence_date, "MORGA753116SM9IJ", True),
    (e.uk_driving_licence_date, "JONES710238HA3DX", True),
    (e.uk_driving_licence_date, "WU999802029J99AB", True),
    (e.uk_driving_licence_date, "SMITH952296JS9AB", True),  # 29 February 1996
    (e.uk_driving_licence_date, "MORGA754316SM9IJ", False),  # 31 April
    (e.uk_driving_licence_date, "MORGA713116SM9IJ", False),  # month 13
    (e.uk_driving_licence_date, "MORGA763116SM9IJ", False),  # month 63 (13 + 50)
    (e.uk_driving_licence_date, "MORGA753006SM9IJ", False),  # day 00
    (e.uk_driving_licence_date, "SMITH952297JS9AB", False),  # 29 February 1997
    (e.uk_driving_licence_date, "M9RGA753116SM9IJ", False),  # padding inside the surname
    (e.uk_driving_licence_date, "MORGA753116SM9I1", False),
    (e.uk_driving_licence_date, "morga753116sm9ij", False),
    (e.uk_driving_licence_date, "MORGA٧٥٣١١٦SM9IJ", False),
    # HTTP Basic credentials
    (c.basic_auth_credentials, "Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==", True),  # RFC 7617
    (c.basic_auth_credentials, "Basic " + _b64("deploy:s8Kd2xPq7vL"), True),
    (c.basic_auth_credentials, "Basic " + _b64(":tok-4f9k2m8q7w3x").rstrip("="), True),  # padding omitted
    (c.basic_auth_credentials, 'authorization": "Basic ' + _b64("jürgen:pässwörd-9"), True),
    (c.basic_auth_credentials, "Basic " + _b64("user:password"), False),  # placeholder
    (c.basic_auth_credentials, "Basic " + _b64("admin:"), False),  # empty password
    (c.basic_auth_credentials, "Basic " + _b64("no colon here"), False),
    (c.basic_auth_credentials, "Basic " + _b64(":xxxxxxxx"), False),
    (c.basic_auth_credentials, "Basic " + _b64("app:${APP_PASSWORD}"), False),
    (c.basic_auth_credentials, "Basic " + _b64("app:line\nbreak"), False),  # not printable
    (c.basic_auth_credentials, "Basic " + base64.b64encode(b"\xff\xfe:\x00abc").decode(), False),
    (c.basic_auth_credentials, "Basic Information", False),
    (c.basic_auth_credentials, "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ===", False),
    (c.basic_auth_credentials, "", False),
    # Bitcoin addresses: well-known legacy and P2SH addresses and the mainnet vectors of BIP-173/BIP-350.
    (f.bitcoin_address_checksum, "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", True),
    (f.bitcoin_address_checksum, "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", True),
    (f.bitcoin_address_checksum, "1NEDqZPvTWRaoho48qXuLLsrYomMXPABfD", True),
    (f.bitcoin_address_checksum, "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", True),
    (
        f.bitcoin_address_checksum,
        "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y",
        True,
    ),
    (f.bitcoin_address_checksum, "BC1SW50QGDZ25J", True),
    (f.bitcoin_address_checksum, "bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs", True),
    (f.bitcoin_address_checksum, "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0", True),
    (f.bitcoin_address_checksum, "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb", False),  # checksum
    (f.bitcoin_address_checksum, "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfN0", False),  # 0 is not Base58
    (f.bitcoin_address_checksum, "2A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", False),
    (f.bitcoin_address_checksum, "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd", False),
    (f.bitcoin_address_checksum, "BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL", False),
    (f.bitcoin_address_checksum, "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh", False),
    (f.bitcoin_address_checksum, "BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R", False),
    (f.bitcoin_address_checksum, "bc1pw5dgrnzv", False),  # 1-byte program
    (
        f.bitcoin_address_checksum,
        "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v8n0nx0muaewav253zgeav",
        False,
    ),  # 41-byte program
    (f.bitcoin_address_checksum, "BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P", False),  # 16 bytes for version 0
    (f.bitcoin_address_checksum, "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v07qwwzcrf", False),
    (f.bitcoin_address_checksum, "bc1gmk9yu", False),  # empty data
    (f.bitcoin_address_checksum, "bc1P0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0", False),
    (f.bitcoin_address_checksum, "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7", False),
]


@pytest.mark.parametrize(
    ("validator", "token", "expected"),
    [pytest.param(*case, id=f"{case[0].__name__}-{index}") for index, case in enumerate(VALIDATOR_CASES)],
)
def test_validator(validator: Validator, token: str, expected: bool) -> None:
    assert validator(token, {}) is expected


def test_validators_never_raise_on_unicode_digits() -> None:
    arabic_indic = "٠١٢٣٤٥٦٧٨٩"
    for validator in (
        e.fi_hetu_check_char_and_date,
        e.no_fodselsnummer_checksum_and_date,
        e.be_national_number_mod97,
        e.es_ssn_mod97,
        e.uk_utr_check_digit,
        e.uk_driving_licence_date,
        c.basic_auth_credentials,
        f.bitcoin_address_checksum,
    ):
        for token in (arabic_indic, arabic_indic + "٠", arabic_indic + "٠١", "1" + arabic_indic * 3, "bc1" + "٠" * 40):
            assert validator(token, {}) is False, (validator.__name__, token)


def test_birth_dates_after_today_are_rejected() -> None:
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    body = f"{tomorrow:%d%m%y}"
    hetu = f"{body}A123" + e._HETU_CHECK_CHARS[int(body + "123") % 31]
    assert e.fi_hetu_check_char_and_date(hetu, {}) is False
    be_body = f"{tomorrow:%y%m%d}123"
    assert e.be_national_number_mod97(f"{be_body}{97 - int('2' + be_body) % 97:02d}", {}) is False
    if tomorrow.year >= 2040:  # 500-999 with a year of 40 or more would read as the 1900s
        return
    for individual in range(500, 1000):  # 500-999 with a year below 40: the 2000s
        head = f"{body}{individual:03d}"
        first = e._mod11_check_digit(head, e._NO_WEIGHTS_1)
        second = None if first is None else e._mod11_check_digit(f"{head}{first}", e._NO_WEIGHTS_2)
        if second is not None:
            assert e.no_fodselsnummer_checksum_and_date(f"{head}{first}{second}", {}) is False
            break


MASKER_CASES: list[tuple[Callable[[str], str], str, str]] = [
    (e.FI_HETU.mask, "131052-308T", "*******308T"),
    (e.NO_FODSELSNUMMER.mask, "151086 95088", "********5088"),
    (e.BE_NATIONAL_NUMBER.mask, "85.07.30-033.28", "***********3.28"),
    (e.ES_SSN.mask, "28/12345678/40", "**********8/40"),
    (e.UK_UTR.mask, "2234567890", "******7890"),
    (e.UK_DRIVING_LICENCE.mask, "MORGA753116SM9IJ", "**************IJ"),
    (c.mask_basic_auth, "Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==", "Basic ****"),
    (f.mask_crypto_wallet, "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "1" + "*" * 29 + "vfNa"),
    (f.mask_crypto_wallet, "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", "BC1" + "*" * 35 + "F3T4"),
    (f.mask_crypto_wallet, "BC1SW50QGDZ25J", "BC1" + "*" * 7 + "Z25J"),
    (f.mask_crypto_wallet, "1short", "******"),
]


@pytest.mark.parametrize(
    ("masker", "value", "expected"),
    [pytest.param(*case, id=f"mask-{index}") for index, case in enumerate(MASKER_CASES)],
)
def test_masker(masker: Callable[[str], str], value: str, expected: str) -> None:
    assert masker(value) == expected


def test_masked_samples_reveal_at_most_four_characters_beyond_public_prefixes() -> None:
    for entity_type in ADDED:
        detector = registry.get(entity_type)
        for example in detector.positives:
            for pattern in detector.patterns:
                for match in re.finditer(pattern.regex, example.text, re.ASCII):
                    value, masked = match.group(), detector.mask(match.group())
                    revealed = sum(1 for a, b in zip(value, masked, strict=False) if a == b and a.isalnum())
                    # A Bitcoin address's type prefix (1, 3 or bc1) is public, like a token's ghp_.
                    if entity_type == "CRYPTO_WALLET":
                        revealed -= 3 if value[:3].lower() == "bc1" else 1
                    if entity_type == "HTTP_BASIC_AUTH":  # the scheme only, never any credential character
                        assert masked == "Basic ****"
                        continue
                    assert revealed <= 4, (entity_type, masked)


def test_declarations() -> None:
    expected = {
        "FI_HETU": ("FI", ("GDPR",), Sensitivity.HIGH, False),
        "NO_FODSELSNUMMER": ("NO", ("GDPR",), Sensitivity.HIGH, False),
        "BE_NATIONAL_NUMBER": ("BE", ("GDPR",), Sensitivity.HIGH, False),
        "ES_SSN": ("ES", ("GDPR",), Sensitivity.HIGH, True),
        "UK_UTR": ("GB", ("GDPR",), Sensitivity.HIGH, True),
        "UK_DRIVING_LICENCE": ("GB", ("GDPR",), Sensitivity.HIGH, False),
        "HTTP_BASIC_AUTH": ("GLOBAL", (), Sensitivity.HIGH, False),
        "CRYPTO_WALLET": ("GLOBAL", ("GDPR", "CCPA"), Sensitivity.MEDIUM, False),
    }
    for entity_type, (jurisdiction, frameworks, sensitivity, requires_context) in expected.items():
        detector = registry.get(entity_type)
        assert (detector.jurisdiction, detector.frameworks, detector.sensitivity, detector.requires_context) == (
            jurisdiction,
            frameworks,
            sensitivity,
            requires_context,
        ), entity_type
        assert detector.validate is not None and detector.keywords and detector.column_hints, entity_type
        assert len(detector.positives) >= 4 and len(detector.negatives) >= 4, entity_type


@pytest.mark.parametrize(
    ("column", "expected"),
    [
        ("hetu", "FI_HETU"),
        ("henkilötunnus", "FI_HETU"),
        ("Fødselsnummer", "NO_FODSELSNUMMER"),
        ("fodselsnr", "NO_FODSELSNUMMER"),
        ("rijksregisternummer", "BE_NATIONAL_NUMBER"),
        ("numéro_national", "BE_NATIONAL_NUMBER"),
        ("INSZ", "BE_NATIONAL_NUMBER"),
        ("numeroSeguridadSocial", "ES_SSN"),
        ("num_afiliación", "ES_SSN"),
        ("sa_utr", "UK_UTR"),
        ("uniqueTaxpayerReference", "UK_UTR"),
        ("driving_licence_number", "UK_DRIVING_LICENCE"),
        ("Authorization", "HTTP_BASIC_AUTH"),
        ("btc_address", "CRYPTO_WALLET"),
        ("walletAddress", "CRYPTO_WALLET"),
    ],
)
def test_column_hints(column: str, expected: str) -> None:
    assert expected in ENGINE.hinted_entities(column)


def _confidence(values: list[str], entity: str, column: str | None = None) -> float:
    tally = ColumnTally(column)
    ENGINE.scan(pa.array(values), tally)
    found = tally.entities.get(entity)
    if found is None or not found.matched_values:
        return 0.0
    return assess(evidence_of(tally, entity, has_validator=True), ENGINE.config.scoring).confidence


def _found(text: str, column: str | None = None) -> dict[str, list[str]]:
    tally = ColumnTally(column)
    ENGINE.scan(pa.array([text]), tally)
    return {entity: found.samples for entity, found in tally.entities.items() if found.matched_values}


@pytest.mark.parametrize(
    ("values", "column", "entity"),
    [
        (["131052-308T", "290200A567L", "010594Y123W", "150790-4568"], "ident", "FI_HETU"),
        (["15108695088", "01019012480", "29020051386", "41019012393"], "ident", "NO_FODSELSNUMMER"),
        (["85073003328", "17073003384", "90021512370", "02030445601"], "ident", "BE_NATIONAL_NUMBER"),
        (["85.07.30-033.28", "17.07.30-033.84"], "ident", "BE_NATIONAL_NUMBER"),
        (["281234567840", "081234567869", "460987654307"], "nss", "ES_SSN"),
        (["2234567890", "2108834503", "1097172564"], "sa_utr", "UK_UTR"),
        (["MORGA753116SM9IJ", "JONES710238HA3DX", "SMITH801012JS9AB"], "ref", "UK_DRIVING_LICENCE"),
        (["1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"], "ref", "CRYPTO_WALLET"),
        (["Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==", "Basic " + _b64("svc:W1nter!2024")], "header", "HTTP_BASIC_AUTH"),
    ],
)
def test_genuine_columns_are_reported(values: list[str], column: str, entity: str) -> None:
    assert _confidence(values * 5, entity, column) >= 0.5


def test_context_only_detectors_need_a_keyword_or_a_hint() -> None:
    assert _confidence(["2234567890", "2108834503", "1097172564"] * 10, "UK_UTR", "customer_id") == 0.0
    assert _confidence(["281234567840", "081234567869"] * 10, "ES_SSN", "order_id") == 0.0
    assert _confidence(["Your UTR is 2234567890"], "UK_UTR") >= 0.5
    assert _confidence(["NSS: 28/12345678/40"], "ES_SSN") >= 0.5


def test_utr_keyword_must_come_shortly_before_the_number() -> None:
    assert _confidence(["Self Assessment UTR: 21088 34503"], "UK_UTR") >= 0.5
    far = "Self assessment reminders went out to 1,245 customers overnight; batch 2234567890 closed"
    assert _confidence([far], "UK_UTR") == 0.0


def test_bare_eleven_digit_numbers_in_text_need_a_keyword() -> None:
    assert _confidence(["customer 15108695088 updated"], "NO_FODSELSNUMMER") < 0.5
    assert _confidence(["fødselsnummer 15108695088"], "NO_FODSELSNUMMER") >= 0.5
    assert _confidence(["customer 85073003328 updated"], "BE_NATIONAL_NUMBER") < 0.5
    assert _confidence(["rijksregisternummer 85073003328"], "BE_NATIONAL_NUMBER") >= 0.5


def test_random_eleven_digit_ids_stay_below_the_threshold() -> None:
    rng = random.Random(11)
    values = [str(rng.randint(10**10, 10**11 - 1)) for _ in range(2000)]
    assert _confidence(values, "NO_FODSELSNUMMER", "customer_ref") < 0.5
    assert _confidence(values, "BE_NATIONAL_NUMBER", "customer_ref") < 0.5


def test_date_stamped_ids_do_not_become_hetus() -> None:
    rng = random.Random(7)
    lines = [
        f"batch {rng.randint(1, 28):02d}{rng.randint(1, 12):02d}{rng.randint(0, 99):02d}-{rng.randint(0, 9999):04d} ok"
        for _ in range(1000)
    ]
    assert _confidence(lines, "FI_HETU") < 0.5
    assert _confidence([line.split()[1] for line in lines], "FI_HETU", "batch_id") < 0.5


def test_random_upper_case_codes_do_not_become_driving_licences() -> None:
    rng = random.Random(5)
    codes = ["".join(rng.choices(string.ascii_uppercase + string.digits, k=16)) for _ in range(2000)]
    assert _confidence(codes, "UK_DRIVING_LICENCE", "voucher_code") == 0.0


def test_the_word_basic_is_no_credential() -> None:
    lines = [
        "Basic Information about the product",
        "Upgrade from Basic Subscription to Premium",
        "basic understanding required",
        "BASIC PLAN",
        "Basic auth is disabled for this endpoint",
    ]
    assert "HTTP_BASIC_AUTH" not in _found("\n".join(lines))
    for line in lines:
        assert "HTTP_BASIC_AUTH" not in _found(line, column="authorization")


def test_no_sample_reveals_credentials_or_addresses() -> None:
    found = _found("GET /api Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ== 200")
    assert found["HTTP_BASIC_AUTH"] == ["Basic ****"]
    found = _found("refund to bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0")
    assert found["CRYPTO_WALLET"] == ["bc1" + "*" * 55 + "5jj0"]


def test_base64_blobs_and_hex_digests_are_no_wallets() -> None:
    rng = random.Random(3)
    blobs = [base64.b64encode(rng.randbytes(rng.randint(16, 48))).decode() for _ in range(2000)]
    md5s = ["".join(rng.choices("0123456789abcdef", k=32)) for _ in range(2000)]
    for values in (blobs, md5s, [" ".join(blobs[i : i + 5]) for i in range(0, 2000, 5)]):
        assert _confidence(values, "CRYPTO_WALLET", "payload") == 0.0
