"""The key figures a page leads with, as a strip of tiles: a description list, escaped."""

from __future__ import annotations

import re
from dataclasses import astuple, dataclass
from html import escape

import pandas as pd

from portfolio_reports.presentation.tables import Html

SHORT_ITEM = 14
"""Most characters of a detail's item that stay on one line: a figure and its word ("+9.8% QoQ",
"5 Phase 3"). A longer item wraps as prose does. On a phone, where two tiles share a row and
whole items would push the key figures past a screen and a half, a short item may break after
its figure (its first word), never inside its word ("Phase 2/3")."""
_ITEM_SEPARATORS = re.compile(r"( · |: )")


@dataclass(frozen=True)
class Tile:
    """One key figure: what it is, its value, a line of context and its definition."""

    label: str
    value: str
    detail: str
    definition: str


def kpi_strip(tiles: list[Tile], *, caption: str, note: str | None = None) -> Html:
    """The tiles as one <dl>, each figure with its context and its one-line definition; a note
    (what the scope has none of) in one line above them. Its frame has one row per tile, the
    figures as the page writes them."""
    items = "".join(
        f'<div class="kpi" title="{escape(tile.definition)}">'
        f"<dt>{escape(tile.label)}</dt>"
        f'<dd class="kpi-value">{escape(tile.value)}</dd>'
        + (f'<dd class="kpi-detail">{_detail_html(tile.detail)}</dd>' if tile.detail else "")
        + f'<dd class="kpi-definition">{escape(tile.definition)}</dd></div>'
        for tile in tiles
    )
    return Html(
        f'<section class="kpis" aria-label="{escape(caption)}">'
        f'<p class="kpis-caption">{escape(caption)}</p>'
        + (f'<p class="kpis-note">{escape(note)}</p>' if note else "")
        + f"<dl>{items}</dl></section>",
        pd.DataFrame(
            [astuple(tile) for tile in tiles],
            columns=["Figure", "Value", "Detail", "Definition"],
        ),
    )


def _detail_html(detail: str) -> str:
    """A tile's detail, escaped: a line breaks between its items (after a " · " or ": "), not
    inside a short one (SHORT_ITEM), so that no figure stands on a line apart from its word."""
    parts = []
    for part in _ITEM_SEPARATORS.split(detail):
        if part == " · ":
            parts.append("&nbsp;· ")  # the separator ends a line, never starts one
        elif part != ": " and " " in part and len(part) <= SHORT_ITEM:
            figure, _, words = part.partition(" ")
            parts.append(
                f'<span class="kpi-item">{escape(figure)} <span>{escape(words)}</span></span>'
            )
        else:
            parts.append(escape(part))
    return "".join(parts)
