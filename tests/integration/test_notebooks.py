"""The analyst notebooks executed end to end (nbclient, a python3 kernel on this interpreter) against a scan output.

The output is the analyst estate of tests/integration/analyst_estate.py (shared with test_athena_sql.py), not the
whole demo: fast. Each notebook must run without a cell error and print its key figure; the notebooks in git
carry no outputs.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from pyspark.sql import SparkSession

from tests.helpers import execute_notebook, kernel_env, printed
from tests.integration.analyst_estate import US_BUCKET, analyst_output

pytestmark = pytest.mark.spark

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
KEY_OUTPUT = {
    "estate_overview.ipynb": ("current findings: 8 in 5 assets",),
    "residency_review.ipynb": (
        "1 assets hold EU/EEA personal data outside the eu-* regions",  # the residency_violations view
        "policy (conf/report.yaml): 1 violations",  # the report job's policy agrees on this estate
    ),
    "asset_drilldown.ipynb": (f"asset: s3://{US_BUCKET}/logs/app.log",),
}


@pytest.fixture(scope="module")
def output(spark: SparkSession, s3_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return analyst_output(spark, s3_endpoint, tmp_path_factory.mktemp("analyst"))


@pytest.fixture
def kernel(tmp_path: Path, output: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A ``python3`` kernel spec running this interpreter, and the notebooks' variables."""
    for name, value in kernel_env(tmp_path, output).items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("PIISCAN_ASSET", raising=False)
    return tmp_path


def test_every_notebook_is_tested_and_saved_without_outputs() -> None:
    assert sorted(path.name for path in NOTEBOOKS.glob("*.ipynb")) == sorted(KEY_OUTPUT)
    for name in KEY_OUTPUT:
        notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
        nbformat.validate(notebook)
        code = [cell for cell in notebook.cells if cell.cell_type == "code"]
        assert all(not cell.outputs and cell.execution_count is None for cell in code), name
        assert any("from jobs." in cell.source for cell in code), name


@pytest.mark.parametrize("name", sorted(KEY_OUTPUT))
def test_notebook_runs_against_a_scan_output(name: str, kernel: Path) -> None:
    notebook = execute_notebook(NOTEBOOKS / name, kernel)
    for line in KEY_OUTPUT[name]:
        assert line in printed(notebook)
    errors = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors == []
    tables = [
        output
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.output_type == "execute_result" and "text/html" in output.get("data", {})
    ]
    assert tables, "every notebook shows at least one table"
