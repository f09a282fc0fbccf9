"""The leadership views: bridges and launches as charts; pipeline and catalysts in HTML.

The pipeline bars across phase columns and the catalyst timeline are HTML, whose many labels
stay readable at any width and cost no image drawing.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from portfolio_reports.analysis.revenue import material
from portfolio_reports.analysis.views import ROUNDING
from portfolio_reports.config import Materiality
from portfolio_reports.data.company import Money
from portfolio_reports.data.quarters import Quarter
from portfolio_reports.data.schema import DEVELOPMENT_PHASES
from portfolio_reports.presentation.charts import (
    MUTED_COLOR,
    SMALLEST_TEXT,
    WIDTH,
    Chart,
    house_style,
    new_figure,
    no_data,
)
from portfolio_reports.presentation.columns import readable
from portfolio_reports.presentation.formatting import money, signed_money, signed_percent
from portfolio_reports.presentation.palette import TOTAL_COLOR, color_for, text_color_on
from portfolio_reports.presentation.phone import LINE_SPACING
from portfolio_reports.presentation.tables import Html
from portfolio_reports.presentation.ticks import amount_axis

ROUNDING_COLOR = "#ffffff"
"""A rounding step is white, hatched in the muted colour: not a product's change."""
ROW_INCHES = 0.28
"""Height of one bridge step."""
PANEL_TITLE_SIZE = 10
"""Font size of a bridge panel's title, in points."""
PANEL_TITLE_LINE = PANEL_TITLE_SIZE * LINE_SPACING / 72
"""Height of a line of a bridge panel's title, in inches."""
PARTNER_CHARACTERS = 64
"""Longest partner label on the pipeline chart; a longer list is cut at a partner's end."""
NO_PROGRAMMES = "No programmes in development."
PIPELINE_COLUMNS = [
    "therapy_area",
    "product",
    "inn",
    "indication_name",
    "scope",
    "phase",
    "modality",
    "partner",
    "next_milestone",
]
"""The pipeline bars' frame: what each bar shows, one row per programme."""
ASSET_COLUMNS = [
    "therapy_area",
    "product",
    "label",
    "phase",
    "programmes",
    "indication_name",
    "scope",
    "modality",
    "partner",
    "next_milestone",
]
"""The asset bars' frame: one row per molecule, at its most advanced programme."""
CATALYST_COLUMNS = ["expected", "event_type", "product", "indication_name", "market", "detail"]
"""The catalyst timeline's frame: one row per expected event."""
LAUNCH_COLUMNS = ["product", "launch_quarter", "quarters_since_launch", "quarter", "revenue_m"]
"""The launch tracker's frame, with the label column after the product: one row per point."""


@house_style
def revenue_bridges(
    bridges: Sequence[tuple[str, str, pd.DataFrame]],
    *,
    title: str,
    money_unit: Money,
    materiality: Materiality,
    label: str = "brand",
) -> Chart:
    """One horizontal waterfall per (start label, end label, steps) from `views.bridge_steps`.

    A bridge without sales at either end is left out. Totals are grey bars cut (marked //)
    where the amount axis starts, near the lowest running total, and the axis title says where
    it starts; changes float from the running total in their product's colour, each labelled
    with its signed figure; rounding is hatched and muted, apart from the products that drove
    the change. Each panel's title gives the change in all, and says when it is under the
    materiality bar (`revenue.material`), however long its bars look. The panels share the
    amount axis.
    """
    shown = [bridge for bridge in bridges if bridge[2]["revenue_m"].abs().sum() > 0]
    if not shown:
        return no_data(title)
    left = min(_bridge_axis_start(steps) for _, _, steps in shown)

    titles = [_bridge_title(start, end, steps, materiality) for start, end, steps in shown]

    def draw() -> Figure:
        rows = sum(len(steps) for _, _, steps in shown)
        wrapped = sum(title.count("\n") for title in titles)
        height = 0.9 + ROW_INCHES * rows + 0.6 * len(shown) + PANEL_TITLE_LINE * wrapped
        figure = new_figure(WIDTH, height)
        panels = figure.subplots(
            len(shown), 1, sharex=True, height_ratios=[len(s) for _, _, s in shown], squeeze=False
        )[:, 0]
        for axes, (start, end, steps), panel_title in zip(panels, shown, titles, strict=True):
            _bridge_panel(axes, start, end, steps, left, label)
            axes.set_title(panel_title, loc="left", fontsize=PANEL_TITLE_SIZE)
        cut = f"\naxis from {money(left)}: totals are cut (//)" if left > 0 else ""
        panels[-1].set_xlabel(f"Product sales, {money_unit.label}{cut}")
        panels[-1].set_xlim(left=left)
        panels[-1].margins(x=0.12)
        return figure

    alt = [
        f"from {start} {money_unit.amount(money(steps['revenue_m'].iloc[0]))} to {end}"
        f" {money_unit.amount(money(steps['revenue_m'].iloc[-1]))}"
        f" ({signed_money(steps['revenue_m'].iloc[-1] - steps['revenue_m'].iloc[0])})"
        for start, end, steps in shown
    ]
    steps = pd.concat(
        [frame.assign(bridge=f"{start} to {end}") for start, end, frame in shown],
        ignore_index=True,
    )
    return Chart(
        draw,
        title,
        "Revenue bridges by product, " + "; ".join(alt) + ".",
        frame=readable(steps, ["bridge", "step", label, "kind", "revenue_m"], money_unit),
    )


def _bridge_panel(
    axes: Any, start: str, end: str, steps: pd.DataFrame, left: float, label: str
) -> None:
    """One bridge's waterfall on `axes`, its amount axis starting at `left`."""
    totals = steps["kind"] == "total"
    names = steps[label].where(~totals, [start] + [""] * (len(steps) - 2) + [end])
    rounding = (steps["step"] == ROUNDING).to_numpy()
    colors = [
        TOTAL_COLOR if total else ROUNDING_COLOR if apart else color_for(str(step))
        for total, apart, step in zip(totals, rounding, steps["step"], strict=True)
    ]
    positions = np.arange(len(steps))
    starts = steps["start"].where(~totals, left)
    bars = axes.barh(positions, steps["end"] - starts, left=starts, height=0.6, color=colors)
    for bar in np.asarray(bars.patches)[rounding]:
        bar.set(hatch="////", edgecolor=MUTED_COLOR, linewidth=0)
    if left > 0:  # the totals' bars are cut where the axis starts
        for position in positions[totals.to_numpy()].astype(float):
            axes.text(left, position, " //", va="center", color="white", fontweight="bold")
    labels = [
        money(value) if total else signed_money(value)
        for total, value in zip(totals, steps["revenue_m"], strict=True)
    ]
    axes.bar_label(bars, labels=labels, padding=3, fontsize=SMALLEST_TEXT)
    axes.set_yticks(positions, names.tolist())
    for tick in np.asarray(axes.get_yticklabels())[rounding]:
        tick.set(color=MUTED_COLOR, fontstyle="italic")
    axes.invert_yaxis()
    axes.tick_params(axis="y", length=0)
    amount_axis(axes.xaxis)


@house_style
def launch_tracker(
    frame: pd.DataFrame, *, title: str, money_unit: Money, label: str = "brand"
) -> Chart:
    """Sales per quarter since launch, one line per product, aligned at the launch quarter."""
    if frame.empty:
        return no_data(title)
    curves = [(str(product), curve) for product, curve in frame.groupby("product", sort=False)]

    def draw() -> Figure:
        figure = new_figure(WIDTH, 4.0)
        axes = figure.add_subplot()
        for product, curve in curves:
            axes.plot(
                curve["quarters_since_launch"],
                curve["revenue_m"],
                marker="o",
                linewidth=2,
                color=color_for(product),
                label=f"{curve[label].iloc[0]}, launched {curve['launch_quarter'].iloc[0]}",
            )
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_xlabel("Quarter since launch (1 = launch quarter)")
        axes.set_ylabel(f"Product sales, {money_unit.label}")
        amount_axis(axes.yaxis)
        axes.set_ylim(bottom=0)
        figure.legend(loc="outside lower left", ncols=2, fontsize=SMALLEST_TEXT)
        return figure

    summary = [
        f"{curve[label].iloc[0]} {money_unit.amount(money(curve['revenue_m'].iloc[-1]))}"
        f" in quarter {curve['quarters_since_launch'].iloc[-1]}"
        for _, curve in curves
    ]
    return Chart(
        draw,
        title,
        "Line chart of sales since launch: " + "; ".join(summary) + ".",
        frame=readable(frame, [*LAUNCH_COLUMNS[:1], label, *LAUNCH_COLUMNS[1:]], money_unit),
    )


def pipeline_bars(frame: pd.DataFrame, *, title: str, note: str = "") -> Html:
    """One bar per programme from Preclinical to its current phase, grouped by therapy area.

    An HTML chart, so its many labels stay sharp and readable at any width: the row names
    product (its `label`, with its code and INN, the `asset`, as a tooltip), indication and
    scope over modality and partner; the bar spans the phase columns reached in the area's
    colour and names the phase; the next milestone stands at the right.
    """
    names = [f"{row.label} · {row.indication_name} ({row.scope})" for row in frame.itertuples()]
    details = [_bar_label(row.modality, row.partner) for row in frame.itertuples()]
    tips = ["" if row.asset == row.label else str(row.asset) for row in frame.itertuples()]
    bars = _phase_bars(
        frame, names, details, heading="Programme", title=title, note=note, tips=tips
    )
    return Html(bars, readable(frame, PIPELINE_COLUMNS))


def asset_bars(frame: pd.DataFrame, *, title: str, note: str = "") -> Html:
    """One bar per molecule (`analysis.views.asset_bars`) to its most advanced phase, grouped
    by therapy area, as `pipeline_bars`, one line a row to stay compact: the row names the
    asset; its modality and programmes are in the frame."""
    names = [str(label) for label in frame.get("label", [])]
    bars = _phase_bars(frame, names, [""] * len(names), heading="Asset", title=title, note=note)
    return Html(bars, readable(frame, ASSET_COLUMNS))


def _phase_bars(
    frame: pd.DataFrame,
    names: list[str],
    details: list[str],
    *,
    heading: str,
    title: str,
    note: str,
    tips: list[str] | None = None,
) -> str:
    """Rows of `frame` (therapy_area, phase, next_milestone) as bars across the phase columns,
    each headed by its name over its detail (where it has one), with its tip (where given) as
    the name's tooltip, under one heading row per therapy area: a figure's HTML."""
    phases = list(DEVELOPMENT_PHASES)
    head = "".join(f"<span>{escape(phase)}</span>" for phase in phases)
    rows = []
    area = ""
    for row, name, detail, tip in zip(
        frame.itertuples(), names, details, tips or [""] * len(names), strict=True
    ):
        if row.therapy_area != area:
            area = str(row.therapy_area)
            rows.append(f'<tr class="area"><th colspan="3">{escape(area)}</th></tr>')
        reached = phases.index(row.phase) + 1
        colour = color_for(area)
        colours = f"background:{colour};color:{text_color_on(colour)}"
        tooltip = f' title="{escape(tip)}"' if tip else ""
        rows.append(
            f'<tr><th scope="row"{tooltip}>{escape(name)}'
            + (f"<small>{escape(detail)}</small>" if detail else "")
            + f'</th><td class="track"><span class="bar" style="width:'
            f'{100 * reached / len(phases):.2f}%;{colours}">'
            f'{escape(row.phase)}</span></td><td class="milestone">'
            f"{escape(row.next_milestone)}</td></tr>"
        )
    body = "\n".join(rows) or f'<tr><td colspan="3" class="empty">{NO_PROGRAMMES}</td></tr>'
    return (
        f'<figure class="view pipeline-bars">{_caption(title, note)}<table>'
        f'<thead><tr><th scope="col">{heading}</th><th scope="col" class="phases">'
        f"<div>{head}</div></th>"
        f'<th scope="col">Next milestone</th></tr></thead>\n<tbody>\n{body}\n</tbody></table>'
        "</figure>"
    )


def catalyst_timeline(frame: pd.DataFrame, quarters: Sequence[str], *, title: str) -> Html:
    """Expected events in one column per quarter, each marked in its therapy area's colour."""
    columns = []
    for quarter in quarters:
        events = frame[frame["expected_quarter"] == quarter]
        items = "".join(
            f'<li style="border-color:{color_for(row.therapy_area)}"><b>{escape(row.label)}</b>'
            f"{escape(row.event_type)} · {escape(row.market)}</li>"
            for row in events.itertuples()
        )
        listed = f"<ol>{items}</ol>" if items else '<p class="empty">None expected.</p>'
        label = Quarter.parse(quarter).label
        columns.append(f"<section><h4>{escape(label)}</h4>{listed}</section>")
    return Html(
        f'<figure class="view timeline">{_caption(title, "")}'
        f'<div class="quarters">{"".join(columns)}</div></figure>',
        readable(frame[frame["expected_quarter"].isin(quarters)], CATALYST_COLUMNS),
    )


def _caption(title: str, note: str) -> str:
    """A view's caption: its title, then its note, as charts show them."""
    shown = f'<span class="chart-note">{escape(note)}</span>' if note else ""
    return f'<figcaption><span class="chart-title">{escape(title)}</span>{shown}</figcaption>'


def _bar_label(modality: object, partner: object) -> str:
    """Modality, and the partner where there is one, shortened to fit a bar."""
    if pd.isna(partner):
        return str(modality)
    first, *others = str(partner).split("; ")
    more = f" +{len(others)}" if others else ""
    return f"{modality} · {_short(first, PARTNER_CHARACTERS)}{more}"


def _bridge_title(start: str, end: str, steps: pd.DataFrame, materiality: Materiality) -> str:
    """A bridge panel's title: its quarters and the change in all, called small when it is
    under the materiality bar."""
    first, last = steps["revenue_m"].iloc[0], steps["revenue_m"].iloc[-1]
    change = last - first
    growth = f" ({signed_percent(change / first)})" if first else ""
    title = f"From {start} to {end}: {signed_money(change)}{growth}"
    if not material(pd.Series([change]), pd.Series([first]), materiality).iloc[0]:
        title += "\na small change: under the materiality bar"
    return title


def _bridge_axis_start(steps: pd.DataFrame) -> float:
    """Where a bridge's amount axis starts: below the lowest running total by the span of the
    changes, so they show; totals bars are cut there (marked //), and the ticks say so."""
    levels = pd.concat([steps["start"].where(steps["kind"] == "change"), steps["end"]]).dropna()
    low, high = levels.min(), levels.max()
    span = (high - low) or abs(high) or 1.0
    return max(0.0, low - 1.5 * span)


def _short(text: str, characters: int) -> str:
    """Text cut to `characters` with an ellipsis where it is longer."""
    return text if len(text) <= characters else text[: characters - 1] + "…"
