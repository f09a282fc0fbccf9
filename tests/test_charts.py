"""Charts: inline PNG with escaped alt text, stable colours, empty input, no figure left open."""

from __future__ import annotations

import base64
import io
import re

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgba
from matplotlib.text import Text
from matplotlib.ticker import AutoMinorLocator
from PIL import Image

from portfolio_reports.data.company import Money
from portfolio_reports.presentation import charts, palette
from portfolio_reports.presentation.phone import fit_to_width, stand_overfull_labels
from portfolio_reports.presentation.ticks import spare_axis_layout

MONEY = Money("RMB", "m")
THERAPY_AREAS = ("Oncology", "Autoimmune", "Bone disease", "Ophthalmology")

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
HOSTILE = "<script>alert(1)</script>"


def mix_chart(title: str = "Mix", labels: dict[str, str] | None = None) -> charts.Chart:
    """The revenue mix by therapy area as a stacked chart, areas named as `labels` names them."""
    return charts.stacked_revenue(
        mix(),
        index="quarter",
        columns="therapy_area",
        values="revenue_m",
        title=title,
        money_unit=MONEY,
        labels=labels,
    )


def trend() -> pd.DataFrame:
    revenue = [800.0, 850.0, 900.0, 950.0, 1000.0, 1100.0, 1250.0, 1402.3]
    frame = pd.DataFrame(
        {"quarter": [f"{2024 + (n + 3) // 4}Q{(n + 3) % 4 + 1}" for n in range(8)]}
    )
    frame["revenue_m"] = revenue
    frame["yoy"] = frame["revenue_m"].pct_change(4)
    return frame


def mix() -> pd.DataFrame:
    rows = [
        (quarter, area, amount)
        for quarter in ("2025Q2", "2025Q3")
        for area, amount in zip(THERAPY_AREAS, (600.0, 250.0, 100.0, 50.0), strict=True)
    ]
    return pd.DataFrame(rows, columns=["quarter", "therapy_area", "revenue_m"])


def phases() -> pd.DataFrame:
    return pd.DataFrame(
        {"Oncology": [4, 1, 2], "Autoimmune": [0, 2, 1]},
        index=pd.Index(["Phase 3", "Preclinical", "Phase 1"], name="phase"),
    ).rename_axis(columns="therapy_area")


def every_chart(title: str = "Chart") -> list[charts.Chart]:
    return [
        charts.revenue_trend(trend(), title=title, money_unit=MONEY),
        mix_chart(title),
        charts.horizontal_bars(
            mix(), label="therapy_area", value="revenue_m", title=title, unit=MONEY
        ),
        charts.phase_counts(phases(), title=title),
    ]


def png_of(html: str) -> bytes:
    encoded = re.search(r'<img src="data:image/png;base64,([^"]+)"', html)
    assert encoded, html[:200]
    return base64.b64decode(encoded.group(1))


def narrow_png_of(html: str) -> bytes:
    encoded = re.search(r'<source media="[^"]+" srcset="data:image/png;base64,([^"]+)"', html)
    assert encoded, html[:200]
    return base64.b64decode(encoded.group(1))


@pytest.fixture(autouse=True)
def no_open_figures():
    plt.close("all")
    yield
    assert plt.get_fignums() == []


@pytest.mark.parametrize("chart", every_chart(), ids=lambda chart: chart.alt.split(" of ")[0])
def test_every_chart_is_an_inline_palette_png_under_its_html_title(chart):
    wide_inches = tuple(chart.figure.get_size_inches())
    html = chart.html
    assert html.startswith(
        f'<figure class="chart" data-smallest-text-pt="{chart.smallest_text:g}"><figcaption>'
        '<span class="chart-title">Chart</span></figcaption><picture>'
        f'<source media="{charts.PHONE_MEDIA}" srcset="data:image/png;base64,'
    )
    assert html.endswith("></picture></figure>")
    width, height = (int(n) for n in re.search(r'width="(\d+)" height="(\d+)"', html).groups())
    assert (width, height) == tuple(round(n * 100) for n in wide_inches)
    for png, most_wide in ((png_of(html), width), (narrow_png_of(html), 360)):
        assert png.startswith(PNG_SIGNATURE)
        assert 1_000 < len(png) < 25_000
        with Image.open(io.BytesIO(png)) as image:
            assert image.mode == "P"
            assert len(image.getcolors()) <= charts.PNG_COLORS
            shown_width = image.width / charts.RENDER_DPI * 100
            assert shown_width <= most_wide + 1
            if png == png_of(html):
                rendered = tuple(round(n / 100 * charts.RENDER_DPI) for n in (width, height))
                assert image.size == rendered


@pytest.mark.parametrize("chart", every_chart(), ids=lambda chart: chart.alt.split(" of ")[0])
def test_no_chart_text_is_smaller_than_the_smallest_readable_size(chart):
    assert chart.narrow_png  # drawn at both widths
    sizes = [
        text.get_fontsize()
        for text in chart.figure.findobj(Text)
        if text.get_visible() and text.get_text().strip()
    ]
    assert sizes and min(sizes) == chart.smallest_text >= charts.SMALLEST_TEXT


def test_a_phone_gets_crowded_quarters_on_end():
    bars = charts.revenue_trend(trend(), title="Trend", money_unit=MONEY)
    assert bars.narrow_png
    assert {label.get_rotation() for label in bars.figure.axes[-1].get_xticklabels()} == {90}


def phone_legend(names: list[str]) -> tuple[plt.Figure, list[str], set[float], float]:
    """A page-width figure with a legend of `names` beside its plot, laid out for a phone: its
    legend's names, the left edges of its columns (pixels), and how far right its names reach."""
    figure = charts.new_figure(8, 4)
    axes = figure.add_subplot()
    for name in names:
        axes.bar([0], [1], label=name)
    figure.legend(loc="outside right upper", fontsize=10)
    fit_to_width(figure, charts.NARROW_WIDTH)
    figure.canvas.draw()
    texts = figure.legends[0].get_texts()
    edges = {round(text.get_window_extent().x0) for text in texts}
    reach = max(text.get_window_extent().x1 for text in texts)
    return figure, [text.get_text() for text in texts], edges, reach


def test_a_phone_legend_of_long_names_takes_one_column_and_the_figure_grows_to_hold_it():
    names = ["BILDYOS / BILPREVDA (denosumab)", "HERCESSI (trastuzumab)", "Oncology"]
    figure, shown, edges, reach = phone_legend(names)
    assert shown == ["BILDYOS / BILPREVDA\n(denosumab)", *names[1:]]  # 31 characters wrap at 30
    assert len(edges) == 1 and reach <= figure.bbox.width
    # Rows of 2, 1 and 1 lines: (2 + 1 + 1) * 1.2 + 3 * 0.5 = 6.3 font sizes, where two columns
    # of one-line names take 2 rows, 2 * (1.2 + 0.5) = 3.4: 2.9 sizes of 10 pt more.
    assert figure.get_figheight() == pytest.approx(4 + 2.9 * 10 / 72)


def test_a_phone_legend_of_short_names_keeps_two_columns_and_the_figure_its_height():
    figure, shown, edges, reach = phone_legend(["Oncology", "Autoimmune", "Bone disease"])
    assert shown == ["Oncology", "Autoimmune", "Bone disease"]
    assert len(edges) == 2 and reach <= figure.bbox.width
    assert figure.get_figheight() == pytest.approx(4)


@pytest.mark.parametrize(
    ("label", "shown"),
    [
        ("Quarter since launch (1 = launch quarter)", "Quarter since launch\n(1 = launch quarter)"),
        (
            "Sales, USD m\naxis from USD 1,200m: totals are cut",
            "Sales, USD m\naxis from USD 1,200m:\ntotals are cut",
        ),
        ("Product sales, JPY bn", "Product sales, JPY bn"),
    ],
)
def test_a_phone_wraps_a_long_axis_label_line_in_even_halves_and_grows_by_the_lines_added(
    label, shown
):
    figure = charts.new_figure(8, 4)
    figure.add_subplot().set_xlabel(label, fontsize=10)
    fit_to_width(figure, charts.NARROW_WIDTH)
    assert figure.axes[0].get_xlabel() == shown
    added = shown.count("\n") - label.count("\n")
    assert figure.get_figheight() == pytest.approx(4 + added * 1.2 * 10 / 72)
    plt.close(figure)


def test_a_phone_wraps_each_line_of_a_panel_title_and_keeps_its_own_line_breaks():
    figure = charts.new_figure(8, 4)
    axes = figure.add_subplot()
    axes.set_title(
        "From Q2 2025 to Q2 2026: +76.8 (+30.9%)\na small change: under the materiality bar",
        loc="left",
    )
    fit_to_width(figure, charts.NARROW_WIDTH)
    assert axes.get_title(loc="left") == (
        "From Q2 2025 to Q2 2026: +76.8\n(+30.9%)\na small change: under the\nmateriality bar"
    )
    plt.close(figure)


def test_a_phone_wraps_names_between_words_and_keeps_a_long_word_whole():
    names = ["GLUCAVIA (veraglucosidase alfa)", "ONAVIA (onavexogene)"]
    figure = charts.new_figure(8, 4)
    axes = figure.add_subplot()
    axes.barh([0, 1], [1, 2])
    axes.set_yticks([0, 1], names)
    for position, name in enumerate(names):
        axes.bar([position], [1], label=name)
    figure.legend(loc="outside right upper")
    fit_to_width(figure, charts.NARROW_WIDTH)
    # 16 characters of INN stay on one line of 14, not "(vera" and "glucosidase".
    labels = [label.get_text() for label in axes.get_yticklabels()]
    assert labels == ["GLUCAVIA\n(veraglucosidase\nalfa)", "ONAVIA\n(onavexogene)"]
    legend = [text.get_text() for text in figure.legends[0].get_texts()]
    assert legend == ["GLUCAVIA (veraglucosidase\nalfa)", "ONAVIA (onavexogene)"]  # lines of 30
    plt.close(figure)


def test_labels_wider_together_than_the_figure_stand_on_end_before_drawing_and_others_do_not():
    crowded, roomy = charts.new_figure(3.6, 2), charts.new_figure(3.6, 2)
    crowded.add_subplot().set_xticks(range(8), [f"2026 quarter {n}" for n in range(8)])
    roomy.add_subplot().set_xticks(range(3), ["Q1", "Q2", "Q3"])
    for figure in (crowded, roomy):
        stand_overfull_labels(figure)
    assert {label.get_rotation() for label in crowded.axes[0].get_xticklabels()} == {90}
    assert {label.get_rotation() for label in roomy.axes[0].get_xticklabels()} == {0}


def test_the_title_is_not_drawn_in_the_image():
    chart = charts.revenue_trend(trend(), title="Revenue", money_unit=MONEY)
    assert chart.figure._suptitle is None
    assert all(text.get_text() != "Revenue" for text in chart.figure.texts)


def test_palette_keeps_the_series_colours_exact():
    chart = mix_chart()
    with Image.open(io.BytesIO(chart.png)) as image:
        colours = {colour for _, colour in image.convert("RGB").getcolors()}
    for area in THERAPY_AREAS:
        red, green, blue, _ = (round(channel * 255) for channel in to_rgba(palette.color_for(area)))
        assert (red, green, blue) in colours, area


@pytest.mark.parametrize("chart", every_chart(), ids=lambda chart: chart.alt.split(" of ")[0])
def test_the_background_stays_pure_white_so_no_box_shows_on_the_page(chart):
    with Image.open(io.BytesIO(chart.png)) as image:
        _, colour = max(image.convert("RGB").getcolors())
    assert colour == (255, 255, 255)


def test_a_note_shows_under_the_title_escaped():
    chart = charts.revenue_trend(trend(), title="Revenue", money_unit=MONEY)
    noted = type(chart)(chart.draw, chart.title, chart.alt, note=HOSTILE)
    html = noted.html
    assert '<span class="chart-note">&lt;script&gt;alert(1)&lt;/script&gt;</span>' in html
    assert "<script>" not in html


def test_rendering_twice_gives_the_same_html():
    chart = charts.revenue_trend(trend(), title="Revenue", money_unit=MONEY)
    first = chart.html
    assert chart.html == first
    assert charts.revenue_trend(trend(), title="Revenue", money_unit=MONEY).html == first


def test_alt_text_and_caption_are_escaped():
    frame = pd.DataFrame({"product": [HOSTILE, "<img src=x onerror=alert(1)>"], "n": [3, 1]})
    chart = charts.horizontal_bars(frame, label="product", value="n", title=HOSTILE, unit="count")
    html = chart.html
    assert "<script>" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert html.count("<img ") == 1


def test_revenue_trend_alt_text_gives_span_and_latest_figures():
    alt = charts.revenue_trend(trend(), title="Revenue", money_unit=MONEY).alt
    assert alt.startswith("Bar chart of revenue per quarter, 2024Q4 to 2026Q3")
    assert "latest RMB 1,402.3 m" in alt
    assert "YoY +47.6%" in alt


def test_revenue_trend_without_a_year_of_history_has_no_growth():
    alt = charts.revenue_trend(trend().head(3), title="Revenue", money_unit=MONEY).alt
    assert "2024Q4 to 2025Q2" in alt
    assert "YoY" not in alt


def test_stacked_revenue_alt_text_names_the_largest_category():
    alt = mix_chart().alt
    assert "by therapy area per quarter, 2025Q2 to 2025Q3" in alt
    assert "total RMB 1,000.0 m" in alt
    assert "largest Oncology RMB 600.0 m (60.0%)" in alt


def test_stacked_revenue_names_categories_by_their_labels_in_their_own_colours():
    named = mix_chart(labels={"Oncology": "Cancer medicines"})
    legend = [text.get_text() for text in named.figure.legends[0].get_texts()]
    assert legend == ["Ophthalmology", "Bone disease", "Autoimmune", "Cancer medicines"]
    colours = {c.get_label(): c[0].get_facecolor() for c in named.figure.axes[0].containers}
    plain = {c.get_label(): c[0].get_facecolor() for c in mix_chart().figure.axes[0].containers}
    assert (
        colours["Cancer medicines"] == plain["Oncology"] == to_rgba(palette.color_for("Oncology"))
    )
    assert "largest Cancer medicines RMB 600.0 m (60.0%)" in named.alt


def test_stacked_revenue_folds_categories_beyond_the_palette_into_other():
    markets = [f"M{n:02d}" for n in range(15)]
    frame = pd.DataFrame(
        {"quarter": "2025Q3", "market": markets, "revenue_m": np.arange(15, 0, -1.0)}
    )
    chart = charts.stacked_revenue(
        frame, index="quarter", columns="market", values="revenue_m", title="Mix", money_unit=MONEY
    )
    labels = [text.get_text() for text in chart.figure.legends[0].get_texts()]
    assert len(labels) == len(charts.PALETTE)
    assert labels[0] == palette.OTHER
    assert "M14" not in labels
    colors = {
        patch.get_facecolor()
        for container in chart.figure.axes[0].containers
        for patch in container
    }
    assert len(colors) == len(charts.PALETTE)


def test_horizontal_bars_rank_largest_first_and_read_fractions_as_percent():
    frame = pd.DataFrame({"market": ["US", "CN", "EU"], "share": [0.2, 0.7, 0.1]})
    chart = charts.horizontal_bars(frame, label="market", value="share", title="Share", unit="%")
    assert chart.alt == "Horizontal bar chart ranking 3 items; CN 70.0%, US 20.0%, EU 10.0%."
    axes = chart.figure.axes[0]
    assert [t.get_text() for t in axes.get_yticklabels()] == ["CN", "US", "EU"]
    assert axes.get_xlabel() == "%"


def test_phase_counts_orders_phases_and_uses_integer_ticks():
    chart = charts.phase_counts(phases(), title="Pipeline")
    assert "Preclinical 3, Phase 1 3, Phase 3 4; 10 programmes in total" in chart.alt
    axes = chart.figure.axes[0]
    assert [t.get_text() for t in axes.get_xticklabels()] == ["Preclinical", "Phase 1", "Phase 3"]


def test_phase_counts_ticks_are_whole_numbers_even_for_small_counts():
    frame = pd.DataFrame({"Oncology": [1, 2]}, index=["Phase 1", "Phase 2"])
    axes = charts.phase_counts(frame, title="Pipeline").figure.axes[0]
    assert all(float(tick).is_integer() for tick in axes.get_yticks())


@pytest.mark.parametrize(
    "chart",
    [
        charts.revenue_trend(trend().head(0), title="Revenue", money_unit=MONEY),
        charts.stacked_revenue(
            mix().head(0),
            index="quarter",
            columns="therapy_area",
            values="revenue_m",
            title="Revenue",
            money_unit=MONEY,
        ),
        charts.horizontal_bars(
            pd.DataFrame({"product": ["A"], "revenue": [np.nan]}),
            label="product",
            value="revenue",
            title="Revenue",
            unit=MONEY,
        ),
        charts.phase_counts(pd.DataFrame(), title="Revenue"),
    ],
)
def test_empty_input_gives_a_no_data_chart(chart):
    assert chart.alt == "Revenue: no data to show."
    assert png_of(chart.html).startswith(PNG_SIGNATURE)


def test_colours_are_stable_and_distinct_for_therapy_areas():
    colours = [palette.color_for(area) for area in THERAPY_AREAS]
    assert len(set(colours)) == len(THERAPY_AREAS)
    assert colours == [palette.color_for(area) for area in THERAPY_AREAS]
    assert palette.color_for("HLX02") == palette.color_for("HLX02") in charts.PALETTE
    assert palette.color_for(palette.OTHER) == palette.OTHER_COLOR


def test_a_series_keeps_its_colour_across_charts():
    first = mix_chart()
    bars = {container.get_label(): container for container in first.figure.axes[0].containers}
    for area in THERAPY_AREAS:
        assert bars[area][0].get_facecolor() == to_rgba(palette.color_for(area))


@pytest.mark.slow
def test_figures_do_not_accumulate():
    for _ in range(3):
        for chart in every_chart():
            chart._repr_mimebundle_()
    assert plt.get_fignums() == []


def test_sparing_axis_layout_keeps_minor_ticks_off_major_ones_where_there_are_minor_ticks():
    figure = charts.new_figure(4, 3)
    axes = figure.add_subplot()
    axes.plot([0, 10], [0, 10])
    axes.xaxis.set_minor_locator(AutoMinorLocator())  # the y axis keeps matplotlib's none
    spare_axis_layout(figure)
    majors = set(np.round(axes.xaxis.get_majorticklocs(), 6))
    minors = set(np.round(axes.xaxis.get_minorticklocs(), 6))
    assert minors and not minors & majors  # a minor tick at a major one would be drawn twice
    assert axes.xaxis.remove_overlapping_locs
    assert not axes.yaxis.remove_overlapping_locs  # no minor ticks: nothing to take out
    assert axes.yaxis.get_minorticklocs().size == 0
