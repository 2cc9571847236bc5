"""The detection library: declared detectors, the vectorized Arrow engine and column scoring (no Spark)."""
