"""The look-alikes that make other scanners noisy must produce no finding at all with the default configuration.

Each column holds 2,000 deterministic values of one trap under a neutral column name; a finding would be any
entity whose confidence reaches the reporting threshold.
"""

from __future__ import annotations

import base64
import random
import string
import uuid
from collections.abc import Callable

import pyarrow as pa
import pytest

from classifiers.config import DetectionConfig
from classifiers.engine import Engine
from classifiers.scoring import assess, evidence_of
from classifiers.tally import ColumnTally
from classifiers.validators import luhn

ENGINE = Engine(DetectionConfig.default())
ROWS = 2_000


def _digits(rng: random.Random, count: int) -> str:
    return str(rng.randint(1, 9)) + "".join(rng.choices(string.digits, k=count - 1))


def _ean13(rng: random.Random) -> str:
    body = "".join(rng.choices(string.digits, k=12))
    check = (10 - sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body)) % 10) % 10
    return body + str(check)


def _upc_a(rng: random.Random) -> str:
    body = "".join(rng.choices(string.digits, k=11))
    check = (10 - sum(int(d) * (1 if i % 2 else 3) for i, d in enumerate(body)) % 10) % 10
    return body + str(check)


def _isbn13(rng: random.Random) -> str:
    body = "978" + "".join(rng.choices(string.digits, k=9))
    check = (10 - sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body)) % 10) % 10
    return f"{body[:3]}-{body[3]}-{body[4:8]}-{body[8:]}-{check}"


TRAPS: dict[str, Callable[[random.Random], str]] = {
    # random 16-digit order ids: about 10 % pass Luhn, some fall in issuer ranges
    "order_id": lambda rng: _digits(rng, 16),
    # 10-digit customer ids: many parse as valid phone numbers somewhere
    "customer_id": lambda rng: _digits(rng, 10),
    "invoice_no": lambda rng: _digits(rng, 9),
    "created_at": lambda rng: (
        f"20{rng.randint(10, 25)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T"
        f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}Z"
    ),
    "event_time": lambda rng: f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}",
    "fiscal_year": lambda rng: str(rng.randint(1990, 2030)),
    "build_version": lambda rng: ".".join(str(rng.randint(0, 20)) for _ in range(4)),
    "request_id": lambda rng: str(uuid.UUID(int=rng.getrandbits(128), version=4)),
    "isbn": _isbn13,
    "barcode": _ean13,
    "zip": lambda rng: (
        f"{rng.randint(501, 99950):05d}" + (f"-{rng.randint(0, 9999):04d}" if rng.random() < 0.3 else "")
    ),
    "amount": lambda rng: f"{rng.uniform(0, 10_000):.2f}",
    "sha256": lambda rng: "".join(rng.choices("0123456789abcdef", k=64)),
    # 11-digit references: the shape of fødselsnummer, Belgian national numbers, PESEL and CPF
    "external_ref": lambda rng: _digits(rng, 11),
    # 12-digit UPC-A barcodes: the shape of Spanish social security numbers, Aadhaar and My Number
    "upc": _upc_a,
    # date-stamped batch ids DDMMYY-NNNN: the shape of a Finnish henkilötunnus with a digit check character
    "batch_id": lambda rng: (
        f"{rng.randint(1, 28):02d}{rng.randint(1, 12):02d}{rng.randint(0, 99):02d}-{rng.randint(0, 9999):04d}"
    ),
    # 16-character upper-case codes: the alphabet of UK driving licence numbers
    "voucher_code": lambda rng: "".join(rng.choices(string.ascii_uppercase + string.digits, k=16)),
    # MD5 digests and base64 blobs: Base58-like runs that could read as Bitcoin addresses
    "md5": lambda rng: "".join(rng.choices("0123456789abcdef", k=32)),
    "payload": lambda rng: base64.b64encode(rng.randbytes(rng.randint(16, 64))).decode(),
    # product plans: "Basic" followed by a word, the shape of HTTP Basic credentials
    "plan": lambda rng: (
        rng.choice(("Basic", "BASIC", "basic"))
        + " "
        + rng.choice(("Subscription", "Monthly", "Membership", "Information", "Starter+", "Annual/EU", "Plan2024"))
    ),
}


@pytest.mark.parametrize("column", sorted(TRAPS))
def test_look_alike_column_produces_no_finding(column: str) -> None:
    rng = random.Random(column)
    values = [TRAPS[column](rng) for _ in range(ROWS)]
    tally = ColumnTally(column)
    ENGINE.scan(pa.array(values), tally)
    scoring = ENGINE.config.scoring
    reported = {
        entity: assess(evidence_of(tally, entity, ENGINE.config.detector(entity).validate is not None), scoring)
        for entity in tally.entities
    }
    assert {e: a.confidence for e, a in reported.items() if a.confidence >= scoring.min_confidence} == {}


def test_the_order_id_trap_really_contains_luhn_valid_numbers() -> None:
    rng = random.Random("order_id")
    values = [TRAPS["order_id"](rng) for _ in range(ROWS)]
    assert 150 < sum(luhn(v, {}) for v in values) < 250


def test_the_same_dotted_values_are_ip_addresses_outside_a_version_column() -> None:
    rng = random.Random("build_version")
    values = [TRAPS["build_version"](rng) for _ in range(ROWS)]
    tally = ColumnTally("server_ip")
    ENGINE.scan(pa.array(values), tally)
    assessment = assess(evidence_of(tally, "IP_ADDRESS", has_validator=True), ENGINE.config.scoring)
    assert (tally.entities["IP_ADDRESS"].matched_values, assessment.confidence) == (ROWS, 1.0)
    assert ENGINE.excluded_entities("build_version") == frozenset({"IP_ADDRESS"})
    assert ENGINE.excluded_entities("server_ip") == frozenset()
