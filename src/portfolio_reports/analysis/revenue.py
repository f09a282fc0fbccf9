"""What a revenue figure counts: allocated sales, home market vs the rest, types, ranking."""

from __future__ import annotations

import calendar
from dataclasses import dataclass

import pandas as pd

from portfolio_reports.analysis.memo import per_dataset
from portfolio_reports.config import Materiality
from portfolio_reports.data.company import CURRENCY, MONEY, UNIT
from portfolio_reports.data.dataset import Dataset
from portfolio_reports.data.schema import (
    REVENUE_TYPES,
    Indications,
    Markets,
    OtherRevenue,
    Products,
    RevenueAllocation,
    Sales,
)

REVENUE = Sales.revenue_m
REVENUE_DECIMALS = 1
"""Decimals a revenue figure is shown with (in the company's unit); ranks compare figures
rounded so."""
NOISE_DECIMALS = 6
"""Decimals past which a sum's digits are float noise (0.1 + 0.2): dropped before rounding."""
NOT_ALLOCATED = "Not allocated"
"""Disease area of the part of a product's sales that no indication share covers."""
GEOGRAPHY = "geography"
REVENUE_TYPE = OtherRevenue.revenue_type
PRODUCT_SALES_TYPE = "product sales"
TOTAL_REVENUE = "total revenue"
TYPES_IN_ORDER = (PRODUCT_SALES_TYPE, *REVENUE_TYPES)
"""Revenue types in display order; they add up to TOTAL_REVENUE."""

TOTAL = (
    "Total revenue: product sales of all products in all markets, plus licence income"
    " (upfront, milestone and royalty payments from licence partners), service income"
    " (development and manufacturing services for partners) and other income, each booked"
    " in the quarter of the data; the types add up to the total."
)


def materiality(rule: Materiality) -> str:
    """What `material` counts under `rule`, in a sentence; MONEY spelled by `Money.spell`."""
    return (
        f"A change is material when it is at least {CURRENCY} {floor_figure(rule)} {UNIT} and at"
        f" least {rule.share * 100:g}% of the sales it is compared with (any such change from no"
        " sales counts); smaller ones are not listed."
    )


def floor_figure(rule: Materiality) -> str:
    """The floor as pages write it: with REVENUE_DECIMALS, or more where it has more."""
    shown = f"{rule.floor:,.{REVENUE_DECIMALS}f}"
    return shown if float(shown.replace(",", "")) == rule.floor else f"{rule.floor:,g}"


PRODUCT_SALES = (
    f"Product sales: sales of the company's products, {MONEY}; licence and service income"
    " is not included."
)
ALLOCATION = (
    "Each product's sales are split among its indications by the shares in the data"
    " (estimates); an indication's part counts in its disease and therapy area, and the part no"
    f" share covers counts in the product's primary therapy area as “{NOT_ALLOCATED}”. Disease"
    " areas add up to their therapy area, therapy areas to the portfolio."
)
BY_MARKET = "Product sales booked in each market; markets add up to the total."
DEFINITIONS: dict[str | None, str] = {
    None: PRODUCT_SALES,
    "product": "Each product's sales in the scope, all its markets and indications together.",
    "market": BY_MARKET,
    "region": "Product sales summed over the markets of each region.",
    "therapy_area": ALLOCATION,
    "disease_area": ALLOCATION,
    REVENUE_TYPE: TOTAL,
}
"""One sentence per revenue breakdown (None: the total), shown beside its chart or table; MONEY
stands for the company's currency and unit (`Money.spell`); GEOGRAPHY's is `home_split`'s."""


def year_to_date_name(start_month: int) -> str:
    """What the year to date is called: "Fiscal year to date" when the fiscal year starts in
    `start_month` other than January."""
    return "Year to date" if start_month == 1 else "Fiscal year to date"


def year_to_date_definition(start_month: int) -> str:
    """What the year to date sums, for a fiscal year starting in `start_month`."""
    year = (
        "the calendar year"
        if start_month == 1
        else f"the fiscal year, which starts in {calendar.month_name[start_month]},"
    )
    return (
        f"{year_to_date_name(start_month)} sums the quarters of {year} up to this one; its YoY"
        " compares with the same quarters a year earlier, and growth is n/a where the earlier"
        " figure is 0."
    )


OTHER_INCOME = (
    "Licence, service and other income that names a market or a product is listed, apart from"
    " product sales and with the partner that paid it, on the pages of that market, its region,"
    " the product and the product's primary therapy area, for the quarters of the year to date;"
    " income that names neither, and all of it on disease-area pages, is counted for the company"
    " as a whole."
)
NOT_ATTRIBUTABLE = (
    "Revenue figures on this page are product sales; licence, service and other income is"
    " apart, listed under “Income other than product sales” where it names this page's market"
    " or products, and the portfolio overview shows total revenue by type."
)


def revenue_by_type_rows(ds: Dataset) -> pd.DataFrame:
    """Total revenue as rows of (quarter, revenue_type, revenue_m, synthetic).

    Product sales of every product and market count as PRODUCT_SALES_TYPE; each row of other
    revenue counts under its own type. The rows of a quarter add up to its total revenue.
    """
    columns = [Sales.quarter, REVENUE_TYPE, REVENUE, Sales.synthetic]
    product_sales = ds.sales.assign(**{REVENUE_TYPE: PRODUCT_SALES_TYPE})
    return pd.concat([product_sales[columns], ds.other_revenue[columns]], ignore_index=True).astype(
        {Sales.synthetic: bool}
    )


@per_dataset
def allocated_sales(ds: Dataset) -> pd.DataFrame:
    """Sales rows split into one row per indication share, plus the unallocated remainder.

    A sale takes the allocation rows of its market, or the product's rows without a market
    where its market has none. A part is the sale times the share, in the indication's disease
    and therapy area; the rest keeps the product's primary therapy area with the disease area
    NOT_ALLOCATED (no indication). The parts of a sale add up to it.
    """
    sales = ds.sales.reset_index(drop=True).rename_axis("_sale").reset_index()
    allocation = ds.revenue_allocation[
        [
            RevenueAllocation.product,
            RevenueAllocation.market,
            RevenueAllocation.indication,
            RevenueAllocation.share,
        ]
    ]
    keys = [Sales.product, Sales.market]
    specific = allocation[allocation[RevenueAllocation.market].notna()]
    general = allocation[allocation[RevenueAllocation.market].isna()].drop(
        columns=RevenueAllocation.market
    )
    has_own = pd.MultiIndex.from_frame(sales[keys]).isin(pd.MultiIndex.from_frame(specific[keys]))
    parts = pd.concat(
        [
            sales[has_own].merge(specific, on=keys),
            sales[~has_own].merge(general, on=Sales.product),
        ]
    )
    parts[REVENUE] = parts[REVENUE] * parts[RevenueAllocation.share]
    areas = ds.indications[
        [Indications.indication, Indications.disease_area, Indications.therapy_area]
    ]
    parts = parts.merge(areas, on=Indications.indication).drop(columns=RevenueAllocation.share)
    covered = parts.groupby("_sale")[REVENUE].sum().reindex(sales["_sale"], fill_value=0.0)
    primary = ds.products.set_index(Products.product)[Products.therapy_area]
    rest = sales.assign(
        **{
            REVENUE: sales[REVENUE] - covered.to_numpy(),
            Indications.indication: None,
            Indications.disease_area: NOT_ALLOCATED,
            Indications.therapy_area: sales[Sales.product].map(primary),
        }
    )
    rest = rest[rest[REVENUE].abs() > 10 ** -(REVENUE_DECIMALS + 3)]
    combined = pd.concat([parts, rest], ignore_index=True).sort_values("_sale", kind="stable")
    return combined.drop(columns="_sale").reset_index(drop=True)


def as_shown(amount: float) -> float:
    """An amount rounded as every page shows it, to REVENUE_DECIMALS once its float noise is
    dropped, so a figure summed in any order shows the same digits (199.05 is 199.1)."""
    return round(round(float(amount), NOISE_DECIMALS), REVENUE_DECIMALS)


NOT_ALLOCATED_NOTE = (
    "The data has no revenue allocation (revenue_allocation, optional), so product sales are not"
    " attributed to disease areas: no sales are this disease area's own, its products' sales"
    f" count in their therapy area as “{NOT_ALLOCATED}”, and the page shows the sales of the"
    " products with indications here, whole."
)
"""What a disease-area page says instead of "no product sales" without a revenue allocation."""


def allocation_warnings(ds: Dataset) -> list[str]:
    """One line when sales exist but no revenue allocation splits them among disease areas."""
    if ds.sales.empty or not ds.revenue_allocation.empty:
        return []
    return [
        "revenue_allocation: no rows; product sales are not allocated to disease areas, so"
        " disease-area pages show the sales of the products with indications there, not"
        f" allocated, and therapy areas count them as “{NOT_ALLOCATED}”"
    ]


def material(change: pd.Series, base: pd.Series, rule: Materiality) -> pd.Series:
    """Whether each revenue change is material (see `materiality`): at least the rule's floor and
    its share of the base, compared as shown (rounded to REVENUE_DECIMALS)."""
    size = change.abs().round(REVENUE_DECIMALS)
    return (size >= rule.floor) & (size >= (rule.share * base.abs()).round(REVENUE_DECIMALS))


@dataclass(frozen=True)
class HomeSplit:
    """How a page names the company's home market against the rest of its sales."""

    market: str
    """The home market's code."""
    label: str
    """The home market's name on a page: its region where it is the region's only market, else
    its own name."""
    rest: str
    """What the other markets are called in a sentence (company.csv's rest_of_world_label)."""
    definition: str
    """The sentence defining the split."""

    @property
    def rest_name(self) -> str:
        """The other markets' name as a chart or table category, capitalised: "Rest of world"."""
        return self.rest[:1].upper() + self.rest[1:]

    @property
    def term(self) -> str:
        """The glossary term: the home market's label, then the rest."""
        return f"{self.label}, {self.rest}"


def home_split(ds: Dataset) -> HomeSplit | None:
    """The split of sales into the home market and the rest of the world (named as the company
    profile says); None without a home market."""
    home = ds.profile.home_market
    if home is None:
        return None
    markets = ds.markets.set_index(Markets.market)
    region = markets.at[home, Markets.region]
    alone = (markets[Markets.region] == region).sum() == 1
    label = str(region if alone else markets.at[home, Markets.name])
    definition = (
        f"{label}: product sales booked in {markets.at[home, Markets.name]};"
        f" {ds.profile.rest_of_world}: every other market."
    )
    return HomeSplit(home, label, ds.profile.rest_of_world, definition)


def geography(markets: pd.Series, ds: Dataset) -> pd.Series:
    """The home market's label (`home_split`) for its sales, the rest's name for every other
    market."""
    split = home_split(ds)
    if split is None:
        raise ValueError("the company has no home market to split sales by")
    return (markets == split.market).map({True: split.label, False: split.rest_name})


def ranked(frame: pd.DataFrame, by: list[str], ascending: list[bool]) -> pd.DataFrame:
    """Rows in rank order, money columns compared as shown (rounded to REVENUE_DECIMALS).

    `by` lists the ranking columns, most important first; a money column is one whose values
    are floats. The last columns break ties, so give key columns (product, market) at the end.
    """
    shown = {
        column: frame[column].round(REVENUE_DECIMALS)
        for column in by
        if pd.api.types.is_float_dtype(frame[column])
    }
    keys = frame.assign(**{f"_rank_{column}": values for column, values in shown.items()})
    columns = [f"_rank_{column}" if column in shown else column for column in by]
    order = keys.sort_values(columns, ascending=ascending, kind="stable").index
    return frame.loc[order]
