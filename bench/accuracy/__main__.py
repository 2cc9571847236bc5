"""``make accuracy``: score the scan job against a labelled synthetic estate, with Presidio as the baseline.

Steps: generate the estate into a temporary folder (``bench.accuracy.generator``); run the real scan job
in-process on local Spark with ``--full-scan`` semantics; read the findings Delta table; score column-level
findings against the column labels and object-level findings against the text objects' spans; run
Presidio's default recognizers on the same data; print the figures with every error of ours, and write them
into BENCHMARKS.md between ``<!-- accuracy:start -->`` and ``<!-- accuracy:end -->``.
"""

from __future__ import annotations

import argparse
import gzip
import platform
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.accuracy import END as BLOCK_END
from bench.accuracy import START as BLOCK_START
from bench.accuracy import replace_block
from bench.accuracy.generator import DEFAULT_ROWS, DEFAULT_SEED, ESTATE_DIR, LABELS_FILE, Labels, generate
from bench.accuracy.metrics import Counts, Evaluation, Item, evaluate, object_truth, ratio_text
from bench.accuracy.presidio_baseline import (
    ANY_SCORE,
    STRICT_SCORE,
    PresidioRun,
    PresidioUnavailable,
    run_presidio,
)

CORES = 2
RUN_ID = "accuracy"
LIST_LIMIT = 25  # errors listed per list in BENCHMARKS.md; the printed output lists them all


@dataclass(frozen=True)
class ScanOutcome:
    """The scan job's findings (as rows of the findings table) and what the run read."""

    findings: list[dict[str, Any]]
    assets: list[dict[str, Any]]
    rows_scanned: int
    values_scanned: int
    spark_seconds: float
    scan_seconds: float
    spark_version: str
    entity_types: frozenset[str]
    text_analysis: str


@dataclass(frozen=True)
class Side:
    """One tool's evaluation at one level, with what it can emit and how to explain its errors."""

    name: str
    evaluation: Evaluation
    emits: frozenset[str]


def scan_estate(estate: Path, output: Path, master: str) -> ScanOutcome:
    """Run the scan job on ``estate`` (full scan, shipped configuration, NER on if a model is installed)."""
    from deltalake import DeltaTable

    from demo.nlp import with_installed_ner
    from jobs.config import load_config
    from jobs.delta_store import table_uri
    from jobs.scan import ScanRequest, run_scan
    from jobs.spark import build_session

    config = with_installed_ner(load_config()).with_full_scan()
    start = time.perf_counter()
    spark = build_session("piiscan-accuracy", master)
    spark_seconds = time.perf_counter() - start
    try:
        start = time.perf_counter()
        result = run_scan(spark, ScanRequest((str(estate),), str(output), config, RUN_ID))
        scan_seconds = time.perf_counter() - start
        spark_version = spark.version
    finally:
        spark.stop()
    findings = DeltaTable(table_uri(str(output), "findings")).to_pyarrow_table().to_pylist()
    assets = DeltaTable(table_uri(str(output), "assets")).to_pyarrow_table().to_pylist()
    return ScanOutcome(
        findings=[f for f in findings if f["run_id"] == RUN_ID],
        assets=[a for a in assets if a["run_id"] == RUN_ID],
        rows_scanned=result.rows_scanned,
        values_scanned=result.values_scanned,
        spark_seconds=spark_seconds,
        scan_seconds=scan_seconds,
        spark_version=spark_version,
        entity_types=frozenset(d.entity_type for d in config.detection.detectors),
        text_analysis=result.text_analysis,
    )


def relative_asset(uri: str, estate: Path) -> str:
    """A finding's asset URI relative to the estate, as the labels name it (``crm/customers/``)."""
    prefix = f"file://{estate}/"
    return uri[len(prefix) :] if uri.startswith(prefix) else uri


def our_predictions(findings: Iterable[Mapping[str, Any]], estate: Path) -> tuple[set[Item], set[Item]]:
    """Column-level and object-level predictions of the scan job."""
    columns: set[Item] = set()
    objects: set[Item] = set()
    for f in findings:
        asset = relative_asset(f["asset"], estate)
        if f["level"] == "column":
            columns.add(Item(asset, f["column"], f["entity_type"]))
        else:
            objects.add(Item(asset, None, f["entity_type"]))
    return columns, objects


def truth(labels: Labels) -> tuple[set[Item], set[Item]]:
    """Column-level and object-level labelled positives."""
    columns = {Item(c.asset, c.column, c.entity) for c in labels.columns if c.entity is not None}
    objects = object_truth((o.asset, span.entity) for o in labels.objects for span in o.spans)
    return columns, objects


class OurEvidence:
    """Explains our errors: the finding behind a false positive; for a false negative, the other findings
    of the column or object and, in free text, the lines the missed values sit in (values shape-masked)."""

    def __init__(self, findings: Iterable[Mapping[str, Any]], estate: Path, labels: Labels) -> None:
        self.by_item: dict[Item, Mapping[str, Any]] = {}
        self.by_place: dict[tuple[str, str | None], list[Mapping[str, Any]]] = defaultdict(list)
        for f in findings:
            asset = relative_asset(f["asset"], estate)
            self.by_item[Item(asset, f["column"], f["entity_type"])] = f
            self.by_place[(asset, f["column"])].append(f)
        self.contexts: dict[tuple[str, str], list[str]] = defaultdict(list)
        for label in labels.objects:
            text = _read_text(estate / label.asset)
            for span in label.spans:
                self.contexts[(label.asset, span.entity)].append(_excerpt(text, span.start, span.end))

    def __call__(self, item: Item) -> str:
        finding = self.by_item.get(item)
        if finding is not None:
            return _describe_finding(finding)
        others = sorted(self.by_place.get((item.asset, item.column), []), key=lambda f: -float(f["confidence"]))
        text = f"no {item.entity} finding"
        if others:
            text += " (other findings here: "
            text += ", ".join(f"{f['entity_type']} {float(f['confidence']):.2f}" for f in others) + ")"
        if item.column is None:
            text += "; in: " + " / ".join(f'"{line}"' for line in self.contexts.get((item.asset, item.entity), []))
        return text


def _read_text(path: Path) -> str:
    data = path.read_bytes()
    return (gzip.decompress(data) if path.name.endswith(".gz") else data).decode("utf-8")


def _excerpt(text: str, start: int, end: int, width: int = 40) -> str:
    """The span's line around the span, the value's digits shown as ``#`` and its letters as ``x``/``X``."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    before = text[max(line_start, start - width) : start]
    after = text[end : min(line_end if line_end >= 0 else len(text), end + width)]
    shape = "".join(
        "#" if c.isdigit() else ("X" if c.isupper() else "x") if c.isalpha() else c for c in text[start:end]
    )
    return before + shape + after


def _describe_finding(f: Mapping[str, Any]) -> str:
    unit = "values" if f["level"] == "column" else "lines"
    parts = [f"confidence {float(f['confidence']):.2f}", f"{f['matched_values']}/{f['values_scanned']} {unit}"]
    if f.get("validator_pass_rate") is not None:
        parts.append(f"validator {float(f['validator_pass_rate']):.0%}")
    detectors = [d for d in (f.get("detectors") or []) if not d.startswith("validator:")]
    parts.append("; ".join(detectors))
    samples = f.get("samples_masked") or []
    if samples:
        parts.append("e.g. " + samples[0])
    return ", ".join(parts)


# --------------------------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------------------------


def _prf(counts: Counts) -> str:
    return f"{ratio_text(counts.precision)} | {ratio_text(counts.recall)} | {ratio_text(counts.f1)}"


def entity_table(truth_items: set[Item], ours: Side, presidio: Side | None, unit: str) -> list[str]:
    """The per-entity markdown table: support, then precision, recall and F1 of each tool."""
    labelled = sorted({i.entity for i in truth_items})
    predicted = set(ours.evaluation.per_entity) | (set(presidio.evaluation.per_entity) if presidio else set())
    rows = labelled + sorted(predicted - set(labelled))
    header = f"| entity type | {unit} | ours P | ours R | ours F1 |"
    rule = "|---|---:|---:|---:|---:|"
    if presidio:
        header += " Presidio P | Presidio R | Presidio F1 |"
        rule += "---:|---:|---:|"
    lines = [header, rule]
    for entity in rows:
        counts = ours.evaluation.per_entity.get(entity, Counts())
        support = counts.support
        line = f"| {entity} | {support} | {_prf(counts)} |"
        if presidio:
            if entity in presidio.emits:
                line += f" {_prf(presidio.evaluation.per_entity.get(entity, Counts(fn=support)))} |"
            else:
                line += " n/a | n/a | n/a |"
        lines.append(line)
    return lines


def overall_table(levels: Sequence[tuple[str, Side, Side | None, Side | None]]) -> list[str]:
    """Micro-averaged precision, recall and F1 per level: over every type, and over the types both emit."""
    with_presidio = any(p is not None for _, _, p, _ in levels)
    header = "| level | entity types | ours P | ours R | ours F1 |"
    rule = "|---|---|---:|---:|---:|"
    if with_presidio:
        header += " Presidio P | Presidio R | Presidio F1 | Presidio ≥ 0.5 P | Presidio ≥ 0.5 R | Presidio ≥ 0.5 F1 |"
        rule += "---:|---:|---:|---:|---:|---:|"
    lines = [header, rule]
    for level, ours, presidio, strict in levels:
        scopes: list[tuple[str, Collection[str] | None]] = [("all", None)]
        if presidio is not None:
            both = sorted(ours.emits & presidio.emits)
            scopes.append((f"both detect ({len(both)})", both))
        for scope, entities in scopes:
            line = f"| {level} | {scope} | {_prf(ours.evaluation.micro(entities))} |"
            if presidio is not None and strict is not None:
                line += f" {_prf(presidio.evaluation.micro(entities))} | {_prf(strict.evaluation.micro(entities))} |"
            lines.append(line)
    return lines


def place_descriptions(labels: Labels) -> dict[tuple[str, str | None], str]:
    """What the generator put in each labelled column or object, to read an error against."""
    places: dict[tuple[str, str | None], str] = {}
    for c in labels.columns:
        holds = f"trap {c.kind}" if c.entity is None else f"{c.kind}, {c.naming} name"
        places[(c.asset, c.column)] = holds + (f", {c.fill:.0%} filled" if c.fill < 1 else "")
    for o in labels.objects:
        counts = Counter(span.entity for span in o.spans)
        places[(o.asset, None)] = ", ".join(f"{n} {e}" for e, n in sorted(counts.items())) or "no spans"
    return places


def error_lines(
    items: Sequence[Item],
    explain: Callable[[Item], str],
    places: Mapping[tuple[str, str | None], str],
    limit: int | None = None,
) -> list[str]:
    """One line per error: entity, asset, column, what the generator put there, and why."""
    shown = items if limit is None else items[:limit]
    lines = []
    for i in shown:
        where = f"`{i.asset}`" + (f" `{i.column}`" if i.column is not None else "")
        lines.append(f"- {i.entity} — {where} ({places.get((i.asset, i.column), 'not labelled')}): {explain(i)}")
    if limit is not None and len(items) > limit:
        lines.append(f"- … and {len(items) - limit} more (`make accuracy` prints them all)")
    return lines or ["- none"]


def presidio_fp_summary(items: Sequence[Item]) -> list[str]:
    """Presidio's false positives counted per entity type, with the first three places."""
    by_entity: dict[str, list[Item]] = defaultdict(list)
    for item in items:
        by_entity[item.entity].append(item)
    lines = []
    for entity, found in sorted(by_entity.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        examples = ", ".join(f"`{i.asset}`" + (f" `{i.column}`" if i.column else "") for i in found[:3])
        lines.append(f"- {entity}: {len(found)} (e.g. {examples})")
    return lines or ["- none"]


@dataclass(frozen=True)
class Report:
    """Everything the report shows."""

    labels: Labels
    scan: ScanOutcome
    columns: tuple[set[Item], Side, Side | None, Side | None]  # truth, ours, Presidio any score, Presidio >= 0.5
    objects: tuple[set[Item], Side, Side | None, Side | None]
    presidio: PresidioRun | None
    presidio_error: str | None
    explain_ours: OurEvidence
    timings: Mapping[str, float]
    sample: int
    text_lines: int


def render(report: Report, limit: int | None) -> str:
    """The report as markdown; ``limit`` caps the error lists (None lists every error)."""
    from bench.__main__ import machine

    labels, scan = report.labels, report.scan
    sensitive = [c for c in labels.columns if c.entity is not None]
    naming = Counter(c.naming for c in sensitive)
    sparse = sum(1 for c in sensitive if c.fill < 1)
    spans = sum(len(o.spans) for o in labels.objects)
    lines_total = sum(o.lines for o in labels.objects)
    tables = len({c.asset for c in labels.columns})
    statuses = Counter(a["status"] for a in scan.assets)
    presidio = report.presidio
    places = place_descriptions(labels)
    t = report.timings
    out = [
        "## Accuracy (`make accuracy`)",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `make accuracy` on {machine()}.",
        f"Python {platform.python_version()}, Spark {scan.spark_version} (local[{CORES}]), Faker {labels.faker_version}"
        + (f", presidio-analyzer {presidio.version} (no_op NLP engine)." if presidio else "."),
        f"Whole run {t['total']:.0f} s: generate {t['generate']:.0f} s, Spark start {scan.spark_seconds:.0f} s, "
        f"scan job {scan.scan_seconds:.0f} s" + (f", Presidio {t['presidio']:.0f} s." if presidio else "."),
        "",
        f"**Estate** (synthetic, generated; seed {labels.seed}): {tables} tables of {labels.rows:,} rows each "
        f"(CSV, gzip CSV, Parquet, JSON lines plain and gzip; two multi-file datasets) with {len(labels.columns)} "
        f"labelled columns: {len(sensitive)} sensitive ({naming['telling']} under telling names, "
        f"{naming['neutral']} under neutral names, {sparse} only 5 % filled) and "
        f"{len(labels.columns) - len(sensitive)} traps; {len(labels.objects)} free-text objects "
        f"({lines_total:,} lines, {spans} labelled spans). The scan job read every object "
        f"({', '.join(f'{n} {s}' for s, n in sorted(statuses.items()))}): {scan.rows_scanned:,} rows and lines, "
        f"{scan.values_scanned:,} values, with the shipped configuration and `--full-scan`; text analysis: "
        f"{scan.text_analysis}.",
        "",
    ]
    if presidio:
        out += [
            f"**Presidio baseline**: default recognizers, `AnalyzerEngine.analyze` per value, up to {report.sample} "
            f"non-empty values per column (an entity is assigned when >= 10 % of them have a result of it, at any "
            f"score: AWS Glue's rule) and up to {report.text_lines:,} lines per text object (positive on any "
            f"result). {presidio.values:,} values in {presidio.value_seconds:.1f} s = "
            f"**{presidio.values / presidio.value_seconds:,.0f} values/s** and {presidio.lines:,} lines in "
            f"{presidio.line_seconds:.1f} s = **{presidio.lines / presidio.line_seconds:,.0f} lines/s** on one "
            f"core (engine start {presidio.startup_seconds:.1f} s). Presidio types we do not have were left out: "
            + (", ".join(f"{e} {n}" for e, n in sorted(presidio.not_comparable.items())) or "none")
            + " (columns and objects).",
            "",
        ]
    else:
        out += [f"Presidio baseline unavailable: {report.presidio_error}", ""]
    out += [
        "Reading these figures: the estate shares its sources with the detectors' own development (PERSON's",
        "dictionary is Faker's name lists; the trap kinds are those the false-positive tests cover), so the",
        "column-level figures are an upper bound for real data. Under neutral column names, detectors that count",
        "only with context (docs/detectors.md) cannot report: those misses are by design. Names in free text come",
        "from NER (docs/nlp.md); the Presidio baseline runs its no_op engine, without NER, because spaCy per value",
        "is about six times slower still.",
    ]
    if presidio:
        out += [
            "Presidio without context words gives long numbers low-score results (US_BANK_NUMBER,",
            'US_DRIVER_LICENSE, US_PASSPORT); the "Presidio ≥ 0.5" figures read the same results with a score',
            'threshold. "both detect" restricts a figure to the entity types both tools can report.',
        ]
    out += [""]
    truth_c, ours_c, pres_c, strict_c = report.columns
    truth_o, ours_o, pres_o, strict_o = report.objects
    out += [
        "### Overall (micro-averaged)",
        "",
        *overall_table([("column", ours_c, pres_c, strict_c), ("object", ours_o, pres_o, strict_o)]),
        "",
        "### Column level, per entity type",
        "",
        *entity_table(truth_c, ours_c, pres_c, "columns"),
        "",
        "### Object level (free text), per entity type",
        "",
        *entity_table(truth_o, ours_o, pres_o, "objects"),
        "",
        "### Our errors",
        "",
        "Column-level false positives:",
        "",
        *error_lines(ours_c.evaluation.false_positives, report.explain_ours, places, limit),
        "",
        "Column-level false negatives:",
        "",
        *error_lines(ours_c.evaluation.false_negatives, report.explain_ours, places, limit),
        "",
        "Object-level false positives:",
        "",
        *error_lines(ours_o.evaluation.false_positives, report.explain_ours, places, limit),
        "",
        "Object-level false negatives:",
        "",
        *error_lines(ours_o.evaluation.false_negatives, report.explain_ours, places, limit),
        "",
    ]
    if presidio and pres_c and pres_o:
        missed_c = [i for i in pres_c.evaluation.false_negatives if i.entity in pres_c.emits]
        missed_o = [i for i in pres_o.evaluation.false_negatives if i.entity in pres_o.emits]
        out += [
            "### Presidio's errors (any score)",
            "",
            "False positives per entity type (columns and objects):",
            "",
            *presidio_fp_summary([*pres_c.evaluation.false_positives, *pres_o.evaluation.false_positives]),
            "",
            "False negatives on the types it detects:",
            "",
            *error_lines([*missed_c, *missed_o], presidio.evidence, places, limit),
            "",
        ]
    return "\n".join(out)


def write_block(path: Path, text: str) -> None:
    """Put ``text`` between the accuracy markers of ``path`` (appended when the markers are absent)."""
    document = path.read_text(encoding="utf-8") if path.exists() else ""
    path.write_text(replace_block(document, f"{BLOCK_START}\n{text.rstrip()}\n{BLOCK_END}"), encoding="utf-8")


# --------------------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Generate, scan, score, compare with Presidio, print, and write BENCHMARKS.md."""
    parser = argparse.ArgumentParser(prog="python -m bench.accuracy", description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS, help="rows per generated table")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--presidio-sample", type=int, default=200, help="values per column given to Presidio")
    parser.add_argument("--presidio-lines", type=int, default=2000, help="lines per text object given to Presidio")
    parser.add_argument("--no-presidio", action="store_true", help="skip the Presidio baseline")
    parser.add_argument("--workdir", type=Path, help="keep the estate, labels and tables here (default: temporary)")
    parser.add_argument("--master", default=f"local[{CORES}]")
    parser.add_argument("--output", type=Path, default=Path("BENCHMARKS.md"), help="file to write the block into")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    timings: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="piiscan-accuracy-") as temporary:
        work = (args.workdir or Path(temporary)).resolve()
        work.mkdir(parents=True, exist_ok=True)
        tick = time.perf_counter()
        labels = generate(work, seed=args.seed, rows=args.rows)
        timings["generate"] = time.perf_counter() - tick
        estate = (work / ESTATE_DIR).resolve()
        print(f"generated {estate} and {work / LABELS_FILE} in {timings['generate']:.1f}s", flush=True)

        tables = work / "tables"
        scan = scan_estate(estate, tables, args.master)
        print(f"scan job: {len(scan.findings)} findings in {scan.scan_seconds:.1f}s", flush=True)
        truth_columns, truth_objects = truth(labels)
        ours_columns, ours_objects = our_predictions(scan.findings, estate)
        ours_c = Side("ours", evaluate(truth_columns, ours_columns), scan.entity_types)
        ours_o = Side("ours", evaluate(truth_objects, ours_objects), scan.entity_types)
        unlabelled = sorted({i.asset for i in ours_columns | ours_objects} - {c.asset for c in labels.columns}
                            - {o.asset for o in labels.objects})  # fmt: skip
        if unlabelled:
            print(f"warning: findings under assets the labels do not name: {unlabelled}", file=sys.stderr)

        presidio: PresidioRun | None = None
        presidio_error: str | None = None
        sides: dict[str, Side | None] = {"pc": None, "pcs": None, "po": None, "pos": None}
        if args.no_presidio:
            presidio_error = "skipped (--no-presidio)"
        else:
            tick = time.perf_counter()
            try:
                presidio = run_presidio(
                    estate, labels, sample=args.presidio_sample, text_lines=args.presidio_lines, seed=args.seed
                )
            except PresidioUnavailable as exc:
                presidio_error = str(exc)
            timings["presidio"] = time.perf_counter() - tick
        if presidio_error:
            print(f"Presidio baseline unavailable: {presidio_error}", flush=True)
        if presidio:
            for key, predictions, threshold, truth_items in (
                ("pc", presidio.column_predictions, ANY_SCORE, truth_columns),
                ("pcs", presidio.column_predictions, STRICT_SCORE, truth_columns),
                ("po", presidio.object_predictions, ANY_SCORE, truth_objects),
                ("pos", presidio.object_predictions, STRICT_SCORE, truth_objects),
            ):
                sides[key] = Side("Presidio", evaluate(truth_items, predictions[threshold]), presidio.supported)
        timings["total"] = time.perf_counter() - started
        report = Report(
            labels=labels,
            scan=scan,
            columns=(truth_columns, ours_c, sides["pc"], sides["pcs"]),
            objects=(truth_objects, ours_o, sides["po"], sides["pos"]),
            presidio=presidio,
            presidio_error=presidio_error,
            explain_ours=OurEvidence(scan.findings, estate, labels),
            timings=timings,
            sample=args.presidio_sample,
            text_lines=args.presidio_lines,
        )
        print()
        print(render(report, limit=None))
        write_block(args.output, render(report, limit=LIST_LIMIT))
    print(f"wrote the accuracy block of {args.output}; whole run {timings['total']:.0f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
