"""What the report job computes (jobs/report_data.py) and every output renders (Markdown, CSV, HTML).

One ReportData per report: plain dataclasses of rows, no Spark and no pyarrow, so renderers and tests read it
directly. Every figure is computed from the findings, assets and runs tables; nothing here holds a detected value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Violation:
    """An asset holding personal data of a jurisdiction in a region the residency policy does not allow for it."""

    asset: str
    source_kind: str
    region: str  # the asset's AWS region (or 'unknown')
    jurisdictions: tuple[str, ...]  # jurisdictions found that the region is not allowed for
    entity_types: tuple[str, ...]
    findings: int
    matched_values: int
    since: datetime | None  # first run in which the violating findings appear (earliest scanned_at known)
    rule: str  # the policy rule broken, in words
    account: str | None = None  # the asset's AWS account where conf/report.yaml names it


@dataclass(frozen=True)
class MatrixCell:
    """Region x jurisdiction: how many assets and findings of that jurisdiction live in that region."""

    region: str
    jurisdiction: str
    assets: int
    findings: int
    allowed: bool


@dataclass(frozen=True)
class FrameworkPosture:
    """One compliance framework: which assets hold in-scope data, and how they are protected where known."""

    framework: str  # PCI_DSS, HIPAA, GDPR, CCPA, GLBA
    assets: int
    findings: int
    matched_values: int
    encrypted_assets: int | None  # assets in buckets with default encryption; None where unknown
    tagged_assets: int | None  # assets whose objects carry the tag job's tags; None where unknown
    top_assets: tuple[str, ...]
    unencrypted_assets: int | None = None  # assets in buckets without default encryption; None where unknown


@dataclass(frozen=True)
class Score:
    """A sensitivity score 0-100 for a bucket, database or table (formula in docs/report.md)."""

    level: str  # bucket | database | table, or asset (ReportData.top_assets)
    name: str
    score: int
    findings: int
    max_sensitivity: str | None
    entity_types: tuple[str, ...]
    label: str = "not sensitive"  # 'sensitive' above 50, as Macie labels 51-100; 'not sensitive' up to 50
    units: int = 0  # columns (table, asset) or assets (bucket, database) the share is taken over
    units_with_findings: int = 0


@dataclass(frozen=True)
class Trend:
    """Change of the findings between one run and the run before it (by finding key)."""

    run_id: str
    started_at: datetime
    findings: int
    new: int
    resolved: int
    changed: int  # same key, different confidence, decision or sensitivity


@dataclass(frozen=True)
class Coverage:
    """What share of the estate the runs scanned."""

    objects_listed: int
    objects_scanned: int  # scanned or unchanged in the current state
    objects_skipped: int
    objects_failed: int
    not_scanned: tuple[tuple[str, str], ...]  # (asset, reason) of the first objects not scanned


@dataclass
class ReportData:
    """Everything one report shows."""

    generated_at: datetime
    output: str  # the findings location the report was built from
    latest_run: str | None
    assets_with_findings: int
    findings: int
    findings_by_entity: dict[str, int] = field(default_factory=dict)
    findings_by_sensitivity: dict[str, int] = field(default_factory=dict)
    violations: list[Violation] = field(default_factory=list)
    matrix: list[MatrixCell] = field(default_factory=list)
    frameworks: list[FrameworkPosture] = field(default_factory=list)
    scores: list[Score] = field(default_factory=list)  # highest first
    top_assets: list[Score] = field(default_factory=list)  # riskiest findings assets (level 'asset'), highest first
    trends: list[Trend] = field(default_factory=list)  # oldest first
    coverage: Coverage | None = None
