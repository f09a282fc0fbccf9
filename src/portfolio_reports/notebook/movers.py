"""What moved product sales: the biggest movers and the bridges from an earlier quarter."""

from __future__ import annotations

from portfolio_reports.analysis import commercial, views
from portfolio_reports.analysis.revenue import floor_figure, materiality
from portfolio_reports.notebook.frames import frame_columns
from portfolio_reports.notebook.page import NOTHING, PageArea
from portfolio_reports.presentation import narrative
from portfolio_reports.presentation import views as drawn
from portfolio_reports.presentation.charts import Chart
from portfolio_reports.presentation.columns import column_table
from portfolio_reports.presentation.formatting import exclusivity_cause, signed_percent
from portfolio_reports.presentation.tables import Html, Table, defined


class MoverSections(PageArea):
    """Which products and markets moved product sales, against which quarter, and why."""

    @frame_columns(
        "Product",
        "Market",
        "Product sales ({money})",
        "Previous quarter ({money})",
        "Change ({money})",
        "QoQ",
    )
    def revenue_movers(self) -> Table:
        """Product and market pairs with the largest revenue changes against last quarter."""
        if not self.page.sells:
            return NOTHING
        frame = commercial.revenue_movers(self.dataset, self.scope, self.quarter)
        causes = frame[commercial.EXCLUSIVITY_LOST].map(exclusivity_cause)
        shown = frame.assign(asset=views.market_brand_names(frame, self.dataset), cause=causes)
        table = column_table(
            shown.assign(market=self.page.market_names(frame["market"])),
            [
                "asset",
                "market",
                "revenue_m",
                "previous_quarter_m",
                "change_m",
                "qoq",
                *(["cause"] if (causes != "").any() else []),
            ],
            caption=f"{self.quarter.label} against {self.quarter.previous.label},"
            f" {self.page.money.label}",
            money=self.page.money,
            empty=self._no_movers(),
        )
        ranking = (
            f"Ranked by the change as shown ({self.page.money.label}, one decimal); ties go to"
            " the larger revenue this quarter, then product and market code."
        )
        notes = [
            self.page.money.spell(materiality(self.dataset.materiality)),
            views.VIEW_DEFINITIONS["market brand"],
        ]
        return defined(table, " ".join([ranking, *notes, self.page.meaning("market")]))

    def _no_movers(self) -> str:
        """Why the movers table is empty, with its exact condition and the largest move."""
        previous = self.quarter.previous.label
        largest = commercial.largest_move(self.dataset, self.scope, self.quarter)
        if largest is None:
            return f"No product sales in {self.quarter.label} or {previous}."
        name = views.market_brand_names(largest.to_frame().T, self.dataset).iloc[0]
        rule = self.dataset.materiality
        return (
            f"No product and market moved by at least"
            f" {self.page.money.amount(floor_figure(rule))} and"
            f" {rule.share * 100:g}% against {previous}; the largest move was {name} in"
            f" {self.page.market_names(largest[['market']]).iloc[0]},"
            f" {narrative.money_change(largest['change_m'], self.page.money)}"
            f" ({signed_percent(largest['qoq'])})."
        )

    @frame_columns("Bridge", "Step", "Brand", "Kind", "Product sales ({money})")
    def revenue_bridge(self, *bases: str) -> Chart | Html:
        """Product sales to this quarter from each base of `bases` ("previous", "year_ago";
        both by default), by product; nothing when the scope sold nothing in those quarters."""
        quarters = {"previous": self.quarter.previous, "year_ago": self.quarter.year_ago}
        bridges = []
        for name in bases or tuple(quarters):
            steps = views.revenue_bridge(*self.page.slice, name)
            bridges.append((quarters[name].label, self.quarter.label, steps))
        if not any(frame["revenue_m"].any() for _, _, frame in bridges):
            return NOTHING
        chart = drawn.revenue_bridges(
            bridges,
            title=f"What moved product sales, {self.page.label} ({self.page.money.label})",
            money_unit=self.page.money,
            materiality=self.dataset.materiality,
        )
        return self.page.noted(chart, "bridge", "brand")
