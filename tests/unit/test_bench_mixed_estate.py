"""The realistic benchmark estate is deterministic, sized as asked, and plants what it says it plants."""

from __future__ import annotations

import gzip
from pathlib import Path

import pyarrow.compute as pc

from bench.memory_bench import big_gzip_log
from bench.mixed_estate import generate, log_lines, table
from classifiers.validators import luhn


def _contents(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_the_same_seed_writes_the_same_bytes_and_every_format(tmp_path: Path) -> None:
    first = generate(tmp_path / "a", total_mb=3, object_mb=0.5)
    second = generate(tmp_path / "b", total_mb=3, object_mb=0.5)
    assert _contents(first.root) == _contents(second.root)
    assert sorted(_contents(first.root)) == [
        "csv/part-00000.csv",
        "csv_gz/part-00001.csv.gz",
        "jsonl/part-00002.jsonl",
        "jsonl_gz/part-00003.jsonl.gz",
        "log_gz/part-00005.log.gz",
        "parquet/part-00004.parquet",
    ]
    assert first.objects == 6
    assert 2.0e6 < first.bytes < 4.5e6  # about total_mb on disk: object sizes come from measured bytes per row


def test_tables_plant_three_percent_emails_and_luhn_valid_cards() -> None:
    data = table(100_000, seed=3)
    emails = pc.sum(pc.match_substring(data.column("contact"), "@example.com")).as_py()
    cards = [v for v in data.column("payment_ref").to_pylist() if not v.startswith("PAY")]
    assert 2_700 < emails < 3_300
    assert 2_700 < len(cards) < 3_300
    assert all(len(card) == 16 and card[0] == "4" and luhn(card, {}) for card in cards)
    assert data.column_names == [
        "id",
        "order_ref",
        "sku",
        "amount",
        "quantity",
        "country",
        "created_at",
        "status",
        "comment",
        "contact",
        "payment_ref",
    ]


def test_big_gzip_log_is_one_stream_of_whole_blocks(tmp_path: Path) -> None:
    path = tmp_path / "big.log.gz"
    decompressed_mb = big_gzip_log(path, 1.0)
    with gzip.open(path, "rb") as stream:
        text = stream.read()
    assert len(text) / 1e6 == decompressed_mb
    block = log_lines(200_000, 17).to_pylist()
    assert text.decode().splitlines()[: len(block)] == block
    assert len(text.splitlines()) % len(block) == 0
