"""The way most teams scan today: Presidio's default recognizers called once per value in a Spark Python UDF.

The values are a sample of the mixed estate's data (bench/mixed_estate.py: every column of its tables and its
log lines, as strings), so the rate can be extrapolated to the estate the full scan reads. Presidio runs with
its default recognizer registry; with a spaCy model when one is installed (NER, as Presidio's default
AnalyzerEngine has), and without (the ``no_op`` NLP engine: pattern recognizers only). Nothing is downloaded.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import Any

import pyarrow as pa
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from bench.engine_bench import Measurement, _timed
from bench.mixed_estate import log_lines, table
from classifiers.engine import as_strings

_ENGINES: dict[str | None, Any] = {}


def sample_values(count: int, seed: int = 5) -> list[str]:
    """``count`` non-empty values: the mixed estate's columns and log lines in the proportions it holds them."""
    per_table = max(1, count * 11 // 12 // 11)
    data = table(per_table, seed)
    values: list[str] = []
    for name in data.column_names:
        values.extend(v for v in as_strings(data.column(name).combine_chunks()).to_pylist() if v)
    lines: pa.Array = log_lines(max(1, count - len(values)), seed)
    values.extend(lines.to_pylist())
    return values[:count]


def _analyzer(model: str | None) -> Any:
    """A per-process AnalyzerEngine with the default registry (built on first use in each Python worker)."""
    engine = _ENGINES.get(model)
    if engine is None:
        os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""  # never fetch the public suffix list
        from presidio_analyzer import AnalyzerEngine
        from presidio_analyzer.nlp_engine import NlpEngineProvider

        logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)
        name, engine_name = (model, "spacy") if model else ("no_op", "no_op")
        nlp = NlpEngineProvider(
            nlp_configuration={"nlp_engine_name": engine_name, "models": [{"lang_code": "en", "model_name": name}]}
        ).create_engine()
        engine = _ENGINES[model] = AnalyzerEngine(nlp_engine=nlp, supported_languages=["en"])
    return engine


def _udf(model: str | None) -> Callable[..., Any]:
    def analyze(value: str) -> list[str]:
        return sorted({r.entity_type for r in _analyzer(model).analyze(text=value, language="en")})

    return F.udf(analyze, "array<string>")


def presidio_per_value(
    spark: SparkSession, values: list[str], model: str | None, runs: int, cores: int
) -> tuple[Measurement, int]:
    """Time the UDF over ``values`` on ``cores`` partitions; returns the measurement and the values it flagged."""
    frame = spark.createDataFrame([(v,) for v in values], "value string").repartition(cores).cache()
    frame.count()
    analyze = _udf(model)
    warm = spark.createDataFrame([("warm-up jane.doe@example.com",)] * (cores * 4), "value string")
    warm.repartition(cores).select(analyze("value")).collect()  # each Python worker builds its engine once

    flagged: list[int] = []

    def run() -> None:
        flagged.append(int(frame.select(analyze("value").alias("found")).where(F.size("found") > 0).count()))

    seconds = _timed(runs, run)
    frame.unpersist()
    label = f"Presidio per value, spaCy model {model}" if model else "Presidio per value, no NLP model (no_op)"
    return Measurement(label, len(values), seconds), flagged[-1]
