"""The many-small-tables generator (bench/small_tables.py): deterministic, the asked shape, the planted share."""

import re
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from bench.data import SENSITIVE_SHARE
from bench.small_tables import SENSITIVE, generate, generate_table
from classifiers.validators import luhn

TABLES, COLUMNS, ROWS = 3, 40, 200
SENSITIVE_VALUE = {
    "EMAIL_ADDRESS": re.compile(r"[a-z]{7}@example\.com"),
    "CREDIT_CARD": re.compile(r"4\d{15}"),
    "IP_ADDRESS": re.compile(r"\d{1,3}(\.\d{1,3}){3}"),
}


def files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.parquet"))}


def test_the_same_seed_writes_identical_files_and_another_seed_different_ones(tmp_path: Path) -> None:
    generate(tmp_path / "a", TABLES, COLUMNS, ROWS, seed=7)
    generate(tmp_path / "b", TABLES, COLUMNS, ROWS, seed=7)
    generate(tmp_path / "c", TABLES, COLUMNS, ROWS, seed=8)
    first = files(tmp_path / "a")
    assert first == files(tmp_path / "b")
    assert first.keys() == files(tmp_path / "c").keys()
    assert first != files(tmp_path / "c")


def test_one_folder_per_table_with_the_asked_columns_and_rows(tmp_path: Path) -> None:
    estate = generate(tmp_path, TABLES, COLUMNS, ROWS)
    folders = sorted(p.name for p in tmp_path.iterdir())
    assert folders == ["table_0000", "table_0001", "table_0002"]
    values = 0
    for folder in folders:
        (path,) = (tmp_path / folder).iterdir()
        table = pq.read_table(path)
        assert (table.num_columns, table.num_rows) == (COLUMNS, ROWS)
        assert len(set(table.column_names)) == COLUMNS
        values += sum(len(c) - c.null_count for c in table.columns)
    assert estate.cells == TABLES * COLUMNS * ROWS
    assert estate.values == values
    assert 0.9 * estate.cells < values < estate.cells  # some free-text comments are null, nothing else


def test_each_sensitive_column_holds_the_planted_share_and_clean_columns_none(tmp_path: Path) -> None:
    estate = generate(tmp_path, TABLES, 100, ROWS)
    assert len(estate.planted) == TABLES * 3  # 3 % of 100 columns
    assert {p.entity_type for p in estate.planted} == {entity for _, entity, _, _ in SENSITIVE}
    assert estate.sensitive_values == TABLES * 3 * round(SENSITIVE_SHARE * ROWS)
    planted = {(p.table, p.column): p for p in estate.planted}
    for folder in sorted(tmp_path.iterdir()):
        table = pq.read_table(next(folder.iterdir()))
        for name in table.column_names:
            values = [str(v) for v in table.column(name).to_pylist() if v is not None]
            found = {entity: sum(1 for v in values if regex.fullmatch(v)) for entity, regex in SENSITIVE_VALUE.items()}
            column = planted.get((folder.name, name))
            if column is None:
                assert sum(found.values()) == 0, name
                continue
            assert found[column.entity_type] == column.values == round(SENSITIVE_SHARE * ROWS)
            if column.entity_type == "CREDIT_CARD":
                cards = [v for v in values if SENSITIVE_VALUE["CREDIT_CARD"].fullmatch(v)]
                assert all(luhn(card, {}) for card in cards)


@pytest.mark.parametrize("columns", [1, 2, 40])
def test_small_shapes_still_plant_one_sensitive_column(columns: int) -> None:
    table = generate_table(5, columns, 50)
    assert table.data.num_columns == columns
    assert len(table.planted) == 1
    assert len(table.postgres_types) == columns
