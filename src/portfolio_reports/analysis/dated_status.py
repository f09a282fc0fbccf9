"""Dated status statements ("under review as of Dec 2025") as known at a report quarter's end."""

from __future__ import annotations

import pandas as pd

from portfolio_reports.data.quarters import Quarter
from portfolio_reports.data.schema import RegulatoryEvents


def known_status(events: pd.DataFrame, quarter: Quarter) -> pd.Series:
    """Each event's status where it was reported by the quarter's end, else missing.

    A status holds as of its `status_as_of` date: a report of an earlier quarter cannot know it.
    """
    reported = events[RegulatoryEvents.status_as_of] < pd.Timestamp(quarter.shift(1).start)
    return events[RegulatoryEvents.status].where(reported)
