"""Product sales of one scope: per quarter, by dimension and type, movers and drivers."""

from __future__ import annotations

import numpy as np
import pandas as pd

from portfolio_reports.analysis import setbacks
from portfolio_reports.analysis.memo import per_dataset
from portfolio_reports.analysis.metrics import (
    APPROVAL,
    check_choice,
    events_by_end_of,
    vocabulary_rank,
    with_inn,
)
from portfolio_reports.analysis.ordering import by_sales
from portfolio_reports.analysis.revenue import (
    GEOGRAPHY,
    PRODUCT_SALES_TYPE,
    REVENUE,
    REVENUE_TYPE,
    TOTAL_REVENUE,
    TYPES_IN_ORDER,
    geography,
    material,
    ranked,
    revenue_by_type_rows,
)
from portfolio_reports.analysis.scope import Scope
from portfolio_reports.data.dataset import Dataset
from portfolio_reports.data.quarters import Quarter
from portfolio_reports.data.schema import (
    Indications,
    Markets,
    OtherRevenue,
    Products,
    RegulatoryEvents,
    Sales,
)

PREVIOUS_REVENUE = "previous_quarter_m"
YEAR_AGO_REVENUE = "year_ago_m"
YEAR_TO_DATE_REVENUE = "year_to_date_m"
YEAR_AGO_TO_DATE_REVENUE = "year_ago_to_date_m"
ALWAYS_SHOWN_TYPES = TYPES_IN_ORDER[:3]
"""Revenue types listed even when 0: product sales, licence income and service income."""
DRIVER_BASES = {"previous": (PREVIOUS_REVENUE, "qoq"), "year_ago": (YEAR_AGO_REVENUE, "yoy")}
"""What drivers compare with: the base quarter's revenue column and the growth column."""
EXCLUSIVITY_LOST = "exclusivity_lost"
"""Date of the loss of exclusivity that a fall in sales follows, where one does."""
REVENUE_DIMENSIONS = ("product", "market", "region", GEOGRAPHY, "therapy_area", "disease_area")


@per_dataset
def revenue_by_quarter(
    ds: Dataset, scope: Scope, quarter: Quarter, quarters: int = 8
) -> pd.DataFrame:
    """Scope revenue for the `quarters` quarters ending with `quarter`, with QoQ and YoY growth.

    A quarter without sales counts as 0; growth compares with the full history, so the first
    rows have growth too, and is NaN where the base quarter is 0. `synthetic` is true when any
    figure of the quarter is generated.
    """
    by_quarter = scope.sales(ds).groupby(Sales.quarter)
    totals = by_quarter[REVENUE].sum()
    window = quarter.trailing(quarters)

    def per_quarter(values: pd.Series, period: list[Quarter], missing: float) -> pd.Series:
        labels = [str(q) for q in period]
        return values.reindex(labels, fill_value=missing).reset_index(drop=True)

    current = per_quarter(totals, window, 0.0)
    return pd.DataFrame(
        {
            Sales.quarter: [str(q) for q in window],
            REVENUE: current,
            "qoq": _growth(current, per_quarter(totals, [q.previous for q in window], 0.0)),
            "yoy": _growth(current, per_quarter(totals, [q.year_ago for q in window], 0.0)),
            Sales.synthetic: per_quarter(by_quarter[Sales.synthetic].any(), window, False),
        }
    )


@per_dataset
def revenue_by(ds: Dataset, scope: Scope, quarter: Quarter, by: str = "product") -> pd.DataFrame:
    """Revenue per value of `by` in the quarter, previous and year-ago quarter, growth and mix.

    `by` is one of REVENUE_DIMENSIONS; therapy and disease areas count the parts allocated to
    them (see `revenue.allocated_sales`), so the rows add up to the scope's revenue and mix to 1.
    Mix is the share of the scope's revenue in the quarter; largest first as shown (rounded),
    ties in `by` order.
    """
    check_choice("by", by, REVENUE_DIMENSIONS)
    sales = scope.sales(ds)
    table = _revenue_per(_with_dimension(sales, ds, by), [by], quarter)
    scope_total = sales.loc[sales[Sales.quarter] == str(quarter), REVENUE].sum()
    table["mix"] = table[REVENUE] / scope_total if scope_total else np.nan
    return ranked(table, [REVENUE, by], [False, True]).reset_index(drop=True)


def revenue_history_by(
    ds: Dataset, scope: Scope, quarter: Quarter, by: str = "product", quarters: int = 8
) -> pd.DataFrame:
    """Revenue per quarter and value of `by` over the `quarters` quarters ending with `quarter`.

    Long form (quarter, `by`, revenue_m), 0 where a value has no sales in a quarter; `by`
    is one of REVENUE_DIMENSIONS, counted as in `revenue_by`.
    """
    check_choice("by", by, REVENUE_DIMENSIONS)
    window = [str(q) for q in quarter.trailing(quarters)]
    sales = _with_dimension(scope.sales(ds), ds, by)
    in_window = sales[sales[Sales.quarter].isin(window)]
    totals = in_window.groupby([Sales.quarter, by])[REVENUE].sum()
    grid = pd.MultiIndex.from_product(
        [window, sorted(set(in_window[by]))], names=[Sales.quarter, by]
    )
    return totals.reindex(grid, fill_value=0.0).reset_index()


def revenue_by_type(ds: Dataset, quarter: Quarter) -> pd.DataFrame:
    """Total revenue by type in the quarter and the year to date, with growth; a total row last.

    Counts `revenue.revenue_by_type_rows` (company-wide: no scope); rows in TYPES_IN_ORDER, the
    types of ALWAYS_SHOWN_TYPES always, others only when they have revenue in a period shown;
    the last row, TOTAL_REVENUE, sums them. Year to date sums the quarters of the fiscal year
    (`year_to_date_definition`) up to `quarter`; its YoY compares with the same quarters a year
    earlier.
    """
    rows = revenue_by_type_rows(ds)
    start_month = ds.profile.fiscal_year_start_month
    year_to_date = {str(q): YEAR_TO_DATE_REVENUE for q in quarter.year_to_date(start_month)}
    year_ago = {
        str(q): YEAR_AGO_TO_DATE_REVENUE for q in quarter.year_ago.year_to_date(start_month)
    }
    sums = [
        _summed_per(rows, [REVENUE_TYPE], periods).set_index(REVENUE_TYPE)
        for periods in (_compared_quarters(quarter), year_to_date | year_ago)
    ]
    table = pd.concat(sums, axis=1).reindex(list(TYPES_IN_ORDER)).fillna(0.0)
    table = table[table.index.isin(ALWAYS_SHOWN_TYPES) | table.gt(0).any(axis=1)]
    table.loc[TOTAL_REVENUE] = table.sum()
    for growth, current, base in (
        ("qoq", REVENUE, PREVIOUS_REVENUE),
        ("yoy", REVENUE, YEAR_AGO_REVENUE),
        ("year_to_date_yoy", YEAR_TO_DATE_REVENUE, YEAR_AGO_TO_DATE_REVENUE),
    ):
        table[growth] = _growth(table[current], table[base])
    return table.reset_index()


EXCLUSIVITY_MARKER = (
    "A dashed line marks the quarter a product lost exclusivity (generic or biosimilar entry) in"
    " a market of the page; its label names the market, and the product where the loss names"
    " one."
)
"""What a loss-of-exclusivity marker on a sales chart means."""


def exclusivity_losses(
    ds: Dataset, scope: Scope, quarter: Quarter, quarters: int = 8
) -> pd.DataFrame:
    """The scope's losses of exclusivity (`Scope.events`) dated in the `quarters` quarters to
    `quarter`, oldest first: quarter, product, market and date."""
    events = scope.events(ds)
    losses = events[events[RegulatoryEvents.event_type] == setbacks.LOSS_OF_EXCLUSIVITY]
    when = losses[RegulatoryEvents.date].map(lambda day: str(Quarter.of(day)))
    window = [str(q) for q in quarter.trailing(quarters)]
    found = losses.assign(**{Sales.quarter: when})[when.isin(window)]
    columns = [Sales.quarter, RegulatoryEvents.product, RegulatoryEvents.market]
    ordered = found.sort_values(RegulatoryEvents.date, kind="stable")
    return ordered[[*columns, RegulatoryEvents.date]].reset_index(drop=True)


def other_income(ds: Dataset, scope: Scope, quarter: Quarter) -> pd.DataFrame:
    """The scope's licence, service and other income (`Scope.other_revenue`, OTHER_INCOME) in the
    year to date of `quarter`, newest first, then by type and counterparty.

    Columns: quarter, revenue_type, counterparty, product, market, revenue_m, synthetic, basis.
    """
    rows = scope.other_revenue(ds)
    year = quarter.year_to_date(ds.profile.fiscal_year_start_month)
    rows = rows[rows[OtherRevenue.quarter].isin([str(q) for q in year])]
    order = [OtherRevenue.quarter, REVENUE_TYPE, OtherRevenue.counterparty]
    return rows.sort_values(order, ascending=[False, True, True], kind="stable").reset_index(
        drop=True
    )


def total_revenue_drivers(
    ds: Dataset, quarter: Quarter, base: str = "year_ago", n: int = 3
) -> pd.DataFrame:
    """What moved the company's total revenue against the `base` quarter (DRIVER_BASES): the `n`
    largest material changes (`revenue.materiality`) of product sales or of one other revenue
    type from one counterparty, whether or not the total moved materially (parts may offset).

    Columns: revenue_type, counterparty ("" where none is named), revenue_m, the base's
    revenue column, change_m and its growth (qoq or yoy).
    """
    check_choice("base", base, tuple(DRIVER_BASES))
    base_revenue, growth = DRIVER_BASES[base]
    other = ds.other_revenue
    rows = pd.concat(
        [
            ds.sales.assign(**{REVENUE_TYPE: PRODUCT_SALES_TYPE, OtherRevenue.counterparty: ""}),
            other.assign(
                **{OtherRevenue.counterparty: other[OtherRevenue.counterparty].fillna("")}
            ),
        ]
    )
    keys = [REVENUE_TYPE, OtherRevenue.counterparty]
    table = _summed_per(rows, keys, _compared_quarters(quarter))
    table["change_m"] = table[REVENUE] - table[base_revenue]
    table[growth] = _growth(table[REVENUE], table[base_revenue])
    moved = table[material(table["change_m"], table[base_revenue], ds.materiality)]
    order = ranked(
        moved.assign(_size=moved["change_m"].abs()),
        ["_size", REVENUE, *keys],
        [False, False, True, True],
    )
    return order[[*keys, REVENUE, base_revenue, "change_m", growth]].head(n).reset_index(drop=True)


def area_summary(ds: Dataset, scope: Scope, quarter: Quarter, by: str = "region") -> pd.DataFrame:
    """Revenue in the quarter and approvals to date per therapy area and region or market.

    One row per pair with revenue or an approval, in vocabulary order (markets in data order);
    revenue counts the parts allocated to each area (see `revenue.allocated_sales`), an approval
    its indication's area (the product's primary one when it names no indication).
    """
    check_choice("by", by, (Markets.region, Markets.market))
    area = Products.therapy_area
    sales = scope.sales(ds)
    sales = sales[sales[Sales.quarter] == str(quarter)]
    approvals = events_by_end_of(ds, scope, quarter, [APPROVAL])
    indication_areas = ds.indications.set_index(Indications.indication)[Indications.therapy_area]
    primary_areas = ds.products.set_index(Products.product)[Products.therapy_area]
    approvals = approvals.assign(
        **{
            area: approvals[RegulatoryEvents.indication]
            .map(indication_areas)
            .fillna(approvals[RegulatoryEvents.product].map(primary_areas))
        }
    )
    if by == Markets.region:
        regions = ds.markets[[Markets.market, Markets.region]]
        sales = sales.merge(regions, on=Markets.market)
        approvals = approvals.merge(regions, on=Markets.market)
    summary = pd.concat(
        [
            sales.groupby([area, by])[REVENUE].sum(),
            approvals.groupby([area, by]).size().rename("approvals"),
        ],
        axis=1,
    ).fillna(0)
    order = by_sales(ds, by, quarter) if by == Markets.region else ds.markets[Markets.market]
    ranks = {area: vocabulary_rank(by_sales(ds, area, quarter)), by: vocabulary_rank(order)}
    summary = summary.reset_index().astype({"approvals": int})
    return summary.sort_values(
        [area, by], key=lambda column: column.map(ranks[column.name])
    ).reset_index(drop=True)[[area, by, REVENUE, "approvals"]]


def top_products(ds: Dataset, scope: Scope, quarter: Quarter, n: int = 5) -> pd.DataFrame:
    """The `n` products with the most revenue in the quarter, with growth and mix."""
    products = revenue_by(ds, scope, quarter, by=Sales.product)
    selling = products[products[REVENUE] > 0].head(n)
    return with_inn(selling, ds)


def revenue_movers(ds: Dataset, scope: Scope, quarter: Quarter, n: int = 5) -> pd.DataFrame:
    """Product and market pairs with the largest material revenue increases and decreases vs
    last quarter.

    Up to `n` of each, material changes only (`revenue.materiality`); `direction` is "increase"
    or "decrease"; `exclusivity_lost` dates the loss of exclusivity a decrease follows
    (`_exclusivity_lost`). Ranked by the change as shown
    (rounded to REVENUE_DECIMALS), largest first; ties go to the larger revenue this quarter,
    then to product and market code in alphabetical order.
    """
    keys = [Sales.product, Sales.market]
    pairs = _pair_changes(ds, scope, quarter)
    pairs = pairs[material(pairs["change_m"], pairs[PREVIOUS_REVENUE], ds.materiality)]
    change = pairs["change_m"]
    order = ["change_m", REVENUE, *keys]
    increases = ranked(pairs[change > 0], order, [False, False, True, True])
    decreases = ranked(pairs[change < 0], order, [True, False, True, True])
    movers = pd.concat(
        [
            increases.head(n).assign(direction="increase"),
            decreases.head(n).assign(direction="decrease"),
        ]
    )
    movers[EXCLUSIVITY_LOST] = _exclusivity_lost(ds, scope, movers, quarter.previous, quarter)
    direction_first = ["direction", *movers.columns.drop("direction")]
    return with_inn(movers[direction_first].reset_index(drop=True), ds)


def largest_move(ds: Dataset, scope: Scope, quarter: Quarter) -> pd.Series | None:
    """The product and market pair whose sales changed most against the previous quarter, by
    size as shown (ties as `revenue_movers`), material or not; None when no pair sold in either.

    Fields: product, inn, market, revenue_m, previous_quarter_m, change_m, qoq.
    """
    pairs = _pair_changes(ds, scope, quarter)
    if pairs.empty:
        return None
    order = ranked(
        pairs.assign(_size=pairs["change_m"].abs()),
        ["_size", REVENUE, Sales.product, Sales.market],
        [False, False, True, True],
    )
    return with_inn(order.drop(columns="_size").head(1), ds).iloc[0]


@per_dataset
def _pair_changes(ds: Dataset, scope: Scope, quarter: Quarter) -> pd.DataFrame:
    """Sales per product and market this quarter and the previous one, with the change and QoQ;
    pairs without sales in either quarter left out."""
    keys = [Sales.product, Sales.market]
    pairs = _revenue_per(scope.sales(ds), keys, quarter).drop(columns=[YEAR_AGO_REVENUE, "yoy"])
    pairs = pairs[(pairs[REVENUE] != 0) | (pairs[PREVIOUS_REVENUE] != 0)]
    after_previous = pairs.columns.get_loc(PREVIOUS_REVENUE) + 1
    pairs.insert(after_previous, "change_m", pairs[REVENUE] - pairs[PREVIOUS_REVENUE])
    return pairs


def revenue_drivers(
    ds: Dataset,
    scope: Scope,
    quarter: Quarter,
    by: str = "product",
    n: int = 3,
    base: str = "year_ago",
) -> pd.DataFrame:
    """The `n` values of `by` whose product sales moved most against the `base` quarter
    (DRIVER_BASES: the same quarter a year earlier, or the previous one), material changes only
    (`revenue.materiality`), largest change as shown first.

    Columns: `by`, revenue_m, the base's revenue column, change_m, its growth (yoy or
    qoq), and by product `exclusivity_lost` (`_exclusivity_lost`).
    """
    check_choice("base", base, tuple(DRIVER_BASES))
    base_revenue, growth = DRIVER_BASES[base]
    table = revenue_by(ds, scope, quarter, by=by)
    table["change_m"] = table[REVENUE] - table[base_revenue]
    moved = table[material(table["change_m"], table[base_revenue], ds.materiality)]
    order = ranked(
        moved.assign(_size=moved["change_m"].abs()),
        ["_size", REVENUE, by],
        [False, False, True],
    )
    drivers = order[[by, REVENUE, base_revenue, "change_m", growth]].head(n)
    if by == Sales.product:
        since = quarter.year_ago if base == "year_ago" else quarter.previous
        lost = _exclusivity_lost(ds, scope, drivers, since, quarter)
        drivers = drivers.assign(**{EXCLUSIVITY_LOST: lost})
    return drivers.reset_index(drop=True)


def _exclusivity_lost(
    ds: Dataset, scope: Scope, moves: pd.DataFrame, base: Quarter, quarter: Quarter
) -> pd.Series:
    """For each fall in sales from `base` to `quarter`, the date of the product's loss of
    exclusivity (in the row's market, where it names one) from the start of `base` to the end of
    `quarter` (`setbacks.exclusivity_lost`); NaT for a rise or where none is recorded. The row
    names the product, so every loss in the scope's markets is searched (`Scope.market_events`):
    a market-wide one, which no area or product page lists, explains the fall on every page."""
    keys = [Sales.product, Sales.market] if Sales.market in moves.columns else [Sales.product]
    lost = setbacks.exclusivity_lost(
        moves,
        scope.market_events(ds),
        pd.Timestamp(base.start),
        pd.Timestamp(quarter.shift(1).start),
        keys,
    )
    return lost.where(moves["change_m"] < 0)


def _with_dimension(sales: pd.DataFrame, ds: Dataset, by: str) -> pd.DataFrame:
    """Sales rows with a `by` column (allocated rows already carry their areas)."""
    if by == Markets.region:
        return sales.merge(ds.markets[[Markets.market, Markets.region]], on=Markets.market)
    if by == GEOGRAPHY:
        return sales.assign(**{GEOGRAPHY: geography(sales[Sales.market], ds)})
    return sales


def _revenue_per(sales: pd.DataFrame, keys: list[str], quarter: Quarter) -> pd.DataFrame:
    """Revenue per group in the quarter, previous and year-ago quarter (0 where none), growth."""
    table = _summed_per(sales, keys, _compared_quarters(quarter))
    table["qoq"] = _growth(table[REVENUE], table[PREVIOUS_REVENUE])
    table["yoy"] = _growth(table[REVENUE], table[YEAR_AGO_REVENUE])
    return table


def _compared_quarters(quarter: Quarter) -> dict[str, str]:
    """The quarter, the previous and the year-ago quarter, each mapped to its revenue column."""
    return {
        str(quarter): REVENUE,
        str(quarter.previous): PREVIOUS_REVENUE,
        str(quarter.year_ago): YEAR_AGO_REVENUE,
    }


def _summed_per(sales: pd.DataFrame, keys: list[str], periods: dict[str, str]) -> pd.DataFrame:
    """Revenue per group summed into columns; `periods` maps each quarter to its column.

    Several quarters may share a column; a group without revenue in a column gets 0 there.
    """
    relevant = sales[sales[Sales.quarter].isin(periods)]
    period = relevant[Sales.quarter].map(periods).rename("_period")
    return (
        relevant.groupby([*keys, period])[REVENUE]
        .sum()
        .unstack("_period", fill_value=0.0)
        .reindex(columns=list(dict.fromkeys(periods.values())), fill_value=0.0)
        .rename_axis(columns=None)
        .reset_index()
    )


def _growth(current: pd.Series, base: pd.Series) -> pd.Series:
    """Growth of current over base as a fraction; NaN where the base is 0."""
    return (current - base) / base.where(base != 0)
