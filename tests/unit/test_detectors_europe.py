"""UK and EU national identifiers: validators on exact values, the VAT masker, and engine behaviour on look-alikes."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Mapping
from typing import Any

import pyarrow as pa
import pytest

from classifiers import validators
from classifiers.config import DetectionConfig
from classifiers.detectors import europe
from classifiers.engine import Engine
from classifiers.scoring import Evidence, assess
from classifiers.tally import ColumnTally

ENGINE = Engine(DetectionConfig.default())

VALIDATOR_CASES: list[tuple[Callable[[str, Mapping[str, Any]], bool], str, bool]] = [
    (europe.nhs_number_mod11, "9434765919", True),
    (europe.nhs_number_mod11, "943 476 5919", True),
    (europe.nhs_number_mod11, "943-476-5870", True),
    (europe.nhs_number_mod11, "4010232137", True),
    (europe.nhs_number_mod11, "9434765918", False),
    (europe.nhs_number_mod11, "9434765871", False),
    (europe.nhs_number_mod11, "943 476-5919", False),
    (europe.nhs_number_mod11, "0000000000", False),
    (europe.nhs_number_mod11, "1234567890", False),  # check digit would be 10
    (europe.nhs_number_mod11, "943476591", False),
    (europe.uk_passport_number_shape, "925665416", True),
    (europe.uk_passport_number_shape, "107185703", True),
    (europe.uk_passport_number_shape, "999999999", False),
    (europe.uk_passport_number_shape, "121212121", False),
    (europe.uk_passport_number_shape, "12345678", False),
    (europe.uk_passport_number_shape, "12345678A", False),
    (europe.de_tax_id_mod11_10, "36574261809", True),
    (europe.de_tax_id_mod11_10, "36 574 261 809", True),
    (europe.de_tax_id_mod11_10, "86095742719", True),
    (europe.de_tax_id_mod11_10, "12345678995", True),
    (europe.de_tax_id_mod11_10, "36574261890", False),  # check digit
    (europe.de_tax_id_mod11_10, "36554266806", False),  # two digits repeated
    (europe.de_tax_id_mod11_10, "06574261809", False),  # leading zero
    (europe.de_tax_id_mod11_10, "12345678903", False),  # no digit repeated
    (europe.de_tax_id_mod11_10, "365 742 618 09", False),
    (europe.de_id_card_check_digit, "T220001293", True),
    (europe.de_id_card_check_digit, "L01X00T471", True),
    (europe.de_id_card_check_digit, "L01X00T47", True),
    (europe.de_id_card_check_digit, "LZ6311T475", True),
    (europe.de_id_card_check_digit, "T220001294", False),
    (europe.de_id_card_check_digit, "A22000129", False),  # A is not in the serial alphabet
    (europe.de_id_card_check_digit, "1T2200012", False),  # must start with a letter
    (europe.de_id_card_check_digit, "LMNPRTVWX", False),  # no digit: a word, not a serial
    (europe.de_id_card_check_digit, "L01X00T4", False),
    (europe.fr_nir_key_mod97, "295109912611193", True),
    (europe.fr_nir_key_mod97, "2 95 10 99 126 111 93", True),
    (europe.fr_nir_key_mod97, "253072B07300470", True),
    (europe.fr_nir_key_mod97, "253072A07300443", True),
    (europe.fr_nir_key_mod97, "1 85 05 78 006 084 91", True),
    (europe.fr_nir_key_mod97, "295109912611199", False),
    (europe.fr_nir_key_mod97, "253072C07300443", False),
    (europe.fr_nir_key_mod97, "253072A07300470", False),  # key of 2B under 2A
    (europe.fr_nir_key_mod97, "395109912611193", False),  # first digit
    (europe.es_dni_letter, "12345678Z", True),
    (europe.es_dni_letter, "54362315-K", True),
    (europe.es_dni_letter, "54362315 K", True),
    (europe.es_dni_letter, "00000023T", True),
    (europe.es_dni_letter, "54362315Z", False),
    (europe.es_dni_letter, "12345678A", False),
    (europe.es_dni_letter, "00000000T", False),
    (europe.es_dni_letter, "1234567Z", False),
    (europe.es_nie_letter, "X2482300W", True),
    (europe.es_nie_letter, "X-5253868-R", True),
    (europe.es_nie_letter, "Y1234567X", True),
    (europe.es_nie_letter, "Z7654321H", True),
    (europe.es_nie_letter, "X2482300A", False),
    (europe.es_nie_letter, "Y1234567Z", False),
    (europe.es_nie_letter, "W2482300W", False),
    (europe.es_nie_letter, "X248230W", False),
    (europe.it_fiscal_code_check_char, "RSSMRA85T10A562S", True),
    (europe.it_fiscal_code_check_char, "RCCMNL83S18D969H", True),
    (europe.it_fiscal_code_check_char, "MRTMTT91D08F205J", True),
    (europe.it_fiscal_code_check_char, "RSSMRA85T10A56NH", True),  # omocodia: 2 -> N
    (europe.it_fiscal_code_check_char, "RSSMRA85T10A562T", False),
    (europe.it_fiscal_code_check_char, "RSSMRA85Z10A562S", False),  # Z is not a month letter
    (europe.it_fiscal_code_check_char, "RSSMRA85T32A562S", False),  # day 32
    (europe.it_fiscal_code_check_char, "rssmra85t10a562s", False),
    (europe.nl_bsn_11_proof, "111222333", True),
    (europe.nl_bsn_11_proof, "1112.22.333", True),
    (europe.nl_bsn_11_proof, "123456782", True),
    (europe.nl_bsn_11_proof, "999990019", True),
    (europe.nl_bsn_11_proof, "123456789", False),
    (europe.nl_bsn_11_proof, "1112.52.333", False),
    (europe.nl_bsn_11_proof, "000000000", False),
    (europe.nl_bsn_11_proof, "1112.22333", False),
    (europe.pl_pesel_checksum_and_date, "44051401359", True),
    (europe.pl_pesel_checksum_and_date, "02070803628", True),
    (europe.pl_pesel_checksum_and_date, "90090515836", True),
    (europe.pl_pesel_checksum_and_date, "02270803624", True),  # 2002, month + 20
    (europe.pl_pesel_checksum_and_date, "44051401358", False),
    (europe.pl_pesel_checksum_and_date, "02381307589", False),  # month 38: 2100s, month 18
    (europe.pl_pesel_checksum_and_date, "44023001356", False),  # 30 February, valid check digit
    (europe.pl_pesel_checksum_and_date, "12345678901", False),
    (europe.se_personnummer_luhn_and_date, "811218-9876", True),
    (europe.se_personnummer_luhn_and_date, "19121212-1212", True),
    (europe.se_personnummer_luhn_and_date, "198112189876", True),
    (europe.se_personnummer_luhn_and_date, "121212+1212", True),
    (europe.se_personnummer_luhn_and_date, "701063-2391", True),  # samordningsnummer: day 03 + 60
    (europe.se_personnummer_luhn_and_date, "880320-0016", True),
    (europe.se_personnummer_luhn_and_date, "811218-9877", False),
    (europe.se_personnummer_luhn_and_date, "811318-9876", False),
    (europe.se_personnummer_luhn_and_date, "880320-0018", False),
    (europe.se_personnummer_luhn_and_date, "209912121212", False),  # born in the future
    (europe.se_personnummer_luhn_and_date, "811232-9876", False),
    (europe.eu_vat_number_checksum, "ATU13585627", True),
    (europe.eu_vat_number_checksum, "AT U13585627", True),
    (europe.eu_vat_number_checksum, "ATU13585626", False),
    (europe.eu_vat_number_checksum, "BE0428759497", True),
    (europe.eu_vat_number_checksum, "BE0428759498", False),
    (europe.eu_vat_number_checksum, "DE136695976", True),
    (europe.eu_vat_number_checksum, "DE 136695976", True),
    (europe.eu_vat_number_checksum, "DE136695978", False),
    (europe.eu_vat_number_checksum, "DK13585628", True),
    (europe.eu_vat_number_checksum, "DK13585627", False),
    (europe.eu_vat_number_checksum, "ESB64717838", True),
    (europe.eu_vat_number_checksum, "ES54362315K", True),
    (europe.eu_vat_number_checksum, "ESX5253868R", True),
    (europe.eu_vat_number_checksum, "ESM1234567L", True),
    (europe.eu_vat_number_checksum, "ESJ99216582", True),
    (europe.eu_vat_number_checksum, "ESB64717839", False),
    (europe.eu_vat_number_checksum, "FI20774740", True),
    (europe.eu_vat_number_checksum, "FI20774741", False),
    (europe.eu_vat_number_checksum, "FR40303265045", True),
    (europe.eu_vat_number_checksum, "FR23334175221", True),
    (europe.eu_vat_number_checksum, "FRK7399859412", True),
    (europe.eu_vat_number_checksum, "FR41303265045", False),
    (europe.eu_vat_number_checksum, "FRIO334175221", False),
    (europe.eu_vat_number_checksum, "IE6433435F", True),
    (europe.eu_vat_number_checksum, "IE6433435OA", True),
    (europe.eu_vat_number_checksum, "IE8D79739I", True),
    (europe.eu_vat_number_checksum, "IE6433435E", False),
    (europe.eu_vat_number_checksum, "IT00743110157", True),
    (europe.eu_vat_number_checksum, "IT00743110158", False),
    (europe.eu_vat_number_checksum, "LU15027442", True),
    (europe.eu_vat_number_checksum, "LU15027443", False),
    (europe.eu_vat_number_checksum, "NL004495445B01", True),
    (europe.eu_vat_number_checksum, "NL002455799B11", True),  # 2020+ mod 97 format
    (europe.eu_vat_number_checksum, "NL123456789B90", False),
    (europe.eu_vat_number_checksum, "NL004495445B00", False),
    (europe.eu_vat_number_checksum, "PL8567346215", True),
    (europe.eu_vat_number_checksum, "PL8567346216", False),
    (europe.eu_vat_number_checksum, "PT501964843", True),
    (europe.eu_vat_number_checksum, "PT501964842", False),
    (europe.eu_vat_number_checksum, "SE123456789701", True),
    (europe.eu_vat_number_checksum, "SE123456789101", False),
    (europe.eu_vat_number_checksum, "GB980780684", True),
    (europe.eu_vat_number_checksum, "GB 980780684", True),
    (europe.eu_vat_number_checksum, "GB980780684001", True),
    (europe.eu_vat_number_checksum, "XI980780684", True),
    (europe.eu_vat_number_checksum, "GB802311781", False),
    (europe.eu_vat_number_checksum, "GB999999999", False),
    (europe.eu_vat_number_checksum, "DE89370400440532013000", False),  # an IBAN
    (europe.eu_vat_number_checksum, "US136695976", False),
]


@pytest.mark.parametrize(
    ("validator", "token", "expected"),
    [pytest.param(*case, id=f"{case[0].__name__}-{case[1]}") for case in VALIDATOR_CASES],
)
def test_validator(validator: Callable[[str, Mapping[str, Any]], bool], token: str, expected: bool) -> None:
    assert validator(token, {}) is expected


def test_pesel_and_personnummer_reject_birth_dates_after_today() -> None:
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    century_month = tomorrow.month + {1900: 0, 2000: 20, 2100: 40}[tomorrow.year // 100 * 100]
    head = f"{tomorrow.year % 100:02d}{century_month:02d}{tomorrow.day:02d}1234"
    weights = (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)
    pesel = head + str((10 - sum(w * int(d) for w, d in zip(weights, head, strict=True)) % 10) % 10)
    assert europe.pl_pesel_checksum_and_date(pesel, {}) is False
    digits = f"{tomorrow:%y%m%d}123"
    luhn_digit = next(d for d in "0123456789" if validators.luhn(digits + d, {}))
    assert europe.se_personnummer_luhn_and_date(f"{tomorrow:%Y%m%d}123{luhn_digit}", {}) is False


def test_validators_never_raise_on_unicode_digits() -> None:
    arabic_indic = "٩٤٣٤٧٦٥٩١٩"
    for validator in (
        europe.nhs_number_mod11,
        europe.uk_passport_number_shape,
        europe.de_tax_id_mod11_10,
        europe.nl_bsn_11_proof,
        europe.pl_pesel_checksum_and_date,
        europe.se_personnummer_luhn_and_date,
        europe.eu_vat_number_checksum,
    ):
        assert validator(arabic_indic, {}) is False
        assert validator("DE" + arabic_indic[:9], {}) is False


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("DE136695976", "DE*******76"),
        ("GB 980780684", "GB*******84"),
        ("NL002455799B11", "NL**********11"),
        ("ATU13585627", "AT*******27"),
        ("DE1234", "******"),
    ],
)
def test_mask_vat_number(value: str, expected: str) -> None:
    assert europe.mask_vat_number(value) == expected


def _confidence(lines: list[str], entity: str, column: str | None = None) -> float:
    tally = ColumnTally(column)
    ENGINE.scan(pa.array(lines), tally)
    found = tally.entities.get(entity)
    if found is None or not found.matched_values:
        return 0.0
    detector = next(d for d in ENGINE.detectors if d.entity_type == entity)
    evidence = Evidence(
        tally.values_seen,
        found.matched_values,
        found.candidates,
        found.validated,
        len(found.value_hashes),
        found.keyword_values,
        found.best_score,
        entity in tally.column_hints,
        detector.validate is not None,
        column is None,
    )
    return assess(evidence, ENGINE.config.scoring).confidence


@pytest.mark.parametrize(
    "iban", ["DE89370400440532013000", "DE89 3704 0044 0532 0130 00", "PL61109010140000071219812874"]
)
def test_iban_is_neither_a_tax_id_nor_a_vat_number(iban: str) -> None:
    for column in (None, "steuer_id", "vat_number", "pesel"):
        tally = ColumnTally(column)
        ENGINE.scan(pa.array([f"Steuer-ID VAT PESEL {iban}"]), tally)
        for entity in ("DE_TAX_ID", "EU_VAT", "PL_PESEL", "UK_NHS", "NL_BSN"):
            found = tally.entities.get(entity)
            assert found is None or found.matched_values == 0, (iban, column, entity)


def test_us_phone_numbers_in_text_do_not_become_nhs_numbers() -> None:
    rng = random.Random(7)
    lines = [
        f"callback to {rng.randint(200, 999)}-{rng.randint(200, 999)}-{rng.randint(0, 9999):04d}" for _ in range(400)
    ]
    assert _confidence(lines, "UK_NHS") < 0.5


def test_date_stamped_ids_in_text_do_not_become_personnummer() -> None:
    rng = random.Random(7)
    lines = [
        f"order ORD-24{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}-{rng.randint(0, 9999):04d} shipped"
        for _ in range(400)
    ]
    lines += [
        f"wrote backup-2024{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}-{rng.randint(0, 2359):04d}.tgz"
        for _ in range(400)
    ]
    assert _confidence(lines, "SE_PERSONNUMMER") < 0.5


def test_random_eleven_digit_ids_stay_below_the_threshold() -> None:
    rng = random.Random(7)
    values = [str(rng.randint(10**10, 10**11 - 1)) for _ in range(1000)]
    assert _confidence(values, "PL_PESEL", "customer_ref") < 0.5
    assert _confidence(values, "DE_TAX_ID", "customer_ref") == 0.0


@pytest.mark.parametrize(
    ("values", "column", "entity"),
    [
        (["943 476 5919", "401 023 2137", "943-476-5870"], "patient_ref", "UK_NHS"),
        (["9434765919", "4010232137"], "nhs_number", "UK_NHS"),
        (["811218-9876", "121212-1212", "880320-0016"], "kund", "SE_PERSONNUMMER"),
        (["44051401359", "02070803628", "90090515836"], "ident", "PL_PESEL"),
        (["111222333", "123456782"], "bsn", "NL_BSN"),
        (["36574261809", "86095742719"], "steuer_id", "DE_TAX_ID"),
        (["DE136695976", "ATU13585627", "NL002455799B11"], "partner", "EU_VAT"),
        (["RSSMRA85T10A562S", "RCCMNL83S18D969H"], "ref", "IT_FISCAL_CODE"),
    ],
)
def test_genuine_columns_are_reported(values: list[str], column: str, entity: str) -> None:
    assert _confidence(values, entity, column) >= 0.5
