"""Summaries of the tiny data set, checked against figures worked out by hand."""

from dataclasses import replace
from datetime import date

import pandas as pd
import pytest

from portfolio_reports.analysis import commercial, metrics
from portfolio_reports.analysis.scope import Scope
from portfolio_reports.data.quarters import Quarter
from portfolio_reports.data.schema import EVENT_TYPES
from portfolio_reports.errors import DataError

from .conftest import TINY_QUARTERS, TINY_TOTALS

Q3 = Quarter(2025, 3)
WHOLE = Scope()
EMPTY_SCOPE = Scope(disease_area="Haematological cancer", market="US")


def rows(frame, *columns):
    """The given columns as a list of tuples, missing values as None, to compare with literals."""
    picked = frame[list(columns)].astype(object)
    return list(picked.where(picked.notna(), None).itertuples(index=False, name=None))


def with_rows(ds, table, *new_rows):
    """The data set with rows (dicts of column -> value) added to one table."""
    frame = getattr(ds, table)
    added = pd.DataFrame(list(new_rows), columns=frame.columns).astype(frame.dtypes.to_dict())
    return replace(ds, **{table: pd.concat([frame, added], ignore_index=True)})


def test_latest_quarter_is_the_latest_sales_quarter(tiny_dataset):
    assert metrics.latest_quarter(tiny_dataset) == Q3


def test_latest_quarter_needs_sales(tiny_dataset):
    no_sales = replace(tiny_dataset, sales=tiny_dataset.sales.iloc[:0])
    with pytest.raises(DataError, match="sales"):
        metrics.latest_quarter(no_sales)


def test_data_as_of_is_the_latest_date_in_the_data(tiny_dataset):
    assert metrics.data_as_of(tiny_dataset) == date(2025, 9, 30)
    later = with_rows(
        tiny_dataset,
        "regulatory_events",
        {
            "product": "HLX03",
            "indication": "HLX03-AS",
            "market": "US",
            "agency": "FDA",
            "event_type": "first patient dosed",
            "date": pd.Timestamp("2025-11-03"),
            "estimated": False,
        },
    )
    assert metrics.data_as_of(later) == date(2025, 11, 3)


def test_pipeline_snapshot_at_quarter_end(tiny_dataset):
    snapshot = metrics.pipeline_snapshot(tiny_dataset, WHOLE, Q3)
    assert list(snapshot.columns) == [
        "product",
        "inn",
        "target",
        "modality",
        "indication",
        "indication_name",
        "therapy_area",
        "disease_area",
        "line_of_therapy",
        "scope",
        "phase",
        "since",
        "estimated",
        "coverage",
        "life_cycle",
    ]
    assert rows(snapshot, "indication", "scope", "phase") == [
        ("HLX02-GC", "Global", "Phase 3"),
        ("HLX02-GC", "CN", "Phase 2"),
        ("HLX03-AS", "US", "Phase 1"),
    ]
    first = snapshot.iloc[0]
    assert first["inn"] == "trastuzumab"
    assert first["indication_name"] == "HER2+ gastric cancer"
    assert first["since"] == pd.Timestamp("2025-07-10")


def test_pipeline_snapshot_of_an_earlier_quarter_keeps_what_was_in_development(tiny_dataset):
    snapshot = metrics.pipeline_snapshot(tiny_dataset, WHOLE, Quarter(2025, 2))
    assert rows(snapshot, "indication", "scope", "phase") == [
        ("HLX02-BC", "CA", "Filed"),
        ("HLX01-RA", "CN", "Phase 3"),
        ("HLX02-GC", "CN", "Phase 2"),
        ("HLX02-GC", "Global", "Phase 2"),
    ]


def test_pipeline_snapshot_of_a_market(tiny_dataset):
    snapshot = metrics.pipeline_snapshot(tiny_dataset, Scope(market="US"), Q3)
    assert rows(snapshot, "indication", "scope") == [("HLX02-GC", "Global"), ("HLX03-AS", "US")]


PHASE_ORDER = [
    "Preclinical",
    "Phase 1",
    "Phase 1/2",
    "Phase 2",
    "Phase 2/3",
    "Phase 3",
    "Filed",
]


def test_pipeline_counts_count_each_programme_in_development_once(tiny_dataset):
    counts = metrics.pipeline_counts_by_phase(tiny_dataset, WHOLE, Q3)
    assert list(counts.index) == PHASE_ORDER
    assert counts.index.name == "phase"
    assert counts.columns.name == "therapy_area"
    assert list(counts.columns) == ["Oncology", "Autoimmune"]
    assert counts.loc["Phase 3"].tolist() == [1, 0]
    assert counts.loc["Phase 1"].tolist() == [0, 1]
    assert counts.loc["Phase 2"].tolist() == [1, 0]  # HLX02-GC in CN, apart from Global
    assert int(counts.to_numpy().sum()) == 3


def test_pipeline_counts_by_disease_area(tiny_dataset):
    counts = metrics.pipeline_counts_by_phase(tiny_dataset, WHOLE, Quarter(2025, 2), "disease_area")
    # By product sales in 2025Q2: breast cancer 60 + 20, gastrointestinal 40, rheumatology 4 + 10.
    assert list(counts.columns) == ["Breast cancer", "Gastrointestinal cancer", "Rheumatology"]
    assert counts.loc["Filed"].tolist() == [1, 0, 0]
    assert counts.loc["Phase 3"].tolist() == [0, 0, 1]
    assert counts.loc["Phase 2"].tolist() == [0, 2, 0]  # HLX02-GC in CN and Global
    assert int(counts.to_numpy().sum()) == 4


def test_pipeline_counts_of_an_empty_scope_list_every_phase(tiny_dataset):
    counts = metrics.pipeline_counts_by_phase(tiny_dataset, EMPTY_SCOPE, Q3)
    assert list(counts.index) == PHASE_ORDER
    assert counts.shape == (7, 0)


def test_pipeline_counts_reject_an_unknown_grouping(tiny_dataset):
    with pytest.raises(ValueError, match="therapy_area, disease_area"):
        metrics.pipeline_counts_by_phase(tiny_dataset, WHOLE, Q3, by="market")


def test_approvals_and_filings_by_market_and_agency(tiny_dataset):
    counts = metrics.approvals_and_filings(tiny_dataset, WHOLE, Q3)
    assert list(counts.columns) == ["market", "agency", "approvals", "filings"]
    assert rows(counts, *counts.columns) == [
        ("CN", "NMPA", 3, 0),
        ("CA", "Health Canada", 2, 1),
        ("US", "FDA", 1, 1),
    ]
    earlier = metrics.approvals_and_filings(tiny_dataset, WHOLE, Quarter(2025, 2))
    assert rows(earlier, *earlier.columns) == [
        ("CN", "NMPA", 3, 0),
        ("CA", "Health Canada", 1, 1),
        ("US", "FDA", 1, 1),
    ]


def test_approvals_and_filings_of_an_empty_scope(tiny_dataset):
    counts = metrics.approvals_and_filings(tiny_dataset, EMPTY_SCOPE, Q3)
    assert counts.empty
    assert list(counts.columns) == ["market", "agency", "approvals", "filings"]


def test_approval_matrix_gives_first_approval_dates(tiny_dataset):
    matrix = metrics.approval_matrix(tiny_dataset, WHOLE, Q3)
    assert matrix.index.name == "product"
    assert matrix.columns.name == "market"
    assert list(matrix.index) == ["HLX01", "HLX02", "HLX03"]
    assert list(matrix.columns) == ["CN", "US", "CA"]
    assert matrix.loc["HLX02", "CA"] == pd.Timestamp("2025-08-20")
    assert matrix.loc["HLX03", "CA"] == pd.Timestamp("2025-05-20")
    assert pd.isna(matrix.loc["HLX01", "US"])
    earlier = metrics.approval_matrix(tiny_dataset, WHOLE, Quarter(2025, 2))
    assert pd.isna(earlier.loc["HLX02", "CA"])


def test_approval_matrix_of_an_empty_scope(tiny_dataset):
    assert metrics.approval_matrix(tiny_dataset, EMPTY_SCOPE, Q3).empty


def test_approvals_by_region_counts_and_names_each_regions_markets(tiny_dataset):
    # Tiny data by 2025Q3: HLX01 in CN; HLX02 in CN, US (2024-04) and CA (2025-08); HLX03 in CN
    # and CA (2025-05). CN is the region China; US and CA, North America.
    by_region = metrics.approvals_by_region(tiny_dataset, WHOLE, Q3)
    assert rows(by_region, "product", "region", "markets", "approved_in") == [
        ("HLX01", "China", 1, ("CN",)),
        ("HLX02", "China", 1, ("CN",)),
        ("HLX02", "North America", 2, ("US", "CA")),
        ("HLX03", "China", 1, ("CN",)),
        ("HLX03", "North America", 1, ("CA",)),
    ]
    # At the end of 2025Q2, HLX02 was not yet approved in Canada.
    earlier = metrics.approvals_by_region(tiny_dataset, WHOLE, Quarter(2025, 2))
    assert rows(earlier, "product", "region", "markets", "approved_in")[2] == (
        "HLX02",
        "North America",
        1,
        ("US",),
    )
    assert metrics.approvals_by_region(tiny_dataset, EMPTY_SCOPE, Q3).empty


def test_approvals_by_region_count_a_market_a_union_covers_as_the_union(tiny_dataset):
    # The EU (Europe) covers DE; HLX02 is approved in DE before the EU, HLX01 in DE alone. Both
    # count one market in Europe, the EU; HLX02 still has its three markets elsewhere.
    markets = with_rows(
        tiny_dataset,
        "markets",
        {"market": "EU", "name": "European Union", "region": "Europe", "regulator": "EMA"},
        {"market": "DE", "name": "Germany", "region": "Europe", "regulator": "BfArM"},
    ).markets.assign(covered_by=lambda frame: frame["market"].map({"DE": "EU"}))
    approval = {"event_type": "approval", "date_precision": "day", "estimated": False}
    ds = with_rows(
        replace(tiny_dataset, markets=markets),
        "regulatory_events",
        {"product": "HLX02", "market": "DE", "date": pd.Timestamp("2021-01-10"), **approval},
        {"product": "HLX02", "market": "EU", "date": pd.Timestamp("2021-06-01"), **approval},
        {"product": "HLX01", "market": "DE", "date": pd.Timestamp("2022-03-01"), **approval},
    )
    by_region = metrics.approvals_by_region(ds, WHOLE, Q3)
    europe = by_region[by_region["region"] == "Europe"]
    assert rows(europe, "product", "markets", "approved_in") == [
        ("HLX01", 1, ("EU",)),
        ("HLX02", 1, ("EU",)),
    ]
    hlx02 = by_region[by_region["product"] == "HLX02"]
    assert (
        hlx02["markets"].sum()
        == 4
        == metrics.markets_reached(pd.Series(["CN", "US", "CA", "DE", "EU"]), ds)
    )


def test_events_in_quarter(tiny_dataset):
    events = metrics.events_in_quarter(tiny_dataset, WHOLE, Q3)
    assert rows(events, "event_type", "product", "market") == [
        ("licence deal", "HLX02", "US"),
        ("approval", "HLX02", "CA"),
        ("breakthrough designation", "HLX02", "CN"),
    ]
    assert list(events.columns) == [
        "date",
        "date_precision",
        "event_type",
        "product",
        "trade_name",
        "inn",
        "indication",
        "indication_name",
        "market",
        "agency",
        "detail",
        "estimated",
        "inferred",
        "status",
        "status_as_of",
        "source",
    ]
    assert events.loc[1, "indication_name"] == "HER2+ breast cancer"
    assert events.loc[1, "inn"] == "trastuzumab"
    assert pd.isna(events.loc[0, "indication_name"])
    assert events.loc[0, "trade_name"] == "HERCESSI"
    assert pd.isna(events.loc[1, "trade_name"])


def test_events_in_quarter_of_some_types_and_a_market(tiny_dataset):
    approvals = metrics.events_in_quarter(tiny_dataset, WHOLE, Q3, ["approval"])
    assert rows(approvals, "product", "market", "agency") == [("HLX02", "CA", "Health Canada")]
    china = metrics.events_in_quarter(tiny_dataset, Scope(market="CN"), Q3)
    assert list(china["event_type"]) == ["breakthrough designation"]


def test_readouts_in_quarter(tiny_dataset):
    readouts = metrics.readouts_in_quarter(tiny_dataset, WHOLE, Q3)
    assert rows(readouts, "trial", "arm") == [
        ("GC-301", "HLX02 + chemo"),
        ("GC-301", "placebo + chemo"),
        ("AS-101", "HLX03"),
    ]
    assert readouts.loc[2, "note"] == "well tolerated"
    assert list(metrics.readouts_in_quarter(tiny_dataset, Scope(market="CN"), Q3)["trial"]) == [
        "GC-301",
        "GC-301",
    ]
    assert list(metrics.readouts_in_quarter(tiny_dataset, WHOLE, Quarter(2025, 2))["trial"]) == [
        "RA-301"
    ]


def test_events_to_date_of_a_kind_newest_first(tiny_dataset):
    approvals = metrics.events_to_date(tiny_dataset, WHOLE, Q3, "approvals")
    assert rows(approvals, "date", "product", "market", "trade_name") == [
        (pd.Timestamp("2025-08-20"), "HLX02", "CA", None),
        (pd.Timestamp("2025-05-20"), "HLX03", "CA", None),
        (pd.Timestamp("2024-04-25"), "HLX02", "US", "HERCESSI"),
        (pd.Timestamp("2020-12-01"), "HLX03", "CN", "HANDAYUAN"),
        (pd.Timestamp("2020-08-14"), "HLX02", "CN", "HANQUYOU"),
        (pd.Timestamp("2019-02-22"), "HLX01", "CN", "HANLIKANG"),
    ]
    filings = metrics.events_to_date(tiny_dataset, WHOLE, Q3, "filings and designations")
    assert rows(filings, "event_type", "market") == [
        ("breakthrough designation", "CN"),
        ("filing accepted", "CA"),
        ("filing accepted", "US"),
    ]
    earlier = metrics.events_to_date(
        tiny_dataset, Scope(market="US"), Quarter(2025, 2), "licence deals"
    )
    assert earlier.empty


def test_events_to_date_reject_an_unknown_kind(tiny_dataset):
    with pytest.raises(ValueError, match="approvals, filings and designations, licence deals"):
        metrics.events_to_date(tiny_dataset, WHOLE, Q3, "launches")


def test_clinical_results_to_date_newest_first(tiny_dataset):
    results = metrics.clinical_results_to_date(tiny_dataset, WHOLE, Q3)
    assert rows(results, "trial", "arm") == [
        ("AS-101", "HLX03"),
        ("GC-301", "HLX02 + chemo"),
        ("GC-301", "placebo + chemo"),
        ("RA-301", "HLX01"),
    ]
    assert list(results.columns) == list(
        metrics.readouts_in_quarter(tiny_dataset, WHOLE, Q3).columns
    )
    assert metrics.clinical_results_to_date(tiny_dataset, WHOLE, Quarter(2025, 1)).empty


def test_revenue_by_quarter_over_eight_quarters(tiny_dataset):
    revenue = commercial.revenue_by_quarter(tiny_dataset, WHOLE, Q3)
    assert list(revenue.columns) == ["quarter", "revenue_m", "qoq", "yoy", "synthetic"]
    assert list(revenue["quarter"]) == TINY_QUARTERS
    assert list(revenue["revenue_m"]) == TINY_TOTALS
    latest = revenue.iloc[-1]
    assert latest["qoq"] == pytest.approx(0.10)  # 150 -> 165
    assert latest["yoy"] == pytest.approx(0.375)  # 120 -> 165
    assert revenue.iloc[-2]["yoy"] == pytest.approx(40 / 110)  # 110 -> 150
    assert pd.isna(revenue.iloc[2]["qoq"])  # base quarter has no sales
    assert list(revenue["synthetic"]) == [False, False, True, True, True, True, True, True]


def test_revenue_by_quarter_growth_of_the_first_row_uses_earlier_history(tiny_dataset):
    revenue = commercial.revenue_by_quarter(tiny_dataset, WHOLE, Q3, quarters=4)
    assert list(revenue["quarter"]) == ["2024Q4", "2025Q1", "2025Q2", "2025Q3"]
    assert revenue.iloc[0]["qoq"] == pytest.approx(10 / 120)  # 120 -> 130
    assert pd.isna(revenue.iloc[0]["yoy"])  # 2023Q4 had no sales


def test_revenue_by_quarter_for_a_quarter_without_sales(tiny_dataset):
    revenue = commercial.revenue_by_quarter(tiny_dataset, WHOLE, Quarter(2025, 4), quarters=2)
    assert list(revenue["revenue_m"]) == [165, 0]
    assert revenue.iloc[1]["qoq"] == pytest.approx(-1.0)
    assert revenue.iloc[1]["yoy"] == pytest.approx(-1.0)  # 130 -> 0
    assert list(revenue["synthetic"]) == [True, False]


def test_revenue_by_quarter_growth_from_zero_is_missing(tiny_dataset):
    revenue = commercial.revenue_by_quarter(tiny_dataset, Scope(market="CA"), Q3, quarters=2)
    assert list(revenue["revenue_m"]) == [0, 5]
    assert revenue["qoq"].isna().all()
    assert revenue["yoy"].isna().all()


def test_revenue_by_quarter_fills_a_missing_quarter_with_zero(tiny_dataset):
    allocation = tiny_dataset.revenue_allocation
    only_hlx03 = replace(
        tiny_dataset, revenue_allocation=allocation[allocation["product"] == "HLX03"]
    )
    scope = Scope(therapy_area="Autoimmune", market="CN")
    revenue = commercial.revenue_by_quarter(only_hlx03, scope, Quarter(2025, 2), quarters=3)
    assert list(revenue["revenue_m"]) == [10, 0, 10]
    assert revenue.iloc[1]["qoq"] == pytest.approx(-1.0)
    assert pd.isna(revenue.iloc[2]["qoq"])


def test_revenue_by_quarter_of_an_empty_scope(tiny_dataset):
    revenue = commercial.revenue_by_quarter(tiny_dataset, EMPTY_SCOPE, Q3, quarters=3)
    assert list(revenue["revenue_m"]) == [0, 0, 0]
    assert list(revenue["synthetic"]) == [False, False, False]


REVENUE_BY_COLUMNS = [
    "revenue_m",
    "previous_quarter_m",
    "year_ago_m",
    "qoq",
    "yoy",
    "mix",
]


def test_revenue_by_product(tiny_dataset):
    table = commercial.revenue_by(tiny_dataset, WHOLE, Q3)
    assert list(table.columns) == ["product", *REVENUE_BY_COLUMNS]
    assert rows(table, "product", "revenue_m", "previous_quarter_m", "year_ago_m") == [
        ("HLX02", 125, 120, 90),
        ("HLX01", 25, 20, 20),
        ("HLX03", 15, 10, 10),
    ]
    assert table["qoq"].tolist() == pytest.approx([5 / 120, 0.25, 0.5])
    assert table["yoy"].tolist() == pytest.approx([35 / 90, 0.25, 0.5])
    assert table["mix"].tolist() == pytest.approx([125 / 165, 25 / 165, 15 / 165])


def test_revenue_by_market_has_missing_growth_from_zero(tiny_dataset):
    table = commercial.revenue_by(tiny_dataset, WHOLE, Q3, by="market")
    assert rows(table, "market", "revenue_m", "previous_quarter_m") == [
        ("CN", 145, 130),
        ("US", 15, 20),
        ("CA", 5, 0),
    ]
    assert table.loc[1, "qoq"] == pytest.approx(-0.25)
    assert pd.isna(table.loc[2, "qoq"])


def test_revenue_by_region(tiny_dataset):
    table = commercial.revenue_by(tiny_dataset, WHOLE, Q3, by="region")
    assert rows(table, "region", "revenue_m", "year_ago_m") == [
        ("China", 145, 110),
        ("North America", 20, 10),
    ]
    assert table["qoq"].tolist() == pytest.approx([15 / 130, 0.0])
    assert table["yoy"].tolist() == pytest.approx([35 / 110, 1.0])


def test_revenue_by_therapy_area_counts_the_allocated_parts(tiny_dataset):
    # HLX01 (25): 0.2 to rheumatoid arthritis (5) is Autoimmune, the rest (20) Oncology.
    table = commercial.revenue_by(tiny_dataset, WHOLE, Q3, by="therapy_area")
    assert rows(table, "therapy_area", "revenue_m") == [("Oncology", 145), ("Autoimmune", 20)]
    assert table["mix"].sum() == pytest.approx(1.0)


def test_revenue_by_disease_area_adds_up_to_the_portfolio(tiny_dataset):
    # HLX02: CN 110 as 0.6 / 0.4, US 15 all breast; HLX01 25 as 0.7 / 0.2 / 0.1 not allocated.
    table = commercial.revenue_by(tiny_dataset, WHOLE, Q3, by="disease_area")
    assert rows(table, "disease_area", "revenue_m") == [
        ("Breast cancer", pytest.approx(66 + 15)),
        ("Gastrointestinal cancer", pytest.approx(44)),
        ("Rheumatology", pytest.approx(5 + 15)),
        ("Haematological cancer", pytest.approx(17.5)),
        ("Not allocated", pytest.approx(2.5)),
    ]
    assert table["mix"].sum() == pytest.approx(1.0)


def test_revenue_by_an_empty_scope_or_unknown_dimension(tiny_dataset):
    table = commercial.revenue_by(tiny_dataset, EMPTY_SCOPE, Q3, by="market")
    assert table.empty
    assert list(table.columns) == ["market", *REVENUE_BY_COLUMNS]
    with pytest.raises(ValueError, match="product, market, region"):
        commercial.revenue_by(tiny_dataset, WHOLE, Q3, by="indication")


def test_revenue_history_by_region(tiny_dataset):
    history = commercial.revenue_history_by(tiny_dataset, WHOLE, Q3, by="region", quarters=2)
    assert list(history.columns) == ["quarter", "region", "revenue_m"]
    assert rows(history, *history.columns) == [
        ("2025Q2", "China", 130),
        ("2025Q2", "North America", 20),
        ("2025Q3", "China", 145),
        ("2025Q3", "North America", 20),
    ]


def test_revenue_history_by_product_fills_gaps_with_zero(tiny_dataset):
    history = commercial.revenue_history_by(
        tiny_dataset, Scope(market="CN"), Quarter(2025, 1), quarters=2
    )
    assert rows(history, *history.columns) == [
        ("2024Q4", "HLX01", 20),
        ("2024Q4", "HLX02", 90),
        ("2024Q4", "HLX03", 10),
        ("2025Q1", "HLX01", 20),
        ("2025Q1", "HLX02", 100),
        ("2025Q1", "HLX03", 0),
    ]


def test_top_products(tiny_dataset):
    top = commercial.top_products(tiny_dataset, WHOLE, Q3, n=2)
    assert list(top.columns) == ["product", "inn", *REVENUE_BY_COLUMNS]
    assert rows(top, "product", "inn", "revenue_m") == [
        ("HLX02", "trastuzumab", 125),
        ("HLX01", "rituximab", 25),
    ]
    assert top.loc[1, "qoq"] == pytest.approx(0.25)  # 20 -> 25


def test_top_products_leave_out_products_without_sales_in_the_quarter(tiny_dataset):
    assert commercial.top_products(tiny_dataset, WHOLE, Quarter(2025, 4)).empty


def test_revenue_movers(tiny_dataset):
    movers = commercial.revenue_movers(tiny_dataset, WHOLE, Q3, n=2)
    assert list(movers.columns) == [
        "direction",
        "product",
        "inn",
        "market",
        "revenue_m",
        "previous_quarter_m",
        "change_m",
        "qoq",
        "exclusivity_lost",
    ]
    assert movers["exclusivity_lost"].isna().all()  # the tiny data records none
    assert rows(movers, "direction", "product", "market", "change_m") == [
        ("increase", "HLX02", "CN", 10),
        ("increase", "HLX01", "CN", 5),
        ("decrease", "HLX02", "US", -5),
    ]
    assert movers["qoq"].tolist() == pytest.approx([0.1, 0.25, -0.25])


def test_revenue_movers_include_new_sales_without_growth_rate(tiny_dataset):
    movers = commercial.revenue_movers(tiny_dataset, WHOLE, Q3)
    assert rows(movers, "product", "market") == [
        ("HLX02", "CN"),
        ("HLX01", "CN"),
        ("HLX03", "CA"),
        ("HLX02", "US"),
    ]
    assert pd.isna(movers.loc[2, "qoq"])


def test_revenue_movers_of_an_empty_scope(tiny_dataset):
    assert commercial.revenue_movers(tiny_dataset, EMPTY_SCOPE, Q3).empty


def test_phase_moves_of_the_quarter(tiny_dataset):
    moves = metrics.phase_moves(tiny_dataset, WHOLE, Q3)
    assert rows(moves, "indication", "scope", "from_phase", "to_phase", "change") == [
        ("HLX02-GC", "Global", "Phase 2", "Phase 3", "advanced"),
        ("HLX01-RA", "CN", "Phase 3", "Discontinued", "discontinued"),
        ("HLX02-BC", "CA", "Filed", "Approved", "advanced"),
        ("HLX03-AS", "US", None, "Phase 1", "entered"),
    ]
    assert moves.loc[3, "since"] == pd.Timestamp("2025-09-01")
    assert moves.loc[1, "indication_name"] == "Rheumatoid arthritis"


def test_phase_moves_of_a_market_and_of_quiet_quarters(tiny_dataset):
    us_moves = metrics.phase_moves(tiny_dataset, Scope(market="US"), Q3)
    assert rows(us_moves, "indication", "scope") == [("HLX02-GC", "Global"), ("HLX03-AS", "US")]
    assert metrics.phase_moves(tiny_dataset, WHOLE, Quarter(2025, 2)).empty
    first_filing = metrics.phase_moves(tiny_dataset, WHOLE, Quarter(2025, 1))
    assert rows(first_filing, "indication", "scope", "to_phase", "change") == [
        ("HLX02-BC", "CA", "Filed", "entered")
    ]


def test_phase_moves_report_a_step_back(tiny_dataset):
    stepped_back = with_rows(
        tiny_dataset,
        "pipeline",
        {
            "indication": "HLX02-GC",
            "scope": "CN",
            "phase": "Phase 1",
            "since": pd.Timestamp("2025-08-01"),
            "estimated": False,
        },
    )
    moves = metrics.phase_moves(stepped_back, Scope(market="CN"), Q3)
    assert ("HLX02-GC", "CN", "Phase 2", "Phase 1", "moved back") in rows(
        moves, "indication", "scope", "from_phase", "to_phase", "change"
    )


def test_changes_since_previous_quarter(tiny_dataset):
    changes = metrics.changes_since_previous_quarter(tiny_dataset, WHOLE, Q3)
    assert rows(changes, "kind", "this_quarter", "previous_quarter") == [
        ("setbacks", 0, 0),
        ("approvals", 1, 1),
        ("filings and designations", 1, 0),
        ("licence deals", 1, 0),
        ("clinical readouts", 2, 1),
        ("phase changes", 4, 0),
    ]


def test_changes_of_an_empty_scope_are_zero(tiny_dataset):
    changes = metrics.changes_since_previous_quarter(tiny_dataset, EMPTY_SCOPE, Q3)
    assert changes[["this_quarter", "previous_quarter"]].to_numpy().sum() == 0


def test_event_groups_use_the_event_vocabulary():
    grouped = {event_type for types in metrics.EVENT_GROUPS.values() for event_type in types}
    assert grouped <= set(EVENT_TYPES)


def test_upcoming_catalysts_cover_the_next_four_quarters_soonest_first(tiny_dataset):
    upcoming = metrics.upcoming_catalysts(tiny_dataset, WHOLE, Q3)
    assert list(upcoming.columns) == metrics.CATALYST_COLUMNS
    assert rows(upcoming, "expected_quarter", "expected", "product", "market", "event_type") == [
        ("2025Q4", "2025Q4", "HLX02", "CN", "approval"),
        ("2025Q4", "2025Q4", "HLX02", "US", "approval"),
        ("2026Q1", "2026-02-10", "HLX03", "US", "topline data"),
    ]
    assert rows(upcoming, "inn", "indication_name")[0] == ("trastuzumab", "HER2+ gastric cancer")
    two_ahead = metrics.upcoming_catalysts(tiny_dataset, WHOLE, Q3, quarters=1)
    assert list(two_ahead["expected_quarter"]) == ["2025Q4", "2025Q4"]
    later = metrics.upcoming_catalysts(tiny_dataset, WHOLE, Quarter(2026, 4))
    assert list(later["expected"]) == ["2027Q1"]


def test_upcoming_catalysts_follow_the_scope(tiny_dataset):
    us = metrics.upcoming_catalysts(tiny_dataset, Scope(market="US"), Q3)
    assert list(us["product"]) == ["HLX02", "HLX03"]
    breast = metrics.upcoming_catalysts(tiny_dataset, Scope(disease_area="Breast cancer"), Q3)
    assert rows(breast, "product", "market") == [("HLX02", "US")]  # product-wide row
    assert metrics.upcoming_catalysts(tiny_dataset, EMPTY_SCOPE, Q3).empty


def test_upcoming_catalysts_of_data_without_the_table(tiny_dataset):
    bare = replace(tiny_dataset, catalysts=tiny_dataset.catalysts.iloc[:0])
    upcoming = metrics.upcoming_catalysts(bare, WHOLE, Q3)
    assert upcoming.empty
    assert list(upcoming.columns) == metrics.CATALYST_COLUMNS


def test_filings_under_review_until_an_approval_decides_them(tiny_dataset):
    assert metrics.filings_under_review(tiny_dataset, WHOLE, Q3).empty
    earlier = metrics.filings_under_review(tiny_dataset, WHOLE, Quarter(2025, 2))
    assert rows(earlier, "product", "market", "agency", "date") == [
        ("HLX02", "CA", "Health Canada", pd.Timestamp("2025-01-15"))
    ]
    first = metrics.filings_under_review(tiny_dataset, WHOLE, Quarter(2023, 4))
    assert rows(first, "product", "market") == [("HLX02", "US")]


def test_a_filing_without_indication_is_decided_by_any_later_approval_there(tiny_dataset):
    filing = {
        "product": "HLX03",
        "market": "CA",
        "agency": "Health Canada",
        "event_type": "filing accepted",
        "date": pd.Timestamp("2025-01-10"),
        "estimated": False,
    }
    ds = with_rows(tiny_dataset, "regulatory_events", filing)
    assert metrics.filings_under_review(ds, WHOLE, Quarter(2025, 1))["product"].tolist() == [
        "HLX03",
        "HLX02",
    ]
    assert metrics.filings_under_review(ds, WHOLE, Q3).empty  # HLX03-RA approved 2025-05-20
    stale = with_rows(tiny_dataset, "regulatory_events", filing | {"date": pd.Timestamp("2025-06")})
    assert metrics.filings_under_review(stale, WHOLE, Q3)["product"].tolist() == ["HLX03"]


def test_area_summary_by_region(tiny_dataset):
    summary = commercial.area_summary(tiny_dataset, WHOLE, Q3)
    assert list(summary.columns) == ["therapy_area", "region", "revenue_m", "approvals"]
    # HLX01's rheumatoid arthritis share (0.2 of 25) counts in Autoimmune.
    assert rows(summary, *summary.columns) == [
        ("Oncology", "China", pytest.approx(130.0), 2),
        ("Oncology", "North America", 15.0, 2),
        ("Autoimmune", "China", pytest.approx(15.0), 1),
        ("Autoimmune", "North America", 5.0, 1),
    ]
    assert summary["revenue_m"].sum() == pytest.approx(165.0)


def test_area_summary_by_market_of_a_region(tiny_dataset):
    summary = commercial.area_summary(tiny_dataset, Scope(region="North America"), Q3, by="market")
    assert rows(summary, *summary.columns) == [
        ("Oncology", "US", 15.0, 1),
        ("Oncology", "CA", 0.0, 1),
        ("Autoimmune", "CA", 5.0, 1),
    ]
    with pytest.raises(ValueError, match="region, market"):
        commercial.area_summary(tiny_dataset, WHOLE, Q3, by="product")
