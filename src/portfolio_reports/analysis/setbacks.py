"""Setbacks: events that end a filing's review, an approval, or a product's exclusivity.

A complete response letter, refusal or negative opinion ends the review of the filing it answers
until a resubmission (or a new filing) reopens it; a withdrawal ends an approval in a market; a
loss of exclusivity (generic or biosimilar entry) marks a product's sales in a market from its
quarter. Each meaning is one function here, with its sentence in DEFINITIONS.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from portfolio_reports.data.schema import LOSS_OF_EXCLUSIVITY as LOSS_OF_EXCLUSIVITY
from portfolio_reports.data.schema import RegulatoryEvents

COMPLETE_RESPONSE = "complete response letter"
REFUSAL = "refusal"
NEGATIVE_OPINION = "negative opinion"
WITHDRAWAL = "withdrawal"
RESUBMISSION = "resubmission"
FILING = "filing accepted"
APPROVAL = "approval"
MARKET_WIDE = "market-wide"
"""What a page names in place of the product of a loss of exclusivity that names none."""
REVIEW_ENDING = (COMPLETE_RESPONSE, REFUSAL, NEGATIVE_OPINION)
"""Event types that end the review of the filing they answer."""
REVIEW_OPENING = (FILING, RESUBMISSION)
"""Event types that open (or reopen) a review."""
SETBACKS = (*REVIEW_ENDING, WITHDRAWAL, LOSS_OF_EXCLUSIVITY)
"""Event types a report counts as setbacks, listed before other news."""
DECISIONS = (APPROVAL, "CHMP opinion")
"""Catalyst types that expect a regulator's decision on a filing."""

DEFINITIONS = {
    "Setback": "A setback is a complete response letter, refusal, negative opinion, withdrawal"
    " or loss of exclusivity; highlights and what changed count setbacks first.",
    "Complete response letter, refusal, negative opinion": "A complete response letter,"
    " refusal or negative opinion ends the review of the filing it answers (the filing leaves"
    " under review) until a resubmission or re-examination reopens it, and closes an expected"
    " decision on it.",
    "Resubmission": "A resubmission (or re-examination request) puts a filing whose review a"
    " setback ended back under review.",
    "Withdrawal": "A withdrawal ends the approval of a product, or of one indication, in a"
    " market from its date: the programme is withdrawn, and on the market, markets reached and"
    " the approval matrix leave it out from then on, until a new approval.",
    "Loss of exclusivity": "A loss of exclusivity (generic or biosimilar entry) marks the"
    " product's sales in that market from its quarter; a fall in those sales since then names"
    " it as its cause. One that names no product marks the whole market: a fall of any"
    " product's sales there names it on every page; as it belongs to no product or area, only"
    " the overview, market and region pages list it.",
}
"""One sentence per setback meaning, shown in every report's glossary."""

_KEYS = [RegulatoryEvents.product, RegulatoryEvents.market]
_OTHER = "_other"


def _pairs(rows: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """Each row (by its index, as `index`) with every event of its product in its market that is
    dated on or after it; the event's columns end in `_other`."""
    other = events[[*_KEYS, RegulatoryEvents.indication, RegulatoryEvents.date]].assign(
        _type=events[RegulatoryEvents.event_type]
    )
    pairs = rows[[*_KEYS, RegulatoryEvents.indication, RegulatoryEvents.date]].reset_index()
    pairs = pairs.merge(other, on=_KEYS, suffixes=("", _OTHER))
    return pairs[pairs[RegulatoryEvents.date + _OTHER] >= pairs[RegulatoryEvents.date]]


def _same_label(pairs: pd.DataFrame) -> pd.Series:
    """Pairs about the same label: either names no indication, or both name the same one."""
    mine, other = pairs[RegulatoryEvents.indication], pairs[RegulatoryEvents.indication + _OTHER]
    return mine.isna() | other.isna() | (mine == other)


def approved_since(filings: pd.DataFrame, events: pd.DataFrame) -> pd.Series:
    """Whether an approval of each filing's label in its market, on or after it, decided it."""
    approvals = events[events[RegulatoryEvents.event_type] == APPROVAL]
    pairs = _pairs(filings, approvals)
    return pd.Series(
        filings.index.isin(pairs.loc[_same_label(pairs), "index"]), index=filings.index
    )


def review_ended(filings: pd.DataFrame, events: pd.DataFrame) -> pd.Series:
    """Whether each filing's review was ended by a complete response letter, refusal or negative
    opinion about its label, with no resubmission or new filing of that label since.

    `events` are the events known by the date the answer is for (a quarter's end).
    """
    return _ended_by_latest_review(filings, events)


def decision_closed(catalysts: pd.DataFrame, events: pd.DataFrame) -> pd.Series:
    """Whether each expected decision (approval, CHMP opinion) is closed: the latest review event
    of its label in its market (filing, resubmission, or a setback ending a review) ended it."""
    undated = catalysts.assign(**{RegulatoryEvents.date: pd.Timestamp.min})
    is_decision = catalysts[RegulatoryEvents.event_type].isin(DECISIONS)
    return is_decision & _ended_by_latest_review(undated, events)


def _ended_by_latest_review(rows: pd.DataFrame, events: pd.DataFrame) -> pd.Series:
    """Whether the latest review event of each row's label in its market, on or after the row's
    date, is one that ends a review."""
    reviews = events[events[RegulatoryEvents.event_type].isin([*REVIEW_ENDING, *REVIEW_OPENING])]
    pairs = _pairs(rows, reviews)
    latest = (
        pairs[_same_label(pairs)]
        .sort_values(RegulatoryEvents.date + _OTHER, kind="stable")
        .drop_duplicates("index", keep="last")
    )
    ended = latest.loc[latest["_type"].isin(REVIEW_ENDING), "index"]
    return pd.Series(rows.index.isin(ended), index=rows.index)


def withdrawn(approvals: pd.DataFrame, events: pd.DataFrame) -> pd.Series:
    """Whether each approval was ended by a later withdrawal in its market: of the product (no
    indication named) or of the approval's own indication."""
    withdrawals = events[events[RegulatoryEvents.event_type] == WITHDRAWAL]
    pairs = _pairs(approvals, withdrawals)
    label = pairs[RegulatoryEvents.indication + _OTHER]
    ends = label.isna() | (label == pairs[RegulatoryEvents.indication])
    return pd.Series(approvals.index.isin(pairs.loc[ends, "index"]), index=approvals.index)


def exclusivity_lost(
    rows: pd.DataFrame,
    events: pd.DataFrame,
    since: pd.Timestamp,
    until: pd.Timestamp,
    keys: Sequence[str] = _KEYS,
) -> pd.Series:
    """The date of the latest loss of exclusivity of each row's product (in its market, unless
    `keys` is the product alone) dated on or after `since` and before `until`, else NaT; with
    the market among `keys`, a loss naming no product counts for every product of its market."""
    dates = events[RegulatoryEvents.date]
    losses = events[
        (events[RegulatoryEvents.event_type] == LOSS_OF_EXCLUSIVITY)
        & (dates >= since)
        & (dates < until)
    ]
    if losses.empty:  # most data sets record none: no lookup per row
        return pd.Series(pd.NaT, index=rows.index, dtype="datetime64[ns]")
    named = losses[losses[RegulatoryEvents.product].notna()]
    lost = [_latest_of(rows, named, list(keys))]
    if RegulatoryEvents.market in keys:
        market_wide = losses[losses[RegulatoryEvents.product].isna()]
        lost.append(_latest_of(rows, market_wide, [RegulatoryEvents.market]))
    latest = pd.DataFrame({index: found.to_numpy() for index, found in enumerate(lost)})
    return pd.Series(latest.max(axis=1).to_numpy(), index=rows.index, dtype="datetime64[ns]")


def _latest_of(rows: pd.DataFrame, losses: pd.DataFrame, keys: list[str]) -> pd.Series:
    """The date of the latest of `losses` sharing each row's `keys`, else NaT, in row order."""
    latest = losses.groupby(keys, as_index=False)[RegulatoryEvents.date].max()
    found = rows[keys].merge(latest, on=keys, how="left")[RegulatoryEvents.date]
    return found.astype("datetime64[ns]")
