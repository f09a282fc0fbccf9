"""Data layer: read a source, validate every table, and hold the result as a Dataset."""
