"""Benchmarks: ``make bench`` measures the engine and the Spark scan and writes BENCHMARKS.md."""
