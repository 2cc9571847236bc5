"""A synthetic, generated data estate for ``make demo``, the tests and the benchmarks.

Every value here is synthetic, generated: names and words come from Faker, everything else from a seeded
``random.Random``; nothing is copied from real data. Phone numbers come from ranges reserved for fiction
(US 555-01xx, Ofcom's drama ranges), e-mail domains are the reserved ``example.*`` ones, IP addresses
are in the documentation ranges (TEST-NET-2/3, 2001:db8::/32).

The estate is written to ``root/<bucket>/<key>`` and can be uploaded to any S3 endpoint (moto in the
demo). Ground truth comes with it: which columns hold which entity (``Estate.planted``) and every raw
sensitive value written (``Estate.canaries``), so a test can grep the scanner's output for leaks. Look-alikes
(ids that resemble phone numbers, 16-digit numbers that fail Luhn, build versions, ordinary dates) are
planted next to the real thing and in a bucket that must yield no findings at all.

Run ``python -m demo.estate OUT_DIR [--seed N] [--rows N]`` to write an estate and print its layout.
"""

from __future__ import annotations

import argparse
import bz2
import csv
import datetime as dt
import gzip
import io
import json
import random
import re
import shutil
import struct
import sys
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import phonenumbers
import pyarrow as pa
import pyarrow.parquet as pq
import zstandard
from faker import Faker

__all__ = [
    "BUCKETS",
    "CLEAN_BUCKETS",
    "UNSUPPORTED_OBJECTS",
    "DemoDatabase",
    "Estate",
    "PlantedColumn",
    "csv_bytes",
    "demo_database",
    "generate_estate",
    "group",
    "reupload",
    "upload_estate",
]

CRM = "acme-crm-prod"
PAYMENTS = "acme-payments"
SUPPORT = "acme-support"
LOGS = "acme-app-logs"
ANALYTICS = "acme-analytics-clean"
DATABASES = "acme-db-exports"

BUCKETS: tuple[str, ...] = (CRM, PAYMENTS, SUPPORT, LOGS, ANALYTICS, DATABASES)
"""Every bucket of the estate, in generation order."""

CLEAN_BUCKETS: tuple[str, ...] = (ANALYTICS,)
"""Buckets holding only look-alikes: a scan of them must produce no findings."""

UNSUPPORTED_OBJECTS: tuple[tuple[str, str], ...] = ((ANALYTICS, "images/logo.png"),)
"""(bucket, key) of objects the scanner must record as skipped rather than scan."""

MIN_ROWS = 10
_POOL_SIZE = 400

EMAIL = "EMAIL_ADDRESS"
PHONE = "PHONE_NUMBER"
DOB = "DATE_OF_BIRTH"
SSN = "US_SSN"
CARD = "CREDIT_CARD"
IBAN = "IBAN_CODE"
ABA = "ABA_ROUTING_NUMBER"
IP = "IP_ADDRESS"
AWS_KEY = "AWS_ACCESS_KEY"
PERSON = "PERSON"


@dataclass(frozen=True)
class PlantedColumn:
    """Ground truth: a column (or a free-text object, ``column=None``) that holds an entity.

    ``asset`` is the object key, or the dataset folder prefix ending in ``/`` for multi-file datasets.
    Nested JSON fields are named with dots (``customer.email``).
    """

    bucket: str
    asset: str
    column: str | None
    entity_type: str


@dataclass(frozen=True)
class Estate:
    """A generated estate on local disk plus its ground truth.

    Attributes:
        root: Local folder laid out as ``root/<bucket>/<key>``.
        planted: Every sensitive column or free-text object planted.
        canaries: Every raw sensitive value written anywhere; cards, IBANs and phone numbers also in their
            compact form (digits only / no spaces / E.164) so that a normalised leak is caught too.
        canaries_by_entity: The same values grouped by entity type.

    """

    root: Path
    planted: tuple[PlantedColumn, ...]
    canaries: tuple[str, ...]
    canaries_by_entity: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def objects(self) -> list[tuple[str, str]]:
        """Return every (bucket, key) written, sorted."""
        found: list[tuple[str, str]] = []
        for bucket in BUCKETS:
            base = self.root / bucket
            if base.is_dir():
                found.extend((bucket, path.relative_to(base).as_posix()) for path in base.rglob("*") if path.is_file())
        return sorted(found)


# --------------------------------------------------------------------------------------------------------
# Checksums (the generator computes check digits; the tests verify them with their own implementations)
# --------------------------------------------------------------------------------------------------------


def _luhn_check_digit(payload: str) -> int:
    total = 0
    # Doubling starts with the rightmost payload digit, because the check digit will sit to its right.
    for index, char in enumerate(reversed(payload)):
        digit = int(char)
        if index % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return (10 - total % 10) % 10


def _iban_to_int(text: str) -> int:
    return int("".join(str(int(char, 36)) for char in text))


def _iban(country: str, bban: str) -> str:
    check = 98 - _iban_to_int(bban + country + "00") % 97
    return f"{country}{check:02d}{bban}"


def _aba_check_digit(first8: str) -> int:
    weights = (3, 7, 1, 3, 7, 1, 3, 7)
    return (10 - sum(w * int(d) for w, d in zip(weights, first8, strict=True)) % 10) % 10


def group(text: str, sizes: Sequence[int]) -> str:
    """``text`` split into space-separated groups of ``sizes`` (the rest as a last group)."""
    parts: list[str] = []
    start = 0
    for size in sizes:
        parts.append(text[start : start + size])
        start += size
    if start < len(text):
        parts.append(text[start:])
    return " ".join(part for part in parts if part)


# --------------------------------------------------------------------------------------------------------
# Serialisation: fixed timestamps and settings, so equal inputs give byte-identical files
# --------------------------------------------------------------------------------------------------------


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]], delimiter: str = ",") -> bytes:
    """A CSV file with a header row, Unix line endings, UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _jsonl_bytes(records: Iterable[Mapping[str, Any]]) -> bytes:
    return "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records).encode("utf-8")


def _gzip(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _write_parquet(
    path: Path, columns: Mapping[str, tuple[pa.DataType, list[Any]]], compression: str = "snappy"
) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    table = pa.table({name: pa.array(values, type=kind) for name, (kind, values) in columns.items()})
    pq.write_table(table, path, compression=compression)


def _png_bytes(rng: random.Random) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = chunk(b"IHDR", struct.pack(">IIBBBBB", 64, 64, 8, 6, 0, 0, 0))
    return b"\x89PNG\r\n\x1a\n" + header + rng.randbytes(512)


# --------------------------------------------------------------------------------------------------------
# The generator
# --------------------------------------------------------------------------------------------------------

_UK_GEOGRAPHIC = (
    "20 7946 0{:03d}",
    "113 496 0{:03d}",
    "121 496 0{:03d}",
    "161 496 0{:03d}",
    "131 496 0{:03d}",
)
_US_AREA_CODES = ("212", "415", "312", "617", "206", "303")
_EMAIL_DOMAINS = ("example.com", "example.org", "example.net", "mail.example.com")
_CARD_PREFIXES: tuple[tuple[str, int, tuple[int, ...]], ...] = (
    # (issuer prefix, length, print grouping)
    ("4", 16, (4, 4, 4, 4)),  # Visa
    ("51", 16, (4, 4, 4, 4)),  # Mastercard
    ("53", 16, (4, 4, 4, 4)),
    ("55", 16, (4, 4, 4, 4)),
    ("2221", 16, (4, 4, 4, 4)),  # Mastercard 2-series, 2221-2720
    ("2720", 16, (4, 4, 4, 4)),
    ("34", 15, (4, 6, 5)),  # American Express
    ("37", 15, (4, 6, 5)),
)
_GB_BANKS = ("NWBK", "BARC", "LOYD", "HBUK", "MIDL")
_DE_BANKS = ("37040044", "10070000", "50010517", "20041133", "70020270")
_FR_BANKS = ("30006", "30004", "20041", "30003", "10107")
_NL_BANKS = ("ABNA", "INGB", "RABO", "TRIO", "SNSB")
_ABA_PREFIXES = tuple(f"{n:02d}" for n in (*range(1, 13), *range(21, 33)))
_BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_BUILD_VERSIONS = (
    "10.0.19045.3803",
    "10.0.22631.2861",
    "10.0.22621.3007",
    "10.0.17763.5329",
    "6.3.9600.20778",
)
_APP_VERSIONS = ("v2.14.3", "v2.14.4", "v2.15.0", "v3.0.0-rc.1")
_SUBJECTS = (
    "Order not delivered",
    "Charged twice",
    "Cannot log in",
    "Refund request",
    "Change of address",
    "App crashes on start",
    "Question about my invoice",
)
_BODIES = (
    "My order has not arrived yet and the tracking page has not changed for a week.",
    "I was charged twice for the same order, please refund one of the payments.",
    "I cannot log in since the last update, the page just reloads.",
    "I would like to return the jacket I bought, it is the wrong size.",
    "The app closes as soon as I open the settings screen.",
    "Could you explain the extra line on my last invoice?",
    "I moved house last month and need to update my delivery address.",
)
_EMBED_EMAIL = (
    "You can reach me at {} if that is easier.",
    "My new email is {}, please update my account.",
    "Please reply to {} rather than the old address.",
)
_EMBED_PHONE = (
    "Please call me on {} any time after 5pm.",
    "My phone number is {} if you need it.",
    "Call me back on {} please.",
)
_PATHS = (
    "/api/v1/orders/{}",
    "/api/v1/customers/{}/profile",
    "/api/v1/payments/{}/status",
    "/api/v1/search?q=shoes&page={}",
    "/health",
    "/static/app.{}.js",
)


class _Builder:
    def __init__(self, root: Path, seed: int, rows: int) -> None:
        self.root = root
        self.rows = rows
        self.rng = random.Random(seed)
        # Faker draws a few hundred names and sentences up front; per-row choices then come from the much
        # faster seeded rng, so large (benchmark) estates are not dominated by Faker's weighted sampling.
        self.names: dict[str, list[tuple[str, str]]] = {}
        self.sentences: dict[str, list[str]] = {}
        for offset, locale in enumerate(("en_US", "en_GB")):
            fake = Faker(locale)
            fake.seed_instance(seed + offset)
            self.names[locale] = [(fake.first_name(), fake.last_name()) for _ in range(_POOL_SIZE)]
            self.sentences[locale] = [fake.sentence(nb_words=6) for _ in range(_POOL_SIZE)]
        self._phones: dict[str, str] = {}
        self.planted: list[PlantedColumn] = []
        self.canaries: dict[str, dict[str, None]] = {}
        self._emails: set[str] = set()

    # ---- bookkeeping ----

    def plant(self, bucket: str, asset: str, column: str | None, *entities: str) -> None:
        self.planted.extend(PlantedColumn(bucket, asset, column, entity) for entity in entities)

    def canary(self, entity: str, *values: str) -> None:
        bucket = self.canaries.setdefault(entity, {})
        for value in values:
            bucket[value] = None

    def path(self, bucket: str, key: str) -> Path:
        return self.root / bucket / key

    # ---- values ----

    def date_between(self, first: dt.date, last: dt.date) -> dt.date:
        return dt.date.fromordinal(self.rng.randint(first.toordinal(), last.toordinal()))

    def name(self, locale: str) -> tuple[str, str]:
        return self.rng.choice(self.names[locale])

    def email(self, first: str, last: str, domain: str | None = None) -> str:
        def clean(text: str) -> str:
            return re.sub(r"[^a-z]", "", text.lower())

        chosen = domain or self.rng.choice(_EMAIL_DOMAINS)
        while True:
            address = f"{clean(first)}.{clean(last)}{self.rng.randint(1, 9999)}@{chosen}"
            if address not in self._emails:
                self._emails.add(address)
                self.canary(EMAIL, address)
                return address

    def _phone(self, text: str, region: str) -> str:
        e164 = self._phones.get(text)
        if e164 is None:  # the fictional ranges are small, so each distinct number is validated once
            number = phonenumbers.parse(text, region)
            if not phonenumbers.is_valid_number(number):
                raise AssertionError(f"generated phone number {text!r} is not valid")
            e164 = self._phones[text] = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        self.canary(PHONE, text, e164)
        return text

    def uk_phone(self) -> str:
        local = self.rng.choice(_UK_GEOGRAPHIC).format(self.rng.randrange(1000))
        return self._phone(f"+44 {local}", "GB")

    def us_phone(self) -> str:
        area, line = self.rng.choice(_US_AREA_CODES), f"01{self.rng.randrange(100):02d}"
        style = self.rng.randrange(3)
        text = (f"({area}) 555-{line}", f"{area}-555-{line}", f"+1 {area} 555 {line}")[style]
        return self._phone(text, "US")

    def ssn(self) -> str:
        while True:
            area = self.rng.choice((self.rng.randint(1, 665), self.rng.randint(667, 899)))
            value = f"{area:03d}-{self.rng.randint(1, 99):02d}-{self.rng.randint(1, 9999):04d}"
            # Numbers published in advertising or documentation are rejected by SSN validators.
            if value not in {"078-05-1120", "219-09-9999", "123-45-6789"} and len(set(value) - {"-"}) > 1:
                self.canary(SSN, value)
                return value

    def customer_id(self) -> str:
        # Ten digits starting with 10 are not a valid number in NANP (1 is the trunk prefix, leaving nine
        # digits) nor in the UK, Germany, France or the Netherlands, with or without a leading "+"; the
        # tests check this with phonenumbers, which is too slow to call per row for large estates.
        return "10" + self._digits(8)

    def card(self) -> str:
        prefix, length, grouping = self.rng.choice(_CARD_PREFIXES)
        if prefix in {"2221", "2720"}:
            prefix = str(self.rng.randint(2221, 2720))
        payload = prefix + "".join(str(self.rng.randrange(10)) for _ in range(length - len(prefix) - 1))
        digits = payload + str(_luhn_check_digit(payload))
        text = group(digits, grouping) if self.rng.random() < 0.5 else digits
        self.canary(CARD, text, digits)
        return text

    def not_luhn(self, length: int = 16) -> str:
        payload = str(self.rng.randint(1, 9)) + "".join(str(self.rng.randrange(10)) for _ in range(length - 2))
        wrong = (_luhn_check_digit(payload) + self.rng.randint(1, 9)) % 10
        return payload + str(wrong)

    def iban(self, spaced_share: float = 0.3) -> tuple[str, str]:
        """Return (iban as written, its country)."""
        digits = self._digits
        country = self.rng.choice(("GB", "DE", "FR", "NL"))
        if country == "GB":
            bban = self.rng.choice(_GB_BANKS) + digits(6) + digits(8)
        elif country == "DE":
            bban = self.rng.choice(_DE_BANKS) + digits(10)
        elif country == "FR":
            bank, branch, account = self.rng.choice(_FR_BANKS), digits(5), digits(11)
            rib_key = 97 - (89 * int(bank) + 15 * int(branch) + 3 * int(account)) % 97
            bban = f"{bank}{branch}{account}{rib_key:02d}"
        else:
            while True:  # Dutch account numbers pass the "elfproef" (weighted sum divisible by 11).
                head = digits(9)
                last = -sum((10 - i) * int(d) for i, d in enumerate(head)) % 11
                if last < 10:
                    bban = self.rng.choice(_NL_BANKS) + head + str(last)
                    break
        compact = _iban(country, bban)
        text = group(compact, [4] * 8) if self.rng.random() < spaced_share else compact
        self.canary(IBAN, text, compact)
        return text, country

    def routing_number(self) -> str:
        first8 = self.rng.choice(_ABA_PREFIXES) + self._digits(6)
        value = first8 + str(_aba_check_digit(first8))
        self.canary(ABA, value)
        return value

    def ipv4(self) -> str:
        value = f"{self.rng.choice(('203.0.113', '198.51.100'))}.{self.rng.randint(1, 254)}"
        self.canary(IP, value)
        return value

    def ipv6(self) -> str:
        groups = ":".join(f"{self.rng.randrange(1, 0x10000):x}" for _ in range(2))
        value = f"2001:db8:{groups}::{self.rng.randrange(1, 0x10000):x}"
        self.canary(IP, value)
        return value

    def aws_key(self) -> str:
        while True:
            value = "AKIA" + "".join(self.rng.choice(_BASE32) for _ in range(16))
            if "EXAMPLE" not in value:
                self.canary(AWS_KEY, value)
                return value

    def sku(self) -> str:
        letters = "".join(self.rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(3))
        return f"SKU-{letters}-{self.rng.randint(10000, 99999)}"

    def _digits(self, count: int) -> str:
        return "".join(str(self.rng.randrange(10)) for _ in range(count))

    # ---- buckets ----

    def crm(self) -> None:
        header = (
            "customer_id",
            "full_name",
            "email",
            "phone",
            "date_of_birth",
            "ssn",
            "signup_date",
            "notes",
        )
        half = self.rows // 2
        for key, count, locale, phone in (
            ("customers/region=eu/part-00000.csv", half, "en_GB", self.uk_phone),
            ("customers/region=us/part-00001.csv", self.rows - half, "en_US", self.us_phone),
        ):
            records = []
            for _ in range(count):
                first, last = self.name(locale)
                self.canary(PERSON, f"{first} {last}")
                dob = self.date_between(dt.date(1940, 1, 1), dt.date(2005, 12, 31)).isoformat()
                self.canary(DOB, dob)
                records.append(
                    (
                        self.customer_id(),
                        f"{first} {last}",
                        self.email(first, last),
                        phone(),
                        dob,
                        self.ssn(),
                        self.date_between(dt.date(2015, 1, 1), dt.date(2024, 12, 31)).isoformat(),
                        self.rng.choice(self.sentences[locale]),
                    )
                )
            _write(self.path(CRM, key), csv_bytes(header, records))
        self.plant(CRM, "customers/", "full_name", PERSON)
        self.plant(CRM, "customers/", "email", EMAIL)
        self.plant(CRM, "customers/", "phone", PHONE)
        self.plant(CRM, "customers/", "date_of_birth", DOB)
        self.plant(CRM, "customers/", "ssn", SSN)

        contacts = []
        for _ in range(max(2, self.rows // 4)):
            first, last = self.name("en_US")
            self.canary(PERSON, f"{first} {last}")
            contacts.append((f"{first} {last}", self.email(first, last, "partners.example.com"), self.us_phone()))
        data = csv_bytes(("name", "work_email", "mobile"), contacts, delimiter="\t")
        _write(self.path(CRM, "exports/contacts.tsv.gz"), _gzip(data))
        self.plant(CRM, "exports/contacts.tsv.gz", "name", PERSON)
        self.plant(CRM, "exports/contacts.tsv.gz", "work_email", EMAIL)
        self.plant(CRM, "exports/contacts.tsv.gz", "mobile", PHONE)

    def payments(self) -> None:
        half = self.rows // 2
        for key, count in (
            ("transactions/2024/part-0.parquet", half),
            ("transactions/2024/part-1.parquet", self.rows - half),
        ):
            txn_ids, cards, ibans, routing, amounts, currencies = [], [], [], [], [], []
            for _ in range(count):
                iban, country = self.iban()
                txn_ids.append(self.not_luhn())
                cards.append(self.card())
                ibans.append(iban)
                routing.append(self.routing_number())
                amounts.append(round(self.rng.uniform(1.0, 5000.0), 2))
                currencies.append(self.rng.choice((("GBP" if country == "GB" else "EUR"), "USD")))
            _write_parquet(
                self.path(PAYMENTS, key),
                {
                    "txn_id": (pa.string(), txn_ids),
                    "card_number": (pa.string(), cards),
                    "iban": (pa.string(), ibans),
                    "routing_number": (pa.string(), routing),
                    "amount": (pa.float64(), amounts),
                    "currency": (pa.string(), currencies),
                },
            )
        self.plant(PAYMENTS, "transactions/2024/", "card_number", CARD)
        self.plant(PAYMENTS, "transactions/2024/", "iban", IBAN)
        self.plant(PAYMENTS, "transactions/2024/", "routing_number", ABA)

        settlements = [
            (
                f"STL-2024-{index:06d}",
                self.iban(spaced_share=0.0)[0],
                f"{self.rng.uniform(100.0, 90000.0):.2f}",
            )
            for index in range(1, max(2, self.rows // 4) + 1)
        ]
        data = csv_bytes(("batch_id", "iban", "amount"), settlements)
        _write(self.path(PAYMENTS, "settlements/settlement.csv.bz2"), bz2.compress(data, compresslevel=9))
        self.plant(PAYMENTS, "settlements/settlement.csv.bz2", "iban", IBAN)

    def support(self) -> None:
        half = self.rows // 2
        index = 0
        for key, count, month in (
            ("tickets/2024-06.jsonl.zst", half, 6),
            ("tickets/2024-07.jsonl", self.rows - half, 7),
        ):
            records = []
            for _ in range(count):
                first, last = self.name(self.rng.choice(("en_US", "en_GB")))
                self.canary(PERSON, f"{first} {last}")
                body = self.rng.choice(_BODIES)
                # Exactly 3 rows in 10 embed a contact detail, alternating kinds, so small estates get both.
                slot = index % 10
                if slot in (0, 6):
                    body += " " + self.rng.choice(_EMBED_EMAIL).format(self.email(first, last))
                elif slot == 3:
                    phone = self.uk_phone() if self.rng.random() < 0.5 else self.us_phone()
                    body += " " + self.rng.choice(_EMBED_PHONE).format(phone)
                created = dt.datetime(2024, month, 1) + dt.timedelta(seconds=self.rng.randrange(28 * 86400))
                records.append(
                    {
                        "ticket_id": f"TCK-{100000 + index}",
                        "customer": {"name": f"{first} {last}", "email": self.email(first, last)},
                        "subject": self.rng.choice(_SUBJECTS),
                        "body": body,
                        "created_at": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    }
                )
                index += 1
            data = _jsonl_bytes(records)
            if key.endswith(".zst"):
                data = zstandard.ZstdCompressor(level=3).compress(data)
            _write(self.path(SUPPORT, key), data)
        self.plant(SUPPORT, "tickets/", "customer.name", PERSON)
        self.plant(SUPPORT, "tickets/", "customer.email", EMAIL)
        self.plant(SUPPORT, "tickets/", "body", EMAIL, PHONE)

    def logs(self) -> None:
        day = dt.datetime(2024, 6, 1)
        count = max(20, self.rows * 2)
        stamps = sorted(self.rng.randrange(86_400_000) for _ in range(count))
        key_lines = {count // 3, (2 * count) // 3}
        lines = []
        for number, millis in enumerate(stamps):
            stamp = (day + dt.timedelta(milliseconds=millis)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
            thread = f"http-nio-8080-exec-{self.rng.randint(1, 16)}"
            if number in key_lines:
                lines.append(
                    f"{stamp} DEBUG [main] config dump: {{'region': 'eu-west-1', 'bucket': 'acme-app-data', "
                    f"'aws_access_key_id': '{self.aws_key()}', 'aws_secret_access_key': '****', 'retries': 3}}"
                )
                continue
            client = self.ipv6() if self.rng.random() < 0.1 else self.ipv4()
            path = self.rng.choice(_PATHS).format(
                self.rng.choice((str(self.rng.randint(1, 99999)), f"{self.rng.getrandbits(32):08x}"))
            )
            roll = self.rng.random()
            if roll < 0.85:
                status = self.rng.choice((200, 200, 200, 201, 204, 304, 404))
                lines.append(f"{stamp} INFO  [{thread}] {client} - GET {path} {status} {self.rng.randint(2, 900)}ms")
            elif roll < 0.95:
                lines.append(
                    f"{stamp} WARN  [{thread}] slow request from {client}: {path} took {self.rng.randint(1000, 5000)}ms"
                )
            else:
                lines.append(f"{stamp} ERROR [{thread}] upstream timeout for {client} on {path} after 3000ms")
        _write(self.path(LOGS, "app/2024/06/01/server.log.gz"), _gzip(("\n".join(lines) + "\n").encode("utf-8")))
        self.plant(LOGS, "app/2024/06/01/server.log.gz", None, IP, AWS_KEY)

        worker = []
        for millis in sorted(self.rng.randrange(86_400_000) for _ in range(max(10, self.rows // 2))):
            stamp = (day + dt.timedelta(milliseconds=millis)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
            job = self.rng.choice(("reindex-orders", "send-digest", "expire-carts", "rebuild-search"))
            worker.append(
                f"{stamp} INFO  [worker-{self.rng.randint(1, 8)}] job={job} version={self.rng.choice(_APP_VERSIONS)} "
                f"build=bld-{self.rng.getrandbits(28):07x} status=ok duration={self.rng.randint(50, 9000)}ms "
                f"items={self.rng.randint(0, 5000)}"
            )
        _write(self.path(LOGS, "app/2024/06/01/worker.log"), ("\n".join(worker) + "\n").encode("utf-8"))

    def databases(self) -> None:
        """An RDS snapshot export and a Redshift UNLOAD, laid out and described as AWS writes them."""
        self._rds_export("rds/export-crm-20240601/")
        self._redshift_unload("redshift/unload/orders_")

    def _rds_export(self, root: str) -> None:
        task = root.strip("/").rsplit("/", 1)[-1]
        info = {
            "exportTaskIdentifier": task, "sourceArn": "arn:aws:rds:eu-west-1:123456789012:snapshot:crm-20240601",
            "exportOnly": [], "snapshotTime": "2024-06-01T02:00:00Z", "taskStartTime": "2024-06-01T02:05:00Z",
            "taskEndTime": "2024-06-01T02:20:00Z", "s3Bucket": DATABASES, "s3Prefix": "rds",
            "status": "COMPLETE", "percentProgress": 100, "totalExportedDataInGB": 0.0,
        }  # fmt: skip
        _write(self.path(DATABASES, f"{root}export_info_{task}.json"), json.dumps(info, indent=2).encode())
        mappings = [("customer_id", "bigint", "int64"), ("full_name", "character varying", "string"),
                    ("email", "character varying", "string"), ("phone", "text", "string"),
                    ("signup_date", "date", "string")]  # fmt: skip
        tables = {
            "perTableStatus": [
                {"tableStatistics": {"partitioningInfo": {"numberOfPartitions": 2, "numberOfCompletedPartitions": 2}},
                 "schemaMetadata": {"originalTypeMappings": [
                     {"columnName": c, "originalType": o, "expectedExportedType": e} for c, o, e in mappings]},
                 "status": "COMPLETE", "sizeGB": 0.0, "target": "crmdb.public.customers"},
                {"warningMessage": "The table public.big_blobs was skipped: LOB too large", "target": "crmdb"},
            ]
        }  # fmt: skip
        _write(self.path(DATABASES, f"{root}export_tables_info_{task}_from_1_to_2.json"), json.dumps(tables).encode())
        table = f"{root}crmdb/public.customers/1/"
        half = self.rows // 2
        for part, count in ((0, half), (2, self.rows - half)):  # partition 1 was empty: a gap in the numbering
            ids, names, emails, phones, dates = [], [], [], [], []
            for _ in range(count):
                first, last = self.name("en_GB")
                self.canary(PERSON, f"{first} {last}")
                ids.append(int(self.customer_id()))
                names.append(f"{first} {last}")
                emails.append(self.email(first, last))
                phones.append(self.uk_phone())
                dates.append(self.date_between(dt.date(2015, 1, 1), dt.date(2024, 5, 31)).isoformat())
            uuid = f"{self.rng.getrandbits(128):032x}"
            name = f"part-{part:05d}-{uuid[:8]}-{uuid[8:12]}-{uuid[12:16]}-{uuid[16:20]}-{uuid[20:]}-c000.gz.parquet"
            columns: dict[str, tuple[pa.DataType, list[Any]]] = {
                "customer_id": (pa.int64(), ids),
                "full_name": (pa.string(), names),
                "email": (pa.string(), emails),
                "phone": (pa.string(), phones),
                "signup_date": (pa.string(), dates),
            }
            _write_parquet(self.path(DATABASES, table + name), columns, compression="gzip")  # RDS: .gz.parquet
        _write(self.path(DATABASES, f"{table}_SUCCESS"), b"")
        dataset = f"{root}crmdb/public.customers/"
        self.plant(DATABASES, dataset, "full_name", PERSON)
        self.plant(DATABASES, dataset, "email", EMAIL)
        self.plant(DATABASES, dataset, "phone", PHONE)

    def _redshift_unload(self, prefix: str) -> None:
        """Default UNLOAD text (pipe-delimited, no header), GZIP, two slices, MANIFEST VERBOSE."""
        half = self.rows // 2
        entries: list[dict[str, Any]] = []
        total = 0
        for slice_, count in ((0, half), (1, self.rows - half)):
            lines = []
            for _ in range(count):
                first, last = self.name("en_US")
                lines.append(f"{self.not_luhn(10)}|{self.email(first, last)}|{self.card()}|"
                             f"{self.rng.uniform(5.0, 900.0):.2f}")  # fmt: skip
            data = _gzip(("\n".join(lines) + "\n").encode())
            key = f"{prefix}{slice_:04d}_part_00.gz"
            _write(self.path(DATABASES, key), data)
            total += len(data)
            entries.append({"url": f"s3://{DATABASES}/{key}", "meta": {"content_length": len(data),
                                                                          "record_count": count}})  # fmt: skip
        elements = [("order_id", {"base": "bigint"}), ("customer_email", {"base": "character varying", "length": 128}),
                    ("card_number", {"base": "character varying", "length": 19}),
                    ("amount", {"base": "numeric", "precision": 10, "scale": 2})]  # fmt: skip
        manifest = {
            "entries": entries,
            "schema": {"elements": [{"name": name, "type": kind} for name, kind in elements]},
            "meta": {"content_length": total, "record_count": self.rows},
            "author": {"name": "Amazon Redshift", "version": "1.0.0"},
        }
        _write(self.path(DATABASES, f"{prefix}manifest"), json.dumps(manifest, indent=2).encode())
        self.plant(DATABASES, prefix, "customer_email", EMAIL)
        self.plant(DATABASES, prefix, "card_number", CARD)

    def analytics(self) -> None:
        daily = [
            (
                self.not_luhn(),
                self.sku(),
                self.rng.choice(_BUILD_VERSIONS),
                self.date_between(dt.date(2024, 1, 1), dt.date(2024, 12, 31)).isoformat(),
                self.rng.randint(0, 2000),
            )
            for _ in range(self.rows)
        ]
        _write(
            self.path(ANALYTICS, "metrics/daily.csv"),
            csv_bytes(("order_id", "sku", "build_version", "created_at", "count"), daily),
        )

        metrics, weeks, totals, means, p95s = [], [], [], [], []
        for metric in ("orders", "sessions", "signups", "refunds"):
            for week in range(1, max(2, self.rows // 20) + 1):
                mean = round(self.rng.uniform(10.0, 1000.0), 3)
                metrics.append(metric)
                weeks.append(week)
                totals.append(self.rng.randint(100, 100000))
                means.append(mean)
                p95s.append(round(mean * self.rng.uniform(1.5, 3.0), 3))
        _write_parquet(
            self.path(ANALYTICS, "metrics/summary.parquet"),
            {
                "metric": (pa.string(), metrics),
                "week": (pa.int32(), weeks),
                "total": (pa.int64(), totals),
                "mean": (pa.float64(), means),
                "p95": (pa.float64(), p95s),
            },
        )
        _write(self.path(ANALYTICS, "images/logo.png"), _png_bytes(self.rng))


@dataclass(frozen=True)
class DemoDatabase:
    """A SYNTHETIC PostgreSQL table for the demo's JDBC source: its SQL and the columns planted in it."""

    table: str  # schema.table
    setup_sql: str
    planted: tuple[tuple[str, str], ...]  # (column, entity type)
    canaries: tuple[str, ...] = ()  # its e-mails and phone numbers, for leak tests (names are too common to grep)


def demo_database(*, seed: int = 7, rows: int = 200) -> DemoDatabase:
    """``public.leads``: names, e-mails and UK phone numbers of sales leads, plus a clean status column."""
    builder = _Builder(Path("."), seed + 1, max(rows, MIN_ROWS))
    values = []
    canaries: list[str] = []
    for index in range(builder.rows):
        first, last = builder.name("en_GB")
        status = builder.rng.choice(("new", "contacted", "qualified", "lost"))
        fields = (f"{first} {last}", builder.email(first, last), builder.uk_phone(), status)
        canaries.extend(fields[1:3])
        quoted = ", ".join("'" + field.replace("'", "''") + "'" for field in fields)
        values.append(f"({index + 1}, {quoted})")
    sql = (
        "CREATE TABLE public.leads (lead_id integer PRIMARY KEY, full_name text, email varchar(200), "
        "phone varchar(40), status varchar(20));\n"
        f"INSERT INTO public.leads VALUES {', '.join(values)};\n"
        "GRANT SELECT ON public.leads TO {reader};\n"  # {reader}: replaced by the role name
    )
    planted = (("full_name", PERSON), ("email", EMAIL), ("phone", PHONE))
    return DemoDatabase("public.leads", sql, planted, tuple(dict.fromkeys(canaries)))


def generate_estate(root: Path, *, seed: int = 7, rows: int = 200) -> Estate:
    """Write the synthetic estate under ``root/<bucket>/`` and return it with its ground truth.

    Existing ``root/<bucket>`` folders of the estate's buckets are replaced; nothing else under ``root`` is
    touched. The same ``seed`` and ``rows`` give byte-identical files (for a given Faker version).

    Args:
        root: Destination folder; created if missing.
        seed: Seed for Faker and the ``random.Random`` used for everything else.
        rows: Rows per tabular dataset (other objects scale with it); at least ``MIN_ROWS``.

    """
    if rows < MIN_ROWS:
        raise ValueError(f"rows must be at least {MIN_ROWS} so that every planted entity occurs, got {rows}")
    root = Path(root)
    for bucket in BUCKETS:
        shutil.rmtree(root / bucket, ignore_errors=True)
    builder = _Builder(root, seed, rows)
    builder.crm()
    builder.payments()
    builder.support()
    builder.logs()
    builder.analytics()
    builder.databases()
    by_entity = {entity: tuple(values) for entity, values in builder.canaries.items()}
    canaries = tuple(dict.fromkeys(value for values in by_entity.values() for value in values))
    return Estate(root=root, planted=tuple(builder.planted), canaries=canaries, canaries_by_entity=by_entity)


def upload_estate(estate: Estate, endpoint_url: str, region: str = "us-east-1") -> list[str]:
    """Create the estate's buckets at ``endpoint_url`` and upload every file; return the buckets' URIs.

    Meant for a local endpoint (moto): it signs with the dummy credentials ``testing``/``testing``.
    Buckets that already exist are reused.

    Returns:
        ``s3://<bucket>`` for every bucket, sorted.

    """
    client = _client(endpoint_url, region)
    existing = {bucket["Name"] for bucket in client.list_buckets().get("Buckets", []) if "Name" in bucket}
    objects = estate.objects()
    for bucket in sorted({bucket for bucket, _ in objects}):
        if bucket in existing:
            continue
        if region == "us-east-1":
            client.create_bucket(Bucket=bucket)
        else:
            client.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})
    for bucket, key in objects:
        client.upload_file(str(estate.root / bucket / key), bucket, key)
    return [f"s3://{bucket}" for bucket in sorted({bucket for bucket, _ in objects})]


def reupload(estate: Estate, endpoint_url: str, bucket: str, key: str, region: str = "us-east-1") -> None:
    """Upload one object of the estate again, unchanged: same ETag, a later last-modified time."""
    _client(endpoint_url, region).upload_file(str(estate.root / bucket / key), bucket, key)


def _client(endpoint_url: str, region: str) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=endpoint_url,
        region_name=region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def main(argv: Sequence[str] | None = None) -> int:
    """CLI: write an estate, optionally upload it, and print every object with its size."""
    parser = argparse.ArgumentParser(
        prog="python -m demo.estate", description=__doc__.splitlines()[0] if __doc__ else None
    )
    parser.add_argument("root", type=Path, help="output folder (root/<bucket>/<key>)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rows", type=int, default=200)
    parser.add_argument("--endpoint-url", help="also upload to this S3 endpoint (e.g. a moto server)")
    args = parser.parse_args(argv)
    estate = generate_estate(args.root, seed=args.seed, rows=args.rows)
    total = 0
    for bucket, key in estate.objects():
        size = (estate.root / bucket / key).stat().st_size
        total += size
        print(f"{size:>10}  s3://{bucket}/{key}")
    print(f"{total:>10}  total; {len(estate.planted)} planted columns, {len(estate.canaries)} canaries")
    if args.endpoint_url:
        for uri in upload_estate(estate, args.endpoint_url):
            print(f"uploaded {uri}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
