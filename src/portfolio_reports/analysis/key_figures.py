"""The figures a page leads with, each from the definitions its tables use, and what each means."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from portfolio_reports.analysis import commercial, metrics
from portfolio_reports.analysis.revenue import (
    GEOGRAPHY,
    REVENUE,
    REVENUE_TYPE,
    TOTAL_REVENUE,
    home_split,
    year_to_date_definition,
    year_to_date_name,
)
from portfolio_reports.analysis.scope import Scope
from portfolio_reports.data.company import MONEY
from portfolio_reports.data.dataset import Dataset
from portfolio_reports.data.quarters import Quarter
from portfolio_reports.data.schema import Indications, Sales

SALES_WINDOW = 8
"""Quarters of sales a page charts; a scope without sales in them has no commercial section."""

DEFINITIONS = {
    "sales": f"Product sales of the quarter in {MONEY}, against the previous quarter (QoQ)"
    " and the same quarter a year earlier (YoY).",
    "total_revenue": "Product sales plus licence, service and other income of the quarter: the"
    " company's total revenue, against the previous quarter and a year earlier.",
    "on_market": "Products with at least one approval in force at quarter end, and the markets"
    " where any is in force, with how many of those rest on inferred approvals only.",
    "in_development": "Molecules (products) with a programme in development at quarter end,"
    " and how many of them are pivotal: with a programme at Phase 3 or Filed. Then the"
    " programmes (one indication in one market, or Global) in development: how many run in the"
    " page's market or region and how many are global, and how many are at each phase. A"
    " molecule has one programme or more, so there are at least as many programmes as molecules.",
    "news": "Approval events and filings accepted by a regulator, dated in the quarter.",
    "deals": "Licence deals to date for products of this scope; the latest is named.",
    "under_review": "Filings accepted by quarter end and not yet decided.",
    "next_catalyst": "The soonest event expected in the next four quarters; timings are estimates.",
    "indicated_sales": f"Without a revenue allocation in the data: the quarter's product sales, in"
    f" {MONEY}, of every product with an indication in this disease area (approved or in"
    " development), whole and in the page's markets. They are not split among the disease areas"
    " each product has indications in, so a product counts in full on each of their pages and"
    " these figures do not add up to the therapy area.",
}
"""One sentence per key figure, shown with it (MONEY spelled by `Money.spell`); the home
market's share has `home_split`'s."""


@dataclass(frozen=True)
class YearToDate:
    """Product sales from the year's first quarter to this one, and growth on a year before."""

    revenue: float
    growth: float
    """Fraction; NaN when the same quarters a year earlier had no sales."""
    quarter: Quarter
    """The quarter the year runs to."""
    start_month: int
    """The month the (fiscal) year starts in."""

    @property
    def name(self) -> str:
        """ "Year to date", or "Fiscal year to date" when the year is not the calendar year."""
        return year_to_date_name(self.start_month)

    @property
    def definition(self) -> str:
        """What the figure sums, in a sentence."""
        return year_to_date_definition(self.start_month)

    @property
    def period(self) -> str:
        """The quarters counted, e.g. "Q1-Q3 2026", or "Q2 2025-Q1 2026" from April."""
        return self.quarter.year_to_date_label(self.start_month)

    @property
    def base_period(self) -> str:
        """The same quarters a year earlier, e.g. "Q1-Q3 2025"."""
        return self.quarter.year_ago.year_to_date_label(self.start_month)


def has_sales(ds: Dataset, scope: Scope, quarter: Quarter) -> bool:
    """Whether the scope had product sales in any of the SALES_WINDOW quarters up to `quarter`."""
    window = commercial.revenue_by_quarter(ds, scope, quarter, quarters=SALES_WINDOW)
    return bool((window[REVENUE] > 0).any())


def year_to_date(ds: Dataset, scope: Scope, quarter: Quarter) -> YearToDate:
    """Product sales of the fiscal year (company.csv's fiscal_year_start_month) up to and
    including `quarter`, with growth on the same quarters of the year before."""
    start_month = ds.profile.fiscal_year_start_month
    periods = len(quarter.year_to_date(start_month))
    this_year = commercial.revenue_by_quarter(ds, scope, quarter, quarters=periods)
    last_year = commercial.revenue_by_quarter(ds, scope, quarter.year_ago, quarters=periods)
    revenue, base = float(this_year[REVENUE].sum()), float(last_year[REVENUE].sum())
    growth = (revenue - base) / base if base else float("nan")
    return YearToDate(revenue, growth, quarter, start_month)


@dataclass(frozen=True)
class IndicatedSales:
    """The quarter's sales of the products with an indication in a disease area, not allocated
    among disease areas (DEFINITIONS["indicated_sales"])."""

    revenue: float
    products: tuple[str, ...]
    disease_areas: int
    """How many disease areas those products have indications in, this one included."""


def indicated_sales(ds: Dataset, scope: Scope, quarter: Quarter) -> IndicatedSales | None:
    """Product sales in the quarter of the products with an indication in the scope's disease
    area, whole, in its markets; None with a revenue allocation (the area has sales of its own),
    without a disease area, or when none of those products sold in the SALES_WINDOW quarters."""
    if scope.disease_area is None or not ds.revenue_allocation.empty:
        return None
    indications = ds.indications
    here = indications[Indications.disease_area] == scope.disease_area
    products = sorted(
        product
        for product in set(indications.loc[here, Indications.product])
        if scope.product in (None, product)
    )
    places = Scope(market=scope.market, region=scope.region, product=scope.product)
    sales = places.sales(ds)
    sales = sales[sales[Sales.product].isin(products)]
    window = [str(q) for q in quarter.trailing(SALES_WINDOW)]
    if not (sales.loc[sales[Sales.quarter].isin(window), REVENUE] > 0).any():
        return None
    revenue = float(sales.loc[sales[Sales.quarter] == str(quarter), REVENUE].sum())
    theirs = indications[indications[Indications.product].isin(products)]
    return IndicatedSales(revenue, tuple(products), theirs[Indications.disease_area].nunique())


def home_share(ds: Dataset, scope: Scope, quarter: Quarter) -> float | None:
    """The home market's share of the quarter's product sales; None without a home market or
    unless both it and the other markets sold (a one-sided split says nothing)."""
    home = home_split(ds)
    if home is None:
        return None
    split = commercial.revenue_by(ds, scope, quarter, by=GEOGRAPHY).set_index(GEOGRAPHY)
    revenue = split[REVENUE].reindex([home.label, home.rest_name], fill_value=0.0)
    if not (revenue > 0).all():
        return None
    return float(revenue[home.label] / revenue.sum())


def in_development_by_phase(ds: Dataset, scope: Scope, quarter: Quarter) -> pd.Series:
    """Programmes in development at quarter end per phase, phases with none left out.

    Counts the rows of `metrics.pipeline_snapshot`, as the pipeline chart and table do.
    """
    by_phase = metrics.pipeline_counts_by_phase(ds, scope, quarter, by="coverage").sum(axis=1)
    return by_phase[by_phase > 0].astype(int)


def next_catalyst(ds: Dataset, scope: Scope, quarter: Quarter) -> pd.Series | None:
    """The soonest expected event of `metrics.upcoming_catalysts`; None when none is recorded."""
    upcoming = metrics.upcoming_catalysts(ds, scope, quarter)
    return None if upcoming.empty else upcoming.iloc[0]


def latest_deal(ds: Dataset, scope: Scope, quarter: Quarter) -> tuple[int, pd.Series | None]:
    """Licence deals to date in the scope, and the latest of them (None when there is none)."""
    deals = metrics.events_to_date(ds, scope, quarter, "licence deals")
    return len(deals), (None if deals.empty else deals.iloc[0])


def quarter_sales(ds: Dataset, scope: Scope, quarter: Quarter) -> pd.Series:
    """The quarter's row of `commercial.revenue_by_quarter`: revenue, qoq, yoy, synthetic."""
    return commercial.revenue_by_quarter(ds, scope, quarter, quarters=1).iloc[0]


def total_revenue(ds: Dataset, quarter: Quarter) -> pd.Series:
    """The company's total revenue in the quarter: the TOTAL_REVENUE row of
    `commercial.revenue_by_type` (revenue, qoq, yoy and the year to date)."""
    table = commercial.revenue_by_type(ds, quarter).set_index(REVENUE_TYPE)
    return table.loc[TOTAL_REVENUE]
