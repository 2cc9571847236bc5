"""``make accuracy``: column- and object-level accuracy of the scan job on a labelled synthetic estate.

``python -m bench.accuracy`` generates the estate (:mod:`bench.accuracy.generator`), runs the real scan job
on it, scores the findings against the labels (:mod:`bench.accuracy.metrics`), runs the Presidio baseline
(:mod:`bench.accuracy.presidio_baseline`) and writes its figures into BENCHMARKS.md between the markers
below. ``make bench`` rewrites the rest of that file and carries this block over.

This module imports nothing heavy, so ``bench`` can use the helpers without Spark or Presidio.
"""

from __future__ import annotations

START = "<!-- accuracy:start -->"
END = "<!-- accuracy:end -->"

__all__ = ["END", "START", "extract_block", "replace_block"]


def extract_block(document: str) -> str | None:
    """The accuracy block of ``document``, markers included, or None when it has no complete block."""
    start = document.find(START)
    end = document.find(END, start + len(START)) if start >= 0 else -1
    if start < 0 or end < 0:
        return None
    return document[start : end + len(END)]


def replace_block(document: str, block: str) -> str:
    """``document`` with its accuracy block replaced by ``block`` (markers included), or ``block`` appended
    after a blank line when it has none. Text outside the markers is kept byte for byte."""
    current = extract_block(document)
    if current is not None:
        start = document.find(START)
        return document[:start] + block + document[start + len(current) :]
    if not document:
        return block + "\n"
    separator = "" if document.endswith("\n\n") else ("\n" if document.endswith("\n") else "\n\n")
    return document + separator + block + "\n"
