"""Column-name normalisation, so hints match ``customerEmail``, ``Customer-Email`` and ``CUSTOMER_EMAIL`` alike."""

from __future__ import annotations

import re

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NON_ALNUM = re.compile(r"[^0-9a-zA-Z]+")


def normalise_column_name(name: str) -> str:
    """Return ``name`` as lower snake_case: camelCase split, any run of other characters made one ``_``.

    Nested JSON paths (``customer.email``) and list markers (``tags[]``) become ``customer_email``, ``tags``.
    """
    snake = _CAMEL_BOUNDARY.sub("_", name)
    return _NON_ALNUM.sub("_", snake).strip("_").lower()
