"""Peak memory while the scan job reads one object far larger than memory: reading must stream.

The object is a gzip log of ``decompressed_mb`` MB of lines, written as one block of generated lines compressed
once and repeated (concatenated gzip members are one valid gzip stream), so a multi-gigabyte object is written in
seconds. The scan job runs as users run it (``python -m jobs.scan --full-scan``, local[1], in a subprocess) while
the resident memory of its processes is sampled every 0.2 s: the driver, the JVM (driver and executor in local
mode) and the Python worker that reads, decompresses and scans the object.
"""

from __future__ import annotations

import gzip
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

from bench.mixed_estate import _lines_payload, log_lines

BLOCK_LINES = 200_000


@dataclass(frozen=True)
class MemoryPeak:
    """One scan of one big object."""

    decompressed_mb: float
    compressed_mb: float
    seconds: float
    worker_mb: float  # the largest Python worker's peak resident set
    jvm_mb: float
    driver_mb: float
    exit_code: int


def big_gzip_log(path: Path, decompressed_mb: float, seed: int = 17) -> float:
    """Write the log; returns its decompressed size in MB (a whole number of blocks, at least ``decompressed_mb``)."""
    block = bytes(_lines_payload(log_lines(BLOCK_LINES, seed)))
    member = gzip.compress(block, compresslevel=1)
    repeats = max(1, -(-int(decompressed_mb * 1e6) // len(block)))
    with path.open("wb") as out:
        for _ in range(repeats):
            out.write(member)
    return repeats * len(block) / 1e6


def _kind(process: psutil.Process, driver_pid: int) -> str | None:
    """Which of the job's processes this is: the driver, the JVM or a Python worker (None: another helper)."""
    if process.pid == driver_pid:
        return "driver"
    if "java" in process.name():
        return "jvm"
    return "worker" if "pyspark" in " ".join(process.cmdline()) else None


def scan_peak_memory(path: Path, workdir: Path, decompressed_mb: float) -> MemoryPeak:
    """Scan ``path`` in full with the scan job in a subprocess, sampling its process tree's memory."""
    command = [
        sys.executable,
        "-m",
        "jobs.scan",
        "--source",
        str(path),
        "--output",
        str(workdir / "tables"),
        "--full-scan",
        "--master",
        "local[1]",
        "--run-id",
        "memory",
    ]
    peaks = {"worker": 0, "jvm": 0, "driver": 0}
    start = time.perf_counter()
    with subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) as job:
        driver = psutil.Process(job.pid)
        while job.poll() is None:
            try:
                processes = [driver, *driver.children(recursive=True)]
            except psutil.Error:
                processes = []  # the job is ending
            for process in processes:
                try:
                    kind = _kind(process, job.pid)
                    if kind is not None:
                        peaks[kind] = max(peaks[kind], process.memory_info().rss)
                except psutil.Error:
                    pass  # it ended between listing and reading it
            time.sleep(0.2)
    return MemoryPeak(
        decompressed_mb,
        path.stat().st_size / 1e6,
        time.perf_counter() - start,
        peaks["worker"] / 1e6,
        peaks["jvm"] / 1e6,
        peaks["driver"] / 1e6,
        job.returncode,
    )
