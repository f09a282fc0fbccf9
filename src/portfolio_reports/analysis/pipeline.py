"""Programme lifecycle: each indication in a scope is in development, approved or discontinued.

A programme is one indication in one scope: a market, or Global for development run across
markets under one plan (a multi-regional trial). Its status at a quarter end comes from its phase
history (pipeline.csv) and the approvals of its indication (pipeline.csv and
regulatory_events.csv), as the sentences of DEFINITIONS say.

Which approvals close a Global programme: the first approval of its indication outside the
company's home market (company.csv; anywhere, without one). Development for the home market is
recorded as a programme of that market with its own approval, so a home approval alone leaves
the multi-regional programme open, while its first approval elsewhere (an EC or FDA
approval, say) shows that the global development has reached the market; filings still pending
in other markets after that are market programmes of their own (an EU or CA row).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from portfolio_reports.analysis import setbacks
from portfolio_reports.analysis.memo import per_dataset
from portfolio_reports.analysis.scope import Scope
from portfolio_reports.data.dataset import Dataset
from portfolio_reports.data.quarters import Quarter
from portfolio_reports.data.schema import (
    DEVELOPMENT_PHASES,
    GLOBAL_SCOPE,
    PHASES,
    Indications,
    Pipeline,
    RegulatoryEvents,
)

PROGRAMME = [Pipeline.indication, Pipeline.scope]
"""A programme: one indication in one scope; it holds one phase at a time."""
APPROVAL_EVENT = "approval"
APPROVED_PHASES = ("Approved", "Launched")
DISCONTINUED_PHASE = "Discontinued"

IN_DEVELOPMENT = "in development"
APPROVED = "approved"
DISCONTINUED = "discontinued"
WITHDRAWN = "withdrawn"
STATUSES = (IN_DEVELOPMENT, APPROVED, WITHDRAWN, DISCONTINUED)
LOCAL = "local"
GLOBAL = "global"
COVERAGES = (LOCAL, GLOBAL)

STATUS = "status"
COVERAGE = "coverage"
LIFE_CYCLE = "life_cycle"
APPROVED_ON = "approved_on"
APPROVAL_BASIS = "approval_basis"

DEFINITIONS = {
    "programme": "A programme is one indication in one scope: a market, or Global for"
    " development run across markets under one plan; counts on this page are programmes.",
    IN_DEVELOPMENT: "In development: the programme's latest phase at quarter end is Preclinical"
    " to Filed and its indication is not yet approved in its scope.",
    APPROVED: "Approved: its indication was approved in the programme's market by quarter end"
    " (an Approved phase or an approval event naming the indication); a Global programme"
    " counts as approved from the indication's first approval outside the company's home market"
    " (anywhere, for a company without one).",
    WITHDRAWN: "Withdrawn: a market programme whose latest approval was ended by a withdrawal of"
    " its indication, or of its product, in its market by quarter end.",
    DISCONTINUED: "Discontinued: its latest phase at quarter end is Discontinued.",
    LIFE_CYCLE: "Life-cycle: a programme in development for a product already approved by"
    " quarter end, in another indication or another market.",
    GLOBAL: "Global programmes: the data does not list a global programme's countries, so every"
    " market and region page shows them, apart from the programmes run there.",
}
"""One sentence per pipeline definition, to show beside the figures that use it."""

_PHASE_RANK = {phase: rank for rank, phase in enumerate(PHASES)}


def by_end_of(dates: pd.Series, quarter: Quarter) -> pd.Series:
    """Rows dated on or before the quarter's last day."""
    return dates < pd.Timestamp(quarter.shift(1).start)


def phase_rank(phases: pd.Series) -> pd.Series:
    """Position of each phase in the phase vocabulary; NaN for a missing phase."""
    return phases.map(_PHASE_RANK)


def phase_as_of(pipeline: pd.DataFrame, quarter: Quarter) -> pd.DataFrame:
    """Latest phase row per programme reached by the quarter's end."""
    reached = pipeline[by_end_of(pipeline[Pipeline.since], quarter)]
    ordered = reached.assign(_rank=phase_rank(reached[Pipeline.phase])).sort_values(
        [Pipeline.since, "_rank"]
    )
    return ordered.drop_duplicates(PROGRAMME, keep="last").drop(columns="_rank")


@per_dataset
def closing_approvals(ds: Dataset) -> pd.DataFrame:
    """Every approval that closes a programme, with its date and what records it.

    A market programme closes at an Approved or Launched phase row of its own, or an approval
    event naming its indication in its market; a Global programme at an Approved or Launched row
    of its own, or any of those approvals of its indication outside the home market.
    Approval events that name no indication approve a product, not a programme.
    """
    pipeline = ds.pipeline
    rows = pipeline[pipeline[Pipeline.phase].isin(APPROVED_PHASES)]
    events = ds.regulatory_events
    named = events[
        (events[RegulatoryEvents.event_type] == APPROVAL_EVENT)
        & events[RegulatoryEvents.indication].notna()
    ]
    approvals = pd.concat(
        [
            pd.DataFrame(
                {
                    Pipeline.indication: rows[Pipeline.indication],
                    Pipeline.scope: rows[Pipeline.scope],
                    APPROVED_ON: rows[Pipeline.since],
                    APPROVAL_BASIS: rows[Pipeline.phase] + " in " + rows[Pipeline.scope],
                }
            ),
            pd.DataFrame(
                {
                    Pipeline.indication: named[RegulatoryEvents.indication],
                    Pipeline.scope: named[RegulatoryEvents.market],
                    APPROVED_ON: named[RegulatoryEvents.date],
                    APPROVAL_BASIS: "approval in " + named[RegulatoryEvents.market],
                }
            ),
        ],
        ignore_index=True,
    )
    home = [ds.profile.home_market] if ds.profile.home_market is not None else []
    abroad = approvals[~approvals[Pipeline.scope].isin([*home, GLOBAL_SCOPE])]
    return pd.concat([approvals, abroad.assign(**{Pipeline.scope: GLOBAL_SCOPE})]).reset_index(
        drop=True
    )


@per_dataset
def programmes(ds: Dataset, scope: Scope, quarter: Quarter) -> pd.DataFrame:
    """Every programme of the scope begun by quarter end, with its status there (DEFINITIONS).

    One row per programme of the phase history, plus one per market where an approval event
    names an indication without a phase history there; `phase` and `since` are the latest phase
    row (Approved at the approval date for the latter), `coverage` local or global,
    `life_cycle` true for a programme in development whose product is approved by quarter end.
    """
    return scope.programme_rows(_every_programme(ds, quarter), ds).reset_index(drop=True)


@per_dataset
def _every_programme(ds: Dataset, quarter: Quarter) -> pd.DataFrame:
    """`programmes` of every scope, worked out once per data set and quarter for all reports."""
    approvals = closing_approvals(ds)
    approvals = approvals[by_end_of(approvals[APPROVED_ON], quarter)]
    first = approvals.sort_values(APPROVED_ON, kind="stable").drop_duplicates(PROGRAMME)
    current = phase_as_of(ds.pipeline, quarter)
    approved_only = first[first[Pipeline.scope] != GLOBAL_SCOPE].assign(
        **{
            Pipeline.phase: APPROVED_PHASES[0],
            Pipeline.since: lambda rows: rows[APPROVED_ON],
            Pipeline.estimated: False,
        }
    )[[*PROGRAMME, Pipeline.phase, Pipeline.since, Pipeline.estimated]]
    current = pd.concat([current, approved_only]).drop_duplicates(PROGRAMME, keep="first")
    frame = current.merge(first, on=PROGRAMME, how="left")
    ended = frame[Pipeline.phase] == DISCONTINUED_PHASE
    approved = frame[APPROVED_ON].notna() & ~(ended & (frame[Pipeline.since] >= frame[APPROVED_ON]))
    frame[STATUS] = np.select([approved, ended], [APPROVED, DISCONTINUED], IN_DEVELOPMENT)
    frame.loc[approved & _withdrawn(ds, approvals, frame, quarter), STATUS] = WITHDRAWN
    frame[COVERAGE] = np.where(frame[Pipeline.scope] == GLOBAL_SCOPE, GLOBAL, LOCAL)
    products = ds.indications.set_index(Indications.indication)[Indications.product]
    approved_products = _approved_products(ds, approvals, products, quarter)
    frame[LIFE_CYCLE] = (frame[STATUS] == IN_DEVELOPMENT) & frame[Pipeline.indication].map(
        products
    ).isin(approved_products)
    return frame


def lifecycle_warnings(ds: Dataset) -> list[str]:
    """One line per programme whose phase history stays in development after its own approval."""
    dates = pd.concat([ds.pipeline[Pipeline.since], ds.regulatory_events[RegulatoryEvents.date]])
    if dates.dropna().empty:
        return []
    every = programmes(ds, Scope(), Quarter.of(dates.max()))
    stale = every[(every[STATUS] == APPROVED) & every[Pipeline.phase].isin(DEVELOPMENT_PHASES)]
    return [
        f"pipeline.csv, programme ({row.indication}, {row.scope}): latest phase {row.phase}"
        f" (since {row.since:%Y-%m-%d}) but approved on {row.approved_on:%Y-%m-%d}"
        f" ({row.approval_basis}); reports count it as approved; add its Approved row"
        for row in stale.sort_values(PROGRAMME).itertuples()
    ]


LAGGING_PHASES = 2
"""Phases a market programme must trail its indication's Global programme by to be lagging."""
LAGGING_YEARS = 2
"""Years a lagging market programme must have kept its phase before a warning names it."""


def lagging_warnings(ds: Dataset) -> list[str]:
    """One line per market programme in development left behind the Global programme of its
    indication: LAGGING_PHASES or more behind it and unchanged for LAGGING_YEARS years at the
    data's latest date."""
    dates = pd.concat([ds.pipeline[Pipeline.since], ds.regulatory_events[RegulatoryEvents.date]])
    if dates.dropna().empty:
        return []
    latest = dates.max()
    every = programmes(ds, Scope(), Quarter.of(latest))
    developing = every[every[STATUS] == IN_DEVELOPMENT].assign(
        _rank=lambda rows: phase_rank(rows[Pipeline.phase])
    )
    global_ = developing[developing[Pipeline.scope] == GLOBAL_SCOPE]
    pairs = developing[developing[Pipeline.scope] != GLOBAL_SCOPE].merge(
        global_, on=Pipeline.indication, suffixes=("", "_global")
    )
    lagging = pairs[
        (pairs["_rank_global"] - pairs["_rank"] >= LAGGING_PHASES)
        & (pairs[Pipeline.since] <= latest - pd.DateOffset(years=LAGGING_YEARS))
    ]
    return [
        f"pipeline.csv, programme ({row.indication}, {row.scope}) at {row.phase} since"
        f" {row.since:%Y-%m-%d} is {LAGGING_PHASES} phases or more behind ({row.indication},"
        f" {GLOBAL_SCOPE}) at {row.phase_global} since {row.since_global:%Y-%m-%d}, unchanged"
        f" for {LAGGING_YEARS} years: record its current phase, or Discontinued"
        for row in lagging.sort_values(PROGRAMME).itertuples()
    ]


def _withdrawn(
    ds: Dataset, approvals: pd.DataFrame, frame: pd.DataFrame, quarter: Quarter
) -> pd.Series:
    """Whether each market programme's latest approval by quarter end was ended by a withdrawal
    by then (`setbacks.withdrawn`); Global programmes are never withdrawn as a whole."""
    latest = approvals.groupby(PROGRAMME)[APPROVED_ON].max()
    products = ds.indications.set_index(Indications.indication)[Indications.product]
    rows = pd.DataFrame(
        {
            RegulatoryEvents.product: frame[Pipeline.indication].map(products),
            RegulatoryEvents.market: frame[Pipeline.scope],
            RegulatoryEvents.indication: frame[Pipeline.indication],
            RegulatoryEvents.date: pd.MultiIndex.from_frame(frame[PROGRAMME]).map(latest),
        },
        index=frame.index,
    )
    rows = rows[
        (rows[RegulatoryEvents.market] != GLOBAL_SCOPE) & rows[RegulatoryEvents.date].notna()
    ]
    events = ds.regulatory_events
    known = events[by_end_of(events[RegulatoryEvents.date], quarter)]
    return setbacks.withdrawn(rows, known).reindex(frame.index, fill_value=False)


def _approved_products(
    ds: Dataset, approvals: pd.DataFrame, products: pd.Series, quarter: Quarter
) -> set[str]:
    """Products with any approval by quarter end: of an indication, or of the product itself."""
    events = ds.regulatory_events
    product_approvals = events[
        (events[RegulatoryEvents.event_type] == APPROVAL_EVENT)
        & by_end_of(events[RegulatoryEvents.date], quarter)
    ]
    return set(product_approvals[RegulatoryEvents.product]) | set(
        approvals[Pipeline.indication].map(products).dropna()
    )
