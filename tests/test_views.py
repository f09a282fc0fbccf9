"""The leadership views' figures: bridge, launch alignment, pipeline bars, heat map, brands."""

from __future__ import annotations

from dataclasses import replace
from html import escape

import pandas as pd
import pytest

from portfolio_reports.analysis import commercial, metrics, views
from portfolio_reports.analysis.scope import Scope
from portfolio_reports.data.quarters import Quarter
from portfolio_reports.notebook.report import ReportView, open_report
from portfolio_reports.presentation.narrative import highlights

from .conftest import PROJECT

SAMPLE = str(PROJECT / "data" / "sample")


def by_product(**amounts: float) -> pd.Series:
    return pd.Series(amounts, dtype=float)


def test_bridge_names_the_largest_changes_and_sums_the_rest_as_other():
    # A +2, B -1, C +1.04 (shows +1.0), D -0.5 (sold only in the base quarter).
    steps = views.bridge_steps(
        by_product(A=10.0, B=5.0, C=1.04), by_product(A=8.0, B=6.0, D=0.5), keep=1
    )
    assert steps["step"].tolist() == ["start", "A", "Other", "end"]
    assert steps["kind"].tolist() == ["total", "change", "change", "total"]
    # Totals 14.5 -> 16.04 (shows 16.0); Other is B + C + D = -0.46, shown as the -0.5 that
    # makes the shown changes add up to the shown difference.
    assert steps["revenue_m"].tolist() == [14.5, 2.0, -0.5, 16.0]
    assert steps["start"].tolist() == [0.0, 14.5, 16.5, 0.0]
    assert steps["end"].tolist() == [14.5, 16.5, 16.0, 16.0]


def test_bridge_changes_add_up_to_the_difference_of_the_totals():
    current = by_product(A=10.26, B=3.33, C=0.04, D=7.77)
    base = by_product(A=9.11, B=3.38, C=0.0, E=1.19)
    for keep in range(5):
        steps = views.bridge_steps(current, base, keep=keep)
        changes = steps.loc[steps["kind"] == "change", "revenue_m"].sum()
        first, last = steps["revenue_m"].iloc[[0, -1]]
        # Totals 21.40 and 13.68, shown 21.4 and 13.7.
        assert (first, last) == (13.7, 21.4)
        assert round(changes, 1) == round(last - first, 1) == 7.7
        assert steps["end"].iloc[-2] == pytest.approx(last)


def test_bridge_with_every_product_named_closes_rounding_with_its_own_step():
    # Each product adds 1.04 (shows +1.0); the total 2.08 shows 2.1.
    steps = views.bridge_steps(by_product(A=1.04, B=1.04), by_product(), keep=2)
    assert steps["step"].tolist() == ["start", "A", "B", views.ROUNDING, "end"]
    assert steps["revenue_m"].tolist() == [0.0, 1.0, 1.0, 0.1, 2.1]


def test_bridge_ties_go_to_the_product_code():
    steps = views.bridge_steps(by_product(B=2.0, A=2.0, C=2.0), by_product(), keep=2)
    assert steps["step"].tolist() == ["start", "A", "B", "Other", "end"]


def sales(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["quarter", "product", "revenue_m"])


def test_launch_curves_align_products_at_their_launch_quarter():
    frame = sales(
        [
            ("2025Q1", "OLD", 5.0),  # sells in the first quarter of the data: not a launch
            ("2025Q2", "OLD", 6.0),
            ("2025Q2", "NEW", 1.0),  # launched 2025Q2
            ("2025Q3", "NEW", 2.0),
            ("2025Q3", "NEW", 0.5),  # two markets in one quarter add up
            ("2025Q3", "GAP", 0.0),  # nothing sold: not yet launched
            ("2025Q4", "GAP", 4.0),  # launched 2025Q4, no sales in 2026Q1
        ]
    )
    curves = views.launch_curves(frame, Quarter.parse("2026Q1"))
    assert curves.to_dict("list") == {
        "product": ["NEW", "NEW", "NEW", "NEW", "GAP", "GAP"],
        "launch_quarter": ["2025Q2"] * 4 + ["2025Q4"] * 2,
        "quarters_since_launch": [1, 2, 3, 4, 1, 2],
        "quarter": ["2025Q2", "2025Q3", "2025Q4", "2026Q1", "2025Q4", "2026Q1"],
        "revenue_m": [1.0, 2.5, 0.0, 0.0, 4.0, 0.0],
    }


def test_launch_curves_leave_out_launches_before_the_window():
    frame = sales([("2023Q1", "A", 1.0), ("2023Q2", "B", 1.0), ("2025Q2", "C", 1.0)])
    curves = views.launch_curves(frame, Quarter.parse("2025Q2"), window=8)
    # The window 2023Q3..2025Q2 holds C's launch only; B launched 2023Q2, a quarter too early.
    assert curves["product"].unique().tolist() == ["C"]
    assert views.launch_curves(frame, Quarter.parse("2025Q1"), window=8).shape[1] == 5


@pytest.fixture(scope="module")
def overview():
    return open_report(SAMPLE, "2026Q3")


def test_products_are_named_by_their_brand_where_they_sell_most(overview):
    labels = views.product_labels(overview.dataset, overview.scope, overview.quarter)
    # trade_names.csv: HLX10 is HANSIZHUANG in China (its largest market), Hetronifly in the EU.
    assert labels["HLX10"] == "HANSIZHUANG (serplulimab)"
    europe = open_report(SAMPLE, "2026Q3", market="EU")
    assert views.product_labels(europe.dataset, europe.scope, europe.quarter)["HLX10"] == (
        "Hetronifly (serplulimab)"
    )
    # No brand in the data for a pipeline asset: its code and INN.
    assert labels["HLX15"] == "HLX15 (daratumumab)"


def test_market_heat_map_adds_up_to_the_quarters_product_sales(overview):
    grid = views.market_product_revenue(overview.dataset, overview.scope, overview.quarter)
    total = commercial.revenue_by_quarter(overview.dataset, overview.scope, overview.quarter)
    assert grid.to_numpy().sum() == pytest.approx(total["revenue_m"].iloc[-1])
    assert len(grid.columns) == views.HEAT_MARKETS
    assert grid.columns[0] == "CN" and grid.columns[-1] == views.OTHER_MARKETS
    assert grid.index[0] == "HANQUYOU (trastuzumab)"  # the largest product


def test_pipeline_bars_list_each_programme_once_with_its_next_milestone(overview):
    bars = views.pipeline_bars(overview.dataset, overview.scope, overview.quarter)
    snapshot = metrics.pipeline_snapshot(overview.dataset, overview.scope, overview.quarter)
    key = ["indication", "scope"]
    assert sorted(map(tuple, bars[key].to_numpy())) == sorted(map(tuple, snapshot[key].to_numpy()))
    areas = bars["therapy_area"].tolist()
    assert areas == sorted(
        areas, key=["Oncology", "Autoimmune", "Bone disease", "Ophthalmology"].index
    )
    milestone = bars.set_index(key)["next_milestone"]
    # catalysts.csv: HLX11's Canadian decision is due 2027Q1, its Chinese one 2026Q4.
    assert milestone["HLX11-BC", "CA"] == "approval in Canada, Q1 2027"
    assert milestone["HLX11-BC", "CN"] == "approval in China (mainland), Q4 2026"
    # A Global programme takes its indication's soonest event in any market.
    assert milestone["HLX04-O-AMD", "Global"] == "approval in China (mainland), Q1 2027"
    # An event naming no indication counts for the product's programmes in its market.
    assert set(bars.loc[bars["product"] == "HLX04", "next_milestone"]) == {
        "approval in United States, Q1 2027"
    }


def test_revenue_bridge_starts_and_ends_at_the_revenue_table(overview):
    trend = commercial.revenue_by_quarter(overview.dataset, overview.scope, overview.quarter)
    for base, row in (("previous", -2), ("year_ago", -5)):
        steps = views.revenue_bridge(overview.dataset, overview.scope, overview.quarter, base)
        assert steps["revenue_m"].iloc[0] == round(trend["revenue_m"].iloc[row], 1)
        assert steps["revenue_m"].iloc[-1] == round(trend["revenue_m"].iloc[-1], 1)
        assert steps.loc[steps["step"] == "HLX10", "brand"].tolist() == [
            "HANSIZHUANG (serplulimab)"
        ]
    with pytest.raises(ValueError, match="previous, year_ago"):
        views.revenue_bridge(overview.dataset, overview.scope, overview.quarter, "last")


def test_a_product_in_one_market_is_named_by_its_brand_there(overview):
    rows = pd.DataFrame(
        {
            "product": ["HLX02", "HLX02", "HLX02", "HLX10"],
            "inn": ["trastuzumab", "trastuzumab", "trastuzumab", "serplulimab"],
            "market": ["US", "EU", "BR", "CN"],
        },
        index=[7, 3, 5, 1],
    )
    names = views.market_brand_names(rows, overview.dataset)
    # trade_names.csv: HLX02 is HERCESSI in the US and Zercepac in the EU, with no brand in BR.
    assert names.to_dict() == {
        7: "HERCESSI (trastuzumab)",
        3: "Zercepac (trastuzumab)",
        5: "HLX02 (trastuzumab)",
        1: "HANSIZHUANG (serplulimab)",
    }


def test_the_movers_table_names_each_product_by_its_brand_in_the_rows_market(overview):
    movers = overview.revenue_movers()
    named = list(zip(movers.frame["Product"], movers.frame["Market"], strict=True))
    # 2026Q3 against 2026Q2: serplulimab grew in the EU (Hetronifly there, HANSIZHUANG in
    # China, where it sells most) and trastuzumab fell in the EU (Zercepac, HANQUYOU in China).
    assert ("Hetronifly (serplulimab)", "European Union") in named
    assert ("Zercepac (trastuzumab)", "European Union") in named
    assert views.VIEW_DEFINITIONS["market brand"] in movers.html


def test_a_page_names_each_product_once(tiny_dataset):
    whole = views.display_names(tiny_dataset, Scope(), Quarter(2025, 3))
    # The whole portfolio: brands in the home market (CN).
    assert whole[["HLX01", "HLX02", "HLX03"]].tolist() == ["HANLIKANG", "HANQUYOU", "HANDAYUAN"]
    us = views.display_names(tiny_dataset, Scope(market="US"), Quarter(2025, 3))
    # The US page: HLX02's US brand; HLX01 has none there and is named by its code.
    assert us[["HLX01", "HLX02"]].tolist() == ["HLX01", "HERCESSI"]
    america = views.display_names(tiny_dataset, Scope(region="North America"), Quarter(2025, 3))
    # North America (no home market): where it sold most there, the US (15) for HLX02.
    assert america[["HLX02", "HLX03"]].tolist() == ["HERCESSI", "HLX03"]
    bridge = views.revenue_bridge(tiny_dataset, Scope(), Quarter(2025, 3), "year_ago")
    assert "HANQUYOU (trastuzumab)" in bridge["brand"].tolist()


def test_a_display_name_overrides_the_brand_on_every_page(tiny_dataset):
    products = tiny_dataset.products.copy()
    products["display_name"] = products["product"].map({"HLX02": "Trastuzumab Tiny"})
    named = replace(tiny_dataset, products=products)
    for scope in (Scope(), Scope(market="US"), Scope(region="North America")):
        names = views.display_names(named, scope, Quarter(2025, 3))
        # HLX02's display name wins over HANQUYOU (home) and HERCESSI (US); the others keep
        # the brand each page would pick.
        assert names["HLX02"] == "Trastuzumab Tiny"
    assert views.display_names(named, Scope(), Quarter(2025, 3))["HLX01"] == "HANLIKANG"
    assert views.display_names(named, Scope(market="US"), Quarter(2025, 3))["HLX01"] == "HLX01"
    lines = " ".join(highlights(named, Scope(market="US"), Quarter(2025, 3)))
    assert "Trastuzumab Tiny" in lines and "HERCESSI" not in lines


def test_catalysts_name_products_as_the_page_does(tiny_dataset):
    rows = views.catalyst_rows(tiny_dataset, Scope(market="US"), Quarter(2025, 3))
    # HLX02's catalysts by its US brand, with its INN; HLX03 has no US brand: code and INN.
    assert set(rows[views.LABEL].str.split(" · ").str[0]) >= {
        "HERCESSI (trastuzumab)",
        "HLX03 (adalimumab)",
    }


def test_asset_bars_show_each_molecule_once_at_its_most_advanced_phase(tiny_dataset):
    whole = views.asset_bars(tiny_dataset, Scope(), Quarter(2025, 3))
    # In development at 2025Q3: HLX02-GC Global Phase 3 and CN Phase 2, HLX03-AS US Phase 1
    # (HLX01-RA was discontinued). Oncology sells more than Autoimmune, so it comes first.
    assert whole[["product", "phase", "programmes", "therapy_area"]].values.tolist() == [
        ["HLX02", "Phase 3", 2, "Oncology"],
        ["HLX03", "Phase 1", 1, "Autoimmune"],
    ]
    assert whole["label"].tolist() == ["HANQUYOU (trastuzumab)", "HANDAYUAN (adalimumab)"]
    # The soonest expected event of each product: 2025Q4 approvals of HLX02 (CN first), the
    # HLX03 topline data of 2026-02-10.
    assert whole["next_milestone"].tolist() == [
        "approval in China, Q4 2025",
        "topline data in United States, Q1 2026",
    ]
    us = views.asset_bars(tiny_dataset, Scope(market="US"), Quarter(2025, 3))
    # The US page: HLX02's Global programme only (the CN one runs elsewhere), its US brand.
    assert us[["label", "programmes", "next_milestone"]].values.tolist() == [
        ["HERCESSI (trastuzumab)", 1, "approval in United States, Q4 2025"],
        ["HLX03 (adalimumab)", 1, "topline data in United States, Q1 2026"],
    ]


def test_the_asset_chart_titles_its_count_and_names_each_asset(tiny_dataset):
    html = ReportView(tiny_dataset, Scope(), Quarter(2025, 3)).asset_bars().html
    assert "2 molecules in development by phase, Whole portfolio, end of Q3 2025" in html
    assert '<th scope="row">HANQUYOU (trastuzumab)</th>' in html
    assert escape(views.VIEW_DEFINITIONS["assets"]) in html


def test_territories_in_brackets_are_named_and_other_words_kept(tiny_dataset):
    texts = pd.Series(
        [
            "Accord (US, CA); Cipla (CN)",
            "Organon (ex-CN/US), US rights",  # outside brackets: the writer's own words
            "Partner (CAN, MENA, from Feb 2026)",  # no market code in brackets
            None,
        ]
    )
    named = views.territory_names(tiny_dataset, texts)
    assert named[:3].tolist() == [
        "Accord (United States, Canada); Cipla (China)",
        "Organon (ex-China/United States), US rights",
        "Partner (CAN, MENA, from Feb 2026)",
    ]
    assert pd.isna(named[3])
