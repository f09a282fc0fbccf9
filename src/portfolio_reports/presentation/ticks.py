"""Axis ticks in the house style: amounts shown exactly, category labels, least layout work."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import Formatter, MaxNLocator, NullLocator

TICK_DECIMALS = 4
"""Most decimals an amount tick label shows (ticks 0.0025 apart at the finest)."""


class AmountFormatter(Formatter):
    """Amount ticks with thousands separators and as many decimals as the ticks need.

    A tick at 2.5 reads "2.5", never "2"; ticks at whole numbers read without decimals; zero
    never reads "-0".
    """

    decimals = 0

    def set_locs(self, locs: list[float]) -> None:
        """Choose the fewest decimals that show every tick exactly."""
        super().set_locs(locs)
        self.decimals = next(
            (
                places
                for places in range(TICK_DECIMALS + 1)
                if all(abs(round(loc, places) - loc) < 1e-9 for loc in locs)
            ),
            TICK_DECIMALS,
        )

    def __call__(self, x: float, pos: int | None = None) -> str:
        """The tick's label."""
        shown = round(x, self.decimals)
        return f"{shown + 0.0:,.{self.decimals}f}"


def amount_axis(axis: Any) -> None:
    """An amount axis whose ticks fall on steps its labels show exactly (AmountFormatter)."""
    axis.set_major_locator(MaxNLocator(nbins="auto", steps=[1, 2, 2.5, 5, 10], min_n_ticks=3))
    axis.set_major_formatter(AmountFormatter())
    axis.grid(True)


def category_axis(axes: Any, positions: np.ndarray, labels: Sequence[str]) -> None:
    """Label a category axis without tick marks, slanting crowded labels."""
    axes.set_xticks(positions, labels)
    axes.tick_params(axis="x", length=0, labelrotation=45 if len(labels) > 12 else 0)


def spare_axis_layout(figure: Figure) -> None:
    """Spare matplotlib work on every layout pass and draw that changes nothing the figure shows.

    An empty axis label gets a fixed place (it draws nothing wherever it stands), where
    matplotlib would work it out beyond the tick labels by measuring each of them: about 7% of a
    chart's drawing. An axis without minor ticks skips taking out the minor ticks that fall on
    major ones, which asks its major locator again on each of the many tick updates of a draw.
    """
    for axes in figure.axes:
        for axis in (axes.xaxis, axes.yaxis):
            if not axis.label.get_text():
                axis.set_label_coords(0.5, 0.5)
            if isinstance(axis.get_minor_locator(), NullLocator):
                axis.remove_overlapping_locs = False
