"""Links between reports: the report tree of the sample params, and quarter links kept current."""

from __future__ import annotations

import threading

import pytest
from bs4 import BeautifulSoup

from portfolio_reports.builder.locking import build_lock
from portfolio_reports.builder.navigation import (
    ReportTree,
    by_weight,
    quarter_links,
    refresh_links,
    refresh_neighbours,
)
from portfolio_reports.builder.specs import load_specs
from portfolio_reports.config import DEFAULT_NOTEBOOKS, DEFAULT_PARAMS
from portfolio_reports.data.dataset import load_dataset
from portfolio_reports.data.quarters import Quarter
from portfolio_reports.presentation.pages import NavLink, QuarterLinks, quarter_links_html

from .conftest import PROJECT, SAMPLE_DATA

Q3 = Quarter.parse("2026Q3")
APAC = "region-asia-pacific-ex-china"


@pytest.fixture(scope="module")
def sample():
    """The sample data and the project's params files."""
    dataset = load_dataset(SAMPLE_DATA)
    specs = load_specs(PROJECT / DEFAULT_PARAMS, PROJECT / DEFAULT_NOTEBOOKS, dataset)
    return dataset, specs


@pytest.fixture(scope="module")
def tree(sample) -> ReportTree:
    dataset, specs = sample
    return ReportTree.of(specs, dataset, Q3)


def test_each_report_sits_under_the_report_that_contains_its_slice(tree):
    # Lung, breast and GI cancer are oncology indications; Japan is in Asia-Pacific ex-China;
    # China, the EU and the US have no region report, so they sit under the overview.
    assert tree.parents == {
        "portfolio-overview": None,
        "therapy-area-autoimmune": "portfolio-overview",
        "therapy-area-bone-disease": "portfolio-overview",
        "therapy-area-oncology": "portfolio-overview",
        "therapy-area-ophthalmology": "portfolio-overview",
        "disease-area-breast-cancer": "therapy-area-oncology",
        "disease-area-gastrointestinal-cancer": "therapy-area-oncology",
        "disease-area-lung-cancer": "therapy-area-oncology",
        "market-cn": "portfolio-overview",
        "market-eu": "portfolio-overview",
        "market-jp": "region-asia-pacific-ex-china",
        "market-us": "portfolio-overview",
        "region-asia-pacific-ex-china": "portfolio-overview",
        "region-latin-america": "portfolio-overview",
    }


def test_the_index_reads_overview_then_areas_then_markets_and_regions_by_sales(tree):
    # Product sales in 2026Q3, RMB m: oncology 1,326.9, autoimmune 46.1, bone disease 3.3,
    # ophthalmology none; China 1,208.0, the EU 55.5, Asia-Pacific ex-China 29.0, the US 28.1,
    # Latin America 23.6: markets and regions together, by sales.
    assert [spec.name for spec in tree.top_level()] == [
        "portfolio-overview",
        "therapy-area-oncology",
        "therapy-area-autoimmune",
        "therapy-area-bone-disease",
        "therapy-area-ophthalmology",
        "market-cn",
        "market-eu",
        "region-asia-pacific-ex-china",
        "market-us",
        "region-latin-america",
    ]
    # Breast cancer 689.2, lung cancer 348.8, gastrointestinal cancer 200.9.
    assert [spec.name for spec in tree.children("therapy-area-oncology")] == [
        "disease-area-breast-cancer",
        "disease-area-lung-cancer",
        "disease-area-gastrointestinal-cancer",
    ]


def test_scopes_without_sales_come_last_by_title(sample):
    dataset, specs = sample
    early = Quarter.parse("2019Q1")  # before any sales in the data
    names = [spec.name for spec in by_weight(specs, dataset, early)]
    assert names[0] == "portfolio-overview"
    areas = [name for name in names if name.startswith(("therapy-area", "disease-area"))]
    titles = {spec.name: spec.title for spec in specs}
    assert [titles[name] for name in areas] == sorted(titles[name] for name in areas)


def test_related_links_go_up_to_the_parent_and_overview_and_down_to_drill_downs(tree):
    assert tree.related("market-jp") == (
        NavLink("portfolio-overview.html", "Portfolio overview", "the whole portfolio"),
        NavLink(
            "region-asia-pacific-ex-china.html", "Asia-Pacific ex-China", "contains this report"
        ),
    )
    assert tree.related(APAC) == (
        NavLink("portfolio-overview.html", "Portfolio overview", "contains this report"),
        NavLink("market-jp.html", "Japan", "drill-down"),
    )
    overview = [link.href for link in tree.related("portfolio-overview")]
    assert overview == [f"{spec.name}.html" for spec in tree.top_level()[1:]]


def test_revenue_rows_drill_down_by_name_a_market_also_by_code_a_lone_one_by_region(tree, sample):
    dataset, _ = sample
    labels = dict(tree.drill_downs(dataset))
    assert labels["Oncology"] == "therapy-area-oncology.html"
    assert labels["Lung cancer"] == "disease-area-lung-cancer.html"
    assert labels["Latin America"] == "region-latin-america.html"
    assert labels["CN"] == labels["China (mainland)"] == labels["China"] == "market-cn.html"
    assert labels["JP"] == labels["Japan"] == "market-jp.html"
    assert labels["US"] == labels["United States"] == "market-us.html"
    assert "North America" not in labels  # the US and Canada: no single report covers it
    assert "Whole portfolio" not in labels


def page(links: QuarterLinks) -> str:
    """A minimal published page carrying its quarter links."""
    return f"<html><body><nav>{quarter_links_html(links)}</nav><p>body</p></body></html>"


def hrefs(path) -> list[str]:
    """The links of a page on disk."""
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    return [a["href"] for a in soup.find_all("a")]


def publish(root, quarter: str, *names: str) -> None:
    """Write pages of one quarter as a build would, with the links known at that moment."""
    folder = root / quarter
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        links = quarter_links(root, Quarter.parse(quarter), name)
        (folder / name).write_text(page(links), encoding="utf-8")


@pytest.mark.parametrize("order", [("2026Q2", "2026Q3"), ("2026Q3", "2026Q2")])
def test_two_quarters_link_each_other_in_either_build_order(tmp_path, order):
    for quarter in order:
        publish(tmp_path, quarter, "index.html", "market-cn.html", "market-new.html")
        refresh_links(tmp_path, Quarter.parse(quarter))
        refresh_neighbours(tmp_path, Quarter.parse(quarter))
    q2, q3 = tmp_path / "2026Q2", tmp_path / "2026Q3"
    assert hrefs(q2 / "market-cn.html") == ["../2026Q3/market-cn.html"]
    assert hrefs(q3 / "market-cn.html") == ["../2026Q2/market-cn.html"]
    assert hrefs(q3 / "index.html") == ["../2026Q2/index.html"]
    assert hrefs(q2 / "index.html") == ["../2026Q3/index.html"]
    (q2 / "market-new.html").unlink()
    refresh_neighbours(tmp_path, Quarter.parse("2026Q2"))
    assert hrefs(q3 / "market-new.html") == []
    assert "<p>body</p>" in (q3 / "market-new.html").read_text(encoding="utf-8")


def test_refreshing_writes_only_pages_whose_links_changed(tmp_path):
    publish(tmp_path, "2026Q3", "a.html", "b.html")
    assert refresh_links(tmp_path, Q3) == 0
    publish(tmp_path, "2026Q2", "a.html")
    assert refresh_links(tmp_path, Q3) == 1


def test_a_neighbour_is_refreshed_only_once_its_running_build_lets_go(tmp_path):
    publish(tmp_path, "2026Q3", "index.html", "a.html")
    publish(tmp_path, "2026Q2", "index.html", "a.html")
    refresh = threading.Thread(target=refresh_neighbours, args=(tmp_path, Quarter.parse("2026Q2")))
    with build_lock(tmp_path / "2026Q3"):
        refresh.start()
        refresh.join(timeout=0.5)
        assert refresh.is_alive()
        assert hrefs(tmp_path / "2026Q3" / "a.html") == []
    refresh.join(timeout=10)
    assert not refresh.is_alive()
    assert hrefs(tmp_path / "2026Q3" / "a.html") == ["../2026Q2/a.html"]
