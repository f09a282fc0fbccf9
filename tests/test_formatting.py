"""Number formats: thousands separators, one decimal, signs, and "n/a" for missing values."""

import math

import pandas as pd
import pytest

from portfolio_reports.presentation.formatting import (
    date_text,
    dated,
    money,
    percent,
    signed_percent,
)


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (1234.5, "1,234.5"),
        (1234567.891, "1,234,567.9"),
        (0, "0.0"),
        (-1234.56, "-1,234.6"),
    ],
)
def test_money_has_thousands_separator_and_one_decimal(amount, expected):
    assert money(amount) == expected


@pytest.mark.parametrize(
    ("fraction", "expected"),
    [(0.523, "52.3%"), (1, "100.0%"), (12.5, "1,250.0%"), (0, "0.0%"), (-0.25, "-25.0%")],
)
def test_percent_reads_a_fraction(fraction, expected):
    assert percent(fraction) == expected


@pytest.mark.parametrize(
    ("fraction", "expected"),
    [
        (0.032, "+3.2%"),
        (0.25, "+25.0%"),
        (-0.1, "-10.0%"),
        (0.0, "0.0%"),
        (-0.0001, "0.0%"),
        (0.0004, "0.0%"),
        (15.0, "+1,500.0%"),
    ],
)
def test_signed_percent_shows_the_sign_except_for_zero(fraction, expected):
    assert signed_percent(fraction) == expected


@pytest.mark.parametrize("missing", [math.nan, None, pd.NA, float("nan")])
@pytest.mark.parametrize("format_number", [money, percent, signed_percent])
def test_missing_values_read_n_a(format_number, missing):
    assert format_number(missing) == "n/a"


@pytest.mark.parametrize(
    ("precision", "expected"),
    [("day", "2024-04-26"), ("month", "Apr 2024"), ("quarter", "Q2 2024")],
)
def test_a_date_shows_only_what_is_known(precision, expected):
    assert date_text(pd.Timestamp("2024-04-26"), precision) == expected


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        ({}, "Apr 2024"),
        ({"estimated": True}, "Apr 2024 est."),
        ({"inferred": True}, "Apr 2024 inferred"),
        ({"estimated": True, "inferred": True}, "Apr 2024 inferred"),
    ],
)
def test_a_date_not_reported_is_marked(flags, expected):
    assert dated(pd.Timestamp("2024-04-15"), "month", **flags) == expected


def test_no_date_is_blank():
    assert dated(pd.NaT, "month", estimated=True) == ""
