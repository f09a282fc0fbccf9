"""Plain-text number formats shared by tables and narrative; missing values read "n/a"."""

from __future__ import annotations

import pandas as pd

from portfolio_reports.analysis.revenue import as_shown

MISSING = "n/a"


def money(amount: float | None) -> str:
    """Format an amount with a thousands separator and one decimal, e.g. "1,234.5"."""
    if amount is None or pd.isna(amount):
        return MISSING
    return f"{as_shown(amount):,.1f}"


def signed_money(amount: float | None) -> str:
    """Format a change in an amount with its sign, e.g. "+11.2", "-3.6"; zero as "0.0"."""
    if amount is None or pd.isna(amount):
        return MISSING
    if as_shown(amount) == 0:
        return money(0.0)
    return f"{as_shown(amount):+,.1f}"


def percent(fraction: float | None) -> str:
    """Format a fraction as a percentage with one decimal, e.g. 0.523 -> "52.3%"."""
    if pd.isna(fraction):
        return MISSING
    return f"{fraction:,.1%}"


def signed_percent(fraction: float | None) -> str:
    """Format a growth fraction with its sign, e.g. 0.032 -> "+3.2%", -0.1 -> "-10.0%"."""
    if fraction is None or pd.isna(fraction):
        return MISSING
    if round(fraction * 100, 1) == 0:
        return percent(0.0)
    return f"{fraction:+,.1%}"


ESTIMATE_MARK = "est."
"""Follows a date that is an estimate."""
INFERRED_MARK = "inferred"
"""Follows the date of an event whose market or date is inferred, not reported."""


def date_text(day: pd.Timestamp, precision: str = "day") -> str:
    """A date as precisely as it is known: "2025-09-02", "Apr 2024" or "Q4 2021"; "" if none."""
    if pd.isna(day):
        return ""
    if precision == "quarter":
        return f"Q{day.quarter} {day.year}"
    return day.strftime("%b %Y" if precision == "month" else "%Y-%m-%d")


def dated(
    day: pd.Timestamp, precision: str = "day", *, estimated: bool = False, inferred: bool = False
) -> str:
    """A date as precisely as it is known, then "inferred" or "est." where it is not reported."""
    if pd.isna(day):
        return ""
    mark = INFERRED_MARK if inferred else ESTIMATE_MARK if estimated else ""
    return f"{date_text(day, precision)} {mark}".strip()


def exclusivity_label(product: object, market: str) -> str:
    """A sales chart's mark of a loss of exclusivity: "LOE HERCESSI US", "LOE US" without a
    product."""
    return " ".join(["LOE", *([] if pd.isna(product) else [str(product)]), market])


def exclusivity_cause(lost: pd.Timestamp) -> str:
    """What a fall in sales follows: "loss of exclusivity in Q3 2025"; "" when nothing recorded."""
    return "" if pd.isna(lost) else f"loss of exclusivity in {date_text(lost, 'quarter')}"
