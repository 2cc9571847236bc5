"""Glue column parameters and Lake Formation LF-tags from findings (jobs.catalog_tags), without Spark.

Glue and Lake Formation are moto's (in process, ``mock_aws``): moto 5 keeps the TableInput it was given, so the
table read back is exactly what UpdateTable sent, and it implements CreateLFTag / GetLFTag / UpdateLFTag /
AddLFTagsToResource / GetResourceLFTags / RemoveLFTagsFromResource on TableWithColumns. What moto does not do
(Failures for unknown tag values, the 1000-values cap, CatalogId on every request) is checked against a
botocore Stubber with the exact requests. Table and column names are invented.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import boto3
import pyarrow as pa
import pytest
from botocore.stub import Stubber
from moto import mock_aws

import jobs.catalog_tags as catalog_tags
from classifiers.errors import ConfigError
from jobs.catalog_tags import CatalogTagging, apply_catalog_tags, lf_value, table_input
from jobs.current import OBJECTS
from jobs.tables import CATALOG_TAG_RESULTS, FINDINGS

REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's default account
SCANNED = datetime(2026, 11, 5, 8, 0, tzinfo=UTC)
SAMPLE = "j***@example.com"
SERDE = {
    "SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
    "Parameters": {"serialization.format": "1"},
}
STORAGE: dict[str, Any] = {
    "Columns": [
        {"Name": "id", "Type": "bigint", "Comment": "surrogate key"},
        {"Name": "email", "Type": "string", "Parameters": {"steward": "crm-team"}},
        {"Name": "phone", "Type": "string"},
        {"Name": "address", "Type": "struct<street:string,city:string>"},
        {
            "Name": "notes",
            "Type": "string",
            "Parameters": {
                "piiscan:entities": "PERSON",
                "piiscan:sensitivity": "medium",
                "piiscan:run_id": "scan-0",
                "piiscan:scanned_at": "2026-10-01T00:00:00Z",
                "quality": "free text",
            },
        },
    ],
    "Location": "s3://lake/crm/customers/",
    "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
    "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
    "Compressed": False,
    "NumberOfBuckets": -1,
    "SerdeInfo": SERDE,
    "Parameters": {"compressionType": "snappy"},
    "StoredAsSubDirectories": False,
}
CUSTOMERS: dict[str, Any] = {
    "Name": "customers",
    "Description": "CRM customers, one row per customer",
    "Owner": "data-eng",
    "Retention": 0,
    "TableType": "EXTERNAL_TABLE",
    "Parameters": {"classification": "parquet", "owner_team": "crm", "piiscan:entities": "table-level, not ours"},
    "StorageDescriptor": STORAGE,
    "PartitionKeys": [{"Name": "country", "Type": "string", "Comment": "ISO 3166"}],
}
READ_ONLY = ("DatabaseName", "CreateTime", "UpdateTime", "VersionId", "CatalogId")


def finding(column: str | None, entity: str, **overrides: Any) -> dict[str, Any]:
    row = {
        "finding_id": f"f-{column}-{entity}".lower(),
        "run_id": "scan-1",
        "scanned_at": SCANNED,
        "source_kind": "glue",
        "asset": "s3://lake/crm/customers/",
        "region": REGION,
        "column": column,
        "level": "column" if column else "object",
        "entity_type": entity,
        "confidence": 0.95,
        "decision": "auto_tag",
        "sensitivity": "medium",
        "jurisdiction": "GLOBAL",
        "frameworks": ["GDPR"],
        "samples_masked": [SAMPLE],
        "detectors": ["pattern:X"],
        "table_name": "sales.customers",
    }
    row.update(overrides)
    return row


def findings(*rows: dict[str, Any]) -> pa.Table:
    return pa.Table.from_pylist(list(rows), schema=FINDINGS)


CUSTOMER_FINDINGS = (
    finding("email", "EMAIL_ADDRESS", frameworks=["GDPR", "CCPA"]),
    finding("phone", "PHONE_NUMBER", sensitivity="medium"),
    finding("phone", "CREDIT_CARD", sensitivity="high", confidence=0.85, frameworks=["PCI_DSS"]),
    finding("Country", "LOCATION", sensitivity="low", frameworks=[]),  # Glue lowercases names; a partition key
    finding("address.street", "LOCATION", sensitivity="low"),  # nested: no top-level column of that name
    finding(None, "EMAIL_ADDRESS"),  # object level: nothing for the catalog
)


def objects(*rows: tuple[str, str, str | None]) -> pa.Table:
    return pa.Table.from_pylist(
        [
            {"asset": a, "object_uri": a, "source_kind": k, "region": REGION, "table_name": t, "run_id": "scan-1"}
            for a, k, t in rows
        ],
        schema=OBJECTS,
    )


NO_OBJECTS = OBJECTS.empty_table()
ON = CatalogTagging(enabled=True)
LF_ON = CatalogTagging(enabled=True, lf_tags=True)


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[SimpleNamespace]:
    """Moto Glue with sales.customers, and a Lake Formation client; both record the calls they make."""
    for key in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setattr(catalog_tags, "RETRY_DELAYS", (0.0, 0.0, 0.0))
    with mock_aws():
        glue = boto3.client("glue", region_name=REGION)
        lf = boto3.client("lakeformation", region_name=REGION)
        glue.create_database(DatabaseInput={"Name": "sales"})
        glue.create_table(DatabaseName="sales", TableInput=CUSTOMERS)
        calls: list[tuple[str, dict[str, Any]]] = []

        def record(params: dict[str, Any], model: Any, **_: Any) -> None:
            calls.append((model.name, json.loads(json.dumps(params, default=str))))

        for client in (glue, lf):
            client.meta.events.register("before-parameter-build.*.*", record)
        yield SimpleNamespace(glue=glue, lf=lf, calls=calls)


def run(aws: SimpleNamespace, rows: pa.Table, config: CatalogTagging = ON, dry_run: bool = False,
        objs: pa.Table = NO_OBJECTS) -> list[dict[str, Any]]:  # fmt: skip
    aws.calls.clear()
    table = apply_catalog_tags(rows, objs, config, dry_run, "tag-1", lambda: aws.glue, lambda: aws.lf)
    aws.ran = list(aws.calls)  # the calls of this run (later reads by the test are not counted)
    assert table.schema == CATALOG_TAG_RESULTS
    result: list[dict[str, Any]] = table.to_pylist()
    for row in result:
        assert row.pop("at").tzinfo is not None
        assert row.pop("run_id") == "tag-1"
    assert SAMPLE not in json.dumps(result)  # never a sample, masked or not
    return result


def brief(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [(r["table"], r["column"], r["action"], r["status"]) for r in rows]


def operations(aws: SimpleNamespace) -> list[str]:
    return [name for name, _ in aws.ran]


def definition(aws: SimpleNamespace, name: str = "customers") -> dict[str, Any]:
    table = aws.glue.get_table(DatabaseName="sales", Name=name)["Table"]
    return {k: v for k, v in table.items() if k not in READ_ONLY}


OURS_EMAIL = {
    "piiscan:entities": "EMAIL_ADDRESS",
    "piiscan:sensitivity": "medium",
    "piiscan:frameworks": "CCPA,GDPR",
    "piiscan:run_id": "scan-1",
    "piiscan:scanned_at": "2026-11-05T08:00:00Z",
}
OURS_PHONE = {
    "piiscan:entities": "CREDIT_CARD,PHONE_NUMBER",
    "piiscan:sensitivity": "high",
    "piiscan:frameworks": "GDPR,PCI_DSS",
    "piiscan:run_id": "scan-1",
    "piiscan:scanned_at": "2026-11-05T08:00:00Z",
}
OURS_COUNTRY = {
    "piiscan:entities": "LOCATION",
    "piiscan:sensitivity": "low",
    "piiscan:run_id": "scan-1",
    "piiscan:scanned_at": "2026-11-05T08:00:00Z",
}
TAGGED: dict[str, Any] = {
    **CUSTOMERS,
    "StorageDescriptor": {
        **STORAGE,
        "Columns": [
            {"Name": "id", "Type": "bigint", "Comment": "surrogate key"},
            {"Name": "email", "Type": "string", "Parameters": {"steward": "crm-team", **OURS_EMAIL}},
            {"Name": "phone", "Type": "string", "Parameters": OURS_PHONE},
            {"Name": "address", "Type": "struct<street:string,city:string>"},
            {"Name": "notes", "Type": "string", "Parameters": {"quality": "free text"}},
        ],
    },
    "PartitionKeys": [{"Name": "country", "Type": "string", "Comment": "ISO 3166", "Parameters": OURS_COUNTRY}],
}
NESTED = (
    "the Glue table sales.customers has no column 'address.street': it is a nested field of column 'address', "
    "and Glue column parameters apply to top-level columns only"
)


# --- configuration --------------------------------------------------------------------------------------------------


def test_configuration_defaults_and_mapping():
    config = CatalogTagging.from_section({"enabled": True, "tables": {"s3://exports/shop/public.users/": "shop.users"}})
    assert (config.parameter_prefix, config.lf_tags, config.catalog_id) == ("piiscan:", False, None)
    assert (config.lf_tag_key_sensitivity, config.lf_tag_key_category) == ("piiscan_sensitivity", "piiscan_category")
    assert config.target("rds_export", "s3://exports/shop/public.users", "shop.public.users") == ("shop", "users")
    assert config.target("glue", "s3://lake/x/", "lakedb.x") == ("lakedb", "x")
    assert config.target("jdbc", "jdbc:postgresql://h:5432/shop/public.x", "shop.public.x") is None
    assert CatalogTagging.from_mapping({"enabled": True}) == CatalogTagging(enabled=True)
    assert CatalogTagging(tables=None).tables == {}  # type: ignore[arg-type]  # an empty `tables:` in YAML


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"enabled": "yes"}, "catalog.enabled must be true or false, got 'yes'"),
        ({"lf_tags": 1}, "catalog.lf_tags must be true or false, got 1"),
        ({"parameter_prefix": ""}, "catalog.parameter_prefix must be a non-empty string of at most 200 characters, "
         "got ''"),
        ({"lf_tag_key_sensitivity": "pii#level"}, "catalog.lf_tag_key_sensitivity must be an LF-tag key: 1 to 128 "
         "letters, numbers, spaces or _ . : / = + - @ %, got 'pii#level'"),
        ({"lf_tag_key_category": "x" * 129}, "catalog.lf_tag_key_category must be an LF-tag key: 1 to 128 letters, "
         f"numbers, spaces or _ . : / = + - @ %, got {'x' * 129!r}"),
        ({"lf_tag_key_category": "PIISCAN_SENSITIVITY"}, "catalog.lf_tag_key_sensitivity and "
         "catalog.lf_tag_key_category must differ, both are 'piiscan_sensitivity'"),
        ({"catalog_id": 123456789012}, "catalog.catalog_id must be a 12-digit AWS account id or null, got "
         "123456789012"),
        ({"tables": ["a"]}, "catalog.tables must map asset URIs or table names to database.table, got ['a']"),
        ({"tables": {"s3://x/": "nodot"}}, "catalog.tables['s3://x/'] must be database.table, got 'nodot'"),
        ({"tables": {"s3://x/": ".t"}}, "catalog.tables['s3://x/'] must be database.table, got '.t'"),
        ({"tabels": {}}, "unknown catalog option(s) ['tabels']; valid options are: ['catalog_id', 'enabled', "
         "'lf_tag_key_category', 'lf_tag_key_sensitivity', 'lf_tags', 'parameter_prefix', 'skip_archive', 'tables']"),
    ],
)  # fmt: skip
def test_bad_configuration_is_refused_naming_the_key(section, message):
    with pytest.raises(ConfigError, match=f"^{re.escape(message)}$"):
        CatalogTagging.from_section(section)


def test_lf_values_satisfy_the_lake_formation_pattern():
    assert lf_value("EMAIL_ADDRESS") == "email_address"
    assert lf_value("DE_TAX_ID#2") == "de_tax_id_2"
    assert len(lf_value("X" * 300)) == 256


def no_client() -> Any:
    raise AssertionError("a disabled tagging must create no client")


def test_disabled_does_nothing():
    disabled = CatalogTagging()
    assert apply_catalog_tags(findings(*CUSTOMER_FINDINGS), NO_OBJECTS, disabled, False, "t", no_client, no_client) \
        .num_rows == 0  # fmt: skip


# --- Glue column parameters -----------------------------------------------------------------------------------------


def test_columns_get_our_parameters_and_nothing_else_changes(aws):
    rows = run(aws, findings(*CUSTOMER_FINDINGS))
    assert operations(aws) == ["GetTable", "UpdateTable"]
    assert definition(aws) == TAGGED
    assert aws.calls[1][1]["VersionId"] == "1"  # optimistic concurrency on the version read
    assert "SkipArchive" not in aws.calls[1][1]
    assert brief(rows) == [
        ("customers", "address.street", "parameters", "skipped"),
        ("customers", "country", "parameters", "succeeded"),
        ("customers", "email", "parameters", "succeeded"),
        ("customers", "notes", "parameters", "succeeded"),
        ("customers", "phone", "parameters", "succeeded"),
    ]
    by_column = {r["column"]: r for r in rows}
    assert by_column["address.street"]["reason"] == NESTED
    assert by_column["country"]["reason"] == "findings column 'Country' is Glue column 'country'"
    assert json.loads(by_column["phone"]["values_written"]) == OURS_PHONE
    assert by_column["phone"]["finding_ids"] == ["f-phone-credit_card", "f-phone-phone_number"]
    assert by_column["notes"] == {
        "catalog_id": None,
        "database": "sales",
        "table": "customers",
        "column": "notes",
        "action": "parameters",
        "values_written": "{}",
        "status": "succeeded",
        "reason": "classification removed: the column has no findings to apply (removed piiscan:entities, "
        "piiscan:sensitivity, piiscan:run_id, piiscan:scanned_at)",
        "source": "sales.customers",
        "finding_ids": [],
    }


def test_a_second_run_changes_nothing_and_does_not_update(aws):
    run(aws, findings(*CUSTOMER_FINDINGS))
    later = [{**row, "run_id": "scan-2", "scanned_at": datetime(2026, 11, 6, tzinfo=UTC)} for row in CUSTOMER_FINDINGS]
    rows = run(aws, findings(*later))  # a later scan confirming the same classification
    assert operations(aws) == ["GetTable"]
    assert definition(aws) == TAGGED  # run_id / scanned_at still say which scan set the classification
    assert brief(rows) == [
        ("customers", "address.street", "parameters", "skipped"),
        ("customers", "country", "parameters", "unchanged"),
        ("customers", "email", "parameters", "unchanged"),
        ("customers", "phone", "parameters", "unchanged"),
    ]


def test_a_column_that_loses_its_findings_loses_our_keys_only(aws):
    run(aws, findings(*CUSTOMER_FINDINGS))
    rows = run(aws, findings(finding("email", "EMAIL_ADDRESS", frameworks=["GDPR", "CCPA"], run_id="scan-2")))
    expected = {**TAGGED, "StorageDescriptor": {**TAGGED["StorageDescriptor"]}}
    expected["StorageDescriptor"]["Columns"] = [
        {**c, "Parameters": {"steward": "crm-team", **OURS_EMAIL}} if c["Name"] == "email" else c
        for c in STORAGE["Columns"]
    ]
    expected["StorageDescriptor"]["Columns"][2] = {"Name": "phone", "Type": "string", "Parameters": {}}
    expected["StorageDescriptor"]["Columns"][4] = {"Name": "notes", "Type": "string",
                                                   "Parameters": {"quality": "free text"}}  # fmt: skip
    expected["PartitionKeys"] = [{"Name": "country", "Type": "string", "Comment": "ISO 3166", "Parameters": {}}]
    assert definition(aws) == expected
    assert brief(rows) == [
        ("customers", "country", "parameters", "succeeded"),
        ("customers", "email", "parameters", "unchanged"),
        ("customers", "phone", "parameters", "succeeded"),
    ]
    assert rows[2]["reason"] == (
        "classification removed: the column has no findings to apply (removed piiscan:entities, "
        "piiscan:sensitivity, piiscan:frameworks, piiscan:run_id, piiscan:scanned_at)"
    )


def test_a_table_without_findings_is_cleaned_when_the_current_runs_read_it(aws):
    run(aws, findings(*CUSTOMER_FINDINGS))
    rows = run(aws, findings(), objs=objects(("s3://lake/crm/customers/", "glue", "sales.customers")))
    assert [(r["column"], r["status"], r["values_written"]) for r in rows] == [
        ("country", "succeeded", "{}"),
        ("email", "succeeded", "{}"),
        ("phone", "succeeded", "{}"),
    ]
    assert definition(aws)["StorageDescriptor"]["Columns"][1] == {
        "Name": "email",
        "Type": "string",
        "Parameters": {"steward": "crm-team"},
    }


def test_missing_table_and_access_denied_are_failed_rows_and_others_go_on(aws):
    aws.glue.create_table(DatabaseName="sales", TableInput={**CUSTOMERS, "Name": "locked"})

    def deny(model: Any, params: dict[str, Any], **_: Any) -> Any:
        if json.loads(params["body"]).get("TableInput", {}).get("Name") == "locked":
            error = {"Error": {"Code": "AccessDeniedException", "Message": "User is not authorized"}}
            return SimpleNamespace(status_code=400, headers={}), error
        return None

    aws.glue.meta.events.register("before-call.glue.UpdateTable", deny)
    rows = run(
        aws,
        findings(
            finding("email", "EMAIL_ADDRESS", table_name="sales.gone", finding_id="g1"),
            finding("email", "EMAIL_ADDRESS", table_name="sales.locked", finding_id="l1"),
            finding("email", "EMAIL_ADDRESS", finding_id="c1"),
        ),
    )
    assert [(r["table"], r["column"], r["status"], r["reason"]) for r in rows] == [
        ("customers", "email", "succeeded", None),
        ("customers", "notes", "succeeded", rows[1]["reason"]),
        ("gone", "email", "failed", "GetTable: Glue table sales.gone does not exist (EntityNotFoundException)"),
        ("locked", "email", "failed", "UpdateTable: access denied to Glue table sales.locked (AccessDeniedException): "
         "the tag role needs glue:UpdateTable (and Lake Formation ALTER on the table when Lake Formation manages it)"),
        ("locked", "notes", "failed", rows[3]["reason"]),
    ]  # fmt: skip
    assert definition(aws, "locked") == {**CUSTOMERS, "Name": "locked"}


def test_a_concurrent_change_is_read_again_and_kept(aws):
    seen: list[str] = []

    def conflict(params: dict[str, Any], **_: Any) -> Any:
        seen.append("UpdateTable")
        if len(seen) == 1:  # another writer updates the table between our GetTable and UpdateTable
            other = {**CUSTOMERS, "Parameters": {**CUSTOMERS["Parameters"], "last_crawl": "2026-11-05"}}
            aws.glue.update_table(DatabaseName="sales", TableInput=other)
            error = {"Error": {"Code": "ConcurrentModificationException", "Message": "concurrent modifications"}}
            return SimpleNamespace(status_code=400, headers={}), error
        return None

    aws.glue.meta.events.register("before-call.glue.UpdateTable", conflict)
    rows = run(aws, findings(*CUSTOMER_FINDINGS))
    assert {r["status"] for r in rows if r["column"] != "address.street"} == {"succeeded"}
    assert definition(aws) == {**TAGGED, "Parameters": {**CUSTOMERS["Parameters"], "last_crawl": "2026-11-05"}}
    assert [name for name, _ in aws.ran if name in ("GetTable", "UpdateTable")] == [
        "GetTable", "UpdateTable", "UpdateTable", "GetTable", "UpdateTable",
    ]  # fmt: skip  # ours, the other writer's, ours again after reading the table again


def test_dry_run_reads_but_writes_nothing(aws):
    rows = run(aws, findings(*CUSTOMER_FINDINGS), config=LF_ON, dry_run=True)
    assert operations(aws) == ["GetTable", "GetResourceLFTags"]
    assert definition(aws) == CUSTOMERS
    assert aws.lf.list_lf_tags()["LFTags"] == []
    assert brief(rows) == [
        ("customers", "address.street", "parameters", "skipped"),
        ("customers", "country", "parameters", "planned"),
        ("customers", "country", "lf_tags", "planned"),
        ("customers", "email", "parameters", "planned"),
        ("customers", "email", "lf_tags", "planned"),
        ("customers", "notes", "parameters", "planned"),
        ("customers", "phone", "parameters", "planned"),
        ("customers", "phone", "lf_tags", "planned"),
    ]


def test_rds_exports_and_unloads_need_a_mapping(aws):
    export = "s3://exports/snap-1/shop/public.customers/"
    unload = "s3://warehouse/unload/customers_"
    rows = findings(
        finding("email", "EMAIL_ADDRESS", source_kind="rds_export", asset=export, table_name="shop.public.customers"),
        finding("phone", "PHONE_NUMBER", source_kind="redshift_unload", asset=unload, table_name=None),
        finding("x", "EMAIL_ADDRESS", source_kind="s3", asset="s3://b/file.csv", table_name=None),
    )
    result = run(aws, rows)
    assert [(r["column"], r["status"], r["reason"]) for r in result] == [
        ("email", "skipped", "no Glue table is known for RDS export table shop.public.customers: map it in "
         "catalog.tables (asset URI or table name: database.table)"),
        ("phone", "skipped", f"no Glue table is known for Redshift UNLOAD dataset {unload}: map it in catalog.tables "
         "(asset URI or table name: database.table)"),
    ]  # fmt: skip
    mapped = CatalogTagging(
        enabled=True, tables={"shop.public.customers": "sales.customers", unload: "sales.customers"}
    )
    result = run(aws, rows, config=mapped)
    assert [(r["column"], r["status"], r["source"]) for r in result] == [
        ("email", "succeeded", f"{unload}, shop.public.customers"),
        ("notes", "succeeded", f"{unload}, shop.public.customers"),
        ("phone", "succeeded", f"{unload}, shop.public.customers"),
    ]


def test_table_input_drops_every_read_only_member(aws):
    table = aws.glue.get_table(DatabaseName="sales", Name="customers")["Table"]
    table.update(IsRegisteredWithLakeFormation=False, CreatedBy="arn:aws:iam::1:role/x", IsMultiDialectView=False)
    assert table_input(aws.glue, table) == CUSTOMERS


def test_skip_archive_and_catalog_id_are_passed(aws):
    config = CatalogTagging(enabled=True, skip_archive=True, catalog_id=ACCOUNT)
    run(aws, findings(finding("email", "EMAIL_ADDRESS")), config=config)
    assert [(name, params.get("CatalogId"), params.get("SkipArchive")) for name, params in aws.ran] == [
        ("GetTable", ACCOUNT, None),
        ("UpdateTable", ACCOUNT, True),
    ]


# --- Lake Formation LF-tags (moto) -----------------------------------------------------------------------------------


def column_tags(aws: SimpleNamespace) -> dict[str, dict[str, list[str]]]:
    names = ["id", "email", "phone", "address", "notes", "country"]
    resource = {"TableWithColumns": {"DatabaseName": "sales", "Name": "customers", "ColumnNames": names}}
    response = aws.lf.get_resource_lf_tags(Resource=resource, ShowAssignedLFTags=True)
    return {c["Name"]: {t["TagKey"]: t["TagValues"] for t in c["LFTags"]} for c in response.get("LFTagsOnColumns", [])}


def test_lf_tags_are_created_and_assigned_per_column(aws):
    aws.lf.create_lf_tag(TagKey="piiscan_sensitivity", TagValues=["high"])  # exists, with one of the values
    rows = run(aws, findings(*CUSTOMER_FINDINGS), config=LF_ON)
    assert {t["TagKey"]: sorted(t["TagValues"]) for t in aws.lf.list_lf_tags()["LFTags"]} == {
        "piiscan_sensitivity": ["high", "low", "medium"],
        "piiscan_category": ["credit_card", "email_address", "location"],
    }
    assert column_tags(aws) == {
        "email": {"piiscan_sensitivity": ["medium"], "piiscan_category": ["email_address"]},
        "phone": {"piiscan_sensitivity": ["high"], "piiscan_category": ["credit_card"]},
        "country": {"piiscan_sensitivity": ["low"], "piiscan_category": ["location"]},
    }
    lf_calls = [(name, params) for name, params in aws.ran if name not in ("GetTable", "UpdateTable")]
    columns = ["address", "country", "email", "id", "notes", "phone"]
    assert lf_calls == [
        ("GetResourceLFTags", {"Resource": {"TableWithColumns": {"DatabaseName": "sales", "Name": "customers",
                                                                 "ColumnNames": columns}},
                               "ShowAssignedLFTags": True}),
        ("GetLFTag", {"TagKey": "piiscan_category"}),
        ("CreateLFTag", {"TagKey": "piiscan_category", "TagValues": ["credit_card", "email_address", "location"]}),
        ("GetLFTag", {"TagKey": "piiscan_sensitivity"}),
        ("UpdateLFTag", {"TagKey": "piiscan_sensitivity", "TagValuesToAdd": ["low", "medium"]}),
        ("AddLFTagsToResource", {
            "Resource": {"TableWithColumns": {"DatabaseName": "sales", "Name": "customers", "ColumnNames": ["phone"]}},
            "LFTags": [{"TagKey": "piiscan_category", "TagValues": ["credit_card"]},
                       {"TagKey": "piiscan_sensitivity", "TagValues": ["high"]}]}),
        ("AddLFTagsToResource", {
            "Resource": {"TableWithColumns": {"DatabaseName": "sales", "Name": "customers", "ColumnNames": ["email"]}},
            "LFTags": [{"TagKey": "piiscan_category", "TagValues": ["email_address"]},
                       {"TagKey": "piiscan_sensitivity", "TagValues": ["medium"]}]}),
        ("AddLFTagsToResource", {
            "Resource": {"TableWithColumns": {"DatabaseName": "sales", "Name": "customers",
                                              "ColumnNames": ["country"]}},
            "LFTags": [{"TagKey": "piiscan_category", "TagValues": ["location"]},
                       {"TagKey": "piiscan_sensitivity", "TagValues": ["low"]}]}),
    ]  # fmt: skip
    lf_rows = [(r["column"], r["status"], r["values_written"]) for r in rows if r["action"] == "lf_tags"]
    assert lf_rows == [
        ("country", "succeeded", '{"piiscan_sensitivity": "low", "piiscan_category": "location"}'),
        ("email", "succeeded", '{"piiscan_sensitivity": "medium", "piiscan_category": "email_address"}'),
        ("phone", "succeeded", '{"piiscan_sensitivity": "high", "piiscan_category": "credit_card"}'),
    ]

    again = run(aws, findings(*CUSTOMER_FINDINGS), config=LF_ON)
    assert operations(aws) == ["GetTable", "GetResourceLFTags"]
    assert {r["status"] for r in again if r["column"] != "address.street"} == {"unchanged"}


def test_lf_tags_are_removed_from_columns_without_findings(aws):
    aws.lf.create_lf_tag(TagKey="piiscan_sensitivity", TagValues=["medium"])
    aws.lf.create_lf_tag(TagKey="piiscan_category", TagValues=["person"])
    aws.lf.add_lf_tags_to_resource(
        Resource={"TableWithColumns": {"DatabaseName": "sales", "Name": "customers", "ColumnNames": ["notes"]}},
        LFTags=[{"TagKey": "piiscan_sensitivity", "TagValues": ["medium"]},
                {"TagKey": "piiscan_category", "TagValues": ["person"]}],
    )  # fmt: skip
    rows = run(aws, findings(finding("email", "EMAIL_ADDRESS")), config=LF_ON)
    assert column_tags(aws) == {
        "email": {"piiscan_sensitivity": ["medium"], "piiscan_category": ["email_address"]},
    }
    removal = [params for name, params in aws.ran if name == "RemoveLFTagsFromResource"]
    assert removal == [
        {
            "Resource": {"TableWithColumns": {"DatabaseName": "sales", "Name": "customers", "ColumnNames": ["notes"]}},
            "LFTags": [{"TagKey": "piiscan_category", "TagValues": ["person"]},
                       {"TagKey": "piiscan_sensitivity", "TagValues": ["medium"]}],
        }
    ]  # fmt: skip
    notes = [r for r in rows if r["column"] == "notes" and r["action"] == "lf_tags"]
    assert [(r["status"], r["values_written"], r["reason"]) for r in notes] == [
        ("succeeded", "{}", "classification removed: the column has no findings to apply (removed "
         "piiscan_category=person, piiscan_sensitivity=medium)"),
    ]  # fmt: skip


# --- Lake Formation LF-tags (Stubber: what moto does not model) ------------------------------------------------------


def test_lf_failures_and_catalog_id_against_exact_requests(aws):
    config = CatalogTagging(enabled=True, lf_tags=True, catalog_id=ACCOUNT)
    lf = boto3.client("lakeformation", region_name=REGION)
    resource = {"TableWithColumns": {"CatalogId": ACCOUNT, "DatabaseName": "sales", "Name": "customers"}}
    stub = Stubber(lf)
    stub.add_response(
        "get_resource_lf_tags",
        {"LFTagsOnColumns": [{"Name": "email", "LFTags": [
            {"CatalogId": ACCOUNT, "TagKey": "piiscan_sensitivity", "TagValues": ["low"]}]}]},
        {"CatalogId": ACCOUNT, "ShowAssignedLFTags": True, "Resource": {"TableWithColumns": {
            **resource["TableWithColumns"],
            "ColumnNames": ["address", "country", "email", "id", "notes", "phone"]}}},
    )  # fmt: skip
    stub.add_client_error("get_lf_tag", "EntityNotFoundException", "Tag key does not exist",
                          expected_params={"CatalogId": ACCOUNT, "TagKey": "piiscan_category"})  # fmt: skip
    stub.add_response("create_lf_tag", {}, {"CatalogId": ACCOUNT, "TagKey": "piiscan_category",
                                            "TagValues": ["email_address"]})  # fmt: skip
    stub.add_response("get_lf_tag", {"CatalogId": ACCOUNT, "TagKey": "piiscan_sensitivity",
                                     "TagValues": [f"v{i}" for i in range(1000)]},
                      {"CatalogId": ACCOUNT, "TagKey": "piiscan_sensitivity"})  # fmt: skip
    with stub:
        rows = apply_catalog_tags(findings(finding("email", "EMAIL_ADDRESS")), NO_OBJECTS, config, False, "tag-1",
                                  lambda: aws.glue, lambda: lf).to_pylist()  # fmt: skip
    stub.assert_no_pending_responses()
    email = [r for r in rows if (r["column"], r["action"]) == ("email", "lf_tags")]
    assert [(r["status"], r["reason"], r["catalog_id"]) for r in email] == [
        ("failed", "LF-tag piiscan_sensitivity has 1000 values and 1 more are needed; Lake Formation allows 1000 "
         "per key", ACCOUNT),
    ]  # fmt: skip

    stub = Stubber(lf)
    stub.add_response("get_resource_lf_tags", {}, None)
    stub.add_response("get_lf_tag", {"TagKey": "piiscan_category", "TagValues": ["email_address"]}, None)
    stub.add_response("get_lf_tag", {"TagKey": "piiscan_sensitivity", "TagValues": ["medium"]}, None)
    stub.add_response(
        "add_lf_tags_to_resource",
        {"Failures": [{"LFTag": {"TagKey": "piiscan_category", "TagValues": ["email_address"]},
                       "Error": {"ErrorCode": "AccessDeniedException",
                                 "ErrorMessage": "Insufficient permissions on LF-tag"}}]},
        {"CatalogId": ACCOUNT, "Resource": {"TableWithColumns": {**resource["TableWithColumns"],
                                                                 "ColumnNames": ["email"]}},
         "LFTags": [{"CatalogId": ACCOUNT, "TagKey": "piiscan_category", "TagValues": ["email_address"]},
                    {"CatalogId": ACCOUNT, "TagKey": "piiscan_sensitivity", "TagValues": ["medium"]}]},
    )  # fmt: skip
    with stub:
        rows = apply_catalog_tags(findings(finding("email", "EMAIL_ADDRESS")), NO_OBJECTS, config, False, "tag-2",
                                  lambda: aws.glue, lambda: lf).to_pylist()  # fmt: skip
    stub.assert_no_pending_responses()
    email = [r for r in rows if (r["column"], r["action"]) == ("email", "lf_tags")]
    assert [(r["status"], r["reason"]) for r in email] == [
        ("failed", "AddLFTagsToResource reported failures: piiscan_category=email_address: AccessDeniedException "
         "Insufficient permissions on LF-tag (needs lakeformation:AddLFTagsToResource (and ASSOCIATE on the LF-tag, "
         "DESCRIBE on the table))"),
    ]  # fmt: skip


def test_lf_values_are_added_fifty_per_call(aws):
    lf = boto3.client("lakeformation", region_name=REGION)
    stub = Stubber(lf)
    values = [f"e{i:03d}" for i in range(120)]
    stub.add_client_error("get_lf_tag", "EntityNotFoundException", expected_params={"TagKey": "k"})
    stub.add_response("create_lf_tag", {}, {"TagKey": "k", "TagValues": values[:50]})
    stub.add_response("update_lf_tag", {}, {"TagKey": "k", "TagValuesToAdd": values[50:100]})
    stub.add_response("update_lf_tag", {}, {"TagKey": "k", "TagValuesToAdd": values[100:]})
    with stub:
        assert catalog_tags._ensure_values(lf, {"k": set(values)}, LF_ON) == {}
    stub.assert_no_pending_responses()


def test_lf_access_denied_reading_tags_fails_lf_rows_only(aws):
    lf = boto3.client("lakeformation", region_name=REGION)
    stub = Stubber(lf)
    stub.add_client_error("get_resource_lf_tags", "AccessDeniedException", "no")
    with stub:
        rows = apply_catalog_tags(findings(finding("email", "EMAIL_ADDRESS")), NO_OBJECTS, LF_ON, False, "t",
                                  lambda: aws.glue, lambda: lf).to_pylist()  # fmt: skip
    assert [(r["column"], r["action"], r["status"], r["reason"]) for r in rows] == [
        ("email", "parameters", "succeeded", None),
        ("email", "lf_tags", "failed", "GetResourceLFTags: access denied to the LF-tags of Glue table sales.customers "
         "(AccessDeniedException): the tag role needs lakeformation:GetResourceLFTags (and Lake Formation DESCRIBE "
         "on the table)"),
        ("notes", "parameters", "succeeded", rows[2]["reason"]),
    ]  # fmt: skip
