"""Sections in Jupyter: in a box with the rules Jupyter would override; the page drops the box."""

from __future__ import annotations

import pandas as pd
import pytest
from nbformat import v4

from portfolio_reports.data.company import Money
from portfolio_reports.presentation import charts
from portfolio_reports.presentation.columns import column_table
from portfolio_reports.presentation.render import render_report
from portfolio_reports.presentation.tables import NOTEBOOK_BOX, Table, for_report, in_notebook

from .test_render import page_info, report_notebook

MONEY = Money("RMB", "m")

JUPYTERLAB_RULES = """
:not(.jp-RenderedMarkdown).jp-RenderedHTMLCommon td,
:not(.jp-RenderedMarkdown).jp-RenderedHTMLCommon th,
:not(.jp-RenderedMarkdown).jp-RenderedHTMLCommon tr { text-align: right; }
.jp-RenderedHTMLCommon td, .jp-RenderedHTMLCommon th { white-space: normal; }
"""
"""JupyterLab 4's rules for tables in an output (jlab_core's stylesheet) that ours must beat."""


def table() -> Table:
    frame = pd.DataFrame({"market": ["CN", "Latin America"], "revenue_m": [1234.5, 7.0]})
    return column_table(frame, ["market", "revenue_m"], money=MONEY, caption="Product sales")


def chart() -> charts.Chart:
    frame = pd.DataFrame({"product": ["HLX02", "HLX10"], "revenue_m": [3.0, 1.0]})
    drawn = charts.horizontal_bars(
        frame, label="product", value="revenue_m", title="Top products", unit=MONEY
    )
    return charts.Chart(drawn.figure, drawn.title, drawn.alt, note="Product sales, RMB m.")


def test_a_fragment_stands_in_its_box_in_jupyter_and_leaves_it_for_the_page():
    shown = table()
    boxed = shown._repr_html_()
    assert boxed.startswith(f'<div class="{NOTEBOOK_BOX}"><style>')
    assert boxed.count("<style>") == 1 and boxed.endswith("</div>")
    assert for_report(boxed) == shown.html
    assert for_report(shown.html) == shown.html  # an output of an older build stays as it was
    assert in_notebook("") == ""  # an empty section stays empty: the page leaves out its heading
    drawn = chart()
    assert for_report(drawn._repr_html_()) == drawn.html


def test_the_page_of_boxed_outputs_equals_the_page_of_bare_ones():
    def cell(html: str) -> object:
        output = v4.new_output("display_data", data={"text/html": html, "text/plain": "t"})
        return v4.new_code_cell("report.revenue_table()", execution_count=9, outputs=[output])

    shown = table()
    boxed = render_report(report_notebook(cell(shown._repr_html_())), page_info()).html
    bare = render_report(report_notebook(cell(shown.html)), page_info()).html
    assert boxed == bare
    assert NOTEBOOK_BOX not in boxed


@pytest.mark.slow
@pytest.mark.browser
def test_under_jupyterlabs_rules_text_is_left_numbers_right_and_a_note_under_its_title(
    browser, tmp_path
):
    page = tmp_path / "output.html"
    page.write_text(
        f"<!doctype html><style>{JUPYTERLAB_RULES}</style>"
        f'<div class="jp-RenderedHTMLCommon">{table()._repr_html_()}{chart()._repr_html_()}</div>',
        encoding="utf-8",
    )
    visit = browser.visit(page, 1280)
    try:
        align = visit.page.eval_on_selector_all(
            "td, th", "cells => cells.map(c => [c.className, getComputedStyle(c).textAlign])"
        )
        title, note = (
            visit.page.eval_on_selector(selector, "e => e.getBoundingClientRect().toJSON()")
            for selector in (".chart-title", ".chart-note")
        )
    finally:
        visit.close()
    assert {cls: how for cls, how in align} == {"text": "left", "num": "right"}
    assert note["top"] >= title["bottom"]  # the note on a line of its own, under the title
