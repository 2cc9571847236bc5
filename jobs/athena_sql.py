"""The Athena DDL and views over the scan's Delta tables (sql/athena/), rendered for one output and database.

``00_tables.sql`` registers ``findings``, ``assets`` and ``runs`` (Athena's native Delta reader); every other
file is one ``CREATE OR REPLACE VIEW`` in the SQL subset Athena (Trino) and DuckDB share, so the same views run
locally over the Delta tables (jobs/duckdb_views.py) and in the tests. Files run in name order: a view comes
after the views it reads. docs/athena.md describes each view.

    python -m jobs.athena_sql --output s3://bucket/base --database piiscan
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from jobs.resources import shipped

SQL_DIR = shipped("sql/athena")
TABLES_FILE = "00_tables.sql"  # Athena-only DDL: CREATE DATABASE and the external Delta tables
PLACEHOLDERS = ("${output}", "${database}")

# Athena (Glue) database names: lowercase letters, digits and underscores, at most 255 characters.
_DATABASE = re.compile(r"[a-z_][a-z0-9_]{0,254}")
# An S3 location: a valid bucket name and an optional key prefix without quotes, spaces or placeholders.
_OUTPUT = re.compile(r"s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/[A-Za-z0-9!_.*()/=+-]*)?")


def sql_files() -> list[Path]:
    """Every SQL file, in the order they must run (tables first, then views before the views that read them)."""
    files = sorted(SQL_DIR.glob("*.sql"))
    if not files or files[0].name != TABLES_FILE:
        raise FileNotFoundError(f"no {TABLES_FILE} in {SQL_DIR}")
    return files


def view_files() -> list[Path]:
    """The view files (all but the Athena-only table DDL), in order."""
    return [path for path in sql_files() if path.name != TABLES_FILE]


def view_name(path: Path) -> str:
    """The view a file creates: its name without the order prefix (``20_current_findings.sql`` -> ...)."""
    return re.sub(r"^\d+_", "", path.stem)


def check_database(database: str) -> str:
    """``database`` if it is a valid Athena database name, else ValueError."""
    if not _DATABASE.fullmatch(database):
        raise ValueError(
            f"database {database!r}: use lowercase letters, digits and underscores (Athena database names)"
        )
    return database


def check_output(output: str) -> str:
    """The scan's ``--output`` as an S3 location without a trailing slash, else ValueError."""
    location = output.rstrip("/")
    if not _OUTPUT.fullmatch(location) or "//" in location.removeprefix("s3://") or ".." in location:
        raise ValueError(f"output {output!r}: expected the scan's --output, an S3 location such as s3://bucket/base")
    return location


def render_file(path: Path, database: str, output: str | None = None) -> str:
    """One file with its placeholders substituted; ``output`` is needed only by the table DDL."""
    text = path.read_text().replace("${database}", check_database(database))
    if "${output}" in text:
        if output is None:
            raise ValueError(f"{path.name} needs the output location")
        text = text.replace("${output}", check_output(output))
    return text


def render(output: str, database: str) -> str:
    """The whole DDL for Athena: the tables, then every view, each file under a comment naming it."""
    location, name = check_output(output), check_database(database)
    parts = [f"-- sql/athena/{path.name}\n{render_file(path, name, location).strip()}\n" for path in sql_files()]
    return "\n".join(parts)


def statements(sql: str) -> list[str]:
    """The statements of rendered SQL, comments removed, without their ``;`` (Athena runs one per query)."""
    lines = [line for line in sql.splitlines() if not line.lstrip().startswith("--")]
    return [part.strip() for part in "\n".join(lines).split(";") if part.strip()]


def view_statements(database: str) -> list[str]:
    """The ``CREATE OR REPLACE VIEW`` statements, in order, for ``database``."""
    return [statement for path in view_files() for statement in statements(render_file(path, database))]


def main(argv: Sequence[str] | None = None) -> int:
    """Print the DDL (``--nul``: one statement per NUL-terminated record, for ``xargs -0``)."""
    parser = argparse.ArgumentParser(prog="python -m jobs.athena_sql", description=__doc__.splitlines()[0])
    parser.add_argument("--output", required=True, help="the scan's --output (s3://bucket/base)")
    parser.add_argument("--database", default="piiscan", help="the Athena (Glue) database (default: piiscan)")
    parser.add_argument("--nul", action="store_true", help="print bare statements, each ended by a NUL byte")
    args = parser.parse_args(argv)
    try:
        sql = render(args.output, args.database)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.nul:
        sys.stdout.write("".join(f"{statement}\0" for statement in statements(sql)))
    else:
        sys.stdout.write(sql)
    return 0


if __name__ == "__main__":
    sys.exit(main())
