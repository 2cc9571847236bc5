"""RDS / Aurora snapshot exports: recognising roots, merging metadata, mapping objects to tables, planning.

The layouts and metadata keys follow /work/shared/reference/aws-formats.md section 1; every value is invented.
"""

import json
from pathlib import Path
from typing import Any

import pytest

from jobs.config import Sampling
from jobs.planner import PlannedObject, plan_scan
from jobs.rds_export import (
    RdsExport,
    TableProblem,
    TableRef,
    export_roots,
    is_metadata_name,
    load_export,
    table_dataset,
    table_name_of,
)

ROOT = "s3://b/exports/export-1/"


def mapping(column: str, original: str, exported: str) -> dict[str, Any]:
    return {
        "columnName": column,
        "originalType": original,
        "expectedExportedType": exported,
        "originalCharMaxLength": 0,
        "originalNumPrecision": 0,
        "originalDateTimePrecision": 0,
    }


def table(target: str, status: str, *mappings: object, **extra: Any) -> dict[str, Any]:
    """A perTableStatus entry; ``mappings`` may be malformed on purpose (not objects), as some tests need."""
    return {
        "tableStatistics": {"partitioningInfo": {"numberOfPartitions": 2, "numberOfCompletedPartitions": 2}},
        "schemaMetadata": {"originalTypeMappings": list(mappings)},
        "status": status,
        "sizeGB": 0.0,
        "target": target,
        "someFutureKey": {"ignored": True},
        **extra,
    }


def write_json(path: Path, document: Any) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    return f"file://{path}"


def test_export_roots_are_folders_holding_an_export_info_file() -> None:
    uris = [
        f"{ROOT}export_info_export-1.json",
        f"{ROOT}export_tables_info_export-1_from_1_to_2.json",
        f"{ROOT}shop/public.customers/1/part-00000-a.gz.parquet",
        "s3://b/exports/other/export_tables_info_other_from_1_to_1.json",  # no export_info: not recognised
        "s3://b/plain/data.csv",
        "s3://b/x/nested/export_info_x.json",
    ]
    assert export_roots(uris) == [ROOT, "s3://b/x/nested/"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("export_info_export-1.json", True),
        ("export_tables_info_export-1_from_1_to_96.json", True),
        ("export_info.json", False),
        ("export_info_export-1.json.bak", False),
        ("part-00000-a.gz.parquet", False),
    ],
)
def test_metadata_names(name: str, expected: bool) -> None:
    assert is_metadata_name(f"{ROOT}{name}") is expected


@pytest.mark.parametrize(
    ("database", "folder", "name"),
    [
        ("shop", "public.customers", "shop.public.customers"),  # PostgreSQL: schema.table
        ("rdststdb", "rdststdb.DataInsert_7ADB5D19965123A2", "rdststdb.DataInsert_7ADB5D19965123A2"),  # MySQL
        ("shop", "shopping.carts", "shop.shopping.carts"),  # a schema merely starting like the database
    ],
)
def test_table_name_of_a_folder(database: str, folder: str, name: str) -> None:
    assert table_name_of(database, folder) == name


@pytest.mark.parametrize(
    ("target", "dataset"),
    [
        ("shop.public.customers", f"{ROOT}shop/public.customers/"),
        ("rdststdb.orders", f"{ROOT}rdststdb/rdststdb.orders/"),
        ('shop.public.my "odd" table', f"{ROOT}shop/public.my__odd__table/"),  # AWS writes these chars as '_'
    ],
)
def test_table_dataset_of_a_target(target: str, dataset: str) -> None:
    assert table_dataset(ROOT, target) == dataset


def test_objects_map_to_their_table_with_batch_folders_collapsed() -> None:
    export = RdsExport(ROOT, targets={f"{ROOT}app/app.users/": "app.app.users"})
    customers = TableRef(f"{ROOT}shop/public.customers/", "shop.public.customers")
    assert export.table_of(f"{ROOT}shop/public.customers/1/part-00000-c5a8.gz.parquet") == customers
    assert export.table_of(f"{ROOT}shop/public.customers/1/part-00003-9f1e.gz.parquet") == customers  # a gap
    assert export.table_of(f"{ROOT}shop/public.customers/2/part-00001-77aa.gz.parquet") == customers
    assert export.table_of(f"{ROOT}shop/public.customers/1/_SUCCESS") == customers
    # older naming: parts directly in the table folder
    assert export.table_of(f"{ROOT}legacy/legacy.accounts/part-00000-e3b0.gz.parquet") == TableRef(
        f"{ROOT}legacy/legacy.accounts/", "legacy.accounts"
    )
    # a PostgreSQL schema named like its database: the metadata's target names it, not the folder heuristic
    assert export.table_of(f"{ROOT}app/app.users/1/part-00000-0001.gz.parquet") == TableRef(
        f"{ROOT}app/app.users/", "app.app.users"
    )
    assert export.table_of(f"{ROOT}README.txt") is None
    assert export.table_of(f"{ROOT}shop/notes.txt") is None


def test_metadata_files_are_merged(tmp_path: Path) -> None:
    root = f"file://{tmp_path}/"
    info = write_json(
        tmp_path / "export_info_export-1.json", {"exportTaskIdentifier": "export-1", "status": "COMPLETE"}
    )
    first = write_json(
        tmp_path / "export_tables_info_export-1_from_1_to_2.json",
        {
            "perTableStatus": [
                table(
                    "shop.public.customers",
                    "COMPLETE",
                    mapping("id", "bigint", "int64"),
                    mapping("email", "character varying", "string"),
                    mapping("created_at", "timestamp with time zone", "string"),
                ),
                table("shop.public.audit", "FAILED", errorMessage="Export of table failed at row 12345678"),
            ]
        },
    )
    second = write_json(
        tmp_path / "export_tables_info_export-1_from_3_to_4.json",
        {
            "perTableStatus": [
                table("legacy.accounts", "COMPLETE", mapping("card_number", "varchar", "string")),
                table("shop.public.tmp_sessions", "SKIPPED"),
                {"warningMessage": "Some tables were skipped: unlogged tables are not exported", "target": "shop"},
            ],
            "unknownTopLevelKey": 1,
        },
    )
    export = load_export(root, [info, first, second, f"{root}shop/public.customers/1/part-0.gz.parquet"], None)
    assert export.metadata_reasons == {
        info: ("skipped", "RDS export metadata"),
        first: ("skipped", "RDS export metadata"),
        second: ("skipped", "RDS export metadata"),
    }
    assert export.column_types == {
        (f"{root}shop/public.customers/", "id"): "bigint",
        (f"{root}shop/public.customers/", "email"): "character varying",
        (f"{root}shop/public.customers/", "created_at"): "timestamp with time zone",
        (f"{root}legacy/legacy.accounts/", "card_number"): "varchar",
    }
    assert export.targets == {
        f"{root}shop/public.customers/": "shop.public.customers",
        f"{root}shop/public.audit/": "shop.public.audit",
        f"{root}legacy/legacy.accounts/": "legacy.accounts",
        f"{root}shop/public.tmp_sessions/": "shop.public.tmp_sessions",
    }
    assert export.problems == [
        TableProblem(
            f"{root}shop/public.audit/",
            "shop.public.audit",
            "error",
            "RDS export: table shop.public.audit has status FAILED in export_tables_info: "
            "Export of table failed at row <redacted>",
        ),
        TableProblem(
            f"{root}shop/public.tmp_sessions/",
            "shop.public.tmp_sessions",
            "skipped",
            "RDS export: table shop.public.tmp_sessions has status SKIPPED in export_tables_info",
        ),
        TableProblem(
            f"{root}shop/",
            None,
            "skipped",
            "RDS export: warning for database shop: Some tables were skipped: unlogged tables are not exported",
        ),
    ]


def test_malformed_metadata_becomes_a_reason_never_a_crash(tmp_path: Path) -> None:
    root = f"file://{tmp_path}/"
    info = write_json(tmp_path / "export_info_export-1.json", {"status": "CANCELED", "percentProgress": 40})
    broken = write_json(tmp_path / "export_tables_info_export-1_from_1_to_2.json", '{"perTableStatus": [')
    shapeless = write_json(tmp_path / "export_tables_info_export-1_from_3_to_4.json", {"tables": []})
    odd = write_json(
        tmp_path / "export_tables_info_export-1_from_5_to_6.json",
        {
            "perTableStatus": [
                "not an object",
                {"status": "COMPLETE"},
                {"target": "shop.public.t", "schemaMetadata": {"originalTypeMappings": ["x", {"columnName": "a"}]}},
                table("shop.public.ok", "COMPLETE", {"columnName": "a", "originalType": "text"}, "junk"),
            ]
        },
    )
    export = load_export(root, [info, broken, shapeless, odd], None)
    assert export.metadata_reasons == {
        info: ("skipped", "RDS export metadata; export task status is CANCELED"),
        broken: (
            "error",
            "RDS export metadata: cannot be parsed: JSONDecodeError: Expecting value at line 1 column 21",
        ),
        shapeless: ("error", "RDS export metadata: cannot be parsed: no perTableStatus list"),
        odd: ("skipped", "RDS export metadata; 2 malformed perTableStatus entries ignored"),
    }
    assert export.column_types == {(f"{root}shop/public.ok/", "a"): "text"}
    assert export.problems == [
        TableProblem(
            f"{root}shop/public.t/",
            "shop.public.t",
            "skipped",
            "RDS export: table shop.public.t has no export status in export_tables_info",
        )
    ]


def test_plan_scan_reads_each_exported_table_as_one_dataset(tmp_path: Path) -> None:
    source = tmp_path / "exports"
    root = source / "export-1"
    write_json(root / "export_info_export-1.json", {"status": "COMPLETE"})
    tables_info = {
        "perTableStatus": [
            table("shop.public.customers", "COMPLETE", mapping("email", "character varying", "string")),
            table("shop.public.audit", "FAILED"),
        ]
    }
    write_json(root / "export_tables_info_export-1_from_1_to_2.json", tables_info)
    parts = [
        "shop/public.customers/1/part-00000-a.gz.parquet",
        "shop/public.customers/1/part-00002-b.gz.parquet",
        "shop/public.customers/2/part-00000-c.gz.parquet",
        "legacy/legacy.accounts/part-00000-d.gz.parquet",
    ]
    for part in parts:
        (root / part).parent.mkdir(parents=True, exist_ok=True)
        (root / part).write_bytes(b"PAR1")
    (root / "shop/public.customers/1/_SUCCESS").write_bytes(b"")
    (source / "other").mkdir()
    (source / "other" / "notes.csv").write_bytes(b"a\n1\n")

    plan = plan_scan([str(source)], Sampling(objects_per_dataset=2))

    base = f"file://{root}/"
    customers, legacy = f"{base}shop/public.customers/", f"{base}legacy/legacy.accounts/"
    got = [(p.uri, p.dataset, p.source_kind, p.table_name) for p in plan.objects]
    assert got == [
        (f"{base}{parts[3]}", legacy, "rds_export", "legacy.accounts"),
        (f"{base}{parts[0]}", customers, "rds_export", "shop.public.customers"),
        (f"{base}{parts[2]}", customers, "rds_export", "shop.public.customers"),
        (f"file://{source}/other/notes.csv", f"file://{source}/other/", "local", None),
    ]
    assert [(p.uri, p.source_kind, p.table_name, p.status, p.reason) for p in plan.skipped] == [
        (f"{base}export_info_export-1.json", "rds_export", None, "skipped", "RDS export metadata"),
        (f"{base}export_tables_info_export-1_from_1_to_2.json", "rds_export", None, "skipped", "RDS export metadata"),
        (f"{base}shop/public.customers/1/_SUCCESS", "rds_export", "shop.public.customers", "skipped", "empty object"),
        (
            f"{base}{parts[1]}",
            "rds_export",
            "shop.public.customers",
            "skipped",
            "sampling: 2 of 3 objects read in this dataset",
        ),
    ]
    assert plan.export_problems == [
        PlannedObject(
            f"{base}shop/public.audit/",
            0,
            None,
            None,
            f"{base}shop/public.audit/",
            "rds_export",
            "RDS export: table shop.public.audit has status FAILED in export_tables_info",
            "shop.public.audit",
            "error",
        )
    ]
    assert plan.column_types == {(customers, "email"): "character varying"}
    assert plan.listed == 8  # 2 metadata files, 4 parts, _SUCCESS and notes.csv
