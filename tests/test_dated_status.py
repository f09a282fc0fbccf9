"""Dated status statements: shown from the quarter they were reported in, never before."""

from __future__ import annotations

import pandas as pd
import pytest

from portfolio_reports.analysis.dated_status import known_status
from portfolio_reports.data.quarters import Quarter

EVENTS = pd.DataFrame(
    {
        "status": ["under review", None, "under review"],
        "status_as_of": pd.to_datetime(["2025-12-15", None, "2026-03-31"]),
    }
)


@pytest.mark.parametrize(
    ("quarter", "expected"),
    [
        (Quarter(2025, 3), [None, None, None]),  # reported after this quarter's end
        (Quarter(2025, 4), ["under review", None, None]),
        (Quarter(2026, 1), ["under review", None, "under review"]),  # as of its last day
        (Quarter(2026, 3), ["under review", None, "under review"]),
    ],
)
def test_a_status_is_known_from_the_quarter_it_was_reported(quarter, expected):
    status = known_status(EVENTS, quarter)
    assert [None if pd.isna(value) else value for value in status] == expected
