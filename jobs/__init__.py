"""The Spark jobs (scan) and the Spark-side modules they compose: sources, readers, findings store."""
