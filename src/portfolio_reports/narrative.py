"""Highlights of a report, written as short plain-text sentences from the data."""

from __future__ import annotations

import pandas as pd

from portfolio_reports.dataset import Dataset
from portfolio_reports.formatting import money, percent, signed_percent
from portfolio_reports.metrics import (
    APPROVAL,
    FILING,
    REVENUE,
    events_in_quarter,
    phase_moves,
    readouts_in_quarter,
    revenue_by_quarter,
    top_products,
)
from portfolio_reports.quarters import Quarter
from portfolio_reports.schema import Products, Sales
from portfolio_reports.slices import Scope

LISTED_AT_MOST = 3


def highlights(ds: Dataset, scope: Scope, quarter: Quarter) -> list[str]:
    """Sentences on the quarter's revenue, approvals, filings, readouts and phase changes."""
    return [
        *_revenue_sentences(ds, scope, quarter),
        _events_sentence(ds, scope, quarter, APPROVAL, "approval", "approvals"),
        _events_sentence(ds, scope, quarter, FILING, "filing accepted", "filings accepted"),
        _readouts_sentence(ds, scope, quarter),
        _phase_moves_sentence(ds, scope, quarter),
    ]


def key_figure(ds: Dataset, scope: Scope, quarter: Quarter) -> str:
    """The quarter's revenue and growth in a few words, e.g. "RMB 165.0 m, +10.0% QoQ, ..."."""
    return _revenue_figure(ds, scope, quarter) or f"No revenue in {quarter.label}"


def _revenue_figure(ds: Dataset, scope: Scope, quarter: Quarter) -> str | None:
    """Revenue with QoQ and YoY growth, flagged when synthetic; None when there is none."""
    totals = revenue_by_quarter(ds, scope, quarter, quarters=1).iloc[0]
    if totals[REVENUE] == 0:
        return None
    synthetic = " (synthetic figures)" if totals[Sales.synthetic] else ""
    return (
        f"RMB {money(totals[REVENUE])} m, {signed_percent(totals['qoq'])} QoQ, "
        f"{signed_percent(totals['yoy'])} YoY{synthetic}"
    )


def _revenue_sentences(ds: Dataset, scope: Scope, quarter: Quarter) -> list[str]:
    """Revenue with its growth, and the largest product's share; one sentence if none."""
    figure = _revenue_figure(ds, scope, quarter)
    if figure is None:
        return [f"No revenue recorded in {quarter.label}."]
    top = top_products(ds, scope, quarter, n=1).iloc[0]
    return [
        f"Revenue {figure}.",
        f"Largest product: {top[Products.product]} ({top[Products.inn]}), "
        f"RMB {money(top[REVENUE])} m, {percent(top['mix'])} of revenue.",
    ]


def _events_sentence(
    ds: Dataset, scope: Scope, quarter: Quarter, event_type: str, singular: str, plural: str
) -> str:
    """The quarter's events of one type, each as product, indication, market and agency."""
    events = events_in_quarter(ds, scope, quarter, [event_type])
    if events.empty:
        return f"No {plural} in {quarter.label}."
    items = [
        event.product
        + ("" if pd.isna(event.indication_name) else f" for {event.indication_name}")
        + f" in {event.market}"
        + ("" if pd.isna(event.agency) else f" ({event.agency})")
        for event in events.itertuples()
    ]
    return f"{_count(len(events), singular, plural)} in {quarter.label}: {_listing(items)}."


def _readouts_sentence(ds: Dataset, scope: Scope, quarter: Quarter) -> str:
    """The trials that reported results in the quarter."""
    trials = readouts_in_quarter(ds, scope, quarter).drop_duplicates("trial")
    if trials.empty:
        return f"No clinical readouts in {quarter.label}."
    items = [f"{trial.trial} ({trial.indication_name})" for trial in trials.itertuples()]
    count = _count(len(trials), "clinical readout", "clinical readouts")
    return f"{count} in {quarter.label}: {_listing(items)}."


def _phase_moves_sentence(ds: Dataset, scope: Scope, quarter: Quarter) -> str:
    """How many indications changed phase in the quarter, by kind of change."""
    moves = phase_moves(ds, scope, quarter)
    if moves.empty:
        return f"No phase changes in {quarter.label}."
    kinds = moves["change"].value_counts().sort_index()
    breakdown = ", ".join(f"{count} {kind}" for kind, count in kinds.items())
    return f"{_count(len(moves), 'phase change', 'phase changes')} in {quarter.label}: {breakdown}."


def _count(number: int, singular: str, plural: str) -> str:
    """A number with its noun in the right form, e.g. "1 approval", "2 approvals"."""
    return f"{number} {singular if number == 1 else plural}"


def _listing(items: list[str]) -> str:
    """Items joined by commas, the ones past LISTED_AT_MOST summed up as "and N more"."""
    shown = ", ".join(items[:LISTED_AT_MOST])
    hidden = len(items) - LISTED_AT_MOST
    return f"{shown} and {hidden} more" if hidden > 0 else shown
