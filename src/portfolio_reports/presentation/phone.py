"""A chart laid out again for a phone's width: legends below, long labels wrapped, some on end."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from itertools import pairwise
from typing import Any

from matplotlib.figure import Figure
from matplotlib.text import Text

NARROW_LABEL = 14
"""Characters on a line of a category label in the phone variant; longer ones wrap."""
NARROW_TITLE = 30
"""Characters on a line of a panel title or an axis label in the phone variant."""
NARROW_LEGEND = 14
"""Most characters on a line of a legend's name for the phone variant's legend to take two
columns; longer names take one, so that none is cut off at the figure's edge."""
NARROW_LEGEND_LINE = 30
"""Characters on a line of a legend's name in the phone variant's one column; longer ones wrap."""
LINE_SPACING = 1.2
"""Height of a line of text, in font sizes (matplotlib's line spacing)."""
LINE_GROWTH = 0.35
"""How much taller the phone variant grows per extra line its wrapped labels take."""


def fit_to_width(figure: Figure, width: float) -> None:
    """Lay a figure out again at `width` inches, for a phone: legends below the plot, long
    category labels, panel titles and axis labels wrapped (see `stand_crowded_labels` for the
    rest)."""
    figure.set_figwidth(width)
    _legends_below(figure)
    _wrap_labels(figure)
    _wrap_axis_labels(figure)


def stand_overfull_labels(figure: Figure) -> None:
    """Before drawing, stand on end the x tick labels wider together than the whole figure:
    they cannot help overlapping, so the drawing that would show it is saved."""
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    room = figure.get_figwidth() * figure.dpi
    for axes in figure.axes:
        labels = [label for label in axes.get_xticklabels() if label.get_text()]
        if sum(label.get_window_extent(renderer).width for label in labels) > room:
            axes.tick_params(axis="x", labelrotation=90)


def stand_crowded_labels(figure: Figure) -> bool:
    """Stand on end the x tick labels, or bar labels, that overlap side by side in the figure as
    last drawn; whether any did, so that the figure needs drawing again."""
    crowded = False
    for axes in figure.axes:
        if _overlap(axes.get_xticklabels()):
            axes.tick_params(axis="x", labelrotation=90)
            crowded = True
        if _overlap(axes.texts):
            for text in axes.texts:
                text.set_rotation(90)
            crowded = True
    return crowded


def smallest_text(figure: Figure) -> float:
    """The smallest size, in points, of the visible text drawn in a figure."""
    sizes = [
        text.get_fontsize()
        for text in figure.findobj(Text)
        if isinstance(text, Text) and text.get_visible() and text.get_text().strip()
    ]
    return float(min(sizes, default=0.0))


def _overlap(texts: Sequence[Text]) -> bool:
    """Whether any two of the texts, in their order along the x axis, overlap side by side."""
    boxes = sorted(
        (text.get_window_extent() for text in texts if text.get_text()), key=lambda box: box.x0
    )
    return any(left.x1 > right.x0 and left.overlaps(right) for left, right in pairwise(boxes))


def _legends_below(figure: Figure) -> None:
    """Move legends beside the plot to below it, as a narrow figure needs: in two columns, or
    in one where a name is long (NARROW_LEGEND), wrapped; the figure grows by what its legends
    take beyond two columns of one-line names, so that the plot keeps its height."""
    for legend in list(figure.legends):
        title = legend.get_title().get_text()
        texts = legend.get_texts()
        handles = [handle for handle in legend.legend_handles if handle is not None]
        names = [
            wrap_words(" ".join(text.get_text().split()), NARROW_LEGEND_LINE) for text in texts
        ]
        longest = max((len(line) for name in names for line in name.splitlines()), default=0)
        columns = 2 if longest <= NARROW_LEGEND else 1
        size = float(texts[0].get_fontsize()) if texts else 0.0
        legend.remove()
        below = figure.legend(
            handles,
            names,
            title=title or None,
            loc="outside lower left",
            ncols=columns,
            fontsize=size or None,
            title_fontsize=legend.get_title().get_fontsize(),
        )
        spacing = below.labelspacing
        extra = _legend_height(names, columns, spacing) - _legend_height(
            [""] * len(names), 2, spacing
        )
        figure.set_figheight(figure.get_figheight() + extra * size / 72)


def _legend_height(names: Sequence[str], columns: int, spacing: float) -> float:
    """Height of a legend's entries in font sizes, filled column by column as matplotlib fills
    them: each row as tall as its longest name, in lines, with `spacing` between rows."""
    rows = -(-len(names) // columns)
    lines = [max(name.count("\n") + 1 for name in names[row::rows]) for row in range(rows)]
    return sum(count * LINE_SPACING + spacing for count in lines)


def _wrap_labels(figure: Figure) -> None:
    """Wrap long category names and panel titles; the figure grows to hold the extra lines."""
    lines = max([1, *(_wrap_category_labels(axes) for axes in figure.axes)])
    figure.set_figheight(figure.get_figheight() * (1 + LINE_GROWTH * (lines - 1)))
    for axes in figure.axes:
        title = axes.get_title(loc="left")
        for text in axes.findobj(Text):
            if title and isinstance(text, Text) and text.get_text() == title:
                text.set_text(
                    "\n".join(wrap_words(line, NARROW_TITLE) for line in title.splitlines())
                )


def _wrap_axis_labels(figure: Figure) -> None:
    """Wrap each line of an x axis label longer than NARROW_TITLE into lines of even length; the
    figure grows by the lines added, so that the plot keeps its height."""
    added = 0.0
    for axes in figure.axes:
        label = axes.xaxis.label
        text = label.get_text()
        wrapped = "\n".join(
            part for line in text.splitlines() for part in _even_lines(line, NARROW_TITLE)
        )
        lines = wrapped.count("\n") - text.count("\n")
        if lines:
            label.set_text(wrapped)
            added = max(added, lines * LINE_SPACING * float(label.get_fontsize()) / 72)
    figure.set_figheight(figure.get_figheight() + added)


def _even_lines(text: str, width: int) -> list[str]:
    """`text` in as few lines of at most `width` characters as wrapping allows, each as near the
    same length as words allow (a label reads better in halves than as a line and a word)."""
    lines = _word_lines(text, width) or [text]
    shortest = -(-len(text) // len(lines))
    for narrower in range(shortest, width):
        even = _word_lines(text, narrower)
        if len(even) == len(lines):
            return even
    return lines


def wrap_words(text: str, width: int) -> str:
    """`text` wrapped at `width` characters between words: a word longer than the line (a long
    INN) stays whole on a line of its own, never broken where it would read as two words."""
    return "\n".join(_word_lines(text, width))


def _word_lines(text: str, width: int) -> list[str]:
    """The lines `wrap_words` gives."""
    return textwrap.wrap(text, width, break_on_hyphens=False, break_long_words=False)


def _wrap_category_labels(axes: Any) -> int:
    """Wrap an axes' long y tick labels, keeping each label's colour and style; returns the
    most lines a label takes."""
    labels = axes.get_yticklabels()
    texts = [label.get_text() for label in labels]
    wrapped = [wrap_words(text, NARROW_LABEL) for text in texts]
    if wrapped != texts:
        styles = [
            {"color": label.get_color(), "fontstyle": label.get_fontstyle()} for label in labels
        ]
        axes.set_yticks(axes.get_yticks(), wrapped)
        for label, style in zip(axes.get_yticklabels(), styles, strict=True):
            label.set(**style)
    return max([1, *(text.count("\n") + 1 for text in wrapped)])
