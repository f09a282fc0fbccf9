"""Matplotlib charts in one house style, each with alt text, shown as inline HTML figures.

The title is the figure's HTML caption, not drawn in the image: it stays sharp and readable at
any page width and is not repeated. Images are palette PNGs, a fraction of full-colour size. Each
chart is drawn twice, for where it is read: at page width, and at a phone's width with the same
text sizes (chosen by the browser through `<picture>`), so its smallest text stays readable there.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property, wraps
from html import escape
from typing import Any, ParamSpec, cast

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from PIL import Image

from portfolio_reports.data.company import Money
from portfolio_reports.data.schema import PHASES
from portfolio_reports.presentation import drawings, palette
from portfolio_reports.presentation.columns import readable
from portfolio_reports.presentation.drawings import Drawing
from portfolio_reports.presentation.formatting import money, percent, signed_percent
from portfolio_reports.presentation.palette import OTHER, SERIES, TOTAL_COLOR, series_colors
from portfolio_reports.presentation.phone import (
    fit_to_width,
    smallest_text,
    stand_crowded_labels,
    stand_overfull_labels,
    wrap_words,
)
from portfolio_reports.presentation.tables import notebook_outputs
from portfolio_reports.presentation.ticks import (
    amount_axis,
    category_axis,
    spare_axis_layout,
)
from portfolio_reports.text import counted

PALETTE = SERIES
"""Series colours; a chart never shows more series than this (the rest become "Other")."""
TEXT_COLOR = "#333333"
MUTED_COLOR = "#767676"
GROWTH_COLOR = "#8a8a8a"
"""The YoY panel's bars: growth is not a series of its own."""

DISPLAY_DPI = 100
"""CSS pixels per figure inch in the page."""
RENDER_DPI = 120
"""PNG pixels per figure inch: sharper than the page on high-density screens, still small."""
PNG_COLORS = 64
"""Palette size of the PNG: the series colours, text and the anti-aliased edges between them."""
PNG_COMPRESSION = 7
"""zlib level of the PNG: a tenth larger than the smallest (9) at a third of its time."""
SNAP_DISTANCE = 12
"""A palette entry this close (summed RGB difference) to a common colour becomes that colour."""
WIDTH = 8.0
NARROW_WIDTH = 3.6
"""Width of the phone variant, in inches: drawn at 360 CSS px, shown at about 343 px at 375."""
PHONE_MEDIA = "(max-width: 40rem)"
"""Screens that get the phone variant (the stylesheet's phone breakpoint)."""
SMALLEST_TEXT = 9
"""Smallest text in a chart, in points: about 12 CSS px on a phone and 8 pt in print."""
HEIGHT = 4.5
LEGEND_LABEL = 20
"""Characters on a line of a legend's name; a longer one (a product's name with its INN) wraps."""
TREND_HEIGHT = 2.6
"""Height of the revenue-per-quarter bars: a trend reads at a glance without a tall chart."""
GROWTH_HEIGHT = 1.0
"""Height added below the trend for its YoY panel."""
COUNTS_HEIGHT = 3.0
"""Height of the programmes-by-phase bars: a handful of counts needs no full-height chart."""

_STYLE: dict[Any, Any] = {
    "font.family": "DejaVu Sans",
    "font.size": 11,
    "text.parse_math": False,
    "text.color": TEXT_COLOR,
    "axes.labelcolor": TEXT_COLOR,
    "axes.edgecolor": "#999999",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.axisbelow": True,
    "axes.grid": False,
    "grid.color": "#e3e3e3",
    "grid.linewidth": 0.8,
    "xtick.color": TEXT_COLOR,
    "ytick.color": TEXT_COLOR,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "legend.frameon": False,
    "legend.fontsize": 10,
    "legend.title_fontsize": 10,
    "figure.facecolor": "white",
}

_P = ParamSpec("_P")


@dataclass(frozen=True, eq=False)
class Chart:
    """A figure with its title, alt text and an optional note; shows as an HTML figure.

    `draw` builds the figure, the first time it is asked for: a chart whose drawing is kept is
    never built. `frame` is the data drawn, as `tables.Html.frame` is a fragment's: readable
    names, raw values. For a phone the figure is drawn again at NARROW_WIDTH. `key` names its
    drawing among those kept (see `drawings`); None: it is drawn.
    """

    draw: Callable[[], Figure] = field(repr=False)
    title: str
    alt: str
    note: str = ""
    frame: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    key: str | None = field(default=None, repr=False)
    colours: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    """The data set's colours when the chart was described, which its figure is drawn in."""

    @cached_property
    def figure(self) -> Figure:
        """The chart's figure, built under the house style in the chart's colours."""
        with matplotlib.rc_context(_STYLE), palette.colours_as(self.colours):
            return self.draw()

    @cached_property
    def png(self) -> bytes:
        """The chart as a palette PNG."""
        return _draw(self.figure)

    @cached_property
    def narrow_png(self) -> bytes | None:
        """The chart drawn for a phone's width; None when the figure is that narrow already.

        Drawn after `png`: it moves the figure's legends below the plot and stands crowded
        category labels on end; the figure keeps its page width.
        """
        if self.figure.get_figwidth() <= NARROW_WIDTH * 1.25:
            return None
        self.png  # noqa: B018 - the page-width drawing first, before the figure is resized
        width = self.figure.get_figwidth()
        with matplotlib.rc_context(_STYLE):
            fit_to_width(self.figure, NARROW_WIDTH)
            stand_overfull_labels(self.figure)
        narrow = _draw(self.figure)
        if stand_crowded_labels(self.figure):  # seen overlapping in that drawing: draw again
            narrow = _draw(self.figure)
        self.figure.set_figwidth(width)  # the size the page-width image is shown at
        return narrow

    @cached_property
    def smallest_text(self) -> float:
        """The smallest text size in the chart's drawings, in points."""
        return smallest_text(self.figure)

    @cached_property
    def drawing(self) -> Drawing:
        """The chart as the page shows it: the drawing kept under its key, else drawn now."""
        kept = drawings.find(self.key)
        if kept is None:
            narrow = self.narrow_png  # first: the phone's layout may leave the figure taller
            width, height = (round(inch * DISPLAY_DPI) for inch in self.figure.get_size_inches())
            kept = Drawing(self.png, narrow, self.smallest_text, width, height)
            drawings.keep(self.key, kept)
        return kept

    @cached_property
    def html(self) -> str:
        """The chart as an HTML figure, title and note its caption, the PNGs inlined; the phone
        variant is a `<source>` of a `<picture>`, which the browser picks by width."""
        return self._figure(phone=True)

    def _figure(self, *, phone: bool) -> str:
        """The HTML figure, with the phone variant of the image if `phone` and it has one."""
        drawing = self.drawing
        image = (
            f'<img src="{_data_url(drawing.png)}" alt="{escape(self.alt)}" '
            f'width="{drawing.width}" height="{drawing.height}">'
        )
        if phone and drawing.narrow_png is not None:
            image = (
                f'<picture><source media="{PHONE_MEDIA}" srcset="{_data_url(drawing.narrow_png)}">'
                f"{image}</picture>"
            )
        note = f'<span class="chart-note">{escape(self.note)}</span>' if self.note else ""
        return (
            f'<figure class="chart" data-smallest-text-pt="{drawing.smallest_text:g}">'
            f'<figcaption><span class="chart-title">{escape(self.title)}'
            f"</span>{note}</figcaption>{image}</figure>"
        )

    def _repr_mimebundle_(self, **_: Any) -> dict[str, str]:
        """The page's figure, and Jupyter's without the phone variant (a notebook is as wide)."""
        return notebook_outputs(self.html, self._figure(phone=False))


def _data_url(png: bytes) -> str:
    """A PNG as a data URL."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _draw(figure: Figure) -> bytes:
    """The figure as a palette PNG.

    One Agg draw straight to pixels: `savefig` would lay the figure out in a dry-run draw,
    draw it again and encode a full-colour PNG only for it to be decoded here.
    """
    with matplotlib.rc_context(_STYLE):
        figure.set_dpi(RENDER_DPI)
        spare_axis_layout(figure)
        canvas = cast(FigureCanvasAgg, figure.canvas)
        canvas.draw()
        pixels = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba())
        image = pixels.convert("RGB")
    return _palette_png(image)


def _palette_png(image: Image.Image) -> bytes:
    """The image as a palette PNG whose commonest colours (background, series) stay exact.

    Quantizing averages each colour with its anti-aliased neighbours, so white would come out
    off-white and show as a box on the page; an entry close to common colours takes the commonest.
    """
    quantized = image.quantize(
        colors=PNG_COLORS, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE
    )
    counts = image.getcolors(image.width * image.height) or []
    common = np.array([colour for _, colour in sorted(counts, reverse=True)[:PNG_COLORS]])
    entries = np.array(quantized.getpalette() or [], dtype=int).reshape(-1, 3)
    distances = np.abs(entries[:, None, :] - common[None, :, :]).sum(axis=2)
    close = distances <= SNAP_DISTANCE
    snapped = close.any(axis=1)
    entries[snapped] = common[close.argmax(axis=1)[snapped]]  # the commonest close colour
    quantized.putpalette(entries.ravel().tolist())
    small = io.BytesIO()
    quantized.save(small, format="png", compress_level=PNG_COMPRESSION)
    return small.getvalue()


def house_style(build: Callable[_P, Chart]) -> Callable[_P, Chart]:
    """Describe the chart under the house style, keyed by what it draws (see `drawings`); its
    figure is built under that style too, when first drawn."""

    @wraps(build)
    def styled(*args: _P.args, **kwargs: _P.kwargs) -> Chart:
        with matplotlib.rc_context(_STYLE):
            key = drawings.key_of(build, args, kwargs)
            chart = build(*args, **kwargs)
        return replace(chart, key=key, colours=palette.chosen_colours())

    return styled


@house_style
def revenue_trend(
    frame: pd.DataFrame,
    *,
    title: str,
    money_unit: Money,
    markers: Sequence[tuple[str, str]] = (),
) -> Chart:
    """Bars of revenue per quarter, with YoY growth as labelled bars in a small panel below;
    each marker (quarter, label) a dashed line at its quarter, labelled at the top."""
    if frame.empty:
        return no_data(title)
    data = frame.sort_values("quarter")
    quarters = data["quarter"].astype(str).tolist()
    positions = np.arange(len(quarters))
    yoy = data["yoy"].astype(float)
    has_growth = bool(yoy.notna().any())
    shown = [(quarters.index(at), label) for at, label in markers if at in quarters]

    def draw() -> Figure:
        figure = new_figure(WIDTH, TREND_HEIGHT + (GROWTH_HEIGHT if has_growth else 0))
        if has_growth:
            axes, growth = figure.subplots(
                2, 1, sharex=True, height_ratios=[TREND_HEIGHT, GROWTH_HEIGHT]
            )
        else:
            axes = figure.add_subplot()
        axes.bar(positions, data["revenue_m"], width=0.65, color=TOTAL_COLOR)
        amount_axis(axes.yaxis)
        axes.set_ylabel(f"Product sales, {money_unit.label}")
        if shown:  # headroom above the bars for the markers' labels
            low, high = axes.get_ylim()
            axes.set_ylim(low, high + 0.12 * (high - low))
        for position, label in shown:
            axes.axvline(position - 0.45, color=MUTED_COLOR, linestyle="--", linewidth=1)
            right_half = position > len(quarters) / 2  # labelled on the side with room
            axes.annotate(
                label,
                (position - 0.45, 1),
                xycoords=("data", "axes fraction"),
                xytext=(-3 if right_half else 3, -3),
                textcoords="offset points",
                ha="right" if right_half else "left",
                va="top",
                fontsize=SMALLEST_TEXT,
                color=MUTED_COLOR,
            )
        if has_growth:
            _growth_panel(growth, positions, yoy)
            axes.tick_params(axis="x", length=0)
            category_axis(growth, positions, quarters)
        else:
            category_axis(axes, positions, quarters)
        return figure

    latest = data.iloc[-1]
    alt = (
        f"Bar chart of revenue per quarter, {_span(quarters)}; "
        f"latest {money_unit.amount(money(latest['revenue_m']))}"
    )
    if pd.notna(latest["yoy"]):
        alt += f", YoY {signed_percent(latest['yoy'])}"
    if shown:
        alt += "; dashed lines: " + ", ".join(
            f"{label} ({quarters[position]})" for position, label in shown
        )
    return Chart(
        draw,
        title,
        alt + ("; a panel below shows YoY growth." if has_growth else "."),
        frame=readable(data, ["quarter", "revenue_m", "qoq", "yoy"], money_unit),
    )


def _growth_panel(axes: Any, positions: np.ndarray, yoy: pd.Series) -> None:
    """YoY growth as bars from zero, each labelled in percent, without a value axis to misread."""
    values = yoy.fillna(0).to_numpy() * 100
    bars = axes.bar(positions, values, width=0.65, color=GROWTH_COLOR)
    axes.bar_label(
        bars,
        labels=["" if pd.isna(v) else signed_percent(v).removesuffix("%") for v in yoy],
        padding=2,
        fontsize=SMALLEST_TEXT,
    )
    axes.axhline(0, color=MUTED_COLOR, linewidth=0.8)
    low, high = min(values.min(), 0), max(values.max(), 0)
    span = (high - low) or 1
    axes.set_ylim(low - 0.35 * span * (low < 0), high + 0.35 * span)
    axes.set_yticks([])
    axes.spines[["left"]].set_visible(False)
    axes.set_ylabel("YoY, %", rotation=0, ha="right", va="center")


@house_style
def stacked_revenue(
    frame: pd.DataFrame,
    *,
    index: str,
    columns: str,
    values: str,
    title: str,
    money_unit: Money,
    labels: Mapping[str, str] | None = None,
) -> Chart:
    """Stacked bars of revenue (in `money_unit`) per `index` value, split by `columns`; the
    legend and alt text name a value as `labels` does (a product's page name for its code),
    its colour stays the value's own."""
    labels = dict(labels or {})
    if frame.empty:
        return no_data(title)
    table = _top_series(
        frame.pivot_table(
            index=index, columns=columns, values=values, aggfunc="sum", fill_value=0, observed=True
        )
    )

    def draw() -> Figure:
        figure, axes = _axes()
        _stack(axes, table, labels)
        amount_axis(axes.yaxis)
        axes.set_ylabel(f"Product sales, {money_unit.label}")
        _stack_legend(figure, axes, columns)
        return figure

    periods = table.index.astype(str).tolist()
    latest = table.iloc[-1]
    total = latest.sum()
    alt = (
        f"Stacked bar chart of revenue by {_words(columns)} per {_words(index)}, "
        f"{_span(periods)}; {periods[-1]} total {money_unit.amount(money(total))}"
    )
    if total > 0:
        top = latest.idxmax()
        alt += (
            f", largest {labels.get(top, top)} {money_unit.amount(money(latest[top]))}"
            f" ({percent(latest[top] / total)})"
        )
    shown = readable(frame, [index, columns, values], money_unit)
    return Chart(draw, title, alt + ".", frame=shown)


@house_style
def horizontal_bars(
    frame: pd.DataFrame, *, label: str, value: str, title: str, unit: str | Money
) -> Chart:
    """Ranked horizontal bars, largest on top; with unit "%" the values are fractions, with a
    Money unit amounts."""
    data = frame.dropna(subset=[value]).sort_values(value, ascending=False)
    if data.empty:
        return no_data(title)
    labels = data[label].astype(str).tolist()
    values = data[value].astype(float)

    def draw() -> Figure:
        positions = np.arange(len(labels))
        figure, axes = _axes(height=max(2.4, 1.3 + 0.32 * len(labels)))
        bars = axes.barh(
            positions, values * (100 if unit == "%" else 1), height=0.65, color=TOTAL_COLOR
        )
        axes.bar_label(
            bars, labels=[_number(v, unit) for v in values], padding=3, fontsize=SMALLEST_TEXT
        )
        axes.set_yticks(positions, labels)
        axes.invert_yaxis()
        axes.tick_params(axis="y", length=0)
        axes.xaxis.grid(True)
        axes.margins(x=0.12)
        axes.set_xlabel(unit.label if isinstance(unit, Money) else unit)
        return figure

    ranked = ", ".join(
        f"{name} {_quantity(amount, unit)}"
        for name, amount in zip(labels[:3], values.iloc[:3], strict=False)
    )
    count = len(labels)
    alt = f"Horizontal bar chart ranking {counted(count, 'item')}; " + (
        f"top 3: {ranked}." if count > 3 else f"{ranked}."
    )
    shown = readable(data, [label, value], unit if isinstance(unit, Money) else None)
    return Chart(draw, title, alt, frame=shown)


@house_style
def phase_counts(frame: pd.DataFrame, *, title: str) -> Chart:
    """Stacked bars of programme counts per phase (index), split by group (columns)."""
    if frame.empty:
        return no_data(title)
    order = [phase for phase in PHASES if phase in frame.index]
    order += [phase for phase in frame.index if phase not in PHASES]
    table = _top_series(frame.reindex(order).fillna(0))
    totals = table.sum(axis=1)
    group = frame.columns.name or "group"

    def draw() -> Figure:
        figure, axes = _axes(height=COUNTS_HEIGHT)
        _stack(axes, table)
        axes.bar_label(
            axes.containers[-1],
            labels=[f"{total:,.0f}" if total else "" for total in totals],
            padding=2,
            fontsize=SMALLEST_TEXT,
        )
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_ylabel("Programmes")
        _stack_legend(figure, axes, group)
        return figure

    listed = ", ".join(f"{phase} {total:,.0f}" for phase, total in totals.items())
    alt = (
        f"Stacked bar chart of pipeline counts by phase and {_words(group)}: {listed}; "
        f"{totals.sum():,.0f} programmes in total."
    )
    return Chart(draw, title, alt, frame=readable(frame.reindex(order)))


def new_figure(width: float, height: float) -> Figure:
    """A figure on the Agg canvas, outside pyplot's registry of open figures."""
    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _axes(*, width: float = WIDTH, height: float = HEIGHT) -> tuple[Figure, Any]:
    """A figure with one set of axes."""
    figure = new_figure(width, height)
    return figure, figure.add_subplot()


def no_data(title: str) -> Chart:
    """A short placeholder chart saying there is nothing to show."""
    return Chart(_no_data_figure, title, f"{title}: no data to show.")


def _no_data_figure() -> Figure:
    """The placeholder's figure: "No data", muted, in a short strip."""
    figure = new_figure(WIDTH, 0.8)
    figure.text(0.5, 0.4, "No data", ha="center", va="center", color=MUTED_COLOR, fontsize=11)
    return figure


def _top_series(table: pd.DataFrame) -> pd.DataFrame:
    """Columns ordered by total, largest first; beyond the palette, the smallest summed as Other."""
    order = table.sum().sort_values(ascending=False, kind="stable").index
    if len(order) <= len(PALETTE):
        return table[order]
    kept = table[order[: len(PALETTE) - 1]].copy()
    rest = table.drop(columns=kept.columns).sum(axis=1)
    kept[OTHER] = kept.get(OTHER, 0) + rest
    return kept


def _stack(axes: Any, table: pd.DataFrame, labels: Mapping[str, str] | None = None) -> None:
    """Stacked vertical bars, one segment per column, on a category axis of the index; a
    segment is named as `labels` names its column, coloured as the column."""
    positions = np.arange(len(table.index))
    names = table.columns.astype(str).tolist()
    labels = labels or {}
    bottom = np.zeros(len(positions))
    for name, color, column in zip(names, series_colors(names), table.columns, strict=True):
        heights = table[column].to_numpy(dtype=float)
        axes.bar(
            positions, heights, bottom=bottom, width=0.65, color=color, label=labels.get(name, name)
        )
        bottom += heights
    category_axis(axes, positions, table.index.astype(str).tolist())
    axes.yaxis.grid(True)


def _stack_legend(figure: Figure, axes: Any, heading: str) -> None:
    """Legend right of the plot, in the order the segments are stacked (top first), a long
    name wrapped so that the plot keeps its width."""
    handles, labels = axes.get_legend_handles_labels()
    wrapped = [wrap_words(label, LEGEND_LABEL) for label in labels]
    figure.legend(
        handles[::-1], wrapped[::-1], title=_words(heading).capitalize(), loc="outside right upper"
    )


def _number(value: float, unit: str | Money) -> str:
    """A bare number as a bar label shows it."""
    if unit == "%":
        return percent(value)
    if unit == "count":
        return f"{value:,.0f}"
    return money(value)


def _quantity(value: float, unit: str | Money) -> str:
    """A number with its unit, as alt text reads it."""
    if isinstance(unit, Money):
        return unit.amount(money(value))
    if unit in ("%", "count"):
        return _number(value, unit)
    return f"{_number(value, unit)} {unit}"


def _span(labels: Sequence[str]) -> str:
    """ "2024Q4 to 2025Q3", or the single label."""
    return labels[0] if len(labels) == 1 else f"{labels[0]} to {labels[-1]}"


def _words(name: str) -> str:
    """A column name as words."""
    return str(name).replace("_", " ")
