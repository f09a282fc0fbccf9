"""A whole quarterly build on the sample data, through the command line, checked on its output."""

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from portfolio_reports.presentation.formatting import money

from .conftest import SAMPLE_DATA

pytestmark = pytest.mark.slow

LATEST = "2026Q3"


@pytest.fixture(scope="module")
def quarter_dir(sample_build):
    out, process = sample_build
    assert process.returncode == 0, process.stderr
    return out / LATEST


def page(quarter_dir, name):
    return BeautifulSoup((quarter_dir / f"{name}.html").read_text(encoding="utf-8"), "html.parser")


def table_rows(soup):
    """Every table row of a page as a list of cell texts."""
    return [
        [cell.get_text(" ", strip=True) for cell in row.find_all(["td", "th"])]
        for row in soup.find_all("tr")
    ]


def reports(quarter_dir: Path) -> list[Path]:
    """The report pages of a quarter's folder: every page but its index and glossary."""
    return [
        path
        for path in sorted(quarter_dir.glob("*.html"))
        if path.name not in ("index.html", "glossary.html")
    ]


def test_index_links_every_report_and_each_exists(quarter_dir):
    index = BeautifulSoup((quarter_dir / "index.html").read_text(), "html.parser")
    links = {a["href"] for a in index.find_all("a") if a["href"].endswith(".html")}
    reports = {link for link in links if not link.startswith("..") and link != "index.html"}
    assert len(reports) >= 14
    for link in reports:
        assert (quarter_dir / link).is_file(), link
    assert (quarter_dir.parent / "index.html").is_file()


def test_manifest_records_each_report(quarter_dir):
    manifest = json.loads((quarter_dir / "manifest.json").read_text())
    assert manifest["quarter"] == LATEST
    assert len(manifest["reports"]) == len(list(quarter_dir.glob("*.html"))) - 2  # index, glossary
    for report in manifest["reports"]:
        assert report["status"] == "ok", report
        assert report["error"] is None
        assert report["duration_s"] > 0
        assert (quarter_dir / "notebooks" / f"{report['name']}.ipynb").is_file()
    by_name = {report["name"]: report for report in manifest["reports"]}
    assert by_name["market-jp"]["parameters"] == {"market": "JP"}


def test_reports_hold_no_code_and_no_parameters_cell(quarter_dir):
    for path in quarter_dir.glob("*.html"):
        html = path.read_text(encoding="utf-8")
        assert "open_report" not in html, path.name
        assert "report.glossary()" not in html and "report.highlights()" not in html, path.name
        assert ".snapshots" not in html, path.name
        assert 'quarter = "' not in html and "data = " not in html, path.name
        assert "<script" not in html, path.name


def test_lung_cancer_report_states_astrum_005_four_year_os(quarter_dir):
    rows = table_rows(page(quarter_dir, "disease-area-lung-cancer"))
    matching = [
        row
        for row in rows
        if any(cell.startswith("ASTRUM-005 ") for cell in row)
        and "4-year OS rate 21.9%, n=585" in row
    ]
    assert matching, "no ASTRUM-005 row with its 4-year OS rate of 21.9%"


def test_lung_cancer_report_states_the_size_of_the_astrum_005r_cohort(quarter_dir):
    rows = table_rows(page(quarter_dir, "disease-area-lung-cancer"))
    cohort = [row for row in rows if any(cell.startswith("ASTRUM-005R") for cell in row)]
    assert "Median OS 17.2 months, n=635" in [cell for row in cohort for cell in row], cohort


@pytest.mark.parametrize("report", ["market-us", "market-jp"])
def test_market_reports_leave_out_a_trial_run_only_in_china(quarter_dir, report):
    text = page(quarter_dir, report).get_text(" ")
    assert "ASTRUM-005R" not in text
    assert "ASTRUM-005 (Phase 3)" in text  # the global trial stays, marked as such
    assert "Global trial" in text


@pytest.mark.parametrize("report", ["market-us", "market-eu"])
def test_each_denosumab_label_shows_its_own_brand(quarter_dir, report):
    approvals = [
        row
        for row in table_rows(page(quarter_dir, report))
        if "approval" in row and "HLX14" in " ".join(row)
    ]
    by_label = {row[5]: row[3] for row in approvals}
    assert by_label == {
        "Osteoporosis and treatment-related bone loss (Prolia label)": "BILDYOS",
        "Skeletal-related events from bone metastases (Xgeva label)": "BILPREVDA",
    }


def test_a_date_known_to_the_month_shows_the_month(quarter_dir):
    rows = table_rows(page(quarter_dir, "market-us"))
    hercessi = [row for row in rows if "approval" in row and "HERCESSI" in row]
    assert sorted({row[0] for row in hercessi}) == ["Apr 2024", "Sep 2024"], hercessi
    assert "2024-04-15" not in page(quarter_dir, "market-us").get_text(" ")


def test_a_dated_status_says_as_of_when(quarter_dir):
    for path in quarter_dir.glob("*.html"):
        assert "under review Dec 2025" not in path.read_text(encoding="utf-8"), path.name
    rows = table_rows(page(quarter_dir, "market-cn"))
    hlx11 = [row for row in rows if "filing accepted" in row and "HLX11" in " ".join(row)]
    assert any("BLA; under review as of Dec 2025" in row for row in hlx11), hlx11


def test_every_report_ends_with_the_definitions_of_its_terms_from_the_quarter_glossary(
    quarter_dir,
):
    quarter = page(quarter_dir, "glossary")
    every = {dt.get_text(): dt.find_next("dd").get_text() for dt in quarter("dt")}
    assert "n is the number of patients" in every["n"] and len(every) >= 30
    counts = {}
    for path in reports(quarter_dir):
        soup = page(quarter_dir, path.stem)
        heading = soup.find(
            lambda tag: tag.name == "h2" and tag.get_text(strip=True).startswith("Definitions")
        )
        assert heading is not None, path.name
        block = heading.find_next("details", class_="glossary")
        rows = [[cell.get_text() for cell in row("td")] for row in block.tbody("tr")]
        assert all(every[term] == sentence for term, sentence in rows), path.name
        assert block.find("a", href="glossary.html"), path.name
        counts[path.stem] = len(rows)
    # each page keeps only what it shows: Japan, without sales, fewer terms than the overview
    assert counts["market-jp"] < counts["portfolio-overview"] < len(every)


def test_japan_report_shows_the_eisai_licence(quarter_dir):
    rows = table_rows(page(quarter_dir, "market-jp"))
    deals = [row for row in rows if "licence deal" in " ".join(row).lower()]
    assert any(
        "Eisai" in " ".join(row) and any(cell.startswith("HLX10") for cell in row) for row in deals
    ), deals


@pytest.mark.parametrize("brand", ["HERCESSI", "BILDYOS", "POHERDY"])
def test_us_report_shows_fda_approvals(quarter_dir, brand):
    rows = table_rows(page(quarter_dir, "market-us"))
    approvals = [row for row in rows if "approval" in row and "United States · FDA" in row]
    assert any(brand in row for row in approvals), brand


def test_therapy_area_revenue_matches_the_csv_files(quarter_dir):
    sales = pd.read_csv(SAMPLE_DATA / "sales.csv")
    latest = sales[sales["quarter"] == LATEST]
    shares = pd.read_csv(SAMPLE_DATA / "revenue_allocation.csv").merge(
        pd.read_csv(SAMPLE_DATA / "indications.csv")[["indication", "therapy_area"]]
    )
    primary = pd.read_csv(SAMPLE_DATA / "products.csv").set_index("product")["therapy_area"]
    expected = pd.Series(0.0, index=sorted(set(primary)))
    for sale in latest.itertuples():
        own = shares[(shares["product"] == sale.product) & (shares["market"] == sale.market)]
        rules = (
            own
            if len(own)
            else shares[(shares["product"] == sale.product) & shares["market"].isna()]
        )
        for rule in rules.itertuples():
            expected[rule.therapy_area] += sale.revenue_m * rule.share
        expected[primary[sale.product]] += sale.revenue_m * (1 - rules["share"].sum())
    params = {
        path.stem: path for path in (SAMPLE_DATA.parents[1] / "params").glob("therapy-area-*.yaml")
    }
    assert len(params) == 4
    for area, revenue in expected[expected > 0].items():
        name = "therapy-area-" + area.lower().replace(" ", "-")
        rows = table_rows(page(quarter_dir, name))
        quarter_rows = [row for row in rows if row and row[0] == LATEST]
        assert quarter_rows, name
        assert quarter_rows[0][1] == money(revenue), (name, quarter_rows[0], revenue)


def test_oncology_disease_areas_add_up_to_oncology(quarter_dir):
    soup = page(quarter_dir, "therapy-area-oncology")
    total = next(row for row in table_rows(soup) if row and row[0] == LATEST)[1]
    caption = soup.find("caption", string=f"Product sales by disease area, Q3 {LATEST[:4]}")
    table = caption.find_parent("table")
    areas = {row[0]: float(row[1].replace(",", "")) for row in table_rows(table)[1:]}
    assert {"Breast cancer", "Gastrointestinal cancer", "Lung cancer", "Not allocated"} <= set(
        areas
    )
    # Each figure is rounded to 0.1 on its own: the sum may miss the total by 0.05 per row.
    assert sum(areas.values()) == pytest.approx(
        float(total.replace(",", "")), abs=0.05 * len(areas)
    )
    assert "allocated" in table.find_next_sibling("p", class_="definition").get_text()


def test_overview_states_the_company_counts(quarter_dir):
    rows: dict[str, list[str]] = {}  # the counts table comes before the glossary's same terms
    for row in table_rows(page(quarter_dir, "portfolio-overview")):
        if row:
            rows.setdefault(row[0], row[1:])
    assert rows["Products launched"][0] == "9"
    assert rows["Markets reached"][0] == "60"
    assert "a union counts as one market" in rows["Markets reached"][1]


def test_overview_shows_total_revenue_by_type_from_the_csv_files(quarter_dir):
    sales = pd.read_csv(SAMPLE_DATA / "sales.csv")
    other = pd.read_csv(SAMPLE_DATA / "other_revenue.csv")
    this_year = [f"{LATEST[:4]}Q{number}" for number in range(1, int(LATEST[-1]) + 1)]
    product_sales = sales.loc[sales["quarter"] == LATEST, "revenue_m"].sum()
    by_type = other[other["quarter"] == LATEST].groupby("revenue_type")["revenue_m"].sum()
    to_date = (
        sales.loc[sales["quarter"].isin(this_year), "revenue_m"].sum()
        + other.loc[other["quarter"].isin(this_year), "revenue_m"].sum()
    )
    soup = page(quarter_dir, "portfolio-overview")
    year = LATEST[:4]
    caption = soup.find(
        "caption", string=f"Revenue by type, Q3 {year} and year to date (Q1-Q3 {year})"
    )
    rows = {row[0]: row[1:] for row in table_rows(caption.find_parent("table"))}
    assert rows["Product sales"][0] == money(product_sales)
    assert rows["Licence income"][0] == money(by_type["licence income"])
    assert rows["Service income"][0] == money(by_type["service income"])
    assert rows["Total revenue"][0] == money(product_sales + by_type.sum())
    assert rows["Total revenue"][3] == money(to_date)
    definition = caption.find_parent("table").find_next_sibling("p", class_="definition")
    assert definition.get_text().startswith("Total revenue: product sales of all products")


@pytest.mark.parametrize("name", ["therapy-area-oncology", "market-us"])
def test_slices_show_product_sales_only_and_say_so_once(quarter_dir, name):
    text = page(quarter_dir, name).get_text(" ")
    assert text.count("Revenue figures on this page are product sales") == 1
    assert "Revenue by type" not in text


def test_cards_of_disease_areas_say_their_sales_are_allocated(quarter_dir):
    index = (quarter_dir / "index.html").read_text()
    for area in ("Breast cancer", "Gastrointestinal cancer", "Lung cancer"):
        assert f"Product sales allocated to {area}: RMB" in index, area


def test_every_report_has_charts_with_alt_text_and_none_for_sales_it_does_not_have(quarter_dir):
    """Three charts or more where the scope sells; where it does not, no image: no sales chart,
    and its programmes are drawn in HTML."""
    for path in reports(quarter_dir):
        soup = BeautifulSoup(path.read_text(), "html.parser")
        images = soup.find_all("img")
        if "No product sales" in soup.get_text():
            assert images == [], path.name
            assert soup.select("figure.pipeline-bars"), path.name
        else:
            assert len(images) >= 3, path.name
        assert all(
            image.get("alt") and image["src"].startswith("data:image/png") for image in images
        )


def test_build_prints_one_line_per_report(sample_build):
    _, process = sample_build
    lines = [line for line in process.stderr.splitlines() if re.match(r"\s+ok\s", line)]
    assert len(lines) >= 14


def market_codes_in_text(text: str, codes: set[str]) -> list[str]:
    """Where a text names a market by its code: in brackets ("(US)", "(EU, IN)", "(ex-CN/HK)"),
    before a quarter ("US 2027Q1", "US Q1 2027") or a change ("IN +RMB 2.1 m"), or after "in"."""
    listed = "|".join(sorted(map(re.escape, codes), key=len, reverse=True))
    code = rf"(?<!\w)(?:{listed})(?![\w-])"
    found = [
        bracket for bracket in re.findall(r"\([^()]*\)", text) if re.search(code, bracket[1:-1])
    ]
    after = rf"{code} (?:\d{{4}}Q\d|Q\d \d{{4}}|[+-]\S)|\bin {code}"
    return found + re.findall(after, text)


@pytest.mark.slow
def test_no_built_page_names_a_market_by_its_code(quarter_dir):
    """Neither a table cell nor the page's text: programme labels, milestones, partners,
    event details, sentences."""
    codes = set(pd.read_csv(SAMPLE_DATA / "markets.csv")["market"])
    found = []
    for path in reports(quarter_dir):
        soup = page(quarter_dir, path.stem)
        for table in soup.find_all("table"):
            heads = [head.get_text(" ", strip=True) for head in table.select("thead th")]
            for row in table.select("tbody tr"):
                for head, cell in zip(heads, row.find_all(["td", "th"]), strict=False):
                    text = cell.get_text(" ", strip=True)
                    if text in codes and head != "Agency":  # EC: the European Commission
                        found.append(f"{path.stem}: {head} {text}")
        text = soup.find("main").get_text(" ", strip=True)
        found += [f"{path.stem}: {named}" for named in market_codes_in_text(text, codes)]
    assert found == []
