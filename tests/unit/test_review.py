"""The review queue and decisions on local Delta tables written with delta-rs (no Spark)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from deltalake import DeltaTable, write_deltalake

from classifiers.errors import ConfigError
from jobs.delta_store import table_uri, write_table
from jobs.history import finding_id
from jobs.review import (
    ReviewSettings,
    approved,
    decide,
    decisions,
    enqueue,
    format_queue,
    main,
    review_queue,
    suppressed,
    to_review,
)
from jobs.tables import ASSETS, FINDINGS, REVIEW_DECISIONS, RUNS

T0 = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)
CRM = "s3://data/crm/customers/"
LOG = "s3://data/logs/app.log"
CARDS = "s3://data/payments/cards.parquet"


def finding(
    run_id: str, asset: str, column: str | None, entity: str, confidence: float, **extra: Any
) -> dict[str, Any]:
    return {
        "finding_id": finding_id(run_id, asset, column, entity),
        "run_id": run_id,
        "scanned_at": T0,
        "source_kind": "s3",
        "asset": asset,
        "region": "eu-west-1",
        "column": column,
        "level": "column" if column else "object",
        "entity_type": entity,
        "confidence": confidence,
        "decision": "auto_tag" if confidence >= 0.8 else "review",
        "sensitivity": extra.pop("sensitivity", "high"),
        "samples_masked": extra.pop("samples", ["j***@example.com"]),
        **extra,
    }


def write_run(output: Path, run_id: str, day: int, findings: list[dict[str, Any]]) -> pa.Table:
    """A successful run covering the assets of ``findings`` (findings, assets and runs rows)."""
    data = pa.Table.from_pylist(findings, schema=FINDINGS)
    assets = sorted({row["asset"] for row in findings})
    started = T0 + timedelta(days=day)
    write_table(data, table_uri(str(output), "findings"), "findings", run_id)
    write_table(
        pa.Table.from_pylist(
            [{"run_id": run_id, "asset": a, "status": "scanned", "scanned_at": started} for a in assets], schema=ASSETS
        ),
        table_uri(str(output), "assets"),
        "assets",
        run_id,
    )
    write_table(
        pa.Table.from_pylist([{"run_id": run_id, "started_at": started, "status": "succeeded"}], schema=RUNS),
        table_uri(str(output), "runs"),
        "runs",
        run_id,
    )
    return data


def first_run(output: Path) -> pa.Table:
    return write_run(
        output,
        "scan-1",
        0,
        [
            finding("scan-1", CRM, "email", "EMAIL_ADDRESS", 1.0),
            finding("scan-1", CRM, "notes", "PERSON", 0.9, sensitivity="medium", samples=["J*** D**"]),
            finding("scan-1", CRM, "phone", "PHONE_NUMBER", 0.6, samples=["+44 ** **** **58"]),
            finding("scan-1", LOG, None, "IP_ADDRESS", 0.55, sensitivity="medium", samples=["203.0.***.*"]),
            finding("scan-1", CARDS, "card", "CREDIT_CARD", 1.0, samples=["****-****-****-1111"]),
        ],
    )


def queue_rows(output: Path) -> list[tuple[str, str | None, str, str, str, str, str]]:
    rows = DeltaTable(str(output / "review_queue")).to_pyarrow_table().to_pylist()
    return sorted(
        (r["asset"], r["column"], r["entity_type"], r["finding_id"], r["finding_run_id"], r["run_id"], r["reason"])
        for r in rows
    )


SETTINGS = ReviewSettings(always_review=("PERSON",))


def test_enqueue_queues_findings_below_the_threshold_and_always_review_types(tmp_path):
    findings = first_run(tmp_path)
    assert enqueue(str(tmp_path), to_review(findings, SETTINGS), "tag-1", SETTINGS, clock=lambda: T0) == 3
    assert queue_rows(tmp_path) == [
        (CRM, "notes", "PERSON", finding_id("scan-1", CRM, "notes", "PERSON"), "scan-1", "tag-1", "always_review"),
        (
            CRM,
            "phone",
            "PHONE_NUMBER",
            finding_id("scan-1", CRM, "phone", "PHONE_NUMBER"),
            "scan-1",
            "tag-1",
            "below_threshold",
        ),
        (LOG, None, "IP_ADDRESS", finding_id("scan-1", LOG, None, "IP_ADDRESS"), "scan-1", "tag-1", "below_threshold"),
    ]
    (phone,) = [
        r for r in DeltaTable(str(tmp_path / "review_queue")).to_pyarrow_table().to_pylist() if r["column"] == "phone"
    ]
    assert (phone["queued_at"], phone["confidence"], phone["sensitivity"], phone["samples_masked"]) == (
        T0,
        0.6,
        "high",
        ["+44 ** **** **58"],
    )
    # the decisions table exists, empty, with its documented columns: reviewers may append to it directly
    decisions_table = DeltaTable(str(tmp_path / "review_decisions"))
    assert decisions_table.to_pyarrow_table().num_rows == 0
    assert pa.schema(decisions_table.schema().to_arrow()).names == REVIEW_DECISIONS.names


def test_enqueue_is_idempotent_per_run_and_queues_a_key_once(tmp_path):
    findings = first_run(tmp_path)
    enqueue(str(tmp_path), to_review(findings, SETTINGS), "tag-1", SETTINGS)
    assert enqueue(str(tmp_path), to_review(findings, SETTINGS), "tag-1", SETTINGS) == 0
    later = write_run(
        tmp_path,
        "scan-2",
        1,
        [
            finding("scan-2", CRM, "phone", "PHONE_NUMBER", 0.65),
            finding("scan-2", CRM, "fax", "PHONE_NUMBER", 0.6),
        ],
    )
    assert enqueue(str(tmp_path), later, "tag-2", SETTINGS) == 1  # only the new key: fax
    assert [r[:3] for r in queue_rows(tmp_path)] == [
        (CRM, "fax", "PHONE_NUMBER"),
        (CRM, "notes", "PERSON"),
        (CRM, "phone", "PHONE_NUMBER"),
        (LOG, None, "IP_ADDRESS"),
    ]


def test_a_decided_key_is_not_queued(tmp_path):
    findings = first_run(tmp_path)
    decide(str(tmp_path), "rejected", "ana", keys=[(CRM, "phone", "PHONE_NUMBER")])
    assert enqueue(str(tmp_path), to_review(findings, SETTINGS), "tag-1", SETTINGS) == 2
    assert [r[:3] for r in queue_rows(tmp_path)] == [(CRM, "notes", "PERSON"), (LOG, None, "IP_ADDRESS")]


def test_enqueue_queues_what_it_is_given_as_the_tag_job_selects_it(tmp_path):
    findings = first_run(tmp_path)
    held = findings.filter(pa.array([e in ("PERSON", "PHONE_NUMBER") for e in findings["entity_type"].to_pylist()]))
    assert enqueue(str(tmp_path), held, "tag-1") == 2  # no settings: an auto_tag finding is an always-review type
    assert [(r[2], r[6]) for r in queue_rows(tmp_path)] == [
        ("PERSON", "always_review"),
        ("PHONE_NUMBER", "below_threshold"),
    ]


def test_auto_apply_off_queues_every_finding():
    findings = pa.Table.from_pylist(
        [finding("r", CRM, "email", "EMAIL_ADDRESS", 1.0), finding("r", CRM, "phone", "PHONE_NUMBER", 0.6)],
        schema=FINDINGS,
    )
    assert ReviewSettings(auto_apply=False).reason("auto_tag", "EMAIL_ADDRESS") == "auto_apply_off"
    assert to_review(findings, ReviewSettings(auto_apply=False)).num_rows == 2
    assert to_review(findings, ReviewSettings())["entity_type"].to_pylist() == ["PHONE_NUMBER"]


def test_decisions_by_id_and_key_latest_wins(tmp_path):
    enqueue(str(tmp_path), to_review(first_run(tmp_path), SETTINGS), "tag-1", SETTINGS)
    phone_id = finding_id("scan-1", CRM, "phone", "PHONE_NUMBER")
    ip_id = finding_id("scan-1", LOG, None, "IP_ADDRESS")
    written = decide(str(tmp_path), "rejected", "ana", [phone_id, ip_id], note="test numbers", clock=lambda: T0)
    assert written.to_pylist() == [
        {
            "asset": CRM,
            "column": "phone",
            "entity_type": "PHONE_NUMBER",
            "finding_id": phone_id,
            "decision": "rejected",
            "reviewer": "ana",
            "decided_at": T0,
            "note": "test numbers",
        },
        {
            "asset": LOG,
            "column": None,
            "entity_type": "IP_ADDRESS",
            "finding_id": ip_id,
            "decision": "rejected",
            "reviewer": "ana",
            "decided_at": T0,
            "note": "test numbers",
        },
    ]
    later = T0 + timedelta(hours=1)
    decide(str(tmp_path), "approved", "bo", keys=[(CRM, "phone", "PHONE_NUMBER")], clock=lambda: later)
    assert suppressed(str(tmp_path)) == {(LOG, None, "IP_ADDRESS")}
    assert [(r["column"], r["entity_type"]) for r in approved(str(tmp_path)).to_pylist()] == [("phone", "PHONE_NUMBER")]
    assert approved(str(tmp_path)).schema == FINDINGS
    assert [
        (r["entity_type"], r["decision"], r["reviewer"], r["decided_at"]) for r in decisions(str(tmp_path)).to_pylist()
    ] == [
        ("PHONE_NUMBER", "approved", "bo", later),
        ("IP_ADDRESS", "rejected", "ana", T0),
    ]
    assert DeltaTable(str(tmp_path / "review_decisions")).to_pyarrow_table().num_rows == 3  # append-only


def test_approved_returns_the_current_findings_of_a_key_decided_in_an_earlier_run(tmp_path):
    first_run(tmp_path)
    decide(str(tmp_path), "approved", "ana", [finding_id("scan-1", CRM, "phone", "PHONE_NUMBER")])
    write_run(tmp_path, "scan-2", 1, [finding("scan-2", CRM, "phone", "PHONE_NUMBER", 0.7)])
    assert [(r["finding_id"], r["run_id"]) for r in approved(str(tmp_path)).to_pylist()] == [
        (finding_id("scan-2", CRM, "phone", "PHONE_NUMBER"), "scan-2")
    ]


def test_a_finding_that_was_not_queued_can_be_rejected_by_id(tmp_path):
    first_run(tmp_path)
    card_id = finding_id("scan-1", CARDS, "card", "CREDIT_CARD")
    decide(str(tmp_path), "rejected", "ana", [card_id])
    assert suppressed(str(tmp_path)) == {(CARDS, "card", "CREDIT_CARD")}


def test_unknown_ids_keys_and_reviewers_are_rejected_before_anything_is_written(tmp_path):
    first_run(tmp_path)
    with pytest.raises(ConfigError, match=r"unknown finding id\(s\) nope, 0000: not in "):
        decide(str(tmp_path), "rejected", "ana", ["nope", finding_id("scan-1", CRM, "email", "EMAIL_ADDRESS"), "0000"])
    with pytest.raises(ConfigError, match="no queued or current finding has the key"):
        decide(str(tmp_path), "rejected", "ana", keys=[(CRM, "email", "PHONE_NUMBER")])
    with pytest.raises(ConfigError, match="a reviewer name is required"):
        decide(str(tmp_path), "approved", "  ", [finding_id("scan-1", CRM, "email", "EMAIL_ADDRESS")])
    with pytest.raises(ConfigError, match="decision must be"):
        decide(str(tmp_path), "maybe", "ana", [finding_id("scan-1", CRM, "email", "EMAIL_ADDRESS")])
    assert not (tmp_path / "review_decisions").exists()


def test_rows_written_directly_are_honoured(tmp_path):
    findings = first_run(tmp_path)
    enqueue(str(tmp_path), to_review(findings, SETTINGS), "tag-1")  # creates the decisions table
    direct = pa.Table.from_pylist(
        [
            # an object-level finding: column null (an empty string is read as null too)
            {
                "asset": LOG,
                "column": "",
                "entity_type": "IP_ADDRESS",
                "decision": " Rejected",
                "reviewer": "sec-team",
                "decided_at": T0,
            },
            {
                "asset": CRM,
                "column": "notes",
                "entity_type": "PERSON",
                "decision": "approved",
                "reviewer": "sec-team",
                "decided_at": T0,
            },
            # invalid rows are ignored: no decided_at, an unknown decision
            {
                "asset": CRM,
                "column": "phone",
                "entity_type": "PHONE_NUMBER",
                "decision": "rejected",
                "reviewer": "x",
                "decided_at": None,
            },
            {
                "asset": CRM,
                "column": "email",
                "entity_type": "EMAIL_ADDRESS",
                "decision": "ignore",
                "reviewer": "x",
                "decided_at": T0,
            },
        ],
        schema=REVIEW_DECISIONS,
    )
    write_deltalake(str(tmp_path / "review_decisions"), direct, mode="append")
    assert suppressed(str(tmp_path)) == {(LOG, None, "IP_ADDRESS")}
    assert [r["entity_type"] for r in approved(str(tmp_path)).to_pylist()] == ["PERSON"]


def test_equal_decision_times_approved_wins(tmp_path):
    first_run(tmp_path)
    key = (CRM, "phone", "PHONE_NUMBER")
    decide(str(tmp_path), "approved", "ana", keys=[key], clock=lambda: T0)
    decide(str(tmp_path), "rejected", "bo", keys=[key], clock=lambda: T0)
    assert suppressed(str(tmp_path)) == set()
    assert decisions(str(tmp_path))["reviewer"].to_pylist() == ["ana"]


def test_nothing_decided_nothing_queued(tmp_path):
    assert suppressed(str(tmp_path)) == set()
    assert approved(str(tmp_path)).num_rows == 0
    assert decisions(str(tmp_path)).num_rows == 0
    assert review_queue(str(tmp_path)) == []
    assert format_queue([]) == "review queue: empty"


def test_cli_list_approve_reject(tmp_path, capsys):
    findings = first_run(tmp_path)
    enqueue(str(tmp_path), to_review(findings, SETTINGS), "tag-1", SETTINGS)
    out = str(tmp_path)
    phone_id = finding_id("scan-1", CRM, "phone", "PHONE_NUMBER")
    ip_id = finding_id("scan-1", LOG, None, "IP_ADDRESS")
    person_id = finding_id("scan-1", CRM, "notes", "PERSON")

    assert main(["--output", out, "list", "--pending"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[0] == "review queue: 3 finding(s)"
    assert [line.split()[0] for line in listed[1:]] == [person_id, phone_id, ip_id]
    assert "samples: +44 ** **** **58" in listed[2]

    assert main(["--output", out, "approve", phone_id, "--reviewer", "ana", "--note", "real phones"]) == 0
    assert capsys.readouterr().out == f"approved {phone_id}: PHONE_NUMBER in {CRM} column phone (by ana)\n"
    assert main(["--output", out, "reject", "--asset", LOG, "--entity", "IP_ADDRESS", "--reviewer", "bo"]) == 0
    assert capsys.readouterr().out == f"rejected {ip_id}: IP_ADDRESS in {LOG} (by bo)\n"

    assert main(["--output", out, "list", "--pending"]) == 0
    assert [line.split()[0] for line in capsys.readouterr().out.splitlines()[1:]] == [person_id]
    assert main(["--output", out, "list"]) == 0
    statuses = [line.split()[1:4] for line in capsys.readouterr().out.splitlines()[1:]]
    assert statuses == [["pending", "PERSON", "medium"], ["approved", "by", "ana"], ["rejected", "by", "bo"]]
    assert suppressed(out) == {(LOG, None, "IP_ADDRESS")}


def test_cli_errors_exit_2(tmp_path, capsys):
    first_run(tmp_path)
    out = str(tmp_path)
    assert main(["--output", out, "reject", "deadbeef", "--reviewer", "ana"]) == 2
    assert "error: unknown finding id(s) deadbeef" in capsys.readouterr().err
    assert main(["--output", out, "reject", "--column", "phone", "--reviewer", "ana"]) == 2
    assert "deciding by key needs --asset and --entity" in capsys.readouterr().err
    assert main(["--output", out, "approve", "--reviewer", "ana"]) == 2
    assert "name at least one finding" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exited:
        main(["--output", out, "approve", "abc"])  # no --reviewer
    assert exited.value.code == 2
    assert not (tmp_path / "review_decisions").exists()


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"auto_apply": "yes"}, "review.auto_apply must be true or false, got 'yes'"),
        ({"always_review": "PERSON"}, "review.always_review must be a list of entity types, got 'PERSON'"),
        ({"always_review": ["PERSON", ""]}, "review.always_review must be a list of entity types such as"),
        ({"threshold": 0.8}, "review.threshold is not a known setting"),
    ],
)
def test_review_settings_validation(raw, message):
    with pytest.raises(ConfigError, match="^" + message.replace("(", r"\(").replace("[", r"\[")):
        ReviewSettings.from_mapping(raw)


def test_review_settings_from_mapping():
    assert ReviewSettings.from_mapping(None) == ReviewSettings(auto_apply=True, always_review=())
    assert ReviewSettings.from_mapping(
        {"auto_apply": False, "always_review": ["PERSON", "LOCATION"]}
    ) == ReviewSettings(False, ("PERSON", "LOCATION"))
