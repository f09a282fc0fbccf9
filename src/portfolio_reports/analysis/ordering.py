"""In what order pages list the company's own categories: by product sales, then by name."""

from __future__ import annotations

import pandas as pd

from portfolio_reports.analysis.revenue import REVENUE, allocated_sales
from portfolio_reports.data.dataset import Dataset
from portfolio_reports.data.quarters import Quarter
from portfolio_reports.data.schema import Indications, Markets, Products, Sales

ORDERED = ("therapy_area", "disease_area", "region")
ORDER = (
    "Therapy areas, disease areas and regions are listed by their product sales in the quarter,"
    " largest first, then by name."
)


def by_sales(ds: Dataset, column: str, quarter: Quarter) -> list[str]:
    """Every therapy area, disease area or region the data names (`column`), the one with the
    most product sales in the quarter first, ties and those without sales by name."""
    sales = allocated_sales(ds)
    sales = sales[sales[Sales.quarter] == str(quarter)]
    if column == Markets.region:
        regions = ds.markets.set_index(Markets.market)[Markets.region]
        sales = sales.assign(**{column: sales[Sales.market].map(regions)})
        named = set(ds.markets[Markets.region])
    elif column == Indications.therapy_area:
        named = set(ds.products[Products.therapy_area]) | set(ds.indications[column])
    else:
        named = set(ds.indications[column])
    totals = sales.groupby(column)[REVENUE].sum()
    names = pd.Series(sorted(named | set(totals.index)))
    revenue = names.map(totals).fillna(0.0).round(6)
    order = pd.DataFrame({"name": names, "revenue": revenue}).sort_values(
        ["revenue", "name"], ascending=[False, True], kind="stable"
    )
    return order["name"].tolist()
