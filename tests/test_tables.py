"""Tables: every cell, header and caption escaped; formats by kind; numbers right-aligned."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from portfolio_reports.presentation.tables import (
    STACK_AFTER,
    Html,
    Table,
    bullet_list,
    heat_table,
    html_table,
)

SCRIPT = "<script>alert(1)</script>"
IMAGE = "<img src=x onerror=alert(1)>"


def cells(table: Table) -> list[list[str]]:
    """The inner HTML of each body cell, row by row."""
    rows = re.findall(r"<tr>(.*?)</tr>", table.html.split("<tbody>")[1])
    return [re.findall(r"<td [^>]*>(.*?)</td>", row) for row in rows]


def td_classes(table: Table) -> list[str]:
    """The class of each cell of the first body row."""
    first_row = table.html.split("<tbody>")[1].split("</tr>")[0]
    return re.findall(r'<td class="([\w ]+)"', first_row)


def assert_no_live_markup(html: str) -> None:
    assert "<script" not in html
    assert "<img" not in html
    assert "onerror=alert(1)>" not in html


def test_cells_headers_and_caption_are_escaped():
    frame = pd.DataFrame({SCRIPT: [IMAGE, "plain"], IMAGE: [SCRIPT, 1.0]})
    table = html_table(frame, columns={SCRIPT: IMAGE, IMAGE: SCRIPT}, caption=SCRIPT + IMAGE)
    html = table.html
    assert_no_live_markup(html)
    assert "<caption>&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x" in html
    assert '<th scope="col" class="text">&lt;img src=x onerror=alert(1)&gt;</th>' in html
    assert cells(table)[0] == [
        "&lt;img src=x onerror=alert(1)&gt;",
        "&lt;script&gt;alert(1)&lt;/script&gt;",
    ]


def test_columns_select_order_and_rename():
    frame = pd.DataFrame({"a": [1], "b": [2], "c": [3]})
    table = html_table(frame, columns={"c": "Third", "a": "First"})
    headers = re.findall(r"<th [^>]*>(.*?)</th>", table.html)
    assert headers == ["Third", "First"]
    assert cells(table) == [["3", "1"]]


def test_formats_by_kind():
    frame = pd.DataFrame(
        {
            "revenue": [1234.56, np.nan],
            "share": [0.1234, None],
            "growth": [0.1234, -0.01],
            "count": [12345, 7],
            "since": pd.to_datetime(["2025-07-01", None]),
            "approved": [True, False],
        }
    )
    table = html_table(
        frame,
        formats={"revenue": "money", "share": "percent", "growth": "signed_percent"},
    )
    assert cells(table) == [
        ["1,234.6", "12.3%", "+12.3%", "12,345", "2025-07-01", "yes"],
        ["n/a", "n/a", "-1.0%", "7", "", ""],
    ]


def test_numbers_are_right_aligned_and_text_left():
    frame = pd.DataFrame({"product": ["HLX02"], "revenue": [1.0], "growth": [0.1], "n": [3]})
    table = html_table(frame, formats={"growth": "signed_percent"})
    classes = td_classes(table)
    assert classes == ["text", "num", "num", "num"]
    assert re.findall(r'<th scope="col" class="(\w+)">', table.html) == classes


def test_explicit_format_overrides_the_inferred_one():
    frame = pd.DataFrame({"year": [2025], "code": [7.0]})
    table = html_table(frame, formats={"year": "text", "code": "int"})
    assert cells(table) == [["2025", "7"]]
    assert td_classes(table) == ["text", "num"]


@pytest.mark.parametrize(
    "address",
    [
        "javascript:alert(1)",
        " JavaScript:alert(document.cookie)",
        "java\tscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "//evil.example/x",
        "https://",
    ],
)
def test_only_http_addresses_become_links(address):
    table = html_table(pd.DataFrame({"source": [address]}), formats={"source": "url"})
    assert "<a " not in table.html
    assert "href" not in table.html
    assert_no_live_markup(table.html)


def test_http_addresses_become_safe_links():
    address = 'https://www.nmpa.gov.cn/news?id=1&x="><script>'
    table = html_table(pd.DataFrame({"source": [address, None]}), formats={"source": "url"})
    link = cells(table)[0][0]
    assert link == (
        '<a href="https://www.nmpa.gov.cn/news?id=1&amp;x=&quot;&gt;&lt;script&gt;" '
        'target="_blank" rel="noopener noreferrer">nmpa.gov.cn</a>'
    )
    assert cells(table)[1] == [""]


def test_empty_frame_gives_the_empty_paragraph():
    table = html_table(pd.DataFrame(), columns={"product": "Product"}, caption="Events")
    assert isinstance(table, Table)
    assert table.html == '<p class="empty">None this quarter.</p>'
    custom = html_table(pd.DataFrame({"a": []}), empty=f"No events {SCRIPT}")
    assert custom.html == '<p class="empty">No events &lt;script&gt;alert(1)&lt;/script&gt;</p>'


def test_caption_is_optional():
    assert "<caption>" not in html_table(pd.DataFrame({"a": [1]})).html


def test_unknown_column_or_format_is_named():
    frame = pd.DataFrame({"product": ["HLX02"]})
    with pytest.raises(ValueError, match="prodcut"):
        html_table(frame, columns={"prodcut": "Product"})
    with pytest.raises(ValueError, match="currency"):
        html_table(frame, formats={"product": "currency"})


def test_bullet_list_escapes_each_item():
    items = bullet_list([SCRIPT, "HLX02 approved in the US"])
    assert isinstance(items, Html)
    assert items.html == (
        "<ul><li>&lt;script&gt;alert(1)&lt;/script&gt;</li><li>HLX02 approved in the US</li></ul>"
    )
    assert bullet_list([]).html == '<p class="empty">None this quarter.</p>'


def test_dates_keep_one_line_and_preformatted_dates_pass_through():
    frame = pd.DataFrame({"date": ["2025-06-15 est."], "since": pd.to_datetime(["2025-07-01"])})
    table = html_table(frame, formats={"date": "date", "since": "date"})
    assert cells(table) == [["2025-06-15 est.", "2025-07-01"]]
    assert td_classes(table) == ["date", "date"]


def test_hazard_ratios_have_two_decimals():
    table = html_table(pd.DataFrame({"hr": [0.7, None]}), formats={"hr": "ratio"})
    assert cells(table) == [["0.70"], [""]]
    assert td_classes(table) == ["num"]


def test_wide_tables_label_each_cell_for_narrow_screens():
    narrow = html_table(pd.DataFrame({name: [1] for name in "abcd"[:STACK_AFTER]}))
    assert narrow.html.startswith('<table class="data">')
    assert "data-label" not in narrow.html
    wide = html_table(
        pd.DataFrame({name: [1] for name in "abcdef"}),
        columns={"a": SCRIPT, "b": "B", "c": "C", "d": "D", "e": "E"},
    )
    assert wide.html.startswith('<table class="data stack">')
    assert '<td class="num" data-label="&lt;script&gt;alert(1)&lt;/script&gt;">1</td>' in wide.html
    assert_no_live_markup(wide.html)


def area_grid() -> tuple[pd.DataFrame, pd.DataFrame]:
    index = pd.Index(["Oncology", SCRIPT], name="Therapy area")
    values = pd.DataFrame({"China": [1000.0, 10.0], "Europe": [50.0, 0.0]}, index=index)
    counts = pd.DataFrame({"China": [11, 1], "Europe": [0, 0]}, index=index)
    return values, counts


def test_heat_table_adds_totals_and_shades_cells_on_a_log_scale():
    values, counts = area_grid()
    table = heat_table(values, counts=counts, count_noun=("approval", "approvals"), caption="Mix")
    html = table.html
    assert html.startswith('<table class="data heat stack"><caption>Mix</caption>')
    headers = re.findall(r'<th scope="col"[^>]*>(.*?)</th>', html)
    assert headers == ["Therapy area", "China", "Europe", "Total"]
    rows = re.findall(r'<th scope="row" class="text">(.*?)</th>', html)
    assert rows == ["Oncology", "&lt;script&gt;alert(1)&lt;/script&gt;", "Total"]
    body = html.split("<tbody>")[1]
    assert re.findall(r'<td class="num ([\w-]+)"', body) == [
        *("heat-4", "heat-3", "total"),
        *("heat-2", "heat-0", "total"),
        *("total", "total", "total"),
    ]
    first = re.findall(r"<td [^>]*>(.*?)</td>", body)[0]
    assert first == (
        '<span class="heat-value">1,000.0</span><span class="heat-count">11 approvals</span>'
    )
    assert '<span class="heat-count">1 approval</span>' in body
    assert body.count('data-label="Europe"') == 3
    total = '<span class="heat-value">1,060.0</span><span class="heat-count">12 approvals</span>'
    assert total in body
    assert_no_live_markup(html)


def test_heat_table_without_data():
    assert heat_table(pd.DataFrame(), caption="Mix").html == '<p class="empty">No data.</p>'


def test_labels_keep_to_one_line():
    table = html_table(pd.DataFrame({"phase": ["Phase 3"]}), formats={"phase": "label"})
    assert cells(table) == [["Phase 3"]]
    assert td_classes(table) == ["label"]
