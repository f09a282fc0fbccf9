"""Commercial sections: product sales, their trend, mix, movers, bridges, launches and heat map."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from portfolio_reports.analysis import commercial, metrics, views
from portfolio_reports.analysis.commercial import EXCLUSIVITY_MARKER
from portfolio_reports.analysis.ordering import by_sales
from portfolio_reports.analysis.revenue import (
    REVENUE,
)
from portfolio_reports.notebook.frames import frame_columns
from portfolio_reports.notebook.page import NOTHING, PageArea
from portfolio_reports.presentation import charts
from portfolio_reports.presentation import views as drawn
from portfolio_reports.presentation.charts import Chart
from portfolio_reports.presentation.columns import HEADERS, column_table
from portfolio_reports.presentation.figures import REVENUE_FIGURE
from portfolio_reports.presentation.formatting import exclusivity_label
from portfolio_reports.presentation.tables import Html, Table, defined, heat_table
from portfolio_reports.text import counted


class CommercialSections(PageArea):
    """Product sales of the scope: per quarter, by product, market, region and area, and why."""

    @frame_columns("Quarter", "Product sales ({money})", "QoQ", "YoY")
    def revenue_trend(self) -> Chart | Html:
        """Revenue per quarter over two years, with YoY growth and a marker at each loss of
        exclusivity; nothing without sales (the key figures say so)."""
        if not self.page.sells:
            return NOTHING
        frame = commercial.revenue_by_quarter(self.dataset, self.scope, self.quarter)
        title = f"Product sales per quarter, {self.page.label} ({self.page.money.label})"
        losses = commercial.exclusivity_losses(self.dataset, self.scope, self.quarter)
        names = views.display_names(*self.page.slice)
        markers = [
            (loss.quarter, exclusivity_label(names.get(loss.product, loss.product), loss.market))
            for loss in losses.itertuples()
        ]
        chart = self.page.sales_chart(
            charts.revenue_trend(frame, title=title, money_unit=self.page.money, markers=markers)
        )
        return replace(chart, note=f"{chart.note} {EXCLUSIVITY_MARKER}") if markers else chart

    @frame_columns("Quarter", "Product sales ({money})", "QoQ", "YoY")
    def revenue_table(self) -> Html:
        """Revenue per quarter over two years, with QoQ and YoY growth, folded under the chart;
        none without sales."""
        frame = commercial.revenue_by_quarter(self.dataset, self.scope, self.quarter)
        self.page.shown[REVENUE_FIGURE] = float(frame[REVENUE].iloc[-1])
        if not self.page.sells:
            return NOTHING
        table = self.page.sales_table(
            column_table(frame, ["quarter", "revenue_m", "qoq", "yoy"], money=self.page.money)
        )
        first = frame["quarter"].iloc[0]
        summary = f"Table: product sales per quarter, {first} to {self.quarter}"
        return self.page.fold(table, len(frame), summary)

    @frame_columns("Quarter", "{by}", "Product sales ({money})")
    def revenue_mix(self, by: str) -> Chart | Html:
        """Revenue per quarter stacked by product, market, region, area or geography."""
        if not self.page.breaks_down(by):
            return NOTHING
        frame = commercial.revenue_history_by(self.dataset, self.scope, self.quarter, by=by)
        chart = charts.stacked_revenue(
            frame,
            index="quarter",
            columns=by,
            values="revenue_m",
            title=f"Product sales by {HEADERS[by].lower()}, {self.page.label}"
            f" ({self.page.money.label})",
            money_unit=self.page.money,
            labels=self._names(frame[by], by),
        )
        return self.page.sales_chart(chart, by)

    def _names(self, values: pd.Series, by: str) -> dict[str, str]:
        """The names the page gives `by` values where they are codes: a product's on commercial
        views, with its INN, and a market's as readers know it; other values are names."""
        if by == "product":
            return views.product_labels(*self.page.slice)
        if by == "market":
            codes = values.drop_duplicates()
            return dict(zip(codes, self.page.market_names(codes), strict=True))
        return {}

    @frame_columns(
        "{by}",
        "Product sales ({money})",
        "Previous quarter ({money})",
        "QoQ",
        "Year ago ({money})",
        "YoY",
        "Mix",
    )
    def revenue_breakdown(self, by: str) -> Html:
        """Revenue this quarter by product, market, region or area, with growth and mix; a long
        table folded; nothing when it has one row (the page's own total, as the key figures
        give it: a one-market page by geography, say)."""
        if not self.page.breaks_down(by):
            return NOTHING
        frame = commercial.revenue_by(self.dataset, self.scope, self.quarter, by=by)
        if len(frame) < 2:
            return NOTHING
        if by == "product":
            frame = metrics.with_inn(frame, self.dataset)
            frame = frame.assign(asset=self.page.products(frame))
        if by == "market":
            frame = frame.assign(market=self.page.market_names(frame["market"]))
        table = column_table(
            frame,
            [
                "asset" if by == "product" else by,
                "revenue_m",
                "previous_quarter_m",
                "qoq",
                "year_ago_m",
                "yoy",
                "mix",
            ],
            caption=f"Product sales by {HEADERS[by].lower()}, {self.quarter.label}",
            empty="No revenue this quarter.",
            money=self.page.money,
        )
        summary = (
            f"Table: product sales by {HEADERS[by].lower()}, {self.quarter.label}"
            f" ({counted(len(frame), 'row', 'rows')})"
        )
        return self.page.fold(self.page.sales_table(table, by), len(frame), summary)

    @frame_columns("Product", "Product sales ({money})")
    def top_products(self) -> Chart | Html:
        """The products with the most revenue this quarter."""
        if not self.page.sells:
            return NOTHING
        frame = commercial.top_products(self.dataset, self.scope, self.quarter)
        chart = charts.horizontal_bars(
            frame.assign(asset=self.page.products(frame)),
            label="asset",
            value="revenue_m",
            title=f"Top products by product sales, {self.quarter.label} ({self.page.money.label})",
            unit=self.page.money,
        )
        return self.page.sales_chart(chart, "product")

    @frame_columns("Therapy area", "<one per region>", "Total")
    def area_summary(self) -> Table:
        """Revenue this quarter and approvals to date per therapy area and region."""
        if not self.page.sells:
            return NOTHING
        frame = commercial.area_summary(self.dataset, self.scope, self.quarter, by="region")
        areas = list(dict.fromkeys(frame["therapy_area"]))
        order = by_sales(self.dataset, "region", self.quarter)
        regions = [region for region in order if region in set(frame["region"])]

        def grid(values: str) -> pd.DataFrame:
            wide = frame.pivot_table(
                index="therapy_area", columns="region", values=values, aggfunc="sum"
            )
            return (
                wide.reindex(index=areas, columns=regions)
                .fillna(0)
                .rename_axis(index="Therapy area", columns=None)
            )

        table = heat_table(
            grid("revenue_m"),
            counts=grid("approvals"),
            count_noun=("approval", "approvals"),
            caption=f"Product sales in {self.quarter.label}, {self.page.money.label}, and"
            " approvals to date",
        )
        return self.page.sales_table(table, "therapy_area")

    @frame_columns(
        "Product",
        "Brand",
        "Launch quarter",
        "Quarter since launch",
        "Quarter",
        "Product sales ({money})",
    )
    def launch_tracker(self) -> Chart | Html:
        """Sales per quarter since launch of the products launched in the last eight quarters;
        nothing when none was."""
        frame = views.launches(*self.page.slice)
        if frame.empty:
            return NOTHING
        chart = drawn.launch_tracker(
            frame,
            title=f"Launches of the last {views.LAUNCH_WINDOW} quarters, {self.page.label}:"
            f" product sales per quarter since launch ({self.page.money.label})",
            money_unit=self.page.money,
        )
        return self.page.noted(chart, "launch", "brand")

    @frame_columns(
        "Product",
        "<one per market, by name>",
        "[Other markets: the rest, when there are more]",
        "Total",
    )
    def market_heat(self) -> Html:
        """Product sales per product and market this quarter; nothing on a one-market page or
        without sales."""
        if self.scope.market is not None:
            return NOTHING
        frame = views.market_product_revenue(*self.page.slice)
        if frame.empty or not frame.to_numpy().any():
            return NOTHING
        names = self.page.market_names(pd.Series(frame.columns, dtype=object))
        frame = frame.set_axis(names.tolist(), axis="columns")
        caption = (
            f"Product sales by product and market, {self.quarter.label}, {self.page.money.label}"
        )
        meaning = self.page.money.spell(
            views.VIEW_DEFINITIONS["heat"] + " " + views.VIEW_DEFINITIONS["brand"]
        )
        return defined(heat_table(frame, caption=caption), meaning)
