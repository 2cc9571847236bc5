"""Files shipped with the jobs: the default configurations (conf/) and the Athena SQL (sql/athena/).

In a checkout they sit at the top of the repository; in an installed wheel they live inside the package as
``jobs/conf`` and ``jobs/sql/athena`` (pyproject.toml maps them there), so a job run from Glue or EMR finds its
defaults without the source tree.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def shipped(relative: str) -> Path:
    """``relative`` (e.g. ``conf/scan.yaml``, ``sql/athena``) inside the installed package, else in the checkout."""
    packaged = _PACKAGE / relative
    return packaged if packaged.exists() else _PACKAGE.parent / relative
