"""Report sections on the tiny data set: compact columns, estimate marks, notes and empty text."""

from __future__ import annotations

import re
from dataclasses import replace

import pandas as pd
import pytest

from portfolio_reports.analysis.scope import Scope
from portfolio_reports.data.quarters import Quarter
from portfolio_reports.errors import InputError, ParamsError
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


def test_clinical_results_give_one_line_per_trial_endpoint_and_population(view):
    html = view.clinical_results().html
    assert headers(html)[-4:] == ["Arms", "Result", "Run in", "Source"]
    rows = html.split("<tbody>")[1]
    assert ">AS-101 (Phase 1)<" in rows and ">Safety: well tolerated<" in rows
    assert ">HLX02 + chemo vs placebo + chemo<" in rows
    assert ">PFS 12 vs 8 months, HR 0.70, n=300<" in rows
    assert ">ACR20 60%, n=120<" in rows
    assert ">Global trial<" in rows and ">CN<" in rows


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
    first_quarter = replace(view, quarter=Quarter(2025, 1)).revenue_by_type().html
    assert "<caption>Revenue by type, Q1 2025 and year to date (Q1 2025)</caption>" in first_quarter
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


def test_event_dates_show_their_precision_and_statuses_their_as_of_month(tiny_dataset):
    # The CA filing (2025-01-15) becomes known to the month, and "under review" as of April 2025;
    # the estimated CA approval of HLX03 becomes inferred.
    events = tiny_dataset.regulatory_events.copy()
    filing = (events["market"] == "CA") & (events["event_type"] == "filing accepted")
    events.loc[filing, ["date_precision", "status"]] = ["month", "under review"]
    events.loc[filing, "status_as_of"] = pd.Timestamp("2025-04-20")
    events.loc[(events["product"] == "HLX03") & (events["market"] == "CA"), "inferred"] = True
    data = replace(tiny_dataset, regulatory_events=events)
    q1 = ReportView(data, Scope(), Quarter(2025, 1)).filings_under_review().html
    q2 = ReportView(data, Scope(), Quarter(2025, 2)).filings_under_review().html
    assert first_row(q1)[0] == "Jan 2025" and "under review" not in q1
    assert first_row(q2)[0] == "Jan 2025" and first_row(q2)[6] == "under review as of Apr 2025"
    approvals = ReportView(data, Scope(), Q3).events_to_date("approvals").html
    assert ">2025-05-20 inferred<" in approvals and "est." not in approvals


def test_revenue_by_type_table_lists_each_type_and_the_total_with_its_definition(view):
    html = view.revenue_by_type().html
    assert "<caption>Revenue by type, Q3 2025 and year to date (Q1-Q3 2025)</caption>" in html
    assert headers(html) == [
        "Revenue type",
        "This quarter (RMB m)",
        "QoQ",
        "YoY",
        "Year to date (RMB m)",
        "Year to date YoY",
    ]
    body = html.split("<tbody>")[1]
    cells = [re.findall(r"<td [^>]*>(.*?)</td>", row) for row in body.split("</tr>")[:-1]]
    assert [row[:2] for row in cells] == [
        ["Product sales", "165.0"],
        ["Licence income", "10.0"],
        ["Service income", "6.0"],
        ["Total revenue", "181.0"],
    ]
    assert "Total revenue: product sales of all products in all markets, plus licence" in html
    assert "Year to date sums the quarters of the calendar year" in html
    assert "Synthetic figures." in html


def test_a_slice_shows_product_sales_only_and_says_so_once(tiny_dataset):
    oncology = ReportView(tiny_dataset, Scope(therapy_area="Oncology"), Q3)
    assert oncology.sales_note().html.count("not by therapy area or market") == 1
    with pytest.raises(ParamsError, match="for the company as a whole"):
        oncology.revenue_by_type()
    whole = ReportView(tiny_dataset, Scope(), Q3)
    assert "not by therapy area" not in whole.sales_note().html
