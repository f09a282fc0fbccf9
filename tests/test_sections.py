"""Report sections on the tiny data set: compact columns, estimate marks, notes and empty text."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from portfolio_reports.analysis.scope import Scope
from portfolio_reports.data.quarters import Quarter
from portfolio_reports.errors import InputError
from portfolio_reports.sections import ESTIMATE_MARK, ReportView, open_report

from .conftest import SAMPLE_DATA

Q3 = Quarter(2025, 3)


@pytest.fixture
def view(tiny_dataset) -> ReportView:
    return ReportView(tiny_dataset, Scope(), Q3)


def headers(html: str) -> list[str]:
    return re.findall(r'<th scope="col"[^>]*>(.*?)</th>', html)


def first_row(html: str) -> list[str]:
    row = html.split("<tbody>")[1].split("</tr>")[0]
    return re.findall(r"<td [^>]*>(.*?)</td>", row)


def test_events_show_product_with_inn_market_with_agency_and_marked_estimates(view):
    html = view.events_to_date("approvals").html
    assert headers(html) == [
        "Date",
        "Event",
        "Product",
        "Brand",
        "Market",
        "Indication",
        "Detail",
        "Source",
    ]
    rows = html.split("<tbody>")[1]
    assert "HLX02 (trastuzumab)" in rows
    assert "CA · Health Canada" in rows
    assert f"2025-05-20 {ESTIMATE_MARK}" in rows  # the estimated HLX03 approval in CA


def test_catalysts_table_and_its_empty_text(view, tiny_dataset):
    html = view.catalysts().html
    assert "<caption>Expected from Q4 2025 to Q3 2026</caption>" in html
    assert first_row(html)[:4] == ["2025Q4", "approval", "HLX02 (trastuzumab)", "CN"]
    bare = replace(view, dataset=replace(tiny_dataset, catalysts=tiny_dataset.catalysts[:0]))
    assert bare.catalysts().html == (
        '<p class="empty">No expected events recorded up to Q3 2026.</p>'
    )


def test_clinical_results_join_value_unit_and_note(view):
    html = view.clinical_results().html
    assert headers(html)[-4:] == ["Arm", "Result", "HR", "Source"]
    rows = html.split("<tbody>")[1]
    assert ">AS-101 (Phase 1)<" in rows and ">well tolerated<" in rows
    assert ">12.0 months<" in rows and ">0.70<" in rows
    assert ">60.0%<" in rows


def test_filings_under_review(view):
    assert view.filings_under_review().html == (
        '<p class="empty">No filings under review at quarter end.</p>'
    )
    earlier = replace(view, quarter=Quarter(2025, 2))
    assert first_row(earlier.filings_under_review().html)[4] == "CA · Health Canada"


def test_area_summary_is_a_heat_table_labelled_synthetic(view):
    html = view.area_summary().html
    assert html.startswith(
        '<table class="data heat stack"><caption>Product sales in Q3 2025, RMB m'
    )
    assert "Synthetic figures." in html
    assert "Not allocated" in html  # the sentence saying how areas are counted
    assert headers(html) == ["Therapy area", "China", "North America", "Total"]


def test_sales_are_noted_synthetic_only_when_they_are(view, tiny_dataset):
    assert "synthetic" in view.sales_note().html
    assert view.revenue_trend().note == (
        "Product sales of all products, in all markets. Product sales: sales of the company's"
        " products, RMB million; licence and service income is not included. Synthetic figures."
    )
    reported = replace(
        view, dataset=replace(tiny_dataset, sales=tiny_dataset.sales.assign(synthetic=False))
    )
    assert reported.sales_note().html == ""
    assert not reported.revenue_trend().note.endswith("Synthetic figures.")
    assert "synthetic" not in reported.about().html


def test_open_report_refuses_a_quarter_the_data_does_not_have():
    with pytest.raises(InputError, match=r"^quarter 2031Q1 is not in the data; available: 2023Q1"):
        open_report(str(SAMPLE_DATA), "2031Q1", market="JP")


def test_open_report_defaults_to_the_latest_quarter_and_takes_a_known_one():
    assert open_report(str(SAMPLE_DATA), market="JP").quarter == Quarter(2026, 3)
    assert open_report(str(SAMPLE_DATA), "2025Q4", market="JP").quarter == Quarter(2025, 4)
