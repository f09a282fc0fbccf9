"""Each section's `.frame` columns, declared beside the section and shown in its help."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import TypeVar

Section = TypeVar("Section", bound=Callable[..., object])

MONEY = "{money}"
"""In a header: the data's currency and unit (`Money.label`), e.g. "Product sales ({money})"."""
BY = "{by}"
"""The header of the values the section's `by` argument names (`columns.HEADERS`)."""
LOCAL = "{local}"
"""The header of programmes run in one market: "Run in" and the page's market or region."""
MARKER_TEXT = {
    MONEY: "*currency unit*",
    BY: "*the header of `by`*",
    LOCAL: "*Run in one market, or Run in the page's market or region*",
}
"""How the reference shows each stand-in."""

FRAME_COLUMNS: dict[str, tuple[str, ...]] = {}
"""Each section's `.frame` columns, by section name, as `frame_columns` declared them."""


def frame_columns(*columns: str) -> Callable[[Section], Section]:
    """Declare a section's `.frame` columns: listed in FRAME_COLUMNS and in its docstring.

    Each column is its header; `<...>` stands for one column or more named by the data (one per
    market, say), `[name: when]` for a column present only then, and MONEY, BY and LOCAL for the
    parts of a header that depend on the data, the call or the page.
    """

    def declare(section: Section) -> Section:
        FRAME_COLUMNS[section.__name__] = columns
        listed = ", ".join(map(_shown, columns)) or "none: the section is text, its frame empty"
        doc = inspect.cleandoc(section.__doc__ or "")
        section.__doc__ = f"{doc}\n\n`.frame` columns: {listed}."
        return section

    return declare


def _shown(column: str) -> str:
    """A declared column as the reference shows it."""
    for marker, text in MARKER_TEXT.items():
        column = column.replace(marker, text)
    if column.startswith("<"):
        return f"*{column.strip('<>')}*"
    if column.startswith("["):
        name, _, when = column.strip("[]").partition(": ")
        return f"{name} ({when})"
    return column
