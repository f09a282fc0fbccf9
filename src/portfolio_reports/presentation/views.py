"""The views leadership reads, in the house style: revenue bridges, launch tracker, pipeline
bars across phase columns and the catalyst timeline."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from portfolio_reports.data.schema import DEVELOPMENT_PHASES, THERAPY_AREAS
from portfolio_reports.presentation.charts import (
    MUTED_COLOR,
    WIDTH,
    Chart,
    amount_axis,
    house_style,
    new_figure,
    no_data,
)
from portfolio_reports.presentation.formatting import money, signed_money
from portfolio_reports.presentation.palette import TOTAL_COLOR, color_for

ROW_INCHES = 0.32
"""Height of one row (a bridge step, a programme, a catalyst)."""
PARTNER_CHARACTERS = 40
"""Longest partner label on the pipeline chart; a longer list is cut at a partner's end."""


@house_style
def revenue_bridges(
    bridges: Sequence[tuple[str, str, pd.DataFrame]], *, title: str, label: str = "brand"
) -> Chart:
    """One horizontal waterfall per (start label, end label, steps) from `views.bridge_steps`.

    A bridge without sales at either end is left out. Totals are grey bars cut (marked //)
    where the amount axis starts, near the lowest running total; changes float from the running total in their product's
    colour, each labelled with its signed figure; the panels share the amount axis.
    """
    shown = [bridge for bridge in bridges if bridge[2]["revenue_rmb_m"].abs().sum() > 0]
    if not shown:
        return no_data(title)
    rows = sum(len(steps) for _, _, steps in shown)
    figure = new_figure(WIDTH, 0.9 + ROW_INCHES * rows + 0.6 * len(shown))
    panels = figure.subplots(
        len(shown), 1, sharex=True, height_ratios=[len(s) for _, _, s in shown], squeeze=False
    )[:, 0]
    left = min(_bridge_axis_start(steps) for _, _, steps in shown)
    alt = []
    for axes, (start, end, steps) in zip(panels, shown, strict=True):
        totals = steps["kind"] == "total"
        names = steps[label].where(~totals, [start] + [""] * (len(steps) - 2) + [end])
        colors = [
            TOTAL_COLOR if total else color_for(str(step))
            for total, step in zip(totals, steps["step"], strict=True)
        ]
        positions = np.arange(len(steps))
        starts = steps["start"].where(~totals, left)
        bars = axes.barh(positions, steps["end"] - starts, left=starts, height=0.6, color=colors)
        for position in positions[totals.to_numpy()]:
            axes.text(left, position, " //", va="center", color="white", fontweight="bold")
        labels = [
            money(value) if total else signed_money(value)
            for total, value in zip(totals, steps["revenue_rmb_m"], strict=True)
        ]
        axes.bar_label(bars, labels=labels, padding=3, fontsize=9)
        axes.set_yticks(positions, names.tolist())
        axes.invert_yaxis()
        axes.tick_params(axis="y", length=0)
        amount_axis(axes.xaxis)
        axes.set_title(f"From {start} to {end}", loc="left", fontsize=10)
        change = steps["revenue_rmb_m"].iloc[-1] - steps["revenue_rmb_m"].iloc[0]
        alt.append(
            f"from {start} RMB {money(steps['revenue_rmb_m'].iloc[0])} m to {end}"
            f" RMB {money(steps['revenue_rmb_m'].iloc[-1])} m ({signed_money(change)})"
        )
    panels[-1].set_xlabel("Product sales, RMB m")
    panels[-1].set_xlim(left=left)
    panels[-1].margins(x=0.12)
    return Chart(figure, title, "Revenue bridges by product, " + "; ".join(alt) + ".")


@house_style
def launch_tracker(frame: pd.DataFrame, *, title: str, label: str = "brand") -> Chart:
    """Sales per quarter since launch, one line per product, aligned at the launch quarter."""
    if frame.empty:
        return no_data(title)
    figure = new_figure(WIDTH, 4.0)
    axes = figure.add_subplot()
    summary = []
    for product, curve in frame.groupby("product", sort=False):
        name = str(curve[label].iloc[0])
        launched = curve["launch_quarter"].iloc[0]
        axes.plot(
            curve["quarters_since_launch"],
            curve["revenue_rmb_m"],
            marker="o",
            linewidth=2,
            color=color_for(str(product)),
            label=f"{name}, launched {launched}",
        )
        last = curve.iloc[-1]
        summary.append(
            f"{name} RMB {money(last['revenue_rmb_m'])} m in quarter"
            f" {last['quarters_since_launch']}"
        )
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlabel("Quarter since launch (1 = launch quarter)")
    axes.set_ylabel("Product sales, RMB m")
    amount_axis(axes.yaxis)
    axes.set_ylim(bottom=0)
    figure.legend(loc="outside lower left", ncols=2, fontsize=9)
    return Chart(figure, title, "Line chart of sales since launch: " + "; ".join(summary) + ".")


@house_style
def pipeline_bars(frame: pd.DataFrame, *, title: str) -> Chart:
    """One bar per programme from Preclinical to its current phase, grouped by therapy area.

    The row names product, indication and scope; the bar is labelled with modality and partner,
    the next milestone stands at the right; bars take their therapy area's colour.
    """
    if frame.empty:
        return no_data(title)
    phases = list(DEVELOPMENT_PHASES)
    rows = len(frame)
    figure = new_figure(WIDTH + 2.5, 1.2 + ROW_INCHES * 1.25 * rows)
    axes = figure.add_subplot()
    reached = frame["phase"].map({phase: rank + 1 for rank, phase in enumerate(phases)})
    colors = [color_for(area) for area in frame["therapy_area"]]
    positions = np.arange(rows)
    axes.barh(positions, reached, left=0, height=0.62, color=colors)
    for position, row in zip(positions, frame.itertuples(), strict=True):
        axes.text(
            0.08,
            position,
            _bar_label(row.modality, row.partner),
            va="center",
            fontsize=8,
            color="white",
            clip_on=True,
        )
        if row.next_milestone:
            axes.text(len(phases) + 0.1, position, row.next_milestone, va="center", fontsize=8)
    names = [
        f"{row.product} · {_short(row.indication_name, 34)} ({row.scope})"
        for row in frame.itertuples()
    ]
    axes.set_yticks(positions, names, fontsize=8)
    axes.invert_yaxis()
    axes.set_xlim(0, len(phases) + 1.6)
    axes.set_xticks(np.arange(len(phases)) + 0.5, phases, fontsize=9)
    axes.xaxis.tick_top()
    for boundary in range(1, len(phases) + 1):
        axes.axvline(boundary, color="#e3e3e3", linewidth=0.8, zorder=0)
    axes.text(len(phases) + 0.1, -1, "Next milestone", fontsize=9, color=MUTED_COLOR)
    axes.tick_params(length=0)
    axes.spines[:].set_visible(False)
    areas = [area for area in THERAPY_AREAS if area in set(frame["therapy_area"])]
    _area_breaks(axes, frame["therapy_area"].tolist())
    figure.legend(
        handles=[Patch(color=color_for(area), label=area) for area in areas],
        loc="outside lower left",
        ncols=len(areas),
    )
    counts = frame["phase"].value_counts()
    listed = ", ".join(f"{phase} {counts[phase]}" for phase in phases if phase in counts)
    return Chart(
        figure, title, f"Pipeline chart of {rows} programmes in development by phase: {listed}."
    )


@house_style
def catalyst_timeline(frame: pd.DataFrame, quarters: Sequence[str], *, title: str) -> Chart:
    """Expected events as dots in their quarter's column, one row each, coloured by area."""
    if frame.empty:
        return no_data(title)
    rows = len(frame)
    figure = new_figure(WIDTH, 1.2 + ROW_INCHES * 1.2 * rows)
    axes = figure.add_subplot()
    columns = {quarter: index for index, quarter in enumerate(quarters)}
    positions = np.arange(rows)
    axes.scatter(
        frame["expected_quarter"].map(columns),
        positions,
        s=90,
        color=[color_for(area) for area in frame["therapy_area"]],
        zorder=3,
    )
    for position, row in zip(positions, frame.itertuples(), strict=True):
        axes.text(
            columns[row.expected_quarter] + 0.15,
            position,
            f"{row.event_type} · {row.market}",
            va="center",
            fontsize=8,
        )
    axes.set_yticks(positions, frame["label"].tolist(), fontsize=9)
    axes.invert_yaxis()
    axes.set_xticks(range(len(quarters)), quarters)
    axes.set_xlim(-0.4, len(quarters) - 0.1)
    axes.xaxis.tick_top()
    for boundary in range(len(quarters)):
        axes.axvline(boundary, color="#e3e3e3", linewidth=0.8, zorder=0)
    axes.tick_params(length=0)
    axes.spines[:].set_visible(False)
    per_quarter = frame["expected_quarter"].value_counts()
    listed = ", ".join(f"{quarter} {per_quarter.get(quarter, 0)}" for quarter in quarters)
    return Chart(figure, title, f"Timeline of {rows} expected events by quarter: {listed}.")


def _bridge_axis_start(steps: pd.DataFrame) -> float:
    """Where a bridge's amount axis starts: below the lowest running total by the span of the
    changes, so they show; totals bars are cut there (marked //), and the ticks say so."""
    levels = pd.concat([steps["start"].where(steps["kind"] == "change"), steps["end"]]).dropna()
    low, high = levels.min(), levels.max()
    span = (high - low) or abs(high) or 1.0
    return max(0.0, low - 1.5 * span)


def _bar_label(modality: object, partner: object) -> str:
    """Modality, and the partner where there is one, shortened to fit a bar."""
    if pd.isna(partner):
        return str(modality)
    first, *others = str(partner).split("; ")
    more = f" +{len(others)}" if others else ""
    return f"{modality} · {_short(first, PARTNER_CHARACTERS)}{more}"


def _short(text: object, characters: int) -> str:
    """Text cut to `characters` with an ellipsis where it is longer."""
    text = str(text)
    return text if len(text) <= characters else text[: characters - 1] + "…"


def _area_breaks(axes: Any, areas: list[str]) -> None:
    """A line between the rows of one therapy area and the next."""
    for position in range(1, len(areas)):
        if areas[position] != areas[position - 1]:
            axes.axhline(position - 0.5, color=MUTED_COLOR, linewidth=0.8)
