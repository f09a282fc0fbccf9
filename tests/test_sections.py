"""Report sections on the tiny data set: compact columns, estimate marks, notes and empty text."""

from __future__ import annotations

import re
from dataclasses import replace
from html import unescape

import pandas as pd
import pytest

from portfolio_reports.analysis.scope import Scope
from portfolio_reports.data.quarters import Quarter
from portfolio_reports.errors import InputError, ParamsError
from portfolio_reports.notebook.report import ReportView, open_report
from portfolio_reports.presentation.formatting import ESTIMATE_MARK

from .conftest import SAMPLE_DATA

Q3 = Quarter(2025, 3)


@pytest.fixture
def view(tiny_dataset) -> ReportView:
    return ReportView(tiny_dataset, Scope(), Q3)


def headers(html: str) -> list[str]:
    return re.findall(r'<th scope="col"[^>]*>(.*?)</th>', html)


def first_row(html: str) -> list[str]:
    return body_rows(html)[0]


def body_rows(html: str) -> list[list[str]]:
    """The cells of each row of a table's body."""
    body = html.split("<tbody>")[1]
    return [re.findall(r"<td [^>]*>(.*?)</td>", row) for row in body.split("</tr>")[:-1]]


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
    assert "HANQUYOU (HLX02, trastuzumab)" in rows  # the page's name, then code and INN
    assert "Canada · Health Canada" in rows  # the market's name, not its code
    assert f"2025-05-20 {ESTIMATE_MARK}" in rows  # the estimated HLX03 approval in CA


def test_catalysts_table_and_nothing_without_catalysts(view, tiny_dataset):
    html = view.catalysts().html
    assert "<caption>Expected from Q4 2025 to Q3 2026</caption>" in html
    assert first_row(html)[:4] == ["2025Q4", "approval", "HANQUYOU (HLX02, trastuzumab)", "China"]
    assert "<details" not in html  # three events: short enough to show open
    bare = replace(view, dataset=replace(tiny_dataset, catalysts=tiny_dataset.catalysts[:0]))
    assert bare.catalysts().html == ""  # the key figures say none is recorded


def test_from_the_appendix_on_a_short_table_starts_folded(tiny_dataset):
    view = ReportView(tiny_dataset, Scope(), Q3)
    before = view.catalysts().html
    view.appendix_begins()
    after = view.catalysts().html
    assert "<details" not in before  # three events, shown open in the body
    assert after.startswith('<details class="fold"><summary>Table: 3 events expected')
    assert after.endswith(before.split("<table", 1)[1] + "</details>")  # the same table
    assert "<details" not in ReportView(tiny_dataset, Scope(), Q3).catalysts().html  # per page


def test_clinical_results_give_one_line_per_trial_endpoint_and_population(view):
    html = view.clinical_results().html
    assert headers(html)[-4:] == ["Arms", "Result", "Run in", "Source"]
    rows = html.split("<tbody>")[1]
    assert ">AS-101 (Phase 1)<" in rows and ">Safety: well tolerated<" in rows
    assert ">HLX02 + chemo vs placebo + chemo<" in rows
    assert ">PFS 12 vs 8 months, HR 0.70, n=300<" in rows
    assert ">ACR20 60%, n=120<" in rows
    assert ">Global trial<" in rows and ">China<" in rows


def test_filings_under_review(view):
    assert view.filings_under_review().html == ""
    earlier = replace(view, quarter=Quarter(2025, 2))
    assert first_row(earlier.filings_under_review().html)[4] == "Canada · Health Canada"


def test_area_summary_is_a_heat_table_labelled_synthetic(view):
    html = view.area_summary().html
    assert html.startswith(
        '<table class="data heat stack"><caption>Product sales in Q3 2025, RMB m'
    )
    assert "Synthetic figures." not in html  # the page's sales notice says so, once
    first_quarter = replace(view, quarter=Quarter(2025, 1)).revenue_by_type().html
    assert "<caption>Revenue by type, Q1 2025 and year to date (Q1 2025)</caption>" in first_quarter
    assert "Not allocated" in html  # the sentence saying how areas are counted
    assert headers(html) == ["Therapy area", "China", "North America", "Total"]


def test_sales_are_noted_synthetic_only_when_they_are(view, tiny_dataset):
    assert "synthetic" in view.sales_note().html
    assert view.revenue_trend().note == (
        "Product sales of all products, in all markets. Product sales: sales of the company's"
        " products, RMB million; licence and service income is not included."
    )
    assert "on this page are synthetic" in view.sales_note().html
    reported = replace(
        view, dataset=replace(tiny_dataset, sales=tiny_dataset.sales.assign(synthetic=False))
    )
    assert reported.sales_note().html == ""
    assert reported.revenue_trend().note == view.revenue_trend().note  # no mark per chart
    assert "synthetic" not in reported.about().html


def test_open_report_refuses_a_quarter_the_data_does_not_have():
    with pytest.raises(InputError, match=r"^quarter 2031Q1 is not in the data; available: 2023Q1"):
        open_report(str(SAMPLE_DATA), "2031Q1", market="JP")


def test_open_report_takes_a_market_or_a_region_not_both():
    with pytest.raises(ParamsError) as raised:
        open_report(str(SAMPLE_DATA), market="CN", region="Latin America")
    assert str(raised.value) == (
        "market 'CN' and region 'Latin America' are both set; set market or region, not both"
        " (the other to None, null in a params file)"
    )
    region = open_report(str(SAMPLE_DATA), market=None, region="Latin America")
    assert region.scope.label == "Latin America"


def test_a_report_of_one_slice_opened_without_one_asks_for_one():
    with pytest.raises(ParamsError) as raised:
        open_report(str(SAMPLE_DATA), kind="market", market=None, region=None)
    assert str(raised.value).startswith(
        "market.ipynb reports on one market or region; set parameter market (in the data: AE, AR,"
    )
    assert "or region (in the data: Asia-Pacific ex-China, China," in str(raised.value)
    with pytest.raises(ParamsError, match=r"^therapy_area\.ipynb reports on one therapy area or"):
        open_report(str(SAMPLE_DATA), kind="therapy_area")
    with pytest.raises(ParamsError, match=r"^unknown report kind 'markets'; kinds: portfolio_"):
        open_report(str(SAMPLE_DATA), kind="markets", market="JP")
    assert open_report(str(SAMPLE_DATA), kind="market", region="Latin America").scope == Scope(
        region="Latin America"
    )
    assert open_report(str(SAMPLE_DATA), kind="portfolio_overview").scope == Scope()


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
    assert first_row(q1)[0] == "Jan 2025" and "under review as of" not in q1
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
    assert [row[:2] for row in body_rows(html)] == [
        ["Product sales", "165.0"],
        ["Licence income", "10.0"],
        ["Service income", "6.0"],
        ["Total revenue", "181.0"],
    ]
    assert "Total revenue: product sales of all products in all markets, plus licence" in html
    assert "Year to date sums the quarters of the calendar year" in html
    assert "Synthetic figures." not in html  # the sales are synthetic too: the page says so


def test_a_fiscal_year_from_april_names_its_year_to_date_on_the_page(tiny_dataset):
    april = replace(tiny_dataset, company=tiny_dataset.company.assign(fiscal_year_start_month=4))
    page = ReportView(april, Scope(), Q3)
    html = page.revenue_by_type().html
    caption = "Revenue by type, Q3 2025 and fiscal year to date (Q2-Q3 2025)"
    assert f"<caption>{caption}</caption>" in html
    assert headers(html)[-2:] == ["Fiscal year to date (RMB m)", "Fiscal year to date YoY"]
    # Product sales Q2-Q3 2025: 150 + 165 = 315, against 110 + 120 = 230 a year earlier.
    product_sales = re.findall(r"<td [^>]*>(.*?)</td>", html.split("<tbody>")[1].split("</tr>")[0])
    assert product_sales[4:] == ["315.0", "+37.0%"]
    assert "the fiscal year, which starts in April, up to this one" in html
    assert tiles(page.kpi_strip().html)["Fiscal year to date, Q2-Q3 2025"] == (
        "RMB 315.0 m",
        "+37.0% on Q2-Q3 2024",
    )
    assert "; fiscal year to date (Q2-Q3 2025) RMB 315.0 m, +37.0% on Q2-Q3 2024." in str(
        page.highlights().html
    )


def test_a_disease_area_without_allocation_shows_its_products_sales_unallocated(tiny_dataset):
    unallocated = replace(tiny_dataset, revenue_allocation=tiny_dataset.revenue_allocation[:0])
    page = ReportView(unallocated, Scope(disease_area="Rheumatology"), Q3)
    html = page.kpi_strip().html
    # HLX01 25 + HLX03 10 + 5 in 2025Q3, across haematological cancer and rheumatology.
    assert tiles(html)["Sales of products with indications here, Q3 2025"] == (
        "RMB 40.0 m",
        "not allocated among their 2 disease areas",
    )
    assert "every product with an indication in this disease area" in html
    assert "No product sales" not in html
    assert "the page shows the sales of the products with indications here, whole" in html
    assert (
        page.figures()
        .figures["key_figure"]
        .startswith(
            "Sales not allocated to disease areas (sales of products with indications here:"
            " RMB 40.0 m); in development:"
        )
    )
    assert page.shown.get("revenue_m", 0) == 0  # not the area's own sales: nothing to reconcile
    allocated = ReportView(tiny_dataset, Scope(disease_area="Rheumatology"), Q3).kpi_strip().html
    assert "Sales of products with indications here" not in allocated


def test_a_slice_shows_product_sales_only_and_says_so_once(tiny_dataset):
    oncology = ReportView(tiny_dataset, Scope(therapy_area="Oncology"), Q3)
    assert oncology.sales_note().html.count("Revenue figures on this page are product sales") == 1
    with pytest.raises(ParamsError, match="listed under “Income other than product sales”"):
        oncology.revenue_by_type()
    whole = ReportView(tiny_dataset, Scope(), Q3)
    assert "Revenue figures on this page" not in whole.sales_note().html


def test_a_slice_lists_the_income_that_names_it_apart_from_product_sales(tiny_dataset):
    us = ReportView(tiny_dataset, Scope(market="US"), Q3).other_income().html
    assert "<caption>Income other than product sales, Q1-Q3 2025</caption>" in us
    assert headers(us) == [
        "Quarter",
        "Revenue type",
        "From",
        "Product",
        "Market",
        "Amount (RMB m)",
        "What for",
    ]
    # Accord's HLX02 payments in the US in 2025, newest first; 2024Q3's 30 is a year earlier.
    assert body_rows(us) == [
        ["2025Q3", "Licence income", "Accord", "HERCESSI", "United States", "10.0", "milestone"],
        ["2025Q2", "Licence income", "Accord", "HERCESSI", "United States", "20.0", "milestone"],
    ]
    assert "income that names neither" in us
    # Canada and the Autoimmune area: no income names them, so no section; the whole portfolio
    # counts it under revenue by type instead.
    for scope in (Scope(market="CA"), Scope(therapy_area="Autoimmune"), Scope()):
        assert ReportView(tiny_dataset, scope, Q3).other_income().html == ""


def tiles(html: str) -> dict[str, tuple[str, str]]:
    """Each key-figure tile's label with its value and detail, the detail as the text it shows."""
    found = re.findall(
        r'<dt>(.*?)</dt><dd class="kpi-value">(.*?)</dd>(?:<dd class="kpi-detail">(.*?)</dd>)?',
        html,
    )
    return {label: (value, _shown_text(detail)) for label, value, detail in found}


def _shown_text(fragment: str) -> str:
    """An HTML fragment's text, its tags left out and no-break spaces read as spaces."""
    return unescape(re.sub("<[^>]+>", "", fragment)).replace("\xa0", " ")


def test_kpi_strip_leads_with_the_quarters_figures(view):
    html = view.kpi_strip().html
    assert html.startswith('<section class="kpis"')
    # Hand-computed on the tiny data: 165 against 150 and 120; 2025Q1-Q3 455 against 230;
    # China 145 of 165; approvals by quarter end for HLX01, HLX02 and HLX03 in CN, US and CA;
    # total revenue 165 + 10 licence + 6 service = 181 against 175 and 150.
    assert tiles(html) == {
        "Product sales, Q3 2025": ("RMB 165.0 m", "+10.0% QoQ · +37.5% YoY"),
        "Total revenue, Q3 2025": ("RMB 181.0 m", "+3.4% QoQ · +20.7% YoY"),
        "Year to date, Q1-Q3 2025": ("RMB 455.0 m", "+97.8% on Q1-Q3 2024"),
        "China / overseas": ("87.9% / 12.1%", "of product sales in Q3 2025"),
        "On the market": ("3 products", "in 3 markets"),
        # HLX02 (Global Phase 3, CN Phase 2) and HLX03 (US Phase 1): two molecules, one pivotal.
        "In development": (
            "2 molecules",
            "1 of 2 pivotal (Phase 3 or Filed) · 3 programmes: 1 Phase 3 · 1 Phase 2 · 1 Phase 1",
        ),
        "News in Q3 2025": ("1 approval", "0 filings accepted"),
        # Products by their name on the page, as in the highlights.
        "Next catalyst": ("Q4 2025", "HANQUYOU approval in China"),
    }
    assert html.count('class="kpi-definition"') == html.count('class="kpi"') == 8

    # A short item (a figure and its word) is kept on one line, a long one wraps; a line breaks
    # after a separator, and on a phone inside a short item only after its figure
    def item(figure: str, word: str) -> str:
        return f'<span class="kpi-item">{figure} <span>{word}</span></span>'

    growth = f"{item('+10.0%', 'QoQ')}&nbsp;· {item('+37.5%', 'YoY')}"
    assert f'<dd class="kpi-detail">{growth}</dd>' in html
    programmes = f"{item('3', 'programmes')}: {item('1', 'Phase 3')}&nbsp;· "
    assert f"1 of 2 pivotal (Phase 3 or Filed)&nbsp;· {programmes}" in html
    assert "sales figures synthetic" in html
    assert "kpis-note" not in html


def test_kpi_strip_of_a_market_without_sales_leads_with_partners_and_filings(tiny_dataset):
    canada = ReportView(tiny_dataset, Scope(market="CA"), Quarter(2025, 2))
    shown = tiles(canada.kpi_strip().html)
    # No CA sales before 2025Q3; HLX03 approved in CA in May 2025; the HLX02 filing of
    # January 2025 is undecided at the end of Q2.
    assert shown == {
        "On the market": ("1 product", "in Canada"),
        # HLX02 Filed in CA and at Phase 2 globally: one molecule, pivotal.
        "In development": (
            "1 molecule",
            "1 of 1 pivotal (Phase 3 or Filed) · 2 programmes, 1 run in Canada and 1 global:"
            " 1 Filed · 1 Phase 2",
        ),
        "News in Q2 2025": ("1 approval", "0 filings accepted"),
        "Under review": ("1 filing", "HLX02"),  # no brand in Canada, no sales there yet
        "Next catalyst": ("None recorded", "up to Q2 2026"),
    }
    # A year earlier only the global HLX02-GC programme (Phase 2) is in development: not
    # "0 run in Canada and 1 global".
    earlier = tiles(ReportView(tiny_dataset, Scope(market="CA"), Quarter(2024, 2)).kpi_strip().html)
    assert earlier["In development"] == (
        "1 molecule",
        "0 of 1 pivotal (Phase 3 or Filed) · 1 programme, global: 1 Phase 2",
    )
    us = ReportView(tiny_dataset, Scope(market="US"), Quarter(2025, 3))
    assert "Licence deals to date" not in tiles(us.kpi_strip().html)  # it sells: sales first


def test_a_development_tile_with_no_programme_says_so_without_a_pivotal_count(tiny_dataset):
    # Canada at 2023Q4: no programme had started anywhere, Global ones included.
    before = ReportView(tiny_dataset, Scope(market="CA"), Quarter(2023, 4))
    assert tiles(before.kpi_strip().html)["In development"] == ("0 molecules", "0 programmes")


def test_a_scope_without_sales_says_so_once_above_its_key_figures_and_records_revenue_0(
    tiny_dataset,
):
    canada = ReportView(tiny_dataset, Scope(market="CA"), Quarter(2025, 2))
    assert '<p class="kpis-note">No product sales from Q3 2023 to Q2 2025.</p>' in (
        canada.kpi_strip().html
    )
    quiet = [
        canada.catalyst_timeline(),  # the tiny data expects nothing for CA
        canada.revenue_trend(),
        canada.revenue_bridge(),
        canada.launch_tracker(),
        canada.sales_note("Product sales, eight quarters."),  # no other income either
        canada.revenue_table(),
        canada.revenue_mix("product"),
        canada.revenue_breakdown("product"),
        canada.top_products(),
        canada.revenue_movers(),
    ]
    assert [section.html for section in quiet] == [""] * len(quiet)
    assert canada.figures().figures["revenue_m"] == 0.0


def test_the_sales_part_opens_with_the_notebooks_sentence_only_where_the_scope_sold(tiny_dataset):
    opening = "Product sales, eight quarters, and the products that moved them."
    us = ReportView(tiny_dataset, Scope(market="US"), Quarter(2025, 2)).sales_note(opening).html
    assert us.startswith(f"<p>{opening}</p>")
    # Canada sold nothing up to Q2 2025; with a licence payment naming it, its sales part lists
    # that income and says why it lists nothing else.
    payment = pd.DataFrame(
        [["2025Q2", "licence income", "Partner", "HLX03", "CA", 7.0, True, "upfront"]],
        columns=tiny_dataset.other_revenue.columns,
    )
    income = pd.concat([tiny_dataset.other_revenue, payment], ignore_index=True)
    paid = replace(tiny_dataset, other_revenue=income)
    canada = ReportView(paid, Scope(market="CA"), Quarter(2025, 2))
    assert canada.sales_note(opening).html == (
        "<p>Canada had no product sales from Q3 2023 to Q2 2025: this part lists its income"
        " other than product sales.</p>"
    )
    assert "Partner" in canada.other_income().html


def test_long_tables_fold_behind_their_summary(view):
    html = view.revenue_table().html
    assert html.startswith(
        '<details class="fold"><summary>Table: product sales per quarter, 2023Q4 to 2025Q3'
        "</summary><table"
    )
    assert view.revenue_breakdown("region").html.startswith("<table")  # two rows: open


def test_appendix_folds_each_record(view):
    html = view.appendix().html
    assert re.findall(r"<summary>(.*?)</summary>", html) == [
        "Approvals and filings by market",
        "Setbacks to date",
        "Approvals to date",
        "Filings and designations to date",
        "Licence deals to date",
        "Clinical results to date",
    ]
    assert "HANQUYOU (HLX02, trastuzumab)" in html and ">Global trial<" in html


def test_commentary_is_marked_as_the_analysts_and_rendered_safely(tmp_path, view):
    note = tmp_path / "market-us.md"
    note.write_text(
        "Launch on track.<script>alert(1)</script>\n\n[ok](https://example.org) "
        "[bad](javascript:alert(1)) ![chart](https://example.org/x.png)\n",
        encoding="utf-8",
    )
    html = view.commentary(str(note)).html
    assert html.startswith('<aside class="commentary"')
    assert "the analyst's own words" in html
    assert "<script" not in html and "&lt;script&gt;" in html
    assert '<a href="https://example.org">ok</a>' in html
    assert 'href="javascript' not in html and "<img" not in html
    assert view.commentary(None).html == ""


def test_unreadable_commentary_names_the_file(tmp_path, view):
    note = tmp_path / "market-jp.md"
    note.write_bytes(b"\xff\xfe not utf-8")
    with pytest.raises(ParamsError, match=r"market-jp\.md line 1: bytes that are not UTF-8"):
        view.commentary(str(note))


def test_overlong_commentary_names_the_file_and_the_limit(tmp_path, view):
    note = tmp_path / "market-us.md"
    note.write_text("word " * 5_000, encoding="utf-8")
    with pytest.raises(
        ParamsError, match=r"market-us\.md: commentary of 25,000 characters; at most 20,000"
    ):
        view.commentary(str(note))


def test_changes_put_the_quarter_and_the_one_before_in_rows_of_counts(view):
    html = view.changes().html
    assert headers(html) == [
        "Quarter",
        "Approvals",
        "Filings and designations",
        "Licence deals",
        "Clinical readouts",
        "Phase changes",
    ]
    # Tiny data, Q3 2025: one approval, one filing and one deal dated in the quarter, two
    # trials reporting; Q2 2025: one approval and one trial.
    assert first_row(html)[:5] == ["Q3 2025", "1", "1", "1", "2"]
    second = re.findall(r"<td [^>]*>(.*?)</td>", html.split("</tr>")[2])
    assert second[:5] == ["Q2 2025", "1", "0", "0", "1"]


def test_a_quarters_news_tables_of_more_than_two_rows_fold_behind_the_count_of_their_rows(view):
    events, results = view.quarter_events().html, view.readouts().html
    assert events.startswith('<details class="fold"><summary>Table: 3 events in Q3 2025')
    # Two trials report one result line each (GC-301 has two arms in one line): shown open,
    # titled with the count of its rows.
    assert results.startswith('<table class="data stack"><caption>2 results reported in Q3 2025')
    q2 = replace(view, quarter=Quarter(2025, 2))
    assert q2.quarter_events().html.startswith("<table")  # one approval: shown as is


def test_one_revenue_bridge_can_be_drawn_on_its_own(view):
    both, year_ago = view.revenue_bridge(), view.revenue_bridge("year_ago")
    # Tiny data: 150 in Q2 2025 and 120 in Q3 2024, 165 in Q3 2025.
    assert "from Q2 2025 RMB 150.0 m" in both.alt and "from Q3 2024 RMB 120.0 m" in both.alt
    assert year_ago.alt.endswith("from Q3 2024 RMB 120.0 m to Q3 2025 RMB 165.0 m (+45.0).")
    with pytest.raises(ValueError, match="base must be one of previous, year_ago"):
        view.revenue_bridge("last_year")


def test_folded_puts_a_chart_behind_a_summary_and_leaves_nothing_empty(view):
    html = view.folded(view.revenue_trend(), "Product sales per quarter").html
    assert html.startswith('<details class="fold"><summary>Product sales per quarter</summary>')
    assert '<figure class="chart" ' in html and html.endswith("</details>")
    without_sales = ReportView(view.dataset, Scope(market="JP"), Q3)
    assert without_sales.folded(without_sales.launch_tracker(), "Launches").html == ""


def test_a_breakdown_into_one_part_is_left_out(tiny_dataset):
    # Tiny data, Q3 2025: the US sells only in North America and only overseas; China sells
    # three products.
    us = ReportView(tiny_dataset, Scope(market="US"), Q3)
    assert us.revenue_breakdown("geography").html == ""
    assert us.revenue_breakdown("region").html == ""
    assert us.revenue_breakdown("market").html == ""
    china = ReportView(tiny_dataset, Scope(market="CN"), Q3)
    assert "HLX01" in china.revenue_breakdown("product").html


def test_approvals_by_region_name_products_and_markets_as_the_page_does(view, tiny_dataset):
    # Tiny data by 2025Q3: HLX02 (HANQUYOU in CN, its home market) in CN, US and CA.
    section = view.approvals_by_region()
    assert headers(section.html) == ["Product", "Region", "Markets", "Approved in"]
    assert section.html.startswith('<table class="data stack">')  # label: value lines on a phone
    assert list(section.frame.columns) == ["Product", "Region", "Markets", "Approved in"]
    hlx02 = section.frame[section.frame["Product"].str.startswith("HANQUYOU")]
    assert hlx02[["Region", "Markets", "Approved in"]].values.tolist() == [
        ["China", 1, "China"],
        ["North America", 2, "United States, Canada"],
    ]
    assert section.frame["Markets"].sum() == 1 + 3 + 2  # HLX01, HLX02, HLX03
    assert "Markets: how many of the region's markets" in unescape(section.html)
    assert "at the end of Q3 2025" in section.html
    # One market alone: the key figures count its products.
    assert ReportView(tiny_dataset, Scope(market="CN"), Q3).approvals_by_region().html == ""


def test_a_market_is_named_not_coded_in_its_captions_and_breakdown_rows(tiny_dataset):
    us = ReportView(tiny_dataset, Scope(market="US"), Q3)
    assert "Key figures, United States, Q3 2025" in us.kpi_strip().html
    america = ReportView(tiny_dataset, Scope(region="North America"), Q3)
    rows = re.findall(
        r'<tr><td [^>]*data-label="Market">(.*?)</td>', america.revenue_breakdown("market").html
    )
    # The tiny data sells RMB 15.0 m in the US and 5.0 m in Canada in Q3 2025.
    assert rows == ["United States", "Canada"]
