"""Scope: labels, the rows of each table a scope keeps, and checks against the data."""

from dataclasses import replace

import pytest

from portfolio_reports.analysis.scope import Scope

EMPTY_SCOPE = Scope(disease_area="Haematological cancer", market="US")


@pytest.mark.parametrize(
    ("scope", "label"),
    [
        (Scope(), "Whole portfolio"),
        (Scope(therapy_area="Oncology"), "Oncology"),
        (Scope(disease_area="Lung cancer"), "Lung cancer"),
        (Scope(market="US"), "US"),
        (Scope(region="Latin America"), "Latin America"),
        (Scope(therapy_area="Oncology", market="US"), "Oncology, US"),
        (Scope(product="HLX10"), "HLX10"),
    ],
)
def test_label_names_the_slice(scope, label):
    assert scope.label == label


@pytest.mark.parametrize(
    ("scope", "basis"),
    [
        (Scope(), "Product sales of all products, in all markets."),
        (
            Scope(therapy_area="Oncology", market="US"),
            "Product sales allocated to Oncology by indication share, in US.",
        ),
        (
            Scope(disease_area="Lung cancer", region="Europe"),
            "Product sales allocated to Lung cancer by indication share, in the Europe region.",
        ),
        (Scope(product="HLX10"), "Product sales of HLX10, in all markets."),
        (Scope(product="HLX10", market="US"), "Product sales of HLX10, in US."),
    ],
)
def test_sales_basis_says_what_revenue_counts(scope, basis):
    assert scope.sales_basis == basis


def test_whole_portfolio_keeps_every_row(tiny_dataset):
    scope = Scope()
    sales = scope.sales(tiny_dataset).groupby(["quarter", "product", "market"])["revenue_m"]
    assert sales.sum().to_dict() == pytest.approx(
        tiny_dataset.sales.set_index(["quarter", "product", "market"])["revenue_m"].to_dict()
    )
    assert len(scope.events(tiny_dataset)) == len(tiny_dataset.regulatory_events)
    assert len(scope.pipeline(tiny_dataset)) == len(tiny_dataset.pipeline)
    assert len(scope.clinical(tiny_dataset)) == len(tiny_dataset.clinical_results)
    assert len(scope.indications(tiny_dataset)) == len(tiny_dataset.indications)
    assert len(scope.products(tiny_dataset)) == len(tiny_dataset.products)


def test_filters_keep_the_table_columns(tiny_dataset):
    scope = Scope(therapy_area="Oncology", market="US")
    allocated = ["indication", "disease_area", "therapy_area"]
    assert list(scope.sales(tiny_dataset).columns) == [*tiny_dataset.sales.columns, *allocated]
    assert list(scope.events(tiny_dataset).columns) == list(tiny_dataset.regulatory_events.columns)
    assert list(scope.pipeline(tiny_dataset).columns) == list(tiny_dataset.pipeline.columns)
    assert list(scope.clinical(tiny_dataset).columns) == list(tiny_dataset.clinical_results.columns)


def test_therapy_area_sales_count_the_share_allocated_there(tiny_dataset):
    # HLX03 (55 in all) is all autoimmune; of HLX01 (125 in all) only the 0.2 share for
    # rheumatoid arthritis is, the rest stays in Oncology.
    sales = Scope(therapy_area="Autoimmune").sales(tiny_dataset)
    by_product = sales.groupby("product")["revenue_m"].sum()
    assert by_product.to_dict() == pytest.approx({"HLX03": 55.0, "HLX01": 25.0})
    oncology = Scope(therapy_area="Oncology").sales(tiny_dataset)
    assert oncology.loc[oncology["product"] == "HLX01", "revenue_m"].sum() == pytest.approx(100.0)


def test_disease_area_sales_count_every_product_with_an_indication_there(tiny_dataset):
    sales = Scope(disease_area="Rheumatology").sales(tiny_dataset)
    assert set(sales["product"]) == {"HLX01", "HLX03"}


def test_market_and_region_sales(tiny_dataset):
    assert set(Scope(market="CA").sales(tiny_dataset)["revenue_m"]) == {5.0}
    region = Scope(region="North America").sales(tiny_dataset)
    assert set(region["market"]) == {"US", "CA"}
    assert len(region) == 6


def test_therapy_area_events_fall_back_to_the_product_without_indication(tiny_dataset):
    oncology = Scope(therapy_area="Oncology").events(tiny_dataset)
    assert len(oncology) == 8
    assert "licence deal" in set(oncology["event_type"])
    autoimmune = Scope(therapy_area="Autoimmune").events(tiny_dataset)
    assert sorted(autoimmune["event_type"]) == ["IND cleared", "approval", "approval"]


def test_disease_area_events(tiny_dataset):
    breast = Scope(disease_area="Breast cancer").events(tiny_dataset)
    assert len(breast) == 6  # five HLX02-BC events and the HLX02 licence deal
    rheumatology = Scope(disease_area="Rheumatology").events(tiny_dataset)
    assert set(rheumatology["product"]) == {"HLX03"}


def test_market_events_and_pipeline_include_global_rows(tiny_dataset):
    scope = Scope(market="US")
    assert len(scope.events(tiny_dataset)) == 4
    pipeline = scope.pipeline(tiny_dataset)
    assert sorted(set(pipeline["scope"])) == ["Global", "US"]
    assert len(pipeline) == 5


def test_therapy_area_pipeline_follows_the_indication(tiny_dataset):
    pipeline = Scope(therapy_area="Autoimmune").pipeline(tiny_dataset)
    assert set(pipeline["indication"]) == {"HLX01-RA", "HLX03-RA", "HLX03-AS"}
    assert len(pipeline) == 4


@pytest.mark.parametrize(
    ("scope", "trials"),
    [
        (Scope(market="CN"), {"GC-301", "RA-301"}),
        (Scope(market="US"), {"GC-301", "AS-101"}),
        (Scope(market="CA"), {"GC-301"}),
        (Scope(region="North America"), {"GC-301", "AS-101"}),
        (Scope(therapy_area="Autoimmune"), {"RA-301", "AS-101"}),
    ],
)
def test_clinical_results_of_indications_active_in_the_scope(tiny_dataset, scope, trials):
    assert set(scope.clinical(tiny_dataset)["trial"]) == trials


def test_market_reports_keep_trials_run_there_or_global(tiny_dataset):
    # GC-301 (HLX02-GC, in development globally) becomes a China-only trial: the US and Canada
    # still follow the indication but no longer list the trial; China and the whole portfolio do.
    results = tiny_dataset.clinical_results
    china_only = results.assign(market=results["market"].where(results["trial"] != "GC-301", "CN"))
    data = replace(tiny_dataset, clinical_results=china_only)
    assert set(Scope(market="US").clinical(data)["trial"]) == {"AS-101"}
    assert Scope(market="CA").clinical(data).empty
    assert set(Scope(market="CN").clinical(data)["trial"]) == {"GC-301", "RA-301"}
    assert set(Scope().clinical(data)["trial"]) == {"GC-301", "RA-301", "AS-101"}


def test_market_indications_have_pipeline_or_event_activity_there_or_global(tiny_dataset):
    indications = Scope(market="CA").indications(tiny_dataset)
    assert set(indications["indication"]) == {"HLX02-BC", "HLX02-GC", "HLX03-RA"}


@pytest.mark.parametrize(
    ("scope", "products"),
    [
        (Scope(therapy_area="Autoimmune"), {"HLX01", "HLX03"}),
        (Scope(market="US"), {"HLX02", "HLX03"}),
        (Scope(disease_area="Breast cancer"), {"HLX02"}),
    ],
)
def test_products_with_an_indication_sales_or_event_in_the_scope(tiny_dataset, scope, products):
    assert set(scope.products(tiny_dataset)["product"]) == products


def test_fields_combine(tiny_dataset):
    sales = Scope(therapy_area="Oncology", market="CN").sales(tiny_dataset)
    assert set(sales["product"]) == {"HLX01", "HLX02"}
    assert set(sales["market"]) == {"CN"}


def test_empty_scope_gives_empty_tables(tiny_dataset):
    assert EMPTY_SCOPE.check(tiny_dataset) == []
    assert EMPTY_SCOPE.sales(tiny_dataset).empty
    assert EMPTY_SCOPE.events(tiny_dataset).empty
    assert EMPTY_SCOPE.pipeline(tiny_dataset).empty
    assert EMPTY_SCOPE.clinical(tiny_dataset).empty
    assert EMPTY_SCOPE.products(tiny_dataset).empty


def test_valid_values_come_from_the_data_sorted(tiny_dataset):
    assert Scope.valid_values(tiny_dataset) == {
        "therapy_area": ["Autoimmune", "Oncology"],
        "disease_area": [
            "Breast cancer",
            "Gastrointestinal cancer",
            "Haematological cancer",
            "Rheumatology",
        ],
        "market": ["CA", "CN", "US"],
        "region": ["China", "North America"],
        "product": ["HLX01", "HLX02", "HLX03"],
    }


def test_check_accepts_known_values(tiny_dataset):
    assert Scope(therapy_area="Oncology", region="China").check(tiny_dataset) == []


def test_check_names_every_unknown_value_and_the_allowed_ones(tiny_dataset):
    assert Scope(therapy_area="Ophthalmology", market="XX").check(tiny_dataset) == [
        "unknown therapy area 'Ophthalmology'; allowed: Autoimmune, Oncology",
        "unknown market 'XX'; allowed: CA, CN, US",
    ]


def test_check_finds_values_that_cannot_meet(tiny_dataset):
    both = (
        "market {!r} and region {!r} are both set; set market or region, not both (the other to"
        " None, null in a params file)"
    )
    assert Scope(market="CN", region="North America").check(tiny_dataset) == [
        both.format("CN", "North America")
    ]
    assert Scope(market="US", region="North America").check(tiny_dataset) == [
        both.format("US", "North America")  # even where the market is in the region
    ]
    assert Scope(therapy_area="Autoimmune", disease_area="Breast cancer").check(tiny_dataset) == [
        "disease area 'Breast cancer' has no indication in therapy area 'Autoimmune'"
    ]


def test_catalysts_are_chosen_like_events(tiny_dataset):
    assert len(Scope().catalysts(tiny_dataset)) == 5
    us = Scope(market="US").catalysts(tiny_dataset)
    assert sorted(us["product"]) == ["HLX02", "HLX03"]
    autoimmune = Scope(therapy_area="Autoimmune").catalysts(tiny_dataset)
    assert sorted(autoimmune["indication"]) == ["HLX03-AS", "HLX03-RA"]
    assert list(Scope(market="US").catalysts(tiny_dataset).columns) == list(
        tiny_dataset.catalysts.columns
    )


def test_a_product_keeps_its_own_sales_events_and_programmes_across_markets(tiny_dataset):
    """HLX02 sells 110 in CN and 15 in the US in 2025Q3; it has five approval and filing
    events, a licence deal without indication and a designation; its two indications have
    five and three phase rows."""
    scope = Scope(product="HLX02")
    sales = scope.sales(tiny_dataset)
    in_quarter = sales[sales["quarter"] == "2025Q3"]
    assert in_quarter.groupby("market")["revenue_m"].sum().to_dict() == pytest.approx(
        {"CN": 110.0, "US": 15.0}
    )
    assert set(scope.events(tiny_dataset)["product"]) == {"HLX02"}
    assert len(scope.events(tiny_dataset)) == 7
    assert sorted(scope.indications(tiny_dataset)["indication"]) == ["HLX02-BC", "HLX02-GC"]
    assert len(scope.pipeline(tiny_dataset)) == 8
    assert list(scope.products(tiny_dataset)["product"]) == ["HLX02"]
    assert set(scope.clinical(tiny_dataset)["trial"]) == {"GC-301"}


def test_a_product_in_one_market(tiny_dataset):
    scope = Scope(product="HLX02", market="US")
    sales = scope.sales(tiny_dataset)
    assert sales.loc[sales["quarter"] == "2025Q3", "revenue_m"].sum() == pytest.approx(15.0)
    assert sorted(scope.events(tiny_dataset)["event_type"]) == [
        "approval",
        "filing accepted",
        "licence deal",
    ]


def test_an_unknown_product_is_named_with_the_allowed_ones(tiny_dataset):
    assert Scope(product="HLX99").check(tiny_dataset) == [
        "unknown product 'HLX99'; allowed: HLX01, HLX02, HLX03"
    ]
