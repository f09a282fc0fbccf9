"""Report pages and index pages: no code, nothing fetched from elsewhere, escaped, stable."""

import base64
import copy
import random
from html.parser import HTMLParser

import nbformat
import pytest
from bs4 import BeautifulSoup
from nbformat import v4

from portfolio_reports.errors import RenderError
from portfolio_reports.presentation.figures import FIGURES_MIME
from portfolio_reports.presentation.pages import (
    BUILD_TIME_KEY,
    QUARTER_LINKS,
    IndexEntry,
    NavLink,
    PageInfo,
    QuarterLinks,
    glossary_html,
    quarter_index_html,
    quarter_links_html,
    quarters_index_html,
    replace_block,
)
from portfolio_reports.presentation.render import render_report
from portfolio_reports.presentation.tables import GLOSSARY_CLASS

HOSTILE = "<script>alert(1)</script>"
ESCAPED_HOSTILE = "&lt;script&gt;alert(1)&lt;/script&gt;"
CHART = (
    '<figure class="chart"><img src="data:image/png;base64,iVBORw0KGgo=" '
    'alt="Revenue by quarter, RMB m"><figcaption>Revenue by quarter</figcaption></figure>'
)


class Page(HTMLParser):
    """A parsed page: its start and end tags in order, with their attributes."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        self.tags.append((f"/{tag}", {}))

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]

    def ids(self) -> list[str]:
        return [attrs["id"] for _, attrs in self.tags if attrs.get("id")]

    def toc_hrefs(self) -> list[str]:
        inside, hrefs = False, []
        for name, attrs in self.tags:
            if name in ("nav", "/nav"):
                inside = "toc" in (attrs.get("class") or "")
            elif name == "a" and inside:
                hrefs.append(attrs["href"])
        return hrefs


def png(size: int, seed: int) -> str:
    """Base64 of `size` incompressible bytes, standing in for a chart PNG."""
    return base64.b64encode(random.Random(seed).randbytes(size)).decode()


def report_notebook(*extra_cells: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A small executed report notebook with every kind of cell and output we meet."""
    notebook = v4.new_notebook()
    notebook.cells = [
        v4.new_markdown_cell("# Therapy-area report\n\nWhat changed this quarter."),
        v4.new_code_cell(
            'quarter = "2025Q1"\ntherapy_area = "All"', metadata={"tags": ["parameters"]}
        ),
        v4.new_code_cell('quarter = "2026Q3"', metadata={"tags": ["injected-parameters"]}),
        v4.new_code_cell("from portfolio_reports import charts, tables"),
        v4.new_markdown_cell("## Sales & mix\n\nRevenue by quarter.\n\n### Détail (by phase)"),
        v4.new_code_cell(
            "tables.show_revenue(ds)",
            execution_count=3,
            outputs=[
                v4.new_output(
                    "display_data",
                    data={
                        "text/html": "<table><tr><th>Quarter</th></tr></table>",
                        "text/plain": "t",
                    },
                ),
                v4.new_output("stream", name="stderr", text="UserWarning: hidden warning\n"),
            ],
        ),
        v4.new_markdown_cell("## Pipeline\n\n### Détail (by phase)"),
        v4.new_code_cell(
            "charts.pipeline(ds)",
            execution_count=4,
            outputs=[
                v4.new_output(
                    "execute_result",
                    data={"text/html": CHART, "text/plain": "<Figure>"},
                    execution_count=4,
                ),
                v4.new_output("display_data", data={"image/png": png(300, 0), "text/plain": "p"}),
            ],
        ),
        v4.new_code_cell(
            "charts.readouts(ds)",
            execution_count=5,
            outputs=[
                v4.new_output(
                    "error",
                    ename="KeyError",
                    evalue=f"'{HOSTILE}'\nsecond line",
                    traceback=["\x1b[31mTraceback (most recent call last)", "  File secret.py"],
                )
            ],
        ),
        *extra_cells,
    ]
    return notebook


def page_info(**changes: object) -> PageInfo:
    """Page information for a therapy-area report, with optional changes."""
    fields = {
        "title": "Lung cancer",
        "subtitle": "Therapy-area report · Q3 2026",
        "quarter": "2026Q3",
        "data_as_of": "2026-09-30",
        "provenance": {
            "parameters": "therapy_area='Lung cancer'",
            "data fingerprint": "sha256:0f3c9a",
            BUILD_TIME_KEY: "2026-10-02 08:15 UTC",
        },
    }
    return PageInfo(**{**fields, **changes})


@pytest.fixture(scope="module")
def report_html() -> str:
    return render_report(report_notebook(), page_info()).html


def test_report_shows_no_code_parameters_or_prompts(report_html):
    for source in ('quarter = "2026Q3"', 'quarter = "2025Q1"', "therapy_area = ", "import"):
        assert source not in report_html
    assert "tables.show_revenue" not in report_html
    assert "In&nbsp;[" not in report_html
    assert "Out[" not in report_html


def test_report_hides_stderr_and_tracebacks_but_names_the_error(report_html):
    assert "UserWarning" not in report_html
    assert "Traceback" not in report_html
    assert "secret.py" not in report_html
    assert "second line" not in report_html
    assert f"KeyError: &#39;{ESCAPED_HOSTILE}&#39;" in report_html
    assert HOSTILE not in report_html
    assert "did not run to completion" in report_html


def test_report_keeps_html_outputs_and_images(report_html):
    page = Page(report_html)
    assert '<figure class="chart">' in report_html
    assert "<figcaption>Revenue by quarter</figcaption>" in report_html
    assert {"alt": "Revenue by quarter, RMB m", "src": "data:image/png;base64,iVBORw0KGgo="} in (
        page.all("img")
    )
    assert "<th>Quarter</th>" in report_html
    assert {
        "alt": "An image without a description",
        "src": "data:image/png;base64," + png(300, 0),
    } in (page.all("img"))


def test_report_header_replaces_notebook_title(report_html):
    page = Page(report_html)
    assert len(page.all("h1")) == 1
    assert "<h1>Lung cancer</h1>" in report_html
    assert "Therapy-area report" in report_html  # the subtitle
    assert "Data as of 2026-09-30" in report_html
    assert "What changed this quarter." in report_html


def test_toc_links_to_unique_heading_ids_that_exist(report_html):
    page = Page(report_html)
    hrefs = page.toc_hrefs()
    assert len(hrefs) == 4
    assert len(set(hrefs)) == 4
    assert all(href.startswith("#") for href in hrefs)
    assert {href[1:] for href in hrefs} <= set(page.ids())
    assert len(page.ids()) == len(set(page.ids()))
    anchor_links = [a["href"] for a in page.all("a") if a.get("class") == "anchor-link"]
    assert anchor_links == hrefs
    assert "Détail (by phase)</a>" in report_html


def test_report_requests_nothing_from_other_hosts(report_html):
    page = Page(report_html)
    for tag in ("script", "link", "iframe", "object", "embed", "base"):
        assert page.all(tag) == []
    sources = [attrs["src"] for _, attrs in page.tags if "src" in attrs]
    assert sources
    assert all(source.startswith("data:") for source in sources)
    assert "@import" not in report_html
    assert "url(" not in report_html
    assert "mathjax" not in report_html.lower()
    assert "Content-Security-Policy" in report_html
    assert "<style>" in report_html


def test_markdown_images_of_local_files_are_not_embedded(tmp_path):
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"not for the report")
    notebook = report_notebook(v4.new_markdown_cell(f"![chart]({secret})"))
    html = render_report(notebook, page_info()).html
    assert base64.b64encode(secret.read_bytes()).decode() not in html
    assert "img-src data:" in html  # the page's policy blocks loading the file


def test_provenance_footer_lists_entries_and_build_time(report_html):
    footer = report_html[report_html.index('<footer class="provenance">') :]
    assert "<dt>data fingerprint</dt>" in footer
    assert "<dd>sha256:0f3c9a</dd>" in footer
    assert "Built <strong>2026-10-02 08:15 UTC</strong>" in footer
    assert f"<dt>{BUILD_TIME_KEY}</dt>" not in footer


def test_page_info_is_escaped():
    page = page_info(
        title=HOSTILE,
        subtitle=HOSTILE,
        quarter=HOSTILE,
        data_as_of=HOSTILE,
        provenance={HOSTILE: HOSTILE, BUILD_TIME_KEY: HOSTILE},
    )
    html = render_report(report_notebook(), page).html
    assert HOSTILE not in html
    assert html.count(ESCAPED_HOSTILE) >= 8


def test_render_is_deterministic_and_leaves_the_notebook_alone():
    notebook = report_notebook()
    before = copy.deepcopy(notebook)
    first = render_report(notebook, page_info()).html
    second = render_report(copy.deepcopy(before), page_info()).html
    assert first == second
    assert notebook == before


def test_report_with_four_charts_stays_small():
    charts = [
        v4.new_code_cell(
            f"charts.chart_{n}(ds)",
            outputs=[v4.new_output("display_data", data={"image/png": png(35_000, n)})],
        )
        for n in range(4)
    ]
    html = render_report(report_notebook(*charts), page_info()).html
    payload = sum(len(png(35_000, n)) for n in range(4))
    assert len(html.encode()) < 250_000
    assert len(html.encode()) - payload < 24_000  # the inlined stylesheet, print rules too


def test_malformed_notebook_raises_render_error():
    notebook = report_notebook()
    notebook.cells[-1].outputs.append(nbformat.from_dict({"output_type": "stream"}))
    with pytest.raises(RenderError, match="Lung cancer"):
        render_report(notebook, page_info())


def entry(name: str, group: str, status: str = "ok", **changes: object) -> IndexEntry:
    """An index entry with plausible defaults."""
    fields = {
        "name": name,
        "title": name.replace("_", " ").capitalize(),
        "group": group,
        "status": status,
        "key_figure": "Revenue RMB 1,234.5 m (+3.2% QoQ)" if status == "ok" else "",
        "error": "ValueError: unknown market 'Mars'" if status == "failed" else "",
        "duration_s": 12.34,
    }
    return IndexEntry(**{**fields, **changes})


def test_quarter_index_nests_drill_downs_and_logs_the_build_at_the_bottom():
    lung = entry("lung_cancer", "Therapy areas", duration_s=125.0)
    breast = entry("breast_cancer", "Therapy areas", "skipped")
    entries = [
        entry("portfolio_overview", "Portfolio"),
        entry("oncology", "Therapy areas", children=(lung, breast)),
        entry("china", "Markets", "failed", duration_s=None),
    ]
    html = quarter_index_html(
        "2026Q3",
        entries,
        quarters=QuarterLinks("index.html", previous="2026Q2"),
        built_at="2026-10-02",
        company="Tiny Biotech",
    )
    page = Page(html)
    assert "<h1>Tiny Biotech · Portfolio reports · 2026Q3</h1>" in html
    hrefs = [a["href"] for a in page.all("a")]
    assert hrefs == [
        "../index.html",
        "../2026Q2/index.html",
        "glossary.html",
        "portfolio_overview.html",
        "oncology.html",
        "lung_cancer.html",
        "breast_cancer.html",
        "china.html",
    ]
    soup = BeautifulSoup(html, "html.parser")
    oncology = soup.find("a", href="oncology.html").find_parent("li")
    nested = [a["href"] for a in oncology.find("ul", class_="drill-downs").find_all("a")]
    assert nested == ["lung_cancer.html", "breast_cancer.html"]
    assert [span["class"] for span in page.all("span") if "badge" in span["class"]] == [
        "badge badge-failed"
    ]
    log = soup.find("section", class_="build-log")
    assert log is soup.find("main").find_all("section")[-1]
    rows = [[cell.get_text() for cell in row.find_all(["th", "td"])] for row in log.tbody("tr")]
    assert rows == [
        ["Portfolio overview", "ok", "12.3 s"],
        ["Oncology", "ok", "12.3 s"],
        ["Lung cancer", "ok", "2 min 05 s"],
        ["Breast cancer", "skipped", "—"],
        ["China", "failed", "—"],
    ]
    assert "5 reports · Built 2026-10-02" in html
    assert "3 ok · 1 failed · 1 skipped" in log.get_text()
    assert "ValueError: unknown market &#39;Mars&#39;" in html
    assert "Revenue RMB 1,234.5 m (+3.2% QoQ)" in html
    assert page.all("script") == []
    assert page.all("link") == []


def test_quarter_index_links_only_the_quarters_that_are_published():
    alone = quarter_index_html(
        "2025Q1",
        [entry("a", "Portfolio")],
        quarters=QuarterLinks("index.html"),
        built_at="x",
        company="Tiny Biotech",
    )
    assert [a["href"] for a in Page(alone).all("a")] == ["../index.html", "glossary.html", "a.html"]
    both = quarter_index_html(
        "2025Q1",
        [entry("a", "Portfolio")],
        quarters=QuarterLinks("index.html", previous="2024Q4", next="2025Q2"),
        built_at="x",
        company="Tiny Biotech",
    )
    assert [a["href"] for a in Page(both).all("a")][:3] == [
        "../index.html",
        "../2024Q4/index.html",
        "../2025Q2/index.html",
    ]


def test_quarter_index_escapes_entries():
    hostile = entry(HOSTILE, HOSTILE, "failed", title=HOSTILE, key_figure=HOSTILE, error=HOSTILE)
    html = quarter_index_html(
        HOSTILE,
        [hostile],
        quarters=QuarterLinks("index.html", HOSTILE, HOSTILE),
        built_at=HOSTILE,
        company="Tiny Biotech",
    )
    assert HOSTILE not in html
    assert Page(html).all("script") == []
    assert all("<" not in a["href"] for a in Page(html).all("a"))


def test_quarters_index_lists_quarters_newest_first():
    html = quarters_index_html([("2026Q3", 11, 1), ("2026Q2", 12, 0)], "Tiny Biotech")
    page = Page(html)
    assert [a["href"] for a in page.all("a")] == ["2026Q3/index.html", "2026Q2/index.html"]
    assert "11 ok" in html
    assert "1 failed" in html
    assert html.count("failed</span>") == 1
    assert page.all("script") == []
    assert "No reports" in quarters_index_html([], "Tiny Biotech")


def test_a_page_published_on_its_own_has_no_link_to_an_index():
    linked = render_report(report_notebook(), page_info()).html
    assert '<nav class="crumbs" aria-label="Quarters"><a href="index.html">' in linked
    alone = render_report(report_notebook(), page_info(index=None)).html
    assert 'class="crumbs"' not in alone
    assert "index.html" not in alone


def test_a_pages_figures_are_left_out_of_the_page_but_not_the_cells_around_them():
    figures = v4.new_code_cell(
        "report.figures()",
        execution_count=6,
        outputs=[
            v4.new_output(
                "execute_result",
                data={FIGURES_MIME: {"revenue_m": 98765.4}},
                execution_count=6,
            )
        ],
    )
    html = render_report(report_notebook(figures), page_info()).html
    assert "98765.4" not in html
    assert "report.figures" not in html
    assert html.count('class="output') == render_report(report_notebook(), page_info()).html.count(
        'class="output'
    )


def test_quarter_index_lists_broken_identities_escaped_in_a_reconciliation_box():
    problems = ["therapy areas sum to Whole portfolio: a 1.0 = RMB 1.0 m", HOSTILE]
    html = quarter_index_html(
        "2026Q3",
        [entry("a", "Portfolio")],
        quarters=QuarterLinks("index.html"),
        built_at="x",
        reconciliation=problems,
        company="Tiny Biotech",
    )
    box = BeautifulSoup(html, "html.parser").find("section", class_="reconciliation")
    assert box.find("h2").get_text() == "Reconciliation"
    assert [item.get_text() for item in box.find_all("li")] == problems
    assert HOSTILE not in html
    agreed = quarter_index_html(
        "2026Q3",
        [entry("a", "Portfolio")],
        quarters=QuarterLinks("index.html"),
        built_at="x",
        company="Tiny Biotech",
    )
    assert "Reconciliation" not in agreed


def html_cell(source: str, html: str, execution_count: int) -> nbformat.NotebookNode:
    """A code cell whose one output is this HTML."""
    return v4.new_code_cell(
        source,
        execution_count=execution_count,
        outputs=[v4.new_output("display_data", data={"text/html": html, "text/plain": source})],
    )


def table_cell(caption: str, labels: list[str]) -> nbformat.NotebookNode:
    """A code cell showing a table with a caption and one row per label."""
    rows = "".join(f"<tr><th>{label}</th><td>1.0</td></tr>" for label in labels)
    return html_cell(
        "show()", f"<table><caption>{caption}</caption><tbody>{rows}</tbody></table>", 9
    )


def test_revenue_table_rows_link_to_their_drill_down_reports_only():
    notebook = report_notebook(
        table_cell("Product sales by region, Q3 2026", ["China", "Europe", "Latin America"]),
        table_cell("Approvals by market", ["China"]),
    )
    drill_downs = (("China", "market-cn.html"), ("Latin America", "region-latin-america.html"))
    rendered = render_report(notebook, page_info(drill_downs=drill_downs))
    soup = BeautifulSoup(rendered.html, "html.parser")
    revenue, approvals = soup.find_all("table")[-2:]
    assert rendered.row_labels == ("China", "Europe", "Latin America")
    assert [(a.get_text(), a["href"]) for a in revenue.find_all("a")] == [
        ("China", "market-cn.html"),
        ("Latin America", "region-latin-america.html"),
    ]
    assert approvals.find_all("a") == []


def test_a_picture_keeps_its_image_beside_its_sources_and_text_as_written():
    figure = (
        '<figure><picture><source media="(max-width: 40rem)" srcset="data:image/png;base64,QQ==">'
        '<img src="data:image/png;base64,Qg==" alt="Sales &amp; share"></picture>'
        "<figcaption>R&amp;D&nbsp;spend &lt;5%</figcaption></figure>"
    )
    page = render_report(report_notebook(html_cell("show()", figure, 9)), page_info()).html
    assert "</source>" not in page  # a void element, written without an end tag
    soup = BeautifulSoup(page, "html.parser")
    picture = soup.find("picture")
    assert picture.find("source").find_all(True) == []  # HTML's source holds nothing
    assert [child.name for child in picture.children] == ["source", "img"]
    assert picture.find("img")["alt"] == "Sales & share"
    assert picture.find_next("figcaption").get_text() == "R&D\xa0spend <5%"


def test_the_appendix_and_long_tables_are_left_out_of_print_with_a_note():
    notebook = report_notebook(
        table_cell("Short", ["a"] * 12),
        table_cell("Long", ["b"] * 13),
        v4.new_markdown_cell("## Appendix\n\nThe record to date."),
        table_cell("History", ["c"] * 3),
    )
    soup = BeautifulSoup(render_report(notebook, page_info()).html, "html.parser")
    omitted = [caption.get_text() for caption in soup.select(".print-omit caption")]
    assert omitted == ["Long", "History"]
    assert soup.find("h2", id="Appendix").find_parent(class_="print-omit") is not None
    assert [note.get_text() for note in soup.select(".print-only")] == [
        "A table of 13 rows here is in the HTML report only."
    ]


def printed(cell: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The cell tagged to print."""
    cell.metadata["tags"] = ["print"]
    return cell


def glossary_cell(terms: dict[str, str]) -> nbformat.NotebookNode:
    """A code cell showing a folded glossary of these terms, as `report.glossary()` does."""
    rows = "".join(
        f"<tr><td>{term}</td><td>{sentence}</td></tr>" for term, sentence in terms.items()
    )
    html = (
        f'<details class="{GLOSSARY_CLASS}"><summary>Definitions</summary>'
        f"<table><caption>Terms used on this page</caption><tbody>{rows}</tbody></table></details>"
    )
    return html_cell("report.glossary()", html, 10)


def test_a_chosen_print_set_prints_only_its_cells_and_names_the_rest_in_a_closing_line():
    notebook = report_notebook(
        v4.new_markdown_cell("## Commercial"),
        printed(table_cell("Product sales by product", ["a"] * 20)),
        table_cell("Product sales by market", ["b"]),
        v4.new_markdown_cell("## Appendix\n\nOpen a part to read it."),
        v4.new_markdown_cell("### Record"),
        table_cell("Approvals to date", ["c"]),
        printed(v4.new_code_cell("report.filings_under_review()")),  # none: shows nothing
        v4.new_markdown_cell("## Definitions"),
        printed(
            glossary_cell({"Mix": "Mix is a share.", "QoQ, YoY": "Growth.", "Brand": "A name."})
        ),
    )
    html = render_report(notebook, page_info()).html
    soup = BeautifulSoup(html, "html.parser")
    assert "print-set" in soup.find("main")["class"]
    kept = [
        part.find(["h2", "h3", "caption"]).get_text(strip=True).rstrip("¶")
        for part in soup.find("main").find_all("div", recursive=False)
        if "print-omit" not in part["class"] and part.find(["h2", "h3", "caption"])
    ]
    # a chosen table prints whole, however long; the appendix heading never prints
    assert kept == [
        "Commercial",
        "Product sales by product",
        "Definitions",
        "Terms used on this page",
    ]
    closing = soup.find("p", class_="html-only").get_text()
    assert closing == (
        "In the HTML report: Sales & mix; Pipeline; Product sales by market; Record."
    )
    assert soup.select(".print-only:not(.html-only)") == []  # no "rows in the HTML" notes


def test_a_pages_glossary_keeps_the_terms_it_shows_and_in_print_those_it_prints():
    notebook = report_notebook(
        printed(table_cell("Mix by product", ["a"])),
        table_cell("Growth", ["YoY"]),
        printed(
            glossary_cell({"Mix": "Mix is a share.", "QoQ, YoY": "Growth.", "Brand": "A name."})
        ),
    )
    soup = BeautifulSoup(render_report(notebook, page_info()).html, "html.parser")
    block = soup.find("details", class_=GLOSSARY_CLASS)
    rows = {row.td.get_text(): "print-omit" in row.get("class", []) for row in block("tr")}
    assert rows == {"Mix": False, "QoQ, YoY": True}  # Brand is nowhere; YoY only on screen
    assert block.find("a", href="glossary.html").get_text() == "Every term of the quarter's reports"
    alone = render_report(notebook, page_info(index=None)).html
    assert "glossary.html" not in alone


def test_the_quarter_glossary_page_defines_every_term_once():
    html = glossary_html(
        "2026Q3", "Tiny Biotech", {"Mix": "Mix is a share.", "QoQ, YoY": "Growth."}
    )
    soup = BeautifulSoup(html, "html.parser")
    assert [(dt.get_text(), dt.find_next("dd").get_text()) for dt in soup("dt")] == [
        ("Mix", "Mix is a share."),
        ("QoQ, YoY", "Growth."),
    ]
    assert soup.find("a", href="index.html") is not None
    assert "<h1>Definitions · 2026Q3</h1>" in html


def test_related_and_quarter_links_are_blocks_a_later_build_can_replace():
    page = page_info(
        related=(NavLink("oncology.html", "Oncology", "contains this report"),),
        quarters=QuarterLinks("lung.html", previous="2026Q2"),
    )
    html = render_report(report_notebook(), page).html
    header = BeautifulSoup(html, "html.parser").find("header")
    assert [a["href"] for a in header.find_all("a")] == [
        "index.html",
        "../2026Q2/lung.html",
        "oncology.html",
    ]
    later = replace_block(
        html, QUARTER_LINKS, quarter_links_html(QuarterLinks("lung.html", "2026Q2", "2026Q4"))
    )
    header = BeautifulSoup(later, "html.parser").find("header")
    assert [a["href"] for a in header.find_all("a")][1:3] == [
        "../2026Q2/lung.html",
        "../2026Q4/lung.html",
    ]
    assert later.replace("../2026Q4/lung.html", "") != html
    assert replace_block(later, QUARTER_LINKS, quarter_links_html(page.quarters)) == html


def test_sections_with_nothing_to_show_lose_their_headings():
    blank = v4.new_output("execute_result", data={"text/html": "", "text/plain": "<Html>"})
    line = v4.new_output("execute_result", data={"text/html": "<p>No product sales.</p>"})
    cells = [
        v4.new_markdown_cell("## Commercial\n\nRevenue over eight quarters."),
        v4.new_code_cell("report.revenue_trend()", outputs=[line]),
        v4.new_code_cell("report.revenue_table()", outputs=[copy.deepcopy(blank)]),
        v4.new_markdown_cell("### Revenue mix"),
        v4.new_code_cell("report.revenue_mix()", outputs=[copy.deepcopy(blank)]),
        v4.new_markdown_cell("## Clinical\n\nResults of the quarter."),
        v4.new_markdown_cell("### Readouts this quarter"),
        v4.new_code_cell("report.readouts()", outputs=[copy.deepcopy(blank)]),
        v4.new_markdown_cell("## Definitions"),
    ]
    notebook = report_notebook(*cells)
    before = copy.deepcopy(notebook)
    soup = BeautifulSoup(render_report(notebook, page_info()).html, "html.parser")
    headings = [h.get_text(strip=True).rstrip("¶") for h in soup.select("main h2, main h3")]
    assert "Commercial" in headings and "Definitions" in headings
    assert not {"Revenue mix", "Clinical", "Readouts this quarter"} & set(headings)
    assert "No product sales." in soup.get_text()
    assert not soup.select("main div.output-html:empty")
    assert notebook == before
