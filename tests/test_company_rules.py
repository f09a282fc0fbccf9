"""The rules that let any company's data through: colours, unions, home market, ordering."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from portfolio_reports.analysis import key_figures, metrics
from portfolio_reports.analysis.brands import trade_names_of
from portfolio_reports.analysis.ordering import by_sales
from portfolio_reports.analysis.pipeline import programmes
from portfolio_reports.analysis.revenue import allocation_warnings, geography, home_split
from portfolio_reports.analysis.scope import Scope
from portfolio_reports.data.company import Money
from portfolio_reports.data.dataset import Dataset
from portfolio_reports.data.quarters import Quarter
from portfolio_reports.notebook.report import ReportView
from portfolio_reports.presentation import palette

Q3 = Quarter(2025, 3)


@pytest.fixture(autouse=True)
def no_chosen_colours():
    """Each test starts from a data set that colours nothing itself."""
    palette.choose({})
    yield
    palette.choose({})


def test_a_name_keeps_its_colour_and_any_number_of_names_gets_one():
    names = [f"Area {number}" for number in range(40)]
    first, again = palette.series_colors(names), palette.series_colors(names)
    assert first == again and len(first) == 40
    assert palette.color_for("Area 7") == palette.color_for("Area 7") in palette.SERIES


def test_contrast_is_the_wcag_ratio_of_two_colours():
    # Relative luminance of white 1, of black 0: (1 + 0.05) / (0 + 0.05) = 21. #777777: each
    # channel 119/255 = 0.4667, linear ((0.4667 + 0.055) / 1.055) ** 2.4 = 0.1845, so
    # 1.05 / 0.2345 = 4.48, the grey commonly quoted as just short of 4.5:1 on white.
    assert palette.contrast("#ffffff", "#000000") == pytest.approx(21.0)
    assert palette.contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.005)
    assert palette.contrast("#ffffff", "#777777") == palette.contrast("#777777", "#ffffff")


@pytest.mark.parametrize(
    ("background", "text"),
    [
        ("#1f3b63", palette.LIGHT_TEXT),  # a dark navy: white 11.3:1, the dark text 1.4:1
        ("#f28e2b", palette.DARK_TEXT),  # the series orange: white only 2.4:1, dark text 6.5:1
        ("#edc948", palette.DARK_TEXT),  # the series yellow: white 1.6:1
        ("#4e79a7", palette.LIGHT_TEXT),  # the series blue: white 4.6:1, dark text 3.5:1
    ],
)
def test_a_label_on_a_colour_takes_white_or_the_pages_text_whichever_contrasts_more(
    background, text
):
    assert palette.text_color_on(background) == text


def test_a_label_on_any_colour_contrasts_at_least_3_9_to_1():
    # The two text colours cross near a mid grey, where each gives about 4:1.
    steps = range(0, 256, 15)
    colours = [
        f"#{red:02x}{green:02x}{blue:02x}" for red in steps for green in steps for blue in steps
    ]
    worst = min(palette.contrast(palette.text_color_on(colour), colour) for colour in colours)
    assert 3.9 <= worst < 4.1


def test_no_two_series_of_one_chart_share_a_colour_while_the_palette_lasts():
    # Names whose hashed colours collide: the later one moves to the first free colour.
    names = [f"Area {number}" for number in range(9)]
    hashed = [palette.color_for(name) for name in names]
    assert len(set(hashed)) < len(names)  # the hash alone collides
    assert len(set(palette.series_colors(names))) == len(names)


def test_colours_the_data_gives_win_and_still_do_not_repeat_in_a_chart():
    palette.choose({"Neurology": "#112233", "Oncology": "#112233"})
    colours = palette.series_colors(["Neurology", "Oncology", "Immunology"])
    assert colours[0] == "#112233"
    assert len(set(colours)) == 3
    assert palette.color_for(palette.OTHER) == palette.OTHER_COLOR


def test_the_home_market_split_is_named_from_the_markets_table(tiny_dataset):
    split = home_split(tiny_dataset)
    assert split is not None
    # CN is the only market of region China, so the split reads by the region's name.
    assert (split.label, split.term) == ("China", "China, overseas")
    markets = pd.Series(["CN", "US", "CA"])
    assert geography(markets, tiny_dataset).tolist() == ["China", "Overseas", "Overseas"]
    # 2025Q3: CN 110 + 25 + 10 = 145 of 165.
    assert key_figures.home_share(tiny_dataset, Scope(), Q3) == pytest.approx(145 / 165)


def test_the_rest_of_the_world_is_named_by_the_company_profile(tiny_dataset):
    unnamed = dataclasses.replace(
        tiny_dataset, company=tiny_dataset.company.assign(rest_of_world_label=None)
    )
    split = home_split(unnamed)
    assert split is not None
    assert (split.rest, split.rest_name, split.term) == (
        "rest of world",
        "Rest of world",
        "China, rest of world",
    )
    assert split.definition == (
        "China: product sales booked in China; rest of world: every other market."
    )
    markets = pd.Series(["CN", "US"])
    assert geography(markets, unnamed).tolist() == ["China", "Rest of world"]
    # 2025Q3: CN 145 of 165, whatever the rest is called.
    assert key_figures.home_share(unnamed, Scope(), Q3) == pytest.approx(145 / 165)
    international = dataclasses.replace(
        tiny_dataset, company=tiny_dataset.company.assign(rest_of_world_label="international")
    )
    split = home_split(international)
    assert split is not None and split.term == "China, international"
    tile = ReportView(unnamed, Scope(), Q3).kpi_strip().html
    assert "<dt>China / rest of world</dt>" in tile and "overseas" not in tile.lower()


def test_a_home_market_sharing_its_region_goes_by_its_own_name(tiny_dataset):
    company = tiny_dataset.company.assign(home_market="US")
    split = home_split(dataclasses.replace(tiny_dataset, company=company))
    assert split is not None and split.label == "United States"


def test_without_a_home_market_there_is_no_split(tiny_dataset):
    company = tiny_dataset.company.assign(home_market=None)
    without = dataclasses.replace(tiny_dataset, company=company)
    assert home_split(without) is None
    assert key_figures.home_share(without, Scope(), Q3) is None


def test_a_global_programme_closes_at_its_first_approval_outside_the_home_market(tiny_dataset):
    """HLX02-GC runs Global; an approval of it in CN (home) leaves it open, in US closes it."""
    extra = pd.DataFrame(
        {
            "product": ["HLX02"],
            "indication": ["HLX02-GC"],
            "market": ["CN"],
            "agency": ["NMPA"],
            "event_type": ["approval"],
            "date": [pd.Timestamp("2025-08-01")],
            "date_precision": ["day"],
            "detail": [None],
            "estimated": [False],
            "inferred": [False],
            "status": [None],
            "status_as_of": [pd.NaT],
            "source": [None],
        }
    )
    events = pd.concat([tiny_dataset.regulatory_events, extra], ignore_index=True)
    at_home = dataclasses.replace(tiny_dataset, regulatory_events=events)
    assert _global_status(at_home) == "in development"
    company = tiny_dataset.company.assign(home_market=None)
    anywhere = dataclasses.replace(at_home, company=company)
    assert _global_status(anywhere) == "approved"


def _global_status(ds: Dataset) -> str:
    """The status of the Global HLX02-GC programme at the end of 2025Q3."""
    rows = programmes(ds, Scope(), Q3)
    row = rows[(rows["indication"] == "HLX02-GC") & (rows["scope"] == "Global")]
    return str(row["status"].iloc[0])


def _with_union(ds: Dataset) -> Dataset:
    """The tiny data with an EU covering DE and FR, HLX02 approved by the EC in 2024 and sold in
    DE (3.0) and FR (2.0) in 2025Q3, its EU brand ZERCEPAC."""
    markets = pd.concat(
        [
            ds.markets,
            pd.DataFrame(
                {
                    "market": ["EU", "DE", "FR"],
                    "name": ["European Union", "Germany", "France"],
                    "region": ["Europe"] * 3,
                    "regulator": ["EMA/EC", "BfArM", "ANSM"],
                    "covered_by": [None, "EU", "EU"],
                }
            ),
        ],
        ignore_index=True,
    )
    approval = ds.regulatory_events.iloc[[3]].assign(
        market="EU", agency="EC", date=pd.Timestamp("2024-06-01")
    )
    events = pd.concat([ds.regulatory_events, approval], ignore_index=True)
    sales = pd.concat(
        [
            ds.sales,
            pd.DataFrame(
                {
                    "quarter": ["2025Q3", "2025Q3"],
                    "product": ["HLX02", "HLX02"],
                    "market": ["DE", "FR"],
                    "revenue_m": [3.0, 2.0],
                    "synthetic": [True, True],
                }
            ),
        ],
        ignore_index=True,
    )
    brand = pd.DataFrame(
        {"product": ["HLX02"], "market": ["EU"], "indication": [None], "trade_name": ["ZERCEPAC"]}
    )
    trade_names = pd.concat([ds.trade_names, brand], ignore_index=True)
    return dataclasses.replace(
        ds, markets=markets, regulatory_events=events, sales=sales, trade_names=trade_names
    )


def test_a_union_counts_once_among_the_markets_reached(tiny_dataset):
    union = _with_union(tiny_dataset)
    markets = pd.Series(["US", "EU", "DE", "FR", "CN"])
    assert metrics.markets_reached(markets, union) == 3  # US, EU (with DE and FR), CN
    counts = metrics.portfolio_counts(union, Scope(), Q3).set_index("count")["value"]
    # Approved by quarter end: CN, US, CA (tiny data) and the EU: four markets.
    assert counts["Markets reached"] == 4


def test_a_member_shows_the_unions_record_and_the_union_sums_its_members(tiny_dataset):
    union = _with_union(tiny_dataset)
    germany = Scope(market="DE").events(union)
    assert germany["market"].tolist() == ["EU"]  # the EC approval, marked as the union's
    eu_sales = Scope(market="EU").sales(union)
    assert eu_sales.groupby("market")["revenue_m"].sum().to_dict() == {"DE": 3.0, "FR": 2.0}
    assert Scope(market="DE").sales(union)["revenue_m"].sum() == pytest.approx(3.0)


def test_a_unions_brand_carries_to_its_members_unless_they_have_their_own(tiny_dataset):
    union = _with_union(tiny_dataset)
    own = pd.DataFrame(
        {"product": ["HLX02"], "market": ["FR"], "indication": [None], "trade_name": ["LOCAL"]}
    )
    union = dataclasses.replace(
        union, trade_names=pd.concat([union.trade_names, own], ignore_index=True)
    )
    names = trade_names_of(union).set_index(["product", "market"])["trade_name"]
    assert names[("HLX02", "DE")] == "ZERCEPAC"
    assert names[("HLX02", "FR")] == "LOCAL"


def test_categories_are_listed_by_product_sales_then_name(tiny_dataset):
    # 2025Q3 allocated: Oncology 145 (HLX02 125 + HLX01 17.5 + 2.5 unallocated), Autoimmune 20.
    assert by_sales(tiny_dataset, "therapy_area", Q3) == ["Oncology", "Autoimmune"]
    # A quarter without sales orders by name.
    assert by_sales(tiny_dataset, "therapy_area", Quarter(2020, 1)) == ["Autoimmune", "Oncology"]
    # Regions: China 145, North America 20.
    assert by_sales(tiny_dataset, "region", Q3) == ["China", "North America"]


def test_money_is_named_in_the_companys_currency_and_unit():
    money = Money("USD", "bn")
    assert (money.label, money.words, money.amount("1.5")) == (
        "USD bn",
        "USD billion",
        "USD 1.5 bn",
    )
    assert money.spell("at least {currency} 1.0 {unit}, in {money}") == (
        "at least USD 1.0 bn, in USD billion"
    )


def test_sales_without_a_revenue_allocation_give_one_warning(tiny_dataset):
    assert allocation_warnings(tiny_dataset) == []
    without = dataclasses.replace(
        tiny_dataset, revenue_allocation=tiny_dataset.revenue_allocation.iloc[0:0]
    )
    assert allocation_warnings(without) == [
        "revenue_allocation: no rows; product sales are not allocated to disease areas, so"
        " disease-area pages show the sales of the products with indications there, not"
        " allocated, and therapy areas count them as “Not allocated”"
    ]
