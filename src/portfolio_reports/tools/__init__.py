"""Generators for the sample data, benchmarks and docs; never used by a build."""
