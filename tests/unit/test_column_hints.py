"""Column-name hints: camelCase, prefixes, punctuation and several languages resolve to the right entity."""

from __future__ import annotations

import pytest

from classifiers.columns import normalise_column_name
from classifiers.config import DetectionConfig
from classifiers.engine import Engine

ENGINE = Engine(DetectionConfig.default())


@pytest.mark.parametrize(
    ("column", "expected"),
    [
        ("customerEmail", {"EMAIL_ADDRESS"}),
        ("E-Mail", {"EMAIL_ADDRESS"}),
        ("emailAddress", {"EMAIL_ADDRESS"}),  # an e-mail address is no postal address
        ("correo_electronico", {"EMAIL_ADDRESS"}),
        ("courriel", {"EMAIL_ADDRESS"}),
        ("tbl_phone", {"PHONE_NUMBER"}),
        ("Telefono", {"PHONE_NUMBER"}),
        ("Telefonnummer", {"PHONE_NUMBER"}),
        ("handynummer", {"PHONE_NUMBER"}),
        ("mobile_no", {"PHONE_NUMBER"}),
        ("SSN", {"US_SSN"}),
        ("social_security_number", {"US_SSN"}),
        ("geburtsdatum", {"DATE_OF_BIRTH"}),
        ("fecha_nacimiento", {"DATE_OF_BIRTH"}),
        ("date_de_naissance", {"DATE_OF_BIRTH"}),
        ("data_di_nascita", {"DATE_OF_BIRTH"}),
        ("birthDate", {"DATE_OF_BIRTH"}),
        ("Kreditkartennummer", {"CREDIT_CARD"}),
        ("numero_tarjeta", {"CREDIT_CARD"}),
        ("CC_NUM", {"CREDIT_CARD"}),
        ("ClientIP", {"IP_ADDRESS"}),
        ("ip_address", {"IP_ADDRESS"}),
        ("nino", {"UK_NINO"}),
        ("Vorname", {"PERSON"}),
        ("apellidos", {"PERSON"}),
        ("customer_name", {"PERSON"}),
        ("home_address", {"POSTAL_ADDRESS"}),
        ("steuer_id", {"DE_TAX_ID"}),
        ("codice_fiscale", {"IT_FISCAL_CODE"}),
        ("hetu", {"FI_HETU"}),
        ("Fødselsnummer", {"NO_FODSELSNUMMER"}),
        ("rijksregisternummer", {"BE_NATIONAL_NUMBER"}),
        ("numero_seguridad_social", {"ES_SSN"}),
        ("nss", {"ES_SSN", "FR_NIR"}),  # numéro de sécurité sociale in both countries
        ("sa_utr", {"UK_UTR"}),
        ("drivingLicenceNumber", {"UK_DRIVING_LICENCE", "US_DRIVER_LICENSE"}),
        ("Authorization", {"HTTP_BASIC_AUTH", "JWT"}),
        ("wallet_address", {"CRYPTO_WALLET"}),
        ("order_id", set()),
        ("created_at", set()),
    ],
)
def test_column_names_hint_at_entities(column: str, expected: set[str]) -> None:
    assert ENGINE.hinted_entities(column) == expected


@pytest.mark.parametrize(
    ("column", "normalised"),
    [
        ("customerEmailAddress", "customer_email_address"),
        ("HTTPStatusCode", "http_status_code"),
        ("Customer-Phone #", "customer_phone"),
        ("billing.card_number", "billing_card_number"),
        ("tags[]", "tags"),
        ("  SSN  ", "ssn"),
    ],
)
def test_column_names_are_normalised_to_snake_case(column: str, normalised: str) -> None:
    assert normalise_column_name(column) == normalised
