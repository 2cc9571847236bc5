"""The report job's configuration (conf/report.yaml), parsed once at the edge into frozen, validated dataclasses.

Every error is a ConfigError naming the key (``residency.rules[1].regions``) and quoting the bad value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from classifiers.errors import ConfigError
from jobs.cli import read_yaml
from jobs.resources import shipped

DEFAULT_REPORT_CONFIG = shipped("conf/report.yaml")
UNKNOWN_REGION = "unknown"
UNKNOWN_REGION_MODES = ("violation", "allow")
_CODE = re.compile(r"^(?:[A-Z]{2}|EU)$")
_GROUP = re.compile(r"^[a-z][a-z0-9_]*$")
_SECTIONS = {"residency", "locations", "region_from_aws_hostnames", "limits"}
_RESIDENCY_KEYS = {"groups", "rules", "default", "unknown_region"}
_RULE_KEYS = {"name", "jurisdictions", "entity_types", "frameworks", "regions", "accounts"}
_LOCATION_KEYS = {"match", "host", "region", "account"}
_LIMIT_KEYS = {"top_assets", "not_scanned", "framework_assets"}


@dataclass(frozen=True)
class ResidencyRule:
    """Where findings of some jurisdictions (and entity types, frameworks) may live.

    ``regions`` and ``entity_types`` are glob patterns; an empty ``accounts`` or ``frameworks`` means any.
    """

    name: str
    jurisdictions: frozenset[str] = frozenset()  # expanded codes; empty for the default rule (every jurisdiction)
    entity_types: tuple[str, ...] = ("*",)
    frameworks: tuple[str, ...] = ()
    regions: tuple[str, ...] = ("*",)
    accounts: tuple[str, ...] = ()

    def applies_to(self, jurisdiction: str, entity_type: str, frameworks: tuple[str, ...]) -> bool:
        """True when this rule governs a finding of that jurisdiction, entity type and frameworks."""
        if self.jurisdictions and jurisdiction not in self.jurisdictions:
            return False
        if not any(fnmatchcase(entity_type, pattern) for pattern in self.entity_types):
            return False
        return not self.frameworks or bool(set(self.frameworks) & set(frameworks))

    def allows(self, region: str, account: str | None) -> bool | None:
        """Whether an asset in ``region`` / ``account`` complies: True, False, or None when that is unknown."""
        region_ok = any(fnmatchcase(region, pattern) for pattern in self.regions)
        if not region_ok and region == UNKNOWN_REGION:
            return None
        if not region_ok:
            return False
        if not self.accounts:
            return True
        if account is None:
            return None
        return account in self.accounts

    def describe(self) -> str:
        """The rule in words, as violations quote it."""
        where = "regions " + ", ".join(self.regions)
        if self.accounts:
            where += " of accounts " + ", ".join(self.accounts)
        return f"{self.name} (allowed: {where})"


@dataclass(frozen=True)
class ResidencyPolicy:
    """Ordered rules (the first that applies decides), a default rule, and what an unknown region means."""

    rules: tuple[ResidencyRule, ...] = ()
    default: ResidencyRule = ResidencyRule("default")
    unknown_region: str = "violation"

    def rule_for(self, jurisdiction: str, entity_type: str, frameworks: tuple[str, ...]) -> ResidencyRule | None:
        """The rule governing a finding; None for GLOBAL (no jurisdiction: no residency constraint)."""
        if jurisdiction == "GLOBAL":
            return None
        for rule in self.rules:
            if rule.applies_to(jurisdiction, entity_type, frameworks):
                return rule
        return self.default

    def permits(self, rule: ResidencyRule, region: str, account: str | None) -> bool:
        """Whether ``rule`` lets the data live there; an unknown region or account follows ``unknown_region``."""
        allowed = rule.allows(region, account)
        if allowed is None:
            return self.unknown_region == "allow"
        return allowed


@dataclass(frozen=True)
class LocationRule:
    """Region and/or account of the assets whose URI (``match``) or host (``host``) matches the glob."""

    match: str | None = None
    host: str | None = None
    region: str | None = None
    account: str | None = None

    def matches(self, asset: str) -> bool:
        """True when the asset URI (or its host) matches this rule."""
        if self.match is not None and not fnmatchcase(asset, self.match):
            return False
        return self.host is None or fnmatchcase(uri_host(asset) or "", self.host)


@dataclass(frozen=True)
class Limits:
    """How many entries the report lists in full."""

    top_assets: int = 10
    not_scanned: int = 20
    framework_assets: int = 5


@dataclass(frozen=True)
class ReportConfig:
    """Everything conf/report.yaml says."""

    residency: ResidencyPolicy = field(default_factory=ResidencyPolicy)
    locations: tuple[LocationRule, ...] = ()
    region_from_aws_hostnames: bool = True
    limits: Limits = field(default_factory=Limits)

    def location(self, asset: str) -> tuple[str | None, str | None]:
        """(region, account) the configuration gives the asset: the first matching rule's, else from the host name."""
        region: str | None = None
        account: str | None = None
        for rule in self.locations:
            if rule.matches(asset):
                region = region or rule.region
                account = account or rule.account
                if region is not None and account is not None:
                    break
        if region is None and self.region_from_aws_hostnames:
            region = aws_host_region(uri_host(asset))
        return region, account


_AWS_HOST = re.compile(
    r"\.([a-z]{2}(?:-gov|-iso[a-z]*)?-[a-z]+-\d)\.(?:rds|redshift|redshift-serverless)\.amazonaws\.com(?:\.cn)?$"
)


def aws_host_region(host: str | None) -> str | None:
    """The region an RDS or Redshift endpoint name carries (``db.x.eu-west-1.rds.amazonaws.com``), else None."""
    if not host:
        return None
    found = _AWS_HOST.search(host.lower())
    return found.group(1) if found else None


def uri_host(asset: str) -> str | None:
    """The host of a ``jdbc:…://host:port/…`` or ``scheme://host/…`` URI (the bucket for s3://); None without one."""
    rest = asset[5:] if asset.startswith("jdbc:") else asset
    _, separator, tail = rest.partition("://")
    if not separator:
        return None
    authority = tail.split("/", 1)[0].rsplit("@", 1)[-1]
    if authority.startswith("["):
        return authority[1:].split("]", 1)[0] or None
    return authority.split(":", 1)[0] or None


def load_report_config(path: Path = DEFAULT_REPORT_CONFIG) -> ReportConfig:
    """Read and validate a report configuration file."""
    return parse_report_config(read_yaml(path, "report configuration"))


def parse_report_config(raw: Any) -> ReportConfig:
    """Validate a parsed YAML document into a ReportConfig; ConfigError names the bad key."""
    top = _mapping(raw, "the report configuration", _SECTIONS)
    residency = _residency(top.get("residency", {}))
    locations_raw = top.get("locations", [])
    if not isinstance(locations_raw, list):
        raise ConfigError(f"locations must be a list of rules, got {locations_raw!r}")
    locations = tuple(_location(entry, f"locations[{i}]") for i, entry in enumerate(locations_raw))
    hostnames = top.get("region_from_aws_hostnames", True)
    if not isinstance(hostnames, bool):
        raise ConfigError(f"region_from_aws_hostnames must be true or false, got {hostnames!r}")
    limits_raw = _mapping(top.get("limits", {}), "limits", _LIMIT_KEYS)
    limits = Limits(**{key: _count(f"limits.{key}", value) for key, value in limits_raw.items()})
    return ReportConfig(residency, locations, hostnames, limits)


def _residency(raw: Any) -> ResidencyPolicy:
    section = _mapping(raw, "residency", _RESIDENCY_KEYS)
    groups_raw = _mapping(section.get("groups", {}), "residency.groups", None)
    groups: dict[str, frozenset[str]] = {}
    for name, members in groups_raw.items():
        key = f"residency.groups.{name}"
        if not isinstance(name, str) or not _GROUP.match(name):
            raise ConfigError(f"{key}: a group name is lower-case letters, digits and _, got {name!r}")
        groups[name] = frozenset(_codes(members, key, {}))
    rules_raw = section.get("rules", [])
    if not isinstance(rules_raw, list):
        raise ConfigError(f"residency.rules must be a list of rules, got {rules_raw!r}")
    rules = tuple(_rule(entry, f"residency.rules[{i}]", groups, default=False) for i, entry in enumerate(rules_raw))
    default = _rule(section.get("default", {"regions": ["*"]}), "residency.default", groups, default=True)
    unknown = section.get("unknown_region", "violation")
    if unknown not in UNKNOWN_REGION_MODES:
        raise ConfigError(f"residency.unknown_region must be one of {', '.join(UNKNOWN_REGION_MODES)}, got {unknown!r}")
    return ResidencyPolicy(rules, default, unknown)


def _rule(raw: Any, key: str, groups: Mapping[str, frozenset[str]], *, default: bool) -> ResidencyRule:
    allowed = _RULE_KEYS - {"jurisdictions", "entity_types", "frameworks"} if default else _RULE_KEYS
    entry = _mapping(raw, key, allowed)
    if default:
        name = str(entry.get("name", "default rule"))
        jurisdictions: frozenset[str] = frozenset()
    else:
        raw_name = entry.get("name")
        if not isinstance(raw_name, str) or not raw_name.strip():
            raise ConfigError(f"{key}.name must be a non-empty string, got {raw_name!r}")
        name = raw_name
        if "jurisdictions" not in entry:
            raise ConfigError(f"{key}.jurisdictions is required (jurisdiction codes or group names)")
        jurisdictions = frozenset(_codes(entry["jurisdictions"], f"{key}.jurisdictions", groups))
    regions = _strings(entry.get("regions", ["*"]), f"{key}.regions")
    if not regions:
        raise ConfigError(f"{key}.regions must list at least one region pattern (use '*' for anywhere)")
    accounts = _strings(entry.get("accounts", []), f"{key}.accounts")
    for account in accounts:
        if not re.fullmatch(r"\d{12}", account):
            raise ConfigError(f"{key}.accounts: {account!r} is not a 12-digit AWS account id (quote it in YAML)")
    return ResidencyRule(
        name=name,
        jurisdictions=jurisdictions,
        entity_types=_strings(entry.get("entity_types", ["*"]), f"{key}.entity_types") or ("*",),
        frameworks=_strings(entry.get("frameworks", []), f"{key}.frameworks"),
        regions=regions,
        accounts=accounts,
    )


def _location(raw: Any, key: str) -> LocationRule:
    entry = _mapping(raw, key, _LOCATION_KEYS)
    values = {name: entry.get(name) for name in _LOCATION_KEYS}
    for name, value in values.items():
        if value is not None and (not isinstance(value, str) or not value):
            raise ConfigError(f"{key}.{name} must be a non-empty string, got {value!r}")
    if values["match"] is None and values["host"] is None:
        raise ConfigError(f"{key} needs `match` (a glob on the asset URI) or `host` (a glob on its host name)")
    if values["region"] is None and values["account"] is None:
        raise ConfigError(f"{key} needs a `region` or an `account` to give the assets it matches")
    if values["account"] is not None and not re.fullmatch(r"\d{12}", values["account"]):
        raise ConfigError(f"{key}.account: {values['account']!r} is not a 12-digit AWS account id (quote it in YAML)")
    return LocationRule(values["match"], values["host"], values["region"], values["account"])


def _codes(raw: Any, key: str, groups: Mapping[str, frozenset[str]]) -> set[str]:
    if isinstance(raw, list) and any(isinstance(item, bool) for item in raw):
        raise ConfigError(f'{key}: {raw!r} holds a true/false: quote country codes such as "NO" (Norway) in YAML')
    codes: set[str] = set()
    for item in _strings(raw, key):
        if item in groups:
            codes |= groups[item]
        elif _CODE.match(item):
            codes.add(item)
        else:
            known = f"; groups: {', '.join(sorted(groups))}" if groups else ""
            raise ConfigError(
                f"{key}: {item!r} is neither an ISO 3166 alpha-2 code (DE, GB ...) nor EU{known}"
                + (" (GLOBAL findings have no jurisdiction: no rule applies to them)" if item == "GLOBAL" else "")
            )
    if not codes:
        raise ConfigError(f"{key} must list at least one jurisdiction")
    return codes


def _strings(raw: Any, key: str) -> tuple[str, ...]:
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not all(isinstance(item, str) and item for item in raw):
        raise ConfigError(f"{key} must be a list of non-empty strings, got {raw!r}")
    return tuple(raw)


def _count(key: str, value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ConfigError(f"{key} must be a whole number >= 0, got {value!r}")
    return value


def _mapping(raw: Any, key: str, allowed: set[str] | None) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{key} must be a mapping, got {raw!r}")
    if allowed is not None:
        unknown = sorted(str(name) for name in raw if name not in allowed)
        if unknown:
            raise ConfigError(f"unknown key(s) {', '.join(unknown)} in {key}; valid keys: {', '.join(sorted(allowed))}")
    return dict(raw)
