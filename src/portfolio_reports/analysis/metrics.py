"""Summaries of a Dataset for one scope and quarter, each returned as a DataFrame."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

import numpy as np
import pandas as pd

from portfolio_reports.analysis import pipeline as lifecycle
from portfolio_reports.analysis import setbacks
from portfolio_reports.analysis.brands import brand_names, trade_names_of
from portfolio_reports.analysis.memo import per_dataset
from portfolio_reports.analysis.ordering import by_sales
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
from portfolio_reports.analysis.scope import Scope
from portfolio_reports.data.categories import covering_unions
from portfolio_reports.data.dataset import Dataset
from portfolio_reports.data.quarters import Quarter
from portfolio_reports.data.schema import (
    DEVELOPMENT_PHASES,
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
    "setbacks": setbacks.SETBACKS,
    "approvals": (APPROVAL,),
    "filings and designations": (
        FILING,
        setbacks.RESUBMISSION,
        "priority review",
        "breakthrough designation",
        "orphan designation",
    ),
    "licence deals": ("licence deal",),
}
"""Kinds of regulatory news a report lists and counts, setbacks first, with their event types."""

GROUPINGS = ("therapy_area", "disease_area", COVERAGE)
"""Groupings of pipeline counts: areas in `ordering.by_sales` order, coverage as COVERAGES."""
CATALYST_HORIZON = 4
"""Quarters ahead that upcoming catalysts cover."""
EXPECTED_QUARTER = "expected_quarter"

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


@per_dataset
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
    therapy_area, disease_area or coverage (local or global); areas appear by product sales,
    then name, every phase is listed, empty cells are 0.
    """
    check_choice("by", by, GROUPINGS)
    snapshot = pipeline_snapshot(ds, scope, quarter)
    counts = snapshot.groupby([Pipeline.phase, by]).size().unstack(by, fill_value=0)
    order = COVERAGES if by == COVERAGE else by_sales(ds, by, quarter)
    groups = [group for group in order if group in counts.columns]
    table = counts.reindex(index=list(DEVELOPMENT_PHASES), columns=groups, fill_value=0)
    return table.astype(int).rename_axis(index=Pipeline.phase, columns=by)


@per_dataset
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
    counted = events_by_end_of(ds, scope, quarter, [APPROVAL, FILING])
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
    """First approval date per product (index) and market (columns) of the approvals in force at
    quarter end (`approvals_in_force`), else NaT.

    Products and markets without any approval in force then are left out; markets in data order.
    """
    approvals = approvals_in_force(ds, scope, quarter)
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


def approvals_by_region(ds: Dataset, scope: Scope, quarter: Quarter) -> pd.DataFrame:
    """Where each product's approvals are in force at quarter end (`approval_matrix`), by
    region: product, region, markets (how many) and approved_in (their codes, a tuple).

    A market a union covers counts as the union, as `markets_reached` counts it. Products by
    code; regions, and markets within one, in data order.
    """
    market, region = Markets.market, Markets.region
    matrix = approval_matrix(ds, scope, quarter)
    pairs = matrix.reset_index().melt(id_vars=Products.product, value_name="first")
    unions = covering_unions(ds.markets)
    approved = (
        pairs[pairs["first"].notna()]
        .assign(**{market: lambda frame: frame[market].map(lambda code: unions.get(code, code))})
        .drop_duplicates([Products.product, market])
    )
    regions = ds.markets.set_index(market)[region]
    region_order = {name: rank for rank, name in enumerate(dict.fromkeys(regions))}
    market_order = {code: rank for rank, code in enumerate(regions.index)}
    in_region = approved[market].map(regions)
    ordered = approved.assign(
        **{region: in_region},
        _region=in_region.map(region_order),
        _market=approved[market].map(market_order),
    ).sort_values([Products.product, "_region", "_market"])
    grouped = ordered.groupby([Products.product, region], sort=False)[market]
    return pd.DataFrame(
        {"markets": grouped.size(), "approved_in": grouped.agg(tuple)}
    ).reset_index()


@per_dataset
def approvals_in_force(ds: Dataset, scope: Scope, quarter: Quarter) -> pd.DataFrame:
    """Approval events dated by quarter end that no withdrawal by then has ended
    (`setbacks.withdrawn`)."""
    events = events_by_end_of(ds, scope, quarter, [APPROVAL, setbacks.WITHDRAWAL])
    approvals = events[events[RegulatoryEvents.event_type] == APPROVAL]
    return approvals[~setbacks.withdrawn(approvals, events)]


@per_dataset
def events_in_quarter(
    ds: Dataset, scope: Scope, quarter: Quarter, event_types: Collection[str] | None = None
) -> pd.DataFrame:
    """Regulatory events of the quarter, of the given types or all, in date order."""
    events = scope.events(ds)
    keep = _in_quarter(events[RegulatoryEvents.date], quarter)
    if event_types is not None:
        keep &= events[RegulatoryEvents.event_type].isin(event_types)
    return _event_rows(events[keep], ds, newest_first=False)


@per_dataset
def events_to_date(ds: Dataset, scope: Scope, quarter: Quarter, kind: str) -> pd.DataFrame:
    """Events of one kind of EVENT_GROUPS dated up to quarter end, newest first."""
    check_choice("kind", kind, tuple(EVENT_GROUPS))
    return _event_rows(
        events_by_end_of(ds, scope, quarter, EVENT_GROUPS[kind]), ds, newest_first=True
    )


def filings_under_review(ds: Dataset, scope: Scope, quarter: Quarter) -> pd.DataFrame:
    """Filings accepted by quarter end, neither decided by an approval nor ended by a setback,
    oldest first.

    An approval of the product in the market on or after the filing date decides it when
    either names no indication or both name the same one; a complete response letter, refusal or
    negative opinion ends its review until a resubmission (`setbacks.review_ended`).
    """
    events = events_by_end_of(
        ds, scope, quarter, [APPROVAL, *setbacks.REVIEW_ENDING, *setbacks.REVIEW_OPENING]
    )
    filings = events[events[RegulatoryEvents.event_type] == FILING]
    decided = setbacks.approved_since(filings, events) | setbacks.review_ended(filings, events)
    return _event_rows(filings[~decided], ds, newest_first=False)


@per_dataset
def upcoming_catalysts(
    ds: Dataset, scope: Scope, quarter: Quarter, quarters: int = CATALYST_HORIZON
) -> pd.DataFrame:
    """Events expected in the `quarters` quarters after `quarter`, soonest first; an expected
    decision on a filing whose review a setback ended by quarter end is closed and left out.

    `expected` is the timing as given (a quarter or a date); `expected_quarter` the quarter it
    falls in.
    """
    catalysts = scope.catalysts(ds)
    known = events_by_end_of(
        ds, scope, quarter, [*setbacks.REVIEW_ENDING, *setbacks.REVIEW_OPENING]
    )
    catalysts = catalysts[~setbacks.decision_closed(catalysts, known)]
    window = [str(q) for q in quarter.shift(quarters).trailing(quarters)]
    timing = catalysts[Catalysts.expected].map(lambda text: str(Quarter.of_expected(text)))
    upcoming = catalysts.assign(**{EXPECTED_QUARTER: timing.astype(object)})
    upcoming = upcoming[upcoming[EXPECTED_QUARTER].isin(window)]
    ordered = _describe(upcoming, ds).sort_values(
        [EXPECTED_QUARTER, Catalysts.expected, Catalysts.product, Catalysts.market]
    )
    return ordered[CATALYST_COLUMNS].reset_index(drop=True)


@per_dataset
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


@per_dataset
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


def check_choice(name: str, value: str, choices: tuple[str, ...]) -> None:
    """Raise ValueError naming the choices when `value` is not one of them."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(choices)}; got {value!r}")


def _in_quarter(dates: pd.Series, quarter: Quarter) -> pd.Series:
    """Rows dated within the quarter."""
    return by_end_of(dates, quarter) & ~by_end_of(dates, quarter.previous)


@per_dataset
def events_by_end_of(
    ds: Dataset, scope: Scope, quarter: Quarter, event_types: Collection[str]
) -> pd.DataFrame:
    """The scope's events of the given types dated on or before the quarter's last day."""
    events = scope.events(ds)
    keep = by_end_of(events[RegulatoryEvents.date], quarter) & events[
        RegulatoryEvents.event_type
    ].isin(event_types)
    return events[keep]


def vocabulary_rank(vocabulary: Collection[str]) -> dict[str, int]:
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


def _branded(events: pd.DataFrame, ds: Dataset) -> pd.DataFrame:
    """Events with the brand of their label, INN and indication name, on the events' index."""
    described = _describe(events, ds).set_axis(events.index)
    described[TRADE_NAME] = brand_names(described, trade_names_of(ds))
    return described


@per_dataset
def _branded_events(ds: Dataset) -> pd.DataFrame:
    """Every regulatory event of the data set `_branded`, worked out once for every report."""
    return _branded(ds.regulatory_events, ds)


def _event_rows(events: pd.DataFrame, ds: Dataset, *, newest_first: bool) -> pd.DataFrame:
    """Events (rows of the data set's regulatory events) with the brand of their label, INN and
    indication name, in date order."""
    if ds.regulatory_events.index.is_unique:  # as loaded; a frame put together may repeat labels
        described = _branded_events(ds).loc[events.index]
    else:
        described = _branded(events, ds)
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


INFERRED_MARKETS = "Markets reached on inferred approvals"
PIVOTAL = "Pivotal assets"
PIVOTAL_PHASES = ("Phase 3", "Filed")
"""Phases whose trials (or filings) support an approval: a molecule there is a pivotal asset."""
PORTFOLIO_COUNTS: dict[str, str] = {
    "Products launched": (
        "products with at least one approval in force (not withdrawn) in any market at quarter end"
    ),
    "Approved indications": (
        "indications with at least one approved programme at quarter end (see the programme"
        " definitions), each counted once"
    ),
    "Markets reached": (
        "countries and regions where at least one product's approval is in force (not withdrawn)"
        " at quarter end; a union counts as one market with the markets it covers (one approval"
        " of the union covers every member market)"
    ),
    INFERRED_MARKETS: (
        "markets reached where every approval in force at quarter end is inferred (its market or"
        " date inferred from indirect public statements, not reported)"
    ),
    "Approvals this quarter": (
        "approval events dated in the quarter, one per product, market and label (indication)"
    ),
    "Filings accepted this quarter": "filings accepted by a regulator in the quarter",
    "Molecules in development": (
        "products with at least one programme in development at quarter end, launched products"
        " with new indications or markets included"
    ),
    PIVOTAL: (
        "molecules in development with at least one programme at Phase 3 or Filed at quarter end"
    ),
}
"""The portfolio counts the company states, each with the definition a report shows."""


def markets_reached(markets: pd.Series, ds: Dataset) -> int:
    """Markets of these approvals, a market a union covers (covered_by) counted as the union."""
    unions = covering_unions(ds.markets)
    return markets.map(lambda market: unions.get(market, market)).nunique()


def portfolio_counts(ds: Dataset, scope: Scope, quarter: Quarter) -> pd.DataFrame:
    """The PORTFOLIO_COUNTS of the scope at quarter end: count, value and definition."""
    approvals = approvals_in_force(ds, scope, quarter)
    programmes = lifecycle.programmes(ds, scope, quarter)
    products = ds.indications.set_index(Indications.indication)[Indications.product]
    status = programmes[STATUS]
    developing = status == lifecycle.IN_DEVELOPMENT
    in_quarter = events_in_quarter(ds, scope, quarter, [APPROVAL, FILING])[
        RegulatoryEvents.event_type
    ]
    values = {
        "Products launched": approvals[RegulatoryEvents.product].nunique(),
        "Approved indications": programmes.loc[
            status == lifecycle.APPROVED, Pipeline.indication
        ].nunique(),
        "Markets reached": markets_reached(approvals[RegulatoryEvents.market], ds),
        INFERRED_MARKETS: approvals.groupby(RegulatoryEvents.market)[RegulatoryEvents.inferred]
        .all()
        .sum(),
        "Approvals this quarter": (in_quarter == APPROVAL).sum(),
        "Filings accepted this quarter": (in_quarter == FILING).sum(),
        "Molecules in development": programmes.loc[developing, Pipeline.indication]
        .map(products)
        .nunique(),
        PIVOTAL: programmes.loc[
            developing & programmes[Pipeline.phase].isin(PIVOTAL_PHASES), Pipeline.indication
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
