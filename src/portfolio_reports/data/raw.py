"""A data source's tables as read: text frames, where each row came from, and shared helpers."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

import pandas as pd

from portfolio_reports.data.limits import (
    ROWS_LISTED,
)
from portfolio_reports.data.schema import OPTIONAL_TABLES, TABLE_MODELS
from portfolio_reports.text import (
    counted,
    plural,
    quoted,
)


@dataclass(frozen=True)
class TableLocation:
    """How a problem names one table of a source, and a row of it."""

    label: str
    row_word: str = "row"
    first_row: int = 1

    def row(self, index: int) -> str:
        """The row of a 0-based frame index, e.g. 'sales.csv line 14' or 'table sales row 13'."""
        return f"{self.label} {self.row_word} {int(index) + self.first_row}"

    def rows(self, indices: Iterable[int]) -> str:
        """Rows of 0-based frame indices: one as `row` does; several counted, the first listed.

        E.g. 'sales.csv, 4 rows (lines 2, 3, 5, 9)', or '(lines 2, 3, ..., 11 and 176 more)'.
        """
        numbers = sorted({int(index) + self.first_row for index in indices})
        if len(numbers) == 1:
            return f"{self.label} {self.row_word} {numbers[0]}"
        listed = ", ".join(str(number) for number in numbers[:ROWS_LISTED])
        rest = len(numbers) - ROWS_LISTED
        more = f" and {rest:,} more" if rest > 0 else ""
        words = plural(len(numbers), self.row_word)
        return f"{self.label}, {counted(len(numbers), 'row')} ({words} {listed}{more})"

    def by_cause(self, found: Iterable[tuple[int, str]]) -> list[str]:
        """One problem line per cause, from (row index, cause) pairs, in the order first found.

        A cause is the text after the place, e.g. ", column market: value 'X' not allowed"; the
        rows sharing it are counted and listed as `rows` does.
        """
        rows: dict[str, list[int]] = {}
        for index, cause in found:
            rows.setdefault(cause, []).append(index)
        return [f"{self.rows(indices)}{cause}" for cause, indices in rows.items()]


@dataclass(frozen=True)
class RawTable:
    """One table as text, or no frame and the problems that stopped the read."""

    location: TableLocation
    frame: pd.DataFrame | None
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class RawSource:
    """Every table of a source as read, and a hash that changes when any of them does."""

    tables: dict[str, RawTable]
    fingerprint: str


class Source(Protocol):
    """A kind of data source: reads every table as text, writes typed tables."""

    def read(self, location: str) -> RawSource:
        """Read every table; raise DataError when the source itself cannot be read."""

    def fingerprint(self, location: str) -> str | None:
        """The fingerprint `read` gives, when it is cheap to compute without reading; else None."""

    def write(self, tables: Mapping[str, pd.DataFrame], location: str) -> None:
        """Write typed tables, replacing a file source whole or a database's tables by name."""


def content_hash(tables: Mapping[str, RawTable]) -> str:
    """Hash of every table's text, for sources that are not files."""
    digest = hashlib.sha256()
    for name, table in tables.items():
        if table.frame is not None:
            text = table.frame.to_csv(index=False, lineterminator="\n")
            digest.update(name.encode() + b"\0" + text.encode() + b"\0")
    return digest.hexdigest()


def absent_table(name: str, location: TableLocation, problem: str) -> RawTable:
    """A table the source lacks: empty when the table is optional, else a problem."""
    if name in OPTIONAL_TABLES:
        columns = list(TABLE_MODELS[name].to_schema().columns)
        return RawTable(location, pd.DataFrame(columns=columns, dtype=object))
    return RawTable(location, None, [problem])


def expected_columns(name: str) -> str:
    return ", ".join(TABLE_MODELS[name].to_schema().columns)


def key_columns(name: str) -> list[str]:
    """The columns that identify a row: the model's unique key, or its first unique column."""
    schema = TABLE_MODELS[name].to_schema()
    unique = [column for column, spec in schema.columns.items() if spec.unique]
    return list(schema.unique or unique[:1])


def repeated_columns(names: list[str], where: str, name: str) -> list[str]:
    """One problem per column name that a header row holds more than once."""
    return [
        f"{where}: column {quoted(column)} appears more than once;"
        f" expected columns: {expected_columns(name)}"
        for column in sorted({column for column in names if names.count(column) > 1})
    ]


def blank(value: object) -> bool:
    return value is None or value == ""
