"""Key figures on the tiny data set, each checked against values worked out by hand."""

from __future__ import annotations

import math
from dataclasses import replace

import pandas as pd
import pytest

from portfolio_reports.analysis import commercial, key_figures
from portfolio_reports.analysis.scope import Scope
from portfolio_reports.data.quarters import Quarter

Q3 = Quarter(2025, 3)


def test_year_to_date_sums_the_years_quarters_and_compares_a_year_earlier(tiny_dataset):
    ytd = key_figures.year_to_date(tiny_dataset, Scope(), Q3)
    # 2025Q1-Q3: 140 + 150 + 165 = 455; 2024Q1-Q3: none + 110 + 120 = 230.
    assert ytd.revenue == pytest.approx(455.0)
    assert ytd.growth == pytest.approx(455 / 230 - 1)
    assert (ytd.period, ytd.base_period) == ("Q1-Q3 2025", "Q1-Q3 2024")


def test_year_to_date_of_a_first_quarter_is_that_quarter(tiny_dataset):
    ytd = key_figures.year_to_date(tiny_dataset, Scope(market="US"), Quarter(2025, 1))
    # US 2025Q1: 20; 2024Q1: no sales, so no growth rate.
    assert ytd.revenue == pytest.approx(20.0)
    assert math.isnan(ytd.growth)
    assert ytd.period == "Q1 2025"


def test_year_to_date_follows_a_fiscal_year_from_april(tiny_dataset):
    april = replace(tiny_dataset, company=tiny_dataset.company.assign(fiscal_year_start_month=4))
    ytd = key_figures.year_to_date(april, Scope(), Q3)
    # Q2-Q3 2025: 150 + 165 = 315; Q2-Q3 2024: 110 + 120 = 230.
    assert ytd.revenue == pytest.approx(315.0)
    assert ytd.growth == pytest.approx(315 / 230 - 1)
    assert (ytd.name, ytd.period, ytd.base_period) == (
        "Fiscal year to date",
        "Q2-Q3 2025",
        "Q2-Q3 2024",
    )
    assert ytd.definition.startswith(
        "Fiscal year to date sums the quarters of the fiscal year, which starts in April, up to"
    )
    # 2025Q1 closes the fiscal year from April 2024: 110 + 120 + 130 + 140; none a year before.
    closing = key_figures.year_to_date(april, Scope(), Quarter(2025, 1))
    assert closing.revenue == pytest.approx(500.0)
    assert math.isnan(closing.growth)
    assert closing.period == "Q2 2024-Q1 2025"
    calendar_year = key_figures.year_to_date(tiny_dataset, Scope(), Q3)
    assert (calendar_year.name, calendar_year.revenue) == ("Year to date", pytest.approx(455.0))
    # Revenue by type sums the same quarters.
    by_type = commercial.revenue_by_type(april, Q3).set_index("revenue_type")
    assert by_type.at["product sales", "year_to_date_m"] == pytest.approx(315.0)
    assert by_type.at["product sales", "year_to_date_yoy"] == pytest.approx(315 / 230 - 1)


def test_without_allocation_a_disease_area_shows_its_products_sales_whole(tiny_dataset):
    unallocated = replace(tiny_dataset, revenue_allocation=tiny_dataset.revenue_allocation[:0])
    rheumatology = key_figures.indicated_sales(unallocated, Scope(disease_area="Rheumatology"), Q3)
    # HLX01 (RA, and NHL in haematological cancer) and HLX03 (RA, AS): 2025Q3 HLX01 CN 25,
    # HLX03 CN 10 and CA 5; their indications span two disease areas.
    assert rheumatology == key_figures.IndicatedSales(40.0, ("HLX01", "HLX03"), 2)
    north_america = Scope(disease_area="Rheumatology", region="North America")
    assert key_figures.indicated_sales(unallocated, north_america, Q3) == (
        key_figures.IndicatedSales(5.0, ("HLX01", "HLX03"), 2)  # HLX03 in CA only
    )
    breast = key_figures.indicated_sales(unallocated, Scope(disease_area="Breast cancer"), Q3)
    assert breast == key_figures.IndicatedSales(125.0, ("HLX02",), 2)  # CN 110 + US 15
    # With an allocation the disease area has sales of its own; a therapy area is no disease area.
    assert (
        key_figures.indicated_sales(tiny_dataset, Scope(disease_area="Breast cancer"), Q3) is None
    )
    assert key_figures.indicated_sales(unallocated, Scope(therapy_area="Oncology"), Q3) is None


def test_home_share_needs_sales_on_both_sides(tiny_dataset):
    # 2025Q3: China 110 + 25 + 10 = 145 of 165; overseas US 15 + CA 5 = 20.
    assert key_figures.home_share(tiny_dataset, Scope(), Q3) == pytest.approx(145 / 165)
    assert key_figures.home_share(tiny_dataset, Scope(market="CN"), Q3) is None
    assert key_figures.home_share(tiny_dataset, Scope(), Quarter(2025, 4)) is None


def test_has_sales_looks_at_the_charted_quarters(tiny_dataset):
    assert key_figures.has_sales(tiny_dataset, Scope(market="CA"), Q3)  # 5 in 2025Q3
    assert not key_figures.has_sales(tiny_dataset, Scope(market="CA"), Quarter(2025, 2))
    # The eight quarters to 2026Q4 still hold 2025Q1-Q3: a page with a sales history.
    assert key_figures.has_sales(tiny_dataset, Scope(), Quarter(2026, 4))
    assert not key_figures.has_sales(tiny_dataset, Scope(), Quarter(2027, 4))


def test_in_development_by_phase_counts_programmes_and_drops_empty_phases(tiny_dataset):
    phases = key_figures.in_development_by_phase(tiny_dataset, Scope(), Q3)
    # HLX03-AS US Phase 1, HLX02-GC CN Phase 2, HLX02-GC Global Phase 3.
    assert phases.to_dict() == {"Phase 1": 1, "Phase 2": 1, "Phase 3": 1}
    us = key_figures.in_development_by_phase(tiny_dataset, Scope(market="US"), Q3)
    assert us.to_dict() == {"Phase 1": 1, "Phase 3": 1}  # the Global programme covers the US


def test_next_catalyst_and_latest_deal(tiny_dataset):
    catalyst = key_figures.next_catalyst(tiny_dataset, Scope(), Q3)
    assert (catalyst["expected"], catalyst["product"], catalyst["market"]) == (
        "2025Q4",
        "HLX02",
        "CN",
    )
    assert key_figures.next_catalyst(tiny_dataset, Scope(), Quarter(2027, 1)) is None
    count, latest = key_figures.latest_deal(tiny_dataset, Scope(market="US"), Q3)
    assert count == 1 and latest["detail"] == "US rights"
    assert key_figures.latest_deal(tiny_dataset, Scope(market="CN"), Q3) == (0, None)


def test_quarter_sales_is_the_quarters_row(tiny_dataset):
    row = key_figures.quarter_sales(tiny_dataset, Scope(), Q3)
    assert (row["revenue_m"], row["qoq"], row["yoy"]) == pytest.approx((165, 0.1, 0.375))
    assert isinstance(row, pd.Series)


def test_total_revenue_adds_other_income_to_product_sales(tiny_dataset):
    total = key_figures.total_revenue(tiny_dataset, Q3)
    # 2025Q3: sales 165 + licence 10 + service 6 = 181; 2025Q2: 150 + 20 + 5 = 175;
    # 2024Q3: 120 + licence 30 = 150.
    assert total["revenue_m"] == pytest.approx(181.0)
    assert total["qoq"] == pytest.approx(181 / 175 - 1)
    assert total["yoy"] == pytest.approx(181 / 150 - 1)
