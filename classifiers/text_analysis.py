"""Presidio and NER for free text: built once per worker process, offline, and only where it adds value.

The vectorized engine finds the identifiers; Presidio then looks again at a bounded number of free-text
values (lines of text objects, cells of prose columns): those where the engine accepted a match of an
entity type Presidio also knows (its score, context-enhanced when a spaCy model gives it lemmas, becomes
evidence that raises or lowers the finding's confidence), and those a cheap vectorized prescreen marks as
likely to hold a person's name or a place (for NER: PERSON and LOCATION).

Nothing is ever downloaded. Presidio's spaCy engine downloads a model it cannot find, so a model is only
handed to it when it is an installed package or an existing directory; otherwise NER is off for the run
and the reason is recorded (``describe``). Presidio's e-mail recognizer would fetch the public suffix list
on first use; ``TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS`` is emptied before it is imported so it uses the copy
it ships.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from classifiers.arrow_buffers import offsets_and_data
from classifiers.errors import ConfigError
from classifiers.names import PUNCTUATION, NameDictionary
from classifiers.settings import reject_unknown

LOG = logging.getLogger(__name__)

# Our entity type -> the Presidio entity that recognises the same thing (for Presidio's score as evidence).
PRESIDIO_ENTITIES: Mapping[str, str] = {
    "CREDIT_CARD": "CREDIT_CARD",
    "CRYPTO_WALLET": "CRYPTO",
    "EMAIL_ADDRESS": "EMAIL_ADDRESS",
    "IBAN_CODE": "IBAN_CODE",
    "IP_ADDRESS": "IP_ADDRESS",
    "MAC_ADDRESS": "MAC_ADDRESS",
    "PHONE_NUMBER": "PHONE_NUMBER",
    "UK_NHS": "UK_NHS",
    "US_BANK_NUMBER": "US_BANK_NUMBER",
    "US_DRIVER_LICENSE": "US_DRIVER_LICENSE",
    "US_ITIN": "US_ITIN",
    "US_PASSPORT": "US_PASSPORT",
    "US_SSN": "US_SSN",
}
NER_ENTITIES = ("PERSON", "LOCATION")  # what the spaCy recognizer adds; detectors opt in with ``ner_entity``

_KEYS = {"enabled", "nlp_model", "language", "max_values"}
_NAME_PARTICLES = frozenset({"van", "von", "der", "den", "de", "la", "le", "da", "di", "del", "dos", "du", "y"})
_PLACE_BEFORE = re.compile(r"\b(?:near|in)\s+$", re.IGNORECASE)

# A place after a word that introduces one ("moved to Berlin", "based in São Paulo"); RE2 syntax.
_PLACE_CUE = r"(?i:\b(?:in|from|to|at|near|lives?|lived|moved|based|born|city|town|address)\b)[ ,:]+\p{Lu}\p{Ll}"


@dataclass(frozen=True)
class TextAnalysisSettings:
    """The ``presidio`` section of the configuration.

    Attributes:
        enabled: Run Presidio on free text at all (it is skipped, and the run says so, when not installed).
        nlp_model: spaCy model for NER and context lemmas: an installed package name or a directory.
            None, or a model that is not installed, turns NER off (recorded on the run).
        language: Language code the model and Presidio's recognizers are used for.
        max_values: Free-text values Presidio analyses per column or text object in each Spark task.

    """

    enabled: bool = True
    nlp_model: str | None = "en_core_web_sm"
    language: str = "en"
    max_values: int = 500

    @classmethod
    def parse(cls, raw: Mapping[str, Any] | None) -> TextAnalysisSettings:
        """Parse the ``presidio`` section; unknown keys and bad values fail fast naming the key."""
        raw = raw or {}
        if not isinstance(raw, Mapping):
            raise ConfigError(f"'presidio' must be a mapping, got {type(raw).__name__}")
        reject_unknown("presidio", raw, _KEYS)
        settings = cls(**raw)
        if not isinstance(settings.enabled, bool):
            raise ConfigError(f"presidio.enabled must be true or false, got {settings.enabled!r}")
        if settings.nlp_model is not None and (not isinstance(settings.nlp_model, str) or not settings.nlp_model):
            raise ConfigError(f"presidio.nlp_model must be a package name, a directory or null, got {raw!r}")
        if not isinstance(settings.max_values, int) or settings.max_values < 0:
            raise ConfigError(f"presidio.max_values must be a whole number >= 0, got {settings.max_values!r}")
        return settings


@dataclass(frozen=True)
class Span:
    """One Presidio result: Presidio's entity type, where it is in the text, and its score."""

    entity_type: str
    start: int
    end: int
    score: float


class TextAnalyzer:
    """Presidio's AnalyzerEngine, with what it was built with (``status``) and whether NER is on."""

    def __init__(self, engine: Any, status: str, ner: bool, language: str) -> None:
        """Wrap a built AnalyzerEngine; use ``text_analyzer()`` to get the per-process instance."""
        from presidio_analyzer import BatchAnalyzerEngine

        self._batch = BatchAnalyzerEngine(engine)
        self.status = status
        self.ner = ner
        self.language = language

    def analyze(self, texts: Sequence[str], entities: Sequence[str]) -> list[list[Span]]:
        """Presidio's results for each text, restricted to ``entities`` (Presidio entity names)."""
        if not texts or not entities:
            return [[] for _ in texts]
        results = self._batch.analyze_iterator(list(texts), self.language, batch_size=64, entities=list(entities))
        return [[Span(r.entity_type, r.start, r.end, float(r.score)) for r in found] for found in results]


def describe(settings: TextAnalysisSettings) -> str:
    """What Presidio and NER will do in a run with these settings, without loading anything heavy."""
    if not settings.enabled:
        return "Presidio off: disabled in the configuration (presidio.enabled: false)"
    try:
        version = metadata.version("presidio-analyzer")
    except metadata.PackageNotFoundError:
        return "Presidio off: presidio-analyzer is not installed (pip install 'piiscan[nlp]'); NER off"
    model, reason = _installed_model(settings.nlp_model)
    if model is None:
        return f"Presidio {version}; NER off: {reason}"
    return f"Presidio {version}; NER on: spaCy model {model} ({reason})"


@lru_cache(maxsize=4)
def text_analyzer(settings: TextAnalysisSettings) -> TextAnalyzer | None:
    """The process's TextAnalyzer for these settings (built on first use), or None when Presidio is off."""
    status = describe(settings)
    if status.startswith("Presidio off"):
        return None
    os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""  # before tldextract is imported: never fetch
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    model, _ = _installed_model(settings.nlp_model)
    if model is None:
        configuration: dict[str, Any] = {
            "nlp_engine_name": "no_op",
            "models": [{"lang_code": settings.language, "model_name": "no_op"}],
        }
    else:
        configuration = {
            "nlp_engine_name": "spacy",
            "models": [{"lang_code": settings.language, "model_name": model}],
        }
    nlp_engine = NlpEngineProvider(nlp_configuration=configuration).create_engine()
    engine = AnalyzerEngine(nlp_engine=nlp_engine, supported_languages=[settings.language])
    LOG.info("text analysis: %s", status)
    return TextAnalyzer(engine, status, ner=model is not None, language=settings.language)


def first_installed_model(names: Sequence[str]) -> str | None:
    """The first of ``names`` that is an installed spaCy model package or a model directory, else None."""
    return next((name for name in names if _installed_model(name)[0] is not None), None)


def _installed_model(name: str | None) -> tuple[str | None, str]:
    """``(model, note)``: the model to load when it is installed (never downloaded), else None and why not."""
    if name is None:
        return None, "no spaCy model configured (presidio.nlp_model)"
    # Without importing spaCy (most of a second in every Spark worker) when the model is missing anyway; the
    # package test is spacy.util.is_package's own.
    if importlib.util.find_spec("spacy") is None:
        return None, "spaCy is not installed"
    if Path(name).is_dir():
        return name, "directory"
    try:
        metadata.distribution(name)
    except metadata.PackageNotFoundError:
        pass
    else:
        return name, f"package {metadata.version(name.replace('_', '-'))}"
    return None, f"spaCy model {name!r} is not installed (see docs/nlp.md; it is never downloaded)"


def ner_candidates(strings: pa.Array, names: NameDictionary) -> np.ndarray:
    """Rows worth NER: a capitalised word that is a known first or last name, or a cue word before a place.

    NER PERSON spans must hold a known name anyway (``is_known_name``), so this prescreen loses no accepted
    name; it keeps spaCy, a thousand times slower than the regex pass, off most lines of logs and data.
    """
    words = pc.split_pattern_regex(strings, r"[^\p{L}'\-]+")
    flat = pc.list_flatten(words)
    parents = pc.list_parent_indices(words).to_numpy(zero_copy_only=False)
    capitalised = pc.utf8_is_title(flat)
    known = pc.and_(capitalised, pc.is_in(pc.utf8_lower(flat), value_set=names.any))
    rows = np.zeros(len(strings), dtype=bool)
    rows[parents[known.to_numpy(zero_copy_only=False)]] = True
    rows |= pc.match_substring_regex(strings, _PLACE_CUE).to_numpy(zero_copy_only=False)
    return np.flatnonzero(rows)


def reads_as_place(text: str, start: int) -> bool:
    """True when the words just before ``start`` introduce a place ("near Bernard", "in Roth"), not a person.

    Many towns carry a person's name; NER tags "I live near Bernard" as PERSON.
    """
    return _PLACE_BEFORE.search(text, max(0, start - 12), start) is not None


def is_known_name(span: str, names: NameDictionary) -> bool:
    """True when an NER PERSON span reads as a full name: the check NER spans must pass.

    spaCy's small model also calls "Zie" (Dutch for "see"), "Gateway Service", a sentence-initial "Glass" or
    "Law Mrs" a person. A span counts when it has two or more words, each capitalised (name particles such as
    "van" or "de" aside), and one of them (or the first part of a hyphenated one) is a known first name. A lone
    first name in prose is weak evidence and rarely identifies anyone; it is left out.
    """
    words = [word.strip(PUNCTUATION) for word in span.split()]
    words = [word for word in words if word]
    if len(words) < 2 or any(not w[:1].isupper() and w.lower() not in _NAME_PARTICLES for w in words):
        return False
    firsts = [word.split("-")[0].lower() for word in words if word[:1].isupper()]
    return bool(pc.any(pc.is_in(pa.array(firsts, pa.string()), value_set=names.first)).as_py())


def is_prose(strings: pa.Array) -> bool:
    """True for a column of free text (comments, notes): values average 40+ characters and 5+ spaces."""
    if len(strings) == 0:
        return False
    # Characters never outnumber UTF-8 bytes: a column that averages fewer than 40 bytes (most of them) is no prose.
    if _mean_bytes(strings) < 40:
        return False
    mean_length = pc.mean(pc.utf8_length(strings)).as_py() or 0.0
    mean_spaces = pc.mean(pc.count_substring(strings, " ")).as_py() or 0.0
    return bool(mean_length >= 40 and mean_spaces >= 5)


def _mean_bytes(strings: pa.Array) -> float:
    """The mean UTF-8 length of the non-null values, read off the offsets (bytes under a null can only raise it)."""
    offsets, _ = offsets_and_data(strings)
    valid = len(strings) - strings.null_count
    return float(offsets[-1] - offsets[0]) / valid if valid else 0.0
