"""Highlights and key figure: plain sentences with numbers taken from the data."""

from dataclasses import replace

import pandas as pd
import pytest

from portfolio_reports.analysis.scope import Scope
from portfolio_reports.data.quarters import Quarter
from portfolio_reports.presentation.narrative import (
    MAX_HIGHLIGHTS,
    highlights,
    key_figure,
    programme_split,
)

Q3 = Quarter(2025, 3)


def test_highlights_of_a_busy_quarter(tiny_dataset):
    lines = highlights(tiny_dataset, Scope(), Q3)
    assert lines == [
        # 165 against 150 and 120; 2025Q1-Q3 140 + 150 + 165 = 455 against 0 + 110 + 120 = 230.
        # Against 2025Q2: HLX02 125 vs 120 (+4.2%, under 5%), HLX01 25 vs 20, HLX03 15 vs 10
        # (HLX01 first on the larger revenue); China 145 vs 130, North America 20 vs 20.
        # Against 2024Q3: HLX02 125 vs 90, HLX01 25 vs 20, HLX03 15 vs 10; China 145 vs 110,
        # North America 20 vs 10.
        "Product sales: RMB 165.0 m, +10.0% QoQ, +37.5% YoY (synthetic figures); year to date"
        # Products by their brand in the home market: HLX01 HANLIKANG, HLX02 HANQUYOU, HLX03
        # HANDAYUAN.
        " (Q1-Q3 2025) RMB 455.0 m, +97.8% on Q1-Q3 2024. Moved most against Q2 2025 (QoQ):"
        " HANLIKANG +RMB 5.0 m (+25.0%), HANDAYUAN +RMB 5.0 m (+50.0%); China +RMB 15.0 m"
        " (+11.5%). Moved most against Q3 2024 (YoY): HANQUYOU +RMB 35.0 m (+38.9%), HANLIKANG"
        " +RMB 5.0 m (+25.0%), HANDAYUAN +RMB 5.0 m (+50.0%);"
        " China +RMB 35.0 m (+31.8%), North America +RMB 10.0 m (+100.0%).",
        # Total 181 (165 + licence 10 from Accord + service 6) against 175 and 150.
        "Total revenue: RMB 181.0 m, +3.4% QoQ, +20.7% YoY. Against Q2 2025 (QoQ): product"
        " sales +RMB 15.0 m (+10.0%), licence income from Accord -RMB 10.0 m (-50.0%), service"
        " income +RMB 1.0 m (+20.0%). Against Q3 2024 (YoY): product sales +RMB 45.0 m"
        " (+37.5%), licence income from Accord -RMB 20.0 m (-66.7%), service income +RMB 6.0 m"
        " (new).",
        # Events, phase changes and catalysts name products as the movers do.
        "1 approval in Q3 2025: HANQUYOU for HER2+ breast cancer in Canada (Health Canada).",
        "2 clinical readouts in Q3 2025: GC-301 (HER2+ gastric cancer: PFS 12 vs 8 months,"
        " HR 0.70, n=300), AS-101 (Ankylosing spondylitis: Safety: well tolerated).",
        "1 designation in Q3 2025: HANQUYOU breakthrough designation for HER2+ gastric cancer"
        " in China (NMPA). 1 licence deal in Q3 2025: HANQUYOU in United States (US rights).",
        "4 phase changes in Q3 2025: HANQUYOU in HER2+ gastric cancer (Global) advanced from"
        " Phase 2 to Phase 3, HANLIKANG in rheumatoid arthritis (China) discontinued, HANQUYOU in"
        " HER2+ breast cancer (Canada) advanced from Filed to Approved and 1 more.",
        "3 events expected by Q3 2026: HANQUYOU approval in China (Q4 2025), HANQUYOU approval in"
        " United States (Q4 2025), HANDAYUAN topline data in United States (2026-02-10).",
        "No filings in Q3 2025.",
    ]
    assert len(lines) <= MAX_HIGHLIGHTS


def test_quiet_categories_fold_into_one_line(tiny_dataset):
    assert highlights(tiny_dataset, Scope(), Quarter(2025, 4)) == [
        "1 event expected by Q4 2026: HANDAYUAN topline data in United States (2026-02-10).",
        "No product sales, approvals, clinical readouts, filings or phase changes in Q4 2025.",
    ]


def test_highlights_of_a_market_with_growth_from_zero(tiny_dataset):
    lines = highlights(tiny_dataset, Scope(market="CA"), Q3)
    # CA sold 5 of HLX03 in 2025Q3 and nothing before: no growth rates, a new product.
    assert lines[0] == (
        "Product sales: RMB 5.0 m, n/a QoQ, n/a YoY (synthetic figures); year to date"
        " (Q1-Q3 2025) RMB 5.0 m. Moved most against Q2 2025 (QoQ): HLX03 +RMB 5.0 m (new)."
        " Moved most against Q3 2024 (YoY): HLX03 +RMB 5.0 m (new)."
    )
    assert lines[-1] == "No filings in Q3 2025."


def test_highlights_of_a_quarter_with_a_filing_and_a_decline(tiny_dataset):
    lines = highlights(tiny_dataset, Scope(market="US"), Quarter(2023, 2))
    # HLX02 by its US brand on the US page.
    assert lines[0] == (
        "1 filing accepted in Q2 2023: HERCESSI for HER2+ breast cancer in United States (FDA)."
    )
    # No US sales in the eight quarters to 2023Q2: the key figures say so, not the highlights.
    assert lines[-1] == "No approvals or clinical readouts in Q2 2023."
    us_q3 = highlights(tiny_dataset, Scope(market="US"), Q3)
    # US: 15 against 20 and 10; 2025Q1-Q3 20 + 20 + 15 = 55 against 10; one market, so no
    # places listed; HLX02 by its US brand.
    assert us_q3[0] == (
        "Product sales: RMB 15.0 m, -25.0% QoQ, +50.0% YoY (synthetic figures); year to date"
        " (Q1-Q3 2025) RMB 55.0 m, +450.0% on Q1-Q3 2024. Moved most against Q2 2025 (QoQ):"
        " HERCESSI -RMB 5.0 m (-25.0%). Moved most against Q3 2024 (YoY): HERCESSI +RMB 5.0 m"
        " (+50.0%)."
    )


def test_immaterial_moves_are_not_named(tiny_dataset):
    sales = tiny_dataset.sales.copy()
    us = (sales["market"] == "US") & (sales["quarter"] == "2025Q3")
    sales.loc[us, "revenue_m"] = 19.5  # -0.5 on 20, +9.5 (+95%) on 10 a year earlier
    lines = highlights(replace(tiny_dataset, sales=sales), Scope(market="US"), Q3)
    assert "(QoQ)" not in lines[0]
    assert lines[0].endswith("Moved most against Q3 2024 (YoY): HERCESSI +RMB 9.5 m (+95.0%).")


def test_highlights_list_three_items_then_count_the_rest(tiny_dataset):
    events = tiny_dataset.regulatory_events
    approvals = pd.DataFrame(
        {
            "product": "HLX03",
            "indication": "HLX03-RA",
            "market": "US",
            "agency": "FDA",
            "event_type": "approval",
            "date": pd.to_datetime(["2025-07-01", "2025-07-02", "2025-07-03", "2025-07-04"]),
            "date_precision": "day",
            "estimated": False,
            "inferred": False,
        },
        columns=events.columns,
    ).astype(events.dtypes.to_dict())
    busy = replace(tiny_dataset, regulatory_events=pd.concat([events, approvals]))
    assert highlights(busy, Scope(), Q3)[2] == (  # after product sales and total revenue
        "5 approvals in Q3 2025: HANDAYUAN for Rheumatoid arthritis in United States (FDA),"
        " HANDAYUAN for Rheumatoid arthritis in United States (FDA), HANDAYUAN for Rheumatoid"
        " arthritis in United States (FDA) and 2 more."
    )


def test_event_without_indication_or_agency_names_product_market_and_detail(tiny_dataset):
    events = tiny_dataset.regulatory_events.copy()
    events.loc[events["event_type"] == "licence deal", "event_type"] = "approval"
    renamed = replace(tiny_dataset, regulatory_events=events)
    # After product sales and the US licence income.
    assert highlights(renamed, Scope(market="US"), Q3)[2] == (
        "1 approval in Q3 2025: HERCESSI in United States (US rights)."
    )
    events.loc[events["event_type"] == "approval", "detail"] = None
    bare = replace(tiny_dataset, regulatory_events=events)
    assert (
        highlights(bare, Scope(market="US"), Q3)[2]
        == "1 approval in Q3 2025: HERCESSI in United States."
    )


def test_designations_deals_and_catalysts_are_left_out_when_there_are_none(tiny_dataset):
    lines = highlights(tiny_dataset, Scope(market="CA"), Q3)
    assert not any(word in line for line in lines for word in ("designation", "deal", "expected"))


def test_an_indication_name_is_lower_cased_mid_sentence_unless_an_acronym(tiny_dataset):
    retired = " ".join(highlights(tiny_dataset, Scope(market="CN"), Q3))
    assert "HANLIKANG in rheumatoid arthritis (China) discontinued" in retired
    assert "HANQUYOU in HER2+ gastric cancer (Global)" in retired


def test_real_figures_are_not_flagged_synthetic(tiny_dataset):
    reported = replace(tiny_dataset, sales=tiny_dataset.sales.assign(synthetic=False))
    assert highlights(reported, Scope(), Q3)[0].startswith(
        "Product sales: RMB 165.0 m, +10.0% QoQ, +37.5% YoY; year to date"
    )


def test_key_figure(tiny_dataset):
    assert key_figure(tiny_dataset, Scope(), Q3) == (
        "Product sales: RMB 165.0 m, +10.0% QoQ, +37.5% YoY (synthetic figures)"
    )
    # Breast cancer: HLX02 CN 110 x 0.6 + HLX02 US 15 = 81; 2025Q2 100 x 0.6 + 20 = 80
    # (+1.25%, shown +1.2%); 2024Q3 80 x 0.6 + 10 = 58 (+39.7%).
    assert key_figure(tiny_dataset, Scope(disease_area="Breast cancer"), Q3) == (
        "Product sales allocated to Breast cancer: RMB 81.0 m, +1.2% QoQ, +39.7% YoY"
        " (synthetic figures)"
    )
    assert key_figure(tiny_dataset, Scope(), Quarter(2025, 4)) == (
        "No revenue in Q4 2025; in development: 3 programmes, 2 run in one market and 1 global"
    )
    assert key_figure(tiny_dataset, Scope(market="CA"), Quarter(2024, 2)) == (
        # HLX02-GC Global is at Phase 2; the CA filing of HLX02-BC comes in 2025.
        "No revenue in Q2 2024; in development: 0 programmes run in Canada;"
        " 1 global programme covers Canada"
    )


def test_a_readout_highlight_quotes_two_results_per_trial_then_counts_the_rest(tiny_dataset):
    results = tiny_dataset.clinical_results
    gc301 = results[results["trial"] == "GC-301"]
    more = pd.concat(
        [
            gc301.assign(endpoint="OS", value=[20.0, 15.0], hazard_ratio=[0.8, None]),
            gc301.assign(endpoint="ORR", value=[50.0, 30.0], unit="%", hazard_ratio=None),
        ]
    )
    busy = replace(tiny_dataset, clinical_results=pd.concat([results, more]))
    assert highlights(busy, Scope(market="CA"), Q3)[2] == (
        "1 clinical readout in Q3 2025: GC-301 (HER2+ gastric cancer: PFS 12 vs 8 months,"
        " HR 0.70, n=300; OS 20 vs 15 months, HR 0.80, n=300 and 1 more)."
    )


def test_a_slice_highlights_the_quarters_income_that_names_it(tiny_dataset):
    us = highlights(tiny_dataset, Scope(market="US"), Q3)
    assert us[1] == (
        "Income other than product sales in Q3 2025: licence income from Accord for HERCESSI"
        " in United States RMB 10.0 m (synthetic)."
    )
    canada = highlights(tiny_dataset, Scope(market="CA"), Q3)
    assert not any(line.startswith("Income other than") for line in canada)
    whole = highlights(tiny_dataset, Scope(), Q3)  # total revenue says it there
    assert not any(line.startswith("Income other than") for line in whole)


def test_a_region_names_the_markets_that_moved_its_sales(tiny_dataset):
    # North America: US sales fell from RMB 20.0 m to 15.0 m in 2025Q3, Canada's began at 5.0.
    first = highlights(tiny_dataset, Scope(region="North America"), Quarter(2025, 3))[0]
    assert (
        "; United States -RMB 5.0 m (-25.0%), Canada +RMB 5.0 m (new). Moved most against Q3 2024"
        in first
    )


@pytest.mark.parametrize(
    ("local", "global_", "said"),
    [
        (3, 5, "3 run in Japan and 5 global"),
        (0, 2, "all global"),
        (0, 1, "global"),
        (2, 0, "all run in Japan"),
        (1, 0, "run in Japan"),
        (0, 0, ""),
    ],
)
def test_a_programme_split_names_no_zero_count(local, global_, said):
    assert programme_split(local, global_, "Japan") == said
