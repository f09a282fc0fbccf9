"""Quarter parsing, stepping and date bounds."""

from datetime import date

import pytest

from portfolio_reports.data.quarters import Quarter
from portfolio_reports.errors import InputError


def test_parse_and_print_round_trip():
    assert str(Quarter.parse("2025q3")) == "2025Q3"
    assert Quarter.parse(" 2026Q1 ") == Quarter(2026, 1)


@pytest.mark.parametrize("text", ["2025Q5", "2025-Q3", "Q3 2025", "25Q3", ""])
def test_parse_rejects_other_forms(text):
    with pytest.raises(InputError, match="YYYYQn"):
        Quarter.parse(text)


def test_previous_and_year_ago_cross_year_boundaries():
    assert Quarter(2026, 1).previous == Quarter(2025, 4)
    assert Quarter(2026, 1).year_ago == Quarter(2025, 1)
    assert Quarter(2025, 4).shift(1) == Quarter(2026, 1)


def test_date_bounds():
    assert Quarter(2024, 1).start == date(2024, 1, 1)
    assert Quarter(2024, 1).end == date(2024, 3, 31)
    assert Quarter(2025, 4).end == date(2025, 12, 31)
    assert Quarter.of(date(2025, 9, 30)) == Quarter(2025, 3)
    assert Quarter(2025, 3).contains(date(2025, 7, 1))
    assert not Quarter(2025, 3).contains(date(2025, 10, 1))


def test_trailing_quarters_oldest_first():
    assert [str(q) for q in Quarter(2026, 2).trailing(3)] == ["2025Q4", "2026Q1", "2026Q2"]


def test_order_follows_time():
    assert Quarter(2025, 4) < Quarter(2026, 1)
    assert max([Quarter(2024, 3), Quarter(2026, 1), Quarter(2025, 4)]) == Quarter(2026, 1)


@pytest.mark.parametrize(
    ("text", "quarter"),
    [("2027Q1", Quarter(2027, 1)), ("2027q1", Quarter(2027, 1)), ("2027-02-15", Quarter(2027, 1))],
)
def test_of_expected_reads_a_quarter_or_a_date(text, quarter):
    assert Quarter.of_expected(text) == quarter
    assert Quarter.of_expected("2026-12-31") == Quarter(2026, 4)


@pytest.mark.parametrize("text", ["soon", "2027H1", "2027-13-01", "Q1 2027"])
def test_of_expected_rejects_other_timings(text):
    with pytest.raises(InputError, match="neither a quarter"):
        Quarter.of_expected(text)


@pytest.mark.parametrize(
    ("month", "quarter"),
    [
        ("2025-01", Quarter(2025, 1)),
        ("2025-03", Quarter(2025, 1)),
        ("2025-04", Quarter(2025, 2)),
        ("2025-12", Quarter(2025, 4)),
    ],
)
def test_a_month_falls_in_its_quarter(month, quarter):
    assert Quarter.of_month(month) == quarter


def test_year_to_date_lists_and_names_the_years_quarters():
    assert [str(q) for q in Quarter(2026, 3).year_to_date()] == ["2026Q1", "2026Q2", "2026Q3"]
    assert Quarter(2026, 3).year_to_date_label() == "Q1-Q3 2026"
    assert Quarter(2026, 1).year_to_date() == [Quarter(2026, 1)]
    assert Quarter(2026, 1).year_to_date_label() == "Q1 2026"


def test_a_fiscal_year_from_april_starts_its_year_to_date_in_the_second_quarter():
    assert Quarter(2026, 2).year_to_date(4) == [Quarter(2026, 2)]
    assert Quarter(2026, 2).year_to_date_label(4) == "Q2 2026"
    assert [str(q) for q in Quarter(2026, 3).year_to_date(4)] == ["2026Q2", "2026Q3"]
    assert Quarter(2026, 3).year_to_date_label(4) == "Q2-Q3 2026"
    # The fiscal year from April 2026 ends with the first quarter of 2027.
    assert [str(q) for q in Quarter(2027, 1).year_to_date(4)] == [
        "2026Q2",
        "2026Q3",
        "2026Q4",
        "2027Q1",
    ]
    assert Quarter(2027, 1).year_to_date_label(4) == "Q2 2026-Q1 2027"
    assert [str(q) for q in Quarter(2026, 4).year_to_date(10)] == ["2026Q4"]
    assert [str(q) for q in Quarter(2026, 3).year_to_date(7)] == ["2026Q3"]
