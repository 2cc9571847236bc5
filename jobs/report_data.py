"""What the report shows, computed once from the findings, assets, runs (and tag_results) tables: ReportData.

Driver-only and Spark-free: the tables are read with delta-rs into Arrow (the estate's current findings through
jobs.current), and every figure is plain Python over those rows. The Markdown, CSV and HTML outputs only render
the ReportData built here; none of them computes a figure of its own. docs/report.md explains each section.
"""

from __future__ import annotations

import logging
import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pyarrow.compute as pc

from jobs.current import current_findings, current_objects
from jobs.delta_store import read_table, table_uri
from jobs.redaction import safe_reason
from jobs.report_config import UNKNOWN_REGION, ReportConfig
from jobs.report_model import Coverage, FrameworkPosture, MatrixCell, ReportData, Score, Trend, Violation
from jobs.tables import READ_STATUSES, SUCCESSFUL_RUNS

LOG = logging.getLogger(__name__)
FRAMEWORKS = ("PCI_DSS", "HIPAA", "GDPR", "CCPA", "GLBA")
SENSITIVITIES = ("high", "medium", "low")
GLOBAL = "GLOBAL"
LEVELS = ("bucket", "database", "table", "asset")
# The score formula (docs/report.md, "Sensitivity score"): base by the highest sensitivity found, plus breadth
# (distinct entity types), depth (share of columns or assets with findings) and certainty (confidence).
SCORE_BASE = {"high": 60, "medium": 35, "low": 10}
SCORE_PER_EXTRA_TYPE, SCORE_MAX_EXTRA_TYPES = 5, 3
SCORE_DEPTH, SCORE_CONFIDENCE = 15, 10
SCORE_NOTHING_FOUND = 1  # scanned, nothing found (Macie gives an empty or clean bucket a low score, 1 at least)
SENSITIVE_ABOVE = 50  # Macie labels 51-100 'Sensitive' and 1-49 'Not sensitive'
TAGGED_STATUSES = ("succeeded", "skipped")  # tag_results rows meaning the object carries the job's tags
_IBAN_COUNTRY = re.compile(r"^([A-Z]{2})")

Encryption = Callable[[str], "bool | None"]


@dataclass
class _Asset:
    """One findings asset of the current state, with the findings that are current for it."""

    asset: str
    source_kind: str
    region: str
    account: str | None
    table_name: str | None
    findings: list[dict[str, Any]] = field(default_factory=list)
    objects: list[str] = field(default_factory=list)
    columns: set[str] = field(default_factory=set)  # columns the current objects have (assets.columns)


def build_report(output: str, config: ReportConfig, now: datetime, encryption: Encryption | None = None) -> ReportData:
    """Compute every section of the report from the tables under ``output`` (docs/report.md)."""
    check_encryption = encryption if encryption is not None else default_encryption()
    findings = current_findings(output).to_pylist()
    objects = current_objects(output).to_pylist()
    runs = _successful_runs(output)
    all_assets = _assets_rows(output, [run for run, _ in runs])
    assets = _current_assets(findings, objects, all_assets, config)
    with_findings = [a for a in assets.values() if a.findings]
    by_entity: dict[str, int] = defaultdict(int)
    by_sensitivity: dict[str, int] = {level: 0 for level in SENSITIVITIES}
    for row in findings:
        by_entity[row["entity_type"]] += 1
        level = row["sensitivity"] or "unknown"
        by_sensitivity[level] = by_sensitivity.get(level, 0) + 1
    history = _findings_history(output, [run for run, _ in runs])
    violations, matrix = residency(with_findings, config, history)
    scores = sensitivity_scores(assets.values())
    top = [s for s in asset_scores(with_findings) if s.findings][: config.limits.top_assets]
    return ReportData(
        generated_at=now,
        output=output,
        latest_run=runs[-1][0] if runs else None,
        assets_with_findings=len(with_findings),
        findings=len(findings),
        findings_by_entity=dict(sorted(by_entity.items(), key=lambda item: (-item[1], item[0]))),
        findings_by_sensitivity=by_sensitivity,
        violations=violations,
        matrix=matrix,
        frameworks=framework_posture(with_findings, check_encryption, _tagged_targets(output), config),
        scores=scores,
        trends=trends(runs, all_assets, history),
        coverage=coverage(runs, all_assets, config.limits.not_scanned),
        top_assets=top,
    )


# --- jurisdictions and residency -----------------------------------------------------------------------------------


def finding_jurisdictions(row: dict[str, Any]) -> tuple[str, ...]:
    """The jurisdictions a finding's data belongs to; ('GLOBAL',) when none.

    The findings' own ``jurisdiction`` column (set per detector: the identifier's country, EU, or GLOBAL). IBANs
    are GLOBAL as a detector, but every IBAN starts with its country code and the masked samples keep it
    (``DE****…1234``), so an IBAN finding belongs to the countries its samples show.
    """
    jurisdiction = row.get("jurisdiction") or GLOBAL
    if jurisdiction == GLOBAL and row.get("entity_type") == "IBAN_CODE":
        countries = {m.group(1) for s in row.get("samples_masked") or [] if (m := _IBAN_COUNTRY.match(s or ""))}
        if countries:
            return tuple(sorted(countries))
    return (jurisdiction,)


def residency(
    assets: Iterable[_Asset], config: ReportConfig, history: list[dict[str, Any]]
) -> tuple[list[Violation], list[MatrixCell]]:
    """Violations (one per asset, by asset) and the region x jurisdiction matrix (by region, jurisdiction)."""
    policy = config.residency
    cells: dict[tuple[str, str], dict[str, Any]] = {}
    violations: list[Violation] = []
    first_seen = _first_seen(history)
    for asset in sorted(assets, key=lambda a: a.asset):
        broken: list[dict[str, Any]] = []
        jurisdictions: set[str] = set()
        rules: list[str] = []
        for row in asset.findings:
            violating = False
            for jurisdiction in finding_jurisdictions(row):
                rule = policy.rule_for(jurisdiction, row["entity_type"], tuple(row["frameworks"] or ()))
                allowed = rule is None or policy.permits(rule, asset.region, asset.account)
                cell = cells.setdefault((asset.region, jurisdiction), {"assets": set(), "findings": 0, "allowed": True})
                cell["assets"].add(asset.asset)
                cell["findings"] += 1
                if not allowed and rule is not None:
                    cell["allowed"] = False
                    violating = True
                    jurisdictions.add(jurisdiction)
                    if rule.describe() not in rules:
                        rules.append(rule.describe())
            if violating:
                broken.append(row)
        if not broken:
            continue
        seen = [first_seen.get(_key(row)) for row in broken]
        known = [moment for moment in seen if moment is not None]
        rule_text = "; ".join(rules)
        if asset.region == UNKNOWN_REGION:
            rule_text += "; the asset's region is unknown (conf/report.yaml `locations`)"
        violations.append(
            Violation(
                asset=asset.asset,
                source_kind=asset.source_kind,
                region=asset.region,
                jurisdictions=tuple(sorted(jurisdictions)),
                entity_types=tuple(sorted({row["entity_type"] for row in broken})),
                findings=len(broken),
                matched_values=sum(row["matched_values"] or 0 for row in broken),
                since=min(known) if known else None,
                rule=rule_text,
                account=asset.account,
            )
        )
    matrix = [
        MatrixCell(region, jurisdiction, len(cell["assets"]), cell["findings"], cell["allowed"])
        for (region, jurisdiction), cell in sorted(cells.items())
    ]
    return violations, matrix


# --- compliance posture --------------------------------------------------------------------------------------------


def framework_posture(
    assets: list[_Asset], encryption: Encryption, tagged: set[str] | None, config: ReportConfig
) -> list[FrameworkPosture]:
    """One row per framework (the five known ones first, then any other the findings name)."""
    seen = {name for a in assets for row in a.findings for name in row["frameworks"] or ()}
    names = list(FRAMEWORKS) + sorted(seen - set(FRAMEWORKS))
    bucket_encrypted: dict[str, bool | None] = {}

    def encrypted(asset: _Asset) -> bool | None:
        bucket = bucket_of(asset.asset)
        if bucket is None:
            return None
        name = bucket[len("s3://") :].rstrip("/")
        if name not in bucket_encrypted:
            bucket_encrypted[name] = encryption(name)
        return bucket_encrypted[name]

    postures = []
    for framework in names:
        rows: dict[str, list[dict[str, Any]]] = {}
        by_asset = {a.asset: a for a in assets}
        for asset in assets:
            in_scope = [row for row in asset.findings if framework in (row["frameworks"] or ())]
            if in_scope:
                rows[asset.asset] = in_scope
        states = [encrypted(by_asset[name]) for name in sorted(rows)]
        known = [state for state in states if state is not None]
        ranked = sorted(
            rows, key=lambda name: (-sum(r["matched_values"] or 0 for r in rows[name]), -len(rows[name]), name)
        )
        postures.append(
            FrameworkPosture(
                framework=framework,
                assets=len(rows),
                findings=sum(len(found) for found in rows.values()),
                matched_values=sum(r["matched_values"] or 0 for found in rows.values() for r in found),
                encrypted_assets=sum(known) if known else None,
                tagged_assets=None if tagged is None else sum(1 for name in rows if _is_tagged(by_asset[name], tagged)),
                top_assets=tuple(ranked[: config.limits.framework_assets]),
                unencrypted_assets=len(known) - sum(known) if known else None,
            )
        )
    return postures


def _is_tagged(asset: _Asset, tagged: set[str]) -> bool:
    return bool(asset.objects) and all(uri in tagged for uri in asset.objects)


def default_encryption() -> Encryption:
    """Bucket default encryption through S3 GetBucketEncryption: True, False (none configured), None (unknown)."""
    warned: set[str] = set()
    clients: list[Any] = []  # one client for every bucket, made on first use

    def check(bucket: str) -> bool | None:
        from botocore.exceptions import BotoCoreError, ClientError

        from jobs.storage import s3_client

        try:
            if not clients:
                clients.append(s3_client())
            clients[0].get_bucket_encryption(Bucket=bucket)
            return True
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            if code == "ServerSideEncryptionConfigurationNotFoundError":
                return False
            reason = code or safe_reason(exc)
        except BotoCoreError as exc:
            reason = safe_reason(exc)
        if reason not in warned:
            warned.add(reason)
            hint = " (the report's role needs s3:GetEncryptionConfiguration)" if reason == "AccessDenied" else ""
            LOG.warning("default encryption unknown for bucket %s (and any failing alike): %s%s", bucket, reason, hint)
        return None

    return check


def _tagged_targets(output: str) -> set[str] | None:
    """Objects whose latest tag_results row says they carry the job's tags; None without a tag_results table."""
    results = read_table(table_uri(output, "tag_results"), ["kind", "target", "status", "at"])
    if results is None:
        return None
    latest: dict[str, tuple[Any, str]] = {}
    for row in results.to_pylist():
        if row["kind"] != "object" or row["target"] is None:
            continue
        stamp = row["at"]
        if row["target"] not in latest or (stamp is not None and (latest[row["target"]][0] or stamp) <= stamp):
            latest[row["target"]] = (stamp, row["status"])
    return {target for target, (_, status) in latest.items() if status in TAGGED_STATUSES}


# --- sensitivity scores --------------------------------------------------------------------------------------------


def score_of(findings: list[dict[str, Any]], units: int, units_with_findings: int) -> int:
    """The 0-100 score of a container holding ``findings`` (docs/report.md, "Sensitivity score").

    1 when nothing was found; else base(highest sensitivity) + 5 per distinct entity type beyond the first (at
    most 3) + 15 x share of units with findings + 10 x the highest confidence at the highest sensitivity,
    rounded half up and capped at 100.
    """
    if not findings:
        return SCORE_NOTHING_FOUND
    top = _max_sensitivity(findings)
    base = SCORE_BASE.get(top or "", 0)
    types = len({row["entity_type"] for row in findings})
    breadth = SCORE_PER_EXTRA_TYPE * min(SCORE_MAX_EXTRA_TYPES, types - 1)
    share = min(1.0, units_with_findings / units) if units else 1.0
    confidence = max((row["confidence"] or 0.0) for row in findings if row["sensitivity"] == top)
    return min(100, math.floor(base + breadth + SCORE_DEPTH * share + SCORE_CONFIDENCE * confidence + 0.5))


def sensitivity_scores(assets: Iterable[_Asset]) -> list[Score]:
    """A score per bucket, database and table of the current state, highest first."""
    groups: dict[tuple[str, str], list[_Asset]] = defaultdict(list)
    for asset in assets:
        for level, name in (
            ("bucket", bucket_of(asset.asset)),
            ("database", database_of(asset)),
            ("table", table_of(asset)),
        ):
            if name is not None:
                groups[(level, name)].append(asset)
    scores = []
    for (level, name), members in groups.items():
        findings = [row for member in members for row in member.findings]
        if level == "table":
            units, hit = _column_units(members)
        else:
            units, hit = len(members), sum(1 for member in members if member.findings)
        scores.append(_score(level, name, findings, units, hit))
    return _ranked(scores)


def asset_scores(assets: Iterable[_Asset]) -> list[Score]:
    """The same score per findings asset (level 'asset'; share over its columns), highest first."""
    return _ranked([_score("asset", a.asset, a.findings, *_column_units([a])) for a in assets])


def _column_units(members: list[_Asset]) -> tuple[int, int]:
    """(columns known, columns with findings); (0, 0) when the columns are unknown (then the share counts as 1)."""
    known = {column for member in members for column in member.columns}
    found = {row["column"] for member in members for row in member.findings if row["column"] is not None}
    if not known:
        return 0, 0
    return len(known | found), len(found)


def _score(level: str, name: str, findings: list[dict[str, Any]], units: int, hit: int) -> Score:
    score = score_of(findings, units, hit)
    return Score(
        level=level,
        name=name,
        score=score,
        findings=len(findings),
        max_sensitivity=_max_sensitivity(findings),
        entity_types=tuple(sorted({row["entity_type"] for row in findings})),
        label="sensitive" if score > SENSITIVE_ABOVE else "not sensitive",
        units=units,
        units_with_findings=hit,
    )


def _ranked(scores: list[Score]) -> list[Score]:
    return sorted(scores, key=lambda s: (-s.score, LEVELS.index(s.level), -s.findings, s.name))


def _max_sensitivity(findings: list[dict[str, Any]]) -> str | None:
    present = {row["sensitivity"] for row in findings}
    return next((level for level in SENSITIVITIES if level in present), None)


def bucket_of(asset: str) -> str | None:
    """``s3://bucket/`` of an S3 asset; None for other assets."""
    if not asset.startswith("s3://"):
        return None
    return "s3://" + asset[len("s3://") :].split("/", 1)[0] + "/"


def database_of(asset: _Asset) -> str | None:
    """The database an asset's table belongs to; None for assets of no database.

    The JDBC URI without the table, the RDS export's database folder, or ``glue://DATABASE``.
    """
    if asset.source_kind == "jdbc":
        return asset.asset.rstrip("/").rsplit("/", 1)[0]
    if asset.source_kind == "rds_export" and asset.table_name:
        return asset.asset.rstrip("/").rsplit("/", 1)[0] + "/"
    if asset.source_kind == "glue" and asset.table_name:
        return "glue://" + asset.table_name.split(".", 1)[0]
    return None


def table_of(asset: _Asset) -> str | None:
    """The table an asset is: a JDBC table's or RDS export table's asset URI, ``glue://DATABASE/TABLE``."""
    if not asset.table_name:
        return None
    if asset.source_kind == "glue":
        database, _, table = asset.table_name.partition(".")
        return f"glue://{database}/{table}"
    return asset.asset


# --- coverage and trends -------------------------------------------------------------------------------------------


def coverage(runs: list[tuple[str, datetime]], assets: list[dict[str, Any]], limit: int) -> Coverage | None:
    """Each object's latest row among the successful runs: scanned (or unchanged), skipped or failed."""
    if not runs:
        return None
    order = {run: index for index, (run, _) in enumerate(runs)}
    latest: dict[str, dict[str, Any]] = {}
    for row in assets:
        uri = row["asset"]
        if uri not in latest or order[row["run_id"]] > order[latest[uri]["run_id"]]:
            latest[uri] = row
    rows = list(latest.values())
    missed = sorted(
        (r for r in rows if r["status"] not in READ_STATUSES), key=lambda r: (r["status"] or "", r["asset"])
    )
    return Coverage(
        objects_listed=len(rows),
        objects_scanned=sum(1 for r in rows if r["status"] in READ_STATUSES),
        objects_skipped=sum(1 for r in rows if r["status"] == "skipped"),
        objects_failed=sum(1 for r in rows if r["status"] == "error"),
        not_scanned=tuple(
            (r["asset"], f"{r['status']}: {r['reason'] or 'no reason recorded'}") for r in missed[:limit]
        ),
    )


def trends(
    runs: list[tuple[str, datetime]], assets: list[dict[str, Any]], history: list[dict[str, Any]]
) -> list[Trend]:
    """Per successful run (oldest first): the estate's findings after it, and the keys new, resolved and changed.

    The estate after a run: each asset's findings of the latest run up to it that covered the asset (the same
    rule as jobs.current), so a run that scans one source leaves the others' findings as they were.
    """
    covered: dict[str, set[str]] = defaultdict(set)
    for row in assets:
        if row["status"] in READ_STATUSES:
            covered[row["run_id"]].add(row["dataset"] or row["asset"])
    found: dict[str, dict[str, dict[tuple[str, str | None, str], tuple[Any, ...]]]] = defaultdict(
        lambda: defaultdict(dict)
    )
    for row in history:
        found[row["run_id"]][row["asset"]][_key(row)] = _state(row)
    state: dict[str, dict[tuple[str, str | None, str], tuple[Any, ...]]] = {}
    result = []
    for run, started in runs:
        before = {key: value for keys in state.values() for key, value in keys.items()}
        for asset in covered[run] | set(found[run]):
            state[asset] = found[run].get(asset, {})
        after = {key: value for keys in state.values() for key, value in keys.items()}
        result.append(
            Trend(
                run_id=run,
                started_at=started,
                findings=len(after),
                new=len(after.keys() - before.keys()),
                resolved=len(before.keys() - after.keys()),
                changed=sum(1 for key in after.keys() & before.keys() if after[key] != before[key]),
            )
        )
    return result


def _key(row: dict[str, Any]) -> tuple[str, str | None, str]:
    return (row["asset"], row["column"], row["entity_type"])


def _state(row: dict[str, Any]) -> tuple[Any, ...]:
    confidence = row["confidence"]
    return (None if confidence is None else round(confidence, 6), row["decision"], row["sensitivity"])


def _first_seen(history: list[dict[str, Any]]) -> dict[tuple[str, str | None, str], datetime]:
    first: dict[tuple[str, str | None, str], datetime] = {}
    for row in history:
        key, when = _key(row), row["scanned_at"]
        if when is not None and (key not in first or when < first[key]):
            first[key] = when
    return first


# --- reading -------------------------------------------------------------------------------------------------------


def _successful_runs(output: str) -> list[tuple[str, datetime]]:
    """(run id, started_at) of the succeeded runs, oldest first."""
    runs = read_table(table_uri(output, "runs"), ["run_id", "started_at", "status"])
    if runs is None:
        return []
    rows = [
        (row["run_id"], row["started_at"])
        for row in runs.to_pylist()
        if row["status"] in SUCCESSFUL_RUNS and row["run_id"] is not None and row["started_at"] is not None
    ]
    return sorted(set(rows), key=lambda item: (item[1], item[0]))


def _assets_rows(output: str, runs: list[str]) -> list[dict[str, Any]]:
    if not runs:
        return []
    columns = ["run_id", "asset", "dataset", "status", "reason", "columns"]
    table = read_table(table_uri(output, "assets"), columns, pc.field("run_id").isin(runs))
    return [] if table is None else table.to_pylist()


def _findings_history(output: str, runs: list[str]) -> list[dict[str, Any]]:
    """The findings keys of every successful run (for trends and 'since when')."""
    if not runs:
        return []
    columns = ["run_id", "scanned_at", "asset", "column", "entity_type", "confidence", "decision", "sensitivity"]
    table = read_table(table_uri(output, "findings"), columns, pc.field("run_id").isin(runs))
    return [] if table is None else table.to_pylist()


def _current_assets(
    findings: list[dict[str, Any]], objects: list[dict[str, Any]], rows: list[dict[str, Any]], config: ReportConfig
) -> dict[str, _Asset]:
    """Every asset of the current state, with its region (findings, else configuration, else 'unknown')."""
    columns: dict[tuple[str, str], list[str]] = {}
    for row in rows:
        columns[(row["run_id"], row["asset"])] = row["columns"] or []
    assets: dict[str, _Asset] = {}

    def get(name: str, source_kind: str, region: str | None, table_name: str | None) -> _Asset:
        if name not in assets:
            configured, account = config.location(name)
            assets[name] = _Asset(name, source_kind, region or configured or UNKNOWN_REGION, account, table_name)
        return assets[name]

    for obj in objects:
        asset = get(obj["asset"], obj["source_kind"], obj["region"], obj["table_name"])
        asset.objects.append(obj["object_uri"])
        asset.columns.update(columns.get((obj["run_id"], obj["object_uri"]), []))
    for row in sorted(findings, key=lambda r: (r["asset"], r["column"] or "", r["entity_type"])):
        get(row["asset"], row["source_kind"], row["region"], row["table_name"]).findings.append(row)
    return assets
