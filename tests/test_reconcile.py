"""The reconciliation checker on hand-made figure records, and the figures a page records."""

from __future__ import annotations

from dataclasses import asdict

import pytest

from portfolio_reports.analysis.revenue import NOT_ALLOCATED
from portfolio_reports.analysis.scope import Scope
from portfolio_reports.builder.reconcile import Members, PageRecord, check
from portfolio_reports.data.company import Money
from portfolio_reports.data.quarters import Quarter
from portfolio_reports.notebook.report import ReportView
from portfolio_reports.presentation.figures import FIGURES_MIME

MEMBERS = Members(
    therapy_areas=("Autoimmune", "Oncology"),
    disease_areas={
        "Oncology": ("Breast cancer", "Lung cancer"),
        "Autoimmune": ("Rheumatology",),
    },
    markets={"North America": ("CA", "US"), "China": ("CN",)},
    money=Money("RMB", "m"),
    products=("HLX01", "HLX02"),
)


def record(name: str, scope: Scope, revenue: float | None = None, **figures) -> PageRecord:
    """A report whose card states what its page states, with its revenue if given."""
    shown = {"scope": asdict(scope), "key_figure": f"card of {name}", **figures}
    if revenue is not None:
        shown["revenue_m"] = revenue
    return PageRecord(name, scope, f"card of {name}", shown)


def test_therapy_areas_that_sum_to_the_portfolio_pass():
    records = [
        record("all", Scope(), 165.0),
        record("onc", Scope(therapy_area="Oncology"), 150.0),
        record("ai", Scope(therapy_area="Autoimmune"), 15.0),
    ]
    assert check(records, MEMBERS) == []


def test_products_must_sum_to_the_portfolio():
    products = [
        record("p1", Scope(product="HLX01"), 40.0),
        record("p2", Scope(product="HLX02"), 125.0),
    ]
    assert check([record("all", Scope(), 165.0), *products], MEMBERS) == []
    assert check([record("all", Scope(), 160.0), *products], MEMBERS) == [
        "products sum to Whole portfolio: p1 40.0 + p2 125.0 = RMB 165.0 m against all"
        " RMB 160.0 m; difference RMB +5.0 m"
    ]
    alone = [record("all", Scope(), 165.0), products[1]]
    assert check(alone, MEMBERS) == [], "one product of two may fall short of the whole"


def test_a_difference_below_the_displayed_precision_passes():
    records = [
        record("all", Scope(), 165.04),
        record("onc", Scope(therapy_area="Oncology"), 150.0),
        record("ai", Scope(therapy_area="Autoimmune"), 15.0),
    ]
    assert check(records, MEMBERS) == []


def test_therapy_areas_that_miss_the_portfolio_break_one_line():
    records = [
        record("all", Scope(), 170.0),
        record("onc", Scope(therapy_area="Oncology"), 150.0),
        record("ai", Scope(therapy_area="Autoimmune"), 15.0),
    ]
    assert check(records, MEMBERS) == [
        "therapy areas sum to Whole portfolio: ai 15.0 + onc 150.0 = RMB 165.0 m against all"
        " RMB 170.0 m; difference RMB -5.0 m"
    ]


def test_disease_areas_with_or_without_their_therapy_area_must_sum_to_it():
    records = [
        record("onc", Scope(therapy_area="Oncology"), 100.0),
        record("breast", Scope(disease_area="Breast cancer"), 30.0),
        record("lung", Scope(therapy_area="Oncology", disease_area="Lung cancer"), 60.0),
    ]
    assert check(records, MEMBERS) == [
        "disease areas sum to Oncology: breast 30.0 + lung 60.0 = RMB 90.0 m against onc"
        " RMB 100.0 m; difference RMB -10.0 m"
    ]


def test_slices_without_every_report_may_fall_short_but_not_exceed():
    short = [
        record("na", Scope(region="North America"), 20.0),
        record("us", Scope(market="US"), 15.0),
    ]
    assert check(short, MEMBERS) == []
    over = [
        record("na", Scope(region="North America"), 20.0),
        record("us", Scope(market="US"), 25.5),
    ]
    assert check(over, MEMBERS) == [
        "markets do not exceed North America (1 of 2 have a report): us 25.5 = RMB 25.5 m"
        " against na RMB 20.0 m; difference RMB +5.5 m"
    ]


def test_regions_must_sum_to_the_portfolio():
    records = [
        record("all", Scope(), 100.0),
        record("na", Scope(region="North America"), 70.0),
        record("china", Scope(region="China"), 40.0),
    ]
    assert check(records, MEMBERS) == [
        "regions sum to Whole portfolio: na 70.0 + china 40.0 = RMB 110.0 m against all"
        " RMB 100.0 m; difference RMB +10.0 m"
    ]


def test_a_lone_market_report_checks_only_its_own_page():
    alone = [record("jp", Scope(market="JP"), 0.0, pipeline_chart_programmes=[7])]
    assert check(alone, MEMBERS) == []
    broken = [
        record(
            "jp",
            Scope(market="JP"),
            0.0,
            pipeline_chart_programmes=[7],
            pipeline_table_programmes=5,
        )
    ]
    assert check(broken, MEMBERS) == [
        "pipeline chart equals its table: jp chart counts 7 programmes, its tables list 5;"
        " difference +2"
    ]


def test_a_card_that_differs_from_its_page_breaks():
    page = record("us", Scope(market="US"), 15.0)
    card = PageRecord("us", page.scope, "RMB 16.0 m", {**page.figures, "key_figure": "RMB 15.0 m"})
    assert check([card], MEMBERS) == [
        "index card equals its page: us card states 'RMB 16.0 m', its page 'RMB 15.0 m'"
    ]


def test_a_page_that_shows_another_scope_than_its_params_breaks():
    page = record("us", Scope(market="CN"), 145.0)
    asked = PageRecord("us", Scope(market="US"), page.card, page.figures)
    assert check([asked], MEMBERS) == [
        "page shows the scope of its params: us params ask for 'US', its page shows 'CN'"
    ]


def test_reports_without_figures_take_no_part():
    records = [
        record("all", Scope(), 170.0),
        PageRecord("onc", Scope(therapy_area="Oncology"), None, None),
        record("ai", Scope(therapy_area="Autoimmune"), 15.0),
    ]
    assert check(records, MEMBERS) == []


def test_members_are_the_slices_with_sales_in_the_quarter(tiny_dataset):
    # 2025Q3: HLX01's sales are 70% NHL, 20% RA and 10% unallocated (Oncology's remainder);
    # HLX02's are breast and gastric cancer; HLX03 sells in CN and CA.
    members = Members.of(tiny_dataset, Quarter.parse("2025Q3"))
    assert members.therapy_areas == ("Autoimmune", "Oncology")
    assert dict(members.disease_areas) == {
        "Autoimmune": ("Rheumatology",),
        "Oncology": (
            "Breast cancer",
            "Gastrointestinal cancer",
            "Haematological cancer",
            NOT_ALLOCATED,
        ),
    }
    assert dict(members.markets) == {"China": ("CN",), "North America": ("CA", "US")}
    assert members.products == ("HLX01", "HLX02", "HLX03")
    # Nothing sold in CA in 2025Q2: the US alone makes up North America.
    earlier = Members.of(tiny_dataset, Quarter.parse("2025Q2"))
    assert dict(earlier.markets) == {"China": ("CN",), "North America": ("US",)}


@pytest.mark.parametrize("coverages", [[None], ["local", "global"]])
def test_a_page_records_what_its_sections_showed(tiny_dataset, coverages):
    # 2025Q3 in the tiny data (RMB m): Oncology has HLX02's 110 in CN and 15 in the US, and 80%
    # of HLX01's 25 (70% NHL and the 10% no share covers): 125 + 20 = 145. In development
    # at quarter end are HLX02-GC Global Phase 3 and HLX02-GC CN Phase 2.
    scope = Scope(therapy_area="Oncology")
    view = ReportView(tiny_dataset, scope, Quarter.parse("2025Q3"))
    view.revenue_table()
    view.pipeline_chart("disease_area")
    for coverage in coverages:
        view.pipeline_table(coverage)
    figures = view.figures()._repr_mimebundle_()[FIGURES_MIME]
    assert figures["scope"] == asdict(scope)
    assert figures["quarter"] == "2025Q3"
    assert figures["revenue_m"] == pytest.approx(145.0)
    assert "RMB 145.0 m, " in figures["key_figure"]
    assert figures["pipeline_chart_programmes"] == [2]
    assert figures["pipeline_table_programmes"] == 2


def test_a_page_records_only_sections_it_drew(tiny_dataset):
    view = ReportView(tiny_dataset, Scope(market="CA"), Quarter.parse("2025Q3"))
    figures = view.figures()._repr_mimebundle_()[FIGURES_MIME]
    assert set(figures) == {"scope", "quarter", "key_figure"}


TABLE_30 = {"pipeline_table_programmes": 30}


def test_each_pipeline_chart_must_count_what_the_tables_list():
    # The overview draws two pipeline charts: counts by phase, then a bar per programme.
    agreeing = [record("all", Scope(), 0.0, pipeline_chart_programmes=[30, 30], **TABLE_30)]
    assert check(agreeing, MEMBERS) == []
    one_short = [record("all", Scope(), 0.0, pipeline_chart_programmes=[30, 29], **TABLE_30)]
    assert check(one_short, MEMBERS) == [
        "pipeline chart equals its table: all chart counts 29 programmes, its tables list 30;"
        " difference -1"
    ]
