"""The tag job's configuration (conf/tag.yaml), parsed once at the edge into frozen, validated dataclasses."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from classifiers.errors import ConfigError
from jobs.catalog_tags import CatalogTagging
from jobs.cli import read_yaml
from jobs.resources import shipped
from jobs.review import ReviewSettings

DEFAULT_TAG_CONFIG = shipped("conf/tag.yaml")
MAX_TAGS_PER_OBJECT = 10
MAX_TAGS_PER_BUCKET = 50
MAX_KEY_CHARS = 128
MAX_VALUE_CHARS = 256
# The documented tag alphabet: letters, digits, spaces and + - = . _ : / @ (the 'aws:' key prefix is reserved).
ALLOWED_TAG_TEXT = re.compile(r"^[\w +\-=._:/@]*$")
TAG_NAMES = ("sensitivity", "categories", "frameworks", "scan_date")
_SECTIONS = {"prefix", "keys", "value_separator", "categories", "review", "buckets", "apply", "batch", "catalog"}


def tag_text_problem(text: str, limit: int, what: str) -> str | None:
    """Why ``text`` cannot be a tag key or value (``what``), or None when it can."""
    if len(text) > limit:
        return f"{what} {text[:40]!r}... is {len(text)} characters (S3 allows {limit})"
    if not ALLOWED_TAG_TEXT.match(text) or "\n" in text or "\t" in text:
        return f"{what} {text!r} has characters outside letters, digits, spaces and + - = . _ : / @"
    if what.startswith("key") and text.lower().startswith("aws:"):
        return f"{what} {text!r} uses the reserved 'aws:' prefix"
    return None


@dataclass(frozen=True)
class ApplySettings:
    """How writes are spread and retried."""

    tasks: int = 0  # Spark tasks applying tags; 0: the session's default parallelism
    max_concurrent_requests: int = 8  # S3 calls in flight per task
    max_attempts: int = 8  # per write, including the first
    base_delay_seconds: float = 0.2  # exponential backoff: base * 2 ** (attempt - 1), full jitter, capped
    max_delay_seconds: float = 20.0
    commit_every: int = 10_000  # objects whose results are committed together (what a resume can skip)

    def __post_init__(self) -> None:
        for name in ("max_concurrent_requests", "max_attempts", "commit_every"):
            _positive_int(f"apply.{name}", getattr(self, name))
        if not isinstance(self.tasks, int) or isinstance(self.tasks, bool) or self.tasks < 0:
            raise ConfigError(f"apply.tasks must be 0 (default parallelism) or a positive integer, got {self.tasks!r}")
        for name in ("base_delay_seconds", "max_delay_seconds"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
                raise ConfigError(f"apply.{name} must be a non-negative number, got {value!r}")


@dataclass(frozen=True)
class BatchSettings:
    """What goes into the S3 Batch Operations job definitions written by --batch-manifests."""

    account_id: str = "REPLACE_WITH_ACCOUNT_ID"
    role_arn: str = "REPLACE_WITH_BATCH_OPERATIONS_ROLE_ARN"
    report_bucket_arn: str | None = None  # completion reports; None: no report
    report_prefix: str = "piiscan-batch-reports"
    priority: int = 10
    confirmation_required: bool = True


@dataclass(frozen=True)
class TagConfig:
    """The tag vocabulary, which findings are applied, and how writes run."""

    prefix: str = "piiscan:"
    keys: Mapping[str, str | None] = field(
        default_factory=lambda: {
            "sensitivity": "sensitivity",
            "categories": "categories",
            "frameworks": "frameworks",
            "scan_date": "scan-date",
        }
    )
    value_separator: str = "+"
    categories: Mapping[str, str] = field(default_factory=dict)  # entity type -> category; unmapped: its own name
    review: ReviewSettings = field(default_factory=ReviewSettings)  # what is queued instead of applied
    bucket_key: str | None = "max-sensitivity"  # None: no bucket tags
    apply: ApplySettings = field(default_factory=ApplySettings)
    batch: BatchSettings = field(default_factory=BatchSettings)
    catalog: CatalogTagging = field(default_factory=CatalogTagging)

    def key(self, name: str) -> str | None:
        """The full tag key of vocabulary entry ``name`` (prefix included), or None when it is turned off."""
        suffix = self.keys.get(name)
        return None if suffix is None else f"{self.prefix}{suffix}"

    def category(self, entity_type: str) -> str:
        """The category an entity type is tagged as."""
        return self.categories.get(entity_type, entity_type)


def load_tag_config(path: str | Path | None = None) -> TagConfig:
    """Read and validate conf/tag.yaml (or ``path``); raises ConfigError naming the bad setting."""
    target = Path(path) if path is not None else DEFAULT_TAG_CONFIG
    raw = read_yaml(target, "tag configuration")
    return parse_tag_config(raw)


def parse_tag_config(raw: Any) -> TagConfig:
    """Validate the parsed YAML of a tag configuration."""
    if not isinstance(raw, Mapping):
        raise ConfigError(f"the tag configuration must be a mapping, got {type(raw).__name__}")
    unknown = sorted(set(raw) - _SECTIONS)
    if unknown:
        raise ConfigError(f"unknown tag configuration section(s) {unknown}; valid sections are {sorted(_SECTIONS)}")
    prefix = raw.get("prefix", "piiscan:")
    if not isinstance(prefix, str) or not prefix or tag_text_problem(prefix, 64, "key prefix"):
        raise ConfigError(f"prefix must be a non-empty tag key prefix of at most 64 allowed characters, got {prefix!r}")
    separator = raw.get("value_separator", "+")
    if not isinstance(separator, str) or len(separator) != 1 or tag_text_problem(separator, 1, "value"):
        raise ConfigError(f"value_separator must be one of + - = . _ : / @ or a space, got {separator!r}")
    keys = _keys(raw.get("keys") or {}, prefix)
    categories = _categories(raw.get("categories") or {})
    review = ReviewSettings.from_mapping(raw.get("review") or {})
    buckets = _mapping(raw.get("buckets") or {}, "buckets")
    bucket_key = buckets.get("key", "max-sensitivity") if buckets.get("enabled", True) else None
    if bucket_key is not None and (
        not isinstance(bucket_key, str) or tag_text_problem(prefix + bucket_key, 128, "key")
    ):
        raise ConfigError(f"buckets.key must be a short tag key, got {bucket_key!r}")
    catalog = CatalogTagging.from_section(raw.get("catalog"))
    try:
        apply = ApplySettings(**_mapping(raw.get("apply") or {}, "apply"))
        batch = BatchSettings(**_mapping(raw.get("batch") or {}, "batch"))
    except TypeError as exc:
        raise ConfigError(f"unknown setting in apply or batch: {exc}") from exc
    return TagConfig(
        prefix=prefix,
        keys=keys,
        value_separator=separator,
        categories=categories,
        review=review,
        bucket_key=bucket_key,
        apply=apply,
        batch=batch,
        catalog=catalog,
    )


def _keys(raw: Any, prefix: str) -> dict[str, str | None]:
    keys = _mapping(raw, "keys")
    unknown = sorted(set(keys) - set(TAG_NAMES))
    if unknown:
        raise ConfigError(f"unknown tag name(s) {unknown} in keys; valid names are {list(TAG_NAMES)}")
    defaults = TagConfig().keys
    result: dict[str, str | None] = {}
    for name in TAG_NAMES:
        suffix = keys.get(name, defaults[name])
        if suffix is not None:
            if not isinstance(suffix, str) or not suffix:
                raise ConfigError(f"keys.{name} must be a tag key (without the prefix) or null, got {suffix!r}")
            problem = tag_text_problem(prefix + suffix, MAX_KEY_CHARS, "key")
            if problem:
                raise ConfigError(f"keys.{name}: {problem}")
        result[name] = suffix
    return result


def _categories(raw: Any) -> dict[str, str]:
    groups = _mapping(raw, "categories")
    result: dict[str, str] = {}
    for category, entities in groups.items():
        problem = tag_text_problem(str(category), 64, "category")
        if problem or not isinstance(entities, list) or not all(isinstance(e, str) for e in entities):
            raise ConfigError(f"categories.{category} must be a list of entity types under a short name ({problem})")
        for entity in entities:
            if entity in result:
                raise ConfigError(f"entity type {entity!r} is in two categories: {result[entity]!r} and {category!r}")
            result[entity] = str(category)
    return result


def _mapping(raw: Any, name: str) -> Mapping[str, Any]:
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{name} must be a mapping, got {raw!r}")
    return raw


def _positive_int(name: str, value: Any) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ConfigError(f"{name} must be a positive integer, got {value!r}")
