"""Presentation layer: numbers as text, tables, charts, highlight sentences and HTML pages."""
