"""Two quarters built in either order: every link across reports and quarters resolves, every
report prints to PDF, and the overview's main body stays short in both quarters."""

from __future__ import annotations

import re
import shutil
import unicodedata
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from pypdf import PdfReader

from portfolio_reports.analysis.definitions import glossary
from portfolio_reports.data.dataset import load_dataset
from portfolio_reports.paths import GLOSSARY_PAGE
from portfolio_reports.presentation.pdf import page_use
from portfolio_reports.presentation.render import HTML_ONLY

from .conftest import PROJECT, SAMPLE_DATA, run_cli
from .test_browser import (
    MAIN_BODY_SCREENS,
    PAGE_HEIGHTS,
    PAGES,
    PHONE,
    QUARTER,
    SCREENS,
    SCREENSHOTS,
    STORY,
    WIDTHS,
    WIDTHS_NOW,
)

pytestmark = [pytest.mark.slow, pytest.mark.browser]


PREVIOUS = "2026Q2"
ORDERS = ("2026Q3 then 2026Q2", "2026Q2 then 2026Q3")
NAV_LINKS = """() => [...document.querySelectorAll(
    'header a[href], nav.related a[href], table a[href]'
)].filter(link => link.protocol === 'file:').map(link => ({href: link.href, rel: link.rel}))"""
OVERVIEW_MAX_PAGES = 6
TERM = r"(?<!\w)(?:{})(?!\w)"
"""A glossary term's spellings as whole words, as the page's glossary finds them."""


LINKED_REPORTS = (
    "portfolio-overview",
    "region-asia-pacific-ex-china",
    "market-jp",
    "therapy-area-oncology",
    "disease-area-lung-cancer",
)
"""A region and a therapy area, each with one report it drills down to, and the overview."""


def build_quarter(out: Path, quarter: str | None, jobs: int, *extra: str) -> None:
    """Build one quarter of the sample into `out` on `jobs` kernels, failing the test if the
    build fails."""
    process = run_cli(
        "build",
        "--out",
        str(out),
        "--jobs",
        str(jobs),
        *extra,
        *(("--quarter", quarter) if quarter else ()),
    )
    assert process.returncode == 0, process.stderr


@pytest.fixture(scope="module")
def both_orders(sample_printed, tmp_path_factory) -> dict[str, Path]:
    """Two reports folders holding 2026Q2 and 2026Q3, built in opposite orders.

    The first holds every report: the session's 2026Q3 build printed to PDF too, then 2026Q2.
    The second builds LINKED_REPORTS (params and commentary copied), every kind of link between
    reports and quarters in a third of the builds: 2026Q2 first, then 2026Q3.
    """
    later_first = tmp_path_factory.mktemp("q3-then-q2")
    shutil.copytree(sample_printed, later_first, dirs_exist_ok=True)
    build_quarter(later_first, PREVIOUS, 2)
    linked = tmp_path_factory.mktemp("linked")
    (linked / "params").mkdir()
    for name in LINKED_REPORTS:
        shutil.copy(PROJECT / "params" / f"{name}.yaml", linked / "params")
    shutil.copytree(PROJECT / "commentary", linked / "commentary")
    earlier_first = linked / "reports"
    for quarter in (PREVIOUS, None):  # five reports: one kernel starts faster than two
        build_quarter(earlier_first, quarter, 1, "--params", str(linked / "params"))
    return dict(zip(ORDERS, (later_first, earlier_first), strict=True))


@pytest.mark.parametrize("order", ORDERS)
def test_every_related_quarter_and_drill_down_link_resolves(browser, both_orders, order):
    root = both_orders[order]
    for quarter, other, rel in ((QUARTER, PREVIOUS, "prev"), (PREVIOUS, QUARTER, "next")):
        for page in sorted((root / quarter).glob("*.html")):
            visit = browser.visit(page, WIDTHS[0])
            try:
                links = visit.page.evaluate(NAV_LINKS)
            finally:
                visit.close()
            name = f"{order}: {quarter}/{page.name}"
            targets = [Path(unquote(urlsplit(link["href"]).path)) for link in links]
            assert [str(path) for path in targets if not path.is_file()] == [], name
            if page.name == GLOSSARY_PAGE:  # the quarter's definitions, linked by its reports
                continue
            across = [path for path, link in zip(targets, links, strict=True) if link["rel"] == rel]
            assert across == [root / other / page.name], f"{name}: no link to its {other} page"
            if page.name not in ("index.html", "portfolio-overview.html"):
                assert root / quarter / "portfolio-overview.html" in targets, name


def test_a_page_header_links_its_region_and_the_previous_quarter(browser, both_orders):
    page = both_orders[ORDERS[1]] / QUARTER / "market-jp.html"
    visit = browser.visit(page, PHONE)
    try:
        visit.screenshot(SCREENSHOTS / "market-jp-header-375.png")
        header = visit.page.inner_text("header")
        scroll_width, inner_width = visit.page.evaluate(WIDTHS_NOW)
    finally:
        visit.close()
    assert "Related: Portfolio overview · Asia-Pacific ex-China" in " ".join(header.split())
    assert f"← {PREVIOUS}" in header
    assert scroll_width <= inner_width


def test_every_report_is_printed_with_its_header_page_numbers_and_sources(sample_printed):
    folder = sample_printed / QUARTER
    pages = sorted(
        path.stem
        for path in folder.glob("*.html")
        if path.name not in ("index.html", "glossary.html")
    )
    reports = sorted(path for path in folder.glob("*.pdf") if path.name != "board-pack.pdf")
    assert [path.stem for path in reports] == pages
    overview = PdfReader(folder / "portfolio-overview.pdf")
    for number, printed in enumerate(overview.pages, start=1):
        text = printed.extract_text()
        assert f"Portfolio overview · {QUARTER}" in text
        assert "Synthetic sales" in text
        assert f"Page {number} of {len(overview.pages)}" in text
    everything = "".join(
        printed.extract_text() for pdf in reports for printed in PdfReader(pdf).pages
    )  # the overview prints no table with sources now: its record and catalysts are folded
    assert "(http" in everything, "source links print their address"
    assert "Approvals to date" not in everything, "the appendix stays in the HTML"


HEADINGS = {
    "portfolio-overview": ("Highlights", "Revenue by type", "Definitions"),
    "market-us": ("Highlights", "Pipeline", "Upcoming catalysts", "Definitions"),
}
"""The headings the overview's and the US report's PDFs print for 2026Q3, each on a line."""
OPENINGS = {
    "portfolio-overview": (
        "Key figures, Whole portfolio",
        "Revenue by type,",
        "Product sales by product,",
        "Product sales by region,",
        "Programmes in development by phase,",
        "6 filings under review at the end of",
        HTML_ONLY,
    ),
    "market-us": (
        "Key figures, United States",
        "Expected events,",
        "Product sales by product,",
        HTML_ONLY,
    ),
}
"""How the lines with the titles of their other printed parts start."""


def plain(text: str) -> str:
    """PDF text with ligatures undone ("ﬁ" as "fi") and each run of spaces as one."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


@pytest.mark.parametrize("report", HEADINGS)
def test_a_pdf_prints_its_chosen_parts_once_each_and_defines_every_term_it_prints(
    sample_printed, report
):
    reader = PdfReader(sample_printed / QUARTER / f"{report}.pdf")
    lines = [plain(line) for page in reader.pages for line in page.extract_text().splitlines()]
    for heading in HEADINGS[report]:
        assert lines.count(heading) == 1, heading
    for opening in OPENINGS[report]:
        assert len([line for line in lines if line.startswith(opening)]) == 1, opening
    text = plain(" ".join(reader.pages[n].extract_text() for n in range(len(reader.pages))))
    shown = text.partition(HTML_ONLY)[0]  # the closing line names what only the HTML holds
    assert "Approvals to date" not in shown and "events expected from" not in shown
    # Every glossary term printed between the key figures and the definitions is defined there
    dataset = load_dataset(SAMPLE_DATA)
    body, _, definitions = text.partition("Key figures")[2].partition("Definitions Scope: ")
    assert body and definitions, "the PDF prints its key figures and its definitions"
    printed = {
        term: sentence
        for term, sentence in glossary(dataset).items()
        if re.search(TERM.format("|".join(map(re.escape, term.split(", ")))), body, re.I)
    }
    assert {"Product sales", "QoQ, YoY", "Mix"} <= set(printed), sorted(printed)
    undefined = [
        term for term, sentence in printed.items() if plain(sentence)[:40] not in definitions
    ]
    assert undefined == []
    # No page less than half used, but the last
    used = [page_use(page) for page in reader.pages]
    assert all(share >= 0.5 for share in used[:-1]), used


def test_the_overview_prints_on_at_most_six_a4_pages(sample_printed):
    overview = sample_printed / QUARTER / "portfolio-overview.pdf"
    assert len(PdfReader(overview).pages) <= OVERVIEW_MAX_PAGES


@pytest.mark.parametrize("quarter", ["2026Q2", QUARTER])
def test_overview_main_body_is_six_screens_and_the_page_eight(browser, both_orders, quarter):
    overview = both_orders[ORDERS[0]] / quarter / PAGES["overview"]
    visit = browser.visit(overview, 1280, SCREENS[1280])
    try:
        view = visit.page.evaluate(STORY)
    finally:
        visit.close()
    assert view["appendix_top"] <= MAIN_BODY_SCREENS * SCREENS[1280], view["appendix_top"]
    assert view["height"] <= PAGE_HEIGHTS["overview"], view["height"]
