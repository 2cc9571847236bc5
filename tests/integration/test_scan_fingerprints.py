"""The scan with keyed fingerprints on: the same value correlates across assets, and no value is stored in clear."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from deltalake import DeltaTable
from pyspark.sql import SparkSession

from classifiers.fingerprints import Fingerprinter
from jobs.config import parse_config
from jobs.scan import ScanRequest, run_scan
from jobs.tables import FINGERPRINTS
from tests.secrecy import files_under, find_leaks

KEY = "fingerprint-test-key-0123456789abcdef"
CLOCK = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
SHARED_CARDS = ["4111111111111111", "5500000000000004"]
CSV_CARDS = [*SHARED_CARDS, "4012888888881881"]
JSON_CARDS = [*SHARED_CARDS, "378282246310005"]
EMAILS = [f"person{i}@example.org" for i in range(8)]


def _estate(folder: Path) -> Path:
    folder.mkdir()
    lines = ["customer,card_number,email"]
    for i in range(24):
        card = CSV_CARDS[i % 3]
        spelled = " ".join(card[j : j + 4] for j in range(0, len(card), 4)) if i % 2 else card
        lines.append(f"c{i},{spelled},{EMAILS[i % 8]}")
    (folder / "customers.csv").write_text("\n".join(lines) + "\n")
    orders = [{"order": i, "payment": {"card": JSON_CARDS[i % 3]}} for i in range(12)]
    (folder / "orders.jsonl").write_text("\n".join(json.dumps(o) for o in orders) + "\n")
    return folder


@pytest.fixture(scope="module")
def scanned(spark: SparkSession, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("fingerprints")
    source = _estate(base / "src")
    output = base / "out"
    config = parse_config({"fingerprints": {"enabled": True, "key_env": "TEST_FP_KEY", "limit": 5}})
    with pytest.MonkeyPatch.context() as env:
        env.setenv("TEST_FP_KEY", KEY)
        for _ in range(2):  # the second run with the same id must add nothing
            run_scan(spark, ScanRequest((str(source),), str(output), config, "run-fp"), clock=lambda: CLOCK)
    return source, output


def test_fingerprints_table_holds_the_bottom_k_of_each_findings_values(scanned: tuple[Path, Path]) -> None:
    source, output = scanned
    fingerprint = Fingerprinter(KEY.encode(), limit=5)
    table = DeltaTable(str(output / "fingerprints")).to_pyarrow_table()
    assert table.schema.names == FINGERPRINTS.names
    findings = DeltaTable(str(output / "findings")).to_pyarrow_table().to_pylist()
    finding_ids = {(f["asset"], f["column"], f["entity_type"]): f["finding_id"] for f in findings}
    rows = sorted(
        (r["finding_id"], r["asset"], r["column"], r["entity_type"], r["fingerprint"], r["key_id"], r["run_id"])
        for r in table.to_pylist()
    )

    def expected(asset: str, column: str, entity: str, values: list[str]) -> list[tuple[str, ...]]:
        uri = f"file://{source}/{asset}"
        kept = sorted(fingerprint(v) for v in set(values))[:5]
        found = finding_ids[(uri, column, entity)]
        return [(found, uri, column, entity, f, fingerprint.key_id, "run-fp") for f in kept]

    assert rows == sorted(
        expected("customers.csv", "card_number", "CREDIT_CARD", CSV_CARDS)
        + expected("customers.csv", "email", "EMAIL_ADDRESS", EMAILS)  # 8 distinct: the 5 smallest are kept
        + expected("orders.jsonl", "payment.card", "CREDIT_CARD", JSON_CARDS)
    )


def test_a_value_in_two_assets_has_one_fingerprint_in_both(scanned: tuple[Path, Path]) -> None:
    _, output = scanned
    table = DeltaTable(str(output / "fingerprints")).to_pyarrow_table().to_pylist()
    assets_per_fingerprint: dict[str, set[str]] = {}
    for row in table:
        assets_per_fingerprint.setdefault(row["fingerprint"], set()).add(row["asset"].rsplit("/", 1)[-1])
    fingerprint = Fingerprinter(KEY.encode())
    shared = {f for f, assets in assets_per_fingerprint.items() if len(assets) > 1}
    assert shared == {fingerprint(card) for card in SHARED_CARDS}


def test_no_value_or_key_is_written_in_clear(scanned: tuple[Path, Path]) -> None:
    _, output = scanned
    planted = [*CSV_CARDS, *JSON_CARDS, *EMAILS, KEY]
    assert find_leaks(planted, files_under(output)) == []  # in clear or encoded
