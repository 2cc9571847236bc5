"""Personal attributes: dates of birth, geographic coordinates, vehicle identification numbers, postal addresses.

Dates of birth and addresses count only in context (keyword or column hint), since their shapes are common.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from classifiers import masking, validators
from classifiers.detector import Detector, Example, Pattern, Sensitivity
from classifiers.names import faker_names, mask_name
from classifiers.registry import register

_MONTH = r"[A-Za-z]{3,9}"

DATE_OF_BIRTH = register(
    Detector(
        entity_type="DATE_OF_BIRTH",
        patterns=(
            Pattern("year_first", r"\b(?:19|20)\d{2}[-/]\d{1,2}[-/]\d{1,2}\b", 0.4),
            Pattern("year_last", r"\b\d{1,2}[/.]\d{1,2}[/.](?:19|20)\d{2}\b", 0.4),
            Pattern("day_month_name", rf"\b\d{{1,2}} {_MONTH},? (?:19|20)\d{{2}}\b", 0.4),
            Pattern("month_name_day", rf"\b{_MONTH} \d{{1,2}},? (?:19|20)\d{{2}}\b", 0.4),
        ),
        keywords=(
            "born",
            "dob",
            "d.o.b",
            "date of birth",
            "birthday",
            "birth date",
            "birthdate",
            "geburtsdatum",
            "geboren",
            "fecha de nacimiento",
            "date de naissance",
        ),
        column_hints=(
            r"(^|_)(dob|birth_?date|date_of_birth|birthday|geburtsdatum|fecha_nacimiento|date_naissance)(_|$)",
            r"(^|_)(born(_on)?|fecha_de_nacimiento|date_de_naissance|data_nascita|data_di_nascita)(_|$)",
        ),
        validate=validators.date_of_birth,
        mask=masking.mask_date,
        requires_context=True,
        sensitivity=Sensitivity.MEDIUM,
        frameworks=("GDPR", "HIPAA", "CCPA"),
        jurisdiction="GLOBAL",
        positives=(
            Example("1985-03-12", column="date_of_birth"),
            Example("Patient born 12 March 1985 in Leeds"),
            Example("DOB: 03/12/1985"),
            Example("Geburtsdatum 12.03.1985"),
            Example("March 12, 1985", column="birthday"),
            Example("1990/07/04", column="dob"),
        ),
        negatives=(
            Example("2021-06-15", column="created_at"),
            Example("Order placed 12 March 2021"),
            Example("dob: 1985-02-30"),
            Example("born 2099-01-01"),
            Example("31/31/1990", column="birth_date"),
            Example("Date of birth: 12 Marc 1985"),
        ),
    )
)

# A run of comma-separated numbers around the pair is taken into the match (the prefix bounded, so that
# Python's backtracking stays linear) so that vectors such as embeddings fail the validator as one token.
_NUMBER = r"-?\d+(?:\.\d+)?"
_COORDINATE_RUN = (
    rf"(?:{_NUMBER} ?, ?){{0,8}}(?:-|\b)\d{{1,2}}\.\d{{4,}} ?, ?-?\d{{1,3}}\.\d{{4,}}\b(?: ?, ?{_NUMBER}\b)*"
)
_COORDINATE_RE = re.compile(r"-?\d{1,3}\.\d{4,}")

# ISO 3779 / 49 CFR 565.15 check digit: letter values (I, O and Q never occur) and position weights.
_VIN_VALUES: dict[str, int] = {str(digit): digit for digit in range(10)} | dict(
    zip("ABCDEFGHJKLMNPRSTUVWXYZ", (1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 7, 9, 2, 3, 4, 5, 6, 7, 8, 9), strict=True)
)
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


def latitude_longitude(token: str, options: Mapping[str, Any]) -> bool:
    """True for exactly two numbers with 4+ decimals, a latitude in [-90, 90] then a longitude in [-180, 180].

    ``0.0000, 0.0000`` (a placeholder, not a place) is rejected.
    """
    parts = [part.strip() for part in token.split(",")]
    if len(parts) != 2 or not all(_COORDINATE_RE.fullmatch(part) for part in parts):
        return False
    latitude, longitude = float(parts[0]), float(parts[1])
    return -90.0 <= latitude <= 90.0 and -180.0 <= longitude <= 180.0 and (latitude, longitude) != (0.0, 0.0)


def vin_check_digit(token: str, options: Mapping[str, Any]) -> bool:
    """True for a 17-character VIN whose 9th character is the North American check digit (``X`` for 10).

    All-digit tokens are rejected: manufacturer codes contain letters, while 1 in 11 arbitrary 17-digit
    numbers would pass the check.
    """
    if len(token) != 17 or token.isdigit() or any(char not in _VIN_VALUES for char in token):
        return False
    remainder = sum(_VIN_VALUES[char] * weight for char, weight in zip(token, _VIN_WEIGHTS, strict=True)) % 11
    return token[8] == ("X" if remainder == 10 else str(remainder))


def mask_coordinates(value: str) -> str:
    """Replace every digit, keeping signs and separators: ``51.5072, -0.1276`` -> ``**.****, -*.****``."""
    return re.sub(r"\d", "*", value)


def mask_address(value: str) -> str:
    """Replace every letter and digit, keeping spaces and punctuation: ``12 rue X`` -> ``** *** *``."""
    return re.sub(r"\w", "*", value)


GEO_COORDINATES = register(
    Detector(
        entity_type="GEO_COORDINATES",
        patterns=(Pattern("decimal_lat_lon", _COORDINATE_RUN, 0.5),),
        keywords=(
            "coordinates",
            "coords",
            "lat",
            "lon",
            "lng",
            "latitude",
            "longitude",
            "gps",
            "geo",
            "location",
            "koordinaten",
            "coordonnées",
            "coordenadas",
        ),
        column_hints=(
            r"(^|_)(lat_lon|lat_lng|latlon|latlng|coordinates|coords|geo|location|geolocation|gps)(_|$)",
            r"(^|_)(geo_point|position|gps_position|koordinaten)(_|$)",
        ),
        validate=latitude_longitude,
        mask=mask_coordinates,
        sensitivity=Sensitivity.MEDIUM,
        frameworks=("GDPR",),
        jurisdiction="GLOBAL",
        positives=(
            Example("51.5072, -0.1276", column="location"),
            Example("Last seen at 48.8566,2.3522 near the station"),
            Example("-33.8688, 151.2093"),
            Example("GPS fix (40.712776, -74.005974) recorded"),
            Example("Route: 51.5072, -0.1276 to somewhere", column="notes"),
        ),
        negatives=(
            Example("91.1234, 10.1234", column="coordinates"),
            Example("45.1234, 181.1234"),
            Example("51.5, 0.12", column="lat_lon"),
            Example("0.0000, 0.0000", column="geo"),
            Example("embedding [0.0123, -0.0456, 0.0789, 0.1011]"),
            Example("Totals 1234.5678, 99.1234"),
        ),
    )
)

VEHICLE_VIN = register(
    Detector(
        entity_type="VEHICLE_VIN",
        patterns=(Pattern("vin", r"\b[A-HJ-NPR-Z0-9]{17}\b", 0.7),),
        keywords=(
            "vin",
            "vehicle identification number",
            "vehicle id",
            "chassis",
            "chassis number",
            "fahrgestellnummer",
            "fin",
            "numéro de série",
            "bastidor",
            "telaio",
        ),
        column_hints=(
            r"(^|_)(vin|vin_(no|number|code)|vehicle_identification(_number)?)(_|$)",
            r"(^|_)(chassis(_no|_number)?|fahrgestellnummer|vehicle_vin)(_|$)",
        ),
        # The position-9 check digit is mandatory in North America only; European and Asian VINs without it
        # are not detected.
        validate=vin_check_digit,
        mask=masking.mask_keep_last(4),
        sensitivity=Sensitivity.MEDIUM,
        frameworks=("CCPA",),
        jurisdiction="GLOBAL",
        positives=(
            Example("1M8GDM9AXKP042788", column="vin"),
            Example("Vehicle 1HGCM82633A004352 was serviced"),
            Example("VIN: 5YJ3E1EA2KF317000"),
            Example("JH4KA7561PC008269", column="chassis_number"),
        ),
        negatives=(
            Example("1M8GDM9A1KP042788", column="vin"),
            Example("11111111111111111", column="vin"),
            Example("1M8GDM9AXKP04278"),
            Example("Order 12345678901234567 shipped"),
            Example("1M8GDM9AXKP0427O8"),
        ),
    )
)

_STREET_SUFFIX = (
    r"(?:Street|St|Avenue|Ave|Road|Rd|Lane|Ln|Boulevard|Blvd|Drive|Dr|Way|Court|Ct|Place|Pl|Terrace|Close"
    r"|Crescent|Square|Parkway|Pkwy|Highway|Hwy)"
)

POSTAL_ADDRESS = register(
    Detector(
        entity_type="POSTAL_ADDRESS",
        patterns=(
            # 221B Baker Street, 1600 Pennsylvania Avenue, 42 N Main St.
            Pattern(
                "number_street_suffix",
                rf"\b\d{{1,5}}[A-Za-z]?,? (?:(?:[A-Z][A-Za-z'.-]*|\d{{1,3}}(?:st|nd|rd|th)) ){{1,4}}{_STREET_SUFFIX}\b",
                0.4,
            ),
            # Hauptstraße 5, Berliner Straße 12a, Keizersgracht 123
            Pattern(
                "street_number_de_nl",
                r"[A-ZÄÖÜ][a-zäöüß]+(?:straße|strasse|str\.|weg|gasse|platz|allee|damm|ufer|straat|laan|gracht"
                r"|plein|kade| (?:Straße|Strasse|Str\.|Weg|Gasse|Platz|Allee|Ring|Damm)) \d{1,4}[a-z]?\b",
                0.4,
            ),
            # 12 rue de la Paix, 5 avenue des Champs-Élysées
            Pattern(
                "number_voie_fr",
                r"\b\d{1,4}(?: ?(?:bis|ter))?,? (?:[Rr]ue|[Aa]venue|[Bb]oulevard|[Bb]d|[Pp]lace|[Cc]hemin|[Ii]mpasse"
                r"|[Aa]llée|[Qq]uai|[Cc]ours|[Rr]oute) (?:[a-zà-ÿ]+ |[dl]'){0,3}[A-ZÀ-Ý][A-Za-zà-ÿ'-]+",
                0.4,
            ),
            # Calle Mayor 10, Avenida de la Constitución 5, Via Roma 1, Rua Augusta 100
            Pattern(
                "street_number_es_it_pt",
                r"\b(?:Calle|C/|Avenida|Avda\.|Paseo|Plaza|Camino|Carrer|Rua|Via|Viale|Piazza|Corso|Largo)"
                r"(?: (?:de|del|la|las|los|el|di|della|dei|da|do|dos|das))* [A-ZÁÉÍÓÚÑ][a-záéíóúñ]+"
                r"(?: [A-ZÁÉÍÓÚÑ][a-záéíóúñ]+){0,2},? (?:n[º°o]\.? ?)?\d{1,4}\b",
                0.4,
            ),
        ),
        keywords=(
            "address",
            "street",
            "addr",
            "ship to",
            "bill to",
            "shipping",
            "billing",
            "mailing",
            "anschrift",
            "adresse",
            "wohnhaft",
            "dirección",
            "direccion",
            "domicilio",
            "indirizzo",
            "morada",
        ),
        column_hints=(
            r"(^|_)(address|street|addr|anschrift|adresse|direccion|domicilio|indirizzo|strasse)(_|$)",
            r"(^|_)(address|addr|street)_?\d(_|$)",
        ),
        # An e-mail, IP, MAC or wallet "address" column is not a postal address.
        column_exclusions=(r"(^|_)(e_?mail|ip|ipv4|ipv6|mac|wallet|web|url|remote|server|host)_?addr(ess)?(_|$)",),
        # No validator: street addresses have no checksum, and their shape is what the patterns check.
        mask=mask_address,
        requires_context=True,
        # Only a keyword before the address counts: "street" inside "221B Baker Street" is no context.
        keyword_distance=40,
        sensitivity=Sensitivity.MEDIUM,
        frameworks=("GDPR", "CCPA"),
        jurisdiction="GLOBAL",
        positives=(
            Example("221B Baker Street", column="address"),
            Example("Ship to: 1600 Pennsylvania Avenue NW, Washington"),
            Example("Anschrift: Hauptstraße 5, 10115 Berlin"),
            Example("12 rue de la Paix", column="adresse"),
            Example("Calle Mayor 10, Madrid", column="direccion"),
            Example("Billing address: 42 N Main St. Springfield"),
            Example("Berliner Straße 12a", column="street"),
        ),
        negatives=(
            Example("Meet me at 10 Park Ave at noon"),
            Example("Spring 2024 billing cycle"),
            Example("42", column="address"),
            Example("Address: see attached file"),
            Example("Order 221B Baker St", column="notes"),
            Example("Shipping 3 items via courier"),
        ),
    )
)


PERSON = register(
    Detector(
        entity_type="PERSON",
        patterns=(),
        dictionary=faker_names,
        ner_entity="PERSON",  # in free text, spaCy NER spans holding a dictionary name (classifiers.text_analysis)
        ner_score=0.85,
        mask=mask_name,
        keywords=(),
        column_hints=(
            r"(^|_)(full_?name|first_?name|last_?name|given_?name|surname|family_?name|forename|middle_?name)(_|$)",
            r"(^|_)(customer|contact|employee|patient|holder|account_holder|cardholder|person|user)_name(_|$)",
            r"^(name|names|nombre|apellidos?|nom|prenom|vorname|nachname|cognome)$",
        ),
        sensitivity=Sensitivity.MEDIUM,
        frameworks=("GDPR", "CCPA", "HIPAA"),
        jurisdiction="GLOBAL",
        positives=(
            Example("Jane Smith", column="full_name"),
            Example("MARIA GARCIA", column="customer"),
            Example("Hans Müller", column="contact"),
            Example("Rose", column="first_name"),
            Example("Jean-Luc Picard", column="name"),
        ),
        negatives=(
            Example("New York", column="city"),
            Example("Open Ticket", column="status"),
            Example("Green", column="colour"),
            Example("Paris", column="city"),
            Example("Order 12345", column="customer"),
            Example("jane smith said hello", column=None),
        ),
    )
)


LOCATION = register(
    Detector(
        entity_type="LOCATION",
        patterns=(),
        # Only NER finds places, in free text, when a spaCy model is installed. A single place name is weak
        # evidence (logs name data centres and cities), so a text object needs about four distinct places, or
        # a column a high match ratio, before it is reported.
        ner_entity="LOCATION",
        ner_score=0.5,
        mask=mask_name,
        sensitivity=Sensitivity.LOW,
        frameworks=("GDPR",),
        jurisdiction="GLOBAL",
        positives=(
            Example("She moved from Toronto to London, then to Berlin, Madrid and Lisbon in 2021.", column=None),
            Example("The customer lives in Manchester and works in Leeds.", column=None),
            Example("Parcel returned to sender in Rotterdam after two attempts.", column=None),
            Example("He was born in Chicago and studied in Boston.", column=None),
        ),
        negatives=(
            Example("Berlin", column="city"),
            Example("the job finished in 42 seconds", column=None),
            Example("2026-05-02T10:00:01Z INFO worker-3 done in 120 ms", column=None),
            Example("Order 12345 shipped with tracking number 1Z999AA10123456784.", column=None),
        ),
    )
)
