"""Reconciliation: the figures of a quarter's reports must agree with each other.

Each page records the figures it showed (see `ReportView.figures`); these checks compare
them across the reports of one quarter, matched by the scope their params ask for:

- the slices of a report sum to it: therapy areas to the whole (or to a market or region), disease
  areas to their therapy area, markets to their region, regions and products to the whole.
  When every slice with sales in the quarter has a report the sum must equal the parent; when
  only some do, revenue being never negative, the slices with a report must not exceed it;
- each index card states what its page states;
- each page shows the scope its params ask for;
- each page's pipeline charts count as many programmes as its pipeline tables list.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

from portfolio_reports.analysis.revenue import allocated_sales
from portfolio_reports.analysis.scope import Scope
from portfolio_reports.data.company import Money
from portfolio_reports.data.dataset import Dataset
from portfolio_reports.data.quarters import Quarter
from portfolio_reports.data.schema import Indications, Markets, Sales
from portfolio_reports.presentation.figures import (
    CHART_PROGRAMMES,
    KEY_FIGURE,
    REVENUE_FIGURE,
    SCOPE,
    TABLE_PROGRAMMES,
)
from portfolio_reports.presentation.formatting import money

TOLERANCE = 0.05
"""Revenue differences below this show as 0.0 at the pages' precision (0.1 in the company's unit)
and pass."""


@dataclass(frozen=True)
class PageRecord:
    """One report of the quarter: its name, the scope its params ask for, card and figures."""

    name: str
    scope: Scope
    card: str | None
    """The key figure its index card states; None when it has none."""
    figures: Mapping[str, Any] | None
    """The figures its page showed; None when the report has no current page."""


@dataclass(frozen=True)
class Members:
    """Which slices make up which: therapy areas, their disease areas, regions' markets; and
    the money their revenue is in."""

    therapy_areas: tuple[str, ...]
    disease_areas: Mapping[str, tuple[str, ...]]
    """Disease areas of each therapy area."""
    markets: Mapping[str, tuple[str, ...]]
    """Markets of each region."""
    money: Money
    """The company's currency and unit, as a problem line names amounts."""
    products: tuple[str, ...] = ()
    """Products with sales in the quarter."""

    @classmethod
    def of(cls, ds: Dataset, quarter: Quarter) -> Members:
        """The slices with product sales in the quarter, as the pages count them.

        Sales are split by indication share (`allocated_sales`), so a therapy area's disease
        areas include the part no share covers (NOT_ALLOCATED), which has no report of its own.
        A slice without sales adds nothing to its parent, so it needs no report either.
        """
        sales = allocated_sales(ds)
        sales = sales[sales[Sales.quarter] == str(quarter)].merge(
            ds.markets[[Markets.market, Markets.region]], on=Sales.market
        )
        areas = sales.drop_duplicates([Indications.therapy_area, Indications.disease_area])
        markets = sales.drop_duplicates([Markets.region, Markets.market])
        return cls(
            therapy_areas=tuple(sorted(set(sales[Indications.therapy_area]))),
            disease_areas={
                str(area): tuple(sorted(rows[Indications.disease_area]))
                for area, rows in areas.groupby(Indications.therapy_area)
            },
            markets={
                str(region): tuple(sorted(rows[Markets.market]))
                for region, rows in markets.groupby(Markets.region)
            },
            money=ds.profile.money,
            products=tuple(sorted(set(sales[Sales.product]))),
        )


@dataclass(frozen=True)
class _Split:
    """A parent scope's slices along one dimension; each slice may be reported under any of
    several equivalent scopes (a disease area with or without its therapy area)."""

    kind: str
    slices: list[tuple[Scope, ...]]


def check(records: Sequence[PageRecord], members: Members) -> list[str]:
    """Every broken identity among the reports, one line each; empty when all agree."""
    return [
        *(problem for record in records for problem in _page_problems(record)),
        *_sum_problems(records, members),
    ]


def _page_problems(record: PageRecord) -> list[str]:
    """A page against its params and its index card, and its pipeline chart against its table."""
    figures = record.figures
    if figures is None:
        return []
    problems = []
    page_scope = figures.get(SCOPE)
    if page_scope is not None and page_scope != asdict(record.scope):
        shown = Scope(**page_scope).label
        problems.append(
            f"page shows the scope of its params: {record.name} params ask for"
            f" {record.scope.label!r}, its page shows {shown!r}"
        )
    page_figure = figures.get(KEY_FIGURE)
    if record.card is not None and page_figure is not None and record.card != page_figure:
        problems.append(
            f"index card equals its page: {record.name} card states {record.card!r},"
            f" its page {page_figure!r}"
        )
    table = figures.get(TABLE_PROGRAMMES)
    charts = figures.get(CHART_PROGRAMMES, []) if table is not None else []
    for chart in charts:
        if chart != table:
            problems.append(
                f"pipeline chart equals its table: {record.name} chart counts {chart}"
                f" programmes, its tables list {table}; difference {chart - table:+d}"
            )
    return problems


def _sum_problems(records: Sequence[PageRecord], members: Members) -> list[str]:
    """Slices whose revenue does not sum to their parent's, or exceeds it."""
    revenue = {
        record.scope: (record.name, float(record.figures[REVENUE_FIGURE]))
        for record in records
        if record.figures is not None and record.figures.get(REVENUE_FIGURE) is not None
    }
    problems = []
    cash = members.money
    for parent, (parent_name, parent_revenue) in revenue.items():
        for split in _splits(parent, members):
            found = [
                next((revenue[scope] for scope in alternatives if scope in revenue), None)
                for alternatives in split.slices
            ]
            present = [figure for figure in found if figure is not None]
            if not present:
                continue
            total = sum(value for _, value in present)
            difference = total - parent_revenue
            complete = len(present) == len(split.slices)
            if complete and abs(difference) < TOLERANCE:
                continue
            if not complete and difference < TOLERANCE:
                continue
            terms = " + ".join(f"{name} {money(value)}" for name, value in present)
            if complete:
                identity = f"{split.kind} sum to {parent.label}"
            else:
                identity = (
                    f"{split.kind} do not exceed {parent.label}"
                    f" ({len(present)} of {len(split.slices)} have a report)"
                )
            problems.append(
                f"{identity}: {terms} = {cash.amount(money(total))} against {parent_name}"
                f" {cash.amount(money(parent_revenue))};"
                f" difference {cash.amount(f'{difference:+,.1f}')}"
            )
    return problems


def _splits(parent: Scope, members: Members) -> list[_Split]:
    """The ways a scope divides into slices that sum to it."""
    splits = []
    slices: list[tuple[Scope, ...]]
    if parent.therapy_area is None and parent.disease_area is None:
        slices = [(replace(parent, therapy_area=area),) for area in members.therapy_areas]
        splits.append(_Split("therapy areas", slices))
    if parent.therapy_area is not None and parent.disease_area is None:
        slices = [
            (
                replace(parent, disease_area=area),
                replace(parent, therapy_area=None, disease_area=area),
            )
            for area in members.disease_areas.get(parent.therapy_area, ())
        ]
        splits.append(_Split("disease areas", slices))
    if parent.market is None and parent.region is None:
        slices = [(replace(parent, region=region),) for region in members.markets]
        splits.append(_Split("regions", slices))
    if parent.market is None and parent.region is not None:
        slices = [
            (replace(parent, market=market), replace(parent, market=market, region=None))
            for market in members.markets.get(parent.region, ())
        ]
        splits.append(_Split("markets", slices))
    if parent.product is None and parent.therapy_area is None and parent.disease_area is None:
        slices = [(replace(parent, product=product),) for product in members.products]
        splits.append(_Split("products", slices))
    return splits
