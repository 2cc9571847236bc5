"""The scan job on Redshift UNLOAD output: names from a VERBOSE manifest, a header or by position.

The UNLOADs are SYNTHETIC: file names, manifest shape (AWS's own VERBOSE example, invalid JSON included) and the
text options (pipe-delimited without header, ESCAPE, ADDQUOTES, CSV with HEADER, gzip, PARTITION BY folders)
follow /work/shared/reference/aws-formats.md section 2; every value is invented.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from deltalake import DeltaTable
from pyspark.sql import SparkSession

from jobs.config import load_config
from jobs.scan import ScanRequest, ScanResult, run_scan

RUN_ID = "run-unload-1"
EMAILS = ("ana.lima@example.com", "ben.kowalski@example.org", "chen.wei@example.net", "dora.fox@example.com")
CARDS = ("4111111111111111", "5555555555554444", "4012888888881881", "6011111111111117")

VERBOSE_MANIFEST = """{
  "entries": [
    {"url": "s3://warehouse/unload/customers_0000_part_00.gz", "meta": {"content_length": 120, "record_count": 2}},
    {"url": "s3://warehouse/unload/customers_0001_part_00.gz", "meta": {"content_length": 118, "record_count": 2}}
  ],
  "schema": {"elements": [
    {"name": "customer_id", "type": {"base": "integer"}},
    {"name": "contact", "type": {"base": "character varying", 64}},
    {"name": "note", "type": {"base": "character varying", 256}}
  ]},
  "meta": {"content_length": 238, "record_count": 4},
  "author": {"name": "Amazon Redshift", "version": "1.0.0"}
}"""


def write_unloads(source: Path) -> Path:
    """Four UNLOADs under ``source``; returns it."""
    unload = source / "unload"
    unload.mkdir(parents=True)
    # 1. Default text (pipe, no header) with ESCAPE, gzip, PARALLEL ON over two slices, MANIFEST VERBOSE.
    rows = [f"{100 + i}|{email}|paid\\|twice" for i, email in enumerate(EMAILS)]
    (unload / "customers_0000_part_00.gz").write_bytes(gzip.compress("\n".join(rows[:2]).encode() + b"\n", mtime=0))
    (unload / "customers_0001_part_00.gz").write_bytes(gzip.compress("\n".join(rows[2:]).encode() + b"\n", mtime=0))
    (unload / "customers_manifest").write_text(VERBOSE_MANIFEST)
    # 2. CSV with HEADER, no manifest, PARTITION BY (region) folders.
    for region, cards in (("eu", CARDS[:2]), ("us", CARDS[2:])):
        folder = unload / "payments" / f"region={region}"
        folder.mkdir(parents=True)
        (folder / "0000_part_00").write_text(
            "payment_id,card_number\n" + "".join(f"{i},{c}\n" for i, c in enumerate(cards))
        )
    # 3. ADDQUOTES text without manifest or header: columns by position.
    (unload / "contacts_0000_part_00").write_text("".join(f'"{i}"|"{e}"\n' for i, e in enumerate(EMAILS)))
    # 4. Parquet with a plain manifest.
    pq.write_table(pa.table({"email": list(EMAILS)}), unload / "pq_0000_part_00.parquet")
    (unload / "pq_manifest").write_text(
        json.dumps({"entries": [{"url": "s3://warehouse/unload/pq_0000_part_00.parquet"}]})
    )
    return source


@pytest.fixture(scope="module")
def scanned(spark: SparkSession, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, ScanResult]:
    base = tmp_path_factory.mktemp("unload-scan")
    source = write_unloads(base / "src")
    output = base / "out"
    return source, output, run_scan(spark, ScanRequest((str(source),), str(output), load_config(), RUN_ID))


EMAIL_EVIDENCE = ["pattern:EMAIL_ADDRESS.email", "validator:email"]
CARD_EVIDENCE = ["pattern:CREDIT_CARD.bare_digits", "validator:credit_card", "column_hint:card_number"]


def test_findings_use_manifest_header_or_positional_column_names(scanned: tuple[Path, Path, ScanResult]) -> None:
    source, output, _ = scanned
    found = DeltaTable(str(output / "findings")).to_pyarrow_table()
    columns = ["asset", "column", "entity_type", "source_kind", "matched_values", "values_scanned", "confidence",
               "column_type", "objects_scanned", "detectors"]  # fmt: skip
    rows = sorted(found.select(columns).to_pylist(), key=lambda r: (r["asset"], r["column"], r["entity_type"]))
    base = f"file://{source}/unload/"
    assert rows == [
        # ADDQUOTES, no names: the e-mails are col_2; 0.9 pattern + validator 0.2 (no hint for col_2) -> 1.0
        {"asset": f"{base}contacts_", "column": "col_2", "entity_type": "EMAIL_ADDRESS",
         "source_kind": "redshift_unload", "matched_values": 4, "values_scanned": 4, "confidence": 1.0,
         "column_type": None, "objects_scanned": 1,
         "detectors": [*EMAIL_EVIDENCE, "column_name:by_position"]},  # the finding says the name is a position
        # VERBOSE manifest: names and Redshift types
        {"asset": f"{base}customers_", "column": "contact", "entity_type": "EMAIL_ADDRESS",
         "source_kind": "redshift_unload", "matched_values": 4, "values_scanned": 4, "confidence": 1.0,
         "column_type": "character varying(64)", "objects_scanned": 2, "detectors": EMAIL_EVIDENCE},
        # CSV with HEADER under PARTITION BY folders: one dataset; bare 16 digits 0.4 + hint 0.3 + validator 0.2
        {"asset": f"{base}payments/", "column": "card_number", "entity_type": "CREDIT_CARD",
         "source_kind": "redshift_unload", "matched_values": 4, "values_scanned": 4, "confidence": 0.9,
         "column_type": None, "objects_scanned": 2, "detectors": CARD_EVIDENCE},
        {"asset": f"{base}pq_", "column": "email", "entity_type": "EMAIL_ADDRESS", "source_kind": "redshift_unload",
         "matched_values": 4, "values_scanned": 4, "confidence": 1.0, "column_type": None, "objects_scanned": 1,
         "detectors": [*EMAIL_EVIDENCE, "column_hint:email"]},
    ]  # fmt: skip


def test_assets_record_manifests_and_positional_names(scanned: tuple[Path, Path, ScanResult]) -> None:
    source, output, _ = scanned
    assets = DeltaTable(str(output / "assets")).to_pyarrow_table()
    rows = {r["asset"]: (r["status"], r["reason"], r["columns"]) for r in assets.to_pylist()}
    base = f"file://{source}/unload/"
    assert rows[f"{base}customers_manifest"] == (
        "skipped",
        "Redshift UNLOAD manifest; manifest is not valid JSON; read after repairing bare type dimensions",
        None,
    )
    assert rows[f"{base}pq_manifest"] == ("skipped", "Redshift UNLOAD manifest", None)
    assert rows[f"{base}contacts_0000_part_00"] == (
        "scanned",
        "columns named by position: no MANIFEST VERBOSE, HEADER or configured columns",
        ["col_1", "col_2"],
    )
    assert rows[f"{base}customers_0000_part_00.gz"] == ("scanned", None, ["customer_id", "contact", "note"])
    assert rows[f"{base}payments/region=eu/0000_part_00"] == ("scanned", None, ["payment_id", "card_number"])


def test_no_unloaded_value_is_written_in_clear(scanned: tuple[Path, Path, ScanResult]) -> None:
    _, output, _ = scanned
    written = "".join(str(DeltaTable(str(output / t)).to_pyarrow_table().to_pylist()) for t in ("findings", "assets"))
    assert all(value not in written for value in (*EMAILS, *CARDS))
