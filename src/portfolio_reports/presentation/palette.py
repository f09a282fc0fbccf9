"""Every chart colour in one place: a name keeps its colour in every chart, page and quarter.

A name takes the colour its data set gives it (colours.csv, optional), else one picked from SERIES
by a hash of the name, so it needs no list of names. Within one chart no two series share a
colour: a series whose colour another already shows moves to the first free one of SERIES.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

from matplotlib.colors import to_rgb

SERIES = (
    "#4e79a7",
    "#f28e2b",
    "#59a14f",
    "#b07aa1",
    "#e15759",
    "#76b7b2",
    "#edc948",
    "#9c755f",
    "#ff9da7",
)
"""Colours for products, areas, regions and any other series; a chart shows at most this many."""
OTHER = "Other"
OTHER_COLOR = "#bab0ac"
TOTAL_COLOR = "#5a5a5a"
"""Bars that stand for a total rather than one series (a bridge's start and end)."""
LIGHT_TEXT = "#ffffff"
DARK_TEXT = "#1f2328"
"""The page's own text colour (style.css's --text)."""

_chosen: dict[str, str] = {}
"""The colours the data set of the report being drawn gives its names (see `choose`)."""


def choose(colours: Mapping[str, str]) -> None:
    """Draw the names a data set colours (its colours table) in its colours from now on."""
    _chosen.clear()
    _chosen.update(colours)


def chosen_colours() -> tuple[tuple[str, str], ...]:
    """The colours the data set of the report being drawn gives its names, sorted by name."""
    return tuple(sorted(_chosen.items()))


@contextmanager
def colours_as(colours: tuple[tuple[str, str], ...]) -> Iterator[None]:
    """Draw in `colours` (as `chosen_colours` gave them) for a while, then as chosen before."""
    before = dict(_chosen)
    choose(dict(colours))
    try:
        yield
    finally:
        choose(before)


def color_for(name: str) -> str:
    """The colour of a product, area, region or market, the same in every chart and report."""
    if name == OTHER:
        return OTHER_COLOR
    return _chosen.get(name) or SERIES[zlib.crc32(name.encode()) % len(SERIES)]


def series_colors(names: Sequence[str]) -> list[str]:
    """Each name's colour in one chart, names the data colours first, none shown twice.

    A name whose colour an earlier series of the chart already shows takes the first colour of
    SERIES not yet shown; past len(SERIES) names, colours repeat rather than fail.
    """
    order = sorted(range(len(names)), key=lambda index: names[index] not in _chosen)
    colors: dict[int, str] = {}
    for index in order:
        own = color_for(names[index])
        taken = set(colors.values())
        free = [color for color in SERIES if color not in taken]
        colors[index] = own if own not in taken or not free else free[0]
    return [colors[index] for index in range(len(names))]


def contrast(first: str, second: str) -> float:
    """The WCAG 2 contrast ratio of two colours: 1 for the same, 21 for black on white."""
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _luminance(colour: str) -> float:
    """The WCAG 2 relative luminance of a colour: 0 for black, 1 for white."""
    linear = [
        channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4
        for channel in to_rgb(colour)
    ]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def text_color_on(background: str) -> str:
    """White or the page's dark text, whichever contrasts more with `background`."""
    return max((LIGHT_TEXT, DARK_TEXT), key=lambda text: contrast(text, background))
