"""Revenue definitions on the tiny data set: allocation, China and overseas, counts, ranking."""

from dataclasses import replace

import pandas as pd
import pytest

from portfolio_reports.analysis import commercial, metrics
from portfolio_reports.analysis.revenue import (
    NOT_ALLOCATED,
    allocated_sales,
    floor_figure,
    material,
    materiality,
    ranked,
)
from portfolio_reports.analysis.scope import Scope
from portfolio_reports.config import DEFAULT_MATERIALITY, Materiality
from portfolio_reports.data.company import Money
from portfolio_reports.data.dataset import load_dataset
from portfolio_reports.data.quarters import Quarter
from portfolio_reports.errors import DataError

from .conftest import SAMPLE_DATA
from .test_metrics import rows

Q3 = Quarter(2025, 3)
WHOLE = Scope()


def parts_of(ds, quarter, product, market):
    """The allocated parts of one sale: (indication, disease area, therapy area, revenue)."""
    sales = allocated_sales(ds)
    sale = sales[
        (sales["quarter"] == quarter) & (sales["product"] == product) & (sales["market"] == market)
    ]
    return rows(sale, "indication", "disease_area", "therapy_area", "revenue_m")


def test_a_sale_is_split_by_share_with_the_remainder_left_unallocated(tiny_dataset):
    # HLX01 in CN, 2025Q3: 25 x 0.7 = 17.5 and 25 x 0.2 = 5; the 0.1 left stays in its primary
    # therapy area (Oncology), not allocated.
    assert parts_of(tiny_dataset, "2025Q3", "HLX01", "CN") == [
        ("HLX01-NHL", "Haematological cancer", "Oncology", pytest.approx(17.5)),
        ("HLX01-RA", "Rheumatology", "Autoimmune", pytest.approx(5.0)),
        (None, NOT_ALLOCATED, "Oncology", pytest.approx(2.5)),
    ]


def test_market_shares_replace_the_product_shares_there(tiny_dataset):
    # HLX02 in the US is all breast cancer; in CN it is split 0.6 / 0.4.
    assert parts_of(tiny_dataset, "2025Q3", "HLX02", "US") == [
        ("HLX02-BC", "Breast cancer", "Oncology", 15.0)
    ]
    assert parts_of(tiny_dataset, "2025Q3", "HLX02", "CN") == [
        ("HLX02-BC", "Breast cancer", "Oncology", pytest.approx(66.0)),
        ("HLX02-GC", "Gastrointestinal cancer", "Oncology", pytest.approx(44.0)),
    ]


def test_a_product_without_shares_stays_whole_in_its_primary_area(tiny_dataset):
    no_shares = replace(tiny_dataset, revenue_allocation=tiny_dataset.revenue_allocation.iloc[:0])
    assert parts_of(no_shares, "2025Q3", "HLX01", "CN") == [(None, NOT_ALLOCATED, "Oncology", 25.0)]


def test_disease_areas_add_up_to_their_therapy_area(tiny_dataset):
    oncology = Scope(therapy_area="Oncology")
    areas = commercial.revenue_by(tiny_dataset, oncology, Q3, by="disease_area")
    # Breast 66 + 15, gastric 44, HLX01 lymphoma 17.5 and its unallocated 2.5.
    assert rows(areas, "disease_area", "revenue_m") == [
        ("Breast cancer", pytest.approx(81.0)),
        ("Gastrointestinal cancer", pytest.approx(44.0)),
        ("Haematological cancer", pytest.approx(17.5)),
        (NOT_ALLOCATED, pytest.approx(2.5)),
    ]
    total = commercial.revenue_by_quarter(tiny_dataset, oncology, Q3, quarters=1)["revenue_m"]
    assert areas["revenue_m"].sum() == pytest.approx(total.iloc[0]) == pytest.approx(145.0)
    breast = commercial.revenue_by_quarter(tiny_dataset, Scope(disease_area="Breast cancer"), Q3, 1)
    assert breast["revenue_m"].iloc[0] == pytest.approx(81.0)


def test_therapy_areas_add_up_to_the_portfolio(tiny_dataset):
    # HLX01 is not counted twice: 20 of its 25 in Oncology, 5 in Autoimmune (with HLX03's 15).
    areas = commercial.revenue_by(tiny_dataset, WHOLE, Q3, by="therapy_area")
    assert rows(areas, "therapy_area", "revenue_m") == [
        ("Oncology", pytest.approx(145.0)),
        ("Autoimmune", pytest.approx(20.0)),
    ]
    portfolio = commercial.revenue_by_quarter(tiny_dataset, WHOLE, Q3, quarters=1)
    assert areas["revenue_m"].sum() == pytest.approx(portfolio["revenue_m"].iloc[0])


def test_china_and_overseas_with_growth(tiny_dataset):
    # China: 110 + 25 + 10 = 145 (2025Q2 100 + 20 + 10 = 130; 2024Q3 80 + 20 + 10 = 110);
    # overseas: US 15 + CA 5 = 20 (2025Q2 20; 2024Q3 10).
    split = commercial.revenue_by(tiny_dataset, WHOLE, Q3, by="geography")
    assert rows(split, "geography", "revenue_m", "previous_quarter_m", "year_ago_m") == [
        ("China", 145.0, 130.0, 110.0),
        ("Overseas", 20.0, 20.0, 10.0),
    ]
    assert split["qoq"].tolist() == pytest.approx([15 / 130, 0.0])
    assert split["yoy"].tolist() == pytest.approx([35 / 110, 1.0])
    assert split["mix"].tolist() == pytest.approx([145 / 165, 20 / 165])


def test_hong_kong_counts_as_overseas(tiny_dataset):
    markets = pd.concat(
        [
            tiny_dataset.markets,
            pd.DataFrame(
                [{"market": "HK", "name": "Hong Kong", "region": "Asia-Pacific ex-China"}]
            ),
        ],
        ignore_index=True,
    )
    sale = {"quarter": "2025Q3", "product": "HLX02", "market": "HK", "revenue_m": 4.0}
    sales = pd.concat([tiny_dataset.sales, pd.DataFrame([sale | {"synthetic": True}])])
    ds = replace(tiny_dataset, markets=markets, sales=sales)
    split = commercial.revenue_by(ds, WHOLE, Q3, by="geography")
    assert rows(split, "geography", "revenue_m") == [("China", 145.0), ("Overseas", 24.0)]


@pytest.mark.parametrize(
    ("quarter", "expected"),
    [
        # 2025Q3: approvals of HLX01, HLX02, HLX03 in CN, US and CA; HLX02 approved in CA in
        # the quarter; HLX02-GC and HLX03-AS in development (HLX01-RA discontinued).
        (Q3, [3, 3, 3, 0, 1, 0, 2, 1]),
        # 2025Q1: CA not reached yet (HLX03 approved there 2025-05-20); HLX02's CA filing
        # accepted 2025-01-15; HLX01-RA (Phase 3) and HLX02-GC, HLX02-BC in CA in development.
        (Quarter(2025, 1), [3, 3, 2, 0, 0, 1, 2, 2]),
    ],
)
def test_portfolio_counts_follow_their_definitions(tiny_dataset, quarter, expected):
    counts = metrics.portfolio_counts(tiny_dataset, WHOLE, quarter)
    assert counts["count"].tolist() == list(metrics.PORTFOLIO_COUNTS)
    assert counts["value"].tolist() == expected
    assert counts["definition"].str.len().gt(20).all()


def test_markets_reached_count_the_eu_once(tiny_dataset):
    eu = {"market": "EU", "name": "European Union", "region": "North America", "regulator": "EC"}
    approval = {
        "product": "HLX03",
        "market": "EU",
        "agency": "EC",
        "event_type": "approval",
        "date": pd.Timestamp("2025-09-01"),
        "estimated": False,
    }
    ds = replace(
        tiny_dataset,
        markets=pd.concat([tiny_dataset.markets, pd.DataFrame([eu])], ignore_index=True),
        regulatory_events=pd.concat(
            [tiny_dataset.regulatory_events, pd.DataFrame([approval])], ignore_index=True
        ),
    )
    counts = metrics.portfolio_counts(ds, WHOLE, Q3).set_index("count")["value"]
    assert counts["Markets reached"] == 4
    assert counts["Approvals this quarter"] == 2


def test_markets_reached_on_inferred_approvals_only(tiny_dataset):
    events = tiny_dataset.regulatory_events.copy()
    # The US: its one approval inferred; CA: the HLX02 approval inferred, the HLX03 one reported.
    approvals = events["event_type"] == "approval"
    events.loc[approvals & (events["market"] == "US"), "inferred"] = True
    hlx02_ca = approvals & (events["market"] == "CA") & (events["product"] == "HLX02")
    events.loc[hlx02_ca, "inferred"] = True
    ds = replace(tiny_dataset, regulatory_events=events)
    counts = metrics.portfolio_counts(ds, WHOLE, Q3).set_index("count")["value"]
    assert (counts["Markets reached"], counts[metrics.INFERRED_MARKETS]) == (3, 1)


def test_ranking_compares_figures_as_shown_then_breaks_ties():
    # 0.1 + 0.2 and 0.3 differ as floats but both show as 0.3: the larger revenue goes first,
    # then the product code.
    frame = pd.DataFrame(
        {
            "product": ["B", "A", "C", "D"],
            "change_m": [0.1 + 0.2, 0.3, 0.3, 0.25],
            "revenue_m": [5.0, 5.0, 9.0, 1.0],
        }
    )
    order = ranked(frame, ["change_m", "revenue_m", "product"], [False, False, True])
    assert order["product"].tolist() == ["C", "A", "B", "D"]


def test_movers_with_changes_equal_as_shown_go_to_the_larger_revenue(tiny_dataset):
    # 2025Q3: HLX02 CN up 10.0 (100 -> 110); HLX03 CA up from 0 to 10 plus float noise, which
    # would put it first if compared unrounded. Both show +10.0: HLX02 CN has more revenue.
    sales = tiny_dataset.sales.copy()
    canada = (sales["product"] == "HLX03") & (sales["market"] == "CA")
    sales.loc[canada, "revenue_m"] = 10 + 2e-12
    ds = replace(tiny_dataset, sales=sales)
    movers = commercial.revenue_movers(ds, WHOLE, Q3)
    increases = movers[movers["direction"] == "increase"]
    assert rows(increases, "product", "market") == [
        ("HLX02", "CN"),
        ("HLX03", "CA"),
        ("HLX01", "CN"),
    ]


def test_allocation_problems_name_file_line_and_rule(sample_copy):
    path = sample_copy / "revenue_allocation.csv"
    lines = path.read_text().splitlines()
    lines[1] = lines[1].replace(",0.85,", ",1.5,")  # HLX01-NHL share > 1
    lines.append("HLX02,HLX02-BC,US,0.7,true,estimate")
    lines.append("HLX02,HLX02-GC,US,0.6,true,estimate")  # US shares add up to 1.3
    lines.append("HLX03,HLX02-BC,,0.1,true,estimate")  # an indication of another product
    lines.append("HLX99,HLX03-RA,,0.1,true,estimate")  # unknown product
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError) as caught:
        load_dataset(sample_copy)
    problems = caught.value.problems
    assert (
        "revenue_allocation.csv line 2, column share: value 1.5 not allowed; must be <= 1"
        in (problems[0])
    )
    assert (
        "revenue_allocation.csv, 2 rows (lines 23, 24): shares of HLX02 in US add up to 1.3;"
        " a product's shares in one market may add up to at most 1"
    ) in problems
    assert any(
        p.startswith("revenue_allocation.csv line 25, column indication: 'HLX02-BC' is an")
        and "of HLX02, not of HLX03" in p
        for p in problems
    ), problems
    assert any(
        p.startswith("revenue_allocation.csv line 26, column product: unknown product 'HLX99'")
        for p in problems
    ), problems


def test_sample_oncology_disease_areas_add_up():
    ds = load_dataset(SAMPLE_DATA)
    quarter = Quarter(2026, 3)
    oncology = Scope(therapy_area="Oncology")
    areas = commercial.revenue_by(ds, oncology, quarter, by="disease_area")
    total = commercial.revenue_by_quarter(ds, oncology, quarter, quarters=1)["revenue_m"].iloc[0]
    assert areas["revenue_m"].sum() == pytest.approx(total)
    therapy = commercial.revenue_by(ds, WHOLE, quarter, by="therapy_area")["revenue_m"].sum()
    portfolio = commercial.revenue_by_quarter(ds, WHOLE, quarter, quarters=1)["revenue_m"].iloc[0]
    assert therapy == pytest.approx(portfolio)
    counts = metrics.portfolio_counts(ds, WHOLE, quarter).set_index("count")["value"]
    assert counts["Products launched"] == 9
    assert 55 <= counts["Markets reached"] <= 65


def by_type(ds, quarter):
    """The revenue-by-type table as (type, quarter, QoQ, YoY, year to date, its YoY) tuples."""
    table = commercial.revenue_by_type(ds, quarter)
    return rows(
        table,
        "revenue_type",
        "revenue_m",
        "qoq",
        "yoy",
        "year_to_date_m",
        "year_to_date_yoy",
    )


def test_total_revenue_is_product_sales_plus_each_other_type(tiny_dataset):
    # 2025Q3 against 2025Q2 and 2024Q3; year to date 2025Q1-Q3 against 2024Q1-Q3.
    # Product sales 165 / 150 / 120, to date 140 + 150 + 165 = 455 against 0 + 110 + 120 = 230.
    # Licence income 10 / 20 / 30, to date 30 against 30; service income 6 / 5 / 0, 16 against 0.
    # Total 181 / 175 / 150, to date 501 against 260. other income has nothing in these periods.
    assert by_type(tiny_dataset, Q3) == [
        ("product sales", 165.0, pytest.approx(0.1), pytest.approx(0.375), 455.0,
         pytest.approx(225 / 230)),
        ("licence income", 10.0, pytest.approx(-0.5), pytest.approx(-2 / 3), 30.0, 0.0),
        ("service income", 6.0, pytest.approx(0.2), None, 16.0, None),
        ("total revenue", 181.0, pytest.approx(6 / 175), pytest.approx(31 / 150), 501.0,
         pytest.approx(241 / 260)),
    ]  # fmt: skip


def test_a_type_with_revenue_in_a_compared_quarter_is_listed(tiny_dataset):
    # 2025Q1 against 2024Q4 (other income 4) and 2024Q1 (nothing at all).
    assert by_type(tiny_dataset, Quarter(2025, 1)) == [
        ("product sales", 140.0, pytest.approx(10 / 130), None, 140.0, None),
        ("licence income", 0.0, None, None, 0.0, None),
        ("service income", 5.0, None, None, 5.0, None),
        ("other income", 0.0, -1.0, None, 0.0, None),
        ("total revenue", 145.0, pytest.approx(11 / 134), None, 145.0, None),
    ]


def test_product_sales_by_type_agree_with_the_product_sales_total(tiny_dataset):
    table = commercial.revenue_by_type(tiny_dataset, Q3).set_index("revenue_type")
    trend = commercial.revenue_by_quarter(tiny_dataset, WHOLE, Q3, quarters=1).iloc[0]
    assert table.loc["product sales", "revenue_m"] == trend["revenue_m"]
    assert table.loc["product sales", "yoy"] == pytest.approx(trend["yoy"])


def test_without_other_revenue_the_total_is_product_sales(tiny_dataset):
    bare = replace(tiny_dataset, other_revenue=tiny_dataset.other_revenue.iloc[:0])
    assert [row[:2] for row in by_type(bare, Q3)] == [
        ("product sales", 165.0),
        ("licence income", 0.0),
        ("service income", 0.0),
        ("total revenue", 165.0),
    ]


def test_sample_total_revenue_of_2023_matches_the_reported_size():
    # Reported: 2023 revenue RMB 5,394.9 m, of which about 840 m licence and service income.
    q4 = commercial.revenue_by_type(load_dataset(SAMPLE_DATA), Quarter(2023, 4))
    year = q4.set_index("revenue_type")["year_to_date_m"]
    other = year["total revenue"] - year["product sales"]
    assert 800 <= other <= 880
    assert 5_200 <= year["total revenue"] <= 5_600


def test_allocation_is_computed_once_per_data_set_and_each_caller_gets_a_copy(tiny_dataset):
    first = allocated_sales(tiny_dataset)
    first["revenue_m"] = 0.0
    again = allocated_sales(tiny_dataset)
    assert again["revenue_m"].sum() == pytest.approx(tiny_dataset.sales["revenue_m"].sum())
    halved = replace(
        tiny_dataset, sales=tiny_dataset.sales.assign(revenue_m=lambda s: s.revenue_m / 2)
    )
    assert allocated_sales(halved)["revenue_m"].sum() == pytest.approx(again["revenue_m"].sum() / 2)


def test_a_change_is_material_from_rmb_1_m_and_5_percent_of_its_base():
    change = pd.Series([1.0, 0.9, 4.0, 5.0, 1.2, -2.0, 0.96])
    base = pd.Series([10.0, 5.0, 100.0, 100.0, 0.0, 30.0, 1.0])
    # 0.96 shows as 1.0, so it counts as RMB 1.0 m; 4.0 is under 5% of 100.
    rule = DEFAULT_MATERIALITY
    assert material(change, base, rule).tolist() == [True, False, False, True, True, True, True]


def test_the_materiality_bar_is_the_projects_floor_and_share():
    change = pd.Series([1.0, 4.0, 30.0, -250.0])
    base = pd.Series([10.0, 100.0, 1_000.0, 2_000.0])
    # A company counting in thousands: 250 is 12.5% of 2,000; 30 is 3% of 1,000.
    thousands = Materiality(floor=25.0, share=0.05)
    assert material(change, base, thousands).tolist() == [False, False, False, True]
    # A bar of 2% and 0.5: 1.0 is 10% of 10, 4.0 4% of 100, 30 3% of 1,000.
    finer = Materiality(floor=0.5, share=0.02)
    assert material(change, base, finer).tolist() == [True, True, True, True]
    spelled = Money("USD", "k").spell(materiality(Materiality(floor=0.25, share=0.025)))
    assert spelled.startswith(
        "A change is material when it is at least USD 0.25 k and at least 2.5% of the sales"
    )
    assert floor_figure(Materiality(floor=1_000.0)) == "1,000.0"
    assert floor_figure(DEFAULT_MATERIALITY) == "1.0"


def test_a_mover_material_under_one_floor_is_not_under_a_higher_one(tiny_dataset):
    # 2025Q3 against 2024Q3: HLX02 +35.0 (on 90), HLX01 +5.0 (on 20), HLX03 +5.0 (on 10).
    def moved(rule: Materiality) -> list[str]:
        ruled = replace(tiny_dataset, materiality=rule)
        return commercial.revenue_drivers(ruled, WHOLE, Q3, by="product")["product"].tolist()

    assert moved(DEFAULT_MATERIALITY) == ["HLX02", "HLX01", "HLX03"]
    assert moved(Materiality(floor=6.0)) == ["HLX02"]
    # A 30% share: HLX01's 25% is under it, HLX03's 50% and HLX02's 38.9% are not.
    assert moved(Materiality(share=0.3)) == ["HLX02", "HLX03"]


def test_revenue_drivers_rank_material_moves_on_a_year_earlier(tiny_dataset):
    products = commercial.revenue_drivers(tiny_dataset, WHOLE, Q3, by="product")
    # 2025Q3 against 2024Q3: HLX02 125 vs 90, HLX01 25 vs 20, HLX03 15 vs 10; HLX01 before HLX03
    # on the larger revenue.
    assert products[["product", "change_m"]].values.tolist() == [
        ["HLX02", 35.0],
        ["HLX01", 5.0],
        ["HLX03", 5.0],
    ]
    assert products["yoy"].tolist() == pytest.approx([35 / 90, 0.25, 0.5])
    regions = commercial.revenue_drivers(tiny_dataset, WHOLE, Q3, by="region", n=1)
    assert regions[["region", "change_m"]].values.tolist() == [["China", 35.0]]
    # 2025Q2 against 2024Q2: CN 130 vs 110 and the US 20 vs none both move by 20, CN first on
    # the larger revenue; CA sold nothing in either quarter.
    both = commercial.revenue_drivers(tiny_dataset, WHOLE, Quarter(2025, 2), by="market")
    assert both[["market", "change_m"]].values.tolist() == [["CN", 20.0], ["US", 20.0]]


def test_revenue_drivers_rank_material_moves_on_the_previous_quarter(tiny_dataset):
    products = commercial.revenue_drivers(tiny_dataset, WHOLE, Q3, by="product", base="previous")
    # 2025Q3 against 2025Q2: HLX02 125 vs 120 (+4.2%, under 5%), HLX01 25 vs 20, HLX03 15 vs 10.
    assert products[["product", "change_m"]].values.tolist() == [["HLX01", 5.0], ["HLX03", 5.0]]
    assert products["qoq"].tolist() == pytest.approx([0.25, 0.5])
    with pytest.raises(ValueError, match="base must be one of previous, year_ago"):
        commercial.revenue_drivers(tiny_dataset, WHOLE, Q3, base="last year")


def test_revenue_movers_leave_out_immaterial_changes(tiny_dataset):
    sales = tiny_dataset.sales.copy()
    hlx01 = (sales["product"] == "HLX01") & (sales["quarter"] == "2025Q3")
    sales.loc[hlx01, "revenue_m"] = 20.5  # +0.5 on 20: under RMB 1 m
    movers = commercial.revenue_movers(replace(tiny_dataset, sales=sales), WHOLE, Q3)
    assert rows(movers, "product", "market") == [("HLX02", "CN"), ("HLX03", "CA"), ("HLX02", "US")]


def test_total_revenue_drivers_name_the_type_and_the_counterparty(tiny_dataset):
    # 2025Q3 against 2024Q3: product sales 165 vs 120, licence income from Accord 10 vs 30,
    # service income 6 vs 0; against 2025Q2 the service income moves by 1.0 on 5 (+20%).
    year_ago = commercial.total_revenue_drivers(tiny_dataset, Q3)
    assert rows(year_ago, "revenue_type", "counterparty", "change_m") == [
        ("product sales", "", 45.0),
        ("licence income", "Accord", -20.0),
        ("service income", "", 6.0),
    ]
    assert year_ago["yoy"].iloc[:2].tolist() == pytest.approx([0.375, -2 / 3])
    previous = commercial.total_revenue_drivers(tiny_dataset, Q3, "previous", n=2)
    assert rows(previous, "revenue_type", "counterparty", "change_m") == [
        ("product sales", "", 15.0),
        ("licence income", "Accord", -10.0),
    ]


@pytest.mark.parametrize(
    ("scope", "amounts"),
    [
        # The Accord rows name HLX02 (Oncology) and the US (North America); the service and
        # other income rows name nothing and count only for the whole portfolio.
        (Scope(), [30.0, 4.0, 5.0, 20.0, 5.0, 10.0, 6.0]),
        (Scope(market="US"), [30.0, 20.0, 10.0]),
        (Scope(region="North America"), [30.0, 20.0, 10.0]),
        (Scope(therapy_area="Oncology"), [30.0, 20.0, 10.0]),
        (Scope(product="HLX02"), [30.0, 20.0, 10.0]),
        (Scope(market="CA"), []),
        (Scope(therapy_area="Autoimmune"), []),
        (Scope(disease_area="Breast cancer"), []),
    ],
)
def test_other_revenue_counts_on_the_pages_it_names(tiny_dataset, scope, amounts):
    assert scope.other_revenue(tiny_dataset)["revenue_m"].tolist() == amounts


def test_other_income_is_the_slices_rows_of_the_year_to_date_newest_first(tiny_dataset):
    rows = commercial.other_income(tiny_dataset, Scope(market="US"), Quarter(2025, 3))
    assert rows[["quarter", "counterparty", "revenue_m"]].values.tolist() == [
        ["2025Q3", "Accord", 10.0],
        ["2025Q2", "Accord", 20.0],
    ]
    whole = commercial.other_income(tiny_dataset, Scope(), Quarter(2025, 3))
    # 2025Q3 licence 10 and services 6, 2025Q2 licence 20 and services 5, 2025Q1 services 5.
    assert whole["revenue_m"].tolist() == [10.0, 6.0, 20.0, 5.0, 5.0]
    assert whole["revenue_m"].sum() == 46.0


def test_the_sample_japan_page_lists_the_eisai_licence_income():
    rows = commercial.other_income(load_dataset(SAMPLE_DATA), Scope(market="JP"), Quarter(2026, 3))
    assert rows[["quarter", "revenue_type", "counterparty", "revenue_m"]].values.tolist() == [
        ["2026Q1", "licence income", "Eisai", 330.0]
    ]
