"""The wheel's package list (pyproject.toml) names every package of the source tree, and the shipped files resolve."""

from __future__ import annotations

import tomllib
from pathlib import Path

from jobs.resources import shipped

ROOT = Path(__file__).resolve().parents[2]
NOT_SHIPPED = {"tests", "tests.unit", "tests.integration", "deploy", "notebooks"}


def test_every_package_of_the_tree_is_in_the_wheel() -> None:
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in ROOT.glob("**/__init__.py")
        if not any(part.startswith(".") or part in ("build", "dist") for part in init.relative_to(ROOT).parts)
    }
    mapped = set(setuptools["package-dir"])
    assert sorted(set(setuptools["packages"]) - mapped) == sorted(found - NOT_SHIPPED)
    assert setuptools["package-dir"] == {"jobs.conf": "conf", "jobs.sql.athena": "sql/athena"}


def test_shipped_files_resolve_to_the_checkout_outside_a_wheel() -> None:
    assert shipped("conf/scan.yaml") == ROOT / "conf" / "scan.yaml"
    assert shipped("sql/athena") == ROOT / "sql" / "athena"
    assert shipped("conf/scan.yaml").is_file()
