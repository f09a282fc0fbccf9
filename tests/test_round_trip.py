"""Every text value export-sample writes, to any kind of target, loads back unchanged."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from portfolio_reports.data.dataset import Dataset, export_dataset, load_dataset

from .conftest import _validated_tiny_tables

LEADS = ["", "=", "+", "-", "@", '"', "'", ",", " ", "\n", "=HYPERLINK(", "@SUM("]
"""Starts of text that a spreadsheet or a CSV reader may take for something else."""
TEXT = st.builds(
    str.__add__,
    st.sampled_from(LEADS),
    st.text(
        alphabet=st.characters(
            categories=("L", "M", "N", "P", "S", "Zs"), include_characters="\n,;\"'"
        ),
        max_size=30,
    ),
).filter(bool)
"""Text as a real extract holds it: letters of many scripts, punctuation, quotes, line breaks."""
TARGETS: dict[str, Callable[[Path, Callable[[], str]], tuple[str, str]]] = {
    "csv": lambda folder, _: (str(folder / "csv"), "csv"),
    "parquet": lambda folder, _: (str(folder / "parquet"), "parquet"),
    "xlsx": lambda folder, _: (str(folder / "x.xlsx"), "csv"),
    "sqlite": lambda folder, _: (f"sqlite:///{folder}/x.db", "csv"),
    "duckdb": lambda folder, _: (f"duckdb:///{folder}/x.duckdb", "csv"),
    "postgresql": lambda _, new_schema: (new_schema(), "csv"),
}
"""Where each kind of target goes, and the folder format it is written with."""


@pytest.mark.slow  # hypothesis writes and reads each format many times
@pytest.mark.parametrize(
    "kind",
    [
        pytest.param(kind, marks=pytest.mark.postgres) if kind == "postgresql" else kind
        for kind in TARGETS
    ],
)
@settings(max_examples=4, deadline=None)  # a database's first connection may take seconds
@given(values=st.lists(TEXT, min_size=3, max_size=3))
@example(values=['=HYPERLINK("https://evil.example","x")', "+1", "@cmd|' /C calc'!A0"])
@example(values=["line one\nline two", ' "quoted", ', "_x0041_ and\ttab"])
def test_text_loads_back_as_written(
    kind: str, values: list[str], new_postgres_schema: Callable[[], str]
) -> None:
    tables = {name: frame.copy() for name, frame in _validated_tiny_tables().items()}
    tables["products"]["reference_product"] = values
    dataset = Dataset(**tables)
    with tempfile.TemporaryDirectory() as folder:
        target, folder_format = TARGETS[kind](Path(folder), new_postgres_schema)
        export_dataset(dataset, target, folder_format)
        loaded = load_dataset(target).products
    by_product = dict(zip(loaded["product"], loaded["reference_product"], strict=True))
    assert [by_product[product] for product in tables["products"]["product"]] == values
