"""A hand-written estate small enough that every expected finding can be worked out by hand (synthetic)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

CANARIES = (
    "jane.doe@example.com",
    "bob.smith@example.org",
    "al@example.net",
    "+44 20 7946 0958",
    "+44 20 7946 0959",
    "(212) 736-5000",
    "4111111111111111",
    "5555555555554444",
    "AKIAQ3EGRQWLNXSJ7ZPB",
    "203.0.113.7",
    "198.51.100.23",
)


def write_small_estate(root: Path) -> Path:
    """Write the estate under ``root`` and return it."""
    eu = root / "crm" / "customers" / "region=eu"
    us = root / "crm" / "customers" / "region=us"
    for folder in (eu, us, root / "payments", root / "logs", root / "clean"):
        folder.mkdir(parents=True, exist_ok=True)
    (eu / "part-0.csv").write_text(
        "id,email,phone,notes\n"
        "1001234567,jane.doe@example.com,+44 20 7946 0958,likes tea\n"
        "1001234568,bob.smith@example.org,+44 20 7946 0959,\n"
    )
    (us / "part-1.csv").write_text("id,email,phone,notes\n1001234569,al@example.net,(212) 736-5000,call back\n")
    pq.write_table(
        pa.table({"card": ["4111111111111111", "5555555555554444"], "amount": [12.5, 99.0]}),
        root / "payments" / "cards.parquet",
    )
    (root / "logs" / "app.log").write_text(
        "2024-06-01T10:00:00Z INFO GET /health from ip 203.0.113.7\n"
        "2024-06-01T10:00:01Z INFO GET /login from ip 198.51.100.23\n"
        "2024-06-01T10:00:02Z DEBUG config aws_access_key_id=AKIAQ3EGRQWLNXSJ7ZPB\n"
        "2024-06-01T10:00:03Z INFO build 10.0.19045.3803 started\n"
    )
    (root / "clean" / "metrics.csv").write_text(
        "order_id,build_version,count\n1234567812345678,10.0.19045.3803,3\n8765432187654321,1.2.3,4\n"
    )
    (root / "clean" / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    return root
