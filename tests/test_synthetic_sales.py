"""The committed synthetic sales are reproducible, respect approvals and keep the stated sizing."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from portfolio_reports.data.quarters import Quarter
from portfolio_reports.data.schema import Sales
from portfolio_reports.tools.synthetic_sales import main

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"

# Quarterly sizing from the facts the sample is built on (RMB million per quarter).
PRODUCT_RANGES = {"HLX02": (650.0, 800.0), "HLX10": (300.0, 450.0), "HLX04": (40.0, 50.0)}
OTHERS_RANGE = (100.0, 150.0)
TOTAL_RANGE = (1090.0, 1450.0)  # the four ranges above added up
OVERSEAS_SHARE_RANGE = (0.05, 0.15)


@pytest.fixture(scope="module")
def sales() -> pd.DataFrame:
    return pd.read_csv(SAMPLE / "sales.csv")


@pytest.fixture(scope="module")
def approvals() -> pd.DataFrame:
    events = pd.read_csv(SAMPLE / "regulatory_events.csv", parse_dates=["date"])
    first = events[events["event_type"] == "approval"].groupby(["product", "market"])["date"].min()
    return first.rename("approved").reset_index()


def _copy_without_sales(tmp_path: Path) -> Path:
    folder = tmp_path / "sample"
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("sales.csv", "*.md"))
    return folder


def test_regenerating_reproduces_the_committed_file_byte_for_byte(tmp_path):
    folder = _copy_without_sales(tmp_path)
    main([str(folder)])
    assert (folder / "sales.csv").read_bytes() == (SAMPLE / "sales.csv").read_bytes()


@pytest.mark.slow
def test_module_runs_from_the_command_line(tmp_path):
    folder = _copy_without_sales(tmp_path)
    subprocess.run(
        [sys.executable, "-m", "portfolio_reports.tools.synthetic_sales", str(folder)],
        check=True,
        capture_output=True,
    )
    assert (folder / "sales.csv").read_bytes() == (SAMPLE / "sales.csv").read_bytes()


def test_another_seed_gives_other_figures(tmp_path):
    folder = _copy_without_sales(tmp_path)
    main([str(folder), "--seed", "1"])
    assert (folder / "sales.csv").read_bytes() != (SAMPLE / "sales.csv").read_bytes()


def test_file_matches_the_schema_and_is_sorted(sales):
    Sales.validate(sales, lazy=True)
    assert list(sales.columns) == list(Sales.to_schema().columns)
    ordered = sales.sort_values(["quarter", "product", "market"], ignore_index=True)
    pd.testing.assert_frame_equal(sales, ordered)


def test_every_figure_is_flagged_synthetic(sales):
    assert sales["synthetic"].dtype == bool
    assert sales["synthetic"].all()


def test_quarters_run_without_gaps_from_2023q1_to_2026q3(sales):
    expected = [str(Quarter(2023, 1).shift(step)) for step in range(15)]
    assert sorted(sales["quarter"].unique()) == expected
    assert expected[-1] == "2026Q3"


def test_every_product_market_with_sales_has_an_approval_there(sales, approvals):
    sold = sales[["product", "market"]].drop_duplicates()
    merged = sold.merge(approvals, on=["product", "market"], how="left")
    missing = merged[merged["approved"].isna()]
    assert missing.empty, missing.to_dict("records")


def test_no_sale_precedes_the_quarter_of_the_first_approval(sales, approvals):
    merged = sales.merge(approvals, on=["product", "market"], how="inner")
    assert len(merged) == len(sales)
    sold_in = merged["quarter"].map(Quarter.parse)
    approved_in = merged["approved"].map(Quarter.of)
    early = merged[[sold < approved for sold, approved in zip(sold_in, approved_in, strict=True)]]
    assert early.empty, early[["quarter", "product", "market", "approved"]].to_dict("records")


@pytest.mark.parametrize(("product", "bounds"), sorted(PRODUCT_RANGES.items()))
def test_product_totals_stay_within_their_range(sales, product, bounds):
    totals = sales[sales["product"] == product].groupby("quarter")["revenue_m"].sum()
    assert len(totals) == 15
    low, high = bounds
    assert totals.between(low, high).all(), totals[~totals.between(low, high)].to_dict()


def test_all_other_products_together_stay_within_their_range(sales):
    others = sales[~sales["product"].isin(list(PRODUCT_RANGES))]
    totals = others.groupby("quarter")["revenue_m"].sum()
    assert len(totals) == 15
    assert totals.between(*OTHERS_RANGE).all(), totals.to_dict()


def test_quarterly_totals_stay_within_the_sum_of_the_ranges(sales):
    totals = sales.groupby("quarter")["revenue_m"].sum()
    assert totals.between(*TOTAL_RANGE).all(), totals.to_dict()


def test_overseas_share_of_sales_stays_between_5_and_15_percent(sales):
    totals = sales.groupby("quarter")["revenue_m"].sum()
    overseas = sales[sales["market"] != "CN"].groupby("quarter")["revenue_m"].sum()
    share = overseas / totals
    assert share.between(*OVERSEAS_SHARE_RANGE).all(), share.round(3).to_dict()


def test_products_launched_in_2025_start_small_and_grow(sales):
    for product in ("FTN", "HLX14", "HLX11"):
        by_quarter = sales[sales["product"] == product].groupby("quarter")["revenue_m"].sum()
        assert by_quarter.index[0] >= "2025Q2"
        assert by_quarter.iloc[0] < by_quarter.iloc[-1]
        assert by_quarter.iloc[0] < 10.0
