"""Demo support: a synthetic, generated data estate with known ground truth (see :mod:`demo.estate`)."""

from __future__ import annotations
