"""DataFrames and lists as formatted, HTML-escaped fragments for notebooks and reports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from typing import Any
from urllib.parse import urlsplit

import pandas as pd

from portfolio_reports.formatting import MISSING, money, percent, signed_percent

NUMERIC_KINDS = frozenset({"money", "percent", "signed_percent", "int"})
"""Kinds shown right-aligned (cell class "num"); the rest are left-aligned (class "text")."""
LINK_SCHEMES = frozenset({"http", "https"})


@dataclass(frozen=True)
class Html:
    """An HTML fragment, already escaped, that Jupyter and the exported report show as is."""

    html: str

    def _repr_html_(self) -> str:
        return self.html


@dataclass(frozen=True)
class Table(Html):
    """A formatted HTML table, or the paragraph shown when there are no rows."""


def html_table(
    frame: pd.DataFrame,
    *,
    columns: dict[str, str] | None = None,
    formats: dict[str, str] | None = None,
    caption: str | None = None,
    empty: str = "None this quarter.",
) -> Table:
    """A table of `columns` (source -> header, in order; default all, index not shown), by kind."""
    formats = formats or {}
    unknown = sorted(set(formats.values()) - set(_FORMATTERS))
    if unknown:
        raise ValueError(f"unknown format {unknown}; use one of {sorted(_FORMATTERS)}")
    if frame.empty:
        return Table(_empty(empty))
    headers = columns if columns is not None else {name: str(name) for name in frame.columns}
    _check_columns(frame, [*headers, *formats])
    kinds = {name: formats.get(name) or _default_kind(frame[name]) for name in headers}
    classes = {name: "num" if kind in NUMERIC_KINDS else "text" for name, kind in kinds.items()}
    head = "".join(
        f'<th scope="col" class="{classes[name]}">{escape(header)}</th>'
        for name, header in headers.items()
    )
    body = "\n".join(
        "<tr>"
        + "".join(
            f'<td class="{classes[name]}">{_FORMATTERS[kinds[name]](value)}</td>'
            for name, value in zip(headers, row, strict=True)
        )
        + "</tr>"
        for row in frame[list(headers)].itertuples(index=False, name=None)
    )
    title = f"<caption>{escape(caption)}</caption>" if caption else ""
    return Table(
        f'<table class="data">{title}<thead><tr>{head}</tr></thead>\n'
        f"<tbody>\n{body}\n</tbody></table>"
    )


def bullet_list(lines: list[str], *, empty: str = "None this quarter.") -> Html:
    """An escaped bulleted list, one item per line."""
    if not lines:
        return Html(_empty(empty))
    items = "".join(f"<li>{escape(str(line))}</li>" for line in lines)
    return Html(f"<ul>{items}</ul>")


def _empty(text: str) -> str:
    """The paragraph that stands in for a table or list with nothing in it."""
    return f'<p class="empty">{escape(text)}</p>'


def _check_columns(frame: pd.DataFrame, names: list[str]) -> None:
    """Raise naming every requested column the frame lacks."""
    missing = [name for name in dict.fromkeys(names) if name not in frame.columns]
    if missing:
        raise ValueError(f"no column {missing} in the table; it has {list(frame.columns)}")


def _default_kind(values: pd.Series) -> str:
    """The kind a column gets when `formats` does not name one."""
    if pd.api.types.is_bool_dtype(values):
        return "bool"
    if pd.api.types.is_integer_dtype(values):
        return "int"
    if pd.api.types.is_float_dtype(values):
        return "money"
    if pd.api.types.is_datetime64_any_dtype(values):
        return "date"
    return "text"


def _integer(value: Any) -> str:
    """A whole number with a thousands separator."""
    return MISSING if pd.isna(value) else f"{value:,.0f}"


def _date(value: Any) -> str:
    """YYYY-MM-DD, blank when missing."""
    return "" if pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d")


def _text(value: Any) -> str:
    """The value as text, blank when missing."""
    return "" if _missing(value) else str(value)


def _yes(value: Any) -> str:
    """ "yes" for true, blank otherwise."""
    return "yes" if not _missing(value) and bool(value) else ""


def _url(value: Any) -> str:
    """A link labelled with its host for http(s) addresses; anything else as escaped text."""
    if _missing(value):
        return ""
    address = str(value).strip()
    parts = urlsplit(address)
    if parts.scheme.lower() not in LINK_SCHEMES or not parts.hostname:
        return escape(address)
    host = parts.hostname.removeprefix("www.")
    return (
        f'<a href="{escape(address)}" target="_blank" rel="noopener noreferrer">{escape(host)}</a>'
    )


def _missing(value: Any) -> bool:
    """Whether a cell holds no value (None, NaN, NaT, NA); lists and other objects do."""
    return bool(pd.api.types.is_scalar(value) and pd.isna(value))


def _escaped(format_text: Callable[[Any], str]) -> Callable[[Any], str]:
    """A plain-text formatter whose output is HTML-escaped."""
    return lambda value: escape(format_text(value))


_FORMATTERS: dict[str, Callable[[Any], str]] = {
    "money": _escaped(money),
    "percent": _escaped(percent),
    "signed_percent": _escaped(signed_percent),
    "int": _escaped(_integer),
    "date": _escaped(_date),
    "text": _escaped(_text),
    "bool": _escaped(_yes),
    "url": _url,
}
"""Cell HTML by kind: escaped text, or a link that `_url` builds from escaped parts."""
