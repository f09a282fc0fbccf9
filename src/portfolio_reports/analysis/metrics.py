"""Summaries of a Dataset for one scope and quarter, each returned as a DataFrame."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

import numpy as np
import pandas as pd

from portfolio_reports.analysis import pipeline as lifecycle
from portfolio_reports.analysis.brands import brand_names
from portfolio_reports.analysis.pipeline import (
    COVERAGE,
    COVERAGES,
    LIFE_CYCLE,
    PROGRAMME,
    STATUS,
    by_end_of,
    phase_as_of,
    phase_rank,
)
from portfolio_reports.analysis.revenue import (
    GEOGRAPHY,
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
    DEVELOPMENT_PHASES,
    DISEASE_AREAS,
    REGIONS,
    THERAPY_AREAS,
    Catalysts,
    ClinicalResults,
    Indications,
    Markets,
    Pipeline,
    Products,
    RegulatoryEvents,
    Sales,
    TradeNames,
)
from portfolio_reports.errors import DataError, InputError

APPROVAL = "approval"
FILING = "filing accepted"
EVENT_GROUPS: dict[str, tuple[str, ...]] = {
    "approvals": (APPROVAL,),
    "filings and designations": (
        FILING,
        "priority review",
        "breakthrough designation",
        "orphan designation",
    ),
    "licence deals": ("licence deal",),
}
"""Kinds of regulatory news a report lists and counts, with the event types each covers."""

AREA_VOCABULARIES: dict[str, tuple[str, ...]] = {
    "therapy_area": THERAPY_AREAS,
    "disease_area": DISEASE_AREAS,
    COVERAGE: COVERAGES,
}
"""Groupings of pipeline counts, each with its values in display order."""
REVENUE_DIMENSIONS = ("product", "market", "region", GEOGRAPHY, "therapy_area", "disease_area")
CATALYST_HORIZON = 4
"""Quarters ahead that upcoming catalysts cover."""
EXPECTED_QUARTER = "expected_quarter"

PREVIOUS_REVENUE = "previous_quarter_rmb_m"
YEAR_AGO_REVENUE = "year_ago_rmb_m"
YEAR_TO_DATE_REVENUE = "year_to_date_rmb_m"
YEAR_AGO_TO_DATE_REVENUE = "year_ago_to_date_rmb_m"
ALWAYS_SHOWN_TYPES = TYPES_IN_ORDER[:3]
"""Revenue types listed even when 0: product sales, licence income and service income."""
INDICATION_NAME = "indication_name"
TRADE_NAME = TradeNames.trade_name

SNAPSHOT_COLUMNS = [
    Products.product,
    Products.inn,
    Products.target,
    Products.modality,
    Indications.indication,
    INDICATION_NAME,
    Indications.therapy_area,
    Indications.disease_area,
    Indications.line_of_therapy,
    Pipeline.scope,
    Pipeline.phase,
    Pipeline.since,
    Pipeline.estimated,
    COVERAGE,
    LIFE_CYCLE,
]
MOVE_COLUMNS = [
    Products.product,
    Products.inn,
    Indications.indication,
    INDICATION_NAME,
    Indications.therapy_area,
    Indications.disease_area,
    Pipeline.scope,
    "from_phase",
    "to_phase",
    "change",
    Pipeline.since,
    Pipeline.estimated,
]
EVENT_COLUMNS = [
    RegulatoryEvents.date,
    RegulatoryEvents.date_precision,
    RegulatoryEvents.event_type,
    RegulatoryEvents.product,
    TRADE_NAME,
    Products.inn,
    RegulatoryEvents.indication,
    INDICATION_NAME,
    RegulatoryEvents.market,
    RegulatoryEvents.agency,
    RegulatoryEvents.detail,
    RegulatoryEvents.estimated,
    RegulatoryEvents.inferred,
    RegulatoryEvents.status,
    RegulatoryEvents.status_as_of,
    RegulatoryEvents.source,
]
CATALYST_COLUMNS = [
    EXPECTED_QUARTER,
    Catalysts.expected,
    Catalysts.event_type,
    Catalysts.product,
    Products.inn,
    Catalysts.indication,
    INDICATION_NAME,
    Catalysts.market,
    Catalysts.detail,
    Catalysts.source,
]
READOUT_COLUMNS = [
    ClinicalResults.date,
    ClinicalResults.date_precision,
    ClinicalResults.trial,
    ClinicalResults.product,
    Products.inn,
    ClinicalResults.indication,
    INDICATION_NAME,
    ClinicalResults.phase,
    ClinicalResults.market,
    ClinicalResults.endpoint,
    ClinicalResults.population,
    ClinicalResults.sample_size,
    ClinicalResults.arm,
    ClinicalResults.value,
    ClinicalResults.unit,
    ClinicalResults.hazard_ratio,
    ClinicalResults.note,
    ClinicalResults.source,
]


def latest_quarter(ds: Dataset) -> Quarter:
    """The latest quarter with sales in the data."""
    if ds.sales.empty:
        raise DataError(["sales: no rows, so the data has no latest quarter"])
    return max(Quarter.parse(label) for label in ds.sales[Sales.quarter].unique())


def resolve_quarter(ds: Dataset, requested: str | Quarter | None) -> Quarter:
    """The requested quarter, which must have sales in the data; default: the latest."""
    if requested is None:
        return latest_quarter(ds)
    quarter = Quarter.parse(requested) if isinstance(requested, str) else requested
    quarters = sorted(ds.sales[Sales.quarter].unique())
    if str(quarter) not in quarters:
        raise InputError(
            f"quarter {quarter} is not in the data; available: {quarters[0]} to {quarters[-1]}"
        )
    return quarter


def data_as_of(ds: Dataset) -> date:
    """The latest date the data speaks of: sales quarter ends, events, readouts, phase changes."""
    dates = [
        ds.regulatory_events[RegulatoryEvents.date].max(),
        ds.clinical_results[ClinicalResults.date].max(),
        ds.pipeline[Pipeline.since].max(),
        pd.Timestamp(latest_quarter(ds).end),
    ]
    return max(day for day in dates if pd.notna(day)).date()


def pipeline_snapshot(ds: Dataset, scope: Scope, quarter: Quarter) -> pd.DataFrame:
    """Programmes of the scope in development at quarter end, most advanced phase first.

    One row per programme (indication and scope); approved and discontinued ones are left out
    (see `pipeline.DEFINITIONS`).
    """
    every = lifecycle.programmes(ds, scope, quarter)
    in_development = every[every[STATUS] == lifecycle.IN_DEVELOPMENT]
    snapshot = _describe(in_development, ds).assign(
        _rank=lambda rows: phase_rank(rows[Pipeline.phase])
    )
    ordered = snapshot.sort_values(
        ["_rank", Products.product, Indications.indication, Pipeline.scope],
        ascending=[False, True, True, True],
    )
    return ordered[SNAPSHOT_COLUMNS].reset_index(drop=True)


def pipeline_counts_by_phase(
    ds: Dataset, scope: Scope, quarter: Quarter, by: str = "therapy_area"
) -> pd.DataFrame:
    """Programmes in development per phase (index) and group (columns) at quarter end.

    Counts the rows of `pipeline_snapshot`, so the chart and the table agree; `by` is
    therapy_area, disease_area or coverage (local or global); groups appear in vocabulary
    order, every phase is listed, empty cells are 0.
    """
    _check_choice("by", by, tuple(AREA_VOCABULARIES))
    snapshot = pipeline_snapshot(ds, scope, quarter)
    counts = snapshot.groupby([Pipeline.phase, by]).size().unstack(by, fill_value=0)
    groups = [group for group in AREA_VOCABULARIES[by] if group in counts.columns]
    table = counts.reindex(index=list(DEVELOPMENT_PHASES), columns=groups, fill_value=0)
    return table.astype(int).rename_axis(index=Pipeline.phase, columns=by)


def programme_counts(ds: Dataset, scope: Scope, quarter: Quarter) -> pd.DataFrame:
    """Programmes per status (index) and coverage (columns, local and global) at quarter end.

    The row `LIFE_CYCLE` counts the life-cycle programmes among those in development.
    """
    every = lifecycle.programmes(ds, scope, quarter)
    counts = every.groupby([STATUS, COVERAGE]).size().unstack(COVERAGE, fill_value=0)
    counts = counts.reindex(index=list(lifecycle.STATUSES), columns=list(COVERAGES), fill_value=0)
    life_cycle = every[every[LIFE_CYCLE]].groupby(COVERAGE).size()
    counts.loc[LIFE_CYCLE] = life_cycle.reindex(list(COVERAGES), fill_value=0)
    return counts.astype(int).rename_axis(index=STATUS, columns=COVERAGE)


def approvals_and_filings(ds: Dataset, scope: Scope, quarter: Quarter) -> pd.DataFrame:
    """Approvals and accepted filings per market and agency up to quarter end."""
    counted = _events_by_end_of(ds, scope, quarter, [APPROVAL, FILING])
    keys = [RegulatoryEvents.market, RegulatoryEvents.agency]
    counts = (
        counted.groupby([*keys, RegulatoryEvents.event_type], dropna=False)
        .size()
        .unstack(RegulatoryEvents.event_type, fill_value=0)
        .reindex(columns=[APPROVAL, FILING], fill_value=0)
        .rename(columns={APPROVAL: "approvals", FILING: "filings"})
        .rename_axis(columns=None)
        .reset_index()
    )
    return counts.sort_values(
        ["approvals", "filings", *keys], ascending=[False, False, True, True]
    ).reset_index(drop=True)


def approval_matrix(ds: Dataset, scope: Scope, quarter: Quarter) -> pd.DataFrame:
    """First approval date per product (index) and market (columns) up to quarter end, else NaT.

    Products and markets without any approval by then are left out; markets in data order.
    """
    approvals = _events_by_end_of(ds, scope, quarter, [APPROVAL])
    first = (
        approvals.groupby([RegulatoryEvents.product, RegulatoryEvents.market])[
            RegulatoryEvents.date
        ]
        .min()
        .unstack(RegulatoryEvents.market)
    )
    markets = [market for market in ds.markets[Markets.market] if market in first.columns]
    return first.reindex(columns=markets).rename_axis(
        index=RegulatoryEvents.product, columns=RegulatoryEvents.market
    )


def events_in_quarter(
    ds: Dataset, scope: Scope, quarter: Quarter, event_types: Collection[str] | None = None
) -> pd.DataFrame:
    """Regulatory events of the quarter, of the given types or all, in date order."""
    events = scope.events(ds)
    keep = _in_quarter(events[RegulatoryEvents.date], quarter)
    if event_types is not None:
        keep &= events[RegulatoryEvents.event_type].isin(event_types)
    return _event_rows(events[keep], ds, newest_first=False)


def events_to_date(ds: Dataset, scope: Scope, quarter: Quarter, kind: str) -> pd.DataFrame:
    """Events of one kind of EVENT_GROUPS dated up to quarter end, newest first."""
    _check_choice("kind", kind, tuple(EVENT_GROUPS))
    return _event_rows(
        _events_by_end_of(ds, scope, quarter, EVENT_GROUPS[kind]), ds, newest_first=True
    )


def filings_under_review(ds: Dataset, scope: Scope, quarter: Quarter) -> pd.DataFrame:
    """Filings accepted by quarter end and not yet followed by an approval, oldest first.

    An approval of the product in the market on or after the filing date decides it when
    either names no indication or both name the same one.
    """
    keys = [RegulatoryEvents.product, RegulatoryEvents.market]
    filings = _events_by_end_of(ds, scope, quarter, [FILING])
    approvals = _events_by_end_of(ds, scope, quarter, [APPROVAL])
    pairs = filings.reset_index().merge(
        approvals[[*keys, RegulatoryEvents.indication, RegulatoryEvents.date]],
        on=keys,
        suffixes=("", "_approval"),
    )
    filed, approved = pairs[RegulatoryEvents.indication], pairs["indication_approval"]
    decides = (pairs["date_approval"] >= pairs[RegulatoryEvents.date]) & (
        filed.isna() | approved.isna() | (filed == approved)
    )
    pending = filings.drop(index=pairs.loc[decides, "index"].unique())
    return _event_rows(pending, ds, newest_first=False)


def upcoming_catalysts(
    ds: Dataset, scope: Scope, quarter: Quarter, quarters: int = CATALYST_HORIZON
) -> pd.DataFrame:
    """Events expected in the `quarters` quarters after `quarter`, soonest first.

    `expected` is the timing as given (a quarter or a date); `expected_quarter` the quarter it
    falls in.
    """
    catalysts = scope.catalysts(ds)
    window = [str(q) for q in quarter.shift(quarters).trailing(quarters)]
    timing = catalysts[Catalysts.expected].map(lambda text: str(Quarter.of_expected(text)))
    upcoming = catalysts.assign(**{EXPECTED_QUARTER: timing.astype(object)})
    upcoming = upcoming[upcoming[EXPECTED_QUARTER].isin(window)]
    ordered = _describe(upcoming, ds).sort_values(
        [EXPECTED_QUARTER, Catalysts.expected, Catalysts.product, Catalysts.market]
    )
    return ordered[CATALYST_COLUMNS].reset_index(drop=True)


def readouts_in_quarter(ds: Dataset, scope: Scope, quarter: Quarter) -> pd.DataFrame:
    """Clinical results reported in the quarter, in date and trial order."""
    results = scope.clinical(ds)
    in_quarter = results[_in_quarter(results[ClinicalResults.date], quarter)]
    return _clinical_rows(in_quarter, ds, newest_first=False)


def clinical_results_to_date(ds: Dataset, scope: Scope, quarter: Quarter) -> pd.DataFrame:
    """Clinical results reported up to quarter end, newest first."""
    results = scope.clinical(ds)
    to_date = results[by_end_of(results[ClinicalResults.date], quarter)]
    return _clinical_rows(to_date, ds, newest_first=True)


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


def revenue_by(ds: Dataset, scope: Scope, quarter: Quarter, by: str = "product") -> pd.DataFrame:
    """Revenue per value of `by` in the quarter, previous and year-ago quarter, growth and mix.

    `by` is one of REVENUE_DIMENSIONS; therapy and disease areas count the parts allocated to
    them (see `revenue.allocated_sales`), so the rows add up to the scope's revenue and mix to 1.
    Mix is the share of the scope's revenue in the quarter; largest first as shown (rounded),
    ties in `by` order.
    """
    _check_choice("by", by, REVENUE_DIMENSIONS)
    sales = scope.sales(ds)
    table = _revenue_per(_with_dimension(sales, ds, by), [by], quarter)
    scope_total = sales.loc[sales[Sales.quarter] == str(quarter), REVENUE].sum()
    table["mix"] = table[REVENUE] / scope_total if scope_total else np.nan
    return ranked(table, [REVENUE, by], [False, True]).reset_index(drop=True)


def revenue_history_by(
    ds: Dataset, scope: Scope, quarter: Quarter, by: str = "product", quarters: int = 8
) -> pd.DataFrame:
    """Revenue per quarter and value of `by` over the `quarters` quarters ending with `quarter`.

    Long form (quarter, `by`, revenue_rmb_m), 0 where a value has no sales in a quarter; `by`
    is one of REVENUE_DIMENSIONS, counted as in `revenue_by`.
    """
    _check_choice("by", by, REVENUE_DIMENSIONS)
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
    the last row, TOTAL_REVENUE, sums them. Year to date sums the quarters of the calendar year
    up to `quarter`; its YoY compares with the same quarters a year earlier.
    """
    rows = revenue_by_type_rows(ds)
    year_to_date = {str(q): YEAR_TO_DATE_REVENUE for q in quarter.year_to_date}
    year_ago = {str(q): YEAR_AGO_TO_DATE_REVENUE for q in quarter.year_ago.year_to_date}
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


def area_summary(ds: Dataset, scope: Scope, quarter: Quarter, by: str = "region") -> pd.DataFrame:
    """Revenue in the quarter and approvals to date per therapy area and region or market.

    One row per pair with revenue or an approval, in vocabulary order (markets in data order);
    revenue counts the parts allocated to each area (see `revenue.allocated_sales`), an approval
    its indication's area (the product's primary one when it names no indication).
    """
    _check_choice("by", by, (Markets.region, Markets.market))
    area = Products.therapy_area
    sales = scope.sales(ds)
    sales = sales[sales[Sales.quarter] == str(quarter)]
    approvals = _events_by_end_of(ds, scope, quarter, [APPROVAL])
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
    order = REGIONS if by == Markets.region else tuple(ds.markets[Markets.market])
    ranks = {area: _vocabulary_rank(THERAPY_AREAS), by: _vocabulary_rank(order)}
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

    Up to `n` of each, material changes only (`revenue.MATERIALITY`); `direction` is "increase"
    or "decrease". Ranked by the change as shown
    (rounded to REVENUE_DECIMALS), largest first; ties go to the larger revenue this quarter,
    then to product and market code in alphabetical order.
    """
    keys = [Sales.product, Sales.market]
    pairs = _revenue_per(scope.sales(ds), keys, quarter).drop(columns=[YEAR_AGO_REVENUE, "yoy"])
    after_previous = pairs.columns.get_loc(PREVIOUS_REVENUE) + 1
    pairs.insert(after_previous, "change_rmb_m", pairs[REVENUE] - pairs[PREVIOUS_REVENUE])
    pairs = pairs[material(pairs["change_rmb_m"], pairs[PREVIOUS_REVENUE])]
    change = pairs["change_rmb_m"]
    order = ["change_rmb_m", REVENUE, *keys]
    increases = ranked(pairs[change > 0], order, [False, False, True, True])
    decreases = ranked(pairs[change < 0], order, [True, False, True, True])
    movers = pd.concat(
        [
            increases.head(n).assign(direction="increase"),
            decreases.head(n).assign(direction="decrease"),
        ]
    )
    direction_first = ["direction", *movers.columns.drop("direction")]
    return with_inn(movers[direction_first].reset_index(drop=True), ds)


def revenue_drivers(
    ds: Dataset, scope: Scope, quarter: Quarter, by: str = "product", n: int = 3
) -> pd.DataFrame:
    """The `n` values of `by` whose product sales moved most against the same quarter a year
    earlier, material changes only (`revenue.MATERIALITY`), largest change as shown first.

    Columns: `by`, revenue_rmb_m, year_ago_rmb_m, change_rmb_m, yoy.
    """
    table = revenue_by(ds, scope, quarter, by=by)
    table["change_rmb_m"] = table[REVENUE] - table[YEAR_AGO_REVENUE]
    moved = table[material(table["change_rmb_m"], table[YEAR_AGO_REVENUE])]
    order = ranked(
        moved.assign(_size=moved["change_rmb_m"].abs()),
        ["_size", REVENUE, by],
        [False, False, True],
    )
    return (
        order[[by, REVENUE, YEAR_AGO_REVENUE, "change_rmb_m", "yoy"]].head(n).reset_index(drop=True)
    )


def phase_moves(ds: Dataset, scope: Scope, quarter: Quarter) -> pd.DataFrame:
    """Indications whose phase in a pipeline scope changed during the quarter.

    `from_phase` is the phase at the previous quarter end (missing for an indication that entered
    the pipeline), `to_phase` the one at this quarter end, `since` the date it was reached;
    `change` is "entered", "advanced", "moved back" or "discontinued".
    """
    moves = _phase_changes(scope.pipeline(ds), quarter)
    ordered = _describe(moves, ds).sort_values([Pipeline.since, Products.product, *PROGRAMME])
    return ordered[MOVE_COLUMNS].reset_index(drop=True)


def _phase_changes(pipeline: pd.DataFrame, quarter: Quarter) -> pd.DataFrame:
    """Pipeline rows reached in the quarter, with from_phase, to_phase and change."""
    current = phase_as_of(pipeline, quarter)
    moved = current[_in_quarter(current[Pipeline.since], quarter)]
    before = phase_as_of(pipeline, quarter.previous)[[*PROGRAMME, Pipeline.phase]]
    moves = moved.rename(columns={Pipeline.phase: "to_phase"}).merge(
        before.rename(columns={Pipeline.phase: "from_phase"}), on=PROGRAMME, how="left"
    )
    moves["change"] = np.select(
        [
            moves["to_phase"] == lifecycle.DISCONTINUED_PHASE,
            moves["from_phase"].isna(),
            phase_rank(moves["to_phase"]) > phase_rank(moves["from_phase"]),
        ],
        ["discontinued", "entered", "advanced"],
        default="moved back",
    )
    return moves


def changes_since_previous_quarter(ds: Dataset, scope: Scope, quarter: Quarter) -> pd.DataFrame:
    """Counts of regulatory news, readouts and phase changes in the quarter and the one before.

    Readouts count distinct trials; the event kinds are those of EVENT_GROUPS.
    """
    columns = {}
    pipeline = scope.pipeline(ds)
    for name, period in (("this_quarter", quarter), ("previous_quarter", quarter.previous)):
        event_types = events_in_quarter(ds, scope, period)[RegulatoryEvents.event_type]
        counts = {kind: int(event_types.isin(types).sum()) for kind, types in EVENT_GROUPS.items()}
        counts["clinical readouts"] = readouts_in_quarter(ds, scope, period)[
            ClinicalResults.trial
        ].nunique()
        counts["phase changes"] = len(_phase_changes(pipeline, period))
        columns[name] = counts
    return pd.DataFrame(columns).rename_axis("kind").reset_index()


def with_inn(frame: pd.DataFrame, ds: Dataset) -> pd.DataFrame:
    """Insert the product's INN after the product column."""
    inns = ds.products.set_index(Products.product)[Products.inn]
    described = frame.copy()
    position = described.columns.get_loc(Products.product) + 1
    described.insert(position, Products.inn, described[Products.product].map(inns))
    return described


def _check_choice(name: str, value: str, choices: tuple[str, ...]) -> None:
    """Raise ValueError naming the choices when `value` is not one of them."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(choices)}; got {value!r}")


def _in_quarter(dates: pd.Series, quarter: Quarter) -> pd.Series:
    """Rows dated within the quarter."""
    return by_end_of(dates, quarter) & ~by_end_of(dates, quarter.previous)


def _events_by_end_of(
    ds: Dataset, scope: Scope, quarter: Quarter, event_types: Collection[str]
) -> pd.DataFrame:
    """The scope's events of the given types dated on or before the quarter's last day."""
    events = scope.events(ds)
    keep = by_end_of(events[RegulatoryEvents.date], quarter) & events[
        RegulatoryEvents.event_type
    ].isin(event_types)
    return events[keep]


def _vocabulary_rank(vocabulary: Collection[str]) -> dict[str, int]:
    """Position of each value in a vocabulary, for sorting."""
    return {value: rank for rank, value in enumerate(vocabulary)}


def _describe(frame: pd.DataFrame, ds: Dataset) -> pd.DataFrame:
    """Add indication and product descriptions to rows that name an indication."""
    indications = ds.indications.rename(columns={Indications.name: INDICATION_NAME})
    if Products.product in frame.columns:
        indications = indications.drop(columns=Indications.product)
    products = ds.products[[Products.product, Products.inn, Products.target, Products.modality]]
    return frame.merge(indications, on=Indications.indication, how="left").merge(
        products, on=Products.product, how="left"
    )


def _event_rows(events: pd.DataFrame, ds: Dataset, *, newest_first: bool) -> pd.DataFrame:
    """Events with the brand of their label, INN and indication name, in date order."""
    described = _describe(events, ds)
    described[TRADE_NAME] = brand_names(described, ds.trade_names)
    ordered = described.sort_values(
        [RegulatoryEvents.date, RegulatoryEvents.product, RegulatoryEvents.market],
        ascending=[not newest_first, True, True],
    )
    return ordered[EVENT_COLUMNS].reset_index(drop=True)


def _clinical_rows(results: pd.DataFrame, ds: Dataset, *, newest_first: bool) -> pd.DataFrame:
    """Clinical results with INN and indication name, by date, trial order kept within a date."""
    ordered = _describe(results, ds).sort_values(
        [ClinicalResults.date, ClinicalResults.trial],
        ascending=[not newest_first, True],
        kind="stable",
    )
    return ordered[READOUT_COLUMNS].reset_index(drop=True)


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


PORTFOLIO_COUNTS: dict[str, str] = {
    "Products launched": "products with at least one approval in any market by quarter end",
    "Approved indications": (
        "indications with at least one approved programme at quarter end (see the programme"
        " definitions), each counted once"
    ),
    "Markets reached": (
        "countries and regions where at least one product is approved by quarter end; the EU"
        " counts as one market (one EC approval covers every member state)"
    ),
    "Approvals this quarter": (
        "approval events dated in the quarter, one per product, market and label (indication)"
    ),
    "Filings accepted this quarter": "filings accepted by a regulator in the quarter",
    "Molecules in development": (
        "products with at least one programme in development at quarter end, launched products"
        " with new indications or markets included"
    ),
}
"""The portfolio counts the company states, each with the definition a report shows."""


def portfolio_counts(ds: Dataset, scope: Scope, quarter: Quarter) -> pd.DataFrame:
    """The PORTFOLIO_COUNTS of the scope at quarter end: count, value and definition."""
    approvals = _events_by_end_of(ds, scope, quarter, [APPROVAL])
    programmes = lifecycle.programmes(ds, scope, quarter)
    products = ds.indications.set_index(Indications.indication)[Indications.product]
    status = programmes[STATUS]
    in_quarter = events_in_quarter(ds, scope, quarter, [APPROVAL, FILING])[
        RegulatoryEvents.event_type
    ]
    values = {
        "Products launched": approvals[RegulatoryEvents.product].nunique(),
        "Approved indications": programmes.loc[
            status == lifecycle.APPROVED, Pipeline.indication
        ].nunique(),
        "Markets reached": approvals[RegulatoryEvents.market].nunique(),
        "Approvals this quarter": (in_quarter == APPROVAL).sum(),
        "Filings accepted this quarter": (in_quarter == FILING).sum(),
        "Molecules in development": programmes.loc[
            status == lifecycle.IN_DEVELOPMENT, Pipeline.indication
        ]
        .map(products)
        .nunique(),
    }
    return pd.DataFrame(
        {
            "count": list(PORTFOLIO_COUNTS),
            "value": [int(values[name]) for name in PORTFOLIO_COUNTS],
            "definition": list(PORTFOLIO_COUNTS.values()),
        }
    )
