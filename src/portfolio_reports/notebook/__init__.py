"""Notebook layer: what report notebooks call, one report object composed of page-area views."""
