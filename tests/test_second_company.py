"""A company unlike the sample (USD, no home market, EU sales by member state) end to end."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from .browser import Browser
from .conftest import NOTEBOOKS, PROJECT, run_cli
from .test_browser import PAGE_HEIGHTS, bar_labels, hard_to_read

pytestmark = [pytest.mark.slow, pytest.mark.browser]

SECOND = Path(__file__).parent / "data" / "second_company"
QUARTER = "2026Q2"
"""The last quarter of the second company's sales."""
SCREENSHOTS = PROJECT / "test-artifacts" / "screenshots" / "second-company"
TEXT = """() => [
    document.body.textContent,
    ...[...document.images].map(image => image.getAttribute('alt') || ''),
].join('\\n')"""
"""Everything a reader can reach on a page: the text, folded parts included, and alt texts."""
MONEY = re.compile(r"(?P<before>\S*)\s(?P<figure>[+-]?\d[\d,]*\.\d) m\b")
"""A figure in millions as the pages print it, with the word before it."""
BUILT_IN = ("RMB", "China", "overseas", "mainland")
"""Words the package used to print whatever the data said."""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The second company validated and built for its last quarter with the project's notebooks."""
    out = tmp_path_factory.mktemp("second") / "reports"
    where = ("--data", str(SECOND / "data"), "--params", str(SECOND / "params"))
    checked = run_cli("validate", *where, "--notebooks", str(NOTEBOOKS))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    bar = ("--material-floor", "2.5", "--material-share", "0.04")  # a bar of its own
    result = run_cli("build", *where, *bar, "--notebooks", str(NOTEBOOKS), "--out", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    warning = (
        "WARNING revenue_allocation: no rows; product sales are not allocated to disease areas,"
        " so disease-area pages show the sales of the products with indications there"
    )
    assert (checked.stdout + checked.stderr).count(warning) == 1
    assert (result.stdout + result.stderr).count(warning) == 1
    return out / QUARTER


@pytest.fixture(scope="module")
def pages(built: Path, browser: Browser) -> dict[str, str]:
    """Each page's text as chromium shows it at 1280 px, screenshots at 1280 and 375 px saved."""
    texts = {}
    for page in sorted(built.glob("*.html")):
        for width in (1280, 375):
            visit = browser.visit(page, width)
            assert not visit.page_errors and not visit.remote_requests, page.name
            if width == 1280:
                texts[page.stem] = visit.page.evaluate(TEXT)
            visit.screenshot(SCREENSHOTS / f"{page.stem}-{width}.png")
            visit.close()
    return texts


def test_the_overview_and_japan_fit_their_screens_at_1280_px(built: Path, browser: Browser) -> None:
    """The page budgets hold for a company whose short tables would all show open."""
    pages = {"overview": "portfolio-overview.html", "market-jp": "market-jp.html"}
    for name, page in pages.items():
        visit = browser.visit(built / page, 1280)
        height = visit.page.evaluate("document.scrollingElement.scrollHeight")
        visit.close()
        assert height <= PAGE_HEIGHTS[name], (page, height)


def test_a_pipeline_bar_label_reads_on_its_bar(built: Path, browser: Browser) -> None:
    # No colours table: the therapy areas take the default series colours, mid-tones among them.
    bars = []
    for name in ("portfolio-overview", "market-jp"):
        visit = browser.visit(built / f"{name}.html", 1280)
        try:
            bars += bar_labels(visit)
        finally:
            visit.close()
    assert {bar for _, _, bar in bars} >= {"#f28e2b", "#e15759"}  # take dark text
    assert hard_to_read(bars) == []


def test_every_report_of_the_second_company_builds(built: Path) -> None:
    manifest = json.loads((built / "manifest.json").read_text(encoding="utf-8"))
    statuses = {report["name"]: report["status"] for report in manifest["reports"]}
    assert len(statuses) == len(list((SECOND / "params").glob("*.yaml"))) == 11
    assert set(statuses.values()) == {"ok"}, statuses


def test_no_page_names_a_currency_or_market_the_data_does_not(pages: dict[str, str]) -> None:
    data = " ".join(path.read_text(encoding="utf-8") for path in (SECOND / "data").glob("*.csv"))
    assert not [word for word in BUILT_IN if word in data]
    found = {
        name: [word for word in BUILT_IN if re.search(rf"\b{word}\b", text, re.IGNORECASE)]
        for name, text in pages.items()
    }
    assert not any(found.values()), found


def test_every_money_figure_carries_the_companys_currency(pages: dict[str, str]) -> None:
    figures = {name: list(MONEY.finditer(text)) for name, text in pages.items()}
    assert sum(len(found) for found in figures.values()) > 50
    bare = {
        name: [match.group(0) for match in found if not match["before"].endswith("USD")]
        for name, found in figures.items()
    }
    assert not any(bare.values()), bare
    assert "Product sales (USD m)" in pages["portfolio-overview"]


def test_the_pages_state_the_projects_own_materiality_bar(pages: dict[str, str]) -> None:
    """The quarter's glossary defines the project's bar; the pages whose bridges or movers use
    it say so, and none states the default bar."""
    bar = "A change is material when it is at least USD 2.5 m and at least 4% of the sales"
    texts = {name: " ".join(text.split()) for name, text in pages.items()}
    assert bar in texts["glossary"]
    assert [name for name, text in texts.items() if "USD 2.5 m and" in text and name != "glossary"]
    assert not [name for name, text in texts.items() if "USD 1.0 m and" in text]


def test_the_year_to_date_follows_the_fiscal_year_from_october(pages: dict[str, str]) -> None:
    with (SECOND / "data" / "sales.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    fiscal = sum(
        float(row["revenue_m"]) for row in rows if row["quarter"] in ("2025Q4", "2026Q1", "2026Q2")
    )
    overview = " ".join(pages["portfolio-overview"].split())
    assert re.search(rf"Fiscal year to date, Q4 2025-Q2 2026\s*USD {fiscal:,.1f} m", overview)
    assert "the fiscal year, which starts in October, up to this one" in overview


def test_the_company_name_heads_every_page(pages: dict[str, str]) -> None:
    assert all("Meridian Neurogenetics Inc. (fictional)" in text for text in pages.values())


def test_markets_reached_counts_the_eu_once(pages: dict[str, str]) -> None:
    """Approved in US, EU (sold in five member states), UK and CA: four markets."""
    overview = pages["portfolio-overview"]
    assert re.search(r"On the market\s*3 products\s*in 4 markets", overview)
    assert re.search(r"Markets reached\s*4\s*countries and regions", overview)


def test_a_member_state_shows_the_unions_record_and_the_union_its_members_sales(
    pages: dict[str, str],
) -> None:
    germany = " ".join(pages["market-de"].split())
    assert "European Union · EC" in germany and "SPINORA" in germany  # EC approvals hold there
    europe_union = pages["market-eu"]
    # 2026Q2: MRT-101 DE 22.4 + FR 16.8 + IT 13.5 + ES 10.2 + NL 4.6, MRT-202 DE 7.0 + FR 5.2
    assert re.search(r"Product sales, Q2 2026\s*USD 79.7 m", europe_union)


def test_no_home_market_split_without_a_home_market(pages: dict[str, str]) -> None:
    """No tile, table, sentence or glossary entry splits sales by geography."""
    assert not [name for name, text in pages.items() if "Geography" in text or " / " in text]


def test_a_disease_area_page_says_its_sales_are_not_allocated(pages: dict[str, str]) -> None:
    """The data has no revenue_allocation: never "No product sales" where products sold."""
    page = pages["disease-area-neuromuscular-disease"]
    assert "No product sales" not in page
    assert "product sales are not attributed to disease areas" in page
    # 2026Q2: MRT-101 (SMA, and epilepsy) 132.0 + 8.0 + 6.3 + 22.4 + 16.8 + 13.5 + 10.2 + 4.6
    # = 213.8 and MRT-303 (SMA) 65.0: 278.8, not allocated between SMA and epilepsy.
    assert re.search(
        r"Sales of products with indications here, Q2 2026\s*USD 278.8 m\s*"
        r"not allocated among their 2 disease areas",
        page,
    )
    assert (
        "Sales not allocated to disease areas (sales of products with indications here:"
        " USD 278.8 m); in development" in pages["index"]
    )


def test_income_that_names_a_market_is_on_its_page_and_revenue_by_type_on_the_overview(
    pages: dict[str, str],
) -> None:
    japan = pages["market-jp"]
    assert "Income other than product sales, Q4 2025-Q2 2026" in japan
    # MRT-101 has no brand in Japan and no sales there: its code.
    assert re.search(r"Licence income\s*Hokuto Pharma\s*MRT-101\s*Japan\s*45\.0", japan)
    assert "Hokuto Pharma" not in pages["market-eu"]  # it names Japan only
    overview = pages["portfolio-overview"]
    # 2026Q2: service income 3.5; licence income 0 (45.0 was booked in Q1).
    assert "Revenue by type, Q2 2026 and fiscal year to date (Q4 2025-Q2 2026)" in overview
    assert re.search(r"Service income\s*3\.5", overview)


def test_a_loss_of_exclusivity_naming_no_product_is_told_on_the_pages_of_its_market(
    pages: dict[str, str],
) -> None:
    """Generic entry in the UK in April 2026 names no product; MRT-101's UK sales then fall."""
    setback = (
        "1 setback in Q2 2026: market-wide loss of exclusivity in United Kingdom (generic entry)."
    )
    # MRT-101 in the UK: 8.0 against 11.5 in Q1, -3.5 (-30.4%), past the bar of 2.5 and 4%.
    fall = re.compile(
        r"United Kingdom\s*8\.0\s*11\.5\s*-3\.5\s*-30\.4%\s*loss of exclusivity in Q2 2026"
    )
    for name in ("portfolio-overview", "region-europe"):
        page = " ".join(pages[name].split())
        assert setback in page, name
        assert "Setbacks to date" in page, name
        assert re.search(r"loss of exclusivity\s*market-wide\s*United Kingdom", page), name
        assert "LOE UK (2026Q2)" in page, name  # the sales chart's marker, in its alt text
        assert fall.search(pages[name]), name
    # Neurology's page cannot claim a loss naming no product, but its mover names the cause.
    neurology = pages["therapy-area-neurology"]
    assert "market-wide" not in neurology and "setback in Q2 2026" not in neurology
    assert fall.search(neurology)
    # Pages of other markets leave it out.
    assert not [name for name in ("market-us", "market-de", "market-eu") if "LOE" in pages[name]]
