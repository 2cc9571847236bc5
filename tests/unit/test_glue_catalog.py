"""Glue Data Catalog sources without Spark: URI parsing, table descriptions from GetTable JSON, planning.

The table JSON follows the shapes GetTable returns for tables made by Glue crawlers and Athena DDL (Hive
SerDes and input formats with their usual parameters); names and locations are invented.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pyarrow.fs as pafs
import pytest
from botocore.exceptions import ClientError

from classifiers.errors import ConfigError
from jobs.formats import guess_from_name
from jobs.glue_catalog import CatalogTable, GlueSource, describe_table, is_glue, parse_source, plan_catalog
from jobs.planner import Plan, PlannedObject
from jobs.readers import Limits, ObjectReader
from jobs.scan import EXIT_USAGE, main

TEXT_INPUT = "org.apache.hadoop.mapred.TextInputFormat"
HIVE_TEXT_OUTPUT = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"


def raises(message: str):
    return pytest.raises(ConfigError, match=f"^{re.escape(message)}$")


# --- parsing ------------------------------------------------------------------------------------------------------


def test_a_database_a_table_and_a_catalog_id_parse():
    assert parse_source("glue://sales") == GlueSource("sales")
    assert parse_source("glue://sales/") == GlueSource("sales")
    assert parse_source("glue://sales/customers") == GlueSource("sales", "customers")
    assert parse_source("glue://sales/customers?catalog_id=123456789012") == GlueSource(
        "sales", "customers", "123456789012"
    )
    assert parse_source("GLUE://sales?catalog_id=123456789012").display == "glue://sales?catalog_id=123456789012"
    assert parse_source("glue://sales/customers").display == "glue://sales/customers"
    assert GlueSource("sales", None, "123456789012").table_uri("t") == "glue://sales/t?catalog_id=123456789012"
    assert is_glue("glue://x") and not is_glue("s3://x") and not is_glue("/data/glue")


@pytest.mark.parametrize(
    ("uri", "message"),
    [
        ("glue://", "Glue source 'glue://' has no database; expected glue://DATABASE[/TABLE]"),
        ("glue://?catalog_id=123456789012", "Glue source 'glue://?catalog_id=123456789012' has no database; "
         "expected glue://DATABASE[/TABLE]"),
        ("glue://db/t/x", "Glue source 'glue://db/t/x' has too many path segments; expected glue://DATABASE[/TABLE]"),
        ("glue://db//t", "Glue source 'glue://db//t' has too many path segments; expected glue://DATABASE[/TABLE]"),
        ("glue://db?region=eu-west-1", "Glue source 'glue://db?region=eu-west-1': unknown option 'region'; the only "
         "option is catalog_id"),
        ("glue://db?catalog_id=12345", "Glue source 'glue://db?catalog_id=12345': catalog_id must be a 12-digit AWS "
         "account id, got '12345'"),
        ("glue://db?catalog_id=123456789012&catalog_id=123456789012", "Glue source "
         "'glue://db?catalog_id=123456789012&catalog_id=123456789012': option 'catalog_id' is given twice"),
        ("glue://db?nonsense", "Glue source 'glue://db?nonsense': unknown option 'nonsense'; the only option is "
         "catalog_id"),
        ("s3://bucket/x", "not a Glue Data Catalog source: 's3://bucket/x'; expected glue://DATABASE[/TABLE]"),
    ],
)  # fmt: skip
def test_bad_uris_are_refused_with_the_reason(uri: str, message: str):
    with raises(message):
        parse_source(uri)


def test_a_bad_glue_uri_is_a_usage_error_before_spark_starts(tmp_path, capsys):
    assert main(["--source", "glue://db/t/x", "--output", str(tmp_path)]) == EXIT_USAGE
    assert "too many path segments" in capsys.readouterr().err


# --- table descriptions ------------------------------------------------------------------------------------------


def _table(name: str, storage: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "Name": name,
        "DatabaseName": "sales",
        "CreateTime": datetime(2026, 1, 5, tzinfo=UTC),
        "TableType": "EXTERNAL_TABLE",
        "PartitionKeys": [],
        "CatalogId": "123456789012",
        **extra,
        "StorageDescriptor": storage,
    }


CRAWLED_CSV = _table(  # a crawler's CSV table: LazySimpleSerDe, field.delim, no header line
    "customers",
    {
        "Columns": [{"Name": "id", "Type": "bigint"}, {"Name": "email", "Type": "string"}],
        "Location": "s3://acme-lake/raw/customers",
        "InputFormat": TEXT_INPUT,
        "OutputFormat": HIVE_TEXT_OUTPUT,
        "Compressed": False,
        "NumberOfBuckets": -1,
        "SerdeInfo": {
            "SerializationLibrary": "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe",
            "Parameters": {"field.delim": ","},
        },
        "Parameters": {"classification": "csv", "typeOfData": "file", "areColumnsQuoted": "false"},
        "StoredAsSubDirectories": False,
    },
    PartitionKeys=[{"Name": "region", "Type": "string"}],
    Parameters={"classification": "csv", "EXTERNAL": "TRUE", "CrawlerSchemaSerializerVersion": "1.0"},
)

OPEN_CSV = _table(  # Athena DDL: ROW FORMAT SERDE OpenCSVSerde ... TBLPROPERTIES ('skip.header.line.count'='1')
    "orders",
    {
        "Columns": [{"Name": "order_id", "Type": "string"}, {"Name": "card", "Type": "string"}],
        "Location": "s3://acme-lake/raw/orders/",
        "InputFormat": TEXT_INPUT,
        "OutputFormat": HIVE_TEXT_OUTPUT,
        "SerdeInfo": {
            "SerializationLibrary": "org.apache.hadoop.hive.serde2.OpenCSVSerde",
            "Parameters": {"separatorChar": ";", "quoteChar": '"', "escapeChar": "\\"},
        },
    },
    Parameters={"skip.header.line.count": "1", "EXTERNAL": "TRUE"},
)

PARQUET = _table(
    "payments",
    {
        "Columns": [{"Name": "card_number", "Type": "string"}, {"Name": "amount", "Type": "decimal(10,2)"}],
        "Location": "s3://acme-lake/curated/payments/",
        "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
        "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
        "SerdeInfo": {
            "SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
            "Parameters": {"serialization.format": "1"},
        },
    },
    PartitionKeys=[{"Name": "dt", "Type": "date"}],
    Parameters={"classification": "parquet", "compressionType": "snappy"},
)

JSON = _table(
    "tickets",
    {
        "Columns": [{"Name": "body", "Type": "string"}, {"Name": "customer", "Type": "struct<name:string>"}],
        "Location": "file:///srv/lake/tickets/",
        "InputFormat": TEXT_INPUT,
        "OutputFormat": HIVE_TEXT_OUTPUT,
        "SerdeInfo": {
            "SerializationLibrary": "org.openx.data.jsonserde.JsonSerDe",
            "Parameters": {"paths": "body,customer"},
        },
    },
    Parameters={"classification": "json"},
)

ORC = _table(
    "events",
    {
        "Columns": [{"Name": "payload", "Type": "string"}],
        "Location": "s3://acme-lake/orc/events/",
        "InputFormat": "org.apache.hadoop.hive.ql.io.orc.OrcInputFormat",
        "OutputFormat": "org.apache.hadoop.hive.ql.io.orc.OrcOutputFormat",
        "SerdeInfo": {"SerializationLibrary": "org.apache.hadoop.hive.ql.io.orc.OrcSerde"},
    },
    Parameters={"classification": "orc"},
)

VIEW = {
    "Name": "active_customers",
    "DatabaseName": "sales",
    "TableType": "VIRTUAL_VIEW",
    "ViewOriginalText": "/* Presto View: e30= */",
    "ViewExpandedText": "/* Presto View */",
    "Parameters": {"presto_view": "true", "comment": "Presto View"},
    "StorageDescriptor": {"Columns": [{"Name": "email", "Type": "varchar"}], "SerdeInfo": {}, "Location": ""},
}


def test_a_crawled_headerless_csv_table():
    table = describe_table("sales", CRAWLED_CSV)
    assert table == CatalogTable(
        database="sales",
        name="customers",
        location="s3://acme-lake/raw/customers/",
        format="csv",
        delimiter=",",
        header=False,
        columns=(("id", "bigint"), ("email", "string")),
        partition_keys=(("region", "string"),),
        skip_reason=None,
        catalog_format="csv",
    )
    assert table.table_name == "sales.customers"
    assert table.read_options() == {
        "delimiter": ",",
        "header": False,
        "columns": ["id", "email"],
        "escape": None,
        "addquotes": None,
        "null_as": "",
    }
    assert table.column_types() == {"id": "bigint", "email": "string", "region": "string"}


def test_an_open_csv_table_with_a_header_line_and_a_semicolon():
    table = describe_table("sales", OPEN_CSV)
    assert (table.location, table.format, table.delimiter, table.header, table.skip_reason) == (
        "s3://acme-lake/raw/orders/",
        "text",
        ";",
        True,
        None,
    )
    assert table.read_options() == {
        "delimiter": ";",
        "header": True,
        "columns": ["order_id", "card"],
        "escape": None,
        "addquotes": None,
        "null_as": "",
    }


def test_tab_and_hive_default_delimiters():
    storage = {**CRAWLED_CSV["StorageDescriptor"], "Parameters": {}}
    tabs = describe_table("sales", {**CRAWLED_CSV, "Parameters": {}, "StorageDescriptor": {
        **storage, "SerdeInfo": {**storage["SerdeInfo"], "Parameters": {"field.delim": "\t"}}}})  # fmt: skip
    assert (tabs.format, tabs.delimiter) == ("tsv", "\t")
    ctrl_a = describe_table("sales", {**CRAWLED_CSV, "Parameters": {}, "StorageDescriptor": {
        **storage, "SerdeInfo": {**storage["SerdeInfo"], "Parameters": {}}}})  # fmt: skip
    assert (ctrl_a.format, ctrl_a.delimiter) == ("text", "\x01")  # LazySimpleSerDe's default
    escaped = describe_table("sales", {**CRAWLED_CSV, "Parameters": {}, "StorageDescriptor": {
        **storage, "SerdeInfo": {**storage["SerdeInfo"], "Parameters": {"field.delim": "\\t"}}}})  # fmt: skip
    assert (escaped.format, escaped.delimiter) == ("tsv", "\t")


def test_parquet_and_json_tables_need_no_read_options():
    parquet = describe_table("sales", PARQUET)
    assert parquet == CatalogTable(
        "sales",
        "payments",
        "s3://acme-lake/curated/payments/",
        "parquet",
        columns=(("card_number", "string"), ("amount", "decimal(10,2)")),
        partition_keys=(("dt", "date"),),
        catalog_format="parquet",
    )
    assert parquet.read_options() is None
    json_table = describe_table("sales", JSON)
    assert (json_table.location, json_table.format, json_table.skip_reason) == (
        "file:///srv/lake/tickets/",
        "json",
        None,
    )
    assert json_table.read_options() is None
    assert json_table.column_types() == {"body": "string", "customer": "struct<name:string>"}


def test_orc_views_and_other_locations_are_skipped_with_the_reason():
    orc = describe_table("sales", ORC)
    assert (orc.location, orc.format, orc.catalog_format, orc.skip_reason) == (
        "s3://acme-lake/orc/events/",
        None,
        "orc",
        "ORC tables are not supported yet (classification orc, SerDe org.apache.hadoop.hive.ql.io.orc.OrcSerde)",
    )
    view = describe_table("sales", VIEW)
    assert (view.location, view.format, view.catalog_format, view.skip_reason) == (
        None,
        None,
        "view",
        "Glue view (TableType VIRTUAL_VIEW): it has no data of its own; scan the tables it reads",
    )
    hdfs_storage = {**PARQUET["StorageDescriptor"], "Location": "hdfs://nn:8020/warehouse/p"}
    hdfs = describe_table("sales", {**PARQUET, "StorageDescriptor": hdfs_storage})
    assert hdfs.skip_reason == "location scheme hdfs:// is not supported (only s3:// and file:// locations are read)"
    avro_storage = {
        **ORC["StorageDescriptor"],
        "SerdeInfo": {"SerializationLibrary": "org.apache.hadoop.hive.serde2.avro.AvroSerDe"},
        "InputFormat": "org.apache.hadoop.hive.ql.io.avro.AvroContainerInputFormat",
    }
    avro = describe_table("sales", {**ORC, "Parameters": {}, "StorageDescriptor": avro_storage})
    assert avro.skip_reason == (
        "Avro tables are not supported yet (classification (none), SerDe org.apache.hadoop.hive.serde2.avro.AvroSerDe)"
    )
    iceberg = describe_table("sales", {**PARQUET, "Parameters": {"table_type": "ICEBERG"}})
    assert iceberg.skip_reason == (
        "Iceberg table: its metadata decides which data files are live; Glue table formats are not supported yet"
    )
    regex = describe_table("sales", {**JSON, "Parameters": {}, "StorageDescriptor": {**JSON["StorageDescriptor"],
        "SerdeInfo": {"SerializationLibrary": "org.apache.hadoop.hive.serde2.RegexSerDe"},
        "InputFormat": "com.example.LogInputFormat"}})  # fmt: skip
    assert regex.skip_reason == (
        "format not supported: classification (none), SerDe org.apache.hadoop.hive.serde2.RegexSerDe, "
        "InputFormat com.example.LogInputFormat"
    )


# --- planning ------------------------------------------------------------------------------------------------------


class FakeGlue:
    """GetTables / GetTable over fixed tables; unknown databases and tables raise the service's error."""

    def __init__(
        self,
        databases: dict[str, list[dict[str, Any]]],
        denied: frozenset[str] = frozenset(),
        partitions: dict[str, list[str | None]] | None = None,
    ) -> None:
        """``partitions``: table name -> its partitions' locations (GetPartitions); a table absent: denied."""
        self.databases = databases
        self.denied = denied
        self.partitions = partitions
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def _check(self, database: str) -> None:
        if database in self.denied:
            raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}}, "GetTables")
        if database not in self.databases:
            raise ClientError({"Error": {"Code": "EntityNotFoundException", "Message": "gone"}}, "GetTables")

    def get_table(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("get_table", kwargs))
        self._check(kwargs["DatabaseName"])
        for table in self.databases[kwargs["DatabaseName"]]:
            if table["Name"] == kwargs["Name"]:
                return {"Table": table}
        raise ClientError({"Error": {"Code": "EntityNotFoundException", "Message": "gone"}}, "GetTable")

    def get_paginator(self, name: str) -> Any:
        if name == "get_partitions":
            return SimpleNamespace(paginate=self._partitions)
        assert name == "get_tables"
        return self

    def _partitions(self, **kwargs: Any) -> list[dict[str, Any]]:
        self.calls.append(("get_partitions", kwargs))
        if self.partitions is None:
            return [{"Partitions": []}]
        if kwargs["TableName"] not in self.partitions:
            raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}}, "GetPartitions")
        return [
            {"Partitions": [{"StorageDescriptor": {"Location": location} if location else {}}]}
            for location in self.partitions[kwargs["TableName"]]
        ]

    def paginate(self, **kwargs: Any) -> list[dict[str, Any]]:
        self.calls.append(("get_tables", kwargs))
        self._check(kwargs["DatabaseName"])
        tables = self.databases[kwargs["DatabaseName"]]
        return [{"TableList": tables[:2]}, {"TableList": tables[2:]}]  # two pages


WHEN = datetime(2026, 2, 1, tzinfo=UTC)


def fake_listing(objects: dict[str, list[tuple[str, int]]]):
    listed: list[str] = []

    def list_location(location: str) -> Plan:
        listed.append(location)
        plan = Plan()
        for name, size in objects.get(location, []):
            planned = PlannedObject(location + name, size, WHEN, "eu-west-1", location, "s3")
            (plan.objects if size else plan.skipped).append(
                planned
                if size
                else PlannedObject(location + name, 0, WHEN, "eu-west-1", location, "s3", "empty object")
            )
        return plan

    return list_location, listed


def test_plan_catalog_marks_objects_and_records_every_table_not_read():
    second = {**PARQUET, "Name": "payments_copy"}  # same location: scanned once
    glue = FakeGlue({"sales": [CRAWLED_CSV, ORC, VIEW, PARQUET, second]})
    list_location, listed = fake_listing(
        {
            "s3://acme-lake/raw/customers/": [
                ("region=eu/part-0000.csv", 120),
                ("_SUCCESS", 0),
                ("region=us/.x.crc", 8),
            ],
            "s3://acme-lake/curated/payments/": [("dt=2026-01-01/part-0.snappy.parquet", 900)],
        }
    )
    catalog = plan_catalog([parse_source("glue://sales?catalog_id=123456789012")], list_location, lambda: glue)
    assert glue.calls == [
        ("get_tables", {"DatabaseName": "sales", "CatalogId": "123456789012"}),
        ("get_partitions", {"DatabaseName": "sales", "TableName": "customers", "CatalogId": "123456789012"}),
        ("get_partitions", {"DatabaseName": "sales", "TableName": "payments", "CatalogId": "123456789012"}),
    ]
    assert listed == ["s3://acme-lake/raw/customers/", "s3://acme-lake/curated/payments/"]
    csv_options = json.dumps(describe_table("sales", CRAWLED_CSV).read_options(), sort_keys=True)
    base, pay = "s3://acme-lake/raw/customers/", "s3://acme-lake/curated/payments/"
    assert catalog.plan.objects == [
        PlannedObject(base + "region=eu/part-0000.csv", 120, WHEN, "eu-west-1", base, "glue", None, "sales.customers",
                      read_options=csv_options),
        PlannedObject(pay + "dt=2026-01-01/part-0.snappy.parquet", 900, WHEN, "eu-west-1", pay, "glue", None,
                      "sales.payments"),
    ]  # fmt: skip
    assert [(o.uri, o.source_kind, o.table_name, o.reason) for o in catalog.plan.skipped] == [
        (base + "region=us/.x.crc", "glue", "sales.customers",
         "hidden file (name starts with '_' or '.'): not table data for Athena or Hive"),
        (base + "_SUCCESS", "glue", "sales.customers", "empty object"),
    ]  # fmt: skip
    assert [(o.uri, o.format, o.status, o.reason, o.table_name) for o in catalog.not_read] == [
        ("glue://sales/active_customers?catalog_id=123456789012", "view", "skipped",
         "Glue view (TableType VIRTUAL_VIEW): it has no data of its own; scan the tables it reads",
         "sales.active_customers"),
        ("s3://acme-lake/orc/events/", "orc", "skipped",
         "ORC tables are not supported yet (classification orc, SerDe org.apache.hadoop.hive.ql.io.orc.OrcSerde)",
         "sales.events"),
        (pay, "parquet", "skipped", "same location as Glue table sales.payments, scanned once under that table",
         "sales.payments_copy"),
    ]  # fmt: skip
    assert catalog.plan.column_types == {
        (base, "id"): "bigint",
        (base, "email"): "string",
        (base, "region"): "string",
        (pay, "card_number"): "string",
        (pay, "amount"): "decimal(10,2)",
        (pay, "dt"): "date",
    }


def test_missing_and_denied_databases_and_tables_are_error_rows():
    glue = FakeGlue({"sales": [CRAWLED_CSV], "hr": []}, denied=frozenset({"hr"}))
    list_location, _ = fake_listing({})
    sources = [parse_source(s) for s in ("glue://nope", "glue://hr", "glue://sales/missing", "glue://sales/customers")]
    catalog = plan_catalog(sources, list_location, lambda: glue)
    assert [(o.uri, o.source_kind, o.format, o.status, o.reason, o.table_name) for o in catalog.not_read] == [
        ("glue://nope", "glue", "database", "error", "Glue database nope does not exist", None),
        ("glue://hr", "glue", "database", "error", "access denied to Glue database hr (AccessDeniedException): the "
         "scan role needs glue:GetTables / glue:GetTable", None),
        ("glue://sales/missing", "glue", "table", "error", "Glue table sales.missing does not exist", "sales.missing"),
        ("s3://acme-lake/raw/customers/", "glue", "csv", "skipped", "no objects under the table's location",
         "sales.customers"),
    ]  # fmt: skip
    assert glue.calls[-2:] == [
        ("get_table", {"DatabaseName": "sales", "Name": "customers"}),
        ("get_partitions", {"DatabaseName": "sales", "TableName": "customers"}),
    ]


def test_partitions_outside_the_location_are_listed_as_part_of_the_table():
    base, elsewhere = "s3://acme-lake/raw/customers/", "s3://acme-archive/customers-2019/"
    glue = FakeGlue(
        {"sales": [CRAWLED_CSV]},
        partitions={"customers": [f"{base}region=eu", elsewhere.rstrip("/"), None, "hdfs://nn/x/", elsewhere]},
    )
    list_location, listed = fake_listing({base: [("region=eu/part-0.csv", 10)], elsewhere: [("part-0.csv", 20)]})
    catalog = plan_catalog([parse_source("glue://sales")], list_location, lambda: glue)
    assert listed == [base, elsewhere]
    assert [(o.uri, o.dataset, o.table_name) for o in catalog.plan.objects] == [
        (f"{base}region=eu/part-0.csv", base, "sales.customers"),
        (f"{elsewhere}part-0.csv", base, "sales.customers"),  # one asset: the table
    ]
    assert catalog.not_read == []


def test_partitions_that_cannot_be_listed_are_an_error_row_and_the_location_is_still_scanned():
    base = "s3://acme-lake/raw/customers/"
    glue = FakeGlue({"sales": [CRAWLED_CSV]}, partitions={})
    list_location, _ = fake_listing({base: [("region=eu/part-0.csv", 10)]})
    catalog = plan_catalog([parse_source("glue://sales")], list_location, lambda: glue)
    assert [o.uri for o in catalog.plan.objects] == [f"{base}region=eu/part-0.csv"]
    assert [(o.uri, o.status, o.reason) for o in catalog.not_read] == [
        (base, "error", "glue:GetPartitions failed (ClientError: An error occurred (AccessDeniedException) when "
         "calling the GetPartitions operation: no): partitions outside the table's location not scanned"),
    ]  # fmt: skip


def test_no_glue_source_means_no_catalog_call():
    def explode() -> object:
        raise AssertionError("the Glue client must not be created")

    catalog = plan_catalog([], lambda location: Plan(), explode)
    assert (catalog.plan, catalog.not_read) == (Plan(), [])


# --- reading -------------------------------------------------------------------------------------------------------


def test_a_headerless_csv_named_file_with_read_options_gets_the_catalog_names(tmp_path):
    path = tmp_path / "part-0000.csv"
    path.write_text("1,alpha\n2,beta\n")
    options = describe_table("sales", CRAWLED_CSV).read_options()
    reader = ObjectReader(pafs.LocalFileSystem(), str(path), guess_from_name(str(path)), Limits(None, None), options)
    assert reader.open().format == "delimited"
    batches = [{name: values.to_pylist() for name, values in columns} for columns in reader.columns()]
    assert batches == [{"id": ["1", "2"], "email": ["alpha", "beta"]}]
    assert (reader.report.rows, reader.report.columns) == (2, ["id", "email"])


def test_a_csv_with_a_header_line_skips_it_and_keeps_the_catalog_names(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text("ORDER,CARD\n7;x\n8;y\n".replace("ORDER,CARD", "ORDER;CARD"))
    options = describe_table("sales", OPEN_CSV).read_options()
    reader = ObjectReader(pafs.LocalFileSystem(), str(path), guess_from_name(str(path)), Limits(None, None), options)
    reader.open()
    batches = [{name: values.to_pylist() for name, values in columns} for columns in reader.columns()]
    assert batches == [{"order_id": ["7", "8"], "card": ["x", "y"]}]
