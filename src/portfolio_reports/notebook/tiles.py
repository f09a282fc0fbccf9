"""The key figures a page opens with, fitted to its scope, each with its definition."""

from __future__ import annotations

import pandas as pd

from portfolio_reports.analysis import key_figures, metrics, views
from portfolio_reports.analysis import pipeline as lifecycle
from portfolio_reports.analysis.revenue import REVENUE, home_split
from portfolio_reports.analysis.scope import Scope
from portfolio_reports.notebook.frames import frame_columns
from portfolio_reports.notebook.page import PageArea
from portfolio_reports.presentation import narrative
from portfolio_reports.presentation.formatting import dated, money, percent, signed_percent
from portfolio_reports.presentation.kpi_strip import Tile, kpi_strip
from portfolio_reports.presentation.tables import Html
from portfolio_reports.text import counted


class TileSections(PageArea):
    """The key-figure strip: sales, market reach, pipeline, news, partners, next catalyst."""

    @frame_columns("Figure", "Value", "Detail", "Definition")
    def kpi_strip(self) -> Html:
        """The quarter's story in key figures fitted to the scope, each with its definition."""
        ds, scope, quarter = self.dataset, self.scope, self.quarter
        meaning = key_figures.DEFINITIONS
        tiles = self._sales_tiles() if self.page.sells else self._indicated_tiles()
        counts = metrics.portfolio_counts(ds, scope, quarter).set_index("count")["value"]
        launched = counts["Products launched"]
        if scope.market is not None:
            reach = f"in {scope.place(ds)}"
        elif launched:
            reach = f"in {counted(counts['Markets reached'], 'market', 'markets')}"
            inferred = counts[metrics.INFERRED_MARKETS]
            reach += f", {inferred} of them on inferred approvals only" if inferred else ""
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
        tiles.append(self._pipeline_tile(counts))
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
        if not self.page.sells:
            tiles.extend(self._partnering_tiles())
        tiles.append(self._catalyst_tile())
        synthetic = "; sales figures synthetic" if self.page.sells and self.page.synthetic else ""
        return kpi_strip(
            tiles,
            caption=f"Key figures, {self.page.label}, {quarter.label}{synthetic}",
            note=None if self.page.sells else self.page.no_sales_note(),
        )

    def _pipeline_tile(self, counts: pd.Series) -> Tile:
        """Molecules in development and how many of them are pivotal, then the programmes: how
        many run in the page's market or region and how many are global, and how many at each
        phase. The molecules' and the programmes' counts are told apart in the words, so the
        pivotal molecules do not read as a sum of programmes by phase."""
        ds, scope, quarter = self.dataset, self.scope, self.quarter
        phases = key_figures.in_development_by_phase(ds, scope, quarter)
        programmes = counted(int(phases.sum()), "programme", "programmes")
        place = scope.place(ds)
        if place is not None and not phases.empty:
            split = metrics.programme_counts(ds, scope, quarter).loc[lifecycle.IN_DEVELOPMENT]
            local, global_ = int(split[lifecycle.LOCAL]), int(split[lifecycle.GLOBAL])
            programmes += ", " + narrative.programme_split(local, global_, place)
        if not phases.empty:
            programmes += ": " + " · ".join(f"{n} {phase}" for phase, n in phases[::-1].items())
        molecules = counts["Molecules in development"]
        pivotal = f"{counts[metrics.PIVOTAL]} of {molecules} pivotal (Phase 3 or Filed) · "
        return Tile(
            "In development",
            counted(molecules, "molecule", "molecules"),
            (pivotal if molecules else "") + programmes,
            key_figures.DEFINITIONS["in_development"],
        )

    def _sales_tiles(self) -> list[Tile]:
        """The quarter's product sales with growth, the year to date, home market against
        the rest of the world."""
        ds, scope, quarter = self.dataset, self.scope, self.quarter
        meaning = key_figures.DEFINITIONS
        cash = ds.profile.money
        sales = key_figures.quarter_sales(ds, scope, quarter)
        ytd = key_figures.year_to_date(ds, scope, quarter)
        tiles = [
            Tile(
                f"{scope.revenue_label}, {quarter.label}",
                cash.amount(money(sales[REVENUE])),
                f"{signed_percent(sales['qoq'])} QoQ · {signed_percent(sales['yoy'])} YoY",
                cash.spell(meaning["sales"]),
            ),
            *self._total_revenue_tile(),
            Tile(
                f"{ytd.name}, {ytd.period}",
                cash.amount(money(ytd.revenue)),
                f"no sales in {ytd.base_period}"
                if pd.isna(ytd.growth)
                else f"{signed_percent(ytd.growth)} on {ytd.base_period}",
                ytd.definition,
            ),
        ]
        share = key_figures.home_share(ds, scope, quarter)
        home = home_split(ds)
        if share is not None and home is not None:
            tiles.append(
                Tile(
                    f"{home.label} / {home.rest}",
                    f"{percent(share)} / {percent(1 - share)}",
                    f"of product sales in {quarter.label}",
                    home.definition,
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
                self.dataset.profile.money.amount(money(total[REVENUE])),
                f"{signed_percent(total['qoq'])} QoQ · {signed_percent(total['yoy'])} YoY",
                key_figures.DEFINITIONS["total_revenue"],
            )
        ]

    def _indicated_tiles(self) -> list[Tile]:
        """Without a revenue allocation, the disease area's products' sales, not allocated."""
        indicated = key_figures.indicated_sales(self.dataset, self.scope, self.quarter)
        if indicated is None:
            return []
        cash = self.dataset.profile.money
        return [
            Tile(
                f"Sales of products with indications here, {self.quarter.label}",
                cash.amount(money(indicated.revenue)),
                f"not allocated among their {indicated.disease_areas} disease areas",
                cash.spell(key_figures.DEFINITIONS["indicated_sales"]),
            )
        ]

    def _partnering_tiles(self) -> list[Tile]:
        """Licence deals and filings under review: what a scope without sales is about."""
        ds, scope, quarter = self.dataset, self.scope, self.quarter
        meaning = key_figures.DEFINITIONS
        tiles = []
        deals, latest = key_figures.latest_deal(ds, scope, quarter)
        if latest is not None:
            when = dated(
                latest["date"],
                latest["date_precision"],
                estimated=bool(latest["estimated"]),
                inferred=bool(latest["inferred"]),
            )
            tiles.append(
                Tile(
                    "Licence deals",
                    counted(deals, "deal", "deals"),
                    f"latest: {self._name(latest['product'])} {latest['detail']} ({when})",
                    meaning["deals"],
                )
            )
        pending = metrics.filings_under_review(ds, scope, quarter)
        if not pending.empty:
            tiles.append(
                Tile(
                    "Under review",
                    counted(len(pending), "filing", "filings"),
                    ", ".join(dict.fromkeys(pending["product"].map(self._name))),
                    meaning["under_review"],
                )
            )
        return tiles

    def _name(self, product: str) -> str:
        """A product by its name on the page (`views.display_names`)."""
        return str(views.display_names(*self.page.slice).get(product, product))

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
            f"{self._name(catalyst['product'])} {catalyst['event_type']} in"
            f" {self.page.market_names(pd.Series([catalyst['market']])).iloc[0]}",
            key_figures.DEFINITIONS["next_catalyst"],
        )
