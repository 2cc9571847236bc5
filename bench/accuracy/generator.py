"""A labelled estate for ``make accuracy``: synthetic, generated tables and texts with their ground truth.

Every value is synthetic, generated: from Faker (seeded per locale) and from a seeded ``random.Random``;
nothing is copied from real data. The ground truth is what the generator wrote, never what a detector
says: no value is checked or filtered with the scanner's validators.

``generate(out, seed=..., rows=...)`` writes

- ``out/estate/``: structured tables (CSV, gzip CSV, Parquet, JSON lines plain and gzip; two of them are
  multi-file datasets, one with Hive partition folders) and free-text objects (tickets, call notes and
  application logs; ``.txt``/``.log``, some gzip);
- ``out/labels.json``: per column, ``(asset, column) -> entity type or null``, and per text object the
  spans ``(entity, start, end)``: character offsets into the decompressed text.

Assets are named as the scanner names them (README, docs/findings.md): a multi-file dataset by its folder
(``crm/customers/``), a single file by its path; both relative to ``out/estate``.

What the sensitive columns hold (half of them under telling names such as ``iban``, half under neutral
ones such as ``col_7``; six are only 5 % filled):

- Faker, as returned: names (``name()`` of en_US, en_GB, de_DE, fr_FR, es_ES, it_IT, nl_NL), e-mails
  (``safe_email()``, reserved example domains), phone numbers (``phone_number()`` of US, GB, DE, FR, NL,
  ES and IT: Faker's formats include extensions and numbers outside allocated ranges), card numbers
  (Visa 16, Mastercard with 51–55 and 2221–2720, Amex; Luhn-valid), IBANs (DE, FR, NL, ES, IT, GB, PL;
  mod-97 valid), ABA routing numbers, US SSN/ITIN/EIN, IT codice fiscale, NL BSN, FR NIR, CA SIN,
  BR CPF, IN PAN, VINs, SWIFT codes, MAC and IP v4/v6 addresses.
- Faker with a documented transformation:

  * card numbers and IBANs are printed in groups (4-4-4-4, Amex 4-6-5; IBAN groups of four) for about
    half resp. a third of the values, as people and exports write them;
  * UK NINO: Faker's en_GB ``ssn()`` deliberately uses the prefix ``ZZ`` and suffix ``T``, which HMRC
    never issues; both letters are replaced by a prefix drawn from HMRC's allocated rules (first letter
    not D, F, I, Q, U, V; second not D, F, I, O, Q, U, V; not BG, GB, KN, NK, NT, TN, ZZ) and a suffix A–D;
  * ES NIF and NIE: Faker's es_ES ``nif()`` and ``nie()`` draw from the process-wide ``random`` module,
    ignoring the seed; the same bodies are drawn from the seeded generator and given their control
    letter by Faker's own ``_calculate_control_doi``, exactly as ``nif()``/``nie()`` do;
  * PL PESEL: Faker's pl_PL ``ssn()`` draws the birth date relative to today; ``pesel(date_of_birth=...)``
    is called with a seeded date instead so the estate does not change from day to day;
  * SE personnummer: Faker's sv_SE ``ssn()`` also derives the date from today; the same format
    (``YYMMDD-NNNC``, Luhn over the nine digits, Faker's ``calculate_luhn``) is built from a seeded date;
  * IN Aadhaar: Faker's en_IN ``aadhaar_id()`` ends in a Luhn digit, while UIDAI numbers end in a
    Verhoeff check digit; the last digit is replaced by the Verhoeff digit of the first eleven;
  * US SSN in one sparse column is written without dashes.
- The seeded ``random.Random``: dates of birth (1940–2005, ISO, ``dd.mm.yyyy`` and ``Month d, yyyy``),
  AWS access key ids (``AKIA``/``ASIA`` + 16 base-32 characters, the documented shape).

Traps, labelled None: random 16-digit order ids (about one in ten passes Luhn, by chance), random 10-digit
customer ids, 9-digit invoice numbers, 6-digit employee numbers, ISO timestamps and dates, clock times,
years, 4-part build versions, UUIDs, ISBN-13 and EAN-13 barcodes, 5-digit zip codes, hex hashes, amounts,
plain words and city names, some of them under neutral names too.

The same seed, rows and Faker version give the same labels and byte-identical files.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import random
import shutil
import string
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from faker import Faker
from faker.providers.ssn.es_ES import Provider as EsSsnProvider
from faker.utils.checksums import calculate_luhn

from demo.estate import csv_bytes, group

__all__ = [
    "DEFAULT_ROWS",
    "DEFAULT_SEED",
    "ESTATE_DIR",
    "LABELS_FILE",
    "ColumnLabel",
    "Labels",
    "ObjectLabel",
    "Span",
    "generate",
]

ESTATE_DIR = "estate"
LABELS_FILE = "labels.json"
DEFAULT_SEED = 20261123
DEFAULT_ROWS = 50_000
MIN_ROWS = 20
SPARSE = 0.05

EMAIL = "EMAIL_ADDRESS"
PHONE = "PHONE_NUMBER"
CARD = "CREDIT_CARD"
IBAN = "IBAN_CODE"
SSN = "US_SSN"
NINO = "UK_NINO"
IP = "IP_ADDRESS"
DOB = "DATE_OF_BIRTH"
PERSON = "PERSON"
LOCATION = "LOCATION"
ABA = "ABA_ROUTING_NUMBER"
AWS_KEY = "AWS_ACCESS_KEY"

NAME_LOCALES = ("en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL")
EU_LOCALES = ("de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL")
_FAKER_LOCALES = (*NAME_LOCALES, "pl_PL", "sv_SE", "en_CA", "en_IN", "pt_BR")
_IBAN_LOCALES = ("de_DE", "fr_FR", "nl_NL", "es_ES", "it_IT", "en_GB", "pl_PL")


# --------------------------------------------------------------------------------------------------------
# Labels
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ColumnLabel:
    """Ground truth of one column: the entity it holds, or None for a column that holds none."""

    asset: str
    column: str
    entity: str | None
    kind: str
    naming: str  # "telling" or "neutral" for sensitive columns, "trap" for the others
    fill: float
    values: int


@dataclass(frozen=True)
class Span:
    """One sensitive value in a text object: character offsets into the decompressed text."""

    entity: str
    start: int
    end: int


@dataclass(frozen=True)
class ObjectLabel:
    """Ground truth of one free-text object."""

    asset: str
    lines: int
    spans: tuple[Span, ...]

    @property
    def entities(self) -> set[str]:
        """Entity types with at least one span in the object."""
        return {span.entity for span in self.spans}


@dataclass(frozen=True)
class Labels:
    """Everything the generator wrote, as ground truth."""

    seed: int
    rows: int
    faker_version: str
    columns: tuple[ColumnLabel, ...]
    objects: tuple[ObjectLabel, ...]

    def to_json(self) -> str:
        """Stable JSON text (sorted keys, one column or object per line for readable diffs)."""
        head = {"seed": self.seed, "rows": self.rows, "faker_version": self.faker_version}
        lines = ["{", f'  "generator": {json.dumps(head, sort_keys=True)},', '  "columns": [']
        lines += [f"    {json.dumps(asdict(c), sort_keys=True)}," for c in self.columns]
        lines[-1] = lines[-1].rstrip(",")
        lines += ["  ],", '  "objects": [']
        lines += [f"    {json.dumps(asdict(o), sort_keys=True)}," for o in self.objects]
        lines[-1] = lines[-1].rstrip(",")
        lines += ["  ]", "}", ""]
        return "\n".join(lines)

    @classmethod
    def from_json(cls, text: str) -> Labels:
        """Parse what :meth:`to_json` wrote."""
        data = json.loads(text)
        head = data["generator"]
        return cls(
            seed=head["seed"],
            rows=head["rows"],
            faker_version=head["faker_version"],
            columns=tuple(ColumnLabel(**c) for c in data["columns"]),
            objects=tuple(
                ObjectLabel(o["asset"], o["lines"], tuple(Span(**s) for s in o["spans"])) for o in data["objects"]
            ),
        )


# --------------------------------------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------------------------------------

_NINO_FIRST = [c for c in string.ascii_uppercase if c not in "DFIQUV"]
_NINO_SECOND = [c for c in string.ascii_uppercase if c not in "DFIOQUV"]
_NINO_PREFIXES = tuple(
    a + b for a in _NINO_FIRST for b in _NINO_SECOND if a + b not in {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}
)
_BASE32 = string.ascii_uppercase + "234567"
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")  # fmt: skip
# Verhoeff's dihedral-group tables (multiplication, permutation, inverse), as published by UIDAI.
_VERHOEFF_D = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 2, 3, 4, 0, 6, 7, 8, 9, 5),
    (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
    (3, 4, 0, 1, 2, 8, 9, 5, 6, 7),
    (4, 0, 1, 2, 3, 9, 5, 6, 7, 8),
    (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2),
    (7, 6, 5, 9, 8, 2, 1, 0, 4, 3),
    (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
    (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
)
_VERHOEFF_P = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 5, 7, 6, 2, 8, 3, 0, 9, 4),
    (5, 8, 0, 3, 7, 9, 6, 1, 4, 2),
    (8, 9, 1, 6, 0, 4, 3, 5, 2, 7),
    (9, 4, 5, 3, 1, 2, 6, 8, 7, 0),
    (4, 2, 8, 6, 5, 7, 3, 9, 0, 1),
    (2, 7, 9, 3, 8, 0, 6, 4, 1, 5),
    (7, 0, 4, 6, 9, 1, 3, 2, 5, 8),
)
_VERHOEFF_INV = (0, 4, 3, 2, 1, 5, 6, 7, 8, 9)
_CITIES_LOCALES = ("en_US", "en_GB", "de_DE", "fr_FR")
_WORDS = ("pending", "shipped", "returned", "priority", "standard", "express", "gold", "silver", "bronze", "EUR",
          "USD", "GBP", "eu-west-1", "us-east-1", "warehouse", "backorder", "gift", "wholesale")  # fmt: skip


def verhoeff_check_digit(digits: str) -> int:
    """The Verhoeff check digit to append to ``digits``."""
    check = 0
    for position, char in enumerate(reversed(digits)):
        check = _VERHOEFF_D[check][_VERHOEFF_P[(position + 1) % 8][int(char)]]
    return _VERHOEFF_INV[check]


class _Values:
    """Value makers: one seeded ``random.Random`` and one seeded Faker per locale."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.fake: dict[str, Faker] = {}
        for offset, locale in enumerate(_FAKER_LOCALES):
            fake = Faker(locale)
            fake.seed_instance(seed * 100 + offset)
            self.fake[locale] = fake
        self.makers: dict[str, tuple[str | None, Callable[[], str]]] = {
            # sensitive
            "email": (EMAIL, lambda: self.fake[self.rng.choice(NAME_LOCALES)].safe_email()),
            "phone_us_gb_de_fr": (PHONE, lambda: self.phone(("en_US", "en_GB", "de_DE", "fr_FR"))),
            "phone_eu": (PHONE, lambda: self.phone(("nl_NL", "es_ES", "it_IT", "de_DE", "fr_FR"))),
            "phone_gb": (PHONE, lambda: self.phone(("en_GB",))),
            "card": (CARD, self.card),
            "iban": (IBAN, self.iban),
            "ssn": (SSN, lambda: self.fake["en_US"].ssn()),
            "ssn_bare": (SSN, lambda: self.fake["en_US"].ssn().replace("-", "")),
            "nino": (NINO, self.nino),
            "ipv4": (IP, self.ipv4),
            "ipv6": (IP, lambda: self.fake["en_US"].ipv6()),
            "ip_v4_v6": (IP, lambda: self.ipv4() if self.rng.random() < 0.5 else self.fake["en_US"].ipv6()),
            "dob_iso": (DOB, lambda: self.birth_date().isoformat()),
            "dob_dotted": (DOB, lambda: self.birth_date().strftime("%d.%m.%Y")),
            "dob_month_name": (DOB, self.dob_month_name),
            "person_mixed": (PERSON, lambda: self.fake[self.rng.choice(NAME_LOCALES)].name()),
            "person_eu": (PERSON, lambda: self.fake[self.rng.choice(EU_LOCALES)].name()),
            "person_gb": (PERSON, lambda: self.fake["en_GB"].name()),
            "person_us": (PERSON, lambda: self.fake["en_US"].name()),
            "aba": (ABA, lambda: self.fake["en_US"].aba()),
            "aws_key": (AWS_KEY, self.aws_key),
            "es_nif": ("ES_NIF", self.es_nif),
            "es_nie": ("ES_NIE", self.es_nie),
            "it_fiscal_code": ("IT_FISCAL_CODE", lambda: self.fake["it_IT"].ssn()),
            "nl_bsn": ("NL_BSN", lambda: self.fake["nl_NL"].ssn()),
            "pl_pesel": ("PL_PESEL", self.pesel),
            "se_personnummer": ("SE_PERSONNUMMER", self.personnummer),
            "fr_nir": ("FR_NIR", lambda: self.fake["fr_FR"].ssn()),
            "us_itin": ("US_ITIN", lambda: self.fake["en_US"].itin()),
            "us_ein": ("US_EIN", lambda: self.fake["en_US"].ein()),
            "ca_sin": ("CA_SIN", lambda: self.fake["en_CA"].ssn()),
            "in_aadhaar": ("IN_AADHAAR", self.aadhaar),
            "in_pan": ("IN_PAN", lambda: self.fake["en_IN"].pan()),
            "br_cpf": ("BR_CPF", lambda: self.fake["pt_BR"].cpf()),
            "vin": ("VEHICLE_VIN", lambda: self.fake["en_US"].vin()),
            "swift": ("SWIFT_CODE", lambda: self.fake["en_US"].swift()),
            "mac": ("MAC_ADDRESS", lambda: self.fake["en_US"].mac_address()),
            # traps
            "order_id16": (None, lambda: self.digits(16)),
            "customer_id10": (None, lambda: self.digits(10)),
            "invoice9": (None, lambda: self.digits(9)),
            "employee_no6": (None, lambda: self.digits(6)),
            "iso_timestamp": (None, self.timestamp),
            "iso_date": (None, lambda: self.day(dt.date(2015, 1, 1), dt.date(2025, 12, 31)).isoformat()),
            "clock_time": (None, lambda: f"{self.rng.randrange(24):02d}:{self.rng.randrange(60):02d}:00"),
            "year": (None, lambda: str(self.rng.randint(1990, 2030))),
            "build_version": (None, self.build_version),
            "uuid": (None, lambda: self.fake["en_US"].uuid4()),
            "isbn13": (None, lambda: self.fake["en_US"].isbn13()),
            "ean13": (None, lambda: self.fake["en_US"].ean13()),
            "zip5": (None, lambda: self.digits(5, first_nonzero=False)),
            "hex_hash": (
                None,
                lambda: self.fake["en_US"].sha1() if self.rng.random() < 0.5 else self.fake["en_US"].md5(),
            ),
            "amount": (None, lambda: f"{self.rng.uniform(1, 5000):.2f}"),
            "words": (None, lambda: self.rng.choice(_WORDS)),
            "sentence": (None, lambda: self.fake["en_US"].sentence(nb_words=6)),
            "city": (None, lambda: self.fake[self.rng.choice(_CITIES_LOCALES)].city()),
        }

    def digits(self, count: int, first_nonzero: bool = True) -> str:
        first = str(self.rng.randint(1, 9)) if first_nonzero else str(self.rng.randrange(10))
        return first + "".join(str(self.rng.randrange(10)) for _ in range(count - 1))

    def day(self, first: dt.date, last: dt.date) -> dt.date:
        return dt.date.fromordinal(self.rng.randint(first.toordinal(), last.toordinal()))

    def birth_date(self) -> dt.date:
        return self.day(dt.date(1940, 1, 1), dt.date(2005, 12, 31))

    def dob_month_name(self) -> str:
        born = self.birth_date()
        return f"{_MONTHS[born.month - 1]} {born.day}, {born.year}"

    def timestamp(self) -> str:
        moment = dt.datetime(2023, 1, 1) + dt.timedelta(seconds=self.rng.randrange(3 * 365 * 86400))
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")

    def phone(self, locales: Sequence[str]) -> str:
        return self.fake[self.rng.choice(locales)].phone_number()

    def card(self) -> str:
        kind = self.rng.choice(("visa16", "visa16", "mastercard", "mastercard", "amex"))
        number = self.fake["en_US"].credit_card_number(card_type=kind)
        if self.rng.random() < 0.5:
            return number
        return group(number, (4, 6, 5) if len(number) == 15 else (4, 4, 4, 4))

    def iban(self) -> str:
        value = self.fake[self.rng.choice(_IBAN_LOCALES)].iban()
        return group(value, (4,) * 9) if self.rng.random() < 0.3 else value

    def nino(self) -> str:
        faker_value = self.fake["en_GB"].ssn()  # "ZZ 12 34 56 T", "ZZ123456T" or "ZZ 123456 T"
        return self.rng.choice(_NINO_PREFIXES) + faker_value[2:-1] + self.rng.choice("ABCD")

    def ipv4(self) -> str:
        fake = self.fake["en_US"]
        return fake.ipv4_private() if self.rng.random() < 0.3 else fake.ipv4_public()

    def aws_key(self) -> str:
        prefix = "AKIA" if self.rng.random() < 0.8 else "ASIA"
        return prefix + "".join(self.rng.choice(_BASE32) for _ in range(16))

    def es_nif(self) -> str:
        body = str(self.rng.randrange(100_000_000))
        return body.zfill(8) + EsSsnProvider._calculate_control_doi(body)

    def es_nie(self) -> str:
        first, body = self.rng.randrange(3), f"{self.rng.randrange(10_000_000):07d}"
        return "XYZ"[first] + body + EsSsnProvider._calculate_control_doi(str(first) + body)

    def pesel(self) -> str:
        born = self.birth_date()
        return str(self.fake["pl_PL"].pesel(date_of_birth=dt.datetime(born.year, born.month, born.day)))

    def personnummer(self) -> str:
        born = self.birth_date()
        body = born.strftime("%y%m%d") + f"{self.rng.randrange(1000):03d}"
        return f"{body[:6]}-{body[6:]}{calculate_luhn(int(body))}"

    def aadhaar(self) -> str:
        faker_value = self.fake["en_IN"].aadhaar_id()
        return faker_value[:11] + str(verhoeff_check_digit(faker_value[:11]))

    def build_version(self) -> str:
        rng = self.rng
        return f"{rng.randint(1, 12)}.{rng.randint(0, 20)}.{rng.randint(0, 99)}.{rng.randint(0, 9999)}"

    def make(self, kind: str) -> str:
        return self.makers[kind][1]()

    def entity(self, kind: str) -> str | None:
        return self.makers[kind][0]


# --------------------------------------------------------------------------------------------------------
# Structured tables
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Col:
    name: str
    kind: str
    neutral: bool = False
    fill: float = 1.0


@dataclass(frozen=True)
class _Table:
    path: str  # a file, or a dataset folder ending in "/" when files has more than one entry
    fmt: str  # csv, csv.gz, parquet, jsonl, jsonl.gz
    columns: tuple[_Col, ...]
    files: tuple[str, ...] = ()  # file names under a dataset folder (partition folders included)


_TABLES: tuple[_Table, ...] = (
    _Table(
        "crm/customers/",
        "csv",
        (
            _Col("customer_id", "customer_id10"),
            _Col("full_name", "person_mixed"),
            _Col("email", "email"),
            _Col("phone", "phone_us_gb_de_fr"),
            _Col("date_of_birth", "dob_iso"),
            _Col("city", "city"),
            _Col("zip", "zip5"),
            _Col("created_at", "iso_timestamp"),
            _Col("col_7", "ssn", neutral=True),
            _Col("secondary_email", "email", fill=SPARSE),
            _Col("notes", "sentence"),
        ),
        files=("region=eu/part-00000.csv", "region=us/part-00000.csv", "region=apac/part-00000.csv"),
    ),
    _Table(
        "payments/transactions.parquet",
        "parquet",
        (
            _Col("order_id", "order_id16"),
            _Col("card_number", "card"),
            _Col("field_b", "card", neutral=True, fill=SPARSE),
            _Col("iban", "iban"),
            _Col("amount", "amount"),
            _Col("currency", "words"),
            _Col("routing_number", "aba"),
            _Col("invoice_no", "invoice9"),
            _Col("paid_at", "iso_timestamp"),
            _Col("barcode", "ean13"),
        ),
    ),
    _Table(
        "payments/payouts.jsonl",
        "jsonl",
        (
            _Col("payout_id", "uuid"),
            _Col("party.x1", "person_eu", neutral=True),
            _Col("value", "iban", neutral=True),
            _Col("attr_3", "aba", neutral=True),
            _Col("memo", "sentence"),
            _Col("created", "iso_timestamp"),
            _Col("col_2", "order_id16"),
        ),
    ),
    _Table(
        "hr/employees/",
        "parquet",
        (
            _Col("employee_no", "employee_no6"),
            _Col("name", "person_eu"),
            _Col("birth_date", "dob_dotted"),
            _Col("dni", "es_nif"),
            _Col("nie", "es_nie"),
            _Col("codice_fiscale", "it_fiscal_code"),
            _Col("bsn", "nl_bsn"),
            _Col("pesel", "pl_pesel"),
            _Col("personnummer", "se_personnummer"),
            _Col("nir", "fr_nir"),
            _Col("col_4", "phone_eu", neutral=True),
            _Col("hired_on", "iso_date"),
        ),
        files=("part-00000.parquet", "part-00001.parquet"),
    ),
    _Table(
        "exports/people_eu.csv",
        "csv",
        (
            _Col("field_1", "es_nif", neutral=True),
            _Col("field_2", "es_nie", neutral=True),
            _Col("field_3", "it_fiscal_code", neutral=True, fill=SPARSE),
            _Col("field_4", "nl_bsn", neutral=True),
            _Col("field_5", "pl_pesel", neutral=True),
            _Col("field_6", "se_personnummer", neutral=True),
            _Col("field_7", "fr_nir", neutral=True),
            _Col("field_8", "person_mixed", neutral=True),
            _Col("field_9", "year"),
            _Col("field_10", "hex_hash"),
            _Col("field_11", "email", neutral=True, fill=SPARSE),
        ),
    ),
    _Table(
        "support/agents.csv.gz",
        "csv.gz",
        (
            _Col("agent_name", "person_gb"),
            _Col("ni_number", "nino"),
            _Col("field_d", "nino", neutral=True),
            _Col("mobile", "phone_gb"),
            _Col("field_e", "phone_us_gb_de_fr", neutral=True, fill=SPARSE),
            _Col("shift_start", "clock_time"),
            _Col("team", "words"),
        ),
    ),
    _Table(
        "network/sessions.jsonl.gz",
        "jsonl.gz",
        (
            _Col("session_id", "uuid"),
            _Col("client_ip", "ip_v4_v6"),
            _Col("attr_1", "ipv6", neutral=True),
            _Col("device.mac", "mac"),
            _Col("attr_2", "mac", neutral=True, fill=SPARSE),
            _Col("attr_9", "email", neutral=True),
            _Col("build_version", "build_version"),
            _Col("ts", "iso_timestamp"),
            _Col("sha", "hex_hash"),
        ),
    ),
    _Table(
        "finance/us_tax.parquet",
        "parquet",
        (
            _Col("col_8", "person_us", neutral=True),
            _Col("ssn", "ssn"),
            _Col("spouse_ssn", "ssn_bare", fill=SPARSE),
            _Col("itin", "us_itin"),
            _Col("field_f", "us_itin", neutral=True),
            _Col("ein", "us_ein"),
            _Col("col_9", "us_ein", neutral=True),
            _Col("dob", "dob_month_name"),
            _Col("zip", "zip5"),
            _Col("fiscal_year", "year"),
        ),
    ),
    _Table(
        "security/iam_audit.csv",
        "csv",
        (
            _Col("access_key_id", "aws_key"),
            _Col("value", "aws_key", neutral=True),
            _Col("source_ip", "ipv4"),
            _Col("col_5", "ipv4", neutral=True),
            _Col("last_used", "iso_timestamp"),
            _Col("region", "words"),
            _Col("checksum", "hex_hash"),
        ),
    ),
    _Table(
        "global/registrations.parquet",
        "parquet",
        (
            _Col("sin", "ca_sin"),
            _Col("aadhaar", "in_aadhaar"),
            _Col("pan", "in_pan"),
            _Col("cpf", "br_cpf"),
            _Col("vin", "vin"),
            _Col("swift", "swift"),
            _Col("col_a", "ca_sin", neutral=True),
            _Col("col_b", "in_aadhaar", neutral=True),
            _Col("col_c", "in_pan", neutral=True),
            _Col("col_d", "br_cpf", neutral=True),
            _Col("col_e", "vin", neutral=True),
            _Col("col_f", "swift", neutral=True),
            _Col("isbn", "isbn13"),
        ),
    ),
    _Table(
        "analytics/daily_metrics.csv",
        "csv",
        (
            _Col("order_id", "order_id16"),
            _Col("customer_id", "customer_id10"),
            _Col("invoice_no", "invoice9"),
            _Col("created_at", "iso_timestamp"),
            _Col("run_time", "clock_time"),
            _Col("year", "year"),
            _Col("build_version", "build_version"),
            _Col("event_id", "uuid"),
            _Col("isbn", "isbn13"),
            _Col("ean", "ean13"),
            _Col("zip_code", "zip5"),
            _Col("sha1", "hex_hash"),
            _Col("revenue", "amount"),
            _Col("status", "words"),
            _Col("city", "city"),
            _Col("col_1", "order_id16"),
            _Col("field_a", "iso_timestamp"),
            _Col("value", "customer_id10"),
            _Col("data", "invoice9"),
        ),
    ),
)


def _nest(record: Mapping[str, str | None]) -> dict[str, Any]:
    nested: dict[str, Any] = {}
    for key, value in record.items():
        *parents, leaf = key.split(".")
        target = nested
        for parent in parents:
            target = target.setdefault(parent, {})
        target[leaf] = value
    return nested


def _write_table(path: Path, fmt: str, names: Sequence[str], columns: Sequence[list[str | None]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = list(zip(*columns, strict=True))
    if fmt in ("csv", "csv.gz"):
        data = csv_bytes(names, ([v or "" for v in row] for row in rows))
        path.write_bytes(gzip.compress(data, mtime=0) if fmt == "csv.gz" else data)
    elif fmt in ("jsonl", "jsonl.gz"):
        text = "".join(json.dumps(_nest(dict(zip(names, row, strict=True))), ensure_ascii=False) + "\n" for row in rows)
        data = text.encode("utf-8")
        path.write_bytes(gzip.compress(data, mtime=0) if fmt == "jsonl.gz" else data)
    elif fmt == "parquet":
        table = pa.table(
            {name: pa.array(values, type=pa.string()) for name, values in zip(names, columns, strict=True)}
        )
        pq.write_table(table, path, compression="snappy")
    else:
        raise ValueError(f"unknown table format {fmt!r}")


def _fill_rows(rng: random.Random, rows: int, fill: float) -> set[int] | None:
    """Rows that get a value (None: all); at least one, so a labelled column is never empty."""
    if fill >= 1.0:
        return None
    return set(rng.sample(range(rows), max(1, round(fill * rows))))


def _write_tables(root: Path, values: _Values, rows: int) -> list[ColumnLabel]:
    labels: list[ColumnLabel] = []
    for table in _TABLES:
        names = [col.name for col in table.columns]
        columns: list[list[str | None]] = []
        for col in table.columns:
            filled = _fill_rows(values.rng, rows, col.fill)
            columns.append([values.make(col.kind) if filled is None or r in filled else None for r in range(rows)])
            entity = values.entity(col.kind)
            naming = "trap" if entity is None else ("neutral" if col.neutral else "telling")
            count = rows if filled is None else len(filled)
            labels.append(ColumnLabel(table.path, col.name, entity, col.kind, naming, col.fill, count))
        if not table.files:
            _write_table(root / table.path, table.fmt, names, columns)
            continue
        parts = len(table.files)
        for index, name in enumerate(table.files):
            chunk = [column[index::parts] for column in columns]
            _write_table(root / table.path / name, table.fmt, names, chunk)
    return labels


# --------------------------------------------------------------------------------------------------------
# Free text
# --------------------------------------------------------------------------------------------------------

# "{}" is the sensitive value; <ts>, <uuid>, ... are filled with trap values.
_TICKET_TEMPLATES: dict[str, tuple[tuple[str, str], ...]] = {
    # entity: ((value kind, template), ...)
    EMAIL: (("email", "Please reply to {} instead of my old address."), ("email", "You can also write to {}.")),
    PHONE: (("phone_us_gb_de_fr", "Please call me back on {}."), ("phone_eu", "I am reachable at {} after 6pm.")),
    CARD: (
        ("card", "I paid with my card {} and was charged twice."),
        ("card", "The payment from {} went through twice."),
    ),
    IBAN: (("iban", "Please refund the amount to my IBAN {}."), ("iban", "Bitte überweisen Sie den Betrag auf {}.")),
    SSN: (("ssn", "My social security number is {} if you need it."), ("ssn", "For the tax form: {}.")),
    NINO: (("nino", "My National Insurance number is {}."), ("nino", "Reference for HMRC: {}.")),
    PERSON: (("person_mixed", "Hi, this is {} from the accounts team."), ("person_mixed", "Kind regards, {}")),
    DOB: (("dob_iso", "My date of birth is {}."), ("dob_month_name", "The account holder was born {}.")),
    "ES_NIF": (("es_nif", "Mi DNI es {}."), ("es_nif", "Adjunto copia del documento {}.")),
    "ES_NIE": (("es_nie", "Mi NIE es {}."), ("es_nie", "Documento de extranjero: {}.")),
    "IT_FISCAL_CODE": (("it_fiscal_code", "Il mio codice fiscale è {}."), ("it_fiscal_code", "Rif. cliente {}.")),
    "FR_NIR": (("fr_nir", "Mon numéro de sécurité sociale est le {}."), ("fr_nir", "Dossier {} transmis.")),
    "NL_BSN": (("nl_bsn", "Mijn BSN is {}."), ("nl_bsn", "Zie nummer {} in het dossier.")),
    "PL_PESEL": (("pl_pesel", "Mój numer PESEL to {}."), ("pl_pesel", "Numer klienta {}.")),
    "SE_PERSONNUMMER": (("se_personnummer", "Mitt personnummer är {}."), ("se_personnummer", "Ärende gäller {}.")),
}
_LOG_TEMPLATES: dict[str, tuple[tuple[str, str], ...]] = {
    EMAIL: (("email", "<ts> INFO [auth] login ok user={} session=<uuid>"), ("email", "<ts> WARN [mail] bounce for {}")),
    IP: (
        ("ipv4", '{} - - [<ts>] "GET /api/v1/orders/<order> HTTP/1.1" 200 <n>'),
        ("ipv6", "<ts> INFO [edge] connection from {} accepted"),
    ),
    AWS_KEY: (
        ("aws_key", "<ts> INFO [s3] using credentials aws_access_key_id={} profile=default"),
        ("aws_key", "<ts> ERROR [sync] AccessDenied for {} on bucket exports"),
    ),
    CARD: (("card", "<ts> WARN [payments] declined pan={} reason=do_not_honor"), ("card", "<ts> DEBUG [checkout] {}")),
    PHONE: (("phone_us_gb_de_fr", "<ts> INFO [sms] OTP sent to {}"), ("phone_eu", "<ts> INFO [sms] delivery to {} ok")),
}
_TICKET_FILLER = (
    "Order <order> was placed on <date> and has not arrived yet.",
    "Invoice <invoice> over <amount> EUR is attached.",
    "Your tracking reference is <uuid>.",
    "My customer number is <customer>.",
    "The app shows version <build> on the settings page.",
    "I live near <city> (zip <zip>).",
    "It happened at <clock> on <date>.",
)
_LOG_FILLER = (
    "<ts> INFO [api] request_id=<uuid> path=/api/v1/orders/<order> status=200 latency_ms=<n>",
    "<ts> DEBUG [cache] hit key=<hash>",
    "<ts> INFO [deploy] build=<build> started",
    "<ts> WARN [db] slow query took <n> ms",
    "<ts> INFO [billing] invoice <invoice> exported amount=<amount>",
    "<ts> INFO [crm] customer <customer> updated",
)
_TEXT_OBJECTS: tuple[tuple[str, str, int], ...] = (
    # (asset pattern, style, count); {n} is the object's number
    ("support/tickets/ticket-{n:04d}.txt", "ticket", 12),
    ("support/call-notes/notes-{n:04d}.txt.gz", "ticket", 6),
    ("logs/app/app-2026-05-{n:02d}.log", "log", 6),
    ("logs/app/app-2026-06-{n:02d}.log.gz", "log", 6),
)
_OBJECTS_PER_ENTITY = 5


# Filler tokens whose value is itself personal data of the writer (where they live): labelled as spans.
_LABELLED_FILLERS = {"<city>": LOCATION}


def _fill(template: str, values: _Values) -> str:
    return _fill_labelled(template, values)[0]


def _fill_labelled(template: str, values: _Values) -> tuple[str, list[tuple[str, int, int]]]:
    """``template`` with its tokens filled, and the spans of the filled values listed in _LABELLED_FILLERS."""
    fillers: dict[str, Callable[[], str]] = {
        "<ts>": values.timestamp,
        "<uuid>": lambda: values.make("uuid"),
        "<order>": lambda: values.make("order_id16"),
        "<invoice>": lambda: values.make("invoice9"),
        "<customer>": lambda: values.make("customer_id10"),
        "<amount>": lambda: values.make("amount"),
        "<build>": values.build_version,
        "<city>": lambda: values.make("city"),
        "<zip>": lambda: values.make("zip5"),
        "<clock>": lambda: values.make("clock_time"),
        "<date>": lambda: values.make("iso_date"),
        "<hash>": lambda: values.make("hex_hash"),
        "<n>": lambda: str(values.rng.randint(3, 4000)),
    }
    spans: list[tuple[str, int, int]] = []
    for token, make in fillers.items():
        while token in template:
            start, value = template.index(token), make()
            template = template.replace(token, value, 1)
            shift = len(value) - len(token)  # spans already recorded after this token move with it
            spans = [(e, a + shift, b + shift) if a > start else (e, a, b) for e, a, b in spans]
            if token in _LABELLED_FILLERS:
                spans.append((_LABELLED_FILLERS[token], start, start + len(value)))
    return template, spans


def _write_texts(root: Path, values: _Values, lines_per_object: int) -> list[ObjectLabel]:
    rng = values.rng
    objects = [(pattern.format(n=n), style) for pattern, style, count in _TEXT_OBJECTS for n in range(1, count + 1)]
    # Each entity is planted in a few objects of the styles it fits; the other objects are its negatives.
    planted: dict[str, list[str]] = {asset: [] for asset, _ in objects}
    for style, templates in (("ticket", _TICKET_TEMPLATES), ("log", _LOG_TEMPLATES)):
        candidates = [asset for asset, s in objects if s == style]
        for entity in templates:
            for asset in rng.sample(candidates, min(_OBJECTS_PER_ENTITY, len(candidates))):
                planted[asset].append(entity)
    labels: list[ObjectLabel] = []
    for asset, style in objects:
        templates = _TICKET_TEMPLATES if style == "ticket" else _LOG_TEMPLATES
        filler = _TICKET_FILLER if style == "ticket" else _LOG_FILLER
        lines: list[str] = []
        line_spans: dict[int, list[tuple[str, int, int]]] = {}
        for line_no in range(lines_per_object):
            if style == "ticket" and rng.random() < 0.5:
                lines.append(values.make("sentence"))
            else:
                line, filled = _fill_labelled(rng.choice(filler), values)
                lines.append(line)
                if filled:
                    line_spans[line_no] = filled
        for entity in planted[asset]:
            for line_no in rng.sample(range(lines_per_object), rng.randint(1, 3)):
                if line_no in line_spans and line_spans[line_no][0][0] != LOCATION:
                    continue
                kind, template = rng.choice(templates[entity])
                before, after = template.split("{}", 1)
                before, after, value = _fill(before, values), _fill(after, values), values.make(kind)
                lines[line_no] = before + value + after
                line_spans[line_no] = [(entity, len(before), len(before) + len(value))]  # replaces a filler line
        spans, offset = [], 0
        for line_no, line in enumerate(lines):
            for entity, start, end in line_spans.get(line_no, ()):
                spans.append(Span(entity, offset + start, offset + end))
            offset += len(line) + 1
        data = ("\n".join(lines) + "\n").encode("utf-8")
        path = root / asset
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(gzip.compress(data, mtime=0) if asset.endswith(".gz") else data)
        labels.append(ObjectLabel(asset, lines_per_object, tuple(spans)))
    return labels


# --------------------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------------------


def generate(out: Path, *, seed: int = DEFAULT_SEED, rows: int = DEFAULT_ROWS) -> Labels:
    """Write the labelled estate to ``out/estate`` and its labels to ``out/labels.json``; return the labels.

    ``rows`` is the number of rows of every table (a multi-file dataset splits them over its files);
    text objects get ``max(40, rows // 50)`` lines each. ``out/estate`` is replaced if it exists.
    """
    if rows < MIN_ROWS:
        raise ValueError(f"rows must be at least {MIN_ROWS}, got {rows}")
    root = Path(out) / ESTATE_DIR
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    values = _Values(seed)
    columns = _write_tables(root, values, rows)
    objects = _write_texts(root, values, max(40, rows // 50))
    labels = Labels(seed, rows, version("faker"), tuple(columns), tuple(objects))
    (Path(out) / LABELS_FILE).write_text(labels.to_json(), encoding="utf-8")
    return labels
