"""DataFrames and lists as formatted, HTML-escaped fragments for notebooks and reports."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from html import escape
from typing import Any, TypeVar
from urllib.parse import urlsplit

import css_inline
import pandas as pd

from portfolio_reports.presentation.formatting import MISSING, money, percent, signed_percent
from portfolio_reports.text import counted

NUMERIC_KINDS = frozenset({"money", "percent", "signed_percent", "int", "ratio"})
"""Kinds shown right-aligned (cell class "num"); dates and labels ("date", "label") keep to one
line; the rest are left-aligned text (class "text")."""
LINK_SCHEMES = frozenset({"http", "https"})
STACK_AFTER = 4
"""A table with more columns than this shows each row as label: value lines on a narrow screen."""
HEAT_LEVELS = 4
"""Shades of a heat table, from the smallest value above zero to the largest."""
TOTAL = "Total"
NOTEBOOK_BOX = "portfolio-reports-output"
"""Class of the box a fragment stands in when Jupyter shows it; the report page drops the box."""
PAGE_HTML = "application/vnd.portfolio-reports.page+html"
"""The MIME type of a section's HTML as the report page takes it, beside Jupyter's text/html."""
NOTEBOOK_CSS = (
    f".{NOTEBOOK_BOX} table.data th,.{NOTEBOOK_BOX} table.data td,"
    f".{NOTEBOOK_BOX} figure.view th,.{NOTEBOOK_BOX} figure.view td"
    "{text-align:left;vertical-align:top}"
    f".{NOTEBOOK_BOX} table.data .num{{text-align:right}}"
    f".{NOTEBOOK_BOX} td.num,.{NOTEBOOK_BOX} td.date,.{NOTEBOOK_BOX} td.label"
    "{white-space:nowrap}"
    f".{NOTEBOOK_BOX} caption{{caption-side:top;text-align:left;font-weight:600}}"
    f".{NOTEBOOK_BOX} figcaption{{margin-bottom:.5em}}"
    f".{NOTEBOOK_BOX} .chart-title{{display:block;font-weight:600}}"
    f".{NOTEBOOK_BOX} .chart-note,.{NOTEBOOK_BOX} .definition"
    "{display:block;font-size:.875em;color:#5b6470}"
    f".{NOTEBOOK_BOX} .heat-value,.{NOTEBOOK_BOX} .heat-count{{display:block}}"
    f".{NOTEBOOK_BOX} img{{max-width:100%;height:auto}}"
    f".{NOTEBOOK_BOX} .kpis-caption{{margin:0 0 .4em;font-size:.875em;color:#5b6470}}"
    f".{NOTEBOOK_BOX} .kpis-note{{margin:0 0 .5em;padding:.4em .75em;"
    "border-left:4px solid #8a5a00;background-color:#fff6e0}"
    f".{NOTEBOOK_BOX} .kpis dl{{display:flex;flex-wrap:wrap;gap:.6em;margin:0}}"
    f".{NOTEBOOK_BOX} .kpi{{flex:1 1 12em;padding:.55em .75em;border:1px solid #d9dee4;"
    "border-top:3px solid #1d5c8c;border-radius:4px;background-color:#fff}"
    f".{NOTEBOOK_BOX} .kpi dt,.{NOTEBOOK_BOX} .kpi dd"
    "{display:block;float:none;width:auto;margin:0;padding:0;text-align:left}"
    f".{NOTEBOOK_BOX} .kpi dt{{font-size:.8em;font-weight:600;color:#5b6470}}"
    f".{NOTEBOOK_BOX} .kpi-value{{font-size:1.25em;font-weight:600;line-height:1.3}}"
    f".{NOTEBOOK_BOX} .kpi-detail{{font-size:.875em;line-height:1.35}}"
    f".{NOTEBOOK_BOX} .kpi-item,.{NOTEBOOK_BOX} .kpi-item>span{{white-space:nowrap}}"
    f".{NOTEBOOK_BOX} .kpi dd.kpi-definition{{display:none}}"
)
"""The rules of the report stylesheet a notebook needs where Jupyter's own differ or are missing:
text left and numbers right in tables and views (Jupyter right-aligns every cell), a chart's
title and note on lines of their own, charts within the width, the key figures as tiles (their
definitions are the tiles' titles, shown on hover). They are inlined into each element's style
attribute, which JupyterLab keeps in untrusted notebooks too (it strips <style> elements)."""


@dataclass(frozen=True, repr=False)
class Html:
    """An HTML fragment, already escaped, that Jupyter and the exported report show as is.

    `frame` is the data behind it, under readable column names with raw values, for analysts
    to sort, filter or save; empty when the fragment is text.
    """

    html: str
    frame: pd.DataFrame = field(default_factory=pd.DataFrame, compare=False)

    def _repr_mimebundle_(self, **_: Any) -> dict[str, str]:
        return notebook_outputs(self.html)

    def __repr__(self) -> str:
        """A one line stand-in: notebooks keep it as the plain-text output beside the HTML."""
        return f"<{type(self).__name__}: {len(self.html):,} characters of HTML{framed(self.frame)}>"


def notebook_outputs(page: str, shown: str | None = None) -> dict[str, str]:
    """A section's outputs: the page's HTML under PAGE_HTML, and as text/html what Jupyter shows
    (`shown`, default the page's HTML) in its box, with the notebook's rules inlined; an empty
    section stays empty (the page leaves out its heading)."""
    if not page:
        return {"text/html": ""}
    boxed = f'<div class="{NOTEBOOK_BOX}">{page if shown is None else shown}</div>'
    return {"text/html": css_inline.inline_fragment(boxed, NOTEBOOK_CSS), PAGE_HTML: page}


def for_report(data: Mapping[str, Any]) -> str:
    """A notebook output's HTML as the report page takes it: a section's own (PAGE_HTML), else
    its text/html, out of the notebook box an older build put it in, if any."""
    if PAGE_HTML in data:
        return str(data[PAGE_HTML])
    html = str(data.get("text/html", ""))
    boxed = _OLDER_BOX.fullmatch(html)
    return boxed["fragment"] if boxed else html


_OLDER_BOX = re.compile(
    rf'<div class="{NOTEBOOK_BOX}"><style>[^<]*</style>(?P<fragment>.*)</div>', re.DOTALL
)
"""An older build's notebook box: the notebook rules in a <style>, then the fragment."""


def framed(frame: pd.DataFrame) -> str:
    """What a repr says of the frame behind a fragment: "; .frame 8 rows, 4 columns"."""
    rows, columns = frame.shape
    return f"; .frame {rows:,} rows, {columns} columns" if columns else ""


@dataclass(frozen=True, repr=False)
class Table(Html):
    """A formatted HTML table, or the paragraph shown when there are no rows."""


_Fragment = TypeVar("_Fragment", bound=Html)
"""An Html fragment of any kind, kept as its kind by `wrapped`."""


def html_table(
    frame: pd.DataFrame,
    *,
    columns: dict[str, str] | None = None,
    formats: dict[str, str] | None = None,
    caption: str | None = None,
    empty: str = "None this quarter.",
    stack: bool | None = None,
) -> Table:
    """A table of `columns` (source -> header, in order; default all, index not shown), by kind;
    each row as label: value lines on a narrow screen if `stack` (None: beyond STACK_AFTER
    columns)."""
    formats = formats or {}
    unknown = sorted(set(formats.values()) - set(_FORMATTERS))
    if unknown:
        raise ValueError(f"unknown format {unknown}; use one of {sorted(_FORMATTERS)}")
    if frame.empty:
        return Table(_empty(empty))
    headers = columns if columns is not None else {name: str(name) for name in frame.columns}
    _check_columns(frame, [*headers, *formats])
    kinds = {name: formats.get(name) or _default_kind(frame[name]) for name in headers}
    classes = {name: _cell_class(kind) for name, kind in kinds.items()}
    stack = len(headers) > STACK_AFTER if stack is None else stack
    head = "".join(
        f'<th scope="col" class="{classes[name]}">{escape(header)}</th>'
        for name, header in headers.items()
    )
    opening = {
        name: f'<td class="{classes[name]}"'
        + (f' data-label="{escape(header)}">' if stack else ">")
        for name, header in headers.items()
    }
    body = "\n".join(
        "<tr>"
        + "".join(
            f"{opening[name]}{_FORMATTERS[kinds[name]](value)}</td>"
            for name, value in zip(headers, row, strict=True)
        )
        + "</tr>"
        for row in frame[list(headers)].itertuples(index=False, name=None)
    )
    title = f"<caption>{escape(caption)}</caption>" if caption else ""
    layout = "data stack" if stack else "data"
    return Table(
        f'<table class="{layout}">{title}<thead><tr>{head}</tr></thead>\n'
        f"<tbody>\n{body}\n</tbody></table>",
        frame[list(headers)].rename(columns=headers).reset_index(drop=True),
    )


def heat_table(
    values: pd.DataFrame,
    *,
    caption: str,
    counts: pd.DataFrame | None = None,
    count_noun: tuple[str, str] = ("", ""),
    kind: str = "money",
) -> Table:
    """A matrix of `values` with totals, cells shaded by size; `counts` adds a line per cell.

    Its frame is the matrix of values with the totals, row names in the first column; the
    counts are only on the page.

    Rows and columns keep their order and names (the index name heads the first column);
    `count_noun` is the (singular, plural) noun after a count; shades follow a log scale.
    """
    if values.empty:
        return Table(_empty("No data."))
    counts = counts if counts is not None else pd.DataFrame(0, values.index, values.columns)
    grid = _with_totals(values.astype(float))
    tallies = _with_totals(counts.reindex_like(values).fillna(0).astype(int))
    largest = values.to_numpy(dtype=float).max()
    corner = escape(str(values.index.name or ""))
    head = f'<th scope="col" class="text">{corner}</th>' + "".join(
        f'<th scope="col" class="num">{escape(str(column))}</th>' for column in grid.columns
    )
    rows = []
    for row in grid.index:
        cells = "".join(
            _heat_cell(
                grid.at[row, column],
                tallies.at[row, column],
                count_noun,
                kind,
                None if TOTAL in (row, column) else _heat_level(grid.at[row, column], largest),
                escape(str(column)),
            )
            for column in grid.columns
        )
        rows.append(f'<tr><th scope="row" class="text">{escape(str(row))}</th>{cells}</tr>')
    body = "\n".join(rows)
    return Table(
        f'<table class="data heat stack"><caption>{escape(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody></table>",
        grid.rename_axis(index=values.index.name or "").reset_index(),
    )


def bullet_list(
    lines: list[str], *, empty: str = "None this quarter.", heading: str = "Line"
) -> Html:
    """An escaped bulleted list, one item per line; its frame has the lines under `heading`."""
    if not lines:
        return Html(_empty(empty))
    items = "".join(f"<li>{escape(str(line))}</li>" for line in lines)
    return Html(f"<ul>{items}</ul>", pd.DataFrame({heading: [str(line) for line in lines]}))


TABLE_SUMMARY = "Table: "
"""How the summary line of a folded table starts."""
GLOSSARY_CLASS = "glossary"
"""The class of a page's folded definitions, which the published page cuts to the terms it shows."""
GLOSSARY_SUMMARY = "Definitions: what each term, count and sum on this page means"


def folded(table: Html, summary: str) -> Html:
    """A fragment behind a one-line summary the reader opens (a <details>, no script)."""
    opening = f'<details class="fold"><summary>{escape(summary)}</summary>'
    return wrapped(table, opening, "</details>")


def titled(table: _Fragment, title: str) -> _Fragment:
    """The fragment with `title` as the caption of its first table, unless that has one."""
    opening = re.search(r"<table[^>]*>", table.html)
    if opening is None or table.html.startswith("<caption>", opening.end()):
        return table
    caption = f"<caption>{escape(title[:1].upper() + title[1:])}</caption>"
    html = table.html[: opening.end()] + caption + table.html[opening.end() :]
    return replace(table, html=html)


def defined(table: _Fragment, meaning: str) -> _Fragment:
    """A table followed by the sentences that say what its figures mean."""
    return wrapped(table, "", f'<p class="definition">{escape(meaning)}</p>')


def wrapped(fragment: _Fragment, before: str, after: str) -> _Fragment:
    """The fragment between two pieces of HTML, of the same type and with the same frame."""
    return replace(fragment, html=f"{before}{fragment.html}{after}")


def _with_totals(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with a Total column and a Total row."""
    totalled = frame.assign(**{TOTAL: frame.sum(axis=1)})
    return pd.concat([totalled, totalled.sum().to_frame(TOTAL).T])


def _heat_level(value: float, largest: float) -> int:
    """Shade of a value: 0 for none, up to HEAT_LEVELS for the largest, on a log scale."""
    if value <= 0 or largest <= 0:
        return 0
    return max(1, math.ceil(HEAT_LEVELS * math.log1p(value) / math.log1p(largest)))


def _heat_cell(
    value: float, count: int, noun: tuple[str, str], kind: str, level: int | None, label: str
) -> str:
    """One heat-table cell: the value, then the count and its noun when there is a count."""
    shade = "total" if level is None else f"heat-{level}"
    parts = [f'<span class="heat-value">{_FORMATTERS[kind](value)}</span>'] if value else []
    if count:
        words = counted(count, *noun).strip()
        parts.append(f'<span class="heat-count">{escape(words)}</span>')
    return f'<td class="num {shade}" data-label="{label}">{"".join(parts)}</td>'


def _cell_class(kind: str) -> str:
    """The class of a column's cells: "num" (right-aligned), "date", "label" or "text"."""
    if kind in NUMERIC_KINDS:
        return "num"
    return kind if kind in ("date", "label") else "text"


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


def _ratio(value: Any) -> str:
    """A ratio such as a hazard ratio with two decimals, blank when missing."""
    return "" if pd.isna(value) else f"{value:.2f}"


def _date(value: Any) -> str:
    """YYYY-MM-DD, blank when missing; text (a date already written out) is kept as is."""
    if isinstance(value, str):
        return value
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
    "ratio": _escaped(_ratio),
    "date": _escaped(_date),
    "text": _escaped(_text),
    "label": _escaped(_text),
    "bool": _escaped(_yes),
    "url": _url,
}
"""Cell HTML by kind: escaped text, or a link that `_url` builds from escaped parts."""
