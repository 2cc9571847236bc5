"""The synthetic estate holds exactly what its ground truth claims, and uploads to a local S3 endpoint.

Checksums are re-implemented here rather than imported from the generator, so a bug there cannot
vouch for itself.
"""

from __future__ import annotations

import bz2
import csv
import gzip
import io
import json
import re
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import boto3
import phonenumbers
import pyarrow.parquet as pq
import pytest
import zstandard

from demo.estate import (
    BUCKETS,
    CLEAN_BUCKETS,
    UNSUPPORTED_OBJECTS,
    Estate,
    PlantedColumn,
    generate_estate,
    upload_estate,
)
from jobs.local_s3 import LocalS3, s3_env

EXPECTED_OBJECTS = {
    ("acme-crm-prod", "customers/region=eu/part-00000.csv"),
    ("acme-crm-prod", "customers/region=us/part-00001.csv"),
    ("acme-crm-prod", "exports/contacts.tsv.gz"),
    ("acme-payments", "transactions/2024/part-0.parquet"),
    ("acme-payments", "transactions/2024/part-1.parquet"),
    ("acme-payments", "settlements/settlement.csv.bz2"),
    ("acme-support", "tickets/2024-06.jsonl.zst"),
    ("acme-support", "tickets/2024-07.jsonl"),
    ("acme-app-logs", "app/2024/06/01/server.log.gz"),
    ("acme-app-logs", "app/2024/06/01/worker.log"),
    ("acme-analytics-clean", "metrics/daily.csv"),
    ("acme-analytics-clean", "metrics/summary.parquet"),
    ("acme-analytics-clean", "images/logo.png"),
    ("acme-db-exports", "rds/export-crm-20240601/export_info_export-crm-20240601.json"),
    ("acme-db-exports", "rds/export-crm-20240601/export_tables_info_export-crm-20240601_from_1_to_2.json"),
    ("acme-db-exports", "rds/export-crm-20240601/crmdb/public.customers/1/_SUCCESS"),
    ("acme-db-exports", "redshift/unload/orders_0000_part_00.gz"),
    ("acme-db-exports", "redshift/unload/orders_0001_part_00.gz"),
    ("acme-db-exports", "redshift/unload/orders_manifest"),
}
# The RDS export's part files carry random UUIDs in their names: checked by pattern, not by name.
EXPORT_PART = re.compile(
    r"rds/export-crm-20240601/crmdb/public\.customers/1/part-0000[02]-[0-9a-f-]{36}-c000\.gz\.parquet"
)

EXPECTED_PLANTED = {
    PlantedColumn("acme-crm-prod", "customers/", "full_name", "PERSON"),
    PlantedColumn("acme-crm-prod", "customers/", "email", "EMAIL_ADDRESS"),
    PlantedColumn("acme-crm-prod", "customers/", "phone", "PHONE_NUMBER"),
    PlantedColumn("acme-crm-prod", "customers/", "date_of_birth", "DATE_OF_BIRTH"),
    PlantedColumn("acme-crm-prod", "customers/", "ssn", "US_SSN"),
    PlantedColumn("acme-crm-prod", "exports/contacts.tsv.gz", "name", "PERSON"),
    PlantedColumn("acme-crm-prod", "exports/contacts.tsv.gz", "work_email", "EMAIL_ADDRESS"),
    PlantedColumn("acme-crm-prod", "exports/contacts.tsv.gz", "mobile", "PHONE_NUMBER"),
    PlantedColumn("acme-payments", "transactions/2024/", "card_number", "CREDIT_CARD"),
    PlantedColumn("acme-payments", "transactions/2024/", "iban", "IBAN_CODE"),
    PlantedColumn("acme-payments", "transactions/2024/", "routing_number", "ABA_ROUTING_NUMBER"),
    PlantedColumn("acme-payments", "settlements/settlement.csv.bz2", "iban", "IBAN_CODE"),
    PlantedColumn("acme-support", "tickets/", "customer.name", "PERSON"),
    PlantedColumn("acme-support", "tickets/", "customer.email", "EMAIL_ADDRESS"),
    PlantedColumn("acme-support", "tickets/", "body", "EMAIL_ADDRESS"),
    PlantedColumn("acme-support", "tickets/", "body", "PHONE_NUMBER"),
    PlantedColumn("acme-app-logs", "app/2024/06/01/server.log.gz", None, "IP_ADDRESS"),
    PlantedColumn("acme-app-logs", "app/2024/06/01/server.log.gz", None, "AWS_ACCESS_KEY"),
    PlantedColumn("acme-db-exports", "rds/export-crm-20240601/crmdb/public.customers/", "full_name", "PERSON"),
    PlantedColumn("acme-db-exports", "rds/export-crm-20240601/crmdb/public.customers/", "email", "EMAIL_ADDRESS"),
    PlantedColumn("acme-db-exports", "rds/export-crm-20240601/crmdb/public.customers/", "phone", "PHONE_NUMBER"),
    PlantedColumn("acme-db-exports", "redshift/unload/orders_", "customer_email", "EMAIL_ADDRESS"),
    PlantedColumn("acme-db-exports", "redshift/unload/orders_", "card_number", "CREDIT_CARD"),
}


def layout(objects: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """The objects with the RDS export's two part files checked by pattern and then left out."""
    objects = set(objects)
    parts = {(bucket, key) for bucket, key in objects if EXPORT_PART.fullmatch(key)}
    assert len(parts) == 2, sorted(objects)
    return objects - parts


# ---- independent reference checks ----


def luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def iban_ok(iban: str) -> bool:
    compact = iban.replace(" ", "")
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(char, 36)) for char in rearranged)) % 97 == 1


def aba_ok(number: str) -> bool:
    d = [int(char) for char in number]
    return len(d) == 9 and (3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + d[2] + d[5] + d[8]) % 10 == 0


def phone_ok(text: str) -> bool:
    return bool(phonenumbers.is_valid_number(phonenumbers.parse(text, "US")))


# ---- reading the estate back ----


def raw_bytes(path: Path) -> bytes:
    data = path.read_bytes()
    if path.suffix == ".gz":
        return gzip.decompress(data)
    if path.suffix == ".bz2":
        return bz2.decompress(data)
    if path.suffix == ".zst":
        return zstandard.ZstdDecompressor().decompress(data)
    return data


def records(path: Path) -> list[dict[str, Any]]:
    """Rows of a tabular object as dicts (nested JSON flattened to dotted names)."""
    if path.suffix == ".parquet":
        rows: list[dict[str, Any]] = pq.read_table(path).to_pylist()
        return rows
    text = raw_bytes(path).decode("utf-8")
    if "_part_" in path.name:  # Redshift UNLOAD text: no header, the names are in the VERBOSE manifest
        manifest = json.loads(path.with_name(re.sub(r"\d{4}_part_\d{2}.*$", "manifest", path.name)).read_text())
        names = [element["name"] for element in manifest["schema"]["elements"]]
        return [dict(zip(names, line.split("|"), strict=True)) for line in text.splitlines() if line]
    inner = path.name.split(".")[1]
    if inner in ("csv", "tsv"):
        return list(csv.DictReader(io.StringIO(text), delimiter="\t" if inner == "tsv" else ","))

    def flatten(obj: dict[str, Any], prefix: str = "") -> dict[str, Any]:
        flat: dict[str, Any] = {}
        for key, value in obj.items():
            if isinstance(value, dict):
                flat.update(flatten(value, f"{prefix}{key}."))
            else:
                flat[f"{prefix}{key}"] = value
        return flat

    return [flatten(json.loads(line)) for line in text.splitlines() if line]


def asset_files(estate: Estate, bucket: str, asset: str) -> list[Path]:
    """The data files of an asset: a folder's files (markers aside), an UNLOAD prefix's parts, or the object."""
    base = estate.root / bucket / asset
    if asset.endswith("/"):
        return sorted(path for path in base.rglob("*") if path.is_file() and path.name != "_SUCCESS")
    if asset.endswith("_"):  # a Redshift UNLOAD prefix
        return sorted(base.parent.glob(f"{base.name}*_part_*"))
    return [base]


def column_values(estate: Estate, bucket: str, column: str) -> Iterator[str]:
    for path in sorted((estate.root / bucket).rglob("*")):
        if path.is_file() and path.suffix != ".png" and ".log" not in path.name:
            for row in records(path):
                if row.get(column) is not None:
                    yield str(row[column])


@pytest.fixture(scope="module")
def estate(tmp_path_factory: pytest.TempPathFactory) -> Estate:
    return generate_estate(tmp_path_factory.mktemp("estate"))


# ---- tests ----


def test_generation_is_deterministic(tmp_path: Path) -> None:
    first = generate_estate(tmp_path / "a", seed=11, rows=40)
    second = generate_estate(tmp_path / "b", seed=11, rows=40)
    other = generate_estate(tmp_path / "c", seed=12, rows=40)

    assert first.objects() == second.objects()
    assert layout(first.objects()) == EXPECTED_OBJECTS
    for bucket, key in first.objects():
        assert (first.root / bucket / key).read_bytes() == (second.root / bucket / key).read_bytes(), key
    assert first.planted == second.planted
    assert first.canaries == second.canaries
    assert first.canaries != other.canaries


def test_layout_planted_and_size(estate: Estate) -> None:
    assert layout(estate.objects()) == EXPECTED_OBJECTS
    assert set(estate.planted) == EXPECTED_PLANTED
    assert len(estate.planted) == len(EXPECTED_PLANTED)
    assert not any(column.bucket in CLEAN_BUCKETS for column in estate.planted)
    total = sum((estate.root / bucket / key).stat().st_size for bucket, key in estate.objects())
    assert total < 1_000_000


def test_canaries_are_grouped_consistently(estate: Estate) -> None:
    grouped = [value for values in estate.canaries_by_entity.values() for value in values]
    assert set(grouped) == set(estate.canaries)
    assert len(estate.canaries) == len(set(estate.canaries))
    assert {column.entity_type for column in estate.planted} == set(estate.canaries_by_entity)


def test_every_card_canary_passes_luhn(estate: Estate) -> None:
    cards = estate.canaries_by_entity["CREDIT_CARD"]
    assert cards
    for card in cards:
        digits = card.replace(" ", "")
        assert digits.isdigit() and luhn_ok(digits), card
        assert re.fullmatch(r"4\d{15}|5[1-5]\d{14}|2(22[1-9]|2[3-9]\d|[3-6]\d\d|7[01]\d|720)\d{12}|3[47]\d{13}", digits)
    written = set(column_values(estate, "acme-payments", "card_number"))
    assert written <= set(cards)
    assert any(" " in card for card in written) and any(" " not in card for card in written)


def test_every_iban_passes_mod97(estate: Estate) -> None:
    lengths = {"GB": 22, "DE": 22, "FR": 27, "NL": 18}
    ibans = estate.canaries_by_entity["IBAN_CODE"]
    assert {iban[:2] for iban in ibans} == set(lengths)
    for iban in ibans:
        assert iban_ok(iban), iban
        assert len(iban.replace(" ", "")) == lengths[iban[:2]], iban
    assert set(column_values(estate, "acme-payments", "iban")) <= set(ibans)


def test_every_txn_id_and_order_id_fails_luhn(estate: Estate) -> None:
    txn_ids = list(column_values(estate, "acme-payments", "txn_id"))
    order_ids = list(column_values(estate, "acme-analytics-clean", "order_id"))
    assert len(txn_ids) == 200 and len(order_ids) == 200
    for value in txn_ids + order_ids:
        assert re.fullmatch(r"[1-9]\d{15}", value) and not luhn_ok(value), value


def test_every_phone_canary_is_a_valid_number(estate: Estate) -> None:
    phones = estate.canaries_by_entity["PHONE_NUMBER"]
    assert any(phone.startswith("+44") for phone in phones) and any(phone.startswith("(") for phone in phones)
    for phone in phones:
        assert phone_ok(phone), phone


def test_customer_ids_are_not_phone_numbers(estate: Estate) -> None:
    for value in column_values(estate, "acme-crm-prod", "customer_id"):
        assert re.fullmatch(r"\d{10}", value)
        for text, region in [(value, r) for r in ("US", "GB", "DE", "FR", "NL")] + [("+" + value, None)]:
            assert not phonenumbers.is_valid_number(phonenumbers.parse(text, region)), (text, region)


def test_ssns_dates_and_routing_numbers_are_well_formed(estate: Estate) -> None:
    for ssn in estate.canaries_by_entity["US_SSN"]:
        area, group, serial = (int(part) for part in ssn.split("-"))
        assert re.fullmatch(r"\d{3}-\d{2}-\d{4}", ssn)
        assert (1 <= area <= 665 or 667 <= area <= 899) and 1 <= group <= 99 and 1 <= serial <= 9999
    for dob in estate.canaries_by_entity["DATE_OF_BIRTH"]:
        assert "1940-01-01" <= dob <= "2005-12-31"
    for signup in column_values(estate, "acme-crm-prod", "signup_date"):
        assert "2015-01-01" <= signup <= "2024-12-31"
    for number in estate.canaries_by_entity["ABA_ROUTING_NUMBER"]:
        assert aba_ok(number), number
    for key in estate.canaries_by_entity["AWS_ACCESS_KEY"]:
        assert re.fullmatch(r"AKIA[A-Z2-7]{16}", key)


def test_every_planted_column_exists_and_holds_its_entity(estate: Estate) -> None:
    for planted in estate.planted:
        files = asset_files(estate, planted.bucket, planted.asset)
        assert files and all(path.is_file() for path in files), planted
        if planted.asset.endswith("/"):
            assert len(files) >= 2, planted
        values = estate.canaries_by_entity[planted.entity_type]
        if planted.column is None:
            text = "".join(raw_bytes(path).decode("utf-8") for path in files)
            assert any(value in text for value in values), planted
            continue
        for path in files:
            rows = records(path)
            assert rows and all(planted.column in row for row in rows), (planted, path)
        cells = [str(row[planted.column]) for path in files for row in records(path)]
        assert any(value in cell for cell in cells for value in values), planted


def test_ticket_bodies_embed_contact_details_in_about_30_percent(estate: Estate) -> None:
    bodies = list(column_values(estate, "acme-support", "body"))
    emails, phones = estate.canaries_by_entity["EMAIL_ADDRESS"], estate.canaries_by_entity["PHONE_NUMBER"]
    with_email = sum(any(email in body for email in emails) for body in bodies)
    with_phone = sum(any(phone in body for phone in phones) for body in bodies)
    assert with_email > 0 and with_phone > 0
    assert 0.25 <= (with_email + with_phone) / len(bodies) <= 0.35


def test_clean_bucket_contains_no_canary(estate: Estate) -> None:
    for bucket in CLEAN_BUCKETS:
        for path in (estate.root / bucket).rglob("*"):
            if not path.is_file() or path.suffix == ".png":
                continue
            if path.suffix == ".parquet":
                text = json.dumps(pq.read_table(path).to_pylist())
            else:
                text = raw_bytes(path).decode("utf-8")
            leaked = [value for value in estate.canaries if value in text]
            assert not leaked, (path, leaked[:5])


def test_worker_log_is_clean(estate: Estate) -> None:
    text = (estate.root / "acme-app-logs" / "app/2024/06/01/worker.log").read_text(encoding="utf-8")
    assert "version=v" in text
    assert not re.search(r"\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b", text)
    assert not any(value in text for value in estate.canaries)


def test_unsupported_object_is_a_png(estate: Estate) -> None:
    for bucket, key in UNSUPPORTED_OBJECTS:
        assert (estate.root / bucket / key).read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_rows_below_minimum_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="rows must be at least"):
        generate_estate(tmp_path, rows=3)


def test_s3_env_points_at_the_endpoint() -> None:
    env = s3_env("http://127.0.0.1:5000")
    assert env == {
        "AWS_ENDPOINT_URL_S3": "http://127.0.0.1:5000",
        "AWS_ENDPOINT_URL": "http://127.0.0.1:5000",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
    }


def test_upload_to_local_s3_lists_back_every_key(estate: Estate) -> None:
    with LocalS3() as server:
        assert server.endpoint_url == f"http://127.0.0.1:{server.port}"
        assert server.startup_seconds is not None and server.startup_seconds < 20
        began = time.monotonic()
        uris = upload_estate(estate, server.endpoint_url)
        upload_seconds = time.monotonic() - began
        client = boto3.client(
            "s3",
            endpoint_url=server.endpoint_url,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        listed: set[tuple[str, str]] = set()
        for bucket in BUCKETS:
            for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
                listed.update((bucket, item["Key"]) for item in page.get("Contents", []) if "Key" in item)
        sample = client.get_object(Bucket="acme-payments", Key="settlements/settlement.csv.bz2")["Body"].read()
        endpoint = server.endpoint_url
        print(f"moto start {server.startup_seconds:.2f}s, upload {upload_seconds:.2f}s")

    assert uris == sorted(f"s3://{bucket}" for bucket in BUCKETS)
    assert layout(listed) == EXPECTED_OBJECTS
    assert sample == (estate.root / "acme-payments" / "settlements/settlement.csv.bz2").read_bytes()
    with pytest.raises((urllib.error.URLError, ConnectionError)):
        urllib.request.urlopen(endpoint, timeout=2)


def test_demo_database_is_deterministic_sql_with_its_planted_columns() -> None:
    from demo.estate import demo_database

    first, second = demo_database(rows=12), demo_database(rows=12)
    assert first == second
    assert first.table == "public.leads"
    assert first.planted == (("full_name", "PERSON"), ("email", "EMAIL_ADDRESS"), ("phone", "PHONE_NUMBER"))
    create, insert, grant = first.setup_sql.strip().split("\n")
    assert create == (
        "CREATE TABLE public.leads (lead_id integer PRIMARY KEY, full_name text, email varchar(200), "
        "phone varchar(40), status varchar(20));"
    )
    assert insert.startswith("INSERT INTO public.leads VALUES (1, '") and insert.count("), (") == 11
    assert grant == "GRANT SELECT ON public.leads TO {reader};"
