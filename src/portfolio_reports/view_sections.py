"""The notebooks' calls for the views leadership reads; `sections.ReportView` includes them."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from portfolio_reports.analysis import views
from portfolio_reports.analysis.metrics import CATALYST_HORIZON
from portfolio_reports.analysis.scope import Scope
from portfolio_reports.data.dataset import Dataset
from portfolio_reports.data.quarters import Quarter
from portfolio_reports.presentation import views as drawn
from portfolio_reports.presentation.charts import Chart
from portfolio_reports.presentation.figures import CHART_PROGRAMMES
from portfolio_reports.presentation.tables import Html, Table, defined, heat_table

SYNTHETIC = "Synthetic figures."
NOTHING = Table("")
"""What a view shows when its scope has nothing for it: the page leaves its heading out."""


class LeadershipViews:
    """Pipeline bars, catalyst timeline, revenue bridges, market heat map and launch tracker."""

    dataset: Dataset
    scope: Scope
    quarter: Quarter
    shown: dict[str, Any]

    def _drew_programmes(self, count: int) -> None:
        """Record what a pipeline chart drew, for the build's check against the tables."""
        self.shown.setdefault(CHART_PROGRAMMES, []).append(count)

    @property
    def _slice(self) -> tuple[Dataset, Scope, Quarter]:
        """The data, scope and quarter, as the analysis functions take them."""
        return self.dataset, self.scope, self.quarter

    def _noted(self, chart: Chart, *terms: str, sales: bool = False) -> Chart:
        """The chart with the definitions of `terms` (views.VIEW_DEFINITIONS) as its note."""
        sentences = [views.VIEW_DEFINITIONS[term] for term in terms]
        if sales and self.scope.sales(self.dataset)["synthetic"].any():
            sentences.append(SYNTHETIC)
        return replace(chart, note=" ".join(sentences))

    def programme_bars(self) -> Html:
        """Each programme in development as a bar across the phase columns, by therapy area."""
        frame = views.pipeline_bars(*self._slice)
        self._drew_programmes(len(frame))
        return drawn.pipeline_bars(
            frame,
            title=f"Programmes in development by phase, {self.scope.label},"
            f" end of {self.quarter.label}",
            note=views.VIEW_DEFINITIONS["pipeline"],
        )

    def catalyst_timeline(self) -> Html:
        """Events expected in the next four quarters, as a timeline; nothing when none is (the
        key figures say so)."""
        frame = views.catalyst_rows(*self._slice)
        if frame.empty:
            return NOTHING
        quarters = [str(self.quarter.shift(step)) for step in range(1, CATALYST_HORIZON + 1)]
        return drawn.catalyst_timeline(
            frame,
            quarters,
            title=f"Expected events, {self.quarter.shift(1).label} to"
            f" {self.quarter.shift(CATALYST_HORIZON).label}",
        )

    def revenue_bridge(self, *bases: str) -> Chart | Html:
        """Product sales to this quarter from each base of `bases` ("previous", "year_ago";
        both by default), by product; nothing when the scope sold nothing in those quarters."""
        quarters = {"previous": self.quarter.previous, "year_ago": self.quarter.year_ago}
        bridges = []
        for name in bases or tuple(quarters):
            steps = views.revenue_bridge(*self._slice, name)
            bridges.append((quarters[name].label, self.quarter.label, steps))
        if not any(frame["revenue_rmb_m"].any() for _, _, frame in bridges):
            return NOTHING
        chart = drawn.revenue_bridges(
            bridges, title=f"What moved product sales, {self.scope.label} (RMB m)"
        )
        return self._noted(chart, "bridge", "brand", sales=True)

    def launch_tracker(self) -> Chart | Html:
        """Sales per quarter since launch of the products launched in the last eight quarters;
        nothing when none was."""
        frame = views.launches(*self._slice)
        if frame.empty:
            return NOTHING
        chart = drawn.launch_tracker(
            frame,
            title=f"Launches of the last {views.LAUNCH_WINDOW} quarters, {self.scope.label}:"
            " product sales per quarter since launch (RMB m)",
        )
        return self._noted(chart, "launch", "brand", sales=True)

    def market_heat(self) -> Html:
        """Product sales per product and market this quarter; nothing on a one-market page or
        without sales."""
        if self.scope.market is not None:
            return NOTHING
        frame = views.market_product_revenue(*self._slice)
        if frame.empty or not frame.to_numpy().any():
            return NOTHING
        caption = f"Product sales by product and market, {self.quarter.label}, RMB m"
        meaning = views.VIEW_DEFINITIONS["heat"] + " " + views.VIEW_DEFINITIONS["brand"]
        return defined(heat_table(frame, caption=caption), meaning)
