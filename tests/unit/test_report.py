"""The report job over a hand-built synthetic findings store: ReportData exactly, golden Markdown and CSVs, the CLI.

The fixture (``write_estate``) is two successful scans and one failed one of a small estate:

- ``s3://acme-us/customers.csv`` (us-east-1): EU VAT numbers (jurisdiction EU) and IBANs whose masked samples
  show DE and GB: a residency violation; e-mail addresses (GLOBAL, no jurisdiction). Unchanged in run 2.
- ``s3://acme-eu/customers.csv`` (eu-west-1): EU VAT numbers, allowed; run 2 raises their confidence (changed).
- ``jdbc:postgresql://pg.eu.internal:5432/shop/public.customers``: German tax ids; the region (eu-central-1)
  comes from the configuration's ``locations``: allowed.
- ``s3://acme-us/logs/app.log``: a US SSN in run 1, gone in run 2 (resolved).
- ``s3://acme-us/exports/report.json``: card numbers, new in run 2.
- ``s3://acme-us/archive/old.bin`` (skipped) and ``s3://acme-us/broken.parquet`` (error): not scanned.
- a failed run between the two, whose rows count nowhere.

Regenerate the golden files after a deliberate change with ``UPDATE_GOLDEN=1 .venv/bin/python -m pytest
tests/unit/test_report.py``, then review the diff against this fixture before committing it.
"""

from __future__ import annotations

import dataclasses
import os
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from jobs import report
from jobs.delta_store import table_uri, write_table
from jobs.report_config import ReportConfig, parse_report_config
from jobs.report_data import build_report, finding_jurisdictions, score_of
from jobs.report_model import Coverage, FrameworkPosture, MatrixCell, ReportData, Score, Trend, Violation
from jobs.tables import ASSETS, FINDINGS, RUNS, TAG_RESULTS

GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "report"
R1, R2, RF = "20261101T100000Z-aaaa0001", "20261108T100000Z-bbbb0002", "20261105T100000Z-dead0003"
T1 = datetime(2026, 11, 1, 10, 0, tzinfo=UTC)
T2 = datetime(2026, 11, 8, 10, 0, tzinfo=UTC)
TF = datetime(2026, 11, 5, 10, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)
US = "s3://acme-us/customers.csv"
EU = "s3://acme-eu/customers.csv"
DB = "jdbc:postgresql://pg.eu.internal:5432/shop/public.customers"
LOGS = "s3://acme-us/logs/app.log"
CARDS = "s3://acme-us/exports/report.json"
OLD = "s3://acme-us/archive/old.bin"
BROKEN = "s3://acme-us/broken.parquet"
ENCRYPTION = {"acme-us": False, "acme-eu": True}

CONFIG: dict[str, Any] = {
    "residency": {
        "groups": {"eu": ["EU", "DE", "FR", "NL"]},
        "rules": [
            {"name": "EU personal data stays in EU regions", "jurisdictions": ["eu"], "regions": ["eu-*"]},
            {"name": "UK personal data stays in the UK or the EU", "jurisdictions": ["GB"], "regions": ["eu-*"]},
        ],
        "default": {"regions": ["*"]},
        "unknown_region": "violation",
    },
    "locations": [{"match": "jdbc:postgresql://pg.eu.internal*", "region": "eu-central-1", "account": "123456789012"}],
}


def _row(schema: pa.Schema, **values: Any) -> dict[str, Any]:
    unknown = set(values) - set(schema.names)
    assert not unknown, unknown
    return {name: values.get(name) for name in schema.names}


def _finding(
    run: str,
    at: datetime,
    asset: str,
    column: str | None,
    entity: str,
    *,
    region: str | None,
    sensitivity: str,
    jurisdiction: str,
    frameworks: list[str],
    confidence: float,
    matched: int,
    carried: str | None = None,
    samples: list[str] | None = None,
    source_kind: str = "s3",
    table_name: str | None = None,
) -> dict[str, Any]:
    return _row(
        FINDINGS,
        finding_id=f"{run}-{asset}-{column}-{entity}"[-32:],
        run_id=run,
        scanned_at=at,
        source_kind=source_kind,
        asset=asset,
        region=region,
        column=column,
        level="column" if column else "object",
        entity_type=entity,
        occurrences=matched,
        rows_scanned=1000,
        values_scanned=1000,
        matched_values=matched,
        distinct_values=matched,
        match_ratio=matched / 1000,
        confidence=confidence,
        decision="auto_tag" if confidence >= 0.8 else "review",
        sensitivity=sensitivity,
        jurisdiction=jurisdiction,
        frameworks=frameworks,
        samples_masked=samples or [],
        detectors=[f"pattern:{entity}.default"],
        objects_scanned=1,
        sampling="full",
        table_name=table_name,
        carried_from_run=carried,
    )


def _asset(run: str, at: datetime, asset: str, status: str, columns: list[str] | None, **values: Any) -> dict[str, Any]:
    jdbc = asset.startswith("jdbc:")
    return _row(
        ASSETS,
        run_id=run,
        scanned_at=at,
        source_kind="jdbc" if jdbc else "s3",
        asset=asset,
        region=None if jdbc else ("eu-west-1" if "acme-eu" in asset else "us-east-1"),
        format="database" if jdbc else "csv",
        columns=columns,
        status=status,
        table_name="shop.public.customers" if jdbc else None,
        **values,
    )


def _run_findings(run: str, at: datetime, carried: str | None) -> list[dict[str, Any]]:
    """The findings every successful run holds for the customers files and the database table."""
    eu_vat_confidence = 0.85 if run == R1 else 0.95
    return [
        _finding(
            run,
            at,
            US,
            "vat",
            "EU_VAT",
            region="us-east-1",
            sensitivity="medium",
            jurisdiction="EU",
            frameworks=["GDPR"],
            confidence=0.9,
            matched=40,
            carried=carried,
        ),
        _finding(
            run,
            at,
            US,
            "email",
            "EMAIL_ADDRESS",
            region="us-east-1",
            sensitivity="medium",
            jurisdiction="GLOBAL",
            frameworks=["GDPR", "CCPA"],
            confidence=1.0,
            matched=100,
            carried=carried,
        ),
        _finding(
            run,
            at,
            US,
            "iban",
            "IBAN_CODE",
            region="us-east-1",
            sensitivity="high",
            jurisdiction="GLOBAL",
            frameworks=["GDPR", "GLBA"],
            confidence=1.0,
            matched=20,
            carried=carried,
            samples=["DE****************3000", "GB****************5432"],
        ),
        _finding(
            run,
            at,
            EU,
            "vat",
            "EU_VAT",
            region="eu-west-1",
            sensitivity="medium",
            jurisdiction="EU",
            frameworks=["GDPR"],
            confidence=eu_vat_confidence,
            matched=30,
        ),
        _finding(
            run,
            at,
            DB,
            "de_tax_id",
            "DE_TAX_ID",
            region=None,
            sensitivity="high",
            jurisdiction="DE",
            frameworks=["GDPR"],
            confidence=0.95,
            matched=3,
            source_kind="jdbc",
            table_name="shop.public.customers",
        ),
    ]


def write_estate(base: str) -> None:
    """Write the synthetic findings store described in the module docstring under ``base``."""
    findings = {
        R1: [
            *_run_findings(R1, T1, None),
            _finding(
                R1,
                T1,
                LOGS,
                None,
                "US_SSN",
                region="us-east-1",
                sensitivity="high",
                jurisdiction="US",
                frameworks=["GLBA", "CCPA"],
                confidence=0.7,
                matched=2,
            ),
        ],
        RF: [
            _finding(
                RF,
                TF,
                EU,
                "name",
                "PERSON",
                region="eu-west-1",
                sensitivity="medium",
                jurisdiction="GLOBAL",
                frameworks=["GDPR"],
                confidence=0.6,
                matched=9,
            ),
        ],
        R2: [
            *_run_findings(R2, T2, R1),
            _finding(
                R2,
                T2,
                CARDS,
                "card",
                "CREDIT_CARD",
                region="us-east-1",
                sensitivity="high",
                jurisdiction="GLOBAL",
                frameworks=["PCI_DSS"],
                confidence=1.0,
                matched=12,
            ),
        ],
    }
    customers = ["name", "iban", "email", "vat"]
    assets = {
        R1: [
            _asset(R1, T1, US, "scanned", customers),
            _asset(R1, T1, EU, "scanned", ["vat", "email"]),
            _asset(R1, T1, DB, "scanned", ["id", "email", "de_tax_id", "phone"]),
            _asset(R1, T1, LOGS, "scanned", None),
            _asset(R1, T1, OLD, "skipped", None, reason="binary file"),
        ],
        RF: [_asset(RF, TF, EU, "scanned", ["vat", "email", "name"])],
        R2: [
            _asset(R2, T2, US, "unchanged", customers, carried_from_run=R1),
            _asset(R2, T2, EU, "scanned", ["vat", "email"]),
            _asset(R2, T2, DB, "scanned", ["id", "email", "de_tax_id", "phone"]),
            _asset(R2, T2, LOGS, "scanned", None),
            _asset(R2, T2, OLD, "skipped", None, reason="binary file"),
            _asset(R2, T2, CARDS, "scanned", ["order_id", "card"]),
            _asset(R2, T2, BROKEN, "error", None, reason="truncated Parquet footer"),
        ],
    }
    runs = {
        R1: _row(RUNS, run_id=R1, started_at=T1, finished_at=T1, status="succeeded"),
        RF: _row(RUNS, run_id=RF, started_at=TF, finished_at=TF, status="failed"),
        R2: _row(RUNS, run_id=R2, started_at=T2, finished_at=T2, status="succeeded_with_errors"),
    }
    for run in (R1, RF, R2):
        write_table(pa.Table.from_pylist(findings[run], FINDINGS), table_uri(base, "findings"), "findings", run)
        write_table(pa.Table.from_pylist(assets[run], ASSETS), table_uri(base, "assets"), "assets", run)
        write_table(pa.Table.from_pylist([runs[run]], RUNS), table_uri(base, "runs"), "runs", run)
    tags = [
        _row(TAG_RESULTS, run_id="tag-1", kind="object", target=US, status="succeeded", attempts=1, at=NOW),
        _row(TAG_RESULTS, run_id="tag-1", kind="object", target=CARDS, status="failed", attempts=8, at=NOW),
    ]
    write_table(pa.Table.from_pylist(tags, TAG_RESULTS), table_uri(base, "tag_results"), "tag_results", "tag-1")


def expected(base: str) -> ReportData:
    """The report of the fixture, worked out by hand (see docs/report.md for the score formula)."""
    eu_rule = "EU personal data stays in EU regions (allowed: regions eu-*)"
    uk_rule = "UK personal data stays in the UK or the EU (allowed: regions eu-*)"
    database = "jdbc:postgresql://pg.eu.internal:5432/shop"
    return ReportData(
        generated_at=NOW,
        output=base,
        latest_run=R2,
        assets_with_findings=4,
        findings=6,
        findings_by_entity={"EU_VAT": 2, "CREDIT_CARD": 1, "DE_TAX_ID": 1, "EMAIL_ADDRESS": 1, "IBAN_CODE": 1},
        findings_by_sensitivity={"high": 3, "medium": 3, "low": 0},
        violations=[
            Violation(
                asset=US,
                source_kind="s3",
                region="us-east-1",
                jurisdictions=("DE", "EU", "GB"),
                entity_types=("EU_VAT", "IBAN_CODE"),
                findings=2,
                matched_values=60,
                since=T1,
                rule=f"{eu_rule}; {uk_rule}",
                account=None,
            )
        ],
        matrix=[
            MatrixCell("eu-central-1", "DE", 1, 1, True),
            MatrixCell("eu-west-1", "EU", 1, 1, True),
            MatrixCell("us-east-1", "DE", 1, 1, False),
            MatrixCell("us-east-1", "EU", 1, 1, False),
            MatrixCell("us-east-1", "GB", 1, 1, False),
            MatrixCell("us-east-1", "GLOBAL", 2, 2, True),
        ],
        frameworks=[
            FrameworkPosture("PCI_DSS", 1, 1, 12, 0, 0, (CARDS,), unencrypted_assets=1),
            FrameworkPosture("HIPAA", 0, 0, 0, None, 0, (), unencrypted_assets=None),
            FrameworkPosture("GDPR", 3, 5, 193, 1, 1, (US, EU, DB), unencrypted_assets=1),
            FrameworkPosture("CCPA", 1, 1, 100, 0, 1, (US,), unencrypted_assets=1),
            FrameworkPosture("GLBA", 1, 1, 20, 0, 1, (US,), unencrypted_assets=1),
        ],
        scores=[
            # 60 (high) + 15 (4 types: 3 extra) + 15 x 2/3 assets + 10 x 1.0 = 95
            Score(
                "bucket",
                "s3://acme-us/",
                95,
                4,
                "high",
                ("CREDIT_CARD", "EMAIL_ADDRESS", "EU_VAT", "IBAN_CODE"),
                "sensitive",
                3,
                2,
            ),
            # 60 + 0 + 15 x 1/1 + 10 x 0.95 = 84.5 -> 85
            Score("database", database, 85, 1, "high", ("DE_TAX_ID",), "sensitive", 1, 1),
            # 60 + 0 + 15 x 1/4 columns + 9.5 = 73.25 -> 73
            Score("table", DB, 73, 1, "high", ("DE_TAX_ID",), "sensitive", 4, 1),
            # 35 (medium) + 0 + 15 x 1/1 + 9.5 = 59.5 -> 60
            Score("bucket", "s3://acme-eu/", 60, 1, "medium", ("EU_VAT",), "sensitive", 1, 1),
        ],
        trends=[Trend(R1, T1, 6, 6, 0, 0), Trend(R2, T2, 6, 1, 1, 1)],
        coverage=Coverage(
            objects_listed=7,
            objects_scanned=5,
            objects_skipped=1,
            objects_failed=1,
            not_scanned=((BROKEN, "error: truncated Parquet footer"), (OLD, "skipped: binary file")),
        ),
        top_assets=[
            # 60 + 10 (3 types) + 15 x 3/4 columns + 10 = 91.25 -> 91
            Score("asset", US, 91, 3, "high", ("EMAIL_ADDRESS", "EU_VAT", "IBAN_CODE"), "sensitive", 4, 3),
            # 60 + 0 + 15 x 1/2 + 10 = 77.5 -> 78
            Score("asset", CARDS, 78, 1, "high", ("CREDIT_CARD",), "sensitive", 2, 1),
            Score("asset", DB, 73, 1, "high", ("DE_TAX_ID",), "sensitive", 4, 1),
            # 35 + 0 + 15 x 1/2 + 9.5 = 52
            Score("asset", EU, 52, 1, "medium", ("EU_VAT",), "sensitive", 2, 1),
        ],
    )


@pytest.fixture(scope="module")
def estate(tmp_path_factory: pytest.TempPathFactory) -> str:
    base = str(tmp_path_factory.mktemp("estate") / "out")
    write_estate(base)
    return base


@pytest.fixture(scope="module")
def data(estate: str) -> ReportData:
    return build_report(estate, parse_report_config(CONFIG), NOW, ENCRYPTION.get)


def test_report_data_is_exactly_what_the_fixture_implies(estate: str, data: ReportData) -> None:
    want = expected(estate)
    for name in [f.name for f in dataclasses.fields(ReportData)]:
        assert getattr(data, name) == getattr(want, name), name
    assert data == want


def test_an_empty_store_gives_an_empty_report(tmp_path: Path) -> None:
    data = build_report(str(tmp_path / "nothing"), ReportConfig(), NOW, lambda bucket: None)
    assert data == ReportData(
        generated_at=NOW,
        output=str(tmp_path / "nothing"),
        latest_run=None,
        assets_with_findings=0,
        findings=0,
        findings_by_sensitivity={"high": 0, "medium": 0, "low": 0},
        frameworks=[FrameworkPosture(name, 0, 0, 0, None, None, ()) for name in report_frameworks()],
    )
    assert "No successful scan is recorded" in report.render_markdown(data)


def report_frameworks() -> tuple[str, ...]:
    from jobs.report_data import FRAMEWORKS

    return FRAMEWORKS


def _normalised(text: str, base: str) -> str:
    return text.replace(base, "<BASE>")


@pytest.mark.parametrize("name", ["report.md", *report.CSV_FILES])
def test_outputs_match_the_golden_files(estate: str, data: ReportData, name: str) -> None:
    rendered = {"report.md": report.render_markdown(data), **report.render_csvs(data)}[name]
    text = _normalised(rendered, estate)
    golden = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def test_markdown_figures_are_those_of_the_report_data(estate: str, data: ReportData) -> None:
    """report.md renders ReportData: change a figure in the data and the Markdown follows it."""
    text = report.render_markdown(data)
    assert f"{data.findings} findings of personal or sensitive data are current in {data.assets_with_findings}" in text
    for entity, count in data.findings_by_entity.items():
        assert f"| {entity} | {count} |" in text
    for v in data.violations:
        assert f"| {v.asset} | {v.source_kind} | {v.region} | {', '.join(v.jurisdictions)} |" in text
        assert f"| {v.findings} | {v.matched_values} |" in text
    for c in data.matrix:
        assert f"| {c.region} | {c.jurisdiction} | {c.assets} | {c.findings} |" in text
    for f in data.frameworks:
        assert f"| {f.framework} | {f.assets} | {f.findings} | {f.matched_values} |" in text
    for s in data.scores:
        assert f"| {s.score} | {s.label} | {s.level} | {s.name} | {s.findings} |" in text
    for t in data.trends:
        assert f"| {t.run_id} | {t.started_at:%Y-%m-%dT%H:%M:%SZ} | {t.findings} | {t.new} | {t.resolved} |" in text
    altered = dataclasses.replace(
        data,
        findings=12345,
        findings_by_entity={"EU_VAT": 777},
        trends=[dataclasses.replace(data.trends[-1], new=4242)],
        scores=[dataclasses.replace(data.scores[0], score=13)],
    )
    changed = report.render_markdown(altered)
    assert "12345 findings" in changed and "| EU_VAT | 777 |" in changed
    assert "added 4242 new" in changed and "| 13 | sensitive | bucket | s3://acme-us/ |" in changed
    assert "| EU_VAT | 2 |" not in changed


def test_finding_jurisdictions() -> None:
    assert finding_jurisdictions({"jurisdiction": "DE", "entity_type": "DE_TAX_ID"}) == ("DE",)
    assert finding_jurisdictions({"jurisdiction": None, "entity_type": "EMAIL_ADDRESS"}) == ("GLOBAL",)
    iban = {"jurisdiction": "GLOBAL", "entity_type": "IBAN_CODE", "samples_masked": ["GB**5432", "DE**3000", "******"]}
    assert finding_jurisdictions(iban) == ("DE", "GB")
    assert finding_jurisdictions({**iban, "samples_masked": []}) == ("GLOBAL",)


def test_score_formula_bounds() -> None:
    def row(sensitivity: str, entity: str, confidence: float) -> dict[str, Any]:
        return {"sensitivity": sensitivity, "entity_type": entity, "confidence": confidence}

    assert score_of([], 10, 0) == 1
    # low data alone never reaches the 'sensitive' band: 10 + 15 + 15 + 10 = 50
    assert score_of([row("low", f"E{i}", 1.0) for i in range(5)], 5, 5) == 50
    assert score_of([row("high", f"E{i}", 1.0) for i in range(9)], 9, 9) == 100
    assert score_of([row("high", "E", 0.5), row("low", "F", 1.0)], 0, 0) == 60 + 5 + 15 + 5


def test_unknown_region_is_a_violation_unless_allowed(tmp_path: Path) -> None:
    base = str(tmp_path / "out")
    finding = _finding(
        R1,
        T1,
        "file:///data/people.csv",
        "vat",
        "EU_VAT",
        region=None,
        sensitivity="medium",
        jurisdiction="EU",
        frameworks=["GDPR"],
        confidence=0.9,
        matched=5,
        source_kind="local",
    )
    asset = _row(
        ASSETS,
        run_id=R1,
        scanned_at=T1,
        source_kind="local",
        asset="file:///data/people.csv",
        status="scanned",
        columns=["vat"],
    )
    write_table(pa.Table.from_pylist([finding], FINDINGS), table_uri(base, "findings"), "findings", R1)
    write_table(pa.Table.from_pylist([asset], ASSETS), table_uri(base, "assets"), "assets", R1)
    run = _row(RUNS, run_id=R1, started_at=T1, status="succeeded")
    write_table(pa.Table.from_pylist([run], RUNS), table_uri(base, "runs"), "runs", R1)
    strict = build_report(base, parse_report_config(CONFIG), NOW, lambda b: None)
    assert [(v.asset, v.region) for v in strict.violations] == [("file:///data/people.csv", "unknown")]
    assert strict.violations[0].rule.endswith("the asset's region is unknown (conf/report.yaml `locations`)")
    assert strict.matrix == [MatrixCell("unknown", "EU", 1, 1, False)]
    lenient = {**CONFIG, "residency": {**CONFIG["residency"], "unknown_region": "allow"}}
    assert build_report(base, parse_report_config(lenient), NOW, lambda b: None).violations == []


def test_cli_writes_every_output_and_prints_the_summary(
    estate: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "report.yaml"
    import yaml

    config.write_text(yaml.safe_dump(CONFIG), encoding="utf-8")
    monkeypatch.setattr("jobs.report_data.default_encryption", lambda: ENCRYPTION.get)
    out = tmp_path / "rep"
    assert report.main(["--output", estate, "--config", str(config), "--report-dir", str(out)]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith(f"Report written to file://{out}/\n")
    assert "6 finding(s) in 4 asset(s); latest run " + R2 in printed
    assert "residency violations: 1" in printed
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(["report.md", "report.html", *report.CSV_FILES])
    # the same Markdown as the golden file, but for the title's time (the CLI's clock)
    written = _normalised((out / "report.md").read_text(encoding="utf-8"), estate).split("\n", 1)
    golden = (GOLDEN / "report.md").read_text(encoding="utf-8").split("\n", 1)
    assert written[0].startswith("# PII report ") and written[1] == golden[1]


def test_cli_default_folder_and_usage_errors(estate: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("jobs.report_data.default_encryption", lambda: ENCRYPTION.get)
    monkeypatch.setattr("jobs.report.render_html_or_none", lambda data: None)
    folder = report.report_location(estate, NOW)
    assert folder.uri == f"file://{estate}/reports/report-20261110T120000Z/"
    bad = tmp_path / "bad.yaml"
    bad.write_text("residency:\n  rules:\n    - name: x\n      jurisdictions: [Europe]\n", encoding="utf-8")
    assert report.main(["--output", estate, "--config", str(bad)]) == 2
    assert report.main(["--output", "ftp://nowhere/x"]) == 2
    with pytest.raises(SystemExit) as exit_info:
        report.main(["--config", str(bad)])
    assert exit_info.value.code == 2


def test_report_on_s3(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The same store on S3 (the local endpoint): read with delta-rs, report written with pyarrow's S3 file system."""
    import boto3

    boto3.client("s3").create_bucket(Bucket="report-estate")
    base = "s3://report-estate/base"
    write_estate(base)
    monkeypatch.setattr("jobs.report.render_html_or_none", lambda data: "<html></html>")
    config = tmp_path / "report.yaml"
    import yaml

    config.write_text(yaml.safe_dump(CONFIG), encoding="utf-8")
    # default encryption check against the endpoint: acme-us / acme-eu do not exist there, so it is unknown
    assert report.main(["--output", base, "--config", str(config)]) == 0
    listed = boto3.client("s3").list_objects_v2(Bucket="report-estate", Prefix="base/reports/")["Contents"]
    keys = sorted(o["Key"].rsplit("/", 1)[-1] for o in listed)
    assert keys == sorted(["report.md", "report.html", *report.CSV_FILES])
    md_key = next(o["Key"] for o in listed if o["Key"].endswith("report.md"))
    assert re.fullmatch(r"base/reports/report-\d{8}T\d{6}Z/report\.md", md_key)
    text = boto3.client("s3").get_object(Bucket="report-estate", Key=md_key)["Body"].read().decode()
    assert "| s3://acme-us/customers.csv | s3 | us-east-1 | DE, EU, GB |" in text
    assert "| GDPR | 3 | 5 | 193 | unknown | unknown | 1 |" in text


def test_default_encryption_reads_get_bucket_encryption(s3_endpoint: str) -> None:
    import boto3

    from jobs.report_data import default_encryption

    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="report-encrypted")
    s3.put_bucket_encryption(
        Bucket="report-encrypted",
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )
    s3.create_bucket(Bucket="report-plain")
    check = default_encryption()
    assert check("report-encrypted") is True
    assert check("report-plain") is False  # no default encryption configured (the local endpoint sets none)
    assert check("report-no-such-bucket") is None  # NoSuchBucket: unknown, with one warning


def test_default_encryption_is_unknown_on_access_denied(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from botocore.exceptions import ClientError

    from jobs.report_data import default_encryption

    class Denied:
        def get_bucket_encryption(self, Bucket: str) -> None:
            raise ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "GetBucketEncryption")

    monkeypatch.setattr("jobs.storage.s3_client", lambda region=None: Denied())
    check = default_encryption()
    assert check("a") is None and check("b") is None
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert warnings == [
        "default encryption unknown for bucket a (and any failing alike): AccessDenied "
        "(the report's role needs s3:GetEncryptionConfiguration)"
    ]
