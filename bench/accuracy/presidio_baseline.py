"""The baseline: Presidio's default recognizers, offline, on the same labelled estate.

Presidio runs the way teams commonly wire it into a catalogue: ``AnalyzerEngine.analyze`` called once per
value, with the ``no_op`` NLP engine (no spaCy model, so no NER and no context words; see
/work/shared/reference/feasibility.md, section 4.2) and Presidio's default recognizer registry.

- Columns: up to ``sample`` non-empty values per column, drawn with a seeded ``random.Random`` from all the
  column's non-empty values (for a 5 % filled column this gives Presidio more values than a row sample
  would). An entity is assigned to a column the way AWS Glue's classifier does it: when at least 10 % of
  the sampled values have a result of that entity, at any score.
- Text objects: every line up to ``text_lines`` per object; an object is positive for an entity when any
  line has a result of that entity, at any score.

Presidio entity names are mapped to ours where they mean the same thing (they are spelt the same: our
names follow Presidio's). Presidio results of types we do not have (``DATE_TIME``, ``URL``, ``UUID``,
``CRYPTO``, ``MEDICAL_LICENSE``) are not comparable; they are counted and reported, not scored. The values
are read here with the standard readers (csv, pyarrow, json), independently of the scan job.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import logging
import os
import random
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from bench.accuracy.generator import Labels
from bench.accuracy.metrics import Item, column_decision

__all__ = [
    "ANY_SCORE",
    "PRESIDIO_TO_OURS",
    "STRICT_SCORE",
    "PresidioRun",
    "PresidioUnavailable",
    "read_columns",
    "run_presidio",
]

ANY_SCORE = 0.0
STRICT_SCORE = 0.5  # a stricter reading of the same results, reported in the overall figures only
GLUE_SHARE = 0.10

PRESIDIO_TO_OURS: Mapping[str, str] = {
    name: name
    for name in (
        "CREDIT_CARD",
        "EMAIL_ADDRESS",
        "PHONE_NUMBER",
        "IBAN_CODE",
        "IP_ADDRESS",
        "MAC_ADDRESS",
        "US_SSN",
        "US_ITIN",
        "US_BANK_NUMBER",
        "US_DRIVER_LICENSE",
        "US_PASSPORT",
        "UK_NHS",
        "UK_NINO",
        "ABA_ROUTING_NUMBER",
        "ES_NIF",
        "ES_NIE",
        "IT_FISCAL_CODE",
        "PL_PESEL",
        "SG_NRIC_FIN",
        "AU_TFN",
        "AU_MEDICARE",
        "IN_AADHAAR",
        "IN_PAN",
        "PERSON",
    )
}
"""Presidio entity -> ours. Only those the loaded registry supports are ever emitted (the default registry
with the no_op engine has no country recognizers besides US and UK NHS, and no PERSON without NER)."""


class PresidioUnavailable(RuntimeError):
    """Presidio could not be imported or started; the message says why."""


@dataclass
class ScoreTally:
    """What Presidio found in one column's sample or one text object's lines: per value, the best score per
    Presidio entity."""

    results: list[dict[str, float]] = field(default_factory=list)

    def entities(self, min_score: float) -> list[set[str]]:
        """Per value, the Presidio entities with a result of at least ``min_score``."""
        return [{e for e, score in result.items() if score >= min_score} for result in self.results]

    def describe(self, presidio_entity: str, unit: str = "values") -> str:
        """Evidence for one entity, e.g. ``34/200 values (17 %) with a result, max score 0.05``."""
        scores = [r[presidio_entity] for r in self.results if presidio_entity in r]
        if not scores:
            return f"no result in {len(self.results)} {unit}"
        share = len(scores) / len(self.results)
        return f"{len(scores)}/{len(self.results)} {unit} ({share:.0%}) with a result, max score {max(scores):.2f}"


@dataclass
class PresidioRun:
    """Presidio's predictions at column and object level, with the evidence and the time it took."""

    version: str
    supported: frozenset[str]  # our entity types Presidio's loaded registry can emit
    column_predictions: dict[float, set[Item]]  # by minimum score: ANY_SCORE and STRICT_SCORE
    object_predictions: dict[float, set[Item]]
    column_tallies: dict[tuple[str, str], ScoreTally]
    object_tallies: dict[str, ScoreTally]
    not_comparable: Counter[str]  # unmapped Presidio entity -> columns/objects it would have been assigned to
    values: int
    value_seconds: float
    lines: int
    line_seconds: float
    startup_seconds: float

    def evidence(self, item: Item) -> str:
        """Why Presidio did or did not report ``item``, for the lists of errors."""
        if item.entity not in self.supported:
            return "not a type of Presidio's default recognizers"
        presidio = next((p for p, ours in PRESIDIO_TO_OURS.items() if ours == item.entity), item.entity)
        if item.column is None:
            tally = self.object_tallies.get(item.asset)
            return tally.describe(presidio, "lines") if tally else "object not read"
        column_tally = self.column_tallies.get((item.asset, item.column))
        return column_tally.describe(presidio) if column_tally else "column not read"


def _engine() -> tuple[Any, str, float]:
    """Presidio's AnalyzerEngine with the no_op NLP engine, its version, and the seconds it took to start."""
    # tldextract (used by the e-mail recognizer) fetches the public suffix list at import unless told not to.
    os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
    start = time.perf_counter()
    try:
        from presidio_analyzer import AnalyzerEngine
        from presidio_analyzer.nlp_engine import NlpEngineProvider
    except Exception as exc:  # any import failure means the same thing: no baseline
        raise PresidioUnavailable(f"cannot import presidio_analyzer ({type(exc).__name__}: {exc})") from exc
    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)
    try:
        nlp = NlpEngineProvider(
            nlp_configuration={"nlp_engine_name": "no_op", "models": [{"lang_code": "en", "model_name": "no_op"}]}
        ).create_engine()
        engine = AnalyzerEngine(nlp_engine=nlp, supported_languages=["en"])
        engine.analyze(text="warm-up jane.doe@example.com", language="en")  # loads tldextract and phonenumbers
    except Exception as exc:  # a Presidio without the no_op engine is as good as none
        raise PresidioUnavailable(f"cannot start Presidio's no_op engine ({type(exc).__name__}: {exc})") from exc
    return engine, version("presidio-analyzer"), time.perf_counter() - start


def _flatten(record: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            yield from _flatten(value, f"{name}.")
        else:
            yield name, value


def _text(path: Path) -> str:
    data = path.read_bytes()
    return (gzip.decompress(data) if path.name.endswith(".gz") else data).decode("utf-8")


def _read_file(path: Path) -> Iterator[tuple[str, Any]]:
    name = path.name.removesuffix(".gz")
    if name.endswith(".parquet"):
        for column, values in pq.read_table(path).to_pydict().items():
            for value in values:
                yield column, value
    elif name.endswith(".csv"):
        for row in csv.DictReader(io.StringIO(_text(path))):
            yield from row.items()
    elif name.endswith(".jsonl"):
        for line in _text(path).splitlines():
            if line.strip():
                yield from _flatten(json.loads(line))
    else:
        raise ValueError(f"not a table: {path}")


def read_columns(estate: Path, asset: str) -> dict[str, list[str]]:
    """The non-empty values of every column of a structured asset (a file, or a dataset folder's files)."""
    target = estate / asset
    files = sorted(p for p in target.rglob("*") if p.is_file()) if asset.endswith("/") else [target]
    columns: dict[str, list[str]] = {}
    for path in files:
        for column, value in _read_file(path):
            values = columns.setdefault(column, [])
            if value is not None and str(value) != "":
                values.append(str(value))
    return columns


def run_presidio(
    estate: Path, labels: Labels, *, sample: int = 200, text_lines: int = 2000, seed: int = 0
) -> PresidioRun:
    """Analyze the labelled estate under ``estate`` with Presidio; raise PresidioUnavailable without it."""
    engine, presidio_version, startup = _engine()
    supported = frozenset(
        PRESIDIO_TO_OURS[e] for e in engine.get_supported_entities(language="en") if e in PRESIDIO_TO_OURS
    )
    # PERSON is "supported" by the registry but never emitted without an NER model.
    supported = supported - {"PERSON"}
    rng = random.Random(seed)

    def analyze(text: str) -> dict[str, float]:
        best: dict[str, float] = {}
        for result in engine.analyze(text=text, language="en"):
            best[result.entity_type] = max(result.score, best.get(result.entity_type, 0.0))
        return best

    column_tallies: dict[tuple[str, str], ScoreTally] = {}
    values = 0
    value_seconds = 0.0
    for asset in sorted({c.asset for c in labels.columns}):
        for column, column_values in sorted(read_columns(estate, asset).items()):
            chosen = rng.sample(column_values, min(sample, len(column_values)))
            tally = column_tallies[(asset, column)] = ScoreTally()
            start = time.perf_counter()
            tally.results.extend(analyze(value) for value in chosen)
            value_seconds += time.perf_counter() - start
            values += len(chosen)

    object_tallies: dict[str, ScoreTally] = {}
    lines = 0
    line_seconds = 0.0
    for label in sorted(labels.objects, key=lambda o: o.asset):
        chosen_lines = _text(estate / label.asset).splitlines()[:text_lines]
        tally = object_tallies[label.asset] = ScoreTally()
        start = time.perf_counter()
        tally.results.extend(analyze(line) for line in chosen_lines)
        line_seconds += time.perf_counter() - start
        lines += len(chosen_lines)

    not_comparable: Counter[str] = Counter()
    column_predictions: dict[float, set[Item]] = {ANY_SCORE: set(), STRICT_SCORE: set()}
    object_predictions: dict[float, set[Item]] = {ANY_SCORE: set(), STRICT_SCORE: set()}
    for threshold in (ANY_SCORE, STRICT_SCORE):
        decided: list[tuple[str, str | None, set[str]]] = [
            (asset, name, column_decision(tally.entities(threshold), GLUE_SHARE))
            for (asset, name), tally in column_tallies.items()
        ]
        decided += [(asset, None, set().union(*tally.entities(threshold))) for asset, tally in object_tallies.items()]
        for asset, place, entities in decided:
            for entity in entities:
                if entity in PRESIDIO_TO_OURS:
                    target = column_predictions if place is not None else object_predictions
                    target[threshold].add(Item(asset, place, PRESIDIO_TO_OURS[entity]))
                elif threshold == ANY_SCORE:
                    not_comparable[entity] += 1
    return PresidioRun(
        version=presidio_version,
        supported=supported,
        column_predictions=column_predictions,
        object_predictions=object_predictions,
        column_tallies=column_tallies,
        object_tallies=object_tallies,
        not_comparable=not_comparable,
        values=values,
        value_seconds=value_seconds,
        lines=lines,
        line_seconds=line_seconds,
        startup_seconds=startup,
    )
