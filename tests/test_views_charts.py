"""Honest charts: exact tick labels, no second axis, one colour per product and area everywhere."""

from __future__ import annotations

import ast
import itertools
from pathlib import Path

import matplotlib.pyplot as plt
import nbformat
import pandas as pd
import pytest
import yaml
from matplotlib.colors import to_hex, to_rgba
from matplotlib.figure import Figure
from matplotlib.text import Text

from portfolio_reports.analysis import views
from portfolio_reports.analysis.scope import Scope
from portfolio_reports.config import DEFAULT_MATERIALITY
from portfolio_reports.data.company import Money
from portfolio_reports.data.dataset import load_dataset
from portfolio_reports.data.quarters import Quarter
from portfolio_reports.notebook.report import ReportView, open_report
from portfolio_reports.presentation import charts, palette, ticks
from portfolio_reports.presentation import views as drawn

from .conftest import PROJECT, SAMPLE_DATA

SAMPLE_COLOURS = dict(pd.read_csv(SAMPLE_DATA / "colours.csv").itertuples(index=False))
"""The colours the sample data gives its products and areas."""


@pytest.fixture(autouse=True)
def sample_colours() -> None:
    """Charts drawn here take the sample's colours, as its reports do."""
    palette.choose(SAMPLE_COLOURS)


MONEY = Money("RMB", "m")

SAMPLE = str(PROJECT / "data" / "sample")


@pytest.fixture(autouse=True)
def no_open_figures():
    plt.close("all")
    yield
    assert plt.get_fignums() == []


def tick_labels(axis) -> dict[float, str]:
    """Each major tick's value and the label drawn for it, after a draw."""
    axis.axes.figure.canvas.draw()
    return {
        tick: label.get_text()
        for tick, label in zip(axis.get_majorticklocs(), axis.get_majorticklabels(), strict=True)
    }


def test_amount_ticks_show_as_many_decimals_as_they_need():
    formatter = ticks.AmountFormatter()
    formatter.set_locs([0.0, 2.5, 5.0, 7.5])
    assert [formatter(x) for x in (0.0, 2.5, 5.0, 7.5)] == ["0.0", "2.5", "5.0", "7.5"]
    formatter.set_locs([0.0, 500.0, 1000.0, 1500.0])
    assert [formatter(x) for x in (0.0, 1500.0)] == ["0", "1,500"]
    formatter.set_locs([-0.0, 0.25, -0.25])
    assert [formatter(x) for x in (-0.0, 0.25, -0.25)] == ["0.00", "0.25", "-0.25"]


def latin_america_trend() -> pd.DataFrame:
    """Revenue up to 19 RMB m, whose axis ticks step by 2.5 at the chart's height."""
    quarters = [str(q) for q in Quarter.parse("2026Q3").trailing(8)]
    revenue = [5.7, 6.65, 8.55, 9.5, 11.4, 13.3, 17.1, 19.0]
    frame = pd.DataFrame({"quarter": quarters, "revenue_m": revenue})
    return frame.assign(yoy=frame["revenue_m"].pct_change(4))


def test_revenue_ticks_read_their_true_values_latin_america_case():
    chart = charts.revenue_trend(latin_america_trend(), title="Latin America", money_unit=MONEY)
    labels = tick_labels(chart.figure.axes[0].yaxis)
    assert 2.5 in labels and 7.5 in labels, labels
    for tick, label in labels.items():
        assert float(label.replace(",", "")) == tick, (tick, label)
    assert labels[2.5] == "2.5" and labels[7.5] == "7.5"


def test_revenue_trend_has_no_second_value_axis():
    chart = charts.revenue_trend(latin_america_trend(), title="Latin America", money_unit=MONEY)
    revenue, growth = chart.figure.axes
    assert all(axes.get_shared_y_axes().get_siblings(axes) == [axes] for axes in (revenue, growth))
    assert growth.get_yticks().size == 0  # growth reads from its bar labels, not an axis
    shown = [text.get_text() for text in growth.texts]
    # YoY of the last four quarters: 11.4/5.7, 13.3/6.65, 17.1/8.55, 19.0/9.5 - 1
    assert shown == ["", "", "", "", "+100.0", "+100.0", "+100.0", "+100.0"]  # "YoY, %"
    assert "a panel below shows YoY growth" in chart.alt


def test_the_sample_gives_products_and_areas_colours_of_their_own():
    ds = load_dataset(SAMPLE)
    products = {SAMPLE_COLOURS[code] for code in ds.products["product"] if code in SAMPLE_COLOURS}
    areas = {SAMPLE_COLOURS[area] for area in set(ds.products["therapy_area"])}
    disease_areas = {SAMPLE_COLOURS[area] for area in set(ds.indications["disease_area"])}
    assert len(products) == 9 and len(areas) == 4
    assert products.isdisjoint(areas) and products.isdisjoint(disease_areas)
    assert palette.TOTAL_COLOR not in products | areas


def bar_colours(chart: charts.Chart) -> dict[str, str]:
    """The colour of each labelled stack of a stacked chart."""
    return {
        container.get_label(): to_hex(container[0].get_facecolor())
        for container in chart.figure.axes[0].containers
    }


def test_two_reports_give_hlx10_the_same_colour_under_their_own_names():
    colours = []
    for report in (
        open_report(SAMPLE, "2026Q3", therapy_area="Oncology"),
        open_report(SAMPLE, "2026Q3", market="EU"),
    ):
        names = views.product_labels(report.dataset, report.scope, report.quarter)
        shown = bar_colours(report.revenue_mix("product"))
        colours.append({code: shown[names[code]] for code in ("HLX10", "HLX02")})
    assert (
        colours[0]
        == colours[1]
        == {"HLX10": SAMPLE_COLOURS["HLX10"], "HLX02": SAMPLE_COLOURS["HLX02"]}
    )


def test_sales_by_product_name_products_as_the_bridge_does():
    report = open_report(SAMPLE, "2026Q3", market="US")
    mix = report.revenue_mix("product")
    legend = {text.get_text() for text in mix.figure.legends[0].get_texts()}
    bridge = report.revenue_bridge("year_ago")
    bridged = {label.get_text() for label in bridge.figure.axes[0].get_yticklabels()}
    assert "HERCESSI\n(trastuzumab)" in legend  # wrapped beside the plot
    assert {name.replace("\n", " ") for name in legend} <= bridged | {palette.OTHER}
    assert not legend & {"HLX02", "HLX11", "HLX14"}
    assert "largest HERCESSI (trastuzumab) RMB" in mix.alt


def test_bridge_bars_take_product_colours_and_span_the_change():
    current = pd.Series({"HLX10": 50.0, "HLX01": 10.0})
    base = pd.Series({"HLX10": 40.0, "HLX01": 12.0})
    steps = views.bridge_steps(current, base).assign(brand=lambda rows: rows["step"])
    chart = drawn.revenue_bridges(
        [("Q2 2026", "Q3 2026", steps)],
        title="Bridge",
        money_unit=MONEY,
        materiality=DEFAULT_MATERIALITY,
    )
    bars = chart.figure.axes[0].containers[0]
    colours = [to_hex(bar.get_facecolor()) for bar in bars]
    assert colours == [
        palette.TOTAL_COLOR,
        SAMPLE_COLOURS["HLX10"],
        SAMPLE_COLOURS["HLX01"],
        palette.TOTAL_COLOR,
    ]
    # The change bars run from 52 to 62 and back to 60: they add up to 60 - 52.
    changes = [(bar.get_x(), bar.get_x() + bar.get_width()) for bar in list(bars)[1:3]]
    assert changes == [(52.0, 62.0), (62.0, 60.0)]
    assert "from Q2 2026 RMB 52.0 m to Q3 2026 RMB 60.0 m (+8.0)" in chart.alt
    labels = tick_labels(chart.figure.axes[0].xaxis)
    assert all(float(label.replace(",", "")) == tick for tick, label in labels.items())


LONG_NAME = {"HLX10": "BILDYOS / BILPREVDA (denosumab)"}
"""A product named as long as the sample's longest name, whose labels narrow the bridge's plot."""


def test_a_change_under_the_materiality_bar_is_called_small_on_its_bridge():
    # -1.5 on 100.0 is -1.5%: under 5% of the base, though the cut axis makes its bar long.
    small = views.bridge_steps(pd.Series({"HLX10": 98.5}), pd.Series({"HLX10": 100.0}))
    large = views.bridge_steps(pd.Series({"HLX10": 60.0}), pd.Series({"HLX10": 52.0}))
    chart = drawn.revenue_bridges(
        [
            ("Q2 2026", "Q3 2026", s.assign(brand=s["step"].replace(LONG_NAME)))
            for s in (small, large)
        ],
        title="Bridge",
        money_unit=MONEY,
        materiality=DEFAULT_MATERIALITY,
    )
    titles = [axes.get_title(loc="left") for axes in chart.figure.axes]
    assert titles == [
        "From Q2 2026 to Q3 2026: -1.5 (-1.5%)\na small change: under the materiality bar",
        "From Q2 2026 to Q3 2026: +8.0 (+15.4%)",
    ]
    chart.figure.canvas.draw()  # at the page's width, each title whole within the figure
    for axes in chart.figure.axes:
        title = axes.get_title(loc="left")
        shown = [text for text in axes.findobj(Text) if text.get_text() == title]
        assert shown and all(inside(text, chart.figure) for text in shown)
    # Both axes start at 47.5 (52 less 1.5 times the 3.0 span of the second): totals are cut.
    assert chart.figure.axes[-1].get_xlim()[0] > 0
    assert (
        chart.figure.axes[-1]
        .get_xlabel()
        .endswith(f"axis from {chart.figure.axes[-1].get_xlim()[0]:,.1f}: totals are cut (//)")
    )


def test_rounding_is_drawn_apart_from_the_products_that_moved_sales():
    # Each product's change rounds to +10.0, the totals to 0.0 and 20.1: rounding is +0.1.
    steps = views.bridge_steps(pd.Series({"HLX10": 10.04, "HLX01": 10.04}), pd.Series(dtype=float))
    assert steps["step"].tolist() == ["start", "HLX01", "HLX10", views.ROUNDING, "end"]
    chart = drawn.revenue_bridges(
        [("Q2 2026", "Q3 2026", steps.assign(brand=steps["step"]))],
        title="Bridge",
        money_unit=MONEY,
        materiality=DEFAULT_MATERIALITY,
    )
    axes = chart.figure.axes[0]
    bars = list(axes.containers[0])
    assert [bar.get_hatch() for bar in bars] == [None, None, None, "////", None]
    assert to_hex(bars[3].get_facecolor()) == drawn.ROUNDING_COLOR
    rounding = axes.get_yticklabels()[3]
    assert rounding.get_text() == views.ROUNDING and rounding.get_fontstyle() == "italic"
    # The axis starts at 0: the totals' bars are whole, so none is marked cut (//).
    assert axes.get_xlim()[0] == 0
    assert axes.get_xlabel() == "Product sales, RMB m"
    assert [text.get_text() for text in axes.texts if "//" in text.get_text()] == []
    assert {to_hex(bar.get_facecolor()) for bar in bars[1:3]}.isdisjoint({drawn.ROUNDING_COLOR})


def test_a_bridge_without_sales_is_a_no_data_chart():
    steps = views.bridge_steps(pd.Series(dtype=float), pd.Series(dtype=float))
    chart = drawn.revenue_bridges(
        [("Q2 2026", "Q3 2026", steps)],
        title="Bridge",
        money_unit=MONEY,
        materiality=DEFAULT_MATERIALITY,
    )
    assert chart.alt == "Bridge: no data to show."


def launch_chart() -> charts.Chart:
    """The launch tracker of two products launched in 2025, as of 2026Q1."""
    frame = views.launch_curves(
        pd.DataFrame(
            {
                "quarter": ["2025Q1", "2025Q3", "2025Q4", "2026Q1"],
                "product": ["HLX02", "HLX14", "HLX14", "FTN"],
                "revenue_m": [9.0, 2.0, 3.5, 8.6],
            }
        ),
        Quarter.parse("2026Q1"),
    ).assign(brand=lambda rows: rows["product"])
    return drawn.launch_tracker(frame, title="Launches", money_unit=MONEY)


def test_launch_tracker_draws_each_product_from_its_launch_quarter():
    chart = launch_chart()
    lines = {line.get_label().split(",")[0]: line for line in chart.figure.axes[0].get_lines()}
    assert sorted(lines) == ["FTN", "HLX14"]
    assert list(lines["HLX14"].get_xdata()) == [1, 2, 3]
    assert list(lines["HLX14"].get_ydata()) == [2.0, 3.5, 0.0]
    assert list(lines["FTN"].get_xdata()) == [1]
    assert to_rgba(lines["FTN"].get_color()) == to_rgba(SAMPLE_COLOURS["FTN"])


def test_a_phone_gets_the_launch_trackers_axis_label_whole_in_two_even_lines():
    chart = launch_chart()
    assert chart.narrow_png  # the phone's drawing leaves the figure laid out as it drew it
    figure = chart.figure
    figure.set_figwidth(charts.NARROW_WIDTH)
    figure.canvas.draw()
    label = figure.axes[0].xaxis.label
    assert label.get_text() == "Quarter since launch\n(1 = launch quarter)"
    axes = figure.axes[0]
    texts = [
        axes.xaxis.label,
        axes.yaxis.label,
        *labels_in_view(axes.xaxis),
        *labels_in_view(axes.yaxis),
        *figure.legends[0].get_texts(),
    ]
    assert [text.get_text() for text in texts if not inside(text, figure)] == []


def labels_in_view(axis) -> list[Text]:
    """The major tick labels an axis draws: those of its ticks within its view."""
    low, high = sorted(axis.get_view_interval())
    along = 0 if axis.axis_name == "x" else 1
    labels = axis.get_majorticklabels()
    return [label for label in labels if low <= label.get_position()[along] <= high]


def inside(text: Text, figure: Figure) -> bool:
    """Whether a text, as last drawn, lies wholly within its figure."""
    box, edge = text.get_window_extent(), figure.bbox
    return box.x0 >= edge.x0 and box.x1 <= edge.x1 and box.y0 >= edge.y0 and box.y1 <= edge.y1


def test_pipeline_bars_reach_each_programmes_phase_in_its_area_colour():
    frame = pd.DataFrame(
        {
            "product": ["HLX22", "HLX04-O"],
            "label": ["HLX22", "HANBEIHUA"],  # the page's names; the second has a brand
            "asset": ["HLX22", "HANBEIHUA (HLX04-O, bevacizumab)"],
            "indication_name": ["Gastric cancer <b>", "Wet AMD"],
            "scope": ["Global", "China"],  # the page names markets
            "therapy_area": ["Oncology", "Ophthalmology"],
            "phase": ["Phase 3", "Preclinical"],
            "modality": ["mAb", "mAb"],
            "partner": ["AbClon (licensor); Other Co; Third Co", None],
            "next_milestone": ["", "approval in China, Q1 2027"],
        }
    )
    html = drawn.pipeline_bars(frame, title="Pipeline", note="One bar each.").html
    # Phase 3 is the sixth of seven columns, Preclinical the first.
    oncology, ophthalmology = (
        SAMPLE_COLOURS["Oncology"],
        SAMPLE_COLOURS["Ophthalmology"],
    )
    # Both areas' colours are dark: their phases are white.
    assert f'style="width:85.71%;background:{oncology};color:#ffffff">Phase 3</span>' in html
    assert (
        f'style="width:14.29%;background:{ophthalmology};color:#ffffff">Preclinical</span>' in html
    )
    assert html.index(">Oncology<") < html.index("HLX22") < html.index(">Ophthalmology<")
    assert "<small>mAb · AbClon (licensor) +2</small>" in html
    # A row names the product as the page does; its code and INN are the name's tooltip.
    assert '<th scope="row">HLX22 · Gastric cancer' in html
    assert (
        '<th scope="row" title="HANBEIHUA (HLX04-O, bevacizumab)">HANBEIHUA · Wet AMD (China)'
        in html
    )
    assert '<td class="milestone">approval in China, Q1 2027</td>' in html
    assert "Gastric cancer &lt;b&gt;" in html and "<b>" not in html
    assert '<span class="chart-note">One bar each.</span>' in html


def test_pipeline_bars_without_programmes_say_so():
    html = drawn.pipeline_bars(pd.DataFrame(), title="Pipeline").html
    assert drawn.NO_PROGRAMMES in html


def test_catalyst_timeline_puts_each_event_in_its_quarter():
    frame = pd.DataFrame(
        {
            "expected_quarter": ["2026Q4", "2027Q2"],
            "event_type": ["approval", "topline data"],
            "market": ["CN", "US"],
            "therapy_area": ["Oncology", "Ophthalmology"],
            "label": ["HLX10 · gastric", "HLX04-O · wet AMD"],
        }
    )
    quarters = ["2026Q4", "2027Q1", "2027Q2", "2027Q3"]
    html = drawn.catalyst_timeline(frame, quarters, title="Next").html
    columns = html.split("<section>")[1:]
    headings = [column[column.index("<h4>") + 4 : column.index("</h4>")] for column in columns]
    assert headings == ["Q4 2026", "Q1 2027", "Q2 2027", "Q3 2027"]
    assert "HLX10 · gastric</b>approval · CN" in columns[0]
    assert "None expected." in columns[1] and "None expected." in columns[3]
    colour = SAMPLE_COLOURS["Ophthalmology"]
    assert f'<li style="border-color:{colour}"><b>HLX04-O · wet AMD</b>' in columns[2]


SECOND_COMPANY = PROJECT / "tests" / "data" / "second_company"


def charts_a_page_shows(view: ReportView, notebook: Path) -> list[charts.Chart]:
    """The charts of a report: every `report.<section>(...)` call of its notebook whose
    arguments are literals, made on `view`, that gives a chart."""
    calls = [
        node
        for cell in nbformat.read(notebook, as_version=4).cells
        if cell.cell_type == "code"
        for node in ast.walk(ast.parse(cell.source))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "report"
        and all(isinstance(argument, ast.Constant) for argument in node.args)
        and not node.keywords
    ]
    made = [getattr(view, call.func.attr)(*(arg.value for arg in call.args)) for call in calls]
    return [section for section in made if isinstance(section, charts.Chart)]


def texts_drawn(figure: Figure) -> list[Text]:
    """The texts a figure shows: titles, axis labels, tick labels in view, notes and legends."""
    shown = [
        text
        for axes in figure.axes
        for text in [
            axes.xaxis.label,
            axes.yaxis.label,
            axes.title,
            *[title for title in axes.findobj(Text) if title.get_text() == axes.get_title("left")],
            *labels_in_view(axes.xaxis),
            *labels_in_view(axes.yaxis),
            *axes.texts,
        ]
    ]
    for legend in figure.legends:
        shown += [legend.get_title(), *legend.get_texts()]
    return [text for text in shown if text.get_visible() and text.get_text().strip()]


def cut_or_covered(figure: Figure) -> list[str]:
    """The texts of a figure, as last drawn, that leave it or are drawn over one another."""
    texts = texts_drawn(figure)
    cut = [f"cut: {text.get_text()!r}" for text in texts if not inside(text, figure)]
    boxes = [(text.get_text(), text.get_window_extent()) for text in texts]
    covered = [
        f"over one another: {first!r}, {second!r}"
        for (first, one), (second, other) in itertools.combinations(boxes, 2)
        if one.shrunk(0.98, 0.9).overlaps(other.shrunk(0.98, 0.9))  # touching is not covering
    ]
    return cut + covered


@pytest.mark.slow  # every chart of every page of two data sets, drawn at both widths
@pytest.mark.parametrize(
    ("data", "params", "quarter"),
    [
        (SAMPLE_DATA, PROJECT / "params", Quarter(2026, 3)),
        (SECOND_COMPANY / "data", SECOND_COMPANY / "params", Quarter(2026, 2)),
    ],
    ids=["sample", "second company"],
)
def test_no_chart_text_is_cut_off_or_drawn_over_another_at_either_width(data, params, quarter):
    dataset = load_dataset(data)
    problems, drawn_charts = [], 0
    for path in sorted(params.glob("*.yaml")):
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        scope = Scope(**(spec.get("parameters") or {}))
        view = ReportView(dataset, scope, quarter)
        for chart in charts_a_page_shows(view, PROJECT / "notebooks" / spec["notebook"]):
            drawn_charts += 1
            assert chart.png  # at the page's width
            problems += [
                f"{path.stem}, {chart.title}, page: {p}" for p in cut_or_covered(chart.figure)
            ]
            width = chart.figure.get_figwidth()
            if chart.narrow_png is not None:  # laid out for a phone, drawn again at its width
                chart.figure.set_figwidth(charts.NARROW_WIDTH)
                chart.figure.canvas.draw()
                problems += [
                    f"{path.stem}, {chart.title}, phone: {p}" for p in cut_or_covered(chart.figure)
                ]
                chart.figure.set_figwidth(width)
            plt.close(chart.figure)
    assert drawn_charts > len(list(params.glob("*.yaml")))  # more than one a page
    assert problems == []
