"""Write the analyst notebooks (run from the repository root: `.venv/bin/python notebooks/make_notebooks.py`).

The notebooks are generated so that their cells stay reviewable here, and are saved without outputs. They hold
no logic: they import the package (jobs.duckdb_views, the Athena views in sql/athena/) and query its views.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

SETUP = """\
from jobs.duckdb_views import connect, default_output

OUTPUT = default_output()  # $PIISCAN_OUTPUT (the scan's --output), else demo-output/tables (make demo)
con = connect(OUTPUT)  # DuckDB over the Delta tables, with the same views as Athena (docs/athena.md)
print(f"reading {OUTPUT}")"""

NOTEBOOKS = {
    "estate_overview.ipynb": [
        new_markdown_cell(
            "# Estate overview\n\n"
            "What the latest scans found, bucket by bucket and column by column. The views are the Athena views "
            "(`sql/athena/`), run here by DuckDB over the scan's Delta tables; set `PIISCAN_OUTPUT` to the scan's "
            "`--output` (a folder or `s3://bucket/base`) before starting the kernel."
        ),
        new_code_cell(SETUP),
        new_markdown_cell("## Runs\n\nOnly `succeeded` and `succeeded_with_errors` runs count."),
        new_code_cell(
            'con.sql("""\n'
            "    SELECT run_id, started_at, status, scan_mode, objects_scanned, objects_unchanged, objects_failed,\n"
            "           findings\n"
            "    FROM piiscan.runs ORDER BY started_at DESC\n"
            '""").df()'
        ),
        new_markdown_cell(
            "## Current findings\n\nEach asset's findings from the latest successful run that covered it."
        ),
        new_code_cell(
            '((findings, assets),) = con.sql(\n'
            '    "SELECT count(*), count(DISTINCT asset) FROM piiscan.current_findings"\n'
            ").fetchall()\n"
            'print(f"current findings: {findings} in {assets} assets")'
        ),
        new_markdown_cell("## Buckets, most sensitive first"),
        new_code_cell(
            'con.sql("""\n'
            "    SELECT * FROM piiscan.buckets_by_score\n"
            "    ORDER BY score DESC, findings DESC, bucket\n"
            '""").df()'
        ),
        new_markdown_cell(
            "## PII columns by database\n\nDatabase tables (RDS exports, JDBC, Glue) by database; files by bucket."
        ),
        new_code_cell(
            'con.sql("""\n'
            '    SELECT * FROM piiscan.pii_columns_by_database ORDER BY database_name, dataset, "column"\n'
            '""").df()'
        ),
    ],
    "residency_review.ipynb": [
        new_markdown_cell(
            "# Residency review\n\n"
            "Personal data of EU/EEA data subjects held outside the `eu-*` regions (the `residency_violations` "
            "view: a simple rule, see docs/athena.md; the report job applies the full policy of "
            "`conf/report.yaml`), and where each jurisdiction's data lives."
        ),
        new_code_cell(SETUP),
        new_markdown_cell("## Violations"),
        new_code_cell(
            'violations = con.sql("SELECT * FROM piiscan.residency_violations ORDER BY since, asset").df()\n'
            'print(f"{len(violations)} assets hold EU/EEA personal data outside the eu-* regions")\n'
            "violations"
        ),
        new_markdown_cell(
            "## The same question under the report's policy\n\n"
            "The report job (`jobs.report_data.build_report`) applies every rule of `conf/report.yaml` (per "
            "jurisdiction and entity type, regions and accounts, unknown regions). Encryption status is not needed "
            "here, so no S3 call is made for it."
        ),
        new_code_cell(
            "from dataclasses import asdict\n"
            "from datetime import UTC, datetime\n\n"
            "import pandas as pd\n\n"
            "from jobs.report_config import load_report_config\n"
            "from jobs.report_data import build_report\n\n"
            "report = build_report(OUTPUT, load_report_config(), datetime.now(UTC), encryption=lambda bucket: None)\n"
            'print(f"policy (conf/report.yaml): {len(report.violations)} violations")\n'
            "pd.DataFrame([asdict(violation) for violation in report.violations])"
        ),
        new_markdown_cell("## Region by jurisdiction (current findings)"),
        new_code_cell(
            'matrix = con.sql("SELECT * FROM piiscan.residency_matrix").df()\n'
            'matrix.pivot_table(index="region", columns="jurisdiction", values="findings", fill_value=0)'
        ),
    ],
    "asset_drilldown.ipynb": [
        new_markdown_cell(
            "# One asset, in detail\n\n"
            "The objects behind an asset, its current findings with their evidence, and its history across runs. "
            "Set `PIISCAN_ASSET` to the asset's URI (as `findings.asset` names it); by default, the asset of the "
            "most sensitive, most confident current finding."
        ),
        new_code_cell(
            SETUP + "\n\n"
            "import os\n\n"
            'ASSET = os.environ.get("PIISCAN_ASSET") or con.sql("""\n'
            "    SELECT asset FROM piiscan.current_findings\n"
            "    ORDER BY CASE sensitivity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, confidence DESC, asset\n"
            "    LIMIT 1\n"
            '""").fetchall()[0][0]\n'
            'print(f"asset: {ASSET}")'
        ),
        new_markdown_cell("## Objects read for it (the run whose findings are current)"),
        new_code_cell(
            'con.sql("SELECT * FROM piiscan.current_objects WHERE asset = ? ORDER BY object_uri", params=[ASSET]).df()'
        ),
        new_markdown_cell("## Current findings and their evidence (no detected value: samples are masked)"),
        new_code_cell(
            'con.sql("""\n'
            '    SELECT "column", entity_type, confidence, decision, sensitivity, jurisdiction, match_ratio,\n'
            "           validator_pass_rate, matched_values, detectors, samples_masked, run_id, carried_from_run\n"
            "    FROM piiscan.current_findings WHERE asset = ?\n"
            '    ORDER BY confidence DESC, "column", entity_type\n'
            '""", params=[ASSET]).df()'
        ),
        new_markdown_cell(
            "## History\n\nEvery run that wrote findings for the asset (a run with no `status` never finished)."
        ),
        new_code_cell(
            'con.sql("""\n'
            "    SELECT f.run_id, r.started_at, r.status, count(*) AS findings,\n"
            "           list_sort(list_distinct(list(f.entity_type))) AS entity_types\n"
            "    FROM piiscan.findings AS f LEFT JOIN piiscan.runs AS r ON r.run_id = f.run_id\n"
            "    WHERE f.asset = ?\n"
            "    GROUP BY f.run_id, r.started_at, r.status ORDER BY min(f.scanned_at)\n"
            '""", params=[ASSET]).df()'
        ),
    ],
}


def main() -> None:
    """Write every notebook next to this script, without outputs."""
    for name, cells in NOTEBOOKS.items():
        notebook = new_notebook(
            cells=cells,
            metadata={
                "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                "language_info": {"name": "python"},
            },
        )
        for index, cell in enumerate(notebook.cells):
            cell.id = f"{Path(name).stem.replace('_', '-')}-{index}"  # stable ids: regenerating changes nothing
        nbformat.validate(notebook)
        nbformat.write(notebook, HERE / name)


if __name__ == "__main__":
    main()
