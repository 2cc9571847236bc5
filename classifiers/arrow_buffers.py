"""Raw views of Arrow string arrays for the numpy fast paths (no Python string is built), and a cardinality probe."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc


def offsets_and_data(strings: pa.Array) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.uint8]]:
    """A string array's value offsets (``len + 1`` of them) and its UTF-8 data buffer, as numpy views."""
    _, offsets_buffer, data_buffer = strings.buffers()
    offsets = np.frombuffer(offsets_buffer, dtype=np.int32, count=len(strings) + 1, offset=strings.offset * 4)
    data = np.frombuffer(data_buffer, dtype=np.uint8) if data_buffer is not None else np.zeros(0, dtype=np.uint8)
    return offsets, data


DISTINCT_SAMPLE = 1024  # leading values whose distinct count few_distinct looks at


def few_distinct(strings: pa.Array) -> bool:
    """True for a batch of DISTINCT_SAMPLE values or more whose first DISTINCT_SAMPLE hold at most a quarter distinct.

    Such a column (statuses, countries, flags) is cheaper to test once per distinct value, through
    ``pc.dictionary_encode``, than value by value; for a column of distinct values the encoding costs more than the
    test it saves, so the probe looks first.
    """
    if len(strings) < DISTINCT_SAMPLE:
        return False
    return int(pc.count_distinct(strings.slice(0, DISTINCT_SAMPLE)).as_py()) * 4 <= DISTINCT_SAMPLE


def through_distinct(
    strings: pa.Array, compute: Callable[[pa.Array], tuple[npt.NDArray[np.bool_], ...]]
) -> tuple[npt.NDArray[np.bool_], ...]:
    """``compute`` (per-value masks) run over the distinct values of ``strings`` only, mapped back to every value."""
    encoded = pc.dictionary_encode(strings)
    indices = encoded.indices.to_numpy(zero_copy_only=False)
    return tuple(mask[indices] for mask in compute(encoded.dictionary))
