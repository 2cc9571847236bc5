"""Choosing a sample spread over an ordered whole: objects of a dataset, row groups of a Parquet file."""

from __future__ import annotations


def evenly_spread(count: int, limit: int | None) -> list[int]:
    """Up to ``limit`` of the indices ``0..count-1``, evenly spaced with the first and last included.

    The ends matter: in key or row order they are the oldest and newest partitions or rows. ``limit`` None
    (no sampling) or at least ``count`` keeps every index.
    """
    if limit is None or count <= limit:
        return list(range(count))
    if limit == 1:
        return [count - 1]
    last = count - 1
    return sorted({round(i * last / (limit - 1)) for i in range(limit)})
