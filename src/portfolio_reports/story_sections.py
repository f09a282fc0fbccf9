"""The notebooks' call for the key figures a report leads with; `sections.ReportView` has it."""

from __future__ import annotations

from functools import cached_property

import pandas as pd

from portfolio_reports.analysis import key_figures, metrics
from portfolio_reports.analysis.revenue import REVENUE
from portfolio_reports.analysis.scope import Scope
from portfolio_reports.data.dataset import Dataset
from portfolio_reports.data.quarters import Quarter
from portfolio_reports.presentation import narrative
from portfolio_reports.presentation.formatting import date_text, money, percent, signed_percent
from portfolio_reports.presentation.kpi_strip import Tile, kpi_strip
from portfolio_reports.presentation.tables import Html
from portfolio_reports.text import counted


class KeyFigures:
    """The key-figure strip: sales, reach, programmes, news and the next catalyst of a scope."""

    dataset: Dataset
    scope: Scope
    quarter: Quarter

    @property
    def _synthetic(self) -> bool:
        """Whether any sales figure of the scope is generated rather than reported."""
        return bool(self.scope.sales(self.dataset)["synthetic"].any())

    @cached_property
    def _sells(self) -> bool:
        """Whether the scope had product sales in the quarters the page charts."""
        return key_figures.has_sales(self.dataset, self.scope, self.quarter)

    def kpi_strip(self) -> Html:
        """The quarter's story in key figures fitted to the scope, each with its definition."""
        ds, scope, quarter = self.dataset, self.scope, self.quarter
        meaning = key_figures.DEFINITIONS
        tiles = self._sales_tiles() if self._sells else []
        counts = metrics.portfolio_counts(ds, scope, quarter).set_index("count")["value"]
        launched = counts["Products launched"]
        if scope.market is not None:
            reach = f"in {scope.place(ds)}"
        elif launched:
            reach = f"in {counted(counts['Markets reached'], 'market', 'markets')}"
        else:
            reach = "in any market"
        tiles.append(
            Tile(
                "On the market",
                counted(launched, "product", "products") if launched else "None approved",
                reach,
                meaning["on_market"],
            )
        )
        phases = key_figures.in_development_by_phase(ds, scope, quarter)
        tiles.append(
            Tile(
                "In development",
                counted(int(phases.sum()), "programme", "programmes"),
                " · ".join(f"{phase} {count}" for phase, count in phases[::-1].items()),
                meaning["in_development"],
            )
        )
        tiles.append(
            Tile(
                f"News in {quarter.label}",
                counted(counts["Approvals this quarter"], "approval", "approvals"),
                counted(
                    counts["Filings accepted this quarter"], "filing accepted", "filings accepted"
                ),
                meaning["news"],
            )
        )
        if not self._sells:
            tiles.extend(self._partnering_tiles())
        tiles.append(self._catalyst_tile())
        synthetic = "; sales figures synthetic" if self._sells and self._synthetic else ""
        window = quarter.shift(1 - key_figures.SALES_WINDOW).label
        return kpi_strip(
            tiles,
            caption=f"Key figures, {scope.label}, {quarter.label}{synthetic}",
            note=None if self._sells else f"No product sales from {window} to {quarter.label}.",
        )

    def _sales_tiles(self) -> list[Tile]:
        """The quarter's product sales with growth, the year to date, China against overseas."""
        ds, scope, quarter = self.dataset, self.scope, self.quarter
        meaning = key_figures.DEFINITIONS
        sales = key_figures.quarter_sales(ds, scope, quarter)
        ytd = key_figures.year_to_date(ds, scope, quarter)
        tiles = [
            Tile(
                f"{scope.revenue_label}, {quarter.label}",
                f"RMB {money(sales[REVENUE])} m",
                f"{signed_percent(sales['qoq'])} QoQ · {signed_percent(sales['yoy'])} YoY",
                meaning["sales"],
            ),
            *self._total_revenue_tile(),
            Tile(
                f"Year to date, {ytd.period}",
                f"RMB {money(ytd.revenue)} m",
                f"no sales in {ytd.base_period}"
                if pd.isna(ytd.growth)
                else f"{signed_percent(ytd.growth)} on {ytd.base_period}",
                meaning["year_to_date"],
            ),
        ]
        share = key_figures.china_share(ds, scope, quarter)
        if share is not None:
            tiles.append(
                Tile(
                    "China / overseas",
                    f"{percent(share)} / {percent(1 - share)}",
                    f"of product sales in {quarter.label}",
                    meaning["china_share"],
                )
            )
        return tiles

    def _total_revenue_tile(self) -> list[Tile]:
        """Total revenue with growth on the whole-portfolio page; none elsewhere (licence,
        service and other income belong to no market or area)."""
        if self.scope != Scope():
            return []
        total = key_figures.total_revenue(self.dataset, self.quarter)
        return [
            Tile(
                f"Total revenue, {self.quarter.label}",
                f"RMB {money(total[REVENUE])} m",
                f"{signed_percent(total['qoq'])} QoQ · {signed_percent(total['yoy'])} YoY",
                key_figures.DEFINITIONS["total_revenue"],
            )
        ]

    def _partnering_tiles(self) -> list[Tile]:
        """Licence deals and filings under review: what a scope without sales is about."""
        ds, scope, quarter = self.dataset, self.scope, self.quarter
        meaning = key_figures.DEFINITIONS
        tiles = []
        deals, latest = key_figures.latest_deal(ds, scope, quarter)
        if latest is not None:
            when = date_text(latest["date"], latest["date_precision"])
            tiles.append(
                Tile(
                    "Licence deals",
                    counted(deals, "deal", "deals"),
                    f"latest: {latest['product']} {latest['detail']} ({when})",
                    meaning["deals"],
                )
            )
        pending = metrics.filings_under_review(ds, scope, quarter)
        if not pending.empty:
            tiles.append(
                Tile(
                    "Under review",
                    counted(len(pending), "filing", "filings"),
                    ", ".join(dict.fromkeys(pending["product"])),
                    meaning["under_review"],
                )
            )
        return tiles

    def _catalyst_tile(self) -> Tile:
        """The soonest expected event, or that none is recorded up to the horizon."""
        catalyst = key_figures.next_catalyst(self.dataset, self.scope, self.quarter)
        horizon = self.quarter.shift(metrics.CATALYST_HORIZON).label
        if catalyst is None:
            return Tile(
                "Next catalyst",
                "None recorded",
                f"up to {horizon}",
                key_figures.DEFINITIONS["next_catalyst"],
            )
        return Tile(
            "Next catalyst",
            narrative.timing(catalyst["expected"]),
            f"{catalyst['product']} {catalyst['event_type']} in {catalyst['market']}",
            key_figures.DEFINITIONS["next_catalyst"],
        )
