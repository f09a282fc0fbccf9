"""Only true sentences: each rule on the tiny data with hand-worked values, then on every page of
the sample's two latest quarters."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
import yaml

from portfolio_reports.analysis import key_figures, views
from portfolio_reports.analysis.revenue import as_shown
from portfolio_reports.analysis.scope import Scope
from portfolio_reports.data.dataset import Dataset, load_dataset
from portfolio_reports.data.quarters import Quarter
from portfolio_reports.notebook.report import ReportView
from portfolio_reports.presentation.formatting import money

from .conftest import PROJECT, SAMPLE_DATA

Q3 = Quarter(2025, 3)
SCOPE_KEYS = ("therapy_area", "disease_area", "market", "region")


def _with_sale(ds: Dataset, product: str, market: str, quarter: str, revenue: float) -> Dataset:
    sales = ds.sales.copy()
    row = (
        (sales["product"] == product) & (sales["market"] == market) & (sales["quarter"] == quarter)
    )
    sales.loc[row, "revenue_m"] = revenue
    return replace(ds, sales=sales)


def test_an_empty_movers_table_states_its_condition_and_the_largest_move(tiny_dataset):
    # US, Q3 2025: HLX02 sells 19.5 against 20 in Q2, a move of -0.5 (-2.5%), under the bar.
    data = _with_sale(tiny_dataset, "HLX02", "US", "2025Q3", 19.5)
    html = ReportView(data, Scope(market="US"), Q3).revenue_movers().html
    assert (
        "No product and market moved by at least RMB 1.0 m and 5% against Q2 2025; the largest"
        " move was HERCESSI (trastuzumab) in United States, -RMB 0.5 m (-2.5%)."
    ) in html
    assert "No revenue" not in html


def test_an_amount_shows_the_same_digits_however_it_was_summed():
    # 199.05 summed in two orders: one float just above it, one just below.
    above, below = 0.1 + 0.2 + 198.75, 198.75 + 0.2 + 0.1
    assert above != below
    assert as_shown(above) == as_shown(below) == 199.1
    assert money(above) == money(below) == "199.1"
    steps = views.bridge_steps(pd.Series({"A": 198.75, "B": 0.2, "C": 0.1}), pd.Series(dtype=float))
    assert steps["revenue_m"].iloc[-1] == 199.1


def test_a_bridge_shows_rounding_as_its_own_step_beside_other():
    # A to D each add 1.04 (shown +1.0); A and B named, Other is C + D = 2.08 (2.1); the total
    # 4.16 shows 4.2, so 0.1 is left by rounding: 1.0 + 1.0 + 2.1 + 0.1 = 4.2.
    current = pd.Series({"A": 1.04, "B": 1.04, "C": 1.04, "D": 1.04})
    steps = views.bridge_steps(current, pd.Series(dtype=float), keep=2)
    assert steps["step"].tolist() == ["start", "A", "B", views.OTHER, views.ROUNDING, "end"]
    assert steps["revenue_m"].tolist() == [0.0, 1.0, 1.0, 2.1, 0.1, 4.2]


def test_a_tile_marks_an_estimated_date(tiny_dataset):
    # The US deal moved to an estimated March 2024: no US sales by Q2 2024, so the page shows
    # its licence deals tile.
    events = tiny_dataset.regulatory_events.copy()
    deal = events["event_type"] == "licence deal"
    events.loc[deal, ["date", "date_precision", "estimated"]] = [
        pd.Timestamp("2024-03-15"),
        "month",
        True,
    ]
    data = replace(tiny_dataset, regulatory_events=events)
    html = ReportView(data, Scope(market="US"), Quarter(2024, 2)).kpi_strip().html
    assert "latest: HERCESSI US rights (Mar 2024 est.)" in html  # HLX02 by its US brand


def test_a_short_table_keeps_its_title(tiny_dataset):
    # Q2 2025: an approval and an IND, shown open, titled as their folded form would be.
    html = ReportView(tiny_dataset, Scope(), Quarter(2025, 2)).quarter_events().html
    assert html.startswith('<table class="data stack"><caption>2 events in Q2 2025</caption>')


def _rows(table: str) -> int:
    return len(re.findall(r"<tr>", table.split("<tbody>", 1)[1])) if "<tbody>" in table else 0


def check_page(html: str) -> list[str]:
    """Each broken rule of a page, in one line: untitled tables, folds that miscount."""
    problems = []
    html = re.sub(r"<details class=\"fold\"><summary>([^<]*)</summary>", r"<fold \1>", html)
    for match in re.finditer(r"<table[^>]*>(?!<caption>)", html):
        before = html[: match.start()]
        if not re.search(
            r"(<fold [^>]*>|<span class=\"chart-title\">[^<]+</span>.*</figcaption>)$", before
        ):
            problems.append(f"table without a title: {html[match.start() : match.start() + 120]}")
    for match in re.finditer(r"<fold Table: (\d[\d,]*) ([^>]*)>(<table.*?</table>)", html, re.S):
        count, table = int(match.group(1).replace(",", "")), match.group(3)
        if count != _rows(table):
            problems.append(f"fold says {count} {match.group(2)} over {_rows(table)} rows")
    if "No revenue this quarter or the previous one" in html:
        problems.append("movers: no revenue claimed")
    for cell in re.findall(r'data-label="Product">([^<]*)<', html):
        if re.search(r"\([^()]*\(", cell):
            problems.append(f"product cell in nested parentheses: {cell}")
    return problems


def product_cells_named_otherwise(html: str, names: pd.Series) -> list[str]:
    """Product cells of a page's tables that do not lead with the page's name for the product."""
    codes = sorted(names.index, key=len, reverse=True)  # HLX04-O before HLX04
    wrong = []
    for cell in re.findall(r'data-label="Product">([^<]*)<', html):
        code = next(
            (code for code in codes if re.search(rf"(^|\W){re.escape(code)}(\W|$)", cell)), None
        )
        if code is not None and not cell.startswith(str(names[code])):
            wrong.append(f"{cell} (the page calls {code} {names[code]})")
    return wrong


def test_a_products_table_cell_leads_with_the_pages_name_then_code_and_inn(tiny_dataset):
    frame = pd.DataFrame(
        {
            "product": ["HLX02", "HLX04", "X1", None],
            "inn": ["trastuzumab", "bevacizumab", "X1", None],
        }
    )
    names = pd.Series({"HLX02": "HANQUYOU", "HLX04": "HLX04", "X1": "X1"})
    cells = views.product_cells(frame, names)
    assert cells.tolist()[:3] == [
        "HANQUYOU (HLX02, trastuzumab)",  # a brand, then the code and INN it stands for
        "HLX04 (bevacizumab)",  # no brand: the code, then the INN
        "X1",  # nothing more to say
    ]
    assert pd.isna(cells.iloc[3])  # a row naming no product
    # The US page of the tiny data calls HLX02 by its US brand in every table.
    view = ReportView(tiny_dataset, Scope(market="US"), Q3)
    names = views.display_names(tiny_dataset, Scope(market="US"), Q3)
    assert names["HLX02"] == "HERCESSI"
    for section in (view.pipeline_table(), view.catalysts(), view.appendix(), view.phase_moves()):
        assert "HERCESSI (HLX02, trastuzumab)" in section.html
        assert product_cells_named_otherwise(section.html, names) == []
    breakdown = ReportView(tiny_dataset, Scope(), Q3).revenue_breakdown("product").html
    assert "HANQUYOU (HLX02, trastuzumab)" in breakdown
    assert check_page(breakdown) == []


def test_check_page_finds_each_broken_rule():
    untitled = '<h2>Record</h2><table class="data"><thead></thead><tbody><tr></tr></tbody></table>'
    miscounted = (
        '<details class="fold"><summary>Table: 8 results reported in Q3 2026</summary>'
        '<table class="data"><thead></thead><tbody><tr></tr><tr></tr></tbody></table></details>'
    )
    assert len(check_page(untitled)) == 1
    assert check_page(miscounted) == ["fold says 8 results reported in Q3 2026 over 2 rows"]


def _scopes() -> list[tuple[str, Scope]]:
    found = []
    for path in sorted((PROJECT / "params").glob("*.yaml")):
        values = yaml.safe_load(path.read_text(encoding="utf-8")).get("parameters") or {}
        found.append((path.stem, Scope(**{key: values.get(key) for key in SCOPE_KEYS})))
    return found


@pytest.fixture(scope="module")
def sample() -> Dataset:
    return load_dataset(SAMPLE_DATA)


@pytest.mark.slow  # every section of every sample page
@pytest.mark.parametrize("quarter", [Quarter(2026, 2), Quarter(2026, 3)], ids=str)
def test_every_sample_page_section_holds_the_rules(sample, quarter):
    problems = []
    for name, scope in _scopes():
        view = ReportView(sample, scope, quarter)
        sections = [
            view.revenue_movers(),
            view.revenue_table(),
            view.quarter_events(),
            view.readouts(),
            view.filings_under_review(),
            view.catalysts(),
            view.pipeline_table(),
            view.phase_moves(),
            view.changes(),
        ]
        problems += [f"{name}: {line}" for part in sections for line in check_page(part.html)]
        names = views.display_names(sample, scope, quarter)
        # Movers name each row by its market's brand (VIEW_DEFINITIONS "market brand").
        for part in [*sections[1:], view.appendix(), view.revenue_breakdown("product")]:
            problems += [
                f"{name}: {cell}" for cell in product_cells_named_otherwise(part.html, names)
            ]
        if key_figures.has_sales(sample, scope, quarter):
            tile = money(key_figures.quarter_sales(sample, scope, quarter)["revenue_m"])
            for base in views.BASES:
                end = views.revenue_bridge(sample, scope, quarter, base)["revenue_m"].iloc[-1]
                if money(end) != tile:
                    problems.append(f"{name}: tile {tile}, {base} bridge {money(end)}")
    assert problems == []


@pytest.mark.slow
def test_every_built_page_holds_the_rules(sample_build):
    out, process = sample_build
    assert process.returncode == 0, process.stderr
    pages = sorted(Path(out).glob("*/*.html"))
    pages = [page for page in pages if page.name != "index.html"]
    assert pages
    problems = [
        f"{page.name}: {line}"
        for page in pages
        for line in check_page(page.read_text(encoding="utf-8"))
    ]
    assert problems == []


@pytest.mark.slow
def test_a_market_without_product_sales_opens_its_commercial_part_with_that_condition(
    sample_build,
):
    out, process = sample_build
    assert process.returncode == 0, process.stderr
    latest = max(Path(out).glob("*Q*"))  # the sample's latest quarter, Q3 2026
    opening = "Product sales, eight quarters with growth on a year earlier"

    def commercial(report: str) -> str:
        html = (latest / f"{report}.html").read_text(encoding="utf-8")
        return html[html.index('id="Commercial"') : html.index('id="Pipeline"')]

    # Japan's only income is Eisai's licence income: no product sales from Q4 2024 to Q3 2026.
    japan = commercial("market-jp")
    assert opening not in japan
    assert (
        "Japan had no product sales from Q4 2024 to Q3 2026: this part lists its income other"
        " than product sales."
    ) in japan
    assert "Eisai" in japan
    us = commercial("market-us")
    assert opening in us and "No product sales" not in us
