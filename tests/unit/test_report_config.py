"""conf/report.yaml parsed into ReportConfig: the shipped file, the rules' semantics and errors naming the key."""

from __future__ import annotations

from typing import Any

import pytest

from classifiers.errors import ConfigError
from jobs.report_config import (
    DEFAULT_REPORT_CONFIG,
    LocationRule,
    ReportConfig,
    ResidencyRule,
    aws_host_region,
    load_report_config,
    parse_report_config,
    uri_host,
)


def test_the_shipped_configuration() -> None:
    config = load_report_config(DEFAULT_REPORT_CONFIG)
    eu_rule, uk_rule = config.residency.rules
    assert eu_rule.name == "EU/EEA personal data stays in EU regions"
    assert {"EU", "DE", "FR", "IE", "SE", "NO", "IS", "LI"} <= eu_rule.jurisdictions
    assert "GB" not in eu_rule.jurisdictions and len(eu_rule.jurisdictions) == 31
    assert eu_rule.regions == ("eu-*",) and uk_rule.jurisdictions == frozenset({"GB"})
    assert config.residency.default == ResidencyRule("default rule")
    assert config.residency.unknown_region == "violation"
    assert config.location("jdbc:postgresql://pg.eu.internal:5432/shop/public.t") == ("eu-central-1", None)
    assert config.location("jdbc:mysql://db1.eu-west-1.internal:3306/crm/users") == ("eu-west-1", "123456789012")
    assert config.location("file:///data/x.csv") == ("local", None)
    assert config.limits.top_assets == 10


def test_rules_decide_in_order_and_global_has_no_rule() -> None:
    policy = parse_report_config(
        {
            "residency": {
                "groups": {"eu": ["EU", "DE"]},
                "rules": [
                    {
                        "name": "aadhaar",
                        "jurisdictions": ["IN"],
                        "entity_types": ["IN_AADHAAR"],
                        "regions": ["ap-south-*"],
                        "accounts": ["111122223333"],
                    },
                    {"name": "eu gdpr", "jurisdictions": ["eu"], "frameworks": ["GDPR"], "regions": ["eu-*"]},
                ],
                "default": {"regions": ["us-*", "eu-*"]},
            }
        }
    ).residency
    aadhaar = policy.rule_for("IN", "IN_AADHAAR", ())
    assert aadhaar is not None and aadhaar.name == "aadhaar"
    assert policy.permits(aadhaar, "ap-south-1", "111122223333")
    assert not policy.permits(aadhaar, "ap-south-1", "999999999999")
    assert not policy.permits(aadhaar, "ap-south-1", None)  # account unknown: unknown_region 'violation'
    assert policy.rule_for("IN", "IN_PAN", ()) is policy.default
    assert policy.rule_for("DE", "DE_TAX_ID", ("CCPA",)) is policy.default  # framework does not match
    eu = policy.rule_for("DE", "DE_TAX_ID", ("GDPR",))
    assert eu is not None and eu.name == "eu gdpr" and not policy.permits(eu, "us-east-1", None)
    assert policy.rule_for("GLOBAL", "EMAIL_ADDRESS", ("GDPR",)) is None
    assert policy.permits(policy.default, "us-west-2", None) and not policy.permits(policy.default, "ap-east-1", None)


def test_locations_and_aws_host_names() -> None:
    config = ReportConfig(locations=(LocationRule(host="*.corp", account="444455556666"),))
    assert config.location("jdbc:postgresql://pg.corp:5432/db/s.t") == (None, "444455556666")
    rds = "jdbc:postgresql://user@mydb.abc123.eu-west-3.rds.amazonaws.com:5432/app/public.t"
    assert config.location(rds) == ("eu-west-3", None)
    assert aws_host_region("c1.xyz.us-gov-west-1.redshift.amazonaws.com") == "us-gov-west-1"
    assert aws_host_region("example.com") is None and aws_host_region(None) is None
    assert uri_host("s3://bucket/key") == "bucket" and uri_host("jdbc:mysql://[::1]:3306/db/t") == "::1"
    assert uri_host("/local/path") is None
    no_hosts = ReportConfig(region_from_aws_hostnames=False)
    assert no_hosts.location(rds) == (None, None)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"residency": {"rules": [{"name": "x", "jurisdictions": ["Europe"]}]}}, "residency.rules[0].jurisdictions"),
        (
            {"residency": {"rules": [{"name": "x", "jurisdictions": ["GLOBAL"]}]}},
            "GLOBAL findings have no jurisdiction",
        ),
        ({"residency": {"rules": [{"jurisdictions": ["DE"]}]}}, "residency.rules[0].name"),
        ({"residency": {"rules": [{"name": "x"}]}}, "residency.rules[0].jurisdictions is required"),
        (
            {"residency": {"rules": [{"name": "x", "jurisdictions": ["DE"], "regions": []}]}},
            "residency.rules[0].regions",
        ),
        ({"residency": {"rules": [{"name": "x", "jurisdictions": ["DE"], "accounts": [123]}]}}, "rules[0].accounts"),
        (
            {"residency": {"rules": [{"name": "x", "jurisdictions": ["DE"], "acounts": []}]}},
            "acounts in residency.rules[0]",
        ),
        ({"residency": {"default": {"jurisdictions": ["DE"]}}}, "jurisdictions in residency.default"),
        ({"residency": {"unknown_region": "ignore"}}, "residency.unknown_region"),
        ({"residency": {"groups": {"EU": ["DE"]}}}, "residency.groups.EU"),
        ({"residency": {"groups": {"eea": ["IS", False]}}}, 'quote country codes such as "NO"'),
        ({"locations": [{"region": "eu-west-1"}]}, "locations[0] needs `match`"),
        ({"locations": [{"match": "s3://x*"}]}, "locations[0] needs a `region` or an `account`"),
        ({"locations": [{"match": "s3://x*", "account": "12"}]}, "locations[0].account"),
        ({"locations": {"match": "x"}}, "locations must be a list"),
        ({"limits": {"top_assets": -1}}, "limits.top_assets"),
        ({"region_from_aws_hostnames": "yes"}, "region_from_aws_hostnames"),
        ({"residncy": {}}, "unknown key(s) residncy"),
        ([1, 2], "the report configuration must be a mapping"),
    ],
)
def test_errors_name_the_key(raw: Any, message: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse_report_config(raw)
    assert message in str(error.value)
