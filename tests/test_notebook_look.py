"""Sections in Jupyter: in a box, the rules Jupyter lacks inlined; the page takes its own HTML."""

from __future__ import annotations

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from nbformat import v4

from portfolio_reports.data.company import Money
from portfolio_reports.presentation import charts
from portfolio_reports.presentation.columns import column_table
from portfolio_reports.presentation.kpi_strip import Tile, kpi_strip
from portfolio_reports.presentation.render import render_report
from portfolio_reports.presentation.tables import (
    NOTEBOOK_BOX,
    Table,
    for_report,
    notebook_outputs,
)

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
    return charts.Chart(drawn.draw, drawn.title, drawn.alt, note="Product sales, RMB m.")


def test_jupyter_shows_a_fragment_in_its_box_with_inline_rules_and_the_page_takes_its_own():
    shown = table()
    outputs = shown._repr_mimebundle_()
    boxed = outputs["text/html"]
    assert boxed.startswith(f'<div class="{NOTEBOOK_BOX}">') and boxed.endswith("</div>")
    assert "<style" not in boxed  # JupyterLab strips <style> from untrusted notebooks
    cells = BeautifulSoup(boxed, "html.parser").select("td")
    aligned = {" ".join(cell["class"]): cell["style"].split(";") for cell in cells}
    assert "text-align: right" in aligned["num"] and "text-align: left" in aligned["text"]
    assert for_report(outputs) == shown.html
    assert for_report({"text/html": shown.html}) == shown.html  # a bare output stays as it was
    older = f'<div class="{NOTEBOOK_BOX}"><style>.x{{color:red}}</style>{shown.html}</div>'
    assert for_report({"text/html": older}) == shown.html  # an older build's box comes off
    assert notebook_outputs("") == {"text/html": ""}  # an empty section stays empty
    drawn = chart()
    assert for_report(drawn._repr_mimebundle_()) == drawn.html


def test_the_key_figures_are_tiles_in_jupyter_their_definitions_on_hover():
    strip = kpi_strip(
        [Tile("Sales", "RMB 12.0 m", "+5% QoQ", "Sales of the quarter.")] * 2, caption="Key"
    )
    shown = BeautifulSoup(strip._repr_mimebundle_()["text/html"], "html.parser")
    assert "display: flex" in shown.select_one("dl")["style"]
    tiles = shown.select("div.kpi")
    assert len(tiles) == 2 and all("border-top: 3px solid" in tile["style"] for tile in tiles)
    assert all(tile["title"] == "Sales of the quarter." for tile in tiles)
    assert all("display: none" in dd["style"] for dd in shown.select("dd.kpi-definition"))


def test_hostile_text_stays_inert_in_the_notebook_html():
    frame = pd.DataFrame({"market": ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"]})
    shown = column_table(frame, ["market"], caption="<b>caption</b>")._repr_mimebundle_()
    parsed = BeautifulSoup(shown["text/html"], "html.parser")
    assert not parsed.select("script, img, b")
    assert "<script>alert(1)</script>" in parsed.get_text()


def test_the_page_of_boxed_outputs_equals_the_page_of_bare_ones():
    def cell(data: dict) -> object:
        output = v4.new_output("display_data", data={**data, "text/plain": "t"})
        return v4.new_code_cell("report.revenue_table()", execution_count=9, outputs=[output])

    shown = table()
    boxed = render_report(report_notebook(cell(shown._repr_mimebundle_())), page_info()).html
    bare = render_report(report_notebook(cell({"text/html": shown.html})), page_info()).html
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
        '<div class="jp-RenderedHTMLCommon">'
        f"{table()._repr_mimebundle_()['text/html']}{chart()._repr_mimebundle_()['text/html']}"
        "</div>",
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
