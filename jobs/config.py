"""The scan job's configuration: the YAML in conf/ parsed once, at the edge, into frozen dataclasses."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from classifiers.config import DetectionConfig, parse_detection
from classifiers.errors import ConfigError
from jobs.accounts import Accounts, parse_accounts
from jobs.cli import read_yaml
from jobs.discovery import Filters
from jobs.events import EventSettings
from jobs.fingerprint_key import FingerprintSettings
from jobs.inventory import Inventory
from jobs.metrics import MetricSettings
from jobs.resources import shipped
from jobs.unload import read_options

DEFAULT_CONFIG = shipped("conf/scan.yaml")  # in the checkout, or inside the installed wheel
_SECTIONS = {
    "detectors",
    "custom_identifiers",
    "allow_list",
    "scoring",
    "presidio",
    "sampling",
    "read",
    "unload",
    "jdbc",
    "filters",
    "inventory",
    "events",
    "metrics",
    "accounts",
    "fingerprints",
}


@dataclass(frozen=True)
class Sampling:
    """How much of each object and dataset is read; ``full_scan`` lifts every limit."""

    full_scan: bool = False
    rows_per_object: int = 10_000
    bytes_per_object: int = 64 * 1024 * 1024
    objects_per_dataset: int = 20
    row_groups_per_object: int = 4
    rows_per_row_group: int | None = None  # None: rows_per_object shared among the row groups read

    def __post_init__(self) -> None:
        if not isinstance(self.full_scan, bool):
            raise ConfigError(f"sampling.full_scan must be true or false, got {self.full_scan!r}")
        for name in ("rows_per_object", "bytes_per_object", "objects_per_dataset", "row_groups_per_object"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ConfigError(f"sampling.{name} must be a positive integer, got {value!r}")
        value = self.rows_per_row_group
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
            raise ConfigError(f"sampling.rows_per_row_group must be a positive integer or null, got {value!r}")

    def describe(self) -> str:
        """The sampling recorded on every finding, e.g. ``full`` or ``rows_per_object=10000;...``."""
        if self.full_scan:
            return "full"
        per_group = f";rows_per_row_group={self.rows_per_row_group}" if self.rows_per_row_group else ""
        return (
            f"rows_per_object={self.rows_per_object};bytes_per_object={self.bytes_per_object};"
            f"objects_per_dataset={self.objects_per_dataset};row_groups_per_object={self.row_groups_per_object}"
            f"{per_group}"
        )


@dataclass(frozen=True)
class Reading:
    """Batching of the read path."""

    batch_rows: int = 65536
    max_objects_per_task: int = 16

    def __post_init__(self) -> None:
        for name in ("batch_rows", "max_objects_per_task"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ConfigError(f"read.{name} must be a positive integer, got {value!r}")


@dataclass(frozen=True)
class Unload:
    """How Redshift UNLOAD text output was written (UNLOAD's own option names); None: sniffed per file.

    ``columns`` names the columns of UNLOAD prefixes written without MANIFEST VERBOSE or HEADER
    (``{"s3://bucket/unload/venue_": ["venueid", "venuename"]}``); without them, columns are named by position.
    """

    delimiter: str | None = None
    escape: bool | None = None
    addquotes: bool | None = None
    header: bool | None = None
    null_as: str = ""
    columns: Mapping[str, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.delimiter is not None and (not isinstance(self.delimiter, str) or len(self.delimiter) != 1):
            raise ConfigError(f"unload.delimiter must be one character or null, got {self.delimiter!r}")
        for name in ("escape", "addquotes", "header"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, bool):
                raise ConfigError(f"unload.{name} must be true, false or null, got {value!r}")
        if not isinstance(self.null_as, str):
            raise ConfigError(f"unload.null_as must be a string, got {self.null_as!r}")
        if not isinstance(self.columns, Mapping) or not all(
            isinstance(v, list) and all(isinstance(c, str) for c in v) for v in self.columns.values()
        ):
            raise ConfigError("unload.columns must map UNLOAD prefixes to lists of column names")

    def read_options(self, prefix: str, manifest_columns: list[str] | None) -> dict[str, Any]:
        """The read options of one UNLOAD's text files: columns from its manifest, else from configuration."""
        return read_options(
            manifest_columns or self.columns.get(prefix),
            delimiter=self.delimiter,
            escape=self.escape,
            addquotes=self.addquotes,
            header=self.header,
            null_as=self.null_as,
        )


@dataclass(frozen=True)
class Jdbc:
    """How database tables are read over JDBC (README "Databases over JDBC"); never credentials.

    ``driver_jar`` (PostgreSQL) and ``mariadb_driver_jar`` (MariaDB Connector/J, for MySQL and MariaDB) are local
    paths handed to Spark as ``spark.jars`` when a run has sources of that database: a driver is never downloaded
    (no ``spark.jars.packages``). ``fetch_size`` is the rows the driver fetches per round trip; ``partitions`` the
    ranges (Spark tasks) a --full-scan read of a table splits into when its source names a ``partition_column``.
    """

    driver_jar: str = "/usr/share/java/postgresql.jar"
    fetch_size: int = 1000
    mariadb_driver_jar: str = "/usr/share/java/mariadb-java-client.jar"
    partitions: int = 4

    def __post_init__(self) -> None:
        for key in ("driver_jar", "mariadb_driver_jar"):
            jar = getattr(self, key)
            if not isinstance(jar, str) or not jar.endswith(".jar"):
                raise ConfigError(f"jdbc.{key} must be the path of a .jar file, got {jar!r}")
        for key in ("fetch_size", "partitions"):
            value = getattr(self, key)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ConfigError(f"jdbc.{key} must be a positive integer, got {value!r}")


@dataclass(frozen=True)
class ScanConfig:
    """Everything the scan needs to know besides its sources and output."""

    detection: DetectionConfig
    sampling: Sampling = Sampling()
    reading: Reading = Reading()
    unload: Unload = field(default_factory=Unload)
    filters: Filters = field(default_factory=Filters)
    jdbc: Jdbc = Jdbc()
    inventory: Inventory = field(default_factory=Inventory)  # how buckets are listed: not part of the digest
    events: EventSettings = field(default_factory=EventSettings)  # what is announced: not part of the digest
    metrics: MetricSettings = field(default_factory=MetricSettings)  # CloudWatch metrics: not part of the digest
    accounts: Accounts = field(default_factory=Accounts)  # which role reads which bucket: not part of the digest
    fingerprints: FingerprintSettings = field(default_factory=FingerprintSettings)
    raw: Mapping[str, Any] = field(default_factory=dict)

    @property
    def digest(self) -> str:
        """SHA-256 of the effective configuration (parsed values, defaults included), recorded in the runs table.

        Incremental runs carry findings only from runs with the same digest, so it covers everything that can
        change a finding, and leaves out how objects are listed (``inventory``) and read (``accounts``), and what
        is announced (``events``, ``metrics``).
        """
        detectors = {
            d.entity_type: {
                "sensitivity": d.sensitivity.value,
                "options": dict(d.options),
                "keywords": list(d.keywords),
                "column_hints": list(d.column_hints),
                "patterns": [p.regex for p in d.patterns],
                "keyword_distance": d.keyword_distance,
                "min_occurrences": d.min_occurrences,
            }
            for d in self.detection.detectors
        }
        effective = {
            "detectors": detectors,
            "scoring": asdict(self.detection.scoring),
            "allow_list": sorted(self.detection.allow_list.values)
            + [p.pattern for p in self.detection.allow_list.patterns],
            "presidio": asdict(self.detection.text),
            "sampling": asdict(self.sampling),
            "read": asdict(self.reading),
            "unload": asdict(self.unload),
            "filters": asdict(self.filters),
            "jdbc": asdict(self.jdbc),
        }
        if self.fingerprints.enabled:  # turning them on re-reads unchanged assets, whose findings would have none
            effective["fingerprints"] = {"limit": self.fingerprints.limit}
        return hashlib.sha256(json.dumps(effective, sort_keys=True, default=str).encode()).hexdigest()

    def with_section(self, name: str, values: Mapping[str, Any]) -> ScanConfig:
        """The same configuration with some keys of section ``name`` replaced, validated again.

        The raw mapping changes too: Spark tasks rebuild their configuration from it.
        """
        raw = {**self.raw, name: {**(self.raw.get(name) or {}), **values}}
        changed = parse_config(raw)
        return changed.with_full_scan() if self.sampling.full_scan else changed

    def with_full_scan(self) -> ScanConfig:
        """The same configuration with sampling switched off."""
        return replace(self, sampling=replace(self.sampling, full_scan=True))


def parse_config(raw: Mapping[str, Any]) -> ScanConfig:
    """Validate a configuration mapping (as loaded from YAML) into a ScanConfig."""
    if not isinstance(raw, Mapping):
        raise ConfigError(f"the configuration must be a mapping of sections, got {type(raw).__name__}")
    unknown = sorted(set(map(str, raw)) - _SECTIONS)
    if unknown:
        raise ConfigError(f"unknown configuration section(s) {unknown}; valid sections are: {sorted(_SECTIONS)}")
    detection = parse_detection(
        raw.get("detectors"),
        raw.get("scoring"),
        raw.get("custom_identifiers"),
        raw.get("allow_list"),
        raw.get("presidio"),
    )
    return ScanConfig(
        detection=detection,
        sampling=_section(Sampling, "sampling", raw.get("sampling")),
        reading=_section(Reading, "read", raw.get("read")),
        unload=_section(Unload, "unload", raw.get("unload")),
        filters=_section(Filters, "filters", raw.get("filters")),
        jdbc=_section(Jdbc, "jdbc", raw.get("jdbc")),
        inventory=_section(Inventory, "inventory", raw.get("inventory")),
        events=EventSettings.from_mapping(raw.get("events") or {}),
        metrics=_section(MetricSettings, "metrics", raw.get("metrics")),
        accounts=parse_accounts(raw.get("accounts")),
        fingerprints=_section(FingerprintSettings, "fingerprints", raw.get("fingerprints")),
        raw=raw,
    )


def load_config(path: Path | str | None = None) -> ScanConfig:
    """Read and validate the YAML file at ``path`` (the shipped conf/scan.yaml when None).

    Also checks that the environment variables it names (``accounts[].external_id_env``,
    ``fingerprints.key_env``) are set.
    """
    path = Path(path) if path is not None else DEFAULT_CONFIG
    raw = read_yaml(path, "configuration file")
    try:
        config = parse_config(raw)
        config.accounts.check_environment()  # here, not in parse_config: Spark tasks parse the raw mapping again
        config.fingerprints.check_environment()
        return config
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from exc


def _section(cls: type[Any], name: str, values: Any) -> Any:
    values = values or {}
    if not isinstance(values, Mapping):
        raise ConfigError(f"section {name!r} must be a mapping, got {values!r}")
    known = set(cls.__dataclass_fields__)
    unknown = sorted(set(values) - known)
    if unknown:
        raise ConfigError(f"{name}: unknown key(s) {unknown}; valid keys are: {sorted(known)}")
    return cls(**values)
