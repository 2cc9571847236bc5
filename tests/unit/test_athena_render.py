"""The Athena SQL files rendered for one output and database (no Spark, no Delta tables)."""

from __future__ import annotations

import re

import pytest

from jobs import athena_sql
from jobs.tables import FINDINGS

OUTPUT = "s3://acme-findings/piiscan/prod"


def test_render_holds_every_file_with_every_placeholder_substituted() -> None:
    sql = athena_sql.render(OUTPUT + "/", "piiscan")
    for path in athena_sql.sql_files():
        assert f"-- sql/athena/{path.name}\n" in sql
    assert "${" not in sql
    for table in ("findings", "assets", "runs"):
        assert (
            f"CREATE EXTERNAL TABLE IF NOT EXISTS piiscan.{table}\nLOCATION '{OUTPUT}/{table}/'\n"
            "TBLPROPERTIES ('table_type' = 'DELTA');"
        ) in sql
    for path in athena_sql.view_files():
        assert f"CREATE OR REPLACE VIEW piiscan.{athena_sql.view_name(path)} AS" in sql
    # tables first, then every view after the views it reads
    created: list[str] = []
    for statement in athena_sql.statements(sql)[1:]:
        name = re.search(r"piiscan\.(\w+)", statement)
        assert name is not None
        read = set(re.findall(r"piiscan\.(\w+)", statement)) - {name.group(1)}
        assert read <= set(created), (name.group(1), read - set(created))
        created.append(name.group(1))
    assert created[:3] == ["findings", "assets", "runs"]


def test_statements_are_one_per_create_without_comments() -> None:
    statements = athena_sql.statements(athena_sql.render(OUTPUT, "analytics_pii"))
    assert statements[0] == "CREATE DATABASE IF NOT EXISTS analytics_pii"
    assert len(statements) == 1 + 3 + len(athena_sql.view_files())
    assert all(statement.startswith("CREATE ") and "--" not in statement for statement in statements)
    assert len(athena_sql.view_statements("analytics_pii")) == len(athena_sql.view_files())


def test_current_findings_names_every_findings_column_in_order() -> None:
    (statement,) = [s for s in athena_sql.view_statements("piiscan") if "VIEW piiscan.current_findings " in s]
    listed = re.findall(r'^\s+f\.("?\w+"?),?$', statement, flags=re.MULTILINE)
    assert [name.strip('"') for name in listed] == FINDINGS.names


@pytest.mark.parametrize(
    "output",
    [
        "",
        "/tmp/out",
        "file:///tmp/out",
        "s3://",
        "s3://Bad_Bucket/base",
        "s3://bucket/base'; DROP TABLE x; --",
        "s3://bucket/with space",
        "s3://bucket//double",
        "s3://bucket/${database}",
    ],
)
def test_render_rejects_a_bad_output(output: str) -> None:
    with pytest.raises(ValueError, match="output"):
        athena_sql.render(output, "piiscan")


@pytest.mark.parametrize("database", ["", "PIIScan", "pii-scan", "1db", "db; drop", "db.x", "x" * 256])
def test_render_rejects_a_bad_database(database: str) -> None:
    with pytest.raises(ValueError, match="database"):
        athena_sql.render(OUTPUT, database)


def test_cli_prints_the_ddl_and_fails_cleanly(capsys: pytest.CaptureFixture[str]) -> None:
    assert athena_sql.main(["--output", OUTPUT, "--database", "piiscan"]) == 0
    assert capsys.readouterr().out == athena_sql.render(OUTPUT, "piiscan")
    assert athena_sql.main(["--output", OUTPUT, "--nul"]) == 0
    records = capsys.readouterr().out.split("\0")
    assert records[-1] == "" and records[:-1] == athena_sql.statements(athena_sql.render(OUTPUT, "piiscan"))
    assert athena_sql.main(["--output", "s3://bucket/x", "--database", "Bad"]) == 2
    assert "database 'Bad'" in capsys.readouterr().err
