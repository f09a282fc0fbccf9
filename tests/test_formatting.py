"""Number formats: thousands separators, one decimal, signs, and "n/a" for missing values."""

import math

import pandas as pd
import pytest

from portfolio_reports.presentation.formatting import money, percent, signed_percent


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
