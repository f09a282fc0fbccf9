"""Each section's `.frame`: the data behind it, readable headers, the numbers the page shows."""

from __future__ import annotations

import inspect
import io
from dataclasses import replace

import pandas as pd
import pytest

from portfolio_reports.analysis import key_figures
from portfolio_reports.analysis.pipeline import LOCAL as LOCAL_PROGRAMMES
from portfolio_reports.analysis.revenue import REVENUE
from portfolio_reports.analysis.scope import Scope
from portfolio_reports.data.company import Money
from portfolio_reports.data.dataset import load_dataset
from portfolio_reports.data.quarters import Quarter
from portfolio_reports.notebook import frames
from portfolio_reports.notebook.report import AREAS, ReportView, open_report
from portfolio_reports.presentation import charts
from portfolio_reports.presentation.columns import HEADERS, column_table
from portfolio_reports.presentation.tables import bullet_list, folded, heat_table

from .conftest import PROJECT, SAMPLE_DATA, TINY_QUARTERS, TINY_TOTALS

MONEY = Money("RMB", "m")

Q3 = Quarter(2025, 3)
SALES = "Product sales (RMB m)"


@pytest.fixture
def view(tiny_dataset) -> ReportView:
    return ReportView(tiny_dataset, Scope(), Q3)


def test_a_table_frame_has_the_shown_columns_under_their_headers_with_raw_values():
    frame = pd.DataFrame(
        {"market": ["CN", "US"], "revenue_m": [12.345, 0.05], "qoq": [0.125, None]}
    )
    table = column_table(frame, ["market", "revenue_m", "qoq"], money=MONEY)
    assert "12.3" in table.html and "+12.5%" in table.html  # the page rounds
    assert list(table.frame.columns) == ["Market", SALES, "QoQ"]
    assert table.frame[SALES].tolist() == [12.345, 0.05]  # the frame does not
    assert table.frame["QoQ"].iloc[0] == 0.125 and pd.isna(table.frame["QoQ"].iloc[1])
    back = pd.read_csv(io.StringIO(table.frame.to_csv(index=False)))
    assert back[SALES].sum() == pytest.approx(12.395)


def test_a_heat_table_frame_is_the_matrix_with_its_totals():
    values = pd.DataFrame(
        {"CN": [3.0, 1.0], "US": [0.0, 2.5]},
        index=pd.Index(["Oncology", "Autoimmune"], name="Therapy area"),
    )
    frame = heat_table(values, caption="Sales").frame
    assert list(frame.columns) == ["Therapy area", "CN", "US", "Total"]
    assert frame["Therapy area"].tolist() == ["Oncology", "Autoimmune", "Total"]
    assert frame["Total"].tolist() == [3.0, 3.5, 6.5]
    assert frame["CN"].tolist() == [3.0, 1.0, 4.0]


def test_wrapping_keeps_the_frame_and_text_has_an_empty_or_one_column_frame():
    frame = pd.DataFrame({"market": ["CN"], "approvals": [2]})
    table = column_table(frame, ["market", "approvals"])
    assert folded(table, "Table: one market").frame.equals(table.frame)
    assert bullet_list(["a", "b"], heading="Highlight").frame["Highlight"].tolist() == ["a", "b"]
    assert bullet_list([]).frame.empty


def test_reprs_stay_one_line_and_name_the_frame(view):
    for section in (view.revenue_table(), view.revenue_trend(), view.glossary(), view.kpi_strip()):
        assert "\n" not in repr(section)
    assert repr(view.revenue_table()).endswith("; .frame 8 rows, 4 columns>")


def test_revenue_sections_hold_the_quarters_sales(view):
    # Tiny data, 2025Q3: HLX02 110 + 15, HLX01 25, HLX03 10 + 5 = 165, against 150 in 2025Q2.
    by_quarter = view.revenue_table().frame
    assert by_quarter["Quarter"].tolist() == TINY_QUARTERS
    assert by_quarter[SALES].tolist() == TINY_TOTALS
    assert by_quarter["QoQ"].iloc[-1] == pytest.approx(165 / 150 - 1)
    assert view.revenue_trend().frame.equals(by_quarter)  # the chart draws what the table lists
    products = view.revenue_breakdown("product").frame
    assert sorted(products[SALES]) == [15, 25, 125]
    markets = view.revenue_breakdown("market").frame.set_index("Market")[SALES]
    assert markets.to_dict() == {"China": 145, "United States": 15, "Canada": 5}
    assert sorted(view.top_products().frame[SALES]) == [15, 25, 125]
    heat = view.market_heat().frame.set_index("Product")
    assert heat.loc["Total", "Total"] == 165
    assert heat.loc["Total", ["China", "United States", "Canada"]].tolist() == [145, 15, 5]


def test_empty_sections_have_an_empty_frame(view, tiny_dataset):
    unsold = ReportView(replace(tiny_dataset, sales=tiny_dataset.sales[:0]), view.scope, Q3)
    for section in (unsold.revenue_trend(), unsold.revenue_table(), unsold.revenue_bridge()):
        assert section.html == "" and section.frame.empty


def test_the_sample_pages_frames_agree_with_their_key_figure_and_each_other():
    report = open_report(str(SAMPLE_DATA))
    sales = key_figures.quarter_sales(report.dataset, report.scope, report.quarter)[REVENUE]
    for by in ("product", "market", "geography"):
        assert report.revenue_breakdown(by).frame[SALES].sum() == pytest.approx(sales)
    assert report.revenue_table().frame[SALES].iloc[-1] == pytest.approx(sales)
    heat = report.area_summary().frame.set_index("Therapy area")
    assert heat.loc["Total", "Total"] == pytest.approx(sales)
    chart = report.pipeline_chart()
    assert isinstance(chart, charts.Chart)
    programmes = int(chart.frame.drop(columns="Phase").to_numpy().sum())
    assert programmes == len(report.programme_bars().frame) == len(report.pipeline_table().frame)
    assert programmes > 0


# Where each section's frame has rows on the sample: (scope, quarter, arguments) per call; any
# section not named is called on the whole portfolio at the latest quarter with no arguments.
JAPAN = {"market": "JP"}
BREAKDOWNS = ("product", "market", "region", "therapy_area", "disease_area", "geography")
SECTION_CALLS: dict[str, list[tuple[dict[str, str], str | None, tuple[str, ...]]]] = {
    "commentary": [({}, None, (str(PROJECT / "commentary" / "2026Q3" / "market-us.md"),))],
    "quarter_events": [({}, "2026Q2", ())],
    "readouts": [({}, "2026Q2", ())],
    "revenue_mix": [({}, None, (by,)) for by in BREAKDOWNS],
    "revenue_breakdown": [({}, None, (by,)) for by in BREAKDOWNS],
    "revenue_bridge": [({}, None, ()), ({}, None, ("previous",))],
    "pipeline_summary": [({}, None, ()), (JAPAN, None, ())],
    "other_income": [(JAPAN, None, ())],  # the Eisai licence income; none on the overview
    "pipeline_chart": [
        (scope, None, (by,))
        for scope in ({}, JAPAN)
        for by in ("therapy_area", "disease_area", "coverage")
    ],
    "pipeline_table": [({}, None, ()), ({}, None, ("local",)), (JAPAN, None, ("global",))],
    "events_to_date": [
        ({}, None, (kind,)) for kind in ("approvals", "filings and designations", "licence deals")
    ],
}


def documented_columns_match(declared: tuple[str, ...], actual: list[str], each: dict) -> bool:
    """Whether a frame's columns are the declared ones: `<...>` one or more columns among the
    values `each` gives for it, `[name: when]` the column or nothing, else the header itself."""
    if not declared:
        return not actual
    first, rest = declared[0], declared[1:]
    if first.startswith("<"):
        return any(
            set(actual[:count]) <= each[first]
            and documented_columns_match(rest, actual[count:], each)
            for count in range(1, len(actual) + 1)
        )
    if first.startswith("["):
        name = first.strip("[]").partition(": ")[0]
        return documented_columns_match(rest, actual, each) or (
            actual[:1] == [name] and documented_columns_match(rest, actual[1:], each)
        )
    return actual[:1] == [first] and documented_columns_match(rest, actual[1:], each)


def replaced(column: str, stand_ins: dict[str, str]) -> str:
    """A declared column with its stand-ins ({money}, {by}, {local}) replaced by their values."""
    for marker, value in stand_ins.items():
        column = column.replace(marker, value)
    return column


def test_the_matching_of_documented_columns_can_fail():
    each = {"<one per market code>": {"CN", "US"}}
    declared = ("Product", "<one per market code>", "[Other markets: more]", "Total")
    assert documented_columns_match(declared, ["Product", "CN", "US", "Total"], each)
    assert documented_columns_match(declared, ["Product", "CN", "Other markets", "Total"], each)
    assert not documented_columns_match(declared, ["Product", "Total"], each)  # none of <...>
    assert not documented_columns_match(declared, ["Product", "CN", "JP", "Total"], each)
    assert not documented_columns_match(declared, ["Product", "CN", "Total", "Mix"], each)


@pytest.mark.slow  # draws every section of the sample, some on several scopes: tens of seconds
def test_every_section_documents_its_frame_columns_as_the_sample_has_them():
    sample = load_dataset(SAMPLE_DATA)
    reports = {}
    checked = set()
    for area in AREAS.values():
        for name, member in vars(area).items():
            function = getattr(member, "__func__", member)
            if name.startswith("_") or not callable(function):
                continue
            if inspect.signature(function).return_annotation == "str":
                continue  # a summary line for a fold, not a section
            assert name in frames.FRAME_COLUMNS, f"{name}: no @frame_columns"
            declared = frames.FRAME_COLUMNS[name]
            assert "`.frame` columns: " in function.__doc__, name
            for scope, quarter, arguments in SECTION_CALLS.get(name, [({}, None, ())]):
                key = (tuple(scope.items()), quarter)
                if key not in reports:
                    reports[key] = ReportView(
                        sample, Scope(**scope), Quarter.parse(quarter or "2026Q3")
                    )
                report = reports[key]
                section = getattr(report, name)(*arguments)
                actual = list(section.frame.columns)
                assert section.html, (name, scope, arguments)
                assert actual or not declared, (name, scope, arguments, "an empty frame")
                by = arguments[0] if arguments else None
                stand_ins = {
                    frames.MONEY: sample.profile.money.label,
                    frames.BY: HEADERS.get(by or "", ""),
                    frames.LOCAL: report.page.coverage_names[LOCAL_PROGRAMMES],
                }
                expected = tuple(replaced(column, stand_ins) for column in declared)
                each = {
                    "<one per region>": set(sample.markets["region"]),
                    "<one per market code>": set(sample.markets["market"]),
                    "<one per market, by name>": set(sample.markets["name"]),
                    "<one per value of `by`>": set(report.page.coverage_names.values())
                    if by == "coverage"
                    else set(sample.indications.get(by or "", [])),
                }
                assert documented_columns_match(expected, actual, each), (name, by, actual)
                checked.add(name)
    assert len(checked) >= 35
