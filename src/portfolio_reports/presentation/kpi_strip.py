"""The key figures a page leads with, as a strip of tiles: a description list, escaped."""

from __future__ import annotations

from dataclasses import astuple, dataclass
from html import escape

import pandas as pd

from portfolio_reports.presentation.tables import Html


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
        + (f'<dd class="kpi-detail">{escape(tile.detail)}</dd>' if tile.detail else "")
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
