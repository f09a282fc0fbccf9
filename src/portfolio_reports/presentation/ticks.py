"""Axis ticks in the house style: amounts that show each tick exactly, category labels."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.ticker import Formatter, MaxNLocator

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


def label_inches(labels: Sequence[str]) -> float:
    """Rough length of the longest tick label in inches."""
    return 0.08 * max(len(label) for label in labels)
