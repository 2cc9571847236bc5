"""The scan job on a local folder: every findings and assets row asserted, values worked out by hand."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import pytest
from chispa import assert_df_equality
from deltalake import DeltaTable
from pyspark.sql import SparkSession

from jobs.config import load_config, parse_config
from jobs.scan import ScanRequest, ScanResult, run_scan
from jobs.tables import ASSETS, FINDINGS
from tests.helpers import NLP_MODEL, delta_frame
from tests.integration.small_estate import CANARIES, write_small_estate

RUN_ID = "run-local-1"
CLOCK = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
SAMPLING = "rows_per_object=10000;bytes_per_object=67108864;objects_per_dataset=20;row_groups_per_object=4"


@pytest.fixture(scope="module")
def scanned(spark: SparkSession, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, ScanResult]:
    base = tmp_path_factory.mktemp("local-scan")
    source = write_small_estate(base / "src")
    output = base / "out"
    result = run_scan(spark, ScanRequest((str(source),), str(output), load_config(), RUN_ID), clock=lambda: CLOCK)
    return source, output, result


def _finding(source: Path, asset: str, column: str | None, entity: str, **values: object) -> dict[str, object]:
    uri = f"file://{source}/{asset}"
    digest = hashlib.sha256(f"{RUN_ID}|{uri}|{column or ''}|{entity}".encode()).hexdigest()[:32]
    row = {
        "finding_id": digest,
        "run_id": RUN_ID,
        "scanned_at": CLOCK.replace(tzinfo=None),
        "source_kind": "local",
        "asset": uri,
        "region": None,
        "column": column,
        "level": "column" if column else "object",
        "entity_type": entity,
        "presidio_score": None,
        **values,
        "sampling": SAMPLING,
        "table_name": None,  # only RDS snapshot exports name a database table
        "column_type": None,
        "carried_from_run": None,  # read in this run
    }
    return {name: row[name] for name in FINDINGS.names}


def test_findings_rows_are_exactly_the_hand_computed_ones(
    spark: SparkSession, scanned: tuple[Path, Path, ScanResult]
) -> None:
    source, output, _ = scanned
    expected = [
        # 3 e-mails over 2 partition files: pattern 0.9 * 1.0 + hint 0.3 + validator 0.2 -> capped at 1.0
        _finding(
            source,
            "crm/customers/",
            "email",
            "EMAIL_ADDRESS",
            occurrences=3,
            rows_scanned=3,
            values_scanned=3,
            matched_values=3,
            distinct_values=3,
            match_ratio=1.0,
            validator_pass_rate=1.0,
            confidence=1.0,
            decision="auto_tag",
            sensitivity="medium",
            jurisdiction="GLOBAL",
            frameworks=["GDPR", "CCPA"],
            samples_masked=["a***@example.net", "b***@example.org", "j***@example.com"],
            detectors=["pattern:EMAIL_ADDRESS.email", "validator:email", "column_hint:email"],
            objects_scanned=2,
        ),
        _finding(
            source,
            "crm/customers/",
            "phone",
            "PHONE_NUMBER",
            occurrences=3,
            rows_scanned=3,
            values_scanned=3,
            matched_values=3,
            distinct_values=3,
            match_ratio=1.0,
            validator_pass_rate=1.0,
            confidence=1.0,
            decision="auto_tag",
            sensitivity="medium",
            jurisdiction="GLOBAL",
            frameworks=["GDPR", "CCPA"],
            samples_masked=["(***) ***-**00", "+** ** **** **58", "+** ** **** **59"],
            detectors=[
                "pattern:PHONE_NUMBER.bracketed_area_code",
                "pattern:PHONE_NUMBER.international",
                "validator:phone_number",
                "column_hint:phone",
            ],
            objects_scanned=2,
        ),
        # one key in 4 lines: 0.9 * 0.6 (one distinct value) + keyword 0.3 + validator 0.2 -> 1.0
        _finding(
            source,
            "logs/app.log",
            None,
            "AWS_ACCESS_KEY",
            occurrences=1,
            rows_scanned=4,
            values_scanned=4,
            matched_values=1,
            distinct_values=1,
            match_ratio=0.25,
            validator_pass_rate=1.0,
            confidence=1.0,
            decision="auto_tag",
            sensitivity="high",
            jurisdiction="GLOBAL",
            frameworks=[],
            samples_masked=["AKIA****************"],
            detectors=["pattern:AWS_ACCESS_KEY.access_key_id", "validator:aws_access_key", "keyword"],
            objects_scanned=1,
        ),
        # both candidates valid (clock times are not IPv6 candidates, the build number is no IPv4 candidate):
        # 0.5 * 0.7 (two distinct values) + keyword 0.3 + validator 0.2 = 0.85; Presidio (no NER, so no
        # context lemmas) scores both lines' addresses 0.6: + 0.2 * (0.6 - 0.5) = 0.87
        _finding(
            source,
            "logs/app.log",
            None,
            "IP_ADDRESS",
            occurrences=2,
            rows_scanned=4,
            values_scanned=4,
            matched_values=2,
            distinct_values=2,
            match_ratio=0.5,
            validator_pass_rate=1.0,
            confidence=0.87,
            presidio_score=0.6,
            decision="auto_tag",
            sensitivity="low",
            jurisdiction="GLOBAL",
            frameworks=["GDPR", "CCPA"],
            samples_masked=["*.*.*.23", "*.*.*.7"],
            detectors=["pattern:IP_ADDRESS.ipv4", "validator:ip_address", "keyword", "presidio:0.60"],
            objects_scanned=1,
        ),
        # bare 16 digits: 0.4 * 1.0 + hint 0.3 + validator 0.2 = 0.9
        _finding(
            source,
            "payments/cards.parquet",
            "card",
            "CREDIT_CARD",
            occurrences=2,
            rows_scanned=2,
            values_scanned=2,
            matched_values=2,
            distinct_values=2,
            match_ratio=1.0,
            validator_pass_rate=1.0,
            confidence=0.9,
            decision="auto_tag",
            sensitivity="high",
            jurisdiction="GLOBAL",
            frameworks=["PCI_DSS", "GLBA", "GDPR", "CCPA"],
            samples_masked=["****-****-****-1111", "****-****-****-4444"],
            detectors=["pattern:CREDIT_CARD.bare_digits", "validator:credit_card", "column_hint:card"],
            objects_scanned=1,
        ),
    ]
    actual = delta_frame(spark, str(output / "findings"))
    expected_frame = spark.createDataFrame(expected, schema=actual.schema)
    assert_df_equality(actual, expected_frame, ignore_row_order=True, ignore_nullable=True)


def test_assets_rows_record_every_object_with_its_status(
    spark: SparkSession, scanned: tuple[Path, Path, ScanResult]
) -> None:
    source, output, _ = scanned
    ignored = ("run_id", "scanned_at", "last_modified", "duration_ms", "size_bytes")
    actual = delta_frame(spark, str(output / "assets")).drop(*ignored)
    customers = f"file://{source}/crm/customers/"

    def asset(
        path: str,
        dataset: str | None,
        fmt: str,
        rows: int,
        nbytes: int,
        columns: list[str] | None,
        status: str,
        reason: str | None,
    ) -> dict[str, object]:
        return {
            "source_kind": "local",
            "asset": f"file://{source}/{path}",
            "dataset": dataset,
            "region": None,
            "format": fmt,
            "compression": None,
            "rows_scanned": rows,
            "bytes_scanned": nbytes,
            "sampled": False,
            "columns": columns,
            "status": status,
            "reason": reason,
            "table_name": None,
            "change_marker": markers[path],
            "carried_from_run": None,
            "sampling": "full" if status == "scanned" else None,
        }

    markers = change_markers(source)
    sizes = {
        p: (source / p).stat().st_size
        for p in (
            "clean/metrics.csv",
            "crm/customers/region=eu/part-0.csv",
            "crm/customers/region=us/part-1.csv",
            "logs/app.log",
        )
    }
    expected = [
        asset("clean/logo.png", None, "unknown", 0, 0, None, "skipped", "unsupported format '.png' (image)"),
        asset(
            "clean/metrics.csv",
            None,
            "csv",
            2,
            sizes["clean/metrics.csv"],
            ["order_id", "build_version", "count"],
            "scanned",
            None,
        ),
        asset(
            "crm/customers/region=eu/part-0.csv",
            customers,
            "csv",
            2,
            sizes["crm/customers/region=eu/part-0.csv"],
            ["id", "email", "phone", "notes"],
            "scanned",
            None,
        ),
        asset(
            "crm/customers/region=us/part-1.csv",
            customers,
            "csv",
            1,
            sizes["crm/customers/region=us/part-1.csv"],
            ["id", "email", "phone", "notes"],
            "scanned",
            None,
        ),
        asset("logs/app.log", None, "text", 4, sizes["logs/app.log"], None, "scanned", None),
        asset("payments/cards.parquet", None, "parquet", 2, 220, ["card", "amount"], "scanned", None),
    ]
    assert [f.name for f in actual.schema] == [n for n in ASSETS.names if n not in ignored]
    assert_df_equality(
        actual, spark.createDataFrame(expected, schema=actual.schema), ignore_row_order=True, ignore_nullable=True
    )


def change_markers(source: Path) -> dict[str, str]:
    """Each object's expected assets.change_marker: size and mtime; one digest for the customers dataset."""
    markers = {}
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        stat = path.stat()
        modified = datetime.fromtimestamp(stat.st_mtime, UTC).isoformat()
        markers[str(path.relative_to(source))] = f"size={stat.st_size};modified={modified}"
    customers = sorted(p for p in markers if p.startswith("crm/customers/"))
    listing = "\n".join(f"file://{source}/{p} {markers[p]}" for p in customers)
    digest = "dataset=" + hashlib.sha256(listing.encode()).hexdigest()[:32]
    return {**markers, **dict.fromkeys(customers, digest)}


def test_run_result_counts_match_the_tables(scanned: tuple[Path, Path, ScanResult]) -> None:
    _, output, result = scanned
    runs = DeltaTable(str(output / "runs")).to_pyarrow_table().to_pylist()
    assert len(runs) == 1
    run = runs[0]
    assert {
        k: run[k]
        for k in (
            "run_id",
            "status",
            "objects_listed",
            "objects_scanned",
            "objects_skipped",
            "objects_failed",
            "rows_scanned",
            "values_scanned",
            "findings",
            "sampling",
            "text_analysis",
        )
    } == {
        "run_id": RUN_ID,
        "status": "succeeded",
        "objects_listed": 6,
        "objects_scanned": 5,
        "objects_skipped": 1,
        "objects_failed": 0,
        "rows_scanned": 11,
        # non-empty cells: metrics 2x3, eu 2x4 less one empty note, us 1x4, card parquet 2x2; plus 4 log lines
        "values_scanned": 25,
        "findings": 5,
        "sampling": SAMPLING,
        "text_analysis": f"Presidio {metadata.version('presidio-analyzer')}; NER off: spaCy model 'en_core_web_sm' "
        "is not installed (see docs/nlp.md; it is never downloaded)",
    }
    assert run["started_at"] == CLOCK
    assert result.findings_by_entity == {
        "AWS_ACCESS_KEY": 1,
        "CREDIT_CARD": 1,
        "EMAIL_ADDRESS": 1,
        "IP_ADDRESS": 1,
        "PHONE_NUMBER": 1,
    }
    assert result.top_assets[0][:3] == (f"file://{scanned[0]}/logs/app.log", "high", 2)


def test_tables_stay_readable_by_athena(scanned: tuple[Path, Path, ScanResult]) -> None:
    _, output, _ = scanned
    for table in ("findings", "assets", "runs"):
        protocol = DeltaTable(str(output / table)).protocol()
        assert (protocol.min_reader_version, protocol.min_writer_version) == (1, 2), table
        assert protocol.reader_features is None and protocol.writer_features is None, table


def test_rerun_with_the_same_run_id_adds_nothing(spark: SparkSession, scanned: tuple[Path, Path, ScanResult]) -> None:
    source, output, _ = scanned
    before = {t: DeltaTable(str(output / t)).version() for t in ("findings", "assets", "runs")}
    run_scan(spark, ScanRequest((str(source),), str(output), load_config(), RUN_ID), clock=lambda: CLOCK)
    after = {t: DeltaTable(str(output / t)).version() for t in ("findings", "assets", "runs")}
    assert after == before
    assert DeltaTable(str(output / "findings")).to_pyarrow_table().num_rows == 5


def test_no_planted_value_is_written_in_clear(scanned: tuple[Path, Path, ScanResult]) -> None:
    _, output, _ = scanned
    written = b"".join(p.read_bytes() for p in output.rglob("*") if p.is_file())
    leaked = [c for c in CANARIES if c.encode() in written]
    assert leaked == []


def test_a_source_that_cannot_be_listed_is_a_failed_asset_and_the_run_commits(
    spark: SparkSession, tmp_path: Path
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    output = tmp_path / "out"
    sources = (str(empty), str(tmp_path / "missing"))
    result = run_scan(spark, ScanRequest(sources, str(output), load_config(), "run-missing"), clock=lambda: CLOCK)
    assert (result.status, result.objects_listed, result.objects_failed, result.findings) == (
        "succeeded_with_errors",
        0,
        1,
        0,
    )
    assets = DeltaTable(str(output / "assets")).to_pyarrow_table().select(["asset", "status", "reason"]).to_pylist()
    assert assets == [
        {
            "asset": f"file://{tmp_path}/missing",
            "status": "error",
            "reason": f"SourceError: source file://{tmp_path}/missing does not exist",
        }
    ]
    assert DeltaTable(str(output / "findings")).to_pyarrow_table().num_rows == 0
    assert DeltaTable(str(output / "runs")).to_pyarrow_table().column("status").to_pylist() == ["succeeded_with_errors"]


def test_custom_identifiers_and_allow_lists_run_through_the_whole_job(spark: SparkSession, tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    (source / "staff.csv").write_text(
        "employee_id,email,notes\n"
        "EMP-123456,ops@example.com,employee EMP-654321 joined\n"
        "EMP-234567,jane.roe@corp.example,\n"
        "EMP-000000,ops@example.com,\n"
    )
    (source / "audit.log").write_text("badge EMP-111111 used\nemployee EMP-222222 left\n")
    raw = {
        "custom_identifiers": [
            {
                "name": "EMPLOYEE_ID",
                "regex": r"\bEMP-\d{6}\b",
                "keywords": ["employee"],
                "maximum_match_distance": 10,
                "ignore_words": ["EMP-000000"],
                "minimum_occurrences": 2,
                "severity": "high",
                "column_hints": [r"(^|_)employee_id(_|$)"],
            }
        ],
        "allow_list": {"values": ["ops@example.com"]},
    }
    output = tmp_path / "out"
    run_scan(spark, ScanRequest((str(source),), str(output), parse_config(raw), "run-custom"), clock=lambda: CLOCK)
    found = DeltaTable(str(output / "findings")).to_pyarrow_table()
    rows = found.select(["asset", "column", "entity_type", "matched_values", "occurrences", "confidence", "decision"])
    assert sorted(rows.to_pylist(), key=lambda r: (r["asset"], r["column"] or "", r["entity_type"])) == [
        # audit.log: one employee id with its keyword, below minimum_occurrences 2: not reported
        # staff.csv notes: one id after its keyword, also below minimum_occurrences
        # staff.csv employee_id: hinted column, 2 of 3 ids (EMP-000000 is an ignore word): 0.6 x 1.0 + hint 0.3;
        # the ignore-word check passed 2 of 3 candidates, under 90 %, so no validator boost
        {"asset": f"file://{source}/staff.csv", "column": "email", "entity_type": "EMAIL_ADDRESS",
         "matched_values": 1, "occurrences": 1, "confidence": 1.0, "decision": "auto_tag"},
        {"asset": f"file://{source}/staff.csv", "column": "employee_id", "entity_type": "EMPLOYEE_ID",
         "matched_values": 2, "occurrences": 2, "confidence": 0.9, "decision": "auto_tag"},
    ]  # fmt: skip


def test_names_and_places_in_free_text_come_from_ner(spark: SparkSession, tmp_path: Path) -> None:
    source = tmp_path / "src"
    (source / "support").mkdir(parents=True)
    (source / "support" / "ticket-1.txt").write_text(
        "Hi, this is Maria Garcia from the accounts team.\n"
        "Card 4111 1111 1111 1111 was charged twice.\n"
        "Mr. Vlonk moved to Paris.\n"
        "Kind regards, John Smith\n"
    )
    (source / "support" / "notes.csv").write_text(
        "id,notes\n"
        "1,Customer Maria Garcia called twice about the late delivery and asked for a refund.\n"
        "2,Customer John Smith wants the invoice sent again to the new billing address.\n"
        "3,The parcel was returned by the courier because nobody was home on Tuesday.\n"
    )
    config = load_config().with_section("presidio", {"nlp_model": NLP_MODEL})
    output = tmp_path / "out"
    run_scan(spark, ScanRequest((str(source),), str(output), config, "run-ner"), clock=lambda: CLOCK)
    found = DeltaTable(str(output / "findings")).to_pyarrow_table()
    columns = ["column", "entity_type", "matched_values", "distinct_values", "confidence", "presidio_score"]
    rows = found.select(["asset", *columns, "samples_masked", "detectors"]).to_pylist()
    assert sorted(rows, key=lambda r: (r["asset"], r["column"] or "", r["entity_type"])) == [
        # notes: a prose column; NER names in 2 of 3 notes: ratio 0.67 -> strength 1.0; 0.85 + 0.2 * 0.35 -> 0.92
        {"asset": f"file://{source}/support/notes.csv", "column": "notes", "entity_type": "PERSON",
         "matched_values": 2, "distinct_values": 2, "confidence": 0.92, "presidio_score": 0.85,
         "samples_masked": ["J*** S****", "M**** G*****"], "detectors": ["pattern:PERSON.ner", "presidio:0.85"]},
        # the card: 0.6 * 0.6 (one value in free text) + keyword 0.3 + validator 0.2 + 0.2 * (1.0 - 0.5) = 0.96
        {"asset": f"file://{source}/support/ticket-1.txt", "column": None, "entity_type": "CREDIT_CARD",
         "matched_values": 1, "distinct_values": 1, "confidence": 0.96, "presidio_score": 1.0,
         "samples_masked": ["****-****-****-1111"],
         "detectors": ["pattern:CREDIT_CARD.separated_4x4", "validator:credit_card", "keyword", "presidio:1.00"]},
        # two names (Vlonk is no dictionary name): 0.85 * 0.7 + 0.2 * 0.35 = 0.665; one place (Paris) stays
        # far below the threshold: 0.5 * 0.6 + 0.07 = 0.37
        {"asset": f"file://{source}/support/ticket-1.txt", "column": None, "entity_type": "PERSON",
         "matched_values": 2, "distinct_values": 2, "confidence": 0.665, "presidio_score": 0.85,
         "samples_masked": ["J*** S****", "M**** G*****"], "detectors": ["pattern:PERSON.ner", "presidio:0.85"]},
    ]  # fmt: skip
    runs = DeltaTable(str(output / "runs")).to_pyarrow_table().column("text_analysis").to_pylist()
    assert runs == [
        f"Presidio {metadata.version('presidio-analyzer')}; NER on: spaCy model {NLP_MODEL} (package 3.8.0)"
    ]
    assert all(name not in repr(found.to_pylist()) for name in ("Maria", "Garcia", "John Smith", "4111 1111"))
