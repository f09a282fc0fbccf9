"""Built reports in a real browser: no errors, nothing fetched, working contents, fits 375 px."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from portfolio_reports.presentation.charts import RENDER_DPI
from portfolio_reports.presentation.palette import DARK_TEXT, LIGHT_TEXT, contrast

from .browser import Browser, Visit
from .conftest import PROJECT

pytestmark = [pytest.mark.slow, pytest.mark.browser]

QUARTER = "2026Q3"
PAGES = {
    "overview": "portfolio-overview.html",
    "therapy-area": "therapy-area-oncology.html",
    "market": "market-us.html",
    "quarter-index": "index.html",
}
REPORTS = [page for page in PAGES if page != "quarter-index"]
WIDTHS = (1280, 375)
PHONE = 375
SCREENSHOTS = PROJECT / "test-artifacts" / "screenshots"
VIEWS = [(page, width) for page in PAGES for width in WIDTHS]

TOC_TARGETS = """() => [...document.querySelectorAll('nav.toc a')].map(link => {
    const target = document.getElementById(decodeURIComponent(link.hash.slice(1)));
    const box = target ? target.getBoundingClientRect() : null;
    return {
        href: link.getAttribute('href'),
        tag: target ? target.tagName : null,
        text: target ? target.textContent.trim() : '',
        height: box ? box.height : 0,
    };
})"""
IMAGES = """() => [...document.images].map(image => ({
    alt: (image.getAttribute('alt') || '').trim(),
    width: image.getBoundingClientRect().width,
    right: image.getBoundingClientRect().right,
    height: image.getBoundingClientRect().height,
    decoded: image.complete && image.naturalWidth > 0,
}))"""
LINKS = "() => [...document.querySelectorAll('a[href]')].map(link => link.href)"
WIDTHS_NOW = "() => [document.scrollingElement.scrollWidth, window.innerWidth]"
LAST_TOC_CLICK = """async () => {
    const links = document.querySelectorAll('nav.toc a');
    if (!links.length) return null;
    const last = links[links.length - 1];
    last.click();
    await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
    const target = document.getElementById(decodeURIComponent(last.hash.slice(1)));
    const top = target.getBoundingClientRect().top;
    return {hash: location.hash, href: last.getAttribute('href'), scrolled: window.scrollY,
            in_view: top >= -1 && top < window.innerHeight};
}"""

PIPELINE_BARS = """() => [...document.querySelectorAll('.pipeline-bars .bar')].map(bar => [
    bar.textContent, getComputedStyle(bar).color, getComputedStyle(bar).backgroundColor,
])"""
LEAST_BAR_CONTRAST = 3.9
"""Of white and the page's text, the one that contrasts more with a colour never falls below it."""


def bar_labels(visit: Visit) -> list[tuple[str, str, str]]:
    """Each pipeline bar of the page as the browser draws it: (label, text colour, bar colour),
    colours as #rrggbb."""
    return [
        (label, _hex_of(text), _hex_of(bar))
        for label, text, bar in visit.page.evaluate(PIPELINE_BARS)
    ]


def _hex_of(css: str) -> str:
    """A computed CSS colour, rgb(r, g, b), as #rrggbb."""
    red, green, blue = (int(part) for part in re.findall(r"\d+", css)[:3])
    return f"#{red:02x}{green:02x}{blue:02x}"


def hard_to_read(bars: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """The bars whose label is not in whichever of white and the page's text contrasts more with
    the bar, or contrasts less than LEAST_BAR_CONTRAST with it."""
    return [
        (label, text, bar)
        for label, text, bar in bars
        if contrast(text, bar) < max(contrast(LIGHT_TEXT, bar), contrast(DARK_TEXT, bar))
        or contrast(text, bar) < LEAST_BAR_CONTRAST
    ]


@dataclass(frozen=True)
class Seen:
    """What one page did and showed at one width."""

    console_errors: list[str]
    page_errors: list[str]
    dialogs: list[str]
    requests: list[str]
    remote_requests: list[str]
    failed_requests: list[str]
    toc: list[dict]
    images: list[dict]
    links: list[str]
    scroll_width: int
    inner_width: int
    toc_click: dict | None
    bars: list[tuple[str, str, str]]
    screenshot: Path


def look(browser: Browser, path: Path, page: str, width: int) -> Seen:
    """Open a page, save its screenshot and record what the tests check."""
    visit = browser.visit(path, width)
    try:
        screenshot = visit.screenshot(SCREENSHOTS / f"{page}-{width}.png")
        scroll_width, inner_width = visit.page.evaluate(WIDTHS_NOW)
        toc = visit.page.evaluate(TOC_TARGETS)
        images = visit.page.evaluate(IMAGES)
        links = visit.page.evaluate(LINKS)
        toc_click = visit.page.evaluate(LAST_TOC_CLICK)
        bars = bar_labels(visit)
        return Seen(
            console_errors=visit.console_errors,
            page_errors=visit.page_errors,
            dialogs=visit.dialogs,
            requests=visit.requests,
            remote_requests=visit.remote_requests,
            failed_requests=visit.failed_requests,
            toc=toc,
            images=images,
            links=links,
            scroll_width=scroll_width,
            inner_width=inner_width,
            toc_click=toc_click,
            bars=bars,
            screenshot=screenshot,
        )
    finally:
        visit.close()


@pytest.fixture(scope="module")
def quarter_dir(sample_build) -> Path:
    out, process = sample_build
    assert process.returncode == 0, process.stderr
    return out / QUARTER


@pytest.fixture(scope="module")
def seen(browser, quarter_dir) -> dict[tuple[str, int], Seen]:
    """Every page at every width, each opened once."""
    return {
        (page, width): look(browser, quarter_dir / PAGES[page], page, width)
        for page, width in VIEWS
    }


@pytest.mark.parametrize("page", REPORTS)
def test_a_pipeline_bar_label_reads_on_its_bar(seen, page):
    bars = seen[page, 1280].bars
    assert bars, page
    assert hard_to_read(bars) == [], page


@pytest.mark.parametrize(("page", "width"), VIEWS)
def test_page_raises_nothing_and_loads_only_local_files(seen, page, width):
    view = seen[page, width]
    assert view.console_errors == []
    assert view.page_errors == []
    assert view.dialogs == []
    assert view.failed_requests == []
    assert view.remote_requests == []
    assert view.requests and view.requests[0].startswith("file://")


@pytest.mark.parametrize(("page", "width"), VIEWS)
def test_every_image_has_alt_text_and_a_rendered_size(seen, page, width):
    images = seen[page, width].images
    assert len(images) >= (4 if page in REPORTS else 0)
    for image in images:
        assert image["alt"], image
        assert image["width"] > 0 and image["height"] > 0, image
        assert image["decoded"], image


@pytest.mark.parametrize("page", REPORTS)
@pytest.mark.parametrize("width", WIDTHS)
def test_every_contents_link_lands_on_a_heading(seen, page, width):
    view = seen[page, width]
    assert len(view.toc) >= 10
    for target in view.toc:
        assert target["tag"] in {"H2", "H3"}, target
        assert target["text"] and target["height"] > 0, target
    click = view.toc_click
    assert click["hash"] == click["href"]
    assert click["scrolled"] > 0
    assert click["in_view"], click


@pytest.mark.parametrize("page", PAGES)
def test_no_sideways_scrolling_on_a_phone(seen, page):
    view = seen[page, PHONE]
    assert view.scroll_width <= view.inner_width


@pytest.mark.parametrize("page", REPORTS)
def test_every_chart_fits_a_phone_screen_whole(seen, page):
    view = seen[page, PHONE]
    assert view.images
    for image in view.images:
        assert 0 < image["right"] <= view.inner_width, image


def test_quarter_index_links_every_report_and_the_list_of_quarters(seen, quarter_dir):
    links = seen["quarter-index", WIDTHS[0]].links
    reports = sorted(path.name for path in quarter_dir.glob("*.html") if path.name != "index.html")
    linked = sorted(link.rsplit("/", 1)[-1] for link in links if f"/{QUARTER}/" in link)
    assert linked == reports
    assert any(link.endswith("/index.html") and QUARTER not in link for link in links)


def test_screenshots_are_saved(seen):
    for view in seen.values():
        assert view.screenshot.stat().st_size > 10_000


# The story first: key figures in the first screen, a short main body, nothing empty.

SCREENS = {1280: 800, PHONE: 667}
"""Viewport height of a laptop (1280 x 800) and a phone (375 x 667)."""
KPI_SCREENS = {1280: 1.0, PHONE: 1.5}
"""How many screens down the key figures must end: the first on a laptop, 1.5 on a phone."""
MAIN_BODY_SCREENS = 6
"""The overview's main body (everything above the appendix) at 1280 px, in screens: revenue by type
and the assets across phases are in it; the quarter's phase changes, events, catalysts and the
table of the biggest revenue movers are folded in the appendix (the highlights name the movers)."""
PAGE_HEIGHTS = {"overview": 6400, "market-jp": 4000}
"""Most CSS px a page runs to at 1280 px with its folds closed: 8 and 5 laptop screens."""
STORY_PAGES = {**{page: PAGES[page] for page in REPORTS}, "market-jp": "market-jp.html"}
STORY = """() => {
    const box = element => element ? element.getBoundingClientRect() : null;
    const kpis = box(document.querySelector('main .kpis'));
    const appendix = box(document.getElementById('Appendix'));
    const zeroTables = [...document.querySelectorAll('main table')].filter(table => {
        const cells = [...table.querySelectorAll('td.num')].map(cell => cell.textContent.trim());
        return cells.length > 0 && cells.every(text => /^[-+]?0(\\.0+)?%?$/.test(text));
    }).length;
    return {
        kpi_top: kpis && kpis.top + scrollY,
        kpi_bottom: kpis && kpis.bottom + scrollY,
        first_in_main: document.querySelector('main').firstElementChild.querySelector('.kpis')
            !== null,
        appendix_top: appendix && appendix.top + scrollY,
        images: [...document.querySelectorAll('main img')].map(image => image.alt),
        zero_tables: zeroTables,
        scroll_width: document.scrollingElement.scrollWidth,
        inner_width: innerWidth,
        height: document.scrollingElement.scrollHeight,
        text: document.querySelector('main').innerText,
        commentary: [...document.querySelectorAll('main .commentary-label')]
            .map(label => label.textContent),
        kpi_items: document.querySelectorAll('main .kpi-item').length,
        broken_kpi_items: [...document.querySelectorAll('main .kpi-item')]
            .filter(item => new Set([...item.getClientRects()].map(line => line.top)).size > 1)
            .map(item => item.textContent),
    };
}"""


@pytest.fixture(scope="module")
def story(browser, quarter_dir) -> dict[tuple[str, int], dict]:
    """The key figures, main body, images and tables of each report at laptop and phone size."""
    seen = {}
    for page, name in STORY_PAGES.items():
        for width, height in SCREENS.items():
            visit = browser.visit(quarter_dir / name, width, height)
            try:
                seen[page, width] = visit.page.evaluate(STORY)
                if page == "market-jp":
                    visit.screenshot(SCREENSHOTS / f"{page}-{width}.png")
            finally:
                visit.close()
    return seen


@pytest.mark.parametrize("page", STORY_PAGES)
@pytest.mark.parametrize("width", SCREENS)
def test_key_figures_come_first_and_fit_the_first_screen(story, page, width):
    view = story[page, width]
    assert view["first_in_main"], "the key figures open the report body"
    assert view["kpi_bottom"] <= KPI_SCREENS[width] * SCREENS[width], view["kpi_bottom"]


@pytest.mark.parametrize("page", STORY_PAGES)
def test_a_key_figure_keeps_each_figure_on_one_line_with_its_word_at_1280_px(story, page):
    view = story[page, 1280]  # on a phone, two tiles a row, a short item may break
    assert view["kpi_items"] > 0
    assert view["broken_kpi_items"] == []


@pytest.mark.parametrize("page", PAGE_HEIGHTS)
def test_a_page_with_its_folds_closed_fits_its_screens_at_1280_px(story, page):
    assert story[page, 1280]["height"] <= PAGE_HEIGHTS[page]


@pytest.mark.parametrize("page", STORY_PAGES)
def test_story_pages_do_not_scroll_sideways_on_a_phone(story, page):
    view = story[page, PHONE]
    assert view["scroll_width"] <= view["inner_width"]


def test_a_market_without_sales_has_no_sales_chart_no_zero_table_and_says_so_once(story):
    for width in SCREENS:
        view = story["market-jp", width]
        assert not [
            alt for alt in view["images"] if "revenue" in alt.lower() or "no data" in alt.lower()
        ]
        assert view["zero_tables"] == 0
        sentences = [line.strip() for line in view["text"].splitlines() if line.endswith(".")]
        assert len(sentences) == len(set(sentences)), [
            line for line in sentences if sentences.count(line) > 1
        ]
        # Once, above the key figures; the commercial part, holding Eisai's licence income,
        # opens by saying it lists only that (test_true_sentences).
        assert sum("No product sales" in line for line in sentences) == 1


def test_the_us_page_shows_its_analysts_commentary_marked_as_such(story):
    labels = story["market", 1280]["commentary"]
    assert labels == ["Analyst commentary: the analyst's own words, not computed from the data"]
    assert story["market-jp", 1280]["commentary"] == []


# Charts drawn for where they are read: the smallest text in every chart, measured as shown.

A4_COLUMN = round((210 - 2 * 12) / 25.4 * 96)
"""CSS px across an A4 page inside the stylesheet's 12 mm side margins (@page)."""
PHONE_TEXT_PX = 9
PRINT_TEXT_PT = 7
CHART_TEXT = """() => {
    document.querySelectorAll('main details').forEach(details => { details.open = true; });
    return [...document.querySelectorAll('main figure.chart')].map(figure => {
        const image = figure.querySelector('img');
        return {alt: image.alt, points: Number(figure.dataset.smallestTextPt),
                shown: image.getBoundingClientRect().width, drawn: image.naturalWidth,
                source: image.currentSrc.slice(-24)};
    });
}"""
IMAGES_DECODED = "() => [...document.images].every(image => image.complete && image.naturalWidth)"


EVERY_PART = """() => document.querySelectorAll('.print-omit')
    .forEach(part => { part.classList.remove('print-omit'); })"""
"""Put every part of a page in print, as if its notebook had chosen them all."""


def smallest_chart_text(
    browser: Browser, path: Path, width: int, media: str, *, every_part: bool = False
) -> list[dict]:
    """Each chart of a page with the CSS px its smallest text is shown at, folds open; with
    `every_part`, the parts left out of print too."""
    visit = browser.visit(path, width)
    try:
        visit.page.emulate_media(media=media)
        if every_part:
            visit.page.evaluate(EVERY_PART)
        visit.page.evaluate(CHART_TEXT)  # open the folds, so every image lays out
        visit.page.wait_for_function(IMAGES_DECODED)
        charts = visit.page.evaluate(CHART_TEXT)
    finally:
        visit.close()
    return [
        {**chart, "px": chart["points"] / 72 * RENDER_DPI * chart["shown"] / chart["drawn"]}
        for chart in charts
    ]


@pytest.mark.parametrize("page", STORY_PAGES)
def test_chart_text_is_at_least_9_px_on_a_phone(browser, quarter_dir, page):
    charts = smallest_chart_text(browser, quarter_dir / STORY_PAGES[page], PHONE, "screen")
    assert charts or page == "market-jp"
    for chart in charts:
        assert chart["points"] >= 9 and chart["shown"] > 0, chart
        assert chart["px"] >= PHONE_TEXT_PX, chart


@pytest.mark.parametrize("page", STORY_PAGES)
def test_chart_text_is_at_least_7_pt_in_print(browser, quarter_dir, page):
    # The sample's print sets hold tables and HTML views, no chart image: each chart is measured
    # as it would print were a notebook to choose it.
    path = quarter_dir / STORY_PAGES[page]
    charts = smallest_chart_text(browser, path, A4_COLUMN, "print", every_part=True)
    printed = [chart for chart in charts if chart["shown"]]
    assert printed or page == "market-jp"
    for chart in printed:
        assert chart["px"] * 72 / 96 >= PRINT_TEXT_PT, chart


INDEX_LISTS = """() => [...document.querySelectorAll('main ul.cards, main ul.drill-downs')]
    .map(list => [...list.children].map(card => ({
        title: card.querySelector('h3').textContent.trim(),
        figure: (card.querySelector(':scope > .key-figure') || {textContent: ''}).textContent,
    })))"""
SALES_FIGURE = re.compile(r"^Product sales[^:]*: \D*([\d,.]+)")


def test_the_index_lists_each_group_by_product_sales_largest_first(browser, quarter_dir):
    visit = browser.visit(quarter_dir / "index.html", WIDTHS[0])
    try:
        lists = visit.page.evaluate(INDEX_LISTS)
    finally:
        visit.close()
    assert len(lists) >= 4  # the overview, areas, markets and regions, and drill-downs
    for cards in lists:
        found = [SALES_FIGURE.match(card["figure"]) for card in cards]
        sales = [float(match.group(1).replace(",", "")) for match in found if match]
        assert sales == sorted(sales, reverse=True), cards
        without = [card["title"] for card, match in zip(cards, found, strict=True) if not match]
        assert without == sorted(without), cards
        assert all(found[: len(sales)]), "scopes without sales come last"
    titles = [card["title"] for cards in lists for card in cards]
    assert titles.index("Oncology") < titles.index("Autoimmune diseases")


WIDE_TABLES = """() => {
    document.querySelectorAll('main details').forEach(details => { details.open = true; });
    const column = document.querySelector('main').clientWidth;
    const tables = [...document.querySelectorAll('main table')];
    return {count: tables.length, column: column, wider: tables
        .filter(table => table.getBoundingClientRect().width > column)
        .map(table => table.querySelector('thead') && table.querySelector('thead').innerText)};
}"""


@pytest.mark.parametrize("page", STORY_PAGES)
def test_no_table_is_wider_than_its_column_at_1280_px(browser, quarter_dir, page):
    visit = browser.visit(quarter_dir / STORY_PAGES[page], WIDTHS[0])
    try:
        tables = visit.page.evaluate(WIDE_TABLES)
    finally:
        visit.close()
    assert tables["count"] >= 5 and tables["column"] >= 800, tables
    assert tables["wider"] == [], tables
